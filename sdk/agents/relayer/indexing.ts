/**
 * Relayer concern: indexing. Reads each origin gateway's `Dispatched` logs page by page (the pager adapts to the
 * provider's limits), records every message SEEN before the cursor moves past its block, rescans every block that
 * was not final at the previous pass (the cursor stops at the last final block), and marks messages final once deep
 * enough on the canonical chain, or ORPHANED when their block was replaced. Bytes no gateway would accept are skipped, visibly, never stalling.
 */
import { type Hex, keccak256, parseEventLogs } from "viem";
import { decodeMessage } from "../../src/codec.js";
import { eventTopics } from "../../src/logs.js";
import { gatewayAbi } from "../abi.js";
import type { SeenMessage } from "../store.js";
import type { Chain } from "./config.js";
import type { RelayerContext } from "./context.js";
import { shortError } from "./failures.js";

/** One indexing pass over `chain` as an origin; returns true when it found new messages. */
export async function indexOrigin(ctx: RelayerContext, chain: Chain): Promise<boolean> {
  const head = await chain.client.getBlockNumber({ cacheTime: 0 });
  chain.head = head;
  const conf = chain.confirmations ?? 0;
  const first = chain.fromBlock ?? 0;
  const cursor = (await ctx.store.getCursor(chain.domain)) ?? first - 1;
  const h = Number(head);
  // Rescan from the first block that was not final at the previous pass (the cursor stops there), and at least the
  // not-yet-final window at this head, so a reorg inside either is always seen.
  let from = Math.max(first, Math.min(cursor + 1, h - conf + 1));
  let found = 0;
  const filter = { address: chain.gateway, topics: eventTopics(gatewayAbi, "Dispatched") };
  for (let pages = 0; from <= h && pages < 20 && ctx.running(); pages++) {
    // One page: as many blocks as the provider accepts (the pager adapts); the cursor moves to its last block.
    const page = await chain.pager.page(filter, BigInt(from), BigInt(h));
    const to = Number(page.toBlock);
    const logs = parseEventLogs({
      abi: gatewayAbi,
      logs: page.logs,
      eventName: "Dispatched",
      strict: true,
    });
    const seen: SeenMessage[] = [];
    for (const log of logs) {
      let m: ReturnType<typeof decodeMessage>;
      try {
        m = decodeMessage(log.args.message);
      } catch (e) {
        // Never stall the origin on bytes no gateway would accept: skip them, visibly.
        ctx.count("concord_relayer_malformed_total", { origin: chain.domain });
        ctx.logger.warn("skipped a malformed Dispatched message", {
          origin: chain.domain,
          tx: log.transactionHash,
          error: shortError(e),
        });
        continue;
      }
      if (keccak256(log.args.message) !== log.args.messageId.toLowerCase() || m.origin !== chain.domain)
        continue;
      const served = ctx.chains.has(m.destination);
      seen.push({
        id: log.args.messageId,
        origin: m.origin,
        destination: m.destination,
        nonce: m.nonce,
        message: log.args.message,
        blockNumber: Number(log.blockNumber),
        blockHash: log.blockHash,
        txHash: log.transactionHash,
        ...(served
          ? {}
          : {
              undeliverable:
                `destination ${m.destination} is not served by this relayer (it serves ` +
                `${[...ctx.chains.keys()].join(", ")}): add that chain to its configuration`,
            }),
      });
    }
    const added = await ctx.store.upsertSeen(seen, Date.now(), conf === 0);
    found += added;
    if (added) ctx.count("concord_relayer_indexed_total", { origin: chain.domain }, added);
    // The cursor never passes the last block that is final at this head: the next pass rescans every block that was
    // not final now, so a reorg (of at most `confirmations` blocks) is seen even when the chain moved on meanwhile.
    await ctx.store.setCursor(chain.domain, Math.min(to, h - conf));
    from = to + 1;
  }
  if (from <= h) found++; // more to index: come back at once
  await checkFinality(ctx, chain, h, conf);
  return found > 0;
}

/** Marks messages final once `conf` deep on the canonical chain, and ORPHANED when their block was replaced. */
async function checkFinality(ctx: RelayerContext, chain: Chain, head: number, conf: number): Promise<void> {
  const pending = await ctx.store.unfinal(chain.domain);
  if (pending.length === 0) return;
  const now = Date.now();
  if (conf === 0) {
    await ctx.store.markFinal(
      pending.map((r) => r.id),
      now,
    );
    return;
  }
  const hashes = new Map<number, Hex | null>();
  const final: Hex[] = [];
  const orphaned: Hex[] = [];
  for (const r of pending) {
    // Above the (possibly lagging) head, or the block could not be read: decide later.
    if (r.blockNumber > head) continue;
    if (!hashes.has(r.blockNumber)) {
      const block = await chain.client.getBlock({ blockNumber: BigInt(r.blockNumber) }).catch(() => null);
      hashes.set(r.blockNumber, block?.hash ?? null);
    }
    const canonical = hashes.get(r.blockNumber);
    if (!canonical) continue;
    if (canonical === r.blockHash) {
      if (head - r.blockNumber >= conf) final.push(r.id);
    } else {
      // The window rescan above re-records a message re-included elsewhere, so a mismatch here is final.
      orphaned.push(r.id);
    }
  }
  await ctx.store.markFinal(final, now);
  if (orphaned.length) {
    await ctx.store.markOrphaned(orphaned, now, "origin block left the canonical chain before finality");
    ctx.count("concord_relayer_orphaned_total", { origin: chain.domain }, orphaned.length);
    ctx.logger.warn("orphaned messages (origin reorg)", { origin: chain.domain, ids: orphaned });
  }
}
