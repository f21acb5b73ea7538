/**
 * Relayer concern: automatic retry (`retryFailed`, off unless configured). A message delivered FAILED is
 * re-executed with `retry(message, gas)` when `eth_estimateGas` of the recipient's `receiveMessage`, called from
 * the destination gateway, shows that it needs more than its own gas limit, within `gasCeiling`, at most
 * `maxAttempts` times. Every attempt (gas, transaction, gas used, outcome) and every decision not to retry is
 * recorded in the store; an attempt interrupted by a crash is resolved from its recorded transactions first.
 */
import { type Hex, type TransactionReceipt, decodeEventLog, encodeFunctionData } from "viem";
import { bytes32ToAddress, decodeConcordMessage, formatEvmV1 } from "../../src/codec.js";
import { GatewayMessageStatus, gatewayAbi, recipientAbi } from "../abi.js";
import type { MessageRecord, RetryAttempt, RetryPlan } from "../store.js";
import type { Chain, RelayerConfig, Sent } from "./config.js";
import type { RelayerContext } from "./context.js";
import { describeFailure, describeRevertData, failureKind, intrinsicGas, shortError } from "./failures.js";
import { anyPending, onchainStatus, sendTx, waitMined } from "./transactions.js";

/**
 * One pass over the due automatic retries of FAILED outcomes delivered to `dest`, each on its own; undefined when
 * none was due.
 */
export async function retryFailedPass(ctx: RelayerContext, dest: Chain): Promise<boolean | undefined> {
  const cfg = ctx.config.retryFailed!;
  const rows = await ctx.store.claimRetries(
    dest.domain,
    ctx.instanceId,
    5,
    ctx.config.leaseMs ?? 60_000,
    Date.now(),
  );
  if (rows.length === 0) return undefined;
  let progressed = false;
  for (const r of rows) {
    try {
      if (await retryOne(ctx, dest, r, cfg)) progressed = true;
    } catch (e) {
      const error = shortError(e);
      if (failureKind(e) === "transport") {
        ctx.reportProblem(`deliver:${dest.domain}`, `destination ${dest.domain} (auto-retry): ${error}`);
        await ctx.store.setRetryState(
          r.id,
          "PENDING",
          Date.now() + (cfg.delayMs ?? 1_000),
          `waiting: the destination did not answer (${error})`,
          Date.now(),
        );
      } else await ctx.store.setRetryState(r.id, "DONE", null, `stopped: ${error}`, Date.now());
    }
  }
  return progressed;
}

/**
 * Decides (and sends) the next automatic retry of FAILED message `r`; returns whether anything changed. Every
 * decision not to retry is recorded as the retry state's note.
 */
async function retryOne(
  ctx: RelayerContext,
  dest: Chain,
  r: MessageRecord,
  cfg: NonNullable<RelayerConfig["retryFailed"]>,
): Promise<boolean> {
  const maxAttempts = cfg.maxAttempts ?? 3;
  const done = (note: string, executed = false) =>
    ctx.store.setRetryState(r.id, "DONE", null, note, Date.now(), executed);
  let attempts = await ctx.store.retryAttempts(r.id);
  const open = attempts.at(-1);
  if (open && open.outcome === null) {
    // An attempt recorded before a crash (or a failed wait): find its transaction before deciding anything.
    if ((await resolveRetryAttempt(ctx, dest, r, open)) === "pending") return false;
    attempts = await ctx.store.retryAttempts(r.id);
  }
  const status = await onchainStatus(ctx, dest, r.message);
  if (status === GatewayMessageStatus.EXECUTED) {
    const by = attempts.at(-1)?.outcome === "EXECUTED" ? ` by auto-retry ${attempts.length}` : "";
    await done(`EXECUTED${by}`, true);
    return true;
  }
  if (status !== GatewayMessageStatus.FAILED) {
    await done("not FAILED on the destination any more");
    return true;
  }
  if (attempts.length >= maxAttempts) {
    await done(`gave up after ${attempts.length} attempt(s): still FAILED`);
    return true;
  }
  // What the recipient needs: exactly the call the gateway makes, from the gateway.
  const m = decodeConcordMessage(r.message);
  const call = encodeFunctionData({
    abi: recipientAbi,
    functionName: "receiveMessage",
    args: [r.id, formatEvmV1(m.origin, bytes32ToAddress(m.sender)), m.payload],
  });
  let estimate: bigint;
  try {
    estimate = await dest.client.estimateGas({
      account: dest.gateway,
      to: bytes32ToAddress(m.recipient),
      data: call,
    });
  } catch (e) {
    if (failureKind(e) === "transport") throw e;
    await done(
      `not retried: the recipient reverts whatever the gas (${describeFailure(e).text}); ` +
        "once it accepts the message, anyone can retry it (concord retry)",
    );
    return true;
  }
  const intrinsic = intrinsicGas(call);
  const need = estimate > intrinsic ? estimate - intrinsic : 0n;
  const marginBps = BigInt(Math.round((cfg.marginPercent ?? 20) * 100));
  const withMargin = (g: bigint) => (g * (10_000n + marginBps) + 9_999n) / 10_000n;
  let gas = withMargin(need);
  const last = attempts.at(-1);
  if (last && withMargin(BigInt(last.gasLimit)) > gas) gas = withMargin(BigInt(last.gasLimit));
  if (gas <= BigInt(m.gasLimit)) {
    await done(
      `not an out-of-gas failure: the recipient needs about ${need} gas, within its limit ${m.gasLimit}`,
    );
    return true;
  }
  if (gas > BigInt(cfg.gasCeiling)) {
    await done(
      `not retried: it needs about ${gas} gas (estimate ${need} + margin), above the ceiling ${cfg.gasCeiling}`,
    );
    return true;
  }
  const plan: RetryPlan = { attempt: attempts.length + 1, gasLimit: Number(gas), estimate: Number(need) };
  const data = encodeFunctionData({
    abi: gatewayAbi,
    functionName: "retry",
    args: [r.message, plan.gasLimit],
  });
  const record = (hash: Hex) => ctx.store.recordRetryTx(r.id, plan, hash, Date.now());
  let sent: Sent;
  try {
    sent = await sendTx(ctx, dest, dest.gateway, data, record);
  } catch (e) {
    if (failureKind(e) === "transport") throw e;
    const refused = describeFailure(e).text;
    await ctx.store.settleRetryAttempt(r.id, plan, { outcome: "NOT_SENT", detail: refused }, Date.now());
    await nextRetry(ctx, r, plan.attempt, maxAttempts, cfg, `attempt ${plan.attempt} refused: ${refused}`);
    return true;
  }
  ctx.count("concord_relayer_auto_retries_total", { destination: dest.domain });
  const receipt = await waitMined(ctx, dest, sent, record);
  const result = retryOutcome(dest, r.id, receipt);
  await ctx.store.settleRetryAttempt(r.id, plan, result, Date.now());
  ctx.count("concord_relayer_auto_retry_outcomes_total", {
    destination: dest.domain,
    outcome: result.outcome,
  });
  if (result.outcome === "EXECUTED")
    await done(`EXECUTED by auto-retry ${plan.attempt} with gas ${gas}`, true);
  else await nextRetry(ctx, r, plan.attempt, maxAttempts, cfg, `attempt ${plan.attempt}: ${result.outcome}`);
  return true;
}

/** After attempt `attempt`: another one later (with at least its gas plus the margin), or give up. */
async function nextRetry(
  ctx: RelayerContext,
  r: MessageRecord,
  attempt: number,
  maxAttempts: number,
  cfg: NonNullable<RelayerConfig["retryFailed"]>,
  note: string,
): Promise<void> {
  if (attempt >= maxAttempts)
    await ctx.store.setRetryState(
      r.id,
      "DONE",
      null,
      `gave up after ${attempt} attempt(s): ${note}`,
      Date.now(),
    );
  else
    await ctx.store.setRetryState(
      r.id,
      "PENDING",
      Date.now() + (cfg.delayMs ?? 1_000) * 2 ** (attempt - 1),
      note,
      Date.now(),
    );
}

/** The result of a mined retry transaction for `id`: the gateway's `Retried` event, or the receipt's revert. */
function retryOutcome(
  dest: Chain,
  id: Hex,
  receipt: TransactionReceipt,
): { outcome: "EXECUTED" | "FAILED" | "REVERTED"; txHash: Hex; gasUsed: number; detail: string | null } {
  const base = { txHash: receipt.transactionHash, gasUsed: Number(receipt.gasUsed) };
  if (receipt.status !== "success") return { ...base, outcome: "REVERTED", detail: "transaction reverted" };
  let failure: string | null = null;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== dest.gateway.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: gatewayAbi, data: log.data, topics: log.topics, strict: false });
      if (ev.eventName === "ExecutionFailed" && ev.args.messageId?.toLowerCase() === id.toLowerCase())
        failure = describeRevertData(ev.args.revertData ?? "0x").text;
      if (ev.eventName === "Retried" && ev.args.messageId?.toLowerCase() === id.toLowerCase())
        return { ...base, outcome: ev.args.success ? "EXECUTED" : "FAILED", detail: failure };
    } catch {
      // not one of ours
    }
  }
  return { ...base, outcome: "REVERTED", detail: "no Retried event in the receipt" };
}

/** An attempt without an outcome (a crash or a failed wait came between): mined, still pending, or lost. */
async function resolveRetryAttempt(
  ctx: RelayerContext,
  dest: Chain,
  r: MessageRecord,
  open: RetryAttempt,
): Promise<"settled" | "pending"> {
  const plan: RetryPlan = { attempt: open.attempt, gasLimit: open.gasLimit, estimate: open.estimate };
  for (const hash of open.txs) {
    const receipt = await dest.client.getTransactionReceipt({ hash }).catch(() => null);
    if (receipt) {
      await ctx.store.settleRetryAttempt(r.id, plan, retryOutcome(dest, r.id, receipt), Date.now());
      return "settled";
    }
  }
  if (await anyPending(ctx, dest, open.txs)) return "pending";
  await ctx.store.settleRetryAttempt(
    r.id,
    plan,
    { outcome: "LOST", detail: "its transaction never reached the chain" },
    Date.now(),
  );
  return "settled";
}
