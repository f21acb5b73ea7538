// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {IPausableVerifier} from "../interfaces/IPausableVerifier.sol";
import {Message} from "../libraries/Message.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title PausableVerifier
/// @notice Route-level pause (the gateway-level pause belongs to the gateway's guardian). Wraps one inner verifier;
/// pausing and unpausing go through the authority; the OpenZeppelin `Paused`/`Unpaused` events record the whole
/// route, {PausableVerifierOriginPauseSet} single origins.
contract PausableVerifier is IPausableVerifier, AccessManaged, Pausable {
    IConcordVerifier private immutable _INNER;
    mapping(uint32 origin => bool paused) private _originPaused;

    /// @param initialAuthority The `AccessManager` allowed to pause and unpause.
    /// @param inner_ The verifier that decides while unpaused.
    constructor(address initialAuthority, IConcordVerifier inner_) AccessManaged(initialAuthority) {
        if (address(inner_).code.length == 0) revert PausableVerifierNotAContract(address(inner_));
        _INNER = inner_;
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Transparent: the metadata is the inner verifier's.
    function moduleType() external view returns (uint8) {
        return _INNER.moduleType();
    }

    /// @inheritdoc IConcordVerifier
    function verify(bytes calldata metadata, bytes calldata message) external returns (bool) {
        _requireNotPaused(message);
        return _INNER.verify(metadata, message);
    }

    /// @dev Reverts while the verifier or the message's origin is paused.
    function _requireNotPaused(bytes calldata message) private view {
        if (paused()) revert PausableVerifierPaused();
        if (!Message.isWellFormed(message)) revert PausableVerifierMalformedMessage();
        uint32 origin = Message.origin(message);
        if (_originPaused[origin]) revert PausableVerifierOriginPaused(origin);
    }

    /// @inheritdoc IConcordVerifier
    function originGatewayFor(uint32 origin) external view returns (bytes32) {
        return _INNER.originGatewayFor(origin);
    }

    /// @inheritdoc IConcordVerifier
    /// @dev A pause (whole verifier or the message's origin) refuses retries as it refuses deliveries.
    function authorizeRetry(bytes calldata message) external returns (bool) {
        _requireNotPaused(message);
        return _INNER.authorizeRetry(message);
    }

    /// @inheritdoc IPausableVerifier
    function inner() external view returns (IConcordVerifier) {
        return _INNER;
    }

    /// @inheritdoc IPausableVerifier
    function isOriginPaused(uint32 origin) external view returns (bool) {
        return _originPaused[origin];
    }

    /// @inheritdoc IPausableVerifier
    /// @dev Reverts with OpenZeppelin's `EnforcedPause` when already paused.
    function pause() external restricted {
        _pause();
    }

    /// @inheritdoc IPausableVerifier
    /// @dev Reverts with OpenZeppelin's `ExpectedPause` when not paused.
    function unpause() external restricted {
        _unpause();
    }

    /// @inheritdoc IPausableVerifier
    function setOriginPaused(uint32 origin, bool paused_) external restricted {
        _originPaused[origin] = paused_;
        emit PausableVerifierOriginPauseSet(origin, paused_);
    }
}
