// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAny2EVMMessageReceiver} from "@chainlink/contracts-ccip/contracts/interfaces/IAny2EVMMessageReceiver.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {CcipAdapter} from "../../../contracts/adapters/ccip/CcipAdapter.sol";
import {ICcipAdapter} from "../../../contracts/adapters/ccip/ICcipAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {CcipAdapterBase, ValueRefuser} from "./CcipAdapterBase.sol";

/// @notice Issue 16, CCIP adapter configuration: constructor checks, ERC-165, the chain selector map (both
/// directions, one to one), remotes, sponsors and withdrawals, each restricted to the AccessManager and evented.
contract CcipAdapterAdminTest is CcipAdapterBase {
    function _unauthorized(address caller) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, caller);
    }

    // ------------------------------------------------------------------------------------------ constructor

    function test_Constructor_SetsTheRouterAndSelector() public view {
        assertEq(address(aA.router()), address(ccipRouter));
        assertEq(aA.localChainSelector(), SEL_A);
        assertEq(aA.localDomain(), CHAIN_A);
        assertEq(aA.defaultGasLimit(), DEFAULT_GAS);
        assertEq(aA.authority(), address(manager));
        assertEq(aA.chainSelectorOf(CHAIN_B), SEL_B);
        assertEq(aA.domainOfChainSelector(SEL_B), CHAIN_B);
    }

    function test_Constructor_RevertWhen_InvalidArguments() public {
        address router = address(ccipRouter);
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterInvalidRouter.selector, eoa, SEL_A));
        new CcipAdapter(eoa, SEL_A, CHAIN_A, address(manager), DEFAULT_GAS);
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterInvalidRouter.selector, router, 0));
        new CcipAdapter(router, 0, CHAIN_A, address(manager), DEFAULT_GAS);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, 0, DEFAULT_GAS)
        );
        new CcipAdapter(router, SEL_A, 0, address(manager), DEFAULT_GAS);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, CHAIN_A, 0)
        );
        new CcipAdapter(router, SEL_A, CHAIN_A, address(manager), 0);
    }

    /// @dev The Router calls only receivers that declare `IAny2EVMMessageReceiver` through ERC-165 (the fixture's
    /// hold mocks that answer; released here).
    function test_SupportsInterface() public {
        vm.clearMockedCalls();
        assertTrue(aA.supportsInterface(type(IAny2EVMMessageReceiver).interfaceId));
        assertTrue(aA.supportsInterface(type(IERC165).interfaceId));
        assertFalse(aA.supportsInterface(0xffffffff));
        assertFalse(aA.supportsInterface(type(ICcipAdapter).interfaceId));
    }

    // ------------------------------------------------------------------------------------------ selector map

    function test_SetChainSelector_BothDirections_Evented() public {
        vm.expectEmit(address(aA));
        emit ICcipAdapter.ChainSelectorSet(CHAIN_C, SEL_C);
        aA.setChainSelector(CHAIN_C, SEL_C);
        assertEq(aA.chainSelectorOf(CHAIN_C), SEL_C);
        assertEq(aA.domainOfChainSelector(SEL_C), CHAIN_C);
        // Re-mapping frees the previous selector.
        aA.setChainSelector(CHAIN_C, 44_444);
        assertEq(aA.chainSelectorOf(CHAIN_C), 44_444);
        assertEq(aA.domainOfChainSelector(44_444), CHAIN_C);
        assertEq(aA.domainOfChainSelector(SEL_C), 0, "the old selector no longer maps");
        // Setting the same mapping again is a no-op that still emits.
        aA.setChainSelector(CHAIN_C, 44_444);
        assertEq(aA.domainOfChainSelector(44_444), CHAIN_C);
        // Unmapping.
        vm.expectEmit(address(aA));
        emit ICcipAdapter.ChainSelectorSet(CHAIN_C, 0);
        aA.setChainSelector(CHAIN_C, 0);
        assertEq(aA.chainSelectorOf(CHAIN_C), 0);
        assertEq(aA.domainOfChainSelector(44_444), 0);
        assertEq(aA.domainOfChainSelector(0), 0);
    }

    /// @dev One to one: a selector carries one Concord domain (otherwise two CCIP sources would deliver as the same
    /// Concord origin, and the same adapter address on both would pass as the enrolled one).
    function test_SetChainSelector_RevertWhen_SelectorTaken() public {
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterChainSelectorTaken.selector, SEL_B, CHAIN_B));
        aA.setChainSelector(CHAIN_C, SEL_B);
        assertEq(aA.chainSelectorOf(CHAIN_C), 0);
    }

    function test_SetChainSelector_RevertWhen_ZeroOrLocal() public {
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterInvalidDomainMapping.selector, 0, SEL_C));
        aA.setChainSelector(0, SEL_C);
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterInvalidDomainMapping.selector, CHAIN_A, SEL_C));
        aA.setChainSelector(CHAIN_A, SEL_C);
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterInvalidDomainMapping.selector, CHAIN_C, SEL_A));
        aA.setChainSelector(CHAIN_C, SEL_A);
    }

    function test_SetChainSelector_RevertWhen_Unauthorized() public {
        vm.expectRevert(_unauthorized(stranger));
        vm.prank(stranger);
        aA.setChainSelector(CHAIN_C, SEL_C);
    }

    /// @dev Unmapping the selector of an enrolled origin stops both directions; CCIP keeps the refused message, and
    /// executing it again once mapped delivers it.
    function test_Unmapped_StopsSendAndDelivery() public {
        (, uint256 m) = _sendAB("x");
        aB.setChainSelector(CHAIN_A, 0);
        _ccipRouteExpectFail(m, abi.encodeWithSelector(ICcipAdapter.CcipAdapterUnknownChainSelector.selector, SEL_A));
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterUnknownDomain.selector, CHAIN_A));
        aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        aB.setChainSelector(CHAIN_A, SEL_A);
        _ccipRoute(m);
        assertEq(rB.count(), 1);
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
        bytes memory body = _ccipBody(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.NONE);
        assertEq(aB.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), body), id);
        _ccipRoute(m);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        // The same bytes from another (origin, adapter) are another message, never delivered.
        assertEq(uint8(aB.status(CHAIN_C, address(aA), body)), uint8(IConcordAdapter.MessageStatus.NONE));
    }
}
