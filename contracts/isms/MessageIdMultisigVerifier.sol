// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {CONCORD_MESSAGE_ID_MULTISIG} from "../interfaces/IMultisigVerifier.sol";
import {CheckpointDigest} from "../libraries/CheckpointDigest.sol";
import {AbstractMultisigVerifier} from "./AbstractMultisigVerifier.sol";

/// @title MessageIdMultisigVerifier
/// @notice k-of-n validators sign each message id.
///
/// Metadata: exactly `threshold` signatures, `65 * threshold` bytes, `r | s | v` each, strictly ascending by
/// signer. Nothing else: the origin gateway and domain are immutables, the id and nonce come from the message.
///
/// Signed digest: `CheckpointDigest.digest(domainHash, KIND_MESSAGE_ID, keccak256(message), nonce(message))`.
/// @dev Deploy through `MultisigVerifierFactory`. `verify` never returns false: it reverts with a
/// `MultisigVerifier*` error on every failure.
contract MessageIdMultisigVerifier is AbstractMultisigVerifier {
    /// @param config Fixed configuration (see `IMultisigVerifier.Config`).
    constructor(Config memory config) AbstractMultisigVerifier(config, 0) {}

    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return CONCORD_MESSAGE_ID_MULTISIG;
    }

    /// @inheritdoc IConcordVerifier
    function verify(bytes calldata metadata, bytes calldata message) external view returns (bool) {
        (bytes32 id, uint32 nonce) = _checkAndHash(metadata, message);
        bytes32 digest = CheckpointDigest.digest(_DOMAIN_HASH, CheckpointDigest.KIND_MESSAGE_ID, id, nonce);
        _verifySignatures(digest, metadata, 0);
        return true;
    }
}
