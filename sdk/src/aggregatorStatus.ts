/**
 * Messages sent through a `TransportAggregator` (contracts/adapters/aggregator: one ERC-7786 message over n gateways,
 * executed once k of them delivered it): one lifecycle across its two chains, linked to the aggregator id. On the
 * origin aggregator, in the send's transaction: `MessageSent` (ERC-7786, `sendId` = the aggregator id),
 * `AggregatedMessageSent` (version, threshold, accepted bitmap, total fee, sponsored) and each leg's `LegSent` (the
 * gateway's own message id and fee) or `LegFailed` (the reason); the envelope is the payload of an accepted leg's
 * ERC-7786 `MessageSent` (every leg carries the same envelope). On the destination aggregator (the origin's
 * `remoteAggregator(destination)`): each gateway's `ReceiptRecorded`, `ReceiptConflict`, `Executed`,
 * `ExecutionFailed`, `Retried`, `ReleaseScheduled` and `Released` for the same id, the record, the receive set and
 * rule; and what can be done next (the `execute`, `retry` or the operator's release).
 */
import {
  type Address,
  type Hex,
  type Log,
  type TransactionReceipt,
  encodeFunctionData,
  getAddress,
  hexToBigInt,
  hexToNumber,
  isAddressEqual,
  keccak256,
  parseEventLogs,
  size,
  slice,
  zeroAddress,
} from "viem";
import { iTransportAggregatorAbi } from "./generated/abis.js";
import { type ChainReader, type AdapterCall } from "./adapterStatus.js";
import { parseEvmV1 } from "./codec.js";
import { type DecodedConcordError, decodeConcordError } from "./decodeError.js";
import { ConcordStateError } from "./errors.js";
import { LogPager, eventTopics, startBlock } from "./logs.js";
import { type EventPoint, type WriteClients, pointOf, writeAndWait } from "./transact.js";

/** Length of the aggregator envelope's packed header: nonce (8) | origin (4) | destination (4) | version (8) |
 * sender (20) | recipient (20) | gasLimit (4) | declaredValue (32). */
export const AGGREGATOR_ENVELOPE_HEADER_LENGTH = 100;

/** The aggregator envelope (`AggregatorEnvelope.decode` in Solidity): what every leg carries. */
export type AggregatorEnvelope = {
  nonce: bigint;
  origin: number;
  destination: number;
  version: bigint;
  sender: Address;
  recipient: Address;
  gasLimit: number;
  declaredValue: bigint;
  payload: Hex;
};

/** Decodes a packed aggregator envelope. */
export function decodeAggregatorEnvelope(envelope: Hex): AggregatorEnvelope {
  if (size(envelope) < AGGREGATOR_ENVELOPE_HEADER_LENGTH)
    throw new ConcordStateError(
      "malformed aggregator envelope",
      `${size(envelope)} bytes, shorter than its header`,
    );
  return {
    nonce: hexToBigInt(slice(envelope, 0, 8)),
    origin: hexToNumber(slice(envelope, 8, 12)),
    destination: hexToNumber(slice(envelope, 12, 16)),
    version: hexToBigInt(slice(envelope, 16, 24)),
    sender: getAddress(slice(envelope, 24, 44)),
    recipient: getAddress(slice(envelope, 44, 64)),
    gasLimit: hexToNumber(slice(envelope, 64, 68)),
    declaredValue: hexToBigInt(slice(envelope, 68, 100)),
    payload: size(envelope) === AGGREGATOR_ENVELOPE_HEADER_LENGTH ? "0x" : slice(envelope, 100),
  };
}

/** The on-chain status of an aggregated message on its destination (`ITransportAggregator.Status`). */
export const AGGREGATOR_RECORD_STATUS = ["NONE", "PENDING", "EXECUTED", "FAILED", "QUARANTINED"] as const;

/**
 * - UNKNOWN: the origin aggregator sent no message with this id (wrong chain or aggregator, not mined yet);
 * - SENT: sent, no leg delivered on the destination yet (or the destination is not read);
 * - PENDING: some legs delivered, fewer counted receipts than the threshold (or ready, waiting for `execute`);
 * - EXECUTED: the recipient accepted it (when the k-th leg arrived, by `execute` or on a retry);
 * - FAILED: k legs arrived, the recipient failed: anyone may `retry` it (once it succeeds, it is EXECUTED);
 * - QUARANTINED: gateways delivered different envelopes for the id: only an operator's delayed release frees it.
 */
export type AggregatedMessageStatus = "UNKNOWN" | "SENT" | "PENDING" | "EXECUTED" | "FAILED" | "QUARANTINED";

/** An aggregator on a chain. */
export type AggregatorEndpoint = ChainReader & { aggregator: Address };

/** One gateway's leg of the send, on the origin. */
export type AggregatedLeg = EventPoint & {
  gateway: Address;
  /** The gateway's slot in the origin aggregator (0: not registered any more). */
  slot: number;
  accepted: boolean;
  /** The gateway's own message id (its `sendMessage` return), when accepted. */
  legId?: Hex;
  /** What the aggregator paid the gateway (0 for unpaid gateways and failed legs). */
  fee: bigint;
  /** Why the gateway refused the leg (its revert, decoded), when it failed. */
  failure?: { revertData: Hex; reason: DecodedConcordError };
};

/** A gateway's delivery of a leg, on the destination. */
export type AggregatedReceipt = EventPoint & {
  gateway: Address;
  /** The gateway's slot in the destination aggregator. */
  slot: number;
  envelopeHash: Hex;
  /** The envelope is the id's recorded one (false: a conflicting envelope). */
  matches: boolean;
  /** The gateway is in the source's current receive set (its receipt counts). */
  counted: boolean;
};

export type AggregatedMessageStatusReturnType = {
  status: AggregatedMessageStatus;
  messageId: Hex;
  origin?: number;
  originAggregator: Address;
  destination?: number;
  /** The origin aggregator's `remoteAggregator(destination)` (address(0): none). */
  destinationAggregator?: Address;
  sent?: EventPoint & {
    sender: Hex;
    recipient: Hex;
    recipientAddress: Address;
    payload: Hex;
    version: bigint;
    /** Gateways that had to accept the send. */
    threshold: number;
    /** Bitmap of the origin slots that accepted. */
    accepted: bigint;
    /** What the gateways were paid in total. */
    fee: bigint;
    sponsored: boolean;
  };
  /** Every leg of the send (accepted and failed), in the order sent. */
  legs: AggregatedLeg[];
  envelope?: AggregatorEnvelope;
  /** The raw envelope (what `execute` and `retry` take). */
  envelopeBytes?: Hex;
  /** The destination's record: its status and recorded envelope hash. */
  record?: { status: (typeof AGGREGATOR_RECORD_STATUS)[number]; envelopeHash: Hex };
  /** Every receipt, oldest first. */
  receipts: AggregatedReceipt[];
  /** Receipts of the recorded envelope that count now, and the number the destination's rule requires
   * (undefined: no rule in effect for the message's version). */
  counted: number;
  required?: number;
  /** The receipt whose transaction executed the message (or left it FAILED): where the threshold was reached. */
  thresholdReached?: AggregatedReceipt;
  executed?: EventPoint;
  failures: (EventPoint & { revertData: Hex; reason: DecodedConcordError })[];
  retries: (EventPoint & { caller: Address; gasLimit: number; success: boolean })[];
  retried: boolean;
  /** The conflicting deliveries (gateway, the envelope it delivered), when quarantined or conflicting after
   * execution. */
  conflicts: (EventPoint & {
    gateway: Address;
    envelopeHash: Hex;
    conflictingHash: Hex;
    quarantined: boolean;
  })[];
  releaseScheduled?: EventPoint & { envelopeHash: Hex; readyAt: bigint };
  released?: EventPoint & { envelopeHash: Hex };
  /** What to do next: a sentence, and the call anyone (or the operator) can send. */
  next: { text: string; call?: AdapterCall };
};

export type AggregatedMessageStatusParameters = {
  /** The origin chain and the aggregator that sent the message. */
  origin: AggregatorEndpoint;
  /** The destination chain, or a function that gives it from the destination domain. */
  destination?: ChainReader | ((domain: number) => ChainReader | undefined);
  /** The aggregator id (`sendMessage`'s return); or give `transactionHash`, the send's transaction. */
  messageId?: Hex;
  transactionHash?: Hex;
};

type Parsed = Log<bigint, number, false> & { eventName: string; args: Record<string, unknown> };

const byPosition = (a: Parsed, b: Parsed) =>
  a.blockNumber !== b.blockNumber ? (a.blockNumber < b.blockNumber ? -1 : 1) : a.logIndex - b.logIndex;

/** The aggregator's events `eventNames` about `id` (topic 1), oldest first. */
async function aggregatorEvents(
  endpoint: AggregatorEndpoint,
  eventNames: readonly string[],
  id: Hex,
): Promise<Parsed[]> {
  const pager = endpoint.logPager ?? new LogPager(endpoint.publicClient);
  const signatures = eventNames.map((name) => eventTopics(iTransportAggregatorAbi, name)[0] as Hex);
  const logs = await pager.getLogsToLatest(
    { address: endpoint.aggregator, topics: [signatures, id] },
    startBlock(endpoint.fromBlock),
  );
  const parsed = parseEventLogs({ abi: iTransportAggregatorAbi, logs, strict: true }) as unknown as Parsed[];
  return parsed.filter((l) => eventNames.includes(l.eventName)).sort(byPosition);
}

/** The aggregator id of the send in `receipt` by `aggregator` (its `AggregatedMessageSent`), if any. */
export function aggregatedIdOf(receipt: TransactionReceipt, aggregator: Address): Hex | undefined {
  const sent = parseEventLogs({ abi: iTransportAggregatorAbi, logs: receipt.logs, strict: true }).find(
    (l) => l.eventName === "AggregatedMessageSent" && isAddressEqual(l.address, aggregator),
  );
  return sent?.eventName === "AggregatedMessageSent" ? sent.args.id : undefined;
}

const ZERO_HASH: Hex = `0x${"00".repeat(32)}`;

/**
 * The lifecycle of an aggregated message in one call: sent on the origin aggregator (block, transaction, total fee,
 * each gateway's leg: slot, address, its own message id, accepted or failed with the reason), each gateway's receipt
 * on the destination aggregator (block, transaction, counted or not), where the threshold was reached, executed /
 * failed / retried (retries keep the id), quarantined (with the conflicting gateways) and what to do next.
 */
export async function aggregatedMessageStatus(
  p: AggregatedMessageStatusParameters,
): Promise<AggregatedMessageStatusReturnType> {
  const o = p.origin.publicClient;
  let messageId = p.messageId;
  if (!messageId && p.transactionHash) {
    const receipt = await o.getTransactionReceipt({ hash: p.transactionHash });
    messageId = aggregatedIdOf(receipt, p.origin.aggregator);
  }
  const base: AggregatedMessageStatusReturnType = {
    status: "UNKNOWN",
    messageId: messageId ?? ZERO_HASH,
    originAggregator: p.origin.aggregator,
    legs: [],
    receipts: [],
    counted: 0,
    failures: [],
    retries: [],
    retried: false,
    conflicts: [],
    next: { text: "check the message id (or transaction), the origin chain and its aggregator" },
  };
  if (!messageId) return base;
  const id = messageId;
  const sentEvents = await aggregatorEvents(
    p.origin,
    ["MessageSent", "AggregatedMessageSent", "LegSent", "LegFailed"],
    id,
  );
  const aggSent = sentEvents.find((e) => e.eventName === "AggregatedMessageSent");
  const msgSent = sentEvents.find((e) => e.eventName === "MessageSent");
  if (!aggSent || !msgSent) return base;
  const txLegs = sentEvents.filter(
    (e) =>
      (e.eventName === "LegSent" || e.eventName === "LegFailed") &&
      e.transactionHash === aggSent.transactionHash,
  );
  const originRead = { address: p.origin.aggregator, abi: iTransportAggregatorAbi } as const;
  const destination = Number(aggSent.args.destination);
  const [origin, destinationAggregator, receipt, point] = await Promise.all([
    o.readContract({ ...originRead, functionName: "localDomain" }),
    o.readContract({ ...originRead, functionName: "remoteAggregator", args: [destination] }),
    o.getTransactionReceipt({ hash: aggSent.transactionHash }),
    pointOf(o, msgSent),
  ]);
  const args = msgSent.args as { sender: Hex; recipient: Hex; payload: Hex };
  // The gateways' own ERC-7786 `MessageSent` events of the transaction: an accepted leg's payload is the envelope.
  const gatewaySends = parseEventLogs({
    abi: iTransportAggregatorAbi,
    logs: receipt.logs,
    strict: false,
  }).filter(
    (l) => l.eventName === "MessageSent" && !isAddressEqual(l.address, p.origin.aggregator),
  ) as unknown as Parsed[];
  const legs: AggregatedLeg[] = [];
  let envelopeBytes: Hex | undefined;
  for (const e of txLegs) {
    const gateway = getAddress(e.args.gateway as Address);
    const slot = await o.readContract({ ...originRead, functionName: "slotOf", args: [gateway] });
    const at = await pointOf(o, e);
    if (e.eventName === "LegSent") {
      const legId = e.args.legId as Hex;
      legs.push({ ...at, gateway, slot, accepted: true, legId, fee: e.args.fee as bigint });
      const carried = gatewaySends.find(
        (g) =>
          isAddressEqual(g.address, gateway) && (g.args.sendId as Hex).toLowerCase() === legId.toLowerCase(),
      );
      if (carried && !envelopeBytes) envelopeBytes = carried.args.payload as Hex;
    } else {
      const revertData = e.args.reason as Hex;
      legs.push({
        ...at,
        gateway,
        slot,
        accepted: false,
        fee: 0n,
        failure: { revertData, reason: decodeConcordError(revertData) },
      });
    }
  }
  const envelope = envelopeBytes ? decodeAggregatorEnvelope(envelopeBytes) : undefined;
  const result: AggregatedMessageStatusReturnType = {
    ...base,
    status: "SENT",
    origin,
    destination,
    destinationAggregator,
    sent: {
      ...point,
      sender: args.sender,
      recipient: args.recipient,
      recipientAddress: parseEvmV1(args.recipient).address,
      payload: args.payload,
      version: aggSent.args.version as bigint,
      threshold: Number(aggSent.args.threshold),
      accepted: aggSent.args.accepted as bigint,
      fee: aggSent.args.fee as bigint,
      sponsored: aggSent.args.sponsored as boolean,
    },
    legs,
    ...(envelope ? { envelope, envelopeBytes } : {}),
    next: { text: `the transports' relayers deliver the legs; ${aggSent.args.threshold} must arrive` },
  };
  if (isAddressEqual(destinationAggregator, zeroAddress)) {
    result.next = {
      text: `the origin aggregator has no aggregator for domain ${destination} (scheduleRemoteAggregator, effective after the config delay)`,
    };
    return result;
  }
  const reader = typeof p.destination === "function" ? p.destination(destination) : p.destination;
  if (!reader) {
    result.next = { text: `domain ${destination} is not one of the chains given: its status is not read` };
    return result;
  }
  const d = reader.publicClient;
  const dest: AggregatorEndpoint = { ...reader, aggregator: destinationAggregator };
  const destRead = { address: destinationAggregator, abi: iTransportAggregatorAbi } as const;
  const [events, record, receiveSet] = await Promise.all([
    aggregatorEvents(
      dest,
      [
        "ReceiptRecorded",
        "ReceiptConflict",
        "Executed",
        "ExecutionFailed",
        "Retried",
        "ReleaseScheduled",
        "Released",
      ],
      id,
    ),
    d.readContract({ ...destRead, functionName: "record", args: [id] }),
    d.readContract({ ...destRead, functionName: "receiveSet", args: [origin] }),
  ]);
  const [statusIndex, recordedHash] = record;
  result.record = { status: AGGREGATOR_RECORD_STATUS[statusIndex] ?? "NONE", envelopeHash: recordedHash };
  const version = envelope?.version ?? result.sent!.version;
  const rule = await d.readContract({ ...destRead, functionName: "receiveRule", args: [origin, version] });
  if (rule.threshold !== 0)
    result.required =
      envelope && envelope.declaredValue > rule.valueBound ? rule.highThreshold : rule.threshold;
  const slots = new Map<string, number>();
  const slotOnB = async (gateway: Address) => {
    const key = gateway.toLowerCase();
    if (!slots.has(key))
      slots.set(key, await d.readContract({ ...destRead, functionName: "slotOf", args: [gateway] }));
    return slots.get(key)!;
  };
  for (const e of events) {
    const at = await pointOf(d, e);
    switch (e.eventName) {
      case "ReceiptRecorded": {
        const gateway = getAddress(e.args.gateway as Address);
        const slot = await slotOnB(gateway);
        const envelopeHash = e.args.envelopeHash as Hex;
        result.receipts.push({
          ...at,
          gateway,
          slot,
          envelopeHash,
          matches: envelopeHash.toLowerCase() === recordedHash.toLowerCase(),
          counted: ((receiveSet >> BigInt(slot)) & 1n) === 1n,
        });
        break;
      }
      case "ReceiptConflict":
        result.conflicts.push({
          ...at,
          gateway: getAddress(e.args.gateway as Address),
          envelopeHash: e.args.envelopeHash as Hex,
          conflictingHash: e.args.conflictingHash as Hex,
          quarantined: e.args.quarantined as boolean,
        });
        break;
      case "Executed":
        if (!result.executed) result.executed = at;
        break;
      case "ExecutionFailed": {
        const revertData = e.args.revertData as Hex;
        result.failures.push({ ...at, revertData, reason: decodeConcordError(revertData) });
        break;
      }
      case "Retried":
        result.retries.push({
          ...at,
          caller: getAddress(e.args.caller as Address),
          gasLimit: Number(e.args.gasLimit),
          success: e.args.success as boolean,
        });
        break;
      case "ReleaseScheduled":
        result.releaseScheduled = {
          ...at,
          envelopeHash: e.args.envelopeHash as Hex,
          readyAt: BigInt(e.args.readyAt as number),
        };
        break;
      case "Released":
        result.released = { ...at, envelopeHash: e.args.envelopeHash as Hex };
        break;
    }
  }
  result.retried = result.retries.length > 0;
  result.counted = result.receipts.filter((r) => r.matches && r.counted).length;
  // Where the threshold was reached: the receipt in the transaction of the first execution (or failure), if any.
  const firstOutcome = [result.failures[0], result.executed]
    .filter((x): x is EventPoint => x !== undefined)
    .sort((a, b) =>
      a.blockNumber !== b.blockNumber ? (a.blockNumber < b.blockNumber ? -1 : 1) : a.logIndex - b.logIndex,
    )[0];
  if (firstOutcome)
    result.thresholdReached = result.receipts.find((r) => r.transactionHash === firstOutcome.transactionHash);
  result.status =
    result.record.status === "NONE"
      ? "SENT"
      : (result.record.status as Exclude<AggregatedMessageStatus, "UNKNOWN" | "SENT">);
  result.next = nextStep(result, p.origin.aggregator, envelopeBytes);
  return result;
}

function nextStep(
  s: AggregatedMessageStatusReturnType,
  originAggregator: Address,
  envelope: Hex | undefined,
): AggregatedMessageStatusReturnType["next"] {
  const to = s.destinationAggregator!;
  const chainDomain = s.destination!;
  const call = (functionName: "execute" | "retry" | "release", args: readonly unknown[]): AdapterCall => ({
    chainDomain,
    to,
    functionName,
    call: `${functionName}(${args.map(String).join(", ")})`,
    args,
    data: encodeFunctionData({
      abi: iTransportAggregatorAbi,
      functionName,
      args: args as never,
    }),
  });
  const matchesRecorded = envelope && s.record && keccak256(envelope) === s.record.envelopeHash.toLowerCase();
  switch (s.status) {
    case "SENT":
      return {
        text: `the transports' relayers deliver the legs; ${s.required ?? s.sent!.threshold} must arrive`,
      };
    case "PENDING": {
      if (s.required === undefined)
        return {
          text: `no receive rule is in effect on the destination for version ${s.envelope?.version ?? "?"}`,
        };
      if (s.counted < s.required)
        return {
          text: `${s.counted} of ${s.required} counted receipts: waiting for ${s.required - s.counted} more leg(s)`,
        };
      if (!matchesRecorded)
        return {
          text: "ready: anyone can call execute(originAggregator, envelope) with the recorded envelope",
        };
      return {
        text: "ready (its rule or receive set took effect later): anyone can execute it",
        call: call("execute", [originAggregator, envelope]),
      };
    }
    case "EXECUTED":
      return { text: "nothing: the recipient accepted it" };
    case "FAILED": {
      const outOfGas = s.failures.at(-1)?.revertData === "0x";
      const gasLimit = s.envelope
        ? outOfGas
          ? Math.min(s.envelope.gasLimit * 2, 0xffff_ffff)
          : s.envelope.gasLimit
        : 0;
      const text = outOfGas
        ? "anyone can retry it (no revert data: it likely ran out of gas; give more than its limit); the id stays the same"
        : "anyone can retry it, once what the recipient rejects is fixed; the id stays the same";
      if (!matchesRecorded || !s.envelope)
        return { text: `${text} (envelope not found in the send's transaction)` };
      return { text, call: call("retry", [originAggregator, envelope, gasLimit]) };
    }
    case "QUARANTINED": {
      const gateways = [...new Set(s.conflicts.map((c) => c.gateway))].join(", ");
      if (s.releaseScheduled)
        return {
          text:
            `quarantined (conflicting envelope from ${gateways}); the operator scheduled a release of ` +
            `${s.releaseScheduled.envelopeHash}: anyone can release it from ${s.releaseScheduled.readyAt} (unix time)`,
          call: call("release", [s.messageId]),
        };
      return {
        text:
          `quarantined: gateways delivered different envelopes (conflicting: ${gateways}); only the operator can ` +
          `decide, with the delayed scheduleRelease(${s.messageId}, <envelopeHash>) on the destination aggregator ` +
          `(restricted), then anyone calls release(${s.messageId}) after its releaseDelay; the id still needs its ` +
          `threshold of receipts of the chosen envelope`,
      };
    }
    default:
      return s.next;
  }
}

export type RetryAggregatedMessageParameters = WriteClients & {
  /** The destination aggregator (where the message is FAILED). */
  aggregator: Address;
  /** The origin aggregator (the id is derived from it, the envelope's origin and nonce). */
  originAggregator: Address;
  /** The recorded envelope ({@link aggregatedMessageStatus} recovers it: `envelopeBytes`). */
  envelope: Hex;
  /** Gas the recipient gets: at least the envelope's own gas limit (the default). */
  gasLimit?: number;
  /** Called with the retry transaction's hash as soon as it is sent. */
  onTransaction?: (hash: Hex) => void;
};

export type RetryAggregatedMessageReturnType = {
  receipt: TransactionReceipt;
  /** The aggregator id: the same id as the send's (a retry never makes a new one). */
  messageId: Hex;
  gasLimit: number;
  /** EXECUTED: the recipient accepted it now; FAILED: it failed again (still retryable). */
  status: "EXECUTED" | "FAILED";
  /** The new failure, when it failed again. */
  failure?: { revertData: Hex; reason: DecodedConcordError };
};

/**
 * Re-executes a FAILED aggregated message: `aggregator.retry(originAggregator, envelope, gasLimit)` on the destination
 * (anyone may; the id stays the same), and reads the outcome from its `Retried` event. The aggregator refuses (decoded
 * in the ConcordTransactionError) a message that is not FAILED (`TransportAggregatorNotFailed`), a gas limit below the
 * envelope's (`TransportAggregatorRetryGasBelowLimit`), an envelope that is not the recorded one
 * (`TransportAggregatorEnvelopeMismatch`) and a message whose counted receipts fell below its rule since it failed
 * (`TransportAggregatorNotReady`: the receipts are counted again over the current receive set).
 */
export async function retryAggregatedMessage(
  p: RetryAggregatedMessageParameters,
): Promise<RetryAggregatedMessageReturnType> {
  const gasLimit = p.gasLimit ?? decodeAggregatorEnvelope(p.envelope).gasLimit;
  const receipt = await writeAndWait(p, {
    address: p.aggregator,
    abi: iTransportAggregatorAbi,
    functionName: "retry",
    args: [p.originAggregator, p.envelope, gasLimit],
    onTransaction: p.onTransaction,
  });
  const events = parseEventLogs({ abi: iTransportAggregatorAbi, logs: receipt.logs, strict: true }).filter(
    (l) => isAddressEqual(l.address, p.aggregator),
  );
  const retried = events.find((l) => l.eventName === "Retried");
  if (!retried || retried.eventName !== "Retried")
    throw new ConcordStateError(
      "no Retried event in the retry transaction",
      `transaction ${receipt.transactionHash} on ${p.aggregator}`,
    );
  const result: RetryAggregatedMessageReturnType = {
    receipt,
    messageId: retried.args.id,
    gasLimit,
    status: retried.args.success ? "EXECUTED" : "FAILED",
  };
  const failed = events.find((l) => l.eventName === "ExecutionFailed");
  if (!retried.args.success && failed?.eventName === "ExecutionFailed")
    result.failure = {
      revertData: failed.args.revertData,
      reason: decodeConcordError(failed.args.revertData),
    };
  return result;
}
