/**
 * Concord deployment library (pure viem): validate a chain-config file, plan, deploy and wire every chain at
 * deterministic CREATE3 addresses, write the deployments registry. Used by `deploy/deploy.ts` (Hardhat 3),
 * the `concord deploy` CLI and the demo. See deploy/README.md.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  type Address,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
  createPublicClient,
  createWalletClient,
  isHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { repoRoot } from "../repo.js";
import { isoTime } from "./aggregator.js";
import { type ChainConfig, ConfigError } from "./config.js";
import { DETERMINISTIC_DEPLOYER, DETERMINISTIC_DEPLOYER_RUNTIME } from "./create3.js";
import {
  type ChainPlan,
  ChainUnreachableError,
  DeployError,
  type Plan,
  chainTransport,
  isConnectionError,
  planDeployment,
} from "./plan.js";
import { type Deployment, deploymentPath, readDeployment, writeDeployment } from "./registry.js";

export * from "./adapters.js";
export * from "./aggregator.js";
export * from "./config.js";
export * from "./create3.js";
export * from "./flows.js";
export * from "./manifest.js";
export * from "./plan.js";
export * from "./registry.js";
export { type ContractArtifact, ArtifactError, deployableContracts, loadArtifact } from "../artifacts.js";

/** Anvil's (and Hardhat's) first development key: the default deployer on chains marked `local`. Public. */
export const ANVIL_DEV_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/** The default registry directory: `<repo>/deploy/deployments`. */
export function defaultRegistryDir(root: string = repoRoot()): string {
  return join(root, "deploy", "deployments");
}

/**
 * The deployer key: `privateKey`, else `env.DEPLOYER_PRIVATE_KEY`, else (only when every chain is `local`) anvil's
 * first development key. Throws a {@link ConfigError} (key `DEPLOYER_PRIVATE_KEY`) otherwise.
 */
export function resolveDeployerKey(
  config: ChainConfig,
  privateKey?: Hex,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Hex {
  const key = privateKey ?? env.DEPLOYER_PRIVATE_KEY?.trim();
  if (key !== undefined && key !== "") {
    const prefixed = (key.startsWith("0x") ? key : `0x${key}`) as Hex;
    if (!isHex(prefixed) || prefixed.length !== 66)
      throw new ConfigError("DEPLOYER_PRIVATE_KEY", "must be a 32-byte hex private key");
    return prefixed;
  }
  if (Object.values(config.chains).every((c) => c.local)) return ANVIL_DEV_KEY;
  throw new ConfigError(
    "DEPLOYER_PRIVATE_KEY",
    "is not set: export DEPLOYER_PRIVATE_KEY (only chains marked local default to anvil's dev key)",
  );
}

export type DeployParameters = {
  /** A validated config ({@link validateConfig} / {@link loadConfig}). */
  config: ChainConfig;
  /** Plan and log the transactions, send nothing, write nothing. */
  dryRun?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Where `<chainId>.json` registries are written (default `<repo>/deploy/deployments`). */
  registryDir?: string;
  /** Deployer key (default: see {@link resolveDeployerKey}). */
  privateKey?: Hex;
  /** EIP-1193 providers by chain name (Hardhat `network.create(...).provider`); default `http(rpcUrl)`. */
  providers?: Readonly<Record<string, EIP1193Provider>>;
  /** Repository root whose `deploy/deployments` is the default registry (default: found from this file or cwd). */
  root?: string;
};

export type DeployReturnType = {
  plan: Plan;
  /** Transactions sent and mined, over all chains (0 on a dry run or when nothing changed). */
  transactionsSent: number;
  /** Gas used by those transactions, over all chains. */
  gasUsed: bigint;
  /** Per chain name: its registry and the file written (undefined on a dry run). */
  registries: Record<string, { deployment: Deployment; path: string | undefined }>;
};

/**
 * The first block at which `address` has code (binary search over `eth_getCode` at past blocks), or undefined when
 * the endpoint does not serve past state (not an archive node).
 */
export async function findDeployBlock(client: PublicClient, address: Address): Promise<number | undefined> {
  try {
    let hi = await client.getBlockNumber({ cacheTime: 0 });
    let lo = 0n;
    const hasCode = async (blockNumber: bigint) => {
      const code = await client.getCode({ address, blockNumber });
      return code !== undefined && code !== "0x";
    };
    if (!(await hasCode(hi))) return undefined;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if (await hasCode(mid)) hi = mid;
      else lo = mid + 1n;
    }
    return Number(lo);
  } catch {
    return undefined;
  }
}

async function executeChain(
  chainPlan: ChainPlan,
  params: DeployParameters,
  privateKey: Hex,
  log: (line: string) => void,
): Promise<{ sent: number; gasUsed: bigint; firstBlock?: bigint; client: PublicClient }> {
  const entry = params.config.chains[chainPlan.name]!;
  const { chain, transport, pollingInterval } = chainTransport(entry, params.providers);
  const account = privateKeyToAccount(privateKey);
  const publicClient = createPublicClient({ chain, transport, pollingInterval });
  const wallet = createWalletClient({ account, chain, transport });
  if (chainPlan.bootstrapDeterministicDeployer) {
    log(
      `[${entry.name}] installing the deterministic-deployment proxy at ${DETERMINISTIC_DEPLOYER} (setCode)`,
    );
    let installed = false;
    for (const method of ["hardhat_setCode", "anvil_setCode"] as const) {
      try {
        await publicClient.request({
          method: method as "eth_chainId",
          params: [DETERMINISTIC_DEPLOYER, DETERMINISTIC_DEPLOYER_RUNTIME] as never,
        });
        installed = true;
        break;
      } catch {
        // try the next dialect
      }
    }
    if (!installed)
      throw new DeployError(
        `cannot install the deterministic-deployment proxy on ${entry.name}`,
        "the node supports neither hardhat_setCode nor anvil_setCode",
      );
  }
  let sent = 0;
  let gasUsed = 0n;
  let firstBlock: bigint | undefined;
  for (const tx of chainPlan.transactions) {
    log(`[${entry.name}] ${tx.description}${tx.takesEffect ? ` (${tx.takesEffect})` : ""}`);
    let hash: Hex;
    try {
      hash = await wallet.sendTransaction({
        to: tx.to,
        data: tx.data,
        chain,
        ...(tx.value ? { value: tx.value } : {}),
      });
    } catch (e) {
      const reason = (e as { shortMessage?: string }).shortMessage ?? (e as Error).message;
      const Failure = isConnectionError(e) ? ChainUnreachableError : DeployError;
      throw new Failure(
        `[${entry.name}] ${tx.description} failed`,
        tx.note ? `${reason}\n${tx.note}` : reason,
        {
          cause: e,
        },
      );
    }
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval });
    sent += 1;
    gasUsed += receipt.gasUsed;
    firstBlock ??= receipt.blockNumber;
    if (receipt.status !== "success")
      throw new DeployError(
        `[${entry.name}] ${tx.description} reverted`,
        tx.note ? `transaction ${hash}\n${tx.note}` : `transaction ${hash}`,
      );
  }
  return { sent, gasUsed, firstBlock, client: publicClient as PublicClient };
}

/**
 * The block agents and `concord status` start reading this chain's logs at: the first transaction of this run when
 * it deployed the gateway, else the existing registry's value (same gateway), else the gateway's creation block
 * (needs an archive endpoint; undefined otherwise).
 */
async function deployBlockOf(
  chainPlan: ChainPlan,
  registryDir: string,
  executed: { firstBlock?: bigint; client: PublicClient },
): Promise<number | undefined> {
  if (!chainPlan.gatewayExisted && executed.firstBlock !== undefined) return Number(executed.firstBlock);
  const gateway = chainPlan.deployment.contracts.ConcordGateway;
  if (existsSync(deploymentPath(registryDir, chainPlan.chainId))) {
    try {
      const previous = readDeployment(registryDir, chainPlan.chainId);
      if (previous.deployBlock !== undefined && previous.contracts.ConcordGateway === gateway)
        return previous.deployBlock;
    } catch {
      // unreadable: look the block up on chain
    }
  }
  return gateway ? findDeployBlock(executed.client, gateway) : undefined;
}

/**
 * Deploys and wires every chain of `config` (chains in parallel, transactions of a chain in order), then writes
 * each chain's registry. Idempotent: a re-run with an unchanged config sends no transaction; a changed config sends
 * only what differs. Non-interactive; progress goes to `log`.
 */
export async function deploy(params: DeployParameters): Promise<DeployReturnType> {
  const log = params.log ?? (() => {});
  const privateKey = resolveDeployerKey(params.config, params.privateKey);
  const deployer: Address = privateKeyToAccount(privateKey).address;
  const plan = await planDeployment(params.config, {
    deployer,
    ...(params.providers ? { providers: params.providers } : {}),
  });
  for (const warning of plan.warnings) log(`warning: ${warning}`);
  for (const c of plan.chains) {
    log(
      `[${c.name}] chain ${c.chainId}, domain ${c.domain}: ${c.transactions.length} transaction(s) planned`,
    );
    if (c.skipped.length) log(`[${c.name}] skipped (no artifact yet): ${c.skipped.join(", ")}`);
    for (const s of c.scheduled)
      log(`[${c.name}] already scheduled, takes effect at ${isoTime(s.activatesAt)}: ${s.description}`);
  }
  const registries: DeployReturnType["registries"] = {};
  if (params.dryRun) {
    for (const c of plan.chains) {
      if (c.bootstrapDeterministicDeployer)
        log(`[${c.name}] would install the deterministic-deployment proxy`);
      for (const tx of c.transactions)
        log(`[${c.name}] would send: ${tx.description}${tx.takesEffect ? ` (${tx.takesEffect})` : ""}`);
      registries[c.name] = { deployment: c.deployment, path: undefined };
    }
    log(`dry run: ${plan.transactionCount} transaction(s) planned, none sent`);
    return { plan, transactionsSent: 0, gasUsed: 0n, registries };
  }
  const registryDir = params.registryDir ?? defaultRegistryDir(params.root);
  const results = await Promise.allSettled(plan.chains.map((c) => executeChain(c, params, privateKey, log)));
  let transactionsSent = 0;
  let gasUsed = 0n;
  const failures: Error[] = [];
  for (const [i, result] of results.entries()) {
    const c = plan.chains[i]!;
    if (result.status === "fulfilled") {
      transactionsSent += result.value.sent;
      gasUsed += result.value.gasUsed;
      const deployBlock = await deployBlockOf(c, registryDir, result.value);
      if (deployBlock !== undefined) c.deployment.deployBlock = deployBlock;
      else log(`[${c.name}] warning: deploy block unknown (no archive state): agents need --from-block`);
      const path = writeDeployment(registryDir, c.deployment);
      registries[c.name] = { deployment: c.deployment, path };
      log(
        `[${c.name}] ${result.value.sent} transaction(s) sent (${result.value.gasUsed} gas); registry ${path}`,
      );
    } else {
      failures.push(result.reason as Error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length) {
    const Failure = failures.every((f) => f instanceof ChainUnreachableError)
      ? ChainUnreachableError
      : DeployError;
    throw new Failure("deployment failed", failures.map((f) => f.message).join("\n"));
  }
  log(`done: ${transactionsSent} transaction(s) sent, ${gasUsed} gas`);
  return { plan, transactionsSent, gasUsed, registries };
}
