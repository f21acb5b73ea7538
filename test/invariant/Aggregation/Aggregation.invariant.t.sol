// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {AggInvariantRecipient, AggregationHandler} from "./AggregationHandler.sol";

/// @notice Issue 17's invariants for `TransportAggregator` over three real transports (Concord native, LayerZero V2,
/// Hyperlane; see README.md).
contract AggregationInvariantTest is Test {
    AggregationHandler internal handler;

    function setUp() public {
        handler = new AggregationHandler();
        bytes4[] memory selectors = new bytes4[](16);
        selectors[0] = AggregationHandler.send.selector;
        selectors[1] = AggregationHandler.send.selector;
        selectors[2] = AggregationHandler.relay.selector;
        selectors[3] = AggregationHandler.relay.selector;
        selectors[4] = AggregationHandler.relay.selector;
        selectors[5] = AggregationHandler.relay.selector;
        selectors[6] = AggregationHandler.replay.selector;
        selectors[7] = AggregationHandler.forge.selector;
        selectors[8] = AggregationHandler.forgeSender.selector;
        selectors[9] = AggregationHandler.changeReceiveSet.selector;
        selectors[10] = AggregationHandler.changeThreshold.selector;
        selectors[11] = AggregationHandler.executeOrRetry.selector;
        selectors[12] = AggregationHandler.relayStarved.selector;
        selectors[13] = AggregationHandler.release.selector;
        selectors[14] = AggregationHandler.warp.selector;
        selectors[15] = AggregationHandler.setFailing.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev Executed at most once per aggregator id; only the genuine payload; never with fewer than the version's
    /// threshold of receipts from the gateways of the receive set in effect then (by the handler's own model, so
    /// receipts of removed gateways never count), and the aggregator's receive set is the model's.
    function invariant_ExecutedOnce_GenuineOnly_WithKLiveReceipts() public view {
        AggInvariantRecipient recipient = handler.recipient();
        uint256 executed = 0;
        for (uint256 i = 0; i < handler.sentCount(); ++i) {
            (bytes32 id, uint64 version, bytes32 payloadHash) = handler.sentAt(i);
            AggInvariantRecipient.Seen memory s = recipient.seen(id);
            if (s.count == 0) continue;
            ++executed;
            assertEq(s.count, 1, "executed at most once");
            assertEq(s.payloadHash, payloadHash, "only the genuine payload");
            uint256 live = handler.modelSetAt(s.at);
            assertEq(s.receiveSet, live, "receive set = model");
            assertGe(handler.popcount(s.receipts & live), handler.ruleOf(version), "k receipts from live gateways");
        }
        assertEq(executed, recipient.executedCount(), "every execution is of a message sent by A's aggregator");
    }

    /// @dev A message whose id got a forged envelope before it executed (the handler's model) executes only after an
    /// operator release that came after the conflict; releases never come before their delay.
    function invariant_QuarantineHolds_UntilDelayedRelease() public view {
        AggInvariantRecipient recipient = handler.recipient();
        for (uint256 i = 0; i < handler.sentCount(); ++i) {
            (bytes32 id,,) = handler.sentAt(i);
            AggInvariantRecipient.Seen memory s = recipient.seen(id);
            (uint256 conflictOp, uint256 releaseOp) = handler.conflictOf(i);
            if (s.count == 0 || conflictOp == 0 || conflictOp > s.op) continue;
            assertGt(releaseOp, conflictOp, "executed after a conflict without a release");
            assertLt(releaseOp, s.op, "released before the execution");
        }
        assertEq(handler.earlyReleases(), 0, "a release before its delay");
    }

    /// @dev No relayer or caller makes a good message FAILED by giving too little gas; every execution gave the
    /// recipient at least its gas limit (less what the call itself and the recipient's first opcodes use).
    function invariant_NoStarvation() public view {
        assertEq(handler.starvedFailures(), 0, "FAILED by starvation");
        AggInvariantRecipient recipient = handler.recipient();
        for (uint256 i = 0; i < recipient.executedCount(); ++i) {
            AggInvariantRecipient.Seen memory s = recipient.seen(recipient.executedIds(i));
            assertGe(s.gasAtEntry, handler.defaultGasLimit() - 1000, "the recipient got its gas limit");
        }
    }

    /// @dev Value: what went in (value sent, sponsor funding) = refunds + what the transports were paid (LayerZero's
    /// send library, Hyperlane's IGP) + what the aggregator holds; every send cost exactly its quote.
    function invariant_ValueConserved() public view {
        assertEq(
            handler.ghostValueIn() + handler.ghostFunded(),
            handler.ghostRefunded() + handler.igpReceived() + handler.lzReceived() + handler.aggregatorA().balance,
            "value conserved"
        );
        assertEq(handler.ghostCharged(), handler.ghostQuoted(), "charge = quote");
        assertEq(handler.igpReceived() + handler.lzReceived(), handler.ghostCharged(), "the transports got the charge");
    }

    /// @dev Replays (through the transports, a second LayerZero packet, or by a gateway directly) and legs from a
    /// forged sender never count.
    function invariant_NoReplayOrForgedSenderCounted() public view {
        assertEq(handler.replaysAccepted(), 0, "replay accepted");
        assertEq(handler.forgedSenderRecorded(), 0, "forged sender recorded");
    }

    function afterInvariant() external view {
        console.log("sends", handler.calls("send"), "relays", handler.calls("relay"));
        console.log("starved relays", handler.calls("relayStarved"), "replays", handler.calls("replay"));
        console.log("forgeries", handler.calls("forge"), "forged senders", handler.calls("forgeSender"));
        console.log(
            "set changes", handler.calls("changeReceiveSet"), "threshold changes", handler.calls("changeThreshold")
        );
        console.log("execute/retry", handler.calls("executeOrRetry"), "releases", handler.calls("release"));
        console.log("executions", handler.recipient().executions(), "messages", handler.sentCount());
        (uint256 pending, uint256 executed, uint256 failed, uint256 quarantined) = handler.statusCounts();
        console.log("pending", pending, "executed", executed);
        console.log("failed", failed, "quarantined", quarantined);
    }

    /// @dev Non-vacuity: the handler's honest path executes, the attacker actions run, and the properties above see
    /// them.
    function test_HandlerHappyPath_Executes() public {
        handler.send(0, 0, 1, false);
        handler.send(1, 1 ether, 2, true);
        handler.send(2, 0, 3, false);
        handler.relay(0, 0);
        handler.relay(0, 1);
        handler.relay(1, 1);
        handler.relay(1, 2);
        handler.forge(2, 7, true);
        handler.forge(2, 8, false);
        handler.relay(2, 0);
        handler.relay(2, 2);
        handler.forgeSender(0, true);
        handler.forgeSender(0, false);
        handler.replay(0, 0, 0);
        handler.replay(0, 1, 1);
        handler.replay(0, 1, 2);
        handler.replay(1, 2, 1);
        assertEq(handler.recipient().executions(), 2, "two executed, the forged-for one quarantined");
        (uint256 conflictOp,) = handler.conflictOf(2);
        assertGt(conflictOp, 0, "the model saw the conflict");
        handler.release(2, 1, true);
        handler.release(2, 0, false);
        assertEq(handler.recipient().executions(), 2, "not released before the delay");
        handler.warp(2 days);
        handler.release(2, 0, false);
        handler.executeOrRetry(2, false, 0, 1_000_000);
        assertEq(handler.recipient().executions(), 3, "released and executed");
        invariant_ExecutedOnce_GenuineOnly_WithKLiveReceipts();
        invariant_QuarantineHolds_UntilDelayedRelease();
        invariant_NoStarvation();
        invariant_ValueConserved();
        invariant_NoReplayOrForgedSenderCounted();
        assertGt(handler.igpReceived(), 0, "Hyperlane fees were paid");
        assertGt(handler.lzReceived(), 0, "LayerZero fees were paid");
    }
}
