#!/usr/bin/env bash
# The whole-relay ingest and REQ workloads of scripts/bench.sh, run against the split
# deployment: `nostpp event-handler` (LMDB) + `nostpp websocket-handler` pointed at it, both on
# loopback; then the same with batching off (one HTTP request per event and per REQ); then
# `nostpp relay` for comparison, on the same machine in the same run. Bounded: every phase
# has a time limit; every process is stopped by PID.
#   scripts/bench-split.sh [path/to/nostpp] [extra websocket-handler flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=${1:-build/nostpp}
shift || true
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do stop_pid "$p"; done; rm -rf "$dir"; }
trap cleanup EXIT

start() {  # start NAME ARGS... -> sets $port to the new process's port
  local name=$1
  shift
  port=$(free_port)
  "$bin" "$@" --bind 127.0.0.1 --port "$port" --log-level warn 2>"$dir/$name.log" &
  pids+=($!)
  wait_for_port "$port" 20 || { echo "$name did not start"; cat "$dir/$name.log"; exit 1; }
}
bench() { timeout 600 "$bin" bench --url "ws://127.0.0.1:$ws_port" --seed 1 "$@"; }
stop_all() { for p in "${pids[@]}"; do stop_pid "$p"; done; pids=(); }

echo "== $(nproc) cores, $(uname -r), $("$bin" version)"
for deployment in split split-unbatched relay; do
  echo "== $deployment"
  if [[ $deployment == split* ]]; then
    start event-handler event-handler --data-dir "$dir/data-$deployment"
    eh_port=$port
    batching=()
    [[ $deployment == split-unbatched ]] && batching=(--event-batch 1 --query-batch 1)
    start websocket-handler websocket-handler --event-handler-url "http://127.0.0.1:$eh_port" \
      "${batching[@]}" "$@"
  else
    start relay relay --data-dir "$dir/data-relay"
  fi
  ws_port=$port
  bench --workload ingest --events 100000 --connections 16 --window 256 --duration 60
  bench --workload ingest --events 50000 --duration 60
  bench --workload req --preload 100000 --requests 100000 --duration 30
  stop_all
done
