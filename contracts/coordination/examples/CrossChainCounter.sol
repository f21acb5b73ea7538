// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowTarget} from "../../interfaces/IFlowTarget.sol";
import {FlowLib} from "../../libraries/FlowLib.sol";

/// @title CrossChainCounter
/// @notice Example flow target on B: a counter per (origin domain, opener) that a flow opened on A increments by the
/// amount in its payload (`abi.encode(uint256 by)`). Increments above `maxIncrement` fail, which shows both failure
/// modes: the flow stays PENDING (retryable until T) or, with abort-on-fail, ends FAILED and is refunded on A.
contract CrossChainCounter is IFlowTarget {
    /// @notice The executor allowed to call `onFlowExecute`.
    address public immutable executor;
    /// @notice Largest accepted increment.
    uint256 public immutable maxIncrement;

    /// @notice Count per origin domain and opener.
    mapping(uint32 originDomain => mapping(address opener => uint256 count)) public counts;
    /// @notice Sum of all increments.
    uint256 public total;

    /// @notice Emitted on every increment.
    event CrossChainCounterIncremented(
        bytes32 indexed flowId, uint32 indexed originDomain, address indexed opener, uint256 by, uint256 total
    );

    /// @notice Thrown when the caller is not the executor.
    error CrossChainCounterUnauthorized(address caller);

    /// @notice Thrown when the increment exceeds `maxIncrement`.
    error CrossChainCounterIncrementTooLarge(uint256 by, uint256 maxIncrement);

    /// @notice Thrown when a flow releases native value to the counter (it could not use or return it).
    error CrossChainCounterValueNotAccepted(uint256 value);

    /// @param executor_ The FlowExecutor on this domain.
    /// @param maxIncrement_ Largest accepted increment.
    constructor(address executor_, uint256 maxIncrement_) {
        executor = executor_;
        maxIncrement = maxIncrement_;
    }

    /// @inheritdoc IFlowTarget
    function onFlowExecute(bytes32 flowId, FlowLib.Flow calldata flow, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        if (msg.sender != executor) revert CrossChainCounterUnauthorized(msg.sender);
        if (msg.value != 0) revert CrossChainCounterValueNotAccepted(msg.value);
        uint256 by = abi.decode(payload, (uint256));
        if (by > maxIncrement) revert CrossChainCounterIncrementTooLarge(by, maxIncrement);
        counts[flow.originDomain][flow.opener] += by;
        total += by;
        emit CrossChainCounterIncremented(flowId, flow.originDomain, flow.opener, by, total);
        return IFlowTarget.onFlowExecute.selector;
    }
}
