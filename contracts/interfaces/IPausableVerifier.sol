// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordVerifier} from "./IConcordVerifier.sol";

/// @title IPausableVerifier
/// @notice A transparent wrapper that lets the authority pause one route: the whole wrapper (every origin it
/// serves) or single origin domains. While paused, `verify` reverts, so the gateway delivers nothing on the route.
/// Unpaused, it forwards metadata and message unchanged to the inner verifier and reports the inner module type.
interface IPausableVerifier is IConcordVerifier {
    /// @notice Emitted when the authority pauses or unpauses a single origin.
    event PausableVerifierOriginPauseSet(uint32 indexed origin, bool paused);

    /// @notice Thrown by `verify` while the route is paused.
    error PausableVerifierPaused();
    /// @notice Thrown by `verify` while the message's origin is paused.
    error PausableVerifierOriginPaused(uint32 origin);
    /// @notice Thrown when the message is shorter than the 77-byte header.
    error PausableVerifierMalformedMessage();
    /// @notice Thrown at deployment when the inner verifier has no code.
    error PausableVerifierNotAContract(address verifier);

    /// @notice The wrapped verifier.
    function inner() external view returns (IConcordVerifier);

    /// @notice True when `origin` is paused on its own (the whole route may also be paused: see `paused()`).
    function isOriginPaused(uint32 origin) external view returns (bool);

    /// @notice Pauses the whole route (restricted to the authority).
    function pause() external;

    /// @notice Unpauses the whole route (restricted to the authority).
    function unpause() external;

    /// @notice Pauses or unpauses one origin (restricted to the authority).
    function setOriginPaused(uint32 origin, bool paused) external;
}
