// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {IFlowExecutor} from "../../../contracts/interfaces/IFlowExecutor.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice Conditional execution: a flow whose target runs on B only after B's gateway delivered a GUARD message
/// with the flow's key from (guard chain, guard emitter).
contract FlowExecutor_guard is CoordinationBase {
    address internal emitter = makeAddr("emitter");
    bytes32 internal constant KEY = keccak256("order #42 paid on A");

    function _guardedFlow() internal returns (bytes32, FlowLib.Flow memory, bytes memory) {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.guardDomain = CHAIN_A;
        req.guardEmitter = emitter;
        req.guardKey = KEY;
        return _open(req, "x");
    }

    /// @dev `from` on chain A sends a GUARD message with `key` to B's executor through A's real gateway.
    function _guardMessage(address from, bytes32 key) internal returns (bytes memory) {
        _atA();
        vm.recordLogs();
        vm.prank(from);
        gwA.sendMessage(
            InteroperableAddress.formatEvmV1(CHAIN_B, address(cB)), FlowLib.encodeGuard(key), new bytes[](0)
        );
        return _lastDispatched();
    }

    function test_Guard_PendingUntilSatisfied_ThenRuns() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _guardedFlow();
        vm.expectEmit(address(cB));
        emit IFlowExecutor.FlowGuardPending(id, FlowLib.guardId(CHAIN_A, emitter, KEY));
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(target.executions(id), 0);
        _deliverB(_guardMessage(emitter, KEY));
        assertTrue(cB.guardSatisfied(CHAIN_A, emitter, KEY));
        vm.recordLogs();
        cB.retryExecution(flow, "x");
        _assertStatusB(id, FlowLib.Status.EXECUTED);
        _deliverA(_lastDispatched());
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(cA.owed(beneficiary, address(0)), AMOUNT);
    }

    function test_Guard_DeliveredBeforeExecute_RunsOnDelivery() public {
        (bytes32 id,, bytes memory message) = _guardedFlow();
        _deliverB(_guardMessage(emitter, KEY));
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.EXECUTED);
    }

    function test_Guard_WrongEmitter_WrongKey_WrongChain_NeverSatisfy() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _guardedFlow();
        _deliverB(message);
        _deliverB(_guardMessage(stranger, KEY)); // wrong emitter
        _deliverB(_guardMessage(emitter, bytes32(uint256(KEY) + 1))); // wrong key
        // right emitter address and key, but claimed from chain C
        _deliverB(_forge(CHAIN_C, emitter, CHAIN_B, address(cB), FlowLib.encodeGuard(KEY)));
        assertFalse(cB.guardSatisfied(CHAIN_A, emitter, KEY));
        assertTrue(cB.guardSatisfied(CHAIN_C, emitter, KEY));
        cB.retryExecution(flow, "x");
        _assertStatusB(id, FlowLib.Status.PENDING);
        assertEq(target.executions(id), 0);
    }

    function test_Guard_NeverSatisfied_ExpiresAndRefunds() public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _guardedFlow();
        _deliverB(message);
        tB = flow.deadline + 1;
        _deliverB(_guardMessage(emitter, KEY)); // too late: the guard holds but T has passed
        vm.expectRevert(
            abi.encodeWithSelector(
                IFlowExecutor.FlowExecutorDeadlinePassed.selector, id, flow.deadline, flow.deadline + 1
            )
        );
        cB.retryExecution(flow, "x");
        _deliverA(_expireB(flow));
        assertEq(cA.owed(refundTo, address(0)), AMOUNT);
        assertEq(target.executions(id), 0);
    }

    function test_Open_RevertWhen_HalfGuard() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.guardEmitter = emitter;
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidGuard.selector, uint32(0), emitter));
        cA.open{value: AMOUNT}(req, "");
        req.guardEmitter = address(0);
        req.guardDomain = CHAIN_A;
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowInvalidGuard.selector, CHAIN_A, address(0)));
        cA.open{value: AMOUNT}(req, "");
    }
}
