// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FlowLib} from "../libraries/FlowLib.sol";

/// @title IFlowTarget
/// @notice What a flow's target implements on B. B's `FlowExecutor` calls it with exactly `flow.executionGas`, with
/// `flow.maxValue` native attached when `flow.destinationAsset` is native, or with an allowance of `flow.maxValue`
/// of `flow.destinationAsset` (pulled with `transferFrom`, reset after the call) otherwise.
interface IFlowTarget {
    /// @notice Runs the flow's action on B. Revert (or return anything else) to fail the attempt.
    /// @param flowId The flow id.
    /// @param flow The flow's parameters (origin domain, opener, ...), already checked against `flowId`.
    /// @param payload The payload bound into the flow (`keccak256(payload) == flow.payloadHash`).
    /// @return magic `IFlowTarget.onFlowExecute.selector` on success.
    function onFlowExecute(bytes32 flowId, FlowLib.Flow calldata flow, bytes calldata payload)
        external
        payable
        returns (bytes4 magic);
}
