// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RLP} from "@openzeppelin/contracts/utils/RLP.sol";

import {IStateProofVerifier} from "../../../contracts/interfaces/IStateProofVerifier.sol";
import {StateProofVerifier} from "../../../contracts/isms/StateProofVerifier.sol";
import {MockHeaderOracle, StateProofVerifierBase} from "./Base.t.sol";

/// @notice `verify` against mutated message-tree proofs (siblings, index, leaf): every mutation is refused.
contract StateProofVerifier_treeProofs is StateProofVerifierBase {
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

    // ---------------------------------------------------------------- fuzz

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
}
