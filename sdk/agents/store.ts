// The relayer's persistent record of every message: interface, types and one SQL implementation shared by the
// SQLite (default, one relayer) and PostgreSQL (several relayers on shared work) back ends.
import type { Hex } from "viem";

/**
 * Relayer-side lifecycle of a message:
 * SEEN (indexed on the origin) -> SIGNED (quorum of validator signatures, metadata built) -> SUBMITTED (a delivery
 * transaction was signed and recorded, then broadcast) -> DELIVERED (the destination gateway recorded it; the
 * recipient's own outcome is in `outcome`). FAILED: given up (delivery attempts exhausted).
 * ORPHANED: its origin block left the canonical chain before finality; never delivered.
 * UNDELIVERABLE: parked, `error` says why: the relayer cannot deliver it now (its destination is not served, the
 * destination has no route for its origin, the destination verifier is a type this relayer builds no metadata for,
 * the gateway refuses it for a reason retrying soon cannot fix). A parked message blocks nothing; it is re-checked
 * at `nextAttemptAt` (back-off growing per park, see RelayerConfig.undeliverable) and at every start, and goes back
 * to SEEN when the reason is gone. A message to a destination this relayer does not serve is re-checked only at a
 * start whose configuration serves it.
 */
export type MessageStatus =
  "SEEN" | "SIGNED" | "SUBMITTED" | "DELIVERED" | "FAILED" | "ORPHANED" | "UNDELIVERABLE";

/**
 * The relayer's automatic retry of a message delivered FAILED (RelayerConfig.retryFailed): PENDING (due for an
 * evaluation at `nextAt`), SUBMITTED (a retry transaction is recorded and in flight), DONE (stopped: executed, or
 * `note` says why not). null: not scheduled (EXECUTED outcome, or auto-retry off when it was delivered).
 */
export type RetryState = "PENDING" | "SUBMITTED" | "DONE";

/** One automatic retry attempt of a FAILED message. */
export type RetryAttempt = {
  messageId: Hex;
  /** 1, 2, ... */
  attempt: number;
  at: number;
  /** Gas given to the recipient (`retry(message, gasLimit)`). */
  gasLimit: number;
  /** The recipient's estimated need (eth_estimateGas of receiveMessage from the gateway, minus intrinsic gas). */
  estimate: number | null;
  /** Transactions sent for the attempt (replacements included), last one last. */
  txs: Hex[];
  /** The mined transaction. */
  txHash: Hex | null;
  gasUsed: number | null;
  /** EXECUTED / FAILED (the Retried event), REVERTED (the transaction), NOT_SENT (refused before sending), LOST. */
  outcome: "EXECUTED" | "FAILED" | "REVERTED" | "NOT_SENT" | "LOST" | null;
  detail: string | null;
};

/** A message as the indexer found it. */
export type SeenMessage = {
  id: Hex;
  origin: number;
  destination: number;
  nonce: number;
  message: Hex;
  blockNumber: number;
  blockHash: Hex;
  txHash: Hex;
  /** Set when the message cannot be delivered by this relayer at all: stored UNDELIVERABLE with this reason. */
  undeliverable?: string;
};

/** One row of the store. Times are ms since the epoch. */
export type MessageRecord = SeenMessage & {
  status: MessageStatus;
  /** Origin block is at least `confirmations` deep and was still canonical when checked. */
  final: boolean;
  metadata: Hex | null;
  attempts: number;
  nextAttemptAt: number;
  /** Hashes of the delivery transactions sent (replacements included), last one last. */
  submitTxs: Hex[];
  submitNonce: number | null;
  deliverTx: Hex | null;
  /** Destination outcome once DELIVERED: the recipient accepted it (EXECUTED) or reverted (FAILED, retryable). */
  outcome: "EXECUTED" | "FAILED" | null;
  error: string | null;
  claimedBy: string | null;
  leaseUntil: number | null;
  seenAt: number;
  signedAt: number | null;
  submittedAt: number | null;
  deliveredAt: number | null;
  updatedAt: number;
  /** How often it was parked UNDELIVERABLE (drives the re-check back-off). */
  parkCount: number;
  /** Automatic retry of a FAILED outcome. */
  retry: { state: RetryState | null; attempts: number; nextAt: number | null; note: string | null };
};

/** What a lifecycle event records: a status transition, or a step of an automatic retry. */
export type LifecycleStatus = MessageStatus | "RETRY_SUBMITTED" | "RETRIED" | "RETRY_DONE";

/** One lifecycle transition. */
export type LifecycleEvent = {
  messageId: Hex;
  status: LifecycleStatus;
  at: number;
  txHash: Hex | null;
  detail: string | null;
};

/** What an automatic retry attempt sends: its number, the recipient's gas, the estimate it came from. */
export type RetryPlan = { attempt: number; gasLimit: number; estimate: number | null };

/** How an automatic retry attempt ended. */
export type RetryResult = {
  outcome: NonNullable<RetryAttempt["outcome"]>;
  txHash?: Hex | null;
  gasUsed?: number | null;
  detail?: string | null;
};

/** Persistence the relayer needs; both back ends implement it with the same SQL. */
export interface RelayerStore {
  readonly kind: "sqlite" | "postgres";
  init(): Promise<void>;
  close(): Promise<void>;
  /** Last origin block indexed to the end (null before the first pass). */
  getCursor(origin: number): Promise<number | null>;
  setCursor(origin: number, block: number): Promise<void>;
  /**
   * Inserts new messages as SEEN (idempotent). A known, not yet final message seen again gets its block
   * updated (re-included after a reorg), and an ORPHANED one seen again on the canonical chain becomes SEEN.
   * `final`: the origin has no finality depth (confirmations 0), so new rows are final at once.
   * Returns how many were new.
   */
  upsertSeen(messages: readonly SeenMessage[], now: number, final?: boolean): Promise<number>;
  /** Non-final SEEN/SIGNED messages of `origin` (for the reorg check). */
  unfinal(origin: number): Promise<MessageRecord[]>;
  markFinal(ids: readonly Hex[], now: number): Promise<void>;
  markOrphaned(ids: readonly Hex[], now: number, detail: string): Promise<void>;
  /**
   * Final SEEN (and parked UNDELIVERABLE) messages of `origin` to one of `destinations`, due for a signature
   * attempt (or a re-check), least recently tried first.
   */
  awaitingSignatures(
    origin: number,
    destinations: readonly number[],
    limit: number,
    now: number,
  ): Promise<MessageRecord[]>;
  /** Parks `id` UNDELIVERABLE with `reason` until `nextCheckAt` (claim and metadata dropped). */
  park(id: Hex, reason: string, nextCheckAt: number, now: number): Promise<void>;
  /** Parked messages to one of `destinations` go back to SEEN, due now (a start re-checks them once). */
  reviveParked(destinations: readonly number[], now: number): Promise<number>;
  /** Parked messages, most recently parked first. */
  parked(limit: number): Promise<MessageRecord[]>;
  /**
   * Postpones the next signature/delivery attempt of `id`; with `unpark`, a parked message whose re-check passed
   * goes back to SEEN.
   */
  postpone(id: Hex, nextAttemptAt: number, error: string | null, unpark?: boolean): Promise<void>;
  setSigned(id: Hex, metadata: Hex, now: number): Promise<void>;
  /**
   * Atomically claims up to `limit` due SIGNED messages (and SUBMITTED ones whose lease expired, a crashed
   * relayer's, or that `instance` itself submitted before a restart) for `destination`, leasing them to
   * `instance` until `now + leaseMs`. Each destination is served by one delivery loop per instance, which skips
   * the SUBMITTED rows it claims while their transaction is still in flight (it tracks those in memory).
   */
  claim(
    destination: number,
    instance: string,
    limit: number,
    leaseMs: number,
    now: number,
  ): Promise<MessageRecord[]>;
  /** Records (before broadcast) a delivery transaction for `ids`; replacements append to `submitTxs`. */
  setSubmitted(ids: readonly Hex[], txHash: Hex, nonce: number, now: number): Promise<void>;
  /** DELIVERED with the recipient's outcome; a FAILED outcome gets an automatic retry due at `retryAt` if given. */
  setDelivered(
    id: Hex,
    txHash: Hex | null,
    outcome: "EXECUTED" | "FAILED",
    now: number,
    detail?: string,
    retryAt?: number,
  ): Promise<void>;
  /** Atomically claims up to `limit` DELIVERED messages of `destination` whose automatic retry is due. */
  claimRetries(
    destination: number,
    instance: string,
    limit: number,
    leaseMs: number,
    now: number,
  ): Promise<MessageRecord[]>;
  /** Records (before broadcast) a retry transaction of attempt `attempt` (the first one creates the attempt). */
  recordRetryTx(id: Hex, attempt: RetryPlan, txHash: Hex, now: number): Promise<void>;
  /** Records an attempt's end (mined, refused before sending, or lost). */
  settleRetryAttempt(id: Hex, attempt: RetryPlan, result: RetryResult, now: number): Promise<void>;
  /** Next automatic-retry state (claim released): PENDING due at `nextAt`, or DONE (`executed`: outcome EXECUTED). */
  setRetryState(
    id: Hex,
    state: "PENDING" | "DONE",
    nextAt: number | null,
    note: string,
    now: number,
    executed?: boolean,
  ): Promise<void>;
  retryAttempts(id: Hex): Promise<RetryAttempt[]>;
  /**
   * Another attempt at `nextAttemptAt` (claim released): back to SEEN with the metadata dropped, so the signatures
   * are collected (and this time verified one by one) again; or FAILED when `giveUp`.
   */
  retryLater(id: Hex, error: string, nextAttemptAt: number, giveUp: boolean, now: number): Promise<void>;
  /** Releases the claim on `id` until `nextAttemptAt`, status and attempts unchanged (the chain did not answer). */
  release(id: Hex, nextAttemptAt: number, error: string): Promise<void>;
  /** Runs `fn` as one transaction (nested calls join it): many small updates, one commit. */
  atomically<T>(fn: () => Promise<T>): Promise<T>;
  setFailed(id: Hex, error: string, now: number): Promise<void>;
  get(id: Hex): Promise<MessageRecord | undefined>;
  /**
   * Not orphaned messages of `origin` with nonces `first..last`, in nonce order, one per nonce (a final one first):
   * the relayer's copy of the origin's messages, for checkpoint proofs checked against a signed root.
   */
  idsByNonce(
    origin: number,
    first: number,
    last: number,
  ): Promise<{ nonce: number; id: Hex; final: boolean; status: MessageStatus }[]>;
  events(id: Hex): Promise<LifecycleEvent[]>;
  countByStatus(): Promise<Record<MessageStatus, number>>;
}

// ---------------------------------------------------------------------------------------------------------------

/** The SQL dialect bits that differ. Queries use `$1, $2, ...` placeholders in both. */
export type SqlDriver = {
  kind: "sqlite" | "postgres";
  query: (sql: string, params?: readonly unknown[]) => Promise<Record<string, unknown>[]>;
  exec: (sql: string) => Promise<void>;
  /** Runs `fn` in one transaction; a call made inside `fn` joins the open transaction. */
  transaction: <T>(fn: () => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
};

/** Version 1 tables; later versions are migrations on top (MIGRATIONS), so an existing store upgrades in place. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS concord_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS concord_cursors (origin BIGINT PRIMARY KEY, block BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS concord_messages (
  id TEXT PRIMARY KEY, origin BIGINT NOT NULL, destination BIGINT NOT NULL, nonce BIGINT NOT NULL,
  message TEXT NOT NULL, block_number BIGINT NOT NULL, block_hash TEXT NOT NULL, tx_hash TEXT NOT NULL,
  status TEXT NOT NULL, is_final INTEGER NOT NULL DEFAULT 0, metadata TEXT, attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL DEFAULT 0, submit_txs TEXT NOT NULL DEFAULT '', submit_nonce BIGINT,
  deliver_tx TEXT, outcome TEXT, error TEXT, claimed_by TEXT, lease_until BIGINT,
  seen_at BIGINT NOT NULL, signed_at BIGINT, submitted_at BIGINT, delivered_at BIGINT, updated_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS concord_messages_work ON concord_messages (status, destination, next_attempt_at);
CREATE INDEX IF NOT EXISTS concord_messages_origin ON concord_messages (origin, status, is_final);
CREATE INDEX IF NOT EXISTS concord_messages_nonce ON concord_messages (origin, nonce);
CREATE TABLE IF NOT EXISTS concord_events (
  message_id TEXT NOT NULL, status TEXT NOT NULL, at BIGINT NOT NULL, tx_hash TEXT, detail TEXT);
CREATE INDEX IF NOT EXISTS concord_events_id ON concord_events (message_id);
`;

/** MIGRATIONS[v] brings a version-v store to version v + 1 (one transaction each). */
const MIGRATIONS: Record<number, string[]> = {
  // 2: parked (UNDELIVERABLE) messages and automatic retries of FAILED outcomes.
  1: [
    "ALTER TABLE concord_messages ADD COLUMN park_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE concord_messages ADD COLUMN retry_state TEXT",
    "ALTER TABLE concord_messages ADD COLUMN retry_attempts INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE concord_messages ADD COLUMN retry_next_at BIGINT",
    "ALTER TABLE concord_messages ADD COLUMN retry_note TEXT",
    "CREATE INDEX IF NOT EXISTS concord_messages_retry ON concord_messages (retry_state, destination, retry_next_at)",
    `CREATE TABLE IF NOT EXISTS concord_retries (
       message_id TEXT NOT NULL, attempt INTEGER NOT NULL, at BIGINT NOT NULL, gas_limit BIGINT NOT NULL,
       estimate BIGINT, txs TEXT NOT NULL DEFAULT '', tx_hash TEXT, gas_used BIGINT, outcome TEXT, detail TEXT,
       PRIMARY KEY (message_id, attempt))`,
  ],
};
/** The store schema this code reads and writes. */
export const STORE_SCHEMA_VERSION = 2;

/** `next_attempt_at` of a message parked until a restart re-checks it (its destination is not served). */
export const PARKED_UNTIL_RESTART = Number.MAX_SAFE_INTEGER;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toRecord(r: Record<string, unknown>): MessageRecord {
  return {
    id: r.id as Hex,
    origin: num(r.origin),
    destination: num(r.destination),
    nonce: num(r.nonce),
    message: r.message as Hex,
    blockNumber: num(r.block_number),
    blockHash: r.block_hash as Hex,
    txHash: r.tx_hash as Hex,
    status: r.status as MessageStatus,
    final: num(r.is_final) === 1,
    metadata: (r.metadata as Hex | null) ?? null,
    attempts: num(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    submitTxs: ((r.submit_txs as string) || "").split(",").filter(Boolean) as Hex[],
    submitNonce: numOrNull(r.submit_nonce),
    deliverTx: (r.deliver_tx as Hex | null) ?? null,
    outcome: (r.outcome as "EXECUTED" | "FAILED" | null) ?? null,
    error: (r.error as string | null) ?? null,
    claimedBy: (r.claimed_by as string | null) ?? null,
    leaseUntil: numOrNull(r.lease_until),
    seenAt: num(r.seen_at),
    signedAt: numOrNull(r.signed_at),
    submittedAt: numOrNull(r.submitted_at),
    deliveredAt: numOrNull(r.delivered_at),
    updatedAt: num(r.updated_at),
    parkCount: num(r.park_count),
    retry: {
      state: (r.retry_state as RetryState | null) ?? null,
      attempts: num(r.retry_attempts),
      nextAt: numOrNull(r.retry_next_at),
      note: (r.retry_note as string | null) ?? null,
    },
  };
}

function toAttempt(r: Record<string, unknown>): RetryAttempt {
  return {
    messageId: r.message_id as Hex,
    attempt: num(r.attempt),
    at: num(r.at),
    gasLimit: num(r.gas_limit),
    estimate: numOrNull(r.estimate),
    txs: ((r.txs as string) || "").split(",").filter(Boolean) as Hex[],
    txHash: (r.tx_hash as Hex | null) ?? null,
    gasUsed: numOrNull(r.gas_used),
    outcome: (r.outcome as RetryAttempt["outcome"]) ?? null,
    detail: (r.detail as string | null) ?? null,
  };
}

/** `$first, $first+1, ...` placeholders for an IN list of `n` values. */
const placeholders = (first: number, n: number): string =>
  Array.from({ length: n }, (_, i) => `$${first + i}`).join(", ");

const STATUSES: MessageStatus[] = [
  "SEEN",
  "SIGNED",
  "SUBMITTED",
  "DELIVERED",
  "FAILED",
  "ORPHANED",
  "UNDELIVERABLE",
];

/** The RelayerStore over a SqlDriver (the same statements run on SQLite and PostgreSQL). */
export class SqlRelayerStore implements RelayerStore {
  readonly kind: "sqlite" | "postgres";
  protected readonly db: SqlDriver;

  constructor(driver: SqlDriver) {
    this.db = driver;
    this.kind = driver.kind;
  }

  async init(): Promise<void> {
    await this.db.exec(SCHEMA);
    const rows = await this.db.query("SELECT value FROM concord_meta WHERE key = 'schema_version'");
    let version = rows.length === 0 ? 1 : Number(rows[0]!.value);
    if (rows.length === 0)
      await this.db.query(
        "INSERT INTO concord_meta (key, value) VALUES ('schema_version', '1') ON CONFLICT (key) DO NOTHING",
      );
    if (!Number.isInteger(version) || version < 1 || version > STORE_SCHEMA_VERSION)
      throw new Error(
        `relayer store schema ${String(rows[0]?.value)}, this relayer reads up to ${STORE_SCHEMA_VERSION}`,
      );
    while (version < STORE_SCHEMA_VERSION) {
      const steps = MIGRATIONS[version]!;
      const next = version + 1;
      await this.db.transaction(async () => {
        for (const step of steps) await this.db.exec(step);
        await this.db.query("UPDATE concord_meta SET value = $1 WHERE key = 'schema_version'", [
          String(next),
        ]);
      });
      version = next;
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private async event(
    id: Hex,
    status: LifecycleStatus,
    at: number,
    txHash: Hex | null,
    detail: string | null,
  ) {
    await this.db.query(
      "INSERT INTO concord_events (message_id, status, at, tx_hash, detail) VALUES ($1, $2, $3, $4, $5)",
      [id, status, at, txHash, detail],
    );
  }

  async getCursor(origin: number): Promise<number | null> {
    const rows = await this.db.query("SELECT block FROM concord_cursors WHERE origin = $1", [origin]);
    return rows.length ? num(rows[0]!.block) : null;
  }

  async setCursor(origin: number, block: number): Promise<void> {
    await this.db.query(
      "INSERT INTO concord_cursors (origin, block) VALUES ($1, $2) ON CONFLICT (origin) DO UPDATE SET block = excluded.block",
      [origin, block],
    );
  }

  async upsertSeen(messages: readonly SeenMessage[], now: number, final = false): Promise<number> {
    if (messages.length === 0) return 0;
    return this.db.transaction(async () => {
      let inserted = 0;
      for (const m of messages) {
        const id = m.id.toLowerCase() as Hex;
        const parked = m.undeliverable !== undefined;
        const rows = await this.db.query(
          `INSERT INTO concord_messages (id, origin, destination, nonce, message, block_number, block_hash, tx_hash,
             status, seen_at, updated_at, is_final, error, next_attempt_at, park_count)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $11, $9, $9, $10, $12, $13, $14)
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [
            id,
            m.origin,
            m.destination,
            m.nonce,
            m.message,
            m.blockNumber,
            m.blockHash,
            m.txHash,
            now,
            final ? 1 : 0,
            parked ? "UNDELIVERABLE" : "SEEN",
            parked ? m.undeliverable!.slice(0, 500) : null,
            parked ? PARKED_UNTIL_RESTART : 0,
            parked ? 1 : 0,
          ],
        );
        if (rows.length) {
          inserted++;
          await this.event(id, "SEEN", now, m.txHash, `origin block ${m.blockNumber}`);
          if (parked) await this.event(id, "UNDELIVERABLE", now, null, m.undeliverable!.slice(0, 200));
          continue;
        }
        // Known: re-included after a reorg (new block), or revived from ORPHANED.
        const revived = await this.db.query(
          `UPDATE concord_messages SET block_number = $2, block_hash = $3, tx_hash = $4, updated_at = $5,
             status = CASE WHEN status = 'ORPHANED' THEN 'SEEN' ELSE status END
           WHERE id = $1 AND is_final = 0 AND block_hash <> $3 AND status IN ('SEEN', 'SIGNED', 'ORPHANED')
           RETURNING status`,
          [id, m.blockNumber, m.blockHash, m.txHash, now],
        );
        if (revived.length)
          await this.event(
            id,
            revived[0]!.status as MessageStatus,
            now,
            m.txHash,
            `re-included in block ${m.blockNumber}`,
          );
      }
      return inserted;
    });
  }

  async unfinal(origin: number): Promise<MessageRecord[]> {
    const rows = await this.db.query(
      "SELECT * FROM concord_messages WHERE origin = $1 AND is_final = 0 AND status IN ('SEEN', 'SIGNED') ORDER BY nonce",
      [origin],
    );
    return rows.map(toRecord);
  }

  async markFinal(ids: readonly Hex[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction(async () => {
      for (const id of ids)
        await this.db.query("UPDATE concord_messages SET is_final = 1, updated_at = $2 WHERE id = $1", [
          id,
          now,
        ]);
    });
  }

  async markOrphaned(ids: readonly Hex[], now: number, detail: string): Promise<void> {
    await this.db.transaction(async () => {
      for (const id of ids) {
        const rows = await this.db.query(
          "UPDATE concord_messages SET status = 'ORPHANED', error = $3, updated_at = $2 WHERE id = $1 AND is_final = 0 AND status IN ('SEEN', 'SIGNED') RETURNING id",
          [id, now, detail],
        );
        if (rows.length) await this.event(id, "ORPHANED", now, null, detail);
      }
    });
  }

  async awaitingSignatures(
    origin: number,
    destinations: readonly number[],
    limit: number,
    now: number,
  ): Promise<MessageRecord[]> {
    if (destinations.length === 0) return [];
    const rows = await this.db.query(
      `SELECT * FROM concord_messages WHERE origin = $1 AND status IN ('SEEN', 'UNDELIVERABLE') AND is_final = 1
         AND next_attempt_at <= $2 AND destination IN (${placeholders(4, destinations.length)})
       ORDER BY next_attempt_at, nonce LIMIT $3`,
      [origin, now, limit, ...destinations],
    );
    return rows.map(toRecord);
  }

  async park(id: Hex, reason: string, nextCheckAt: number, now: number): Promise<void> {
    const text = reason.slice(0, 500);
    await this.db.transaction(async () => {
      const before = await this.db.query("SELECT status, error FROM concord_messages WHERE id = $1", [id]);
      const rows = await this.db.query(
        `UPDATE concord_messages SET status = 'UNDELIVERABLE', error = $2, next_attempt_at = $3,
           park_count = park_count + 1, metadata = NULL, claimed_by = NULL, lease_until = NULL, updated_at = $4
         WHERE id = $1 AND status NOT IN ('DELIVERED', 'ORPHANED') RETURNING id`,
        [id, text, nextCheckAt, now],
      );
      // One event per new reason, not one per re-check.
      if (rows.length && (before[0]?.status !== "UNDELIVERABLE" || before[0]?.error !== text))
        await this.event(id, "UNDELIVERABLE", now, null, reason.slice(0, 200));
    });
  }

  async reviveParked(destinations: readonly number[], now: number): Promise<number> {
    if (destinations.length === 0) return 0;
    const rows = await this.db.query(
      `UPDATE concord_messages SET status = 'SEEN', next_attempt_at = 0, updated_at = $1
       WHERE status = 'UNDELIVERABLE' AND destination IN (${placeholders(2, destinations.length)}) RETURNING id`,
      [now, ...destinations],
    );
    return rows.length;
  }

  async parked(limit: number): Promise<MessageRecord[]> {
    const rows = await this.db.query(
      "SELECT * FROM concord_messages WHERE status = 'UNDELIVERABLE' ORDER BY updated_at DESC LIMIT $1",
      [limit],
    );
    return rows.map(toRecord);
  }

  async postpone(id: Hex, nextAttemptAt: number, error: string | null, unpark = false): Promise<void> {
    await this.db.transaction(async () => {
      const before = await this.db.query("SELECT status FROM concord_messages WHERE id = $1", [id]);
      const revive = unpark && before[0]?.status === "UNDELIVERABLE";
      await this.db.query(
        `UPDATE concord_messages SET next_attempt_at = $2, error = $3,
           status = CASE WHEN $4 = 1 THEN 'SEEN' ELSE status END WHERE id = $1`,
        [id, nextAttemptAt, error, revive ? 1 : 0],
      );
      if (revive) await this.event(id, "SEEN", Date.now(), null, "re-checked: deliverable again");
    });
  }

  async setSigned(id: Hex, metadata: Hex, now: number): Promise<void> {
    const rows = await this.db.query(
      "UPDATE concord_messages SET status = 'SIGNED', metadata = $2, signed_at = $3, updated_at = $3, next_attempt_at = 0, error = NULL WHERE id = $1 AND status IN ('SEEN', 'UNDELIVERABLE') AND is_final = 1 RETURNING id",
      [id, metadata, now],
    );
    if (rows.length) await this.event(id, "SIGNED", now, null, null);
  }

  async claim(
    destination: number,
    instance: string,
    limit: number,
    leaseMs: number,
    now: number,
  ): Promise<MessageRecord[]> {
    const due = `SELECT id FROM concord_messages WHERE destination = $1 AND next_attempt_at <= $2 AND (
        (status = 'SIGNED' AND (lease_until IS NULL OR lease_until < $2 OR claimed_by = $4))
        OR (status = 'SUBMITTED' AND (lease_until IS NULL OR lease_until < $2 OR claimed_by = $4)))
      ORDER BY origin, nonce LIMIT $3`;
    const lock = this.kind === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
    const rows = await this.db.query(
      `UPDATE concord_messages SET claimed_by = $4, lease_until = $5 WHERE id IN (${due}${lock}) RETURNING *`,
      [destination, now, limit, instance, now + leaseMs],
    );
    return rows.map(toRecord).sort((a, b) => a.origin - b.origin || a.nonce - b.nonce);
  }

  async setSubmitted(ids: readonly Hex[], txHash: Hex, nonce: number, now: number): Promise<void> {
    await this.db.transaction(async () => {
      for (const id of ids) {
        await this.db.query(
          `UPDATE concord_messages SET status = 'SUBMITTED', submit_txs = CASE WHEN submit_txs = '' THEN CAST($2 AS TEXT) ELSE submit_txs || ',' || CAST($2 AS TEXT) END,
             submit_nonce = $3, submitted_at = $4, updated_at = $4 WHERE id = $1`,
          [id, txHash, nonce, now],
        );
        await this.event(id, "SUBMITTED", now, txHash, `nonce ${nonce}`);
      }
    });
  }

  async setDelivered(
    id: Hex,
    txHash: Hex | null,
    outcome: "EXECUTED" | "FAILED",
    now: number,
    detail?: string,
    retryAt?: number,
  ): Promise<void> {
    const retry = outcome === "FAILED" && retryAt !== undefined;
    const rows = await this.db.query(
      `UPDATE concord_messages SET status = 'DELIVERED', deliver_tx = $2, outcome = $3, delivered_at = $4, updated_at = $4,
         claimed_by = NULL, lease_until = NULL, error = NULL,
         retry_state = CASE WHEN $5 = 1 AND retry_state IS NULL THEN 'PENDING' ELSE retry_state END,
         retry_next_at = CASE WHEN $5 = 1 AND retry_state IS NULL THEN $6 ELSE retry_next_at END
       WHERE id = $1 AND status <> 'DELIVERED' RETURNING id`,
      [id, txHash, outcome, now, retry ? 1 : 0, retryAt ?? null],
    );
    if (rows.length) await this.event(id, "DELIVERED", now, txHash, detail ?? `recipient ${outcome}`);
  }

  async claimRetries(
    destination: number,
    instance: string,
    limit: number,
    leaseMs: number,
    now: number,
  ): Promise<MessageRecord[]> {
    const due = `SELECT id FROM concord_messages WHERE destination = $1 AND status = 'DELIVERED'
        AND retry_state IN ('PENDING', 'SUBMITTED') AND retry_next_at <= $2
        AND (lease_until IS NULL OR lease_until < $2 OR claimed_by = $4)
      ORDER BY retry_next_at LIMIT $3`;
    const lock = this.kind === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
    const rows = await this.db.query(
      `UPDATE concord_messages SET claimed_by = $4, lease_until = $5 WHERE id IN (${due}${lock}) RETURNING *`,
      [destination, now, limit, instance, now + leaseMs],
    );
    return rows.map(toRecord);
  }

  async recordRetryTx(id: Hex, attempt: RetryPlan, txHash: Hex, now: number): Promise<void> {
    await this.db.transaction(async () => {
      const added = await this.db.query(
        `UPDATE concord_retries SET txs = txs || ',' || CAST($3 AS TEXT) WHERE message_id = $1 AND attempt = $2
         RETURNING attempt`,
        [id, attempt.attempt, txHash],
      );
      if (added.length === 0)
        await this.db.query(
          `INSERT INTO concord_retries (message_id, attempt, at, gas_limit, estimate, txs)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [id, attempt.attempt, now, attempt.gasLimit, attempt.estimate, txHash],
        );
      await this.db.query(
        "UPDATE concord_messages SET retry_state = 'SUBMITTED', retry_attempts = $2, updated_at = $3 WHERE id = $1",
        [id, attempt.attempt, now],
      );
      await this.event(
        id,
        "RETRY_SUBMITTED",
        now,
        txHash,
        `auto-retry ${attempt.attempt} with gas ${attempt.gasLimit}`,
      );
    });
  }

  async settleRetryAttempt(id: Hex, attempt: RetryPlan, result: RetryResult, now: number): Promise<void> {
    const detail = result.detail?.slice(0, 500) ?? null;
    await this.db.transaction(async () => {
      const updated = await this.db.query(
        `UPDATE concord_retries SET tx_hash = $3, gas_used = $4, outcome = $5, detail = $6
         WHERE message_id = $1 AND attempt = $2 RETURNING attempt`,
        [id, attempt.attempt, result.txHash ?? null, result.gasUsed ?? null, result.outcome, detail],
      );
      if (updated.length === 0)
        await this.db.query(
          `INSERT INTO concord_retries (message_id, attempt, at, gas_limit, estimate, tx_hash, gas_used, outcome, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            id,
            attempt.attempt,
            now,
            attempt.gasLimit,
            attempt.estimate,
            result.txHash ?? null,
            result.gasUsed ?? null,
            result.outcome,
            detail,
          ],
        );
      await this.db.query("UPDATE concord_messages SET retry_attempts = $2, updated_at = $3 WHERE id = $1", [
        id,
        attempt.attempt,
        now,
      ]);
      const used =
        result.gasUsed === undefined || result.gasUsed === null ? "" : `, tx gas used ${result.gasUsed}`;
      await this.event(
        id,
        "RETRIED",
        now,
        result.txHash ?? null,
        `auto-retry ${attempt.attempt} with gas ${attempt.gasLimit}: ${result.outcome}${used}` +
          (detail ? ` (${detail.slice(0, 150)})` : ""),
      );
    });
  }

  async setRetryState(
    id: Hex,
    state: "PENDING" | "DONE",
    nextAt: number | null,
    note: string,
    now: number,
    executed = false,
  ): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.query(
        `UPDATE concord_messages SET retry_state = $2, retry_next_at = $3, retry_note = $4, claimed_by = NULL,
           lease_until = NULL, updated_at = $5, outcome = CASE WHEN $6 = 1 THEN 'EXECUTED' ELSE outcome END
         WHERE id = $1`,
        [id, state, nextAt, note.slice(0, 500), now, executed ? 1 : 0],
      );
      if (state === "DONE") await this.event(id, "RETRY_DONE", now, null, note.slice(0, 200));
    });
  }

  async retryAttempts(id: Hex): Promise<RetryAttempt[]> {
    const rows = await this.db.query("SELECT * FROM concord_retries WHERE message_id = $1 ORDER BY attempt", [
      id.toLowerCase(),
    ]);
    return rows.map(toAttempt);
  }

  atomically<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async release(id: Hex, nextAttemptAt: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE concord_messages SET claimed_by = NULL, lease_until = NULL, next_attempt_at = $2, error = $3,
         updated_at = $4 WHERE id = $1`,
      [id, nextAttemptAt, error.slice(0, 500), Date.now()],
    );
  }

  async retryLater(
    id: Hex,
    error: string,
    nextAttemptAt: number,
    giveUp: boolean,
    now: number,
  ): Promise<void> {
    const status: MessageStatus = giveUp ? "FAILED" : "SEEN";
    await this.db.query(
      `UPDATE concord_messages SET status = $2, attempts = attempts + 1, next_attempt_at = $3, error = $4, claimed_by = NULL,
         lease_until = NULL, metadata = CASE WHEN $2 = 'SEEN' THEN NULL ELSE metadata END, updated_at = $5 WHERE id = $1`,
      [id, status, nextAttemptAt, error.slice(0, 500), now],
    );
    await this.event(id, status, now, null, (giveUp ? "gave up: " : "retry: ") + error.slice(0, 200));
  }

  async setFailed(id: Hex, error: string, now: number): Promise<void> {
    await this.db.query(
      "UPDATE concord_messages SET status = 'FAILED', error = $2, claimed_by = NULL, lease_until = NULL, updated_at = $3 WHERE id = $1",
      [id, error.slice(0, 500), now],
    );
    await this.event(id, "FAILED", now, null, error.slice(0, 200));
  }

  async get(id: Hex): Promise<MessageRecord | undefined> {
    const rows = await this.db.query("SELECT * FROM concord_messages WHERE id = $1", [id.toLowerCase()]);
    return rows.length ? toRecord(rows[0]!) : undefined;
  }

  async idsByNonce(
    origin: number,
    first: number,
    last: number,
  ): Promise<{ nonce: number; id: Hex; final: boolean; status: MessageStatus }[]> {
    // Messages parked at indexing (a destination this relayer does not serve) are never marked final, yet they are
    // leaves of the origin's tree and ranges: take every row that is not orphaned, the final one first where a
    // nonce has two (a reorg replacement). Callers check the result against a quorum-signed root.
    const rows = await this.db.query(
      `SELECT nonce, id, is_final, status FROM concord_messages WHERE origin = $1 AND nonce >= $2 AND nonce <= $3
         AND status <> 'ORPHANED' ORDER BY nonce, is_final DESC`,
      [origin, first, last],
    );
    const out: { nonce: number; id: Hex; final: boolean; status: MessageStatus }[] = [];
    for (const r of rows)
      if (out.at(-1)?.nonce !== num(r.nonce))
        out.push({
          nonce: num(r.nonce),
          id: r.id as Hex,
          final: num(r.is_final) === 1,
          status: r.status as MessageStatus,
        });
    return out;
  }

  async events(id: Hex): Promise<LifecycleEvent[]> {
    const rows = await this.db.query(
      "SELECT * FROM concord_events WHERE message_id = $1 ORDER BY at, CASE status WHEN 'SEEN' THEN 0 WHEN 'SIGNED' THEN 1 WHEN 'SUBMITTED' THEN 2 ELSE 3 END",
      [id.toLowerCase()],
    );
    return rows.map((r) => ({
      messageId: r.message_id as Hex,
      status: r.status as LifecycleStatus,
      at: num(r.at),
      txHash: (r.tx_hash as Hex | null) ?? null,
      detail: (r.detail as string | null) ?? null,
    }));
  }

  async countByStatus(): Promise<Record<MessageStatus, number>> {
    const out = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
    for (const r of await this.db.query("SELECT status, COUNT(*) AS n FROM concord_messages GROUP BY status"))
      out[r.status as MessageStatus] = num(r.n);
    return out;
  }
}
