// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice Acknowledgement routes pinned at open and their timelocked, append-only governance. The second transport
/// is a second pair of real Concord gateways (route 2): any ERC-7786 gateway is a transport to the escrow and the
/// executor.
contract FlowEndpoint_routes is CoordinationBase {
    uint8 internal constant ROUTE = 2;
    uint16 internal constant ROUTE_BIT = uint16(1) << ROUTE;

    ConcordGateway internal gwA2;
    ConcordGateway internal gwB2;

    function setUp() public override {
        super.setUp();
        gwA2 = new ConcordGateway(CHAIN_A, address(manager), 200_000, 8192);
        gwB2 = new ConcordGateway(CHAIN_B, address(manager), 200_000, 8192);
        _route(gwB2, CHAIN_A, address(gwA2));
        _route(gwA2, CHAIN_B, address(gwB2));
        _route(gwA2, CHAIN_C, makeAddr("gwC"));
    }

    /// @dev Schedules route `ROUTE` on both sides, waits out the delay on both clocks and activates it.
    function _activateRoute() internal {
        _atA();
        cA.scheduleAckRoute(ROUTE, address(gwA2));
        _atB();
        cB.scheduleAckRoute(ROUTE, address(gwB2));
        tA += cA.routeDelay();
        tB += cB.routeDelay();
        _atA();
        cA.activateAckRoute(ROUTE);
        _atB();
        cB.activateAckRoute(ROUTE);
    }

    /// @dev Opens a flow pinning `ackRoutes` and executes it on B; the OUTCOME B sent over the primary gateway in the
    /// same transaction is not delivered (lost), so A is still LOCKED.
    function _openPinned(uint16 ackRoutes) internal returns (bytes32 id, FlowLib.Flow memory flow) {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.ackRoutes = ackRoutes;
        bytes memory message;
        (id, flow, message) = _open(req, "hello");
        assertEq(flow.ackRoutes, ackRoutes);
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    /// @dev Exports over route `routeId` on B at B's clock and returns the OUTCOME message.
    function _exportVia(FlowLib.Flow memory flow, uint8 routeId) internal returns (bytes memory message) {
        _atB();
        vm.recordLogs();
        cB.exportOutcome(flow, routeId);
        message = _lastDispatched();
    }

    // ------------------------------------------------------------------ governance

    function test_ScheduleAckRoute_ActivatesOnlyAfterDelay() public {
        uint64 delay = cA.routeDelay();
        assertEq(delay, 2 * HORIZON);
        uint64 activeAt = uint64(tA) + delay;
        vm.expectEmit(address(cA));
        emit IFlowEndpoint.AckRouteScheduled(ROUTE, address(gwA2), activeAt);
        cA.scheduleAckRoute(ROUTE, address(gwA2));
        IFlowEndpoint.AckRoute memory route = cA.ackRoute(ROUTE);
        assertEq(route.gateway, address(gwA2));
        assertEq(route.activeAt, activeAt);
        assertFalse(route.active);
        assertTrue(route.gasLimitSupported);

        // scheduled but not active: a flow cannot pin it, nothing can activate it early
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.ackRoutes = ROUTE_BIT;
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteNotActive.selector, ROUTE));
        cA.open{value: AMOUNT}(req, "");
        vm.warp(activeAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteNotReady.selector, ROUTE, activeAt));
        cA.activateAckRoute(ROUTE);

        vm.warp(activeAt);
        vm.expectEmit(address(cA));
        emit IFlowEndpoint.AckRouteActivated(ROUTE, address(gwA2));
        vm.prank(stranger); // anyone activates once the delay has passed
        cA.activateAckRoute(ROUTE);
        assertTrue(cA.ackRoute(ROUTE).active);
        req.deadline = uint64(activeAt + 1 hours);
        vm.prank(opener);
        (, FlowLib.Flow memory flow) = cA.open{value: AMOUNT}(req, "");
        assertEq(flow.ackRoutes, ROUTE_BIT);
    }

    function test_ScheduledRoute_NotUsableBeforeActivation() public {
        // route scheduled on both sides, flow without it; a message through the scheduled gateway is refused
        cA.scheduleAckRoute(ROUTE, address(gwA2));
        (bytes32 id, FlowLib.Flow memory flow) = _openPinned(0);
        bytes memory outcome =
            _forge(CHAIN_B, address(cB), CHAIN_A, address(cA), FlowLib.encodeOutcome(flow, FlowLib.Status.EXECUTED, 1));
        _atA();
        gwA2.process("", outcome);
        _assertGatewayStatus(gwA2, outcome, IConcordGateway.MessageStatus.FAILED);
        assertEq(
            gwA2.failedRevertDataHash(keccak256(outcome)),
            keccak256(
                abi.encodeWithSelector(
                    ERC7786Recipient.ERC7786RecipientUnauthorizedGateway.selector,
                    address(gwA2),
                    InteroperableAddress.formatEvmV1(CHAIN_B, address(cB))
                )
            )
        );
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    function test_ScheduleAckRoute_RevertWhen_RouteAlreadySet() public {
        cA.scheduleAckRoute(ROUTE, address(gwA2));
        // neither before activation ...
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteExists.selector, ROUTE, address(gwA2)));
        cA.scheduleAckRoute(ROUTE, address(gwB2));
        // ... nor after it
        vm.warp(tA + cA.routeDelay());
        cA.activateAckRoute(ROUTE);
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteExists.selector, ROUTE, address(gwA2)));
        cA.scheduleAckRoute(ROUTE, address(gwB2));
        assertEq(cA.ackRoute(ROUTE).gateway, address(gwA2));
        // activating twice is refused too
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteExists.selector, ROUTE, address(gwA2)));
        cA.activateAckRoute(ROUTE);
    }

    function test_ScheduleAckRoute_RevertWhen_InvalidIdOrGateway() public {
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRoute.selector, uint8(0)));
        cA.scheduleAckRoute(0, address(gwA2));
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRoute.selector, uint8(16)));
        cA.scheduleAckRoute(16, address(gwA2));
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRouteGateway.selector, address(gwA)));
        cA.scheduleAckRoute(ROUTE, address(gwA)); // the primary
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRouteGateway.selector, stranger));
        cA.scheduleAckRoute(ROUTE, stranger); // no code
        cA.scheduleAckRoute(ROUTE, address(gwA2));
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRouteGateway.selector, address(gwA2)));
        cA.scheduleAckRoute(ROUTE + 1, address(gwA2)); // one gateway backs one route
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRoute.selector, uint8(7)));
        cA.activateAckRoute(7); // never scheduled
    }

    function test_RouteAdmin_RevertWhen_NotAuthority() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.scheduleAckRoute(ROUTE, address(gwA2));
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setRouteDelay(30 days);
        vm.stopPrank();
    }

    function test_SetRouteDelay_RevertWhen_NotLongerThanMaxHorizon() public {
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRouteDelay.selector, HORIZON, HORIZON));
        cA.setRouteDelay(HORIZON);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRouteDelay.selector, HORIZON - 1, HORIZON)
        );
        cA.setRouteDelay(HORIZON - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRouteDelay.selector, type(uint64).max, HORIZON)
        );
        cA.setRouteDelay(type(uint64).max);
        vm.expectEmit(address(cA));
        emit IFlowEndpoint.RouteDelaySet(HORIZON + 1);
        cA.setRouteDelay(HORIZON + 1);
        assertEq(cA.routeDelay(), HORIZON + 1);
    }

    function test_Constructor_RouteDelayStartsAtTwiceTheHorizon() public {
        vm.expectEmit();
        emit IFlowEndpoint.RouteDelaySet(2 * HORIZON);
        FlowEscrow c = new FlowEscrow(address(gwA2), CHAIN_A, address(manager), HORIZON);
        assertEq(c.routeDelay(), 2 * HORIZON);
        assertGt(c.routeDelay(), c.maxHorizon());
        uint64 tooLong = 5 * 365 days + 1;
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidMaxHorizon.selector, tooLong));
        new FlowEscrow(address(gwA2), CHAIN_A, address(manager), tooLong);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidMaxHorizon.selector, uint64(0)));
        new FlowEscrow(address(gwA2), CHAIN_A, address(manager), 0);
    }

    function test_SetMaxHorizon_RevertWhen_NotShorterThanRouteDelay() public {
        uint64 delay = cA.routeDelay();
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRouteDelay.selector, delay, delay));
        cA.setMaxHorizon(delay);
        cA.setMaxHorizon(delay - 1);
        assertEq(cA.maxHorizon(), delay - 1);
    }

    // ------------------------------------------------------------------ open

    function test_Open_RevertWhen_AckRoutesInvalid() public {
        _activateRoute();
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.ackRoutes = 1; // bit 0 is the primary, implicit
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidAckRoutes.selector, uint16(1)));
        cA.open{value: AMOUNT}(req, "");
        req.ackRoutes = ROUTE_BIT | (uint16(1) << 15); // route 15 never scheduled
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteNotActive.selector, uint8(15)));
        cA.open{value: AMOUNT}(req, "");
    }

    // ------------------------------------------------------------------ acknowledgement over a route

    function test_Ack_ViaPinnedRoute_Accepted() public {
        _activateRoute();
        (bytes32 id, FlowLib.Flow memory flow) = _openPinned(ROUTE_BIT);
        bytes memory outcome = _exportVia(flow, ROUTE);
        _atA();
        vm.expectEmit(address(cA));
        emit IFlowEscrow.FlowFinalized(id, beneficiary, AMOUNT, 0, 0);
        gwA2.process("", outcome);
        _assertGatewayStatus(gwA2, outcome, IConcordGateway.MessageStatus.EXECUTED);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
    }

    function test_Ack_ViaUnpinnedRoute_Rejected() public {
        _activateRoute();
        (bytes32 id, FlowLib.Flow memory flow) = _openPinned(0);
        // B refuses to export over a route the flow did not pin ...
        _atB();
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteNotPinned.selector, id, ROUTE));
        cB.exportOutcome(flow, ROUTE);
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteNotPinned.selector, id, uint8(16)));
        cB.exportOutcome(flow, 16);
        // ... and A refuses an OUTCOME arriving through it, even from the right (chain, coordinator)
        bytes memory outcome = _forge(
            CHAIN_B, address(cB), CHAIN_A, address(cA), FlowLib.encodeOutcome(flow, FlowLib.Status.EXECUTED, uint64(tB))
        );
        _deliverViaA2(outcome);
        _assertGatewayStatus(gwA2, outcome, IConcordGateway.MessageStatus.FAILED);
        assertEq(
            gwA2.failedRevertDataHash(keccak256(outcome)),
            keccak256(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteNotPinned.selector, id, ROUTE))
        );
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
        // the primary still works
        _deliverA(_export(flow));
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
    }

    function test_Ack_ViaRoute_RevertWhen_WrongSender() public {
        _activateRoute();
        (bytes32 id, FlowLib.Flow memory flow) = _openPinned(ROUTE_BIT);
        bytes memory forged = _forge(
            CHAIN_B, stranger, CHAIN_A, address(cA), FlowLib.encodeOutcome(flow, FlowLib.Status.EXECUTED, uint64(tB))
        );
        _deliverViaA2(forged);
        _assertGatewayStatus(gwA2, forged, IConcordGateway.MessageStatus.FAILED);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    function test_ExportOutcome_RevertWhen_RouteNotActiveOnB() public {
        // route 3 is active on A (so a flow may pin it) but B never configured it
        _activateRoute();
        ConcordGateway gwA3 = new ConcordGateway(CHAIN_A, address(manager), 200_000, 8192);
        _route(gwA3, CHAIN_B, address(gwB));
        _atA();
        cA.scheduleAckRoute(3, address(gwA3));
        tA += cA.routeDelay();
        tB = tA;
        _atA();
        cA.activateAckRoute(3);
        (, FlowLib.Flow memory flow) = _openPinned(uint16(1) << 3);
        _atB();
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointRouteNotActive.selector, uint8(3)));
        cB.exportOutcome(flow, 3);
    }

    function test_Execute_Cancel_Guard_ViaRoute_Rejected() public {
        _activateRoute();
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.ackRoutes = ROUTE_BIT;
        (bytes32 id, FlowLib.Flow memory flow,) = _open(req, "hello");
        bytes memory execute = _forge(CHAIN_A, address(cA), CHAIN_B, address(cB), FlowLib.encodeExecute(flow, "hello"));
        bytes memory cancelMsg = _forge(CHAIN_A, address(cA), CHAIN_B, address(cB), FlowLib.encodeCancel(flow));
        bytes memory guard = _forge(CHAIN_A, stranger, CHAIN_B, address(cB), FlowLib.encodeGuard(bytes32("k")));
        _atB();
        gwB2.process("", execute);
        gwB2.process("", cancelMsg);
        gwB2.process("", guard);
        _assertGatewayStatus(gwB2, execute, IConcordGateway.MessageStatus.FAILED);
        _assertGatewayStatus(gwB2, cancelMsg, IConcordGateway.MessageStatus.FAILED);
        _assertGatewayStatus(gwB2, guard, IConcordGateway.MessageStatus.FAILED);
        // B's executor accepts nothing but its primary gateway (routes only carry outcomes towards A)
        assertEq(
            gwB2.failedRevertDataHash(keccak256(execute)),
            keccak256(
                abi.encodeWithSelector(
                    ERC7786Recipient.ERC7786RecipientUnauthorizedGateway.selector,
                    address(gwB2),
                    InteroperableAddress.formatEvmV1(CHAIN_A, address(cA))
                )
            )
        );
        _assertStatusB(id, FlowLib.Status.NONE);
        assertEq(target.executions(id), 0);
        assertFalse(cB.guardSatisfied(CHAIN_A, stranger, bytes32("k")));
    }

    /// @notice The primary loses the OUTCOME B sent when it executed; anyone re-exports over route 2; A settles exactly
    /// once on its arrival, and the late copy over the primary is ignored.
    function test_LostAckOverPrimary_ReexportOverRoute_SettlesOnce() public {
        _activateRoute();
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.ackRoutes = ROUTE_BIT;
        req.executionFee = 0.01 ether;
        req.ackFee = 0.01 ether;
        req.feeRecipient = feeRecipient;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory execute) = _open(req, "hello");
        bytes memory lost = _deliverB(execute); // the OUTCOME sent with the execution: never delivered (yet)
        tA += 30 days; // A's clock far past T: still LOCKED, nothing settles on A's clock
        _atA();
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.LOCKED));
        cA.settle(flow);
        bytes memory viaRoute = _exportVia(flow, ROUTE);
        _deliverViaA2(viaRoute);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        // the lost copy finally arrives over the primary: consumed, ignored
        _atA();
        vm.expectEmit(address(cA));
        emit IFlowEscrow.OutcomeIgnored(id, FlowLib.Status.EXECUTED);
        gwA.process("", lost);
        // a second re-export over the route is ignored too, and `settle` is a no-op
        _deliverViaA2(_exportVia(flow, ROUTE));
        cA.settle(flow);
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
        assertEq(cA.owed(feeRecipient, address(0)), 0.02 ether);
        assertEq(cA.lockedTotal(address(0)), 0);
        assertEq(target.executions(id), 1);
    }

    function _deliverViaA2(bytes memory message) internal {
        _atA();
        gwA2.process("", message);
    }
}
