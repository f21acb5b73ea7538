// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Mailbox} from "@hyperlane-xyz/core/contracts/Mailbox.sol";
import {IInterchainGasPaymaster} from "@hyperlane-xyz/core/contracts/interfaces/IInterchainGasPaymaster.sol";
import {IMailbox} from "@hyperlane-xyz/core/contracts/interfaces/IMailbox.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {HyperlaneAdapter} from "../../../contracts/adapters/hyperlane/HyperlaneAdapter.sol";
import {IHyperlaneAdapter} from "../../../contracts/adapters/hyperlane/IHyperlaneAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {HyperlaneAdapterBase, ProbeRecipient} from "./HyperlaneAdapterBase.sol";

/// @notice Issue 16, Hyperlane: round trip, ordering, forged sources and replays, over Hyperlane's real Mailbox,
/// MerkleTreeHook, InterchainGasPaymaster, DomainRoutingIsm and StaticMessageIdMultisigIsm, with messages signed by
/// test validator keys and relayed by the test (see {HyperlaneFixture}).
contract HyperlaneAdapterTest is HyperlaneAdapterBase {
    // ------------------------------------------------------------------------------------------ round trip

    /// @dev A -> B -> A: alice's message reaches rB, which answers from inside its delivery through B's adapter (a
    /// recipient may send while being delivered), paying the quote itself; the answer reaches rA.
    function test_RoundTrip_AtoBtoA() public {
        rB.setMode(ProbeRecipient.Mode.REPLY);
        rB.setReplyTo(_to(CHAIN_A, address(rA)));
        vm.deal(address(rB), 1 ether);

        (bytes32 id, uint256 out) = _send(aA, alice, CHAIN_B, address(rB), "ping", _gasAttr(500_000));
        assertEq(id, aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), _hlBody(out)), "message id");
        vm.recordLogs();
        _hlRelay(out);
        assertEq(_hlCapture(), 1, "rB's answer dispatched on B in the same transaction");
        uint256 back = _hlLast();

        assertEq(rB.count(), 1);
        ProbeRecipient.Delivery memory d = rB.delivery(0);
        assertEq(d.gateway, address(aB));
        assertEq(d.receiveId, id);
        assertEq(d.sender, _to(CHAIN_A, alice), "ERC-7930 sender on A");
        assertEq(d.payload, "ping");
        _assertStatus(aB, CHAIN_A, address(aA), out, IConcordAdapter.MessageStatus.EXECUTED);

        _hlRelay(back);
        assertEq(rA.count(), 1);
        d = rA.delivery(0);
        assertEq(d.gateway, address(aA));
        assertEq(d.sender, _to(CHAIN_B, address(rB)));
        assertEq(d.payload, "re: ping");
        assertEq(d.receiveId, aB.messageIdOf(CHAIN_B, address(aB), CHAIN_A, address(aA), _hlBody(back)));
        _assertStatus(aA, CHAIN_B, address(aB), back, IConcordAdapter.MessageStatus.EXECUTED);
        assertTrue(hlDomains[dB].mailbox.delivered(_hlId(out)));
        assertTrue(hlDomains[dA].mailbox.delivered(_hlId(back)));
    }

    /// @dev What goes over Hyperlane: a v3 message from A's adapter (origin = A's Hyperlane domain) to B's adapter,
    /// the body the envelope; the IGP is paid for the adapter's destination gas plus its own overhead; the adapter's
    /// events name the Hyperlane message id.
    function test_Send_DispatchesEnvelopeThroughMailbox() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes[] memory attributes = _gasAttr(321_000);
        uint256 fee = aA.quote(recipient, "hello", attributes);
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_A, sender: alice, recipient: address(rB), gasLimit: 321_000, payload: "hello"
            })
        );
        bytes32 id = aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), envelope);
        bytes memory message = abi.encodePacked(
            uint8(3),
            uint32(0),
            HL_A,
            bytes32(uint256(uint160(address(aA)))),
            HL_B,
            bytes32(uint256(uint160(address(aB)))),
            envelope
        );
        uint256 gas = aA.destinationGas(321_000, envelope.length);
        uint256 words = (envelope.length + 31) / 32;
        assertEq(gas, uint256(321_000) + 10_354 + aA.DELIVERY_GAS_OVERHEAD() + 32 * words + words * words / 30);

        vm.expectEmit(address(aA));
        emit IERC7786GatewaySource.MessageSent(id, _to(CHAIN_A, alice), recipient, "hello", 0, attributes);
        vm.expectEmit(address(hlDomains[dA].mailbox));
        emit IMailbox.Dispatch(address(aA), HL_B, bytes32(uint256(uint160(address(aB)))), message);
        // The Hyperlane id an indexer joins to `MessageSent` (the first DispatchId after it), not repeated below.
        vm.expectEmit(address(hlDomains[dA].mailbox));
        emit IMailbox.DispatchId(keccak256(message));
        vm.expectEmit(address(hlDomains[dA].igp));
        emit IInterchainGasPaymaster.GasPayment(keccak256(message), HL_B, gas + HL_IGP_OVERHEAD, fee);
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(id, fee, false);
        vm.prank(alice);
        assertEq(aA.sendMessage{value: fee}(recipient, "hello", attributes), id);
        assertEq(aA.nonce(CHAIN_B), 1);
        assertEq(hlDomains[dA].hook.count(), 1, "in the origin's merkle tree");
        assertEq(hlDomains[dA].mailbox.latestDispatchedId(), keccak256(message));
    }

    // ------------------------------------------------------------------------------------------ ordering, nonces

    /// @dev Hyperlane's nonce is the Mailbox's (one counter for every sender on the origin, = merkle leaf index); the
    /// envelope's is the adapter's own. Hyperlane does not order deliveries: messages relayed in reverse order are all
    /// delivered, in the order relayed, each once.
    function test_Ordering_NoncesAsHyperlaneGivesThem_AnyDeliveryOrder() public {
        (, uint256 m0) = _sendAB("m0");
        (, uint256 m1) = _sendAB("m1");
        // Another application dispatches on A's Mailbox in between (to a plain address on B).
        _rawDispatch(dA, makeAddr("otherApp"), HL_B, makeAddr("app"), "other");
        (, uint256 m2) = _sendAB("m2");

        assertEq(_hlNonce(_hlMessage(m0)), 0);
        assertEq(_hlNonce(_hlMessage(m1)), 1);
        assertEq(_hlNonce(_hlMessage(m2)), 3, "the Mailbox nonce counts every sender's dispatches");
        assertEq(_hlEnvelope(m0).nonce, 0);
        assertEq(_hlEnvelope(m1).nonce, 1);
        assertEq(_hlEnvelope(m2).nonce, 2, "the adapter's nonce counts its own sends only");
        assertEq(hlSent[m2].index, 3, "Mailbox nonce = merkle leaf index");

        _hlRelay(m2);
        _hlRelay(m0);
        _hlRelay(m1);
        assertEq(rB.count(), 3);
        assertEq(rB.delivery(0).payload, "m2");
        assertEq(rB.delivery(1).payload, "m0");
        assertEq(rB.delivery(2).payload, "m1");
        for (uint256 i = 0; i < 3; ++i) {
            uint256 m = i == 0 ? m0 : i == 1 ? m1 : m2;
            _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        }
    }

    /// @dev The same payload sent twice gives two messages (distinct nonces, ids), both delivered.
    function test_SamePayloadTwice_TwoMessages() public {
        (bytes32 id0, uint256 m0) = _sendAB("same");
        (bytes32 id1, uint256 m1) = _sendAB("same");
        assertTrue(id0 != id1);
        _hlRelay(m0);
        _hlRelay(m1);
        assertEq(rB.count(), 2);
    }

    // ------------------------------------------------------------------------------------------ forged sources

    /// @dev A contract on A that is not the enrolled adapter dispatches a well-formed envelope to B's adapter; the
    /// validators sign it (they attest what A's Mailbox dispatched, not who may speak for Concord); B's adapter
    /// refuses it and the Mailbox keeps it undelivered.
    function test_Forged_WrongRemoteAdapter_Rejected() public {
        address forger = makeAddr("forger");
        bytes memory envelope = AdapterEnvelope.encode(0, CHAIN_A, alice, address(rB), 100_000, "x");
        uint256 m = _rawDispatch(dA, forger, HL_B, address(aB), envelope);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, forger));
        _hlRelay(m);
        assertFalse(hlDomains[dB].mailbox.delivered(_hlId(m)));
        assertEq(rB.count(), 0);
    }

    /// @dev The same adapter address on a Hyperlane domain this adapter does not map (CREATE3 gives Concord the same
    /// address on every chain, so the address alone proves nothing): a third domain C whose messages B's ISM does
    /// verify. Unmapped: refused; mapped to a Concord domain without an enrolled adapter: refused; mapped, with
    /// another adapter enrolled: refused. The envelope's stated origin is believed only when the route of that domain
    /// carries exactly the authenticated Hyperlane origin: an envelope from C that states A is refused at every step.
    function test_Forged_WrongHyperlaneDomain_Rejected() public {
        uint256 dC = _hlDeployDomain(CHAIN_C, HL_C);
        _hlConnect(dC, dB);
        // The same address as A's adapter, on C: once stating A (impersonation), once stating C.
        uint256 claimsA = _rawDispatch(
            dC, address(aA), HL_B, address(aB), AdapterEnvelope.encode(0, CHAIN_A, alice, address(rB), 1e5, "x")
        );
        uint256 m = _rawDispatch(
            dC, address(aA), HL_B, address(aB), AdapterEnvelope.encode(0, CHAIN_C, alice, address(rB), 1e5, "x")
        );
        bytes memory unknownC =
            abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterUnknownHyperlaneDomain.selector, HL_C);

        vm.expectRevert(unknownC);
        _hlRelay(m);
        vm.expectRevert(unknownC);
        _hlRelay(claimsA);

        aB.setHyperlaneDomain(CHAIN_C, HL_C);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_C));
        _hlRelay(m);
        vm.expectRevert(unknownC);
        _hlRelay(claimsA);

        aB.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_C, address(aA))
        );
        _hlRelay(m);
        vm.expectRevert(unknownC);
        _hlRelay(claimsA);
        assertEq(rB.count(), 0);
    }

    /// @dev Hyperlane origin 0 is never mapped (0 means "unmapped"): a message from a Hyperlane domain 0 whose envelope
    /// states a Concord domain without a Hyperlane domain (its route's is therefore 0 too) is refused, even when it
    /// comes from the address enrolled for that Concord domain.
    function test_Forged_HyperlaneOriginZero_Rejected() public {
        uint256 dZ = _hlDeployDomain(CHAIN_C, 0);
        _hlConnect(dZ, dB);
        address enrolled = makeAddr("adapterOnC");
        aB.setRemote(CHAIN_C, enrolled);
        assertEq(aB.hyperlaneDomainOf(CHAIN_C), 0);
        uint256 m = _rawDispatch(
            dZ, enrolled, HL_B, address(aB), AdapterEnvelope.encode(0, CHAIN_C, alice, address(rB), 1e5, "x")
        );
        vm.expectRevert(
            abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterUnknownHyperlaneDomain.selector, uint32(0))
        );
        _hlRelay(m);
        assertEq(rB.count(), 0);
    }

    /// @dev A body shorter than the envelope header is refused by `handle` (the Mailbox keeps it undelivered).
    function test_Handle_RevertWhen_MalformedEnvelope() public {
        uint256 m = _rawDispatch(dA, address(aA), HL_B, address(aB), new bytes(10));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterMalformedEnvelope.selector, 10));
        _hlRelay(m);
        assertFalse(hlDomains[dB].mailbox.delivered(_hlId(m)));
    }

    /// @dev Nobody but the Mailbox may call `handle` (the only way past the ISM).
    function test_Forged_DirectHandleCall_Rejected() public {
        (, uint256 m) = _sendAB("x");
        bytes memory body = _hlBody(m);
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterNotMailbox.selector, stranger));
        vm.prank(stranger);
        aB.handle(HL_A, bytes32(uint256(uint160(address(aA)))), body);
        // Not even A's Mailbox (a Mailbox, but not this adapter's).
        vm.expectRevert(
            abi.encodeWithSelector(
                IHyperlaneAdapter.HyperlaneAdapterNotMailbox.selector, address(hlDomains[dA].mailbox)
            )
        );
        vm.prank(address(hlDomains[dA].mailbox));
        aB.handle(HL_A, bytes32(uint256(uint160(address(aA)))), body);
        assertEq(rB.count(), 0);
    }

    /// @dev Signatures the ISM does not accept (below threshold, or by keys outside the origin's set) never reach the
    /// adapter.
    function test_Forged_BadSignatures_RejectedByTheIsm() public {
        (, uint256 m) = _sendAB("x");
        Mailbox mb = hlDomains[dB].mailbox;
        bytes memory message = _hlMessage(m);
        // One signature short of the threshold: the ISM reads past the metadata and reverts.
        vm.expectRevert();
        mb.process(_hlMetadata(m, hlThreshold - 1), message);
        // A quorum of keys outside A's validator set, over the right checkpoint.
        (uint256[] memory outsiders,) = _hlKeys("outsiders");
        vm.expectRevert(bytes("!threshold"));
        mb.process(_hlMetadataSignedBy(m, outsiders, hlThreshold), message);
        _hlRelay(m);
        assertEq(rB.count(), 1);
    }

    /// @dev A sender word that is not a left-padded EVM address (a non-EVM origin) is refused. An EVM Mailbox always
    /// pads the sender, so the Mailbox's call is simulated here.
    function test_Handle_RevertWhen_NonEvmSender() public {
        (, uint256 m) = _sendAB("x");
        bytes32 sender = bytes32(uint256(1) << 200 | uint256(uint160(address(aA))));
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterNonEvmSender.selector, sender));
        vm.prank(address(hlDomains[dB].mailbox));
        aB.handle(HL_A, sender, _hlBody(m));
    }

    /// @dev A relayer's `process` value is forwarded to `handle`; the adapter takes none (it would be unaccounted).
    function test_Handle_RevertWhen_ValueSent() public {
        (, uint256 m) = _sendAB("x");
        bytes memory metadata = _hlMetadata(m);
        bytes memory message = _hlMessage(m);
        Mailbox mb = hlDomains[dB].mailbox;
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterValueNotAccepted.selector, 1 wei));
        mb.process{value: 1 wei}(metadata, message);
        mb.process(metadata, message);
        assertEq(rB.count(), 1);
    }

    // ------------------------------------------------------------------------------------------ replay

    /// @dev The same Hyperlane message processed twice: the Mailbox refuses the second `process`.
    function test_Replay_SameHyperlaneMessageTwice_Rejected() public {
        (, uint256 m) = _sendAB("once");
        _hlRelay(m);
        vm.expectRevert(bytes("Mailbox: already delivered"));
        _hlRelay(m);
        assertEq(rB.count(), 1);
    }

    /// @dev The genuine envelope re-sent: by a malicious second source on A (a copy dispatched by another contract):
    /// refused as untrusted, before and after the genuine delivery; as a new Hyperlane message from the enrolled
    /// adapter's own address (standing for any second Hyperlane message carrying the same envelope, e.g. a second
    /// Mailbox on the origin or a buggy ISM): the adapter's delivered-nonce record refuses it. Executed once.
    function test_Replay_SameEnvelopeFromSecondSource_Rejected() public {
        (bytes32 id, uint256 m) = _sendAB("pay once");
        bytes memory envelope = _hlBody(m);
        address forger = makeAddr("forger");
        uint256 copy = _rawDispatch(dA, forger, HL_B, address(aB), envelope);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, forger));
        _hlRelay(copy);

        _hlRelay(m);
        assertEq(rB.count(), 1);

        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, forger));
        _hlRelay(copy);

        uint256 again = _rawDispatch(dA, address(aA), HL_B, address(aB), envelope);
        assertTrue(_hlId(again) != _hlId(m), "a distinct Hyperlane message");
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        _hlRelay(again);
        assertEq(rB.count(), 1, "executed once");
        assertFalse(hlDomains[dB].mailbox.delivered(_hlId(again)));
    }

    /// @dev A recipient cannot re-enter the adapter's delivery or retry while it is being delivered
    /// (`ConcordAdapterReentrantCall`); here it catches the refusal and accepts its own message.
    function test_Delivery_ReentrantRetry_Refused() public {
        rB.setMode(ProbeRecipient.Mode.REENTER);
        rB.setReentry(abi.encodeCall(IConcordAdapter.retry, (CHAIN_A, address(aA), "", 1)));
        (, uint256 m) = _sendAB("x");
        _hlRelay(m);
        assertTrue(rB.reentryFailed());
        assertEq(rB.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev A message whose recipient is the adapter itself or its authority is never delivered (the Mailbox keeps it).
    function test_Delivery_RevertWhen_PrivilegedRecipient() public {
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(aB), "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(aB)));
        _hlRelay(m);
        (, m) = _send(aA, alice, CHAIN_B, address(manager), "x", _noAttr());
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(manager))
        );
        _hlRelay(m);
    }

    /// @dev The privileged-recipient check follows the authority (the adapter keeps its tag next to the ISM): after
    /// `updateAuthority`, the new authority is refused as a recipient and the old one is an ordinary recipient (it
    /// has no `receiveMessage`: FAILED); a contract whose address shares the authority's low 96 bits is delivered.
    function test_Delivery_PrivilegedCheck_FollowsTheAuthority() public {
        AccessManager next = new AccessManager(address(this));
        manager.updateAuthority(address(aB), address(next));
        assertEq(aB.authority(), address(next));
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(next), "x", _noAttr());
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(next))
        );
        _hlRelay(m);
        (bytes32 id, uint256 m2) = _send(aA, alice, CHAIN_B, address(manager), "x", _noAttr());
        _hlRelay(m2);
        assertEq(aB.failedRevertDataHash(id), keccak256(""), "the old authority is an ordinary recipient");
        address twin = address(uint160((uint256(0xbeef) << 96) | uint256(uint96(uint160(address(next))))));
        vm.etch(twin, address(rB).code);
        (, uint256 m3) = _send(aA, alice, CHAIN_B, twin, "x", _noAttr());
        _hlRelay(m3);
        assertTrue(hlDomains[dB].mailbox.delivered(_hlId(m3)), "same low bits, another address: delivered");
    }

    /// @dev Delivery refuses an origin whose adapter was withdrawn (setRemote(origin, 0)); sending there too.
    function test_Delivery_RevertWhen_RemoteWithdrawn() public {
        (, uint256 m) = _sendAB("x");
        aB.setRemote(CHAIN_A, address(0));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        _hlRelay(m);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setRemote(CHAIN_A, address(aA));
        _hlRelay(m);
        assertEq(rB.count(), 1);
    }
}
