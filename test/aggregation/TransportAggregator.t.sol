// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Errors} from "@layerzerolabs/lz-evm-protocol-v2/contracts/libs/Errors.sol";

import {AggregatorEnvelope} from "../../contracts/adapters/aggregator/AggregatorEnvelope.sol";
import {TransportAggregator} from "../../contracts/adapters/aggregator/TransportAggregator.sol";
import {IConcordAdapter} from "../../contracts/interfaces/IConcordAdapter.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {ITransportAggregator} from "../../contracts/interfaces/ITransportAggregator.sol";
import {ProbeRecipient} from "../adapters/HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {AggregatorBase} from "./AggregatorBase.sol";

/// @notice Issue 17's must-hold scenarios over three real transports (Concord's native gateway, LayerZero V2 and
/// Hyperlane, each over its real contracts): 2 of 3 delivered and executed; one transport down; one transport forging
/// (LayerZero through a corrupt DVN, or the native validators); replays on every leg, including LayerZero-level ones;
/// delayed threshold changes; quote == charge (LayerZero's and Hyperlane's fees); a funded and an unfunded gateway.
contract TransportAggregatorTest is AggregatorBase {
    bytes internal constant PAYLOAD = "hello over three transports";

    // ------------------------------------------------------------------------------------------ 2 of 3

    function test_TwoOfThree_DeliveredAndExecuted() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        assertEq(id, aggA.idOf(CHAIN_A, address(aggA), CHAIN_B, 0), "id");
        bytes32 h = keccak256(legs.envelope);

        _relayNative(legs.n0);
        _assertStatus(aggB, id, ITransportAggregator.Status.PENDING);
        assertEq(aggB.countedReceipts(CHAIN_A, id, h), 1);
        assertEq(rB.count(), 0, "not executed with 1 of 3");

        // The k-th leg comes over LayerZero: DVN verification, commit, then the executor's lzReceive runs it.
        _lzVerify(legs.lz);
        vm.expectEmit(address(aggB));
        emit ITransportAggregator.Executed(id, CHAIN_A);
        _lzExecute(legs.lz);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
        assertEq(rB.count(), 1);
        ProbeRecipient.Delivery memory d = rB.delivery(0);
        assertEq(d.gateway, address(aggB));
        assertEq(d.receiveId, id);
        assertEq(d.sender, _to(CHAIN_A, alice));
        assertEq(d.payload, PAYLOAD);

        // The third leg arrives late: recorded, never executed again.
        _hlRelay(legs.hl);
        assertEq(aggB.receipts(id, h), ALL);
        assertEq(rB.count(), 1, "executed once");
    }

    function test_OneTransportDown_StillExecuted() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        // The native gateway never delivers.
        _lzDeliver(legs.lz);
        _hlRelay(legs.hl);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
        assertEq(rB.count(), 1);
    }

    /// @dev A transport that is down at send time (its gateway refuses the leg) is reported; the send succeeds with 2.
    function test_OneTransportDownAtSend_LegFailedReported_SendSucceeds() public {
        nA.pause(false, true);
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, PAYLOAD, _noAttr());
        vm.recordLogs();
        vm.expectEmit(address(aggA));
        emit ITransportAggregator.LegFailed(
            aggA.idOf(CHAIN_A, address(aggA), CHAIN_B, 0),
            address(nA),
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayOutboundPaused.selector)
        );
        vm.prank(alice);
        bytes32 id = aggA.sendMessage{value: fee}(recipient, PAYLOAD, _noAttr());
        Legs memory legs = _legsOfLastSend(0, 1, 1);
        _lzDeliver(legs.lz);
        _hlRelay(legs.hl);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
    }

    /// @dev The native gateway paused and the LayerZero adapter no longer serving B (its quote fails): 1 of 3.
    function test_TwoTransportsDownAtSend_Reverts() public {
        nA.pause(false, true);
        lA.setRemote(CHAIN_B, address(0));
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, PAYLOAD, _noAttr());
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorTooFewAccepted.selector, 1, 2));
        aggA.sendMessage{value: fee}(recipient, PAYLOAD, _noAttr());
    }

    // ------------------------------------------------------------------------------------------ forgery

    /// @dev LayerZero is corrupt (its DVN verifies a packet A's endpoint never sent for the aggregator, stating the
    /// LayerZero adapter on A as its sender): it carries the same aggregator id (nonce 0) with another payload. With
    /// the genuine legs it conflicts: QUARANTINED, never executed, even with two genuine receipts; released only by a
    /// delayed operator decision.
    function test_ForgingTransport_LayerZero_Quarantined_NotExecuted() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        bytes memory forged = _forgedEnvelope(legs.envelope, "steal everything");
        bytes32 h = keccak256(legs.envelope);
        bytes32 hf = keccak256(forged);

        _forgeLz(address(aggA), forged, 777);
        _assertStatus(aggB, id, ITransportAggregator.Status.PENDING);
        assertEq(aggB.receipts(id, hf), 1 << SLOT_LZ, "the forged leg recorded from LayerZero's slot");
        assertEq(rB.count(), 0);

        vm.expectEmit(address(aggB));
        emit ITransportAggregator.ReceiptConflict(id, address(nB), hf, h, true);
        _relayNative(legs.n0);
        _assertStatus(aggB, id, ITransportAggregator.Status.QUARANTINED);
        _hlRelay(legs.hl);
        _assertStatus(aggB, id, ITransportAggregator.Status.QUARANTINED);
        assertEq(aggB.countedReceipts(CHAIN_A, id, h), 2, "two genuine receipts");
        assertEq(rB.count(), 0, "never executed while quarantined");
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorEnvelopeMismatch.selector, id, hf, h)
        );
        aggB.execute(address(aggA), legs.envelope);
        // The genuine LayerZero leg still arrives (LayerZero's own nonce order), and counts for the genuine envelope.
        _lzDeliver(legs.lz);
        assertEq(aggB.countedReceipts(CHAIN_A, id, h), 3);
        _assertStatus(aggB, id, ITransportAggregator.Status.QUARANTINED);

        // The operator's decision is delayed.
        aggB.scheduleRelease(id, h);
        uint48 readyAt = uint48(block.timestamp) + RELEASE_DELAY;
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorReleaseNotReady.selector, id, readyAt)
        );
        aggB.release(id);
        vm.warp(readyAt);
        vm.prank(stranger);
        aggB.release(id);
        _assertStatus(aggB, id, ITransportAggregator.Status.PENDING);
        vm.prank(stranger);
        aggB.execute(address(aggA), legs.envelope);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
        assertEq(rB.count(), 1);
        assertEq(rB.delivery(0).payload, PAYLOAD, "the genuine payload");
    }

    /// @dev The native validators are corrupt: they sign a native message their origin gateway never dispatched, with
    /// another payload for the same id. Quarantined; LayerZero and Hyperlane deliver the genuine one, nothing runs.
    function test_ForgingTransport_Native_Quarantined_NotExecuted() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        bytes memory forged = _forgedEnvelope(legs.envelope, "steal everything");
        bytes32 h = keccak256(legs.envelope);
        _forgeNative(CHAIN_A, address(aggA), address(aggB), 400_000, forged, 777);
        _lzVerify(legs.lz);
        vm.expectEmit(address(aggB));
        emit ITransportAggregator.ReceiptConflict(id, address(lB), keccak256(forged), h, true);
        _lzExecute(legs.lz);
        _hlRelay(legs.hl);
        _assertStatus(aggB, id, ITransportAggregator.Status.QUARANTINED);
        assertEq(aggB.countedReceipts(CHAIN_A, id, h), 2);
        assertEq(rB.count(), 0);
    }

    /// @dev A release of the forged envelope still needs the threshold of receipts of it: one corrupt transport
    /// cannot get it executed even with the operator's (mistaken) decision.
    function test_ReleaseOfForgedEnvelope_StillNeedsThreshold() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        bytes memory forged = _forgedEnvelope(legs.envelope, "steal everything");
        _relayNative(legs.n0);
        _forgeLz(address(aggA), forged, 777);
        _assertStatus(aggB, id, ITransportAggregator.Status.QUARANTINED);
        aggB.scheduleRelease(id, keccak256(forged));
        vm.warp(block.timestamp + RELEASE_DELAY);
        aggB.release(id);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorNotReady.selector, id, 1, 2));
        aggB.execute(address(aggA), forged);
    }

    /// @dev The forgery arrives after the genuine message executed: recorded as a conflict, nothing else happens.
    function test_ForgeryAfterExecution_ConflictRecorded_NotQuarantined() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        _relayNative(legs.n0);
        _hlRelay(legs.hl);
        bytes memory forged = _forgedEnvelope(legs.envelope, "late forgery");
        uint256 m = _forgeLzPacket(address(aggA), forged, 777);
        vm.expectEmit(address(aggB));
        emit ITransportAggregator.ReceiptConflict(id, address(lB), keccak256(legs.envelope), keccak256(forged), false);
        _lzExecute(m);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
        assertEq(rB.count(), 1);
    }

    /// @dev A forged leg that does not come from the remote aggregator is refused outright (the transport records it
    /// FAILED; the aggregator records nothing), over the native gateway and over LayerZero.
    function test_ForgedSender_Refused() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        _forgeNative(CHAIN_A, stranger, address(aggB), 400_000, legs.envelope, 778);
        uint256 m = _forgeLz(stranger, legs.envelope, 778);
        assertEq(
            uint8(lB.status(CHAIN_A, address(lA), _lzBody(m))),
            uint8(IConcordAdapter.MessageStatus.FAILED),
            "LayerZero adapter: FAILED"
        );
        assertEq(aggB.receipts(id, keccak256(legs.envelope)), 0);
    }

    // ------------------------------------------------------------------------------------------ replay

    function test_Replay_OnEveryLeg_Rejected() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        _relayNative(legs.n0);
        _lzDeliver(legs.lz);
        _hlRelay(legs.hl);
        assertEq(rB.count(), 1);
        // Each transport refuses its own replay.
        bytes32 nativeId = keccak256(nSent[legs.n0].message);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, nativeId));
        _relayNative(legs.n0);
        vm.expectRevert(bytes("Mailbox: already delivered"));
        _hlRelay(legs.hl);
        // LayerZero: the executed packet again (its payload hash was cleared), and its verification again.
        _lzExecuteExpectRevert(
            legs.lz,
            abi.encodeWithSelector(
                Errors.LZ_PayloadHashNotFound.selector, bytes32(0), _lzPayloadHash(_lzPacket(legs.lz))
            )
        );
        _lzDvnVerify(legs.lz);
        _lzCommitExpectRevert(legs.lz, abi.encodeWithSelector(Errors.LZ_PathNotVerifiable.selector));
        // LayerZero: the same adapter envelope in a second packet from A's adapter (a second packet of LayerZero's
        // own): the adapter's delivered-nonce record refuses it.
        uint256 again = _lzResend(legs.lz);
        _lzVerify(again);
        _lzExecuteExpectRevert(
            again,
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, _lzAdapterId(legs.lz))
        );
        // A gateway that delivers the same envelope again (a second message of its own, or a bug) is refused by the
        // aggregator.
        for (uint256 slot = 1; slot <= 3; ++slot) {
            address gw = aggB.gatewayAt(uint8(slot)).gateway;
            vm.prank(gw);
            vm.expectRevert(
                abi.encodeWithSelector(ITransportAggregator.TransportAggregatorDuplicateReceipt.selector, id, gw)
            );
            aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), legs.envelope);
        }
        assertEq(rB.count(), 1);
    }

    /// @dev Before execution too: a duplicate receipt from one gateway never makes two; over LayerZero, a second packet
    /// with the same aggregator envelope under a fresh adapter nonce (a corrupt DVN) is a duplicate receipt, the packet
    /// FAILS at the aggregator and the LayerZero adapter keeps it FAILED.
    function test_Replay_BeforeExecution_DoesNotCountTwice() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        _relayNative(legs.n0);
        // The same transport re-sends the same envelope as a new message of its own (a forged second copy).
        vm.prank(address(nB));
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorDuplicateReceipt.selector, id, address(nB))
        );
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), legs.envelope);
        _forgeNative(CHAIN_A, address(aggA), address(aggB), 400_000, legs.envelope, 901);
        assertEq(aggB.receipts(id, keccak256(legs.envelope)), 1 << SLOT_NATIVE);
        _lzDeliver(legs.lz);
        uint256 m = _forgeLz(address(aggA), legs.envelope, 902);
        assertEq(
            uint8(lB.status(CHAIN_A, address(lA), _lzBody(m))),
            uint8(IConcordAdapter.MessageStatus.FAILED),
            "the copy FAILED at the adapter"
        );
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
        assertEq(aggB.receipts(id, keccak256(legs.envelope)), (1 << SLOT_NATIVE) | (1 << SLOT_LZ));
        assertEq(rB.count(), 1);
    }

    // ------------------------------------------------------------------------------------------ config changes

    /// @dev Raising the threshold to 3: messages sent before it takes effect keep 2 (even when delivered after),
    /// later ones need 3.
    function test_ThresholdChange_AfterDelay_OnlyLaterMessages() public {
        (bytes32 id1, Legs memory l1) = _sendAB(alice, "m1", _noAttr());
        assertEq(aggA.scheduleSendConfig(CHAIN_B, ALL, 3, 3, VALUE_BOUND), 2);
        aggB.scheduleReceiveRule(CHAIN_A, 2, 3, 3, VALUE_BOUND);

        // Before the delay ends: still version 1, executed with 2.
        vm.warp(block.timestamp + CONFIG_DELAY - 1);
        (bytes32 id2, Legs memory l2) = _sendAB(alice, "m2", _noAttr());
        assertEq(_envelopeOf(l2).version, 1);
        _relayNative(l2.n0);
        _hlRelay(l2.hl);
        _assertStatus(aggB, id2, ITransportAggregator.Status.EXECUTED);

        vm.warp(block.timestamp + 1);
        (bytes32 id3, Legs memory l3) = _sendAB(alice, "m3", _noAttr());
        assertEq(_envelopeOf(l3).version, 2);
        _relayNative(l3.n0);
        _hlRelay(l3.hl);
        _assertStatus(aggB, id3, ITransportAggregator.Status.PENDING);
        _lzDeliver(l3.lz);
        _assertStatus(aggB, id3, ITransportAggregator.Status.EXECUTED);

        // m1 (version 1) arrives after the change: still 2 of 3.
        _lzDeliver(l1.lz);
        _hlRelay(l1.hl);
        _assertStatus(aggB, id1, ITransportAggregator.Status.EXECUTED);
        assertEq(rB.count(), 3);
    }

    /// @dev A send config is not in effect before its delay: a destination's first config neither.
    function test_SendConfig_NotBeforeDelay() public {
        TransportAggregator fresh =
            new TransportAggregator(CHAIN_A, address(manager), DEFAULT_GAS, CONFIG_DELAY, RELEASE_DELAY);
        fresh.registerGateway(address(nA), false);
        fresh.scheduleRemoteAggregator(CHAIN_B, address(aggB));
        fresh.scheduleSendConfig(CHAIN_B, 1 << 1, 1, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownDomain.selector, CHAIN_B));
        fresh.sendMessage(_to(CHAIN_B, address(rB)), PAYLOAD, _noAttr());
        vm.warp(block.timestamp + CONFIG_DELAY);
        fresh.setSponsoredSender(address(this), true);
        fresh.sendMessage(_to(CHAIN_B, address(rB)), PAYLOAD, _noAttr());
        assertEq(fresh.nonce(CHAIN_B), 1);
    }

    /// @dev Re-pointing the remote aggregator is delayed like every security change: until the delay ends the old
    /// remote's legs count and a contract named as the new remote is refused (a compromised admin cannot have its own
    /// contract's legs counted at once); afterwards the old remote's legs are refused. Sends follow the same clock.
    function test_RemoteAggregatorChange_OnlyAfterDelay() public {
        address attacker = address(rA); // any contract on A the admin names
        vm.expectEmit(address(aggB));
        emit ITransportAggregator.RemoteAggregatorScheduled(CHAIN_A, attacker, uint48(block.timestamp + CONFIG_DELAY));
        aggB.scheduleRemoteAggregator(CHAIN_A, attacker);
        assertEq(aggB.remoteAggregator(CHAIN_A), address(aggA), "the old remote until the delay ends");

        // Before the delay: the genuine remote's legs count; the named contract's legs are refused.
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        bytes memory env = _forgedEnvelope(legs.envelope, "from the new remote");
        vm.prank(address(nB));
        vm.expectRevert(
            abi.encodeWithSelector(
                ITransportAggregator.TransportAggregatorNotRemoteAggregator.selector, _to(CHAIN_A, attacker)
            )
        );
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, attacker), env);
        _relayNative(legs.n0);
        _hlRelay(legs.hl);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);

        // After the delay: the old remote's legs are refused (the native gateway keeps the leg FAILED).
        vm.warp(block.timestamp + CONFIG_DELAY);
        assertEq(aggB.remoteAggregator(CHAIN_A), attacker);
        (bytes32 id2, Legs memory l2) = _sendAB(alice, PAYLOAD, _noAttr());
        _relayNative(l2.n0);
        _hlRelay(l2.hl);
        assertEq(aggB.receipts(id2, keccak256(l2.envelope)), 0, "the old remote's legs no longer count");
    }

    /// @dev A send to a destination whose remote is scheduled but not yet in effect is refused.
    function test_Send_RevertWhen_RemoteNotYetInEffect() public {
        TransportAggregator fresh =
            new TransportAggregator(CHAIN_A, address(manager), DEFAULT_GAS, CONFIG_DELAY, RELEASE_DELAY);
        fresh.registerGateway(address(nA), false);
        fresh.scheduleSendConfig(CHAIN_B, 1 << 1, 1, 1, 0);
        vm.warp(block.timestamp + CONFIG_DELAY);
        fresh.scheduleRemoteAggregator(CHAIN_B, address(aggB));
        fresh.setSponsoredSender(address(this), true);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownDomain.selector, CHAIN_B));
        fresh.sendMessage(_to(CHAIN_B, address(rB)), PAYLOAD, _noAttr());
        vm.warp(block.timestamp + CONFIG_DELAY);
        fresh.sendMessage(_to(CHAIN_B, address(rB)), PAYLOAD, _noAttr());
        assertEq(fresh.nonce(CHAIN_B), 1);
    }

    /// @dev A gateway removed from B's receive set: its receipts (even recorded before the removal) stop counting.
    function test_RemovedGateway_ReceiptsStopCounting() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        _relayNative(legs.n0);
        bytes32 h = keccak256(legs.envelope);
        assertEq(aggB.countedReceipts(CHAIN_A, id, h), 1);
        aggB.scheduleReceiveSet(CHAIN_A, (1 << 2) | (1 << 3));
        assertEq(aggB.countedReceipts(CHAIN_A, id, h), 1, "not before the delay");
        vm.warp(block.timestamp + CONFIG_DELAY);
        assertEq(aggB.countedReceipts(CHAIN_A, id, h), 0, "removed: no longer counted");
        _hlRelay(legs.hl);
        _assertStatus(aggB, id, ITransportAggregator.Status.PENDING);
        assertEq(rB.count(), 0, "the removed gateway's receipt does not make 2");
        _lzDeliver(legs.lz);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
    }

    /// @dev A rule that takes effect after the receipts arrived: the message waits PENDING, then anyone executes it.
    function test_RuleAfterReceipts_ExecuteByAnyone() public {
        aggA.scheduleSendConfig(CHAIN_B, ALL, 2, 3, VALUE_BOUND);
        vm.warp(block.timestamp + CONFIG_DELAY);
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        _relayNative(legs.n0);
        _hlRelay(legs.hl);
        _assertStatus(aggB, id, ITransportAggregator.Status.PENDING);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorNotReady.selector, id, 2, type(uint256).max)
        );
        aggB.execute(address(aggA), legs.envelope);
        aggB.scheduleReceiveRule(CHAIN_A, 2, 2, 3, VALUE_BOUND);
        vm.warp(block.timestamp + CONFIG_DELAY);
        vm.prank(stranger);
        aggB.execute(address(aggA), legs.envelope);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITransportAggregator.TransportAggregatorNotPending.selector, id, ITransportAggregator.Status.EXECUTED
            )
        );
        aggB.execute(address(aggA), legs.envelope);
    }

    // ------------------------------------------------------------------------------------------ declared value

    /// @dev Above the bound, 3 of 3 on both sides: the send needs 3 accepted, the delivery 3 receipts.
    function test_DeclaredValueAboveBound_NeedsHighThreshold() public {
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _valueAttr(VALUE_BOUND + 1));
        assertEq(_envelopeOf(legs).declaredValue, VALUE_BOUND + 1);
        _relayNative(legs.n0);
        _hlRelay(legs.hl);
        _assertStatus(aggB, id, ITransportAggregator.Status.PENDING);
        _lzDeliver(legs.lz);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);

        nA.pause(false, true);
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, PAYLOAD, _valueAttr(VALUE_BOUND + 1));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorTooFewAccepted.selector, 2, 3));
        aggA.sendMessage{value: fee}(recipient, PAYLOAD, _valueAttr(VALUE_BOUND + 1));
        // At the bound: 2 are enough.
        vm.prank(alice);
        aggA.sendMessage{value: fee}(recipient, PAYLOAD, _valueAttr(VALUE_BOUND));
    }

    // ------------------------------------------------------------------------------------------ fees

    /// @dev The quote is the sum of the legs' quotes (the native gateway charges nothing, LayerZero its DVN, executor
    /// and treasury fees, Hyperlane its IGP price); the caller pays exactly it, overpayment refunded; LayerZero's send
    /// library and Hyperlane's IGP got exactly their own quotes.
    function test_Quote_EqualsTheCharge_ExcessRefunded() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, PAYLOAD, _noAttr());
        uint256 igpBefore = address(hlDomains[dA].igp).balance;
        address sendLib = endpointSetup.sendLibs[0];
        uint256 lzBefore = sendLib.balance;
        uint256 aliceBefore = alice.balance;
        vm.recordLogs();
        vm.prank(alice);
        aggA.sendMessage{value: fee + 1 ether}(recipient, PAYLOAD, _noAttr());
        Legs memory legs = _legsOfLastSend(1, 1, 1);
        assertEq(aliceBefore - alice.balance, fee, "charged the quote");
        assertEq(address(aggA).balance, 0, "nothing stays in the aggregator");
        // Each paid leg's quote, asked directly as the aggregator asks it.
        bytes[] memory legAttrs = new bytes[](1);
        legAttrs[0] = abi.encodeWithSelector(
            bytes4(0xce296026),
            uint256(DEFAULT_GAS) + DEFAULT_GAS / 63 + aggA.LEG_GAS_OVERHEAD() + aggA.LEG_GAS_PER_BYTE()
                * (bytes(PAYLOAD).length + AggregatorEnvelope.HEADER_LENGTH)
        );
        vm.startPrank(address(aggA));
        uint256 hlFee = hA.quote(_to(CHAIN_B, address(aggB)), legs.envelope, legAttrs);
        uint256 lzFee = lA.quote(_to(CHAIN_B, address(aggB)), legs.envelope, legAttrs);
        vm.stopPrank();
        assertGt(hlFee, 0, "Hyperlane's IGP charges");
        assertGt(lzFee, 0, "LayerZero's workers charge");
        assertEq(hlFee + lzFee, fee, "quote = sum of the legs' quotes");
        assertEq(address(hlDomains[dA].igp).balance - igpBefore, hlFee, "the IGP got its quote");
        assertEq(sendLib.balance - lzBefore, lzFee, "LayerZero's send library got its quote");
        // The LayerZero leg carries the gas the aggregator asked for (the adapter adds its own need).
        uint256 legGas = uint256(DEFAULT_GAS) + DEFAULT_GAS / 63 + aggA.LEG_GAS_OVERHEAD() + aggA.LEG_GAS_PER_BYTE()
            * (bytes(PAYLOAD).length + AggregatorEnvelope.HEADER_LENGTH);
        assertEq(_lzGasOf(legs.lz), lA.receiveGas(uint32(legGas), _lzBody(legs.lz).length));
    }

    function testFuzz_Quote_EqualsTheCharge(uint256 extra, uint256 payloadLength) public {
        extra = bound(extra, 0, 10 ether);
        bytes memory payload = new bytes(bound(payloadLength, 0, 2000));
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, payload, _noAttr());
        uint256 before = alice.balance;
        vm.prank(alice);
        aggA.sendMessage{value: fee + extra}(recipient, payload, _noAttr());
        assertEq(before - alice.balance, fee);
    }

    function test_Send_RevertWhen_ValueBelowQuote() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, PAYLOAD, _noAttr());
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorFeeTooLow.selector, fee, fee - 1)
        );
        aggA.sendMessage{value: fee - 1}(recipient, PAYLOAD, _noAttr());
    }

    /// @dev A sponsored sender sends no value; the sponsor balance pays exactly the quote.
    function test_Sponsored_PaysTheQuoteFromTheSponsorBalance() public {
        aggA.setSponsoredSender(alice, true);
        aggA.fund{value: 1 ether}();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, PAYLOAD, _noAttr());
        uint256 aliceBefore = alice.balance;
        vm.prank(alice);
        aggA.sendMessage(recipient, PAYLOAD, _noAttr());
        assertEq(address(aggA).balance, 1 ether - fee);
        assertEq(alice.balance, aliceBefore);
    }

    /// @dev A gateway whose quote fails is reported and not paid; the value for it is refunded: the quote and the
    /// charge are LayerZero's alone.
    function test_PaidLegWhoseQuoteFails_NotPaid_Refunded() public {
        hA.setRemote(CHAIN_B, address(0)); // the Hyperlane adapter no longer serves B
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, PAYLOAD, _noAttr());
        uint256 before = alice.balance;
        vm.recordLogs();
        vm.prank(alice);
        aggA.sendMessage{value: 1 ether}(recipient, PAYLOAD, _noAttr());
        Legs memory legs = _legsOfLastSend(1, 1, 0);
        bytes[] memory legAttrs = new bytes[](1);
        legAttrs[0] = abi.encodeWithSelector(
            bytes4(0xce296026),
            uint256(DEFAULT_GAS) + DEFAULT_GAS / 63 + aggA.LEG_GAS_OVERHEAD() + aggA.LEG_GAS_PER_BYTE()
                * (bytes(PAYLOAD).length + AggregatorEnvelope.HEADER_LENGTH)
        );
        vm.prank(address(aggA));
        assertEq(fee, lA.quote(_to(CHAIN_B, address(aggB)), legs.envelope, legAttrs), "the failing leg is left out");
        assertEq(before - alice.balance, fee, "the rest refunded");
    }

    // ------------------------------------------------------------------------------------------ funded / unfunded

    /// @dev A second pair of aggregators registers the Hyperlane gateway unpaid (the aggregator is a sponsored sender
    /// of the Hyperlane adapter, whose sponsor balance is empty, so that leg fails) and LayerZero paid (funded by the
    /// send); the send still succeeds with the native and LayerZero legs, says which failed, and executes 2 of 3. Once
    /// the Hyperlane adapter is funded, all three accept.
    function test_FundedAndUnfundedGateway_SendSucceedsWithK() public {
        TransportAggregator a2 =
            new TransportAggregator(CHAIN_A, address(manager), DEFAULT_GAS, CONFIG_DELAY, RELEASE_DELAY);
        TransportAggregator b2 =
            new TransportAggregator(CHAIN_B, address(manager), DEFAULT_GAS, CONFIG_DELAY, RELEASE_DELAY);
        _wire(a2, nA, lA, hA, CHAIN_B, b2, false);
        _wire(b2, nB, lB, hB, CHAIN_A, a2, false);
        vm.warp(block.timestamp + CONFIG_DELAY);
        assertEq(address(hA).balance, 0, "the Hyperlane adapter is unfunded");
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = a2.quote(recipient, PAYLOAD, _noAttr());
        assertGt(fee, 0, "LayerZero's fee");

        bytes32 id = a2.idOf(CHAIN_A, address(a2), CHAIN_B, 0);
        vm.recordLogs();
        vm.expectEmit(address(a2));
        emit ITransportAggregator.AggregatedMessageSent(id, CHAIN_B, 1, 2, (1 << 1) | (1 << 2), fee, false);
        vm.prank(alice);
        a2.sendMessage{value: fee}(recipient, PAYLOAD, _noAttr());
        Legs memory legs = _legsOfLastSend(1, 1, 0);
        _relayNative(legs.n0);
        _lzDeliver(legs.lz);
        _assertStatus(b2, id, ITransportAggregator.Status.EXECUTED);

        hA.fund{value: 1 ether}();
        vm.recordLogs();
        vm.prank(alice);
        a2.sendMessage{value: fee}(recipient, PAYLOAD, _noAttr());
        _legsOfLastSend(1, 1, 1);
    }

    // ------------------------------------------------------------------------------------------ failure + retry

    /// @dev A recipient that reverts leaves the message FAILED (its arrival recorded); anyone retries with more gas;
    /// it executes once.
    function test_RecipientFails_Failed_RetriedByAnyone_Once() public {
        rB.setMode(ProbeRecipient.Mode.REVERT);
        (bytes32 id, Legs memory legs) = _sendAB(alice, PAYLOAD, _noAttr());
        _relayNative(legs.n0);
        _hlRelay(legs.hl);
        _assertStatus(aggB, id, ITransportAggregator.Status.FAILED);
        // The third leg does not execute a FAILED message.
        _lzDeliver(legs.lz);
        _assertStatus(aggB, id, ITransportAggregator.Status.FAILED);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITransportAggregator.TransportAggregatorRetryGasBelowLimit.selector, DEFAULT_GAS, DEFAULT_GAS - 1
            )
        );
        aggB.retry(address(aggA), legs.envelope, DEFAULT_GAS - 1);

        rB.setMode(ProbeRecipient.Mode.ACCEPT);
        vm.expectEmit(address(aggB));
        emit ITransportAggregator.Retried(id, stranger, DEFAULT_GAS * 2, true);
        vm.prank(stranger);
        aggB.retry(address(aggA), legs.envelope, DEFAULT_GAS * 2);
        _assertStatus(aggB, id, ITransportAggregator.Status.EXECUTED);
        assertEq(rB.count(), 1);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorNotFailed.selector, id));
        aggB.retry(address(aggA), legs.envelope, DEFAULT_GAS * 2);
    }

    // ------------------------------------------------------------------------------------------ helpers

    /// @dev `envelope` with another payload (same nonce, origin, destination, version, sender, recipient).
    function _forgedEnvelope(bytes memory envelope, bytes memory payload) internal pure returns (bytes memory forged) {
        ITransportAggregator.Envelope memory e = this_decode(envelope);
        e.payload = payload;
        forged = AggregatorEnvelope.encode(e);
    }
}
