// Folds a second forge build lane into the main one: scripts/build.sh compiles the test tree in two lanes (solcjs is
// single-threaded; this machine has two cores), each from a copy of the same state, lane B with its own out/ and cache.
// This script adds lane B's results to the main out/ and cache_forge/ so that the last, whole-tree `forge build` finds
// them cached.
//
//   node scripts/merge-forge-cache.mjs <laneOut> <laneCache> [<mainOut> <mainCache>]
//
// Safe by construction: a source the main cache already knows keeps the main entry; an entry of lane B is taken only
// when every artifact path it names is free in the main out/ (or already the same source's), together with its
// build-info. Anything refused is simply left out, so the final `forge build` compiles it again: the merge can cost
// time, never give a test a wrong artifact.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const [laneOut, laneCache, mainOut = "out", mainCache = "cache_forge"] = process.argv.slice(2);
if (!laneOut || !laneCache) {
  console.error("usage: node scripts/merge-forge-cache.mjs <laneOut> <laneCache> [<mainOut> <mainCache>]");
  process.exit(2);
}
const CACHE = "solidity-files-cache.json";
const read = (dir) => JSON.parse(readFileSync(join(dir, CACHE), "utf8"));
const main = read(mainCache);
const lane = read(laneCache);
if (JSON.stringify(main.profiles) !== JSON.stringify(lane.profiles)) {
  console.error("merge-forge-cache: the lanes were built with different compiler settings; nothing merged");
  process.exit(1);
}

/** Every artifact of a cache entry: [path, build_id]. */
const artifactsOf = (entry) =>
  Object.values(entry.artifacts ?? {}).flatMap((versions) =>
    Object.values(versions).flatMap((profiles) => Object.values(profiles).map((a) => [a.path, a.build_id])),
  );

const owner = new Map(); // artifact path in the main out/ -> source that owns it
for (const [source, entry] of Object.entries(main.files))
  for (const [path] of artifactsOf(entry)) owner.set(path, source);

let taken = 0;
let refused = 0;
const builds = new Set(main.builds);
for (const [source, entry] of Object.entries(lane.files)) {
  if (Object.hasOwn(main.files, source)) continue; // the main lane's own entry wins
  const artifacts = artifactsOf(entry);
  const clash = artifacts.some(
    ([path, buildId]) =>
      (owner.has(path) && owner.get(path) !== source) ||
      !existsSync(join(laneOut, path)) ||
      !existsSync(join(laneOut, "build-info", `${buildId}.json`)),
  );
  if (clash) {
    refused++;
    continue;
  }
  for (const [path, buildId] of artifacts) {
    mkdirSync(dirname(join(mainOut, path)), { recursive: true });
    copyFileSync(join(laneOut, path), join(mainOut, path));
    owner.set(path, source);
    if (!builds.has(buildId)) {
      mkdirSync(join(mainOut, "build-info"), { recursive: true });
      copyFileSync(
        join(laneOut, "build-info", `${buildId}.json`),
        join(mainOut, "build-info", `${buildId}.json`),
      );
      builds.add(buildId);
    }
  }
  main.files[source] = entry;
  taken++;
}
main.builds = [...builds].sort();
writeFileSync(join(mainCache, CACHE), JSON.stringify(main, null, 2));
console.log(`merge-forge-cache: ${taken} sources from ${laneCache}, ${refused} left to the final build`);
