#!/usr/bin/env bash
# Where the fan-out's CPU goes, the relay's and the machine floor's side by side
# (docs/benchmarks.md, "The relay's sends against the floor's, sampled"). Samples the whole
# machine (perf on the cpu-clock event, one sample per 250 µs of CPU: works without a PMU,
# as on this VM) for 4 seconds in the middle of one `nostpp bench --workload fanout` run
# (500 subscribers, 50 events/s), then of one nostpp_fanout_floor run with the same traffic.
# For each group of threads it prints the CPU per delivery, the part of it under a few
# kernel functions (a sample counts under every function on its stack, so parts overlap),
# and how often the group's threads went to sleep (voluntary context switches) per delivery.
# Needs root and perf; run it on a quiet machine.
#   [FLOOR_ARGS="--handoff each"] [READERS=raw] scripts/profile-fanout.sh [path/to/nostpp]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
no_rate_limits
bin=${1:-build/nostpp}
floor=$(dirname "$bin")/bench/nostpp_fanout_floor
command -v perf >/dev/null || { echo "profile-fanout: needs perf (linux-perf)"; exit 1; }
[[ -x "$floor" ]] || { echo "profile-fanout: needs $floor (a build with benchmarks)"; exit 1; }

# The floor sends at 50 events/s (fixed in its code), as the bench is told to here.
readonly period_us=250 window=4 subscribers=500 rate=50 events=400
deliveries=$((window * rate * subscribers))
dir=$(mktemp -d)
pids=()  # everything started here, stopped on the way out
trap 'for p in "${pids[@]}"; do stop_pid "$p"; done; rm -rf "$dir"' EXIT

record() {  # record <output>: the whole machine for $window seconds
  perf record -q -a -g -c "$((period_us * 1000))" -e cpu-clock -o "$1" -- sleep "$window" \
    >/dev/null
}

# Voluntary context switches of a process's threads: all of them, or those named $2, or
# with $2 = "main+NAME" the main thread and those named NAME.
sleeps() {  # sleeps <pid> [name]
  local pid=$1 name=${2:-} total=0 t comm
  for t in /proc/"$pid"/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    if [[ -n $name && $comm != "${name#main+}" ]] &&
      ! [[ $name == main+* && ${t##*/} == "$pid" ]]; then continue; fi
    total=$((total + $(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status" 2>/dev/null ||
      echo 0)))
  done
  echo "$total"
}

# Prints, in the order given, each group's CPU per delivery and its parts. Groups are given
# as "ROLE=PID" (all of the process's threads) or "ROLE=PID:main+NAME" / "ROLE=PID:NAME";
# the first that claims a thread has it. $SLEEPS holds "ROLE=count" for each group.
report() {  # report <perf.data> <groups...>
  local data=$1
  shift
  perf script -i "$data" -F pid,tid,comm,ip,sym | awk -v groups="$*" -v sleeps="$SLEEPS" \
    -v period_us="$period_us" -v deliveries="$deliveries" '
    BEGIN {
      n = split(groups, g, " ")
      for (i = 1; i <= n; i++) {
        split(g[i], kv, "="); role[i] = kv[1]
        split(kv[2], pn, ":"); gpid[i] = pn[1]; gname[i] = pn[2]
      }
      m = split(sleeps, s, " ")
      for (i = 1; i <= m; i++) { split(s[i], kv, "="); slept[kv[1]] = kv[2] }
      nparts = split("__sys_sendto tcp_v4_rcv sock_def_readable __inet_lookup_established " \
                     "tcp_recvmsg __x64_sys_epoll_wait schedule", parts, " ")
    }
    function claim(pid, tid, comm,   i, want) {
      for (i = 1; i <= n; i++) {
        if (gpid[i] != pid) continue
        want = gname[i]
        if (want == "" || want == comm) return role[i]
        if (want ~ /^main\+/ && (tid == pid || substr(want, 6) == comm)) return role[i]
      }
      return ""
    }
    function flush(   p) {
      if (who == "") return
      samples[who]++
      if (leaf != "" && leaf !~ /^ffffffff/) user[who]++
      for (p = 1; p <= nparts; p++) if (parts[p] in seen) hits[who, parts[p]]++
    }
    /^[^ \t]/ {  # a sample: "comm pid/tid" (the comm may hold spaces)
      flush(); delete seen; leaf = ""; who = ""
      if (match($0, /[0-9]+\/[0-9]+ *$/)) {
        split(substr($0, RSTART, RLENGTH), ids, "/")
        comm = substr($0, 1, RSTART - 1)
        gsub(/^[ \t]+|[ \t]+$/, "", comm)  # perf pads it
        who = claim(ids[1] + 0 "", ids[2] + 0 "", comm)
      }
      next
    }
    /^[ \t]+[0-9a-f]+ / { if (leaf == "") leaf = $1; seen[$2] = 1; next }
    END {
      flush()
      for (i = 1; i <= n; i++) {
        w = role[i]
        if (w in printed || !(w in samples)) continue
        printed[w] = 1
        printf "  %-14s %5.2f us per delivery (user space %4.2f)", w,
          samples[w] * period_us / deliveries, user[w] * period_us / deliveries
        for (p = 1; p <= nparts; p++)
          if (hits[w, parts[p]] > 0)
            printf ", %s %4.2f", parts[p], hits[w, parts[p]] * period_us / deliveries
        if (w in slept) printf " | sleeps per delivery %.3f", slept[w] / deliveries
        printf "\n"
      }
    }'
}

group_sleeps() {  # group_sleeps ROLE=PID[:NAME]
  local spec=${1#*=}
  if [[ $spec == *:* ]]; then sleeps "${spec%%:*}" "${spec#*:}"; else sleeps "$spec"; fi
}

# One `record`, and each group's sleeps over it, as "ROLE=count" words in $SLEEPS. A group
# that is the rest of a process named in an earlier group gets no count (it would overlap).
record_with_sleeps() {  # record_with_sleeps <output> <groups...>
  local out=$1 group before=() counted=() seen=" " spec i
  shift
  for group in "$@"; do
    spec=${group#*=}
    if [[ $spec != *:* && $seen == *" $spec "* ]]; then counted+=(0); else counted+=(1); fi
    seen+="${spec%%:*} "
    before+=("$(group_sleeps "$group")")
  done
  record "$out"
  SLEEPS=
  i=0
  for group in "$@"; do
    ((counted[i])) && SLEEPS+="${group%%=*}=$(($(group_sleeps "$group") - before[i])) "
    i=$((i + 1))
  done
}

# The relay: start it, connect the subscribers, sample once all are connected. They are the
# bench's own, or with READERS=raw the floor's kind of reader (nostpp_raw_ws_readers) and the
# bench as the publisher with one subscriber of its own.
port=$(free_port)
"$bin" relay --bind 127.0.0.1 --port "$port" --data-dir "$dir/data" --log-level warn &
relay=$!
pids+=("$relay")
wait_for_port "$port" 20 || { echo "relay did not start"; exit 1; }
bench_subscribers=$subscribers
if [[ ${READERS:-bench} == raw ]]; then
  raw_readers=$(dirname "$bin")/bench/nostpp_raw_ws_readers
  "$raw_readers" --port "$port" --connections "$subscribers" --seconds 16 >"$dir/readers.out" &
  readers=$!
  pids+=("$readers")
  bench_subscribers=1
fi
connected() { (($(ss -Htn state established "( sport = :$port )" | wc -l) >= subscribers)); }
wait_connected() {  # at most 10 s
  for _ in $(seq 100); do
    connected && return
    sleep 0.1
  done
  echo "profile-fanout: the subscribers did not all connect within 10 s"
  exit 1
}
# The raw readers subscribe before the bench publishes its first event.
[[ -n ${readers:-} ]] && wait_connected
timeout 120 "$bin" bench --url "ws://127.0.0.1:$port" --seed 1 --workload fanout \
  --subscribers "$bench_subscribers" --rate "$rate" --events "$events" --duration 30 \
  >"$dir/bench.out" &
bench_timeout=$!
pids+=("$bench_timeout")
wait_connected
client=$(pgrep -P "$bench_timeout") || { echo "profile-fanout: the bench is gone"; exit 1; }
sleep 1
relay_groups=("relay-io=$relay:main+nostpp-io" "relay-bus=$relay:nostpp-bus"
  "relay-other=$relay" "client=$client")
[[ -n ${readers:-} ]] && relay_groups+=("raw-readers=$readers")
record_with_sleeps "$dir/relay.data" "${relay_groups[@]}"
wait "$bench_timeout" || echo "(the bench exited with $?: see its line)"
grep '^fanout: ' "$dir/bench.out" || true
if [[ -n ${readers:-} ]]; then
  wait "$readers" || echo "(the raw readers exited with $?)"
  cat "$dir/readers.out"
fi
pids=("$relay")
extra=0
[[ -n ${readers:-} ]] && extra=1  # the bench's one subscriber
deliveries=$((window * rate * (subscribers + extra)))
echo "relay (pid $relay), $window s of ~$deliveries deliveries:"
report "$dir/relay.data" "${relay_groups[@]}"
deliveries=$((window * rate * subscribers))
stop_pid "$relay"
pids=()

# The floor: the same traffic over bare sockets; its parent sends, its child reads. The
# bench's subscriber and event counts come last, so FLOOR_ARGS cannot change them.
# shellcheck disable=SC2086 # FLOOR_ARGS is a list of options
"$floor" ${FLOOR_ARGS:-} --subscribers "$subscribers" --events "$events" >"$dir/floor.out" &
floor_pid=$!
pids+=("$floor_pid")
sleep 1
reader=$(pgrep -P "$floor_pid") || { echo "profile-fanout: the floor is gone"; exit 1; }
floor_groups=("floor-send=$floor_pid" "floor-receive=$reader")
record_with_sleeps "$dir/floor.data" "${floor_groups[@]}"
wait "$floor_pid" || echo "(the floor exited with $?: see its line)"
pids=()
cat "$dir/floor.out"
echo "floor (pid $floor_pid), $window s of ~$deliveries deliveries:"
report "$dir/floor.data" "${floor_groups[@]}"
