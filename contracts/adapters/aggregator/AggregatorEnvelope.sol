// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITransportAggregator} from "../../interfaces/ITransportAggregator.sol";

/// @title AggregatorEnvelope
/// @notice The wire format of a `TransportAggregator` leg, packed: `nonce (8) | origin (4) | destination (4) |
/// version (8) | sender (20) | recipient (20) | gasLimit (4) | declaredValue (32) | payload`, a 100-byte header.
library AggregatorEnvelope {
    uint256 internal constant NONCE_OFFSET = 0;
    uint256 internal constant ORIGIN_OFFSET = 8;
    uint256 internal constant DESTINATION_OFFSET = 12;
    uint256 internal constant VERSION_OFFSET = 16;
    uint256 internal constant SENDER_OFFSET = 24;
    uint256 internal constant RECIPIENT_OFFSET = 44;
    uint256 internal constant GAS_LIMIT_OFFSET = 64;
    uint256 internal constant VALUE_OFFSET = 68;
    uint256 internal constant HEADER_LENGTH = 100;

    /// @dev The envelope of `e`.
    function encode(ITransportAggregator.Envelope memory e) internal pure returns (bytes memory) {
        return abi.encodePacked(
            e.nonce, e.origin, e.destination, e.version, e.sender, e.recipient, e.gasLimit, e.declaredValue, e.payload
        );
    }

    /// @dev Decodes an envelope of at least `HEADER_LENGTH` bytes (the caller checks the length).
    function decode(bytes calldata envelope) internal pure returns (ITransportAggregator.Envelope memory e) {
        e.nonce = nonceOf(envelope);
        (e.origin, e.destination) = routeOf(envelope);
        e.version = versionOf(envelope);
        e.sender = senderOf(envelope);
        e.recipient = recipientOf(envelope);
        e.gasLimit = gasLimitOf(envelope);
        e.declaredValue = declaredValueOf(envelope);
        e.payload = payloadOf(envelope);
    }

    function nonceOf(bytes calldata envelope) internal pure returns (uint64) {
        return uint64(bytes8(envelope[NONCE_OFFSET:ORIGIN_OFFSET]));
    }

    function routeOf(bytes calldata envelope) internal pure returns (uint32 origin, uint32 destination) {
        origin = uint32(bytes4(envelope[ORIGIN_OFFSET:DESTINATION_OFFSET]));
        destination = uint32(bytes4(envelope[DESTINATION_OFFSET:VERSION_OFFSET]));
    }

    function versionOf(bytes calldata envelope) internal pure returns (uint64) {
        return uint64(bytes8(envelope[VERSION_OFFSET:SENDER_OFFSET]));
    }

    function senderOf(bytes calldata envelope) internal pure returns (address) {
        return address(bytes20(envelope[SENDER_OFFSET:RECIPIENT_OFFSET]));
    }

    function recipientOf(bytes calldata envelope) internal pure returns (address) {
        return address(bytes20(envelope[RECIPIENT_OFFSET:GAS_LIMIT_OFFSET]));
    }

    function gasLimitOf(bytes calldata envelope) internal pure returns (uint32) {
        return uint32(bytes4(envelope[GAS_LIMIT_OFFSET:VALUE_OFFSET]));
    }

    function declaredValueOf(bytes calldata envelope) internal pure returns (uint256) {
        return uint256(bytes32(envelope[VALUE_OFFSET:HEADER_LENGTH]));
    }

    function payloadOf(bytes calldata envelope) internal pure returns (bytes calldata) {
        return envelope[HEADER_LENGTH:];
    }

    /// @dev The gas limit of an envelope in memory.
    function gasLimitOfMemory(bytes memory envelope) internal pure returns (uint32 g) {
        assembly ("memory-safe") {
            g := shr(224, mload(add(add(envelope, 0x20), 64)))
        }
    }
}
