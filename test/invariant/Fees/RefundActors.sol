// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGasPaymaster} from "../../../contracts/interfaces/IGasPaymaster.sol";

/// @notice A refund recipient / beneficiary that refuses ether. It can still withdraw its refund to another address.
contract RevertingFeeRecipient {
    /// @notice Thrown on every ether transfer to this contract.
    error RevertingPayeeRefused();

    receive() external payable {
        revert RevertingPayeeRefused();
    }

    /// @notice Withdraws this contract's refund to `to`.
    function withdraw(IGasPaymaster paymaster, address payable to) external {
        paymaster.withdrawRefund(to);
    }
}

/// @notice A refund recipient / beneficiary that re-enters the paymaster when it receives ether. The re-entry is
/// wrapped in try/catch so that the outer transfer succeeds and the test can observe what the re-entry got.
contract ReentrantFeeRecipient {
    enum Attack {
        NONE,
        WITHDRAW_AGAIN,
        CLAIM_FEES,
        PAY_FOR_GAS
    }

    IGasPaymaster public immutable paymaster;
    Attack public attack;
    uint32 public destination;
    uint256 public attempts;
    uint256 public blocked;
    bytes public lastRevertData;
    uint256 public received;

    constructor(IGasPaymaster paymaster_) {
        paymaster = paymaster_;
    }

    /// @notice Chooses what to try on the next receipt of ether (`destination_` is used by `PAY_FOR_GAS`).
    function setAttack(Attack attack_, uint32 destination_) external {
        (attack, destination) = (attack_, destination_);
    }

    /// @notice Withdraws this contract's refund to itself (triggering `receive`).
    function withdraw() external {
        paymaster.withdrawRefund(payable(address(this)));
    }

    receive() external payable {
        received += msg.value;
        Attack a = attack;
        if (a == Attack.NONE) return;
        ++attempts;
        bytes memory call;
        uint256 value;
        if (a == Attack.WITHDRAW_AGAIN) {
            call = abi.encodeCall(IGasPaymaster.withdrawRefund, (payable(address(this))));
        } else if (a == Attack.CLAIM_FEES) {
            call = abi.encodeCall(IGasPaymaster.claimFees, ());
        } else {
            // Pays for gas with the ether just received, crediting the whole amount back to itself as refund.
            call = abi.encodeCall(IGasPaymaster.payForGas, (keccak256("reentry"), destination, 1, address(this)));
            value = msg.value;
        }
        (bool ok, bytes memory data) = address(paymaster).call{value: value}(call);
        if (!ok) {
            ++blocked;
            lastRevertData = data;
        }
    }
}
