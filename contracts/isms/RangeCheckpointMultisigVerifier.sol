// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {
    CONCORD_RANGE_CHECKPOINT_MULTISIG,
    IRangeCheckpointMultisigVerifier
} from "../interfaces/IRangeCheckpointMultisigVerifier.sol";
import {CheckpointDigest} from "../libraries/CheckpointDigest.sol";
import {AbstractMultisigVerifier} from "./AbstractMultisigVerifier.sol";

/// @title RangeCheckpointMultisigVerifier
/// @notice k-of-n validators sign ONE digest per range of consecutive messages `first..last` (inclusive) of the
/// origin gateway, over the root of a Merkle tree whose leaves are the ids of those messages; each message then
/// proves its id at its own position with a short proof. The quorum check is paid once per range: the first
/// delivery that carries the signatures records the range (storage), the others carry the proof alone.
///
/// Range tree (mirrored by `sdk/src/metadata.ts` `rangeTree`):
/// - `n = last - first + 1` (1 <= n <= `MAX_RANGE_LENGTH`), depth `d = ceil(log2(n))` (0 for one message);
/// - leaf `i` (0 <= i < n) = the id (`keccak256(message)`) of the message with nonce `first + i`; leaves
///   `n .. 2^d - 1` are zero (a range that is not a power of two is zero-padded on the right);
/// - inner node = `keccak256(left | right)` (64 bytes), index-ordered (not sorted pairs: the position is bound).
/// A leaf cannot be confused with an inner node: a leaf is always `keccak256` of a message of at least 77 bytes
/// (checked here), an inner node `keccak256` of exactly 64 bytes, so equal values need a keccak collision; and the
/// depth is fixed by the signed `(first, last)`, so every proof of a range has the same length `d`: no proof can stop
/// at an inner node or go past a leaf. The padding leaves (zero) are never proven: a message's position
/// `nonce - first` is below `n`, and no message id is zero.
///
/// Metadata layout (exact lengths, `d` as above):
/// | offset    | size  | field                                                                     |
/// | 0         | 4     | first: nonce of the range's first message (uint32)                       |
/// | 4         | 4     | last: nonce of the range's last message, inclusive (uint32)              |
/// | 8         | 32*d  | proof: siblings of the message's leaf, leaf level first                   |
/// | 8 + 32*d  | 65*k  | optional: signatures `r | s | v`, strictly ascending by signer           |
/// With signatures (`8 + 32d + 65k` bytes) the quorum is checked and the range recorded (if it was not); without
/// (`8 + 32d` bytes) the range must already be recorded (`RangeCheckpointMultisigVerifierRangeNotVerified`).
///
/// Signed digest: `CheckpointDigest.rangeDigest(domainHash, rangeRoot, first, last)`.
///
/// Why storage, not transient storage, for the record: a range must stay deliverable in later transactions with
/// proofs alone (a partial batch, a batch cut short by gas, a message held back by a paused route, a relayer that
/// restarts and no longer holds the signatures). The record costs one 22,100-gas store per range (221 gas per
/// message for a range of 100); a transient cache would save that but make every later transaction carry and check
/// the signatures again (3-of-5: ~14,000 gas). Only a quorum can create a record, so nobody else can write one.
/// @dev Deploy through `MultisigVerifierFactory` (variant `RANGE_CHECKPOINT`). `verify` never returns false.
/// Conflicting ranges: if a quorum signs two roots for overlapping ranges (which honest validators never do), both
/// are recorded and a message proven under either is accepted: the verifier trusts the quorum, as every multisig
/// verifier does. The gateway's delivery record still delivers each message (origin, gateway instance, nonce) at most
/// once, whichever range proves it.
contract RangeCheckpointMultisigVerifier is AbstractMultisigVerifier, IRangeCheckpointMultisigVerifier {
    /// @inheritdoc IRangeCheckpointMultisigVerifier
    /// @dev 1,024: proofs of at most 10 siblings. Beyond it signatures are already amortized to a few gas per
    /// message while each doubling adds a 32-byte sibling (~512 gas of calldata) to every message.
    uint256 public constant MAX_RANGE_LENGTH = 1024;

    /// @dev Fixed part of the metadata before the proof: `first | last`.
    uint256 private constant _HEADER_LENGTH = 8;

    /// @dev Recorded ranges, keyed by their signed digest (which binds origin, origin gateway, first, last, root).
    mapping(bytes32 digest => bool) private _verifiedRanges;

    /// @param config Fixed configuration (see `IMultisigVerifier.Config`).
    constructor(Config memory config) AbstractMultisigVerifier(config, 0) {}

    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return CONCORD_RANGE_CHECKPOINT_MULTISIG;
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Checks, in order: the message (header, origin, destination), the range (`first <= last`, length cap),
    /// the nonce inside the range, the metadata length for the range's depth, then computes the range root from the
    /// message id at position `nonce - first` and either checks the signatures (and records the range) or requires
    /// the range to be recorded.
    function verify(bytes calldata metadata, bytes calldata message) external returns (bool) {
        (bytes32 id, uint32 nonce) = _checkMessage(message);
        if (metadata.length < _HEADER_LENGTH) {
            revert RangeCheckpointMultisigVerifierInvalidMetadataLength(
                metadata.length, _HEADER_LENGTH, _HEADER_LENGTH + _METADATA_LENGTH
            );
        }
        uint32 first;
        uint32 last;
        // The range header: two big-endian uint32 at the start of the metadata (length checked above).
        assembly ("memory-safe") {
            first := shr(224, calldataload(metadata.offset))
            last := shr(224, calldataload(add(metadata.offset, 4)))
        }
        uint256 depth = _depth(first, last);
        if (nonce < first || nonce > last) revert RangeCheckpointMultisigVerifierNonceOutsideRange(nonce, first, last);
        uint256 proofEnd = _HEADER_LENGTH + (depth << 5);
        bool signed = metadata.length != proofEnd;
        if (signed && metadata.length != proofEnd + _METADATA_LENGTH) {
            revert RangeCheckpointMultisigVerifierInvalidMetadataLength(
                metadata.length, proofEnd, proofEnd + _METADATA_LENGTH
            );
        }
        bytes32 rangeRoot = _rangeRoot(id, metadata, nonce - first, depth);
        bytes32 digest = CheckpointDigest.rangeDigest(_DOMAIN_HASH, rangeRoot, first, last);
        if (signed) {
            _verifySignatures(digest, metadata, proofEnd);
            _record(digest, first, last, rangeRoot);
        } else if (!_verifiedRanges[digest]) {
            revert RangeCheckpointMultisigVerifierRangeNotVerified(first, last, rangeRoot);
        }
        return true;
    }

    /// @inheritdoc IRangeCheckpointMultisigVerifier
    function verifyRange(uint32 first, uint32 last, bytes32 rangeRoot, bytes calldata signatures)
        external
        returns (bytes32 digest)
    {
        _depth(first, last);
        if (signatures.length != _METADATA_LENGTH) {
            revert MultisigVerifierInvalidMetadataLength(signatures.length, _METADATA_LENGTH);
        }
        digest = CheckpointDigest.rangeDigest(_DOMAIN_HASH, rangeRoot, first, last);
        _verifySignatures(digest, signatures, 0);
        _record(digest, first, last, rangeRoot);
    }

    /// @inheritdoc IRangeCheckpointMultisigVerifier
    function rangeVerified(uint32 first, uint32 last, bytes32 rangeRoot) external view returns (bool) {
        return _verifiedRanges[CheckpointDigest.rangeDigest(_DOMAIN_HASH, rangeRoot, first, last)];
    }

    /// @inheritdoc IRangeCheckpointMultisigVerifier
    function rangeDigest(uint32 first, uint32 last, bytes32 rangeRoot) external view returns (bytes32) {
        return CheckpointDigest.rangeDigest(_DOMAIN_HASH, rangeRoot, first, last);
    }

    /// @dev Records a quorum-signed range once (event on the first time only).
    function _record(bytes32 digest, uint32 first, uint32 last, bytes32 rangeRoot) private {
        if (!_verifiedRanges[digest]) {
            _verifiedRanges[digest] = true;
            emit RangeVerified(first, last, rangeRoot, digest);
        }
    }

    /// @dev Checks `first <= last` and the length cap, and returns the tree depth `ceil(log2(last - first + 1))`.
    function _depth(uint32 first, uint32 last) private pure returns (uint256 depth) {
        if (last < first) revert RangeCheckpointMultisigVerifierInvalidRange(first, last);
        uint256 length = uint256(last) - first + 1;
        if (length > MAX_RANGE_LENGTH) revert RangeCheckpointMultisigVerifierRangeTooLong(length, MAX_RANGE_LENGTH);
        // Smallest d with 2^d >= length (at most 10 steps).
        assembly ("memory-safe") {
            for {} lt(shl(depth, 1), length) {} { depth := add(depth, 1) }
        }
    }

    /// @dev Root of the range tree from `leaf` at `position` and the `depth` siblings at `metadata[8:]`, index-ordered
    /// and branch-free (the node goes to scratch word `bit`, the sibling to the other one).
    function _rangeRoot(bytes32 leaf, bytes calldata metadata, uint256 position, uint256 depth)
        private
        pure
        returns (bytes32 node)
    {
        assembly ("memory-safe") {
            node := leaf
            let proof := add(metadata.offset, _HEADER_LENGTH)
            for { let level := 0 } lt(level, depth) { level := add(level, 1) } {
                let bit := and(shr(level, position), 1)
                mstore(shl(5, bit), node)
                mstore(shl(5, xor(bit, 1)), calldataload(add(proof, shl(5, level))))
                node := keccak256(0x00, 0x40)
            }
        }
    }

    /// @dev Checks `message` (at least the 77-byte header, origin = the configured origin, destination = the local
    /// domain) and returns its id and nonce (`Message` offsets: nonce 1, origin 5, destination 41).
    function _checkMessage(bytes calldata message) private view returns (bytes32 id, uint32 nonce) {
        if (message.length < 77) revert MultisigVerifierMalformedMessage();
        uint32 origin_;
        uint32 destination;
        // Header fields straight from calldata (the length was checked); the id is hashed from a scratch copy at
        // the free-memory pointer (not advanced).
        assembly ("memory-safe") {
            nonce := shr(224, calldataload(add(message.offset, 1)))
            origin_ := shr(224, calldataload(add(message.offset, 5)))
            destination := shr(224, calldataload(add(message.offset, 41)))
            let ptr := mload(0x40)
            calldatacopy(ptr, message.offset, message.length)
            id := keccak256(ptr, message.length)
        }
        if (origin_ != _ORIGIN) revert MultisigVerifierWrongOrigin(origin_);
        if (destination != _LOCAL_DOMAIN) revert MultisigVerifierWrongDestination(destination);
    }
}
