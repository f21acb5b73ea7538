// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordVerifier} from "./IConcordVerifier.sol";

/// @title IMultisigVerifier
/// @notice A k-of-n ECDSA verifier over Concord digests (see `CheckpointDigest`). The validator set,
/// threshold, origin domain, origin gateway and local domain are fixed at deployment (held in immutables);
/// a new set means a new verifier, and the authority rotates a route by pointing it at that verifier
/// (`RoutingVerifier.setRoute` or the gateway's route setter). Same view surface as Hyperlane's `IMultisigIsm`.
interface IMultisigVerifier is IConcordVerifier {
    /// @notice The fixed configuration of a multisig verifier.
    /// @param origin Origin domain (EVM chain id) whose messages this verifier accepts.
    /// @param originGateway Origin gateway (or Hyperlane MerkleTreeHook) address, left-padded to 32 bytes.
    /// @param localDomain Domain of the chain this verifier is deployed on; messages must name it as destination.
    /// @param threshold Number of signatures required (1 <= threshold <= validators.length).
    /// @param validators Validator addresses, strictly ascending (hence distinct and non-zero), at most 16.
    struct Config {
        uint32 origin;
        bytes32 originGateway;
        uint32 localDomain;
        uint8 threshold;
        address[] validators;
    }

    /// @notice Emitted once, at deployment, with the verifier's fixed configuration.
    event MultisigVerifierConfigured(
        uint32 indexed origin, bytes32 indexed originGateway, uint32 localDomain, uint8 threshold, address[] validators
    );

    /// @notice Thrown when the threshold is 0 or greater than the number of validators.
    error MultisigVerifierInvalidThreshold(uint256 threshold, uint256 validatorCount);
    /// @notice Thrown when more validators are configured than the verifier can hold in immutables.
    error MultisigVerifierTooManyValidators(uint256 validatorCount, uint256 maxValidators);
    /// @notice Thrown when a configured validator is the zero address.
    error MultisigVerifierZeroValidator();
    /// @notice Thrown when the same validator appears twice in a configuration.
    error MultisigVerifierDuplicateValidator(address validator);
    /// @notice Thrown when configured validators are not in strictly ascending order.
    error MultisigVerifierUnsortedValidators(uint256 index);
    /// @notice Thrown when the origin gateway is zero at configuration.
    error MultisigVerifierZeroOriginGateway();

    /// @notice Thrown when the message is shorter than the 77-byte header.
    error MultisigVerifierMalformedMessage();
    /// @notice Thrown when the message's origin is not the configured origin domain.
    error MultisigVerifierWrongOrigin(uint32 origin);
    /// @notice Thrown when the message's destination is not this chain's domain.
    error MultisigVerifierWrongDestination(uint32 destination);
    /// @notice Thrown when the metadata length is not exactly the layout's length for `threshold` signatures.
    error MultisigVerifierInvalidMetadataLength(uint256 length, uint256 expected);
    /// @notice Thrown when signature `index` has an `s` value in the upper half of the curve order.
    error MultisigVerifierHighS(uint256 index);
    /// @notice Thrown when signature `index` has a `v` other than 27 or 28.
    error MultisigVerifierInvalidV(uint256 index);
    /// @notice Thrown when signature `index` does not recover to any address (ecrecover returned zero).
    error MultisigVerifierInvalidSignature(uint256 index);
    /// @notice Thrown when signature `index` recovers to a signer not strictly above the previous one
    /// (unsorted or duplicate signers).
    error MultisigVerifierUnsortedSigners(uint256 index);
    /// @notice Thrown when signature `index` recovers to `signer`, who is not in the validator set.
    error MultisigVerifierUnknownSigner(uint256 index, address signer);

    /// @notice The validator set (ascending) and the threshold; `message` is ignored (Hyperlane `IMultisigIsm`).
    function validatorsAndThreshold(bytes calldata message) external view returns (address[] memory, uint8);

    /// @notice The origin domain whose messages this verifier accepts.
    function origin() external view returns (uint32);

    /// @notice The origin gateway (or Merkle tree hook) address, as bytes32.
    function originGateway() external view returns (bytes32);

    /// @notice The domain this verifier is deployed on (messages must name it as destination).
    function localDomain() external view returns (uint32);

    /// @notice `CheckpointDigest.domainHash(origin(), originGateway())`.
    function domainHash() external view returns (bytes32);
}

/// @dev Concord module type of {MessageIdMultisigVerifier}. Concord's own metadata layout and digest, so not
/// Hyperlane's MESSAGE_ID_MULTISIG = 5 (whose relayer would build Hyperlane-format metadata); 64 and 65 are the
/// optimistic and state-proof verifiers.
uint8 constant CONCORD_MESSAGE_ID_MULTISIG = 66;
/// @dev Concord module type of {MerkleRootMultisigVerifier} (not Hyperlane's MERKLE_ROOT_MULTISIG = 4).
uint8 constant CONCORD_MERKLE_ROOT_MULTISIG = 67;
