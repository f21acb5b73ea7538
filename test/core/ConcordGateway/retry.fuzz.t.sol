// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {Message} from "../../../contracts/libraries/Message.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @notice `retry` under fuzzing: the recipient gets the same arguments as from `process`.
contract ConcordGateway_retry_fuzz is ConcordGatewayBase {
    /// @dev `retry` hands the recipient the same bytes as `process` (one delivery routine, `_deliver`).
    function testFuzz_Retry_SameArgumentsAsProcess(uint32 origin, address sender, bytes memory payload) public {
        if (origin != ORIGIN) _enroll(gateway, origin, address(trustAll), makeAddr("fuzzed origin gateway"));
        bytes memory m = Message.format(
            3, 0, origin, _b32(sender), LOCAL, _b32(address(recipient)), Message.formatBody(500_000, payload)
        );
        recipient.setMode(MockRecipient.Mode.REVERT);
        gateway.process("", m);
        recipient.setMode(MockRecipient.Mode.ACCEPT);
        gateway.retry(m, gasLimitOf(m));
        assertEq(recipient.lastSender(), InteroperableAddress.formatEvmV1(origin, sender));
        assertEq(recipient.lastPayload(), payload);
        assertEq(recipient.lastReceiveId(), keccak256(m));
    }
}
