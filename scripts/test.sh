#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what the tests need, builds the release and
# the ASan+UBSan flavours, and runs unit + store tests (ctest), the end-to-end suite with
# nostr-tools against a real relay, and a bounded smoke run of the load benchmark.
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
phase e2e env NOSTPP_BIN="$root/build/nostpp" tests/e2e/run.sh
phase bench-smoke ./scripts/bench-smoke.sh "$root/build/nostpp"
phase build-asan ./scripts/build.sh asan
phase unit-and-store-asan ctest --test-dir build-asan --output-on-failure --timeout 600
phase e2e-asan env NOSTPP_BIN="$root/build-asan/nostpp" tests/e2e/run.sh

echo
if ((${#failed_phases[@]})); then
  echo "failed phases: ${failed_phases[*]}"
fi
echo "summary: $passed passed, $failed failed"
[[ ${#failed_phases[@]} -eq 0 ]]
