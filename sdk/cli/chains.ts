// Chains of a CLI command: the chain-config file (same format as `concord deploy`), one viem client per chain and
// each chain's deployments registry.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  type Account,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  isHex,
  parseEventLogs,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { gatewayAbi } from "../src/abis.js";
import { repoRoot } from "../src/repo.js";
import { isConnectionError } from "../src/deploy/plan.js";
import { LogPager, eventTopics } from "../src/logs.js";
import { type ChainConfig, type ChainEntry, ConfigError, loadConfig } from "../src/deploy/config.js";
import { type Deployment, deployedAddress, deploymentsDir, loadDeployment } from "../src/deployments.js";
import { ConcordStateError } from "../src/errors.js";
import type { CommandContext } from "./command.js";
import { CliError, ExitCode } from "./output.js";

export type CliChain = {
  entry: ChainEntry;
  publicClient: PublicClient;
  wallet: (account: Account) => WalletClient;
  /** The registry, when the chain has been deployed (`concord deploy`). */
  deployment?: Deployment;
  /** First block of every log search: `--from-block`, else the registry's deploy block, else 0. */
  fromBlock: bigint;
  /** Reads this chain's logs page by page, adapting to the provider's limits. */
  pager: LogPager;
  /** Set once the endpoint answered with the configured chain id (see {@link reach}). */
  checked?: Promise<void>;
};

export type CliChains = {
  /** The config file as given (`--config`), for hints that repeat it. */
  configPath: string;
  config: ChainConfig;
  registryDir: string;
  byName: Record<string, CliChain>;
  byDomain: Map<number, CliChain>;
};

/**
 * `--from-block`: one block number for every chain, or `name=block` pairs separated by commas; undefined when absent.
 */
export function fromBlockOption(
  ctx: CommandContext,
  names: readonly string[],
): Record<string, bigint> | undefined {
  const value = ctx.values["from-block"];
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const out: Record<string, bigint> = {};
  if (/^\d+$/.test(text)) {
    for (const name of names) out[name] = BigInt(text);
    return out;
  }
  for (const part of text.split(",").map((p) => p.trim())) {
    const [name, block] = part.split("=");
    if (!name || !block || !/^\d+$/.test(block.trim()))
      throw new CliError(
        `--from-block ${text}: give a block number, or chain=block pairs (e.g. chainA=1200,chainB=900)`,
        ExitCode.USAGE,
      );
    if (!names.includes(name.trim()))
      throw new CliError(
        `--from-block: unknown chain "${name}"`,
        ExitCode.USAGE,
        `chains: ${names.join(", ")}`,
      );
    out[name.trim()] = BigInt(block.trim());
  }
  return out;
}

/** `--config` (default deploy/config/local.json) and `--registry` (default deploy/deployments). */
export function loadChains(ctx: CommandContext): CliChains {
  const root = repoRoot();
  const configPath = resolve(String(ctx.values.config ?? `${root}/deploy/config/local.json`));
  const registryDir = resolve(String(ctx.values.registry ?? deploymentsDir(root)));
  let config: ChainConfig;
  try {
    config = loadConfig(configPath);
  } catch (e) {
    if (e instanceof ConfigError) {
      throw new CliError(
        `${configPath}: ${e.message}`,
        ExitCode.CONFIG,
        "fix the named key (see deploy/README.md)",
      );
    }
    throw e;
  }
  const byName: Record<string, CliChain> = {};
  const byDomain = new Map<number, CliChain>();
  const fromBlocks = fromBlockOption(ctx, Object.keys(config.chains));
  for (const entry of Object.values(config.chains)) {
    if (!entry.rpcUrl) {
      throw new CliError(
        `chain ${entry.name} has no RPC URL`,
        ExitCode.CONFIG,
        "set rpcUrl in the config file",
      );
    }
    const chain = defineChain({
      id: entry.chainId,
      name: entry.name,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [entry.rpcUrl] } },
    });
    const transport = http(entry.rpcUrl, { retryCount: 1, timeout: 10_000 });
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 200 }) as PublicClient;
    const deployment = existsSync(`${registryDir}/${entry.chainId}.json`)
      ? loadDeployment(entry.chainId, registryDir)
      : undefined;
    const c: CliChain = {
      entry,
      publicClient,
      wallet: (account) => createWalletClient({ account, chain, transport }),
      deployment,
      fromBlock: fromBlocks?.[entry.name] ?? BigInt(deployment?.deployBlock ?? 0),
      pager: new LogPager(publicClient),
    };
    byName[entry.name] = c;
    byDomain.set(entry.domain, c);
  }
  return { configPath, config, registryDir, byName, byDomain };
}

/** The chain named `name` (a config key), or a usage error listing the known ones. */
export function chainByName(chains: CliChains, name: string): CliChain {
  const c = chains.byName[name];
  if (!c) {
    throw new CliError(
      `unknown chain "${name}"`,
      ExitCode.USAGE,
      `chains in the config: ${Object.keys(chains.byName).join(", ")}`,
    );
  }
  return c;
}

/** The deployed address of `contract` on `chain`, or a configuration error that says to deploy first. */
export function contractOn(chain: CliChain, contract: string): Address {
  let address: Address | undefined;
  try {
    address = chain.deployment ? deployedAddress(chain.deployment, contract) : undefined;
  } catch (e) {
    if (!(e instanceof ConcordStateError)) throw e;
  }
  if (!address) {
    throw new CliError(
      `${contract} is not deployed on ${chain.entry.name}`,
      ExitCode.CONFIG,
      "run `concord deploy --config <file>` (or pass --registry <dir>)",
    );
  }
  return address;
}

/** A signing account from the environment variable `name` (a 32-byte hex private key). */
export function accountFromEnv(name: string): Account {
  const key = process.env[name]?.trim();
  if (!key)
    throw new CliError(`environment variable ${name} is not set`, ExitCode.CONFIG, `export ${name}=0x<key>`);
  const hex = (key.startsWith("0x") ? key : `0x${key}`) as Hex;
  if (!isHex(hex) || hex.length !== 66) {
    throw new CliError(`${name} is not a 32-byte hex private key`, ExitCode.CONFIG);
  }
  return privateKeyToAccount(hex);
}

function unreachable(chain: CliChain): CliError {
  return new CliError(
    `${chain.entry.name} (${chain.entry.rpcUrl}) is unreachable`,
    ExitCode.UNREACHABLE,
    `check chains.${chain.entry.name}.rpcUrl and that the node is running`,
  );
}

/**
 * Checks once per chain that its RPC endpoint answers with the configured chain id: a URL that points at another
 * chain is a configuration error (exit 3) naming both ids, an endpoint that does not answer is exit 4.
 */
export function checkChain(chain: CliChain): Promise<void> {
  chain.checked ??= (async () => {
    let actual: number;
    try {
      actual = await chain.publicClient.getChainId();
    } catch {
      throw unreachable(chain);
    }
    if (actual !== chain.entry.chainId)
      throw new CliError(
        `chains.${chain.entry.name}.rpcUrl (${chain.entry.rpcUrl}) serves chain ${actual}, not ${chain.entry.chainId} ` +
          `(chains.${chain.entry.name}.chainId): the URL points at another chain`,
        ExitCode.CONFIG,
        `fix chains.${chain.entry.name}.rpcUrl in the config file`,
      );
  })();
  return chain.checked;
}

/**
 * Runs `what` on `chain` after {@link checkChain}; a failure to reach the endpoint becomes an UNREACHABLE error naming
 * the chain. `what` is a function, so that nothing is sent before the chain id is checked.
 */
export async function reach<T>(chain: CliChain, what: () => Promise<T>): Promise<T> {
  await checkChain(chain);
  try {
    return await what();
  } catch (e) {
    if (isConnectionError(e) || /HTTP request failed/i.test((e as Error).message ?? ""))
      throw unreachable(chain);
    throw e;
  }
}

/** A message found on its origin chain: the chain, its gateway, and the packed message from `Dispatched`. */
export type FoundMessage = { origin: CliChain; originGateway: Address; message: Hex };

/**
 * The `Dispatched` event of `id` on `from` (a chain name) or, without it, on every deployed chain of the config;
 * undefined when no gateway dispatched it.
 */
export async function findMessage(
  chains: CliChains,
  id: Hex,
  from?: string,
): Promise<FoundMessage | undefined> {
  const candidates = from
    ? [chainByName(chains, from)]
    : [...chains.byDomain.values()].filter((c) => c.deployment);
  for (const origin of candidates) {
    const originGateway = contractOn(origin, "ConcordGateway");
    const logs = await reach(origin, () =>
      origin.pager.getLogsToLatest(
        { address: originGateway, topics: eventTopics(gatewayAbi(), "Dispatched", { messageId: id }) },
        origin.fromBlock,
      ),
    );
    const [log] = parseEventLogs({
      abi: gatewayAbi(),
      logs,
      eventName: "Dispatched",
      strict: true,
    }) as unknown as {
      args: { message: Hex };
    }[];
    if (log) return { origin, originGateway, message: log.args.message };
  }
  return undefined;
}
