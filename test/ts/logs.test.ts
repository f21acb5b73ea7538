// Log paging against real RPC limits (sdk/src/logs.ts) and timeline ordering (sdk/src/timeline.ts). The pager reads
// an anvil chain through the test helpers' JSON-RPC proxy, which refuses `eth_getLogs` over N blocks and answers of
// more than M logs the way public providers do; every log must come back, in order, and the page size must adapt.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Abi,
  type Address,
  type PublicClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { ANVIL_KEYS, FaultProxy, deployContract, writeContract } from "../helpers/agents.js";
import { type AnvilChain, rpc, startAnvil } from "../../sdk/src/anvil.js";
import { loadArtifact } from "../../sdk/src/artifacts.js";
import {
  FLOW_EVENT_RANK,
  LogPager,
  LogQueryError,
  classifyLogError,
  orderTimeline,
  suggestedRange,
} from "../../sdk/src/index.js";

const KEY = ANVIL_KEYS[0]!;
const MAX_RANGE = 500;
const MAX_LOGS = 4;

describe("logs: paging eth_getLogs against provider limits", () => {
  let anvil: AnvilChain;
  let proxy: FaultProxy;
  let token: Address;
  let direct: PublicClient;
  let viaProxy: PublicClient;
  let latest: bigint;
  const tokenAbi = (): Abi => loadArtifact("ConcordDemoToken").abi as Abi;

  /** `count` mints in one block (automine off, then one block). */
  async function burst(count: number): Promise<void> {
    await rpc(anvil.rpcUrl, "evm_setAutomine", [false]);
    const account = privateKeyToAccount(KEY);
    const chain = defineChain({
      id: 31_611,
      name: "logs",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [anvil.rpcUrl] } },
    });
    const wallet = createWalletClient({ account, chain, transport: http(anvil.rpcUrl) });
    let nonce = await direct.getTransactionCount({ address: account.address, blockTag: "pending" });
    for (let i = 0; i < count; i++)
      await wallet.writeContract({
        address: token,
        abi: tokenAbi(),
        functionName: "mint",
        args: [account.address, 1n],
        nonce: nonce++,
        gas: 100_000n,
      });
    await rpc(anvil.rpcUrl, "anvil_mine", ["0x1"]);
    await rpc(anvil.rpcUrl, "evm_setAutomine", [true]);
  }

  before(async () => {
    anvil = await startAnvil({ chainId: 31_611 });
    direct = createPublicClient({ transport: http(anvil.rpcUrl) }) as PublicClient;
    const owner = privateKeyToAccount(KEY).address;
    token = await deployContract(anvil.rpcUrl, KEY, "ConcordDemoToken", ["T", "T", owner]);
    // Sparse logs over ~6 000 blocks, and a dense stretch: 3 logs per block in 4 neighbouring blocks.
    for (let round = 0; round < 3; round++) {
      await rpc(anvil.rpcUrl, "anvil_mine", [toHex(1_500)]);
      await writeContract(anvil.rpcUrl, KEY, token, tokenAbi(), "mint", [owner, 1n]);
      await writeContract(anvil.rpcUrl, KEY, token, tokenAbi(), "mint", [owner, 2n]);
    }
    for (let i = 0; i < 4; i++) await burst(3);
    await rpc(anvil.rpcUrl, "anvil_mine", [toHex(1_500)]);
    await writeContract(anvil.rpcUrl, KEY, token, tokenAbi(), "mint", [owner, 3n]);
    latest = await direct.getBlockNumber();
    proxy = await new FaultProxy(anvil.rpcUrl, { maxLogBlockRange: MAX_RANGE, maxLogs: MAX_LOGS }).start();
    viaProxy = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }) }) as PublicClient;
  });

  after(async () => {
    await proxy?.stop();
    await anvil?.stop();
  });

  it("reads every log, in order, through a provider that refuses wide ranges and large answers", async () => {
    const expected = await direct.getLogs({ address: token, fromBlock: 0n, toBlock: latest });
    assert.equal(expected.length, 20); // OwnershipTransferred + 19 mints
    const pager = new LogPager(viaProxy, { initialRange: 2_000 });
    const cursors: bigint[] = [];
    const logs = await pager.getLogs({ address: token }, 0n, latest, (_, to) => {
      cursors.push(to);
    });
    assert.deepEqual(
      logs.map((l) => `${l.blockNumber}:${l.logIndex}:${l.transactionHash}`),
      expected.map((l) => `${l.blockNumber}:${l.logIndex}:${l.transactionHash}`),
    );
    // the cursor only moves forward and ends at the last block
    assert.deepEqual(
      cursors,
      [...cursors].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    assert.equal(cursors.at(-1), latest);

    const seen = proxy.getLogs;
    const span = (r: (typeof seen)[number]) => Number(r.toBlock - r.fromBlock + 1n);
    assert.ok(
      seen.some((r) => r.outcome === "range"),
      "the provider refused a range",
    );
    assert.ok(
      seen.some((r) => r.outcome === "results"),
      "the provider refused an answer",
    );
    for (const r of seen.filter((x) => x.outcome === "ok")) {
      assert.ok(span(r) <= MAX_RANGE, `accepted range ${span(r)}`);
      assert.ok(r.logs <= MAX_LOGS);
    }
    // after shrinking for the dense stretch, the page grows again over the sparse blocks that follow
    const denseRefusal = seen.findIndex((r) => r.outcome === "results");
    const afterRefusal = seen.slice(denseRefusal + 1).filter((r) => r.outcome === "ok");
    const smallest = Math.min(...afterRefusal.map(span));
    const later = afterRefusal.slice(afterRefusal.findIndex((r) => span(r) === smallest) + 1);
    assert.ok(
      later.some((r) => span(r) > smallest * 2),
      `grows after ${smallest}: ${later.map(span).slice(0, 20).join(", ")}`,
    );
    // it learned the range limit: far fewer requests than one per block, and the ceiling is the provider's limit
    assert.ok(pager.stats.requests < 80, `${pager.stats.requests} requests`);
    assert.ok(pager.ceiling !== undefined && pager.ceiling > MAX_RANGE && pager.ceiling <= MAX_RANGE * 2);

    // The same pager again (an agent's next pass): it keeps what it learned and is not refused for the range.
    const before = seen.length;
    const again = await pager.getLogs({ address: token }, 0n, latest);
    assert.equal(again.length, expected.length);
    assert.equal(seen.slice(before).filter((r) => r.outcome === "range").length, 0);
  });

  it("fails with a clear error when one block alone holds more logs than the provider returns", async () => {
    proxy.plan.maxLogs = 2;
    try {
      const dense = (await direct.getLogs({ address: token, fromBlock: 0n, toBlock: latest })).find(
        (l, _, all) => all.filter((x) => x.blockNumber === l.blockNumber).length === 3,
      )!;
      const pager = new LogPager(viaProxy, { initialRange: 64 });
      await assert.rejects(
        pager.getLogs({ address: token }, dense.blockNumber! - 10n, dense.blockNumber! + 10n),
        (e: unknown) =>
          e instanceof LogQueryError &&
          new RegExp(`refused even for block ${dense.blockNumber}`).test(e.message),
      );
    } finally {
      proxy.plan.maxLogs = MAX_LOGS;
    }
  });

  it("throws a connection failure instead of shrinking forever", async () => {
    const down = createPublicClient({
      transport: http("http://127.0.0.1:1", { retryCount: 0 }),
    }) as PublicClient;
    const pager = new LogPager(down, { transportRetries: 1 });
    await assert.rejects(
      pager.getLogs({ address: token }, 0n, 10n),
      (e: unknown) => !(e instanceof LogQueryError),
    );
    assert.equal(pager.stats.requests, 2);
    assert.equal(pager.stats.rejected, 0);
  });

  it("reads providers' limit messages", () => {
    assert.equal(classifyLogError(new Error("query returned more than 10000 results")), "results");
    assert.equal(
      classifyLogError({
        details: "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
      }),
      "results",
    );
    assert.equal(classifyLogError(new Error("eth_getLogs is limited to a 10,000 range")), "range");
    assert.equal(classifyLogError(new Error("exceed maximum block range: 5000")), "range");
    assert.equal(classifyLogError({ name: "HttpRequestError", message: "fetch failed" }), "transport");
    assert.equal(classifyLogError(new Error("execution reverted")), "other");
    assert.equal(suggestedRange(new Error("eth_getLogs is limited to a 10,000 range"), 5n), 10_000);
    assert.equal(suggestedRange(new Error("exceed maximum block range: 5000"), 5n), 5_000);
    assert.equal(
      suggestedRange(new Error("Based on your parameters, this block range should work: [0x10, 0x2f]"), 16n),
      32,
    );
    assert.equal(suggestedRange(new Error("block range too large"), 5n), undefined);
  });
});

describe("timeline: events of several chains in one order", () => {
  type Row = {
    chain: string;
    blockNumber: bigint;
    logIndex: number;
    timestamp: bigint;
    rank: number;
    name: string;
  };
  const row = (
    chain: string,
    blockNumber: number,
    logIndex: number,
    timestamp: number,
    name: string,
  ): Row => ({
    chain,
    blockNumber: BigInt(blockNumber),
    logIndex,
    timestamp: BigInt(timestamp),
    rank: FLOW_EVENT_RANK[name] ?? 9,
    name,
  });

  it("keeps each chain's block and log order, several events in one block included", () => {
    // On B: delivered, failed and exported in one block (log indexes 0, 1, 2), given out of order.
    const rows = [
      row("B", 20, 2, 100, "OutcomeExported"),
      row("B", 20, 0, 100, "FlowDelivered"),
      row("B", 20, 1, 100, "FlowFailed"),
    ];
    assert.deepEqual(
      orderTimeline(rows).map((r) => r.name),
      ["FlowDelivered", "FlowFailed", "OutcomeExported"],
    );
  });

  it("merges chains by timestamp, equal timestamps by lifecycle step, then by chain", () => {
    // Whole-second timestamps: B's FlowFailed and A's FlowCompensated share second 101.
    const rows = [
      row("A", 7, 0, 101, "FlowCompensated"),
      row("A", 6, 3, 101, "OutcomeAcknowledged"),
      row("B", 21, 1, 101, "OutcomeExported"),
      row("B", 21, 0, 101, "FlowFailed"),
      row("A", 5, 1, 100, "FlowOpened"),
      row("B", 20, 0, 100, "FlowDelivered"),
    ];
    assert.deepEqual(
      orderTimeline(rows, ["A", "B"]).map((r) => `${r.chain}:${r.name}`),
      [
        "A:FlowOpened",
        "B:FlowDelivered",
        "B:FlowFailed",
        "B:OutcomeExported",
        "A:OutcomeAcknowledged",
        "A:FlowCompensated",
      ],
    );
    // A later timestamp always comes later, whatever its rank; the order is stable for equal keys.
    const late = [row("A", 9, 0, 105, "FlowOpened"), row("B", 22, 0, 104, "FlowCompensated")];
    assert.deepEqual(
      orderTimeline(late).map((r) => r.chain),
      ["B", "A"],
    );
    const tie = [row("B", 1, 0, 100, "X"), row("A", 1, 0, 100, "X")];
    assert.deepEqual(
      orderTimeline(tie, ["A", "B"]).map((r) => r.chain),
      ["A", "B"],
    );
  });

  it("never reorders a chain's own events, even when their ranks disagree with the block order", () => {
    // An event with a later lifecycle step in an earlier block of the same chain stays first on that chain.
    const rows = [row("A", 2, 0, 100, "FlowOpened"), row("A", 1, 0, 100, "FlowFinalized")];
    assert.deepEqual(
      orderTimeline(rows).map((r) => r.name),
      ["FlowFinalized", "FlowOpened"],
    );
  });
});
