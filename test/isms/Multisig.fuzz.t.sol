// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {MultisigBase} from "./MultisigBase.t.sol";

/// @notice Fuzz over (k, n, seed): keys come from the seed, signer subsets are random ascending subsets.
contract MultisigFuzzTest is MultisigBase {
    /// @dev A random k-subset (ascending) of `keys`, chosen from `seed`.
    function _subset(uint256[] memory keys, uint256 k, uint256 seed) internal pure returns (uint256[] memory out) {
        uint256 n = keys.length;
        bool[] memory chosen = new bool[](n);
        for (uint256 picked = 0; picked < k; ++picked) {
            uint256 j = uint256(keccak256(abi.encode(seed, picked))) % n;
            while (chosen[j]) j = (j + 1) % n;
            chosen[j] = true;
        }
        out = new uint256[](k);
        uint256 w = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (chosen[i]) out[w++] = keys[i];
        }
    }

    function _setup(uint256 k, uint256 n, uint256 seed)
        internal
        returns (uint256[] memory signers, IMultisigVerifier verifier, bytes memory message)
    {
        n = bound(n, 1, 16);
        k = bound(k, 1, n);
        (uint256[] memory keys, address[] memory addrs) = _keys(seed, n);
        verifier = _deployMessageId(addrs, uint8(k));
        signers = _subset(keys, k, seed);
        message = _message(uint32(seed), ORIGIN, LOCAL, abi.encode(seed));
    }

    function testFuzz_Verify_AcceptsAnyThresholdSubset(uint256 k, uint256 n, uint256 seed) public {
        (uint256[] memory signers, IMultisigVerifier verifier, bytes memory message) = _setup(k, n, seed);
        assertTrue(verifier.verify(_messageIdMetadata(signers, message), message));
    }

    function testFuzz_Verify_RevertWhen_AnyByteFlipped(uint256 k, uint256 n, uint256 seed, uint256 position) public {
        (uint256[] memory signers, IMultisigVerifier verifier, bytes memory message) = _setup(k, n, seed);
        bytes memory metadata = _messageIdMetadata(signers, message);
        position = bound(position, 0, metadata.length - 1);
        metadata[position] = bytes1(uint8(metadata[position]) ^ uint8(1 + (seed % 255)));
        vm.expectRevert();
        verifier.verify(metadata, message);
    }

    function testFuzz_Verify_RevertWhen_MessageByteFlipped(uint256 k, uint256 n, uint256 seed, uint256 position)
        public
    {
        (uint256[] memory signers, IMultisigVerifier verifier, bytes memory message) = _setup(k, n, seed);
        bytes memory metadata = _messageIdMetadata(signers, message);
        position = bound(position, 0, message.length - 1);
        message[position] = bytes1(uint8(message[position]) ^ 0x80);
        vm.expectRevert();
        verifier.verify(metadata, message);
    }

    function testFuzz_Verify_RevertWhen_OneSignerIsOutsider(uint256 k, uint256 n, uint256 seed, uint256 which) public {
        (uint256[] memory signers, IMultisigVerifier verifier, bytes memory message) = _setup(k, n, seed);
        which = bound(which, 0, signers.length - 1);
        signers[which] = uint256(keccak256(abi.encode("outsider", seed))) % (SECP256K1_N - 1) + 1;
        vm.expectRevert();
        verifier.verify(_messageIdMetadata(signers, message), message);
    }

    function testFuzz_Verify_RevertWhen_BelowThreshold(uint256 k, uint256 n, uint256 seed) public {
        (uint256[] memory signers, IMultisigVerifier verifier, bytes memory message) = _setup(k, n, seed);
        uint256[] memory fewer = _prefix(signers, signers.length - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 65 * fewer.length, 65 * signers.length
            )
        );
        verifier.verify(_messageIdMetadata(fewer, message), message);
    }

    function testFuzz_Verify_MerkleRootAcceptsAnyLeafAndSubset(uint256 k, uint256 n, uint256 seed, uint256 leaves)
        public
    {
        n = bound(n, 1, 16);
        k = bound(k, 1, n);
        leaves = bound(leaves, 1, 40);
        (uint256[] memory keys, address[] memory addrs) = _keys(seed, n);
        IMultisigVerifier verifier = _deployMerkleRoot(addrs, uint8(k));
        uint32 index = uint32(seed % leaves);
        bytes memory message = _message(index, ORIGIN, LOCAL, abi.encode(seed));
        bytes memory metadata = _merkleMetadataFor(_subset(keys, k, seed), message, index, leaves, seed);
        assertTrue(verifier.verify(metadata, message));
    }

    function _merkleMetadataFor(
        uint256[] memory signers,
        bytes memory message,
        uint32 index,
        uint256 leaves,
        uint256 seed
    ) internal pure returns (bytes memory) {
        bytes32[] memory ids = new bytes32[](leaves);
        for (uint256 i = 0; i < leaves; ++i) {
            ids[i] = i == index ? keccak256(message) : keccak256(abi.encode(seed, "leaf", i));
        }
        uint32 signedIndex = uint32(leaves - 1);
        (bytes32 root, bytes32[32] memory proof) = _merkleProof(ids, index);
        bytes memory sigs = _signAll(signers, _rootDigest(GATEWAY, root, signedIndex));
        return _merkleRootMetadata(index, signedIndex, proof, sigs);
    }

    function testFuzz_Constructor_RevertWhen_ThresholdOutOfRange(uint256 n, uint256 threshold) public {
        n = bound(n, 0, 16);
        threshold = bound(threshold, 0, 255);
        if (threshold >= 1 && threshold <= n) threshold = threshold % 2 == 0 ? 0 : n + 1;
        (, address[] memory addrs) = _keys(n, n);
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidThreshold.selector, threshold, n)
        );
        _deployMessageId(addrs, uint8(threshold));
    }
}
