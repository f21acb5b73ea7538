// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConfigurableGasOracle} from "../interfaces/IConfigurableGasOracle.sol";
import {IGasOracle} from "../interfaces/IGasOracle.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title GasOracle
/// @notice Stores, per remote domain, the remote gas price and the remote-to-local token exchange rate, both set by
/// the `AccessManager` authority, and prices remote gas in local native wei. Quotes round up and revert for a domain
/// without data: the oracle never under-charges and never quotes zero by omission.
/// @dev Trust: the authority (or the operator role it grants the setters to) is trusted to keep prices current; a
/// stale low price under-charges payers of the relayer's costs, a stale high price over-charges senders. Nothing on
/// chain bounds the values or their age; operators monitor `GasOracleRemoteGasDataSet` events.
contract GasOracle is IConfigurableGasOracle, AccessManaged {
    /// @inheritdoc IConfigurableGasOracle
    uint256 public constant TOKEN_EXCHANGE_RATE_SCALE = 1e10;

    mapping(uint32 remoteDomain => RemoteGasData data) private _remoteGasData;

    /// @param initialAuthority The `AccessManager` that controls the setters.
    constructor(address initialAuthority) AccessManaged(initialAuthority) {}

    /// @inheritdoc IGasOracle
    /// @dev `ceil(gasAmount * gasPrice * tokenExchangeRate / 1e10)`, with a 512-bit intermediate product
    /// (`Math.mulDiv`): reverts only when the fee itself does not fit in 256 bits.
    function quoteGasPayment(uint32 remoteDomain, uint256 gasAmount) external view returns (uint256 fee) {
        RemoteGasData memory data = _remoteGasData[remoteDomain];
        if (data.tokenExchangeRate == 0) revert GasOracleUnknownDomain(remoteDomain);
        fee = Math.mulDiv(
            gasAmount, uint256(data.gasPrice) * data.tokenExchangeRate, TOKEN_EXCHANGE_RATE_SCALE, Math.Rounding.Ceil
        );
    }

    /// @inheritdoc IConfigurableGasOracle
    function remoteGasData(uint32 remoteDomain) external view returns (uint128 tokenExchangeRate, uint128 gasPrice) {
        RemoteGasData memory data = _remoteGasData[remoteDomain];
        return (data.tokenExchangeRate, data.gasPrice);
    }

    /// @inheritdoc IConfigurableGasOracle
    function setRemoteGasData(uint32 remoteDomain, uint128 tokenExchangeRate, uint128 gasPrice) external restricted {
        _setRemoteGasData(remoteDomain, tokenExchangeRate, gasPrice);
    }

    /// @inheritdoc IConfigurableGasOracle
    function setRemoteGasDataBatch(RemoteGasDataConfig[] calldata configs) external restricted {
        uint256 length = configs.length;
        for (uint256 i = 0; i < length; ++i) {
            RemoteGasDataConfig calldata config = configs[i];
            _setRemoteGasData(config.remoteDomain, config.tokenExchangeRate, config.gasPrice);
        }
    }

    /// @inheritdoc IConfigurableGasOracle
    function removeRemoteGasData(uint32 remoteDomain) external restricted {
        if (_remoteGasData[remoteDomain].tokenExchangeRate == 0) revert GasOracleUnknownDomain(remoteDomain);
        delete _remoteGasData[remoteDomain];
        emit GasOracleRemoteGasDataRemoved(remoteDomain);
    }

    /// @dev Validates and stores one entry. A zero rate marks "no data", so zero values are rejected.
    function _setRemoteGasData(uint32 remoteDomain, uint128 tokenExchangeRate, uint128 gasPrice) private {
        if (tokenExchangeRate == 0 || gasPrice == 0) {
            revert GasOracleZeroValue(remoteDomain, tokenExchangeRate, gasPrice);
        }
        _remoteGasData[remoteDomain] = RemoteGasData({tokenExchangeRate: tokenExchangeRate, gasPrice: gasPrice});
        emit GasOracleRemoteGasDataSet(remoteDomain, tokenExchangeRate, gasPrice);
    }
}
