// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {TransportAggregator} from "../../../contracts/adapters/aggregator/TransportAggregator.sol";
import {ITransportAggregator} from "../../../contracts/interfaces/ITransportAggregator.sol";
import {AggregatorBase} from "../../aggregation/AggregatorBase.sol";

/// @notice TEST ONLY: the handler's operation counter, read by the recipient at each execution.
interface IAggOpCounter {
    function ops() external view returns (uint256);
}

/// @notice TEST ONLY: the recipient on B. Counts executions per id and, at each execution, records what the
/// aggregator showed: the receipts of the executed envelope, the receive set, the payload hash, the gas it got and the
/// handler's operation number (to order executions against forgeries and releases).
contract AggInvariantRecipient is IERC7786Recipient {
    error AggInvariantRecipientRefused();

    /// @dev Packed in two slots: the recipient's own writes must fit in the default gas limit.
    struct Seen {
        uint16 count;
        uint16 receipts;
        uint16 receiveSet;
        uint48 at;
        uint64 op;
        uint32 gasAtEntry;
        bytes32 payloadHash;
    }

    TransportAggregator public immutable aggregator;
    uint32 public immutable source;
    IAggOpCounter public immutable counter;
    bool public failing;
    uint256 public executions;
    mapping(bytes32 id => Seen) internal _seen;
    bytes32[] public executedIds;

    constructor(TransportAggregator aggregator_, uint32 source_, IAggOpCounter counter_) {
        aggregator = aggregator_;
        source = source_;
        counter = counter_;
    }

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function receiveMessage(bytes32 id, bytes calldata, bytes calldata payload) external payable returns (bytes4) {
        uint256 gasAtEntry = gasleft();
        if (failing) revert AggInvariantRecipientRefused();
        Seen storage s = _seen[id];
        (, bytes32 envelopeHash) = aggregator.record(id);
        s.count += 1;
        s.receipts = uint16(aggregator.receipts(id, envelopeHash));
        s.receiveSet = uint16(aggregator.receiveSet(source));
        s.at = uint48(block.timestamp);
        s.op = uint64(counter.ops());
        s.gasAtEntry = uint32(gasAtEntry);
        s.payloadHash = keccak256(payload);
        executedIds.push(id);
        ++executions;
        return IERC7786Recipient.receiveMessage.selector;
    }

    function seen(bytes32 id) external view returns (Seen memory) {
        return _seen[id];
    }

    function executedCount() external view returns (uint256) {
        return executedIds.length;
    }
}

/// @notice Drives the aggregators of {AggregatorBase} over three real transports (Concord's native gateway, LayerZero
/// V2 and Hyperlane) with honest and hostile actions: sends (paid and sponsored), relays of any leg in any order,
/// starved relays, replays of relayed legs (through each transport, LayerZero's executor and a second LayerZero packet
/// included, or by a gateway calling the aggregator directly), forgeries of another payload for a real id by a corrupt
/// transport (the native validators or LayerZero's DVN, each with its own forged payloads), legs from a sender that is
/// not the remote aggregator, receive-set and threshold changes mid-flight (receipts of removed gateways), failing
/// recipients, `execute` / `retry` by anyone with any gas, operator releases of quarantined ids (of any envelope seen),
/// time. It keeps its own model of the receive set (the scheduled changes and their activation times), of the rules
/// per version, of conflicts and releases, and of the value that went in and out.
contract AggregationHandler is AggregatorBase {
    uint256 internal constant LEG_NATIVE = 0;
    uint256 internal constant LEG_LZ = 1;
    uint256 internal constant LEG_HL = 2;

    struct Sent {
        bytes32 id;
        uint64 version;
        bytes32 payloadHash;
        uint256 n0;
        uint256 lz;
        uint256 hl;
        uint256 relayed; // bit 0: native, 1: LayerZero, 2: Hyperlane
        uint256 conflictOp; // the first operation that recorded a forged envelope before execution (model)
        uint256 releaseOp; // the last successful release
        uint48 releaseScheduledAt;
        bytes envelope;
        bytes32[] forged;
    }

    struct SetChange {
        uint256 set;
        uint256 at;
    }

    AggInvariantRecipient public recipient;
    Sent[] internal _sent;
    SetChange[] internal _setChanges;
    mapping(uint64 version => uint8 threshold) public ruleOf;
    uint64 public latestVersion = 1;
    uint256 public ops;
    uint64 internal _lzForgeNonce = 1_000_000;
    uint32 internal _nativeForgeNonce = 100_000;

    // Value ghosts (A side).
    uint256 public ghostValueIn; // value sent with messages
    uint256 public ghostRefunded; // refunds received by senders
    uint256 public ghostFunded; // sponsor funding
    uint256 public ghostQuoted; // sum of quotes at send time
    uint256 public ghostCharged; // what each send cost its payer (sender or sponsor balance)
    uint256 public ghostAttackerLzFees; // what the forger paid LayerZero for its own packets
    uint256 public igpStart;
    uint256 public lzLibStart;

    // Violations seen by the handler itself.
    uint256 public replaysAccepted;
    uint256 public forgedSenderRecorded;
    uint256 public earlyReleases;
    uint256 public starvedFailures;

    mapping(bytes32 => uint256) public calls;
    address[3] internal _actors;

    constructor() {
        setUp();
        recipient = new AggInvariantRecipient(aggB, CHAIN_A, IAggOpCounter(address(this)));
        _setChanges.push(SetChange(ALL, 0));
        ruleOf[1] = 2;
        igpStart = address(hlDomains[dA].igp).balance;
        lzLibStart = endpointSetup.sendLibs[0].balance;
        aggA.setSponsoredSender(address(this), true);
        vm.deal(address(this), 1000 ether);
        _actors = [makeAddr("actor0"), makeAddr("actor1"), makeAddr("actor2")];
    }

    modifier op(bytes32 name) {
        ++ops;
        ++calls[name];
        _;
    }

    // ------------------------------------------------------------------------------------------ honest actions

    /// @notice An actor sends (paying the quote plus `extra`), or this sponsored handler sends without value.
    function send(uint256 actorSeed, uint256 extra, uint256 payloadSeed, bool sponsored) external op("send") {
        bytes memory payload = abi.encodePacked("m", payloadSeed % 1000, _sent.length);
        bytes memory to = _to(CHAIN_B, address(recipient));
        uint256 fee = aggA.quote(to, payload, _noAttr());
        (ITransportAggregator.SendConfig memory config,,) = aggA.sendConfig(CHAIN_B);
        vm.recordLogs();
        if (sponsored) {
            uint256 balanceBefore = address(aggA).balance;
            if (balanceBefore < fee) {
                aggA.fund{value: fee}();
                ghostFunded += fee;
                balanceBefore += fee;
            }
            aggA.sendMessage(to, payload, _noAttr());
            ghostCharged += balanceBefore - address(aggA).balance;
        } else {
            address actor = _actors[actorSeed % 3];
            extra = bound(extra, 0, 1 ether);
            vm.deal(actor, fee + extra);
            vm.prank(actor);
            aggA.sendMessage{value: fee + extra}(to, payload, _noAttr());
            ghostValueIn += fee + extra;
            ghostRefunded += actor.balance;
            ghostCharged += fee + extra - actor.balance;
        }
        ghostQuoted += fee;
        Legs memory legs = _legsOfLastSend(1, 1, 1);
        Sent storage s = _sent.push();
        s.id = aggA.idOf(CHAIN_A, address(aggA), CHAIN_B, aggA.nonce(CHAIN_B) - 1);
        s.version = config.version;
        s.payloadHash = keccak256(payload);
        (s.n0, s.lz, s.hl, s.envelope) = (legs.n0, legs.lz, legs.hl, legs.envelope);
    }

    /// @notice A relayer delivers one not yet relayed leg of a message (any order; usually one of the four latest
    /// messages, so that messages reach their threshold and beyond), over its transport.
    function relay(uint256 messageSeed, uint256 legSeed) external op("relay") {
        if (_sent.length == 0) return;
        Sent storage s = _sent[_pick(messageSeed)];
        for (uint256 k = 0; k < 3; ++k) {
            uint256 leg = (legSeed + k) % 3;
            if (s.relayed & (1 << leg) != 0) continue;
            s.relayed |= 1 << leg;
            _relayLeg(s, leg);
            return;
        }
    }

    /// @notice A relayer delivers a leg with too little gas (a griefing relayer): the delivery must revert as a whole
    /// (the transport keeps the leg) or succeed, never leave the message FAILED because of the relayer's gas.
    function relayStarved(uint256 messageSeed, uint256 legSeed, uint256 gas) external op("relayStarved") {
        if (_sent.length == 0) return;
        uint256 index = _pick(messageSeed);
        Sent storage s = _sent[index];
        uint256 leg = legSeed % 3;
        if (s.relayed & (1 << leg) != 0) return;
        gas = bound(gas, 60_000, 600_000);
        (ITransportAggregator.Status before,) = aggB.record(s.id);
        if (leg == LEG_LZ) {
            // The DVN verifies; the executor runs the packet with too little gas.
            _lzVerifyEarlier(s.lz);
            _lzVerify(s.lz);
            try this.lzExecuteExternal(s.lz, gas) {
                s.relayed |= 1 << leg;
            } catch {}
        } else {
            try this.relayLegExternal{gas: gas}(index, leg) {
                s.relayed |= 1 << leg;
            } catch {}
        }
        (ITransportAggregator.Status afterwards,) = aggB.record(s.id);
        if (
            afterwards == ITransportAggregator.Status.FAILED && before != ITransportAggregator.Status.FAILED
                && !recipient.failing()
        ) ++starvedFailures;
    }

    /// @notice Anyone: `execute` or `retry` of any message, with any gas limit and any gas for the call (usually
    /// refused).
    function executeOrRetry(uint256 messageSeed, bool isRetry, uint32 gasLimit, uint256 callGas)
        external
        op("executeOrRetry")
    {
        if (_sent.length == 0) return;
        Sent storage s = _sent[_pick(messageSeed)];
        callGas = bound(callGas, 100_000, 1_000_000);
        (ITransportAggregator.Status before,) = aggB.record(s.id);
        vm.prank(_actors[messageSeed % 3]);
        if (isRetry) {
            try aggB.retry{gas: callGas}(
                address(aggA), s.envelope, uint32(bound(gasLimit, DEFAULT_GAS / 2, 2 * DEFAULT_GAS))
            ) {}
                catch {}
        } else {
            try aggB.execute{gas: callGas}(address(aggA), s.envelope) {} catch {}
        }
        (ITransportAggregator.Status afterwards,) = aggB.record(s.id);
        if (
            afterwards == ITransportAggregator.Status.FAILED && before != ITransportAggregator.Status.FAILED
                && !recipient.failing()
        ) ++starvedFailures;
    }

    /// @notice The recipient starts failing (one call in four) or accepts again.
    function setFailing(uint256 seed) external op("setFailing") {
        recipient.setFailing(seed % 4 == 0);
    }

    function warp(uint256 seconds_) external op("warp") {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 days));
    }

    // ------------------------------------------------------------------------------------------ attacker actions

    /// @notice Attacker: replays a leg that was already relayed: through its transport (the same native message or
    /// Hyperlane message again; LayerZero's executor on the executed packet, or a second LayerZero packet from A's
    /// adapter carrying the same adapter envelope), or by the gateway calling the aggregator directly.
    function replay(uint256 messageSeed, uint256 legSeed, uint256 mode) external op("replay") {
        if (_sent.length == 0) return;
        uint256 index = _pick(messageSeed);
        Sent storage s = _sent[index];
        uint256 leg = legSeed % 3;
        if (s.relayed & (1 << leg) == 0) return;
        address gateway = aggB.gatewayAt(uint8(leg + 1)).gateway;
        bytes32 h = keccak256(s.envelope);
        uint256 before = aggB.receipts(s.id, h);
        mode %= 3;
        if (mode == 0) {
            vm.prank(gateway);
            try aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), s.envelope) {
                ++replaysAccepted;
            } catch {}
        } else if (mode == 1 || leg != LEG_LZ) {
            try this.relayLegExternal(index, leg) {
                // A leg whose first delivery reverted at the transport (a starved or refused leg) may still be
                // delivered once; any other second delivery is a replay.
                if (aggB.receipts(s.id, h) != before && before & (1 << (leg + 1)) != 0) ++replaysAccepted;
            } catch {}
        } else {
            uint256 lib = endpointSetup.sendLibs[0].balance;
            uint256 again = _lzResend(s.lz);
            ghostAttackerLzFees += endpointSetup.sendLibs[0].balance - lib;
            try this.lzDeliverExternal(again) {
                if (aggB.receipts(s.id, h) != before) ++replaysAccepted;
            } catch {}
        }
    }

    /// @notice Attacker: a corrupt transport (the native validators, or LayerZero's DVN with a packet A's endpoint
    /// sent from the adapter's address) delivers another payload for a real id. Each corrupt transport forges its own
    /// payloads (they never collude on one forged envelope: at most one receipt per forged envelope).
    function forge(uint256 messageSeed, uint256 payloadSeed, bool viaLz) external op("forge") {
        if (_sent.length == 0) return;
        Sent storage s = _sent[_pick(messageSeed)];
        ITransportAggregator.Envelope memory e = this_decode(s.envelope);
        e.payload = abi.encodePacked("forged", viaLz, payloadSeed % 4);
        bytes memory forged = abi.encodePacked(
            e.nonce, e.origin, e.destination, e.version, e.sender, e.recipient, e.gasLimit, e.declaredValue, e.payload
        );
        bytes32 hf = keccak256(forged);
        uint256 before = aggB.receipts(s.id, hf);
        if (viaLz) {
            uint256 lib = endpointSetup.sendLibs[0].balance;
            try this.forgeLzExternal(forged, ++_lzForgeNonce) {} catch {}
            ghostAttackerLzFees += endpointSetup.sendLibs[0].balance - lib;
        } else {
            _forgeNative(CHAIN_A, address(aggA), address(aggB), 2_000_000, forged, ++_nativeForgeNonce);
        }
        if (aggB.receipts(s.id, hf) != before && recipient.seen(s.id).count == 0 && s.conflictOp == 0) {
            s.conflictOp = ops;
        }
        if (before == 0 && aggB.receipts(s.id, hf) != 0) s.forged.push(hf);
    }

    /// @notice Attacker: a leg whose sender is not the remote aggregator (the transport authenticates the attacker),
    /// over the native gateway or LayerZero.
    function forgeSender(uint256 messageSeed, bool viaLz) external op("forgeSender") {
        if (_sent.length == 0) return;
        Sent storage s = _sent[_pick(messageSeed)];
        bytes32 h = keccak256(s.envelope);
        uint256 before = aggB.receipts(s.id, h);
        if (viaLz) {
            uint256 lib = endpointSetup.sendLibs[0].balance;
            try this.forgeLzSenderExternal(s.envelope, ++_lzForgeNonce) {} catch {}
            ghostAttackerLzFees += endpointSetup.sendLibs[0].balance - lib;
        } else {
            _forgeNative(CHAIN_A, address(0xBAD), address(aggB), 2_000_000, s.envelope, ++_nativeForgeNonce);
        }
        if (aggB.receipts(s.id, h) != before) ++forgedSenderRecorded;
    }

    // ------------------------------------------------------------------------------------------ governance

    /// @notice Governance: B's receive set for A becomes a random non-empty subset of the three, after the delay.
    function changeReceiveSet(uint256 setSeed) external {
        // One call in four changes the set (most messages then still meet their threshold).
        if (setSeed % 4 != 0) return;
        ++ops;
        ++calls["changeReceiveSet"];
        setSeed /= 4;
        uint256 set = ((setSeed % 7) + 1) << 1;
        aggB.scheduleReceiveSet(CHAIN_A, set);
        // A scheduled change not yet in effect is replaced.
        SetChange storage last = _setChanges[_setChanges.length - 1];
        if (last.at > block.timestamp) _setChanges.pop();
        _setChanges.push(SetChange(set, block.timestamp + CONFIG_DELAY));
    }

    /// @notice Governance: a new threshold (2 or 3: a forged envelope never has more than one receipt) for messages
    /// from A to B, on both sides, after the delay.
    function changeThreshold(uint256 thresholdSeed) external {
        if (thresholdSeed % 4 != 0) return;
        ++ops;
        ++calls["changeThreshold"];
        thresholdSeed /= 4;
        uint8 k = uint8(thresholdSeed % 2) + 2;
        uint64 version = aggA.scheduleSendConfig(CHAIN_B, ALL, k, k, type(uint128).max);
        aggB.scheduleReceiveRule(CHAIN_A, version, k, k, type(uint128).max);
        ruleOf[version] = k;
        latestVersion = version;
    }

    /// @notice The operator schedules the release of a quarantined id for one of its envelopes (the genuine one, or
    /// by mistake a forged one), then anyone releases it once the delay has passed (or too early: refused).
    function release(uint256 messageSeed, uint256 choice, bool schedule) external op("release") {
        if (_sent.length == 0) return;
        Sent storage s = _sent[_pick(messageSeed)];
        if (schedule) {
            bytes32 h =
                choice % 3 == 0 && s.forged.length != 0 ? s.forged[choice % s.forged.length] : keccak256(s.envelope);
            try aggB.scheduleRelease(s.id, h) {
                s.releaseScheduledAt = uint48(block.timestamp);
            } catch {}
            return;
        }
        try aggB.release(s.id) {
            if (s.releaseScheduledAt == 0 || block.timestamp < s.releaseScheduledAt + RELEASE_DELAY) ++earlyReleases;
            s.releaseOp = ops;
        } catch {}
    }

    // ------------------------------------------------------------------------------------------ helpers

    function relayLegExternal(uint256 index, uint256 leg) external {
        require(msg.sender == address(this));
        _relayLeg(_sent[index], leg);
    }

    function lzExecuteExternal(uint256 index, uint256 gas) external {
        require(msg.sender == address(this));
        _lzExecuteWithGas(index, gas);
    }

    function lzDeliverExternal(uint256 index) external {
        require(msg.sender == address(this));
        _lzDeliver(index);
    }

    function forgeLzExternal(bytes memory forged, uint64 adapterNonce) external {
        require(msg.sender == address(this));
        _forgeLz(address(aggA), forged, adapterNonce);
    }

    function forgeLzSenderExternal(bytes memory envelope, uint64 adapterNonce) external {
        require(msg.sender == address(this));
        _forgeLz(address(0xBAD), envelope, adapterNonce);
    }

    /// @dev Three seeds in four pick one of the four latest messages, the fourth any message.
    function _pick(uint256 seed) internal view returns (uint256) {
        uint256 n = _sent.length;
        if (n <= 4) return seed % n;
        if (seed % 4 == 0) return (seed / 4) % n;
        return n - 1 - ((seed / 4) % 4);
    }

    function _relayLeg(Sent storage s, uint256 leg) internal {
        if (leg == LEG_NATIVE) _relayNative(s.n0);
        else if (leg == LEG_LZ) _lzDeliver(s.lz);
        else _hlRelay(s.hl);
    }

    // ------------------------------------------------------------------------------------------ model

    /// @notice The receive set in effect at `t` according to the handler's own model.
    function modelSetAt(uint256 t) public view returns (uint256 set) {
        for (uint256 i = 0; i < _setChanges.length; ++i) {
            if (_setChanges[i].at <= t) set = _setChanges[i].set;
        }
    }

    function sentCount() external view returns (uint256) {
        return _sent.length;
    }

    function sentAt(uint256 i) external view returns (bytes32 id, uint64 version, bytes32 payloadHash) {
        Sent storage s = _sent[i];
        return (s.id, s.version, s.payloadHash);
    }

    function conflictOf(uint256 i) external view returns (uint256 conflictOp, uint256 releaseOp) {
        return (_sent[i].conflictOp, _sent[i].releaseOp);
    }

    function aggregatorA() external view returns (address) {
        return address(aggA);
    }

    function igpReceived() external view returns (uint256) {
        return address(hlDomains[dA].igp).balance - igpStart;
    }

    /// @notice What LayerZero's send library on A received for the aggregator's legs (the forger's packets excluded).
    function lzReceived() external view returns (uint256) {
        return endpointSetup.sendLibs[0].balance - lzLibStart - ghostAttackerLzFees;
    }

    function defaultGasLimit() external pure returns (uint256) {
        return DEFAULT_GAS;
    }

    /// @notice How many of the sent messages are in each status on B.
    function statusCounts()
        external
        view
        returns (uint256 pending, uint256 executed, uint256 failed, uint256 quarantined)
    {
        for (uint256 i = 0; i < _sent.length; ++i) {
            (ITransportAggregator.Status st,) = aggB.record(_sent[i].id);
            if (st == ITransportAggregator.Status.PENDING) ++pending;
            else if (st == ITransportAggregator.Status.EXECUTED) ++executed;
            else if (st == ITransportAggregator.Status.FAILED) ++failed;
            else if (st == ITransportAggregator.Status.QUARANTINED) ++quarantined;
        }
    }

    function popcount(uint256 x) public pure returns (uint256 c) {
        while (x != 0) {
            x &= x - 1;
            ++c;
        }
    }
}
