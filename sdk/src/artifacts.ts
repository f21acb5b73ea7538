// Reads the Hardhat 3 build artifacts (artifacts/contracts/<path>/<Name>.json) that `scripts/build.sh`
// produces. Deploy scripts, agents, the CLI and tests share this one loader.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Abi, Hex } from "viem";

/** What Concord's tooling needs from an artifact. */
export type ContractArtifact = {
  contractName: string;
  sourceName: string;
  abi: Abi;
  bytecode: Hex;
  deployedBytecode: Hex;
};

export class ArtifactError extends Error {
  override name = "ArtifactError";
}

/** The repository root: the nearest ancestor of this file that holds `hardhat.config.ts`. */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "hardhat.config.ts"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new ArtifactError(`no hardhat.config.ts above ${from}`);
    dir = parent;
  }
}

const cache = new Map<string, ContractArtifact>();

function findArtifact(dir: string, file: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findArtifact(path, file);
      if (found) return found;
    } else if (entry.name === file) {
      return path;
    }
  }
  return undefined;
}

/**
 * Loads the artifact of contract `name` (for example "ConcordGateway") from `<root>/artifacts/contracts`.
 * Throws an ArtifactError that says to run the build when it is missing.
 */
export function loadArtifact(name: string, root: string = repoRoot()): ContractArtifact {
  const key = `${root}:${name}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const base = join(root, "artifacts", "contracts");
  const path = existsSync(base) ? findArtifact(base, `${name}.json`) : undefined;
  if (!path) throw new ArtifactError(`no artifact for ${name} under ${base}: run \`npm run build\` first`);
  const artifact = JSON.parse(readFileSync(path, "utf8")) as ContractArtifact;
  cache.set(key, artifact);
  return artifact;
}
