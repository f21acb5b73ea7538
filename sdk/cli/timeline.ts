// Timelines as `concord status` and the demo print them: on-chain events only (one time base: block timestamps),
// with chain and block number, ordered per chain by block and log index and across chains by time then lifecycle
// step (sdk/src/timeline.ts).
import type { Hex } from "viem";

import {
  type AdapterMessageStatusReturnType,
  type DecodedEvent,
  FLOW_EVENT_RANK,
  MESSAGE_EVENT_RANK,
  type MessageStatusReturnType,
  type TimelineEvent,
  orderTimeline,
} from "../src/index.js";
import { isoTime } from "./output.js";

/** One printed row. */
export type TimelineRow = TimelineEvent & { chain: string; event: string; detail: string };

/** `2026-… SENT  chainA block 12  detail`. */
export function rowLine(r: TimelineRow): string {
  return `${isoTime(r.timestamp)}  ${r.event.padEnd(22)} ${r.chain} block ${r.blockNumber}${r.detail ? `  ${r.detail}` : ""}`;
}

/** The rows of a message's status (sent on `origin`, delivered on `destination`), in timeline order. */
export function messageRows(s: MessageStatusReturnType, origin: string, destination: string): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const row = (
    chain: string,
    event: string,
    p: { blockNumber: bigint; logIndex: number; timestamp: bigint },
    detail = "",
  ) =>
    rows.push({
      chain,
      event,
      detail,
      blockNumber: p.blockNumber,
      logIndex: p.logIndex,
      timestamp: p.timestamp,
      rank: MESSAGE_EVENT_RANK[event] ?? 9,
    });
  if (s.sent) row(origin, "SENT", s.sent);
  if (s.delivered) row(destination, "DELIVERED", s.delivered);
  for (const f of s.failures) row(destination, "FAILED", f, f.reason.text);
  for (const r of s.retries)
    row(
      destination,
      "RETRIED",
      r,
      `by ${r.caller} with gas ${r.gasLimit}, tx gas used ${r.gasUsed} (${r.success ? "succeeded" : "failed"})`,
    );
  if (s.executed) row(destination, "EXECUTED", s.executed);
  return orderTimeline(rows, [origin, destination]);
}

/** The rows of an adapter message's status (sent on `origin`, delivered on `destination`), in timeline order, each
 * with its transaction. */
export function adapterMessageRows(
  s: AdapterMessageStatusReturnType,
  origin: string,
  destination: string,
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const row = (
    chain: string,
    event: string,
    p: { blockNumber: bigint; logIndex: number; timestamp: bigint; transactionHash: Hex },
    detail = "",
  ) =>
    rows.push({
      chain,
      event,
      detail: detail ? `${detail}, tx ${p.transactionHash}` : `tx ${p.transactionHash}`,
      blockNumber: p.blockNumber,
      logIndex: p.logIndex,
      timestamp: p.timestamp,
      rank: MESSAGE_EVENT_RANK[event] ?? 9,
    });
  if (s.sent) row(origin, "SENT", s.sent, `fee ${s.sent.fee} wei${s.sent.sponsored ? " (sponsored)" : ""}`);
  if (s.delivered) row(destination, "DELIVERED", s.delivered);
  for (const f of s.failures) row(destination, "FAILED", f, f.reason.text);
  for (const r of s.retries)
    row(
      destination,
      "RETRIED",
      r,
      `by ${r.caller} with gas ${r.gasLimit} (${r.success ? "succeeded" : "failed"})`,
    );
  if (s.executed) row(destination, "EXECUTED", s.executed);
  return orderTimeline(rows, [origin, destination]);
}

/** A flow's coordinator events on each chain (with their blocks' timestamps), in timeline order. */
export function flowRows(
  perChain: { chain: string; events: (DecodedEvent & { timestamp: bigint })[] }[],
): TimelineRow[] {
  const rows: TimelineRow[] = perChain.flatMap(({ chain, events }) =>
    events.map((e) => ({
      chain,
      event: e.eventName,
      detail: "",
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      timestamp: e.timestamp,
      rank: FLOW_EVENT_RANK[e.eventName] ?? 9,
    })),
  );
  return orderTimeline(
    rows,
    perChain.map((c) => c.chain),
  );
}

/** Rows as JSON (`--json`). */
export function rowsJson(rows: readonly TimelineRow[]) {
  return rows.map((r) => ({
    event: r.event,
    chain: r.chain,
    blockNumber: r.blockNumber,
    logIndex: r.logIndex,
    timestamp: r.timestamp,
    ...(r.detail ? { detail: r.detail } : {}),
  }));
}

/** Adds each event's block timestamp (one `eth_getBlockByNumber` per block). */
export async function withTimestamps(
  events: DecodedEvent[],
  blockTime: (blockNumber: bigint) => Promise<bigint>,
): Promise<(DecodedEvent & { timestamp: bigint })[]> {
  const times = new Map<bigint, bigint>();
  const out: (DecodedEvent & { timestamp: bigint })[] = [];
  for (const e of events) {
    if (!times.has(e.blockNumber)) times.set(e.blockNumber, await blockTime(e.blockNumber));
    out.push({ ...e, timestamp: times.get(e.blockNumber)! });
  }
  return out;
}

/** A relayer's record of a message as one line on its own clock: steps with milliseconds since the first. */
export function relayerSteps(
  events: readonly { status: string; at: number; txHash: Hex | null; detail: string | null }[],
): string | undefined {
  if (events.length === 0) return undefined;
  const first = events[0]!.at;
  return (
    "relayer: " +
    events
      .map(
        (e) =>
          `${e.status} +${e.at - first} ms${e.txHash ? ` (tx ${e.txHash.slice(0, 10)}…)` : ""}` +
          (e.status.startsWith("RETRY") && e.detail ? ` [${e.detail}]` : ""),
      )
      .join(" -> ")
  );
}
