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
# solcjs is also single-threaded, so after contracts/ the test batches run in two lanes: lane B starts from a copy of
# the same out/ and cache (out_lane/, cache_lane/), and scripts/merge-forge-cache.mjs folds its results into the main
# ones (an entry that would clash is left out, and the final build compiles it again).
LANE_B=(test/invariant test/coordination test/bench test/isms test/core)
forge_build() {
  forge build contracts
  rm -rf out_lane cache_lane
  cp -a out out_lane
  cp -a cache_forge cache_lane
  local lane_log
  lane_log=$(mktemp)
  (
    set -e
    for dir in "${LANE_B[@]}"; do FOUNDRY_OUT=out_lane FOUNDRY_CACHE_PATH=cache_lane forge build "$dir"; done
  ) >"$lane_log" 2>&1 &
  local lane_pid=$! lane_status=0 status=0
  for dir in test/adapters/*/ test/aggregation; do
    forge build "$dir" || status=$?
  done
  wait "$lane_pid" || lane_status=$?
  cat "$lane_log"
  rm -f "$lane_log"
  if [ "$lane_status" = 0 ]; then
    node scripts/merge-forge-cache.mjs out_lane cache_lane
  else
    echo "build: forge lane B failed (exit $lane_status); the final build compiles its part again" >&2
  fi
  rm -rf out_lane cache_lane
  [ "$status" = 0 ] || return "$status"
  forge build
}
# Hardhat's build, the SDK's generated constants (read from Hardhat's artifacts only) and the TypeScript package.
hardhat_lane() {
  hardhat build --quiet
  node scripts/gen-sdk.mjs
  rm -rf sdk/dist # npm pack ships dist/: no stale modules from an earlier layout
  tsc -p sdk/tsconfig.json
}
if [ "${BUILD_SKIP_FORGE:-0}" = 1 ]; then
  hardhat_lane
  exit 0
fi
# solcjs is single-threaded: the Hardhat lane runs beside the forge batches (its own artifacts/ and cache/), so on two
# cores it costs no wall time. Its output is shown when it ends, never interleaved with forge's.
lane_log=$(mktemp)
hardhat_lane >"$lane_log" 2>&1 &
lane_pid=$!
forge_status=0
forge_build || forge_status=$?
lane_status=0
wait "$lane_pid" || lane_status=$?
cat "$lane_log"
rm -f "$lane_log"
if [ "$lane_status" != 0 ]; then echo "build: the Hardhat/SDK lane failed (exit $lane_status)" >&2; fi
if [ "$forge_status" != 0 ]; then echo "build: the forge build failed (exit $forge_status)" >&2; fi
[ "$forge_status" = 0 ] && [ "$lane_status" = 0 ]
