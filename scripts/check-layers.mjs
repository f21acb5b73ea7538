#!/usr/bin/env node
// The layer rules of docs/architecture.md, checked on every import (a gate of `npm test`):
//   contracts: libraries < interfaces < {core, adapters, isms, receivers} < coordination < {fees, periphery, deploy}
//     < mocks;
//     a file may import from its own folder or from a lower layer, never from a higher one or a sibling folder of
//     its layer (core does not import isms, isms do not import core); nothing deployable imports mocks.
//   sdk: src < agents < cli; sdk/src never imports agents or cli, sdk/agents never imports cli;
//     the CLI's entry point sdk/cli/main.ts is imported by sdk/cli/concord.ts only (commands own their options and
//     import shared helpers from other sdk/cli modules), and no TypeScript module under sdk/ is part of an import cycle.
// Exits 1 and names every offending import (and every cycle).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

// CHECK_LAYERS_ROOT points the check at another tree (test/ts/layers.test.ts feeds it small violating trees).
const root = resolve(process.env.CHECK_LAYERS_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), ".."));

const CONTRACT_LAYERS = {
  libraries: 0,
  interfaces: 1,
  core: 2,
  adapters: 2,
  isms: 2,
  receivers: 2,
  coordination: 3,
  fees: 4,
  periphery: 4,
  deploy: 4,
  mocks: 5,
};
const SDK_LAYERS = { src: 0, agents: 1, cli: 2 };

function walk(dir, ext, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === "node_modules" || name === "dist") continue;
    if (statSync(path).isDirectory()) walk(path, ext, out);
    else if (path.endsWith(ext)) out.push(path);
  }
  return out;
}

/** The top-level folder of `path` under `base` (e.g. "core" for contracts/core/x/y.sol), or undefined. */
function topFolder(base, path) {
  const rel = relative(base, path);
  if (rel.startsWith("..")) return undefined;
  const [first, ...rest] = rel.split(sep);
  return rest.length > 0 ? first : undefined;
}

function relativeImports(file, pattern) {
  const text = readFileSync(file, "utf8");
  const out = [];
  for (const match of text.matchAll(pattern)) {
    const spec = match[1];
    if (spec.startsWith(".")) out.push({ spec, target: resolve(dirname(file), spec) });
  }
  return out;
}

const violations = [];

// Solidity: `import ... from "./x.sol";` / `import "./x.sol";`
const contracts = join(root, "contracts");
for (const file of walk(contracts, ".sol")) {
  const from = topFolder(contracts, file);
  for (const { spec, target } of relativeImports(file, /import\s+(?:[^;]*?from\s+)?"([^"]+)"/g)) {
    const to = topFolder(contracts, target);
    if (from === undefined || to === undefined || from === to) continue;
    const rf = CONTRACT_LAYERS[from];
    const rt = CONTRACT_LAYERS[to];
    if (rf === undefined || rt === undefined) {
      violations.push(
        `${relative(root, file)}: import "${spec}": folder not in the layer map (scripts/check-layers.mjs)`,
      );
    } else if (rt >= rf) {
      const why = rt > rf ? "a higher layer" : "a sibling folder of the same layer";
      violations.push(`${relative(root, file)}: import "${spec}" reaches ${to}/, ${why} than ${from}/`);
    }
  }
}

// TypeScript: `import ... from "../x.js"`, `export ... from`, and dynamic `import("../x.js")`.
const sdk = join(root, "sdk");
const cliMain = join(sdk, "cli", "main.ts");
const cliEntry = join(sdk, "cli", "concord.ts");
const graph = new Map(); // file -> [imported .ts files under sdk/]
for (const file of walk(sdk, ".ts")) {
  const from = topFolder(sdk, file);
  if (SDK_LAYERS[from] === undefined) continue;
  const pattern = /(?:from\s+|import\s*\(\s*)["']([^"']+)["']/g;
  const edges = [];
  graph.set(file, edges);
  for (const { spec, target } of relativeImports(file, pattern)) {
    const targetTs = target.replace(/\.js$/, ".ts");
    edges.push(targetTs);
    if (targetTs === cliMain && file !== cliEntry) {
      violations.push(
        `${relative(root, file)}: import "${spec}" reaches the CLI entry point sdk/cli/main.ts ` +
          "(only sdk/cli/concord.ts may; move shared helpers to another sdk/cli module)",
      );
    }
    const to = topFolder(sdk, target);
    if (to === undefined || to === from || SDK_LAYERS[to] === undefined) continue;
    if (SDK_LAYERS[to] > SDK_LAYERS[from]) {
      violations.push(
        `${relative(root, file)}: import "${spec}" reaches sdk/${to}, a higher layer than sdk/${from}`,
      );
    }
  }
}

// Import cycles among sdk/ modules (Tarjan's strongly connected components; type-only imports count too: a cycle
// of types still ties the modules' boundaries together).
{
  let index = 0;
  const stack = [];
  const info = new Map();
  const strongConnect = (v) => {
    info.set(v, { index, low: index, onStack: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!info.has(w)) {
        strongConnect(w);
        info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
      } else if (info.get(w).onStack) {
        info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
      }
    }
    if (info.get(v).low === info.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        info.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) {
        violations.push(
          `import cycle: ${component
            .reverse()
            .map((f) => relative(root, f))
            .join(" -> ")}`,
        );
      }
    }
  };
  for (const v of graph.keys()) if (!info.has(v)) strongConnect(v);
}

if (violations.length > 0) {
  console.error(`layer rules (docs/architecture.md): ${violations.length} violation(s)`);
  for (const v of violations) console.error(`  ${v}`);
  process.exit(1);
}
console.log("layer rules (docs/architecture.md): ok");
