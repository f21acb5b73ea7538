// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {CommonBase} from "forge-std/Base.sol";
import {Vm} from "forge-std/Vm.sol";

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IConcordVerifier} from "../../contracts/interfaces/IConcordVerifier.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {MultisigVerifierFactory} from "../../contracts/isms/MultisigVerifierFactory.sol";
import {OptimisticVerifier} from "../../contracts/isms/OptimisticVerifier.sol";
import {PausableVerifier} from "../../contracts/isms/PausableVerifier.sol";
import {RateLimitedVerifier} from "../../contracts/isms/RateLimitedVerifier.sol";
import {RoutingVerifier} from "../../contracts/isms/RoutingVerifier.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {MerkleTree} from "../../contracts/libraries/MerkleTree.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {HarnessRecipient} from "./HarnessRecipient.sol";

/// @title MultiDomainHarness
/// @notice TEST ONLY. N >= 3 Concord domains in one EVM, joined by a transport that captures the gateways'
/// `Dispatched` events and delivers on demand (next, any, all, out of order, twice, never), with a per-domain chain
/// history (block numbers, finality depth, reorgs) and real validator keys that sign checkpoints with `vm.sign`.
///
/// Per destination domain D, the verification stack for messages from origin O is
///   gateway_D.route(O) -> RateLimitedVerifier_D -> PausableVerifier_D -> RoutingVerifier_D -> multisig(O -> D)
/// where multisig(O -> D) is a `MessageIdMultisigVerifier` (factory-deployed, immutable) for O's current validator
/// set. Rotating O's set deploys new multisigs and re-points `RoutingVerifier_D.setRoute(O, ...)` through the
/// AccessManager (the harness is its admin: the "governance"). Each domain also has an `OptimisticVerifier_D`
/// (inner: RoutingVerifier_D, watcher: `WATCHER`) that one recipient (`optimisticRecipient`) names as its verifier.
///
/// History model: every captured message is stamped with its origin's current head block. `mine` advances a head;
/// a message is final once `head - block >= finality`. `reorg(domain, k)` orphans the messages of the last k blocks
/// and replaces each with a different message at the same nonce (same header, different payload; the declared value
/// is kept), built with `Message.format`: in one EVM the source gateway cannot be rolled back, so the harness keeps its
/// own canonical view per origin (leaf per nonce, Merkle root after each leaf). The real source gateway keeps counting
/// nonces, which stays consistent because a replacement reuses the orphan's nonce; its Merkle root, however, is the
/// orphaned branch's after a reorg (`canonicalRoot` is the canonical one).
/// Validators sign message ids (`CheckpointDigest.KIND_MESSAGE_ID`, id, nonce). Honest validators (`metadataFor`)
/// sign only canonical, final messages; `metadataUnchecked` models validators that sign before finality (scenario b)
/// or through a reorg deeper than the finality depth (scenario d).
contract MultiDomainHarness is CommonBase {
    using MerkleTree for MerkleTree.Tree;

    uint256 internal constant _SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    uint32 public constant GAS_LIMIT = 200_000;
    uint256 public constant MAX_BODY = 4096;
    uint8 public constant VALIDATORS = 4;
    uint8 public constant THRESHOLD = 3;
    uint64 public constant OPTIMISTIC_WINDOW = 30 minutes;
    uint48 public constant VALUE_WINDOW = 1 hours;
    uint208 public constant VALUE_CAP = 100 ether;
    uint48 public constant MESSAGE_WINDOW = 1 hours;
    uint208 public constant MESSAGE_CAP = 100_000;

    address public constant WATCHER = address(uint160(uint256(keccak256("concord.harness.watcher"))));

    /// @notice One domain's deployment and chain history.
    struct Domain {
        uint32 id;
        ConcordGateway gateway;
        RoutingVerifier routing;
        PausableVerifier pausable;
        RateLimitedVerifier rateLimited;
        OptimisticVerifier optimistic;
        HarnessRecipient recipient;
        HarnessRecipient valueRecipient;
        HarnessRecipient optimisticRecipient;
        uint64 head;
        uint64 finality;
    }

    /// @notice A message the transport knows about (captured from a gateway, or a reorg replacement).
    struct Envelope {
        bytes message;
        bytes32 id;
        uint32 origin;
        uint32 destination;
        uint32 nonce;
        uint64 blockNumber;
        bool orphaned;
        bool replacement;
    }

    /// @notice A validator set of one origin domain (keys ascending by address).
    struct ValidatorSet {
        uint256[] keys;
        address[] addrs;
        uint8 threshold;
        uint256 version;
    }

    error HarnessUnknownDomain(uint32 id);
    error HarnessNonceGap(uint32 origin, uint32 expected, uint32 actual);

    AccessManager public immutable manager;
    MultisigVerifierFactory public immutable factory;

    uint32[] internal _ids;
    mapping(uint32 id => Domain) internal _domains;
    mapping(address gateway => uint32 id) public domainOfGateway;
    mapping(uint32 origin => ValidatorSet) internal _sets;
    /// @dev multisig(origin -> destination) for the current set of `origin`.
    mapping(uint32 origin => mapping(uint32 destination => address)) public currentMultisig;
    address[] internal _allMultisigs;

    Envelope[] internal _envelopes;
    mapping(bytes32 id => uint256 indexPlusOne) public envelopeOf;
    mapping(uint32 origin => mapping(uint32 destination => uint256[] indexes)) internal _lanes;
    mapping(uint32 origin => mapping(uint32 destination => uint256 next)) public laneCursor;
    mapping(uint32 origin => uint256[] indexes) internal _byOrigin;

    /// @dev Harness view of each origin's canonical chain: leaf per nonce, root after each leaf, incremental tree
    /// (for Merkle-root verifiers and to check the model against the gateway while no reorg happened).
    mapping(uint32 origin => bytes32[] leaves) internal _canonical;
    mapping(uint32 origin => mapping(uint32 nonce => uint256 envelopePlusOne)) internal _canonicalEnvelope;
    mapping(uint32 origin => mapping(uint32 nonce => bytes32 root)) internal _rootAt;
    mapping(uint32 origin => MerkleTree.Tree) internal _trees;
    uint256 public reorgCount;

    /// @param ids Domain ids (EVM chain ids), at least three, distinct, non-zero.
    /// @param finality Finality depth (blocks) of every domain.
    constructor(uint32[] memory ids, uint64 finality) {
        manager = new AccessManager(address(this));
        factory = new MultisigVerifierFactory();
        for (uint256 i = 0; i < ids.length; ++i) {
            _deployDomain(ids[i], finality);
        }
        for (uint256 i = 0; i < ids.length; ++i) {
            _rotate(ids[i], uint256(keccak256(abi.encode("genesis", ids[i]))));
        }
        for (uint256 d = 0; d < ids.length; ++d) {
            _wireDestination(ids[d]);
        }
        vm.recordLogs();
    }

    // ------------------------------------------------------------------------------------------ deployment

    function _deployDomain(uint32 id, uint64 finality) internal {
        Domain storage d = _domains[id];
        d.id = id;
        d.finality = finality;
        d.gateway = new ConcordGateway(id, address(manager), GAS_LIMIT, MAX_BODY);
        d.routing = new RoutingVerifier(address(manager));
        d.pausable = new PausableVerifier(address(manager), d.routing);
        d.rateLimited = new RateLimitedVerifier(address(manager), d.pausable, address(d.gateway));
        d.optimistic = new OptimisticVerifier(address(manager), d.routing);
        d.recipient = new HarnessRecipient(false);
        d.valueRecipient = new HarnessRecipient(true);
        d.optimisticRecipient = new HarnessRecipient(false);
        d.recipient.setGateway(address(d.gateway), true);
        d.valueRecipient.setGateway(address(d.gateway), true);
        d.optimisticRecipient.setGateway(address(d.gateway), true);
        d.optimisticRecipient.setIsm(address(d.optimistic));
        d.optimistic.setWatcher(WATCHER, true);
        domainOfGateway[address(d.gateway)] = id;
        _ids.push(id);
    }

    function _wireDestination(uint32 dest) internal {
        Domain storage d = _domains[dest];
        for (uint256 o = 0; o < _ids.length; ++o) {
            uint32 origin = _ids[o];
            if (origin == dest) continue;
            d.gateway.setRoute(origin, address(d.rateLimited), address(_domains[origin].gateway));
            d.rateLimited.setMessageLimit(origin, MESSAGE_WINDOW, MESSAGE_CAP);
            d.rateLimited.setValueLimit(origin, _b32(address(d.valueRecipient)), VALUE_WINDOW, VALUE_CAP);
            d.optimistic.setWindow(origin, OPTIMISTIC_WINDOW);
            d.optimistic.setOriginGateway(origin, _b32(address(_domains[origin].gateway)));
        }
    }

    /// @dev New validator set for `origin` (derived from `seed`), deployed and routed on every other domain.
    function _rotate(uint32 origin, uint256 seed) internal {
        ValidatorSet storage s = _sets[origin];
        (s.keys, s.addrs) = _keys(seed, VALIDATORS);
        s.threshold = THRESHOLD;
        ++s.version;
        for (uint256 i = 0; i < _ids.length; ++i) {
            uint32 dest = _ids[i];
            if (dest == origin) continue;
            IMultisigVerifier v = factory.deploy(
                IMultisigVerifierFactory.Variant.MESSAGE_ID,
                IMultisigVerifier.Config({
                    origin: origin,
                    originGateway: _b32(address(_domains[origin].gateway)),
                    localDomain: dest,
                    threshold: s.threshold,
                    validators: s.addrs
                })
            );
            currentMultisig[origin][dest] = address(v);
            _allMultisigs.push(address(v));
            _domains[dest].routing.setRoute(origin, IConcordVerifier(address(v)));
        }
    }

    /// @notice Governance (through the AccessManager): rotates `origin`'s validator set on every destination.
    function rotateValidators(uint32 origin, uint256 seed) external {
        _domain(origin);
        _rotate(origin, seed);
    }

    /// @notice Governance: any call made with the AccessManager admin's authority (the harness). Returns whether it
    /// succeeded and its return or revert data.
    function govern(address target, bytes memory data) external returns (bool ok, bytes memory result) {
        (ok, result) = target.call(data);
    }

    /// @notice Switches a harness recipient to fail (or not).
    function setRecipientFailing(HarnessRecipient recipient, bool failing) external {
        recipient.setFailing(failing);
    }

    /// @notice `n` validator keys derived from `seed` (ascending by address), e.g. a set that is NOT configured.
    function keysFor(uint256 seed, uint256 n) external pure returns (uint256[] memory keys, address[] memory addrs) {
        return _keys(seed, n);
    }

    /// @notice `n` keys derived from `seed`, sorted ascending by address.
    function _keys(uint256 seed, uint256 n) internal pure returns (uint256[] memory keys, address[] memory addrs) {
        keys = new uint256[](n);
        addrs = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            keys[i] = (uint256(keccak256(abi.encode("concord.harness.validator", seed, i))) % (_SECP256K1_N - 1)) + 1;
            addrs[i] = vm.addr(keys[i]);
        }
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && addrs[j] < addrs[j - 1]; --j) {
                (addrs[j], addrs[j - 1]) = (addrs[j - 1], addrs[j]);
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ source side

    /// @notice Sends `payload` from `origin` to `recipient` on `destination` (as this harness, the sending app) and
    /// captures the message. Reverts as the gateway does (e.g. outbound paused).
    function dispatch(uint32 origin, uint32 destination, address recipient, bytes memory payload)
        public
        returns (uint256 index)
    {
        vm.recordLogs();
        _domain(origin).gateway.dispatch(destination, _b32(recipient), payload);
        uint256 before = _envelopes.length;
        capture();
        index = _envelopes.length - 1;
        assert(_envelopes.length == before + 1);
    }

    /// @notice Standard payload: `abi.encode(value, salt)`; the first word is the declared value.
    function payloadOf(uint256 value, bytes32 salt) public pure returns (bytes memory) {
        return abi.encode(value, salt);
    }

    /// @notice Moves every `Dispatched` event recorded since the last capture into the lane queues. Each message is
    /// stamped with its origin's current head. Reverts on a nonce gap (I3 as seen by the transport).
    function capture() public returns (uint256 captured) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            uint32 origin = domainOfGateway[logs[i].emitter];
            if (origin == 0 || logs[i].topics[0] != IConcordGateway.Dispatched.selector) continue;
            bytes memory packed = abi.decode(logs[i].data, (bytes));
            uint32 nonce = _nonceOf(packed);
            uint32 expected = uint32(_canonical[origin].length);
            if (nonce != expected) revert HarnessNonceGap(origin, expected, nonce);
            _append(packed, origin, _destinationOf(packed), nonce, _domains[origin].head, false);
            ++captured;
        }
    }

    function _append(
        bytes memory packed,
        uint32 origin,
        uint32 destination,
        uint32 nonce,
        uint64 blockNumber,
        bool replacement
    ) internal returns (uint256 index) {
        bytes32 id = keccak256(packed);
        index = _envelopes.length;
        _envelopes.push(
            Envelope({
                message: packed,
                id: id,
                origin: origin,
                destination: destination,
                nonce: nonce,
                blockNumber: blockNumber,
                orphaned: false,
                replacement: replacement
            })
        );
        envelopeOf[id] = index + 1;
        _lanes[origin][destination].push(index);
        _byOrigin[origin].push(index);
        _canonicalEnvelope[origin][nonce] = index + 1;
        if (nonce == _canonical[origin].length) {
            _canonical[origin].push(id);
            _trees[origin].insert(nonce, id);
            _rootAt[origin][nonce] = _trees[origin].root(uint256(nonce) + 1);
        } else {
            _canonical[origin][nonce] = id; // reorg replacement: the caller rebuilds the tree
        }
    }

    // ------------------------------------------------------------------------------------------ history

    /// @notice Advances domain `id`'s head by `blocks`.
    function mine(uint32 id, uint64 blocks) public {
        _domain(id).head += blocks;
    }

    /// @notice Advances every domain's head by `blocks`.
    function mineAll(uint64 blocks) public {
        for (uint256 i = 0; i < _ids.length; ++i) {
            _domains[_ids[i]].head += blocks;
        }
    }

    /// @notice Orphans every canonical message of domain `id` in its last `k` blocks (block > head - k) and replaces each
    /// by a different message with the same nonce (and header), in the same block. Returns the replacement indexes.
    function reorg(uint32 id, uint64 k) external returns (uint256[] memory replacements) {
        Domain storage d = _domain(id);
        uint256[] storage mine_ = _byOrigin[id];
        uint256 n = mine_.length;
        uint256[] memory tmp = new uint256[](n);
        uint256 count;
        ++reorgCount;
        for (uint256 i = 0; i < n; ++i) {
            Envelope storage e = _envelopes[mine_[i]];
            if (e.orphaned || e.blockNumber + k <= d.head) continue;
            e.orphaned = true;
            tmp[count++] = _append(_replacementOf(e), id, e.destination, e.nonce, e.blockNumber, true);
        }
        replacements = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            replacements[i] = tmp[i];
        }
        if (count > 0) _rebuildTree(id);
    }

    /// @dev Same header, payload `abi.encode(value, salt')`: the declared value is kept, the rest differs.
    function _replacementOf(Envelope storage e) internal view returns (bytes memory) {
        bytes memory m = e.message;
        uint256 value = m.length >= Message.PAYLOAD_OFFSET + 32 ? uint256(_word(m, Message.PAYLOAD_OFFSET)) : 0;
        bytes32 salt = keccak256(abi.encode("concord.harness.reorg", reorgCount, e.id));
        return Message.format(
            Message.VERSION,
            e.nonce,
            e.origin,
            _word(m, Message.SENDER_OFFSET),
            e.destination,
            _word(m, Message.RECIPIENT_OFFSET),
            Message.formatBody(_gasLimitOf(m), abi.encode(value, salt))
        );
    }

    function _rebuildTree(uint32 origin) internal {
        delete _trees[origin];
        bytes32[] storage leaves = _canonical[origin];
        for (uint256 i = 0; i < leaves.length; ++i) {
            _trees[origin].insert(i, leaves[i]);
            _rootAt[origin][uint32(i)] = _trees[origin].root(i + 1);
        }
    }

    // ------------------------------------------------------------------------------------------ validators

    /// @notice Honest validators' metadata for envelope `index`: signed only when the message is canonical and
    /// final on its origin (the validator agent's rule). `ok == false` when they refuse.
    function metadataFor(uint256 index) public view returns (bytes memory metadata, bool ok) {
        Envelope storage e = _envelopes[index];
        if (e.orphaned || !isFinal(index)) return ("", false);
        return (metadataUnchecked(index), true);
    }

    /// @notice Metadata signed by `origin`'s current set for envelope `index`, whatever its finality or whether it
    /// was orphaned (validators that sign too early). Message-id variant: `threshold` signatures over
    /// `CheckpointDigest.digest(domain, KIND_MESSAGE_ID, id, nonce)`, ascending by signer.
    function metadataUnchecked(uint256 index) public view returns (bytes memory) {
        Envelope storage e = _envelopes[index];
        ValidatorSet storage s = _sets[e.origin];
        return _sign(e.origin, CheckpointDigest.KIND_MESSAGE_ID, e.id, e.nonce, s.keys, s.threshold);
    }

    /// @notice Signatures by the first `count` of `keys` over (`kind`, `commitment`, `index`) for `origin`'s gateway.
    function signWith(
        uint32 origin,
        bytes1 kind,
        bytes32 commitment,
        uint32 index,
        uint256[] memory keys,
        uint256 count
    ) public view returns (bytes memory) {
        return _sign(origin, kind, commitment, index, keys, count);
    }

    function _sign(uint32 origin, bytes1 kind, bytes32 commitment, uint32 index, uint256[] memory keys, uint256 count)
        internal
        view
        returns (bytes memory metadata)
    {
        bytes32 digest =
            CheckpointDigest.digest(origin, _b32(address(_domains[origin].gateway)), kind, commitment, index);
        for (uint256 i = 0; i < count; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], digest);
            metadata = bytes.concat(metadata, abi.encodePacked(r, s, v));
        }
    }

    // ------------------------------------------------------------------------------------------ transport

    /// @notice Delivers envelope `index` with `metadata` (as this harness, the relayer). Never reverts.
    function deliver(uint256 index, bytes memory metadata) public returns (bool ok, bytes memory err) {
        Envelope storage e = _envelopes[index];
        try _domains[e.destination].gateway.process(metadata, e.message) {
            ok = true;
        } catch (bytes memory reason) {
            err = reason;
        }
    }

    /// @notice Relayer that respects finality: delivers envelope `index` with honest metadata if validators sign it.
    function relay(uint256 index) public returns (bool ok, bytes memory err) {
        (bytes memory metadata, bool signed) = metadataFor(index);
        if (!signed) return (false, "");
        return deliver(index, metadata);
    }

    /// @notice Relays the next message of lane (origin -> destination) in queue order; skips nothing: stops at the
    /// first message that is not final yet. Returns the envelope index delivered (or type(uint256).max).
    function relayNext(uint32 origin, uint32 destination) public returns (uint256 index, bool ok) {
        uint256[] storage lane = _lanes[origin][destination];
        uint256 cursor = laneCursor[origin][destination];
        while (cursor < lane.length && _skippable(lane[cursor])) {
            ++cursor;
        }
        laneCursor[origin][destination] = cursor;
        if (cursor >= lane.length) return (type(uint256).max, false);
        index = lane[cursor];
        (ok,) = relay(index);
        if (ok) laneCursor[origin][destination] = cursor + 1;
    }

    /// @dev Orphaned, or already recorded (EXECUTED / FAILED) on the destination.
    function _skippable(uint256 index) internal view returns (bool) {
        Envelope storage e = _envelopes[index];
        return e.orphaned || _domains[e.destination].gateway.status(e.message) != IConcordGateway.MessageStatus.NONE;
    }

    /// @notice Relays every final canonical message of lane (origin -> destination), in reverse order (out of order
    /// on purpose). Returns how many were delivered.
    function relayAllReversed(uint32 origin, uint32 destination) public returns (uint256 delivered) {
        uint256[] storage lane = _lanes[origin][destination];
        for (uint256 i = lane.length; i > 0; --i) {
            (bool ok,) = relay(lane[i - 1]);
            if (ok) ++delivered;
        }
    }

    // ------------------------------------------------------------------------------------------ views

    function domainIds() external view returns (uint32[] memory) {
        return _ids;
    }

    function domain(uint32 id) external view returns (Domain memory) {
        return _domain(id);
    }

    function gateway(uint32 id) external view returns (ConcordGateway) {
        return _domain(id).gateway;
    }

    function envelopeCount() external view returns (uint256) {
        return _envelopes.length;
    }

    function envelope(uint256 index) external view returns (Envelope memory) {
        return _envelopes[index];
    }

    function message(uint256 index) external view returns (bytes memory) {
        return _envelopes[index].message;
    }

    function laneLength(uint32 origin, uint32 destination) external view returns (uint256) {
        return _lanes[origin][destination].length;
    }

    function laneAt(uint32 origin, uint32 destination, uint256 i) external view returns (uint256) {
        return _lanes[origin][destination][i];
    }

    /// @notice Number of canonical nonces of `origin` (== its gateway's nonce while the model is consistent).
    function canonicalCount(uint32 origin) external view returns (uint256) {
        return _canonical[origin].length;
    }

    function canonicalRoot(uint32 origin, uint32 nonce) external view returns (bytes32) {
        return _rootAt[origin][nonce];
    }

    /// @notice The canonical envelope at (origin, nonce), as index + 1 (0: none).
    function canonicalEnvelope(uint32 origin, uint32 nonce) external view returns (uint256) {
        return _canonicalEnvelope[origin][nonce];
    }

    function isFinal(uint256 index) public view returns (bool) {
        Envelope storage e = _envelopes[index];
        Domain storage d = _domains[e.origin];
        return d.head >= e.blockNumber + d.finality;
    }

    function validatorSet(uint32 origin) external view returns (ValidatorSet memory) {
        return _sets[origin];
    }

    function allMultisigs() external view returns (address[] memory) {
        return _allMultisigs;
    }

    /// @notice The recipient a message was sent to, as a `HarnessRecipient`.
    function recipientOf(uint256 index) public view returns (HarnessRecipient) {
        return HarnessRecipient(address(uint160(uint256(_word(_envelopes[index].message, Message.RECIPIENT_OFFSET)))));
    }

    /// @notice Successful executions of envelope `index` at its recipient.
    function executions(uint256 index) external view returns (uint256) {
        return recipientOf(index).executions(_envelopes[index].id);
    }

    function status(uint256 index) external view returns (IConcordGateway.MessageStatus) {
        Envelope storage e = _envelopes[index];
        return _domains[e.destination].gateway.status(e.message);
    }

    // ------------------------------------------------------------------------------------------ helpers

    function _domain(uint32 id) internal view returns (Domain storage d) {
        d = _domains[id];
        if (address(d.gateway) == address(0)) revert HarnessUnknownDomain(id);
    }

    function _b32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    function _word(bytes memory m, uint256 offset) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(m, 0x20), offset))
        }
    }

    function _nonceOf(bytes memory m) internal pure returns (uint32) {
        return uint32(uint256(_word(m, Message.NONCE_OFFSET)) >> 224);
    }

    function _destinationOf(bytes memory m) internal pure returns (uint32) {
        return uint32(uint256(_word(m, Message.DESTINATION_OFFSET)) >> 224);
    }

    function _gasLimitOf(bytes memory m) internal pure returns (uint32) {
        return uint32(uint256(_word(m, Message.GAS_LIMIT_OFFSET)) >> 224);
    }
}
