/**
 * scripts/check-layers.mjs (a gate of `npm test`): passes on the repository, and fails naming the import on a tree
 * that breaks each TypeScript rule: sdk/src importing sdk/agents, a CLI command importing the entry point main.ts,
 * and an import cycle.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { repoRoot } from "../../sdk/src/repo.js";

const script = join(repoRoot(), "scripts", "check-layers.mjs");
const trees: string[] = [];

function check(files: Record<string, string> | undefined) {
  const env = { ...process.env };
  delete env.CHECK_LAYERS_ROOT;
  if (files) {
    const dir = mkdtempSync(join(tmpdir(), "concord-layers-"));
    trees.push(dir);
    mkdirSync(join(dir, "contracts"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    env.CHECK_LAYERS_ROOT = dir;
  }
  return spawnSync(process.execPath, [script], { encoding: "utf8", env });
}

const CLEAN = {
  "sdk/src/codec.ts": "export const x = 1;\n",
  "sdk/agents/relayer.ts": 'import { x } from "../src/codec.js";\nexport const y = x;\n',
  "sdk/cli/command.ts": "export type Command = { run: () => void };\n",
  "sdk/cli/commands/send.ts":
    'import type { Command } from "../command.js";\nexport const c: Command = { run() {} };\n',
  "sdk/cli/commands/index.ts": 'import { c } from "./send.js";\nexport const COMMANDS = { send: c };\n',
  "sdk/cli/main.ts": 'import { COMMANDS } from "./commands/index.js";\nexport const main = () => COMMANDS;\n',
  "sdk/cli/concord.ts": 'import { main } from "./main.js";\nmain();\n',
};

describe("scripts/check-layers.mjs", () => {
  after(() => trees.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("passes on the repository and on a clean tree", () => {
    const repo = check(undefined);
    assert.equal(repo.status, 0, repo.stderr);
    const clean = check(CLEAN);
    assert.equal(clean.status, 0, clean.stderr);
  });

  it("fails when sdk/src imports sdk/agents", () => {
    const run = check({
      ...CLEAN,
      "sdk/src/codec.ts": 'import { y } from "../agents/relayer.js";\nexport const x = y;\n',
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /sdk\/src\/codec\.ts: import "\.\.\/agents\/relayer\.js" reaches sdk\/agents/);
  });

  it("fails when a command imports the CLI entry point (and names the cycle it closes)", () => {
    const run = check({
      ...CLEAN,
      "sdk/cli/commands/send.ts":
        'import type { main } from "../main.js";\nexport const c = { run() {} } as unknown as typeof main;\n',
    });
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /sdk\/cli\/commands\/send\.ts: import "\.\.\/main\.js" reaches the CLI entry point/,
    );
    assert.match(run.stderr, /import cycle: .*sdk\/cli\/commands\/send\.ts.*sdk\/cli\/main\.ts/);
  });

  it("fails on an import cycle inside one layer", () => {
    const run = check({
      ...CLEAN,
      "sdk/src/codec.ts": 'import { z } from "./errors.js";\nexport const x = z;\n',
      "sdk/src/errors.ts": 'import { x } from "./codec.js";\nexport const z = 1;\nexport const w = x;\n',
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /import cycle: sdk\/src\/(codec|errors)\.ts -> sdk\/src\/(errors|codec)\.ts/);
  });
});
