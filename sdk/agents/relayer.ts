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
 */
import { randomUUID } from "node:crypto";
import {
  type Address,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  decodeEventLog,
  encodeFunctionData,
  getAddress,
  http,
  keccak256,
  recoverAddress,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { bytes32ToAddress, decodeMessage } from "../src/codec.js";
import { ModuleType, type SignedDigest, messageIdDigest, messageIdMetadata } from "../src/metadata.js";
import { GatewayMessageStatus, batchProcessorAbi, gatewayAbi, verifierAbi } from "./abi.js";
import { AgentConfigError } from "./errors.js";
import {
  type HttpEndpoint,
  type HttpReply,
  type MetricFamily,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
  serveHttp,
} from "./http.js";
import { FlowKeeper } from "./keeper.js";
import { type AgentLogger, jsonLogger } from "./log.js";
import type { MessageRecord, RelayerStore, SeenMessage } from "./store.js";
import { openPostgresStore } from "./store-postgres.js";
import { openSqliteStore } from "./store-sqlite.js";

/** One chain the relayer serves, as an origin (indexed) and as a destination (delivered to). */
export type RelayerChainConfig = {
  /** Concord domain (the EVM chain id). */
  domain: number;
  rpcUrl: string;
  /** The chain's ConcordGateway. */
  gateway: Address;
  /** Finality depth: blocks after which an origin message is final (default 0). */
  confirmations?: number;
  /** First origin block to index (default 0). */
  fromBlock?: number;
  /** Largest block range per `eth_getLogs` (default 2000). */
  blockRange?: number;
  /** `ConcordBatchProcessor` on this chain: enables batched delivery to it. */
  batchProcessor?: Address;
};

/** Where the relayer keeps its state. */
export type RelayerStoreConfig =
  | { type: "sqlite"; path: string }
  | { type: "postgres"; connectionString: string }
  | { type: "custom"; store: RelayerStore };

export type RelayerConfig = {
  chains: RelayerChainConfig[];
  /** Validator HTTP base URLs per origin domain (each serves `POST /signatures`). */
  validators: Record<number, string[]>;
  /** The account paying for deliveries on every destination: a viem local account or a private key. */
  account: LocalAccount | Hex;
  /** Default: SQLite at `./concord-relayer.sqlite`. */
  store?: RelayerStoreConfig;
  /** Names this instance in claims (default: a random UUID). */
  instanceId?: string;
  /** Messages per delivery transaction when the destination has a batch processor (default 50; 1 = no batching). */
  maxBatchSize?: number;
  /** Idle delay between passes, in ms (default 200). */
  pollIntervalMs?: number;
  /** How long a claim protects a message from other instances, in ms (default 60 000). */
  leaseMs?: number;
  /** Delivery attempts before FAILED and the backoff between them (defaults 8, 500 ms, 30 s). */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** A transaction not mined after this long is replaced with the same nonce and a higher fee (default 15 000). */
  stuckTxTimeoutMs?: number;
  /** Fee increase per replacement, in percent (default 25; nodes require >= 10). */
  feeBumpPercent?: number;
  /** Replacements per transaction before waiting without further bumps (default 5). */
  maxReplacements?: number;
  /** Added to the gas estimate, in percent (default 20). */
  gasMarginPercent?: number;
  /** Timeout of one validator request, in ms (default 3000). */
  signatureTimeoutMs?: number;
  /**
   * When to recover each validator signature before building metadata: "always", or "retry" (default: on a
   * message's retries only; a first attempt relies on the on-chain verifier, and any failed delivery sends the
   * message back to signature collection with checks on).
   */
  verifySignatures?: "always" | "retry";
  /** HTTP status API (default 127.0.0.1, a free port); `false` disables it. */
  http?: { host?: string; port?: number } | false;
  logger?: AgentLogger;
  /**
   * Also run a flow keeper (keeper.ts: `expire`, `exportOutcome`, settlement) on the chains listed in
   * `coordinators` (domain -> FlowCoordinator). It needs its own account: the relayer manages its nonces itself.
   */
  keeper?: {
    account: LocalAccount | Hex;
    coordinators: Record<number, Address>;
    pollIntervalMs?: number;
    reexportAfterMs?: number;
  };
};

type Chain = RelayerChainConfig & {
  client: PublicClient;
  chainId: number;
  head: bigint;
  lastError: string | null;
};
type VerifierInfo = {
  address: Address;
  moduleType: number;
  validators: Address[];
  threshold: number;
  at: number;
};
type Sent = {
  hash: Hex;
  nonce: number;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  to: Address;
  data: Hex;
};

const VERIFIER_TTL_MS = 30_000;
/** Least delay before asking the validators again for a message without a quorum yet. */
const SIGNATURE_RETRY_MS = 100;

function shortError(e: unknown): string {
  if (e instanceof BaseError) {
    const revert = e.walk(
      (x) => x instanceof ContractFunctionRevertedError,
    ) as ContractFunctionRevertedError | null;
    if (revert?.data?.errorName) return `${revert.data.errorName}(${(revert.data.args ?? []).join(",")})`;
    return e.shortMessage;
  }
  return (e as Error).message?.split("\n")[0] ?? String(e);
}

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
    if (!Array.isArray(config.chains) || config.chains.length === 0)
      throw new AgentConfigError("chains", "at least one chain is required");
    const seen = new Set<number>();
    const chains: Chain[] = [];
    for (const [i, c] of config.chains.entries()) {
      if (!Number.isInteger(c.domain) || c.domain <= 0 || c.domain > 0xffffffff)
        throw new AgentConfigError(`chains[${i}].domain`, `must be a uint32 > 0, got ${c.domain}`);
      if (seen.has(c.domain))
        throw new AgentConfigError(`chains[${i}].domain`, `duplicate domain ${c.domain}`);
      seen.add(c.domain);
      if (!/^0x[0-9a-fA-F]{40}$/.test(c.gateway))
        throw new AgentConfigError(`chains[${i}].gateway`, `not an address: ${c.gateway}`);
      const client = createPublicClient({
        transport: http(c.rpcUrl, { retryCount: 3, retryDelay: 100, timeout: 10_000 }),
      });
      const chainId = await client.getChainId();
      chains.push({ ...c, gateway: getAddress(c.gateway), client, chainId, head: 0n, lastError: null });
    }
    if ((config.maxBatchSize ?? 50) < 1) throw new AgentConfigError("maxBatchSize", "must be >= 1");
    const keeper = config.keeper ? await Relayer.createKeeper(config, config.keeper) : undefined;
    const storeConfig = config.store ?? { type: "sqlite", path: "concord-relayer.sqlite" };
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

  /** The flow keeper of `config.keeper` (checked: a distinct account, coordinators on configured chains only). */
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
    const entries = Object.entries(k.coordinators ?? {});
    if (entries.length === 0) throw new AgentConfigError("keeper.coordinators", "at least one is required");
    return FlowKeeper.create({
      chains: entries.map(([domain, coordinator]) => {
        const chain = config.chains.find((c) => c.domain === Number(domain));
        if (!chain) throw new AgentConfigError(`keeper.coordinators.${domain}`, "not a configured chain");
        return { domain: chain.domain, rpcUrl: chain.rpcUrl, coordinator, fromBlock: chain.fromBlock };
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
    let failures = 0;
    while (this.running) {
      let progressed = false;
      try {
        progressed = await step();
        failures = 0;
        if (chain && name.startsWith("index")) chain.lastError = null;
      } catch (e) {
        failures++;
        if (chain) chain.lastError = `${name}: ${shortError(e)}`;
        this.count("concord_relayer_loop_errors_total", { loop: name });
        this.logger.warn("step failed, backing off", { loop: name, error: shortError(e) });
      }
      if (!progressed && this.running) {
        const base = this.config.pollIntervalMs ?? 200;
        await this.sleep(failures ? Math.min(base * 2 ** failures, 5_000) : base);
      }
    }
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
    const range = chain.blockRange ?? 2000;
    let found = 0;
    for (let chunks = 0; from <= h && chunks < 20 && this.running; chunks++) {
      const to = Math.min(h, from + range - 1);
      const logs = await chain.client.getContractEvents({
        address: chain.gateway,
        abi: gatewayAbi,
        eventName: "Dispatched",
        fromBlock: BigInt(from),
        toBlock: BigInt(to),
        strict: true,
      });
      const seen: SeenMessage[] = [];
      for (const log of logs) {
        const m = decodeMessage(log.args.message);
        if (keccak256(log.args.message) !== log.args.messageId.toLowerCase() || m.origin !== chain.domain)
          continue;
        if (!this.chains.has(m.destination)) continue; // not a destination this relayer serves
        seen.push({
          id: log.args.messageId,
          origin: m.origin,
          destination: m.destination,
          nonce: m.nonce,
          message: log.args.message,
          blockNumber: Number(log.blockNumber),
          blockHash: log.blockHash,
          txHash: log.transactionHash,
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

  /** Verifier `process` uses for `message` on its destination, with its validator set (cached). */
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
    const moduleType = await dest.client.readContract({
      address,
      abi: verifierAbi,
      functionName: "moduleType",
    });
    let validators: Address[] = [];
    let threshold = 0;
    if (moduleType === ModuleType.CONCORD_MESSAGE_ID_MULTISIG) {
      const [v, t] = await dest.client.readContract({
        address,
        abi: verifierAbi,
        functionName: "validatorsAndThreshold",
        args: [record.message],
      });
      validators = v.map((a) => getAddress(a));
      threshold = t;
    }
    const info = { address, moduleType, validators, threshold, at: Date.now() };
    this.verifiers.set(key, info);
    return info;
  }

  private async fetchSignatures(
    origin: number,
    ids: readonly Hex[],
  ): Promise<Map<Hex, { validator: Address; signature: Hex; index: number }[]>> {
    const out = new Map<Hex, { validator: Address; signature: Hex; index: number }[]>();
    const urls = this.config.validators[origin] ?? [];
    const answers = await Promise.allSettled(
      urls.map(async (url) => {
        const res = await fetch(`${url.replace(/\/$/, "")}/signatures`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ messageIds: ids }),
          signal: AbortSignal.timeout(this.config.signatureTimeoutMs ?? 3000),
        });
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
        return (await res.json()) as {
          signatures: { validator: Address; signature: Hex; index: number; messageId: Hex }[];
        };
      }),
    );
    for (const a of answers) {
      if (a.status !== "fulfilled") {
        this.count("concord_relayer_validator_errors_total", { origin });
        continue;
      }
      for (const s of a.value.signatures ?? []) {
        const id = s.messageId.toLowerCase() as Hex;
        if (!out.has(id)) out.set(id, []);
        out.get(id)!.push(s);
      }
    }
    return out;
  }

  /** Builds metadata for final SEEN messages of `origin` once a quorum of valid signatures is available. */
  async collectSignatures(origin: Chain): Promise<boolean> {
    const now = Date.now();
    const rows = await this.store.awaitingSignatures(origin.domain, 200, now);
    if (rows.length === 0) return false;
    const sigs = await this.fetchSignatures(
      origin.domain,
      rows.map((r) => r.id),
    );
    // Decide first (RPC and signature checks), then write every decision in one transaction.
    const decisions: (
      { id: Hex; metadata: Hex } | { id: Hex; failed: string } | { id: Hex; waiting: string }
    )[] = [];
    for (const r of rows) {
      const verifier = await this.verifierFor(r);
      if (verifier.moduleType !== ModuleType.CONCORD_MESSAGE_ID_MULTISIG) {
        decisions.push({
          id: r.id,
          failed: `unsupported verifier moduleType ${verifier.moduleType} at ${verifier.address}`,
        });
        continue;
      }
      const members = new Set(verifier.validators);
      const digest = messageIdDigest({
        origin: r.origin,
        originGateway: origin.gateway,
        messageId: r.id,
        nonce: r.nonce,
      });
      // Signatures are recovered one by one when configured ("always"), and on every retry: a first attempt may
      // trust the validators' answers because the verifier checks them on chain anyway, and a failed delivery
      // comes back here with attempts > 0.
      const verify = this.config.verifySignatures === "always" || r.attempts > 0;
      const valid: SignedDigest[] = [];
      for (const s of sigs.get(r.id) ?? []) {
        if (valid.length >= verifier.threshold) break;
        let signer: Address;
        try {
          signer = getAddress(s.validator);
        } catch {
          continue;
        }
        if (s.index !== r.nonce || !members.has(signer) || valid.some((v) => v.signer === signer)) continue;
        if (!/^0x[0-9a-fA-F]{130}$/.test(s.signature)) continue;
        if (verify) {
          const recovered = await recoverAddress({ hash: digest, signature: s.signature }).catch(() => null);
          if (recovered !== signer) {
            this.count("concord_relayer_bad_signatures_total", { origin: r.origin });
            continue;
          }
        }
        valid.push({ signer, signature: s.signature });
      }
      if (valid.length >= verifier.threshold && verifier.threshold > 0) {
        try {
          decisions.push({ id: r.id, metadata: messageIdMetadata({ signatures: valid }) });
        } catch (e) {
          decisions.push({ id: r.id, waiting: shortError(e) }); // malformed signature (high s, bad v)
        }
      } else decisions.push({ id: r.id, waiting: `signatures ${valid.length}/${verifier.threshold}` });
    }
    let signed = 0;
    const now2 = Date.now();
    await this.store.atomically(async () => {
      for (const d of decisions) {
        if ("metadata" in d) {
          await this.store.setSigned(d.id, d.metadata, now2);
          signed++;
        } else if ("failed" in d) await this.store.setFailed(d.id, d.failed, now2);
        else
          await this.store.postpone(
            d.id,
            now2 + Math.max(this.config.pollIntervalMs ?? 200, SIGNATURE_RETRY_MS),
            d.waiting,
          );
      }
    });
    if (signed) this.count("concord_relayer_signed_total", { origin: origin.domain }, signed);
    return signed > 0;
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

  /** One delivery pass to `dest`; returns true when it delivered (or resolved) something. */
  async deliver(dest: Chain): Promise<boolean> {
    const rows = await this.store.claim(
      dest.domain,
      this.instanceId,
      this.config.maxBatchSize ?? 50,
      this.config.leaseMs ?? 60_000,
      Date.now(),
    );
    if (rows.length === 0) return false;
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

  private batchFailures(receipt: TransactionReceipt, processor: Address): Map<Hex, string> {
    const out = new Map<Hex, string>();
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
          out.set(ev.args.messageId.toLowerCase() as Hex, `item reverted: ${ev.args.reason}`);
      } catch {
        // not one of ours
      }
    }
    return out;
  }

  private async sendBatch(dest: Chain, rows: MessageRecord[]): Promise<void> {
    const data = encodeFunctionData({
      abi: batchProcessorAbi,
      functionName: "processBatch",
      args: [dest.gateway, rows.map((r) => r.metadata!), rows.map((r) => r.message)],
    });
    let sent: Sent;
    try {
      sent = await this.sendTx(
        dest,
        dest.batchProcessor!,
        data,
        rows.map((r) => r.id),
      );
    } catch (e) {
      const error = shortError(e);
      this.logger.warn("batch not sent", { destination: dest.domain, size: rows.length, error });
      for (const r of rows) await this.retryOrFail(r, error);
      return;
    }
    const receipt = await this.waitMined(
      dest,
      sent,
      rows.map((r) => r.id),
    );
    await this.settle(dest, rows, receipt, this.batchFailures(receipt, dest.batchProcessor!));
  }

  private async sendSingles(dest: Chain, rows: MessageRecord[]): Promise<void> {
    const inflight: Promise<void>[] = [];
    for (const r of rows) {
      const data = encodeFunctionData({
        abi: gatewayAbi,
        functionName: "process",
        args: [r.metadata!, r.message],
      });
      let sent: Sent;
      try {
        sent = await this.sendTx(dest, dest.gateway, data, [r.id]);
      } catch (e) {
        const error = shortError(e);
        const status = await this.onchainStatus(dest, r.message).catch(() => GatewayMessageStatus.NONE);
        if (status !== GatewayMessageStatus.NONE)
          await this.store.setDelivered(
            r.id,
            null,
            status === GatewayMessageStatus.EXECUTED ? "EXECUTED" : "FAILED",
            Date.now(),
            "already delivered (not by this relayer)",
          );
        else await this.retryOrFail(r, error);
        continue;
      }
      inflight.push(
        this.waitMined(dest, sent, [r.id]).then((receipt) => this.settle(dest, [r], receipt, new Map())),
      );
    }
    await Promise.all(inflight);
  }

  /** Records each message's fate after its delivery transaction was mined. */
  private async settle(
    dest: Chain,
    rows: MessageRecord[],
    receipt: TransactionReceipt,
    failures: Map<Hex, string>,
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
          await this.store.setDelivered(r.id, receipt.transactionHash, outcome, now);
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
          );
          continue;
        }
        await this.retryOrFail(
          r,
          failures.get(r.id) ?? `delivery transaction ${receipt.transactionHash} ${receipt.status}`,
        );
      }
    });
  }

  /** Signs, records (SUBMITTED) and then broadcasts a transaction; the record comes first so a crash loses nothing. */
  private async sendTx(dest: Chain, to: Address, data: Hex, ids: Hex[]): Promise<Sent> {
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
      ids,
    );
    this.count("concord_relayer_transactions_total", { destination: dest.domain });
    return sent;
  }

  private async signAndSend(dest: Chain, tx: Sent, ids: Hex[]): Promise<Sent> {
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
    await this.store.setSubmitted(ids, hash, tx.nonce, Date.now());
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
  private async waitMined(dest: Chain, sent: Sent, ids: Hex[]): Promise<TransactionReceipt> {
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
          current = await this.signAndSend(dest, { ...current, maxFeePerGas, maxPriorityFeePerGas }, ids);
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

  // ------------------------------------------------------------------------------------------- status API

  private async handle(method: string, path: string): Promise<HttpReply> {
    const parts = path.split("/").filter(Boolean);
    if (method !== "GET") return { status: 405, body: { error: "only GET" } };
    if (parts[0] === "messages" && parts.length === 2) {
      const id = parts[1] as Hex;
      if (!/^0x[0-9a-fA-F]{64}$/.test(id))
        return { status: 400, body: { error: "messageId must be 32 bytes hex" } };
      const record = await this.store.get(id);
      if (!record) return { status: 404, body: { error: "unknown message", messageId: id } };
      return { status: 200, body: { ...record, events: await this.store.events(id) } };
    }
    if (path === "/health") {
      const chains = Object.fromEntries(
        [...this.chains.values()].map((c) => [c.domain, { head: Number(c.head), lastError: c.lastError }]),
      );
      return {
        status: 200,
        body: {
          ok: this.running,
          instance: this.instanceId,
          account: this.account.address,
          store: this.store.kind,
          chains,
        },
      };
    }
    if (path === "/metrics")
      return {
        status: 200,
        contentType: PROMETHEUS_CONTENT_TYPE,
        body: renderPrometheus(await this.metrics()),
      };
    return { status: 404, body: { error: `no route ${method} ${path}` } };
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
  const relayer = await Relayer.create(config);
  await relayer.start();
  return relayer;
}
