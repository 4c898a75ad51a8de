#!/usr/bin/env bash
# Whole-relay benchmarks of the PostgreSQL deployments, in one run on this machine:
#   (b) `nostpp relay` on PostgreSQL
#   (c) `nostpp event-handler` on PostgreSQL + Redis with two `websocket-handler`s
# ingest and REQ through one handler, and live fan-out with subscribers on one handler and the
# publisher on the other (delivery across handlers through Redis). Private PostgreSQL and
# Redis servers on loopback (scripts/test-server.sh); every phase is time-bounded; every
# process is stopped by PID.
# Ingest runs on an empty database; the REQ mix, the fan-out and the cache-off REQ mix on a
# second one that holds exactly the 100,000 events the REQ workload preloads (the core
# issue's "100,000-event store"), settled first (VACUUM ANALYZE, CHECKPOINT): what autovacuum
# and the checkpointer do by themselves within a minute or two of a bulk load. Left to them,
# that work lands in whichever phase comes next (autovacuum of 200,000 fresh rows took 3-4 s
# of CPU in the middle of a fan-out phase). A database is dropped once its phases are done.
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
settle() { psql -q "$1" -c "VACUUM ANALYZE" -c "CHECKPOINT"; }

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
ingest() {
  bench --workload ingest --events 100000 --connections 16 --window 256 --duration 60
}
preload_and_req() {  # preload_and_req DB-URL
  bench --workload req --preload 100000 --requests 1 --duration 120 | grep -E '^preload: '
  settle "$1"
  bench --workload req --no-preload --preload 100000 --requests 100000 --duration 30
}
drop() { dropdb --maintenance-db "$pg" "$1"; psql -q "$pg" -c "CHECKPOINT"; }
split_roles() {  # split_roles DB-URL [EVENT-HANDLER-ARGS...]: event handler + websocket handler 1
  local db=$1
  shift
  start event-handler event-handler --database-url "$db" --redis-url "$redis" "$@"
  eh=$port
  start ws1 websocket-handler --event-handler-url "http://127.0.0.1:$eh" --redis-url "$redis"
  ws_port=$port
}

echo "== $(nproc) cores, $(uname -r), $("$bin" version), $(psql --version), $(redis-server --version | cut -d' ' -f1-3)"

echo "== (b) relay on PostgreSQL"
start relay relay --database-url "$(fresh_db ingest_b)"
ws_port=$port
ingest
stop_all
drop ingest_b
db=$(fresh_db bench_b)
start relay relay --database-url "$db"
ws_port=$port
preload_and_req "$db"
rss
stop_all
drop bench_b

echo "== (c) websocket-handler x2 + event-handler on PostgreSQL + Redis"
split_roles "$(fresh_db ingest_c)"
ingest
stop_all
drop ingest_c
db=$(fresh_db bench_c)
split_roles "$db"
start ws2 websocket-handler --event-handler-url "http://127.0.0.1:$eh" --redis-url "$redis"
ws2_port=$port
preload_and_req "$db"
for rate in 50 200; do
  bench --workload fanout --subscribers 200 --rate "$rate" --events $((rate * 10)) --duration 30 \
    --publish-url "ws://127.0.0.1:$ws2_port"
done
rss
echo "== (c) query cache off, REQ only"
stop_all
settle "$db"
split_roles "$db" --query-cache false
bench --workload req --no-preload --preload 100000 --requests 100000 --duration 30
stop_all
