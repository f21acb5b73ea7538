// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {MultisigVerifierFactory} from "../../contracts/isms/MultisigVerifierFactory.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {Test} from "forge-std/Test.sol";

/// @dev Shared fixtures for the multisig verifier tests: deterministic validator keys, messages in Concord's
/// format (`gasLimit (uint32) | payload` body), signing and metadata packing.
abstract contract MultisigBase is Test {
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint32 internal constant ORIGIN = 10;
    uint32 internal constant LOCAL = 8453;
    bytes32 internal constant GATEWAY = bytes32(uint256(uint160(0xC0C0c0c0C0C0c0c0c0C0c0C0C0C0C0C0C0C0c0c0)));
    uint32 internal constant INDEX = 41;

    MultisigVerifierFactory internal factory;

    function setUp() public virtual {
        factory = new MultisigVerifierFactory();
    }

    // ----------------------------------------------------------------------------------------- keys

    /// @dev `n` keys derived from `seed`, returned sorted ascending by address.
    function _keys(uint256 seed, uint256 n) internal pure returns (uint256[] memory keys, address[] memory addrs) {
        keys = new uint256[](n);
        addrs = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            keys[i] = (uint256(keccak256(abi.encode("concord.validator", seed, i))) % (SECP256K1_N - 1)) + 1;
            addrs[i] = vm.addr(keys[i]);
        }
        // Insertion sort by address.
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && addrs[j] < addrs[j - 1]; --j) {
                (addrs[j], addrs[j - 1]) = (addrs[j - 1], addrs[j]);
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }

    function _prefix(uint256[] memory keys, uint256 k) internal pure returns (uint256[] memory out) {
        out = new uint256[](k);
        for (uint256 i = 0; i < k; ++i) {
            out[i] = keys[i];
        }
    }

    // ------------------------------------------------------------------------------------ verifiers

    function _config(address[] memory validators, uint8 threshold)
        internal
        pure
        returns (IMultisigVerifier.Config memory)
    {
        return IMultisigVerifier.Config({
            origin: ORIGIN, originGateway: GATEWAY, localDomain: LOCAL, threshold: threshold, validators: validators
        });
    }

    function _deployMessageId(address[] memory validators, uint8 threshold) internal returns (IMultisigVerifier) {
        return factory.deploy(IMultisigVerifierFactory.Variant.MESSAGE_ID, _config(validators, threshold));
    }

    function _deployMerkleRoot(address[] memory validators, uint8 threshold) internal returns (IMultisigVerifier) {
        return factory.deploy(IMultisigVerifierFactory.Variant.MERKLE_ROOT, _config(validators, threshold));
    }

    // -------------------------------------------------------------------------------------- messages

    function _message(uint32 nonce, uint32 origin, uint32 destination, bytes memory payload)
        internal
        pure
        returns (bytes memory)
    {
        return Message.format(
            3,
            nonce,
            origin,
            bytes32(uint256(0xa11ce)),
            destination,
            bytes32(uint256(0xb0b)),
            abi.encodePacked(uint32(200_000), payload)
        );
    }

    function _message() internal pure returns (bytes memory) {
        return _message(INDEX, ORIGIN, LOCAL, abi.encode(uint256(42)));
    }

    // ------------------------------------------------------------------------------------- signatures

    function _sign(uint256 key, bytes32 digest) internal pure virtual returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _signAll(uint256[] memory keys, bytes32 digest) internal pure returns (bytes memory sigs) {
        for (uint256 i = 0; i < keys.length; ++i) {
            sigs = bytes.concat(sigs, _sign(keys[i], digest));
        }
    }

    /// @dev Digest of a signed message id (message-id variant).
    function _idDigest(bytes32 gateway, bytes32 id, uint32 nonce) internal pure returns (bytes32) {
        return CheckpointDigest.digest(ORIGIN, gateway, CheckpointDigest.KIND_MESSAGE_ID, id, nonce);
    }

    /// @dev Digest of a signed checkpoint (merkle-root variant).
    function _rootDigest(bytes32 gateway, bytes32 root, uint32 index) internal pure returns (bytes32) {
        return CheckpointDigest.digest(ORIGIN, gateway, CheckpointDigest.KIND_MERKLE_ROOT, root, index);
    }

    /// @dev The nonce field of a packed message.
    function _nonceOf(bytes memory message) internal pure returns (uint32 nonce) {
        assembly {
            nonce := shr(224, mload(add(message, 0x21)))
        }
    }

    /// @dev Message-id metadata (the signatures alone) by `keys`, over the default domain.
    function _messageIdMetadata(uint256[] memory keys, bytes memory message) internal pure returns (bytes memory) {
        return _signAll(keys, _idDigest(GATEWAY, keccak256(message), _nonceOf(message)));
    }

    /// @dev The address ecrecover yields for `sig` over `digest` (what a verifier sees for a wrong digest).
    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
        return ecrecover(digest, v, r, s);
    }

    // ---------------------------------------------------------------------------------------- merkle

    /// @dev Root of the depth-32 index-ordered tree over `leaves` (zero-padded) and the sibling path of `index`.
    function _merkleProof(bytes32[] memory leaves, uint256 index)
        internal
        pure
        returns (bytes32 root, bytes32[32] memory proof)
    {
        bytes32[] memory nodes = leaves;
        bytes32 zero = bytes32(0);
        for (uint256 level = 0; level < 32; ++level) {
            uint256 sibling = index ^ 1;
            proof[level] = sibling < nodes.length ? nodes[sibling] : zero;
            bytes32[] memory next = new bytes32[]((nodes.length + 1) / 2);
            for (uint256 i = 0; i < next.length; ++i) {
                bytes32 left = nodes[2 * i];
                bytes32 right = 2 * i + 1 < nodes.length ? nodes[2 * i + 1] : zero;
                next[i] = keccak256(abi.encodePacked(left, right));
            }
            if (next.length == 0) {
                next = new bytes32[](1);
                next[0] = keccak256(abi.encodePacked(zero, zero));
            }
            nodes = next;
            zero = keccak256(abi.encodePacked(zero, zero));
            index >>= 1;
        }
        root = nodes[0];
    }

    /// @dev Merkle-root metadata `messageIndex | signedIndex | proof | sigs`.
    function _merkleRootMetadata(uint32 messageIndex, uint32 signedIndex, bytes32[32] memory proof, bytes memory sigs)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(messageIndex, signedIndex, abi.encodePacked(proof), sigs);
    }
}

/// @dev A configurable verifier for composition tests: accepts, rejects (returns false) or reverts, and records
/// the metadata it was last given.
/// @dev What a StubVerifier reports as its origin gateway unless told otherwise (MultisigBase's GATEWAY).
bytes32 constant STUB_GATEWAY = bytes32(uint256(uint160(0xC0C0c0c0C0C0c0c0c0C0c0C0C0C0C0C0C0C0c0c0)));

contract StubVerifier {
    enum Mode {
        ACCEPT,
        REJECT,
        REVERT
    }

    error StubVerifierReverted();

    Mode public mode;
    Mode public retryMode;
    uint8 public immutable MODULE_TYPE;
    uint256 public calls;
    uint256 public retryCalls;
    bytes public lastMetadata;
    bytes32 public reportedGateway = STUB_GATEWAY;

    constructor(uint8 moduleType_) {
        MODULE_TYPE = moduleType_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setRetryMode(Mode mode_) external {
        retryMode = mode_;
    }

    function setReportedGateway(bytes32 gateway) external {
        reportedGateway = gateway;
    }

    function originGatewayFor(uint32) external view returns (bytes32) {
        return reportedGateway;
    }

    function authorizeRetry(bytes calldata) external returns (bool) {
        if (retryMode == Mode.REVERT) revert StubVerifierReverted();
        ++retryCalls;
        return retryMode == Mode.ACCEPT;
    }

    function moduleType() external view returns (uint8) {
        return MODULE_TYPE;
    }

    function verify(bytes calldata metadata, bytes calldata) external returns (bool) {
        if (mode == Mode.REVERT) revert StubVerifierReverted();
        ++calls;
        lastMetadata = metadata;
        return mode == Mode.ACCEPT;
    }
}
