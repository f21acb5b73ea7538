// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice `FlowEscrow.cancel` on A: only the opener, only before settlement (the CANCEL's effect on B is in
/// FlowExecutor/cancel.t.sol).
contract FlowEscrow_cancel is CoordinationBase {
    function test_Cancel_RevertWhen_NotOpener() public {
        (, FlowLib.Flow memory flow,) = _openDefault();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowNotOpener.selector, stranger));
        cA.cancel(flow);
    }

    function test_Cancel_RevertGiven_Settled() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverA(_deliverB(message));
        vm.prank(opener);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.SETTLED));
        cA.cancel(flow);
    }
}
