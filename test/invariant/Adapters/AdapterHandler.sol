// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC7786Recipient} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {HarnessAdapter, HarnessWire} from "../../adapters/ConcordAdapter/HarnessAdapter.sol";
import {GhostStore} from "../../harness/GhostStore.sol";

/// @notice TEST ONLY: a recipient that counts executions per message id and fails on demand.
contract CountingRecipient is IERC7786Recipient {
    mapping(bytes32 id => uint256 count) public executions;
    uint256 public total;
    bool public failing;

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function receiveMessage(bytes32 id, bytes calldata, bytes calldata) external payable returns (bytes4) {
        require(!failing, "failing");
        ++executions[id];
        ++total;
        return IERC7786Recipient.receiveMessage.selector;
    }
}

/// @notice TEST ONLY: handlers of the Adapters suite. Domain A sends through its enrolled adapter (which an
/// administrator may replace: a re-enrolled source whose nonces restart), the wire delivers any packet in any order,
/// twice, or never (a replaced adapter's packets included), the recipient fails on demand and anyone retries, and an
/// attacker claims genuine or made-up envelopes from a source that is not the enrolled adapter.
contract AdapterHandler is CommonBase, StdUtils {
    uint32 public constant A = 1;
    uint32 public constant B = 10;

    HarnessWire public immutable wire;
    HarnessAdapter public immutable adapterB;
    CountingRecipient public immutable recipient;
    GhostStore public immutable store;
    address public immutable manager;

    HarnessAdapter public adapterA;
    /// @dev Message ids the wire carried from an adapter enrolled at send time, by packet index.
    mapping(uint256 index => bytes32 id) public genuineId;
    mapping(bytes32 id => bool) public isGenuine;
    bytes32[] public genuineIds;

    constructor(HarnessWire wire_, HarnessAdapter adapterA_, HarnessAdapter adapterB_, address manager_) {
        (wire, adapterA, adapterB, manager) = (wire_, adapterA_, adapterB_, manager_);
        recipient = new CountingRecipient();
        store = new GhostStore();
        vm.deal(address(this), 1_000_000 ether);
    }

    function send(bytes calldata payload) external {
        bytes memory to = InteroperableAddress.formatEvmV1(B, address(recipient));
        uint256 fee = adapterA.quote(to, payload, new bytes[](0));
        bytes32 id = adapterA.sendMessage{value: fee}(to, payload, new bytes[](0));
        uint256 index = wire.count() - 1;
        genuineId[index] = id;
        isGenuine[id] = true;
        genuineIds.push(id);
        store.count("send");
    }

    /// @notice Delivers a packet: usually the next one not yet delivered (progress), else any one (replays, old
    /// adapters' packets, out of order).
    function deliver(uint256 seed, bool any) external {
        uint256 n = wire.count();
        if (n == 0) return;
        uint256 index = bound(seed, 0, n - 1);
        if (!any) {
            for (uint256 k = 0; k < n; ++k) {
                uint256 j = (index + k) % n;
                HarnessWire.Packet memory p = wire.packet(j);
                if (adapterB.status(p.origin, p.originAdapter, p.envelope) == IConcordAdapter.MessageStatus.NONE) {
                    index = j;
                    break;
                }
            }
        }
        try wire.deliver(index) {
            store.count("deliver");
        } catch {
            store.count("deliverRefused");
        }
    }

    function setFailing(bool failing) external {
        recipient.setFailing(failing);
    }

    /// @notice Retries a packet, usually a FAILED one.
    function retry(uint256 seed, uint32 gasLimit) external {
        uint256 n = wire.count();
        if (n == 0) return;
        uint256 index = bound(seed, 0, n - 1);
        for (uint256 k = 0; k < n; ++k) {
            HarnessWire.Packet memory q = wire.packet((index + k) % n);
            if (adapterB.status(q.origin, q.originAdapter, q.envelope) == IConcordAdapter.MessageStatus.FAILED) {
                index = (index + k) % n;
                break;
            }
        }
        HarnessWire.Packet memory p = wire.packet(index);
        try adapterB.retry(p.origin, p.originAdapter, p.envelope, uint32(bound(gasLimit, 200_000, 1_000_000))) {
            store.count("retry");
        } catch {}
    }

    /// @notice Attacker: a genuine envelope carried by the wire, or a made-up one, claimed from an address that is
    /// not the enrolled adapter (the source a real protocol authenticates); must never execute.
    function forge(uint256 seed, bytes calldata payload, bool replayGenuine) external {
        uint256 before = recipient.total();
        uint256 n = wire.count();
        address claimed = address(uint160(uint256(keccak256(abi.encode(seed)))));
        bytes memory envelope;
        if (n != 0 && replayGenuine) {
            envelope = wire.packet(bound(seed, 0, n - 1)).envelope;
        } else {
            envelope = AdapterEnvelope.encode(
                IConcordAdapter.Envelope({
                    nonce: uint64(seed),
                    origin: A,
                    sender: address(this),
                    recipient: address(recipient),
                    gasLimit: 200_000,
                    payload: payload
                })
            );
        }
        try wire.deliverForged(address(adapterB), A, claimed, envelope) {} catch {}
        if (recipient.total() != before) store.violate("a forged source executed");
        store.count("forge");
    }

    /// @notice The administrator replaces A's adapter (both sides re-enrolled); packets of the old one are now from
    /// an untrusted source and must never execute, the new one's nonces restart at 0.
    function reenroll() external {
        if (wire.count() == 0 || store.counters("reenroll") >= 3) return;
        HarnessAdapter fresh = new HarnessAdapter(wire, A, manager, 200_000);
        fresh.setRemote(B, address(adapterB));
        adapterB.setRemote(A, address(fresh));
        adapterA = fresh;
        store.count("reenroll");
    }

    function genuineCount() external view returns (uint256) {
        return genuineIds.length;
    }

    receive() external payable {}
}
