#!/usr/bin/env bash
# The whole-relay benchmark behind docs/benchmarks.md: a fresh relay on loopback, then each
# `nostpp bench` workload with the issue's parameters (ingest, twice; REQ mix on a 100,000-event
# store; fan-out to 500 subscribers; idle connections on a fresh relay for a clean RSS
# figure), then the Google Benchmark micro-benchmarks. Bounded: every phase has a time limit.
#   scripts/bench.sh [path/to/nostpp]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=${1:-build/nostpp}
dir=$(mktemp -d)
relay=""
cleanup() { [[ -n "$relay" ]] && stop_pid "$relay"; rm -rf "$dir"; }
trap cleanup EXIT

start_relay() {
  port=$(free_port)
  "$bin" relay --bind 127.0.0.1 --port "$port" --data-dir "$dir/data-$1" --log-level warn &
  relay=$!
  wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }
}
bench() { timeout 600 "$bin" bench --url "ws://127.0.0.1:$port" --relay-pid "$relay" --seed 1 "$@"; }

echo "== $(nproc) cores, $(uname -r), $("$bin" version)"
start_relay ingest
bench --workload ingest --events 100000 --connections 16 --window 256 --duration 60
bench --workload ingest --events 50000 --duration 60
stop_pid "$relay"; relay=""

# the same 100,000 events as a relay receiving 20,000 events/s sees them: created_at advances
# one second every 20,000 events (above, every event carries the same second)
start_relay ingest-live
bench --workload ingest --events 100000 --connections 16 --window 256 --created-at-rate 20000 \
  --duration 60
stop_pid "$relay"; relay=""

# a fresh relay, so that the REQ mix runs on exactly the 100,000 events it preloads
start_relay req
bench --workload req --preload 100000 --requests 100000 --duration 30
bench --workload fanout --subscribers 500 --rate 50 --events 400 --duration 30
stop_pid "$relay"; relay=""

start_relay idle
bench --workload idle --idle-connections 2000 --duration 20
stop_pid "$relay"; relay=""

if [[ -x build/bench/micro/nostpp_micro_bench ]]; then
  build/bench/micro/nostpp_micro_bench --benchmark_min_time=0.5
fi
