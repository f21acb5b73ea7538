// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {FlowExecutor} from "../../../contracts/coordination/FlowExecutor.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {IFlowTarget} from "../../../contracts/interfaces/IFlowTarget.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {HlFlowTarget} from "../HyperlaneAdapter/HyperlaneAdapter.flows.t.sol";
import {LayerZeroAdapterBase} from "./LayerZeroAdapterBase.sol";

/// @notice Issue 16: a Concord flow whose both legs travel over the LayerZero adapters and LayerZero's contracts:
/// `FlowEscrow` on A and `FlowExecutor` on B use the adapters as their (primary) gateways. They send with no value,
/// so each is a sponsored sender of its adapter, whose sponsor balance is funded. The EXECUTE leg goes A -> B; B's
/// decision sends the OUTCOME B -> A from inside the EXECUTE's delivery (or from `expire`), which settles A on arrival.
/// Two clocks: each step warps to the clock of the domain it touches (B's clock alone decides).
contract LayerZeroAdapterFlowsTest is LayerZeroAdapterBase {
    uint64 internal constant HORIZON = 7 days;
    uint256 internal constant AMOUNT = 1 ether;
    /// @dev The executor on B sends the OUTCOME from inside the EXECUTE's delivery, out of the gas left by the target
    /// (`executionGas` + the escrow's overhead toward B). A LayerZero send costs more than Concord gateway's, and the
    /// test kit's SendUln302 copy also writes the whole packet into the kit's queue (about 20 fresh slots for an
    /// OUTCOME; 900,000 was measured too little here): the escrow's authority sets the overhead toward B to
    /// `LZ_KIT_OVERHEAD` (`setExecuteGasOverhead`), and the flows ask only for what their target needs.
    uint32 internal constant EXEC_GAS = 100_000;
    uint32 internal constant LZ_KIT_OVERHEAD = 1_000_000;

    FlowEscrow internal escrow;
    FlowExecutor internal executor;
    HlFlowTarget internal target;

    address internal opener = makeAddr("opener");
    address internal refundTo = makeAddr("refundTo");
    address internal beneficiary = makeAddr("beneficiary");
    uint256 internal tA = 1_700_000_000;
    uint256 internal tB = 1_700_000_000;

    function setUp() public override {
        super.setUp();
        escrow = new FlowEscrow(address(aA), CHAIN_A, address(manager), HORIZON);
        executor = new FlowExecutor(address(aB), CHAIN_B, address(manager), 2 * HORIZON);
        escrow.setRemote(CHAIN_B, address(executor));
        executor.setRemote(CHAIN_A, address(escrow));
        escrow.setLane(CHAIN_B, address(0), address(0), beneficiary);
        escrow.setExecuteGasOverhead(CHAIN_B, LZ_KIT_OVERHEAD);
        executor.setLane(CHAIN_A, address(0), address(0), beneficiary);
        aA.setSponsoredSender(address(escrow), true);
        aB.setSponsoredSender(address(executor), true);
        aA.fund{value: 10 ether}();
        aB.fund{value: 10 ether}();
        target = new HlFlowTarget();
        vm.deal(address(executor), 100 ether); // B-side liquidity
        vm.deal(opener, 100 ether);
    }

    function _request(uint64 deadline) internal view returns (FlowLib.Flow memory f) {
        f.destinationDomain = CHAIN_B;
        f.executor = address(executor);
        f.target = address(target);
        f.amount = AMOUNT;
        f.maxValue = AMOUNT;
        f.deadline = deadline;
        f.executionGas = EXEC_GAS;
        f.refundTo = refundTo;
        f.beneficiary = beneficiary;
    }

    /// @dev Opens `req` on A at A's clock; returns the flow id, the opened flow and the captured EXECUTE.
    function _open(FlowLib.Flow memory req) internal returns (bytes32 id, FlowLib.Flow memory flow, uint256 execute) {
        vm.warp(tA);
        vm.recordLogs();
        vm.prank(opener);
        (id, flow) = escrow.open{value: AMOUNT}(req, "order");
        assertEq(_lzCapture(), 1, "EXECUTE dispatched on A");
        execute = _lzLast();
        assertEq(_lzEnvelope(execute).gasLimit, EXEC_GAS + LZ_KIT_OVERHEAD);
    }

    /// @dev Relays the EXECUTE on B at B's clock; returns the OUTCOME B dispatched in the same transaction.
    function _deliverB(uint256 execute) internal returns (uint256 outcome) {
        vm.warp(tB);
        vm.recordLogs();
        _lzRelay(execute);
        assertEq(_lzCapture(), 1, "OUTCOME dispatched on B with the decision");
        outcome = _lzLast();
        _assertStatus(aB, CHAIN_A, address(aA), execute, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev Relays the OUTCOME on A at A's clock.
    function _deliverA(uint256 outcome) internal {
        vm.warp(tA);
        _lzVerify(outcome);
        _executeA(outcome);
    }

    /// @dev Executes the verified OUTCOME on A at A's clock (the endpoint call is the first call made).
    function _executeA(uint256 outcome) internal {
        vm.warp(tA);
        _lzExecute(outcome);
        _assertStatus(aA, CHAIN_B, address(aB), outcome, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev Executed on B from B's liquidity; the OUTCOME leaves B with the execution and settles A on arrival: the
    /// escrow is owed to the lane's beneficiary (who fronted the value on B).
    function test_Flow_ExecutedOnB_SettledOnA() public {
        (bytes32 id,, uint256 execute) = _open(_request(uint64(tA + 1 hours)));
        assertEq(address(escrow).balance, AMOUNT, "escrowed on A");
        tB += 10 minutes;
        uint256 outcome = _deliverB(execute);
        assertEq(uint8(executor.record(id).status), uint8(FlowLib.Status.EXECUTED));
        assertEq(target.executions(), 1);
        assertEq(target.received(), AMOUNT, "released on B");
        tA += 20 minutes;
        _lzVerify(outcome);
        vm.expectEmit(address(escrow));
        emit IFlowEscrow.FlowFinalized(id, beneficiary, AMOUNT, 0, 0);
        _executeA(outcome);
        assertEq(uint8(escrow.record(id).phase), uint8(FlowLib.Phase.SETTLED));
        assertEq(uint8(escrow.record(id).outcome), uint8(FlowLib.Status.EXECUTED));
        assertEq(escrow.claim(beneficiary, address(0)), AMOUNT);
        assertEq(beneficiary.balance, AMOUNT);
    }

    /// @dev The target fails on B (abort on failure): FAILED is decided on B, its OUTCOME compensates the opener on A
    /// (the escrow refunded to `refundTo`); nothing was released on B.
    function test_Flow_FailedOnB_CompensatedOnA() public {
        target.setRefuse(true);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.abortOnFail = true;
        (bytes32 id,, uint256 execute) = _open(req);
        uint256 outcome = _deliverB(execute);
        assertEq(uint8(executor.record(id).status), uint8(FlowLib.Status.FAILED));
        assertEq(address(executor).balance, 100 ether, "nothing released on B");
        _deliverA(outcome);
        assertEq(uint8(escrow.record(id).phase), uint8(FlowLib.Phase.SETTLED));
        assertEq(uint8(escrow.record(id).outcome), uint8(FlowLib.Status.FAILED));
        assertEq(escrow.owed(refundTo, address(0)), AMOUNT, "compensated");
        assertEq(escrow.owed(beneficiary, address(0)), 0);
        escrow.claim(refundTo, address(0));
        assertEq(refundTo.balance, AMOUNT);
    }

    /// @dev The EXECUTE reaches B after the deadline by B's clock (A's clock is behind: it does not matter): EXPIRED is
    /// decided on B, never executed; its OUTCOME refunds A.
    function test_Flow_ExpiredOnBsClock_RefundedOnA() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        (bytes32 id, FlowLib.Flow memory flow, uint256 execute) = _open(req);
        tB = flow.deadline + 1;
        tA = flow.deadline - 10 minutes; // A still thinks the flow is live
        uint256 outcome = _deliverB(execute);
        assertEq(uint8(executor.record(id).status), uint8(FlowLib.Status.EXPIRED));
        assertEq(target.executions(), 0);
        _deliverA(outcome);
        assertEq(uint8(escrow.record(id).outcome), uint8(FlowLib.Status.EXPIRED));
        assertEq(escrow.owed(refundTo, address(0)), AMOUNT);
    }

    /// @dev Expired by anyone on B (`expire`, after the deadline on B's clock) before the EXECUTE arrives; the OUTCOME
    /// leaves B with the expiry and refunds A; the late EXECUTE is then consumed without running.
    function test_Flow_ExpireCalledOnB_ThenLateExecuteIgnored() public {
        (bytes32 id, FlowLib.Flow memory flow, uint256 execute) = _open(_request(uint64(tA + 1 hours)));
        tB = flow.deadline + 1;
        vm.warp(tB);
        vm.recordLogs();
        vm.prank(stranger);
        executor.expire(flow);
        assertEq(_lzCapture(), 1, "OUTCOME dispatched by expire");
        uint256 outcome = _lzLast();
        _deliverA(outcome);
        assertEq(escrow.owed(refundTo, address(0)), AMOUNT);

        vm.warp(tB);
        _lzVerify(execute);
        vm.expectEmit(address(executor));
        emit IFlowExecutor.FlowMessageIgnored(id, FlowLib.EXECUTE, FlowLib.Status.EXPIRED);
        _lzExecute(execute);
        assertEq(target.executions(), 0);
        _assertStatus(aB, CHAIN_A, address(aA), execute, IConcordAdapter.MessageStatus.EXECUTED);
    }
}
