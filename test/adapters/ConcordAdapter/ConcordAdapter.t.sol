// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {IERC7786GatewaySource, IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {Test, Vm} from "forge-std/Test.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {MockGasHungryRecipient} from "../../../contracts/mocks/MockGasHungryRecipient.sol";
import {MockRecipient} from "../../../contracts/mocks/MockRecipient.sol";
import {HarnessAdapter, HarnessWire} from "./HarnessAdapter.sol";

/// @notice TEST ONLY: a caller that refuses refunds.
contract RefundRejecter {
    function send(IConcordAdapter adapter, bytes calldata recipient, bytes calldata payload)
        external
        payable
        returns (bytes32)
    {
        return adapter.sendMessage{value: msg.value}(recipient, payload, new bytes[](0));
    }

    receive() external payable {
        revert("no refunds");
    }
}

/// @notice The shared base of the transport adapters over a harness wire: the ERC-7786 source (envelope, id,
/// attributes, fees, refunds, sponsor), the delivery (trusted source, replay, gas, FAILED), `retry` and the admin.
contract ConcordAdapter_base is Test {
    uint32 internal constant A = 1;
    uint32 internal constant B = 10;
    uint32 internal constant C = 8453;
    uint32 internal constant DEFAULT_GAS = 200_000;
    uint256 internal constant BASE_FEE = 0.001 ether;
    uint256 internal constant PER_BYTE = 1 gwei;

    AccessManager internal manager;
    HarnessWire internal wire;
    HarnessAdapter internal adapterA;
    HarnessAdapter internal adapterB;
    MockRecipient internal recipient;
    address internal app = makeAddr("app");
    address internal stranger = makeAddr("stranger");

    function setUp() public {
        manager = new AccessManager(address(this));
        wire = new HarnessWire(BASE_FEE, PER_BYTE);
        adapterA = new HarnessAdapter(wire, A, address(manager), DEFAULT_GAS);
        adapterB = new HarnessAdapter(wire, B, address(manager), DEFAULT_GAS);
        adapterA.setRemote(B, address(adapterB));
        adapterB.setRemote(A, address(adapterA));
        recipient = new MockRecipient();
        vm.deal(app, 100 ether);
    }

    // ------------------------------------------------------------------ helpers

    function _to(uint32 domain, address account) internal pure returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(domain, account);
    }

    function _gas(uint256 gasLimit) internal pure returns (bytes[] memory attributes) {
        attributes = new bytes[](1);
        attributes[0] = abi.encodeWithSelector(bytes4(0xce296026), gasLimit);
    }

    /// @dev `app` sends `payload` from A to `recipient` on B, paying the quote; returns the id and the packet index.
    function _send(bytes memory payload, bytes[] memory attributes) internal returns (bytes32 id, uint256 index) {
        bytes memory to = _to(B, address(recipient));
        uint256 fee = adapterA.quote(to, payload, attributes);
        vm.prank(app);
        id = adapterA.sendMessage{value: fee}(to, payload, attributes);
        index = wire.count() - 1;
    }

    function _envelope(uint256 index) internal view returns (bytes memory) {
        return wire.packet(index).envelope;
    }

    function _statusB(uint256 index) internal view returns (IConcordAdapter.MessageStatus) {
        return adapterB.status(A, address(adapterA), _envelope(index));
    }

    // ------------------------------------------------------------------ source

    function test_Send_EnvelopeIdAndEvents() public {
        bytes memory payload = "hello";
        bytes memory to = _to(B, address(recipient));
        uint256 fee = adapterA.quote(to, payload, new bytes[](0));
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: A, sender: app, recipient: address(recipient), gasLimit: DEFAULT_GAS, payload: payload
            })
        );
        bytes32 expected = adapterA.messageIdOf(A, address(adapterA), B, address(adapterB), envelope);
        vm.expectEmit(address(adapterA));
        emit IERC7786GatewaySource.MessageSent(expected, _to(A, app), to, payload, 0, new bytes[](0));
        vm.expectEmit(address(adapterA));
        emit IConcordAdapter.AdapterMessageSent(expected, fee, false);
        vm.prank(app);
        bytes32 id = adapterA.sendMessage{value: fee}(to, payload, new bytes[](0));
        assertEq(id, expected);
        assertEq(keccak256(_envelope(0)), keccak256(envelope));
        assertEq(adapterA.nonce(B), 1);
        assertEq(adapterA.nonce(C), 0, "each destination counts its own sends");
        assertEq(wire.collected(), fee);
        assertEq(fee, BASE_FEE + PER_BYTE * envelope.length, "quote == the wire's charge");
        // the same send again is another message
        (bytes32 second,) = _send(payload, new bytes[](0));
        assertTrue(second != id);
    }

    function test_Send_OverpaymentRefunded_QuoteIsTheCharge() public {
        bytes memory to = _to(B, address(recipient));
        uint256 fee = adapterA.quote(to, "x", _gas(500_000));
        uint256 before = app.balance;
        vm.prank(app);
        adapterA.sendMessage{value: fee + 1 ether}(to, "x", _gas(500_000));
        assertEq(before - app.balance, fee);
        assertEq(wire.collected(), fee);
        assertEq(address(adapterA).balance, 0, "the adapter keeps nothing");
        assertEq(wire.packet(0).gasLimit, 500_000);
    }

    function test_Send_RevertWhen_FeeTooLow() public {
        bytes memory to = _to(B, address(recipient));
        uint256 fee = adapterA.quote(to, "x", new bytes[](0));
        vm.prank(app);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterFeeTooLow.selector, fee, fee - 1));
        adapterA.sendMessage{value: fee - 1}(to, "x", new bytes[](0));
    }

    function test_Send_RevertWhen_RefundRejected() public {
        RefundRejecter rejecter = new RefundRejecter();
        bytes memory to = _to(B, address(recipient));
        uint256 fee = adapterA.quote(to, "x", new bytes[](0));
        vm.deal(address(this), 1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterRefundFailed.selector, address(rejecter), 1)
        );
        rejecter.send{value: fee + 1}(adapterA, to, "x");
        rejecter.send{value: fee}(adapterA, to, "x"); // exact: nothing to refund
    }

    function test_Send_Sponsored_PaysFromTheBalance() public {
        bytes memory to = _to(B, address(recipient));
        uint256 fee = adapterA.quote(to, "x", new bytes[](0));
        vm.prank(app);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotSponsored.selector, app));
        adapterA.sendMessage(to, "x", new bytes[](0));
        vm.expectEmit(address(adapterA));
        emit IConcordAdapter.SponsoredSenderSet(app, true);
        adapterA.setSponsoredSender(app, true);
        assertTrue(adapterA.isSponsoredSender(app));
        vm.prank(app);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterSponsorBalanceTooLow.selector, fee, 0));
        adapterA.sendMessage(to, "x", new bytes[](0));
        vm.deal(stranger, fee);
        vm.expectEmit(address(adapterA));
        emit IConcordAdapter.SponsorFunded(stranger, fee);
        vm.prank(stranger);
        adapterA.fund{value: fee}();
        vm.prank(app);
        vm.expectEmit(false, false, false, true, address(adapterA)); // any message id
        emit IConcordAdapter.AdapterMessageSent(bytes32(0), fee, true);
        adapterA.sendMessage(to, "x", new bytes[](0));
        assertEq(address(adapterA).balance, 0);
        assertEq(wire.collected(), fee);
    }

    function test_Send_RevertWhen_RecipientInvalid() public {
        bytes[4] memory bad = [
            bytes("garbage"),
            _to(B, address(0)),
            InteroperableAddress.formatEvmV1(0, address(recipient)),
            InteroperableAddress.formatEvmV1(uint256(type(uint32).max) + 1, address(recipient))
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            vm.prank(app);
            vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidRecipient.selector, bad[i]));
            adapterA.sendMessage{value: 1 ether}(bad[i], "x", new bytes[](0));
        }
    }

    function test_Send_RevertWhen_DomainUnknownOrLocal() public {
        vm.startPrank(app);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, C));
        adapterA.sendMessage{value: 1 ether}(_to(C, address(recipient)), "x", new bytes[](0));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, A));
        adapterA.sendMessage{value: 1 ether}(_to(A, address(recipient)), "x", new bytes[](0));
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, C));
        adapterA.quote(_to(C, address(recipient)), "x", new bytes[](0));
        vm.stopPrank();
    }

    function test_Send_Attributes() public {
        assertTrue(adapterA.supportsAttribute(0xce296026));
        assertFalse(adapterA.supportsAttribute(0x12345678));
        bytes memory to = _to(B, address(recipient));
        bytes[] memory attributes = new bytes[](1);
        attributes[0] = hex"123456";
        vm.startPrank(app);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidAttribute.selector, attributes[0]));
        adapterA.sendMessage{value: 1 ether}(to, "x", attributes);
        attributes[0] = abi.encodeWithSelector(bytes4(0x12345678), 1);
        vm.expectRevert(abi.encodeWithSelector(IERC7786GatewaySource.UnsupportedAttribute.selector, bytes4(0x12345678)));
        adapterA.sendMessage{value: 1 ether}(to, "x", attributes);
        bytes[3] memory bad = [
            abi.encodePacked(bytes4(0xce296026), uint128(1)), // wrong length
            abi.encodeWithSelector(bytes4(0xce296026), 0), // zero
            abi.encodeWithSelector(bytes4(0xce296026), uint256(type(uint32).max) + 1) // above uint32
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            attributes[0] = bad[i];
            vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidAttribute.selector, bad[i]));
            adapterA.sendMessage{value: 1 ether}(to, "x", attributes);
        }
        bytes[] memory twice = new bytes[](2);
        twice[0] = abi.encodeWithSelector(bytes4(0xce296026), 100_000);
        twice[1] = twice[0];
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidAttribute.selector, twice[1]));
        adapterA.sendMessage{value: 1 ether}(to, "x", twice);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ destination

    function test_Deliver_ExecutesOnce_WithTheSenderAndGas() public {
        (bytes32 id, uint256 index) = _send("hello", _gas(300_000));
        vm.expectEmit(address(adapterB));
        emit IConcordAdapter.Executed(id, A);
        wire.deliver(index);
        assertEq(recipient.calls(), 1);
        assertEq(recipient.lastReceiveId(), id);
        assertEq(recipient.lastSender(), _to(A, app));
        assertEq(recipient.lastPayload(), "hello");
        assertLe(recipient.lastGasLeft(), 300_000);
        assertGt(recipient.lastGasLeft(), 290_000);
        assertEq(uint8(_statusB(index)), uint8(IConcordAdapter.MessageStatus.EXECUTED));
        // a protocol-level replay of the delivery
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        wire.deliver(index);
        assertEq(recipient.calls(), 1);
    }

    function test_Deliver_OutOfOrder_EachOnce() public {
        uint256[3] memory indexes;
        for (uint256 i = 0; i < 3; ++i) {
            (, indexes[i]) = _send(abi.encode(i), new bytes[](0));
        }
        wire.deliver(indexes[2]);
        wire.deliver(indexes[0]);
        wire.deliver(indexes[1]);
        assertEq(recipient.calls(), 3);
        for (uint256 i = 0; i < 3; ++i) {
            vm.expectRevert();
            wire.deliver(indexes[i]);
        }
    }

    function test_Deliver_RevertWhen_SourceUntrusted() public {
        (, uint256 index) = _send("x", new bytes[](0));
        bytes memory envelope = _envelope(index);
        // the right envelope claimed from another adapter on A
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, A, address(stranger))
        );
        wire.deliverForged(address(adapterB), A, stranger, envelope);
        // from a domain with no adapter, from B itself, from domain 0
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, C));
        wire.deliverForged(address(adapterB), C, address(adapterA), envelope);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, B));
        wire.deliverForged(address(adapterB), B, address(adapterA), envelope);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, uint32(0)));
        wire.deliverForged(address(adapterB), 0, address(adapterA), envelope);
        // and only the protocol's entry point reaches the adapter
        vm.expectRevert(abi.encodeWithSelector(HarnessAdapter.HarnessAdapterNotWire.selector, stranger));
        vm.prank(stranger);
        adapterB.receiveFromWire(A, address(adapterA), envelope);
        assertEq(recipient.calls(), 0);
        assertEq(uint8(_statusB(index)), uint8(IConcordAdapter.MessageStatus.NONE));
    }

    /// @notice A re-enrolled adapter on A starts its nonces again: its messages have their own records.
    function test_Deliver_ReenrolledSource_OwnNamespace() public {
        (, uint256 first) = _send("old", new bytes[](0));
        wire.deliver(first);
        HarnessAdapter replacement = new HarnessAdapter(wire, A, address(manager), DEFAULT_GAS);
        replacement.setRemote(B, address(adapterB));
        adapterB.setRemote(A, address(replacement));
        bytes memory to = _to(B, address(recipient));
        uint256 fee = replacement.quote(to, "new", new bytes[](0));
        vm.prank(app);
        replacement.sendMessage{value: fee}(to, "new", new bytes[](0)); // nonce 0 again
        wire.deliver(wire.count() - 1);
        assertEq(recipient.calls(), 2);
        assertEq(recipient.lastPayload(), "new");
        // the old adapter's message cannot come back through the old adapter (no longer enrolled)
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUntrustedSource.selector, A, address(adapterA))
        );
        wire.deliver(first);
    }

    function test_Deliver_RecipientFails_FailedThenRetried() public {
        recipient.setMode(MockRecipient.Mode.REVERT);
        (bytes32 id, uint256 index) = _send("x", new bytes[](0));
        bytes memory revertData = abi.encodeWithSelector(MockRecipient.MockRecipientRejected.selector, id);
        vm.expectEmit(address(adapterB));
        emit IConcordAdapter.ExecutionFailed(id, A, keccak256(revertData), revertData);
        wire.deliver(index);
        assertEq(uint8(_statusB(index)), uint8(IConcordAdapter.MessageStatus.FAILED));
        assertEq(adapterB.failedRevertDataHash(id), keccak256(revertData));
        // the protocol delivered it: a second delivery is a replay
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterAlreadyDelivered.selector, id));
        wire.deliver(index);
        // failing again keeps it FAILED; then anyone retries it once it can succeed
        bytes memory envelope = _envelope(index);
        vm.prank(stranger);
        adapterB.retry(A, address(adapterA), envelope, DEFAULT_GAS);
        assertEq(uint8(_statusB(index)), uint8(IConcordAdapter.MessageStatus.FAILED));
        recipient.setMode(MockRecipient.Mode.ACCEPT);
        vm.expectEmit(address(adapterB));
        emit IConcordAdapter.Retried(id, A, stranger, DEFAULT_GAS, true);
        vm.prank(stranger);
        adapterB.retry(A, address(adapterA), envelope, DEFAULT_GAS);
        assertEq(uint8(_statusB(index)), uint8(IConcordAdapter.MessageStatus.EXECUTED));
        assertEq(adapterB.failedRevertDataHash(id), bytes32(0));
        assertEq(recipient.calls(), 1);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, id));
        adapterB.retry(A, address(adapterA), envelope, DEFAULT_GAS);
    }

    function test_Deliver_WrongMagic_Failed() public {
        recipient.setMode(MockRecipient.Mode.WRONG_RETURN);
        (, uint256 index) = _send("x", new bytes[](0));
        wire.deliver(index);
        assertEq(uint8(_statusB(index)), uint8(IConcordAdapter.MessageStatus.FAILED));
    }

    function test_Retry_WithMoreGas_OutOfGasRecipient() public {
        MockGasHungryRecipient hungry = new MockGasHungryRecipient(300_000);
        bytes memory to = _to(B, address(hungry));
        uint256 fee = adapterA.quote(to, "x", new bytes[](0));
        vm.prank(app);
        bytes32 id = adapterA.sendMessage{value: fee}(to, "x", new bytes[](0));
        uint256 index = wire.count() - 1;
        wire.deliver(index); // 200,000 default: out of gas
        assertEq(hungry.calls(), 0);
        bytes memory envelope = _envelope(index);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordAdapter.ConcordAdapterRetryGasBelowLimit.selector, DEFAULT_GAS, DEFAULT_GAS - 1
            )
        );
        adapterB.retry(A, address(adapterA), envelope, DEFAULT_GAS - 1);
        adapterB.retry(A, address(adapterA), envelope, 400_000);
        assertEq(hungry.calls(), 1);
        assertEq(hungry.lastReceiveId(), id);
    }

    function test_Retry_RevertWhen_NotFailedOrOtherBytes() public {
        recipient.setMode(MockRecipient.Mode.REVERT);
        (bytes32 id, uint256 index) = _send("x", new bytes[](0));
        bytes memory envelope = _envelope(index);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, id));
        adapterB.retry(A, address(adapterA), envelope, DEFAULT_GAS); // not delivered yet
        wire.deliver(index);
        // the same envelope claimed from another source, or another envelope: other ids, not failed
        bytes32 otherSource = adapterB.messageIdOf(A, stranger, B, address(adapterB), envelope);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, otherSource));
        adapterB.retry(A, stranger, envelope, DEFAULT_GAS);
        bytes memory other = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0, origin: A, sender: app, recipient: address(recipient), gasLimit: DEFAULT_GAS, payload: "y"
            })
        );
        bytes32 otherId = adapterB.messageIdOf(A, address(adapterA), B, address(adapterB), other);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterNotFailed.selector, otherId));
        adapterB.retry(A, address(adapterA), other, DEFAULT_GAS);
    }

    function test_Deliver_RevertWhen_TooLittleGas_MessageUntouched() public {
        (, uint256 index) = _send("x", _gas(1_000_000));
        vm.expectRevert(); // ConcordAdapterInsufficientGas: the protocol keeps the message
        wire.deliver{gas: 500_000}(index);
        assertEq(uint8(_statusB(index)), uint8(IConcordAdapter.MessageStatus.NONE));
        wire.deliver(index);
        assertEq(recipient.calls(), 1);
    }

    function test_Deliver_RevertWhen_PrivilegedRecipient() public {
        bytes[2] memory targets = [_to(B, address(adapterB)), _to(B, address(manager))];
        address[2] memory accounts = [address(adapterB), address(manager)];
        for (uint256 i = 0; i < 2; ++i) {
            uint256 fee = adapterA.quote(targets[i], "x", new bytes[](0));
            vm.prank(app);
            adapterA.sendMessage{value: fee}(targets[i], "x", new bytes[](0));
            uint256 index = wire.count() - 1;
            vm.expectRevert(
                abi.encodeWithSelector(IConcordAdapter.ConcordAdapterPrivilegedRecipient.selector, accounts[i])
            );
            wire.deliver(index);
        }
    }

    /// @notice A recipient that re-enters the adapter (retry, send) during its delivery is refused: the lock.
    function test_Deliver_ReentryBlocked() public {
        recipient.setMode(MockRecipient.Mode.REENTER_RETRY);
        recipient.setReentryData(
            abi.encodeCall(IConcordAdapter.retry, (A, address(adapterA), bytes("whatever"), DEFAULT_GAS))
        );
        (bytes32 id, uint256 index) = _send("x", new bytes[](0));
        bytes memory lockError = abi.encodeWithSelector(IConcordAdapter.ConcordAdapterReentrantCall.selector);
        vm.expectEmit(address(adapterB));
        emit IConcordAdapter.ExecutionFailed(id, A, keccak256(lockError), lockError);
        wire.deliver(index);
    }

    function test_Deliver_FuzzPayloadAndGas(bytes memory payload, uint32 gasLimit) public {
        gasLimit = uint32(bound(gasLimit, 400_000, 2_000_000)); // MockRecipient records ~8 fresh slots
        (bytes32 id, uint256 index) = _send(payload, _gas(gasLimit));
        wire.deliver(index);
        assertEq(recipient.lastReceiveId(), id);
        assertEq(recipient.lastPayload(), payload);
        assertEq(adapterB.messageIdOf(A, address(adapterA), B, address(adapterB), _envelope(index)), id);
    }

    // ------------------------------------------------------------------ admin

    function test_Constructor_RevertWhen_InvalidArgs() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, uint32(0), DEFAULT_GAS
            )
        );
        new HarnessAdapter(wire, 0, address(manager), DEFAULT_GAS);
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterInvalidConstructorArgs.selector, A, uint32(0))
        );
        new HarnessAdapter(wire, A, address(manager), 0);
        assertEq(adapterA.localDomain(), A);
        assertEq(adapterA.defaultGasLimit(), DEFAULT_GAS);
    }

    function test_Admin_RevertWhen_NotAuthority() public {
        vm.startPrank(stranger);
        bytes memory denied = abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, stranger);
        vm.expectRevert(denied);
        adapterA.setRemote(C, stranger);
        vm.expectRevert(denied);
        adapterA.setSponsoredSender(stranger, true);
        vm.expectRevert(denied);
        adapterA.withdrawSponsorFunds(payable(stranger), 0);
        vm.stopPrank();
    }

    function test_SetRemote_EventsAndInvalidDomains() public {
        vm.expectEmit(address(adapterA));
        emit IConcordAdapter.RemoteSet(C, stranger);
        adapterA.setRemote(C, stranger);
        assertEq(adapterA.remote(C), stranger);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, uint32(0)));
        adapterA.setRemote(0, stranger);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, A));
        adapterA.setRemote(A, stranger);
        adapterA.setRemote(C, address(0));
        vm.prank(app);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterUnknownDomain.selector, C));
        adapterA.sendMessage{value: 1 ether}(_to(C, address(recipient)), "x", new bytes[](0));
    }

    function test_WithdrawSponsorFunds() public {
        adapterA.fund{value: 1 ether}();
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordAdapter.ConcordAdapterInvalidWithdrawal.selector, address(0), 1 ether, 1 ether
            )
        );
        adapterA.withdrawSponsorFunds(payable(address(0)), 1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                IConcordAdapter.ConcordAdapterInvalidWithdrawal.selector, stranger, 1 ether + 1, 1 ether
            )
        );
        adapterA.withdrawSponsorFunds(payable(stranger), 1 ether + 1);
        RefundRejecter rejecter = new RefundRejecter();
        vm.expectRevert(
            abi.encodeWithSelector(IConcordAdapter.ConcordAdapterRefundFailed.selector, address(rejecter), 1)
        );
        adapterA.withdrawSponsorFunds(payable(address(rejecter)), 1);
        vm.expectEmit(address(adapterA));
        emit IConcordAdapter.SponsorWithdrawn(stranger, 0.4 ether);
        adapterA.withdrawSponsorFunds(payable(stranger), 0.4 ether);
        assertEq(stranger.balance, 0.4 ether);
        assertEq(address(adapterA).balance, 0.6 ether);
    }

    // ------------------------------------------------------------------ envelope codec, routes

    /// @dev The packed envelope: 52 bytes of header (nonce, sender, recipient, gas limit) then the payload, decoded
    /// back to the same fields.
    function testFuzz_Envelope_RoundTrip(
        uint64 n,
        uint32 origin,
        address sender,
        address to,
        uint32 gasLimit,
        bytes memory payload
    ) public pure {
        bytes memory envelope = AdapterEnvelope.encode(n, origin, sender, to, gasLimit, payload);
        assertEq(envelope.length, 56 + payload.length);
        assertEq(keccak256(envelope), keccak256(abi.encodePacked(n, origin, sender, to, gasLimit, payload)));
        IConcordAdapter.Envelope memory e = AdapterEnvelope.decode(envelope);
        assertEq(e.nonce, n);
        assertEq(e.origin, origin);
        assertEq(e.sender, sender);
        assertEq(e.recipient, to);
        assertEq(e.gasLimit, gasLimit);
        assertEq(e.payload, payload);
    }

    /// @dev An envelope shorter than its header is refused on delivery (the protocol keeps it) and by `status`.
    function test_Deliver_RevertWhen_MalformedEnvelope() public {
        bytes memory short = new bytes(55);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterMalformedEnvelope.selector, 55));
        wire.deliverForged(address(adapterB), A, address(adapterA), short);
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterMalformedEnvelope.selector, 55));
        adapterB.status(A, address(adapterA), short);
        // exactly a header (empty payload) is well formed
        bytes memory headerOnly = AdapterEnvelope.encode(7, A, app, address(recipient), 100_000, "");
        wire.deliverForged(address(adapterB), A, address(adapterA), headerOnly);
        assertTrue(adapterB.status(A, address(adapterA), headerOnly) != IConcordAdapter.MessageStatus.NONE, "delivered");
    }

    /// @dev An envelope whose stated origin is not the domain the protocol authenticated is refused, even from the
    /// enrolled adapter of the authenticated domain.
    function test_Deliver_RevertWhen_StatedOriginMismatch() public {
        bytes memory envelope = AdapterEnvelope.encode(0, C, app, address(recipient), 100_000, "x");
        vm.expectRevert(abi.encodeWithSelector(IConcordAdapter.ConcordAdapterOriginMismatch.selector, A, C));
        wire.deliverForged(address(adapterB), A, address(adapterA), envelope);
        assertEq(recipient.calls(), 0);
    }

    /// @dev `AdapterEnvelope.parseRecipient` (calldata, for `this.` calls).
    function parseRecipientExternal(bytes calldata recipient_) external pure returns (bool, uint32, address) {
        return AdapterEnvelope.parseRecipient(recipient_);
    }

    /// @dev What the send accepted before the one-pass parser: OpenZeppelin's `tryParseEvmV1Calldata`, then a non-zero
    /// account and a domain in 1..2**32-1.
    function ozRecipientExternal(bytes calldata recipient_) external pure returns (bool, uint32, address) {
        (bool ok, uint256 domain, address account) = InteroperableAddress.tryParseEvmV1Calldata(recipient_);
        if (!ok || account == address(0) || domain == 0 || domain > type(uint32).max) return (false, 0, address(0));
        return (true, uint32(domain), account);
    }

    function _assertParsersAgree(bytes memory r) internal view {
        (bool ok, uint32 domain, address account) = this.parseRecipientExternal(r);
        (bool ozOk, uint32 ozDomain, address ozAccount) = this.ozRecipientExternal(r);
        assertEq(ok, ozOk, "accepted");
        assertEq(domain, ozDomain, "domain");
        assertEq(account, ozAccount, "account");
    }

    /// @dev The one-pass recipient parser accepts exactly what OpenZeppelin's parser and the send's checks accepted,
    /// with the same domain and account: near-valid encodings (every head byte, reference length and address length
    /// varied, the reference's value across the uint32 bound, trailing bytes, truncation) and arbitrary bytes.
    function testFuzz_ParseRecipient_MatchesOpenZeppelin(
        bytes2 version,
        bytes2 chainType,
        uint8 refLength,
        bytes32 referenceWord,
        uint8 addrLength,
        bytes32 addrWord,
        bytes memory tail,
        uint16 cut,
        uint8 mode
    ) public view {
        // Mostly well formed, each field sometimes off.
        if (mode % 4 != 0) version = 0x0001;
        if (mode % 5 != 0) chainType = 0x0000;
        if (mode % 3 != 0) addrLength = 20;
        if (mode % 7 != 0) refLength = uint8(bound(refLength, 0, 33));
        if (mode % 2 == 0) referenceWord = bytes32(uint256(referenceWord) % (uint256(type(uint32).max) + 2));
        bytes memory ref = new bytes(refLength);
        for (uint256 i = 0; i < refLength; ++i) {
            ref[i] = i < 32 ? referenceWord[32 - (refLength > 32 ? 32 : refLength) + i] : bytes1(0);
        }
        bytes memory addr = new bytes(addrLength);
        for (uint256 i = 0; i < addrLength; ++i) {
            addr[i] = addrWord[i % 32];
        }
        bytes memory r = bytes.concat(version, chainType, bytes1(refLength), ref, bytes1(addrLength), addr, tail);
        _assertParsersAgree(r);
        // Truncated anywhere.
        uint256 keep = bound(cut, 0, r.length);
        bytes memory truncated = new bytes(keep);
        for (uint256 i = 0; i < keep; ++i) {
            truncated[i] = r[i];
        }
        _assertParsersAgree(truncated);
    }

    /// @dev Arbitrary bytes: both parsers refuse (or accept) alike.
    function testFuzz_ParseRecipient_ArbitraryBytes(bytes memory r) public view {
        _assertParsersAgree(r);
    }

    /// @dev Fixed vectors: every domain width, a padded reference, the bounds of a domain, the zero account, a
    /// non-EVM chain type and a non-20-byte address.
    function test_ParseRecipient_Vectors() public view {
        address who = address(0xBEEF);
        uint32[5] memory domains = [uint32(1), 255, 256, 65_536, type(uint32).max];
        for (uint256 i = 0; i < domains.length; ++i) {
            bytes memory r = InteroperableAddress.formatEvmV1(domains[i], who);
            (bool ok, uint32 domain, address account) = this.parseRecipientExternal(r);
            assertTrue(ok);
            assertEq(domain, domains[i]);
            assertEq(account, who);
            _assertParsersAgree(r);
            // Every truncation of it (only the whole is accepted).
            for (uint256 keep = 0; keep < r.length; ++keep) {
                bytes memory truncated = new bytes(keep);
                for (uint256 j = 0; j < keep; ++j) {
                    truncated[j] = r[j];
                }
                (bool okTruncated,,) = this.parseRecipientExternal(truncated);
                assertFalse(okTruncated, "truncated");
                _assertParsersAgree(truncated);
            }
        }
        // A 32-byte (zero-padded) reference of domain 10 is domain 10, as for OpenZeppelin.
        bytes memory padded =
            bytes.concat(bytes4(0x00010000), bytes1(0x20), bytes32(uint256(10)), bytes1(0x14), bytes20(who));
        (bool okPadded, uint32 d,) = this.parseRecipientExternal(padded);
        assertTrue(okPadded);
        assertEq(d, 10);
        bytes[5] memory bad = [
            InteroperableAddress.formatEvmV1(uint256(type(uint32).max) + 1, who),
            InteroperableAddress.formatEvmV1(0, who),
            InteroperableAddress.formatEvmV1(10, address(0)),
            bytes.concat(bytes4(0x00010001), bytes1(0x01), bytes1(0x0a), bytes1(0x14), bytes20(who)),
            bytes.concat(bytes4(0x00010000), bytes1(0x01), bytes1(0x0a), bytes1(0x15), bytes20(who), bytes1(0x01))
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            (bool ok,,) = this.parseRecipientExternal(bad[i]);
            assertFalse(ok);
            _assertParsersAgree(bad[i]);
        }
    }

    /// @dev The one-pass `receiveMessage` call data is byte for byte what `abi.encodeCall` with OpenZeppelin's
    /// ERC-7930 formatter gives, for every origin width (1 to 4 bytes) and payload length.
    function testFuzz_ReceiveMessageCall_MatchesAbiEncoding(
        uint32 origin,
        address sender,
        bytes32 messageId,
        bytes memory payload
    ) public pure {
        bytes memory envelope = AdapterEnvelope.encode(1, origin, sender, address(0xbeef), 1, payload);
        bytes memory expected = abi.encodeCall(
            IERC7786Recipient.receiveMessage, (messageId, InteroperableAddress.formatEvmV1(origin, sender), payload)
        );
        assertEq(AdapterEnvelope.receiveMessageCall(envelope, messageId, origin), expected);
    }

    /// @dev Each destination counts its own sends (the nonce lives in the destination's route slot); re-enrolling
    /// a destination's adapter keeps its counter, so no nonce is ever reused towards that domain.
    function test_Nonce_PerDestination_KeptAcrossReenrollment() public {
        HarnessAdapter adapterC = new HarnessAdapter(wire, C, address(manager), DEFAULT_GAS);
        adapterA.setRemote(C, address(adapterC));
        _send("b0", new bytes[](0));
        _send("b1", new bytes[](0));
        bytes memory toC = _to(C, address(recipient));
        uint256 fee = adapterA.quote(toC, "c0", new bytes[](0));
        vm.prank(app);
        adapterA.sendMessage{value: fee}(toC, "c0", new bytes[](0));
        assertEq(AdapterEnvelope.decode(_envelope(wire.count() - 1)).nonce, 0, "C's first");
        assertEq(adapterA.nonce(B), 2);
        assertEq(adapterA.nonce(C), 1);
        adapterA.setRemote(B, address(0));
        adapterA.setRemote(B, address(adapterB));
        (, uint256 index) = _send("b2", new bytes[](0));
        assertEq(AdapterEnvelope.decode(_envelope(index)).nonce, 2, "B's counter survived re-enrollment");
    }

    receive() external payable {}

    // ------------------------------------------------------------------ hand-written encodings (gas work)

    /// @dev The send's hand-written `MessageSent` data, envelope and message id are exactly what Solidity's encoders
    /// give, for any payload (including lengths that are and are not multiples of 32), with and without the gas limit
    /// attribute, from a sender domain whose ERC-7930 prefix has 1 to 4 reference bytes.
    function testFuzz_Send_MessageSentEnvelopeAndIdAsSolidityEncodesThem(
        bytes calldata payload,
        bool withGas,
        uint32 gasLimit,
        uint32 localDomain
    ) public {
        localDomain = uint32(bound(localDomain, 1, type(uint32).max));
        vm.assume(localDomain != B);
        gasLimit = uint32(bound(gasLimit, 1, type(uint32).max));
        HarnessAdapter source = new HarnessAdapter(wire, localDomain, address(manager), DEFAULT_GAS);
        source.setRemote(B, address(adapterB));
        bytes[] memory attributes = withGas ? _gas(gasLimit) : new bytes[](0);
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: 0,
                origin: localDomain,
                sender: app,
                recipient: address(recipient),
                gasLimit: withGas ? gasLimit : DEFAULT_GAS,
                payload: payload
            })
        );
        bytes32 expected = keccak256(abi.encode(uint8(2), localDomain, address(source), B, address(adapterB), envelope));
        vm.recordLogs();
        assertEq(_sendFrom(source, payload, attributes), expected, "message id");
        assertEq(source.messageIdOf(localDomain, address(source), B, address(adapterB), envelope), expected);
        assertEq(keccak256(wire.packet(wire.count() - 1).envelope), keccak256(envelope), "envelope");
        _assertMessageSent(
            address(source),
            expected,
            abi.encode(_to(localDomain, app), _to(B, address(recipient)), payload, uint256(0), attributes)
        );
    }

    function _sendFrom(HarnessAdapter source, bytes calldata payload, bytes[] memory attributes)
        internal
        returns (bytes32)
    {
        bytes memory to = _to(B, address(recipient));
        uint256 fee = source.quote(to, payload, attributes);
        vm.prank(app);
        return source.sendMessage{value: fee}(to, payload, attributes);
    }

    function _assertMessageSent(address source, bytes32 id, bytes memory data) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bool found;
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != source || logs[i].topics[0] != IERC7786GatewaySource.MessageSent.selector) continue;
            found = true;
            assertEq(logs[i].topics[1], id);
            assertEq(logs[i].data, data, "MessageSent data as Solidity encodes it");
        }
        assertTrue(found, "MessageSent emitted");
    }

    /// @dev `messageIdOf` (the delivery's hand-written preimage) is `keccak256(abi.encode(...))` for any envelope.
    function testFuzz_MessageId_MatchesAbiEncode(
        uint32 origin,
        address originAdapter,
        uint32 destination,
        address destinationAdapter,
        bytes calldata envelope
    ) public view {
        assertEq(
            adapterA.messageIdOf(origin, originAdapter, destination, destinationAdapter, envelope),
            keccak256(abi.encode(uint8(2), origin, originAdapter, destination, destinationAdapter, envelope))
        );
    }
}
