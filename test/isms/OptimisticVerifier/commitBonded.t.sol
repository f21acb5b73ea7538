// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptimisticVerifier} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifierBase} from "./Base.t.sol";

/// @notice `commitBonded`: a bonded commitment (message id or root) with exactly the origin's bond, once.
contract OptimisticVerifier_commitBonded is OptimisticVerifierBase {
    function test_CommitBonded_RecordsAndEmits() public {
        bytes32 root = keccak256("root");
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.Committed(
            ORIGIN,
            root,
            IOptimisticVerifier.CommitmentKind.ROOT,
            IOptimisticVerifier.CommitmentSource.BOND,
            submitter,
            uint64(block.timestamp) + WINDOW,
            BOND
        );
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        IOptimisticVerifier.Commitment memory record = verifier.commitmentOf(ORIGIN, root);
        assertEq(record.submitter, submitter);
        assertEq(record.bond, BOND);
        assertEq(address(verifier).balance, BOND);
    }

    function test_CommitBonded_RevertWhen_KindNone() public {
        vm.prank(submitter);
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierInvalidKind.selector);
        verifier.commitBonded{value: BOND}(ORIGIN, IOptimisticVerifier.CommitmentKind.NONE, keccak256("x"));
    }

    function test_CommitBonded_RevertWhen_ZeroCommitment() public {
        vm.prank(submitter);
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierZeroCommitment.selector);
        verifier.commitBonded{value: BOND}(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, bytes32(0));
    }

    function test_CommitBonded_RevertGiven_BondDisabled() public {
        verifier.setBond(ORIGIN, 0);
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierBondedCommitDisabled.selector, ORIGIN)
        );
        verifier.commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, keccak256("x"));
    }

    function test_CommitBonded_RevertGiven_UnknownOrigin() public {
        verifier.setBond(OTHER_ORIGIN, BOND);
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierUnknownOrigin.selector, OTHER_ORIGIN)
        );
        verifier.commitBonded{value: BOND}(OTHER_ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, keccak256("x"));
    }

    function test_CommitBonded_RevertWhen_BondTooLow() public {
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierWrongBond.selector, BOND, BOND - 1)
        );
        verifier.commitBonded{value: BOND - 1}(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, keccak256("x"));
    }

    function test_CommitBonded_RevertWhen_BondTooHigh() public {
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierWrongBond.selector, BOND, BOND + 1)
        );
        verifier.commitBonded{value: BOND + 1}(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, keccak256("x"));
    }

    function test_CommitBonded_RevertGiven_AlreadyCommitted() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierAlreadyCommitted.selector, ORIGIN, root)
        );
        verifier.commitBonded{value: BOND}(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
    }

    /// @dev A vetoed commitment cannot be reset by committing it again (I9), not even as another kind.
    function test_CommitBonded_RevertGiven_Vetoed() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.prank(watcher);
        verifier.veto(ORIGIN, root);
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierAlreadyCommitted.selector, ORIGIN, root)
        );
        verifier.commitBonded{value: BOND}(ORIGIN, IOptimisticVerifier.CommitmentKind.MESSAGE_ID, root);
    }
}
