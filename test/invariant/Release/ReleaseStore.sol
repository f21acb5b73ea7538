// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GhostStore} from "../../harness/GhostStore.sol";

/// @notice Ghost state of the Release suite: counters and violations (from `GhostStore`), the envelopes sent to the
/// value and optimistic recipients, every optimistic commitment (when usable, whether vetoed) and every forged
/// message an attacker bonded.
contract ReleaseStore is GhostStore {
    struct Commitment {
        uint32 origin;
        uint32 destination;
        bytes32 id;
        address recipient;
        uint64 usableAt;
        bool vetoed;
        bool forged;
    }

    uint256[] public valueEnvelopes;
    uint256[] public optimisticEnvelopes;
    Commitment[] internal _commitments;
    mapping(uint32 destination => mapping(bytes32 id => uint256 indexPlusOne)) public commitmentIndex;
    bytes[] internal _forged;

    function addValueEnvelope(uint256 i) external {
        valueEnvelopes.push(i);
    }

    function addOptimisticEnvelope(uint256 i) external {
        optimisticEnvelopes.push(i);
    }

    function valueEnvelopeCount() external view returns (uint256) {
        return valueEnvelopes.length;
    }

    function optimisticEnvelopeCount() external view returns (uint256) {
        return optimisticEnvelopes.length;
    }

    function addCommitment(Commitment calldata c) external {
        _commitments.push(c);
        commitmentIndex[c.destination][c.id] = _commitments.length;
    }

    function markVetoed(uint256 i) external {
        _commitments[i].vetoed = true;
    }

    function commitmentCount() external view returns (uint256) {
        return _commitments.length;
    }

    function commitmentAt(uint256 i) external view returns (Commitment memory) {
        return _commitments[i];
    }

    function addForged(bytes calldata message) external {
        _forged.push(message);
    }

    function forgedCount() external view returns (uint256) {
        return _forged.length;
    }

    function forgedAt(uint256 i) external view returns (bytes memory) {
        return _forged[i];
    }
}
