#!/usr/bin/env bash
# The live fan-out (500 subscribers, 50 events/s, 400 events) of one nostpp binary measured
# with each of the bench's subscriber clients, taking turns in one run (docs/benchmarks.md):
# lean (frames read straight off the sockets, reader threads under SCHED_BATCH: the
# default), lean-normal (the same, normally scheduled) and beast (Beast's WebSocket stream).
# They share the relay's two cores, so the client's own cost shows in the latency; this
# prints it beside the relay's, as CPU time (user + system) per delivery: the relay's from
# /proc, the bench's from bash's `time` (the whole bench process, its connects included).
# Every run starts a fresh relay, stopped by PID; each round rotates the order.
#   scripts/bench-fanout-clients.sh [BIN] [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=build/nostpp rounds=4
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift ;;
    *) bin=$1 ;;
  esac
  shift
done
bin=$(realpath "$bin")
dir=$(mktemp -d)
relay=""
cleanup() { [[ -n "$relay" ]] && stop_pid "$relay"; rm -rf "$dir"; }
trap cleanup EXIT

echo "== $(nproc) cores, $(uname -r); $bin; $rounds rounds"
declare -A p99s relay_cpu client_cpu
TIMEFORMAT='%U %S'
for ((round = 1; round <= rounds; round++)); do
  clients=(lean lean-normal beast)
  shift_by=$(((round - 1) % 3))
  order=("${clients[@]:shift_by}" "${clients[@]:0:shift_by}")
  for client in "${order[@]}"; do
    case $client in
      lean) args=(--subscriber-client lean --subscriber-sched batch) ;;
      lean-normal) args=(--subscriber-client lean --subscriber-sched normal) ;;
      beast) args=(--subscriber-client beast) ;;
    esac
    port=$(free_port)
    rm -rf "$dir/data"
    "$bin" relay --bind 127.0.0.1 --port "$port" --data-dir "$dir/data" --log-level warn &
    relay=$!
    wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }
    before=$(awk '{print $14 + $15}' "/proc/$relay/stat")
    # A run that misses deliveries exits 1; its line is still printed, and compared.
    { time timeout 300 "$bin" bench --url "ws://127.0.0.1:$port" --seed 1 --workload fanout \
        --subscribers 500 --rate 50 --events 400 --duration 30 "${args[@]}" \
        >"$dir/out" 2>"$dir/err" || true; } 2>"$dir/time"
    used=$(($(awk '{print $14 + $15}' "/proc/$relay/stat") - before))
    stop_pid "$relay"
    relay=""
    line=$(grep -E '^fanout: ' "$dir/out" || true)
    deliveries=$(sed -E 's/.*: ([0-9]+) deliveries.*/\1/' <<<"$line")
    [[ $deliveries =~ ^[0-9]+$ && $deliveries -gt 0 ]] ||
      { echo "no fan-out figure: $line"; cat "$dir/err"; exit 1; }
    p99=$(sed -E 's/.*delivery latency p50 [0-9.]+[mu]?s p99 ([0-9.]+)ms.*/\1/' <<<"$line")
    relay_us=$(per_unit_us "$used" "$deliveries" 2)
    client_us=$(awk -v d="$deliveries" '{printf "%.2f", ($1 + $2) * 1e6 / d}' "$dir/time")
    echo "round $round $client: relay $relay_us µs/delivery, client $client_us µs/delivery | ${line#fanout: }"
    p99s[$client]+="$p99 " relay_cpu[$client]+="$relay_us " client_cpu[$client]+="$client_us "
  done
done
for client in lean lean-normal beast; do
  echo "$client: p99 ms ${p99s[$client]}-> median $(median <<<"${p99s[$client]}"); relay µs/delivery median $(median <<<"${relay_cpu[$client]}"); client µs/delivery median $(median <<<"${client_cpu[$client]}")"
done
