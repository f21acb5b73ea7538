// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {AggInvariantRecipient, AggregationHandler} from "./AggregationHandler.sol";

/// @notice Issue 17's invariants for `TransportAggregator` over three real transports (see README.md).
contract AggregationInvariantTest is Test {
    AggregationHandler internal handler;

    function setUp() public {
        handler = new AggregationHandler();
        bytes4[] memory selectors = new bytes4[](11);
        selectors[0] = AggregationHandler.send.selector;
        selectors[1] = AggregationHandler.relay.selector;
        selectors[2] = AggregationHandler.relay.selector;
        selectors[3] = AggregationHandler.relay.selector;
        selectors[4] = AggregationHandler.replay.selector;
        selectors[5] = AggregationHandler.forge.selector;
        selectors[6] = AggregationHandler.forgeSender.selector;
        selectors[7] = AggregationHandler.changeReceiveSet.selector;
        selectors[8] = AggregationHandler.changeThreshold.selector;
        selectors[9] = AggregationHandler.executeOrRetry.selector;
        selectors[10] = AggregationHandler.warp.selector;
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

    /// @dev Value: what went in (value sent, sponsor funding) = refunds + what the transports were paid + what the
    /// aggregator holds; every send cost exactly its quote.
    function invariant_ValueConserved() public view {
        assertEq(
            handler.ghostValueIn() + handler.ghostFunded(),
            handler.ghostRefunded() + handler.igpReceived() + handler.aggregatorA().balance,
            "value conserved"
        );
        assertEq(handler.ghostCharged(), handler.ghostQuoted(), "charge = quote");
        assertEq(handler.igpReceived(), handler.ghostCharged(), "the transports got the charge");
    }

    /// @dev Replays (through the transports or by a gateway directly) and legs from a forged sender never count.
    function invariant_NoReplayOrForgedSenderCounted() public view {
        assertEq(handler.replaysAccepted(), 0, "replay accepted");
        assertEq(handler.forgedSenderRecorded(), 0, "forged sender recorded");
    }

    function afterInvariant() external view {
        console.log("sends", handler.calls("send"), "relays", handler.calls("relay"));
        console.log("replays", handler.calls("replay"), "forgeries", handler.calls("forge"));
        console.log(
            "set changes", handler.calls("changeReceiveSet"), "threshold changes", handler.calls("changeThreshold")
        );
        console.log("executions", handler.recipient().executions());
    }

    /// @dev Non-vacuity: the handler's honest path executes, and the properties above see it.
    function test_HandlerHappyPath_Executes() public {
        handler.send(0, 0, 1, false);
        handler.send(1, 1 ether, 2, true);
        handler.relay(0, 0);
        handler.relay(0, 2);
        handler.relay(1, 1);
        handler.relay(1, 2);
        handler.forge(0, 7);
        handler.replay(0, 0, true);
        handler.replay(1, 2, false);
        assertEq(handler.recipient().executions(), 2);
        invariant_ExecutedOnce_GenuineOnly_WithKLiveReceipts();
        invariant_ValueConserved();
        invariant_NoReplayOrForgedSenderCounted();
        assertGt(handler.igpReceived(), 0, "fees were paid");
    }
}
