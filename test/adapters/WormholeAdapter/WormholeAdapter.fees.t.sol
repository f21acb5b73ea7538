// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {IWormholeAdapter} from "../../../contracts/adapters/wormhole/IWormholeAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {WhValueRefuser, WormholeAdapterBase} from "./WormholeAdapterBase.sol";

/// @notice TEST ONLY: a sender that re-enters `sendMessage` when refunded (the send lock must refuse it).
contract WhReentrantSender {
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

/// @notice Issue 16, Wormhole fees: `quote` is the core bridge's `messageFee()` (what `publishMessage` requires,
/// exactly, whatever the message: Wormhole core charges per message, relaying is paid off-chain), and the adapter pays
/// exactly that (from the value sent, the excess refunded, or from the sponsor balance); every fee revert path.
/// Balances are checked on every account that can hold value: sender, adapter, core bridge.
contract WormholeAdapterFeesTest is WormholeAdapterBase {
    function _core() internal view returns (address) {
        return address(_whCore(dA));
    }

    /// @dev The quote is the core's message fee whatever the payload, gas limit or recipient.
    function test_Quote_IsTheCoreMessageFee() public view {
        assertEq(aA.quote(_to(CHAIN_B, address(rB)), "", _noAttr()), FEE_A);
        assertEq(aA.quote(_to(CHAIN_B, alice), new bytes(4096), _gasAttr(5_000_000)), FEE_A);
        assertEq(aB.quote(_to(CHAIN_A, address(rA)), "x", _noAttr()), FEE_B);
    }

    /// @dev With value: the core bridge gets exactly the quote, the sender the rest back, the adapter keeps nothing.
    function test_Send_ChargesExactlyTheQuote_RefundsTheExcess() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        uint256 aliceBefore = alice.balance;
        uint256 coreBefore = _core().balance;
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(
            aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), _nextEnvelope("x")), fee, false
        );
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(recipient, "x", _noAttr());
        assertEq(aliceBefore - alice.balance, fee, "charged the quote");
        assertEq(_core().balance - coreBefore, fee, "the core bridge got the quote");
        assertEq(address(aA).balance, 0);
    }

    /// @dev Fuzzed: payload size, gas limit, overpayment and message fee; quote == charge to the wei.
    function testFuzz_Send_ChargesExactlyTheQuote(uint16 size, uint32 gasLimit, uint64 extra, uint96 messageFee)
        public
    {
        gasLimit = uint32(bound(gasLimit, 1, type(uint32).max));
        _whSetMessageFee(dA, messageFee);
        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes memory payload = new bytes(bound(size, 0, 2048));
        uint256 fee = aA.quote(recipient, payload, _gasAttr(gasLimit));
        assertEq(fee, messageFee);
        vm.deal(alice, fee + extra);
        uint256 coreBefore = _core().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee + extra}(recipient, payload, _gasAttr(gasLimit));
        assertEq(alice.balance, extra, "refunded the excess");
        assertEq(_core().balance - coreBefore, fee);
        assertEq(address(aA).balance, 0);
    }

    /// @dev The quote follows Wormhole governance's message fee: a fee change between `quote` and `sendMessage` changes
    /// the charge (send a margin; the excess is refunded).
    function test_Quote_FollowsTheGovernanceFee() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 before = aA.quote(recipient, "x", _noAttr());
        _whSetMessageFee(dA, 3 * FEE_A);
        assertEq(aA.quote(recipient, "x", _noAttr()), 3 * before);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterFeeTooLow.selector, 3 * before, before));
        vm.prank(alice);
        aA.sendMessage{value: before}(recipient, "x", _noAttr());
        _whSetMessageFee(dA, 0);
        assertEq(aA.quote(recipient, "x", _noAttr()), 0);
        uint256 aliceBefore = alice.balance;
        vm.prank(alice);
        aA.sendMessage{value: before}(recipient, "x", _noAttr());
        assertEq(alice.balance, aliceBefore, "free: everything refunded");
    }

    /// @dev At a zero message fee a send with no value needs no sponsorship: nothing is taken from the sponsor balance.
    function test_Send_FreeWithoutValue_NeedsNoSponsorship() public {
        aA.fund{value: 1 ether}();
        _whSetMessageFee(dA, 0);
        bytes memory recipient = _to(CHAIN_B, address(rB));
        assertEq(aA.quote(recipient, "x", _noAttr()), 0);
        assertFalse(aA.isSponsoredSender(alice));
        vm.prank(alice);
        aA.sendMessage(recipient, "x", _noAttr());
        assertEq(address(aA).balance, 1 ether, "sponsor balance untouched");
        assertEq(aA.nonce(CHAIN_B), 1);
    }

    /// @dev No value: a sponsored sender's message is paid from the sponsor balance, exactly the quote.
    function test_Sponsored_PaysTheQuoteFromTheSponsorBalance() public {
        aA.fund{value: 1 ether}();
        aA.setSponsoredSender(alice, true);
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        uint256 coreBefore = _core().balance;
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(
            aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), _nextEnvelope("x")), fee, true
        );
        vm.prank(alice);
        aA.sendMessage(recipient, "x", _noAttr());
        assertEq(address(aA).balance, 1 ether - fee);
        assertEq(_core().balance - coreBefore, fee);
    }

    function test_Send_RevertWhen_ValueBelowTheQuote() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterFeeTooLow.selector, FEE_A, FEE_A - 1));
        vm.prank(alice);
        aA.sendMessage{value: FEE_A - 1}(recipient, "x", _noAttr());
    }

    function test_Send_RevertWhen_NoValueAndNotSponsored() public {
        aA.fund{value: 1 ether}();
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotSponsored.selector, alice));
        vm.prank(alice);
        aA.sendMessage(_to(CHAIN_B, address(rB)), "x", _noAttr());
    }

    function test_Send_RevertWhen_SponsorBalanceBelowTheQuote() public {
        aA.setSponsoredSender(alice, true);
        aA.fund{value: FEE_A - 1}();
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterSponsorBalanceTooLow.selector, FEE_A, FEE_A - 1)
        );
        vm.prank(alice);
        aA.sendMessage(_to(CHAIN_B, address(rB)), "x", _noAttr());
        aA.fund{value: 1}();
        vm.prank(alice);
        aA.sendMessage(_to(CHAIN_B, address(rB)), "x", _noAttr());
        assertEq(address(aA).balance, 0);
    }

    /// @dev `fund` adds to the sponsor balance (evented); the adapter takes no plain transfer (no refund ever comes
    /// back from Wormhole's core, so it has no `receive`).
    function test_Fund_AddsToTheSponsorBalance_NoPlainTransfer() public {
        vm.expectEmit(address(aA));
        emit IConcordAdapter.SponsorFunded(alice, 2 ether);
        vm.prank(alice);
        aA.fund{value: 2 ether}();
        assertEq(address(aA).balance, 2 ether);
        vm.prank(alice);
        (bool ok,) = address(aA).call{value: 1 ether}("");
        assertFalse(ok);
    }

    /// @dev An overpaying sender that cannot take its refund: the send reverts (nothing published).
    function test_Send_RevertWhen_RefundRefused() public {
        WhValueRefuser refuser = new WhValueRefuser();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterRefundFailed.selector, address(refuser), 1)
        );
        refuser.send{value: FEE_A + 1}(aA, recipient, "x");
        assertEq(_whCore(dA).nextSequence(address(aA)), 0);
        refuser.send{value: FEE_A}(aA, recipient, "x");
        assertEq(_whCore(dA).nextSequence(address(aA)), 1);
    }

    /// @dev The refund gives the sender control; re-entering `sendMessage` then is refused (send lock).
    function test_Send_ReentrantSendFromRefund_Refused() public {
        WhReentrantSender s = new WhReentrantSender();
        s.send{value: FEE_A + 1 ether}(aA, _to(CHAIN_B, address(rB)));
        assertTrue(s.reentered());
        assertEq(s.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
        assertEq(_whCore(dA).nextSequence(address(aA)), 1, "only the outer message");
    }

    /// @dev A domain with a remote adapter but no Wormhole chain: quote and send refuse it.
    function test_Quote_RevertWhen_NoWormholeChain() public {
        aA.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        bytes memory recipient = _to(CHAIN_C, address(rB));
        vm.expectRevert(abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterUnknownDomain.selector, CHAIN_C));
        aA.quote(recipient, "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IWormholeAdapter.WormholeAdapterUnknownDomain.selector, CHAIN_C));
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
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aA.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_C));
        aA.quote(_to(CHAIN_C, address(rA)), "x", _noAttr());
        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes[] memory attrs = _gasAttr(0);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidAttribute.selector, attrs[0]));
        aA.quote(recipient, "x", attrs);
        attrs[0] = abi.encodeWithSelector(bytes4(0x12345678), 1);
        vm.expectRevert(abi.encodeWithSelector(IERC7786GatewaySource.UnsupportedAttribute.selector, bytes4(0x12345678)));
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(recipient, "x", attrs);
        assertTrue(aA.supportsAttribute(0xce296026));
        assertFalse(aA.supportsAttribute(0x12345678));
    }

    /// @dev alice's next envelope to rB on B (default gas limit).
    function _nextEnvelope(bytes memory payload) internal view returns (bytes memory) {
        return abi.encodePacked(uint64(aA.nonce(CHAIN_B)), CHAIN_A, alice, address(rB), DEFAULT_GAS, payload);
    }
}
