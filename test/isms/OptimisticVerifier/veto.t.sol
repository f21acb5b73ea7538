// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptimisticVerifier} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifierBase} from "./Base.t.sol";

/// @notice `veto`: a watcher, within the window, once; a bonded commitment's bond goes to the watcher.
contract OptimisticVerifier_veto is OptimisticVerifierBase {
    function test_Veto_SlashesBondToWatcher() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.Vetoed(ORIGIN, root, watcher);
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.BondSlashed(ORIGIN, root, watcher, BOND);
        vm.prank(watcher);
        verifier.veto(ORIGIN, root);
        assertTrue(verifier.commitmentOf(ORIGIN, root).vetoed);
        assertEq(verifier.commitmentOf(ORIGIN, root).bond, 0);
        assertEq(verifier.credit(watcher), BOND);

        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.Withdrawn(watcher, payable(watcher), BOND);
        vm.prank(watcher);
        verifier.withdraw(payable(watcher));
        assertEq(watcher.balance, BOND);
        assertEq(address(verifier).balance, 0);
    }

    function test_Veto_InnerVerifiedCommitment_NoBondMoves() public {
        bytes32 id = _commitVerified(_message(0));
        vm.recordLogs();
        vm.prank(watcher);
        verifier.veto(ORIGIN, id);
        assertEq(vm.getRecordedLogs().length, 1); // Vetoed only, no BondSlashed
        assertEq(verifier.credit(watcher), 0);
    }

    function test_Veto_RevertWhen_CallerNotWatcher() public {
        bytes32 id = _commitVerified(_message(0));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNotWatcher.selector, stranger));
        verifier.veto(ORIGIN, id);
    }

    function test_Veto_RevertGiven_WatcherRemoved() public {
        bytes32 id = _commitVerified(_message(0));
        verifier.setWatcher(watcher, false);
        vm.prank(watcher);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNotWatcher.selector, watcher));
        verifier.veto(ORIGIN, id);
    }

    function test_Veto_RevertGiven_WindowElapsed() public {
        bytes32 id = _commitVerified(_message(0));
        uint64 usableAt = uint64(block.timestamp) + WINDOW;
        vm.warp(usableAt);
        vm.prank(watcher);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierWindowElapsed.selector, ORIGIN, id, usableAt)
        );
        verifier.veto(ORIGIN, id);
    }

    function test_Veto_RevertGiven_NotCommitted() public {
        vm.prank(watcher);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNotCommitted.selector, ORIGIN, bytes32("x"))
        );
        verifier.veto(ORIGIN, bytes32("x"));
    }

    function test_Veto_RevertGiven_AlreadyVetoed() public {
        bytes32 id = _commitVerified(_message(0));
        vm.startPrank(watcher);
        verifier.veto(ORIGIN, id);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierVetoed.selector, ORIGIN, id));
        verifier.veto(ORIGIN, id);
        vm.stopPrank();
    }

    /// @dev Shortening the window later does not shorten a running commitment's window.
    function test_Veto_StillPossibleAfterWindowShortened() public {
        bytes32 id = _commitVerified(_message(0));
        verifier.setWindow(ORIGIN, 1);
        vm.warp(block.timestamp + WINDOW - 1);
        vm.prank(watcher);
        verifier.veto(ORIGIN, id);
        assertTrue(verifier.commitmentOf(ORIGIN, id).vetoed);
    }
}
