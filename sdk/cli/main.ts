// `concord`: the command line of Concord. Every command is non-interactive, prints progress on stderr, its result
// on stdout (`--json` for scripts) and exits with a documented code (see ExitCode in ./output.ts).
import { parseArgs, type ParseArgsConfig } from "node:util";

import { CliError, ExitCode, makeOutput, type Output } from "./output.js";

export type CommandContext = {
  args: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  out: Output;
};

type Command = {
  summary: string;
  usage: string;
  /** Extra lines of `--help`: every option, environment variables, an example. */
  details?: string[];
  options: NonNullable<ParseArgsConfig["options"]>;
  run: (ctx: CommandContext) => Promise<ExitCode | void>;
};

const common = {
  json: { type: "boolean", default: false },
  quiet: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const configOptions = {
  config: { type: "string" },
  registry: { type: "string" },
} as const;

const COMMANDS: Record<string, Command> = {
  demo: {
    summary: "start three local anvil chains, deploy and wire Concord, run agents, messages and flows",
    usage: "concord demo [--keep-running] [--json]",
    options: { "keep-running": { type: "boolean", default: false } },
    run: async (ctx) => (await import("./commands/demo.js")).demo(ctx),
  },
  deploy: {
    summary: "deploy and wire Concord on the chains of a chain-config file (idempotent)",
    usage: "concord deploy --config <chains.json> [--registry <dir>] [--dry-run]",
    options: { ...configOptions, "dry-run": { type: "boolean", default: false } },
    run: async (ctx) => (await import("./commands/deploy.js")).deployCommand(ctx),
  },
  send: {
    summary: "send a message through a Concord gateway",
    usage:
      "concord send --from <chain> --to <chain> --recipient <address> [--data <hex> | --text <utf8>] " +
      "[--gas-limit <n>] [--pay] [--key-env <VAR>] --config <chains.json> [--registry <dir>]",
    options: {
      ...configOptions,
      from: { type: "string" },
      to: { type: "string" },
      recipient: { type: "string" },
      data: { type: "string" },
      text: { type: "string" },
      "gas-limit": { type: "string" },
      pay: { type: "boolean", default: false },
      "key-env": { type: "string" },
    },
    run: async (ctx) => (await import("./commands/send.js")).send(ctx),
  },
  status: {
    summary: "lifecycle of a message or a flow across chains, with timestamps",
    usage: "concord status <messageId|flowId> --config <chains.json> [--registry <dir>] [--relayer <url>]",
    details: [
      "Options:",
      "  --config <file>    chain-config file (default deploy/config/local.json)",
      "  --registry <dir>   deployments registry (default deploy/deployments)",
      "  --relayer <url>    also show a relayer's record of the message (its HTTP status API): its lifecycle",
      "                     status, why it cannot deliver it (if so), and its automatic retries with gas used",
      "  --json             machine-readable result on stdout",
      "A FAILED message exits 1; `concord retry <messageId>` re-executes it.",
    ],
    options: { ...configOptions, relayer: { type: "string" } },
    run: async (ctx) => (await import("./commands/status.js")).status(ctx),
  },
  retry: {
    summary: "re-execute a FAILED message on its destination, with its own gas limit or more",
    usage:
      "concord retry <messageId> [--gas <n>] [--from <chain>] [--key-env <VAR>] [--config <chains.json>] " +
      "[--registry <dir>] [--json]",
    details: [
      "Finds the message (its Dispatched event on --from, else on every chain of the config), checks that it is",
      "FAILED on its destination, sends retry(message, gas) there and prints the outcome: EXECUTED, or still",
      "FAILED with the recipient's decoded revert reason. Anyone may retry; the transaction is paid by the key.",
      "",
      "Options:",
      "  --gas <n>          gas the recipient gets (default: the message's own gas limit; never less than it).",
      "                     A message that failed because its recipient ran out of gas needs more.",
      "  --from <chain>     the origin chain (a config key); default: search every chain of the config",
      "  --key-env <VAR>    environment variable holding the sender's private key (default CONCORD_PRIVATE_KEY)",
      "  --config <file>    chain-config file (default deploy/config/local.json)",
      "  --registry <dir>   deployments registry (default deploy/deployments)",
      "  --json             machine-readable result on stdout; --quiet hides progress (stderr)",
      "",
      "Environment: CONCORD_PRIVATE_KEY (or the variable named by --key-env), a 32-byte hex private key.",
      "Exit codes: 0 EXECUTED (or already EXECUTED), 1 still FAILED, refused or not FAILED, 2 bad command line,",
      "3 bad config or key, 4 chain unreachable, 5 message not found.",
      "",
      "Example:",
      "  CONCORD_PRIVATE_KEY=0x… concord retry 0x3f…c1 --gas 400000 --config my-chains.json",
    ],
    options: {
      ...configOptions,
      gas: { type: "string" },
      from: { type: "string" },
      "key-env": { type: "string" },
    },
    run: async (ctx) => (await import("./commands/retry.js")).retry(ctx),
  },
  relay: {
    summary: "self-relay one message: fetch validator signatures and deliver it",
    usage:
      "concord relay <messageId> --from <chain> --validators <url,url,...> [--key-env <VAR>] --config <chains.json>",
    options: {
      ...configOptions,
      from: { type: "string" },
      validators: { type: "string" },
      "key-env": { type: "string" },
    },
    run: async (ctx) => (await import("./commands/relay.js")).relay(ctx),
  },
  validator: {
    summary: "run a validator agent for one origin chain",
    usage:
      "concord validator --chain <name> --key-env <VAR> [--port <n>] [--db <file>] --config <chains.json>",
    options: {
      ...configOptions,
      chain: { type: "string" },
      "key-env": { type: "string" },
      port: { type: "string" },
      db: { type: "string" },
    },
    run: async (ctx) => (await import("./commands/agents.js")).validator(ctx),
  },
  relayer: {
    summary: "run a relayer agent over every chain of the config",
    usage:
      "concord relayer --validators <chain=url,url;...> --key-env <VAR> [--keeper-key-env <VAR>] [--port <n>] " +
      "[--db <file> | --postgres <url>] [--retry-failed-gas-ceiling <gas> [--retry-failed-attempts <n>] " +
      "[--retry-failed-margin <percent>]] --config <chains.json>",
    details: [
      "Options:",
      '  --validators <spec>              validator URLs per origin chain: "chainA=http://h:p,http://h:q;chainB=..."',
      "  --key-env <VAR>                  environment variable holding the relayer's private key (pays deliveries)",
      "  --keeper-key-env <VAR>           also run the flow keeper with this (second) key",
      "  --port <n>                       HTTP status API port (default: a free one, printed at start)",
      "  --db <file> | --postgres <url>   store: SQLite file (default concord-relayer.sqlite) or PostgreSQL",
      "  --retry-failed-gas-ceiling <gas> retry messages delivered FAILED because their recipient ran out of gas,",
      "                                   with eth_estimateGas of the recipient's call plus a margin, up to this gas",
      "  --retry-failed-attempts <n>      automatic retries per message (default 3)",
      "  --retry-failed-margin <percent>  added to the estimate (default 20)",
      "  --config <file> / --registry <dir>  chains and their deployments",
      "",
      "A message the relayer cannot deliver (destination not served, no route, a verifier type it cannot build",
      "metadata for, a refusal retrying cannot cure) is parked UNDELIVERABLE with the reason and never holds up",
      "others. HTTP: /health (ok:false and HTTP 503 while a loop keeps failing, with its last error),",
      "/messages/<id> (lifecycle, reason, automatic retries), /undeliverable (parked messages), /metrics.",
    ],
    options: {
      ...configOptions,
      validators: { type: "string" },
      "key-env": { type: "string" },
      port: { type: "string" },
      db: { type: "string" },
      postgres: { type: "string" },
      "keeper-key-env": { type: "string" },
      "retry-failed-gas-ceiling": { type: "string" },
      "retry-failed-attempts": { type: "string" },
      "retry-failed-margin": { type: "string" },
    },
    run: async (ctx) => (await import("./commands/agents.js")).relayer(ctx),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    "concord <command> [options]",
    "",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Options for every command: --json (machine-readable result), --quiet (no progress), --help.",
    "Exit codes: 0 ok, 1 operation failed, 2 usage, 3 configuration, 4 chain/agent unreachable, 5 not found.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${help()}\n`);
    return name ? ExitCode.OK : ExitCode.USAGE;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`error: unknown command "${name}"\n\n${help()}\n`);
    return ExitCode.USAGE;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...common, ...command.options }, allowPositionals: true });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\nusage: ${command.usage}\n`);
    return ExitCode.USAGE;
  }
  if (parsed.values.help) {
    const details = command.details ? `\n${command.details.join("\n")}\n` : "";
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n${details}`);
    return ExitCode.OK;
  }
  const out = makeOutput(Boolean(parsed.values.json), Boolean(parsed.values.quiet));
  try {
    const code = await command.run({ args: parsed.positionals, values: parsed.values, out });
    return code ?? ExitCode.OK;
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`error: ${e.message}\n`);
      if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
      return e.code;
    }
    const err = e as Error;
    process.stderr.write(`error: ${err.message ?? String(e)}\n`);
    if (process.env.CONCORD_DEBUG) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write("hint: set CONCORD_DEBUG=1 for the stack trace\n");
    return ExitCode.FAILED;
  }
}

/** Requires a string option, or fails with a usage error naming it. */
export function requireOption(ctx: CommandContext, name: string): string {
  const value = ctx.values[name];
  if (typeof value !== "string" || value === "") {
    throw new CliError(`missing --${name}`, ExitCode.USAGE, `see \`concord ${"<command>"} --help\``);
  }
  return value;
}
