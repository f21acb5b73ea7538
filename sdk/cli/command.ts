// What a `concord` command is (its options, help text, examples and run function) and the pieces commands share:
// the common options, the config/registry options and their docs, the exit-code line and `--help` rendering.
// Commands (sdk/cli/commands/*.ts) import this module, never the entry point (main.ts): the layer check
// (scripts/check-layers.mjs) fails on an import of main.ts from anywhere but concord.ts.
import type { ParseArgsConfig } from "node:util";
import { CliError, ExitCode, type Output } from "./output.js";

export type CommandContext = {
  args: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  out: Output;
};

/** One option as `--help` documents it: its value placeholder (none for a flag) and what it does. */
export type OptionDoc = { value?: string; text: string };

export type Command = {
  summary: string;
  usage: string;
  /** Paragraphs printed after the summary (what the command does, what it prints). */
  about?: string[];
  /** Every option of `options` (and of `common`), documented; `--help` prints them in this order. */
  docs: Record<string, OptionDoc>;
  /** Environment variables the command reads. */
  env?: Record<string, string>;
  /** Complete example command lines. */
  examples: string[];
  options: NonNullable<ParseArgsConfig["options"]>;
  run: (ctx: CommandContext) => Promise<ExitCode | void>;
};

export const common = {
  json: { type: "boolean", default: false },
  quiet: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

export const COMMON_DOCS: Record<keyof typeof common, OptionDoc> = {
  json: { text: "print the result as one JSON document on stdout" },
  quiet: { text: "no progress lines on stderr" },
  help: { text: "this help (also -h)" },
};

export const configOptions = {
  config: { type: "string" },
  registry: { type: "string" },
} as const;

export const CONFIG_DOCS: Record<keyof typeof configOptions, OptionDoc> = {
  config: {
    value: "<file>",
    text: "chain-config file (default deploy/config/local.json; see deploy/README.md)",
  },
  registry: {
    value: "<dir>",
    text: "deployments registry, <chainId>.json per chain (default deploy/deployments)",
  },
};

export const FROM_BLOCK_DOC: OptionDoc = {
  value: "<block|chain=block,...>",
  text:
    "first block to read logs from, for every chain or per chain (default: each chain's deploy block from " +
    "the registry, else 0)",
};

export const KEY_ENV_DOC: OptionDoc = {
  value: "<VAR>",
  text: "environment variable holding the sender's private key (default CONCORD_PRIVATE_KEY)",
};

export const DATA_DIR_DOC: OptionDoc = {
  value: "<dir>",
  text: "where the agent keeps its state (default $XDG_STATE_HOME/concord, else ~/.local/state/concord)",
};

export const SENDER_ENV = {
  CONCORD_PRIVATE_KEY: "the sender's 32-byte hex private key (or the variable named by --key-env)",
};

/** Exit codes, as every `--help` lists them. */
export const EXIT_CODES =
  "Exit codes: 0 ok, 1 operation failed, 2 bad command line, 3 bad configuration (config, registry, key, an RPC URL " +
  "that serves another chain), 4 chain or agent unreachable, 5 not found.";

/** `concord <command> --help`: usage, what it does, every option, environment variables, exit codes, examples. */
export function commandHelp(c: Command): string {
  const docs: [string, OptionDoc][] = [
    ...Object.entries(c.docs),
    ...(Object.entries(COMMON_DOCS) as [string, OptionDoc][]),
  ];
  const flags = docs.map(([opt, d]) => `--${opt}${d.value ? ` ${d.value}` : ""}`);
  const width = Math.min(34, Math.max(...flags.map((f) => f.length)));
  const lines = [`usage: ${c.usage}`, c.summary, ...(c.about ? ["", ...c.about] : []), "", "Options:"];
  docs.forEach(([, d], i) => {
    const flag = flags[i]!;
    lines.push(
      flag.length > width
        ? `  ${flag}\n  ${" ".repeat(width)}  ${d.text}`
        : `  ${flag.padEnd(width)}  ${d.text}`,
    );
  });
  if (c.env) {
    lines.push("", "Environment:");
    for (const [name, text] of Object.entries(c.env)) lines.push(`  ${name}: ${text}`);
  }
  lines.push("", EXIT_CODES, "", c.examples.length > 1 ? "Examples:" : "Example:");
  for (const e of c.examples) lines.push(`  ${e}`);
  return lines.join("\n");
}

/** Requires a string option, or fails with a usage error naming it. */
export function requireOption(ctx: CommandContext, name: string): string {
  const value = ctx.values[name];
  if (typeof value !== "string" || value === "") {
    throw new CliError(`missing --${name}`, ExitCode.USAGE, "see `concord <command> --help`");
  }
  return value;
}
