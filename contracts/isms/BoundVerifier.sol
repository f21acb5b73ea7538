// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBoundVerifier} from "../interfaces/IBoundVerifier.sol";
import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {Message} from "../libraries/Message.sol";

/// @title BoundVerifier
/// @notice Binds a module that only implements `verify(bytes,bytes)` (for example a Hyperlane ISM) to one origin
/// and origin gateway, so a Concord gateway can use it (see {IBoundVerifier}). Immutable.
contract BoundVerifier is IBoundVerifier {
    IConcordVerifier private immutable _INNER;
    uint32 private immutable _ORIGIN;
    bytes32 private immutable _ORIGIN_GATEWAY;

    /// @param inner_ The module that decides (only its `verify` and `moduleType` are called).
    /// @param origin_ The origin whose messages it verifies.
    /// @param originGateway_ The origin gateway (or Hyperlane MerkleTreeHook) its attestations bind, left-padded.
    constructor(address inner_, uint32 origin_, bytes32 originGateway_) {
        if (inner_.code.length == 0) revert BoundVerifierInnerNotContract(inner_);
        if (origin_ == 0) revert BoundVerifierZeroOrigin();
        if (originGateway_ == bytes32(0)) revert BoundVerifierZeroOriginGateway(origin_);
        _INNER = IConcordVerifier(inner_);
        _ORIGIN = origin_;
        _ORIGIN_GATEWAY = originGateway_;
    }

    /// @inheritdoc IConcordVerifier
    /// @dev Transparent: the metadata is the inner module's.
    function moduleType() external view returns (uint8) {
        return _INNER.moduleType();
    }

    /// @inheritdoc IConcordVerifier
    function verify(bytes calldata metadata, bytes calldata message) external returns (bool) {
        uint32 origin_ = Message.isWellFormed(message) ? Message.origin(message) : 0;
        if (origin_ != _ORIGIN) revert BoundVerifierWrongOrigin(origin_);
        return _INNER.verify(metadata, message);
    }

    /// @inheritdoc IConcordVerifier
    function originGatewayFor(uint32 origin_) external view returns (bytes32) {
        return origin_ == _ORIGIN ? _ORIGIN_GATEWAY : bytes32(0);
    }

    /// @inheritdoc IConcordVerifier
    /// @dev The inner module has no retry policy.
    function authorizeRetry(bytes calldata) external pure returns (bool) {
        return true;
    }

    /// @inheritdoc IBoundVerifier
    function inner() external view returns (address) {
        return address(_INNER);
    }

    /// @inheritdoc IBoundVerifier
    function origin() external view returns (uint32) {
        return _ORIGIN;
    }
}
