// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase, FlowTargetMock} from "../CoordinationBase.t.sol";

/// @notice Settlement on A (`FlowEscrow.settle` and the settlement an arriving OUTCOME performs): what each outcome
/// credits (beneficiary and fees, or a refund), exactly once; A's own clock never settles a flow.
contract FlowEscrow_settle is CoordinationBase {
    // ------------------------------------------------------------------ the A clock never decides

    function test_Settle_RevertGiven_NoOutcome_EvenFarPastDeadlineOnA() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.warp(flow.deadline + 3650 days);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.LOCKED));
        cA.settle(flow);
        assertEq(cA.lockedTotal(address(0)), AMOUNT);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    // ------------------------------------------------------------------ settlement and payouts

    function test_Settle_Executed_CreditsBeneficiaryAndFee_Once() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.executionFee = 0.03 ether;
        req.ackFee = 0.02 ether;
        req.timeoutFee = 0.07 ether; // escrow = max(0.05, 0.07) = 0.07; EXECUTED earns 0.05, refunds 0.02
        req.feeRecipient = feeRecipient;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        _deliverA(_deliverB(message));
        _deliverA(_export(flow)); // a second copy changes nothing
        vm.prank(stranger);
        cA.settle(flow); // idempotent
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
        assertEq(cA.owed(feeRecipient, address(0)), 0.05 ether);
        assertEq(cA.lockedTotal(address(0)), 0);
        assertEq(cA.claim(beneficiary, address(0)), AMOUNT);
        assertEq(beneficiary.balance, AMOUNT);
        cA.claim(feeRecipient, address(0));
        assertEq(feeRecipient.balance, 0.05 ether);
        assertEq(cA.owed(refundTo, address(0)), 0.02 ether, "unused fee escrow refunded");
        cA.claim(refundTo, address(0));
        assertEq(address(cA).balance, 0);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowNothingToClaim.selector, beneficiary, address(0)));
        cA.claim(beneficiary, address(0));
    }

    /// @dev Fee conservation per outcome: escrow = max(exec + ack, timeout) + bumps = paid + refunded.
    function test_Fees_ConservedPerOutcome() public {
        for (uint256 outcome = 0; outcome < 4; ++outcome) {
            FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
            req.executionFee = 0.03 ether;
            req.ackFee = 0.01 ether;
            req.timeoutFee = 0.025 ether;
            req.feeRecipient = feeRecipient;
            req.abortOnFail = true;
            target.setMode(outcome == 1 ? FlowTargetMock.Mode.REVERT : FlowTargetMock.Mode.ACCEPT);
            (, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
            vm.deal(stranger, 1 ether);
            vm.prank(stranger);
            cA.bumpFees{value: 0.005 ether}(flow);
            bytes memory ack;
            if (outcome <= 1) {
                ack = _deliverB(message); // 0: EXECUTED, 1: FAILED
            } else if (outcome == 2) {
                tB = flow.deadline + 1;
                ack = _expireB(flow); // EXPIRED
            } else {
                ack = _deliverB(_cancel(flow)); // CANCELLED
            }
            uint256 paidBefore = cA.owed(feeRecipient, address(0));
            uint256 refundBefore = cA.owed(refundTo, address(0));
            _deliverA(ack);
            uint256 paid = cA.owed(feeRecipient, address(0)) - paidBefore;
            uint256 refunded = cA.owed(refundTo, address(0)) - refundBefore - (outcome == 0 ? 0 : AMOUNT);
            uint256 earned = outcome <= 1 ? 0.04 ether : 0.025 ether;
            assertEq(paid, earned + 0.005 ether, "fee paid");
            assertEq(paid + refunded, 0.04 ether + 0.005 ether, "fee conserved");
            assertEq(cA.lockedTotal(address(0)), 0);
            tA += 1 hours;
            tB = tA;
        }
        assertEq(address(cA).balance, cA.owedTotal(address(0)));
    }

    function test_Settle_Failed_RefundsOnce() public {
        target.setMode(FlowTargetMock.Mode.REVERT);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.abortOnFail = true;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        _deliverA(_deliverB(message));
        _deliverA(_export(flow));
        cA.settle(flow);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
        cA.claim(refundTo, address(0));
        assertEq(refundTo.balance, AMOUNT);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
    }

    function test_Settle_Cancelled() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        _deliverA(_deliverB(_cancel(flow)));
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
    }

    function test_Settle_RevertGiven_Unknown() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        flow.amount = 0; // another id
        id = keccak256(abi.encode(flow));
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.NONE));
        cA.settle(flow);
    }
}
