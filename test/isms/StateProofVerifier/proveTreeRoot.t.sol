// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RLP} from "@openzeppelin/contracts/utils/RLP.sol";

import {IStateProofVerifier} from "../../../contracts/interfaces/IStateProofVerifier.sol";
import {StateProofVerifier} from "../../../contracts/isms/StateProofVerifier.sol";
import {MockHeaderOracle, StateProofVerifierBase} from "./Base.t.sol";

/// @notice `proveTreeRoot` (TREE sources): the root recomputed from the gateway's branch and count slots.
contract StateProofVerifier_proveTreeRoot is StateProofVerifierBase {
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
}
