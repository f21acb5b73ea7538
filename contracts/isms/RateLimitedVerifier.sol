// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {IRateLimitedVerifier} from "../interfaces/IRateLimitedVerifier.sol";
import {Message} from "../libraries/Message.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {RateLimiter} from "@openzeppelin/contracts/utils/RateLimiter.sol";

/// @title RateLimitedVerifier
/// @notice Rolling-window message and value caps per route in front of an inner verifier. See
/// {IRateLimitedVerifier} for how value is declared.
/// @dev The inner verifier runs first; budgets are consumed only for messages it accepts, and a revert anywhere
/// later in the delivery (e.g. the gateway's own checks) rolls the consumption back with it.
contract RateLimitedVerifier is IRateLimitedVerifier, AccessManaged {
    using RateLimiter for RateLimiter.SlidingWindow;

    /// @dev Every limiter keeps its single entry under this key.
    bytes32 private constant _KEY = bytes32(0);
    /// @dev Offset of the declared value in the message: the first payload byte (after header and gas limit).
    uint256 private constant _VALUE_OFFSET = Message.PAYLOAD_OFFSET;

    struct ValueLimit {
        bool enabled;
        RateLimiter.SlidingWindow limiter;
    }

    IConcordVerifier private immutable _INNER;
    address private immutable _CONSUMER;

    mapping(uint32 origin => RateLimiter.SlidingWindow limiter) private _messageLimits;
    mapping(uint32 origin => mapping(bytes32 recipient => ValueLimit limit)) private _valueLimits;

    /// @param initialAuthority The `AccessManager` that sets limits.
    /// @param inner_ The verifier that decides validity.
    /// @param consumer_ The only caller of `verify` (the gateway, or the verifier wrapping this one).
    constructor(address initialAuthority, IConcordVerifier inner_, address consumer_) AccessManaged(initialAuthority) {
        if (address(inner_).code.length == 0) revert RateLimitedVerifierInnerNotContract(address(inner_));
        if (consumer_ == address(0)) revert RateLimitedVerifierZeroConsumer();
        _INNER = inner_;
        _CONSUMER = consumer_;
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Transparent: the metadata is the inner verifier's.
    function moduleType() external view returns (uint8) {
        return _INNER.moduleType();
    }

    /// @inheritdoc IConcordVerifier
    function verify(bytes calldata metadata, bytes calldata message) external returns (bool) {
        if (msg.sender != _CONSUMER) revert RateLimitedVerifierUnauthorizedCaller(msg.sender);
        if (!Message.isWellFormed(message)) revert RateLimitedVerifierMalformedMessage();
        if (!_INNER.verify(metadata, message)) return false;
        _consume(message);
        return true;
    }

    /// @inheritdoc IConcordVerifier
    function originGatewayFor(uint32 origin) external view returns (bytes32) {
        return _INNER.originGatewayFor(origin);
    }

    /// @inheritdoc IConcordVerifier
    /// @dev A retry executes the message now, so it consumes the budgets again, in the current window (a failed
    /// delivery's consumption is not returned: value released per window stays under its cap, I10).
    function authorizeRetry(bytes calldata message) external returns (bool) {
        if (msg.sender != _CONSUMER) revert RateLimitedVerifierUnauthorizedCaller(msg.sender);
        if (!Message.isWellFormed(message)) revert RateLimitedVerifierMalformedMessage();
        if (!_INNER.authorizeRetry(message)) return false;
        _consume(message);
        return true;
    }

    /// @dev Consumes one message from the origin's budget and, where the recipient has a value limit, the declared
    /// value from its budget; reverts when either is exhausted.
    function _consume(bytes calldata message) private {
        uint32 origin = Message.origin(message);
        if (!_messageLimits[origin].tryConsume(_KEY, 1)) revert RateLimitedVerifierMessageLimitExceeded(origin);

        uint256 value = 0;
        bytes32 recipient = Message.recipient(message);
        ValueLimit storage valueLimit = _valueLimits[origin][recipient];
        if (valueLimit.enabled) {
            if (message.length < _VALUE_OFFSET + 32) revert RateLimitedVerifierMissingValue(origin, recipient);
            value = uint256(bytes32(message[_VALUE_OFFSET:_VALUE_OFFSET + 32]));
            if (!valueLimit.limiter.tryConsume(_KEY, value)) {
                revert RateLimitedVerifierValueLimitExceeded(origin, recipient, value);
            }
        }
        emit RateLimitedVerifierConsumed(origin, keccak256(message), value);
    }

    /// @inheritdoc IRateLimitedVerifier
    function inner() external view returns (IConcordVerifier) {
        return _INNER;
    }

    /// @inheritdoc IRateLimitedVerifier
    function consumer() external view returns (address) {
        return _CONSUMER;
    }

    /// @inheritdoc IRateLimitedVerifier
    function availableMessages(uint32 origin) external view returns (uint256) {
        return _messageLimits[origin].available(_KEY);
    }

    /// @inheritdoc IRateLimitedVerifier
    function availableValue(uint32 origin, bytes32 recipient) external view returns (uint256, bool) {
        ValueLimit storage valueLimit = _valueLimits[origin][recipient];
        return (valueLimit.limiter.available(_KEY), valueLimit.enabled);
    }

    /// @inheritdoc IRateLimitedVerifier
    function setMessageLimit(uint32 origin, uint48 window, uint208 maxMessages) external restricted {
        if (window == 0) revert RateLimitedVerifierZeroWindow();
        _messageLimits[origin].updateSettings(window, maxMessages);
        emit RateLimitedVerifierMessageLimitSet(origin, window, maxMessages);
    }

    /// @inheritdoc IRateLimitedVerifier
    function setValueLimit(uint32 origin, bytes32 recipient, uint48 window, uint208 maxValue) external restricted {
        if (window == 0) revert RateLimitedVerifierZeroWindow();
        ValueLimit storage valueLimit = _valueLimits[origin][recipient];
        valueLimit.enabled = true;
        valueLimit.limiter.updateSettings(window, maxValue);
        emit RateLimitedVerifierValueLimitSet(origin, recipient, window, maxValue);
    }

    /// @inheritdoc IRateLimitedVerifier
    function removeValueLimit(uint32 origin, bytes32 recipient) external restricted {
        ValueLimit storage valueLimit = _valueLimits[origin][recipient];
        valueLimit.enabled = false;
        valueLimit.limiter.updateSettings(0, 0);
        valueLimit.limiter.reset(_KEY);
        emit RateLimitedVerifierValueLimitRemoved(origin, recipient);
    }
}
