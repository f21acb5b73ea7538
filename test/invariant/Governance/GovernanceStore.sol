// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GhostStore} from "../../harness/GhostStore.sol";

/// @notice Ghost state of the Governance suite: counters and violations (from `GhostStore`), the pause state the
/// authority set (I4) and the validator-set version each origin should be routed to (I7).
contract GovernanceStore is GhostStore {
    mapping(uint32 domain => bool paused) public inboundPaused;
    mapping(uint32 domain => bool paused) public outboundPaused;
    mapping(uint32 dest => mapping(uint32 origin => bool paused)) public routePaused;
    mapping(uint32 dest => bool paused) public verifierPaused;
    mapping(uint32 dest => mapping(uint32 origin => bool paused)) public verifierOriginPaused;
    mapping(uint32 origin => uint256 version) public expectedSetVersion;
    address[] internal _attackers;

    function setInbound(uint32 d, bool p) external {
        inboundPaused[d] = p;
    }

    function setOutbound(uint32 d, bool p) external {
        outboundPaused[d] = p;
    }

    function setRoutePaused(uint32 dest, uint32 origin, bool p) external {
        routePaused[dest][origin] = p;
    }

    function setVerifierPaused(uint32 dest, bool p) external {
        verifierPaused[dest] = p;
    }

    function setVerifierOriginPaused(uint32 dest, uint32 origin, bool p) external {
        verifierOriginPaused[dest][origin] = p;
    }

    function setExpectedSetVersion(uint32 origin, uint256 version) external {
        expectedSetVersion[origin] = version;
    }

    function addAttacker(address a) external {
        _attackers.push(a);
    }

    function attackers() external view returns (address[] memory) {
        return _attackers;
    }

    /// @notice True when a message from `origin` to `dest` cannot be delivered (any pause level).
    function deliveryPaused(uint32 origin, uint32 dest) external view returns (bool) {
        return
            inboundPaused[dest] || routePaused[dest][origin] || verifierPaused[dest]
                || verifierOriginPaused[dest][origin];
    }

    /// @notice True when a FAILED message from `origin` to `dest` cannot be retried (the gateway levels only: retry
    /// does not consult the verifier).
    function retryPaused(uint32 origin, uint32 dest) external view returns (bool) {
        return inboundPaused[dest] || routePaused[dest][origin];
    }
}
