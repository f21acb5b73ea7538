// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";

/// @notice TEST ONLY, DELIBERATELY BROKEN: "refund on A after T plus some latency". `settle` may settle a LOCKED flow
/// as EXPIRED on A's own clock once `deadline + GRACE` has passed there, without B's attested outcome. This is the
/// pattern the rule forbids; the suite must catch its double spend (Flows.broken.t.sol).
contract BrokenFlowEscrow is FlowEscrow {
    uint64 public constant GRACE = 1 hours;

    constructor(address gateway_, uint32 localDomain_, address initialAuthority, uint64 maxHorizon_)
        FlowEscrow(gateway_, localDomain_, initialAuthority, maxHorizon_)
    {}

    function _settleable(bytes32 id, Record memory rec, FlowLib.Flow calldata flow)
        internal
        view
        override
        returns (FlowLib.Status)
    {
        // the bug
        if (rec.phase == FlowLib.Phase.LOCKED && block.timestamp > flow.deadline + GRACE) {
            return FlowLib.Status.EXPIRED;
        }
        return super._settleable(id, rec, flow);
    }
}
