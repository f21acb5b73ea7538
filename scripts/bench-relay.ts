// End-to-end relay benchmark: N messages from chain A to chain B (two anvil chains, automine), 3 validators
// (threshold 2) and one relayer, with and without batching. Prints messages/s delivered end to end, the p50/p95
// latency from the origin transaction's broadcast to the relayer recording the delivery, and the CPU time per
// message of each process (validators, relayer, both anvils; from /proc/<pid>/stat).
//
// It never hangs: an origin transaction still pending 15 s after it was sent is reported as stuck (anvil's
// automine can leave one in its pool) and mined by hand with evm_mine, and a delivery wait that makes no progress
// for 60 s stops the run with what is pending where (store counts, both chains' pools) instead of waiting on.
//
//   npm run bench:relay [-- <N> [<N without batching>]]      (defaults 1000 and 200)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Hex, createPublicClient, encodeFunctionData, http, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type RelayerConfig, gatewayAbi, openSqliteStore } from "../sdk/agents/index.js";
import { ANVIL_KEYS, type AgentProcess, deployLocalPair, spawnAgent } from "../test/helpers/agents.js";
import { addressToBytes32 } from "../sdk/src/codec.js";
import { rpc } from "../sdk/src/anvil.js";

type Result = {
  mode: string;
  n: number;
  sendRate: number;
  rate: number;
  p50: number;
  p95: number;
  txs: number;
  seconds: number;
  /** Origin transactions found stuck in anvil's pool (mined by hand). */
  stuck: number;
  /** CPU ms per message by process. */
  cpu: Record<string, number>;
};

/** CPU time (user + system) of process `pid` so far, in ms (Linux /proc; 0 elsewhere). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks (100/s).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Transactions in anvil's pool (pending and queued). */
async function poolSize(rpcUrl: string): Promise<number> {
  const status = await rpc<{ pending: Hex; queued: Hex }>(rpcUrl, "txpool_status").catch(() => null);
  return status ? Number(status.pending) + Number(status.queued) : -1;
}

/** `BENCH_PROFILE=<dir>`: CPU profiles of the agent processes, for finding the bottleneck. */
const profileArgs = process.env.BENCH_PROFILE
  ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_PROFILE]
  : [];

/** The delivery wait made no progress for too long: the run stops with a report. */
class StuckRun extends Error {}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * `BENCH_VERIFIER=range|merkleRoot`: the route's verifier family (default `messageId`); the validators then sign that
 * family's checkpoints instead of message ids (windows of 100 nonces, so runs of whole hundreds never wait for a flush).
 */
const family = (process.env.BENCH_VERIFIER ?? "messageId") as "messageId" | "merkleRoot" | "range";
if (!["messageId", "merkleRoot", "range"].includes(family)) {
  console.error(`BENCH_VERIFIER must be messageId, merkleRoot or range, got ${family}`);
  process.exit(2);
}
const checkpoints =
  family === "messageId"
    ? {}
    : {
        checkpoints: { messageIds: false, ranges: family === "range", merkleRoots: family === "merkleRoot" },
      };

async function run(n: number, batching: boolean): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), "concord-bench-"));
  const pair = await deployLocalPair({ verifier: family });
  const [a, b] = pair.chains;
  const validators: AgentProcess[] = [];
  let relayer: AgentProcess | undefined;
  try {
    // Each validator in its own process, as deployed (its store commits with fsync before serving).
    for (const [i, key] of pair.validatorKeys.entries()) {
      const configPath = join(dir, `v${i}.json`);
      writeFileSync(
        configPath,
        JSON.stringify({
          rpcUrl: a.rpcUrl,
          gateway: a.gateway,
          signer: key,
          confirmations: 0,
          storePath: join(dir, `v${i}.sqlite`),
          pollIntervalMs: 20,
          ...checkpoints,
        }),
      );
      validators.push(await spawnAgent("validator", configPath, profileArgs));
    }
    const storePath = join(dir, "relayer.sqlite");
    const relayerConfig: RelayerConfig = {
      chains: [
        { domain: a.domain, rpcUrl: a.rpcUrl, gateway: a.gateway },
        {
          domain: b.domain,
          rpcUrl: b.rpcUrl,
          gateway: b.gateway,
          batchProcessor: batching ? b.batchProcessor : undefined,
        },
      ],
      validators: { [a.domain]: validators.map((v) => v.url), [b.domain]: [] },
      account: ANVIL_KEYS[1]!,
      store: { type: "sqlite", path: storePath },
      maxBatchSize: batching ? 100 : 20,
      // Delivery transactions awaiting their receipt at once: 4 batches, or 20 single deliveries.
      maxInFlight: batching ? 4 : 20,
      pollIntervalMs: 10,
      http: false,
      // BENCH_RELAYER='{"gasBound":false,"maxInFlight":1}': the relayer as it was (an estimate per transaction,
      // one in flight), to compare on the same machine and load.
      ...(process.env.BENCH_RELAYER ? (JSON.parse(process.env.BENCH_RELAYER) as Partial<RelayerConfig>) : {}),
    };
    writeFileSync(join(dir, "relayer.json"), JSON.stringify(relayerConfig));
    relayer = await spawnAgent(
      "relayer",
      join(dir, "relayer.json"),
      process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_PROFILE] : [],
    );
    const store = await openSqliteStore(storePath);

    // Pre-sign every dispatch, then broadcast them with a few in flight; automine includes each at once.
    const sender = privateKeyToAccount(ANVIL_KEYS[4]!);
    const client = createPublicClient({ transport: http(a.rpcUrl) });
    const fees = await client.estimateFeesPerGas();
    const signed: Hex[] = [];
    for (let i = 0; i < n; i++) {
      signed.push(
        await sender.signTransaction({
          chainId: a.domain,
          type: "eip1559",
          to: a.gateway,
          nonce: i,
          gas: 200_000n,
          maxFeePerGas: fees.maxFeePerGas * 2n,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
          data: encodeFunctionData({
            abi: gatewayAbi,
            functionName: "dispatch",
            args: [b.domain, addressToBytes32(b.recipient), toHex(`bench ${i}`)],
          }),
        }),
      );
    }
    const sentAt = new Map<Hex, number>();
    const cpuStart = {
      validators: validators.reduce((sum, v) => sum + cpuMs(v.child.pid), 0),
      relayer: cpuMs(relayer.child.pid),
      anvilA: cpuMs(a.anvil.process.pid),
      anvilB: cpuMs(b.anvil.process.pid),
    };
    const start = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < n) {
          const tx = signed[next++]!;
          const hash = await client.sendRawTransaction({ serializedTransaction: tx });
          sentAt.set(hash.toLowerCase() as Hex, Date.now());
        }
      }),
    );
    const sendSeconds = (Date.now() - start) / 1000;
    // Every origin transaction mined: one still in anvil's pool after 15 s is stuck (reported, mined by hand).
    let stuck = 0;
    for (const hash of sentAt.keys()) {
      const receipt = await client
        .waitForTransactionReceipt({ hash, pollingInterval: 50, timeout: 15_000 })
        .catch(() => null);
      if (receipt) continue;
      stuck++;
      process.stderr.write(
        `stuck: origin transaction ${hash} not mined 15 s after it was sent (pool: ${await poolSize(a.rpcUrl)}); ` +
          `mining blocks until the pool is empty\n`,
      );
      // A block holds only so many dispatches: mine until anvil's pool is empty, then the receipt must be there.
      for (let blocks = 0; blocks < 200 && (await poolSize(a.rpcUrl)) !== 0; blocks++)
        await rpc(a.rpcUrl, "evm_mine");
      if (!(await client.getTransactionReceipt({ hash }).catch(() => null)))
        throw new StuckRun(`origin transaction ${hash} still not mined with anvil's pool mined empty`);
    }
    // Delivery: stop with a report when nothing moves for 60 s (never wait on a stuck transaction).
    let delivered = 0;
    let movedAt = Date.now();
    for (;;) {
      const counts = await store.countByStatus();
      if (counts.DELIVERED === n) break;
      if (counts.DELIVERED > delivered) {
        delivered = counts.DELIVERED;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > 60_000) {
        const report =
          `no delivery for 60 s: ${JSON.stringify(counts)}; pools: origin ${await poolSize(a.rpcUrl)}, ` +
          `destination ${await poolSize(b.rpcUrl)} transaction(s)`;
        process.stderr.write(`stuck: ${report}\n`);
        throw new StuckRun(report);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpu = {
      validators: validators.reduce((sum, v) => sum + cpuMs(v.child.pid), 0) - cpuStart.validators,
      relayer: cpuMs(relayer.child.pid) - cpuStart.relayer,
      "anvil A": cpuMs(a.anvil.process.pid) - cpuStart.anvilA,
      "anvil B": cpuMs(b.anvil.process.pid) - cpuStart.anvilB,
    };
    await relayer.stop();
    relayer = undefined;

    // Latency per message: origin broadcast -> delivery recorded.
    const reader = store;
    const rows = await (
      reader as unknown as { db: { query: (s: string) => Promise<Record<string, unknown>[]> } }
    ).db.query("SELECT tx_hash, delivered_at, deliver_tx FROM concord_messages");
    await reader.close();
    const latencies: number[] = [];
    let last = 0;
    const txs = new Set<string>();
    for (const r of rows) {
      const at = Number(r.delivered_at);
      last = Math.max(last, at);
      txs.add(String(r.deliver_tx));
      const t0 = sentAt.get(String(r.tx_hash).toLowerCase() as Hex);
      if (t0 !== undefined) latencies.push(at - t0);
    }
    latencies.sort((x, y) => x - y);
    const seconds = (last - start) / 1000;
    return {
      mode: batching ? "batched (<= 100 per tx)" : "one tx per message",
      n,
      sendRate: n / sendSeconds,
      rate: n / seconds,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      txs: txs.size,
      seconds,
      stuck,
      cpu: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / n])),
    };
  } finally {
    await relayer?.stop();
    for (const v of validators) await v.stop();
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const nBatched = Number(process.argv[2] ?? 1000);
const nSingle = Number(process.argv[3] ?? 200);
const results: Result[] = [];
for (const [n, batching] of [
  [nBatched, true],
  [nSingle, false],
] as const) {
  process.stderr.write(`relaying ${n} messages A -> B, ${batching ? "with" : "without"} batching...\n`);
  try {
    results.push(await run(n, batching));
  } catch (e) {
    if (!(e instanceof StuckRun)) throw e;
    console.log(`${batching ? "batched" : "one tx per message"}: run stopped, ${e.message}`);
    process.exitCode = 1;
  }
}
console.log(
  `\nConcord relay benchmark: two anvil chains (automine), 3 validators (2-of-3), one relayer, SQLite store, ${family} verifier`,
);
console.log(
  "mode                     |     N | origin send msg/s | delivered msg/s end to end | p50 ms | p95 ms | delivery txs",
);
for (const r of results) {
  console.log(
    `${r.mode.padEnd(24)} | ${String(r.n).padStart(5)} | ${r.sendRate.toFixed(0).padStart(17)} | ${r.rate.toFixed(1).padStart(26)} | ${String(r.p50).padStart(6)} | ${String(r.p95).padStart(6)} | ${String(r.txs).padStart(12)}`,
  );
}
console.log("\nCPU ms per message, by process (user + system), and origin transactions found stuck:");
for (const r of results)
  console.log(
    `${r.mode.padEnd(24)} | ${Object.entries(r.cpu)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(" | ")} | stuck ${r.stuck}`,
  );
