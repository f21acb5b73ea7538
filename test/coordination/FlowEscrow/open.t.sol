// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {IGasOracle} from "../../../contracts/interfaces/IGasOracle.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {
    CoordinationBase,
    FlowTargetMock,
    FlowTestToken,
    ReentrantPayee,
    RevertingPayee
} from "../CoordinationBase.t.sol";

/// @notice A side (`FlowEscrow`): open, the outcome's arrival (which settles the flow), settlement under pause, pull
/// payments, cancel, admin.
contract FlowEscrow_open is CoordinationBase {
    // ------------------------------------------------------------------ open

    function test_Open_EscrowsAndSendsExecute() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.executionFee = 0.06 ether;
        req.ackFee = 0.04 ether;
        req.timeoutFee = 0.03 ether;
        req.feeRecipient = feeRecipient;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "payload");
        assertEq(id, cA.flowId(flow));
        assertEq(id, keccak256(abi.encode(flow)));
        assertEq(flow.originDomain, CHAIN_A);
        assertEq(flow.escrow, address(cA));
        assertEq(flow.nonce, 0);
        assertEq(flow.opener, opener);
        assertEq(flow.payloadHash, keccak256("payload"));
        assertEq(cA.nonce(), 1);
        assertEq(address(cA).balance, AMOUNT + 0.1 ether);
        assertEq(cA.lockedTotal(address(0)), AMOUNT + 0.1 ether);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
        // EXECUTE carries the gas the target needs plus the coordinator's overhead
        assertEq(uint32(bytes4(_slice(message, 77, 4))), EXEC_GAS + cA.EXECUTE_GAS_OVERHEAD());
    }

    function test_Open_SameRequestTwice_DistinctIds() public {
        (bytes32 id1,,) = _openDefault();
        (bytes32 id2,,) = _openDefault();
        assertTrue(id1 != id2);
    }

    function test_Open_Erc20Escrow() public {
        FlowTestToken token = new FlowTestToken();
        token.mint(opener, 5 ether);
        vm.prank(opener);
        token.approve(address(cA), type(uint256).max);
        FlowTestToken tokenOnB = new FlowTestToken();
        _lane(cA, CHAIN_B, cB, address(token), address(tokenOnB), beneficiary);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.asset = address(token);
        req.destinationAsset = address(tokenOnB);
        (bytes32 id,,) = _open(req, "");
        assertEq(token.balanceOf(address(cA)), AMOUNT);
        assertEq(cA.lockedTotal(address(token)), AMOUNT);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

    /// @notice locked + owed per asset is bounded to 128 bits (one slot holds both): an escrow above the bound is
    /// refused with a typed error, at the bound it is accepted, and a bump can never push past it.
    function test_Open_RevertWhen_TotalsOverflow_AtTheBoundAccepted() public {
        FlowTestToken token = new FlowTestToken();
        uint256 max = type(uint128).max;
        token.mint(opener, max + 1);
        vm.prank(opener);
        token.approve(address(cA), type(uint256).max);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.asset = address(token);
        req.maxValue = 0; // a pure remote call: no lane needed
        req.amount = max + 1;
        vm.prank(opener);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowTotalsOverflow.selector, address(token), max + 1));
        cA.open(req, "");
        req.amount = max;
        (bytes32 id,,) = _open(req, "");
        assertEq(cA.lockedTotal(address(token)), max);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
        req.amount = 1;
        vm.prank(opener);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowTotalsOverflow.selector, address(token), 1));
        cA.open(req, "");
        // native: a bump that would take the total past the bound is refused too
        FlowLib.Flow memory nativeReq = _request(uint64(tA + 1 hours));
        nativeReq.feeRecipient = feeRecipient;
        (bytes32 nativeId, FlowLib.Flow memory flow,) = _open(nativeReq, "");
        uint256 room = max - cA.lockedTotal(address(0));
        vm.deal(stranger, room + 1);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowTotalsOverflow.selector, address(0), room + 1));
        cA.bumpFees{value: room + 1}(flow);
        vm.prank(stranger);
        cA.bumpFees{value: room}(flow);
        assertEq(cA.record(nativeId).bumped, room);
        assertEq(cA.lockedTotal(address(0)), max);
    }

    function test_Open_RevertWhen_UntrustedDestination() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.executor = stranger;
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowUntrustedExecutor.selector, CHAIN_B, stranger));
        cA.open{value: AMOUNT}(req, "");
        req.executor = address(cB);
        req.destinationDomain = CHAIN_C;
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowUntrustedExecutor.selector, CHAIN_C, address(cB)));
        cA.open{value: AMOUNT}(req, "");
    }

    function test_Open_RevertWhen_DestinationIsLocal() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.destinationDomain = CHAIN_A;
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowSameDomain.selector, CHAIN_A));
        cA.open{value: AMOUNT}(req, "");
    }

    function test_Open_RevertWhen_DeadlineNotInFuture() public {
        FlowLib.Flow memory req = _request(uint64(tA));
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidDeadline.selector, uint64(tA), tA + HORIZON)
        );
        cA.open{value: AMOUNT}(req, "");
    }

    function test_Open_RevertWhen_DeadlineBeyondHorizon() public {
        FlowLib.Flow memory req = _request(uint64(tA + HORIZON + 1));
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidDeadline.selector, tA + HORIZON + 1, tA + HORIZON)
        );
        cA.open{value: AMOUNT}(req, "");
        req.deadline = uint64(tA + HORIZON); // the cap itself is fine
        cA.open{value: AMOUNT}(req, "");
    }

    /// @dev Every invalid field has its own typed error.
    function test_Open_RevertWhen_InvalidFields() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        uint32 maxGas = cA.MAX_EXECUTION_GAS();
        _expectInvalid(
            req,
            abi.encodeWithSelector(
                IFlowEscrow.FlowEscrowNotBeforeAfterDeadline.selector, req.deadline + 1, req.deadline
            ),
            1
        );
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidTarget.selector, address(0)), 2);
        _expectInvalid(
            req,
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowMaxValueAboveAmount.selector, req.amount + 1, req.amount),
            3
        );
        _expectInvalid(
            req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidExecutionGas.selector, uint32(0), maxGas), 4
        );
        _expectInvalid(
            req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidExecutionGas.selector, maxGas + 1, maxGas), 5
        );
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowZeroPayee.selector), 6);
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowZeroPayee.selector), 7);
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowZeroFeeRecipient.selector), 8);
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidTarget.selector, address(cB)), 9);
        _expectInvalid(
            req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidGuard.selector, uint32(0), stranger), 10
        );
        _expectInvalid(req, abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidAckRoutes.selector, uint16(1)), 11);
    }

    function _expectInvalid(FlowLib.Flow memory base, bytes memory err, uint256 which) internal {
        FlowLib.Flow memory req = _copy(base);
        if (which == 1) req.notBefore = req.deadline + 1;
        if (which == 2) req.target = address(0);
        if (which == 3) req.maxValue = req.amount + 1;
        if (which == 4) req.executionGas = 0;
        if (which == 5) req.executionGas = cA.MAX_EXECUTION_GAS() + 1;
        if (which == 6) req.refundTo = address(0);
        if (which == 7) req.beneficiary = address(0);
        if (which == 8) req.timeoutFee = 1;
        if (which == 9) req.target = address(cB);
        if (which == 10) req.guardEmitter = stranger;
        if (which == 11) req.ackRoutes = 1;
        vm.expectRevert(err);
        cA.open{value: req.amount + FlowLib.feeEscrow(req)}(req, "");
    }

    function test_Open_RevertWhen_LaneClosed() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.destinationAsset = stranger; // some token on B not paired with native on A
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowLaneClosed.selector, CHAIN_B, address(0), stranger)
        );
        cA.open{value: AMOUNT}(req, "");
        req.destinationAsset = address(0);
        req.beneficiary = opener; // not the lane's liquidity provider: would get the escrow back AND B's release
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowLaneClosed.selector, CHAIN_B, address(0), address(0))
        );
        cA.open{value: AMOUNT}(req, "");
        req.maxValue = 0; // releasing nothing on B needs no lane
        cA.open{value: AMOUNT}(req, "");
    }

    function test_Open_RevertWhen_WrongValue() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongValue.selector, AMOUNT, AMOUNT - 1));
        cA.open{value: AMOUNT - 1}(req, "");
    }

    // ------------------------------------------------------------------ the A clock never decides

    function test_Settle_RevertGiven_NoOutcome_EvenFarPastDeadlineOnA() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.warp(flow.deadline + 3650 days);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.LOCKED));
        cA.settle(flow);
        assertEq(cA.lockedTotal(address(0)), AMOUNT);
        _assertPhaseA(id, FlowLib.Phase.LOCKED);
    }

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

    // ------------------------------------------------------------------ settlement and payouts

    function test_Settle_Executed_CreditsBeneficiaryAndFee_Once() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.executionFee = 0.03 ether;
        req.ackFee = 0.02 ether;
        req.timeoutFee = 0.07 ether; // escrow = max(0.05, 0.07) = 0.07; EXECUTED earns 0.05, refunds 0.02
        req.feeRecipient = feeRecipient;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        _deliverA(_deliverB(message));
        _deliverA(_export(flow)); // a second copy changes nothing
        vm.prank(stranger);
        cA.settle(flow); // idempotent
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
        assertEq(cA.owed(feeRecipient, address(0)), 0.05 ether);
        assertEq(cA.lockedTotal(address(0)), 0);
        assertEq(cA.claim(beneficiary, address(0)), AMOUNT);
        assertEq(beneficiary.balance, AMOUNT);
        cA.claim(feeRecipient, address(0));
        assertEq(feeRecipient.balance, 0.05 ether);
        assertEq(cA.owed(refundTo, address(0)), 0.02 ether, "unused fee escrow refunded");
        cA.claim(refundTo, address(0));
        assertEq(address(cA).balance, 0);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowNothingToClaim.selector, beneficiary, address(0)));
        cA.claim(beneficiary, address(0));
    }

    /// @dev Fee conservation per outcome: escrow = max(exec + ack, timeout) + bumps = paid + refunded.
    function test_Fees_ConservedPerOutcome() public {
        for (uint256 outcome = 0; outcome < 4; ++outcome) {
            FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
            req.executionFee = 0.03 ether;
            req.ackFee = 0.01 ether;
            req.timeoutFee = 0.025 ether;
            req.feeRecipient = feeRecipient;
            req.abortOnFail = true;
            target.setMode(outcome == 1 ? FlowTargetMock.Mode.REVERT : FlowTargetMock.Mode.ACCEPT);
            (, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
            vm.deal(stranger, 1 ether);
            vm.prank(stranger);
            cA.bumpFees{value: 0.005 ether}(flow);
            bytes memory ack;
            if (outcome <= 1) {
                ack = _deliverB(message); // 0: EXECUTED, 1: FAILED
            } else if (outcome == 2) {
                tB = flow.deadline + 1;
                ack = _expireB(flow); // EXPIRED
            } else {
                ack = _deliverB(_cancel(flow)); // CANCELLED
            }
            uint256 paidBefore = cA.owed(feeRecipient, address(0));
            uint256 refundBefore = cA.owed(refundTo, address(0));
            _deliverA(ack);
            uint256 paid = cA.owed(feeRecipient, address(0)) - paidBefore;
            uint256 refunded = cA.owed(refundTo, address(0)) - refundBefore - (outcome == 0 ? 0 : AMOUNT);
            uint256 earned = outcome <= 1 ? 0.04 ether : 0.025 ether;
            assertEq(paid, earned + 0.005 ether, "fee paid");
            assertEq(paid + refunded, 0.04 ether + 0.005 ether, "fee conserved");
            assertEq(cA.lockedTotal(address(0)), 0);
            tA += 1 hours;
            tB = tA;
        }
        assertEq(address(cA).balance, cA.owedTotal(address(0)));
    }

    function test_BumpFees_RevertGiven_NotLocked_OrZero() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.feeRecipient = feeRecipient;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowZeroBump.selector, id));
        cA.bumpFees(flow);
        cA.bumpFees{value: 1}(flow);
        assertEq(cA.record(id).bumped, 1);
        _deliverA(_deliverB(message));
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.SETTLED));
        cA.bumpFees{value: 1}(flow);
    }

    function test_BumpFees_RevertWhen_NoFeeRecipient() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowBumpWithoutFeeRecipient.selector, id));
        cA.bumpFees{value: 1}(flow);
    }

    function test_Settle_Failed_RefundsOnce() public {
        target.setMode(FlowTargetMock.Mode.REVERT);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.abortOnFail = true;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        _deliverA(_deliverB(message));
        _deliverA(_export(flow));
        cA.settle(flow);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
        cA.claim(refundTo, address(0));
        assertEq(refundTo.balance, AMOUNT);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
    }

    function test_Settle_Cancelled() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        _deliverA(_deliverB(_cancel(flow)));
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
    }

    function test_Claim_ReentrantPayee_PaysOnce() public {
        ReentrantPayee payee = new ReentrantPayee();
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.refundTo = address(payee);
        (, FlowLib.Flow memory flow,) = _open(req, "x");
        tB = flow.deadline + 1;
        _deliverA(_expireB(flow));
        payee.arm(cA, flow);
        cA.claim(address(payee), address(0));
        assertEq(address(payee).balance, AMOUNT);
        assertEq(payee.receipts(), 1);
        assertEq(payee.reentrySuccesses(), 0);
        assertEq(address(cA).balance, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IFlowEscrow.FlowEscrowNothingToClaim.selector, address(payee), address(0))
        );
        cA.claim(address(payee), address(0));
    }

    function test_Claim_RevertingPayee_CreditKept_NeverPaidTwice() public {
        RevertingPayee payee = new RevertingPayee();
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.refundTo = address(payee);
        (bytes32 id, FlowLib.Flow memory flow,) = _open(req, "x");
        tB = flow.deadline + 1;
        _deliverA(_expireB(flow)); // settlement never calls the payee
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        vm.expectRevert(bytes("no"));
        cA.claim(address(payee), address(0));
        assertEq(cA.owed(address(payee), address(0)), AMOUNT);
        assertEq(cA.owedTotal(address(0)), AMOUNT);
        cA.settle(flow);
        assertEq(cA.owed(address(payee), address(0)), AMOUNT);
        assertEq(address(cA).balance, AMOUNT);
    }

    function test_Settle_RevertGiven_Unknown() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        flow.amount = 0; // another id
        id = keccak256(abi.encode(flow));
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.NONE));
        cA.settle(flow);
    }

    // ------------------------------------------------------------------ cancel

    function test_Cancel_RevertWhen_NotOpener() public {
        (, FlowLib.Flow memory flow,) = _openDefault();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowNotOpener.selector, stranger));
        cA.cancel(flow);
    }

    function test_Cancel_RevertGiven_Settled() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverA(_deliverB(message));
        vm.prank(opener);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.SETTLED));
        cA.cancel(flow);
    }

    function test_Cancel_RevertWhen_ForgedFromUntrustedSender() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        bytes memory forged = _forge(CHAIN_A, stranger, CHAIN_B, address(cB), FlowLib.encodeCancel(flow));
        _deliverB(forged);
        _assertGatewayStatus(gwB, forged, IConcordGateway.MessageStatus.FAILED);
        _assertStatusB(id, FlowLib.Status.NONE);
    }

    // ------------------------------------------------------------------ admin

    function test_Admin_RevertWhen_NotAuthority() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setRemote(CHAIN_C, stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setMaxHorizon(1);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cB.withdrawLiquidity(address(0), stranger, 1);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setLane(CHAIN_B, address(0), address(0), address(0));
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        cA.setGasOracle(IGasOracle(address(0)));
        vm.stopPrank();
    }

    function test_Admin_RevertWhen_InvalidConfig() public {
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRemoteDomain.selector, CHAIN_A));
        cA.setRemote(CHAIN_A, stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRemoteDomain.selector, uint32(0)));
        cA.setRemote(0, stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidMaxHorizon.selector, uint64(0)));
        cA.setMaxHorizon(0);
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointInvalidRemoteDomain.selector, CHAIN_A));
        cA.setLane(CHAIN_A, address(0), address(0), stranger);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowGasOracleNotContract.selector, stranger));
        cA.setGasOracle(IGasOracle(stranger));
        vm.expectRevert(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointGatewayNotContract.selector, stranger));
        new FlowEscrow(stranger, CHAIN_A, address(manager), HORIZON);
        vm.expectRevert(IFlowEndpoint.FlowEndpointZeroDomain.selector);
        new FlowEscrow(address(gwA), 0, address(manager), HORIZON);
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidMaxHorizon.selector, uint64(0)));
        new FlowEscrow(address(gwA), CHAIN_A, address(manager), 0);
    }

    /// @dev A holds exactly its escrow and credits (B's liquidity lives in B's executor).
    function test_Escrow_HoldsOnlyEscrowAndCredits() public {
        _openDefault();
        assertEq(cA.lockedTotal(address(0)), address(cA).balance);
        assertEq(cA.owedTotal(address(0)), 0);
    }

    // ------------------------------------------------------------------ helpers

    function _copy(FlowLib.Flow memory f) internal pure returns (FlowLib.Flow memory c) {
        c = abi.decode(abi.encode(f), (FlowLib.Flow));
    }

    function _slice(bytes memory b, uint256 start, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i = 0; i < len; ++i) {
            out[i] = b[start + i];
        }
    }
}
