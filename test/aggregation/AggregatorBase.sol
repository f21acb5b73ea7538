// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    ILayerZeroEndpointV2,
    MessagingFee,
    MessagingParams
} from "@layerzerolabs/lz-evm-protocol-v2/contracts/interfaces/ILayerZeroEndpointV2.sol";
import {TestHelperOz5} from "@layerzerolabs/test-devtools-evm-foundry/contracts/TestHelperOz5.sol";
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {Vm} from "forge-std/Vm.sol";

import {AdapterEnvelope} from "../../contracts/adapters/AdapterEnvelope.sol";
import {AggregatorEnvelope} from "../../contracts/adapters/aggregator/AggregatorEnvelope.sol";
import {TransportAggregator} from "../../contracts/adapters/aggregator/TransportAggregator.sol";
import {HyperlaneAdapter} from "../../contracts/adapters/hyperlane/HyperlaneAdapter.sol";
import {LayerZeroAdapter} from "../../contracts/adapters/layerzero/LayerZeroAdapter.sol";
import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordAdapter} from "../../contracts/interfaces/IConcordAdapter.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {ITransportAggregator} from "../../contracts/interfaces/ITransportAggregator.sol";
import {MultisigVerifierFactory} from "../../contracts/isms/MultisigVerifierFactory.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {ProbeRecipient} from "../adapters/HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {HyperlaneFixture} from "../adapters/HyperlaneAdapter/HyperlaneFixture.sol";
import {LayerZeroFixture} from "../adapters/LayerZeroAdapter/LayerZeroFixture.sol";

/// @notice Two domains (A: 1, B: 10) joined by three real transports, each with its own trust:
/// - slot 1: Concord's native gateway (`nA`/`nB`, a 2-of-3 `MessageIdMultisigVerifier` per route, its own validator
///   keys `nKeys`);
/// - slot 2: the LayerZero adapter (`lA`/`lB`) over LayerZero's real `EndpointV2`, `SendUln302`/`ReceiveUln302`, DVN
///   and executor as the LayerZero test kit deploys them (eids 1 and 2; see {LayerZeroFixture}); the aggregator pays
///   its quote;
/// - slot 3: the Hyperlane adapter over Hyperlane's real Mailbox, IGP, MerkleTreeHook and multisig ISM
///   (see {HyperlaneFixture}); the aggregator pays its quote.
/// A `TransportAggregator` on each domain (`aggA`, `aggB`) registers the three in the same slots, names the other as
/// its remote, sends over all three with threshold 2 (3 for declared values above 10 ether), and counts all three
/// with the same rule. The fixture plays every relayer, validator, DVN and executor; the test contract is the
/// AccessManager admin (and the LayerZero adapters' endpoint delegate is the AccessManager).
abstract contract AggregatorBase is HyperlaneFixture, LayerZeroFixture {
    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant HL_A = 11_111;
    uint32 internal constant HL_B = 22_222;
    uint32 internal constant EID_A = 1;
    uint32 internal constant EID_B = 2;
    uint32 internal constant DEFAULT_GAS = 200_000;
    uint48 internal constant CONFIG_DELAY = 1 days;
    uint48 internal constant RELEASE_DELAY = 2 days;
    uint128 internal constant VALUE_BOUND = 10 ether;
    uint8 internal constant SLOT_NATIVE = 1;
    uint8 internal constant SLOT_LZ = 2;
    uint8 internal constant SLOT_HL = 3;
    uint256 internal constant ALL = (1 << 1) | (1 << 2) | (1 << 3);
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// @notice A message captured from a native gateway's `Dispatched`.
    struct NativeSent {
        uint32 origin;
        bytes message;
    }

    /// @notice The three legs of one aggregated send: indices into the native, LayerZero and Hyperlane captures
    /// (`type(uint256).max` for a leg that was not sent).
    struct Legs {
        uint256 n0;
        uint256 lz;
        uint256 hl;
        bytes envelope;
    }

    AccessManager internal manager;
    MultisigVerifierFactory internal factory;
    ConcordGateway internal nA;
    ConcordGateway internal nB;
    uint256[] internal nKeys;
    NativeSent[] internal nSent;
    uint256 internal dA;
    uint256 internal dB;
    HyperlaneAdapter internal hA;
    HyperlaneAdapter internal hB;
    LayerZeroAdapter internal lA;
    LayerZeroAdapter internal lB;
    TransportAggregator internal aggA;
    TransportAggregator internal aggB;
    ProbeRecipient internal rA;
    ProbeRecipient internal rB;

    address internal alice = makeAddr("alice");
    address internal stranger = makeAddr("stranger");
    uint256 internal t0 = 1_700_000_000;

    function setUp() public virtual override {
        super.setUp();
        // The kit's SendUln302 copy hands every packet back to the kit (`schedulePacket`, which stores the whole packet
        // in storage for the kit's own relaying helpers); LayerZero's production send library does not, and nothing
        // here reads that queue (packets are captured from `PacketSent`). The callback is mocked out so that a
        // LayerZero send costs what it costs on LayerZero's production contracts (gas figures, flows' gas budgets).
        vm.mockCall(address(this), abi.encodeWithSelector(TestHelperOz5.schedulePacket.selector), "");
        vm.warp(t0);
        manager = new AccessManager(address(this));
        factory = new MultisigVerifierFactory();
        nA = new ConcordGateway(CHAIN_A, address(manager), DEFAULT_GAS, 8192);
        nB = new ConcordGateway(CHAIN_B, address(manager), DEFAULT_GAS, 8192);
        address[] memory validators;
        (nKeys, validators) = _nativeKeys();
        _nativeRoute(nB, CHAIN_A, address(nA), CHAIN_B, validators);
        _nativeRoute(nA, CHAIN_B, address(nB), CHAIN_A, validators);

        _lzDeploy(2);
        lA = _lzDeployAdapter(EID_A, CHAIN_A, manager, DEFAULT_GAS);
        lB = _lzDeployAdapter(EID_B, CHAIN_B, manager, DEFAULT_GAS);
        _lzEnroll(lA, CHAIN_B, EID_B, lB);
        _lzEnroll(lB, CHAIN_A, EID_A, lA);

        dA = _hlDeployDomain(CHAIN_A, HL_A);
        dB = _hlDeployDomain(CHAIN_B, HL_B);
        _hlConnect(dA, dB);
        _hlConnect(dB, dA);
        hA = _hlDeployAdapter(dA, manager, DEFAULT_GAS);
        hB = _hlDeployAdapter(dB, manager, DEFAULT_GAS);
        _hlEnroll(hA, dB, hB);
        _hlEnroll(hB, dA, hA);

        aggA = new TransportAggregator(CHAIN_A, address(manager), DEFAULT_GAS, CONFIG_DELAY, RELEASE_DELAY);
        aggB = new TransportAggregator(CHAIN_B, address(manager), DEFAULT_GAS, CONFIG_DELAY, RELEASE_DELAY);
        _wire(aggA, nA, lA, hA, CHAIN_B, aggB, true);
        _wire(aggB, nB, lB, hB, CHAIN_A, aggA, true);
        vm.warp(t0 += CONFIG_DELAY);

        rA = new ProbeRecipient();
        rB = new ProbeRecipient();
        vm.deal(alice, 100 ether);
        vm.deal(stranger, 100 ether);
    }

    /// @dev Registers the three gateways of one side in slots 1..3 (native, LayerZero, Hyperlane), names `remote` on
    /// `domain`, schedules the send config to it (version 1: all three, 2 of 3, 3 above `VALUE_BOUND`) and the receive
    /// set and rule from it. `hlPaid`: whether the aggregator pays the Hyperlane leg itself (otherwise it is the
    /// Hyperlane adapter's sponsored sender); the LayerZero leg is always paid.
    function _wire(
        TransportAggregator agg,
        ConcordGateway native,
        LayerZeroAdapter lz,
        HyperlaneAdapter hl,
        uint32 domain,
        TransportAggregator remote,
        bool hlPaid
    ) internal {
        assertEq(agg.registerGateway(address(native), false), SLOT_NATIVE);
        assertEq(agg.registerGateway(address(lz), true), SLOT_LZ);
        assertEq(agg.registerGateway(address(hl), hlPaid), SLOT_HL);
        if (!hlPaid) hl.setSponsoredSender(address(agg), true);
        agg.scheduleRemoteAggregator(domain, address(remote));
        assertEq(agg.scheduleSendConfig(domain, ALL, 2, 3, VALUE_BOUND), 1);
        agg.scheduleReceiveSet(domain, ALL);
        agg.scheduleReceiveRule(domain, 1, 2, 3, VALUE_BOUND);
    }

    // ------------------------------------------------------------------------------------------ native transport

    function _nativeKeys() internal pure returns (uint256[] memory keys, address[] memory addrs) {
        keys = new uint256[](3);
        addrs = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            keys[i] = (uint256(keccak256(abi.encode("concord.aggregator.native", i))) % (SECP256K1_N - 1)) + 1;
            addrs[i] = vm.addr(keys[i]);
        }
        for (uint256 i = 1; i < 3; ++i) {
            for (uint256 j = i; j > 0 && addrs[j] < addrs[j - 1]; --j) {
                (addrs[j], addrs[j - 1]) = (addrs[j - 1], addrs[j]);
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
    }

    /// @dev Enrolls `origin` (gateway `originGateway`) on `destination` with a factory-deployed 2-of-3 message-id
    /// multisig over `validators`.
    function _nativeRoute(
        ConcordGateway destination,
        uint32 origin,
        address originGateway,
        uint32 local,
        address[] memory validators
    ) internal {
        IMultisigVerifier verifier = factory.deploy(
            IMultisigVerifierFactory.Variant.MESSAGE_ID,
            IMultisigVerifier.Config({
                origin: origin,
                originGateway: bytes32(uint256(uint160(originGateway))),
                localDomain: local,
                threshold: 2,
                validators: validators
            })
        );
        destination.setRoute(origin, address(verifier), originGateway);
    }

    /// @dev Captures native `Dispatched`, LayerZero `PacketSent` and Hyperlane `Dispatch` events from the logs
    /// recorded since `vm.recordLogs()`.
    function _capture() internal returns (uint256 native, uint256 layerZero, uint256 hyperlane) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics.length == 0 || logs[i].topics[0] != IConcordGateway.Dispatched.selector) continue;
            uint32 domain;
            if (logs[i].emitter == address(nA)) domain = CHAIN_A;
            else if (logs[i].emitter == address(nB)) domain = CHAIN_B;
            else continue;
            nSent.push(NativeSent(domain, abi.decode(logs[i].data, (bytes))));
            ++native;
        }
        layerZero = _lzCapture(logs);
        hyperlane = _hlCapture(logs);
    }

    /// @dev The native message-id multisig metadata of `message` from `origin`'s gateway, signed by the first two of
    /// the native validators' keys.
    function _nativeMetadata(uint32 origin, bytes memory message) internal view returns (bytes memory metadata) {
        address originGateway = origin == CHAIN_A ? address(nA) : address(nB);
        uint32 n;
        assembly ("memory-safe") {
            n := shr(224, mload(add(message, 0x21)))
        }
        bytes32 digest = CheckpointDigest.digest(
            origin, bytes32(uint256(uint160(originGateway))), CheckpointDigest.KIND_MESSAGE_ID, keccak256(message), n
        );
        for (uint256 k = 0; k < 2; ++k) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(nKeys[k], digest);
            metadata = abi.encodePacked(metadata, r, s, v);
        }
    }

    /// @dev Relays captured native message `i` to its destination with its validators' signatures.
    function _relayNative(uint256 i) internal {
        NativeSent storage s = nSent[i];
        ConcordGateway destination = s.origin == CHAIN_A ? nB : nA;
        destination.process(_nativeMetadata(s.origin, s.message), s.message);
    }

    /// @dev Builds and relays a native message that the native validators sign although its origin gateway never
    /// dispatched it (a corrupt validator quorum): from `sender` on `origin`, to `recipient`, body `gasLimit |
    /// payload`, at nonce `n`.
    function _forgeNative(
        uint32 origin,
        address sender,
        address recipient,
        uint32 gasLimit,
        bytes memory payload,
        uint32 n
    ) internal {
        bytes memory message = _forgedMessage(origin, sender, recipient, gasLimit, payload, n);
        ConcordGateway destination = origin == CHAIN_A ? nB : nA;
        destination.process(_nativeMetadata(origin, message), message);
    }

    function _forgedMessage(
        uint32 origin,
        address sender,
        address recipient,
        uint32 gasLimit,
        bytes memory payload,
        uint32 n
    ) internal pure returns (bytes memory) {
        return Message.format(
            3,
            n,
            origin,
            bytes32(uint256(uint160(sender))),
            origin == CHAIN_A ? CHAIN_B : CHAIN_A,
            bytes32(uint256(uint160(recipient))),
            abi.encodePacked(gasLimit, payload)
        );
    }

    // ------------------------------------------------------------------------------------------ LayerZero transport

    /// @dev LayerZero's DVN verifies packets in any order, but its executor runs a packet only once every earlier
    /// nonce of its path is verified (`EndpointV2.inboundNonce`): this verifies and commits (without executing) each
    /// earlier captured packet of packet `i`'s path that is not yet verified, then verifies and executes `i`.
    function _lzDeliver(uint256 i) internal {
        _lzVerifyEarlier(i);
        _lzRelay(i);
    }

    function _lzVerifyEarlier(uint256 i) internal {
        bytes memory p = lzSent[i].packet;
        ILayerZeroEndpointV2 endpoint = _lzEndpoint(_lzDstEid(p));
        bytes32 path = keccak256(abi.encode(_lzSrcEid(p), _lzSender(p), _lzDstEid(p), _lzReceiver(p)));
        for (uint256 j = 0; j < i; ++j) {
            bytes memory q = lzSent[j].packet;
            if (keccak256(abi.encode(_lzSrcEid(q), _lzSender(q), _lzDstEid(q), _lzReceiver(q))) != path) continue;
            uint64 n = _lzNonce(q);
            if (n <= endpoint.lazyInboundNonce(_lzReceiver(q), _lzSrcEid(q), _lzSender(q))) continue;
            if (endpoint.inboundPayloadHash(_lzReceiver(q), _lzSrcEid(q), _lzSender(q), n) != bytes32(0)) continue;
            _lzVerify(j);
        }
    }

    /// @dev A LayerZero packet from A to B that LayerZero's send side never produced for the aggregator, signed by the
    /// DVN and committed (a corrupt DVN and path): it states `lA` as its sender and carries an adapter envelope from
    /// `sender` (adapter nonce `adapterNonce`) with `payload`; the executor then runs it with the adapter's own gas.
    /// (Made by sending it through A's real endpoint from `lA`'s address, which only a compromised LayerZero path could
    /// do.) Returns the packet's index; reverts of the execution surface.
    function _forgeLz(address sender, bytes memory payload, uint64 adapterNonce) internal returns (uint256 index) {
        index = _forgeLzPacket(sender, payload, adapterNonce);
        _lzExecute(index);
    }

    /// @dev `_forgeLz` up to the execution: the forged packet is sent and verified (with the earlier ones of its path),
    /// not executed.
    function _forgeLzPacket(address sender, bytes memory payload, uint64 adapterNonce)
        internal
        returns (uint256 index)
    {
        bytes memory envelope = AdapterEnvelope.encode(
            IConcordAdapter.Envelope({
                nonce: adapterNonce,
                origin: CHAIN_A,
                sender: sender,
                recipient: address(aggB),
                gasLimit: 2_000_000,
                payload: payload
            })
        );
        MessagingParams memory params = MessagingParams({
            dstEid: EID_B,
            receiver: bytes32(uint256(uint160(address(lB)))),
            message: envelope,
            options: lA.optionsOf(2_000_000, envelope.length),
            payInLzToken: false
        });
        MessagingFee memory fee = _lzEndpoint(EID_A).quote(params, address(lA));
        vm.deal(address(lA), address(lA).balance + fee.nativeFee);
        vm.recordLogs();
        vm.prank(address(lA));
        _lzEndpoint(EID_A).send{value: fee.nativeFee}(params, address(lA));
        assertEq(_lzCapture(), 1, "one LayerZero packet");
        index = _lzLast();
        _lzVerifyEarlier(index);
        _lzVerify(index);
    }

    /// @dev A second LayerZero packet from A's adapter (its address through A's real endpoint) carrying packet `i`'s
    /// adapter envelope again, with the adapter's options; returns its index (not relayed).
    function _lzResend(uint256 i) internal returns (uint256 index) {
        bytes memory envelope = _lzBody(i);
        MessagingParams memory params = MessagingParams({
            dstEid: EID_B,
            receiver: bytes32(uint256(uint160(address(lB)))),
            message: envelope,
            options: lzSent[i].options,
            payInLzToken: false
        });
        MessagingFee memory fee = _lzEndpoint(EID_A).quote(params, address(lA));
        vm.deal(address(lA), address(lA).balance + fee.nativeFee);
        vm.recordLogs();
        vm.prank(address(lA));
        _lzEndpoint(EID_A).send{value: fee.nativeFee}(params, address(lA));
        assertEq(_lzCapture(), 1, "one LayerZero packet");
        index = _lzLast();
    }

    /// @dev The LayerZero adapter's message id of packet `i` (from `lA` on A to `lB` on B).
    function _lzAdapterId(uint256 i) internal view returns (bytes32) {
        return lB.messageIdOf(CHAIN_A, address(lA), CHAIN_B, address(lB), _lzBody(i));
    }

    /// @dev The aggregator envelope a LayerZero leg carries (the payload of the adapter's envelope).
    function _lzAggregatorEnvelope(uint256 i) internal view returns (bytes memory) {
        return _lzEnvelope(i).payload;
    }

    // ------------------------------------------------------------------------------------------ sends

    function _to(uint32 chain, address account) internal pure returns (bytes memory) {
        return InteroperableAddress.formatEvmV1(chain, account);
    }

    function _noAttr() internal pure returns (bytes[] memory) {
        return new bytes[](0);
    }

    function _valueAttr(uint256 value) internal pure returns (bytes[] memory attributes) {
        attributes = new bytes[](1);
        attributes[0] = abi.encodeWithSelector(bytes4(keccak256("declaredValue(uint256)")), value);
    }

    /// @dev `from` sends `payload` from A to `rB` through `aggA`, paying exactly the quote; returns the id and the
    /// captured legs (each transport must have carried one).
    function _sendAB(address from, bytes memory payload, bytes[] memory attributes)
        internal
        returns (bytes32 id, Legs memory legs)
    {
        return _sendVia(aggA, from, CHAIN_B, address(rB), payload, attributes);
    }

    function _sendVia(
        TransportAggregator agg,
        address from,
        uint32 chain,
        address to,
        bytes memory payload,
        bytes[] memory attributes
    ) internal returns (bytes32 id, Legs memory legs) {
        bytes memory recipient = _to(chain, to);
        uint256 fee = agg.quote(recipient, payload, attributes);
        vm.deal(from, from.balance + fee);
        vm.recordLogs();
        vm.prank(from);
        id = agg.sendMessage{value: fee}(recipient, payload, attributes);
        legs = _legsOfLastSend(1, 1, 1);
    }

    /// @dev The legs of the last send, captured from the recorded logs (expecting `natives` native, `lzs` LayerZero
    /// and `hls` Hyperlane messages); each captured leg must carry the same aggregator envelope.
    function _legsOfLastSend(uint256 natives, uint256 lzs, uint256 hls) internal returns (Legs memory legs) {
        (uint256 native, uint256 layerZero, uint256 hyperlane) = _capture();
        assertEq(native, natives, "native legs");
        assertEq(layerZero, lzs, "LayerZero legs");
        assertEq(hyperlane, hls, "hyperlane legs");
        legs.n0 = native != 0 ? nSent.length - 1 : type(uint256).max;
        legs.lz = layerZero != 0 ? _lzLast() : type(uint256).max;
        legs.hl = hyperlane != 0 ? _hlLast() : type(uint256).max;
        if (native != 0) legs.envelope = _nativeBody(nSent[legs.n0].message);
        if (layerZero != 0) _sameEnvelope(legs, _lzAggregatorEnvelope(legs.lz));
        if (hyperlane != 0) _sameEnvelope(legs, _hlEnvelope(legs.hl).payload);
    }

    function _sameEnvelope(Legs memory legs, bytes memory envelope) private pure {
        if (legs.envelope.length == 0) legs.envelope = envelope;
        else assertEq(keccak256(envelope), keccak256(legs.envelope), "every leg carries the same envelope");
    }

    /// @dev The payload of a native message (after its 4-byte gas limit).
    function _nativeBody(bytes memory message) internal pure returns (bytes memory body) {
        uint256 offset = Message.BODY_OFFSET + 4;
        body = new bytes(message.length - offset);
        for (uint256 j = 0; j < body.length; ++j) {
            body[j] = message[offset + j];
        }
    }

    function _envelopeOf(Legs memory legs) internal pure returns (ITransportAggregator.Envelope memory) {
        return this_decode(legs.envelope);
    }

    /// @dev Decodes a memory envelope by hand (the library reads calldata).
    function this_decode(bytes memory e) internal pure returns (ITransportAggregator.Envelope memory env) {
        uint256 word;
        assembly ("memory-safe") {
            word := mload(add(e, 0x20))
        }
        env.nonce = uint64(word >> 192);
        env.origin = uint32(word >> 160);
        env.destination = uint32(word >> 128);
        env.version = uint64(word >> 64);
        assembly ("memory-safe") {
            word := mload(add(e, 0x38))
        }
        env.sender = address(uint160(word >> 96));
        assembly ("memory-safe") {
            word := mload(add(e, 0x4c))
        }
        env.recipient = address(uint160(word >> 96));
        assembly ("memory-safe") {
            word := mload(add(e, 0x60))
        }
        env.gasLimit = uint32(word >> 224);
        assembly ("memory-safe") {
            word := mload(add(e, 0x64))
        }
        env.declaredValue = word;
        env.payload = new bytes(e.length - AggregatorEnvelope.HEADER_LENGTH);
        for (uint256 j = 0; j < env.payload.length; ++j) {
            env.payload[j] = e[AggregatorEnvelope.HEADER_LENGTH + j];
        }
    }

    function _status(TransportAggregator agg, bytes32 id) internal view returns (ITransportAggregator.Status s) {
        (s,) = agg.record(id);
    }

    function _assertStatus(TransportAggregator agg, bytes32 id, ITransportAggregator.Status expected) internal view {
        assertEq(uint8(_status(agg, id)), uint8(expected), "aggregator status");
    }
}
