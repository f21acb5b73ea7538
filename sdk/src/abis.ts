/**
 * ABIs of Concord's contracts as typed constants generated at build time from the Hardhat artifacts
 * (`scripts/gen-sdk.mjs` -> `sdk/src/generated/abis.ts`), so the SDK follows the contracts it was built with and
 * needs no checkout at run time. The typed actions in `messages.ts` and `flows.ts` sit on top of these.
 */
import type { Abi, AbiFunction } from "viem";
import {
  type ConcordContractName,
  concordAbis,
  concordGatewayAbi,
  flowEscrowAbi,
  flowExecutorAbi,
  gasPaymasterAbi,
} from "./generated/abis.js";
import { concordErrorTable } from "./generated/errors.js";
import { ConcordSdkError } from "./errors.js";

export * from "./generated/abis.js";

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

/**
 * The ABI of contract `name` (any contract under `contracts/` except mocks), widened to `Abi` for callers that pick
 * the contract at run time; prefer the typed constants (`concordGatewayAbi`, ...) when the contract is known.
 */
export function concordAbi(name: ConcordContractName | (string & {})): Abi {
  const abi = (concordAbis as Record<string, Abi>)[name];
  if (!abi)
    throw new ConcordSdkError(
      `no ABI for ${name}`,
      "the SDK carries the contracts under contracts/ (mocks excluded)",
    );
  return abi;
}

/** ABI of the ConcordGateway. */
export const gatewayAbi = () => concordGatewayAbi;
/** ABI of the FlowEscrow, A's side of a flow. */
export const escrowAbi = () => flowEscrowAbi;
/** ABI of the FlowExecutor, B's side of a flow. */
export const executorAbi = () => flowExecutorAbi;
/** ABI of the GasPaymaster. */
export const paymasterAbi = () => gasPaymasterAbi;

/** The function `name` of `abi` (the first overload), or undefined. */
export function abiFunction(abi: Abi, name: string): AbiFunction | undefined {
  return abi.find((item): item is AbiFunction => item.type === "function" && item.name === name);
}

/** An ABI error item. */
export type AbiError = Extract<Abi[number], { type: "error" }>;

/** An error item with the contract and source file that declare it, and its NatSpec notice when it has one. */
export type ConcordErrorItem = AbiError & { contract: string; sourceName: string; notice?: string };

/**
 * Every custom error declared by a Concord contract (gateway, verifiers, coordinator, fees, receivers, examples,
 * and the OpenZeppelin errors they inherit), one entry per signature (generated at build time).
 */
export function concordErrors(): readonly ConcordErrorItem[] {
  return concordErrorTable as readonly ConcordErrorItem[];
}
