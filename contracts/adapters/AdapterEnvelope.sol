// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {IConcordAdapter} from "../interfaces/IConcordAdapter.sol";

/// @title AdapterEnvelope
/// @notice The wire format of what a Concord transport adapter hands its protocol (see {IConcordAdapter.Envelope}):
/// a packed 56-byte header, then the payload.
///
/// | offset | size | field                                              |
/// |-------:|-----:|----------------------------------------------------|
/// |      0 |    8 | nonce (uint64, big-endian)                         |
/// |      8 |    4 | origin (uint32: the source's Concord domain)       |
/// |     12 |   20 | sender (ERC-7786 sender on the source)             |
/// |     32 |   20 | recipient (on the destination)                     |
/// |     52 |    4 | gasLimit (uint32)                                  |
/// |     56 |    … | payload                                            |
///
/// @dev Packed rather than `abi.encode(Envelope)` (224 bytes of header): the header travels in the protocol's
/// message, its event and the relayer's calldata, and is hashed on both sides. Every reader checks the length first
/// (`HEADER_LENGTH`); the fields are read with one `mload` each, without copying the envelope. The origin is what the
/// source adapter states; a destination accepts it only when it is the domain that the protocol's authenticated
/// source maps to (`ConcordAdapter._receive` requires it to equal the origin the protocol adapter passes).
library AdapterEnvelope {
    /// @notice Bytes before the payload.
    uint256 internal constant HEADER_LENGTH = 56;
    /// @notice Free memory `encodeWithHeadroom` leaves before the envelope: the six head words of the message id
    /// preimage (`abi.encode(version, origin, originAdapter, destination, destinationAdapter, envelope)`).
    uint256 internal constant HEADROOM = 0xc0;
    uint256 internal constant _ORIGIN_OFFSET = 8;
    uint256 internal constant _SENDER_OFFSET = 12;
    uint256 internal constant _RECIPIENT_OFFSET = 32;
    uint256 internal constant _GAS_LIMIT_OFFSET = 52;
    uint256 internal constant _UINT64_SHIFT = 192; // 256 - 64: a uint64 in a word's first 8 bytes
    uint256 internal constant _UINT32_SHIFT = 224; // 256 - 32
    uint256 internal constant _ADDRESS_SHIFT = 96; // 256 - 160
    uint256 internal constant _ADDRESS_MASK = 0x00ffffffffffffffffffffffffffffffffffffffff;
    /// @dev `receiveMessage` call data: selector, message id, two offsets, then the sender and the payload. The head
    /// before the payload bytes: 4 + 32 * 6 (id, two offsets, sender length, sender word, payload length).
    uint256 internal constant _CALL_HEAD = 196;
    uint256 internal constant _SENDER_OFFSET_IN_CALL = 0x60;
    uint256 internal constant _PAYLOAD_OFFSET_IN_CALL = 0xa0;
    /// @dev ERC-7930 v1, chain type eip155 (`0x0001` `0x0000`), then the chain reference length byte.
    uint256 internal constant _ERC7930_EVM_V1_PREFIX = 0x00010000;
    uint256 internal constant _EVM_ADDRESS_LENGTH = 20;
    /// @dev ERC-7930 v1 layout: version (2 bytes), chain type (2), chain reference length (1) at byte 4, the chain
    /// reference from byte 5, then the address length (1) and the address.
    uint256 internal constant _ERC7930_HEAD_SHIFT = 216; // 256 - 8 * 5: the first five bytes of a word
    uint256 internal constant _ERC7930_REFERENCE_OFFSET = 5;
    uint256 internal constant _ERC7930_FIXED_LENGTH = 6; // the five head bytes and the address length byte
    uint256 internal constant _MAX_CHAIN_REFERENCE_LENGTH = 32;

    /// @notice The envelope of `payload` from `sender` on `origin` to `recipient` with `gasLimit`, the source's
    /// `nonce`-th send to that destination.
    function encode(
        uint64 nonce,
        uint32 origin,
        address sender,
        address recipient,
        uint32 gasLimit,
        bytes memory payload
    ) internal pure returns (bytes memory) {
        return abi.encodePacked(nonce, origin, sender, recipient, gasLimit, payload);
    }

    /// @notice `encode(nonce, originDomain, sender, recipient, gasLimit, payload)` for a payload in calldata, written
    /// in one pass (header words, then the payload copied once, its padding zeroed) after `HEADROOM` bytes of free
    /// memory that the caller may use for what goes before the envelope when it is hashed or sent (the message id
    /// preimage's head: `messageIdInPlace`).
    function encodeWithHeadroom(
        uint64 nonce,
        uint32 originDomain,
        address sender,
        address recipient,
        uint32 gasLimit,
        bytes calldata payload
    ) internal pure returns (bytes memory envelope) {
        assembly ("memory-safe") {
            envelope := add(mload(0x40), HEADROOM)
            let length := add(HEADER_LENGTH, payload.length)
            mstore(envelope, length)
            let p := add(envelope, 0x20)
            // Types narrower than a word may come with dirty high bits: each field is masked to its width.
            mstore(
                p,
                or(
                    shl(_UINT64_SHIFT, and(nonce, 0xffffffffffffffff)),
                    or(shl(160, and(originDomain, 0xffffffff)), and(sender, _ADDRESS_MASK))
                )
            )
            mstore(
                add(p, _RECIPIENT_OFFSET),
                or(shl(_ADDRESS_SHIFT, and(recipient, _ADDRESS_MASK)), shl(64, and(gasLimit, 0xffffffff)))
            )
            calldatacopy(add(p, HEADER_LENGTH), payload.offset, payload.length)
            let end := add(p, length)
            // The padding up to the next word is zero (the id preimage hashes it, as `abi.encode` pads with zeros).
            mstore(end, 0)
            mstore(0x40, and(add(end, 31), not(31)))
        }
    }

    /// @notice `keccak256(abi.encode(version, originDomain, originAdapter, destination, destinationAdapter, envelope))`
    /// of an envelope from `encodeWithHeadroom` (whose `HEADROOM` bytes before it it writes the head into, and whose
    /// padding is zero): the preimage is built in place, without copying the envelope.
    function messageIdInPlace(
        uint8 version,
        uint32 originDomain,
        address originAdapter,
        uint32 destination,
        address destinationAdapter,
        bytes memory envelope
    ) internal pure returns (bytes32 id) {
        assembly ("memory-safe") {
            let p := sub(envelope, HEADROOM)
            mstore(p, and(version, 0xff))
            mstore(add(p, 0x20), and(originDomain, 0xffffffff))
            mstore(add(p, 0x40), and(originAdapter, _ADDRESS_MASK))
            mstore(add(p, 0x60), and(destination, 0xffffffff))
            mstore(add(p, 0x80), and(destinationAdapter, _ADDRESS_MASK))
            mstore(add(p, 0xa0), HEADROOM)
            id := keccak256(p, add(add(HEADROOM, 0x20), and(add(mload(envelope), 31), not(31))))
        }
    }

    /// @notice `encode` of a decoded envelope.
    function encode(IConcordAdapter.Envelope memory e) internal pure returns (bytes memory) {
        return abi.encodePacked(e.nonce, e.origin, e.sender, e.recipient, e.gasLimit, e.payload);
    }

    /// @notice The nonce, stated origin and gas limit of `envelope` (reverts `ConcordAdapterMalformedEnvelope` when it
    /// has no full header).
    function delivery(bytes memory envelope)
        internal
        pure
        returns (uint64 nonce, uint32 statedOrigin, uint32 gasLimit)
    {
        _checkLength(envelope.length);
        assembly ("memory-safe") {
            let p := add(envelope, 0x20)
            nonce := shr(_UINT64_SHIFT, mload(p))
            statedOrigin := shr(_UINT32_SHIFT, mload(add(p, _ORIGIN_OFFSET)))
            gasLimit := shr(_UINT32_SHIFT, mload(add(p, _GAS_LIMIT_OFFSET)))
        }
    }

    /// @notice The nonce of `envelope` (reverts `ConcordAdapterMalformedEnvelope` when it has no full header).
    function nonceOf(bytes memory envelope) internal pure returns (uint64 nonce) {
        _checkLength(envelope.length);
        assembly ("memory-safe") {
            nonce := shr(_UINT64_SHIFT, mload(add(envelope, 0x20)))
        }
    }

    /// @notice The gas limit of `envelope` (reverts `ConcordAdapterMalformedEnvelope` when it has no full header).
    function gasLimitOf(bytes memory envelope) internal pure returns (uint32 gasLimit) {
        _checkLength(envelope.length);
        assembly ("memory-safe") {
            gasLimit := shr(_UINT32_SHIFT, mload(add(add(envelope, 0x20), _GAS_LIMIT_OFFSET)))
        }
    }

    /// @notice The stated origin of `envelope`, read from calldata (reverts `ConcordAdapterMalformedEnvelope` when it
    /// has no full header).
    function originOf(bytes calldata envelope) internal pure returns (uint32 statedOrigin) {
        _checkLength(envelope.length);
        assembly ("memory-safe") {
            statedOrigin := shr(_UINT32_SHIFT, calldataload(add(envelope.offset, _ORIGIN_OFFSET)))
        }
    }

    /// @notice The recipient of `envelope` (whose header the caller has checked).
    function recipientOf(bytes memory envelope) internal pure returns (address recipient) {
        assembly ("memory-safe") {
            recipient := shr(_ADDRESS_SHIFT, mload(add(add(envelope, 0x20), _RECIPIENT_OFFSET)))
        }
    }

    /// @notice The sender of `envelope` (whose header the caller has checked).
    function senderOf(bytes memory envelope) internal pure returns (address sender) {
        assembly ("memory-safe") {
            sender := shr(_ADDRESS_SHIFT, mload(add(add(envelope, 0x20), _SENDER_OFFSET)))
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

    /// @notice The call data of `receiveMessage(messageId, ERC-7930 EVM v1 (originDomain, sender), payload)` for
    /// `envelope` (whose header the caller has checked), built in one pass from the envelope: the same bytes as
    /// `abi.encodeCall(IERC7786Recipient.receiveMessage, (messageId,
    /// InteroperableAddress.formatEvmV1(originDomain, sender), payload))`, without the intermediate copies.
    function receiveMessageCall(bytes memory envelope, bytes32 messageId, uint32 originDomain)
        internal
        pure
        returns (bytes memory data)
    {
        uint256 payloadLength = envelope.length - HEADER_LENGTH;
        // The chain reference is the origin's minimal big-endian bytes (1 to 4; OpenZeppelin's `_toChainReference`).
        uint256 refLength = 1;
        if (originDomain > type(uint8).max) ++refLength;
        if (originDomain > type(uint16).max) ++refLength;
        if (originDomain > type(uint24).max) ++refLength;
        // Zeroed by `new`: the sender word's and the payload's padding stay zero.
        data = new bytes(_CALL_HEAD + ((payloadLength + 31) & ~uint256(31)));
        bytes4 selector = IERC7786Recipient.receiveMessage.selector;
        address sender = senderOf(envelope);
        assembly ("memory-safe") {
            let p := add(data, 0x20)
            mstore(p, selector)
            mstore(add(p, 4), messageId)
            mstore(add(p, 36), _SENDER_OFFSET_IN_CALL)
            mstore(add(p, 68), _PAYLOAD_OFFSET_IN_CALL)
            // sender: prefix (4 bytes), reference length (1), reference (refLength), address length (1), address (20)
            mstore(add(p, 100), add(refLength, 26))
            let w := shl(224, _ERC7930_EVM_V1_PREFIX)
            w := or(w, shl(216, refLength))
            w := or(w, shl(sub(216, mul(8, refLength)), originDomain))
            w := or(w, shl(sub(208, mul(8, refLength)), _EVM_ADDRESS_LENGTH))
            w := or(w, shl(sub(48, mul(8, refLength)), sender))
            mstore(add(p, 132), w)
            mstore(add(p, 164), payloadLength)
            mcopy(add(p, _CALL_HEAD), add(add(envelope, 0x20), HEADER_LENGTH), payloadLength)
        }
    }

    /// @notice The destination domain and recipient of an ERC-7930 v1 recipient of a send: the same as OpenZeppelin's
    /// `InteroperableAddress.tryParseEvmV1Calldata` (chain type eip155, a chain reference of at most 32 bytes read as a
    /// big-endian number, trailing bytes ignored) restricted to what a send accepts: a 20-byte address other than zero
    /// and a chain reference of 1 to 32 bytes whose value is a Concord domain (1 to 2**32 - 1). Reads the calldata in
    /// place, a word at a time, without OpenZeppelin's intermediate slices (`ok` false: refused).
    function parseRecipient(bytes calldata recipient) internal pure returns (bool ok, uint32 domain, address account) {
        uint256 length = recipient.length;
        if (length < _ERC7930_FIXED_LENGTH + _EVM_ADDRESS_LENGTH + 1) return (false, 0, address(0));
        uint256 head;
        assembly ("memory-safe") {
            head := shr(_ERC7930_HEAD_SHIFT, calldataload(recipient.offset))
        }
        uint256 refLength = head & 0xff;
        // Version 1, chain type eip155 (0x0000), a 1- to 32-byte reference, room for it and a 20-byte address.
        if (
            head >> 8 != _ERC7930_EVM_V1_PREFIX || refLength == 0 || refLength > _MAX_CHAIN_REFERENCE_LENGTH
                || length < _ERC7930_FIXED_LENGTH + refLength + _EVM_ADDRESS_LENGTH
        ) return (false, 0, address(0));
        uint256 chainReference;
        uint256 addressLength;
        assembly ("memory-safe") {
            let p := add(recipient.offset, _ERC7930_REFERENCE_OFFSET)
            chainReference := shr(sub(256, mul(8, refLength)), calldataload(p))
            let q := add(p, refLength)
            addressLength := shr(248, calldataload(q))
            account := shr(_ADDRESS_SHIFT, calldataload(add(q, 1)))
        }
        if (addressLength != _EVM_ADDRESS_LENGTH || account == address(0) || chainReference == 0) {
            return (false, 0, address(0));
        }
        if (chainReference > type(uint32).max) return (false, 0, address(0));
        // forge-lint: disable-next-line(unsafe-typecast) checked just above: at most type(uint32).max
        return (true, uint32(chainReference), account);
    }

    /// @notice The whole envelope, decoded (tests, tools; the adapter reads the header fields only).
    function decode(bytes memory envelope) internal pure returns (IConcordAdapter.Envelope memory e) {
        (e.nonce, e.origin, e.gasLimit) = delivery(envelope);
        e.sender = senderOf(envelope);
        e.recipient = recipientOf(envelope);
        e.payload = payloadOf(envelope);
    }

    function _checkLength(uint256 length) private pure {
        if (length < HEADER_LENGTH) revert IConcordAdapter.ConcordAdapterMalformedEnvelope(length);
    }
}
