// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IFlowEndpoint} from "../interfaces/IFlowEndpoint.sol";
import {FlowLib} from "../libraries/FlowLib.sol";

/// @title FlowEndpoint
/// @notice What A's `FlowEscrow` and B's `FlowExecutor` share: the primary ERC-7786 gateway and the sends through it,
/// the trusted counterpart per remote domain, the acknowledgement routes (append-only, behind a delay), the
/// settlement pause and the transient lock. Admin functions go through the AccessManager.
abstract contract FlowEndpoint is IFlowEndpoint, ERC7786Recipient, AccessManaged, ReentrancyGuardTransient {
    /// @notice ERC-7786 attribute `gasLimit(uint256)` (Concord's gateway, `IConcordGateway`).
    bytes4 public constant GAS_LIMIT_ATTRIBUTE = 0xce296026;

    /// @notice Gas limit of OUTCOME (delivered and settled on A) and CANCEL (on B) messages.
    uint32 public constant CONTROL_GAS_LIMIT = 200_000;

    /// @dev Longest route delay (keeps `block.timestamp + delay` far from overflow).
    uint64 internal constant _MAX_ROUTE_DELAY = 10 * 365 days;

    struct Routes {
        mapping(uint8 routeId => AckRoute) byId;
        mapping(address gateway => uint8 routeId) idOf;
    }

    address internal immutable _GATEWAY;
    uint32 internal immutable _LOCAL_DOMAIN;
    bool internal immutable _GAS_LIMIT_SUPPORTED;

    mapping(uint32 domain => address counterpart) internal _remotes;
    /// @dev Acknowledgement routes 1..15 (append-only) and the reverse map gateway -> route id.
    Routes internal _ackRoutes;
    uint64 internal _routeDelay;
    bool internal _settlementPaused;

    /// @param gateway_ The primary ERC-7786 gateway (source and destination) on this domain.
    /// @param localDomain_ This domain as the gateway names it (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param routeDelay_ Initial route delay.
    constructor(address gateway_, uint32 localDomain_, address initialAuthority, uint64 routeDelay_)
        AccessManaged(initialAuthority)
    {
        if (gateway_.code.length == 0) revert FlowEndpointGatewayNotContract(gateway_);
        if (localDomain_ == 0) revert FlowEndpointZeroDomain();
        _GATEWAY = gateway_;
        _LOCAL_DOMAIN = localDomain_;
        _GAS_LIMIT_SUPPORTED = _supportsGasLimit(gateway_);
        _routeDelay = routeDelay_;
        emit RouteDelaySet(routeDelay_);
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowEndpoint
    function setRemote(uint32 domain, address counterpart) external restricted {
        if (domain == 0 || domain == _LOCAL_DOMAIN) revert FlowEndpointInvalidRemoteDomain(domain);
        _remotes[domain] = counterpart;
        emit RemoteSet(domain, counterpart);
    }

    /// @inheritdoc IFlowEndpoint
    function scheduleAckRoute(uint8 routeId, address gateway_) external restricted {
        if (routeId == 0 || routeId > FlowLib.MAX_ROUTE_ID) revert FlowEndpointInvalidRoute(routeId);
        address existing = _ackRoutes.byId[routeId].gateway;
        if (existing != address(0)) revert FlowEndpointRouteExists(routeId, existing);
        if (gateway_.code.length == 0 || gateway_ == _GATEWAY || _ackRoutes.idOf[gateway_] != 0) {
            revert FlowEndpointInvalidRouteGateway(gateway_);
        }
        uint64 activeAt = uint64(block.timestamp) + _routeDelay;
        _ackRoutes.byId[routeId] = AckRoute({
            gateway: gateway_, activeAt: activeAt, active: false, gasLimitSupported: _supportsGasLimit(gateway_)
        });
        _ackRoutes.idOf[gateway_] = routeId;
        emit AckRouteScheduled(routeId, gateway_, activeAt);
    }

    /// @inheritdoc IFlowEndpoint
    function activateAckRoute(uint8 routeId) external {
        AckRoute storage route = _ackRoutes.byId[routeId];
        if (route.gateway == address(0)) revert FlowEndpointInvalidRoute(routeId);
        if (route.active) revert FlowEndpointRouteExists(routeId, route.gateway);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < route.activeAt) revert FlowEndpointRouteNotReady(routeId, route.activeAt);
        route.active = true;
        emit AckRouteActivated(routeId, route.gateway);
    }

    /// @inheritdoc IFlowEndpoint
    function setRouteDelay(uint64 routeDelay_) external restricted {
        uint64 minimum = _minRouteDelay();
        if (routeDelay_ <= minimum || routeDelay_ > _MAX_ROUTE_DELAY) {
            revert FlowEndpointInvalidRouteDelay(routeDelay_, minimum);
        }
        _routeDelay = routeDelay_;
        emit RouteDelaySet(routeDelay_);
    }

    /// @inheritdoc IFlowEndpoint
    function pauseSettlement() external restricted {
        _settlementPaused = true;
        emit SettlementPauseSet(true);
    }

    /// @inheritdoc IFlowEndpoint
    function unpauseSettlement() external restricted {
        _settlementPaused = false;
        emit SettlementPauseSet(false);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowEndpoint
    function gateway() external view returns (address) {
        return _GATEWAY;
    }

    /// @inheritdoc IFlowEndpoint
    function localDomain() external view returns (uint32) {
        return _LOCAL_DOMAIN;
    }

    /// @inheritdoc IFlowEndpoint
    function remote(uint32 domain) external view returns (address) {
        return _remotes[domain];
    }

    /// @inheritdoc IFlowEndpoint
    function routeDelay() external view returns (uint64) {
        return _routeDelay;
    }

    /// @inheritdoc IFlowEndpoint
    function ackRoute(uint8 routeId) external view returns (AckRoute memory) {
        return _ackRoutes.byId[routeId];
    }

    /// @inheritdoc IFlowEndpoint
    function settlementPaused() external view returns (bool) {
        return _settlementPaused;
    }

    /// @inheritdoc IFlowEndpoint
    function flowId(FlowLib.Flow calldata flow) external pure returns (bytes32) {
        return _hash(flow);
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    /// @dev The smallest route delay allowed (exclusive).
    function _minRouteDelay() internal view virtual returns (uint64);

    /// @dev The route id of `gateway_` (0: the primary gateway); reverts for a gateway that is neither.
    function _routeOf(address gateway_) internal view returns (uint8 routeId) {
        if (gateway_ == _GATEWAY) return 0;
        routeId = _ackRoutes.idOf[gateway_];
    }

    /// @dev Sends `payload` to `to` on `domain` through the primary gateway with `gasLimit`.
    function _send(uint32 domain, address to, bytes memory payload, uint256 gasLimit)
        internal
        returns (bytes32 sendId)
    {
        return _sendVia(_GATEWAY, _GAS_LIMIT_SUPPORTED, domain, to, payload, gasLimit);
    }

    /// @dev Like `_send`, but a failing gateway call returns `sent == false` and its revert data instead of reverting.
    function _trySend(uint32 domain, address to, bytes memory payload, uint256 gasLimit)
        internal
        returns (bool sent, bytes32 sendId, bytes memory reason)
    {
        try IERC7786GatewaySource(_GATEWAY)
            .sendMessage(
                InteroperableAddress.formatEvmV1(domain, to), payload, _attributes(_GAS_LIMIT_SUPPORTED, gasLimit)
            ) returns (
            bytes32 id
        ) {
            return (true, id, "");
        } catch (bytes memory data) {
            return (false, bytes32(0), data);
        }
    }

    /// @dev Sends through `gateway_`, attaching the gas limit attribute where the gateway supports it.
    function _sendVia(
        address gateway_,
        bool gasLimitSupported,
        uint32 domain,
        address to,
        bytes memory payload,
        uint256 gasLimit
    ) internal returns (bytes32 sendId) {
        sendId = IERC7786GatewaySource(gateway_)
            .sendMessage(
                InteroperableAddress.formatEvmV1(domain, to), payload, _attributes(gasLimitSupported, gasLimit)
            );
    }

    /// @dev The ERC-7786 attributes of a send: the gas limit where the gateway supports it, none otherwise.
    function _attributes(bool gasLimitSupported, uint256 gasLimit) private pure returns (bytes[] memory attributes) {
        if (!gasLimitSupported) return new bytes[](0);
        attributes = new bytes[](1);
        attributes[0] = abi.encodeWithSelector(GAS_LIMIT_ATTRIBUTE, gasLimit);
    }

    function _supportsGasLimit(address gateway_) private view returns (bool supported) {
        try IERC7786GatewaySource(gateway_).supportsAttribute(GAS_LIMIT_ATTRIBUTE) returns (bool s) {
            supported = s;
        } catch {}
    }

    function _requireNotPaused() internal view {
        if (_settlementPaused) revert FlowEndpointSettlementPaused();
    }

    function _hash(FlowLib.Flow calldata flow) internal pure returns (bytes32) {
        return keccak256(abi.encode(flow));
    }
}
