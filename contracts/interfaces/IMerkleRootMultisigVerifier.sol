// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMultisigVerifier} from "./IMultisigVerifier.sol";

/// @title IMerkleRootMultisigVerifier
/// @notice Multisig verifier where validators sign a checkpoint (root, signedIndex) of the origin gateway's tree and
/// the metadata proves the message id's inclusion under that root.
interface IMerkleRootMultisigVerifier is IMultisigVerifier {
    /// @notice Thrown when the proven leaf index is above the signed checkpoint's index (the root cannot hold it).
    error MerkleRootMultisigVerifierIndexAboveCheckpoint(uint32 messageIndex, uint32 signedIndex);
}
