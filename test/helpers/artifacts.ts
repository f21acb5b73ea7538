// Test-only loader of Hardhat build artifacts (artifacts/contracts/**/<Name>.json), for the contracts the SDK does not
// carry (mocks under contracts/mocks/). Everything else comes from the SDK's generated constants, as in production.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Abi, Hex } from "viem";
import { type ContractArtifact, loadArtifact as sdkArtifact } from "../../sdk/src/artifacts.js";
import { repoRoot } from "../../sdk/src/repo.js";

const cache = new Map<string, ContractArtifact>();

function find(dir: string, file: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = find(path, file);
      if (found) return found;
    } else if (entry.name === file) return path;
  }
  return undefined;
}

/** The SDK's generated artifact of `name`, or (mocks) the Hardhat artifact from `artifacts/contracts`. */
export function testArtifact(name: string): ContractArtifact {
  const cached = cache.get(name);
  if (cached) return cached;
  let artifact: ContractArtifact;
  try {
    artifact = sdkArtifact(name);
  } catch {
    const base = join(repoRoot(), "artifacts", "contracts");
    const path = existsSync(base) ? find(base, `${name}.json`) : undefined;
    if (!path) throw new Error(`no artifact for ${name} under ${base}: run \`npm run build\` first`);
    const raw = JSON.parse(readFileSync(path, "utf8")) as {
      contractName: string;
      sourceName: string;
      abi: Abi;
      bytecode: Hex;
      deployedBytecode: Hex;
      immutableReferences?: ContractArtifact["immutableReferences"];
    };
    artifact = { ...raw, immutableReferences: raw.immutableReferences ?? {} };
  }
  cache.set(name, artifact);
  return artifact;
}
