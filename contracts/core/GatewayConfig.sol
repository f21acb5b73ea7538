// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../interfaces/IConcordGateway.sol";
import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {
    GATEWAY_ADDRESS_MASK,
    GATEWAY_FILTER_BITS,
    GATEWAY_FILTER_MASK,
    GATEWAY_FILTER_SHIFT,
    GATEWAY_INBOUND_PAUSED,
    GATEWAY_INSTANCE_SHIFT,
    GATEWAY_OUTBOUND_PAUSED,
    GATEWAY_ROUTE_PAUSED,
    GATEWAY_UINT32_MASK
} from "../libraries/GatewayLayout.sol";
import {GatewayBase} from "./GatewayBase.sol";

/// @title GatewayConfig
/// @notice The configuration role of the ConcordGateway, every function `restricted` by the AccessManager
/// (audits/ACCESS_CONTROL.md): routes (which origin gateway each origin's messages come from, and the verifier
/// that authenticates them), gateway-wide and per-route pauses, and the privileged-recipient bookkeeping.
/// @dev Route words mirror the gateway-wide inbound flag and the privileged filter, so `process` reads one
/// configuration slot; the functions here keep the mirrors in sync over the (bounded) list of enrolled origins.
abstract contract GatewayConfig is GatewayBase {
    /// @notice Largest number of enrolled routes (bounds the mirror updates done by the admin functions).
    uint256 public constant MAX_ROUTES = 256;

    /// @inheritdoc IConcordGateway
    function setRoute(uint32 origin, address verifier, address originGateway) external restricted {
        if (verifier.code.length == 0) revert ConcordGatewayVerifierNotContract(verifier);
        if (originGateway == address(0)) revert ConcordGatewayZeroOriginGateway(origin);
        bytes32 reported = _reportedGateway(verifier, origin);
        if (reported != bytes32(uint256(uint160(originGateway)))) {
            revert ConcordGatewayVerifierGatewayMismatch(verifier, origin, reported);
        }
        uint32 instance = _instances[origin][originGateway];
        if (instance == 0) {
            if (_instanceCount == type(uint32).max) revert ConcordGatewayInstancesExhausted();
            instance = ++_instanceCount;
            _instances[origin][originGateway] = instance;
        }
        uint256 word = _routes[origin];
        if (_instanceOf(word) == 0) {
            // First enrollment: start mirroring the gateway-wide inbound flag and filter (keep a route pause that
            // may have been set before).
            if (_enrolled.length >= MAX_ROUTES) revert ConcordGatewayTooManyRoutes();
            _enrolled.push(origin);
            word |= _core & (GATEWAY_INBOUND_PAUSED | GATEWAY_FILTER_MASK);
        }
        address previousVerifier = address(uint160(word & GATEWAY_ADDRESS_MASK));
        uint256 fields = GATEWAY_ADDRESS_MASK | (GATEWAY_UINT32_MASK << GATEWAY_INSTANCE_SHIFT);
        _routes[origin] = (word & ~fields) | uint256(uint160(verifier)) | (uint256(instance) << GATEWAY_INSTANCE_SHIFT);
        _originGateways[origin] = originGateway;
        _swapPrivileged(previousVerifier, verifier);
        emit RouteSet(origin, verifier, originGateway, instance);
    }

    /// @inheritdoc IConcordGateway
    function pause(bool inbound, bool outbound) external restricted {
        uint256 core = _core;
        if (inbound) core |= GATEWAY_INBOUND_PAUSED;
        if (outbound) core |= GATEWAY_OUTBOUND_PAUSED;
        _setCore(core);
    }

    /// @inheritdoc IConcordGateway
    function unpause(bool inbound, bool outbound) external restricted {
        uint256 core = _core;
        if (inbound) core &= ~GATEWAY_INBOUND_PAUSED;
        if (outbound) core &= ~GATEWAY_OUTBOUND_PAUSED;
        _setCore(core);
    }

    /// @inheritdoc IConcordGateway
    function pauseRoute(uint32 origin) external restricted {
        _routes[origin] |= GATEWAY_ROUTE_PAUSED;
        emit RoutePauseSet(origin, true);
    }

    /// @inheritdoc IConcordGateway
    function unpauseRoute(uint32 origin) external restricted {
        _routes[origin] &= ~GATEWAY_ROUTE_PAUSED;
        emit RoutePauseSet(origin, false);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IConcordGateway
    function pauseFlags() external view returns (bool inboundPaused, bool outboundPaused) {
        uint256 core = _core;
        return (core & GATEWAY_INBOUND_PAUSED != 0, core & GATEWAY_OUTBOUND_PAUSED != 0);
    }

    /// @inheritdoc IConcordGateway
    function route(uint32 origin)
        external
        view
        returns (address verifier, uint32 instance, bool paused, address originGateway)
    {
        uint256 word = _routes[origin];
        return (
            address(uint160(word & GATEWAY_ADDRESS_MASK)),
            _instanceOf(word),
            word & GATEWAY_ROUTE_PAUSED != 0,
            _originGateways[origin]
        );
    }

    /// @inheritdoc IConcordGateway
    function instanceOf(uint32 origin, address originGateway) external view returns (uint32) {
        return _instances[origin][originGateway];
    }

    /// @inheritdoc IConcordGateway
    function enrolledOrigins() external view returns (uint32[] memory) {
        return _enrolled;
    }

    /// @inheritdoc IConcordGateway
    function isPrivileged(address account) external view returns (bool) {
        return account == address(this) || _privilegedRefs[account] != 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    /// @dev What `verifier.originGatewayFor(origin)` reports; zero if the call reverts or answers short.
    function _reportedGateway(address verifier, uint32 origin) private view returns (bytes32 reported) {
        try IConcordVerifier(verifier).originGatewayFor(origin) returns (bytes32 gateway) {
            reported = gateway;
        } catch {
            reported = bytes32(0);
        }
    }

    /// @dev Writes the pause flags and mirrors a changed inbound flag into every enrolled route.
    function _setCore(uint256 core) private {
        uint256 previous = _core;
        _core = core;
        if ((previous ^ core) & GATEWAY_INBOUND_PAUSED != 0) {
            bool paused = core & GATEWAY_INBOUND_PAUSED != 0;
            uint256 n = _enrolled.length;
            for (uint256 i = 0; i < n; ++i) {
                uint32 origin = _enrolled[i];
                uint256 word = _routes[origin];
                _routes[origin] = paused ? word | GATEWAY_INBOUND_PAUSED : word & ~GATEWAY_INBOUND_PAUSED;
            }
        }
        emit PauseFlagsSet(core & GATEWAY_INBOUND_PAUSED != 0, core & GATEWAY_OUTBOUND_PAUSED != 0);
    }

    /// @dev Keeps the privileged set in sync when the authority changes (AccessManaged calls this from its
    /// constructor and from `setAuthority`).
    function _setAuthority(address newAuthority) internal virtual override {
        _swapPrivileged(authority(), newAuthority);
        super._setAuthority(newAuthority);
    }

    /// @dev Moves one privileged role from `previous` to `next`. The filter only grows; a newly set bit is mirrored
    /// into every enrolled route.
    function _swapPrivileged(address previous, address next) private {
        if (previous == next) return;
        if (previous != address(0)) --_privilegedRefs[previous];
        if (next == address(0)) return;
        ++_privilegedRefs[next];
        uint256 bit = 1 << (GATEWAY_FILTER_SHIFT + uint160(next) % GATEWAY_FILTER_BITS);
        if (_core & bit != 0) return;
        _core |= bit;
        uint256 n = _enrolled.length;
        for (uint256 i = 0; i < n; ++i) {
            _routes[_enrolled[i]] |= bit;
        }
    }
}
