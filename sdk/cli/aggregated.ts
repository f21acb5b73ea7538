// Aggregated messages (TransportAggregator, k of n gateways) as `concord status` and the demo print them: one
// timeline linked to the aggregator id, with each gateway's leg on the origin and its receipt on the destination.
import type { Address, Hex } from "viem";

import { type AggregatedMessageStatusReturnType, MESSAGE_EVENT_RANK, orderTimeline } from "../src/index.js";
import { type TimelineRow } from "./timeline.js";

/** How to name a gateway (a registry's contract name), else its address. */
export type GatewayNamer = (chain: "origin" | "destination", gateway: Address) => string;

const RANK: Readonly<Record<string, number>> = {
  SENT: 0,
  LEG_SENT: 1,
  LEG_FAILED: 1,
  RECEIPT: 2,
  CONFLICT: 3,
  THRESHOLD: 4,
  QUARANTINED: 5,
};

/** The rows of an aggregated message's lifecycle (origin then destination events), in timeline order, each with its
 * transaction. */
export function aggregatedMessageRows(
  s: AggregatedMessageStatusReturnType,
  origin: string,
  destination: string,
  name: GatewayNamer = (_c, g) => g,
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
      rank: RANK[event] ?? MESSAGE_EVENT_RANK[event] ?? 9,
    });
  if (s.sent)
    row(
      origin,
      "SENT",
      s.sent,
      `${s.legs.filter((l) => l.accepted).length} of ${s.legs.length} gateways accepted (threshold ${s.sent.threshold}), ` +
        `fee ${s.sent.fee} wei${s.sent.sponsored ? " (sponsored)" : ""}`,
    );
  for (const l of s.legs)
    if (l.accepted)
      row(
        origin,
        "LEG_SENT",
        l,
        `slot ${l.slot} ${name("origin", l.gateway)}: its id ${l.legId}, fee ${l.fee} wei`,
      );
    else
      row(origin, "LEG_FAILED", l, `slot ${l.slot} ${name("origin", l.gateway)}: ${l.failure!.reason.text}`);
  for (const r of s.receipts)
    row(
      destination,
      r.matches ? "RECEIPT" : "CONFLICT",
      r,
      `delivered by slot ${r.slot} ${name("destination", r.gateway)}` +
        (r.matches ? "" : ` (different envelope ${r.envelopeHash})`) +
        (r.counted ? "" : " (not counted: not in the receive set)"),
    );
  for (const c of s.conflicts)
    if (c.quarantined)
      row(destination, "QUARANTINED", c, `${name("destination", c.gateway)} delivered ${c.conflictingHash}`);
  for (const f of s.failures) row(destination, "FAILED", f, f.reason.text);
  for (const r of s.retries)
    row(
      destination,
      "RETRIED",
      r,
      `by ${r.caller} with gas ${r.gasLimit} (${r.success ? "succeeded" : "failed"})`,
    );
  if (s.executed)
    row(
      destination,
      "EXECUTED",
      s.executed,
      s.thresholdReached ? `threshold ${s.required ?? "?"} reached` : "",
    );
  if (s.releaseScheduled)
    row(destination, "RELEASE_SCHEDULED", s.releaseScheduled, `envelope ${s.releaseScheduled.envelopeHash}`);
  if (s.released) row(destination, "RELEASED", s.released, `envelope ${s.released.envelopeHash}`);
  return orderTimeline(rows, [origin, destination]);
}

/** The report's lines after the timeline: the status of the receipts and the next step (`retryCommand`: the
 * `concord retry` line that sends a FAILED message's retry). */
export function aggregatedSummary(
  s: AggregatedMessageStatusReturnType,
  destination: string,
  retryCommand?: string,
): string[] {
  const lines = [
    `receipts: ${s.counted} counted of ${s.required ?? "? (no receive rule in effect)"} required` +
      (s.thresholdReached
        ? `; threshold reached at ${destination} block ${s.thresholdReached.blockNumber} by slot ${s.thresholdReached.slot}`
        : ""),
    `next: ${s.next.text}`,
  ];
  if (s.next.call)
    lines.push(
      `${s.next.call.functionName} (anyone` +
        (s.next.call.functionName === "retry" && retryCommand ? `; ${retryCommand} sends it` : "") +
        `): send to ${s.next.call.to} on ${destination}: ${s.next.call.call}`,
      `  calldata ${s.next.call.data}`,
    );
  return lines;
}
