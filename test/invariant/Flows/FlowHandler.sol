// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";

import {FlowEscrow} from "../../../contracts/coordination/FlowEscrow.sol";
import {FlowExecutor} from "../../../contracts/coordination/FlowExecutor.sol";
import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowEndpoint} from "../../../contracts/interfaces/IFlowEndpoint.sol";
import {IFlowEscrow} from "../../../contracts/interfaces/IFlowEscrow.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {FlowTargetMock} from "../../coordination/CoordinationBase.t.sol";
import {FlowStore} from "./FlowStore.sol";

/// @notice TEST ONLY: handlers of the Flows suite. Two chains with their own clocks (`tA`, `tB`; every action warps
/// to its chain's clock first), real gateways, A's `FlowEscrow` and B's `FlowExecutor`, a transport that the fuzzer
/// drives (deliver any captured message, in any order, with any gas, twice, or never), and attackers: forged
/// OUTCOMEs from the wrong chain or sender, forged EXECUTEs from the wrong chain or sender, and a rogue escrow that
/// anyone can deploy on A and point at B's executor without escrowing anything. A second transport (route 2: a
/// second pair of gateways) carries outcomes of the flows that pinned it; a guardian pauses and unpauses settlement on
/// either chain, and no value may move on a paused side (I4). Every OUTCOME B sends (in the deciding transaction or
/// re-exported) is captured. Actions that revert are expected (wrong timing, wrong status) and simply do nothing.
contract FlowHandler is CommonBase, StdUtils {
    uint32 public constant CHAIN_A = 1;
    uint32 public constant CHAIN_B = 10;
    uint32 public constant CHAIN_C = 8453;
    /// @dev The acknowledgement route the suite activates on both chains (over `gwA2` / `gwB2`).
    uint8 public constant ROUTE = 2;

    ConcordGateway public immutable gwA;
    ConcordGateway public immutable gwB;
    ConcordGateway public immutable gwA2;
    ConcordGateway public immutable gwB2;
    FlowEscrow public immutable cA;
    FlowExecutor public immutable cB;
    /// @dev An escrow the attacker deployed on A (its own AccessManager) and pointed at B's executor.
    FlowEscrow public immutable rogue;
    FlowTargetMock public immutable target;
    FlowStore public immutable store;

    address public constant OPENER = address(0xA11CE);
    address public constant REFUND = address(0xBEEF);
    address public constant BENEFICIARY = address(0xB0B);
    address public constant FEE_RECIPIENT = address(0xFEE);
    address public constant FORGER = address(0xBAD);

    uint256 public tA;
    uint256 public tB;
    uint32 internal _forgeNonce = 1_000_000;

    constructor(
        ConcordGateway[4] memory gateways,
        FlowEscrow cA_,
        FlowExecutor cB_,
        FlowEscrow rogue_,
        FlowTargetMock target_,
        FlowStore store_
    ) {
        (gwA, gwB, gwA2, gwB2) = (gateways[0], gateways[1], gateways[2], gateways[3]);
        (cA, cB, rogue, target, store) = (cA_, cB_, rogue_, target_, store_);
        tA = block.timestamp;
        tB = block.timestamp;
    }

    // ------------------------------------------------------------------ clocks

    function warpA(uint256 dt) external {
        tA += bound(dt, 0, 3 hours);
        store.count("warpA");
    }

    function warpB(uint256 dt) external {
        tB += bound(dt, 0, 3 hours);
        store.count("warpB");
    }

    // ------------------------------------------------------------------ A

    function open(uint256 amountSeed, uint256 deadlineSeed, uint256 feeSeed, bool abortOnFail, uint256 gasSeed)
        external
    {
        vm.warp(tA);
        FlowLib.Flow memory req;
        req.destinationDomain = CHAIN_B;
        req.executor = address(cB);
        req.target = address(target);
        req.amount = bound(amountSeed, 1, 5 ether);
        req.maxValue = req.amount;
        req.deadline = uint64(tA + bound(deadlineSeed, 1, 4 hours));
        req.executionGas = uint32(bound(gasSeed, 50_000, 400_000));
        req.abortOnFail = abortOnFail;
        req.refundTo = REFUND;
        req.beneficiary = BENEFICIARY;
        req.executionFee = bound(feeSeed, 0, 0.01 ether);
        req.ackFee = bound(feeSeed >> 64, 0, 0.01 ether);
        req.timeoutFee = bound(feeSeed >> 128, 0, 0.02 ether);
        req.feeRecipient = FEE_RECIPIENT;
        req.ackRoutes = (feeSeed >> 192) % 2 == 0 ? 0 : uint16(1) << ROUTE;
        uint256 value = req.amount + FlowLib.feeEscrow(req);
        vm.deal(OPENER, value);
        vm.recordLogs();
        vm.prank(OPENER);
        (, FlowLib.Flow memory flow) = cA.open{value: value}(req, "flow");
        store.addFlow(flow, _captured());
        store.count("open");
    }

    function cancel(uint256 idx) external {
        (bool found, FlowLib.Flow memory flow) = _flowAt(idx);
        if (!found) return;
        vm.warp(tA);
        vm.recordLogs();
        vm.prank(OPENER);
        try cA.cancel(flow) {
            store.addCancel(_captured());
            store.count("cancel");
        } catch {}
    }

    function bumpFees(uint256 idx, uint256 amount) external {
        (bool found, FlowLib.Flow memory flow) = _flowInPhase(idx, FlowLib.Phase.LOCKED);
        if (!found) return;
        amount = bound(amount, 1, 0.01 ether);
        vm.deal(address(this), amount);
        vm.warp(tA);
        try cA.bumpFees{value: amount}(flow) {
            store.count("bumpFees");
        } catch {}
    }

    function relayAck(uint256 idx) external {
        uint256 n = store.outcomeCount();
        if (n == 0) return;
        uint256 pick = bound(idx, 0, n - 1);
        if (idx % 2 == 0) {
            // half the time, the next undelivered acknowledgement (the other half: any one, replays included)
            for (uint256 k = 0; k < n; ++k) {
                uint256 j = (pick + k) % n;
                if (_ackGateway(j).status(store.outcomeMessages(j)) == IConcordGateway.MessageStatus.NONE) {
                    pick = j;
                    break;
                }
            }
        }
        bytes memory message = store.outcomeMessages(pick);
        ConcordGateway gw = _ackGateway(pick);
        vm.warp(tA);
        bool paused = cA.settlementPaused();
        bytes32 before = _valueFingerprintA();
        try gw.process("", message) {
            store.count("relayAck");
        } catch {
            store.count("relayAckReplay");
        }
        _checkPausedA(paused, before);
    }

    /// @notice An OUTCOME from the wrong chain (C) or the wrong sender on B must never change A; neither must one from
    /// the right (chain, executor) through route 2 for a flow that did not pin route 2.
    function forgeAck(uint256 idx, uint8 statusSeed, uint256 decidedSeed, bool wrongChain, bool viaRoute) external {
        (bool found, FlowLib.Flow memory flow) = _flowAt(idx);
        if (!found) return;
        bytes32 id = keccak256(abi.encode(flow));
        IFlowEscrow.Record memory before = cA.record(id);
        FlowLib.Status status = FlowLib.Status(bound(statusSeed, 2, 5));
        uint64 decidedAt = uint64(bound(decidedSeed, flow.deadline - 1, flow.deadline + 1));
        // Through an unpinned route the forger may even claim the right origin: the pin alone must stop it.
        bool rightSender = viaRoute && !FlowLib.hasAckRoute(flow, ROUTE) && decidedSeed % 2 == 0;
        address sender = rightSender || wrongChain ? address(cB) : FORGER;
        bytes memory message = _forged(
            FlowLib.encodeOutcome(flow, status, decidedAt),
            wrongChain && !rightSender ? CHAIN_C : CHAIN_B,
            sender,
            CHAIN_A,
            address(cA)
        );
        vm.warp(tA);
        try (viaRoute ? gwA2 : gwA).process("", message) {} catch {}
        IFlowEscrow.Record memory afterRec = cA.record(id);
        if (keccak256(abi.encode(before)) != keccak256(abi.encode(afterRec))) {
            store.violate("forged acknowledgement changed A");
        }
        store.count("forgeAck");
    }

    /// @notice Settles a flow whose outcome arrived while A was paused (anyone).
    function settle(uint256 idx) external {
        (bool found, FlowLib.Flow memory flow) = _flowInPhase(idx, FlowLib.Phase.ACKNOWLEDGED);
        if (!found) return;
        vm.warp(tA);
        bool paused = cA.settlementPaused();
        bytes32 before = _valueFingerprintA();
        try cA.settle(flow) {
            store.count("settle");
        } catch {}
        _checkPausedA(paused, before);
    }

    function claim(uint256 who) external {
        address[3] memory accounts = [REFUND, BENEFICIARY, FEE_RECIPIENT];
        uint256 start = bound(who, 0, 2);
        address account = accounts[start];
        // Progress bias: the first account from `start` on that is owed something.
        for (uint256 k = 0; k < 3; ++k) {
            if (cA.owed(accounts[(start + k) % 3], address(0)) != 0) {
                account = accounts[(start + k) % 3];
                break;
            }
        }
        vm.warp(tA);
        bool paused = cA.settlementPaused();
        bytes32 before = _valueFingerprintA();
        try cA.claim(account, address(0)) returns (uint256 amount) {
            store.addClaim(account, amount);
            store.count("claim");
        } catch {}
        _checkPausedA(paused, before);
    }

    // ------------------------------------------------------------------ B

    function relayExecute(uint256 idx, uint256 gasSeed, bool fullGas) external {
        uint256 n = store.flowCount();
        if (n == 0) return;
        uint256 start = bound(idx, 0, n - 1);
        bytes memory message = store.executeMessages(start);
        // Progress bias: usually deliver the next undelivered EXECUTE (replays are still tried when none is left).
        for (uint256 k = 0; k < n; ++k) {
            bytes memory candidate = store.executeMessages((start + k) % n);
            if (gwB.status(candidate) == IConcordGateway.MessageStatus.NONE) {
                message = candidate;
                break;
            }
        }
        vm.warp(tB);
        uint256 gas = fullGas ? 3_000_000 : bound(gasSeed, 50_000, 1_000_000);
        bool paused = cB.settlementPaused();
        bytes32 before = _fingerprintB();
        vm.recordLogs();
        try gwB.process{gas: gas}("", message) {
            store.count("relayExecute");
            _captureOutcome("outcomeOnExecute");
        } catch {
            store.count("relayExecuteReverted");
        }
        _checkPausedB(paused, before);
    }

    function relayCancel(uint256 idx) external {
        uint256 n = store.cancelCount();
        if (n == 0) return;
        vm.warp(tB);
        vm.recordLogs();
        try gwB.process("", store.cancelMessages(bound(idx, 0, n - 1))) {
            store.count("relayCancel");
            _captureOutcome("outcomeOnCancel");
        } catch {}
    }

    function setTargetFailing(bool failing) external {
        target.setMode(failing ? FlowTargetMock.Mode.REVERT : FlowTargetMock.Mode.ACCEPT);
        store.count("setTargetFailing");
    }

    function retry(uint256 idx, uint256 gasSeed) external {
        (bool found, FlowLib.Flow memory flow) = _flowAt(idx);
        if (!found) return;
        vm.warp(tB);
        bool paused = cB.settlementPaused();
        bytes32 before = _fingerprintB();
        vm.recordLogs();
        try cB.retryExecution{gas: bound(gasSeed, 100_000, 2_000_000)}(flow, "flow") {
            store.count("retry");
            _captureOutcome("outcomeOnRetry");
        } catch {}
        _checkPausedB(paused, before);
    }

    function expire(uint256 idx) external {
        (bool found, FlowLib.Flow memory flow) = _flowInPhase(idx, FlowLib.Phase.LOCKED);
        if (!found) return;
        vm.warp(tB);
        vm.recordLogs();
        try cB.expire(flow) {
            store.count("expire");
            _captureOutcome("outcomeOnExpire");
        } catch {}
    }

    /// @notice Re-exports (the keeper's action) over the primary or over route 2; over route 2 it must fail for a flow
    /// that did not pin it.
    function exportOutcome(uint256 idx, bool viaRoute) external {
        (bool found, FlowLib.Flow memory flow) = _exportable(idx, viaRoute && idx % 4 != 0);
        if (!found) return;
        vm.warp(tB);
        vm.recordLogs();
        try cB.exportOutcome(flow, viaRoute ? ROUTE : 0) {
            if (viaRoute && !FlowLib.hasAckRoute(flow, ROUTE)) store.violate("exported over an unpinned route");
            store.addOutcome(_captured(), viaRoute);
            store.count(viaRoute ? bytes32("exportOutcomeRoute") : bytes32("exportOutcome"));
        } catch {}
    }

    // ------------------------------------------------------------------ attackers

    /// @notice An EXECUTE for a (possibly altered) flow from the wrong sender on A or from chain C: B must run nothing
    /// and release nothing (the gateway records it FAILED or it is consumed without effect).
    function forgeExecute(uint256 idx, bool wrongChain, uint256 amountSeed) external {
        (bool found, FlowLib.Flow memory flow) = _flowAt(idx);
        if (!found) return;
        flow.maxValue = bound(amountSeed, 0, 10 ether); // the forger asks for more than was escrowed
        bytes memory message = _forged(
            FlowLib.encodeExecute(flow, "flow"),
            wrongChain ? CHAIN_C : CHAIN_A,
            wrongChain ? address(cA) : FORGER,
            CHAIN_B,
            address(cB)
        );
        vm.warp(tB);
        bytes32 before = _fingerprintB();
        try gwB.process("", message) {} catch {}
        if (_fingerprintB() != before) store.violate("forged EXECUTE ran a target or released value");
        store.count("forgeExecute");
    }

    /// @notice Anyone may deploy a `FlowEscrow` on A and point it at B's executor: its flows escrow nothing that A's
    /// trusted escrow holds, and B must refuse their EXECUTE (not the trusted remote), so no liquidity leaves B.
    function openViaRogue(uint256 amountSeed) external {
        vm.warp(tA);
        FlowLib.Flow memory req;
        req.destinationDomain = CHAIN_B;
        req.executor = address(cB);
        req.target = address(target);
        req.amount = bound(amountSeed, 1, 5 ether);
        req.maxValue = req.amount;
        req.deadline = uint64(tA + 1 hours);
        req.executionGas = 100_000;
        req.refundTo = FORGER;
        req.beneficiary = BENEFICIARY; // the lane's beneficiary, to pass every check but the sender's
        vm.deal(FORGER, req.amount);
        vm.recordLogs();
        vm.prank(FORGER);
        try rogue.open{value: req.amount}(req, "flow") {
            bytes memory message = _captured();
            vm.warp(tB);
            bytes32 before = _fingerprintB();
            try gwB.process("", message) {} catch {}
            if (_fingerprintB() != before) store.violate("rogue escrow's EXECUTE released B's liquidity");
            store.count("openViaRogue");
        } catch {}
    }

    // ------------------------------------------------------------------ guardian

    /// @notice The guardian pauses (one call in four; not on a zero seed, which the fuzzer favours) or unpauses
    /// settlement on A or B.
    function setPaused(bool onA, uint256 seed) external {
        IFlowEndpoint c = onA ? IFlowEndpoint(address(cA)) : IFlowEndpoint(address(cB));
        bool paused = seed % 4 == 1;
        if (paused) c.pauseSettlement();
        else c.unpauseSettlement();
        store.count(paused ? bytes32("pause") : bytes32("unpause"));
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Progress bias for exports: the first flow from `idx` on that is LOCKED on A and decided on B (and pinned
    /// route 2 when `pinned`); else the LOCKED-phase pick of `_flowInPhase`.
    function _exportable(uint256 idx, bool pinned) internal view returns (bool found, FlowLib.Flow memory) {
        uint256 n = store.flowCount();
        if (n == 0) return _flowAt(idx);
        uint256 start = bound(idx, 0, n - 1);
        for (uint256 k = 0; k < n; ++k) {
            FlowLib.Flow memory flow = store.flowAt((start + k) % n);
            bytes32 id = keccak256(abi.encode(flow));
            if (
                cA.record(id).phase == FlowLib.Phase.LOCKED && FlowLib.isTerminal(cB.record(id).status)
                    && (!pinned || FlowLib.hasAckRoute(flow, ROUTE))
            ) return (true, flow);
        }
        return _flowInPhase(idx, FlowLib.Phase.LOCKED);
    }

    function _forged(bytes memory payload, uint32 origin, address sender, uint32 destination, address recipient)
        internal
        returns (bytes memory)
    {
        return Message.format(
            Message.VERSION,
            _forgeNonce++,
            origin,
            bytes32(uint256(uint160(sender))),
            destination,
            bytes32(uint256(uint160(recipient))),
            Message.formatBody(500_000, payload)
        );
    }

    /// @dev Captures the OUTCOME B sent in the call just made (over the primary gateway), if any.
    function _captureOutcome(bytes32 counter) internal {
        bytes memory message = _captured();
        if (message.length == 0) return;
        store.addOutcome(message, false);
        store.count(counter);
    }

    function _ackGateway(uint256 outcomeIndex) internal view returns (ConcordGateway) {
        return store.outcomeViaRoute(outcomeIndex) ? gwA2 : gwA;
    }

    /// @dev A's value state: escrow, credits (total and per payee), balance, and which flows are SETTLED. While A is
    /// paused an arriving OUTCOME may still be recorded (LOCKED -> ACKNOWLEDGED), nothing else.
    function _valueFingerprintA() internal view returns (bytes32 h) {
        h = keccak256(
            abi.encode(
                cA.lockedTotal(address(0)),
                cA.owedTotal(address(0)),
                address(cA).balance,
                cA.owed(REFUND, address(0)),
                cA.owed(BENEFICIARY, address(0)),
                cA.owed(FEE_RECIPIENT, address(0))
            )
        );
        uint256 n = store.flowCount();
        for (uint256 i = 0; i < n; ++i) {
            bool settled = cA.record(keccak256(abi.encode(store.flowAt(i)))).phase == FlowLib.Phase.SETTLED;
            h = keccak256(abi.encode(h, settled));
        }
    }

    /// @dev B's settlement state: what ran and what B's liquidity released (expiry and cancellation may proceed).
    function _fingerprintB() internal view returns (bytes32) {
        return keccak256(abi.encode(target.totalExecutions(), address(cB).balance, address(target).balance));
    }

    function _checkPausedA(bool paused, bytes32 before) internal {
        if (!paused) return;
        store.count("blockedWhilePausedA");
        if (_valueFingerprintA() != before) store.violate("I4: value moved on A while paused");
    }

    function _checkPausedB(bool paused, bytes32 before) internal {
        if (!paused) return;
        store.count("blockedWhilePausedB");
        if (_fingerprintB() != before) store.violate("I4: B executed while paused");
    }

    function _flowAt(uint256 idx) internal view returns (bool found, FlowLib.Flow memory flow) {
        uint256 n = store.flowCount();
        if (n == 0) return (false, flow);
        return (true, store.flowAt(bound(idx, 0, n - 1)));
    }

    /// @dev Progress bias: the first flow from `idx` on whose A phase is `phase` (else the flow at `idx`).
    function _flowInPhase(uint256 idx, FlowLib.Phase phase) internal view returns (bool found, FlowLib.Flow memory) {
        uint256 n = store.flowCount();
        if (n == 0) return _flowAt(idx);
        uint256 start = bound(idx, 0, n - 1);
        for (uint256 k = 0; k < n; ++k) {
            FlowLib.Flow memory flow = store.flowAt((start + k) % n);
            if (cA.record(keccak256(abi.encode(flow))).phase == phase) return (true, flow);
        }
        return _flowAt(idx);
    }

    function _captured() internal returns (bytes memory message) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IConcordGateway.Dispatched.selector) {
                message = abi.decode(logs[i].data, (bytes));
            }
        }
    }
}
