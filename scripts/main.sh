#!/usr/bin/env bash
# The README's main job. The local multi-chain demo (`concord demo`) does not exist yet; until it
# does, the main job is the side-by-side benchmark: it deploys Concord, the real Hyperlane and
# LayerZero V2 contracts and a physical floor in a local EVM, sends and delivers real messages
# through each, and prints/writes the gas table (bench/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/bench.sh
echo
cat bench/results.md
