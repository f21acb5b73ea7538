// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title CheckpointDigest
/// @notice The one definition of what a Concord multisig validator signs, used by both multisig variants and
/// mirrored byte for byte by the TypeScript SDK (`sdk/src/metadata.ts`):
///
///   domainHash = keccak256("CONCORD" (7 bytes) | DIGEST_VERSION (uint8) | origin (uint32) | originGateway (bytes32))
///   digest     = keccak256(domainHash (32) | kind (1) | commitment (32) | index (uint32))
///
/// - kind `KIND_MESSAGE_ID`: commitment = the message id, index = the message's nonce (message-id variant:
///   validators sign each message);
/// - kind `KIND_MERKLE_ROOT`: commitment = the origin gateway's Merkle root after inserting the leaf at `index`
///   (merkle-root variant: validators sign checkpoints; one signature covers every message up to `index`).
/// - kind `KIND_RANGE` (range-checkpoint variant, a longer preimage, see {rangeDigest}):
///   `keccak256(domainHash | KIND_RANGE | rangeRoot | first (uint32) | last (uint32))`, where `rangeRoot` is the root
///   of the tree over the ids of the consecutive messages `first..last` (`RangeCheckpointMultisigVerifier`).
/// The kind byte keeps a signed root from ever being read as a signed message id and vice versa.
/// @dev Validators sign this 32-byte digest raw (no EIP-191 envelope: it would cost one more keccak per
/// verification, ~55 gas, and the multisig gas budget is tight). This is safe because a validator never signs a
/// hash handed to it: its agent computes the digest from the preimage above, which starts with the "CONCORD"
/// domain hash and so is never an RLP transaction, an EIP-191 or an EIP-712 payload. Raw-digest signing is what
/// KMS signers (`Sign` with a 32-byte digest) and viem local accounts (`account.sign({ hash })`) offer. The
/// protocol tag and version keep Concord digests apart from Hyperlane's (EIP-191 over
/// `keccak256(origin | merkleTreeHook | "HYPERLANE") | root | index | id`), so one key may serve both protocols.
library CheckpointDigest {
    /// @notice Protocol tag, the 7 ASCII bytes "CONCORD".
    bytes7 internal constant PROTOCOL_TAG = "CONCORD";
    /// @notice Version of the digest layout; bumped if the layout ever changes.
    uint8 internal constant DIGEST_VERSION = 1;
    /// @notice Kind of a signed message id (commitment = message id, index = nonce).
    bytes1 internal constant KIND_MESSAGE_ID = 0x01;
    /// @notice Kind of a signed checkpoint (commitment = Merkle root, index = last leaf index).
    bytes1 internal constant KIND_MERKLE_ROOT = 0x02;
    /// @notice Kind of a signed range (commitment = range root, then the first and last nonce of the range).
    bytes1 internal constant KIND_RANGE = 0x03;

    /// @notice Hash binding signatures to one origin domain and one origin gateway (or Merkle tree hook).
    function domainHash(uint32 origin, bytes32 originGateway) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(PROTOCOL_TAG, DIGEST_VERSION, origin, originGateway));
    }

    /// @notice The digest validators sign for (`kind`, `commitment`, `index`) under `domain`.
    /// @param domain The result of {domainHash} for the origin domain and gateway.
    function digest(bytes32 domain, bytes1 kind, bytes32 commitment, uint32 index)
        internal
        pure
        returns (bytes32 result)
    {
        // Hashes `domain | kind | commitment | index` (69 bytes) in memory past the free-memory pointer, which is
        // left unchanged (scratch only). Each store overwrites the zero tail of the previous, unaligned one.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, domain)
            mstore(add(ptr, 0x20), kind)
            mstore(add(ptr, 0x21), commitment)
            mstore(add(ptr, 0x41), shl(224, index))
            result := keccak256(ptr, 0x45)
        }
    }

    /// @notice Convenience overload computing the domain hash first.
    function digest(uint32 origin, bytes32 originGateway, bytes1 kind, bytes32 commitment, uint32 index)
        internal
        pure
        returns (bytes32)
    {
        return digest(domainHash(origin, originGateway), kind, commitment, index);
    }

    /// @notice The digest validators sign for the range `first..last` (inclusive) whose tree root is `rangeRoot`:
    /// `keccak256(domain (32) | KIND_RANGE (1) | rangeRoot (32) | first (uint32) | last (uint32))`, 73 bytes.
    /// @param domain The result of {domainHash} for the origin domain and gateway.
    function rangeDigest(bytes32 domain, bytes32 rangeRoot, uint32 first, uint32 last)
        internal
        pure
        returns (bytes32 result)
    {
        // Hashes the 73-byte preimage in scratch memory past the free-memory pointer (left unchanged).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, domain)
            mstore(add(ptr, 0x20), KIND_RANGE)
            mstore(add(ptr, 0x21), rangeRoot)
            mstore(add(ptr, 0x41), or(shl(224, first), shl(192, and(last, 0xffffffff))))
            result := keccak256(ptr, 0x49)
        }
    }
}
