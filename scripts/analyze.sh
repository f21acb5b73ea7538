#!/usr/bin/env bash
# Static analysis gate: slither over a dedicated forge build (profile `analysis`), then
# scripts/slither-gate.mjs fails on any Medium/High finding that is not triaged in
# audits/slither-triage.json (each entry carries the reason; audits/SLITHER.md explains them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
if [ ! -x .venv/bin/slither ]; then
  echo "analyze: .venv/bin/slither missing: run 'npm run setup' first" >&2
  exit 1
fi
# Only contracts/ (and what it imports): test helpers that deploy other protocols (e.g. Hyperlane) stay out.
# ANALYZE_SKIP_BUILD=1: the caller has just made that build (scripts/test-all.sh compiles it in the background).
if [ "${ANALYZE_SKIP_BUILD:-0}" != 1 ]; then
  FOUNDRY_PROFILE=analysis forge build --force --skip test --skip script >/dev/null
fi
mkdir -p out_analysis
report=out_analysis/slither.json
rm -f "$report"
# slither exits non-zero when it finds anything; the gate below decides.
.venv/bin/slither . --config-file slither.config.json --json "$report" >out_analysis/slither.log 2>&1 || true
if [ ! -s "$report" ]; then
  cat out_analysis/slither.log >&2
  echo "analyze: slither produced no report" >&2
  exit 1
fi
node scripts/slither-gate.mjs "$report" audits/slither-triage.json
