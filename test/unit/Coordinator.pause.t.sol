// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IFlowCoordinator} from "../../contracts/interfaces/IFlowCoordinator.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {CoordinatorBase} from "./CoordinatorBase.t.sol";

/// @notice Settlement pause (ARCHITECTURE I4): while paused, finalize, compensate, claim and retry change no state
/// and no target runs, yet the rule is unchanged: B's clock still expires flows and A never settles on its own clock.
contract Coordinator_pause is CoordinatorBase {
    function test_Pause_RevertWhen_NotAuthority() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.pauseSettlement();
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.unpauseSettlement();
        vm.stopPrank();
    }

    function test_Pause_Unpause_Emit() public {
        vm.expectEmit(address(cA));
        emit IFlowCoordinator.SettlementPauseSet(true);
        cA.pauseSettlement();
        assertTrue(cA.settlementPaused());
        vm.expectEmit(address(cA));
        emit IFlowCoordinator.SettlementPauseSet(false);
        cA.unpauseSettlement();
        assertFalse(cA.settlementPaused());
    }

    function test_Finalize_Claim_RevertGiven_Paused_ThenSettleAfterUnpause() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory execute) = _openDefault();
        _deliverB(execute);
        cA.pauseSettlement();
        // the acknowledgement is still recorded (one write, no value moves) ...
        _deliverA(_export(flow));
        _assertPhaseA(id, FlowLib.Phase.ACKNOWLEDGED);
        // ... but nothing settles or pays while paused
        vm.expectRevert(IFlowCoordinator.FlowCoordinatorSettlementPaused.selector);
        cA.finalize(flow);
        _assertPhaseA(id, FlowLib.Phase.ACKNOWLEDGED);
        assertEq(cA.lockedTotal(address(0)), AMOUNT);
        cA.unpauseSettlement();
        cA.finalize(flow);
        cA.pauseSettlement();
        vm.expectRevert(IFlowCoordinator.FlowCoordinatorSettlementPaused.selector);
        cA.claim(beneficiary, address(0));
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
        assertEq(beneficiary.balance, 0);
        cA.unpauseSettlement();
        cA.claim(beneficiary, address(0));
        assertEq(beneficiary.balance, AMOUNT);
    }

    function test_Compensate_RevertGiven_Paused() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        tB = flow.deadline + 1;
        _expireB(flow);
        _deliverA(_export(flow));
        cA.pauseSettlement();
        vm.expectRevert(IFlowCoordinator.FlowCoordinatorSettlementPaused.selector);
        cA.compensate(flow);
        _assertPhaseA(id, FlowLib.Phase.ACKNOWLEDGED);
        assertEq(cA.owed(refundTo, address(0)), 0);
        cA.unpauseSettlement();
        cA.compensate(flow);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
    }

    /// @notice Pausing on A, however long, never lets A settle a LOCKED flow on its own clock.
    function test_Pause_NeverEnablesClockSettlement() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        cA.pauseSettlement();
        tA = flow.deadline + 365 days;
        _atA();
        vm.expectRevert(IFlowCoordinator.FlowCoordinatorSettlementPaused.selector);
        cA.compensate(flow);
        cA.unpauseSettlement();
        vm.expectRevert(
            abi.encodeWithSelector(IFlowCoordinator.FlowCoordinatorWrongPhase.selector, id, FlowLib.Phase.LOCKED)
        );
        cA.compensate(flow);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    function test_Execute_GivenPaused_StaysPending_RetryAfterUnpause() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory execute) = _openDefault();
        cB.pauseSettlement();
        _atB();
        vm.expectEmit(address(cB));
        emit IFlowCoordinator.FlowAttemptPaused(id);
        gwB.process("", execute);
        // the message is consumed, the flow is PENDING, nothing ran, nothing left B's liquidity
        _assertGatewayStatus(gwB, execute, IConcordGateway.MessageStatus.EXECUTED);
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(target.executions(id), 0);
        assertEq(address(cB).balance, LIQUIDITY);
        vm.expectRevert(IFlowCoordinator.FlowCoordinatorSettlementPaused.selector);
        cB.retryExecution(flow, "hello");
        _assertStatusB(id, FlowLib.Status.PENDING);
        cB.unpauseSettlement();
        cB.retryExecution(flow, "hello");
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(target.executions(id), 1);
    }

    /// @notice Pausing B never changes the rule: past T the flow expires as always, and A compensates it.
    function test_Pause_OnB_FlowStillExpiresAfterDeadline() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory execute) = _openDefault();
        cB.pauseSettlement();
        _deliverB(execute);
        tB = flow.deadline; // at T: not expirable yet, even paused
        _atB();
        vm.expectRevert(
            abi.encodeWithSelector(
                IFlowCoordinator.FlowCoordinatorDeadlineNotPassed.selector, id, flow.deadline, flow.deadline
            )
        );
        cB.expire(flow);
        tB = flow.deadline + 1;
        _expireB(flow);
        _assertStatusB(id, FlowLib.Status.EXPIRED);
        _deliverA(_export(flow));
        cA.compensate(flow);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
        assertEq(target.executions(id), 0);
        // unpausing B later cannot run the expired flow
        cB.unpauseSettlement();
        _atB();
        vm.expectRevert(
            abi.encodeWithSelector(IFlowCoordinator.FlowCoordinatorWrongStatus.selector, id, FlowLib.Status.EXPIRED)
        );
        cB.retryExecution(flow, "hello");
    }

    function test_Pause_OnB_CancelStillTakesEffect() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory execute) = _openDefault();
        cB.pauseSettlement();
        _deliverB(execute);
        _deliverB(_cancel(flow));
        _assertStatusB(id, FlowLib.Status.CANCELLED);
        assertEq(target.executions(id), 0);
    }
}
