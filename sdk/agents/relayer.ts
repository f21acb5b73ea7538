/**
 * Concord relayer agent: indexes every configured origin gateway, collects a quorum of validator signatures,
 * builds the destination verifier's metadata, and delivers with `process` (or several messages per transaction
 * through `ConcordBatchProcessor`). Every message's lifecycle is recorded in a RelayerStore (SQLite by default,
 * PostgreSQL for several instances).
 *
 * This file holds the agent itself: its configuration checks, the loops (one indexing, one signing and one delivery
 * loop per chain), their health, metrics and the HTTP status API. Each concern lives in its own module under
 * `relayer/`, as functions over one shared `RelayerContext`:
 * - `indexing.ts`: nothing lost (a message is SEEN before the cursor moves past its block), reorgs (the last
 *   `confirmations` blocks are rescanned; a message whose block left the canonical chain is ORPHANED).
 * - `signing.ts`: the verifier each message needs, validator signatures, metadata once a quorum is valid.
 * - `delivery.ts`: claims (one instance per message: row locks + lease), recovery of SUBMITTED messages from chain
 *   state before anything is re-sent, batches, outcomes, parking and back-off.
 * - `transactions.ts`: nothing sent twice (signed, recorded, then broadcast), stuck transactions replaced.
 * - `auto-retry.ts`: automatic retry of FAILED outcomes with more gas (`retryFailed`, off unless configured).
 * - `failures.ts`, `config.ts`, `status-api.ts`: failure classification, configuration types, `/health` etc.
 *
 * Isolation: every message is handled on its own. One the relayer cannot sign, build metadata for, estimate or
 * deliver never stops its loop: it is parked UNDELIVERABLE with the reason and re-checked later with a growing
 * back-off, or postponed with the reason when the cause is a chain or validator that does not answer. Loop failures
 * are counted per loop and reported by `/health` (`ok: false` while a loop keeps failing).
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { type Address, type Hex, type LocalAccount, createPublicClient, getAddress, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { LogPager } from "../src/logs.js";
import { AgentConfigError } from "./errors.js";
import { checkConfig, startAgent } from "./lifecycle.js";
import { type HttpEndpoint, type HttpReply, type MetricFamily, serveHttp } from "./http.js";
import { FlowKeeper } from "./keeper.js";
import { dataDir } from "./state.js";
import { type AgentLogger, jsonLogger } from "./log.js";
import type { MessageRecord, RelayerStore } from "./store.js";
import { openPostgresStore } from "./store-postgres.js";
import { openSqliteStore } from "./store-sqlite.js";
import { retryFailedPass } from "./relayer/auto-retry.js";
import type { Chain, LoopHealth, RelayerConfig } from "./relayer/config.js";
import type { RelayerContext } from "./relayer/context.js";
import { deliverSigned, drainDeliveries } from "./relayer/delivery.js";
import { shortError } from "./relayer/failures.js";
import { indexOrigin } from "./relayer/indexing.js";
import { collectSignatures } from "./relayer/signing.js";
import { statusReply } from "./relayer/status-api.js";

export type { LoopHealth, RelayerChainConfig, RelayerConfig, RelayerStoreConfig } from "./relayer/config.js";

/** A relayer. Create with `Relayer.create(config)` (opens the store and the chains), then `start()`. */
export class Relayer {
  readonly config: RelayerConfig;
  readonly store: RelayerStore;
  readonly instanceId: string;
  readonly account: LocalAccount;
  private readonly chains = new Map<number, Chain>();
  private readonly logger: AgentLogger;
  private readonly ownsStore: boolean;
  /** What the concern modules (relayer/*.ts) share with this relayer. */
  private readonly ctx: RelayerContext;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private endpoint: HttpEndpoint | undefined;
  private readonly counters = new Map<string, number>();
  private readonly loopHealth = new Map<string, LoopHealth>();
  /** Problems reported during the current pass of each loop (a chain that did not answer for one message). */
  private readonly passProblems = new Map<string, string>();
  /** Loops whose current pass found no work (it neither proves nor disproves health: the streak is kept). */
  private readonly idlePasses = new Set<string>();

  private constructor(config: RelayerConfig, store: RelayerStore, ownsStore: boolean, chains: Chain[]) {
    this.config = config;
    this.store = store;
    this.ownsStore = ownsStore;
    this.instanceId = config.instanceId ?? randomUUID();
    this.account = typeof config.account === "string" ? privateKeyToAccount(config.account) : config.account;
    this.logger = config.logger ?? jsonLogger(`relayer:${this.instanceId.slice(0, 8)}`);
    for (const c of chains) this.chains.set(c.domain, c);
    this.ctx = {
      config: this.config,
      store: this.store,
      instanceId: this.instanceId,
      account: this.account,
      chains: this.chains,
      logger: this.logger,
      nonces: new Map(),
      verifiers: new Map(),
      inflight: new Map(),
      inflightIds: new Set(),
      estimateAlone: new Set(),
      running: () => this.running,
      count: (name, labels, by) => this.count(name, labels, by),
      reportProblem: (loop, problem) => this.reportProblem(loop, problem),
      markIdle: (loop) => this.idlePasses.add(loop),
      park: (r, reason) => this.park(r, reason),
    };
  }

  /** Validates the config, opens the store and checks every chain answers with its configured chain id. */
  static async create(config: RelayerConfig): Promise<Relayer> {
    checkConfig.nonEmpty("chains", config.chains);
    // Settings first: a bad value is reported before any chain is contacted.
    Relayer.checkRetryFailed(config.retryFailed);
    Relayer.checkThroughput(config);
    const threshold = config.healthFailureThreshold ?? 3;
    if (!Number.isInteger(threshold) || threshold < 1)
      throw new AgentConfigError("healthFailureThreshold", `must be an integer >= 1, got ${threshold}`);
    for (const key of ["recheckBaseMs", "recheckMaxMs"] as const) {
      const v = config.undeliverable?.[key];
      if (v !== undefined && !(Number.isFinite(v) && v > 0))
        throw new AgentConfigError(`undeliverable.${key}`, `must be a positive number of ms, got ${v}`);
    }
    const seen = new Set<number>();
    const chains: Chain[] = [];
    for (const [i, c] of config.chains.entries()) {
      checkConfig.domain(`chains[${i}].domain`, c.domain, seen);
      checkConfig.address(`chains[${i}].gateway`, c.gateway);
      const client = createPublicClient({
        transport: http(c.rpcUrl, { retryCount: 3, retryDelay: 100, timeout: 10_000 }),
      });
      const chainId = await client.getChainId();
      chains.push({
        ...c,
        gateway: getAddress(c.gateway),
        client,
        pager: new LogPager(client, { initialRange: c.blockRange ?? 2000 }),
        chainId,
        head: 0n,
        lastError: null,
      });
    }
    if ((config.maxBatchSize ?? 50) < 1) throw new AgentConfigError("maxBatchSize", "must be >= 1");
    const keeper = config.keeper ? await Relayer.createKeeper(config, config.keeper) : undefined;
    const storeConfig = config.store ?? { type: "sqlite", path: join(dataDir(undefined), "relayer.sqlite") };
    const store =
      storeConfig.type === "custom"
        ? storeConfig.store
        : storeConfig.type === "postgres"
          ? await openPostgresStore(storeConfig.connectionString)
          : await openSqliteStore(storeConfig.path);
    const relayer = new Relayer(config, store, storeConfig.type !== "custom", chains);
    relayer.keeper = keeper;
    return relayer;
  }

  /** `maxInFlight`, `maxTxGas`, `gasBound` and `requirePayment` (a paymaster on every origin). */
  private static checkThroughput(config: RelayerConfig): void {
    const inFlight = config.maxInFlight ?? 4;
    if (!Number.isInteger(inFlight) || inFlight < 1)
      throw new AgentConfigError("maxInFlight", `must be an integer >= 1, got ${inFlight}`);
    const maxTxGas = config.maxTxGas ?? 16_777_216;
    if (!Number.isSafeInteger(maxTxGas) || maxTxGas < 100_000)
      throw new AgentConfigError("maxTxGas", `must be a gas amount >= 100000, got ${maxTxGas}`);
    for (const [key, v] of Object.entries(config.gasBound || {}))
      if (!Number.isSafeInteger(v) || (v as number) < 0)
        throw new AgentConfigError(`gasBound.${key}`, `must be a gas amount >= 0, got ${String(v)}`);
    const recheck = config.paymentRecheckMs;
    if (recheck !== undefined && !(Number.isFinite(recheck) && recheck > 0))
      throw new AgentConfigError("paymentRecheckMs", `must be a positive number of ms, got ${recheck}`);
    if (config.requirePayment)
      for (const [i, c] of config.chains.entries())
        if (c.paymaster === undefined)
          throw new AgentConfigError(
            `chains[${i}].paymaster`,
            "requirePayment needs the GasPaymaster of every origin (where its senders pay)",
          );
        else checkConfig.address(`chains[${i}].paymaster`, c.paymaster);
  }

  private static checkRetryFailed(r: RelayerConfig["retryFailed"]): void {
    if (r === undefined) return;
    if (!Number.isSafeInteger(r.gasCeiling) || r.gasCeiling <= 0 || r.gasCeiling > 0xffffffff)
      throw new AgentConfigError(
        "retryFailed.gasCeiling",
        `must be a gas amount from 1 to ${0xffffffff}, got ${r.gasCeiling}`,
      );
    if (r.maxAttempts !== undefined && (!Number.isInteger(r.maxAttempts) || r.maxAttempts < 1))
      throw new AgentConfigError("retryFailed.maxAttempts", `must be an integer >= 1, got ${r.maxAttempts}`);
    if (r.marginPercent !== undefined && !(Number.isFinite(r.marginPercent) && r.marginPercent >= 0))
      throw new AgentConfigError("retryFailed.marginPercent", `must be >= 0, got ${r.marginPercent}`);
    if (r.delayMs !== undefined && !(Number.isFinite(r.delayMs) && r.delayMs >= 0))
      throw new AgentConfigError("retryFailed.delayMs", `must be >= 0 ms, got ${r.delayMs}`);
  }

  /** The flow keeper of `config.keeper` (checked: a distinct account, flow contracts on configured chains only). */
  private static async createKeeper(
    config: RelayerConfig,
    k: NonNullable<RelayerConfig["keeper"]>,
  ): Promise<FlowKeeper> {
    const address = (a: LocalAccount | Hex) => (typeof a === "string" ? privateKeyToAccount(a) : a).address;
    if (address(k.account) === address(config.account))
      throw new AgentConfigError(
        "keeper.account",
        "must differ from `account` (the relayer manages its nonces)",
      );
    const entries = Object.entries(k.flows ?? {});
    if (entries.length === 0) throw new AgentConfigError("keeper.flows", "at least one chain is required");
    return FlowKeeper.create({
      chains: entries.map(([domain, contracts]) => {
        const chain = config.chains.find((c) => c.domain === Number(domain));
        if (!chain) throw new AgentConfigError(`keeper.flows.${domain}`, "not a configured chain");
        return {
          domain: chain.domain,
          rpcUrl: chain.rpcUrl,
          escrow: contracts.escrow,
          executor: contracts.executor,
          fromBlock: chain.fromBlock,
        };
      }),
      account: k.account,
      pollIntervalMs: k.pollIntervalMs ?? config.pollIntervalMs,
      reexportAfterMs: k.reexportAfterMs,
      logger: config.logger,
    });
  }

  /** The flow keeper running with this relayer (`config.keeper`), if any. */
  keeper: FlowKeeper | undefined;

  get url(): string | undefined {
    return this.endpoint?.url;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.config.http !== false) {
      const h = this.config.http ?? {};
      this.endpoint = await serveHttp((m, p) => this.handle(m, p), h.host, h.port);
    }
    this.keeper?.start();
    // A start re-checks every parked message it could deliver (its destination may be served now, a route enrolled).
    const revived = await this.store.reviveParked([...this.chains.keys()], Date.now());
    if (revived) this.logger.info("re-checking parked messages", { count: revived });
    for (const chain of this.chains.values()) {
      this.loops.push(this.spin(`index:${chain.domain}`, () => indexOrigin(this.ctx, chain), chain));
      this.loops.push(this.spin(`sign:${chain.domain}`, () => collectSignatures(this.ctx, chain), chain));
      this.loops.push(this.spin(`deliver:${chain.domain}`, () => this.deliver(chain), chain));
    }
  }

  /** Stops every loop (in-flight steps finish), the HTTP API, and closes the store if the relayer opened it. */
  async stop(): Promise<void> {
    this.running = false;
    await this.keeper?.stop();
    for (const w of this.wakers) w();
    await Promise.all(this.loops);
    await drainDeliveries(this.ctx);
    this.loops = [];
    await this.endpoint?.close();
    if (this.ownsStore) await this.store.close();
  }

  private count(name: string, labels: Record<string, string | number> = {}, by = 1): void {
    const key = `${name}|${JSON.stringify(labels)}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  private async spin(name: string, step: () => Promise<boolean>, chain?: Chain): Promise<void> {
    const health: LoopHealth = {
      passes: 0,
      errors: 0,
      consecutiveFailures: 0,
      lastError: null,
      lastErrorAt: null,
      lastOkAt: null,
    };
    this.loopHealth.set(name, health);
    let failures = 0;
    while (this.running) {
      let progressed = false;
      let error: string | undefined;
      this.passProblems.delete(name);
      this.idlePasses.delete(name);
      try {
        progressed = await step();
        error = this.passProblems.get(name);
      } catch (e) {
        error = shortError(e);
        this.logger.warn("step failed, backing off", { loop: name, error });
      }
      health.passes++;
      if (error === undefined && this.idlePasses.has(name)) {
        // nothing was tried: keep the streak as it is
      } else if (error === undefined) {
        failures = 0;
        health.consecutiveFailures = 0;
        health.lastOkAt = Date.now();
        if (chain && name.startsWith("index")) chain.lastError = null;
      } else {
        failures++;
        health.errors++;
        health.consecutiveFailures++;
        health.lastError = error;
        health.lastErrorAt = Date.now();
        if (chain && name.startsWith("index")) chain.lastError = `${name}: ${error}`;
        this.count("concord_relayer_loop_errors_total", { loop: name });
      }
      if (!progressed && this.running) {
        const base = this.config.pollIntervalMs ?? 200;
        await this.sleep(failures ? Math.min(base * 2 ** failures, 5_000) : base);
      }
    }
  }

  /**
   * Records that a chain or agent did not answer while handling one item of `loop`'s pass: the item is postponed,
   * the loop goes on, and the pass counts as failed for `/health`.
   */
  private reportProblem(loop: string, problem: string): void {
    if (!this.passProblems.has(loop)) this.passProblems.set(loop, problem);
    this.logger.warn("item postponed: a chain or agent did not answer", { loop, error: problem });
  }

  /** When a parked message is checked again: back-off doubling with each park, capped. */
  private recheckAt(parkCount: number): number {
    const u = this.config.undeliverable ?? {};
    const delay = Math.min(
      u.recheckMaxMs ?? 600_000,
      (u.recheckBaseMs ?? 5_000) * 2 ** Math.max(0, parkCount),
    );
    return Date.now() + delay;
  }

  private async park(r: MessageRecord, reason: string): Promise<void> {
    await this.store.park(r.id, reason, this.recheckAt(r.parkCount), Date.now());
    this.count("concord_relayer_undeliverable_total", { destination: r.destination });
    this.logger.warn("message parked as undeliverable", { id: r.id, reason });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  /**
   * One delivery pass to `dest` (signed messages, then due automatic retries of FAILED outcomes); returns true when
   * it delivered, retried or resolved something.
   */
  async deliver(dest: Chain): Promise<boolean> {
    const delivered = await deliverSigned(this.ctx, dest);
    const retried = this.config.retryFailed ? await retryFailedPass(this.ctx, dest) : undefined;
    if (delivered === undefined && retried === undefined) this.idlePasses.add(`deliver:${dest.domain}`);
    return Boolean(delivered || retried);
  }

  // ------------------------------------------------------------------------------------------- status API

  private handle(method: string, path: string): Promise<HttpReply> {
    return statusReply(
      { store: this.store, health: () => this.health(), metrics: () => this.metrics() },
      method,
      path,
    );
  }

  /**
   * What `/health` serves: `ok` is false once the relayer stopped or any loop failed `healthFailureThreshold`
   * passes in a row; per loop its counts and last error; per chain its head; message counts by status.
   */
  async health(): Promise<{
    ok: boolean;
    instance: string;
    account: Address;
    store: string;
    failingLoops: string[];
    loops: Record<string, LoopHealth>;
    chains: Record<string, { head: number; lastError: string | null }>;
    messages: Record<string, number>;
  }> {
    const threshold = this.config.healthFailureThreshold ?? 3;
    const loops = Object.fromEntries([...this.loopHealth].map(([name, h]) => [name, { ...h }]));
    const failingLoops = Object.entries(loops)
      .filter(([, h]) => h.consecutiveFailures >= threshold)
      .map(([name]) => name);
    return {
      ok: this.running && failingLoops.length === 0,
      instance: this.instanceId,
      account: this.account.address,
      store: this.store.kind,
      failingLoops,
      loops,
      chains: Object.fromEntries(
        [...this.chains.values()].map((c) => [c.domain, { head: Number(c.head), lastError: c.lastError }]),
      ),
      messages: await this.store.countByStatus(),
    };
  }

  /** Counters of this instance and message counts by status (from the store). */
  async metrics(): Promise<MetricFamily[]> {
    const families = new Map<string, MetricFamily>();
    for (const [key, value] of this.counters) {
      const [name, labels] = key.split("|") as [string, string];
      if (!families.has(name))
        families.set(name, { name, help: name.replace(/_/g, " "), type: "counter", samples: [] });
      families.get(name)!.samples.push({ labels: JSON.parse(labels) as Record<string, string>, value });
    }
    for (const family of this.keeper?.metrics() ?? []) families.set(family.name, family);
    const counts = await this.store.countByStatus();
    families.set("concord_relayer_messages", {
      name: "concord_relayer_messages",
      help: "Messages in the store by lifecycle status.",
      type: "gauge",
      samples: Object.entries(counts).map(([status, value]) => ({ labels: { status }, value })),
    });
    const threshold = this.config.healthFailureThreshold ?? 3;
    families.set("concord_relayer_loop_failing", {
      name: "concord_relayer_loop_failing",
      help: "1 while a loop has failed healthFailureThreshold passes in a row.",
      type: "gauge",
      samples: [...this.loopHealth].map(([loop, h]) => ({
        labels: { loop },
        value: h.consecutiveFailures >= threshold ? 1 : 0,
      })),
    });
    families.set("concord_relayer_head_block", {
      name: "concord_relayer_head_block",
      help: "Latest head seen per chain.",
      type: "gauge",
      samples: [...this.chains.values()].map((c) => ({
        labels: { domain: c.domain },
        value: Number(c.head),
      })),
    });
    return [...families.values()];
  }

  /** A counter's current value (tests, benchmarks). */
  counter(name: string, labels: Record<string, string | number> = {}): number {
    return this.counters.get(`${name}|${JSON.stringify(labels)}`) ?? 0;
  }
}

/** Creates and starts a relayer; stop it with `relayer.stop()`. */
export async function runRelayer(config: RelayerConfig): Promise<Relayer> {
  return startAgent(() => Relayer.create(config));
}
