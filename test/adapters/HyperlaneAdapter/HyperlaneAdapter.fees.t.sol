// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PausableHook} from "@hyperlane-xyz/core/contracts/hooks/PausableHook.sol";
import {StorageGasOracle} from "@hyperlane-xyz/core/contracts/hooks/igp/StorageGasOracle.sol";
import {StandardHookMetadata} from "@hyperlane-xyz/core/contracts/hooks/libs/StandardHookMetadata.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {Vm} from "forge-std/Vm.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IHyperlaneAdapter} from "../../../contracts/adapters/hyperlane/IHyperlaneAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {HyperlaneAdapterBase, ValueRefuser} from "./HyperlaneAdapterBase.sol";

/// @notice TEST ONLY: a sender that re-enters `sendMessage` when refunded (the send lock must refuse it).
contract ReentrantSender {
    IConcordAdapter public adapter;
    bytes public recipient;
    bool public reentered;
    bytes public reentryError;

    function send(IConcordAdapter adapter_, bytes calldata recipient_) external payable {
        adapter = adapter_;
        recipient = recipient_;
        adapter_.sendMessage{value: msg.value}(recipient_, "outer", new bytes[](0));
    }

    receive() external payable {
        if (reentered) return;
        reentered = true;
        try adapter.sendMessage{value: msg.value}(recipient, "inner", new bytes[](0)) {}
        catch (bytes memory err) {
            reentryError = err;
        }
    }
}

/// @notice Issue 16, Hyperlane fees: `quote` is the Mailbox's own `quoteDispatch` of what is dispatched, and the
/// adapter pays exactly that (from the value sent, the excess refunded, or from the sponsor balance); every fee revert
/// path. Balances are checked on every account that can hold value: sender, adapter, IGP.
contract HyperlaneAdapterFeesTest is HyperlaneAdapterBase {
    function _igp() internal view returns (address) {
        return address(hlDomains[dA].igp);
    }

    /// @dev The quote is Hyperlane's quote of the exact dispatch: `Mailbox.quoteDispatch(hyperlane domain, remote
    /// adapter, envelope, StandardHookMetadata(0, destinationGas, adapter))` from the adapter, = the IGP's price of
    /// destinationGas + its overhead (the MerkleTreeHook charges nothing).
    function test_Quote_IsTheMailboxQuoteOfTheDispatch() public {
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_A, sender: alice, recipient: address(rB), gasLimit: 250_000, payload: "q"
            })
        );
        uint256 gas = aA.destinationGas(250_000, envelope.length);
        bytes memory metadata = StandardHookMetadata.format(0, gas, address(aA));
        vm.prank(address(aA));
        uint256 mailboxQuote =
            hlDomains[dA].mailbox.quoteDispatch(HL_B, bytes32(uint256(uint160(address(aB)))), envelope, metadata);
        uint256 fee = aA.quote(_to(CHAIN_B, address(rB)), "q", _gasAttr(250_000));
        assertEq(fee, mailboxQuote);
        assertEq(fee, hlDomains[dA].igp.quoteGasPayment(HL_B, gas + HL_IGP_OVERHEAD));
        assertEq(fee, (gas + HL_IGP_OVERHEAD) * HL_GAS_PRICE, "1 gwei at a 1:1 exchange rate");
    }

    /// @dev Quote == charge; the excess is refunded; the adapter keeps nothing; the IGP gets exactly the quote.
    function test_Send_ChargesExactlyTheQuote_RefundsTheExcess() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "pay", _noAttr());
        assertGt(fee, 0);
        uint256 aliceBefore = alice.balance;
        uint256 igpBefore = _igp().balance;
        (bytes32 id,) = _nextIdsAB(alice, address(rB), DEFAULT_GAS, "pay");
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(id, fee, false);
        vm.prank(alice);
        aA.sendMessage{value: fee + 1 ether}(recipient, "pay", _noAttr());
        assertEq(aliceBefore - alice.balance, fee, "sender paid exactly the quote");
        assertEq(_igp().balance - igpBefore, fee, "the protocol got exactly the quote");
        assertEq(address(aA).balance, 0, "the adapter keeps nothing");
    }

    /// @dev Quote == charge for any payload size and gas limit, the refund checked to the wei.
    function testFuzz_Send_ChargesExactlyTheQuote(uint16 size, uint32 gasLimit, uint64 extra) public {
        gasLimit = uint32(bound(gasLimit, 1, 30_000_000));
        bytes memory payload = new bytes(bound(size, 0, 4096));
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, payload, _gasAttr(gasLimit));
        vm.deal(alice, fee + extra);
        uint256 igpBefore = _igp().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee + extra}(recipient, payload, _gasAttr(gasLimit));
        assertEq(alice.balance, extra, "refund");
        assertEq(_igp().balance - igpBefore, fee, "charge");
        assertEq(address(aA).balance, 0);
    }

    /// @dev The quote follows the IGP's price: a gas price change moves both quote and charge.
    function test_Quote_FollowsTheGasOracle() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 before = aA.quote(recipient, "x", _noAttr());
        hlDomains[dA].oracle
            .setRemoteGasData(
                StorageGasOracle.RemoteGasDataConfig({
                    remoteDomain: HL_B, tokenExchangeRate: HL_EXCHANGE_RATE, gasPrice: 3 gwei
                })
            );
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        assertEq(fee, 3 * before);
        uint256 igpBefore = _igp().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "x", _noAttr());
        assertEq(_igp().balance - igpBefore, fee);
        // A larger gas limit costs more, by exactly the extra destination gas.
        uint256 more = aA.quote(recipient, "x", _gasAttr(DEFAULT_GAS + 31_000));
        assertEq(more - fee, (31_000 + 1000) * 3 gwei);
    }

    /// @dev Sponsored path: a sponsored sender sends with no value; the sponsor balance pays exactly the quote.
    function test_Sponsored_PaysTheQuoteFromTheSponsorBalance() public {
        address app = makeAddr("app");
        aA.setSponsoredSender(app, true);
        vm.expectEmit(address(aA));
        emit IConcordAdapter.SponsorFunded(stranger, 1 ether);
        vm.prank(stranger);
        aA.fund{value: 1 ether}();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "free", _noAttr());
        uint256 igpBefore = _igp().balance;
        (bytes32 id,) = _nextIdsAB(app, address(rB), DEFAULT_GAS, "free");
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(id, fee, true);
        vm.prank(app);
        aA.sendMessage(recipient, "free", _noAttr());
        assertEq(address(aA).balance, 1 ether - fee, "sponsor balance paid exactly the quote");
        assertEq(_igp().balance - igpBefore, fee);
        // A sponsored sender that sends value pays itself (the sponsor balance untouched).
        vm.deal(app, fee);
        vm.prank(app);
        aA.sendMessage{value: fee}(recipient, "paid", _noAttr());
        assertEq(address(aA).balance, 1 ether - fee);
        assertEq(app.balance, 0);
    }

    /// @dev Plain ETH sent to the adapter (as a hook refund would be) adds to the sponsor balance, with the event.
    function test_Receive_AddsToTheSponsorBalance() public {
        vm.expectEmit(address(aA));
        emit IConcordAdapter.SponsorFunded(stranger, 2 wei);
        vm.prank(stranger);
        (bool ok,) = address(aA).call{value: 2 wei}("");
        assertTrue(ok);
        assertEq(address(aA).balance, 2 wei);
    }

    function test_Send_RevertWhen_ValueBelowTheQuote() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterFeeTooLow.selector, fee, fee - 1));
        vm.prank(alice);
        aA.sendMessage{value: fee - 1}(recipient, "x", _noAttr());
    }

    function test_Send_RevertWhen_NoValueAndNotSponsored() public {
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotSponsored.selector, alice));
        vm.prank(alice);
        aA.sendMessage(_to(CHAIN_B, address(rB)), "x", _noAttr());
    }

    function test_Send_RevertWhen_SponsorBalanceBelowTheQuote() public {
        address app = makeAddr("app");
        aA.setSponsoredSender(app, true);
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        aA.fund{value: fee - 1}();
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterSponsorBalanceTooLow.selector, fee, fee - 1)
        );
        vm.prank(app);
        aA.sendMessage(recipient, "x", _noAttr());
        // Sponsorship withdrawn: refused as not sponsored.
        aA.fund{value: 1}();
        aA.setSponsoredSender(app, false);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotSponsored.selector, app));
        vm.prank(app);
        aA.sendMessage(recipient, "x", _noAttr());
    }

    /// @dev A send with value is not quoted first: the IGP refunds the excess to the adapter inside the send, and the
    /// adapter returns it to the sender. That refund is not sponsor funding (no `SponsorFunded`), and the fee
    /// reported is what the IGP kept, the quote.
    function test_Send_HookRefundInsideTheSend_ReturnedNotSponsorFunding() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "r", _noAttr());
        uint256 aliceBefore = alice.balance;
        vm.recordLogs();
        vm.prank(alice);
        aA.sendMessage{value: fee + 3 ether}(recipient, "r", _noAttr());
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 reports;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(aA)) continue;
            assertTrue(logs[i].topics[0] != IConcordAdapter.SponsorFunded.selector, "a refund is no sponsor funding");
            if (logs[i].topics[0] == IConcordAdapter.AdapterMessageSent.selector) {
                (uint256 reported, bool sponsored) = abi.decode(logs[i].data, (uint256, bool));
                assertEq(reported, fee, "the fee the IGP kept");
                assertFalse(sponsored);
                ++reports;
            }
        }
        assertEq(reports, 1);
        assertEq(aliceBefore - alice.balance, fee);
        assertEq(address(aA).balance, 0);
    }

    /// @dev A dispatch that fails although the value covers the quote (here a paused required hook) reverts with the
    /// Mailbox's own reason, not `ConcordAdapterFeeTooLow`.
    function test_Send_RevertWhen_DispatchFails_ReasonBubbled() public {
        PausableHook pausable = new PausableHook();
        pausable.pause();
        hlDomains[dA].mailbox.setRequiredHook(address(pausable));
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "p", _noAttr());
        vm.expectRevert(bytes("Pausable: paused"));
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "p", _noAttr());
        pausable.unpause();
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "p", _noAttr());
    }

    /// @dev An overpaying sender that cannot take its refund: the send reverts (nothing dispatched).
    function test_Send_RevertWhen_RefundRefused() public {
        ValueRefuser refuser = new ValueRefuser();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterRefundFailed.selector, address(refuser), 1)
        );
        refuser.send{value: fee + 1}(aA, recipient, "x");
        refuser.send{value: fee}(aA, recipient, "x");
        assertEq(hlDomains[dA].hook.count(), 1);
    }

    /// @dev The refund gives the sender control; re-entering `sendMessage` then is refused (send lock).
    function test_Send_ReentrantSendFromRefund_Refused() public {
        ReentrantSender s = new ReentrantSender();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "outer", _noAttr());
        s.send{value: fee + 1 ether}(aA, recipient);
        assertTrue(s.reentered());
        assertEq(s.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
        assertEq(hlDomains[dA].hook.count(), 1, "only the outer message");
    }

    function test_Quote_RevertWhen_NoHyperlaneDomain() public {
        aA.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        bytes memory recipient = _to(CHAIN_C, address(rB));
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterUnknownDomain.selector, CHAIN_C));
        aA.quote(recipient, "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IHyperlaneAdapter.HyperlaneAdapterUnknownDomain.selector, CHAIN_C));
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(recipient, "x", _noAttr());
    }

    /// @dev Recipient, domain and attribute checks of the base, as this adapter exercises them (quote and send alike).
    function test_Send_RevertWhen_BadRecipientDomainOrAttribute() public {
        bytes memory bad = hex"0001";
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidRecipient.selector, bad));
        aA.quote(bad, "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidRecipient.selector, bad));
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(bad, "x", _noAttr());
        bytes memory zero = _to(CHAIN_B, address(0));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidRecipient.selector, zero));
        aA.quote(zero, "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aA.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_C));
        aA.quote(_to(CHAIN_C, address(rA)), "x", _noAttr());

        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes[] memory attrs = _gasAttr(0);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidAttribute.selector, attrs[0]));
        aA.quote(recipient, "x", attrs);
        attrs = _gasAttr(uint256(type(uint32).max) + 1);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidAttribute.selector, attrs[0]));
        aA.quote(recipient, "x", attrs);
        attrs = new bytes[](2);
        (attrs[0], attrs[1]) = (_gasAttr(1)[0], _gasAttr(2)[0]);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidAttribute.selector, attrs[1]));
        aA.quote(recipient, "x", attrs);
        attrs = new bytes[](1);
        attrs[0] = hex"ce29";
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidAttribute.selector, attrs[0]));
        aA.quote(recipient, "x", attrs);
        attrs[0] = abi.encodeWithSelector(bytes4(0x12345678), 1);
        vm.expectRevert(abi.encodeWithSelector(IERC7786GatewaySource.UnsupportedAttribute.selector, bytes4(0x12345678)));
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(recipient, "x", attrs);
        assertTrue(aA.supportsAttribute(0xce296026));
        assertFalse(aA.supportsAttribute(0x12345678));
    }
}
