// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IConcordVerifier} from "../interfaces/IConcordVerifier.sol";
import {ConcordReceiver} from "../receivers/ConcordReceiver.sol";

/// @notice TEST ONLY: a `ConcordReceiver` with open setters that records what it receives.
contract MockConcordReceiver is ConcordReceiver {
    uint256 public received;
    uint32 public lastOrigin;
    address public lastSender;
    bytes32 public lastReceiveId;
    bytes public lastPayload;

    function setGateway(address gateway, bool authorized) external {
        _setGateway(gateway, authorized);
    }

    function setTrustedSender(uint32 origin, address sender) external {
        _setTrustedSender(origin, sender);
    }

    function setVerifier(IConcordVerifier verifier) external {
        _setVerifier(verifier);
    }

    function pause() external {
        _pause();
    }

    function unpause() external {
        _unpause();
    }

    function _receive(uint32 origin, address sender, bytes32 receiveId, bytes calldata payload) internal override {
        received += 1;
        lastOrigin = origin;
        lastSender = sender;
        lastReceiveId = receiveId;
        lastPayload = payload;
    }
}
