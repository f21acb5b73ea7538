// `concord deploy` with `chains.<name>.flows.transport = "hyperlane"` (issue 16, deploy side): FlowEscrow and
// FlowExecutor built on the chain's HyperlaneAdapter, sponsored there with a funded sponsor balance, on two real anvil
// chains with real Hyperlane contracts from @hyperlane-xyz/core 12.1.0 (Mailbox, MerkleTreeHook as the required hook,
// TestPostDispatchHook as the default hook with a fee, TestIsm). TestIsm accepts every message: this test plays
// Hyperlane's relayer and calls the destination Mailbox's `process` with the real dispatched message, as
// adapter-deploy.test.ts does; Hyperlane's validators are covered by the Solidity suite (test/adapters/).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  type Hex,
  type TransactionReceipt,
  encodeAbiParameters,
  getAddress,
  parseAbi,
  parseEther,
  parseEventLogs,
} from "viem";

import { type AnvilChain, startAnvil } from "../../sdk/src/anvil.js";
import {
  ConfigError,
  type Deployment,
  deploy,
  loadArtifact,
  readDeployment,
  validateConfig,
} from "../../sdk/src/deploy/index.js";
import {
  buildFlowRequest,
  escrowAbi,
  executorAbi,
  type Flow,
  exportFlowOutcome,
  flowStatus,
  openFlow,
  quoteFlowFees,
} from "../../sdk/src/index.js";
import { forgeArtifact } from "../helpers/artifacts.js";
import { BIN, concord } from "../helpers/cli.js";
import { type ChainSide, chainSide, deployHyperlane, deployer, write } from "../helpers/sides.js";

const CHAIN_A = 31_631;
const CHAIN_B = 31_632;
const HL_A = 7_101;
const HL_B = 7_102;
/** What the default hook charges per dispatch (wei): the sponsor balance pays it for each flow message. */
const HOOK_FEE = 1_000n;
const MIN_BALANCE = 10n ** 15n;
const TOP_UP_TO = 5n * 10n ** 15n;

const mailboxArtifact = forgeArtifact("Mailbox.sol", "Mailbox");
const MAILBOX_EVENTS = parseAbi([
  "event Dispatch(address indexed sender, uint32 indexed destination, bytes32 indexed recipient, bytes message)",
]);
const counterAbi = parseAbi(["function total() view returns (uint256)"]);

type Side = ChainSide & { mailbox: Address };

function sideOf(anvil: AnvilChain): Side {
  return { ...chainSide(anvil), mailbox: "0x" };
}

/** Hyperlane on one chain: Mailbox(domain), TestIsm as default ISM, MerkleTreeHook required, a paid default hook. */
/** Hyperlane on one chain, from forge's build of @hyperlane-xyz/core. */
async function deployHyperlaneOn(side: Side, domain: number): Promise<void> {
  const { mailbox } = await deployHyperlane(side, domain, HOOK_FEE, (name) =>
    forgeArtifact(`${name}.sol`, name),
  );
  side.mailbox = mailbox;
}

/** The two-chain config; `flows` (per side) is the `flows` section, `hyperlane: false` leaves a side's section out. */
function rawConfig(
  a: Side,
  b: Side,
  flows: { a?: unknown; b?: unknown } = {},
  hyperlane: { a?: boolean; b?: boolean } = {},
) {
  const chain = (side: Side, domain: number, f: unknown, withSection = true) => ({
    chainId: side.chainId,
    rpcUrl: side.anvil.rpcUrl,
    local: true,
    demo: false,
    finalityDepth: 0,
    validators: [deployer.address],
    threshold: 1,
    executeGasOverhead: {},
    ...(withSection ? { hyperlane: { mailbox: side.mailbox, domain } } : {}),
    ...(f === undefined ? {} : { flows: f }),
  });
  return {
    saltPrefix: "concord.flow-adapter-test",
    chains: {
      chainA: chain(a, HL_A, flows.a, hyperlane.a ?? true),
      chainB: chain(b, HL_B, flows.b, hyperlane.b ?? true),
    },
  };
}

const HYPERLANE_FLOWS = {
  transport: "hyperlane",
  sponsor: { minBalance: String(MIN_BALANCE), topUpTo: String(TOP_UP_TO) },
};

describe("flows over a transport adapter: concord deploy (chains.<name>.flows) and a flow A -> B -> A over Hyperlane", () => {
  let dir: string;
  let registry: string;
  const anvils: AnvilChain[] = [];
  let A: Side;
  let B: Side;
  const deployments: Record<number, Deployment> = {};
  const config = () => validateConfig(rawConfig(A, B, { a: HYPERLANE_FLOWS, b: HYPERLANE_FLOWS }));
  const adapterAbi = loadArtifact("HyperlaneAdapter").abi;

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run scripts/build.sh`);
    dir = mkdtempSync(join(tmpdir(), "concord-flow-adapter-"));
    registry = join(dir, "deployments");
    for (const chainId of [CHAIN_A, CHAIN_B]) anvils.push(await startAnvil({ chainId }));
    A = sideOf(anvils[0]!);
    B = sideOf(anvils[1]!);
    await deployHyperlaneOn(A, HL_A);
    await deployHyperlaneOn(B, HL_B);
  });

  after(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("validates chains.<name>.flows, naming the key and what to change", () => {
    const bad = (
      flows: { a?: unknown; b?: unknown },
      key: string,
      problem: RegExp,
      hyperlane: { a?: boolean; b?: boolean } = {},
    ) =>
      assert.throws(
        () => validateConfig(rawConfig(A, B, flows, hyperlane)),
        (e: unknown) => e instanceof ConfigError && e.key === key && problem.test(e.problem),
        key,
      );
    bad({ a: { transport: "smoke" } }, "chains.chainA.flows.transport", /must be one of native, hyperlane/);
    bad({ a: { transport: 7 } }, "chains.chainA.flows.transport", /must be one of/);
    bad({ a: "hyperlane" }, "chains.chainA.flows", /must be an object/);
    bad({ a: { transport: "hyperlane", gas: 1 } }, "chains.chainA.flows.gas", /unknown key/);
    bad({ a: { transport: "layerzero" } }, "chains.chainA.flows.transport", /no layerzero section: add it/);
    bad({ a: { transport: "aggregator" } }, "chains.chainA.flows.transport", /no aggregator section/);
    bad({ a: HYPERLANE_FLOWS, b: HYPERLANE_FLOWS }, "chains.chainB.flows.transport", /no hyperlane section/, {
      b: false,
    });
    // both ends of a flow route use one transport
    bad(
      { a: HYPERLANE_FLOWS },
      "chains.chainA.flows.transport",
      /remote chainB runs its flows over "native".*set chains\.chainB\.flows\.transport to "hyperlane"/,
    );
    bad(
      { a: { transport: "native", sponsor: { minBalance: "1" } } },
      "chains.chainA.flows.sponsor",
      /pay no transport fee/,
    );
    const sponsor = (s: unknown) => ({ a: { transport: "hyperlane", sponsor: s }, b: HYPERLANE_FLOWS });
    bad(sponsor({}), "chains.chainA.flows.sponsor.minBalance", /required/);
    bad(sponsor({ minBalance: "0" }), "chains.chainA.flows.sponsor.minBalance", /above 0/);
    bad(sponsor({ minBalance: "1e18" }), "chains.chainA.flows.sponsor.minBalance", /decimal string/);
    bad(sponsor({ minBalance: -1 }), "chains.chainA.flows.sponsor.minBalance", /non-negative/);
    bad(sponsor({ minBalance: String(2n ** 128n) }), "chains.chainA.flows.sponsor.minBalance", /2\*\*128/);
    bad(
      sponsor({ minBalance: "10", topUpTo: "9" }),
      "chains.chainA.flows.sponsor.topUpTo",
      /at least minBalance/,
    );
    bad(sponsor({ minBalance: "10", max: "9" }), "chains.chainA.flows.sponsor.max", /unknown key/);
    // defaults: native everywhere; topUpTo = minBalance
    const plain = validateConfig(rawConfig(A, B));
    assert.deepEqual(plain.chains.chainA!.flows, { transport: "native" });
    const ok = validateConfig(rawConfig(A, B, sponsor({ minBalance: 10 })));
    assert.deepEqual(ok.chains.chainA!.flows, {
      transport: "hyperlane",
      sponsor: { minBalance: 10n, topUpTo: 10n },
    });
  });

  it("deploys the flow endpoints on the HyperlaneAdapter, sponsored and funded; a second run plans nothing", async () => {
    // through the CLI, as a team runs it
    const configPath = join(dir, "chains.json");
    writeFileSync(
      configPath,
      JSON.stringify(rawConfig(A, B, { a: HYPERLANE_FLOWS, b: HYPERLANE_FLOWS }), null, 2),
    );
    const cli = (...extra: string[]) =>
      concord(["deploy", "--config", configPath, "--registry", registry, "--json", "--quiet", ...extra]);
    const run = await cli();
    assert.equal(run.code, 0, run.stderr);
    const first = JSON.parse(run.stdout) as {
      transactionsSent: number;
      chains: { name: string; transactions: string[]; flows?: unknown }[];
    };
    assert.ok(first.transactionsSent > 0);
    for (const side of [A, B]) {
      const d = readDeployment(registry, side.chainId);
      deployments[side.chainId] = d;
      const adapter = d.contracts.HyperlaneAdapter!;
      assert.deepEqual(d.flows, {
        transport: "hyperlane",
        gateway: adapter,
        sponsor: { minBalance: String(MIN_BALANCE), topUpTo: String(TOP_UP_TO) },
      });
      for (const [name, abi] of [
        ["FlowEscrow", escrowAbi()],
        ["FlowExecutor", executorAbi()],
      ] as const) {
        const endpoint = d.contracts[name]!;
        const gateway = await side.public.readContract({ address: endpoint, abi, functionName: "gateway" });
        assert.equal(getAddress(gateway as Address), adapter, `${name} is built on the adapter`);
        const sponsored = await side.public.readContract({
          address: adapter,
          abi: adapterAbi,
          functionName: "isSponsoredSender",
          args: [endpoint],
        });
        assert.equal(sponsored, true, `${name} is a sponsored sender`);
        // counterparts: the remote chain's matching endpoint (same CREATE3 address)
        const remoteDomain = side === A ? CHAIN_B : CHAIN_A;
        const counterpart = await side.public.readContract({
          address: endpoint,
          abi,
          functionName: "remote",
          args: [remoteDomain],
        });
        assert.equal(
          getAddress(counterpart as Address),
          d.contracts[name === "FlowEscrow" ? "FlowExecutor" : "FlowEscrow"],
        );
      }
      assert.equal(await side.public.getBalance({ address: adapter }), TOP_UP_TO, "sponsor balance funded");
      // the native gateway is still deployed and wired for other apps
      assert.ok(d.contracts.ConcordGateway);
    }
    for (const c of first.chains) {
      const txs = c.transactions;
      const order = (prefix: string) => txs.findIndex((t) => t.startsWith(prefix));
      // the adapter is deployed before the endpoints built on it
      assert.ok(order("deploy HyperlaneAdapter at ") < order("deploy FlowEscrow at "), c.name);
      assert.ok(order("deploy FlowEscrow at ") < order("deploy FlowExecutor at "), c.name);
      assert.equal(
        txs.filter((t) => t.startsWith("HyperlaneAdapter.setSponsoredSender(0x")).length,
        2,
        c.name,
      );
      assert.deepEqual(
        txs.filter((t) => t.startsWith("HyperlaneAdapter.fund(")),
        [`HyperlaneAdapter.fund() with ${TOP_UP_TO} wei (sponsor balance 0 -> ${TOP_UP_TO})`],
        c.name,
      );
      assert.equal((c.flows as { transport: string }).transport, "hyperlane");
    }
    const second = await cli("--dry-run");
    assert.equal(second.code, 0, second.stderr);
    assert.equal(
      (JSON.parse(second.stdout) as { transactionsPlanned: number }).transactionsPlanned,
      0,
      second.stdout,
    );
  });

  /** The Hyperlane message dispatched in `receipt` (the adapter's send through the Mailbox). */
  const dispatched = (receipt: TransactionReceipt): Hex => {
    const logs = parseEventLogs({ abi: MAILBOX_EVENTS, logs: receipt.logs, eventName: "Dispatch" });
    assert.equal(logs.length, 1, "one Hyperlane dispatch");
    return logs[0]!.args.message;
  };
  /** Plays Hyperlane's relayer on `side` (TestIsm: empty metadata). */
  const relay = (side: Side, message: Hex) =>
    write(side, side.mailbox, mailboxArtifact.abi, "process", ["0x", message]);

  /** Opens a flow on A to B's CrossChainCounter (+3). */
  let settledFlow: Flow | undefined;

  async function open() {
    const escrow = deployments[CHAIN_A]!.contracts.FlowEscrow!;
    const executionGas = 200_000;
    const fees = await quoteFlowFees({
      publicClient: A.public,
      escrow,
      destinationDomain: CHAIN_B,
      executionGas,
    });
    const now = (await A.public.getBlock()).timestamp;
    return openFlow({
      publicClient: A.public,
      walletClient: A.wallet,
      escrow,
      request: buildFlowRequest({
        destinationDomain: CHAIN_B,
        executor: deployments[CHAIN_B]!.contracts.FlowExecutor!,
        target: deployments[CHAIN_B]!.contracts.CrossChainCounter!,
        deadline: now + 3600n,
        executionGas,
        refundTo: deployer.address,
        beneficiary: deployer.address,
        amount: parseEther("0.01"),
        feeRecipient: deployer.address,
        fees,
      }),
      payload: encodeAbiParameters([{ type: "uint256" }], [3n]),
    });
  }

  it("a flow opened on A: EXECUTE over Hyperlane, executed on B, OUTCOME over Hyperlane, settled on A", async () => {
    const dA = deployments[CHAIN_A]!;
    const dB = deployments[CHAIN_B]!;
    const escrow = dA.contracts.FlowEscrow!;
    const executor = dB.contracts.FlowExecutor!;
    const counter = dB.contracts.CrossChainCounter!;
    const balance = (side: Side, d: Deployment) =>
      side.public.getBalance({ address: d.contracts.HyperlaneAdapter! });
    const [sponsorA, sponsorB] = [await balance(A, dA), await balance(B, dB)];
    const opened = await open();
    // EXECUTE left through A's adapter (paid from its sponsor balance), not through ConcordGateway
    const execute = dispatched(opened.receipt);
    assert.equal(await balance(A, dA), sponsorA - HOOK_FEE, "A's sponsor balance paid the EXECUTE");
    const status = () =>
      flowStatus({
        origin: { publicClient: A.public, address: escrow },
        destination: { publicClient: B.public, address: executor },
        flowId: opened.flowId,
      });
    assert.equal((await status()).destination.status, "NONE");
    const totalBefore = await B.public.readContract({
      address: counter,
      abi: counterAbi,
      functionName: "total",
    });
    // B: the Mailbox delivers to B's adapter, which hands the EXECUTE to the executor; the OUTCOME leaves at once
    const delivered = await relay(B, execute);
    const afterExecute = await status();
    assert.equal(afterExecute.destination.status, "EXECUTED");
    assert.equal(afterExecute.origin.phase, "LOCKED");
    assert.equal(afterExecute.next, "RELAY_OUTCOME");
    assert.equal(
      await B.public.readContract({ address: counter, abi: counterAbi, functionName: "total" }),
      totalBefore + 3n,
    );
    const outcome = dispatched(delivered);
    assert.equal(await balance(B, dB), sponsorB - HOOK_FEE, "B's sponsor balance paid the OUTCOME");
    // A: the OUTCOME settles the flow
    await relay(A, outcome);
    const settled = await status();
    assert.equal(settled.origin.phase, "SETTLED");
    assert.equal(settled.origin.outcome, "EXECUTED");
    assert.equal(settled.next, "DONE");
    // balances stay above minBalance: nothing to top up
    assert.equal((await deploy({ config: config(), dryRun: true })).plan.transactionCount, 0);
    settledFlow = opened.flow;
  });

  // Known limit (deploy/README.md, audits/THREAT_MODEL.md): the sponsor balance pays every send of a sponsored endpoint,
  // and `exportOutcome` of a terminal flow is open to anyone, any number of times. This measures what each such call
  // costs the sponsor (the protocol fee; the caller pays only gas), so that the bound the docs give stays true.
  it("known limit: each re-export of a settled flow's OUTCOME is paid from B's sponsor balance", async () => {
    const dB = deployments[CHAIN_B]!;
    const adapterB = dB.contracts.HyperlaneAdapter!;
    const before = await B.public.getBalance({ address: adapterB });
    for (let i = 0; i < 2; i++) {
      const exported = await exportFlowOutcome({
        publicClient: B.public,
        walletClient: B.wallet,
        executor: dB.contracts.FlowExecutor!,
        flow: settledFlow!,
      });
      dispatched(exported.receipt);
    }
    assert.equal(await B.public.getBalance({ address: adapterB }), before - 2n * HOOK_FEE);
  });

  it("repairs drift: an endpoint no longer sponsored and a sponsor balance below minBalance", async () => {
    const dB = deployments[CHAIN_B]!;
    const adapter = dB.contracts.HyperlaneAdapter!;
    await write(B, adapter, adapterAbi, "setSponsoredSender", [dB.contracts.FlowExecutor!, false]);
    const balance = await B.public.getBalance({ address: adapter });
    const left = MIN_BALANCE - 1n;
    await write(B, adapter, adapterAbi, "withdrawSponsorFunds", [deployer.address, balance - left]);
    const dry = await deploy({ config: config(), dryRun: true });
    const planB = dry.plan.chains.find((c) => c.name === "chainB")!;
    assert.deepEqual(
      planB.transactions.map((t) => t.description.split("(")[0]),
      ["HyperlaneAdapter.setSponsoredSender", "HyperlaneAdapter.fund"],
    );
    assert.equal(planB.transactions[1]!.value, TOP_UP_TO - left);
    assert.equal(dry.plan.transactionCount, 2, "chain A unchanged");
    const fixed = await deploy({ config: config(), registryDir: registry });
    assert.equal(fixed.transactionsSent, 2);
    assert.equal(await B.public.getBalance({ address: adapter }), TOP_UP_TO);
    assert.equal(
      await B.public.readContract({
        address: adapter,
        abi: adapterAbi,
        functionName: "isSponsoredSender",
        args: [dB.contracts.FlowExecutor!],
      }),
      true,
    );
    assert.equal((await deploy({ config: config(), dryRun: true })).plan.transactionCount, 0);
  });

  it("no stuck OUTCOME: with B's sponsor balance empty the execution stands, the OUTCOME leaves once deploy tops it up", async () => {
    const dB = deployments[CHAIN_B]!;
    const adapterB = dB.contracts.HyperlaneAdapter!;
    const executor = dB.contracts.FlowExecutor!;
    await write(B, adapterB, adapterAbi, "withdrawSponsorFunds", [
      deployer.address,
      await B.public.getBalance({ address: adapterB }),
    ]);
    const opened = await open();
    const delivered = await relay(B, dispatched(opened.receipt));
    // executed, but the OUTCOME could not be paid: recorded, nothing dispatched
    const failed = parseEventLogs({
      abi: executorAbi(),
      logs: delivered.logs,
      eventName: "OutcomeExportFailed",
    });
    assert.equal(failed.length, 1, "OutcomeExportFailed");
    assert.equal(
      parseEventLogs({ abi: MAILBOX_EVENTS, logs: delivered.logs, eventName: "Dispatch" }).length,
      0,
    );
    const status = () =>
      flowStatus({
        origin: { publicClient: A.public, address: deployments[CHAIN_A]!.contracts.FlowEscrow! },
        destination: { publicClient: B.public, address: executor },
        flowId: opened.flowId,
      });
    assert.equal((await status()).destination.status, "EXECUTED");
    assert.equal((await status()).origin.phase, "LOCKED");
    // the next deploy run tops B's balance up (one fund() on B only)
    const fixed = await deploy({ config: config(), registryDir: registry });
    assert.equal(fixed.transactionsSent, 1);
    assert.equal(await B.public.getBalance({ address: adapterB }), TOP_UP_TO);
    // anyone re-exports the OUTCOME over the primary gateway (the adapter), then it settles A
    const exported = await exportFlowOutcome({
      publicClient: B.public,
      walletClient: B.wallet,
      executor,
      flow: opened.flow,
    });
    await relay(A, dispatched(exported.receipt));
    const settled = await status();
    assert.equal(settled.origin.phase, "SETTLED");
    assert.equal(settled.origin.outcome, "EXECUTED");
  });

  it("refuses another transport for deployed endpoints (immutable gateway), naming flows.transport; no sponsor: a warning, no fund()", async () => {
    await assert.rejects(
      deploy({ config: validateConfig(rawConfig(A, B)), dryRun: true }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.key.endsWith(".flows.transport") &&
        /is "native" \(ConcordGateway .*\), but FlowEscrow at .* was deployed on gateway .*use a new saltPrefix/.test(
          e.problem,
        ),
    );
    // a new salt prefix deploys a native pair next to it
    const fresh = validateConfig({ ...rawConfig(A, B), saltPrefix: "concord.flow-adapter-test.native" });
    const plan = await deploy({ config: fresh, dryRun: true });
    assert.ok(plan.plan.transactionCount > 0);
    // without a sponsor section nothing is funded, and the plan says the balance is empty
    const unfunded = validateConfig({
      ...rawConfig(A, B, { a: { transport: "hyperlane" }, b: { transport: "hyperlane" } }),
      saltPrefix: "concord.flow-adapter-test.unfunded",
    });
    const dry = await deploy({ config: unfunded, dryRun: true });
    for (const c of dry.plan.chains) {
      assert.equal(
        c.transactions.filter((t) => t.description.startsWith("HyperlaneAdapter.fund(")).length,
        0,
      );
      assert.equal(
        c.transactions.filter((t) => t.description.startsWith("HyperlaneAdapter.setSponsoredSender(")).length,
        2,
      );
    }
    for (const name of ["chainA", "chainB"])
      assert.ok(
        dry.plan.warnings.some((w) =>
          w.includes(`which is 0: set chains.${name}.flows.sponsor, or fund() it yourself`),
        ),
        dry.plan.warnings.join("\n"),
      );
  });
});

async function warp(side: Side, seconds: number) {
  await side.public.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
  await side.public.request({ method: "evm_mine" as never, params: [] as never });
}

describe("flows over the TransportAggregator: concord deploy (flows.transport = aggregator) and a flow A -> B -> A", () => {
  const CONFIG_DELAY = 60;
  let dir: string;
  let registry: string;
  const anvils: AnvilChain[] = [];
  let A: Side;
  let B: Side;
  const deployments: Record<number, Deployment> = {};
  const aggregatorAbi = loadArtifact("TransportAggregator").abi;
  /** Both chains: a hyperlane section, an aggregator over native + hyperlane with a 1-of-2 route to the other, and
   * flows over the aggregator. */
  const raw = () => {
    const r = rawConfig(A, B, {
      a: { transport: "aggregator", sponsor: HYPERLANE_FLOWS.sponsor },
      b: { transport: "aggregator", sponsor: HYPERLANE_FLOWS.sponsor },
    });
    const chains = r.chains as Record<string, Record<string, unknown>>;
    chains.chainA!.aggregator = { configDelay: CONFIG_DELAY, remotes: { chainB: { threshold: 1 } } };
    chains.chainB!.aggregator = { configDelay: CONFIG_DELAY, remotes: { chainA: { threshold: 1 } } };
    return { ...r, saltPrefix: "concord.flow-aggregator-test" };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-flow-aggregator-"));
    registry = join(dir, "deployments");
    for (const chainId of [CHAIN_A + 10, CHAIN_B + 10]) anvils.push(await startAnvil({ chainId }));
    A = sideOf(anvils[0]!);
    B = sideOf(anvils[1]!);
    await deployHyperlaneOn(A, HL_A);
    await deployHyperlaneOn(B, HL_B);
  });

  after(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses flows over the aggregator to a remote without a route, naming the key", () => {
    const r = raw();
    (r.chains as Record<string, Record<string, unknown>>).chainA!.aggregator = {
      configDelay: CONFIG_DELAY,
      remotes: {},
    };
    assert.throws(
      () => validateConfig(r),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.key === "chains.chainA.flows.transport" &&
        /aggregator\.remotes has no route to chainB: add one/.test(e.problem),
    );
  });

  it("deploys the endpoints on the aggregator, sponsored and funded there; once the routes are in effect a flow executes on B and settles on A", async () => {
    await deploy({ config: validateConfig(raw()), registryDir: registry });
    for (const side of [A, B]) {
      const d = readDeployment(registry, side.chainId);
      deployments[side.chainId] = d;
      const agg = d.contracts.TransportAggregator!;
      assert.equal(d.flows?.gateway, agg);
      for (const name of ["FlowEscrow", "FlowExecutor"]) {
        const endpoint = d.contracts[name]!;
        assert.equal(
          getAddress(
            (await side.public.readContract({
              address: endpoint,
              abi: escrowAbi(),
              functionName: "gateway",
            })) as Address,
          ),
          agg,
        );
        assert.equal(
          await side.public.readContract({
            address: agg,
            abi: aggregatorAbi,
            functionName: "isSponsoredSender",
            args: [endpoint],
          }),
          true,
        );
      }
      assert.equal(await side.public.getBalance({ address: agg }), TOP_UP_TO);
    }
    await warp(A, CONFIG_DELAY + 1);
    await warp(B, CONFIG_DELAY + 1);
    const again = await deploy({ config: validateConfig(raw()), dryRun: true });
    assert.equal(again.plan.transactionCount, 0);

    const escrow = deployments[A.chainId]!.contracts.FlowEscrow!;
    const executor = deployments[B.chainId]!.contracts.FlowExecutor!;
    const executionGas = 200_000;
    const fees = await quoteFlowFees({
      publicClient: A.public,
      escrow,
      destinationDomain: B.chainId,
      executionGas,
    });
    const opened = await openFlow({
      publicClient: A.public,
      walletClient: A.wallet,
      escrow,
      request: buildFlowRequest({
        destinationDomain: B.chainId,
        executor,
        target: deployments[B.chainId]!.contracts.CrossChainCounter!,
        deadline: (await A.public.getBlock()).timestamp + 3600n,
        executionGas,
        refundTo: deployer.address,
        beneficiary: deployer.address,
        feeRecipient: deployer.address,
        fees,
      }),
      payload: encodeAbiParameters([{ type: "uint256" }], [2n]),
    });
    // the aggregator paid its Hyperlane leg from its sponsor balance (the native leg is free)
    assert.equal(
      await A.public.getBalance({ address: deployments[A.chainId]!.contracts.TransportAggregator! }),
      TOP_UP_TO - HOOK_FEE,
    );
    const relay = (side: Side, receipt: TransactionReceipt) => {
      const [d] = parseEventLogs({ abi: MAILBOX_EVENTS, logs: receipt.logs, eventName: "Dispatch" });
      assert.ok(d, "a Hyperlane leg was dispatched");
      return write(side, side.mailbox, mailboxArtifact.abi, "process", ["0x", d.args.message]);
    };
    // 1 of 2: the Hyperlane leg alone executes the EXECUTE on B; the OUTCOME leaves over B's aggregator
    const onB = await relay(B, opened.receipt);
    const status = () =>
      flowStatus({
        origin: { publicClient: A.public, address: escrow },
        destination: { publicClient: B.public, address: executor },
        flowId: opened.flowId,
      });
    assert.equal((await status()).destination.status, "EXECUTED");
    await relay(A, onB);
    const settled = await status();
    assert.equal(settled.origin.phase, "SETTLED");
    assert.equal(settled.origin.outcome, "EXECUTED");
  });
});
