// `concord`: the command line of Concord. Every command is non-interactive, prints progress on stderr, its result
// on stdout (`--json` for scripts) and exits with a documented code (see ExitCode in ./output.ts).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { BaseError } from "viem";

import { ConcordSdkError } from "../src/errors.js";
import { describeError } from "../src/decodeError.js";
import { isConnectionError } from "../src/deploy/plan.js";
import { CliError, ExitCode, makeOutput, type Output } from "./output.js";

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

const common = {
  json: { type: "boolean", default: false },
  quiet: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const COMMON_DOCS: Record<keyof typeof common, OptionDoc> = {
  json: { text: "print the result as one JSON document on stdout" },
  quiet: { text: "no progress lines on stderr" },
  help: { text: "this help (also -h)" },
};

const configOptions = {
  config: { type: "string" },
  registry: { type: "string" },
} as const;

const CONFIG_DOCS: Record<keyof typeof configOptions, OptionDoc> = {
  config: {
    value: "<file>",
    text: "chain-config file (default deploy/config/local.json; see deploy/README.md)",
  },
  registry: {
    value: "<dir>",
    text: "deployments registry, <chainId>.json per chain (default deploy/deployments)",
  },
};

const FROM_BLOCK_DOC: OptionDoc = {
  value: "<block|chain=block,...>",
  text:
    "first block to read logs from, for every chain or per chain (default: each chain's deploy block from " +
    "the registry, else 0)",
};

const KEY_ENV_DOC: OptionDoc = {
  value: "<VAR>",
  text: "environment variable holding the sender's private key (default CONCORD_PRIVATE_KEY)",
};

const DATA_DIR_DOC: OptionDoc = {
  value: "<dir>",
  text: "where the agent keeps its state (default $XDG_STATE_HOME/concord, else ~/.local/state/concord)",
};

const SENDER_ENV = {
  CONCORD_PRIVATE_KEY: "the sender's 32-byte hex private key (or the variable named by --key-env)",
};

/** Exit codes, as every `--help` lists them. */
const EXIT_CODES =
  "Exit codes: 0 ok, 1 operation failed, 2 bad command line, 3 bad configuration (config, registry, key, an RPC URL " +
  "that serves another chain), 4 chain or agent unreachable, 5 not found.";

export const COMMANDS: Record<string, Command> = {
  demo: {
    summary: "start three local anvil chains, deploy and wire Concord, run agents, messages and flows",
    usage: "concord demo [--keep-running] [--json] [--quiet]",
    about: [
      "Everything runs locally (anvil on loopback ports); the demo's files (chain config, registries, agent stores)",
      "go to <state dir>/demo, never into the repository. It prints one progress line per step, then every",
      "message's and flow's timeline, and stops every process it started.",
    ],
    docs: {
      "keep-running": {
        text:
          "leave the chains and agents running after the story: prints each chain's RPC URL and the path of a " +
          "ready-to-use --config/--registry pair; Ctrl-C (SIGINT) stops everything and exits 0",
      },
    },
    env: { XDG_STATE_HOME: "base of the state directory (default ~/.local/state)" },
    examples: ["concord demo", "concord demo --keep-running"],
    options: { "keep-running": { type: "boolean", default: false } },
    run: async (ctx) => (await import("./commands/demo.js")).demo(ctx),
  },
  deploy: {
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
    run: async (ctx) => (await import("./commands/deploy.js")).deployCommand(ctx),
  },
  send: {
    summary: "send a message through a Concord gateway (optionally prepaying the relayer's gas)",
    usage:
      "concord send --from <chain> --to <chain> --recipient <address> [--data <hex> | --text <utf8>] " +
      "[--gas-limit <n>] [--pay] [--key-env <VAR>] [--config <chains.json>] [--registry <dir>]",
    about: [
      "Refuses (exit 3) a message the destination has no route for, and --from equal to --to (exit 2). With --pay",
      "it quotes the payment before sending anything; then prints the message id as soon as it is dispatched, and",
      "if the payment fails afterwards, says so and prints the `concord pay` command that completes it.",
    ],
    docs: {
      from: { value: "<chain>", text: "origin chain (a key of the config's chains)" },
      to: { value: "<chain>", text: "destination chain (another key)" },
      recipient: { value: "<address>", text: "the ERC-7786 recipient on the destination" },
      data: { value: "<hex>", text: "payload as 0x-prefixed hex" },
      text: { value: "<utf8>", text: "payload as text (UTF-8)" },
      "gas-limit": {
        value: "<n>",
        text: "gas the recipient gets on the destination (default: the gateway's)",
      },
      pay: { text: "prepay the destination gas through the origin's GasPaymaster (a second transaction)" },
      "key-env": KEY_ENV_DOC,
      ...CONFIG_DOCS,
    },
    env: SENDER_ENV,
    examples: [
      "CONCORD_PRIVATE_KEY=0x… concord send --from chainA --to chainB --recipient 0x5FbD… --text hello --pay " +
        "--config my-chains.json",
    ],
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
  pay: {
    summary: "pay (or top up) a sent message's destination gas through the origin's GasPaymaster",
    usage:
      "concord pay <messageId> [--from <chain>] [--gas <n>] [--key-env <VAR>] [--config <chains.json>] " +
      "[--registry <dir>]",
    about: [
      "Completes a `send --pay` whose payment failed. A message already paid for is left alone unless --gas asks",
      "for more gas (a top-up). The payment is quoted by the paymaster; overpayment is refundable to the payer.",
    ],
    docs: {
      from: { value: "<chain>", text: "the origin chain (default: search every chain of the config)" },
      gas: {
        value: "<n>",
        text: "gas to pay for (default: the message's gas limit; on a paid message: a top-up)",
      },
      "key-env": KEY_ENV_DOC,
      ...CONFIG_DOCS,
      "from-block": FROM_BLOCK_DOC,
    },
    env: SENDER_ENV,
    examples: ["CONCORD_PRIVATE_KEY=0x… concord pay 0x3f…c1 --from chainA --config my-chains.json"],
    options: {
      ...configOptions,
      from: { type: "string" },
      gas: { type: "string" },
      "key-env": { type: "string" },
      "from-block": { type: "string" },
    },
    run: async (ctx) => (await import("./commands/pay.js")).pay(ctx),
  },
  status: {
    summary: "lifecycle of a message or a flow across chains, with block numbers and timestamps",
    usage:
      "concord status <messageId|flowId> [--config <chains.json>] [--registry <dir>] [--from-block <n>] " +
      "[--relayer <url>]",
    about: [
      "Rows are ordered per chain by block and log index, across chains by block time (equal times by lifecycle",
      "step). Logs are read page by page from each chain's deploy block, adapting to the provider's limits. Prints",
      "the next step as a command line. A FAILED message exits 1 (`concord retry` re-executes it).",
    ],
    docs: {
      ...CONFIG_DOCS,
      "from-block": FROM_BLOCK_DOC,
      relayer: {
        value: "<url>",
        text:
          "also show a relayer's record of the message (its HTTP status API): status, why it cannot deliver " +
          "it, its automatic retries with gas used",
      },
    },
    examples: ["concord status 0x3f…c1 --config my-chains.json", "concord status 0x3f…c1 --json"],
    options: { ...configOptions, relayer: { type: "string" }, "from-block": { type: "string" } },
    run: async (ctx) => (await import("./commands/status.js")).status(ctx),
  },
  retry: {
    summary: "re-execute a FAILED message on its destination, with its own gas limit or more",
    usage:
      "concord retry <messageId> [--gas <n>] [--from <chain>] [--key-env <VAR>] [--config <chains.json>] " +
      "[--registry <dir>] [--json]",
    about: [
      "Finds the message (its Dispatched event on --from, else on every chain of the config), checks that it is",
      "FAILED on its destination, sends retry(message, gas) there and prints the outcome: EXECUTED, or still",
      "FAILED with the recipient's decoded revert reason. Anyone may retry; the transaction is paid by the key.",
      "Exits 0 EXECUTED (or already EXECUTED), 1 still FAILED, refused or not FAILED, 5 message not found.",
    ],
    docs: {
      gas: {
        value: "<n>",
        text:
          "gas the recipient gets (default: the message's own gas limit; never less). A message that failed " +
          "because its recipient ran out of gas needs more",
      },
      from: {
        value: "<chain>",
        text: "the origin chain (a config key); default: search every chain of the config",
      },
      "key-env": KEY_ENV_DOC,
      ...CONFIG_DOCS,
      "from-block": FROM_BLOCK_DOC,
    },
    env: SENDER_ENV,
    examples: ["CONCORD_PRIVATE_KEY=0x… concord retry 0x3f…c1 --gas 400000 --config my-chains.json"],
    options: {
      ...configOptions,
      gas: { type: "string" },
      from: { type: "string" },
      "key-env": { type: "string" },
      "from-block": { type: "string" },
    },
    run: async (ctx) => (await import("./commands/retry.js")).retry(ctx),
  },
  relay: {
    summary: "self-relay one message: fetch validator signatures and deliver it",
    usage:
      "concord relay <messageId> --from <chain> --validators <url,url,...> [--key-env <VAR>] " +
      "[--config <chains.json>] [--registry <dir>]",
    about: [
      "Checks that the destination routes the origin's gateway (else exit 3, with what to do), fetches a quorum",
      "of signatures from the origin's validators, checks each against the destination verifier's set, delivers.",
    ],
    docs: {
      from: { value: "<chain>", text: "the origin chain (a config key)" },
      validators: {
        value: "<url,url,...>",
        text: "HTTP URLs of the origin chain's validator agents (each serves /signatures/<messageId>)",
      },
      "key-env": KEY_ENV_DOC,
      ...CONFIG_DOCS,
      "from-block": FROM_BLOCK_DOC,
    },
    env: SENDER_ENV,
    examples: [
      "CONCORD_PRIVATE_KEY=0x… concord relay 0x3f…c1 --from chainA --validators http://v1:8080,http://v2:8080 " +
        "--config my-chains.json",
    ],
    options: {
      ...configOptions,
      from: { type: "string" },
      validators: { type: "string" },
      "key-env": { type: "string" },
      "from-block": { type: "string" },
    },
    run: async (ctx) => (await import("./commands/relay.js")).relay(ctx),
  },
  validator: {
    summary: "run a validator agent for one origin chain",
    usage:
      "concord validator --chain <name> --key-env <VAR> [--port <n>] [--data-dir <dir> | --db <file>] " +
      "[--from-block <n>] [--allow-unlisted-key] [--config <chains.json>] [--registry <dir>]",
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
    },
    run: async (ctx) => (await import("./commands/agents.js")).validator(ctx),
  },
  relayer: {
    summary: "run a relayer agent over every chain of the config",
    usage:
      "concord relayer --validators <chain=url,url;...> --key-env <VAR> [--keeper-key-env <VAR>] [--port <n>] " +
      "[--data-dir <dir> | --db <file> | --postgres <url>] [--from-block <n>] [--retry-failed-gas-ceiling <gas> " +
      "[--retry-failed-attempts <n>] [--retry-failed-margin <percent>]] [--config <chains.json>] [--registry <dir>]",
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
    "`concord <command> --help` documents every option, environment variable and an example.",
    EXIT_CODES,
  ].join("\n");
}

/** `concord <name> --help`: usage, what it does, every option, environment variables, exit codes, examples. */
export function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
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

/** An unexpected error as one readable line: a decoded revert, the SDK's short message, viem's short message. */
function readable(e: unknown): string {
  if (e instanceof ConcordSdkError) return e.details ? `${e.shortMessage}: ${e.details}` : e.shortMessage;
  if (e instanceof BaseError) return describeError(e);
  return (e as Error)?.message ?? String(e);
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
    process.stderr.write(
      `error: ${(e as Error).message}\nusage: ${command.usage}\nsee \`concord ${name} --help\`\n`,
    );
    return ExitCode.USAGE;
  }
  if (parsed.values.help) {
    process.stdout.write(`${commandHelp(name)}\n`);
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
    // Not foreseen by the command: still one readable line (never a raw viem dump), and the right exit code.
    const unreachable = isConnectionError(e);
    process.stderr.write(`error: ${readable(e)}\n`);
    if (process.env.CONCORD_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    else
      process.stderr.write(
        unreachable
          ? "hint: an RPC endpoint or agent did not answer; check the URLs in the config\n"
          : "hint: set CONCORD_DEBUG=1 for the stack trace\n",
      );
    return unreachable ? ExitCode.UNREACHABLE : ExitCode.FAILED;
  }
}

/** Requires a string option, or fails with a usage error naming it. */
export function requireOption(ctx: CommandContext, name: string): string {
  const value = ctx.values[name];
  if (typeof value !== "string" || value === "") {
    throw new CliError(`missing --${name}`, ExitCode.USAGE, "see `concord <command> --help`");
  }
  return value;
}
