// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAxelarGasService} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGasService.sol";
import {IAxelarGateway} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGateway.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {AdapterEnvelope} from "../AdapterEnvelope.sol";
import {ConcordAdapter} from "../ConcordAdapter.sol";
import {IAxelarAdapter} from "./IAxelarAdapter.sol";

/// @title AxelarAdapter
/// @notice Concord's ERC-7786 gateway over Axelar GMP (see {IAxelarAdapter}, {ConcordAdapter}). Sending:
/// `AxelarGasService.payNativeGasForContractCall{value: fee}` then `AxelarGateway.callContract(axelarChain,
/// remoteAdapter, envelope)`, where `fee` is the gas service's own on-chain `estimateGasFee` for the same chain,
/// address and envelope with `destinationGas(gasLimit, envelope.length)` as the execution gas limit. Receiving: any
/// relayer calls `execute(commandId, sourceChain, sourceAddress, payload)`; the adapter maps the Axelar source chain
/// to a Concord domain, parses the EVM source address, has the gateway `validateContractCall` (which consumes the
/// approval Axelar's signers gave for exactly these values and this adapter) and hands the envelope to
/// `ConcordAdapter._receive`, which accepts it only from the adapter enrolled for that domain.
/// @dev What the adapter cannot change: whatever Axelar's signers approve as sent by the enrolled adapter on a mapped
/// chain is delivered. The gateway (its signer set, its owner and operator, its upgrades) is the whole trust root of
/// inbound messages. See docs/adapters.md.
contract AxelarAdapter is IAxelarAdapter, ConcordAdapter {
    /// @notice Gas the `execute` transaction needs besides the recipient's gas limit: the intrinsic 21,000, the fixed
    /// calldata (command id, chain name, source address), the gateway's `validateContractCall` (a cold account, the
    /// approval slot rewritten), the route (chain tag, then the enrolled adapter), the address parsing, the checks, the
    /// replay bit (possibly a fresh slot), the message id, the recipient's call data, and the reserve
    /// `ConcordAdapter.POST_CALL_GAS` kept across the call. Measured in
    /// test/adapters/AxelarAdapter/AxelarAdapter.gas.t.sol (smallest margin 6,370).
    uint32 public constant DELIVERY_GAS_OVERHEAD = 108_500;

    /// @notice Destination gas per 32-byte word of the envelope: its calldata (16 per non-zero byte at most), copying
    /// and hashing it.
    uint32 public constant DELIVERY_GAS_PER_WORD = 560;

    /// @notice Divisor of the quadratic part of the destination gas, words * words / divisor: the memory `execute`
    /// expands holds several copies of the envelope (copied from calldata, decoded, hashed, re-encoded).
    uint32 public constant DELIVERY_GAS_MEMORY_DIVISOR = 30;

    /// @notice Longest Axelar chain name the adapter maps (one storage slot).
    uint256 public constant MAX_CHAIN_NAME_LENGTH = 31;

    /// @dev Length of an EVM address as Axelar carries it: "0x" and 40 hex digits.
    uint256 private constant _ADDRESS_STRING_LENGTH = 42;
    /// @dev "0x" in the two high bytes of a word.
    uint256 private constant _HEX_PREFIX = 0x3078 << 240;
    /// @dev Hex digits 33 to 40 of an address string: the first 8 bytes of a word (shift of 24 bytes).
    uint256 private constant _LAST_8_DIGITS_SHIFT = 192;
    uint256 private constant _LOW_32_BITS = 0xffffffff;
    uint256 private constant _LOW_128_BITS = type(uint128).max;
    uint256 private constant _ALL_BYTES = type(uint256).max;
    uint256 private constant _LOW_8_BYTES = type(uint64).max;
    /// @dev Nibble spreading: the low half of each 128-, 64-, 32- and 16-bit lane, then the low nibble of each byte.
    uint256 private constant _SPREAD_MASK_64 = 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff;
    uint256 private constant _SPREAD_MASK_32 = 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff;
    uint256 private constant _SPREAD_MASK_16 = 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff;
    uint256 private constant _SPREAD_MASK_8 = 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
    uint256 private constant _NIBBLE_MASK = 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
    /// @dev A byte value repeated in every byte of a word (`_BYTES_xx`: 0xxx in each byte), written out: as
    /// `_BYTES_01 * 0xxx` the legacy optimizer left the product to be computed at run time on every use.
    uint256 private constant _BYTES_01 = 0x0101010101010101010101010101010101010101010101010101010101010101;
    uint256 private constant _BYTES_06 = 0x0606060606060606060606060606060606060606060606060606060606060606;
    /// @dev 0x80 - 0x67
    uint256 private constant _BYTES_19 = 0x1919191919191919191919191919191919191919191919191919191919191919;
    /// @dev 0x80 - 0x61
    uint256 private constant _BYTES_1F = 0x1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f;
    /// @dev the ASCII lower-case bit
    uint256 private constant _BYTES_20 = 0x2020202020202020202020202020202020202020202020202020202020202020;
    uint256 private constant _BYTES_30 = 0x3030303030303030303030303030303030303030303030303030303030303030; // '0'
    /// @dev 0x80 - 0x3a
    uint256 private constant _BYTES_46 = 0x4646464646464646464646464646464646464646464646464646464646464646;
    /// @dev 0x80 - 0x30
    uint256 private constant _BYTES_50 = 0x5050505050505050505050505050505050505050505050505050505050505050;
    uint256 private constant _BYTES_80 = 0x8080808080808080808080808080808080808080808080808080808080808080;
    /// @dev 'a' - '0' - 10: what turns 10..15 + '0' into 'a'..'f'.
    uint256 private constant _LETTER_OFFSET = 0x27;

    IAxelarGateway internal immutable _GATEWAY;
    IAxelarGasService internal immutable _GAS_SERVICE;
    /// @dev The route tag (`_chainTag`) of this chain's own Axelar name.
    uint64 internal immutable _AXELAR_LOCAL_CHAIN_TAG;

    /// @dev This chain's own Axelar name (at most 31 bytes: one word, OpenZeppelin's `ShortString`).
    ShortString internal immutable _AXELAR_LOCAL_CHAIN;

    /// @dev The Axelar chain name of each domain as an OpenZeppelin `ShortString`: the name's bytes left-aligned and
    /// its length (at most `MAX_CHAIN_NAME_LENGTH`) in the low byte, one slot read with one `SLOAD` and no
    /// string-copy loop (0: none).
    mapping(uint32 domain => ShortString axelarChain) private _axelarChains;
    /// @dev Chain tag -> Concord domain (the other direction is the route's protocol domain, in the base): tags are
    /// unique among mapped chains.
    mapping(uint64 chainTag => uint32 domain) private _domains;

    /// @param gateway_ The local Axelar gateway (AxelarAmplifierGateway, behind its proxy).
    /// @param gasService_ The local AxelarGasService (behind its proxy).
    /// @param localDomain_ This Concord domain (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param defaultGasLimit_ Gas a recipient gets when the sender gives no `gasLimit` attribute.
    /// @param axelarLocalChain_ This chain's Axelar name (e.g. "ethereum"), never mapped to a remote domain.
    constructor(
        address gateway_,
        address gasService_,
        uint32 localDomain_,
        address initialAuthority,
        uint32 defaultGasLimit_,
        string memory axelarLocalChain_
    ) ConcordAdapter(localDomain_, initialAuthority, defaultGasLimit_) {
        if (gateway_.code.length == 0) revert AxelarAdapterInvalidGateway(gateway_);
        if (gasService_.code.length == 0) revert AxelarAdapterInvalidGasService(gasService_);
        uint256 length = bytes(axelarLocalChain_).length;
        if (length == 0 || length > MAX_CHAIN_NAME_LENGTH) revert AxelarAdapterInvalidChainName(axelarLocalChain_);
        _GATEWAY = IAxelarGateway(gateway_);
        _GAS_SERVICE = IAxelarGasService(gasService_);
        _AXELAR_LOCAL_CHAIN_TAG = _tagOf(keccak256(bytes(axelarLocalChain_)));
        _AXELAR_LOCAL_CHAIN = ShortStrings.toShortString(axelarLocalChain_);
    }

    /// @notice Adds the value to the sponsor balance, like `fund` (the gas service's refunds of sponsored sends land
    /// here: the adapter is their refund address).
    receive() external payable {
        emit SponsorFunded(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------------------------------------
    // Axelar
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IAxelarAdapter
    function execute(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes calldata payload
    ) external {
        // The Concord domain of the Axelar source chain, found from the envelope's stated origin and checked against
        // the chain tag kept in that domain's route (one slot, which `_receive` reads next anyway, instead of a
        // reverse-map lookup): the domain is accepted only if it is mapped to exactly this chain name's tag, and tags
        // are unique among mapped chains (`setAxelarChain`).
        uint32 domain = AdapterEnvelope.originOf(payload);
        uint256 route = _routeWordOf(domain);
        uint64 tag = _protocolDomainOfRoute(route);
        if (tag == 0 || tag != _chainTag(sourceChain)) revert AxelarAdapterUnknownAxelarChain(sourceChain);
        address originAdapter = _parseAddress(sourceAddress);
        bytes memory envelope = payload;
        // The gateway compares keccak256(commandId, sourceChain, sourceAddress, msg.sender, payloadHash) with what
        // the signers approved, then marks the command executed: a second `execute` of it fails here.
        if (!_validateContractCall(commandId, sourceChain, sourceAddress, keccak256(envelope))) {
            revert AxelarAdapterNotApprovedByGateway(commandId);
        }
        _receive(domain, originAdapter, envelope, route);
    }

    /// @dev `gateway.validateContractCall(commandId, sourceChain, sourceAddress, payloadHash)`, its call data written
    /// in one pass from calldata (the same bytes as Solidity's encoding of the call); a revert of the gateway (e.g.
    /// paused) is bubbled up, as a high-level call would; any answer but an ABI `true` is a refusal.
    function _validateContractCall(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes32 payloadHash
    ) private returns (bool valid) {
        address gateway_ = address(_GATEWAY);
        bytes4 selector = IAxelarGateway.validateContractCall.selector;
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, selector)
            mstore(add(p, 0x04), commandId)
            mstore(add(p, 0x24), 0x80)
            let chainPadded := and(add(sourceChain.length, 31), not(31))
            mstore(add(p, 0x44), add(0xa0, chainPadded))
            mstore(add(p, 0x64), payloadHash)
            let q := add(p, 0x84)
            mstore(q, sourceChain.length)
            calldatacopy(add(q, 0x20), sourceChain.offset, sourceChain.length)
            mstore(add(add(q, 0x20), sourceChain.length), 0)
            q := add(add(q, 0x20), chainPadded)
            mstore(q, sourceAddress.length)
            calldatacopy(add(q, 0x20), sourceAddress.offset, sourceAddress.length)
            mstore(add(add(q, 0x20), sourceAddress.length), 0)
            q := add(add(q, 0x20), and(add(sourceAddress.length, 31), not(31)))
            ok := call(gas(), gateway_, 0, p, sub(q, p), 0x00, 0x20)
            valid := and(ok, and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1)))
        }
        if (!ok) {
            assembly ("memory-safe") {
                let p := mload(0x40)
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Protocol hooks
    // ---------------------------------------------------------------------------------------------

    /// @dev The gas service's `estimateGasFee` of exactly what `_send` pays for: the chain, the remote adapter's
    /// address string, the envelope and `destinationGas` as the execution gas limit.
    function _quote(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit)
        internal
        view
        override
        returns (uint256 fee)
    {
        return _estimate(_axelarChainOrRevert(destination), _toHexString(remoteAdapter), envelope, gasLimit);
    }

    /// @dev Pays the gas service its estimate, then `callContract`; returns the payload hash (the `ContractCall`
    /// event's indexed `payloadHash`, unique per envelope: the envelope carries the nonce). A sponsored send comes
    /// with `fee` = `_quote` (the base quoted it); a send with value comes with the whole value (`_refundsExcess`):
    /// the estimate is made here, once, from the chain name and address string that the payment and the call use
    /// too, and only it is paid (less than it reverts `ConcordAdapterFeeTooLow`); the rest stays in this adapter
    /// until the base returns it to the caller in the same transaction. Axelar's refund address is the paying
    /// caller, or the adapter (sponsor balance) when the sponsor balance paid.
    function _send(uint32 destination, address remoteAdapter, bytes memory envelope, uint32 gasLimit, uint256 fee)
        internal
        override
        returns (bytes32 protocolMessageId)
    {
        string memory chain = _axelarChainOrRevert(destination);
        string memory destinationAddress = _toHexString(remoteAdapter);
        address refundAddress = address(this);
        if (msg.value != 0) {
            uint256 price = _estimate(chain, destinationAddress, envelope, gasLimit);
            if (fee < price) revert ConcordAdapterFeeTooLow(price, fee);
            fee = price;
            refundAddress = msg.sender;
        }
        _GAS_SERVICE.payNativeGasForContractCall{value: fee}(
            address(this), chain, destinationAddress, envelope, refundAddress
        );
        _GATEWAY.callContract(chain, destinationAddress, envelope);
        return keccak256(envelope);
    }

    /// @dev Yes, in the base's sense: a send with value hands `_send` the whole value and `_send` pays only the gas
    /// service's estimate out of it, keeping the rest in this adapter, where the base finds it and returns it to the
    /// caller in the same transaction. AxelarGasService itself refunds nothing in the transaction (it keeps whatever
    /// it is paid; Axelar refunds unused gas later, off chain, to the refund address): the adapter never pays it more
    /// than its estimate, so the caller gets the excess back at once, and the base's own quote before `_send` (a
    /// second chain-name read, address string and `estimateGasFee` call) is skipped.
    function _refundsExcess() internal pure override returns (bool) {
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IAxelarAdapter
    function setAxelarChain(uint32 domain, string calldata axelarChain) external restricted {
        uint64 tag = _chainTag(axelarChain);
        if (domain == 0 || domain == _LOCAL_DOMAIN || tag == _AXELAR_LOCAL_CHAIN_TAG) {
            revert AxelarAdapterInvalidDomainMapping(domain, axelarChain);
        }
        uint256 length = bytes(axelarChain).length;
        if (length > MAX_CHAIN_NAME_LENGTH) revert AxelarAdapterInvalidChainName(axelarChain);
        if (length == 0) {
            tag = 0;
        } else {
            uint32 holder = _domains[tag];
            if (holder != 0 && holder != domain) revert AxelarAdapterChainTaken(axelarChain, holder);
        }
        uint64 previous = _protocolDomainOf(domain);
        if (previous != 0) delete _domains[previous];
        _axelarChains[domain] = ShortStrings.toShortString(axelarChain);
        _setProtocolDomain(domain, tag);
        if (tag != 0) _domains[tag] = domain;
        emit AxelarChainSet(domain, axelarChain);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IAxelarAdapter
    function gateway() external view returns (IAxelarGateway) {
        return _GATEWAY;
    }

    /// @inheritdoc IAxelarAdapter
    function gasService() external view returns (IAxelarGasService) {
        return _GAS_SERVICE;
    }

    /// @inheritdoc IAxelarAdapter
    function axelarLocalChain() external view returns (string memory) {
        return ShortStrings.toString(_AXELAR_LOCAL_CHAIN);
    }

    /// @inheritdoc IAxelarAdapter
    function axelarChainOf(uint32 domain) external view returns (string memory) {
        return ShortStrings.toString(_axelarChains[domain]);
    }

    /// @inheritdoc IAxelarAdapter
    function domainOfAxelarChain(string calldata axelarChain) external view returns (uint32 domain) {
        domain = _domains[_chainTag(axelarChain)];
        // A tag is 64 bits of the name's hash: the domain is this name's only if its mapped name is this one.
        if (
            domain != 0
                && keccak256(bytes(ShortStrings.toString(_axelarChains[domain]))) != keccak256(bytes(axelarChain))
        ) return 0;
    }

    /// @inheritdoc IAxelarAdapter
    function destinationGas(uint32 gasLimit, uint256 envelopeLength) public pure returns (uint256) {
        // The recipient's limit and the 1/63 the adapter's EIP-150 check adds to it (the relayer's transaction calls
        // `execute` directly: no caller keeps a 1/64), the fixed overhead, and the envelope's words.
        uint256 words = (envelopeLength + 31) / 32;
        return uint256(gasLimit) + uint256(gasLimit) / 63 + DELIVERY_GAS_OVERHEAD + words * DELIVERY_GAS_PER_WORD
            + (words * words) / DELIVERY_GAS_MEMORY_DIVISOR;
    }

    /// @inheritdoc IAxelarAdapter
    function axelarAddressOf(address account) external pure returns (string memory) {
        return _toHexString(account);
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    /// @dev The estimate `_send` pays: `estimateGasFee` with `destinationGas` as the execution gas limit.
    function _estimate(string memory chain, string memory destinationAddress, bytes memory envelope, uint32 gasLimit)
        private
        view
        returns (uint256)
    {
        return
            _GAS_SERVICE.estimateGasFee(
                chain, destinationAddress, envelope, destinationGas(gasLimit, envelope.length), ""
            );
    }

    /// @dev The route tag of an Axelar chain name: the low 64 bits of its keccak256, never 0 (0 means no chain).
    function _chainTag(string calldata axelarChain) private pure returns (uint64) {
        // keccak256(bytes(axelarChain)), hashed in free memory without an allocation.
        bytes32 chainHash;
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, axelarChain.offset, axelarChain.length)
            chainHash := keccak256(p, axelarChain.length)
        }
        return _tagOf(chainHash);
    }

    function _tagOf(bytes32 chainHash) private pure returns (uint64 tag) {
        tag = uint64(uint256(chainHash));
        if (tag == 0) tag = 1;
    }

    function _axelarChainOrRevert(uint32 domain) private view returns (string memory chain) {
        chain = ShortStrings.toString(_axelarChains[domain]);
        if (bytes(chain).length == 0) revert AxelarAdapterUnknownDomain(domain);
    }

    /// @dev `account` as "0x" and 40 lowercase hex digits (what `callContract` names as the destination), all 40
    /// digits at once: the address's high 128 bits spread to one nibble per byte of a word, its low 32 bits to the
    /// first 8 bytes of the next, each nibble then turned into its ASCII digit.
    function _toHexString(address account) private pure returns (string memory s) {
        uint256 v = uint160(account);
        uint256 high = _toHexDigits(_spreadNibbles(v >> 32));
        uint256 low = _toHexDigits(_spreadNibbles(v & _LOW_32_BITS)) << _LAST_8_DIGITS_SHIFT;
        assembly ("memory-safe") {
            s := mload(0x40)
            // length word + 42 bytes, rounded up to a whole word: 0x60.
            mstore(0x40, add(s, 0x60))
            mstore(s, _ADDRESS_STRING_LENGTH)
            mstore(add(s, 0x20), _HEX_PREFIX)
            mstore(add(s, 0x22), high)
            mstore(add(s, 0x42), low)
        }
    }

    /// @dev The EVM address in `s` ("0x" and 40 hex digits, either case); reverts
    /// `AxelarAdapterInvalidSourceAddress` otherwise. The 40 digits are checked and decoded a word at a time: digits
    /// 1 to 32, then digits 33 to 40 (the rest of that word masked off).
    function _parseAddress(string calldata s) private pure returns (address account) {
        bool valid = bytes(s).length == _ADDRESS_STRING_LENGTH;
        if (valid) {
            uint256 first;
            uint256 last;
            assembly ("memory-safe") {
                let p := s.offset
                valid := eq(and(calldataload(p), shl(240, 0xffff)), _HEX_PREFIX)
                first := calldataload(add(p, 2))
                last := shr(_LAST_8_DIGITS_SHIFT, calldataload(add(p, 34)))
            }
            (bool firstValid, uint256 firstNibbles) = _fromHexDigits(first, _ALL_BYTES);
            (bool lastValid, uint256 lastNibbles) = _fromHexDigits(last, _LOW_8_BYTES);
            valid = valid && firstValid && lastValid;
            account = address(uint160((_packNibbles(firstNibbles) << 32) | _packNibbles(lastNibbles)));
        }
        if (!valid) revert AxelarAdapterInvalidSourceAddress(s);
    }

    /// @dev The low 128 bits of `x`, one nibble per byte (most significant first) across the 32 bytes of the result.
    function _spreadNibbles(uint256 x) private pure returns (uint256) {
        x = ((x << 64) | x) & _SPREAD_MASK_64;
        x = ((x << 32) | x) & _SPREAD_MASK_32;
        x = ((x << 16) | x) & _SPREAD_MASK_16;
        x = ((x << 8) | x) & _SPREAD_MASK_8;
        return ((x << 4) | x) & _NIBBLE_MASK;
    }

    /// @dev The inverse of `_spreadNibbles`: 32 bytes of one nibble each, packed into the low 128 bits.
    function _packNibbles(uint256 x) private pure returns (uint256) {
        x = ((x >> 4) | x) & _SPREAD_MASK_8;
        x = ((x >> 8) | x) & _SPREAD_MASK_16;
        x = ((x >> 16) | x) & _SPREAD_MASK_32;
        x = ((x >> 32) | x) & _SPREAD_MASK_64;
        return ((x >> 64) | x) & _LOW_128_BITS;
    }

    /// @dev Each byte's nibble (0..15) as its lowercase ASCII hex digit: '0' + n, plus 39 for n >= 10 (n + 6 carries
    /// into the byte's bit 4 exactly then). No byte carries into the next.
    function _toHexDigits(uint256 nibbles) private pure returns (uint256) {
        uint256 atLeastTen = ((nibbles + _BYTES_06) >> 4) & _BYTES_01;
        return nibbles + _BYTES_30 + atLeastTen * _LETTER_OFFSET;
    }

    /// @dev Whether every byte of `digits` selected by `mask` is an ASCII hex digit ('0'..'9', 'a'..'f', 'A'..'F'),
    /// and the nibble of each (0 where not selected). Each test adds a per-byte constant so that a byte's bit 7 says
    /// "at least this value": no byte below 0x80 carries into the next, and a byte at 0x80 or above is refused first.
    function _fromHexDigits(uint256 digits, uint256 mask) private pure returns (bool valid, uint256 nibbles) {
        digits &= mask;
        uint256 high = _BYTES_80 & mask;
        // Unchecked: a byte at 0x80 or above may carry (even out of the word); such input is refused below anyway.
        unchecked {
            uint256 isDigit = ((digits + _BYTES_50) & ~(digits + _BYTES_46)) & high; // 0x30 <= c < 0x3a
            uint256 lower = digits | _BYTES_20;
            uint256 isLetter = ((lower + _BYTES_1F) & ~(lower + _BYTES_19)) & high; // 0x61 <= (c | 0x20) < 0x67
            valid = (digits & _BYTES_80) == 0 && (isDigit | isLetter) == high;
            // '0'..'9' -> c & 0xf; 'a'..'f' and 'A'..'F' -> (c & 0xf) + 9.
            nibbles = (digits & _NIBBLE_MASK) + (isLetter >> 7) * 9;
        }
    }
}
