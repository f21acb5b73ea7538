/**
 * `eth_getLogs` against real RPC limits: a {@link LogPager} walks a block range page by page and adapts the page
 * size to what the provider accepts.
 *
 * Public providers reject wide ranges ("block range too large", "limited to a 10,000 range") and large answers
 * ("query returned more than 10000 results", "Log response size exceeded"). The pager starts with
 * `initialRange` blocks per request; a rejected request is retried over a smaller range (the provider's suggested
 * range when its message names one, else half), a successful one lets the next page grow again (doubling, up to
 * `maxRange`). Rejections that name the block range are remembered as a ceiling (the smallest rejected range): the
 * page size then grows by bisecting towards it instead of being rejected on every other request. Rejections of
 * the answer's size only shrink the current page (the next range may be sparse). Connection failures are not
 * limits: they are retried a few times, then thrown.
 *
 * Callers keep their own cursor: `page()` returns the last block it covered, so an agent persists its progress
 * after every page and a restart resumes there.
 */
import {
  type Abi,
  type Address,
  type Hex,
  type Log,
  type PublicClient,
  type RpcLog,
  encodeEventTopics,
  formatLog,
  toHex,
} from "viem";
import { ConcordSdkError } from "./errors.js";

/** What to ask `eth_getLogs` for: emitters and topic filters (null = any), as in the JSON-RPC call. */
export type LogFilter = {
  address?: Address | Address[];
  topics?: (Hex | Hex[] | null)[];
};

export type LogPagerOptions = {
  /** Blocks per request to start with (default 2000). */
  initialRange?: number;
  /** Largest page the pager grows to (default 100 000). */
  maxRange?: number;
  /** Retries of a request that failed to connect (default 2), with 150 ms, 300 ms... between them. */
  transportRetries?: number;
};

/** A provider kept rejecting `eth_getLogs` down to a single block, or the filter itself is refused. */
export class LogQueryError extends ConcordSdkError {
  override name = "LogQueryError";
}

/** How a failed `eth_getLogs` is handled: a limit on the range or on the answer, a connection failure, or other. */
export type LogErrorKind = "range" | "results" | "transport" | "other";

/** Every text an error carries (viem's message, details and causes, a provider's JSON-RPC message). */
function errorText(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (e && typeof e === "object" && !seen.has(e) && parts.length < 8) {
    seen.add(e);
    const r = e as { message?: unknown; details?: unknown; shortMessage?: unknown; cause?: unknown };
    for (const v of [r.shortMessage, r.details, r.message]) if (typeof v === "string") parts.push(v);
    e = r.cause;
  }
  if (typeof error === "string") parts.push(error);
  return parts.join("\n");
}

const RESULTS_LIMIT =
  /more than \d+ (results|logs)|too many (results|logs)|response size|result(s)? (limit|exceed)|log(s)? limit|exceed(s|ed)? .*(results|logs)/i;
const RANGE_LIMIT =
  /block range|range (is )?too (large|wide|big)|range limit|limited to a [\d,]+ range|max(imum)? (block )?range|range of [\d,]+ blocks|blocks? (range )?exceed|exceed(s|ed)? .*range|too many blocks/i;
const TRANSPORT =
  /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|socket hang up|other side closed|timed out|took too long/i;

/** Classifies a failed `eth_getLogs` (exported for tests and for callers with their own paging). */
export function classifyLogError(error: unknown): LogErrorKind {
  const text = errorText(error);
  const status = (error as { status?: unknown })?.status;
  const name = (error as { name?: unknown })?.name;
  // A provider that answered (HTTP status, JSON-RPC error) with a limit message.
  if (RESULTS_LIMIT.test(text)) return "results";
  if (RANGE_LIMIT.test(text)) return "range";
  if (status === 413) return "results";
  if (
    name === "TimeoutError" ||
    (name === "HttpRequestError" && status === undefined) ||
    TRANSPORT.test(text)
  )
    return "transport";
  return "other";
}

/** A range the provider suggests in its rejection (e.g. "this block range should work: [0x1, 0x7d0]"). */
export function suggestedRange(error: unknown, from: bigint): number | undefined {
  const text = errorText(error);
  const pair = /\[\s*(0x[0-9a-f]+|\d+)\s*,\s*(0x[0-9a-f]+|\d+)\s*\]/i.exec(text);
  if (pair) {
    const a = BigInt(pair[1]!);
    const b = BigInt(pair[2]!);
    if (a === from && b >= a) return Number(b - a + 1n);
  }
  const limit =
    /limited to a ([\d,]+) (block )?range|max(?:imum)? (?:block )?range(?: is| of|:)? ([\d,]+)|range of ([\d,]+) blocks|up to (?:a )?([\d,]+)[- ]block range|([\d,]+) blocks? (?:range )?(?:is the )?max/i.exec(
      text,
    );
  const value = limit?.slice(1).find((g) => g !== undefined && /\d/.test(g));
  if (value) {
    const n = Number(value.replace(/,/g, ""));
    if (Number.isSafeInteger(n) && n > 0) return n;
  }
  return undefined;
}

/** The first block of a log search: a block number as given; a tag ("earliest", or none) means block 0. */
export function startBlock(fromBlock: bigint | string | undefined): bigint {
  return typeof fromBlock === "bigint" ? fromBlock : 0n;
}

/** Topic filter of one event of `abi` (with indexed arguments as given), e.g. `Dispatched` with `messageId`. */
export function eventTopics(
  abi: Abi,
  eventName: string,
  args?: Record<string, unknown>,
): (Hex | Hex[] | null)[] {
  return encodeEventTopics({ abi, eventName, args } as Parameters<typeof encodeEventTopics>[0]) as (
    Hex | Hex[] | null
  )[];
}

/**
 * Pages `eth_getLogs` over a block range with an adaptive page size (see the module comment). One pager per
 * RPC endpoint: its page size and the ceiling it learned carry over from one call to the next.
 */
export class LogPager {
  readonly client: PublicClient;
  /** Blocks the next request asks for. */
  range: number;
  /** The smallest range the provider rejected as too wide (undefined: none yet). */
  ceiling: number | undefined;
  readonly maxRange: number;
  private readonly transportRetries: number;
  /** The largest range a request succeeded with. */
  private good = 0;
  /** Requests sent and requests the provider rejected (and the pager retried smaller). */
  readonly stats = { requests: 0, rejected: 0 };

  constructor(client: PublicClient, options: LogPagerOptions = {}) {
    this.client = client;
    this.maxRange = Math.max(1, options.maxRange ?? 100_000);
    this.range = Math.min(Math.max(1, options.initialRange ?? 2_000), this.maxRange);
    this.transportRetries = options.transportRetries ?? 2;
  }

  /**
   * The logs of `filter` from `fromBlock` to at most `toBlock`, over as many blocks as the provider accepts in one
   * request; returns them with the last block covered (the caller's cursor). Throws a {@link LogQueryError} when
   * even one block is refused, and the connection error when the endpoint does not answer.
   */
  async page(
    filter: LogFilter,
    fromBlock: bigint,
    toBlock: bigint,
  ): Promise<{ logs: Log[]; toBlock: bigint }> {
    if (toBlock < fromBlock) return { logs: [], toBlock };
    for (let transportFailures = 0; ;) {
      const span = BigInt(this.range);
      const to = fromBlock + span - 1n < toBlock ? fromBlock + span - 1n : toBlock;
      const asked = Number(to - fromBlock + 1n);
      try {
        this.stats.requests++;
        const raw = (await this.client.request(
          {
            method: "eth_getLogs",
            params: [
              {
                ...(filter.address ? { address: filter.address } : {}),
                ...(filter.topics ? { topics: filter.topics } : {}),
                fromBlock: toHex(fromBlock),
                toBlock: toHex(to),
              },
            ],
          },
          { retryCount: 0 },
        )) as RpcLog[];
        this.succeeded(asked);
        return { logs: raw.map((log) => formatLog(log)), toBlock: to };
      } catch (error) {
        const kind = classifyLogError(error);
        if (kind === "transport") {
          if (transportFailures++ >= this.transportRetries) throw error;
          await new Promise((r) => setTimeout(r, 150 * 2 ** (transportFailures - 1)));
          continue;
        }
        this.stats.rejected++;
        if (asked <= 1)
          throw new LogQueryError(
            `eth_getLogs refused even for block ${fromBlock}`,
            errorText(error).split("\n").slice(0, 3).join(" / "),
            { cause: error },
          );
        this.rejected(asked, kind, suggestedRange(error, fromBlock));
      }
    }
  }

  /**
   * Every log of `filter` in [`fromBlock`, `toBlock`], oldest first, page by page; `onPage` (if given) runs after
   * each page with its logs and last block (e.g. to persist a cursor) before the next request.
   */
  async getLogs(
    filter: LogFilter,
    fromBlock: bigint,
    toBlock: bigint,
    onPage?: (logs: Log[], toBlock: bigint) => Promise<void> | void,
  ): Promise<Log[]> {
    const all: Log[] = [];
    for (let from = fromBlock; from <= toBlock;) {
      const { logs, toBlock: covered } = await this.page(filter, from, toBlock);
      all.push(...logs);
      await onPage?.(logs, covered);
      from = covered + 1n;
    }
    return all;
  }

  /** Like {@link getLogs}, up to the chain's latest block (read once, at the start). */
  async getLogsToLatest(filter: LogFilter, fromBlock: bigint): Promise<Log[]> {
    const latest = await this.client.getBlockNumber({ cacheTime: 0 });
    return this.getLogs(filter, fromBlock, latest);
  }

  private succeeded(asked: number): void {
    if (asked < this.range) return; // the last, shorter page of a walk says nothing about the limit
    this.good = Math.max(this.good, asked);
    let next = Math.min(this.range * 2, this.maxRange);
    if (this.ceiling !== undefined && next >= this.ceiling) {
      // Bisect between the largest accepted and the smallest rejected range.
      next = Math.max(this.good, Math.floor((this.good + this.ceiling) / 2));
    }
    this.range = Math.max(1, next);
  }

  private rejected(asked: number, kind: LogErrorKind, suggested: number | undefined): void {
    if (kind === "range") {
      this.ceiling = this.ceiling === undefined ? asked : Math.min(this.ceiling, asked);
      if (this.good >= asked) this.good = 0; // the provider's limit went down
    }
    let next: number;
    if (suggested !== undefined && suggested < asked) next = suggested;
    else if (kind === "range" && this.good > 0) next = Math.floor((this.good + asked) / 2);
    else next = Math.floor(asked / 2);
    this.range = Math.max(1, Math.min(next, asked - 1));
  }
}
