// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @notice `process` under fuzzing: the ERC-7930 sender it builds, and single-byte corruptions of a message.
contract ConcordGateway_process_fuzz is ConcordGatewayBase {
    /// @dev The gateway's hand-encoded ERC-7930 sender equals OpenZeppelin's formatEvmV1 for every origin/sender,
    /// and the recipient receives exactly the message id and payload.
    function testFuzz_Process_SenderIsFormatEvmV1(uint32 origin, address sender, bytes memory payload) public {
        if (origin != ORIGIN) _enroll(gateway, origin, address(trustAll), makeAddr("fuzzed origin gateway"));
        bytes memory m = Message.format(
            3, 0, origin, _b32(sender), LOCAL, _b32(address(recipient)), Message.formatBody(500_000, payload)
        );
        gateway.process("", m);
        assertEq(recipient.lastSender(), InteroperableAddress.formatEvmV1(origin, sender));
        assertEq(recipient.lastPayload(), payload);
        assertEq(recipient.lastReceiveId(), keccak256(m));
    }

    /// @dev Any single-byte corruption of a message either changes its id or is rejected before delivery.
    function testFuzz_Process_MalformedHeaderNeverDelivers(uint256 index, uint8 value) public {
        bytes memory m = _message(1, "x");
        index = bound(index, 0, 80);
        vm.assume(uint8(m[index]) != value);
        m[index] = bytes1(value);
        try gateway.process("", m) {
            // Only fields that keep the message valid for this gateway can be accepted: nonce, origin, sender
            // (low bytes), recipient (low bytes) or gas limit; the result is then a different message id.
            assertTrue(keccak256(m) != keccak256(_message(1, "x")));
        } catch {
            _assertStatus(m, IConcordGateway.MessageStatus.NONE);
        }
    }
}
