// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {ICcipAdapter} from "../../../contracts/adapters/ccip/ICcipAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ProbeRecipient} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {CcipAdapterBase} from "./CcipAdapterBase.sol";

/// @notice Issue 16, CCIP: round trip, ordering, forged sources and replays, over Chainlink's local simulator with
/// every message held, captured and routed later by the test through the router's OffRamp path (see {CcipFixture}).
contract CcipAdapterTest is CcipAdapterBase {
    // ------------------------------------------------------------------------------------------ round trip

    /// @dev A -> B -> A: alice's message reaches rB, which answers from inside its delivery through B's adapter (a
    /// recipient may send while being delivered), paying the quote itself; the answer reaches rA.
    function test_RoundTrip_AtoBtoA() public {
        rB.setMode(ProbeRecipient.Mode.REPLY);
        rB.setReplyTo(_to(CHAIN_A, address(rA)));
        vm.deal(address(rB), 1 ether);

        (bytes32 id, uint256 out) = _send(aA, alice, CHAIN_B, address(rB), "ping", _gasAttr(500_000));
        assertEq(id, aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), _ccipBody(out)), "message id");
        assertEq(_ccipMessage(out).sourceChainSelector, SEL_A);
        _ccipRoute(out);
        assertEq(ccipSent.length, out + 2, "rB's answer sent on B in the same transaction");
        uint256 back = _ccipLast();
        assertEq(_ccipMessage(back).sourceChainSelector, SEL_B);
        assertEq(ccipSent[back].destinationSelector, SEL_A);

        assertEq(rB.count(), 1);
        ProbeRecipient.Delivery memory d = rB.delivery(0);
        assertEq(d.gateway, address(aB));
        assertEq(d.receiveId, id);
        assertEq(d.sender, _to(CHAIN_A, alice), "ERC-7930 sender on A");
        assertEq(d.payload, "ping");
        _assertStatus(aB, CHAIN_A, address(aA), out, IConcordAdapter.MessageStatus.EXECUTED);

        _ccipRoute(back);
        assertEq(rA.count(), 1);
        d = rA.delivery(0);
        assertEq(d.gateway, address(aA));
        assertEq(d.sender, _to(CHAIN_B, address(rB)));
        assertEq(d.payload, "re: ping");
        assertEq(d.receiveId, aB.messageIdOf(CHAIN_B, address(aB), CHAIN_A, address(aA), _ccipBody(back)));
        _assertStatus(aA, CHAIN_B, address(aB), back, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev What goes over CCIP: an `EVM2AnyMessage` to B's adapter on B's selector, the data the envelope, no
    /// tokens, native fee, `GenericExtraArgsV2(destinationGas, allowOutOfOrderExecution = true)`; the Router is paid
    /// exactly its `getFee`; the adapter's events name the CCIP message id.
    function test_Send_CcipSendsEnvelopeThroughRouter() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes[] memory attributes = _gasAttr(321_000);
        uint256 fee = aA.quote(recipient, "hello", attributes);
        assertEq(fee, CCIP_FEE, "the Router's fee");
        bytes memory envelope = _envelope(0, alice, address(rB), 321_000, "hello");
        bytes32 id = aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), envelope);
        uint256 gas = aA.destinationGas(321_000, envelope.length);
        uint256 words = (envelope.length + 31) / 32;
        assertEq(gas, uint256(321_000) + 5095 + 1 + aA.DELIVERY_GAS_OVERHEAD() + 32 * words + words * words / 30);
        Client.EVM2AnyMessage memory m = _evm2Any(
            address(aB),
            envelope,
            Client._argsToBytes(Client.GenericExtraArgsV2({gasLimit: gas, allowOutOfOrderExecution: true}))
        );
        bytes32 ccipId = keccak256(abi.encode(m));
        assertEq(ccipRouter.getFee(SEL_B, m), fee);

        uint256 routerBefore = address(ccipRouter).balance;
        vm.expectEmit(address(aA));
        emit IERC7786GatewaySource.MessageSent(id, _to(CHAIN_A, alice), recipient, "hello", 0, attributes);
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(id, fee, false);
        vm.expectCall(address(ccipRouter), fee, abi.encodeCall(ccipRouter.ccipSend, (SEL_B, m)));
        _ccipRecord();
        vm.prank(alice);
        assertEq(aA.sendMessage{value: fee}(recipient, "hello", attributes), id);
        assertEq(_ccipCapture(), 1);
        assertEq(aA.nonce(CHAIN_B), 1);
        assertEq(address(ccipRouter).balance - routerBefore, fee, "the Router got exactly the quote");
        assertEq(_ccipId(_ccipLast()), ccipId, "the Router's message id");
        assertEq(ccipSent[_ccipLast()].gasLimit, gas);
        assertEq(rB.count(), 0, "held: nothing delivered inside ccipSend");
    }

    // ------------------------------------------------------------------------------------------ ordering, nonces

    /// @dev CCIP gives no nonce to an out-of-order message (the adapter asks for out-of-order execution: the real
    /// OnRamp then leaves the nonce 0 and the OffRamp executes messages in any order); the simulator has no nonces
    /// at all. The envelope's nonce is the adapter's own. Messages routed in reverse order, with another
    /// application's message in between, are all delivered, in the order routed, each once.
    function test_Ordering_NoncesAsCcipGivesThem_AnyDeliveryOrder() public {
        (, uint256 m0) = _sendAB("m0");
        (, uint256 m1) = _sendAB("m1");
        _rawSend(SEL_A, makeAddr("otherApp"), SEL_B, makeAddr("app"), "other");
        (, uint256 m2) = _sendAB("m2");

        assertEq(_ccipEnvelope(m0).nonce, 0);
        assertEq(_ccipEnvelope(m1).nonce, 1);
        assertEq(_ccipEnvelope(m2).nonce, 2, "the adapter's nonce counts its own sends only");
        assertTrue(_ccipId(m0) != _ccipId(m1) && _ccipId(m1) != _ccipId(m2), "distinct CCIP ids");

        _ccipRoute(m2);
        _ccipRoute(m0);
        _ccipRoute(m1);
        assertEq(rB.count(), 3);
        assertEq(rB.delivery(0).payload, "m2");
        assertEq(rB.delivery(1).payload, "m0");
        assertEq(rB.delivery(2).payload, "m1");
        _assertStatus(aB, CHAIN_A, address(aA), m0, IConcordAdapter.MessageStatus.EXECUTED);
        _assertStatus(aB, CHAIN_A, address(aA), m1, IConcordAdapter.MessageStatus.EXECUTED);
        _assertStatus(aB, CHAIN_A, address(aA), m2, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev The same payload sent twice gives two messages (distinct nonces, ids), both delivered.
    function test_SamePayloadTwice_TwoMessages() public {
        (bytes32 id0, uint256 m0) = _sendAB("same");
        (bytes32 id1, uint256 m1) = _sendAB("same");
        assertTrue(id0 != id1);
        _ccipRoute(m1);
        _ccipRoute(m0);
        assertEq(rB.count(), 2);
    }

    // ------------------------------------------------------------------------------------------ forged sources

    /// @dev A contract on A that is not the enrolled adapter sends a well-formed envelope to B's adapter over CCIP;
    /// CCIP carries it faithfully (it attests who sent it, not who may speak for Concord); B's adapter refuses it.
    function test_Forged_WrongSender_Rejected() public {
        address forger = makeAddr("forger");
        uint256 m = _rawSend(SEL_A, forger, SEL_B, address(aB), _envelope(0, alice, address(rB), 100_000, "x"));
        _ccipRouteExpectFail(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, forger)
        );
        assertEq(rB.count(), 0);
    }

    /// @dev The same adapter address on a chain selector this adapter does not map (CREATE3 gives Concord the same
    /// address on every chain, so the address alone proves nothing): a third chain C. Unmapped: refused; mapped to a
    /// Concord domain: an envelope stating A is refused as not from C (the origin is never taken from the envelope
    /// alone), and one stating C is refused without an enrolled adapter and with another adapter enrolled.
    function test_Forged_WrongChainSelector_Rejected() public {
        uint256 m = _rawSend(SEL_C, address(aA), SEL_B, address(aB), _envelope(0, alice, address(rB), 100_000, "x"));
        uint256 mc = _rawSend(
            SEL_C, address(aA), SEL_B, address(aB), _envelopeFrom(CHAIN_C, 0, alice, address(rB), 100_000, "x")
        );
        _ccipRouteExpectFail(m, abi.encodeWithSelector(ICcipAdapter.CcipAdapterUnknownChainSelector.selector, SEL_C));
        _ccipRouteExpectFail(mc, abi.encodeWithSelector(ICcipAdapter.CcipAdapterUnknownChainSelector.selector, SEL_C));

        aB.setChainSelector(CHAIN_C, SEL_C);
        _ccipRouteExpectFail(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterOriginMismatch.selector, CHAIN_C, CHAIN_A)
        );
        _ccipRouteExpectFail(mc, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_C));

        aB.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        _ccipRouteExpectFail(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterOriginMismatch.selector, CHAIN_C, CHAIN_A)
        );
        _ccipRouteExpectFail(
            mc, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_C, address(aA))
        );
        assertEq(rB.count(), 0);
    }

    /// @dev The enrolled adapter's lane, with an envelope that states another origin: C (mapped, with an adapter) or
    /// an unmapped domain. The selector is authenticated, the stated origin is not: refused either way.
    function test_Forged_StatedOriginNotTheLanes_Rejected() public {
        aB.setChainSelector(CHAIN_C, SEL_C);
        aB.setRemote(CHAIN_C, address(aA));
        uint256 m = _rawSend(
            SEL_A, address(aA), SEL_B, address(aB), _envelopeFrom(CHAIN_C, 0, alice, address(rB), 100_000, "x")
        );
        _ccipRouteExpectFail(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterOriginMismatch.selector, CHAIN_A, CHAIN_C)
        );
        uint256 m2 =
            _rawSend(SEL_A, address(aA), SEL_B, address(aB), _envelopeFrom(999, 0, alice, address(rB), 100_000, "x"));
        _ccipRouteExpectFail(
            m2, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterOriginMismatch.selector, CHAIN_A, uint32(999))
        );
        assertEq(rB.count(), 0);
    }

    /// @dev Source selector 0 (never mapped: 0 unmaps) with an envelope stating a domain that has an enrolled adapter
    /// but no selector: an unmapped route also holds selector 0, so the zero selector must be refused on its own.
    function test_Forged_ZeroSelector_Rejected() public {
        aB.setRemote(CHAIN_C, address(aA));
        (, uint256 m) = _sendAB("x");
        Client.Any2EVMMessage memory message = _ccipMessage(m);
        message.sourceChainSelector = 0;
        message.data = _envelopeFrom(CHAIN_C, 0, alice, address(rB), 100_000, "x");
        (bool ok, bytes memory ret) = _ccipRouteMessage(message, ccipSent[m].gasLimit, address(aB));
        _ccipAssertFailed(
            ok, ret, abi.encodeWithSelector(ICcipAdapter.CcipAdapterUnknownChainSelector.selector, uint64(0))
        );
        assertEq(rB.count(), 0);
    }

    /// @dev An envelope shorter than its header, from the enrolled adapter's lane: refused before anything is read.
    function test_Forged_MalformedEnvelope_Rejected() public {
        uint256 m = _rawSend(SEL_A, address(aA), SEL_B, address(aB), new bytes(55));
        _ccipRouteExpectFail(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterMalformedEnvelope.selector, uint256(55))
        );
        assertEq(rB.count(), 0);
    }

    /// @dev A's genuine message, routed with another source selector (a lane that lies about its source): B maps
    /// the selector it is given, never the sender's: refused as coming from C while it states A.
    function test_Forged_GenuineMessageOnWrongLane_Rejected() public {
        (, uint256 m) = _sendAB("x");
        aB.setChainSelector(CHAIN_C, SEL_C);
        aB.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        Client.Any2EVMMessage memory message = _ccipMessage(m);
        message.sourceChainSelector = SEL_C;
        (bool ok, bytes memory ret) = _ccipRouteMessage(message, ccipSent[m].gasLimit, address(aB));
        _ccipAssertFailed(
            ok, ret, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterOriginMismatch.selector, CHAIN_C, CHAIN_A)
        );
        _ccipRoute(m);
        assertEq(rB.count(), 1);
    }

    /// @dev Nobody but the Router may call `ccipReceive` (the only way past the OffRamp): not a stranger, not the
    /// OffRamp itself, not another router.
    function test_Forged_CallerNotRouter_Rejected() public {
        (, uint256 m) = _sendAB("x");
        Client.Any2EVMMessage memory message = _ccipMessage(m);
        address[3] memory callers = [stranger, ccipOffRamp, makeAddr("anotherRouter")];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterNotRouter.selector, callers[i]));
            vm.prank(callers[i]);
            aB.ccipReceive(message);
        }
        assertEq(rB.count(), 0);
        _ccipRoute(m);
        assertEq(rB.count(), 1);
    }

    /// @dev A sender that is not an ABI-encoded EVM address (a non-EVM source: wrong length, or high bytes set) is
    /// refused. An EVM OnRamp always encodes the sender this way, so the Router's call is simulated here.
    function test_CcipReceive_RevertWhen_NonEvmSender() public {
        (, uint256 m) = _sendAB("x");
        Client.Any2EVMMessage memory message = _ccipMessage(m);
        bytes[2] memory senders =
            [abi.encodePacked(address(aA)), abi.encodePacked(uint256(1) << 200 | uint256(uint160(address(aA))))];
        for (uint256 i = 0; i < senders.length; ++i) {
            message.sender = senders[i];
            vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterNonEvmSender.selector, senders[i]));
            vm.prank(address(ccipRouter));
            aB.ccipReceive(message);
        }
    }

    /// @dev A message carrying tokens is refused (the adapter sends none; tokens would be unaccounted).
    function test_CcipReceive_RevertWhen_TokensCarried() public {
        (, uint256 m) = _sendAB("x");
        Client.Any2EVMMessage memory message = _ccipMessage(m);
        message.destTokenAmounts = new Client.EVMTokenAmount[](1);
        message.destTokenAmounts[0] = Client.EVMTokenAmount(makeAddr("token"), 1);
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterTokensNotAccepted.selector, 1));
        vm.prank(address(ccipRouter));
        aB.ccipReceive(message);
    }

    // ------------------------------------------------------------------------------------------ replay

    /// @dev The same CCIP message routed twice (a replaying lane; the real OffRamp refuses to re-execute a message
    /// whose execution succeeded, the simulator's router does not): the adapter's record refuses the second one.
    function test_Replay_SameCcipMessageTwice_Rejected() public {
        (bytes32 id, uint256 m) = _sendAB("once");
        _ccipRoute(m);
        _ccipRouteExpectFail(m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        assertEq(rB.count(), 1);
    }

    /// @dev The genuine envelope re-sent: by a second source on A (a copy sent by another contract): refused as
    /// untrusted, before and after the genuine delivery; as a new CCIP message (another message id) from the enrolled
    /// adapter's own address: the adapter's delivered-nonce record refuses it. Executed once.
    function test_Replay_SameEnvelopeFromSecondSource_Rejected() public {
        (bytes32 id, uint256 m) = _sendAB("pay once");
        bytes memory envelope = _ccipBody(m);
        address forger = makeAddr("forger");
        uint256 copy = _rawSend(SEL_A, forger, SEL_B, address(aB), envelope);
        bytes memory untrusted =
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, forger);
        _ccipRouteExpectFail(copy, untrusted);

        _ccipRoute(m);
        assertEq(rB.count(), 1);
        _ccipRouteExpectFail(copy, untrusted);

        Client.Any2EVMMessage memory again = _ccipMessage(m);
        again.messageId = keccak256("another CCIP message");
        (bool ok, bytes memory ret) = _ccipRouteMessage(again, ccipSent[m].gasLimit, address(aB));
        _ccipAssertFailed(ok, ret, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        assertEq(rB.count(), 1, "executed once");
    }

    /// @dev A recipient cannot re-enter the adapter's delivery or retry while it is being delivered
    /// (`ConcordAdapterReentrantCall`); here it catches the refusal and accepts its own message.
    function test_Delivery_ReentrantRetry_Refused() public {
        rB.setMode(ProbeRecipient.Mode.REENTER);
        rB.setReentry(abi.encodeCall(IConcordAdapter.retry, (CHAIN_A, address(aA), "", 1)));
        (, uint256 m) = _sendAB("x");
        _ccipRoute(m);
        assertTrue(rB.reentryFailed());
        assertEq(rB.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev A message whose recipient is the adapter itself or its authority is never delivered (CCIP keeps it).
    function test_Delivery_RevertWhen_PrivilegedRecipient() public {
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(aB), "x", _noAttr());
        _ccipRouteExpectFail(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(aB))
        );
        (, m) = _send(aA, alice, CHAIN_B, address(manager), "x", _noAttr());
        _ccipRouteExpectFail(
            m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(manager))
        );
    }

    /// @dev Delivery refuses an origin whose adapter was withdrawn (setRemote(origin, 0)); CCIP keeps the message
    /// (FAILURE on the real OffRamp) and routing it again once the adapter is enrolled again delivers it (manual
    /// execution).
    function test_Delivery_RevertWhen_RemoteWithdrawn_ThenManuallyExecuted() public {
        (, uint256 m) = _sendAB("x");
        aB.setRemote(CHAIN_A, address(0));
        _ccipRouteExpectFail(m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setRemote(CHAIN_A, address(aA));
        _ccipRoute(m);
        assertEq(rB.count(), 1);
    }
}
