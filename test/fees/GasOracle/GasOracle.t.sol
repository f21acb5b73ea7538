// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test, stdError} from "forge-std/Test.sol";

import {GasOracle} from "../../../contracts/fees/GasOracle.sol";
import {IConfigurableGasOracle} from "../../../contracts/interfaces/IConfigurableGasOracle.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

/// @notice GasOracle: formula, rounding up, unknown domains, setters (single, batch, remove), access control.
contract GasOracleTest is Test {
    uint64 internal constant PRICE_OPERATOR = 3;
    uint32 internal constant DEST = 10;
    uint32 internal constant OTHER = 8453;
    uint128 internal constant ONE_TO_ONE = 1e10;

    address internal admin = makeAddr("admin");
    address internal operator = makeAddr("operator");
    address internal stranger = makeAddr("stranger");

    AccessManager internal manager;
    GasOracle internal oracle;

    function setUp() public {
        manager = new AccessManager(admin);
        oracle = new GasOracle(address(manager));
        bytes4[] memory selectors = new bytes4[](3);
        (selectors[0], selectors[1], selectors[2]) =
        (
            GasOracle.setRemoteGasData.selector,
            GasOracle.setRemoteGasDataBatch.selector,
            GasOracle.removeRemoteGasData.selector
        );
        vm.startPrank(admin);
        manager.setTargetFunctionRole(address(oracle), selectors, PRICE_OPERATOR);
        manager.grantRole(PRICE_OPERATOR, operator, 0);
        vm.stopPrank();
    }

    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    function _unknown(uint32 domain) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IConfigurableGasOracle.GasOracleUnknownDomain.selector, domain);
    }

    function _set(uint32 domain, uint128 rate, uint128 price) internal {
        vm.prank(operator);
        oracle.setRemoteGasData(domain, rate, price);
    }

    // ------------------------------------------------------------------ quote

    function test_Scale_Is1e10() public view {
        assertEq(oracle.TOKEN_EXCHANGE_RATE_SCALE(), 1e10);
    }

    function test_Quote_SameToken() public {
        _set(DEST, ONE_TO_ONE, 1 gwei);
        assertEq(oracle.quoteGasPayment(DEST, 100_000), 100_000 gwei);
    }

    function test_Quote_ConvertsCurrency() public {
        // Remote native worth 1/2000 of local (e.g. a sidechain token against ether): rate 1e10 / 2000 = 5e6.
        _set(DEST, 5e6, 30 gwei);
        assertEq(oracle.quoteGasPayment(DEST, 200_000), (200_000 * 30 gwei) / 2000);
        // Remote native worth 3x local.
        _set(OTHER, 3e10, 2 gwei);
        assertEq(oracle.quoteGasPayment(OTHER, 50_000), 50_000 * 2 gwei * 3);
    }

    function test_Quote_RoundsUp() public {
        // 1 gas * 1 wei * 3 / 1e10 = 3e-10 wei: the exact fee is positive, so the quote is 1 wei, never 0.
        _set(DEST, 3, 1);
        assertEq(oracle.quoteGasPayment(DEST, 1), 1);
        // 1e10 gas at the same data is exactly 3 wei: no extra wei when the division is exact.
        assertEq(oracle.quoteGasPayment(DEST, 1e10), 3);
        assertEq(oracle.quoteGasPayment(DEST, 1e10 + 1), 4);
    }

    function test_Quote_ZeroGasIsZero() public {
        _set(DEST, ONE_TO_ONE, 1 gwei);
        assertEq(oracle.quoteGasPayment(DEST, 0), 0);
    }

    function test_Quote_MaxValuesUse512BitProduct() public {
        uint128 max = type(uint128).max;
        _set(DEST, max, max);
        // gas = scale: fee = price * rate exactly, although gas * price * rate overflows 256 bits.
        assertEq(oracle.quoteGasPayment(DEST, 1e10), uint256(max) * max);
    }

    function test_Quote_RevertWhen_FeeOverflows() public {
        uint128 max = type(uint128).max;
        _set(DEST, max, max);
        // Math.mulDiv panics (0x11) when the fee itself needs more than 256 bits.
        vm.expectRevert(stdError.arithmeticError);
        oracle.quoteGasPayment(DEST, 1e11);
    }

    function test_Quote_RevertWhen_DomainUnknown() public {
        _set(DEST, ONE_TO_ONE, 1 gwei);
        vm.expectRevert(_unknown(OTHER));
        oracle.quoteGasPayment(OTHER, 1);
    }

    function test_Quote_RevertGiven_DataRemoved() public {
        _set(DEST, ONE_TO_ONE, 1 gwei);
        vm.expectEmit(true, false, false, true, address(oracle));
        emit IConfigurableGasOracle.GasOracleRemoteGasDataRemoved(DEST);
        vm.prank(operator);
        oracle.removeRemoteGasData(DEST);
        (uint128 rate, uint128 price) = oracle.remoteGasData(DEST);
        assertEq(rate, 0);
        assertEq(price, 0);
        vm.expectRevert(_unknown(DEST));
        oracle.quoteGasPayment(DEST, 1);
    }

    /// @notice The quote is the exact fee rounded up: never below it, less than 1 wei above it.
    function testFuzz_Quote_IsExactFeeRoundedUp(uint256 gas, uint128 rate, uint128 price) public {
        gas = bound(gas, 0, 1e12);
        rate = uint128(bound(rate, 1, 2 ** 100));
        price = uint128(bound(price, 1, 2 ** 100));
        _set(DEST, rate, price);
        uint256 fee = oracle.quoteGasPayment(DEST, gas);
        uint256 exactTimesScale = gas * price * rate; // < 2^240
        assertGe(fee * 1e10, exactTimesScale, "under-charges");
        if (fee > 0) assertLt((fee - 1) * 1e10, exactTimesScale, "over-charges by a wei or more");
    }

    function testFuzz_Quote_MonotonicInGas(uint256 a, uint256 b, uint128 rate, uint128 price) public {
        a = bound(a, 0, 1e15);
        b = bound(b, a, 1e15);
        rate = uint128(bound(rate, 1, type(uint64).max));
        price = uint128(bound(price, 1, type(uint64).max));
        _set(DEST, rate, price);
        assertLe(oracle.quoteGasPayment(DEST, a), oracle.quoteGasPayment(DEST, b));
    }

    // ---------------------------------------------------------------- setters

    function test_SetRemoteGasData_StoresAndEmits() public {
        vm.expectEmit(true, false, false, true, address(oracle));
        emit IConfigurableGasOracle.GasOracleRemoteGasDataSet(DEST, 7e9, 3 gwei);
        _set(DEST, 7e9, 3 gwei);
        (uint128 rate, uint128 price) = oracle.remoteGasData(DEST);
        assertEq(rate, 7e9);
        assertEq(price, 3 gwei);
        // Replacing takes effect immediately.
        _set(DEST, ONE_TO_ONE, 5 gwei);
        assertEq(oracle.quoteGasPayment(DEST, 10), 50 gwei);
    }

    function test_SetRemoteGasData_RevertWhen_RateZero() public {
        vm.expectRevert(abi.encodeWithSelector(IConfigurableGasOracle.GasOracleZeroValue.selector, DEST, 0, 1 gwei));
        _set(DEST, 0, 1 gwei);
    }

    function test_SetRemoteGasData_RevertWhen_GasPriceZero() public {
        bytes4 zeroValue = IConfigurableGasOracle.GasOracleZeroValue.selector;
        vm.expectRevert(abi.encodeWithSelector(zeroValue, DEST, ONE_TO_ONE, 0));
        _set(DEST, ONE_TO_ONE, 0);
    }

    function _configs() internal pure returns (IConfigurableGasOracle.RemoteGasDataConfig[] memory configs) {
        configs = new IConfigurableGasOracle.RemoteGasDataConfig[](2);
        configs[0] = IConfigurableGasOracle.RemoteGasDataConfig(DEST, ONE_TO_ONE, 1 gwei);
        configs[1] = IConfigurableGasOracle.RemoteGasDataConfig(OTHER, 2e10, 4 gwei);
    }

    function test_SetRemoteGasDataBatch_SetsEveryEntry() public {
        vm.expectEmit(true, false, false, true, address(oracle));
        emit IConfigurableGasOracle.GasOracleRemoteGasDataSet(DEST, ONE_TO_ONE, 1 gwei);
        vm.expectEmit(true, false, false, true, address(oracle));
        emit IConfigurableGasOracle.GasOracleRemoteGasDataSet(OTHER, 2e10, 4 gwei);
        vm.prank(operator);
        oracle.setRemoteGasDataBatch(_configs());
        assertEq(oracle.quoteGasPayment(DEST, 1000), 1000 gwei);
        assertEq(oracle.quoteGasPayment(OTHER, 1000), 8000 gwei);
    }

    function test_SetRemoteGasDataBatch_RevertWhen_AnyEntryZero() public {
        IConfigurableGasOracle.RemoteGasDataConfig[] memory configs = _configs();
        configs[1].gasPrice = 0;
        vm.expectRevert(abi.encodeWithSelector(IConfigurableGasOracle.GasOracleZeroValue.selector, OTHER, 2e10, 0));
        vm.prank(operator);
        oracle.setRemoteGasDataBatch(configs);
        // All-or-nothing: the valid first entry was not stored either.
        vm.expectRevert(_unknown(DEST));
        oracle.quoteGasPayment(DEST, 1);
    }

    function test_RemoveRemoteGasData_RevertWhen_DomainUnknown() public {
        vm.expectRevert(_unknown(DEST));
        vm.prank(operator);
        oracle.removeRemoteGasData(DEST);
    }

    // --------------------------------------------------------- access control

    function test_Setters_RevertWhen_CallerNotAuthorized() public {
        _set(DEST, ONE_TO_ONE, 1 gwei);
        vm.startPrank(stranger);
        vm.expectRevert(_unauthorized(stranger));
        oracle.setRemoteGasData(DEST, 1, 1);
        vm.expectRevert(_unauthorized(stranger));
        oracle.setRemoteGasDataBatch(_configs());
        vm.expectRevert(_unauthorized(stranger));
        oracle.removeRemoteGasData(DEST);
        vm.stopPrank();
        // Data unchanged.
        assertEq(oracle.quoteGasPayment(DEST, 1), 1 gwei);
    }

    function test_Setters_AdminRoleIsNotEnoughWhenMappedToOperator() public {
        // The admin holds ADMIN_ROLE but the setters are mapped to PRICE_OPERATOR: the mapping is what counts.
        vm.expectRevert(_unauthorized(admin));
        vm.prank(admin);
        oracle.setRemoteGasData(DEST, 1, 1);
    }
}
