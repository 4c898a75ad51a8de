#!/usr/bin/env bash
# Where the CPU goes, per unit of work, in the whole-relay workloads of docs/benchmarks.md:
# relay CPU split by thread (the threads are named: nostpp-writer, nostpp-query, nostpp-bus
# (live fan-out), the I/O threads nostpp/nostpp-io) and the load client's CPU, each divided by the events, REQs or
# deliveries of the phase. The client's CPU is counted from the end of its presigning.
# Their sum bounds the rate two cores can reach with the load client on the same machine:
# ceiling = 2 cores / (relay + client CPU per unit). Bounded: each phase has a time limit.
#   scripts/bench-budget.sh [path/to/nostpp]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=${1:-build/nostpp}
dir=$(mktemp -d)
relay=""
client=""
cleanup() {
  [[ -n "$client" ]] && kill "$client" 2>/dev/null || true
  [[ -n "$relay" ]] && stop_pid "$relay"
  rm -rf "$dir"
}
trap cleanup EXIT
tick_us=$((1000000 / $(getconf CLK_TCK)))

# utime+stime in clock ticks of a process or one of its threads.
ticks() { awk '{print $14 + $15}' "$1/stat" 2>/dev/null || echo 0; }

# Bytes the relay caused to be written to the disk (page-cache writeback included).
written_bytes() { awk '/^write_bytes/ {print $2}' /proc/"$relay"/io; }

# "writer query bus io" ticks of the relay's threads (io: every other thread).
relay_ticks() {
  local writer=0 query=0 bus=0 io=0 task name t
  for task in /proc/"$relay"/task/*; do
    name=$(cat "$task/comm" 2>/dev/null || echo gone)
    t=$(ticks "$task")
    case "$name" in
      nostpp-writer) writer=$((writer + t)) ;;
      nostpp-query) query=$((query + t)) ;;
      nostpp-bus) bus=$((bus + t)) ;;
      *) io=$((io + t)) ;;
    esac
  done
  echo "$writer $query $bus $io"
}

# Runs one bench phase; prints its summary line and the CPU per unit (events acknowledged,
# REQs answered or events delivered, as the summary line counts them).
#   phase <label> <bench options...>
phase() {
  local label=$1
  shift
  local out="$dir/$label.out"
  timeout 300 "$bin" bench --url "ws://127.0.0.1:$port" --relay-pid "$relay" --seed 7 "$@" \
    > "$out" 2>&1 &
  client=$!
  local bench_pid=""
  while [[ -z "$bench_pid" ]] && kill -0 "$client" 2>/dev/null; do
    bench_pid=$(pgrep -P "$client" || true)
  done
  # The presign line ends the signing, which is the client's work, not the relay's.
  while ! grep -q '^presign' "$out" && kill -0 "$client" 2>/dev/null; do sleep 0.02; done
  local c0 r0 c1=0 w0 w1
  c0=$(ticks /proc/"$bench_pid")
  w0=$(written_bytes)
  read -r -a r0 <<< "$(relay_ticks)"
  # Sampled until it exits (its /proc entry goes with it); a failed read counts as 0.
  local sample
  while kill -0 "$client" 2>/dev/null; do
    sample=$(ticks /proc/"$bench_pid")
    ((sample > c1)) && c1=$sample
    sleep 0.02
  done
  wait "$client" || { cat "$out"; echo "$label: bench failed"; exit 1; }
  client=""
  local r1
  read -r -a r1 <<< "$(relay_ticks)"
  w1=$(written_bytes)
  grep -E "^(ingest|req|fanout):" "$out"
  local units
  units=$(sed -nE 's/^(ingest|req): ([0-9]+)\/.*/\2/p; s/^fanout: .* ([0-9]+) deliveries.*/\1/p' "$out")
  [[ "${units:-0}" -gt 0 ]] || { echo "$label: no units counted"; exit 1; }
  local writer=$(( (r1[0] - r0[0]) * tick_us )) query=$(( (r1[1] - r0[1]) * tick_us ))
  local bus=$(( (r1[2] - r0[2]) * tick_us )) io=$(( (r1[3] - r0[3]) * tick_us ))
  local cl=$(( (c1 - c0) * tick_us ))
  awk -v l="$label" -v n="$units" -v w="$writer" -v q="$query" -v b="$bus" -v i="$io" \
    -v c="$cl" -v d="$((w1 - w0))" 'BEGIN {
    r = (w + q + b + i) / n; k = c / n
    printf "BUDGET %-6s per unit: relay %.1f us (io %.1f, bus %.1f, writer %.1f, query %.1f), client %.1f us, disk writes %.0f bytes; ceiling on 2 cores %.0f/s\n",
      l, r, i / n, b / n, w / n, q / n, k, d / n, 2e6 / (r + k) }'
}

port=$(free_port)
"$bin" relay --bind 127.0.0.1 --port "$port" --data-dir "$dir/data" --log-level warn &
relay=$!
wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }
echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$bin" version)"

phase ingest --workload ingest --events 100000 --connections 16 --window 256 --duration 60
# The REQ mix's dataset: loaded first, then the REQs are measured on their own.
timeout 300 "$bin" bench --url "ws://127.0.0.1:$port" --relay-pid "$relay" --seed 7 \
  --workload req --preload 100000 --requests 100 --duration 60 > /dev/null
phase req --workload req --no-preload --requests 100000 --duration 60
phase fanout --workload fanout --subscribers 500 --rate 50 --events 400 --duration 30
