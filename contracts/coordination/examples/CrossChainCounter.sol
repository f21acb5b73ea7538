// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlowTarget} from "../../interfaces/IFlowCoordinator.sol";
import {FlowLib} from "../../libraries/FlowLib.sol";

/// @title CrossChainCounter
/// @notice Example flow target on B: a counter per (origin chain, opener) that a flow opened on A increments by the
/// amount in its payload (`abi.encode(uint256 by)`). Increments above `maxIncrement` fail, which shows both failure
/// modes: the flow stays PENDING (retryable until T) or, with abort-on-fail, ends FAILED and is refunded on A.
contract CrossChainCounter is IFlowTarget {
    /// @notice The coordinator allowed to call `onFlowExecute`.
    address public immutable coordinator;
    /// @notice Largest accepted increment.
    uint256 public immutable maxIncrement;

    /// @notice Count per origin chain and opener.
    mapping(uint32 originChain => mapping(address opener => uint256 count)) public counts;
    /// @notice Sum of all increments.
    uint256 public total;

    /// @notice Emitted on every increment.
    event CrossChainCounterIncremented(
        bytes32 indexed flowId, uint32 indexed originChain, address indexed opener, uint256 by, uint256 total
    );

    /// @notice Thrown when the caller is not the coordinator.
    error CrossChainCounterUnauthorized(address caller);

    /// @notice Thrown when the increment exceeds `maxIncrement`.
    error CrossChainCounterIncrementTooLarge(uint256 by, uint256 maxIncrement);

    /// @notice Thrown when a flow releases native value to the counter (it could not use or return it).
    error CrossChainCounterValueNotAccepted(uint256 value);

    /// @param coordinator_ The FlowCoordinator on this chain.
    /// @param maxIncrement_ Largest accepted increment.
    constructor(address coordinator_, uint256 maxIncrement_) {
        coordinator = coordinator_;
        maxIncrement = maxIncrement_;
    }

    /// @inheritdoc IFlowTarget
    function onFlowExecute(bytes32 flowId, FlowLib.Flow calldata flow, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        if (msg.sender != coordinator) revert CrossChainCounterUnauthorized(msg.sender);
        if (msg.value != 0) revert CrossChainCounterValueNotAccepted(msg.value);
        uint256 by = abi.decode(payload, (uint256));
        if (by > maxIncrement) revert CrossChainCounterIncrementTooLarge(by, maxIncrement);
        counts[flow.originChain][flow.opener] += by;
        total += by;
        emit CrossChainCounterIncremented(flowId, flow.originChain, flow.opener, by, total);
        return IFlowTarget.onFlowExecute.selector;
    }
}
