// `concord`: the command line of Concord. Every command is non-interactive, prints progress on stderr, its result
// on stdout (`--json` for scripts) and exits with a documented code (see ExitCode in ./output.ts). Each command owns
// its options, help text and examples (sdk/cli/commands/*.ts, listed in commands/index.ts); this entry point only
// dispatches, and nothing imports it but concord.ts.
import { parseArgs } from "node:util";
import { BaseError } from "viem";

import { ConcordSdkError } from "../src/errors.js";
import { describeError } from "../src/decodeError.js";
import { isConnectionError } from "../src/deploy/plan.js";
import { EXIT_CODES, commandHelp, common } from "./command.js";
import { COMMANDS } from "./commands/index.js";
import { CliError, ExitCode, makeOutput } from "./output.js";

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
    process.stdout.write(`${commandHelp(command)}\n`);
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
