// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IConcordCreate3Factory
/// @notice CREATE3 factory used by Concord's deploy scripts: the address of a deployed contract depends only on
/// the factory, the caller and the salt, never on the init code, so a contract whose constructor arguments differ
/// per chain (the gateway takes its local domain) still lands at the same address on every chain.
interface IConcordCreate3Factory {
    /// @notice Emitted when `deployer` deploys `deployed` with `salt`.
    event ContractDeployed(address indexed deployer, bytes32 indexed salt, address indexed deployed);

    /// @notice Thrown when the init code is empty.
    error ConcordCreate3FactoryEmptyInitCode();

    /// @notice Thrown when (caller, salt) was already used: `deployed` already holds code.
    error ConcordCreate3FactoryAlreadyDeployed(address deployed);

    /// @notice Thrown when the init code ran but left no code at `deployed` (it reverted or returned empty code).
    error ConcordCreate3FactoryDeploymentFailed(address deployed);

    /// @notice Deploys `initCode` at `computeAddress(msg.sender, salt)`.
    /// @dev The salt is bound to the caller, so nobody can front-run a deployment to take its address.
    /// @param salt Caller-chosen salt.
    /// @param initCode Creation code with ABI-encoded constructor arguments appended.
    /// @return deployed The address of the new contract.
    function deploy(bytes32 salt, bytes calldata initCode) external returns (address deployed);

    /// @notice The address `deploy(salt, ...)` called by `deployer` deploys to, whatever the init code.
    /// @param deployer The account that calls `deploy`.
    /// @param salt The salt it passes.
    /// @return The deterministic address.
    function computeAddress(address deployer, bytes32 salt) external view returns (address);
}
