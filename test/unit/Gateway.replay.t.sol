// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {GatewayBase} from "./GatewayBase.t.sol";

/// @notice The replay guard's injectivity argument (see `ConcordGateway._replayKey`), including a redeployed
/// origin gateway whose nonces restart at 0.
contract Gateway_replay is GatewayBase {
    function _sendVia(ConcordGateway from, bytes memory payload) internal returns (bytes memory message) {
        vm.recordLogs();
        from.dispatch(LOCAL, _b32(address(recipient)), payload);
        message = abi.decode(vm.getRecordedLogs()[0].data, (bytes));
    }

    function test_Process_RedeployedOriginGateway_SameNonces_BothDeliver() public {
        gateway.setRoute(ORIGIN, address(trustAll), address(source));
        bytes memory oldMessage = _sendVia(source, "old instance");
        gateway.process("", oldMessage);

        // The origin chain redeploys its gateway: same domain, nonces restart at 0.
        ConcordGateway redeployed = new ConcordGateway(ORIGIN, address(manager), address(trustAll), GAS_LIMIT, MAX_BODY);
        bytes memory newMessage = _sendVia(redeployed, "new instance");
        assertEq(uint32(bytes4(_slice(newMessage, 1, 5))), 0, "same nonce");
        assertTrue(keccak256(newMessage) != keccak256(oldMessage));

        // Without re-enrollment the (origin, epoch, nonce) key collides: rejected as a replay.
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(newMessage))
        );
        gateway.process("", newMessage);

        // Re-enrolling the route for the new instance bumps the epoch: the new message delivers.
        gateway.setRoute(ORIGIN, address(trustAll), address(redeployed));
        gateway.process("", newMessage);
        assertEq(recipient.calls(), 2);
        assertTrue(gateway.deliveredAt(ORIGIN, 0, 0));
        assertTrue(gateway.deliveredAt(ORIGIN, 1, 0));

        // A true replay of the new message still fails.
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(newMessage))
        );
        gateway.process("", newMessage);
        assertEq(recipient.calls(), 2);
    }

    function test_Replay_KeysAreDisjointAcrossOrigins() public {
        // Same nonce from two origins: two different keys.
        gateway.process("", _message(0, "a"));
        bytes memory other = abi.encodePacked(
            uint8(3), uint32(0), uint32(2), _b32(address(this)), LOCAL, _b32(address(recipient)), GAS_LIMIT, "a"
        );
        gateway.process("", other);
        assertTrue(gateway.delivered(ORIGIN, 0));
        assertTrue(gateway.delivered(2, 0));
        assertFalse(gateway.delivered(3, 0));
    }

    function test_Replay_BucketBoundaries() public {
        uint32[6] memory nonces = [uint32(255), 256, 511, 512, type(uint32).max, type(uint32).max - 255];
        for (uint256 i = 0; i < nonces.length; ++i) {
            gateway.process("", _message(nonces[i], "b"));
        }
        for (uint256 i = 0; i < nonces.length; ++i) {
            assertTrue(gateway.delivered(ORIGIN, nonces[i]));
            vm.expectRevert();
            gateway.process("", _message(nonces[i], "b"));
        }
        assertFalse(gateway.delivered(ORIGIN, 254));
        assertFalse(gateway.delivered(ORIGIN, 257));
    }

    function _slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = b[i];
        }
    }
}
