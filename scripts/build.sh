#!/usr/bin/env bash
# Compiles contracts/ with both forge and Hardhat (one tree, one remappings.txt) and regenerates the
# ethers-v6 bindings in typechain-types/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
forge build
hardhat build --quiet 2>/dev/null || hardhat build
tsc -p sdk/tsconfig.json
