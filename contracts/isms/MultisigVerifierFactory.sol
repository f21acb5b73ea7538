// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMultisigVerifier} from "../interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../interfaces/IMultisigVerifierFactory.sol";
import {MerkleRootMultisigVerifier} from "./MerkleRootMultisigVerifier.sol";
import {MessageIdMultisigVerifier} from "./MessageIdMultisigVerifier.sol";
import {RangeCheckpointMultisigVerifier} from "./RangeCheckpointMultisigVerifier.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";

/// @title MultisigVerifierFactory
/// @notice CREATE2 factory for {MessageIdMultisigVerifier}, {MerkleRootMultisigVerifier} and
/// {RangeCheckpointMultisigVerifier}. The salt is the
/// hash of the ABI-encoded config, so the address depends only on (factory, variant, config) and re-running a
/// deployment is idempotent.
contract MultisigVerifierFactory is IMultisigVerifierFactory {
    /// @inheritdoc IMultisigVerifierFactory
    function deploy(Variant variant, IMultisigVerifier.Config calldata config) external returns (IMultisigVerifier) {
        bytes32 salt = keccak256(abi.encode(config));
        bytes memory initCode = _initCode(variant, config);
        address predicted = Create2.computeAddress(salt, keccak256(initCode));
        if (predicted.code.length > 0) return IMultisigVerifier(predicted);
        address verifier = Create2.deploy(0, salt, initCode);
        emit MultisigVerifierDeployed(verifier, variant, config.origin, salt);
        return IMultisigVerifier(verifier);
    }

    /// @inheritdoc IMultisigVerifierFactory
    function predict(Variant variant, IMultisigVerifier.Config calldata config) external view returns (address) {
        return Create2.computeAddress(keccak256(abi.encode(config)), keccak256(_initCode(variant, config)));
    }

    function _initCode(Variant variant, IMultisigVerifier.Config calldata config) private pure returns (bytes memory) {
        bytes memory creationCode;
        if (variant == Variant.MESSAGE_ID) creationCode = type(MessageIdMultisigVerifier).creationCode;
        else if (variant == Variant.MERKLE_ROOT) creationCode = type(MerkleRootMultisigVerifier).creationCode;
        else creationCode = type(RangeCheckpointMultisigVerifier).creationCode;
        return abi.encodePacked(creationCode, abi.encode(config));
    }
}
