// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GhostStore} from "../../harness/GhostStore.sol";

/// @notice Ghost state of the Delivery suite: counters and violations (from `GhostStore`), messages sent per origin
/// as the handler saw them (I3), the last status observed per envelope (I8) and every forged message tried (I2).
contract DeliveryStore is GhostStore {
    struct Forged {
        address recipient;
        bytes32 id;
    }

    mapping(uint32 origin => uint256 sent) public sent;
    mapping(uint256 envelope => uint8 status) public lastStatus;
    Forged[] internal _forged;

    function recordSent(uint32 origin) external {
        ++sent[origin];
    }

    function setLastStatus(uint256 envelope, uint8 status) external {
        lastStatus[envelope] = status;
    }

    function recordForged(address recipient, bytes32 id) external {
        _forged.push(Forged(recipient, id));
    }

    function forgedCount() external view returns (uint256) {
        return _forged.length;
    }

    function forgedAt(uint256 i) external view returns (Forged memory) {
        return _forged[i];
    }
}
