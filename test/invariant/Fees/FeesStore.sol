// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GhostStore} from "../../harness/GhostStore.sol";

/// @notice Ghost state of the Fees suite: value paid in and sent out, fees collected and claimed, refunds owed per
/// account, and gas / payment totals per (message id, destination), all updated by `FeesHandler` only when the
/// paymaster call succeeded.
contract FeesStore is GhostStore {
    uint256 public paidIn;
    uint256 public paidOut;
    uint256 public feesUnclaimed;
    uint256 public feesClaimed;
    mapping(address account => uint256 amount) public refundOwed;
    mapping(bytes32 messageId => mapping(uint32 destination => uint256 gasAmount)) public gasPaid;
    mapping(bytes32 messageId => mapping(uint32 destination => uint256 payment)) public paymentPaid;

    function recordPayment(
        bytes32 messageId,
        uint32 destination,
        uint256 gasAmount,
        uint256 fee,
        uint256 value,
        address refundTo
    ) external {
        paidIn += value;
        feesUnclaimed += fee;
        refundOwed[refundTo] += value - fee;
        gasPaid[messageId][destination] += gasAmount;
        paymentPaid[messageId][destination] += fee;
    }

    function recordWithdrawal(address account, uint256 amount) external {
        refundOwed[account] -= amount;
        paidOut += amount;
    }

    function recordClaim(uint256 amount) external {
        feesUnclaimed -= amount;
        feesClaimed += amount;
        paidOut += amount;
    }
}
