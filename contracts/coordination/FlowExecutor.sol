// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IFlowExecutor} from "../interfaces/IFlowExecutor.sol";
import {IFlowTarget} from "../interfaces/IFlowTarget.sol";
import {FlowLib} from "../libraries/FlowLib.sol";
import {FlowEndpoint} from "./FlowEndpoint.sol";

/// @title FlowExecutor
/// @notice Destination side (B) of Concord's flows (see {IFlowExecutor}): executes a flow's target from B-side
/// liquidity when A's EXECUTE arrives, expires it, cancels it, records guards, and sends the attested OUTCOME back to
/// A's escrow in the transaction that decides it.
/// @dev The rule (invariant I5): B's clock alone decides. `_records[flowId]` is the one status slot; the target runs
/// only while `block.timestamp <= deadline` and EXPIRED is recorded only once `block.timestamp > deadline`, so at T
/// exactly one wins. The executor holds only B-side liquidity (A-side escrow lives in `FlowEscrow`), so executing can
/// never spend another flow's escrow. One transient lock covers every function that moves value or changes a status.
contract FlowExecutor is IFlowExecutor, FlowEndpoint {
    using FlowLib for FlowLib.Flow;
    using SafeERC20 for IERC20;

    /// @notice Gas kept for the target CALL itself (cold account, value transfer, possible account creation).
    uint256 public constant CALL_GAS_MARGIN = 40_000;

    /// @notice Gas kept for the bookkeeping after the target call returns, including the OUTCOME send.
    uint256 public constant POST_CALL_GAS = 100_000;

    mapping(bytes32 flowId => Record) private _records;
    /// @dev Guards delivered, by `FlowLib.guardId(domain, emitter, key)`.
    mapping(bytes32 guardId => bool) private _guards;
    mapping(uint32 originDomain => mapping(address localAsset => mapping(address remoteAsset => address))) private
        _lanes;

    /// @param gateway_ The primary ERC-7786 gateway on this domain.
    /// @param localDomain_ This domain (the gateway's).
    /// @param initialAuthority The AccessManager.
    /// @param routeDelay_ Delay before a scheduled acknowledgement route can be used to send outcomes.
    constructor(address gateway_, uint32 localDomain_, address initialAuthority, uint64 routeDelay_)
        FlowEndpoint(gateway_, localDomain_, initialAuthority, routeDelay_)
    {}

    /// @notice Accepts native B-side liquidity.
    receive() external payable {}

    // ---------------------------------------------------------------------------------------------
    // Flows
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowExecutor
    function retryExecution(FlowLib.Flow calldata flow, bytes calldata payload) external nonReentrant {
        _requireNotPaused();
        bytes32 id = _hash(flow);
        _checkOwn(id, flow.destinationDomain, flow.executor);
        if (keccak256(payload) != flow.payloadHash) revert FlowExecutorPayloadMismatch(id);
        FlowLib.Status status = _records[id].status;
        if (status != FlowLib.Status.PENDING) revert FlowExecutorWrongStatus(id, status);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > flow.deadline) revert FlowExecutorDeadlinePassed(id, flow.deadline, block.timestamp);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < flow.notBefore) revert FlowExecutorTooEarly(id, flow.notBefore, block.timestamp);
        _attempt(id, flow, payload);
    }

    /// @inheritdoc IFlowExecutor
    function expire(FlowLib.Flow calldata flow) external nonReentrant {
        bytes32 id = _hash(flow);
        _checkOwn(id, flow.destinationDomain, flow.executor);
        FlowLib.Status status = _records[id].status;
        if (FlowLib.isTerminal(status)) revert FlowExecutorWrongStatus(id, status);
        // THE rule: EXPIRED only once B's time is strictly after T.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp <= flow.deadline) {
            revert FlowExecutorDeadlineNotPassed(id, flow.deadline, block.timestamp);
        }
        _decide(id, flow, FlowLib.Status.EXPIRED);
    }

    /// @inheritdoc IFlowExecutor
    function exportOutcome(FlowLib.Flow calldata flow, uint8 routeId) external nonReentrant returns (bytes32 sendId) {
        bytes32 id = _hash(flow);
        _checkOwn(id, flow.destinationDomain, flow.executor);
        Record memory rec = _records[id];
        if (!FlowLib.isTerminal(rec.status)) revert FlowExecutorWrongStatus(id, rec.status);
        sendId = _sendOutcome(id, flow, rec, routeId);
    }

    // ---------------------------------------------------------------------------------------------
    // Inbound: EXECUTE, CANCEL, GUARD (primary gateway only)
    // ---------------------------------------------------------------------------------------------

    /// @dev The primary gateway only: acknowledgement routes carry OUTCOME towards A, never anything towards B.
    function _isAuthorizedGateway(address gateway_, bytes calldata) internal view override returns (bool) {
        return gateway_ == _GATEWAY;
    }

    /// @dev Dispatches on the message kind. Reverts (the gateway records the message FAILED) only for messages that
    /// can never be valid (untrusted sender, foreign flow, bad payload) or for too little gas; a message for a flow
    /// that is already decided is consumed as a no-op.
    function _processMessage(address, bytes32, bytes calldata sender, bytes calldata payload)
        internal
        override
        nonReentrant
    {
        (uint256 domain, address account) = InteroperableAddress.parseEvmV1Calldata(sender);
        uint8 kind = FlowLib.kindOf(payload);
        if (kind == FlowLib.EXECUTE) {
            (, FlowLib.Flow memory flow, bytes memory data) = abi.decode(payload, (uint8, FlowLib.Flow, bytes));
            _onExecute(domain, account, flow, data);
        } else if (kind == FlowLib.CANCEL) {
            (, FlowLib.Flow memory flow) = abi.decode(payload, (uint8, FlowLib.Flow));
            _onCancel(domain, account, flow);
        } else if (kind == FlowLib.GUARD) {
            // Anyone may attest a key under its own (domain, address): a flow's guard names whose attestation counts.
            (, bytes32 key) = abi.decode(payload, (uint8, bytes32));
            bytes32 guard = FlowLib.guardId(domain, account, key);
            _guards[guard] = true;
            emit GuardSatisfied(guard, uint32(domain), account, key);
        } else {
            revert FlowEndpointUnexpectedMessage(kind, 0);
        }
    }

    /// @dev EXECUTE from the flow's (trusted) escrow on its origin domain.
    function _onExecute(uint256 domain, address sender, FlowLib.Flow memory flow, bytes memory payload) private {
        bytes32 id = flow.id();
        _checkOwn(id, flow.destinationDomain, flow.executor);
        _checkEscrowSender(domain, sender, flow);
        if (keccak256(payload) != flow.payloadHash) revert FlowExecutorPayloadMismatch(id);
        FlowLib.Status status = _records[id].status;
        if (FlowLib.isTerminal(status)) {
            // Late or repeated EXECUTE: consumed, never run, never left retryable.
            emit FlowMessageIgnored(id, FlowLib.EXECUTE, status);
            return;
        }
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > flow.deadline) {
            // Arrived after T: B's clock says EXPIRED (same rule as `expire`).
            _decide(id, flow, FlowLib.Status.EXPIRED);
            return;
        }
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < flow.notBefore) {
            // Too early to run: PENDING until `notBefore`, then anyone retries.
            if (status == FlowLib.Status.NONE) {
                _records[id].status = FlowLib.Status.PENDING;
                emit FlowDelivered(id, flow.originDomain);
            }
            return;
        }
        _attempt(id, flow, payload);
    }

    /// @dev CANCEL from the flow's escrow; effective only while the flow is not decided.
    function _onCancel(uint256 domain, address sender, FlowLib.Flow memory flow) private {
        bytes32 id = flow.id();
        _checkOwn(id, flow.destinationDomain, flow.executor);
        _checkEscrowSender(domain, sender, flow);
        FlowLib.Status status = _records[id].status;
        if (FlowLib.isTerminal(status)) {
            emit FlowMessageIgnored(id, FlowLib.CANCEL, status);
            return;
        }
        _decide(id, flow, FlowLib.Status.CANCELLED);
    }

    // ---------------------------------------------------------------------------------------------
    // Execution
    // ---------------------------------------------------------------------------------------------

    /// @dev One execution attempt of a flow that is NONE (EXECUTE just arrived) or PENDING, inside [notBefore, T] on
    /// B's clock. A terminal result (EXECUTED, or FAILED with abort-on-fail) sends the OUTCOME; any other leaves the
    /// flow PENDING, reported by the attempt's event (`FlowAttemptPaused`, `FlowGuardPending`, `FlowAttemptFailed`).
    function _attempt(bytes32 id, FlowLib.Flow memory flow, bytes memory payload) private {
        if (_settlementPaused) {
            // Paused: nothing runs and nothing is released; the flow stays PENDING (retry after unpause, or EXPIRED
            // after T: pausing never changes the rule).
            _records[id].status = FlowLib.Status.PENDING;
            emit FlowAttemptPaused(id);
            return;
        }
        if (flow.guardEmitter != address(0)) {
            bytes32 guard = FlowLib.guardId(flow.guardDomain, flow.guardEmitter, flow.guardKey);
            if (!_guards[guard]) {
                // Stays PENDING until the guard holds (then anyone retries), EXPIRED after T otherwise.
                _records[id].status = FlowLib.Status.PENDING;
                emit FlowGuardPending(id, guard);
                return;
            }
        }
        if (
            flow.maxValue != 0
                && (_lanes[flow.originDomain][flow.destinationAsset][flow.asset] != flow.beneficiary
                    || flow.beneficiary == address(0)
                    || _balance(flow.destinationAsset) < flow.maxValue)
        ) {
            // B cannot fund it (no open lane for this asset pair and beneficiary here, or liquidity short). Not the
            // app's fault: never FAILED, stays PENDING until funded or T passes.
            _records[id].status = FlowLib.Status.PENDING;
            emit FlowAttemptFailed(id, true);
            return;
        }
        // ---- Effects ---- (tentative; the transient lock keeps every status-reading mutator out during the call)
        Record memory decided = Record({status: FlowLib.Status.EXECUTED, decidedAt: uint64(block.timestamp)});
        _records[id] = decided;
        // ---- Interactions ----
        (bool ok, uint256 released) = _callTarget(id, flow, payload);
        if (ok) {
            emit FlowExecuted(id, released, decided.decidedAt);
        } else if (flow.abortOnFail) {
            decided.status = FlowLib.Status.FAILED;
            _records[id] = decided;
            emit FlowFailed(id, decided.decidedAt);
        } else {
            _records[id] = Record({status: FlowLib.Status.PENDING, decidedAt: 0});
            emit FlowAttemptFailed(id, false);
            return;
        }
        _sendOutcomeInline(id, flow, decided);
    }

    /// @dev Calls `target.onFlowExecute` with exactly `executionGas`, releasing at most `maxValue` (native value or an
    /// allowance reset afterwards). Reverts if the target could not get its gas. No return data is copied beyond one
    /// word (return-bomb safe).
    function _callTarget(bytes32 id, FlowLib.Flow memory flow, bytes memory payload)
        private
        returns (bool ok, uint256 released)
    {
        address target = flow.target;
        address asset = flow.destinationAsset;
        uint256 value = asset == address(0) ? flow.maxValue : 0;
        if (asset != address(0) && flow.maxValue != 0) IERC20(asset).forceApprove(target, flow.maxValue);
        bytes memory data = abi.encodeCall(IFlowTarget.onFlowExecute, (id, flow, payload));
        uint256 gasLimit = flow.executionGas;
        uint256 required = gasLimit + gasLimit / 63 + CALL_GAS_MARGIN + POST_CALL_GAS;
        if (gasleft() < required) revert FlowExecutorInsufficientGas(required, gasleft());
        bytes4 magic = IFlowTarget.onFlowExecute.selector;
        assembly ("memory-safe") {
            ok := call(gasLimit, target, value, add(data, 0x20), mload(data), 0x00, 0x20)
            ok := and(ok, and(gt(returndatasize(), 0x1f), eq(mload(0x00), magic)))
        }
        if (asset == address(0)) {
            released = ok ? value : 0;
        } else if (flow.maxValue != 0) {
            uint256 remaining = IERC20(asset).allowance(address(this), target);
            released = ok ? flow.maxValue - remaining : 0;
            if (remaining != 0) IERC20(asset).forceApprove(target, 0);
        }
    }

    /// @dev Records a terminal status (EXPIRED or CANCELLED) at B's current time, emits its event and sends the
    /// OUTCOME.
    function _decide(bytes32 id, FlowLib.Flow memory flow, FlowLib.Status status) private {
        Record memory decided = Record({status: status, decidedAt: uint64(block.timestamp)});
        _records[id] = decided;
        if (status == FlowLib.Status.EXPIRED) emit FlowExpired(id, decided.decidedAt);
        else emit FlowCancelled(id, decided.decidedAt);
        _sendOutcomeInline(id, flow, decided);
    }

    /// @dev The OUTCOME in the deciding transaction, over the primary gateway: a failure to send never undoes the
    /// decision (anyone can `exportOutcome` later). Sent only to the trusted escrow of the origin domain.
    function _sendOutcomeInline(bytes32 id, FlowLib.Flow memory flow, Record memory rec) private {
        if (_remotes[flow.originDomain] != flow.escrow) {
            emit OutcomeExportFailed(
                id, abi.encodeWithSelector(FlowExecutorUntrustedEscrow.selector, flow.originDomain, flow.escrow)
            );
            return;
        }
        (bool sent, bytes32 sendId, bytes memory reason) = _trySend(
            flow.originDomain, flow.escrow, FlowLib.encodeOutcome(flow, rec.status, rec.decidedAt), CONTROL_GAS_LIMIT
        );
        if (sent) emit OutcomeExported(id, rec.status, rec.decidedAt, 0, sendId);
        else emit OutcomeExportFailed(id, reason);
    }

    /// @dev Sends the OUTCOME over `routeId` (0: primary; else pinned by the flow and active here) to the flow's
    /// escrow, which must be the trusted remote of its domain.
    function _sendOutcome(bytes32 id, FlowLib.Flow memory flow, Record memory rec, uint8 routeId)
        private
        returns (bytes32 sendId)
    {
        if (_remotes[flow.originDomain] != flow.escrow) {
            revert FlowExecutorUntrustedEscrow(flow.originDomain, flow.escrow);
        }
        bytes memory outcome = FlowLib.encodeOutcome(flow, rec.status, rec.decidedAt);
        if (routeId == 0) {
            sendId = _send(flow.originDomain, flow.escrow, outcome, CONTROL_GAS_LIMIT);
        } else {
            if (!FlowLib.hasAckRoute(flow, routeId)) revert FlowEndpointRouteNotPinned(id, routeId);
            AckRoute memory route = _ackRoutes.byId[routeId];
            if (!route.active) revert FlowEndpointRouteNotActive(routeId);
            sendId = _sendVia(
                route.gateway, route.gasLimitSupported, flow.originDomain, flow.escrow, outcome, CONTROL_GAS_LIMIT
            );
        }
        emit OutcomeExported(id, rec.status, rec.decidedAt, routeId, sendId);
    }

    function _checkOwn(bytes32 id, uint32 domain, address executor) private view {
        if (domain != _LOCAL_DOMAIN || executor != address(this)) revert FlowExecutorForeignFlow(id);
    }

    /// @dev The sender must be the flow's escrow on its origin domain AND the trusted remote there (anyone can deploy
    /// an escrow that sends EXECUTE without escrowing; only the trusted one escrowed).
    function _checkEscrowSender(uint256 domain, address sender, FlowLib.Flow memory flow) private view {
        if (domain != flow.originDomain || sender != flow.escrow || _remotes[flow.originDomain] != sender) {
            revert FlowEndpointUntrustedSender(domain, sender);
        }
    }

    function _balance(address asset) private view returns (uint256) {
        return asset == address(0) ? address(this).balance : IERC20(asset).balanceOf(address(this));
    }

    /// @inheritdoc FlowEndpoint
    /// @dev Routes only carry this executor's outcomes towards A (which checks its own route delay): any delay.
    function _minRouteDelay() internal pure override returns (uint64) {
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowExecutor
    function setLane(uint32 originDomain, address localAsset, address remoteAsset, address beneficiary)
        external
        restricted
    {
        if (originDomain == 0 || originDomain == _LOCAL_DOMAIN) {
            revert FlowEndpointInvalidRemoteDomain(originDomain);
        }
        _lanes[originDomain][localAsset][remoteAsset] = beneficiary;
        emit LaneSet(originDomain, localAsset, remoteAsset, beneficiary);
    }

    /// @inheritdoc IFlowExecutor
    function withdrawLiquidity(address asset, address to, uint256 amount) external restricted nonReentrant {
        uint256 available = _balance(asset);
        if (amount > available) revert FlowExecutorInsufficientLiquidity(asset, amount, available);
        emit LiquidityWithdrawn(asset, to, amount);
        if (asset == address(0)) Address.sendValue(payable(to), amount);
        else IERC20(asset).safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowExecutor
    function record(bytes32 id) external view returns (Record memory) {
        return _records[id];
    }

    /// @inheritdoc IFlowExecutor
    function lane(uint32 originDomain, address localAsset, address remoteAsset) external view returns (address) {
        return _lanes[originDomain][localAsset][remoteAsset];
    }

    /// @inheritdoc IFlowExecutor
    function guardSatisfied(uint32 domain, address emitter, bytes32 key) external view returns (bool) {
        return _guards[FlowLib.guardId(domain, emitter, key)];
    }

    /// @inheritdoc IFlowExecutor
    function availableLiquidity(address asset) external view returns (uint256) {
        return _balance(asset);
    }
}
