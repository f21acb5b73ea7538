// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordAdapter} from "../interfaces/IConcordAdapter.sol";

/// @title AdapterEnvelope
/// @notice The wire format of what a Concord transport adapter hands its protocol (see {IConcordAdapter.Envelope}):
/// a packed 52-byte header, then the payload.
///
/// | offset | size | field                                  |
/// |-------:|-----:|----------------------------------------|
/// |      0 |    8 | nonce (uint64, big-endian)             |
/// |      8 |   20 | sender (ERC-7786 sender on the source) |
/// |     28 |   20 | recipient (on the destination)         |
/// |     48 |    4 | gasLimit (uint32)                      |
/// |     52 |    … | payload                                |
///
/// @dev Packed rather than `abi.encode(Envelope)` (224 bytes of header): the header travels in the protocol's
/// message, its event and the relayer's calldata, and is hashed on both sides. Every reader checks the length first
/// (`HEADER_LENGTH`); the fields are read with one `mload` each, without copying the envelope.
library AdapterEnvelope {
    /// @notice Bytes before the payload.
    uint256 internal constant HEADER_LENGTH = 52;
    uint256 internal constant _NONCE_SHIFT = 192; // 256 - 64: the nonce is the first 8 bytes of the first word
    uint256 internal constant _ADDRESS_SHIFT = 96; // 256 - 160
    uint256 internal constant _GAS_LIMIT_SHIFT = 224; // 256 - 32
    uint256 internal constant _SENDER_OFFSET = 8;
    uint256 internal constant _RECIPIENT_OFFSET = 28;
    uint256 internal constant _GAS_LIMIT_OFFSET = 48;

    /// @notice The envelope of `payload` from `sender` to `recipient` with `gasLimit`, the source's `nonce`-th send.
    function encode(uint64 nonce, address sender, address recipient, uint32 gasLimit, bytes memory payload)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(nonce, sender, recipient, gasLimit, payload);
    }

    /// @notice `encode` of a decoded envelope.
    function encode(IConcordAdapter.Envelope memory e) internal pure returns (bytes memory) {
        return abi.encodePacked(e.nonce, e.sender, e.recipient, e.gasLimit, e.payload);
    }

    /// @notice The header fields of `envelope` (reverts `ConcordAdapterMalformedEnvelope` when it has no full header).
    function header(bytes memory envelope)
        internal
        pure
        returns (uint64 nonce, address sender, address recipient, uint32 gasLimit)
    {
        if (envelope.length < HEADER_LENGTH) {
            revert IConcordAdapter.ConcordAdapterMalformedEnvelope(envelope.length);
        }
        assembly ("memory-safe") {
            let p := add(envelope, 0x20)
            nonce := shr(_NONCE_SHIFT, mload(p))
            sender := shr(_ADDRESS_SHIFT, mload(add(p, _SENDER_OFFSET)))
            recipient := shr(_ADDRESS_SHIFT, mload(add(p, _RECIPIENT_OFFSET)))
            gasLimit := shr(_GAS_LIMIT_SHIFT, mload(add(p, _GAS_LIMIT_OFFSET)))
        }
    }

    /// @notice The nonce and gas limit of `envelope` (reverts `ConcordAdapterMalformedEnvelope` when it has no full header).
    function nonceAndGasLimit(bytes memory envelope) internal pure returns (uint64 nonce, uint32 gasLimit) {
        if (envelope.length < HEADER_LENGTH) revert IConcordAdapter.ConcordAdapterMalformedEnvelope(envelope.length);
        assembly ("memory-safe") {
            let p := add(envelope, 0x20)
            nonce := shr(_NONCE_SHIFT, mload(p))
            gasLimit := shr(_GAS_LIMIT_SHIFT, mload(add(p, _GAS_LIMIT_OFFSET)))
        }
    }

    /// @notice A copy of the payload of `envelope` (whose header the caller has checked).
    function payloadOf(bytes memory envelope) internal pure returns (bytes memory out) {
        uint256 length = envelope.length - HEADER_LENGTH;
        out = new bytes(length);
        assembly ("memory-safe") {
            mcopy(add(out, 0x20), add(add(envelope, 0x20), HEADER_LENGTH), length)
        }
    }

    /// @notice The whole envelope, decoded (tests, tools; the adapter reads the header fields only).
    function decode(bytes memory envelope) internal pure returns (IConcordAdapter.Envelope memory e) {
        (e.nonce, e.sender, e.recipient, e.gasLimit) = header(envelope);
        e.payload = payloadOf(envelope);
    }
}
