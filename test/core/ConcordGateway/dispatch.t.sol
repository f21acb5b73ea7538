// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {Vm} from "forge-std/Vm.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {ConcordGatewayBase} from "./Base.t.sol";

/// @notice Source side: native `dispatch`, ERC-7786 `sendMessage`, nonce and Merkle tree.
contract ConcordGateway_dispatch is ConcordGatewayBase {
    bytes internal constant PAYLOAD = "payload";
    bytes4 internal constant GAS_ATTR = 0xce296026; // gasLimit(uint256)

    /// @dev Reference root: hash the whole depth-32 tree level by level (empty subtrees are zero-leaf trees).
    function _referenceRoot(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory level = leaves;
        bytes32 zero = bytes32(0);
        for (uint256 d = 0; d < 32; ++d) {
            uint256 n = (level.length + 1) / 2;
            if (n == 0) n = 1;
            bytes32[] memory next = new bytes32[](n);
            for (uint256 i = 0; i < n; ++i) {
                bytes32 left = 2 * i < level.length ? level[2 * i] : zero;
                bytes32 right = 2 * i + 1 < level.length ? level[2 * i + 1] : zero;
                next[i] = keccak256(abi.encodePacked(left, right));
            }
            level = next;
            zero = keccak256(abi.encodePacked(zero, zero));
        }
        return level[0];
    }

    function test_Dispatch_EmitsCompactEvent_AndFormatsMessage() public {
        bytes memory expected = Message.format(
            3, 0, ORIGIN, _b32(address(this)), LOCAL, _b32(address(recipient)), abi.encodePacked(GAS_LIMIT, PAYLOAD)
        );
        vm.recordLogs();
        bytes32 id = source.dispatch(LOCAL, _b32(address(recipient)), PAYLOAD);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "dispatch emits only the compact event");
        assertEq(logs[0].topics[0], IConcordGateway.Dispatched.selector);
        assertEq(logs[0].topics[1], id);
        assertEq(uint256(logs[0].topics[2]), LOCAL);
        assertEq(abi.decode(logs[0].data, (bytes)), expected);
        assertEq(id, keccak256(expected));
    }

    function test_Dispatch_ExplicitGasLimit() public {
        bytes32 id = source.dispatch(LOCAL, _b32(address(recipient)), 77_777, PAYLOAD);
        bytes memory expected = Message.format(
            3,
            0,
            ORIGIN,
            _b32(address(this)),
            LOCAL,
            _b32(address(recipient)),
            abi.encodePacked(uint32(77_777), PAYLOAD)
        );
        assertEq(id, keccak256(expected));
    }

    function test_Dispatch_NonceStrictlyIncreases_TreeMatchesReference() public {
        bytes32[] memory ids = new bytes32[](9);
        for (uint256 i = 0; i < 9; ++i) {
            assertEq(source.nonce(), i);
            ids[i] = source.dispatch(LOCAL, _b32(address(recipient)), PAYLOAD);
            assertEq(source.count(), i + 1);
            bytes32[] memory prefix = new bytes32[](i + 1);
            for (uint256 j = 0; j <= i; ++j) {
                prefix[j] = ids[j];
            }
            assertEq(source.root(), _referenceRoot(prefix), "root");
            (bytes32 r, uint32 index) = source.latestCheckpoint();
            assertEq(r, source.root());
            assertEq(index, i);
        }
        // identical payloads, distinct ids
        for (uint256 i = 1; i < 9; ++i) {
            assertTrue(ids[i] != ids[i - 1]);
        }
    }

    function test_Root_EmptyTree() public view {
        assertEq(source.root(), _referenceRoot(new bytes32[](0)));
    }

    function test_LatestCheckpoint_RevertGiven_NoMessages() public {
        vm.expectRevert(IConcordGateway.ConcordGatewayNoMessages.selector);
        source.latestCheckpoint();
    }

    function test_Dispatch_RevertGiven_OutboundPaused() public {
        vm.prank(guardian);
        source.pause(false, true);
        vm.expectRevert(IConcordGateway.ConcordGatewayOutboundPaused.selector);
        source.dispatch(LOCAL, _b32(address(recipient)), PAYLOAD);
        assertEq(source.nonce(), 0);
    }

    function test_Dispatch_InboundPauseDoesNotBlockOutbound() public {
        vm.prank(guardian);
        source.pause(true, false);
        source.dispatch(LOCAL, _b32(address(recipient)), PAYLOAD);
        assertEq(source.nonce(), 1);
    }

    function test_Dispatch_RevertWhen_BodyTooLarge() public {
        bytes memory big = new bytes(MAX_BODY - 3);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordGateway.ConcordGatewayBodyTooLarge.selector, MAX_BODY + 1, MAX_BODY)
        );
        source.dispatch(LOCAL, _b32(address(recipient)), big);
        // exactly at the limit is fine
        source.dispatch(LOCAL, _b32(address(recipient)), new bytes(MAX_BODY - 4));
    }

    function test_Dispatch_RevertGiven_NonceExhausted() public {
        // `_core` is slot 1 (AccessManaged uses slot 0); nonce bits [160,192).
        bytes32 slot = bytes32(uint256(1));
        uint256 core = uint256(vm.load(address(source), slot));
        core |= uint256(type(uint32).max - 1) << 160;
        vm.store(address(source), slot, bytes32(core));
        assertEq(source.nonce(), type(uint32).max - 1);
        source.dispatch(LOCAL, _b32(address(recipient)), PAYLOAD); // the last usable leaf index, 2**32 - 2
        assertEq(source.nonce(), type(uint32).max);
        vm.expectRevert(IConcordGateway.ConcordGatewayNonceExhausted.selector);
        source.dispatch(LOCAL, _b32(address(recipient)), PAYLOAD);
    }

    function test_Constructor_RevertWhen_InvalidConfig() public {
        vm.expectRevert(IConcordGateway.ConcordGatewayZeroDomain.selector);
        new ConcordGateway(0, address(manager), GAS_LIMIT, MAX_BODY);
        vm.expectRevert(IConcordGateway.ConcordGatewayZeroDefaultGasLimit.selector);
        new ConcordGateway(1, address(manager), 0, MAX_BODY);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayMaxBodySizeTooSmall.selector, 3, 4));
        new ConcordGateway(1, address(manager), GAS_LIMIT, 3);
        new ConcordGateway(1, address(manager), GAS_LIMIT, 4); // the smallest body: a gas limit, no payload
    }

    function test_Views_Immutables() public view {
        assertEq(source.localDomain(), ORIGIN);
        assertEq(source.defaultGasLimit(), GAS_LIMIT);
        assertEq(source.maxBodySize(), MAX_BODY);
    }

    // ---------------------------------------------------------------------------------------------
    // ERC-7786 sendMessage
    // ---------------------------------------------------------------------------------------------

    function _to(address a) internal pure returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(LOCAL, a);
    }

    function test_SendMessage_NoValueNoAttributes_EmitsBothEvents() public {
        bytes memory to = _to(address(recipient));
        bytes memory expected = Message.format(
            3, 0, ORIGIN, _b32(address(this)), LOCAL, _b32(address(recipient)), abi.encodePacked(GAS_LIMIT, PAYLOAD)
        );
        bytes32 expectedId = keccak256(expected);
        vm.expectEmit(address(source));
        emit IConcordGateway.Dispatched(expectedId, LOCAL, expected);
        vm.expectEmit(address(source));
        emit IERC7786GatewaySource.MessageSent(
            expectedId, InteroperableAddress.formatEvmV1(ORIGIN, address(this)), to, PAYLOAD, 0, new bytes[](0)
        );
        bytes32 sendId = source.sendMessage(to, PAYLOAD, new bytes[](0));
        assertEq(sendId, expectedId);
    }

    function test_SendMessage_GasLimitAttribute() public {
        bytes[] memory attrs = new bytes[](1);
        attrs[0] = abi.encodeWithSelector(GAS_ATTR, uint256(1_234_567));
        bytes32 id = source.sendMessage(_to(address(recipient)), PAYLOAD, attrs);
        bytes memory expected = Message.format(
            3,
            0,
            ORIGIN,
            _b32(address(this)),
            LOCAL,
            _b32(address(recipient)),
            abi.encodePacked(uint32(1_234_567), PAYLOAD)
        );
        assertEq(id, keccak256(expected));
    }

    function test_SendMessage_DeliveredEndToEnd() public {
        vm.recordLogs();
        bytes32 id = source.sendMessage(_to(address(recipient)), PAYLOAD, new bytes[](0));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes memory message = abi.decode(logs[0].data, (bytes));
        gateway.process("", message);
        assertEq(recipient.lastReceiveId(), id);
        assertEq(recipient.lastSender(), InteroperableAddress.formatEvmV1(ORIGIN, address(this)));
    }

    function test_SendMessage_RevertWhen_UnsupportedAttribute() public {
        bytes[] memory attrs = new bytes[](1);
        attrs[0] = abi.encodeWithSelector(bytes4(0x12345678), uint256(1));
        vm.expectRevert(abi.encodeWithSelector(IERC7786GatewaySource.UnsupportedAttribute.selector, bytes4(0x12345678)));
        source.sendMessage(_to(address(recipient)), PAYLOAD, attrs);
    }

    function test_SendMessage_RevertWhen_AttributeTooShort() public {
        bytes[] memory attrs = new bytes[](1);
        attrs[0] = hex"ce29";
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayInvalidAttribute.selector, attrs[0]));
        source.sendMessage(_to(address(recipient)), PAYLOAD, attrs);
    }

    function test_SendMessage_RevertWhen_GasLimitAttributeMalformed() public {
        bytes[] memory attrs = new bytes[](1);
        attrs[0] = abi.encodePacked(GAS_ATTR, uint128(5));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayInvalidAttribute.selector, attrs[0]));
        source.sendMessage(_to(address(recipient)), PAYLOAD, attrs);
    }

    function test_SendMessage_RevertWhen_GasLimitAttributeOutOfRange() public {
        bytes[] memory attrs = new bytes[](1);
        attrs[0] = abi.encodeWithSelector(GAS_ATTR, uint256(type(uint32).max) + 1);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayInvalidAttribute.selector, attrs[0]));
        source.sendMessage(_to(address(recipient)), PAYLOAD, attrs);
        attrs[0] = abi.encodeWithSelector(GAS_ATTR, uint256(0));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayInvalidAttribute.selector, attrs[0]));
        source.sendMessage(_to(address(recipient)), PAYLOAD, attrs);
    }

    function test_SendMessage_RevertWhen_GasLimitAttributeDuplicated() public {
        bytes[] memory attrs = new bytes[](2);
        attrs[0] = abi.encodeWithSelector(GAS_ATTR, uint256(1));
        attrs[1] = abi.encodeWithSelector(GAS_ATTR, uint256(2));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayInvalidAttribute.selector, attrs[1]));
        source.sendMessage(_to(address(recipient)), PAYLOAD, attrs);
    }

    function test_SendMessage_RevertWhen_ValueSent() public {
        vm.deal(address(this), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayValueNotAccepted.selector, 1));
        source.sendMessage{value: 1}(_to(address(recipient)), PAYLOAD, new bytes[](0));
    }

    function test_SendMessage_RevertWhen_RecipientNotEvm() public {
        bytes memory solanaLike = InteroperableAddress.formatV1(bytes2(0x0002), hex"01", new bytes(32));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayInvalidRecipient.selector, solanaLike));
        source.sendMessage(solanaLike, PAYLOAD, new bytes[](0));
    }

    function test_SendMessage_RevertWhen_RecipientChainIdTooLarge() public {
        bytes memory to = InteroperableAddress.formatEvmV1(uint256(type(uint32).max) + 1, address(recipient));
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayInvalidRecipient.selector, to));
        source.sendMessage(to, PAYLOAD, new bytes[](0));
    }

    function test_SendMessage_RevertWhen_RecipientWithoutAddress() public {
        bytes memory to = InteroperableAddress.formatEvmV1(LOCAL);
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayInvalidRecipient.selector, to));
        source.sendMessage(to, PAYLOAD, new bytes[](0));
    }

    function test_SendMessage_RevertWhen_RecipientGarbage() public {
        bytes memory to = hex"deadbeef";
        vm.expectRevert(abi.encodeWithSelector(IConcordGateway.ConcordGatewayInvalidRecipient.selector, to));
        source.sendMessage(to, PAYLOAD, new bytes[](0));
    }

    function test_SendMessage_RevertGiven_OutboundPaused() public {
        vm.prank(guardian);
        source.pause(false, true);
        vm.expectRevert(IConcordGateway.ConcordGatewayOutboundPaused.selector);
        source.sendMessage(_to(address(recipient)), PAYLOAD, new bytes[](0));
    }

    function testFuzz_SupportsAttribute_NeverReverts(bytes4 selector) public view {
        assertEq(source.supportsAttribute(selector), selector == GAS_ATTR);
    }
}
