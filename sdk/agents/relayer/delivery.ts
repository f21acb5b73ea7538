/**
 * Relayer concern: delivery. Claims signed messages for a destination (one instance at a time), first checks on
 * chain any it may have sent before (restart, expired lease), then delivers the rest with `process`, or several per
 * transaction through `ConcordBatchProcessor` (falling back to one by one when a batch cannot be sent), and records
 * each outcome. A refusal waiting cannot cure parks the message; a destination that does not answer releases it
 * without spending an attempt; anything else is retried later with back-off, up to `retry.maxAttempts`.
 */
import { type Address, type Hex, type TransactionReceipt, decodeEventLog, encodeFunctionData } from "viem";
import { GatewayMessageStatus, batchProcessorAbi, gatewayAbi } from "../abi.js";
import type { MessageRecord } from "../store.js";
import type { Chain, Sent } from "./config.js";
import type { RelayerContext } from "./context.js";
import { PARKING_ERRORS, describeFailure, describeRevertData, failureKind, shortError } from "./failures.js";
import { prepareCheckpointBatch } from "./checkpoints.js";
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

/** Delivers the claimed signed messages; undefined when there was nothing to claim. */
export async function deliverSigned(ctx: RelayerContext, dest: Chain): Promise<boolean | undefined> {
  const rows = await ctx.store.claim(
    dest.domain,
    ctx.instanceId,
    ctx.config.maxBatchSize ?? 50,
    ctx.config.leaseMs ?? 60_000,
    Date.now(),
  );
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
      ctx.count("concord_relayer_delivered_total", { destination: dest.domain, how: "recovered" });
      resolved++;
      continue;
    }
    if (r.status === "SUBMITTED" && (await anyPending(ctx, dest, r.submitTxs))) continue; // still in the mempool: lease keeps it
    toSend.push(r);
  }
  // Only transactions still in the mempool: nothing to do until they are mined (sleep, do not spin).
  if (toSend.length === 0) return resolved > 0;
  // Range checkpoints: signatures kept on one message per unrecorded range only (checkpoints.ts).
  const batched = dest.batchProcessor !== undefined && toSend.length > 1;
  const metadata = await prepareCheckpointBatch(
    ctx,
    dest,
    toSend,
    batched,
    async (r) => (await onchainStatus(ctx, dest, r.message)) !== GatewayMessageStatus.NONE,
  );
  toSend.forEach((r, i) => (r.metadata = metadata[i]!));
  if (batched) await sendBatch(ctx, dest, toSend);
  else await sendSingles(ctx, dest, toSend);
  return true;
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

async function sendBatch(ctx: RelayerContext, dest: Chain, rows: MessageRecord[]): Promise<void> {
  const data = encodeFunctionData({
    abi: batchProcessorAbi,
    functionName: "processBatch",
    args: [dest.gateway, rows.map((r) => r.metadata!), rows.map((r) => r.message)],
  });
  const record = submitted(
    ctx,
    rows.map((r) => r.id),
  );
  let sent: Sent;
  try {
    sent = await sendTx(ctx, dest, dest.batchProcessor!, data, record);
  } catch (e) {
    // The batch as a whole could not be sent: deliver its messages one by one, so that whatever made it fail
    // is one message's own problem (parked or retried) and never holds up the others.
    ctx.logger.warn("batch not sent, delivering one by one", {
      destination: dest.domain,
      size: rows.length,
      error: shortError(e),
    });
    await sendSingles(ctx, dest, rows);
    return;
  }
  const receipt = await waitMined(ctx, dest, sent, record);
  await settle(ctx, dest, rows, receipt, batchFailures(receipt, dest.batchProcessor!));
}

async function sendSingles(ctx: RelayerContext, dest: Chain, rows: MessageRecord[]): Promise<void> {
  const inflight: Promise<void>[] = [];
  let down: string | undefined;
  for (const r of rows) {
    if (down) {
      // The destination did not answer for an earlier message of this pass: wait, without spending an attempt.
      await ctx.store.release(r.id, Date.now() + (ctx.config.retry?.baseDelayMs ?? 500), down);
      continue;
    }
    const data = encodeFunctionData({
      abi: gatewayAbi,
      functionName: "process",
      args: [r.metadata!, r.message],
    });
    const record = submitted(ctx, [r.id]);
    let sent: Sent;
    try {
      sent = await sendTx(ctx, dest, dest.gateway, data, record);
    } catch (e) {
      down = await deliveryRefused(ctx, dest, r, e);
      continue;
    }
    inflight.push(
      waitMined(ctx, dest, sent, record).then((receipt) => settle(ctx, dest, [r], receipt, new Map())),
    );
  }
  await Promise.all(inflight);
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
): Promise<void> {
  const outcomes =
    receipt.status === "success" ? receiptOutcomes(dest, receipt) : new Map<Hex, "EXECUTED" | "FAILED">();
  const others = new Map<Hex, number>();
  for (const r of rows) if (!outcomes.has(r.id)) others.set(r.id, await onchainStatus(ctx, dest, r.message));
  const now = Date.now();
  await ctx.store.atomically(async () => {
    for (const r of rows) {
      const outcome = outcomes.get(r.id);
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
