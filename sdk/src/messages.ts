/**
 * Plain messages through a ConcordGateway: fee quote (GasPaymaster), send (`dispatch`, with an optional gas
 * payment), delivery (`process` / `retry`, for relayers and tests), and the message's status across both chains.
 */
import {
  type Abi,
  type Address,
  type BlockNumber,
  type BlockTag,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  isAddressEqual,
  parseEventLogs,
  zeroAddress,
} from "viem";
import { gatewayAbi, paymasterAbi } from "./abis.js";
import {
  type ConcordMessage,
  addressToBytes32,
  decodeConcordMessage,
  messageId as hashMessage,
} from "./codec.js";
import { type DecodedConcordError, decodeConcordError } from "./decodeError.js";
import { ConcordStateError } from "./errors.js";
import { LogPager, eventTopics, startBlock } from "./logs.js";
import { type DigestSigner, messageIdDigest, messageIdMetadata, signDigest } from "./metadata.js";
import { type EventPoint, type WriteClients, eventsOf, pointOf, writeAndWait } from "./transact.js";

// ---------------------------------------------------------------------------------------------
// Fees
// ---------------------------------------------------------------------------------------------

export type QuoteMessageFeeParameters = {
  publicClient: PublicClient;
  /** The GasPaymaster on the origin chain. */
  paymaster: Address;
  /** Destination domain (EVM chain id). */
  destination: number;
  /** Gas to pay for on the destination (the message's gas limit). */
  gasLimit: bigint | number;
};

/** Native fee (wei, origin chain) that `GasPaymaster.payForGas` asks for `gasLimit` gas on `destination`. */
export async function quoteMessageFee(p: QuoteMessageFeeParameters): Promise<bigint> {
  return (await p.publicClient.readContract({
    address: p.paymaster,
    abi: paymasterAbi(),
    functionName: "quoteGasPayment",
    args: [p.destination, BigInt(p.gasLimit)],
  })) as bigint;
}

export type PayForGasParameters = WriteClients & {
  paymaster: Address;
  messageId: Hex;
  destination: number;
  gasLimit: bigint | number;
  /** Receives any overpayment (pull); defaults to the sender. */
  refundTo?: Address;
  /** Native value to pay; defaults to the paymaster's quote for this message (`quotePayment`). */
  value?: bigint;
  /** Called with the payment transaction's hash as soon as it is sent. */
  onTransaction?: (hash: Hex) => void;
};

/**
 * Pays for a message's destination gas, or tops it up when the message was already paid for (the first payment
 * includes the destination's fixed overhead, a top-up does not). Overpayment is credited to `refundTo` (pull).
 */
export async function payForGas(
  p: PayForGasParameters,
): Promise<{ value: bigint; receipt: TransactionReceipt }> {
  const value =
    p.value ??
    ((await p.publicClient.readContract({
      address: p.paymaster,
      abi: paymasterAbi(),
      functionName: "quotePayment",
      args: [p.messageId, p.destination, BigInt(p.gasLimit)],
    })) as bigint);
  const sender = p.account ?? p.walletClient.account;
  const refundTo = p.refundTo ?? (typeof sender === "string" ? sender : (sender?.address ?? zeroAddress));
  const receipt = await writeAndWait(p, {
    address: p.paymaster,
    abi: paymasterAbi(),
    functionName: "payForGas",
    args: [p.messageId, p.destination, BigInt(p.gasLimit), refundTo],
    value,
    onTransaction: p.onTransaction,
  });
  return { value, receipt };
}

// ---------------------------------------------------------------------------------------------
// Send
// ---------------------------------------------------------------------------------------------

export type SendMessageParameters = WriteClients & {
  /** The ConcordGateway on the origin chain. */
  gateway: Address;
  /** Destination domain (EVM chain id). */
  destination: number;
  /** Recipient on the destination (an ERC-7786 recipient). */
  recipient: Address;
  /** Application payload. */
  payload: Hex;
  /** Destination gas limit; the gateway's default when omitted. */
  gasLimit?: number;
  /** Pay for the destination gas in a second transaction, through the GasPaymaster. */
  gasPayment?: { paymaster: Address; value?: bigint; refundTo?: Address };
  /** Called with the dispatch transaction's hash as soon as it is sent (not with the payment's). */
  onTransaction?: (hash: Hex) => void;
};

export type SendMessageReturnType = {
  messageId: Hex;
  /** The packed message, from the gateway's `Dispatched` event. */
  message: Hex;
  decoded: ConcordMessage;
  receipt: TransactionReceipt;
  /** Set when `gasPayment` was requested. */
  gasPayment?: { value: bigint; receipt: TransactionReceipt };
};

/** Sends `payload` to `recipient` on `destination` through `gateway.dispatch`, optionally paying for gas. */
export async function sendMessage(p: SendMessageParameters): Promise<SendMessageReturnType> {
  const abi = gatewayAbi();
  const recipient = addressToBytes32(p.recipient);
  const receipt = await writeAndWait(p, {
    address: p.gateway,
    abi,
    functionName: "dispatch",
    args:
      p.gasLimit === undefined
        ? [p.destination, recipient, p.payload]
        : [p.destination, recipient, p.gasLimit, p.payload],
    onTransaction: p.onTransaction,
  });
  const [dispatched] = eventsOf(abi, p.gateway, receipt.logs, "Dispatched");
  if (!dispatched)
    throw new ConcordStateError("no Dispatched event", `transaction ${receipt.transactionHash}`);
  const message = dispatched.args.message as Hex;
  const id = dispatched.args.messageId as Hex;
  if (hashMessage(message) !== id) throw new ConcordStateError("Dispatched event id mismatch", id);
  const decoded = decodeConcordMessage(message);
  const result: SendMessageReturnType = { messageId: id, message, decoded, receipt };
  if (p.gasPayment) {
    result.gasPayment = await payForGas({
      ...p,
      onTransaction: undefined,
      paymaster: p.gasPayment.paymaster,
      messageId: id,
      destination: p.destination,
      gasLimit: decoded.gasLimit,
      refundTo: p.gasPayment.refundTo,
      value: p.gasPayment.value,
    });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Deliver (relayers, tests)
// ---------------------------------------------------------------------------------------------

/** Outcome of a delivery attempt, from the destination gateway's events in the receipt. */
export type DeliveryOutcome = {
  status: "EXECUTED" | "FAILED";
  receipt: TransactionReceipt;
  /** The recipient's revert, decoded, when FAILED. */
  failure?: { revertData: Hex; reason: DecodedConcordError };
};

function outcomeOf(gateway: Address, id: Hex, receipt: TransactionReceipt): DeliveryOutcome {
  const abi = gatewayAbi();
  const executed = eventsOf(abi, gateway, receipt.logs, "Executed").find((e) => e.args.messageId === id);
  if (executed) return { status: "EXECUTED", receipt };
  const failed = eventsOf(abi, gateway, receipt.logs, "ExecutionFailed").find((e) => e.args.messageId === id);
  if (!failed) throw new ConcordStateError("no Executed or ExecutionFailed event", receipt.transactionHash);
  const data = failed.args.revertData as Hex;
  return { status: "FAILED", receipt, failure: { revertData: data, reason: decodeConcordError(data) } };
}

export type ProcessMessageParameters = WriteClients & {
  /** The ConcordGateway on the destination chain. */
  gateway: Address;
  metadata: Hex;
  message: Hex;
  /** Called with the delivery transaction's hash as soon as it is sent. */
  onTransaction?: (hash: Hex) => void;
};

/** Delivers `message` with `metadata` (`gateway.process`); the recipient's failure is an outcome, not a throw. */
export async function processMessage(p: ProcessMessageParameters): Promise<DeliveryOutcome> {
  const receipt = await writeAndWait(p, {
    address: p.gateway,
    abi: gatewayAbi(),
    functionName: "process",
    args: [p.metadata, p.message],
    onTransaction: p.onTransaction,
  });
  return outcomeOf(p.gateway, hashMessage(p.message), receipt);
}

export type RetryMessageParameters = WriteClients & {
  /** The ConcordGateway on the destination chain. */
  gateway: Address;
  message: Hex;
  /**
   * Gas the recipient gets (at least the message's own gas limit, which is the default). A message that failed
   * because its recipient ran out of gas is retried with more.
   */
  gasLimit?: number;
  /** Called with the retry transaction's hash as soon as it is sent. */
  onTransaction?: (hash: Hex) => void;
};

/** Re-delivers a FAILED message (`gateway.retry(message, gasLimit)`, anyone). */
export async function retryMessage(p: RetryMessageParameters): Promise<DeliveryOutcome> {
  const gasLimit = p.gasLimit ?? decodeConcordMessage(p.message).gasLimit;
  const receipt = await writeAndWait(p, {
    address: p.gateway,
    abi: gatewayAbi(),
    functionName: "retry",
    args: [p.message, gasLimit],
    onTransaction: p.onTransaction,
  });
  return outcomeOf(p.gateway, hashMessage(p.message), receipt);
}

export type SignMessageIdMetadataParameters = {
  message: Hex;
  /** The origin gateway (what the destination verifier is configured with). */
  originGateway: Address | Hex;
  /** Validators (a threshold of them); viem local accounts. */
  signers: readonly DigestSigner[];
};

/** Metadata for a message-id multisig verifier: each signer signs the message's checkpoint digest. */
export async function signMessageIdMetadata(p: SignMessageIdMetadataParameters): Promise<Hex> {
  const m = decodeConcordMessage(p.message);
  const digest = messageIdDigest({
    origin: m.origin,
    originGateway: p.originGateway,
    messageId: hashMessage(p.message),
    nonce: m.nonce,
  });
  const signatures = await Promise.all(p.signers.map((signer) => signDigest(signer, digest)));
  return messageIdMetadata({ signatures });
}

// ---------------------------------------------------------------------------------------------
// Status across chains
// ---------------------------------------------------------------------------------------------

/**
 * Where a message is:
 * - UNKNOWN: no `Dispatched` event for the id on the origin gateway (wrong chain, or not mined yet);
 * - SENT: dispatched on the origin, not delivered on the destination;
 * - EXECUTED: the recipient accepted it (at the first delivery or a retry);
 * - FAILED: delivered, the recipient rejected it; retryable by anyone (`retryMessage`, with more gas if needed).
 *
 * The destination's delivery records are read for this origin gateway (instance semantics): its instance
 * (`instanceOf(origin, originGateway)`) and `deliveredAt(origin, instance, nonce)`, the id record
 * (`deliveredById`) and the failure record (`failedRevertDataHash`). A message delivered while its origin gateway
 * was the enrolled one stays EXECUTED after the route moves to another origin gateway.
 */
export type MessageStatus = "UNKNOWN" | "SENT" | "EXECUTED" | "FAILED";

/** One side of a message status query. */
export type GatewayEndpoint = {
  publicClient: PublicClient;
  gateway: Address;
  /**
   * First block to search for events: the gateway's deploy block (the registry's `deployBlock`) on chains with long
   * histories; default 0 ("earliest"). Logs are read page by page from there ({@link LogPager}).
   */
  fromBlock?: BlockNumber | BlockTag;
  /** The pager to read logs with (default: a new one); share one per RPC endpoint to keep what it learned. */
  logPager?: LogPager;
};

export type MessageStatusParameters = {
  /** The origin chain and the gateway that dispatched the message (e.g. from the deployments registry). */
  origin: GatewayEndpoint;
  destination: GatewayEndpoint;
  messageId: Hex;
};

/** What the destination gateway knows about the message's origin gateway. */
export type OriginRoute = {
  /** `instanceOf(origin, originGateway)`: its delivery-record namespace; 0 = never enrolled (not deliverable). */
  instance: number;
  /** The origin gateway is the one the destination's route enrolls now (new messages of it are deliverable). */
  current: boolean;
  /** The destination's route for the origin is paused (delivery and retry wait). */
  paused: boolean;
};

export type MessageStatusReturnType = {
  status: MessageStatus;
  messageId: Hex;
  /** The packed message (from the origin's `Dispatched` event). */
  message?: Hex;
  decoded?: ConcordMessage;
  /** The destination's route for the message's origin gateway (absent for UNKNOWN). */
  route?: OriginRoute;
  /** `Dispatched` on the origin. */
  sent?: EventPoint;
  /** First delivery on the destination (`process`). */
  delivered?: EventPoint;
  /** `Executed` on the destination (by `process` or a successful retry). */
  executed?: EventPoint;
  /** Every recorded failure (first delivery and failed retries), oldest first. */
  failures: (EventPoint & { revertData: Hex; reason: DecodedConcordError })[];
  /** Every `retry`, oldest first: who, the gas the recipient got, the transaction's gas used, the outcome. */
  retries: (EventPoint & { caller: Address; gasLimit: number; gasUsed: bigint; success: boolean })[];
  /** Whether the message was retried at least once. */
  retried: boolean;
};

type RawLog = {
  blockNumber: bigint | null;
  transactionHash: Hex | null;
  logIndex: number | null;
  args: Record<string, unknown>;
};

/** The gateway's events `eventNames` about `id` (topic 1), oldest first: one paged log walk for all of them. */
async function gatewayEvents(
  endpoint: GatewayEndpoint,
  eventNames: readonly string[],
  id: Hex,
): Promise<(RawLog & { eventName: string })[]> {
  const abi = gatewayAbi();
  const pager = endpoint.logPager ?? new LogPager(endpoint.publicClient);
  const signatures = eventNames.map((name) => eventTopics(abi, name)[0] as Hex);
  const logs = await pager.getLogsToLatest(
    { address: endpoint.gateway, topics: [signatures, id] },
    startBlock(endpoint.fromBlock),
  );
  const parsed = parseEventLogs({ abi, logs, strict: true }) as unknown as (RawLog & { eventName: string })[];
  return parsed.filter(
    (log) =>
      eventNames.includes(log.eventName) && String(log.args.messageId).toLowerCase() === id.toLowerCase(),
  );
}

const order = (a: RawLog, b: RawLog): number =>
  a.blockNumber !== b.blockNumber
    ? Number((a.blockNumber ?? 0n) - (b.blockNumber ?? 0n))
    : (a.logIndex ?? 0) - (b.logIndex ?? 0);

const ZERO_HASH = `0x${"00".repeat(32)}`;

/**
 * The status of `messageId` across its two chains in one call: the origin's `Dispatched` event, the destination
 * gateway's delivery records for that origin gateway (see `MessageStatus`) and its `Executed` / `ExecutionFailed` /
 * `Retried` events, with blocks and timestamps.
 */
export async function messageStatus(p: MessageStatusParameters): Promise<MessageStatusReturnType> {
  const base: MessageStatusReturnType = {
    status: "UNKNOWN",
    messageId: p.messageId,
    failures: [],
    retries: [],
    retried: false,
  };
  const [dispatched] = await gatewayEvents(p.origin, ["Dispatched"], p.messageId);
  if (!dispatched) return base;
  const message = dispatched.args.message as Hex;
  const decoded = decodeConcordMessage(message);
  const o = p.origin.publicClient;
  const d = p.destination.publicClient;
  const read = <T>(functionName: string, args: readonly unknown[]) =>
    d.readContract({
      address: p.destination.gateway,
      abi: gatewayAbi() as Abi,
      functionName,
      args,
    }) as Promise<T>;
  const [sent, destinationLogs, failedHash, byId, instance, route] = await Promise.all([
    pointOf(o, dispatched),
    gatewayEvents(p.destination, ["Executed", "ExecutionFailed", "Retried"], p.messageId),
    read<Hex>("failedRevertDataHash", [p.messageId]),
    read<boolean>("deliveredById", [p.messageId]),
    read<number>("instanceOf", [decoded.origin, p.origin.gateway]),
    read<readonly [Address, number, boolean, Address]>("route", [decoded.origin]),
  ]);
  const executedLogs = destinationLogs.filter((log) => log.eventName === "Executed");
  const failedLogs = destinationLogs.filter((log) => log.eventName === "ExecutionFailed");
  const retryLogs = destinationLogs.filter((log) => log.eventName === "Retried");
  const byRoute =
    instance !== 0 && (await read<boolean>("deliveredAt", [decoded.origin, instance, decoded.nonce]));
  const deliveries = [...executedLogs, ...failedLogs].sort(order);
  const failures = await Promise.all(
    failedLogs.sort(order).map(async (log) => {
      const revertData = log.args.revertData as Hex;
      return { ...(await pointOf(d, log)), revertData, reason: decodeConcordError(revertData) };
    }),
  );
  const retries = await Promise.all(
    retryLogs.sort(order).map(async (log) => {
      const point = await pointOf(d, log);
      const receipt = await d.getTransactionReceipt({ hash: point.transactionHash });
      return {
        ...point,
        caller: log.args.caller as Address,
        gasLimit: Number(log.args.gasLimit),
        gasUsed: receipt.gasUsed,
        success: log.args.success as boolean,
      };
    }),
  );
  const status: MessageStatus = failedHash !== ZERO_HASH ? "FAILED" : byId || byRoute ? "EXECUTED" : "SENT";
  const result: MessageStatusReturnType = {
    ...base,
    status,
    message,
    decoded,
    route: {
      instance,
      current: instance !== 0 && isAddressEqual(route[3], p.origin.gateway),
      paused: route[2],
    },
    sent,
    failures,
    retries,
    retried: retries.length > 0,
  };
  if (deliveries[0]) result.delivered = await pointOf(d, deliveries[0]);
  if (executedLogs[0]) result.executed = await pointOf(d, executedLogs.sort(order)[0]!);
  return result;
}
