// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title MiniAMM
/// @notice Example only: a minimal constant-product pool (x * y = k, 0.3% fee) between two ERC-20 tokens, used by
/// the swap-and-bridge example on B. No LP shares: whoever adds liquidity donates it (enough for the example).
contract MiniAMM {
    using SafeERC20 for IERC20;

    /// @notice The pool's tokens.
    IERC20 public immutable token0;
    IERC20 public immutable token1;
    /// @notice The pool's reserves.
    uint256 public reserve0;
    uint256 public reserve1;

    /// @notice Emitted on every swap.
    event MiniAMMSwapped(address indexed tokenIn, uint256 amountIn, uint256 amountOut, address indexed to);

    /// @notice Thrown when the output is below the caller's minimum (the slippage bound).
    error MiniAMMSlippage(uint256 amountOut, uint256 minOut);

    /// @notice Thrown when `tokenIn` is not one of the pool's tokens.
    error MiniAMMUnknownToken(address token);

    /// @notice Thrown when a swap or deposit amount is zero.
    error MiniAMMZeroAmount();

    /// @param token0_ First token.
    /// @param token1_ Second token.
    constructor(IERC20 token0_, IERC20 token1_) {
        token0 = token0_;
        token1 = token1_;
    }

    /// @notice Adds liquidity (pulled from the caller) in any ratio.
    function addLiquidity(uint256 amount0, uint256 amount1) external {
        reserve0 += amount0;
        reserve1 += amount1;
        token0.safeTransferFrom(msg.sender, address(this), amount0);
        token1.safeTransferFrom(msg.sender, address(this), amount1);
    }

    /// @notice Output for `amountIn` of `tokenIn` at the current reserves.
    function quote(address tokenIn, uint256 amountIn) public view returns (uint256) {
        (uint256 rIn, uint256 rOut) = _reserves(tokenIn);
        uint256 inWithFee = amountIn * 997;
        return (inWithFee * rOut) / (rIn * 1000 + inWithFee);
    }

    /// @notice Swaps `amountIn` of `tokenIn` (pulled from the caller) for at least `minOut` of the other token,
    /// sent to `to`.
    function swap(address tokenIn, uint256 amountIn, uint256 minOut, address to) external returns (uint256 amountOut) {
        if (amountIn == 0) revert MiniAMMZeroAmount();
        amountOut = quote(tokenIn, amountIn);
        if (amountOut < minOut) revert MiniAMMSlippage(amountOut, minOut);
        bool zeroIn = tokenIn == address(token0);
        if (zeroIn) {
            reserve0 += amountIn;
            reserve1 -= amountOut;
        } else {
            reserve1 += amountIn;
            reserve0 -= amountOut;
        }
        emit MiniAMMSwapped(tokenIn, amountIn, amountOut, to);
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), amountIn);
        (zeroIn ? token1 : token0).safeTransfer(to, amountOut);
    }

    function _reserves(address tokenIn) private view returns (uint256 rIn, uint256 rOut) {
        if (tokenIn == address(token0)) return (reserve0, reserve1);
        if (tokenIn == address(token1)) return (reserve1, reserve0);
        revert MiniAMMUnknownToken(tokenIn);
    }
}
