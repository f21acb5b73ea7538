// Range checkpoints end to end on two anvils: validators sign one root per range of consecutive final messages
// (aligned windows, flushed after `flushBlocks` quiet blocks), the relayer delivers a range in one batch transaction
// with the signatures on one message only; plus the validator store's no-conflict rule for ranges.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Hex,
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  decodeFunctionData,
  getAddress,
  http,
  keccak256,
  parseAbi,
  size,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  AgentConfigError,
  ConflictingCheckpointError,
  type Relayer,
  batchProcessorAbi,
  SignatureStore,
  Validator,
  gatewayAbi,
  runRelayer,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import { rpc } from "../../sdk/src/anvil.js";
import {
  DigestKind,
  RANGE_DIGEST_KIND,
  rangeDigest,
  rangeTree,
  recoverSigner,
} from "../../sdk/src/metadata.js";
import {
  ANVIL_KEYS,
  type LocalPair,
  deployLocalPair,
  executedIds,
  gatewayStatus,
  mine,
  sendMessages,
  waitFor,
  oneWayRelayerConfig,
} from "../helpers/agents.js";

const WINDOW = 8;
const FLUSH = 4;
const ids = (n: number, salt = "") => Array.from({ length: n }, (_, i) => keccak256(toHex(`m${salt}${i}`)));
const rangeAbi = parseAbi([
  "function rangeVerified(uint32 first, uint32 last, bytes32 rangeRoot) view returns (bool)",
  "event RangeVerified(uint32 indexed first, uint32 indexed last, bytes32 indexed rangeRoot, bytes32 digest)",
]);
const mockRecipientAbi = parseAbi(["function setMode(uint8 mode)"]);

describe("validator store: range no-conflict rule", () => {
  const gateway = getAddress("0x00000000000000000000000000000000000000aa");
  const validator = getAddress("0x00000000000000000000000000000000000000bb");
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "concord-range-store-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const entry = (first: number, leaves: Hex[], root?: Hex) => ({
    first,
    last: first + leaves.length - 1,
    root: root ?? rangeTree(leaves).root,
    digest: keccak256(toHex(`d${first}`)),
    signature: `0x${"11".repeat(65)}` as Hex,
  });

  it("signs one root per (first, last), never overlapping ranges, only roots over its recorded messages", () => {
    const store = new SignatureStore(join(dir, "v.sqlite"), { validator, gateway, origin: 1 });
    const leaves = ids(8);
    assert.deepEqual(store.recordLeaves(leaves.map((id, index) => ({ index, id, blockNumber: 1n }))), []);
    assert.equal(store.recordCut(3, entry(0, leaves.slice(0, 4))), true);
    assert.equal(
      store.recordCut(3, entry(0, leaves.slice(0, 4))),
      true,
      "the same range again is idempotent",
    );
    // Another root for 0..3, an overlapping range (2..5) even over the right leaves, a root not over the
    // recorded messages, and a range with an unrecorded message: all refused.
    const other = ids(4, "x");
    for (const [range, why] of [
      [entry(0, other), /already signed/],
      [entry(2, leaves.slice(2, 6)), /overlaps/],
      [entry(0, leaves.slice(0, 3)), /already signed/],
      [entry(4, leaves.slice(4, 8), other[0]), /not the tree/],
      [entry(6, [...leaves.slice(6, 8), other[1]!]), /not every message/],
    ] as const) {
      const result = store.recordCut(range.last, range);
      assert.ok(result instanceof ConflictingCheckpointError, `refused ${range.first}..${range.last}`);
      assert.match(result.details ?? result.message, why);
    }
    assert.equal(store.rangeAt(5), undefined, "nothing recorded by a refused cut");
    assert.equal(store.lastCut(), 3, "a refused cut does not move the cut");
    assert.equal(store.recordCut(7, entry(4, leaves.slice(4, 8))), true);
    assert.equal(store.rangeAt(6)!.first, 4);
    // Leaves are write-once: another id at a recorded nonce is refused (and a range is computed from them only).
    assert.deepEqual(store.recordLeaves([{ index: 2, id: other[0]!, blockNumber: 2n }]), [2]);
    // Merkle-root checkpoints keep one root per index.
    const cp = {
      kind: DigestKind.MERKLE_ROOT,
      index: 9,
      commitment: other[2]!,
      digest: other[2]!,
      signature: `0x${"22".repeat(65)}` as Hex,
      blockNumber: 1n,
    };
    assert.equal(store.recordCut(9, undefined, cp), true);
    assert.ok(
      store.recordCut(9, undefined, { ...cp, commitment: other[3]! }) instanceof ConflictingCheckpointError,
    );
    assert.equal(store.checkpointFrom(8)!.commitment, other[2]!.toLowerCase());
    assert.equal(store.rangeCount(), 2);
    assert.equal(store.counts().conflicts, 7);
    store.close();
  });
});

describe("validator config: checkpoints", () => {
  it("names the bad key", () => {
    const base = {
      rpcUrl: "http://127.0.0.1:1",
      gateway: getAddress("0x00000000000000000000000000000000000000aa"),
      signer: ANVIL_KEYS[0]!,
      confirmations: 0,
      storePath: ":memory:",
      http: false as const,
      logger: silentLogger,
    };
    for (const [checkpoints, key] of [
      [{ ranges: true, windowSize: 0 }, "checkpoints.windowSize"],
      [{ ranges: true, windowSize: 1025 }, "checkpoints.windowSize"],
      [{ ranges: true, flushBlocks: -1 }, "checkpoints.flushBlocks"],
      [{ messageIds: false }, "checkpoints"],
    ] as const)
      assert.throws(
        () => new Validator({ ...base, checkpoints }, 1),
        (e: AgentConfigError) => e instanceof AgentConfigError && e.key === key,
      );
  });
});

describe("agents: range checkpoints end to end", () => {
  let pair: LocalPair;
  let dir: string;
  let relayer: Relayer;
  const validators: Validator[] = [];
  const startValidator = (i: number) =>
    runValidator({
      rpcUrl: pair.chains[0].rpcUrl,
      gateway: pair.chains[0].gateway,
      signer: pair.validatorKeys[i]!,
      confirmations: 2,
      storePath: join(dir, `v${i}.sqlite`),
      pollIntervalMs: 30,
      checkpoints: { messageIds: false, ranges: true, windowSize: WINDOW, flushBlocks: FLUSH },
      logger: silentLogger,
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-range-"));
    pair = await deployLocalPair({ verifier: "range", validators: 3, threshold: 2 });
    for (let i = 0; i < 3; i++) validators.push(await startValidator(i));
    relayer = await runRelayer(
      oneWayRelayerConfig(
        pair,
        validators.map((v) => v.url!),
        dir,
        2,
        { maxBatchSize: 100 },
      ),
    );
  });

  after(async () => {
    await relayer?.stop();
    for (const v of validators) await v.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const delivered = (id: Hex) =>
    waitFor(
      `${id} delivered`,
      async () => {
        const r = await relayer.store.get(id);
        return r?.status === "DELIVERED" ? r : undefined;
      },
      30_000,
    );

  /** The range validator `v` serves for message `id` (kind 3), if any. */
  const rangeOf = async (v: Validator, id: Hex) => {
    const res = await fetch(`${v.url}/signatures`, {
      method: "POST",
      body: JSON.stringify({ messageIds: [id], kind: RANGE_DIGEST_KIND }),
    });
    return (
      (await res.json()) as {
        signatures: { first: number; last: number; root: Hex; signature: Hex; digest: Hex }[];
      }
    ).signatures[0];
  };

  it("delivers a full window in ONE transaction: one range signature per validator, the quorum recorded once", async () => {
    const [a, b] = pair.chains;
    const sent = await sendMessages(a, b.domain, b.recipient, WINDOW, { mine: 2 });
    const records = await Promise.all(sent.map((m) => delivered(m.id)));
    const txs = new Set(records.map((r) => r.deliverTx));
    assert.equal(txs.size, 1, "every message of the range in one transaction");
    const client = createPublicClient({ transport: http(b.rpcUrl) });
    const receipt = await client.getTransactionReceipt({ hash: records[0]!.deliverTx! });
    const executed = receipt.logs.filter((l) => {
      try {
        return decodeEventLog({ abi: gatewayAbi, data: l.data, topics: l.topics }).eventName === "Executed";
      } catch {
        return false;
      }
    });
    assert.equal(executed.length, WINDOW, "the transaction executed all of them");
    const recordedEvents = receipt.logs.filter((l) => {
      try {
        return (
          decodeEventLog({ abi: rangeAbi, data: l.data, topics: l.topics }).eventName === "RangeVerified"
        );
      } catch {
        return false;
      }
    });
    assert.equal(
      recordedEvents.length,
      1,
      "the range is recorded once, by the one message that carries signatures",
    );
    // Exactly one item of the batch carries the signatures; the others carry their 3-sibling proof alone.
    const tx = await client.getTransaction({ hash: records[0]!.deliverTx! });
    const { args } = decodeFunctionData({ abi: batchProcessorAbi, data: tx.input });
    const lengths = (args![1] as readonly Hex[]).map((m) => size(m));
    assert.equal(lengths.length, WINDOW);
    assert.deepEqual(
      lengths.filter((l) => l !== 8 + 32 * 3),
      [8 + 32 * 3 + 65 * pair.threshold],
    );
    // Every validator signed the same aligned range 0..7 over the ids, exactly once.
    const root = rangeTree(sent.map((m) => m.id)).root;
    for (const [i, v] of validators.entries()) {
      const s = await rangeOf(v, sent[3]!.id);
      assert.deepEqual([s!.first, s!.last, s!.root], [0, WINDOW - 1, root]);
      const digest = rangeDigest({
        origin: a.domain,
        originGateway: a.gateway,
        rangeRoot: root,
        first: 0,
        last: WINDOW - 1,
      });
      assert.equal(s!.digest, digest);
      assert.equal(
        await recoverSigner(digest, s!.signature),
        privateKeyToAccount(pair.validatorKeys[i]!).address,
      );
      assert.equal(v.store.rangeCount(), 1);
      assert.equal(v.store.counts().signed, 0, "no per-message signature");
    }
    const perMessage = Number(receipt.gasUsed) / WINDOW;
    console.log(
      `range of ${WINDOW}: ${receipt.gasUsed} gas in one transaction, ${perMessage.toFixed(0)} per message`,
    );
  });

  it("flushes a partial window after quiet blocks; the rest of the window becomes the next range, never overlapping", async () => {
    const [a, b] = pair.chains;
    const first = await sendMessages(a, b.domain, b.recipient, 3, { mine: FLUSH + 2 });
    const r1 = await Promise.all(first.map((m) => delivered(m.id)));
    assert.equal(new Set(r1.map((r) => r.deliverTx)).size, 1);
    const s1 = await rangeOf(validators[0]!, first[0]!.id);
    assert.deepEqual([s1!.first, s1!.last], [WINDOW, WINDOW + 2]);
    const second = await sendMessages(a, b.domain, b.recipient, 2, { mine: FLUSH + 2 });
    await Promise.all(second.map((m) => delivered(m.id)));
    for (const v of validators) {
      const s2 = await rangeOf(v, second[1]!.id);
      assert.deepEqual([s2!.first, s2!.last], [WINDOW + 3, WINDOW + 4], "continues after the flushed range");
      assert.deepEqual(
        [(await rangeOf(v, first[2]!.id))!.last, v.store.counts().conflicts],
        [WINDOW + 2, 0],
        "the flushed range stays as signed",
      );
    }
  });

  it("a range holding a message to a destination this relayer does not serve: the others are delivered", async () => {
    const [a, b] = pair.chains;
    const before = await sendMessages(a, b.domain, b.recipient, 1);
    const [elsewhere] = await sendMessages(a, 31_999, b.recipient, 1);
    const afterIt = await sendMessages(a, b.domain, b.recipient, 1, { mine: FLUSH + 2 });
    for (const m of [...before, ...afterIt]) assert.equal((await delivered(m.id)).outcome, "EXECUTED");
    const parked = (await relayer.store.get(elsewhere!.id))!;
    assert.equal(parked.status, "UNDELIVERABLE");
    const s = await rangeOf(validators[0]!, elsewhere!.id);
    assert.ok(s!.first <= (await relayer.store.get(before[0]!.id))!.nonce && s!.last >= parked.nonce + 1);
  });

  it("a recipient that reverts: delivered FAILED with its range, then retried to EXECUTED", async () => {
    const [a, b] = pair.chains;
    const owner = createWalletClient({
      account: privateKeyToAccount(b.deployerKey),
      transport: http(b.rpcUrl),
    });
    const chain = {
      id: b.domain,
      name: "b",
      nativeCurrency: { name: "E", symbol: "E", decimals: 18 },
      rpcUrls: { default: { http: [b.rpcUrl] } },
    };
    const setMode = (mode: number) =>
      owner.writeContract({
        chain,
        address: b.recipient,
        abi: mockRecipientAbi,
        functionName: "setMode",
        args: [mode],
      });
    await setMode(1);
    let m: { id: Hex; message: Hex };
    try {
      m = (await sendMessages(a, b.domain, b.recipient, 1, { mine: FLUSH + 2 }))[0]!;
      const record = await delivered(m.id);
      assert.equal(record.outcome, "FAILED");
      assert.equal(await gatewayStatus(b, m.message), 2);
    } finally {
      await setMode(0);
    }
    const hash = await owner.writeContract({
      chain,
      address: b.gateway,
      abi: gatewayAbi,
      functionName: "retry",
      args: [m.message, 300_000],
    });
    await createPublicClient({ transport: http(b.rpcUrl) }).waitForTransactionReceipt({ hash });
    assert.equal(await gatewayStatus(b, m.message), 1);
  });

  it("a restarted validator keeps its ranges and signs the next ones like the others", async () => {
    const [a, b] = pair.chains;
    const probe = (await relayer.store.idsByNonce(a.domain, 0, 0))[0]!.id;
    const before = await rangeOf(validators[0]!, probe);
    const ranges = validators[0]!.store.rangeCount();
    await validators[0]!.stop();
    validators[0] = await startValidator(0);
    const after = await rangeOf(validators[0]!, probe);
    assert.deepEqual(after, before, "same range, same signature");
    const sent = await sendMessages(a, b.domain, b.recipient, 2, { mine: FLUSH + 2 });
    await Promise.all(sent.map((m) => delivered(m.id)));
    await waitFor(
      "V0 signed the next range",
      async () => (await rangeOf(validators[0]!, sent[1]!.id)) !== undefined,
    );
    const mine0 = await rangeOf(validators[0]!, sent[1]!.id);
    const mine1 = await rangeOf(validators[1]!, sent[1]!.id);
    assert.equal(mine0!.digest, mine1!.digest, "the restarted validator cuts where the others cut");
    assert.equal(validators[0]!.store.rangeCount(), ranges + 1);
    assert.equal(validators[0]!.store.counts().conflicts, 0);
  });

  it("POST /signatures refuses an unknown kind; a message id outside any signed range gets no range", async () => {
    const v = validators[1]!;
    const bad = await fetch(`${v.url}/signatures`, {
      method: "POST",
      body: JSON.stringify({ messageIds: [keccak256("0x01")], kind: 7 }),
    });
    assert.equal(bad.status, 400);
    assert.equal(await rangeOf(v, keccak256("0x01")), undefined);
  });

  it("an origin reorg orphans unsigned messages of an open range: none is delivered, the replacement is", async () => {
    const [a, b] = pair.chains;
    const snapshot = await rpc<Hex>(a.rpcUrl, "evm_snapshot");
    const orphans = await sendMessages(a, b.domain, b.recipient, 2, { payload: (i) => toHex(`orphan ${i}`) });
    await waitFor(
      "relayer saw the orphans",
      async () => (await relayer.store.get(orphans[1]!.id))?.status === "SEEN",
    );
    assert.equal(await rpc(a.rpcUrl, "evm_revert", [snapshot]), true);
    await mine(a, 1);
    const [replacement] = await sendMessages(a, b.domain, b.recipient, 1, {
      payload: () => toHex("replacement"),
    });
    // Let the relayer see the replacement before mining on: this test is about the range path, not the indexer.
    await waitFor(
      "relayer saw the replacement",
      async () => (await relayer.store.get(replacement!.id)) !== undefined,
    );
    await mine(a, FLUSH + 2);
    const record = await delivered(replacement!.id).catch(async (e) => {
      const r = await relayer.store.get(replacement!.id);
      const sigs = await Promise.all(validators.map((v) => rangeOf(v, replacement!.id)));
      throw new Error(`${(e as Error).message}: ${r?.status} ${r?.error} ${JSON.stringify(sigs)}`);
    });
    assert.equal(record.outcome, "EXECUTED");
    const s = await rangeOf(validators[1]!, replacement!.id);
    assert.equal(s!.first, s!.last, "a range of the replacement alone");
    await waitFor("orphans marked", async () =>
      (await Promise.all(orphans.map(async (o) => (await relayer.store.get(o.id))?.status))).every(
        (st) => st === "ORPHANED",
      ),
    );
    const executed = await executedIds(b);
    for (const o of orphans) {
      assert.equal(executed.get(o.id), undefined, "an orphaned message is never delivered");
      assert.equal((await relayer.store.get(o.id))!.submitTxs.length, 0);
      for (const v of validators) assert.equal(await rangeOf(v, o.id), undefined, "nor signed");
    }
  });
});
