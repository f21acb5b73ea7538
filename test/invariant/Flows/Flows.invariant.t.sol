// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {FlowCoordinator} from "../../../contracts/coordination/FlowCoordinator.sol";
import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {MockTrustAllVerifier} from "../../../contracts/mocks/MockTrustAllVerifier.sol";
import {FlowTargetMock} from "../../unit/CoordinatorBase.t.sol";
import {FlowHandler} from "./FlowHandler.sol";
import {FlowStore} from "./FlowStore.sol";

/// @notice Flows suite: I5 under arbitrary interleavings of open, both clocks, EXECUTE relayed with any gas, retry,
/// expire, cancel, acknowledgements relayed duplicated and out of order, forged acknowledgements, re-exports,
/// compensate, finalize and claim. See README.md.
contract FlowsInvariantTest is Test {
    FlowStore internal store;
    FlowHandler internal handler;
    FlowCoordinator internal cA;
    FlowCoordinator internal cB;
    FlowTargetMock internal target;

    function setUp() public {
        vm.warp(1_700_000_000);
        AccessManager manager = new AccessManager(address(this));
        MockTrustAllVerifier trustAll = new MockTrustAllVerifier();
        ConcordGateway gwA = new ConcordGateway(1, address(manager), address(trustAll), 200_000, 8192);
        ConcordGateway gwB = new ConcordGateway(10, address(manager), address(trustAll), 200_000, 8192);
        cA = new FlowCoordinator(address(gwA), 1, address(manager), 1 days);
        cB = new FlowCoordinator(address(gwB), 10, address(manager), 1 days);
        cA.setTrustedRemote(10, address(cB));
        cB.setTrustedRemote(1, address(cA));
        cA.setLane(10, address(0), address(0), true, address(0xB0B));
        cB.setLane(1, address(0), address(0), false, address(0xB0B));
        target = new FlowTargetMock();
        vm.deal(address(cB), 60 ether); // B-side liquidity: less than the fuzzer can lock, so shortages happen
        store = new FlowStore();
        handler = new FlowHandler(gwA, gwB, cA, cB, target, store);

        bytes4[] memory selectors = new bytes4[](19);
        selectors[0] = FlowHandler.open.selector;
        selectors[1] = FlowHandler.open.selector;
        selectors[2] = FlowHandler.warpA.selector;
        selectors[3] = FlowHandler.warpB.selector;
        selectors[4] = FlowHandler.relayExecute.selector;
        selectors[5] = FlowHandler.relayExecute.selector;
        selectors[6] = FlowHandler.retry.selector;
        selectors[7] = FlowHandler.expire.selector;
        selectors[8] = FlowHandler.cancel.selector;
        selectors[9] = FlowHandler.relayCancel.selector;
        selectors[10] = FlowHandler.exportOutcome.selector;
        selectors[11] = FlowHandler.relayAck.selector;
        selectors[12] = FlowHandler.relayAck.selector;
        selectors[13] = FlowHandler.forgeAck.selector;
        selectors[14] = FlowHandler.compensate.selector;
        selectors[15] = FlowHandler.finalize.selector;
        selectors[16] = FlowHandler.claim.selector;
        selectors[17] = FlowHandler.setTargetFailing.selector;
        selectors[18] = FlowHandler.bumpFees.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// forge-config: default.invariant.depth = 200
    function invariant_NoViolationRecorded() public view {
        assertEq(store.violationCount(), 0, store.firstViolation());
    }

    /// @notice I5 and accounting: see FlowStore.check.
    /// forge-config: default.invariant.depth = 200
    function invariant_I5_NeverBothAndValueConserved() public view {
        assertEq(store.check(cA, cB, target), "");
    }

    /// @notice B's liquidity only ever pays executed flows: what left B equals what targets received.
    /// forge-config: default.invariant.depth = 200
    function invariant_B_ReleasedEqualsTargetReceipts() public view {
        assertEq(60 ether - address(cB).balance, address(target).balance);
    }

    /// @notice Non-vacuity: every run opens flows (the properties are evaluated over real flows).
    function afterInvariant() public view {
        assertGt(store.counters("open"), 0, "no flow opened");
        bytes32[9] memory names = [
            bytes32("open"),
            "relayExecute",
            "expire",
            "exportOutcome",
            "relayAck",
            "finalize",
            "compensate",
            "claim",
            "relayCancel"
        ];
        for (uint256 i = 0; i < names.length; ++i) {
            console.log(string(abi.encodePacked(names[i])), store.counters(names[i]));
        }
    }
}
