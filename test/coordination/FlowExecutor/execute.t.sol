// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";
import {CoordinationBase, FlowTargetMock} from "../CoordinationBase.t.sol";

/// @notice EXECUTE delivery on B (`FlowExecutor.receiveMessage`) and its attempt: the rule at T, late and repeated
/// EXECUTE, target failures, notBefore, relayer gas, reentrancy, forged or misrouted EXECUTE, and the OUTCOME sent
/// with the decision.
contract FlowExecutor_execute is CoordinationBase {
    // ------------------------------------------------------------------ the rule at T

    function test_Execute_AtDeadline_Succeeds() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        tB = flow.deadline; // exactly T
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(target.executions(id), 1);
        assertEq(target.received(id), AMOUNT);
        assertEq(cB.record(id).decidedAt, flow.deadline);
        // and expire can no longer win, at T or ever after
        vm.expectRevert(
            abi.encodeWithSelector(IFlowExecutor.FlowExecutorWrongStatus.selector, id, FlowLib.Status.EXECUTED)
        );
        cB.expire(flow);
        vm.warp(flow.deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowExecutor.FlowExecutorWrongStatus.selector, id, FlowLib.Status.EXECUTED)
        );
        cB.expire(flow);
    }

    /// @dev A failure to send the OUTCOME (here: B's gateway outbound paused) never undoes B's decision; anyone
    /// exports it later.
    function test_Execute_OutcomeSendFails_DecisionStands_ExportLater() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        gwB.pause(false, true);
        vm.expectEmit(address(cB));
        emit IFlowExecutor.OutcomeExportFailed(
            id, abi.encodeWithSelector(IConcordGateway.ConcordGatewayOutboundPaused.selector)
        );
        bytes memory outcome = _deliverB(message);
        assertEq(outcome.length, 0);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(target.executions(id), 1);
        gwB.unpause(false, true);
        _deliverA(_export(flow));
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
    }

    // ------------------------------------------------------------------ late / repeated EXECUTE

    function test_Execute_AfterExpired_NeverRunsTarget_NotRetryable() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        tB = flow.deadline + 1;
        _expireB(flow);
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowMessageIgnored(id, FlowLib.EXECUTE, FlowLib.Status.EXPIRED);
        _deliverB(message);
        assertEq(target.executions(id), 0);
        _assertStatusB(id, FlowLib.Status.EXPIRED);
        // consumed: the gateway records it EXECUTED (not FAILED), so nothing is left to retry
        _assertGatewayStatus(gwB, message, IConcordGateway.MessageStatus.EXECUTED);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(message)));
        gwB.retry(message, gasLimitOf(message));
    }

    function test_Execute_AfterCancelled_NeverRunsTarget() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverB(_cancel(flow)); // CANCEL overtakes EXECUTE
        _assertStatusB(id, FlowLib.Status.CANCELLED);
        _deliverB(message);
        assertEq(target.executions(id), 0);
        _assertStatusB(id, FlowLib.Status.CANCELLED);
        _assertGatewayStatus(gwB, message, IConcordGateway.MessageStatus.EXECUTED);
    }

    function test_Execute_ArrivingAfterDeadline_RecordsExpired() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        tB = flow.deadline + 1;
        _deliverB(message);
        assertEq(target.executions(id), 0);
        _assertStatusB(id, FlowLib.Status.EXPIRED);
        assertEq(cB.record(id).decidedAt, flow.deadline + 1);
    }

    // ------------------------------------------------------------------ failures and retries

    function test_Execute_TargetFails_NoAbort_StaysPendingAndRetryable() public {
        target.setMode(FlowTargetMock.Mode.REVERT);
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowAttemptFailed(id, false);
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(cB.availableLiquidity(address(0)), LIQUIDITY, "nothing released");
        target.setMode(FlowTargetMock.Mode.ACCEPT);
        vm.prank(stranger);
        cB.retryExecution(flow, "hello");
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(target.executions(id), 1);
        assertEq(cB.availableLiquidity(address(0)), LIQUIDITY - AMOUNT);
    }

    function test_Execute_TargetFails_AbortOnFail_Failed() public {
        target.setMode(FlowTargetMock.Mode.WRONG_MAGIC);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.abortOnFail = true;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.FAILED);
        assertEq(target.executions(id), 0);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowExecutor.FlowExecutorWrongStatus.selector, id, FlowLib.Status.FAILED)
        );
        cB.retryExecution(flow, "x");
    }

    function test_Execute_TargetBurnsItsGas_AbortOnFail_Failed() public {
        target.setMode(FlowTargetMock.Mode.BURN_GAS);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.abortOnFail = true;
        (bytes32 id,, bytes memory message) = _open(req, "x");
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.FAILED);
        assertEq(cB.availableLiquidity(address(0)), LIQUIDITY);
    }

    // ------------------------------------------------------------------ notBefore

    function test_Execute_BeforeNotBefore_WaitsThenRuns() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.notBefore = uint64(tA + 30 minutes);
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowDelivered(id, CHAIN_A);
        assertEq(_deliverB(message).length, 0, "no OUTCOME while PENDING");
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(target.executions(id), 0);
        vm.expectRevert(abi.encodeWithSelector(IFlowExecutor.FlowExecutorTooEarly.selector, id, flow.notBefore, tB));
        cB.retryExecution(flow, "x");
        vm.warp(flow.notBefore);
        cB.retryExecution(flow, "x");
        _assertStatusB(id, FlowLib.Status.EXECUTED);
    }

    // ------------------------------------------------------------------ gas

    function test_Process_RevertWhen_RelayerGivesTooLittleGas_FlowUntouched() public {
        (bytes32 id,, bytes memory message) = _openDefault();
        _atB();
        vm.expectRevert(); // ConcordGatewayInsufficientGas: the whole delivery reverts
        gwB.process{gas: 300_000}("", message);
        _assertStatusB(id, FlowLib.Status.NONE);
        _assertGatewayStatus(gwB, message, IConcordGateway.MessageStatus.NONE);
        gwB.process("", message);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
    }

    // ------------------------------------------------------------------ reentrancy

    function test_Execute_TargetReentry_Blocked() public {
        target.setMode(FlowTargetMock.Mode.REENTER);
        (bytes32 id,, bytes memory message) = _openDefault();
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertTrue(target.reentryBlocked());
        assertEq(target.executions(id), 1);
    }

    // ------------------------------------------------------------------ forged / misrouted EXECUTE

    function test_Execute_RevertWhen_UntrustedEscrow() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        // same flow, sent by another contract on A: the gateway records FAILED, the flow is untouched
        flow.escrow = stranger;
        bytes memory forged = _forge(CHAIN_A, stranger, CHAIN_B, address(cB), FlowLib.encodeExecute(flow, "hello"));
        _deliverB(forged);
        _assertGatewayStatus(gwB, forged, IConcordGateway.MessageStatus.FAILED);
        assertEq(target.totalExecutions(), 0);
        _assertStatusB(id, FlowLib.Status.NONE);
    }

    function test_Execute_RevertWhen_SenderIsNotTheFlowOrigin() public {
        (, FlowLib.Flow memory flow,) = _openDefault();
        // the trusted A coordinator address, but claimed from chain C
        bytes memory forged = _forge(CHAIN_C, address(cA), CHAIN_B, address(cB), FlowLib.encodeExecute(flow, "hello"));
        _deliverB(forged);
        _assertGatewayStatus(gwB, forged, IConcordGateway.MessageStatus.FAILED);
        assertEq(target.totalExecutions(), 0);
    }

    function test_Execute_RevertWhen_PayloadMismatch() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        bytes memory forged = _forge(CHAIN_A, address(cA), CHAIN_B, address(cB), FlowLib.encodeExecute(flow, "evil"));
        _deliverB(forged);
        _assertGatewayStatus(gwB, forged, IConcordGateway.MessageStatus.FAILED);
        _assertStatusB(id, FlowLib.Status.NONE);
    }

    /// @notice An EXECUTE that runs at once decides the flow in one write: the attempt's events report it, no
    /// FlowDelivered (that event means "PENDING until notBefore").
    function test_Execute_Immediate_NoFlowDelivered() public {
        (bytes32 id,, bytes memory message) = _openDefault();
        vm.recordLogs();
        _atB();
        gwB.process("", message);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool executed;
        for (uint256 i = 0; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != IFlowExecutor.FlowDelivered.selector, "no FlowDelivered");
            if (logs[i].topics[0] == IFlowExecutor.FlowExecuted.selector) executed = true;
        }
        assertTrue(executed);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
    }
}
