// Validator and relayer agents end to end on two real anvil chains: signatures the on-chain verifier accepts,
// batched and single delivery, the lifecycle record, the HTTP APIs, and the validator's store rules.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Hex, createWalletClient, getAddress, http, parseAbi } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  AgentConfigError,
  ConflictingCheckpointError,
  Relayer,
  SignatureStore,
  STORE_SCHEMA_VERSION,
  StoreError,
  Validator,
  openSqliteStore,
  runRelayer,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import {
  ANVIL_KEYS,
  type LocalPair,
  deployLocalPair,
  gatewayStatus,
  sendMessages,
  waitFor,
} from "../helpers/agents.js";
import { loadSqlite } from "../../sdk/agents/sqlite.js";
import { DigestKind, messageIdDigest, recoverSigner } from "../../sdk/src/index.js";

const mockRecipientAbi = parseAbi(["function setMode(uint8 mode)"]);
const ANVIL_ADDRESS = privateKeyToAccount(ANVIL_KEYS[0]!).address;

describe("agents: validator + relayer end to end", () => {
  let pair: LocalPair;
  let dir: string;
  const validators: Validator[] = [];
  let relayer: Relayer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-agents-"));
    pair = await deployLocalPair();
    // Three validators per origin (threshold 2), each with its own store.
    for (const chain of pair.chains) {
      for (const [i, key] of pair.validatorKeys.entries()) {
        validators.push(
          await runValidator({
            rpcUrl: chain.rpcUrl,
            gateway: chain.gateway,
            signer: key,
            confirmations: 1,
            storePath: join(dir, `validator-${chain.domain}-${i}.sqlite`),
            pollIntervalMs: 50,
            logger: silentLogger,
          }),
        );
      }
    }
    const [a, b] = pair.chains;
    relayer = await runRelayer({
      chains: pair.chains.map((c) => ({
        domain: c.domain,
        rpcUrl: c.rpcUrl,
        gateway: c.gateway,
        confirmations: 1,
        // Batching into B only: A -> B is batched, B -> A goes one transaction per message.
        batchProcessor: c.domain === b.domain ? c.batchProcessor : undefined,
      })),
      validators: {
        [a.domain]: validators.slice(0, 3).map((v) => v.url!),
        [b.domain]: validators.slice(3).map((v) => v.url!),
      },
      account: ANVIL_KEYS[1]!,
      store: { type: "sqlite", path: join(dir, "relayer.sqlite") },
      pollIntervalMs: 50,
      logger: silentLogger,
    });
  });

  after(async () => {
    await relayer?.stop();
    for (const v of validators) await v.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers messages both ways, batched into B and one by one into A, and records each lifecycle", async () => {
    const [a, b] = pair.chains;
    const toB = await sendMessages(a, b.domain, b.recipient, 6, { mine: 1 });
    const toA = await sendMessages(b, a.domain, a.recipient, 2, { mine: 1 });
    for (const m of [...toB, ...toA]) {
      await waitFor(
        `delivery of ${m.id}`,
        async () => (await relayer.store.get(m.id))?.status === "DELIVERED",
      );
    }
    for (const m of toB) assert.equal(await gatewayStatus(b, m.message), 1, "EXECUTED on B");
    for (const m of toA) assert.equal(await gatewayStatus(a, m.message), 1, "EXECUTED on A");
    // Batched: the six A -> B messages went out in fewer transactions than messages.
    const txs = new Set<Hex>();
    for (const m of toB) txs.add((await relayer.store.get(m.id))!.deliverTx!);
    assert.ok(
      txs.size < toB.length,
      `expected batching, got ${txs.size} transactions for ${toB.length} messages`,
    );
    // One transaction per message into A.
    const txsA = new Set(
      (await Promise.all(toA.map((m) => relayer.store.get(m.id)))).map((r) => r!.deliverTx),
    );
    assert.equal(txsA.size, toA.length);

    // Lifecycle over HTTP, in order, with timestamps and the delivery transaction.
    const res = await fetch(`${relayer.url}/messages/${toB[0]!.id}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      status: string;
      outcome: string;
      events: { status: string; at: number; txHash: Hex | null }[];
    };
    assert.equal(body.status, "DELIVERED");
    assert.equal(body.outcome, "EXECUTED");
    assert.deepEqual(
      body.events.map((e) => e.status),
      ["SEEN", "SIGNED", "SUBMITTED", "DELIVERED"],
    );
    for (let i = 1; i < body.events.length; i++) assert.ok(body.events[i]!.at >= body.events[i - 1]!.at);
    assert.equal(body.events.at(-1)!.txHash, (await relayer.store.get(toB[0]!.id))!.deliverTx);
    assert.equal((await fetch(`${relayer.url}/messages/0x${"00".repeat(32)}`)).status, 404);
    assert.equal((await fetch(`${relayer.url}/messages/nope`)).status, 400);

    const health = (await (await fetch(`${relayer.url}/health`)).json()) as { ok: boolean; store: string };
    assert.equal(health.ok, true);
    assert.equal(health.store, "sqlite");
    const metrics = await (await fetch(`${relayer.url}/metrics`)).text();
    assert.match(metrics, /# TYPE concord_relayer_messages gauge/);
    assert.match(metrics, /concord_relayer_messages\{status="DELIVERED"\} 8/);
    assert.match(
      metrics,
      new RegExp(`concord_relayer_delivered_total\\{destination="${b.domain}",how="EXECUTED"\\} 6`),
    );
  });

  it("serves signatures over exactly the digest the verifier checks", async () => {
    const [a, b] = pair.chains;
    const [m] = await sendMessages(a, b.domain, b.recipient, 1, { mine: 1 });
    const v = validators[0]!;
    const sig = await waitFor("a signature", async () => {
      const res = await fetch(`${v.url}/signatures/${m!.id}`);
      return res.status === 200
        ? ((await res.json()) as { signature: Hex; index: number; validator: string; digest: Hex })
        : undefined;
    });
    const digest = messageIdDigest({
      origin: a.domain,
      originGateway: a.gateway,
      messageId: m!.id,
      nonce: sig.index,
    });
    assert.equal(sig.digest, digest);
    assert.equal(await recoverSigner(digest, sig.signature), getAddress(sig.validator));
    assert.equal(getAddress(sig.validator), privateKeyToAccount(pair.validatorKeys[0]!).address);
    // Unknown ids: 404; malformed ids: 400; batch endpoint returns only what is signed.
    assert.equal((await fetch(`${v.url}/signatures/0x${"11".repeat(32)}`)).status, 404);
    assert.equal((await fetch(`${v.url}/signatures/0x12`)).status, 400);
    const batch = (await (
      await fetch(`${v.url}/signatures`, {
        method: "POST",
        body: JSON.stringify({ messageIds: [m!.id, `0x${"11".repeat(32)}`] }),
      })
    ).json()) as { signatures: unknown[] };
    assert.equal(batch.signatures.length, 1);
    assert.equal((await fetch(`${v.url}/signatures`, { method: "POST", body: "{" })).status, 400);
    const metrics = await (await fetch(`${v.url}/metrics`)).text();
    assert.match(metrics, /concord_validator_signatures\{[^}]*\} [1-9]/);
  });

  it("delivers a message whose recipient reverts as DELIVERED with outcome FAILED (retryable on chain)", async () => {
    const [a, b] = pair.chains;
    const deployer = createWalletClient({
      account: privateKeyToAccount(b.deployerKey),
      transport: http(b.rpcUrl),
    });
    const chain = {
      id: b.domain,
      name: "b",
      nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
      rpcUrls: { default: { http: [b.rpcUrl] } },
    };
    await deployer.writeContract({
      chain,
      address: b.recipient,
      abi: mockRecipientAbi,
      functionName: "setMode",
      args: [1],
    });
    try {
      const [m] = await sendMessages(a, b.domain, b.recipient, 1, { mine: 1 });
      const record = await waitFor("delivery", async () => {
        const r = await relayer.store.get(m!.id);
        return r?.status === "DELIVERED" ? r : undefined;
      });
      assert.equal(record.outcome, "FAILED");
      assert.equal(await gatewayStatus(b, m!.message), 2);
    } finally {
      await deployer.writeContract({
        chain,
        address: b.recipient,
        abi: mockRecipientAbi,
        functionName: "setMode",
        args: [0],
      });
    }
  });
});

describe("agents: relayer config", () => {
  it("names the bad key", async () => {
    const base = { validators: {}, account: ANVIL_KEYS[1]!, http: false as const, logger: silentLogger };
    await assert.rejects(
      Relayer.create({ ...base, chains: [] }),
      (e: AgentConfigError) => e.key === "chains",
    );
    await assert.rejects(
      Relayer.create({
        ...base,
        chains: [{ domain: 0, rpcUrl: "http://127.0.0.1:1", gateway: ANVIL_ADDRESS }],
      }),
      (e: AgentConfigError) => e instanceof AgentConfigError && e.key === "chains[0].domain",
    );
    await assert.rejects(
      Relayer.create({ ...base, chains: [{ domain: 5, rpcUrl: "http://127.0.0.1:1", gateway: "0x1234" }] }),
      (e: AgentConfigError) => e instanceof AgentConfigError && e.key === "chains[0].gateway",
    );
    assert.throws(
      () =>
        new Validator(
          {
            rpcUrl: "http://127.0.0.1:1",
            gateway: ANVIL_ADDRESS,
            signer: ANVIL_KEYS[0]!,
            confirmations: -1,
            storePath: ":memory:",
          },
          1,
        ),
      (e: AgentConfigError) => e instanceof AgentConfigError && e.key === "confirmations",
    );
    const chains = [{ domain: 5, rpcUrl: "http://127.0.0.1:1", gateway: ANVIL_ADDRESS }];
    for (const [retryFailed, key] of [
      [{ gasCeiling: 0 }, "retryFailed.gasCeiling"],
      [{ gasCeiling: 2 ** 32 }, "retryFailed.gasCeiling"],
      [{ gasCeiling: 1e6, maxAttempts: 0 }, "retryFailed.maxAttempts"],
      [{ gasCeiling: 1e6, marginPercent: -1 }, "retryFailed.marginPercent"],
    ] as const)
      await assert.rejects(
        Relayer.create({ ...base, chains, retryFailed }),
        (e: AgentConfigError) => e instanceof AgentConfigError && e.key === key,
      );
    await assert.rejects(
      Relayer.create({ ...base, chains, healthFailureThreshold: 0 }),
      (e: AgentConfigError) => e instanceof AgentConfigError && e.key === "healthFailureThreshold",
    );
  });
});

describe("agents: relayer store", () => {
  it("upgrades a version-1 store in place (parked messages, automatic retries) and refuses a newer one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "concord-rstore-"));
    try {
      const path = join(dir, "relayer.sqlite");
      // A store as the first release wrote it: its tables, version 1, one delivered message.
      const { DatabaseSync } = loadSqlite();
      const v1 = new DatabaseSync(path);
      v1.exec(`
        CREATE TABLE concord_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE concord_cursors (origin BIGINT PRIMARY KEY, block BIGINT NOT NULL);
        CREATE TABLE concord_messages (
          id TEXT PRIMARY KEY, origin BIGINT NOT NULL, destination BIGINT NOT NULL, nonce BIGINT NOT NULL,
          message TEXT NOT NULL, block_number BIGINT NOT NULL, block_hash TEXT NOT NULL, tx_hash TEXT NOT NULL,
          status TEXT NOT NULL, is_final INTEGER NOT NULL DEFAULT 0, metadata TEXT, attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at BIGINT NOT NULL DEFAULT 0, submit_txs TEXT NOT NULL DEFAULT '', submit_nonce BIGINT,
          deliver_tx TEXT, outcome TEXT, error TEXT, claimed_by TEXT, lease_until BIGINT,
          seen_at BIGINT NOT NULL, signed_at BIGINT, submitted_at BIGINT, delivered_at BIGINT, updated_at BIGINT NOT NULL);
        CREATE TABLE concord_events (
          message_id TEXT NOT NULL, status TEXT NOT NULL, at BIGINT NOT NULL, tx_hash TEXT, detail TEXT);
        INSERT INTO concord_meta VALUES ('schema_version', '1');
        INSERT INTO concord_messages (id, origin, destination, nonce, message, block_number, block_hash, tx_hash,
          status, is_final, outcome, seen_at, updated_at)
        VALUES ('0x${"aa".repeat(32)}', 1, 2, 0, '0x00', 1, '0x01', '0x02', 'DELIVERED', 1, 'FAILED', 1, 1);
      `);
      v1.close();
      const store = await openSqliteStore(path);
      const record = await store.get(`0x${"aa".repeat(32)}`);
      assert.equal(record?.status, "DELIVERED");
      assert.equal(record?.parkCount, 0);
      assert.deepEqual(record?.retry, { state: null, attempts: 0, nextAt: null, note: null });
      assert.deepEqual(await store.retryAttempts(`0x${"aa".repeat(32)}`), []);
      assert.equal((await store.countByStatus()).UNDELIVERABLE, 0);
      await store.close();
      const reopened = await openSqliteStore(path); // already version 2: nothing to do
      await reopened.close();
      const check = new DatabaseSync(path);
      assert.deepEqual(
        { ...(check.prepare("SELECT value FROM concord_meta WHERE key = 'schema_version'").get() as object) },
        { value: String(STORE_SCHEMA_VERSION) },
      );
      check.exec(
        `UPDATE concord_meta SET value = '${STORE_SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`,
      );
      check.close();
      await assert.rejects(openSqliteStore(path), StoreError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("agents: validator store", () => {
  const identity = {
    validator: privateKeyToAccount(ANVIL_KEYS[0]!).address,
    gateway: privateKeyToAccount(ANVIL_KEYS[1]!).address,
    origin: 7,
  };
  const id1 = `0x${"aa".repeat(32)}` as Hex;
  const id2 = `0x${"bb".repeat(32)}` as Hex;

  it("never records two commitments for one index, also after reopening", () => {
    const dir = mkdtempSync(join(tmpdir(), "concord-vstore-"));
    try {
      const path = join(dir, "v.sqlite");
      const store = new SignatureStore(path, identity);
      const entry = {
        kind: DigestKind.MESSAGE_ID,
        index: 3,
        commitment: id1,
        digest: id1,
        signature: "0x01" as Hex,
        blockNumber: 1n,
      };
      store.record(entry);
      store.record(entry); // idempotent
      assert.throws(() => store.record({ ...entry, commitment: id2 }), ConflictingCheckpointError);
      store.close();
      const reopened = new SignatureStore(path, identity);
      assert.throws(() => reopened.record({ ...entry, commitment: id2 }), ConflictingCheckpointError);
      assert.equal(reopened.byIndex(DigestKind.MESSAGE_ID, 3)!.commitment, id1);
      assert.equal(reopened.byCommitment(DigestKind.MESSAGE_ID, id2), undefined);
      assert.deepEqual(reopened.counts(), { signed: 1, conflicts: 1 });
      // A store belongs to one validator and one gateway.
      assert.throws(() => new SignatureStore(path, { ...identity, origin: 8 }), StoreError);
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to start on a corrupt or unreadable store", () => {
    const dir = mkdtempSync(join(tmpdir(), "concord-vstore-"));
    try {
      const path = join(dir, "v.sqlite");
      writeFileSync(path, "this is not a database, it is ".repeat(400));
      assert.throws(() => new SignatureStore(path, identity), StoreError);
      const config = {
        rpcUrl: "http://127.0.0.1:1",
        gateway: identity.gateway,
        signer: ANVIL_KEYS[0]!,
        confirmations: 0,
        storePath: path,
      };
      assert.throws(() => new Validator(config, 7), StoreError);
      assert.throws(() => new SignatureStore(dir, identity), StoreError); // a directory
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
