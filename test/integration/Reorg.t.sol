// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";

import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IOptimisticVerifier} from "../../contracts/interfaces/IOptimisticVerifier.sol";
import {IRateLimitedVerifier} from "../../contracts/interfaces/IRateLimitedVerifier.sol";
import {gasLimitOf} from "../harness/GatewayTestLib.sol";
import {HarnessRecipient} from "../harness/HarnessRecipient.sol";
import {MultiDomainHarness} from "../harness/MultiDomainHarness.sol";

/// @notice Source-chain reorganizations (issue 5, scenarios a-d) over the multi-domain harness. The source is ETH
/// (domain 1), the destination OP (domain 10); finality depth 12 blocks.
contract ReorgTest is Test {
    uint32 internal constant ETH = 1;
    uint32 internal constant OP = 10;
    uint32 internal constant BASE = 8453;
    uint64 internal constant FINALITY = 12;

    MultiDomainHarness internal h;
    MultiDomainHarness.Domain internal op;
    address internal watcher;

    function setUp() public {
        vm.warp(1_700_000_000);
        uint32[] memory ids = new uint32[](3);
        (ids[0], ids[1], ids[2]) = (ETH, OP, BASE);
        h = new MultiDomainHarness(ids, FINALITY);
        op = h.domain(OP);
        watcher = h.WATCHER();
    }

    function _send(address recipient, uint256 value, uint256 salt) internal returns (uint256) {
        return h.dispatch(ETH, OP, recipient, h.payloadOf(value, bytes32(salt)));
    }

    function _assertReplaces(uint256 replacement, uint256 orphan) internal view {
        MultiDomainHarness.Envelope memory r = h.envelope(replacement);
        MultiDomainHarness.Envelope memory o = h.envelope(orphan);
        assertTrue(o.orphaned && !r.orphaned && r.replacement, "orphan / replacement flags");
        assertEq(r.nonce, o.nonce, "same nonce");
        assertEq(r.origin, o.origin);
        assertEq(r.destination, o.destination);
        assertTrue(r.id != o.id, "different message");
    }

    // ------------------------------------------------------------------------------------------ (a)

    /// @notice (a) A relayer that waits for the finality depth (and validators that sign only final messages) never
    /// delivers an orphaned message; the canonical replacements at the same nonces are delivered.
    function test_ReorgA_FinalityRespectingAgents_NeverDeliverOrphan() public {
        uint256 m0 = _send(address(op.recipient), 0, 0); // block 0
        h.mine(ETH, 5);
        uint256 m1 = _send(address(op.recipient), 0, 1); // block 5
        uint256 m2 = _send(address(op.recipient), 0, 2); // block 5
        h.mine(ETH, 3); // head 8: m1 and m2 are 3 blocks deep, m0 8

        // Nothing is final yet: the relayer delivers nothing, whatever the order.
        assertEq(h.relayAllReversed(ETH, OP), 0);

        // A 4-block reorg (< finality) orphans the messages of blocks 5..8.
        uint256[] memory repl = h.reorg(ETH, 4);
        assertEq(repl.length, 2);
        _assertReplaces(repl[0], m1);
        _assertReplaces(repl[1], m2);
        assertFalse(h.envelope(m0).orphaned);

        h.mine(ETH, FINALITY);
        assertEq(h.relayAllReversed(ETH, OP), 3, "m0 and both replacements");
        assertEq(h.executions(m0), 1);
        assertEq(h.executions(repl[0]), 1);
        assertEq(h.executions(repl[1]), 1);
        assertEq(h.executions(m1), 0, "orphan never executes");
        assertEq(h.executions(m2), 0, "orphan never executes");
        (, bool signed) = h.metadataFor(m1);
        assertFalse(signed, "honest validators never sign an orphan");
        // Even with signatures obtained before the reorg, the orphan's nonce is taken by the canonical message.
        (bool ok, bytes memory err) = h.deliver(m1, h.metadataUnchecked(m1));
        assertFalse(ok);
        assertEq(
            err, abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, h.envelope(m1).id)
        );
    }

    /// @notice (a), fuzzed: any reorg depth below finality, any number of messages per block; the orphans never
    /// execute, every canonical message executes exactly once.
    function testFuzz_ReorgA_ShallowReorg_OrphansNeverExecute(uint256 k, uint256 perBlock, uint256 blocks) public {
        k = bound(k, 1, FINALITY - 1);
        perBlock = bound(perBlock, 1, 3);
        blocks = bound(blocks, 1, 6);
        uint256 salt;
        for (uint256 b = 0; b < blocks; ++b) {
            for (uint256 i = 0; i < perBlock; ++i) {
                _send(address(op.recipient), 0, ++salt);
            }
            h.mine(ETH, 1);
            h.relayAllReversed(ETH, OP); // keeps trying: must never deliver a non-final message
        }
        h.reorg(ETH, uint64(k));
        h.mine(ETH, FINALITY);
        h.relayAllReversed(ETH, OP);
        uint256 n = h.envelopeCount();
        for (uint256 i = 0; i < n; ++i) {
            assertEq(h.executions(i), h.envelope(i).orphaned ? 0 : 1);
        }
    }

    // ------------------------------------------------------------------------------------------ (b)

    /// @notice (b) Validators sign before finality; the message goes through the optimistic verifier. The source
    /// reorgs; the watcher, who follows the source chain, vetoes the orphaned commitment inside the window. The
    /// orphan never executes, not even after the window; the canonical replacement does.
    function test_ReorgB_WatcherVetoesOrphanedCommitment_ReplacementExecutes() public {
        HarnessRecipient r = op.optimisticRecipient;
        uint256 m = _send(address(r), 0, 1);
        h.mine(ETH, 1);
        // Validators sign at depth 1 (< finality); the relayer commits at once.
        op.optimistic.commitVerified(h.metadataUnchecked(m), h.message(m));

        uint256[] memory repl = h.reorg(ETH, 2);
        assertEq(repl.length, 1);
        _assertReplaces(repl[0], m);

        // The watcher sees the orphan and vetoes inside the window.
        vm.warp(block.timestamp + h.OPTIMISTIC_WINDOW() - 1);
        bytes32 orphanId = h.envelope(m).id;
        vm.prank(watcher);
        op.optimistic.veto(ETH, orphanId);

        // The replacement becomes final, is signed and committed, and waits its own window.
        h.mine(ETH, FINALITY);
        (bytes memory metadata, bool signed) = h.metadataFor(repl[0]);
        assertTrue(signed);
        op.optimistic.commitVerified(metadata, h.message(repl[0]));
        (bool ok,) = h.deliver(repl[0], "");
        assertFalse(ok, "replacement before its window");

        vm.warp(block.timestamp + h.OPTIMISTIC_WINDOW());
        (ok,) = h.deliver(m, "");
        assertFalse(ok, "vetoed orphan, after the window");
        (ok,) = h.deliver(repl[0], "");
        assertTrue(ok, "replacement after its window");
        assertEq(h.executions(m), 0);
        assertEq(h.executions(repl[0]), 1);
        assertFalse(op.optimistic.isUsable(ETH, h.envelope(m).id));
    }

    // ------------------------------------------------------------------------------------------ (c)

    /// @notice (c) Validators sign two different messages for one nonce (here: the orphan and its replacement).
    /// Both signed commitments are public, so anyone submits them as evidence; the optimistic verifier then refuses
    /// the nonce forever, for both messages.
    function test_ReorgC_EquivocationEvidence_AnyoneSubmits_VerifierRefusesNonce() public {
        HarnessRecipient r = op.optimisticRecipient;
        uint256 m = _send(address(r), 0, 1);
        h.mine(ETH, 1);
        op.optimistic.commitVerified(h.metadataUnchecked(m), h.message(m));
        uint256[] memory repl = h.reorg(ETH, 2);
        // The same validators sign the replacement too: two signed ids for one (origin, nonce).
        op.optimistic.commitVerified(h.metadataUnchecked(repl[0]), h.message(repl[0]));

        address anyone = makeAddr("anyone");
        MultiDomainHarness.Envelope memory orphan = h.envelope(m);
        MultiDomainHarness.Envelope memory canonical = h.envelope(repl[0]);
        vm.expectEmit(address(op.optimistic));
        emit IOptimisticVerifier.EquivocationProven(ETH, orphan.nonce, orphan.id, canonical.id, anyone);
        vm.prank(anyone);
        op.optimistic.proveEquivocation(orphan.message, canonical.message);

        assertTrue(op.optimistic.isNonceRefused(ETH, h.envelope(m).nonce));
        vm.warp(block.timestamp + h.OPTIMISTIC_WINDOW());
        (bool ok,) = h.deliver(m, "");
        assertFalse(ok, "equivocated orphan");
        (ok,) = h.deliver(repl[0], "");
        assertFalse(ok, "equivocated replacement (the nonce is refused, see THREAT_MODEL (c))");
        assertEq(r.totalExecutions(), 0);
    }

    /// @notice (c) Evidence must be two different messages with the same origin and nonce, both inner-verified.
    function test_ReorgC_Evidence_RevertWhen_NotEquivocation() public {
        uint256 a = _send(address(op.optimisticRecipient), 0, 1);
        uint256 b = _send(address(op.optimisticRecipient), 0, 2); // next nonce
        h.mine(ETH, FINALITY);
        op.optimistic.commitVerified(h.metadataUnchecked(a), h.message(a));
        op.optimistic.commitVerified(h.metadataUnchecked(b), h.message(b));
        bytes memory ma = h.message(a);
        bytes memory mb = h.message(b);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotConflicting.selector, keccak256(ma), keccak256(mb)
            )
        );
        op.optimistic.proveEquivocation(ma, mb); // different nonces
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotConflicting.selector, keccak256(ma), keccak256(ma)
            )
        );
        op.optimistic.proveEquivocation(ma, ma); // same message
    }

    /// @notice (c) On the multisig-only route there is no evidence function: the gateway's replay guard still lets at
    /// most one of two signed messages for a nonce execute, whichever is relayed first.
    function test_ReorgC_MultisigRoute_AtMostOneMessagePerNonce() public {
        uint256 m = _send(address(op.recipient), 0, 1);
        h.mine(ETH, 1);
        bytes memory early = h.metadataUnchecked(m);
        uint256[] memory repl = h.reorg(ETH, 2);
        (bool ok,) = h.deliver(m, early);
        assertTrue(ok, "the early-signed orphan is accepted by the multisig");
        h.mine(ETH, FINALITY);
        (ok,) = h.relay(repl[0]);
        assertFalse(ok, "its nonce is taken: the canonical message is stuck");
        assertEq(h.executions(m) + h.executions(repl[0]), 1);
    }

    // ------------------------------------------------------------------------------------------ (d)

    /// @notice (d) A reorg after delivery: validators signed orphaned value messages (too early, or the reorg is
    /// deeper than the finality depth). What they can release is bounded by the value cap per rolling window until
    /// the authority pauses the route; the canonical replacements are stuck behind the replay guard.
    function test_ReorgD_AfterDelivery_RateLimitBoundsRelease() public {
        HarnessRecipient r = op.valueRecipient;
        uint256 n = 10;
        uint256[] memory sent = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            sent[i] = _send(address(r), 40 ether, i); // 400 ether in flight
        }
        h.mine(ETH, 1);
        // All signed at depth 1 and relayed at once: the cap (100 ether / hour) lets two through.
        uint256 delivered;
        for (uint256 i = 0; i < n; ++i) {
            (bool ok,) = h.deliver(sent[i], h.metadataUnchecked(sent[i]));
            if (ok) ++delivered;
        }
        assertEq(delivered, 2);
        assertEq(r.totalValue(), 80 ether);

        // The source reorgs them all away.
        uint256[] memory repl = h.reorg(ETH, 2);
        assertEq(repl.length, n);

        // One window later the cap refills: the attacker releases again, still at most the cap per window.
        vm.warp(block.timestamp + h.VALUE_WINDOW());
        for (uint256 i = 0; i < n; ++i) {
            h.deliver(sent[i], h.metadataUnchecked(sent[i]));
        }
        assertEq(r.totalValue(), 160 ether);
        assertLe(r.maxReleasedInWindow(ETH, h.VALUE_WINDOW()), h.VALUE_CAP());

        // Detection: the authority pauses the route; nothing more is released, in any later window.
        (bool paused,) = h.govern(address(op.gateway), abi.encodeCall(op.gateway.pauseRoute, (ETH)));
        assertTrue(paused);
        vm.warp(block.timestamp + 10 * h.VALUE_WINDOW());
        for (uint256 i = 0; i < n; ++i) {
            (bool ok,) = h.deliver(sent[i], h.metadataUnchecked(sent[i]));
            assertFalse(ok);
        }
        assertEq(r.totalValue(), 160 ether, "bounded by cap x windows before detection");

        // The canonical replacements of delivered orphans are stuck (same nonce): the accepted risk of (d).
        (bool unpaused,) = h.govern(address(op.gateway), abi.encodeCall(op.gateway.unpauseRoute, (ETH)));
        assertTrue(unpaused);
        h.mine(ETH, FINALITY);
        (bool replOk, bytes memory err) = h.relay(repl[0]);
        assertFalse(replOk);
        assertEq(
            err, abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, h.envelope(repl[0]).id)
        );
    }

    /// @notice (d) With the optimistic verifier, only commitments whose window ended before the reorg was detected
    /// can release anything; the watcher vetoes the rest.
    function test_ReorgD_AfterDelivery_OptimisticWindowBoundsRelease() public {
        HarnessRecipient r = op.optimisticRecipient;
        uint256 a = _send(address(r), 0, 1);
        uint256 b = _send(address(r), 0, 2);
        h.mine(ETH, 1);
        op.optimistic.commitVerified(h.metadataUnchecked(a), h.message(a)); // t0
        vm.warp(block.timestamp + 20 minutes);
        op.optimistic.commitVerified(h.metadataUnchecked(b), h.message(b)); // t0 + 20 min
        vm.warp(block.timestamp + 10 minutes); // t0 + 30 min: a is usable
        (bool ok,) = h.deliver(a, "");
        assertTrue(ok, "a matured before detection: delivered (the accepted loss)");

        // Reorg detected at t0 + 35 min: both are orphans; the watcher can still veto b, not a.
        vm.warp(block.timestamp + 5 minutes);
        h.reorg(ETH, 2);
        bytes32 idA = h.envelope(a).id;
        bytes32 idB = h.envelope(b).id;
        vm.startPrank(watcher);
        op.optimistic.veto(ETH, idB);
        vm.expectRevert(); // OptimisticVerifierWindowElapsed: a's window is over
        op.optimistic.veto(ETH, idA);
        vm.stopPrank();

        vm.warp(block.timestamp + 1 days);
        (ok,) = h.deliver(b, "");
        assertFalse(ok, "b vetoed inside its window: never released");
        assertEq(h.executions(a), 1);
        assertEq(h.executions(b), 0);
    }

    // ------------------------------------------------------------------------------------------ I10 at retry time

    /// @notice I10 holds for released value: the rate limiter consumes value when a message is verified (`process`)
    /// and again when a FAILED message is released by `retry` (`authorizeRetry`, in the retry's window). A retry
    /// that would release more than the cap in one window is refused until the window has room; the message stays
    /// FAILED meanwhile. (Formerly `test_Gap_RetryReleasesValueOutsideItsWindow`, which pinned the gap.)
    function test_I10_RetryConsumesTheBudgetOfItsOwnWindow() public {
        HarnessRecipient r = op.valueRecipient;
        uint256 first = _send(address(r), 0 + 60 ether, 1);
        uint256 second = _send(address(r), 60 ether, 2);
        h.mine(ETH, FINALITY);
        h.setRecipientFailing(r, true);
        (bool ok,) = h.relay(first); // consumes 60 at t0, FAILED
        assertTrue(ok);
        h.setRecipientFailing(r, false);
        vm.warp(block.timestamp + 2 hours);
        (ok,) = h.relay(second); // consumes 60 at t0 + 2h, released
        assertTrue(ok);
        bytes memory firstMessage = h.message(first);
        // Releasing the first 60 now would put 120 in one window: refused, still FAILED.
        vm.expectRevert(
            abi.encodeWithSelector(
                IRateLimitedVerifier.RateLimitedVerifierValueLimitExceeded.selector,
                ETH,
                bytes32(uint256(uint160(address(r)))),
                60 ether
            )
        );
        op.gateway.retry(firstMessage, gasLimitOf(firstMessage));
        assertEq(uint8(op.gateway.status(firstMessage)), uint8(IConcordGateway.MessageStatus.FAILED));
        assertEq(r.totalValue(), 60 ether);
        // Once the window has room, the retry goes through, in its own window.
        vm.warp(block.timestamp + h.VALUE_WINDOW());
        op.gateway.retry(firstMessage, gasLimitOf(firstMessage));
        assertEq(r.totalValue(), 120 ether);
        assertLe(r.maxReleasedInWindow(ETH, h.VALUE_WINDOW()), h.VALUE_CAP(), "released <= cap in every window");
    }
}
