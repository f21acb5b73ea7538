// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FlowExecutor} from "../../../contracts/coordination/FlowExecutor.sol";
import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice `FlowExecutor.expire`: only after T on B's clock, once, by the flow's own executor, sending the OUTCOME
/// in the same transaction.
contract FlowExecutor_expire is CoordinationBase {
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
}
