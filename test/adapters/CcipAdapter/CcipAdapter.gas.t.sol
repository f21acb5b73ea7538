// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {console} from "forge-std/console.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {CcipAdapterBase, ProbeRecipient} from "./CcipAdapterBase.sol";

/// @notice Measures the destination gas the adapter needs besides its recipient's gas limit, which it names in the
/// CCIP extra args (`CcipAdapter.destinationGas`): for each recipient gas limit and payload size, the smallest gas
/// limit with which the Router's `routeMessage` (the OffRamp path; `CallWithExactGas` gives `ccipReceive` exactly that
/// gas) delivers an adapter message with the recipient executed, on a fresh replay word and with the adapter's
/// storage and the recipient's account cold (`vm.cool`: the dearest case).
/// `destinationGas` must cover it; the margin is logged (`forge test --match-test test_DestinationGas -vv`). The
/// same delivery made by the simulator inside `ccipSend` (nothing held, all storage of the destination cold) was seen
/// to need about 4,000 gas more than this measure; `test_DestinationGas_SynchronousDeliveryExecutes` checks that it
/// executes with the extra args' gas for every case, and the constant keeps a margin for it. The
/// OffRamp's own execution costs (proof, state, token pools) are outside the gas limit and priced by CCIP's
/// FeeQuoter per destination.
contract CcipAdapterGasTest is CcipAdapterBase {
    function setUp() public override {
        super.setUp();
        rB.setMode(ProbeRecipient.Mode.LIGHT);
    }

    function test_DestinationGas_CoversTheAdapterOverhead() public {
        uint32[4] memory limits = [uint32(50_000), 200_000, 1_000_000, 5_000_000];
        uint256[6] memory sizes = [uint256(0), 32, 1024, 8192, 24_576, 30_000];
        uint256 worstMargin = type(uint256).max;
        for (uint256 s = 0; s < sizes.length; ++s) {
            for (uint256 l = 0; l < limits.length; ++l) {
                uint256 margin = _measure(limits[l], sizes[s]);
                if (margin < worstMargin) worstMargin = margin;
            }
        }
        console.log("smallest margin of destinationGas over the measured need:", worstMargin);
        assertLt(worstMargin, 15_000, "destinationGas is not far above the need");
    }

    /// @dev The simulator as shipped delivers inside `ccipSend` with exactly the extra args' gas limit: for every gas
    /// limit and payload size, the recipient executes (a fresh replay word each time: nonce 256 * k).
    function test_DestinationGas_SynchronousDeliveryExecutes() public {
        _ccipReleaseAll();
        aA.setChainSelector(CHAIN_B, SIM_SELECTOR);
        aB.setChainSelector(CHAIN_A, SIM_SELECTOR);
        uint32[4] memory limits = [uint32(50_000), 200_000, 1_000_000, 5_000_000];
        uint256[5] memory sizes = [uint256(0), 32, 1024, 8192, 24_576];
        for (uint256 s = 0; s < sizes.length; ++s) {
            for (uint256 l = 0; l < limits.length; ++l) {
                uint256 snapshot = vm.snapshotState();
                bytes memory recipient = _to(CHAIN_B, address(rB));
                bytes memory payload = new bytes(sizes[s]);
                uint256 fee = aA.quote(recipient, payload, _gasAttr(limits[l]));
                vm.prank(alice);
                aA.sendMessage{value: fee}(recipient, payload, _gasAttr(limits[l]));
                assertEq(rB.lightCount(), 1, "executed inside ccipSend");
                vm.revertToState(snapshot);
            }
        }
    }

    function _measure(uint32 gasLimit, uint256 size) internal returns (uint256 margin) {
        uint256 snapshot = vm.snapshotState();
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), new bytes(size), _gasAttr(gasLimit));
        uint256 envelopeLength = _ccipBody(m).length;
        uint256 need = _minRouteGas(m) - gasLimit;
        uint256 paid = aA.destinationGas(gasLimit, envelopeLength) - gasLimit;
        assertEq(ccipSent[m].gasLimit, aA.destinationGas(gasLimit, envelopeLength), "the extra args' gas limit");
        console.log("gasLimit / payload bytes:", gasLimit, size);
        console.log("  adapter need beyond the gas limit / paid beyond it:", need, paid);
        assertGe(paid, need, "destinationGas covers the adapter");
        margin = paid - need;
        vm.revertToState(snapshot);
    }

    /// @dev Smallest gas limit for `routeMessage` of captured message `i` to deliver with the recipient executed.
    function _minRouteGas(uint256 i) internal returns (uint256) {
        Client.Any2EVMMessage memory message = _ccipMessage(i);
        bytes memory body = _ccipBody(i);
        uint256 snapshot = vm.snapshotState();
        uint256 lo = 0;
        uint256 hi = 30_000_000;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            // As in a real execution: the adapter's storage and the recipient's account cold (the adapter pays for
            // both inside its gas limit), whatever earlier attempts touched.
            vm.cool(address(aB));
            vm.cool(address(rB));
            (bool ok,) = _ccipRouteUncaptured(message, mid, address(aB));
            ok = ok && aB.status(CHAIN_A, address(aA), body) == IConcordAdapter.MessageStatus.EXECUTED;
            if (ok) hi = mid;
            else lo = mid;
            vm.revertToState(snapshot);
        }
        return hi;
    }
}
