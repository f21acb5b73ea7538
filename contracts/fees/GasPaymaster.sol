// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGasOracle} from "../interfaces/IGasOracle.sol";
import {IGasPaymaster} from "../interfaces/IGasPaymaster.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title GasPaymaster
/// @notice Gas payments for plain gateway messages: quote, pay against a message id, top up, pull refunds of
/// overpayment, pull fees to a beneficiary. Holds no value for anyone except as recorded in `collectedFees` and
/// `refundOf`, and makes exactly one external value transfer per `withdrawRefund` / `claimFees`, after the state
/// change, under a transient reentrancy lock.
/// @dev Trust: the authority sets the oracle, the per-destination overhead and the beneficiary; it cannot touch
/// refunds owed. Payments are a promise to a relayer, not an obligation: nothing on chain forces delivery.
contract GasPaymaster is IGasPaymaster, AccessManaged, ReentrancyGuardTransient {
    /// @dev Totals per (message id, destination), packed in one slot.
    struct GasPayment {
        uint128 gasAmount;
        uint128 payment;
    }

    IGasOracle private _gasOracle;
    address private _beneficiary;
    uint256 private _collectedFees;
    uint256 private _totalRefundsOwed;

    mapping(uint32 destination => uint256 overhead) private _gasOverhead;
    mapping(bytes32 messageId => mapping(uint32 destination => GasPayment totals)) private _payments;
    mapping(address account => uint256 amount) private _refunds;

    /// @param initialAuthority The `AccessManager` that controls the setters.
    /// @param oracle The gas oracle used for quotes (a contract).
    /// @param initialBeneficiary Receiver of collected fees (non-zero).
    constructor(address initialAuthority, IGasOracle oracle, address initialBeneficiary)
        AccessManaged(initialAuthority)
    {
        _setGasOracle(oracle);
        _setBeneficiary(initialBeneficiary);
    }

    // ------------------------------------------------------------------ quotes

    /// @inheritdoc IGasPaymaster
    function quoteGasPayment(uint32 destination, uint256 gasLimit) public view returns (uint256) {
        return _gasOracle.quoteGasPayment(destination, gasLimit + _gasOverhead[destination]);
    }

    /// @inheritdoc IGasPaymaster
    function quotePayment(bytes32 messageId, uint32 destination, uint256 gasLimit) public view returns (uint256) {
        if (_payments[messageId][destination].gasAmount == 0) return quoteGasPayment(destination, gasLimit);
        return _gasOracle.quoteGasPayment(destination, gasLimit);
    }

    // ---------------------------------------------------------------- payments

    /// @inheritdoc IGasPaymaster
    /// @dev Effects only (the oracle is read with a static call): the overpayment is credited, never sent.
    function payForGas(bytes32 messageId, uint32 destination, uint256 gasLimit, address refundTo)
        external
        payable
        nonReentrant
    {
        if (messageId == bytes32(0)) revert GasPaymasterZeroMessageId();
        if (gasLimit == 0) revert GasPaymasterZeroGasLimit();
        if (refundTo == address(0)) revert GasPaymasterZeroAddress();
        uint256 required = quotePayment(messageId, destination, gasLimit);
        if (msg.value < required) revert GasPaymasterInsufficientPayment(required, msg.value);

        GasPayment storage totals = _payments[messageId][destination];
        totals.gasAmount = SafeCast.toUint128(totals.gasAmount + gasLimit);
        totals.payment = SafeCast.toUint128(totals.payment + required);
        _collectedFees += required;
        emit GasPaymasterGasPaid(messageId, destination, gasLimit, required);

        uint256 excess = msg.value - required;
        if (excess != 0) {
            _refunds[refundTo] += excess;
            _totalRefundsOwed += excess;
            emit GasPaymasterRefundCredited(refundTo, messageId, excess);
        }
    }

    /// @inheritdoc IGasPaymaster
    function withdrawRefund(address payable to) external nonReentrant {
        if (to == address(0)) revert GasPaymasterZeroAddress();
        uint256 amount = _refunds[msg.sender];
        if (amount == 0) revert GasPaymasterNothingToWithdraw(msg.sender);
        // Effects before the interaction: the refund is gone before any ether leaves.
        delete _refunds[msg.sender];
        _totalRefundsOwed -= amount;
        emit GasPaymasterRefundWithdrawn(msg.sender, to, amount);
        _sendValue(to, amount);
    }

    /// @inheritdoc IGasPaymaster
    function claimFees() external nonReentrant {
        uint256 amount = _collectedFees;
        if (amount == 0) revert GasPaymasterNothingToClaim();
        address to = _beneficiary;
        _collectedFees = 0;
        emit GasPaymasterFeesClaimed(to, amount);
        _sendValue(to, amount);
    }

    // ------------------------------------------------------------------- admin

    /// @inheritdoc IGasPaymaster
    function setBeneficiary(address beneficiary_) external restricted {
        _setBeneficiary(beneficiary_);
    }

    /// @inheritdoc IGasPaymaster
    function setGasOracle(IGasOracle oracle) external restricted {
        _setGasOracle(oracle);
    }

    /// @inheritdoc IGasPaymaster
    function setGasOverhead(uint32 destination, uint256 overhead) external restricted {
        uint256 previous = _gasOverhead[destination];
        _gasOverhead[destination] = overhead;
        emit GasPaymasterGasOverheadSet(destination, previous, overhead);
    }

    // ------------------------------------------------------------------- views

    /// @inheritdoc IGasPaymaster
    function gasPayment(bytes32 messageId, uint32 destination)
        external
        view
        returns (uint256 gasAmount, uint256 payment)
    {
        GasPayment memory totals = _payments[messageId][destination];
        return (totals.gasAmount, totals.payment);
    }

    /// @inheritdoc IGasPaymaster
    function refundOf(address account) external view returns (uint256) {
        return _refunds[account];
    }

    /// @inheritdoc IGasPaymaster
    function totalRefundsOwed() external view returns (uint256) {
        return _totalRefundsOwed;
    }

    /// @inheritdoc IGasPaymaster
    function collectedFees() external view returns (uint256) {
        return _collectedFees;
    }

    /// @inheritdoc IGasPaymaster
    function gasOracle() external view returns (IGasOracle) {
        return _gasOracle;
    }

    /// @inheritdoc IGasPaymaster
    function beneficiary() external view returns (address) {
        return _beneficiary;
    }

    /// @inheritdoc IGasPaymaster
    function gasOverhead(uint32 destination) external view returns (uint256) {
        return _gasOverhead[destination];
    }

    // ---------------------------------------------------------------- internal

    function _setBeneficiary(address beneficiary_) private {
        if (beneficiary_ == address(0)) revert GasPaymasterZeroAddress();
        address previous = _beneficiary;
        _beneficiary = beneficiary_;
        emit GasPaymasterBeneficiarySet(previous, beneficiary_);
    }

    function _setGasOracle(IGasOracle oracle) private {
        if (address(oracle).code.length == 0) revert GasPaymasterNotAContract(address(oracle));
        address previous = address(_gasOracle);
        _gasOracle = oracle;
        emit GasPaymasterGasOracleSet(previous, address(oracle));
    }

    /// @dev Sends `amount` wei to `to` with all remaining gas; reverts the whole call on failure, so the amount
    /// stays owed (the revert also undoes the state the caller cleared before the transfer).
    function _sendValue(address to, uint256 amount) private {
        (bool success,) = to.call{value: amount}("");
        if (!success) revert GasPaymasterTransferFailed(to, amount);
    }
}
