// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice Settlement pause (invariant I4): while A is paused an arriving OUTCOME is only recorded (ACKNOWLEDGED, no
/// value moves) and `settle` and `claim` revert; while B is paused no target runs. The rule is unchanged: B's clock
/// still expires flows and A never settles on its own clock.
contract FlowEndpoint_pause is CoordinationBase {
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
        emit IFlowEndpoint.SettlementPauseSet(true);
        cA.pauseSettlement();
        assertTrue(cA.settlementPaused());
        vm.expectEmit(address(cA));
        emit IFlowEndpoint.SettlementPauseSet(false);
        cA.unpauseSettlement();
        assertFalse(cA.settlementPaused());
    }

    function test_Outcome_GivenPaused_Acknowledged_SettleAndClaimAfterUnpause() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory execute) = _openDefault();
        bytes memory outcome = _deliverB(execute);
        cA.pauseSettlement();
        // the outcome is still recorded (one write, no value moves) ...
        vm.expectEmit(address(cA));
        emit IFlowEscrow.OutcomeAcknowledged(id, FlowLib.Status.EXECUTED, uint64(tB));
        _deliverA(outcome);
        _assertPhaseA(id, FlowLib.Phase.ACKNOWLEDGED);
        _assertGatewayStatus(gwA, outcome, IConcordGateway.MessageStatus.EXECUTED);
        // ... but nothing settles or pays while paused
        vm.expectRevert(IFlowEndpoint.FlowEndpointSettlementPaused.selector);
        cA.settle(flow);
        _assertPhaseA(id, FlowLib.Phase.ACKNOWLEDGED);
        assertEq(cA.lockedTotal(address(0)), AMOUNT);
        assertEq(cA.owed(beneficiary, address(0)), 0);
        cA.unpauseSettlement();
        vm.prank(stranger); // anyone
        cA.settle(flow);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.lockedTotal(address(0)), 0);
        cA.pauseSettlement();
        vm.expectRevert(IFlowEndpoint.FlowEndpointSettlementPaused.selector);
        cA.claim(beneficiary, address(0));
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
        assertEq(beneficiary.balance, 0);
        cA.unpauseSettlement();
        cA.claim(beneficiary, address(0));
        assertEq(beneficiary.balance, AMOUNT);
    }

    function test_Settle_Idempotent_AfterSettled() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory execute) = _openDefault();
        _deliverA(_deliverB(execute));
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        uint256 owedBefore = cA.owed(beneficiary, address(0));
        vm.recordLogs();
        cA.settle(flow); // no-op
        assertEq(vm.getRecordedLogs().length, 0, "no event");
        assertEq(cA.owed(beneficiary, address(0)), owedBefore);
    }

    function test_Expired_GivenPaused_AcknowledgedThenCompensated() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        tB = flow.deadline + 1;
        bytes memory outcome = _expireB(flow);
        cA.pauseSettlement();
        _deliverA(outcome);
        _assertPhaseA(id, FlowLib.Phase.ACKNOWLEDGED);
        assertEq(uint8(cA.record(id).outcome), uint8(FlowLib.Status.EXPIRED));
        vm.expectRevert(IFlowEndpoint.FlowEndpointSettlementPaused.selector);
        cA.settle(flow);
        assertEq(cA.owed(refundTo, address(0)), 0);
        cA.unpauseSettlement();
        vm.expectEmit(address(cA));
        emit IFlowEscrow.FlowCompensated(id, refundTo, AMOUNT, 0, 0);
        cA.settle(flow);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
    }

    /// @notice Pausing on A, however long, never lets A settle a LOCKED flow on its own clock.
    function test_Pause_NeverEnablesClockSettlement() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        cA.pauseSettlement();
        tA = flow.deadline + 365 days;
        _atA();
        vm.expectRevert(IFlowEndpoint.FlowEndpointSettlementPaused.selector);
        cA.settle(flow);
        cA.unpauseSettlement();
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.LOCKED));
        cA.settle(flow);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    function test_Execute_GivenPaused_StaysPending_RetryAfterUnpause() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory execute) = _openDefault();
        cB.pauseSettlement();
        _atB();
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowAttemptPaused(id);
        gwB.process("", execute);
        // the message is consumed, the flow is PENDING, nothing ran, nothing left B's liquidity
        _assertGatewayStatus(gwB, execute, IConcordGateway.MessageStatus.EXECUTED);
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(target.executions(id), 0);
        assertEq(address(cB).balance, LIQUIDITY);
        vm.expectRevert(IFlowEndpoint.FlowEndpointSettlementPaused.selector);
        cB.retryExecution(flow, "hello");
        _assertStatusB(id, FlowLib.Status.PENDING);
        cB.unpauseSettlement();
        vm.recordLogs();
        cB.retryExecution(flow, "hello");
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(target.executions(id), 1);
        // the retry that executes sends the OUTCOME, whose arrival settles A
        _deliverA(_lastDispatched());
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
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
                IFlowExecutor.FlowExecutorDeadlineNotPassed.selector, id, flow.deadline, flow.deadline
            )
        );
        cB.expire(flow);
        tB = flow.deadline + 1;
        bytes memory outcome = _expireB(flow);
        _assertStatusB(id, FlowLib.Status.EXPIRED);
        _deliverA(outcome);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
        assertEq(target.executions(id), 0);
        // unpausing B later cannot run the expired flow
        cB.unpauseSettlement();
        _atB();
        vm.expectRevert(
            abi.encodeWithSelector(IFlowExecutor.FlowExecutorWrongStatus.selector, id, FlowLib.Status.EXPIRED)
        );
        cB.retryExecution(flow, "hello");
    }

    function test_Pause_OnB_CancelStillTakesEffect() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory execute) = _openDefault();
        cB.pauseSettlement();
        _deliverB(execute);
        bytes memory outcome = _deliverB(_cancel(flow));
        _assertStatusB(id, FlowLib.Status.CANCELLED);
        assertEq(target.executions(id), 0);
        _deliverA(outcome);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
    }
}
