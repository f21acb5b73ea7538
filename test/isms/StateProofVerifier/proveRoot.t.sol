// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";

import {IStateProofVerifier} from "../../../contracts/interfaces/IStateProofVerifier.sol";
import {StateProofVerifierBase} from "./Base.t.sol";

/// @notice `proveRoot` (cached roots) and `verify` over a cached root.
contract StateProofVerifier_proveRoot is StateProofVerifierBase {
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
}
