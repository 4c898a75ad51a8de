# Shared shell helpers for the test scripts (sourced, not run).

# A free TCP port on 127.0.0.1 (the kernel picks one; it is released before we use it).
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# wait_for_port PORT SECONDS: true once something accepts connections on 127.0.0.1:PORT.
wait_for_port() {
  local port=$1 deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# stop_pid PID: SIGTERM, then SIGKILL if it is still there after 10 s.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# Load runs push thousands of events per second through a few connections from 127.0.0.1
# with a few keys: far beyond the rate limits a public relay defaults to. The bench scripts
# call this so every relay they start has those limits off (environment, docs/security.md).
no_rate_limits() {
  export MAX_CONNECTIONS_PER_IP=0 MESSAGES_PER_SECOND=0 REQS_PER_MINUTE=0 \
    REGULAR_EVENTS_PER_MINUTE=0 REPLACEABLE_EVENTS_PER_MINUTE=0 \
    EPHEMERAL_EVENTS_PER_MINUTE=0 ADDRESSABLE_EVENTS_PER_MINUTE=0
}

# For the PostgreSQL bench scripts: a temporary directory $dir (the postgres user can reach
# it), $pids (processes the script starts; stopped by PID at exit) and private PostgreSQL
# and Redis servers (scripts/test-server.sh) whose URLs are $pg and $redis; everything is
# stopped and removed when the script exits.
setup_bench_servers() {
  dir=$(mktemp -d)
  chmod 755 "$dir"
  pids=()
  trap cleanup_bench_servers EXIT
  pg=$(scripts/test-server.sh postgres start "$dir/pg")
  redis=$(scripts/test-server.sh redis start "$dir/redis")
}
cleanup_bench_servers() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  scripts/test-server.sh redis stop "$dir/redis" >/dev/null 2>&1 || true
  scripts/test-server.sh postgres stop "$dir/pg" >/dev/null 2>&1 || true
  rm -rf "$dir"
}

# For the A/B bench scripts. median: the median of whitespace-separated numbers on stdin.
median() {
  tr ' ' '\n' | grep . | sort -g |
    awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}
# per_unit_us TICKS UNITS [DECIMALS]: CPU clock ticks per unit of work, in µs.
per_unit_us() {
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" -v d="${3:-0}" \
    'BEGIN {printf "%.*f", d, t * 1e6 / hz / n}'
}
# req_figures LINE: sets $reqs and $rate from a `nostpp bench` "req: ..." summary line, or
# exits when the line has none.
req_figures() {
  reqs=$(sed -E 's/^req: ([0-9]+)\/.*/\1/' <<<"$1")
  rate=$(sed -E 's/.* = ([0-9]+) REQ\/s.*/\1/' <<<"$1")
  [[ $rate =~ ^[0-9]+$ && $reqs =~ ^[0-9]+$ && $reqs -gt 0 ]] || { echo "no REQ figure: $1"; exit 1; }
}
