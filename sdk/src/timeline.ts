/**
 * One timeline from the events of several chains (a message's or a flow's lifecycle).
 *
 * Within one chain the order is the chain's own: block number, then log index (then `rank`, for two rows that
 * describe the same log). Across chains there is no common clock but block timestamps, which are whole seconds and
 * often equal: the chains' sequences are merged by timestamp, and rows with the same timestamp by `rank` (the
 * lifecycle step: a flow is opened before it is executed, executed before its outcome is acknowledged), then by the
 * chain's position in `chains`. A chain's own order is never changed by the merge.
 */

/** One row of a timeline: where the event is, and its lifecycle step (smaller = earlier). */
export type TimelineEvent = {
  /** Chain name or id (events of one chain share it). */
  chain: string | number;
  blockNumber: bigint;
  /** Position of the log in its block (0 when unknown). */
  logIndex?: number;
  /** Block timestamp, seconds. */
  timestamp: bigint;
  /** Lifecycle step, used only to order rows with equal timestamps on different chains (default 0). */
  rank?: number;
};

function withinChain(a: TimelineEvent, b: TimelineEvent): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1;
  const li = (a.logIndex ?? 0) - (b.logIndex ?? 0);
  return li !== 0 ? li : (a.rank ?? 0) - (b.rank ?? 0);
}

/**
 * `events` in timeline order (a new array; see the module comment). `chains` fixes the tie-break order of chains
 * (default: the order in which they first appear in `events`).
 */
export function orderTimeline<T extends TimelineEvent>(
  events: readonly T[],
  chains?: readonly (string | number)[],
): T[] {
  const order: (string | number)[] = [...(chains ?? [])];
  for (const e of events) if (!order.includes(e.chain)) order.push(e.chain);
  const lanes = order.map((chain) =>
    events
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.chain === chain)
      .sort((x, y) => withinChain(x.e, y.e) || x.i - y.i)
      .map(({ e }) => e),
  );
  const heads = lanes.map(() => 0);
  const out: T[] = [];
  for (;;) {
    let best = -1;
    for (let lane = 0; lane < lanes.length; lane++) {
      const candidate = lanes[lane]![heads[lane]!];
      if (!candidate) continue;
      if (best < 0) {
        best = lane;
        continue;
      }
      const current = lanes[best]![heads[best]!]!;
      if (
        candidate.timestamp < current.timestamp ||
        (candidate.timestamp === current.timestamp && (candidate.rank ?? 0) < (current.rank ?? 0))
      )
        best = lane;
    }
    if (best < 0) return out;
    out.push(lanes[best]![heads[best]!]!);
    heads[best]!++;
  }
}

/** Lifecycle steps of a flow's events (the `rank` of {@link orderTimeline}); other events rank last. */
export const FLOW_EVENT_RANK: Readonly<Record<string, number>> = {
  FlowOpened: 0,
  FlowCancelRequested: 1,
  FlowFeesBumped: 1,
  FlowDelivered: 2,
  FlowGuardPending: 3,
  FlowAttemptFailed: 3,
  FlowAttemptPaused: 3,
  FlowExecuted: 4,
  FlowFailed: 4,
  FlowExpired: 4,
  FlowCancelled: 4,
  FlowMessageIgnored: 4,
  OutcomeExported: 5,
  OutcomeExportFailed: 5,
  OutcomeAcknowledged: 6,
  OutcomeIgnored: 6,
  FlowFinalized: 7,
  FlowCompensated: 7,
};

/** Lifecycle steps of a message's events: sent on the origin, then delivered, failed or executed, then retried. */
export const MESSAGE_EVENT_RANK: Readonly<Record<string, number>> = {
  SENT: 0,
  DELIVERED: 1,
  FAILED: 2,
  EXECUTED: 2,
  RETRIED: 3,
};
