#!/usr/bin/env bash
# Ingest throughput with OpenTelemetry on vs off, in one run (docs/benchmarks.md): a local
# OTLP/HTTP sink that accepts everything, then ROUNDS pairs of `nostpp bench --workload ingest`
# runs, each against a fresh relay (or event-handler + websocket-handler with --split), one
# with OTEL_EXPORTER_OTLP_ENDPOINT pointed at the sink and OTEL_TRACES_SAMPLER=always_on, one
# without; the order alternates every round so drift on the shared machine hits both. Prints
# every run, the medians, and the difference, of throughput and of the relay's CPU time per
# event (user + system time of the relay processes, read from /proc before they stop: less
# sensitive than throughput to what else runs on the machine). Bounded: every phase has a time limit; every
# process is stopped by PID. About 25 s per run on an idle machine (presigning included).
# --ratio R samples a fraction R of traces (parentbased_traceidratio) instead of all of them.
#   scripts/bench-telemetry.sh [path/to/nostpp] [--split] [--rounds N] [--events N] [--ratio R]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bin=build/nostpp
split=0 rounds=5 events=50000 sampler=(OTEL_TRACES_SAMPLER=always_on)
while (($#)); do
  case $1 in
    --split) split=1 ;;
    --rounds) rounds=$2; shift ;;
    --events) events=$2; shift ;;
    --ratio) sampler=(OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG="$2"); shift ;;
    *) bin=$1 ;;
  esac
  shift
done
dir=$(mktemp -d)
pids=()
sink=""
cleanup() {
  set +e  # the sink exits 143 on SIGTERM
  for p in "${pids[@]}"; do stop_pid "$p"; done
  [[ -n "$sink" ]] && stop_pid "$sink"
  rm -rf "$dir"
}
trap cleanup EXIT

# The sink: answers 200 to every POST and appends the number of spans of each trace export
# (counted without parsing: the sink shares the machine's two cores with the relay).
sink_port=$(free_port)
python3 - "$sink_port" "$dir/spans" <<'EOF' &
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/v1/traces":
            n = body.count(b'"spanId"')
            with open(out, "a") as f:
                f.write(f"{n}\n")
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()
EOF
sink=$!
wait_for_port "$sink_port" 20 || { echo "OTLP sink did not start"; exit 1; }

start() {  # start NAME ENV... -- ARGS... -> sets $port
  local name=$1 envs=()
  shift
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  port=$(free_port)
  env "${envs[@]}" "$bin" "$@" --bind 127.0.0.1 --port "$port" --log-level warn \
    2>>"$dir/$name.log" &
  pids+=($!)
  wait_for_port "$port" 20 || { echo "$name did not start"; cat "$dir/$name.log"; exit 1; }
}
stop_all() { for p in "${pids[@]}"; do stop_pid "$p"; done; pids=(); }

cpu_ticks() {  # user + system clock ticks of every started process
  local p total=0 fields
  for p in "${pids[@]}"; do
    read -ra fields < <(sed -E 's/^.*\) //' "/proc/$p/stat")
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

run() {  # run on|off ROUND -> sets $result (ev/s) and $cpu (relay CPU µs per event); no subshell: cleanup sees every pid
  local mode=$1 round=$2 otel=(OTEL_SDK_DISABLED=true)
  [[ $mode == on ]] && otel=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port"
                             "${sampler[@]}")
  local data="$dir/data-$mode-$round"
  if ((split)); then
    start event-handler "${otel[@]}" -- event-handler --data-dir "$data"
    start websocket-handler "${otel[@]}" -- websocket-handler \
      --event-handler-url "http://127.0.0.1:$port"
  else
    start relay "${otel[@]}" -- relay --data-dir "$data"
  fi
  local line
  line=$(timeout 300 "$bin" bench --url "ws://127.0.0.1:$port" --seed "$round" \
    --workload ingest --events "$events" --connections 16 --window 256 --duration 120 |
    grep -E '^ingest: ' | head -1)
  cpu=$(awk -v t="$(cpu_ticks)" -v hz="$(getconf CLK_TCK)" -v n="$events" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')
  stop_all
  rm -rf "$data"
  echo "round $round telemetry $mode: $line; relay CPU $cpu µs/event"
  result=$(sed -E 's/.* = ([0-9]+) ev\/s.*/\1/' <<<"$line")
  [[ $result =~ ^[0-9]+$ ]] || { echo "no ingest figure"; exit 1; }
}

echo "== $(nproc) cores, $(uname -r), $("$bin" version); $((split ? 1 : 0)) split; $rounds rounds of $events events; ${sampler[*]}"
on=() off=() on_cpu=() off_cpu=()
for ((round = 1; round <= rounds; round++)); do
  if ((round % 2)); then order=(off on); else order=(on off); fi
  for mode in "${order[@]}"; do
    run "$mode" "$round"
    if [[ $mode == on ]]; then on+=("$result") on_cpu+=("$cpu"); else off+=("$result") off_cpu+=("$cpu"); fi
  done
done
spans=$(awk '{s+=$1} END {print s+0}' "$dir/spans" 2>/dev/null || echo 0)
off_median=$(printf '%s\n' "${off[@]}" | median)
on_median=$(printf '%s\n' "${on[@]}" | median)
echo "telemetry off: ${off[*]} ev/s; median $off_median"
echo "telemetry on:  ${on[*]} ev/s; median $on_median ($spans spans received by the sink)"
awk -v on="$on_median" -v off="$off_median" \
  'BEGIN {printf "difference: %+.1f%% (on vs off)\n", (on - off) * 100 / off}'
off_cpu_median=$(printf '%s\n' "${off_cpu[@]}" | median)
on_cpu_median=$(printf '%s\n' "${on_cpu[@]}" | median)
echo "relay CPU per event, off: ${off_cpu[*]} µs; median $off_cpu_median"
echo "relay CPU per event, on:  ${on_cpu[*]} µs; median $on_cpu_median"
awk -v on="$on_cpu_median" -v off="$off_cpu_median" \
  'BEGIN {printf "CPU difference: %+.1f%% (on vs off)\n", (on - off) * 100 / off}'
if ((spans == 0)); then echo "the sink received no spans: telemetry was not on"; exit 1; fi
