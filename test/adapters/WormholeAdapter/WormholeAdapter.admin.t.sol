// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {IWormholeAdapter} from "../../../contracts/adapters/wormhole/IWormholeAdapter.sol";
import {WormholeAdapter} from "../../../contracts/adapters/wormhole/WormholeAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {WhValueRefuser, WormholeAdapterBase} from "./WormholeAdapterBase.sol";

/// @notice Issue 16, Wormhole adapter configuration: constructor checks, the chain map (both directions, one to one),
/// remotes, sponsors and withdrawals, each restricted to the AccessManager and evented.
contract WormholeAdapterAdminTest is WormholeAdapterBase {
    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    function test_Constructor_ReadsTheCoreBridge() public view {
        assertEq(address(aA.wormhole()), whChains[dA].core);
        assertEq(aA.wormholeLocalChain(), WH_A);
        assertEq(aB.wormholeLocalChain(), WH_B);
        assertEq(aA.consistencyLevel(), 1);
        assertEq(aA.localDomain(), CHAIN_A);
        assertEq(aA.defaultGasLimit(), DEFAULT_GAS);
        assertEq(aA.authority(), address(manager));
    }

    function test_Constructor_RevertWhen_InvalidArguments() public {
        address core = whChains[dA].core;
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidCore.selector, eoa));
        new WormholeAdapter(eoa, CHAIN_A, address(manager), DEFAULT_GAS, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, 0, DEFAULT_GAS)
        );
        new WormholeAdapter(core, 0, address(manager), DEFAULT_GAS, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, CHAIN_A, 0)
        );
        new WormholeAdapter(core, CHAIN_A, address(manager), 0, 1);
        WormholeAdapter instant = new WormholeAdapter(core, CHAIN_A, address(manager), DEFAULT_GAS, 200);
        assertEq(instant.consistencyLevel(), 200);
    }

    /// @dev Messages are published with the adapter's consistency level.
    function test_Send_UsesTheConsistencyLevel() public {
        WormholeAdapter instant = new WormholeAdapter(whChains[dA].core, CHAIN_A, address(manager), DEFAULT_GAS, 200);
        _whEnroll(instant, dB, aB);
        (, uint256 m) = _send(instant, alice, CHAIN_B, address(rB), "x", _noAttr());
        assertEq(whSent[m].consistencyLevel, 200);
    }

    function test_SetWormholeChain_BothDirections_Evented() public {
        vm.expectEmit(address(aA));
        emit IWormholeAdapter.WormholeChainSet(CHAIN_C, WH_C);
        aA.setWormholeChain(CHAIN_C, WH_C);
        assertEq(aA.wormholeChainOf(CHAIN_C), WH_C);
        assertEq(aA.domainOfWormholeChain(WH_C), CHAIN_C);
        aA.setWormholeChain(CHAIN_C, 40);
        assertEq(aA.wormholeChainOf(CHAIN_C), 40);
        assertEq(aA.domainOfWormholeChain(40), CHAIN_C);
        assertEq(aA.domainOfWormholeChain(WH_C), 0, "the old Wormhole chain no longer maps");
        aA.setWormholeChain(CHAIN_C, 40);
        assertEq(aA.domainOfWormholeChain(40), CHAIN_C, "idempotent");
        vm.expectEmit(address(aA));
        emit IWormholeAdapter.WormholeChainSet(CHAIN_C, 0);
        aA.setWormholeChain(CHAIN_C, 0);
        assertEq(aA.wormholeChainOf(CHAIN_C), 0);
        assertEq(aA.domainOfWormholeChain(40), 0);
    }

    function test_SetWormholeChain_RevertWhen_WormholeChainTaken() public {
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterWormholeChainTaken.selector, WH_B, CHAIN_B)
        );
        aA.setWormholeChain(CHAIN_C, WH_B);
    }

    function test_SetWormholeChain_RevertWhen_ZeroOrLocal() public {
        vm.expectRevert(abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidChainMapping.selector, 0, WH_C));
        aA.setWormholeChain(0, WH_C);
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidChainMapping.selector, CHAIN_A, WH_C)
        );
        aA.setWormholeChain(CHAIN_A, WH_C);
        vm.expectRevert(
            abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterInvalidChainMapping.selector, CHAIN_C, WH_A)
        );
        aA.setWormholeChain(CHAIN_C, WH_A);
    }

    function test_SetWormholeChain_RevertWhen_Unauthorized() public {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setWormholeChain(CHAIN_C, WH_C);
    }

    /// @dev Unmapping a chain stops both directions: no send to it, no delivery from it.
    function test_Unmapped_StopsSendAndDelivery() public {
        (, uint256 m) = _sendAB("x");
        aB.setWormholeChain(CHAIN_A, 0);
        vm.expectRevert(abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterUnknownWormholeChain.selector, WH_A));
        _relay(m);
        vm.expectRevert(abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setWormholeChain(CHAIN_A, WH_A);
        _relay(m);
        assertEq(rB.count(), 1);
    }

    function test_SetRemote_Evented_RevertWhen_ZeroOrLocal_OrUnauthorized() public {
        vm.expectEmit(address(aA));
        emit IConcordAdapter.RemoteSet(CHAIN_C, address(0xC));
        aA.setRemote(CHAIN_C, address(0xC));
        assertEq(aA.remote(CHAIN_C), address(0xC));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, 0));
        aA.setRemote(0, address(0xC));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aA.setRemote(CHAIN_A, address(0xC));
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setRemote(CHAIN_C, address(0xC));
    }

    function test_SetSponsoredSender_Evented_RevertWhen_Unauthorized() public {
        vm.expectEmit(address(aA));
        emit IConcordAdapter.SponsoredSenderSet(alice, true);
        aA.setSponsoredSender(alice, true);
        assertTrue(aA.isSponsoredSender(alice));
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setSponsoredSender(stranger, true);
    }

    function test_WithdrawSponsorFunds() public {
        aA.fund{value: 1 ether}();
        address payable to = payable(makeAddr("treasury"));
        vm.expectEmit(address(aA));
        emit IConcordAdapter.SponsorWithdrawn(to, 0.4 ether);
        aA.withdrawSponsorFunds(to, 0.4 ether);
        assertEq(to.balance, 0.4 ether);
        assertEq(address(aA).balance, 0.6 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordAdapter.ConcordAdapterInvalidWithdrawal.selector, to, 0.6 ether + 1, 0.6 ether
            )
        );
        aA.withdrawSponsorFunds(to, 0.6 ether + 1);
        WhValueRefuser refuser = new WhValueRefuser();
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterRefundFailed.selector, address(refuser), 1)
        );
        aA.withdrawSponsorFunds(payable(address(refuser)), 1);
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.withdrawSponsorFunds(to, 1);
    }

    /// @dev Status answers NONE before delivery, and the message id is the same computed on either side.
    function test_StatusAndMessageId_AgreeAcrossSides() public {
        (bytes32 id, uint256 m) = _sendAB("x");
        bytes memory body = _whPayload(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.NONE);
        assertEq(aB.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), body), id);
        _relay(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(uint8(aB.status(CHAIN_C, address(aA), body)), uint8(IConcordAdapter.MessageStatus.NONE));
    }
}
