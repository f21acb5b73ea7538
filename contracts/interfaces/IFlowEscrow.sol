// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FlowLib} from "../libraries/FlowLib.sol";
import {IFlowEndpoint} from "./IFlowEndpoint.sol";
import {IGasOracle} from "./IGasOracle.sol";

/// @title IFlowEscrow
/// @notice Origin side (A) of Concord's flows: escrows a flow's value and fees, sends EXECUTE to B's `FlowExecutor`,
/// and settles the flow when B's attested OUTCOME arrives: the escrow is credited to the beneficiary (EXECUTED) or
/// the refund address (FAILED, EXPIRED, CANCELLED), the fee to the fee recipient; withdrawals are pull payments.
/// @dev The rule: A moves value only on an outcome B attested, never on its own clock. A flow that executes needs no
/// keeper: B sends its OUTCOME in the transaction that executes it, and its arrival here settles the flow.
interface IFlowEscrow is IFlowEndpoint {
    /// @notice A-side record of a flow, one storage slot.
    /// @param phase LOCKED, ACKNOWLEDGED (outcome recorded while settlement was paused) or SETTLED.
    /// @param outcome B's attested status (once acknowledged).
    /// @param decidedAt B's time of the attested decision.
    /// @param bumped Native fees added by `bumpFees` (paid to the fee recipient on settlement).
    struct Record {
        FlowLib.Phase phase;
        FlowLib.Status outcome;
        uint64 decidedAt;
        uint128 bumped;
    }

    /// @notice Escrow and credits of one asset (both bounded together to 128 bits).
    /// @param locked Escrow of unsettled flows (amounts plus native fees and bumps).
    /// @param owed Settled but unclaimed credits.
    struct Totals {
        uint128 locked;
        uint128 owed;
    }

    /// @notice A flow was opened, its escrow locked and EXECUTE sent. The payload (`flow.payloadHash`) travels in the
    /// EXECUTE message: the gateway's ERC-7786 `MessageSent` with `sendId`, in the same transaction.
    event FlowOpened(bytes32 indexed flowId, uint32 indexed destinationDomain, FlowLib.Flow flow, bytes32 sendId);

    /// @notice The opener asked B to cancel the flow.
    event FlowCancelRequested(bytes32 indexed flowId, bytes32 sendId);

    /// @notice B's attested outcome arrived while settlement was paused: recorded, settled by `settle` later.
    event OutcomeAcknowledged(bytes32 indexed flowId, FlowLib.Status status, uint64 decidedAt);

    /// @notice An outcome for a flow that is not LOCKED (a duplicate, or never opened here) was ignored.
    event OutcomeIgnored(bytes32 indexed flowId, FlowLib.Status status);

    /// @notice An EXECUTED flow settled: its escrow credited to the beneficiary, `feePaid` to the fee recipient and
    /// `feeRefunded` to the refund address.
    event FlowFinalized(
        bytes32 indexed flowId, address indexed beneficiary, uint256 amount, uint256 feePaid, uint256 feeRefunded
    );

    /// @notice A FAILED, EXPIRED or CANCELLED flow settled: its escrow credited to the refund address.
    event FlowCompensated(
        bytes32 indexed flowId, address indexed refundTo, uint256 amount, uint256 feePaid, uint256 feeRefunded
    );

    /// @notice Someone added `amount` of native fees to a LOCKED flow (paid to its fee recipient on settlement).
    event FlowFeesBumped(bytes32 indexed flowId, address indexed payer, uint256 amount, uint256 totalBumped);

    /// @notice A credited amount was paid out.
    event Claimed(address indexed account, address indexed asset, uint256 amount);

    /// @notice An outbound lane changed: flows opened here that release `remoteAsset` on `destinationDomain` against
    /// an escrow of `localAsset` credit `beneficiary` when executed (address(0): closed).
    event LaneSet(
        uint32 indexed destinationDomain, address indexed localAsset, address remoteAsset, address beneficiary
    );

    /// @notice The maximum horizon (T - open time) changed.
    event MaxHorizonSet(uint64 maxHorizon);

    /// @notice The gas oracle used by `quoteFees` and the fee floor of `open` changed (address(0): none).
    event GasOracleSet(address indexed oracle);

    /// @notice The EXECUTE gas overhead of flows toward `destinationDomain` changed (opens from now on; an open flow
    /// keeps the gas limit and fees it was opened with).
    event ExecuteGasOverheadSet(uint32 indexed destinationDomain, uint32 overhead);

    /// @notice Thrown when the maximum horizon is zero or too long.
    error FlowEscrowInvalidMaxHorizon(uint64 maxHorizon);

    /// @notice Thrown when a per-destination EXECUTE overhead is outside [`minimum`, `maximum`].
    error FlowEscrowInvalidExecuteGasOverhead(uint32 overhead, uint32 minimum, uint32 maximum);

    /// @notice Thrown when the gas oracle has no code.
    error FlowEscrowGasOracleNotContract(address oracle);

    /// @notice Thrown when a flow's destination is this domain.
    error FlowEscrowSameDomain(uint32 domain);

    /// @notice Thrown when the flow's executor is not the trusted remote for its destination domain.
    error FlowEscrowUntrustedExecutor(uint32 domain, address executor);

    /// @notice Thrown when a deadline is not in (now, now + maxHorizon].
    error FlowEscrowInvalidDeadline(uint64 deadline, uint64 latest);

    /// @notice Thrown when `notBefore` is after the deadline.
    error FlowEscrowNotBeforeAfterDeadline(uint64 notBefore, uint64 deadline);

    /// @notice Thrown when the target is zero, the destination asset or the executor.
    error FlowEscrowInvalidTarget(address target);

    /// @notice Thrown when the flow would release more on B than it escrows on A.
    error FlowEscrowMaxValueAboveAmount(uint256 maxValue, uint256 amount);

    /// @notice Thrown when exactly one of the guard's domain and emitter is zero.
    error FlowEscrowInvalidGuard(uint32 guardDomain, address guardEmitter);

    /// @notice Thrown when `ackRoutes` has bit 0 set (the primary gateway is always a route, never a pin).
    error FlowEscrowInvalidAckRoutes(uint16 ackRoutes);

    /// @notice Thrown when the execution gas is zero or above `MAX_EXECUTION_GAS`.
    error FlowEscrowInvalidExecutionGas(uint32 executionGas, uint32 maximum);

    /// @notice Thrown when the refund address or the beneficiary is zero.
    error FlowEscrowZeroPayee();

    /// @notice Thrown when a flow escrows fees but names no fee recipient.
    error FlowEscrowZeroFeeRecipient();

    /// @notice Thrown when opening a flow that releases value on B outside an open lane (asset pair and beneficiary).
    error FlowEscrowLaneClosed(uint32 destinationDomain, address asset, address destinationAsset);

    /// @notice Thrown when the native value sent does not match what the flow escrows.
    error FlowEscrowWrongValue(uint256 expected, uint256 actual);

    /// @notice Thrown when the ERC-20 amount received differs from the flow's amount (fee-on-transfer tokens).
    error FlowEscrowWrongAmount(uint256 expected, uint256 received);

    /// @notice Thrown when an action needs another phase (`phase` is the current one).
    error FlowEscrowWrongPhase(bytes32 flowId, FlowLib.Phase phase);

    /// @notice Thrown when someone other than the opener cancels a flow.
    error FlowEscrowNotOpener(address caller);

    /// @notice Thrown when bumping fees by zero.
    error FlowEscrowZeroBump(bytes32 flowId);

    /// @notice Thrown when bumping fees of a flow that names no fee recipient.
    error FlowEscrowBumpWithoutFeeRecipient(bytes32 flowId);

    /// @notice Thrown when escrowing `amount` more of `asset` would take its locked plus owed total above 2^128 - 1.
    error FlowEscrowTotalsOverflow(address asset, uint256 amount);

    /// @notice Thrown when a claim has nothing to pay.
    error FlowEscrowNothingToClaim(address account, address asset);

    /// @notice Thrown when an OUTCOME names a flow that this escrow did not open.
    error FlowEscrowForeignFlow(bytes32 flowId);

    /// @notice Thrown when an outcome is inconsistent with the flow's window on B's clock (EXPIRED at B time <= T,
    /// EXECUTED after T, ...) or not terminal.
    error FlowEscrowInvalidOutcome(bytes32 flowId, FlowLib.Status status, uint64 decidedAt);

    /// @notice Thrown when a flow's fee terms are below the gas oracle's quote (`quoteFees`).
    error FlowEscrowFeesTooLow(
        uint256 executionFee,
        uint256 ackFee,
        uint256 timeoutFee,
        uint256 quotedExecutionFee,
        uint256 quotedAckFee,
        uint256 quotedTimeoutFee
    );

    /// @notice Thrown when quoting fees without a gas oracle.
    error FlowEscrowNoGasOracle();

    /// @notice Opens a flow: fills the origin fields (domain, escrow, nonce, opener, payload hash), checks the rest,
    /// escrows `amount` of `asset` plus the native fee escrow (`FlowLib.feeEscrow`), and sends EXECUTE to B.
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

    /// @notice Settles a flow whose outcome arrived while settlement was paused (ACKNOWLEDGED): credits the escrow
    /// to its payee by the attested outcome. Anyone; a no-op once settled; never possible without B's outcome.
    function settle(FlowLib.Flow calldata flow) external;

    /// @notice Pays `account` everything credited to it in `asset` (pull payment). Anyone may trigger it; the funds
    /// only go to `account`.
    function claim(address account, address asset) external returns (uint256 amount);

    /// @notice Opens (or closes, with `beneficiary == address(0)`) an outbound lane: `localAsset` here and
    /// `remoteAsset` on `destinationDomain` are the same value 1:1 (address(0): native), and a flow that releases
    /// value on B must credit its escrow here to `beneficiary` (the provider of B's liquidity). B's executor checks
    /// its own inbound lane before every release.
    function setLane(uint32 destinationDomain, address localAsset, address remoteAsset, address beneficiary) external;

    /// @notice Sets the longest allowed horizon (deadline - open time); must stay below the route delay.
    function setMaxHorizon(uint64 maxHorizon) external;

    /// @notice Sets the gas added to `executionGas` for the EXECUTE of flows toward `destinationDomain`: B's executor
    /// sends the OUTCOME out of it, so it must cover what that send costs over B's gateway (e.g. LayerZero's endpoint
    /// and send library cost more than Concord's gateway). Between `EXECUTE_GAS_OVERHEAD` (the default) and
    /// `MAX_EXECUTE_GAS_OVERHEAD`: never below what Concord's gateway needs, never an unbounded charge on openers.
    function setExecuteGasOverhead(uint32 destinationDomain, uint32 overhead) external;

    /// @notice Sets the gas oracle (address(0): none; fee terms are then the opener's choice).
    function setGasOracle(IGasOracle oracle) external;

    /// @notice The A-side record of `flowId`.
    function record(bytes32 flowId) external view returns (Record memory);

    /// @notice The beneficiary of an outbound lane (address(0): closed).
    function lane(uint32 destinationDomain, address localAsset, address remoteAsset) external view returns (address);

    /// @notice The longest allowed horizon.
    function maxHorizon() external view returns (uint64);

    /// @notice The gas added to `executionGas` for the EXECUTE of flows toward `destinationDomain` (and priced in
    /// `quoteFees`): its own overhead if set, else `EXECUTE_GAS_OVERHEAD`.
    function executeGasOverhead(uint32 destinationDomain) external view returns (uint256);

    /// @notice The gas oracle (address(0): none).
    function gasOracle() external view returns (IGasOracle);

    /// @notice Minimum fee terms for a flow from here to `destinationDomain` whose target gets `executionGas`.
    /// @dev With `overhead = executeGasOverhead(destinationDomain)`: executionFee = oracle quote on B for
    /// `executionGas + overhead` (execution and the OUTCOME sent in the same transaction); ackFee = `block.basefee` x
    /// `ACK_GAS` (the OUTCOME's delivery and settlement here); timeoutFee = oracle quote on B for
    /// `TIMEOUT_GAS + overhead - EXECUTE_GAS_OVERHEAD` (expire, which sends the OUTCOME the same way) + ackFee.
    function quoteFees(uint32 destinationDomain, uint32 executionGas)
        external
        view
        returns (uint256 executionFee, uint256 ackFee, uint256 timeoutFee);

    /// @notice The next flow nonce.
    function nonce() external view returns (uint64);

    /// @notice Escrow of unsettled flows in `asset` (amounts plus native fees).
    function lockedTotal(address asset) external view returns (uint256);

    /// @notice Settled but unclaimed credits in `asset`.
    function owedTotal(address asset) external view returns (uint256);

    /// @notice Credits of `account` in `asset`.
    function owed(address account, address asset) external view returns (uint256);
}
