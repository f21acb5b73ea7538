// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {MockNoopRecipient} from "../../../contracts/mocks/MockNoopRecipient.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {MockVerifier} from "../../../contracts/mocks/MockVerifier.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @notice `process`: happy path, verifier selection and every revert path.
contract ConcordGateway_process is ConcordGatewayBase {
    bytes internal constant PAYLOAD = "hello concord";

    // ---------------------------------------------------------------------------------------------
    // Happy path
    // ---------------------------------------------------------------------------------------------

    function test_Process_DeliversExactArguments() public {
        (bytes memory message, bytes32 id) = _send(address(recipient), PAYLOAD);
        vm.expectEmit(address(gateway));
        emit IConcordGateway.Executed(id, ORIGIN);
        vm.prank(relayer);
        gateway.process("", message);
        assertEq(recipient.calls(), 1);
        assertEq(recipient.lastReceiveId(), id);
        assertEq(recipient.lastSender(), _sender(address(this)), "sender must be formatEvmV1(origin, sender)");
        assertEq(recipient.lastPayload(), PAYLOAD);
        assertEq(recipient.lastCaller(), address(gateway));
        assertEq(recipient.lastValue(), 0);
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
        assertTrue(gateway.delivered(ORIGIN, 0));
        assertEq(gateway.failedRevertDataHash(id), bytes32(0));
    }

    function test_Process_EmptyPayload() public {
        (bytes memory message,) = _send(address(recipient), "");
        gateway.process("", message);
        assertEq(recipient.lastPayload(), "");
    }

    function test_Process_RecipientGetsAtLeastItsGasLimit() public {
        bytes memory message = _message(0, address(this), address(recipient), 300_000, PAYLOAD);
        gateway.process{gas: 1_000_000}("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
        assertGt(recipient.lastGasLeft(), 299_000, "recipient got less than its limit");
        assertLe(recipient.lastGasLeft(), 300_000, "recipient got more than its limit");
    }

    function test_Process_TwoIdenticalPayloads_AreTwoMessages_BothDelivered() public {
        (bytes memory m1, bytes32 id1) = _send(address(recipient), PAYLOAD);
        (bytes memory m2, bytes32 id2) = _send(address(recipient), PAYLOAD);
        assertTrue(id1 != id2);
        gateway.process("", m1);
        gateway.process("", m2);
        assertEq(recipient.calls(), 2);
    }

    function test_Process_OutOfOrderNonces() public {
        gateway.process("", _message(300, PAYLOAD));
        gateway.process("", _message(2, PAYLOAD));
        gateway.process("", _message(256, PAYLOAD));
        assertTrue(gateway.delivered(ORIGIN, 300));
        assertTrue(gateway.delivered(ORIGIN, 2));
        assertTrue(gateway.delivered(ORIGIN, 256));
        assertFalse(gateway.delivered(ORIGIN, 3));
    }

    function test_Process_VerifierSeesExactBytes() public {
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source));
        bytes memory message = _message(7, PAYLOAD);
        bytes memory metadata = hex"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021";
        gateway.process(metadata, message);
        assertEq(mockVerifier.calls(), 1);
        assertEq(mockVerifier.lastMetadata(), metadata);
        assertEq(mockVerifier.lastMessage(), message);
    }

    // ---------------------------------------------------------------------------------------------
    // Verifier selection
    // ---------------------------------------------------------------------------------------------

    function test_Process_UsesRecipientDeclaredVerifier() public {
        MockVerifier declared = new MockVerifier();
        declared.setOriginGateway(ORIGIN, address(source));
        recipient.setGetter(MockRecipient.GetterMode.RETURN, address(declared));
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source));
        gateway.process("", _message(0, PAYLOAD));
        assertEq(declared.calls(), 1);
        assertEq(mockVerifier.calls(), 0);
        assertEq(gateway.verifierFor(address(recipient), ORIGIN), address(declared));
    }

    function test_Process_RecipientVerifierRejects_EvenIfRouteAccepts() public {
        MockVerifier declared = new MockVerifier();
        declared.setOriginGateway(ORIGIN, address(source));
        declared.setAnswer(MockVerifier.Answer.FALSE);
        recipient.setGetter(MockRecipient.GetterMode.RETURN, address(declared));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayVerificationFailed.selector, address(declared))
        );
        gateway.process("", _message(0, PAYLOAD));
    }

    function _assertFallsBackToRoute(MockRecipient.GetterMode mode, address declared) internal {
        recipient.setGetter(mode, declared);
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source));
        gateway.process("", _message(0, PAYLOAD));
        assertEq(mockVerifier.calls(), 1, "route verifier not used");
        assertEq(gateway.verifierFor(address(recipient), ORIGIN), address(mockVerifier));
    }

    function test_Process_GetterReturnsZero_FallsBackToRoute() public {
        _assertFallsBackToRoute(MockRecipient.GetterMode.RETURN, address(0));
    }

    function test_Process_GetterReturnsNoCode_FallsBackToRoute() public {
        _assertFallsBackToRoute(MockRecipient.GetterMode.RETURN, makeAddr("eoa"));
    }

    function test_Process_GetterReverts_FallsBackToRoute() public {
        _assertFallsBackToRoute(MockRecipient.GetterMode.REVERT, address(0));
    }

    function test_Process_GetterShortReturn_FallsBackToRoute() public {
        _assertFallsBackToRoute(MockRecipient.GetterMode.SHORT, address(0));
    }

    function test_Process_GetterBurnsGas_FallsBackToRoute() public {
        _assertFallsBackToRoute(MockRecipient.GetterMode.BURN_GAS, address(0));
    }

    function test_Process_GetterDirtyAddress_FallsBackToRoute() public {
        _assertFallsBackToRoute(MockRecipient.GetterMode.DIRTY, address(new MockVerifier()));
    }

    function test_Process_NoGetter_UsesRouteVerifier() public {
        MockNoopRecipient noop = new MockNoopRecipient();
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source));
        gateway.process("", _message(0, address(this), address(noop), GAS_LIMIT, PAYLOAD));
        assertEq(mockVerifier.calls(), 1);
    }

    /// @dev A recipient naming the route's own verifier takes the route path (nonce record, no id record).
    function test_Process_GetterNamesRouteVerifier_TakesRoutePath() public {
        recipient.setGetter(MockRecipient.GetterMode.RETURN, address(trustAll));
        bytes memory message = _message(0, PAYLOAD);
        gateway.process("", message);
        assertTrue(gateway.delivered(ORIGIN, 0));
        assertFalse(gateway.deliveredById(keccak256(message)));
    }

    /// @dev A relayer cannot starve the recipient's getter to force a fallback to a weaker verifier: with too
    /// little gas for the getter's full budget the call reverts.
    function test_Process_RevertWhen_GasTooLowForVerifierGetter() public {
        MockVerifier strict = new MockVerifier();
        strict.setAnswer(MockVerifier.Answer.FALSE);
        recipient.setGetter(MockRecipient.GetterMode.RETURN, address(strict));
        bytes memory message = _message(0, PAYLOAD);
        (bool ok,) = address(gateway).call{gas: 30_000}(abi.encodeCall(gateway.process, ("", message)));
        assertFalse(ok);
        assertFalse(gateway.delivered(ORIGIN, 0));
        assertEq(recipient.calls(), 0);
    }

    // ---------------------------------------------------------------------------------------------
    // Revert paths
    // ---------------------------------------------------------------------------------------------

    function test_Process_RevertWhen_MessageTooShort() public {
        bytes memory message = new bytes(80);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayMalformedMessage.selector, 80));
        gateway.process("", message);
    }

    function test_Process_RevertWhen_UnknownVersion() public {
        bytes memory message = _message(0, PAYLOAD);
        message[0] = 0x02;
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayUnsupportedVersion.selector, 2));
        gateway.process("", message);
    }

    function test_Process_RevertWhen_WrongDestination() public {
        bytes memory message = Message.format(
            3, 0, ORIGIN, _b32(address(this)), LOCAL + 1, _b32(address(recipient)), Message.formatBody(1, "")
        );
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayWrongDestination.selector, LOCAL + 1));
        gateway.process("", message);
    }

    function test_Process_RevertWhen_RecipientNotEvmAddress() public {
        bytes32 bad = bytes32(uint256(uint160(address(recipient))) | (1 << 200));
        bytes memory message =
            Message.format(3, 0, ORIGIN, _b32(address(this)), LOCAL, bad, Message.formatBody(GAS_LIMIT, ""));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNonEvmAddress.selector, bad));
        gateway.process("", message);
    }

    function test_Process_RevertWhen_SenderNotEvmAddress() public {
        bytes32 bad = bytes32(type(uint256).max);
        bytes memory message =
            Message.format(3, 0, ORIGIN, bad, LOCAL, _b32(address(recipient)), Message.formatBody(GAS_LIMIT, ""));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNonEvmAddress.selector, bad));
        gateway.process("", message);
    }

    function test_Process_RevertGiven_InboundPaused() public {
        vm.prank(guardian);
        gateway.pause(true, false);
        bytes memory message = _message(0, PAYLOAD);
        vm.expectRevert(IConcordGateway.ConcordGatewayInboundPaused.selector);
        gateway.process("", message);
        assertFalse(gateway.delivered(ORIGIN, 0));
    }

    function test_Process_RevertGiven_InboundPaused_EnrolledRoute() public {
        gateway.setRoute(ORIGIN, address(trustAll), address(source));
        vm.prank(guardian);
        gateway.pause(true, false);
        vm.expectRevert(IConcordGateway.ConcordGatewayInboundPaused.selector);
        gateway.process("", _message(0, PAYLOAD));
    }

    function test_Process_RevertGiven_RoutePaused() public {
        vm.prank(guardian);
        gateway.pauseRoute(ORIGIN);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayRoutePaused.selector, ORIGIN));
        gateway.process("", _message(0, PAYLOAD));
    }

    function test_Process_RevertWhen_RecipientIsGateway() public {
        bytes memory message = _message(0, address(this), address(gateway), GAS_LIMIT, PAYLOAD);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayPrivilegedRecipient.selector, address(gateway))
        );
        gateway.process("", message);
    }

    function test_Process_RevertWhen_RecipientIsAuthority() public {
        bytes memory message = _message(0, address(this), address(manager), GAS_LIMIT, PAYLOAD);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayPrivilegedRecipient.selector, address(manager))
        );
        gateway.process("", message);
    }

    function test_Process_RevertWhen_RecipientIsRouteVerifier() public {
        bytes memory message = _message(0, address(this), address(trustAll), GAS_LIMIT, PAYLOAD);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayPrivilegedRecipient.selector, address(trustAll))
        );
        gateway.process("", message);
    }

    /// @dev A verifier of ANOTHER origin's route is privileged too (the filter is gateway-wide).
    function test_Process_RevertWhen_RecipientIsOtherRouteVerifier() public {
        _enroll(gateway, 42, address(mockVerifier), makeAddr("gw42"));
        bytes memory message = _message(0, address(this), address(mockVerifier), GAS_LIMIT, PAYLOAD);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayPrivilegedRecipient.selector, address(mockVerifier))
        );
        gateway.process("", message);
        assertTrue(gateway.isPrivileged(address(mockVerifier)));
    }

    function test_Process_RevertWhen_Replayed() public {
        (bytes memory message, bytes32 id) = _send(address(recipient), PAYLOAD);
        gateway.process("", message);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, id));
        gateway.process("", message);
        assertEq(recipient.calls(), 1);
    }

    function test_Process_RevertWhen_ReplayedAfterFailure() public {
        recipient.setMode(MockRecipient.Mode.REVERT);
        (bytes memory message, bytes32 id) = _send(address(recipient), PAYLOAD);
        gateway.process("", message);
        recipient.setMode(MockRecipient.Mode.ACCEPT);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, id));
        gateway.process("", message);
    }

    /// @dev Messages from an origin without a route are refused, whatever verifier the recipient names.
    function test_Process_RevertGiven_UnknownOrigin() public {
        bytes memory message = abi.encodePacked(
            uint8(3), uint32(0), uint32(77), _b32(address(this)), LOCAL, _b32(address(recipient)), GAS_LIMIT, "x"
        );
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayUnknownOrigin.selector, uint32(77)));
        gateway.process("", message);
        recipient.setGetter(MockRecipient.GetterMode.RETURN, address(mockVerifier));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayUnknownOrigin.selector, uint32(77)));
        gateway.process("", message);
    }

    function _expectVerificationFails(MockVerifier.Answer answer) internal {
        mockVerifier.setAnswer(answer);
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayVerificationFailed.selector, address(mockVerifier))
        );
        gateway.process("", _message(0, PAYLOAD));
        assertFalse(gateway.delivered(ORIGIN, 0));
        assertEq(recipient.calls(), 0);
    }

    function test_Process_RevertWhen_VerifierReturnsFalse() public {
        _expectVerificationFails(MockVerifier.Answer.FALSE);
    }

    function test_Process_RevertWhen_VerifierReverts() public {
        _expectVerificationFails(MockVerifier.Answer.REVERT);
    }

    function test_Process_RevertWhen_VerifierReturnsNothing() public {
        _expectVerificationFails(MockVerifier.Answer.EMPTY);
    }

    function test_Process_RevertWhen_VerifierReturnsNonBoolean() public {
        _expectVerificationFails(MockVerifier.Answer.TWO);
    }

    /// @dev Red team: the caller forwards too little gas for the recipient's limit. The whole call reverts and
    /// nothing is recorded (not even the replay bit), so the message stays deliverable.
    function test_Process_RevertWhen_CallerForwardsTooLittleGas() public {
        bytes memory message = _message(0, PAYLOAD);
        bytes memory data = abi.encodeCall(gateway.process, ("", message));
        (bool ok, bytes memory ret) = address(gateway).call{gas: GAS_LIMIT}(data);
        assertFalse(ok);
        assertEq(bytes4(ret), IConcordGateway.ConcordGatewayInsufficientGas.selector);
        assertFalse(gateway.delivered(ORIGIN, 0));
        _assertStatus(message, IConcordGateway.MessageStatus.NONE);
        assertEq(recipient.calls(), 0);
        // With enough gas it then delivers.
        gateway.process("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
    }

    /// @dev Sweep the forwarded gas around the threshold: every outcome is either a full revert (nothing set) or a
    /// delivery where the recipient got its full gas limit; never FAILED.
    function test_Process_GasSweep_NeverFailsForLackOfGas() public {
        recipient.setMode(MockRecipient.Mode.BURN_GAS); // would FAIL only with its whole limit consumed
        uint32 limit = 50_000;
        for (uint256 g = 40_000; g < 140_000; g += 1500) {
            bytes memory message = _message(uint32(g), address(this), address(recipient), limit, PAYLOAD);
            (bool ok,) = address(gateway).call{gas: g}(abi.encodeCall(gateway.process, ("", message)));
            if (!ok) {
                assertFalse(gateway.delivered(ORIGIN, uint32(g)), "partial state after revert");
            } else {
                // BURN_GAS fails only after burning the full limit, so FAILED here is legitimate
                _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
            }
        }
    }

    function test_Process_ExternalSelectorLiterals() public pure {
        // The gateway's assembly uses literals for these selectors.
        assertEq(IERC7786Recipient.receiveMessage.selector, bytes4(0x2432ef26));
        assertEq(IConcordGateway.ConcordGatewayInsufficientGas.selector, bytes4(0x8a482991));
    }
}
