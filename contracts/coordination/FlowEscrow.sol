// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {InteroperableAddress} from "@openzeppelin/contracts/utils/draft-InteroperableAddress.sol";

import {IFlowEscrow} from "../interfaces/IFlowEscrow.sol";
import {IGasOracle} from "../interfaces/IGasOracle.sol";
import {FlowLib} from "../libraries/FlowLib.sol";
import {FlowEndpoint} from "./FlowEndpoint.sol";

/// @title FlowEscrow
/// @notice Origin side (A) of Concord's flows (see {IFlowEscrow}): escrow at `open`, EXECUTE to B's executor, and
/// settlement on the arrival of B's attested OUTCOME, over the primary gateway or a route the flow pinned.
/// @dev The rule: A moves value only on an outcome recorded from B's OUTCOME message (from the executor pinned in the
/// flow id), never on A's own clock. Value accounting: `_totals[asset]` holds the escrow of unsettled flows (`locked`)
/// and the credits not yet claimed (`owed`): together exactly what this contract owes, per asset. One transient lock
/// covers the OUTCOME delivery, `settle` and `claim`; `open` and `cancel` stay callable from anywhere (multi-hop
/// targets open flows).
contract FlowEscrow is IFlowEscrow, FlowEndpoint {
    using FlowLib for FlowLib.Flow;
    using SafeERC20 for IERC20;

    /// @notice Default (and least) gas added to `executionGas` for the EXECUTE message: decoding, hashing, the status
    /// write, the allowance, and the OUTCOME that B's executor sends in the same transaction over Concord's gateway.
    /// A destination whose gateway sends the OUTCOME at a higher cost gets its own overhead
    /// (`setExecuteGasOverhead`, between this and `MAX_EXECUTE_GAS_OVERHEAD`).
    uint32 public constant EXECUTE_GAS_OVERHEAD = 250_000;

    /// @notice Largest per-destination EXECUTE overhead (bounds what the authority can make openers pay for).
    uint32 public constant MAX_EXECUTE_GAS_OVERHEAD = 1_000_000;

    /// @notice Largest `executionGas` a flow may ask for.
    uint32 public constant MAX_EXECUTION_GAS = 10_000_000;

    /// @notice Gas of delivering and settling an OUTCOME here, priced at A's base fee for the acknowledgement fee:
    /// the OUTCOME's gas limit plus 50,000 for the gateway's delivery bookkeeping.
    uint32 public constant ACK_GAS = CONTROL_GAS_LIMIT + 50_000;

    /// @notice Gas on B of the timeout leg (`expire`, which sends the OUTCOME), priced by the gas oracle.
    uint32 public constant TIMEOUT_GAS = 150_000;

    /// @dev What `open` reads, in one slot of its own: the gas oracle, the next flow nonce and the maximum horizon
    /// (which fits 32 bits: at most `_MAX_ROUTE_DELAY / 2`, checked).
    struct OpenConfig {
        IGasOracle gasOracle;
        uint64 nonce;
        uint32 maxHorizon;
    }

    OpenConfig private _config;
    mapping(bytes32 flowId => Record) private _records;
    /// @dev Per asset: escrow of unsettled flows and credits not yet claimed, in one slot (settlement moves the one
    /// into the other with one write).
    mapping(address asset => Totals) private _totals;
    mapping(address account => mapping(address asset => uint256 amount)) private _owed;
    mapping(uint32 destinationDomain => mapping(address localAsset => mapping(address remoteAsset => address))) private
        _lanes;
    /// @dev Per destination: the EXECUTE overhead when it differs from `EXECUTE_GAS_OVERHEAD` (0: the default).
    mapping(uint32 destinationDomain => uint32 overhead) private _executeGasOverheads;

    /// @param gateway_ The primary ERC-7786 gateway on this domain.
    /// @param localDomain_ This domain (the gateway's).
    /// @param initialAuthority The AccessManager.
    /// @param maxHorizon_ Longest allowed `deadline - open time`; the route delay starts at twice this value.
    constructor(address gateway_, uint32 localDomain_, address initialAuthority, uint64 maxHorizon_)
        FlowEndpoint(gateway_, localDomain_, initialAuthority, 2 * _checkedHorizon(maxHorizon_))
    {
        _config.maxHorizon = uint32(maxHorizon_);
        emit MaxHorizonSet(maxHorizon_);
    }

    // ---------------------------------------------------------------------------------------------
    // Flows
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowEscrow
    function open(FlowLib.Flow calldata request, bytes calldata payload)
        external
        payable
        returns (bytes32 id, FlowLib.Flow memory flow)
    {
        flow = request;
        flow.originDomain = _LOCAL_DOMAIN;
        flow.escrow = address(this);
        flow.nonce = _config.nonce;
        flow.opener = msg.sender;
        flow.payloadHash = keccak256(payload);
        // ---- Checks ----
        _checkOpen(flow);
        if (address(_config.gasOracle) != address(0)) _checkFees(flow);
        uint256 feeEscrow = FlowLib.feeEscrow(flow);
        uint256 nativeDue = feeEscrow + (flow.asset == address(0) ? flow.amount : 0);
        if (msg.value != nativeDue) revert FlowEscrowWrongValue(nativeDue, msg.value);
        id = flow.id();
        // ---- Effects ----
        ++_config.nonce;
        _records[id] = Record({phase: FlowLib.Phase.LOCKED, outcome: FlowLib.Status.NONE, decidedAt: 0, bumped: 0});
        _lock(flow.asset, flow.amount);
        _lock(address(0), feeEscrow);
        // ---- Interactions ----
        if (flow.asset != address(0) && flow.amount != 0) {
            IERC20 token = IERC20(flow.asset);
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), flow.amount);
            uint256 received = token.balanceOf(address(this)) - before;
            if (received != flow.amount) revert FlowEscrowWrongAmount(flow.amount, received);
        }
        bytes32 sendId = _send(
            flow.destinationDomain,
            flow.executor,
            FlowLib.encodeExecute(flow, payload),
            flow.executionGas + _executeGasOverhead(flow.destinationDomain)
        );
        emit FlowOpened(id, flow.destinationDomain, flow, sendId);
    }

    /// @inheritdoc IFlowEscrow
    function bumpFees(FlowLib.Flow calldata flow) external payable {
        bytes32 id = _hash(flow);
        Record memory rec = _records[id];
        if (rec.phase != FlowLib.Phase.LOCKED) revert FlowEscrowWrongPhase(id, rec.phase);
        if (msg.value == 0) revert FlowEscrowZeroBump(id);
        if (flow.feeRecipient == address(0)) revert FlowEscrowBumpWithoutFeeRecipient(id);
        _lock(address(0), msg.value); // bounds the bumps too: bumped <= locked < 2^128
        rec.bumped += uint128(msg.value);
        _records[id] = rec;
        emit FlowFeesBumped(id, msg.sender, msg.value, rec.bumped);
    }

    /// @inheritdoc IFlowEscrow
    function cancel(FlowLib.Flow calldata flow) external returns (bytes32 sendId) {
        bytes32 id = _hash(flow);
        FlowLib.Phase phase = _records[id].phase;
        if (phase != FlowLib.Phase.LOCKED) revert FlowEscrowWrongPhase(id, phase);
        if (msg.sender != flow.opener) revert FlowEscrowNotOpener(msg.sender);
        sendId = _send(flow.destinationDomain, flow.executor, FlowLib.encodeCancel(flow), CONTROL_GAS_LIMIT);
        emit FlowCancelRequested(id, sendId);
    }

    /// @inheritdoc IFlowEscrow
    function settle(FlowLib.Flow calldata flow) external nonReentrant {
        _requireNotPaused();
        bytes32 id = _hash(flow);
        Record memory rec = _records[id];
        if (rec.phase == FlowLib.Phase.SETTLED) return; // idempotent
        rec.outcome = _settleable(id, rec, flow);
        _settle(id, flow, rec);
    }

    /// @inheritdoc IFlowEscrow
    function claim(address account, address asset) external nonReentrant returns (uint256 amount) {
        _requireNotPaused();
        amount = _owed[account][asset];
        if (amount == 0) revert FlowEscrowNothingToClaim(account, asset);
        // ---- Effects ----
        _owed[account][asset] = 0;
        _totals[asset].owed -= uint128(amount); // amount <= owed total < 2^128
        emit Claimed(account, asset, amount);
        // ---- Interactions ----
        if (asset == address(0)) Address.sendValue(payable(account), amount);
        else IERC20(asset).safeTransfer(account, amount);
    }

    // ---------------------------------------------------------------------------------------------
    // Inbound: OUTCOME
    // ---------------------------------------------------------------------------------------------

    /// @dev The primary gateway, or the gateway of an active acknowledgement route (which a flow must have pinned,
    /// checked per message).
    function _isAuthorizedGateway(address gateway_, bytes calldata) internal view override returns (bool) {
        return gateway_ == _GATEWAY || _ackRoutes.byId[_ackRoutes.idOf[gateway_]].active;
    }

    /// @dev Only OUTCOME comes here. Reverts (the gateway records the message FAILED) only for messages that can
    /// never be valid (foreign flow, untrusted sender, unpinned route, inconsistent outcome) or for too little gas; an
    /// outcome for a flow already acknowledged is consumed as a no-op. Settles at once unless settlement is paused.
    function _processMessage(address gateway_, bytes32, bytes calldata sender, bytes calldata payload)
        internal
        override
        nonReentrant
    {
        (uint256 domain, address account) = InteroperableAddress.parseEvmV1Calldata(sender);
        uint8 kind = FlowLib.kindOf(payload);
        uint8 routeId = _routeOf(gateway_);
        if (kind != FlowLib.OUTCOME) revert FlowEndpointUnexpectedMessage(kind, routeId);
        (, FlowLib.Flow memory flow, FlowLib.Status status, uint64 decidedAt) =
            abi.decode(payload, (uint8, FlowLib.Flow, FlowLib.Status, uint64));
        bytes32 id = flow.id();
        if (flow.originDomain != _LOCAL_DOMAIN || flow.escrow != address(this)) revert FlowEscrowForeignFlow(id);
        if (domain != flow.destinationDomain || account != flow.executor) {
            revert FlowEndpointUntrustedSender(domain, account);
        }
        if (!FlowLib.hasAckRoute(flow, routeId)) revert FlowEndpointRouteNotPinned(id, routeId);
        Record memory rec = _records[id];
        if (rec.phase != FlowLib.Phase.LOCKED) {
            emit OutcomeIgnored(id, status);
            return;
        }
        if (!_consistent(flow, status, decidedAt)) revert FlowEscrowInvalidOutcome(id, status, decidedAt);
        rec.outcome = status;
        rec.decidedAt = decidedAt;
        if (_settlementPaused) {
            rec.phase = FlowLib.Phase.ACKNOWLEDGED;
            _records[id] = rec;
            emit OutcomeAcknowledged(id, status, decidedAt);
        } else {
            _settle(id, flow, rec);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------------

    /// @dev The outcome `settle` may apply to a flow that is not settled: only B's attested one (ACKNOWLEDGED);
    /// A's own clock plays no part. `virtual` only so that the test suite can demonstrate the double spend of a
    /// broken override (test/invariant/Flows); do not override it in production.
    function _settleable(bytes32 id, Record memory rec, FlowLib.Flow calldata)
        internal
        view
        virtual
        returns (FlowLib.Status)
    {
        if (rec.phase != FlowLib.Phase.ACKNOWLEDGED) revert FlowEscrowWrongPhase(id, rec.phase);
        return rec.outcome;
    }

    /// @dev SETTLED in one write; the escrow moves from locked to owed: the amount to the beneficiary (EXECUTED) or
    /// the refund address; of the fee escrow, the fee earned for the outcome plus any bumps to the fee recipient, the
    /// rest to the refund address. `rec` carries the outcome, its B time and the bumps.
    function _settle(bytes32 id, FlowLib.Flow memory flow, Record memory rec) internal {
        rec.phase = FlowLib.Phase.SETTLED;
        _records[id] = rec;
        uint256 escrow = FlowLib.feeEscrow(flow);
        uint256 feePaid = FlowLib.feeEarned(flow, rec.outcome) + rec.bumped;
        uint256 feeRefunded = escrow + rec.bumped - feePaid;
        // Everything unlocked is credited: the totals move as a whole (one slot per asset).
        _unlock(flow.asset, flow.amount);
        _unlock(address(0), escrow + rec.bumped);
        bool executed = rec.outcome == FlowLib.Status.EXECUTED;
        address payee = executed ? flow.beneficiary : flow.refundTo;
        _credit(payee, flow.asset, flow.amount);
        _credit(flow.feeRecipient, address(0), feePaid);
        _credit(flow.refundTo, address(0), feeRefunded);
        if (executed) emit FlowFinalized(id, payee, flow.amount, feePaid, feeRefunded);
        else emit FlowCompensated(id, payee, flow.amount, feePaid, feeRefunded);
    }

    /// @dev Adds `amount` to the escrow of unsettled flows in `asset`. Bounds locked + owed to 128 bits, so that
    /// neither `_unlock` nor a later `_lock` can overflow.
    function _lock(address asset, uint256 amount) private {
        Totals memory t = _totals[asset];
        uint256 locked = uint256(t.locked) + amount;
        if (locked + t.owed > type(uint128).max) revert FlowEscrowTotalsOverflow(asset, amount);
        t.locked = uint128(locked);
        _totals[asset] = t;
    }

    /// @dev Moves `amount` of `asset` from locked (unsettled escrow) to owed (credited, not yet claimed).
    function _unlock(address asset, uint256 amount) private {
        if (amount == 0) return;
        Totals memory t = _totals[asset];
        // `amount` was locked by `_lock` (< 2^128, <= locked); locked + owed is unchanged and bounded by `_lock`.
        t.locked -= uint128(amount);
        t.owed += uint128(amount);
        _totals[asset] = t;
    }

    function _credit(address account, address asset, uint256 amount) private {
        if (amount != 0) _owed[account][asset] += amount;
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

    /// @dev Opening checks (the origin fields are already set by `open`).
    function _checkOpen(FlowLib.Flow memory flow) private view {
        if (flow.destinationDomain == _LOCAL_DOMAIN) revert FlowEscrowSameDomain(flow.destinationDomain);
        address executor = _remotes[flow.destinationDomain];
        if (executor == address(0) || executor != flow.executor) {
            revert FlowEscrowUntrustedExecutor(flow.destinationDomain, flow.executor);
        }
        uint64 latest = uint64(block.timestamp) + _config.maxHorizon;
        // forge-lint: disable-next-line(block-timestamp)
        if (flow.deadline <= block.timestamp || flow.deadline > latest) {
            revert FlowEscrowInvalidDeadline(flow.deadline, latest);
        }
        if (flow.notBefore > flow.deadline) revert FlowEscrowNotBeforeAfterDeadline(flow.notBefore, flow.deadline);
        if (flow.target == address(0) || flow.target == flow.destinationAsset || flow.target == flow.executor) {
            revert FlowEscrowInvalidTarget(flow.target);
        }
        if (flow.maxValue > flow.amount) revert FlowEscrowMaxValueAboveAmount(flow.maxValue, flow.amount);
        if ((flow.guardEmitter == address(0)) != (flow.guardDomain == 0)) {
            revert FlowEscrowInvalidGuard(flow.guardDomain, flow.guardEmitter);
        }
        uint16 routes = flow.ackRoutes;
        if (routes & 1 != 0) revert FlowEscrowInvalidAckRoutes(routes);
        // Every pinned route must already be active here (routes are immutable, so the pin can never move).
        for (uint8 r = 1; routes >> r != 0; ++r) {
            if ((routes >> r) & 1 == 1 && !_ackRoutes.byId[r].active) revert FlowEndpointRouteNotActive(r);
        }
        if (flow.executionGas == 0 || flow.executionGas > MAX_EXECUTION_GAS) {
            revert FlowEscrowInvalidExecutionGas(flow.executionGas, MAX_EXECUTION_GAS);
        }
        if (flow.refundTo == address(0) || flow.beneficiary == address(0)) revert FlowEscrowZeroPayee();
        if (FlowLib.feeEscrow(flow) != 0 && flow.feeRecipient == address(0)) revert FlowEscrowZeroFeeRecipient();
        // B releases value only inside a lane: same asset 1:1, escrow credited to the lane's liquidity provider.
        if (flow.maxValue != 0 && _lanes[flow.destinationDomain][flow.asset][flow.destinationAsset] != flow.beneficiary)
        {
            revert FlowEscrowLaneClosed(flow.destinationDomain, flow.asset, flow.destinationAsset);
        }
    }

    /// @dev The flow's fee terms must cover the oracle's quote (each term on its own).
    function _checkFees(FlowLib.Flow memory flow) private view {
        (uint256 executionFee, uint256 ackFee, uint256 timeoutFee) =
            _quoteFees(flow.destinationDomain, flow.executionGas);
        if (flow.executionFee < executionFee || flow.ackFee < ackFee || flow.timeoutFee < timeoutFee) {
            revert FlowEscrowFeesTooLow(
                flow.executionFee, flow.ackFee, flow.timeoutFee, executionFee, ackFee, timeoutFee
            );
        }
    }

    function _quoteFees(uint32 destinationDomain, uint32 executionGas)
        private
        view
        returns (uint256 executionFee, uint256 ackFee, uint256 timeoutFee)
    {
        IGasOracle oracle = _config.gasOracle;
        if (address(oracle) == address(0)) revert FlowEscrowNoGasOracle();
        uint256 overhead = _executeGasOverhead(destinationDomain);
        executionFee = oracle.quoteGasPayment(destinationDomain, uint256(executionGas) + overhead);
        // A's own gas price: the base fee of the block that opens the flow (a floor; priority fees are not included).
        ackFee = block.basefee * ACK_GAS;
        // `expire` sends the same OUTCOME: it costs what the destination's overhead adds over the default too.
        timeoutFee = oracle.quoteGasPayment(destinationDomain, TIMEOUT_GAS + overhead - EXECUTE_GAS_OVERHEAD) + ackFee;
    }

    /// @inheritdoc FlowEndpoint
    /// @dev The route delay must exceed the maximum horizon: a flow can only rely on a route active at its open,
    /// and no flow may outlive the delay of a route scheduled while it was open.
    function _minRouteDelay() internal view override returns (uint64) {
        return _config.maxHorizon;
    }

    /// @dev The EXECUTE overhead toward `destinationDomain`: its own if set, else the default.
    function _executeGasOverhead(uint32 destinationDomain) private view returns (uint256) {
        uint32 overhead = _executeGasOverheads[destinationDomain];
        return overhead == 0 ? EXECUTE_GAS_OVERHEAD : overhead;
    }

    function _checkedHorizon(uint64 maxHorizon_) private pure returns (uint64) {
        if (maxHorizon_ == 0 || maxHorizon_ > _MAX_ROUTE_DELAY / 2) revert FlowEscrowInvalidMaxHorizon(maxHorizon_);
        return maxHorizon_;
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowEscrow
    function setLane(uint32 destinationDomain, address localAsset, address remoteAsset, address beneficiary)
        external
        restricted
    {
        if (destinationDomain == 0 || destinationDomain == _LOCAL_DOMAIN) {
            revert FlowEndpointInvalidRemoteDomain(destinationDomain);
        }
        _lanes[destinationDomain][localAsset][remoteAsset] = beneficiary;
        emit LaneSet(destinationDomain, localAsset, remoteAsset, beneficiary);
    }

    /// @inheritdoc IFlowEscrow
    function setMaxHorizon(uint64 maxHorizon_) external restricted {
        _checkedHorizon(maxHorizon_);
        if (_routeDelay <= maxHorizon_) revert FlowEndpointInvalidRouteDelay(_routeDelay, maxHorizon_);
        _config.maxHorizon = uint32(maxHorizon_);
        emit MaxHorizonSet(maxHorizon_);
    }

    /// @inheritdoc IFlowEscrow
    function setExecuteGasOverhead(uint32 destinationDomain, uint32 overhead) external restricted {
        if (destinationDomain == 0 || destinationDomain == _LOCAL_DOMAIN) {
            revert FlowEndpointInvalidRemoteDomain(destinationDomain);
        }
        if (overhead < EXECUTE_GAS_OVERHEAD || overhead > MAX_EXECUTE_GAS_OVERHEAD) {
            revert FlowEscrowInvalidExecuteGasOverhead(overhead, EXECUTE_GAS_OVERHEAD, MAX_EXECUTE_GAS_OVERHEAD);
        }
        _executeGasOverheads[destinationDomain] = overhead;
        emit ExecuteGasOverheadSet(destinationDomain, overhead);
    }

    /// @inheritdoc IFlowEscrow
    function setGasOracle(IGasOracle oracle) external restricted {
        if (address(oracle) != address(0) && address(oracle).code.length == 0) {
            revert FlowEscrowGasOracleNotContract(address(oracle));
        }
        _config.gasOracle = oracle;
        emit GasOracleSet(address(oracle));
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IFlowEscrow
    function record(bytes32 id) external view returns (Record memory) {
        return _records[id];
    }

    /// @inheritdoc IFlowEscrow
    function lane(uint32 destinationDomain, address localAsset, address remoteAsset) external view returns (address) {
        return _lanes[destinationDomain][localAsset][remoteAsset];
    }

    /// @inheritdoc IFlowEscrow
    function maxHorizon() external view returns (uint64) {
        return _config.maxHorizon;
    }

    /// @inheritdoc IFlowEscrow
    function executeGasOverhead(uint32 destinationDomain) external view returns (uint256) {
        return _executeGasOverhead(destinationDomain);
    }

    /// @inheritdoc IFlowEscrow
    function gasOracle() external view returns (IGasOracle) {
        return _config.gasOracle;
    }

    /// @inheritdoc IFlowEscrow
    function quoteFees(uint32 destinationDomain, uint32 executionGas)
        external
        view
        returns (uint256 executionFee, uint256 ackFee, uint256 timeoutFee)
    {
        return _quoteFees(destinationDomain, executionGas);
    }

    /// @inheritdoc IFlowEscrow
    function nonce() external view returns (uint64) {
        return _config.nonce;
    }

    /// @inheritdoc IFlowEscrow
    function lockedTotal(address asset) external view returns (uint256) {
        return _totals[asset].locked;
    }

    /// @inheritdoc IFlowEscrow
    function owedTotal(address asset) external view returns (uint256) {
        return _totals[asset].owed;
    }

    /// @inheritdoc IFlowEscrow
    function owed(address account, address asset) external view returns (uint256) {
        return _owed[account][asset];
    }
}
