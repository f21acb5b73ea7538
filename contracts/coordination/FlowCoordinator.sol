// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ERC7786Recipient} from "@openzeppelin/contracts/crosschain/ERC7786Recipient.sol";
import {IERC7786GatewaySource} from "@openzeppelin/contracts/interfaces/draft-IERC7786.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IFlowCoordinator, IFlowTarget} from "../interfaces/IFlowCoordinator.sol";
import {IGasOracle} from "../interfaces/IGasOracle.sol";
import {FlowLib} from "../libraries/FlowLib.sol";

/// @title FlowCoordinator
/// @notice One coordinator per chain, playing both roles of a cross-chain flow: on the origin chain A it escrows
/// value, sends EXECUTE, records B's attested outcome and settles (finalize or compensate, pull payments); on the
/// destination chain B it executes the flow's target from B-side liquidity, expires it, cancels it and exports the
/// attested outcome. Runs over any ERC-7786 gateway (Concord's first).
/// @dev The rule (ARCHITECTURE.md invariant I5): B's clock alone decides. `_destination[flowId]` is the one status
/// slot on B; the target runs only while `block.timestamp <= deadline` and EXPIRED is recorded only once
/// `block.timestamp > deadline`, so at T exactly one wins. A moves value only on an outcome recorded from B's
/// OUTCOME message (from the destination coordinator pinned in the flow id), never on A's clock.
/// Value accounting: A-side escrow (`lockedTotal`) and unclaimed credits (`owedTotal`) are liabilities; B-side
/// liquidity is what the contract holds beyond them (`availableLiquidity`), so executing on B can never spend A's
/// escrow of other flows.
/// Reentrancy: one transient lock covers every function that moves value or changes a flow's status (delivery,
/// retry, expire, export, settle, claim). `open` and `cancel` stay callable from inside a target (multi-hop).
/// Acknowledgement routes: a flow pins extra ERC-7786 gateways (route ids 1..15, `flow.ackRoutes`) that may carry its
/// OUTCOME back; routes are added only behind `routeDelay` (> `maxHorizon`) and never replaced. Governance can pause
/// settlement (I4) but never settles a flow itself and never changes the rule.
contract FlowCoordinator is IFlowCoordinator, ERC7786Recipient, AccessManaged, ReentrancyGuardTransient {
    using FlowLib for FlowLib.Flow;
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------------

    /// @notice ERC-7786 attribute `gasLimit(uint256)` (Concord's gateway, `IConcordGateway`).
    bytes4 public constant GAS_LIMIT_ATTRIBUTE = 0xce296026;

    /// @notice Gas added to `executionGas` for the EXECUTE message: decoding, hashing, status writes, the
    /// allowance and the post-call bookkeeping on B.
    uint32 public constant EXECUTE_GAS_OVERHEAD = 250_000;

    /// @notice Gas limit of OUTCOME (on A) and CANCEL (on B) messages.
    uint32 public constant CONTROL_GAS_LIMIT = 150_000;

    /// @notice Largest `executionGas` a flow may ask for.
    uint32 public constant MAX_EXECUTION_GAS = 10_000_000;

    /// @notice Gas kept for the CALL itself (cold account, value transfer, possible account creation).
    uint256 public constant CALL_GAS_MARGIN = 40_000;

    /// @notice Gas kept for the bookkeeping after the target call returns.
    uint256 public constant POST_CALL_GAS = 50_000;

    /// @notice Gas of processing an OUTCOME on A, priced at A's base fee for the acknowledgement fee: the OUTCOME's
    /// gas limit (`CONTROL_GAS_LIMIT`) plus 50,000 for the gateway's delivery bookkeeping (verification beyond that
    /// is the relayer's own pricing).
    uint32 public constant ACK_GAS = CONTROL_GAS_LIMIT + 50_000;

    /// @notice Gas on B of the timeout leg: `expire` plus `exportOutcome` (with the gateway send), priced by the
    /// gas oracle for the timeout fee.
    uint32 public constant TIMEOUT_GAS = 150_000;

    // ---------------------------------------------------------------------------------------------
    // Immutables and storage
    // ---------------------------------------------------------------------------------------------

    struct Settings {
        IGasOracle gasOracle;
        uint64 routeDelay;
        bool settlementPaused;
    }

    struct Routes {
        mapping(uint8 routeId => AckRoute) byId;
        mapping(address gateway => uint8 routeId) idOf;
    }

    address private immutable _gateway;
    uint32 private immutable _localChain;
    bool private immutable _gasLimitSupported;

    uint64 private _maxHorizon;
    uint64 private _nonce;
    /// @dev Governance switches, one slot: gas oracle, route delay (always > `_maxHorizon`), settlement pause.
    Settings private _settings;
    /// @dev Acknowledgement routes 1..15 (append-only) and the reverse map gateway -> route id.
    Routes private _ackRoutes;
    mapping(uint32 chainId => address coordinator) private _trustedRemotes;
    /// @dev A side: one slot per flow.
    mapping(bytes32 flowId => OriginRecord) private _origin;
    /// @dev B side: THE status slot of the rule.
    mapping(bytes32 flowId => DestinationRecord) private _destination;
    /// @dev A side: fees added by `bumpFees`.
    mapping(bytes32 flowId => uint256 amount) private _bumped;
    mapping(address asset => uint256 amount) private _lockedTotal;
    /// @dev Liquidity lanes opened here towards a destination: beneficiary on this chain (see `setLane`).
    mapping(uint32 destinationChain => mapping(address localAsset => mapping(address remoteAsset => address))) private
        _outboundLanes;
    /// @dev Liquidity lanes released here from an origin: beneficiary on the origin chain (see `setLane`).
    mapping(uint32 originChain => mapping(address localAsset => mapping(address remoteAsset => address))) private
        _inboundLanes;
    /// @dev B side: guards delivered, by `FlowLib.guardId(chain, emitter, key)`.
    mapping(bytes32 guardId => bool) private _guards;
    mapping(address asset => uint256 amount) private _owedTotal;
    mapping(address account => mapping(address asset => uint256 amount)) private _owed;

    /// @param gateway_ The ERC-7786 gateway (source and destination) on this chain.
    /// @param localChain_ This chain's id as the gateway names it (the EVM chain id in production).
    /// @param initialAuthority The AccessManager.
    /// @param maxHorizon_ Longest allowed `deadline - open time`. The route delay starts at twice this value.
    constructor(address gateway_, uint32 localChain_, address initialAuthority, uint64 maxHorizon_)
        AccessManaged(initialAuthority)
    {
        if (gateway_.code.length == 0 || localChain_ == 0 || maxHorizon_ == 0 || maxHorizon_ > type(uint64).max / 2) {
            revert FlowCoordinatorInvalidConfig();
        }
        _gateway = gateway_;
        _localChain = localChain_;
        _maxHorizon = maxHorizon_;
        _settings.routeDelay = 2 * maxHorizon_;
        _gasLimitSupported = _supportsGasLimit(gateway_);
        emit MaxHorizonSet(maxHorizon_);
        emit RouteDelaySet(2 * maxHorizon_);
    }

    /// @notice Accepts native B-side liquidity.
    receive() external payable {}

    // ---------------------------------------------------------------------------------------------
    // A (origin)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowCoordinator
    function open(FlowLib.Flow calldata request, bytes calldata payload)
        external
        payable
        returns (bytes32 id, FlowLib.Flow memory flow)
    {
        flow = request;
        flow.originChain = _localChain;
        flow.originCoordinator = address(this);
        flow.nonce = _nonce;
        flow.opener = msg.sender;
        flow.payloadHash = keccak256(payload);
        // ---- Checks ----
        _checkOpen(flow);
        if (address(_settings.gasOracle) != address(0)) _checkFees(flow);
        uint256 feeEscrow = FlowLib.feeEscrow(flow);
        uint256 nativeDue = feeEscrow + (flow.asset == address(0) ? flow.amount : 0);
        if (msg.value != nativeDue) revert FlowCoordinatorWrongValue(nativeDue, msg.value);
        id = flow.id();
        // ---- Effects ----
        ++_nonce;
        _origin[id] = OriginRecord({phase: FlowLib.Phase.LOCKED, outcome: FlowLib.Status.NONE, decidedAt: 0});
        _lockedTotal[flow.asset] += flow.amount;
        _lockedTotal[address(0)] += feeEscrow;
        // ---- Interactions ----
        if (flow.asset != address(0) && flow.amount != 0) {
            IERC20 token = IERC20(flow.asset);
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), flow.amount);
            uint256 received = token.balanceOf(address(this)) - before;
            if (received != flow.amount) revert FlowCoordinatorWrongAmount(flow.amount, received);
        }
        bytes32 sendId = _send(
            flow.destinationChain,
            flow.destinationCoordinator,
            FlowLib.encodeExecute(flow, payload),
            flow.executionGas + EXECUTE_GAS_OVERHEAD
        );
        emit FlowOpened(id, flow.destinationChain, flow, payload, sendId);
    }

    /// @inheritdoc IFlowCoordinator
    function bumpFees(FlowLib.Flow calldata flow) external payable {
        bytes32 id = _hash(flow);
        FlowLib.Phase phase = _origin[id].phase;
        if (phase != FlowLib.Phase.LOCKED) revert FlowCoordinatorWrongPhase(id, phase);
        if (msg.value == 0 || flow.feeRecipient == address(0)) revert FlowCoordinatorInvalidBump(id);
        uint256 total = _bumped[id] + msg.value;
        _bumped[id] = total;
        _lockedTotal[address(0)] += msg.value;
        emit FlowFeesBumped(id, msg.sender, msg.value, total);
    }

    /// @inheritdoc IFlowCoordinator
    function cancel(FlowLib.Flow calldata flow) external returns (bytes32 sendId) {
        bytes32 id = _hash(flow);
        FlowLib.Phase phase = _origin[id].phase;
        if (phase != FlowLib.Phase.LOCKED) revert FlowCoordinatorWrongPhase(id, phase);
        if (msg.sender != flow.opener) revert FlowCoordinatorNotOpener(msg.sender);
        sendId =
            _send(flow.destinationChain, flow.destinationCoordinator, FlowLib.encodeCancel(flow), CONTROL_GAS_LIMIT);
        emit FlowCancelRequested(id, sendId);
    }

    /// @inheritdoc IFlowCoordinator
    function finalize(FlowLib.Flow calldata flow) external nonReentrant {
        _requireNotPaused();
        bytes32 id = _hash(flow);
        OriginRecord memory rec = _origin[id];
        if (rec.phase == FlowLib.Phase.SETTLED && rec.outcome == FlowLib.Status.EXECUTED) return; // idempotent
        if (rec.phase != FlowLib.Phase.ACKNOWLEDGED) revert FlowCoordinatorWrongPhase(id, rec.phase);
        if (rec.outcome != FlowLib.Status.EXECUTED) revert FlowCoordinatorWrongOutcome(id, rec.outcome);
        (uint256 feePaid, uint256 feeRefunded) = _settle(id, rec, flow, flow.beneficiary);
        emit FlowFinalized(id, flow.beneficiary, flow.amount, feePaid, feeRefunded);
    }

    /// @inheritdoc IFlowCoordinator
    function compensate(FlowLib.Flow calldata flow) external nonReentrant {
        _requireNotPaused();
        bytes32 id = _hash(flow);
        OriginRecord memory rec = _origin[id];
        if (rec.phase == FlowLib.Phase.SETTLED && rec.outcome != FlowLib.Status.EXECUTED) return; // idempotent
        _checkCompensable(id, rec, flow);
        (uint256 feePaid, uint256 feeRefunded) = _settle(id, rec, flow, flow.refundTo);
        emit FlowCompensated(id, flow.refundTo, flow.amount, feePaid, feeRefunded);
    }

    /// @inheritdoc IFlowCoordinator
    function claim(address account, address asset) external nonReentrant returns (uint256 amount) {
        _requireNotPaused();
        amount = _owed[account][asset];
        if (amount == 0) revert FlowCoordinatorNothingToClaim(account, asset);
        // ---- Effects ----
        _owed[account][asset] = 0;
        _owedTotal[asset] -= amount;
        emit Claimed(account, asset, amount);
        // ---- Interactions ----
        _pay(asset, account, amount);
    }

    // ---------------------------------------------------------------------------------------------
    // B (destination)
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowCoordinator
    function retryExecution(FlowLib.Flow calldata flow, bytes calldata payload) external nonReentrant {
        _requireNotPaused();
        bytes32 id = _hash(flow);
        _checkDestination(id, flow.destinationChain, flow.destinationCoordinator);
        if (keccak256(payload) != flow.payloadHash) revert FlowCoordinatorPayloadMismatch(id);
        FlowLib.Status status = _destination[id].status;
        if (status != FlowLib.Status.PENDING) revert FlowCoordinatorWrongStatus(id, status);
        if (block.timestamp > flow.deadline) {
            revert FlowCoordinatorDeadlinePassed(id, flow.deadline, block.timestamp);
        }
        if (block.timestamp < flow.notBefore) revert FlowCoordinatorTooEarly(id, flow.notBefore, block.timestamp);
        _attempt(id, flow, payload);
    }

    /// @inheritdoc IFlowCoordinator
    function expire(FlowLib.Flow calldata flow) external nonReentrant {
        bytes32 id = _hash(flow);
        _checkDestination(id, flow.destinationChain, flow.destinationCoordinator);
        FlowLib.Status status = _destination[id].status;
        if (FlowLib.isTerminal(status)) revert FlowCoordinatorWrongStatus(id, status);
        // THE rule: EXPIRED only once B's time is strictly after T.
        if (block.timestamp <= flow.deadline) {
            revert FlowCoordinatorDeadlineNotPassed(id, flow.deadline, block.timestamp);
        }
        _decide(id, FlowLib.Status.EXPIRED);
    }

    /// @inheritdoc IFlowCoordinator
    function exportOutcome(FlowLib.Flow calldata flow) external nonReentrant returns (bytes32 sendId) {
        return _exportOutcome(flow, 0);
    }

    /// @inheritdoc IFlowCoordinator
    function exportOutcome(FlowLib.Flow calldata flow, uint8 routeId) external nonReentrant returns (bytes32 sendId) {
        return _exportOutcome(flow, routeId);
    }

    function _exportOutcome(FlowLib.Flow calldata flow, uint8 routeId) private returns (bytes32 sendId) {
        bytes32 id = _hash(flow);
        _checkDestination(id, flow.destinationChain, flow.destinationCoordinator);
        DestinationRecord memory rec = _destination[id];
        if (!FlowLib.isTerminal(rec.status)) revert FlowCoordinatorWrongStatus(id, rec.status);
        // Only ever answer a trusted coordinator (never send on behalf of arbitrary flows to arbitrary addresses).
        if (_trustedRemotes[flow.originChain] != flow.originCoordinator) {
            revert FlowCoordinatorUntrustedDestination(flow.originChain, flow.originCoordinator);
        }
        bytes memory outcome = FlowLib.encodeOutcome(flow, rec.status, rec.decidedAt);
        if (routeId == 0) {
            sendId = _send(flow.originChain, flow.originCoordinator, outcome, CONTROL_GAS_LIMIT);
        } else {
            // Only a route the flow pinned at open: A accepts OUTCOME through no other.
            if (!FlowLib.hasAckRoute(flow, routeId)) revert FlowCoordinatorRouteNotPinned(id, routeId);
            AckRoute memory route = _ackRoutes.byId[routeId];
            if (!route.active) revert FlowCoordinatorRouteNotActive(routeId);
            sendId = _sendVia(
                route.gateway,
                route.gasLimitSupported,
                flow.originChain,
                flow.originCoordinator,
                outcome,
                CONTROL_GAS_LIMIT
            );
        }
        emit OutcomeExported(id, rec.status, rec.decidedAt, sendId);
    }

    // ---------------------------------------------------------------------------------------------
    // Inbound messages
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ERC7786Recipient
    /// @dev The primary gateway, or the gateway of an active acknowledgement route (OUTCOME only, see
    /// `_processMessage`).
    function _isAuthorizedGateway(address gateway_, bytes calldata) internal view override returns (bool) {
        return gateway_ == _gateway || _ackRoutes.byId[_ackRoutes.idOf[gateway_]].active;
    }

    /// @inheritdoc ERC7786Recipient
    /// @dev Dispatches on the message kind. Reverts (the gateway then records the message FAILED) only for
    /// messages that can never be valid (untrusted sender, wrong coordinator, bad payload, inconsistent outcome,
    /// a route the flow did not pin) or for too little gas; a message for a flow that is already decided is consumed
    /// as a no-op. Acknowledgement routes carry OUTCOME only; EXECUTE, CANCEL and GUARD come through the primary.
    function _processMessage(address gateway_, bytes32, bytes calldata sender, bytes calldata payload)
        internal
        override
        nonReentrant
    {
        (uint256 chainId, address account) = InteroperableAddress.parseEvmV1Calldata(sender);
        (uint8 kind, bytes memory body) = abi.decode(payload, (uint8, bytes));
        uint8 routeId = gateway_ == _gateway ? 0 : _ackRoutes.idOf[gateway_];
        if (routeId != 0 && kind != FlowLib.OUTCOME) revert FlowCoordinatorPrimaryOnly(kind, routeId);
        if (kind == FlowLib.EXECUTE) {
            (FlowLib.Flow memory flow, bytes memory data) = abi.decode(body, (FlowLib.Flow, bytes));
            _onExecute(chainId, account, flow, data);
        } else if (kind == FlowLib.CANCEL) {
            _onCancel(chainId, account, abi.decode(body, (FlowLib.Flow)));
        } else if (kind == FlowLib.GUARD) {
            // Anyone may attest a key under its own (chain, address): a flow's guard names whose attestation counts.
            bytes32 key = abi.decode(body, (bytes32));
            bytes32 guard = FlowLib.guardId(chainId, account, key);
            _guards[guard] = true;
            emit GuardSatisfied(guard, uint32(chainId), account, key);
        } else if (kind == FlowLib.OUTCOME) {
            (FlowLib.Flow memory flow, FlowLib.Status status, uint64 decidedAt) =
                abi.decode(body, (FlowLib.Flow, FlowLib.Status, uint64));
            _onOutcome(routeId, chainId, account, flow, status, decidedAt);
        } else {
            revert FlowCoordinatorUnknownMessage(kind);
        }
    }

    /// @dev B: EXECUTE from the flow's (trusted) origin coordinator.
    function _onExecute(uint256 chainId, address sender, FlowLib.Flow memory flow, bytes memory payload) private {
        bytes32 id = flow.id();
        _checkDestination(id, flow.destinationChain, flow.destinationCoordinator);
        _checkOriginSender(chainId, sender, flow);
        if (keccak256(payload) != flow.payloadHash) revert FlowCoordinatorPayloadMismatch(id);
        FlowLib.Status status = _destination[id].status;
        if (FlowLib.isTerminal(status)) {
            // Late or repeated EXECUTE: consumed, never run, never left retryable.
            emit FlowMessageIgnored(id, FlowLib.EXECUTE, status);
            return;
        }
        if (block.timestamp > flow.deadline) {
            // Arrived after T: B's clock says EXPIRED (same rule as `expire`).
            _decide(id, FlowLib.Status.EXPIRED);
            return;
        }
        if (status == FlowLib.Status.NONE) {
            _destination[id].status = FlowLib.Status.PENDING;
            emit FlowDelivered(id, flow.originChain);
        }
        if (block.timestamp < flow.notBefore) return; // stays PENDING; retry once notBefore is reached
        _attempt(id, flow, payload);
    }

    /// @dev B: CANCEL from the flow's origin coordinator; effective only while the flow is not decided.
    function _onCancel(uint256 chainId, address sender, FlowLib.Flow memory flow) private {
        bytes32 id = flow.id();
        _checkDestination(id, flow.destinationChain, flow.destinationCoordinator);
        _checkOriginSender(chainId, sender, flow);
        FlowLib.Status status = _destination[id].status;
        if (FlowLib.isTerminal(status)) {
            emit FlowMessageIgnored(id, FlowLib.CANCEL, status);
            return;
        }
        _decide(id, FlowLib.Status.CANCELLED);
    }

    /// @dev A: OUTCOME from the flow's destination coordinator (pinned in the flow id). One write, no external call.
    /// Through route `routeId` (0: primary) only if the flow pinned it at open.
    function _onOutcome(
        uint8 routeId,
        uint256 chainId,
        address sender,
        FlowLib.Flow memory flow,
        FlowLib.Status status,
        uint64 decidedAt
    ) private {
        bytes32 id = flow.id();
        if (flow.originChain != _localChain || flow.originCoordinator != address(this)) {
            revert FlowCoordinatorWrongCoordinator(id);
        }
        if (chainId != flow.destinationChain || sender != flow.destinationCoordinator) {
            revert FlowCoordinatorUntrustedSender(chainId, sender);
        }
        if (!FlowLib.hasAckRoute(flow, routeId)) revert FlowCoordinatorRouteNotPinned(id, routeId);
        if (_origin[id].phase != FlowLib.Phase.LOCKED) {
            emit OutcomeIgnored(id, status);
            return;
        }
        if (!_consistent(flow, status, decidedAt)) revert FlowCoordinatorInvalidOutcome(id, status, decidedAt);
        _origin[id] = OriginRecord({phase: FlowLib.Phase.ACKNOWLEDGED, outcome: status, decidedAt: decidedAt});
        emit OutcomeAcknowledged(id, status, decidedAt);
    }

    // ---------------------------------------------------------------------------------------------
    // Execution on B
    // ---------------------------------------------------------------------------------------------

    /// @dev One execution attempt of a PENDING flow inside [notBefore, T] on B's clock.
    function _attempt(bytes32 id, FlowLib.Flow memory flow, bytes memory payload) private {
        if (_settings.settlementPaused) {
            // Paused: nothing runs and nothing is released; the flow stays PENDING (retry after unpause, or EXPIRED
            // after T: pausing never changes the rule).
            emit FlowAttemptPaused(id);
            return;
        }
        if (flow.guardEmitter != address(0)) {
            bytes32 guard = FlowLib.guardId(flow.guardChain, flow.guardEmitter, flow.guardKey);
            if (!_guards[guard]) {
                // Stays PENDING until the guard holds (then anyone retries), EXPIRED after T otherwise.
                emit FlowGuardPending(id, guard);
                return;
            }
        }
        if (
            flow.maxValue != 0
                && (_inboundLanes[flow.originChain][flow.destinationAsset][flow.asset] != flow.beneficiary
                    || flow.beneficiary == address(0)
                    || _available(flow.destinationAsset) < flow.maxValue)
        ) {
            // B cannot fund it (no open lane for this asset pair and beneficiary here, or liquidity short). Not the
            // app's fault: never FAILED, stays PENDING until funded or T passes.
            emit FlowAttemptFailed(id, true);
            return;
        }
        // ---- Effects ---- (tentative; the transient lock keeps every status-reading mutator out during the call)
        _destination[id] = DestinationRecord({status: FlowLib.Status.EXECUTED, decidedAt: uint64(block.timestamp)});
        // ---- Interactions ----
        (bool ok, uint256 released) = _callTarget(id, flow, payload);
        if (ok) {
            emit FlowExecuted(id, released, uint64(block.timestamp));
        } else if (flow.abortOnFail) {
            _destination[id] = DestinationRecord({status: FlowLib.Status.FAILED, decidedAt: uint64(block.timestamp)});
            emit FlowFailed(id, uint64(block.timestamp));
        } else {
            _destination[id] = DestinationRecord({status: FlowLib.Status.PENDING, decidedAt: 0});
            emit FlowAttemptFailed(id, false);
        }
    }

    /// @dev Calls `target.onFlowExecute` with exactly `executionGas`, releasing at most `maxValue` (native value or
    /// an allowance reset afterwards). Reverts if the target could not get its gas. No return data is copied
    /// beyond one word (return-bomb safe).
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
        if (gasleft() < required) revert FlowCoordinatorInsufficientGas(required, gasleft());
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

    // ---------------------------------------------------------------------------------------------
    // Internal helpers
    // ---------------------------------------------------------------------------------------------

    /// @dev Opening checks (the origin fields are already set by `open`).
    function _checkOpen(FlowLib.Flow memory flow) private view {
        if (flow.destinationChain == _localChain) revert FlowCoordinatorInvalidFlow("destinationChain");
        address remote = _trustedRemotes[flow.destinationChain];
        if (remote == address(0) || remote != flow.destinationCoordinator) {
            revert FlowCoordinatorUntrustedDestination(flow.destinationChain, flow.destinationCoordinator);
        }
        uint64 latest = uint64(block.timestamp) + _maxHorizon;
        if (flow.deadline <= block.timestamp || flow.deadline > latest) {
            revert FlowCoordinatorInvalidDeadline(flow.deadline, latest);
        }
        if (flow.notBefore > flow.deadline) revert FlowCoordinatorInvalidFlow("notBefore");
        if (
            flow.target == address(0) || flow.target == flow.destinationAsset
                || flow.target == flow.destinationCoordinator
        ) {
            revert FlowCoordinatorInvalidFlow("target");
        }
        if (flow.maxValue > flow.amount) revert FlowCoordinatorInvalidFlow("maxValue");
        if ((flow.guardEmitter == address(0)) != (flow.guardChain == 0)) revert FlowCoordinatorInvalidFlow("guard");
        uint16 routes = flow.ackRoutes;
        if (routes & 1 != 0) revert FlowCoordinatorInvalidFlow("ackRoutes");
        // Every pinned route must already be active here (routes are immutable, so the pin can never move).
        for (uint8 r = 1; routes >> r != 0; ++r) {
            if ((routes >> r) & 1 == 1 && !_ackRoutes.byId[r].active) revert FlowCoordinatorRouteNotActive(r);
        }
        if (flow.executionGas == 0 || flow.executionGas > MAX_EXECUTION_GAS) {
            revert FlowCoordinatorInvalidFlow("executionGas");
        }
        if (flow.refundTo == address(0) || flow.beneficiary == address(0)) {
            revert FlowCoordinatorInvalidFlow("payee");
        }
        if (FlowLib.feeEscrow(flow) != 0 && flow.feeRecipient == address(0)) {
            revert FlowCoordinatorInvalidFlow("feeRecipient");
        }
        // B releases value only inside a lane: same asset 1:1, escrow credited to the lane's liquidity provider.
        if (
            flow.maxValue != 0
                && _outboundLanes[flow.destinationChain][flow.asset][flow.destinationAsset] != flow.beneficiary
        ) revert FlowCoordinatorLaneClosed(flow.destinationChain, flow.asset, flow.destinationAsset);
    }

    /// @dev A: the flow's fee terms must cover the oracle's quote (each term on its own).
    function _checkFees(FlowLib.Flow memory flow) private view {
        (uint256 executionFee, uint256 ackFee, uint256 timeoutFee) =
            _quoteFees(flow.destinationChain, flow.executionGas);
        if (flow.executionFee < executionFee || flow.ackFee < ackFee || flow.timeoutFee < timeoutFee) {
            revert FlowCoordinatorFeesTooLow(
                flow.executionFee, flow.ackFee, flow.timeoutFee, executionFee, ackFee, timeoutFee
            );
        }
    }

    function _quoteFees(uint32 destinationChain, uint32 executionGas)
        private
        view
        returns (uint256 executionFee, uint256 ackFee, uint256 timeoutFee)
    {
        IGasOracle oracle = _settings.gasOracle;
        if (address(oracle) == address(0)) revert FlowCoordinatorNoGasOracle();
        executionFee = oracle.quoteGasPayment(destinationChain, uint256(executionGas) + EXECUTE_GAS_OVERHEAD);
        // A's own gas price: the base fee of the block that opens the flow (a floor; priority fees are not included).
        ackFee = block.basefee * ACK_GAS;
        timeoutFee = oracle.quoteGasPayment(destinationChain, TIMEOUT_GAS) + ackFee;
    }

    function _requireNotPaused() private view {
        if (_settings.settlementPaused) revert FlowCoordinatorSettlementPaused();
    }

    /// @dev A: whether `compensate` may settle. Only on an attested FAILED, EXPIRED or CANCELLED outcome: A's own
    /// clock plays no part. `virtual` only so that the test suite can demonstrate the double spend of a broken
    /// override (test/invariant/Flows); do not override it in production.
    function _checkCompensable(bytes32 id, OriginRecord memory rec, FlowLib.Flow calldata) internal view virtual {
        if (rec.phase != FlowLib.Phase.ACKNOWLEDGED) revert FlowCoordinatorWrongPhase(id, rec.phase);
        if (rec.outcome == FlowLib.Status.EXECUTED) revert FlowCoordinatorWrongOutcome(id, rec.outcome);
    }

    /// @dev A: SETTLED in one write, escrow moved from locked to owed: the amount to `payee`; of the fee escrow, the
    /// fee earned for the attested outcome plus any bumps to the fee recipient, the rest to the refund address.
    function _settle(bytes32 id, OriginRecord memory rec, FlowLib.Flow calldata flow, address payee)
        internal
        returns (uint256 feePaid, uint256 feeRefunded)
    {
        _origin[id] = OriginRecord({phase: FlowLib.Phase.SETTLED, outcome: rec.outcome, decidedAt: rec.decidedAt});
        uint256 escrow = FlowLib.feeEscrow(flow);
        uint256 bumped = _bumped[id];
        feePaid = FlowLib.feeEarned(flow, rec.outcome) + bumped;
        feeRefunded = escrow + bumped - feePaid;
        _lockedTotal[flow.asset] -= flow.amount;
        _lockedTotal[address(0)] -= escrow + bumped;
        _credit(payee, flow.asset, flow.amount);
        _credit(flow.feeRecipient, address(0), feePaid);
        _credit(flow.refundTo, address(0), feeRefunded);
    }

    function _credit(address account, address asset, uint256 amount) private {
        if (amount == 0) return;
        _owed[account][asset] += amount;
        _owedTotal[asset] += amount;
    }

    /// @dev Whether an attested outcome is consistent with the flow's window on B's clock.
    function _consistent(FlowLib.Flow memory flow, FlowLib.Status status, uint64 decidedAt)
        private
        pure
        returns (bool)
    {
        if (status == FlowLib.Status.EXECUTED) {
            return decidedAt <= flow.deadline && decidedAt >= flow.notBefore;
        }
        if (status == FlowLib.Status.FAILED) return decidedAt <= flow.deadline;
        if (status == FlowLib.Status.EXPIRED) return decidedAt > flow.deadline;
        return status == FlowLib.Status.CANCELLED;
    }

    /// @dev B: records a terminal status at B's current time and emits its event.
    function _decide(bytes32 id, FlowLib.Status status) private {
        uint64 nowB = uint64(block.timestamp);
        _destination[id] = DestinationRecord({status: status, decidedAt: nowB});
        if (status == FlowLib.Status.EXPIRED) emit FlowExpired(id, nowB);
        else emit FlowCancelled(id, nowB);
    }

    function _checkDestination(bytes32 id, uint32 chainId, address coordinator) private view {
        if (chainId != _localChain || coordinator != address(this)) revert FlowCoordinatorWrongCoordinator(id);
    }

    /// @dev The sender must be the flow's origin coordinator on its chain AND the trusted remote there (anyone can
    /// deploy a coordinator that sends EXECUTE without escrow; only the trusted one escrowed).
    function _checkOriginSender(uint256 chainId, address sender, FlowLib.Flow memory flow) private view {
        if (
            chainId != flow.originChain || sender != flow.originCoordinator
                || _trustedRemotes[flow.originChain] != sender
        ) revert FlowCoordinatorUntrustedSender(chainId, sender);
    }

    function _send(uint32 chainId, address coordinator, bytes memory payload, uint256 gasLimit)
        private
        returns (bytes32 sendId)
    {
        return _sendVia(_gateway, _gasLimitSupported, chainId, coordinator, payload, gasLimit);
    }

    function _sendVia(
        address gateway_,
        bool gasLimitSupported,
        uint32 chainId,
        address coordinator,
        bytes memory payload,
        uint256 gasLimit
    ) private returns (bytes32 sendId) {
        bytes[] memory attributes = new bytes[](0);
        if (gasLimitSupported) {
            attributes = new bytes[](1);
            attributes[0] = abi.encodeWithSelector(GAS_LIMIT_ATTRIBUTE, gasLimit);
        }
        sendId = IERC7786GatewaySource(gateway_)
            .sendMessage(InteroperableAddress.formatEvmV1(chainId, coordinator), payload, attributes);
    }

    function _supportsGasLimit(address gateway_) private view returns (bool supported) {
        try IERC7786GatewaySource(gateway_).supportsAttribute(GAS_LIMIT_ATTRIBUTE) returns (bool s) {
            supported = s;
        } catch {}
    }

    function _pay(address asset, address to, uint256 amount) private {
        if (asset == address(0)) Address.sendValue(payable(to), amount);
        else IERC20(asset).safeTransfer(to, amount);
    }

    function _balance(address asset) private view returns (uint256) {
        return asset == address(0) ? address(this).balance : IERC20(asset).balanceOf(address(this));
    }

    function _available(address asset) private view returns (uint256) {
        uint256 balance = _balance(asset);
        uint256 liabilities = _lockedTotal[asset] + _owedTotal[asset];
        return balance > liabilities ? balance - liabilities : 0;
    }

    function _hash(FlowLib.Flow calldata flow) private pure returns (bytes32) {
        return keccak256(abi.encode(flow));
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowCoordinator
    function setTrustedRemote(uint32 chainId, address coordinator) external restricted {
        if (chainId == 0 || chainId == _localChain) revert FlowCoordinatorInvalidConfig();
        _trustedRemotes[chainId] = coordinator;
        emit TrustedRemoteSet(chainId, coordinator);
    }

    /// @inheritdoc IFlowCoordinator
    function setLane(uint32 remoteChain, address localAsset, address remoteAsset, bool outbound, address beneficiary)
        external
        restricted
    {
        if (remoteChain == 0 || remoteChain == _localChain) revert FlowCoordinatorInvalidConfig();
        if (outbound) _outboundLanes[remoteChain][localAsset][remoteAsset] = beneficiary;
        else _inboundLanes[remoteChain][localAsset][remoteAsset] = beneficiary;
        emit LaneSet(remoteChain, localAsset, remoteAsset, outbound, beneficiary);
    }

    /// @inheritdoc IFlowCoordinator
    /// @dev Must stay below the route delay: a route can only be relied on by flows opened after it is active,
    /// and no flow may outlive the delay of a route scheduled while it was open.
    function setMaxHorizon(uint64 maxHorizon_) external restricted {
        if (maxHorizon_ == 0) revert FlowCoordinatorInvalidConfig();
        if (_settings.routeDelay <= maxHorizon_) {
            revert FlowCoordinatorRouteDelayTooShort(_settings.routeDelay, maxHorizon_);
        }
        _maxHorizon = maxHorizon_;
        emit MaxHorizonSet(maxHorizon_);
    }

    /// @inheritdoc IFlowCoordinator
    function setRouteDelay(uint64 routeDelay_) external restricted {
        if (routeDelay_ > type(uint64).max / 2) revert FlowCoordinatorInvalidConfig();
        if (routeDelay_ <= _maxHorizon) revert FlowCoordinatorRouteDelayTooShort(routeDelay_, _maxHorizon);
        _settings.routeDelay = routeDelay_;
        emit RouteDelaySet(routeDelay_);
    }

    /// @inheritdoc IFlowCoordinator
    function scheduleAckRoute(uint8 routeId, address gateway_) external restricted {
        if (routeId == 0 || routeId > FlowLib.MAX_ROUTE_ID) revert FlowCoordinatorInvalidRoute(routeId);
        address existing = _ackRoutes.byId[routeId].gateway;
        if (existing != address(0)) revert FlowCoordinatorRouteExists(routeId, existing);
        if (gateway_.code.length == 0 || gateway_ == _gateway || _ackRoutes.idOf[gateway_] != 0) {
            revert FlowCoordinatorInvalidRouteGateway(gateway_);
        }
        uint64 activeAt = uint64(block.timestamp) + _settings.routeDelay;
        _ackRoutes.byId[routeId] = AckRoute({
            gateway: gateway_, activeAt: activeAt, active: false, gasLimitSupported: _supportsGasLimit(gateway_)
        });
        _ackRoutes.idOf[gateway_] = routeId;
        emit AckRouteScheduled(routeId, gateway_, activeAt);
    }

    /// @inheritdoc IFlowCoordinator
    function activateAckRoute(uint8 routeId) external {
        AckRoute storage route = _ackRoutes.byId[routeId];
        if (route.gateway == address(0)) revert FlowCoordinatorInvalidRoute(routeId);
        if (route.active) revert FlowCoordinatorRouteExists(routeId, route.gateway);
        if (block.timestamp < route.activeAt) revert FlowCoordinatorRouteNotReady(routeId, route.activeAt);
        route.active = true;
        emit AckRouteActivated(routeId, route.gateway);
    }

    /// @inheritdoc IFlowCoordinator
    function setGasOracle(IGasOracle oracle) external restricted {
        if (address(oracle) != address(0) && address(oracle).code.length == 0) revert FlowCoordinatorInvalidConfig();
        _settings.gasOracle = oracle;
        emit GasOracleSet(address(oracle));
    }

    /// @inheritdoc IFlowCoordinator
    function pauseSettlement() external restricted {
        _settings.settlementPaused = true;
        emit SettlementPauseSet(true);
    }

    /// @inheritdoc IFlowCoordinator
    function unpauseSettlement() external restricted {
        _settings.settlementPaused = false;
        emit SettlementPauseSet(false);
    }

    /// @inheritdoc IFlowCoordinator
    function withdrawLiquidity(address asset, address to, uint256 amount) external restricted nonReentrant {
        uint256 available = _available(asset);
        if (amount > available) revert FlowCoordinatorInsufficientLiquidity(asset, amount, available);
        emit LiquidityWithdrawn(asset, to, amount);
        _pay(asset, to, amount);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowCoordinator
    function flowId(FlowLib.Flow calldata flow) external pure returns (bytes32) {
        return _hash(flow);
    }

    /// @inheritdoc IFlowCoordinator
    function originRecord(bytes32 id) external view returns (OriginRecord memory) {
        return _origin[id];
    }

    /// @inheritdoc IFlowCoordinator
    function destinationRecord(bytes32 id) external view returns (DestinationRecord memory) {
        return _destination[id];
    }

    /// @inheritdoc IFlowCoordinator
    function gateway() external view returns (address) {
        return _gateway;
    }

    /// @inheritdoc IFlowCoordinator
    function localChain() external view returns (uint32) {
        return _localChain;
    }

    /// @inheritdoc IFlowCoordinator
    function trustedRemote(uint32 chainId) external view returns (address) {
        return _trustedRemotes[chainId];
    }

    /// @inheritdoc IFlowCoordinator
    function lane(uint32 remoteChain, address localAsset, address remoteAsset, bool outbound)
        external
        view
        returns (address)
    {
        return outbound
            ? _outboundLanes[remoteChain][localAsset][remoteAsset]
            : _inboundLanes[remoteChain][localAsset][remoteAsset];
    }

    /// @inheritdoc IFlowCoordinator
    function maxHorizon() external view returns (uint64) {
        return _maxHorizon;
    }

    /// @inheritdoc IFlowCoordinator
    function routeDelay() external view returns (uint64) {
        return _settings.routeDelay;
    }

    /// @inheritdoc IFlowCoordinator
    function ackRoute(uint8 routeId) external view returns (AckRoute memory) {
        return _ackRoutes.byId[routeId];
    }

    /// @inheritdoc IFlowCoordinator
    function gasOracle() external view returns (IGasOracle) {
        return _settings.gasOracle;
    }

    /// @inheritdoc IFlowCoordinator
    function settlementPaused() external view returns (bool) {
        return _settings.settlementPaused;
    }

    /// @inheritdoc IFlowCoordinator
    function quoteFees(uint32 destinationChain, uint32 executionGas)
        external
        view
        returns (uint256 executionFee, uint256 ackFee, uint256 timeoutFee)
    {
        return _quoteFees(destinationChain, executionGas);
    }

    /// @inheritdoc IFlowCoordinator
    function guardSatisfied(uint32 chainId, address emitter, bytes32 key) external view returns (bool) {
        return _guards[FlowLib.guardId(chainId, emitter, key)];
    }

    /// @inheritdoc IFlowCoordinator
    function nonce() external view returns (uint64) {
        return _nonce;
    }

    /// @inheritdoc IFlowCoordinator
    function bumpedFees(bytes32 id) external view returns (uint256) {
        return _bumped[id];
    }

    /// @inheritdoc IFlowCoordinator
    function lockedTotal(address asset) external view returns (uint256) {
        return _lockedTotal[asset];
    }

    /// @inheritdoc IFlowCoordinator
    function owedTotal(address asset) external view returns (uint256) {
        return _owedTotal[asset];
    }

    /// @inheritdoc IFlowCoordinator
    function owed(address account, address asset) external view returns (uint256) {
        return _owed[account][asset];
    }

    /// @inheritdoc IFlowCoordinator
    function availableLiquidity(address asset) external view returns (uint256) {
        return _available(asset);
    }
}
