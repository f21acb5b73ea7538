// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordVerifier} from "./IConcordVerifier.sol";

/// @title IRoutingVerifier
/// @notice Delegates verification to the verifier configured for the message's origin domain. An origin without
/// a route reverts: there is no default and no fallback. Same `route(message)` view as Hyperlane's `IRoutingIsm`.
interface IRoutingVerifier is IConcordVerifier {
    /// @notice Emitted when the authority sets (or replaces) the verifier of `origin`.
    event RoutingVerifierRouteSet(uint32 indexed origin, address indexed previous, address indexed verifier);
    /// @notice Emitted when the authority removes the route of `origin`.
    event RoutingVerifierRouteRemoved(uint32 indexed origin, address indexed previous);

    /// @notice Thrown when the message's origin has no route.
    error RoutingVerifierUnknownOrigin(uint32 origin);
    /// @notice Thrown when the message is shorter than the 77-byte header.
    error RoutingVerifierMalformedMessage();
    /// @notice Thrown when a route is set to an address without code.
    error RoutingVerifierNotAContract(address verifier);

    /// @notice Thrown when a route's verifier reports no origin gateway for `origin`, or another one than the
    /// gateway the origin's first route bound: what this verifier reports for an origin never changes.
    error RoutingVerifierGatewayMismatch(uint32 origin, bytes32 bound, bytes32 reported);

    /// @notice The verifier for `message`'s origin; reverts for an unknown origin.
    function route(bytes calldata message) external view returns (IConcordVerifier);

    /// @notice The verifier for `origin`, or address(0) when none is set.
    function verifierFor(uint32 origin) external view returns (IConcordVerifier);

    /// @notice Sets the verifier for `origin` (restricted to the authority). Rotating a validator set = pointing
    /// the origin at a new verifier, which must authenticate the same origin gateway as the origin's first route.
    function setRoute(uint32 origin, IConcordVerifier verifier) external;

    /// @notice Removes the route of `origin` (restricted to the authority); its messages then revert.
    function removeRoute(uint32 origin) external;
}
