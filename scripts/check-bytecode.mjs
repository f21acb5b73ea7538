#!/usr/bin/env node
// One bytecode tested and deployed: every contract under contracts/ that Hardhat compiles (the artifacts deploy/, the
// SDK, the agents and the CLI deploy) must have exactly the runtime and creation code that forge compiled (what the
// Solidity tests, fuzzers, invariant suites and benchmarks ran), and every deployable runtime must fit EIP-170.
// Both builds are metadata-free (foundry.toml: bytecode_hash = "none", cbor_metadata = false; hardhat.config.ts:
// the same), so the comparison is byte for byte. Run after `scripts/build.sh`; exits 1 on any difference.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** EIP-170: the largest runtime code a contract may deploy. */
export const EIP170_LIMIT = 24_576;

function walk(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (entry.endsWith(".json") && !entry.endsWith(".dbg.json")) out.push(path);
  }
  return out;
}

const byteLength = (hex) => (hex.startsWith("0x") ? hex.length - 2 : hex.length) / 2;
const strip0x = (hex) => (hex.startsWith("0x") ? hex.slice(2) : hex).toLowerCase();

/** Hardhat artifacts of contracts under `sources` (default "contracts/"): key "path:Name" -> codes. */
export function hardhatArtifacts(artifactsDir, sources = "contracts/") {
  const found = new Map();
  for (const file of walk(artifactsDir)) {
    let artifact;
    try {
      artifact = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      continue;
    }
    if (artifact._format !== "hh3-artifact-1" || typeof artifact.sourceName !== "string") continue;
    if (!artifact.sourceName.startsWith(sources)) continue;
    found.set(`${artifact.sourceName}:${artifact.contractName}`, {
      bytecode: strip0x(artifact.bytecode),
      deployedBytecode: strip0x(artifact.deployedBytecode),
    });
  }
  return found;
}

/** forge artifacts: key "path:Name" (from the metadata's compilation target) -> codes. */
export function forgeArtifacts(outDir) {
  const found = new Map();
  for (const file of walk(outDir)) {
    let artifact;
    try {
      artifact = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      continue;
    }
    const target = artifact?.metadata?.settings?.compilationTarget;
    if (!target || !artifact.deployedBytecode) continue;
    for (const [path, name] of Object.entries(target)) {
      found.set(`${path}:${name}`, {
        bytecode: strip0x(artifact.bytecode.object),
        deployedBytecode: strip0x(artifact.deployedBytecode.object),
      });
    }
  }
  return found;
}

/**
 * Compares the two builds. Returns the problems found (empty: same bytecode everywhere, every runtime within
 * EIP-170) and the sizes of the deployable contracts, largest first.
 */
export function compareBuilds(artifactsDir, outDir, sources = "contracts/") {
  const hardhat = hardhatArtifacts(artifactsDir, sources);
  const forge = forgeArtifacts(outDir);
  const problems = [];
  const sizes = [];
  if (hardhat.size === 0) problems.push(`no Hardhat artifacts under ${artifactsDir} for ${sources}`);
  for (const [key, hh] of hardhat) {
    const fg = forge.get(key);
    if (!fg) {
      problems.push(`${key}: in the Hardhat build but not in forge's (${outDir})`);
      continue;
    }
    if (hh.deployedBytecode !== fg.deployedBytecode) {
      problems.push(`${key}: runtime code differs between Hardhat and forge`);
    } else if (hh.bytecode !== fg.bytecode) {
      problems.push(`${key}: creation code differs between Hardhat and forge`);
    }
    const size = byteLength(hh.deployedBytecode);
    if (size === 0) continue; // interfaces and abstract contracts deploy nothing
    sizes.push({ key, size });
    if (size > EIP170_LIMIT)
      problems.push(`${key}: runtime code is ${size} bytes, over EIP-170's ${EIP170_LIMIT}`);
  }
  sizes.sort((a, b) => b.size - a.size);
  return { problems, sizes, compared: hardhat.size };
}

function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const artifactsDir = join(root, "artifacts");
  const outDir = join(root, "out");
  for (const dir of [artifactsDir, outDir]) {
    if (!existsSync(dir)) {
      console.error(`check-bytecode: ${relative(root, dir)}/ is missing: run scripts/build.sh first`);
      process.exit(1);
    }
  }
  const { problems, sizes, compared } = compareBuilds(artifactsDir, outDir);
  console.log(
    `check-bytecode: ${compared} contracts compared; largest runtimes (EIP-170 limit ${EIP170_LIMIT}):`,
  );
  for (const { key, size } of sizes.slice(0, 5)) console.log(`  ${String(size).padStart(6)}  ${key}`);
  if (problems.length > 0) {
    console.error(`check-bytecode: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.log("check-bytecode: forge and Hardhat bytecode identical; every runtime within EIP-170");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
