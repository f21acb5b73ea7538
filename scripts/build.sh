#!/usr/bin/env bash
# Compiles contracts/ with both forge and Hardhat (one tree, one remappings.txt), regenerates the ethers-v6
# bindings in typechain-types/, writes the SDK's typed constants (scripts/gen-sdk.mjs -> sdk/src/generated/, gitignored:
# ABIs `as const`, deployable bytecode, the error table with NatSpec) and builds the TypeScript package (sdk/dist:
# SDK, agents, the concord CLI).
# BUILD_SKIP_FORGE=1 skips the forge build (the demo needs only the Hardhat artifacts and sdk/dist).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# solc here is solcjs (WebAssembly): one input with the whole tree (about 600 files with the transport adapters'
# protocol sources) runs out of wasm memory on a cold build. Build in batches instead: each batch compiles only what
# the cache does not hold yet, and the last, whole-tree build finds everything cached.
forge_build() {
  forge build contracts
  for dir in test/adapters/*/ test/aggregation test/invariant test/coordination test/bench; do
    forge build "$dir"
  done
  forge build
}
if [ "${BUILD_SKIP_FORGE:-0}" != 1 ]; then forge_build; fi
hardhat build --quiet 2>/dev/null || hardhat build
node scripts/gen-sdk.mjs
rm -rf sdk/dist # npm pack ships dist/: no stale modules from an earlier layout
tsc -p sdk/tsconfig.json
