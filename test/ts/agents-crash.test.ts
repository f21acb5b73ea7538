// A relayer process killed (SIGKILL) in the middle of a batch and restarted on the same store: every message is
// delivered, none twice, and nothing already on chain is sent again.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Hex, createPublicClient, http } from "viem";
import {
  type RelayerConfig,
  type RelayerStore,
  type Validator,
  batchProcessorAbi,
  openSqliteStore,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import {
  ANVIL_KEYS,
  type AgentProcess,
  FaultProxy,
  type LocalPair,
  deployLocalPair,
  executedIds,
  sendMessages,
  spawnAgent,
  waitFor,
} from "../helpers/agents.js";

const N = 30;

describe("agents: relayer crash and restart", () => {
  let pair: LocalPair;
  let dir: string;
  let proxy: FaultProxy;
  let child: AgentProcess | undefined;
  let store: RelayerStore;
  const validators: Validator[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-crash-"));
    pair = await deployLocalPair();
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
    // The destination RPC is slow, so the kill lands while a batch is in flight.
    proxy = await new FaultProxy(pair.chains[1].rpcUrl, { delayMs: 120 }).start();
  });

  after(async () => {
    child?.child.kill("SIGKILL");
    await store?.close();
    await proxy?.stop();
    for (const v of validators) await v.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loses nothing and delivers nothing twice", async () => {
    const [a, b] = pair.chains;
    const storePath = join(dir, "relayer.sqlite");
    const config: RelayerConfig = {
      chains: [
        { domain: a.domain, rpcUrl: a.rpcUrl, gateway: a.gateway },
        { domain: b.domain, rpcUrl: proxy.url, gateway: b.gateway, batchProcessor: b.batchProcessor },
      ],
      validators: { [a.domain]: validators.map((v) => v.url!), [b.domain]: [] },
      account: ANVIL_KEYS[1]!,
      store: { type: "sqlite", path: storePath },
      instanceId: "relayer-1",
      maxBatchSize: 4,
      pollIntervalMs: 30,
      http: false,
    };
    const configPath = join(dir, "relayer.json");
    writeFileSync(configPath, JSON.stringify(config));
    child = await spawnAgent("relayer", configPath);
    store = await openSqliteStore(storePath);

    const sent = await sendMessages(a, b.domain, b.recipient, N);
    // Kill as soon as a batch is recorded SUBMITTED (signed and written, broadcast in flight or done).
    const atKill = await waitFor(
      "a batch in flight",
      async () => {
        const counts = await store.countByStatus();
        return counts.SUBMITTED > 0 ? counts : undefined;
      },
      30_000,
      5,
    );
    child.child.kill("SIGKILL");
    await child.stop(); // waits for the exit
    assert.ok(atKill.DELIVERED < N, "killed before the end");
    const inFlight: Hex[] = [];
    for (const m of sent) if ((await store.get(m.id))?.status === "SUBMITTED") inFlight.push(m.id);
    assert.ok(inFlight.length > 0);

    proxy.plan = {};
    child = await spawnAgent("relayer", configPath);
    await waitFor("all delivered", async () => (await store.countByStatus()).DELIVERED === N, 60_000, 50);

    // Every message executed exactly once on B.
    const executed = await executedIds(b);
    for (const m of sent) assert.equal(executed.get(m.id), 1, `message ${m.id}`);
    // Nothing delivered was sent again: no batch item was refused as already delivered (or for any reason).
    const client = createPublicClient({ transport: http(b.rpcUrl) });
    const failures = await client.getContractEvents({
      address: b.batchProcessor,
      abi: batchProcessorAbi,
      eventName: "BatchItemFailed",
      fromBlock: 0n,
    });
    assert.equal(failures.length, 0, "no re-sent item");
    // Each message ends DELIVERED with the transaction that carried it.
    for (const m of sent) {
      const r = (await store.get(m.id))!;
      assert.equal(r.status, "DELIVERED");
      assert.ok(r.deliverTx && r.submitTxs.includes(r.deliverTx), `delivery tx recorded for ${m.id}`);
    }
    // The in-flight batch went through the recovery path: found on chain, or re-sent because it never left.
    for (const id of inFlight) {
      const events = await store.events(id);
      const found = events.some((e) => e.status === "DELIVERED" && e.detail === "found after restart");
      const resent = events.filter((e) => e.status === "SUBMITTED").length >= 2;
      assert.ok(
        found || resent,
        `recovery of ${id}: ${JSON.stringify(events.map((e) => [e.status, e.detail]))}`,
      );
    }
    await child.stop();
    child = undefined;
  });
});
