// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";

/// @notice TEST ONLY: a verifier whose answers the test sets (verify, retry authorization, reported origin
/// gateway), and which records what it was asked.
contract MockVerifier is IConcordVerifier {
    enum Answer {
        TRUE,
        FALSE,
        REVERT,
        EMPTY,
        TWO
    }

    /// @notice Thrown in REVERT mode.
    error MockVerifierRejected();

    Answer public answer;
    bool public refuseRetries;
    uint256 public calls;
    uint256 public retryCalls;
    mapping(uint32 origin => bytes32 gateway) public gatewayOf;
    bytes public lastMetadata;
    bytes public lastMessage;

    function setAnswer(Answer answer_) external {
        answer = answer_;
    }

    /// @notice Makes `authorizeRetry` return false (`true`) or true (`false`).
    function setRefuseRetries(bool refuse) external {
        refuseRetries = refuse;
    }

    /// @notice Sets what `originGatewayFor(origin)` reports.
    function setOriginGateway(uint32 origin, address gateway) external {
        gatewayOf[origin] = bytes32(uint256(uint160(gateway)));
    }

    /// @inheritdoc IConcordVerifier
    function originGatewayFor(uint32 origin) external view returns (bytes32) {
        return gatewayOf[origin];
    }

    /// @inheritdoc IConcordVerifier
    function authorizeRetry(bytes calldata) external returns (bool) {
        retryCalls += 1;
        return !refuseRetries;
    }

    /// @inheritdoc IConcordVerifier
    function moduleType() external pure returns (uint8) {
        return uint8(ModuleType.NULL);
    }

    /// @inheritdoc IConcordVerifier
    function verify(bytes calldata metadata, bytes calldata message) external returns (bool) {
        calls += 1;
        lastMetadata = metadata;
        lastMessage = message;
        Answer a = answer;
        if (a == Answer.REVERT) revert MockVerifierRejected();
        if (a == Answer.EMPTY) {
            assembly {
                return(0, 0)
            }
        }
        if (a == Answer.TWO) {
            assembly {
                mstore(0, 2)
                return(0, 32)
            }
        }
        return a == Answer.TRUE;
    }
}
