// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConcordGateway} from "../interfaces/IConcordGateway.sol";

/// @title IConcordBatchProcessor
/// @notice Relayer periphery: delivers several verified messages to one gateway in a single transaction, so that
/// a relayer pays the 21,000 base cost once per batch instead of once per message.
/// @dev Holds no funds and no privileges: anyone may call it, and the gateway sees it as an ordinary relayer
/// (`process` has no caller restriction). A failing item (replay, failed verification, pause) is skipped and
/// reported; it never reverts the batch, except when the item failed for lack of gas, which would otherwise let
/// gas estimation return a limit that silently drops items.
interface IConcordBatchProcessor {
    /// @notice Emitted once per batch, after every item was attempted.
    /// @param gateway The gateway the batch was delivered to.
    /// @param count Number of items in the batch.
    /// @param failed Number of items whose `process` call reverted.
    event BatchProcessed(address indexed gateway, uint256 count, uint256 failed);

    /// @notice Emitted for every item whose `process` call reverted; the batch goes on with the next item.
    /// @param gateway The gateway the batch was delivered to.
    /// @param messageId keccak256 of the item's message.
    /// @param index Position of the item in the batch.
    /// @param reason The revert data of `process`, truncated to `MAX_REASON_LENGTH` bytes.
    event BatchItemFailed(address indexed gateway, bytes32 indexed messageId, uint256 index, bytes reason);

    /// @notice Thrown when the metadata and message arrays have different lengths.
    error ConcordBatchProcessorLengthMismatch(uint256 metadataCount, uint256 messageCount);

    /// @notice Thrown when the batch is empty.
    error ConcordBatchProcessorEmptyBatch();

    /// @notice Thrown when the gateway address has no code.
    error ConcordBatchProcessorGatewayNotContract(address gateway);

    /// @notice Thrown when item `index` failed because the transaction ran short of gas (the gateway's
    /// `ConcordGatewayInsufficientGas` or an out-of-gas in the call): the whole batch reverts so that a gas
    /// estimate always covers every item.
    error ConcordBatchProcessorOutOfGas(uint256 index);

    /// @notice Calls `gateway.process(metadata[i], messages[i])` for every item, in order.
    /// @param gateway The destination gateway.
    /// @param metadata Verifier metadata, one per message.
    /// @param messages The packed messages.
    /// @return failedMask Bit `i` is set when item `i` reverted (items beyond 256 are not reflected in the mask;
    /// the `BatchItemFailed` events cover every item).
    function processBatch(IConcordGateway gateway, bytes[] calldata metadata, bytes[] calldata messages)
        external
        returns (uint256 failedMask);
}
