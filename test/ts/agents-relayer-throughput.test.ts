// Relayer throughput features on two anvils: deliveries sent with the computed gas bound (no eth_estimateGas, the
// destination's RPC calls counted through a proxy), the fall-back when a bound is too tight (the transaction runs
// out of gas: each of its messages goes alone with an estimate, no delivery attempt spent, all delivered once), and
// several delivery transactions in flight per destination (seen in one block of a chain mining every second).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Hex, createPublicClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type Relayer,
  type RelayerConfig,
  type Validator,
  runRelayer,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import {
  ANVIL_KEYS,
  FaultProxy,
  type LocalPair,
  deployContract,
  deployLocalPair,
  executedIds,
  sendMessages,
  waitFor,
} from "../helpers/agents.js";

async function startValidators(pair: LocalPair, dir: string, tag: string): Promise<Validator[]> {
  const out: Validator[] = [];
  for (const [i, key] of pair.validatorKeys.entries())
    out.push(
      await runValidator({
        rpcUrl: pair.chains[0].rpcUrl,
        gateway: pair.chains[0].gateway,
        signer: key,
        confirmations: 0,
        storePath: join(dir, `v-${tag}-${i}.sqlite`),
        pollIntervalMs: 20,
        logger: silentLogger,
      }),
    );
  return out;
}

function relayerConfig(
  pair: LocalPair,
  validators: Validator[],
  destinationRpc: string,
  store: string,
  extra: Partial<RelayerConfig> = {},
): RelayerConfig {
  const [a, b] = pair.chains;
  return {
    chains: [
      { domain: a.domain, rpcUrl: a.rpcUrl, gateway: a.gateway },
      { domain: b.domain, rpcUrl: destinationRpc, gateway: b.gateway, batchProcessor: b.batchProcessor },
    ],
    validators: { [a.domain]: validators.map((v) => v.url!), [b.domain]: [] },
    account: ANVIL_KEYS[1]!,
    store: { type: "sqlite", path: store },
    pollIntervalMs: 20,
    retry: { baseDelayMs: 100, maxDelayMs: 1_000 },
    logger: silentLogger,
    ...extra,
  };
}

describe("relayer: gas bound instead of eth_estimateGas", () => {
  let pair: LocalPair;
  let dir: string;
  let proxy: FaultProxy;
  let validators: Validator[] = [];
  /** Every relayer started, stopped in `after` even when a test fails before its own stop. */
  const started: Relayer[] = [];
  const launch = async (config: RelayerConfig) => {
    const r = await runRelayer(config);
    started.push(r);
    return r;
  };
  const stop = async (r: Relayer) => {
    started.splice(started.indexOf(r), 1);
    await r.stop();
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-throughput-"));
    pair = await deployLocalPair();
    validators = await startValidators(pair, dir, "gas");
    proxy = await new FaultProxy(pair.chains[1].rpcUrl).start();
  });

  after(async () => {
    for (const r of started) await r.stop();
    for (const v of validators) await v.stop();
    await proxy?.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers batches with the bound: no eth_estimateGas reaches the destination", async () => {
    const [a, b] = pair.chains;
    const relayer = await launch(
      relayerConfig(pair, validators, proxy.url, join(dir, "r1.sqlite"), { maxBatchSize: 10 }),
    );
    const sent = await sendMessages(a, b.domain, b.recipient, 25);
    for (const m of sent)
      await waitFor(
        `delivery of ${m.id}`,
        async () => (await relayer.store.get(m.id))?.status === "DELIVERED",
      );
    const executed = await executedIds(b);
    for (const m of sent) assert.equal(executed.get(m.id), 1, `${m.id} executed once`);
    assert.equal(proxy.calls.get("eth_estimateGas") ?? 0, 0, "no estimate round trip");
    assert.equal(relayer.counter("concord_relayer_gas_estimates_total", { destination: b.domain }), 0);
    assert.equal(relayer.counter("concord_relayer_gas_bound_misses_total", { destination: b.domain }), 0);
    // Batched: fewer delivery transactions than messages.
    const txs = new Set<string>();
    for (const m of sent) txs.add((await relayer.store.get(m.id))!.deliverTx!);
    assert.ok(txs.size < sent.length, `${txs.size} transactions for ${sent.length} messages`);
    assert.ok(proxy.calls.get("eth_sendRawTransaction")! >= txs.size);
    await stop(relayer);
  });

  it("a bound too tight: the batch runs out of gas, each message goes alone with an estimate, none is lost", async () => {
    const [a, b] = pair.chains;
    const client = createPublicClient({ transport: http(b.rpcUrl) });
    const fromBlock = Number(await createPublicClient({ transport: http(a.rpcUrl) }).getBlockNumber()) + 1;
    const estimatesBefore = proxy.calls.get("eth_estimateGas") ?? 0;
    const config = relayerConfig(pair, validators, proxy.url, join(dir, "r2.sqlite"), {
      maxBatchSize: 10,
      account: ANVIL_KEYS[2]!,
      // Deliberately wrong costs: the gateway and verifier are not paid for, so the recipient's share is short.
      gasBound: { batchBase: 0, messageBase: 0, perSignature: 0, perValidator: 0, perByte: 0 },
    });
    config.chains[0]!.fromBlock = fromBlock;
    // Messages with a small gas limit (10,000) to a recipient that accepts: with the gateway and verifier unpaid
    // for, the bound is below what each delivery costs.
    const noop = await deployContract(b.rpcUrl, b.deployerKey, "MockNoopRecipient", []);
    const sent = await sendMessages(a, b.domain, noop, 6, { gasLimit: 10_000 });
    // Sent before the relayer starts: it signs them in one pass and puts all six in one batch.
    const live = await launch(config);
    for (const m of sent)
      await waitFor(`delivery of ${m.id}`, async () => (await live.store.get(m.id))?.status === "DELIVERED");
    const executed = await executedIds(b);
    for (const m of sent) assert.equal(executed.get(m.id), 1, `${m.id} executed once`);
    const misses = live.counter("concord_relayer_gas_bound_misses_total", { destination: b.domain });
    assert.ok(misses >= 1, "a bounded transaction ran out of gas");
    // Each message delivered by its own transaction, sent with an estimate; no delivery attempt was spent.
    const estimates = (proxy.calls.get("eth_estimateGas") ?? 0) - estimatesBefore;
    assert.ok(estimates >= sent.length, `${estimates} estimates for ${sent.length} messages`);
    const relayerAddress = privateKeyToAccount(ANVIL_KEYS[2]!).address;
    const firstTxs = new Set<Hex>();
    for (const m of sent) {
      const r = (await live.store.get(m.id))!;
      assert.equal(r.attempts, 0, "running out of the bound costs no attempt");
      const tx = await client.getTransaction({ hash: r.deliverTx! });
      assert.equal(tx.from.toLowerCase(), relayerAddress.toLowerCase());
      assert.equal(tx.to!.toLowerCase(), b.gateway.toLowerCase(), "delivered alone with process");
      const submitted = (await live.store.events(m.id)).filter((e) => e.status === "SUBMITTED");
      assert.ok(submitted.length >= 2, "a bounded try, then the estimate");
      firstTxs.add(submitted[0]!.txHash!);
    }
    // The bounded try was one batch of all six, and it reverted.
    assert.equal(firstTxs.size, 1);
    const batch = await client.getTransactionReceipt({ hash: [...firstTxs][0]! });
    assert.equal(batch.status, "reverted");
    assert.equal(batch.to!.toLowerCase(), b.batchProcessor.toLowerCase());
    await stop(live);
  });
});

describe("relayer: several delivery transactions in flight per destination", () => {
  let pair: LocalPair;
  let dir: string;
  let validators: Validator[] = [];
  let relayer: Relayer | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-inflight-"));
    // The destination mines one block a second: transactions sent meanwhile wait in its pool together.
    pair = await deployLocalPair({ anvilArgs: ["--block-time", "1"] });
    validators = await startValidators(pair, dir, "inflight");
  });

  after(async () => {
    await relayer?.stop();
    for (const v of validators) await v.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends up to maxInFlight batches before the first is mined; each message delivered once", async () => {
    const [a, b] = pair.chains;
    relayer = await runRelayer(
      relayerConfig(pair, validators, b.rpcUrl, join(dir, "r.sqlite"), { maxBatchSize: 5, maxInFlight: 3 }),
    );
    const sent = await sendMessages(a, b.domain, b.recipient, 40);
    for (const m of sent)
      await waitFor(
        `delivery of ${m.id}`,
        async () => (await relayer!.store.get(m.id))?.status === "DELIVERED",
        60_000,
      );
    const executed = await executedIds(b);
    for (const m of sent) assert.equal(executed.get(m.id), 1, `${m.id} executed once`);
    const client = createPublicClient({ transport: http(b.rpcUrl) });
    const perBlock = new Map<bigint, Set<string>>();
    for (const m of sent) {
      const r = (await relayer.store.get(m.id))!;
      const receipt = await client.getTransactionReceipt({ hash: r.deliverTx! });
      if (!perBlock.has(receipt.blockNumber)) perBlock.set(receipt.blockNumber, new Set());
      perBlock.get(receipt.blockNumber)!.add(receipt.transactionHash);
    }
    const most = Math.max(...[...perBlock.values()].map((s) => s.size));
    assert.ok(most >= 2, `at most ${most} delivery transaction(s) per block`);
    assert.ok(most <= 3, `never more than maxInFlight (3) at once: ${most}`);
    const counts = await relayer.store.countByStatus();
    assert.equal(counts.DELIVERED, sent.length);
    assert.equal(counts.FAILED, 0);
    await relayer.stop();
    relayer = undefined;
  });
});
