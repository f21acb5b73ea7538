// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SendLibBase} from "@layerzerolabs/lz-evm-messagelib-v2/contracts/SendLibBase.sol";
import {
    MessagingFee,
    MessagingParams
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {ILayerZeroPriceFeed} from "@layerzerolabs/test-devtools-evm-foundry/contracts/mocks/PriceFeedMock.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {Vm} from "forge-std/Vm.sol";

import {ILayerZeroAdapter} from "../../../contracts/adapters/layerzero/ILayerZeroAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ReentrantSender} from "../HyperlaneAdapter/HyperlaneAdapter.fees.t.sol";
import {ValueRefuser} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {LayerZeroAdapterBase} from "./LayerZeroAdapterBase.sol";

/// @notice Issue 16, LayerZero fees: `quote` is the endpoint's own `quote` of what is sent, and the adapter pays exactly
/// that (from the value sent, the excess refunded, or from the sponsor balance); every fee revert path. Balances are
/// checked on every account that can hold value: sender, adapter, the send library (which collects the DVN's,
/// executor's and treasury's fees).
contract LayerZeroAdapterFeesTest is LayerZeroAdapterBase {
    function setUp() public override {
        super.setUp();
        // A realistic destination gas price (1 gwei at a 1:1 price ratio) instead of the kit's 1 wei.
        _setGasPrice(EID_B, 1 gwei);
    }

    function _setGasPrice(uint32 eid, uint64 gasPriceInUnit) internal {
        ILayerZeroPriceFeed.UpdatePrice[] memory prices = new ILayerZeroPriceFeed.UpdatePrice[](1);
        prices[0] = ILayerZeroPriceFeed.UpdatePrice(
            eid, ILayerZeroPriceFeed.Price(endpointSetup.priceFeed.getPriceRatioDenominator(), gasPriceInUnit, 16)
        );
        endpointSetup.priceFeed.setPrice(prices);
    }

    function _sendLib() internal view returns (address) {
        return endpointSetup.sendLibs[EID_A - 1];
    }

    /// @dev The quote is LayerZero's quote of the exact send: `EndpointV2.quote(MessagingParams(eid B, remote adapter,
    /// envelope, options(receiveGas), false), adapter)`.
    function test_Quote_IsTheEndpointQuoteOfTheSend() public view {
        bytes memory envelope = _envelope(0, alice, address(rB), 250_000, "q");
        MessagingParams memory params = MessagingParams({
            dstEid: EID_B,
            receiver: bytes32(uint256(uint160(address(aB)))),
            message: envelope,
            options: aA.optionsOf(250_000, envelope.length),
            payInLzToken: false
        });
        MessagingFee memory endpointQuote = _lzEndpoint(EID_A).quote(params, address(aA));
        uint256 fee = aA.quote(_to(CHAIN_B, address(rB)), "q", _gasAttr(250_000));
        assertEq(fee, endpointQuote.nativeFee);
        assertEq(endpointQuote.lzTokenFee, 0);
        assertGt(fee, 250_000 * 1 gwei, "at least the recipient's gas at the destination price");
    }

    /// @dev Quote == charge; the excess is refunded; the adapter keeps nothing; the send library gets exactly the
    /// quote; the adapter's event names the fee.
    function test_Send_ChargesExactlyTheQuote_RefundsTheExcess() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "pay", _noAttr());
        assertGt(fee, 0);
        uint256 aliceBefore = alice.balance;
        uint256 libBefore = _sendLib().balance;
        bytes32 id = aA.messageIdOf(
            CHAIN_A, address(aA), CHAIN_B, address(aB), _envelope(0, alice, address(rB), DEFAULT_GAS, "pay")
        );
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(id, fee, false);
        vm.recordLogs();
        vm.prank(alice);
        aA.sendMessage{value: fee + 1 ether}(recipient, "pay", _noAttr());
        _lzCapture();
        assertEq(aliceBefore - alice.balance, fee, "sender paid exactly the quote");
        assertEq(_sendLib().balance - libBefore, fee, "the protocol got exactly the quote");
        assertEq(address(aA).balance, 0, "the adapter keeps nothing");
    }

    /// @dev Quote == charge for any payload size and gas limit, the refund checked to the wei.
    function testFuzz_Send_ChargesExactlyTheQuote(uint16 size, uint32 gasLimit, uint64 extra) public {
        gasLimit = uint32(bound(gasLimit, 1, 30_000_000));
        bytes memory payload = new bytes(bound(size, 0, 4096));
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, payload, _gasAttr(gasLimit));
        vm.deal(alice, fee + extra);
        uint256 libBefore = _sendLib().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee + extra}(recipient, payload, _gasAttr(gasLimit));
        assertEq(alice.balance, extra, "refund");
        assertEq(_sendLib().balance - libBefore, fee, "charge");
        assertEq(address(aA).balance, 0);
    }

    /// @dev The quote follows LayerZero's price feed: a destination gas price change moves both quote and charge; more
    /// recipient gas costs more.
    function test_Quote_FollowsThePriceFeed() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 before = aA.quote(recipient, "x", _noAttr());
        _setGasPrice(EID_B, 3 gwei);
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        assertGt(fee, 2 * before, "about three times (the floor margin is fixed)");
        uint256 libBefore = _sendLib().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "x", _noAttr());
        assertEq(_sendLib().balance - libBefore, fee);
        uint256 more = aA.quote(recipient, "x", _gasAttr(DEFAULT_GAS + 31_000));
        assertGe(more - fee, 31_000 * 3 gwei, "the extra recipient gas, at least at the gas price");
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
        uint256 libBefore = _sendLib().balance;
        bytes32 id = aA.messageIdOf(
            CHAIN_A, address(aA), CHAIN_B, address(aB), _envelope(0, app, address(rB), DEFAULT_GAS, "free")
        );
        vm.expectEmit(address(aA));
        emit IConcordAdapter.AdapterMessageSent(id, fee, true);
        vm.prank(app);
        aA.sendMessage(recipient, "free", _noAttr());
        assertEq(address(aA).balance, 1 ether - fee, "sponsor balance paid exactly the quote");
        assertEq(_sendLib().balance - libBefore, fee);
        // A sponsored sender that sends value pays itself (the sponsor balance untouched).
        vm.deal(app, fee);
        vm.prank(app);
        aA.sendMessage{value: fee}(recipient, "paid", _noAttr());
        assertEq(address(aA).balance, 1 ether - fee);
        assertEq(app.balance, 0);
    }

    /// @dev A send with value is not quoted first: the endpoint takes its price and refunds the excess to the adapter
    /// inside the send, and the adapter returns it to the sender. That refund is not sponsor funding (no
    /// `SponsorFunded`), the fee reported is what the endpoint kept (the quote), and a sponsor balance held at the
    /// same time is untouched, to the wei.
    function test_Send_EndpointRefundInsideTheSend_ReturnedNotSponsorFunding() public {
        aA.fund{value: 1 ether}();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "r", _noAttr());
        uint256 aliceBefore = alice.balance;
        uint256 libBefore = _sendLib().balance;
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
                assertEq(reported, fee, "the fee the endpoint kept");
                assertFalse(sponsored);
                ++reports;
            }
        }
        assertEq(reports, 1);
        assertEq(aliceBefore - alice.balance, fee);
        assertEq(_sendLib().balance - libBefore, fee);
        assertEq(address(aA).balance, 1 ether, "the sponsor balance is untouched");
    }

    /// @dev Value is conserved across any mix of paid (exact or overpaid) and sponsored sends: what leaves the senders
    /// and the sponsor balance is exactly what the send library collects, each send charged its quote.
    function testFuzz_Send_ValueConserved(uint64 extra, uint96 sponsorFunds, bool sponsoredFirst) public {
        address app = makeAddr("app");
        aA.setSponsoredSender(app, true);
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "v", _noAttr());
        uint256 funds = bound(sponsorFunds, fee, 10 ether);
        aA.fund{value: funds}();
        vm.deal(alice, fee + extra);
        vm.deal(app, fee + extra);
        uint256 libBefore = _sendLib().balance;
        if (sponsoredFirst) {
            vm.prank(app);
            aA.sendMessage(recipient, "v", _noAttr());
        }
        vm.prank(alice);
        aA.sendMessage{value: fee + extra}(recipient, "v", _noAttr());
        vm.prank(app);
        aA.sendMessage{value: fee + extra}(recipient, "v", _noAttr());
        if (!sponsoredFirst) {
            vm.prank(app);
            aA.sendMessage(recipient, "v", _noAttr());
        }
        assertEq(alice.balance, extra, "alice paid exactly the quote");
        assertEq(app.balance, extra, "a sponsored sender that pays pays exactly the quote");
        assertEq(address(aA).balance, funds - fee, "the sponsor balance paid exactly one quote");
        assertEq(_sendLib().balance - libBefore, 3 * fee, "the protocol got exactly three quotes");
    }

    /// @dev A send that the endpoint refuses for another reason than the fee (an envelope over the executor's maximum
    /// message size) reverts with LayerZero's own reason, not `ConcordAdapterFeeTooLow`; one byte less is sent.
    function test_Send_RevertWhen_EndpointRefuses_ReasonBubbled() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes memory payload = new bytes(10_000 - 56 + 1);
        vm.expectRevert(abi.encodeWithSelector(SendLibBase.LZ_MessageLib_InvalidMessageSize.selector, 10_001, 10_000));
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(recipient, payload, _noAttr());
        payload = new bytes(10_000 - 56);
        uint256 fee = aA.quote(recipient, payload, _noAttr());
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, payload, _noAttr());
        assertEq(_lzEndpoint(EID_A).outboundNonce(address(aA), EID_B, bytes32(uint256(uint160(address(aB))))), 1);
    }

    /// @dev Plain ETH sent to the adapter (as an endpoint refund would be) adds to the sponsor balance, with the event.
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
        refuser.send{value: fee}(aA, recipient, "x");
        assertEq(_lzEndpoint(EID_A).outboundNonce(address(aA), EID_B, bytes32(uint256(uint160(address(aB))))), 1);
    }

    /// @dev The refund gives the sender control; re-entering `sendMessage` then is refused (send lock).
    function test_Send_ReentrantSendFromRefund_Refused() public {
        ReentrantSender s = new ReentrantSender();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "outer", _noAttr());
        s.send{value: fee + 1 ether}(aA, recipient);
        assertTrue(s.reentered());
        assertEq(s.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
        assertEq(
            _lzEndpoint(EID_A).outboundNonce(address(aA), EID_B, bytes32(uint256(uint160(address(aB))))),
            1,
            "only the outer message"
        );
    }

    function test_Quote_RevertWhen_NoEid() public {
        aA.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        bytes memory recipient = _to(CHAIN_C, address(rB));
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterUnknownDomain.selector, CHAIN_C));
        aA.quote(recipient, "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(ILayerZeroAdapter.LayerZeroAdapterUnknownDomain.selector, CHAIN_C));
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(recipient, "x", _noAttr());
    }

    /// @dev Recipient, domain and attribute checks of the base, as this adapter exercises them.
    function test_Send_RevertWhen_BadRecipientDomainOrAttribute() public {
        bytes memory bad = hex"0001";
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidRecipient.selector, bad));
        aA.quote(bad, "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A));
        aA.quote(_to(CHAIN_A, address(rA)), "x", _noAttr());
        bytes memory recipient = _to(CHAIN_B, address(rB));
        bytes[] memory attrs = _gasAttr(0);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidAttribute.selector, attrs[0]));
        aA.quote(recipient, "x", attrs);
        attrs[0] = abi.encodeWithSelector(bytes4(0x12345678), 1);
        vm.expectRevert(abi.encodeWithSelector(IERC7786GatewaySource.UnsupportedAttribute.selector, bytes4(0x12345678)));
        vm.prank(alice);
        aA.sendMessage{value: 1 ether}(recipient, "x", attrs);
    }

    /// @dev The gasLimit attribute is the executor's lzReceive option: the option's gas is `receiveGas(gasLimit,
    /// envelope length)`, whatever the limit (up to 2**32 - 1, which still fits LayerZero's uint128 option).
    function testFuzz_GasLimitAttribute_IsTheLzReceiveOption(uint32 gasLimit, uint16 size) public {
        gasLimit = uint32(bound(gasLimit, 1, type(uint32).max));
        bytes memory payload = new bytes(bound(size, 0, 2048));
        _setGasPrice(EID_B, 1);
        (, uint256 m) = _send(aA, alice, CHAIN_B, address(rB), payload, _gasAttr(gasLimit));
        assertEq(_lzGasOf(m), aA.receiveGas(gasLimit, _lzBody(m).length));
        assertEq(_lzEnvelope(m).gasLimit, gasLimit);
    }
}
