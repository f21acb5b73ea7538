// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {
    CONCORD_RANGE_CHECKPOINT_MULTISIG,
    IRangeCheckpointMultisigVerifier
} from "../../contracts/interfaces/IRangeCheckpointMultisigVerifier.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {MockNoopRecipient} from "../../contracts/mocks/MockNoopRecipient.sol";
import {MultisigBase} from "./MultisigBase.t.sol";
import {RangeCheckpointTree} from "./RangeCheckpointTree.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

/// @notice Unit and fuzz tests of `RangeCheckpointMultisigVerifier`: every revert path, proofs at every position of
/// ranges of every length up to the cap, and the mutation of any metadata byte (header, proof, signature) rejected.
/// The tree is built by `RangeCheckpointTree` (test-side, level by level, independent of the contract's assembly).
contract RangeCheckpointMultisigVerifierTest is MultisigBase {
    uint8 internal constant K = 3;
    uint256 internal constant SIGS = 65 * 3;

    uint256[] internal keys;
    address[] internal validators;
    IRangeCheckpointMultisigVerifier internal verifier;

    function setUp() public override {
        super.setUp();
        (keys, validators) = _keys(18, 5);
        verifier = _deploy(validators, K);
    }

    // -------------------------------------------------------------------------------------------- helpers

    function _deploy(address[] memory set, uint8 k) internal returns (IRangeCheckpointMultisigVerifier) {
        return IRangeCheckpointMultisigVerifier(
            address(factory.deploy(IMultisigVerifierFactory.Variant.RANGE_CHECKPOINT, _config(set, k)))
        );
    }

    /// @dev Messages with nonces `first .. first + n - 1` and their ids (the range's leaves).
    function _range(uint32 first, uint256 n) internal pure returns (bytes[] memory msgs, bytes32[] memory leaves) {
        msgs = new bytes[](n);
        leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            // forge-lint: disable-next-line(unsafe-typecast) first + i stays within uint32 in every caller
            msgs[i] = _message(uint32(first + i), ORIGIN, LOCAL, abi.encode(first + i, "payload"));
            leaves[i] = keccak256(msgs[i]);
        }
    }

    function _rangeDigest(bytes32 gateway, uint32 origin, bytes32 root, uint32 first, uint32 last)
        internal
        pure
        returns (bytes32)
    {
        return CheckpointDigest.rangeDigest(CheckpointDigest.domainHash(origin, gateway), root, first, last);
    }

    function _sigs(bytes32 root, uint32 first, uint32 last) internal view returns (bytes memory) {
        return _signAll(_prefix(keys, K), _rangeDigest(GATEWAY, ORIGIN, root, first, last));
    }

    function _meta(uint32 first, uint32 last, bytes32[] memory leaves, uint256 position, bytes memory sigs)
        internal
        pure
        returns (bytes memory)
    {
        return RangeCheckpointTree.metadata(first, last, RangeCheckpointTree.proof(leaves, position), sigs);
    }

    /// @dev A range of 5 messages at nonces 40..44 and the signed metadata of position 1 (nonce 41).
    function _fixture()
        internal
        view
        returns (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root, bytes memory metadata)
    {
        (msgs, leaves) = _range(40, 5);
        root = RangeCheckpointTree.root(leaves);
        metadata = _meta(40, 44, leaves, 1, _sigs(root, 40, 44));
    }

    function _expectLength(uint256 length, uint256 withoutSigs) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierInvalidMetadataLength.selector,
                length,
                withoutSigs,
                withoutSigs + SIGS
            )
        );
    }

    // ------------------------------------------------------------------------------------ configuration

    function test_Config() public view {
        assertEq(verifier.moduleType(), CONCORD_RANGE_CHECKPOINT_MULTISIG);
        assertEq(verifier.moduleType(), 68);
        assertEq(verifier.MAX_RANGE_LENGTH(), 1024);
        assertEq(verifier.originGatewayFor(ORIGIN), GATEWAY);
        assertEq(verifier.originGatewayFor(ORIGIN + 1), bytes32(0));
        assertEq(verifier.origin(), ORIGIN);
        assertEq(verifier.localDomain(), LOCAL);
        assertEq(verifier.domainHash(), CheckpointDigest.domainHash(ORIGIN, GATEWAY));
        (address[] memory set, uint8 k) = verifier.validatorsAndThreshold("");
        assertEq(set, validators);
        assertEq(k, K);
        assertEq(
            verifier.rangeDigest(1, 2, bytes32(uint256(3))), _rangeDigest(GATEWAY, ORIGIN, bytes32(uint256(3)), 1, 2)
        );
    }

    function test_AuthorizeRetry_True() public {
        assertTrue(verifier.authorizeRetry(_message()));
    }

    function test_Factory_PredictsAndIsIdempotent() public {
        IMultisigVerifier.Config memory config = _config(validators, K);
        address predicted = factory.predict(IMultisigVerifierFactory.Variant.RANGE_CHECKPOINT, config);
        assertEq(predicted, address(verifier));
        assertEq(address(_deploy(validators, K)), predicted);
        assertTrue(predicted != factory.predict(IMultisigVerifierFactory.Variant.MESSAGE_ID, config));
    }

    function test_Deploy_RevertWhen_ThresholdZero() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidThreshold.selector, 0, 5));
        _deploy(validators, 0);
    }

    function test_Deploy_RevertWhen_ThresholdAboveSet() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidThreshold.selector, 6, 5));
        _deploy(validators, 6);
    }

    function test_Deploy_RevertWhen_UnsortedOrDuplicateValidators() public {
        address[] memory set = new address[](2);
        (set[0], set[1]) = (validators[1], validators[0]);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnsortedValidators.selector, 1));
        _deploy(set, 1);
        (set[0], set[1]) = (validators[0], validators[0]);
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierDuplicateValidator.selector, validators[0])
        );
        _deploy(set, 1);
    }

    // -------------------------------------------------------------------------------------- happy paths

    function test_Verify_SignedRecordsTheRangeThenProofsAlone() public {
        (bytes[] memory msgs, bytes32[] memory leaves) = _range(100, 100);
        bytes32 root = RangeCheckpointTree.root(leaves);
        bytes32 digest = _rangeDigest(GATEWAY, ORIGIN, root, 100, 199);
        assertFalse(verifier.rangeVerified(100, 199, root));

        vm.expectEmit(address(verifier));
        emit IRangeCheckpointMultisigVerifier.RangeVerified(100, 199, root, digest);
        assertTrue(verifier.verify(_meta(100, 199, leaves, 37, _sigs(root, 100, 199)), msgs[37]));
        assertTrue(verifier.rangeVerified(100, 199, root));

        for (uint256 i = 0; i < 100; ++i) {
            bytes memory metadata = _meta(100, 199, leaves, i, "");
            assertEq(metadata.length, 8 + 32 * 7);
            assertTrue(verifier.verify(metadata, msgs[i]));
        }
    }

    function test_Verify_SignedAgainChecksSignaturesButEmitsNothing() public {
        (bytes[] memory msgs,, bytes32 root, bytes memory metadata) = _fixture();
        verifier.verify(metadata, msgs[1]);
        vm.recordLogs();
        assertTrue(verifier.verify(metadata, msgs[1]));
        assertEq(vm.getRecordedLogs().length, 0);
        assertTrue(verifier.rangeVerified(40, 44, root));
    }

    function test_VerifyRange_RecordsOnceThenProofsAlone() public {
        (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root,) = _fixture();
        bytes32 digest = _rangeDigest(GATEWAY, ORIGIN, root, 40, 44);
        vm.expectEmit(address(verifier));
        emit IRangeCheckpointMultisigVerifier.RangeVerified(40, 44, root, digest);
        assertEq(verifier.verifyRange(40, 44, root, _sigs(root, 40, 44)), digest);
        vm.recordLogs();
        assertEq(verifier.verifyRange(40, 44, root, _sigs(root, 40, 44)), digest);
        assertEq(vm.getRecordedLogs().length, 0);
        for (uint256 i = 0; i < 5; ++i) {
            assertTrue(verifier.verify(_meta(40, 44, leaves, i, ""), msgs[i]));
        }
    }

    function test_Verify_SingleMessageRange() public {
        (bytes[] memory msgs, bytes32[] memory leaves) = _range(7, 1);
        // One leaf: depth 0, the root is the id itself; the metadata is the header (plus the signatures).
        assertEq(RangeCheckpointTree.root(leaves), leaves[0]);
        bytes memory signed = _meta(7, 7, leaves, 0, _sigs(leaves[0], 7, 7));
        assertEq(signed.length, 8 + SIGS);
        assertTrue(verifier.verify(signed, msgs[0]));
        assertTrue(verifier.verify(abi.encodePacked(uint32(7), uint32(7)), msgs[0]));
    }

    function test_Verify_MaxRangeEveryEdgePosition() public {
        uint32 first = type(uint32).max - 1023; // the range ends at the largest nonce
        (bytes[] memory msgs, bytes32[] memory leaves) = _range(first, 1024);
        bytes32 root = RangeCheckpointTree.root(leaves);
        verifier.verifyRange(first, type(uint32).max, root, _sigs(root, first, type(uint32).max));
        uint256[4] memory positions = [uint256(0), 511, 512, 1023];
        for (uint256 i = 0; i < positions.length; ++i) {
            bytes memory metadata = _meta(first, type(uint32).max, leaves, positions[i], "");
            assertEq(metadata.length, 8 + 32 * 10);
            assertTrue(verifier.verify(metadata, msgs[positions[i]]));
        }
    }

    /// @dev Any length 1..130 (powers of two and not), any position, any first nonce: the proof of the test-side
    /// tree is accepted with signatures, and then alone.
    function testFuzz_Verify_AnyRangeAnyPosition(uint32 first, uint256 n, uint256 position) public {
        n = bound(n, 1, 130);
        first = uint32(bound(first, 0, type(uint32).max - (n - 1)));
        position = bound(position, 0, n - 1);
        (bytes[] memory msgs, bytes32[] memory leaves) = _range(first, n);
        bytes32 root = RangeCheckpointTree.root(leaves);
        // forge-lint: disable-next-line(unsafe-typecast) first + n - 1 <= type(uint32).max by the bound above
        uint32 last = uint32(first + n - 1);
        bytes memory signed = _meta(first, last, leaves, position, _sigs(root, first, last));
        assertEq(signed.length, 8 + 32 * RangeCheckpointTree.depthOf(n) + SIGS);
        assertTrue(verifier.verify(signed, msgs[position]));
        assertTrue(verifier.verify(_meta(first, last, leaves, (position + 1) % n, ""), msgs[(position + 1) % n]));
    }

    // ------------------------------------------------------------------------------------ message checks

    function test_Verify_RevertWhen_MessageShorterThanHeader() public {
        (bytes[] memory msgs,,, bytes memory metadata) = _fixture();
        bytes memory shortMessage = new bytes(76);
        for (uint256 i = 0; i < 76; ++i) {
            shortMessage[i] = msgs[1][i];
        }
        vm.expectRevert(IMultisigVerifier.MultisigVerifierMalformedMessage.selector);
        verifier.verify(metadata, shortMessage);
    }

    function test_Verify_RevertWhen_WrongOrigin() public {
        (,,, bytes memory metadata) = _fixture();
        bytes memory message = _message(41, ORIGIN + 1, LOCAL, abi.encode(uint256(41), "payload"));
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierWrongOrigin.selector, ORIGIN + 1));
        verifier.verify(metadata, message);
    }

    function test_Verify_RevertWhen_WrongDestination() public {
        (,,, bytes memory metadata) = _fixture();
        bytes memory message = _message(41, ORIGIN, LOCAL + 1, abi.encode(uint256(41), "payload"));
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierWrongDestination.selector, LOCAL + 1));
        verifier.verify(metadata, message);
    }

    // ------------------------------------------------------------------------------------- range checks

    function test_Verify_RevertWhen_MetadataShorterThanHeader() public {
        (bytes[] memory msgs,,,) = _fixture();
        _expectLength(0, 8);
        verifier.verify("", msgs[1]);
        _expectLength(7, 8);
        verifier.verify(new bytes(7), msgs[1]);
    }

    function test_Verify_RevertWhen_LastBelowFirst() public {
        (bytes[] memory msgs,,,) = _fixture();
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierInvalidRange.selector, 42, 41
            )
        );
        verifier.verify(abi.encodePacked(uint32(42), uint32(41)), msgs[1]);
    }

    function test_Verify_RevertWhen_RangeLongerThanCap() public {
        (bytes[] memory msgs,,,) = _fixture();
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierRangeTooLong.selector, 1025, 1024
            )
        );
        verifier.verify(abi.encodePacked(uint32(0), uint32(1024)), msgs[1]);
        // The whole nonce space: the length is computed in 256 bits (2^32, no wrap).
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierRangeTooLong.selector,
                uint256(1) << 32,
                1024
            )
        );
        verifier.verify(abi.encodePacked(uint32(0), type(uint32).max), msgs[1]);
    }

    function test_Verify_RevertWhen_NonceOutsideRange() public {
        (bytes[] memory msgs,,,) = _fixture();
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierNonceOutsideRange.selector, 41, 42, 44
            )
        );
        verifier.verify(abi.encodePacked(uint32(42), uint32(44), new bytes(64)), msgs[1]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierNonceOutsideRange.selector, 41, 30, 40
            )
        );
        verifier.verify(abi.encodePacked(uint32(30), uint32(40), new bytes(128)), msgs[1]);
    }

    function test_Verify_RevertWhen_ProofOrSignaturesOfWrongLength() public {
        (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root,) = _fixture();
        bytes memory proof = abi.encodePacked(RangeCheckpointTree.proof(leaves, 1)); // 3 siblings (5 leaves)
        bytes memory sigs = _sigs(root, 40, 44);
        bytes memory header = abi.encodePacked(uint32(40), uint32(44));
        uint256 base = 8 + 96;
        // One sibling short / one extra, with and without signatures.
        _expectLength(base - 32, base);
        verifier.verify(bytes.concat(header, new bytes(64)), msgs[1]);
        _expectLength(base + 32, base);
        verifier.verify(bytes.concat(header, proof, new bytes(32)), msgs[1]);
        _expectLength(base - 32 + SIGS, base);
        verifier.verify(bytes.concat(header, new bytes(64), sigs), msgs[1]);
        // A byte short / over; a signature short (2 of 3) / over (4).
        _expectLength(base - 1, base);
        verifier.verify(bytes.concat(header, new bytes(95)), msgs[1]);
        _expectLength(base + 1, base);
        verifier.verify(bytes.concat(header, proof, new bytes(1)), msgs[1]);
        _expectLength(base + 130, base);
        verifier.verify(bytes.concat(header, proof, new bytes(130)), msgs[1]);
        _expectLength(base + 260, base);
        verifier.verify(bytes.concat(header, proof, sigs, new bytes(65)), msgs[1]);
    }

    // --------------------------------------------------------------------------------- roots and records

    function test_Verify_RevertWhen_ProofAloneBeforeTheRangeIsRecorded() public {
        (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root,) = _fixture();
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierRangeNotVerified.selector, 40, 44, root
            )
        );
        verifier.verify(_meta(40, 44, leaves, 1, ""), msgs[1]);
    }

    function test_Verify_RevertWhen_RootNobodySigned() public {
        (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root,) = _fixture();
        verifier.verifyRange(40, 44, root, _sigs(root, 40, 44));
        // Another message at nonce 41 (forged payload): its id gives another root, which no quorum signed.
        bytes[] memory forged = new bytes[](1);
        forged[0] = _message(41, ORIGIN, LOCAL, abi.encode(uint256(41), "forged"));
        bytes32[] memory other = leaves;
        other[1] = keccak256(forged[0]);
        bytes32 otherRoot = RangeCheckpointTree.root(other);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierRangeNotVerified.selector,
                40,
                44,
                otherRoot
            )
        );
        verifier.verify(_meta(40, 44, other, 1, ""), forged[0]);
        assertTrue(verifier.verify(_meta(40, 44, _range2(40, 5), 1, ""), msgs[1]));
    }

    function _range2(uint32 first, uint256 n) internal pure returns (bytes32[] memory leaves) {
        (, leaves) = _range(first, n);
    }

    /// @dev The range record is keyed by (first, last, root): a proof of the same root under a shifted or widened
    /// range, or a message proven at another position of a recorded range, is not accepted.
    function test_Verify_RevertWhen_MessageProvenAtAnotherPosition() public {
        (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root,) = _fixture();
        verifier.verifyRange(40, 44, root, _sigs(root, 40, 44));
        // The proof of position 2 with the message of position 1.
        vm.expectRevert();
        verifier.verify(_meta(40, 44, leaves, 2, ""), msgs[1]);
        // The same proof under a shifted range (41..45: message 41 at position 0) or a wider one (40..47, same depth).
        vm.expectRevert();
        verifier.verify(_meta(41, 45, leaves, 1, ""), msgs[1]);
        vm.expectRevert();
        verifier.verify(_meta(40, 47, leaves, 1, ""), msgs[1]);
        // Sanity: the genuine proof passes.
        assertTrue(verifier.verify(_meta(40, 44, leaves, 1, ""), msgs[1]));
    }

    /// @dev Even a quorum-signed tree that holds a message at the wrong position cannot deliver it: the position is
    /// the message's own `nonce - first`, so neither the proof of where the tree holds it nor any other matches.
    function test_Verify_RevertWhen_SignedTreeHoldsTheMessageAtAnotherPosition() public {
        (bytes[] memory msgs, bytes32[] memory leaves) = _range(40, 5);
        (leaves[1], leaves[2]) = (leaves[2], leaves[1]); // message 41 at position 2, 42 at position 1
        bytes32 root = RangeCheckpointTree.root(leaves);
        verifier.verifyRange(40, 44, root, _sigs(root, 40, 44));
        for (uint256 p = 0; p < 5; ++p) {
            vm.expectRevert();
            verifier.verify(_meta(40, 44, leaves, p, ""), msgs[1]);
            vm.expectRevert();
            verifier.verify(_meta(40, 44, leaves, p, ""), msgs[2]);
        }
        assertTrue(verifier.verify(_meta(40, 44, leaves, 0, ""), msgs[0]));
    }

    /// @dev Validators that sign two roots for overlapping ranges (which honest ones never do): both are recorded and
    /// a message proven under either is accepted by the verifier; the gateway delivers it once (test below).
    function test_Verify_ConflictingRangesBothRecorded() public {
        (bytes[] memory msgs, bytes32[] memory leaves) = _range(40, 5);
        bytes32 rootA = RangeCheckpointTree.root(leaves);
        (, bytes32[] memory wide) = _range(38, 8);
        wide[7] = keccak256("forged leaf at nonce 45");
        bytes32 rootB = RangeCheckpointTree.root(wide);
        verifier.verifyRange(40, 44, rootA, _sigs(rootA, 40, 44));
        verifier.verifyRange(38, 45, rootB, _sigs(rootB, 38, 45));
        assertTrue(verifier.verify(_meta(40, 44, leaves, 1, ""), msgs[1]));
        assertTrue(verifier.verify(_meta(38, 45, wide, 3, ""), msgs[1]));
    }

    // --------------------------------------------------------------------------------------- signatures

    function test_Verify_RevertWhen_SignatureHighS() public {
        (bytes[] memory msgs,,, bytes memory metadata) = _fixture();
        uint256 at = metadata.length - SIGS + 65; // second signature
        uint256 s;
        assembly {
            s := mload(add(add(metadata, 0x40), at))
        }
        uint256 highS = SECP256K1_N - s;
        assembly {
            mstore(add(add(metadata, 0x40), at), highS)
        }
        metadata[at + 64] = uint8(metadata[at + 64]) == 27 ? bytes1(uint8(28)) : bytes1(uint8(27));
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierHighS.selector, 1));
        verifier.verify(metadata, msgs[1]);
    }

    function test_Verify_RevertWhen_SignatureInvalidV() public {
        (bytes[] memory msgs,,, bytes memory metadata) = _fixture();
        metadata[metadata.length - 1] = bytes1(uint8(29));
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidV.selector, 2));
        verifier.verify(metadata, msgs[1]);
    }

    function test_Verify_RevertWhen_SignatureUnrecoverable() public {
        (bytes[] memory msgs,,, bytes memory metadata) = _fixture();
        uint256 at = metadata.length - SIGS;
        for (uint256 i = 0; i < 32; ++i) {
            metadata[at + i] = 0; // r = 0: ecrecover returns nothing
        }
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidSignature.selector, 0));
        verifier.verify(metadata, msgs[1]);
    }

    function test_Verify_RevertWhen_SignersUnsortedOrDuplicate() public {
        (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root,) = _fixture();
        bytes32 digest = _rangeDigest(GATEWAY, ORIGIN, root, 40, 44);
        bytes memory unsorted = bytes.concat(_sign(keys[1], digest), _sign(keys[0], digest), _sign(keys[2], digest));
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnsortedSigners.selector, 1));
        verifier.verify(_meta(40, 44, leaves, 1, unsorted), msgs[1]);
        bytes memory duplicate = bytes.concat(_sign(keys[0], digest), _sign(keys[1], digest), _sign(keys[1], digest));
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnsortedSigners.selector, 2));
        verifier.verify(_meta(40, 44, leaves, 1, duplicate), msgs[1]);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnsortedSigners.selector, 2));
        verifier.verifyRange(40, 44, root, duplicate);
    }

    function test_Verify_RevertWhen_UnknownSigner() public {
        (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root,) = _fixture();
        bytes32 digest = _rangeDigest(GATEWAY, ORIGIN, root, 40, 44);
        uint256 outsider = 0xbad;
        // Two validators and an outsider: below the quorum whatever the order.
        bytes memory sigs = bytes.concat(_sign(keys[0], digest), _sign(keys[1], digest), _sign(outsider, digest));
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, 2, vm.addr(outsider))
        );
        verifier.verify(_meta(40, 44, leaves, 1, sigs), msgs[1]);
        assertFalse(verifier.rangeVerified(40, 44, root));
    }

    /// @dev Signatures over any other digest (another gateway, origin, kind, range bounds) recover to strangers.
    function test_Verify_RevertWhen_SignedForAnotherDomainKindOrRange() public {
        (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root,) = _fixture();
        bytes32[5] memory digests = [
            _rangeDigest(bytes32(uint256(GATEWAY) + 1), ORIGIN, root, 40, 44),
            _rangeDigest(GATEWAY, ORIGIN + 1, root, 40, 44),
            CheckpointDigest.digest(ORIGIN, GATEWAY, CheckpointDigest.KIND_MERKLE_ROOT, root, 44),
            _rangeDigest(GATEWAY, ORIGIN, root, 40, 45),
            _rangeDigest(GATEWAY, ORIGIN, root, 39, 44)
        ];
        for (uint256 i = 0; i < digests.length; ++i) {
            bytes memory sigs = _signAll(_prefix(keys, K), digests[i]);
            bytes memory firstSig = new bytes(65);
            for (uint256 j = 0; j < 65; ++j) {
                firstSig[j] = sigs[j];
            }
            address stranger = _recover(_rangeDigest(GATEWAY, ORIGIN, root, 40, 44), firstSig);
            vm.expectRevert(
                abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, 0, stranger)
            );
            verifier.verify(_meta(40, 44, leaves, 1, sigs), msgs[1]);
        }
    }

    function test_VerifyRange_RevertPaths() public {
        (,, bytes32 root,) = _fixture();
        bytes memory sigs = _sigs(root, 40, 44);
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, SIGS - 65, SIGS)
        );
        verifier.verifyRange(40, 44, root, new bytes(SIGS - 65));
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, SIGS + 1, SIGS)
        );
        verifier.verifyRange(40, 44, root, bytes.concat(sigs, hex"00"));
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierInvalidRange.selector, 44, 40
            )
        );
        verifier.verifyRange(44, 40, root, sigs);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRangeCheckpointMultisigVerifier.RangeCheckpointMultisigVerifierRangeTooLong.selector, 2000, 1024
            )
        );
        verifier.verifyRange(0, 1999, root, sigs);
        vm.expectRevert(); // signed for 40..44, presented as 40..43: recovers to strangers
        verifier.verifyRange(40, 43, root, sigs);
        assertFalse(verifier.rangeVerified(40, 43, root));
        assertFalse(verifier.rangeVerified(40, 44, root));
    }

    // ---------------------------------------------------------------------------------------- mutations

    /// @dev Flipping any bit of any byte of signed metadata (header, any sibling, any signature) is rejected.
    function testFuzz_Verify_RevertWhen_AnySignedMetadataBitFlipped(uint256 at, uint8 bit) public {
        (bytes[] memory msgs,,, bytes memory metadata) = _fixture();
        at = bound(at, 0, metadata.length - 1);
        metadata[at] = metadata[at] ^ bytes1(uint8(1) << (bit % 8));
        vm.expectRevert();
        verifier.verify(metadata, msgs[1]);
    }

    /// @dev Once the range is recorded, flipping any bit of proof-only metadata (header or any sibling) is rejected,
    /// and so is any bit of the message (another id).
    function testFuzz_Verify_RevertWhen_AnyProofOrMessageBitFlipped(uint256 at, uint8 bit, bool inMessage) public {
        (bytes[] memory msgs, bytes32[] memory leaves, bytes32 root,) = _fixture();
        verifier.verifyRange(40, 44, root, _sigs(root, 40, 44));
        bytes memory metadata = _meta(40, 44, leaves, 3, "");
        bytes memory message = msgs[3];
        bytes memory target = inMessage ? message : metadata;
        at = bound(at, 0, target.length - 1);
        target[at] = target[at] ^ bytes1(uint8(1) << (bit % 8));
        vm.expectRevert();
        verifier.verify(metadata, message);
    }

    // ------------------------------------------------------------------------------ through the gateway

    /// @dev Conflicting signed ranges through the gateway: the message is delivered once, whichever range proves
    /// it first; the other range's proof then hits the gateway's replay guard.
    function test_Gateway_ConflictingRangesDeliverOnce() public {
        AccessManager manager = new AccessManager(address(this));
        ConcordGateway gateway = new ConcordGateway(LOCAL, address(manager), 200_000, 64 * 1024);
        gateway.setRoute(ORIGIN, address(verifier), address(uint160(uint256(GATEWAY))));
        address recipient = address(new MockNoopRecipient());
        bytes32[] memory leavesA = new bytes32[](4);
        bytes[] memory msgs = new bytes[](4);
        for (uint32 i = 0; i < 4; ++i) {
            msgs[i] = Message.format(
                3,
                10 + i,
                ORIGIN,
                bytes32(uint256(0xa11ce)),
                LOCAL,
                bytes32(uint256(uint160(recipient))),
                abi.encodePacked(uint32(50_000), "hi")
            );
            leavesA[i] = keccak256(msgs[i]);
        }
        bytes32 rootA = RangeCheckpointTree.root(leavesA);
        bytes32[] memory leavesB = new bytes32[](2);
        (leavesB[0], leavesB[1]) = (leavesA[2], keccak256("another id for nonce 13"));
        bytes32 rootB = RangeCheckpointTree.root(leavesB);

        gateway.process(_meta(10, 13, leavesA, 2, _sigs(rootA, 10, 13)), msgs[2]);
        assertTrue(gateway.delivered(ORIGIN, 12));
        verifier.verifyRange(12, 13, rootB, _sigs(rootB, 12, 13));
        assertTrue(verifier.verify(_meta(12, 13, leavesB, 0, ""), msgs[2])); // valid proof...
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(msgs[2]))
        );
        gateway.process(_meta(12, 13, leavesB, 0, ""), msgs[2]); // ...but delivered once
        // The rest of range A, later, with proofs alone; a wrong proof fails verification.
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayVerificationFailed.selector, verifier));
        gateway.process(_meta(10, 13, leavesA, 1, ""), msgs[0]);
        for (uint256 i = 0; i < 4; ++i) {
            if (i != 2) gateway.process(_meta(10, 13, leavesA, i, ""), msgs[i]);
            assertTrue(gateway.delivered(ORIGIN, uint32(10 + i)));
        }
    }

    /// @dev The digest layout, byte for byte (the SDK mirrors it; see test/ts/metadata-range.test.ts).
    function test_RangeDigest_Layout() public pure {
        bytes32 domain = CheckpointDigest.domainHash(ORIGIN, GATEWAY);
        bytes32 root = keccak256("root");
        assertEq(
            CheckpointDigest.rangeDigest(domain, root, 5, 9),
            keccak256(abi.encodePacked(domain, bytes1(0x03), root, uint32(5), uint32(9)))
        );
    }
}
