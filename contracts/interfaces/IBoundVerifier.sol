// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordVerifier} from "./IConcordVerifier.sol";

/// @title IBoundVerifier
/// @notice Makes a verification module that only has `verify` (a Hyperlane ISM, another project's verifier) a
/// Concord verifier for one (origin, origin gateway): it forwards `verify` for messages of that origin, reports that
/// gateway, and allows every retry. Whoever deploys it states which origin gateway the inner module authenticates.
interface IBoundVerifier is IConcordVerifier {
    /// @notice Thrown when the constructor's inner module has no code.
    error BoundVerifierInnerNotContract(address inner);

    /// @notice Thrown when the constructor's origin is zero.
    error BoundVerifierZeroOrigin();

    /// @notice Thrown when the constructor's origin gateway is zero.
    error BoundVerifierZeroOriginGateway(uint32 origin);

    /// @notice Thrown when a message comes from another origin than the bound one.
    error BoundVerifierWrongOrigin(uint32 origin);

    /// @notice The module that decides.
    function inner() external view returns (address);

    /// @notice The bound origin.
    function origin() external view returns (uint32);
}
