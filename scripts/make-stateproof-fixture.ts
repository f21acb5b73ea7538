// Regenerates test/fixtures/stateproof/*.json: real Merkle-Patricia proofs (eth_getProof) of an origin
// gateway's message-tree root, taken from a local anvil chain, for the StateProofVerifier unit tests.
//
//   PATH=node_modules/.bin:$PATH tsx scripts/make-stateproof-fixture.ts
//
// Steps: compile contracts/mocks/MockStateProofSource.sol with solcjs (no forge needed), start anvil on
// 127.0.0.1 (free port, chain id 424242, fixed timestamps so reruns are byte-identical), deploy two
// sources, dispatch messages one per block, then for two checkpoints fetch the block header (RLP-encoded
// here and checked against the block hash), eth_getProof of the root slot, and the message tree proofs
// (computed off-chain and checked against the on-chain root). Anvil is always stopped on exit.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  keccak256,
  pad,
  toHex,
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

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = path.join(ROOT, "test/fixtures/stateproof");
const CHAIN_ID = 424_242;
const GENESIS_TIME = 1_750_000_000;
const DESTINATION = 1;
/** anvil's first default dev key (public test mnemonic). */
const DEV_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ROOT_SLOT: Hex = pad("0x00", { size: 32 });
const EMPTY_SLOT: Hex = pad("0xdead", { size: 32 });
/** MockStateProofSource layout: `count` at slot 1, `MerkleTree.Tree` branch[level] at slot 2 + level. */
const COUNT_SLOT: Hex = pad("0x01", { size: 32 });
const BRANCH_SLOT = 2n;
const DEPTH = 32;

// ------------------------------------------------------------------ compile

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

function compileSource(): { abi: unknown[]; bytecode: Hex } {
  const solc = require("solc") as { compile(input: string, opts: object): string };
  const unit = "contracts/mocks/MockStateProofSource.sol";
  const input = {
    language: "Solidity",
    sources: { [unit]: { content: readFileSync(path.join(ROOT, unit), "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "prague",
      // No metadata hash: comment-only edits of the mock must not change the fixtures.
      metadata: { bytecodeHash: "none", appendCBOR: false },
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const findImports = (p: string) => {
    try {
      return { contents: readFileSync(path.join(ROOT, p), "utf8") };
    } catch {
      return { error: `not found: ${p}` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const contract = output.contracts[unit]?.["MockStateProofSource"];
  if (!contract) throw new Error("MockStateProofSource missing from solc output");
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

// ------------------------------------------------------------------ anvil

async function main(): Promise<void> {
  const { abi, bytecode } = compileSource();
  const port = await freePort();
  const anvil = await startAnvil(port, CHAIN_ID, GENESIS_TIME);
  try {
    const chain = defineChain({
      id: CHAIN_ID,
      name: "stateproof-fixture",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [`http://127.0.0.1:${port}`] } },
    });
    const transport = http(`http://127.0.0.1:${port}`);
    const publicClient = createPublicClient({ chain, transport });
    const wallet = createWalletClient({ chain, transport, account: privateKeyToAccount(DEV_KEY) });
    let time = GENESIS_TIME;
    const nextBlockTime = async () => {
      time += 12;
      await publicClient.request({
        method: "evm_setNextBlockTimestamp" as never,
        params: [toHex(time)] as never,
      });
    };

    const deploy = async (): Promise<Address> => {
      await nextBlockTime();
      const hash = await wallet.deployContract({ abi, bytecode });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (!receipt.contractAddress) throw new Error("deployment failed");
      return receipt.contractAddress;
    };
    const source = await deploy();
    const other = await deploy();

    const messages: Hex[] = [];
    const blocks: bigint[] = [];
    const dispatch = async (target: Address, body: Hex): Promise<{ message: Hex; block: bigint }> => {
      await nextBlockTime();
      const hash = await wallet.writeContract({
        address: target,
        abi,
        functionName: "dispatch",
        args: [DESTINATION, pad("0xbeef", { size: 32 }), body],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      const log = receipt.logs.find((l) => l.address.toLowerCase() === target.toLowerCase());
      if (!log) throw new Error("no Dispatched log");
      // Dispatched(bytes32 indexed id, uint256 indexed index, bytes32 root, bytes message): data = root | offset | len | bytes
      const data = log.data.slice(2);
      const length = Number(BigInt(`0x${data.slice(128, 192)}`));
      const message = `0x${data.slice(192, 192 + 2 * length)}` as Hex;
      return { message, block: receipt.blockNumber };
    };
    for (let i = 0; i < 5; i++) {
      const body = toHex(`concord state-proof fixture message ${i}`);
      const { message, block } = await dispatch(source, body);
      messages.push(message);
      blocks.push(block);
    }
    const otherDispatch = await dispatch(other, toHex("a message in another contract"));

    mkdirSync(OUT_DIR, { recursive: true });
    const checkpoints: [string, number][] = [
      ["early", 2],
      ["latest", 5],
    ];
    for (const [name, count] of checkpoints) {
      // The latest checkpoint is taken after the other contract's dispatch, so both accounts are in one state.
      const blockNumber = name === "latest" ? otherDispatch.block : blocks[count - 1]!;
      const block = (await publicClient.request({
        method: "eth_getBlockByNumber",
        params: [toHex(blockNumber), false],
      })) as unknown as RpcBlock;
      const header = encodeHeader(block);
      const getProof = (address: Address, slots: Hex[]) =>
        publicClient.request({
          method: "eth_getProof",
          params: [address, slots, toHex(blockNumber)],
        }) as Promise<RpcProof>;
      const proof = await getProof(source, [ROOT_SLOT, EMPTY_SLOT]);
      const ids = messages.slice(0, count).map((m) => keccak256(m));
      const proofs = ids.map((_, i) => treeProof(ids, i));
      const root = proofs[0]!.root;
      const stored = pad(proof.storageProof[0]!.value, { size: 32 });
      if (stored !== root) throw new Error(`on-chain root ${stored} != off-chain root ${root}`);

      // TREE-kind proofs: the count slot and the branch slots of the count's set bits, ascending level.
      const levels = [...Array(DEPTH).keys()].filter((level) => (count >> level) & 1);
      const branchSlots = levels.map((level) => pad(toHex(BRANCH_SLOT + BigInt(level)), { size: 32 }));
      const treeStorage = await getProof(source, [COUNT_SLOT, ...branchSlots]);
      const [countEntry, ...branchEntries] = treeStorage.storageProof;
      if (BigInt(countEntry!.value) !== BigInt(count)) throw new Error("count slot mismatch");
      let recomputed: Hex = pad("0x00", { size: 32 });
      let zero: Hex = pad("0x00", { size: 32 });
      for (let level = 0, used = 0; level < DEPTH; level++) {
        if ((count >> level) & 1)
          recomputed = hashPair(pad(branchEntries[used++]!.value, { size: 32 }), recomputed);
        else recomputed = hashPair(recomputed, zero);
        zero = hashPair(zero, zero);
      }
      if (recomputed !== root) throw new Error(`root recomputed from branches ${recomputed} != ${root}`);

      const fixture: Record<string, unknown> = {
        description:
          "Generated by scripts/make-stateproof-fixture.ts from a local anvil chain; do not edit by hand.",
        chainId: CHAIN_ID,
        source,
        rootSlot: ROOT_SLOT,
        blockNumber: Number(blockNumber),
        blockHash: block.hash,
        header,
        stateRoot: block.stateRoot,
        storageHash: proof.storageHash,
        root,
        count,
        accountProof: proof.accountProof,
        storageProof: proof.storageProof[0]!.proof,
        countSlot: COUNT_SLOT,
        branchSlot: pad(toHex(BRANCH_SLOT), { size: 32 }),
        countProof: countEntry!.proof,
        branchLevels: levels,
        branchProofs: branchEntries.map((entry) => entry.proof),
        emptySlot: EMPTY_SLOT,
        emptySlotProof: proof.storageProof[1]!.proof,
        messages: messages.slice(0, count),
        ids,
        proofs: proofs.map((p) => p.siblings),
      };
      if (name === "latest") {
        const otherProof = await getProof(other, [ROOT_SLOT]);
        fixture.otherSource = other;
        fixture.otherMessage = otherDispatch.message;
        fixture.otherRoot = pad(otherProof.storageProof[0]!.value, { size: 32 });
        fixture.otherAccountProof = otherProof.accountProof;
        fixture.otherStorageProof = otherProof.storageProof[0]!.proof;
        fixture.otherProof = treeProof([keccak256(otherDispatch.message)], 0).siblings;
      }
      const file = path.join(OUT_DIR, `${name}.json`);
      writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
      console.log(`wrote ${path.relative(ROOT, file)} (block ${blockNumber}, ${count} messages)`);
    }
  } finally {
    await stopAnvil(anvil);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
