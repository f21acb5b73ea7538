// One bytecode tested and deployed (issue 15): scripts/check-bytecode.mjs finds every difference between the forge
// build (what the Solidity suites ran) and the Hardhat build (what deploy/ ships), and every runtime over EIP-170.
// The checker is exercised on synthetic builds (each problem it must catch) and then on the real ones.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
// @ts-expect-error: a plain ES module script without type declarations
import { EIP170_LIMIT, compareBuilds } from "../../scripts/check-bytecode.mjs";

type Result = { problems: string[]; sizes: { key: string; size: number }[]; compared: number };
const compare = compareBuilds as (artifactsDir: string, outDir: string, sources?: string) => Result;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A pair of build folders holding one contract `Name` of `path`, with the given codes on each side. */
function builds(
  path: string,
  name: string,
  hardhat: { creation: string; runtime: string },
  forge?: { creation: string; runtime: string },
): { artifacts: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), "concord-bytecode-"));
  dirs.push(root);
  const artifacts = join(root, "artifacts", path);
  const out = join(root, "out", name);
  mkdirSync(artifacts, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(artifacts, `${name}.json`),
    JSON.stringify({
      _format: "hh3-artifact-1",
      sourceName: path,
      contractName: name,
      bytecode: `0x${hardhat.creation}`,
      deployedBytecode: `0x${hardhat.runtime}`,
    }),
  );
  if (forge) {
    writeFileSync(
      join(out, `${name}.json`),
      JSON.stringify({
        metadata: { settings: { compilationTarget: { [path]: name } } },
        bytecode: { object: `0x${forge.creation}` },
        deployedBytecode: { object: `0x${forge.runtime}` },
      }),
    );
  }
  return { artifacts: join(root, "artifacts"), out: join(root, "out") };
}

describe("check-bytecode", () => {
  const code = { creation: "6080604052", runtime: "60806040" };

  it("accepts identical builds", () => {
    const b = builds("contracts/A.sol", "A", code, code);
    const r = compare(b.artifacts, b.out);
    assert.deepEqual(r.problems, []);
    assert.equal(r.compared, 1);
    assert.deepEqual(r.sizes, [{ key: "contracts/A.sol:A", size: 4 }]);
  });

  it("reports a runtime that differs by one byte", () => {
    const b = builds("contracts/A.sol", "A", code, { ...code, runtime: "60806041" });
    assert.deepEqual(compare(b.artifacts, b.out).problems, [
      "contracts/A.sol:A: runtime code differs between Hardhat and forge",
    ]);
  });

  it("reports creation code that differs (constructor compiled differently)", () => {
    const b = builds("contracts/A.sol", "A", code, { ...code, creation: "6080604053" });
    assert.deepEqual(compare(b.artifacts, b.out).problems, [
      "contracts/A.sol:A: creation code differs between Hardhat and forge",
    ]);
  });

  it("reports a contract forge never compiled", () => {
    const b = builds("contracts/A.sol", "A", code);
    assert.match(compare(b.artifacts, b.out).problems[0] ?? "", /not in forge's/);
  });

  it("reports a runtime over EIP-170, and accepts one at the limit", () => {
    const over = "00".repeat(EIP170_LIMIT + 1);
    const b = builds(
      "contracts/Big.sol",
      "Big",
      { creation: "00", runtime: over },
      { creation: "00", runtime: over },
    );
    assert.deepEqual(compare(b.artifacts, b.out).problems, [
      `contracts/Big.sol:Big: runtime code is ${EIP170_LIMIT + 1} bytes, over EIP-170's ${EIP170_LIMIT}`,
    ]);
    const limit = "00".repeat(EIP170_LIMIT);
    const ok = builds(
      "contracts/Big.sol",
      "Big",
      { creation: "00", runtime: limit },
      { creation: "00", runtime: limit },
    );
    assert.deepEqual(compare(ok.artifacts, ok.out).problems, []);
  });

  it("finds nothing to compare in an empty build", () => {
    const root = mkdtempSync(join(tmpdir(), "concord-bytecode-"));
    dirs.push(root);
    mkdirSync(join(root, "a"));
    mkdirSync(join(root, "o"));
    assert.match(compare(join(root, "a"), join(root, "o")).problems[0] ?? "", /no Hardhat artifacts/);
  });

  it("the real builds: forge's bytecode is Hardhat's, every runtime within EIP-170", () => {
    assert.ok(existsSync("artifacts") && existsSync("out"), "run scripts/build.sh first");
    const r = compare("artifacts", "out");
    assert.deepEqual(r.problems, []);
    const keys = r.sizes.map((s) => s.key);
    for (const deployed of [
      "contracts/coordination/FlowEscrow.sol:FlowEscrow",
      "contracts/coordination/FlowExecutor.sol:FlowExecutor",
      "contracts/core/ConcordGateway.sol:ConcordGateway",
    ]) {
      assert.ok(keys.includes(deployed), `${deployed} compared`);
    }
  });
});
