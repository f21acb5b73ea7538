#!/usr/bin/env node
// Regenerates test/fixtures/wormhole/core-bridge.json: the ABI and creation bytecode of Wormhole's core bridge
// (`Implementation`, `Setup`, `Wormhole` proxy) from the ethers typechain factories published in the npm package
// @certusone/wormhole-sdk 0.10.18 (the core bridge is not published as Solidity on npm). The package pulls many
// other chains' SDKs, so it is not a dependency: this script fetches its tarball with `npm pack` into a temporary
// folder, reads the three factory files as text (no code of the package runs), and prints the tarball's sha256.
// Usage: node scripts/extract-wormhole.mjs  (needs the npm registry)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const VERSION = "0.10.18";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "concord-wormhole-"));
try {
  execFileSync("npm", ["pack", `@certusone/wormhole-sdk@${VERSION}`], { cwd: dir, stdio: "ignore" });
  const tarball = join(dir, `certusone-wormhole-sdk-${VERSION}.tgz`);
  execFileSync("tar", ["xzf", tarball], { cwd: dir });
  const out = {};
  for (const name of ["Implementation", "Setup", "Wormhole"]) {
    const src = readFileSync(
      join(dir, "package/lib/cjs/ethers-contracts/factories", `${name}__factory.js`),
      "utf8",
    );
    const start = src.indexOf("const _abi = ") + "const _abi = ".length;
    const end = src.indexOf("];", start) + 1;
    // The ABI literal is plain data (objects, arrays, strings, booleans): parse it as JSON after quoting its keys.
    const abi = JSON.parse(
      src
        .slice(start, end)
        .replace(/([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:/g, '$1"$2":')
        .replace(/,(\s*[}\]])/g, "$1"),
    );
    const bytecode = /const _bytecode = "(0x[0-9a-fA-F]+)"/.exec(src)[1];
    out[name] = { abi, bytecode };
  }
  const target = join(root, "test/fixtures/wormhole/core-bridge.json");
  writeFileSync(target, `${JSON.stringify(out, null, 1)}\n`);
  const sha = createHash("sha256").update(readFileSync(tarball)).digest("hex");
  console.log(`wrote ${target} from @certusone/wormhole-sdk@${VERSION} (tarball sha256 ${sha})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
