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
import {
  type DigestSigner,
  DigestKind,
  MAX_RANGE_LENGTH,
  RANGE_DIGEST_KIND,
  merkleRootDigest,
  messageIdDigest,
  rangeDigest,
  rangeTree,
  signDigest,
} from "../src/metadata.js";
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
import { IncrementalTree } from "./watcher.js";

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
  /** What to sign besides (or instead of) message ids (default: message ids only). */
  checkpoints?: CheckpointConfig;
  logger?: AgentLogger;
};

/**
 * Checkpoints signed at "cuts": nonces where the validator closes a range of consecutive final messages. A cut is
 * a function of the final chain only, so every honest validator cuts at the same nonces (a quorum on the same
 * range): the end of each aligned window of `windowSize` nonces (`[k * windowSize, (k + 1) * windowSize - 1]`), or
 * earlier, at the last message `L` of a window that is not full, once `flushBlocks` final blocks followed L's block
 * without a next message (the origin chain's blocks are the clock, not wall time). The next range starts at L + 1,
 * so ranges never overlap. At each cut `L` after a previous cut `P` the validator signs the range `P+1 .. L`
 * (`ranges`) and the checkpoint (root of the origin tree over nonces `0 .. L`, index L) (`merkleRoots`): one
 * signature each per cut, not per message.
 */
export type CheckpointConfig = {
  /** Sign every message id (message-id multisig), default true. */
  messageIds?: boolean;
  /** Sign merkle-root checkpoints at each cut (merkle-root multisig), default false. */
  merkleRoots?: boolean;
  /** Sign one range root per cut (range-checkpoint multisig), default false. */
  ranges?: boolean;
  /** Aligned window size in nonces, 1..1024 (default 100). */
  windowSize?: number;
  /** Final blocks without a next message after which a partial window is cut (default 2). */
  flushBlocks?: number;
};

/** A signature as the validator serves it (one shape, defined next to its consumers in the SDK). */
export type { ValidatorSignature };

const SCHEMA_VERSION = "1";

/** A signed range as the store keeps it. */
export type RangeEntry = {
  first: number;
  last: number;
  root: Hex;
  digest: Hex;
  signature: Hex;
};

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
          PRIMARY KEY (kind, idx, commitment));
        CREATE TABLE IF NOT EXISTS leaves (
          idx INTEGER PRIMARY KEY, id TEXT NOT NULL, block_number INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS leaves_id ON leaves (id);
        CREATE TABLE IF NOT EXISTS ranges (
          first INTEGER PRIMARY KEY, last INTEGER NOT NULL, root TEXT NOT NULL, digest TEXT NOT NULL,
          signature TEXT NOT NULL, signed_at INTEGER NOT NULL);`);
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

  /** Number of signatures (message ids and merkle-root checkpoints) and of refused conflicts. */
  counts(): { signed: number; conflicts: number } {
    const s = this.db.prepare("SELECT COUNT(*) AS n FROM signatures").get() as { n: number };
    const c = this.db.prepare("SELECT COUNT(*) AS n FROM conflicts").get() as { n: number };
    return { signed: Number(s.n), conflicts: Number(c.n) };
  }

  /** Number of signed ranges. */
  rangeCount(): number {
    return Number((this.db.prepare("SELECT COUNT(*) AS n FROM ranges").get() as { n: number }).n);
  }

  private conflict(kind: number, index: number, commitment: string): void {
    this.db
      .prepare("INSERT OR IGNORE INTO conflicts (kind, idx, commitment, seen_at) VALUES (?, ?, ?, ?)")
      .run(kind, index, commitment.toLowerCase(), Date.now());
  }

  /**
   * Records the final messages seen (nonce -> id, write-once) and, when given, the scan cursor, in ONE transaction.
   * A different id at a recorded nonce (a reorg deeper than the finality depth, a faulty RPC) is refused and
   * recorded as a conflict (kind 0): every range and checkpoint is computed from these rows only, so what was
   * signed never changes. Returns the nonces refused.
   */
  recordLeaves(
    leaves: readonly { index: number; id: Hex; blockNumber: bigint }[],
    cursor?: bigint,
  ): number[] {
    const refused: number[] = [];
    this.db.exec("BEGIN IMMEDIATE");
    try {
      if (cursor !== undefined) this.setCursor(cursor);
      for (const leaf of leaves) {
        const id = leaf.id.toLowerCase();
        const row = this.db.prepare("SELECT id FROM leaves WHERE idx = ?").get(leaf.index) as
          { id: string } | undefined;
        if (row && row.id !== id) {
          this.conflict(0, leaf.index, id);
          refused.push(leaf.index);
        } else if (!row)
          this.db
            .prepare("INSERT INTO leaves (idx, id, block_number) VALUES (?, ?, ?)")
            .run(leaf.index, id, Number(leaf.blockNumber));
      }
      this.db.exec("COMMIT");
    } catch (e) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw e;
    }
    return refused;
  }

  /** Recorded leaves from nonce `from` on, in nonce order, at most `limit`. */
  leaves(from: number, limit: number): { idx: number; id: Hex; blockNumber: number }[] {
    const rows = this.db
      .prepare("SELECT idx, id, block_number FROM leaves WHERE idx >= ? ORDER BY idx LIMIT ?")
      .all(from, limit) as { idx: number; id: Hex; block_number: number }[];
    return rows.map((r) => ({ idx: Number(r.idx), id: r.id, blockNumber: Number(r.block_number) }));
  }

  /** The nonce of a recorded message id, if any. */
  leafIndex(id: Hex): number | undefined {
    const row = this.db.prepare("SELECT idx FROM leaves WHERE id = ?").get(id.toLowerCase()) as
      { idx: number } | undefined;
    return row === undefined ? undefined : Number(row.idx);
  }

  /** The smallest recorded nonce (undefined before the first message). */
  firstLeaf(): number | undefined {
    const row = this.db.prepare("SELECT MIN(idx) AS m FROM leaves").get() as { m: number | null };
    return row.m === null ? undefined : Number(row.m);
  }

  /** The last cut (the last nonce covered by a signed range or checkpoint), -1 before the first. */
  lastCut(): number {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'last_cut'").get() as
      { value: string } | undefined;
    return row ? Number(row.value) : -1;
  }

  /** The signed range containing nonce `index`, if any. */
  rangeAt(index: number): RangeEntry | undefined {
    const row = this.db
      .prepare(
        "SELECT first, last, root, digest, signature FROM ranges WHERE first <= ? ORDER BY first DESC LIMIT 1",
      )
      .get(index) as RangeEntry | undefined;
    if (!row || Number(row.last) < index) return undefined;
    return { ...row, first: Number(row.first), last: Number(row.last) };
  }

  /** The first signed checkpoint (kind MERKLE_ROOT) at an index >= `index`, if any. */
  checkpointFrom(index: number): { idx: number; commitment: Hex; digest: Hex; signature: Hex } | undefined {
    const row = this.db
      .prepare(
        "SELECT idx, commitment, digest, signature FROM signatures WHERE kind = ? AND idx >= ? ORDER BY idx LIMIT 1",
      )
      .get(DigestKind.MERKLE_ROOT, index) as
      { idx: number; commitment: Hex; digest: Hex; signature: Hex } | undefined;
    return row ? { ...row, idx: Number(row.idx) } : undefined;
  }

  /**
   * Records one cut in ONE transaction: the range (if given), the checkpoint (if given) and the cut itself. The
   * no-conflict rule for ranges: a range is stored only if its root is the tree over the recorded leaves
   * `first..last` (all present), its (first, last) is new or signed with the same root (idempotent), and it
   * overlaps no other signed range; checkpoints keep the one-row-per-(kind, index) rule. A refused entry is
   * recorded as a conflict and a ConflictingCheckpointError returned: the caller must not release it (it is never
   * served: signatures are served from this store only).
   */
  recordCut(cut: number, range?: RangeEntry, checkpoint?: SignatureEntry): true | ConflictingCheckpointError {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const refused =
        (range ? this.checkRange(range) : undefined) ??
        (checkpoint ? this.checkCheckpoint(checkpoint) : undefined);
      if (refused) {
        this.db.exec("COMMIT");
        return refused;
      }
      if (range && !this.db.prepare("SELECT 1 FROM ranges WHERE first = ?").get(range.first))
        this.db
          .prepare(
            "INSERT INTO ranges (first, last, root, digest, signature, signed_at) VALUES (?, ?, ?, ?, ?, ?)",
          )
          .run(range.first, range.last, range.root.toLowerCase(), range.digest, range.signature, Date.now());
      if (checkpoint && !this.byIndex(checkpoint.kind, checkpoint.index))
        this.db
          .prepare(
            "INSERT INTO signatures (kind, idx, commitment, digest, signature, block_number, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          )
          .run(
            checkpoint.kind,
            checkpoint.index,
            checkpoint.commitment.toLowerCase(),
            checkpoint.digest,
            checkpoint.signature,
            Number(checkpoint.blockNumber),
            Date.now(),
          );
      if (cut > this.lastCut())
        this.db
          .prepare(
            "INSERT INTO meta (key, value) VALUES ('last_cut', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          )
          .run(String(cut));
      this.db.exec("COMMIT");
      return true;
    } catch (e) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw e;
    }
  }

  private checkRange(range: RangeEntry): ConflictingCheckpointError | undefined {
    const root = range.root.toLowerCase();
    const refuse = (why: string) => {
      this.conflict(RANGE_DIGEST_KIND, range.first, `${root}:${range.last}`);
      return new ConflictingCheckpointError(
        `refusing to sign range ${range.first}..${range.last} (${root})`,
        why,
      );
    };
    if (
      !Number.isInteger(range.first) ||
      range.last < range.first ||
      range.last - range.first + 1 > MAX_RANGE_LENGTH
    )
      return refuse("not a valid range");
    const same = this.db.prepare("SELECT last, root FROM ranges WHERE first = ?").get(range.first) as
      { last: number; root: string } | undefined;
    if (same && Number(same.last) === range.last && same.root === root) return undefined;
    if (same) return refuse(`already signed ${same.root} for ${range.first}..${same.last}`);
    const overlap = this.db
      .prepare("SELECT first, last FROM ranges WHERE first <= ? AND last >= ? LIMIT 1")
      .get(range.last, range.first) as { first: number; last: number } | undefined;
    if (overlap) return refuse(`overlaps the signed range ${overlap.first}..${overlap.last}`);
    const leaves = this.leaves(range.first, range.last - range.first + 1);
    if (leaves.length !== range.last - range.first + 1 || leaves.some((l, i) => l.idx !== range.first + i))
      return refuse("not every message of the range is recorded");
    if (rangeTree(leaves.map((l) => l.id)).root !== root)
      return refuse("the root is not the tree of the recorded messages");
    return undefined;
  }

  private checkCheckpoint(entry: SignatureEntry): ConflictingCheckpointError | undefined {
    const existing = this.byIndex(entry.kind, entry.index);
    if (!existing || existing.commitment === entry.commitment.toLowerCase()) return undefined;
    this.conflict(entry.kind, entry.index, entry.commitment);
    return new ConflictingCheckpointError(
      `refusing to sign ${entry.commitment} at index ${entry.index}`,
      `already signed ${existing.commitment} at that index`,
    );
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
  /** What this validator signs (defaults filled in). */
  readonly checkpoints: Required<CheckpointConfig>;
  /** The origin tree over the leaves up to the last cut (merkle-root checkpoints); built lazily from the store. */
  private tree: IncrementalTree | undefined;

  constructor(config: ValidatorConfig, origin: number) {
    if (!isAddress(config.gateway))
      throw new AgentConfigError("gateway", `not an address: ${config.gateway}`);
    if (!Number.isInteger(config.confirmations) || config.confirmations < 0)
      throw new AgentConfigError("confirmations", `must be an integer >= 0, got ${config.confirmations}`);
    const c = config.checkpoints ?? {};
    this.checkpoints = {
      messageIds: c.messageIds ?? true,
      merkleRoots: c.merkleRoots ?? false,
      ranges: c.ranges ?? false,
      windowSize: c.windowSize ?? 100,
      flushBlocks: c.flushBlocks ?? 2,
    };
    const w = this.checkpoints.windowSize;
    if (!Number.isInteger(w) || w < 1 || w > MAX_RANGE_LENGTH)
      throw new AgentConfigError(
        "checkpoints.windowSize",
        `must be an integer in 1..${MAX_RANGE_LENGTH}, got ${w}`,
      );
    const f = this.checkpoints.flushBlocks;
    if (!Number.isInteger(f) || f < 0)
      throw new AgentConfigError("checkpoints.flushBlocks", `must be an integer >= 0, got ${f}`);
    if (!this.checkpoints.messageIds && !this.checkpoints.merkleRoots && !this.checkpoints.ranges)
      throw new AgentConfigError("checkpoints", "signs nothing: enable messageIds, merkleRoots or ranges");
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
      const leaves: { index: number; id: Hex; blockNumber: bigint }[] = [];
      for (const log of logs) {
        const leaf = this.check(log.args.message, log.args.messageId);
        if (!leaf) continue;
        if (this.cutting) leaves.push({ ...leaf, blockNumber: log.blockNumber });
        if (!this.checkpoints.messageIds) continue;
        const entry = await this.attest(leaf.id, leaf.index, log.blockNumber);
        if (entry) entries.push(entry);
      }
      if (this.cutting) {
        // The leaves first (with the cursor when no message id is signed): cuts read them from the store.
        for (const index of this.store.recordLeaves(
          leaves,
          this.checkpoints.messageIds ? undefined : page.toBlock,
        ))
          this.logger.error("conflicting message at a recorded nonce: refused", { index });
      }
      // One transaction for the page; signatures are served from the store only, so only after this commit.
      const results = this.checkpoints.messageIds ? this.store.recordMany(entries, page.toBlock) : [];
      for (const [i, result] of results.entries()) {
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
    if (this.cutting) signed += await this.cut();
    return signed;
  }

  private get cutting(): boolean {
    return this.checkpoints.ranges || this.checkpoints.merkleRoots;
  }

  /**
   * Signs every cut now due (see {@link CheckpointConfig}): from the last cut on, the next window end if every
   * message up to it is recorded, else the last recorded message once `flushBlocks` scanned blocks followed its
   * block. Reads only recorded (final) leaves and the scan cursor, so the cuts do not depend on when it runs.
   */
  private async cut(): Promise<number> {
    const { windowSize, flushBlocks, ranges, merkleRoots } = this.checkpoints;
    const scanned = Number(this.store.cursor() ?? -1n);
    let signed = 0;
    for (;;) {
      const lastCut = this.store.lastCut();
      const first = Math.max(lastCut + 1, lastCut === -1 ? (this.store.firstLeaf() ?? 0) : 0);
      const windowEnd = Math.floor(first / windowSize) * windowSize + windowSize - 1;
      const leaves = this.store.leaves(first, windowEnd - first + 1);
      let n = 0;
      while (n < leaves.length && leaves[n]!.idx === first + n) n++;
      if (n === 0) return signed;
      const last = first + n - 1;
      if (last !== windowEnd && scanned < leaves[n - 1]!.blockNumber + flushBlocks) return signed;
      const ids = leaves.slice(0, n).map((l) => l.id);
      let range: RangeEntry | undefined;
      if (ranges) {
        const root = rangeTree(ids).root;
        const digest = rangeDigest({
          origin: this.origin,
          originGateway: this.config.gateway,
          rangeRoot: root,
          first,
          last,
        });
        range = { first, last, root, digest, signature: (await signDigest(this.signer, digest)).signature };
      }
      let checkpoint: SignatureEntry | undefined;
      if (merkleRoots) {
        const tree = this.treeAt(lastCut);
        if (tree) {
          for (const id of ids) tree.insert(id);
          const root = tree.root();
          const digest = merkleRootDigest({
            origin: this.origin,
            originGateway: this.config.gateway,
            root,
            index: last,
          });
          checkpoint = {
            kind: DigestKind.MERKLE_ROOT,
            index: last,
            commitment: root,
            digest,
            signature: (await signDigest(this.signer, digest)).signature,
            blockNumber: BigInt(leaves[n - 1]!.blockNumber),
          };
        }
      }
      // Nothing to sign at this cut (merkle roots only, and the tree cannot be built): do not move past it.
      if (!range && !checkpoint) return signed;
      const result = this.store.recordCut(last, range, checkpoint);
      if (result !== true) {
        this.tree = undefined;
        this.logger.error("conflicting checkpoint refused; cuts stop here", {
          first,
          last,
          error: result.shortMessage,
        });
        return signed;
      }
      signed += (range ? 1 : 0) + (checkpoint ? 1 : 0);
    }
  }

  /** The origin tree over nonces 0..lastCut (rebuilt from the store once); undefined if the store lacks nonce 0. */
  private treeAt(lastCut: number): IncrementalTree | undefined {
    if (this.tree && this.tree.size === lastCut + 1) return this.tree;
    if ((this.store.firstLeaf() ?? 0) !== 0) {
      this.logger.error(
        "merkle-root checkpoints need every message from nonce 0: set fromBlock to the gateway's deploy block",
      );
      return undefined;
    }
    const tree = new IncrementalTree();
    for (let from = 0; from <= lastCut; from += 10_000)
      for (const l of this.store.leaves(from, Math.min(10_000, lastCut + 1 - from))) tree.insert(l.id);
    if (tree.size !== lastCut + 1) return undefined;
    this.tree = tree;
    return tree;
  }

  /**
   * Checks one message and signs it, unless it is already signed; returns the entry to record. A message that
   * conflicts with a signed one at its nonce is returned with an empty signature: `recordMany` refuses it and
   * records the conflict, and the conflicting digest is never signed.
   */
  private async attest(id: Hex, nonce: number, blockNumber: bigint): Promise<SignatureEntry | undefined> {
    if (this.store.byCommitment(DigestKind.MESSAGE_ID, id)) return undefined;
    const digest = messageIdDigest({
      origin: this.origin,
      originGateway: this.config.gateway,
      messageId: id,
      nonce,
    });
    const entry = {
      kind: DigestKind.MESSAGE_ID,
      index: nonce,
      commitment: id,
      digest,
      signature: "0x" as Hex,
      blockNumber,
    };
    const existing = this.store.byIndex(DigestKind.MESSAGE_ID, nonce);
    if (existing && existing.commitment !== id) return entry;
    const { signature } = await signDigest(this.signer, digest);
    return { ...entry, signature };
  }

  /** The id and nonce of a Dispatched message, or undefined (logged) if the event is malformed. */
  private check(message: Hex, claimedId: Hex): { id: Hex; index: number } | undefined {
    const id = keccak256(message);
    const decoded = decodeMessage(message);
    if (id !== claimedId.toLowerCase() || decoded.origin !== this.origin) {
      this.logger.error("malformed Dispatched event, not signed", { claimedId, id, origin: decoded.origin });
      return undefined;
    }
    return { id, index: decoded.nonce };
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

  /**
   * The signature covering `messageId` of `kind`, if this validator signed one: the message id itself (kind 1),
   * the first checkpoint at or after its nonce (kind 2: `index` = the checkpoint's index, `root`), or the range
   * containing it (kind 3: `index` = `first`, with `first`, `last`, `root`). `messageId` is always the one asked.
   */
  signature(messageId: Hex, kind: number = DigestKind.MESSAGE_ID): ValidatorSignature | undefined {
    const id = messageId.toLowerCase() as Hex;
    const base = {
      validator: this.address,
      messageId: id,
      origin: this.origin,
      originGateway: getAddress(this.config.gateway),
    };
    if (kind === DigestKind.MERKLE_ROOT || kind === RANGE_DIGEST_KIND) {
      const nonce = this.store.leafIndex(id);
      if (nonce === undefined) return undefined;
      if (kind === RANGE_DIGEST_KIND) {
        const range = this.store.rangeAt(nonce);
        if (!range) return undefined;
        return {
          ...base,
          kind,
          index: range.first,
          signature: range.signature,
          digest: range.digest,
          first: range.first,
          last: range.last,
          root: range.root,
        };
      }
      const cp = this.store.checkpointFrom(nonce);
      if (!cp) return undefined;
      return {
        ...base,
        kind,
        index: cp.idx,
        signature: cp.signature,
        digest: cp.digest,
        root: cp.commitment,
      };
    }
    if (kind !== DigestKind.MESSAGE_ID) return undefined;
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
      let kind: unknown;
      try {
        ({ messageIds: ids, kind } = JSON.parse(body) as { messageIds?: unknown; kind?: unknown });
      } catch {
        return { status: 400, body: { error: "body must be JSON {messageIds: [...], kind?: 1 | 2 | 3}" } };
      }
      kind ??= DigestKind.MESSAGE_ID;
      if (kind !== DigestKind.MESSAGE_ID && kind !== DigestKind.MERKLE_ROOT && kind !== RANGE_DIGEST_KIND)
        return { status: 400, body: { error: "kind must be 1 (message id), 2 (merkle root) or 3 (range)" } };
      if (
        !Array.isArray(ids) ||
        ids.length > 1000 ||
        !ids.every((i) => typeof i === "string" && /^0x[0-9a-fA-F]{64}$/.test(i))
      )
        return {
          status: 400,
          body: { error: "messageIds must be an array of at most 1000 32-byte hex ids" },
        };
      const signatures = (ids as Hex[])
        .map((i) => this.signature(i, kind as number))
        .filter((s) => s !== undefined);
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
            name: "concord_validator_ranges",
            help: "Range checkpoints signed (stored).",
            type: "gauge",
            samples: [{ labels, value: this.store.rangeCount() }],
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
