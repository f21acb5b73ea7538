// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../../contracts/interfaces/IConcordVerifier.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {AggregationVerifier} from "../../contracts/isms/AggregationVerifier.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {MultisigBase} from "./MultisigBase.t.sol";

/// @notice The shared vectors (test/vectors/multisig.json, written by the TypeScript SDK test) against the
/// Solidity side: same digests, same metadata bytes from `vm.sign` with the same keys (both sides sign with
/// RFC 6979 deterministic nonces), and the verifiers accept the SDK's metadata.
contract MultisigVectorsTest is MultisigBase {
    string internal json;
    IMultisigVerifier.Config internal config;

    function setUp() public override {
        super.setUp();
        json = vm.readFile("test/vectors/multisig.json");
        config.origin = uint32(vm.parseJsonUint(json, ".origin"));
        config.originGateway = vm.parseJsonBytes32(json, ".originGateway");
        config.localDomain = uint32(vm.parseJsonUint(json, ".localDomain"));
        config.threshold = uint8(vm.parseJsonUint(json, ".threshold"));
        config.validators = vm.parseJsonAddressArray(json, ".validators");
    }

    function _signerKeys() internal view returns (uint256[] memory keys) {
        bytes32[] memory all = vm.parseJsonBytes32Array(json, ".privateKeys");
        uint256[] memory indices = vm.parseJsonUintArray(json, ".signerIndices");
        keys = new uint256[](indices.length);
        for (uint256 i = 0; i < indices.length; ++i) {
            keys[i] = uint256(all[indices[i]]);
            assertEq(vm.addr(keys[i]), config.validators[indices[i]], "key/validator mismatch");
        }
    }

    function test_Vectors_KeysMatchValidators() public view {
        bytes32[] memory all = vm.parseJsonBytes32Array(json, ".privateKeys");
        for (uint256 i = 0; i < all.length; ++i) {
            assertEq(vm.addr(uint256(all[i])), config.validators[i]);
        }
    }

    function test_Vectors_DigestsMatchCheckpointDigest() public view {
        assertEq(vm.parseJsonString(json, ".protocolTag"), "CONCORD");
        assertEq(vm.parseJsonUint(json, ".digestVersion"), CheckpointDigest.DIGEST_VERSION);
        assertEq(
            vm.parseJsonBytes32(json, ".domainHash"), CheckpointDigest.domainHash(config.origin, config.originGateway)
        );
        bytes32[] memory ids = vm.parseJsonBytes32Array(json, ".messageIds");
        bytes[] memory messages = vm.parseJsonBytesArray(json, ".messages");
        for (uint256 i = 0; i < ids.length; ++i) {
            assertEq(keccak256(messages[i]), ids[i]);
        }
        uint32 nonce = uint32(vm.parseJsonUint(json, ".messageId.nonce"));
        assertEq(_nonceOf(messages[nonce]), nonce);
        assertEq(
            vm.parseJsonBytes32(json, ".messageId.digest"),
            CheckpointDigest.digest(
                config.origin, config.originGateway, CheckpointDigest.KIND_MESSAGE_ID, ids[nonce], nonce
            )
        );
        assertEq(
            vm.parseJsonBytes32(json, ".merkleRoot.digest"),
            CheckpointDigest.digest(
                config.origin,
                config.originGateway,
                CheckpointDigest.KIND_MERKLE_ROOT,
                vm.parseJsonBytes32(json, ".merkleRoot.root"),
                uint32(vm.parseJsonUint(json, ".merkleRoot.signedIndex"))
            )
        );
    }

    function test_Vectors_SolidityProducesSameMessageIdMetadata() public view {
        bytes32 digest = vm.parseJsonBytes32(json, ".messageId.digest");
        assertEq(_signAll(_signerKeys(), digest), vm.parseJsonBytes(json, ".messageId.metadata"));
    }

    function test_Vectors_MessageIdVerifierAcceptsSdkMetadata() public {
        IMultisigVerifier verifier = factory.deploy(IMultisigVerifierFactory.Variant.MESSAGE_ID, config);
        bytes[] memory messages = vm.parseJsonBytesArray(json, ".messages");
        uint256 nonce = vm.parseJsonUint(json, ".messageId.nonce");
        assertTrue(verifier.verify(vm.parseJsonBytes(json, ".messageId.metadata"), messages[nonce]));
    }

    function test_Vectors_MerkleRootVerifierAcceptsSdkMetadata() public {
        IMultisigVerifier verifier = factory.deploy(IMultisigVerifierFactory.Variant.MERKLE_ROOT, config);
        bytes[] memory messages = vm.parseJsonBytesArray(json, ".messages");
        uint256 messageIndex = vm.parseJsonUint(json, ".merkleRoot.messageIndex");
        bytes memory metadata = vm.parseJsonBytes(json, ".merkleRoot.metadata");
        assertTrue(verifier.verify(metadata, messages[messageIndex]));

        // Same bytes from the Solidity side.
        bytes32[] memory ids = vm.parseJsonBytes32Array(json, ".messageIds");
        (bytes32 root, bytes32[32] memory proof) = _merkleProof(ids, messageIndex);
        assertEq(root, vm.parseJsonBytes32(json, ".merkleRoot.root"));
        bytes32[] memory sdkProof = vm.parseJsonBytes32Array(json, ".merkleRoot.proof");
        for (uint256 i = 0; i < 32; ++i) {
            assertEq(proof[i], sdkProof[i]);
        }
        uint32 signedIndex = uint32(vm.parseJsonUint(json, ".merkleRoot.signedIndex"));
        bytes memory sigs = _signAll(_signerKeys(), vm.parseJsonBytes32(json, ".merkleRoot.digest"));
        assertEq(_merkleRootMetadata(uint32(messageIndex), signedIndex, proof, sigs), metadata);
    }

    function test_Vectors_AggregationAcceptsSdkMetadata() public {
        IConcordVerifier[] memory subs = new IConcordVerifier[](3);
        subs[0] = factory.deploy(IMultisigVerifierFactory.Variant.MESSAGE_ID, config);
        subs[1] = factory.deploy(IMultisigVerifierFactory.Variant.MERKLE_ROOT, config);
        IMultisigVerifier.Config memory other = config;
        other.threshold = 1;
        subs[2] = factory.deploy(IMultisigVerifierFactory.Variant.MESSAGE_ID, other); // skipped by the metadata
        AggregationVerifier aggregation = new AggregationVerifier(
            address(this),
            config.origin,
            config.originGateway,
            subs,
            uint8(vm.parseJsonUint(json, ".aggregation.threshold"))
        );
        bytes[] memory messages = vm.parseJsonBytesArray(json, ".messages");
        uint256 nonce = vm.parseJsonUint(json, ".messageId.nonce");
        assertTrue(aggregation.verify(vm.parseJsonBytes(json, ".aggregation.metadata"), messages[nonce]));
    }
}
