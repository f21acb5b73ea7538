// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Mailbox} from "@hyperlane-xyz/core/contracts/Mailbox.sol";
import {EndpointV2} from "@layerzerolabs/lz-evm-protocol-v2/contracts/EndpointV2.sol";
import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";
import {Test} from "forge-std/Test.sol";

/// @dev An OpenZeppelin 5.7 crosschain contract compiled in the same build as Hyperlane and LayerZero.
contract GuardRecipient is ERC7786Recipient {
    address internal immutable _GATEWAY;

    constructor(address gateway) {
        _GATEWAY = gateway;
    }

    function _isAuthorizedGateway(address gateway, bytes calldata) internal view override returns (bool) {
        return gateway == _GATEWAY;
    }

    function _processMessage(address, bytes32, bytes calldata, bytes calldata) internal pure override {}
}

/// @notice Keeps the remapping setup honest: Hyperlane (OZ 4.9), LayerZero V2 (OZ 4.9) and an OZ 5.7
/// contract must compile and deploy together in one forge build.
contract CompileGuardTest is Test {
    function test_RealThirdPartyContracts_DeployInOneBuild() public {
        Mailbox mailbox = new Mailbox(1);
        address stub = address(new GuardRecipient(address(0)));
        mailbox.initialize(address(this), stub, stub, stub);
        assertEq(mailbox.localDomain(), 1);
        assertEq(mailbox.owner(), address(this));

        EndpointV2 endpoint = new EndpointV2(30_101, address(this));
        assertEq(endpoint.eid(), 30_101);
        assertEq(endpoint.owner(), address(this));

        GuardRecipient recipient = new GuardRecipient(address(mailbox));
        assertGt(address(recipient).code.length, 0);
    }
}
