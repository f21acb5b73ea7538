// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice `FlowEscrow.bumpFees`: only a LOCKED flow, only a non-zero bump, only with a fee recipient.
contract FlowEscrow_bumpFees is CoordinationBase {
    function test_BumpFees_RevertGiven_NotLocked_OrZero() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.feeRecipient = feeRecipient;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowZeroBump.selector, id));
        cA.bumpFees(flow);
        cA.bumpFees{value: 1}(flow);
        assertEq(cA.record(id).bumped, 1);
        _deliverA(_deliverB(message));
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.SETTLED));
        cA.bumpFees{value: 1}(flow);
    }

    function test_BumpFees_RevertWhen_NoFeeRecipient() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowBumpWithoutFeeRecipient.selector, id));
        cA.bumpFees{value: 1}(flow);
    }
}
