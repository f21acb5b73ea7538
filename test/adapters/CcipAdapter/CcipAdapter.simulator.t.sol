// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Client} from "@chainlink/contracts-ccip/contracts/libraries/Client.sol";
import {MockCCIPRouter} from "@chainlink/local/src/vendor/chainlink-ccip/test/mocks/MockRouter.sol";

import {CcipAdapter} from "../../../contracts/adapters/ccip/CcipAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {CcipAdapterBase, ProbeRecipient} from "./CcipAdapterBase.sol";

/// @notice Issue 16, CCIP through the local simulator as it ships (nothing held): `ccipSend` delivers in the same call,
/// from the one router that is both source and destination, stamping Sepolia's selector as the source of every
/// message. Each adapter therefore maps its peer onto that selector. These tests pin what the adapter does there and
/// what the simulator hides (docs/adapters.md, "What the synchronous simulator hides"): the others in this folder hold
/// every message and route it by hand.
contract CcipAdapterSimulatorTest is CcipAdapterBase {
    function setUp() public override {
        super.setUp();
        _ccipReleaseAll();
        aA.setChainSelector(CHAIN_B, SIM_SELECTOR);
        aB.setChainSelector(CHAIN_A, SIM_SELECTOR);
    }

    /// @dev A -> B -> A in one transaction: alice's send delivers to rB, whose answer (sent from inside its delivery)
    /// delivers to rA, all inside alice's `sendMessage`.
    function test_Simulator_RoundTrip_InOneTransaction() public {
        rB.setMode(ProbeRecipient.Mode.REPLY);
        rB.setReplyTo(_to(CHAIN_A, address(rA)));
        vm.deal(address(rB), 1 ether);
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "ping", _gasAttr(500_000));
        _ccipRecord();
        vm.prank(alice);
        bytes32 id = aA.sendMessage{value: fee}(recipient, "ping", _gasAttr(500_000));
        assertEq(_ccipCapture(), 2, "the send and the answer, both in alice's transaction");
        uint256 out = _ccipLast() - 1;
        assertEq(rB.count(), 1);
        assertEq(rB.delivery(0).receiveId, id);
        assertEq(rB.delivery(0).sender, _to(CHAIN_A, alice));
        assertEq(rA.count(), 1, "the answer arrived in the same transaction");
        assertEq(rA.delivery(0).sender, _to(CHAIN_B, address(rB)));
        assertEq(rA.delivery(0).payload, "re: ping");
        _assertStatus(aB, CHAIN_A, address(aA), out, IConcordAdapter.MessageStatus.EXECUTED);
    }

    /// @dev A recipient that fails does not revert the send (the adapter records FAILED and returns, so the router
    /// sees a successful `ccipReceive`); retried by anyone with more gas.
    function test_Simulator_FailingRecipient_SendSucceeds_RetriedLater() public {
        rB.setMode(ProbeRecipient.Mode.NEED_GAS);
        rB.setSlots(12);
        (, uint256 m) = _sendAB("heavy");
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.FAILED);
        aB.retry(CHAIN_A, address(aA), _ccipBody(m), 600_000);
        _assertStatus(aB, CHAIN_A, address(aA), m, IConcordAdapter.MessageStatus.EXECUTED);
        assertEq(rB.filled(), 12);
    }

    /// @dev What the simulator hides: a delivery the adapter refuses (here: A is no longer enrolled on B) reverts the
    /// sender's transaction on A (`ReceiverError`); on the real network the send succeeds and the message waits on
    /// B's OffRamp (FAILURE) for a manual execution.
    function test_Simulator_RefusedDelivery_RevertsTheSend() public {
        aB.setRemote(CHAIN_A, address(0));
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        vm.expectRevert(
            abi.encodeWithSelector(
                MockCCIPRouter.ReceiverError.selector,
                abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, CHAIN_A)
            )
        );
        vm.prank(alice);
        aA.sendMessage{value: fee}(recipient, "x", _noAttr());
        assertEq(aA.nonce(CHAIN_B), 0, "nothing sent");
    }

    /// @dev What the simulator hides: every message comes from Sepolia's selector, whatever chain sends it; an adapter
    /// on a third chain C is refused by B: its envelope states C, and B maps Sepolia to A. Lanes with distinct
    /// selectors are tested by routing by hand (CcipAdapter.t.sol).
    function test_Simulator_OneSourceSelectorForEveryone() public {
        CcipAdapter aC = new CcipAdapter(address(ccipRouter), SEL_C, CHAIN_C, address(manager), DEFAULT_GAS);
        aC.setChainSelector(CHAIN_B, SEL_B);
        aC.setRemote(CHAIN_B, address(aB));
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aC.quote(recipient, "x", _noAttr());
        vm.expectRevert(
            abi.encodeWithSelector(
                MockCCIPRouter.ReceiverError.selector,
                abi.encodeWithSelector(IConcordAdapter.ConcordAdapterOriginMismatch.selector, CHAIN_A, CHAIN_C)
            )
        );
        vm.prank(alice);
        aC.sendMessage{value: fee}(recipient, "x", _noAttr());
    }

    /// @dev What the adapter cannot change: it trusts its Router. The simulator's router lets anyone call
    /// `routeMessage`, so anyone can forge a message "from A's adapter" and it is delivered; the real Router accepts
    /// `routeMessage` only from the OffRamp registered for the message's source selector, which executes only what
    /// the DON committed and the RMN blessed.
    function test_Simulator_RouteMessageOpenToAnyone_TheRouterIsTheTrustRoot() public {
        Client.Any2EVMMessage memory forged = Client.Any2EVMMessage({
            messageId: keccak256("forged"),
            sourceChainSelector: SIM_SELECTOR,
            sender: abi.encode(address(aA)),
            data: _envelope(7, alice, address(rB), 300_000, "forged"),
            destTokenAmounts: new Client.EVMTokenAmount[](0)
        });
        vm.prank(stranger);
        (bool ok,,) = ccipRouter.routeMessage(forged, CCIP_GAS_FOR_CALL_EXACT_CHECK, 500_000, address(aB));
        assertTrue(ok);
        assertEq(rB.count(), 1, "delivered: the adapter cannot tell");
        assertEq(rB.delivery(0).sender, _to(CHAIN_A, alice));
    }

    /// @dev The simulator's fee is flat and kept whole: a sender that overpays the router directly loses the excess
    /// (as with the real Router, which keeps any native overpayment); through the adapter, the excess is refunded.
    function test_Simulator_RouterKeepsOverpayment_AdapterRefunds() public {
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aA.quote(recipient, "x", _noAttr());
        uint256 before = alice.balance;
        vm.prank(alice);
        aA.sendMessage{value: fee + 1 ether}(recipient, "x", _noAttr());
        assertEq(before - alice.balance, fee, "only the quote paid");
        uint256 routerBefore = address(ccipRouter).balance;
        vm.prank(alice);
        ccipRouter.ccipSend{value: fee + 1 ether}(SEL_B, _evm2Any(makeAddr("plain"), "x", ""));
        assertEq(address(ccipRouter).balance - routerBefore, fee + 1 ether, "the router keeps the excess");
    }
}
