#!/usr/bin/env bash
# Runs the end-to-end suite against a real nostpp binary.
#   tests/e2e/run.sh [test files...]       (default: every *.test.js here)
# Env: NOSTPP_BIN (default ../../build/nostpp relative to this directory), E2E_SEED.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Resolve a relative NOSTPP_BIN against the caller's directory before changing directory.
if [[ -n "${NOSTPP_BIN:-}" && "${NOSTPP_BIN}" != /* ]]; then
  NOSTPP_BIN="$(pwd)/${NOSTPP_BIN}"
fi
export NOSTPP_BIN="${NOSTPP_BIN:-$here/../../build/nostpp}"

# Resolve test file arguments against the caller's directory too.
files=()
for f in "$@"; do
  if [[ "$f" != /* ]]; then f="$(pwd)/$f"; fi
  files+=("$f")
done

cd "$here"

# Install node deps with `npm ci` when node_modules is missing or older than the lockfile.
stamp="node_modules/.package-lock.json"
if [[ ! -d node_modules || ! -f "$stamp" || package-lock.json -nt "$stamp" || package.json -nt "$stamp" ]]; then
  echo "e2e: installing node dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

if [[ ! -x "$NOSTPP_BIN" ]]; then
  echo "e2e: relay binary not found or not executable: $NOSTPP_BIN (set NOSTPP_BIN)" >&2
  exit 2
fi

if [[ ${#files[@]} -eq 0 ]]; then
  shopt -s nullglob
  files=("$here"/*.test.js)
fi

# One file at a time (each starts its own relay); a hard per-test timeout keeps it bounded.
status=0
node --test --test-concurrency=1 --test-timeout=90000 --test-force-exit "${files[@]}" || status=$?
exit "$status"
