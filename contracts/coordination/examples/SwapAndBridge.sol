// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IFlowTarget} from "../../interfaces/IFlowTarget.sol";
import {FlowLib} from "../../libraries/FlowLib.sol";
import {MiniAMM} from "./MiniAMM.sol";

/// @title SwapAndBridge
/// @notice Example flow target on B for the seed's swap-and-bridge: a user locks an ERC-20 on A
/// (`flow.asset`, `flow.amount`); on B the executor releases `flow.maxValue` of the bridged token
/// (`flow.destinationAsset`) from its liquidity; this target pulls it, swaps it in a constant-product pool with the
/// user's slippage bound and sends the output to the user's recipient. If the swap would slip (or anything else
/// fails), the call reverts: with `abortOnFail` the flow ends FAILED and the user is refunded on A, otherwise it
/// stays retryable until T and then expires and is refunded. On success the escrow on A goes to the flow's
/// beneficiary (the liquidity provider who funded B).
/// @dev Payload: `abi.encode(address recipient, address tokenOut, uint256 minOut)`.
contract SwapAndBridge is IFlowTarget {
    using SafeERC20 for IERC20;

    /// @notice The executor allowed to call `onFlowExecute`.
    address public immutable executor;
    /// @notice The pool the bridged token is swapped in.
    MiniAMM public immutable amm;

    /// @notice Emitted after a successful swap.
    event SwapAndBridgeSwapped(
        bytes32 indexed flowId, address indexed recipient, address tokenIn, uint256 amountIn, uint256 amountOut
    );

    /// @notice Thrown when the caller is not the executor.
    error SwapAndBridgeUnauthorized(address caller);

    /// @notice Thrown when the flow releases native value (the example swaps ERC-20 only).
    error SwapAndBridgeNativeNotSupported();

    /// @param executor_ The FlowExecutor on this domain (B).
    /// @param amm_ The pool.
    constructor(address executor_, MiniAMM amm_) {
        executor = executor_;
        amm = amm_;
    }

    /// @inheritdoc IFlowTarget
    function onFlowExecute(bytes32 flowId, FlowLib.Flow calldata flow, bytes calldata payload)
        external
        payable
        returns (bytes4)
    {
        if (msg.sender != executor) revert SwapAndBridgeUnauthorized(msg.sender);
        if (flow.destinationAsset == address(0) || msg.value != 0) revert SwapAndBridgeNativeNotSupported();
        (address recipient,, uint256 minOut) = abi.decode(payload, (address, address, uint256));
        IERC20 tokenIn = IERC20(flow.destinationAsset);
        // ---- Interactions ---- (all-or-nothing: any revert undoes the pull and fails the attempt)
        tokenIn.safeTransferFrom(executor, address(this), flow.maxValue);
        tokenIn.forceApprove(address(amm), flow.maxValue);
        uint256 amountOut = amm.swap(address(tokenIn), flow.maxValue, minOut, recipient);
        emit SwapAndBridgeSwapped(flowId, recipient, address(tokenIn), flow.maxValue, amountOut);
        return IFlowTarget.onFlowExecute.selector;
    }
}
