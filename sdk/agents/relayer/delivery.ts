/**
 * Relayer concern: delivery. Claims signed messages for a destination (one instance at a time), first checks on
 * chain any it may have sent before (restart, expired lease), then delivers the rest with `process`, or several per
 * transaction through `ConcordBatchProcessor` (falling back to one by one when a batch cannot be sent), and records
 * each outcome. A refusal waiting cannot cure parks the message; a destination that does not answer releases it
 * without spending an attempt; anything else is retried later with back-off, up to `retry.maxAttempts`.
 */
import { type Address, type Hex, type TransactionReceipt, decodeEventLog, encodeFunctionData } from "viem";
import { decodeConcordMessage } from "../../src/codec.js";
import { GatewayMessageStatus, batchProcessorAbi, gatewayAbi } from "../abi.js";
import type { MessageRecord } from "../store.js";
import type { Chain, Sent } from "./config.js";
import type { RelayerContext } from "./context.js";
import { PARKING_ERRORS, describeFailure, describeRevertData, failureKind, shortError } from "./failures.js";
import { prepareCheckpointBatch } from "./checkpoints.js";
import { DELIVERY_GAS, type DeliveryGasCosts, messageGasBound, txGasBound } from "./gas.js";
import { verifierFor } from "./signing.js";
import { anyPending, onchainStatus, sendTx, waitMined } from "./transactions.js";

function backoff(ctx: RelayerContext, attempts: number): number {
  const r = ctx.config.retry ?? {};
  const delay = Math.min(r.maxDelayMs ?? 30_000, (r.baseDelayMs ?? 500) * 2 ** attempts);
  return Date.now() + Math.round(delay * (0.75 + Math.random() * 0.5));
}

async function retryOrFail(ctx: RelayerContext, r: MessageRecord, error: string): Promise<void> {
  const giveUp = r.attempts + 1 >= (ctx.config.retry?.maxAttempts ?? 8);
  ctx.count("concord_relayer_retries_total", { destination: r.destination });
  await ctx.store.retryLater(r.id, error, backoff(ctx, r.attempts), giveUp, Date.now());
}

/** When a FAILED outcome's automatic retry is first due (undefined: auto-retry is off). */
export function retryAt(ctx: RelayerContext): number | undefined {
  return ctx.config.retryFailed ? Date.now() : undefined;
}

/** The delivery transactions to `dest` in flight (sent, their wait and outcome recording not finished). */
function inflightOf(ctx: RelayerContext, dest: Chain): Set<Promise<void>> {
  let set = ctx.inflight.get(dest.domain);
  if (!set) ctx.inflight.set(dest.domain, (set = new Set()));
  return set;
}

/**
 * Runs `work` (the wait for a sent transaction and the recording of its outcomes) beside the delivery loop; its
 * messages are not claimed again until it ends. A failure of `work` (the node did not answer, the relayer stopped)
 * leaves them SUBMITTED: a later pass resolves them from chain state like after a restart.
 */
function track(ctx: RelayerContext, dest: Chain, rows: readonly MessageRecord[], work: Promise<void>): void {
  const set = inflightOf(ctx, dest);
  for (const r of rows) ctx.inflightIds.add(r.id);
  const done: Promise<void> = work
    .catch((e: unknown) => {
      ctx.logger.warn("delivery outcome not recorded yet; resolved on a later pass", {
        destination: dest.domain,
        error: shortError(e),
      });
    })
    .finally(() => {
      set.delete(done);
      for (const r of rows) ctx.inflightIds.delete(r.id);
    });
  set.add(done);
}

/** Waits until every delivery transaction in flight has settled (the relayer's `stop`). */
export async function drainDeliveries(ctx: RelayerContext): Promise<void> {
  for (;;) {
    const pending = [...ctx.inflight.values()].flatMap((s) => [...s]);
    if (pending.length === 0) return;
    await Promise.all(pending);
  }
}

/**
 * Delivers claimed signed messages, with up to `maxInFlight` delivery transactions to `dest` awaiting their
 * receipts at once; undefined when there was nothing to claim.
 */
export async function deliverSigned(ctx: RelayerContext, dest: Chain): Promise<boolean | undefined> {
  const maxInFlight = ctx.config.maxInFlight ?? 4;
  const inflight = inflightOf(ctx, dest);
  if (inflight.size >= maxInFlight) {
    // Every slot is busy: wait for one transaction to settle, then claim again.
    await Promise.race(inflight);
    return true;
  }
  const free = maxInFlight - inflight.size;
  const batch = ctx.config.maxBatchSize ?? 50;
  // Messages in flight are SUBMITTED rows this instance holds, which `claim` returns too: ask for that many more.
  const claimed = await ctx.store.claim(
    dest.domain,
    ctx.instanceId,
    (dest.batchProcessor ? batch : 1) * free + ctx.inflightIds.size,
    ctx.config.leaseMs ?? 60_000,
    Date.now(),
  );
  const rows = claimed.filter((r) => !ctx.inflightIds.has(r.id));
  if (rows.length === 0) return undefined;
  const toSend: MessageRecord[] = [];
  let resolved = 0;
  for (const r of rows) {
    if (r.status !== "SUBMITTED" && r.attempts === 0) {
      toSend.push(r);
      continue;
    }
    // Recovery path (restart, expired lease, earlier failure): on-chain status first, then our own transactions.
    const status = await onchainStatus(ctx, dest, r.message);
    if (status !== GatewayMessageStatus.NONE) {
      const tx = await findDeliveryTx(ctx, dest, r);
      await ctx.store.setDelivered(
        r.id,
        tx,
        status === GatewayMessageStatus.EXECUTED ? "EXECUTED" : "FAILED",
        Date.now(),
        tx ? "found after restart" : "already delivered (not by this relayer)",
        retryAt(ctx),
      );
      ctx.estimateAlone.delete(r.id);
      ctx.count("concord_relayer_delivered_total", { destination: dest.domain, how: "recovered" });
      resolved++;
      continue;
    }
    if (r.status === "SUBMITTED" && (await anyPending(ctx, dest, r.submitTxs))) continue; // still in the mempool: lease keeps it
    toSend.push(r);
  }
  // Only transactions still in the mempool: nothing to do until they are mined (sleep, do not spin).
  if (toSend.length === 0) return resolved > 0;
  // Messages that do not fit in the free slots stay claimed by this instance: the next pass takes them.
  const plans = (await planTransactions(ctx, dest, toSend)).slice(0, free);
  let down: string | undefined;
  for (const plan of plans) {
    if (down) {
      // The destination did not answer for an earlier transaction of this pass: wait, without spending an attempt.
      for (const r of plan.rows)
        await ctx.store.release(r.id, Date.now() + (ctx.config.retry?.baseDelayMs ?? 500), down);
      continue;
    }
    // Range checkpoints: signatures kept on one message per unrecorded range of this transaction (checkpoints.ts).
    const metadata = await prepareCheckpointBatch(
      ctx,
      dest,
      plan.rows,
      plan.batch,
      async (r) => (await onchainStatus(ctx, dest, r.message)) !== GatewayMessageStatus.NONE,
    );
    plan.rows.forEach((r, i) => (r.metadata = metadata[i]!));
    if (plan.batch) down = await sendBatch(ctx, dest, plan.rows, plan.gas);
    else down = await sendSingle(ctx, dest, plan.rows[0]!, plan.gas);
  }
  return true;
}

/** One delivery transaction: a batch or a lone `process`, with its gas bound (undefined: estimate it). */
type Plan = { rows: MessageRecord[]; batch: boolean; gas: bigint | undefined };

/** The most gas one calldata byte costs (EIP-7623's floor: 10 per token, 4 tokens per non-zero byte). */
const MAX_GAS_PER_CALLDATA_BYTE = 40n;
/** ABI words around each item of `processBatch(gateway, bytes[], bytes[])`: two offsets, two lengths, padding. */
const BATCH_ITEM_ABI_BYTES = 4 * 32 + 62;

/**
 * Groups `rows` into delivery transactions. Bounded messages (gas.ts) go in batches of at most `maxBatchSize`
 * whose bound stays under `maxTxGas` (or alone with their bound without a batch processor); messages without a
 * bound go in one batch with an estimate; messages whose bounded delivery ran out of gas go alone with an
 * estimate.
 */
async function planTransactions(ctx: RelayerContext, dest: Chain, rows: MessageRecord[]): Promise<Plan[]> {
  const maxBatch = ctx.config.maxBatchSize ?? 50;
  const maxTxGas = BigInt(ctx.config.maxTxGas ?? 16_777_216);
  const costs = ctx.config.gasBound === false ? undefined : { ...DELIVERY_GAS, ...ctx.config.gasBound };
  const plans: Plan[] = [];
  const unbounded: MessageRecord[] = [];
  let chunk: MessageRecord[] = [];
  let chunkGas = 0n;
  let chunkBytes = 0n;
  const flush = () => {
    if (chunk.length === 0) return;
    const data = batchData(dest, chunk);
    plans.push({ rows: chunk, batch: chunk.length > 1, gas: txGasBound(data, chunkGas, costs) });
    chunk = [];
    chunkGas = 0n;
    chunkBytes = 0n;
  };
  for (const r of rows) {
    if (ctx.estimateAlone.has(r.id)) {
      plans.push({ rows: [r], batch: false, gas: undefined });
      continue;
    }
    const bound = costs ? await messageBound(ctx, r, costs) : undefined;
    const bytes = BigInt((r.message.length + r.metadata!.length - 4) / 2 + BATCH_ITEM_ABI_BYTES);
    // What the transaction could cost at most with this message in: intrinsic gas at the floor's highest rate.
    const worst = (extra: bigint, extraBytes: bigint) =>
      21_000n + BigInt(costs?.batchBase ?? 0) + extra + (extraBytes + 68n) * MAX_GAS_PER_CALLDATA_BYTE;
    if (bound === undefined || worst(bound, bytes) > maxTxGas) {
      unbounded.push(r);
      continue;
    }
    if (!dest.batchProcessor) {
      const data = processData(r);
      plans.push({ rows: [r], batch: false, gas: txGasBound(data, bound, costs) });
      continue;
    }
    if (chunk.length >= maxBatch || worst(chunkGas + bound, chunkBytes + bytes) > maxTxGas) flush();
    chunk.push(r);
    chunkGas += bound;
    chunkBytes += bytes;
  }
  flush();
  // Messages without a bound (e.g. checkpoint families) go in batches of at most maxBatchSize, each estimated.
  if (unbounded.length > 1 && dest.batchProcessor)
    for (let i = 0; i < unbounded.length; i += maxBatch)
      plans.push({ rows: unbounded.slice(i, i + maxBatch), batch: true, gas: undefined });
  else for (const r of unbounded) plans.push({ rows: [r], batch: false, gas: undefined });
  // A lone message in a "batch" plan is sent with `process` (no batch processor overhead).
  for (const p of plans) if (p.rows.length === 1 && p.batch) p.batch = false;
  return plans;
}

/** The bound of `r`'s delivery (gas.ts), or undefined when its verifier is not a family the bound covers. */
async function messageBound(
  ctx: RelayerContext,
  r: MessageRecord,
  costs: DeliveryGasCosts,
): Promise<bigint | undefined> {
  let verifier;
  try {
    verifier = await verifierFor(ctx, r);
  } catch {
    return undefined; // the estimate path meets the same problem and handles it
  }
  const { gasLimit } = decodeConcordMessage(r.message);
  return messageGasBound({ message: r.message, metadata: r.metadata!, gasLimit, verifier }, costs);
}

function processData(r: MessageRecord): Hex {
  return encodeFunctionData({ abi: gatewayAbi, functionName: "process", args: [r.metadata!, r.message] });
}

function batchData(dest: Chain, rows: readonly MessageRecord[]): Hex {
  if (rows.length === 1) return processData(rows[0]!);
  return encodeFunctionData({
    abi: batchProcessorAbi,
    functionName: "processBatch",
    args: [dest.gateway, rows.map((r) => r.metadata!), rows.map((r) => r.message)],
  });
}

async function findDeliveryTx(ctx: RelayerContext, dest: Chain, r: MessageRecord): Promise<Hex | null> {
  for (const hash of r.submitTxs) {
    const receipt = await dest.client.getTransactionReceipt({ hash }).catch(() => null);
    if (receipt && receipt.status === "success" && receiptOutcomes(dest, receipt).has(r.id)) return hash;
  }
  return null;
}

/** messageId -> outcome, from the gateway's Executed / ExecutionFailed logs in `receipt`. */
function receiptOutcomes(dest: Chain, receipt: TransactionReceipt): Map<Hex, "EXECUTED" | "FAILED"> {
  const out = new Map<Hex, "EXECUTED" | "FAILED">();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== dest.gateway.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: gatewayAbi, data: log.data, topics: log.topics, strict: false });
      if (ev.eventName === "Executed" && ev.args.messageId)
        out.set(ev.args.messageId.toLowerCase() as Hex, "EXECUTED");
      if (ev.eventName === "ExecutionFailed" && ev.args.messageId)
        out.set(ev.args.messageId.toLowerCase() as Hex, "FAILED");
    } catch {
      // not one of ours
    }
  }
  return out;
}

/** messageId -> why its batch item reverted (decoded), from the processor's BatchItemFailed logs. */
function batchFailures(
  receipt: TransactionReceipt,
  processor: Address,
): Map<Hex, { name: string | undefined; text: string }> {
  const out = new Map<Hex, { name: string | undefined; text: string }>();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== processor.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({
        abi: batchProcessorAbi,
        data: log.data,
        topics: log.topics,
        strict: false,
      });
      if (ev.eventName === "BatchItemFailed" && ev.args.messageId)
        out.set(ev.args.messageId.toLowerCase() as Hex, describeRevertData(ev.args.reason ?? "0x"));
    } catch {
      // not one of ours
    }
  }
  return out;
}

/** Records the delivery transaction of `ids` (SUBMITTED) before it is broadcast. */
function submitted(ctx: RelayerContext, ids: Hex[]): (hash: Hex, nonce: number) => Promise<void> {
  return (hash, nonce) => ctx.store.setSubmitted(ids, hash, nonce, Date.now());
}

/**
 * Sends one batch (with `gas`, or an estimate); its wait and outcomes run beside the loop. A batch that cannot be
 * sent is delivered one by one with estimates. Returns the problem when the destination did not answer.
 */
async function sendBatch(
  ctx: RelayerContext,
  dest: Chain,
  rows: MessageRecord[],
  gas: bigint | undefined,
): Promise<string | undefined> {
  const record = submitted(
    ctx,
    rows.map((r) => r.id),
  );
  let sent: Sent;
  try {
    sent = await sendTx(ctx, dest, dest.batchProcessor!, batchData(dest, rows), record, gas);
  } catch (e) {
    // The batch as a whole could not be sent: deliver its messages one by one, so that whatever made it fail
    // is one message's own problem (parked or retried) and never holds up the others.
    ctx.logger.warn("batch not sent, delivering one by one", {
      destination: dest.domain,
      size: rows.length,
      error: shortError(e),
    });
    for (const r of rows) {
      const down = await sendSingle(ctx, dest, r, undefined);
      if (down) return down;
    }
    return undefined;
  }
  track(
    ctx,
    dest,
    rows,
    waitMined(ctx, dest, sent, record).then((receipt) =>
      settle(ctx, dest, rows, receipt, batchFailures(receipt, dest.batchProcessor!), gas !== undefined),
    ),
  );
  return undefined;
}

/**
 * Sends `r` alone with `process` (with `gas`, or an estimate); its wait and outcome run beside the loop. Returns
 * the problem when the destination did not answer.
 */
async function sendSingle(
  ctx: RelayerContext,
  dest: Chain,
  r: MessageRecord,
  gas: bigint | undefined,
): Promise<string | undefined> {
  const record = submitted(ctx, [r.id]);
  let sent: Sent;
  try {
    sent = await sendTx(ctx, dest, dest.gateway, processData(r), record, gas);
  } catch (e) {
    return deliveryRefused(ctx, dest, r, e);
  }
  track(
    ctx,
    dest,
    [r],
    waitMined(ctx, dest, sent, record).then((receipt) =>
      settle(ctx, dest, [r], receipt, new Map(), gas !== undefined),
    ),
  );
  return undefined;
}

/**
 * No delivery transaction could be sent for `r` (its estimate reverted, or the node did not answer): delivered
 * already (by someone else) -> DELIVERED; a refusal waiting cannot cure -> parked; the node did not answer ->
 * released for later without spending an attempt (returns the problem); else another attempt later.
 */
async function deliveryRefused(
  ctx: RelayerContext,
  dest: Chain,
  r: MessageRecord,
  e: unknown,
): Promise<string | undefined> {
  const failure = describeFailure(e);
  const status = await onchainStatus(ctx, dest, r.message).catch(() => GatewayMessageStatus.NONE);
  if (status !== GatewayMessageStatus.NONE) {
    await ctx.store.setDelivered(
      r.id,
      null,
      status === GatewayMessageStatus.EXECUTED ? "EXECUTED" : "FAILED",
      Date.now(),
      "already delivered (not by this relayer)",
      retryAt(ctx),
    );
    return undefined;
  }
  const parking = failure.name ? PARKING_ERRORS[failure.name] : undefined;
  if (parking) {
    await ctx.park(r, `${failure.text}: ${parking}`);
    return undefined;
  }
  if (failureKind(e) === "transport") {
    const problem = `destination ${dest.domain} did not answer: ${failure.text}`;
    ctx.reportProblem(`deliver:${dest.domain}`, problem);
    await ctx.store.release(r.id, Date.now() + (ctx.config.retry?.baseDelayMs ?? 500), problem);
    return problem;
  }
  await retryOrFail(ctx, r, failure.text);
  return undefined;
}

/** Records each message's fate after its delivery transaction was mined. */
async function settle(
  ctx: RelayerContext,
  dest: Chain,
  rows: MessageRecord[],
  receipt: TransactionReceipt,
  failures: Map<Hex, { name: string | undefined; text: string }>,
  bounded = false,
): Promise<void> {
  const outcomes =
    receipt.status === "success" ? receiptOutcomes(dest, receipt) : new Map<Hex, "EXECUTED" | "FAILED">();
  const others = new Map<Hex, number>();
  for (const r of rows) if (!outcomes.has(r.id)) others.set(r.id, await onchainStatus(ctx, dest, r.message));
  const now = Date.now();
  // A transaction sent with a computed bound that reverted ran out of gas (neither `process` nor the batch
  // processor reverts otherwise once the gateway accepted the message): none of its messages spends an attempt;
  // each is sent next alone with an estimate, so one the bound misjudged never holds up the others.
  const boundMissed = bounded && receipt.status === "reverted";
  if (boundMissed) {
    ctx.count("concord_relayer_gas_bound_misses_total", { destination: dest.domain });
    ctx.logger.warn("delivery ran out of its gas bound; its messages go alone with an estimate", {
      destination: dest.domain,
      tx: receipt.transactionHash,
      gas: String(receipt.gasUsed),
      size: rows.length,
    });
  }
  await ctx.store.atomically(async () => {
    for (const r of rows) {
      const outcome = outcomes.get(r.id);
      if (outcome || others.get(r.id) !== GatewayMessageStatus.NONE) ctx.estimateAlone.delete(r.id);
      if (!outcome && boundMissed && others.get(r.id) === GatewayMessageStatus.NONE) {
        ctx.estimateAlone.add(r.id);
        await ctx.store.release(
          r.id,
          now,
          `delivery transaction ${receipt.transactionHash} ran out of its gas bound; next: alone with an estimate`,
        );
        continue;
      }
      if (outcome) {
        await ctx.store.setDelivered(r.id, receipt.transactionHash, outcome, now, undefined, retryAt(ctx));
        ctx.count("concord_relayer_delivered_total", { destination: dest.domain, how: outcome });
        continue;
      }
      const status = others.get(r.id)!;
      if (status !== GatewayMessageStatus.NONE) {
        await ctx.store.setDelivered(
          r.id,
          null,
          status === GatewayMessageStatus.EXECUTED ? "EXECUTED" : "FAILED",
          now,
          "already delivered (not by this relayer)",
          retryAt(ctx),
        );
        continue;
      }
      const failure = failures.get(r.id);
      const parking = failure?.name ? PARKING_ERRORS[failure.name] : undefined;
      if (failure && parking) await ctx.park(r, `${failure.text}: ${parking}`);
      else
        await retryOrFail(
          ctx,
          r,
          failure
            ? `item reverted: ${failure.text}`
            : `delivery transaction ${receipt.transactionHash} ${receipt.status}`,
        );
    }
  });
}
