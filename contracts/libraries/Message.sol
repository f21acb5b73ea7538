// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Offsets of the packed message, named at file level so that inline assembly (which cannot read library constants)
// and Solidity read the same names. `Message` re-exports them.
/// @dev Concord's (and Hyperlane's) message version.
uint8 constant MESSAGE_VERSION = 3;
uint256 constant MESSAGE_VERSION_OFFSET = 0;
uint256 constant MESSAGE_NONCE_OFFSET = 1;
uint256 constant MESSAGE_ORIGIN_OFFSET = 5;
uint256 constant MESSAGE_SENDER_OFFSET = 9;
uint256 constant MESSAGE_DESTINATION_OFFSET = 41;
uint256 constant MESSAGE_RECIPIENT_OFFSET = 45;
uint256 constant MESSAGE_BODY_OFFSET = 77;
/// @dev Concord's envelope: body = gasLimit (uint32, big-endian) || payload.
uint256 constant MESSAGE_GAS_LIMIT_OFFSET = 77;
uint256 constant MESSAGE_PAYLOAD_OFFSET = 81;

/// @title Message
/// @notice Codec for Concord's wire format, byte-compatible with Hyperlane's message v3:
/// `version (uint8) | nonce (uint32) | origin (uint32) | sender (bytes32) | destination (uint32) |
///  recipient (bytes32) | body (bytes)`, packed, 77-byte header. `messageId = keccak256(message)`.
/// @dev Readers take calldata slices and never copy; callers must check `message.length >= BODY_OFFSET`
/// (see {isWellFormed}) before reading fields.
library Message {
    /// @notice Concord's (and Hyperlane's) message version.
    uint8 internal constant VERSION = MESSAGE_VERSION;

    uint256 internal constant VERSION_OFFSET = MESSAGE_VERSION_OFFSET;
    uint256 internal constant NONCE_OFFSET = MESSAGE_NONCE_OFFSET;
    uint256 internal constant ORIGIN_OFFSET = MESSAGE_ORIGIN_OFFSET;
    uint256 internal constant SENDER_OFFSET = MESSAGE_SENDER_OFFSET;
    uint256 internal constant DESTINATION_OFFSET = MESSAGE_DESTINATION_OFFSET;
    uint256 internal constant RECIPIENT_OFFSET = MESSAGE_RECIPIENT_OFFSET;
    uint256 internal constant BODY_OFFSET = MESSAGE_BODY_OFFSET;

    /// @notice Concord body envelope: `body = gasLimit (uint32, big-endian) || payload`.
    uint256 internal constant GAS_LIMIT_OFFSET = MESSAGE_GAS_LIMIT_OFFSET;
    uint256 internal constant PAYLOAD_OFFSET = MESSAGE_PAYLOAD_OFFSET;

    /// @notice Packs a message.
    function format(
        uint8 version_,
        uint32 nonce_,
        uint32 origin_,
        bytes32 sender_,
        uint32 destination_,
        bytes32 recipient_,
        bytes memory body_
    ) internal pure returns (bytes memory) {
        return abi.encodePacked(version_, nonce_, origin_, sender_, destination_, recipient_, body_);
    }

    /// @notice The message id: keccak256 of the packed message.
    function id(bytes memory message) internal pure returns (bytes32) {
        return keccak256(message);
    }

    /// @notice True when `message` is long enough to hold the fixed header.
    function isWellFormed(bytes calldata message) internal pure returns (bool) {
        return message.length >= BODY_OFFSET;
    }

    function version(bytes calldata message) internal pure returns (uint8) {
        return uint8(bytes1(message[VERSION_OFFSET:NONCE_OFFSET]));
    }

    function nonce(bytes calldata message) internal pure returns (uint32) {
        return uint32(bytes4(message[NONCE_OFFSET:ORIGIN_OFFSET]));
    }

    function origin(bytes calldata message) internal pure returns (uint32) {
        return uint32(bytes4(message[ORIGIN_OFFSET:SENDER_OFFSET]));
    }

    function sender(bytes calldata message) internal pure returns (bytes32) {
        return bytes32(message[SENDER_OFFSET:DESTINATION_OFFSET]);
    }

    function senderAddress(bytes calldata message) internal pure returns (address) {
        return bytes32ToAddress(sender(message));
    }

    function destination(bytes calldata message) internal pure returns (uint32) {
        return uint32(bytes4(message[DESTINATION_OFFSET:RECIPIENT_OFFSET]));
    }

    function recipient(bytes calldata message) internal pure returns (bytes32) {
        return bytes32(message[RECIPIENT_OFFSET:BODY_OFFSET]);
    }

    function recipientAddress(bytes calldata message) internal pure returns (address) {
        return bytes32ToAddress(recipient(message));
    }

    function body(bytes calldata message) internal pure returns (bytes calldata) {
        return message[BODY_OFFSET:];
    }

    /// @notice True when `message` holds the header and Concord's 4-byte gas limit.
    function hasEnvelope(bytes calldata message) internal pure returns (bool) {
        return message.length >= PAYLOAD_OFFSET;
    }

    /// @notice Concord envelope: the destination gas limit (first 4 body bytes). Requires {hasEnvelope}.
    function gasLimit(bytes calldata message) internal pure returns (uint32) {
        return uint32(bytes4(message[GAS_LIMIT_OFFSET:PAYLOAD_OFFSET]));
    }

    /// @notice Concord envelope: the application payload (body after the gas limit). Requires {hasEnvelope}.
    function payload(bytes calldata message) internal pure returns (bytes calldata) {
        return message[PAYLOAD_OFFSET:];
    }

    /// @notice Builds a Concord body: `gasLimit || payload`.
    function formatBody(uint32 gasLimit_, bytes memory payload_) internal pure returns (bytes memory) {
        return abi.encodePacked(gasLimit_, payload_);
    }

    /// @notice Left-pads an EVM address to 32 bytes (Hyperlane's TypeCasts convention).
    function addressToBytes32(address account) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(account)));
    }

    /// @notice Takes the low 20 bytes of a 32-byte address.
    function bytes32ToAddress(bytes32 account) internal pure returns (address) {
        return address(uint160(uint256(account)));
    }
}
