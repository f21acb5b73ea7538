// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IConcordGateway} from "../interfaces/IConcordGateway.sol";
import {GATEWAY_NONCE_SHIFT, GATEWAY_OUTBOUND_PAUSED, GATEWAY_UINT32_MASK} from "../libraries/GatewayLayout.sol";
import {MerkleTree} from "../libraries/MerkleTree.sol";
// Names read only by inline assembly, which solhint's no-unused-import does not see.
// solhint-disable no-unused-import
import {
    MESSAGE_DESTINATION_OFFSET,
    MESSAGE_GAS_LIMIT_OFFSET,
    MESSAGE_PAYLOAD_OFFSET,
    MESSAGE_RECIPIENT_OFFSET,
    MESSAGE_SENDER_OFFSET,
    MESSAGE_VERSION,
    Message
} from "../libraries/Message.sol";
// solhint-enable no-unused-import
import {GatewayBase} from "./GatewayBase.sol";

/// @title GatewaySource
/// @notice The sending role of the ConcordGateway: ERC-7786 `sendMessage` and native `dispatch` assign the next
/// nonce, commit the message id to the Merkle tree and emit `Dispatched` (what agents index).
abstract contract GatewaySource is GatewayBase {
    using MerkleTree for MerkleTree.Tree;

    /// @notice ERC-7786 attribute selector carrying the destination gas limit: `gasLimit(uint256)`.
    bytes4 public constant GAS_LIMIT_ATTRIBUTE = 0xce296026;

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
        (bool ok, uint256 domain, address target) = InteroperableAddress.tryParseEvmV1Calldata(recipient);
        if (!ok || target == address(0) || domain == 0 || domain > type(uint32).max) {
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
        sendId = _dispatch(uint32(domain), Message.addressToBytes32(target), gasLimit, payload);
        emit MessageSent(
            sendId, InteroperableAddress.formatEvmV1(_localDomain, msg.sender), recipient, payload, 0, attributes
        );
    }

    /// @inheritdoc IERC7786GatewaySource
    function supportsAttribute(bytes4 selector) external pure returns (bool) {
        return selector == GAS_LIMIT_ATTRIBUTE;
    }

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
        return uint32(_core >> GATEWAY_NONCE_SHIFT);
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

    /// @dev Shared send path. Not reentrancy-locked on purpose: a recipient must be able to send (replies, acks,
    /// a remote executor bridging tokens) while being delivered; `_dispatch` makes no external call and only
    /// touches the nonce bits of `_core` and the tree, which `process`/`retry` never write.
    function _dispatch(uint32 destination, bytes32 recipient, uint32 gasLimit, bytes calldata payload)
        private
        returns (bytes32 messageId)
    {
        uint256 core = _core;
        if (core & GATEWAY_OUTBOUND_PAUSED != 0) revert ConcordGatewayOutboundPaused();
        uint256 bodySize = payload.length + 4;
        if (bodySize > _maxBodySize) revert ConcordGatewayBodyTooLarge(bodySize, _maxBodySize);
        uint256 index = (core >> GATEWAY_NONCE_SHIFT) & GATEWAY_UINT32_MASK;
        // Leaf index 2**32 - 1 is never used, so the count always fits in 32 bits.
        if (index >= MerkleTree.MAX_LEAVES) revert ConcordGatewayNonceExhausted();
        // Effects: the nonce increment only touches bits [160,192) (no carry: index < 2**32 - 1).
        _core = core + (1 << GATEWAY_NONCE_SHIFT);
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
            let length := add(MESSAGE_PAYLOAD_OFFSET, payload.length)
            mstore(eventData, 0x20)
            mstore(add(eventData, 0x20), length)
            let p := add(eventData, 0x40)
            // word 0: version (byte 0) | nonce (bytes 1-4) | origin (bytes 5-8), the rest overwritten below
            mstore(p, or(shl(248, MESSAGE_VERSION), or(shl(216, index), shl(184, localDomain_))))
            mstore(add(p, MESSAGE_SENDER_OFFSET), caller()) // 12 zero bytes + the 20-byte sender
            mstore(add(p, MESSAGE_DESTINATION_OFFSET), shl(224, and(destination, 0xffffffff)))
            mstore(add(p, MESSAGE_RECIPIENT_OFFSET), recipient)
            mstore(add(p, MESSAGE_GAS_LIMIT_OFFSET), shl(224, and(gasLimit, 0xffffffff)))
            calldatacopy(add(p, MESSAGE_PAYLOAD_OFFSET), payload.offset, payload.length)
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
}
