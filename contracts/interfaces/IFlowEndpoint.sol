// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FlowLib} from "../libraries/FlowLib.sol";

/// @title IFlowEndpoint
/// @notice What A's `FlowEscrow` and B's `FlowExecutor` share: the ERC-7786 gateway they send through, the trusted
/// counterpart on each remote domain, acknowledgement routes (other ERC-7786 gateways that may carry a flow's
/// OUTCOME, append-only, behind a delay) and the settlement pause.
interface IFlowEndpoint {
    /// @notice An acknowledgement route: another ERC-7786 gateway (another transport) on this domain. Set once
    /// (append-only, immutable), usable only after `activeAt` and an explicit `activateAckRoute`.
    /// @param gateway The route's ERC-7786 gateway on this domain.
    /// @param activeAt Earliest time `activateAckRoute` may activate it (schedule time + `routeDelay`).
    /// @param active Whether the route is active.
    /// @param gasLimitSupported Whether the gateway supports the `gasLimit(uint256)` attribute.
    struct AckRoute {
        address gateway;
        uint64 activeAt;
        bool active;
        bool gasLimitSupported;
    }

    /// @notice The trusted counterpart on `domain` changed (B's executor on A; A's escrow on B).
    event RemoteSet(uint32 indexed domain, address counterpart);

    /// @notice An acknowledgement route was scheduled; it can be activated from `activeAt` on.
    event AckRouteScheduled(uint8 indexed routeId, address indexed gateway, uint64 activeAt);

    /// @notice An acknowledgement route became active.
    event AckRouteActivated(uint8 indexed routeId, address indexed gateway);

    /// @notice The delay between scheduling and activating an acknowledgement route changed.
    event RouteDelaySet(uint64 routeDelay);

    /// @notice Settlement was paused (`paused`) or unpaused (see `pauseSettlement` on each side).
    event SettlementPauseSet(bool paused);

    /// @notice Thrown when the constructor's gateway has no code.
    error FlowEndpointGatewayNotContract(address gateway);

    /// @notice Thrown when the constructor's local domain is zero.
    error FlowEndpointZeroDomain();

    /// @notice Thrown when a remote domain is zero or this domain.
    error FlowEndpointInvalidRemoteDomain(uint32 domain);

    /// @notice Thrown when a route id is not in 1..15.
    error FlowEndpointInvalidRoute(uint8 routeId);

    /// @notice Thrown when scheduling a route id that is already set (routes are append-only and immutable), or
    /// activating a route that is already active.
    error FlowEndpointRouteExists(uint8 routeId, address gateway);

    /// @notice Thrown when a route gateway has no code, is the primary gateway or already backs another route.
    error FlowEndpointInvalidRouteGateway(address gateway);

    /// @notice Thrown when activating a route before its `activeAt`.
    error FlowEndpointRouteNotReady(uint8 routeId, uint64 activeAt);

    /// @notice Thrown when a route delay is not above `minimum` (A: the maximum horizon) or is unreasonably long.
    error FlowEndpointInvalidRouteDelay(uint64 routeDelay, uint64 minimum);

    /// @notice Thrown when a flow pins, or an export uses, a route that is not active on this domain.
    error FlowEndpointRouteNotActive(uint8 routeId);

    /// @notice Thrown when an OUTCOME is exported or received over a route the flow did not pin.
    error FlowEndpointRouteNotPinned(bytes32 flowId, uint8 routeId);

    /// @notice Thrown when a message comes from a sender that may not send it for this flow.
    error FlowEndpointUntrustedSender(uint256 domain, address sender);

    /// @notice Thrown when a message kind is unknown, or not accepted on this side or through this gateway.
    error FlowEndpointUnexpectedMessage(uint8 kind, uint8 routeId);

    /// @notice Thrown by settlement actions while settlement is paused.
    error FlowEndpointSettlementPaused();

    /// @notice Sets the trusted counterpart on `domain` (address(0): none): B's `FlowExecutor` on A's escrow, A's
    /// `FlowEscrow` on B's executor. Locked flows keep the counterpart pinned in their id.
    function setRemote(uint32 domain, address counterpart) external;

    /// @notice Schedules acknowledgement route `routeId` (1..15) to `gateway`, activatable at now + `routeDelay`.
    /// Routes can only be added: a set route id can never be replaced or removed.
    function scheduleAckRoute(uint8 routeId, address gateway) external;

    /// @notice Activates a scheduled route once its delay has passed. Anyone.
    function activateAckRoute(uint8 routeId) external;

    /// @notice Sets the route delay (applies to routes scheduled afterwards); on A it must exceed the maximum
    /// horizon, so that no open flow can be affected by a route scheduled while it was open.
    function setRouteDelay(uint64 routeDelay) external;

    /// @notice Pauses settlement (see each side's NatSpec for what stops; B's clock never stops).
    function pauseSettlement() external;

    /// @notice Unpauses settlement.
    function unpauseSettlement() external;

    /// @notice The primary ERC-7786 gateway.
    function gateway() external view returns (address);

    /// @notice This domain (the gateway's domain: the EVM chain id in production).
    function localDomain() external view returns (uint32);

    /// @notice The trusted counterpart on `domain`.
    function remote(uint32 domain) external view returns (address);

    /// @notice Delay between scheduling and activating an acknowledgement route.
    function routeDelay() external view returns (uint64);

    /// @notice Acknowledgement route `routeId` (zero gateway: not set).
    function ackRoute(uint8 routeId) external view returns (AckRoute memory);

    /// @notice Whether settlement is paused.
    function settlementPaused() external view returns (bool);

    /// @notice The flow id of `flow` (keccak256 of all its fields).
    function flowId(FlowLib.Flow calldata flow) external pure returns (bytes32);
}
