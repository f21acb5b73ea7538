// Planning: read each chain's state and list exactly the transactions that bring it to the configuration.
import {
  type Abi,
  type Address,
  type Chain,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
  type Transport,
  createPublicClient,
  custom,
  defineChain,
  encodeAbiParameters,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  http,
  keccak256,
  pad,
  size,
  toFunctionSelector,
  zeroAddress,
} from "viem";
import { ArtifactError, type ContractArtifact, loadArtifact } from "../artifacts.js";
import { ConcordSdkError } from "../errors.js";
import { ADAPTER_PROTOCOLS, type AdapterProtocol, type AdapterSection } from "./adapters.js";
import {
  AGGREGATOR_CONTRACT,
  type AggregatorState,
  type ScheduledChange,
  gatewayContract,
  gatewayPaid,
  planAggregator,
  readAggregator,
} from "./aggregator.js";
import type { ChainConfig, ChainEntry } from "./config.js";
import { ConfigError, EXECUTE_GAS_OVERHEAD } from "./config.js";
import {
  DETERMINISTIC_DEPLOYER,
  create3Address,
  deploySalt,
  factoryAddress,
  factoryDeploymentData,
} from "./create3.js";
import { FLOW_TRANSPORT_NATIVE, flowGatewayContract } from "./flows.js";
import { DEMO_AMOUNTS, DEPLOY_ORDER, type ManifestContext, type ManifestEntry } from "./manifest.js";
import type { AdapterEntry, AggregatorEntry, Deployment, FlowsEntry, VerifierEntry } from "./registry.js";

/** A deployment that cannot proceed (unreachable chain, missing proxy on a remote chain, failed transaction). */
export class DeployError extends ConcordSdkError {
  override name = "DeployError";
}

/** A chain's RPC endpoint does not answer (exit code 4 in the CLI). */
export class ChainUnreachableError extends DeployError {
  override name = "ChainUnreachableError";
}

/** Whether `error` is a failure to reach the endpoint (refused, reset, timed out), not an answer. */
export function isConnectionError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (
    let e: unknown = error;
    e && typeof e === "object" && !seen.has(e);
    e = (e as { cause?: unknown }).cause
  ) {
    seen.add(e);
    const r = e as { name?: unknown; message?: unknown; details?: unknown; status?: unknown };
    if (r.name === "TimeoutError" || (r.name === "HttpRequestError" && r.status === undefined)) return true;
    const text = `${String(r.message ?? "")} ${String(r.details ?? "")}`;
    if (
      /fetch failed|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|socket hang up|timed out|took too long/i.test(
        text,
      )
    )
      return true;
  }
  return false;
}

/** AccessManager role ids used by the deployment (see deploy/README.md and audits/ACCESS_CONTROL.md). */
export const Roles = { ADMIN: 0n, GUARDIAN: 1n } as const;

/** EIP-170 limit on runtime code size. */
export const MAX_CODE_SIZE = 24_576;

/** One transaction of a plan. */
export type PlannedTransaction = {
  chain: string;
  chainId: number;
  /** Human-readable, e.g. `ConcordGateway.setRoute(31338, 0x…, 0x…)` or `deploy ConcordGateway at 0x…`. */
  description: string;
  to: Address;
  data: Hex;
  /** Requires `ADMIN_ROLE` on the chain's AccessManager (configuration rather than deployment). */
  restricted: boolean;
  /** What may make it fail (e.g. code above the EIP-170 limit), repeated in the error if it does. */
  note?: string;
  /** A delayed change (`TransportAggregator.schedule*`): when it takes effect. */
  takesEffect?: string;
  /** Wei sent with the call (a sponsor top-up, `fund()`); none when absent. */
  value?: bigint;
};

/** The plan of one chain. */
export type ChainPlan = {
  name: string;
  chainId: number;
  domain: number;
  /** The deterministic-deployment proxy is missing and will be installed with `*_setCode` (local chains only). */
  bootstrapDeterministicDeployer: boolean;
  factory: Address;
  /** Contracts needed on this chain whose artifact does not exist yet (optional manifest entries), skipped. */
  skipped: string[];
  transactions: PlannedTransaction[];
  /** Delayed changes scheduled by an earlier run and not in effect yet (nothing to send; when each takes effect). */
  scheduled: ScheduledChange[];
  /** The registry this chain has once the transactions are mined. */
  deployment: Deployment;
  /** The gateway is already deployed (its deploy block comes from the registry, or the chain). */
  gatewayExisted: boolean;
};

/** What `deploy` would do. */
export type Plan = {
  deployer: Address;
  chains: ChainPlan[];
  /** Total number of transactions over all chains. */
  transactionCount: number;
  /** Non-fatal findings (e.g. a contract above the EIP-170 size limit on a local chain). */
  warnings: string[];
};

export type PlanOptions = {
  /** The account that sends every transaction (salts are bound to it). */
  deployer: Address;
  /** EIP-1193 providers by chain name, e.g. Hardhat's `network.create(...).provider`; default `http(rpcUrl)`. */
  providers?: Readonly<Record<string, EIP1193Provider>>;
};

/** What planning a chain reads from the other chains: the gas price gas oracles default to (see `gasPrice`), and
 * every chain's aggregator (a receive rule names the version its sender sends under). */
type PlanInputs = PlanOptions & {
  observedGasPrice: Record<string, bigint>;
  aggregators: Record<string, AggregatorState>;
};

/** The viem chain and transport of one configured chain. */
export function chainTransport(
  entry: ChainEntry,
  providers?: Readonly<Record<string, EIP1193Provider>>,
): { chain: Chain; transport: Transport; pollingInterval: number } {
  const provider = providers?.[entry.name];
  let transport: Transport;
  if (provider) transport = custom(provider);
  else if (entry.rpcUrl) transport = http(entry.rpcUrl, { retryCount: entry.local ? 0 : 3 });
  else
    throw new ConfigError(
      `chains.${entry.name}.network`,
      `chain uses Hardhat network "${entry.network}": pass its provider (network.create) to deploy`,
    );
  const chain = defineChain({
    id: entry.chainId,
    name: entry.name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: entry.rpcUrl ? [entry.rpcUrl] : [] } },
  });
  return { chain, transport, pollingInterval: entry.local ? 50 : 2_000 };
}

/** A public client for `entry`, after checking that the endpoint serves the configured chain id. */
export async function connectPublic(
  entry: ChainEntry,
  providers?: Readonly<Record<string, EIP1193Provider>>,
): Promise<PublicClient> {
  const { chain, transport, pollingInterval } = chainTransport(entry, providers);
  const client = createPublicClient({ chain, transport, pollingInterval });
  let actual: number;
  const where = entry.rpcUrlEnv ? `${entry.rpcUrlEnv} (${entry.rpcUrl})` : (entry.rpcUrl ?? entry.network);
  try {
    actual = await client.getChainId();
  } catch (e) {
    throw new ChainUnreachableError(
      `chain ${entry.name} is unreachable at ${where}`,
      (e as Error).message.split("\n")[0],
      {
        cause: e,
      },
    );
  }
  if (actual !== entry.chainId)
    throw new ConfigError(
      `chains.${entry.name}.rpcUrl`,
      `${where} serves chain ${actual}, but chains.${entry.name}.chainId is ${entry.chainId}: the URL points at another chain`,
    );
  return client as PublicClient;
}

type Reader = <T>(address: Address, abi: Abi, functionName: string, args?: readonly unknown[]) => Promise<T>;

const GATEWAY_GUARDIAN_FUNCTIONS = ["pause", "pauseRoute"] as const;
const FLOW_GUARDIAN_FUNCTIONS = ["pauseSettlement"] as const;

/** The validator configuration a verifier for messages from `origin` to `local` is built from. */
export function verifierConfig(origin: ChainEntry, local: ChainEntry, originGateway: Address) {
  return {
    origin: origin.domain,
    originGateway: pad(originGateway, { size: 32 }),
    localDomain: local.domain,
    threshold: origin.threshold,
    validators: origin.validators,
  };
}

/** Hash of what a verifier for `origin` attests (origin, origin gateway, threshold, validators; not the local
 * domain), part of its salt: a changed validator set gives a new verifier at a new address. */
export function verifierConfigHash(origin: ChainEntry, originGateway: Address): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint32" }, { type: "address" }, { type: "uint8" }, { type: "address[]" }],
      [origin.domain, originGateway, origin.threshold, origin.validators],
    ),
  );
}

/** `GasOracle` exchange rate of `remote`'s native token in `local`'s, scaled by 1e10 (at least 1). */
export function tokenExchangeRate(remote: ChainEntry, local: ChainEntry): bigint {
  const scaled = (price: number) => BigInt(Math.round(price * 1e9));
  const rate = (10n ** 10n * scaled(remote.nativeTokenPrice)) / scaled(local.nativeTokenPrice);
  return rate > 0n ? rate : 1n;
}

/** Whether `deployed` runtime code is `artifact`'s, ignoring immutables (which differ per deployment). */
function sameCode(deployed: Hex, artifact: ContractArtifact): boolean {
  const expected = artifact.deployedBytecode.toLowerCase();
  if (deployed.length !== expected.length) return false;
  const actual = deployed.toLowerCase().split("");
  const want = expected.split("");
  for (const ranges of Object.values(artifact.immutableReferences))
    for (const { start, length } of ranges)
      for (let i = 2 + 2 * start; i < 2 + 2 * (start + length); i++) actual[i] = want[i] = "0";
  return actual.join("") === want.join("");
}

function artifactOrUndefined(name: string) {
  try {
    return loadArtifact(name);
  } catch (e) {
    if (e instanceof ArtifactError) return undefined;
    throw e;
  }
}

function short(value: unknown): string {
  if (typeof value === "string" && value.startsWith("0x") && value.length > 42)
    return `${value.slice(0, 10)}…`;
  if (Array.isArray(value)) return `[${value.map(short).join(", ")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${short(v)}`)
      .join(", ")}}`;
  return String(value);
}

/** Whether an on-chain value (address, number, bigint) equals a configured one. */
function sameValue(current: unknown, configured: unknown): boolean {
  if (typeof configured === "string" && configured.startsWith("0x") && typeof current === "string")
    return current.toLowerCase() === configured.toLowerCase();
  // names (Axelar chains) compare as written; numbers may come back as bigint
  if (typeof configured === "string" && typeof current === "string") return current === configured;
  try {
    return BigInt(current as bigint) === BigInt(configured as bigint);
  } catch {
    return current === configured;
  }
}

/**
 * Checks a chain's adapter section against the chain before planning: every contract field names a contract, and
 * every read of the protocol's checks (e.g. the Mailbox's `localDomain`) matches the config. Throws a ConfigError
 * naming the key.
 */
async function checkAdapterSection(
  client: PublicClient,
  entry: ChainEntry,
  protocol: AdapterProtocol,
  section: AdapterSection,
): Promise<void> {
  const key = `chains.${entry.name}.${protocol.key}`;
  for (const field of protocol.contractFields) {
    const value = section[field] as Address;
    if (BigInt(value) === 0n) continue;
    const code = await client.getCode({ address: value });
    if (code === undefined || code === "0x")
      throw new ConfigError(
        `${key}.${field}`,
        `no contract at ${value} on ${entry.name} (chain ${entry.chainId}): ${protocol.fields[field]!.doc} must be deployed there`,
      );
  }
  for (const check of protocol.checks) {
    let actual: unknown;
    try {
      actual = await client.readContract({
        address: section[check.field] as Address,
        abi: check.abi as Abi,
        functionName: check.functionName,
      });
    } catch (e) {
      if (isConnectionError(e)) throw e;
      throw new ConfigError(
        `${key}.${check.field}`,
        `${section[check.field] as string} on ${entry.name} does not answer ${check.functionName}(): is it ${protocol.fields[check.field]!.doc}?`,
      );
    }
    if (!sameValue(actual, section[check.equals]))
      throw new ConfigError(
        `${key}.${check.equals}`,
        `is ${String(section[check.equals])}, but ${protocol.fields[check.field]!.doc} (${section[check.field] as string}) ` +
          `reports ${check.functionName}() = ${String(actual)}`,
      );
  }
}

/** Plans one chain: reads its state and lists the transactions that bring it to `config`. */
async function planChain(
  config: ChainConfig,
  entry: ChainEntry,
  opts: PlanInputs,
  warnings: string[],
): Promise<ChainPlan> {
  const client = await connectPublic(entry, opts.providers);
  const { deployer } = opts;
  const admin = config.admin ?? deployer;
  const txs: PlannedTransaction[] = [];
  const base = { chain: entry.name, chainId: entry.chainId };
  const code = async (address: Address) => {
    const c = await client.getCode({ address });
    return c !== undefined && c !== "0x";
  };
  const read: Reader = async <T>(
    address: Address,
    abi: Abi,
    functionName: string,
    args: readonly unknown[] = [],
  ) => (await client.readContract({ address, abi, functionName, args })) as T;

  // 1. The deterministic-deployment proxy and the CREATE3 factory.
  let bootstrap = false;
  if (!(await code(DETERMINISTIC_DEPLOYER))) {
    if (!entry.local)
      throw new DeployError(
        `chain ${entry.name} (${entry.chainId}) has no deterministic-deployment proxy at ${DETERMINISTIC_DEPLOYER}`,
        "deploy it first with its presigned transaction (github.com/Arachnid/deterministic-deployment-proxy), " +
          'or mark a development chain "local": true to install it automatically',
      );
    bootstrap = true;
  }
  const factoryArtifact = loadArtifact("ConcordCreate3Factory");
  const factory = factoryAddress(factoryArtifact.bytecode);
  const factoryDeployed = !bootstrap && (await code(factory));
  if (!factoryDeployed)
    txs.push({
      ...base,
      description: `deploy ConcordCreate3Factory at ${factory} (deterministic-deployment proxy)`,
      to: DETERMINISTIC_DEPLOYER,
      data: factoryDeploymentData(factoryArtifact.bytecode),
      restricted: false,
    });

  // Adapter sections: the protocol's contracts exist on this chain and say what the config says (before anything
  // is planned, so that a wrong address fails here, naming its key, instead of reverting a constructor).
  const adapterProtocols = ADAPTER_PROTOCOLS.filter((p) => entry.adapters[p.key] !== undefined);
  for (const protocol of adapterProtocols)
    await checkAdapterSection(client, entry, protocol, entry.adapters[protocol.key]!);

  // 2. Manifest contracts (CREATE3: same address on every chain for a given deployer and salt prefix).
  const addresses: Record<string, Address> = {};
  const existed: Record<string, boolean> = {};
  const skipped: string[] = [];
  const ctx: ManifestContext = { config, chain: entry, deployer, admin, addresses };
  const deployTx = async (name: string, label: string, artifactName: string, args: readonly unknown[]) => {
    const artifact = loadArtifact(artifactName);
    const salt = deploySalt(config.saltPrefix, label);
    const address = create3Address(factory, deployer, salt);
    addresses[name] = address;
    const deployed = factoryDeployed ? await client.getCode({ address }) : undefined;
    existed[name] = deployed !== undefined && deployed !== "0x";
    if (existed[name]) {
      if (!sameCode(deployed!, artifact))
        warnings.push(
          `${entry.name}: ${name} at ${address} runs other code than the current build of ${artifactName} ` +
            "(contracts are immutable: use a new saltPrefix to deploy the new code)",
        );
    }
    const runtimeSize = size(artifact.deployedBytecode);
    let note: string | undefined;
    if (!existed[name] && runtimeSize > MAX_CODE_SIZE) {
      const problem = `${artifactName} runtime code is ${runtimeSize} bytes, above the EIP-170 limit of ${MAX_CODE_SIZE}`;
      if (!entry.local) throw new DeployError(`cannot deploy ${name} to ${entry.name}: ${problem}`);
      note =
        `${problem}; it needs a chain without the limit (anvil --disable-code-size-limit, ` +
        "Hardhat allowUnlimitedContractSize)";
      warnings.push(`${entry.name}: ${note}`);
    }
    if (!existed[name]) {
      const initCode = encodeDeployData({
        abi: artifact.abi,
        bytecode: artifact.bytecode,
        args: args as unknown[],
      });
      txs.push({
        ...base,
        description: `deploy ${name} at ${address}${args.length ? ` (${args.map(short).join(", ")})` : ""}`,
        to: factory,
        data: encodeFunctionData({
          abi: factoryArtifact.abi,
          functionName: "deploy",
          args: [salt, initCode],
        }),
        restricted: false,
        ...(note ? { note } : {}),
      });
    }
    return address;
  };
  const entries: ManifestEntry[] = [];
  for (const item of DEPLOY_ORDER) {
    if (item.when && !item.when(ctx)) continue;
    if (item.optional && !artifactOrUndefined(item.artifact)) {
      skipped.push(item.name);
      continue;
    }
    entries.push(item);
    await deployTx(item.name, item.name, item.artifact, item.args(ctx));
  }

  // 3. One MessageIdMultisigVerifier per origin (remote) chain, salted with the validator config.
  const remotes = entry.remotes.map((name) => config.chains[name]!);
  const gateway = addresses.ConcordGateway!;
  const verifiers: Record<string, VerifierEntry> = {};
  for (const origin of remotes) {
    const originGateway = gateway; // same address on every chain (same deployer, same salt prefix)
    const cfg = verifierConfig(origin, entry, originGateway);
    const label = `MessageIdMultisigVerifier/${origin.domain}/${verifierConfigHash(origin, originGateway)}`;
    const name = `MessageIdMultisigVerifier[origin ${origin.domain}]`;
    const address = await deployTx(name, label, "MessageIdMultisigVerifier", [cfg]);
    delete addresses[name];
    verifiers[String(origin.domain)] = {
      address,
      type: "messageIdMultisig",
      validators: origin.validators,
      threshold: origin.threshold,
    };
  }

  // 4. Wiring (restricted calls), reading current values only from contracts that already existed.
  const managerAbi = loadArtifact("ConcordAccessManager").abi;
  const gatewayAbi = loadArtifact("ConcordGateway").abi;
  const escrowAbi = loadArtifact("FlowEscrow").abi;
  const executorAbi = loadArtifact("FlowExecutor").abi;
  const call = (
    contract: string,
    abi: Abi,
    functionName: string,
    args: readonly unknown[],
    restricted = true,
  ) => {
    txs.push({
      ...base,
      description: `${contract}.${functionName}(${args.map(short).join(", ")})`,
      to: addresses[contract]!,
      data: encodeFunctionData({ abi, functionName, args: args as unknown[] }),
      restricted,
    });
  };
  const manager = addresses.AccessManager!;
  const hasRole = async (role: bigint, account: Address) =>
    existed.AccessManager &&
    (await read<[boolean, number]>(manager, managerAbi, "hasRole", [role, account]))[0];

  if (admin !== deployer && !(await hasRole(Roles.ADMIN, admin)))
    call("AccessManager", managerAbi, "grantRole", [Roles.ADMIN, admin, 0]);
  if (config.guardian) {
    // The guardian may stop things fast (gateway traffic, a route, flow settlement), never resume or configure.
    const targets = [
      { name: "ConcordGateway", abi: gatewayAbi, functions: GATEWAY_GUARDIAN_FUNCTIONS },
      { name: "FlowEscrow", abi: escrowAbi, functions: FLOW_GUARDIAN_FUNCTIONS },
      { name: "FlowExecutor", abi: executorAbi, functions: FLOW_GUARDIAN_FUNCTIONS },
    ] as const;
    for (const target of targets) {
      const address = addresses[target.name]!;
      const selectors = target.functions.map((fn) =>
        toFunctionSelector(target.abi.find((i) => i.type === "function" && i.name === fn)! as never),
      );
      let mapped = existed.AccessManager && existed[target.name];
      for (const selector of selectors) {
        if (!mapped) break;
        const role = await read<bigint>(manager, managerAbi, "getTargetFunctionRole", [address, selector]);
        mapped = role === Roles.GUARDIAN;
      }
      if (!mapped)
        call("AccessManager", managerAbi, "setTargetFunctionRole", [address, selectors, Roles.GUARDIAN]);
    }
    if (!(await hasRole(Roles.GUARDIAN, config.guardian)))
      call("AccessManager", managerAbi, "grantRole", [Roles.GUARDIAN, config.guardian, 0]);
  }

  // Escrow and executor have the same addresses on every chain (CREATE3): A's escrow trusts B's executor at the
  // executor's address and B's executor trusts A's escrow at the escrow's.
  const escrow = addresses.FlowEscrow!;
  const executor = addresses.FlowExecutor!;
  // Their primary gateway is immutable: an endpoint deployed on another transport cannot follow the config.
  const flowTransport = entry.flows.transport;
  const flowGatewayName = flowGatewayContract(flowTransport);
  const flowGateway = addresses[flowGatewayName]!;
  for (const [name, address, abi] of [
    ["FlowEscrow", escrow, escrowAbi],
    ["FlowExecutor", executor, executorAbi],
  ] as const) {
    if (!existed[name]) continue;
    const current = getAddress(await read<Address>(address, abi, "gateway"));
    if (current !== flowGateway)
      throw new ConfigError(
        `chains.${entry.name}.flows.transport`,
        `is "${flowTransport}" (${flowGatewayName} ${flowGateway}), but ${name} at ${address} on ${entry.name} was ` +
          `deployed on gateway ${current}: its gateway is immutable (use a new saltPrefix to deploy flow endpoints ` +
          "on another transport, or set the transport they were deployed with)",
      );
  }
  for (const origin of remotes) {
    const verifier = verifiers[String(origin.domain)]!.address;
    let current: readonly [Address, number, boolean, Address] | undefined;
    if (existed.ConcordGateway)
      current = await read<[Address, number, boolean, Address]>(gateway, gatewayAbi, "route", [
        origin.domain,
      ]);
    if (!current || getAddress(current[0]) !== verifier || getAddress(current[3]) !== gateway)
      call("ConcordGateway", gatewayAbi, "setRoute", [origin.domain, verifier, gateway]);
    const trustedExecutor = existed.FlowEscrow
      ? await read<Address>(escrow, escrowAbi, "remote", [origin.domain])
      : zeroAddress;
    if (getAddress(trustedExecutor) !== executor)
      call("FlowEscrow", escrowAbi, "setRemote", [origin.domain, executor]);
    const trustedEscrow = existed.FlowExecutor
      ? await read<Address>(executor, executorAbi, "remote", [origin.domain])
      : zeroAddress;
    if (getAddress(trustedEscrow) !== escrow)
      call("FlowExecutor", executorAbi, "setRemote", [origin.domain, escrow]);
    // EXECUTE gas overhead of flows to this remote: the configured one, else FlowEscrow's default (a value set
    // earlier and no longer configured is reset).
    const overhead = entry.executeGasOverhead[origin.name] ?? EXECUTE_GAS_OVERHEAD;
    const currentOverhead = existed.FlowEscrow
      ? Number(await read<bigint>(escrow, escrowAbi, "executeGasOverhead", [origin.domain]))
      : EXECUTE_GAS_OVERHEAD;
    if (currentOverhead !== overhead)
      call("FlowEscrow", escrowAbi, "setExecuteGasOverhead", [origin.domain, overhead]);
  }

  // Transport adapters: immutables as configured, settings, and per remote chain with the same protocol its
  // protocol domain and its adapter (the same address on every chain: CREATE3).
  const adapterEntries: Record<string, AdapterEntry> = {};
  for (const protocol of adapterProtocols) {
    const section = entry.adapters[protocol.key]!;
    const adapter = addresses[protocol.contract]!;
    const adapterAbi = loadArtifact(protocol.artifact).abi;
    const was = Boolean(existed[protocol.contract]);
    const sectionKey = `chains.${entry.name}.${protocol.key}`;
    for (const { field, getter } of protocol.immutables) {
      if (!was) break;
      const current = await read<unknown>(adapter, adapterAbi, getter);
      if (!sameValue(current, section[field]))
        throw new ConfigError(
          `${sectionKey}.${field}`,
          `${protocol.contract} at ${adapter} on ${entry.name} was deployed with ${field} ${String(current)}, ` +
            `the config says ${String(section[field])}: it is immutable (use a new saltPrefix to deploy another)`,
        );
    }
    const adapterCtx = {
      domain: entry.domain,
      authority: addresses.AccessManager!,
      defaultGasLimit: config.gateway.defaultGasLimit,
    };
    for (const setting of protocol.settings) {
      const wanted = setting.value ? setting.value(section, adapterCtx) : section[setting.field];
      const current = async () =>
        typeof setting.getter === "string"
          ? read<unknown>(adapter, adapterAbi, setting.getter)
          : read<unknown>(
              section[setting.getter.field] as Address,
              setting.getter.abi as Abi,
              setting.getter.functionName,
              [adapter],
            );
      // a fresh adapter gets the value from its constructor
      if (was ? sameValue(await current(), wanted) : setting.inConstructor) continue;
      call(protocol.contract, adapterAbi, setting.setter, [wanted]);
    }
    // Routes: the remote's protocol domain (unmapping first a protocol domain another Concord domain holds here, when
    // the protocol maps one to one: the setter would refuse it), then the remote's adapter.
    const routes: Record<string, string> = {};
    const unmaps: unknown[][] = [];
    const sets: unknown[][] = [];
    const enrolls: unknown[][] = [];
    for (const remote of remotes) {
      const remoteSection = remote.adapters[protocol.key];
      if (!remoteSection) continue;
      const protocolDomain = remoteSection[protocol.protocolDomainField]!;
      routes[String(remote.domain)] = String(protocolDomain);
      const currentDomain = was
        ? await read<unknown>(adapter, adapterAbi, protocol.route.getter, [remote.domain])
        : 0;
      if (!sameValue(currentDomain, protocolDomain)) {
        if (was && protocol.route.reverseGetter) {
          const holder = await read<unknown>(adapter, adapterAbi, protocol.route.reverseGetter, [
            protocolDomain,
          ]);
          if (!sameValue(holder, 0) && !sameValue(holder, remote.domain))
            unmaps.push([holder, protocol.route.unmapped ?? 0]);
        }
        sets.push([remote.domain, protocolDomain]);
      }
      const currentRemote = was
        ? await read<Address>(adapter, adapterAbi, "remote", [remote.domain])
        : zeroAddress;
      if (getAddress(currentRemote) !== adapter) enrolls.push([remote.domain, adapter]);
    }
    for (const args of [...unmaps, ...sets]) call(protocol.contract, adapterAbi, protocol.route.setter, args);
    for (const args of enrolls) call(protocol.contract, adapterAbi, "setRemote", args);
    adapterEntries[protocol.key] = {
      contract: protocol.contract,
      address: adapter,
      config: Object.fromEntries(
        Object.entries(section).map(([k, v]) => [k, typeof v === "bigint" ? String(v) : v]),
      ),
      remotes: routes,
    };
  }

  // Transport aggregator: gateways, then the routes (delayed changes scheduled once, see aggregator.ts).
  const scheduled: ScheduledChange[] = [];
  let aggregatorEntry: AggregatorEntry | undefined;
  if (entry.aggregator) {
    const section = entry.aggregator;
    const state = opts.aggregators[entry.name]!;
    const aggregatorAbi = loadArtifact("TransportAggregator").abi;
    const planned = await planAggregator(
      client,
      config,
      entry,
      factory,
      deployer,
      opts.aggregators,
      warnings,
    );
    for (const c of planned.calls) {
      call(AGGREGATOR_CONTRACT, aggregatorAbi, c.functionName, c.args);
      if (c.takesEffect) txs[txs.length - 1]!.takesEffect = c.takesEffect;
    }
    scheduled.push(...planned.scheduled);
    aggregatorEntry = {
      address: state.address,
      configDelay: section.configDelay,
      releaseDelay: section.releaseDelay,
      gateways: Object.fromEntries(
        section.gateways.map((g) => [
          g,
          {
            contract: gatewayContract(g),
            address: addresses[gatewayContract(g)]!,
            slot: state.slots[g]!,
            paid: gatewayPaid(g),
          },
        ]),
      ),
      routes: Object.fromEntries(
        Object.entries(section.remotes).map(([name, route]) => [
          String(config.chains[name]!.domain),
          {
            chain: name,
            gateways: route.gateways,
            threshold: route.threshold,
            highThreshold: route.highThreshold,
            valueBound: String(route.valueBound),
            version: Number(state.sends[name]!.version),
          },
        ]),
      ),
    };
  }

  // Flows over an adapter or the aggregator send no value: both endpoints are sponsored senders there, and the
  // sponsor balance is topped up to `topUpTo` when below `minBalance`.
  let flowsEntry: FlowsEntry | undefined;
  if (flowTransport !== FLOW_TRANSPORT_NATIVE) {
    // (every adapter's and the aggregator's artifact is named as its contract)
    const flowGatewayAbi = loadArtifact(flowGatewayName).abi;
    const gatewayWas = Boolean(existed[flowGatewayName]);
    for (const endpoint of [escrow, executor]) {
      const sponsored =
        gatewayWas && (await read<boolean>(flowGateway, flowGatewayAbi, "isSponsoredSender", [endpoint]));
      if (!sponsored) call(flowGatewayName, flowGatewayAbi, "setSponsoredSender", [endpoint, true]);
    }
    const sponsor = entry.flows.sponsor;
    const balance = gatewayWas ? await client.getBalance({ address: flowGateway }) : 0n;
    if (sponsor && balance < sponsor.minBalance) {
      call(flowGatewayName, flowGatewayAbi, "fund", [], false);
      const topUp = txs[txs.length - 1]!;
      topUp.value = sponsor.topUpTo - balance;
      topUp.description += ` with ${topUp.value} wei (sponsor balance ${balance} -> ${sponsor.topUpTo})`;
    } else if (!sponsor && balance === 0n)
      warnings.push(
        `${entry.name}: flows send over ${flowGatewayName} ${flowGateway} with no value, from its sponsor balance, ` +
          `which is 0: set chains.${entry.name}.flows.sponsor, or fund() it yourself`,
      );
    flowsEntry = {
      transport: flowTransport,
      gateway: flowGateway,
      ...(sponsor
        ? { sponsor: { minBalance: String(sponsor.minBalance), topUpTo: String(sponsor.topUpTo) } }
        : {}),
    };
  }

  // 5. Fees: gas data for every chain this one sends to (that has a gas price), and the escrow's oracle.
  const oracle = addresses.GasOracle;
  if (oracle) {
    const oracleAbi = loadArtifact("GasOracle").abi;
    const destinations = Object.values(config.chains).filter((c) => c.remotes.includes(entry.name));
    for (const destination of destinations) {
      const rate = tokenExchangeRate(destination, entry);
      const [currentRate, currentPrice] = existed.GasOracle
        ? await read<[bigint, bigint]>(oracle, oracleAbi, "remoteGasData", [destination.domain])
        : [0n, 0n];
      if (destination.gasPrice === undefined) {
        // No configured price: write the destination's current gas price once, so that paid sends and flow quotes
        // work; never overwrite an entry (re-runs stay at zero transactions; `gasPrice` pins and updates it).
        const observed = opts.observedGasPrice[destination.name];
        if (currentPrice !== 0n || observed === undefined) continue;
        call("GasOracle", oracleAbi, "setRemoteGasData", [destination.domain, rate, observed]);
        continue;
      }
      if (currentRate !== rate || currentPrice !== destination.gasPrice)
        call("GasOracle", oracleAbi, "setRemoteGasData", [destination.domain, rate, destination.gasPrice]);
    }
    if (config.coordinator.useGasOracle) {
      const current = existed.FlowEscrow ? await read<Address>(escrow, escrowAbi, "gasOracle") : zeroAddress;
      if (getAddress(current) !== oracle) call("FlowEscrow", escrowAbi, "setGasOracle", [oracle]);
    }
  }

  // 6. Demo chains: AMM liquidity, the executor's bridged-USD liquidity, USD lanes to the other demo chains.
  if (entry.demo) {
    const tokenAbi = loadArtifact("ConcordDemoToken").abi;
    const ammAbi = loadArtifact("MiniAMM").abi;
    const usd = addresses.DemoUSD!;
    const amm = addresses.MiniAMM!;
    const reserve = existed.MiniAMM ? await read<bigint>(amm, ammAbi, "reserve0") : 0n;
    if (reserve === 0n) {
      call("DemoUSD", tokenAbi, "mint", [deployer, DEMO_AMOUNTS.ammUsd], false);
      call("DemoWETH", tokenAbi, "mint", [deployer, DEMO_AMOUNTS.ammWeth], false);
      call("DemoUSD", tokenAbi, "approve", [amm, DEMO_AMOUNTS.ammUsd], false);
      call("DemoWETH", tokenAbi, "approve", [amm, DEMO_AMOUNTS.ammWeth], false);
      call("MiniAMM", ammAbi, "addLiquidity", [DEMO_AMOUNTS.ammUsd, DEMO_AMOUNTS.ammWeth], false);
    }
    const liquidity = existed.DemoUSD ? await read<bigint>(usd, tokenAbi, "balanceOf", [executor]) : 0n;
    if (liquidity === 0n) call("DemoUSD", tokenAbi, "mint", [executor, DEMO_AMOUNTS.executorUsd], false);
    // USD lanes both ways: outbound on the escrow (flows opened here), inbound on the executor (flows from there).
    // The beneficiary is the liquidity provider: the deployer, who minted the executors' demo liquidity.
    for (const remote of remotes.filter((r) => r.demo)) {
      for (const [name, address, abi] of [
        ["FlowEscrow", escrow, escrowAbi],
        ["FlowExecutor", executor, executorAbi],
      ] as const) {
        const current = existed[name]
          ? await read<Address>(address, abi, "lane", [remote.domain, usd, usd])
          : zeroAddress;
        if (getAddress(current) !== deployer) call(name, abi, "setLane", [remote.domain, usd, usd, deployer]);
      }
    }
  }

  // Restricted calls need ADMIN_ROLE: fail early, listing them, when the deployer no longer holds it.
  if (txs.some((t) => t.restricted) && existed.AccessManager && !(await hasRole(Roles.ADMIN, deployer)))
    throw new DeployError(
      `the deployer ${deployer} no longer holds ADMIN_ROLE on ${entry.name}: the admin must send these calls`,
      txs
        .filter((t) => t.restricted)
        .map((t) => `${t.description}: to ${t.to} data ${t.data}`)
        .join("\n"),
    );

  const contracts: Record<string, Address> = { ConcordCreate3Factory: factory };
  for (const item of entries) contracts[item.name] = addresses[item.name]!;
  const remoteEntries: Deployment["remotes"] = {};
  for (const remote of remotes) remoteEntries[String(remote.domain)] = { gateway, escrow, executor };
  const deployment: Deployment = {
    chainId: entry.chainId,
    domain: entry.domain,
    name: entry.name,
    contracts,
    verifiers,
    remotes: remoteEntries,
    deployer,
    saltPrefix: config.saltPrefix,
    finalityDepth: entry.finalityDepth,
    local: entry.local,
    ...(Object.keys(adapterEntries).length ? { adapters: adapterEntries } : {}),
    ...(aggregatorEntry ? { aggregator: aggregatorEntry } : {}),
    ...(flowsEntry ? { flows: flowsEntry } : {}),
  };
  return {
    name: entry.name,
    chainId: entry.chainId,
    domain: entry.domain,
    bootstrapDeterministicDeployer: bootstrap,
    factory,
    skipped,
    transactions: txs,
    scheduled,
    deployment,
    gatewayExisted: Boolean(existed.ConcordGateway),
  };
}

/**
 * Reads every configured chain (in parallel) and lists the transactions that bring it to `config`: nothing for a
 * chain whose contracts exist and whose configuration already matches. Sends nothing.
 */
export async function planDeployment(config: ChainConfig, opts: PlanOptions): Promise<Plan> {
  const warnings: string[] = [];
  // Chains without a configured gasPrice: their current gas price, the gas oracles' default for messages to them.
  const observedGasPrice: Record<string, bigint> = {};
  await Promise.all(
    Object.values(config.chains)
      .filter((entry) => entry.gasPrice === undefined)
      .map(async (entry) => {
        const client = await connectPublic(entry, opts.providers);
        const price = await client.getGasPrice();
        observedGasPrice[entry.name] = price > 0n ? price : 1n;
      }),
  );
  // Aggregators first: a chain's receive rule for a source is the rule of the version that source will send under.
  const aggregators: Record<string, AggregatorState> = {};
  const factory = factoryAddress(loadArtifact("ConcordCreate3Factory").bytecode);
  await Promise.all(
    Object.values(config.chains)
      .filter((entry) => entry.aggregator !== undefined)
      .map(async (entry) => {
        const client = await connectPublic(entry, opts.providers);
        aggregators[entry.name] = await readAggregator(client, config, entry, factory, opts.deployer);
      }),
  );
  const chains = await Promise.all(
    Object.values(config.chains).map((entry) =>
      planChain(config, entry, { ...opts, observedGasPrice, aggregators }, warnings),
    ),
  );
  for (const [name, price] of Object.entries(observedGasPrice)) {
    const writes = chains.some((c) =>
      c.transactions.some(
        (t) =>
          t.description.startsWith("GasOracle.setRemoteGasData(") &&
          t.description.includes(`(${config.chains[name]!.domain}, `),
      ),
    );
    if (writes)
      warnings.push(
        `chains.${name}.gasPrice is not set: gas oracles quote messages to ${name} at its current gas price, ` +
          `${price} wei (eth_gasPrice), written once; set gasPrice to pin or update it`,
      );
  }
  return {
    deployer: opts.deployer,
    chains,
    transactionCount: chains.reduce((n, c) => n + c.transactions.length, 0),
    warnings,
  };
}
