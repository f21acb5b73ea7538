/**
 * The SDK's generated constants (scripts/gen-sdk.mjs -> sdk/src/generated/): up to date with the build artifacts,
 * equal to them, and the only source of ABIs, bytecode and error text (no run-time reads of `artifacts/` or
 * `contracts/*.sol` anywhere in sdk/src, sdk/agents or sdk/cli).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { type Abi, encodeErrorResult } from "viem";
import { concordAbis, concordErrors, decodeConcordError } from "../../sdk/src/index.js";
import { concordBytecode } from "../../sdk/src/generated/bytecode.js";
import { repoRoot } from "../../sdk/src/repo.js";

const root = repoRoot();

function files(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "generated" && entry.name !== "dist") files(path, out);
    } else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

function artifact(sourceName: string, name: string) {
  const path = join(root, "artifacts", sourceName, `${name}.json`);
  return JSON.parse(readFileSync(path, "utf8")) as { abi: Abi; bytecode: string; deployedBytecode: string };
}

describe("sdk/generated", () => {
  it("is what the current build artifacts give (gen-sdk --check)", () => {
    const run = spawnSync(process.execPath, [join(root, "scripts", "gen-sdk.mjs"), "--check"], {
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
  });

  it("carries every contract's ABI and every deployable's bytecode exactly as compiled", () => {
    const gateway = artifact("contracts/core/ConcordGateway.sol", "ConcordGateway");
    assert.deepEqual(concordAbis.ConcordGateway, gateway.abi);
    assert.equal(concordBytecode.ConcordGateway.bytecode, gateway.bytecode);
    assert.equal(concordBytecode.ConcordGateway.deployedBytecode, gateway.deployedBytecode);
    const escrow = artifact("contracts/coordination/FlowEscrow.sol", "FlowEscrow");
    assert.deepEqual(concordAbis.FlowEscrow, escrow.abi);
    assert.ok(!("MockRecipient" in concordAbis), "mocks stay out of the package's ABIs");
    assert.ok(!("MockRecipient" in concordBytecode), "mocks stay out of the package's bytecode");
  });

  it("decodes errors with the NatSpec notice taken from the compiler's AST", () => {
    const item = concordErrors().find((e) => e.name === "ConcordGatewayUnknownOrigin");
    assert.ok(item?.notice?.startsWith("Thrown when"), JSON.stringify(item));
    const data = encodeErrorResult({
      abi: concordAbis.ConcordGateway,
      errorName: "ConcordGatewayUnknownOrigin",
      args: [7],
    });
    assert.equal(decodeConcordError(data).text, `ConcordGatewayUnknownOrigin(origin: 7): ${item?.notice}`);
  });

  it("no SDK, agent or CLI source reads artifacts/ or .sol files at run time", () => {
    const offenders: string[] = [];
    for (const file of ["src", "agents", "cli"].flatMap((d) => files(join(root, "sdk", d)))) {
      const text = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      if (/["'`]artifacts["'`/]|\.sol["'`]|build-info/.test(text)) offenders.push(relative(root, file));
    }
    assert.deepEqual(offenders, []);
  });
});
