// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {RLP} from "@openzeppelin/contracts/utils/RLP.sol";
import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";
import {Test} from "forge-std/Test.sol";

import {IHeaderOracle} from "../../../contracts/interfaces/IHeaderOracle.sol";
import {IStateProofVerifier} from "../../../contracts/interfaces/IStateProofVerifier.sol";
import {HeaderOracle} from "../../../contracts/isms/HeaderOracle.sol";
import {StateProofVerifier} from "../../../contracts/isms/StateProofVerifier.sol";

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

/// @dev The StateProofVerifier fixture: the real-header oracle stub, the verifier with the fixtures' source configured.
abstract contract StateProofVerifierBase is StateProofFixtures {
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

    // ---------------------------------------------------------------- mutated message-tree proofs

    /// @dev RLP of a leaf node whose path is the whole 32-byte key (hex-prefix 0x20: leaf, even length).
    function _leaf(bytes32 key, bytes memory value) internal pure returns (bytes memory) {
        bytes[] memory node = new bytes[](2);
        node[0] = RLP.encode(abi.encodePacked(bytes1(0x20), key));
        node[1] = RLP.encode(value);
        return RLP.encode(node);
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
}
