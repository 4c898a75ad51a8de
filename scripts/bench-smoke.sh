#!/usr/bin/env bash
# A short, bounded run of every `nostpp bench` workload against a fresh relay on loopback:
# proves the load generator and the relay work together under load (no rejected, missed or
# unanswered events). Not a measurement: numbers here are too short and too noisy; see
# docs/benchmarks.md for how the real figures are taken.
#   scripts/bench-smoke.sh [path/to/nostpp]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=${1:-build/nostpp}
dir=$(mktemp -d)
port=$(free_port)
"$bin" relay --bind 127.0.0.1 --port "$port" --data-dir "$dir/data" --log-level warn &
relay=$!
trap 'stop_pid $relay; rm -rf "$dir"' EXIT
wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }

timeout 300 "$bin" bench --url "ws://127.0.0.1:$port" --workload all --seed 7 \
  --events 5000 --requests 3000 --preload 5000 --subscribers 100 --rate 500 \
  --idle-connections 200 --relay-pid "$relay" --duration 20 | tee "$dir/bench.out"

# Ingest as a relay at 1,000 events/s sees it: created_at runs that end now, none refused.
timeout 120 "$bin" bench --url "ws://127.0.0.1:$port" --workload ingest --seed 8 \
  --events 3000 --created-at-rate 1000 --duration 20 | tee -a "$dir/bench.out"

# The fan-out's other subscriber client: the run above read with the default, lean.
timeout 120 "$bin" bench --url "ws://127.0.0.1:$port" --workload fanout --seed 10 \
  --subscribers 100 --rate 500 --events 2000 --subscriber-client beast --duration 20 |
  tee -a "$dir/bench.out"

# The floor's kind of reader against the relay (bench/floor): 100 bare WebSocket subscribers
# read while the bench publishes 50 events; it exits non-zero if nothing arrives.
raw_readers=$(dirname "$bin")/bench/nostpp_raw_ws_readers
if [[ -x "$raw_readers" ]]; then
  timeout 60 "$raw_readers" --port "$port" --connections 100 --seconds 4 &
  readers=$!
  sleep 1
  timeout 60 "$bin" bench --url "ws://127.0.0.1:$port" --workload fanout --seed 9 \
    --subscribers 1 --rate 50 --events 50 --duration 10 | grep '^fanout: '
  wait "$readers"
else
  echo "no $raw_readers (benchmarks not built): raw readers not run"
fi

# The machine's fan-out floor (bench/floor): exits non-zero if a message goes missing.
floor=$(dirname "$bin")/bench/nostpp_fanout_floor
if [[ -x "$floor" ]]; then
  for handoff in none each batch asio; do
    timeout 60 "$floor" --events 50 --subscribers 100 --handoff "$handoff"
  done
else
  echo "no $floor (benchmarks not built): floor tool not run"
fi

# The disk's flush floor (bench/floor), each write pattern a few times, in the directory that
# holds the relay's data above.
flush_floor=$(dirname "$bin")/bench/nostpp_flush_floor
if [[ -x "$flush_floor" ]]; then
  for pattern in lmdb fdatasync dsync direct-dsync; do
    timeout 60 "$flush_floor" --pattern "$pattern" --writes 5 --interval-ms 1 --dir "$dir"
  done
else
  echo "no $flush_floor (benchmarks not built): flush floor not run"
fi

[[ $(grep -c '^BENCH_JSON ' "$dir/bench.out") == 3 ]] || { echo "missing BENCH_JSON line"; exit 1; }
if grep '^BENCH_JSON ' "$dir/bench.out" | grep -vq '"clean":true}$'; then
  echo "bench reported problems (see the phase lines above)"
  exit 1
fi
echo "bench smoke: clean"
