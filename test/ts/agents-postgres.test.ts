// Two relayer instances on one PostgreSQL server (started by the test, stopped after) share the work without
// delivering anything twice: `claim` hands each message to one instance (row locks + lease).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPublicClient, http } from "viem";
import {
  type Relayer,
  type Validator,
  batchProcessorAbi,
  openPostgresStore,
  runRelayer,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import {
  ANVIL_KEYS,
  type LocalPair,
  type LocalPostgres,
  deployLocalPair,
  executedIds,
  sendMessages,
  startPostgres,
  waitFor,
} from "../helpers/agents.js";

const N = 40;

describe("agents: two relayers on one PostgreSQL", () => {
  let pair: LocalPair;
  let pg: LocalPostgres;
  let dir: string;
  const relayers: Relayer[] = [];
  const validators: Validator[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-pg-test-"));
    // one after the other: if either fails, `after` still stops what the other started
    pair = await deployLocalPair();
    pg = await startPostgres();
    for (const key of pair.validatorKeys)
      validators.push(
        await runValidator({
          rpcUrl: pair.chains[0].rpcUrl,
          gateway: pair.chains[0].gateway,
          signer: key,
          confirmations: 0,
          storePath: join(dir, `v-${validators.length}.sqlite`),
          pollIntervalMs: 30,
          logger: silentLogger,
        }),
      );
  });

  after(async () => {
    for (const r of relayers) await r.stop();
    for (const v of validators) await v.stop();
    await pair?.stop();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("splits the work between the instances and delivers every message exactly once", async () => {
    const [a, b] = pair.chains;
    for (const [i, key] of [ANVIL_KEYS[1]!, ANVIL_KEYS[2]!].entries()) {
      relayers.push(
        await runRelayer({
          chains: pair.chains.map((c) => ({
            domain: c.domain,
            rpcUrl: c.rpcUrl,
            gateway: c.gateway,
            batchProcessor: c.batchProcessor,
          })),
          validators: { [a.domain]: validators.map((v) => v.url!), [b.domain]: [] },
          account: key,
          store: { type: "postgres", connectionString: pg.connectionString },
          instanceId: `pg-relayer-${i}`,
          maxBatchSize: 3,
          pollIntervalMs: 20,
          logger: silentLogger,
        }),
      );
    }
    const sent = await sendMessages(a, b.domain, b.recipient, N);
    const store = relayers[0]!.store;
    await waitFor("all delivered", async () => (await store.countByStatus()).DELIVERED === N, 60_000);

    const executed = await executedIds(b);
    for (const m of sent) assert.equal(executed.get(m.id), 1);
    // Each message was submitted exactly once, by one instance; no batch item was refused on chain.
    for (const m of sent) {
      const submitted = (await store.events(m.id)).filter((e) => e.status === "SUBMITTED");
      assert.equal(submitted.length, 1, `message ${m.id} submitted ${submitted.length} times`);
    }
    const client = createPublicClient({ transport: http(b.rpcUrl) });
    const failures = await client.getContractEvents({
      address: b.batchProcessor,
      abi: batchProcessorAbi,
      eventName: "BatchItemFailed",
      fromBlock: 0n,
    });
    assert.equal(failures.length, 0);
    // Both instances carried messages (the shared queue was split, not served twice).
    const txs = relayers.map((r) =>
      r.counter("concord_relayer_transactions_total", { destination: b.domain }),
    );
    assert.ok(
      txs.every((n) => n > 0),
      `transactions per instance: ${txs.join(", ")}`,
    );
    // The lifecycle is visible from either instance's API.
    const res = (await (await fetch(`${relayers[1]!.url}/messages/${sent[0]!.id}`)).json()) as {
      status: string;
    };
    assert.equal(res.status, "DELIVERED");
    assert.equal(
      ((await (await fetch(`${relayers[0]!.url}/health`)).json()) as { store: string }).store,
      "postgres",
    );
  });

  it("refuses a PostgreSQL store it cannot reach", async () => {
    await assert.rejects(
      openPostgresStore("postgres://concord@127.0.0.1:1/postgres"),
      /cannot be initialized/,
    );
  });
});
