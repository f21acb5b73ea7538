// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {MockRecipient} from "../../contracts/mocks/MockRecipient.sol";
import {GatewayBase} from "./GatewayBase.t.sol";
import {gasLimitOf} from "../harness/GatewayTestLib.sol";

/// @notice `retry`: anyone, FAILED only, at most one success, same gas rule, blocked while paused.
contract Gateway_retry is GatewayBase {
    bytes internal constant PAYLOAD = "retry me";
    bytes internal message;
    bytes32 internal id;

    function setUp() public override {
        super.setUp();
        recipient.setMode(MockRecipient.Mode.REVERT);
        (message, id) = _send(address(recipient), PAYLOAD);
        gateway.process("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        recipient.setMode(MockRecipient.Mode.ACCEPT);
    }

    function test_Retry_SucceedsOnce_ByAnyone() public {
        vm.expectEmit(address(gateway));
        emit IConcordGateway.Executed(id, ORIGIN);
        vm.expectEmit(address(gateway));
        emit IConcordGateway.Retried(id, ORIGIN, stranger, GAS_LIMIT, true);
        vm.prank(stranger);
        gateway.retry(message, gasLimitOf(message));
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
        assertEq(gateway.failedRevertDataHash(id), bytes32(0));
        assertEq(recipient.calls(), 1);
        assertEq(recipient.lastReceiveId(), id);
        assertEq(recipient.lastSender(), _sender(address(this)));
        assertEq(recipient.lastPayload(), PAYLOAD);

        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, id));
        gateway.retry(message, gasLimitOf(message));
        assertEq(recipient.calls(), 1);
    }

    function test_Retry_FailsAgain_StaysFailed_HashUpdated() public {
        recipient.setMode(MockRecipient.Mode.WRONG_RETURN);
        vm.expectEmit(address(gateway));
        emit IConcordGateway.Retried(id, ORIGIN, address(this), GAS_LIMIT, false);
        gateway.retry(message, gasLimitOf(message));
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertEq(gateway.failedRevertDataHash(id), keccak256(abi.encode(bytes4(0xdeadbeef))));
    }

    function test_Retry_RevertGiven_NotFailed_Unknown() public {
        bytes memory other = _message(99, PAYLOAD);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(other)));
        gateway.retry(other, gasLimitOf(other));
    }

    function test_Retry_RevertGiven_NotFailed_Executed() public {
        bytes memory ok = _message(5, PAYLOAD);
        gateway.process("", ok);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(ok)));
        gateway.retry(ok, gasLimitOf(ok));
    }

    function test_Retry_RevertGiven_InboundPaused() public {
        vm.prank(guardian);
        gateway.pause(true, false);
        vm.expectRevert(IConcordGateway.ConcordGatewayInboundPaused.selector);
        gateway.retry(message, gasLimitOf(message));
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertEq(recipient.calls(), 0);
    }

    function test_Retry_RevertGiven_InboundPaused_RouteEnrolledAfterPause() public {
        vm.prank(guardian);
        gateway.pause(true, false);
        _enroll(gateway, 3, address(trustAll), makeAddr("gw3")); // the new route mirrors the pause
        gateway.unpause(true, false);
        vm.prank(guardian);
        gateway.pause(true, false);
        vm.expectRevert(IConcordGateway.ConcordGatewayInboundPaused.selector);
        gateway.retry(message, gasLimitOf(message));
    }

    function test_Retry_RevertGiven_RoutePaused() public {
        vm.prank(guardian);
        gateway.pauseRoute(ORIGIN);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayRoutePaused.selector, ORIGIN));
        gateway.retry(message, gasLimitOf(message));
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
    }

    function test_Retry_AfterUnpause_Succeeds() public {
        vm.prank(guardian);
        gateway.pause(true, true);
        gateway.unpause(true, true);
        gateway.retry(message, gasLimitOf(message));
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
    }

    /// @dev A recipient that became privileged after its failure (here: made the gateway's authority) is never
    /// called.
    function test_Retry_RevertGiven_RecipientNowPrivileged() public {
        manager.updateAuthority(address(gateway), address(recipient));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayPrivilegedRecipient.selector, address(recipient))
        );
        gateway.retry(message, gasLimitOf(message));
    }

    function test_Retry_RevertWhen_CallerForwardsTooLittleGas() public {
        (bool ok, bytes memory ret) = address(gateway).call{gas: GAS_LIMIT}(abi.encodeCall(gateway.retry, (message, GAS_LIMIT)));
        assertFalse(ok);
        assertEq(bytes4(ret), IConcordGateway.ConcordGatewayInsufficientGas.selector);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertEq(recipient.calls(), 0);
    }

    function test_Retry_RevertWhen_MessageTooShort() public {
        // Never FAILED, so `NotFailed` comes first.
        bytes memory shortMessage = new bytes(10);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(shortMessage))
        );
        gateway.retry(shortMessage, gasLimitOf(shortMessage));
    }
}
