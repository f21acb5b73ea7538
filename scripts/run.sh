#!/usr/bin/env bash
# Runs one command with the project's toolchain on PATH (see scripts/env.sh), e.g.
# `bash scripts/run.sh forge test -vv`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec "$@"
