// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReceiveUlnBase} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/uln/ReceiveUlnBase.sol";
import {
    ILayerZeroEndpointV2,
    MessagingFee,
    MessagingParams,
    Origin
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {Errors} from "@layerzerolabs/lz-evm-protocol-v2/contracts/libs/Errors.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {ILayerZeroAdapter} from "../../../contracts/adapters/layerzero/ILayerZeroAdapter.sol";
import {LayerZeroAdapter} from "../../../contracts/adapters/layerzero/LayerZeroAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ProbeRecipient} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {LayerZeroAdapterBase} from "./LayerZeroAdapterBase.sol";

/// @notice Issue 16, LayerZero V2: round trip, ordering and nonces, forged sources and replays, over LayerZero's
/// EndpointV2, SendUln302/ReceiveUln302, DVN and Executor, with packets verified by the DVN's test key and executed by
/// the test (see {LayerZeroFixture}).
contract LayerZeroAdapterTest is LayerZeroAdapterBase {
    // ------------------------------------------------------------------------------------------ round trip

    /// @dev A -> B -> A: alice's message reaches rB, which answers from inside its delivery through B's adapter (a
    /// recipient may send while being delivered), paying the quote itself; the answer reaches rA.
    function test_RoundTrip_AtoBtoA() public {
        rB.setMode(ProbeRecipient.Mode.REPLY);
        rB.setReplyTo(_to(CHAIN_A, address(rA)));
        vm.deal(address(rB), 1 ether);

        (bytes32 id, uint256 out) = _send(aA, alice, CHAIN_B, address(rB), "ping", _gasAttr(1_500_000));
        assertEq(id, aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), _lzBody(out)), "message id");
        vm.recordLogs();
        _lzRelay(out);
        assertEq(_lzCapture(), 1, "rB's answer sent on B in the same transaction");
        uint256 back = _lzLast();

        assertEq(rB.count(), 1);
        ProbeRecipient.Delivery memory d = rB.delivery(0);
        assertEq(d.gateway, address(aB));
        assertEq(d.receiveId, id);
        assertEq(d.sender, _to(CHAIN_A, alice), "ERC-7930 sender on A");
        assertEq(d.payload, "ping");
        _assertStatus(aB, CHAIN_A, address(aA), out, IConcordAdapter.MessageStatus.EXECUTED);

        _lzRelay(back);
        assertEq(rA.count(), 1);
        d = rA.delivery(0);
        assertEq(d.gateway, address(aA));
        assertEq(d.sender, _to(CHAIN_B, address(rB)));
        assertEq(d.payload, "re: ping");
        assertEq(d.receiveId, aB.messageIdOf(CHAIN_B, address(aB), CHAIN_A, address(aA), _lzBody(back)));
        _assertStatus(aA, CHAIN_B, address(aB), back, IConcordAdapter.MessageStatus.EXECUTED);
        assertFalse(_lzPending(out), "cleared at B's endpoint");
        assertFalse(_lzPending(back), "cleared at A's endpoint");
    }

    /// @dev What goes over LayerZero: a packet from A's adapter (eid 1) to B's adapter (eid 2) whose message is the
    /// envelope and whose options are one executor lzReceive option of the adapter's receive gas; the adapter's events
    /// name the LayerZero guid.
    function test_Send_SendsEnvelopeThroughEndpoint() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes[] memory attributes = _gasAttr(321_000);
        uint256 fee = aA.quote(recipient, "hello", attributes);
        bytes memory envelope = _envelope(0, alice, address(rB), 321_000, "hello");
        bytes32 id = aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), envelope);
        uint256 gas = aA.receiveGas(321_000, envelope.length);
        uint256 words = (envelope.length + 31) / 32;
        assertEq(gas, uint256(321_000) + 10_354 + aA.RECEIVE_GAS_OVERHEAD() + 50 * words + words * words / 24);
        bytes memory options = abi.encodePacked(uint16(3), uint8(1), uint16(17), uint8(1), uint128(gas));
        assertEq(aA.optionsOf(321_000, envelope.length), options);

        vm.expectEmit(address(aA));
        emit IERC7786GatewaySource.MessageSent(id, _to(CHAIN_A, alice), recipient, "hello", 0, attributes);
        vm.recordLogs();
        vm.prank(alice);
        assertEq(aA.sendMessage{value: fee}(recipient, "hello", attributes), id);
        assertEq(_lzCapture(), 1);
        uint256 m = _lzLast();
        bytes memory packet = _lzPacket(m);
        assertEq(_lzSrcEid(packet), EID_A);
        assertEq(_lzDstEid(packet), EID_B);
        assertEq(_lzSender(packet), bytes32(uint256(uint160(address(aA)))));
        assertEq(_lzReceiver(packet), address(aB));
        assertEq(_lzNonce(packet), 1, "LayerZero's first nonce on the path");
        assertEq(_lzBody(m), envelope, "the message is the envelope");
        assertEq(lzSent[m].options, options);
        assertEq(_lzGasOf(m), gas);
        assertEq(aA.nonce(CHAIN_B), 1);
        assertEq(_lzEndpoint(EID_A).outboundNonce(address(aA), EID_B, bytes32(uint256(uint160(address(aB))))), 1);
    }

    /// @dev The adapter's event names the message and the fee paid; the LayerZero guid is in the endpoint's
    /// `PacketSent` of the same call (its packet's body is the envelope, from which `messageIdOf` gives the id back).
    function test_Send_AdapterMessageSentAndTheGuid() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        bytes memory envelope = _envelope(0, alice, address(rB), DEFAULT_GAS, "x");
        bytes32 id = aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), envelope);
        vm.recordLogs();
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "x", _noAttr());
        _lzCapture();
        uint256 first = _lzLast();
        assertTrue(_lzGuidOf(first) != bytes32(0));
        assertEq(aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), _lzBody(first)), id);
        // Replayed with the same state: the same event, now checked.
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(
            aA.messageIdOf(
                CHAIN_A, address(aA), CHAIN_B, address(aB), _envelope(1, alice, address(rB), DEFAULT_GAS, "x")
            ),
            fee,
            false
        );
        vm.recordLogs();
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "x", _noAttr());
        _lzCapture();
        uint256 m = _lzLast();
        assertEq(
            _lzGuidOf(m),
            keccak256(
                abi.encodePacked(
                    uint64(2),
                    EID_A,
                    bytes32(uint256(uint160(address(aA)))),
                    EID_B,
                    bytes32(uint256(uint160(address(aB))))
                )
            ),
            "LayerZero's guid of the path's second packet"
        );
        assertEq(
            aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), _lzBody(m)),
            aA.messageIdOf(
                CHAIN_A, address(aA), CHAIN_B, address(aB), _envelope(1, alice, address(rB), DEFAULT_GAS, "x")
            )
        );
        assertTrue(id != bytes32(0));
    }

    // ------------------------------------------------------------------------------------------ ordering, nonces

    /// @dev LayerZero's nonce is per path (sender, destination eid, receiver), from 1: another application's packets
    /// do not move it; the envelope's is the adapter's own, from 0. The endpoint executes a packet once every lower
    /// nonce of its path is verified (not executed): verified out of order, m2 waits; then m2, m0, m1 run in the
    /// order executed, each once.
    function test_Ordering_NoncesAsLayerZeroGivesThem() public {
        (, uint256 m0) = _sendAB("m0");
        (, uint256 m1) = _sendAB("m1");
        // Another application sends on A's endpoint to B in between (to a plain address on B).
        _rawSend(EID_A, makeAddr("otherApp"), EID_B, makeAddr("app"), "other", 100_000);
        (, uint256 m2) = _sendAB("m2");

        assertEq(_lzNonceOf(m0), 1);
        assertEq(_lzNonceOf(m1), 2);
        assertEq(_lzNonceOf(m2), 3, "the path's nonce counts only this path's packets");
        assertEq(_lzEnvelope(m0).nonce, 0);
        assertEq(_lzEnvelope(m1).nonce, 1);
        assertEq(_lzEnvelope(m2).nonce, 2, "the adapter's nonce counts its own sends");

        _lzVerify(m2);
        _lzExecuteExpectRevert(m2, abi.encodeWithSelector(Errors.LZ_InvalidNonce.selector, uint64(1)));
        _lzVerify(m0);
        _lzExecuteExpectRevert(m2, abi.encodeWithSelector(Errors.LZ_InvalidNonce.selector, uint64(2)));
        _lzVerify(m1);

        _lzExecute(m2);
        _lzExecute(m0);
        _lzExecute(m1);
        assertEq(rB.count(), 3);
        assertEq(rB.delivery(0).payload, "m2");
        assertEq(rB.delivery(1).payload, "m0");
        assertEq(rB.delivery(2).payload, "m1");
        _assertStatus(aB, CHAIN_A, address(aA), m0, IConcordAdapter.MessageStatus.EXECUTED);
        _assertStatus(aB, CHAIN_A, address(aA), m1, IConcordAdapter.MessageStatus.EXECUTED);
        _assertStatus(aB, CHAIN_A, address(aA), m2, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(aB.nextNonce(EID_A, bytes32(uint256(uint160(address(aA))))), 0, "unordered");
    }

    /// @dev The same payload sent twice gives two messages (distinct nonces, ids, guids), both delivered.
    function test_SamePayloadTwice_TwoMessages() public {
        (bytes32 id0, uint256 m0) = _sendAB("same");
        (bytes32 id1, uint256 m1) = _sendAB("same");
        assertTrue(id0 != id1);
        assertTrue(_lzGuidOf(m0) != _lzGuidOf(m1));
        _lzRelay(m0);
        _lzRelay(m1);
        assertEq(rB.count(), 2);
    }

    // ------------------------------------------------------------------------------------------ forged sources

    /// @dev A contract on A that is not the enrolled adapter sends a well-formed envelope to B's adapter; the DVN
    /// verifies it (it attests what A's endpoint sent, not who may speak for Concord), but B's endpoint will not
    /// initialise the path: the adapter's `allowInitializePath` admits only the enrolled peer. Never executable.
    function test_Forged_WrongPeer_PathNotInitializable() public {
        address forger = makeAddr("forger");
        uint256 m = _rawSend(EID_A, forger, EID_B, address(aB), _envelope(0, alice, address(rB), 300_000, "x"), 800_000);
        assertFalse(aB.allowInitializePath(Origin(EID_A, bytes32(uint256(uint160(forger))), 1)));
        assertTrue(aB.allowInitializePath(Origin(EID_A, bytes32(uint256(uint160(address(aA)))), 1)));
        _lzDvnVerify(m);
        _lzCommitExpectRevert(m, abi.encodeWithSelector(Errors.LZ_PathNotInitializable.selector));
        _lzExecuteExpectRevert(m, abi.encodeWithSelector(Errors.LZ_InvalidNonce.selector, uint64(1)));
        assertEq(rB.count(), 0);
    }

    /// @dev A path the endpoint initialised while its sender was enrolled (a withdrawn or re-enrolled remote adapter):
    /// its later packets are verified by LayerZero, but the adapter checks the peer again at `lzReceive` and refuses
    /// them; the endpoint keeps the packet.
    function test_Forged_FormerPeer_RejectedAtLzReceive() public {
        address former = makeAddr("formerAdapter");
        aB.setRemote(CHAIN_A, former);
        uint256 first =
            _rawSend(EID_A, former, EID_B, address(aB), _envelope(0, former, address(rB), 300_000, "a"), 800_000);
        _lzRelay(first);
        assertEq(rB.count(), 1, "delivered while enrolled");
        aB.setRemote(CHAIN_A, address(aA));
        uint256 m =
            _rawSend(EID_A, former, EID_B, address(aB), _envelope(1, former, address(rB), 300_000, "b"), 800_000);
        _lzVerify(m);
        _lzExecuteExpectRevert(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, former)
        );
        assertTrue(_lzPending(m), "the endpoint keeps it");
        assertEq(rB.count(), 1);
    }

    /// @dev The same adapter address on an eid this adapter does not map (CREATE3 gives Concord the same address on
    /// every chain, so the address alone proves nothing): the path never initialises, whether the eid is unmapped,
    /// mapped to a domain with no enrolled adapter, or mapped with another adapter enrolled. The origin is never taken
    /// from the envelope or the sender.
    function test_Forged_WrongEid_Rejected() public {
        bytes memory envelope = _envelope(0, alice, address(rB), 100_000, "x");
        uint256 m = _rawSend(EID_C, address(aA), EID_B, address(aB), envelope, 800_000);
        _lzDvnVerify(m);
        _lzCommitExpectRevert(m, abi.encodeWithSelector(Errors.LZ_PathNotInitializable.selector));

        aB.setLayerZeroEid(CHAIN_C, EID_C);
        _lzCommitExpectRevert(m, abi.encodeWithSelector(Errors.LZ_PathNotInitializable.selector));

        aB.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        _lzCommitExpectRevert(m, abi.encodeWithSelector(Errors.LZ_PathNotInitializable.selector));
        assertEq(rB.count(), 0);
    }

    /// @dev Past the endpoint (as if a path were initialised from an unmapped eid): `lzReceive` itself refuses an eid
    /// that maps to no domain, and a domain with another enrolled adapter. The envelope's stated origin is believed
    /// only when the route of that domain carries exactly the authenticated eid: an envelope from C (sent by the
    /// address of A's adapter) that states A is refused at every step.
    function test_LzReceive_RevertWhen_UnknownEidOrUntrustedSender() public {
        bytes memory envelope = _envelopeFrom(CHAIN_C, 0, alice, address(rB), 100_000, "x");
        bytes memory claimsA = _envelope(0, alice, address(rB), 100_000, "x");
        Origin memory origin = Origin(EID_C, bytes32(uint256(uint160(address(aA)))), 1);
        bytes memory unknownC = abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterUnknownEid.selector, EID_C);
        _lzReceiveExpectRevert(origin, envelope, unknownC);
        _lzReceiveExpectRevert(origin, claimsA, unknownC);

        aB.setLayerZeroEid(CHAIN_C, EID_C);
        _lzReceiveExpectRevert(
            origin, envelope, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_C)
        );
        _lzReceiveExpectRevert(origin, claimsA, unknownC);

        aB.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        _lzReceiveExpectRevert(
            origin,
            envelope,
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_C, address(aA))
        );
        _lzReceiveExpectRevert(origin, claimsA, unknownC);
        assertEq(rB.count(), 0);
    }

    /// @dev Eid 0 is never mapped (0 means "unmapped"): a packet from eid 0 whose envelope states a Concord domain
    /// without an eid (its route's protocol domain is therefore 0 too) is refused, even from the address enrolled for
    /// that domain.
    function test_LzReceive_RevertWhen_EidZero() public {
        address enrolled = makeAddr("adapterOnC");
        aB.setRemote(CHAIN_C, enrolled);
        assertEq(aB.eidOf(CHAIN_C), 0);
        _lzReceiveExpectRevert(
            Origin(0, bytes32(uint256(uint160(enrolled))), 1),
            _envelopeFrom(CHAIN_C, 0, alice, address(rB), 100_000, "x"),
            abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterUnknownEid.selector, uint32(0))
        );
        assertEq(rB.count(), 0);
    }

    /// @dev A message shorter than the envelope header is refused by `lzReceive` (the endpoint keeps the packet).
    function test_LzReceive_RevertWhen_MalformedEnvelope() public {
        uint256 m = _rawSend(EID_A, address(aA), EID_B, address(aB), new bytes(10), 800_000);
        _lzVerify(m);
        _lzExecuteExpectRevert(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterMalformedEnvelope.selector, uint256(10))
        );
        assertTrue(_lzPending(m), "the endpoint keeps it");
    }

    function _lzReceiveExpectRevert(Origin memory origin, bytes memory envelope, bytes memory reason) internal {
        vm.prank(address(_lzEndpoint(EID_B)));
        vm.expectRevert(reason);
        aB.lzReceive(origin, bytes32(0), envelope, address(this), "");
    }

    /// @dev Nobody but the adapter's endpoint may call `lzReceive` (the only way past the DVNs).
    function test_Forged_DirectLzReceiveCall_Rejected() public {
        (, uint256 m) = _sendAB("x");
        bytes memory packet = _lzPacket(m);
        Origin memory origin = _lzOrigin(packet);
        bytes memory body = _lzBody(m);
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterNotEndpoint.selector, stranger));
        vm.prank(stranger);
        aB.lzReceive(origin, _lzGuid(packet), body, stranger, "");
        // Not even A's endpoint (an endpoint, but not this adapter's).
        address endpointA = address(_lzEndpoint(EID_A));
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterNotEndpoint.selector, endpointA));
        vm.prank(endpointA);
        aB.lzReceive(origin, _lzGuid(packet), body, stranger, "");
        assertEq(rB.count(), 0);
    }

    /// @dev A packet the DVN did not verify cannot be committed (the ULN finds no DVN verification of its header and
    /// payload hash) nor executed.
    function test_Forged_UnsignedPacket_NotVerified() public {
        (, uint256 m) = _sendAB("x");
        _lzCommitExpectRevert(m, abi.encodeWithSelector(ReceiveUlnBase.LZ_ULN_Verifying.selector));
        _lzExecuteExpectRevert(m, abi.encodeWithSelector(Errors.LZ_InvalidNonce.selector, uint64(1)));
        _lzRelay(m);
        assertEq(rB.count(), 1);
    }

    /// @dev A sender word that is not a left-padded EVM address (a non-EVM origin) is refused. An EVM endpoint always
    /// pads the sender, so the endpoint's call is simulated here.
    function test_LzReceive_RevertWhen_NonEvmSender() public {
        (, uint256 m) = _sendAB("x");
        bytes32 sender = bytes32(uint256(1) << 200 | uint256(uint160(address(aA))));
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterNonEvmSender.selector, sender));
        vm.prank(address(_lzEndpoint(EID_B)));
        aB.lzReceive(Origin(EID_A, sender, 1), bytes32(0), _lzBody(m), address(this), "");
        assertFalse(aB.allowInitializePath(Origin(EID_A, sender, 1)));
    }

    /// @dev An executor's lzReceive value is forwarded to `lzReceive`; the adapter takes none (it would be unaccounted).
    function test_LzReceive_RevertWhen_ValueSent() public {
        (, uint256 m) = _sendAB("x");
        _lzVerify(m);
        bytes memory packet = _lzPacket(m);
        ILayerZeroEndpointV2 endpointB = _lzEndpoint(EID_B);
        Origin memory origin = _lzOrigin(packet);
        bytes memory message = _lzMessage(packet);
        bytes32 guid = _lzGuid(packet);
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterValueNotAccepted.selector, 1 wei));
        endpointB.lzReceive{value: 1 wei}(origin, address(aB), guid, message, "");
        _lzExecute(m);
        assertEq(rB.count(), 1);
    }

    // ------------------------------------------------------------------------------------------ replay

    /// @dev The same packet executed twice: the endpoint cleared its payload hash, the second `lzReceive` finds none;
    /// a second verification of the executed packet is refused too.
    function test_Replay_SamePacketTwice_Rejected() public {
        (, uint256 m) = _sendAB("once");
        _lzRelay(m);
        _lzExecuteExpectRevert(
            m, abi.encodeWithSelector(Errors.LZ_PayloadHashNotFound.selector, bytes32(0), _lzPayloadHash(_lzPacket(m)))
        );
        _lzDvnVerify(m);
        _lzCommitExpectRevert(m, abi.encodeWithSelector(Errors.LZ_PathNotVerifiable.selector));
        assertEq(rB.count(), 1);
    }

    /// @dev The genuine envelope re-sent: by a second source on A (a copy sent by another contract): its path never
    /// initialises; as a new packet from the enrolled adapter's own address (standing for any second packet carrying
    /// the same envelope, e.g. a misconfigured receive library): the adapter's delivered-nonce record refuses it.
    /// Executed once.
    function test_Replay_SameEnvelopeInSecondPacket_Rejected() public {
        (bytes32 id, uint256 m) = _sendAB("pay once");
        bytes memory envelope = _lzBody(m);
        uint256 copy = _rawSend(EID_A, makeAddr("forger"), EID_B, address(aB), envelope, 800_000);
        _lzDvnVerify(copy);
        _lzCommitExpectRevert(copy, abi.encodeWithSelector(Errors.LZ_PathNotInitializable.selector));

        _lzRelay(m);
        assertEq(rB.count(), 1);

        uint256 again = _rawSend(EID_A, address(aA), EID_B, address(aB), envelope, 800_000);
        assertTrue(_lzGuidOf(again) != _lzGuidOf(m), "a distinct packet");
        _lzVerify(again);
        _lzExecuteExpectRevert(
            again, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id)
        );
        assertEq(rB.count(), 1, "executed once");
        assertTrue(_lzPending(again));
    }

    /// @dev A recipient cannot re-enter the adapter's delivery or retry while it is being delivered
    /// (`ConcordAdapterReentrantCall`); here it catches the refusal and accepts its own message.
    function test_Delivery_ReentrantRetry_Refused() public {
        rB.setMode(ProbeRecipient.Mode.REENTER);
        rB.setReentry(abi.encodeCall(IConcordAdapter.retry, (CHAIN_A, address(aA), "", 1)));
        (, uint256 m) = _sendAB("x");
        _lzRelay(m);
        assertTrue(rB.reentryFailed());
        assertEq(rB.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev A message whose recipient is the adapter itself or its authority is never delivered (the endpoint keeps it).
    function test_Delivery_RevertWhen_PrivilegedRecipient() public {
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(aB), "x", _noAttr());
        _lzVerify(m);
        _lzExecuteExpectRevert(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(aB))
        );
        (, m) = _send(aA, alice, CHAIN_B, address(manager), "x", _noAttr());
        _lzVerify(m);
        _lzExecuteExpectRevert(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(manager))
        );
    }

    /// @dev The routes carry the authority's low 32 bits (the authority tag) so that a delivery reads the authority
    /// only for a recipient that shares them: the tag follows `setAuthority` into the routes written before it (a
    /// message to the new authority is refused, one to the old authority is no longer refused: it is called and, having
    /// no `receiveMessage`, FAILED), and an eid remapped afterwards keeps the tag and reads back without it.
    function test_Delivery_AuthorityTagFollowsTheAuthority() public {
        AccessManager next = new AccessManager(address(this));
        manager.updateAuthority(address(aB), address(next));
        assertEq(aB.authority(), address(next));
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(next), "x", _noAttr());
        _lzVerify(m);
        _lzExecuteExpectRevert(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(next))
        );
        (, uint256 m2) = _send(aA, alice, CHAIN_B, address(manager), "x", _noAttr());
        _lzVerify(m2);
        _lzExecute(m2);
        _assertStatus(aB, CHAIN_A, address(aA), m2, IConcordAdapter.MessageStatus.FAILED);
        // Remapped after the change: the eid reads back exactly and the new authority is still refused.
        aB.setLayerZeroEid(CHAIN_A, EID_A);
        assertEq(aB.eidOf(CHAIN_A), EID_A);
        (, uint256 m3) = _send(aA, alice, CHAIN_B, address(next), "y", _noAttr());
        _lzVerify(m3);
        _lzExecuteExpectRevert(
            m3, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(next))
        );
    }

    /// @dev A recipient whose low 32 bits are the authority's (the tag matches) but which is not the authority is
    /// delivered: the tag only decides whether the authority is read, the answer is the exact comparison.
    function test_Delivery_TagLookalikeRecipient_Delivered() public {
        address lookalike = address(
            uint160((uint256(uint160(makeAddr("lookalike"))) >> 32 << 32) | uint256(uint32(uint160(address(manager)))))
        );
        assertTrue(lookalike != address(manager));
        vm.etch(lookalike, address(rB).code);
        (, uint256 m) = _send(aA, alice, CHAIN_B, lookalike, "x", _noAttr());
        _lzVerify(m);
        _lzExecute(m);
        assertEq(ProbeRecipient(payable(lookalike)).count(), 1);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev Delivery refuses an origin whose adapter was withdrawn (setRemote(origin, 0)); sending there too.
    function test_Delivery_RevertWhen_RemoteWithdrawn() public {
        (, uint256 m) = _sendAB("x");
        _lzVerify(m);
        aB.setRemote(CHAIN_A, address(0));
        _lzExecuteExpectRevert(m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setRemote(CHAIN_A, address(aA));
        _lzExecute(m);
        assertEq(rB.count(), 1);
    }
}
