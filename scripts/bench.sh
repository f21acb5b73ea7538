#!/usr/bin/env bash
# `npm run bench`: runs every gas benchmark under test/bench (full-transaction gas needs --isolate), then merges
# bench/raw/*.json into bench/results.json and bench/results.md. Fails loudly if a bench fails or any expected
# system/scenario row is missing (Concord rows are required: pass --allow-missing-concord while they do not exist).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
require=(--require concord)
if [ "${1:-}" = "--allow-missing-concord" ]; then require=(); fi
evm_version=$(forge config --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).evm_version))')
echo "EVM version: ${evm_version}"
rm -f bench/raw/*.json
forge test --isolate --match-path 'test/bench/*' -vv
node scripts/bench-report.mjs "${require[@]}" --evm-version "${evm_version}"
