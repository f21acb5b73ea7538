// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";

/// @notice TEST ONLY: a verifier that accepts every message (Hyperlane's "trust all" ISM equivalent). It reports
/// whatever origin gateway a test binds per origin, and allows every retry.
contract MockTrustAllVerifier is IConcordVerifier {
    mapping(uint32 origin => bytes32 gateway) public gatewayOf;

    /// @notice Sets what `originGatewayFor(origin)` reports.
    function setOriginGateway(uint32 origin, address gateway) external {
        gatewayOf[origin] = bytes32(uint256(uint160(gateway)));
    }

    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return uint8(ModuleType.NULL);
    }

    /// @inheritdoc IConcordVerifier
    function verify(bytes calldata, bytes calldata) external pure returns (bool) {
        return true;
    }

    /// @inheritdoc IConcordVerifier
    function originGatewayFor(uint32 origin) external view returns (bytes32) {
        return gatewayOf[origin];
    }

    /// @inheritdoc IConcordVerifier
    function authorizeRetry(bytes calldata) external pure returns (bool) {
        return true;
    }
}
