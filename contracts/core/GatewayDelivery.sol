// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../interfaces/IConcordGateway.sol";
import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
// Names read only by inline assembly, which solhint's no-unused-import does not see.
// solhint-disable no-unused-import
import {
    ERROR_ALREADY_DELIVERED,
    ERROR_INBOUND_PAUSED,
    ERROR_INSUFFICIENT_GAS,
    ERROR_MALFORMED_MESSAGE,
    ERROR_NON_EVM_ADDRESS,
    ERROR_PRIVILEGED_RECIPIENT,
    ERROR_ROUTE_PAUSED,
    ERROR_UNKNOWN_ORIGIN,
    ERROR_UNSUPPORTED_VERSION,
    ERROR_VERIFICATION_FAILED,
    ERROR_WRONG_DESTINATION,
    GATEWAY_ADDRESS_MASK,
    GATEWAY_CALL_GAS_MARGIN,
    GATEWAY_FILTER_BITS,
    GATEWAY_FILTER_SHIFT,
    GATEWAY_GETTER_GAS,
    GATEWAY_INBOUND_PAUSED,
    GATEWAY_INSTANCE_MASK,
    GATEWAY_INSTANCE_SHIFT,
    GATEWAY_MAX_REVERT_DATA,
    GATEWAY_RECEIPT_INDEX_MASK,
    GATEWAY_RECEIPT_INSTANCE_SHIFT,
    GATEWAY_RECEIPT_ORIGIN_SHIFT,
    GATEWAY_RECEIPT_WORD_SHIFT,
    GATEWAY_ROUTE_PAUSED,
    GATEWAY_UINT32_MASK,
    SELECTOR_ISM_GETTER,
    SELECTOR_ORIGIN_GATEWAY_FOR,
    SELECTOR_RECEIVE_MESSAGE,
    SELECTOR_VERIFY
} from "../libraries/GatewayLayout.sol";
import {
    MESSAGE_DESTINATION_OFFSET,
    MESSAGE_GAS_LIMIT_OFFSET,
    MESSAGE_NONCE_OFFSET,
    MESSAGE_ORIGIN_OFFSET,
    MESSAGE_PAYLOAD_OFFSET,
    MESSAGE_RECIPIENT_OFFSET,
    MESSAGE_SENDER_OFFSET,
    MESSAGE_VERSION,
    MESSAGE_VERSION_OFFSET,
    Message
} from "../libraries/Message.sol";
// solhint-enable no-unused-import
import {GatewayBase} from "./GatewayBase.sol";

/// @title GatewayDelivery
/// @notice The receiving role of the ConcordGateway: `process` verifies a message and delivers it once, `retry`
/// re-executes a FAILED one with at least its gas limit, and the status views read the delivery records.
///
/// Delivery records (the no-collision argument, also in docs/gateway.md):
/// - Route path (the recipient names no verifier of its own, or names the route's): the route verifier
///   authenticates exactly the origin gateway enrolled for the origin (`setRoute` checks `originGatewayFor`), and an
///   origin gateway never assigns a nonce twice, so (origin, instance of that gateway, nonce) names ONE message. Its
///   record is the DELIVERED bit of that triple; only that message can set it.
/// - Named path (the recipient names another verifier, possibly a permissive one): the record is keyed by the
///   message id, so only the message itself can write it. The named verifier must report the enrolled origin
///   gateway, and the path also sets the triple's CLAIMED bit (a hint, writable by anyone, never a record).
/// - Each path reads the other's record: the named path refuses a triple already DELIVERED; the route path, on a
///   CLAIMED triple, reads the id record. Whatever verifier accepts a forged message, it can only write records of
///   its own id and hints, so no genuine message becomes undeliverable, and none is delivered twice.
/// - Instances are assigned once per (origin, origin gateway) and never reused, so no route change re-opens a
///   record: replacing the origin gateway and enrolling it again restores its instance.
abstract contract GatewayDelivery is GatewayBase {
    /// @dev The delivery lock, in transient storage (cleared at the end of every transaction).
    uint256 private transient _deliveryLock;

    /// @dev One transient lock over `process` and `retry` (v4-core `Lock` style): a recipient or verifier that
    /// re-enters either reverts `ConcordGatewayReentrantCall` (its own call fails; the outer message is FAILED or the
    /// whole delivery reverts). `dispatch` is not locked (see `GatewaySource`).
    modifier nonReentrant() {
        if (_deliveryLock != 0) revert ConcordGatewayReentrantCall();
        _deliveryLock = 1;
        _;
        _deliveryLock = 0;
    }

    /// @notice Revert/return data copied (and hashed) on failure is truncated to this many bytes.
    uint256 public constant MAX_REVERT_DATA = GATEWAY_MAX_REVERT_DATA;

    /// @notice Gas given to the recipient's `interchainSecurityModule()` and a named verifier's `originGatewayFor`.
    uint256 public constant VERIFIER_GETTER_GAS = GATEWAY_GETTER_GAS;

    /// @notice Gas kept aside for the CALL opcode's own cost when checking that the callee receives the gas it is
    /// owed after EIP-150's 63/64 rule.
    uint256 public constant CALL_GAS_MARGIN = GATEWAY_CALL_GAS_MARGIN;

    // Three hand-written hot-path functions (`process`, `_prepare`, `_deliver`), each kept in one piece for gas.
    // solhint-disable function-max-lines
    /// @inheritdoc IConcordGateway
    /// @dev Checks and the verifier choice (`_prepare`, shared with `retry`), then the delivery record (effects),
    /// then the verifier's `verify` and the recipient (interactions; `_deliver` is shared with `retry`).
    /// `nonReentrant` covers `process` and `retry` together.
    function process(bytes calldata metadata, bytes calldata message) external nonReentrant {
        // ---- Checks, and the verifier choice (read-only calls) ----
        (uint256 routeWord, address verifier, bool named) = _prepare(message);
        bytes32 messageId;
        assembly ("memory-safe") {
            let ptr := mload(0x40) // scratch copy, not allocated (reused below)
            calldatacopy(ptr, message.offset, message.length)
            messageId := keccak256(ptr, message.length)
        }

        // ---- Effects: the delivery record, before any call that can change state ----
        {
            // The receipt word of (origin, instance, nonce): the key is `_receiptKey`'s, the bits as in GatewayLayout.
            bytes32 slot;
            uint256 word;
            uint256 deliveredBit;
            uint256 origin_;
            assembly ("memory-safe") {
                origin_ := shr(224, calldataload(add(message.offset, MESSAGE_ORIGIN_OFFSET)))
                let nonce_ := shr(224, calldataload(add(message.offset, MESSAGE_NONCE_OFFSET)))
                let instance := and(shr(GATEWAY_INSTANCE_SHIFT, routeWord), GATEWAY_UINT32_MASK)
                mstore(
                    0x00,
                    or(
                        shl(GATEWAY_RECEIPT_ORIGIN_SHIFT, origin_),
                        or(shl(GATEWAY_RECEIPT_INSTANCE_SHIFT, instance), shr(GATEWAY_RECEIPT_WORD_SHIFT, nonce_))
                    )
                )
                mstore(0x20, _receipts.slot)
                slot := keccak256(0x00, 0x40)
                word := sload(slot)
                deliveredBit := shl(shl(1, and(nonce_, GATEWAY_RECEIPT_INDEX_MASK)), 1)
            }
            if (named) {
                // Named path: the id record (only this message can write it) and the CLAIMED hint.
                _requireBound(verifier, uint32(origin_));
                if (word & deliveredBit != 0 || _deliveredIds[messageId]) _revertAlreadyDelivered(messageId);
                _deliveredIds[messageId] = true;
                if (word & (deliveredBit << 1) == 0) _setWord(slot, word | (deliveredBit << 1));
            } else {
                // Route path: the DELIVERED bit (only the genuine message of this nonce can write it); a CLAIMED
                // hint sends it to the id record as well.
                assembly ("memory-safe") {
                    let seen := and(word, deliveredBit)
                    if and(word, shl(1, deliveredBit)) {
                        mstore(0x00, messageId)
                        mstore(0x20, _deliveredIds.slot)
                        seen := or(seen, sload(keccak256(0x00, 0x40)))
                    }
                    if seen {
                        mstore(0x00, shl(224, ERROR_ALREADY_DELIVERED))
                        mstore(0x04, messageId)
                        revert(0x00, 0x24)
                    }
                    sstore(slot, or(word, deliveredBit))
                }
            }
        }

        // ---- Interactions ----
        // verifier.verify(metadata, message) must return exactly one word equal to 1 (ABI `true`). Its canonical
        // ABI encoding is built at the free memory pointer (not allocated):
        //   selector | 0x40 | offset(message) | metadata.length | metadata | message.length | message
        // each copy followed by a zero word so the padding to the 32-byte boundary is zero.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let metaPadded := and(add(metadata.length, 31), not(31))
            mstore(ptr, shl(224, SELECTOR_VERIFY))
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
            // At most 32 bytes of return data are copied. (Yul evaluates arguments right to left, so the call is its
            // own statement before the return-data checks.)
            let ok := call(gas(), verifier, 0, ptr, sub(p, ptr), 0x00, 0x20)
            if iszero(and(ok, and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1)))) {
                mstore(0x00, shl(224, ERROR_VERIFICATION_FAILED))
                mstore(0x04, verifier)
                revert(0x00, 0x24)
            }
        }
        _deliver(messageId, _gasLimitOf(message), message);
    }

    /// @inheritdoc IConcordGateway
    function retry(bytes calldata message, uint32 gasLimit) external nonReentrant {
        // ---- Checks ----
        bytes32 messageId = _messageIdOf(message);
        if (_failures[messageId] == bytes32(0)) revert ConcordGatewayNotFailed(messageId);
        // Configuration may have changed since the failure: pauses and privileged addresses are checked now, and
        // the verifier that applies now is asked (`authorizeRetry`).
        (, address verifier,) = _prepare(message);
        uint32 messageGasLimit = _gasLimitOf(message);
        if (gasLimit < messageGasLimit) revert ConcordGatewayRetryGasBelowLimit(messageGasLimit, gasLimit);

        // ---- Effects: clear the failure first; `_deliver` records it again if the recipient fails again ----
        delete _failures[messageId];

        // ---- Interactions ----
        if (!IConcordVerifier(verifier).authorizeRetry(message)) revert ConcordGatewayRetryRefused(verifier);
        bool success = _deliver(messageId, gasLimit, message);
        emit Retried(messageId, Message.origin(message), msg.sender, gasLimit, success);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IConcordGateway
    function verifierFor(address recipient, uint32 origin) external view returns (address verifier) {
        uint256 routeWord = _routes[origin];
        if (_instanceOf(routeWord) == 0) return address(0);
        (verifier,) = _selectVerifier(recipient, routeWord);
    }

    /// @inheritdoc IConcordGateway
    function delivered(uint32 origin, uint32 nonce_) public view returns (bool) {
        return deliveredAt(origin, _instanceOf(_routes[origin]), nonce_);
    }

    /// @inheritdoc IConcordGateway
    function deliveredAt(uint32 origin, uint32 instance, uint32 nonce_) public view returns (bool) {
        if (instance == 0) return false;
        uint256 word = _receipts[_receiptKey(origin, instance, nonce_)];
        return (word >> (2 * (nonce_ & GATEWAY_RECEIPT_INDEX_MASK))) & 1 == 1;
    }

    /// @inheritdoc IConcordGateway
    function deliveredById(bytes32 messageId) external view returns (bool) {
        return _deliveredIds[messageId];
    }

    /// @inheritdoc IConcordGateway
    function status(bytes calldata message) external view returns (MessageStatus) {
        if (message.length < MESSAGE_PAYLOAD_OFFSET) return MessageStatus.NONE;
        bytes32 messageId = keccak256(message);
        if (_failures[messageId] != bytes32(0)) return MessageStatus.FAILED;
        if (_deliveredIds[messageId]) return MessageStatus.EXECUTED;
        return delivered(Message.origin(message), Message.nonce(message)) ? MessageStatus.EXECUTED : MessageStatus.NONE;
    }

    /// @inheritdoc IConcordGateway
    function failedRevertDataHash(bytes32 messageId) external view returns (bytes32) {
        return _failures[messageId];
    }

    // ---------------------------------------------------------------------------------------------
    // Delivery steps (each written once; `process` and `retry` share them)
    // ---------------------------------------------------------------------------------------------

    /// @dev The checks `process` and `retry` share, then the verifier choice:
    /// 1. header: length, version, destination, EVM-shaped sender and recipient words;
    /// 2. route: the origin has a route, inbound traffic and the route are not paused, the recipient holds no role
    ///    (an enrolled route word mirrors the gateway-wide inbound flag and the privileged filter, so one slot is
    ///    read; a filter hit is confirmed by `_privilegedRefs`);
    /// 3. verifier: the recipient's own (`named`), else the route's (`_selectVerifier`); the getter must get its
    ///    full budget (EIP-150), or a caller could starve it into the route's verifier.
    /// One assembly block (each revert raises the custom error named in `GatewayLayout`): the Solidity form of these
    /// checks costs about 1,000 gas more per message.
    function _prepare(bytes calldata message) private view returns (uint256 routeWord, address verifier, bool named) {
        uint32 localDomain_ = _localDomain;
        assembly ("memory-safe") {
            function fail1(selector, argument) {
                mstore(0x00, shl(224, selector))
                mstore(0x04, argument)
                revert(0x00, 0x24)
            }
            // 1. Header
            if lt(message.length, MESSAGE_PAYLOAD_OFFSET) { fail1(ERROR_MALFORMED_MESSAGE, message.length) }
            let version := shr(248, calldataload(add(message.offset, MESSAGE_VERSION_OFFSET)))
            if iszero(eq(version, MESSAGE_VERSION)) { fail1(ERROR_UNSUPPORTED_VERSION, version) }
            let destination := shr(224, calldataload(add(message.offset, MESSAGE_DESTINATION_OFFSET)))
            if iszero(eq(destination, localDomain_)) { fail1(ERROR_WRONG_DESTINATION, destination) }
            let recipientWord := calldataload(add(message.offset, MESSAGE_RECIPIENT_OFFSET))
            if shr(160, recipientWord) { fail1(ERROR_NON_EVM_ADDRESS, recipientWord) }
            let senderWord := calldataload(add(message.offset, MESSAGE_SENDER_OFFSET))
            if shr(160, senderWord) { fail1(ERROR_NON_EVM_ADDRESS, senderWord) }
            let recipient := recipientWord
            let origin_ := shr(224, calldataload(add(message.offset, MESSAGE_ORIGIN_OFFSET)))
            // 2. Route
            mstore(0x00, origin_)
            mstore(0x20, _routes.slot)
            routeWord := sload(keccak256(0x00, 0x40))
            if iszero(and(routeWord, GATEWAY_INSTANCE_MASK)) { fail1(ERROR_UNKNOWN_ORIGIN, origin_) }
            if and(routeWord, GATEWAY_INBOUND_PAUSED) {
                mstore(0x00, shl(224, ERROR_INBOUND_PAUSED))
                revert(0x00, 0x04)
            }
            if and(routeWord, GATEWAY_ROUTE_PAUSED) { fail1(ERROR_ROUTE_PAUSED, origin_) }
            if eq(recipient, address()) { fail1(ERROR_PRIVILEGED_RECIPIENT, recipient) }
            if and(shr(add(GATEWAY_FILTER_SHIFT, mod(recipient, GATEWAY_FILTER_BITS)), routeWord), 1) {
                mstore(0x00, recipient)
                mstore(0x20, _privilegedRefs.slot)
                if sload(keccak256(0x00, 0x40)) { fail1(ERROR_PRIVILEGED_RECIPIENT, recipient) }
            }
            // 3. Gas for the verifier getter
            let g := gas()
            if lt(sub(g, div(g, 64)), add(GATEWAY_GETTER_GAS, GATEWAY_CALL_GAS_MARGIN)) {
                mstore(0x00, shl(224, ERROR_INSUFFICIENT_GAS))
                mstore(0x04, add(GATEWAY_GETTER_GAS, GATEWAY_CALL_GAS_MARGIN))
                mstore(0x24, g)
                revert(0x00, 0x44)
            }
            // 4. Verifier (the rule of `_selectVerifier`, inlined here for gas)
            let routeVerifier := and(routeWord, GATEWAY_ADDRESS_MASK)
            mstore(0x00, shl(224, SELECTOR_ISM_GETTER))
            if staticcall(GATEWAY_GETTER_GAS, recipient, 0x00, 0x04, 0x00, 0x20) {
                if gt(returndatasize(), 0x1f) {
                    let candidate := mload(0x00)
                    if iszero(shr(160, candidate)) {
                        if extcodesize(candidate) {
                            verifier := candidate
                            named := iszero(eq(candidate, routeVerifier))
                        }
                    }
                }
            }
            if iszero(verifier) { verifier := routeVerifier }
        }
    }

    /// @dev Stores `word` at `slot` (a receipt word).
    function _setWord(bytes32 slot, uint256 word) private {
        assembly ("memory-safe") {
            sstore(slot, word)
        }
    }

    /// @dev keccak256 of `message`, hashed from a scratch copy at the free memory pointer (not allocated).
    function _messageIdOf(bytes calldata message) private pure returns (bytes32 id) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, message.offset, message.length)
            id := keccak256(ptr, message.length)
        }
    }

    /// @dev The message's own gas limit (first 4 body bytes; the length was checked by `_prepare`).
    function _gasLimitOf(bytes calldata message) private pure returns (uint32 gasLimit) {
        assembly ("memory-safe") {
            gasLimit := shr(224, calldataload(add(message.offset, MESSAGE_GAS_LIMIT_OFFSET)))
        }
    }

    /// @dev A verifier the recipient named must authenticate the origin gateway enrolled for `origin` (read with
    /// `GATEWAY_GETTER_GAS`; a revert, a short answer or another gateway is a mismatch).
    function _requireBound(address verifier, uint32 origin_) private view {
        bytes32 reported;
        assembly ("memory-safe") {
            mstore(0x00, shl(224, SELECTOR_ORIGIN_GATEWAY_FOR))
            mstore(0x04, origin_)
            if staticcall(GATEWAY_GETTER_GAS, verifier, 0x00, 0x24, 0x00, 0x20) {
                if gt(returndatasize(), 0x1f) { reported := mload(0x00) }
            }
        }
        if (reported == bytes32(0) || reported != bytes32(uint256(uint160(_originGateways[origin_])))) {
            revert ConcordGatewayVerifierGatewayMismatch(verifier, origin_, reported);
        }
    }

    function _revertAlreadyDelivered(bytes32 messageId) private pure {
        assembly ("memory-safe") {
            mstore(0x00, shl(224, ERROR_ALREADY_DELIVERED))
            mstore(0x04, messageId)
            revert(0x00, 0x24)
        }
    }

    /// @dev The delivery itself, for `process` and `retry`: calls
    /// `recipient.receiveMessage(messageId, formatEvmV1(origin, sender), payload)` with exactly `gasLimit` and no
    /// value, then records the outcome (`Executed`, or FAILED with the bounded revert data). Origin, sender and
    /// recipient are read from the (already checked) message.
    /// EIP-150: if the recipient would receive less than `gasLimit`, the whole transaction reverts
    /// (`ConcordGatewayInsufficientGas`, nothing recorded), so a caller can never turn a good message into FAILED.
    /// Calldata, built at the free memory pointer (not allocated):
    ///   selector | messageId | 0x60 | 0xa0 | 26 + L | sender (one word) | payload.length | payload
    ///   sender = 0x0001 0000 | L | origin (L bytes, minimal big-endian) | 0x14 | address, L in 1..4
    /// (byte-identical to OpenZeppelin's `InteroperableAddress.formatEvmV1`; fuzzed in the tests).
    /// Success = the call succeeded and returned the word `receiveMessage.selector` (at most 32 bytes copied).
    function _deliver(bytes32 messageId, uint256 gasLimit, bytes calldata message) private returns (bool success) {
        uint256 origin_;
        assembly ("memory-safe") {
            origin_ := shr(224, calldataload(add(message.offset, MESSAGE_ORIGIN_OFFSET)))
            let ptr := mload(0x40)
            let len := add(1, add(gt(origin_, 0xff), add(gt(origin_, 0xffff), gt(origin_, 0xffffff))))
            let shift := mul(8, len)
            mstore(ptr, shl(224, SELECTOR_RECEIVE_MESSAGE))
            mstore(add(ptr, 0x04), messageId)
            mstore(add(ptr, 0x24), 0x60)
            mstore(add(ptr, 0x44), 0xa0)
            mstore(add(ptr, 0x64), add(26, len))
            mstore(
                add(ptr, 0x84),
                or(
                    or(shl(224, 0x00010000), shl(216, len)),
                    or(
                        shl(sub(216, shift), origin_),
                        or(
                            shl(sub(208, shift), 0x14),
                            // the sender word is a clean address (checked by `_prepare`)
                            shl(sub(48, shift), calldataload(add(message.offset, MESSAGE_SENDER_OFFSET)))
                        )
                    )
                )
            )
            let payloadLength := sub(message.length, MESSAGE_PAYLOAD_OFFSET)
            mstore(add(ptr, 0xa4), payloadLength)
            calldatacopy(add(ptr, 0xc4), add(message.offset, MESSAGE_PAYLOAD_OFFSET), payloadLength)
            mstore(add(add(ptr, 0xc4), payloadLength), 0)
            let g := gas()
            if lt(sub(g, div(g, 64)), add(gasLimit, GATEWAY_CALL_GAS_MARGIN)) {
                mstore(0x00, shl(224, ERROR_INSUFFICIENT_GAS))
                mstore(0x04, add(gasLimit, GATEWAY_CALL_GAS_MARGIN))
                mstore(0x24, g)
                revert(0x00, 0x44)
            }
            let size := add(0xc4, and(add(payloadLength, 31), not(31)))
            // the recipient word is a clean address (checked by `_prepare`)
            success := call(
                gasLimit,
                calldataload(add(message.offset, MESSAGE_RECIPIENT_OFFSET)),
                0,
                ptr,
                size,
                0x00,
                0x20
            )
            success := and(
                success,
                and(gt(returndatasize(), 0x1f), eq(mload(0x00), shl(224, SELECTOR_RECEIVE_MESSAGE)))
            )
        }
        if (success) {
            emit Executed(messageId, uint32(origin_));
        } else {
            (bytes32 revertDataHash, bytes memory revertData) = _boundedReturnData();
            _failures[messageId] = revertDataHash;
            emit ExecutionFailed(messageId, uint32(origin_), revertDataHash, revertData);
        }
    }

    // solhint-enable function-max-lines

    /// @dev Copies at most `MAX_REVERT_DATA` bytes of the last call's return data and hashes them. The hash of the
    /// (possibly empty) copy is never zero, so it doubles as the FAILED marker. OpenZeppelin's
    /// `LowLevelCall.returnData()` copies the whole buffer (a 1 MB revert would cost millions of gas in memory
    /// expansion), hence this bounded variant.
    function _boundedReturnData() private pure returns (bytes32 hash, bytes memory data) {
        assembly ("memory-safe") {
            let size := returndatasize()
            if gt(size, GATEWAY_MAX_REVERT_DATA) { size := GATEWAY_MAX_REVERT_DATA }
            data := mload(0x40)
            mstore(data, size)
            returndatacopy(add(data, 0x20), 0x00, size)
            mstore(0x40, add(data, and(add(add(size, 0x20), 31), not(31))))
            hash := keccak256(add(data, 0x20), size)
        }
    }
}
