import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { network } from "hardhat";

describe("toolchain", () => {
  it("opens several simulated chains with distinct chain ids in one process", async () => {
    const a = await network.create("chainA");
    const b = await network.create("chainB");
    try {
      const [idA, idB] = await Promise.all([
        a.viem.getPublicClient().then((c) => c.getChainId()),
        b.viem.getPublicClient().then((c) => c.getChainId()),
      ]);
      assert.equal(idA, 31_337);
      assert.equal(idB, 31_338);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("has generated the ethers-v6 bindings in typechain-types/", () => {
    assert.ok(existsSync("typechain-types/index.ts"), "run `npm run build` to generate typechain-types/");
  });

  it("forge resolves every import of the tree (no 'Unable to resolve imports' / 'file not found' in CI logs)", () => {
    // forge's import resolver applies neither context remappings nor the longest prefix; an import it cannot
    // follow (LayerZero's OZ-4 `security/Pausable.sol` did) is logged on every build and on the gas benchmark,
    // and marks the whole graph dirty (every build recompiles everything). `forge tree` runs the same resolver
    // without compiling; remappings.txt + deps/openzeppelin-contracts keep it clean.
    const run = spawnSync("forge", ["tree"], { encoding: "utf8", env: process.env });
    assert.equal(run.status, 0, run.stderr);
    const output = `${run.stdout}\n${run.stderr}`;
    assert.doesNotMatch(output, /Unable to resolve imports|No such file or directory|file not found/i);
  });
});
