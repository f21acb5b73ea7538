// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {IMerkleRootMultisigVerifier} from "../interfaces/IMerkleRootMultisigVerifier.sol";
import {CONCORD_MERKLE_ROOT_MULTISIG} from "../interfaces/IMultisigVerifier.sol";
import {CheckpointDigest} from "../libraries/CheckpointDigest.sol";
import {MerkleTree} from "../libraries/MerkleTree.sol";
import {AbstractMultisigVerifier} from "./AbstractMultisigVerifier.sol";

/// @title MerkleRootMultisigVerifier
/// @notice k-of-n validators sign a checkpoint (root, signedIndex) of the origin gateway's Merkle tree; the
/// metadata proves that the message id is the leaf at `messageIndex <= signedIndex` under that root. One signed
/// checkpoint thus covers every message up to `signedIndex`.
///
/// Metadata layout (`1032 + 65 * threshold` bytes, exactly):
/// | offset | size  | field                                                        |
/// | 0      | 4     | messageIndex: the message's leaf index (uint32)             |
/// | 4      | 4     | signedIndex: the signed checkpoint's last leaf index (uint32) |
/// | 8      | 1024  | proof: 32 sibling hashes, leaf level first                   |
/// | 1032   | 65*k  | signatures `r | s | v`, strictly ascending by signer        |
///
/// Signed digest: `CheckpointDigest.digest(domainHash, KIND_MERKLE_ROOT, branchRoot(id, proof, messageIndex),
/// signedIndex)`.
contract MerkleRootMultisigVerifier is AbstractMultisigVerifier, IMerkleRootMultisigVerifier {
    uint256 private constant _MESSAGE_INDEX_OFFSET = 0;
    uint256 private constant _SIGNED_INDEX_OFFSET = 4;
    uint256 private constant _PROOF_OFFSET = 8;
    uint256 private constant _SIGNATURES_OFFSET = 1032;

    /// @param config Fixed configuration (see `IMultisigVerifier.Config`).
    constructor(Config memory config) AbstractMultisigVerifier(config, _SIGNATURES_OFFSET) {}

    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return CONCORD_MERKLE_ROOT_MULTISIG;
    }

    /// @inheritdoc IConcordVerifier
    function verify(bytes calldata metadata, bytes calldata message) external view returns (bool) {
        (bytes32 id,) = _checkAndHash(metadata, message);
        uint32 messageIndex;
        uint32 signedIndex;
        bytes32[32] calldata proof;
        // Reads the two indices and points the fixed-size calldata array at the 32 siblings inside `metadata`
        // (its length was checked).
        assembly ("memory-safe") {
            messageIndex := shr(224, calldataload(add(metadata.offset, _MESSAGE_INDEX_OFFSET)))
            signedIndex := shr(224, calldataload(add(metadata.offset, _SIGNED_INDEX_OFFSET)))
            proof := add(metadata.offset, _PROOF_OFFSET)
        }
        if (messageIndex > signedIndex) {
            revert MerkleRootMultisigVerifierIndexAboveCheckpoint(messageIndex, signedIndex);
        }
        bytes32 root = MerkleTree.branchRoot(id, proof, messageIndex);
        bytes32 digest = CheckpointDigest.digest(_DOMAIN_HASH, CheckpointDigest.KIND_MERKLE_ROOT, root, signedIndex);
        _verifySignatures(digest, metadata, _SIGNATURES_OFFSET);
        return true;
    }
}
