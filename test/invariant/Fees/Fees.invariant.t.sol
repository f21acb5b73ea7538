// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {GasOracle} from "../../../contracts/fees/GasOracle.sol";
import {GasPaymaster} from "../../../contracts/fees/GasPaymaster.sol";
import {FeesHandler} from "./FeesHandler.sol";
import {FeesStore} from "./FeesStore.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

/// @notice Fees suite: the gas paymaster never loses or creates value. See README.md.
contract FeesInvariantTest is Test {
    address internal admin = makeAddr("fees.admin");

    GasOracle internal oracle;
    GasPaymaster internal paymaster;
    FeesStore internal store;
    FeesHandler internal handler;

    function setUp() public {
        AccessManager manager = new AccessManager(admin);
        oracle = new GasOracle(address(manager));
        paymaster = new GasPaymaster(address(manager), oracle, makeAddr("fees.treasury"));
        vm.startPrank(admin);
        oracle.setRemoteGasData(10, 1e10, 1 gwei);
        oracle.setRemoteGasData(8453, 5e6, 30 gwei);
        paymaster.setGasOverhead(10, 50_000);
        paymaster.setGasOverhead(8453, 120_000);
        vm.stopPrank();
        store = new FeesStore();
        handler = new FeesHandler(paymaster, oracle, store, admin);

        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = FeesHandler.pay.selector;
        selectors[1] = FeesHandler.pay.selector;
        selectors[2] = FeesHandler.pay.selector;
        selectors[3] = FeesHandler.underpay.selector;
        selectors[4] = FeesHandler.withdraw.selector;
        selectors[5] = FeesHandler.withdraw.selector;
        selectors[6] = FeesHandler.claimFees.selector;
        selectors[7] = FeesHandler.setBeneficiary.selector;
        selectors[8] = FeesHandler.setPrice.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function invariant_NoViolationRecorded() public view {
        assertEq(store.violationCount(), 0, store.firstViolation());
    }

    /// @notice The paymaster holds exactly what it owes: unclaimed fees plus refunds owed.
    function invariant_BalanceEqualsFeesPlusRefunds() public view {
        assertEq(address(paymaster).balance, paymaster.collectedFees() + paymaster.totalRefundsOwed());
    }

    /// @notice Every wei paid in was either sent out once (refund or fee) or is still held: none lost or created.
    function invariant_ValueInEqualsValueOutPlusHeld() public view {
        assertEq(store.paidIn(), store.paidOut() + address(paymaster).balance);
    }

    /// @notice Refunds owed match the ghost per account, and the running total matches their sum.
    function invariant_RefundsMatchGhostPerAccount() public view {
        address[] memory accounts = handler.accounts();
        uint256 sum;
        for (uint256 i = 0; i < accounts.length; ++i) {
            assertEq(paymaster.refundOf(accounts[i]), store.refundOwed(accounts[i]), "refund of account");
            sum += paymaster.refundOf(accounts[i]);
        }
        // The payer is never a refund address except in `underpay`, which must never succeed.
        assertEq(paymaster.totalRefundsOwed(), sum, "total refunds");
    }

    /// @notice Collected fees equal the quoted payments not yet claimed.
    function invariant_FeesMatchGhost() public view {
        assertEq(paymaster.collectedFees(), store.feesUnclaimed());
    }

    /// @notice Gas and payment totals per (message id, destination) equal the sum of the successful payments.
    function invariant_GasRecordsMatchGhost() public view {
        bytes32[] memory ids = handler.ids();
        uint32[2] memory destinations = handler.destinations();
        for (uint256 i = 0; i < ids.length; ++i) {
            for (uint256 d = 0; d < 2; ++d) {
                (uint256 gasAmount, uint256 payment) = paymaster.gasPayment(ids[i], destinations[d]);
                assertEq(gasAmount, store.gasPaid(ids[i], destinations[d]), "gas paid");
                assertEq(payment, store.paymentPaid(ids[i], destinations[d]), "payment");
            }
        }
    }

    /// @notice Non-vacuity: after every run, pay, withdraw (every account, including the reverting and re-entrant
    /// ones) and claim all happen, and the properties still hold with the paymaster emptied.
    function afterInvariant() external {
        handler.flush();
        assertGt(store.counters("pay_first"), 0, "no payment");
        assertGt(store.counters("pay_refund"), 0, "no refund credited");
        assertGt(store.counters("flush_withdraw"), 0, "no withdrawal");
        assertGt(store.counters("flush_claim"), 0, "no claim");
        assertGt(store.paidOut(), 0, "no value left the paymaster");
        assertEq(address(paymaster).balance, 0, "value stuck after every account withdrew and fees were claimed");
        invariant_NoViolationRecorded();
        invariant_BalanceEqualsFeesPlusRefunds();
        invariant_ValueInEqualsValueOutPlusHeld();
        invariant_RefundsMatchGhostPerAccount();
        invariant_FeesMatchGhost();
        invariant_GasRecordsMatchGhost();
    }

    /// @notice The handlers on a fixed path, with exact counters: a first payment, a top-up, a refused under-payment,
    /// a failed withdrawal to a reverting address, a blocked re-entrant withdrawal, a failed claim to a reverting
    /// beneficiary, then a successful claim.
    function test_Handlers_ExerciseEveryAction() public {
        handler.pay(0, 0, 100_000, 1 ether, 0); // first, refund to alice
        handler.pay(0, 0, 10_000, 3, 3); // top-up, exact, refund address the re-entrant account (nothing credited)
        handler.pay(1, 1, 200_000, 2 ether, 3); // first on DEST2, refund to the re-entrant account
        handler.underpay(0, 0, 5000);
        handler.withdraw(0, 2, 0); // alice -> reverting address: fails, stays owed
        handler.withdraw(3, 0, 1); // re-entrant account withdraws, tries WITHDRAW_AGAIN
        handler.setBeneficiary(1); // reverting
        handler.claimFees(); // fails
        handler.setBeneficiary(0); // treasury
        handler.claimFees();
        handler.withdraw(0, 1, 0); // alice -> bob

        assertEq(store.counters("pay_first"), 2);
        assertEq(store.counters("pay_topup"), 1);
        assertEq(store.counters("pay_refund"), 2);
        assertEq(store.counters("underpay_rejected"), 1);
        assertEq(store.counters("withdraw_failed"), 1);
        assertEq(store.counters("withdraw"), 2);
        assertEq(store.counters("claim_failed"), 1);
        assertEq(store.counters("claim"), 1);
        assertEq(handler.reentrant().blocked(), 1, "re-entry blocked");
        assertEq(address(paymaster).balance, 0);
        invariant_NoViolationRecorded();
        invariant_ValueInEqualsValueOutPlusHeld();
        invariant_GasRecordsMatchGhost();
    }
}
