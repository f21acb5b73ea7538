// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../../coordination/CoordinationBase.t.sol";
import {BrokenFlowEscrow} from "./BrokenFlowEscrow.sol";
import {FlowStore} from "./FlowStore.sol";

/// @notice The property checker of the Flows suite catches an escrow that refunds on A's own clock: an on-time
/// execution whose OUTCOME is slow is refunded too (double spend). The same scenario against the real escrow is
/// test_SlowAck_ExecutedOnTime_NeverRefunded (test/coordination/FlowEscrow/outcome.t.sol).
contract FlowsBrokenTest is CoordinationBase {
    FlowStore internal store;

    function setUp() public override {
        super.setUp();
        store = new FlowStore();
    }

    function _deployEscrow(ConcordGateway gw, uint32 domain) internal override returns (FlowEscrow) {
        return new BrokenFlowEscrow(address(gw), domain, address(manager), HORIZON);
    }

    function test_BrokenClockRefund_FailsDoubleSpendProperty() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        store.addFlow(flow, message);
        assertEq(store.check(cA, cB, target), "", "clean before");

        // B executes at exactly T (its OUTCOME is slow to arrive)
        tB = flow.deadline;
        bytes memory outcome = _deliverB(message);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(store.check(cA, cB, target), "", "clean after execution");

        // A's clock passes T + grace and the broken escrow refunds
        tA = flow.deadline + 2 hours;
        _atA();
        cA.settle(flow);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
        // the late OUTCOME is ignored: the flow is already settled
        _deliverA(outcome);

        // value left B (1 ether to the target) AND A refunded 1 ether: the checker reports the double spend
        assertEq(target.received(id), AMOUNT);
        assertEq(store.check(cA, cB, target), "I5: executed on B and compensated on A");
    }

    /// @dev Without the bug, the same sequence is rejected at the compensation step.
    function test_BrokenVariant_OnlyTheClockPathDiffers() public {
        (, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        store.addFlow(flow, message);
        tB = flow.deadline;
        _deliverB(message);
        tA = flow.deadline + 30 minutes; // within the broken grace: still refused
        _atA();
        vm.expectRevert();
        cA.settle(flow);
        assertEq(store.check(cA, cB, target), "");
    }
}
