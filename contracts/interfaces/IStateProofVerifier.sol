// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordVerifier} from "./IConcordVerifier.sol";
import {IHeaderOracle} from "./IHeaderOracle.sol";
import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";

// `moduleType()` of the state-proof verifier (Concord-specific types start at 64). Metadata, either
//  - full: `abi.encode(bytes32 stateRoot, bytes[] accountProof, bytes[] storageProof, uint32 index,
//    bytes32[32] siblings)`, proofs in `eth_getProof` format (`accountProof`, `storageProof[0].proof`); or
//  - cached: `abi.encodePacked(uint32 index, bytes32[32] siblings)` (1028 bytes) when the root that
//    the siblings lead to was already proven with `proveRoot`.
uint8 constant STATE_PROOF_MODULE_TYPE = 65;

/// @title IStateProofVerifier
/// @notice Light-client style verification: a message is accepted when the origin gateway's message-tree
/// root, read from a configured storage slot (or recomputed from the proven tree branches), is proven by
/// Merkle-Patricia account and storage proofs against a state root the header oracle accepted, and the
/// message id is included under that root.
interface IStateProofVerifier is IConcordVerifier {
    /// @notice How the origin gateway exposes its message tree in storage.
    /// - ROOT_SLOT: the latest root sits in one slot (`rootSlot`); one storage proof per state root.
    /// - TREE: only the incremental tree is stored (`MerkleTree.Tree` branches at `branchSlot + level`,
    ///   leaf count in the 32 bits at bit `countOffset` of `countSlot`: 160 for `ConcordGateway`, whose
    ///   `_core` word packs the default verifier below it); the root is recomputed
    ///   on-chain from proofs of the count and of the branch slots in use, through {proveTreeRoot} only.
    enum SourceKind {
        NONE,
        ROOT_SLOT,
        TREE
    }

    /// @notice Where the message tree of an origin lives. Unused slots are zero.
    struct Source {
        SourceKind kind;
        address gateway;
        bytes32 rootSlot;
        bytes32 countSlot;
        uint8 countOffset;
        bytes32 branchSlot;
    }

    /// @notice Emitted when the authority sets (or clears, with gateway 0) the source of `origin`.
    event SourceSet(
        uint32 indexed origin,
        address indexed gateway,
        SourceKind kind,
        bytes32 rootSlot,
        bytes32 countSlot,
        uint8 countOffset,
        bytes32 branchSlot
    );
    /// @notice Emitted when a gateway root is proven and cached for later messages
    /// (see {proveRoot}, {proveTreeRoot}).
    event RootProven(uint32 indexed origin, bytes32 indexed root, bytes32 indexed stateRoot);

    /// @notice Thrown when the verifier is deployed without a header oracle.
    error StateProofVerifierZeroOracle();
    /// @notice Thrown when a TREE source's count offset leaves less than 32 bits in the slot.
    error StateProofVerifierInvalidCountOffset(uint8 countOffset);
    /// @notice Thrown when a message is shorter than the fixed header.
    error StateProofVerifierMalformedMessage();
    /// @notice Thrown when metadata is not a well-formed state-proof or cached-root encoding.
    error StateProofVerifierMalformedMetadata();
    /// @notice Thrown when no source is configured for `origin`.
    error StateProofVerifierUnknownOrigin(uint32 origin);

    /// @notice Thrown when a source would change the origin gateway already bound to `origin`: the gateway this
    /// verifier reports for an origin never changes (a gateway's route relies on it), deploy a new verifier instead.
    error StateProofVerifierGatewayRebound(uint32 origin, address bound, address gateway);
    /// @notice Thrown when the header oracle does not (or no longer) accept `stateRoot` for `origin`.
    error StateProofVerifierStateRootNotAccepted(uint32 origin, bytes32 stateRoot);
    /// @notice Thrown when the account proof does not prove the gateway account under the state root.
    error StateProofVerifierInvalidAccountProof(TrieProof.ProofError reason);
    /// @notice Thrown when the proven account value is not a 4-item RLP list.
    error StateProofVerifierMalformedAccount();
    /// @notice Thrown when the storage proof does not prove the root slot under the account's storage root.
    error StateProofVerifierInvalidStorageProof(TrieProof.ProofError reason);
    /// @notice Thrown when a proven root, count or branch value is zero (an empty tree includes no message).
    error StateProofVerifierZeroValue(bytes32 slot);
    /// @notice Thrown when the operation does not fit the origin's source kind (e.g. full-proof metadata
    /// for a TREE source, which is proven once with {proveTreeRoot} and then used through the cache).
    error StateProofVerifierWrongSourceKind(uint32 origin, SourceKind kind);
    /// @notice Thrown when the number of branch proofs differs from the number of set bits of the count.
    error StateProofVerifierBranchProofCount(uint256 expected, uint256 provided);
    /// @notice Thrown when the message id is not included under `root` at the given index.
    error StateProofVerifierNotIncluded(bytes32 messageId, bytes32 root);
    /// @notice Thrown when a cached-root metadata names a root that was never proven for the origin.
    error StateProofVerifierRootNotProven(uint32 origin, bytes32 root);

    /// @notice Makes `origin` a ROOT_SLOT source: its root is read from `rootSlot` of `gateway`
    /// (authority only). Gateway 0 removes the origin. Discards the origin's cached roots.
    function setSource(uint32 origin, address gateway, bytes32 rootSlot) external;

    /// @notice Makes `origin` a TREE source: branch `level` at slot `branchSlot + level`, leaf count in the
    /// 32 bits starting at bit `countOffset` of `countSlot` (authority only). Discards the origin's cached roots.
    function setTreeSource(uint32 origin, address gateway, bytes32 countSlot, uint8 countOffset, bytes32 branchSlot)
        external;

    /// @notice Proves the gateway root of a ROOT_SLOT `origin` under an accepted `stateRoot` and caches it,
    /// so later messages under that root only need their inclusion proof. Anyone may call.
    /// @return root The proven root.
    function proveRoot(uint32 origin, bytes32 stateRoot, bytes[] calldata accountProof, bytes[] calldata storageProof)
        external
        returns (bytes32 root);

    /// @notice Recomputes and caches the root of a TREE `origin` under an accepted `stateRoot` from proofs of
    /// the count slot and of the branch slots of the count's set bits (ascending level). Anyone may call.
    /// @return root The recomputed root (equal to the gateway's `root()` at that block).
    function proveTreeRoot(
        uint32 origin,
        bytes32 stateRoot,
        bytes[] calldata accountProof,
        bytes[] calldata countProof,
        bytes[][] calldata branchProofs
    ) external returns (bytes32 root);

    /// @notice The header oracle whose accepted state roots anchor the proofs.
    function headerOracle() external view returns (IHeaderOracle);

    /// @notice The configured source of `origin`.
    function sourceOf(uint32 origin) external view returns (Source memory);

    /// @notice The state root a cached root was proven under (zero when not cached).
    function provenRootStateRoot(uint32 origin, bytes32 root) external view returns (bytes32 stateRoot);
}
