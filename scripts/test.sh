#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what the tests need (PostgreSQL and Redis
# included), builds the release and the ASan+UBSan flavours, and runs unit + store tests
# (ctest, starting private PostgreSQL/Redis servers as fixtures), static checks of the
# deployment files, the end-to-end suite with nostr-tools against all three deployments, the
# metrics and logs checked with a real Prometheus server, a bounded libFuzzer run of the
# parsers, and a bounded smoke run of the load benchmark.
# Every phase runs even if an earlier one failed; the exit status is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
logs="$root/build/test-logs"
mkdir -p "$logs"

passed=0 failed=0 failed_phases=()

count_results() {  # adds the test counts a phase's log reports
  local log=$1 p f
  if grep -qE 'tests passed, [0-9]+ tests failed out of' "$log"; then
    read -r f total < <(grep -oE '[0-9]+ tests failed out of [0-9]+' "$log" | tail -1 | awk '{print $1, $6}')
    passed=$((passed + total - f)); failed=$((failed + f))
  fi
  if grep -qE '^# pass [0-9]+' "$log"; then
    p=$(grep -oE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s}')
    f=$(grep -oE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s}')
    passed=$((passed + p)); failed=$((failed + ${f:-0}))
  fi
}

phase() {  # phase NAME COMMAND...
  local name=$1; shift
  local log="$logs/$name.log"
  echo "=== $name"
  local start=$SECONDS
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  count_results "$log"
  if [[ $status -eq 0 ]]; then
    echo "=== $name: ok ($((SECONDS - start)) s)"
  else
    echo "=== $name: FAILED with status $status ($((SECONDS - start)) s)"
    failed_phases+=("$name")
    # a phase that failed without reporting a failing test still counts as one failure
    grep -qE 'tests failed out of|^# fail [1-9]' "$log" || failed=$((failed + 1))
  fi
}

phase deps ./scripts/install-deps.sh --test
phase build ./scripts/build.sh release
phase unit-and-store ctest --test-dir build --output-on-failure --timeout 300
phase deploy-checks tests/deploy/check_deploy.py "$root/build/nostpp"

# Private PostgreSQL and Redis for the end-to-end runs on PostgreSQL and the scale-out
# deployment; stopped by PID when this script exits, also when a phase failed.
servers="$root/build/test-servers/e2e"
stop_servers() {
  ./scripts/test-server.sh redis stop "$servers/redis" >/dev/null 2>&1
  ./scripts/test-server.sh postgres stop "$servers/postgres" >/dev/null 2>&1
}
trap stop_servers EXIT
start_servers() {
  ./scripts/test-server.sh postgres start "$servers/postgres" &&
    ./scripts/test-server.sh redis start "$servers/redis"
}
phase e2e-servers start_servers
e2e_db=(NOSTPP_E2E_DATABASE_URL="$(cat "$servers/postgres/url" 2>/dev/null)"
        NOSTPP_E2E_PG_DIR="$servers/postgres")
e2e_redis=(NOSTPP_E2E_REDIS_URL="$(cat "$servers/redis/url" 2>/dev/null)"
           NOSTPP_E2E_REDIS_DIR="$servers/redis")
scaleout_files=(tests/e2e/*.test.js tests/e2e/scaleout/*.test.js)

# The same end-to-end suite against the three deployments: (a) relay on LMDB, (b) relay on
# PostgreSQL, (c) websocket-handler + event-handler + PostgreSQL + Redis (plus the tests that
# only exist there: two handlers, Redis and PostgreSQL restarts).
phase e2e env NOSTPP_BIN="$root/build/nostpp" tests/e2e/run.sh
phase e2e-postgres env NOSTPP_BIN="$root/build/nostpp" "${e2e_db[@]}" tests/e2e/run.sh
phase e2e-scaleout env NOSTPP_BIN="$root/build/nostpp" NOSTPP_E2E_DEPLOYMENT=split \
  "${e2e_db[@]}" "${e2e_redis[@]}" tests/e2e/run.sh "${scaleout_files[@]}"
# libFuzzer on the client-message parser, the filter parser and the event validator
# (build-fuzz/, clang + ASan + UBSan), 60 s each; every run is logged in docs/fuzzing-log.md.
phase fuzz ./scripts/fuzz.sh 60
# Metrics scraped by a real Prometheus server (relay, then websocket-handler + event-handler),
# the Grafana dashboard's metrics and queries, and the JSON logs with no secret in them.
phase observability timeout 120 env NOSTPP_BIN="$root/build/nostpp" "${e2e_db[@]}" \
  "${e2e_redis[@]}" tests/e2e/run.sh tests/e2e/observability/*.test.js
phase bench-smoke ./scripts/bench-smoke.sh "$root/build/nostpp"
phase build-asan ./scripts/build.sh asan
phase unit-and-store-asan ctest --test-dir build-asan --output-on-failure --timeout 600
# NOSTPP_E2E_SANITIZED: the few timing bounds of the suite (13-hostile-load) are wider there.
phase e2e-asan env NOSTPP_BIN="$root/build-asan/nostpp" NOSTPP_E2E_SANITIZED=1 tests/e2e/run.sh
phase e2e-scaleout-asan env NOSTPP_BIN="$root/build-asan/nostpp" NOSTPP_E2E_SANITIZED=1 \
  NOSTPP_E2E_DEPLOYMENT=split \
  "${e2e_db[@]}" "${e2e_redis[@]}" tests/e2e/run.sh "${scaleout_files[@]}"

echo
if ((${#failed_phases[@]})); then
  echo "failed phases: ${failed_phases[*]}"
fi
echo "summary: $passed passed, $failed failed"
[[ ${#failed_phases[@]} -eq 0 ]]
