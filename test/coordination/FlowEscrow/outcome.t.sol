// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice OUTCOME delivery on A (`FlowEscrow.receiveMessage`): the outcome B decided settles the flow on arrival,
/// exactly once, whatever A's clock says; an outcome from the wrong domain, sender or escrow, or any other kind of
/// message, is refused.
contract FlowEscrow_outcome is CoordinationBase {
    // ------------------------------------------------------------------ the A clock never decides

    /// @dev The slow-acknowledgement scenario that a clock refund would double-spend: executed at T on B, A's clock
    /// far past T, then the EXECUTED outcome arrives and settles to the beneficiary, never to the refund address.
    function test_SlowAck_ExecutedOnTime_NeverRefunded() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        tB = flow.deadline;
        bytes memory outcome = _deliverB(message);
        tA = flow.deadline + 30 days;
        _atA();
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.LOCKED));
        cA.settle(flow);
        _deliverA(outcome);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
        assertEq(cA.owed(refundTo, address(0)), 0);
    }

    /// @dev No keeper on the executed path: B sends the OUTCOME in the transaction that executes, and its arrival on
    /// A settles the flow (open, deliver on B, deliver on A, then anyone's claim).
    function test_ExecutedPath_NoKeeper_SettledOnArrival() public {
        (bytes32 id,, bytes memory message) = _openDefault();
        bytes memory outcome = _deliverB(message);
        assertGt(outcome.length, 0, "B sent the OUTCOME with the execution");
        vm.expectEmit(address(cA));
        emit IFlowEscrow.FlowFinalized(id, beneficiary, AMOUNT, 0, 0);
        _deliverA(outcome);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(uint8(cA.record(id).outcome), uint8(FlowLib.Status.EXECUTED));
        assertEq(cA.claim(beneficiary, address(0)), AMOUNT);
    }

    // ------------------------------------------------------------------ acknowledgements

    function test_Ack_Executed_ThenExpired_OneOutcome() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverA(_deliverB(message));
        // a conflicting (forged) EXPIRED attestation from B's coordinator arrives later: ignored
        bytes memory forged = _forge(
            CHAIN_B,
            address(cB),
            CHAIN_A,
            address(cA),
            FlowLib.encodeOutcome(flow, FlowLib.Status.EXPIRED, flow.deadline + 1)
        );
        vm.expectEmit(address(cA));
        emit IFlowEscrow.OutcomeIgnored(id, FlowLib.Status.EXPIRED);
        _deliverA(forged);
        IFlowEscrow.Record memory rec = cA.record(id);
        assertEq(uint8(rec.phase), uint8(FlowLib.Phase.SETTLED));
        assertEq(uint8(rec.outcome), uint8(FlowLib.Status.EXECUTED));
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
        cA.settle(flow); // a no-op once settled
        assertEq(cA.owed(refundTo, address(0)), 0);
    }

    function test_Ack_Expired_ThenExecuted_OneOutcome() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        tB = flow.deadline + 1;
        _deliverA(_expireB(flow));
        bytes memory forged = _forge(
            CHAIN_B, address(cB), CHAIN_A, address(cA), FlowLib.encodeOutcome(flow, FlowLib.Status.EXECUTED, uint64(tA))
        );
        _deliverA(forged);
        IFlowEscrow.Record memory rec = cA.record(id);
        assertEq(uint8(rec.outcome), uint8(FlowLib.Status.EXPIRED));
        assertEq(rec.decidedAt, flow.deadline + 1);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
        assertEq(cA.owed(beneficiary, address(0)), 0);
    }

    function test_Ack_RevertWhen_ExpiredAtOrBeforeDeadline() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        bytes memory forged = _forge(
            CHAIN_B,
            address(cB),
            CHAIN_A,
            address(cA),
            FlowLib.encodeOutcome(flow, FlowLib.Status.EXPIRED, flow.deadline)
        );
        _deliverA(forged);
        _assertGatewayStatus(gwA, forged, IConcordGateway.MessageStatus.FAILED);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
        assertEq(
            gwA.failedRevertDataHash(keccak256(forged)),
            keccak256(
                abi.encodeWithSelector(
                    IFlowEscrow.FlowEscrowInvalidOutcome.selector, id, FlowLib.Status.EXPIRED, flow.deadline
                )
            )
        );
    }

    function test_Ack_RevertWhen_ExecutedAfterDeadline_OrNotTerminal() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        bytes memory late = _forge(
            CHAIN_B,
            address(cB),
            CHAIN_A,
            address(cA),
            FlowLib.encodeOutcome(flow, FlowLib.Status.EXECUTED, flow.deadline + 1)
        );
        _deliverA(late);
        _assertGatewayStatus(gwA, late, IConcordGateway.MessageStatus.FAILED);
        bytes memory pending =
            _forge(CHAIN_B, address(cB), CHAIN_A, address(cA), FlowLib.encodeOutcome(flow, FlowLib.Status.PENDING, 1));
        _deliverA(pending);
        _assertGatewayStatus(gwA, pending, IConcordGateway.MessageStatus.FAILED);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    function test_Ack_RevertWhen_WrongDomain() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        bytes memory forged = _forge(
            CHAIN_C,
            address(cB),
            CHAIN_A,
            address(cA),
            FlowLib.encodeOutcome(flow, FlowLib.Status.EXPIRED, flow.deadline + 1)
        );
        _deliverA(forged);
        _assertGatewayStatus(gwA, forged, IConcordGateway.MessageStatus.FAILED);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    function test_Ack_RevertWhen_WrongSender() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        bytes memory forged =
            _forge(CHAIN_B, stranger, CHAIN_A, address(cA), FlowLib.encodeOutcome(flow, FlowLib.Status.CANCELLED, 1));
        _deliverA(forged);
        _assertGatewayStatus(gwA, forged, IConcordGateway.MessageStatus.FAILED);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
        assertEq(
            gwA.failedRevertDataHash(keccak256(forged)),
            keccak256(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointUntrustedSender.selector, CHAIN_B, stranger))
        );
    }

    function test_Ack_RevertWhen_FlowOfAnotherEscrow() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        flow.escrow = stranger;
        bytes memory forged = _forge(
            CHAIN_B, address(cB), CHAIN_A, address(cA), FlowLib.encodeOutcome(flow, FlowLib.Status.CANCELLED, 1)
        );
        _deliverA(forged);
        _assertGatewayStatus(gwA, forged, IConcordGateway.MessageStatus.FAILED);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
        assertEq(
            gwA.failedRevertDataHash(keccak256(forged)),
            keccak256(abi.encodeWithSelector(IFlowEscrow.FlowEscrowForeignFlow.selector, keccak256(abi.encode(flow))))
        );
    }

    /// @dev A only takes OUTCOME: any other kind is refused (the message is FAILED at the gateway).
    function test_Receive_RevertWhen_NotAnOutcome() public {
        (, FlowLib.Flow memory flow,) = _openDefault();
        bytes memory forged = _forge(CHAIN_B, address(cB), CHAIN_A, address(cA), FlowLib.encodeCancel(flow));
        _deliverA(forged);
        assertEq(
            gwA.failedRevertDataHash(keccak256(forged)),
            keccak256(
                abi.encodeWithSelector(IFlowEndpoint.FlowEndpointUnexpectedMessage.selector, FlowLib.CANCEL, uint8(0))
            )
        );
    }

    function test_Ack_UnknownFlow_Ignored() public {
        (, FlowLib.Flow memory flow,) = _openDefault();
        flow.nonce = 99; // never opened
        bytes memory forged = _forge(
            CHAIN_B, address(cB), CHAIN_A, address(cA), FlowLib.encodeOutcome(flow, FlowLib.Status.CANCELLED, 1)
        );
        _deliverA(forged);
        _assertGatewayStatus(gwA, forged, IConcordGateway.MessageStatus.EXECUTED);
        _assertPhaseA(keccak256(abi.encode(flow)), FlowLib.Phase.NONE);
    }

    function test_Ack_ReExports_AppliedOnce() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        tB = flow.deadline + 1;
        bytes memory a1 = _expireB(flow);
        bytes memory a2 = _export(flow);
        bytes memory a3 = _export(flow);
        _deliverA(a2);
        vm.expectEmit(address(cA));
        emit IFlowEscrow.OutcomeIgnored(id, FlowLib.Status.EXPIRED);
        _deliverA(a1);
        _deliverA(a3); // after settlement too
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
    }
}
