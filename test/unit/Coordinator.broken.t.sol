// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FlowCoordinator} from "../../contracts/coordination/FlowCoordinator.sol";
import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {BrokenFlowCoordinator} from "../invariant/Flows/BrokenFlowCoordinator.sol";
import {FlowStore} from "../invariant/Flows/FlowStore.sol";
import {CoordinatorBase} from "./CoordinatorBase.t.sol";

/// @notice The property checker of the Flows suite catches a coordinator that refunds on A's own clock: an on-time
/// execution whose acknowledgement is slow is refunded too (double spend). The same scenario against the real
/// coordinator is test_SlowAck_ExecutedOnTime_NeverRefunded (Coordinator.origin.t.sol).
contract Coordinator_broken is CoordinatorBase {
    FlowStore internal store;

    function setUp() public override {
        super.setUp();
        store = new FlowStore();
    }

    function _deployCoordinator(ConcordGateway gw, uint32 chain) internal override returns (FlowCoordinator) {
        if (chain == CHAIN_A) return new BrokenFlowCoordinator(address(gw), chain, address(manager), HORIZON);
        return super._deployCoordinator(gw, chain);
    }

    function test_BrokenClockRefund_FailsDoubleSpendProperty() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        store.addFlow(flow, message);
        assertEq(store.check(cA, cB, target), "", "clean before");

        // B executes at exactly T
        tB = flow.deadline;
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        assertEq(store.check(cA, cB, target), "", "clean after execution");

        // the acknowledgement is slow; A's clock passes T + grace and the broken coordinator refunds
        tA = flow.deadline + 2 hours;
        _atA();
        cA.compensate(flow);
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);

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
        cA.compensate(flow);
        assertEq(store.check(cA, cB, target), "");
    }
}
