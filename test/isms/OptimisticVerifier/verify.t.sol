// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {console} from "forge-std/Test.sol";

import {IOptimisticVerifier} from "../../../contracts/interfaces/IOptimisticVerifier.sol";
import {OptimisticVerifier} from "../../../contracts/isms/OptimisticVerifier.sol";
import {MerkleTreeView, OptimisticVerifierBase} from "./Base.t.sol";

/// @notice `verify` (message-id and root paths): usable exactly from the window's end and never after a veto;
/// `authorizeRetry`; informational gas.
contract OptimisticVerifier_verify is OptimisticVerifierBase {
    // ---------------------------------------------------------------- verify: message-id path

    function test_Verify_RevertGiven_OneSecondBeforeWindowEnd() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        uint64 usableAt = uint64(block.timestamp) + WINDOW;
        vm.warp(usableAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierWindowNotElapsed.selector, ORIGIN, id, usableAt
            )
        );
        verifier.verify(EMPTY, message);
        assertFalse(verifier.isUsable(ORIGIN, id));
    }

    function test_Verify_AcceptsAtWindowEnd() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        vm.warp(block.timestamp + WINDOW);
        assertTrue(verifier.verify(EMPTY, message));
        assertTrue(verifier.isUsable(ORIGIN, id));
    }

    function test_Verify_RevertGiven_Vetoed_EvenAfterWindowEnd() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        vm.warp(block.timestamp + WINDOW - 1);
        vm.prank(watcher);
        verifier.veto(ORIGIN, id);
        for (uint256 dt = 0; dt < 3; ++dt) {
            vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierVetoed.selector, ORIGIN, id));
            verifier.verify(EMPTY, message);
            vm.warp(block.timestamp + 365 days);
        }
        assertFalse(verifier.isUsable(ORIGIN, id));
    }

    function test_Verify_RevertGiven_NotCommitted() public {
        bytes memory message = _message(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierNotCommitted.selector, ORIGIN, keccak256(message)
            )
        );
        verifier.verify(EMPTY, message);
    }

    /// @dev A commitment is bound to its origin: the same bytes under another origin are another message.
    function test_Verify_RevertWhen_MessageFromOtherOrigin() public {
        bytes memory message = _message(0);
        _commitVerified(message);
        vm.warp(block.timestamp + WINDOW);
        bytes memory forged = _message(0, OTHER_ORIGIN, abi.encode(uint32(0)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierNotCommitted.selector, OTHER_ORIGIN, keccak256(forged)
            )
        );
        verifier.verify(EMPTY, forged);
    }

    /// @dev A root commitment cannot be used as a message id and vice versa.
    function test_Verify_RevertGiven_RootCommittedAsId() public {
        bytes memory message = _message(0);
        bytes32 id = keccak256(message);
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, id);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierWrongKind.selector, ORIGIN, id));
        verifier.verify(EMPTY, message);
    }

    function test_Verify_RevertWhen_MessageMalformed() public {
        vm.expectRevert(IOptimisticVerifier.OptimisticVerifierMalformedMessage.selector);
        verifier.verify(EMPTY, new bytes(76));
    }

    function test_Verify_RevertWhen_MetadataTruncated() public {
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierMalformedMetadata.selector, 1027));
        verifier.verify(new bytes(1027), _message(0));
    }

    function test_Verify_RevertWhen_MetadataOverlong() public {
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierMalformedMetadata.selector, 1029));
        verifier.verify(new bytes(1029), _message(0));
    }

    // ---------------------------------------------------------------- verify: root path

    function test_Verify_AcceptsEveryLeafOfUsableRoot() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        for (uint256 i = 0; i < messages.length; ++i) {
            assertTrue(verifier.verify(_rootMetadata(ids, i), messages[i]));
        }
    }

    function test_Verify_RevertGiven_RootBeforeWindowEnd() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        uint64 usableAt = uint64(block.timestamp) + WINDOW;
        vm.warp(usableAt - 1);
        bytes memory metadata = _rootMetadata(ids, 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IOptimisticVerifier.OptimisticVerifierWindowNotElapsed.selector, ORIGIN, root, usableAt
            )
        );
        verifier.verify(metadata, messages[2]);
    }

    function test_Verify_RevertGiven_RootVetoed() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.prank(watcher);
        verifier.veto(ORIGIN, root);
        vm.warp(block.timestamp + WINDOW);
        bytes memory metadata = _rootMetadata(ids, 1);
        vm.expectRevert(abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierVetoed.selector, ORIGIN, root));
        verifier.verify(metadata, messages[1]);
    }

    function test_Verify_RevertWhen_RootProofWrongIndex() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        bytes32[32] memory siblings = tree.proof(ids, 1);
        bytes memory metadata = abi.encodePacked(uint32(3), siblings);
        bytes32 wrongRoot = MerkleTreeView.branchRoot(ids[1], siblings, 3);
        vm.expectRevert(
            abi.encodeWithSelector(IOptimisticVerifier.OptimisticVerifierNotCommitted.selector, ORIGIN, wrongRoot)
        );
        verifier.verify(metadata, messages[1]);
    }

    function test_Verify_RevertWhen_RootProofSiblingFlipped() public {
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        bytes32[32] memory siblings = tree.proof(ids, 4);
        siblings[5] ^= bytes32(uint256(1));
        vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierNotCommitted.selector);
        verifier.verify(abi.encodePacked(uint32(4), siblings), messages[4]);
    }

    function test_Verify_RevertGiven_IdCommittedUsedAsRoot() public {
        bytes memory message = _message(0);
        bytes32 id = _commitVerified(message);
        vm.warp(block.timestamp + WINDOW);
        // A proof whose "root" is the id itself cannot exist; the lookup lands on an unknown root.
        bytes32[32] memory siblings;
        vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierNotCommitted.selector);
        verifier.verify(abi.encodePacked(uint32(0), siblings), message);
        assertTrue(verifier.verify(EMPTY, message));
        id;
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev I9, first half: usable exactly when `elapsed >= window`.
    function testFuzz_Verify_UsableIffWindowElapsed(uint64 window_, uint256 elapsed, uint32 nonce) public {
        window_ = uint64(bound(window_, 1, verifier.MAX_WINDOW()));
        elapsed = bound(elapsed, 0, 2 * uint256(window_));
        verifier.setWindow(ORIGIN, window_);
        bytes memory message = _message(nonce);
        bytes32 id = _commitVerified(message);
        vm.warp(block.timestamp + elapsed);
        if (elapsed >= window_) {
            assertTrue(verifier.verify(EMPTY, message));
        } else {
            vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierWindowNotElapsed.selector);
            verifier.verify(EMPTY, message);
        }
        assertEq(verifier.isUsable(ORIGIN, id), elapsed >= window_);
    }

    /// @dev I9, second half: a veto inside the window makes the commitment unusable at every later time.
    function testFuzz_Verify_VetoedNeverUsable(uint64 window_, uint256 vetoAt, uint256 checkAt) public {
        window_ = uint64(bound(window_, 1, verifier.MAX_WINDOW()));
        vetoAt = bound(vetoAt, 0, window_ - 1);
        checkAt = bound(checkAt, vetoAt, 10 * uint256(window_));
        verifier.setWindow(ORIGIN, window_);
        uint256 start = block.timestamp;
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.MESSAGE_ID, keccak256(_message(1)));
        vm.warp(start + vetoAt);
        vm.prank(watcher);
        verifier.veto(ORIGIN, keccak256(_message(1)));
        vm.warp(start + checkAt);
        vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierVetoed.selector);
        verifier.verify(EMPTY, _message(1));
        vm.expectPartialRevert(IOptimisticVerifier.OptimisticVerifierNoBond.selector);
        verifier.releaseBond(ORIGIN, keccak256(_message(1)));
    }

    // ---------------------------------------------------------------- gas (informational; the lead benchmarks)

    function test_Gas_Verify() public {
        bytes memory message = _message(0, ORIGIN, new bytes(32));
        _commitVerified(message);
        (bytes[] memory messages, bytes32[] memory ids, bytes32 root) = _tree();
        _commitBonded(ORIGIN, IOptimisticVerifier.CommitmentKind.ROOT, root);
        vm.warp(block.timestamp + WINDOW);
        bytes memory metadata = _rootMetadata(ids, 3);

        // Cold storage, as in a real delivery transaction (the account itself stays warm: call overhead excluded).
        vm.cool(address(verifier));
        uint256 before = gasleft();
        verifier.verify(EMPTY, message);
        uint256 idPath = before - gasleft();
        vm.cool(address(verifier));
        before = gasleft();
        verifier.verify(metadata, messages[3]);
        uint256 rootPath = before - gasleft();
        console.log("OptimisticVerifier.verify gas, message-id path (32-byte body):", idPath);
        console.log("OptimisticVerifier.verify gas, root path (index + 32 siblings):", rootPath);
    }

    // ---------------------------------------------------------------- origin gateway (issue 13)

    function test_AuthorizeRetry_AlwaysAllowed() public view {
        assertTrue(verifier.authorizeRetry(_message(0)));
    }
}
