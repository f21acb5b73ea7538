// One anvil chain as the adapter and aggregator tests drive it by hand ("a side"): viem clients for the anvil dev
// account, raw deploys of other protocols' contracts and mocks, and writes that must succeed. Shared by
// test/ts/adapter-*.test.ts and test/ts/aggregator-*.test.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import type { AnvilChain } from "../../sdk/src/anvil.js";
import { ANVIL_DEV_KEY } from "../../sdk/src/deploy/index.js";
import { protocolContracts } from "../../sdk/src/generated/protocols.js";
import { repoRoot } from "../../sdk/src/repo.js";

/** What a raw deploy needs. */
export type Artifact = { abi: Abi; bytecode: Hex };

/** Anvil's first dev account: deploys and sends everything the tests do by hand. */
export const deployer = privateKeyToAccount(ANVIL_DEV_KEY);

/** One chain: its anvil and viem clients for {@link deployer} (receipts polled every 50 ms). */
export type ChainSide = {
  chainId: number;
  anvil: AnvilChain;
  public: PublicClient;
  wallet: WalletClient;
};

/** The clients of `anvil`'s chain. */
export function chainSide(anvil: AnvilChain): ChainSide {
  const chain = defineChain({
    id: anvil.chainId,
    name: `chain${anvil.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  });
  const transport = http(anvil.rpcUrl);
  return {
    chainId: anvil.chainId,
    anvil,
    public: createPublicClient({ chain, transport, pollingInterval: 50 }) as PublicClient,
    wallet: createWalletClient({ account: deployer, chain, transport }),
  };
}

/** Deploys `artifact` with `args` from the deployer; asserts success and returns the address. */
export async function deployRaw(side: ChainSide, artifact: Artifact, args: unknown[] = []): Promise<Address> {
  const hash = await side.wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args,
    account: deployer,
    chain: side.wallet.chain,
  });
  const receipt = await side.public.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.equal(receipt.status, "success");
  return getAddress(receipt.contractAddress!);
}

/** Sends `functionName(args)` (with `value`) from the deployer; asserts success and returns the receipt. */
export async function write(
  side: ChainSide,
  address: Address,
  abi: Abi,
  functionName: string,
  args: unknown[],
  value = 0n,
): Promise<TransactionReceipt> {
  const hash = await side.wallet.writeContract({
    address,
    abi,
    functionName,
    args,
    value,
    account: deployer,
    chain: side.wallet.chain,
  });
  const receipt = await side.public.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.equal(receipt.status, "success", `${functionName} reverted`);
  return receipt;
}

/** A Hardhat artifact of a contract the SDK does not carry (e.g. contracts/mocks/), by source path and name. */
export function hardhatArtifact(path: string, name: string): Artifact {
  const a = JSON.parse(readFileSync(join(repoRoot(), "artifacts", path, `${name}.json`), "utf8")) as Artifact;
  return { abi: a.abi, bytecode: a.bytecode };
}

/** Hyperlane's contracts from the SDK's generated list (the committed fixture test/fixtures/hyperlane/). */
export function hyperlaneArtifact(name: string): Artifact {
  const c = protocolContracts.hyperlane![name]!;
  return { abi: c.abi as Abi, bytecode: c.bytecode };
}

/**
 * Hyperlane on one chain: a Mailbox for `domain` with TestIsm as its default ISM (it accepts every message: the tests
 * play Hyperlane's relayer), MerkleTreeHook as the required hook and a TestPostDispatchHook charging `hookFee` as the
 * default hook. `artifactOf` picks where the contracts come from (the SDK's fixture by default).
 */
export async function deployHyperlane(
  side: ChainSide,
  domain: number,
  hookFee: bigint,
  artifactOf: (name: string) => Artifact = hyperlaneArtifact,
): Promise<{ mailbox: Address; ism: Address }> {
  const mailboxArtifact = artifactOf("Mailbox");
  const mailbox = await deployRaw(side, mailboxArtifact, [domain]);
  const ism = await deployRaw(side, artifactOf("TestIsm"));
  const merkle = await deployRaw(side, artifactOf("MerkleTreeHook"), [mailbox]);
  const hookArtifact = artifactOf("TestPostDispatchHook");
  const hook = await deployRaw(side, hookArtifact);
  await write(side, hook, hookArtifact.abi, "setFee", [hookFee]);
  await write(side, mailbox, mailboxArtifact.abi, "initialize", [deployer.address, ism, hook, merkle]);
  return { mailbox, ism };
}
