// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FlowCoordinator} from "../../contracts/coordination/FlowCoordinator.sol";
import {HopGuardEmitter} from "../../contracts/coordination/examples/HopGuardEmitter.sol";
import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {CoordinatorBase} from "./CoordinatorBase.t.sol";

/// @notice A -> B -> C over three real gateways: a parent flow A -> B guarded by the child flow B -> C.
contract Coordinator_multihop is CoordinatorBase {
    ConcordGateway internal gwC;
    FlowCoordinator internal cC;
    HopGuardEmitter internal hopC;
    address internal operator = makeAddr("operator"); // runs the B -> C hop with its own funds on B
    bytes32 internal constant KEY = keccak256("parent hop key");
    uint256 internal tC = 1_700_000_000;

    function setUp() public override {
        super.setUp();
        gwC = new ConcordGateway(CHAIN_C, address(manager), 200_000, 8192);
        _route(gwC, CHAIN_B, address(gwB));
        // CHAIN_C's real gateway replaces the placeholder route of the base fixture.
        _route(gwB, CHAIN_C, address(gwC));
        cC = _deployCoordinator(gwC, CHAIN_C);
        cB.setTrustedRemote(CHAIN_C, address(cC));
        cC.setTrustedRemote(CHAIN_B, address(cB));
        _lane(cB, CHAIN_C, cC, address(0), address(0), operator);
        hopC = new HopGuardEmitter(address(cC), address(gwC));
        vm.deal(address(cC), LIQUIDITY);
        vm.deal(operator, 10 ether);
    }

    function _parent() internal returns (bytes32 id, FlowLib.Flow memory flow, bytes memory message) {
        FlowLib.Flow memory req = _request(uint64(tA + 2 hours));
        req.guardChain = CHAIN_C;
        req.guardEmitter = address(hopC);
        req.guardKey = KEY;
        return _open(req, "parent");
    }

    function _child() internal returns (bytes32 id, FlowLib.Flow memory flow, bytes memory message) {
        FlowLib.Flow memory req;
        req.destinationChain = CHAIN_C;
        req.destinationCoordinator = address(cC);
        req.target = address(hopC);
        req.amount = AMOUNT;
        req.maxValue = AMOUNT;
        req.deadline = uint64(tB + 1 hours);
        req.executionGas = 300_000;
        req.refundTo = operator;
        req.beneficiary = operator;
        _atB();
        vm.recordLogs();
        vm.prank(operator);
        (id, flow) = cB.open{value: AMOUNT}(req, abi.encode(KEY, CHAIN_B, address(cB)));
        message = _lastDispatched();
    }

    function _atC() internal {
        vm.warp(tC);
    }

    function test_MultiHop_ChildExecuted_ParentExecutes() public {
        (bytes32 pId, FlowLib.Flow memory parent, bytes memory pMsg) = _parent();
        _deliverB(pMsg);
        _assertStatusB(pId, FlowLib.Status.PENDING); // waits for C
        (bytes32 cId, FlowLib.Flow memory child, bytes memory cMsg) = _child();
        _atC();
        vm.recordLogs();
        gwC.process("", cMsg);
        assertEq(uint8(cC.destinationRecord(cId).status), uint8(FlowLib.Status.EXECUTED));
        bytes memory guardMsg = _lastDispatched();
        _deliverB(guardMsg);
        cB.retryExecution(parent, "parent");
        _assertStatusB(pId, FlowLib.Status.EXECUTED);
        // acknowledgements flow back hop by hop
        _atC();
        vm.recordLogs();
        cC.exportOutcome(child);
        _deliverB(_lastDispatched());
        cB.finalize(child);
        _deliverA(_export(parent));
        cA.finalize(parent);
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
        assertEq(cB.owed(operator, address(0)), AMOUNT);
    }

    function test_MultiHop_ChildExpired_CompensatesBThenA_OnceEach() public {
        (bytes32 pId, FlowLib.Flow memory parent, bytes memory pMsg) = _parent();
        _deliverB(pMsg);
        (bytes32 cId, FlowLib.Flow memory child,) = _child(); // EXECUTE to C is lost
        // C: the child expires after its deadline and C attests it
        tC = child.deadline + 1;
        _atC();
        cC.expire(child);
        vm.recordLogs();
        cC.exportOutcome(child);
        bytes memory childAck = _lastDispatched();
        // B compensates its own hop first
        tB = child.deadline + 2;
        _deliverB(childAck);
        cB.compensate(child);
        cB.compensate(child);
        assertEq(cB.owed(operator, address(0)), AMOUNT, "B hop refunded once");
        // the parent never got its guard: it expires on B after its own deadline, then A compensates
        _atB();
        cB.retryExecution(parent, "parent");
        _assertStatusB(pId, FlowLib.Status.PENDING);
        tB = parent.deadline + 1;
        _expireB(parent);
        _deliverA(_export(parent));
        cA.compensate(parent);
        cA.compensate(parent);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT, "A refunded once");
        assertEq(target.executions(pId), 0);
        assertEq(uint8(cC.destinationRecord(cId).status), uint8(FlowLib.Status.EXPIRED));
        assertEq(address(hopC).balance, 0);
    }
}
