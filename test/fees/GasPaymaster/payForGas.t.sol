// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {GasOracle} from "../../../contracts/fees/GasOracle.sol";
import {GasPaymaster} from "../../../contracts/fees/GasPaymaster.sol";
import {IConfigurableGasOracle} from "../../../contracts/interfaces/IConfigurableGasOracle.sol";
import {IGasOracle} from "../../../contracts/interfaces/IGasOracle.sol";
import {IGasPaymaster} from "../../../contracts/interfaces/IGasPaymaster.sol";
import {ReentrantFeeRecipient, RevertingFeeRecipient} from "../../invariant/Fees/RefundActors.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @notice GasPaymaster: quotes, payments and top-ups, pull refunds and fees (also to reverting and re-entrant
/// recipients), admin setters and access control, conservation of value. Uses the real GasOracle.
contract GasPaymasterTest is Test {
    uint32 internal constant LOCAL = 1;
    uint32 internal constant DEST = 10;
    uint32 internal constant DEST2 = 8453;
    uint32 internal constant UNKNOWN = 999;
    uint256 internal constant OVERHEAD = 50_000;
    uint256 internal constant OVERHEAD2 = 80_000;
    bytes32 internal constant ID = keccak256("message");

    address internal admin = makeAddr("admin");
    address internal stranger = makeAddr("stranger");
    address internal payer = makeAddr("payer");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal treasury = makeAddr("treasury");

    AccessManager internal manager;
    GasOracle internal oracle;
    GasPaymaster internal paymaster;

    function setUp() public {
        manager = new AccessManager(admin);
        oracle = new GasOracle(address(manager));
        paymaster = new GasPaymaster(address(manager), oracle, treasury);
        // The admin holds ADMIN_ROLE, the default role of every restricted selector.
        vm.startPrank(admin);
        oracle.setRemoteGasData(DEST, 1e10, 1 gwei); // same token, 1 gwei
        oracle.setRemoteGasData(DEST2, 2e10, 2 gwei); // remote token worth 2x, 2 gwei
        paymaster.setGasOverhead(DEST, OVERHEAD);
        paymaster.setGasOverhead(DEST2, OVERHEAD2);
        vm.stopPrank();
        vm.deal(payer, 1000 ether);
    }

    // ---------------------------------------------------------------- helpers

    function _pay(bytes32 id, uint32 destination, uint256 gasLimit, uint256 value, address refundTo) internal {
        vm.prank(payer);
        paymaster.payForGas{value: value}(id, destination, gasLimit, refundTo);
    }

    function _assertConserved() internal view {
        assertEq(
            address(paymaster).balance,
            paymaster.collectedFees() + paymaster.totalRefundsOwed(),
            "balance != fees + refunds"
        );
    }

    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    // ------------------------------------------------------------ constructor

    function test_Constructor_SetsConfigAndEmits() public {
        vm.expectEmit(true, true, false, false);
        emit IGasPaymaster.GasPaymasterGasOracleSet(address(0), address(oracle));
        vm.expectEmit(true, true, false, false);
        emit IGasPaymaster.GasPaymasterBeneficiarySet(address(0), alice);
        GasPaymaster fresh = new GasPaymaster(address(manager), oracle, alice);
        assertEq(address(fresh.gasOracle()), address(oracle));
        assertEq(fresh.beneficiary(), alice);
        assertEq(fresh.authority(), address(manager));
        assertEq(fresh.gasOverhead(DEST), 0);
        assertEq(fresh.collectedFees(), 0);
        assertEq(fresh.totalRefundsOwed(), 0);
    }

    function test_Constructor_RevertWhen_OracleNotAContract() public {
        vm.expectRevert(abi.encodeWithSelector(IGasPaymaster.GasPaymasterNotAContract.selector, alice));
        new GasPaymaster(address(manager), IGasOracle(alice), treasury);
    }

    function test_Constructor_RevertWhen_BeneficiaryZero() public {
        vm.expectRevert(IGasPaymaster.GasPaymasterZeroAddress.selector);
        new GasPaymaster(address(manager), oracle, address(0));
    }

    // ------------------------------------------------------------------ quote

    function test_QuoteGasPayment_AddsOverheadToGasLimit() public view {
        assertEq(paymaster.quoteGasPayment(DEST, 100_000), 150_000 gwei);
        assertEq(paymaster.quoteGasPayment(DEST, 100_000), oracle.quoteGasPayment(DEST, 100_000 + OVERHEAD));
        // DEST2: (100k + 80k) gas * 2 gwei * 2 (exchange rate).
        assertEq(paymaster.quoteGasPayment(DEST2, 100_000), 180_000 * 2 gwei * 2);
    }

    function test_QuoteGasPayment_RevertWhen_DestinationUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IConfigurableGasOracle.GasOracleUnknownDomain.selector, UNKNOWN));
        paymaster.quoteGasPayment(UNKNOWN, 1);
    }

    function testFuzz_QuoteGasPayment_MonotonicInGasLimit(uint256 a, uint256 b, uint256 overhead) public {
        a = bound(a, 0, 1e18);
        b = bound(b, a, 1e18);
        overhead = bound(overhead, 0, 1e9);
        vm.prank(admin);
        paymaster.setGasOverhead(DEST2, overhead);
        assertLe(paymaster.quoteGasPayment(DEST2, a), paymaster.quoteGasPayment(DEST2, b));
        // And never below the oracle's price of the gas limit alone.
        assertGe(paymaster.quoteGasPayment(DEST2, a), oracle.quoteGasPayment(DEST2, a));
    }

    // --------------------------------------------------------------- payments

    function test_PayForGas_ExactPayment() public {
        uint256 quote = paymaster.quoteGasPayment(DEST, 100_000);
        assertEq(paymaster.quotePayment(ID, DEST, 100_000), quote);
        vm.expectEmit(true, true, false, true, address(paymaster));
        emit IGasPaymaster.GasPaymasterGasPaid(ID, DEST, 100_000, quote);
        vm.recordLogs();
        _pay(ID, DEST, 100_000, quote, payer);
        assertEq(vm.getRecordedLogs().length, 1, "no refund event for an exact payment");
        (uint256 gasAmount, uint256 payment) = paymaster.gasPayment(ID, DEST);
        assertEq(gasAmount, 100_000);
        assertEq(payment, quote);
        assertEq(paymaster.collectedFees(), quote);
        assertEq(paymaster.refundOf(payer), 0);
        assertEq(address(paymaster).balance, quote);
        _assertConserved();
    }

    function test_PayForGas_CreditsOverpaymentToRefundAddress() public {
        uint256 quote = paymaster.quoteGasPayment(DEST, 100_000);
        vm.expectEmit(true, true, false, true, address(paymaster));
        emit IGasPaymaster.GasPaymasterGasPaid(ID, DEST, 100_000, quote);
        vm.expectEmit(true, true, false, true, address(paymaster));
        emit IGasPaymaster.GasPaymasterRefundCredited(alice, ID, 1 ether - quote);
        _pay(ID, DEST, 100_000, 1 ether, alice);
        assertEq(paymaster.refundOf(alice), 1 ether - quote);
        assertEq(paymaster.refundOf(payer), 0);
        assertEq(paymaster.totalRefundsOwed(), 1 ether - quote);
        assertEq(paymaster.collectedFees(), quote);
        (, uint256 payment) = paymaster.gasPayment(ID, DEST);
        assertEq(payment, quote, "refund is not counted as payment");
        _assertConserved();
    }

    function test_PayForGas_TopUpAccumulatesWithoutSecondOverhead() public {
        _pay(ID, DEST, 100_000, paymaster.quoteGasPayment(DEST, 100_000), payer);
        uint256 topUp = paymaster.quotePayment(ID, DEST, 40_000);
        assertEq(topUp, 40_000 gwei, "top-up pays the gas limit only");
        assertLt(topUp, paymaster.quoteGasPayment(DEST, 40_000));
        vm.expectEmit(true, true, false, true, address(paymaster));
        emit IGasPaymaster.GasPaymasterGasPaid(ID, DEST, 40_000, topUp);
        _pay(ID, DEST, 40_000, topUp, payer);
        (uint256 gasAmount, uint256 payment) = paymaster.gasPayment(ID, DEST);
        assertEq(gasAmount, 140_000);
        assertEq(payment, 150_000 gwei + 40_000 gwei);
        assertEq(paymaster.collectedFees(), payment);
        _assertConserved();
    }

    function test_PayForGas_TopUpAtNewPriceUsesNewPrice() public {
        _pay(ID, DEST, 100_000, 150_000 gwei, payer);
        vm.prank(admin);
        oracle.setRemoteGasData(DEST, 1e10, 3 gwei);
        // Earlier payment is unchanged; the top-up is priced at the new gas price.
        assertEq(paymaster.quotePayment(ID, DEST, 10_000), 30_000 gwei);
        vm.expectRevert(
            abi.encodeWithSelector(IGasPaymaster.GasPaymasterInsufficientPayment.selector, 30_000 gwei, 10_000 gwei)
        );
        _pay(ID, DEST, 10_000, 10_000 gwei, payer);
        _pay(ID, DEST, 10_000, 30_000 gwei, payer);
        (uint256 gasAmount, uint256 payment) = paymaster.gasPayment(ID, DEST);
        assertEq(gasAmount, 110_000);
        assertEq(payment, 180_000 gwei);
    }

    function test_PayForGas_PaymentsAreKeyedByDestination() public {
        _pay(ID, DEST, 100_000, 150_000 gwei, payer);
        // A payment for the same id priced for another destination neither tops up DEST nor skips DEST2's overhead.
        assertEq(paymaster.quotePayment(ID, DEST2, 100_000), paymaster.quoteGasPayment(DEST2, 100_000));
        _pay(ID, DEST2, 100_000, paymaster.quoteGasPayment(DEST2, 100_000), payer);
        (uint256 gasDest,) = paymaster.gasPayment(ID, DEST);
        (uint256 gasDest2, uint256 paymentDest2) = paymaster.gasPayment(ID, DEST2);
        assertEq(gasDest, 100_000);
        assertEq(gasDest2, 100_000);
        assertEq(paymentDest2, 180_000 * 4 gwei);
        _assertConserved();
    }

    function test_PayForGas_RevertWhen_MessageIdZero() public {
        vm.expectRevert(IGasPaymaster.GasPaymasterZeroMessageId.selector);
        _pay(bytes32(0), DEST, 100_000, 1 ether, payer);
    }

    function test_PayForGas_RevertWhen_GasLimitZero() public {
        vm.expectRevert(IGasPaymaster.GasPaymasterZeroGasLimit.selector);
        _pay(ID, DEST, 0, 1 ether, payer);
    }

    function test_PayForGas_RevertWhen_RefundAddressZero() public {
        vm.expectRevert(IGasPaymaster.GasPaymasterZeroAddress.selector);
        _pay(ID, DEST, 100_000, 1 ether, address(0));
    }

    function test_PayForGas_RevertWhen_PaymentBelowQuote() public {
        uint256 quote = paymaster.quoteGasPayment(DEST, 100_000);
        vm.expectRevert(
            abi.encodeWithSelector(IGasPaymaster.GasPaymasterInsufficientPayment.selector, quote, quote - 1)
        );
        _pay(ID, DEST, 100_000, quote - 1, payer);
        // Also without any value at all.
        vm.expectRevert(abi.encodeWithSelector(IGasPaymaster.GasPaymasterInsufficientPayment.selector, quote, 0));
        _pay(ID, DEST, 100_000, 0, payer);
    }

    function test_PayForGas_RevertWhen_DestinationUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IConfigurableGasOracle.GasOracleUnknownDomain.selector, UNKNOWN));
        _pay(ID, UNKNOWN, 100_000, 1 ether, payer);
    }

    function test_PayForGas_RevertWhen_GasTotalOverflows() public {
        // Price of 1 wei per gas so the payment itself stays affordable; 2^128 gas does not fit the record.
        vm.prank(admin);
        oracle.setRemoteGasData(UNKNOWN, 1, 1);
        uint256 gasLimit = uint256(type(uint128).max) + 1;
        uint256 quote = paymaster.quoteGasPayment(UNKNOWN, gasLimit);
        vm.deal(payer, quote);
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 128, gasLimit));
        _pay(ID, UNKNOWN, gasLimit, quote, payer);
    }

    function test_PlainEtherTransfer_Reverts() public {
        vm.prank(payer);
        (bool ok,) = address(paymaster).call{value: 1 ether}("");
        assertFalse(ok, "ether outside payForGas would be credited to nobody");
    }

    // ---------------------------------------------------------------- refunds

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

    // ------------------------------------------------------------------- fees

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

    // ------------------------------------------------------------------ admin

    function test_SetBeneficiary_Emits() public {
        vm.expectEmit(true, true, false, false, address(paymaster));
        emit IGasPaymaster.GasPaymasterBeneficiarySet(treasury, alice);
        vm.prank(admin);
        paymaster.setBeneficiary(alice);
        assertEq(paymaster.beneficiary(), alice);
    }

    function test_SetBeneficiary_RevertWhen_Zero() public {
        vm.expectRevert(IGasPaymaster.GasPaymasterZeroAddress.selector);
        vm.prank(admin);
        paymaster.setBeneficiary(address(0));
    }

    function test_SetGasOracle_AppliesToLaterQuotes() public {
        GasOracle other = new GasOracle(address(manager));
        vm.prank(admin);
        other.setRemoteGasData(DEST, 1e10, 10 gwei);
        vm.expectEmit(true, true, false, false, address(paymaster));
        emit IGasPaymaster.GasPaymasterGasOracleSet(address(oracle), address(other));
        vm.prank(admin);
        paymaster.setGasOracle(other);
        assertEq(address(paymaster.gasOracle()), address(other));
        assertEq(paymaster.quoteGasPayment(DEST, 100_000), 150_000 * 10 gwei);
        // The new oracle knows nothing about DEST2.
        vm.expectRevert(abi.encodeWithSelector(IConfigurableGasOracle.GasOracleUnknownDomain.selector, DEST2));
        paymaster.quoteGasPayment(DEST2, 1);
    }

    function test_SetGasOracle_RevertWhen_NotAContract() public {
        vm.expectRevert(abi.encodeWithSelector(IGasPaymaster.GasPaymasterNotAContract.selector, alice));
        vm.prank(admin);
        paymaster.setGasOracle(IGasOracle(alice));
    }

    function test_SetGasOverhead_EmitsAndApplies() public {
        vm.expectEmit(true, false, false, true, address(paymaster));
        emit IGasPaymaster.GasPaymasterGasOverheadSet(DEST, OVERHEAD, 0);
        vm.prank(admin);
        paymaster.setGasOverhead(DEST, 0);
        assertEq(paymaster.gasOverhead(DEST), 0);
        assertEq(paymaster.quoteGasPayment(DEST, 100_000), 100_000 gwei);
    }

    function test_Setters_RevertWhen_CallerNotAuthorized() public {
        vm.startPrank(stranger);
        vm.expectRevert(_unauthorized(stranger));
        paymaster.setBeneficiary(stranger);
        vm.expectRevert(_unauthorized(stranger));
        paymaster.setGasOracle(oracle);
        vm.expectRevert(_unauthorized(stranger));
        paymaster.setGasOverhead(DEST, 0);
        vm.stopPrank();
        assertEq(paymaster.beneficiary(), treasury);
        assertEq(paymaster.gasOverhead(DEST), OVERHEAD);
    }

    // ------------------------------------------------- with the real gateway

    /// @notice The relayer's view of a plain message: sent for free, paid for separately against its id, and
    /// deliverable once the gas paid for (id, destination) covers the gas limit bound into the message.
    function test_PlainMessage_SentFreeAndPaidSeparately() public {
        ConcordGateway gateway = new ConcordGateway(LOCAL, address(manager), 200_000, 10_000);
        // dispatch takes no value: sending with ether fails, sending without works.
        vm.prank(payer);
        (bool ok,) = address(gateway).call{value: 1}(
            abi.encodeWithSignature("dispatch(uint32,bytes32,bytes)", DEST, bytes32(uint256(1)), bytes("hi"))
        );
        assertFalse(ok);
        vm.prank(payer);
        bytes32 id = gateway.dispatch(DEST, bytes32(uint256(1)), 300_000, "hi");

        uint256 quote = paymaster.quoteGasPayment(DEST, 200_000);
        _pay(id, DEST, 200_000, quote, payer);
        (uint256 gasAmount,) = paymaster.gasPayment(id, DEST);
        assertLt(gasAmount, 300_000, "under-paid: a relayer waits");
        _pay(id, DEST, 100_000, paymaster.quotePayment(id, DEST, 100_000), payer);
        (gasAmount,) = paymaster.gasPayment(id, DEST);
        assertGe(gasAmount, 300_000, "topped up: deliverable");
        _assertConserved();
    }

    // ----------------------------------------------------------- conservation

    /// @notice Any sequence of payments (exact or over), withdrawals and claims keeps balance == fees + refunds,
    /// and every wei that came in either left once or is still owed.
    function testFuzz_PayForGas_ConservesValue(uint256[4] memory gasLimits, uint256[4] memory extras, uint8 choices)
        public
    {
        address[3] memory accounts = [alice, bob, payer];
        uint256 paidIn;
        for (uint256 i = 0; i < 4; ++i) {
            uint256 gasLimit = bound(gasLimits[i], 1, 10_000_000);
            uint32 destination = (choices >> i) & 1 == 0 ? DEST : DEST2;
            bytes32 id = keccak256(abi.encode(i % 2)); // two ids: later payments are top-ups
            uint256 value = paymaster.quotePayment(id, destination, gasLimit) + bound(extras[i], 0, 10 ether);
            _pay(id, destination, gasLimit, value, accounts[i % 3]);
            paidIn += value;
            _assertConserved();
        }
        uint256 paidOut;
        if (choices & 0x10 != 0) {
            paidOut += paymaster.collectedFees();
            paymaster.claimFees();
        }
        for (uint256 j = 0; j < 3; ++j) {
            uint256 owed = paymaster.refundOf(accounts[j]);
            if (owed == 0 || (choices >> (5 + j)) & 1 == 0) continue;
            vm.prank(accounts[j]);
            paymaster.withdrawRefund(payable(treasury));
            paidOut += owed;
            _assertConserved();
        }
        assertEq(paidIn, paidOut + address(paymaster).balance, "value lost or created");
        assertEq(
            paymaster.totalRefundsOwed(),
            paymaster.refundOf(alice) + paymaster.refundOf(bob) + paymaster.refundOf(payer),
            "refund total != sum of refunds"
        );
    }

    // -------------------------------------------------------------------- gas

    /// @notice Gas figures for docs/fees.md (run with -vv). Without `--isolate`: execution gas of the call (no 21k
    /// intrinsic cost, no calldata), storage made cold before each call. With `--isolate`: full transaction gas
    /// (see docs/benchmark.md).
    function test_Gas_PayForGas() public {
        uint256 quote = paymaster.quoteGasPayment(DEST, 100_000);
        _cool();
        vm.prank(payer);
        paymaster.payForGas{value: quote}(keccak256("a"), DEST, 100_000, payer);
        emit log_named_uint("payForGas first payment, exact, nothing collected yet", vm.lastCallGas().gasTotalUsed);
        _cool();
        vm.prank(payer);
        paymaster.payForGas{value: quote}(keccak256("c"), DEST, 100_000, payer);
        emit log_named_uint("payForGas first payment, exact (steady state)", vm.lastCallGas().gasTotalUsed);
        _cool();
        vm.prank(payer);
        paymaster.payForGas{value: 1 ether}(keccak256("b"), DEST, 100_000, alice);
        emit log_named_uint("payForGas first payment, refund credited (new account)", vm.lastCallGas().gasTotalUsed);
        uint256 topUp = paymaster.quotePayment(keccak256("a"), DEST, 50_000);
        _cool();
        vm.prank(payer);
        paymaster.payForGas{value: topUp}(keccak256("a"), DEST, 50_000, payer);
        emit log_named_uint("payForGas top-up, exact", vm.lastCallGas().gasTotalUsed);
        _cool();
        vm.prank(alice);
        paymaster.withdrawRefund(payable(alice));
        emit log_named_uint("withdrawRefund", vm.lastCallGas().gasTotalUsed);
        _cool();
        paymaster.claimFees();
        emit log_named_uint("claimFees", vm.lastCallGas().gasTotalUsed);
        assertEq(address(paymaster).balance, 0);
    }

    function _cool() internal {
        vm.cool(address(paymaster));
        vm.cool(address(oracle));
    }
}
