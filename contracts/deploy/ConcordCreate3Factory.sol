// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Create3} from "@openzeppelin/contracts/utils/Create3.sol";

import {IConcordCreate3Factory} from "./IConcordCreate3Factory.sol";

/// @title ConcordCreate3Factory
/// @notice CREATE3 factory (OpenZeppelin `Create3`): deployed once per chain through the standard deterministic
/// deployment proxy (0x4e59b44847b379578588920ca78fbf26c0b4956c) with a fixed salt, so it has the same address on
/// every chain, and so does every contract it deploys for a given (deployer, salt).
/// @dev Stateless and permissionless. The effective CREATE2 salt is `keccak256(abi.encode(deployer, salt))`:
/// an address reserved by one deployer cannot be taken by anyone else. No value is accepted.
contract ConcordCreate3Factory is IConcordCreate3Factory {
    /// @inheritdoc IConcordCreate3Factory
    function deploy(bytes32 salt, bytes calldata initCode) external returns (address deployed) {
        if (initCode.length == 0) revert ConcordCreate3FactoryEmptyInitCode();
        bytes32 guarded = _guardedSalt(msg.sender, salt);
        address predicted = Create3.computeAddress(guarded);
        if (predicted.code.length != 0) revert ConcordCreate3FactoryAlreadyDeployed(predicted);
        // Interactions: CREATE2 of the CREATE3 proxy, which CREATEs `initCode` (reverts bubble up).
        deployed = Create3.deploy(0, guarded, initCode);
        if (deployed.code.length == 0) revert ConcordCreate3FactoryDeploymentFailed(deployed);
        emit ContractDeployed(msg.sender, salt, deployed);
    }

    /// @inheritdoc IConcordCreate3Factory
    function computeAddress(address deployer, bytes32 salt) external view returns (address) {
        return Create3.computeAddress(_guardedSalt(deployer, salt));
    }

    /// @dev Binds `salt` to `deployer` (front-running protection).
    function _guardedSalt(address deployer, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(deployer, salt));
    }
}
