// deploy/config/example.json, as a protocol team uses it: two anvil chains with its chain ids (Sepolia, Base Sepolia)
// behind the RPC variables it names, `concord deploy` with DEPLOYER_PRIVATE_KEY, then a plain send, a paid send, a
// retry of a FAILED message and a flow round trip on the deployed system. Only the validator addresses are replaced
// (the example's are placeholders nobody holds keys for; same count and threshold): deliveries need real signatures.
// Every other key, the gas prices included (the example sets none), is the example's own.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  toHex,
} from "viem";
import { type PrivateKeyAccount, generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { ANVIL_KEYS, deployContract } from "../helpers/agents.js";
import { type AnvilChain, rpc, startAnvil } from "../../sdk/src/anvil.js";
import { repoRoot } from "../../sdk/src/repo.js";
import { type Deployment, readDeployment } from "../../sdk/src/deploy/index.js";
import {
  buildFlowRequest,
  flowEvents,
  flowStatus,
  messageStatus,
  openFlow,
  processMessage,
  quoteFlowFees,
  signMessageIdMetadata,
} from "../../sdk/src/index.js";
import { concord } from "../helpers/cli.js";

type Example = {
  chains: Record<
    string,
    { chainId: number; rpcUrl: { env: string }; validators: string[]; threshold: number }
  >;
} & Record<string, unknown>;

const example = JSON.parse(
  readFileSync(join(repoRoot(), "deploy", "config", "example.json"), "utf8"),
) as Example;
const NAMES = Object.keys(example.chains);
const [ORIGIN, DESTINATION] = NAMES as [string, string];
const DEPLOYER_KEY = ANVIL_KEYS[0]!;
const SENDER_KEY = ANVIL_KEYS[2]!;

type Side = {
  name: string;
  chainId: number;
  anvil: AnvilChain;
  publicClient: PublicClient;
  walletClient: WalletClient;
  deployment: Deployment;
};

describe("deploy/config/example.json: plain and paid sends, a retry and a flow on what it deploys", () => {
  let dir: string;
  let registry: string;
  let configPath: string;
  let env: Record<string, string>;
  let validators: PrivateKeyAccount[];
  const sides: Record<string, Side> = {};
  const common = () => ["--config", configPath, "--registry", registry];

  /** Delivers `message` (sent from `from`) on `to` with a quorum of the validators' signatures. */
  async function deliver(from: Side, to: Side, message: Hex) {
    const count = example.chains[from.name]!.threshold;
    const metadata = await signMessageIdMetadata({
      message,
      originGateway: from.deployment.contracts.ConcordGateway!,
      signers: validators.slice(0, count),
    });
    return processMessage({
      publicClient: to.publicClient,
      walletClient: to.walletClient,
      gateway: to.deployment.contracts.ConcordGateway!,
      metadata,
      message,
    });
  }

  /** The packed message of `id`, sent from `from` to `to` (from its Dispatched event). */
  async function messageOf(from: Side, to: Side, id: Hex): Promise<Hex> {
    const s = await messageStatus({
      origin: { publicClient: from.publicClient, gateway: from.deployment.contracts.ConcordGateway! },
      destination: { publicClient: to.publicClient, gateway: to.deployment.contracts.ConcordGateway! },
      messageId: id,
    });
    assert.ok(s.message, `message ${id}`);
    return s.message;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-example-"));
    registry = join(dir, "deployments");
    validators = Array.from({ length: example.chains[ORIGIN]!.validators.length }, () =>
      privateKeyToAccount(generatePrivateKey()),
    );
    env = { DEPLOYER_PRIVATE_KEY: DEPLOYER_KEY, CONCORD_PRIVATE_KEY: SENDER_KEY };
    const config = JSON.parse(JSON.stringify(example)) as Example;
    for (const name of NAMES) {
      const anvil = await startAnvil({ chainId: example.chains[name]!.chainId });
      sides[name] = { name, chainId: example.chains[name]!.chainId, anvil } as Side;
      env[example.chains[name]!.rpcUrl.env] = anvil.rpcUrl; // the RPC variables the example names
      config.chains[name]!.validators = validators.map((v) => v.address);
    }
    configPath = join(dir, "my-chains.json");
    writeFileSync(configPath, JSON.stringify(config, null, 2));
  });

  after(async () => {
    await Promise.all(Object.values(sides).map((s) => s.anvil?.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("deploys with `concord deploy` (dry run first), defaulting each chain's gas price; a re-run sends nothing", async () => {
    const dry = await concord(["deploy", ...common(), "--dry-run"], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: \d+ transaction\(s\) planned, none sent/);
    const r = await concord(["deploy", ...common()], env);
    assert.equal(r.code, 0, r.stderr);
    for (const name of NAMES)
      assert.match(
        r.stdout,
        new RegExp(
          `warning: chains\\.${name}\\.gasPrice is not set: gas oracles quote messages to ${name} at its current gas price`,
        ),
      );
    const again = await concord(["deploy", ...common(), "--json", "--quiet"], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { transactionsSent: number }).transactionsSent, 0);
    for (const name of NAMES) {
      const side = sides[name]!;
      const chain = defineChain({
        id: side.chainId,
        name,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [side.anvil.rpcUrl] } },
      });
      const transport = http(side.anvil.rpcUrl);
      side.publicClient = createPublicClient({ chain, transport, pollingInterval: 50 }) as PublicClient;
      side.walletClient = createWalletClient({
        account: privateKeyToAccount(ANVIL_KEYS[1]!),
        chain,
        transport,
      });
      side.deployment = readDeployment(registry, side.chainId);
      assert.ok(side.deployment.deployBlock !== undefined);
    }
  });

  it("a plain send is delivered and EXECUTED", async () => {
    const [a, b] = [sides[ORIGIN]!, sides[DESTINATION]!];
    const recipient = await deployContract(b.anvil.rpcUrl, DEPLOYER_KEY, "MockRecipient", []);
    const sent = await concord(
      [
        "send",
        "--from",
        ORIGIN,
        "--to",
        DESTINATION,
        "--recipient",
        recipient,
        "--text",
        "plain",
        "--json",
        ...common(),
      ],
      env,
    );
    assert.equal(sent.code, 0, sent.stderr);
    const { messageId } = JSON.parse(sent.stdout) as { messageId: Hex };
    assert.equal((await deliver(a, b, await messageOf(a, b, messageId))).status, "EXECUTED");
    const status = await concord(["status", messageId, ...common()], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`message ${messageId}: EXECUTED`));
  });

  it("a paid send pays the paymaster's quote (the oracle has a gas price for the destination)", async () => {
    const b = sides[DESTINATION]!;
    const recipient = await deployContract(b.anvil.rpcUrl, DEPLOYER_KEY, "MockRecipient", []);
    for (const [from, to] of [
      [ORIGIN, DESTINATION],
      [DESTINATION, ORIGIN],
    ] as const) {
      const target =
        to === DESTINATION
          ? recipient
          : await deployContract(sides[to]!.anvil.rpcUrl, DEPLOYER_KEY, "MockRecipient", []);
      const r = await concord(
        [
          "send",
          "--from",
          from!,
          "--to",
          to!,
          "--recipient",
          target,
          "--text",
          "paid",
          "--pay",
          "--json",
          ...common(),
        ],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout) as { gasPayment: { value: string } };
      assert.ok(BigInt(json.gasPayment.value) > 0n, `${from} -> ${to} paid`);
    }
  });

  it("a message FAILED for lack of gas is retried with more and EXECUTED", async () => {
    const [a, b] = [sides[ORIGIN]!, sides[DESTINATION]!];
    const hungry = await deployContract(b.anvil.rpcUrl, DEPLOYER_KEY, "MockGasHungryRecipient", [300_000n]);
    const sent = await concord(
      [
        "send",
        "--from",
        ORIGIN,
        "--to",
        DESTINATION,
        "--recipient",
        hungry,
        "--text",
        "hungry",
        "--gas-limit",
        "100000",
        "--json",
        ...common(),
      ],
      env,
    );
    assert.equal(sent.code, 0, sent.stderr);
    const { messageId } = JSON.parse(sent.stdout) as { messageId: Hex };
    assert.equal((await deliver(a, b, await messageOf(a, b, messageId))).status, "FAILED");
    const retried = await concord(["retry", messageId, "--gas", "400000", "--json", ...common()], env);
    assert.equal(retried.code, 0, retried.stderr);
    assert.equal((JSON.parse(retried.stdout) as { status: string }).status, "EXECUTED");
  });

  it("a flow is quoted, opened, executed and settled on its OUTCOME; status orders both chains' events", async () => {
    const [a, b] = [sides[ORIGIN]!, sides[DESTINATION]!];
    // Both chains at the same clock, one second per block: events of A and B share timestamps, so only the
    // lifecycle order can put B's outcome export before A's settlement.
    const t0 =
      (await Promise.all([a, b].map((s) => s.publicClient.getBlock()))).reduce(
        (max, block) => (block.timestamp > max ? block.timestamp : max),
        0n,
      ) + 10n;
    for (const s of [a, b]) {
      await rpc(s.anvil.rpcUrl, "evm_setNextBlockTimestamp", [toHex(t0)]);
      await rpc(s.anvil.rpcUrl, "anvil_mine", ["0x1"]);
      await rpc(s.anvil.rpcUrl, "anvil_setBlockTimestampInterval", [1]);
    }
    const flowId = await runFlow(a, b);
    const r = await concord(["status", flowId, "--json", ...common()], env);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as {
      next: string;
      timeline: { event: string; chain: string; timestamp: string; blockNumber: string }[];
    };
    assert.equal(json.next, "DONE");
    const at = (event: string) => json.timeline.findIndex((t) => t.event === event);
    const order = ["FlowOpened", "FlowExecuted", "OutcomeExported", "FlowFinalized"];
    for (const event of order) assert.ok(at(event) >= 0, `${event} in ${json.timeline.map((t) => t.event)}`);
    assert.deepEqual(
      order.map(at),
      [...order.map(at)].sort((x, y) => x - y),
      json.timeline.map((t) => `${t.chain}:${t.event}@${t.timestamp}`).join(" "),
    );
    const exported = json.timeline[at("OutcomeExported")]!;
    const settled = json.timeline[at("FlowFinalized")]!;
    assert.equal(exported.timestamp, settled.timestamp, "the tie this ordering is about happened");
  });

  /** One flow ORIGIN -> DESTINATION to the example's CrossChainCounter, through the SDK's flow functions only. */
  async function runFlow(a: Side, b: Side): Promise<Hex> {
    const escrow = (s: Side) => s.deployment.contracts.FlowEscrow! as Address;
    const executor = (s: Side) => s.deployment.contracts.FlowExecutor! as Address;
    const executionGas = 150_000;
    const fees = await quoteFlowFees({
      publicClient: a.publicClient,
      escrow: escrow(a),
      destinationDomain: b.chainId,
      executionGas,
    });
    assert.equal(fees.quoted, true, "the escrow quotes with the gas oracle");
    const user = privateKeyToAccount(ANVIL_KEYS[1]!).address;
    const opened = await openFlow({
      publicClient: a.publicClient,
      walletClient: a.walletClient,
      escrow: escrow(a),
      request: buildFlowRequest({
        destinationDomain: b.chainId,
        executor: executor(b),
        target: b.deployment.contracts.CrossChainCounter!,
        deadline: (await b.publicClient.getBlock()).timestamp + 3600n,
        executionGas,
        refundTo: user,
        beneficiary: user,
        feeRecipient: user,
        fees,
      }),
      payload: encodeAbiParameters([{ type: "uint256" }], [2n]),
    });
    // B executes at T = A's next second, and A settles at T too: a tie only the lifecycle order can break.
    const t = (await a.publicClient.getBlock()).timestamp + 1n;
    await rpc(b.anvil.rpcUrl, "evm_setNextBlockTimestamp", [toHex(t)]);
    assert.equal((await deliver(a, b, await messageOf(a, b, opened.sendId))).status, "EXECUTED");
    await rpc(a.anvil.rpcUrl, "evm_setNextBlockTimestamp", [toHex(t)]);
    // B sent the OUTCOME with the execution; delivering it settles A (no export, no settle call).
    const bEvents = await flowEvents({ publicClient: b.publicClient, address: executor(b) }, opened.flowId);
    const sendId = bEvents.find((e) => e.eventName === "OutcomeExported")!.args.sendId as Hex;
    assert.equal((await deliver(b, a, await messageOf(b, a, sendId))).status, "EXECUTED");
    const status = await flowStatus({
      origin: { publicClient: a.publicClient, address: escrow(a) },
      destination: { publicClient: b.publicClient, address: executor(b) },
      flowId: opened.flowId,
    });
    assert.deepEqual(
      [status.destination.status, status.origin.phase, status.next],
      ["EXECUTED", "SETTLED", "DONE"],
    );
    return opened.flowId;
  }
});
