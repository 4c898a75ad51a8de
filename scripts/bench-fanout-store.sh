#!/usr/bin/env bash
# Live fan-out of `nostpp relay` (LMDB) on an empty store and on one holding N events
# (docs/benchmarks.md): each event of the fan-out workload is a commit of its own, and what a
# single-event commit costs depends on how large the store's B-trees are. For each run it
# prints the fan-out latencies and the mean commit time of the fan-out's own commits (from
# nostpp_commit_duration_seconds, read before and after it). Runs alternate between the two
# stores, each on a fresh relay stopped by PID.
#   scripts/bench-fanout-store.sh [BIN] [--rounds N] [--preload N]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=build/nostpp rounds=2 preload=100000
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift ;;
    --preload) preload=$2; shift ;;
    *) bin=$1 ;;
  esac
  shift
done
dir=$(mktemp -d)
relay=""
cleanup() { [[ -n "$relay" ]] && stop_pid "$relay"; rm -rf "$dir"; }
trap cleanup EXIT

commit_totals() {
  curl -s -H 'Accept: text/plain' "http://127.0.0.1:$port/metrics" |
    awk '/^nostpp_commit_duration_seconds_(sum|count) / {printf "%s ", $2}'
}

echo "== $(nproc) cores, $(uname -r), $("$bin" version); $rounds rounds; preload $preload"
for ((round = 1; round <= rounds; round++)); do
  for events in 0 "$preload"; do
    port=$(free_port)
    rm -rf "$dir/data"
    "$bin" relay --bind 127.0.0.1 --port "$port" --data-dir "$dir/data" --log-level warn &
    relay=$!
    wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }
    if ((events > 0)); then
      timeout 300 "$bin" bench --url "ws://127.0.0.1:$port" --seed 1 --workload req \
        --preload "$events" --requests 20000 --duration 30 >/dev/null
    fi
    read -r sum0 count0 <<<"$(commit_totals)"
    line=$(timeout 120 "$bin" bench --url "ws://127.0.0.1:$port" --seed 1 --workload fanout \
      --subscribers 500 --rate 50 --events 400 --duration 30 | grep -E '^fanout: ')
    read -r sum1 count1 <<<"$(commit_totals)"
    stop_pid "$relay"; relay=""
    commit=$(awk -v a="$sum0" -v b="$sum1" -v c="$count0" -v d="$count1" \
      'BEGIN {printf "%.3f ms over %d commits", 1000 * (b - a) / (d - c), d - c}')
    echo "round $round, $events events stored: commit $commit | ${line#fanout: }"
  done
done
