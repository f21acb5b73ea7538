#!/usr/bin/env bash
# The whole test suite (README's test command, called by .ci/run). Every gate runs even when an
# earlier one fails, so one run shows everything that is wrong; the exit code is non-zero if any
# gate failed. Gates: format, solhint, eslint, layer rules, build, one bytecode (forge == Hardhat, EIP-170),
# typecheck, forge tests (default profile), gas benchmarks against committed snapshots, TypeScript tests (node:test
# via Hardhat), slither, and a clean working tree (nothing the suite runs may write into the repository).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export FOUNDRY_PROFILE="${FOUNDRY_PROFILE:-default}"
LOGDIR=$(mktemp -d)
failed=()
passed_tests=0
failed_tests=0
start_all=$SECONDS
# What git sees before the suite: a test, the demo or an agent that writes into the repository shows up as a change.
tree_before=$(git status --porcelain --untracked-files=all 2>/dev/null || true)

gate() {
  local name=$1
  shift
  local t0=$SECONDS
  printf '\n\033[1m== %s ==\033[0m\n' "$name"
  if "$@" 2>&1 | tee "$LOGDIR/$name.log"; then
    printf '\033[32m-- %s: ok (%ss)\033[0m\n' "$name" "$((SECONDS - t0))"
  else
    printf '\033[31m-- %s: FAILED (%ss)\033[0m\n' "$name" "$((SECONDS - t0))"
    failed+=("$name")
  fi
}

count_forge() {
  # "Ran N test suites ...: X tests passed, Y failed, Z skipped (T total tests)"
  local line
  line=$(grep -E 'tests passed, [0-9]+ failed' "$LOGDIR/$1.log" | tail -1)
  passed_tests=$((passed_tests + $(sed -E 's/.*: ([0-9]+) tests passed.*/\1/' <<<"${line:-: 0 tests passed}")))
  failed_tests=$((failed_tests + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${line:-0 failed}")))
}

gate format bash -c 'forge fmt --check && prettier --check "**/*.{ts,js,mjs}"'
gate solhint solhint --max-warnings 0 "contracts/**/*.sol"
gate eslint eslint .
gate layers node scripts/check-layers.mjs
# The static-analysis build (profile `analysis`: its own out_analysis/ and cache) compiles in the background from here
# on, using the core the forge batches leave idle; the slither gate waits for it.
FOUNDRY_PROFILE=analysis forge build --force --skip test --skip script >"$LOGDIR/analysis-build.log" 2>&1 &
analysis_pid=$!
gate build bash scripts/build.sh
gate bytecode node scripts/check-bytecode.mjs
gate typecheck tsc --noEmit -p tsconfig.json
gate forge-test forge test --no-match-path 'test/bench/*'
count_forge forge-test
if compgen -G "test/bench/*.t.sol" >/dev/null; then
  gate gas-bench bash scripts/bench-check.sh
  count_forge gas-bench
fi
# TypeScript tests, a few files side by side (scripts/test-ts.mjs); a file that hangs (e.g. a chain leaked by a failed
# hook) is stopped and fails the gate, and the whole gate is bounded too, so nothing stalls CI.
gate ts-test timeout 900 node scripts/test-ts.mjs --no-compile
node_pass=$(grep -Eo '^\s*[0-9]+ passing' "$LOGDIR/ts-test.log" | grep -Eo '[0-9]+' | tail -1)
node_fail=$(grep -Eo '^\s*[0-9]+ failing' "$LOGDIR/ts-test.log" | grep -Eo '[0-9]+' | tail -1)
passed_tests=$((passed_tests + ${node_pass:-0}))
failed_tests=$((failed_tests + ${node_fail:-0}))
analysis_status=0
wait "$analysis_pid" || analysis_status=$?
slither_gate() {
  if [ "$analysis_status" != 0 ]; then
    cat "$LOGDIR/analysis-build.log"
    echo "slither: the analysis build failed (exit $analysis_status)"
    return 1
  fi
  ANALYZE_SKIP_BUILD=1 bash scripts/analyze.sh
}
gate slither slither_gate
clean_tree() {
  local after
  after=$(git status --porcelain --untracked-files=all 2>/dev/null || true)
  if [ "$after" != "$tree_before" ]; then
    echo "the test suite changed the working tree (files written into the repository):"
    diff <(echo "$tree_before") <(echo "$after") || true
    return 1
  fi
  echo "working tree unchanged"
}
gate clean-tree clean_tree

printf '\n== summary (%ss) ==\n' "$((SECONDS - start_all))"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed gates: ${failed[*]}"
  [ "$failed_tests" -gt 0 ] || failed_tests=${#failed[@]}
fi
echo "tests: ${passed_tests} passed, ${failed_tests} failed"
rm -rf "$LOGDIR"
[ ${#failed[@]} -eq 0 ]
