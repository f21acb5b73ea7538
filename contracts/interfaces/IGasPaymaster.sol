// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGasOracle} from "./IGasOracle.sol";

/// @title IGasPaymaster
/// @notice Pays relayers for delivering plain gateway messages. Sending stays free (`dispatch` / `sendMessage` take
/// no value); a sender, or anyone, pays here afterwards against the message id and its destination. The relayer
/// indexes `GasPaymasterGasPaid` (or reads `gasPayment`) and delivers messages whose paid gas covers their gas limit.
/// Overpayment is credited to a refund address and withdrawn by pull; collected fees go to the beneficiary by pull.
/// Accounting: `address(this).balance == collectedFees() + totalRefundsOwed()` (plus any ether forced in without a
/// call, which is never credited to anyone).
interface IGasPaymaster {
    /// @notice Emitted for every payment (first payment or top-up). The relayer indexes this event.
    /// @param messageId Id of the message paid for (`keccak256(message)`).
    /// @param destination Destination domain the payment was priced for.
    /// @param gasAmount Destination gas units added to the message's execution gas by this payment.
    /// @param payment Native wei kept as fee (the quote; excludes the refunded overpayment).
    event GasPaymasterGasPaid(
        bytes32 indexed messageId, uint32 indexed destination, uint256 gasAmount, uint256 payment
    );
    /// @notice Emitted when an overpayment is credited to `account` for a later withdrawal.
    event GasPaymasterRefundCredited(address indexed account, bytes32 indexed messageId, uint256 amount);
    /// @notice Emitted when `account` withdraws its refund to `to`.
    event GasPaymasterRefundWithdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice Emitted when collected fees are sent to the beneficiary.
    event GasPaymasterFeesClaimed(address indexed beneficiary, uint256 amount);
    /// @notice Emitted when the authority changes the beneficiary.
    event GasPaymasterBeneficiarySet(address indexed previous, address indexed beneficiary);
    /// @notice Emitted when the authority changes the gas oracle.
    event GasPaymasterGasOracleSet(address indexed previous, address indexed oracle);
    /// @notice Emitted when the authority sets the fixed gas overhead charged for `destination`.
    event GasPaymasterGasOverheadSet(uint32 indexed destination, uint256 previous, uint256 overhead);

    /// @notice Thrown when a payment names the zero message id.
    error GasPaymasterZeroMessageId();
    /// @notice Thrown when a payment asks for zero gas.
    error GasPaymasterZeroGasLimit();
    /// @notice Thrown when a refund address, withdrawal recipient or beneficiary is the zero address.
    error GasPaymasterZeroAddress();
    /// @notice Thrown when the gas oracle is set to an address without code.
    error GasPaymasterNotAContract(address oracle);
    /// @notice Thrown when `msg.value` is below the required payment.
    error GasPaymasterInsufficientPayment(uint256 required, uint256 provided);
    /// @notice Thrown when `account` withdraws with no refund owed.
    error GasPaymasterNothingToWithdraw(address account);
    /// @notice Thrown when fees are claimed and none are collected.
    error GasPaymasterNothingToClaim();
    /// @notice Thrown when sending ether to `to` fails (the whole call reverts and the amount stays owed).
    error GasPaymasterTransferFailed(address to, uint256 amount);

    /// @notice The price, in local native wei, of a first payment of `gasLimit` gas for a message to
    /// `destination`: `oracle.quoteGasPayment(destination, gasLimit + gasOverhead(destination))`. Reverts when the
    /// oracle has no data for `destination`.
    function quoteGasPayment(uint32 destination, uint256 gasLimit) external view returns (uint256);

    /// @notice What `payForGas(messageId, destination, gasLimit, ...)` requires now: the overhead is charged only
    /// by the first payment for (`messageId`, `destination`); a top-up pays for `gasLimit` alone.
    function quotePayment(bytes32 messageId, uint32 destination, uint256 gasLimit) external view returns (uint256);

    /// @notice Pays for `gasLimit` destination gas for message `messageId` to `destination`. Requires
    /// `msg.value >= quotePayment(messageId, destination, gasLimit)`; keeps the quote as fee and credits the rest to
    /// `refundTo` (withdrawn with `withdrawRefund`). Calling it again for the same id and destination is a top-up:
    /// gas and payment accumulate. Anyone may pay for any id: payments are keyed by (id, destination), and the
    /// relayer only counts the destination the message actually names.
    /// @param messageId Id of the message (`keccak256(message)`); non-zero.
    /// @param destination Destination domain of the message.
    /// @param gasLimit Destination gas to pay for; non-zero.
    /// @param refundTo Account credited with the overpayment; non-zero.
    function payForGas(bytes32 messageId, uint32 destination, uint256 gasLimit, address refundTo) external payable;

    /// @notice Sends the caller's whole refund to `to`. A caller that cannot receive ether names another address.
    function withdrawRefund(address payable to) external;

    /// @notice Sends all collected fees to the beneficiary. Anyone may call it.
    function claimFees() external;

    /// @notice Sets the beneficiary of collected fees (restricted to the authority); non-zero.
    function setBeneficiary(address beneficiary) external;

    /// @notice Sets the gas oracle (restricted to the authority); must be a contract. Applies to later quotes only.
    function setGasOracle(IGasOracle oracle) external;

    /// @notice Sets the fixed destination gas (gateway `process` plus verification) added to the first payment of
    /// every message to `destination` (restricted to the authority). Zero is allowed.
    function setGasOverhead(uint32 destination, uint256 overhead) external;

    /// @notice Total destination gas and total fee paid so far for (`messageId`, `destination`).
    function gasPayment(bytes32 messageId, uint32 destination)
        external
        view
        returns (uint256 gasAmount, uint256 payment);

    /// @notice Refund owed to `account`, withdrawable with `withdrawRefund`.
    function refundOf(address account) external view returns (uint256);

    /// @notice Sum of all refunds owed.
    function totalRefundsOwed() external view returns (uint256);

    /// @notice Fees collected and not yet claimed.
    function collectedFees() external view returns (uint256);

    /// @notice The gas oracle used for quotes.
    function gasOracle() external view returns (IGasOracle);

    /// @notice The beneficiary of collected fees.
    function beneficiary() external view returns (address);

    /// @notice Fixed gas overhead charged on the first payment for a message to `destination`.
    function gasOverhead(uint32 destination) external view returns (uint256);
}
