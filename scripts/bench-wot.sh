#!/usr/bin/env bash
# What the Web of Trust check costs on ingest: `nostpp bench --workload ingest` against a
# fresh relay with the gate off, then with it on, where the bench's 100 authors are in the
# trust set through the admin's follow list (so every event pays the real set lookup), in
# alternation (off, on, off, on, ...) within one run. Prints each run and the medians.
#   scripts/bench-wot.sh [path/to/nostpp] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=$(realpath "${1:-build/nostpp}")
rounds=${2:-3}
seed=11
dir=$(mktemp -d)
relay=""
cleanup() { [[ -n "$relay" ]] && stop_pid "$relay"; rm -rf "$dir"; }
trap cleanup EXIT

[[ -d tests/e2e/node_modules ]] || (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
authors=$("$bin" bench --seed "$seed" --print-authors)
node tests/e2e/tools/follow-list.mjs "$authors" > "$dir/admin-list.jsonl" 2> "$dir/admin"
admin=$(cat "$dir/admin")

run() {  # run off|on N: one ingest run on a fresh store; prints events/s
  local mode=$1 n=$2 data="$dir/data-$1-$2" args=()
  if [[ $mode == on ]]; then
    "$bin" import --data-dir "$data" < "$dir/admin-list.jsonl" > /dev/null 2>&1
    args=(--admin-pubkey "$admin" --wot-depth 1)
  else
    args=(--wot-enabled false)
  fi
  local port; port=$(free_port)
  "$bin" relay --bind 127.0.0.1 --port "$port" --data-dir "$data" --log-level warn "${args[@]}" &
  relay=$!
  wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }
  sleep 1  # the first build (one stored list) is done long before this
  timeout 300 "$bin" bench --url "ws://127.0.0.1:$port" --workload ingest --seed "$seed" \
    --events 50000 --connections 16 --window 256 --duration 60 > "$dir/out-$mode-$n"
  stop_pid "$relay"; relay=""
  grep '^BENCH_JSON ' "$dir/out-$mode-$n" | grep -q '"clean":true}$' ||
    { echo "run $mode $n was not clean:"; cat "$dir/out-$mode-$n"; exit 1; }
  grep -oE '"events_per_sec":[0-9.]+' "$dir/out-$mode-$n" | head -1 | cut -d: -f2
}

echo "== $(nproc) cores, $("$bin" version); ingest 50,000 events, 16 connections x 256 in flight"
: > "$dir/off"; : > "$dir/on"
for ((i = 1; i <= rounds; i++)); do
  off=$(run off "$i"); echo "round $i: WoT off $off events/s"; echo "$off" >> "$dir/off"
  on=$(run on "$i");   echo "round $i: WoT on  $on events/s"; echo "$on" >> "$dir/on"
done
echo "median: WoT off $(median < "$dir/off") events/s, WoT on $(median < "$dir/on") events/s"
