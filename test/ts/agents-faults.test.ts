// RPC faults injected through a local JSON-RPC proxy in front of both chains (HTTP 503s, JSON-RPC errors,
// latency, a node answering with a stale head): validators and relayer still deliver every message exactly once.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Relayer,
  type Validator,
  runRelayer,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import {
  ANVIL_KEYS,
  FaultProxy,
  type LocalPair,
  deployLocalPair,
  executedIds,
  sendMessages,
  waitFor,
} from "../helpers/agents.js";

describe("agents: RPC errors, delays and stale answers", () => {
  let pair: LocalPair;
  let dir: string;
  let relayer: Relayer;
  const proxies: FaultProxy[] = [];
  const validators: Validator[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-faults-"));
    pair = await deployLocalPair();
    // Faults start once every agent runs: a start-up read that fails makes an agent refuse to start, by design.
    for (const c of pair.chains) proxies.push(await new FaultProxy(c.rpcUrl).start());
    for (const [ci, c] of pair.chains.entries())
      for (const [i, key] of pair.validatorKeys.entries())
        validators.push(
          await runValidator({
            rpcUrl: proxies[ci]!.url,
            gateway: c.gateway,
            signer: key,
            confirmations: 1,
            storePath: join(dir, `v-${c.domain}-${i}.sqlite`),
            pollIntervalMs: 30,
            logger: silentLogger,
          }),
        );
    const [a, b] = pair.chains;
    relayer = await runRelayer({
      chains: pair.chains.map((c, i) => ({
        domain: c.domain,
        rpcUrl: proxies[i]!.url,
        gateway: c.gateway,
        confirmations: 1,
        batchProcessor: c.batchProcessor,
      })),
      validators: {
        [a.domain]: validators.slice(0, 3).map((v) => v.url!),
        [b.domain]: validators.slice(3).map((v) => v.url!),
      },
      account: ANVIL_KEYS[1]!,
      store: { type: "sqlite", path: join(dir, "relayer.sqlite") },
      pollIntervalMs: 30,
      retry: { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 20 },
      logger: silentLogger,
    });
    for (const p of proxies) p.plan = { errorRate: 0.15, rpcErrorRate: 0.1, delayMs: 5, staleRate: 0.3 };
  });

  after(async () => {
    await relayer?.stop();
    for (const v of validators) await v.stop();
    for (const p of proxies) await p.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers every message exactly once through a faulty RPC", async () => {
    const [a, b] = pair.chains;
    const toB = await sendMessages(a, b.domain, b.recipient, 12, { mine: 1 });
    const toA = await sendMessages(b, a.domain, a.recipient, 4, { mine: 1 });
    for (const m of [...toB, ...toA])
      await waitFor(
        `delivery of ${m.id}`,
        async () => (await relayer.store.get(m.id))?.status === "DELIVERED",
        60_000,
      );
    const [onB, onA] = await Promise.all([executedIds(b), executedIds(a)]);
    for (const m of toB) assert.equal(onB.get(m.id), 1);
    for (const m of toA) assert.equal(onA.get(m.id), 1);
    // The faults really happened, of every kind.
    const total = { errors: 0, rpcErrors: 0, stale: 0 };
    for (const p of proxies)
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += p.injected[k];
    assert.ok(total.errors > 0 && total.rpcErrors > 0 && total.stale > 0, JSON.stringify(total));
    // Nothing was orphaned by a stale head.
    const counts = await relayer.store.countByStatus();
    assert.equal(counts.ORPHANED, 0);
    assert.equal(counts.FAILED, 0);
  });
});
