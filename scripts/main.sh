#!/usr/bin/env bash
# The README's main job. The local multi-chain demo (`concord demo`, issue 9) does not exist yet;
# until it does, this builds everything and runs the gas benchmarks, which deliver real messages
# through the Concord gateway in a local EVM and print the gas table.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if compgen -G "test/bench/*.t.sol" >/dev/null; then
  forge test --isolate --match-path 'test/bench/*' -vv
else
  echo "No benchmark exists yet: the build above is all the main job does so far."
fi
