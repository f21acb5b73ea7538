// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    ILayerZeroEndpointV2,
    Origin
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {Errors} from "@layerzerolabs/lz-evm-protocol-v2/contracts/libs/Errors.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ProbeRecipient} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {LayerZeroAdapterBase} from "./LayerZeroAdapterBase.sol";

/// @notice Issue 16, LayerZero failure paths: a recipient that fails never loses its message (the endpoint clears the
/// packet, the adapter keeps it FAILED, anyone retries it, with more gas); an executor can neither turn a good message
/// into FAILED by giving too little gas nor starve the recipient below its gas limit.
contract LayerZeroAdapterRetryTest is LayerZeroAdapterBase {
    address internal keeper = makeAddr("keeper");

    /// @dev A recipient that needs more than the gas its sender paid for (12 fresh slots, about 270,000 gas, against
    /// the default 200,000): FAILED at delivery (the endpoint clears the packet: the adapter holds it now), retried by
    /// anyone with at least its own limit, executed once.
    function test_FailingRecipient_RecordedFailed_RetriedWithMoreGas() public {
        rB.setMode(ProbeRecipient.Mode.NEED_GAS);
        rB.setSlots(12);
        (bytes32 id, uint256 m) = _sendAB("heavy");
        bytes memory envelope = _lzBody(m);
        _lzVerify(m);
        vm.expectEmit(address(aB));
        emit IConcordAdapter.ExecutionFailed(id, CHAIN_A, keccak256(""), "");
        _lzExecute(m);
        assertFalse(_lzPending(m), "LayerZero: delivered");
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
        _lzExecuteExpectRevert(
            m, abi.encodeWithSelector(Errors.LZ_PayloadHashNotFound.selector, bytes32(0), _lzPayloadHash(_lzPacket(m)))
        );
    }

    /// @dev A retry that fails again records the new revert data and stays FAILED; a later one succeeds.
    function test_Retry_FailingAgain_StaysFailed_ThenSucceeds() public {
        rB.setMode(ProbeRecipient.Mode.REVERT);
        (bytes32 id, uint256 m) = _sendAB("x");
        bytes memory reason = abi.encodeWithSelector(ProbeRecipient.ProbeRecipientRefused.selector, id);
        _lzRelay(m);
        assertEq(aB.failedRevertDataHash(id), keccak256(reason));
        vm.expectEmit(address(aB));
        emit IConcordAdapter.ExecutionFailed(id, CHAIN_A, keccak256(reason), reason);
        vm.expectEmit(address(aB));
        emit IConcordAdapter.Retried(id, CHAIN_A, keeper, DEFAULT_GAS, false);
        vm.prank(keeper);
        aB.retry(CHAIN_A, address(aA), _lzBody(m), DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        rB.setMode(ProbeRecipient.Mode.ACCEPT);
        aB.retry(CHAIN_A, address(aA), _lzBody(m), DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(rB.count(), 1);
    }

    /// @dev A recipient that returns anything but the ERC-7786 magic value has not accepted: FAILED.
    function test_WrongMagic_RecordedFailed() public {
        rB.setMode(ProbeRecipient.Mode.WRONG_MAGIC);
        (bytes32 id, uint256 m) = _sendAB("x");
        _lzRelay(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        assertEq(aB.failedRevertDataHash(id), keccak256(abi.encode(bytes4(0xdeadbeef))));
    }

    /// @dev `retry` accepts exactly the bytes that failed: another envelope, origin or origin adapter is not FAILED.
    function test_Retry_RevertWhen_NotTheFailedBytes() public {
        rB.setMode(ProbeRecipient.Mode.REVERT);
        (, uint256 m) = _sendAB("x");
        _lzRelay(m);
        IConcordAdapter.Envelope memory e = _lzEnvelope(m);
        e.payload = "y";
        bytes memory other = AdapterEnvelope.encode(e);
        bytes32 otherId = aB.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), other);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, otherId));
        aB.retry(CHAIN_A, address(aA), other, DEFAULT_GAS);
        bytes memory body = _lzBody(m);
        bytes32 wrongOrigin = aB.messageIdOf(CHAIN_C, address(aA), CHAIN_B, address(aB), body);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, wrongOrigin));
        aB.retry(CHAIN_C, address(aA), body, DEFAULT_GAS);
        bytes32 wrongAdapter = aB.messageIdOf(CHAIN_A, stranger, CHAIN_B, address(aB), body);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, wrongAdapter));
        aB.retry(CHAIN_A, stranger, body, DEFAULT_GAS);
        (bytes32 id2, uint256 m2) = _sendAB("z");
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, id2));
        aB.retry(CHAIN_A, address(aA), _lzBody(m2), DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m2, IConcordAdapter.MessageStatus.NONE);
    }

    /// @dev A retry whose caller cannot give the recipient its gas reverts (nothing recorded), like a delivery.
    function test_Retry_RevertWhen_InsufficientGas() public {
        rB.setMode(ProbeRecipient.Mode.REVERT);
        (, uint256 m) = _sendAB("x");
        _lzRelay(m);
        rB.setMode(ProbeRecipient.Mode.ACCEPT);
        bytes memory body = _lzBody(m);
        vm.expectPartialRevert(IConcordAdapter.ConcordAdapterInsufficientGas.selector);
        aB.retry{gas: 150_000}(CHAIN_A, address(aA), body, DEFAULT_GAS);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
    }

    /// @dev An executor that gives `lzReceive` too little gas for the recipient's limit gets a revert (the endpoint
    /// keeps the packet), never a FAILED record; with the option's gas the same packet is delivered.
    function test_Delivery_RevertWhen_InsufficientGas_MessageKept() public {
        (, uint256 m) = _sendAB("x");
        _lzVerify(m);
        bytes memory packet = _lzPacket(m);
        ILayerZeroEndpointV2 endpointB = _lzEndpoint(EID_B);
        Origin memory origin = _lzOrigin(packet);
        bytes32 guid = _lzGuid(packet);
        bytes memory message = _lzMessage(packet);
        vm.expectPartialRevert(IConcordAdapter.ConcordAdapterInsufficientGas.selector);
        endpointB.lzReceive{gas: 260_000}(origin, address(aB), guid, message, "");
        assertTrue(_lzPending(m));
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.NONE);
        _lzExecute(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev Whatever gas the executor gives `lzReceive`, the delivery either reverts or the recipient starts with its
    /// full gas limit (minus the call's own cost): scanned from the smallest gas that delivers up, for a small payload
    /// and one near the largest the send library accepts (its executor config's `maxMessageSize`, 10,000 bytes of
    /// envelope here, as in LayerZero's default configuration).
    function test_Delivery_ExecutorCannotStarveTheRecipient() public {
        _scanStarvation(32, 500_000);
        _scanStarvation(9000, 500_000);
    }

    function _scanStarvation(uint256 size, uint32 gasLimit) internal {
        rB.setMode(ProbeRecipient.Mode.LIGHT);
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), new bytes(size), _gasAttr(gasLimit));
        _lzVerify(m);
        uint256 snapshot = vm.snapshotState();
        uint256 lo = 0;
        uint256 hi = 20_000_000;
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            if (_tryExecute(m, mid)) hi = mid;
            else lo = mid;
            vm.revertToState(snapshot);
        }
        assertLe(hi, _lzGasOf(m), "the option's gas delivers");
        uint256 checked;
        for (uint256 g = hi; g < hi + 120_000; g += 997) {
            if (_tryExecute(m, g)) {
                assertEq(rB.lightCount(), 1, "delivered");
                assertGe(rB.lastGasAtEntry(), gasLimit - 1500, "the recipient got its gas limit");
                ++checked;
            }
            vm.revertToState(snapshot);
        }
        assertGt(checked, 100);
    }

    function _tryExecute(uint256 m, uint256 gas) internal returns (bool delivered) {
        bytes memory packet = _lzPacket(m);
        try _lzEndpoint(EID_B).lzReceive{gas: gas}(
            _lzOrigin(packet), address(aB), _lzGuid(packet), _lzMessage(packet), ""
        ) {
            delivered = true;
        } catch {}
    }
}
