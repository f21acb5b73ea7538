// Next-step hints of the `concord` CLI: complete command lines that repeat the options the user gave (config,
// registry, key variable), so that a hint can be pasted as printed.
import type { CommandContext } from "./command.js";

/** Options that locate the chains or the key: repeated in every hint when the user gave them. */
const CARRIED = ["config", "registry", "from-block", "key-env"] as const;

/** `value` quoted for a POSIX shell when it needs it. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** How the user runs the CLI: `npm run concord --` when started through npm, else `concord`. */
export function cliPrefix(): string {
  return process.env.npm_lifecycle_event === "concord" ? "npm run concord --" : "concord";
}

/**
 * A runnable `concord <command> <args...>` line, followed by the options of {@link CARRIED} the user passed (as
 * passed) unless `carry` restricts them (e.g. no `--key-env` for a read-only command).
 */
export function commandLine(
  ctx: Pick<CommandContext, "values">,
  command: string,
  args: readonly string[],
  carry: readonly (typeof CARRIED)[number][] = CARRIED,
): string {
  const parts = [cliPrefix(), command, ...args];
  for (const name of carry) {
    const value = ctx.values[name];
    if (typeof value === "string" && value !== "") parts.push(`--${name}`, shellQuote(value));
  }
  return parts.join(" ");
}

/** Read-only commands need the chains, not the key. */
export const READ_ONLY: readonly (typeof CARRIED)[number][] = ["config", "registry", "from-block"];
