// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/console.sol";

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {FlowLib} from "../../contracts/libraries/FlowLib.sol";
import {CoordinationBase} from "./CoordinationBase.t.sol";

/// @notice Gas of the coordinator's steps, measured with gasleft() deltas around each call (including the gateway's
/// own cost for the message legs). Informational: logged with -vv, never asserted (benchmarks belong in test/bench).
contract FlowGasTest is CoordinationBase {
    function test_Gas_RoundTrip_Executed() public {
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.executionFee = 0.01 ether;
        req.ackFee = 0.01 ether;
        req.feeRecipient = feeRecipient;
        _atA();
        vm.recordLogs();
        vm.prank(opener);
        uint256 g = gasleft();
        cA.open{value: AMOUNT + 0.02 ether}(req, "hello");
        console.log("open (A, incl. gateway send)", g - gasleft());
        bytes memory message = _lastDispatched();

        _atB();
        vm.recordLogs();
        g = gasleft();
        gwB.process("", message);
        console.log("execute (B, gateway.process + target + OUTCOME send)", g - gasleft());
        bytes memory outcome = _lastDispatched();

        _atA();
        g = gasleft();
        gwA.process("", outcome);
        console.log("outcome (A, gateway.process + settlement)", g - gasleft());

        g = gasleft();
        cA.claim(beneficiary, address(0));
        console.log("claim (A)", g - gasleft());
    }

    function test_Gas_Expired_Compensated() public {
        (, FlowLib.Flow memory flow,) = _openDefault();
        tB = flow.deadline + 1;
        _atB();
        vm.recordLogs();
        uint256 g = gasleft();
        cB.expire(flow);
        console.log("expire (B, incl. OUTCOME send)", g - gasleft());
        bytes memory outcome = _lastDispatched();
        g = gasleft();
        _deliverA(outcome);
        console.log("outcome (A, gateway.process + settlement)", g - gasleft());
    }

    function test_Gas_AckOverRoute() public {
        ConcordGateway gwA2 = new ConcordGateway(CHAIN_A, address(manager), 200_000, 8192);
        ConcordGateway gwB2 = new ConcordGateway(CHAIN_B, address(manager), 200_000, 8192);
        _route(gwB2, CHAIN_A, address(gwA2));
        _route(gwA2, CHAIN_B, address(gwB2));
        cA.scheduleAckRoute(2, address(gwA2));
        cB.scheduleAckRoute(2, address(gwB2));
        tA += cA.routeDelay();
        tB = tA;
        _atA();
        cA.activateAckRoute(2);
        cB.activateAckRoute(2);
        FlowLib.Flow memory req = _request(uint64(tA + 1 hours));
        req.ackRoutes = uint16(1) << 2;
        vm.recordLogs();
        vm.prank(opener);
        uint256 g = gasleft();
        (, FlowLib.Flow memory flow) = cA.open{value: AMOUNT}(req, "hello");
        console.log("open with one pinned route (A, incl. gateway send)", g - gasleft());
        gwB.process("", _lastDispatched());
        vm.recordLogs();
        g = gasleft();
        cB.exportOutcome(flow, 2);
        console.log("exportOutcome over route 2 (B, incl. gateway send)", g - gasleft());
        bytes memory ack = _lastDispatched();
        g = gasleft();
        gwA2.process("", ack);
        console.log("acknowledge over route 2 (A, gateway.process)", g - gasleft());
    }
}
