#!/usr/bin/env bash
# Runs the gas benchmarks (full-transaction gas needs --isolate) and compares the snapshots they
# write under snapshots/ with the committed ones: a difference fails, so gas changes are reviewed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
forge test --isolate --match-path 'test/bench/*' -vv
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && git ls-files --error-unmatch snapshots >/dev/null 2>&1; then
  if ! git diff --exit-code --stat -- snapshots/; then
    echo "gas snapshots differ from the committed ones (diff above): review and commit snapshots/" >&2
    git diff -- snapshots/ >&2
    exit 1
  fi
fi
