// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GasOracle} from "../../../contracts/fees/GasOracle.sol";
import {GasPaymaster} from "../../../contracts/fees/GasPaymaster.sol";
import {IConfigurableGasOracle} from "../../../contracts/interfaces/IConfigurableGasOracle.sol";
import {IGasOracle} from "../../../contracts/interfaces/IGasOracle.sol";
import {IGasPaymaster} from "../../../contracts/interfaces/IGasPaymaster.sol";
import {GasPaymasterBase} from "./Base.t.sol";

/// @notice Constructor and the authority's setters (beneficiary, gas oracle, overheads) with their access control.
contract GasPaymaster_admin is GasPaymasterBase {
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
}
