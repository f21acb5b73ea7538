// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {MockTrustAllVerifier} from "../../../contracts/mocks/MockTrustAllVerifier.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @notice The route path's receipt keys (origin, instance, nonce): injective across origins and word boundaries, and
/// a redeployed origin gateway (nonces restart at 0) gets an instance of its own once enrolled.
contract ConcordGateway_replay is ConcordGatewayBase {
    function _sendVia(ConcordGateway from, bytes memory payload) internal returns (bytes memory message) {
        vm.recordLogs();
        from.dispatch(LOCAL, _b32(address(recipient)), payload);
        message = abi.decode(vm.getRecordedLogs()[0].data, (bytes));
    }

    function test_Process_RedeployedOriginGateway_SameNonces_BothDeliver() public {
        uint32 oldInstance = gateway.instanceOf(ORIGIN, address(source));
        bytes memory oldMessage = _sendVia(source, "old instance");
        gateway.process("", oldMessage);

        // The origin chain redeploys its gateway: same domain, nonces restart at 0.
        ConcordGateway redeployed = new ConcordGateway(ORIGIN, address(manager), GAS_LIMIT, MAX_BODY);
        bytes memory newMessage = _sendVia(redeployed, "new instance");
        assertEq(uint32(bytes4(_slice(newMessage, 1, 5))), 0, "same nonce");
        assertTrue(keccak256(newMessage) != keccak256(oldMessage));

        // Without re-enrollment (and with a route verifier that, unlike a real one, accepts the new gateway's
        // messages) the (origin, instance, nonce) key collides: rejected as a replay.
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(newMessage))
        );
        gateway.process("", newMessage);

        // Enrolling the new gateway (with a verifier bound to it) gives it a new instance: the new message delivers.
        MockTrustAllVerifier forRedeployed = new MockTrustAllVerifier();
        forRedeployed.setOriginGateway(ORIGIN, address(redeployed));
        gateway.setRoute(ORIGIN, address(forRedeployed), address(redeployed));
        uint32 newInstance = gateway.instanceOf(ORIGIN, address(redeployed));
        assertTrue(newInstance != oldInstance);
        gateway.process("", newMessage);
        assertEq(recipient.calls(), 2);
        assertTrue(gateway.deliveredAt(ORIGIN, oldInstance, 0));
        assertTrue(gateway.deliveredAt(ORIGIN, newInstance, 0));

        // A true replay of the new message still fails.
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayAlreadyDelivered.selector, keccak256(newMessage))
        );
        gateway.process("", newMessage);
        assertEq(recipient.calls(), 2);
    }

    function test_Replay_KeysAreDisjointAcrossOrigins() public {
        // Same nonce from two origins: two different keys.
        _enroll(gateway, 2, address(trustAll), makeAddr("gw2"));
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
        // 128 nonces per receipt word.
        uint32[6] memory nonces = [uint32(127), 128, 255, 256, type(uint32).max, type(uint32).max - 127];
        for (uint256 i = 0; i < nonces.length; ++i) {
            gateway.process("", _message(nonces[i], "b"));
        }
        for (uint256 i = 0; i < nonces.length; ++i) {
            assertTrue(gateway.delivered(ORIGIN, nonces[i]));
            vm.expectRevert();
            gateway.process("", _message(nonces[i], "b"));
        }
        assertFalse(gateway.delivered(ORIGIN, 126));
        assertFalse(gateway.delivered(ORIGIN, 129));
    }

    function _slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = b[i];
        }
    }
}
