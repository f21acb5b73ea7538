// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IHeaderOracle} from "../../contracts/interfaces/IHeaderOracle.sol";
import {IStateProofVerifier} from "../../contracts/interfaces/IStateProofVerifier.sol";
import {HeaderOracle} from "../../contracts/isms/HeaderOracle.sol";
import {StateProofVerifier} from "../../contracts/isms/StateProofVerifier.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";
import {Test} from "forge-std/Test.sol";

/// @dev StateProofVerifier TREE mode against the REAL `ConcordGateway`: test/fixtures/stateproof/gateway.json
/// (scripts/make-gateway-stateproof-fixture.ts: anvil, 5 dispatches, eth_getProof of `_core` and `_tree`).
contract StateProofGatewayTest is Test {
    string internal constant FIXTURE = "test/fixtures/stateproof/gateway.json";
    /// @dev ConcordGateway keeps the nonce (= leaf count) at bits [160,192) of `_core`.
    uint8 internal constant GATEWAY_COUNT_OFFSET = 160;

    AccessManager internal manager;
    HeaderOracle internal oracle;
    StateProofVerifier internal verifier;

    string internal json;
    uint32 internal origin;
    address internal gateway;
    bytes32 internal stateRoot;
    bytes32 internal root;
    uint256 internal count;
    bytes32 internal countSlot;
    bytes32 internal branchSlot;
    bytes[] internal accountProof;
    bytes[] internal countProof;
    bytes[] internal messages;

    function setUp() public {
        json = vm.readFile(FIXTURE);
        origin = uint32(vm.parseJsonUint(json, ".chainId"));
        gateway = vm.parseJsonAddress(json, ".gateway");
        stateRoot = vm.parseJsonBytes32(json, ".stateRoot");
        root = vm.parseJsonBytes32(json, ".root");
        count = vm.parseJsonUint(json, ".count");
        countSlot = vm.parseJsonBytes32(json, ".countSlot");
        branchSlot = vm.parseJsonBytes32(json, ".branchSlot");
        accountProof = vm.parseJsonBytesArray(json, ".accountProof");
        countProof = vm.parseJsonBytesArray(json, ".countProof");
        messages = vm.parseJsonBytesArray(json, ".messages");

        manager = new AccessManager(address(this));
        oracle = new HeaderOracle(address(manager));
        verifier = new StateProofVerifier(address(manager), oracle);
        oracle.acceptBlockHash(origin, vm.parseJsonBytes32(json, ".blockHash"));
        assertEq(oracle.submitHeader(origin, vm.parseJsonBytes(json, ".header")), stateRoot);
        verifier.setTreeSource(origin, gateway, countSlot, GATEWAY_COUNT_OFFSET, branchSlot);
    }

    // ---------------------------------------------------------------- helpers

    function _branchProofs() internal view returns (bytes[][] memory proofs) {
        uint256[] memory levels = vm.parseJsonUintArray(json, ".branchLevels");
        proofs = new bytes[][](levels.length);
        for (uint256 i = 0; i < levels.length; ++i) {
            proofs[i] = vm.parseJsonBytesArray(json, string.concat(".branchProofs[", vm.toString(i), "]"));
        }
    }

    function _siblings(uint256 index) internal view returns (bytes32[32] memory siblings) {
        bytes32[] memory list = vm.parseJsonBytes32Array(json, string.concat(".proofs[", vm.toString(index), "]"));
        assertEq(list.length, 32, "fixture proof depth");
        for (uint256 i = 0; i < 32; ++i) {
            siblings[i] = list[i];
        }
    }

    function _cached(uint256 index, bytes32[32] memory siblings) internal pure returns (bytes memory) {
        return abi.encodePacked(uint32(index), siblings);
    }

    function _copy(bytes[] memory proof) internal pure returns (bytes[] memory out) {
        out = new bytes[](proof.length);
        for (uint256 i = 0; i < proof.length; ++i) {
            out[i] = bytes.concat(proof[i]);
        }
    }

    function _proveGateway() internal returns (bytes32) {
        return verifier.proveTreeRoot(origin, stateRoot, accountProof, countProof, _branchProofs());
    }

    function _expectStorageProofError(TrieProof.ProofError reason) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierInvalidStorageProof.selector, reason)
        );
    }

    // ---------------------------------------------------------------- fixture sanity

    /// @dev The fixture is what the tests assume: real gateway messages of this origin, the count packed in
    /// `_core` bits [160,192) (nothing in the low 32 bits: no default verifier), and the root recomputed
    /// from the fixture's branch values equals the gateway's `root()`.
    function test_Fixture_IsConsistentWithGateway() public view {
        assertEq(keccak256(vm.parseJsonBytes(json, ".header")), vm.parseJsonBytes32(json, ".blockHash"));
        assertEq(count, 5);
        assertEq(messages.length, count);
        bytes32[] memory ids = vm.parseJsonBytes32Array(json, ".ids");
        for (uint256 i = 0; i < count; ++i) {
            assertEq(keccak256(messages[i]), ids[i]);
            assertEq(_field32(messages[i], Message.ORIGIN_OFFSET), origin, "origin");
            assertEq(_field32(messages[i], Message.NONCE_OFFSET), i, "nonce");
        }
        uint256 word = uint256(vm.parseJsonBytes32(json, ".countWord"));
        assertEq(vm.parseJsonUint(json, ".nonceShift"), 160);
        assertEq((word >> 160) & type(uint32).max, count, "nonce at bits [160,192)");
        assertEq(word & type(uint32).max, 0, "low 32 bits are not the count");

        bytes32[] memory values = vm.parseJsonBytes32Array(json, ".branchValues");
        bytes32 recomputed;
        bytes32 zero;
        for (uint256 level = 0; level < 32; ++level) {
            if ((count >> level) & 1 == 1) {
                recomputed = keccak256(abi.encodePacked(values[0], recomputed));
                values[0] = values[values.length - 1];
                assembly ("memory-safe") {
                    mstore(values, sub(mload(values), 1))
                }
            } else {
                recomputed = keccak256(abi.encodePacked(recomputed, zero));
            }
            zero = keccak256(abi.encodePacked(zero, zero));
        }
        assertEq(recomputed, root);
    }

    // ---------------------------------------------------------------- the count offset matters

    /// @dev Configured with offset 0 (the low 32 bits, where ConcordGateway keeps the default verifier, here zero),
    /// the proven count is 0 and the proof is refused: the offset must match the gateway's layout.
    function test_ProveTreeRoot_RevertWhen_CountOffsetWrongForGateway() public {
        verifier.setTreeSource(origin, gateway, countSlot, 0, branchSlot);
        bytes[][] memory branchProofs = _branchProofs();
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierZeroValue.selector, countSlot));
        verifier.proveTreeRoot(origin, stateRoot, accountProof, countProof, branchProofs);
    }

    // ---------------------------------------------------------------- TREE mode with the gateway's count bits

    function test_ProveTreeRoot_AcceptsDispatchedMessages() public {
        vm.expectEmit(address(verifier));
        emit IStateProofVerifier.RootProven(origin, root, stateRoot);
        assertEq(_proveGateway(), root);
        assertEq(verifier.provenRootStateRoot(origin, root), stateRoot);
        for (uint256 i = 0; i < count; ++i) {
            assertTrue(verifier.verify(_cached(i, _siblings(i)), messages[i]));
        }
    }

    function test_ProveTreeRoot_RevertWhen_CountProofBitFlip() public {
        bytes[] memory proof = _copy(countProof);
        proof[proof.length - 1][proof[proof.length - 1].length - 1] ^= 0x01;
        bytes[][] memory branchProofs = _branchProofs();
        _expectStorageProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        verifier.proveTreeRoot(origin, stateRoot, accountProof, proof, branchProofs);
    }

    function test_ProveTreeRoot_RevertWhen_BranchProofRootBitFlip() public {
        bytes[][] memory branchProofs = _branchProofs();
        branchProofs[0] = _copy(branchProofs[0]);
        branchProofs[0][0][7] ^= 0x80;
        _expectStorageProofError(TrieProof.ProofError.INVALID_ROOT);
        verifier.proveTreeRoot(origin, stateRoot, accountProof, countProof, branchProofs);
    }

    function test_ProveTreeRoot_RevertWhen_AccountProofBitFlip() public {
        bytes[] memory proof = _copy(accountProof);
        proof[0][3] ^= 0x01;
        bytes[][] memory branchProofs = _branchProofs();
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierInvalidAccountProof.selector, TrieProof.ProofError.INVALID_ROOT
            )
        );
        verifier.proveTreeRoot(origin, stateRoot, proof, countProof, branchProofs);
    }

    /// @dev Branch proofs swapped between levels prove the wrong slots (keys), so they are refused.
    function test_ProveTreeRoot_RevertWhen_BranchProofsSwapped() public {
        bytes[][] memory branchProofs = _branchProofs();
        (branchProofs[0], branchProofs[1]) = (branchProofs[1], branchProofs[0]);
        _expectStorageProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        verifier.proveTreeRoot(origin, stateRoot, accountProof, countProof, branchProofs);
    }

    function test_Verify_RevertWhen_WrongIndex() public {
        _proveGateway();
        bytes32[32] memory siblings = _siblings(2);
        bytes32 wrongRoot = _rootAt(keccak256(messages[2]), siblings, 3);
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierRootNotProven.selector, origin, wrongRoot)
        );
        verifier.verify(_cached(3, siblings), messages[2]);
    }

    function test_Verify_RevertWhen_SiblingBitFlip() public {
        _proveGateway();
        bytes32[32] memory siblings = _siblings(1);
        siblings[0] ^= bytes32(uint256(1));
        bytes32 forgedRoot = _rootAt(keccak256(messages[1]), siblings, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierRootNotProven.selector, origin, forgedRoot)
        );
        verifier.verify(_cached(1, siblings), messages[1]);
    }

    function test_Verify_RevertWhen_RootNotProvenYet() public {
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierRootNotProven.selector, origin, root)
        );
        verifier.verify(_cached(0, _siblings(0)), messages[0]);
    }

    /// @dev The big-endian uint32 at byte `offset` of `message`.
    function _field32(bytes memory message, uint256 offset) internal pure returns (uint32 value) {
        for (uint256 i = 0; i < 4; ++i) {
            value = (value << 8) | uint8(message[offset + i]);
        }
    }

    function _rootAt(bytes32 leaf, bytes32[32] memory siblings, uint256 index) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 level = 0; level < 32; ++level) {
            node = (index >> level) & 1 == 1
                ? keccak256(abi.encodePacked(siblings[level], node))
                : keccak256(abi.encodePacked(node, siblings[level]));
        }
    }
}
