// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {MockVerifier} from "../../../contracts/mocks/MockVerifier.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @dev A recipient whose work does not fit the default gas limit: it writes `slots` fresh storage slots per message
/// (about 22,100 gas each), like an OpenZeppelin app doing more than its sender's 200,000 gas pays for.
contract GasHungryRecipient is IERC7786Recipient {
    uint256 public immutable SLOTS;
    uint256 public executed;
    mapping(uint256 => uint256) public cells;

    constructor(uint256 slots) {
        SLOTS = slots;
    }

    function receiveMessage(bytes32, bytes calldata, bytes calldata) external payable returns (bytes4) {
        uint256 base = executed * SLOTS;
        for (uint256 i = 0; i < SLOTS; ++i) {
            cells[base + i] = i + 1;
        }
        ++executed;
        return IERC7786Recipient.receiveMessage.selector;
    }
}

/// @notice `retry`: anyone, FAILED only, at most one success, at least the message's gas (more when the recipient
/// needs it, EIP-150 applied to the new limit), blocked while paused, and the verifier that applies now is asked.
contract ConcordGateway_retry is ConcordGatewayBase {
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
        (bool ok, bytes memory ret) =
            address(gateway).call{gas: GAS_LIMIT}(abi.encodeCall(gateway.retry, (message, GAS_LIMIT)));
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

    // ------------------------------------------------------------------------------- more gas (finding 3)

    /// @dev A message sent with the default gas limit to a recipient that needs more FAILS at `process`; anyone then
    /// retries it with more gas and it executes, once.
    function test_Retry_WithMoreGas_DeliversARecipientThatNeedsMore() public {
        GasHungryRecipient hungry = new GasHungryRecipient(12); // ~265,000 gas > GAS_LIMIT
        (bytes memory m, bytes32 mid) = _send(address(hungry), "needs more");
        gateway.process("", m);
        _assertStatus(m, IConcordGateway.MessageStatus.FAILED);
        assertEq(hungry.executed(), 0);

        // The original limit is not enough: it fails again and stays FAILED.
        gateway.retry(m, GAS_LIMIT);
        _assertStatus(m, IConcordGateway.MessageStatus.FAILED);

        vm.expectEmit(address(gateway));
        emit IConcordGateway.Executed(mid, ORIGIN);
        vm.expectEmit(address(gateway));
        emit IConcordGateway.Retried(mid, ORIGIN, stranger, 400_000, true);
        vm.prank(stranger);
        gateway.retry(m, 400_000);
        _assertStatus(m, IConcordGateway.MessageStatus.EXECUTED);
        assertEq(hungry.executed(), 1);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, mid));
        gateway.retry(m, 400_000);
    }

    function test_Retry_RevertWhen_GasBelowTheMessageLimit() public {
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayRetryGasBelowLimit.selector, GAS_LIMIT, GAS_LIMIT - 1)
        );
        gateway.retry(message, GAS_LIMIT - 1);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
    }

    /// @dev EIP-150 applies to the new limit: a caller forwarding less than 64/63 of it gets a revert, never a
    /// FAILED recorded for lack of gas.
    function test_Retry_RevertWhen_CallerForwardsTooLittleGasForTheNewLimit() public {
        uint32 limit = 1_000_000;
        (bool ok, bytes memory ret) =
            address(gateway).call{gas: 900_000}(abi.encodeCall(gateway.retry, (message, limit)));
        assertFalse(ok);
        assertEq(bytes4(ret), IConcordGateway.ConcordGatewayInsufficientGas.selector);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertEq(recipient.calls(), 0);
        gateway.retry{gas: 1_200_000}(message, limit);
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
    }

    // ------------------------------------------------------------------- policies at retry time

    /// @dev The verifier that applies now is asked; a refusal leaves the message FAILED.
    function test_Retry_RevertGiven_VerifierRefuses() public {
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source));
        mockVerifier.setRefuseRetries(true);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayRetryRefused.selector, address(mockVerifier))
        );
        gateway.retry(message, GAS_LIMIT);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertEq(recipient.calls(), 0);
        mockVerifier.setRefuseRetries(false);
        gateway.retry(message, GAS_LIMIT);
        assertEq(mockVerifier.retryCalls(), 1); // the refused call was rolled back with its revert
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
    }

    /// @dev A verifier the recipient names is the one asked (the route's is not).
    function test_Retry_AsksTheVerifierTheRecipientNames() public {
        MockVerifier named = new MockVerifier();
        named.setOriginGateway(ORIGIN, address(source));
        recipient.setGetter(MockRecipient.GetterMode.RETURN, address(named));
        _enroll(gateway, ORIGIN, address(mockVerifier), address(source));
        gateway.retry(message, GAS_LIMIT);
        assertEq(named.retryCalls(), 1);
        assertEq(mockVerifier.retryCalls(), 0);
    }
}
