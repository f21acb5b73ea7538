// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {IMultisigVerifier} from "../interfaces/IMultisigVerifier.sol";
import {CheckpointDigest} from "../libraries/CheckpointDigest.sol";

/// @title AbstractMultisigVerifier
/// @notice Shared core of the message-id and merkle-root multisig verifiers: the fixed configuration held in
/// immutables (no storage reads on the verification path), message checks, and the k-of-n signature loop.
/// @dev Signatures are 65 bytes `r (32) | s (32) | v (1)`, exactly `threshold` of them, ordered strictly ascending
/// by recovered signer (so a duplicate is impossible), `s <= secp256k1n / 2`, `v` in {27, 28}. The set (at most 16
/// validators, ascending) lives in immutables, i.e. in the contract's code: `verify` reads no storage.
abstract contract AbstractMultisigVerifier is IMultisigVerifier {
    /// @dev Largest validator set a verifier can hold (16; not exposed as a getter, to keep `verify`'s selector
    /// dispatch short).
    uint256 internal constant _MAX_VALIDATORS = 16;
    /// @dev Length of one signature `r | s | v`.
    uint256 internal constant _SIGNATURE_LENGTH = 65;
    /// @dev secp256k1n / 2: the largest accepted `s` (EIP-2).
    uint256 internal constant _HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    bytes32 internal immutable _DOMAIN_HASH;
    bytes32 internal immutable _ORIGIN_GATEWAY;
    uint32 internal immutable _ORIGIN;
    uint32 internal immutable _LOCAL_DOMAIN;
    uint8 internal immutable _THRESHOLD;
    uint8 internal immutable _VALIDATOR_COUNT;
    /// @dev Exact metadata length: the variant's fixed part plus `65 * threshold`.
    uint256 internal immutable _METADATA_LENGTH;

    address internal immutable _V0;
    address internal immutable _V1;
    address internal immutable _V2;
    address internal immutable _V3;
    address internal immutable _V4;
    address internal immutable _V5;
    address internal immutable _V6;
    address internal immutable _V7;
    address internal immutable _V8;
    address internal immutable _V9;
    address internal immutable _V10;
    address internal immutable _V11;
    address internal immutable _V12;
    address internal immutable _V13;
    address internal immutable _V14;
    address internal immutable _V15;

    /// @param config The fixed configuration; validators must be strictly ascending.
    /// @param fixedMetadataLength Length of the variant's metadata before the signatures.
    constructor(Config memory config, uint256 fixedMetadataLength) {
        address[] memory validators = config.validators;
        uint256 count = validators.length;
        if (count > _MAX_VALIDATORS) revert MultisigVerifierTooManyValidators(count, _MAX_VALIDATORS);
        if (config.threshold == 0 || config.threshold > count) {
            revert MultisigVerifierInvalidThreshold(config.threshold, count);
        }
        if (config.originGateway == bytes32(0)) revert MultisigVerifierZeroOriginGateway();
        for (uint256 i = 0; i < count; ++i) {
            if (validators[i] == address(0)) revert MultisigVerifierZeroValidator();
            if (i > 0) {
                if (validators[i] == validators[i - 1]) revert MultisigVerifierDuplicateValidator(validators[i]);
                if (validators[i] < validators[i - 1]) revert MultisigVerifierUnsortedValidators(i);
            }
        }

        _DOMAIN_HASH = CheckpointDigest.domainHash(config.origin, config.originGateway);
        _ORIGIN_GATEWAY = config.originGateway;
        _ORIGIN = config.origin;
        _LOCAL_DOMAIN = config.localDomain;
        _THRESHOLD = config.threshold;
        // forge-lint: disable-next-line(unsafe-typecast) count <= _MAX_VALIDATORS (16), checked above
        _VALIDATOR_COUNT = uint8(count);
        _METADATA_LENGTH = fixedMetadataLength + _SIGNATURE_LENGTH * config.threshold;

        _V0 = _at(validators, 0);
        _V1 = _at(validators, 1);
        _V2 = _at(validators, 2);
        _V3 = _at(validators, 3);
        _V4 = _at(validators, 4);
        _V5 = _at(validators, 5);
        _V6 = _at(validators, 6);
        _V7 = _at(validators, 7);
        _V8 = _at(validators, 8);
        _V9 = _at(validators, 9);
        _V10 = _at(validators, 10);
        _V11 = _at(validators, 11);
        _V12 = _at(validators, 12);
        _V13 = _at(validators, 13);
        _V14 = _at(validators, 14);
        _V15 = _at(validators, 15);

        emit MultisigVerifierConfigured(
            config.origin, config.originGateway, config.localDomain, config.threshold, validators
        );
    }

    /// @inheritdoc IMultisigVerifier
    function validatorsAndThreshold(bytes calldata) external view returns (address[] memory validators, uint8) {
        validators = new address[](_VALIDATOR_COUNT);
        address[_MAX_VALIDATORS] memory all =
            [_V0, _V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9, _V10, _V11, _V12, _V13, _V14, _V15];
        for (uint256 i = 0; i < validators.length; ++i) {
            validators[i] = all[i];
        }
        return (validators, _THRESHOLD);
    }

    /// @inheritdoc IConcordVerifier
    function originGatewayFor(uint32 origin_) external view returns (bytes32) {
        return origin_ == _ORIGIN ? _ORIGIN_GATEWAY : bytes32(0);
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Signatures hold for ever: nothing to re-check at retry time.
    function authorizeRetry(bytes calldata) external pure returns (bool) {
        return true;
    }

    /// @inheritdoc IMultisigVerifier
    function origin() external view returns (uint32) {
        return _ORIGIN;
    }

    /// @inheritdoc IMultisigVerifier
    function originGateway() external view returns (bytes32) {
        return _ORIGIN_GATEWAY;
    }

    /// @inheritdoc IMultisigVerifier
    function localDomain() external view returns (uint32) {
        return _LOCAL_DOMAIN;
    }

    /// @inheritdoc IMultisigVerifier
    function domainHash() external view returns (bytes32) {
        return _DOMAIN_HASH;
    }

    /// @dev Checks `message` (at least the 77-byte header, origin = the configured origin, destination = the local
    /// domain) and the exact metadata length, then returns the message id and nonce.
    function _checkAndHash(bytes calldata metadata, bytes calldata message)
        internal
        view
        returns (bytes32 id, uint32 nonce)
    {
        uint256 expectedOrigin = _ORIGIN;
        uint256 expectedDestination = _LOCAL_DOMAIN;
        uint256 expectedLength = _METADATA_LENGTH;
        // Header fields straight from calldata (`Message` offsets: nonce 1, origin 5, destination 41, 4 bytes each;
        // reads past the end of calldata yield zeros, and the length is checked first). Errors are raised with their
        // selectors (pinned by the unit tests) from scratch memory. The id is hashed from a scratch copy of the
        // message at the free-memory pointer (not advanced).
        assembly ("memory-safe") {
            if lt(message.length, 77) {
                mstore(0x00, 0xa607b412) // MultisigVerifierMalformedMessage()
                revert(0x1c, 0x04)
            }
            let origin_ := shr(224, calldataload(add(message.offset, 5)))
            if iszero(eq(origin_, expectedOrigin)) {
                mstore(0x00, 0xd569e260) // MultisigVerifierWrongOrigin(uint32)
                mstore(0x20, origin_)
                revert(0x1c, 0x24)
            }
            let destination := shr(224, calldataload(add(message.offset, 41)))
            if iszero(eq(destination, expectedDestination)) {
                mstore(0x00, 0x310886f4) // MultisigVerifierWrongDestination(uint32)
                mstore(0x20, destination)
                revert(0x1c, 0x24)
            }
            if iszero(eq(metadata.length, expectedLength)) {
                mstore(0x00, 0xb51fdcc5) // MultisigVerifierInvalidMetadataLength(uint256,uint256)
                mstore(0x20, metadata.length)
                mstore(0x40, expectedLength) // clobbers the free-memory pointer, but we revert right away
                revert(0x1c, 0x44)
            }
            nonce := shr(224, calldataload(add(message.offset, 1)))
            let ptr := mload(0x40)
            calldatacopy(ptr, message.offset, message.length)
            id := keccak256(ptr, message.length)
        }
    }

    /// @dev Verifies `threshold` signatures over `digest` starting at `metadata[offset]`. The length was checked.
    /// The validator set is copied from immutables to memory once (ascending, followed by a `type(uint256).max`
    /// sentinel); since signers must be strictly ascending too, one forward-moving cursor merges both lists, so
    /// membership costs O(n + k) comparisons in total rather than O(n) per signature.
    // The hot path, kept in one function on purpose (each internal call costs gas):
    // solhint-disable-next-line function-max-lines
    function _verifySignatures(bytes32 digest, bytes calldata metadata, uint256 offset) internal view {
        uint256 threshold = _THRESHOLD;
        uint256 count = _VALIDATOR_COUNT;
        uint256 validators;
        // Copies the validators from immutables to scratch memory at the free-memory pointer (not advanced): 4, 8 or
        // 16 words depending on the set size, then a sentinel word `type(uint256).max` at index `count`. Unused
        // slots below the sentinel are zero and never match (signers are non-zero).
        {
            (address a, address b, address c, address d) = (_V0, _V1, _V2, _V3);
            // Stores validators 0..3 at the free-memory pointer (scratch; the pointer is not advanced).
            assembly ("memory-safe") {
                validators := mload(0x40)
                mstore(validators, a)
                mstore(add(validators, 0x20), b)
                mstore(add(validators, 0x40), c)
                mstore(add(validators, 0x60), d)
            }
        }
        if (count > 4) {
            (address a, address b, address c, address d) = (_V4, _V5, _V6, _V7);
            // Stores validators 4..7.
            assembly ("memory-safe") {
                mstore(add(validators, 0x80), a)
                mstore(add(validators, 0xa0), b)
                mstore(add(validators, 0xc0), c)
                mstore(add(validators, 0xe0), d)
            }
        }
        if (count > 8) {
            {
                (address a, address b, address c, address d) = (_V8, _V9, _V10, _V11);
                // Stores validators 8..11.
                assembly ("memory-safe") {
                    mstore(add(validators, 0x100), a)
                    mstore(add(validators, 0x120), b)
                    mstore(add(validators, 0x140), c)
                    mstore(add(validators, 0x160), d)
                }
            }
            (address e, address f, address g, address h) = (_V12, _V13, _V14, _V15);
            // Stores validators 12..15.
            assembly ("memory-safe") {
                mstore(add(validators, 0x180), e)
                mstore(add(validators, 0x1a0), f)
                mstore(add(validators, 0x1c0), g)
                mstore(add(validators, 0x1e0), h)
            }
        }
        // Writes the sentinel right after the last validator; it stops the merge cursor below.
        assembly ("memory-safe") {
            mstore(add(validators, shl(5, count)), not(0))
        }
        // For each signature i (`r | s | v` at p): reject s > n/2 and v outside {27, 28}; recover the signer with
        // the ecrecover precompile (input `digest | v | r | s` at `input`, output at `input + 0x80`; a failed
        // recovery returns no data and yields signer 0); advance the cursor over validators below the signer and
        // require an exact match, which also enforces strictly ascending (so distinct) and non-zero signers. Errors
        // are raised with their selectors (pinned by the unit tests) as `selector | args` from scratch memory.
        assembly ("memory-safe") {
            let input := add(validators, shl(5, add(count, 1))) // right after the sentinel
            mstore(input, digest)
            let cursor := validators
            let start := add(metadata.offset, offset)
            let end := add(start, mul(threshold, 65))
            for { let p := start } lt(p, end) { p := add(p, 65) } {
                // i (the signature's position, for errors) := (p - start) / 65, computed only on revert paths
                let s := calldataload(add(p, 0x20))
                if gt(s, _HALF_CURVE_ORDER) {
                    mstore(0x00, 0x5b4cdc6e) // MultisigVerifierHighS(uint256)
                    mstore(0x20, div(sub(p, start), 65))
                    revert(0x1c, 0x24)
                }
                let v := byte(0, calldataload(add(p, 0x40)))
                if gt(sub(v, 27), 1) {
                    // v - 27 wraps around for v < 27: only 27 and 28 pass
                    mstore(0x00, 0x316d3cc6) // MultisigVerifierInvalidV(uint256)
                    mstore(0x20, div(sub(p, start), 65))
                    revert(0x1c, 0x24)
                }
                mstore(add(input, 0x20), v)
                mstore(add(input, 0x40), calldataload(p))
                mstore(add(input, 0x60), s)
                // The precompile returns 32 bytes on success and nothing otherwise (also when the call fails).
                pop(staticcall(gas(), 0x01, input, 0x80, add(input, 0x80), 0x20))
                let signer := mul(mload(add(input, 0x80)), eq(returndatasize(), 0x20))
                // Merge step: skip validators below the signer, then require an exact match. The cursor sits just
                // past the previous signer's validator, so a signer <= the previous one (or zero) cannot match;
                // the failure branch tells those cases apart for the error.
                for {} lt(mload(cursor), signer) {} { cursor := add(cursor, 0x20) }
                if iszero(eq(mload(cursor), signer)) {
                    let i := div(sub(p, start), 65)
                    mstore(0x20, i)
                    if iszero(signer) {
                        mstore(0x00, 0x34590e03) // MultisigVerifierInvalidSignature(uint256)
                        revert(0x1c, 0x24)
                    }
                    if gt(cursor, validators) {
                        if iszero(gt(signer, mload(sub(cursor, 0x20)))) {
                            mstore(0x00, 0x0971f28b) // MultisigVerifierUnsortedSigners(uint256)
                            revert(0x1c, 0x24)
                        }
                    }
                    mstore(0x00, 0x0eabdc6f) // MultisigVerifierUnknownSigner(uint256,address)
                    mstore(0x40, signer) // clobbers the free-memory pointer, but we revert right away
                    revert(0x1c, 0x44)
                }
                cursor := add(cursor, 0x20)
            }
        }
    }

    function _at(address[] memory validators, uint256 i) private pure returns (address) {
        return i < validators.length ? validators[i] : address(0);
    }
}
