// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";

import {GatewayBase} from "./GatewayBase.sol";
import {GatewayConfig} from "./GatewayConfig.sol";
import {GatewayDelivery} from "./GatewayDelivery.sol";
import {GatewaySource} from "./GatewaySource.sol";

/// @title ConcordGateway
/// @notice One contract per chain: the ERC-7786 source (`sendMessage`) and native `dispatch`, and the destination
/// side that verifies (`process`) and delivers messages to ERC-7786 recipients, records failures and lets anyone
/// `retry` them. An immutable core (no proxy) with swappable verifiers; every admin function goes through one
/// OpenZeppelin `AccessManager` (`restricted`), see audits/ACCESS_CONTROL.md.
/// @dev Organized by role, one file each: `GatewayBase` (state and shared rules), `GatewaySource` (dispatch),
/// `GatewayDelivery` (process, retry, status: the delivery records and their no-collision argument) and
/// `GatewayConfig` (routes, pauses). Word layouts and the assembly's selectors are named in `GatewayLayout`;
/// docs/gateway.md has the design notes and the measured cost of each choice.
contract ConcordGateway is GatewaySource, GatewayDelivery, GatewayConfig {
    /// @param localDomain_ This chain's domain: its EVM chain id in production (two gateways in one test EVM use
    /// two different ids).
    /// @param initialAuthority The AccessManager that authorizes every admin function.
    /// @param defaultGasLimit_ Destination gas limit when the sender does not give one.
    /// @param maxBodySize_ Largest message body (4-byte gas limit + payload) accepted at the source.
    constructor(uint32 localDomain_, address initialAuthority, uint32 defaultGasLimit_, uint256 maxBodySize_)
        GatewayBase(localDomain_, initialAuthority, defaultGasLimit_, maxBodySize_)
    {}

    /// @dev The privileged set follows the authority (`GatewayConfig`).
    function _setAuthority(address newAuthority) internal override(AccessManaged, GatewayConfig) {
        super._setAuthority(newAuthority);
    }
}
