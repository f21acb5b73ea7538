// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowEscrow} from "../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {CoordinationBase, FlowTargetMock} from "./CoordinationBase.t.sol";

/// @notice Fuzz: deliver / expire / retry interleavings around T on B's clock, and arbitrary skew between A's and
/// B's clocks. In every case exactly one of EXECUTED / not-executed wins, decided by B's time alone, and A settles
/// exactly that outcome.
contract FlowClockFuzzTest is CoordinationBase {
    /// @dev Deliver at B time `T + dDeliver`, expire at B time `T + dExpire` (both within +-3 s of T), in B-time
    /// order (ties broken by `expireFirst`).
    function testFuzz_DeliverExpireInterleaving(uint256 deliverSeed, uint256 expireSeed, bool expireFirst) public {
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        uint256 T = flow.deadline;
        // +-3 s around T: the boundary (B time == T) is hit in about a seventh of the runs
        uint256 tDeliver = T - 3 + bound(deliverSeed, 0, 6);
        uint256 tExpire = T - 3 + bound(expireSeed, 0, 6);
        bool expireBefore = tExpire < tDeliver || (tExpire == tDeliver && expireFirst);

        bool expiredOk;
        if (expireBefore) {
            expiredOk = _tryExpire(flow, tExpire);
            tB = tDeliver;
            _deliverB(message);
        } else {
            tB = tDeliver;
            _deliverB(message);
            expiredOk = _tryExpire(flow, tExpire);
        }

        bool executed = tDeliver <= T;
        _assertStatusB(id, executed ? FlowLib.Status.EXECUTED : FlowLib.Status.EXPIRED);
        assertEq(target.executions(id), executed ? 1 : 0, "executions");
        // expire succeeded only strictly after T and only before the delivery (which always decides the flow:
        // EXECUTED at or before T, EXPIRED after it)
        assertEq(expiredOk, expireBefore && tExpire > T, "expire outcome");
        uint64 decidedAt = cB.record(id).decidedAt;
        if (executed) assertLe(decidedAt, T);
        else assertGt(decidedAt, T);

        _settleAndCheck(id, flow, executed);
    }

    /// @dev A's clock is skewed from B's by up to +-30 days; B decides at its own time; A waits an arbitrary time
    /// (up to 10 years) before the acknowledgement. Compensation is possible only after an attested non-execution.
    function testFuzz_ClockSkew(int256 skewSeed, uint256 bDelaySeed, uint256 aDelaySeed, bool failing) public {
        int256 skew = bound(skewSeed, -30 days, 30 days);
        tB = uint256(int256(tA) + skew);
        if (failing) target.setMode(FlowTargetMock.Mode.REVERT);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.abortOnFail = true;
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _open(req, "x");
        tB += bound(bDelaySeed, 0, 3 hours);
        _deliverB(message);

        bool executed = !failing && tB <= flow.deadline;
        FlowLib.Status expected =
            tB > flow.deadline ? FlowLib.Status.EXPIRED : (failing ? FlowLib.Status.FAILED : FlowLib.Status.EXECUTED);
        _assertStatusB(id, expected);

        // A's clock alone never settles
        tA += bound(aDelaySeed, 0, 3650 days);
        _atA();
        vm.expectRevert(abi.encodeWithSelector(IFlowEscrow.FlowEscrowWrongPhase.selector, id, FlowLib.Phase.LOCKED));
        cA.settle(flow);

        _settleAndCheck(id, flow, executed);
    }

    /// @dev A failing target retried at random B times around T: executes iff some attempt happens at or before T
    /// while the target works; never after T.
    function testFuzz_RetriesAroundDeadline(uint256[4] memory steps, uint8 fixAt) public {
        target.setMode(FlowTargetMock.Mode.REVERT);
        (bytes32 id, FlowLib.Flow memory flow, bytes memory message) = _openDefault();
        uint256 T = flow.deadline;
        tB = T - 300;
        _deliverB(message);
        _assertStatusB(id, FlowLib.Status.PENDING);
        bool executed;
        uint256 fix = bound(fixAt, 0, 3);
        for (uint256 i = 0; i < 4; ++i) {
            tB += bound(steps[i], 0, 200);
            _atB();
            if (i == fix) target.setMode(FlowTargetMock.Mode.ACCEPT);
            (bool ok,) = address(cB).call(abi.encodeCall(cB.retryExecution, (flow, "hello")));
            if (ok && i >= fix) executed = true;
            assertTrue(!ok || tB <= T, "retry after T");
            if (executed) break;
        }
        if (!executed) {
            tB = T + 1 > tB ? T + 1 : tB;
            _expireB(flow);
        }
        assertEq(target.executions(id), executed ? 1 : 0);
        _settleAndCheck(id, flow, executed);
    }

    function _tryExpire(FlowLib.Flow memory flow, uint256 at) internal returns (bool ok) {
        vm.warp(at);
        (ok,) = address(cB).call(abi.encodeCall(cB.expire, (flow)));
    }

    /// @dev Re-exports twice (the OUTCOMEs B sent when it decided are dropped), relays both copies in reverse order
    /// (the first settles, the second is ignored), calls `settle` (a no-op), and checks that exactly the attested
    /// payee got the escrow, once.
    function _settleAndCheck(bytes32 id, FlowLib.Flow memory flow, bool executed) internal {
        bytes memory ack1 = _export(flow);
        bytes memory ack2 = _export(flow);
        _deliverA(ack2);
        _assertPhaseA(id, FlowLib.Phase.SETTLED);
        assertEq(uint8(cA.record(id).outcome), uint8(_statusB(id)), "A settled B's outcome");
        _deliverA(ack1);
        cA.settle(flow);
        assertEq(cA.owed(beneficiary, address(0)), executed ? AMOUNT : 0);
        assertEq(cA.owed(refundTo, address(0)), executed ? 0 : AMOUNT);
        uint256 released = target.received(id);
        uint256 refunded = cA.owed(refundTo, address(0));
        assertLe(released + refunded, flow.amount, "I5");
        assertEq(cA.lockedTotal(address(0)), 0);
    }
}
