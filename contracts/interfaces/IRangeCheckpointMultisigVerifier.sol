// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMultisigVerifier} from "./IMultisigVerifier.sol";

/// @dev Concord module type of {RangeCheckpointMultisigVerifier} (64..67 are the optimistic, state-proof,
/// message-id and merkle-root verifiers).
uint8 constant CONCORD_RANGE_CHECKPOINT_MULTISIG = 68;

/// @title IRangeCheckpointMultisigVerifier
/// @notice Multisig verifier where k-of-n validators sign ONE digest per range of consecutive messages
/// `first..last` of one origin gateway: `CheckpointDigest.rangeDigest(domainHash, rangeRoot, first, last)`, where
/// `rangeRoot` is the root of a Merkle tree over the ids of the messages `first..last` (leaf `i` = the id of nonce
/// `first + i`). The quorum check is paid once per range (then cached in storage); each message then proves its id at
/// its own position `nonce - first` with `ceil(log2(last - first + 1))` siblings.
interface IRangeCheckpointMultisigVerifier is IMultisigVerifier {
    /// @notice Emitted when a quorum-signed range is recorded (the first time its signatures are checked).
    /// @param first Nonce of the range's first message.
    /// @param last Nonce of the range's last message (inclusive).
    /// @param rangeRoot Root of the range's tree.
    /// @param digest The signed digest, the key of the record.
    event RangeVerified(uint32 indexed first, uint32 indexed last, bytes32 indexed rangeRoot, bytes32 digest);

    /// @notice Thrown when `last < first` (a range of length 0 or less).
    error RangeCheckpointMultisigVerifierInvalidRange(uint32 first, uint32 last);
    /// @notice Thrown when a range holds more than `MAX_RANGE_LENGTH` messages.
    error RangeCheckpointMultisigVerifierRangeTooLong(uint256 length, uint256 maxLength);
    /// @notice Thrown when the message's nonce is not inside `first..last`.
    error RangeCheckpointMultisigVerifierNonceOutsideRange(uint32 nonce, uint32 first, uint32 last);
    /// @notice Thrown when the metadata is neither `8 + 32 * depth` bytes (proof only, range already recorded) nor
    /// `8 + 32 * depth + 65 * threshold` bytes (proof and signatures), for the depth the signed range implies.
    /// @param length The metadata's length.
    /// @param withoutSignatures The accepted length without signatures (8 when the range could not be read).
    /// @param withSignatures The accepted length with signatures.
    error RangeCheckpointMultisigVerifierInvalidMetadataLength(
        uint256 length, uint256 withoutSignatures, uint256 withSignatures
    );
    /// @notice Thrown when metadata without signatures proves a message under a range root no quorum signed here.
    error RangeCheckpointMultisigVerifierRangeNotVerified(uint32 first, uint32 last, bytes32 rangeRoot);

    /// @notice The largest range length accepted (1,024 messages, proofs of at most 10 siblings).
    function MAX_RANGE_LENGTH() external view returns (uint256);

    /// @notice Checks `threshold` signatures over the range's digest and records the range, so that its messages can
    /// then be delivered with proofs alone (metadata without signatures). Permissionless: a record needs a quorum.
    /// Recording a range again is a no-op (no event); its signatures are still checked.
    /// @param first Nonce of the range's first message.
    /// @param last Nonce of the range's last message (inclusive); `last - first < MAX_RANGE_LENGTH`.
    /// @param rangeRoot Root of the range's tree.
    /// @param signatures `65 * threshold` bytes, `r | s | v` each, strictly ascending by signer.
    /// @return digest The signed digest (the record's key).
    function verifyRange(uint32 first, uint32 last, bytes32 rangeRoot, bytes calldata signatures)
        external
        returns (bytes32 digest);

    /// @notice Whether a quorum-signed range (`first`, `last`, `rangeRoot`) is recorded.
    function rangeVerified(uint32 first, uint32 last, bytes32 rangeRoot) external view returns (bool);

    /// @notice The digest validators sign for the range (`first`, `last`, `rangeRoot`) on this verifier's domain.
    function rangeDigest(uint32 first, uint32 last, bytes32 rangeRoot) external view returns (bytes32);
}
