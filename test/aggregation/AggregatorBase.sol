// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {Vm} from "forge-std/Vm.sol";

import {AggregatorEnvelope} from "../../contracts/adapters/aggregator/AggregatorEnvelope.sol";
import {TransportAggregator} from "../../contracts/adapters/aggregator/TransportAggregator.sol";
import {HyperlaneAdapter} from "../../contracts/adapters/hyperlane/HyperlaneAdapter.sol";
import {ConcordGateway} from "../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../contracts/interfaces/IConcordGateway.sol";
import {IMultisigVerifier} from "../../contracts/interfaces/IMultisigVerifier.sol";
import {IMultisigVerifierFactory} from "../../contracts/interfaces/IMultisigVerifierFactory.sol";
import {ITransportAggregator} from "../../contracts/interfaces/ITransportAggregator.sol";
import {MultisigVerifierFactory} from "../../contracts/isms/MultisigVerifierFactory.sol";
import {CheckpointDigest} from "../../contracts/libraries/CheckpointDigest.sol";
import {Message} from "../../contracts/libraries/Message.sol";
import {ProbeRecipient} from "../adapters/HyperlaneAdapter/HyperlaneAdapterBase.sol";
import {HyperlaneFixture} from "../adapters/HyperlaneAdapter/HyperlaneFixture.sol";

/// @notice Two domains (A: 1, B: 10) joined by three real transports, each with its own validators:
/// - slot 1: Concord's native gateway, instance 0 (`nA[0]`/`nB[0]`, a 2-of-3 `MessageIdMultisigVerifier` per route);
/// - slot 2: a second, independent native gateway deployment (`nA[1]`/`nB[1]`, other validator keys);
/// - slot 3: the Hyperlane adapter over Hyperlane's real Mailbox, IGP, MerkleTreeHook and multisig ISM
///   (see {HyperlaneFixture}); the aggregator pays its quote (`paid`).
/// A `TransportAggregator` on each domain (`aggA`, `aggB`) registers the three in the same slots, names the other as
/// its remote, sends over all three with threshold 2 (3 for declared values above 10 ether), and counts all three
/// with the same rule. The fixture plays every relayer and validator; the test contract is the AccessManager admin.
abstract contract AggregatorBase is HyperlaneFixture {
    uint32 internal constant CHAIN_A = 1;
    uint32 internal constant CHAIN_B = 10;
    uint32 internal constant HL_A = 11_111;
    uint32 internal constant HL_B = 22_222;
    uint32 internal constant DEFAULT_GAS = 200_000;
    uint48 internal constant CONFIG_DELAY = 1 days;
    uint48 internal constant RELEASE_DELAY = 2 days;
    uint128 internal constant VALUE_BOUND = 10 ether;
    uint256 internal constant ALL = (1 << 1) | (1 << 2) | (1 << 3);
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// @notice A message captured from a native gateway's `Dispatched`.
    struct NativeSent {
        uint256 net;
        uint32 origin;
        bytes message;
    }

    /// @notice The three legs of one aggregated send: indices into the native and Hyperlane captures.
    struct Legs {
        uint256 n0;
        uint256 n1;
        uint256 hl;
        bytes envelope;
    }

    AccessManager internal manager;
    MultisigVerifierFactory internal factory;
    ConcordGateway[2] internal nA;
    ConcordGateway[2] internal nB;
    mapping(uint256 net => uint256[] keys) internal nKeys;
    NativeSent[] internal nSent;
    uint256 internal dA;
    uint256 internal dB;
    HyperlaneAdapter internal hA;
    HyperlaneAdapter internal hB;
    TransportAggregator internal aggA;
    TransportAggregator internal aggB;
    ProbeRecipient internal rA;
    ProbeRecipient internal rB;

    address internal alice = makeAddr("alice");
    address internal stranger = makeAddr("stranger");
    uint256 internal t0 = 1_700_000_000;

    function setUp() public virtual {
        vm.warp(t0);
        manager = new AccessManager(address(this));
        factory = new MultisigVerifierFactory();
        for (uint256 net = 0; net < 2; ++net) {
            nA[net] = new ConcordGateway(CHAIN_A, address(manager), DEFAULT_GAS, 8192);
            nB[net] = new ConcordGateway(CHAIN_B, address(manager), DEFAULT_GAS, 8192);
            address[] memory validators;
            (nKeys[net], validators) = _nativeKeys(net);
            _nativeRoute(nB[net], CHAIN_A, address(nA[net]), CHAIN_B, validators);
            _nativeRoute(nA[net], CHAIN_B, address(nB[net]), CHAIN_A, validators);
        }
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
        _wire(aggA, nA, hA, CHAIN_B, aggB, true);
        _wire(aggB, nB, hB, CHAIN_A, aggA, true);
        vm.warp(t0 += CONFIG_DELAY);

        rA = new ProbeRecipient();
        rB = new ProbeRecipient();
        vm.deal(alice, 100 ether);
        vm.deal(stranger, 100 ether);
    }

    /// @dev Registers the three gateways of one side in slots 1..3, names `remote` on `domain`, schedules the send
    /// config to it (version 1: all three, 2 of 3, 3 above `VALUE_BOUND`) and the receive set and rule from it.
    function _wire(
        TransportAggregator agg,
        ConcordGateway[2] storage natives,
        HyperlaneAdapter hl,
        uint32 domain,
        TransportAggregator remote,
        bool hlPaid
    ) internal {
        assertEq(agg.registerGateway(address(natives[0]), false), 1);
        assertEq(agg.registerGateway(address(natives[1]), false), 2);
        assertEq(agg.registerGateway(address(hl), hlPaid), 3);
        if (!hlPaid) hl.setSponsoredSender(address(agg), true);
        agg.setRemoteAggregator(domain, address(remote));
        assertEq(agg.scheduleSendConfig(domain, ALL, 2, 3, VALUE_BOUND), 1);
        agg.scheduleReceiveSet(domain, ALL);
        agg.scheduleReceiveRule(domain, 1, 2, 3, VALUE_BOUND);
    }

    // ------------------------------------------------------------------------------------------ native transport

    function _nativeKeys(uint256 net) internal pure returns (uint256[] memory keys, address[] memory addrs) {
        keys = new uint256[](3);
        addrs = new address[](3);
        for (uint256 i = 0; i < 3; ++i) {
            keys[i] = (uint256(keccak256(abi.encode("concord.aggregator.native", net, i))) % (SECP256K1_N - 1)) + 1;
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

    /// @dev Which native deployment `gateway` belongs to.
    function _netOf(address gateway) internal view returns (bool known, uint256 net, uint32 domain) {
        for (net = 0; net < 2; ++net) {
            if (gateway == address(nA[net])) return (true, net, CHAIN_A);
            if (gateway == address(nB[net])) return (true, net, CHAIN_B);
        }
    }

    /// @dev Captures native `Dispatched` and Hyperlane `Dispatch` events from the logs recorded since
    /// `vm.recordLogs()`.
    function _capture() internal returns (uint256 native, uint256 hyperlane) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics.length == 0 || logs[i].topics[0] != IConcordGateway.Dispatched.selector) continue;
            (bool known, uint256 net, uint32 domain) = _netOf(logs[i].emitter);
            if (!known) continue;
            nSent.push(NativeSent(net, domain, abi.decode(logs[i].data, (bytes))));
            ++native;
        }
        hyperlane = _hlCapture(logs);
    }

    /// @dev The native message-id multisig metadata of `message` from `origin`'s gateway of deployment `net`, signed
    /// by the first two of `keys`.
    function _nativeMetadata(uint256 net, uint32 origin, bytes memory message, uint256[] memory keys)
        internal
        view
        returns (bytes memory metadata)
    {
        address originGateway = origin == CHAIN_A ? address(nA[net]) : address(nB[net]);
        uint32 n;
        assembly ("memory-safe") {
            n := shr(224, mload(add(message, 0x21)))
        }
        bytes32 digest = CheckpointDigest.digest(
            origin, bytes32(uint256(uint160(originGateway))), CheckpointDigest.KIND_MESSAGE_ID, keccak256(message), n
        );
        for (uint256 k = 0; k < 2; ++k) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[k], digest);
            metadata = abi.encodePacked(metadata, r, s, v);
        }
    }

    /// @dev Relays captured native message `i` to its destination with its validators' signatures.
    function _relayNative(uint256 i) internal {
        NativeSent storage s = nSent[i];
        ConcordGateway destination = s.origin == CHAIN_A ? nB[s.net] : nA[s.net];
        destination.process(_nativeMetadata(s.net, s.origin, s.message, nKeys[s.net]), s.message);
    }

    /// @dev Builds and relays a native message that deployment `net`'s validators sign although its origin gateway
    /// never dispatched it (a corrupt validator quorum): from `sender` on `origin`, to `recipient`, body `gasLimit |
    /// payload`, at nonce `n`.
    function _forgeNative(
        uint256 net,
        uint32 origin,
        address sender,
        address recipient,
        uint32 gasLimit,
        bytes memory payload,
        uint32 n
    ) internal {
        bytes memory message = _forgedMessage(origin, sender, recipient, gasLimit, payload, n);
        ConcordGateway destination = origin == CHAIN_A ? nB[net] : nA[net];
        bytes memory metadata = _nativeMetadata(net, origin, message, nKeys[net]);
        destination.process(metadata, message);
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
        legs = _legsOfLastSend(2, 1);
    }

    /// @dev The legs of the last send, captured from the recorded logs (expecting `natives` native and `hls`
    /// Hyperlane messages).
    function _legsOfLastSend(uint256 natives, uint256 hls) internal returns (Legs memory legs) {
        (uint256 native, uint256 hyperlane) = _capture();
        assertEq(native, natives, "native legs");
        assertEq(hyperlane, hls, "hyperlane legs");
        legs.n0 = type(uint256).max;
        legs.n1 = type(uint256).max;
        legs.hl = type(uint256).max;
        for (uint256 i = nSent.length - native; i < nSent.length; ++i) {
            if (nSent[i].net == 0) legs.n0 = i;
            else legs.n1 = i;
        }
        if (hyperlane != 0) legs.hl = _hlLast();
        if (native != 0) legs.envelope = _nativeBody(nSent[nSent.length - 1].message);
        else if (hyperlane != 0) legs.envelope = _hlBody(legs.hl);
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
