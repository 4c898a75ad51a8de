#!/usr/bin/env bash
# Live fan-out and the REQ mix of `nostpp relay` (LMDB) for two nostpp binaries, alternating in
# one run (docs/benchmarks.md): the machine is noisy, so A and B take turns and each round
# flips the order. Every run starts a fresh relay. Fan-out: 500 subscribers, 50 events/s, 400
# events. REQ: 100,000 events preloaded, then 100,000 REQs of the mix. Besides the bench's
# rates and latencies it prints the relay's CPU time (user + system, from /proc) per delivery
# and per REQ, which moves much less than rates when something else takes the cores. The
# load client is A. Every relay is stopped by PID. --fanout-only skips the REQ mix (a round
# then takes ~25 s instead of ~2 min).
#   scripts/bench-relay-ab.sh A B [--rounds N] [--fanout-only]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bins=() rounds=3 req=1
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift ;;
    --fanout-only) req=0 ;;
    *) bins+=("$(realpath "$1")") ;;
  esac
  shift
done
((${#bins[@]} == 2)) || { echo "usage: $0 A B [--rounds N] [--fanout-only]" >&2; exit 2; }
dir=$(mktemp -d)
relay=""
cleanup() { [[ -n "$relay" ]] && stop_pid "$relay"; rm -rf "$dir"; }
trap cleanup EXIT

start_relay() {  # start_relay BIN -> sets $relay, $port (fresh data directory)
  port=$(free_port)
  rm -rf "$dir/data"
  "$1" relay --bind 127.0.0.1 --port "$port" --data-dir "$dir/data" --log-level warn &
  relay=$!
  wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }
}
stop_relay() { stop_pid "$relay"; relay=""; }
ticks() { awk '{print $14 + $15}' "/proc/$relay/stat"; }
bench() { timeout 300 "${bins[0]}" bench --url "ws://127.0.0.1:$port" --seed 1 "$@"; }
# measure VERB BENCH-ARGS...: one bench run against the relay, which is then stopped; sets
# $line (the run's "VERB: ..." summary) and $used (the relay's CPU ticks during the run).
measure() {
  local verb=$1 before
  shift
  before=$(ticks)
  line=$(bench "$@" | grep -E "^$verb: ")
  used=$(($(ticks) - before))
  stop_relay
}

echo "== $(nproc) cores, $(uname -r); A=${bins[0]} B=${bins[1]}; $rounds rounds"
declare -A fan_cpu fan_p99 req_rate req_cpu
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then order=(0 1); else order=(1 0); fi
  for i in "${order[@]}"; do
    name=$([[ $i == 0 ]] && echo A || echo B)
    start_relay "${bins[$i]}"
    measure fanout --workload fanout --subscribers 500 --rate 50 --events 400 --duration 30
    deliveries=$(sed -E 's/.*: ([0-9]+) deliveries.*/\1/' <<<"$line")
    p99=$(sed -E 's/.*delivery latency p50 [0-9.]+[mu]?s p99 ([0-9.]+)ms.*/\1/' <<<"$line")
    [[ $deliveries =~ ^[0-9]+$ && $deliveries -gt 0 ]] || { echo "no fan-out figure: $line"; exit 1; }
    cpu=$(per_unit_us "$used" "$deliveries" 2)
    echo "round $round $name fan-out: relay CPU $cpu µs/delivery | ${line#fanout: }"
    fan_cpu[$name]+="$cpu " fan_p99[$name]+="$p99 "
    ((req)) || continue

    start_relay "${bins[$i]}"
    bench --workload req --preload 100000 --requests 1 --duration 120 >/dev/null
    measure req --workload req --no-preload --preload 100000 --requests 100000 --duration 60
    req_figures "$line"
    cpu=$(per_unit_us "$used" "$reqs" 1)
    echo "round $round $name REQ: $rate REQ/s, relay CPU $cpu µs/REQ | ${line#req: }"
    req_rate[$name]+="$rate " req_cpu[$name]+="$cpu "
  done
done
for name in A B; do
  echo "$name: fan-out relay CPU µs/delivery ${fan_cpu[$name]}-> median $(median <<<"${fan_cpu[$name]}"); p99 ms ${fan_p99[$name]}-> median $(median <<<"${fan_p99[$name]}")"
  ((req)) || continue
  echo "$name: REQ/s ${req_rate[$name]}-> median $(median <<<"${req_rate[$name]}"); relay CPU µs/REQ ${req_cpu[$name]}-> median $(median <<<"${req_cpu[$name]}")"
done
