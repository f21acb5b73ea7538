// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptimisticVerifier} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifierBase} from "./Base.t.sol";

/// @notice `proveEquivocation` (issue 5 (c)): two committed messages for one (origin, nonce) refuse that nonce
/// forever.
contract OptimisticVerifier_proveEquivocation is OptimisticVerifierBase {
    function test_ProveEquivocation_RefusesNonceForever() public {
        bytes memory canonical = _message(7, ORIGIN, "canonical");
        bytes memory orphan = _message(7, ORIGIN, "orphan");
        bytes32 idA = _commitVerified(canonical);
        bytes32 idB = _commitVerified(orphan);

        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.EquivocationProven(ORIGIN, 7, idA, idB, stranger);
        vm.prank(stranger);
        verifier.proveEquivocation(canonical, orphan);

        assertTrue(verifier.isNonceRefused(ORIGIN, 7));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierVetoed.selector, ORIGIN, idA));
        verifier.verify(EMPTY, canonical);

        // A third inner-verified message at the same nonce is refused too.
        bytes memory third = _message(7, ORIGIN, "third");
        _commitVerified(third);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNonceRefused.selector, ORIGIN, 7));
        verifier.verify(EMPTY, third);
    }

    /// @dev Evidence counts even after the window: the nonce is refused from then on, including on the root path.
    function test_ProveEquivocation_RefusesNonceOnRootPath() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        _commitVerified(messages[3]);
        _commitVerified(_message(3, ORIGIN, "conflicting"));
        vm.warp(block.timestamp + WINDOW);
        assertTrue(verifier.verify(_rootMetadata(ids, 3), messages[3]));
        verifier.proveEquivocation(messages[3], _message(3, ORIGIN, "conflicting"));
        bytes memory metadata = _rootMetadata(ids, 3);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNonceRefused.selector, ORIGIN, 3));
        verifier.verify(metadata, messages[3]);
        assertTrue(verifier.verify(_rootMetadata(ids, 2), messages[2]));
    }

    function test_ProveEquivocation_RevertWhen_SameMessage() public {
        bytes memory message = _message(1);
        _commitVerified(message);
        bytes32 id = keccak256(message);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierEvidenceNotConflicting.selector, id, id)
        );
        verifier.proveEquivocation(message, message);
    }

    function test_ProveEquivocation_RevertWhen_DifferentNonce() public {
        bytes memory a = _message(1);
        bytes memory b = _message(2);
        _commitVerified(a);
        _commitVerified(b);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotConflicting.selector, keccak256(a), keccak256(b)
            )
        );
        verifier.proveEquivocation(a, b);
    }

    function test_ProveEquivocation_RevertWhen_DifferentOrigin() public {
        verifier.setWindow(OTHER_ORIGIN, WINDOW);
        bytes memory a = _message(1, ORIGIN, "a");
        bytes memory b = _message(1, OTHER_ORIGIN, "b");
        _commitVerified(a);
        _commitVerified(b);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotConflicting.selector, keccak256(a), keccak256(b)
            )
        );
        verifier.proveEquivocation(a, b);
    }

    function test_ProveEquivocation_RevertWhen_OneNotCommitted() public {
        bytes memory a = _message(1, ORIGIN, "a");
        bytes memory b = _message(1, ORIGIN, "b");
        _commitVerified(a);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotInnerVerified.selector, keccak256(b)
            )
        );
        verifier.proveEquivocation(a, b);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotInnerVerified.selector, keccak256(b)
            )
        );
        verifier.proveEquivocation(b, a);
    }

    /// @dev Bonded ids are claims anyone can make: they are not evidence (else any nonce could be blocked).
    function test_ProveEquivocation_RevertWhen_BondedCommitment() public {
        bytes memory a = _message(1, ORIGIN, "a");
        bytes memory b = _message(1, ORIGIN, "b");
        _commitVerified(a);
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.MESSAGE_ID, keccak256(b));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierEvidenceNotInnerVerified.selector, keccak256(b)
            )
        );
        verifier.proveEquivocation(a, b);
    }

    function test_ProveEquivocation_RevertWhen_MessageMalformed() public {
        bytes memory a = _message(1);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierEvidenceMalformed.selector, a.length, 76)
        );
        verifier.proveEquivocation(a, new bytes(76));
    }
}
