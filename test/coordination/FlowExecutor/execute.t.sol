// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";
import {Vm} from "forge-std/Vm.sol";

import {FlowExecutor} from "../../../contracts/coordination/FlowExecutor.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";
import {CoordinationBase, FlowTargetMock, FlowTestToken} from "../CoordinationBase.t.sol";

/// @notice B side (`FlowExecutor`): execution window, expiry, cancellation, late/duplicate messages, gas, liquidity,
/// and the OUTCOME sent with every decision (and re-exported on demand).
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

    function test_Expire_RevertWhen_AtDeadline() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.warp(flow.deadline);
        vm.expectRevert(
            abi.encodeWithSelector(
                IFlowExecutor.FlowExecutorDeadlineNotPassed.selector, id, flow.deadline, flow.deadline
            )
        );
        cB.expire(flow);
        _assertStatusB(id, FlowLib.Status.NONE);
    }

    function test_Expire_AfterDeadline_NoInboundMessage_Succeeds() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.warp(flow.deadline + 1);
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowExpired(id, flow.deadline + 1);
        cB.expire(flow);
        _assertStatusB(id, FlowLib.Status.EXPIRED);
        assertEq(cB.record(id).decidedAt, flow.deadline + 1);
    }

    function test_Expire_RevertGiven_AlreadyExpired() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.warp(flow.deadline + 1);
        cB.expire(flow);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowExecutor.FlowExecutorWrongStatus.selector, id, FlowLib.Status.EXPIRED)
        );
        cB.expire(flow);
    }

    /// @dev Another executor (on the same domain) is not the flow's: it refuses every action on it.
    function test_Expire_Retry_Export_RevertWhen_AnotherExecutor() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        FlowExecutor other = new FlowExecutor(address(gwB), CHAIN_B, address(manager), ROUTE_DELAY_B);
        vm.warp(flow.deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IFlowExecutor.FlowExecutorForeignFlow.selector, id));
        other.expire(flow);
        vm.expectRevert(abi.encodeWithSelector(IFlowExecutor.FlowExecutorForeignFlow.selector, id));
        other.retryExecution(flow, "hello");
        vm.expectRevert(abi.encodeWithSelector(IFlowExecutor.FlowExecutorForeignFlow.selector, id));
        other.exportOutcome(flow, 0);
    }

    /// @dev `expire` sends the OUTCOME in the same transaction: one keeper transaction on the timeout path.
    function test_Expire_SendsTheOutcome() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        tB = flow.deadline + 1;
        bytes memory outcome = _expireB(flow);
        _deliverA(outcome);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
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

    function test_Expire_RevertWhen_DeadlineForged() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        vm.warp(flow.deadline + 1);
        flow.deadline -= 1 hours; // a different id: cannot touch the real flow
        cB.expire(flow);
        _assertStatusB(id, FlowLib.Status.NONE);
        tB = flow.deadline + 1 hours; // original T
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
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

    function test_Cancel_AfterExecuted_Ignored() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        bytes memory cancelMessage = _cancel(flow);
        _deliverB(message);
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowMessageIgnored(id, FlowLib.CANCEL, FlowLib.Status.EXECUTED);
        _deliverB(cancelMessage);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
    }

    function test_Cancel_WhilePending_TakesEffect() public {
        target.setMode(FlowTargetMock.Mode.REVERT);
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        _deliverB(_cancel(flow));
        _assertStatusB(id, FlowLib.Status.CANCELLED);
        target.setMode(FlowTargetMock.Mode.ACCEPT);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowExecutor.FlowExecutorWrongStatus.selector, id, FlowLib.Status.CANCELLED)
        );
        cB.retryExecution(flow, "hello");
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

    function test_Retry_RevertGiven_AfterDeadline_ThenExpire() public {
        target.setMode(FlowTargetMock.Mode.REVERT);
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverB(message);
        vm.warp(flow.deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IFlowExecutor.FlowExecutorDeadlinePassed.selector, id, flow.deadline, flow.deadline + 1
            )
        );
        cB.retryExecution(flow, "hello");
        cB.expire(flow);
        _assertStatusB(id, FlowLib.Status.EXPIRED);
    }

    function test_Retry_RevertGiven_NotDelivered() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.expectRevert(abi.encodeWithSelector(IFlowExecutor.FlowExecutorWrongStatus.selector, id, FlowLib.Status.NONE));
        cB.retryExecution(flow, "hello");
    }

    function test_Retry_RevertWhen_PayloadMismatch() public {
        target.setMode(FlowTargetMock.Mode.REVERT);
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverB(message);
        vm.expectRevert(abi.encodeWithSelector(IFlowExecutor.FlowExecutorPayloadMismatch.selector, id));
        cB.retryExecution(flow, "other");
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

    function test_Retry_RevertWhen_CallerGivesTooLittleGas_FlowUntouched() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.executionGas = 1_000_000;
        req.abortOnFail = true;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        // keep it PENDING (a liquidity shortage never FAILs a flow)
        vm.deal(address(cB), 0);
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        vm.deal(address(cB), LIQUIDITY);
        // A griefer retrying with too little gas must revert, never FAILED (abortOnFail is set).
        vm.expectPartialRevert(IFlowExecutor.FlowExecutorInsufficientGas.selector);
        cB.retryExecution{gas: 600_000}(flow, "x");
        _assertStatusB(id, FlowLib.Status.PENDING);
        cB.retryExecution(flow, "x");
        _assertStatusB(id, FlowLib.Status.EXECUTED);
    }

    // ------------------------------------------------------------------ liquidity

    function test_Execute_InsufficientLiquidity_StaysPending_EvenWithAbortOnFail() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.abortOnFail = true;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        vm.deal(address(cB), AMOUNT - 1);
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowAttemptFailed(id, true);
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        vm.deal(address(cB), AMOUNT);
        cB.retryExecution(flow, "x");
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(address(cB).balance, 0);
    }

    /// @dev The executor holds only B-side liquidity (escrow lives in A's FlowEscrow): all of it is available, and
    /// the authority can withdraw it, never more.
    function test_Liquidity_IsTheBalance_WithdrawBounded() public {
        assertEq(cB.availableLiquidity(address(0)), LIQUIDITY);
        vm.expectRevert(
            abi.encodeWithSelector(
                IFlowExecutor.FlowExecutorInsufficientLiquidity.selector, address(0), LIQUIDITY + 1, LIQUIDITY
            )
        );
        cB.withdrawLiquidity(address(0), stranger, LIQUIDITY + 1);
        vm.expectEmit(address(cB));
        emit IFlowExecutor.LiquidityWithdrawn(address(0), stranger, 2 ether);
        cB.withdrawLiquidity(address(0), stranger, 2 ether);
        assertEq(stranger.balance, 2 ether);
        assertEq(cB.availableLiquidity(address(0)), LIQUIDITY - 2 ether);
    }

    function test_Execute_Erc20Release_PullsAtMostMaxValue_AllowanceReset() public {
        FlowTestToken token = new FlowTestToken();
        token.mint(address(cB), 10 ether);
        target.setMode(FlowTargetMock.Mode.PULL);
        target.setPull(0.4 ether);
        _lane(cA, CHAIN_B, cB, address(0), address(token), beneficiary);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.destinationAsset = address(token);
        (bytes32 id,, bytes memory message) = _open(req, "x");
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowExecuted(id, 0.4 ether, uint64(tB));
        _deliverB(message);
        assertEq(token.balanceOf(address(target)), 0.4 ether);
        assertEq(token.allowance(address(cB), address(target)), 0);
    }

    /// @dev A lane open on A but not on B: B never releases its liquidity against that escrow.
    function test_Execute_LaneClosedOnB_NeverReleases() public {
        FlowTestToken token = new FlowTestToken();
        token.mint(address(cB), 10 ether);
        cA.setLane(CHAIN_B, address(0), address(token), beneficiary); // A only
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.destinationAsset = address(token);
        req.abortOnFail = true;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowAttemptFailed(id, true);
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(token.balanceOf(address(cB)), 10 ether);
        tB = flow.deadline + 1;
        _expireB(flow);
        _deliverA(_export(flow));
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
    }

    /// @dev B pays only against an escrow credited to B's liquidity provider: an opener naming itself as the
    /// beneficiary (to get the escrow back AND B's release) is refused on B even if A were misconfigured.
    function test_Execute_BeneficiaryNotTheLaneProvider_NeverReleases() public {
        cA.setLane(CHAIN_B, address(0), address(0), opener); // A misconfigured (or compromised)
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.beneficiary = opener;
        (bytes32 id,, bytes memory message) = _open(req, "x");
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(address(cB).balance, LIQUIDITY);
        assertEq(target.executions(id), 0);
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

    function test_Receive_RevertWhen_UnknownKind() public {
        bytes memory forged = _forge(CHAIN_A, address(cA), CHAIN_B, address(cB), abi.encode(uint8(9), bytes("")));
        _deliverB(forged);
        _assertGatewayStatus(gwB, forged, IConcordGateway.MessageStatus.FAILED);
        assertEq(
            gwB.failedRevertDataHash(keccak256(forged)),
            keccak256(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointUnexpectedMessage.selector, uint8(9), uint8(0)))
        );
    }

    /// @notice A payload shorter than one word, or whose first word is not a uint8, has no kind (0): refused with
    /// the same typed error, never decoded further.
    function test_Receive_RevertWhen_NoKind() public {
        bytes[3] memory payloads = [bytes(""), hex"0102", abi.encode(uint256(256), uint256(1))];
        for (uint256 i = 0; i < payloads.length; ++i) {
            bytes memory forged = _forge(CHAIN_A, address(cA), CHAIN_B, address(cB), payloads[i]);
            _deliverB(forged);
            assertEq(
                gwB.failedRevertDataHash(keccak256(forged)),
                keccak256(
                    abi.encodeWithSelector(IFlowEndpoint.FlowEndpointUnexpectedMessage.selector, uint8(0), uint8(0))
                )
            );
        }
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

    function test_Receive_RevertWhen_NotTheGateway() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ERC7786Recipient.ERC7786RecipientUnauthorizedGateway.selector, address(this), bytes("")
            )
        );
        cB.receiveMessage(bytes32(0), "", "");
    }

    // ------------------------------------------------------------------ export

    function test_Export_RevertGiven_NotTerminal() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.expectRevert(abi.encodeWithSelector(IFlowExecutor.FlowExecutorWrongStatus.selector, id, FlowLib.Status.NONE));
        cB.exportOutcome(flow, 0);
    }

    function test_Export_RevertWhen_OriginNotTrusted() public {
        (, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverB(message);
        cB.setRemote(CHAIN_A, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IFlowExecutor.FlowExecutorUntrustedEscrow.selector, CHAIN_A, address(cA))
        );
        cB.exportOutcome(flow, 0);
    }

    function test_Export_Repeatable() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverB(message);
        bytes memory ack1 = _export(flow);
        bytes memory ack2 = _export(flow);
        assertTrue(keccak256(ack1) != keccak256(ack2)); // distinct messages (nonces), same attested outcome
        _deliverA(ack2);
        _deliverA(ack1);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
    }
}
