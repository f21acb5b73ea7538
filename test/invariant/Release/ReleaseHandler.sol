// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptimisticVerifier} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {HandlerBase} from "../../harness/HandlerBase.sol";
import {MultiDomainHarness} from "../../harness/MultiDomainHarness.sol";
import {ReleaseStore} from "./ReleaseStore.sol";

/// @notice Drives the Release suite: value messages through the rate-limited route (I10) and messages to a recipient
/// behind the optimistic verifier (I9): commit, veto, warp, deliver; an attacker bonds forged message ids and tries
/// to deliver them; the honest watcher (live, one per window) vetoes every forged commitment before time moves.
contract ReleaseHandler is HandlerBase {
    ReleaseStore internal immutable _store;
    address public constant ATTACKER = address(uint160(uint256(keccak256("concord.release.attacker"))));

    constructor(MultiDomainHarness harness, ReleaseStore store_) HandlerBase(harness, store_) {
        _store = store_;
        vm.deal(ATTACKER, 1_000_000 ether);
    }

    // ------------------------------------------------------------------------------------------ source

    function dispatchValue(uint256 originSeed, uint256 destSeed, uint256 value, bytes32 salt) external {
        uint32 origin = _domainAt(originSeed);
        uint32 dest = _otherDomain(origin, destSeed);
        value = bound(value, 0, 60 ether);
        uint256 index = h.dispatch(origin, dest, address(h.domain(dest).valueRecipient), h.payloadOf(value, salt));
        _store.addValueEnvelope(index);
        _count("dispatch_value");
    }

    function dispatchOptimistic(uint256 originSeed, uint256 destSeed, bytes32 salt) external {
        uint32 origin = _domainAt(originSeed);
        uint32 dest = _otherDomain(origin, destSeed);
        uint256 index = h.dispatch(origin, dest, address(h.domain(dest).optimisticRecipient), h.payloadOf(0, salt));
        _store.addOptimisticEnvelope(index);
        _count("dispatch_optimistic");
    }

    // ------------------------------------------------------------------------------------------ time

    /// @dev Time moves only here, by one optimistic window to two hours, and the off-chain agents run around it, as they do in production: before time
    /// moves, the honest watcher vetoes every forged commitment still in its window (the optimistic verifier's trust
    /// assumption: one honest, live watcher) and the relayer commits every final optimistic message; then time and
    /// blocks advance; then the relayer delivers every commitment that became usable.
    function warp(uint256 seconds_) external {
        _watcherSweep();
        _commitAll();
        vm.warp(block.timestamp + bound(seconds_, h.OPTIMISTIC_WINDOW(), 2 hours));
        h.mineAll(h.domain(_ids[0]).finality);
        _count("warp");
        _deliverUsable();
    }

    // ------------------------------------------------------------------------------------------ value (I10)

    function relayValue(uint256 seed) external {
        uint256 n = _store.valueEnvelopeCount();
        if (n == 0) return;
        uint256 index = _store.valueEnvelopes(bound(seed, 0, n - 1));
        _finalize(index);
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        MultiDomainHarness.Domain memory d = h.domain(e.destination);
        (uint256 available,) =
            d.rateLimited.availableValue(e.origin, bytes32(uint256(uint160(address(d.valueRecipient)))));
        uint256 value = uint256(_word(e.message, Message.PAYLOAD_OFFSET));
        (bool ok,) = h.relay(index);
        if (ok) {
            if (value > available) _violate("I10: released more than the window had left");
            _count("value_released");
        } else if (value > available) {
            _count("value_capped");
        }
    }

    // ------------------------------------------------------------------------------------------ optimistic (I9)

    function commit(uint256 seed) external {
        uint256 n = _store.optimisticEnvelopeCount();
        if (n == 0) return;
        uint256 index = _store.optimisticEnvelopes(bound(seed, 0, n - 1));
        _finalize(index);
        _commit(index);
    }

    function _commit(uint256 index) internal {
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        (bytes memory metadata,) = h.metadataFor(index);
        IOptimisticVerifier opt = h.domain(e.destination).optimistic;
        try opt.commitVerified(metadata, e.message) {
            _store.addCommitment(
                ReleaseStore.Commitment({
                    origin: e.origin,
                    destination: e.destination,
                    id: e.id,
                    recipient: address(h.domain(e.destination).optimisticRecipient),
                    usableAt: opt.commitmentOf(e.origin, e.id).usableAt,
                    vetoed: false,
                    forged: false
                })
            );
            _count("commit");
        } catch {
            _count("commit_refused");
        }
    }

    /// @dev The watcher may also veto honest commitments (griefing costs liveness, never safety).
    function veto(uint256 seed) external {
        uint256 n = _store.commitmentCount();
        if (n == 0) return;
        uint256 i = bound(seed, 0, n - 1);
        ReleaseStore.Commitment memory c = _store.commitmentAt(i);
        IOptimisticVerifier opt = h.domain(c.destination).optimistic;
        vm.prank(h.WATCHER());
        try opt.veto(c.origin, c.id) {
            if (block.timestamp >= c.usableAt) _violate("I9: veto accepted after the window");
            _store.markVetoed(i);
            _count("veto");
        } catch {
            _count("veto_refused");
        }
    }

    /// @dev Odd seed: any optimistic envelope (an adversarial, possibly early, attempt). Even seed: the honest
    /// relayer's choice, the first honest commitment that is usable and not yet delivered (if any).
    function deliverOptimistic(uint256 seed) external {
        uint256 n = _store.optimisticEnvelopeCount();
        if (n == 0) return;
        uint256 index = _store.optimisticEnvelopes(bound(seed, 0, n - 1));
        if (seed % 2 == 0) {
            uint256 m = _store.commitmentCount();
            for (uint256 i = 0; i < m; ++i) {
                ReleaseStore.Commitment memory ready = _store.commitmentAt(i);
                if (ready.forged || !h.domain(ready.destination).optimistic.isUsable(ready.origin, ready.id)) continue;
                uint256 found = h.envelopeOf(ready.id);
                if (found == 0 || h.executions(found - 1) != 0) continue;
                index = found - 1;
                break;
            }
        }
        _deliverOptimistic(index);
    }

    function _deliverOptimistic(uint256 index) internal {
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        (bool ok,) = h.deliver(index, "");
        if (!ok) {
            _count("optimistic_refused");
            return;
        }
        uint256 c = _store.commitmentIndex(e.destination, e.id);
        if (c == 0) {
            _violate("I9: delivered without commitment");
        } else {
            ReleaseStore.Commitment memory rec = _store.commitmentAt(c - 1);
            if (rec.vetoed) _violate("I9: delivered after a veto");
            if (block.timestamp < rec.usableAt) _violate("I9: delivered before the window ended");
        }
        _count("optimistic_delivered");
    }

    /// @notice End of run (called by `afterInvariant`, not a fuzz target): one value message and one optimistic message
    /// on every lane, one value window and one optimistic window pass with the agents running, and the relayer
    /// delivers. Proves the system is live after whatever sequence ran; the invariants are then checked again.
    function flush() external {
        for (uint256 o = 0; o < _ids.length; ++o) {
            for (uint256 d = 0; d < _ids.length; ++d) {
                if (o == d) continue;
                this.dispatchValue(o, d, 1 ether, keccak256(abi.encode("flush.value", o, d)));
                this.dispatchOptimistic(o, d, keccak256(abi.encode("flush.optimistic", o, d)));
            }
        }
        h.mineAll(h.domain(_ids[0]).finality);
        this.warp(h.VALUE_WINDOW()); // commits every final optimistic message; a full value window passes
        uint256 n = _store.valueEnvelopeCount();
        for (uint256 i = 0; i < n; ++i) {
            this.relayValue(i);
        }
        this.warp(h.OPTIMISTIC_WINDOW()); // the relayer delivers every usable commitment
    }

    // ------------------------------------------------------------------------------------------ adversary

    /// @dev The attacker bonds a forged message id (a nonce far ahead, to the optimistic recipient).
    function forgeBonded(uint256 originSeed, uint256 destSeed, bytes32 salt) external {
        uint32 origin = _domainAt(originSeed);
        uint32 dest = _otherDomain(origin, destSeed);
        MultiDomainHarness.Domain memory d = h.domain(dest);
        bytes memory forged = Message.format(
            Message.VERSION,
            uint32(bound(uint256(salt), 1_000_000, type(uint32).max)),
            origin,
            bytes32(uint256(uint160(address(h)))),
            dest,
            bytes32(uint256(uint160(address(d.optimisticRecipient)))),
            Message.formatBody(h.GAS_LIMIT(), abi.encode(uint256(0), salt))
        );
        bytes32 id = keccak256(forged);
        uint128 bond = d.optimistic.bond(origin);
        vm.prank(ATTACKER);
        try d.optimistic.commitBonded{value: bond}(origin, IOptimisticVerifier.CommitmentKind.MESSAGE_ID, id) {
            _store.addForged(forged);
            _store.addCommitment(
                ReleaseStore.Commitment({
                    origin: origin,
                    destination: dest,
                    id: id,
                    recipient: address(d.optimisticRecipient),
                    usableAt: d.optimistic.commitmentOf(origin, id).usableAt,
                    vetoed: false,
                    forged: true
                })
            );
            _count("forge_bonded");
        } catch {}
    }

    function deliverForged(uint256 seed) external {
        uint256 n = _store.forgedCount();
        if (n == 0) return;
        bytes memory forged = _store.forgedAt(bound(seed, 0, n - 1));
        uint32 dest = uint32(uint256(_word(forged, Message.DESTINATION_OFFSET)) >> 224);
        try h.gateway(dest).process("", forged) {
            _violate("I2/I9: forged bonded message delivered");
        } catch {
            _count("forged_refused");
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /// @dev Relayer agent: commits every final optimistic message not yet committed.
    function _commitAll() internal {
        uint256 n = _store.optimisticEnvelopeCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 index = _store.optimisticEnvelopes(i);
            MultiDomainHarness.Envelope memory e = h.envelope(index);
            if (!h.isFinal(index) || _store.commitmentIndex(e.destination, e.id) != 0) continue;
            _commit(index);
        }
    }

    /// @dev Relayer agent: delivers every honest commitment that is usable and not yet executed.
    function _deliverUsable() internal {
        uint256 m = _store.commitmentCount();
        for (uint256 i = 0; i < m; ++i) {
            ReleaseStore.Commitment memory c = _store.commitmentAt(i);
            if (c.forged || !h.domain(c.destination).optimistic.isUsable(c.origin, c.id)) continue;
            uint256 found = h.envelopeOf(c.id);
            if (found == 0 || h.executions(found - 1) != 0) continue;
            _deliverOptimistic(found - 1);
        }
    }

    function _watcherSweep() internal {
        uint256 n = _store.commitmentCount();
        for (uint256 i = 0; i < n; ++i) {
            ReleaseStore.Commitment memory c = _store.commitmentAt(i);
            if (!c.forged || c.vetoed || block.timestamp >= c.usableAt) continue;
            IOptimisticVerifier opt = h.domain(c.destination).optimistic;
            vm.prank(h.WATCHER());
            opt.veto(c.origin, c.id);
            _store.markVetoed(i);
            _count("watcher_veto_forged");
        }
    }

    /// @dev The relayer waits for finality: mine the origin until the message is final.
    function _finalize(uint256 index) internal {
        if (h.isFinal(index)) return;
        MultiDomainHarness.Domain memory o = h.domain(h.envelope(index).origin);
        h.mine(o.id, o.finality);
    }

    function _word(bytes memory m, uint256 offset) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(m, 0x20), offset))
        }
    }
}
