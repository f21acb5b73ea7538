// The flow keeper against two real anvil chains deployed with the deploy library, with real validator agents and a
// relayer carrying every message: nobody but the keeper calls `expire`, `exportOutcome` or `settle`. (1) A flow
// that executes on B ends SETTLED (EXECUTED) on A with no keeper action at all: B's OUTCOME leaves with the
// execution and its delivery settles A. (2) A flow whose EXECUTE is never delivered (A's validators are offline)
// is expired on B's clock once B's time passes the deadline (the expiry sends the OUTCOME), and A compensates the
// user exactly once. (3) A keeper restarted from nothing rebuilds its flows from FlowOpened and takes no further
// action on settled flows. (4) The relayer's `keeper` option runs the same keeper inside the relayer (own account,
// metrics on the relayer's /metrics). (5) A lost OUTCOME is re-exported. (6) An OUTCOME that arrives while A is
// paused is settled by the keeper once A is unpaused.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  http,
  parseEther,
  toHex,
  zeroAddress,
} from "viem";
import { type PrivateKeyAccount, generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import {
  AgentConfigError,
  FlowKeeper,
  type KeeperConfig,
  Relayer,
  type Validator,
  renderPrometheus,
  runKeeper,
  runRelayer,
  runValidator,
  silentLogger,
  type RelayerConfig,
} from "../../sdk/agents/index.js";
import { ANVIL_KEYS, waitFor } from "../helpers/agents.js";
import { type AnvilChain, rpc, startAnvil } from "../../sdk/src/anvil.js";
import { type Deployment, deploy, validateConfig } from "../../sdk/src/deploy/index.js";
import {
  type Flow,
  buildFlowRequest,
  escrowAbi,
  flowEvents,
  flowStatus,
  openFlow,
  quoteFlowFees,
} from "../../sdk/src/index.js";

const CHAIN_A = 31_611;
const CHAIN_B = 31_612;
const user = privateKeyToAccount(ANVIL_KEYS[4]!);
const relayerKey = ANVIL_KEYS[1]!;
const keeperKey = ANVIL_KEYS[2]!;
const embeddedKeeperKey = ANVIL_KEYS[3]!;

type Side = {
  anvil: AnvilChain;
  publicClient: PublicClient;
  walletClient: WalletClient;
  deployment: Deployment;
};

describe("flow keeper", () => {
  let dir: string;
  const anvils: AnvilChain[] = [];
  const validators: Record<number, Validator[]> = { [CHAIN_A]: [], [CHAIN_B]: [] };
  let relayer: Relayer | undefined;
  let keeper: FlowKeeper | undefined;
  let A: Side;
  let B: Side;
  let signers: PrivateKeyAccount[] = [];

  const escrow = (side: Side): Address => side.deployment.contracts.FlowEscrow!;
  const executor = (side: Side): Address => side.deployment.contracts.FlowExecutor!;
  const keeperChains = (extra: { blockRange?: number } = {}) =>
    [A, B].map((side, i) => ({
      domain: [CHAIN_A, CHAIN_B][i]!,
      rpcUrl: side.anvil.rpcUrl,
      escrow: escrow(side),
      executor: executor(side),
      ...extra,
    }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-keeper-"));
    for (const chainId of [CHAIN_A, CHAIN_B]) anvils.push(await startAnvil({ chainId }));
    signers = [generatePrivateKey(), generatePrivateKey()].map((k) => privateKeyToAccount(k));
    const addresses = signers.map((s) => s.address).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    const chainConfig = (chainId: number, i: number) => ({
      chainId,
      rpcUrl: anvils[i]!.rpcUrl,
      local: true,
      finalityDepth: 0,
      validators: addresses,
      threshold: 2,
    });
    const result = await deploy({
      config: validateConfig({
        saltPrefix: "concord.keeper-test",
        gateway: { defaultGasLimit: 200_000, maxBodySize: 8192 },
        coordinator: { maxHorizon: 86_400 },
        chains: { chainA: chainConfig(CHAIN_A, 0), chainB: chainConfig(CHAIN_B, 1) },
      }),
      registryDir: join(dir, "deployments"),
    });
    const sides: Side[] = [CHAIN_A, CHAIN_B].map((chainId, i) => {
      const rpcUrl = anvils[i]!.rpcUrl;
      const chain = defineChain({
        id: chainId,
        name: `chain-${chainId}`,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [rpcUrl] } },
      });
      const deployment = Object.values(result.registries).find(
        (r) => r.deployment.chainId === chainId,
      )!.deployment;
      return {
        anvil: anvils[i]!,
        publicClient: createPublicClient({
          chain,
          transport: http(rpcUrl),
          pollingInterval: 50,
        }) as PublicClient,
        walletClient: createWalletClient({ account: user, chain, transport: http(rpcUrl) }),
        deployment,
      };
    });
    [A, B] = sides as [Side, Side];

    for (const domain of [CHAIN_A, CHAIN_B]) validators[domain] = await startValidators(domain);
    relayer = await runRelayer(relayerConfig("relayer.sqlite"));
    keeper = await runKeeper({
      chains: keeperChains({ blockRange: 7 }), // several ranges per pass: exercises the bounded indexing
      account: keeperKey,
      pollIntervalMs: 150,
      logger: silentLogger,
    });
  });

  after(async () => {
    await keeper?.stop();
    await relayer?.stop();
    await Promise.all(Object.values(validators).flatMap((vs) => vs.map((v) => v.stop())));
    await Promise.all(anvils.map((a) => a.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** `domain`'s validators (one per signer), on `ports` when given (a restart keeps their URLs). */
  async function startValidators(domain: number, ports: number[] = []): Promise<Validator[]> {
    const side = domain === CHAIN_A ? A : B;
    return Promise.all(
      signers.map((signer, j) =>
        runValidator({
          rpcUrl: side.anvil.rpcUrl,
          gateway: side.deployment.contracts.ConcordGateway!,
          signer,
          confirmations: 0,
          storePath: join(dir, `validator-${domain}-${j}.sqlite`),
          pollIntervalMs: 100,
          http: ports[j] === undefined ? undefined : { port: ports[j] },
          logger: silentLogger,
        }),
      ),
    );
  }

  /** The relayer of both chains (validators of the chains whose validators are running). */
  function relayerConfig(store: string): RelayerConfig {
    return {
      chains: [A, B].map((side, i) => ({
        domain: [CHAIN_A, CHAIN_B][i]!,
        rpcUrl: side.anvil.rpcUrl,
        gateway: side.deployment.contracts.ConcordGateway!,
      })),
      validators: Object.fromEntries(
        Object.entries(validators).map(([domain, vs]) => [domain, vs.map((v) => v.url!)]),
      ),
      account: relayerKey,
      store: { type: "sqlite", path: join(dir, store) },
      pollIntervalMs: 100,
      retry: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 500 },
      http: false,
      logger: silentLogger,
    };
  }

  /** Opens a native-asset flow A -> B to B's CrossChainCounter (deadline `horizon` s after A's time). */
  async function open(refundTo: Address, horizon: bigint): Promise<{ flowId: Hex; flow: Flow }> {
    const executionGas = 200_000;
    const fees = await quoteFlowFees({
      publicClient: A.publicClient,
      escrow: escrow(A),
      destinationDomain: CHAIN_B,
      executionGas,
    });
    const now = (await A.publicClient.getBlock()).timestamp;
    const opened = await openFlow({
      publicClient: A.publicClient,
      walletClient: A.walletClient,
      escrow: escrow(A),
      request: buildFlowRequest({
        destinationDomain: CHAIN_B,
        executor: executor(B),
        target: B.deployment.contracts.CrossChainCounter!,
        deadline: now + horizon,
        executionGas,
        refundTo,
        beneficiary: user.address,
        amount: parseEther("0.01"),
        feeRecipient: privateKeyToAccount(relayerKey).address,
        fees,
      }),
      payload: encodeAbiParameters([{ type: "uint256" }], [3n]),
    });
    return { flowId: opened.flowId, flow: opened.flow };
  }

  const status = (flowId: Hex, deadline?: bigint) =>
    flowStatus({
      origin: { publicClient: A.publicClient, address: escrow(A) },
      destination: { publicClient: B.publicClient, address: executor(B) },
      flowId,
      deadline,
    });

  const owed = (account: Address) =>
    A.publicClient.readContract({
      address: escrow(A),
      abi: escrowAbi(),
      functionName: "owed",
      args: [account, zeroAddress],
    }) as Promise<bigint>;

  it("rejects a bad config, naming the key", async () => {
    const chain = { domain: CHAIN_A, rpcUrl: A.anvil.rpcUrl, escrow: escrow(A), executor: executor(A) };
    const bad: [Partial<KeeperConfig>, string][] = [
      [{ chains: [] }, "chains"],
      [{ chains: [{ ...chain, escrow: "0x1234" }] }, "chains[0].escrow"],
      [{ chains: [{ ...chain, executor: "0x" }] }, "chains[0].executor"],
      [{ chains: [chain, chain] }, "chains[1].domain"],
      [{ chains: [{ ...chain, domain: CHAIN_B }] }, "chains[0].domain"], // the RPC answers with A's chain id
      [{ chains: [{ ...chain, blockRange: 0 }] }, "chains[0].blockRange"],
      [{ chains: [chain], pollIntervalMs: 0 }, "pollIntervalMs"],
    ];
    for (const [config, key] of bad) {
      await assert.rejects(
        FlowKeeper.create({ account: keeperKey, ...config } as KeeperConfig),
        (e: unknown) => e instanceof AgentConfigError && e.key === key,
        key,
      );
    }
  });

  it("a flow that executes on B settles on A with no keeper action (the OUTCOME leaves with the execution)", async () => {
    const before = keeper!.counters();
    const { flowId } = await open(privateKeyToAccount(generatePrivateKey()).address, 600n);
    const settled = await waitFor(
      "flow SETTLED on A",
      async () => {
        const s = await status(flowId);
        return s.origin.phase === "SETTLED" ? s : undefined;
      },
      30_000,
      100,
    );
    assert.equal(settled.destination.status, "EXECUTED");
    assert.equal(settled.origin.outcome, "EXECUTED");
    const after = keeper!.counters();
    assert.deepEqual(after.actions, before.actions, "the keeper did nothing");
    assert.deepEqual(after.reverted, before.reverted);
    const events = await flowEvents({ publicClient: A.publicClient, address: escrow(A) }, flowId);
    assert.deepEqual(
      events.map((e) => e.eventName),
      ["FlowOpened", "FlowFinalized"],
    );
    // The keeper forgets it on its next pass.
    await waitFor("flow forgotten", () => !keeper!.openFlows().includes(flowId), 5_000, 50);
  });

  it("expires on B's clock a flow whose EXECUTE never arrives, and A compensates it once", async () => {
    // A's validators go offline: the EXECUTE message never gets a quorum, so it is never delivered.
    await Promise.all(validators[CHAIN_A]!.map((v) => v.stop()));
    validators[CHAIN_A] = [];
    const refundTo = privateKeyToAccount(generatePrivateKey()).address;
    const before = keeper!.counters();
    const { flowId, flow } = await open(refundTo, 600n);
    // Keeper tracks it, B never saw it, and the deadline is in the future: nothing to do yet.
    await waitFor("flow tracked", () => keeper!.openFlows().includes(flowId), 5_000, 50);
    await new Promise((r) => setTimeout(r, 500));
    const early = await status(flowId, flow.deadline);
    assert.equal(early.next, "RELAY_EXECUTE");
    assert.equal(keeper!.counters().actions.expire, before.actions.expire, "never expires before T");

    // Only B's clock moves past the deadline.
    const timeA = (await A.publicClient.getBlock()).timestamp;
    await rpc(B.anvil.rpcUrl, "evm_increaseTime", [toHex(700)]);
    await rpc(B.anvil.rpcUrl, "evm_mine", []);

    const settled = await waitFor(
      "flow compensated on A",
      async () => {
        const s = await status(flowId);
        return s.origin.phase === "SETTLED" ? s : undefined;
      },
      30_000,
      100,
    );
    assert.equal(settled.destination.status, "EXPIRED");
    assert.equal(settled.origin.outcome, "EXPIRED");
    assert.ok((await A.publicClient.getBlock()).timestamp < flow.deadline, "A's clock never passed T");
    assert.ok(timeA < flow.deadline);

    const after = keeper!.counters();
    assert.equal(after.actions.expire - before.actions.expire, 1, "one expire");
    assert.equal(
      after.actions.exportOutcome - before.actions.exportOutcome,
      0,
      "the expiry sent the OUTCOME",
    );
    assert.equal(after.actions.settle - before.actions.settle, 0, "its arrival settled A");

    // The refund is credited once: one FlowCompensated, and owed == amount + refunded fee, still after more passes.
    const events = await flowEvents({ publicClient: A.publicClient, address: escrow(A) }, flowId);
    const compensated = events.filter((e) => e.eventName === "FlowCompensated");
    assert.equal(compensated.length, 1);
    const expected = flow.amount + (compensated[0]!.args.feeRefunded as bigint);
    assert.equal(await owed(refundTo), expected);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(await owed(refundTo), expected, "credited once");
    assert.deepEqual(keeper!.counters().actions, after.actions);
  });

  it("rebuilds from FlowOpened after a restart and leaves settled flows alone", async () => {
    const total = keeper!.counters();
    await keeper!.stop();
    keeper = await runKeeper({
      chains: keeperChains(),
      account: keeperKey,
      pollIntervalMs: 100,
      logger: silentLogger,
    });
    await waitFor("both flows re-indexed and seen settled", () => keeper!.counters().done >= 2, 10_000, 50);
    const c = keeper!.counters();
    assert.equal(c.indexed, total.indexed, "the same flows are rebuilt from the chain");
    assert.deepEqual(c.actions, { expire: 0, exportOutcome: 0, settle: 0 });
    assert.deepEqual(c.reverted, { expire: 0, exportOutcome: 0, settle: 0 });
    assert.equal(c.open, 0);
  });

  it("runs inside the relayer with the `keeper` option", async () => {
    await keeper!.stop();
    keeper = undefined;
    await relayer!.stop();
    relayer = undefined;
    const flows = {
      [CHAIN_A]: { escrow: escrow(A), executor: executor(A) },
      [CHAIN_B]: { escrow: escrow(B), executor: executor(B) },
    };
    await assert.rejects(
      Relayer.create({ ...relayerConfig("bad.sqlite"), keeper: { account: relayerKey, flows } }),
      (e: unknown) => e instanceof AgentConfigError && e.key === "keeper.account",
    );
    await assert.rejects(
      Relayer.create({
        ...relayerConfig("bad.sqlite"),
        keeper: { account: embeddedKeeperKey, flows: { 31_999: flows[CHAIN_A] } },
      }),
      (e: unknown) => e instanceof AgentConfigError && e.key === "keeper.flows.31999",
    );
    // A new relayer (new store: it re-indexes both chains and finds every old message delivered) with a keeper.
    relayer = await runRelayer({
      ...relayerConfig("relayer-2.sqlite"),
      keeper: { account: embeddedKeeperKey, flows },
    });
    const embedded = relayer.keeper!;
    await waitFor("old flows rebuilt and seen settled", () => embedded.counters().done >= 2, 10_000, 50);
    // A's validators are still offline and B's clock is ~700 s ahead of A's: a flow opened now with a deadline
    // 600 s after A's time is already past its deadline on B, and its EXECUTE never arrives.
    const refundTo = privateKeyToAccount(generatePrivateKey()).address;
    const { flowId, flow } = await open(refundTo, 600n);
    const settled = await waitFor(
      "flow compensated on A by the embedded keeper",
      async () => {
        const s = await status(flowId);
        return s.origin.phase === "SETTLED" ? s : undefined;
      },
      30_000,
      100,
    );
    assert.equal(settled.origin.outcome, "EXPIRED");
    assert.ok((await owed(refundTo)) >= flow.amount);
    assert.deepEqual(embedded.counters().actions, { expire: 1, exportOutcome: 0, settle: 0 });
    const text = renderPrometheus(await relayer.metrics());
    assert.match(text, /^concord_keeper_actions_total\{action="expire"\} 1$/m);
    assert.match(text, /^concord_keeper_actions_total\{action="settle"\} 0$/m);
  });

  it("exports again while A stays LOCKED (lost OUTCOME), and A still credits the refund once", async () => {
    await relayer!.stop(); // and its keeper
    // B's validators go offline too: no OUTCOME gets a quorum, as if every acknowledgement were lost.
    const ports = validators[CHAIN_B]!.map((v) => Number(new URL(v.url!).port));
    const relayerValidators = Object.fromEntries(
      Object.entries(validators).map(([domain, vs]) => [domain, vs.map((v) => v.url!)]),
    );
    await Promise.all(validators[CHAIN_B]!.map((v) => v.stop()));
    validators[CHAIN_B] = [];
    relayer = await runRelayer({ ...relayerConfig("relayer-3.sqlite"), validators: relayerValidators });
    keeper = await runKeeper({
      chains: keeperChains(),
      account: keeperKey,
      pollIntervalMs: 100,
      reexportAfterMs: 300,
      logger: silentLogger,
    });
    const refundTo = privateKeyToAccount(generatePrivateKey()).address;
    const { flowId, flow } = await open(refundTo, 600n); // past its deadline on B's clock already
    // The expiry sends the OUTCOME; it never gets a quorum, so the keeper re-exports it after `reexportAfterMs`.
    await waitFor(
      "outcome re-exported twice",
      () => keeper!.counters().actions.exportOutcome >= 2,
      10_000,
      50,
    );
    assert.equal((await status(flowId)).origin.phase, "LOCKED");
    assert.equal(keeper!.counters().actions.expire, 1);
    assert.equal(keeper!.counters().actions.settle, 0);

    // B's validators come back (same keys, stores and URLs): the copies are delivered, A applies the first one.
    validators[CHAIN_B] = await startValidators(CHAIN_B, ports);
    await waitFor(
      "flow compensated on A",
      async () => (await status(flowId)).origin.phase === "SETTLED",
      30_000,
      100,
    );
    const events = await flowEvents({ publicClient: A.publicClient, address: escrow(A) }, flowId);
    const compensated = events.filter((e) => e.eventName === "FlowCompensated");
    assert.equal(compensated.length, 1);
    assert.equal(await owed(refundTo), flow.amount + (compensated[0]!.args.feeRefunded as bigint));
  });

  it("settles an OUTCOME that arrived while A was paused, once A is unpaused (SETTLE)", async () => {
    // Everything is back: both chains' validators run, the relayer carries every message.
    if (validators[CHAIN_A]!.length === 0) validators[CHAIN_A] = await startValidators(CHAIN_A);
    await relayer!.stop();
    relayer = await runRelayer(relayerConfig("relayer-4.sqlite"));
    const admin = createWalletClient({
      account: privateKeyToAccount(ANVIL_KEYS[0]!), // the deployer: admin of the AccessManager
      chain: A.walletClient.chain,
      transport: http(A.anvil.rpcUrl),
    });
    const pause = async (functionName: "pauseSettlement" | "unpauseSettlement") => {
      const hash = await admin.writeContract({
        address: escrow(A),
        abi: escrowAbi(),
        functionName,
        args: [],
      } as never);
      await A.publicClient.waitForTransactionReceipt({ hash });
    };
    await pause("pauseSettlement");
    const before = keeper!.counters();
    // B's clock is ahead: open with a deadline far enough ahead of B's time for the flow to execute.
    const { flowId } = await open(privateKeyToAccount(generatePrivateKey()).address, 3600n);
    await waitFor(
      "OUTCOME recorded on A while paused",
      async () => (await status(flowId)).origin.phase === "ACKNOWLEDGED",
      30_000,
      100,
    );
    await waitFor(
      "keeper tried and was refused",
      () => keeper!.counters().reverted.settle > before.reverted.settle,
      10_000,
      50,
    );
    assert.equal((await status(flowId)).origin.phase, "ACKNOWLEDGED", "nothing settles while paused");
    await pause("unpauseSettlement");
    // The keeper counts its action once the receipt is in: wait for the count, then check the chain.
    await waitFor(
      "the keeper's settle mined",
      () => keeper!.counters().actions.settle > before.actions.settle,
      10_000,
      50,
    );
    assert.equal(keeper!.counters().actions.settle - before.actions.settle, 1);
    assert.equal((await status(flowId)).origin.phase, "SETTLED");
    const events = await flowEvents({ publicClient: A.publicClient, address: escrow(A) }, flowId);
    assert.deepEqual(
      events.map((e) => e.eventName),
      ["FlowOpened", "OutcomeAcknowledged", "FlowFinalized"],
    );
  });
});
