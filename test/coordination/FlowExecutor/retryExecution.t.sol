// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase, FlowTargetMock} from "../CoordinationBase.t.sol";

/// @notice `FlowExecutor.retryExecution`: only a delivered PENDING flow, before T, with its own payload and enough
/// gas.
contract FlowExecutor_retryExecution is CoordinationBase {
    // ------------------------------------------------------------------ failures and retries

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

    // ------------------------------------------------------------------ gas

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
}
