// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {CONCORD_MESSAGE_ID_MULTISIG, IMultisigVerifier} from "../../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {MessageIdMultisigVerifier} from "../../../contracts/isms/MessageIdMultisigVerifier.sol";
import {CheckpointDigest} from "../../../contracts/libraries/CheckpointDigest.sol";
import {MultisigBase} from "../MultisigBase.t.sol";

contract MessageIdMultisigVerifierTest is MultisigBase {
    uint256[] internal keys;
    address[] internal validators;
    IMultisigVerifier internal verifier; // 3-of-5
    bytes internal message;

    function setUp() public override {
        super.setUp();
        (keys, validators) = _keys(1, 5);
        verifier = _deployMessageId(validators, 3);
        message = _message();
    }

    function _k(uint256 a, uint256 b, uint256 c) internal view returns (uint256[] memory out) {
        out = new uint256[](3);
        (out[0], out[1], out[2]) = (keys[a], keys[b], keys[c]);
    }

    // ------------------------------------------------------------------------------------ happy paths

    function test_Verify_AcceptsThresholdSignatures() public {
        assertTrue(verifier.verify(_messageIdMetadata(_k(0, 1, 2), message), message));
    }

    function test_Verify_AcceptsAnyAscendingSubset() public {
        assertTrue(verifier.verify(_messageIdMetadata(_k(0, 2, 4), message), message));
        assertTrue(verifier.verify(_messageIdMetadata(_k(1, 3, 4), message), message));
    }

    function test_Verify_AcceptsOneOfOne() public {
        IMultisigVerifier one = _deployMessageId(_prefixAddrs(1), 1);
        assertTrue(one.verify(_messageIdMetadata(_prefix(keys, 1), message), message));
    }

    function test_Verify_AcceptsSixteenOfSixteen() public {
        (uint256[] memory k16, address[] memory a16) = _keys(7, 16);
        IMultisigVerifier big = _deployMessageId(a16, 16);
        assertTrue(big.verify(_messageIdMetadata(k16, message), message));
    }

    function test_Verify_AcceptsUpperHalfValidators() public {
        (uint256[] memory k16, address[] memory a16) = _keys(7, 16);
        IMultisigVerifier big = _deployMessageId(a16, 3);
        uint256[] memory upper = new uint256[](3);
        (upper[0], upper[1], upper[2]) = (k16[7], k16[8], k16[15]);
        assertTrue(big.verify(_messageIdMetadata(upper, message), message));
    }

    function test_ModuleType_IsConcordMessageId() public view {
        assertEq(verifier.moduleType(), CONCORD_MESSAGE_ID_MULTISIG);
    }

    function test_Views_ReturnConfiguration() public view {
        (address[] memory set, uint8 threshold) = verifier.validatorsAndThreshold(message);
        assertEq(set, validators);
        assertEq(threshold, 3);
        assertEq(verifier.origin(), ORIGIN);
        assertEq(verifier.originGateway(), GATEWAY);
        assertEq(verifier.localDomain(), LOCAL);
        assertEq(verifier.domainHash(), CheckpointDigest.domainHash(ORIGIN, GATEWAY));
    }

    // ------------------------------------------------------------------------------ metadata shape

    function test_Verify_RevertWhen_MetadataEmpty() public {
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 0, 195)
        );
        verifier.verify("", message);
    }

    function test_Verify_RevertWhen_MetadataTruncated() public {
        bytes memory metadata = _messageIdMetadata(_k(0, 1, 2), message);
        bytes memory truncated = _slice(metadata, 0, metadata.length - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 194, 195)
        );
        verifier.verify(truncated, message);
    }

    function test_Verify_RevertWhen_MetadataOverlong() public {
        bytes memory metadata = bytes.concat(_messageIdMetadata(_k(0, 1, 2), message), hex"00");
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 196, 195)
        );
        verifier.verify(metadata, message);
    }

    function test_Verify_RevertWhen_ExtraSignature() public {
        uint256[] memory four = new uint256[](4);
        (four[0], four[1], four[2], four[3]) = (keys[0], keys[1], keys[2], keys[3]);
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 260, 195)
        );
        verifier.verify(_messageIdMetadata(four, message), message);
    }

    function test_Verify_RevertWhen_ZeroSignatures() public {
        // Even a 1-of-1 verifier wants one signature: empty metadata never passes (I6).
        IMultisigVerifier one = _deployMessageId(_prefixAddrs(1), 1);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 0, 65));
        one.verify(_messageIdMetadata(new uint256[](0), message), message);
    }

    function test_Verify_RevertWhen_TooFewSignatures() public {
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidMetadataLength.selector, 130, 195)
        );
        verifier.verify(_messageIdMetadata(_prefix(keys, 2), message), message);
    }

    // ---------------------------------------------------------------------------------- signatures

    function test_Verify_RevertWhen_DuplicateSignature() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnsortedSigners.selector, 2));
        verifier.verify(_messageIdMetadata(_k(0, 1, 1), message), message);
    }

    function test_Verify_RevertWhen_SignaturesUnsorted() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnsortedSigners.selector, 2));
        verifier.verify(_messageIdMetadata(_k(0, 2, 1), message), message);
    }

    function test_Verify_RevertWhen_SignerNotValidator() public {
        uint256 outsiderKey = 0xbad;
        address outsider = vm.addr(outsiderKey);
        // Two validators and the outsider, in ascending address order, so the membership check (not the order
        // check) is what fails, at the outsider's position.
        uint256[] memory signers = new uint256[](3);
        address[] memory addrs = new address[](3);
        (signers[0], signers[1], signers[2]) = (keys[0], keys[1], outsiderKey);
        (addrs[0], addrs[1], addrs[2]) = (validators[0], validators[1], outsider);
        for (uint256 i = 2; i > 0 && addrs[i] < addrs[i - 1]; --i) {
            (addrs[i], addrs[i - 1]) = (addrs[i - 1], addrs[i]);
            (signers[i], signers[i - 1]) = (signers[i - 1], signers[i]);
        }
        uint256 position = addrs[0] == outsider ? 0 : addrs[1] == outsider ? 1 : 2;
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, position, outsider)
        );
        verifier.verify(_messageIdMetadata(signers, message), message);
    }

    function test_Verify_RevertWhen_SignerNotValidatorOneOfOne() public {
        IMultisigVerifier one = _deployMessageId(_prefixAddrs(1), 1);
        uint256 outsiderKey = 0xbad;
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, 0, vm.addr(outsiderKey))
        );
        one.verify(_messageIdMetadata(_one(outsiderKey), message), message);
    }

    function test_Verify_RevertWhen_HighS() public {
        bytes memory metadata = _messageIdMetadata(_k(0, 1, 2), message);
        _makeHighS(metadata, 65); // second signature: same signer, malleated (n - s, flipped v)
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierHighS.selector, 1));
        verifier.verify(metadata, message);
    }

    function test_Verify_RevertWhen_VIsZeroOrOne() public {
        bytes memory metadata = _messageIdMetadata(_k(0, 1, 2), message);
        metadata[65 * 2 + 64] = bytes1(uint8(metadata[65 * 2 + 64]) - 27);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidV.selector, 2));
        verifier.verify(metadata, message);
    }

    function test_Verify_RevertWhen_VIs29() public {
        bytes memory metadata = _messageIdMetadata(_k(0, 1, 2), message);
        metadata[64] = bytes1(uint8(29));
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidV.selector, 0));
        verifier.verify(metadata, message);
    }

    function test_Verify_RevertWhen_SignatureUnrecoverable() public {
        bytes memory metadata = _messageIdMetadata(_k(0, 1, 2), message);
        // r = 0 is not a curve point: ecrecover returns nothing.
        for (uint256 i = 0; i < 32; ++i) {
            metadata[i] = 0;
        }
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidSignature.selector, 0));
        verifier.verify(metadata, message);
    }

    function test_Verify_RevertWhen_AllZeroSignatureBytes() public {
        bytes memory metadata = new bytes(65 * 3);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidV.selector, 0));
        verifier.verify(metadata, message);
    }

    // ---------------------------------------------------------------------- wrong digest components

    function test_Verify_RevertWhen_WrongGateway() public {
        IMultisigVerifier one = _deployMessageId(_prefixAddrs(1), 1);
        bytes32 otherGateway = bytes32(uint256(0xdead));
        _expectUnknownSignerOneOfOne(one, _idDigest(otherGateway, keccak256(message), INDEX));
    }

    function test_Verify_RevertWhen_RedeployedGateway() public {
        // The origin gateway was redeployed at a new address: checkpoints signed for the old one must not verify
        // on a verifier configured for the new one.
        IMultisigVerifier.Config memory config = _config(_prefixAddrs(1), 1);
        config.originGateway = bytes32(uint256(0x9e1));
        IMultisigVerifier redeployed = factory.deploy(IMultisigVerifierFactory.Variant.MESSAGE_ID, config);
        bytes memory metadata = _messageIdMetadata(_one(keys[0]), message); // signed for GATEWAY
        bytes32 seen = CheckpointDigest.digest(
            ORIGIN, config.originGateway, CheckpointDigest.KIND_MESSAGE_ID, keccak256(message), INDEX
        );
        address recovered = _recover(seen, metadata);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, 0, recovered));
        redeployed.verify(metadata, message);
    }

    function test_Verify_RevertWhen_WrongNonce() public {
        IMultisigVerifier one = _deployMessageId(_prefixAddrs(1), 1);
        _expectUnknownSignerOneOfOne(one, _idDigest(GATEWAY, keccak256(message), INDEX + 1));
    }

    function test_Verify_RevertWhen_CheckpointSignatureUsedAsMessageIdSignature() public {
        // A merkle-root (checkpoint) signature whose root happens to equal the id: the kind byte tells them apart.
        IMultisigVerifier one = _deployMessageId(_prefixAddrs(1), 1);
        _expectUnknownSignerOneOfOne(one, _rootDigest(GATEWAY, keccak256(message), INDEX));
    }

    function test_Verify_RevertWhen_ZeroRootSigned() public {
        // Validators tricked into signing a zero commitment (an empty tree): never a valid message signature.
        IMultisigVerifier one = _deployMessageId(_prefixAddrs(1), 1);
        _expectUnknownSignerOneOfOne(one, _rootDigest(GATEWAY, bytes32(0), INDEX));
    }

    function test_Verify_RevertWhen_MessageTampered() public {
        IMultisigVerifier one = _deployMessageId(_prefixAddrs(1), 1);
        bytes memory other = _message(INDEX, ORIGIN, LOCAL, abi.encode(uint256(43)));
        _expectUnknownSignerOneOfOne(one, _idDigest(GATEWAY, keccak256(other), INDEX));
    }

    function test_Verify_RevertWhen_SignedForOtherOriginDomain() public {
        // A checkpoint signed under another origin's domain hash does not recover to the validator.
        IMultisigVerifier one = _deployMessageId(_prefixAddrs(1), 1);
        bytes32 foreign =
            CheckpointDigest.digest(ORIGIN + 1, GATEWAY, CheckpointDigest.KIND_MESSAGE_ID, keccak256(message), INDEX);
        _expectUnknownSignerOneOfOne(one, foreign);
    }

    // ------------------------------------------------------------------------------ message checks

    function test_Verify_RevertWhen_WrongOrigin() public {
        bytes memory other = _message(INDEX, ORIGIN + 1, LOCAL, "");
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierWrongOrigin.selector, ORIGIN + 1));
        verifier.verify(_messageIdMetadata(_k(0, 1, 2), other), other);
    }

    function test_Verify_RevertWhen_WrongDestination() public {
        bytes memory other = _message(INDEX, ORIGIN, LOCAL + 1, "");
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierWrongDestination.selector, LOCAL + 1));
        verifier.verify(_messageIdMetadata(_k(0, 1, 2), other), other);
    }

    function test_Verify_RevertWhen_MessageShorterThanHeader() public {
        bytes memory short = _slice(message, 0, 76);
        vm.expectRevert(IMultisigVerifier.MultisigVerifierMalformedMessage.selector);
        verifier.verify(_messageIdMetadata(_k(0, 1, 2), short), short);
    }

    // ------------------------------------------------------------------------------- configuration

    function test_Constructor_RevertWhen_ThresholdZero() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidThreshold.selector, 0, 5));
        new MessageIdMultisigVerifier(_config(validators, 0));
    }

    function test_Constructor_RevertWhen_ThresholdAboveValidatorCount() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidThreshold.selector, 6, 5));
        new MessageIdMultisigVerifier(_config(validators, 6));
    }

    function test_Constructor_RevertWhen_NoValidators() public {
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierInvalidThreshold.selector, 1, 0));
        new MessageIdMultisigVerifier(_config(new address[](0), 1));
    }

    function test_Constructor_RevertWhen_TooManyValidators() public {
        (, address[] memory a17) = _keys(3, 17);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierTooManyValidators.selector, 17, 16));
        new MessageIdMultisigVerifier(_config(a17, 1));
    }

    function test_Constructor_RevertWhen_ZeroValidator() public {
        address[] memory set = _prefixAddrs(3);
        set[0] = address(0);
        vm.expectRevert(IMultisigVerifier.MultisigVerifierZeroValidator.selector);
        new MessageIdMultisigVerifier(_config(set, 1));
    }

    function test_Constructor_RevertWhen_DuplicateValidator() public {
        address[] memory set = _prefixAddrs(3);
        set[2] = set[1];
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierDuplicateValidator.selector, set[1]));
        new MessageIdMultisigVerifier(_config(set, 1));
    }

    function test_Constructor_RevertWhen_ValidatorsUnsorted() public {
        address[] memory set = _prefixAddrs(3);
        (set[1], set[2]) = (set[2], set[1]);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnsortedValidators.selector, 2));
        new MessageIdMultisigVerifier(_config(set, 1));
    }

    function test_Constructor_RevertWhen_OriginGatewayZero() public {
        IMultisigVerifier.Config memory config = _config(validators, 1);
        config.originGateway = bytes32(0);
        vm.expectRevert(IMultisigVerifier.MultisigVerifierZeroOriginGateway.selector);
        new MessageIdMultisigVerifier(config);
    }

    function test_Constructor_EmitsConfigured() public {
        vm.expectEmit(true, true, false, true);
        emit IMultisigVerifier.MultisigVerifierConfigured(ORIGIN, GATEWAY, LOCAL, 2, validators);
        new MessageIdMultisigVerifier(_config(validators, 2));
    }

    function test_Verify_RevertWhen_RotatedOutValidatorSigns() public {
        // Rotation: a new verifier for the set without validators[0]; the old one keeps accepting it, the new
        // one rejects its signature (routing the origin to the new verifier is covered in RoutingVerifier tests).
        address[] memory rotated = new address[](4);
        for (uint256 i = 0; i < 4; ++i) {
            rotated[i] = validators[i + 1];
        }
        IMultisigVerifier next = _deployMessageId(rotated, 3);
        bytes memory metadata = _messageIdMetadata(_k(0, 1, 2), message);
        assertTrue(verifier.verify(metadata, message));
        vm.expectRevert(
            abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, 0, validators[0])
        );
        next.verify(metadata, message);
        assertTrue(next.verify(_messageIdMetadata(_k(1, 2, 3), message), message));
    }

    // -------------------------------------------------------------------------------------- helpers

    function _prefixAddrs(uint256 n) internal view returns (address[] memory out) {
        out = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = validators[i];
        }
    }

    function _one(uint256 key) internal pure returns (uint256[] memory out) {
        out = new uint256[](1);
        out[0] = key;
    }

    function _expectUnknownSignerOneOfOne(IMultisigVerifier one, bytes32 signedDigest) internal {
        bytes memory sig = _sign(keys[0], signedDigest);
        bytes memory metadata = sig;
        address recovered = _recover(_idDigest(GATEWAY, keccak256(message), INDEX), sig);
        assertTrue(recovered != validators[0]);
        vm.expectRevert(abi.encodeWithSelector(IMultisigVerifier.MultisigVerifierUnknownSigner.selector, 0, recovered));
        one.verify(metadata, message);
    }

    function _makeHighS(bytes memory metadata, uint256 at) internal pure {
        uint256 s;
        assembly {
            s := mload(add(add(metadata, 0x40), at))
        }
        uint256 highS = SECP256K1_N - s;
        assembly {
            mstore(add(add(metadata, 0x40), at), highS)
        }
        metadata[at + 64] = uint8(metadata[at + 64]) == 27 ? bytes1(uint8(28)) : bytes1(uint8(27));
    }

    function _slice(bytes memory data, uint256 start, uint256 length) internal pure returns (bytes memory out) {
        out = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            out[i] = data[start + i];
        }
    }

    // ---------------------------------------------------------------- origin gateway and retries (issue 13)

    function test_OriginGatewayFor_OnlyItsOrigin() public {
        (, address[] memory set) = _keys(1, 3);
        IMultisigVerifier byId = _deployMessageId(set, 2);
        assertEq(byId.originGatewayFor(ORIGIN), GATEWAY);
        assertEq(byId.originGatewayFor(ORIGIN + 1), bytes32(0));
        assertTrue(byId.authorizeRetry(_message()));
        IMultisigVerifier root = _deployMerkleRoot(set, 2);
        assertEq(root.originGatewayFor(ORIGIN), GATEWAY);
        assertEq(root.originGatewayFor(0), bytes32(0));
        assertTrue(root.authorizeRetry(_message()));
    }
}
