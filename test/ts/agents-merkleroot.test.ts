// Merkle-root checkpoints end to end on two anvils: validators sign (root of the origin tree, index) once per cut
// (aligned windows, flushed after quiet blocks), the relayer proves each message against its own copy of the origin
// tree, and the destination's MerkleRootMultisigVerifier accepts it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Hex, createPublicClient, http, parseAbi } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  type Relayer,
  type Validator,
  runRelayer,
  runValidator,
  silentLogger,
} from "../../sdk/agents/index.js";
import { DigestKind, merkleProof, merkleRootDigest, recoverSigner } from "../../sdk/src/metadata.js";
import { originTree } from "../../sdk/agents/relayer/checkpoints.js";
import {
  type LocalPair,
  deployLocalPair,
  gatewayStatus,
  sendMessages,
  waitFor,
  oneWayRelayerConfig,
} from "../helpers/agents.js";

const WINDOW = 4;
const FLUSH = 3;

describe("relayer: origin tree proofs", () => {
  it("match the SDK's merkleProof for every leaf (one build, many proofs)", () => {
    const leaves = Array.from({ length: 7 }, (_, i) => `0x${(i + 1).toString(16).padStart(64, "0")}` as Hex);
    const tree = originTree(leaves);
    for (let i = 0; i < leaves.length; i++) {
      const expected = merkleProof(leaves, i);
      assert.equal(tree.root, expected.root);
      assert.deepEqual(tree.proof(i), expected.proof);
    }
  });
});

describe("agents: merkle-root checkpoints end to end", () => {
  let pair: LocalPair;
  let dir: string;
  let relayer: Relayer;
  const validators: Validator[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "concord-merkleroot-"));
    pair = await deployLocalPair({ verifier: "merkleRoot", validators: 3, threshold: 2 });
    const [a] = pair.chains;
    for (let i = 0; i < 3; i++)
      validators.push(
        await runValidator({
          rpcUrl: a.rpcUrl,
          gateway: a.gateway,
          signer: pair.validatorKeys[i]!,
          confirmations: 1,
          storePath: join(dir, `v${i}.sqlite`),
          pollIntervalMs: 30,
          checkpoints: { messageIds: false, merkleRoots: true, windowSize: WINDOW, flushBlocks: FLUSH },
          logger: silentLogger,
        }),
      );
    relayer = await runRelayer(
      oneWayRelayerConfig(
        pair,
        validators.map((v) => v.url!),
        dir,
        1,
      ),
    );
  });

  after(async () => {
    await relayer?.stop();
    for (const v of validators) await v.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("signs one checkpoint per cut and delivers every message with a proof from the relayer's copy", async () => {
    const [a, b] = pair.chains;
    const sent = await sendMessages(a, b.domain, b.recipient, WINDOW + 2, { mine: FLUSH + 2 });
    for (const m of sent)
      await waitFor(
        `${m.id} delivered`,
        async () => (await relayer.store.get(m.id))?.status === "DELIVERED",
        30_000,
      );
    for (const m of sent) assert.equal(await gatewayStatus(b, m.message), 1, "executed");
    // Cuts at the window end (3) and, after the quiet blocks, at the last message (5): two checkpoints each.
    const originRoot = await createPublicClient({ transport: http(a.rpcUrl) }).readContract({
      address: a.gateway,
      abi: parseAbi(["function root() view returns (bytes32)"]),
      functionName: "root",
    });
    for (const [i, v] of validators.entries()) {
      assert.equal(v.store.counts().signed, 2, "two checkpoints, no per-message signature");
      const res = await fetch(`${v.url}/signatures`, {
        method: "POST",
        body: JSON.stringify({ messageIds: [sent[0]!.id, sent[5]!.id], kind: DigestKind.MERKLE_ROOT }),
      });
      const { signatures } = (await res.json()) as {
        signatures: { index: number; root: Hex; signature: Hex; digest: Hex }[];
      };
      assert.deepEqual(
        signatures.map((s) => s.index),
        [WINDOW - 1, WINDOW + 1],
      );
      assert.equal(
        signatures[1]!.root,
        originRoot,
        "the checkpoint at the last message is the gateway's root",
      );
      const digest = merkleRootDigest({
        origin: a.domain,
        originGateway: a.gateway,
        root: originRoot,
        index: WINDOW + 1,
      });
      assert.equal(signatures[1]!.digest, digest);
      assert.equal(
        await recoverSigner(digest, signatures[1]!.signature),
        privateKeyToAccount(pair.validatorKeys[i]!).address,
      );
    }
  });
});
