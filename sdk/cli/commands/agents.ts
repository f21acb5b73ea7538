// `concord validator` and `concord relayer`: run an agent until SIGINT/SIGTERM, then stop it cleanly.
import { join, resolve } from "node:path";
import { type LocalAccount, getAddress } from "viem";

import { jsonLogger, runRelayer, runValidator, stopOnSignals } from "../../agents/index.js";
import { accountFromEnv, chainByName, checkChain, contractOn, loadChains } from "../chains.js";
import { dataDir } from "../../agents/state.js";
import {
  type Command,
  type CommandContext,
  requireOption,
  CONFIG_DOCS,
  DATA_DIR_DOC,
  FROM_BLOCK_DOC,
  configOptions,
} from "../command.js";
import { CliError, ExitCode } from "../output.js";

const LOGGER_NAME = "concord";

function port(ctx: CommandContext): number | undefined {
  const value = ctx.values.port;
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new CliError(`--port ${String(value)} is not a port`, ExitCode.USAGE);
  return n;
}

/**
 * Stops `agent` on the first SIGINT/SIGTERM (the agents' shared `stopOnSignals`) and resolves once it stopped. Call
 * it before printing that the agent runs, so that a signal sent as soon as that line shows up already finds the
 * handler (else Node's default would end the process without a clean stop).
 */
function stoppedBySignal(agent: { stop(): Promise<void> }, out: CommandContext["out"]): Promise<void> {
  return new Promise<void>((done) => {
    stopOnSignals(
      {
        stop: () => {
          out.progress("stopping");
          return agent.stop();
        },
      },
      done,
    );
  });
}

/** `--sign message-id,merkle-root,range --range-window <n> --flush-blocks <n>` -> the validator's checkpoints. */
function checkpointOptions(ctx: CommandContext): Parameters<typeof runValidator>[0]["checkpoints"] {
  const kinds = String(ctx.values.sign ?? "message-id")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  const known = ["message-id", "merkle-root", "range"];
  const unknown = kinds.filter((k) => !known.includes(k));
  if (unknown.length > 0 || kinds.length === 0)
    throw new CliError(
      `--sign: expected a list of ${known.join(", ")}, got "${String(ctx.values.sign)}"`,
      ExitCode.USAGE,
    );
  const int = (name: string): number | undefined => {
    const raw = ctx.values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new CliError(`--${name}: not an integer >= 0: ${String(raw)}`, ExitCode.USAGE);
    return n;
  };
  return {
    messageIds: kinds.includes("message-id"),
    merkleRoots: kinds.includes("merkle-root"),
    ranges: kinds.includes("range"),
    windowSize: int("range-window"),
    flushBlocks: int("flush-blocks"),
  };
}

export async function validator(ctx: CommandContext): Promise<ExitCode> {
  const checkpoints = checkpointOptions(ctx);
  const chains = loadChains(ctx);
  const chain = chainByName(chains, requireOption(ctx, "chain"));
  const keyEnv = requireOption(ctx, "key-env");
  const signer = accountFromEnv(keyEnv);
  const listed = chain.entry.validators.some((v) => getAddress(v) === getAddress(signer.address));
  if (!listed && !ctx.values["allow-unlisted-key"])
    throw new CliError(
      `the key in ${keyEnv} is ${signer.address}, which is not one of chains.${chain.entry.name}.validators ` +
        `(${chain.entry.validators.join(", ")}): the verifiers would ignore its signatures`,
      ExitCode.CONFIG,
      "use the key of a configured validator, or pass --allow-unlisted-key (e.g. before a new validator set is deployed)",
    );
  const gateway = contractOn(chain, "ConcordGateway");
  await checkChain(chain);
  const storePath =
    typeof ctx.values.db === "string"
      ? resolve(ctx.values.db)
      : join(dataDir(ctx.values["data-dir"]), `validator-${chain.entry.chainId}-${signer.address}.sqlite`);
  const v = await runValidator({
    rpcUrl: chain.entry.rpcUrl!,
    gateway,
    signer: signer as Parameters<typeof runValidator>[0]["signer"],
    confirmations: chain.entry.finalityDepth,
    storePath,
    fromBlock: chain.fromBlock,
    http: { port: port(ctx) },
    checkpoints,
    logger: jsonLogger(LOGGER_NAME),
  });
  const stopped = stoppedBySignal(v, ctx.out);
  ctx.out.result(
    {
      validator: signer.address,
      chain: chain.entry.name,
      url: v.url,
      store: storePath,
      fromBlock: chain.fromBlock,
      listed,
    },
    [
      `validator ${signer.address} attesting ${chain.entry.name} after ${chain.entry.finalityDepth} block(s)` +
        (listed ? "" : " (NOT in the configured validator set: --allow-unlisted-key)"),
      `signatures: ${v.url}/signatures/<messageId>   store: ${storePath}   from block ${v.store.cursor() === null ? chain.fromBlock : `${v.store.cursor()! + 1n} (store cursor)`}`,
    ],
  );
  await stopped;
  return ExitCode.OK;
}

/** `--validators "chainA=http://h:p,http://h:q;chainB=..."` -> validator URLs per origin domain. */
function parseValidators(spec: string, chains: ReturnType<typeof loadChains>): Record<number, string[]> {
  const result: Record<number, string[]> = {};
  for (const part of spec
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, urls] = part.split("=");
    if (!name || !urls) throw new CliError(`--validators: "${part}" is not chain=url,url`, ExitCode.USAGE);
    result[chainByName(chains, name.trim()).entry.domain] = urls
      .split(",")
      .map((u) => u.trim())
      .filter(Boolean);
  }
  return result;
}

/** `--keeper-key-env VAR`: also run the flow keeper (expire, re-export, settle after a pause) with that account. */
function keeperOf(ctx: CommandContext, chains: ReturnType<typeof loadChains>) {
  const keyEnv = ctx.values["keeper-key-env"];
  if (typeof keyEnv !== "string") return undefined;
  const flows: Record<number, { escrow: `0x${string}`; executor: `0x${string}` }> = {};
  for (const c of Object.values(chains.byName))
    flows[c.entry.domain] = { escrow: contractOn(c, "FlowEscrow"), executor: contractOn(c, "FlowExecutor") };
  return { account: accountFromEnv(keyEnv) as LocalAccount, flows };
}

/** A whole number option within [min, max], or a usage error naming it. */
function integerOption(ctx: CommandContext, name: string, min: number, max: number): number | undefined {
  const value = ctx.values[name];
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new CliError(
      `--${name} ${String(value)} must be a whole number from ${min} to ${max}`,
      ExitCode.USAGE,
    );
  return n;
}

/** `--retry-failed-*`: the relayer's automatic retry of FAILED messages that ran out of gas (off without a ceiling). */
function retryFailedOf(ctx: CommandContext) {
  const gasCeiling = integerOption(ctx, "retry-failed-gas-ceiling", 1, 0xffffffff);
  const maxAttempts = integerOption(ctx, "retry-failed-attempts", 1, 100);
  const marginPercent = integerOption(ctx, "retry-failed-margin", 0, 1000);
  if (gasCeiling === undefined) {
    if (maxAttempts !== undefined || marginPercent !== undefined)
      throw new CliError(
        "--retry-failed-attempts and --retry-failed-margin need --retry-failed-gas-ceiling",
        ExitCode.USAGE,
        "the ceiling turns automatic retries on, e.g. --retry-failed-gas-ceiling 2000000",
      );
    return undefined;
  }
  return { gasCeiling, maxAttempts, marginPercent };
}

export async function relayer(ctx: CommandContext): Promise<ExitCode> {
  const retryFailed = retryFailedOf(ctx);
  const chains = loadChains(ctx);
  const account = accountFromEnv(requireOption(ctx, "key-env"));
  const postgres = ctx.values.postgres;
  const store =
    typeof postgres === "string"
      ? ({ type: "postgres", connectionString: postgres } as const)
      : ({
          type: "sqlite",
          path:
            typeof ctx.values.db === "string"
              ? resolve(ctx.values.db)
              : join(dataDir(ctx.values["data-dir"]), "relayer.sqlite"),
        } as const);
  const requirePayment = ctx.values["require-payment"] === true;
  const maxInFlight = integerOption(ctx, "max-in-flight", 1, 64);
  for (const c of Object.values(chains.byName)) await checkChain(c);
  const r = await runRelayer({
    chains: Object.values(chains.byName).map((c) => ({
      domain: c.entry.domain,
      rpcUrl: c.entry.rpcUrl!,
      gateway: contractOn(c, "ConcordGateway"),
      confirmations: c.entry.finalityDepth,
      fromBlock: Number(c.fromBlock),
      batchProcessor: c.deployment?.contracts.ConcordBatchProcessor,
      // --require-payment reads each origin's GasPaymaster (a config error when one is not deployed).
      paymaster: requirePayment ? contractOn(c, "GasPaymaster") : undefined,
    })),
    requirePayment,
    maxInFlight,
    validators: parseValidators(requireOption(ctx, "validators"), chains),
    account: account as Parameters<typeof runRelayer>[0]["account"],
    store,
    keeper: keeperOf(ctx, chains),
    retryFailed,
    http: { port: port(ctx) },
    logger: jsonLogger(LOGGER_NAME),
  });
  const stopped = stoppedBySignal(r, ctx.out);
  ctx.out.result(
    {
      relayer: account.address,
      url: r.url,
      store: store.type,
      ...(store.type === "sqlite" ? { storePath: store.path } : {}),
      retryFailed,
      requirePayment,
    },
    [
      `relayer ${account.address} over ${Object.keys(chains.byName).join(", ")} (${store.type} store${store.type === "sqlite" ? ` ${store.path}` : ""})`,
      `status: ${r.url}/messages/<id>   health: ${r.url}/health   parked: ${r.url}/undeliverable   metrics: ${r.url}/metrics`,
      retryFailed
        ? `automatic retry of out-of-gas FAILED messages: up to ${retryFailed.gasCeiling} gas, ` +
          `${retryFailed.maxAttempts ?? 3} attempt(s), margin ${retryFailed.marginPercent ?? 20}%`
        : "automatic retry of FAILED messages: off (--retry-failed-gas-ceiling <gas> turns it on)",
      requirePayment
        ? "delivers only messages paid through their origin's GasPaymaster (unpaid ones wait: see /messages/<id>)"
        : "delivers every message, paid or not (--require-payment: only paid ones)",
    ],
  );
  await stopped;
  return ExitCode.OK;
}

/** `concord validator`: summary, usage, options with their help text, environment and examples. */
export const validatorCommand: Command = {
  summary: "run a validator agent for one origin chain",
  usage:
    "concord validator --chain <name> --key-env <VAR> [--port <n>] [--data-dir <dir> | --db <file>] " +
    "[--from-block <n>] [--allow-unlisted-key] [--sign <kinds>] [--range-window <n>] [--flush-blocks <n>] " +
    "[--config <chains.json>] [--registry <dir>]",
  about: [
    "Signs the id of every message sent from the chain once it is finalityDepth blocks deep, records each",
    "signature in its store before serving it (the store is its only guard against signing twice: back it up),",
    "and serves signatures over HTTP. Refuses (exit 3) a key that is not one of the chain's configured",
    "validators unless --allow-unlisted-key. Stops cleanly on SIGINT/SIGTERM.",
  ],
  docs: {
    chain: { value: "<name>", text: "the origin chain it attests (a config key)" },
    "key-env": {
      value: "<VAR>",
      text: "environment variable holding the validator's private key (required)",
    },
    port: { value: "<n>", text: "HTTP API port on 127.0.0.1 (default: a free one, printed at start)" },
    "data-dir": DATA_DIR_DOC,
    db: {
      value: "<file>",
      text: "the SQLite store itself (default <data dir>/validator-<chainId>-<address>.sqlite)",
    },
    "from-block": {
      value: "<n>",
      text: "first block to scan when the store has none yet (default: the registry's deploy block)",
    },
    "allow-unlisted-key": {
      text: "start even if the key is not in chains.<chain>.validators (e.g. before a new set is deployed)",
    },
    sign: {
      value: "<kinds>",
      text:
        "what to sign: a comma list of message-id (every message), merkle-root and range (one checkpoint per " +
        "cut: window end, or a partial window after --flush-blocks quiet final blocks); default message-id",
    },
    "range-window": { value: "<n>", text: "aligned window of a cut, in nonces, 1..1024 (default 100)" },
    "flush-blocks": { value: "<n>", text: "quiet final blocks before a partial window is cut (default 2)" },
    ...CONFIG_DOCS,
  },
  env: {
    "<VAR>": "the variable --key-env names: the validator's 32-byte hex private key",
    XDG_STATE_HOME: "base of the default data directory (default ~/.local/state)",
  },
  examples: [
    "VALIDATOR_KEY=0x… concord validator --chain chainA --key-env VALIDATOR_KEY --port 8081 --config my-chains.json",
  ],
  options: {
    ...configOptions,
    chain: { type: "string" },
    "key-env": { type: "string" },
    port: { type: "string" },
    db: { type: "string" },
    "data-dir": { type: "string" },
    "from-block": { type: "string" },
    "allow-unlisted-key": { type: "boolean", default: false },
    sign: { type: "string" },
    "range-window": { type: "string" },
    "flush-blocks": { type: "string" },
  },
  run: validator,
};

/** `concord relayer`: summary, usage, options with their help text, environment and examples. */
export const relayerCommand: Command = {
  summary: "run a relayer agent over every chain of the config",
  usage:
    "concord relayer --validators <chain=url,url;...> --key-env <VAR> [--keeper-key-env <VAR>] [--port <n>] " +
    "[--data-dir <dir> | --db <file> | --postgres <url>] [--from-block <n>] [--retry-failed-gas-ceiling <gas> " +
    "[--retry-failed-attempts <n>] [--retry-failed-margin <percent>]] [--require-payment] [--max-in-flight <n>] " +
    "[--config <chains.json>] [--registry <dir>]",
  about: [
    "Indexes every chain's gateway from its deploy block (logs paged to the provider's limits), collects validator",
    "signatures and delivers. A message it cannot deliver (destination not served, no route, a verifier type it",
    "cannot build metadata for, a refusal retrying cannot cure) is parked UNDELIVERABLE with the reason and",
    "never holds up others. HTTP: /health (ok:false and HTTP 503 while a loop keeps failing), /messages/<id>,",
    "/undeliverable, /metrics. Stops cleanly on SIGINT/SIGTERM.",
  ],
  docs: {
    validators: {
      value: "<spec>",
      text: 'validator URLs per origin chain: "chainA=http://h:p,http://h:q;chainB=..."',
    },
    "key-env": {
      value: "<VAR>",
      text: "environment variable holding the relayer's private key (pays deliveries)",
    },
    "keeper-key-env": { value: "<VAR>", text: "also run the flow keeper with this (second) key" },
    port: { value: "<n>", text: "HTTP status API port (default: a free one, printed at start)" },
    "data-dir": DATA_DIR_DOC,
    db: { value: "<file>", text: "SQLite store (default <data dir>/relayer.sqlite)" },
    postgres: { value: "<url>", text: "PostgreSQL store instead (several relayer instances share it)" },
    "from-block": FROM_BLOCK_DOC,
    "retry-failed-gas-ceiling": {
      value: "<gas>",
      text:
        "retry messages delivered FAILED because their recipient ran out of gas, with eth_estimateGas of the " +
        "recipient's call plus a margin, up to this gas",
    },
    "retry-failed-attempts": { value: "<n>", text: "automatic retries per message (default 3)" },
    "retry-failed-margin": { value: "<percent>", text: "added to the estimate (default 20)" },
    "require-payment": {
      text:
        "deliver only messages whose origin GasPaymaster records at least their gas limit paid (payForGas, " +
        "concord pay); others wait as SEEN with the reason and are delivered once paid",
    },
    "max-in-flight": {
      value: "<n>",
      text: "delivery transactions per destination awaiting their receipt at once (default 4)",
    },
    ...CONFIG_DOCS,
  },
  env: {
    "<VAR>": "the variables --key-env and --keeper-key-env name: 32-byte hex private keys",
    XDG_STATE_HOME: "base of the default data directory (default ~/.local/state)",
  },
  examples: [
    'RELAYER_KEY=0x… concord relayer --validators "chainA=http://v1:8081,http://v2:8081;chainB=http://v3:8082" ' +
      "--key-env RELAYER_KEY --config my-chains.json",
  ],
  options: {
    ...configOptions,
    validators: { type: "string" },
    "key-env": { type: "string" },
    port: { type: "string" },
    db: { type: "string" },
    "data-dir": { type: "string" },
    postgres: { type: "string" },
    "from-block": { type: "string" },
    "keeper-key-env": { type: "string" },
    "retry-failed-gas-ceiling": { type: "string" },
    "retry-failed-attempts": { type: "string" },
    "retry-failed-margin": { type: "string" },
    "require-payment": { type: "boolean", default: false },
    "max-in-flight": { type: "string" },
  },
  run: relayer,
};
