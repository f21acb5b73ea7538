// Runs the TypeScript tests (test/ts/*.test.ts, node:test through `hardhat test nodejs`) one file per process, a few
// files at a time. Most of these tests wait on anvil chains and agents rather than on the CPU, so running them side by
// side on this machine's 2 cores roughly halves the wall time of running them in one process.
//
//   node scripts/test-ts.mjs [--jobs N] [--no-compile] [file ...]     (default: every test/ts/*.test.ts, 3 jobs)
//
// Each file's output is printed whole when it ends (never interleaved), with its duration. A file that runs longer
// than CONCORD_TS_FILE_TIMEOUT seconds (default 600) is stopped and counted as failed. The last lines are the totals
// ("N passing", "N failing"), which scripts/test-all.sh reads; the exit code is non-zero if any file failed.
// Every worker gets its own range of loopback ports (CONCORD_TEST_PORT_BASE, read by sdk/src/anvil.ts `freePort`), so
// chains started by files running side by side never race for one port.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { setTimeout, clearTimeout } from "node:timers";
import { join } from "node:path";

const args = process.argv.slice(2);
let jobs = Number(process.env.CONCORD_TS_JOBS ?? 3);
let compile = true;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--jobs") jobs = Number(args[++i]);
  else if (args[i] === "--no-compile") compile = false;
  else if (args[i] === "--help" || args[i] === "-h") {
    console.log("usage: node scripts/test-ts.mjs [--jobs N] [--no-compile] [test/ts/<file>.test.ts ...]");
    process.exit(0);
  } else files.push(args[i]);
}
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error("test-ts: --jobs must be a positive integer (e.g. --jobs 2)");
  process.exit(2);
}
const timeoutMs = Number(process.env.CONCORD_TS_FILE_TIMEOUT ?? 600) * 1000;

// The slowest files first, so that no long file starts last (names from a timed run; files not listed run after,
// in name order). A stale list only costs wall time, never correctness.
const SLOW_FIRST = [
  "cli.test",
  "logs.test",
  "rpc-limits",
  "cli-paths",
  "aggregator-status",
  "adapter-deploy.test",
  "adapter-deploy-protocols",
  "package.test",
  "adapter-ccip-status",
  "example-config",
  "typechain-ethers",
];
if (files.length === 0) {
  const all = readdirSync("test/ts")
    .filter((f) => f.endsWith(".test.ts"))
    .sort()
    .map((f) => join("test/ts", f));
  const rank = (f) => {
    const i = SLOW_FIRST.findIndex((name) => f.includes(name));
    return i === -1 ? SLOW_FIRST.length : i;
  };
  files.push(...all.sort((a, b) => rank(a) - rank(b)));
}

if (compile) {
  const built = spawnSync("hardhat", ["build", "--quiet"], { stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const count = (text, word) => {
  const all = [...text.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, "gm"))];
  return all.length ? Number(all[all.length - 1][1]) : 0;
};

// Stopped from outside (e.g. the test suite's overall `timeout`): stop every running file's process group first, so no
// chain or agent outlives the run.
const running = new Set();
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    console.error(`test-ts: stopped by ${signal}`);
    process.exit(1);
  });
}

function runFile(file, worker) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn("hardhat", ["test", "nodejs", "--no-compile", file], {
      env: { ...process.env, CONCORD_TEST_PORT_BASE: String(20_000 + worker * 1_000), FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: a timeout stops the chains and agents it started too
    });
    running.add(child.pid);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on("close", (code) => {
      running.delete(child.pid);
      clearTimeout(timer);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const passing = count(out, "passing");
      let failing = count(out, "failing");
      const ok = code === 0 && !timedOut;
      if (!ok && failing === 0) failing = 1; // a crash or a timeout without a failing test still fails the file
      resolve({ file, out, seconds, passing, failing, ok, timedOut, code });
    });
  });
}

const queue = [...files];
const results = [];
const started = Date.now();
async function worker(id) {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const r = await runFile(file, id);
    results.push(r);
    const head = r.ok
      ? `== ${r.file}: ${r.passing} passing (${r.seconds}s)`
      : `== ${r.file}: FAILED${r.timedOut ? ` (stopped after ${timeoutMs / 1000}s)` : ""} (${r.seconds}s, exit ${r.code})`;
    process.stdout.write(`\n${head}\n${r.out.trimEnd()}\n`);
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, (_, i) => worker(i)));

const passing = results.reduce((s, r) => s + r.passing, 0);
const failing = results.reduce((s, r) => s + r.failing, 0);
const failedFiles = results.filter((r) => !r.ok).map((r) => r.file);
console.log(
  `\n== TypeScript tests: ${files.length} files, ${jobs} at a time, ${(Date.now() - started) / 1000}s ==`,
);
for (const r of [...results].sort((a, b) => b.seconds - a.seconds)) console.log(`  ${r.seconds}s  ${r.file}`);
if (failedFiles.length) console.log(`failed files: ${failedFiles.join(" ")}`);
console.log(`\n  ${passing} passing`);
console.log(`  ${failing} failing`);
process.exit(failedFiles.length ? 1 : 0);
