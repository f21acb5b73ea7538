// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";

/// @notice TEST ONLY: a verifier that accepts every message (Hyperlane's "trust all" ISM equivalent).
contract MockTrustAllVerifier is IConcordVerifier {
    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return uint8(ModuleType.NULL);
    }

    /// @inheritdoc IConcordVerifier
    function verify(bytes calldata, bytes calldata) external pure returns (bool) {
        return true;
    }
}
