// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {AggregatorEnvelope} from "../../contracts/adapters/aggregator/AggregatorEnvelope.sol";
import {TransportAggregator} from "../../contracts/adapters/aggregator/TransportAggregator.sol";
import {IConcordAdapter} from "../../contracts/interfaces/IConcordAdapter.sol";
import {ITransportAggregator} from "../../contracts/interfaces/ITransportAggregator.sol";
import {ProbeRecipient, ValueRefuser} from "../adapters/HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {AggregatorBase} from "./AggregatorBase.sol";

/// @notice TEST ONLY: a contract with code (a gateway to register) and nothing else.
contract AggDummyGateway {}

/// @notice Every revert path of `TransportAggregator` that the scenario tests do not reach, its admin functions and
/// their access control, and the receipt bookkeeping driven directly by a registered gateway (`vm.prank`).
contract TransportAggregatorAdminTest is AggregatorBase {
    bytes internal constant PAYLOAD = "p";

    // ------------------------------------------------------------------------------------------ constructor

    function test_Constructor_RevertWhen_InvalidArgs() public {
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidConstructorArgs.selector, 0, 1, 1)
        );
        new TransportAggregator(0, address(manager), DEFAULT_GAS, 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidConstructorArgs.selector, 1, 0, 1)
        );
        new TransportAggregator(1, address(manager), DEFAULT_GAS, 0, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidConstructorArgs.selector, 1, 1, 0)
        );
        new TransportAggregator(1, address(manager), DEFAULT_GAS, 1, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidConstructorArgs.selector, 1, 1, 1)
        );
        new TransportAggregator(1, address(manager), 0, 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidConstructorArgs.selector, 1, 1, 1)
        );
        new TransportAggregator(1, address(manager), 30_000_001, 1, 1);
    }

    function test_Views() public view {
        assertEq(aggA.localDomain(), CHAIN_A);
        assertEq(aggA.configDelay(), CONFIG_DELAY);
        assertEq(aggA.releaseDelay(), RELEASE_DELAY);
        assertEq(aggA.slotOf(address(hA)), 3);
        assertEq(aggA.gatewayAt(3).gateway, address(hA));
        assertTrue(aggA.gatewayAt(3).paid);
        assertEq(aggA.remoteAggregator(CHAIN_B), address(aggB));
        assertEq(aggB.receiveSet(CHAIN_A), ALL);
        assertEq(aggB.receiveRule(CHAIN_A, 1).threshold, 2);
        assertEq(aggB.receiveRule(CHAIN_A, 1).highThreshold, 3);
        (ITransportAggregator.SendConfig memory current,, uint48 at) = aggA.sendConfig(CHAIN_B);
        assertEq(current.version, 1);
        assertEq(current.gateways, ALL);
        assertEq(at, 0);
        assertTrue(aggA.supportsAttribute(0xce296026));
        assertTrue(aggA.supportsAttribute(aggA.DECLARED_VALUE_ATTRIBUTE()));
        assertFalse(aggA.supportsAttribute(0x12345678));
    }

    // ------------------------------------------------------------------------------------------ send

    function test_Send_RevertWhen_InvalidRecipient() public {
        bytes memory bad = hex"0001";
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidRecipient.selector, bad));
        aggA.sendMessage{value: 1 ether}(bad, PAYLOAD, _noAttr());
        bytes memory zero = _to(CHAIN_B, address(0));
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidRecipient.selector, zero));
        aggA.sendMessage{value: 1 ether}(zero, PAYLOAD, _noAttr());
    }

    function test_Send_RevertWhen_UnknownOrLocalDomain() public {
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownDomain.selector, CHAIN_A));
        aggA.sendMessage{value: 1 ether}(_to(CHAIN_A, address(rA)), PAYLOAD, _noAttr());
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownDomain.selector, 99));
        aggA.sendMessage{value: 1 ether}(_to(99, address(rA)), PAYLOAD, _noAttr());
    }

    function test_Send_RevertWhen_InvalidAttribute() public {
        bytes[] memory attrs = new bytes[](1);
        attrs[0] = hex"ce2960";
        _expectInvalidAttribute(attrs, attrs[0]);
        attrs[0] = abi.encodeWithSelector(bytes4(0xce296026), 0);
        _expectInvalidAttribute(attrs, attrs[0]);
        attrs[0] = abi.encodeWithSelector(bytes4(0xce296026), uint256(30_000_001));
        _expectInvalidAttribute(attrs, attrs[0]);
        attrs[0] = abi.encodePacked(bytes4(0xce296026), uint128(1));
        _expectInvalidAttribute(attrs, attrs[0]);
        attrs[0] = abi.encodePacked(aggA.DECLARED_VALUE_ATTRIBUTE(), uint128(1));
        _expectInvalidAttribute(attrs, attrs[0]);
        bytes[] memory twice = new bytes[](2);
        twice[0] = abi.encodeWithSelector(bytes4(0xce296026), 100_000);
        twice[1] = twice[0];
        _expectInvalidAttribute(twice, twice[1]);
        twice[0] = abi.encodeWithSelector(aggA.DECLARED_VALUE_ATTRIBUTE(), 1);
        twice[1] = twice[0];
        _expectInvalidAttribute(twice, twice[1]);
    }

    function _expectInvalidAttribute(bytes[] memory attrs, bytes memory bad) internal {
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidAttribute.selector, bad));
        aggA.sendMessage{value: 1 ether}(_to(CHAIN_B, address(rB)), PAYLOAD, attrs);
    }

    /// @dev An attribute no gateway of the set supports is refused (ERC-7786 `UnsupportedAttribute`); the gas limit
    /// is the aggregator's own and reaches the recipient.
    function test_Send_RevertWhen_AttributeSupportedByNoGateway() public {
        bytes[] memory attrs = new bytes[](1);
        attrs[0] = abi.encodeWithSelector(bytes4(0x12345678), 1);
        vm.expectRevert(abi.encodeWithSelector(IERC7786GatewaySource.UnsupportedAttribute.selector, bytes4(0x12345678)));
        aggA.sendMessage{value: 1 ether}(_to(CHAIN_B, address(rB)), PAYLOAD, attrs);
    }

    function test_Send_GasLimitAttribute_ReachesTheEnvelope() public {
        bytes[] memory attrs = new bytes[](1);
        attrs[0] = abi.encodeWithSelector(bytes4(0xce296026), 321_000);
        (, Legs memory legs) = _sendAB(alice, PAYLOAD, attrs);
        assertEq(_envelopeOf(legs).gasLimit, 321_000);
        _relayNative(legs.n0);
        _lzDeliver(legs.lz);
        assertEq(rB.count(), 1);
        assertGe(rB.delivery(0).gasAtEntry, 300_000);
    }

    function test_Send_RevertWhen_NotSponsored() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorNotSponsored.selector, alice));
        aggA.sendMessage(_to(CHAIN_B, address(rB)), PAYLOAD, _noAttr());
    }

    function test_Send_RevertWhen_SponsorBalanceTooLow() public {
        aggA.setSponsoredSender(alice, true);
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, PAYLOAD, _noAttr());
        aggA.fund{value: fee - 1}();
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorSponsorBalanceTooLow.selector, fee, fee - 1)
        );
        aggA.sendMessage(recipient, PAYLOAD, _noAttr());
    }

    function test_Send_RevertWhen_RefundRefused() public {
        ValueRefuser refuser = new ValueRefuser();
        bytes memory recipient = _to(CHAIN_B, address(rB));
        uint256 fee = aggA.quote(recipient, PAYLOAD, _noAttr());
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorRefundFailed.selector, address(refuser), 1)
        );
        refuser.send{value: fee + 1}(IConcordAdapter(address(aggA)), recipient, PAYLOAD);
    }

    // ------------------------------------------------------------------------------------------ receive

    function test_Receive_RevertWhen_NotGateway() public {
        bytes memory e = _envelope(0, CHAIN_A, CHAIN_B, address(rB), PAYLOAD);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorNotGateway.selector, stranger));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
    }

    function test_Receive_RevertWhen_Value() public {
        bytes memory e = _envelope(0, CHAIN_A, CHAIN_B, address(rB), PAYLOAD);
        vm.deal(address(nB), 1);
        vm.prank(address(nB));
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorValueNotAccepted.selector, 1));
        aggB.receiveMessage{value: 1}(bytes32(0), _to(CHAIN_A, address(aggA)), e);
    }

    function test_Receive_RevertWhen_NotRemoteAggregator() public {
        bytes memory e = _envelope(0, CHAIN_A, CHAIN_B, address(rB), PAYLOAD);
        bytes[3] memory senders = [_to(CHAIN_A, stranger), _to(99, address(aggA)), bytes(hex"00")];
        for (uint256 i = 0; i < 3; ++i) {
            vm.prank(address(nB));
            vm.expectRevert(
                abi.encodeWithSelector(ITransportAggregator.TransportAggregatorNotRemoteAggregator.selector, senders[i])
            );
            aggB.receiveMessage(bytes32(0), senders[i], e);
        }
    }

    function test_Receive_RevertWhen_MalformedEnvelope() public {
        bytes memory e = new bytes(99);
        vm.prank(address(nB));
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorMalformedEnvelope.selector, 99));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorMalformedEnvelope.selector, 99));
        aggB.execute(address(aggA), e);
    }

    /// @dev An envelope stating another origin than the authenticated one, or another destination.
    function test_Receive_RevertWhen_WrongRoute() public {
        bytes memory e = _envelope(0, 77, CHAIN_B, address(rB), PAYLOAD);
        vm.prank(address(nB));
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorWrongRoute.selector, 77, CHAIN_B)
        );
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        e = _envelope(0, CHAIN_A, 77, address(rB), PAYLOAD);
        vm.prank(address(nB));
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorWrongRoute.selector, CHAIN_A, 77)
        );
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
    }

    function test_Receive_RevertWhen_PrivilegedRecipient() public {
        bytes memory e = _envelope(0, CHAIN_A, CHAIN_B, address(manager), PAYLOAD);
        vm.prank(address(nB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        vm.prank(address(lB));
        vm.expectRevert(
            abi.encodeWithSelector(
                ITransportAggregator.TransportAggregatorPrivilegedRecipient.selector, address(manager)
            )
        );
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
    }

    /// @dev The k-th receipt must carry enough gas for the recipient's limit (a relayer cannot turn a good message
    /// into FAILED by starving it).
    function test_Receive_RevertWhen_InsufficientGasForTheRecipient() public {
        bytes memory e = _envelope(0, CHAIN_A, CHAIN_B, address(rB), PAYLOAD);
        vm.prank(address(nB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        vm.prank(address(lB));
        vm.expectPartialRevert(ITransportAggregator.TransportAggregatorInsufficientGas.selector);
        aggB.receiveMessage{gas: 150_000}(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        vm.prank(address(lB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        assertEq(rB.count(), 1);
    }

    /// @dev A recipient cannot re-enter execute, retry or a delivery; it may send (the send lock is separate).
    function test_Receive_RecipientReentry_Refused() public {
        bytes memory e = _envelope(0, CHAIN_A, CHAIN_B, address(rB), PAYLOAD);
        rB.setMode(ProbeRecipient.Mode.REENTER);
        rB.setReentry(abi.encodeCall(ITransportAggregator.execute, (address(aggA), e)));
        vm.prank(address(nB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        vm.prank(address(lB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        assertTrue(rB.reentryFailed());
        assertEq(
            rB.reentryError(), abi.encodeWithSelector(ITransportAggregator.TransportAggregatorReentrantCall.selector)
        );
    }

    function test_Retry_RevertWhen_NotReadyAnyMore() public {
        bytes memory e = _envelope(0, CHAIN_A, CHAIN_B, address(rB), PAYLOAD);
        rB.setMode(ProbeRecipient.Mode.REVERT);
        vm.prank(address(nB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        vm.prank(address(lB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e);
        bytes32 id = aggB.idOf(CHAIN_A, address(aggA), CHAIN_B, 0);
        _assertStatus(aggB, id, ITransportAggregator.Status.FAILED);
        aggB.scheduleReceiveSet(CHAIN_A, 1 << 3);
        vm.warp(block.timestamp + CONFIG_DELAY);
        rB.setMode(ProbeRecipient.Mode.ACCEPT);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorNotReady.selector, id, 0, 2));
        aggB.retry(address(aggA), e, DEFAULT_GAS);
    }

    // ------------------------------------------------------------------------------------------ quarantine

    function test_Release_RevertWhen_NotQuarantined() public {
        bytes32 id = aggB.idOf(CHAIN_A, address(aggA), CHAIN_B, 0);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorNotQuarantined.selector, id));
        aggB.scheduleRelease(id, bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorNotQuarantined.selector, id));
        aggB.release(id);
    }

    function test_Release_RevertWhen_UnknownEnvelopeOrNoneScheduled() public {
        bytes memory e1 = _envelope(0, CHAIN_A, CHAIN_B, address(rB), "one");
        bytes memory e2 = _envelope(0, CHAIN_A, CHAIN_B, address(rB), "two");
        vm.prank(address(nB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e1);
        vm.prank(address(lB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e2);
        bytes32 id = aggB.idOf(CHAIN_A, address(aggA), CHAIN_B, 0);
        _assertStatus(aggB, id, ITransportAggregator.Status.QUARANTINED);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownEnvelope.selector, id, bytes32(0))
        );
        aggB.scheduleRelease(id, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorReleaseNotReady.selector, id, 0));
        aggB.release(id);
        // Further receipts of either envelope keep it quarantined.
        vm.prank(address(hB));
        aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), e1);
        _assertStatus(aggB, id, ITransportAggregator.Status.QUARANTINED);
        assertEq(rB.count(), 0);
    }

    // ------------------------------------------------------------------------------------------ admin

    function test_Admin_RevertWhen_NotAuthority() public {
        vm.startPrank(stranger);
        bytes memory unauthorized = abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger);
        vm.expectRevert(unauthorized);
        aggA.registerGateway(address(this), true);
        vm.expectRevert(unauthorized);
        aggA.scheduleSendConfig(CHAIN_B, ALL, 1, 1, 0);
        vm.expectRevert(unauthorized);
        aggA.scheduleReceiveSet(CHAIN_B, ALL);
        vm.expectRevert(unauthorized);
        aggA.scheduleReceiveRule(CHAIN_B, 1, 1, 1, 0);
        vm.expectRevert(unauthorized);
        aggA.scheduleRemoteAggregator(CHAIN_B, stranger);
        vm.expectRevert(unauthorized);
        aggA.setSponsoredSender(stranger, true);
        vm.expectRevert(unauthorized);
        aggA.withdrawSponsorFunds(payable(stranger), 0);
        vm.expectRevert(unauthorized);
        aggA.scheduleRelease(bytes32(0), bytes32(0));
        vm.stopPrank();
    }

    function test_RegisterGateway_RevertWhen_Invalid() public {
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidGateway.selector, stranger)
        );
        aggA.registerGateway(stranger, false);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidGateway.selector, address(hA))
        );
        aggA.registerGateway(address(hA), false);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidGateway.selector, address(aggA))
        );
        aggA.registerGateway(address(aggA), false);
    }

    function test_RegisterGateway_RevertWhen_Full() public {
        for (uint256 i = 4; i <= aggA.MAX_SLOT(); ++i) {
            aggA.registerGateway(address(new AggDummyGateway()), false);
        }
        address last = address(new AggDummyGateway());
        vm.expectRevert(ITransportAggregator.TransportAggregatorRegistryFull.selector);
        aggA.registerGateway(last, false);
    }

    function test_Schedule_RevertWhen_UnknownSlotOrDomain() public {
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownSlot.selector, 1 << 4));
        aggA.scheduleSendConfig(CHAIN_B, 1 << 4, 1, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownSlot.selector, 1));
        aggA.scheduleReceiveSet(CHAIN_B, 1);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownDomain.selector, CHAIN_A));
        aggA.scheduleSendConfig(CHAIN_A, ALL, 1, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownDomain.selector, 0));
        aggA.scheduleReceiveSet(0, ALL);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownDomain.selector, CHAIN_A));
        aggA.scheduleReceiveRule(CHAIN_A, 1, 1, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(ITransportAggregator.TransportAggregatorUnknownDomain.selector, CHAIN_A));
        aggA.scheduleRemoteAggregator(CHAIN_A, address(aggB));
    }

    function test_Schedule_RevertWhen_InvalidThreshold() public {
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidThreshold.selector, 0, 1, 3)
        );
        aggA.scheduleSendConfig(CHAIN_B, ALL, 0, 1, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidThreshold.selector, 2, 1, 3)
        );
        aggA.scheduleSendConfig(CHAIN_B, ALL, 2, 1, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidThreshold.selector, 2, 4, 3)
        );
        aggA.scheduleSendConfig(CHAIN_B, ALL, 2, 4, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidThreshold.selector, 1, 1, 0)
        );
        aggA.scheduleSendConfig(CHAIN_B, 0, 1, 1, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidThreshold.selector, 0, 0, 255)
        );
        aggA.scheduleReceiveRule(CHAIN_B, 1, 0, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorInvalidThreshold.selector, 3, 2, 255)
        );
        aggA.scheduleReceiveRule(CHAIN_B, 1, 3, 2, 0);
    }

    /// @dev Rescheduling before the first schedule took effect replaces it; after, the first becomes current.
    function test_Schedule_PendingReplacedOrPromoted() public {
        aggA.scheduleSendConfig(CHAIN_B, 1 << 1, 1, 1, 0); // version 2
        aggA.scheduleSendConfig(CHAIN_B, (1 << 1) | (1 << 2), 1, 2, 0); // version 3 replaces 2
        (ITransportAggregator.SendConfig memory current, ITransportAggregator.SendConfig memory scheduled, uint48 at) =
            aggA.sendConfig(CHAIN_B);
        assertEq(current.version, 1);
        assertEq(scheduled.version, 3);
        assertEq(at, block.timestamp + CONFIG_DELAY);
        vm.warp(block.timestamp + CONFIG_DELAY);
        aggA.scheduleSendConfig(CHAIN_B, ALL, 3, 3, 0); // version 4; 3 is current
        (current,,) = aggA.sendConfig(CHAIN_B);
        assertEq(current.version, 3);
        assertEq(current.gateways, (1 << 1) | (1 << 2));
    }

    function test_Sponsor_FundWithdraw() public {
        vm.expectEmit(address(aggA));
        emit ITransportAggregator.SponsorFunded(alice, 2 ether);
        vm.prank(alice);
        (bool ok,) = address(aggA).call{value: 2 ether}("");
        assertTrue(ok);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITransportAggregator.TransportAggregatorInvalidWithdrawal.selector, stranger, 3 ether, 2 ether
            )
        );
        aggA.withdrawSponsorFunds(payable(stranger), 3 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITransportAggregator.TransportAggregatorInvalidWithdrawal.selector, address(0), 1, 2 ether
            )
        );
        aggA.withdrawSponsorFunds(payable(address(0)), 1);
        uint256 before = stranger.balance;
        aggA.withdrawSponsorFunds(payable(stranger), 1 ether);
        assertEq(stranger.balance - before, 1 ether);
        ValueRefuser refuser = new ValueRefuser();
        vm.expectRevert(
            abi.encodeWithSelector(ITransportAggregator.TransportAggregatorRefundFailed.selector, address(refuser), 1)
        );
        aggA.withdrawSponsorFunds(payable(address(refuser)), 1);
    }

    // ------------------------------------------------------------------------------------------ helpers

    function _envelope(uint64 n, uint32 origin, uint32 destination, address recipient, bytes memory payload)
        internal
        view
        returns (bytes memory)
    {
        return AggregatorEnvelope.encode(
            ITransportAggregator.Envelope({
                nonce: n,
                origin: origin,
                destination: destination,
                version: 1,
                sender: alice,
                recipient: recipient,
                gasLimit: DEFAULT_GAS,
                declaredValue: 0,
                payload: payload
            })
        );
    }
}
