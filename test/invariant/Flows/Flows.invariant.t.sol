// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {FlowExecutor} from "../../../contracts/coordination/FlowExecutor.sol";
import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {MockTrustAllVerifier} from "../../../contracts/mocks/MockTrustAllVerifier.sol";
import {FlowTargetMock} from "../../coordination/CoordinationBase.t.sol";
import {FlowHandler} from "./FlowHandler.sol";
import {FlowStore} from "./FlowStore.sol";

/// @notice Flows suite: I5 under arbitrary interleavings of open, both clocks, EXECUTE relayed with any gas, retry,
/// expire, cancel, OUTCOMEs (sent by every decision, re-exported) relayed duplicated and out of order, forged
/// OUTCOMEs and EXECUTEs, a rogue escrow, settle and claim, over two transports (acknowledgement route 2), with the
/// guardian pausing and unpausing settlement on either chain. See README.md.
contract FlowsInvariantTest is Test {
    FlowStore internal store;
    FlowHandler internal handler;
    FlowEscrow internal cA;
    FlowExecutor internal cB;
    FlowTargetMock internal target;

    /// @dev Enrolls `origin` on `destination` with a trust-all verifier bound to `originGateway`.
    function _route(ConcordGateway destination, uint32 origin, address originGateway) internal {
        MockTrustAllVerifier verifier = new MockTrustAllVerifier();
        verifier.setOriginGateway(origin, originGateway);
        destination.setRoute(origin, address(verifier), originGateway);
    }

    function setUp() public {
        vm.warp(1_700_000_000);
        AccessManager manager = new AccessManager(address(this));
        ConcordGateway gwA = new ConcordGateway(1, address(manager), 200_000, 8192);
        ConcordGateway gwB = new ConcordGateway(10, address(manager), 200_000, 8192);
        _route(gwB, 1, address(gwA));
        _route(gwA, 10, address(gwB));
        cA = new FlowEscrow(address(gwA), 1, address(manager), 1 days);
        cB = new FlowExecutor(address(gwB), 10, address(manager), 2 days);
        cA.setRemote(10, address(cB));
        cB.setRemote(1, address(cA));
        cA.setLane(10, address(0), address(0), address(0xB0B));
        cB.setLane(1, address(0), address(0), address(0xB0B));
        // The attacker's own escrow on A (its own AccessManager), pointed at B's executor with the same lane.
        AccessManager attackerManager = new AccessManager(address(this));
        FlowEscrow rogue = new FlowEscrow(address(gwA), 1, address(attackerManager), 1 days);
        rogue.setRemote(10, address(cB));
        rogue.setLane(10, address(0), address(0), address(0xB0B));
        // A second transport: acknowledgement route 2 on both chains, active after the route delay.
        ConcordGateway gwA2 = new ConcordGateway(1, address(manager), 200_000, 8192);
        ConcordGateway gwB2 = new ConcordGateway(10, address(manager), 200_000, 8192);
        _route(gwB2, 1, address(gwA2));
        _route(gwA2, 10, address(gwB2));
        // Chain C exists for the forgers: messages from it reach every gateway (trust-all).
        _route(gwA, 8453, address(0xC0C));
        _route(gwA2, 8453, address(0xC0C));
        _route(gwB, 8453, address(0xC0C));
        cA.scheduleAckRoute(2, address(gwA2));
        cB.scheduleAckRoute(2, address(gwB2));
        vm.warp(block.timestamp + cA.routeDelay());
        cA.activateAckRoute(2);
        cB.activateAckRoute(2);
        target = new FlowTargetMock();
        vm.deal(address(cB), 60 ether); // B-side liquidity: less than the fuzzer can lock, so shortages happen
        store = new FlowStore();
        handler = new FlowHandler([gwA, gwB, gwA2, gwB2], cA, cB, rogue, target, store);
        // The handler is the guardian: it may pause and unpause settlement on both coordinators.
        uint64 guardian = 1;
        bytes4[] memory pauseSelectors = new bytes4[](2);
        pauseSelectors[0] = IFlowEndpoint.pauseSettlement.selector;
        pauseSelectors[1] = IFlowEndpoint.unpauseSettlement.selector;
        manager.setTargetFunctionRole(address(cA), pauseSelectors, guardian);
        manager.setTargetFunctionRole(address(cB), pauseSelectors, guardian);
        manager.grantRole(guardian, address(handler), 0);

        bytes4[] memory selectors = new bytes4[](22);
        selectors[0] = FlowHandler.open.selector;
        selectors[1] = FlowHandler.open.selector;
        selectors[2] = FlowHandler.warpA.selector;
        selectors[3] = FlowHandler.warpB.selector;
        selectors[4] = FlowHandler.relayExecute.selector;
        selectors[5] = FlowHandler.relayExecute.selector;
        selectors[6] = FlowHandler.retry.selector;
        selectors[7] = FlowHandler.expire.selector;
        selectors[8] = FlowHandler.cancel.selector;
        selectors[9] = FlowHandler.relayCancel.selector;
        selectors[10] = FlowHandler.exportOutcome.selector;
        selectors[11] = FlowHandler.relayAck.selector;
        selectors[12] = FlowHandler.relayAck.selector;
        selectors[13] = FlowHandler.forgeAck.selector;
        selectors[14] = FlowHandler.settle.selector;
        selectors[15] = FlowHandler.forgeExecute.selector;
        selectors[16] = FlowHandler.claim.selector;
        selectors[17] = FlowHandler.setTargetFailing.selector;
        selectors[18] = FlowHandler.bumpFees.selector;
        selectors[19] = FlowHandler.setPaused.selector;
        selectors[20] = FlowHandler.openViaRogue.selector;
        selectors[21] = FlowHandler.relayAck.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// forge-config: default.invariant.depth = 200
    function invariant_NoViolationRecorded() public view {
        assertEq(store.violationCount(), 0, store.firstViolation());
    }

    /// @notice I5 and accounting: see FlowStore.check.
    /// forge-config: default.invariant.depth = 200
    function invariant_I5_NeverBothAndValueConserved() public view {
        assertEq(store.check(cA, cB, target), "");
    }

    /// @notice B's liquidity only ever pays executed flows: what left B equals what targets received.
    /// forge-config: default.invariant.depth = 200
    function invariant_B_ReleasedEqualsTargetReceipts() public view {
        assertEq(60 ether - address(cB).balance, address(target).balance);
    }

    /// @notice Non-vacuity: every run opens flows (the properties are evaluated over real flows).
    function afterInvariant() public view {
        assertGt(store.counters("open"), 0, "no flow opened");
        bytes32[19] memory names = [
            bytes32("open"),
            "relayExecute",
            "outcomeOnExecute",
            "outcomeOnRetry",
            "outcomeOnExpire",
            "outcomeOnCancel",
            "exportOutcome",
            "exportOutcomeRoute",
            "relayAck",
            "settle",
            "claim",
            "relayCancel",
            "pause",
            "unpause",
            "blockedWhilePausedA",
            "blockedWhilePausedB",
            "forgeAck",
            "forgeExecute",
            "openViaRogue"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
            console.log(string(abi.encodePacked(names[i])), store.counters(names[i]));
        }
    }
}
