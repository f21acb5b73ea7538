// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MESSAGE_GAS_LIMIT_OFFSET} from "../../contracts/libraries/Message.sol";

/// @dev The gas limit field of a packed message held in memory (the gas `retry` must give at least).
function gasLimitOf(bytes memory message) pure returns (uint32 gasLimit) {
    assembly ("memory-safe") {
        gasLimit := shr(224, mload(add(add(message, 0x20), MESSAGE_GAS_LIMIT_OFFSET)))
    }
}
