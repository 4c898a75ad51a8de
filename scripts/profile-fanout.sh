#!/usr/bin/env bash
# Where the fan-out's CPU goes, the relay's and the machine floor's side by side
# (docs/benchmarks.md, "The relay's sends against the floor's, sampled"). Samples the whole
# machine (perf, cpu-clock: works without a PMU, as on this VM) for 4 seconds in the middle
# of one `nostpp bench --workload fanout` run (500 subscribers, 50 events/s) and then of
# one nostpp_fanout_floor run, and prints for each group of threads its CPU per delivery
# split into the parts of the kernel's path that matter here. Needs root and perf.
#   [FLOOR_ARGS="--handoff each"] scripts/profile-fanout.sh [path/to/nostpp]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=${1:-build/nostpp}
floor=$(dirname "$bin")/bench/nostpp_fanout_floor
command -v perf >/dev/null || { echo "profile-fanout: needs perf (linux-perf)"; exit 1; }
[[ -x "$floor" ]] || { echo "profile-fanout: needs $floor (a build with benchmarks)"; exit 1; }

readonly frequency=4000 window=4 subscribers=500 rate=50
deliveries=$((window * rate * subscribers))
dir=$(mktemp -d)
relay=
trap '[[ -n $relay ]] && stop_pid $relay; rm -rf "$dir"' EXIT

record() {  # record <output>: the whole machine for $window seconds
  perf record -q -a -g -F "$frequency" -e cpu-clock -o "$1" -- sleep "$window" >/dev/null 2>&1
}

# Prints CPU per delivery for each role (given as "pid:tid-or-*:comm-or-*=role" rules) and
# the share of it in each part of the path. A sample counts in every part its stack passes.
report() {  # report <perf.data> <rules...>
  local data=$1
  shift
  perf script -i "$data" -F pid,tid,comm,ip,sym 2>/dev/null | awk \
    -v rules="$*" -v per_sample_us="$((1000000 / frequency))" -v deliveries="$deliveries" '
    BEGIN {
      n = split(rules, r, " ")
      for (i = 1; i <= n; i++) { split(r[i], kv, "="); rule[i] = kv[1]; role[i] = kv[2] }
      split("__sys_sendto tcp_v4_rcv sock_def_readable __inet_lookup_established " \
            "tcp_recvmsg __x64_sys_epoll_wait schedule", parts, " ")
      nparts = 7
    }
    function classify(pid, tid, comm,   i, f) {
      for (i = 1; i <= n; i++) {
        split(rule[i], f, ":")
        if ((f[1] == "*" || f[1] == pid) && (f[2] == "*" || f[2] == tid || \
            (f[2] == "main" && tid == pid)) && (f[3] == "*" || f[3] == comm)) return role[i]
      }
      return ""
    }
    function flush(   p) {
      if (who == "") return
      samples[who]++
      if (leaf !~ /^ffffffff/) user[who]++
      for (p = 1; p <= nparts; p++) if (parts[p] in seen) hits[who, parts[p]]++
    }
    /^[^ \t]/ {  # a sample: comm pid/tid
      flush(); delete seen; leaf = ""
      split($2, ids, "/"); who = classify(ids[1], ids[2], $1); next
    }
    /^[ \t]+[0-9a-f]+ / { if (leaf == "") leaf = $1; seen[$2] = 1; next }
    END {
      flush()
      for (w in samples) {
        total = samples[w] * per_sample_us / deliveries
        printf "  %-14s %5.2f us per delivery (user space %4.2f)", w, total, \
          user[w] * per_sample_us / deliveries
        for (p = 1; p <= nparts; p++)
          if (hits[w, parts[p]] > 0)
            printf ", %s %4.2f", parts[p], hits[w, parts[p]] * per_sample_us / deliveries
        printf "\n"
      }
    }'
}

# The relay: start it, connect the bench's subscribers, sample once all are connected.
port=$(free_port)
"$bin" relay --bind 127.0.0.1 --port "$port" --data-dir "$dir/data" --log-level warn &
relay=$!
wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }
timeout 120 "$bin" bench --url "ws://127.0.0.1:$port" --seed 1 --workload fanout \
  --subscribers "$subscribers" --rate "$rate" --events 400 --duration 30 >"$dir/bench.out" &
client=$!
for _ in $(seq 100); do  # at most 10 s
  (($(ss -Htn state established "( sport = :$port )" | wc -l) >= subscribers)) && break
  sleep 0.1
done
sleep 1
record "$dir/relay.data"
wait "$client"
grep '^fanout: ' "$dir/bench.out"
stop_pid "$relay"
echo "relay (pid $relay), $window s of ~$deliveries deliveries:"
report "$dir/relay.data" "$relay:main:*=relay-io" "$relay:*:nostpp-io=relay-io" \
  "$relay:*:nostpp-bus=relay-bus" "$relay:*:*=relay-other" "*:*:nostpp=client"
relay=

# The floor: the same traffic over bare sockets; its parent sends, its child reads.
# shellcheck disable=SC2086 # FLOOR_ARGS is a list of options
"$floor" ${FLOOR_ARGS:-} >"$dir/floor.out" &
floor_pid=$!
sleep 1
record "$dir/floor.data"
wait "$floor_pid"
cat "$dir/floor.out"
echo "floor (pid $floor_pid), $window s of ~$deliveries deliveries:"
report "$dir/floor.data" "$floor_pid:*:*=floor-send" "*:*:nostpp_fanout_f=floor-receive"
