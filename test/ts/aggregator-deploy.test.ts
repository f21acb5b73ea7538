// `concord deploy` wires the TransportAggregator and the per-destination flow EXECUTE gas overhead (issues 16, 17),
// on two real anvil chains with Hyperlane's real Mailbox (from the SDK's committed fixture, TestIsm as its ISM): the
// aggregator of each chain over Concord's native gateway and the Hyperlane adapter, routes both ways; delayed
// changes scheduled once and reported with their activation; a message sent over the deployed wiring and executed
// at the threshold (the test signs the native leg as the 1-of-1 validator set and plays Hyperlane's relayer);
// FlowEscrow.setExecuteGasOverhead from the config; bad configs refused with a message that says what to change.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Abi, type Address, type Hex, parseAbi, parseEventLogs, toHex, zeroAddress } from "viem";

import { type AnvilChain, startAnvil } from "../../sdk/src/anvil.js";
import {
  ConfigError,
  EXECUTE_GAS_OVERHEAD,
  MAX_EXECUTE_GAS_OVERHEAD,
  type Plan,
  deploy,
  readDeployment,
  validateConfig,
} from "../../sdk/src/deploy/index.js";
import {
  concordAbi,
  formatEvmV1,
  iConcordGatewayAbi,
  iTransportAggregatorAbi,
  processMessage,
  signMessageIdMetadata,
} from "../../sdk/src/index.js";
import { BIN, concord } from "../helpers/cli.js";
import {
  type ChainSide,
  chainSide,
  deployHyperlane,
  deployRaw,
  deployer,
  hardhatArtifact,
  hyperlaneArtifact,
  write,
} from "../helpers/sides.js";

const CHAIN_A = 31_631;
const CHAIN_B = 31_632;
const HL_A = 7_201;
const HL_B = 7_202;
const HOOK_FEE = 1_000n;
const CONFIG_DELAY = 600;
const RELEASE_DELAY = 1_200;

const mailboxArtifact = hyperlaneArtifact("Mailbox");
const recipientArtifact = hardhatArtifact("contracts/mocks/MockRecipient.sol", "MockRecipient");
const MAILBOX_EVENTS = parseAbi([
  "event Dispatch(address indexed sender, uint32 indexed destination, bytes32 indexed recipient, bytes message)",
]);

type Side = ChainSide & {
  hl: number;
  mailbox: Address;
  ism: Address;
};

function sideOf(anvil: AnvilChain, hl: number): Side {
  return {
    ...chainSide(anvil),
    hl,
    mailbox: zeroAddress,
    ism: zeroAddress,
  };
}

async function deployHyperlaneOn(side: Side): Promise<void> {
  Object.assign(side, await deployHyperlane(side, side.hl, HOOK_FEE));
}

/** Moves a chain's clock by `seconds` and mines a block. */
async function warp(side: Side, seconds: number) {
  await side.public.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
  await side.public.request({ method: "evm_mine" as never, params: [] as never });
}

async function now(side: Side): Promise<number> {
  return Number((await side.public.getBlock({ blockTag: "latest" })).timestamp);
}

type Route = {
  gateways?: string[];
  threshold?: number;
  highThreshold?: number;
  valueBound?: string | number;
};

describe("deploy: the TransportAggregator (native + Hyperlane) and the flows' per-destination EXECUTE overhead", () => {
  let dir: string;
  let registry: string;
  let configPath: string;
  const anvils: AnvilChain[] = [];
  let A: Side;
  let B: Side;
  const aggAbi = concordAbi("TransportAggregator") as Abi;

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run scripts/build.sh`);
    dir = mkdtempSync(join(tmpdir(), "concord-aggregator-deploy-"));
    registry = join(dir, "deployments");
    configPath = join(dir, "chains.json");
    for (const chainId of [CHAIN_A, CHAIN_B]) anvils.push(await startAnvil({ chainId }));
    A = sideOf(anvils[0]!, HL_A);
    B = sideOf(anvils[1]!, HL_B);
    await deployHyperlaneOn(A);
    await deployHyperlaneOn(B);
  });

  after(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The two chains with Hyperlane sections; `aggregator` sections and flow overheads as given. */
  function rawConfig(
    opts: {
      a?: Record<string, unknown>;
      b?: Record<string, unknown>;
      overheadA?: Record<string, unknown>;
      hyperlaneB?: boolean;
    } = {},
  ) {
    const chain = (
      side: Side,
      aggregator?: Record<string, unknown>,
      hyperlane = true,
      overhead?: unknown,
    ) => ({
      chainId: side.chainId,
      rpcUrl: side.anvil.rpcUrl,
      local: true,
      demo: false,
      finalityDepth: 0,
      validators: [deployer.address],
      threshold: 1,
      ...(hyperlane ? { hyperlane: { mailbox: side.mailbox, domain: side.hl, ism: side.ism } } : {}),
      ...(aggregator ? { aggregator } : {}),
      ...(overhead ? { executeGasOverhead: overhead } : {}),
    });
    return {
      saltPrefix: "concord.aggregator-deploy-test",
      chains: {
        chainA: chain(A, opts.a, true, opts.overheadA),
        chainB: chain(B, opts.b, opts.hyperlaneB ?? true),
      },
    };
  }
  const aggregator = (remotes: Record<string, Route>, extra: Record<string, unknown> = {}) => ({
    configDelay: CONFIG_DELAY,
    releaseDelay: RELEASE_DELAY,
    remotes,
    ...extra,
  });
  /** The wiring the first deploy makes: 1 of 2 both ways, 2 of 2 above a declared 1 ether. */
  const routeAB: Route = { threshold: 1, highThreshold: 2, valueBound: "1000000000000000000" };
  const routeBA: Route = { threshold: 1, highThreshold: 2, valueBound: "1000000000000000000" };
  const wired = (ab: Route = routeAB, ba: Route = routeBA) =>
    rawConfig({ a: aggregator({ chainB: ab }), b: aggregator({ chainA: ba }) });

  const txs = (plan: Plan) =>
    plan.chains.flatMap((c) => c.transactions.map((t) => `${c.name}: ${t.description}`));

  it("refuses bad aggregator and overhead sections, naming the key and what to change", () => {
    const bad = (raw: unknown, key: string, problem: RegExp) =>
      assert.throws(
        () => validateConfig(raw),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.equal(e.key, key);
          assert.match(e.problem, problem);
          return true;
        },
      );
    // a gateway without its adapter section, an unknown gateway, a duplicate
    bad(
      rawConfig({ a: aggregator({}, { gateways: ["native", "layerzero"] }) }),
      "chains.chainA.aggregator.gateways[1]",
      /chains\.chainA has no layerzero section, so no LayerZeroAdapter to register: add the section/,
    );
    bad(
      rawConfig({ a: aggregator({}, { gateways: ["native", "smoke-signals"] }) }),
      "chains.chainA.aggregator.gateways[1]",
      /unknown gateway "smoke-signals": use "native" \(the ConcordGateway\) or an adapter section of this chain \(hyperlane\)/,
    );
    bad(
      rawConfig({ a: aggregator({}, { gateways: ["native", "native"] }) }),
      "chains.chainA.aggregator.gateways[1]",
      /duplicate gateway "native"/,
    );
    // routes: no aggregator on the other end, an unknown chain, thresholds
    bad(
      rawConfig({ a: aggregator({ chainB: { threshold: 1 } }) }),
      "chains.chainA.aggregator.remotes.chainB",
      /chains\.chainB has no aggregator section: .* add "aggregator": \{\} to chains\.chainB/,
    );
    bad(
      rawConfig({ a: aggregator({ chainC: { threshold: 1 } }), b: aggregator({}) }),
      "chains.chainA.aggregator.remotes.chainC",
      /unknown chain "chainC"/,
    );
    bad(
      wired({ threshold: 3 }),
      "chains.chainA.aggregator.remotes.chainB.threshold",
      /must be between 1 and the route's number of gateways \(2: native, hyperlane\), got 3: lower it or add gateways/,
    );
    bad(
      wired({}),
      "chains.chainA.aggregator.remotes.chainB.threshold",
      /is required: how many of the route's 2/,
    );
    bad(
      wired({ threshold: 2, highThreshold: 1 }),
      "chains.chainA.aggregator.remotes.chainB.highThreshold",
      /between threshold \(2\) and the route's number of gateways \(2\), got 1/,
    );
    bad(
      wired({ threshold: 1, highThreshold: 2 }),
      "chains.chainA.aggregator.remotes.chainB.valueBound",
      /is required when highThreshold \(2\) exceeds threshold \(1\)/,
    );
    bad(
      wired({ threshold: 1, highThreshold: 2, valueBound: 2 ** 60 }),
      "chains.chainA.aggregator.remotes.chainB.valueBound",
      /lost its exact value in JSON: give it as a decimal string/,
    );
    // a gateway the other end does not register
    bad(
      rawConfig({
        a: aggregator({ chainB: { gateways: ["native", "hyperlane"], threshold: 1 } }),
        b: aggregator({}, { gateways: ["native"] }),
      }),
      "chains.chainA.aggregator.remotes.chainB.gateways[1]",
      /"hyperlane" is not registered on chainB's aggregator, which must count it: add it to chains\.chainB\.aggregator\.gateways/,
    );
    bad(
      rawConfig({ a: aggregator({ chainB: { threshold: 1 } }, { configDelay: 0 }), b: aggregator({}) }),
      "chains.chainA.aggregator.configDelay",
      /must be in \[1, 31536000\]/,
    );
    // flow overheads: FlowEscrow's bounds, destinations that are remotes
    bad(
      rawConfig({ overheadA: { chainB: 100_000 } }),
      "chains.chainA.executeGasOverhead.chainB",
      /must be between 250000 \(FlowEscrow\.EXECUTE_GAS_OVERHEAD, the default: leave the entry out for it\) and 1000000 .* got 100000/,
    );
    bad(
      rawConfig({ overheadA: { chainB: 1_000_001 } }),
      "chains.chainA.executeGasOverhead.chainB",
      /must be between 250000 .* got 1000001/,
    );
    bad(
      rawConfig({ overheadA: { chainA: 300_000 } }),
      "chains.chainA.executeGasOverhead.chainA",
      /own chain/,
    );
    bad(
      rawConfig({ overheadA: { chainZ: 300_000 } }),
      "chains.chainA.executeGasOverhead.chainZ",
      /unknown chain/,
    );

    // defaults: every gateway of the chain, the route over the gateways both ends register, high = k, bound 0
    const ok = validateConfig(rawConfig({ a: aggregator({ chainB: { threshold: 2 } }), b: aggregator({}) }));
    assert.deepEqual(ok.chains.chainA!.aggregator, {
      configDelay: CONFIG_DELAY,
      releaseDelay: RELEASE_DELAY,
      gateways: ["native", "hyperlane"],
      remotes: {
        chainB: { gateways: ["native", "hyperlane"], threshold: 2, highThreshold: 2, valueBound: 0n },
      },
    });
    const noHyperlaneB = validateConfig(
      rawConfig({ a: aggregator({ chainB: { threshold: 1 } }), b: aggregator({}), hyperlaneB: false }),
    );
    assert.deepEqual(noHyperlaneB.chains.chainA!.aggregator!.remotes.chainB!.gateways, ["native"]);
  });

  it("refuses a bad section through the CLI: exit 3, the key and what to do", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(wired({ threshold: 3 })));
    const r = await concord(["deploy", "--config", bad, "--registry", registry, "--dry-run"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /chains\.chainA\.aggregator\.remotes\.chainB\.threshold: must be between 1 and the route's number of gateways \(2: native, hyperlane\), got 3: lower it or add gateways to the route/,
    );
  });

  it("deploys an aggregator per chain, registers native + Hyperlane, schedules both routes; a re-run plans 0", async () => {
    writeFileSync(configPath, JSON.stringify(wired(), null, 2));
    const first = await concord([
      "deploy",
      "--config",
      configPath,
      "--registry",
      registry,
      "--json",
      "--quiet",
    ]);
    assert.equal(first.code, 0, first.stderr);
    const json = JSON.parse(first.stdout) as {
      chains: {
        name: string;
        transactions: string[];
        delayed?: { transaction: string; takesEffect: string }[];
        scheduled: unknown[];
      }[];
    };
    for (const c of json.chains) {
      const [other, side] = c.name === "chainA" ? [CHAIN_B, A] : [CHAIN_A, B];
      const d = readDeployment(registry, side.chainId);
      const agg = d.contracts.TransportAggregator!;
      assert.ok(
        agg,
        "the registry names the aggregator (concord status looks ids up on *Aggregator contracts)",
      );
      const aggregatorTxs = c.transactions.filter((t) => t.includes("TransportAggregator"));
      assert.deepEqual(aggregatorTxs, [
        `deploy TransportAggregator at ${agg} (${side.chainId}, ${d.contracts.AccessManager}, 200000, ${CONFIG_DELAY}, ${RELEASE_DELAY})`,
        `TransportAggregator.registerGateway(${d.contracts.ConcordGateway}, false)`,
        `TransportAggregator.registerGateway(${d.contracts.HyperlaneAdapter}, true)`,
        `TransportAggregator.scheduleRemoteAggregator(${other}, ${agg})`,
        `TransportAggregator.scheduleSendConfig(${other}, 6, 1, 2, 1000000000000000000)`,
        `TransportAggregator.scheduleReceiveSet(${other}, 6)`,
        `TransportAggregator.scheduleReceiveRule(${other}, 1, 1, 2, 1000000000000000000)`,
      ]);
      // every delayed change says when it takes effect
      assert.equal(c.delayed?.length, 4);
      for (const d of c.delayed!)
        assert.match(d.takesEffect, /^takes effect configDelay \(600 s\) after it is mined, about 20\d\d-/);
      assert.deepEqual(c.scheduled, []);
      assert.deepEqual(d.aggregator, {
        address: agg,
        configDelay: CONFIG_DELAY,
        releaseDelay: RELEASE_DELAY,
        gateways: {
          native: { contract: "ConcordGateway", address: d.contracts.ConcordGateway, slot: 1, paid: false },
          hyperlane: {
            contract: "HyperlaneAdapter",
            address: d.contracts.HyperlaneAdapter,
            slot: 2,
            paid: true,
          },
        },
        routes: {
          [String(other)]: {
            chain: c.name === "chainA" ? "chainB" : "chainA",
            gateways: ["native", "hyperlane"],
            threshold: 1,
            highThreshold: 2,
            valueBound: "1000000000000000000",
            version: 1,
          },
        },
      });
      // on chain: the registry and the scheduled send config (not in effect yet)
      const r = (fn: string, args: unknown[] = []) =>
        side.public.readContract({ address: agg, abi: aggAbi, functionName: fn, args });
      assert.equal(await r("slotOf", [d.contracts.ConcordGateway]), 1);
      assert.equal(await r("slotOf", [d.contracts.HyperlaneAdapter]), 2);
      assert.deepEqual(await r("gatewayAt", [2]), { gateway: d.contracts.HyperlaneAdapter, paid: true });
      const [current, scheduled, activatesAt] = (await r("sendConfig", [other])) as [
        { threshold: number },
        { gateways: bigint; version: bigint; threshold: number; highThreshold: number; valueBound: bigint },
        number,
      ];
      assert.equal(current.threshold, 0);
      assert.deepEqual(scheduled, {
        gateways: 6n,
        version: 1n,
        threshold: 1,
        highThreshold: 2,
        valueBound: 10n ** 18n,
      });
      assert.ok(activatesAt > (await now(side)));
      assert.equal(await r("remoteAggregator", [other]), zeroAddress, "the remote aggregator is delayed too");
    }

    // Second run before the delay: nothing to send; each pending change is reported once with its activation.
    const second = await deploy({ config: validateConfig(wired()), dryRun: true });
    assert.equal(second.plan.transactionCount, 0, txs(second.plan).join("\n"));
    for (const c of second.plan.chains) {
      const other = c.name === "chainA" ? CHAIN_B : CHAIN_A;
      const side = c.name === "chainA" ? A : B;
      const agg = c.deployment.contracts.TransportAggregator!;
      assert.deepEqual(
        c.scheduled.map((s) => s.description),
        [
          `TransportAggregator.scheduleRemoteAggregator(${other}, ${agg})`,
          `TransportAggregator.scheduleSendConfig(${other}, 6, 1, 2, 1000000000000000000) v1`,
          `TransportAggregator.scheduleReceiveSet(${other}, 6)`,
          `TransportAggregator.scheduleReceiveRule(${other}, 1, 1, 2, 1000000000000000000)`,
        ],
      );
      const [, , activatesAt] = (await side.public.readContract({
        address: agg,
        abi: aggAbi,
        functionName: "sendConfig",
        args: [other],
      })) as [unknown, unknown, number];
      for (const s of c.scheduled)
        assert.ok(Math.abs(s.activatesAt - Number(activatesAt)) <= 5, s.description);
    }
    // through the CLI: 0 planned, the pending changes printed with their time
    const cli = await concord(["deploy", "--config", configPath, "--registry", registry, "--dry-run"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(
      cli.stdout,
      /already scheduled, takes effect at 20\d\d-\d\d-\d\dT[\d:]+Z: TransportAggregator\.scheduleReceiveRule/,
    );
    assert.match(cli.stdout, /dry run: 0 transaction\(s\) planned/);

    // After the delay: in effect, nothing pending, nothing to send.
    await warp(A, CONFIG_DELAY + 1);
    await warp(B, CONFIG_DELAY + 1);
    const third = await deploy({ config: validateConfig(wired()), dryRun: true });
    assert.equal(third.plan.transactionCount, 0, txs(third.plan).join("\n"));
    assert.deepEqual(
      third.plan.chains.map((c) => c.scheduled),
      [[], []],
    );
  });

  it("the deployed wiring carries a message: 1 of 2 executes at the first counted leg (Hyperlane), native recorded", async () => {
    const dA = readDeployment(registry, CHAIN_A);
    const dB = readDeployment(registry, CHAIN_B);
    const aggA = dA.contracts.TransportAggregator!;
    const aggB = dB.contracts.TransportAggregator!;
    const recipient = await deployRaw(B, recipientArtifact);
    const to = formatEvmV1(CHAIN_B, recipient);
    const payload = toHex("deployed wiring");
    const fee = (await A.public.readContract({
      address: aggA,
      abi: iTransportAggregatorAbi,
      functionName: "quote",
      args: [to, payload, []],
    })) as bigint;
    assert.equal(fee, HOOK_FEE, "the paid Hyperlane leg's quote");
    const receipt = await write(
      A,
      aggA,
      iTransportAggregatorAbi as Abi,
      "sendMessage",
      [to, payload, []],
      fee,
    );
    const sent = parseEventLogs({
      abi: iTransportAggregatorAbi,
      logs: receipt.logs,
      eventName: "AggregatedMessageSent",
    })[0]!.args;
    assert.equal(sent.accepted, 6n, "both legs accepted");
    const hl = parseEventLogs({ abi: MAILBOX_EVENTS, logs: receipt.logs, eventName: "Dispatch" })[0]!.args
      .message;
    const native = parseEventLogs({
      abi: iConcordGatewayAbi,
      logs: receipt.logs,
      eventName: "Dispatched",
    })[0]!.args.message;
    await write(B, B.mailbox, mailboxArtifact.abi, "process", ["0x", hl]);
    const record = (await B.public.readContract({
      address: aggB,
      abi: iTransportAggregatorAbi,
      functionName: "record",
      args: [sent.id],
    })) as [number, Hex];
    assert.equal(
      record[0],
      2,
      "EXECUTED by B's aggregator: receive set, rule v1 and remote aggregator in effect",
    );
    const metadata = await signMessageIdMetadata({
      message: native,
      originGateway: dA.contracts.ConcordGateway!,
      signers: [deployer],
    });
    await processMessage({
      publicClient: B.public,
      walletClient: B.wallet,
      gateway: dB.contracts.ConcordGateway!,
      metadata,
      message: native,
    });
    const receipts = await B.public.readContract({
      address: aggB,
      abi: iTransportAggregatorAbi,
      functionName: "receipts",
      args: [sent.id, record[1]],
    });
    assert.equal(receipts, 6n, "the native leg is recorded too");
    // `concord status` finds the id on the registry's TransportAggregator (no --aggregator)
    const status = await concord([
      "status",
      sent.id,
      "--config",
      configPath,
      "--registry",
      registry,
      "--json",
    ]);
    assert.equal(status.code, 0, status.stderr);
    const json = JSON.parse(status.stdout) as { kind: string; status: string; aggregator: string };
    assert.equal(json.kind, "aggregatedMessage");
    assert.equal(json.status, "EXECUTED");
    assert.equal(json.aggregator, "TransportAggregator", "named by its registry name");
  });

  it("a changed threshold is scheduled once (new version, the remote's rule for it) and reported until in effect", async () => {
    const raised: Route = { threshold: 2 };
    const dry = await deploy({ config: validateConfig(wired(raised)), dryRun: true });
    const aggA = readDeployment(registry, CHAIN_A).contracts.TransportAggregator!;
    assert.deepEqual(txs(dry.plan), [
      `chainA: TransportAggregator.scheduleSendConfig(${CHAIN_B}, 6, 2, 2, 0)`,
      `chainB: TransportAggregator.scheduleReceiveRule(${CHAIN_A}, 2, 2, 2, 0)`,
    ]);
    for (const c of dry.plan.chains)
      for (const t of c.transactions) assert.match(t.takesEffect ?? "", /takes effect configDelay \(600 s\)/);
    const result = await deploy({ config: validateConfig(wired(raised)), registryDir: registry });
    assert.equal(result.transactionsSent, 2);
    assert.equal(readDeployment(registry, CHAIN_A).aggregator!.routes[String(CHAIN_B)]!.version, 2);

    // re-runs: nothing sent; the two changes reported with their activation
    const again = await deploy({ config: validateConfig(wired(raised)), dryRun: true });
    assert.equal(again.plan.transactionCount, 0, txs(again.plan).join("\n"));
    const [, , activatesAt] = (await A.public.readContract({
      address: aggA,
      abi: aggAbi,
      functionName: "sendConfig",
      args: [CHAIN_B],
    })) as [unknown, unknown, number];
    assert.deepEqual(
      again.plan.chains.map((c) => c.scheduled.map((s) => s.description)),
      [
        [`TransportAggregator.scheduleSendConfig(${CHAIN_B}, 6, 2, 2, 0) v2`],
        [`TransportAggregator.scheduleReceiveRule(${CHAIN_A}, 2, 2, 2, 0)`],
      ],
    );
    assert.equal(again.plan.chains[0]!.scheduled[0]!.activatesAt, Number(activatesAt));

    // changing it back before it took effect replaces the scheduled change (version 3), once
    const back = await deploy({ config: validateConfig(wired()), dryRun: true });
    assert.deepEqual(txs(back.plan), [
      `chainA: TransportAggregator.scheduleSendConfig(${CHAIN_B}, 6, 1, 2, 1000000000000000000)`,
      `chainB: TransportAggregator.scheduleReceiveRule(${CHAIN_A}, 3, 1, 2, 1000000000000000000)`,
    ]);

    // after the delay: version 2 in effect on A, rule 2 in effect on B; nothing to send, nothing pending
    await warp(A, CONFIG_DELAY + 1);
    await warp(B, CONFIG_DELAY + 1);
    const done = await deploy({ config: validateConfig(wired(raised)), dryRun: true });
    assert.equal(done.plan.transactionCount, 0, txs(done.plan).join("\n"));
    assert.deepEqual(
      done.plan.chains.map((c) => c.scheduled),
      [[], []],
    );
    const aggB = readDeployment(registry, CHAIN_B).contracts.TransportAggregator!;
    assert.deepEqual(
      await B.public.readContract({
        address: aggB,
        abi: aggAbi,
        functionName: "receiveRule",
        args: [CHAIN_A, 2n],
      }),
      { threshold: 2, highThreshold: 2, valueBound: 0n },
    );
  });

  it("refuses a changed configDelay of a deployed aggregator (immutable), naming the key", async () => {
    const raw = wired({ threshold: 2 });
    (raw.chains.chainA as unknown as { aggregator: { configDelay: number } }).aggregator.configDelay =
      CONFIG_DELAY + 1;
    await assert.rejects(
      deploy({ config: validateConfig(raw), dryRun: true }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.key === "chains.chainA.aggregator.configDelay" &&
        /was deployed with configDelay 600, the config says 601: it is immutable; set 600, or use a new saltPrefix/.test(
          e.problem,
        ),
    );
  });

  it("sets the per-destination EXECUTE gas overhead from the config, once; a removed entry resets the default", async () => {
    const escrow = readDeployment(registry, CHAIN_A).contracts.FlowEscrow!;
    const escrowAbi = concordAbi("FlowEscrow") as Abi;
    const read = (fn: string, args: unknown[] = []) =>
      A.public.readContract({ address: escrow, abi: escrowAbi, functionName: fn, args });
    // the SDK's bounds are the contract's
    assert.equal(Number(await read("EXECUTE_GAS_OVERHEAD")), EXECUTE_GAS_OVERHEAD);
    assert.equal(Number(await read("MAX_EXECUTE_GAS_OVERHEAD")), MAX_EXECUTE_GAS_OVERHEAD);
    const withOverhead = (gas?: number) => {
      const raw = wired({ threshold: 2 }) as ReturnType<typeof wired> & {
        chains: { chainA: { executeGasOverhead?: unknown } };
      };
      if (gas !== undefined) raw.chains.chainA.executeGasOverhead = { chainB: gas };
      return validateConfig(raw);
    };
    const dry = await deploy({ config: withOverhead(400_000), dryRun: true });
    assert.deepEqual(txs(dry.plan), [`chainA: FlowEscrow.setExecuteGasOverhead(${CHAIN_B}, 400000)`]);
    const result = await deploy({ config: withOverhead(400_000), registryDir: registry });
    assert.equal(result.transactionsSent, 1);
    assert.equal(await read("executeGasOverhead", [CHAIN_B]), 400_000n);
    assert.equal((await deploy({ config: withOverhead(400_000), dryRun: true })).plan.transactionCount, 0);
    // the maximum is accepted by the escrow as well
    await deploy({ config: withOverhead(MAX_EXECUTE_GAS_OVERHEAD), registryDir: registry });
    assert.equal(await read("executeGasOverhead", [CHAIN_B]), BigInt(MAX_EXECUTE_GAS_OVERHEAD));
    // no entry: back to the default, once
    const reset = await deploy({ config: withOverhead(), dryRun: true });
    assert.deepEqual(txs(reset.plan), [
      `chainA: FlowEscrow.setExecuteGasOverhead(${CHAIN_B}, ${EXECUTE_GAS_OVERHEAD})`,
    ]);
    await deploy({ config: withOverhead(), registryDir: registry });
    assert.equal(await read("executeGasOverhead", [CHAIN_B]), BigInt(EXECUTE_GAS_OVERHEAD));
    assert.equal((await deploy({ config: withOverhead(), dryRun: true })).plan.transactionCount, 0);
  });
});
