// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {CheckpointDigest} from "../../../contracts/libraries/CheckpointDigest.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {MockTrustAllVerifier} from "../../../contracts/mocks/MockTrustAllVerifier.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";
import {HandlerBase} from "../../harness/HandlerBase.sol";
import {MultiDomainHarness} from "../../harness/MultiDomainHarness.sol";
import {DeliveryStore} from "./DeliveryStore.sol";

/// @notice The attacker's recipient: names the permissive verifier the attacker deployed and accepts anything.
contract SquatRecipient is IERC7786Recipient {
    address internal immutable _VERIFIER;
    uint256 public executions;

    constructor(address verifier_) {
        _VERIFIER = verifier_;
    }

    function interchainSecurityModule() external view returns (address) {
        return _VERIFIER;
    }

    function receiveMessage(bytes32, bytes calldata, bytes calldata) external payable returns (bytes4) {
        ++executions;
        return IERC7786Recipient.receiveMessage.selector;
    }
}

/// @notice Drives the Delivery suite: dispatch on any domain, mine, reorg below the finality depth, deliver next /
/// any / all (out of order) / twice, retry, make recipients fail and recover, and forge metadata or messages.
/// After every action it sweeps all envelopes for I1 and I8 and records violations in the store.
contract DeliveryHandler is HandlerBase {
    DeliveryStore internal immutable _store;
    uint64 internal immutable _finality;
    /// @dev The attacker's recipient per (destination, origin), naming a permissive verifier that claims to
    /// authenticate the origin's enrolled gateway.
    mapping(uint32 destination => mapping(uint32 origin => SquatRecipient)) internal _squatters;

    constructor(MultiDomainHarness harness, DeliveryStore store_) HandlerBase(harness, store_) {
        _store = store_;
        _finality = harness.domain(harness.domainIds()[0]).finality;
    }

    /// @dev Chains keep producing blocks while anything happens: every action first advances every head by one.
    modifier tick() {
        h.mineAll(1);
        _;
    }

    // ------------------------------------------------------------------------------------------ source

    function dispatch(uint256 originSeed, uint256 destSeed, bool toValueRecipient, uint256 value, bytes32 salt)
        external
        tick
    {
        uint32 origin = _domainAt(originSeed);
        uint32 dest = _otherDomain(origin, destSeed);
        MultiDomainHarness.Domain memory d = h.domain(dest);
        address recipient = toValueRecipient ? address(d.valueRecipient) : address(d.recipient);
        value = bound(value, 0, 10 ether);
        uint32 before = h.gateway(origin).nonce();
        try h.dispatch(origin, dest, recipient, h.payloadOf(value, salt)) returns (uint256 index) {
            _count("dispatch");
            _store.recordSent(origin);
            if (h.envelope(index).nonce != before) _violate("I3: dispatched nonce != previous count");
            if (h.gateway(origin).nonce() != before + 1) _violate("I3: nonce did not grow by exactly one");
        } catch (bytes memory err) {
            if (bytes4(err) == MultiDomainHarness.HarnessNonceGap.selector) _violate("I3: nonce gap in captured logs");
            _count("dispatch_reverted");
        }
    }

    // ------------------------------------------------------------------------------------------ history

    /// @dev Odd `domainSeed`: one domain advances; even: all of them (chains keep producing blocks).
    function mine(uint256 domainSeed, uint256 blocks) external tick {
        uint64 n = uint64(bound(blocks, 1, 2 * _finality));
        if (domainSeed % 2 == 1) h.mine(_domainAt(domainSeed / 2), n);
        else h.mineAll(n);
        _count("mine");
    }

    /// @dev Reorgs shallower than the finality depth: the finality-respecting relayer must never deliver an orphan.
    function reorg(uint256 domainSeed, uint256 k) external tick {
        if (_finality < 2) return;
        uint256[] memory replaced = h.reorg(_domainAt(domainSeed), uint64(bound(k, 1, _finality - 1)));
        _count("reorg");
        if (replaced.length > 0) _count("reorg_orphaned_some");
    }

    // ------------------------------------------------------------------------------------------ transport

    function relayNext(uint256 originSeed, uint256 destSeed) external tick {
        uint32 origin = _domainAt(originSeed);
        (, bool ok) = h.relayNext(origin, _otherDomain(origin, destSeed));
        _count(ok ? bytes32("delivered") : bytes32("relay_next_none"));
    }

    function relayAny(uint256 seed) external tick {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        (bool ok,) = h.relay(index);
        if (ok) {
            _count("delivered");
            if (h.envelope(index).orphaned) _violate("reorg: orphaned message delivered");
        } else {
            _count("relay_any_refused");
        }
    }

    function relayAllReversed(uint256 originSeed, uint256 destSeed) external tick {
        uint32 origin = _domainAt(originSeed);
        uint256 n = h.relayAllReversed(origin, _otherDomain(origin, destSeed));
        for (uint256 i = 0; i < n; ++i) {
            _count("delivered");
        }
        _count("relay_all");
    }

    /// @dev Same message, same valid metadata, twice in a row: the second must be refused.
    function deliverTwice(uint256 seed) external tick {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        (bytes memory metadata, bool signed) = h.metadataFor(index);
        if (!signed) return;
        (bool first,) = h.deliver(index, metadata);
        if (first) _count("delivered");
        (bool second,) = h.deliver(index, metadata);
        if (second) _violate("I1: the same message was processed twice");
        _count("deliver_twice");
    }

    function retry(uint256 seed) external tick {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        try h.gateway(e.destination).retry(e.message, gasLimitOf(e.message)) {
            _count(h.executions(index) == 1 ? bytes32("retry_executed") : bytes32("retry_failed_again"));
        } catch {
            _count("retry_refused");
        }
    }

    function setFailing(uint256 domainSeed, bool failing) external tick {
        h.setRecipientFailing(h.domain(_domainAt(domainSeed)).recipient, failing);
        _count(failing ? bytes32("recipient_fails") : bytes32("recipient_recovers"));
    }

    // ------------------------------------------------------------------------------------------ adversary

    /// @dev Valid message, forged metadata: never accepted (I2, I6: empty or short signature sets never pass).
    function forgeMetadata(uint256 seed, uint256 mode) external tick {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        bytes memory metadata = _forgedMetadata(index, bound(mode, 0, 7), seed);
        (bool ok,) = h.deliver(index, metadata);
        if (ok) _violate("I2: forged metadata accepted");
        _count("forge_metadata");
    }

    /// @dev Forged message (changed payload, recipient, nonce or sender) with the original's valid metadata.
    function forgeMessage(uint256 seed, uint256 mode) external tick {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        bytes memory metadata = h.metadataUnchecked(index);
        bytes memory forged = _forgedMessage(e, bound(mode, 0, 3));
        address recipient = address(uint160(uint256(_word(forged, Message.RECIPIENT_OFFSET))));
        _store.recordForged(recipient, keccak256(forged));
        try h.gateway(e.destination).process(metadata, forged) {
            _violate("I2: forged message accepted");
        } catch {}
        _count("forge_message");
    }

    function _forgedMetadata(uint256 index, uint256 mode, uint256 seed) internal view returns (bytes memory) {
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        MultiDomainHarness.ValidatorSet memory s = h.validatorSet(e.origin);
        bytes1 kindId = CheckpointDigest.KIND_MESSAGE_ID;
        if (mode == 0) {
            (uint256[] memory strangers,) = h.keysFor(uint256(keccak256(abi.encode("stranger", seed))), s.threshold);
            return h.signWith(e.origin, kindId, e.id, e.nonce, strangers, s.threshold);
        }
        if (mode == 1) {
            bytes memory honest = h.metadataUnchecked(index);
            bytes memory cut = new bytes(honest.length - 1);
            for (uint256 i = 0; i < cut.length; ++i) {
                cut[i] = honest[i];
            }
            return cut;
        }
        if (mode == 2) return h.signWith(e.origin, kindId, e.id, e.nonce, s.keys, s.threshold - 1);
        if (mode == 3) {
            uint256[] memory same = new uint256[](s.threshold);
            for (uint256 i = 0; i < same.length; ++i) {
                same[i] = s.keys[0];
            }
            return h.signWith(e.origin, kindId, e.id, e.nonce, same, same.length);
        }
        if (mode == 4) return "";
        // Kind confusion: the id signed as if it were a Merkle root.
        if (mode == 5) {
            return h.signWith(e.origin, CheckpointDigest.KIND_MERKLE_ROOT, e.id, e.nonce, s.keys, s.threshold);
        }
        if (mode == 6) return h.signWith(e.origin, kindId, keccak256(abi.encode(e.id)), e.nonce, s.keys, s.threshold);
        // mode 7: one signature too many.
        return h.signWith(e.origin, kindId, e.id, e.nonce, s.keys, s.threshold + 1);
    }

    function _forgedMessage(MultiDomainHarness.Envelope memory e, uint256 mode) internal view returns (bytes memory) {
        bytes memory m = e.message;
        bytes32 sender = _word(m, Message.SENDER_OFFSET);
        bytes32 recipient = _word(m, Message.RECIPIENT_OFFSET);
        uint32 nonce = e.nonce;
        bytes memory body = Message.formatBody(h.GAS_LIMIT(), abi.encode(uint256(1 ether), keccak256("forged")));
        if (mode == 1) {
            // The other harness recipient of the destination.
            MultiDomainHarness.Domain memory d = h.domain(e.destination);
            address other = address(uint160(uint256(recipient))) == address(d.recipient)
                ? address(d.valueRecipient)
                : address(d.recipient);
            recipient = bytes32(uint256(uint160(other)));
        }
        if (mode == 2) nonce = e.nonce + 1000;
        if (mode == 3) sender = bytes32(uint256(0xbad));
        if (mode != 0) body = _bodyOf(m);
        return Message.format(Message.VERSION, nonce, e.origin, sender, e.destination, recipient, body);
    }

    // ------------------------------------------------------------------------------------------ I11 attackers

    /// @dev Issue 13, finding 1: an attacker forges a message with a genuine (origin, nonce) (an envelope's own, or
    /// one to three nonces ahead of it) to its own recipient, which names a permissive verifier, and has it
    /// processed. Its own recipient may run; no genuine message may become undeliverable (the flush proves it) or
    /// run twice (I1).
    function squat(uint256 seed, uint256 ahead) external tick {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        bytes memory forged = _squatMessage(e, uint32(bound(ahead, 0, 3)), abi.encode(seed, ahead));
        try h.gateway(e.destination).process("", forged) {
            _count("squat");
        } catch {
            _count("squat_refused"); // these exact bytes again, or a nonce the genuine message already used
        }
    }

    /// @dev A forged message with `e`'s origin and nonce + `ahead`, to the attacker's recipient on `e`'s destination.
    function _squatMessage(MultiDomainHarness.Envelope memory e, uint32 ahead, bytes memory payload)
        internal
        returns (bytes memory)
    {
        SquatRecipient squatter = _squatter(e.destination, e.origin);
        return Message.format(
            Message.VERSION,
            e.nonce + ahead,
            e.origin,
            bytes32(uint256(0xbad)),
            e.destination,
            bytes32(uint256(uint160(address(squatter)))),
            Message.formatBody(h.GAS_LIMIT(), payload)
        );
    }

    function _squatter(uint32 destination, uint32 origin) internal returns (SquatRecipient squatter) {
        squatter = _squatters[destination][origin];
        if (address(squatter) != address(0)) return squatter;
        MockTrustAllVerifier permissive = new MockTrustAllVerifier();
        permissive.setOriginGateway(origin, address(h.gateway(origin)));
        squatter = new SquatRecipient(address(permissive));
        _squatters[destination][origin] = squatter;
    }

    /// @dev Issue 13, finding 2: governance changes a route and puts it back within the call. Mode 0: set again,
    /// unchanged. Mode 1: the origin's gateway is "redeployed" (a second ConcordGateway for that domain, with a sound
    /// multisig of the same validators bound to it) or mistyped, then the route is corrected. Mode 2: the origin's
    /// validator set rotates (new multisigs, same gateway). While the route points elsewhere, a genuine message must
    /// not be deliverable; afterwards nothing delivered before may run again (I1) and everything else still can.
    function reroute(uint256 destSeed, uint256 originSeed, uint256 mode) external tick {
        uint32 dest = _domainAt(destSeed);
        uint32 origin = _otherDomain(dest, originSeed);
        ConcordGateway gw = h.gateway(dest);
        address originGateway = address(h.gateway(origin));
        (address verifier, uint32 instanceBefore,,) = gw.route(origin);
        mode = bound(mode, 0, 2);
        if (mode == 0) {
            _govern(address(gw), abi.encodeCall(gw.setRoute, (origin, verifier, originGateway)));
        } else if (mode == 1) {
            address bound_ = _boundToAnotherGateway(origin, dest);
            address other = address(uint160(uint256(IMultisigVerifier(bound_).originGateway())));
            _govern(address(gw), abi.encodeCall(gw.setRoute, (origin, bound_, other)));
            _tryRelayUnderWrongRoute(destSeed ^ originSeed, origin, dest);
            _govern(address(gw), abi.encodeCall(gw.setRoute, (origin, verifier, originGateway)));
        } else {
            h.rotateValidators(origin, uint256(keccak256(abi.encode(destSeed, originSeed))));
        }
        (, uint32 instanceAfter,, address current) = gw.route(origin);
        if (instanceAfter != instanceBefore || current != originGateway) _violate("I11: route not restored");
        _count("reroute");
    }

    /// @dev A second ConcordGateway for `origin` (a redeployment, or a mistyped address) and a sound multisig of the
    /// origin's current validators bound to it.
    function _boundToAnotherGateway(uint32 origin, uint32 dest) internal returns (address) {
        ConcordGateway other = new ConcordGateway(origin, address(h.manager()), h.GAS_LIMIT(), h.MAX_BODY());
        MultiDomainHarness.ValidatorSet memory set = h.validatorSet(origin);
        return address(
            h.factory()
                .deploy(
                    IMultisigVerifierFactory.Variant.MESSAGE_ID,
                    IMultisigVerifier.Config({
                    origin: origin,
                    originGateway: bytes32(uint256(uint160(address(other)))),
                    localDomain: dest,
                    threshold: set.threshold,
                    validators: set.addrs
                })
                )
        );
    }

    /// @dev While the route names another gateway, a genuine message of the lane must not be deliverable.
    function _tryRelayUnderWrongRoute(uint256 seed, uint32 origin, uint32 dest) internal {
        (uint256 index, bool found) = _envelopeAt(seed);
        if (!found) return;
        MultiDomainHarness.Envelope memory e = h.envelope(index);
        if (e.destination != dest || e.origin != origin) return;
        (bool ok,) = h.relay(index);
        if (ok) _violate("I11: a message of the enrolled gateway delivered under another gateway's route");
        _count("relay_under_wrong_route");
    }

    function _govern(address target, bytes memory data) internal {
        (bool ok,) = h.govern(target, data);
        if (!ok) _violate("governance call refused");
    }

    /// @notice End of run (called by `afterInvariant`, not a fuzz target): every final canonical message that has
    /// not run yet must still be deliverable, whatever was squatted or rerouted: recipients recover, the chains reach
    /// finality, and each such message is relayed (or retried, if FAILED) and must then have run exactly once.
    function flush() external {
        uint32[] memory ids = h.domainIds();
        for (uint256 d = 0; d < ids.length; ++d) {
            MultiDomainHarness.Domain memory dom = h.domain(ids[d]);
            h.setRecipientFailing(dom.recipient, false);
            h.setRecipientFailing(dom.valueRecipient, false);
        }
        h.mineAll(_finality + 1);
        uint256 n = h.envelopeCount();
        for (uint256 i = 0; i < n; ++i) {
            MultiDomainHarness.Envelope memory e = h.envelope(i);
            if (e.orphaned || h.executions(i) != 0) continue;
            vm.warp(block.timestamp + h.VALUE_WINDOW()); // every delivery in a fresh rate-limit window
            if (h.status(i) == IConcordGateway.MessageStatus.FAILED) {
                try h.gateway(e.destination).retry(e.message, gasLimitOf(e.message)) {} catch {}
            } else {
                h.relay(i);
            }
            if (h.executions(i) != 1) _violate("I11: a genuine message is no longer deliverable");
            _count("flushed");
        }
    }

    // ------------------------------------------------------------------------------------------ sweep (I1, I8)

    /// @dev I1: no envelope executed more than once, no orphan executed. I8: each canonical envelope's status only
    /// moves NONE -> EXECUTED, NONE -> FAILED or FAILED -> EXECUTED. (Orphans are skipped for I8: `status` is keyed
    /// by (origin, nonce), so an orphan reads EXECUTED once its replacement is delivered; see the suite README.)
    function _sweep() internal {
        uint256 n = h.envelopeCount();
        for (uint256 i = 0; i < n; ++i) {
            MultiDomainHarness.Envelope memory e = h.envelope(i);
            uint256 executed = h.executions(i);
            if (executed > 1) _violate("I1: executed more than once");
            if (e.orphaned) {
                if (executed != 0) _violate("reorg: orphaned message executed");
                continue;
            }
            uint8 current = uint8(h.status(i));
            uint8 last = _store.lastStatus(i);
            if (current != last) {
                bool forward = (last == uint8(IConcordGateway.MessageStatus.NONE))
                    || (last == uint8(IConcordGateway.MessageStatus.FAILED)
                        && current == uint8(IConcordGateway.MessageStatus.EXECUTED));
                if (!forward) _violate("I8: status moved backwards");
                _store.setLastStatus(i, current);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    function _word(bytes memory m, uint256 offset) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(m, 0x20), offset))
        }
    }

    function _bodyOf(bytes memory m) internal pure returns (bytes memory body) {
        body = new bytes(m.length - Message.BODY_OFFSET);
        for (uint256 i = 0; i < body.length; ++i) {
            body[i] = m[Message.BODY_OFFSET + i];
        }
    }
}
