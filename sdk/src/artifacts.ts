/**
 * Build artifacts of Concord's deployable contracts as the deploy tooling needs them (ABI + creation and runtime
 * bytecode), from the constants `scripts/gen-sdk.mjs` generates at build time: nothing is read from `artifacts/` at
 * run time, so `@concord/sdk/deploy` works from an installed package. Exported by the `@concord/sdk/deploy` subpath
 * only (the bytecode is large; the main entry carries ABIs and errors).
 */
import type { Abi, Hex } from "viem";
import { concordAbis } from "./generated/abis.js";
import { concordBytecode } from "./generated/bytecode.js";
import { ConcordSdkError } from "./errors.js";

/** What Concord's tooling needs from an artifact. */
export type ContractArtifact = {
  contractName: string;
  sourceName: string;
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
  /** Byte ranges of the runtime code that hold immutables (by AST id), as solc reports them. */
  immutableReferences: Readonly<
    Record<string, readonly { readonly start: number; readonly length: number }[]>
  >;
};

/** There is no deployable contract of that name in the generated constants. */
export class ArtifactError extends ConcordSdkError {
  override name = "ArtifactError";
}

/** Names of every contract the SDK can deploy. */
export function deployableContracts(): string[] {
  return Object.keys(concordBytecode);
}

/**
 * The artifact of deployable contract `name` (for example "ConcordGateway"). Throws an ArtifactError naming the
 * contract when it is unknown (not under contracts/, a mock, or abstract: rebuild with `npm run build` if it is new).
 */
export function loadArtifact(name: string): ContractArtifact {
  const code = (concordBytecode as Record<string, Omit<ContractArtifact, "contractName" | "abi">>)[name];
  const abi = (concordAbis as Record<string, Abi>)[name];
  if (!code || !abi) {
    throw new ArtifactError(
      `no deployable contract ${name}`,
      "the SDK carries the non-abstract contracts under contracts/ (mocks excluded); run `npm run build` after adding one",
    );
  }
  return { contractName: name, abi, ...code };
}
