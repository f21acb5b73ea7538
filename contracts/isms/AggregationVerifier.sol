// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAggregationVerifier} from "../interfaces/IAggregationVerifier.sol";
import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {Message} from "../libraries/Message.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";

/// @title AggregationVerifier
/// @notice m-of-n aggregation of sub-verifiers, configured through the authority. Each sub-verifier that is given
/// metadata must accept (a revert or `false` fails the whole verification); verification succeeds as soon as
/// `threshold` of them have accepted. See {IAggregationVerifier} for the metadata layout.
contract AggregationVerifier is IAggregationVerifier, AccessManaged {
    /// @notice Largest number of sub-verifiers.
    uint256 public constant MAX_VERIFIERS = 32;
    uint256 private constant _RANGE_SIZE = 8;

    uint32 private immutable _ORIGIN;
    bytes32 private immutable _ORIGIN_GATEWAY;

    IConcordVerifier[] private _verifiers;
    uint8 private _threshold;

    /// @param initialAuthority The `AccessManager` that controls the configuration.
    /// @param origin_ The origin whose messages this verifier accepts.
    /// @param originGateway_ The origin gateway every sub-verifier must authenticate (left-padded address).
    /// @param verifiers Initial sub-verifiers (distinct contracts).
    /// @param threshold Initial threshold (1 <= threshold <= verifiers.length).
    constructor(
        address initialAuthority,
        uint32 origin_,
        bytes32 originGateway_,
        IConcordVerifier[] memory verifiers,
        uint8 threshold
    ) AccessManaged(initialAuthority) {
        if (origin_ == 0) revert AggregationVerifierZeroOrigin();
        if (originGateway_ == bytes32(0)) revert AggregationVerifierZeroOriginGateway(origin_);
        _ORIGIN = origin_;
        _ORIGIN_GATEWAY = originGateway_;
        _setConfig(verifiers, threshold);
    }

    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return uint8(ModuleType.AGGREGATION);
    }

    /// @inheritdoc IConcordVerifier
    function verify(bytes calldata metadata, bytes calldata message) external returns (bool) {
        _requireOrigin(message);
        uint256 count = _verifiers.length;
        uint256 threshold = _threshold;
        uint256 table = count * _RANGE_SIZE;
        if (metadata.length < table) revert AggregationVerifierMetadataTooShort(metadata.length, table);
        uint256 accepted = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 at = i * _RANGE_SIZE;
            uint256 start = uint32(bytes4(metadata[at:at + 4]));
            if (start == 0) continue;
            uint256 end = uint32(bytes4(metadata[at + 4:at + 8]));
            if (start < table || end < start || end > metadata.length) {
                revert AggregationVerifierInvalidRange(i, start, end);
            }
            if (!_verifiers[i].verify(metadata[start:end], message)) revert AggregationVerifierRejected(i);
            if (++accepted == threshold) return true;
        }
        revert AggregationVerifierThresholdNotMet(accepted, threshold);
    }

    /// @inheritdoc IConcordVerifier
    function originGatewayFor(uint32 origin_) external view returns (bytes32) {
        return origin_ == _ORIGIN ? _ORIGIN_GATEWAY : bytes32(0);
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Every sub-verifier must allow it (which of them verified the delivery is not known any more).
    function authorizeRetry(bytes calldata message) external returns (bool) {
        _requireOrigin(message);
        uint256 count = _verifiers.length;
        for (uint256 i = 0; i < count; ++i) {
            if (!_verifiers[i].authorizeRetry(message)) return false;
        }
        return true;
    }

    /// @inheritdoc IAggregationVerifier
    function origin() external view returns (uint32) {
        return _ORIGIN;
    }

    /// @inheritdoc IAggregationVerifier
    function modulesAndThreshold(bytes calldata) external view returns (address[] memory modules, uint8) {
        uint256 count = _verifiers.length;
        modules = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            modules[i] = address(_verifiers[i]);
        }
        return (modules, _threshold);
    }

    /// @inheritdoc IAggregationVerifier
    function setConfig(IConcordVerifier[] calldata verifiers, uint8 threshold) external restricted {
        _setConfig(verifiers, threshold);
    }

    function _setConfig(IConcordVerifier[] memory verifiers, uint8 threshold) private {
        uint256 count = verifiers.length;
        if (count > MAX_VERIFIERS) revert AggregationVerifierTooManyVerifiers(count);
        if (threshold == 0 || threshold > count) revert AggregationVerifierInvalidThreshold(threshold, count);
        address[] memory addresses = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            address verifier = address(verifiers[i]);
            if (verifier.code.length == 0) revert AggregationVerifierNotAContract(verifier);
            bytes32 reported = verifiers[i].originGatewayFor(_ORIGIN);
            if (reported != _ORIGIN_GATEWAY) revert AggregationVerifierGatewayMismatch(verifier, reported);
            for (uint256 j = 0; j < i; ++j) {
                if (addresses[j] == verifier) revert AggregationVerifierDuplicateVerifier(verifier);
            }
            addresses[i] = verifier;
        }
        delete _verifiers;
        for (uint256 i = 0; i < count; ++i) {
            _verifiers.push(verifiers[i]);
        }
        _threshold = threshold;
        emit AggregationVerifierConfigured(addresses, threshold);
    }

    /// @dev Reverts unless `message` is long enough and comes from this verifier's origin.
    function _requireOrigin(bytes calldata message) private view {
        uint32 origin_ = Message.isWellFormed(message) ? Message.origin(message) : 0;
        if (origin_ != _ORIGIN) revert AggregationVerifierWrongOrigin(origin_);
    }
}
