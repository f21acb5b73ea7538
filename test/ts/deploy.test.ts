// Deterministic multi-chain deployment (sdk/src/deploy) end to end: two real anvil chains with different chain ids,
// then Hardhat's simulated chains. Deploy, wire, send a message on A, deliver it on B with real validator
// signatures; re-deploy sends nothing; a validator-set change sends only what it needs.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { network } from "hardhat";
import {
  type Abi,
  type Address,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
  type WalletClient,
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  custom,
  decodeEventLog,
  http,
  pad,
  size,
  toFunctionSelector,
  toHex,
} from "viem";
import { type PrivateKeyAccount, generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { type AnvilChain, rpc, startAnvil } from "../../sdk/src/anvil.js";
import { loadArtifact } from "../../sdk/src/artifacts.js";
import { decodeConcordMessage, messageId as computeMessageId } from "../../sdk/src/codec.js";
import {
  ANVIL_DEV_KEY,
  ConfigError,
  type Deployment,
  DETERMINISTIC_DEPLOYER,
  DeployError,
  MANIFEST,
  MAX_CODE_SIZE,
  create3Address,
  deploy,
  deploySalt,
  loadConfig,
  readDeployment,
  validateConfig,
} from "../../sdk/src/deploy/index.js";
import { messageIdDigest, messageIdMetadata, signDigest } from "../../sdk/src/metadata.js";

const CHAIN_A = 31_337;
const CHAIN_B = 31_338;
const deployer = privateKeyToAccount(ANVIL_DEV_KEY);
const abi = (name: string): Abi => loadArtifact(name).abi;

/** `count` fresh validator accounts. */
function validators(count: number): PrivateKeyAccount[] {
  return Array.from({ length: count }, () => privateKeyToAccount(generatePrivateKey()));
}

type ChainSpec = { rpcUrl?: string; network?: string; validators: PrivateKeyAccount[]; threshold: number };

function rawConfig(a: ChainSpec, b: ChainSpec): Record<string, unknown> {
  const chain = (chainId: number, spec: ChainSpec) => ({
    chainId,
    ...(spec.rpcUrl ? { rpcUrl: spec.rpcUrl } : { network: spec.network }),
    local: true,
    finalityDepth: 0,
    validators: spec.validators.map((v) => v.address),
    threshold: spec.threshold,
  });
  return { saltPrefix: "concord.test", chains: { chainA: chain(CHAIN_A, a), chainB: chain(CHAIN_B, b) } };
}

type Side = { public: PublicClient; wallet: WalletClient; deployment: Deployment };

function clients(transport: ReturnType<typeof http> | ReturnType<typeof custom>): Omit<Side, "deployment"> {
  return {
    public: createPublicClient({ transport, pollingInterval: 50 }) as PublicClient,
    wallet: createWalletClient({ account: deployer, transport }),
  };
}

async function send(side: Side, to: Address, contract: string, functionName: string, args: unknown[]) {
  const hash = await side.wallet.writeContract({
    address: to,
    abi: abi(contract),
    functionName,
    args,
    account: deployer,
    chain: null,
  });
  const receipt = await side.public.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.equal(receipt.status, "success", `${contract}.${functionName} reverted`);
  return receipt;
}

async function read<T>(
  side: Side,
  to: Address,
  contract: string,
  functionName: string,
  args: unknown[] = [],
) {
  return (await side.public.readContract({ address: to, abi: abi(contract), functionName, args })) as T;
}

/** Sends `payload` from the deployer on A to B's ConcordInbox; delivers it on B signed by `signers`; returns the
 * inbox's message count for A before and after. */
async function sendAndDeliver(a: Side, b: Side, signers: PrivateKeyAccount[], payload: Hex) {
  const inbox = b.deployment.contracts.ConcordInbox!;
  const gatewayA = a.deployment.contracts.ConcordGateway!;
  const gatewayB = b.deployment.contracts.ConcordGateway!;
  if (
    (await read<Address>(b, inbox, "ConcordInbox", "trustedSender", [CHAIN_A]).catch(() => undefined)) !==
    deployer.address
  )
    await send(b, inbox, "ConcordInbox", "setTrustedSender", [CHAIN_A, deployer.address]);
  const before = await read<bigint>(b, inbox, "ConcordInbox", "received", [CHAIN_A]);
  const receipt = await send(a, gatewayA, "ConcordGateway", "dispatch", [
    CHAIN_B,
    pad(inbox, { size: 32 }),
    payload,
  ]);
  const dispatched = receipt.logs
    .map((log) => {
      try {
        return decodeEventLog({ abi: abi("ConcordGateway"), data: log.data, topics: log.topics });
      } catch {
        return undefined;
      }
    })
    .find((event) => event?.eventName === "Dispatched");
  assert.ok(dispatched, "no Dispatched event");
  const message = (dispatched.args as unknown as { message: Hex }).message;
  const decoded = decodeConcordMessage(message);
  assert.equal(decoded.origin, CHAIN_A);
  assert.equal(decoded.destination, CHAIN_B);
  const digest = messageIdDigest({
    origin: CHAIN_A,
    originGateway: gatewayA,
    messageId: computeMessageId(message),
    nonce: decoded.nonce,
  });
  const signatures = await Promise.all(signers.map((s) => signDigest(s, digest)));
  await send(b, gatewayB, "ConcordGateway", "process", [messageIdMetadata({ signatures }), message]);
  const afterCount = await read<bigint>(b, inbox, "ConcordInbox", "received", [CHAIN_A]);
  const lastPayload = await read<Hex>(b, inbox, "ConcordInbox", "lastPayload", [CHAIN_A]);
  return { before, after: afterCount, lastPayload, message, metadata: messageIdMetadata({ signatures }) };
}

/** The gateway refused the message because `verifier` (the route's verifier) rejected it. */
function rejectedBy(e: unknown, verifier: Address): boolean {
  return (
    e instanceof BaseError &&
    e.message.includes("ConcordGatewayVerificationFailed") &&
    e.message.toLowerCase().includes(verifier.slice(2).toLowerCase())
  );
}

describe("deploy: two anvil chains", () => {
  let anvilA: AnvilChain;
  let anvilB: AnvilChain;
  let registryDir: string;
  const validatorsA = validators(3);
  const validatorsB = validators(2);
  let a: Side;
  let b: Side;
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);

  before(async () => {
    [anvilA, anvilB] = await Promise.all([
      startAnvil({ chainId: CHAIN_A }),
      startAnvil({ chainId: CHAIN_B }),
    ]);
    registryDir = mkdtempSync(join(tmpdir(), "concord-deploy-"));
  });

  after(async () => {
    await Promise.all([anvilA?.stop(), anvilB?.stop()]);
    if (registryDir) rmSync(registryDir, { recursive: true, force: true });
  });

  let currentA: Partial<ChainSpec> = {};
  const config = (specA: Partial<ChainSpec> = currentA) =>
    validateConfig(
      rawConfig(
        { rpcUrl: anvilA.rpcUrl, validators: validatorsA, threshold: 2, ...specA },
        { rpcUrl: anvilB.rpcUrl, validators: validatorsB, threshold: 1 },
      ),
    );

  it("dry run plans every transaction and sends none", async () => {
    const result = await deploy({ config: config(), dryRun: true, log, registryDir });
    assert.equal(result.transactionsSent, 0);
    assert.ok(result.plan.transactionCount > 20, `planned ${result.plan.transactionCount}`);
    assert.ok(logs.some((l) => l.includes("would send: deploy ConcordGateway")));
    const pub = clients(http(anvilA.rpcUrl)).public;
    const gateway = result.registries.chainA!.deployment.contracts.ConcordGateway!;
    assert.equal(await pub.getCode({ address: gateway }), undefined, "dry run deployed something");
    assert.equal(result.registries.chainA!.path, undefined, "dry run wrote a registry");
  });

  it("deploys and wires both chains at identical addresses and writes the registries", async () => {
    const result = await deploy({ config: config(), log, registryDir });
    console.log(`      first deployment: ${result.transactionsSent} transactions, ${result.gasUsed} gas`);
    assert.equal(result.transactionsSent, result.plan.transactionCount);
    const regA = readDeployment(registryDir, CHAIN_A);
    const regB = readDeployment(registryDir, CHAIN_B);
    assert.deepEqual(regA.contracts, regB.contracts, "same addresses on both chains");
    for (const entry of MANIFEST.filter((m) => !m.optional))
      assert.ok(regA.contracts[entry.name], `${entry.name} missing from the registry`);
    a = { ...clients(http(anvilA.rpcUrl)), deployment: regA };
    b = { ...clients(http(anvilB.rpcUrl)), deployment: regB };
    // The factory's own view agrees with the off-chain CREATE3 computation.
    const factory = regA.contracts.ConcordCreate3Factory!;
    const salt = deploySalt("concord.test", "ConcordGateway");
    const onChain = await read<Address>(a, factory, "ConcordCreate3Factory", "computeAddress", [
      deployer.address,
      salt,
    ]);
    assert.equal(onChain, create3Address(factory, deployer.address, salt));
    assert.equal(onChain, regA.contracts.ConcordGateway);
    // One ContractDeployed event per CREATE3 deployment, naming the deployer.
    const events = await a.public.getContractEvents({
      address: factory,
      abi: abi("ConcordCreate3Factory"),
      eventName: "ContractDeployed",
      fromBlock: 0n,
    });
    const deploysOnA = result.plan.chains
      .find((c) => c.name === "chainA")!
      .transactions.filter((t) => t.description.startsWith("deploy "));
    assert.equal(events.length, deploysOnA.length - 1, "every deployment but the factory's own");
    const gatewayEvent = events.find((e) => (e.args as { deployed: Address }).deployed === onChain);
    assert.deepEqual(gatewayEvent?.args, { deployer: deployer.address, salt, deployed: onChain });
    // Per-chain constructor arguments at one address.
    assert.equal(await read<number>(a, onChain, "ConcordGateway", "localDomain"), CHAIN_A);
    assert.equal(await read<number>(b, onChain, "ConcordGateway", "localDomain"), CHAIN_B);
    // Wiring: route on B for origin A = the registry's verifier with A's validator set.
    const [verifier, , , originGateway] = await read<[Address, number, boolean, Address]>(
      b,
      onChain,
      "ConcordGateway",
      "route",
      [CHAIN_A],
    );
    assert.equal(verifier, regB.verifiers[String(CHAIN_A)]!.address);
    assert.equal(originGateway, regA.contracts.ConcordGateway);
    const [set, threshold] = await read<[Address[], number]>(
      b,
      verifier,
      "MessageIdMultisigVerifier",
      "validatorsAndThreshold",
      ["0x"],
    );
    assert.deepEqual([...set].sort(), validatorsA.map((v) => v.address).sort());
    assert.equal(threshold, 2);
    // Flows: same addresses on both chains; A's escrow trusts B's executor and B's executor trusts A's escrow.
    const escrow = regA.contracts.FlowEscrow!;
    const executor = regA.contracts.FlowExecutor!;
    assert.equal(regB.contracts.FlowEscrow, escrow);
    assert.equal(regB.contracts.FlowExecutor, executor);
    assert.equal(await read<Address>(a, escrow, "FlowEscrow", "remote", [CHAIN_B]), executor);
    assert.equal(await read<Address>(b, executor, "FlowExecutor", "remote", [CHAIN_A]), escrow);
    assert.deepEqual(regA.remotes[String(CHAIN_B)], {
      gateway: regA.contracts.ConcordGateway,
      escrow,
      executor,
    });
    // Demo liquidity (on the executor) and lanes (outbound on A's escrow, inbound on B's executor).
    const usd = regB.contracts.DemoUSD!;
    assert.ok((await read<bigint>(b, usd, "ConcordDemoToken", "balanceOf", [executor])) > 0n);
    assert.ok((await read<bigint>(b, regB.contracts.MiniAMM!, "MiniAMM", "reserve1")) > 0n);
    assert.equal(
      await read<Address>(b, executor, "FlowExecutor", "lane", [CHAIN_A, usd, usd]),
      deployer.address,
    );
    assert.equal(await read<Address>(a, escrow, "FlowEscrow", "lane", [CHAIN_B, usd, usd]), deployer.address);
    // Fees: A's oracle knows B's gas price (local default 1 gwei, same native token); the escrow and the paymaster
    // use that oracle.
    const oracle = regA.contracts.GasOracle!;
    assert.deepEqual(await read<[bigint, bigint]>(a, oracle, "GasOracle", "remoteGasData", [CHAIN_B]), [
      10n ** 10n,
      10n ** 9n,
    ]);
    assert.equal(await read<Address>(a, escrow, "FlowEscrow", "gasOracle"), oracle);
    assert.equal(await read<Address>(a, regA.contracts.GasPaymaster!, "GasPaymaster", "gasOracle"), oracle);
  });

  it("delivers a message sent on A to B's inbox with A's validators' signatures", async () => {
    const payload = toHex("hello from A");
    const r = await sendAndDeliver(a, b, validatorsA.slice(0, 2), payload);
    assert.equal(r.after, r.before + 1n);
    assert.equal(r.lastPayload, payload);
  });

  it("rejects a message signed by validators that are not A's", async () => {
    const strangers = validators(2);
    await assert.rejects(sendAndDeliver(a, b, strangers, toHex("forged")), (e: unknown) =>
      rejectedBy(e, b.deployment.verifiers[String(CHAIN_A)]!.address),
    );
  });

  it("re-running with the same config sends zero transactions", async () => {
    const result = await deploy({ config: config(), log, registryDir });
    console.log(`      second deployment: ${result.transactionsSent} transactions sent`);
    assert.equal(
      result.plan.transactionCount,
      0,
      result.plan.chains
        .flatMap((c) => c.transactions)
        .map((t) => t.description)
        .join("\n"),
    );
    assert.equal(result.transactionsSent, 0);
    assert.deepEqual(
      result.plan.warnings.filter((w) => w.includes("other code")),
      [],
      "deployed code = build",
    );
  });

  it("warns when a deployed contract runs other code than the build (and sends nothing)", async () => {
    const counter = b.deployment.contracts.CrossChainCounter!;
    const original = (await b.public.getCode({ address: counter }))!;
    const tampered = `${original.slice(0, -2)}${original.endsWith("00") ? "01" : "00"}` as Hex;
    await rpc(anvilB.rpcUrl, "anvil_setCode", [counter, tampered]);
    try {
      const result = await deploy({ config: config(), dryRun: true, registryDir });
      assert.equal(result.plan.transactionCount, 0);
      assert.ok(
        result.plan.warnings.some(
          (w) => w.startsWith("chainB: CrossChainCounter") && w.includes("other code"),
        ),
        result.plan.warnings.join("\n"),
      );
    } finally {
      await rpc(anvilB.rpcUrl, "anvil_setCode", [counter, original]);
    }
  });

  it("a new validator set for A sends only a new verifier and a route update on B", async () => {
    const rotated = validators(2);
    const result = await deploy({ config: config({ validators: rotated, threshold: 2 }), log, registryDir });
    console.log(`      validator rotation: ${result.transactionsSent} transactions, ${result.gasUsed} gas`);
    const byChain = Object.fromEntries(result.plan.chains.map((c) => [c.name, c.transactions]));
    assert.equal(byChain.chainA!.length, 0);
    assert.deepEqual(
      byChain.chainB!.map((t) =>
        t.description.split(" ")[0] === "deploy" ? "deploy" : t.description.split("(")[0],
      ),
      ["deploy", "ConcordGateway.setRoute"],
    );
    assert.equal(result.transactionsSent, 2);
    const regB = readDeployment(registryDir, CHAIN_B);
    assert.notEqual(
      regB.verifiers[String(CHAIN_A)]!.address,
      b.deployment.verifiers[String(CHAIN_A)]!.address,
    );
    b = { ...b, deployment: regB };
    // The old set no longer passes; the new one does.
    await assert.rejects(sendAndDeliver(a, b, validatorsA.slice(0, 2), toHex("old set")), (e: unknown) =>
      rejectedBy(e, b.deployment.verifiers[String(CHAIN_A)]!.address),
    );
    const r = await sendAndDeliver(a, b, rotated, toHex("new set"));
    assert.equal(r.after, r.before + 1n);
    currentA = { validators: rotated, threshold: 2 };
    const again = await deploy({ config: config(), log, registryDir });
    assert.equal(again.transactionsSent, 0);
  });

  it("grants ADMIN_ROLE to a configured admin and the GUARDIAN role to a guardian, once", async () => {
    const admin = privateKeyToAccount(generatePrivateKey()).address;
    const guardian = privateKeyToAccount(generatePrivateKey()).address;
    const cfg = { ...config(), admin, guardian };
    const result = await deploy({ config: cfg, log, registryDir });
    for (const c of result.plan.chains)
      assert.deepEqual(
        c.transactions.map((t) => t.description.split("(")[0]),
        [
          "AccessManager.grantRole",
          "AccessManager.setTargetFunctionRole", // gateway: pause, pauseRoute
          "AccessManager.setTargetFunctionRole", // FlowEscrow: pauseSettlement
          "AccessManager.setTargetFunctionRole", // FlowExecutor: pauseSettlement
          "AccessManager.grantRole",
        ],
        c.name,
      );
    const manager = a.deployment.contracts.AccessManager!;
    const gateway = a.deployment.contracts.ConcordGateway!;
    assert.equal(
      (await read<[boolean, number]>(a, manager, "ConcordAccessManager", "hasRole", [0n, admin]))[0],
      true,
    );
    assert.equal(
      (await read<[boolean, number]>(a, manager, "ConcordAccessManager", "hasRole", [1n, guardian]))[0],
      true,
    );
    for (const fn of ["pause(bool,bool)", "pauseRoute(uint32)"])
      assert.equal(
        await read<bigint>(a, manager, "ConcordAccessManager", "getTargetFunctionRole", [
          gateway,
          toFunctionSelector(fn),
        ]),
        1n,
        fn,
      );
    for (const flowContract of ["FlowEscrow", "FlowExecutor"])
      assert.equal(
        await read<bigint>(a, manager, "ConcordAccessManager", "getTargetFunctionRole", [
          a.deployment.contracts[flowContract]!,
          toFunctionSelector("pauseSettlement()"),
        ]),
        1n,
        `${flowContract}.pauseSettlement`,
      );
    // unpause stays with the admin role.
    assert.equal(
      await read<bigint>(a, manager, "ConcordAccessManager", "getTargetFunctionRole", [
        gateway,
        toFunctionSelector("unpause(bool,bool)"),
      ]),
      0n,
    );
    assert.equal((await deploy({ config: cfg, log, registryDir })).transactionsSent, 0);
  });

  it("lists the admin's calls instead of sending them once the deployer gave up ADMIN_ROLE", async () => {
    const manager = a.deployment.contracts.AccessManager!;
    await send(a, manager, "ConcordAccessManager", "renounceRole", [0n, deployer.address]);
    const cfg = validateConfig(
      rawConfig(
        { rpcUrl: anvilA.rpcUrl, validators: currentA.validators!, threshold: 2 },
        { rpcUrl: anvilB.rpcUrl, validators: validators(1), threshold: 1 },
      ),
    );
    await assert.rejects(
      deploy({ config: cfg, log, registryDir }),
      (e: Error) =>
        e instanceof DeployError &&
        e.message.includes("no longer holds ADMIN_ROLE on chainA") &&
        e.message.includes("ConcordGateway.setRoute(31338"),
    );
  });

  it("the CREATE3 factory rejects a reused salt and empty init code", async () => {
    const factory = a.deployment.contracts.ConcordCreate3Factory!;
    const factoryAbi = abi("ConcordCreate3Factory");
    const salt = deploySalt("concord.test", "ConcordGateway");
    const revertName = async (args: [Hex, Hex]) => {
      try {
        await a.public.simulateContract({
          address: factory,
          abi: factoryAbi,
          functionName: "deploy",
          args,
          account: deployer,
        });
      } catch (e) {
        const reverted = (e as BaseError).walk((x) => x instanceof ContractFunctionRevertedError);
        return (reverted as ContractFunctionRevertedError | null)?.data?.errorName;
      }
      return "no revert";
    };
    assert.equal(
      await revertName([salt, loadArtifact("ConcordDemoToken").bytecode]),
      "ConcordCreate3FactoryAlreadyDeployed",
    );
    assert.equal(
      await revertName([toHex("fresh", { size: 32 }), "0x"]),
      "ConcordCreate3FactoryEmptyInitCode",
    );
    // Init code that returns empty runtime code (STOP): no contract.
    assert.equal(
      await revertName([toHex("empty", { size: 32 }), "0x00"]),
      "ConcordCreate3FactoryDeploymentFailed",
    );
    // The same salt from another deployer is another address (front-running protection).
    const other = privateKeyToAccount(generatePrivateKey()).address;
    assert.notEqual(create3Address(factory, other, salt), a.deployment.contracts.ConcordGateway);
  });

  it("refuses a remote chain without the deterministic-deployment proxy, naming it", async () => {
    const cfg = config();
    cfg.chains.chainA!.local = false;
    // anvil ships the proxy: remove it to model a remote chain that lacks it, then put it back.
    const original = await a.public.getCode({ address: DETERMINISTIC_DEPLOYER });
    await rpc(anvilA.rpcUrl, "anvil_setCode", [DETERMINISTIC_DEPLOYER, "0x"]);
    try {
      await assert.rejects(
        deploy({ config: cfg, dryRun: true, registryDir, privateKey: ANVIL_DEV_KEY }),
        (e: Error) =>
          e instanceof DeployError &&
          e.message.includes(DETERMINISTIC_DEPLOYER) &&
          e.message.includes("chainA"),
      );
    } finally {
      await rpc(anvilA.rpcUrl, "anvil_setCode", [DETERMINISTIC_DEPLOYER, original]);
    }
  });

  it("refuses a contract above the EIP-170 size limit on a remote chain, naming it", async () => {
    const fresh = { ...config(), saltPrefix: "concord.test.fresh" };
    fresh.chains.chainA!.local = false;
    const oversized = MANIFEST.filter((m) => size(loadArtifact(m.artifact).deployedBytecode) > MAX_CODE_SIZE);
    const attempt = deploy({ config: fresh, dryRun: true, registryDir, privateKey: ANVIL_DEV_KEY });
    if (oversized.length === 0) {
      await attempt; // nothing oversized any more: a remote chain plans fine
      return;
    }
    await assert.rejects(
      attempt,
      (e: Error) => e instanceof DeployError && e.message.includes(oversized[0]!.name),
    );
  });
});

describe("deploy: a local chain that enforces EIP-170", () => {
  it("fails on an oversized contract with an error that says how to run the chain", async () => {
    const oversized = MANIFEST.filter((m) => size(loadArtifact(m.artifact).deployedBytecode) > MAX_CODE_SIZE);
    const anvil = await startAnvil({ chainId: 31_339 }); // default code size limit
    const registryDir = mkdtempSync(join(tmpdir(), "concord-deploy-limit-"));
    try {
      const config = validateConfig({
        chains: {
          solo: {
            chainId: 31_339,
            rpcUrl: anvil.rpcUrl,
            local: true,
            validators: [deployer.address],
            threshold: 1,
          },
        },
      });
      const attempt = deploy({ config, registryDir });
      if (oversized.length === 0) {
        assert.ok((await attempt).transactionsSent > 0);
        return;
      }
      await assert.rejects(
        attempt,
        (e: Error) =>
          e instanceof DeployError &&
          e.message.includes(`deploy ${oversized[0]!.name}`) &&
          e.message.includes("--disable-code-size-limit"),
      );
    } finally {
      await anvil.stop();
      rmSync(registryDir, { recursive: true, force: true });
    }
  });
});

describe("deploy: Hardhat simulated chains", () => {
  it("deploys, wires and delivers on network.create chains, then re-runs with zero transactions", async () => {
    const connA = await network.create("chainA");
    const connB = await network.create("chainB");
    const registryDir = mkdtempSync(join(tmpdir(), "concord-deploy-hh-"));
    try {
      const providers = {
        chainA: connA.provider as unknown as EIP1193Provider,
        chainB: connB.provider as unknown as EIP1193Provider,
      };
      const validatorsA = validators(2);
      const config = validateConfig(
        rawConfig(
          { network: "chainA", validators: validatorsA, threshold: 2 },
          { network: "chainB", validators: validators(1), threshold: 1 },
        ),
      );
      const first = await deploy({ config, registryDir, providers });
      assert.ok(first.transactionsSent > 20);
      const a: Side = {
        ...clients(custom(providers.chainA)),
        deployment: readDeployment(registryDir, CHAIN_A),
      };
      const b: Side = {
        ...clients(custom(providers.chainB)),
        deployment: readDeployment(registryDir, CHAIN_B),
      };
      const r = await sendAndDeliver(a, b, validatorsA, toHex("hello over EDR"));
      assert.equal(r.after, r.before + 1n);
      const second = await deploy({ config, registryDir, providers });
      console.log(
        `      hardhat chains: ${first.transactionsSent} then ${second.transactionsSent} transactions`,
      );
      assert.equal(second.transactionsSent, 0);
    } finally {
      await connA.close();
      await connB.close();
      rmSync(registryDir, { recursive: true, force: true });
    }
  });
});

describe("deploy: config validation names the bad key", () => {
  const v = validators(3).map((x) => x.address);
  const base = () => ({
    chains: {
      chainA: { chainId: 1, rpcUrl: "http://a.example", finalityDepth: 64, validators: v, threshold: 2 },
      chainB: {
        chainId: 10,
        rpcUrl: { env: "TEST_CHAIN_B_RPC" },
        finalityDepth: 5,
        validators: v,
        threshold: 2,
      },
    },
  });
  const env = { TEST_CHAIN_B_RPC: "https://b.example" };
  const expectKey = (
    mutate: (c: ReturnType<typeof base>) => void,
    key: string,
    env_: Record<string, string> = env,
  ) => {
    const raw = base();
    mutate(raw);
    assert.throws(
      () => validateConfig(raw, env_),
      (e: unknown) => e instanceof ConfigError && e.key === key && e.message.startsWith(key),
    );
  };

  it("accepts a valid config and resolves env RPC URLs", () => {
    const cfg = validateConfig(base(), env);
    assert.equal(cfg.chains.chainB!.rpcUrl, "https://b.example");
    assert.deepEqual(cfg.chains.chainA!.remotes, ["chainB"]);
    assert.equal(cfg.chains.chainA!.minFinalityDepth, 64, "Ethereum's known minimum");
  });

  it("unknown chain referenced", () =>
    expectKey((c) => Object.assign(c.chains.chainA, { remotes: ["chainZ"] }), "chains.chainA.remotes[0]"));
  it("duplicate domain id", () =>
    expectKey((c) => Object.assign(c.chains.chainB, { domain: 1 }), "chains.chainB.domain"));
  it("threshold above the validators", () =>
    expectKey((c) => Object.assign(c.chains.chainB, { threshold: 4 }), "chains.chainB.threshold"));
  it("threshold 0", () =>
    expectKey((c) => Object.assign(c.chains.chainA, { threshold: 0 }), "chains.chainA.threshold"));
  it("finality depth below the chain's minimum (known)", () =>
    expectKey((c) => Object.assign(c.chains.chainA, { finalityDepth: 12 }), "chains.chainA.finalityDepth"));
  it("finality depth below the chain's configured minimum", () =>
    expectKey(
      (c) => Object.assign(c.chains.chainB, { minFinalityDepth: 10 }),
      "chains.chainB.finalityDepth",
    ));
  it("missing RPC URL (no key)", () =>
    expectKey((c) => delete (c.chains.chainA as { rpcUrl?: unknown }).rpcUrl, "chains.chainA.rpcUrl"));
  it("missing RPC URL (environment variable unset)", () => expectKey(() => {}, "chains.chainB.rpcUrl", {}));
  it("malformed validator address", () =>
    expectKey(
      (c) => (c.chains.chainA.validators = [v[0]!, "0x1234" as Address]),
      "chains.chainA.validators[1]",
    ));
  it("unknown key (typo)", () =>
    expectKey((c) => Object.assign(c.chains.chainA, { treshold: 2 }), "chains.chainA.treshold"));

  it("the shipped configs are valid", () => {
    const local = loadConfig("deploy/config/local.json", {});
    assert.deepEqual(
      Object.values(local.chains).map((c) => c.chainId),
      [31_337, 31_338, 31_339],
    );
    const example = loadConfig("deploy/config/example.json", {
      SEPOLIA_RPC_URL: "https://sepolia.example",
      BASE_SEPOLIA_RPC_URL: "https://base-sepolia.example",
    });
    assert.equal(example.chains.sepolia!.local, false);
    assert.ok(JSON.parse(readFileSync("deploy/config/example.json", "utf8")).chains.sepolia.rpcUrl.env);
  });
});
