// `concord validator --sign/--range-window/--flush-blocks`: bad values are usage errors, refused before any chain is
// read (the options themselves are the validator's `checkpoints`, tested end to end in agents-range/-merkleroot).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { concord } from "../helpers/cli.js";

describe("concord validator: checkpoint options", () => {
  for (const [args, pattern] of [
    [["--sign", "message-id,bogus"], /--sign: expected a list of message-id, merkle-root, range/],
    [["--sign", ","], /--sign: expected a list/],
    [["--sign", "range", "--range-window", "abc"], /--range-window: not an integer >= 0/],
    [["--sign", "range", "--flush-blocks", "1.5"], /--flush-blocks: not an integer >= 0/],
  ] as const) {
    it(`refuses ${args.join(" ")} (exit 2)`, async () => {
      const run = await concord(["validator", "--chain", "nowhere", "--key-env", "NO_KEY", ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr + run.stdout, pattern);
    });
  }
});
