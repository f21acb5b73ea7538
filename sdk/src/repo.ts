/**
 * Where the Concord checkout is, for the defaults that point into it (`deploy/deployments`, `deploy/config`). The
 * SDK itself reads nothing from the checkout: ABIs, bytecode and error tables are generated constants
 * (`sdk/src/generated/`). Outside a checkout (the package installed from npm) the defaults fall back to the current
 * directory.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The nearest ancestor of `from` (default: this file's folder) that holds `hardhat.config.ts`; when there is none
 * (the SDK installed as a package), the nearest such ancestor of the current directory, else the current directory.
 */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  return findUp(resolve(from)) ?? findUp(process.cwd()) ?? process.cwd();
}

function findUp(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "hardhat.config.ts"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
