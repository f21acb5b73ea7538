// Output conventions of the `concord` CLI: progress on stderr (never mixed into results), results on stdout as
// text or, with --json, as one JSON document; errors say what to do and map to documented exit codes.
import { ConcordSdkError } from "../src/errors.js";

/** Exit codes (documented in `concord --help` and sdk/README.md). */
export const ExitCode = {
  OK: 0,
  /** The operation ran and failed (a transaction reverted, a message failed, the demo found a wrong result). */
  FAILED: 1,
  /** Bad command line. */
  USAGE: 2,
  /** Bad configuration (config file, registry, keys). */
  CONFIG: 3,
  /** A chain, validator or database could not be reached. */
  UNREACHABLE: 4,
  /** The thing asked about does not exist (unknown message or flow id). */
  NOT_FOUND: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as `error: <message>` plus `hint: <what to do>`, exiting with `code`. */
export class CliError extends ConcordSdkError {
  override name = "CliError";
  constructor(
    message: string,
    readonly code: ExitCode = ExitCode.FAILED,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export type Output = {
  json: boolean;
  /** A progress line on stderr (suppressed with --quiet). */
  progress: (line: string) => void;
  /** The command's result: JSON on stdout with --json, otherwise the text lines. */
  result: (value: unknown, text?: string[]) => void;
};

export function makeOutput(json: boolean, quiet: boolean): Output {
  const start = Date.now();
  return {
    json,
    progress(line) {
      if (quiet) return;
      const seconds = ((Date.now() - start) / 1000).toFixed(1).padStart(5);
      process.stderr.write(`[${seconds}s] ${line}\n`);
    },
    result(value, text) {
      if (json || !text) {
        process.stdout.write(`${JSON.stringify(value, bigintReplacer, 2)}\n`);
      } else {
        process.stdout.write(`${text.join("\n")}\n`);
      }
    },
  };
}

/** JSON.stringify replacer that writes bigints as decimal strings. */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Formats a unix timestamp (seconds) as ISO time, or "-" when absent. */
export function isoTime(seconds: number | bigint | undefined): string {
  if (seconds === undefined) return "-";
  return new Date(Number(seconds) * 1000).toISOString();
}
