// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Errors} from "@layerzerolabs/lz-evm-protocol-v2/contracts/libs/Errors.sol";

import {FlowEscrow} from "../../contracts/coordination/FlowEscrow.sol";
import {FlowExecutor} from "../../contracts/coordination/FlowExecutor.sol";
import {IFlowEscrow} from "../../contracts/interfaces/IFlowEscrow.sol";
import {ITransportAggregator} from "../../contracts/interfaces/ITransportAggregator.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {HlFlowTarget} from "../adapters/HyperlaneAdapter/HyperlaneAdapter.flows.t.sol";
import {AggregatorBase} from "./AggregatorBase.sol";

/// @notice Issue 17: Concord's flow coordinator over the aggregators. `FlowEscrow` on A and `FlowExecutor` on B use
/// `aggA` / `aggB` as their gateway (sponsored senders; the aggregators' sponsor balances pay the LayerZero and
/// Hyperlane legs), so the EXECUTE leg and the OUTCOME leg each travel over the native gateway, LayerZero and
/// Hyperlane, and each needs 2 of 3 with LayerZero one of the two.
contract TransportAggregatorFlowsTest is AggregatorBase {
    uint64 internal constant HORIZON = 7 days;
    uint256 internal constant AMOUNT = 1 ether;
    /// @dev The target's gas; the EXECUTE's gas limit adds the escrow's overhead, from which B's OUTCOME is sent
    /// (over three transports).
    uint32 internal constant EXEC_GAS = 800_000;

    FlowEscrow internal escrow;
    FlowExecutor internal executor;
    HlFlowTarget internal target;

    address internal opener = makeAddr("opener");
    address internal refundTo = makeAddr("refundTo");
    address internal beneficiary = makeAddr("beneficiary");

    function setUp() public override {
        super.setUp();
        escrow = new FlowEscrow(address(aggA), CHAIN_A, address(manager), HORIZON);
        executor = new FlowExecutor(address(aggB), CHAIN_B, address(manager), 2 * HORIZON);
        escrow.setRemote(CHAIN_B, address(executor));
        executor.setRemote(CHAIN_A, address(escrow));
        escrow.setLane(CHAIN_B, address(0), address(0), beneficiary);
        executor.setLane(CHAIN_A, address(0), address(0), beneficiary);
        aggA.setSponsoredSender(address(escrow), true);
        aggB.setSponsoredSender(address(executor), true);
        aggA.fund{value: 10 ether}();
        aggB.fund{value: 10 ether}();
        target = new HlFlowTarget();
        vm.deal(address(executor), 100 ether);
        vm.deal(opener, 100 ether);
    }

    function _request(uint64 deadline) internal view returns (FlowLib.Flow memory f) {
        f.destinationDomain = CHAIN_B;
        f.executor = address(executor);
        f.target = address(target);
        f.amount = AMOUNT;
        f.maxValue = AMOUNT;
        f.deadline = deadline;
        f.executionGas = EXEC_GAS;
        f.refundTo = refundTo;
        f.beneficiary = beneficiary;
    }

    function _open(FlowLib.Flow memory req)
        internal
        returns (bytes32 id, FlowLib.Flow memory flow, Legs memory execute)
    {
        vm.recordLogs();
        vm.prank(opener);
        (id, flow) = escrow.open{value: AMOUNT}(req, "order");
        execute = _legsOfLastSend(1, 1, 1);
    }

    /// @dev EXECUTE over native + LayerZero (Hyperlane down; LayerZero's executor delivers the k-th leg, inside which
    /// the flow runs and B's OUTCOME leaves over the three transports); OUTCOME over LayerZero + Hyperlane (native
    /// down; Hyperlane's is the k-th).
    function test_Flow_TwoOfThreeOnBothLegs_ExecutedAndSettled() public {
        (bytes32 id,, Legs memory execute) = _open(_request(uint64(block.timestamp + 1 hours)));
        _relayNative(execute.n0);
        assertEq(target.executions(), 0, "1 of 3: not executed");
        vm.recordLogs();
        _lzDeliver(execute.lz);
        Legs memory outcome = _legsOfLastSend(1, 1, 1);
        assertEq(uint8(executor.record(id).status), uint8(FlowLib.Status.EXECUTED));
        assertEq(target.executions(), 1);
        assertEq(target.received(), AMOUNT);

        _lzDeliver(outcome.lz);
        assertEq(uint8(escrow.record(id).phase), uint8(FlowLib.Phase.LOCKED), "1 of 3: not settled");
        vm.expectEmit(address(escrow));
        emit IFlowEscrow.FlowFinalized(id, beneficiary, AMOUNT, 0, 0);
        _hlRelay(outcome.hl);
        assertEq(uint8(escrow.record(id).phase), uint8(FlowLib.Phase.SETTLED));
        assertEq(escrow.claim(beneficiary, address(0)), AMOUNT);

        // The late third legs change nothing; a replayed leg is refused by its transport.
        _hlRelay(execute.hl);
        _relayNative(outcome.n0);
        assertEq(target.executions(), 1);
        vm.expectRevert(bytes("Mailbox: already delivered"));
        _hlRelay(execute.hl);
        _lzExecuteExpectRevert(
            execute.lz,
            abi.encodeWithSelector(
                Errors.LZ_PayloadHashNotFound.selector, bytes32(0), _lzPayloadHash(_lzPacket(execute.lz))
            )
        );
    }

    /// @dev A forged EXECUTE (same aggregator id, other payload) from one corrupt transport quarantines it on B: the
    /// flow never runs there without the operator; it expires on B's clock and A is refunded over 2 of 3.
    function test_Flow_ForgedExecute_Quarantined_ThenExpiredAndRefunded() public {
        (bytes32 id, FlowLib.Flow memory flow, Legs memory execute) = _open(_request(uint64(block.timestamp + 1 hours)));
        ITransportAggregator.Envelope memory e = this_decode(execute.envelope);
        e.payload = abi.encodePacked(e.payload, "x");
        bytes memory forged = _encode(e);
        _forgeLz(address(aggA), forged, 900);
        _relayNative(execute.n0);
        _hlRelay(execute.hl);
        bytes32 aggId = aggA.idOf(CHAIN_A, address(aggA), CHAIN_B, e.nonce);
        _assertStatus(aggB, aggId, ITransportAggregator.Status.QUARANTINED);
        assertEq(target.executions(), 0);

        vm.warp(flow.deadline + 1);
        vm.recordLogs();
        vm.prank(stranger);
        executor.expire(flow);
        Legs memory outcome = _legsOfLastSend(1, 1, 1);
        _relayNative(outcome.n0);
        _lzDeliver(outcome.lz);
        assertEq(uint8(escrow.record(id).outcome), uint8(FlowLib.Status.EXPIRED));
        assertEq(escrow.owed(refundTo, address(0)), AMOUNT);
        assertEq(uint8(executor.record(id).status), uint8(FlowLib.Status.EXPIRED));
    }

    function _encode(ITransportAggregator.Envelope memory e) internal pure returns (bytes memory) {
        return abi.encodePacked(
            e.nonce, e.origin, e.destination, e.version, e.sender, e.recipient, e.gasLimit, e.declaredValue, e.payload
        );
    }
}
