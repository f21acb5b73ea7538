// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";

import {StateProofVerifierBase} from "./Base.t.sol";

/// @notice `verify` against mutated Merkle-Patricia proofs (account and storage): every mutation is refused.
contract StateProofVerifier_mptProofs is StateProofVerifierBase {
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
}
