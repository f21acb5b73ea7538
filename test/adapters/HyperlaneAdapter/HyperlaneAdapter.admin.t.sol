// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";

import {HyperlaneAdapter} from "../../../contracts/adapters/hyperlane/HyperlaneAdapter.sol";
import {IHyperlaneAdapter} from "../../../contracts/adapters/hyperlane/IHyperlaneAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {HyperlaneAdapterBase, ValueRefuser} from "./HyperlaneAdapterBase.sol";

/// @notice Issue 16, Hyperlane adapter configuration: constructor checks, the domain map (both directions, one to
/// one), the ISM the adapter names, remotes, sponsors and withdrawals, each restricted to the AccessManager and
/// evented.
contract HyperlaneAdapterAdminTest is HyperlaneAdapterBase {
    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    // ------------------------------------------------------------------------------------------ constructor

    function test_Constructor_ReadsTheMailbox_NamesTheIsm() public view {
        assertEq(address(aA.mailbox()), address(hlDomains[dA].mailbox));
        assertEq(aA.hyperlaneLocalDomain(), HL_A);
        assertEq(aA.localDomain(), CHAIN_A);
        assertEq(aA.defaultGasLimit(), DEFAULT_GAS);
        assertEq(address(aA.interchainSecurityModule()), address(hlDomains[dA].ism));
        assertEq(address(hlDomains[dA].mailbox.recipientIsm(address(aA))), address(hlDomains[dA].ism));
        assertEq(aA.authority(), address(manager));
    }

    function test_Constructor_RevertWhen_InvalidArguments() public {
        address mailbox = address(hlDomains[dA].mailbox);
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterInvalidMailbox.selector, eoa));
        new HyperlaneAdapter(eoa, CHAIN_A, address(manager), DEFAULT_GAS, address(0));
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterInvalidIsm.selector, eoa));
        new HyperlaneAdapter(mailbox, CHAIN_A, address(manager), DEFAULT_GAS, eoa);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, 0, DEFAULT_GAS)
        );
        new HyperlaneAdapter(mailbox, 0, address(manager), DEFAULT_GAS, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, CHAIN_A, 0)
        );
        new HyperlaneAdapter(mailbox, CHAIN_A, address(manager), 0, address(0));
        // address(0) as the ISM: the Mailbox's default ISM.
        HyperlaneAdapter a = new HyperlaneAdapter(mailbox, CHAIN_A, address(manager), DEFAULT_GAS, address(0));
        assertEq(address(hlDomains[dA].mailbox.recipientIsm(address(a))), hlDomains[dA].defaultIsm);
    }

    // ------------------------------------------------------------------------------------------ domain map

    function test_SetHyperlaneDomain_BothDirections_Evented() public {
        vm.expectEmit(address(aA));
        emit IHyperlaneAdapter.HyperlaneDomainSet(CHAIN_C, HL_C);
        aA.setHyperlaneDomain(CHAIN_C, HL_C);
        assertEq(aA.hyperlaneDomainOf(CHAIN_C), HL_C);
        assertEq(aA.domainOfHyperlane(HL_C), CHAIN_C);
        // Re-mapping frees the previous Hyperlane domain.
        aA.setHyperlaneDomain(CHAIN_C, 44_444);
        assertEq(aA.hyperlaneDomainOf(CHAIN_C), 44_444);
        assertEq(aA.domainOfHyperlane(44_444), CHAIN_C);
        assertEq(aA.domainOfHyperlane(HL_C), 0, "the old Hyperlane domain no longer maps");
        // Setting the same mapping again is a no-op that still emits.
        aA.setHyperlaneDomain(CHAIN_C, 44_444);
        assertEq(aA.domainOfHyperlane(44_444), CHAIN_C);
        // Unmapping.
        vm.expectEmit(address(aA));
        emit IHyperlaneAdapter.HyperlaneDomainSet(CHAIN_C, 0);
        aA.setHyperlaneDomain(CHAIN_C, 0);
        assertEq(aA.hyperlaneDomainOf(CHAIN_C), 0);
        assertEq(aA.domainOfHyperlane(44_444), 0);
        assertEq(aA.domainOfHyperlane(0), 0);
    }

    /// @dev One to one: a Hyperlane domain carries one Concord domain (otherwise two Hyperlane origins would deliver
    /// as the same Concord origin, and the same adapter address on both would pass as the enrolled one).
    function test_SetHyperlaneDomain_RevertWhen_HyperlaneDomainTaken() public {
        vm.expectRevert(
            abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterHyperlaneDomainTaken.selector, HL_B, CHAIN_B)
        );
        aA.setHyperlaneDomain(CHAIN_C, HL_B);
        assertEq(aA.hyperlaneDomainOf(CHAIN_C), 0);
    }

    function test_SetHyperlaneDomain_RevertWhen_ZeroOrLocal() public {
        vm.expectRevert(
            abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterInvalidDomainMapping.selector, 0, HL_C)
        );
        aA.setHyperlaneDomain(0, HL_C);
        vm.expectRevert(
            abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterInvalidDomainMapping.selector, CHAIN_A, HL_C)
        );
        aA.setHyperlaneDomain(CHAIN_A, HL_C);
        vm.expectRevert(
            abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterInvalidDomainMapping.selector, CHAIN_C, HL_A)
        );
        aA.setHyperlaneDomain(CHAIN_C, HL_A);
    }

    function test_SetHyperlaneDomain_RevertWhen_Unauthorized() public {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setHyperlaneDomain(CHAIN_C, HL_C);
    }

    /// @dev Unmapping the Hyperlane domain of an enrolled origin stops both directions.
    function test_Unmapped_StopsSendAndDelivery() public {
        (, uint256 m) = _sendAB("x");
        aB.setHyperlaneDomain(CHAIN_A, 0);
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterUnknownHyperlaneDomain.selector, HL_A));
        _hlRelay(m);
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setHyperlaneDomain(CHAIN_A, HL_A);
        _hlRelay(m);
        assertEq(rB.count(), 1);
    }

    // ------------------------------------------------------------------------------------------ ISM

    /// @dev The ISM is the adapter's whole inbound trust root: with address(0) the Mailbox's default ISM (a quorum
    /// the origin's validators are not in) decides, and the validators' signatures no longer pass.
    function test_SetInterchainSecurityModule_Evented_DecidesDelivery() public {
        (, uint256 m) = _sendAB("x");
        vm.expectEmit(address(aB));
        emit IHyperlaneAdapter.InterchainSecurityModuleSet(address(0));
        aB.setInterchainSecurityModule(address(0));
        assertEq(address(hlDomains[dB].mailbox.recipientIsm(address(aB))), hlDomains[dB].defaultIsm);
        vm.expectRevert(bytes("!threshold"));
        _hlRelay(m);
        aB.setInterchainSecurityModule(address(hlDomains[dB].ism));
        assertEq(address(aB.interchainSecurityModule()), address(hlDomains[dB].ism));
        _hlRelay(m);
        assertEq(rB.count(), 1);
    }

    function test_SetInterchainSecurityModule_RevertWhen_NotAContract_OrUnauthorized() public {
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterInvalidIsm.selector, eoa));
        aB.setInterchainSecurityModule(eoa);
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aB.setInterchainSecurityModule(address(0));
    }

    // ------------------------------------------------------------------------------------------ base admin

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
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidWithdrawal.selector, address(0), 1, 0.6 ether)
        );
        aA.withdrawSponsorFunds(payable(address(0)), 1);
        ValueRefuser refuser = new ValueRefuser();
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
        bytes memory body = _hlBody(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.NONE);
        assertEq(aB.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), body), id);
        _hlRelay(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        // The same bytes from another (origin, adapter) are another message, never delivered.
        assertEq(uint8(aB.status(CHAIN_C, address(aA), body)), uint8(IConcordAdapter.MessageStatus.NONE));
    }
}
