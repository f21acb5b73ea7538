// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";
import {HandlerBase} from "../../harness/HandlerBase.sol";
import {MultiDomainHarness} from "../../harness/MultiDomainHarness.sol";
import {GovernanceStore} from "./GovernanceStore.sol";

/// @notice Drives the Governance suite: traffic (dispatch, mine, relay, retry, failing recipients), pauses at every
/// level through the authority, validator-set rotation through the authority, the same and more attempted by
/// strangers, invalid verifier configurations and empty signature sets.
contract GovernanceHandler is HandlerBase {
    GovernanceStore internal immutable _store;

    constructor(MultiDomainHarness harness, GovernanceStore store_) HandlerBase(harness, store_) {
        _store = store_;
        uint32[] memory ids = harness.domainIds();
        for (uint256 i = 0; i < ids.length; ++i) {
            store_.setExpectedSetVersion(ids[i], harness.validatorSet(ids[i]).version);
        }
    }

    /// @dev Chains keep producing blocks while anything happens: every action first advances every head by one.
    modifier tick() {
        h.mineAll(1);
        _;
    }

    // ------------------------------------------------------------------------------------------ traffic

    function dispatch(uint256 originSeed, uint256 destSeed, bytes32 salt) external tick {
        uint32 origin = _domainAt(originSeed);
        uint32 dest = _otherDomain(origin, destSeed);
        uint32 before = h.gateway(origin).nonce();
        try h.dispatch(origin, dest, address(h.domain(dest).recipient), h.payloadOf(0, salt)) {
            if (_store.outboundPaused(origin)) _violate("I4: dispatch while outbound paused");
            _count("dispatch");
        } catch {
            if (h.gateway(origin).nonce() != before) _violate("I4: refused dispatch changed the nonce");
            _count(_store.outboundPaused(origin) ? bytes32("dispatch_paused_refused") : bytes32("dispatch_refused"));
        }
    }

    function mineAll(uint256 blocks) external tick {
        h.mineAll(uint64(bound(blocks, 1, 8)));
        _count("mine");
    }

    function setFailing(uint256 domainSeed, bool failing) external tick {
        h.setRecipientFailing(h.domain(_domainAt(domainSeed)).recipient, failing);
        _count("set_failing");
    }

    /// @dev I4: while any level pauses the route, an honest delivery is refused and changes nothing.
    function relay(uint256 seed) external tick {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        bool paused = _store.deliveryPaused(e.origin, e.destination);
        bytes32 before = _snapshot(index);
        (bool ok,) = h.relay(index);
        if (paused) {
            if (ok) _violate("I4: delivered while paused");
            if (_snapshot(index) != before) _violate("I4: paused delivery changed state");
            _count("relay_paused_refused");
        } else if (ok) {
            _count("delivered");
        }
    }

    /// @dev I4: while the gateway or the route is paused, retry is refused and changes nothing.
    function retry(uint256 seed) external tick {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        bool paused = _store.retryPaused(e.origin, e.destination);
        bool failed = h.status(index) == IConcordGateway.MessageStatus.FAILED;
        bytes32 before = _snapshot(index);
        try h.gateway(e.destination).retry(e.message, gasLimitOf(e.message)) {
            if (paused) _violate("I4: retried while paused");
            _count("retry");
        } catch {
            if (paused && failed) {
                if (_snapshot(index) != before) _violate("I4: paused retry changed state");
                _count("retry_paused_refused");
            }
        }
    }

    // ------------------------------------------------------------------------------------------ authority

    /// @dev Through the authority; the ghost follows only successful calls. `mode % 3`: 0 pauses one level, 1 unpauses
    /// one level, 2 lifts every pause of the destination (the incident is over), so that pauses do not last whole runs.
    function setPause(uint256 destSeed, uint256 originSeed, uint256 level, uint256 mode) external tick {
        uint32 dest = _domainAt(destSeed);
        MultiDomainHarness.Domain memory d = h.domain(dest);
        if (mode % 3 == 2) {
            for (uint256 l = 0; l < 5; ++l) {
                for (uint256 o = 0; o < _ids.length; ++o) {
                    if (_ids[o] != dest) _setLevel(d, _ids[o], l, false);
                }
            }
            _count("unpause_all");
            return;
        }
        bool paused = mode % 3 == 0;
        _setLevel(d, _otherDomain(dest, originSeed), bound(level, 0, 4), paused);
        _count(paused ? bytes32("pause") : bytes32("unpause"));
    }

    function _setLevel(MultiDomainHarness.Domain memory d, uint32 origin, uint256 level, bool paused) internal {
        uint32 dest = d.id;
        bool ok;
        if (level == 0) {
            (ok,) = h.govern(
                address(d.gateway),
                paused
                    ? abi.encodeCall(d.gateway.pause, (true, false))
                    : abi.encodeCall(d.gateway.unpause, (true, false))
            );
            if (ok) _store.setInbound(dest, paused);
        } else if (level == 1) {
            (ok,) = h.govern(
                address(d.gateway),
                paused
                    ? abi.encodeCall(d.gateway.pause, (false, true))
                    : abi.encodeCall(d.gateway.unpause, (false, true))
            );
            if (ok) _store.setOutbound(dest, paused);
        } else if (level == 2) {
            (ok,) = h.govern(
                address(d.gateway),
                paused
                    ? abi.encodeCall(d.gateway.pauseRoute, (origin))
                    : abi.encodeCall(d.gateway.unpauseRoute, (origin))
            );
            if (ok) _store.setRoutePaused(dest, origin, paused);
        } else if (level == 3) {
            (ok,) = h.govern(
                address(d.pausable),
                paused ? abi.encodeCall(d.pausable.pause, ()) : abi.encodeCall(d.pausable.unpause, ())
            );
            if (ok) _store.setVerifierPaused(dest, paused);
        } else {
            (ok,) = h.govern(address(d.pausable), abi.encodeCall(d.pausable.setOriginPaused, (origin, paused)));
            if (ok) _store.setVerifierOriginPaused(dest, origin, paused);
        }
    }

    function rotate(uint256 originSeed, uint256 seed) external tick {
        uint32 origin = _domainAt(originSeed);
        h.rotateValidators(origin, seed);
        _store.setExpectedSetVersion(origin, h.validatorSet(origin).version);
        _count("rotate");
    }

    /// @notice End of run (called by `afterInvariant`, not a fuzz target): the incident is over, governance lifts every
    /// pause, one message is sent on every lane, and the relayer delivers everything final. Proves the system is
    /// live after whatever sequence ran; the invariants are then checked again.
    function flush() external {
        for (uint256 d = 0; d < _ids.length; ++d) {
            this.setPause(d, 0, 0, 2);
            (bool ok,) = h.govern(address(h.gateway(_ids[d])), abi.encodeCall(IConcordGateway.unpause, (false, true)));
            if (ok) _store.setOutbound(_ids[d], false);
        }
        for (uint256 o = 0; o < _ids.length; ++o) {
            for (uint256 d = 0; d < _ids.length; ++d) {
                if (o != d) this.dispatch(o, d, keccak256(abi.encode("flush", o, d)));
            }
        }
        h.mineAll(8);
        uint256 n = h.envelopeCount();
        for (uint256 i = 0; i < n; ++i) {
            this.relay(i);
        }
    }

    // ------------------------------------------------------------------------------------------ adversary

    /// @dev A stranger tries every admin entry point (I7). Each must revert; the stranger also deploys its own
    /// multisig through the permissionless factory and tries to route to it.
    function attack(uint256 actorSeed, uint256 action, uint256 destSeed, uint256 originSeed) external tick {
        address actor = address(uint160(bound(actorSeed, 1, type(uint160).max)));
        if (actor == address(h) || actor == address(h.manager()) || actor.code.length != 0) return;
        _store.addAttacker(actor);
        uint32 dest = _domainAt(destSeed);
        uint32 origin = _otherDomain(dest, originSeed);
        MultiDomainHarness.Domain memory d = h.domain(dest);
        action = bound(action, 0, 11);
        (address target, bytes memory data) = _attackCall(d, origin, actor, action);
        vm.prank(actor);
        (bool ok,) = target.call(data);
        if (ok) _violate("I7: a stranger changed configuration");
        _count("attack");
    }

    function _attackCall(MultiDomainHarness.Domain memory d, uint32 origin, address actor, uint256 action)
        internal
        returns (address target, bytes memory data)
    {
        if (action == 0) {
            return (address(d.gateway), abi.encodeCall(d.gateway.setRoute, (origin, address(h), actor)));
        }
        if (action == 1) return (address(d.gateway), abi.encodeCall(d.gateway.pauseRoute, (origin)));
        if (action == 2) return (address(d.gateway), abi.encodeCall(d.gateway.unpause, (true, true)));
        if (action == 3) return (address(d.gateway), abi.encodeCall(d.gateway.unpauseRoute, (origin)));
        if (action == 4) {
            // The factory is permissionless: a rogue verifier exists, but only the authority can route to it.
            (, address[] memory rogue) = h.keysFor(uint256(uint160(actor)), 2);
            IMultisigVerifier v = h.factory()
                .deploy(
                    IMultisigVerifierFactory.Variant.MESSAGE_ID,
                    IMultisigVerifier.Config({
                    origin: origin,
                    originGateway: bytes32(uint256(uint160(address(h.gateway(origin))))),
                    localDomain: d.id,
                    threshold: 1,
                    validators: rogue
                })
                );
            return (address(d.routing), abi.encodeCall(d.routing.setRoute, (origin, IConcordVerifier(address(v)))));
        }
        if (action == 5) return (address(d.routing), abi.encodeCall(d.routing.removeRoute, (origin)));
        if (action == 6) return (address(d.pausable), abi.encodeCall(d.pausable.setOriginPaused, (origin, false)));
        if (action == 7) {
            return
                (address(d.rateLimited), abi.encodeCall(d.rateLimited.setMessageLimit, (origin, 1, type(uint208).max)));
        }
        if (action == 8) return (address(d.optimistic), abi.encodeCall(d.optimistic.setWatcher, (actor, true)));
        if (action == 9) {
            return (address(h.manager()), abi.encodeCall(AccessManager.grantRole, (uint64(0), actor, uint32(0))));
        }
        if (action == 10) return (address(d.gateway), abi.encodeCall(IAccessManaged.setAuthority, (actor)));
        return (address(h.manager()), abi.encodeCall(AccessManager.updateAuthority, (address(d.gateway), actor)));
    }

    /// @dev I6: invalid configurations never deploy.
    function badConfig(uint256 mode, uint256 seed) external tick {
        mode = bound(mode, 0, 6);
        uint256 n = mode == 5 ? 17 : 3;
        (, address[] memory addrs) = h.keysFor(seed, n);
        uint8 threshold = 2;
        if (mode == 0) threshold = 0;
        if (mode == 1) threshold = 4;
        if (mode == 2) addrs[1] = addrs[0];
        if (mode == 3) (addrs[0], addrs[2]) = (addrs[2], addrs[0]);
        if (mode == 4) addrs[0] = address(0);
        bytes32 gw = mode == 6 ? bytes32(0) : bytes32(uint256(1));
        try h.factory()
            .deploy(
                IMultisigVerifierFactory.Variant(bound(seed, 0, 1)),
                IMultisigVerifier.Config({
                origin: _ids[0], originGateway: gw, localDomain: _ids[1], threshold: threshold, validators: addrs
            })
            ) {
            _violate("I6: invalid verifier configuration deployed");
        } catch {}
        _count("bad_config");
    }

    /// @dev I6: empty (and all-zero) signature sets never pass, through the gateway or the verifier itself.
    function emptySignatures(uint256 seed) external tick {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        (bool ok,) = h.deliver(index, "");
        if (ok) _violate("I6: empty metadata passed");
        bytes memory zeros = new bytes(65 * uint256(h.validatorSet(e.origin).threshold));
        (ok,) = h.deliver(index, zeros);
        if (ok) _violate("I6: all-zero signatures passed");
        IConcordVerifier v = IConcordVerifier(h.currentMultisig(e.origin, e.destination));
        try v.verify("", e.message) returns (bool accepted) {
            if (accepted) _violate("I6: verifier accepted no signatures");
        } catch {}
        _count("empty_signatures");
    }

    // ------------------------------------------------------------------------------------------ helpers

    /// @dev Everything a delivery or retry of `index` could change.
    function _snapshot(uint256 index) internal view returns (bytes32) {
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        MultiDomainHarness.Domain memory d = h.domain(e.destination);
        ConcordGateway gw = d.gateway;
        return keccak256(
            abi.encode(
                h.executions(index),
                gw.status(e.message),
                gw.delivered(e.origin, e.nonce),
                gw.failedRevertDataHash(e.id),
                d.recipient.totalExecutions(),
                d.rateLimited.availableMessages(e.origin)
            )
        );
    }
}
