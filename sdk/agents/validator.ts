/**
 * Concord validator agent: watches one origin ConcordGateway, waits `confirmations` blocks after each
 * `Dispatched` event, signs the message-id checkpoint digest the multisig verifiers check
 * (`messageIdDigest` from the SDK, pinned by test/vectors/multisig.json), records every signature in a SQLite
 * store before serving it, and serves signatures over HTTP.
 *
 * Safety rule: for one (kind, index) the validator signs at most one commitment, for its whole life. A second,
 * different message id at a nonce it already signed (a reorg deeper than its finality depth, or a faulty RPC)
 * is refused, counted and logged; the first signature stays the only one. The rule holds across restarts
 * because the store is written (and committed) before a signature leaves the process, and a store that cannot be
 * read makes the validator refuse to start rather than forget what it signed.
 */
import {
  type Address,
  type Hex,
  type PublicClient,
  createPublicClient,
  getAddress,
  http,
  isAddress,
  keccak256,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { decodeMessage } from "../src/codec.js";
import { LogPager, eventTopics } from "../src/logs.js";
import { type DigestSigner, DigestKind, messageIdDigest, signDigest } from "../src/metadata.js";
import type { ValidatorSignature } from "../src/signatures.js";
import { gatewayAbi } from "./abi.js";
import { AgentConfigError, ConflictingCheckpointError, StoreError } from "./errors.js";
import { startAgent } from "./lifecycle.js";
import {
  type HttpEndpoint,
  type HttpReply,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
  serveHttp,
} from "./http.js";
import { type AgentLogger, jsonLogger } from "./log.js";
import { type DatabaseSync, loadSqlite } from "./sqlite.js";

/** Configuration of one validator (one origin gateway, one key). */
export type ValidatorConfig = {
  /** JSON-RPC URL of the origin chain. */
  rpcUrl: string;
  /** The origin ConcordGateway whose messages this validator attests. */
  gateway: Address;
  /** The signing key: a viem local account (or any raw-digest signer, e.g. a KMS adapter) or a private key. */
  signer: DigestSigner | Hex;
  /** Blocks to wait after a message's block before signing it (finality depth); 0 signs at inclusion. */
  confirmations: number;
  /** SQLite file recording every signature (created if missing). */
  storePath: string;
  /** First block to scan when the store has no cursor yet: the gateway's deploy block (default 0). */
  fromBlock?: bigint;
  /**
   * Blocks per `eth_getLogs` to start with (default 2000); the range then adapts to what the provider accepts
   * (smaller when it refuses a range or an answer, larger again after successes: {@link LogPager}).
   */
  blockRange?: number;
  /** Delay between polls when idle, in ms (default 250). */
  pollIntervalMs?: number;
  /** HTTP API (default 127.0.0.1, a free port); `false` disables it. */
  http?: { host?: string; port?: number } | false;
  logger?: AgentLogger;
};

/** A signature as the validator serves it (one shape, defined next to its consumers in the SDK). */
export type { ValidatorSignature };

const SCHEMA_VERSION = "1";

/** One signature to record. */
export type SignatureEntry = {
  kind: number;
  index: number;
  commitment: Hex;
  digest: Hex;
  signature: Hex;
  blockNumber: bigint;
};

/**
 * What a validator signed, in SQLite. One row per (kind, index): the primary key IS the no-conflict rule.
 * Opening checks integrity and the schema and that the store belongs to this validator and gateway.
 */
export class SignatureStore {
  readonly path: string;
  private readonly db: DatabaseSync;

  constructor(path: string, identity: { validator: Address; gateway: Address; origin: number }) {
    this.path = path;
    const { DatabaseSync } = loadSqlite();
    try {
      this.db = new DatabaseSync(path);
      const check = this.db.prepare("PRAGMA quick_check").get() as { quick_check?: string } | undefined;
      if (check?.quick_check !== "ok") throw new Error(`quick_check: ${JSON.stringify(check)}`);
      this.db.exec(`
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS signatures (
          kind INTEGER NOT NULL, idx INTEGER NOT NULL, commitment TEXT NOT NULL, digest TEXT NOT NULL,
          signature TEXT NOT NULL, block_number INTEGER NOT NULL, signed_at INTEGER NOT NULL,
          PRIMARY KEY (kind, idx));
        CREATE UNIQUE INDEX IF NOT EXISTS signatures_commitment ON signatures (kind, commitment);
        CREATE TABLE IF NOT EXISTS conflicts (
          kind INTEGER NOT NULL, idx INTEGER NOT NULL, commitment TEXT NOT NULL, seen_at INTEGER NOT NULL,
          PRIMARY KEY (kind, idx, commitment));`);
    } catch (e) {
      throw new StoreError(
        `validator store ${path} is unreadable or corrupt; refusing to start`,
        (e as Error).message,
      );
    }
    const expected: Record<string, string> = {
      schema_version: SCHEMA_VERSION,
      validator: identity.validator.toLowerCase(),
      gateway: identity.gateway.toLowerCase(),
      origin: String(identity.origin),
    };
    for (const [key, value] of Object.entries(expected)) {
      const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
        { value: string } | undefined;
      if (row === undefined) this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)").run(key, value);
      else if (row.value !== value)
        throw new StoreError(
          `validator store ${path} belongs to another ${key}; refusing to start`,
          `store has ${row.value}, config has ${value}`,
        );
    }
  }

  /** The last block scanned to the end (null before the first scan). */
  cursor(): bigint | null {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'cursor'").get() as
      { value: string } | undefined;
    return row ? BigInt(row.value) : null;
  }

  setCursor(block: bigint): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES ('cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(block.toString());
  }

  /** The signature recorded for (kind, index), if any. */
  byIndex(kind: number, index: number): { commitment: Hex; signature: Hex; digest: Hex } | undefined {
    return this.db
      .prepare("SELECT commitment, digest, signature FROM signatures WHERE kind = ? AND idx = ?")
      .get(kind, index) as { commitment: Hex; signature: Hex; digest: Hex } | undefined;
  }

  /** The signature recorded for a commitment (message id), if any. */
  byCommitment(kind: number, commitment: Hex): { idx: number; signature: Hex; digest: Hex } | undefined {
    return this.db
      .prepare("SELECT idx, digest, signature FROM signatures WHERE kind = ? AND commitment = ?")
      .get(kind, commitment.toLowerCase()) as { idx: number; signature: Hex; digest: Hex } | undefined;
  }

  /**
   * Records a signature; idempotent for the same commitment. Throws ConflictingCheckpointError (and records the
   * conflict) when another commitment is already signed at (kind, index): the caller must not release `signature`.
   */
  record(entry: SignatureEntry): void {
    const [result] = this.recordMany([entry]);
    if (result instanceof ConflictingCheckpointError) throw result;
  }

  /**
   * Records several signatures (and, when given, the scan cursor) in ONE transaction, so one fsync. Returns, per entry, `true` when stored (or already
   * stored), or the ConflictingCheckpointError when refused (the conflict itself is recorded).
   */
  recordMany(entries: readonly SignatureEntry[], cursor?: bigint): (true | ConflictingCheckpointError)[] {
    const results: (true | ConflictingCheckpointError)[] = [];
    this.db.exec("BEGIN IMMEDIATE");
    try {
      if (cursor !== undefined) this.setCursor(cursor);
      for (const entry of entries) {
        const commitment = entry.commitment.toLowerCase() as Hex;
        const existing = this.byIndex(entry.kind, entry.index);
        if (existing && existing.commitment !== commitment) {
          this.db
            .prepare("INSERT OR IGNORE INTO conflicts (kind, idx, commitment, seen_at) VALUES (?, ?, ?, ?)")
            .run(entry.kind, entry.index, commitment, Date.now());
          results.push(
            new ConflictingCheckpointError(
              `refusing to sign ${commitment} at index ${entry.index}`,
              `already signed ${existing.commitment} at that index`,
            ),
          );
          continue;
        }
        if (!existing) {
          this.db
            .prepare(
              "INSERT INTO signatures (kind, idx, commitment, digest, signature, block_number, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .run(
              entry.kind,
              entry.index,
              commitment,
              entry.digest,
              entry.signature,
              Number(entry.blockNumber),
              Date.now(),
            );
        }
        results.push(true);
      }
      this.db.exec("COMMIT");
    } catch (e) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw e;
    }
    return results;
  }

  /** Number of signatures and of refused conflicts. */
  counts(): { signed: number; conflicts: number } {
    const s = this.db.prepare("SELECT COUNT(*) AS n FROM signatures").get() as { n: number };
    const c = this.db.prepare("SELECT COUNT(*) AS n FROM conflicts").get() as { n: number };
    return { signed: Number(s.n), conflicts: Number(c.n) };
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

function toSigner(signer: DigestSigner | Hex): DigestSigner {
  if (typeof signer === "string") return privateKeyToAccount(signer);
  return signer;
}

/** A running validator. `new Validator(config)` opens the store (and throws StoreError if it cannot). */
export class Validator {
  readonly config: ValidatorConfig;
  readonly store: SignatureStore;
  readonly address: Address;
  private readonly signer: DigestSigner;
  private readonly client: PublicClient;
  /** Pages `eth_getLogs` within the provider's limits (keeps what it learned between polls). */
  readonly pager: LogPager;
  private readonly logger: AgentLogger;
  private origin = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private endpoint: HttpEndpoint | undefined;
  private head = 0n;
  private errors = 0;

  constructor(config: ValidatorConfig, origin: number) {
    if (!isAddress(config.gateway))
      throw new AgentConfigError("gateway", `not an address: ${config.gateway}`);
    if (!Number.isInteger(config.confirmations) || config.confirmations < 0)
      throw new AgentConfigError("confirmations", `must be an integer >= 0, got ${config.confirmations}`);
    this.config = config;
    this.signer = toSigner(config.signer);
    this.address = getAddress(this.signer.address);
    this.origin = origin;
    this.logger = config.logger ?? jsonLogger(`validator:${this.address.slice(0, 8)}`);
    this.client = createPublicClient({ transport: http(config.rpcUrl, { retryCount: 2, timeout: 10_000 }) });
    this.pager = new LogPager(this.client, { initialRange: config.blockRange ?? 2000 });
    this.store = new SignatureStore(config.storePath, {
      validator: this.address,
      gateway: getAddress(config.gateway),
      origin,
    });
  }

  /** Reads the gateway's domain, opens the store and returns the (not yet started) validator. */
  static async create(config: ValidatorConfig): Promise<Validator> {
    const client = createPublicClient({ transport: http(config.rpcUrl, { retryCount: 2, timeout: 10_000 }) });
    const origin = await client.readContract({
      address: config.gateway,
      abi: gatewayAbi,
      functionName: "localDomain",
    });
    return new Validator(config, origin);
  }

  /** Base URL of the HTTP API (after `start`). */
  get url(): string | undefined {
    return this.endpoint?.url;
  }

  /** Starts scanning and (unless disabled) the HTTP API. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.config.http !== false) {
      const h = this.config.http ?? {};
      this.endpoint = await serveHttp((m, p, b) => this.handle(m, p, b), h.host, h.port);
    }
    this.loop = this.run();
  }

  /** Stops scanning, closes the HTTP API and the store. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.endpoint?.close();
    this.store.close();
  }

  /** Scans once up to the finalized head; returns the number of new signatures. */
  async poll(): Promise<number> {
    const head = await this.client.getBlockNumber({ cacheTime: 0 });
    this.head = head;
    const safe = head - BigInt(this.config.confirmations);
    const cursor = this.store.cursor() ?? (this.config.fromBlock ?? 0n) - 1n;
    if (safe <= cursor) return 0;
    let signed = 0;
    const filter = { address: this.config.gateway, topics: eventTopics(gatewayAbi, "Dispatched") };
    for (let from = cursor + 1n; from <= safe && this.running;) {
      // One page: as many blocks as the provider accepts; the cursor moves to the page's last block.
      const page = await this.pager.page(filter, from, safe);
      const logs = parseEventLogs({
        abi: gatewayAbi,
        logs: page.logs,
        eventName: "Dispatched",
        strict: true,
      });
      const entries: SignatureEntry[] = [];
      for (const log of logs) {
        const entry = await this.attest(log.args.message, log.args.messageId, log.blockNumber);
        if (entry) entries.push(entry);
      }
      // One transaction for the page; signatures are served from the store only, so only after this commit.
      for (const [i, result] of this.store.recordMany(entries, page.toBlock).entries()) {
        if (result === true) {
          signed++;
        } else {
          this.logger.error("conflicting message at a signed nonce: refused", {
            index: entries[i]!.index,
            error: result.shortMessage,
          });
        }
      }
      from = page.toBlock + 1n;
    }
    return signed;
  }

  /**
   * Checks one message and signs it, unless it is already signed; returns the entry to record. A message that
   * conflicts with a signed one at its nonce is returned with an empty signature: `recordMany` refuses it and
   * records the conflict, and the conflicting digest is never signed.
   */
  private async attest(
    message: Hex,
    claimedId: Hex,
    blockNumber: bigint,
  ): Promise<SignatureEntry | undefined> {
    const id = keccak256(message);
    const decoded = decodeMessage(message);
    if (id !== claimedId.toLowerCase() || decoded.origin !== this.origin) {
      this.logger.error("malformed Dispatched event, not signed", { claimedId, id, origin: decoded.origin });
      return undefined;
    }
    if (this.store.byCommitment(DigestKind.MESSAGE_ID, id)) return undefined;
    const digest = messageIdDigest({
      origin: this.origin,
      originGateway: this.config.gateway,
      messageId: id,
      nonce: decoded.nonce,
    });
    const entry = {
      kind: DigestKind.MESSAGE_ID,
      index: decoded.nonce,
      commitment: id,
      digest,
      signature: "0x" as Hex,
      blockNumber,
    };
    const existing = this.store.byIndex(DigestKind.MESSAGE_ID, decoded.nonce);
    if (existing && existing.commitment !== id) return entry;
    const { signature } = await signDigest(this.signer, digest);
    return { ...entry, signature };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let progressed = 0;
      try {
        progressed = await this.poll();
      } catch (e) {
        this.errors++;
        this.logger.warn("poll failed, retrying", { error: (e as Error).message.split("\n")[0] });
      }
      if (progressed === 0 && this.running) await this.sleep(this.config.pollIntervalMs ?? 250);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** The signature for `messageId`, if this validator signed it. */
  signature(messageId: Hex): ValidatorSignature | undefined {
    const row = this.store.byCommitment(DigestKind.MESSAGE_ID, messageId);
    if (!row) return undefined;
    return {
      validator: this.address,
      signature: row.signature,
      kind: DigestKind.MESSAGE_ID,
      index: Number(row.idx),
      messageId: messageId.toLowerCase() as Hex,
      digest: row.digest,
      origin: this.origin,
      originGateway: getAddress(this.config.gateway),
    };
  }

  private handle(method: string, path: string, body: string): HttpReply {
    const parts = path.split("/").filter(Boolean);
    if (method === "GET" && parts[0] === "signatures" && parts.length === 2) {
      const id = parts[1] as Hex;
      if (!/^0x[0-9a-fA-F]{64}$/.test(id))
        return { status: 400, body: { error: "messageId must be 32 bytes hex" } };
      const sig = this.signature(id);
      return sig
        ? { status: 200, body: sig }
        : { status: 404, body: { error: "not signed (yet)", messageId: id } };
    }
    if (method === "POST" && parts[0] === "signatures" && parts.length === 1) {
      let ids: unknown;
      try {
        ids = (JSON.parse(body) as { messageIds?: unknown }).messageIds;
      } catch {
        return { status: 400, body: { error: "body must be JSON {messageIds: [...]}" } };
      }
      if (
        !Array.isArray(ids) ||
        ids.length > 1000 ||
        !ids.every((i) => typeof i === "string" && /^0x[0-9a-fA-F]{64}$/.test(i))
      )
        return {
          status: 400,
          body: { error: "messageIds must be an array of at most 1000 32-byte hex ids" },
        };
      const signatures = (ids as Hex[]).map((i) => this.signature(i)).filter((s) => s !== undefined);
      return { status: 200, body: { signatures } };
    }
    if (method === "GET" && path === "/health") {
      return {
        status: 200,
        body: {
          ok: this.running,
          validator: this.address,
          origin: this.origin,
          head: this.head,
          cursor: this.store.cursor(),
        },
      };
    }
    if (method === "GET" && path === "/metrics") {
      const counts = this.store.counts();
      const labels = { validator: this.address, origin: this.origin };
      return {
        status: 200,
        contentType: PROMETHEUS_CONTENT_TYPE,
        body: renderPrometheus([
          {
            name: "concord_validator_signatures",
            help: "Checkpoints signed (stored).",
            type: "gauge",
            samples: [{ labels, value: counts.signed }],
          },
          {
            name: "concord_validator_conflicts",
            help: "Conflicting checkpoints refused.",
            type: "gauge",
            samples: [{ labels, value: counts.conflicts }],
          },
          {
            name: "concord_validator_scanned_block",
            help: "Last block scanned.",
            type: "gauge",
            samples: [{ labels, value: Number(this.store.cursor() ?? -1n) }],
          },
          {
            name: "concord_validator_head_block",
            help: "Origin head block seen.",
            type: "gauge",
            samples: [{ labels, value: Number(this.head) }],
          },
          {
            name: "concord_validator_poll_errors_total",
            help: "Failed polls.",
            type: "counter",
            samples: [{ labels, value: this.errors }],
          },
        ]),
      };
    }
    return { status: 404, body: { error: `no route ${method} ${path}` } };
  }
}

/** Creates and starts a validator; stop it with `validator.stop()`. */
export async function runValidator(config: ValidatorConfig): Promise<Validator> {
  return startAgent(() => Validator.create(config));
}
