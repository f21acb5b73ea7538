// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMerkleRootMultisigVerifier} from "../../../contracts/interfaces/IMerkleRootMultisigVerifier.sol";
import {CONCORD_MERKLE_ROOT_MULTISIG, IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {MerkleRootMultisigVerifier} from "../../../contracts/isms/MerkleRootMultisigVerifier.sol";
import {MerkleTree} from "../../../contracts/libraries/MerkleTree.sol";
import {MultisigBase} from "../MultisigBase.t.sol";

/// @dev Holds a `MerkleTree` the way the gateway does, to check the test tree against the library.
contract TreeHarness {
    MerkleTree.Tree internal _tree;
    uint256 public count;

    function insert(bytes32 leaf) external {
        MerkleTree.insert(_tree, count, leaf);
        ++count;
    }

    function root() external view returns (bytes32) {
        return MerkleTree.root(_tree, count);
    }
}

contract MerkleRootMultisigVerifierTest is MultisigBase {
    uint256 internal constant LEAVES = 6;
    uint32 internal constant MESSAGE_INDEX = 2;
    uint32 internal constant SIGNED_INDEX = 5;

    uint256[] internal keys;
    address[] internal validators;
    IMultisigVerifier internal verifier; // 3-of-5
    bytes[] internal messages;
    bytes32[] internal ids;

    function setUp() public override {
        super.setUp();
        (keys, validators) = _keys(2, 5);
        verifier = _deployMerkleRoot(validators, 3);
        for (uint32 i = 0; i < LEAVES; ++i) {
            messages.push(_message(i, ORIGIN, LOCAL, abi.encode(uint256(i))));
            ids.push(keccak256(messages[i]));
        }
    }

    function _signers() internal view returns (uint256[] memory out) {
        out = new uint256[](3);
        (out[0], out[1], out[2]) = (keys[0], keys[2], keys[4]);
    }

    /// @dev Metadata proving message `messageIndex` under the checkpoint at `SIGNED_INDEX`.
    function _metadata(uint32 messageIndex) internal view returns (bytes memory) {
        (bytes32 root, bytes32[32] memory proof) = _merkleProof(ids, messageIndex);
        bytes memory sigs = _signAll(_signers(), _rootDigest(GATEWAY, root, SIGNED_INDEX));
        return _merkleRootMetadata(messageIndex, SIGNED_INDEX, proof, sigs);
    }

    function test_Verify_AcceptsEarlierMessageUnderLaterCheckpoint() public {
        assertTrue(verifier.verify(_metadata(MESSAGE_INDEX), messages[MESSAGE_INDEX]));
    }

    function test_Verify_AcceptsEveryLeafUnderOneCheckpoint() public {
        for (uint32 i = 0; i <= SIGNED_INDEX; ++i) {
            assertTrue(verifier.verify(_metadata(i), messages[i]));
        }
    }

    function test_Verify_TestTreeMatchesMerkleTreeLibrary() public {
        TreeHarness tree = new TreeHarness();
        for (uint256 i = 0; i < LEAVES; ++i) {
            tree.insert(ids[i]);
        }
        (bytes32 root, bytes32[32] memory proof) = _merkleProof(ids, MESSAGE_INDEX);
        assertEq(root, tree.root());
        assertEq(MerkleTreeHarnessLib.branchRoot(ids[MESSAGE_INDEX], proof, MESSAGE_INDEX), root);
    }

    function test_ModuleType_IsConcordMerkleRoot() public view {
        assertEq(verifier.moduleType(), CONCORD_MERKLE_ROOT_MULTISIG);
    }

    function test_Verify_RevertWhen_MetadataEmpty() public {
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 0, 1032 + 195)
        );
        verifier.verify("", messages[MESSAGE_INDEX]);
    }

    function test_Verify_RevertWhen_MetadataTruncated() public {
        bytes memory metadata = _metadata(MESSAGE_INDEX);
        assembly {
            mstore(metadata, sub(mload(metadata), 65))
        }
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 1162, 1227)
        );
        verifier.verify(metadata, messages[MESSAGE_INDEX]);
    }

    function test_Verify_RevertWhen_MetadataOverlong() public {
        bytes memory metadata = bytes.concat(_metadata(MESSAGE_INDEX), new bytes(32));
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 1259, 1227)
        );
        verifier.verify(metadata, messages[MESSAGE_INDEX]);
    }

    function test_Verify_RevertWhen_ZeroSignatures() public {
        (, bytes32[32] memory proof) = _merkleProof(ids, MESSAGE_INDEX);
        bytes memory metadata = _merkleRootMetadata(MESSAGE_INDEX, SIGNED_INDEX, proof, "");
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 1032, 1227)
        );
        verifier.verify(metadata, messages[MESSAGE_INDEX]);
    }

    function test_Verify_RevertWhen_MessageIndexAboveSignedIndex() public {
        (bytes32 root, bytes32[32] memory proof) = _merkleProof(ids, 5);
        bytes memory sigs = _signAll(_signers(), _rootDigest(GATEWAY, root, 4));
        bytes memory metadata = _merkleRootMetadata(5, 4, proof, sigs);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMerkleRootMultisigVerifier.MerkleRootMultisigVerifierIndexAboveCheckpoint.selector, 5, 4
            )
        );
        verifier.verify(metadata, messages[5]);
    }

    function test_Verify_RevertWhen_ProofSiblingFlipped() public {
        bytes memory metadata = _metadata(MESSAGE_INDEX);
        metadata[8 + 31] ^= 0x01; // last byte of the leaf-level sibling
        _expectUnknownFirstSigner(metadata, messages[MESSAGE_INDEX], MESSAGE_INDEX);
    }

    function test_Verify_RevertWhen_WrongMessageIndex() public {
        bytes memory metadata = _metadata(MESSAGE_INDEX);
        metadata[3] = bytes1(uint8(MESSAGE_INDEX + 1));
        _expectUnknownFirstSigner(metadata, messages[MESSAGE_INDEX], MESSAGE_INDEX + 1);
    }

    function test_Verify_RevertWhen_MessageNotInTree() public {
        bytes memory stranger = _message(MESSAGE_INDEX, ORIGIN, LOCAL, "not dispatched");
        _expectUnknownFirstSigner(_metadata(MESSAGE_INDEX), stranger, MESSAGE_INDEX);
    }

    function test_Verify_RevertWhen_WrongOrigin() public {
        bytes memory other = _message(0, ORIGIN + 7, LOCAL, "");
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierWrongOrigin.selector, ORIGIN + 7));
        verifier.verify(_metadata(0), other);
    }

    function test_Verify_RevertWhen_WrongDestination() public {
        bytes memory other = _message(0, ORIGIN, 1, "");
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierWrongDestination.selector, 1));
        verifier.verify(_metadata(0), other);
    }

    function test_Verify_RevertWhen_HighS() public {
        bytes memory metadata = _metadata(MESSAGE_INDEX);
        uint256 at = 1032;
        uint256 s;
        assembly {
            s := mload(add(add(metadata, 0x40), at))
        }
        uint256 highS = SECP256K1_N - s;
        assembly {
            mstore(add(add(metadata, 0x40), at), highS)
        }
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierHighS.selector, 0));
        verifier.verify(metadata, messages[MESSAGE_INDEX]);
    }

    function test_Verify_RevertWhen_DuplicateSignature() public {
        (bytes32 root, bytes32[32] memory proof) = _merkleProof(ids, MESSAGE_INDEX);
        uint256[] memory signers = _signers();
        signers[2] = signers[1];
        bytes memory sigs = _signAll(signers, _rootDigest(GATEWAY, root, SIGNED_INDEX));
        bytes memory metadata = _merkleRootMetadata(MESSAGE_INDEX, SIGNED_INDEX, proof, sigs);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnsortedSigners.selector, 2));
        verifier.verify(metadata, messages[MESSAGE_INDEX]);
    }

    function test_Verify_RevertWhen_WrongSignedIndex() public {
        bytes memory metadata = _metadata(MESSAGE_INDEX);
        metadata[7] = bytes1(uint8(SIGNED_INDEX + 1)); // claims a later checkpoint than the one signed
        bytes32[32] memory proof;
        (, proof) = _merkleProof(ids, MESSAGE_INDEX);
        bytes32 root = MerkleTreeHarnessLib.branchRoot(ids[MESSAGE_INDEX], proof, MESSAGE_INDEX);
        address recovered = _recover(_rootDigest(GATEWAY, root, SIGNED_INDEX + 1), _sigAt(metadata, 0));
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, 0, recovered));
        verifier.verify(metadata, messages[MESSAGE_INDEX]);
    }

    function test_Verify_RevertWhen_ZeroRootSigned() public {
        // Validators tricked into signing a zero root: the verifier computes the root from the proof, so a
        // signature over a zero root never verifies a message.
        (, bytes32[32] memory proof) = _merkleProof(ids, MESSAGE_INDEX);
        bytes memory sigs = _signAll(_signers(), _rootDigest(GATEWAY, bytes32(0), SIGNED_INDEX));
        _expectUnknownFirstSigner(
            _merkleRootMetadata(MESSAGE_INDEX, SIGNED_INDEX, proof, sigs), messages[MESSAGE_INDEX], MESSAGE_INDEX
        );
    }

    function test_Verify_RevertWhen_MessageIdSignatureUsedAsCheckpoint() public {
        // Signatures over the message-id digest of the root's value do not verify as a checkpoint (kind byte).
        (bytes32 root, bytes32[32] memory proof) = _merkleProof(ids, MESSAGE_INDEX);
        bytes memory sigs = _signAll(_signers(), _idDigest(GATEWAY, root, SIGNED_INDEX));
        _expectUnknownFirstSigner(
            _merkleRootMetadata(MESSAGE_INDEX, SIGNED_INDEX, proof, sigs), messages[MESSAGE_INDEX], MESSAGE_INDEX
        );
    }

    function _sigAt(bytes memory metadata, uint256 i) internal pure returns (bytes memory sig) {
        sig = new bytes(65);
        for (uint256 j = 0; j < 65; ++j) {
            sig[j] = metadata[1032 + 65 * i + j];
        }
    }

    function test_Constructor_RevertWhen_ThresholdZero() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidThreshold.selector, 0, 5));
        new MerkleRootMultisigVerifier(_config(validators, 0));
    }

    function test_Constructor_RevertWhen_ThresholdAboveValidatorCount() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidThreshold.selector, 9, 5));
        new MerkleRootMultisigVerifier(_config(validators, 9));
    }

    /// @dev The first signature recovers, over the digest the verifier computes from the (tampered) metadata,
    /// to some non-validator address.
    function _expectUnknownFirstSigner(bytes memory metadata, bytes memory message, uint256 provenIndex) internal {
        bytes32[32] memory proof;
        for (uint256 i = 0; i < 32; ++i) {
            bytes32 word;
            assembly {
                word := mload(add(add(metadata, 0x20), add(8, mul(i, 32))))
            }
            proof[i] = word;
        }
        bytes32 root = MerkleTreeHarnessLib.branchRoot(keccak256(message), proof, provenIndex);
        bytes32 seen = _rootDigest(GATEWAY, root, SIGNED_INDEX);
        bytes memory sig = new bytes(65);
        for (uint256 i = 0; i < 65; ++i) {
            sig[i] = metadata[1032 + i];
        }
        address recovered = _recover(seen, sig);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, 0, recovered));
        verifier.verify(metadata, message);
    }
}

/// @dev Memory version of `MerkleTree.branchRoot` for test-side expectations.
library MerkleTreeHarnessLib {
    function branchRoot(bytes32 leaf, bytes32[32] memory proof, uint256 index) internal pure returns (bytes32 current) {
        current = leaf;
        for (uint256 level = 0; level < 32; ++level) {
            if ((index >> level) & 1 == 1) current = keccak256(abi.encodePacked(proof[level], current));
            else current = keccak256(abi.encodePacked(current, proof[level]));
        }
    }
}
