/**
 * Relayer concern: transactions. Every transaction is signed, recorded through the caller's `record` (before it
 * leaves the process, so a crash loses nothing) and only then broadcast, with the relayer's own nonce per
 * destination; a transaction stuck longer than `stuckTxTimeoutMs` is replaced with the same nonce and a higher fee.
 * Also the on-chain reads every concern needs (gateway `status`, whether a recorded transaction is still pending).
 */
import { type Address, type Hex, type TransactionReceipt, keccak256 } from "viem";
import { gatewayAbi } from "../abi.js";
import type { Chain, Sent } from "./config.js";
import type { RelayerContext } from "./context.js";
import { shortError } from "./failures.js";

export async function onchainStatus(ctx: RelayerContext, dest: Chain, message: Hex): Promise<number> {
  return dest.client.readContract({
    address: dest.gateway,
    abi: gatewayAbi,
    functionName: "status",
    args: [message],
  });
}

export async function anyPending(ctx: RelayerContext, dest: Chain, hashes: readonly Hex[]): Promise<boolean> {
  for (const hash of hashes) {
    const tx = await dest.client.getTransaction({ hash }).catch(() => null);
    if (tx && tx.blockNumber === null) return true;
    if (tx) {
      const receipt = await dest.client.getTransactionReceipt({ hash }).catch(() => null);
      if (!receipt) return true;
    }
  }
  return false;
}

/**
 * Signs a transaction, records it with `record` (before it leaves the process, so a crash loses nothing) and
 * broadcasts it. Its gas limit is `gas` when the caller bounded the cost (gas.ts: no estimate round trip), else
 * `eth_estimateGas` plus `gasMarginPercent`. Calls for one destination must not overlap (the delivery loop sends
 * one transaction at a time; only the waits for them run side by side).
 */
export async function sendTx(
  ctx: RelayerContext,
  dest: Chain,
  to: Address,
  data: Hex,
  record: (hash: Hex, nonce: number) => Promise<void>,
  bound?: bigint,
): Promise<Sent> {
  let gas = bound;
  if (gas === undefined) {
    const estimate = await dest.client.estimateGas({ account: ctx.account.address, to, data });
    ctx.count("concord_relayer_gas_estimates_total", { destination: dest.domain });
    gas = (estimate * BigInt(100 + (ctx.config.gasMarginPercent ?? 20))) / 100n;
  }
  const fees = await dest.client.estimateFeesPerGas();
  let nonce = ctx.nonces.get(dest.domain);
  if (nonce === undefined)
    nonce = await dest.client.getTransactionCount({ address: ctx.account.address, blockTag: "pending" });
  const sent = await signAndSend(
    ctx,
    dest,
    {
      to,
      data,
      gas,
      nonce,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      hash: "0x",
    },
    record,
  );
  ctx.count("concord_relayer_transactions_total", { destination: dest.domain });
  return sent;
}

async function signAndSend(
  ctx: RelayerContext,
  dest: Chain,
  tx: Sent,
  record: (hash: Hex, nonce: number) => Promise<void>,
): Promise<Sent> {
  const signed = await ctx.account.signTransaction({
    chainId: dest.chainId,
    type: "eip1559",
    to: tx.to,
    data: tx.data,
    gas: tx.gas,
    nonce: tx.nonce,
    maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
  });
  const hash = keccak256(signed);
  await record(hash, tx.nonce);
  // Never backwards: a replacement of an older nonce, while later ones are in flight, keeps the next nonce.
  ctx.nonces.set(dest.domain, Math.max(ctx.nonces.get(dest.domain) ?? 0, tx.nonce + 1));
  try {
    await dest.client.sendRawTransaction({ serializedTransaction: signed });
  } catch (e) {
    const message = shortError(e);
    // A timeout may hide a successful broadcast: the node knows the hash then, and waitMined finds it.
    const known = await dest.client.getTransaction({ hash }).catch(() => null);
    if (!known) {
      ctx.nonces.delete(dest.domain); // resync from the node next time
      throw new Error(`broadcast failed: ${message}`, { cause: e });
    }
  }
  return { ...tx, hash };
}

/** Waits for any of the transactions sharing `sent.nonce`; replaces it with a higher fee when stuck. */
export async function waitMined(
  ctx: RelayerContext,
  dest: Chain,
  sent: Sent,
  record: (hash: Hex, nonce: number) => Promise<void>,
): Promise<TransactionReceipt> {
  const hashes = [sent.hash];
  let current = sent;
  let replacements = 0;
  const timeout = ctx.config.stuckTxTimeoutMs ?? 15_000;
  let deadline = Date.now() + timeout;
  const poll = Math.min(ctx.config.pollIntervalMs ?? 200, 100);
  for (;;) {
    for (const hash of hashes) {
      const receipt = await dest.client.getTransactionReceipt({ hash }).catch(() => null);
      if (receipt) return receipt;
    }
    if (Date.now() > deadline && replacements < (ctx.config.maxReplacements ?? 5)) {
      const bump = BigInt(100 + (ctx.config.feeBumpPercent ?? 25));
      const fees = await dest.client.estimateFeesPerGas().catch(() => null);
      const maxPriorityFeePerGas = (current.maxPriorityFeePerGas * bump) / 100n + 1n;
      let maxFeePerGas = (current.maxFeePerGas * bump) / 100n + 1n;
      if (fees && fees.maxFeePerGas > maxFeePerGas) maxFeePerGas = fees.maxFeePerGas;
      if (maxFeePerGas < maxPriorityFeePerGas) maxFeePerGas = maxPriorityFeePerGas;
      try {
        current = await signAndSend(ctx, dest, { ...current, maxFeePerGas, maxPriorityFeePerGas }, record);
        hashes.push(current.hash);
        replacements++;
        ctx.count("concord_relayer_replacements_total", { destination: dest.domain });
        ctx.logger.warn("replaced stuck transaction", {
          destination: dest.domain,
          nonce: current.nonce,
          hash: current.hash,
        });
      } catch (e) {
        ctx.logger.warn("replacement not accepted", { error: shortError(e) });
      }
      ctx.nonces.set(dest.domain, Math.max(ctx.nonces.get(dest.domain) ?? 0, current.nonce + 1));
      deadline = Date.now() + timeout;
    }
    if (!ctx.running() && Date.now() > deadline)
      throw new Error(`stopped while waiting for ${hashes.join(",")}`);
    await new Promise((r) => setTimeout(r, poll));
  }
}
