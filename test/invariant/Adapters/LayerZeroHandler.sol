// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

import {AdapterEnvelope} from "../../../contracts/adapters/AdapterEnvelope.sol";
import {LayerZeroAdapter} from "../../../contracts/adapters/layerzero/LayerZeroAdapter.sol";
import {IConcordAdapter} from "../../../contracts/interfaces/IConcordAdapter.sol";
import {GhostStore} from "../../harness/GhostStore.sol";
import {CountingRecipient} from "./AdapterHandler.sol";

/// @notice The LayerZero operations the suite (a `LayerZeroFixture`) performs for the handler: the DVN's key, the
/// permissionless commit and the executor are the fixture's.
interface ILayerZeroSuiteOps {
    function opSend(bytes calldata payload, address to) external returns (bytes32 id, uint256 index);
    function opRawSend(uint32 srcEid, address from, bytes calldata envelope) external returns (uint256 index);
    function opVerify(uint256 index) external;
    function opExecute(uint256 index, uint256 gas) external;
    function opPacketCount() external view returns (uint256);
    function opOptionGas(uint256 index) external view returns (uint256);
    function opEnvelope(uint256 index) external view returns (bytes memory);
    function opFromAdapterA(uint256 index) external view returns (bool);
    function opPending(uint256 index) external view returns (bool);
    function opAwaitingVerification(uint256 index) external view returns (bool);
}

/// @notice TEST ONLY: handlers of the LayerZero adapter suite. A's adapter sends to a counting recipient on B; the DVN
/// verifies any packet, in any order, again or never; the executor runs any packet with its option's gas or less; the
/// recipient fails on demand and anyone retries; attackers send genuine or made-up envelopes to B's adapter from
/// another sender on A, from A's adapter's address on an unmapped eid (C), and as a second packet from the enrolled
/// adapter's own address (a copy of a genuine envelope, as a misconfigured library or second endpoint could carry).
contract LayerZeroHandler is CommonBase, StdUtils {
    uint32 public constant CHAIN_A = 10;
    uint32 public constant EID_A = 1;
    uint32 public constant EID_C = 3;
    /// @dev A Concord domain the suite never maps (an attacker may state it as its origin).
    uint32 public constant CHAIN_C = 42_161;

    ILayerZeroSuiteOps public immutable suite;
    LayerZeroAdapter public immutable adapterA;
    LayerZeroAdapter public immutable adapterB;
    CountingRecipient public immutable recipient;
    GhostStore public immutable store;

    /// @dev Message ids A's adapter sent, and whether a packet index is one of its genuine sends.
    bytes32[] public genuineIds;
    mapping(uint256 index => bool) public isGenuinePacket;

    constructor(ILayerZeroSuiteOps suite_, LayerZeroAdapter adapterA_, LayerZeroAdapter adapterB_) {
        (suite, adapterA, adapterB) = (suite_, adapterA_, adapterB_);
        recipient = new CountingRecipient();
        store = new GhostStore();
    }

    function send(bytes calldata payload) external {
        (bytes32 id, uint256 index) = suite.opSend(payload[:bound(payload.length, 0, 512)], address(recipient));
        genuineIds.push(id);
        isGenuinePacket[index] = true;
        store.count("send");
    }

    /// @notice The DVN verifies and anyone commits a packet (refused for paths that never initialise): any packet,
    /// or (progress) the first one of A's adapter's path that the endpoint has neither verified nor executed (a
    /// duplicate of a delivered envelope too: the endpoint runs a nonce only once the lower ones are verified).
    function verify(uint256 seed, bool next) external {
        uint256 n = suite.opPacketCount();
        if (n == 0) return;
        uint256 index = bound(seed, 0, n - 1);
        if (next) {
            for (uint256 j = 0; j < n; ++j) {
                if (suite.opAwaitingVerification(j)) {
                    index = j;
                    break;
                }
            }
        }
        try suite.opVerify(index) {
            store.count("verify");
        } catch {
            store.count("verifyRefused");
        }
    }

    /// @notice The executor runs a packet, usually a verified one whose envelope is not delivered yet, with its option's gas or (starving) anything down
    /// to 50,000.
    function execute(uint256 seed, uint256 gasSeed, bool starve) external {
        uint256 n = suite.opPacketCount();
        if (n == 0) return;
        uint256 index = bound(seed, 0, n - 1);
        bool found;
        for (uint256 k = 0; k < n && !found; ++k) {
            uint256 j = (index + k) % n;
            if (
                suite.opPending(j)
                    && adapterB.status(CHAIN_A, address(adapterA), suite.opEnvelope(j))
                        == IConcordAdapter.MessageStatus.NONE
            ) (index, found) = (j, true);
        }
        for (uint256 k = 0; k < n && !found; ++k) {
            if (suite.opPending((index + k) % n)) (index, found) = ((index + k) % n, true);
        }
        uint256 gas = suite.opOptionGas(index);
        if (starve) gas = bound(gasSeed, 50_000, gas);
        uint256 before = recipient.total();
        try suite.opExecute(index, gas) {
            store.count("execute");
        } catch {
            store.count("executeRefused");
        }
        if (!suite.opFromAdapterA(index) && recipient.total() != before) {
            store.violate("a forged packet executed");
        }
    }

    function setFailing(bool failing) external {
        recipient.setFailing(failing);
    }

    /// @notice Anyone retries a packet's envelope, usually a FAILED one, with random gas.
    function retry(uint256 seed, uint32 gasLimit) external {
        uint256 n = suite.opPacketCount();
        if (n == 0) return;
        uint256 index = bound(seed, 0, n - 1);
        for (uint256 k = 0; k < n; ++k) {
            uint256 j = (index + k) % n;
            if (
                adapterB.status(CHAIN_A, address(adapterA), suite.opEnvelope(j)) == IConcordAdapter.MessageStatus.FAILED
            ) {
                index = j;
                break;
            }
        }
        try adapterB.retry(
            CHAIN_A, address(adapterA), suite.opEnvelope(index), uint32(bound(gasLimit, 200_000, 1_000_000))
        ) {
            store.count("retry");
        } catch {}
    }

    /// @notice Attacker on A (not the enrolled adapter) or at A's adapter's address on the unmapped eid C: sends a
    /// genuine envelope or a made-up one to B's adapter, then tries to get it verified and executed.
    function forge(uint256 seed, bytes calldata payload, bool replayGenuine, bool fromEidC) external {
        uint256 before = recipient.total();
        uint256 n = suite.opPacketCount();
        bytes memory envelope;
        if (n != 0 && replayGenuine) {
            envelope = suite.opEnvelope(bound(seed, 0, n - 1));
        } else {
            // The stated origin: A (impersonating A's adapter), a domain the suite never maps, or any domain.
            uint256 pick = seed % 3;
            uint32 statedOrigin = pick == 0 ? CHAIN_A : pick == 1 ? CHAIN_C : uint32(seed >> 64);
            envelope = AdapterEnvelope.encode(
                IConcordAdapter.Envelope({
                    nonce: uint64(seed),
                    origin: statedOrigin,
                    sender: address(this),
                    recipient: address(recipient),
                    gasLimit: 200_000,
                    payload: payload[:bound(payload.length, 0, 256)]
                })
            );
        }
        address from = fromEidC ? address(adapterA) : address(uint160(uint256(keccak256(abi.encode(seed)))) | 1);
        uint256 index = suite.opRawSend(fromEidC ? EID_C : EID_A, from, envelope);
        try suite.opVerify(index) {} catch {}
        try suite.opExecute(index, 1_000_000) {} catch {}
        if (recipient.total() != before) store.violate("a forged source executed");
        store.count("forge");
    }

    /// @notice A second packet from the enrolled adapter's own address carrying a genuine envelope (same path, its
    /// own LayerZero nonce): the envelope must still execute at most once.
    function duplicate(uint256 seed) external {
        uint256 n = genuineIds.length;
        if (n == 0) return;
        uint256 total = suite.opPacketCount();
        for (uint256 k = 0; k < total; ++k) {
            uint256 j = (bound(seed, 0, total - 1) + k) % total;
            if (!isGenuinePacket[j]) continue;
            suite.opRawSend(EID_A, address(adapterA), suite.opEnvelope(j));
            store.count("duplicate");
            return;
        }
    }

    function genuineCount() external view returns (uint256) {
        return genuineIds.length;
    }
}
