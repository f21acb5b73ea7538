// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordVerifier} from "./IConcordVerifier.sol";

/// @title IAggregationVerifier
/// @notice Accepts a message of one origin gateway when `threshold` (m) of its n sub-verifiers accept it. Every
/// sub-verifier must authenticate that origin gateway (`originGatewayFor`), so what this verifier reports for its
/// origin never changes, whatever the configuration.
///
/// Metadata layout (Hyperlane `AggregationIsmMetadata`-compatible): a table of n ranges, 8 bytes each,
/// `start (uint32) | end (uint32)`, one per sub-verifier in configuration order, followed by the sub-metadata
/// bytes. `start == 0` means "no metadata: skip this sub-verifier"; otherwise the sub-verifier's metadata is
/// `metadata[start:end]` (may be empty when start == end), which must lie after the table.
interface IAggregationVerifier is IConcordVerifier {
    /// @notice Emitted when the authority sets the sub-verifiers and threshold.
    event AggregationVerifierConfigured(address[] verifiers, uint8 threshold);

    /// @notice Thrown when the threshold is 0 or greater than the number of sub-verifiers.
    error AggregationVerifierInvalidThreshold(uint256 threshold, uint256 verifierCount);
    /// @notice Thrown when more sub-verifiers are configured than `MAX_VERIFIERS`.
    error AggregationVerifierTooManyVerifiers(uint256 verifierCount);
    /// @notice Thrown when a configured sub-verifier has no code.
    error AggregationVerifierNotAContract(address verifier);
    /// @notice Thrown when a sub-verifier appears twice in a configuration.
    error AggregationVerifierDuplicateVerifier(address verifier);

    /// @notice Thrown when the constructor's origin is zero.
    error AggregationVerifierZeroOrigin();

    /// @notice Thrown when the constructor's origin gateway is zero.
    error AggregationVerifierZeroOriginGateway(uint32 origin);

    /// @notice Thrown when a sub-verifier does not authenticate this verifier's origin gateway.
    error AggregationVerifierGatewayMismatch(address verifier, bytes32 reported);

    /// @notice Thrown when a message comes from another origin than this verifier's.
    error AggregationVerifierWrongOrigin(uint32 origin);
    /// @notice Thrown when the metadata is shorter than the range table.
    error AggregationVerifierMetadataTooShort(uint256 length, uint256 minimum);
    /// @notice Thrown when the range of sub-verifier `index` overlaps the table, is reversed or exceeds the metadata.
    error AggregationVerifierInvalidRange(uint256 index, uint256 start, uint256 end);
    /// @notice Thrown when sub-verifier `index` was given metadata and returned false.
    error AggregationVerifierRejected(uint256 index);
    /// @notice Thrown when fewer than `threshold` sub-verifiers were given metadata.
    error AggregationVerifierThresholdNotMet(uint256 accepted, uint256 threshold);

    /// @notice The sub-verifiers (in metadata order) and the threshold; `message` is ignored.
    /// Same selector as Hyperlane's `IAggregationIsm.modulesAndThreshold`.
    function modulesAndThreshold(bytes calldata message) external view returns (address[] memory, uint8);

    /// @notice The origin whose messages this verifier aggregates verifications of.
    function origin() external view returns (uint32);

    /// @notice Sets the sub-verifiers and threshold (restricted to the authority). Each must report this
    /// verifier's origin gateway for its origin.
    function setConfig(IConcordVerifier[] calldata verifiers, uint8 threshold) external;
}
