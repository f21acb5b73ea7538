/**
 * The agents' shared lifecycle and config checks (sdk/agents/lifecycle.ts): start once, stop once on the first
 * signal, and config errors that name the key, identical for every agent.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AgentConfigError } from "../../sdk/agents/errors.js";
import { checkConfig, startAgent, stopOnSignals } from "../../sdk/agents/lifecycle.js";

const keyOf = (f: () => void): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof AgentConfigError);
    return `${e.key}: ${e.details}`;
  }
  return "no error";
};

describe("agents/lifecycle", () => {
  it("startAgent creates then starts; stopOnSignals stops once on the first signal and then reports", async () => {
    const calls: string[] = [];
    const agent = await startAgent(async () => ({
      start: () => void calls.push("start"),
      stop: async () => void calls.push("stop"),
    }));
    assert.deepEqual(calls, ["start"]);
    const stopped = new Promise<void>((resolve) => {
      const remove = stopOnSignals(agent, () => {
        calls.push("stopped");
        remove();
        resolve();
      }, ["SIGUSR2"]);
    });
    process.emit("SIGUSR2");
    process.emit("SIGUSR2");
    await stopped;
    assert.deepEqual(calls, ["start", "stop", "stopped"]);
    assert.equal(process.listenerCount("SIGUSR2"), 0);
  });

  it("config checks name the key and the bad value", () => {
    assert.equal(
      keyOf(() => checkConfig.nonEmpty("chains", [])),
      "chains: at least one chain is required",
    );
    assert.equal(
      keyOf(() => checkConfig.nonEmpty("chains", undefined)),
      "chains: at least one chain is required",
    );
    const seen = new Set<number>();
    assert.equal(
      keyOf(() => checkConfig.domain("chains[0].domain", 31337, seen)),
      "no error",
    );
    assert.equal(
      keyOf(() => checkConfig.domain("chains[1].domain", 31337, seen)),
      "chains[1].domain: duplicate domain 31337",
    );
    assert.equal(
      keyOf(() => checkConfig.domain("d", 0, seen)),
      "d: must be a uint32 > 0, got 0",
    );
    assert.equal(
      keyOf(() => checkConfig.domain("d", 2 ** 32, seen)),
      `d: must be a uint32 > 0, got ${2 ** 32}`,
    );
    assert.equal(
      keyOf(() => checkConfig.address("g", "0x12")),
      "g: not an address: 0x12",
    );
    assert.equal(
      keyOf(() => checkConfig.address("g", `0x${"ab".repeat(20)}`)),
      "no error",
    );
    assert.equal(
      keyOf(() => checkConfig.integer("n", 0, 1)),
      "n: must be an integer > 0, got 0",
    );
    assert.equal(
      keyOf(() => checkConfig.integer("n", 1.5, 0)),
      "n: must be an integer >= 0, got 1.5",
    );
    assert.equal(
      keyOf(() => checkConfig.integer("n", undefined, 1)),
      "no error",
    );
    assert.equal(
      keyOf(() => checkConfig.chainId("d", "http://x", 1, 2)),
      "d: http://x is chain 1, not 2",
    );
  });
});
