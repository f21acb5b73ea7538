// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {IOptimisticVerifier} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {HarnessRecipient} from "../../harness/HarnessRecipient.sol";
import {MultiDomainHarness} from "../../harness/MultiDomainHarness.sol";
import {ReleaseHandler} from "./ReleaseHandler.sol";
import {ReleaseStore} from "./ReleaseStore.sol";

/// @notice Release suite: I9 (optimistic commitments unusable before the window ends and forever after a veto) and
/// I10 (value released per rolling window under the cap). See README.md.
contract ReleaseInvariantTest is Test {
    uint128 internal constant BOND = 1 ether;

    MultiDomainHarness internal h;
    ReleaseStore internal store;
    ReleaseHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        uint32[] memory ids = new uint32[](3);
        (ids[0], ids[1], ids[2]) = (1, 10, 8453);
        h = new MultiDomainHarness(ids, 2);
        // Bonded commits enabled on every route, so the attacker can try.
        for (uint256 d = 0; d < ids.length; ++d) {
            IOptimisticVerifier opt = h.domain(ids[d]).optimistic;
            for (uint256 o = 0; o < ids.length; ++o) {
                if (o == d) continue;
                (bool ok,) = h.govern(address(opt), abi.encodeCall(opt.setBond, (ids[o], BOND)));
                assertTrue(ok);
            }
        }
        store = new ReleaseStore();
        handler = new ReleaseHandler(h, store);

        // Weighted by repetition so that every run reaches the end of the optimistic flow (send, commit, wait,
        // deliver) and fills the value window (checked in afterInvariant).
        bytes4[] memory selectors = new bytes4[](14);
        selectors[0] = ReleaseHandler.dispatchValue.selector;
        selectors[1] = ReleaseHandler.dispatchOptimistic.selector;
        selectors[2] = ReleaseHandler.dispatchOptimistic.selector;
        selectors[3] = ReleaseHandler.warp.selector;
        selectors[4] = ReleaseHandler.warp.selector;
        selectors[5] = ReleaseHandler.relayValue.selector;
        selectors[6] = ReleaseHandler.relayValue.selector;
        selectors[7] = ReleaseHandler.commit.selector;
        selectors[8] = ReleaseHandler.commit.selector;
        selectors[9] = ReleaseHandler.veto.selector;
        selectors[10] = ReleaseHandler.deliverOptimistic.selector;
        selectors[11] = ReleaseHandler.deliverOptimistic.selector;
        selectors[12] = ReleaseHandler.forgeBonded.selector;
        selectors[13] = ReleaseHandler.deliverForged.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function invariant_NoViolationRecorded() public view {
        assertEq(store.violationCount(), 0, store.firstViolation());
    }

    /// @notice I9: each commitment is usable exactly when it was not vetoed and its window ended; a vetoed
    /// commitment's message never executed; a forged (bonded) message never executed.
    function invariant_I9_CommitmentUsableOnlyAfterWindowAndNeverAfterVeto() public view {
        uint256 n = store.commitmentCount();
        for (uint256 i = 0; i < n; ++i) {
            ReleaseStore.Commitment memory c = store.commitmentAt(i);
            IOptimisticVerifier opt = h.domain(c.destination).optimistic;
            bool expected = !c.vetoed && block.timestamp >= c.usableAt;
            assertEq(opt.isUsable(c.origin, c.id), expected, "I9: usability");
            assertEq(opt.commitmentOf(c.origin, c.id).vetoed, c.vetoed, "I9: veto record");
            if (c.vetoed || c.forged) assertEq(HarnessRecipient(c.recipient).executions(c.id), 0, "I9: executed");
        }
    }

    /// @notice I10: for every route into every value recipient, the value released inside any rolling window
    /// `(t - VALUE_WINDOW, t]` stays under `VALUE_CAP`.
    function invariant_I10_ValueReleasedPerWindowUnderCap() public view {
        uint32[] memory ids = h.domainIds();
        for (uint256 d = 0; d < ids.length; ++d) {
            HarnessRecipient r = h.domain(ids[d]).valueRecipient;
            for (uint256 o = 0; o < ids.length; ++o) {
                if (o == d) continue;
                assertLe(r.maxReleasedInWindow(ids[o], h.VALUE_WINDOW()), h.VALUE_CAP(), "I10");
            }
        }
    }

    /// @notice Non-vacuity: after the end-of-run flush (a message of each kind per lane, agents running through a
    /// value window and an optimistic window), value was released, commitments were made and optimistic messages
    /// delivered, and every invariant still holds.
    function afterInvariant() external {
        handler.flush();
        handler.logCounters();
        assertGt(store.counters("value_released"), 0, "no value released");
        assertGt(store.counters("optimistic_delivered"), 0, "no optimistic delivery");
        assertGt(store.counters("commit"), 0, "no commitment");
        invariant_NoViolationRecorded();
        invariant_I9_CommitmentUsableOnlyAfterWindowAndNeverAfterVeto();
        invariant_I10_ValueReleasedPerWindowUnderCap();
    }

    /// @notice The handlers on a fixed path: the optimistic flow completes only after the window, a vetoed and a
    /// forged commitment never deliver, and the value cap refuses the message that would exceed it.
    function test_Handlers_ExerciseEveryAction() public {
        handler.dispatchOptimistic(0, 1, bytes32(uint256(1))); // env 0: 1 -> 10
        handler.dispatchOptimistic(0, 1, bytes32(uint256(2))); // env 1: 1 -> 10
        handler.commit(0);
        handler.commit(1);
        handler.deliverOptimistic(1); // odd seed: envelope 1 (committed, window running): refused
        handler.veto(1); // commitment 1 (envelope 1) vetoed
        handler.forgeBonded(0, 1, bytes32(uint256(3)));
        handler.warp(45 minutes); // watcher vetoes the forged commitment; relayer then delivers envelope 0
        handler.deliverOptimistic(0); // even seed, nothing left usable: envelope 0 again, refused (delivered)
        handler.deliverOptimistic(3); // envelope 1: vetoed, refused
        handler.deliverForged(0); // refused
        handler.dispatchValue(0, 1, 60 ether, bytes32(uint256(4))); // env 2
        handler.dispatchValue(0, 1, 60 ether, bytes32(uint256(5))); // env 3
        handler.relayValue(0); // 60 released
        handler.relayValue(1); // 60 more would exceed 100: capped
        handler.warp(1 hours); // the value window slid past the first release
        handler.relayValue(1);
        handler.logCounters();

        assertEq(store.violationCount(), 0, store.firstViolation());
        assertEq(store.counters("commit"), 2, "commits");
        assertEq(store.counters("optimistic_delivered"), 1, "optimistic deliveries");
        assertEq(store.counters("optimistic_refused"), 3, "optimistic refusals");
        assertEq(h.executions(0), 1, "envelope 0 executed");
        assertEq(h.executions(1), 0, "vetoed envelope 1 never executed");
        assertEq(store.counters("watcher_veto_forged"), 1, "watcher");
        assertEq(store.counters("forged_refused"), 1, "forged");
        assertEq(store.counters("value_released"), 2, "value released");
        assertEq(store.counters("value_capped"), 1, "value capped");
        invariant_I9_CommitmentUsableOnlyAfterWindowAndNeverAfterVeto();
        invariant_I10_ValueReleasedPerWindowUnderCap();
    }
}
