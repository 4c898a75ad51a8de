#!/usr/bin/env bash
# Ingest of `nostpp relay` (LMDB) for two nostpp binaries, alternating in one run
# (docs/benchmarks.md): 100,000 events over 16 connections x 256 in flight, each run on a
# fresh relay, each round flipping the order. Besides events/s it prints what moves less with
# the machine's noise: the relay's commit time (nostpp_commit_duration_seconds) and CPU time
# per event, and the bytes it wrote (write(2) and friends, /proc/PID/io wchar) per event.
# --created-at-rate N gives the events created_at runs of N per second (see `nostpp bench
# --help`); the default puts all of them at the same second. The load client is B (the newer
# binary, in the usual order: older nostpp has no --created-at-rate).
#   scripts/bench-ingest-ab.sh A B [--rounds N] [--created-at-rate N]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bins=() rounds=3 created_at_rate=0
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift ;;
    --created-at-rate) created_at_rate=$2; shift ;;
    *) bins+=("$(realpath "$1")") ;;
  esac
  shift
done
((${#bins[@]} == 2)) || { echo "usage: $0 A B [--rounds N] [--created-at-rate N]" >&2; exit 2; }
dir=$(mktemp -d)
relay=""
cleanup() { [[ -n "$relay" ]] && stop_pid "$relay"; rm -rf "$dir"; }
trap cleanup EXIT

events=100000
rate_args=()
if ((created_at_rate > 0)); then rate_args=(--created-at-rate "$created_at_rate"); fi
echo "== $(nproc) cores, $(uname -r); A=${bins[0]} B=${bins[1]}; $rounds rounds; created_at rate $created_at_rate"
declare -A rate commit cpu written
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then order=(0 1); else order=(1 0); fi
  for i in "${order[@]}"; do
    name=$([[ $i == 0 ]] && echo A || echo B)
    port=$(free_port)
    rm -rf "$dir/data"
    "${bins[$i]}" relay --bind 127.0.0.1 --port "$port" --data-dir "$dir/data" --log-level warn &
    relay=$!
    wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }
    line=$(timeout 300 "${bins[1]}" bench --url "ws://127.0.0.1:$port" --seed 1 --workload ingest \
      --events $events --connections 16 --window 256 --duration 60 \
      "${rate_args[@]}" | grep -E '^ingest: ')
    ticks=$(awk '{print $14 + $15}' "/proc/$relay/stat")
    wchar=$(awk '/^wchar:/ {print $2}' "/proc/$relay/io")
    seconds=$(curl -s -H 'Accept: text/plain' "http://127.0.0.1:$port/metrics" |
      awk '/^nostpp_commit_duration_seconds_sum / {print $2}')
    stop_pid "$relay"; relay=""
    r=$(sed -E 's/.* = ([0-9]+) ev\/s.*/\1/' <<<"$line")
    [[ $line == "ingest: $events/$events events OK"* && $r =~ ^[0-9]+$ ]] || { echo "bad run: $line"; exit 1; }
    c=$(awk -v s="$seconds" -v n=$events 'BEGIN {printf "%.1f", s * 1e6 / n}')
    u=$(per_unit_us "$ticks" $events 1)
    w=$(awk -v b="$wchar" -v n=$events 'BEGIN {printf "%.1f", b / n / 1024}')
    echo "round $round $name: $r ev/s, commit $c µs/event, relay CPU $u µs/event, $w KiB written/event | ${line#ingest: }"
    rate[$name]+="$r " commit[$name]+="$c " cpu[$name]+="$u " written[$name]+="$w "
  done
done
for name in A B; do
  echo "$name: ev/s ${rate[$name]}-> median $(median <<<"${rate[$name]}"); commit µs/event ${commit[$name]}-> median $(median <<<"${commit[$name]}"); relay CPU µs/event ${cpu[$name]}-> median $(median <<<"${cpu[$name]}"); KiB written/event ${written[$name]}-> median $(median <<<"${written[$name]}")"
done
