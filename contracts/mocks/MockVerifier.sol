// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";

/// @notice TEST ONLY: a verifier whose answer the test sets, and which records what it was asked.
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
    uint256 public calls;
    bytes public lastMetadata;
    bytes public lastMessage;

    function setAnswer(Answer answer_) external {
        answer = answer_;
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
