/**
 * Message codec (sdk/src/codec.ts), pinned by the shared vectors in test/vectors/messages.json, which
 * test/libraries/Message/Message.t.sol checks against `Message.sol` and a live `ConcordGateway`.
 *
 * Regenerate the vectors (deterministic):
 *   CONCORD_WRITE_VECTORS=1 hardhat test nodejs test/ts/codec.test.ts
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { type Address, type Hex, getAddress, keccak256, toHex } from "viem";
import {
  CodecError,
  MESSAGE_VERSION,
  addressToBytes32,
  bytes32ToAddress,
  decodeBody,
  decodeConcordMessage,
  decodeMessage,
  encodeBody,
  encodeConcordMessage,
  encodeMessage,
  formatEvmV1,
  messageId,
  parseEvmV1,
  recipientSender,
} from "../../sdk/src/codec.js";

const VECTORS_PATH = "test/vectors/messages.json";

type Vector = {
  name: string;
  version: number;
  nonce: number;
  origin: number;
  sender: Hex;
  destination: number;
  recipient: Hex;
  gasLimit: number;
  payload: Hex;
  body: Hex;
  message: Hex;
  id: Hex;
  interoperableSender: Hex;
};

const addr = (seed: string): Address => getAddress(keccak256(toHex(seed)).slice(0, 42));
const bytesOf = (n: number, seed: string): Hex => {
  let out = "0x";
  for (let i = 0; out.length < 2 + 2 * n; i++) out += keccak256(toHex(`${seed}:${i}`)).slice(2);
  return out.slice(0, 2 + 2 * n) as Hex;
};

function makeVector(
  name: string,
  f: { nonce: number; origin: number; destination: number; gasLimit: number; payload: Hex; seed: string },
): Vector {
  const sender = addr(`sender:${f.seed}`);
  const recipient = addr(`recipient:${f.seed}`);
  const message = encodeConcordMessage({ ...f, sender, recipient });
  return {
    name,
    version: MESSAGE_VERSION,
    nonce: f.nonce,
    origin: f.origin,
    sender: addressToBytes32(sender),
    destination: f.destination,
    recipient: addressToBytes32(recipient),
    gasLimit: f.gasLimit,
    payload: f.payload,
    body: encodeBody(f.gasLimit, f.payload),
    message,
    id: messageId(message),
    interoperableSender: formatEvmV1(f.origin, sender),
  };
}

function generate(): Vector[] {
  return [
    makeVector("empty payload, 1-byte chain ids", {
      nonce: 0,
      origin: 1,
      destination: 10,
      gasLimit: 200_000,
      payload: "0x",
      seed: "a",
    }),
    makeVector("32-byte payload, 2- and 3-byte chain ids", {
      nonce: 1,
      origin: 8453,
      destination: 42161,
      gasLimit: 200_000,
      payload: bytesOf(32, "b"),
      seed: "b",
    }),
    makeVector("sepolia origin", {
      nonce: 255,
      origin: 11_155_111,
      destination: 1,
      gasLimit: 1,
      payload: bytesOf(5, "c"),
      seed: "c",
    }),
    makeVector("chain id boundary 255", {
      nonce: 256,
      origin: 255,
      destination: 256,
      gasLimit: 65_536,
      payload: bytesOf(1, "d"),
      seed: "d",
    }),
    makeVector("chain id boundary 65535/65536", {
      nonce: 65_535,
      origin: 65_535,
      destination: 65_536,
      gasLimit: 3_000_000,
      payload: bytesOf(31, "e"),
      seed: "e",
    }),
    makeVector("chain id boundary 2^24", {
      nonce: 16_777_216,
      origin: 16_777_216,
      destination: 16_777_215,
      gasLimit: 500_000,
      payload: bytesOf(33, "f"),
      seed: "f",
    }),
    makeVector("max uint32 fields", {
      nonce: 0xffff_ffff,
      origin: 0xffff_ffff,
      destination: 0xffff_fffe,
      gasLimit: 0xffff_ffff,
      payload: bytesOf(100, "g"),
      seed: "g",
    }),
  ];
}

function loadVectors(): Vector[] {
  return (JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as { vectors: Vector[] }).vectors;
}

describe("codec", () => {
  if (process.env.CONCORD_WRITE_VECTORS === "1") {
    it("writes test/vectors/messages.json", () => {
      writeFileSync(VECTORS_PATH, `${JSON.stringify({ vectors: generate() }, null, 2)}\n`);
    });
  }

  it("the committed vectors are what the generator produces", () => {
    assert.deepEqual(loadVectors(), generate());
  });

  for (const v of loadVectors()) {
    it(`vector: ${v.name}`, () => {
      const encoded = encodeMessage({
        version: v.version,
        nonce: v.nonce,
        origin: v.origin,
        sender: v.sender,
        destination: v.destination,
        recipient: v.recipient,
        body: v.body,
      });
      assert.equal(encoded, v.message);
      assert.equal(messageId(encoded), v.id);
      const decoded = decodeConcordMessage(v.message);
      assert.deepEqual(decoded, {
        version: v.version,
        nonce: v.nonce,
        origin: v.origin,
        sender: v.sender,
        destination: v.destination,
        recipient: v.recipient,
        body: v.body,
        gasLimit: v.gasLimit,
        payload: v.payload,
      });
      assert.equal(recipientSender(v.message), v.interoperableSender);
      const parsed = parseEvmV1(v.interoperableSender);
      assert.equal(parsed.chainId, BigInt(v.origin));
      assert.equal(parsed.address, bytes32ToAddress(v.sender));
    });
  }

  it("round-trips header fields", () => {
    const m = {
      version: 3,
      nonce: 7,
      origin: 1,
      sender: addressToBytes32(addr("x")),
      destination: 2,
      recipient: addressToBytes32(addr("y")),
      body: "0x0000000a" as Hex,
    };
    assert.deepEqual(decodeMessage(encodeMessage(m)), m);
    assert.deepEqual(decodeBody("0x0000000a"), { gasLimit: 10, payload: "0x" });
  });

  it("formatEvmV1 matches OpenZeppelin's layout", () => {
    const a = addr("z");
    assert.equal(formatEvmV1(1, a), `0x000100000101${"14"}${a.slice(2).toLowerCase()}`);
    assert.equal(formatEvmV1(0, a).slice(0, 14), "0x000100000100");
    assert.equal(formatEvmV1(256, a).slice(0, 16), "0x00010000020100");
  });

  it("rejects malformed input with errors naming the field", () => {
    assert.throws(() => decodeMessage("0x00"), CodecError);
    assert.throws(() => decodeBody("0x000000"), /Body too short/);
    assert.throws(() => encodeBody(2 ** 32, "0x"), /gasLimit/);
    assert.throws(
      () =>
        encodeMessage({
          version: 3,
          nonce: -1,
          origin: 1,
          sender: addressToBytes32(addr("s")),
          destination: 1,
          recipient: addressToBytes32(addr("r")),
          body: "0x",
        }),
      /nonce/,
    );
    assert.throws(() => bytes32ToAddress(`0x${"ff".repeat(32)}`), /Not a left-padded EVM address/);
    assert.throws(() => parseEvmV1("0x0001000001"), CodecError);
  });
});
