// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IRouterClient} from "@chainlink/contracts-ccip/contracts/interfaces/IRouterClient.sol";
import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {ICcipAdapter} from "../../../contracts/adapters/ccip/ICcipAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {CcipAdapterBase, ValueRefuser} from "./CcipAdapterBase.sol";

/// @notice TEST ONLY: a sender that re-enters `sendMessage` when refunded (the send lock must refuse it).
contract CcipReentrantSender {
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

/// @notice Issue 16, CCIP fees: `quote` is the Router's own `getFee` of the message sent, and the adapter pays
/// exactly that (from the value sent, the excess refunded by the adapter since the Router keeps any native
/// overpayment, or from the sponsor balance); every fee revert path. Balances are checked on every account that can
/// hold value: sender, adapter, Router. The simulator's router charges a flat fee (`setFee`); a test prices the exact
/// message differently (`vm.mockCall` on `getFee` with the message's bytes) to show that the quote is of that message.
contract CcipAdapterFeesTest is CcipAdapterBase {
    function _router() internal view returns (address) {
        return address(ccipRouter);
    }

    function _message(address receiver, bytes memory envelope, uint256 gas)
        internal
        pure
        returns (Client.EVM2AnyMessage memory)
    {
        return _evm2Any(
            receiver,
            envelope,
            Client._argsToBytes(Client.GenericExtraArgsV2({gasLimit: gas, allowOutOfOrderExecution: true}))
        );
    }

    /// @dev The quote is the Router's `getFee(selector, message)` of exactly the message `ccipSend` gets: priced here
    /// for that message only (any other bytes get the flat fee), the quote and the charge are that price.
    function test_Quote_IsTheRouterFeeOfTheExactMessage() public {
        bytes memory envelope = _envelope(0, alice, address(rB), 250_000, "q");
        Client.EVM2AnyMessage memory m = _message(address(aB), envelope, aA.destinationGas(250_000, envelope.length));
        uint256 price = 0.0042 ether;
        vm.mockCall(_router(), abi.encodeCall(IRouterClient.getFee, (SEL_B, m)), abi.encode(price));
        bytes memory recipient = _to(CHAIN_B, address(rB));
        // The envelope names the sender (the quote's caller): quoted as alice, who sends.
        vm.prank(alice);
        assertEq(aA.quote(recipient, "q", _gasAttr(250_000)), price);
        vm.prank(alice);
        assertEq(aA.quote(recipient, "q", _gasAttr(250_001)), CCIP_FEE, "another message, another price");
        uint256 routerBefore = _router().balance;
        vm.expectCall(_router(), price, abi.encodeCall(IRouterClient.ccipSend, (SEL_B, m)));
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(recipient, "q", _gasAttr(250_000));
        assertEq(_router().balance - routerBefore, price, "charged the quote");
        vm.clearMockedCalls();
    }

    /// @dev Quote == charge; the excess is refunded; the adapter keeps nothing; the Router gets exactly the quote.
    function test_Send_ChargesExactlyTheQuote_RefundsTheExcess() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "pay", _noAttr());
        assertEq(fee, CCIP_FEE);
        uint256 aliceBefore = alice.balance;
        uint256 routerBefore = _router().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee + 1 ether}(recipient, "pay", _noAttr());
        assertEq(aliceBefore - alice.balance, fee, "sender paid exactly the quote");
        assertEq(_router().balance - routerBefore, fee, "the protocol got exactly the quote");
        assertEq(address(aA).balance, 0, "the adapter keeps nothing");
    }

    /// @dev A send with value asks the Router for its fee once (in `_send`, of the message it then sends; the base
    /// does not quote first), pays exactly that and refunds the rest itself: a funded sponsor balance is untouched.
    function test_Send_WithValue_AsksTheRouterFeeOnce_SponsorBalanceUntouched() public {
        address app = makeAddr("app");
        aA.setSponsoredSender(app, true);
        vm.prank(stranger);
        aA.fund{value: 1 ether}();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "once", _noAttr());
        vm.deal(app, fee + 0.5 ether);
        uint256 routerBefore = _router().balance;
        vm.expectCall(_router(), abi.encodeWithSelector(IRouterClient.getFee.selector), 1);
        vm.expectCall(_router(), fee, abi.encodeWithSelector(IRouterClient.ccipSend.selector), 1);
        vm.prank(app);
        aA.sendMessage{value: fee + 0.5 ether}(recipient, "once", _noAttr());
        assertEq(app.balance, 0.5 ether, "the sender paid exactly the fee");
        assertEq(_router().balance - routerBefore, fee, "the Router got exactly the fee");
        assertEq(address(aA).balance, 1 ether, "the sponsor balance is untouched");
    }

    /// @dev A sponsored send (no value) asks the Router for its fee once too: the base's quote, which `_send` pays
    /// without asking again.
    function test_Send_Sponsored_AsksTheRouterFeeOnce() public {
        address app = makeAddr("app");
        aA.setSponsoredSender(app, true);
        vm.prank(stranger);
        aA.fund{value: 1 ether}();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "sponsored", _noAttr());
        vm.expectCall(_router(), abi.encodeWithSelector(IRouterClient.getFee.selector), 1);
        vm.prank(app);
        aA.sendMessage(recipient, "sponsored", _noAttr());
        assertEq(address(aA).balance, 1 ether - fee, "the sponsor balance paid exactly the fee");
    }

    /// @dev Quote == charge for any payload size, gas limit and fee, the refund checked to the wei.
    function testFuzz_Send_ChargesExactlyTheQuote(uint16 size, uint32 gasLimit, uint64 extra, uint64 price) public {
        gasLimit = uint32(bound(gasLimit, 1, 30_000_000));
        ccipRouter.setFee(price);
        bytes memory payload = new bytes(bound(size, 0, 4096));
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, payload, _gasAttr(gasLimit));
        assertEq(fee, price);
        vm.deal(alice, uint256(fee) + extra);
        uint256 routerBefore = _router().balance;
        if (fee + extra == 0) {
            // Nothing sent: the sponsored path, which alice is not on.
            vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotSponsored.selector, alice));
        }
        vm.prank(alice);
        aA.sendMessage{value: fee + extra}(recipient, payload, _gasAttr(gasLimit));
        if (fee + extra == 0) return;
        assertEq(alice.balance, extra, "refund");
        assertEq(_router().balance - routerBefore, fee, "charge");
        assertEq(address(aA).balance, 0);
    }

    /// @dev The quote follows the Router's fee: a fee change moves both quote and charge.
    function test_Quote_FollowsTheRouterFee() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        ccipRouter.setFee(3 * CCIP_FEE);
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        assertEq(fee, 3 * CCIP_FEE);
        uint256 routerBefore = _router().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "x", _noAttr());
        assertEq(_router().balance - routerBefore, fee);
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
        uint256 routerBefore = _router().balance;
        bytes memory envelope = _envelope(0, app, address(rB), DEFAULT_GAS, "free");
        bytes32 id = aA.messageIdOf(CHAIN_A, address(aA), CHAIN_B, address(aB), envelope);
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(id, fee, true);
        vm.prank(app);
        aA.sendMessage(recipient, "free", _noAttr());
        assertEq(address(aA).balance, 1 ether - fee, "sponsor balance paid exactly the quote");
        assertEq(_router().balance - routerBefore, fee);
        // A sponsored sender that sends value pays itself (the sponsor balance untouched).
        vm.deal(app, fee);
        vm.prank(app);
        aA.sendMessage{value: fee}(recipient, "paid", _noAttr());
        assertEq(address(aA).balance, 1 ether - fee);
        assertEq(app.balance, 0);
    }

    /// @dev The adapter takes value only through `fund` (CCIP refunds nothing to it): a plain transfer is refused.
    function test_PlainValue_Refused() public {
        vm.prank(stranger);
        (bool ok,) = address(aA).call{value: 2 wei}("");
        assertFalse(ok);
        assertEq(address(aA).balance, 0);
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

    /// @dev An overpaying sender that cannot take its refund: the send reverts (nothing sent).
    function test_Send_RevertWhen_RefundRefused() public {
        ValueRefuser refuser = new ValueRefuser();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterRefundFailed.selector, address(refuser), 1)
        );
        refuser.send{value: fee + 1}(aA, recipient, "x");
        assertEq(aA.nonce(CHAIN_B), 0);
        refuser.send{value: fee}(aA, recipient, "x");
        assertEq(aA.nonce(CHAIN_B), 1);
    }

    /// @dev The refund gives the sender control; re-entering `sendMessage` then is refused (send lock).
    function test_Send_ReentrantSendFromRefund_Refused() public {
        CcipReentrantSender s = new CcipReentrantSender();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "outer", _noAttr());
        _ccipRecord();
        s.send{value: fee + 1 ether}(aA, recipient);
        assertEq(_ccipCapture(), 1, "only the outer message");
        assertTrue(s.reentered());
        assertEq(s.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
    }

    function test_Quote_RevertWhen_NoChainSelector() public {
        aA.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        bytes memory recipient = _to(CHAIN_C, address(rB));
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterUnknownDomain.selector, CHAIN_C));
        aA.quote(recipient, "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(ICcipAdapter.CcipAdapterUnknownDomain.selector, CHAIN_C));
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
        attrs = new bytes[](1);
        attrs[0] = abi.encodeWithSelector(bytes4(0x12345678), 1);
        vm.expectRevert(abi.encodeWithSelector(IERC7786GatewaySource.UnsupportedAttribute.selector, bytes4(0x12345678)));
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(recipient, "x", attrs);
        assertTrue(aA.supportsAttribute(0xce296026));
        assertFalse(aA.supportsAttribute(0x12345678));
    }

    /// @dev The gasLimit attribute becomes the CCIP extra args' gas limit, through `destinationGas`.
    function test_GasLimitAttribute_MapsOntoExtraArgs() public {
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), "g", _gasAttr(777_777));
        assertEq(_ccipEnvelope(m).gasLimit, 777_777);
        assertEq(ccipSent[m].gasLimit, aA.destinationGas(777_777, _ccipBody(m).length));
        assertEq(
            ccipSent[m].extraArgs,
            abi.encodeWithSelector(Client.GENERIC_EXTRA_ARGS_V2_TAG, ccipSent[m].gasLimit, true),
            "GenericExtraArgsV2, out of order"
        );
        (, m) = _sendAB("d");
        assertEq(ccipSent[m].gasLimit, aA.destinationGas(DEFAULT_GAS, _ccipBody(m).length), "the default limit");
    }
}
