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

/** Every `<name>.json` under `dir`, at any depth. */
function findAll(dir: string, file: string, into: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findAll(path, file, into);
    else if (entry.name === file) into.push(path);
  }
  return into;
}

/**
 * A forge artifact of `out/` (protocol contracts the SDK does not carry), found by its compilation target: the
 * artifact of contract `name` compiled from a source whose path ends with `source` (e.g. "contracts/Router.sol").
 * forge places an artifact at `out/<file>/` or, when two sources share a file name, at a longer path that depends on
 * what the build compiled together, so the path in `out/` is not stable and is never assumed here.
 */
export function forgeArtifact(source: string, name: string): { abi: Abi; bytecode: Hex } {
  const base = join(repoRoot(), "out");
  const paths = existsSync(base) ? findAll(base, `${name}.json`) : [];
  const matches: { abi: Abi; bytecode: Hex; target: string }[] = [];
  for (const path of paths) {
    const raw = JSON.parse(readFileSync(path, "utf8")) as {
      abi: Abi;
      bytecode: { object: Hex };
      metadata?: { settings?: { compilationTarget?: Record<string, string> } };
    };
    for (const [target, contract] of Object.entries(raw.metadata?.settings?.compilationTarget ?? {}))
      if (contract === name && (target === source || target.endsWith(`/${source}`)))
        matches.push({ abi: raw.abi, bytecode: raw.bytecode.object, target });
  }
  const found = matches[0];
  if (!found)
    throw new Error(
      `no forge artifact of ${name} from a source ending in ${source} under ${base}: run the build`,
    );
  const targets = new Set(matches.map((m) => m.target));
  if (targets.size > 1)
    throw new Error(
      `${source}:${name} is ambiguous in out/ (${[...targets].join(", ")}): give a longer source path`,
    );
  if (found.bytecode.length <= 2) throw new Error(`${source}:${name} has no bytecode in out/`);
  return { abi: found.abi, bytecode: found.bytecode };
}
