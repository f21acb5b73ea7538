// Regenerates test/fixtures/stateproof/gateway.json: real Merkle-Patricia proofs (eth_getProof) of the REAL
// ConcordGateway's message tree (count word + branch slots, the StateProofVerifier TREE source kind), taken
// from a local anvil chain, for test/isms/StateProofGateway.t.sol.
//
//   forge build   # out/ConcordGateway.sol and out/AccessManager.sol must exist
//   PATH=node_modules/.bin:$PATH tsx scripts/make-gateway-stateproof-fixture.ts
//
// Steps: read the AccessManager and ConcordGateway artifacts from out/ (forge, no metadata hash), start anvil
// on 127.0.0.1 (free port, chain id 434343, fixed timestamps so reruns are byte-identical), deploy an
// AccessManager and a gateway whose local domain is the chain id, dispatch 5 messages one per block, then
// fetch the last block's header (RLP-encoded here and checked against the block hash), eth_getProof of the
// `_core` slot (nonce at bits [160,192)) and of the branch slots of the count's set bits, and the message
// tree proofs (computed off-chain and checked against `root()` and against the root recomputed from the
// proven branches). Anvil is always stopped on exit.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  defineChain,
  http,
  keccak256,
  pad,
  toHex,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  encodeHeader,
  freePort,
  hashPair,
  startAnvil,
  stopAnvil,
  treeProof,
  type RpcBlock,
  type RpcProof,
} from "./lib/fixture-chain.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT_FILE = path.join(ROOT, "test/fixtures/stateproof/gateway.json");
const CHAIN_ID = 434_343;
const GENESIS_TIME = 1_760_000_000;
const DESTINATION = 1;
const DEFAULT_GAS_LIMIT = 200_000;
const MAX_BODY_SIZE = 10_000;
const MESSAGES = 5;
/** anvil's first default dev key (public test mnemonic). */
const DEV_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const DEPTH = 32;
/** The `_core` word packs the nonce (== leaf count) at bits [160,192), see ConcordGateway.sol. */
const NONCE_SHIFT = 160n;

// ------------------------------------------------------------------ artifacts and storage layout

interface ForgeArtifact {
  abi: Abi;
  bytecode: { object: Hex };
}

function artifact(name: string): ForgeArtifact {
  const file = path.join(ROOT, "out", `${name}.sol`, `${name}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ForgeArtifact;
  } catch {
    throw new Error(`${path.relative(ROOT, file)} missing: run \`forge build\` first`);
  }
}

interface StorageLayout {
  storage: { label: string; slot: string; offset: number }[];
}

/** Slots of `_core` and `_tree` from `forge inspect ConcordGateway storageLayout --json`. */
function gatewaySlots(): { coreSlot: bigint; treeSlot: bigint } {
  const inspect = spawnSyncJson(["inspect", "ConcordGateway", "storageLayout", "--json"]) as StorageLayout;
  const find = (label: string) => {
    const entry = inspect.storage.find((s) => s.label === label);
    if (!entry || entry.offset !== 0)
      throw new Error(`ConcordGateway storage layout: no ${label} at offset 0`);
    return BigInt(entry.slot);
  };
  return { coreSlot: find("_core"), treeSlot: find("_tree") };
}

function spawnSyncJson(args: string[]): unknown {
  const result = spawnSync("forge", args, { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`forge ${args.join(" ")} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as unknown;
}

// ------------------------------------------------------------------ anvil

async function main(): Promise<void> {
  const managerArtifact = artifact("AccessManager");
  const gatewayArtifact = artifact("ConcordGateway");
  const { coreSlot, treeSlot } = gatewaySlots();
  const port = await freePort();
  const anvil = await startAnvil(port, CHAIN_ID, GENESIS_TIME);
  try {
    const chain = defineChain({
      id: CHAIN_ID,
      name: "gateway-stateproof-fixture",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [`http://127.0.0.1:${port}`] } },
    });
    const transport = http(`http://127.0.0.1:${port}`);
    const publicClient = createPublicClient({ chain, transport });
    const account = privateKeyToAccount(DEV_KEY);
    const wallet = createWalletClient({ chain, transport, account });
    let time = GENESIS_TIME;
    const nextBlockTime = async () => {
      time += 12;
      await publicClient.request({
        method: "evm_setNextBlockTimestamp" as never,
        params: [toHex(time)] as never,
      });
    };

    const deploy = async (art: ForgeArtifact, args: unknown[]): Promise<Address> => {
      await nextBlockTime();
      const hash = await wallet.deployContract({ abi: art.abi, bytecode: art.bytecode.object, args });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success" || !receipt.contractAddress) throw new Error("deployment failed");
      return receipt.contractAddress;
    };
    const manager = await deploy(managerArtifact, [account.address]);
    // No default verifier: `_core` then holds only the nonce (bits [160,192)) in this fixture.
    const gateway = await deploy(gatewayArtifact, [
      CHAIN_ID,
      manager,
      zeroAddress,
      DEFAULT_GAS_LIMIT,
      BigInt(MAX_BODY_SIZE),
    ]);

    const messages: Hex[] = [];
    let blockNumber = 0n;
    for (let i = 0; i < MESSAGES; i++) {
      await nextBlockTime();
      const hash = await wallet.writeContract({
        address: gateway,
        abi: gatewayArtifact.abi,
        functionName: "dispatch",
        args: [DESTINATION, pad("0xbeef", { size: 32 }), toHex(`concord gateway state-proof message ${i}`)],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`dispatch ${i} failed`);
      const log = receipt.logs.find((l) => l.address.toLowerCase() === gateway.toLowerCase());
      if (!log) throw new Error("no Dispatched log");
      const event = decodeEventLog({ abi: gatewayArtifact.abi, data: log.data, topics: log.topics });
      if (event.eventName !== "Dispatched") throw new Error(`unexpected event ${event.eventName}`);
      const { messageId, message } = event.args as unknown as { messageId: Hex; message: Hex };
      if (keccak256(message) !== messageId) throw new Error("message id is not keccak256(message)");
      messages.push(message);
      blockNumber = receipt.blockNumber;
    }

    const read = <T>(functionName: string, args: unknown[] = []) =>
      publicClient.readContract({
        address: gateway,
        abi: gatewayArtifact.abi,
        functionName,
        args,
        blockNumber,
      }) as Promise<T>;
    const count = await read<number>("count");
    const onChainRoot = await read<Hex>("root");
    const [checkpointRoot, checkpointIndex] = await read<[Hex, number]>("latestCheckpoint");
    if (count !== MESSAGES) throw new Error(`count() ${count} != ${MESSAGES}`);
    if (checkpointRoot !== onChainRoot || checkpointIndex !== count - 1)
      throw new Error("latestCheckpoint mismatch");

    const ids = messages.map((m) => keccak256(m));
    const proofs = ids.map((_, i) => treeProof(ids, i));
    const root = proofs[0]!.root;
    if (root !== onChainRoot) throw new Error(`root() ${onChainRoot} != off-chain root ${root}`);

    const block = (await publicClient.request({
      method: "eth_getBlockByNumber",
      params: [toHex(blockNumber), false],
    })) as unknown as RpcBlock;
    const header = encodeHeader(block);

    // TREE-kind proofs: the count word and the branch slots of the count's set bits, ascending level.
    const countSlot = pad(toHex(coreSlot), { size: 32 });
    const levels = [...Array(DEPTH).keys()].filter((level) => (count >> level) & 1);
    const branchSlots = levels.map((level) => pad(toHex(treeSlot + BigInt(level)), { size: 32 }));
    const proof = (await publicClient.request({
      method: "eth_getProof",
      params: [gateway, [countSlot, ...branchSlots], toHex(blockNumber)],
    })) as RpcProof;
    const [countEntry, ...branchEntries] = proof.storageProof;
    const countWord = pad(countEntry!.value, { size: 32 });
    if (Number((BigInt(countWord) >> NONCE_SHIFT) & 0xffffffffn) !== count) {
      throw new Error(`count word ${countWord} does not hold the nonce at bit ${NONCE_SHIFT}`);
    }
    let recomputed: Hex = pad("0x00", { size: 32 });
    let zero: Hex = pad("0x00", { size: 32 });
    for (let level = 0, used = 0; level < DEPTH; level++) {
      if ((count >> level) & 1)
        recomputed = hashPair(pad(branchEntries[used++]!.value, { size: 32 }), recomputed);
      else recomputed = hashPair(recomputed, zero);
      zero = hashPair(zero, zero);
    }
    if (recomputed !== root) throw new Error(`root recomputed from branches ${recomputed} != ${root}`);

    const fixture = {
      description:
        "Generated by scripts/make-gateway-stateproof-fixture.ts from a local anvil chain running the real " +
        "ConcordGateway; do not edit by hand.",
      chainId: CHAIN_ID,
      gateway,
      accessManager: manager,
      blockNumber: Number(blockNumber),
      blockHash: block.hash,
      header,
      stateRoot: block.stateRoot,
      storageHash: proof.storageHash,
      root,
      count,
      countSlot,
      countWord,
      nonceShift: Number(NONCE_SHIFT),
      branchSlot: pad(toHex(treeSlot), { size: 32 }),
      accountProof: proof.accountProof,
      countProof: countEntry!.proof,
      branchLevels: levels,
      branchValues: branchEntries.map((entry) => pad(entry.value, { size: 32 })),
      branchProofs: branchEntries.map((entry) => entry.proof),
      messages,
      ids,
      proofs: proofs.map((p) => p.siblings),
    };
    mkdirSync(path.dirname(OUT_FILE), { recursive: true });
    writeFileSync(OUT_FILE, `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`wrote ${path.relative(ROOT, OUT_FILE)} (block ${blockNumber}, ${count} messages)`);
  } finally {
    await stopAnvil(anvil);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
