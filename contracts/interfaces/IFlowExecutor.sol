// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FlowLib} from "../libraries/FlowLib.sol";
import {IFlowEndpoint} from "./IFlowEndpoint.sol";

/// @title IFlowExecutor
/// @notice Destination side (B) of Concord's flows: executes a flow's target from B-side liquidity when A's EXECUTE
/// arrives, expires it, cancels it, and sends the attested OUTCOME back to A's `FlowEscrow` in the same transaction
/// as the decision (`exportOutcome` re-sends it, over the primary gateway or a pinned route).
/// @dev The rule: B's clock alone decides. One status slot per flow: the target runs only while B's time <= T
/// (`flow.deadline`); EXPIRED is recorded only once B's time > T, so at T exactly one wins.
interface IFlowExecutor is IFlowEndpoint {
    /// @notice B-side record of a flow, one storage slot.
    /// @param status B's status.
    /// @param decidedAt B's time of the terminal decision (0 while open).
    struct Record {
        FlowLib.Status status;
        uint64 decidedAt;
    }

    /// @notice EXECUTE arrived before the flow's `notBefore`: the flow is PENDING until then (an EXECUTE that arrives
    /// in the window runs an attempt at once, whose event reports the new status).
    event FlowDelivered(bytes32 indexed flowId, uint32 indexed originDomain);

    /// @notice An execution attempt failed; the flow is PENDING (retryable until T).
    /// @param unfunded True when B could not fund the release (liquidity short or no inbound lane for the asset
    /// pair and beneficiary): never the app's fault, never FAILED.
    event FlowAttemptFailed(bytes32 indexed flowId, bool unfunded);

    /// @notice An execution attempt was skipped because settlement is paused; the flow is PENDING.
    event FlowAttemptPaused(bytes32 indexed flowId);

    /// @notice The target ran; `released` of `flow.destinationAsset` left B's liquidity.
    event FlowExecuted(bytes32 indexed flowId, uint256 released, uint64 decidedAt);

    /// @notice The target failed and the flow chose abort-on-fail.
    event FlowFailed(bytes32 indexed flowId, uint64 decidedAt);

    /// @notice The flow expired (B's time > T before it executed).
    event FlowExpired(bytes32 indexed flowId, uint64 decidedAt);

    /// @notice A's CANCEL arrived before execution.
    event FlowCancelled(bytes32 indexed flowId, uint64 decidedAt);

    /// @notice An attempt found the flow's guard not yet satisfied; the flow is PENDING.
    event FlowGuardPending(bytes32 indexed flowId, bytes32 indexed guardId);

    /// @notice A GUARD message from (`domain`, `emitter`) with `key` was delivered.
    event GuardSatisfied(bytes32 indexed guardId, uint32 indexed domain, address indexed emitter, bytes32 key);

    /// @notice A message for a flow in a terminal status was consumed without effect.
    event FlowMessageIgnored(bytes32 indexed flowId, uint8 kind, FlowLib.Status status);

    /// @notice The attested outcome was sent to A (`routeId` 0: the primary gateway).
    event OutcomeExported(
        bytes32 indexed flowId, FlowLib.Status status, uint64 decidedAt, uint8 routeId, bytes32 sendId
    );

    /// @notice Sending the outcome in the deciding transaction failed (e.g. the gateway's outbound traffic is
    /// paused); the decision stands and anyone can `exportOutcome` later.
    event OutcomeExportFailed(bytes32 indexed flowId, bytes reason);

    /// @notice An inbound lane changed: flows from `originDomain` that escrow `remoteAsset` there and release
    /// `localAsset` here must credit `beneficiary` on the origin domain (address(0): closed).
    event LaneSet(uint32 indexed originDomain, address indexed localAsset, address remoteAsset, address beneficiary);

    /// @notice B-side liquidity was withdrawn by the authority.
    event LiquidityWithdrawn(address indexed asset, address indexed to, uint256 amount);

    /// @notice Thrown when a message or call names a flow whose executor is another contract or domain.
    error FlowExecutorForeignFlow(bytes32 flowId);

    /// @notice Thrown when a payload does not hash to the flow's payload hash.
    error FlowExecutorPayloadMismatch(bytes32 flowId);

    /// @notice Thrown when an action needs another status (`status` is the current one).
    error FlowExecutorWrongStatus(bytes32 flowId, FlowLib.Status status);

    /// @notice Thrown when expiring a flow while B's time <= T.
    error FlowExecutorDeadlineNotPassed(bytes32 flowId, uint64 deadline, uint256 nowB);

    /// @notice Thrown when retrying a flow after T (expire it instead).
    error FlowExecutorDeadlinePassed(bytes32 flowId, uint64 deadline, uint256 nowB);

    /// @notice Thrown when retrying a flow before its `notBefore`.
    error FlowExecutorTooEarly(bytes32 flowId, uint64 notBefore, uint256 nowB);

    /// @notice Thrown when the caller did not leave enough gas for the target to receive `executionGas`.
    error FlowExecutorInsufficientGas(uint256 required, uint256 available);

    /// @notice Thrown when exporting an outcome to an escrow that is not the trusted remote of its domain.
    error FlowExecutorUntrustedEscrow(uint32 domain, address escrow);

    /// @notice Thrown when withdrawing more liquidity than this executor holds.
    error FlowExecutorInsufficientLiquidity(address asset, uint256 requested, uint256 available);

    /// @notice Retries a PENDING flow's target (after a failed attempt or a `notBefore` wait) while B's time <= T;
    /// a terminal result sends the OUTCOME. Anyone, with their own gas; reverts without effect if the target would
    /// get less than `executionGas`.
    function retryExecution(FlowLib.Flow calldata flow, bytes calldata payload) external;

    /// @notice Records EXPIRED for a flow that is not terminal once B's time > T, and sends the OUTCOME. Anyone; no
    /// inbound message needed (covers a lost EXECUTE).
    function expire(FlowLib.Flow calldata flow) external;

    /// @notice Sends the flow's terminal status and its B decision time to A again, over acknowledgement route
    /// `routeId` (0: the primary gateway; else a route pinned in `flow.ackRoutes` and active here). Anyone,
    /// repeatable (A applies the first copy and ignores the rest).
    function exportOutcome(FlowLib.Flow calldata flow, uint8 routeId) external returns (bytes32 sendId);

    /// @notice Opens (or closes, with `beneficiary == address(0)`) an inbound lane (see `LaneSet`). A flow releases
    /// value here only inside a lane open on both sides: B's liquidity is never paid out against an escrow of another
    /// asset, nor against an escrow that would go back to the opener.
    function setLane(uint32 originDomain, address localAsset, address remoteAsset, address beneficiary) external;

    /// @notice Withdraws B-side liquidity.
    function withdrawLiquidity(address asset, address to, uint256 amount) external;

    /// @notice The B-side record of `flowId`.
    function record(bytes32 flowId) external view returns (Record memory);

    /// @notice The beneficiary of an inbound lane (address(0): closed).
    function lane(uint32 originDomain, address localAsset, address remoteAsset) external view returns (address);

    /// @notice Whether a GUARD message with `key` from `emitter` on `domain` was delivered here.
    function guardSatisfied(uint32 domain, address emitter, bytes32 key) external view returns (bool);

    /// @notice Liquidity this executor holds in `asset` (all of its balance: A-side escrow lives in `FlowEscrow`).
    function availableLiquidity(address asset) external view returns (uint256);
}
