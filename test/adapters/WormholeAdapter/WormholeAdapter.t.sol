// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IWormholeAdapter} from "../../../contracts/adapters/wormhole/IWormholeAdapter.sol";
import {IWormholeCore} from "../../../contracts/adapters/wormhole/IWormholeCore.sol";
import {WormholeAdapter} from "../../../contracts/adapters/wormhole/WormholeAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {WhProbeRecipient, WormholeAdapterBase} from "./WormholeAdapterBase.sol";

/// @notice Issue 16, Wormhole: round trip, ordering (emitter sequences), forged sources (emitter, emitter chain,
/// signatures, quorum, guardian set) and replays, over Wormhole's real core bridge with VAAs signed by a guardian set of
/// test keys and relayed by the test (see {WormholeFixture}).
contract WormholeAdapterTest is WormholeAdapterBase {
    // ------------------------------------------------------------------------------------------ round trip

    /// @dev A -> B -> A: alice's message reaches rB, which answers from inside its delivery through B's adapter (a
    /// recipient may send while being delivered), paying the quote itself; the answer reaches rA.
    function test_RoundTrip_AtoBtoA() public {
        rB.setMode(WhProbeRecipient.Mode.REPLY);
        rB.setReplyTo(_to(CHAIN_A, address(rA)));
        vm.deal(address(rB), 1 ether);

        (bytes32 id, uint256 out) = _send(aA, alice, CHAIN_B, address(rB), "ping", _gasAttr(500_000));
        assertEq(id, aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), _whPayload(out)), "message id");
        vm.recordLogs();
        vm.prank(stranger); // any relayer
        aB.receiveMessage(_whVaa(out));
        assertEq(_whCapture(), 1, "rB's answer published on B in the same transaction");
        uint256 back = _whLast();

        assertEq(rB.count(), 1);
        WhProbeRecipient.Delivery memory d = rB.delivery(0);
        assertEq(d.gateway, address(aB));
        assertEq(d.receiveId, id);
        assertEq(d.sender, _to(CHAIN_A, alice), "ERC-7930 sender on A");
        assertEq(d.payload, "ping");
        _assertStatus(aB, CHAIN_A, address(aA), out, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(address(rB).balance, 1 ether - FEE_B, "rB paid B's message fee");

        _relay(back);
        assertEq(rA.count(), 1);
        d = rA.delivery(0);
        assertEq(d.gateway, address(aA));
        assertEq(d.sender, _to(CHAIN_B, address(rB)));
        assertEq(d.payload, "re: ping");
        assertEq(d.receiveId, aB.messageIdOf(CHAIN_B, address(aB), CHAIN_A, address(aA), _whPayload(back)));
        _assertStatus(aA, CHAIN_B, address(aB), back, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev What goes over Wormhole: the envelope published by A's adapter (the emitter) at its next sequence, with the
    /// adapter's consistency level, paying exactly the core's message fee; the adapter's events around it.
    function test_Send_PublishesTheEnvelopeThroughTheCoreBridge() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes[] memory attributes = _gasAttr(321_000);
        uint256 fee = aA.quote(recipient, "hello", attributes);
        assertEq(fee, FEE_A);
        bytes memory envelope = AdapterEnvelope.encode(0, CHAIN_A, alice, address(rB), 321_000, "hello");
        bytes32 id = aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), envelope);
        IWormholeCore core = _whCore(dA);
        uint256 coreBefore = address(core).balance;

        vm.expectEmit(address(aA));
        emit IERC7786GatewaySource.MessageSent(id, _to(CHAIN_A, alice), recipient, "hello", 0, attributes);
        vm.expectEmit(address(core));
        emit IWormholeCore.LogMessagePublished(address(aA), 0, 0, abi.encodePacked(CHAIN_B, address(aB), envelope), 1);
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(id, fee, false);
        vm.prank(alice);
        assertEq(aA.sendMessage{value: fee}(recipient, "hello", attributes), id);
        assertEq(aA.nonce(CHAIN_B), 1);
        assertEq(core.nextSequence(address(aA)), 1);
        assertEq(address(core).balance - coreBefore, FEE_A, "the core bridge kept its fee");
        assertEq(address(aA).balance, 0, "nothing stays in the adapter");
    }

    // ------------------------------------------------------------------------------------------ ordering, nonces

    /// @dev Wormhole's sequence is per emitter (the adapter's own messages count 0, 1, 2 whatever other emitters
    /// publish), and so is the envelope's nonce (per destination). Wormhole does not order deliveries: VAAs relayed
    /// in reverse order are all delivered, in the order relayed, each once.
    function test_Ordering_SequencePerEmitter_AnyDeliveryOrder() public {
        (, uint256 m0) = _sendAB("m0");
        (, uint256 m1) = _sendAB("m1");
        // Another application publishes on A's core bridge in between.
        uint256 other = _rawPublish(dA, makeAddr("otherApp"), "other");
        (, uint256 m2) = _sendAB("m2");

        assertEq(whSent[m0].sequence, 0);
        assertEq(whSent[m1].sequence, 1);
        assertEq(whSent[m2].sequence, 2, "the sequence counts this emitter's messages only");
        assertEq(whSent[other].sequence, 0, "the other emitter has its own sequence");
        assertEq(_whEnvelope(m0).nonce, 0);
        assertEq(_whEnvelope(m2).nonce, 2);

        _relay(m2);
        _relay(m0);
        _relay(m1);
        assertEq(rB.count(), 3);
        assertEq(rB.delivery(0).payload, "m2");
        assertEq(rB.delivery(1).payload, "m0");
        assertEq(rB.delivery(2).payload, "m1");
        _assertStatus(aB, CHAIN_A, address(aA), m1, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev The same payload sent twice gives two messages (distinct nonces, sequences, ids), both delivered.
    function test_SamePayloadTwice_TwoMessages() public {
        (bytes32 id0, uint256 m0) = _sendAB("same");
        (bytes32 id1, uint256 m1) = _sendAB("same");
        assertTrue(id0 != id1);
        _relay(m0);
        _relay(m1);
        assertEq(rB.count(), 2);
    }

    // ------------------------------------------------------------------------------------------ forged sources

    /// @dev Another emitter on A publishes a well-formed envelope; the guardians sign it (they attest what A's core
    /// published, not who may speak for Concord); B's adapter refuses it.
    function test_Forged_WrongEmitter_Rejected() public {
        address forger = makeAddr("forger");
        uint256 m = _rawPublish(dA, forger, AdapterEnvelope.encode(0, CHAIN_A, alice, address(rB), 100_000, "x"));
        bytes memory vaa = _whVaa(m);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, forger));
        aB.receiveMessage(vaa);
        assertEq(rB.count(), 0);
    }

    /// @dev The same adapter address on a Wormhole chain this adapter does not map (Concord may deploy at the same
    /// address everywhere, so the address alone proves nothing): a third chain C. Unmapped: refused; mapped to a
    /// Concord domain without an enrolled adapter: refused; mapped with another adapter enrolled: refused. An
    /// envelope from C that states A is refused at every step (the stated origin is believed only when that domain's
    /// route carries exactly the signed emitter chain).
    function test_Forged_WrongEmitterChain_Rejected() public {
        uint256 dC = _whDeployChain(CHAIN_C, WH_C);
        uint256 claimsA = _rawPublish(dC, address(aA), AdapterEnvelope.encode(0, CHAIN_A, alice, address(rB), 1e5, "x"));
        uint256 m = _rawPublish(dC, address(aA), AdapterEnvelope.encode(0, CHAIN_C, alice, address(rB), 1e5, "x"));
        bytes memory unknownC =
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterUnknownWormholeChain.selector, WH_C);

        vm.expectRevert(unknownC);
        _whRelayTo(aB, m);
        vm.expectRevert(unknownC);
        _whRelayTo(aB, claimsA);

        aB.setWormholeChain(CHAIN_C, WH_C);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_C));
        _whRelayTo(aB, m);
        vm.expectRevert(unknownC);
        _whRelayTo(aB, claimsA);

        aB.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_C, address(aA))
        );
        _whRelayTo(aB, m);
        vm.expectRevert(unknownC);
        _whRelayTo(aB, claimsA);
        assertEq(rB.count(), 0);
    }

    /// @dev A genuine envelope whose VAA body names another emitter chain (what a forger would need): the signatures
    /// do not cover it unless the guardians signed that body, and then the chain map decides.
    function test_Forged_EmitterChainRewritten_SignaturesFail() public {
        (, uint256 m) = _sendAB("x");
        bytes memory vaa = _whVaa(m);
        // The emitter chain sits at 6 (header) + 13 * 66 (signatures) + 8 (timestamp, nonce) in the VAA.
        uint256 at = 6 + 13 * 66 + 8;
        vaa[at + 1] = bytes1(uint8(WH_C));
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidVaa.selector, "VM signature invalid")
        );
        aB.receiveMessage(vaa);
    }

    /// @dev Wormhole emitter chain 0 is never mapped (0 means "unmapped"): a VAA from chain 0 whose envelope states a
    /// Concord domain without a Wormhole chain (its route's is therefore 0 too) is refused, even when it comes from
    /// the address enrolled for that Concord domain.
    function test_Forged_EmitterChainZero_Rejected() public {
        address enrolled = makeAddr("adapterOnC");
        aB.setRemote(CHAIN_C, enrolled);
        assertEq(aB.wormholeChainOf(CHAIN_C), 0);
        bytes memory body = _whBodyOf(
            0,
            bytes32(uint256(uint160(enrolled))),
            0,
            abi.encodePacked(CHAIN_B, address(aB), AdapterEnvelope.encode(0, CHAIN_C, alice, address(rB), 1e5, "x"))
        );
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterUnknownWormholeChain.selector, uint16(0))
        );
        aB.receiveMessage(_whSignQuorum(body));
    }

    /// @dev VAAs the core bridge does not accept never reach the recipient: signed by keys outside the guardian set,
    /// one signature below quorum, a duplicated signature, naming a guardian set that does not exist, or a body
    /// changed after signing.
    function test_Forged_BadSignatures_RejectedByTheCoreBridge() public {
        (, uint256 m) = _sendAB("x");
        bytes memory body = _whBody(m);
        uint256 q = _whQuorum(whGuardianCount);

        uint8[] memory first = new uint8[](q);
        for (uint256 k = 0; k < q; ++k) {
            first[k] = uint8(k);
        }
        uint256[] memory outsiders = _whKeys("outsider", whGuardianCount);
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidVaa.selector, "VM signature invalid")
        );
        aB.receiveMessage(_whSign(body, outsiders, first, 0));

        uint8[] memory short = new uint8[](q - 1);
        for (uint256 k = 0; k < q - 1; ++k) {
            short[k] = uint8(k);
        }
        vm.expectRevert(abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidVaa.selector, "no quorum"));
        aB.receiveMessage(_whSign(body, whGuardianKeys, short, 0));

        // One guardian's signature twice in place of another's: the core bridge itself reverts (indices must ascend).
        uint8[] memory dup = new uint8[](q);
        for (uint256 k = 0; k < q; ++k) {
            dup[k] = uint8(k == q - 1 ? k - 1 : k);
        }
        vm.expectRevert(bytes("signature indices must be ascending"));
        aB.receiveMessage(_whSign(body, whGuardianKeys, dup, 0));

        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidVaa.selector, "invalid guardian set")
        );
        aB.receiveMessage(_whSign(body, whGuardianKeys, first, 1));

        bytes memory tampered = _whVaa(m);
        tampered[tampered.length - 1] = bytes1(uint8(tampered[tampered.length - 1]) ^ 1);
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidVaa.selector, "VM signature invalid")
        );
        aB.receiveMessage(tampered);

        assertEq(rB.count(), 0);
        _relay(m);
        assertEq(rB.count(), 1, "the genuine VAA still delivers");
    }

    /// @dev A guardian-set rotation by governance: VAAs signed by the new set deliver; the old set's VAAs deliver
    /// until the old set expires (24 hours), then are refused; the new keys naming the old set's index are refused.
    function test_Forged_WrongGuardianSet_Rejected() public {
        (, uint256 m0) = _sendAB("before");
        (, uint256 m1) = _sendAB("after");
        uint256[] memory oldKeys = whGuardianKeys;
        bytes memory oldVaa0 = _whVaa(m0);
        bytes memory oldVaa1 = _whVaa(m1);
        _whRotateGuardians(_whKeys("guardian-set-1", 19));
        assertEq(whGuardianSetIndex, 1);

        aB.receiveMessage(oldVaa0);
        assertEq(rB.count(), 1, "the old set is valid until it expires");

        uint8[] memory q = new uint8[](_whQuorum(19));
        for (uint256 k = 0; k < q.length; ++k) {
            q[k] = uint8(k);
        }
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidVaa.selector, "VM signature invalid")
        );
        aB.receiveMessage(_whSign(_whBody(m1), whGuardianKeys, q, 0));

        vm.warp(block.timestamp + 1 days + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidVaa.selector, "guardian set has expired")
        );
        aB.receiveMessage(oldVaa1);
        assertTrue(oldKeys.length == 19);

        _relay(m1);
        assertEq(rB.count(), 2, "the new set's VAA delivers");
    }

    /// @dev A payload shorter than the envelope header is refused.
    function test_ReceiveMessage_RevertWhen_MalformedEnvelope() public {
        uint256 m = _rawPublish(dA, address(aA), new bytes(10));
        bytes memory vaa = _whVaa(m);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterMalformedEnvelope.selector, 10));
        aB.receiveMessage(vaa);
    }

    /// @dev An emitter that is not a left-padded EVM address (a non-EVM chain's emitter) is refused.
    function test_ReceiveMessage_RevertWhen_NonEvmEmitter() public {
        bytes32 emitter = bytes32(uint256(1) << 200 | uint256(uint160(address(aA))));
        bytes memory body = _whBodyOf(
            WH_A,
            emitter,
            0,
            abi.encodePacked(CHAIN_B, address(aB), AdapterEnvelope.encode(0, CHAIN_A, alice, address(rB), 1e5, "x"))
        );
        vm.expectRevert(abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterNonEvmEmitter.selector, emitter));
        aB.receiveMessage(_whSignQuorum(body));
    }

    /// @dev `receiveMessage` takes no value (a relayer's value would be unaccounted): it is not payable.
    function test_ReceiveMessage_RevertWhen_ValueSent() public {
        (, uint256 m) = _sendAB("x");
        bytes memory vaa = _whVaa(m);
        (bool ok,) = address(aB).call{value: 1 wei}(abi.encodeCall(IWormholeAdapter.receiveMessage, (vaa)));
        assertFalse(ok);
        aB.receiveMessage(vaa);
        assertEq(rB.count(), 1);
    }

    /// @dev A payload shorter than the destination header is refused.
    function test_ReceiveMessage_RevertWhen_MalformedPayload() public {
        uint256 m = _rawPublishBytes(dA, address(aA), new bytes(23));
        bytes memory vaa = _whVaa(m);
        vm.expectRevert(abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterMalformedPayload.selector, 23));
        aB.receiveMessage(vaa);
    }

    /// @dev A Wormhole message has no destination: a genuine VAA for B's adapter relayed to an adapter on another chain
    /// D that also enrolls A's adapter, or to a second adapter on B that does, is refused (otherwise it would execute
    /// there, and take D's record of A's nonce 0 from the genuine message to D). Each message executes only where its
    /// payload sends it.
    function test_Forged_WrongDestination_Rejected() public {
        uint256 dD = _whDeployChain(CHAIN_C, WH_C);
        WormholeAdapter aD = _whDeployAdapter(dD, manager, DEFAULT_GAS);
        _whEnroll(aD, dA, aA);
        _whEnroll(aA, dD, aD);
        WormholeAdapter aB2 = _whDeployAdapter(dB, manager, DEFAULT_GAS);
        _whEnroll(aB2, dA, aA);

        (, uint256 toB) = _sendAB("for B");
        (, uint256 toD) = _send(aA, alice, CHAIN_C, address(rB), "for D", _noAttr());
        assertEq(_whEnvelope(toB).nonce, 0);
        assertEq(_whEnvelope(toD).nonce, 0, "nonces are per destination: both are A's nonce 0");
        bytes memory vaaB = _whVaa(toB);
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterWrongDestination.selector, CHAIN_B, address(aB))
        );
        aD.receiveMessage(vaaB);
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterWrongDestination.selector, CHAIN_B, address(aB))
        );
        aB2.receiveMessage(vaaB);
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterWrongDestination.selector, CHAIN_C, address(aD))
        );
        aB.receiveMessage(_whVaa(toD));

        aB.receiveMessage(vaaB);
        aD.receiveMessage(_whVaa(toD));
        assertEq(rB.count(), 2, "each delivered once, where it was sent");
        assertEq(rB.delivery(0).gateway, address(aB));
        assertEq(rB.delivery(1).gateway, address(aD));
    }

    // ------------------------------------------------------------------------------------------ replay

    /// @dev The same VAA twice: the second is refused by the consumed-VAA record (the base's delivered bit of the
    /// envelope), as is the same body signed by another quorum of guardians (another VAA, same message).
    function test_Replay_SameVaaTwice_Rejected() public {
        (bytes32 id, uint256 m) = _sendAB("once");
        bytes memory vaa = _whVaa(m);
        aB.receiveMessage(vaa);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        aB.receiveMessage(vaa);

        uint256 q = _whQuorum(whGuardianCount);
        uint8[] memory last = new uint8[](q);
        for (uint256 k = 0; k < q; ++k) {
            last[k] = uint8(whGuardianCount - q + k);
        }
        bytes memory resigned = _whSign(_whBody(m), whGuardianKeys, last, 0);
        assertTrue(keccak256(resigned) != keccak256(vaa), "another VAA of the same body");
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        aB.receiveMessage(resigned);
        assertEq(rB.count(), 1, "executed once");
    }

    /// @dev The genuine envelope published again: by another emitter on A (a copy): refused as untrusted, before and
    /// after the genuine delivery; by the enrolled adapter's own address at a new sequence (standing for any second
    /// Wormhole message carrying the same envelope): the delivered-nonce record refuses it. Executed once.
    function test_Replay_SameEnvelopeInAnotherMessage_Rejected() public {
        (bytes32 id, uint256 m) = _sendAB("pay once");
        bytes memory envelope = _whPayload(m);
        address forger = makeAddr("forger");
        uint256 copy = _rawPublish(dA, forger, envelope);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, forger));
        _relay(copy);

        _relay(m);
        assertEq(rB.count(), 1);

        uint256 again = _rawPublish(dA, address(aA), envelope);
        assertEq(whSent[again].sequence, whSent[m].sequence + 1, "a distinct Wormhole message");
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        _relay(again);
        assertEq(rB.count(), 1, "executed once");
    }

    /// @dev A recipient cannot re-enter the adapter's delivery (a VAA) or retry while it is being delivered
    /// (`ConcordAdapterReentrantCall`); here it catches the refusal and accepts its own message.
    function test_Delivery_ReentrantDelivery_Refused() public {
        (, uint256 other) = _sendAB("other");
        rB.setMode(WhProbeRecipient.Mode.REENTER);
        rB.setReentry(abi.encodeCall(IWormholeAdapter.receiveMessage, (_whVaa(other))));
        // Enough gas for the re-entered call to verify the VAA and reach the lock.
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), "x", _gasAttr(2_000_000));
        _relay(m);
        assertTrue(rB.reentryFailed());
        assertEq(rB.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        _assertStatus(aB, CHAIN_A, address(aA), other, IConcordAdapter.MessageStatus.NONE);

        rB.setReentry(abi.encodeCall(IConcordAdapter.retry, (CHAIN_A, address(aA), "", 1)));
        (, uint256 m2) = _sendAB("y");
        _relay(m2);
        assertEq(rB.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
    }

    /// @dev A message whose recipient is the adapter itself or its authority is never delivered.
    function test_Delivery_RevertWhen_PrivilegedRecipient() public {
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(aB), "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(aB)));
        _relay(m);
        (, m) = _send(aA, alice, CHAIN_B, address(manager), "x", _noAttr());
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(manager))
        );
        _relay(m);
    }

    /// @dev Delivery refuses an origin whose adapter was withdrawn (setRemote(origin, 0)); sending there too.
    function test_Delivery_RevertWhen_RemoteWithdrawn() public {
        (, uint256 m) = _sendAB("x");
        aB.setRemote(CHAIN_A, address(0));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        _relay(m);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setRemote(CHAIN_A, address(aA));
        _relay(m);
        assertEq(rB.count(), 1);
    }
}
