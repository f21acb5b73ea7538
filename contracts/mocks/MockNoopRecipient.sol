// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

/// @notice TEST ONLY: the cheapest valid ERC-7786 recipient (accepts everything, stores nothing). Used by the gas
/// benchmark so that the figure measures the gateway, not the application.
contract MockNoopRecipient is IERC7786Recipient {
    /// @inheritdoc IERC7786Recipient
    function receiveMessage(bytes32, bytes calldata, bytes calldata) external payable returns (bytes4) {
        return IERC7786Recipient.receiveMessage.selector;
    }
}
