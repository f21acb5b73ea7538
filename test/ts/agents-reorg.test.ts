// Origin reorg (anvil evm_snapshot / evm_revert), validator restart with a conflicting message at a signed
// nonce, and a stuck delivery transaction replaced with the same nonce.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Hex, toHex } from "viem";
import {
  type Relayer,
  type Validator,
  runRelayer,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import {
  type LocalPair,
  deployLocalPair,
  executedIds,
  gatewayStatus,
  mine,
  sendMessages,
  waitFor,
  oneWayRelayerConfig,
} from "../helpers/agents.js";
import { rpc } from "../../sdk/src/anvil.js";

describe("agents: reorgs, validator restarts, stuck transactions", () => {
  let pair: LocalPair;
  let dir: string;
  let relayer: Relayer;
  const validators: Validator[] = [];

  // Four validators on A, threshold 2. V0 and V1 are "eager" (confirmations 0): they sign at inclusion, so a
  // quorum exists for a message that a reorg then removes. V2 and V3 wait 2 confirmations like the relayer.
  const startValidator = (i: number) =>
    runValidator({
      rpcUrl: pair.chains[0].rpcUrl,
      gateway: pair.chains[0].gateway,
      signer: pair.validatorKeys[i]!,
      confirmations: i < 2 ? 0 : 2,
      storePath: join(dir, `v${i}.sqlite`),
      pollIntervalMs: 30,
      logger: silentLogger,
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-reorg-"));
    pair = await deployLocalPair({ validators: 4, threshold: 2 });
    for (let i = 0; i < 4; i++) validators.push(await startValidator(i));
    relayer = await runRelayer(
      oneWayRelayerConfig(
        pair,
        validators.map((v) => v.url!),
        dir,
        2,
        { stuckTxTimeoutMs: 1_000 },
      ),
    );
  });

  after(async () => {
    await relayer?.stop();
    for (const v of validators) await v.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("never delivers a message orphaned by an origin reorg, even with a quorum of signatures; a restarted validator refuses the conflicting replacement", async () => {
    const [a, b] = pair.chains;
    const snapshot = await rpc<Hex>(a.rpcUrl, "evm_snapshot");
    const [m1] = await sendMessages(a, b.domain, b.recipient, 1, { payload: () => toHex("orphan") });
    // The eager validators sign it (a quorum), the relayer indexes it but waits for finality.
    for (const v of validators.slice(0, 2))
      await waitFor(
        "eager signature",
        async () => (await fetch(`${v.url}/signatures/${m1!.id}`)).status === 200,
      );
    await waitFor("relayer saw m1", async () => (await relayer.store.get(m1!.id))?.status === "SEEN");

    // V0 goes down; the origin reorgs (the block with m1 is replaced); the replacement m2 takes m1's nonce.
    await validators[0]!.stop();
    assert.equal(await rpc(a.rpcUrl, "evm_revert", [snapshot]), true);
    await mine(a, 1); // a different block at m1's height
    const [m2] = await sendMessages(a, b.domain, b.recipient, 1, {
      payload: () => toHex("replacement"),
      mine: 3,
    });
    assert.equal(
      BigInt(m2!.message.slice(0, 12)) & 0xffffffffn,
      BigInt(m1!.message.slice(0, 12)) & 0xffffffffn,
      "same nonce",
    );
    assert.notEqual(m2!.id, m1!.id);
    validators[0] = await startValidator(0); // restart on the same store

    await waitFor(
      "m2 delivered",
      async () => (await relayer.store.get(m2!.id))?.status === "DELIVERED",
      30_000,
    );
    const orphan = (await relayer.store.get(m1!.id))!;
    assert.equal(orphan.status, "ORPHANED");
    assert.equal(orphan.submitTxs.length, 0, "never submitted");
    // status() is keyed by (origin, nonce), which m1 and m2 share: the Executed events tell them apart.
    const executed = await executedIds(b);
    assert.equal(executed.get(m1!.id), undefined, "m1 never delivered on B");
    assert.equal(executed.get(m2!.id), 1);
    const events = (await relayer.store.events(m1!.id)).map((e) => e.status);
    assert.deepEqual(events, ["SEEN", "ORPHANED"]);

    // The restarted V0 and the eager V1 refuse to sign m2 (they signed m1 at that nonce); V2 and V3 signed it.
    await waitFor("V0 saw the conflict", async () =>
      /concord_validator_conflicts\{[^}]*\} 1/.test(
        await (await fetch(`${validators[0]!.url}/metrics`)).text(),
      ),
    );
    for (const v of validators.slice(0, 2)) {
      assert.equal((await fetch(`${v.url}/signatures/${m2!.id}`)).status, 404);
      assert.equal((await fetch(`${v.url}/signatures/${m1!.id}`)).status, 200, "the first signature is kept");
    }
    for (const v of validators.slice(2))
      assert.equal((await fetch(`${v.url}/signatures/${m2!.id}`)).status, 200);
    for (const v of validators.slice(2))
      assert.equal((await fetch(`${v.url}/signatures/${m1!.id}`)).status, 404);
  });

  it("replaces a stuck delivery transaction with the same nonce and a higher fee", async () => {
    const [a, b] = pair.chains;
    await rpc(b.rpcUrl, "evm_setAutomine", [false]);
    try {
      const [m] = await sendMessages(a, b.domain, b.recipient, 1, { mine: 3 });
      const record = await waitFor(
        "a replacement",
        async () => {
          const r = await relayer.store.get(m!.id);
          return r && r.submitTxs.length >= 2 ? r : undefined;
        },
        20_000,
      );
      assert.equal(record.status, "SUBMITTED");
      assert.equal(await gatewayStatus(b, m!.message), 0);
      await rpc(b.rpcUrl, "evm_mine");
      const delivered = await waitFor("delivery", async () => {
        const r = await relayer.store.get(m!.id);
        return r?.status === "DELIVERED" ? r : undefined;
      });
      assert.ok(delivered.submitTxs.length >= 2);
      assert.ok(delivered.submitTxs.includes(delivered.deliverTx!));
      assert.notEqual(
        delivered.deliverTx,
        delivered.submitTxs[0],
        "the replacement, not the original, was mined",
      );
      const nonces = (await relayer.store.events(m!.id))
        .filter((e) => e.status === "SUBMITTED")
        .map((e) => e.detail);
      assert.equal(new Set(nonces).size, 1, `one nonce for all submissions: ${nonces.join(", ")}`);
      assert.ok(relayer.counter("concord_relayer_replacements_total", { destination: b.domain }) >= 1);
      assert.equal(await gatewayStatus(b, m!.message), 1);
    } finally {
      await rpc(b.rpcUrl, "evm_setAutomine", [true]);
    }
  });
});
