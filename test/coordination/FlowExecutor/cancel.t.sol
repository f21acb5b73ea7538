// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase, FlowTargetMock} from "../CoordinationBase.t.sol";

/// @notice CANCEL delivery on B: it takes effect on a PENDING flow, is ignored after execution, and is refused
/// from anyone but the flow's escrow (the opener's `cancel` on A is in FlowEscrow/cancel.t.sol).
contract FlowExecutor_cancel is CoordinationBase {
    // ------------------------------------------------------------------ late / repeated EXECUTE

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

    // ------------------------------------------------------------------ cancel

    function test_Cancel_RevertWhen_ForgedFromUntrustedSender() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        bytes memory forged = _forge(CHAIN_A, stranger, CHAIN_B, address(cB), FlowLib.encodeCancel(flow));
        _deliverB(forged);
        _assertGatewayStatus(gwB, forged, IConcordGateway.MessageStatus.FAILED);
        _assertStatusB(id, FlowLib.Status.NONE);
    }
}
