// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {MockOrderedReceiver} from "../../../contracts/mocks/MockOrderedReceiver.sol";
import {OrderedConcordReceiver} from "../../../contracts/receivers/OrderedConcordReceiver.sol";
import {ConcordGatewayBase} from "../../core/ConcordGateway/Base.t.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";

/// @notice Ordered delivery semantics (see `OrderedConcordReceiver` NatSpec rules 1-5).
contract OrderedConcordReceiverTest is ConcordGatewayBase {
    MockOrderedReceiver internal app;
    address internal remote = makeAddr("remote app");
    uint32 internal nextNonce;

    function setUp() public override {
        super.setUp();
        app = new MockOrderedReceiver();
        app.setGateway(address(gateway), true);
        app.setTrustedSender(ORIGIN, remote);
    }

    function _msg(uint64 sequence, bytes memory data) internal returns (bytes memory m) {
        m = _message(nextNonce++, remote, address(app), 500_000, abi.encodePacked(sequence, data));
    }

    function test_Ordered_InOrder_Executes() public {
        gateway.process("", _msg(0, "a"));
        gateway.process("", _msg(1, "b"));
        assertEq(app.logLength(), 2);
        assertEq(app.log(0), "a");
        assertEq(app.log(1), "b");
        assertEq(app.nextSequence(ORIGIN, remote), 2);
    }

    function test_Ordered_OutOfOrder_FailsThenRetriedInOrder() public {
        bytes memory m1 = _msg(1, "b");
        bytes memory m0 = _msg(0, "a");
        gateway.process("", m1); // ahead: FAILED at the gateway
        _assertStatus(m1, IConcordGateway.MessageStatus.FAILED);
        assertEq(
            gateway.failedRevertDataHash(keccak256(m1)),
            keccak256(
                abi.encodeWithSelector(OrderedConcordReceiver.OrderedReceiverOutOfOrder.selector, ORIGIN, remote, 0, 1)
            )
        );
        gateway.process("", m0);
        gateway.retry(m1, gasLimitOf(m1));
        _assertStatus(m1, IConcordGateway.MessageStatus.EXECUTED);
        assertEq(app.log(0), "a");
        assertEq(app.log(1), "b");
    }

    /// @dev A failing message is quarantined and does not block the lane; it can be recovered later, once.
    function test_Ordered_FailingMessage_Quarantined_DoesNotBlock() public {
        bytes memory m0 = _msg(0, "fail");
        bytes32 id0 = keccak256(m0);
        vm.expectEmit(address(app));
        emit OrderedConcordReceiver.OrderedMessageQuarantined(ORIGIN, remote, 0, id0);
        gateway.process("", m0);
        _assertStatus(m0, IConcordGateway.MessageStatus.EXECUTED); // handled by the receiver
        assertTrue(app.isQuarantined(ORIGIN, remote, 0));
        gateway.process("", _msg(1, "next"));
        assertEq(app.logLength(), 1);
        assertEq(app.log(0), "next");

        // recovery, out of order, by anyone, at most once
        vm.expectRevert(MockOrderedReceiver.MockOrderedFailure.selector);
        app.retryQuarantined(ORIGIN, remote, 0, id0, "fail");
        app.setFailing(false);
        vm.expectRevert(
            abi.encodeWithSelector(OrderedConcordReceiver.OrderedReceiverNotQuarantined.selector, ORIGIN, remote, 0)
        );
        app.retryQuarantined(ORIGIN, remote, 0, id0, "tampered");
        vm.prank(stranger);
        app.retryQuarantined(ORIGIN, remote, 0, id0, "fail");
        assertEq(app.log(1), "fail");
        assertFalse(app.isQuarantined(ORIGIN, remote, 0));
        vm.expectRevert(
            abi.encodeWithSelector(OrderedConcordReceiver.OrderedReceiverNotQuarantined.selector, ORIGIN, remote, 0)
        );
        app.retryQuarantined(ORIGIN, remote, 0, id0, "fail");
    }

    function test_Ordered_RevertWhen_Stale() public {
        gateway.process("", _msg(0, "a"));
        bytes memory dup = _msg(0, "a again");
        gateway.process("", dup);
        assertEq(
            gateway.failedRevertDataHash(keccak256(dup)),
            keccak256(
                abi.encodeWithSelector(OrderedConcordReceiver.OrderedReceiverStale.selector, ORIGIN, remote, 1, 0)
            )
        );
    }

    function test_Ordered_RevertWhen_PayloadTooShort() public {
        bytes memory m = _message(nextNonce++, remote, address(app), 500_000, hex"0001");
        gateway.process("", m);
        assertEq(
            gateway.failedRevertDataHash(keccak256(m)),
            keccak256(abi.encodeWithSelector(OrderedConcordReceiver.OrderedReceiverMalformedPayload.selector))
        );
    }

    function test_Ordered_RevertWhen_GasBelowReserve_LaneUntouched_SkipUnblocks() public {
        bytes memory m = _message(nextNonce++, remote, address(app), 50_000, abi.encodePacked(uint64(0), "a"));
        gateway.process("", m);
        _assertStatus(m, IConcordGateway.MessageStatus.FAILED);
        assertEq(app.nextSequence(ORIGIN, remote), 0);
        app.skip(ORIGIN, remote);
        gateway.process("", _msg(1, "b"));
        assertEq(app.log(0), "b");
    }

    function test_Ordered_RevertWhen_ExecuteOrderedNotSelf() public {
        vm.expectRevert(OrderedConcordReceiver.OrderedReceiverOnlySelf.selector);
        app.executeOrdered(ORIGIN, remote, 0, bytes32(0), "x");
    }

    function test_Ordered_Paused_LaneUntouched_RetryAfterUnpause() public {
        app.pause();
        bytes memory m0 = _msg(0, "a");
        gateway.process("", m0);
        _assertStatus(m0, IConcordGateway.MessageStatus.FAILED);
        assertEq(app.nextSequence(ORIGIN, remote), 0);
        app.unpause();
        gateway.retry(m0, gasLimitOf(m0));
        assertEq(app.log(0), "a");
    }

    function test_Ordered_LanesAreIndependent() public {
        address other = makeAddr("other remote");
        _enroll(gateway, 2, address(trustAll), makeAddr("gw2"));
        app.setTrustedSender(2, other);
        bytes memory fromOther = abi.encodePacked(
            uint8(3), uint32(0), uint32(2), _b32(other), LOCAL, _b32(address(app)), uint32(500_000), uint64(0), "z"
        );
        gateway.process("", fromOther);
        gateway.process("", _msg(0, "a"));
        assertEq(app.nextSequence(2, other), 1);
        assertEq(app.nextSequence(ORIGIN, remote), 1);
    }

    function testFuzz_Ordered_AnyDeliveryOrder_ExecutesInSequence(uint256 seed) public {
        uint256 n = 6;
        bytes[] memory messages = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            messages[i] = _msg(uint64(i), abi.encodePacked("m", uint8(i)));
        }
        // deliver in a random permutation, then retry FAILED ones until all executed
        uint256[] memory order = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            order[i] = i;
        }
        for (uint256 i = n - 1; i > 0; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, i))) % (i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        for (uint256 i = 0; i < n; ++i) {
            gateway.process("", messages[order[i]]);
        }
        for (uint256 round = 0; round < n; ++round) {
            for (uint256 i = 0; i < n; ++i) {
                if (gateway.status(messages[i]) == IConcordGateway.MessageStatus.FAILED) {
                    gateway.retry(messages[i], gasLimitOf(messages[i]));
                }
            }
        }
        assertEq(app.logLength(), n);
        for (uint256 i = 0; i < n; ++i) {
            assertEq(app.sequences(i), i);
        }
    }
}
