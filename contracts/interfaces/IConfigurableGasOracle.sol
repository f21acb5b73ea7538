// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGasOracle} from "./IGasOracle.sol";

/// @title IConfigurableGasOracle
/// @notice A gas oracle whose per-domain data (remote gas price and token exchange rate) is stored on chain and set
/// by the authority. Fee formula, rounded up so that a quote never under-charges:
/// `fee = ceil(gasAmount * gasPrice * tokenExchangeRate / TOKEN_EXCHANGE_RATE_SCALE)`.
interface IConfigurableGasOracle is IGasOracle {
    /// @notice Gas data of one remote domain.
    /// @param tokenExchangeRate Value of one remote native wei in local native wei, scaled by
    /// `TOKEN_EXCHANGE_RATE_SCALE` (1e10): a rate of 1e10 means both native tokens are worth the same.
    /// @param gasPrice Gas price on the remote domain, in remote native wei per gas.
    struct RemoteGasData {
        uint128 tokenExchangeRate;
        uint128 gasPrice;
    }

    /// @notice One entry of a batch update.
    /// @param remoteDomain Domain the data applies to.
    /// @param tokenExchangeRate See `RemoteGasData.tokenExchangeRate`.
    /// @param gasPrice See `RemoteGasData.gasPrice`.
    struct RemoteGasDataConfig {
        uint32 remoteDomain;
        uint128 tokenExchangeRate;
        uint128 gasPrice;
    }

    /// @notice Emitted when the authority sets (or replaces) the gas data of `remoteDomain`.
    event GasOracleRemoteGasDataSet(uint32 indexed remoteDomain, uint128 tokenExchangeRate, uint128 gasPrice);
    /// @notice Emitted when the authority removes the gas data of `remoteDomain`; quotes for it then revert.
    event GasOracleRemoteGasDataRemoved(uint32 indexed remoteDomain);

    /// @notice Thrown when a quote is asked for a domain with no gas data.
    error GasOracleUnknownDomain(uint32 remoteDomain);
    /// @notice Thrown when gas data with a zero exchange rate or a zero gas price is set (it would quote zero:
    /// remove the domain instead, or set a gas price of 1 for a gasless chain).
    error GasOracleZeroValue(uint32 remoteDomain, uint128 tokenExchangeRate, uint128 gasPrice);

    /// @notice Fixed-point scale of `tokenExchangeRate` (1e10, as Hyperlane's InterchainGasPaymaster).
    function TOKEN_EXCHANGE_RATE_SCALE() external view returns (uint256);

    /// @notice The stored gas data of `remoteDomain` (both zero when none is set).
    function remoteGasData(uint32 remoteDomain) external view returns (uint128 tokenExchangeRate, uint128 gasPrice);

    /// @notice Sets the gas data of one domain (restricted to the authority). Both values must be non-zero.
    function setRemoteGasData(uint32 remoteDomain, uint128 tokenExchangeRate, uint128 gasPrice) external;

    /// @notice Sets the gas data of several domains in one call (restricted to the authority). All-or-nothing:
    /// one invalid entry reverts the whole batch.
    function setRemoteGasDataBatch(RemoteGasDataConfig[] calldata configs) external;

    /// @notice Removes the gas data of `remoteDomain` (restricted to the authority); quotes for it then revert.
    function removeRemoteGasData(uint32 remoteDomain) external;
}
