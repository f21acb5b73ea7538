// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

/// @notice TEST ONLY: an ERC-7786 recipient that burns a configurable amount of gas before accepting, so that a
/// message whose gas limit is below that amount is delivered FAILED (out of gas) and executes on a retry with more.
contract MockGasHungryRecipient is IERC7786Recipient {
    /// @notice Gas burned by every `receiveMessage` (a busy loop until that much gas is gone).
    uint256 public need;
    /// @notice When set, `receiveMessage` burns all its gas whenever `tx.origin` is not the caller: inside a real
    /// transaction sent through the gateway, but not in an `eth_estimateGas` made from the gateway itself. It models
    /// a recipient whose real need an estimate under-reports (state that differs between estimate and execution).
    bool public starveTransactions;

    uint256 public calls;
    bytes32 public lastReceiveId;

    constructor(uint256 need_) {
        need = need_;
    }

    function setNeed(uint256 need_) external {
        need = need_;
    }

    function setStarveTransactions(bool starve) external {
        starveTransactions = starve;
    }

    /// @inheritdoc IERC7786Recipient
    function receiveMessage(bytes32 receiveId, bytes calldata, bytes calldata) external payable returns (bytes4) {
        // solhint-disable-next-line avoid-tx-origin
        if (starveTransactions && tx.origin != msg.sender) {
            while (true) {}
        }
        uint256 start = gasleft();
        uint256 amount = need;
        while (start - gasleft() < amount) {}
        calls += 1;
        lastReceiveId = receiveId;
        return IERC7786Recipient.receiveMessage.selector;
    }
}
