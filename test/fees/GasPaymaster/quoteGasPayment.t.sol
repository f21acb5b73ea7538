// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConfigurableGasOracle} from "../../../contracts/interfaces/IConfigurableGasOracle.sol";
import {GasPaymasterBase} from "./Base.t.sol";

/// @notice `quoteGasPayment`: the oracle's price for the gas limit plus the destination's overhead.
contract GasPaymaster_quoteGasPayment is GasPaymasterBase {
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
}
