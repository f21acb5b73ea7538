// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";

import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {CoordinationBase} from "../CoordinationBase.t.sol";

/// @notice `FlowExecutor.receiveMessage` before any kind is handled: only the gateway may call it, and a payload
/// without a known kind is refused with a typed error.
contract FlowExecutor_receiveMessage is CoordinationBase {
    function test_Receive_RevertWhen_UnknownKind() public {
        bytes memory forged = _forge(CHAIN_A, address(cA), CHAIN_B, address(cB), abi.encode(uint8(9), bytes("")));
        _deliverB(forged);
        _assertGatewayStatus(gwB, forged, IConcordGateway.MessageStatus.FAILED);
        assertEq(
            gwB.failedRevertDataHash(keccak256(forged)),
            keccak256(abi.encodeWithSelector(IFlowEndpoint.FlowEndpointUnexpectedMessage.selector, uint8(9), uint8(0)))
        );
    }

    /// @notice A payload shorter than one word, or whose first word is not a uint8, has no kind (0): refused with
    /// the same typed error, never decoded further.
    function test_Receive_RevertWhen_NoKind() public {
        bytes[3] memory payloads = [bytes(""), hex"0102", abi.encode(uint256(256), uint256(1))];
        for (uint256 i = 0; i < payloads.length; ++i) {
            bytes memory forged = _forge(CHAIN_A, address(cA), CHAIN_B, address(cB), payloads[i]);
            _deliverB(forged);
            assertEq(
                gwB.failedRevertDataHash(keccak256(forged)),
                keccak256(
                    abi.encodeWithSelector(IFlowEndpoint.FlowEndpointUnexpectedMessage.selector, uint8(0), uint8(0))
                )
            );
        }
    }

    function test_Receive_RevertWhen_NotTheGateway() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ERC7786Recipient.ERC7786RecipientUnauthorizedGateway.selector, address(this), bytes("")
            )
        );
        cB.receiveMessage(bytes32(0), "", "");
    }
}
