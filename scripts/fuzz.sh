#!/usr/bin/env bash
# Builds the libFuzzer harnesses (build-fuzz/: clang, coverage + ASan + UBSan on the whole tree)
# and runs each one for a bounded time, one after the other.
#   scripts/fuzz.sh [seconds-per-harness] [harness...]     (default: 60 s, every harness)
# Harnesses: client_message, filter, event (tests/fuzz/fuzz_<name>.cpp). Each starts from its
# checked-in seeds (tests/fuzz/corpus/<name>/) plus what earlier runs found
# (build-fuzz/corpus/<name>/, not checked in). Any crash, property violation, sanitizer report,
# leak, slow input (-timeout) or memory blow-up (-rss_limit_mb) fails the run; libFuzzer saves
# the input under build-fuzz/artifacts/<name>/ (replay: build-fuzz/tests/fuzz/fuzz_<name> FILE).
# Every run appends a line to docs/fuzzing-log.md: date, commit, harness, seconds, executions.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(client_message filter event)
dir=build-fuzz
log=docs/fuzzing-log.md

if [[ ! -f "$dir/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNOSTPP_FUZZ=ON -DNOSTPP_WERROR=ON -DNOSTPP_BENCHMARKS=OFF -DBUILD_TESTING=OFF
fi
ninja -C "$dir" -j "$(nproc)" "${harnesses[@]/#/fuzz_}"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+changes"
status=0
for harness in "${harnesses[@]}"; do
  work="$dir/corpus/$harness" artifacts="$dir/artifacts/$harness"
  mkdir -p "$work" "$artifacts"
  output="$dir/fuzz-$harness.log"
  echo "fuzz: $harness for ${seconds}s"
  started=$SECONDS
  result=ok
  # -timeout: one input may take at most 10 s; -rss_limit_mb: the process stays under 2 GiB
  # (ASan included); -max_len: room for the 10,000-level nesting seeds.
  "$dir/tests/fuzz/fuzz_$harness" "$work" "tests/fuzz/corpus/$harness" \
    -dict=tests/fuzz/nostr.dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=24576 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$output" 2>&1 || result=FAILED
  executions=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$output" | awk '{print $2}')
  elapsed=$((SECONDS - started))
  echo "| $(date -u '+%Y-%m-%d %H:%M') | $commit | $harness | $elapsed | ${executions:-0} | $result |" >>"$log"
  echo "fuzz: $harness: $result, ${executions:-0} executions in ${elapsed}s (log: $output)"
  if [[ $result != ok ]]; then
    grep -E 'ERROR|SUMMARY|fuzz property violated|Test unit written|==[0-9]+==' "$output" | head -40
    tail -30 "$output"
    status=1
  fi
done
total=$(awk -F'|' '$5 ~ /^ *[0-9]+ *$/ {s += $5} END {printf "%.1f", s / 3600}' "$log")
echo "fuzz: $total hours recorded in $log"
exit "$status"
