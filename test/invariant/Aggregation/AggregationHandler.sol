// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";

import {TransportAggregator} from "../../../contracts/adapters/aggregator/TransportAggregator.sol";
import {ITransportAggregator} from "../../../contracts/interfaces/ITransportAggregator.sol";
import {AggregatorBase} from "../../aggregation/AggregatorBase.sol";

/// @notice TEST ONLY: the recipient on B. Counts executions per id and, at each execution, records what the
/// aggregator showed: the receipts of the executed envelope, the receive set and the payload hash.
contract AggInvariantRecipient is IERC7786Recipient {
    error AggInvariantRecipientRefused();

    struct Seen {
        uint256 count;
        uint256 receipts;
        uint256 receiveSet;
        uint256 at;
        bytes32 payloadHash;
    }

    TransportAggregator public immutable aggregator;
    uint32 public immutable source;
    bool public failing;
    uint256 public executions;
    mapping(bytes32 id => Seen) internal _seen;
    bytes32[] public executedIds;

    constructor(TransportAggregator aggregator_, uint32 source_) {
        aggregator = aggregator_;
        source = source_;
    }

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function receiveMessage(bytes32 id, bytes calldata, bytes calldata payload) external payable returns (bytes4) {
        if (failing) revert AggInvariantRecipientRefused();
        Seen storage s = _seen[id];
        (, bytes32 envelopeHash) = aggregator.record(id);
        s.count += 1;
        s.receipts = aggregator.receipts(id, envelopeHash);
        s.receiveSet = aggregator.receiveSet(source);
        s.at = block.timestamp;
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

/// @notice Drives the aggregators of {AggregatorBase} (three real transports: two native Concord gateway deployments
/// with their own validators, and Hyperlane) with honest and hostile actions: sends (paid and sponsored), relays of
/// any leg in any order, replays of relayed legs, forgeries by the corrupt validators of native deployment 1 (another
/// payload for a real id), legs from a sender that is not the remote aggregator, a gateway re-delivering directly,
/// receive-set and threshold changes mid-flight, failing recipients, `execute` / `retry` by anyone, time.
/// It keeps its own model of the receive set (the scheduled changes and their activation times), of the rules per
/// version and of the value that went in and out.
contract AggregationHandler is AggregatorBase {
    struct Sent {
        bytes32 id;
        uint64 version;
        bytes32 payloadHash;
        uint256 n0;
        uint256 n1;
        uint256 hl;
        uint256 relayed; // bit 0: n0, 1: n1, 2: hl
        bytes envelope;
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

    // Value ghosts (A side).
    uint256 public ghostValueIn; // value sent with messages
    uint256 public ghostRefunded; // refunds received by senders
    uint256 public ghostFunded; // sponsor funding
    uint256 public ghostQuoted; // sum of quotes at send time
    uint256 public ghostCharged; // what each send cost its payer (sender or sponsor balance)
    uint256 public igpStart;

    // Violations seen by the handler itself.
    uint256 public replaysAccepted;
    uint256 public forgedSenderRecorded;

    mapping(bytes32 => uint256) public calls;
    address[3] internal _actors;

    constructor() {
        setUp();
        recipient = new AggInvariantRecipient(aggB, CHAIN_A);
        _setChanges.push(SetChange(ALL, 0));
        ruleOf[1] = 2;
        igpStart = address(hlDomains[dA].igp).balance;
        aggA.setSponsoredSender(address(this), true);
        vm.deal(address(this), 1000 ether);
        _actors = [makeAddr("actor0"), makeAddr("actor1"), makeAddr("actor2")];
    }

    // ------------------------------------------------------------------------------------------ actions

    /// @notice An actor sends (paying the quote plus `extra`), or this sponsored handler sends without value.
    function send(uint256 actorSeed, uint256 extra, uint256 payloadSeed, bool sponsored) external {
        ++calls["send"];
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
        Legs memory legs = _legsOfLastSend(2, 1);
        _sent.push(
            Sent(
                aggA.idOf(CHAIN_A, address(aggA), CHAIN_B, aggA.nonce(CHAIN_B) - 1),
                config.version,
                keccak256(payload),
                legs.n0,
                legs.n1,
                legs.hl,
                0,
                legs.envelope
            )
        );
    }

    /// @notice A relayer delivers one leg of a message (any order, any message).
    function relay(uint256 messageSeed, uint256 legSeed) external {
        if (_sent.length == 0) return;
        ++calls["relay"];
        Sent storage s = _sent[messageSeed % _sent.length];
        uint256 leg = legSeed % 3;
        if (s.relayed & (1 << leg) != 0) return;
        s.relayed |= 1 << leg;
        _relayLeg(s, leg);
    }

    /// @notice Attacker: replays a leg that was already relayed, through its transport or by the gateway itself.
    function replay(uint256 messageSeed, uint256 legSeed, bool direct) external {
        if (_sent.length == 0) return;
        Sent storage s = _sent[messageSeed % _sent.length];
        uint256 leg = legSeed % 3;
        if (s.relayed & (1 << leg) == 0) return;
        ++calls["replay"];
        address gateway = aggB.gatewayAt(uint8(leg + 1)).gateway;
        bytes32 h = keccak256(s.envelope);
        uint256 before = aggB.receipts(s.id, h);
        if (direct) {
            vm.prank(gateway);
            try aggB.receiveMessage(bytes32(0), _to(CHAIN_A, address(aggA)), s.envelope) {
                ++replaysAccepted;
            } catch {}
        } else {
            try this.relayLegExternal(messageSeed % _sent.length, leg) {
                // A native gateway whose first delivery reverted (a starved or refused leg) may still deliver it
                // once; any other second delivery is a replay.
                if (aggB.receipts(s.id, h) != before && before & (1 << (leg + 1)) != 0) ++replaysAccepted;
            } catch {}
        }
    }

    /// @notice Attacker: native deployment 1's validators sign a leg with another payload for a real id.
    function forge(uint256 messageSeed, uint256 payloadSeed) external {
        if (_sent.length == 0) return;
        ++calls["forge"];
        Sent storage s = _sent[messageSeed % _sent.length];
        ITransportAggregator.Envelope memory e = this_decode(s.envelope);
        e.payload = abi.encodePacked("forged", payloadSeed);
        bytes memory forged = abi.encodePacked(
            e.nonce, e.origin, e.destination, e.version, e.sender, e.recipient, e.gasLimit, e.declaredValue, e.payload
        );
        _forgeNative(1, CHAIN_A, address(aggA), address(aggB), 2_000_000, forged, uint32(100_000 + calls["forge"]));
    }

    /// @notice Attacker: a leg whose sender is not the remote aggregator (the transport authenticates the attacker).
    function forgeSender(uint256 messageSeed, uint256 net) external {
        if (_sent.length == 0) return;
        ++calls["forgeSender"];
        Sent storage s = _sent[messageSeed % _sent.length];
        bytes32 h = keccak256(s.envelope);
        uint256 before = aggB.receipts(s.id, h);
        _forgeNative(
            net % 2,
            CHAIN_A,
            address(0xBAD),
            address(aggB),
            2_000_000,
            s.envelope,
            uint32(200_000 + calls["forgeSender"])
        );
        if (aggB.receipts(s.id, h) != before) ++forgedSenderRecorded;
    }

    /// @notice Governance: B's receive set for A becomes a random non-empty subset of the three, after the delay.
    function changeReceiveSet(uint256 setSeed) external {
        // One call in four changes the set (most messages then still meet their threshold).
        if (setSeed % 4 != 0) return;
        setSeed /= 4;
        ++calls["changeReceiveSet"];
        uint256 set = ((setSeed % 7) + 1) << 1;
        aggB.scheduleReceiveSet(CHAIN_A, set);
        // A scheduled change not yet in effect is replaced.
        SetChange storage last = _setChanges[_setChanges.length - 1];
        if (last.at > block.timestamp) _setChanges.pop();
        _setChanges.push(SetChange(set, block.timestamp + CONFIG_DELAY));
    }

    /// @notice Governance: a new threshold (2 or 3: one transport, native deployment 1, is corruptible) for messages
    /// from A to B, on both sides, after the delay.
    function changeThreshold(uint256 thresholdSeed) external {
        if (thresholdSeed % 4 != 0) return;
        thresholdSeed /= 4;
        ++calls["changeThreshold"];
        uint8 k = uint8(thresholdSeed % 2) + 2;
        uint64 version = aggA.scheduleSendConfig(CHAIN_B, ALL, k, k, type(uint128).max);
        aggB.scheduleReceiveRule(CHAIN_A, version, k, k, type(uint128).max);
        ruleOf[version] = k;
        latestVersion = version;
    }

    function setFailing(bool failing) external {
        ++calls["setFailing"];
        recipient.setFailing(failing);
    }

    /// @notice Anyone: `execute` or `retry` of any message (usually refused).
    function executeOrRetry(uint256 messageSeed, bool isRetry, uint32 gasLimit) external {
        if (_sent.length == 0) return;
        ++calls["executeOrRetry"];
        Sent storage s = _sent[messageSeed % _sent.length];
        vm.prank(_actors[messageSeed % 3]);
        if (isRetry) {
            try aggB.retry(address(aggA), s.envelope, uint32(bound(gasLimit, DEFAULT_GAS, 2 * DEFAULT_GAS))) {} catch {}
        } else {
            try aggB.execute(address(aggA), s.envelope) {} catch {}
        }
    }

    function warp(uint256 seconds_) external {
        ++calls["warp"];
        vm.warp(block.timestamp + bound(seconds_, 1, 2 days));
    }

    // ------------------------------------------------------------------------------------------ helpers

    function relayLegExternal(uint256 index, uint256 leg) external {
        require(msg.sender == address(this));
        _relayLeg(_sent[index], leg);
    }

    function _relayLeg(Sent storage s, uint256 leg) internal {
        if (leg == 0) _relayNative(s.n0);
        else if (leg == 1) _relayNative(s.n1);
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

    function aggregatorA() external view returns (address) {
        return address(aggA);
    }

    function igpReceived() external view returns (uint256) {
        return address(hlDomains[dA].igp).balance - igpStart;
    }

    function popcount(uint256 x) public pure returns (uint256 c) {
        while (x != 0) {
            x &= x - 1;
            ++c;
        }
    }
}
