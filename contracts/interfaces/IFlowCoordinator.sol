// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FlowLib} from "../libraries/FlowLib.sol";
import {IGasOracle} from "./IGasOracle.sol";

/// @title IFlowTarget
/// @notice What a flow's target implements on B. The coordinator calls it with exactly `flow.executionGas`, with
/// `flow.maxValue` native attached when `flow.destinationAsset` is native, or with an allowance of `flow.maxValue`
/// of `flow.destinationAsset` (pulled with `transferFrom`, reset after the call) otherwise.
interface IFlowTarget {
    /// @notice Runs the flow's action on B. Revert (or return anything else) to fail the attempt.
    /// @param flowId The flow id.
    /// @param flow The flow's parameters (origin chain, opener, ...), already checked against `flowId`.
    /// @param payload The payload bound into the flow (`keccak256(payload) == flow.payloadHash`).
    /// @return magic `IFlowTarget.onFlowExecute.selector` on success.
    function onFlowExecute(bytes32 flowId, FlowLib.Flow calldata flow, bytes calldata payload)
        external
        payable
        returns (bytes4 magic);
}

/// @title IFlowCoordinator
/// @notice Concord's coordination layer: one coordinator per chain, source A (escrow, acknowledgement, settlement)
/// and destination B (execution, expiry, cancellation, outcome export) in one contract, over any ERC-7786 gateway.
/// @dev The rule: B's clock alone decides. One status slot per flow on B: the target runs only while B's time <= T
/// (`flow.deadline`); `expire` records EXPIRED only once B's time > T, so at T exactly one wins. A moves value only
/// on an outcome B attested (EXECUTED, FAILED, EXPIRED, CANCELLED), never on its own clock.
interface IFlowCoordinator {
    /// @notice A-side record of a flow, one storage slot, written once per transition.
    /// @param phase LOCKED, ACKNOWLEDGED or SETTLED.
    /// @param outcome B's attested status (set when ACKNOWLEDGED).
    /// @param decidedAt B's time of the attested decision.
    struct OriginRecord {
        FlowLib.Phase phase;
        FlowLib.Status outcome;
        uint64 decidedAt;
    }

    /// @notice B-side record of a flow, one storage slot.
    /// @param status B's status.
    /// @param decidedAt B's time of the terminal decision (0 while open).
    struct DestinationRecord {
        FlowLib.Status status;
        uint64 decidedAt;
    }

    /// @notice An extra acknowledgement route: another ERC-7786 gateway (another transport) on this chain. Set once
    /// (append-only, immutable), usable only after `activeAt` and an explicit `activateAckRoute`.
    /// @param gateway The route's ERC-7786 gateway on this chain.
    /// @param activeAt Earliest time `activateAckRoute` may activate it (schedule time + `routeDelay`).
    /// @param active Whether the route is active (flows may pin it; OUTCOME may be sent and received through it).
    /// @param gasLimitSupported Whether the gateway supports the `gasLimit(uint256)` attribute.
    struct AckRoute {
        address gateway;
        uint64 activeAt;
        bool active;
        bool gasLimitSupported;
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice A: a flow was opened, its escrow locked and EXECUTE sent.
    event FlowOpened(
        bytes32 indexed flowId, uint32 indexed destinationChain, FlowLib.Flow flow, bytes payload, bytes32 sendId
    );

    /// @notice A: the opener asked B to cancel the flow.
    event FlowCancelRequested(bytes32 indexed flowId, bytes32 sendId);

    /// @notice B: EXECUTE arrived and the flow is PENDING (an attempt follows unless before `notBefore`).
    event FlowDelivered(bytes32 indexed flowId, uint32 indexed originChain);

    /// @notice B: an execution attempt failed; the flow stays PENDING (retryable until T).
    /// @param unfunded True when B could not fund the release (liquidity shortage or asset pair not enabled on B):
    /// never the app's fault, never FAILED.
    event FlowAttemptFailed(bytes32 indexed flowId, bool unfunded);

    /// @notice B: the target ran; `released` of `flow.destinationAsset` left B's liquidity.
    event FlowExecuted(bytes32 indexed flowId, uint256 released, uint64 decidedAt);

    /// @notice B: the target failed and the flow chose abort-on-fail.
    event FlowFailed(bytes32 indexed flowId, uint64 decidedAt);

    /// @notice B: the flow expired (B's time > T before it executed).
    event FlowExpired(bytes32 indexed flowId, uint64 decidedAt);

    /// @notice B: A's CANCEL arrived before execution.
    event FlowCancelled(bytes32 indexed flowId, uint64 decidedAt);

    /// @notice B: an attempt found the flow's guard not yet satisfied; the flow stays PENDING.
    event FlowGuardPending(bytes32 indexed flowId, bytes32 indexed guardId);

    /// @notice B: a GUARD message from (`chainId`, `emitter`) with `key` was delivered.
    event GuardSatisfied(bytes32 indexed guardId, uint32 indexed chainId, address indexed emitter, bytes32 key);

    /// @notice B: a message for a flow in a terminal status was consumed without effect.
    event FlowMessageIgnored(bytes32 indexed flowId, uint8 kind, FlowLib.Status status);

    /// @notice B: the attested outcome was sent back to A.
    event OutcomeExported(bytes32 indexed flowId, FlowLib.Status status, uint64 decidedAt, bytes32 sendId);

    /// @notice A: B's attested outcome was recorded.
    event OutcomeAcknowledged(bytes32 indexed flowId, FlowLib.Status status, uint64 decidedAt);

    /// @notice A: an outcome for a flow that is not LOCKED (duplicate, or never opened here) was ignored.
    event OutcomeIgnored(bytes32 indexed flowId, FlowLib.Status status);

    /// @notice A: an EXECUTED flow's escrow was credited to its beneficiary; `feePaid` to the fee recipient and
    /// `feeRefunded` to the refund address.
    event FlowFinalized(
        bytes32 indexed flowId, address indexed beneficiary, uint256 amount, uint256 feePaid, uint256 feeRefunded
    );

    /// @notice A: a FAILED/EXPIRED/CANCELLED flow's escrow was credited to its refund address.
    event FlowCompensated(
        bytes32 indexed flowId, address indexed refundTo, uint256 amount, uint256 feePaid, uint256 feeRefunded
    );

    /// @notice A: someone added `amount` of native fees to a LOCKED flow (paid to its fee recipient on settlement).
    event FlowFeesBumped(bytes32 indexed flowId, address indexed payer, uint256 amount, uint256 totalBumped);

    /// @notice A credited amount was paid out.
    event Claimed(address indexed account, address indexed asset, uint256 amount);

    /// @notice The trusted coordinator on `chainId` changed.
    event TrustedRemoteSet(uint32 indexed chainId, address coordinator);

    /// @notice A liquidity lane changed: flows between `localAsset` here and `remoteAsset` on `remoteChain`
    /// (`outbound`: opened here, released there; else opened there, released here) credit `beneficiary` on the
    /// origin chain when executed (address(0): lane closed).
    event LaneSet(
        uint32 indexed remoteChain, address indexed localAsset, address remoteAsset, bool outbound, address beneficiary
    );

    /// @notice The maximum horizon (T - open time) changed.
    event MaxHorizonSet(uint64 maxHorizon);

    /// @notice An acknowledgement route was scheduled; it can be activated from `activeAt` on.
    event AckRouteScheduled(uint8 indexed routeId, address indexed gateway, uint64 activeAt);

    /// @notice An acknowledgement route became active (flows may pin it from now on).
    event AckRouteActivated(uint8 indexed routeId, address indexed gateway);

    /// @notice The delay between scheduling and activating an acknowledgement route changed.
    event RouteDelaySet(uint64 routeDelay);

    /// @notice The gas oracle used by `quoteFees` and the fee floor of `open` changed (address(0): none).
    event GasOracleSet(address indexed oracle);

    /// @notice Settlement was paused (`paused`) or unpaused: finalize, compensate, claim, retryExecution and
    /// execution attempts on delivery are blocked while paused; nothing else changes (B's clock still decides).
    event SettlementPauseSet(bool paused);

    /// @notice B: an execution attempt was skipped because settlement is paused; the flow stays PENDING (retryable
    /// after unpause until T, EXPIRED after T as always).
    event FlowAttemptPaused(bytes32 indexed flowId);

    /// @notice B-side liquidity was withdrawn by the authority.
    event LiquidityWithdrawn(address indexed asset, address indexed to, uint256 amount);

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice Thrown when a constructor or admin argument is out of range.
    error FlowCoordinatorInvalidConfig();

    /// @notice Thrown when opening a flow with invalid parameters (`reason` names the field).
    error FlowCoordinatorInvalidFlow(bytes32 reason);

    /// @notice Thrown when opening a flow whose deadline is not in (now, now + maxHorizon].
    error FlowCoordinatorInvalidDeadline(uint64 deadline, uint64 latest);

    /// @notice Thrown when opening a flow that releases value on B outside an open lane (asset pair and the lane's
    /// beneficiary).
    error FlowCoordinatorLaneClosed(uint32 destinationChain, address asset, address destinationAsset);

    /// @notice Thrown when the destination coordinator is not the trusted remote for the destination chain.
    error FlowCoordinatorUntrustedDestination(uint32 chainId, address coordinator);

    /// @notice Thrown when the native value sent does not match what the flow escrows.
    error FlowCoordinatorWrongValue(uint256 expected, uint256 actual);

    /// @notice Thrown when the ERC-20 amount received differs from the flow's amount (fee-on-transfer tokens).
    error FlowCoordinatorWrongAmount(uint256 expected, uint256 received);

    /// @notice Thrown when a message or call names a flow that does not belong to this coordinator's role.
    error FlowCoordinatorWrongCoordinator(bytes32 flowId);

    /// @notice Thrown when a message comes from a sender that may not send it for this flow.
    error FlowCoordinatorUntrustedSender(uint256 chainId, address sender);

    /// @notice Thrown when a payload does not hash to the flow's payload hash.
    error FlowCoordinatorPayloadMismatch(bytes32 flowId);

    /// @notice Thrown when a message kind is unknown.
    error FlowCoordinatorUnknownMessage(uint8 kind);

    /// @notice Thrown when a B-side action needs another status (`status` is the current one).
    error FlowCoordinatorWrongStatus(bytes32 flowId, FlowLib.Status status);

    /// @notice Thrown when an A-side action needs another phase (`phase` is the current one).
    error FlowCoordinatorWrongPhase(bytes32 flowId, FlowLib.Phase phase);

    /// @notice Thrown when expiring a flow while B's time <= T.
    error FlowCoordinatorDeadlineNotPassed(bytes32 flowId, uint64 deadline, uint256 nowB);

    /// @notice Thrown when retrying a flow after T (expire it instead).
    error FlowCoordinatorDeadlinePassed(bytes32 flowId, uint64 deadline, uint256 nowB);

    /// @notice Thrown when retrying a flow before its `notBefore`.
    error FlowCoordinatorTooEarly(bytes32 flowId, uint64 notBefore, uint256 nowB);

    /// @notice Thrown when the caller did not leave enough gas for the target to receive `executionGas`.
    error FlowCoordinatorInsufficientGas(uint256 required, uint256 available);

    /// @notice Thrown when an acknowledgement's outcome is inconsistent with the deadline (e.g. EXPIRED at B time
    /// <= T, EXECUTED after T) or not terminal.
    error FlowCoordinatorInvalidOutcome(bytes32 flowId, FlowLib.Status status, uint64 decidedAt);

    /// @notice Thrown when settling with the wrong function for the outcome (finalize a refund or vice versa).
    error FlowCoordinatorWrongOutcome(bytes32 flowId, FlowLib.Status outcome);

    /// @notice Thrown when someone other than the opener cancels a flow.
    error FlowCoordinatorNotOpener(address caller);

    /// @notice Thrown when bumping fees by zero or for a flow without a fee recipient.
    error FlowCoordinatorInvalidBump(bytes32 flowId);

    /// @notice Thrown when a claim has nothing to pay.
    error FlowCoordinatorNothingToClaim(address account, address asset);

    /// @notice Thrown when a route id is not in 1..15.
    error FlowCoordinatorInvalidRoute(uint8 routeId);

    /// @notice Thrown when scheduling a route id that is already set (routes are append-only and immutable), or
    /// activating a route that is already active.
    error FlowCoordinatorRouteExists(uint8 routeId, address gateway);

    /// @notice Thrown when a route gateway has no code, is the primary gateway or already backs another route.
    error FlowCoordinatorInvalidRouteGateway(address gateway);

    /// @notice Thrown when activating a route before its `activeAt`.
    error FlowCoordinatorRouteNotReady(uint8 routeId, uint64 activeAt);

    /// @notice Thrown when a flow pins, or an export uses, a route that is not active on this chain.
    error FlowCoordinatorRouteNotActive(uint8 routeId);

    /// @notice Thrown when an OUTCOME is exported or received over a route the flow did not pin.
    error FlowCoordinatorRouteNotPinned(bytes32 flowId, uint8 routeId);

    /// @notice Thrown when a message other than OUTCOME arrives through an acknowledgement route (EXECUTE, CANCEL and
    /// GUARD are accepted from the primary gateway only).
    error FlowCoordinatorPrimaryOnly(uint8 kind, uint8 routeId);

    /// @notice Thrown when the route delay would not be longer than the maximum horizon.
    error FlowCoordinatorRouteDelayTooShort(uint64 routeDelay, uint64 maxHorizon);

    /// @notice Thrown when a flow's fee terms are below the gas oracle's quote (`quoteFees`).
    error FlowCoordinatorFeesTooLow(
        uint256 executionFee,
        uint256 ackFee,
        uint256 timeoutFee,
        uint256 quotedExecutionFee,
        uint256 quotedAckFee,
        uint256 quotedTimeoutFee
    );

    /// @notice Thrown when quoting fees without a gas oracle.
    error FlowCoordinatorNoGasOracle();

    /// @notice Thrown when finalize, compensate, claim or retryExecution is called while settlement is paused.
    error FlowCoordinatorSettlementPaused();

    /// @notice Thrown when withdrawing more B-side liquidity than is free (never touches A-side escrow).
    error FlowCoordinatorInsufficientLiquidity(address asset, uint256 requested, uint256 available);

    // ---------------------------------------------------------------------------------------------
    // A (origin)
    // ---------------------------------------------------------------------------------------------

    /// @notice Opens a flow: fills the origin fields (chain, coordinator, nonce, opener, payload hash), checks the
    /// rest, escrows `amount` of `asset` plus the native fee escrow (`FlowLib.feeEscrow`), and sends EXECUTE to B
    /// through the gateway.
    /// @param request The flow; its origin fields, nonce, opener and payload hash are overwritten.
    /// @param payload Data handed to the target on B.
    /// @return flowId The flow id.
    /// @return flow The flow as opened (needed for every later call).
    function open(FlowLib.Flow calldata request, bytes calldata payload)
        external
        payable
        returns (bytes32 flowId, FlowLib.Flow memory flow);

    /// @notice Adds native fees to a LOCKED flow (anyone); paid to the flow's fee recipient on settlement.
    function bumpFees(FlowLib.Flow calldata flow) external payable;

    /// @notice Asks B to cancel a LOCKED flow (takes effect on B only before execution). Only the opener.
    function cancel(FlowLib.Flow calldata flow) external returns (bytes32 sendId);

    /// @notice Credits an EXECUTED flow's escrow to its beneficiary and its fee to the fee recipient. Anyone;
    /// a no-op once settled.
    function finalize(FlowLib.Flow calldata flow) external;

    /// @notice Credits a FAILED/EXPIRED/CANCELLED flow's escrow to its refund address and its fee to the fee
    /// recipient. Anyone; a no-op once settled. Never possible without B's attested outcome.
    function compensate(FlowLib.Flow calldata flow) external;

    /// @notice Pays `account` everything credited to it in `asset` (pull payment). Anyone may trigger it; the
    /// funds only go to `account`.
    function claim(address account, address asset) external returns (uint256 amount);

    // ---------------------------------------------------------------------------------------------
    // B (destination)
    // ---------------------------------------------------------------------------------------------

    /// @notice Retries a PENDING flow's target (after a failed attempt or a `notBefore` wait) while B's time <= T.
    /// Anyone, with their own gas; reverts without effect if the target would get less than `executionGas`.
    function retryExecution(FlowLib.Flow calldata flow, bytes calldata payload) external;

    /// @notice Records EXPIRED for a flow that is not terminal once B's time > T. Anyone; no inbound message
    /// needed (covers a lost EXECUTE).
    function expire(FlowLib.Flow calldata flow) external;

    /// @notice Sends the flow's terminal status and its B decision time back to A through the primary gateway.
    /// Anyone, repeatable (A applies the first copy and ignores the rest).
    function exportOutcome(FlowLib.Flow calldata flow) external returns (bytes32 sendId);

    /// @notice Same as `exportOutcome(flow)`, over acknowledgement route `routeId` (0: the primary gateway; else a
    /// route pinned in `flow.ackRoutes` and active on this chain). Anyone, repeatable: re-export over another
    /// transport when the primary lost the acknowledgement.
    function exportOutcome(FlowLib.Flow calldata flow, uint8 routeId) external returns (bytes32 sendId);

    // ---------------------------------------------------------------------------------------------
    // Admin (AccessManaged `restricted`)
    // ---------------------------------------------------------------------------------------------

    /// @notice Sets the trusted coordinator on `chainId` (address(0): none). Locked flows keep the coordinator
    /// pinned in their id.
    function setTrustedRemote(uint32 chainId, address coordinator) external;

    /// @notice Opens (or closes, with `beneficiary == address(0)`) a liquidity lane: `localAsset` here and
    /// `remoteAsset` on `remoteChain` are the same value 1:1 (address(0): native), and a flow that releases value on
    /// B must credit its escrow on A to `beneficiary` (an account on the ORIGIN chain: the provider of B's
    /// liquidity). `outbound`: flows opened here towards `remoteChain` (checked at `open`); inbound: flows from
    /// `remoteChain` released here (checked before every release). A flow releases value on B only inside a lane
    /// open on both sides: B's liquidity is never paid out against an escrow of another asset, nor against an escrow
    /// that would go back to the opener.
    function setLane(uint32 remoteChain, address localAsset, address remoteAsset, bool outbound, address beneficiary)
        external;

    /// @notice Sets the longest allowed horizon (deadline - open time).
    function setMaxHorizon(uint64 maxHorizon) external;

    /// @notice Withdraws free B-side liquidity (never A-side escrow or credits).
    function withdrawLiquidity(address asset, address to, uint256 amount) external;

    /// @notice Schedules acknowledgement route `routeId` (1..15) to `gateway`, activatable at now + `routeDelay`.
    /// Routes can only be added: a set route id can never be replaced or removed.
    function scheduleAckRoute(uint8 routeId, address gateway) external;

    /// @notice Activates a scheduled route once its delay has passed. Anyone.
    function activateAckRoute(uint8 routeId) external;

    /// @notice Sets the route delay; must be longer than `maxHorizon` (applies to routes scheduled afterwards).
    function setRouteDelay(uint64 routeDelay) external;

    /// @notice Sets the gas oracle (address(0): none; fee terms are then the opener's choice).
    function setGasOracle(IGasOracle oracle) external;

    /// @notice Pauses settlement: finalize, compensate, claim and retryExecution revert, and execution attempts on
    /// EXECUTE delivery are skipped (the flow stays PENDING). Acknowledgements, expire, cancel and export continue:
    /// pausing never lets A settle on its own clock and never stops B's clock from expiring a flow.
    function pauseSettlement() external;

    /// @notice Unpauses settlement.
    function unpauseSettlement() external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The flow id of `flow` (keccak256 of all its fields).
    function flowId(FlowLib.Flow calldata flow) external pure returns (bytes32);

    /// @notice The A-side record of `flowId`.
    function originRecord(bytes32 flowId) external view returns (OriginRecord memory);

    /// @notice The B-side record of `flowId`.
    function destinationRecord(bytes32 flowId) external view returns (DestinationRecord memory);

    /// @notice The ERC-7786 gateway this coordinator sends through and accepts messages from.
    function gateway() external view returns (address);

    /// @notice This coordinator's chain id (the gateway's domain).
    function localChain() external view returns (uint32);

    /// @notice The trusted coordinator on `chainId`.
    function trustedRemote(uint32 chainId) external view returns (address);

    /// @notice The beneficiary of a lane (address(0): closed), see `setLane`.
    function lane(uint32 remoteChain, address localAsset, address remoteAsset, bool outbound)
        external
        view
        returns (address beneficiary);

    /// @notice The longest allowed horizon.
    function maxHorizon() external view returns (uint64);

    /// @notice Delay between scheduling and activating an acknowledgement route (always > `maxHorizon`).
    function routeDelay() external view returns (uint64);

    /// @notice Acknowledgement route `routeId` (zero gateway: not set).
    function ackRoute(uint8 routeId) external view returns (AckRoute memory);

    /// @notice The gas oracle (address(0): none).
    function gasOracle() external view returns (IGasOracle);

    /// @notice Whether settlement is paused.
    function settlementPaused() external view returns (bool);

    /// @notice Minimum fee terms for a flow from here to `destinationChain` whose target gets `executionGas`.
    /// @dev executionFee = oracle quote on B for `executionGas + EXECUTE_GAS_OVERHEAD`; ackFee = `block.basefee` x
    /// `ACK_GAS` (processing the OUTCOME on A, priced at A's current base fee); timeoutFee = oracle quote on B for
    /// `TIMEOUT_GAS` (expire + exportOutcome) + ackFee. Reverts without an oracle or without a price for B.
    function quoteFees(uint32 destinationChain, uint32 executionGas)
        external
        view
        returns (uint256 executionFee, uint256 ackFee, uint256 timeoutFee);

    /// @notice Whether a GUARD message with `key` from `emitter` on `chainId` was delivered here.
    function guardSatisfied(uint32 chainId, address emitter, bytes32 key) external view returns (bool);

    /// @notice The next flow nonce.
    function nonce() external view returns (uint64);

    /// @notice Fees added to `flowId` by `bumpFees`.
    function bumpedFees(bytes32 flowId) external view returns (uint256);

    /// @notice Escrow of LOCKED/ACKNOWLEDGED flows in `asset` (amounts plus native fees).
    function lockedTotal(address asset) external view returns (uint256);

    /// @notice Settled but unclaimed credits in `asset`.
    function owedTotal(address asset) external view returns (uint256);

    /// @notice Credits of `account` in `asset`.
    function owed(address account, address asset) external view returns (uint256);

    /// @notice B-side liquidity free to release: balance minus A-side escrow and credits.
    function availableLiquidity(address asset) external view returns (uint256);
}
