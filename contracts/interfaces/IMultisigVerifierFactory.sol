// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMultisigVerifier} from "./IMultisigVerifier.sol";

/// @title IMultisigVerifierFactory
/// @notice Deterministic (CREATE2) deployer of immutable multisig verifiers: one verifier per
/// (variant, origin, origin gateway, local domain, threshold, validator set). Permissionless: a verifier only
/// secures a route once the authority points the route at it, which is how validator sets rotate.
interface IMultisigVerifierFactory {
    /// @notice The multisig variants.
    enum Variant {
        MESSAGE_ID,
        MERKLE_ROOT,
        RANGE_CHECKPOINT
    }

    /// @notice Emitted when a verifier is deployed (not when an existing one is returned).
    event MultisigVerifierDeployed(
        address indexed verifier, Variant indexed variant, uint32 indexed origin, bytes32 configHash
    );

    /// @notice Deploys the verifier for `variant` and `config`, or returns it if it already exists.
    /// @dev Reverts with the verifier's configuration errors (`MultisigVerifier*`) on an invalid config.
    function deploy(Variant variant, IMultisigVerifier.Config calldata config) external returns (IMultisigVerifier);

    /// @notice The address `deploy(variant, config)` deploys to (or deployed to).
    function predict(Variant variant, IMultisigVerifier.Config calldata config) external view returns (address);
}
