// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FlowCoordinator} from "../../../contracts/coordination/FlowCoordinator.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";

/// @notice TEST ONLY, DELIBERATELY BROKEN: "refund on A after T plus some latency". A LOCKED flow may be compensated
/// on A's own clock once `deadline + GRACE` has passed there, without B's attested outcome. This is the pattern the
/// rule forbids; the suite must catch its double spend (test/unit/Coordinator.broken.t.sol).
contract BrokenFlowCoordinator is FlowCoordinator {
    uint64 public constant GRACE = 1 hours;

    constructor(address gateway_, uint32 localChain_, address initialAuthority, uint64 maxHorizon_)
        FlowCoordinator(gateway_, localChain_, initialAuthority, maxHorizon_)
    {}

    function _checkCompensable(bytes32 id, OriginRecord memory rec, FlowLib.Flow calldata flow) internal view override {
        if (rec.phase == FlowLib.Phase.LOCKED && block.timestamp > flow.deadline + GRACE) return; // the bug
        super._checkCompensable(id, rec, flow);
    }
}
