// `concord deploy`: deploys and wires Concord on every chain of a chain-config file (idempotent, --dry-run).
import { resolve } from "node:path";

import { repoRoot } from "../../src/repo.js";
import {
  ChainUnreachableError,
  ConfigError,
  DeployError,
  deploy,
  loadConfig,
} from "../../src/deploy/index.js";
import { requireOption, type CommandContext } from "../main.js";
import { CliError, ExitCode } from "../output.js";

export async function deployCommand(ctx: CommandContext): Promise<ExitCode> {
  const configPath = resolve(requireOption(ctx, "config"));
  const registryDir = resolve(String(ctx.values.registry ?? `${repoRoot()}/deploy/deployments`));
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
      ...c.transactions.map((t) => `  ${t.description}`),
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
        contracts: c.deployment.contracts,
        deployBlock: result.registries[c.name]?.deployment.deployBlock,
      })),
      warnings: plan.warnings,
    },
    text,
  );
  return ExitCode.OK;
}
