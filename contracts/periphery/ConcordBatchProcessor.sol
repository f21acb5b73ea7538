// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordGateway} from "../interfaces/IConcordGateway.sol";
import {IConcordBatchProcessor} from "./IConcordBatchProcessor.sol";

/// @title ConcordBatchProcessor
/// @notice Delivers several messages to one gateway in one transaction (see `IConcordBatchProcessor`).
/// @dev Stateless. Reentrancy is harmless: the contract keeps no state and the gateway's own lock guards `process`.
contract ConcordBatchProcessor is IConcordBatchProcessor {
    /// @notice Revert data kept in `BatchItemFailed` is truncated to this many bytes.
    uint256 public constant MAX_REASON_LENGTH = 256;

    /// @inheritdoc IConcordBatchProcessor
    function processBatch(IConcordGateway gateway, bytes[] calldata metadata, bytes[] calldata messages)
        external
        returns (uint256 failedMask)
    {
        uint256 count = messages.length;
        if (metadata.length != count) revert ConcordBatchProcessorLengthMismatch(metadata.length, count);
        if (count == 0) revert ConcordBatchProcessorEmptyBatch();
        if (address(gateway).code.length == 0) revert ConcordBatchProcessorGatewayNotContract(address(gateway));
        uint256 failed = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 gasBefore = gasleft();
            try gateway.process(metadata[i], messages[i]) {}
            catch (bytes memory reason) {
                // Out of gas: either the gateway's explicit check or the 1/64 left after an exhausted call.
                if (
                    gasleft() <= gasBefore / 63
                        || (reason.length >= 4
                            && bytes4(reason) == IConcordGateway.ConcordGatewayInsufficientGas.selector)
                ) {
                    revert ConcordBatchProcessorOutOfGas(i);
                }
                ++failed;
                if (i < 256) failedMask |= 1 << i;
                emit BatchItemFailed(address(gateway), keccak256(messages[i]), i, _truncate(reason));
            }
        }
        emit BatchProcessed(address(gateway), count, failed);
    }

    /// @dev The first `MAX_REASON_LENGTH` bytes of `reason` (in place: shortens the length word).
    function _truncate(bytes memory reason) private pure returns (bytes memory) {
        if (reason.length > MAX_REASON_LENGTH) {
            // Shrinks the array's length word in place; the tail stays allocated but unread.
            assembly ("memory-safe") {
                mstore(reason, MAX_REASON_LENGTH)
            }
        }
        return reason;
    }
}
