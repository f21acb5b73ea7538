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
    usage: "concord status <messageId|flowId> --config <chains.json> [--registry <dir>]",
    options: { ...configOptions },
    run: async (ctx) => (await import("./commands/status.js")).status(ctx),
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
      "[--db <file> | --postgres <url>] " +
      "--config <chains.json>",
    options: {
      ...configOptions,
      validators: { type: "string" },
      "key-env": { type: "string" },
      port: { type: "string" },
      db: { type: "string" },
      postgres: { type: "string" },
      "keeper-key-env": { type: "string" },
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
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`);
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
