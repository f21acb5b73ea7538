#!/usr/bin/env bash
# The README's main job: `concord demo`. Starts three local anvil chains, deploys and wires Concord on them, runs
# 15 validator agents (3-of-5 per origin) and a relayer, sends messages in every direction (one fails at its
# recipient and is retried), runs swap-and-bridge twice (settled / compensated) and a multi-hop flow A -> B -> C,
# prints every lifecycle, and stops everything. The gas benchmark is `npm run bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
exec node sdk/dist/cli/concord.js demo "$@"
