// Helpers of the CLI tests: run the built `concord` executable (sdk/dist/cli/concord.js) as users do, run a hint it
// printed exactly as printed, and start a long-running command (an agent, the demo) until a line shows up.
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";

import { repoRoot } from "../../sdk/src/repo.js";

export const BIN = join(repoRoot(), "sdk", "dist", "cli", "concord.js");

export type Run = { code: number; stdout: string; stderr: string };

/** Runs the built `concord` executable; never rejects (the exit code is part of the result). */
export function concord(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, cwd },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs a hint the CLI printed (`concord <command> ...`) exactly as printed. */
export function runHint(line: string, env: Record<string, string> = {}): Promise<Run> {
  const words = line.trim().split(/\s+/);
  assert.equal(words[0], "concord", `a hint starts with concord: ${line}`);
  return concord(words.slice(1), env);
}

/** A `concord` process that keeps running (an agent, `demo --keep-running`), with its output so far. */
export type Running = {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in stdout + stderr (rejects if the process exits first). */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpExecArray>;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

export function start(args: string[], env: Record<string, string> = {}, cwd?: string): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      for (const l of listeners) l();
      resolve(code);
    }),
  );
  const notify = () => {
    for (const l of listeners) l();
  };
  child.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
    notify();
  });
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString();
    notify();
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(`${out}\n${err}`);
          if (match) {
            cleanup();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`process exited (${child.exitCode}) before ${pattern}:\n${out}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    stop: async (signal = "SIGINT") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
