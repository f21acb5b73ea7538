// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";

import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {CcipAdapterBase, ProbeRecipient} from "./CcipAdapterBase.sol";

/// @notice Issue 16, CCIP failure paths: a recipient that fails never loses its message (`ccipReceive` returns, so CCIP
/// considers the message executed; the adapter keeps it FAILED and anyone retries it, with more gas); an executor of
/// the OffRamp (the DON, or anyone manually executing) can neither turn a good message into FAILED by giving too
/// little gas nor starve the recipient below its gas limit: the delivery reverts instead, and CCIP keeps the message
/// (FAILURE, manually executable).
contract CcipAdapterRetryTest is CcipAdapterBase {
    address internal keeper = makeAddr("keeper");

    /// @dev A recipient that needs more than the gas its sender paid for (12 fresh slots, about 270,000 gas, against
    /// the default 200,000): FAILED at delivery (CCIP marks its message delivered: the adapter holds it now),
    /// retried by anyone with at least its own limit, executed once.
    function test_FailingRecipient_RecordedFailed_RetriedWithMoreGas() public {
        rB.setMode(ProbeRecipient.Mode.NEED_GAS);
        rB.setSlots(12);
        (bytes32 id, uint256 m) = _sendAB("heavy");
        bytes memory envelope = _ccipBody(m);
        vm.expectEmit(address(aB));
        emit IConcordAdapter.ExecutionFailed(id, CHAIN_A, keccak256(""), "");
        _ccipRoute(m); // requires the Router to report success: CCIP's execution succeeded
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        assertEq(aB.failedRevertDataHash(id), keccak256(""), "out of gas: empty revert data");
        assertEq(rB.filled(), 0);

        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordAdapter.ConcordAdapterRetryGasBelowLimit.selector, DEFAULT_GAS, DEFAULT_GAS - 1
            )
        );
        aB.retry(CHAIN_A, address(aA), envelope, DEFAULT_GAS - 1);

        vm.expectEmit(address(aB));
        emit IConcordAdapter.Executed(id, CHAIN_A);
        vm.expectEmit(address(aB));
        emit IConcordAdapter.Retried(id, CHAIN_A, keeper, 600_000, true);
        vm.prank(keeper);
        aB.retry(CHAIN_A, address(aA), envelope, 600_000);
        assertEq(rB.filled(), 12);
        assertEq(rB.count(), 1);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(aB.failedRevertDataHash(id), bytes32(0));

        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, id));
        aB.retry(CHAIN_A, address(aA), envelope, 600_000);
        _ccipRouteExpectFail(m, abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
    }

    /// @dev A retry that fails again records the new revert data and stays FAILED; a later one succeeds.
    function test_Retry_FailingAgain_StaysFailed_ThenSucceeds() public {
        rB.setMode(ProbeRecipient.Mode.REVERT);
        (bytes32 id, uint256 m) = _sendAB("x");
        bytes memory reason = abi.encodeWithSelector(ProbeRecipient.ProbeRecipientRefused.selector, id);
        _ccipRoute(m);
        assertEq(aB.failedRevertDataHash(id), keccak256(reason));
        vm.expectEmit(address(aB));
        emit IConcordAdapter.ExecutionFailed(id, CHAIN_A, keccak256(reason), reason);
        vm.expectEmit(address(aB));
        emit IConcordAdapter.Retried(id, CHAIN_A, keeper, DEFAULT_GAS, false);
        vm.prank(keeper);
        aB.retry(CHAIN_A, address(aA), _ccipBody(m), DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        rB.setMode(ProbeRecipient.Mode.ACCEPT);
        aB.retry(CHAIN_A, address(aA), _ccipBody(m), DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(rB.count(), 1);
    }

    /// @dev A recipient that returns anything but the ERC-7786 magic value has not accepted: FAILED, the returned
    /// word recorded.
    function test_WrongMagic_RecordedFailed() public {
        rB.setMode(ProbeRecipient.Mode.WRONG_MAGIC);
        (bytes32 id, uint256 m) = _sendAB("x");
        _ccipRoute(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        assertEq(aB.failedRevertDataHash(id), keccak256(abi.encode(bytes4(0xdeadbeef))));
    }

    /// @dev `retry` accepts exactly the bytes that failed: another envelope, origin or origin adapter is not FAILED.
    function test_Retry_RevertWhen_NotTheFailedBytes() public {
        rB.setMode(ProbeRecipient.Mode.REVERT);
        (, uint256 m) = _sendAB("x");
        _ccipRoute(m);
        IConcordAdapter.Envelope memory e = _ccipEnvelope(m);
        e.payload = "y";
        bytes memory other = abi.encode(e);
        bytes32 otherId = aB.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), other);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, otherId));
        aB.retry(CHAIN_A, address(aA), other, DEFAULT_GAS);
        bytes memory body = _ccipBody(m);
        bytes32 wrongOrigin = aB.messageIdOf(CHAIN_C, address(aA), CHAIN_B, address(aB), body);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, wrongOrigin));
        aB.retry(CHAIN_C, address(aA), body, DEFAULT_GAS);
        bytes32 wrongAdapter = aB.messageIdOf(CHAIN_A, stranger, CHAIN_B, address(aB), body);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, wrongAdapter));
        aB.retry(CHAIN_A, stranger, body, DEFAULT_GAS);
        // A message that was never delivered is not FAILED either.
        (bytes32 id2, uint256 m2) = _sendAB("z");
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, id2));
        aB.retry(CHAIN_A, address(aA), _ccipBody(m2), DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m2, IConcordAdapter.MessageStatus.NONE);
    }

    /// @dev A retry whose caller cannot give the recipient its gas reverts (nothing recorded), like a delivery.
    function test_Retry_RevertWhen_InsufficientGas() public {
        rB.setMode(ProbeRecipient.Mode.REVERT);
        (, uint256 m) = _sendAB("x");
        _ccipRoute(m);
        rB.setMode(ProbeRecipient.Mode.ACCEPT);
        bytes memory body = _ccipBody(m);
        vm.expectPartialRevert(IConcordAdapter.ConcordAdapterInsufficientGas.selector);
        aB.retry{gas: 150_000}(CHAIN_A, address(aA), body, DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
    }

    /// @dev An OffRamp execution with less gas than the message's extra args name (a manual execution with a lower
    /// override; the DON always gives the extra args' limit) reverts in `ccipReceive`: CCIP keeps the message (FAILURE),
    /// never a FAILED record; executed again with the message's own gas limit it is delivered.
    function test_Delivery_RevertWhen_InsufficientGas_MessageKept() public {
        (, uint256 m) = _sendAB("x");
        (bool ok, bytes memory ret) = _ccipRouteMessage(_ccipMessage(m), 230_000, address(aB));
        assertFalse(ok);
        assertEq(bytes4(ret), IConcordAdapter.ConcordAdapterInsufficientGas.selector);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.NONE);
        _ccipRoute(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev Whatever gas limit the OffRamp gives `ccipReceive` (the Router calls with exactly that gas), the delivery
    /// either reverts or the recipient starts with its full gas limit (minus the call's own cost): scanned from the
    /// smallest gas that delivers up, for a small and a large payload (the large one makes the call data's memory
    /// cost more than the bookkeeping reserve, so the adapter's gas check must come after the call data is built).
    /// The extra args' gas limit (`destinationGas`) is at or above that smallest gas.
    function test_Delivery_ExecutorCannotStarveTheRecipient() public {
        _scanStarvation(32, 500_000);
        _scanStarvation(24 * 1024, 500_000);
    }

    function _scanStarvation(uint256 size, uint32 gasLimit) internal {
        rB.setMode(ProbeRecipient.Mode.LIGHT);
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), new bytes(size), _gasAttr(gasLimit));
        Client.Any2EVMMessage memory message = _ccipMessage(m);
        uint256 snapshot = vm.snapshotState();
        uint256 lo = 0;
        uint256 hi = 20_000_000;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            if (_tryRoute(message, mid)) hi = mid;
            else lo = mid;
            vm.revertToState(snapshot);
        }
        assertLe(hi, ccipSent[m].gasLimit, "the extra args' gas limit delivers");
        uint256 checked;
        for (uint256 g = hi; g < hi + 120_000; g += 997) {
            if (_tryRoute(message, g)) {
                assertEq(rB.lightCount(), 1, "delivered");
                assertGe(rB.lastGasAtEntry(), gasLimit - 1500, "the recipient got its gas limit");
                ++checked;
            }
            vm.revertToState(snapshot);
        }
        assertGt(checked, 100);
    }

    function _tryRoute(Client.Any2EVMMessage memory message, uint256 gas) internal returns (bool delivered) {
        (delivered,) = _ccipRouteUncaptured(message, gas, address(aB));
    }
}
