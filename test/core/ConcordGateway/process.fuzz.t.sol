// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {Vm} from "forge-std/Vm.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {gasLimitOf} from "../../harness/GatewayTestLib.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @dev Exposes the calldata readers of `Message`.
contract MessageReader {
    function header(bytes calldata m) external pure returns (uint8, uint32, uint32, bytes32, uint32, bytes32) {
        return (
            Message.version(m),
            Message.nonce(m),
            Message.origin(m),
            Message.sender(m),
            Message.destination(m),
            Message.recipient(m)
        );
    }

    function envelope(bytes calldata m) external pure returns (bytes memory, uint32, bytes memory) {
        return (Message.body(m), Message.gasLimit(m), Message.payload(m));
    }
}

contract ConcordGateway_process_fuzz is ConcordGatewayBase {
    MessageReader internal reader;

    function setUp() public override {
        super.setUp();
        reader = new MessageReader();
    }

    struct Fields {
        uint32 nonce;
        uint32 origin;
        bytes32 sender;
        uint32 destination;
        bytes32 recipient;
        uint32 gasLimit;
    }

    function testFuzz_Codec_RoundTrip(Fields memory f, bytes memory payload) public view {
        bytes memory m = Message.format(
            3, f.nonce, f.origin, f.sender, f.destination, f.recipient, Message.formatBody(f.gasLimit, payload)
        );
        assertEq(m.length, 81 + payload.length);
        assertEq(Message.id(m), keccak256(m));
        _checkHeader(m, f);
        (bytes memory b, uint32 g, bytes memory p) = reader.envelope(m);
        assertEq(b, abi.encodePacked(f.gasLimit, payload));
        assertEq(g, f.gasLimit);
        assertEq(p, payload);
    }

    function _checkHeader(bytes memory m, Fields memory f) internal view {
        (uint8 v, uint32 n, uint32 o, bytes32 s, uint32 d, bytes32 r) = reader.header(m);
        assertEq(v, 3);
        assertEq(n, f.nonce);
        assertEq(o, f.origin);
        assertEq(s, f.sender);
        assertEq(d, f.destination);
        assertEq(r, f.recipient);
    }

    /// @dev Ids are unique across sends: the nonce makes identical (sender, recipient, payload) distinct, and the
    /// source assigns consecutive nonces.
    function testFuzz_Dispatch_IdsUniqueAndNoncesConsecutive(bytes memory payload, uint8 n) public {
        n = uint8(bound(n, 2, 20));
        bytes32[] memory ids = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            vm.recordLogs();
            ids[i] = source.dispatch(LOCAL, _b32(address(recipient)), payload);
            Vm.Log[] memory logs = vm.getRecordedLogs();
            bytes memory m = abi.decode(logs[0].data, (bytes));
            assertEq(Message.id(m), ids[i]);
            (, uint32 nonce_,,,,) = reader.header(m);
            assertEq(nonce_, i);
            for (uint256 j = 0; j < i; ++j) {
                assertTrue(ids[j] != ids[i]);
            }
        }
    }

    /// @dev A delivered message can never be delivered again, whatever the recipient did the first time.
    function testFuzz_Replay_NeverSucceeds(uint32 nonce_, bytes memory payload, uint8 modeSeed) public {
        MockRecipient.Mode mode = MockRecipient.Mode(bound(modeSeed, 0, 2)); // ACCEPT, REVERT, BURN_GAS
        recipient.setMode(mode);
        bytes memory m = _message(nonce_, address(this), address(recipient), 1_000_000, payload);
        gateway.process("", m);
        uint256 callsAfterFirst = recipient.calls();
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(m)));
        gateway.process("", m);
        recipient.setMode(MockRecipient.Mode.ACCEPT);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(m)));
        gateway.process(hex"01", m);
        if (mode != MockRecipient.Mode.ACCEPT) {
            gateway.retry(m, gasLimitOf(m)); // at most one success
            vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(m)));
            gateway.retry(m, gasLimitOf(m));
        } else {
            vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayNotFailed.selector, keccak256(m)));
            gateway.retry(m, gasLimitOf(m));
        }
        assertEq(recipient.calls(), callsAfterFirst + (mode != MockRecipient.Mode.ACCEPT ? 1 : 0));
        _assertStatus(m, IConcordGateway.MessageStatus.EXECUTED);
    }

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
