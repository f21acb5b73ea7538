// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGasOracle
/// @notice Prices gas on a remote domain in this chain's native token. Used by the gas paymaster (plain messages)
/// and by the flow coordinator (execution fee of a flow on B).
interface IGasOracle {
    /// @notice The fee, in wei of this chain's native token, that pays for `gasAmount` gas on `remoteDomain`.
    /// @dev Reverts when no price is configured for `remoteDomain` (a quote of zero would under-charge silently).
    /// @param remoteDomain Domain (chain id) where the gas is spent.
    /// @param gasAmount Gas units to pay for.
    /// @return fee Native wei on this chain.
    function quoteGasPayment(uint32 remoteDomain, uint256 gasAmount) external view returns (uint256 fee);
}
