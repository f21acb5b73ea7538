// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase, ReentrantPayee, RevertingPayee} from "../CoordinationBase.t.sol";

/// @notice `FlowEscrow.claim` (pull payments): a re-entrant or reverting payee is paid at most once.
contract FlowEscrow_claim is CoordinationBase {
    function test_Claim_ReentrantPayee_PaysOnce() public {
        ReentrantPayee payee = new ReentrantPayee();
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.refundTo = address(payee);
        (, FlowLib.Flow memory flow,) = _open(req, "x");
        tB = flow.deadline + 1;
        _deliverA(_expireB(flow));
        payee.arm(cA, flow);
        cA.claim(address(payee), address(0));
        assertEq(address(payee).balance, AMOUNT);
        assertEq(payee.receipts(), 1);
        assertEq(payee.reentrySuccesses(), 0);
        assertEq(address(cA).balance, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowNothingToClaim.selector, address(payee), address(0))
        );
        cA.claim(address(payee), address(0));
    }

    function test_Claim_RevertingPayee_CreditKept_NeverPaidTwice() public {
        RevertingPayee payee = new RevertingPayee();
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.refundTo = address(payee);
        (bytes32 id, FlowLib.Flow memory flow,) = _open(req, "x");
        tB = flow.deadline + 1;
        _deliverA(_expireB(flow)); // settlement never calls the payee
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        vm.expectRevert(bytes("no"));
        cA.claim(address(payee), address(0));
        assertEq(cA.owed(address(payee), address(0)), AMOUNT);
        assertEq(cA.owedTotal(address(0)), AMOUNT);
        cA.settle(flow);
        assertEq(cA.owed(address(payee), address(0)), AMOUNT);
        assertEq(address(cA).balance, AMOUNT);
    }
}
