/**
 * The SDK's one signatures-to-metadata path (sdk/src/signatures.ts), used by the relayer agent and `concord relay`:
 * the validators' batch endpoint client, the quorum rules the destination verifier enforces, and the per-family
 * metadata builder. Adversarial answers (another index, a non-member, a forged or malformed signature, duplicates,
 * a validator down or answering garbage) never make it into metadata.
 */
import assert from "node:assert/strict";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type Address, type Hex, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  MAX_SIGNATURE_BATCH,
  MetadataError,
  ModuleType,
  fetchValidatorSignatures,
  isRelayable,
  messageIdMetadata,
  relayDigest,
  relayMetadata,
  selectQuorum,
  signDigest,
} from "../../sdk/src/index.js";

const KEYS: Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];
const accounts = KEYS.map((k) => privateKeyToAccount(k));
const GATEWAY: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const ID: Hex = keccak256(toHex("message"));
const NONCE = 4;
const digest = relayDigest({ origin: 31337, originGateway: GATEWAY, messageId: ID, nonce: NONCE });

async function served(
  i: number,
  overrides: Partial<{ index: number; signature: Hex; validator: string }> = {},
) {
  const { signature } = await signDigest(accounts[i]!, digest);
  return { validator: accounts[i]!.address, signature, index: NONCE, ...overrides } as {
    validator: Address;
    signature: Hex;
    index: number;
  };
}

describe("sdk/signatures: selectQuorum", () => {
  it("keeps threshold valid signatures from the set and names every rejected one", async () => {
    const set = accounts.slice(0, 3).map((a) => a.address);
    const forged = await served(1);
    const other = await signDigest(accounts[2]!, keccak256(toHex("another digest")));
    const candidates = [
      await served(3), // not in the set
      await served(0, { index: NONCE + 1 }), // another index
      { ...forged, signature: other.signature }, // recovers to someone else
      await served(0, { signature: "0x1234" }), // malformed
      await served(0, { validator: "not an address" }),
      await served(0),
      await served(0), // duplicate
      await served(2),
      await served(1), // beyond the threshold: not even looked at
    ];
    const q = await selectQuorum({ digest, nonce: NONCE, validators: set, threshold: 2, candidates });
    assert.equal(q.complete, true);
    assert.deepEqual(
      q.signatures.map((s) => s.signer),
      [accounts[0]!.address, accounts[2]!.address],
    );
    assert.deepEqual(
      q.rejected.map((r) => r.reason),
      ["not-in-set", "wrong-index", "bad-signature", "malformed", "malformed", "duplicate"],
    );
    const metadata = relayMetadata({
      moduleType: ModuleType.CONCORD_MESSAGE_ID_MULTISIG,
      signatures: q.signatures,
    });
    assert.equal(metadata, messageIdMetadata({ signatures: q.signatures }));
  });

  it("without recovery (a relayer's first attempt) keeps a forged signature that the chain will refuse", async () => {
    const other = await signDigest(accounts[2]!, keccak256(toHex("another digest")));
    const candidates = [{ ...(await served(1)), signature: other.signature }];
    const validators = [accounts[1]!.address];
    const trusting = await selectQuorum({
      digest,
      nonce: NONCE,
      validators,
      threshold: 1,
      candidates,
      recover: false,
    });
    assert.equal(trusting.complete, true);
    const checking = await selectQuorum({ digest, nonce: NONCE, validators, threshold: 1, candidates });
    assert.equal(checking.complete, false);
    assert.deepEqual(checking.rejected, [{ validator: accounts[1]!.address, reason: "bad-signature" }]);
  });

  it("is never complete below the threshold or with a zero threshold", async () => {
    const set = accounts.map((a) => a.address);
    const one = await selectQuorum({
      digest,
      nonce: NONCE,
      validators: set,
      threshold: 2,
      candidates: [await served(0)],
    });
    assert.equal(one.complete, false);
    const zero = await selectQuorum({
      digest,
      nonce: NONCE,
      validators: set,
      threshold: 0,
      candidates: [await served(0)],
    });
    assert.equal(zero.complete, false);
    assert.deepEqual(zero.signatures, []);
  });
});

describe("sdk/signatures: relayMetadata", () => {
  it("builds message-id multisig metadata and refuses every family validators cannot serve", async () => {
    assert.equal(isRelayable(ModuleType.CONCORD_MESSAGE_ID_MULTISIG), true);
    for (const type of [
      ModuleType.CONCORD_MERKLE_ROOT_MULTISIG,
      ModuleType.AGGREGATION,
      ModuleType.ROUTING,
      0,
      99,
    ]) {
      assert.equal(isRelayable(type), false);
      assert.throws(
        () =>
          relayMetadata({
            moduleType: type,
            signatures: [{ signer: accounts[0]!.address, signature: "0x" }],
          }),
        (e: unknown) =>
          e instanceof MetadataError && e.shortMessage === `no relay metadata for module type ${type}`,
      );
    }
    assert.throws(
      () => relayMetadata({ moduleType: ModuleType.CONCORD_MESSAGE_ID_MULTISIG, signatures: [] }),
      MetadataError,
    );
  });
});

describe("sdk/signatures: fetchValidatorSignatures", () => {
  let good: Server;
  let broken: Server;
  let garbage: Server;
  const requests: number[] = [];
  const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const listen = (s: Server) => new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));

  before(async () => {
    const signature = (await served(0)).signature;
    good = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        assert.equal(`${req.method} ${req.url}`, "POST /signatures");
        const ids = (JSON.parse(body) as { messageIds: Hex[] }).messageIds;
        requests.push(ids.length);
        const signatures = ids
          .filter((id) => id === ID)
          .map((id) => ({
            validator: accounts[0]!.address,
            signature,
            index: NONCE,
            messageId: `0x${id.slice(2).toUpperCase()}`,
          }));
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ signatures }));
      });
    });
    broken = createServer((_req, res) => {
      res.statusCode = 500;
      res.end("{}");
    });
    garbage = createServer((_req, res) => res.end("not json"));
    await Promise.all([listen(good), listen(broken), listen(garbage)]);
  });

  after(() => {
    for (const s of [good, broken, garbage]) s.close();
  });

  it("merges answers by message id, reports each failing validator, splits long batches", async () => {
    const ids = [ID, ...Array.from({ length: MAX_SIGNATURE_BATCH + 5 }, (_, i) => keccak256(toHex(i)))];
    const out = await fetchValidatorSignatures({
      urls: [url(good), `${url(broken)}/`, url(garbage), "http://127.0.0.1:1"],
      messageIds: ids,
      timeoutMs: 2000,
    });
    assert.deepEqual(requests, [MAX_SIGNATURE_BATCH, 6]);
    assert.deepEqual([...out.signatures.keys()], [ID.toLowerCase()]);
    assert.equal(out.signatures.get(ID.toLowerCase() as Hex)?.[0]?.validator, accounts[0]!.address);
    assert.deepEqual(
      out.failures.map((f) => [f.url, f.details?.split(":")[0]]),
      [
        [`${url(broken)}/`, "HTTP 500"],
        [url(garbage), "the body is not JSON"],
        ["http://127.0.0.1:1", "fetch failed"],
      ],
    );
  });

  it("asks nothing when there are no validators or no ids", async () => {
    const before = requests.length;
    assert.equal((await fetchValidatorSignatures({ urls: [], messageIds: [ID] })).signatures.size, 0);
    assert.equal((await fetchValidatorSignatures({ urls: [url(good)], messageIds: [] })).signatures.size, 0);
    assert.equal(requests.length, before);
  });
});
