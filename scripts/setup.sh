#!/usr/bin/env bash
# Sets a fresh clone up: Node 22 toolchain + npm dependencies, Solidity and TypeScript builds, and
# the slither virtualenv. Idempotent: a second run only checks stamps and rebuilds what changed.
#
# Why not a plain `npm install`: these machines ship Node 20, Hardhat 3 needs Node >= 22.13, and npm
# running under Node 20 silently skips Hardhat's native EDR package (it declares Node >= 22). So the
# install itself runs under Node 22 taken from the npm registry (`npm exec --package=node@…`), and
# the project's devDependency `node` puts Node 22 at node_modules/.bin/node for every later step.
#
# `setup.sh --demo` (used by `npm start`) prepares only what the demo needs: dependencies, the Hardhat build and
# the TypeScript build; it skips PostgreSQL, the slither virtualenv and the forge build (tests only).
# `setup.sh --no-build` (used by `npm test`) installs everything but leaves the build to the test suite's gate.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO_ONLY=0
NO_BUILD=0
case "${1:-}" in
  --demo) DEMO_ONLY=1 ;;
  --no-build) NO_BUILD=1 ;; # `npm test`: the test suite's own build gate compiles (once, not twice)
esac
NODE_PKG="node@22.23.3"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

stamp_of() { cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1; }
STAMP_FILE=node_modules/.concord-install-stamp

need_install=0
if [ ! -x node_modules/.bin/node ] || [ ! -f "$STAMP_FILE" ] || [ "$(cat "$STAMP_FILE")" != "$(stamp_of)" ]; then
  need_install=1
elif ! node_modules/.bin/node -e 'require.resolve("@nomicfoundation/edr")' >/dev/null 2>&1; then
  need_install=1
fi
if [ "$need_install" = 1 ]; then
  log "installing npm dependencies under Node 22 (first run takes ~2 min)"
  # `npm ci` cannot be used: the lockfile lacks other platforms' optional @foundry-rs packages that
  # this registry does not serve; `npm install` reproduces the locked tree.
  npm exec --yes --package="$NODE_PKG" -- npm install --no-audit --no-fund --loglevel=error
  # Check the platform package Hardhat needs really arrived (the Node-20 pitfall).
  if ! node_modules/.bin/node -e 'require("@nomicfoundation/edr")' >/dev/null 2>&1; then
    echo "setup: Hardhat's EDR native package is missing after install; delete node_modules and re-run" >&2
    exit 1
  fi
  stamp_of > "$STAMP_FILE"
fi
source scripts/env.sh

if [ "$DEMO_ONLY" = 1 ]; then
  log "building for the demo (hardhat + sdk; the forge build is part of the test setup)"
  BUILD_SKIP_FORGE=1 bash scripts/build.sh
  log "ready: node $(node --version)"
  exit 0
fi

# PostgreSQL server binaries, for the relayer's multi-instance store test (test/ts/agents-postgres.test.ts starts
# and stops its own throwaway server). Installed only when missing (the Debian package).
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing PostgreSQL (apt-get install postgresql)"
    apt-get install -y postgresql >/dev/null || { apt-get update >/dev/null && apt-get install -y postgresql >/dev/null; }
  else
    log "PostgreSQL not found: run \`sudo apt-get install -y postgresql\` to run the relayer's PostgreSQL test"
  fi
fi

# Python virtualenv for slither (static analysis gate), pinned by requirements-analysis.txt.
VENV_STAMP=.venv/.concord-stamp
if [ ! -x .venv/bin/slither ] || [ "$(cat "$VENV_STAMP" 2>/dev/null)" != "$(sha256sum requirements-analysis.txt | cut -d' ' -f1)" ]; then
  log "creating .venv with slither (PyPI)"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-analysis.txt
  sha256sum requirements-analysis.txt | cut -d' ' -f1 > "$VENV_STAMP"
fi

if [ "$NO_BUILD" = 1 ]; then
  log "ready (the build runs as the test suite's first compile gate)"
  exit 0
fi
log "building contracts (forge + hardhat, typechain-types/)"
bash scripts/build.sh
log "ready: node $(node --version), $(forge --version | head -1)"
