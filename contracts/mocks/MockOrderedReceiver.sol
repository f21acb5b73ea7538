// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OrderedConcordReceiver} from "../receivers/OrderedConcordReceiver.sol";

/// @notice TEST ONLY: an `OrderedConcordReceiver` that appends each executed data item to a log, and fails on
/// data equal to "fail" while `failing` is set.
contract MockOrderedReceiver is OrderedConcordReceiver {
    bytes[] public log;
    uint64[] public sequences;
    bool public failing = true;

    error MockOrderedFailure();

    function setGateway(address gateway, bool authorized) external {
        _setGateway(gateway, authorized);
    }

    function setTrustedSender(uint32 origin, address sender) external {
        _setTrustedSender(origin, sender);
    }

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function pause() external {
        _pause();
    }

    function unpause() external {
        _unpause();
    }

    function skip(uint32 origin, address sender) external {
        _skipSequence(origin, sender);
    }

    function logLength() external view returns (uint256) {
        return log.length;
    }

    function _receiveOrdered(uint32, address, uint64 sequence, bytes32, bytes calldata data) internal override {
        if (failing && keccak256(data) == keccak256("fail")) revert MockOrderedFailure();
        log.push(data);
        sequences.push(sequence);
    }
}
