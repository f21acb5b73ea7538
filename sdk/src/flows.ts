/**
 * Flows (issue 7): lock on A, execute on B, acknowledge and settle on A, through a FlowCoordinator on each chain.
 *
 * The `FlowLib.Flow` tuple type is read from the deployed FlowCoordinator's ABI (the `open` function's first
 * input), so the SDK encodes exactly the struct the contracts use, fields appended later included (a field that the
 * caller does not set is zero). The flow id is `keccak256(abi.encode(flow))`, as `FlowLib.id`.
 *
 * Lifecycle: `buildFlowRequest` -> `quoteFlowFees` -> `openFlow` (A) -> relay EXECUTE -> B decides (EXECUTED,
 * FAILED, EXPIRED via `expireFlow`, CANCELLED via `cancelFlow`) -> `exportFlowOutcome` (B) -> relay OUTCOME ->
 * `settleFlow` (A: finalize or compensate) -> `claimFlowCredit` (pull payment). `flowStatus` reads both chains.
 */
import {
  type AbiParameter,
  type Address,
  type BlockNumber,
  type BlockTag,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  encodeAbiParameters,
  keccak256,
  zeroAddress,
  zeroHash,
} from "viem";
import { abiFunction, coordinatorAbi } from "./abis.js";
import { ConcordSdkError, ConcordStateError } from "./errors.js";
import { LogPager, startBlock } from "./logs.js";
import { type DecodedEvent, type WriteClients, eventsOf, writeAndWait } from "./transact.js";

/** B-side status of a flow (`FlowLib.Status`). */
export const FlowStatus = ["NONE", "PENDING", "EXECUTED", "FAILED", "EXPIRED", "CANCELLED"] as const;
export type FlowStatus = (typeof FlowStatus)[number];
/** A-side phase of a flow (`FlowLib.Phase`). */
export const FlowPhase = ["NONE", "LOCKED", "ACKNOWLEDGED", "SETTLED"] as const;
export type FlowPhase = (typeof FlowPhase)[number];

/**
 * `FlowLib.Flow` (uint32/uint16 as number, uint64/uint256 as bigint). Fields the contracts add later are accepted
 * through the index signature and default to zero.
 */
export type Flow = {
  originChain: number;
  originCoordinator: Address;
  nonce: bigint;
  destinationChain: number;
  destinationCoordinator: Address;
  target: Address;
  payloadHash: Hex;
  asset: Address;
  amount: bigint;
  destinationAsset: Address;
  maxValue: bigint;
  notBefore: bigint;
  deadline: bigint;
  executionGas: number;
  abortOnFail: boolean;
  guardChain: number;
  guardEmitter: Address;
  guardKey: Hex;
  opener: Address;
  refundTo: Address;
  beneficiary: Address;
  feeRecipient: Address;
  executionFee: bigint;
  ackFee: bigint;
  timeoutFee: bigint;
  /** Extra acknowledgement routes pinned at open (bit r = route r, 1..15); 0: the primary gateway only. */
  ackRoutes?: number;
  [field: string]: unknown;
};

/** Fee terms of a flow (native wei on A). */
export type FlowFees = { executionFee: bigint; ackFee: bigint; timeoutFee: bigint };

/** Thrown for a flow the SDK cannot encode (unknown field, wrong type). */
export class FlowError extends ConcordSdkError {
  override name = "FlowError";
}

/** The `FlowLib.Flow` tuple parameter, from the FlowCoordinator ABI (`open`'s first input). */
export function flowAbiParameter(): AbiParameter & { components: readonly AbiParameter[] } {
  const open = abiFunction(coordinatorAbi(), "open");
  const parameter = open?.inputs[0];
  if (!parameter || parameter.type !== "tuple" || !("components" in parameter)) {
    throw new FlowError("FlowCoordinator ABI has no open(FlowLib.Flow,bytes)");
  }
  return parameter as AbiParameter & { components: readonly AbiParameter[] };
}

function zeroOf(type: string): unknown {
  if (type === "address") return zeroAddress;
  if (type === "bool") return false;
  if (type === "bytes32") return zeroHash;
  const bits = /^u?int(\d+)$/.exec(type)?.[1];
  if (bits !== undefined) return Number(bits) <= 48 ? 0 : 0n;
  throw new FlowError("unsupported flow field type", type);
}

/**
 * Every field of the contract's `FlowLib.Flow`, taken from `flow` or zero, with uint types coerced (numbers for
 * <= 48 bits, bigints above). Throws a FlowError naming a field that the contract's struct does not have.
 */
export function normalizeFlow(flow: Partial<Flow>): Flow {
  const components = flowAbiParameter().components;
  const names = new Set(components.map((c) => c.name));
  for (const key of Object.keys(flow)) {
    if (!names.has(key) && flow[key] !== undefined) throw new FlowError("unknown flow field", key);
  }
  const out: Record<string, unknown> = {};
  for (const c of components) {
    const value = flow[c.name!];
    const zero = zeroOf(c.type);
    if (value === undefined) out[c.name!] = zero;
    else if (typeof zero === "number") out[c.name!] = Number(value as number | bigint);
    else if (typeof zero === "bigint") out[c.name!] = BigInt(value as number | bigint);
    else out[c.name!] = value;
  }
  return out as Flow;
}

/** ABI encoding of the flow (`abi.encode(flow)`). */
export function encodeFlow(flow: Partial<Flow>): Hex {
  return encodeAbiParameters([flowAbiParameter()], [normalizeFlow(flow)]);
}

/** The flow id, as `FlowLib.id` / `FlowCoordinator.flowId`: `keccak256(abi.encode(flow))`. */
export function computeFlowId(flow: Partial<Flow>): Hex {
  return keccak256(encodeFlow(flow));
}

/** Native escrow of the fees: `max(executionFee + ackFee, timeoutFee)` (`FlowLib.feeEscrow`). */
export function flowFeeEscrow(fees: FlowFees): bigint {
  const roundTrip = fees.executionFee + fees.ackFee;
  return roundTrip > fees.timeoutFee ? roundTrip : fees.timeoutFee;
}

/** The `msg.value` that `open` requires: the amount when the asset is native, plus the fee escrow. */
export function flowOpenValue(
  flow: Pick<Flow, "asset" | "amount" | "executionFee" | "ackFee" | "timeoutFee">,
): bigint {
  return flowFeeEscrow(flow) + (flow.asset === zeroAddress ? flow.amount : 0n);
}

export type BuildFlowRequestParameters = {
  destinationChain: number;
  destinationCoordinator: Address;
  target: Address;
  /** B time (seconds) after which the flow can only expire. */
  deadline: bigint | number;
  /** Gas the target gets on B. */
  executionGas: number;
  refundTo: Address;
  beneficiary: Address;
  /** Escrowed asset on A (default native: zeroAddress) and its amount (default 0). */
  asset?: Address;
  amount?: bigint;
  /** Asset and most value released on B (default native, 0). */
  destinationAsset?: Address;
  maxValue?: bigint;
  notBefore?: bigint | number;
  abortOnFail?: boolean;
  guard?: { chain: number; emitter: Address; key: Hex };
  feeRecipient?: Address;
  fees?: FlowFees;
  ackRoutes?: number;
};

/** A flow request for `open` (origin fields, nonce, opener and payload hash are left zero: `open` sets them). */
export function buildFlowRequest(p: BuildFlowRequestParameters): Flow {
  return normalizeFlow({
    destinationChain: p.destinationChain,
    destinationCoordinator: p.destinationCoordinator,
    target: p.target,
    asset: p.asset ?? zeroAddress,
    amount: p.amount ?? 0n,
    destinationAsset: p.destinationAsset ?? zeroAddress,
    maxValue: p.maxValue ?? 0n,
    notBefore: BigInt(p.notBefore ?? 0),
    deadline: BigInt(p.deadline),
    executionGas: p.executionGas,
    abortOnFail: p.abortOnFail ?? false,
    guardChain: p.guard?.chain ?? 0,
    guardEmitter: p.guard?.emitter ?? zeroAddress,
    guardKey: p.guard?.key ?? zeroHash,
    refundTo: p.refundTo,
    beneficiary: p.beneficiary,
    feeRecipient: p.feeRecipient ?? zeroAddress,
    executionFee: p.fees?.executionFee ?? 0n,
    ackFee: p.fees?.ackFee ?? 0n,
    timeoutFee: p.fees?.timeoutFee ?? 0n,
    ...(p.ackRoutes === undefined ? {} : { ackRoutes: p.ackRoutes }),
  });
}

export type QuoteFlowFeesParameters = {
  publicClient: PublicClient;
  /** The FlowCoordinator on A. */
  coordinator: Address;
  destinationChain: number;
  executionGas: number;
  /** Used when the coordinator cannot quote (no `quoteFees`, no gas oracle, or no price for B). */
  fallback?: FlowFees;
};

/** Minimum fee terms from A's coordinator (`quoteFees`); `fallback` (if given) when it cannot quote. */
export async function quoteFlowFees(p: QuoteFlowFeesParameters): Promise<FlowFees & { quoted: boolean }> {
  const abi = coordinatorAbi();
  try {
    if (!abiFunction(abi, "quoteFees")) throw new FlowError("FlowCoordinator has no quoteFees");
    const [executionFee, ackFee, timeoutFee] = (await p.publicClient.readContract({
      address: p.coordinator,
      abi,
      functionName: "quoteFees",
      args: [p.destinationChain, p.executionGas],
    })) as readonly [bigint, bigint, bigint];
    return { executionFee, ackFee, timeoutFee, quoted: true };
  } catch (error) {
    if (p.fallback) return { ...p.fallback, quoted: false };
    throw error instanceof ConcordSdkError
      ? error
      : new FlowError("cannot quote flow fees", String((error as Error).message ?? error), { cause: error });
  }
}

export type OpenFlowParameters = WriteClients & {
  /** The FlowCoordinator on A. */
  coordinator: Address;
  /** From `buildFlowRequest` (origin fields are overwritten by the contract). */
  request: Partial<Flow>;
  /** Data handed to the target on B. */
  payload: Hex;
  /** Native value; defaults to `flowOpenValue(request)`. ERC-20 escrow needs a prior `approve`. */
  value?: bigint;
};

export type OpenFlowReturnType = {
  flowId: Hex;
  /** The flow as opened (keep it: every later call takes it). */
  flow: Flow;
  /** Id of the EXECUTE message sent to B (the gateway's message id). */
  sendId: Hex;
  receipt: TransactionReceipt;
};

/** Opens a flow on A (`FlowCoordinator.open`), escrowing the value and fees; returns the flow from `FlowOpened`. */
export async function openFlow(p: OpenFlowParameters): Promise<OpenFlowReturnType> {
  const abi = coordinatorAbi();
  const request = normalizeFlow(p.request);
  const receipt = await writeAndWait(p, {
    address: p.coordinator,
    abi,
    functionName: "open",
    args: [request, p.payload],
    value: p.value ?? flowOpenValue(request),
  });
  const [opened] = eventsOf(abi, p.coordinator, receipt.logs, "FlowOpened");
  if (!opened) throw new ConcordStateError("no FlowOpened event", receipt.transactionHash);
  const flow = normalizeFlow(opened.args.flow as Flow);
  const flowId = opened.args.flowId as Hex;
  if (computeFlowId(flow) !== flowId) throw new ConcordStateError("FlowOpened id mismatch", flowId);
  return { flowId, flow, sendId: opened.args.sendId as Hex, receipt };
}

/** Parameters of the actions that take an opened flow. */
export type FlowActionParameters = WriteClients & { coordinator: Address; flow: Partial<Flow> };

async function flowWrite(
  p: FlowActionParameters,
  functionName: string,
  extraArgs: readonly unknown[] = [],
  value?: bigint,
): Promise<{ receipt: TransactionReceipt; events: DecodedEvent[] }> {
  const abi = coordinatorAbi();
  const receipt = await writeAndWait(p, {
    address: p.coordinator,
    abi,
    functionName,
    args: [normalizeFlow(p.flow), ...extraArgs],
    value,
  });
  return { receipt, events: eventsOf(abi, p.coordinator, receipt.logs) };
}

/** A: settles an acknowledged flow: `finalize` if B attested EXECUTED, else `compensate`. Idempotent on chain. */
export async function settleFlow(p: FlowActionParameters): Promise<{
  action: "finalize" | "compensate";
  receipt: TransactionReceipt;
  events: DecodedEvent[];
}> {
  const record = await readOriginRecord(p.publicClient, p.coordinator, computeFlowId(p.flow));
  if (record.phase === "NONE" || record.phase === "LOCKED") {
    throw new ConcordStateError(
      "flow not acknowledged on A",
      `phase ${record.phase}: relay B's outcome first`,
    );
  }
  const action = record.outcome === "EXECUTED" ? "finalize" : "compensate";
  return { action, ...(await flowWrite(p, action)) };
}

/** A: credits an EXECUTED flow's escrow to its beneficiary (reverts unless B attested EXECUTED). */
export const finalizeFlow = (p: FlowActionParameters) => flowWrite(p, "finalize");
/** A: credits a FAILED/EXPIRED/CANCELLED flow's escrow to its refund address (only on B's attested outcome). */
export const compensateFlow = (p: FlowActionParameters) => flowWrite(p, "compensate");
/** A: the opener asks B to cancel (effective on B only before execution). */
export const cancelFlow = (p: FlowActionParameters) => flowWrite(p, "cancel");
/** A: anyone adds native fees to a LOCKED flow. */
export const bumpFlowFees = (p: FlowActionParameters & { value: bigint }) =>
  flowWrite(p, "bumpFees", [], p.value);
/** B: anyone records EXPIRED once B's time is after the deadline. */
export const expireFlow = (p: FlowActionParameters) => flowWrite(p, "expire");
/** B: anyone retries a PENDING flow's target while B's time <= deadline. */
export const retryFlowExecution = (p: FlowActionParameters & { payload: Hex }) =>
  flowWrite(p, "retryExecution", [p.payload]);
/** B: anyone sends the attested outcome back to A (over ack route `routeId` when given). Repeatable. */
export const exportFlowOutcome = (p: FlowActionParameters & { routeId?: number }) =>
  flowWrite(p, "exportOutcome", p.routeId === undefined ? [] : [p.routeId]);

/** A: pays `payee` its credits in `asset` (zeroAddress: native); anyone may trigger it, funds go to `payee`. */
export async function claimFlowCredit(
  p: WriteClients & { coordinator: Address; payee: Address; asset?: Address },
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const abi = coordinatorAbi();
  const asset = p.asset ?? zeroAddress;
  const amount = (await p.publicClient.readContract({
    address: p.coordinator,
    abi,
    functionName: "owed",
    args: [p.payee, asset],
  })) as bigint;
  const receipt = await writeAndWait(p, {
    address: p.coordinator,
    abi,
    functionName: "claim",
    args: [p.payee, asset],
  });
  return { amount, receipt };
}

// ---------------------------------------------------------------------------------------------
// Status and tracking
// ---------------------------------------------------------------------------------------------

export type OriginRecord = { phase: FlowPhase; outcome: FlowStatus; decidedAt: bigint };
export type DestinationRecord = { status: FlowStatus; decidedAt: bigint };

async function readOriginRecord(
  client: PublicClient,
  coordinator: Address,
  flowId: Hex,
): Promise<OriginRecord> {
  const r = (await client.readContract({
    address: coordinator,
    abi: coordinatorAbi(),
    functionName: "originRecord",
    args: [flowId],
  })) as { phase: number; outcome: number; decidedAt: bigint };
  return {
    phase: FlowPhase[r.phase] ?? "NONE",
    outcome: FlowStatus[r.outcome] ?? "NONE",
    decidedAt: r.decidedAt,
  };
}

async function readDestinationRecord(
  client: PublicClient,
  coordinator: Address,
  flowId: Hex,
): Promise<DestinationRecord> {
  const r = (await client.readContract({
    address: coordinator,
    abi: coordinatorAbi(),
    functionName: "destinationRecord",
    args: [flowId],
  })) as { status: number; decidedAt: bigint };
  return { status: FlowStatus[r.status] ?? "NONE", decidedAt: r.decidedAt };
}

/** One coordinator of a flow status query. */
export type CoordinatorEndpoint = {
  publicClient: PublicClient;
  coordinator: Address;
  /** First block to search for events (the coordinator's deploy block; default 0). */
  fromBlock?: BlockNumber | BlockTag;
  /** The pager to read logs with (default: a new one). */
  logPager?: LogPager;
};

/**
 * What moves the flow forward next:
 * RELAY_EXECUTE (B has not seen EXECUTE), RETRY_OR_WAIT (PENDING on B), EXPIRE (B's deadline passed, not decided),
 * EXPORT_OUTCOME (B decided, A not acknowledged), SETTLE (A acknowledged), DONE (settled on A).
 */
export type FlowNextStep =
  "RELAY_EXECUTE" | "RETRY_OR_WAIT" | "EXPIRE" | "EXPORT_OUTCOME" | "SETTLE" | "DONE";

export type FlowStatusReturnType = {
  flowId: Hex;
  /** A-side record (`originRecord`). */
  origin: OriginRecord;
  /** B-side record (`destinationRecord`). */
  destination: DestinationRecord;
  /** B's latest block timestamp, to compare with the deadline. */
  destinationTime: bigint;
  next: FlowNextStep;
};

/** The flow's status on both chains in one call (A: phase and attested outcome; B: status). */
export async function flowStatus(p: {
  origin: CoordinatorEndpoint;
  destination: CoordinatorEndpoint;
  flowId: Hex;
  /** The flow's deadline; when given, `next` can say EXPIRE. */
  deadline?: bigint;
}): Promise<FlowStatusReturnType> {
  const [origin, destination, block] = await Promise.all([
    readOriginRecord(p.origin.publicClient, p.origin.coordinator, p.flowId),
    readDestinationRecord(p.destination.publicClient, p.destination.coordinator, p.flowId),
    p.destination.publicClient.getBlock({ blockTag: "latest" }),
  ]);
  const terminal = FlowStatus.indexOf(destination.status) >= 2;
  let next: FlowNextStep;
  if (origin.phase === "SETTLED") next = "DONE";
  else if (origin.phase === "ACKNOWLEDGED") next = "SETTLE";
  else if (terminal) next = "EXPORT_OUTCOME";
  else if (p.deadline !== undefined && block.timestamp > p.deadline) next = "EXPIRE";
  else next = destination.status === "PENDING" ? "RETRY_OR_WAIT" : "RELAY_EXECUTE";
  return { flowId: p.flowId, origin, destination, destinationTime: block.timestamp, next };
}

/**
 * Every FlowCoordinator event about `flowId` on one chain, oldest first (to track a flow): `eth_getLogs` on the
 * coordinator filtered by topic1 = flowId (every flow event indexes the flow id first), paged from
 * `endpoint.fromBlock` (the deploy block; default 0) to the latest block ({@link LogPager}).
 */
export async function flowEvents(endpoint: CoordinatorEndpoint, flowId: Hex): Promise<DecodedEvent[]> {
  const pager = endpoint.logPager ?? new LogPager(endpoint.publicClient);
  const logs = await pager.getLogsToLatest(
    { address: endpoint.coordinator, topics: [null, flowId] },
    startBlock(endpoint.fromBlock),
  );
  return eventsOf(coordinatorAbi(), endpoint.coordinator, logs).filter((log) => log.args.flowId === flowId);
}

/** The coordinator's own flow id view (`flowId(flow)`), e.g. to cross-check `computeFlowId`. */
export async function readFlowId(
  client: PublicClient,
  coordinator: Address,
  flow: Partial<Flow>,
): Promise<Hex> {
  return (await client.readContract({
    address: coordinator,
    abi: coordinatorAbi(),
    functionName: "flowId",
    args: [normalizeFlow(flow)],
  })) as Hex;
}

export { readDestinationRecord, readOriginRecord };
