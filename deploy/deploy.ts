// Hardhat 3 entry of the Concord deployment (non-interactive, CI-friendly):
//
//   DEPLOY_CONFIG=deploy/config/local.json npx hardhat run deploy/deploy.ts
//   DEPLOY_CONFIG=my-chains.json DRY_RUN=1 DEPLOYER_PRIVATE_KEY=0x... npx hardhat run deploy/deploy.ts
//
// or directly with node: `node deploy/deploy.ts --config my-chains.json [--dry-run] [--registry-dir dir]`.
// Chains with `"network": "<hardhat network>"` instead of an RPC URL are reached through `network.create`.
// Everything else is the library in sdk/src/deploy (see deploy/README.md).
import { resolve } from "node:path";
import type { EIP1193Provider } from "viem";
import { deploy, loadConfig } from "../sdk/src/deploy/index.js";

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const configPath = resolve(argument("--config") ?? process.env.DEPLOY_CONFIG ?? "deploy/config/local.json");
  const dryRun = process.argv.includes("--dry-run") || ["1", "true"].includes(process.env.DRY_RUN ?? "");
  const registryDir = argument("--registry-dir") ?? process.env.DEPLOY_REGISTRY_DIR;
  const config = loadConfig(configPath);

  const providers: Record<string, EIP1193Provider> = {};
  const connections: { close: () => Promise<void> }[] = [];
  const hardhatChains = Object.values(config.chains).filter((c) => c.network !== undefined);
  if (hardhatChains.length > 0) {
    const { network } = await import("hardhat");
    for (const chain of hardhatChains) {
      const connection = await network.create(chain.network!);
      connections.push(connection);
      providers[chain.name] = connection.provider as unknown as EIP1193Provider;
    }
  }
  try {
    const result = await deploy({
      config,
      dryRun,
      log: (line) => console.log(line),
      ...(registryDir ? { registryDir: resolve(registryDir) } : {}),
      providers,
    });
    console.log(
      dryRun
        ? `planned ${result.plan.transactionCount} transaction(s) (dry run: nothing sent)`
        : `sent ${result.transactionsSent} transaction(s)`,
    );
  } finally {
    for (const connection of connections) await connection.close();
  }
}

main().catch((error: unknown) => {
  const e = error as { name?: string; message?: string };
  console.error(`${e.name ?? "Error"}: ${e.message ?? String(error)}`);
  process.exitCode = 1;
});
