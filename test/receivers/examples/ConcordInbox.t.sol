// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {ConcordInbox} from "../../../contracts/receivers/examples/ConcordInbox.sol";
import {ConcordGatewayBase} from "../../core/ConcordGateway/Base.t.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";

/// @notice The demo's example receiver: trusted senders, pause -> FAILED -> unpause -> retry -> EXECUTED.
contract ConcordInboxTest is ConcordGatewayBase {
    ConcordInbox internal inbox;
    address internal owner = makeAddr("inbox owner");
    address internal remote = makeAddr("remote sender");

    event InboxMessage(uint32 indexed origin, address indexed sender, bytes32 indexed receiveId, bytes payload);

    function setUp() public override {
        super.setUp();
        inbox = new ConcordInbox(address(gateway), owner);
        vm.prank(owner);
        inbox.setTrustedSender(ORIGIN, remote);
    }

    function _to(bytes memory payload) internal view returns (bytes memory) {
        return _message(0, remote, address(inbox), GAS_LIMIT, payload);
    }

    function test_Inbox_KeepsMessage() public {
        bytes memory message = _to("hello");
        vm.expectEmit(address(inbox));
        emit InboxMessage(ORIGIN, remote, keccak256(message), "hello");
        gateway.process("", message);
        assertEq(inbox.received(ORIGIN), 1);
        assertEq(inbox.lastPayload(ORIGIN), "hello");
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
    }

    function test_Inbox_PausedFails_ThenRetrySucceeds() public {
        vm.prank(owner);
        inbox.pause();
        bytes memory message = _to("later");
        gateway.process("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
        assertEq(inbox.received(ORIGIN), 0);
        vm.prank(owner);
        inbox.unpause();
        vm.prank(stranger);
        gateway.retry(message, gasLimitOf(message));
        _assertStatus(message, IConcordGateway.MessageStatus.EXECUTED);
        assertEq(inbox.received(ORIGIN), 1);
    }

    function test_Inbox_GatewaySetting() public {
        vm.prank(owner);
        inbox.setGateway(address(gateway), false);
        assertFalse(inbox.isAuthorizedGateway(address(gateway)));
        bytes memory message = _to("x");
        gateway.process("", message);
        _assertStatus(message, IConcordGateway.MessageStatus.FAILED);
    }

    function test_Inbox_RevertWhen_NotOwner() public {
        bytes memory err = abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger);
        vm.startPrank(stranger);
        vm.expectRevert(err);
        inbox.pause();
        vm.expectRevert(err);
        inbox.unpause();
        vm.expectRevert(err);
        inbox.setTrustedSender(ORIGIN, stranger);
        vm.expectRevert(err);
        inbox.setGateway(stranger, true);
        vm.stopPrank();
    }
}
