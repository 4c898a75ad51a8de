#!/usr/bin/env bash
# REQ throughput of deployment (c) (websocket-handler + event-handler on PostgreSQL + Redis)
# for two nostpp binaries, alternating in one run (docs/benchmarks.md): the machine is shared
# and noisy, so A and B take turns and each round flips the order. Private PostgreSQL 15 and
# Redis 7 on loopback (scripts/test-server.sh); 100,000 events are loaded once (by A), then
# every run starts A's or B's two roles on that store with an empty Redis (FLUSHALL: every
# run sees the same cache misses), runs `nostpp bench --workload req` for DURATION seconds
# and prints REQ/s and the CPU time (user + system, from /proc) that the event handler, the
# websocket handler, Redis and the PostgreSQL backends spent per REQ: less sensitive than
# REQ/s to what else runs. The load client is A. Every process is stopped by PID.
#   scripts/bench-req-ab.sh A B [--rounds N] [--duration S] [-- EVENT-HANDLER-ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bins=() rounds=3 duration=15 eh_args=()
while (($#)); do
  case $1 in
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    --) shift; eh_args=("$@"); break ;;
    *) bins+=("$(realpath "$1")") ;;
  esac
  shift
done
((${#bins[@]} == 2)) || { echo "usage: $0 A B [--rounds N] [--duration S] [-- ARGS]" >&2; exit 2; }
setup_bench_servers
createdb --maintenance-db "$pg" bench
db="${pg%/postgres}/bench"

start() {  # start BIN NAME ARGS... -> sets $port
  local bin=$1 name=$2
  shift 2
  port=$(free_port)
  "$bin" "$@" --bind 127.0.0.1 --port "$port" --log-level warn 2>>"$dir/$name.log" &
  pids+=($!)
  wait_for_port "$port" 20 || { echo "$name did not start"; cat "$dir/$name.log"; exit 1; }
}
deployment() {  # deployment BIN -> sets $ws_port
  start "$1" event-handler event-handler --database-url "$db" --redis-url "$redis" "${eh_args[@]}"
  start "$1" websocket-handler websocket-handler --event-handler-url "http://127.0.0.1:$port" \
    --redis-url "$redis"
  ws_port=$port
}
stop_all() { for p in "${pids[@]}"; do stop_pid "$p"; done; pids=(); }
server_pids() {  # the roles, Redis, and PostgreSQL's backends (they end with their connections)
  echo "${pids[@]}" "$(cat "$dir/redis/pid")" $(ps --ppid "$(cat "$dir/pg/pid")" -o pid=)
}
cpu_ticks() {
  local p total=0 fields
  for p in $(server_pids); do
    read -ra fields < <(sed -E 's/^.*\) //' "/proc/$p/stat" 2>/dev/null) || continue
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}
bench() { timeout 300 "${bins[0]}" bench --url "ws://127.0.0.1:$ws_port" --seed 1 "$@"; }

echo "== $(nproc) cores, $(uname -r); A=${bins[0]} B=${bins[1]}; $rounds rounds of ${duration}s; event-handler ${eh_args[*]:-(defaults)}"
deployment "${bins[0]}"
bench --workload req --preload 100000 --requests 1 --duration 120 | grep -E '^preload: '
stop_all

declare -A rates cpus
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then order=(0 1); else order=(1 0); fi
  for i in "${order[@]}"; do
    redis-cli -u "$redis" FLUSHALL >/dev/null
    deployment "${bins[$i]}"
    before=$(cpu_ticks)
    line=$(bench --workload req --no-preload --preload 100000 --requests 1000000 \
      --duration "$duration" | grep -E '^req: ' | head -1)
    after=$(cpu_ticks)  # before stopping: PostgreSQL backends end with the connections
    stop_all
    name=$([[ $i == 0 ]] && echo A || echo B)
    req_figures "$line"
    cpu=$(per_unit_us $((after - before)) "$reqs")
    echo "round $round $name: $rate REQ/s, servers' CPU $cpu µs/REQ | $line"
    rates[$name]+="$rate " cpus[$name]+="$cpu "
  done
done
for name in A B; do
  echo "$name: REQ/s ${rates[$name]}-> median $(median <<<"${rates[$name]}"); CPU µs/REQ ${cpus[$name]}-> median $(median <<<"${cpus[$name]}")"
done
