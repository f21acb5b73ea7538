// Shared by the state-proof fixture generators (scripts/make-*stateproof-fixture.ts): a local anvil chain,
// block-header RLP checked against the block hash, and index-ordered Merkle proofs over message ids
// (depth 32, Hyperlane/Concord hashing).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { concat, keccak256, pad, toHex, toRlp, type Hex } from "viem";

const DEPTH = 32;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts anvil on 127.0.0.1:`port` (Prague headers, fixed genesis time) and waits until it answers. */
export async function startAnvil(port: number, chainId: number, genesisTime: number): Promise<ChildProcess> {
  const anvil = spawn(
    "anvil",
    [
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--chain-id",
      String(chainId),
      "--hardfork",
      "prague",
      "--timestamp",
      String(genesisTime),
      "--silent",
    ],
    { stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return anvil;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  anvil.kill();
  throw new Error("anvil did not start");
}

/** Stops anvil and waits for it to exit, so no process outlives the script. */
export async function stopAnvil(anvil: ChildProcess): Promise<void> {
  if (anvil.exitCode !== null || anvil.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => anvil.once("exit", () => resolve()));
  anvil.kill("SIGTERM");
  await exited;
}

// ------------------------------------------------------------------ header RLP

export interface RpcBlock {
  hash: Hex;
  parentHash: Hex;
  sha3Uncles: Hex;
  miner: Hex;
  stateRoot: Hex;
  transactionsRoot: Hex;
  receiptsRoot: Hex;
  logsBloom: Hex;
  difficulty: Hex;
  number: Hex;
  gasLimit: Hex;
  gasUsed: Hex;
  timestamp: Hex;
  extraData: Hex;
  mixHash: Hex;
  nonce: Hex;
  baseFeePerGas?: Hex;
  withdrawalsRoot?: Hex;
  blobGasUsed?: Hex;
  excessBlobGas?: Hex;
  parentBeaconBlockRoot?: Hex;
  requestsHash?: Hex;
}

/** RLP scalar: big-endian without leading zeros, zero is the empty string. */
export function scalar(quantity: Hex): Hex {
  const n = BigInt(quantity);
  return n === 0n ? "0x" : toHex(n);
}

export function encodeHeader(block: RpcBlock): Hex {
  const fields: Hex[] = [
    block.parentHash,
    block.sha3Uncles,
    block.miner,
    block.stateRoot,
    block.transactionsRoot,
    block.receiptsRoot,
    block.logsBloom,
    scalar(block.difficulty),
    scalar(block.number),
    scalar(block.gasLimit),
    scalar(block.gasUsed),
    scalar(block.timestamp),
    block.extraData,
    block.mixHash,
    block.nonce,
  ];
  // Fork-dependent tail, in order; stops at the first absent field.
  const tail: [Hex | undefined, boolean][] = [
    [block.baseFeePerGas, true],
    [block.withdrawalsRoot, false],
    [block.blobGasUsed, true],
    [block.excessBlobGas, true],
    [block.parentBeaconBlockRoot, false],
    [block.requestsHash, false],
  ];
  for (const [value, isScalar] of tail) {
    if (value === undefined) break;
    fields.push(isScalar ? scalar(value) : value);
  }
  const rlp = toRlp(fields);
  if (keccak256(rlp) !== block.hash) throw new Error(`header RLP does not hash to ${block.hash}`);
  return rlp;
}

// ------------------------------------------------------------------ message tree

export function hashPair(left: Hex, right: Hex): Hex {
  return keccak256(concat([left, right]));
}

export function treeProof(leaves: Hex[], index: number): { root: Hex; siblings: Hex[] } {
  const siblings: Hex[] = [];
  let layer = leaves.slice();
  let zero: Hex = pad("0x00", { size: 32 });
  let i = index;
  for (let level = 0; level < DEPTH; level++) {
    siblings.push(layer[i ^ 1] ?? zero);
    const next: Hex[] = [];
    for (let j = 0; j < layer.length; j += 2) next.push(hashPair(layer[j]!, layer[j + 1] ?? zero));
    layer = next.length > 0 ? next : [hashPair(zero, zero)];
    zero = hashPair(zero, zero);
    i >>= 1;
  }
  return { root: layer[0]!, siblings };
}

// ------------------------------------------------------------------ main

export interface RpcProof {
  accountProof: Hex[];
  storageHash: Hex;
  storageProof: { key: Hex; value: Hex; proof: Hex[] }[];
}
