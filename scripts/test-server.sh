#!/usr/bin/env bash
# Private PostgreSQL / Redis servers for tests: plain processes on 127.0.0.1, a free port, a
# data directory of their own, stopped by PID. Never touches the default port or socket.
#
#   scripts/test-server.sh postgres start DIR   -> prints the URL; writes DIR/url and DIR/pid
#   scripts/test-server.sh redis start DIR
#   scripts/test-server.sh postgres stop DIR    (same for redis); removes nothing but the pid
#   scripts/test-server.sh postgres restart DIR (stop then start on the same port and data)
#
# Starting is idempotent: if DIR/pid names a live server, its URL is printed again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

kind=${1:?postgres|redis} action=${2:?start|stop|restart} dir=${3:?data directory}
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

pg_bin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do [[ -x "$b/pg_ctl" ]] && { echo "$b"; return; }; done
  echo "test-server: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 2
}

running() { [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; }

port_of() {  # the port this directory used before, or a fresh free one
  if [[ -f "$dir/port" ]]; then cat "$dir/port"; else free_port | tee "$dir/port"; fi
}

start_postgres() {
  local bin port
  bin=$(pg_bin)
  port=$(port_of)
  # initdb refuses to run as root: the cluster belongs to the postgres user.
  local as=()
  [[ $(id -u) -eq 0 ]] && as=(runuser -u postgres --)
  # The postgres user must be able to reach the directory: grant search (x) on its ancestors.
  if [[ $(id -u) -eq 0 ]]; then
    local d=$dir
    while [[ "$d" != / ]]; do
      d=$(dirname "$d")
      runuser -u postgres -- test -x "$d" || chmod o+x "$d"
    done
  fi
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    mkdir -p "$dir/data" "$dir/socket"
    [[ $(id -u) -eq 0 ]] && chown -R postgres: "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  [[ $(id -u) -eq 0 ]] && chown -R postgres: "$dir"
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null ||
    { tail -20 "$dir/server.log" >&2; exit 1; }
  head -1 "$dir/data/postmaster.pid" >"$dir/pid"
  echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url"
}

stop_postgres() {
  local bin
  bin=$(pg_bin)
  local as=()
  [[ $(id -u) -eq 0 ]] && as=(runuser -u postgres --)
  if running; then
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      stop_pid "$(cat "$dir/pid")"
  fi
  rm -f "$dir/pid"
}

start_redis() {
  local port
  port=$(port_of)
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/pid" --logfile "$dir/server.log" >/dev/null
  wait_for_port "$port" 20 || { tail -20 "$dir/server.log" >&2; exit 1; }
  # The daemon writes its pid file after it listens; stop needs it.
  for _ in $(seq 200); do [[ -s "$dir/pid" ]] && break; sleep 0.1; done
  [[ -s "$dir/pid" ]] || { echo "test-server: redis wrote no pid file in $dir" >&2; exit 1; }
  echo "redis://127.0.0.1:$port" >"$dir/url"
}

stop_redis() {
  local pid=""
  running && pid=$(cat "$dir/pid")
  # No pid file (or a stale one) but a server on this directory's port: it is ours all the
  # same, and a stop that left it running would let "server down" tests talk to it.
  if [[ -z $pid && -f "$dir/port" ]]; then
    pid=$(pgrep -f "^redis-server 127.0.0.1:$(cat "$dir/port")\$" | head -1 || true)
  fi
  if [[ -n $pid ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pid"
}

case "$kind:$action" in
  postgres:start | redis:start)
    running || "start_$kind"
    cat "$dir/url"
    ;;
  postgres:stop | redis:stop) "stop_$kind" ;;
  postgres:restart | redis:restart)
    "stop_$kind"
    "start_$kind"
    cat "$dir/url"
    ;;
  *)
    echo "usage: $0 postgres|redis start|stop|restart DIR" >&2
    exit 2
    ;;
esac
