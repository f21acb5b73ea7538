// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/console.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ProbeRecipient} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {AxelarAdapterBase} from "./AxelarAdapterBase.sol";

/// @notice Measures the execution gas the adapter pays the gas service for (`AxelarAdapter.destinationGas`): for each
/// recipient gas limit and payload size, the whole `execute` transaction a relayer sends (the intrinsic 21,000, the
/// calldata at EIP-2028 prices, and the smallest gas with which the call delivers: the recipient executed, on a fresh
/// replay word, the dearest case), minus the recipient's gas limit. `destinationGas` must cover it; the margin is
/// logged (`forge test --match-test test_DestinationGas -vv`). Axelar's base fee pays for the approval transaction.
contract AxelarAdapterGasTest is AxelarAdapterBase {
    function setUp() public override {
        super.setUp();
        rB.setMode(ProbeRecipient.Mode.LIGHT);
    }

    function test_DestinationGas_CoversTheExecuteTransaction() public {
        uint32[4] memory limits = [uint32(50_000), 200_000, 1_000_000, 5_000_000];
        uint256[6] memory sizes = [uint256(0), 32, 1024, 8192, 24_576, 65_536];
        uint256 worstMargin = type(uint256).max;
        uint256 bestMargin = 0;
        for (uint256 s = 0; s < sizes.length; ++s) {
            for (uint256 l = 0; l < limits.length; ++l) {
                uint256 margin = _measure(limits[l], sizes[s]);
                if (margin < worstMargin) worstMargin = margin;
                if (margin > bestMargin) bestMargin = margin;
            }
        }
        console.log("margin of destinationGas over the measured need, smallest / largest:", worstMargin, bestMargin);
        assertLt(worstMargin, 15_000, "destinationGas is not far above the need");
    }

    function _measure(uint32 gasLimit, uint256 size) internal returns (uint256 margin) {
        uint256 snapshot = vm.snapshotState();
        bytes memory payload = new bytes(size);
        for (uint256 i = 0; i < size; i += 3) {
            payload[i] = 0xff; // mostly non-zero calldata: the dearer case
        }
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), payload, _gasAttr(gasLimit));
        _axApprove(m);
        uint256 txGas = _executeTxGas(m);
        uint256 need = txGas - gasLimit;
        uint256 paid = aA.destinationGas(gasLimit, _axBody(m).length) - gasLimit;
        console.log("gasLimit / payload bytes:", gasLimit, size);
        console.log("  execute: whole transaction:", txGas);
        console.log("  adapter need beyond the gas limit / paid beyond it:", need, paid);
        assertGe(paid, need, "destinationGas covers the execute transaction");
        margin = paid - need;
        vm.revertToState(snapshot);
    }

    /// @dev The relayer's `execute` transaction for approved call `m`: intrinsic + calldata + the smallest call gas.
    function _executeTxGas(uint256 m) internal returns (uint256) {
        bytes32 commandId = _axCommandId(m);
        string memory source = aA.axelarAddressOf(address(aA));
        bytes memory body = _axBody(m);
        uint256 callGas = _minExecuteGas(commandId, source, body);
        return 21_000 + _calldataGas(abi.encodeCall(aB.execute, (commandId, AX_A, source, body))) + callGas;
    }

    function _calldataGas(bytes memory data) internal pure returns (uint256 gas) {
        for (uint256 i = 0; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    /// @dev Smallest gas for `execute` to deliver (the recipient executed, not FAILED).
    function _minExecuteGas(bytes32 commandId, string memory source, bytes memory body) internal returns (uint256) {
        uint256 snapshot = vm.snapshotState();
        uint256 lo = 0;
        uint256 hi = 30_000_000;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            bool ok;
            try aB.execute{gas: mid}(commandId, AX_A, source, body) {
                ok = aB.status(CHAIN_A, address(aA), body) == IConcordAdapter.MessageStatus.EXECUTED;
            } catch {}
            if (ok) hi = mid;
            else lo = mid;
            vm.revertToState(snapshot);
        }
        return hi;
    }
}
