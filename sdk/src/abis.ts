/**
 * ABIs of Concord's contracts, read at run time from the Hardhat build artifacts (`artifacts/contracts`, produced by
 * `npm run build`), so the SDK always follows the contracts it runs against (for example a field appended to
 * `FlowLib.Flow`). The typed actions in `messages.ts` and `flows.ts` sit on top of these.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Abi, AbiFunction } from "viem";
import { loadArtifact, repoRoot } from "./artifacts.js";
import { ConcordSdkError } from "./errors.js";

/** Deployable Concord contracts the SDK talks to. */
export const ConcordContract = {
  Gateway: "ConcordGateway",
  FlowEscrow: "FlowEscrow",
  FlowExecutor: "FlowExecutor",
  GasPaymaster: "GasPaymaster",
  GasOracle: "GasOracle",
  MessageIdMultisigVerifier: "MessageIdMultisigVerifier",
  MerkleRootMultisigVerifier: "MerkleRootMultisigVerifier",
} as const;
export type ConcordContract = (typeof ConcordContract)[keyof typeof ConcordContract];

/** The ABI of contract `name` (any contract under `contracts/`), from its build artifact. */
export function concordAbi(name: string, root?: string): Abi {
  return loadArtifact(name, root).abi;
}

/** ABI of the ConcordGateway (artifact). */
export const gatewayAbi = (): Abi => concordAbi(ConcordContract.Gateway);
/** ABI of the FlowEscrow, A's side of a flow (artifact). */
export const escrowAbi = (): Abi => concordAbi(ConcordContract.FlowEscrow);
/** ABI of the FlowExecutor, B's side of a flow (artifact). */
export const executorAbi = (): Abi => concordAbi(ConcordContract.FlowExecutor);
/** ABI of the GasPaymaster (artifact). */
export const paymasterAbi = (): Abi => concordAbi(ConcordContract.GasPaymaster);

/** The function `name` of `abi` (the first overload), or undefined. */
export function abiFunction(abi: Abi, name: string): AbiFunction | undefined {
  return abi.find((item): item is AbiFunction => item.type === "function" && item.name === name);
}

/** An ABI error item. */
export type AbiError = Extract<Abi[number], { type: "error" }>;

/** An artifact's error item, with the contract and source file it was read from. */
export type ConcordErrorItem = AbiError & { contract: string; sourceName: string };

const errorCache = new Map<string, ConcordErrorItem[]>();

function listArtifacts(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listArtifacts(path, out);
    else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) out.push(path);
  }
  return out;
}

/**
 * Every custom error declared by a Concord contract (gateway, verifiers, coordinator, fees, receivers, examples,
 * and the OpenZeppelin errors they inherit), one entry per signature, from `<root>/artifacts/contracts`.
 */
export function concordErrors(root: string = repoRoot()): ConcordErrorItem[] {
  const cached = errorCache.get(root);
  if (cached) return cached;
  const base = join(root, "artifacts", "contracts");
  if (!existsSync(base))
    throw new ConcordSdkError("no build artifacts", `${base} is missing: run \`npm run build\``);
  const bySignature = new Map<string, ConcordErrorItem>();
  for (const path of listArtifacts(base, [])) {
    const artifact = JSON.parse(readFileSync(path, "utf8")) as {
      contractName?: string;
      sourceName?: string;
      abi?: Abi;
    };
    for (const item of artifact.abi ?? []) {
      if (item.type !== "error") continue;
      const signature = `${item.name}(${item.inputs.map((input) => input.type).join(",")})`;
      if (bySignature.has(signature)) continue;
      bySignature.set(signature, {
        ...item,
        contract: artifact.contractName ?? "?",
        sourceName: artifact.sourceName ?? "?",
      });
    }
  }
  const errors = [...bySignature.values()];
  errorCache.set(root, errors);
  return errors;
}
