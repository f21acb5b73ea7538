// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordVerifier} from "./IConcordVerifier.sol";

/// @title IRateLimitedVerifier
/// @notice A transparent wrapper that caps, per origin (route), the number of messages accepted in any rolling
/// window, and, for recipients that declare value, the total value accepted in any rolling window (I10). Limits
/// use OpenZeppelin's `RateLimiter.SlidingWindow`, so the cap holds for every window of `window` seconds, not just
/// aligned ones. An origin without a message limit accepts nothing (no permissive default).
///
/// Declared value: a recipient opts in when the authority sets a value limit for (origin, recipient). Its
/// messages must then carry the value as the first 32 bytes of the payload, i.e. Concord body
/// `gasLimit (uint32) | value (uint256) | rest`; shorter bodies revert.
///
/// Only `consumer` (the gateway, or the verifier that wraps this one) may call `verify`, since `verify` consumes
/// the budget.
interface IRateLimitedVerifier is IConcordVerifier {
    /// @notice Emitted when the authority sets the message limit of `origin`.
    event RateLimitedVerifierMessageLimitSet(uint32 indexed origin, uint48 window, uint208 maxMessages);
    /// @notice Emitted when the authority sets the value limit of (`origin`, `recipient`), opting it in.
    event RateLimitedVerifierValueLimitSet(
        uint32 indexed origin, bytes32 indexed recipient, uint48 window, uint208 maxValue
    );
    /// @notice Emitted when the authority removes the value limit of (`origin`, `recipient`), opting it out.
    event RateLimitedVerifierValueLimitRemoved(uint32 indexed origin, bytes32 indexed recipient);
    /// @notice Emitted when a message is accepted, with the value it consumed (0 for recipients without value).
    event RateLimitedVerifierConsumed(uint32 indexed origin, bytes32 indexed messageId, uint256 value);

    /// @notice Thrown when `verify` is called by anyone but the consumer.
    error RateLimitedVerifierUnauthorizedCaller(address caller);
    /// @notice Thrown when the message is shorter than the 77-byte header.
    error RateLimitedVerifierMalformedMessage();
    /// @notice Thrown when `origin` has no message budget left in the current window (or no limit at all).
    error RateLimitedVerifierMessageLimitExceeded(uint32 origin);
    /// @notice Thrown when accepting `value` would exceed the value cap of (`origin`, `recipient`).
    error RateLimitedVerifierValueLimitExceeded(uint32 origin, bytes32 recipient, uint256 value);
    /// @notice Thrown when a recipient that declares value receives a body shorter than 36 bytes.
    error RateLimitedVerifierMissingValue(uint32 origin, bytes32 recipient);
    /// @notice Thrown when a limit is configured with a zero window.
    error RateLimitedVerifierZeroWindow();
    /// @notice Thrown at deployment when the inner verifier has no code.
    error RateLimitedVerifierInnerNotContract(address inner);
    /// @notice Thrown at deployment when the consumer is the zero address.
    error RateLimitedVerifierZeroConsumer();

    /// @notice The wrapped verifier.
    function inner() external view returns (IConcordVerifier);

    /// @notice The only address allowed to call `verify`.
    function consumer() external view returns (address);

    /// @notice Messages still acceptable from `origin` in the current rolling window.
    function availableMessages(uint32 origin) external view returns (uint256);

    /// @notice Value still acceptable for (`origin`, `recipient`) in the current window, and whether it declares value.
    function availableValue(uint32 origin, bytes32 recipient) external view returns (uint256 available, bool enabled);

    /// @notice Sets the message limit of `origin`: at most `maxMessages` in any `window` seconds (restricted).
    /// `maxMessages == 0` closes the route.
    function setMessageLimit(uint32 origin, uint48 window, uint208 maxMessages) external;

    /// @notice Opts (`origin`, `recipient`) in to value accounting: at most `maxValue` in any `window` seconds
    /// (restricted).
    function setValueLimit(uint32 origin, bytes32 recipient, uint48 window, uint208 maxValue) external;

    /// @notice Opts (`origin`, `recipient`) out of value accounting (restricted).
    function removeValueLimit(uint32 origin, bytes32 recipient) external;
}
