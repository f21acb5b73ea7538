// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {IHeaderOracle} from "../interfaces/IHeaderOracle.sol";
import {IStateProofVerifier, STATE_PROOF_MODULE_TYPE} from "../interfaces/IStateProofVerifier.sol";
import {MerkleTree} from "../libraries/MerkleTree.sol";
import {Message} from "../libraries/Message.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Memory} from "@openzeppelin/contracts/utils/Memory.sol";
import {RLP} from "@openzeppelin/contracts/utils/RLP.sol";
import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";

/// @title StateProofVerifier
/// @notice Accepts a message when, under a source state root that the {IHeaderOracle} accepted:
///  1. the account proof (`eth_getProof().accountProof`) proves the origin gateway's account and so its
///     storage root;
///  2. the storage proof (`eth_getProof().storageProof[0].proof`) proves the value of the configured root
///     slot: the gateway's message-tree root, nonzero;
///  3. the message id is included under that root at `index` (32 siblings, `MerkleTree.branchRoot`).
/// Merkle-Patricia traversal is OpenZeppelin's `TrieProof`, RLP decoding OpenZeppelin's `RLP`.
///
/// Design choice: the gateway stores its tree as branches + count, not the root. Two source kinds:
///  - ROOT_SLOT (recommended for new gateways, and the only kind with single-transaction full proofs):
///    the gateway keeps its latest root in one dedicated slot, configured per origin (so ERC-7201
///    namespaced layouts work); one storage proof per state root. Any later root includes every earlier
///    message (append-only tree), so the latest root at any accepted block proves all messages up to it.
///  - TREE (exact, for gateways that store only the tree, like `ConcordGateway`): {proveTreeRoot} proves
///    the count and the branch slots of its set bits (<= 33 storage proofs) and recomputes the root as
///    `MerkleTree.root` does. It is expensive, so it only fills the cache; messages then use cached metadata.
///
/// A root proven once can be cached with {proveRoot}; messages under it then carry only their inclusion
/// proof. Both paths re-check that the state root is still accepted, so revoking a header (reorg) also
/// disables the roots cached from it; changing an origin's source discards its cache.
///
/// Trust: exactly the header oracle's (see {HeaderOracle}) plus the correctness of the configured gateway
/// address and slot.
contract StateProofVerifier is IStateProofVerifier, AccessManaged {
    using RLP for bytes;
    using RLP for Memory.Slice;

    /// @dev Cached metadata: `uint32 index` then 32 siblings.
    uint256 internal constant _CACHED_METADATA_LENGTH = 4 + 32 * MerkleTree.DEPTH;
    /// @dev Head of full metadata: stateRoot, two offsets, index, 32 inline siblings.
    uint256 internal constant _FULL_METADATA_HEAD_LENGTH = 4 * 32 + 32 * MerkleTree.DEPTH;
    /// @dev Byte offset of the index word and of the siblings in full metadata.
    uint256 internal constant _FULL_INDEX_OFFSET = 96;
    uint256 internal constant _FULL_SIBLINGS_OFFSET = 128;

    /// @dev Stored source. `epoch` increments on every change, so cached roots of an old config are
    /// unreachable. Slot 0 (read on every path): gateway | epoch | kind.
    struct SourceConfig {
        address gateway;
        uint88 epoch;
        SourceKind kind;
        bytes32 rootSlot;
        bytes32 countSlot;
        bytes32 branchSlot;
        uint8 countOffset;
    }

    IHeaderOracle internal immutable _HEADER_ORACLE;
    mapping(uint32 origin => SourceConfig config) internal _sources;
    /// @dev The origin gateway bound to each origin by its first source; never changes.
    mapping(uint32 origin => address gateway) internal _boundGateways;
    mapping(uint32 origin => mapping(uint88 epoch => mapping(bytes32 root => bytes32 stateRoot))) internal _provenRoots;

    /// @param initialAuthority The AccessManager that gates {setSource}.
    /// @param headerOracle_ The registry of accepted source state roots.
    constructor(address initialAuthority, IHeaderOracle headerOracle_) AccessManaged(initialAuthority) {
        if (address(headerOracle_) == address(0)) revert StateProofVerifierZeroOracle();
        _HEADER_ORACLE = headerOracle_;
    }

    // ---------------------------------------------------------------- IConcordVerifier

    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return STATE_PROOF_MODULE_TYPE;
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Reverts with a reason instead of returning false. Full metadata whose offsets point outside the
    /// data reverts in the ABI decoder without a reason.
    function verify(bytes calldata metadata, bytes calldata message) external view returns (bool) {
        if (message.length < Message.BODY_OFFSET) revert StateProofVerifierMalformedMessage();
        uint32 origin = Message.origin(message);
        SourceConfig storage source = _sources[origin];
        SourceKind kind = source.kind;
        if (kind == SourceKind.NONE) revert StateProofVerifierUnknownOrigin(origin);
        bytes32 id = keccak256(message);

        if (metadata.length == _CACHED_METADATA_LENGTH) {
            uint256 cachedIndex = uint32(bytes4(metadata[0:4]));
            bytes32[32] calldata cachedSiblings;
            assembly ("memory-safe") {
                // A bytes32[32] calldata value is an offset: the siblings follow the 4-byte index.
                cachedSiblings := add(metadata.offset, 4)
            }
            bytes32 cachedRoot = MerkleTree.branchRoot(id, cachedSiblings, cachedIndex);
            bytes32 cachedStateRoot = _provenRoots[origin][source.epoch][cachedRoot];
            if (cachedStateRoot == bytes32(0)) revert StateProofVerifierRootNotProven(origin, cachedRoot);
            _requireAcceptedStateRoot(origin, cachedStateRoot);
            return true;
        }

        if (kind != SourceKind.ROOT_SLOT) revert StateProofVerifierWrongSourceKind(origin, kind);
        if (metadata.length < _FULL_METADATA_HEAD_LENGTH) revert StateProofVerifierMalformedMetadata();
        bytes32 stateRoot = bytes32(metadata[0:32]);
        uint256 index = uint256(bytes32(metadata[_FULL_INDEX_OFFSET:_FULL_SIBLINGS_OFFSET]));
        if (index > type(uint32).max) revert StateProofVerifierMalformedMetadata();
        _requireAcceptedStateRoot(origin, stateRoot);

        // The head prefix (stateRoot, offset, offset) decodes as a tuple; index and siblings are read in place.
        bytes[] memory accountProof;
        bytes[] memory storageProof;
        (, accountProof, storageProof) = abi.decode(metadata, (bytes32, bytes[], bytes[]));
        bytes32 root =
            _proveSlot(_proveStorageRoot(stateRoot, source.gateway, accountProof), source.rootSlot, storageProof);

        bytes32[32] calldata siblings;
        assembly ("memory-safe") {
            // The static bytes32[32] sits inline in the ABI head, after stateRoot, two offsets and index.
            siblings := add(metadata.offset, _FULL_SIBLINGS_OFFSET)
        }
        if (MerkleTree.branchRoot(id, siblings, index) != root) revert StateProofVerifierNotIncluded(id, root);
        return true;
    }

    /// @inheritdoc IConcordVerifier
    /// @dev The gateway bound by the origin's first source (kept when the source is later removed).
    function originGatewayFor(uint32 origin) external view returns (bytes32) {
        return bytes32(uint256(uint160(_boundGateways[origin])));
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Proofs hold for ever: nothing to re-check at retry time.
    function authorizeRetry(bytes calldata) external pure returns (bool) {
        return true;
    }

    // ---------------------------------------------------------------- IStateProofVerifier

    /// @inheritdoc IStateProofVerifier
    function setSource(uint32 origin, address gateway, bytes32 rootSlot) external restricted {
        SourceKind kind = gateway == address(0) ? SourceKind.NONE : SourceKind.ROOT_SLOT;
        _setSource(origin, gateway, kind, rootSlot, bytes32(0), 0, bytes32(0));
    }

    /// @inheritdoc IStateProofVerifier
    function setTreeSource(uint32 origin, address gateway, bytes32 countSlot, uint8 countOffset, bytes32 branchSlot)
        external
        restricted
    {
        if (countOffset > 224) revert StateProofVerifierInvalidCountOffset(countOffset);
        SourceKind kind = gateway == address(0) ? SourceKind.NONE : SourceKind.TREE;
        _setSource(origin, gateway, kind, bytes32(0), countSlot, countOffset, branchSlot);
    }

    /// @inheritdoc IStateProofVerifier
    function proveRoot(uint32 origin, bytes32 stateRoot, bytes[] calldata accountProof, bytes[] calldata storageProof)
        external
        returns (bytes32 root)
    {
        SourceConfig storage source = _requireSource(origin, SourceKind.ROOT_SLOT);
        _requireAcceptedStateRoot(origin, stateRoot);
        root = _proveSlot(_proveStorageRoot(stateRoot, source.gateway, accountProof), source.rootSlot, storageProof);
        _cache(origin, source.epoch, root, stateRoot);
    }

    /// @inheritdoc IStateProofVerifier
    /// @dev Mirrors `MerkleTree.root`: for each level, a set count bit hashes the proven branch on the left,
    /// a clear bit hashes the zero subtree on the right. Stale branch slots of clear bits are never read.
    function proveTreeRoot(
        uint32 origin,
        bytes32 stateRoot,
        bytes[] calldata accountProof,
        bytes[] calldata countProof,
        bytes[][] calldata branchProofs
    ) external returns (bytes32 root) {
        SourceConfig storage source = _requireSource(origin, SourceKind.TREE);
        _requireAcceptedStateRoot(origin, stateRoot);
        bytes32 storageRoot = _proveStorageRoot(stateRoot, source.gateway, accountProof);

        bytes32 countSlot = source.countSlot;
        // The leaf count is the 32 bits at `countOffset` (ConcordGateway packs it at bit 160 of `_core`).
        uint256 count =
            (uint256(_proveSlot(storageRoot, countSlot, countProof)) >> source.countOffset) & type(uint32).max;
        if (count == 0) revert StateProofVerifierZeroValue(countSlot);
        root = _treeRoot(storageRoot, count, uint256(source.branchSlot), branchProofs);
        _cache(origin, source.epoch, root, stateRoot);
    }

    /// @inheritdoc IStateProofVerifier
    function headerOracle() external view returns (IHeaderOracle) {
        return _HEADER_ORACLE;
    }

    /// @inheritdoc IStateProofVerifier
    function sourceOf(uint32 origin) external view returns (Source memory) {
        SourceConfig storage source = _sources[origin];
        return
            Source(
                source.kind, source.gateway, source.rootSlot, source.countSlot, source.countOffset, source.branchSlot
            );
    }

    /// @inheritdoc IStateProofVerifier
    function provenRootStateRoot(uint32 origin, bytes32 root) external view returns (bytes32) {
        return _provenRoots[origin][_sources[origin].epoch][root];
    }

    // ---------------------------------------------------------------- internal

    /// @dev Reverts unless the header oracle currently accepts `stateRoot` for `origin`.
    function _requireAcceptedStateRoot(uint32 origin, bytes32 stateRoot) internal view {
        if (!_HEADER_ORACLE.isStateRootAccepted(origin, stateRoot)) {
            revert StateProofVerifierStateRootNotAccepted(origin, stateRoot);
        }
    }

    /// @dev Stores a source config under a new epoch.
    function _setSource(
        uint32 origin,
        address gateway,
        SourceKind kind,
        bytes32 rootSlot,
        bytes32 countSlot,
        uint8 countOffset,
        bytes32 branchSlot
    ) internal {
        if (gateway != address(0)) {
            address bound = _boundGateways[origin];
            if (bound == address(0)) _boundGateways[origin] = gateway;
            else if (bound != gateway) revert StateProofVerifierGatewayRebound(origin, bound, gateway);
        }
        SourceConfig storage source = _sources[origin];
        (source.gateway, source.kind) = (gateway, kind);
        (source.rootSlot, source.countSlot, source.branchSlot) = (rootSlot, countSlot, branchSlot);
        source.countOffset = countOffset;
        ++source.epoch;
        emit SourceSet(origin, gateway, kind, rootSlot, countSlot, countOffset, branchSlot);
    }

    /// @dev The source of `origin`, which must be of `kind`.
    function _requireSource(uint32 origin, SourceKind kind) internal view returns (SourceConfig storage source) {
        source = _sources[origin];
        SourceKind actual = source.kind;
        if (actual == SourceKind.NONE) revert StateProofVerifierUnknownOrigin(origin);
        if (actual != kind) revert StateProofVerifierWrongSourceKind(origin, actual);
    }

    /// @dev Caches `root` as proven under `stateRoot` for the current epoch of `origin`.
    function _cache(uint32 origin, uint88 epoch, bytes32 root, bytes32 stateRoot) internal {
        _provenRoots[origin][epoch][root] = stateRoot;
        emit RootProven(origin, root, stateRoot);
    }

    /// @dev The storage root of `gateway`, proven under `stateRoot`. The trie key is keccak256(address).
    function _proveStorageRoot(bytes32 stateRoot, address gateway, bytes[] memory accountProof)
        internal
        pure
        returns (bytes32)
    {
        (bytes memory account, TrieProof.ProofError err) =
            TrieProof.tryTraverse(stateRoot, abi.encodePacked(keccak256(abi.encodePacked(gateway))), accountProof);
        if (err != TrieProof.ProofError.NO_ERROR) revert StateProofVerifierInvalidAccountProof(err);

        // Account leaf value: rlp([nonce, balance, storageRoot, codeHash]).
        Memory.Slice[] memory fields = account.decodeList();
        if (fields.length != 4) revert StateProofVerifierMalformedAccount();
        return fields[2].readBytes32();
    }

    /// @dev The nonzero value of `slot`, proven under `storageRoot`. The trie key is keccak256(slot).
    function _proveSlot(bytes32 storageRoot, bytes32 slot, bytes[] memory storageProof)
        internal
        pure
        returns (bytes32 value)
    {
        (bytes memory encoded, TrieProof.ProofError err) =
            TrieProof.tryTraverse(storageRoot, abi.encodePacked(keccak256(abi.encode(slot))), storageProof);
        if (err != TrieProof.ProofError.NO_ERROR) revert StateProofVerifierInvalidStorageProof(err);

        // Storage leaf value: rlp(value without leading zero bytes).
        value = encoded.decodeBytes32();
        if (value == bytes32(0)) revert StateProofVerifierZeroValue(slot);
    }

    /// @dev `MerkleTree.root` over branches proven under `storageRoot`: one proof per set bit of `count`,
    /// ascending level.
    function _treeRoot(bytes32 storageRoot, uint256 count, uint256 branchSlot, bytes[][] calldata branchProofs)
        internal
        pure
        returns (bytes32 root)
    {
        uint256 expected = _popcount(count);
        if (branchProofs.length != expected) revert StateProofVerifierBranchProofCount(expected, branchProofs.length);
        bytes32 zero = bytes32(0);
        uint256 used = 0;
        for (uint256 level = 0; level < MerkleTree.DEPTH; ++level) {
            if ((count >> level) & 1 == 1) {
                root = _hashPair(_proveSlot(storageRoot, bytes32(branchSlot + level), branchProofs[used++]), root);
            } else {
                root = _hashPair(root, zero);
            }
            zero = _hashPair(zero, zero);
        }
    }

    /// @dev Number of set bits of a 32-bit count.
    function _popcount(uint256 x) internal pure returns (uint256 n) {
        for (; x != 0; x &= x - 1) {
            ++n;
        }
    }

    /// @dev keccak256(left || right), as in `MerkleTree`.
    function _hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32 result) {
        assembly ("memory-safe") {
            // Scratch space 0x00-0x3f holds the two words; no allocation.
            mstore(0x00, left)
            mstore(0x20, right)
            result := keccak256(0x00, 0x40)
        }
    }
}
