// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {IRangeCheckpointMultisigVerifier} from "../../contracts/interfaces/IRangeCheckpointMultisigVerifier.sol";
import {MultisigVerifierFactory} from "../../contracts/isms/MultisigVerifierFactory.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {RangeCheckpointTree} from "./RangeCheckpointTree.sol";
import {Test} from "forge-std/Test.sol";

/// @notice The SDK's range vectors (test/vectors/range.json, written by test/ts/metadata-range.test.ts) against the
/// Solidity side: the test-side tree gives the same roots and proofs, `CheckpointDigest.rangeDigest` and the
/// verifier the same digests, `vm.sign` (RFC 6979, like viem) byte-identical signed metadata, and the verifier
/// accepts every metadata of the file (signed at position 0, then proof-only at every position).
contract RangeCheckpointVectorsTest is Test {
    string internal json;
    IRangeCheckpointMultisigVerifier internal verifier;
    uint256[] internal signerKeys;

    function setUp() public {
        json = vm.readFile("test/vectors/range.json");
        IMultisigVerifier.Config memory config;
        config.origin = uint32(vm.parseJsonUint(json, ".origin"));
        config.originGateway = vm.parseJsonBytes32(json, ".originGateway");
        config.localDomain = uint32(vm.parseJsonUint(json, ".localDomain"));
        config.threshold = uint8(vm.parseJsonUint(json, ".threshold"));
        config.validators = vm.parseJsonAddressArray(json, ".validators");
        verifier = IRangeCheckpointMultisigVerifier(
            address(new MultisigVerifierFactory().deploy(IMultisigVerifierFactory.Variant.RANGE_CHECKPOINT, config))
        );
        bytes32[] memory keys = vm.parseJsonBytes32Array(json, ".privateKeys");
        uint256[] memory indices = vm.parseJsonUintArray(json, ".signerIndices");
        for (uint256 i = 0; i < indices.length; ++i) {
            signerKeys.push(uint256(keys[indices[i]]));
            assertEq(vm.addr(signerKeys[i]), config.validators[indices[i]], "key/validator mismatch");
        }
        assertEq(
            vm.parseJsonBytes32(json, ".domainHash"), CheckpointDigest.domainHash(config.origin, config.originGateway)
        );
    }

    function test_Vectors_MatchSolidityAndVerify() public {
        uint256 count = 0;
        while (vm.keyExistsJson(json, string.concat(".ranges[", vm.toString(count), "]"))) {
            _checkRange(string.concat(".ranges[", vm.toString(count), "]"));
            ++count;
        }
        assertEq(count, 3, "ranges in the vector file");
    }

    function _checkRange(string memory key) internal {
        uint32 first = uint32(vm.parseJsonUint(json, string.concat(key, ".first")));
        uint32 last = uint32(vm.parseJsonUint(json, string.concat(key, ".last")));
        bytes[] memory messages = vm.parseJsonBytesArray(json, string.concat(key, ".messages"));
        bytes[] memory metadata = vm.parseJsonBytesArray(json, string.concat(key, ".metadata"));
        assertEq(messages.length, uint256(last) - first + 1);
        bytes32[] memory ids = new bytes32[](messages.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            ids[i] = keccak256(messages[i]);
        }
        bytes32 root = RangeCheckpointTree.root(ids);
        assertEq(vm.parseJsonBytes32(json, string.concat(key, ".root")), root, "root");
        assertEq(vm.parseJsonUint(json, string.concat(key, ".depth")), RangeCheckpointTree.depthOf(ids.length));
        bytes32 digest = verifier.rangeDigest(first, last, root);
        assertEq(vm.parseJsonBytes32(json, string.concat(key, ".digest")), digest, "digest");

        bytes memory sigs;
        for (uint256 i = 0; i < signerKeys.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKeys[i], digest);
            sigs = bytes.concat(sigs, abi.encodePacked(r, s, v));
        }
        bytes memory signedMetadata = vm.parseJsonBytes(json, string.concat(key, ".signedMetadata"));
        assertEq(signedMetadata, RangeCheckpointTree.metadata(first, last, RangeCheckpointTree.proof(ids, 0), sigs));
        assertFalse(verifier.rangeVerified(first, last, root));
        assertTrue(verifier.verify(signedMetadata, messages[0]));
        assertTrue(verifier.rangeVerified(first, last, root));
        for (uint256 i = 0; i < messages.length; ++i) {
            assertEq(metadata[i], RangeCheckpointTree.metadata(first, last, RangeCheckpointTree.proof(ids, i), ""));
            assertTrue(verifier.verify(metadata[i], messages[i]));
        }
    }
}
