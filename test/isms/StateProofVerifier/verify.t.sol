// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RLP} from "@openzeppelin/contracts/utils/RLP.sol";
import {TrieProof} from "@openzeppelin/contracts/utils/cryptography/TrieProof.sol";
import {console} from "forge-std/Test.sol";

import {IStateProofVerifier} from "../../../contracts/interfaces/IStateProofVerifier.sol";
import {HeaderOracle} from "../../../contracts/isms/HeaderOracle.sol";
import {StateProofVerifier} from "../../../contracts/isms/StateProofVerifier.sol";
import {StateProofVerifierBase} from "./Base.t.sol";

/// @notice `verify` with full proofs: real checkpoints accepted; unknown origin, unaccepted or revoked state root,
/// wrong account or slot, malformed message or metadata refused; informational gas.
contract StateProofVerifier_verify is StateProofVerifierBase {
    // ---------------------------------------------------------------- fixtures sanity

    /// @dev The fixtures really are what the tests assume (a stale fixture makes the suite fail loudly).
    function test_Fixtures_AreConsistent() public view {
        assertEq(keccak256(latest.header), latest.blockHash);
        assertEq(keccak256(early.header), early.blockHash);
        assertEq(latest.count, 5);
        assertEq(early.count, 2);
        assertEq(latest.messages.length, 5);
        assertEq(keccak256(early.messages[1]), keccak256(latest.messages[1]));
        assertTrue(early.root != latest.root);
    }

    // ---------------------------------------------------------------- happy paths

    function test_Verify_AcceptsEveryMessage_LatestCheckpoint() public view {
        for (uint256 i = 0; i < latest.count; ++i) {
            assertTrue(verifier.verify(_full(latest, i, _siblings(LATEST, i)), latest.messages[i]));
        }
    }

    function test_Verify_AcceptsEveryMessage_EarlyCheckpoint() public view {
        for (uint256 i = 0; i < early.count; ++i) {
            assertTrue(verifier.verify(_full(early, i, _siblings(EARLY, i)), early.messages[i]));
        }
    }

    /// @dev A message dispatched after the proven block is not under that block's root.
    function test_Verify_RevertWhen_MessageAfterProvenBlock() public {
        bytes memory metadata = _full(early, 4, _siblings(LATEST, 4));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierNotIncluded.selector, keccak256(latest.messages[4]), early.root
            )
        );
        verifier.verify(metadata, latest.messages[4]);
    }

    // ---------------------------------------------------------------- configuration and anchors

    function test_Verify_RevertGiven_UnknownOrigin() public {
        verifier.setSource(origin, address(0), bytes32(0));
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierUnknownOrigin.selector, origin));
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev The same message bytes claiming another origin: that origin is unknown, never a permissive default.
    function test_Verify_RevertWhen_MessageClaimsOtherOrigin() public {
        bytes memory message = bytes.concat(latest.messages[0]);
        message[8] = bytes1(uint8(message[8]) ^ 1); // last byte of the origin field
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierUnknownOrigin.selector, origin ^ 1)
        );
        verifier.verify(metadata, message);
    }

    function test_Verify_RevertGiven_UnacceptedStateRoot() public {
        bytes32 unknown = keccak256("not a state root");
        bytes memory metadata = _fullWith(unknown, latest.accountProof, latest.storageProof, 0, _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(IStateProofVerifier.StateProofVerifierStateRootNotAccepted.selector, origin, unknown)
        );
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev A header revoked after a reorg takes its state root with it.
    function test_Verify_RevertGiven_BlockHashRevoked() public {
        oracle.revokeBlockHash(origin, latest.blockHash);
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierStateRootNotAccepted.selector, origin, latest.stateRoot
            )
        );
        verifier.verify(metadata, latest.messages[0]);
        // The other checkpoint is unaffected.
        assertTrue(verifier.verify(_full(early, 0, _siblings(EARLY, 0)), early.messages[0]));
    }

    /// @dev A state root accepted for one origin is not accepted for another.
    function test_Verify_RevertGiven_StateRootAcceptedForOtherOriginOnly() public {
        HeaderOracle otherOracle = new HeaderOracle(address(manager));
        otherOracle.acceptBlockHash(origin + 1, latest.blockHash);
        otherOracle.submitHeader(origin + 1, latest.header);
        StateProofVerifier other = new StateProofVerifier(address(manager), otherOracle);
        other.setSource(origin, latest.source, latest.rootSlot);
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IStateProofVerifier.StateProofVerifierStateRootNotAccepted.selector, origin, latest.stateRoot
            )
        );
        other.verify(metadata, latest.messages[0]);
    }

    /// @dev Verifier configured for another account (the second contract of the fixture chain).
    function test_Verify_RevertGiven_WrongAccountConfigured() public {
        address otherSource = vm.parseJsonAddress(vm.readFile(LATEST), ".otherSource");
        StateProofVerifier misconfigured = new StateProofVerifier(address(manager), oracle);
        misconfigured.setSource(origin, otherSource, latest.rootSlot);
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        _expectAccountProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        misconfigured.verify(metadata, latest.messages[0]);
    }

    /// @dev Real proofs of another contract's root slot (same chain, same block) do not pass for the gateway.
    function test_Verify_RevertWhen_ProofsOfOtherAccount() public {
        string memory json = vm.readFile(LATEST);
        bytes[] memory otherAccountProof = vm.parseJsonBytesArray(json, ".otherAccountProof");
        bytes[] memory otherStorageProof = vm.parseJsonBytesArray(json, ".otherStorageProof");
        bytes32[] memory list = vm.parseJsonBytes32Array(json, ".otherProof");
        bytes32[32] memory siblings;
        for (uint256 i = 0; i < 32; ++i) {
            siblings[i] = list[i];
        }
        bytes memory otherMessage = vm.parseJsonBytes(json, ".otherMessage");
        bytes memory metadata = _fullWith(latest.stateRoot, otherAccountProof, otherStorageProof, 0, siblings);
        _expectAccountProofError(TrieProof.ProofError.INVALID_LARGE_NODE);
        verifier.verify(metadata, otherMessage);

        // Sanity: the same proofs are valid for a verifier (wrongly) pointed at that contract.
        StateProofVerifier misconfigured = new StateProofVerifier(address(manager), oracle);
        misconfigured.setSource(origin, vm.parseJsonAddress(json, ".otherSource"), latest.rootSlot);
        assertTrue(misconfigured.verify(metadata, otherMessage));
    }

    function test_Verify_RevertGiven_WrongSlotConfigured() public {
        verifier.setSource(origin, latest.source, bytes32(uint256(1))); // `count`, not `latestRoot`
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectPartialRevert(IStateProofVerifier.StateProofVerifierInvalidStorageProof.selector);
        verifier.verify(metadata, latest.messages[0]);
    }

    /// @dev Zero root: a slot the gateway never wrote is absent from the trie; its (real) exclusion proof
    /// proves no value, so no root.
    function test_Verify_RevertWhen_ZeroRootSlot() public {
        verifier.setSource(origin, latest.source, latest.emptySlot);
        bytes memory metadata =
            _fullWith(latest.stateRoot, latest.accountProof, latest.emptySlotProof, 0, _siblings(LATEST, 0));
        // The exclusion proof ends in a branch whose child for the key is empty (0x80): OpenZeppelin's
        // TrieProof then tries to read it as a list and RLP refuses it.
        vm.expectRevert(RLP.RLPInvalidEncoding.selector);
        verifier.verify(metadata, latest.messages[0]);
    }

    // ---------------------------------------------------------------- malformed input

    function test_Verify_RevertWhen_MessageMalformed() public {
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        vm.expectRevert(IStateProofVerifier.StateProofVerifierMalformedMessage.selector);
        verifier.verify(metadata, new bytes(76));
    }

    function test_Verify_RevertWhen_MetadataEmpty() public {
        vm.expectRevert(IStateProofVerifier.StateProofVerifierMalformedMetadata.selector);
        verifier.verify("", latest.messages[0]);
    }

    function test_Verify_RevertWhen_MetadataTruncated() public {
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        bytes memory truncated = new bytes(1151);
        for (uint256 i = 0; i < truncated.length; ++i) {
            truncated[i] = metadata[i];
        }
        vm.expectRevert(IStateProofVerifier.StateProofVerifierMalformedMetadata.selector);
        verifier.verify(truncated, latest.messages[0]);
    }

    /// @dev Head intact, tails cut off: the ABI decoder refuses out-of-range offsets.
    function test_Verify_RevertWhen_MetadataTailsCut() public {
        bytes memory metadata = _full(latest, 0, _siblings(LATEST, 0));
        bytes memory cut = new bytes(1200);
        for (uint256 i = 0; i < cut.length; ++i) {
            cut[i] = metadata[i];
        }
        vm.expectRevert();
        verifier.verify(cut, latest.messages[0]);
    }

    // ---------------------------------------------------------------- gas (informational; the lead benchmarks)

    function test_Gas_Verify() public {
        bytes memory full = _full(latest, 3, _siblings(LATEST, 3));
        bytes memory cached = abi.encodePacked(uint32(3), _siblings(LATEST, 3));
        bytes memory message = latest.messages[3];

        vm.cool(address(verifier));
        vm.cool(address(oracle));
        uint256 before = gasleft();
        verifier.verify(full, message);
        uint256 fullGas = before - gasleft();

        vm.cool(address(verifier));
        vm.cool(address(oracle));
        before = gasleft();
        verifier.proveRoot(origin, latest.stateRoot, latest.accountProof, latest.storageProof);
        uint256 proveGas = before - gasleft();

        vm.cool(address(verifier));
        vm.cool(address(oracle));
        before = gasleft();
        verifier.verify(cached, message);
        uint256 cachedGas = before - gasleft();

        _useTreeSource();
        bytes[] memory countProof = _countProof(LATEST);
        bytes[][] memory branchProofs = _branchProofs(LATEST);
        vm.cool(address(verifier));
        vm.cool(address(oracle));
        before = gasleft();
        verifier.proveTreeRoot(origin, latest.stateRoot, latest.accountProof, countProof, branchProofs);
        uint256 proveTreeGas = before - gasleft();

        console.log("metadata bytes, full proof:", full.length);
        console.log("StateProofVerifier.proveTreeRoot gas (count 5: 1 count + 2 branch proofs):", proveTreeGas);
        console.log("StateProofVerifier.verify gas, full proof (account 3 nodes + storage 2 nodes):", fullGas);
        console.log("StateProofVerifier.proveRoot gas:", proveGas);
        console.log("StateProofVerifier.verify gas, cached root:", cachedGas);
    }
}
