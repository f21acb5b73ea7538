// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IHeaderOracle} from "../../../contracts/interfaces/IHeaderOracle.sol";
import {IStateProofVerifier, STATE_PROOF_MODULE_TYPE} from "../../../contracts/interfaces/IStateProofVerifier.sol";
import {HeaderOracle} from "../../../contracts/isms/HeaderOracle.sol";
import {StateProofVerifier} from "../../../contracts/isms/StateProofVerifier.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {RLP} from "@openzeppelin/contracts/utils/RLP.sol";
import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";
import {Test, console} from "forge-std/Test.sol";

/// @dev Header oracle stub for synthetic tries whose state roots come from no real header.
contract MockHeaderOracle is IHeaderOracle {
    mapping(uint32 origin => mapping(bytes32 stateRoot => bool ok)) internal _ok;

    function setAccepted(uint32 origin, bytes32 stateRoot, bool ok) external {
        _ok[origin][stateRoot] = ok;
    }

    function acceptBlockHash(uint32, bytes32) external {}
    function revokeBlockHash(uint32, bytes32) external {}

    function submitHeader(uint32, bytes calldata) external pure returns (bytes32) {
        return bytes32(0);
    }

    function isBlockHashAccepted(uint32, bytes32) external pure returns (bool) {
        return false;
    }

    function isStateRootAccepted(uint32 origin, bytes32 stateRoot) external view returns (bool) {
        return _ok[origin][stateRoot];
    }

    function stateRootSource(uint32, bytes32) external pure returns (bytes32, uint64) {
        return (bytes32(0), 0);
    }
}

/// @dev Loads the fixtures written by scripts/make-stateproof-fixture.ts (real anvil eth_getProof output).
abstract contract StateProofFixtures is Test {
    struct Checkpoint {
        uint32 chainId;
        address source;
        bytes32 rootSlot;
        uint256 blockNumber;
        bytes32 blockHash;
        bytes header;
        bytes32 stateRoot;
        bytes32 root;
        uint256 count;
        bytes[] accountProof;
        bytes[] storageProof;
        bytes32 emptySlot;
        bytes[] emptySlotProof;
        bytes[] messages;
    }

    string internal constant EARLY = "test/fixtures/stateproof/early.json";
    string internal constant LATEST = "test/fixtures/stateproof/latest.json";

    function _load(string memory file) internal view returns (Checkpoint memory cp) {
        string memory json = vm.readFile(file);
        cp.chainId = uint32(vm.parseJsonUint(json, ".chainId"));
        cp.source = vm.parseJsonAddress(json, ".source");
        cp.rootSlot = vm.parseJsonBytes32(json, ".rootSlot");
        cp.blockNumber = vm.parseJsonUint(json, ".blockNumber");
        cp.blockHash = vm.parseJsonBytes32(json, ".blockHash");
        cp.header = vm.parseJsonBytes(json, ".header");
        cp.stateRoot = vm.parseJsonBytes32(json, ".stateRoot");
        cp.root = vm.parseJsonBytes32(json, ".root");
        cp.count = vm.parseJsonUint(json, ".count");
        cp.accountProof = vm.parseJsonBytesArray(json, ".accountProof");
        cp.storageProof = vm.parseJsonBytesArray(json, ".storageProof");
        cp.emptySlot = vm.parseJsonBytes32(json, ".emptySlot");
        cp.emptySlotProof = vm.parseJsonBytesArray(json, ".emptySlotProof");
        cp.messages = vm.parseJsonBytesArray(json, ".messages");
    }

    function _siblings(string memory file, uint256 index) internal view returns (bytes32[32] memory siblings) {
        bytes32[] memory list =
            vm.parseJsonBytes32Array(vm.readFile(file), string.concat(".proofs[", vm.toString(index), "]"));
        assertEq(list.length, 32, "fixture proof depth");
        for (uint256 i = 0; i < 32; ++i) {
            siblings[i] = list[i];
        }
    }

    function _full(Checkpoint memory cp, uint256 index, bytes32[32] memory siblings)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(cp.stateRoot, cp.accountProof, cp.storageProof, uint32(index), siblings);
    }

    function _fullWith(
        bytes32 stateRoot,
        bytes[] memory accountProof,
        bytes[] memory storageProof,
        uint256 index,
        bytes32[32] memory siblings
    ) internal pure returns (bytes memory) {
        return abi.encode(stateRoot, accountProof, storageProof, uint32(index), siblings);
    }

    function _copy(bytes[] memory proof) internal pure returns (bytes[] memory out) {
        out = new bytes[](proof.length);
        for (uint256 i = 0; i < proof.length; ++i) {
            out[i] = bytes.concat(proof[i]);
        }
    }
}

contract StateProofVerifierTest is StateProofFixtures {
    AccessManager internal manager;
    HeaderOracle internal oracle;
    StateProofVerifier internal verifier;
    Checkpoint internal latest;
    Checkpoint internal early;
    uint32 internal origin;

    address internal stranger = makeAddr("stranger");

    function setUp() public {
        latest = _load(LATEST);
        early = _load(EARLY);
        origin = latest.chainId;
        manager = new AccessManager(address(this));
        oracle = new HeaderOracle(address(manager));
        verifier = new StateProofVerifier(address(manager), oracle);
        verifier.setSource(origin, latest.source, latest.rootSlot);
        oracle.acceptBlockHash(origin, latest.blockHash);
        oracle.submitHeader(origin, latest.header);
        oracle.acceptBlockHash(origin, early.blockHash);
        oracle.submitHeader(origin, early.header);
    }

    function _expectAccountProofError(TrieProof.ProofError reason) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierInvalidAccountProof.selector, reason)
        );
    }

    function _expectStorageProofError(TrieProof.ProofError reason) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierInvalidStorageProof.selector, reason)
        );
    }

    // ---------------------------------------------------------------- fixtures sanity

    /// @dev The fixtures really are what the tests assume (a stale fixture makes the suite fail loudly).
    function test_Fixtures_AreConsistent() public view {
        assertEq(keccak256(latest.header), latest.blockHash);
        assertEq(keccak256(early.header), early.blockHash);
        assertEq(latest.count, 5);
        assertEq(early.count, 2);
        assertEq(latest.messages.length, 5);
        assertEq(keccak256(early.messages[1]), keccak256(latest.messages[1]));
        assertTrue(early.root != latest.root);
    }

    // ---------------------------------------------------------------- happy paths

    function test_ModuleType_IsStateProof() public view {
        assertEq(verifier.moduleType(), STATE_PROOF_MODULE_TYPE);
        assertEq(STATE_PROOF_MODULE_TYPE, 65);
        assertEq(address(verifier.headerOracle()), address(oracle));
    }

    function test_Verify_AcceptsEveryMessage_LatestCheckpoint() public view {
        for (uint256 i = 0; i < latest.count; ++i) {
            assertTrue(verifier.verify(_full(latest, i, _siblings(LATEST, i)), latest.messages[i]));
        }
    }

    function test_Verify_AcceptsEveryMessage_EarlyCheckpoint() public view {
        for (uint256 i = 0; i < early.count; ++i) {
            assertTrue(verifier.verify(_full(early, i, _siblings(EARLY, i)), early.messages[i]));
        }
    }

    /// @dev A message dispatched after the proven block is not under that block's root.
    function test_Verify_RevertWhen_MessageAfterProvenBlock() public {
        bytes memory metadata = _full(early, 4, _siblings(LATEST, 4));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierNotIncluded.selector, keccak256(latest.messages[4]), early.root
            )
        );
        verifier.verify(metadata, latest.messages[4]);
    }

    // ---------------------------------------------------------------- configuration and anchors

    function test_Constructor_RevertWhen_ZeroOracle() public {
        vm.expectRevert(IStateProofVerifier.StateProofVerifierZeroOracle.selector);
        new StateProofVerifier(address(manager), IHeaderOracle(address(0)));
    }

    function test_SetSource_EmitsAndStores() public {
        vm.expectEmit(address(verifier));
        emit IStateProofVerifier.SourceSet(
            7, address(0xBEEF), IStateProofVerifier.SourceKind.ROOT_SLOT, bytes32(uint256(3)), 0, 0, 0
        );
        verifier.setSource(7, address(0xBEEF), bytes32(uint256(3)));
        IStateProofVerifier.Source memory source = verifier.sourceOf(7);
        assertEq(uint8(source.kind), uint8(IStateProofVerifier.SourceKind.ROOT_SLOT));
        assertEq(source.gateway, address(0xBEEF));
        assertEq(source.rootSlot, bytes32(uint256(3)));

        verifier.setSource(7, address(0), bytes32(uint256(3)));
        assertEq(uint8(verifier.sourceOf(7).kind), uint8(IStateProofVerifier.SourceKind.NONE));
    }

    function test_SetTreeSource_RevertWhen_CountOffsetTooLarge() public {
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierInvalidCountOffset.selector, 225));
        verifier.setTreeSource(7, address(0xBEEF), bytes32(uint256(1)), 225, bytes32(uint256(2)));
    }

    function test_SetTreeSource_EmitsAndStores() public {
        vm.expectEmit(address(verifier));
        emit IStateProofVerifier.SourceSet(
            7, address(0xBEEF), IStateProofVerifier.SourceKind.TREE, 0, bytes32(uint256(1)), 160, bytes32(uint256(2))
        );
        verifier.setTreeSource(7, address(0xBEEF), bytes32(uint256(1)), 160, bytes32(uint256(2)));
        assertEq(verifier.sourceOf(7).countOffset, 160);
        IStateProofVerifier.Source memory source = verifier.sourceOf(7);
        assertEq(uint8(source.kind), uint8(IStateProofVerifier.SourceKind.TREE));
        assertEq(source.countSlot, bytes32(uint256(1)));
        assertEq(source.branchSlot, bytes32(uint256(2)));
        assertEq(source.rootSlot, bytes32(0));
    }

    function test_SetTreeSource_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        verifier.setTreeSource(origin, stranger, bytes32(0), 0, bytes32(0));
    }

    function test_SetSource_RevertWhen_CallerNotAuthorized() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger));
        verifier.setSource(origin, stranger, bytes32(0));
    }

    function test_Verify_RevertGiven_UnknownOrigin() public {
        verifier.setSource(origin, address(0), bytes32(0));
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierUnknownOrigin.selector, origin));
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev The same message bytes claiming another origin: that origin is unknown, never a permissive default.
    function test_Verify_RevertWhen_MessageClaimsOtherOrigin() public {
        bytes memory message = bytes.concat(latest.messages[0]);
        message[8] = bytes1(uint8(message[8]) ^ 1); // last byte of the origin field
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierUnknownOrigin.selector, origin ^ 1)
        );
        verifier.verify(metadata, message);
    }

    function test_Verify_RevertGiven_UnacceptedStateRoot() public {
        bytes32 unknown = keccak256("not a state root");
        bytes memory metadata = _fullWith(unknown, latest.accountProof, latest.storageProof, 0, _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierStateRootNotAccepted.selector, origin, unknown)
        );
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev A header revoked after a reorg takes its state root with it.
    function test_Verify_RevertGiven_BlockHashRevoked() public {
        oracle.revokeBlockHash(origin, latest.blockHash);
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierStateRootNotAccepted.selector, origin, latest.stateRoot
            )
        );
        verifier.verify(metadata, latest.messages[0]);
        // The other checkpoint is unaffected.
        assertTrue(verifier.verify(_full(early, 0, _siblings(EARLY, 0)), early.messages[0]));
    }

    /// @dev A state root accepted for one origin is not accepted for another.
    function test_Verify_RevertGiven_StateRootAcceptedForOtherOriginOnly() public {
        HeaderOracle otherOracle = new HeaderOracle(address(manager));
        otherOracle.acceptBlockHash(origin + 1, latest.blockHash);
        otherOracle.submitHeader(origin + 1, latest.header);
        StateProofVerifier other = new StateProofVerifier(address(manager), otherOracle);
        other.setSource(origin, latest.source, latest.rootSlot);
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierStateRootNotAccepted.selector, origin, latest.stateRoot
            )
        );
        other.verify(metadata, latest.messages[0]);
    }

    /// @dev Verifier configured for another account (the second contract of the fixture chain).
    function test_Verify_RevertGiven_WrongAccountConfigured() public {
        address otherSource = vm.parseJsonAddress(vm.readFile(LATEST), ".otherSource");
        StateProofVerifier misconfigured = new StateProofVerifier(address(manager), oracle);
        misconfigured.setSource(origin, otherSource, latest.rootSlot);
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        misconfigured.verify(metadata, latest.messages[0]);
    }

    /// @dev The origin gateway a verifier reports for an origin never changes (a gateway's route relies on it):
    /// another source account is refused; the same one (new slot, kind, or removed then set again) is accepted.
    function test_SetSource_RevertWhen_GatewayRebound() public {
        address otherSource = vm.parseJsonAddress(vm.readFile(LATEST), ".otherSource");
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierGatewayRebound.selector, origin, latest.source, otherSource
            )
        );
        verifier.setSource(origin, otherSource, latest.rootSlot);
        verifier.setSource(origin, address(0), bytes32(0)); // removed
        assertEq(verifier.originGatewayFor(origin), bytes32(uint256(uint160(latest.source))), "binding kept");
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierGatewayRebound.selector, origin, latest.source, otherSource
            )
        );
        verifier.setSource(origin, otherSource, latest.rootSlot);
        verifier.setSource(origin, latest.source, latest.rootSlot);
        assertEq(verifier.originGatewayFor(origin + 1), bytes32(0));
        assertTrue(verifier.authorizeRetry(latest.messages[0]));
    }

    /// @dev Real proofs of another contract's root slot (same chain, same block) do not pass for the gateway.
    function test_Verify_RevertWhen_ProofsOfOtherAccount() public {
        string memory json = vm.readFile(LATEST);
        bytes[] memory otherAccountProof = vm.parseJsonBytesArray(json, ".otherAccountProof");
        bytes[] memory otherStorageProof = vm.parseJsonBytesArray(json, ".otherStorageProof");
        bytes32[] memory list = vm.parseJsonBytes32Array(json, ".otherProof");
        bytes32[32] memory siblings;
        for (uint256 i = 0; i < 32; ++i) {
            siblings[i] = list[i];
        }
        bytes memory otherMessage = vm.parseJsonBytes(json, ".otherMessage");
        bytes memory metadata = _fullWith(latest.stateRoot, otherAccountProof, otherStorageProof, 0, siblings);
        _expectAccountProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        verifier.verify(metadata, otherMessage);

        // Sanity: the same proofs are valid for a verifier (wrongly) pointed at that contract.
        StateProofVerifier misconfigured = new StateProofVerifier(address(manager), oracle);
        misconfigured.setSource(origin, vm.parseJsonAddress(json, ".otherSource"), latest.rootSlot);
        assertTrue(misconfigured.verify(metadata, otherMessage));
    }

    function test_Verify_RevertGiven_WrongSlotConfigured() public {
        verifier.setSource(origin, latest.source, bytes32(uint256(1))); // `count`, not `latestRoot`
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierInvalidStorageProof.selector);
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev Zero root: a slot the gateway never wrote is absent from the trie; its (real) exclusion proof
    /// proves no value, so no root.
    function test_Verify_RevertWhen_ZeroRootSlot() public {
        verifier.setSource(origin, latest.source, latest.emptySlot);
        bytes memory metadata =
            _fullWith(latest.stateRoot, latest.accountProof, latest.emptySlotProof, 0, _siblings(LATEST, 0));
        // The exclusion proof ends in a branch whose child for the key is empty (0x80): OpenZeppelin's
        // TrieProof then tries to read it as a list and RLP refuses it.
        vm.expectRevert(RLP.RLPInvalidEncoding.selector);
        verifier.verify(metadata, latest.messages[0]);
    }

    // ---------------------------------------------------------------- mutated Merkle-Patricia proofs

    function test_Verify_RevertWhen_AccountProofRootBitFlip() public {
        bytes[] memory proof = _copy(latest.accountProof);
        proof[0][40] ^= 0x01;
        bytes memory metadata = _fullWith(latest.stateRoot, proof, latest.storageProof, 0, _siblings(LATEST, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_ROOT);
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertWhen_AccountProofLeafBitFlip() public {
        bytes[] memory proof = _copy(latest.accountProof);
        bytes memory leaf = proof[proof.length - 1];
        leaf[leaf.length - 1] ^= 0x80;
        bytes memory metadata = _fullWith(latest.stateRoot, proof, latest.storageProof, 0, _siblings(LATEST, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertWhen_AccountProofSwappedNodes() public {
        bytes[] memory proof = _copy(latest.accountProof);
        (proof[1], proof[2]) = (proof[2], proof[1]);
        bytes memory metadata = _fullWith(latest.stateRoot, proof, latest.storageProof, 0, _siblings(LATEST, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev Missing level: the proof stops at an inner (branch) node, which must not be taken as the leaf.
    function test_Verify_RevertWhen_AccountProofMissingLevel() public {
        bytes[] memory proof = new bytes[](latest.accountProof.length - 1);
        for (uint256 i = 0; i < proof.length; ++i) {
            proof[i] = latest.accountProof[i];
        }
        bytes memory metadata = _fullWith(latest.stateRoot, proof, latest.storageProof, 0, _siblings(LATEST, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_PROOF);
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertWhen_AccountProofMissingMiddleLevel() public {
        bytes[] memory proof = new bytes[](latest.accountProof.length - 1);
        proof[0] = latest.accountProof[0];
        for (uint256 i = 1; i < proof.length; ++i) {
            proof[i] = latest.accountProof[i + 1];
        }
        bytes memory metadata = _fullWith(latest.stateRoot, proof, latest.storageProof, 0, _siblings(LATEST, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertWhen_AccountProofExtraLevel() public {
        bytes[] memory proof = new bytes[](latest.accountProof.length + 1);
        for (uint256 i = 0; i < latest.accountProof.length; ++i) {
            proof[i] = latest.accountProof[i];
        }
        proof[latest.accountProof.length] = latest.storageProof[0];
        bytes memory metadata = _fullWith(latest.stateRoot, proof, latest.storageProof, 0, _siblings(LATEST, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_EXTRA_PROOF_ELEMENT);
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertWhen_AccountProofEmpty() public {
        bytes memory metadata =
            _fullWith(latest.stateRoot, new bytes[](0), latest.storageProof, 0, _siblings(LATEST, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_PROOF);
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev An account proof from another block (the early checkpoint) against the latest state root.
    function test_Verify_RevertWhen_AccountProofFromOtherBlock() public {
        bytes memory metadata =
            _fullWith(latest.stateRoot, early.accountProof, early.storageProof, 0, _siblings(EARLY, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_ROOT);
        verifier.verify(metadata, early.messages[0]);
    }

    function test_Verify_RevertWhen_StorageProofBitFlip() public {
        bytes[] memory proof = _copy(latest.storageProof);
        proof[0][20] ^= 0x10;
        bytes memory metadata = _fullWith(latest.stateRoot, latest.accountProof, proof, 0, _siblings(LATEST, 0));
        _expectStorageProofError(TrieProof.ProofError.INVALID_ROOT);
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev Flipping a bit of the proven value itself (the root in the leaf) breaks the leaf's hash.
    function test_Verify_RevertWhen_StorageValueBitFlip() public {
        bytes[] memory proof = _copy(latest.storageProof);
        bytes memory leaf = proof[proof.length - 1];
        leaf[leaf.length - 1] ^= 0x01;
        bytes memory metadata = _fullWith(latest.stateRoot, latest.accountProof, proof, 0, _siblings(LATEST, 0));
        _expectStorageProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertWhen_StorageProofSwappedNodes() public {
        bytes[] memory proof = _copy(latest.storageProof);
        (proof[0], proof[1]) = (proof[1], proof[0]);
        bytes memory metadata = _fullWith(latest.stateRoot, latest.accountProof, proof, 0, _siblings(LATEST, 0));
        _expectStorageProofError(TrieProof.ProofError.INVALID_ROOT);
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertWhen_StorageProofMissingLevel() public {
        bytes[] memory proof = new bytes[](1);
        proof[0] = latest.storageProof[0];
        bytes memory metadata = _fullWith(latest.stateRoot, latest.accountProof, proof, 0, _siblings(LATEST, 0));
        _expectStorageProofError(TrieProof.ProofError.INVALID_PROOF);
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertWhen_StorageProofExtraLevel() public {
        bytes[] memory proof = new bytes[](latest.storageProof.length + 1);
        for (uint256 i = 0; i < latest.storageProof.length; ++i) {
            proof[i] = latest.storageProof[i];
        }
        proof[latest.storageProof.length] = latest.storageProof[latest.storageProof.length - 1];
        bytes memory metadata = _fullWith(latest.stateRoot, latest.accountProof, proof, 0, _siblings(LATEST, 0));
        _expectStorageProofError(TrieProof.ProofError.INVALID_EXTRA_PROOF_ELEMENT);
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev The storage proof of the early block does not fit the latest account's storage root.
    function test_Verify_RevertWhen_StorageProofFromOtherBlock() public {
        bytes memory metadata =
            _fullWith(latest.stateRoot, latest.accountProof, early.storageProof, 0, _siblings(EARLY, 0));
        _expectStorageProofError(TrieProof.ProofError.INVALID_ROOT);
        verifier.verify(metadata, early.messages[0]);
    }

    // ---------------------------------------------------------------- mutated message-tree proofs

    function test_Verify_RevertWhen_SiblingBitFlip() public {
        bytes32[32] memory siblings = _siblings(LATEST, 2);
        siblings[0] ^= bytes32(uint256(1) << 255);
        bytes memory metadata = _full(latest, 2, siblings);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierNotIncluded.selector, keccak256(latest.messages[2]), latest.root
            )
        );
        verifier.verify(metadata, latest.messages[2]);
    }

    function test_Verify_RevertWhen_SiblingsSwapped() public {
        bytes32[32] memory siblings = _siblings(LATEST, 2);
        (siblings[0], siblings[1]) = (siblings[1], siblings[0]);
        bytes memory metadata = _full(latest, 2, siblings);
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierNotIncluded.selector);
        verifier.verify(metadata, latest.messages[2]);
    }

    /// @dev Extra level: a sibling inserted at the leaf level (the deepest one falls off the fixed depth).
    function test_Verify_RevertWhen_SiblingsExtraLevel() public {
        bytes32[32] memory original = _siblings(LATEST, 2);
        bytes32[32] memory siblings;
        siblings[0] = keccak256("extra");
        for (uint256 i = 1; i < 32; ++i) {
            siblings[i] = original[i - 1];
        }
        bytes memory metadata = _full(latest, 2, siblings);
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierNotIncluded.selector);
        verifier.verify(metadata, latest.messages[2]);
    }

    /// @dev Missing level: the leaf-level sibling dropped, the path padded with a zero at the top.
    function test_Verify_RevertWhen_SiblingsMissingLevel() public {
        bytes32[32] memory original = _siblings(LATEST, 2);
        bytes32[32] memory siblings;
        for (uint256 i = 0; i < 31; ++i) {
            siblings[i] = original[i + 1];
        }
        bytes memory metadata = _full(latest, 2, siblings);
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierNotIncluded.selector);
        verifier.verify(metadata, latest.messages[2]);
    }

    function test_Verify_RevertWhen_WrongIndex() public {
        bytes memory metadata = _full(latest, 3, _siblings(LATEST, 2));
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierNotIncluded.selector);
        verifier.verify(metadata, latest.messages[2]);
    }

    /// @dev An index above uint32 that aliases the right one in its low 32 bits is refused, not accepted.
    function test_Verify_RevertWhen_IndexAbove32Bits() public {
        bytes memory metadata = abi.encode(
            latest.stateRoot, latest.accountProof, latest.storageProof, (uint256(1) << 32) | 2, _siblings(LATEST, 2)
        );
        vm.expectRevert(IStateProofVerifier.StateProofVerifierMalformedMetadata.selector);
        verifier.verify(metadata, latest.messages[2]);
    }

    /// @dev A leaf equal to an inner node: the 64-byte preimage of the level-1 node over leaves 0 and 1 is
    /// offered as a "message" with the level-1 path. Messages are >= 77 bytes, so it can never be a leaf.
    function test_Verify_RevertWhen_LeafIsInnerNode() public {
        bytes32[32] memory path0 = _siblings(LATEST, 0);
        bytes memory innerPreimage = abi.encodePacked(keccak256(latest.messages[0]), path0[0]);
        bytes32[32] memory siblings;
        for (uint256 i = 0; i < 31; ++i) {
            siblings[i] = path0[i + 1];
        }
        bytes memory metadata = _full(latest, 0, siblings);
        vm.expectRevert(IStateProofVerifier.StateProofVerifierMalformedMessage.selector);
        verifier.verify(metadata, innerPreimage);
    }

    /// @dev Zero root, synthetic: a one-leaf state trie whose account's one-leaf storage trie holds the
    /// root slot with an RLP-encoded zero. Real tries never store zero; the verifier refuses it anyway.
    function test_Verify_RevertWhen_ProvenRootIsZero() public {
        bytes32 slot = bytes32(0);
        bytes memory storageLeaf = _leaf(keccak256(abi.encode(slot)), RLP.encode(uint256(0)));
        bytes[] memory accountFields = new bytes[](4);
        accountFields[0] = RLP.encode(uint256(1));
        accountFields[1] = RLP.encode(uint256(0));
        accountFields[2] = RLP.encode(keccak256(storageLeaf));
        accountFields[3] = RLP.encode(keccak256(""));
        bytes memory accountLeaf = _leaf(keccak256(abi.encodePacked(latest.source)), RLP.encode(accountFields));
        bytes32 stateRoot = keccak256(accountLeaf);

        MockHeaderOracle mock = new MockHeaderOracle();
        mock.setAccepted(origin, stateRoot, true);
        StateProofVerifier synthetic = new StateProofVerifier(address(manager), mock);
        synthetic.setSource(origin, latest.source, slot);
        bytes[] memory accountProof = new bytes[](1);
        accountProof[0] = accountLeaf;
        bytes[] memory storageProof = new bytes[](1);
        storageProof[0] = storageLeaf;
        bytes memory metadata = _fullWith(stateRoot, accountProof, storageProof, 0, _siblings(LATEST, 0));
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierZeroValue.selector, slot));
        synthetic.verify(metadata, latest.messages[0]);
    }

    /// @dev Same synthetic construction with a nonzero root: proves the synthetic tries are well formed, so
    /// the zero-root test fails for the right reason.
    function test_Verify_SyntheticTrie_AcceptsNonzeroRoot() public {
        bytes32 slot = bytes32(0);
        bytes memory storageLeaf = _leaf(keccak256(abi.encode(slot)), RLP.encode(latest.root));
        bytes[] memory accountFields = new bytes[](4);
        accountFields[0] = RLP.encode(uint256(1));
        accountFields[1] = RLP.encode(uint256(0));
        accountFields[2] = RLP.encode(keccak256(storageLeaf));
        accountFields[3] = RLP.encode(keccak256(""));
        bytes memory accountLeaf = _leaf(keccak256(abi.encodePacked(latest.source)), RLP.encode(accountFields));
        bytes32 stateRoot = keccak256(accountLeaf);
        MockHeaderOracle mock = new MockHeaderOracle();
        mock.setAccepted(origin, stateRoot, true);
        StateProofVerifier synthetic = new StateProofVerifier(address(manager), mock);
        synthetic.setSource(origin, latest.source, slot);
        bytes[] memory accountProof = new bytes[](1);
        accountProof[0] = accountLeaf;
        bytes[] memory storageProof = new bytes[](1);
        storageProof[0] = storageLeaf;
        assertTrue(
            synthetic.verify(
                _fullWith(stateRoot, accountProof, storageProof, 0, _siblings(LATEST, 0)), latest.messages[0]
            )
        );
    }

    /// @dev A malformed account value (3 fields) under a valid trie.
    function test_Verify_RevertWhen_AccountValueMalformed() public {
        bytes[] memory accountFields = new bytes[](3);
        accountFields[0] = RLP.encode(uint256(1));
        accountFields[1] = RLP.encode(uint256(0));
        accountFields[2] = RLP.encode(keccak256("storage"));
        bytes memory accountLeaf = _leaf(keccak256(abi.encodePacked(latest.source)), RLP.encode(accountFields));
        bytes32 stateRoot = keccak256(accountLeaf);
        MockHeaderOracle mock = new MockHeaderOracle();
        mock.setAccepted(origin, stateRoot, true);
        StateProofVerifier synthetic = new StateProofVerifier(address(manager), mock);
        synthetic.setSource(origin, latest.source, bytes32(0));
        bytes[] memory accountProof = new bytes[](1);
        accountProof[0] = accountLeaf;
        bytes memory metadata = _fullWith(stateRoot, accountProof, latest.storageProof, 0, _siblings(LATEST, 0));
        vm.expectRevert(IStateProofVerifier.StateProofVerifierMalformedAccount.selector);
        synthetic.verify(metadata, latest.messages[0]);
    }

    /// @dev RLP of a leaf node whose path is the whole 32-byte key (hex-prefix 0x20: leaf, even length).
    function _leaf(bytes32 key, bytes memory value) internal pure returns (bytes memory) {
        bytes[] memory node = new bytes[](2);
        node[0] = RLP.encode(abi.encodePacked(bytes1(0x20), key));
        node[1] = RLP.encode(value);
        return RLP.encode(node);
    }

    // ---------------------------------------------------------------- malformed input

    function test_Verify_RevertWhen_MessageMalformed() public {
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(IStateProofVerifier.StateProofVerifierMalformedMessage.selector);
        verifier.verify(metadata, new bytes(76));
    }

    function test_Verify_RevertWhen_MetadataEmpty() public {
        vm.expectRevert(IStateProofVerifier.StateProofVerifierMalformedMetadata.selector);
        verifier.verify("", latest.messages[0]);
    }

    function test_Verify_RevertWhen_MetadataTruncated() public {
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        bytes memory truncated = new bytes(1151);
        for (uint256 i = 0; i < truncated.length; ++i) {
            truncated[i] = metadata[i];
        }
        vm.expectRevert(IStateProofVerifier.StateProofVerifierMalformedMetadata.selector);
        verifier.verify(truncated, latest.messages[0]);
    }

    /// @dev Head intact, tails cut off: the ABI decoder refuses out-of-range offsets.
    function test_Verify_RevertWhen_MetadataTailsCut() public {
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        bytes memory cut = new bytes(1200);
        for (uint256 i = 0; i < cut.length; ++i) {
            cut[i] = metadata[i];
        }
        vm.expectRevert();
        verifier.verify(cut, latest.messages[0]);
    }

    // ---------------------------------------------------------------- cached roots (proveRoot)

    function test_ProveRoot_CachesAndVerifiesAllMessages() public {
        vm.expectEmit(address(verifier));
        emit IStateProofVerifier.RootProven(origin, latest.root, latest.stateRoot);
        vm.prank(stranger); // permissionless
        bytes32 root = verifier.proveRoot(origin, latest.stateRoot, latest.accountProof, latest.storageProof);
        assertEq(root, latest.root);
        assertEq(verifier.provenRootStateRoot(origin, root), latest.stateRoot);
        for (uint256 i = 0; i < latest.count; ++i) {
            assertTrue(verifier.verify(abi.encodePacked(uint32(i), _siblings(LATEST, i)), latest.messages[i]));
        }
    }

    function test_Verify_RevertGiven_CachedRootNotProven() public {
        bytes memory metadata = abi.encodePacked(uint32(0), _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierRootNotProven.selector, origin, latest.root)
        );
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertWhen_CachedPathWrongIndex() public {
        verifier.proveRoot(origin, latest.stateRoot, latest.accountProof, latest.storageProof);
        bytes memory metadata = abi.encodePacked(uint32(1), _siblings(LATEST, 0));
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierRootNotProven.selector);
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertGiven_CachedRootHeaderRevoked() public {
        verifier.proveRoot(origin, latest.stateRoot, latest.accountProof, latest.storageProof);
        oracle.revokeBlockHash(origin, latest.blockHash);
        bytes memory metadata = abi.encodePacked(uint32(0), _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierStateRootNotAccepted.selector, origin, latest.stateRoot
            )
        );
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_Verify_RevertGiven_CachedRootSourceChanged() public {
        verifier.proveRoot(origin, latest.stateRoot, latest.accountProof, latest.storageProof);
        verifier.setSource(origin, latest.source, latest.rootSlot); // same values, new epoch
        bytes memory metadata = abi.encodePacked(uint32(0), _siblings(LATEST, 0));
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierRootNotProven.selector);
        verifier.verify(metadata, latest.messages[0]);
        assertEq(verifier.provenRootStateRoot(origin, latest.root), bytes32(0));
    }

    function test_ProveRoot_RevertGiven_UnknownOrigin() public {
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierUnknownOrigin.selector, 99));
        verifier.proveRoot(99, latest.stateRoot, latest.accountProof, latest.storageProof);
    }

    function test_ProveRoot_RevertGiven_UnacceptedStateRoot() public {
        oracle.revokeBlockHash(origin, latest.blockHash);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierStateRootNotAccepted.selector, origin, latest.stateRoot
            )
        );
        verifier.proveRoot(origin, latest.stateRoot, latest.accountProof, latest.storageProof);
    }

    function test_ProveRoot_RevertWhen_StorageProofInvalid() public {
        _expectStorageProofError(TrieProof.ProofError.INVALID_ROOT);
        verifier.proveRoot(origin, latest.stateRoot, latest.accountProof, early.storageProof);
    }

    // ---------------------------------------------------------------- TREE sources (proveTreeRoot)

    function _branchProofs(string memory file) internal view returns (bytes[][] memory proofs) {
        string memory json = vm.readFile(file);
        uint256[] memory levels = vm.parseJsonUintArray(json, ".branchLevels");
        proofs = new bytes[][](levels.length);
        for (uint256 i = 0; i < levels.length; ++i) {
            proofs[i] = vm.parseJsonBytesArray(json, string.concat(".branchProofs[", vm.toString(i), "]"));
        }
    }

    function _countProof(string memory file) internal view returns (bytes[] memory) {
        return vm.parseJsonBytesArray(vm.readFile(file), ".countProof");
    }

    function _useTreeSource() internal {
        string memory json = vm.readFile(LATEST);
        verifier.setTreeSource(
            origin, latest.source, vm.parseJsonBytes32(json, ".countSlot"), 0, vm.parseJsonBytes32(json, ".branchSlot")
        );
    }

    /// @dev The root recomputed on-chain from the proven count and branches equals the gateway's root, for
    /// both checkpoints (count 5 = levels 0 and 2; count 2 = level 1), and every message then verifies.
    function test_ProveTreeRoot_RecomputesGatewayRoot() public {
        _useTreeSource();
        vm.expectEmit(address(verifier));
        emit IStateProofVerifier.RootProven(origin, latest.root, latest.stateRoot);
        vm.prank(stranger);
        bytes32 root = verifier.proveTreeRoot(
            origin, latest.stateRoot, latest.accountProof, _countProof(LATEST), _branchProofs(LATEST)
        );
        assertEq(root, latest.root);
        assertEq(
            verifier.proveTreeRoot(
                origin, early.stateRoot, early.accountProof, _countProof(EARLY), _branchProofs(EARLY)
            ),
            early.root
        );
        for (uint256 i = 0; i < latest.count; ++i) {
            assertTrue(verifier.verify(abi.encodePacked(uint32(i), _siblings(LATEST, i)), latest.messages[i]));
        }
        for (uint256 i = 0; i < early.count; ++i) {
            assertTrue(verifier.verify(abi.encodePacked(uint32(i), _siblings(EARLY, i)), early.messages[i]));
        }
    }

    function test_Verify_RevertGiven_TreeSourceWithFullProof() public {
        _useTreeSource();
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierWrongSourceKind.selector,
                origin,
                IStateProofVerifier.SourceKind.TREE
            )
        );
        verifier.verify(metadata, latest.messages[0]);
    }

    function test_ProveTreeRoot_RevertGiven_RootSlotSource() public {
        bytes[] memory countProof = _countProof(LATEST);
        bytes[][] memory branchProofs = _branchProofs(LATEST);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierWrongSourceKind.selector,
                origin,
                IStateProofVerifier.SourceKind.ROOT_SLOT
            )
        );
        verifier.proveTreeRoot(origin, latest.stateRoot, latest.accountProof, countProof, branchProofs);
    }

    function test_ProveRoot_RevertGiven_TreeSource() public {
        _useTreeSource();
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierWrongSourceKind.selector,
                origin,
                IStateProofVerifier.SourceKind.TREE
            )
        );
        verifier.proveRoot(origin, latest.stateRoot, latest.accountProof, latest.storageProof);
    }

    function test_ProveTreeRoot_RevertGiven_UnknownOrigin() public {
        bytes[] memory countProof = _countProof(LATEST);
        bytes[][] memory branchProofs = _branchProofs(LATEST);
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierUnknownOrigin.selector, 99));
        verifier.proveTreeRoot(99, latest.stateRoot, latest.accountProof, countProof, branchProofs);
    }

    function test_ProveTreeRoot_RevertGiven_UnacceptedStateRoot() public {
        _useTreeSource();
        oracle.revokeBlockHash(origin, latest.blockHash);
        bytes[] memory countProof = _countProof(LATEST);
        bytes[][] memory branchProofs = _branchProofs(LATEST);
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierStateRootNotAccepted.selector, origin, latest.stateRoot
            )
        );
        verifier.proveTreeRoot(origin, latest.stateRoot, latest.accountProof, countProof, branchProofs);
    }

    function test_ProveTreeRoot_RevertWhen_BranchProofMissing() public {
        _useTreeSource();
        bytes[] memory countProof = _countProof(LATEST);
        bytes[][] memory all = _branchProofs(LATEST);
        bytes[][] memory branchProofs = new bytes[][](1);
        branchProofs[0] = all[0];
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierBranchProofCount.selector, 2, 1));
        verifier.proveTreeRoot(origin, latest.stateRoot, latest.accountProof, countProof, branchProofs);
    }

    function test_ProveTreeRoot_RevertWhen_BranchProofExtra() public {
        _useTreeSource();
        bytes[] memory countProof = _countProof(LATEST);
        bytes[][] memory all = _branchProofs(LATEST);
        bytes[][] memory branchProofs = new bytes[][](3);
        (branchProofs[0], branchProofs[1], branchProofs[2]) = (all[0], all[1], all[1]);
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierBranchProofCount.selector, 2, 3));
        verifier.proveTreeRoot(origin, latest.stateRoot, latest.accountProof, countProof, branchProofs);
    }

    /// @dev Branch proofs out of order: each is checked against its own level's slot, so the swap is caught.
    function test_ProveTreeRoot_RevertWhen_BranchProofsSwapped() public {
        _useTreeSource();
        bytes[] memory countProof = _countProof(LATEST);
        bytes[][] memory branchProofs = _branchProofs(LATEST);
        (branchProofs[0], branchProofs[1]) = (branchProofs[1], branchProofs[0]);
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierInvalidStorageProof.selector);
        verifier.proveTreeRoot(origin, latest.stateRoot, latest.accountProof, countProof, branchProofs);
    }

    /// @dev A count proof from the early block (count 2) does not fit the latest storage root.
    function test_ProveTreeRoot_RevertWhen_CountProofFromOtherBlock() public {
        _useTreeSource();
        bytes[] memory countProof = _countProof(EARLY);
        bytes[][] memory branchProofs = _branchProofs(LATEST);
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierInvalidStorageProof.selector);
        verifier.proveTreeRoot(origin, latest.stateRoot, latest.accountProof, countProof, branchProofs);
    }

    function test_ProveTreeRoot_RevertGiven_WrongBranchSlot() public {
        verifier.setTreeSource(origin, latest.source, bytes32(uint256(1)), 0, bytes32(uint256(3)));
        bytes[] memory countProof = _countProof(LATEST);
        bytes[][] memory branchProofs = _branchProofs(LATEST);
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierInvalidStorageProof.selector);
        verifier.proveTreeRoot(origin, latest.stateRoot, latest.accountProof, countProof, branchProofs);
    }

    /// @dev A count slot whose low 32 bits are zero (here: the `latestRoot` slot 0 of the mock has nonzero
    /// low bits, so use the root slot of a synthetic value instead): an empty tree proves nothing.
    function test_ProveTreeRoot_RevertWhen_CountZero() public {
        bytes32 countSlot = bytes32(uint256(1));
        bytes memory storageLeaf = _leaf(keccak256(abi.encode(countSlot)), RLP.encode(uint256(1) << 32));
        bytes[] memory accountFields = new bytes[](4);
        accountFields[0] = RLP.encode(uint256(1));
        accountFields[1] = RLP.encode(uint256(0));
        accountFields[2] = RLP.encode(keccak256(storageLeaf));
        accountFields[3] = RLP.encode(keccak256(""));
        bytes memory accountLeaf = _leaf(keccak256(abi.encodePacked(latest.source)), RLP.encode(accountFields));
        bytes32 stateRoot = keccak256(accountLeaf);
        MockHeaderOracle mock = new MockHeaderOracle();
        mock.setAccepted(origin, stateRoot, true);
        StateProofVerifier synthetic = new StateProofVerifier(address(manager), mock);
        synthetic.setTreeSource(origin, latest.source, countSlot, 0, bytes32(uint256(2)));
        bytes[] memory accountProof = new bytes[](1);
        accountProof[0] = accountLeaf;
        bytes[] memory countProof = new bytes[](1);
        countProof[0] = storageLeaf;
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierZeroValue.selector, countSlot));
        synthetic.proveTreeRoot(origin, stateRoot, accountProof, countProof, new bytes[][](0));
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev Any single-bit flip anywhere in either Merkle-Patricia proof is refused.
    function testFuzz_Verify_RevertWhen_AnyProofBitFlipped(bool inAccount, uint256 node, uint256 bytePos, uint8 bit)
        public
    {
        bytes[] memory accountProof = _copy(latest.accountProof);
        bytes[] memory storageProof = _copy(latest.storageProof);
        bytes[] memory target = inAccount ? accountProof : storageProof;
        node = bound(node, 0, target.length - 1);
        bytePos = bound(bytePos, 0, target[node].length - 1);
        target[node][bytePos] ^= bytes1(uint8(1) << (bit % 8));
        bytes memory metadata = _fullWith(latest.stateRoot, accountProof, storageProof, 1, _siblings(LATEST, 1));
        vm.expectRevert();
        verifier.verify(metadata, latest.messages[1]);
    }

    /// @dev Any index other than the message's own is refused.
    function testFuzz_Verify_RevertWhen_IndexWrong(uint32 index) public {
        vm.assume(index != 3);
        bytes memory metadata = _full(latest, index, _siblings(LATEST, 3));
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierNotIncluded.selector);
        verifier.verify(metadata, latest.messages[3]);
    }

    /// @dev Any single-bit flip in any sibling is refused.
    function testFuzz_Verify_RevertWhen_SiblingFlipped(uint8 level, uint8 bit) public {
        bytes32[32] memory siblings = _siblings(LATEST, 3);
        siblings[level % 32] ^= bytes32(uint256(1) << bit);
        bytes memory metadata = _full(latest, 3, siblings);
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierNotIncluded.selector);
        verifier.verify(metadata, latest.messages[3]);
    }

    // ---------------------------------------------------------------- gas (informational; the lead benchmarks)

    function test_Gas_Verify() public {
        bytes memory full = _full(latest, 3, _siblings(LATEST, 3));
        bytes memory cached = abi.encodePacked(uint32(3), _siblings(LATEST, 3));
        bytes memory message = latest.messages[3];

        vm.cool(address(verifier));
        vm.cool(address(oracle));
        uint256 before = gasleft();
        verifier.verify(full, message);
        uint256 fullGas = before - gasleft();

        vm.cool(address(verifier));
        vm.cool(address(oracle));
        before = gasleft();
        verifier.proveRoot(origin, latest.stateRoot, latest.accountProof, latest.storageProof);
        uint256 proveGas = before - gasleft();

        vm.cool(address(verifier));
        vm.cool(address(oracle));
        before = gasleft();
        verifier.verify(cached, message);
        uint256 cachedGas = before - gasleft();

        _useTreeSource();
        bytes[] memory countProof = _countProof(LATEST);
        bytes[][] memory branchProofs = _branchProofs(LATEST);
        vm.cool(address(verifier));
        vm.cool(address(oracle));
        before = gasleft();
        verifier.proveTreeRoot(origin, latest.stateRoot, latest.accountProof, countProof, branchProofs);
        uint256 proveTreeGas = before - gasleft();

        console.log("metadata bytes, full proof:", full.length);
        console.log("StateProofVerifier.proveTreeRoot gas (count 5: 1 count + 2 branch proofs):", proveTreeGas);
        console.log("StateProofVerifier.verify gas, full proof (account 3 nodes + storage 2 nodes):", fullGas);
        console.log("StateProofVerifier.proveRoot gas:", proveGas);
        console.log("StateProofVerifier.verify gas, cached root:", cachedGas);
    }
}
