/**
 * Concord relayer agent: indexes every configured origin gateway, collects a quorum of validator signatures,
 * builds the destination verifier's metadata, and delivers with `process` (or several messages per transaction
 * through `ConcordBatchProcessor`). Every message's lifecycle is recorded in a RelayerStore (SQLite by default,
 * PostgreSQL for several instances).
 *
 * Safety and liveness rules:
 * - Nothing lost: a message is written SEEN before the origin cursor moves past its block; every later step reads
 *   the store, so a restart resumes where the crash left.
 * - Nothing sent twice: a delivery transaction is signed, its hash recorded (SUBMITTED) and only then broadcast;
 *   after a restart (or another instance's lease expiry) SUBMITTED messages are checked on chain (gateway
 *   `status`) and against their recorded transactions before anything is re-sent. With several instances,
 *   `claim` hands each message to one instance at a time (row locks + lease).
 * - Reorgs: the last `confirmations` blocks of every origin are rescanned on each pass; a message whose block
 *   hash is no longer canonical (and that was not re-included) is ORPHANED and never delivered. Only messages
 *   `confirmations` deep whose block is still canonical become final and move on to signatures.
 * - Stuck transactions: replaced with the same nonce and a higher fee after `stuckTxTimeoutMs`.
 * - Isolation: every message is handled on its own. One the relayer cannot sign, build metadata for, estimate or
 *   deliver never stops its loop: it is parked UNDELIVERABLE with the reason (no route on the destination, a verifier
 *   type this relayer has no metadata builder for, a destination it does not serve, a gateway refusal that waiting
 *   will not cure) and re-checked later with a growing back-off, or postponed with the reason when the cause is a
 *   chain or validator that does not answer. Other messages of the same origin and of other origins go on; a
 *   restart re-checks parked messages once. Loop failures (a whole pass that throws, or a pass in which a chain did
 *   not answer) are counted per loop and reported by `/health` (`ok: false` while a loop keeps failing).
 * - Automatic retry (`retryFailed`, off unless configured): a message delivered FAILED is re-executed with
 *   `retry(message, gas)` when `eth_estimateGas` of the recipient's `receiveMessage`, called from the destination
 *   gateway, shows that it needs more than its own gas limit, within `gasCeiling`, at most `maxAttempts` times; every
 *   attempt (gas, transaction, gas used, outcome) and every decision not to retry is recorded in the store.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import {
  type Address,
  type Hex,
  type LocalAccount,
  type TransactionReceipt,
  createPublicClient,
  decodeEventLog,
  encodeFunctionData,
  getAddress,
  http,
  keccak256,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { bytes32ToAddress, decodeConcordMessage, decodeMessage, formatEvmV1 } from "../src/codec.js";
import { LogPager, eventTopics } from "../src/logs.js";
import { ModuleType } from "../src/metadata.js";
import {
  fetchValidatorSignatures,
  isRelayable,
  relayDigest,
  relayMetadata,
  selectQuorum,
} from "../src/signatures.js";
import { GatewayMessageStatus, batchProcessorAbi, gatewayAbi, recipientAbi, verifierAbi } from "./abi.js";
import { AgentConfigError } from "./errors.js";
import { checkConfig, startAgent } from "./lifecycle.js";
import { type HttpEndpoint, type HttpReply, type MetricFamily, serveHttp } from "./http.js";
import { FlowKeeper } from "./keeper.js";
import { dataDir } from "./state.js";
import { type AgentLogger, jsonLogger } from "./log.js";
import {
  type MessageRecord,
  type RelayerStore,
  type RetryAttempt,
  type RetryPlan,
  type SeenMessage,
} from "./store.js";
import { openPostgresStore } from "./store-postgres.js";
import { openSqliteStore } from "./store-sqlite.js";
import type { Chain, LoopHealth, RelayerConfig, Sent, VerifierInfo } from "./relayer/config.js";
import {
  PARKING_ERRORS,
  Undeliverable,
  describeFailure,
  describeRevertData,
  failureKind,
  intrinsicGas,
  shortError,
} from "./relayer/failures.js";
import { statusReply } from "./relayer/status-api.js";

export type { LoopHealth, RelayerChainConfig, RelayerConfig, RelayerStoreConfig } from "./relayer/config.js";

const VERIFIER_TTL_MS = 30_000;
/** Least delay before asking the validators again for a message without a quorum yet. */
const SIGNATURE_RETRY_MS = 100;
/** A relayer. Create with `Relayer.create(config)` (opens the store and the chains), then `start()`. */
export class Relayer {
  readonly config: RelayerConfig;
  readonly store: RelayerStore;
  readonly instanceId: string;
  readonly account: LocalAccount;
  private readonly chains = new Map<number, Chain>();
  private readonly logger: AgentLogger;
  private readonly ownsStore: boolean;
  private readonly verifiers = new Map<string, VerifierInfo>();
  private readonly nonces = new Map<number, number>();
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
  }

  /** Validates the config, opens the store and checks every chain answers with its configured chain id. */
  static async create(config: RelayerConfig): Promise<Relayer> {
    checkConfig.nonEmpty("chains", config.chains);
    // Settings first: a bad value is reported before any chain is contacted.
    Relayer.checkRetryFailed(config.retryFailed);
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
      this.loops.push(this.spin(`index:${chain.domain}`, () => this.indexOrigin(chain), chain));
      this.loops.push(this.spin(`sign:${chain.domain}`, () => this.collectSignatures(chain), chain));
      this.loops.push(this.spin(`deliver:${chain.domain}`, () => this.deliver(chain), chain));
    }
  }

  /** Stops every loop (in-flight steps finish), the HTTP API, and closes the store if the relayer opened it. */
  async stop(): Promise<void> {
    this.running = false;
    await this.keeper?.stop();
    for (const w of this.wakers) w();
    await Promise.all(this.loops);
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

  // ------------------------------------------------------------------------------------------- indexing

  /** One indexing pass over `chain` as an origin; returns true when it found new messages. */
  async indexOrigin(chain: Chain): Promise<boolean> {
    const head = await chain.client.getBlockNumber({ cacheTime: 0 });
    chain.head = head;
    const conf = chain.confirmations ?? 0;
    const first = chain.fromBlock ?? 0;
    const cursor = (await this.store.getCursor(chain.domain)) ?? first - 1;
    const h = Number(head);
    // Rescan the not-yet-final window on every pass, so a reorg inside it is always seen.
    let from = Math.max(first, Math.min(cursor + 1, h - conf + 1));
    let found = 0;
    const filter = { address: chain.gateway, topics: eventTopics(gatewayAbi, "Dispatched") };
    for (let pages = 0; from <= h && pages < 20 && this.running; pages++) {
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
          this.count("concord_relayer_malformed_total", { origin: chain.domain });
          this.logger.warn("skipped a malformed Dispatched message", {
            origin: chain.domain,
            tx: log.transactionHash,
            error: shortError(e),
          });
          continue;
        }
        if (keccak256(log.args.message) !== log.args.messageId.toLowerCase() || m.origin !== chain.domain)
          continue;
        const served = this.chains.has(m.destination);
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
                  `${[...this.chains.keys()].join(", ")}): add that chain to its configuration`,
              }),
        });
      }
      const added = await this.store.upsertSeen(seen, Date.now(), conf === 0);
      found += added;
      if (added) this.count("concord_relayer_indexed_total", { origin: chain.domain }, added);
      await this.store.setCursor(chain.domain, to);
      from = to + 1;
    }
    if (from <= h) found++; // more to index: come back at once
    await this.checkFinality(chain, h, conf);
    return found > 0;
  }

  /** Marks messages final once `conf` deep on the canonical chain, and ORPHANED when their block was replaced. */
  private async checkFinality(chain: Chain, head: number, conf: number): Promise<void> {
    const pending = await this.store.unfinal(chain.domain);
    if (pending.length === 0) return;
    const now = Date.now();
    if (conf === 0) {
      await this.store.markFinal(
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
    await this.store.markFinal(final, now);
    if (orphaned.length) {
      await this.store.markOrphaned(orphaned, now, "origin block left the canonical chain before finality");
      this.count("concord_relayer_orphaned_total", { origin: chain.domain }, orphaned.length);
      this.logger.warn("orphaned messages (origin reorg)", { origin: chain.domain, ids: orphaned });
    }
  }

  // ------------------------------------------------------------------------------------------- signatures

  /**
   * Verifier `process` uses for `message` on its destination, with its validator set (cached). Throws Undeliverable
   * when the relayer cannot serve it (no route, no verifier code, a module type without a metadata builder here);
   * other errors are the chain's (it did not answer).
   */
  private async verifierFor(record: MessageRecord): Promise<VerifierInfo> {
    const dest = this.chains.get(record.destination)!;
    const recipient = bytes32ToAddress(decodeMessage(record.message).recipient);
    const key = `${record.destination}:${recipient}:${record.origin}`;
    const cached = this.verifiers.get(key);
    if (cached && Date.now() - cached.at < VERIFIER_TTL_MS) return cached;
    const address = await dest.client.readContract({
      address: dest.gateway,
      abi: gatewayAbi,
      functionName: "verifierFor",
      args: [recipient, record.origin],
    });
    if (BigInt(address) === 0n)
      throw new Undeliverable(
        record.origin === record.destination
          ? `self-send: ${record.destination} has no route for messages from itself (ConcordGatewayUnknownOrigin); ` +
              "a gateway does not deliver messages sent to its own chain"
          : `${record.destination} has no route for origin ${record.origin} (ConcordGatewayUnknownOrigin): ` +
              "the destination admin must enroll it (setRoute)",
      );
    let moduleType: number;
    try {
      moduleType = await dest.client.readContract({ address, abi: verifierAbi, functionName: "moduleType" });
    } catch (e) {
      if (failureKind(e) === "transport") throw e;
      throw new Undeliverable(
        `the verifier ${address} on ${record.destination} does not answer moduleType(): ${describeFailure(e).text}`,
      );
    }
    if (!isRelayable(moduleType))
      throw new Undeliverable(
        `the verifier ${address} on ${record.destination} has module type ${moduleType}; this relayer builds ` +
          `metadata for message-id multisig verifiers (type ${ModuleType.CONCORD_MESSAGE_ID_MULTISIG}) only`,
      );
    // The verifier must authenticate the gateway this relayer indexes for the origin (the gateway refuses a named
    // verifier that does not, and a route verifier bound to another gateway rejects these signatures).
    const originGateway = this.chains.get(record.origin)!.gateway;
    let bound: Hex;
    try {
      bound = await dest.client.readContract({
        address,
        abi: verifierAbi,
        functionName: "originGatewayFor",
        args: [record.origin],
      });
    } catch (e) {
      if (failureKind(e) === "transport") throw e;
      throw new Undeliverable(
        `the verifier ${address} on ${record.destination} does not answer originGatewayFor(${record.origin}): ` +
          describeFailure(e).text,
      );
    }
    if (BigInt(bound) !== BigInt(originGateway))
      throw new Undeliverable(
        `the verifier ${address} on ${record.destination} authenticates origin gateway ${bound} for ` +
          `${record.origin}, not ${originGateway} (the gateway this relayer indexes): the destination's route ` +
          "names another deployment of the origin",
      );
    let validators: Address[];
    let threshold: number;
    try {
      const [v, t] = await dest.client.readContract({
        address,
        abi: verifierAbi,
        functionName: "validatorsAndThreshold",
        args: [record.message],
      });
      validators = v.map((a) => getAddress(a));
      threshold = t;
    } catch (e) {
      if (failureKind(e) === "transport") throw e;
      throw new Undeliverable(
        `the verifier ${address} on ${record.destination} does not answer validatorsAndThreshold(): ` +
          describeFailure(e).text,
      );
    }
    const info = { address, moduleType, validators, threshold, at: Date.now() };
    this.verifiers.set(key, info);
    return info;
  }

  /** Signatures for `ids` from `origin`'s validators (the SDK's one client of their `POST /signatures`). */
  private async fetchSignatures(
    origin: number,
    ids: readonly Hex[],
  ): Promise<Map<Hex, { validator: Address; signature: Hex; index: number }[]>> {
    const urls = this.config.validators[origin] ?? [];
    const { signatures, failures } = await fetchValidatorSignatures({
      urls,
      messageIds: ids,
      timeoutMs: this.config.signatureTimeoutMs ?? 3000,
    });
    if (failures.length > 0 && failures.length === urls.length)
      this.reportProblem(`sign:${origin}`, `no validator of ${origin} answered: ${shortError(failures[0])}`);
    for (let i = 0; i < failures.length; i++)
      this.count("concord_relayer_validator_errors_total", { origin });
    return signatures;
  }

  /**
   * Builds metadata for final SEEN messages of `origin` once a quorum of valid signatures is available. Each message
   * is decided on its own: one whose verifier cannot be served is parked, one whose destination does not answer is
   * postponed (and the pass reported), and neither holds up the others.
   */
  async collectSignatures(origin: Chain): Promise<boolean> {
    const now = Date.now();
    const loop = `sign:${origin.domain}`;
    const rows = await this.store.awaitingSignatures(origin.domain, [...this.chains.keys()], 200, now);
    if (rows.length === 0) {
      this.idlePasses.add(loop);
      return false;
    }
    // Decide first (RPC and signature checks), then write every decision in one transaction.
    const decisions: (
      | { r: MessageRecord; metadata: Hex }
      | { r: MessageRecord; park: string }
      | { r: MessageRecord; waiting: string; delayMs: number; unpark?: boolean }
    )[] = [];
    const servable: { r: MessageRecord; verifier: VerifierInfo }[] = [];
    // A destination that did not answer is not asked again in this pass: its other messages wait too.
    const down = new Map<number, string>();
    const unreachableDelay = this.config.retry?.baseDelayMs ?? 500;
    for (const r of rows) {
      const known = down.get(r.destination);
      if (known) {
        decisions.push({ r, waiting: known, delayMs: unreachableDelay });
        continue;
      }
      try {
        servable.push({ r, verifier: await this.verifierFor(r) });
      } catch (e) {
        if (e instanceof Undeliverable) decisions.push({ r, park: e.message });
        else {
          const problem = `destination ${r.destination} did not answer: ${shortError(e)}`;
          this.reportProblem(loop, problem);
          down.set(r.destination, problem);
          decisions.push({ r, waiting: problem, delayMs: unreachableDelay });
        }
      }
    }
    const sigs = await this.fetchSignatures(
      origin.domain,
      servable.map(({ r }) => r.id),
    );
    for (const { r, verifier } of servable) {
      const digest = relayDigest({
        origin: r.origin,
        originGateway: origin.gateway,
        messageId: r.id,
        nonce: r.nonce,
      });
      // Signatures are recovered one by one when configured ("always"), and on every retry: a first attempt may
      // trust the validators' answers because the verifier checks them on chain anyway, and a failed delivery
      // comes back here with attempts > 0.
      const quorum = await selectQuorum({
        digest,
        nonce: r.nonce,
        validators: verifier.validators,
        threshold: verifier.threshold,
        candidates: sigs.get(r.id) ?? [],
        recover: this.config.verifySignatures === "always" || r.attempts > 0,
      });
      const bad = quorum.rejected.filter((x) => x.reason === "bad-signature").length;
      if (bad > 0) this.count("concord_relayer_bad_signatures_total", { origin: r.origin }, bad);
      const valid = quorum.signatures;
      const delayMs = Math.max(this.config.pollIntervalMs ?? 200, SIGNATURE_RETRY_MS);
      if (quorum.complete) {
        try {
          decisions.push({
            r,
            metadata: relayMetadata({ moduleType: verifier.moduleType, signatures: valid }),
          });
        } catch (e) {
          // malformed signature (high s, bad v)
          decisions.push({ r, waiting: shortError(e), delayMs, unpark: true });
        }
      } else
        decisions.push({
          r,
          waiting: `signatures ${valid.length}/${verifier.threshold}`,
          delayMs,
          unpark: true,
        });
    }
    let signed = 0;
    let parked = 0;
    const now2 = Date.now();
    await this.store.atomically(async () => {
      for (const d of decisions) {
        if ("metadata" in d) {
          await this.store.setSigned(d.r.id, d.metadata, now2);
          signed++;
        } else if ("park" in d) {
          await this.park(d.r, d.park);
          parked++;
        } else await this.store.postpone(d.r.id, now2 + d.delayMs, d.waiting, "unpark" in d && d.unpark);
      }
    });
    if (signed) this.count("concord_relayer_signed_total", { origin: origin.domain }, signed);
    return signed + parked > 0;
  }

  // ------------------------------------------------------------------------------------------- delivery

  private backoff(attempts: number): number {
    const r = this.config.retry ?? {};
    const delay = Math.min(r.maxDelayMs ?? 30_000, (r.baseDelayMs ?? 500) * 2 ** attempts);
    return Date.now() + Math.round(delay * (0.75 + Math.random() * 0.5));
  }

  private async retryOrFail(r: MessageRecord, error: string): Promise<void> {
    const giveUp = r.attempts + 1 >= (this.config.retry?.maxAttempts ?? 8);
    this.count("concord_relayer_retries_total", { destination: r.destination });
    await this.store.retryLater(r.id, error, this.backoff(r.attempts), giveUp, Date.now());
  }

  private async onchainStatus(dest: Chain, message: Hex): Promise<number> {
    return dest.client.readContract({
      address: dest.gateway,
      abi: gatewayAbi,
      functionName: "status",
      args: [message],
    });
  }

  /** When a FAILED outcome's automatic retry is first due (undefined: auto-retry is off). */
  private retryAt(): number | undefined {
    return this.config.retryFailed ? Date.now() : undefined;
  }

  /**
   * One delivery pass to `dest` (signed messages, then due automatic retries of FAILED outcomes); returns true when
   * it delivered, retried or resolved something.
   */
  async deliver(dest: Chain): Promise<boolean> {
    const delivered = await this.deliverSigned(dest);
    const retried = this.config.retryFailed ? await this.retryFailedPass(dest) : undefined;
    if (delivered === undefined && retried === undefined) this.idlePasses.add(`deliver:${dest.domain}`);
    return Boolean(delivered || retried);
  }

  /** Delivers the claimed signed messages; undefined when there was nothing to claim. */
  private async deliverSigned(dest: Chain): Promise<boolean | undefined> {
    const rows = await this.store.claim(
      dest.domain,
      this.instanceId,
      this.config.maxBatchSize ?? 50,
      this.config.leaseMs ?? 60_000,
      Date.now(),
    );
    if (rows.length === 0) return undefined;
    const toSend: MessageRecord[] = [];
    let resolved = 0;
    for (const r of rows) {
      if (r.status !== "SUBMITTED" && r.attempts === 0) {
        toSend.push(r);
        continue;
      }
      // Recovery path (restart, expired lease, earlier failure): on-chain status first, then our own transactions.
      const status = await this.onchainStatus(dest, r.message);
      if (status !== GatewayMessageStatus.NONE) {
        const tx = await this.findDeliveryTx(dest, r);
        await this.store.setDelivered(
          r.id,
          tx,
          status === GatewayMessageStatus.EXECUTED ? "EXECUTED" : "FAILED",
          Date.now(),
          tx ? "found after restart" : "already delivered (not by this relayer)",
          this.retryAt(),
        );
        this.count("concord_relayer_delivered_total", { destination: dest.domain, how: "recovered" });
        resolved++;
        continue;
      }
      if (r.status === "SUBMITTED" && (await this.anyPending(dest, r.submitTxs))) continue; // still in the mempool: lease keeps it
      toSend.push(r);
    }
    // Only transactions still in the mempool: nothing to do until they are mined (sleep, do not spin).
    if (toSend.length === 0) return resolved > 0;
    if (dest.batchProcessor && toSend.length > 1) await this.sendBatch(dest, toSend);
    else await this.sendSingles(dest, toSend);
    return true;
  }

  private async findDeliveryTx(dest: Chain, r: MessageRecord): Promise<Hex | null> {
    for (const hash of r.submitTxs) {
      const receipt = await dest.client.getTransactionReceipt({ hash }).catch(() => null);
      if (receipt && receipt.status === "success" && this.outcomes(dest, receipt).has(r.id)) return hash;
    }
    return null;
  }

  private async anyPending(dest: Chain, hashes: readonly Hex[]): Promise<boolean> {
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

  /** messageId -> outcome, from the gateway's Executed / ExecutionFailed logs in `receipt`. */
  private outcomes(dest: Chain, receipt: TransactionReceipt): Map<Hex, "EXECUTED" | "FAILED"> {
    const out = new Map<Hex, "EXECUTED" | "FAILED">();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== dest.gateway.toLowerCase()) continue;
      try {
        const ev = decodeEventLog({ abi: gatewayAbi, data: log.data, topics: log.topics, strict: false });
        if (ev.eventName === "Executed" && ev.args.messageId)
          out.set(ev.args.messageId.toLowerCase() as Hex, "EXECUTED");
        if (ev.eventName === "ExecutionFailed" && ev.args.messageId)
          out.set(ev.args.messageId.toLowerCase() as Hex, "FAILED");
      } catch {
        // not one of ours
      }
    }
    return out;
  }

  /** messageId -> why its batch item reverted (decoded), from the processor's BatchItemFailed logs. */
  private batchFailures(
    receipt: TransactionReceipt,
    processor: Address,
  ): Map<Hex, { name: string | undefined; text: string }> {
    const out = new Map<Hex, { name: string | undefined; text: string }>();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== processor.toLowerCase()) continue;
      try {
        const ev = decodeEventLog({
          abi: batchProcessorAbi,
          data: log.data,
          topics: log.topics,
          strict: false,
        });
        if (ev.eventName === "BatchItemFailed" && ev.args.messageId)
          out.set(ev.args.messageId.toLowerCase() as Hex, describeRevertData(ev.args.reason ?? "0x"));
      } catch {
        // not one of ours
      }
    }
    return out;
  }

  /** Records the delivery transaction of `ids` (SUBMITTED) before it is broadcast. */
  private submitted(ids: Hex[]): (hash: Hex, nonce: number) => Promise<void> {
    return (hash, nonce) => this.store.setSubmitted(ids, hash, nonce, Date.now());
  }

  private async sendBatch(dest: Chain, rows: MessageRecord[]): Promise<void> {
    const data = encodeFunctionData({
      abi: batchProcessorAbi,
      functionName: "processBatch",
      args: [dest.gateway, rows.map((r) => r.metadata!), rows.map((r) => r.message)],
    });
    const record = this.submitted(rows.map((r) => r.id));
    let sent: Sent;
    try {
      sent = await this.sendTx(dest, dest.batchProcessor!, data, record);
    } catch (e) {
      // The batch as a whole could not be sent: deliver its messages one by one, so that whatever made it fail
      // is one message's own problem (parked or retried) and never holds up the others.
      this.logger.warn("batch not sent, delivering one by one", {
        destination: dest.domain,
        size: rows.length,
        error: shortError(e),
      });
      await this.sendSingles(dest, rows);
      return;
    }
    const receipt = await this.waitMined(dest, sent, record);
    await this.settle(dest, rows, receipt, this.batchFailures(receipt, dest.batchProcessor!));
  }

  private async sendSingles(dest: Chain, rows: MessageRecord[]): Promise<void> {
    const inflight: Promise<void>[] = [];
    let down: string | undefined;
    for (const r of rows) {
      if (down) {
        // The destination did not answer for an earlier message of this pass: wait, without spending an attempt.
        await this.store.release(r.id, Date.now() + (this.config.retry?.baseDelayMs ?? 500), down);
        continue;
      }
      const data = encodeFunctionData({
        abi: gatewayAbi,
        functionName: "process",
        args: [r.metadata!, r.message],
      });
      const record = this.submitted([r.id]);
      let sent: Sent;
      try {
        sent = await this.sendTx(dest, dest.gateway, data, record);
      } catch (e) {
        down = await this.deliveryRefused(dest, r, e);
        continue;
      }
      inflight.push(
        this.waitMined(dest, sent, record).then((receipt) => this.settle(dest, [r], receipt, new Map())),
      );
    }
    await Promise.all(inflight);
  }

  /**
   * No delivery transaction could be sent for `r` (its estimate reverted, or the node did not answer): delivered
   * already (by someone else) -> DELIVERED; a refusal waiting cannot cure -> parked; the node did not answer ->
   * released for later without spending an attempt (returns the problem); else another attempt later.
   */
  private async deliveryRefused(dest: Chain, r: MessageRecord, e: unknown): Promise<string | undefined> {
    const failure = describeFailure(e);
    const status = await this.onchainStatus(dest, r.message).catch(() => GatewayMessageStatus.NONE);
    if (status !== GatewayMessageStatus.NONE) {
      await this.store.setDelivered(
        r.id,
        null,
        status === GatewayMessageStatus.EXECUTED ? "EXECUTED" : "FAILED",
        Date.now(),
        "already delivered (not by this relayer)",
        this.retryAt(),
      );
      return undefined;
    }
    const parking = failure.name ? PARKING_ERRORS[failure.name] : undefined;
    if (parking) {
      await this.park(r, `${failure.text}: ${parking}`);
      return undefined;
    }
    if (failureKind(e) === "transport") {
      const problem = `destination ${dest.domain} did not answer: ${failure.text}`;
      this.reportProblem(`deliver:${dest.domain}`, problem);
      await this.store.release(r.id, Date.now() + (this.config.retry?.baseDelayMs ?? 500), problem);
      return problem;
    }
    await this.retryOrFail(r, failure.text);
    return undefined;
  }

  /** Records each message's fate after its delivery transaction was mined. */
  private async settle(
    dest: Chain,
    rows: MessageRecord[],
    receipt: TransactionReceipt,
    failures: Map<Hex, { name: string | undefined; text: string }>,
  ): Promise<void> {
    const outcomes =
      receipt.status === "success" ? this.outcomes(dest, receipt) : new Map<Hex, "EXECUTED" | "FAILED">();
    const others = new Map<Hex, number>();
    for (const r of rows)
      if (!outcomes.has(r.id)) others.set(r.id, await this.onchainStatus(dest, r.message));
    const now = Date.now();
    await this.store.atomically(async () => {
      for (const r of rows) {
        const outcome = outcomes.get(r.id);
        if (outcome) {
          await this.store.setDelivered(
            r.id,
            receipt.transactionHash,
            outcome,
            now,
            undefined,
            this.retryAt(),
          );
          this.count("concord_relayer_delivered_total", { destination: dest.domain, how: outcome });
          continue;
        }
        const status = others.get(r.id)!;
        if (status !== GatewayMessageStatus.NONE) {
          await this.store.setDelivered(
            r.id,
            null,
            status === GatewayMessageStatus.EXECUTED ? "EXECUTED" : "FAILED",
            now,
            "already delivered (not by this relayer)",
            this.retryAt(),
          );
          continue;
        }
        const failure = failures.get(r.id);
        const parking = failure?.name ? PARKING_ERRORS[failure.name] : undefined;
        if (failure && parking) await this.park(r, `${failure.text}: ${parking}`);
        else
          await this.retryOrFail(
            r,
            failure
              ? `item reverted: ${failure.text}`
              : `delivery transaction ${receipt.transactionHash} ${receipt.status}`,
          );
      }
    });
  }

  /**
   * Signs a transaction, records it with `record` (before it leaves the process, so a crash loses nothing) and
   * broadcasts it.
   */
  private async sendTx(
    dest: Chain,
    to: Address,
    data: Hex,
    record: (hash: Hex, nonce: number) => Promise<void>,
  ): Promise<Sent> {
    const estimate = await dest.client.estimateGas({ account: this.account.address, to, data });
    const gas = (estimate * BigInt(100 + (this.config.gasMarginPercent ?? 20))) / 100n;
    const fees = await dest.client.estimateFeesPerGas();
    let nonce = this.nonces.get(dest.domain);
    if (nonce === undefined)
      nonce = await dest.client.getTransactionCount({ address: this.account.address, blockTag: "pending" });
    const sent = await this.signAndSend(
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
    this.count("concord_relayer_transactions_total", { destination: dest.domain });
    return sent;
  }

  private async signAndSend(
    dest: Chain,
    tx: Sent,
    record: (hash: Hex, nonce: number) => Promise<void>,
  ): Promise<Sent> {
    const signed = await this.account.signTransaction({
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
    this.nonces.set(dest.domain, tx.nonce + 1);
    try {
      await dest.client.sendRawTransaction({ serializedTransaction: signed });
    } catch (e) {
      const message = shortError(e);
      // A timeout may hide a successful broadcast: the node knows the hash then, and waitMined finds it.
      const known = await dest.client.getTransaction({ hash }).catch(() => null);
      if (!known) {
        this.nonces.delete(dest.domain); // resync from the node next time
        throw new Error(`broadcast failed: ${message}`, { cause: e });
      }
    }
    return { ...tx, hash };
  }

  /** Waits for any of the transactions sharing `sent.nonce`; replaces it with a higher fee when stuck. */
  private async waitMined(
    dest: Chain,
    sent: Sent,
    record: (hash: Hex, nonce: number) => Promise<void>,
  ): Promise<TransactionReceipt> {
    const hashes = [sent.hash];
    let current = sent;
    let replacements = 0;
    const timeout = this.config.stuckTxTimeoutMs ?? 15_000;
    let deadline = Date.now() + timeout;
    const poll = Math.min(this.config.pollIntervalMs ?? 200, 100);
    for (;;) {
      for (const hash of hashes) {
        const receipt = await dest.client.getTransactionReceipt({ hash }).catch(() => null);
        if (receipt) return receipt;
      }
      if (Date.now() > deadline && replacements < (this.config.maxReplacements ?? 5)) {
        const bump = BigInt(100 + (this.config.feeBumpPercent ?? 25));
        const fees = await dest.client.estimateFeesPerGas().catch(() => null);
        const maxPriorityFeePerGas = (current.maxPriorityFeePerGas * bump) / 100n + 1n;
        let maxFeePerGas = (current.maxFeePerGas * bump) / 100n + 1n;
        if (fees && fees.maxFeePerGas > maxFeePerGas) maxFeePerGas = fees.maxFeePerGas;
        if (maxFeePerGas < maxPriorityFeePerGas) maxFeePerGas = maxPriorityFeePerGas;
        try {
          current = await this.signAndSend(dest, { ...current, maxFeePerGas, maxPriorityFeePerGas }, record);
          hashes.push(current.hash);
          replacements++;
          this.count("concord_relayer_replacements_total", { destination: dest.domain });
          this.logger.warn("replaced stuck transaction", {
            destination: dest.domain,
            nonce: current.nonce,
            hash: current.hash,
          });
        } catch (e) {
          this.logger.warn("replacement not accepted", { error: shortError(e) });
        }
        this.nonces.set(dest.domain, Math.max(this.nonces.get(dest.domain) ?? 0, current.nonce + 1));
        deadline = Date.now() + timeout;
      }
      if (!this.running && Date.now() > deadline)
        throw new Error(`stopped while waiting for ${hashes.join(",")}`);
      await new Promise((r) => setTimeout(r, poll));
    }
  }

  // ------------------------------------------------------------------------------------------- automatic retry

  /**
   * One pass over the due automatic retries of FAILED outcomes delivered to `dest`, each on its own; undefined when
   * none was due.
   */
  private async retryFailedPass(dest: Chain): Promise<boolean | undefined> {
    const cfg = this.config.retryFailed!;
    const rows = await this.store.claimRetries(
      dest.domain,
      this.instanceId,
      5,
      this.config.leaseMs ?? 60_000,
      Date.now(),
    );
    if (rows.length === 0) return undefined;
    let progressed = false;
    for (const r of rows) {
      try {
        if (await this.retryOne(dest, r, cfg)) progressed = true;
      } catch (e) {
        const error = shortError(e);
        if (failureKind(e) === "transport") {
          this.reportProblem(`deliver:${dest.domain}`, `destination ${dest.domain} (auto-retry): ${error}`);
          await this.store.setRetryState(
            r.id,
            "PENDING",
            Date.now() + (cfg.delayMs ?? 1_000),
            `waiting: the destination did not answer (${error})`,
            Date.now(),
          );
        } else await this.store.setRetryState(r.id, "DONE", null, `stopped: ${error}`, Date.now());
      }
    }
    return progressed;
  }

  /**
   * Decides (and sends) the next automatic retry of FAILED message `r`; returns whether anything changed. Every
   * decision not to retry is recorded as the retry state's note.
   */
  private async retryOne(
    dest: Chain,
    r: MessageRecord,
    cfg: NonNullable<RelayerConfig["retryFailed"]>,
  ): Promise<boolean> {
    const maxAttempts = cfg.maxAttempts ?? 3;
    const done = (note: string, executed = false) =>
      this.store.setRetryState(r.id, "DONE", null, note, Date.now(), executed);
    let attempts = await this.store.retryAttempts(r.id);
    const open = attempts.at(-1);
    if (open && open.outcome === null) {
      // An attempt recorded before a crash (or a failed wait): find its transaction before deciding anything.
      if ((await this.resolveRetryAttempt(dest, r, open)) === "pending") return false;
      attempts = await this.store.retryAttempts(r.id);
    }
    const status = await this.onchainStatus(dest, r.message);
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
    const record = (hash: Hex) => this.store.recordRetryTx(r.id, plan, hash, Date.now());
    let sent: Sent;
    try {
      sent = await this.sendTx(dest, dest.gateway, data, record);
    } catch (e) {
      if (failureKind(e) === "transport") throw e;
      const refused = describeFailure(e).text;
      await this.store.settleRetryAttempt(r.id, plan, { outcome: "NOT_SENT", detail: refused }, Date.now());
      await this.nextRetry(r, plan.attempt, maxAttempts, cfg, `attempt ${plan.attempt} refused: ${refused}`);
      return true;
    }
    this.count("concord_relayer_auto_retries_total", { destination: dest.domain });
    const receipt = await this.waitMined(dest, sent, record);
    const result = this.retryOutcome(dest, r.id, receipt);
    await this.store.settleRetryAttempt(r.id, plan, result, Date.now());
    this.count("concord_relayer_auto_retry_outcomes_total", {
      destination: dest.domain,
      outcome: result.outcome,
    });
    if (result.outcome === "EXECUTED")
      await done(`EXECUTED by auto-retry ${plan.attempt} with gas ${gas}`, true);
    else
      await this.nextRetry(r, plan.attempt, maxAttempts, cfg, `attempt ${plan.attempt}: ${result.outcome}`);
    return true;
  }

  /** After attempt `attempt`: another one later (with at least its gas plus the margin), or give up. */
  private async nextRetry(
    r: MessageRecord,
    attempt: number,
    maxAttempts: number,
    cfg: NonNullable<RelayerConfig["retryFailed"]>,
    note: string,
  ): Promise<void> {
    if (attempt >= maxAttempts)
      await this.store.setRetryState(
        r.id,
        "DONE",
        null,
        `gave up after ${attempt} attempt(s): ${note}`,
        Date.now(),
      );
    else
      await this.store.setRetryState(
        r.id,
        "PENDING",
        Date.now() + (cfg.delayMs ?? 1_000) * 2 ** (attempt - 1),
        note,
        Date.now(),
      );
  }

  /** The result of a mined retry transaction for `id`: the gateway's `Retried` event, or the receipt's revert. */
  private retryOutcome(
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
  private async resolveRetryAttempt(
    dest: Chain,
    r: MessageRecord,
    open: RetryAttempt,
  ): Promise<"settled" | "pending"> {
    const plan: RetryPlan = { attempt: open.attempt, gasLimit: open.gasLimit, estimate: open.estimate };
    for (const hash of open.txs) {
      const receipt = await dest.client.getTransactionReceipt({ hash }).catch(() => null);
      if (receipt) {
        await this.store.settleRetryAttempt(r.id, plan, this.retryOutcome(dest, r.id, receipt), Date.now());
        return "settled";
      }
    }
    if (await this.anyPending(dest, open.txs)) return "pending";
    await this.store.settleRetryAttempt(
      r.id,
      plan,
      { outcome: "LOST", detail: "its transaction never reached the chain" },
      Date.now(),
    );
    return "settled";
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
