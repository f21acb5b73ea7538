// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

/// @title ConcordAccessManager
/// @notice The one authority of a Concord deployment (gateway, coordinator, paymaster): OpenZeppelin's
/// `AccessManager` unchanged, as a project contract so that the build emits an artifact the deploy scripts load.
/// Roles and their setup are documented in audits/ACCESS_CONTROL.md and deploy/README.md.
contract ConcordAccessManager is AccessManager {
    /// @param initialAdmin Holder of `ADMIN_ROLE` (the deployer, which grants it to the configured admin).
    constructor(address initialAdmin) AccessManager(initialAdmin) {}
}
