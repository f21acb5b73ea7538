// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {MultiDomainHarness} from "../../harness/MultiDomainHarness.sol";
import {DeliveryHandler} from "./DeliveryHandler.sol";
import {DeliveryStore} from "./DeliveryStore.sol";

/// @notice Delivery suite: I1, I2, I3, I8 and "a finality-respecting relayer never delivers an orphan", over three
/// domains with adversarial ordering, duplicates, failures, retries, shallow reorgs and forgeries. See README.md.
contract DeliveryInvariantTest is Test {
    uint64 internal constant FINALITY = 8;

    MultiDomainHarness internal h;
    DeliveryStore internal store;
    DeliveryHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        uint32[] memory ids = new uint32[](3);
        (ids[0], ids[1], ids[2]) = (1, 10, 8453);
        h = new MultiDomainHarness(ids, FINALITY);
        store = new DeliveryStore();
        handler = new DeliveryHandler(h, store);

        // Weighted by repetition: sending, mining and relaying happen more often than anything else, so that every
        // run really delivers (checked in afterInvariant).
        bytes4[] memory selectors = new bytes4[](19);
        selectors[0] = DeliveryHandler.dispatch.selector;
        selectors[1] = DeliveryHandler.dispatch.selector;
        selectors[2] = DeliveryHandler.dispatch.selector;
        selectors[3] = DeliveryHandler.mine.selector;
        selectors[4] = DeliveryHandler.mine.selector;
        selectors[5] = DeliveryHandler.reorg.selector;
        selectors[6] = DeliveryHandler.relayNext.selector;
        selectors[7] = DeliveryHandler.relayAny.selector;
        selectors[8] = DeliveryHandler.relayAny.selector;
        selectors[9] = DeliveryHandler.relayAllReversed.selector;
        selectors[10] = DeliveryHandler.deliverTwice.selector;
        selectors[11] = DeliveryHandler.retry.selector;
        selectors[12] = DeliveryHandler.setFailing.selector;
        selectors[13] = DeliveryHandler.forgeMetadata.selector;
        selectors[14] = DeliveryHandler.forgeMessage.selector;
        selectors[15] = DeliveryHandler.relayNext.selector;
        selectors[16] = DeliveryHandler.squat.selector;
        selectors[17] = DeliveryHandler.squat.selector;
        selectors[18] = DeliveryHandler.reroute.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @notice Handlers record what they saw go wrong (I1 twice-processed, I2 forgery accepted, I3 nonce, I8
    /// backwards status, orphan delivered); none may be recorded.
    function invariant_NoViolationRecorded() public view {
        assertEq(store.violationCount(), 0, store.firstViolation());
    }

    /// @notice I1: every known message id executed at most once; every orphan never.
    function invariant_I1_AtMostOneExecutionPerMessageId() public view {
        uint256 n = h.envelopeCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 executed = h.executions(i);
            assertLe(executed, 1, "I1");
            if (h.envelope(i).orphaned) assertEq(executed, 0, "orphan executed");
        }
    }

    /// @notice I2: the only executions are of canonical messages that a source gateway dispatched (or that replace
    /// an orphan at its nonce): summed per recipient, executions of known canonical ids equal all executions; no
    /// forged message ever executed.
    function invariant_I2_OnlyLegitimateMessagesExecute() public view {
        uint256 legit;
        uint256 n = h.envelopeCount();
        for (uint256 i = 0; i < n; ++i) {
            if (!h.envelope(i).orphaned) legit += h.executions(i);
        }
        uint256 total;
        uint32[] memory ids = h.domainIds();
        for (uint256 d = 0; d < ids.length; ++d) {
            MultiDomainHarness.Domain memory dom = h.domain(ids[d]);
            total += dom.recipient.totalExecutions() + dom.valueRecipient.totalExecutions()
            + dom.optimisticRecipient.totalExecutions();
        }
        assertEq(total, legit, "I2: an execution of an unknown id");
        uint256 forged = store.forgedCount();
        for (uint256 i = 0; i < forged; ++i) {
            DeliveryStore.Forged memory f = store.forgedAt(i);
            if (h.envelopeOf(f.id) != 0) continue; // a "forgery" identical to a real message
            assertEq(HarnessRecipientLike(f.recipient).executions(f.id), 0, "I2: forged message executed");
        }
    }

    /// @notice I3: each source gateway's nonce equals the number of messages it sent, and nonces 0..n-1 each map to
    /// exactly one canonical message carrying that nonce.
    function invariant_I3_NoncesStrictlyIncreaseWithoutGaps() public view {
        uint32[] memory ids = h.domainIds();
        for (uint256 d = 0; d < ids.length; ++d) {
            uint32 nonce = h.gateway(ids[d]).nonce();
            assertEq(nonce, store.sent(ids[d]), "I3: gateway nonce != messages sent");
            assertEq(h.canonicalCount(ids[d]), nonce, "I3: transport saw a different count");
            for (uint32 k = 0; k < nonce; ++k) {
                uint256 e = h.canonicalEnvelope(ids[d], k);
                assertGt(e, 0, "I3: gap");
                assertEq(h.envelope(e - 1).nonce, k, "I3: wrong nonce");
            }
        }
    }

    /// @notice I8 (current state): EXECUTED means executed exactly once, FAILED means not executed, NONE means not
    /// executed. Transitions are checked by the handler after every call.
    function invariant_I8_StatusMatchesExecutions() public view {
        uint256 n = h.envelopeCount();
        for (uint256 i = 0; i < n; ++i) {
            if (h.envelope(i).orphaned) continue;
            IConcordGateway.MessageStatus s = h.status(i);
            uint256 executed = h.executions(i);
            if (s == IConcordGateway.MessageStatus.EXECUTED) assertEq(executed, 1, "I8: EXECUTED but not executed");
            else assertEq(executed, 0, "I8: executed but not EXECUTED");
        }
    }

    /// @notice Non-vacuity, then I11: every run really dispatched, delivered and attacked; then every final
    /// canonical message that has not run yet is delivered (`flush`) and must run exactly once, and all invariants
    /// are checked again.
    function afterInvariant() external {
        assertGt(store.counters("dispatch"), 0, "no dispatch");
        assertGt(store.counters("delivered"), 0, "no delivery");
        assertGt(store.counters("forge_metadata") + store.counters("forge_message"), 0, "no forgery attempted");
        handler.flush();
        handler.logCounters();
        invariant_NoViolationRecorded();
        invariant_I1_AtMostOneExecutionPerMessageId();
        invariant_I2_OnlyLegitimateMessagesExecute();
        invariant_I8_StatusMatchesExecutions();
    }
}

interface HarnessRecipientLike {
    function executions(bytes32 id) external view returns (uint256);
}
