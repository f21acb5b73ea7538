// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice `FlowExecutor.exportOutcome`: re-sends a decided flow's OUTCOME, any number of times, only to a
/// trusted origin.
contract FlowExecutor_exportOutcome is CoordinationBase {
    function test_Export_RevertGiven_NotTerminal() public {
        (bytes32 id, FlowLib.Flow memory flow,) = _openDefault();
        vm.expectRevert(abi.encodeWithSelector(IFlowExecutor.FlowExecutorWrongStatus.selector, id, FlowLib.Status.NONE));
        cB.exportOutcome(flow, 0);
    }

    function test_Export_RevertWhen_OriginNotTrusted() public {
        (, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverB(message);
        cB.setRemote(CHAIN_A, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IFlowExecutor.FlowExecutorUntrustedEscrow.selector, CHAIN_A, address(cA))
        );
        cB.exportOutcome(flow, 0);
    }

    function test_Export_Repeatable() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        _deliverB(message);
        bytes memory ack1 = _export(flow);
        bytes memory ack2 = _export(flow);
        assertTrue(keccak256(ack1) != keccak256(ack2)); // distinct messages (nonces), same attested outcome
        _deliverA(ack2);
        _deliverA(ack1);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
    }
}
