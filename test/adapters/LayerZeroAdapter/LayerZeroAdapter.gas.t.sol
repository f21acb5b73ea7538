// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/console.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ProbeRecipient} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {LayerZeroAdapterBase} from "./LayerZeroAdapterBase.sol";

/// @notice Measures the gas the adapter's lzReceive option must carry besides its recipient's gas limit
/// (`LayerZeroAdapter.receiveGas`): LayerZero's executor hands `EndpointV2.lzReceive` exactly the option's gas, so the
/// option pays for the endpoint's own work (payload hash, lazy nonce), the adapter and the recipient. For each
/// recipient gas limit and payload size: the smallest gas with which `EndpointV2.lzReceive` delivers an adapter
/// message (the recipient executed), on the first packet of the path (a fresh lazy-nonce slot at the endpoint and a
/// fresh replay word at the adapter: the dearest case). `receiveGas` must cover it; the margin is logged
/// (`forge test --match-test test_ReceiveGas -vv`).
contract LayerZeroAdapterGasTest is LayerZeroAdapterBase {
    function setUp() public override {
        super.setUp();
        rB.setMode(ProbeRecipient.Mode.LIGHT);
    }

    function test_ReceiveGas_CoversTheEndpointAndTheAdapter() public {
        uint32[4] memory limits = [uint32(50_000), 200_000, 1_000_000, 5_000_000];
        // The send library's executor accepts messages up to 10,000 bytes (LayerZero's default maxMessageSize).
        uint256[5] memory sizes = [uint256(0), 32, 1024, 4096, 9000];
        uint256 worstMargin = type(uint256).max;
        for (uint256 s = 0; s < sizes.length; ++s) {
            for (uint256 l = 0; l < limits.length; ++l) {
                uint256 margin = _measure(limits[l], sizes[s]);
                if (margin < worstMargin) worstMargin = margin;
            }
        }
        console.log("smallest margin of receiveGas over the measured need:", worstMargin);
        assertLt(worstMargin, 10_000, "receiveGas is not far above the need");
    }

    function _measure(uint32 gasLimit, uint256 size) internal returns (uint256 margin) {
        uint256 snapshot = vm.snapshotState();
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), new bytes(size), _gasAttr(gasLimit));
        _lzVerify(m);
        uint256 envelopeLength = _lzBody(m).length;
        uint256 need = _minReceiveGas(m) - gasLimit;
        uint256 paid = aA.receiveGas(gasLimit, envelopeLength) - gasLimit;
        console.log("gasLimit / payload bytes:", gasLimit, size);
        console.log("  need beyond the gas limit / paid beyond it:", need, paid);
        assertGe(paid, need, "receiveGas covers the endpoint and the adapter");
        margin = paid - need;
        vm.revertToState(snapshot);
    }

    /// @dev Smallest gas for `EndpointV2.lzReceive` of verified packet `i` to deliver (the recipient executed, not
    /// FAILED).
    function _minReceiveGas(uint256 i) internal returns (uint256) {
        bytes memory packet = _lzPacket(i);
        bytes memory body = _lzBody(i);
        uint256 snapshot = vm.snapshotState();
        uint256 lo = 0;
        uint256 hi = 30_000_000;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            bool ok;
            try _lzEndpoint(EID_B).lzReceive{gas: mid}(
                _lzOrigin(packet), address(aB), _lzGuid(packet), _lzMessage(packet), ""
            ) {
                ok = aB.status(CHAIN_A, address(aA), body) == IConcordAdapter.MessageStatus.EXECUTED;
            } catch {}
            if (ok) hi = mid;
            else lo = mid;
            vm.revertToState(snapshot);
        }
        return hi;
    }
}
