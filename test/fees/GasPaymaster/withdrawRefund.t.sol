// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IGasPaymaster} from "../../../contracts/interfaces/IGasPaymaster.sol";
import {ReentrantFeeRecipient, RevertingFeeRecipient} from "../../invariant/Fees/RefundActors.sol";
import {GasPaymasterBase} from "./Base.t.sol";

/// @notice `withdrawRefund` (pull refunds): to the address the caller names, once, also against reverting and
/// re-entrant recipients.
contract GasPaymaster_withdrawRefund is GasPaymasterBase {
    function test_WithdrawRefund_SendsToCallerChosenAddress() public {
        _pay(ID, DEST, 100_000, 1 ether, alice);
        uint256 owed = paymaster.refundOf(alice);
        vm.expectEmit(true, true, false, true, address(paymaster));
        emit IGasPaymaster.GasPaymasterRefundWithdrawn(alice, bob, owed);
        vm.prank(alice);
        paymaster.withdrawRefund(payable(bob));
        assertEq(bob.balance, owed);
        assertEq(alice.balance, 0);
        assertEq(paymaster.refundOf(alice), 0);
        assertEq(paymaster.totalRefundsOwed(), 0);
        _assertConserved();
    }

    function test_WithdrawRefund_RevertWhen_RecipientZero() public {
        _pay(ID, DEST, 100_000, 1 ether, alice);
        vm.expectRevert(IGasPaymaster.GasPaymasterZeroAddress.selector);
        vm.prank(alice);
        paymaster.withdrawRefund(payable(address(0)));
    }

    function test_WithdrawRefund_RevertGiven_NothingOwed() public {
        vm.expectRevert(abi.encodeWithSelector(IGasPaymaster.GasPaymasterNothingToWithdraw.selector, alice));
        vm.prank(alice);
        paymaster.withdrawRefund(payable(alice));
    }

    function test_WithdrawRefund_RevertGiven_AlreadyWithdrawn() public {
        _pay(ID, DEST, 100_000, 1 ether, alice);
        vm.startPrank(alice);
        paymaster.withdrawRefund(payable(alice));
        vm.expectRevert(abi.encodeWithSelector(IGasPaymaster.GasPaymasterNothingToWithdraw.selector, alice));
        paymaster.withdrawRefund(payable(alice));
        vm.stopPrank();
        assertEq(alice.balance, 1 ether - 150_000 gwei, "paid once");
    }

    function test_WithdrawRefund_RevertWhen_RecipientRejectsEther() public {
        RevertingFeeRecipient payee = new RevertingFeeRecipient();
        _pay(ID, DEST, 100_000, 1 ether, address(payee));
        uint256 owed = paymaster.refundOf(address(payee));
        bytes4 transferFailed = IGasPaymaster.GasPaymasterTransferFailed.selector;
        vm.expectRevert(abi.encodeWithSelector(transferFailed, address(payee), owed));
        payee.withdraw(paymaster, payable(address(payee)));
        // Nothing lost: still owed, and withdrawable to another address.
        assertEq(paymaster.refundOf(address(payee)), owed);
        _assertConserved();
        payee.withdraw(paymaster, payable(bob));
        assertEq(bob.balance, owed);
        assertEq(paymaster.refundOf(address(payee)), 0);
        _assertConserved();
    }

    function test_WithdrawRefund_ReentrantWithdrawIsBlocked() public {
        ReentrantFeeRecipient payee = new ReentrantFeeRecipient(paymaster);
        payee.setAttack(ReentrantFeeRecipient.Attack.WITHDRAW_AGAIN, 0);
        _pay(ID, DEST, 100_000, 1 ether, address(payee));
        uint256 owed = paymaster.refundOf(address(payee));
        payee.withdraw();
        assertEq(payee.attempts(), 1);
        assertEq(payee.blocked(), 1);
        assertEq(
            payee.lastRevertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertEq(payee.received(), owed, "paid exactly once");
        assertEq(address(payee).balance, owed);
        assertEq(paymaster.refundOf(address(payee)), 0);
        _assertConserved();
    }

    function test_WithdrawRefund_ReentrantPaymentIsBlocked() public {
        ReentrantFeeRecipient payee = new ReentrantFeeRecipient(paymaster);
        payee.setAttack(ReentrantFeeRecipient.Attack.PAY_FOR_GAS, DEST);
        _pay(ID, DEST, 100_000, 1 ether, address(payee));
        uint256 fees = paymaster.collectedFees();
        payee.withdraw();
        assertEq(payee.blocked(), 1);
        assertEq(
            payee.lastRevertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        (uint256 gasAmount,) = paymaster.gasPayment(keccak256("reentry"), DEST);
        assertEq(gasAmount, 0);
        assertEq(paymaster.collectedFees(), fees);
        _assertConserved();
    }

    function test_WithdrawRefund_ReentrantClaimFeesIsBlocked() public {
        ReentrantFeeRecipient payee = new ReentrantFeeRecipient(paymaster);
        payee.setAttack(ReentrantFeeRecipient.Attack.CLAIM_FEES, 0);
        _pay(ID, DEST, 100_000, 1 ether, address(payee));
        uint256 fees = paymaster.collectedFees();
        payee.withdraw();
        assertEq(payee.blocked(), 1);
        assertEq(paymaster.collectedFees(), fees, "fees not claimed from inside a withdrawal");
        assertEq(treasury.balance, 0);
        _assertConserved();
    }
}
