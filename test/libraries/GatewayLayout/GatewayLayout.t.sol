// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {Test} from "forge-std/Test.sol";

import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IConcordVerifier, ISpecifiesVerifier} from "../../../contracts/interfaces/IConcordVerifier.sol";
import {
    ERROR_ALREADY_DELIVERED,
    ERROR_INBOUND_PAUSED,
    ERROR_INSUFFICIENT_GAS,
    ERROR_MALFORMED_MESSAGE,
    ERROR_NON_EVM_ADDRESS,
    ERROR_PRIVILEGED_RECIPIENT,
    ERROR_REENTRANT_CALL,
    ERROR_ROUTE_PAUSED,
    ERROR_UNKNOWN_ORIGIN,
    ERROR_UNSUPPORTED_VERSION,
    ERROR_VERIFICATION_FAILED,
    ERROR_WRONG_DESTINATION,
    GATEWAY_CALL_GAS_MARGIN,
    GATEWAY_GETTER_GAS,
    GATEWAY_MAX_REVERT_DATA,
    GATEWAY_NONCE_SHIFT,
    SELECTOR_ISM_GETTER,
    SELECTOR_ORIGIN_GATEWAY_FOR,
    SELECTOR_RECEIVE_MESSAGE,
    SELECTOR_VERIFY
} from "../../../contracts/libraries/GatewayLayout.sol";
import {
    MESSAGE_BODY_OFFSET,
    MESSAGE_DESTINATION_OFFSET,
    MESSAGE_GAS_LIMIT_OFFSET,
    MESSAGE_NONCE_OFFSET,
    MESSAGE_ORIGIN_OFFSET,
    MESSAGE_PAYLOAD_OFFSET,
    MESSAGE_RECIPIENT_OFFSET,
    MESSAGE_SENDER_OFFSET,
    MESSAGE_VERSION
} from "../../../contracts/libraries/Message.sol";

/// @notice The names the gateway's assembly reads (`GatewayLayout`, `Message`) are pinned against the Solidity they
/// stand for: each selector against its declaration, each offset against the packed layout.
contract GatewayLayoutTest is Test {
    function test_Selectors_MatchTheirDeclarations() public pure {
        assertEq(bytes4(uint32(SELECTOR_RECEIVE_MESSAGE)), IERC7786Recipient.receiveMessage.selector);
        assertEq(bytes4(uint32(SELECTOR_VERIFY)), IConcordVerifier.verify.selector);
        assertEq(bytes4(uint32(SELECTOR_ISM_GETTER)), ISpecifiesVerifier.interchainSecurityModule.selector);
        assertEq(bytes4(uint32(SELECTOR_ORIGIN_GATEWAY_FOR)), IConcordVerifier.originGatewayFor.selector);
    }

    function test_Errors_MatchTheirDeclarations() public pure {
        assertEq(bytes4(uint32(ERROR_MALFORMED_MESSAGE)), IConcordGateway.ConcordGatewayMalformedMessage.selector);
        assertEq(bytes4(uint32(ERROR_UNSUPPORTED_VERSION)), IConcordGateway.ConcordGatewayUnsupportedVersion.selector);
        assertEq(bytes4(uint32(ERROR_WRONG_DESTINATION)), IConcordGateway.ConcordGatewayWrongDestination.selector);
        assertEq(bytes4(uint32(ERROR_NON_EVM_ADDRESS)), IConcordGateway.ConcordGatewayNonEvmAddress.selector);
        assertEq(bytes4(uint32(ERROR_UNKNOWN_ORIGIN)), IConcordGateway.ConcordGatewayUnknownOrigin.selector);
        assertEq(bytes4(uint32(ERROR_INBOUND_PAUSED)), IConcordGateway.ConcordGatewayInboundPaused.selector);
        assertEq(bytes4(uint32(ERROR_ROUTE_PAUSED)), IConcordGateway.ConcordGatewayRoutePaused.selector);
        assertEq(bytes4(uint32(ERROR_PRIVILEGED_RECIPIENT)), IConcordGateway.ConcordGatewayPrivilegedRecipient.selector);
        assertEq(bytes4(uint32(ERROR_INSUFFICIENT_GAS)), IConcordGateway.ConcordGatewayInsufficientGas.selector);
        assertEq(bytes4(uint32(ERROR_ALREADY_DELIVERED)), IConcordGateway.ConcordGatewayAlreadyDelivered.selector);
        assertEq(bytes4(uint32(ERROR_VERIFICATION_FAILED)), IConcordGateway.ConcordGatewayVerificationFailed.selector);
        assertEq(bytes4(uint32(ERROR_REENTRANT_CALL)), IConcordGateway.ConcordGatewayReentrantCall.selector);
    }

    function test_MessageOffsets_MatchThePackedLayout() public pure {
        bytes memory m = abi.encodePacked(
            MESSAGE_VERSION, uint32(1), uint32(2), bytes32(uint256(3)), uint32(4), bytes32(uint256(5)), uint32(6), "p"
        );
        assertEq(uint8(m[0]), 3);
        assertEq(MESSAGE_NONCE_OFFSET, 1);
        assertEq(MESSAGE_ORIGIN_OFFSET, MESSAGE_NONCE_OFFSET + 4);
        assertEq(MESSAGE_SENDER_OFFSET, MESSAGE_ORIGIN_OFFSET + 4);
        assertEq(MESSAGE_DESTINATION_OFFSET, MESSAGE_SENDER_OFFSET + 32);
        assertEq(MESSAGE_RECIPIENT_OFFSET, MESSAGE_DESTINATION_OFFSET + 4);
        assertEq(MESSAGE_BODY_OFFSET, MESSAGE_RECIPIENT_OFFSET + 32);
        assertEq(MESSAGE_GAS_LIMIT_OFFSET, MESSAGE_BODY_OFFSET);
        assertEq(MESSAGE_PAYLOAD_OFFSET, MESSAGE_GAS_LIMIT_OFFSET + 4);
        assertEq(m.length, MESSAGE_PAYLOAD_OFFSET + 1);
        assertEq(uint8(m[MESSAGE_PAYLOAD_OFFSET - 1]), 6);
    }

    /// @dev The public constants mirror the layout's, and the nonce sits where the state-proof verifier reads it.
    function test_PublicConstants_AndNoncePosition() public {
        ConcordGateway gw = new ConcordGateway(1, address(this), 1, 4);
        assertEq(gw.MAX_REVERT_DATA(), GATEWAY_MAX_REVERT_DATA);
        assertEq(gw.VERIFIER_GETTER_GAS(), GATEWAY_GETTER_GAS);
        assertEq(gw.CALL_GAS_MARGIN(), GATEWAY_CALL_GAS_MARGIN);
        assertEq(GATEWAY_NONCE_SHIFT, 160);
    }
}
