// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";

import {FlowCoordinator} from "../../../contracts/coordination/FlowCoordinator.sol";
import {ConcordGateway} from "../../../contracts/core/ConcordGateway.sol";
import {IConcordGateway} from "../../../contracts/interfaces/IConcordGateway.sol";
import {IFlowCoordinator} from "../../../contracts/interfaces/IFlowCoordinator.sol";
import {FlowLib} from "../../../contracts/libraries/FlowLib.sol";
import {Message} from "../../../contracts/libraries/Message.sol";
import {FlowTargetMock} from "../../unit/CoordinatorBase.t.sol";
import {FlowStore} from "./FlowStore.sol";

/// @notice TEST ONLY: handlers of the Flows suite. Two chains with their own clocks (`tA`, `tB`; every action warps
/// to its chain's clock first), real gateways, a transport that the fuzzer drives (deliver any captured message,
/// in any order, with any gas, twice, or never), plus an attacker that forges acknowledgements from the wrong
/// chain or sender. Actions that revert are expected (wrong timing, wrong status) and simply do nothing.
contract FlowHandler is CommonBase, StdUtils {
    uint32 public constant CHAIN_A = 1;
    uint32 public constant CHAIN_B = 10;
    uint32 public constant CHAIN_C = 8453;

    ConcordGateway public immutable gwA;
    ConcordGateway public immutable gwB;
    FlowCoordinator public immutable cA;
    FlowCoordinator public immutable cB;
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
        ConcordGateway gwA_,
        ConcordGateway gwB_,
        FlowCoordinator cA_,
        FlowCoordinator cB_,
        FlowTargetMock target_,
        FlowStore store_
    ) {
        (gwA, gwB, cA, cB, target, store) = (gwA_, gwB_, cA_, cB_, target_, store_);
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
        req.destinationChain = CHAIN_B;
        req.destinationCoordinator = address(cB);
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
        uint256 start = bound(idx, 0, n - 1);
        bytes memory message = store.outcomeMessages(start);
        if (idx % 2 == 0) {
            // half the time, the next undelivered acknowledgement (the other half: any one, replays included)
            for (uint256 k = 0; k < n; ++k) {
                bytes memory candidate = store.outcomeMessages((start + k) % n);
                if (gwA.status(candidate) == IConcordGateway.MessageStatus.NONE) {
                    message = candidate;
                    break;
                }
            }
        }
        vm.warp(tA);
        try gwA.process("", message) {
            store.count("relayAck");
        } catch {
            store.count("relayAckReplay");
        }
    }

    /// @notice An acknowledgement from the wrong chain (C) or the wrong sender on B must never change A.
    function forgeAck(uint256 idx, uint8 statusSeed, uint256 decidedSeed, bool wrongChain) external {
        (bool found, FlowLib.Flow memory flow) = _flowAt(idx);
        if (!found) return;
        bytes32 id = keccak256(abi.encode(flow));
        IFlowCoordinator.OriginRecord memory before = cA.originRecord(id);
        FlowLib.Status status = FlowLib.Status(bound(statusSeed, 2, 5));
        uint64 decidedAt = uint64(bound(decidedSeed, flow.deadline - 1, flow.deadline + 1));
        bytes memory message = Message.format(
            Message.VERSION,
            _forgeNonce++,
            wrongChain ? CHAIN_C : CHAIN_B,
            bytes32(uint256(uint160(wrongChain ? address(cB) : FORGER))),
            CHAIN_A,
            bytes32(uint256(uint160(address(cA)))),
            Message.formatBody(500_000, FlowLib.encodeOutcome(flow, status, decidedAt))
        );
        vm.warp(tA);
        gwA.process("", message);
        IFlowCoordinator.OriginRecord memory afterRec = cA.originRecord(id);
        if (keccak256(abi.encode(before)) != keccak256(abi.encode(afterRec))) {
            store.violate("forged acknowledgement changed A");
        }
        store.count("forgeAck");
    }

    function compensate(uint256 idx) external {
        (bool found, FlowLib.Flow memory flow) = _flowInPhase(idx, FlowLib.Phase.ACKNOWLEDGED);
        if (!found) return;
        vm.warp(tA);
        try cA.compensate(flow) {
            store.count("compensate");
        } catch {}
    }

    function finalize(uint256 idx) external {
        (bool found, FlowLib.Flow memory flow) = _flowInPhase(idx, FlowLib.Phase.ACKNOWLEDGED);
        if (!found) return;
        vm.warp(tA);
        try cA.finalize(flow) {
            store.count("finalize");
        } catch {}
    }

    function claim(uint256 who) external {
        address account = [REFUND, BENEFICIARY, FEE_RECIPIENT][bound(who, 0, 2)];
        vm.warp(tA);
        try cA.claim(account, address(0)) returns (uint256 amount) {
            store.addClaim(account, amount);
            store.count("claim");
        } catch {}
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
        try gwB.process{gas: gas}("", message) {
            store.count("relayExecute");
        } catch {
            store.count("relayExecuteReverted");
        }
    }

    function relayCancel(uint256 idx) external {
        uint256 n = store.cancelCount();
        if (n == 0) return;
        vm.warp(tB);
        try gwB.process("", store.cancelMessages(bound(idx, 0, n - 1))) {
            store.count("relayCancel");
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
        try cB.retryExecution{gas: bound(gasSeed, 100_000, 2_000_000)}(flow, "flow") {
            store.count("retry");
        } catch {}
    }

    function expire(uint256 idx) external {
        (bool found, FlowLib.Flow memory flow) = _flowInPhase(idx, FlowLib.Phase.LOCKED);
        if (!found) return;
        vm.warp(tB);
        try cB.expire(flow) {
            store.count("expire");
        } catch {}
    }

    function exportOutcome(uint256 idx) external {
        (bool found, FlowLib.Flow memory flow) = _flowInPhase(idx, FlowLib.Phase.LOCKED);
        if (!found) return;
        vm.warp(tB);
        vm.recordLogs();
        try cB.exportOutcome(flow) {
            store.addOutcome(_captured());
            store.count("exportOutcome");
        } catch {}
    }

    // ------------------------------------------------------------------ helpers

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
            if (cA.originRecord(keccak256(abi.encode(flow))).phase == phase) return (true, flow);
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
