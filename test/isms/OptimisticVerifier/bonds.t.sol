// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOptimisticVerifier} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifierBase, ReenteringWatcher, RejectingWatcher} from "./Base.t.sol";

/// @notice Bonds: `releaseBond` after an unvetoed window, pull payments (`withdraw`), value conserved.
contract OptimisticVerifier_bonds is OptimisticVerifierBase {
    // ---------------------------------------------------------------- releaseBond / withdraw

    function test_ReleaseBond_ReturnsBondAfterWindow() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        vm.expectEmit(address(verifier));
        emit IOptimisticVerifier.BondReturned(ORIGIN, root, submitter, BOND);
        vm.prank(stranger); // anyone may release
        verifier.releaseBond(ORIGIN, root);
        assertEq(verifier.credit(submitter), BOND);
        uint256 before = submitter.balance;
        vm.prank(submitter);
        verifier.withdraw(payable(submitter));
        assertEq(submitter.balance, before + BOND);
    }

    function test_ReleaseBond_RevertGiven_WindowNotElapsed() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        uint64 usableAt = uint64(block.timestamp) + WINDOW;
        vm.warp(usableAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierWindowNotElapsed.selector, ORIGIN, root, usableAt
            )
        );
        verifier.releaseBond(ORIGIN, root);
    }

    function test_ReleaseBond_RevertGiven_Vetoed() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.prank(watcher);
        verifier.veto(ORIGIN, root);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNoBond.selector, ORIGIN, root));
        verifier.releaseBond(ORIGIN, root);
    }

    function test_ReleaseBond_RevertGiven_AlreadyReleased() public {
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        verifier.releaseBond(ORIGIN, root);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNoBond.selector, ORIGIN, root));
        verifier.releaseBond(ORIGIN, root);
    }

    function test_ReleaseBond_RevertGiven_InnerVerified() public {
        bytes32 id = _commitVerified(_message(0));
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNoBond.selector, ORIGIN, id));
        verifier.releaseBond(ORIGIN, id);
    }

    function test_Withdraw_RevertGiven_NothingToWithdraw() public {
        vm.prank(stranger);
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierNothingToWithdraw.selector);
        verifier.withdraw(payable(stranger));
    }

    /// @dev A watcher that cannot receive value still vetoes; its credit survives a failed transfer and can
    /// be sent elsewhere.
    function test_Withdraw_RevertWhen_TransferFails_CreditKept() public {
        RejectingWatcher rejecting = new RejectingWatcher();
        verifier.setWatcher(address(rejecting), true);
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        rejecting.veto(verifier, ORIGIN, root);

        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierTransferFailed.selector, address(rejecting), BOND
            )
        );
        rejecting.withdrawTo(verifier, payable(address(rejecting)));
        assertEq(verifier.credit(address(rejecting)), BOND);

        rejecting.withdrawTo(verifier, payable(stranger));
        assertEq(stranger.balance, BOND);
        assertEq(verifier.credit(address(rejecting)), 0);
    }

    function test_Withdraw_ReentrancyPaysOnce() public {
        ReenteringWatcher reentering = new ReenteringWatcher();
        verifier.setWatcher(address(reentering), true);
        bytes32 root = keccak256("root");
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        reentering.veto(verifier, ORIGIN, root);
        reentering.withdraw();
        assertEq(address(reentering).balance, BOND);
        assertEq(reentering.calls(), 1);
        assertEq(address(verifier).balance, 0);
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev No lost value: held bonds + credits always equal the contract's balance, whatever the sequence.
    function testFuzz_Bonds_Conserved(uint8 commits, uint256 seed) public {
        commits = uint8(bound(commits, 1, 12));
        bytes32[] memory roots = new bytes32[](commits);
        for (uint256 i = 0; i < commits; ++i) {
            roots[i] = keccak256(abi.encode(seed, i));
            _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, roots[i]);
            vm.warp(block.timestamp + uint256(keccak256(abi.encode(seed, i, "dt"))) % WINDOW);
            if (uint256(keccak256(abi.encode(seed, i, "veto"))) % 2 == 0) {
                vm.prank(watcher);
                verifier.veto(ORIGIN, roots[i]);
            }
        }
        vm.warp(block.timestamp + WINDOW);
        uint256 held;
        for (uint256 i = 0; i < commits; ++i) {
            if (verifier.commitmentOf(ORIGIN, roots[i]).bond != 0) verifier.releaseBond(ORIGIN, roots[i]);
            held += verifier.commitmentOf(ORIGIN, roots[i]).bond;
        }
        assertEq(held, 0);
        assertEq(verifier.credit(watcher) + verifier.credit(submitter), address(verifier).balance);
        assertEq(address(verifier).balance, uint256(commits) * BOND);
    }
}
