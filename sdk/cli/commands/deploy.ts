// `concord deploy`: deploys and wires Concord on every chain of a chain-config file (idempotent, --dry-run).
import { resolve } from "node:path";

import { deploymentsDir } from "../../src/deployments.js";
import {
  ChainUnreachableError,
  ConfigError,
  DeployError,
  deploy,
  isoTime,
  loadConfig,
} from "../../src/deploy/index.js";
import { type Command, type CommandContext, requireOption, CONFIG_DOCS, configOptions } from "../command.js";
import { CliError, ExitCode } from "../output.js";

export async function deployCommand(ctx: CommandContext): Promise<ExitCode> {
  const configPath = resolve(requireOption(ctx, "config"));
  const registryDir = resolve(String(ctx.values.registry ?? deploymentsDir()));
  const dryRun = Boolean(ctx.values["dry-run"]);
  let result;
  try {
    const config = loadConfig(configPath);
    ctx.out.progress(
      `${dryRun ? "planning" : "deploying"} ${Object.keys(config.chains).join(", ")} from ${configPath}`,
    );
    result = await deploy({ config, dryRun, registryDir, log: ctx.out.progress });
  } catch (e) {
    if (e instanceof ConfigError) {
      throw new CliError(
        e.message,
        ExitCode.CONFIG,
        e.key === "DEPLOYER_PRIVATE_KEY"
          ? "export DEPLOYER_PRIVATE_KEY=0x<key> (see `concord deploy --help`)"
          : "fix the named key in the config file (see deploy/README.md)",
      );
    }
    if (e instanceof ChainUnreachableError)
      throw new CliError(
        e.details ? `${e.shortMessage}: ${e.details}` : e.shortMessage,
        ExitCode.UNREACHABLE,
        "check the chain's rpcUrl (or the environment variable it names) and that the node answers, then run the " +
          "same command again: it sends only what is still missing",
      );
    if (e instanceof DeployError)
      throw new CliError(
        e.details ? `${e.shortMessage}: ${e.details}` : e.shortMessage,
        ExitCode.FAILED,
        "fix the cause, then run the same command again: it sends only what is still missing",
      );
    throw e;
  }
  const { plan } = result;
  const text = [
    ...plan.chains.flatMap((c) => [
      `${c.name} (chain ${c.chainId}): ${c.transactions.length} transaction(s)${
        c.bootstrapDeterministicDeployer ? ", installs the deterministic-deployment proxy" : ""
      }`,
      ...c.transactions.map((t) => `  ${t.description}${t.takesEffect ? ` (${t.takesEffect})` : ""}`),
      ...c.scheduled.map(
        (s) => `  already scheduled, takes effect at ${isoTime(s.activatesAt)}: ${s.description}`,
      ),
      ...(c.skipped.length ? [`  skipped (no artifact): ${c.skipped.join(", ")}`] : []),
    ]),
    ...plan.warnings.map((w) => `warning: ${w}`),
    dryRun
      ? `dry run: ${plan.transactionCount} transaction(s) planned, none sent`
      : `${result.transactionsSent} transaction(s) sent; registries in ${registryDir}`,
  ];
  ctx.out.result(
    {
      dryRun,
      deployer: plan.deployer,
      transactionsPlanned: plan.transactionCount,
      transactionsSent: result.transactionsSent,
      chains: plan.chains.map((c) => ({
        name: c.name,
        chainId: c.chainId,
        transactions: c.transactions.map((t) => t.description),
        ...(c.transactions.some((t) => t.takesEffect)
          ? {
              delayed: c.transactions
                .filter((t) => t.takesEffect)
                .map((t) => ({ transaction: t.description, takesEffect: t.takesEffect })),
            }
          : {}),
        scheduled: c.scheduled.map((s) => ({
          change: s.description,
          activatesAt: s.activatesAt,
          takesEffectAt: isoTime(s.activatesAt),
        })),
        contracts: c.deployment.contracts,
        ...(c.deployment.adapters ? { adapters: c.deployment.adapters } : {}),
        ...(c.deployment.aggregator ? { aggregator: c.deployment.aggregator } : {}),
        ...(c.deployment.flows ? { flows: c.deployment.flows } : {}),
        deployBlock: result.registries[c.name]?.deployment.deployBlock,
      })),
      warnings: plan.warnings,
    },
    text,
  );
  return ExitCode.OK;
}

/** `concord deploy`: summary, usage, options with their help text, environment and examples. */
export const deployCliCommand: Command = {
  summary: "deploy and wire Concord on the chains of a chain-config file (idempotent)",
  usage: "concord deploy --config <chains.json> [--registry <dir>] [--dry-run]",
  about: [
    "Checks every chain (reachable, the configured chain id) and plans before it sends anything; an unchanged",
    "chain gets 0 transactions. Writes <registry>/<chainId>.json per chain, with the block agents start at.",
  ],
  docs: {
    ...CONFIG_DOCS,
    config: { value: "<file>", text: "chain-config file (required; see deploy/config/example.json)" },
    "dry-run": { text: "read every chain and print the planned transactions; send nothing, write nothing" },
  },
  env: {
    DEPLOYER_PRIVATE_KEY:
      "the deployer's 32-byte hex private key, the same on every chain (optional only when every chain is " +
      '"local": anvil\'s first dev key)',
    "<RPC variables>": 'the variables the config names in {"env": "NAME"} RPC URLs, e.g. SEPOLIA_RPC_URL',
  },
  examples: [
    "DEPLOYER_PRIVATE_KEY=0x… SEPOLIA_RPC_URL=https://… BASE_SEPOLIA_RPC_URL=https://… \\\n" +
      "    concord deploy --config my-chains.json --dry-run",
  ],
  options: { ...configOptions, "dry-run": { type: "boolean", default: false } },
  run: deployCommand,
};
