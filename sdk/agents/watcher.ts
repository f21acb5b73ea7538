/**
 * Concord watcher: the honest, live party the optimistic verifier's safety rests on. It indexes every `Committed`
 * event of the configured `OptimisticVerifier`s, checks each commitment against the origin chain's own gateway,
 * and vetoes a fraudulent one before its window ends; it raises an alert for every fraud it sees, every veto that
 * did not land and every commitment it cannot judge.
 *
 * What is honest (checked against the origin gateway's `Dispatched` events, the only record of what was sent):
 * - a MESSAGE_ID commitment is the id of a message the origin gateway dispatched;
 * - a ROOT commitment is the root of the origin gateway's message tree after some number n >= 1 of messages (the
 *   watcher keeps its own copy of the tree, index-ordered like `MerkleTree.sol`, and every root it had).
 * Anything else is a forgery and is vetoed. A commitment whose message (or last leaf) is only in blocks that are not
 * final yet is left until they are: a reorg that orphans the message turns it into a forgery.
 *
 * Ordering makes the judgement safe against a race: each pass reads the verifiers' new commitments first and the
 * origins second, so a message that an honest committer saw was dispatched before the origin read of the same pass.
 * A commitment from an origin the watcher has no chain for is never vetoed (it cannot be judged): it is alerted.
 *
 * Hostile input never stalls the rest: each commitment is judged and vetoed on its own, a veto that reverts
 * (someone vetoed first, the window ended) is counted and logged, and a commitment whose check fails is retried on
 * the next pass. The watcher keeps no store: on start it rebuilds the origin trees and the open commitments from
 * events, so a restart loses nothing (commitments whose window ended are only reported).
 */
import {
  type Address,
  type Chain as ViemChain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type WalletClient,
  concatHex,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  keccak256,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ConcordTransactionError, decodeMessage, optimisticVerifierAbi } from "../src/index.js";
import { LogPager, eventTopics } from "../src/logs.js";
import { gatewayAbi } from "./abi.js";
import { AgentConfigError } from "./errors.js";
import type { MetricFamily } from "./http.js";
import { checkConfig, startAgent } from "./lifecycle.js";
import { type AgentLogger, jsonLogger } from "./log.js";

/** An origin chain: the gateway whose messages commitments must match. */
export type WatcherOriginConfig = {
  /** Concord domain (the EVM chain id). */
  domain: number;
  rpcUrl: string;
  /** The origin's ConcordGateway. */
  gateway: Address;
  /** Blocks behind the head a message must be to count as final (default 0: local chains). */
  confirmations?: number;
  /** The gateway's deploy block (default 0): the tree is rebuilt from there. */
  fromBlock?: number;
  /** Blocks per `eth_getLogs` to start with (default 2000); adapts to the provider's limits. */
  blockRange?: number;
};

/** A chain with an `OptimisticVerifier` the watcher guards (its account must be an allowlisted watcher there). */
export type WatcherVerifierConfig = {
  /** Concord domain of the chain the verifier lives on. */
  domain: number;
  rpcUrl: string;
  verifier: Address;
  /** The verifier's deploy block (default 0). */
  fromBlock?: number;
  blockRange?: number;
};

/** Why the watcher raised an alert. */
export type WatcherAlertKind =
  /** A forged commitment, vetoed in its window. */
  | "FRAUD_VETOED"
  /** A forged commitment whose veto did not land (reverted or failed); still in its window if `usableAt` is ahead. */
  | "VETO_FAILED"
  /** A forged commitment seen after its window ended: it is usable and must be handled by the verifier's admin. */
  | "FRAUD_WINDOW_ELAPSED"
  /** A commitment from an origin the watcher has no chain for: it cannot be judged. */
  | "UNWATCHED_ORIGIN";

export type WatcherAlert = {
  kind: WatcherAlertKind;
  /** Domain of the verifier's chain, the verifier, the commitment's origin and the commitment. */
  verifierDomain: number;
  verifier: Address;
  origin: number;
  commitment: Hex;
  commitmentKind: "MESSAGE_ID" | "ROOT";
  /** When the commitment becomes usable (unix seconds). */
  usableAt: bigint;
  detail?: string;
};

export type WatcherConfig = {
  origins: WatcherOriginConfig[];
  verifiers: WatcherVerifierConfig[];
  /** The allowlisted watcher account that sends `veto`: a viem local account or a private key. */
  account: LocalAccount | Hex;
  /** Delay between passes, in ms (default 1000). */
  pollIntervalMs?: number;
  logger?: AgentLogger;
  /** Called for every alert (besides the error log line), e.g. to page an operator. */
  onAlert?: (alert: WatcherAlert) => void;
};

/** Counters of a watcher run. */
export type WatcherCounters = {
  /** Commitments indexed from `Committed`. */
  commitments: number;
  /** Commitments found honest (their message or root is on the origin, final). */
  honest: number;
  /** Vetoes mined by this watcher. */
  vetoes: number;
  /** Alerts raised, by kind. */
  alerts: Record<WatcherAlertKind, number>;
  /** Commitments still waiting (their message is not final yet, or their check failed and is retried). */
  pending: number;
  /** Messages indexed (final) across the origins. */
  messages: number;
  /** Passes or checks that failed (RPC errors), retried. */
  errors: number;
};

const ALERT_KINDS: readonly WatcherAlertKind[] = [
  "FRAUD_VETOED",
  "VETO_FAILED",
  "FRAUD_WINDOW_ELAPSED",
  "UNWATCHED_ORIGIN",
];
const KIND_NAMES = { 1: "MESSAGE_ID", 2: "ROOT" } as const;
const TREE_DEPTH = 32;

/**
 * The origin gateway's message tree (`MerkleTree.sol`: depth 32, leaves in nonce order), kept incrementally:
 * `insert` is O(depth) and `root` the root over the leaves so far.
 */
export class IncrementalTree {
  private readonly branch: Hex[] = Array.from({ length: TREE_DEPTH }, () => ZERO);
  private count = 0;

  /** Number of leaves inserted. */
  get size(): number {
    return this.count;
  }

  insert(leaf: Hex): void {
    let node = leaf;
    let size = ++this.count;
    for (let i = 0; i < TREE_DEPTH; i++) {
      if ((size & 1) === 1) {
        this.branch[i] = node;
        return;
      }
      node = hashPair(this.branch[i]!, node);
      size >>>= 1;
    }
  }

  root(): Hex {
    let current = ZERO;
    for (let i = 0; i < TREE_DEPTH; i++) {
      current =
        ((this.count >>> i) & 1) === 1 ? hashPair(this.branch[i]!, current) : hashPair(current, ZEROS[i]!);
    }
    return current;
  }

  clone(): IncrementalTree {
    const copy = new IncrementalTree();
    copy.branch.splice(0, TREE_DEPTH, ...this.branch);
    copy.count = this.count;
    return copy;
  }
}

const ZERO: Hex = `0x${"00".repeat(32)}`;
function hashPair(left: Hex, right: Hex): Hex {
  return keccak256(concatHex([left, right]));
}
/** ZEROS[i]: the root of an empty subtree of height i. */
const ZEROS: Hex[] = [ZERO];
for (let i = 1; i < TREE_DEPTH; i++) ZEROS.push(hashPair(ZEROS[i - 1]!, ZEROS[i - 1]!));

type Origin = WatcherOriginConfig & {
  client: PublicClient;
  pager: LogPager;
  /** Last final block indexed (-1: none). */
  cursor: number;
  /** Final messages: id -> nonce; the tree over them and every root it had (root -> leaf count). */
  ids: Map<Hex, number>;
  tree: IncrementalTree;
  roots: Map<Hex, number>;
  /** Messages in blocks after the final cursor, re-read every pass (a reorg may drop them). */
  pendingIds: Set<Hex>;
  pendingRoots: Set<Hex>;
};

type Guarded = WatcherVerifierConfig & {
  client: PublicClient;
  pager: LogPager;
  wallet: WalletClient;
  cursor: number;
};

type Open = {
  guarded: Guarded;
  origin: number;
  commitment: Hex;
  kind: 1 | 2;
  usableAt: bigint;
  alertedUnwatched?: boolean;
};

function shortError(e: unknown): string {
  if (e instanceof ConcordTransactionError) return e.details ?? e.shortMessage;
  const err = e as { shortMessage?: string; message?: string };
  return err.shortMessage ?? err.message?.split("\n")[0] ?? String(e);
}

function clientOf(rpcUrl: string, chainId: number): { client: PublicClient; chain: ViemChain } {
  const transport = http(rpcUrl, { retryCount: 3, retryDelay: 100, timeout: 10_000 });
  const chain = defineChain({
    id: chainId,
    name: `concord-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  return { client: createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient, chain };
}

/** A watcher. Create with `Watcher.create(config)` (checks the chains), then `start()`; or `runWatcher`. */
export class Watcher {
  readonly config: WatcherConfig;
  readonly account: LocalAccount;
  private readonly origins = new Map<number, Origin>();
  private readonly guarded: Guarded[];
  private readonly open = new Map<string, Open>();
  private readonly logger: AgentLogger;
  private readonly stats: WatcherCounters = {
    commitments: 0,
    honest: 0,
    vetoes: 0,
    alerts: { FRAUD_VETOED: 0, VETO_FAILED: 0, FRAUD_WINDOW_ELAPSED: 0, UNWATCHED_ORIGIN: 0 },
    pending: 0,
    messages: 0,
    errors: 0,
  };
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  private constructor(config: WatcherConfig, account: LocalAccount, origins: Origin[], guarded: Guarded[]) {
    this.config = config;
    this.account = account;
    this.logger = config.logger ?? jsonLogger("watcher");
    for (const o of origins) this.origins.set(o.domain, o);
    this.guarded = guarded;
  }

  /** Validates the config and checks that every chain answers with its configured chain id. */
  static async create(config: WatcherConfig): Promise<Watcher> {
    checkConfig.nonEmpty("origins", config.origins);
    checkConfig.nonEmpty("verifiers", config.verifiers);
    if (config.pollIntervalMs !== undefined && !(config.pollIntervalMs > 0))
      throw new AgentConfigError("pollIntervalMs", `must be > 0, got ${config.pollIntervalMs}`);
    const account = typeof config.account === "string" ? privateKeyToAccount(config.account) : config.account;
    const seen = new Set<number>();
    const origins: Origin[] = [];
    for (const [i, o] of config.origins.entries()) {
      checkConfig.domain(`origins[${i}].domain`, o.domain, seen);
      checkConfig.address(`origins[${i}].gateway`, o.gateway);
      checkConfig.integer(`origins[${i}].confirmations`, o.confirmations, 0);
      checkConfig.integer(`origins[${i}].blockRange`, o.blockRange, 1);
      const { client } = clientOf(o.rpcUrl, o.domain);
      checkConfig.chainId(`origins[${i}].domain`, o.rpcUrl, await client.getChainId(), o.domain);
      origins.push({
        ...o,
        gateway: getAddress(o.gateway),
        client,
        pager: new LogPager(client, { initialRange: o.blockRange ?? 2000 }),
        cursor: (o.fromBlock ?? 0) - 1,
        ids: new Map(),
        tree: new IncrementalTree(),
        roots: new Map(),
        pendingIds: new Set(),
        pendingRoots: new Set(),
      });
    }
    const guarded: Guarded[] = [];
    const pairs = new Set<string>();
    for (const [i, v] of config.verifiers.entries()) {
      checkConfig.address(`verifiers[${i}].verifier`, v.verifier);
      checkConfig.integer(`verifiers[${i}].blockRange`, v.blockRange, 1);
      const pair = `${v.domain}:${getAddress(v.verifier)}`;
      if (pairs.has(pair)) throw new AgentConfigError(`verifiers[${i}]`, `duplicate verifier ${pair}`);
      pairs.add(pair);
      const { client, chain } = clientOf(v.rpcUrl, v.domain);
      checkConfig.chainId(`verifiers[${i}].domain`, v.rpcUrl, await client.getChainId(), v.domain);
      const verifier = getAddress(v.verifier);
      const allowed = await client.readContract({
        address: verifier,
        abi: optimisticVerifierAbi,
        functionName: "isWatcher",
        args: [account.address],
      });
      if (!allowed)
        throw new AgentConfigError(
          `verifiers[${i}].verifier`,
          `${account.address} is not an allowlisted watcher of ${verifier} on ${v.domain}: ask its admin for ` +
            `setWatcher(${account.address}, true)`,
        );
      guarded.push({
        ...v,
        verifier,
        client,
        pager: new LogPager(client, { initialRange: v.blockRange ?? 2000 }),
        wallet: createWalletClient({ account, chain, transport: http(v.rpcUrl) }),
        cursor: (v.fromBlock ?? 0) - 1,
      });
    }
    return new Watcher(config, account, origins, guarded);
  }

  /** Starts the loop (the first pass rebuilds the origin trees and the open commitments from events). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.spin();
  }

  /** Stops the loop; a veto in flight finishes first. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** A copy of the counters. */
  counters(): WatcherCounters {
    return { ...this.stats, alerts: { ...this.stats.alerts }, pending: this.open.size };
  }

  /** The counters as Prometheus metric families (for an agent's `/metrics`). */
  metrics(): MetricFamily[] {
    const c = this.counters();
    const counter = (name: string, help: string, value: number): MetricFamily => ({
      name,
      help,
      type: "counter",
      samples: [{ value }],
    });
    return [
      counter("concord_watcher_commitments_total", "Commitments indexed from Committed.", c.commitments),
      counter("concord_watcher_honest_total", "Commitments found on their origin (final).", c.honest),
      counter("concord_watcher_vetoes_total", "Vetoes mined by this watcher.", c.vetoes),
      {
        name: "concord_watcher_alerts_total",
        help: "Alerts raised, by kind.",
        type: "counter",
        samples: ALERT_KINDS.map((k) => ({ labels: { kind: k }, value: c.alerts[k] })),
      },
      {
        name: "concord_watcher_pending",
        help: "Commitments not judged yet.",
        type: "gauge",
        samples: [{ value: c.pending }],
      },
      counter("concord_watcher_errors_total", "Passes or checks that failed (retried).", c.errors),
    ];
  }

  /**
   * One pass: index new commitments on every verifier, then the origins (final messages into the trees, the rest
   * as pending), then judge every open commitment. Returns the number of vetoes mined.
   */
  async pass(): Promise<number> {
    for (const g of this.guarded) await this.indexCommitments(g);
    for (const o of this.origins.values()) await this.indexOrigin(o);
    let vetoed = 0;
    for (const [key, open] of [...this.open]) {
      if (!this.running && this.loop) break;
      try {
        if (await this.judge(key, open)) vetoed++;
      } catch (e) {
        this.stats.errors++;
        this.logger.warn("commitment check failed, retrying next pass", {
          origin: open.origin,
          commitment: open.commitment,
          error: shortError(e),
        });
      }
    }
    return vetoed;
  }

  private async spin(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.pass();
        failures = 0;
      } catch (e) {
        failures++;
        this.stats.errors++;
        this.logger.warn("watcher pass failed, backing off", { error: shortError(e) });
      }
      if (!this.running) break;
      const base = this.config.pollIntervalMs ?? 1000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, failures ? Math.min(base * 2 ** failures, 10_000) : base);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  private async indexCommitments(g: Guarded): Promise<void> {
    const head = Number(await g.client.getBlockNumber({ cacheTime: 0 }));
    const filter = { address: g.verifier, topics: eventTopics(optimisticVerifierAbi, "Committed") };
    for (let from = g.cursor + 1; from <= head;) {
      const page = await g.pager.page(filter, BigInt(from), BigInt(head));
      const logs = parseEventLogs({
        abi: optimisticVerifierAbi,
        logs: page.logs,
        eventName: "Committed",
        strict: true,
      });
      for (const log of logs) {
        const { origin, commitment, kind, usableAt } = log.args;
        if (kind !== 1 && kind !== 2) continue; // NONE is refused on chain
        const key = `${g.domain}:${g.verifier}:${origin}:${commitment}`;
        if (this.open.has(key)) continue;
        this.open.set(key, { guarded: g, origin, commitment, kind, usableAt });
        this.stats.commitments++;
      }
      g.cursor = Number(page.toBlock);
      from = g.cursor + 1;
    }
  }

  /** Final blocks into the tree (once, in order); blocks after them re-read as pending on every pass. */
  private async indexOrigin(o: Origin): Promise<void> {
    const head = Number(await o.client.getBlockNumber({ cacheTime: 0 }));
    const safe = head - (o.confirmations ?? 0);
    const filter = { address: o.gateway, topics: eventTopics(gatewayAbi, "Dispatched") };
    for (let from = o.cursor + 1; from <= safe;) {
      const page = await o.pager.page(filter, BigInt(from), BigInt(safe));
      for (const message of this.messagesOf(o, page.logs)) {
        if (message.nonce !== o.tree.size) {
          // The gateway numbers its messages 0, 1, 2...: a gap means a missed page; stop and re-read it.
          throw new Error(`origin ${o.domain}: message nonce ${message.nonce}, expected ${o.tree.size}`);
        }
        o.ids.set(message.id, message.nonce);
        o.tree.insert(message.id);
        o.roots.set(o.tree.root(), o.tree.size);
        this.stats.messages++;
      }
      o.cursor = Number(page.toBlock);
      from = o.cursor + 1;
    }
    o.pendingIds.clear();
    o.pendingRoots.clear();
    if (safe < head) {
      const tail = o.tree.clone();
      const page = await o.pager.page(filter, BigInt(Math.max(safe + 1, 0)), BigInt(head));
      for (const message of this.messagesOf(o, page.logs)) {
        o.pendingIds.add(message.id);
        if (message.nonce === tail.size) {
          tail.insert(message.id);
          o.pendingRoots.add(tail.root());
        }
      }
    }
  }

  private messagesOf(
    o: Origin,
    logs: Parameters<typeof parseEventLogs>[0]["logs"],
  ): { id: Hex; nonce: number }[] {
    const out: { id: Hex; nonce: number }[] = [];
    for (const log of parseEventLogs({ abi: gatewayAbi, logs, eventName: "Dispatched", strict: true })) {
      const id = keccak256(log.args.message);
      if (id !== log.args.messageId.toLowerCase()) continue; // the gateway's own event: never happens
      const decoded = decodeMessage(log.args.message);
      if (decoded.origin !== o.domain) continue;
      out.push({ id, nonce: decoded.nonce });
    }
    return out;
  }

  /** Judges one open commitment; returns whether this watcher's veto was mined. */
  private async judge(key: string, open: Open): Promise<boolean> {
    const { guarded: g, origin, commitment, kind } = open;
    const kindName = KIND_NAMES[kind];
    const o = this.origins.get(origin);
    if (!o) {
      if (!open.alertedUnwatched) {
        open.alertedUnwatched = true;
        this.alert({ kind: "UNWATCHED_ORIGIN", ...this.about(open), detail: "no origin chain configured" });
      }
      return false;
    }
    const final = kind === 1 ? o.ids.has(commitment) : o.roots.has(commitment);
    if (final) {
      this.open.delete(key);
      this.stats.honest++;
      this.logger.info("commitment matches its origin", { origin, commitment, kind: kindName });
      return false;
    }
    const record = await g.client.readContract({
      address: g.verifier,
      abi: optimisticVerifierAbi,
      functionName: "commitmentOf",
      args: [origin, commitment],
    });
    if (record.vetoed) {
      this.open.delete(key);
      this.logger.info("commitment already vetoed", { origin, commitment });
      return false;
    }
    const pending = kind === 1 ? o.pendingIds.has(commitment) : o.pendingRoots.has(commitment);
    if (pending) return false; // on the origin, not final yet: judged once final (or vetoed if a reorg drops it)

    const block = await g.client.getBlock({ blockTag: "latest" });
    if (block.timestamp >= record.usableAt) {
      this.open.delete(key);
      this.alert({
        kind: "FRAUD_WINDOW_ELAPSED",
        ...this.about(open),
        detail: "forgery seen after its window",
      });
      return false;
    }
    try {
      const { request } = await g.client.simulateContract({
        address: g.verifier,
        abi: optimisticVerifierAbi,
        functionName: "veto",
        args: [origin, commitment],
        account: this.account,
      });
      const hash = await g.wallet.writeContract(request);
      const receipt = await g.client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      if (receipt.status !== "success") throw new Error(`veto reverted in ${hash}`);
    } catch (e) {
      this.alert({ kind: "VETO_FAILED", ...this.about(open), detail: shortError(e) });
      return false; // still open: tried again next pass while the window lasts
    }
    this.open.delete(key);
    this.stats.vetoes++;
    this.alert({ kind: "FRAUD_VETOED", ...this.about(open), detail: `${kindName} not on origin ${origin}` });
    return true;
  }

  private about(open: Open): Omit<WatcherAlert, "kind" | "detail"> {
    return {
      verifierDomain: open.guarded.domain,
      verifier: open.guarded.verifier,
      origin: open.origin,
      commitment: open.commitment,
      commitmentKind: KIND_NAMES[open.kind],
      usableAt: open.usableAt,
    };
  }

  private alert(alert: WatcherAlert): void {
    this.stats.alerts[alert.kind]++;
    this.logger.error("watcher alert", { ...alert, usableAt: alert.usableAt.toString() });
    try {
      this.config.onAlert?.(alert);
    } catch (e) {
      this.logger.warn("onAlert threw", { error: shortError(e) });
    }
  }
}

/** Creates and starts a watcher. */
export async function runWatcher(config: WatcherConfig): Promise<Watcher> {
  return startAgent(() => Watcher.create(config));
}
