// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Message} from "../../../contracts/libraries/Message.sol";
import {ConcordGatewayBase} from "../../core/ConcordGateway/Base.t.sol";

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

/// @notice `Message` codec round trip: `format` / `formatBody` and the calldata readers agree on every field.
contract MessageFuzzTest is ConcordGatewayBase {
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
}
