// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC7786GatewaySource, IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IConcordGateway} from "../interfaces/IConcordGateway.sol";
import {MerkleTree} from "../libraries/MerkleTree.sol";
import {Message} from "../libraries/Message.sol";

/// @title ConcordGateway
/// @notice One contract per chain: ERC-7786 source (`sendMessage`) and native `dispatch`, and the destination
/// side that verifies (`process`) and delivers messages to ERC-7786 recipients, records failures and lets anyone
/// `retry` them. An immutable core (no proxy) with swappable verifiers; all admin functions go through one
/// OpenZeppelin `AccessManager` (`restricted`), see audits/ACCESS_CONTROL.md.
/// @dev Gas-critical layout (see docs/gateway.md for the measured cost of each choice):
/// - `_core`: ONE slot with the default verifier, the nonce (== Merkle leaf count), the pause flags and a 56-bit
///   filter of privileged addresses. `dispatch` pays one SLOAD + SSTORE on it.
/// - `_routes[origin]`: ONE slot per origin with the route verifier, the epoch, the route pause flag and, once the
///   route is enrolled, MIRRORS of the gateway-wide inbound pause flag and privileged filter (same bit positions as
///   in `_core`). `process` on an enrolled route with its own verifier therefore reads ONE config slot; the admin
///   functions keep the mirrors in sync over the (bounded) list of enrolled origins. Unenrolled origins (and routes
///   without a verifier) also read `_core`.
/// - `_deliveredBits`: replay bitmap, one bit per (origin, epoch, nonce); a steady-state delivery flips a bit in an
///   already non-zero word. Success writes nothing else; failures go to `_failures` (keyed by message id).
/// `process` is hand-written assembly (commented) because Solidity's internal calls, slicing and ABI encoding
/// cost ~3,000 gas more on that path.
contract ConcordGateway is IConcordGateway, AccessManaged, ReentrancyGuardTransient {
    using MerkleTree for MerkleTree.Tree;

    // ---------------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------------

    /// @notice ERC-7786 attribute selector carrying the destination gas limit: `gasLimit(uint256)`.
    bytes4 public constant GAS_LIMIT_ATTRIBUTE = 0xce296026;

    /// @notice Revert/return data copied (and hashed) on failure is truncated to this many bytes.
    uint256 public constant MAX_REVERT_DATA = 256;

    /// @notice Gas given to the recipient's `interchainSecurityModule()` getter.
    uint256 public constant VERIFIER_GETTER_GAS = 30_000;

    /// @notice Gas kept aside for the CALL opcode's own cost (cold access, stack work) when checking that the
    /// callee receives the gas it is owed after EIP-150's 63/64 rule.
    uint256 public constant CALL_GAS_MARGIN = 5000;

    /// @dev `IERC7786Recipient.receiveMessage.selector`, as a literal for assembly (checked in a unit test).
    uint256 private constant _RECEIVE_MESSAGE_SELECTOR = 0x2432ef26;
    /// @dev `IConcordVerifier.verify.selector`.
    uint256 private constant _VERIFY_SELECTOR = 0xf7e83aee;
    /// @dev `ISpecifiesVerifier.interchainSecurityModule.selector` (Hyperlane's selector).
    uint256 private constant _ISM_GETTER_SELECTOR = 0xde523cf3;
    /// @dev `ConcordGatewayInsufficientGas(uint256,uint256)` selector, for the assembly revert.
    uint256 private constant _INSUFFICIENT_GAS_SELECTOR = 0x8a482991;

    /// @dev Offset of the first payload byte in a message (header + 4-byte gas limit).
    uint256 private constant _PAYLOAD_OFFSET = 81; // == Message.PAYLOAD_OFFSET (literal for assembly)

    // `_core` layout:   [0,160) default verifier | [160,192) nonce | [192] inbound paused | [193] outbound paused
    //                   | [200,256) privileged-address filter.
    // `_routes` layout: [0,160) route verifier | [160,192) epoch | [192] inbound paused (mirror) | [194] route
    //                   paused | [195] enrolled | [200,256) privileged-address filter (mirror).
    uint256 private constant _ADDRESS_MASK = 0x00ffffffffffffffffffffffffffffffffffffffff;
    uint256 private constant _NONCE_SHIFT = 160;
    uint256 private constant _INBOUND_PAUSED = 1 << 192;
    uint256 private constant _OUTBOUND_PAUSED = 1 << 193;
    uint256 private constant _ROUTE_PAUSED = 1 << 194;
    uint256 private constant _ENROLLED = 1 << 195;
    uint256 private constant _FILTER_SHIFT = 200;
    uint256 private constant _FILTER_BITS = 56;
    uint256 private constant _FILTER_MASK = ((1 << 56) - 1) << 200;

    /// @notice Largest number of enrolled routes (bounds the mirror updates done by the admin functions).
    uint256 public constant MAX_ROUTES = 256;

    // ---------------------------------------------------------------------------------------------
    // Immutables and storage
    // ---------------------------------------------------------------------------------------------

    uint32 private immutable _localDomain;
    uint32 private immutable _defaultGasLimit;
    uint256 private immutable _maxBodySize;

    /// @dev See the `_core` layout above.
    uint256 private _core;
    MerkleTree.Tree private _tree;
    /// @dev See the `_routes` layout above.
    mapping(uint32 origin => uint256 word) private _routes;
    mapping(uint32 origin => address) private _originGateways;
    /// @dev Enrolled origins, whose route words carry the mirrors.
    uint32[] private _enrolled;
    /// @dev Replay guard, see `_replayKey`.
    mapping(bytes32 key => uint256 bits) private _deliveredBits;
    /// @dev Non-zero (revert data hash) only while a message is FAILED.
    mapping(bytes32 messageId => bytes32 revertDataHash) private _failures;
    /// @dev How many roles (authority, default verifier, route verifiers) an address currently holds.
    mapping(address account => uint256 refs) private _privilegedRefs;

    /// @param localDomain_ This chain's domain: its EVM chain id in production (two gateways in one test EVM use
    /// two different ids).
    /// @param initialAuthority The AccessManager that authorizes every admin function.
    /// @param defaultVerifier_ The gateway-wide default verifier (address(0): none).
    /// @param defaultGasLimit_ Destination gas limit when the sender does not give one.
    /// @param maxBodySize_ Largest message body (4-byte gas limit + payload) accepted at the source.
    constructor(
        uint32 localDomain_,
        address initialAuthority,
        address defaultVerifier_,
        uint32 defaultGasLimit_,
        uint256 maxBodySize_
    ) AccessManaged(initialAuthority) {
        if (localDomain_ == 0 || defaultGasLimit_ == 0 || maxBodySize_ < 4) {
            revert ConcordGatewayInvalidConfig();
        }
        _localDomain = localDomain_;
        _defaultGasLimit = defaultGasLimit_;
        _maxBodySize = maxBodySize_;
        if (defaultVerifier_ != address(0)) _setDefaultVerifier(defaultVerifier_);
    }

    // ---------------------------------------------------------------------------------------------
    // Source
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IConcordGateway
    function dispatch(uint32 destination, bytes32 recipient, bytes calldata payload)
        external
        returns (bytes32 messageId)
    {
        messageId = _dispatch(destination, recipient, _defaultGasLimit, payload);
    }

    /// @inheritdoc IConcordGateway
    function dispatch(uint32 destination, bytes32 recipient, uint32 gasLimit, bytes calldata payload)
        external
        returns (bytes32 messageId)
    {
        messageId = _dispatch(destination, recipient, gasLimit, payload);
    }

    /// @inheritdoc IERC7786GatewaySource
    /// @dev Returns the message id as `sendId` (fees, if any, are paid separately against it). Accepts no value.
    function sendMessage(bytes calldata recipient, bytes calldata payload, bytes[] calldata attributes)
        external
        payable
        returns (bytes32 sendId)
    {
        if (msg.value != 0) revert ConcordGatewayValueNotAccepted(msg.value);
        (bool ok, uint256 chainId, address target) = InteroperableAddress.tryParseEvmV1Calldata(recipient);
        if (!ok || target == address(0) || chainId == 0 || chainId > type(uint32).max) {
            revert ConcordGatewayInvalidRecipient(recipient);
        }
        uint32 gasLimit = _defaultGasLimit;
        bool gasLimitSet = false;
        for (uint256 i = 0; i < attributes.length; ++i) {
            bytes calldata attribute = attributes[i];
            if (attribute.length < 4) revert ConcordGatewayInvalidAttribute(attribute);
            bytes4 selector = bytes4(attribute[0:4]);
            if (selector != GAS_LIMIT_ATTRIBUTE) revert UnsupportedAttribute(selector);
            if (attribute.length != 36 || gasLimitSet) revert ConcordGatewayInvalidAttribute(attribute);
            uint256 value = uint256(bytes32(attribute[4:36]));
            if (value == 0 || value > type(uint32).max) revert ConcordGatewayInvalidAttribute(attribute);
            gasLimit = uint32(value);
            gasLimitSet = true;
        }
        sendId = _dispatch(uint32(chainId), Message.addressToBytes32(target), gasLimit, payload);
        emit MessageSent(
            sendId, InteroperableAddress.formatEvmV1(_localDomain, msg.sender), recipient, payload, 0, attributes
        );
    }

    /// @inheritdoc IERC7786GatewaySource
    function supportsAttribute(bytes4 selector) external pure returns (bool) {
        return selector == GAS_LIMIT_ATTRIBUTE;
    }

    /// @dev Shared send path. Not reentrancy-locked on purpose: a recipient must be able to send (replies, acks,
    /// a remote executor bridging tokens) while being delivered; `_dispatch` makes no external call and only
    /// touches the nonce bits of `_core` and the tree, which `process`/`retry` never write.
    function _dispatch(uint32 destination, bytes32 recipient, uint32 gasLimit, bytes calldata payload)
        private
        returns (bytes32 messageId)
    {
        uint256 core = _core;
        if (core & _OUTBOUND_PAUSED != 0) revert ConcordGatewayOutboundPaused();
        uint256 bodySize = payload.length + 4;
        if (bodySize > _maxBodySize) revert ConcordGatewayBodyTooLarge(bodySize, _maxBodySize);
        uint256 index = (core >> _NONCE_SHIFT) & 0xffffffff;
        // Leaf index 2**32 - 1 is never used, so the count always fits in 32 bits.
        if (index >= MerkleTree.MAX_LEAVES) revert ConcordGatewayNonceExhausted();
        // Effects: the nonce increment only touches bits [160,192) (no carry: index < 2**32 - 1).
        _core = core + (1 << _NONCE_SHIFT);
        uint256 localDomain_ = _localDomain;
        uint256 eventData;
        uint256 eventSize;
        // Builds, at the free memory pointer, the ABI encoding of the event data `(bytes message)` directly:
        //   0x20 | message.length | message (zero padded)
        // with message = version (1) | nonce (4) | origin (4) | sender (32) | destination (4) | recipient (32)
        //              | gasLimit (4) | payload  (the `Message` layout). Each mstore writes a full word, so the
        // later (overlapping) stores overwrite the zero tails of the earlier ones. Cheaper than
        // abi.encodePacked + Solidity's event encoding (one copy instead of two).
        assembly ("memory-safe") {
            eventData := mload(0x40)
            let length := add(_PAYLOAD_OFFSET, payload.length)
            mstore(eventData, 0x20)
            mstore(add(eventData, 0x20), length)
            let p := add(eventData, 0x40)
            mstore(p, or(shl(248, 3), or(shl(216, index), shl(184, localDomain_))))
            mstore(add(p, 9), caller()) // 12 zero bytes + the 20-byte sender
            mstore(add(p, 41), shl(224, and(destination, 0xffffffff)))
            mstore(add(p, 45), recipient)
            mstore(add(p, 77), shl(224, and(gasLimit, 0xffffffff)))
            calldatacopy(add(p, _PAYLOAD_OFFSET), payload.offset, payload.length)
            mstore(add(p, length), 0) // zero padding up to the word boundary
            messageId := keccak256(p, length)
            eventSize := add(0x40, and(add(length, 31), not(31)))
            mstore(0x40, add(eventData, eventSize))
        }
        _tree.insert(index, messageId);
        // emit Dispatched(messageId, destination, message), from the pre-encoded data above.
        bytes32 topic0 = Dispatched.selector;
        assembly ("memory-safe") {
            log3(eventData, eventSize, topic0, messageId, and(destination, 0xffffffff))
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Destination
    // ---------------------------------------------------------------------------------------------

    // One hand-written hot path, kept in one piece for gas.
    // solhint-disable function-max-lines
    /// @inheritdoc IConcordGateway
    /// @dev The hot path is one assembly block with the same logic as `retry`'s Solidity helpers (the tests hold
    /// both to the same behaviour): Solidity's internal calls, slicing and ABI encoding cost ~3,000 gas more here.
    /// The block runs once (`for {} 1 {}` with `break`) and sets `err`/`errArg` on a failed check; the custom
    /// error is raised in Solidity afterwards (`_revertProcess`), so every revert path has a named error.
    /// Order: checks -> effects (replay bit) -> interactions (verifier getter, verifier, recipient).
    function process(bytes calldata metadata, bytes calldata message) external nonReentrant {
        if (message.length < _PAYLOAD_OFFSET) revert ConcordGatewayMalformedMessage(message.length);
        uint256 destination;
        assembly ("memory-safe") {
            destination := shr(224, calldataload(add(message.offset, 41)))
        }
        if (destination != _localDomain) revert ConcordGatewayWrongDestination(uint32(destination));
        uint256 err;
        uint256 errArg; // the error's argument, or (when err == 0) the delivery outcome: 1 success, 0 failure
        bytes32 messageId;
        uint256 originDomain;
        assembly ("memory-safe") {
            for {} 1 {} {
                // ---- Checks ----
                // word0 = version (1) | nonce (4) | origin (4) | first 23 bytes of the sender word
                let word0 := calldataload(message.offset)
                if iszero(eq(shr(248, word0), 3)) {
                    err := 3
                    errArg := shr(248, word0)
                    break
                }
                // Domains are EVM chains: sender and recipient words must be left-padded addresses.
                let recipient := calldataload(add(message.offset, 45))
                if shr(160, recipient) {
                    err := 5
                    errArg := recipient
                    break
                }
                if shr(160, calldataload(add(message.offset, 9))) {
                    err := 5
                    errArg := calldataload(add(message.offset, 9))
                    break
                }
                originDomain := and(shr(184, word0), 0xffffffff)
                // Route word (`_routes[origin]`). An enrolled route mirrors the gateway-wide inbound flag and
                // the privileged filter at the same bit positions as `_core`, so `cfg` is the route word for
                // enrolled routes and `_core` otherwise.
                mstore(0x00, originDomain)
                mstore(0x20, _routes.slot)
                let routeWord := sload(keccak256(0x00, 0x40))
                {
                    let cfg := routeWord
                    if iszero(and(routeWord, _ENROLLED)) { cfg := sload(_core.slot) }
                    if and(cfg, _INBOUND_PAUSED) {
                        err := 2
                        break
                    }
                    if and(routeWord, _ROUTE_PAUSED) {
                        err := 6
                        errArg := originDomain
                        break
                    }
                    // Privileged recipients: the gateway itself, or a filter hit confirmed by `_privilegedRefs`.
                    if eq(recipient, address()) {
                        err := 7
                        errArg := recipient
                        break
                    }
                    if and(shr(add(_FILTER_SHIFT, mod(recipient, _FILTER_BITS)), cfg), 1) {
                        mstore(0x00, recipient)
                        mstore(0x20, _privilegedRefs.slot)
                        if sload(keccak256(0x00, 0x40)) {
                            err := 7
                            errArg := recipient
                            break
                        }
                    }
                }

                // ---- Effects: replay bit, BEFORE any external call (see `_replayKey` for the proof) ----
                {
                    let nonce_ := and(shr(216, word0), 0xffffffff)
                    // key = origin << 64 | epoch << 32 | nonce >> 8 (epoch: routeWord bits [160,192) -> [32,64))
                    mstore(
                        0x00,
                        or(shl(64, originDomain), or(and(shr(128, routeWord), 0xffffffff00000000), shr(8, nonce_)))
                    )
                    mstore(0x20, _deliveredBits.slot)
                    let slot := keccak256(0x00, 0x40)
                    let bits := sload(slot)
                    let bit := shl(and(nonce_, 0xff), 1)
                    if and(bits, bit) {
                        err := 8
                        break
                    }
                    sstore(slot, or(bits, bit))
                }
                // messageId = keccak256(message), hashed from a scratch copy at the free memory pointer (the
                // region past the free pointer is reused below for the verifier and recipient calldata; nothing
                // is allocated).
                let ptr := mload(0x40)
                calldatacopy(ptr, message.offset, message.length)
                messageId := keccak256(ptr, message.length)

                // ---- Interactions ----
                // 1. Verifier: the recipient's own, else the route's, else the default. The getter must get its
                //    full budget (EIP-150), or a relayer could starve it and force a fallback to another verifier.
                {
                    let g := gas()
                    if lt(sub(g, div(g, 64)), add(VERIFIER_GETTER_GAS, CALL_GAS_MARGIN)) {
                        err := 9
                        errArg := add(VERIFIER_GETTER_GAS, CALL_GAS_MARGIN)
                        break
                    }
                }
                let verifier := 0
                // recipient.interchainSecurityModule(): at most 32 bytes copied to scratch; accepted only if the
                // call succeeded and returned >= 32 bytes holding a clean, non-zero address with code.
                mstore(0x00, shl(224, _ISM_GETTER_SELECTOR))
                if staticcall(VERIFIER_GETTER_GAS, recipient, 0x00, 0x04, 0x00, 0x20) {
                    if gt(returndatasize(), 0x1f) {
                        let candidate := mload(0x00)
                        if iszero(shr(160, candidate)) {
                            if extcodesize(candidate) { verifier := candidate }
                        }
                    }
                }
                if iszero(verifier) { verifier := and(routeWord, _ADDRESS_MASK) }
                if iszero(verifier) { verifier := and(sload(_core.slot), _ADDRESS_MASK) }
                if iszero(verifier) {
                    err := 10
                    errArg := originDomain
                    break
                }
                // 2. verifier.verify(metadata, message), canonical ABI encoding at ptr:
                //    selector | 0x40 | offset(message) | metadata.length | metadata | message.length | message
                //    Each copy is followed by a zero word so the padding up to the 32-byte boundary is zero.
                {
                    let metaPadded := and(add(metadata.length, 31), not(31))
                    mstore(ptr, shl(224, _VERIFY_SELECTOR))
                    mstore(add(ptr, 0x04), 0x40)
                    mstore(add(ptr, 0x24), add(0x60, metaPadded))
                    mstore(add(ptr, 0x44), metadata.length)
                    let p := add(ptr, 0x64)
                    calldatacopy(p, metadata.offset, metadata.length)
                    mstore(add(p, metadata.length), 0)
                    p := add(p, metaPadded)
                    mstore(p, message.length)
                    p := add(p, 0x20)
                    calldatacopy(p, message.offset, message.length)
                    mstore(add(p, message.length), 0)
                    p := add(p, and(add(message.length, 31), not(31)))
                    // Must return one word equal to 1 (ABI `true`); at most 32 bytes are copied. (Yul evaluates
                    // arguments right to left, so the call is its own statement before the return-data checks.)
                    let ok := call(gas(), verifier, 0, ptr, sub(p, ptr), 0x00, 0x20)
                    if iszero(and(ok, and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1)))) {
                        err := 11
                        errArg := verifier
                        break
                    }
                }
                // 3. recipient.receiveMessage(messageId, formatEvmV1(origin, sender), payload) at ptr:
                //    selector | messageId | 0x60 | 0xa0 | 26 + L | sender (one word) | payload.length | payload
                //    sender = 0x00010000 | L | origin (L bytes, minimal big-endian) | 0x14 | address, L in 1..4
                //    (byte-identical to OpenZeppelin's InteroperableAddress.formatEvmV1; fuzzed in the tests).
                {
                    let len :=
                        add(1, add(gt(originDomain, 0xff), add(gt(originDomain, 0xffff), gt(originDomain, 0xffffff))))
                    let shift := mul(8, len)
                    mstore(ptr, shl(224, _RECEIVE_MESSAGE_SELECTOR))
                    mstore(add(ptr, 0x04), messageId)
                    mstore(add(ptr, 0x24), 0x60)
                    mstore(add(ptr, 0x44), 0xa0)
                    mstore(add(ptr, 0x64), add(26, len))
                    mstore(
                        add(ptr, 0x84),
                        or(
                            or(shl(224, 0x00010000), shl(216, len)),
                            or(
                                shl(sub(216, shift), originDomain),
                                or(
                                    shl(sub(208, shift), 0x14),
                                    // the sender word is a clean address (checked above)
                                    shl(sub(48, shift), calldataload(add(message.offset, 9)))
                                )
                            )
                        )
                    )
                    let payloadLength := sub(message.length, _PAYLOAD_OFFSET)
                    mstore(add(ptr, 0xa4), payloadLength)
                    calldatacopy(add(ptr, 0xc4), add(message.offset, _PAYLOAD_OFFSET), payloadLength)
                    mstore(add(add(ptr, 0xc4), payloadLength), 0)
                    // gasLimit = first 4 body bytes. EIP-150: the recipient must receive all of it, else the whole
                    // transaction reverts (nothing is recorded, not even the replay bit).
                    let gasLimit := shr(224, calldataload(add(message.offset, 77)))
                    let g := gas()
                    if lt(sub(g, div(g, 64)), add(gasLimit, CALL_GAS_MARGIN)) {
                        err := 9
                        errArg := add(gasLimit, CALL_GAS_MARGIN)
                        break
                    }
                    // Success = the call succeeded and returned the word `receiveMessage.selector` (at most 32
                    // bytes of return data are copied).
                    let size := add(0xc4, and(add(payloadLength, 31), not(31)))
                    let ok := call(gasLimit, recipient, 0, ptr, size, 0x00, 0x20)
                    errArg := and(
                        ok,
                        and(gt(returndatasize(), 0x1f), eq(mload(0x00), shl(224, _RECEIVE_MESSAGE_SELECTOR)))
                    )
                }
                break
            }
        }
        if (err != 0) _revertProcess(err, errArg, message);
        if (errArg != 0) {
            emit Executed(messageId, uint32(originDomain));
        } else {
            _recordFailure(messageId, uint32(originDomain));
        }
    }

    // solhint-enable function-max-lines

    /// @inheritdoc IConcordGateway
    function retry(bytes calldata message) external nonReentrant {
        // ---- Checks ----
        bytes32 messageId = keccak256(message);
        if (_failures[messageId] == bytes32(0)) revert ConcordGatewayNotFailed(messageId);
        // A recorded failure implies a well-formed, verified message for this domain.
        (, uint32 origin, address recipient) = _checkHeader(message);
        (uint256 routeWord, uint256 cfg) = _config(origin);
        if (cfg & _INBOUND_PAUSED != 0) revert ConcordGatewayInboundPaused();
        if (routeWord & _ROUTE_PAUSED != 0) revert ConcordGatewayRoutePaused(origin);
        // Configuration may have changed since the failure: never call a now-privileged address.
        _checkNotPrivileged(cfg, recipient);

        // ---- Effects: clear the failure first; `_deliver` re-records it if the recipient fails again ----
        delete _failures[messageId];

        // ---- Interactions ----
        bool success = _deliver(messageId, origin, recipient, message);
        emit Retried(messageId, origin, msg.sender, success);
    }

    /// @dev Raises the custom error for `process`'s assembly error code.
    function _revertProcess(uint256 err, uint256 arg, bytes calldata message) private view {
        if (err == 2) revert ConcordGatewayInboundPaused();
        if (err == 3) revert ConcordGatewayUnsupportedVersion(uint8(arg));
        if (err == 5) revert ConcordGatewayNonEvmAddress(bytes32(arg));
        if (err == 6) revert ConcordGatewayRoutePaused(uint32(arg));
        if (err == 7) revert ConcordGatewayPrivilegedRecipient(address(uint160(arg)));
        if (err == 8) revert ConcordGatewayAlreadyDelivered(keccak256(message));
        if (err == 9) revert ConcordGatewayInsufficientGas(arg, gasleft());
        if (err == 10) revert ConcordGatewayNoVerifier(uint32(arg));
        revert ConcordGatewayVerificationFailed(address(uint160(arg)));
    }

    /// @dev Header checks (Solidity twin of `process`'s): length, version, destination, EVM-shaped addresses.
    function _checkHeader(bytes calldata message)
        private
        view
        returns (uint32 nonce_, uint32 origin, address recipient)
    {
        if (message.length < _PAYLOAD_OFFSET) {
            revert ConcordGatewayMalformedMessage(message.length);
        }
        if (Message.version(message) != Message.VERSION) {
            revert ConcordGatewayUnsupportedVersion(Message.version(message));
        }
        if (Message.destination(message) != _localDomain) {
            revert ConcordGatewayWrongDestination(Message.destination(message));
        }
        bytes32 senderWord = Message.sender(message);
        bytes32 recipientWord = Message.recipient(message);
        if (uint256(recipientWord) >> 160 != 0) revert ConcordGatewayNonEvmAddress(recipientWord);
        if (uint256(senderWord) >> 160 != 0) revert ConcordGatewayNonEvmAddress(senderWord);
        nonce_ = Message.nonce(message);
        origin = Message.origin(message);
        recipient = Message.bytes32ToAddress(recipientWord);
    }

    /// @dev The route word and the word holding the effective inbound flag and filter (the route word itself once
    /// enrolled, since it mirrors them; `_core` otherwise).
    function _config(uint32 origin) private view returns (uint256 routeWord, uint256 cfg) {
        routeWord = _routes[origin];
        cfg = routeWord & _ENROLLED != 0 ? routeWord : _core;
    }

    /// @dev Reverts if `recipient` is the gateway, the authority or a configured verifier. The 56-bit filter (one
    /// bit per `address % 56`, set whenever an address gains a role, never cleared) rules out almost every
    /// ordinary recipient for free; only on a filter hit is the exact reference count read.
    function _checkNotPrivileged(uint256 cfg, address recipient) private view {
        if (recipient == address(this)) revert ConcordGatewayPrivilegedRecipient(recipient);
        if ((cfg >> (_FILTER_SHIFT + uint160(recipient) % _FILTER_BITS)) & 1 != 0) {
            if (_privilegedRefs[recipient] != 0) revert ConcordGatewayPrivilegedRecipient(recipient);
        }
    }

    /// @dev Replay-guard key: origin (32 bits) | route epoch (32 bits) | nonce >> 8 (24 bits), in disjoint bit
    /// ranges of one word (injective without relying on a hash); the bit is `nonce & 255`. 256 consecutive nonces
    /// share a word, so a steady-state delivery flips a bit in a word that is already non-zero (2,100 cold read +
    /// 2,900 write, never the 20,000 zero-to-non-zero write).
    ///
    /// Why distinct messages never collide: a message id is fixed by its bytes, and an origin gateway instance
    /// never assigns a nonce twice (its nonce strictly increases, see `_dispatch`), so within one origin gateway
    /// instance (origin, nonce) determines the message. The route epoch names the instance: `setRoute` bumps it
    /// whenever the enrolled origin gateway is replaced (e.g. a redeployment whose nonces restart at 0), and the
    /// route's verifiers accept only the enrolled instance's messages (their signed digests bind the origin gateway
    /// address). Hence (origin, epoch, nonce) -> message is injective, and one bit per triple gives at-most-once
    /// delivery. Proven by test_Process_RedeployedOriginGateway_SameNonces_BothDeliver (Gateway.replay.t.sol).
    function _replayKey(uint32 origin, uint32 epoch, uint32 nonce_) private pure returns (bytes32) {
        return bytes32((uint256(origin) << 64) | (uint256(epoch) << 32) | (uint256(nonce_) >> 8));
    }

    /// @dev The recipient's declared verifier if its getter succeeds within `VERIFIER_GETTER_GAS` and returns a
    /// clean address with code; else the route verifier; else the default verifier (may be address(0)).
    function _selectVerifier(address recipient, uint256 routeWord) private view returns (address verifier) {
        // staticcall recipient.interchainSecurityModule() with bounded gas, copying at most 32 bytes of return
        // data into scratch space; same acceptance rule as in `process`.
        assembly ("memory-safe") {
            mstore(0x00, shl(224, _ISM_GETTER_SELECTOR))
            let ok := staticcall(VERIFIER_GETTER_GAS, recipient, 0x00, 0x04, 0x00, 0x20)
            if and(ok, gt(returndatasize(), 0x1f)) {
                let candidate := mload(0x00)
                if iszero(shr(160, candidate)) { if extcodesize(candidate) { verifier := candidate } }
            }
        }
        if (verifier == address(0)) verifier = address(uint160(routeWord & _ADDRESS_MASK));
        if (verifier == address(0)) verifier = address(uint160(_core & _ADDRESS_MASK));
    }

    /// @dev Solidity twin of `process`'s delivery: calls `recipient.receiveMessage(messageId,
    /// formatEvmV1(origin, sender), payload)` with exactly the message's gas limit and records the outcome.
    function _deliver(bytes32 messageId, uint32 origin, address recipient, bytes calldata message)
        private
        returns (bool success)
    {
        bytes memory callData = abi.encodeCall(
            IERC7786Recipient.receiveMessage,
            (
                messageId,
                InteroperableAddress.formatEvmV1(origin, Message.senderAddress(message)),
                Message.payload(message)
            )
        );
        uint256 gasLimit = Message.gasLimit(message);
        // EIP-150 check (as in `process`), then the call with at most 32 bytes of return data copied.
        assembly ("memory-safe") {
            let g := gas()
            if lt(sub(g, div(g, 64)), add(gasLimit, CALL_GAS_MARGIN)) {
                mstore(0x00, shl(224, _INSUFFICIENT_GAS_SELECTOR))
                mstore(0x04, add(gasLimit, CALL_GAS_MARGIN))
                mstore(0x24, g)
                revert(0x00, 0x44)
            }
            success := call(gasLimit, recipient, 0, add(callData, 0x20), mload(callData), 0x00, 0x20)
            success := and(
                success,
                and(gt(returndatasize(), 0x1f), eq(mload(0x00), shl(224, _RECEIVE_MESSAGE_SELECTOR)))
            )
        }
        if (success) {
            emit Executed(messageId, origin);
        } else {
            _recordFailure(messageId, origin);
        }
    }

    /// @dev Records a FAILED delivery from the last call's (bounded) return data.
    function _recordFailure(bytes32 messageId, uint32 origin) private {
        (bytes32 revertDataHash, bytes memory revertData) = _boundedReturnData();
        _failures[messageId] = revertDataHash;
        emit ExecutionFailed(messageId, origin, revertDataHash, revertData);
    }

    /// @dev Copies at most `MAX_REVERT_DATA` bytes of the last call's return data and hashes them. The hash of
    /// the (possibly empty) copy is never zero, so it doubles as the FAILED marker.
    /// OpenZeppelin's `LowLevelCall.returnData()` copies the whole buffer (a 1 MB revert would cost millions of
    /// gas in memory expansion), hence this bounded variant.
    function _boundedReturnData() private pure returns (bytes32 hash, bytes memory data) {
        assembly ("memory-safe") {
            let size := returndatasize()
            if gt(size, MAX_REVERT_DATA) { size := MAX_REVERT_DATA }
            data := mload(0x40)
            mstore(data, size)
            returndatacopy(add(data, 0x20), 0x00, size)
            mstore(0x40, add(data, and(add(add(size, 0x20), 31), not(31))))
            hash := keccak256(add(data, 0x20), size)
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IConcordGateway
    function setDefaultVerifier(address verifier) external restricted {
        _setDefaultVerifier(verifier);
    }

    /// @inheritdoc IConcordGateway
    function setRoute(uint32 origin, address verifier, address originGateway) external restricted {
        if (verifier != address(0) && verifier.code.length == 0) revert ConcordGatewayVerifierNotContract(verifier);
        uint256 word = _routes[origin];
        if (word & _ENROLLED == 0) {
            // First enrollment: start mirroring the gateway-wide inbound flag and filter.
            if (_enrolled.length >= MAX_ROUTES) revert ConcordGatewayTooManyRoutes();
            _enrolled.push(origin);
            word |= _ENROLLED | (_core & (_INBOUND_PAUSED | _FILTER_MASK));
        }
        uint256 epoch = (word >> 160) & 0xffffffff;
        address previousGateway = _originGateways[origin];
        // A different origin gateway instance restarts its nonces at 0: a new epoch keeps (origin, epoch, nonce)
        // injective (see `_replayKey`). The first enrollment keeps epoch 0: traffic processed before it is taken
        // to come from that gateway (enroll routes before opening them).
        if (previousGateway != address(0) && previousGateway != originGateway) {
            if (epoch == type(uint32).max) revert ConcordGatewayInvalidConfig();
            ++epoch;
        }
        _originGateways[origin] = originGateway;
        address previousVerifier = address(uint160(word & _ADDRESS_MASK));
        _routes[origin] =
            (word & ~(_ADDRESS_MASK | (uint256(0xffffffff) << 160))) | uint256(uint160(verifier)) | (epoch << 160);
        _swapPrivileged(previousVerifier, verifier);
        emit RouteSet(origin, verifier, originGateway, uint32(epoch));
    }

    /// @inheritdoc IConcordGateway
    function pause(bool inbound, bool outbound) external restricted {
        uint256 core = _core;
        if (inbound) core |= _INBOUND_PAUSED;
        if (outbound) core |= _OUTBOUND_PAUSED;
        _setCore(core);
    }

    /// @inheritdoc IConcordGateway
    function unpause(bool inbound, bool outbound) external restricted {
        uint256 core = _core;
        if (inbound) core &= ~_INBOUND_PAUSED;
        if (outbound) core &= ~_OUTBOUND_PAUSED;
        _setCore(core);
    }

    /// @inheritdoc IConcordGateway
    function pauseRoute(uint32 origin) external restricted {
        _routes[origin] |= _ROUTE_PAUSED;
        emit RoutePauseSet(origin, true);
    }

    /// @inheritdoc IConcordGateway
    function unpauseRoute(uint32 origin) external restricted {
        _routes[origin] &= ~_ROUTE_PAUSED;
        emit RoutePauseSet(origin, false);
    }

    /// @dev Writes the pause flags and mirrors a changed inbound flag into every enrolled route.
    function _setCore(uint256 core) private {
        uint256 previous = _core;
        _core = core;
        if ((previous ^ core) & _INBOUND_PAUSED != 0) {
            bool paused = core & _INBOUND_PAUSED != 0;
            uint256 n = _enrolled.length;
            for (uint256 i = 0; i < n; ++i) {
                uint32 origin = _enrolled[i];
                _routes[origin] = paused ? _routes[origin] | _INBOUND_PAUSED : _routes[origin] & ~_INBOUND_PAUSED;
            }
        }
        emit PauseFlagsSet(core & _INBOUND_PAUSED != 0, core & _OUTBOUND_PAUSED != 0);
    }

    function _setDefaultVerifier(address verifier) private {
        if (verifier != address(0) && verifier.code.length == 0) revert ConcordGatewayVerifierNotContract(verifier);
        address previous = address(uint160(_core & _ADDRESS_MASK));
        _core = (_core & ~_ADDRESS_MASK) | uint256(uint160(verifier));
        _swapPrivileged(previous, verifier);
        emit DefaultVerifierSet(previous, verifier);
    }

    /// @dev Keeps the privileged set in sync when the authority changes (AccessManaged calls this from its
    /// constructor and from `setAuthority`).
    function _setAuthority(address newAuthority) internal override {
        _swapPrivileged(authority(), newAuthority);
        super._setAuthority(newAuthority);
    }

    /// @dev Moves one privileged role from `previous` to `next`. The filter only grows; a newly set bit is mirrored
    /// into every enrolled route.
    function _swapPrivileged(address previous, address next) private {
        if (previous == next) return;
        if (previous != address(0)) --_privilegedRefs[previous];
        if (next == address(0)) return;
        ++_privilegedRefs[next];
        uint256 bit = 1 << (_FILTER_SHIFT + uint160(next) % _FILTER_BITS);
        if (_core & bit != 0) return;
        _core |= bit;
        uint256 n = _enrolled.length;
        for (uint256 i = 0; i < n; ++i) {
            _routes[_enrolled[i]] |= bit;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IConcordGateway
    function localDomain() external view returns (uint32) {
        return _localDomain;
    }

    /// @inheritdoc IConcordGateway
    function defaultGasLimit() external view returns (uint32) {
        return _defaultGasLimit;
    }

    /// @inheritdoc IConcordGateway
    function maxBodySize() external view returns (uint256) {
        return _maxBodySize;
    }

    /// @inheritdoc IConcordGateway
    function nonce() public view returns (uint32) {
        return uint32(_core >> _NONCE_SHIFT);
    }

    /// @inheritdoc IConcordGateway
    function count() external view returns (uint32) {
        return nonce();
    }

    /// @inheritdoc IConcordGateway
    function root() external view returns (bytes32) {
        return _tree.root(nonce());
    }

    /// @inheritdoc IConcordGateway
    function latestCheckpoint() external view returns (bytes32, uint32) {
        uint32 n = nonce();
        if (n == 0) revert ConcordGatewayNoMessages();
        return (_tree.root(n), n - 1);
    }

    /// @inheritdoc IConcordGateway
    function pauseFlags() external view returns (bool inboundPaused, bool outboundPaused) {
        uint256 core = _core;
        return (core & _INBOUND_PAUSED != 0, core & _OUTBOUND_PAUSED != 0);
    }

    /// @inheritdoc IConcordGateway
    function defaultVerifier() external view returns (address) {
        return address(uint160(_core & _ADDRESS_MASK));
    }

    /// @inheritdoc IConcordGateway
    function route(uint32 origin)
        external
        view
        returns (address verifier, uint32 epoch, bool paused, address originGateway)
    {
        uint256 word = _routes[origin];
        return (
            address(uint160(word & _ADDRESS_MASK)),
            uint32(word >> 160),
            word & _ROUTE_PAUSED != 0,
            _originGateways[origin]
        );
    }

    /// @inheritdoc IConcordGateway
    function enrolledOrigins() external view returns (uint32[] memory) {
        return _enrolled;
    }

    /// @inheritdoc IConcordGateway
    function verifierFor(address recipient, uint32 origin) external view returns (address) {
        return _selectVerifier(recipient, _routes[origin]);
    }

    /// @inheritdoc IConcordGateway
    function delivered(uint32 origin, uint32 nonce_) public view returns (bool) {
        return deliveredAt(origin, uint32(_routes[origin] >> 160), nonce_);
    }

    /// @inheritdoc IConcordGateway
    function deliveredAt(uint32 origin, uint32 epoch, uint32 nonce_) public view returns (bool) {
        return (_deliveredBits[_replayKey(origin, epoch, nonce_)] >> (nonce_ & 0xff)) & 1 == 1;
    }

    /// @inheritdoc IConcordGateway
    function status(bytes calldata message) external view returns (MessageStatus) {
        if (_failures[keccak256(message)] != bytes32(0)) return MessageStatus.FAILED;
        if (message.length < _PAYLOAD_OFFSET) return MessageStatus.NONE;
        return delivered(Message.origin(message), Message.nonce(message)) ? MessageStatus.EXECUTED : MessageStatus.NONE;
    }

    /// @inheritdoc IConcordGateway
    function failedRevertDataHash(bytes32 messageId) external view returns (bytes32) {
        return _failures[messageId];
    }

    /// @inheritdoc IConcordGateway
    function isPrivileged(address account) external view returns (bool) {
        return account == address(this) || _privilegedRefs[account] != 0;
    }
}
