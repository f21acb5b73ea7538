// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/console.sol";

import {ITransportAggregator} from "../../contracts/interfaces/ITransportAggregator.sol";
import {AggregatorBase} from "../aggregation/AggregatorBase.sol";
import {BenchBase} from "./BenchBase.sol";
import {BenchConcordRecipient} from "./BenchReceivers.sol";

/// @notice Issue 17: `TransportAggregator` gas, full transaction (`forge test --isolate --match-path
/// test/bench/AggregatorGas.t.sol -vv`), over the fixture of test/aggregation (Concord's native gateway with 2-of-3
/// message-id multisig routes, LayerZero V2's EndpointV2 + ULN302 + DVN + executor as the LayerZero test kit deploys
/// them, and Hyperlane with its real Mailbox, IGP, MerkleTreeHook and 2-of-3 message-id multisig ISM). Rows, snapshot
/// group `Aggregator` (snapshots/Aggregator.json):
/// - `send_2of3_<n>B`: an app's `sendMessage` to the aggregator (threshold 2, three legs: native, LayerZero and
///   Hyperlane, paying the exact quote), steady state; `send_native_direct_<n>B`: the same app sending over the
///   native gateway alone (reference).
/// - `deliver_first_<n>B`: the first leg's `ConcordGateway.process` (receipt recorded, nothing executed).
/// - `deliver_kth_layerzero_<n>B` / `deliver_kth_hyperlane_<n>B`: the second leg, which executes the recipient, when
///   it comes over LayerZero (the executor's `EndpointV2.lzReceive`; the DVN's verification and the commit are
///   separate transactions, not counted) or over Hyperlane (`Mailbox.process`, ISM verification included), from the
///   same state.
/// - `deliver_late_<n>B`: the third leg after execution (LayerZero's `lzReceive` after Hyperlane executed; receipt
///   recorded only).
/// - `deliver_native_direct_<n>B`: a native gateway delivering straight to the recipient (reference).
/// The recipient hashes the payload and emits one event (the work every bench receiver does).
contract AggregatorGasBench is BenchBase, AggregatorBase {
    /// @notice Thrown when a measured call did not leave the expected state.
    error AggregatorBenchFailed(string what);

    string internal constant GROUP = "Aggregator";

    BenchConcordRecipient internal viaAggregator;
    BenchConcordRecipient internal viaNative;

    function setUp() public override {
        super.setUp();
        viaAggregator = new BenchConcordRecipient(address(aggB));
        viaNative = new BenchConcordRecipient(address(nB));
        vm.deal(address(this), 100 ether);
    }

    function _send(bytes memory payload) internal returns (uint256 gasUsed, Legs memory legs) {
        bytes memory recipient = _to(CHAIN_B, address(viaAggregator));
        uint256 fee = aggA.quote(recipient, payload, _noAttr());
        vm.recordLogs();
        aggA.sendMessage{value: fee}(recipient, payload, _noAttr());
        gasUsed = _lastTxGas();
        legs = _legsOfLastSend(1, 1, 1);
    }

    function test_Bench_Aggregator_2of3() public {
        // Warm: the destination's nonce slot and the gateways' trees are not fresh.
        (, Legs memory warm) = _send(_payload(32));
        _relayNative(warm.n0);
        _lzVerify(warm.lz);
        _lzExecuteTopLevel(warm.lz);
        _hlRelay(warm.hl);
        uint256[2] memory sizes = [uint256(32), 1024];
        for (uint256 s = 0; s < sizes.length; ++s) {
            _benchSize(sizes[s]);
        }
    }

    function _benchSize(uint256 size) internal {
        bytes memory payload = _payload(size);
        string memory suffix = string.concat("_", vm.toString(size), "B");

        uint256 snapshot = vm.snapshotState();
        nA.sendMessage(_to(CHAIN_B, address(viaNative)), payload, _noAttr());
        uint256 sendDirect = _lastTxGas();
        vm.recordLogs();
        vm.revertToState(snapshot);
        vm.getRecordedLogs();

        (uint256 send, Legs memory legs) = _send(payload);

        _relayNative(legs.n0);
        uint256 first = _lastTxGas();
        snapshot = vm.snapshotState();
        _lzVerify(legs.lz);
        vm.expectEmit(address(viaAggregator));
        emit BenchMessageReceived(keccak256(payload));
        uint256 kthLayerZero = _lzExecuteTopLevel(legs.lz);
        vm.revertToState(snapshot);
        vm.expectEmit(address(viaAggregator));
        emit BenchMessageReceived(keccak256(payload));
        _hlRelay(legs.hl);
        uint256 kthHyperlane = _lastTxGas();
        bytes32 id = aggA.idOf(CHAIN_A, address(aggA), CHAIN_B, aggA.nonce(CHAIN_B) - 1);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
        _lzVerify(legs.lz);
        uint256 late = _lzExecuteTopLevel(legs.lz);
        if (aggB.receipts(id, keccak256(legs.envelope)) != ALL) revert AggregatorBenchFailed("receipts");

        // Reference: one native gateway alone, same payload and receiver work.
        vm.recordLogs();
        nA.sendMessage(_to(CHAIN_B, address(viaNative)), payload, _noAttr());
        (uint256 natives,,) = _capture();
        if (natives != 1) revert AggregatorBenchFailed("native send");
        vm.expectEmit(address(viaNative));
        emit BenchMessageReceived(keccak256(payload));
        _relayNative(nSent.length - 1);
        uint256 deliverDirect = _lastTxGas();

        _snap(string.concat("send_2of3", suffix), send);
        _snap(string.concat("send_native_direct", suffix), sendDirect);
        _snap(string.concat("deliver_first", suffix), first);
        _snap(string.concat("deliver_kth_layerzero", suffix), kthLayerZero);
        _snap(string.concat("deliver_kth_hyperlane", suffix), kthHyperlane);
        _snap(string.concat("deliver_late", suffix), late);
        _snap(string.concat("deliver_native_direct", suffix), deliverDirect);
    }

    /// @dev The executor's transaction: `EndpointV2.lzReceive` of verified packet `i` as a top-level call. (Not capped
    /// at the lzReceive option's gas: under `--isolate` the cap would become the transaction's gas limit, from which
    /// the intrinsic gas is taken first; LayerZero's executor adds its own margin the same way.)
    function _lzExecuteTopLevel(uint256 i) internal returns (uint256 gasUsed) {
        bytes memory packet = _lzPacket(i);
        _lzEndpoint(_lzDstEid(packet))
            .lzReceive(_lzOrigin(packet), _lzReceiver(packet), _lzGuid(packet), _lzMessage(packet), "");
        gasUsed = _lastTxGas();
        if (_lzPending(i)) revert AggregatorBenchFailed("lzReceive");
    }

    function _snap(string memory name, uint256 value) internal {
        console.log(string.concat(name, ":"), value);
        vm.snapshotValue(GROUP, name, value);
    }
}
