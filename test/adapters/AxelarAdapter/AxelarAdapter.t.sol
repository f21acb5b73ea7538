// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    AxelarAmplifierGateway
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/gateway/AxelarAmplifierGateway.sol";
import {IAxelarGasService} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGasService.sol";
import {IAxelarGateway} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGateway.sol";
import {
    IBaseWeightedMultisig
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IBaseWeightedMultisig.sol";
import {IPausable} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IPausable.sol";
import {Message} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/types/AmplifierGatewayTypes.sol";
import {Proof} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/types/WeightedMultisigTypes.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IAxelarAdapter} from "../../../contracts/adapters/axelar/IAxelarAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ProbeRecipient} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {AxelarAdapterBase} from "./AxelarAdapterBase.sol";

/// @notice Issue 16, Axelar: round trip, ordering, forged sources and replays, over Axelar's real
/// AxelarAmplifierGateway (behind its proxy) and AxelarGasService, with messages approved by test signer keys through
/// the gateway's `approveMessages` and executed by the test as the relayer (see {AxelarFixture}).
contract AxelarAdapterTest is AxelarAdapterBase {
    // ------------------------------------------------------------------------------------------ round trip

    /// @dev A -> B -> A: alice's message reaches rB, which answers from inside its delivery through B's adapter (a
    /// recipient may send while being delivered), paying the quote itself; the answer reaches rA.
    function test_RoundTrip_AtoBtoA() public {
        rB.setMode(ProbeRecipient.Mode.REPLY);
        rB.setReplyTo(_to(CHAIN_A, address(rA)));
        vm.deal(address(rB), 1 ether);

        (bytes32 id, uint256 out) = _send(aA, alice, CHAIN_B, address(rB), "ping", _gasAttr(500_000));
        assertEq(id, aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), _axBody(out)), "message id");
        _axApprove(out);
        vm.recordLogs();
        _axExecute(out);
        assertEq(_axCapture(), 1, "rB's answer sent on B in the same transaction");
        uint256 back = _axLast();

        assertEq(rB.count(), 1);
        ProbeRecipient.Delivery memory d = rB.delivery(0);
        assertEq(d.gateway, address(aB));
        assertEq(d.receiveId, id);
        assertEq(d.sender, _to(CHAIN_A, alice), "ERC-7930 sender on A");
        assertEq(d.payload, "ping");
        _assertStatus(aB, CHAIN_A, address(aA), out, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(_axCommandId(out), axChains[cB].gateway.messageToCommandId(AX_A, axSent[out].messageId));
        assertTrue(axChains[cB].gateway.isCommandExecuted(_axCommandId(out)));
        assertTrue(axChains[cB].gateway.isMessageExecuted(AX_A, axSent[out].messageId));

        _axRelay(back);
        assertEq(rA.count(), 1);
        d = rA.delivery(0);
        assertEq(d.gateway, address(aA));
        assertEq(d.sender, _to(CHAIN_B, address(rB)));
        assertEq(d.payload, "re: ping");
        assertEq(d.receiveId, aB.messageIdOf(CHAIN_B, address(aB), CHAIN_A, address(aA), _axBody(back)));
        _assertStatus(aA, CHAIN_B, address(aB), back, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev What goes over Axelar: the gas service is paid exactly the quote for the adapter's destination gas, then
    /// the gateway's `ContractCall` from A's adapter to B's adapter (lowercase hex) on "optimism", the payload the
    /// envelope; the adapter's events name the payload hash (the `ContractCall`'s indexed payload hash).
    function test_Send_CallsTheGatewayAfterPayingTheGasService() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes[] memory attributes = _gasAttr(321_000);
        uint256 fee = aA.quote(recipient, "hello", attributes);
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_A, sender: alice, recipient: address(rB), gasLimit: 321_000, payload: "hello"
            })
        );
        bytes32 id = aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), envelope);
        string memory to = Strings.toHexString(address(aB));
        assertEq(aA.axelarAddressOf(address(aB)), to, "lowercase hex");
        uint256 gas = aA.destinationGas(321_000, envelope.length);
        uint256 words = (envelope.length + 31) / 32;
        assertEq(
            gas,
            uint256(321_000) + 5095 + aA.DELIVERY_GAS_OVERHEAD() + aA.DELIVERY_GAS_PER_WORD() * words + words * words
                / 30
        );
        assertEq(fee, AX_BASE_FEE + gas * AX_GAS_PRICE, "the gas service's own estimate");

        vm.expectEmit(address(aA));
        emit IERC7786GatewaySource.MessageSent(id, _to(CHAIN_A, alice), recipient, "hello", 0, attributes);
        vm.expectEmit(address(axChains[cA].gasService));
        emit IAxelarGasService.NativeGasPaidForContractCall(address(aA), AX_B, to, keccak256(envelope), fee, alice);
        vm.expectEmit(address(axChains[cA].gateway));
        emit IAxelarGateway.ContractCall(address(aA), AX_B, to, keccak256(envelope), envelope);
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(id, fee, false);
        vm.prank(alice);
        assertEq(aA.sendMessage{value: fee}(recipient, "hello", attributes), id);
        assertEq(aA.nonce(CHAIN_B), 1);
        assertEq(address(axChains[cA].gasService).balance, fee, "the gas service holds the payment");
    }

    // ------------------------------------------------------------------------------------------ ordering, nonces

    /// @dev Axelar gives no sequence number (a message id per call); the envelope's nonce is the adapter's own and
    /// counts its sends only. Axelar does not order deliveries: messages approved in one batch and executed in reverse
    /// order are all delivered, in the order executed, each once.
    function test_Ordering_NoncesAsAxelarGivesThem_AnyDeliveryOrder() public {
        (, uint256 m0) = _sendAB("m0");
        (, uint256 m1) = _sendAB("m1");
        // Another application calls A's gateway in between.
        _rawCall(cA, makeAddr("otherApp"), AX_B, makeAddr("app"), "other");
        (, uint256 m2) = _sendAB("m2");
        assertEq(_axEnvelope(m0).nonce, 0);
        assertEq(_axEnvelope(m1).nonce, 1);
        assertEq(_axEnvelope(m2).nonce, 2, "the adapter's nonce counts its own sends only");

        // One signed batch approves the three.
        Message[] memory batch = new Message[](3);
        batch[0] = _axMessage(m0);
        batch[1] = _axMessage(m1);
        batch[2] = _axMessage(m2);
        axChains[cB].gateway.approveMessages(batch, _axProof(cB, batch, axSignerKeys[cB], axThreshold));

        _axExecute(m2);
        _axExecute(m0);
        _axExecute(m1);
        assertEq(rB.count(), 3);
        assertEq(rB.delivery(0).payload, "m2");
        assertEq(rB.delivery(1).payload, "m0");
        assertEq(rB.delivery(2).payload, "m1");
        _assertStatus(aB, CHAIN_A, address(aA), m0, IConcordAdapter.MessageStatus.EXECUTED);
        _assertStatus(aB, CHAIN_A, address(aA), m1, IConcordAdapter.MessageStatus.EXECUTED);
        _assertStatus(aB, CHAIN_A, address(aA), m2, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev The same payload sent twice gives two messages (distinct nonces, ids, payload hashes), both delivered.
    function test_SamePayloadTwice_TwoMessages() public {
        (bytes32 id0, uint256 m0) = _sendAB("same");
        (bytes32 id1, uint256 m1) = _sendAB("same");
        assertTrue(id0 != id1);
        assertTrue(keccak256(_axBody(m0)) != keccak256(_axBody(m1)));
        _axRelay(m0);
        _axRelay(m1);
        assertEq(rB.count(), 2);
    }

    /// @dev Axelar may carry an EVM source address in any case (checksummed here): the same adapter, accepted.
    function test_Execute_AcceptsAChecksummedSourceAddress() public {
        (, uint256 m) = _sendAB("x");
        Message memory msg_ = _axMessage(m);
        msg_.sourceAddress = Strings.toChecksumHexString(address(aA));
        assertTrue(keccak256(bytes(msg_.sourceAddress)) != keccak256(bytes(Strings.toHexString(address(aA)))));
        _axApproveMessage(cB, msg_);
        aB.execute(_axCommandId(m), AX_A, msg_.sourceAddress, _axBody(m));
        assertEq(rB.count(), 1);
    }

    // ------------------------------------------------------------------------------------------ forged sources

    /// @dev A contract on A that is not the enrolled adapter calls the gateway with a well-formed envelope for B's
    /// adapter; Axelar's signers approve it (they attest what A's gateway emitted, not who may speak for Concord);
    /// B's adapter refuses it and the approval stays unconsumed.
    function test_Forged_WrongSourceAddress_Rejected() public {
        address forger = makeAddr("forger");
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_A, sender: alice, recipient: address(rB), gasLimit: 100_000, payload: "x"
            })
        );
        uint256 m = _rawCall(cA, forger, AX_B, address(aB), envelope);
        _axApprove(m);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, forger));
        _axExecute(m);
        assertTrue(
            axChains[cB].gateway
                .isContractCallApproved(
                    _axCommandId(m), AX_A, Strings.toHexString(forger), address(aB), keccak256(envelope)
                ),
            "still approved, never executed"
        );
        assertEq(rB.count(), 0);
    }

    /// @dev The relayer names another source address than the one approved (the enrolled adapter's, for a forger's
    /// approved message): the gateway's hash differs, refused.
    function test_Forged_RelayerSwapsTheSourceAddress_Rejected() public {
        address forger = makeAddr("forger");
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_A, sender: alice, recipient: address(rB), gasLimit: 100_000, payload: "x"
            })
        );
        uint256 m = _rawCall(cA, forger, AX_B, address(aB), envelope);
        _axApprove(m);
        bytes32 commandId = _axCommandId(m);
        string memory genuine = aA.axelarAddressOf(address(aA));
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterNotApprovedByGateway.selector, commandId));
        aB.execute(commandId, AX_A, genuine, envelope);
        // Nor another chain name, nor another payload.
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterUnknownAxelarChain.selector, AX_C));
        aB.execute(commandId, AX_C, genuine, envelope);
        (, uint256 real) = _sendAB("real");
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterNotApprovedByGateway.selector, commandId));
        aB.execute(commandId, AX_A, genuine, _axBody(real));
        assertEq(rB.count(), 0);
    }

    /// @dev The same adapter address on an Axelar chain this adapter does not map (CREATE3 gives Concord the same
    /// address on every chain, so the address alone proves nothing): a third chain C. Unmapped: refused; mapped to a
    /// Concord domain without an enrolled adapter: refused; mapped, with another adapter enrolled: refused. The
    /// envelope's stated origin only picks the route whose chain tag must be the authenticated source chain's: C
    /// stating A's domain is refused whatever C maps to.
    function test_Forged_WrongChainName_Rejected() public {
        uint256 cC = _axDeployChain(CHAIN_C, AX_C);
        _axConnect(cC, cB);
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_C, sender: alice, recipient: address(rB), gasLimit: 500_000, payload: "x"
            })
        );
        bytes memory statingA = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_A, sender: alice, recipient: address(rB), gasLimit: 100_000, payload: "x"
            })
        );
        // The same address as A's adapter, on C.
        uint256 m = _rawCall(cC, address(aA), AX_B, address(aB), envelope);
        _axApprove(m);
        uint256 forgedOrigin = _rawCall(cC, address(aA), AX_B, address(aB), statingA);
        _axApprove(forgedOrigin);

        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterUnknownAxelarChain.selector, AX_C));
        _axExecute(m);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterUnknownAxelarChain.selector, AX_C));
        _axExecute(forgedOrigin);

        aB.setAxelarChain(CHAIN_C, AX_C);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_C));
        _axExecute(m);

        aB.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_C, address(aA))
        );
        _axExecute(m);
        assertEq(rB.count(), 0);

        // C mapped, aA enrolled for C too: C's message stating A's domain is still refused (A's route names
        // "ethereum"), while C's message stating C's domain is C's to deliver.
        aB.setRemote(CHAIN_C, address(aA));
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterUnknownAxelarChain.selector, AX_C));
        _axExecute(forgedOrigin);
        _axExecute(m);
        assertEq(rB.count(), 1);
        assertEq(rB.delivery(0).sender, _to(CHAIN_C, alice), "delivered as C's, never as A's");

        // The genuine A message, presented as coming from "base": refused before the gateway (A's route names
        // "ethereum"), and the gateway's hash covers the chain name anyway.
        (, uint256 real) = _sendAB("real");
        _axApprove(real);
        bytes32 commandId = _axCommandId(real);
        string memory source = aA.axelarAddressOf(address(aA));
        bytes memory body = _axBody(real);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterUnknownAxelarChain.selector, AX_C));
        aB.execute(commandId, AX_C, source, body);
        _axExecute(real);
        assertEq(rB.count(), 2);
    }

    /// @dev A call whose payload is shorter than the envelope header (a forger's raw gateway call) is refused before
    /// anything else is read; the approval stays unconsumed.
    function test_Execute_RevertWhen_EnvelopeMalformed() public {
        bytes memory short = new bytes(55);
        uint256 m = _rawCall(cA, address(aA), AX_B, address(aB), short);
        _axApprove(m);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterMalformedEnvelope.selector, 55));
        _axExecute(m);
        assertTrue(
            axChains[cB].gateway
                .isContractCallApproved(
                    _axCommandId(m), AX_A, aA.axelarAddressOf(address(aA)), address(aB), keccak256(short)
                ),
            "still approved, never executed"
        );
    }

    /// @dev A command the signers never approved (any id, or the real message's id before its approval), and an
    /// approval signed by a quorum of keys outside the gateway's signer set or below its threshold, never reach the
    /// recipient.
    function test_Forged_UnapprovedCommand_Rejected() public {
        (, uint256 m) = _sendAB("x");
        bytes32 commandId = _axCommandId(m);
        Message memory msg_ = _axMessage(m);
        bytes memory body = _axBody(m);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterNotApprovedByGateway.selector, commandId));
        aB.execute(commandId, AX_A, msg_.sourceAddress, body);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterNotApprovedByGateway.selector, bytes32(0)));
        aB.execute(bytes32(0), AX_A, msg_.sourceAddress, body);

        Message[] memory batch = new Message[](1);
        batch[0] = msg_;
        (uint256[] memory outsiders,) = _axKeys("outsiders");
        Proof memory byOutsiders = _axProof(cB, batch, outsiders, axThreshold);
        Proof memory belowThreshold = _axProof(cB, batch, axSignerKeys[cB], axThreshold - 1);
        // A's signers (a valid set, but not B's gateway's): the proof names a signer set B never rotated to.
        Proof memory foreignSet = _axProof(cA, batch, axSignerKeys[cA], axThreshold);
        AxelarAmplifierGateway gatewayB = axChains[cB].gateway;
        vm.expectRevert(IBaseWeightedMultisig.MalformedSignatures.selector);
        gatewayB.approveMessages(batch, byOutsiders);
        vm.expectRevert(IBaseWeightedMultisig.LowSignaturesWeight.selector);
        gatewayB.approveMessages(batch, belowThreshold);
        vm.expectRevert(IBaseWeightedMultisig.InvalidSigners.selector);
        gatewayB.approveMessages(batch, foreignSet);
        assertEq(rB.count(), 0);

        _axApprove(m);
        _axExecute(m);
        assertEq(rB.count(), 1);
    }

    /// @dev A source address that is not an EVM address is refused before the gateway is asked.
    function test_Execute_RevertWhen_InvalidSourceAddress() public {
        (, uint256 m) = _sendAB("x");
        bytes memory body = _axBody(m);
        string[5] memory bad = [
            "",
            "0x1234",
            "1x0000000000000000000000000000000000000001",
            "0x000000000000000000000000000000000000000g",
            "0x00000000000000000000000000000000000000010"
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidSourceAddress.selector, bad[i]));
            aB.execute(bytes32(0), AX_A, bad[i], body);
        }
    }

    /// @dev The parser reads every case of every hex digit, and `axelarAddressOf` writes lowercase hex.
    function testFuzz_AddressStrings_RoundTrip(address account) public {
        string memory lower = aA.axelarAddressOf(account);
        assertEq(lower, Strings.toHexString(account));
        // Parsing is observable through the untrusted-source error, which names the parsed address.
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_A, sender: alice, recipient: address(rB), gasLimit: 100_000, payload: "x"
            })
        );
        string memory checksummed = Strings.toChecksumHexString(account);
        vm.assume(account != address(aA));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, account)
        );
        this.approveAndExecuteOnB(checksummed, envelope);
    }

    /// @dev The word-parallel parser against a byte-by-byte reference: one digit of a lowercase address string replaced
    /// by any byte is accepted exactly when that byte is a hex digit of either case, and then parsed to the address
    /// with that nibble replaced.
    function testFuzz_AddressStrings_OneByteAgainstTheReference(address account, uint256 position, bytes1 c) public {
        position = bound(position, 2, 41);
        bytes memory s = bytes(Strings.toHexString(account));
        s[position] = c;
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_A, sender: alice, recipient: address(rB), gasLimit: 100_000, payload: "x"
            })
        );
        uint8 b = uint8(c);
        uint8 lower = b | 0x20;
        bool isDigit = b >= 0x30 && b <= 0x39;
        bool isLetter = lower >= 0x61 && lower <= 0x66;
        if (!isDigit && !isLetter) {
            vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterInvalidSourceAddress.selector, s));
        } else {
            uint256 nibble = isDigit ? b - 0x30 : lower - 0x61 + 10;
            uint256 shift = 4 * (41 - position);
            address parsed =
                address(uint160((uint256(uint160(account)) & ~(uint256(0xf) << shift)) | (nibble << shift)));
            vm.assume(parsed != address(aA));
            vm.expectRevert(
                abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, parsed)
            );
        }
        this.approveAndExecuteOnB(string(s), envelope);
    }

    /// @dev Helper of the fuzz test: approves a message from `sourceAddress` on A to B's adapter, then executes it.
    function approveAndExecuteOnB(string memory sourceAddress, bytes memory payload) external {
        Message memory m = Message({
            sourceChain: AX_A,
            messageId: "fuzz",
            sourceAddress: sourceAddress,
            contractAddress: address(aB),
            payloadHash: keccak256(payload)
        });
        _axApproveMessage(cB, m);
        aB.execute(axChains[cB].gateway.messageToCommandId(AX_A, "fuzz"), AX_A, sourceAddress, payload);
    }

    // ------------------------------------------------------------------------------------------ replay

    /// @dev The same Axelar command executed twice: `validateContractCall` consumed the approval, the second is
    /// refused; approving it again is ignored by the gateway (already executed).
    function test_Replay_SameCommandTwice_Rejected() public {
        (, uint256 m) = _sendAB("once");
        _axRelay(m);
        bytes32 commandId = _axCommandId(m);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterNotApprovedByGateway.selector, commandId));
        _axExecute(m);
        _axApprove(m);
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterNotApprovedByGateway.selector, commandId));
        _axExecute(m);
        assertEq(rB.count(), 1);
    }

    /// @dev The genuine envelope re-sent: by a second source on A (a copy sent by another contract): refused as
    /// untrusted; as a second Axelar message from the enrolled adapter's own address (another message id, standing for
    /// any second approval of the same envelope): the adapter's delivered-nonce record refuses it. Executed once.
    function test_Replay_SameEnvelopeInSecondMessage_Rejected() public {
        (bytes32 id, uint256 m) = _sendAB("pay once");
        bytes memory envelope = _axBody(m);
        address forger = makeAddr("forger");
        uint256 copy = _rawCall(cA, forger, AX_B, address(aB), envelope);
        _axApprove(copy);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, CHAIN_A, forger));
        _axExecute(copy);

        _axRelay(m);
        assertEq(rB.count(), 1);

        uint256 again = _rawCall(cA, address(aA), AX_B, address(aB), envelope);
        assertTrue(_axCommandId(again) != _axCommandId(m), "a distinct Axelar message");
        _axApprove(again);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        _axExecute(again);
        assertEq(rB.count(), 1, "executed once");
    }

    /// @dev A recipient cannot re-enter the adapter's delivery or retry while it is being delivered
    /// (`ConcordAdapterReentrantCall`); here it catches the refusal and accepts its own message.
    function test_Delivery_ReentrantRetry_Refused() public {
        rB.setMode(ProbeRecipient.Mode.REENTER);
        rB.setReentry(abi.encodeCall(IConcordAdapter.retry, (CHAIN_A, address(aA), "", 1)));
        (, uint256 m) = _sendAB("x");
        _axRelay(m);
        assertTrue(rB.reentryFailed());
        assertEq(rB.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev A message whose recipient is the adapter itself or its authority is never delivered (the approval stays).
    function test_Delivery_RevertWhen_PrivilegedRecipient() public {
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(aB), "x", _noAttr());
        _axApprove(m);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(aB)));
        _axExecute(m);
        (, m) = _send(aA, alice, CHAIN_B, address(manager), "x", _noAttr());
        _axApprove(m);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, address(manager))
        );
        _axExecute(m);
    }

    /// @dev Delivery refuses an origin whose adapter was withdrawn (setRemote(origin, 0)); sending there too. The
    /// approval survives, and the message is delivered once the adapter is enrolled again.
    function test_Delivery_RevertWhen_RemoteWithdrawn() public {
        (, uint256 m) = _sendAB("x");
        _axApprove(m);
        aB.setRemote(CHAIN_A, address(0));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        _axExecute(m);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setRemote(CHAIN_A, address(aA));
        _axExecute(m);
        assertEq(rB.count(), 1);
    }

    /// @dev While the gateway is paused (its operator's emergency switch), `validateContractCall` refuses every
    /// caller but the gateway's owner, so every `execute` reverts: the message waits, and is delivered after the
    /// unpause.
    function test_Delivery_GatewayPaused_MessageWaits() public {
        (, uint256 m) = _sendAB("x");
        _axApprove(m);
        axChains[cB].gateway.setPauseStatus(true);
        vm.expectRevert(IPausable.Pause.selector);
        _axExecute(m);
        axChains[cB].gateway.setPauseStatus(false);
        _axExecute(m);
        assertEq(rB.count(), 1);
    }
}
