// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {WhProbeRecipient, WormholeAdapterBase} from "./WormholeAdapterBase.sol";

/// @notice Issue 16, Wormhole failure paths: a recipient that fails never loses its message (its VAA is consumed, the adapter keeps it FAILED, anyone retries it, with more gas); a relayer can neither turn a good
/// message into FAILED by giving too little gas nor starve the recipient below its gas limit.
contract WormholeAdapterRetryTest is WormholeAdapterBase {
    address internal keeper = makeAddr("keeper");

    /// @dev A recipient that needs more than the gas its sender paid for (12 fresh slots, about 270,000 gas, against
    /// the default 200,000): FAILED at delivery (its VAA is consumed: the adapter holds the message now),
    /// retried by anyone with at least its own limit, executed once.
    function test_FailingRecipient_RecordedFailed_RetriedWithMoreGas() public {
        rB.setMode(WhProbeRecipient.Mode.NEED_GAS);
        rB.setSlots(12);
        (bytes32 id, uint256 m) = _sendAB("heavy");
        bytes memory envelope = _whPayload(m);
        vm.expectEmit(address(aB));
        emit IConcordAdapter.ExecutionFailed(id, CHAIN_A, keccak256(""), "");
        _relay(m);
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
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        _relay(m);
    }

    /// @dev A retry that fails again records the new revert data and stays FAILED; a later one succeeds.
    function test_Retry_FailingAgain_StaysFailed_ThenSucceeds() public {
        rB.setMode(WhProbeRecipient.Mode.REVERT);
        (bytes32 id, uint256 m) = _sendAB("x");
        bytes memory reason = abi.encodeWithSelector(WhProbeRecipient.WhProbeRecipientRefused.selector, id);
        _relay(m);
        assertEq(aB.failedRevertDataHash(id), keccak256(reason));
        vm.expectEmit(address(aB));
        emit IConcordAdapter.ExecutionFailed(id, CHAIN_A, keccak256(reason), reason);
        vm.expectEmit(address(aB));
        emit IConcordAdapter.Retried(id, CHAIN_A, keeper, DEFAULT_GAS, false);
        vm.prank(keeper);
        aB.retry(CHAIN_A, address(aA), _whPayload(m), DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        rB.setMode(WhProbeRecipient.Mode.ACCEPT);
        aB.retry(CHAIN_A, address(aA), _whPayload(m), DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(rB.count(), 1);
    }

    /// @dev A recipient that returns anything but the ERC-7786 magic value has not accepted: FAILED, the returned
    /// word recorded.
    function test_WrongMagic_RecordedFailed() public {
        rB.setMode(WhProbeRecipient.Mode.WRONG_MAGIC);
        (bytes32 id, uint256 m) = _sendAB("x");
        _relay(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        assertEq(aB.failedRevertDataHash(id), keccak256(abi.encode(bytes4(0xdeadbeef))));
    }

    /// @dev `retry` accepts exactly the bytes that failed: another envelope, origin or origin adapter is not FAILED.
    function test_Retry_RevertWhen_NotTheFailedBytes() public {
        rB.setMode(WhProbeRecipient.Mode.REVERT);
        (, uint256 m) = _sendAB("x");
        _relay(m);
        IConcordAdapter.Envelope memory e = _whEnvelope(m);
        e.payload = "y";
        bytes memory other = AdapterEnvelope.encode(e);
        bytes32 otherId = aB.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), other);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, otherId));
        aB.retry(CHAIN_A, address(aA), other, DEFAULT_GAS);
        bytes memory body = _whPayload(m);
        bytes32 wrongOrigin = aB.messageIdOf(CHAIN_C, address(aA), CHAIN_B, address(aB), body);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, wrongOrigin));
        aB.retry(CHAIN_C, address(aA), body, DEFAULT_GAS);
        bytes32 wrongAdapter = aB.messageIdOf(CHAIN_A, stranger, CHAIN_B, address(aB), body);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, wrongAdapter));
        aB.retry(CHAIN_A, stranger, body, DEFAULT_GAS);
        // A message that was never delivered is not FAILED either.
        (bytes32 id2, uint256 m2) = _sendAB("z");
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, id2));
        aB.retry(CHAIN_A, address(aA), _whPayload(m2), DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m2, IConcordAdapter.MessageStatus.NONE);
    }

    /// @dev A retry whose caller cannot give the recipient its gas reverts (nothing recorded), like a delivery.
    function test_Retry_RevertWhen_InsufficientGas() public {
        rB.setMode(WhProbeRecipient.Mode.REVERT);
        (, uint256 m) = _sendAB("x");
        _relay(m);
        rB.setMode(WhProbeRecipient.Mode.ACCEPT);
        bytes memory body = _whPayload(m);
        vm.expectPartialRevert(IConcordAdapter.ConcordAdapterInsufficientGas.selector);
        aB.retry{gas: 150_000}(CHAIN_A, address(aA), body, DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
    }

    /// @dev A relayer that gives `receiveMessage` too little gas for the recipient's limit gets a revert (the VAA
    /// stays deliverable), never a FAILED record; with enough gas the same VAA is delivered.
    function test_Delivery_RevertWhen_InsufficientGas_MessageKept() public {
        (, uint256 m) = _sendAB("x");
        bytes memory vaa = _whVaa(m);
        vm.expectPartialRevert(IConcordAdapter.ConcordAdapterInsufficientGas.selector);
        aB.receiveMessage{gas: 300_000}(vaa);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.NONE);
        aB.receiveMessage(vaa);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev Whatever gas the relayer gives `receiveMessage`, the delivery either reverts or the recipient starts with
    /// its full gas limit (minus the call's own cost): scanned from the smallest gas that delivers up, for a small and
    /// a large payload. Wormhole core has no destination gas: this check is the only guarantee of the sender's limit.
    function test_Delivery_RelayerCannotStarveTheRecipient() public {
        _scanStarvation(32, 500_000);
        _scanStarvation(96 * 1024, 500_000);
    }

    function _scanStarvation(uint256 size, uint32 gasLimit) internal {
        rB.setMode(WhProbeRecipient.Mode.LIGHT);
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), new bytes(size), _gasAttr(gasLimit));
        bytes memory vaa = _whVaa(m);
        uint256 snapshot = vm.snapshotState();
        uint256 lo = 0;
        uint256 hi = 20_000_000;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            if (_tryReceive(vaa, mid)) hi = mid;
            else lo = mid;
            vm.revertToState(snapshot);
        }
        uint256 checked;
        for (uint256 g = hi; g < hi + 120_000; g += 997) {
            if (_tryReceive(vaa, g)) {
                assertEq(rB.lightCount(), 1, "delivered");
                assertGe(rB.lastGasAtEntry(), gasLimit - 1500, "the recipient got its gas limit");
                ++checked;
            }
            vm.revertToState(snapshot);
        }
        assertGt(checked, 100);
    }

    function _tryReceive(bytes memory vaa, uint256 gas) internal returns (bool delivered) {
        try aB.receiveMessage{gas: gas}(vaa) {
            delivered = true;
        } catch {}
    }
}
