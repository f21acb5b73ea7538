// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";
import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {MockConcordReceiver} from "../../../contracts/mocks/MockConcordReceiver.sol";
import {ConcordReceiver} from "../../../contracts/receivers/ConcordReceiver.sol";
import {ConcordGatewayBase} from "../../core/ConcordGateway/Base.t.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";

contract ConcordReceiverTest is ConcordGatewayBase {
    MockConcordReceiver internal app;
    address internal remote = makeAddr("remote app");

    function setUp() public override {
        super.setUp();
        app = new MockConcordReceiver();
        app.setGateway(address(gateway), true);
        app.setTrustedSender(ORIGIN, remote);
    }

    function _to(address sender, bytes memory payload) internal view returns (bytes memory) {
        return _message(0, sender, address(app), GAS_LIMIT, payload);
    }

    function test_Receiver_ReceivesFromTrustedSender() public {
        bytes memory message = _to(remote, "hi");
        gateway.process("", message);
        assertEq(app.received(), 1);
        assertEq(app.lastOrigin(), ORIGIN);
        assertEq(app.lastSender(), remote);
        assertEq(app.lastReceiveId(), keccak256(message));
        assertEq(app.lastPayload(), "hi");
    }

    function test_Receiver_RevertWhen_UntrustedSender() public {
        address mallory = makeAddr("mallory");
        vm.prank(address(gateway));
        vm.expectRevert(
            abi.encodeWithSelector(ConcordReceiver.ConcordReceiverUntrustedSender.selector, uint256(ORIGIN), mallory)
        );
        app.receiveMessage(bytes32(0), InteroperableAddress.formatEvmV1(ORIGIN, mallory), "x");
        // through the gateway: FAILED
        bytes memory message = _to(mallory, "x");
        gateway.process("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertEq(app.received(), 0);
    }

    function test_Receiver_RevertWhen_TrustedSenderOnOtherChain() public {
        vm.prank(address(gateway));
        vm.expectRevert(
            abi.encodeWithSelector(ConcordReceiver.ConcordReceiverUntrustedSender.selector, uint256(2), remote)
        );
        app.receiveMessage(bytes32(0), InteroperableAddress.formatEvmV1(2, remote), "x");
    }

    function test_Receiver_RevertWhen_ChainIdBeyondUint32() public {
        uint256 chainId = uint256(type(uint32).max) + 1 + ORIGIN; // truncates to ORIGIN
        vm.prank(address(gateway));
        vm.expectRevert(
            abi.encodeWithSelector(ConcordReceiver.ConcordReceiverUntrustedSender.selector, chainId, remote)
        );
        app.receiveMessage(bytes32(0), InteroperableAddress.formatEvmV1(chainId, remote), "x");
    }

    function test_Receiver_RevertWhen_UnauthorizedGateway() public {
        bytes memory sender = InteroperableAddress.formatEvmV1(ORIGIN, remote);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(ERC7786Recipient.ERC7786RecipientUnauthorizedGateway.selector, stranger, sender)
        );
        app.receiveMessage(bytes32(0), sender, "x");
    }

    function test_Receiver_DeauthorizedGateway_Failed() public {
        app.setGateway(address(gateway), false);
        assertFalse(app.isAuthorizedGateway(address(gateway)));
        bytes memory message = _to(remote, "x");
        gateway.process("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
    }

    /// @dev Paused receiver -> FAILED at the gateway -> after unpause, retry succeeds.
    function test_Receiver_Paused_Failed_RetryWhilePausedStaysFailed() public {
        app.pause();
        bytes memory message = _to(remote, "while paused");
        gateway.process("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertEq(
            gateway.failedRevertDataHash(keccak256(message)),
            keccak256(abi.encodeWithSelector(Pausable.EnforcedPause.selector))
        );
        // still paused: the retry fails again (no revert) and the message stays FAILED
        gateway.retry(message, gasLimitOf(message));
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
    }

    function test_Receiver_Paused_RetryAfterUnpause() public {
        app.pause();
        bytes memory message = _to(remote, "while paused");
        gateway.process("", message);
        gateway.retry(message, gasLimitOf(message)); // still paused: stays FAILED
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        app.unpause();
        gateway.retry(message, gasLimitOf(message));
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
        assertEq(app.received(), 1);
        assertEq(app.lastPayload(), "while paused");
    }

    function test_Receiver_DeclaredVerifier_UsedByGateway() public {
        mockVerifier.setOriginGateway(ORIGIN, address(source));
        app.setVerifier(IConcordVerifier(address(mockVerifier)));
        assertEq(address(app.interchainSecurityModule()), address(mockVerifier));
        gateway.process("", _to(remote, "x"));
        assertEq(mockVerifier.calls(), 1);
        assertEq(app.trustedSender(ORIGIN), remote);
    }

    function test_Receiver_ReturnsMagicValue() public {
        vm.prank(address(gateway));
        bytes4 ret = app.receiveMessage(bytes32(0), InteroperableAddress.formatEvmV1(ORIGIN, remote), "x");
        assertEq(ret, IERC7786Recipient.receiveMessage.selector);
    }
}
