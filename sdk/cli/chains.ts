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
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { gatewayAbi } from "../src/abis.js";
import { repoRoot } from "../src/artifacts.js";
import { type ChainConfig, type ChainEntry, ConfigError, loadConfig } from "../src/deploy/config.js";
import { type Deployment, readDeployment } from "../src/deploy/registry.js";
import type { CommandContext } from "./main.js";
import { CliError, ExitCode } from "./output.js";

export type CliChain = {
  entry: ChainEntry;
  publicClient: PublicClient;
  wallet: (account: Account) => WalletClient;
  /** The registry, when the chain has been deployed (`concord deploy`). */
  deployment?: Deployment;
};

export type CliChains = {
  config: ChainConfig;
  registryDir: string;
  byName: Record<string, CliChain>;
  byDomain: Map<number, CliChain>;
};

/** `--config` (default deploy/config/local.json) and `--registry` (default deploy/deployments). */
export function loadChains(ctx: CommandContext): CliChains {
  const root = repoRoot();
  const configPath = resolve(String(ctx.values.config ?? `${root}/deploy/config/local.json`));
  const registryDir = resolve(String(ctx.values.registry ?? `${root}/deploy/deployments`));
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
    const c: CliChain = {
      entry,
      publicClient: createPublicClient({ chain, transport, pollingInterval: 200 }) as PublicClient,
      wallet: (account) => createWalletClient({ account, chain, transport }),
      deployment: existsSync(`${registryDir}/${entry.chainId}.json`)
        ? readDeployment(registryDir, entry.chainId)
        : undefined,
    };
    byName[entry.name] = c;
    byDomain.set(entry.domain, c);
  }
  return { config, registryDir, byName, byDomain };
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
  const address = chain.deployment?.contracts[contract];
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

/** Turns a failed RPC call into an UNREACHABLE error naming the chain. */
export async function reach<T>(chain: CliChain, what: Promise<T>): Promise<T> {
  try {
    return await what;
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (/fetch failed|ECONNREFUSED|timed out|HTTP request failed/i.test(msg)) {
      throw new CliError(
        `${chain.entry.name} (${chain.entry.rpcUrl}) is unreachable`,
        ExitCode.UNREACHABLE,
        "check the RPC URL and that the node is running",
      );
    }
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
    const logs = (await reach(
      origin,
      origin.publicClient.getContractEvents({
        address: originGateway,
        abi: gatewayAbi(),
        eventName: "Dispatched",
        args: { messageId: id },
        fromBlock: "earliest",
        toBlock: "latest",
      }),
    )) as unknown as { args: { message: Hex } }[];
    if (logs[0]) return { origin, originGateway, message: logs[0].args.message };
  }
  return undefined;
}
