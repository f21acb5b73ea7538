// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {IRoutingVerifier} from "../interfaces/IRoutingVerifier.sol";
import {Message} from "../libraries/Message.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";

/// @title RoutingVerifier
/// @notice Routes each message to the verifier set for its origin domain by the authority. Metadata is passed
/// through unchanged, so it is whatever the routed verifier expects.
contract RoutingVerifier is IRoutingVerifier, AccessManaged {
    mapping(uint32 origin => IConcordVerifier verifier) private _routes;
    /// @dev The origin gateway each origin's first route reported; every later route must report the same.
    mapping(uint32 origin => bytes32 gateway) private _boundGateways;

    /// @param initialAuthority The `AccessManager` that controls routes.
    constructor(address initialAuthority) AccessManaged(initialAuthority) {}

    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return uint8(ModuleType.ROUTING);
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Returns the routed verifier's answer (a verifier that returns false makes this return false).
    function verify(bytes calldata metadata, bytes calldata message) external returns (bool) {
        return route(message).verify(metadata, message);
    }

    /// @inheritdoc IConcordVerifier
    function originGatewayFor(uint32 origin) external view returns (bytes32) {
        return _boundGateways[origin];
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Asks the verifier the message's origin routes to now.
    function authorizeRetry(bytes calldata message) external returns (bool) {
        return route(message).authorizeRetry(message);
    }

    /// @inheritdoc IRoutingVerifier
    function route(bytes calldata message) public view returns (IConcordVerifier verifier) {
        if (!Message.isWellFormed(message)) revert RoutingVerifierMalformedMessage();
        uint32 origin = Message.origin(message);
        verifier = _routes[origin];
        if (address(verifier) == address(0)) revert RoutingVerifierUnknownOrigin(origin);
    }

    /// @inheritdoc IRoutingVerifier
    function verifierFor(uint32 origin) external view returns (IConcordVerifier) {
        return _routes[origin];
    }

    /// @inheritdoc IRoutingVerifier
    function setRoute(uint32 origin, IConcordVerifier verifier) external restricted {
        if (address(verifier).code.length == 0) revert RoutingVerifierNotAContract(address(verifier));
        bytes32 bound = _boundGateways[origin];
        bytes32 reported = verifier.originGatewayFor(origin);
        if (reported == bytes32(0) || (bound != bytes32(0) && reported != bound)) {
            revert RoutingVerifierGatewayMismatch(origin, bound, reported);
        }
        if (bound == bytes32(0)) _boundGateways[origin] = reported;
        address previous = address(_routes[origin]);
        _routes[origin] = verifier;
        emit RoutingVerifierRouteSet(origin, previous, address(verifier));
    }

    /// @inheritdoc IRoutingVerifier
    function removeRoute(uint32 origin) external restricted {
        address previous = address(_routes[origin]);
        delete _routes[origin];
        emit RoutingVerifierRouteRemoved(origin, previous);
    }
}
