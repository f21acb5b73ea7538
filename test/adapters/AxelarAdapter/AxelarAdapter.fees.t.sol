// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAxelarGasService} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGasService.sol";
// AxelarGasService (cgp 6.4.0) is built on its own gmp-sdk 5.10: its GasInfo is that version's.
import {GasInfo} from "@axelar-network/axelar-gmp-sdk-solidity-5/contracts/types/GasEstimationTypes.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {Vm} from "forge-std/Vm.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IAxelarAdapter} from "../../../contracts/adapters/axelar/IAxelarAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {ValueRefuser} from "../HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {AxelarAdapterBase} from "./AxelarAdapterBase.sol";

/// @notice TEST ONLY: a sender that re-enters `sendMessage` when refunded (the send lock must refuse it).
contract AxelarReentrantSender {
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

/// @notice Issue 16, Axelar fees: `quote` is the gas service's own on-chain `estimateGasFee` of what is paid for (the
/// chain, the remote adapter, the envelope, `destinationGas(gasLimit)` as the execution gas limit), and the adapter
/// pays exactly that (from the value sent, the excess refunded, or from the sponsor balance); Axelar's later refunds
/// go to the paying caller or to the sponsor balance; every fee revert path. Balances are checked on every account
/// that can hold value: sender, adapter, gas service.
contract AxelarAdapterFeesTest is AxelarAdapterBase {
    function _gs() internal view returns (address) {
        return address(axChains[cA].gasService);
    }

    function _setGasInfo(uint256 c, string memory chain, GasInfo memory info) internal {
        string[] memory chains = new string[](1);
        chains[0] = chain;
        GasInfo[] memory infos = new GasInfo[](1);
        infos[0] = info;
        axChains[c].gasService.updateGasInfo(chains, infos);
    }

    /// @dev The quote is Axelar's estimate of the exact payment: `estimateGasFee(chain name, remote adapter (hex),
    /// envelope, destinationGas, "")` = base fee + destinationGas * relative gas price.
    function test_Quote_IsTheGasServiceEstimate() public {
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: CHAIN_A, sender: alice, recipient: address(rB), gasLimit: 250_000, payload: "q"
            })
        );
        uint256 gas = aA.destinationGas(250_000, envelope.length);
        uint256 estimate =
            axChains[cA].gasService.estimateGasFee(AX_B, aA.axelarAddressOf(address(aB)), envelope, gas, "");
        vm.prank(alice);
        uint256 fee = aA.quote(_to(CHAIN_B, address(rB)), "q", _gasAttr(250_000));
        assertEq(fee, estimate);
        assertEq(fee, AX_BASE_FEE + gas * AX_GAS_PRICE);
    }

    /// @dev Quote == charge; the excess is refunded at once; the adapter keeps nothing; the gas service gets exactly the
    /// quote, with the caller as Axelar's refund address.
    function test_Send_ChargesExactlyTheQuote_RefundsTheExcess() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "pay", _noAttr());
        assertGt(fee, 0);
        uint256 aliceBefore = alice.balance;
        uint256 gsBefore = _gs().balance;
        vm.recordLogs();
        vm.prank(alice);
        aA.sendMessage{value: fee + 1 ether}(recipient, "pay", _noAttr());
        assertEq(aliceBefore - alice.balance, fee, "sender paid exactly the quote");
        assertEq(_gs().balance - gsBefore, fee, "the protocol got exactly the quote");
        assertEq(address(aA).balance, 0, "the adapter keeps nothing");
        (address payer, string memory chain, string memory to,, uint256 paid, address refundAddress) = _lastGasPayment();
        assertEq(payer, address(aA), "the adapter is the gas service's sender (the gateway's caller)");
        assertEq(chain, AX_B);
        assertEq(to, aA.axelarAddressOf(address(aB)));
        assertEq(paid, fee);
        assertEq(refundAddress, alice, "Axelar refunds the payer");
    }

    /// @dev Quote == charge for any payload size and gas limit, the refund checked to the wei, on a destination
    /// priced as an OP-stack L2 (the estimate then adds an L1 data fee computed over the envelope's bytes).
    function testFuzz_Send_ChargesExactlyTheQuote(uint16 size, uint32 gasLimit, uint64 extra, bool l2) public {
        if (l2) {
            _setGasInfo(
                cA,
                AX_B,
                GasInfo({
                    gasEstimationType: 1, // OptimismEcotone
                    l1FeeScalar: 1368,
                    axelarBaseFee: AX_BASE_FEE,
                    relativeGasPrice: AX_GAS_PRICE,
                    relativeBlobBaseFee: 0,
                    expressFee: 0
                })
            );
            _setGasInfo(
                cA,
                "ethereum",
                GasInfo({
                    gasEstimationType: 0,
                    l1FeeScalar: 0,
                    axelarBaseFee: 0,
                    relativeGasPrice: 20 gwei,
                    relativeBlobBaseFee: 1 gwei,
                    expressFee: 0
                })
            );
        }
        gasLimit = uint32(bound(gasLimit, 1, 30_000_000));
        bytes memory payload = new bytes(bound(size, 0, 4096));
        for (uint256 i = 0; i < payload.length; i += 7) {
            payload[i] = bytes1(uint8(i));
        }
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, payload, _gasAttr(gasLimit));
        vm.deal(alice, fee + extra);
        uint256 gsBefore = _gs().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee + extra}(recipient, payload, _gasAttr(gasLimit));
        assertEq(alice.balance, extra, "refund");
        assertEq(_gs().balance - gsBefore, fee, "charge");
        assertEq(address(aA).balance, 0);
    }

    /// @dev On an L2 destination the L1 data fee depends on the envelope's bytes: the quote still equals the charge
    /// (the adapter quotes the very envelope it sends, whose length does not depend on the nonce or the sender).
    function test_Quote_L2Destination_AddsTheL1DataFee() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 l1Free = aA.quote(recipient, "data", _noAttr());
        // The gas service reads L1 prices under the name "ethereum" (a mainnet convention of Axelar's estimator).
        _setGasInfo(
            cA,
            "ethereum",
            GasInfo({
                gasEstimationType: 0,
                l1FeeScalar: 0,
                axelarBaseFee: 0,
                relativeGasPrice: 20 gwei,
                relativeBlobBaseFee: 1 gwei,
                expressFee: 0
            })
        );
        _setGasInfo(
            cA,
            AX_B,
            GasInfo({
                gasEstimationType: 1,
                l1FeeScalar: 1368,
                axelarBaseFee: AX_BASE_FEE,
                relativeGasPrice: AX_GAS_PRICE,
                relativeBlobBaseFee: 0,
                expressFee: 0
            })
        );
        uint256 fee = aA.quote(recipient, "data", _noAttr());
        assertGt(fee, l1Free, "an L1 data fee on top");
        uint256 gsBefore = _gs().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "data", _noAttr());
        assertEq(_gs().balance - gsBefore, fee);
    }

    /// @dev The quote follows the gas service's prices: a price change moves both quote and charge.
    function test_Quote_FollowsTheGasServicePrices() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 before = aA.quote(recipient, "x", _noAttr());
        _setGasInfo(
            cA,
            AX_B,
            GasInfo({
                gasEstimationType: 0,
                l1FeeScalar: 0,
                axelarBaseFee: AX_BASE_FEE,
                relativeGasPrice: 3 gwei,
                relativeBlobBaseFee: 0,
                expressFee: 0
            })
        );
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        assertEq(fee, 3 * before - 2 * AX_BASE_FEE);
        uint256 gsBefore = _gs().balance;
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "x", _noAttr());
        assertEq(_gs().balance - gsBefore, fee);
        // A larger gas limit costs more, by exactly the extra destination gas (gasLimit + gasLimit / 63).
        uint256 more = aA.quote(recipient, "x", _gasAttr(DEFAULT_GAS + 63_000));
        assertEq(more - fee, (63_000 + 1000) * 3 gwei);
    }

    /// @dev Sponsored path: a sponsored sender sends with no value; the sponsor balance pays exactly the quote, and
    /// Axelar's refund address is the adapter: the gas collector's later refund returns to the sponsor balance.
    function test_Sponsored_PaysTheQuoteFromTheSponsorBalance_RefundsComeBack() public {
        address app = makeAddr("app");
        aA.setSponsoredSender(app, true);
        vm.expectEmit(address(aA));
        emit IConcordAdapter.SponsorFunded(stranger, 1 ether);
        vm.prank(stranger);
        aA.fund{value: 1 ether}();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "free", _noAttr());
        uint256 gsBefore = _gs().balance;
        vm.recordLogs();
        vm.prank(app);
        bytes32 id = aA.sendMessage(recipient, "free", _noAttr());
        (,,,, uint256 paid, address refundAddress) = _lastGasPayment();
        assertEq(paid, fee);
        assertEq(refundAddress, address(aA), "the sponsor balance gets Axelar's refunds");
        assertEq(address(aA).balance, 1 ether - fee, "sponsor balance paid exactly the quote");
        assertEq(_gs().balance - gsBefore, fee);
        assertTrue(id != bytes32(0));

        // The gas collector refunds unused gas after execution (this fixture is the collector).
        vm.expectEmit(address(aA));
        emit IConcordAdapter.SponsorFunded(_gs(), fee / 4);
        axChains[cA].gasService.refund(bytes32(0), 0, payable(address(aA)), address(0), fee / 4);
        assertEq(address(aA).balance, 1 ether - fee + fee / 4);

        // A sponsored sender that sends value pays itself (the sponsor balance untouched).
        vm.deal(app, fee);
        vm.prank(app);
        aA.sendMessage{value: fee}(recipient, "paid", _noAttr());
        assertEq(address(aA).balance, 1 ether - fee + fee / 4);
        assertEq(app.balance, 0);
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
        vm.recordLogs();
        refuser.send{value: fee}(aA, recipient, "x");
        assertEq(_axCapture(), 1);
        assertEq(aA.nonce(CHAIN_B), 1, "only the second send happened");
    }

    /// @dev The refund gives the sender control; re-entering `sendMessage` then is refused (send lock).
    function test_Send_ReentrantSendFromRefund_Refused() public {
        AxelarReentrantSender s = new AxelarReentrantSender();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "outer", _noAttr());
        vm.recordLogs();
        s.send{value: fee + 1 ether}(aA, recipient);
        assertTrue(s.reentered());
        assertEq(s.reentryError(), abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector));
        assertEq(_axCapture(), 1, "only the outer message");
    }

    function test_Quote_RevertWhen_NoAxelarChain() public {
        aA.setRemote(CHAIN_C, makeAddr("adapterOnC"));
        bytes memory recipient = _to(CHAIN_C, address(rB));
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterUnknownDomain.selector, CHAIN_C));
        aA.quote(recipient, "x", _noAttr());
        vm.expectRevert(abi.encodeWithSelector(IAxelarAdapter.AxelarAdapterUnknownDomain.selector, CHAIN_C));
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
    }

    /// @dev The last `NativeGasPaidForContractCall` of A's gas service in the recorded logs.
    function _lastGasPayment()
        internal
        returns (
            address sender,
            string memory chain,
            string memory destinationAddress,
            bytes32 payloadHash,
            uint256 amount,
            address refundAddress
        )
    {
        bytes32 topic = IAxelarGasService.NativeGasPaidForContractCall.selector;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool found;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != _gs() || logs[i].topics[0] != topic) continue;
            sender = address(uint160(uint256(logs[i].topics[1])));
            payloadHash = logs[i].topics[2];
            (chain, destinationAddress, amount, refundAddress) =
                abi.decode(logs[i].data, (string, string, uint256, address));
            found = true;
        }
        assertTrue(found, "a gas payment");
    }
}
