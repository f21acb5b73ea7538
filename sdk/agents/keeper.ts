/**
 * Concord flow keeper: makes sure no flow stays open because nobody acted. It indexes `FlowOpened` on every
 * configured FlowEscrow (bounded block ranges), reads each open flow's status on both chains (`flowStatus`) and
 * calls the permissionless functions that move it on. A flow that executes needs none of them: B sends its OUTCOME
 * in the executing transaction and its arrival settles A. The keeper covers the rest:
 * - EXPIRE: B's latest block is after the deadline and B has not decided -> `expire` on B's FlowExecutor (which
 *   sends the OUTCOME);
 * - RELAY_OUTCOME: B decided, A is still LOCKED -> if B's own send failed (`OutcomeExportFailed`, no
 *   `OutcomeExported`), `exportOutcome` at once; otherwise leave the OUTCOME to the relayer and `exportOutcome`
 *   only if A is still LOCKED `reexportAfterMs` later (the OUTCOME was lost);
 * - SETTLE: the OUTCOME arrived while A's settlement was paused -> `settle` on A's FlowEscrow (reverts, and is
 *   retried, while A stays paused);
 * - DONE: settled on A -> the flow is forgotten.
 * Carrying the messages (EXECUTE, OUTCOME) is the relayer's job; the keeper never delivers anything.
 *
 * Safety: the keeper only ever decides from B's clock (B's latest block) and the contracts enforce every rule
 * again (EXPIRED only once B's time > T, settlement only on B's attested outcome), so a wrong or stale view costs
 * gas, never value. Every action is idempotent on chain: a call that reverts because someone else acted first is
 * logged and counted, never fatal. The keeper keeps no store: its state is rebuilt from `FlowOpened` events and
 * the escrows' and executors' records on every start, so a crash loses nothing.
 */
import {
  type Address,
  type Chain as ViemChain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  ConcordTransactionError,
  type Flow,
  type FlowStatusReturnType,
  computeFlowId,
  escrowAbi,
  expireFlow,
  exportFlowOutcome,
  flowEvents,
  flowStatus,
  normalizeFlow,
  settleFlow,
} from "../src/index.js";
import { LogPager, eventTopics } from "../src/logs.js";
import { AgentConfigError } from "./errors.js";
import { checkConfig, startAgent } from "./lifecycle.js";
import type { MetricFamily } from "./http.js";
import { type AgentLogger, jsonLogger } from "./log.js";

/** One chain the keeper watches (as a flow origin) and acts on (as origin and destination). */
export type KeeperChainConfig = {
  /** Concord domain (the EVM chain id). */
  domain: number;
  rpcUrl: string;
  /** The chain's FlowEscrow (flows opened here are indexed from it). */
  escrow: Address;
  /** The chain's FlowExecutor (flows to this chain are expired and re-exported there). */
  executor: Address;
  /** First block to index `FlowOpened` from: the escrow's deploy block (default 0). */
  fromBlock?: number;
  /** Blocks per `eth_getLogs` to start with (default 2000); adapts to the provider's limits ({@link LogPager}). */
  blockRange?: number;
};

export type KeeperConfig = {
  chains: KeeperChainConfig[];
  /** The account paying for `expire`, `exportOutcome` and settlement: a viem local account or a private key. */
  account: LocalAccount | Hex;
  /** Delay between passes, in ms (default 1000). */
  pollIntervalMs?: number;
  /** Export a flow's outcome again when A is still LOCKED this long after the last export, in ms (default 60 000). */
  reexportAfterMs?: number;
  logger?: AgentLogger;
};

/** What the keeper did, by kind. */
export type KeeperAction = "expire" | "exportOutcome" | "settle";

/** Counters of a keeper run. */
export type KeeperCounters = {
  /** Successful transactions by action. */
  actions: Record<KeeperAction, number>;
  /** Actions that reverted (typically: someone else acted first), by action. */
  reverted: Record<KeeperAction, number>;
  /** Flows indexed from `FlowOpened`, flows still tracked, flows seen settled (DONE) and forgotten. */
  indexed: number;
  open: number;
  done: number;
  /** Passes that failed (RPC errors), retried on the next pass. */
  errors: number;
};

type Chain = KeeperChainConfig & {
  client: PublicClient;
  pager: LogPager;
  wallet: WalletClient;
  /** Last block indexed (-1: none yet). */
  cursor: number;
};

type Tracked = {
  id: Hex;
  flow: Flow;
  /** When this run last exported the outcome (ms), if it did. */
  exportedAt?: number;
  /** Whether B was checked for an earlier `OutcomeExported` (by anyone, before this run). */
  exportChecked?: boolean;
};

const ACTIONS: readonly KeeperAction[] = ["expire", "exportOutcome", "settle"];

function shortError(e: unknown): string {
  if (e instanceof ConcordTransactionError) return e.details ?? e.shortMessage;
  return (e as Error).message?.split("\n")[0] ?? String(e);
}

/** A flow keeper. Create with `FlowKeeper.create(config)` (checks the chains), then `start()`; or `runKeeper`. */
export class FlowKeeper {
  readonly config: KeeperConfig;
  readonly account: LocalAccount;
  private readonly chains = new Map<number, Chain>();
  private readonly flows = new Map<Hex, Tracked>();
  private readonly logger: AgentLogger;
  private readonly stats: KeeperCounters = {
    actions: { expire: 0, exportOutcome: 0, settle: 0 },
    reverted: { expire: 0, exportOutcome: 0, settle: 0 },
    indexed: 0,
    open: 0,
    done: 0,
    errors: 0,
  };
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  private constructor(config: KeeperConfig, account: LocalAccount, chains: Chain[]) {
    this.config = config;
    this.account = account;
    this.logger = config.logger ?? jsonLogger("keeper");
    for (const c of chains) this.chains.set(c.domain, c);
  }

  /** Validates the config and checks that every chain answers with its configured chain id. */
  static async create(config: KeeperConfig): Promise<FlowKeeper> {
    checkConfig.nonEmpty("chains", config.chains);
    if (config.pollIntervalMs !== undefined && !(config.pollIntervalMs > 0))
      throw new AgentConfigError("pollIntervalMs", `must be > 0, got ${config.pollIntervalMs}`);
    if (config.reexportAfterMs !== undefined && !(config.reexportAfterMs >= 0))
      throw new AgentConfigError("reexportAfterMs", `must be >= 0, got ${config.reexportAfterMs}`);
    const account = typeof config.account === "string" ? privateKeyToAccount(config.account) : config.account;
    const seen = new Set<number>();
    const chains: Chain[] = [];
    for (const [i, c] of config.chains.entries()) {
      checkConfig.domain(`chains[${i}].domain`, c.domain, seen);
      for (const key of ["escrow", "executor"] as const) checkConfig.address(`chains[${i}].${key}`, c[key]);
      checkConfig.integer(`chains[${i}].blockRange`, c.blockRange, 1);
      const transport = http(c.rpcUrl, { retryCount: 3, retryDelay: 100, timeout: 10_000 });
      const probe = createPublicClient({ transport });
      const chainId = await probe.getChainId();
      checkConfig.chainId(`chains[${i}].domain`, c.rpcUrl, chainId, c.domain);
      const chain: ViemChain = defineChain({
        id: chainId,
        name: `concord-${chainId}`,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [c.rpcUrl] } },
      });
      const client = createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient;
      chains.push({
        ...c,
        escrow: getAddress(c.escrow),
        executor: getAddress(c.executor),
        client,
        pager: new LogPager(client, { initialRange: c.blockRange ?? 2000 }),
        wallet: createWalletClient({ account, chain, transport }),
        cursor: (c.fromBlock ?? 0) - 1,
      });
    }
    return new FlowKeeper(config, account, chains);
  }

  /** Starts the loop (the first pass rebuilds the open flows from `FlowOpened` on every chain). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.spin();
  }

  /** Stops the loop; an action in flight finishes first. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** A copy of the counters. */
  counters(): KeeperCounters {
    return {
      ...this.stats,
      actions: { ...this.stats.actions },
      reverted: { ...this.stats.reverted },
      open: this.flows.size,
    };
  }

  /** The ids of the flows the keeper still tracks (opened, not yet seen settled on A). */
  openFlows(): Hex[] {
    return [...this.flows.keys()];
  }

  /** The counters as Prometheus metric families (for an agent's `/metrics`). */
  metrics(): MetricFamily[] {
    const c = this.counters();
    return [
      {
        name: "concord_keeper_actions_total",
        help: "Keeper transactions mined, by action.",
        type: "counter",
        samples: ACTIONS.map((a) => ({ labels: { action: a }, value: c.actions[a] })),
      },
      {
        name: "concord_keeper_reverted_total",
        help: "Keeper actions that reverted (someone else acted first), by action.",
        type: "counter",
        samples: ACTIONS.map((a) => ({ labels: { action: a }, value: c.reverted[a] })),
      },
      {
        name: "concord_keeper_flows_indexed_total",
        help: "Flows indexed from FlowOpened.",
        type: "counter",
        samples: [{ value: c.indexed }],
      },
      {
        name: "concord_keeper_flows_done_total",
        help: "Flows seen settled on their origin and forgotten.",
        type: "counter",
        samples: [{ value: c.done }],
      },
      {
        name: "concord_keeper_flows_open",
        help: "Flows tracked (not settled on their origin yet).",
        type: "gauge",
        samples: [{ value: c.open }],
      },
      {
        name: "concord_keeper_pass_errors_total",
        help: "Keeper passes that failed (retried on the next pass).",
        type: "counter",
        samples: [{ value: c.errors }],
      },
    ];
  }

  /**
   * One pass: index new `FlowOpened` events on every chain, then move every tracked flow one step. Returns the
   * number of transactions mined. `start()` calls it in a loop; tests and scripts may call it directly.
   */
  async pass(): Promise<number> {
    for (const chain of this.chains.values()) await this.index(chain);
    let acted = 0;
    for (const tracked of [...this.flows.values()]) {
      if (!this.running && this.loop) break;
      try {
        if (await this.step(tracked)) acted++;
      } catch (e) {
        this.stats.errors++;
        this.logger.warn("flow step failed, retrying next pass", {
          flowId: tracked.id,
          error: shortError(e),
        });
      }
    }
    return acted;
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
        this.logger.warn("keeper pass failed, backing off", { error: shortError(e) });
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

  /** Indexes `FlowOpened` on `chain` from its cursor to the head, page by page within the provider's limits. */
  private async index(chain: Chain): Promise<void> {
    const head = Number(await chain.client.getBlockNumber({ cacheTime: 0 }));
    const abi = escrowAbi();
    const filter = { address: chain.escrow, topics: eventTopics(abi, "FlowOpened") };
    for (let from = chain.cursor + 1; from <= head;) {
      const page = await chain.pager.page(filter, BigInt(from), BigInt(head));
      const to = Number(page.toBlock);
      const logs = parseEventLogs({ abi, logs: page.logs, eventName: "FlowOpened", strict: true });
      for (const log of logs) {
        const args = (log as unknown as { args: { flowId: Hex; flow: Flow } }).args;
        const flow = normalizeFlow(args.flow);
        // The event is the escrow's own; still, only a flow whose id matches its contents is acted on.
        if (computeFlowId(flow) !== args.flowId || this.flows.has(args.flowId)) continue;
        if (flow.originDomain !== chain.domain) continue;
        const destination = this.chains.get(flow.destinationDomain);
        if (!destination || getAddress(flow.executor) !== destination.executor) {
          this.logger.warn("flow to an unconfigured destination or executor: not tracked", {
            flowId: args.flowId,
            destination: flow.destinationDomain,
            executor: flow.executor,
          });
          continue;
        }
        this.flows.set(args.flowId, { id: args.flowId, flow });
        this.stats.indexed++;
      }
      chain.cursor = to;
      from = to + 1;
    }
  }

  /** Reads the flow's status on both chains and takes the one action that moves it on (if any). */
  private async step(t: Tracked): Promise<boolean> {
    const origin = this.chains.get(t.flow.originDomain)!;
    const destination = this.chains.get(t.flow.destinationDomain)!;
    const status: FlowStatusReturnType = await flowStatus({
      origin: { publicClient: origin.client, address: t.flow.escrow },
      destination: { publicClient: destination.client, address: t.flow.executor },
      flowId: t.id,
      deadline: t.flow.deadline,
    });
    switch (status.next) {
      case "DONE":
        this.flows.delete(t.id);
        this.stats.done++;
        this.logger.info("flow settled on origin", { flowId: t.id, outcome: status.origin.outcome });
        return false;
      case "SETTLE":
        return this.act("settle", t, () =>
          settleFlow({ ...this.clients(origin), escrow: t.flow.escrow, flow: t.flow }),
        );
      case "RELAY_OUTCOME": {
        const now = Date.now();
        if (!t.exportChecked) {
          // Sent before this run (by B with its decision, by anyone, or by this keeper before a restart): leave it
          // to the relayer for the re-export delay. Only a decision whose own send failed is exported at once.
          t.exportChecked = true;
          const earlier = await flowEvents(
            {
              publicClient: destination.client,
              address: t.flow.executor,
              fromBlock: BigInt(destination.fromBlock ?? 0),
              logPager: destination.pager,
            },
            t.id,
          );
          if (earlier.some((e) => e.eventName === "OutcomeExported")) t.exportedAt = now;
        }
        if (t.exportedAt !== undefined && now - t.exportedAt < (this.config.reexportAfterMs ?? 60_000))
          return false;
        const done = await this.act("exportOutcome", t, () =>
          exportFlowOutcome({ ...this.clients(destination), executor: t.flow.executor, flow: t.flow }),
        );
        // Also after a revert: do not hammer; look again after the re-export delay.
        t.exportedAt = now;
        return done;
      }
      case "EXPIRE":
        // Decided from B's latest block only (`flowStatus` compares B's time with the deadline); never A's clock.
        return this.act("expire", t, () =>
          expireFlow({ ...this.clients(destination), executor: t.flow.executor, flow: t.flow }),
        );
      default:
        return false; // RELAY_EXECUTE / RETRY_OR_WAIT: the relayer's or the app's move
    }
  }

  private clients(chain: Chain): { publicClient: PublicClient; walletClient: WalletClient } {
    return { publicClient: chain.client, walletClient: chain.wallet };
  }

  /** Runs one action; a revert (someone acted first, or the state moved) is logged and counted, not thrown. */
  private async act(kind: KeeperAction, t: Tracked, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
    } catch (e) {
      if (!(e instanceof ConcordTransactionError)) throw e;
      this.stats.reverted[kind]++;
      this.logger.warn("keeper action reverted", { action: kind, flowId: t.id, error: shortError(e) });
      return false;
    }
    this.stats.actions[kind]++;
    this.logger.info("keeper action mined", { action: kind, flowId: t.id });
    return true;
  }
}

/** Creates and starts a flow keeper. */
export async function runKeeper(config: KeeperConfig): Promise<FlowKeeper> {
  return startAgent(() => FlowKeeper.create(config));
}
