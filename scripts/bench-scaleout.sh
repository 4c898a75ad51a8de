#!/usr/bin/env bash
# Whole-relay benchmarks of the PostgreSQL deployments, in one run on this machine:
#   (b) `nostpp relay` on PostgreSQL
#   (c) `nostpp event-handler` on PostgreSQL + Redis with two `websocket-handler`s
# ingest and REQ through one handler, and live fan-out with subscribers on one handler and the
# publisher on the other (delivery across handlers through Redis). Private PostgreSQL and
# Redis servers on loopback (scripts/test-server.sh); every phase is time-bounded; every
# process is stopped by PID.
#   scripts/bench-scaleout.sh [path/to/nostpp]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=$(realpath "${1:-build/nostpp}")
setup_bench_servers
fresh_db() {  # fresh_db NAME -> URL of a new empty database
  createdb --maintenance-db "$pg" "$1"
  echo "${pg%/postgres}/$1"
}

start() {  # start NAME ARGS... -> sets $port
  local name=$1
  shift
  port=$(free_port)
  "$bin" "$@" --bind 127.0.0.1 --port "$port" --log-level warn 2>"$dir/$name.log" &
  pids+=($!)
  wait_for_port "$port" 20 || { echo "$name did not start"; cat "$dir/$name.log"; exit 1; }
}
bench() { timeout 600 "$bin" bench --url "ws://127.0.0.1:$ws_port" --seed 1 "$@"; }
rss() {  # resident memory and CPU time of every running role and server, after a phase
  local p
  for p in "${pids[@]}" "$(cat "$dir/redis/pid")"; do
    ps -o rss=,cputime=,args= -p "$p" | awk '{printf "RSS %6.1f MiB  CPU %s  %s %s\n", $1/1024, $2, $3, $4}'
  done
  local pm
  pm=$(cat "$dir/pg/pid")
  { ps -o rss= -p "$pm"; ps -o rss= --ppid "$pm"; } |
    awk '{s+=$1} END {printf "RSS %6.1f MiB  postgres (postmaster + backends, incl. shared buffers)\n", s/1024}' 
}
stop_all() { for p in "${pids[@]}"; do stop_pid "$p"; done; pids=(); }
workloads() {
  bench --workload ingest --events 100000 --connections 16 --window 256 --duration 60
  bench --workload req --preload 100000 --requests 100000 --duration 30
}

echo "== $(nproc) cores, $(uname -r), $("$bin" version), $(psql --version), $(redis-server --version | cut -d' ' -f1-3)"

echo "== (b) relay on PostgreSQL"
start relay relay --database-url "$(fresh_db bench_b)"
ws_port=$port
workloads
rss
stop_all

echo "== (c) websocket-handler x2 + event-handler on PostgreSQL + Redis"
start event-handler event-handler --database-url "$(fresh_db bench_c)" --redis-url "$redis"
eh=$port
start ws1 websocket-handler --event-handler-url "http://127.0.0.1:$eh" --redis-url "$redis"
ws_port=$port
start ws2 websocket-handler --event-handler-url "http://127.0.0.1:$eh" --redis-url "$redis"
ws2_port=$port
workloads
for rate in 50 200; do
  bench --workload fanout --subscribers 200 --rate "$rate" --events $((rate * 10)) --duration 30 \
    --publish-url "ws://127.0.0.1:$ws2_port"
done
rss
echo "== (c) query cache off, REQ only"
stop_all
start event-handler event-handler --database-url "${pg%/postgres}/bench_c" --redis-url "$redis" --query-cache false
eh=$port
start ws1 websocket-handler --event-handler-url "http://127.0.0.1:$eh" --redis-url "$redis"
ws_port=$port
bench --workload req --no-preload --preload 100000 --requests 100000 --duration 30
stop_all
