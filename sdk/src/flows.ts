/**
 * Flows: lock on A (the `FlowEscrow`), execute on B (the `FlowExecutor`), settle on A when B's OUTCOME arrives.
 *
 * The `FlowLib.Flow` tuple type is read from the FlowEscrow's ABI (the `open` function's first input), so the SDK
 * encodes exactly the struct the contracts use, fields appended later included (a field that the caller does not
 * set is zero). The flow id is `keccak256(abi.encode(flow))`, as `FlowLib.id`.
 *
 * Lifecycle: `buildFlowRequest` -> `quoteFlowFees` -> `openFlow` (A) -> the relayer delivers EXECUTE -> B decides
 * (EXECUTED, FAILED, EXPIRED via `expireFlow`, CANCELLED via `cancelFlow`) and sends the OUTCOME in the same
 * transaction -> the relayer delivers it -> A settles on arrival (payees credited) -> `claimFlowCredit` (pull
 * payment). `exportFlowOutcome` re-sends a lost OUTCOME; `settleFlow` settles a flow whose OUTCOME arrived while A
 * was paused. `flowStatus` reads both domains.
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
import { type Abi } from "viem";
import { abiFunction, escrowAbi, executorAbi } from "./abis.js";
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
  originDomain: number;
  escrow: Address;
  nonce: bigint;
  destinationDomain: number;
  executor: Address;
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
  guardDomain: number;
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

/** The `FlowLib.Flow` tuple parameter, from the FlowEscrow ABI (`open`'s first input). */
export function flowAbiParameter(): AbiParameter & { components: readonly AbiParameter[] } {
  const open = abiFunction(escrowAbi(), "open");
  const parameter = open?.inputs[0];
  if (!parameter || parameter.type !== "tuple" || !("components" in parameter)) {
    throw new FlowError("FlowEscrow ABI has no open(FlowLib.Flow,bytes)");
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

/** The flow id, as `FlowLib.id` / `flowId(flow)` on either side: `keccak256(abi.encode(flow))`. */
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
  destinationDomain: number;
  /** B's FlowExecutor (A's escrow must trust it for `destinationDomain`). */
  executor: Address;
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
  guard?: { domain: number; emitter: Address; key: Hex };
  feeRecipient?: Address;
  fees?: FlowFees;
  ackRoutes?: number;
};

/** A flow request for `open` (origin fields, nonce, opener and payload hash are left zero: `open` sets them). */
export function buildFlowRequest(p: BuildFlowRequestParameters): Flow {
  return normalizeFlow({
    destinationDomain: p.destinationDomain,
    executor: p.executor,
    target: p.target,
    asset: p.asset ?? zeroAddress,
    amount: p.amount ?? 0n,
    destinationAsset: p.destinationAsset ?? zeroAddress,
    maxValue: p.maxValue ?? 0n,
    notBefore: BigInt(p.notBefore ?? 0),
    deadline: BigInt(p.deadline),
    executionGas: p.executionGas,
    abortOnFail: p.abortOnFail ?? false,
    guardDomain: p.guard?.domain ?? 0,
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
  /** The FlowEscrow on A. */
  escrow: Address;
  destinationDomain: number;
  executionGas: number;
  /** Used when the escrow cannot quote (no gas oracle, or no price for B). */
  fallback?: FlowFees;
};

/** Minimum fee terms from A's escrow (`quoteFees`); `fallback` (if given) when it cannot quote. */
export async function quoteFlowFees(p: QuoteFlowFeesParameters): Promise<FlowFees & { quoted: boolean }> {
  const abi = escrowAbi();
  try {
    const [executionFee, ackFee, timeoutFee] = (await p.publicClient.readContract({
      address: p.escrow,
      abi,
      functionName: "quoteFees",
      args: [p.destinationDomain, p.executionGas],
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
  /** The FlowEscrow on A. */
  escrow: Address;
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

/** Opens a flow on A (`FlowEscrow.open`), escrowing the value and fees; returns the flow from `FlowOpened`. */
export async function openFlow(p: OpenFlowParameters): Promise<OpenFlowReturnType> {
  const abi = escrowAbi();
  const request = normalizeFlow(p.request);
  const receipt = await writeAndWait(p, {
    address: p.escrow,
    abi,
    functionName: "open",
    args: [request, p.payload],
    value: p.value ?? flowOpenValue(request),
  });
  const [opened] = eventsOf(abi, p.escrow, receipt.logs, "FlowOpened");
  if (!opened) throw new ConcordStateError("no FlowOpened event", receipt.transactionHash);
  const flow = normalizeFlow(opened.args.flow as Flow);
  const flowId = opened.args.flowId as Hex;
  if (computeFlowId(flow) !== flowId) throw new ConcordStateError("FlowOpened id mismatch", flowId);
  return { flowId, flow, sendId: opened.args.sendId as Hex, receipt };
}

/** Parameters of the actions on A's escrow that take an opened flow. */
export type EscrowActionParameters = WriteClients & { escrow: Address; flow: Partial<Flow> };
/** Parameters of the actions on B's executor that take an opened flow. */
export type ExecutorActionParameters = WriteClients & { executor: Address; flow: Partial<Flow> };

async function flowWrite(
  p: WriteClients & { flow: Partial<Flow> },
  abi: Abi,
  address: Address,
  functionName: string,
  extraArgs: readonly unknown[] = [],
  value?: bigint,
): Promise<{ receipt: TransactionReceipt; events: DecodedEvent[] }> {
  const receipt = await writeAndWait(p, {
    address,
    abi,
    functionName,
    args: [normalizeFlow(p.flow), ...extraArgs],
    value,
  });
  return { receipt, events: eventsOf(abi, address, receipt.logs) };
}

/**
 * A: settles a flow whose OUTCOME arrived while A's settlement was paused (phase ACKNOWLEDGED): credits the escrow
 * by B's attested outcome. Anyone; normally unnecessary (the OUTCOME's arrival settles the flow).
 */
export async function settleFlow(
  p: EscrowActionParameters,
): Promise<{ receipt: TransactionReceipt; events: DecodedEvent[] }> {
  const record = await readEscrowRecord(p.publicClient, p.escrow, computeFlowId(p.flow));
  if (record.phase !== "ACKNOWLEDGED") {
    throw new ConcordStateError(
      "flow not waiting for settlement on A",
      record.phase === "SETTLED"
        ? "already settled"
        : `phase ${record.phase}: B's OUTCOME has not arrived (relay it, or re-export it with exportFlowOutcome)`,
    );
  }
  return flowWrite(p, escrowAbi(), p.escrow, "settle");
}

/** A: the opener asks B to cancel (effective on B only before execution). */
export const cancelFlow = (p: EscrowActionParameters) => flowWrite(p, escrowAbi(), p.escrow, "cancel");
/** A: anyone adds native fees to a LOCKED flow. */
export const bumpFlowFees = (p: EscrowActionParameters & { value: bigint }) =>
  flowWrite(p, escrowAbi(), p.escrow, "bumpFees", [], p.value);
/** B: anyone records EXPIRED once B's time is after the deadline (sends the OUTCOME in the same transaction). */
export const expireFlow = (p: ExecutorActionParameters) => flowWrite(p, executorAbi(), p.executor, "expire");
/** B: anyone retries a PENDING flow's target while B's time <= deadline (a decision sends the OUTCOME). */
export const retryFlowExecution = (p: ExecutorActionParameters & { payload: Hex }) =>
  flowWrite(p, executorAbi(), p.executor, "retryExecution", [p.payload]);
/**
 * B: anyone sends a decided flow's OUTCOME to A again (over ack route `routeId`, default 0: the primary gateway).
 * Needed only when the OUTCOME B sent with its decision was lost or could not be sent. Repeatable.
 */
export const exportFlowOutcome = (p: ExecutorActionParameters & { routeId?: number }) =>
  flowWrite(p, executorAbi(), p.executor, "exportOutcome", [p.routeId ?? 0]);

/** A: pays `payee` its credits in `asset` (zeroAddress: native); anyone may trigger it, funds go to `payee`. */
export async function claimFlowCredit(
  p: WriteClients & { escrow: Address; payee: Address; asset?: Address },
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const abi = escrowAbi();
  const asset = p.asset ?? zeroAddress;
  const amount = (await p.publicClient.readContract({
    address: p.escrow,
    abi,
    functionName: "owed",
    args: [p.payee, asset],
  })) as bigint;
  const receipt = await writeAndWait(p, {
    address: p.escrow,
    abi,
    functionName: "claim",
    args: [p.payee, asset],
  });
  return { amount, receipt };
}

// ---------------------------------------------------------------------------------------------
// Status and tracking
// ---------------------------------------------------------------------------------------------

/** A-side record of a flow (`FlowEscrow.record`). */
export type EscrowRecord = { phase: FlowPhase; outcome: FlowStatus; decidedAt: bigint; bumped: bigint };
/** B-side record of a flow (`FlowExecutor.record`). */
export type ExecutorRecord = { status: FlowStatus; decidedAt: bigint };

async function readEscrowRecord(client: PublicClient, escrow: Address, flowId: Hex): Promise<EscrowRecord> {
  const r = (await client.readContract({
    address: escrow,
    abi: escrowAbi(),
    functionName: "record",
    args: [flowId],
  })) as { phase: number; outcome: number; decidedAt: bigint; bumped: bigint };
  return {
    phase: FlowPhase[r.phase] ?? "NONE",
    outcome: FlowStatus[r.outcome] ?? "NONE",
    decidedAt: r.decidedAt,
    bumped: r.bumped,
  };
}

async function readExecutorRecord(
  client: PublicClient,
  executor: Address,
  flowId: Hex,
): Promise<ExecutorRecord> {
  const r = (await client.readContract({
    address: executor,
    abi: executorAbi(),
    functionName: "record",
    args: [flowId],
  })) as { status: number; decidedAt: bigint };
  return { status: FlowStatus[r.status] ?? "NONE", decidedAt: r.decidedAt };
}

/** A flow contract on one domain (A's FlowEscrow or B's FlowExecutor) for status and event queries. */
export type FlowEndpoint = {
  publicClient: PublicClient;
  /** The FlowEscrow (origin) or FlowExecutor (destination). */
  address: Address;
  /** First block to search for events (the contract's deploy block; default 0). */
  fromBlock?: BlockNumber | BlockTag;
  /** The pager to read logs with (default: a new one). */
  logPager?: LogPager;
};

/**
 * What moves the flow forward next:
 * RELAY_EXECUTE (B has not seen EXECUTE), RETRY_OR_WAIT (PENDING on B), EXPIRE (B's deadline passed, not decided),
 * RELAY_OUTCOME (B decided and sent its OUTCOME, A has not received it: the relayer delivers it; if it was lost or
 * B could not send it, `exportFlowOutcome`), SETTLE (the OUTCOME arrived while A was paused: `settleFlow` once A is
 * unpaused), DONE (settled on A).
 */
export type FlowNextStep = "RELAY_EXECUTE" | "RETRY_OR_WAIT" | "EXPIRE" | "RELAY_OUTCOME" | "SETTLE" | "DONE";

export type FlowStatusReturnType = {
  flowId: Hex;
  /** A-side record (`FlowEscrow.record`). */
  origin: EscrowRecord;
  /** B-side record (`FlowExecutor.record`). */
  destination: ExecutorRecord;
  /** B's latest block timestamp, to compare with the deadline. */
  destinationTime: bigint;
  next: FlowNextStep;
};

/** The flow's status on both domains in one call (A: phase and attested outcome; B: status). */
export async function flowStatus(p: {
  origin: FlowEndpoint;
  destination: FlowEndpoint;
  flowId: Hex;
  /** The flow's deadline; when given, `next` can say EXPIRE. */
  deadline?: bigint;
}): Promise<FlowStatusReturnType> {
  const [origin, destination, block] = await Promise.all([
    readEscrowRecord(p.origin.publicClient, p.origin.address, p.flowId),
    readExecutorRecord(p.destination.publicClient, p.destination.address, p.flowId),
    p.destination.publicClient.getBlock({ blockTag: "latest" }),
  ]);
  const terminal = FlowStatus.indexOf(destination.status) >= 2;
  let next: FlowNextStep;
  if (origin.phase === "SETTLED") next = "DONE";
  else if (origin.phase === "ACKNOWLEDGED") next = "SETTLE";
  else if (terminal) next = "RELAY_OUTCOME";
  else if (p.deadline !== undefined && block.timestamp > p.deadline) next = "EXPIRE";
  else next = destination.status === "PENDING" ? "RETRY_OR_WAIT" : "RELAY_EXECUTE";
  return { flowId: p.flowId, origin, destination, destinationTime: block.timestamp, next };
}

/** The events of A's escrow and B's executor (for decoding either side's logs). */
function flowContractsAbi(): Abi {
  const seen = new Set<string>();
  return [...escrowAbi(), ...executorAbi()].filter((item) => {
    if (item.type !== "event") return false;
    const key = `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Every event about `flowId` emitted by one flow contract (A's escrow or B's executor), oldest first:
 * `eth_getLogs` on the contract filtered by topic1 = flowId (every flow event indexes the flow id first), paged from
 * `endpoint.fromBlock` (the deploy block; default 0) to the latest block ({@link LogPager}).
 */
export async function flowEvents(endpoint: FlowEndpoint, flowId: Hex): Promise<DecodedEvent[]> {
  const pager = endpoint.logPager ?? new LogPager(endpoint.publicClient);
  const logs = await pager.getLogsToLatest(
    { address: endpoint.address, topics: [null, flowId] },
    startBlock(endpoint.fromBlock),
  );
  return eventsOf(flowContractsAbi(), endpoint.address, logs).filter((log) => log.args.flowId === flowId);
}

/** A flow contract's own flow id view (`flowId(flow)`, on the escrow or the executor), to cross-check. */
export async function readFlowId(client: PublicClient, contract: Address, flow: Partial<Flow>): Promise<Hex> {
  return (await client.readContract({
    address: contract,
    abi: escrowAbi() as Abi,
    functionName: "flowId",
    args: [normalizeFlow(flow)],
  })) as Hex;
}

export { readEscrowRecord, readExecutorRecord };
