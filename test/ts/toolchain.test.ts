import assert from "node:assert/strict";
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
});
