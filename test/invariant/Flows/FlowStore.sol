// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {FlowExecutor} from "../../../contracts/coordination/FlowExecutor.sol";
import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {FlowTargetMock} from "../../coordination/CoordinationBase.t.sol";
import {GhostStore} from "../../harness/GhostStore.sol";

/// @notice TEST ONLY: ghost state of the Flows suite (the flows opened, every message captured, claims paid) and
/// the I5 property checker shared by the invariant suite and the broken-variant unit test.
contract FlowStore is GhostStore {
    FlowLib.Flow[] internal _flows;
    bytes[] public executeMessages;
    bytes[] public cancelMessages;
    bytes[] public outcomeMessages;
    /// @dev Whether `outcomeMessages[i]` was sent over acknowledgement route 2 (else the primary gateway).
    bool[] public outcomeViaRoute;
    /// @dev Native paid out by `claim`, per account.
    mapping(address account => uint256 amount) public claimed;
    uint256 public totalClaimed;

    function addFlow(FlowLib.Flow memory flow, bytes memory executeMessage) external {
        _flows.push(flow);
        executeMessages.push(executeMessage);
    }

    function addCancel(bytes memory message) external {
        cancelMessages.push(message);
    }

    function addOutcome(bytes memory message, bool viaRoute) external {
        outcomeMessages.push(message);
        outcomeViaRoute.push(viaRoute);
    }

    function addClaim(address account, uint256 amount) external {
        claimed[account] += amount;
        totalClaimed += amount;
    }

    function flowCount() external view returns (uint256) {
        return _flows.length;
    }

    function flowAt(uint256 i) external view returns (FlowLib.Flow memory) {
        return _flows[i];
    }

    function cancelCount() external view returns (uint256) {
        return cancelMessages.length;
    }

    function outcomeCount() external view returns (uint256) {
        return outcomeMessages.length;
    }

    /// @notice Checks I5 and the accounting properties over every flow; returns "" or the first violation.
    /// @dev Per flow: (1) never executed on B and compensated on A; (2) released on B + compensated on A <= locked
    /// on A; (3) at most one execution; (4) an acknowledged outcome equals B's status. Globally: (5) A's
    /// `lockedTotal` equals the sum of unsettled flows and the escrow is backed by the balance; (6) credits plus
    /// claims equal the settled sum (one payout per flow).
    function check(FlowEscrow a, FlowExecutor b, FlowTargetMock target) external view returns (string memory) {
        uint256 unsettled;
        uint256 settled;
        for (uint256 i = 0; i < _flows.length; ++i) {
            FlowLib.Flow memory flow = _flows[i];
            bytes32 id = keccak256(abi.encode(flow));
            IFlowEscrow.Record memory rec = a.record(id);
            FlowLib.Status statusB = b.record(id).status;
            uint256 executions = target.executions(id);
            bool executedOnB = executions != 0 || statusB == FlowLib.Status.EXECUTED;
            bool compensatedOnA = rec.phase == FlowLib.Phase.SETTLED && rec.outcome != FlowLib.Status.EXECUTED;
            if (executedOnB && compensatedOnA) return "I5: executed on B and compensated on A";
            uint256 released = target.received(id);
            if (released + (compensatedOnA ? flow.amount : 0) > flow.amount) {
                return "I5: released on B + compensated on A > locked on A";
            }
            if (executions > 1) return "at most one execution per flow";
            if (executions == 1 && statusB != FlowLib.Status.EXECUTED) {
                return "executed target but status not EXECUTED";
            }
            if (
                (rec.phase == FlowLib.Phase.ACKNOWLEDGED || rec.phase == FlowLib.Phase.SETTLED)
                    && rec.outcome != statusB
            ) return "acknowledged outcome differs from B";
            if (rec.phase == FlowLib.Phase.LOCKED || rec.phase == FlowLib.Phase.ACKNOWLEDGED) {
                unsettled += flow.amount + FlowLib.feeEscrow(flow) + rec.bumped;
            } else if (rec.phase == FlowLib.Phase.SETTLED) {
                settled += flow.amount + FlowLib.feeEscrow(flow) + rec.bumped;
            } else {
                return "opened flow without record";
            }
        }
        if (a.lockedTotal(address(0)) != unsettled) return "escrow != unsettled sum";
        if (a.owedTotal(address(0)) + totalClaimed != settled) return "credits + claims != settled sum";
        if (address(a).balance < a.lockedTotal(address(0)) + a.owedTotal(address(0))) {
            return "escrow not backed by balance";
        }
        return "";
    }
}
