// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGasPaymaster} from "../../../contracts/interfaces/IGasPaymaster.sol";
import {ReentrantFeeRecipient, RevertingFeeRecipient} from "../../invariant/Fees/RefundActors.sol";
import {GasPaymasterBase} from "./Base.t.sol";

/// @notice `claimFees`: collected fees to the beneficiary only, refunds left in place, re-entry blocked.
contract GasPaymaster_claimFees is GasPaymasterBase {
    function test_ClaimFees_SendsToBeneficiaryAndLeavesRefunds() public {
        _pay(ID, DEST, 100_000, 1 ether, alice);
        _pay(keccak256("other"), DEST2, 20_000, 1 ether, alice);
        uint256 fees = paymaster.collectedFees();
        assertEq(fees, 150_000 gwei + 100_000 * 4 gwei);
        uint256 refunds = paymaster.totalRefundsOwed();
        vm.expectEmit(true, false, false, true, address(paymaster));
        emit IGasPaymaster.GasPaymasterFeesClaimed(treasury, fees);
        vm.prank(stranger); // anyone may trigger it; the beneficiary receives
        paymaster.claimFees();
        assertEq(treasury.balance, fees);
        assertEq(stranger.balance, 0);
        assertEq(paymaster.collectedFees(), 0);
        assertEq(paymaster.totalRefundsOwed(), refunds);
        assertEq(address(paymaster).balance, refunds);
        _assertConserved();
    }

    function test_ClaimFees_RevertGiven_NothingCollected() public {
        vm.expectRevert(IGasPaymaster.GasPaymasterNothingToClaim.selector);
        paymaster.claimFees();
        // Refunds owed are never claimable as fees.
        _pay(ID, DEST, 100_000, 1 ether, alice);
        paymaster.claimFees();
        vm.expectRevert(IGasPaymaster.GasPaymasterNothingToClaim.selector);
        paymaster.claimFees();
    }

    function test_ClaimFees_RevertWhen_BeneficiaryRejectsEther() public {
        RevertingFeeRecipient payee = new RevertingFeeRecipient();
        vm.prank(admin);
        paymaster.setBeneficiary(address(payee));
        _pay(ID, DEST, 100_000, 150_000 gwei, payer);
        vm.expectRevert(
            abi.encodeWithSelector(IGasPaymaster.GasPaymasterTransferFailed.selector, address(payee), 150_000 gwei)
        );
        paymaster.claimFees();
        assertEq(paymaster.collectedFees(), 150_000 gwei, "fees stay collected");
        // The authority points the fees elsewhere; nothing was lost.
        vm.prank(admin);
        paymaster.setBeneficiary(treasury);
        paymaster.claimFees();
        assertEq(treasury.balance, 150_000 gwei);
        _assertConserved();
    }

    function test_ClaimFees_ReentrantBeneficiaryIsBlocked() public {
        ReentrantFeeRecipient payee = new ReentrantFeeRecipient(paymaster);
        payee.setAttack(ReentrantFeeRecipient.Attack.CLAIM_FEES, 0);
        vm.prank(admin);
        paymaster.setBeneficiary(address(payee));
        _pay(ID, DEST, 100_000, 1 ether, alice);
        paymaster.claimFees();
        assertEq(payee.blocked(), 1);
        assertEq(payee.received(), 150_000 gwei, "claimed once");
        assertEq(paymaster.refundOf(alice), 1 ether - 150_000 gwei, "refunds untouched");
        _assertConserved();
    }
}
