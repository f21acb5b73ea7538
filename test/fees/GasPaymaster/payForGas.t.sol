// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConfigurableGasOracle} from "../../../contracts/interfaces/IConfigurableGasOracle.sol";
import {IGasPaymaster} from "../../../contracts/interfaces/IGasPaymaster.sol";
import {GasPaymasterBase} from "./Base.t.sol";

/// @notice `payForGas`: exact, overpaid and top-up payments per (message, destination), every revert path, a real
/// gateway message paid separately, value conservation; gas figures for docs/fees.md.
contract GasPaymaster_payForGas is GasPaymasterBase {
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
}
