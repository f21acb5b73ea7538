// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {IRangeCheckpointMultisigVerifier} from "../../../contracts/interfaces/IRangeCheckpointMultisigVerifier.sol";
import {MultisigVerifierFactory} from "../../../contracts/isms/MultisigVerifierFactory.sol";
import {CheckpointDigest} from "../../../contracts/libraries/CheckpointDigest.sol";
import {ConcordBatchProcessor} from "../../../contracts/periphery/ConcordBatchProcessor.sol";
import {RangeCheckpointTree} from "../../isms/RangeCheckpointTree.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice TEST ONLY: records every delivery it receives (the ground truth of the invariants).
contract RangeInvariantRecipient is IERC7786Recipient {
    mapping(bytes32 id => uint256) public count;
    bytes32[] public deliveredIds;

    /// @inheritdoc IERC7786Recipient
    function receiveMessage(bytes32 id, bytes calldata, bytes calldata) external payable returns (bytes4) {
        if (count[id]++ == 0) deliveredIds.push(id);
        return IERC7786Recipient.receiveMessage.selector;
    }

    function deliveredCount() external view returns (uint256) {
        return deliveredIds.length;
    }
}

/// @notice TEST ONLY: the fixture and every actor of the range-checkpoint invariant suite (README.md): a source gateway
/// that dispatches for real, the destination gateway whose route verifier is a 3-of-5 range-checkpoint verifier, the
/// validators (honest, or a quorum that signs conflicting or mis-positioned ranges), relayers (one message or a batch,
/// with or without signatures) and attackers (forged signatures, wrong positions, shifted ranges, replays, flipped
/// bits, unsigned roots).
contract RangeCheckpointHandler is CommonBase, StdUtils {
    uint32 public constant SRC = 1;
    uint32 public constant DST = 10;
    uint8 public constant K = 3;
    uint256 internal constant MAX_MESSAGES = 160;
    uint256 internal constant MAX_RANGE = 40;

    struct Range {
        uint32 first;
        uint32 last;
        bytes32 root;
        bytes32[] leaves;
        bytes[] leafMessages;
    }

    ConcordGateway public immutable source;
    ConcordGateway public immutable destination;
    IRangeCheckpointMultisigVerifier public immutable verifier;
    ConcordBatchProcessor public immutable batcher;
    RangeInvariantRecipient public immutable recipient;

    uint256[] internal _validatorKeys; // ascending by address
    uint256[] internal _outsiderKeys;

    bytes[] internal _messages; // genuine, index = nonce
    Range[] internal _ranges; // quorum-signed (honest or not)
    uint256 internal _forgeries;

    /// @notice Every message the handler ever built (genuine or forged), with its nonce.
    mapping(bytes32 id => bool) public known;
    mapping(bytes32 id => uint32) public nonceOf;
    /// @notice keccak256(id, nonce): a quorum signed a range holding `id` at position `nonce - first`.
    mapping(bytes32 key => bool) public signedAt;
    /// @notice Range digests a quorum signed (honest or not).
    mapping(bytes32 digest => bool) public quorumSigned;
    /// @notice Ranges attackers presented with forged signatures: recorded only if a quorum signed them too.
    Range[] internal _forged;

    mapping(bytes32 name => uint256) public counters;
    string[] public violations;

    constructor() {
        AccessManager manager = new AccessManager(address(this));
        source = new ConcordGateway(SRC, address(manager), 200_000, 64 * 1024);
        destination = new ConcordGateway(DST, address(manager), 200_000, 64 * 1024);
        recipient = new RangeInvariantRecipient();
        batcher = new ConcordBatchProcessor();
        address[] memory set = new address[](5);
        uint256[] memory keys = new uint256[](5);
        for (uint256 i = 0; i < 5; ++i) {
            keys[i] = uint256(keccak256(abi.encode("range.validator", i)));
            set[i] = vm.addr(keys[i]);
        }
        _sortByAddress(keys, set);
        _validatorKeys = keys;
        for (uint256 i = 0; i < 3; ++i) {
            _outsiderKeys.push(uint256(keccak256(abi.encode("range.outsider", i))));
        }
        MultisigVerifierFactory factory = new MultisigVerifierFactory();
        verifier = IRangeCheckpointMultisigVerifier(
            address(
                factory.deploy(
                    IMultisigVerifierFactory.Variant.RANGE_CHECKPOINT,
                    IMultisigVerifier.Config({
                        origin: SRC,
                        originGateway: bytes32(uint256(uint160(address(source)))),
                        localDomain: DST,
                        threshold: K,
                        validators: set
                    })
                )
            )
        );
        destination.setRoute(SRC, address(verifier), address(source));
        for (uint256 i = 0; i < 8; ++i) {
            _dispatchOne();
        }
    }

    // ------------------------------------------------------------------------------------------ actions

    /// @notice The origin dispatches 1..6 messages.
    function dispatch(uint256 count) external {
        count = bound(count, 1, 6);
        for (uint256 i = 0; i < count && _messages.length < MAX_MESSAGES; ++i) {
            _dispatchOne();
        }
        _count("dispatch");
    }

    /// @notice A quorum signs a range: honest (mode 0, 2), with one leaf replaced by a forged message of the same
    /// nonce (mode 1: a conflicting range), or with two leaves swapped (mode 3: mis-positioned). Sometimes recorded at
    /// once with `verifyRange`, otherwise left to a delivery carrying the signatures.
    function signRange(uint256 firstSeed, uint256 lengthSeed, uint256 mode, bool recordNow) external {
        (uint32 first, uint256 n) = _pick(firstSeed, lengthSeed);
        mode = mode % 4;
        Range storage r = _ranges.push();
        r.first = first;
        // forge-lint: disable-next-line(unsafe-typecast) first + n - 1 < _messages.length <= MAX_MESSAGES
        r.last = uint32(first + n - 1);
        for (uint256 i = 0; i < n; ++i) {
            r.leafMessages.push(_messages[first + i]);
        }
        if (mode == 1) {
            uint256 at = bound(lengthSeed >> 8, 0, n - 1);
            r.leafMessages[at] = _forge(r.leafMessages[at]);
        } else if (mode == 3 && n > 1) {
            uint256 a = bound(lengthSeed >> 8, 0, n - 1);
            uint256 b = (a + 1 + bound(lengthSeed >> 16, 0, n - 2)) % n;
            // Copies to memory first: a tuple of storage `bytes` would swap references, not contents.
            bytes memory atA = r.leafMessages[a];
            bytes memory atB = r.leafMessages[b];
            (r.leafMessages[a], r.leafMessages[b]) = (atB, atA);
        }
        for (uint256 i = 0; i < n; ++i) {
            bytes32 id = keccak256(r.leafMessages[i]);
            r.leaves.push(id);
            signedAt[keccak256(abi.encode(id, first + i))] = true;
        }
        r.root = RangeCheckpointTree.root(r.leaves);
        quorumSigned[verifier.rangeDigest(r.first, r.last, r.root)] = true;
        if (recordNow) {
            verifier.verifyRange(r.first, r.last, r.root, _quorum(r.first, r.last, r.root));
            if (!verifier.rangeVerified(r.first, r.last, r.root)) _violate("verifyRange did not record");
        }
        _count(
            mode == 1 ? bytes32("signConflicting") : mode == 3 && n > 1 ? bytes32("signSwapped") : bytes32("signHonest")
        );
    }

    /// @notice A relayer delivers one message of a signed range (with or without the signatures), or a slice of the
    /// range through the batch processor (the first item carrying the signatures if asked). An honest delivery (leaf
    /// at its own nonce, not yet delivered, range recorded or signatures given) must succeed.
    function deliver(uint256 rangeSeed, uint256 positionSeed, bool withSignatures, bool viaBatch) external {
        if (_ranges.length == 0) return;
        Range storage r = _ranges[bound(rangeSeed, 0, _ranges.length - 1)];
        uint256 p = bound(positionSeed, 0, r.leaves.length - 1);
        bytes memory sigs = withSignatures ? _quorum(r.first, r.last, r.root) : bytes("");
        if (!viaBatch) {
            bool honest = _deliverable(r, p, withSignatures);
            bool ok = _process(_metadata(r, p, sigs), r.leafMessages[p]);
            if (honest && !ok) _violate("an honest single delivery failed");
            _count(ok ? bytes32("deliver.ok") : bytes32("deliver.refused"));
            return;
        }
        uint256 m = bound(positionSeed >> 8, 1, r.leaves.length - p);
        bytes[] memory metas = new bytes[](m);
        bytes[] memory batch = new bytes[](m);
        bool[] memory expected = new bool[](m);
        bool recorded = verifier.rangeVerified(r.first, r.last, r.root);
        for (uint256 i = 0; i < m; ++i) {
            metas[i] = _metadata(r, p + i, i == 0 ? sigs : bytes(""));
            batch[i] = r.leafMessages[p + i];
            bool fresh = !_deliveredOrDuplicate(batch, i);
            // Item 0 with signatures records the range for the rest of the batch if it reaches the verifier (not a
            // replay: the gateway checks that first) and its own proof holds (the signatures are checked after it).
            if (i == 0) {
                expected[0] = _ownPosition(r, p) && (recorded || withSignatures) && fresh;
                recorded = recorded || (withSignatures && _ownPosition(r, p) && fresh);
            } else {
                expected[i] = _ownPosition(r, p + i) && recorded && fresh;
            }
        }
        uint256 failedMask = batcher.processBatch(IConcordGateway(address(destination)), metas, batch);
        for (uint256 i = 0; i < m; ++i) {
            if (expected[i] && (failedMask >> i) & 1 == 1) _violate("an honest batch item failed");
        }
        _count("deliverBatch");
    }

    /// @notice Attacker: a range over genuine or forged ids "signed" by outsiders, by k - 1 validators and an
    /// outsider, by k signatures with a duplicate, or the quorum's signatures of another range presented for this
    /// one; through `verifyRange` and through a delivery carrying them. Nothing may be recorded or delivered.
    function forgeRange(uint256 firstSeed, uint256 lengthSeed, uint256 mode, bool forgedLeaf) external {
        (uint32 first, uint256 n) = _pick(firstSeed, lengthSeed);
        Range memory r = _unsignedRange(first, n, forgedLeaf ? bound(lengthSeed >> 8, 0, n - 1) : type(uint256).max);
        bytes32 digest = verifier.rangeDigest(r.first, r.last, r.root);
        bytes memory sigs;
        mode = mode % 4;
        if (mode == 0) {
            sigs = _signWith(_outsiderKeys, digest, 3);
        } else if (mode == 1) {
            sigs = _belowQuorum(digest);
        } else if (mode == 2) {
            sigs = _withDuplicate(digest);
        } else {
            // The quorum's signatures over (first, last + 1) with the same root.
            sigs = _quorum(r.first, r.last + 1, r.root);
        }
        _forged.push(r);
        try verifier.verifyRange(r.first, r.last, r.root, sigs) {
            _violate("verifyRange accepted forged signatures");
        } catch {}
        // Signatures, when present, are always checked: forged ones fail even for a recorded range.
        uint256 p = bound(lengthSeed >> 16, 0, n - 1);
        if (_process(_metadata(r, p, sigs), r.leafMessages[p])) {
            _violate("a delivery with forged signatures succeeded");
        }
        _count("forgeRange");
    }

    /// @notice Attacker: a message of a signed range with the proof of another position, under a shifted range, or
    /// a forged message with the proof of its nonce's genuine leaf.
    function wrongPosition(uint256 rangeSeed, uint256 positionSeed, uint256 mode, bool withSignatures) external {
        if (_ranges.length == 0) return;
        Range storage r = _ranges[bound(rangeSeed, 0, _ranges.length - 1)];
        uint256 n = r.leaves.length;
        uint256 p = bound(positionSeed, 0, n - 1);
        bytes memory sigs = withSignatures ? _quorum(r.first, r.last, r.root) : bytes("");
        bytes memory message = r.leafMessages[p];
        bytes memory metadata;
        mode = mode % 3;
        if (mode == 0) {
            if (n == 1) return;
            uint256 q = (p + 1 + bound(positionSeed >> 8, 0, n - 2)) % n;
            metadata = _metadata(r, q, sigs);
        } else if (mode == 1) {
            if (r.last == type(uint32).max || r.first == 0) return;
            bool up = positionSeed & 1 == 1;
            metadata = RangeCheckpointTree.metadata(
                up ? r.first + 1 : r.first - 1,
                up ? r.last + 1 : r.last - 1,
                RangeCheckpointTree.proof(r.leaves, p),
                sigs
            );
        } else {
            message = _forge(message);
            metadata = _metadata(r, p, sigs);
        }
        if (_process(metadata, message)) _violate("a message was accepted with another position's proof");
        _count("wrongPosition");
    }

    /// @notice Attacker: a delivered message again, with its valid proof (and signatures or not), directly or via the
    /// batch processor (twice in one batch).
    function replay(uint256 rangeSeed, uint256 positionSeed, bool viaBatch) external {
        if (_ranges.length == 0) return;
        Range storage r = _ranges[bound(rangeSeed, 0, _ranges.length - 1)];
        uint256 p = bound(positionSeed, 0, r.leaves.length - 1);
        bytes memory message = r.leafMessages[p];
        if (recipient.count(keccak256(message)) == 0) return;
        bytes memory metadata = _metadata(r, p, _quorum(r.first, r.last, r.root));
        if (!viaBatch) {
            if (_process(metadata, message)) _violate("a replay was delivered");
        } else {
            bytes[] memory metas = new bytes[](2);
            bytes[] memory batch = new bytes[](2);
            (metas[0], metas[1], batch[0], batch[1]) = (metadata, metadata, message, message);
            if (batcher.processBatch(IConcordGateway(address(destination)), metas, batch) != 3) {
                _violate("a batched replay was delivered");
            }
        }
        _count("replay");
    }

    /// @notice Attacker: one flipped bit anywhere in the metadata (header, proof, signatures) of an undelivered
    /// message of a signed range.
    function flipBit(uint256 rangeSeed, uint256 positionSeed, uint256 at, uint8 bit, bool withSignatures) external {
        if (_ranges.length == 0) return;
        Range storage r = _ranges[bound(rangeSeed, 0, _ranges.length - 1)];
        uint256 p = bound(positionSeed, 0, r.leaves.length - 1);
        bytes memory metadata = _metadata(r, p, withSignatures ? _quorum(r.first, r.last, r.root) : bytes(""));
        at = bound(at, 0, metadata.length - 1);
        metadata[at] ^= bytes1(uint8(1) << (bit % 8));
        if (_process(metadata, r.leafMessages[p])) _violate("metadata with a flipped bit was accepted");
        _count("flipBit");
    }

    // ------------------------------------------------------------------------------------------- views

    function rangeCount() external view returns (uint256) {
        return _ranges.length;
    }

    function forgedCount() external view returns (uint256) {
        return _forged.length;
    }

    /// @notice Forged range `i` (first, last, root).
    function forgedAt(uint256 i) external view returns (uint32, uint32, bytes32) {
        Range storage r = _forged[i];
        return (r.first, r.last, r.root);
    }

    function violationCount() external view returns (uint256) {
        return violations.length;
    }

    // ------------------------------------------------------------------------------------------ helpers

    function _dispatchOne() internal {
        vm.recordLogs();
        bytes32 id = source.dispatch(
            DST, bytes32(uint256(uint160(address(recipient)))), abi.encode(keccak256(abi.encode(_messages.length)))
        );
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes memory message = abi.decode(logs[logs.length - 1].data, (bytes));
        _remember(message);
        if (keccak256(message) != id) _violate("dispatched id mismatch");
        _messages.push(message);
    }

    /// @dev The same message (same nonce, header and gas limit) with another 32-byte payload: a forgery.
    function _forge(bytes memory genuine) internal returns (bytes memory forged) {
        forged = bytes.concat(genuine);
        bytes32 noise = keccak256(abi.encode("forged", ++_forgeries));
        assembly {
            mstore(add(forged, mload(forged)), noise) // the last 32 bytes: the payload
        }
        _remember(forged);
    }

    function _remember(bytes memory message) internal {
        bytes32 id = keccak256(message);
        uint32 nonce;
        assembly {
            nonce := shr(224, mload(add(message, 0x21)))
        }
        known[id] = true;
        nonceOf[id] = nonce;
    }

    /// @dev A range inside the dispatched messages: first < count, length 1..min(MAX_RANGE, count - first).
    function _pick(uint256 firstSeed, uint256 lengthSeed) internal view returns (uint32 first, uint256 n) {
        // forge-lint: disable-next-line(unsafe-typecast) below _messages.length <= MAX_MESSAGES
        first = uint32(bound(firstSeed, 0, _messages.length - 1));
        uint256 room = _messages.length - first;
        n = bound(lengthSeed, 1, room < MAX_RANGE ? room : MAX_RANGE);
    }

    function _unsignedRange(uint32 first, uint256 n, uint256 forgedPosition) internal returns (Range memory r) {
        r.first = first;
        // forge-lint: disable-next-line(unsafe-typecast) first + n - 1 < _messages.length
        r.last = uint32(first + n - 1);
        r.leaves = new bytes32[](n);
        r.leafMessages = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            r.leafMessages[i] = i == forgedPosition ? _forge(_messages[first + i]) : _messages[first + i];
            r.leaves[i] = keccak256(r.leafMessages[i]);
        }
        r.root = RangeCheckpointTree.root(r.leaves);
    }

    function _metadata(Range memory r, uint256 p, bytes memory sigs) internal pure returns (bytes memory) {
        return RangeCheckpointTree.metadata(r.first, r.last, RangeCheckpointTree.proof(r.leaves, p), sigs);
    }

    function _process(bytes memory metadata, bytes memory message) internal returns (bool ok) {
        try destination.process(metadata, message) {
            ok = true;
        } catch {}
    }

    /// @dev The leaf at position `p` is a message whose own nonce is `first + p`.
    function _ownPosition(Range storage r, uint256 p) internal view returns (bool) {
        return nonceOf[r.leaves[p]] == r.first + p;
    }

    function _deliverable(Range storage r, uint256 p, bool withSignatures) internal view returns (bool) {
        return _ownPosition(r, p) && (withSignatures || verifier.rangeVerified(r.first, r.last, r.root))
            && !destination.delivered(SRC, nonceOf[r.leaves[p]]);
    }

    /// @dev Item `i` of a batch would hit the replay guard: its nonce was delivered, or an earlier item has it.
    function _deliveredOrDuplicate(bytes[] memory batch, uint256 i) internal view returns (bool) {
        uint32 nonce = nonceOf[keccak256(batch[i])];
        if (destination.delivered(SRC, nonce)) return true;
        for (uint256 j = 0; j < i; ++j) {
            if (nonceOf[keccak256(batch[j])] == nonce) return true;
        }
        return false;
    }

    function _quorum(uint32 first, uint32 last, bytes32 root) internal view returns (bytes memory) {
        return _signWith(_validatorKeys, verifier.rangeDigest(first, last, root), K);
    }

    /// @dev Signatures of the first `k` of `keys` (which are sorted by address only for the validators).
    function _signWith(uint256[] memory keys, bytes32 digest, uint256 k) internal pure returns (bytes memory sigs) {
        for (uint256 i = 0; i < k; ++i) {
            (uint8 v, bytes32 rr, bytes32 s) = vm.sign(keys[i], digest);
            sigs = bytes.concat(sigs, abi.encodePacked(rr, s, v));
        }
    }

    /// @dev k - 1 validators and one outsider, sorted by signer address.
    function _belowQuorum(bytes32 digest) internal view returns (bytes memory sigs) {
        uint256[] memory keys = new uint256[](K);
        address[] memory addrs = new address[](K);
        for (uint256 i = 0; i < K - 1; ++i) {
            keys[i] = _validatorKeys[i];
        }
        keys[K - 1] = _outsiderKeys[0];
        for (uint256 i = 0; i < K; ++i) {
            addrs[i] = vm.addr(keys[i]);
        }
        _sortByAddress(keys, addrs);
        return _signWith(keys, digest, K);
    }

    function _withDuplicate(bytes32 digest) internal view returns (bytes memory sigs) {
        uint256[] memory keys = new uint256[](K);
        keys[0] = _validatorKeys[0];
        keys[1] = _validatorKeys[1];
        keys[2] = _validatorKeys[1];
        return _signWith(keys, digest, K);
    }

    function _sortByAddress(uint256[] memory keys, address[] memory addrs) internal pure {
        for (uint256 i = 1; i < keys.length; ++i) {
            for (uint256 j = i; j > 0 && addrs[j] < addrs[j - 1]; --j) {
                (addrs[j], addrs[j - 1]) = (addrs[j - 1], addrs[j]);
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }

    function _count(bytes32 name) internal {
        ++counters[name];
    }

    function _violate(string memory reason) internal {
        violations.push(reason);
    }
}
