// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";

import {FlowEscrow} from "../../contracts/coordination/FlowEscrow.sol";
import {FlowExecutor} from "../../contracts/coordination/FlowExecutor.sol";
import {HopGuardEmitter} from "../../contracts/coordination/examples/HopGuardEmitter.sol";
import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "./CoordinationBase.t.sol";

/// @notice A -> B -> C over three real gateways: a parent flow A -> B guarded by the child flow B -> C. B runs both
/// roles: the parent's executor (`cB`) and the child's escrow (`eB`); C runs the child's executor (`xC`).
contract FlowMultiHopTest is CoordinationBase {
    ConcordGateway internal gwC;
    FlowEscrow internal eB;
    FlowExecutor internal xC;
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
        eB = _deployEscrow(gwB, CHAIN_B);
        xC = new FlowExecutor(address(gwC), CHAIN_C, address(manager), ROUTE_DELAY_B);
        eB.setRemote(CHAIN_C, address(xC));
        xC.setRemote(CHAIN_B, address(eB));
        _lane(eB, CHAIN_C, xC, address(0), address(0), operator);
        hopC = new HopGuardEmitter(address(xC), address(gwC));
        vm.deal(address(xC), LIQUIDITY);
        vm.deal(operator, 10 ether);
    }

    function _parent() internal returns (bytes32 id, FlowLib.Flow memory flow, bytes memory message) {
        FlowLib.Flow memory req = _request(uint64(tA + 2 hours));
        req.guardDomain = CHAIN_C;
        req.guardEmitter = address(hopC);
        req.guardKey = KEY;
        return _open(req, "parent");
    }

    function _child() internal returns (bytes32 id, FlowLib.Flow memory flow, bytes memory message) {
        FlowLib.Flow memory req;
        req.destinationDomain = CHAIN_C;
        req.executor = address(xC);
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
        (id, flow) = eB.open{value: AMOUNT}(req, abi.encode(KEY, CHAIN_B, address(cB)));
        message = _lastDispatched();
    }

    function _atC() internal {
        vm.warp(tC);
    }

    /// @dev Every `Dispatched` message in the recorded logs, in order.
    function _allDispatched() internal returns (bytes[] memory messages) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        messages = new bytes[](logs.length);
        uint256 n;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IConcordGateway.Dispatched.selector) {
                messages[n++] = abi.decode(logs[i].data, (bytes));
            }
        }
        assembly ("memory-safe") {
            mstore(messages, n)
        }
    }

    function test_MultiHop_ChildExecuted_ParentExecutes() public {
        (bytes32 pId, FlowLib.Flow memory parent, bytes memory pMsg) = _parent();
        _deliverB(pMsg);
        _assertStatusB(pId, FlowLib.Status.PENDING); // waits for C
        (bytes32 cId,, bytes memory cMsg) = _child();
        _atC();
        vm.recordLogs();
        gwC.process("", cMsg);
        assertEq(uint8(xC.record(cId).status), uint8(FlowLib.Status.EXECUTED));
        // the child's execution on C sent the GUARD (by its target) and the child's OUTCOME (by C's executor)
        bytes[] memory sent = _allDispatched();
        assertEq(sent.length, 2);
        _deliverB(sent[0]); // GUARD
        _deliverB(sent[1]); // child OUTCOME: settles the hop on B
        assertEq(uint8(eB.record(cId).phase), uint8(FlowLib.Phase.SETTLED));
        assertEq(eB.owed(operator, address(0)), AMOUNT);
        vm.recordLogs();
        cB.retryExecution(parent, "parent");
        _assertStatusB(pId, FlowLib.Status.EXECUTED);
        // the parent's OUTCOME settles A
        _deliverA(_lastDispatched());
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
        _assertPhaseA(pId, FlowLib.Phase.SETTLED);
    }

    function test_MultiHop_ChildExpired_CompensatesBThenA_OnceEach() public {
        (bytes32 pId, FlowLib.Flow memory parent, bytes memory pMsg) = _parent();
        _deliverB(pMsg);
        (bytes32 cId, FlowLib.Flow memory child,) = _child(); // EXECUTE to C is lost
        // C: the child expires after its deadline; expiring sends the OUTCOME
        tC = child.deadline + 1;
        _atC();
        vm.recordLogs();
        xC.expire(child);
        bytes memory childOutcome = _lastDispatched();
        // B's escrow compensates its own hop on the outcome's arrival, once (a re-export is ignored)
        tB = child.deadline + 2;
        _deliverB(childOutcome);
        _atC();
        vm.recordLogs();
        xC.exportOutcome(child, 0);
        _deliverB(_lastDispatched());
        assertEq(eB.owed(operator, address(0)), AMOUNT, "B hop refunded once");
        // the parent never got its guard: it expires on B after its own deadline, which compensates A
        _atB();
        cB.retryExecution(parent, "parent");
        _assertStatusB(pId, FlowLib.Status.PENDING);
        tB = parent.deadline + 1;
        _deliverA(_expireB(parent));
        _deliverA(_export(parent));
        assertEq(cA.owed(refundTo, address(0)), AMOUNT, "A refunded once");
        assertEq(target.executions(pId), 0);
        assertEq(uint8(xC.record(cId).status), uint8(FlowLib.Status.EXPIRED));
        assertEq(address(hopC).balance, 0);
    }
}
