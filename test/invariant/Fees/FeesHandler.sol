// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {GasOracle} from "../../../contracts/fees/GasOracle.sol";
import {GasPaymaster} from "../../../contracts/fees/GasPaymaster.sol";
import {FeesStore} from "./FeesStore.sol";
import {ReentrantFeeRecipient, RevertingFeeRecipient} from "./RefundActors.sol";

/// @notice Drives one GasPaymaster (real GasOracle) with payments, top-ups, under-payments, withdrawals (also by a
/// reverting and a re-entrant account), fee claims (also to a reverting or re-entrant beneficiary) and price /
/// overhead / beneficiary changes. Records ghost state in `FeesStore` after each successful call and a violation
/// for every outcome the paymaster must not produce.
contract FeesHandler is Test {
    uint32 public constant DEST = 10;
    uint32 public constant DEST2 = 8453;

    GasPaymaster public immutable paymaster;
    GasOracle public immutable oracle;
    FeesStore public immutable store;
    address public immutable admin;
    address public immutable payer = makeAddr("fees.payer");
    address public immutable treasury = makeAddr("fees.treasury");
    RevertingFeeRecipient public immutable reverting;
    ReentrantFeeRecipient public immutable reentrant;

    address[] internal _accounts;
    bytes32[] internal _ids;

    constructor(GasPaymaster paymaster_, GasOracle oracle_, FeesStore store_, address admin_) {
        (paymaster, oracle, store, admin) = (paymaster_, oracle_, store_, admin_);
        reverting = new RevertingFeeRecipient();
        reentrant = new ReentrantFeeRecipient(paymaster_);
        _accounts.push(makeAddr("fees.alice"));
        _accounts.push(makeAddr("fees.bob"));
        _accounts.push(address(reverting));
        _accounts.push(address(reentrant));
        for (uint256 i = 0; i < 3; ++i) {
            _ids.push(keccak256(abi.encode("fees.message", i)));
        }
    }

    // ------------------------------------------------------------------ views

    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    function ids() external view returns (bytes32[] memory) {
        return _ids;
    }

    function destinations() public pure returns (uint32[2] memory) {
        return [DEST, DEST2];
    }

    // ---------------------------------------------------------------- actions

    /// @notice A first payment or a top-up, exact or with an overpayment credited to one of the accounts.
    function pay(uint256 idSeed, uint256 destSeed, uint256 gasLimit, uint256 extra, uint256 refundSeed) public {
        bytes32 id = _ids[idSeed % _ids.length];
        uint32 destination = destinations()[destSeed % 2];
        gasLimit = bound(gasLimit, 1, 5_000_000);
        extra = extra % 3 == 0 ? 0 : bound(extra, 1, 5 ether);
        address refundTo = _accounts[refundSeed % _accounts.length];

        (uint256 gasBefore, uint256 paymentBefore) = paymaster.gasPayment(id, destination);
        uint256 required = paymaster.quotePayment(id, destination, gasLimit);
        uint256 expected = oracle.quoteGasPayment(
            destination, gasBefore == 0 ? gasLimit + paymaster.gasOverhead(destination) : gasLimit
        );
        if (required != expected) store.violate("quotePayment: overhead not charged exactly once");

        vm.deal(payer, required + extra);
        vm.prank(payer);
        try paymaster.payForGas{value: required + extra}(id, destination, gasLimit, refundTo) {
            store.recordPayment(id, destination, gasLimit, required, required + extra, refundTo);
            store.count(gasBefore == 0 ? bytes32("pay_first") : bytes32("pay_topup"));
            if (extra != 0) store.count("pay_refund");
            (uint256 gasAfter, uint256 paymentAfter) = paymaster.gasPayment(id, destination);
            if (gasAfter != gasBefore + gasLimit || paymentAfter != paymentBefore + required) {
                store.violate("payForGas: totals not accumulated");
            }
        } catch {
            store.violate("payForGas: reverted with the quoted payment");
        }
    }

    /// @notice A payment one wei short of the quote must revert and change nothing.
    function underpay(uint256 idSeed, uint256 destSeed, uint256 gasLimit) external {
        bytes32 id = _ids[idSeed % _ids.length];
        uint32 destination = destinations()[destSeed % 2];
        gasLimit = bound(gasLimit, 1, 5_000_000);
        uint256 required = paymaster.quotePayment(id, destination, gasLimit);
        vm.deal(payer, required);
        vm.prank(payer);
        try paymaster.payForGas{value: required - 1}(id, destination, gasLimit, payer) {
            store.violate("payForGas: accepted less than the quote");
        } catch {
            store.count("underpay_rejected");
        }
    }

    /// @notice An account withdraws its refund to a chosen address (a reverting one fails and keeps it owed); the
    /// re-entrant account withdraws to itself and tries to re-enter on receipt.
    function withdraw(uint256 accountSeed, uint256 toSeed, uint256 attackSeed) external {
        address account = _accounts[accountSeed % _accounts.length];
        address to = account == address(reentrant) ? account : _accounts[toSeed % _accounts.length];
        uint256 owed = paymaster.refundOf(account);
        uint256 balanceBefore = to.balance;
        bool ok;
        if (account == address(reverting)) {
            try reverting.withdraw(paymaster, payable(to)) {
                ok = true;
            } catch {}
        } else if (account == address(reentrant)) {
            reentrant.setAttack(ReentrantFeeRecipient.Attack(attackSeed % 4), destinations()[attackSeed % 2]);
            try reentrant.withdraw() {
                ok = true;
            } catch {}
        } else {
            vm.prank(account);
            try paymaster.withdrawRefund(payable(to)) {
                ok = true;
            } catch {}
        }
        bool shouldSucceed = owed != 0 && to != address(reverting);
        if (ok != shouldSucceed) {
            store.violate(ok ? "withdrawRefund: succeeded when it must fail" : "withdrawRefund: failed unexpectedly");
            return;
        }
        if (!ok) {
            if (paymaster.refundOf(account) != owed) store.violate("withdrawRefund: failed call changed refund");
            store.count("withdraw_failed");
            return;
        }
        if (paymaster.refundOf(account) != 0) store.violate("withdrawRefund: refund not cleared");
        // Every re-entry is blocked, so the recipient keeps exactly what it was sent.
        if (to.balance != balanceBefore + owed) store.violate("withdrawRefund: recipient not paid exactly once");
        store.recordWithdrawal(account, owed);
        store.count("withdraw");
    }

    /// @notice Anyone claims fees for the beneficiary (a reverting beneficiary fails and the fees stay).
    function claimFees() external {
        uint256 fees = paymaster.collectedFees();
        address beneficiary = paymaster.beneficiary();
        uint256 balanceBefore = beneficiary.balance;
        try paymaster.claimFees() {
            if (fees == 0 || beneficiary == address(reverting)) {
                store.violate("claimFees: succeeded when it must fail");
            }
            if (beneficiary.balance != balanceBefore + fees) store.violate("claimFees: beneficiary not paid once");
            store.recordClaim(fees);
            store.count("claim");
        } catch {
            if (fees != 0 && beneficiary != address(reverting)) store.violate("claimFees: failed unexpectedly");
            if (paymaster.collectedFees() != fees) store.violate("claimFees: failed call changed fees");
            store.count("claim_failed");
        }
    }

    /// @notice The authority points fees at the treasury, the reverting or the re-entrant account.
    function setBeneficiary(uint256 seed) external {
        address next = seed % 3 == 0 ? treasury : seed % 3 == 1 ? address(reverting) : address(reentrant);
        if (next == address(reentrant)) reentrant.setAttack(ReentrantFeeRecipient.Attack.CLAIM_FEES, DEST);
        vm.prank(admin);
        paymaster.setBeneficiary(next);
        store.count("set_beneficiary");
    }

    /// @notice The authority moves a destination's gas price and overhead (later quotes only).
    function setPrice(uint256 destSeed, uint256 gasPrice, uint256 overhead) external {
        uint32 destination = destinations()[destSeed % 2];
        gasPrice = bound(gasPrice, 1, 500 gwei);
        overhead = bound(overhead, 0, 300_000);
        vm.startPrank(admin);
        oracle.setRemoteGasData(destination, destination == DEST ? 1e10 : 5e6, uint128(gasPrice));
        paymaster.setGasOverhead(destination, overhead);
        vm.stopPrank();
        store.count("set_price");
    }

    /// @notice Drives every account through an overpayment and a withdrawal to a good address, and a claim to the
    /// treasury, so that the end state of every run exercised the paths that move value (non-vacuity).
    function flush() external {
        vm.prank(admin);
        paymaster.setBeneficiary(treasury);
        for (uint256 i = 0; i < _accounts.length; ++i) {
            pay(i, i, 100_000, 1 ether, i);
        }
        for (uint256 i = 0; i < _accounts.length; ++i) {
            address account = _accounts[i];
            uint256 owed = paymaster.refundOf(account);
            if (account == address(reverting)) {
                reverting.withdraw(paymaster, payable(treasury));
            } else if (account == address(reentrant)) {
                reentrant.setAttack(ReentrantFeeRecipient.Attack.WITHDRAW_AGAIN, DEST);
                reentrant.withdraw();
            } else {
                vm.prank(account);
                paymaster.withdrawRefund(payable(account));
            }
            store.recordWithdrawal(account, owed);
            store.count("flush_withdraw");
        }
        uint256 fees = paymaster.collectedFees();
        paymaster.claimFees();
        store.recordClaim(fees);
        store.count("flush_claim");
    }
}
