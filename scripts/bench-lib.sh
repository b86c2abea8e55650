# Shell helpers of scripts/bench-pair.sh (namespaces, perfdhcp runs, the rate search, the docs section); sourced, not run. scripts/bench-serve.sh still has its own copies, with per-rate latency.
#
# What a benchmark sets before using them:
#   tag       prefix of the namespace names
#   work      the work folder; removed at exit unless $keep is set (set keep too)
#   duration  seconds of each perfdhcp run
#   clients   perfdhcp's -R (distinct clients)
#   load_ns   the namespace perfdhcp runs in
#   current   a label for the files a run leaves in $work
#   settle_pids  the server processes a run waits on until they are idle
# Processes started with `bg_pid PID` are killed at exit; namespaces made by `segment` are
# deleted by `segment_down` and at exit.
# (Those variables are set by the caller, hence SC2154 and SC2034 off.)
# shellcheck shell=bash disable=SC2154,SC2034

for t in ip perfdhcp; do
  command -v "$t" >/dev/null || { echo "bench-lib.sh: $t missing; run scripts/setup-debian.sh" >&2; exit 2; }
done

pids=()
namespaces=()
settle_pids=()

bg_pid() { pids+=("$1"); }

bench_cleanup() {
  local p n
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  if [ -n "$keep" ]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}

# segment HOST=ADDRESS/PREFIX ...: one bridge (namespace $tag-br) and, for each HOST, a
# namespace $tag-HOST whose eth0 is on the bridge with that address.
segment() {
  local i=0 spec h a
  ip netns add "$tag-br"; namespaces+=("$tag-br")
  ip -n "$tag-br" link add br0 type bridge
  ip -n "$tag-br" link set br0 up
  for spec in "$@"; do
    h=${spec%%=*}; a=${spec#*=}
    ip netns add "$tag-$h"; namespaces+=("$tag-$h")
    ip -n "$tag-br" link add "v$i" type veth peer name eth0 netns "$tag-$h"
    ip -n "$tag-br" link set "v$i" master br0
    ip -n "$tag-br" link set "v$i" up
    ip -n "$tag-$h" link set lo up
    ip -n "$tag-$h" link set eth0 up
    ip -n "$tag-$h" addr add "$a" dev eth0
    i=$((i + 1))
  done
}

# segment_down: deletes every namespace made by `segment`.
segment_down() {
  local n
  for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  namespaces=()
}

# elapsed T0: seconds since T0 (from `date +%s.%N`), one decimal.
elapsed() { awk -v t0="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - t0 }'; }

# cpu_ticks PID...: user + system clock ticks of the processes, summed.
cpu_ticks() {
  local p sum=0 t
  for p in "$@"; do
    t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    sum=$((sum + t))
  done
  echo "$sum"
}

# settle: waits (up to 120 s) until the processes in $settle_pids have used no CPU for a
# second, so that a backlog from the previous rate does not count against the next one.
settle() {
  local before now t0=$SECONDS
  now=$(cpu_ticks "${settle_pids[@]}")
  while [ $((SECONDS - t0)) -lt 120 ]; do
    sleep 1
    before=$now
    now=$(cpu_ticks "${settle_pids[@]}")
    [ "$now" != "$before" ] || return 0
  done
}

# perf_summary: perfdhcp's output on stdin -> "acks_per_second fail_percent discovers acks";
# failed = DISCOVERs sent that got no ACK (an ACK counted twice never makes it negative).
perf_summary() {
  awk -v d="$duration" '
    /Statistics for: DISCOVER-OFFER/ { ex = 1 } /Statistics for: REQUEST-ACK/ { ex = 2 }
    /^sent packets:/ { if (ex == 1) disc = $3 }
    /^received packets:/ { if (ex == 2) acks = $3 }
    END { if (disc == 0) { print "0 100 0 0"; exit }
          f = 100 * (disc - acks) / disc; if (f < 0) f = 0
          printf "%.0f %.2f %d %d\n", acks / d, f, disc, acks }'
}

# run RATE [PERFDHCP ARGS...] -> "acks_per_second fail_percent discovers acks": perfdhcp as a
# relay from $load_ns for $duration s, $clients distinct clients; output kept in $work.
run() {
  local rate=$1 out
  shift
  settle
  out=$(ip netns exec "$load_ns" perfdhcp -4 -l eth0 -r "$rate" -R "$clients" -p "$duration" "$@" 2>&1 || true)
  echo "$out" >"$work/perfdhcp-$current-$rate.txt"
  echo "$out" | perf_summary
}

under1() { awk -v f="$(echo "$1" | cut -d' ' -f2)" 'BEGIN { exit !(f < 1) }'; }

# attempt RATE: runs RATE, and once more when over 1%, so that one stall (a peer rewriting
# its lease file, say) does not end the search below what the pair sustains; sets $line to
# the run that counts (the second, when there is one).
attempt() {
  line=$(run "$1")
  echo "   rate $1/s: $line" >&2
  if ! under1 "$line"; then
    line=$(run "$1")
    echo "   rate $1/s again: $line" >&2
  fi
}

# search: the highest offered rate with under 1% failed; sets $good and $good_line.
# From 250/s the rate doubles while under 1% (up to 64,000/s) or halves while over (down to
# 2/s); then four bisection steps between the last rate under 1% and the first one over (the
# result is within 1/16 of that octave). A rate counts as over 1% only when it is over twice in a row (see attempt).
search() {
  local rate=250 bad=0 line mid
  good=0; good_line="0 100 0 0"
  while :; do
    attempt "$rate"
    if under1 "$line"; then
      good=$rate; good_line=$line
      if [ "$bad" -ne 0 ] || [ "$rate" -ge 64000 ]; then break; fi
      rate=$((rate * 2))
    else
      bad=$rate
      if [ "$good" -ne 0 ] || [ "$rate" -le 2 ]; then break; fi
      rate=$((rate / 2))
    fi
  done
  [ "$good" -gt 0 ] && [ "$bad" -gt 0 ] || return 0
  for _ in 1 2 3 4; do
    mid=$(((good + bad) / 2))
    [ "$mid" -gt "$good" ] || break
    attempt "$mid"
    if under1 "$line"; then good=$mid; good_line=$line; else bad=$mid; fi
  done
}

# ip4 N: the dotted quad of a 32-bit number.
ip4() { echo "$(($1 >> 24 & 255)).$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"; }

# machine: the CPU, cores, memory and kernel, for a report.
machine() {
  echo "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), nproc $(nproc), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
}

# replace_section NAME FILE: puts FILE (starting and ending with the bench:NAME markers) in
# place of that section of docs/benchmarks.md, or appends it.
replace_section() {
  local name=$1 file=$2 doc=docs/benchmarks.md
  if grep -q "<!-- bench:$name:start -->" "$doc"; then
    awk -v file="$file" -v s="<!-- bench:$name:start -->" -v e="<!-- bench:$name:end -->" '
      $0 == s { while ((getline l < file) > 0) print l; skip = 1; next }
      $0 == e { skip = 0; next }
      !skip { print }' "$doc" >"$work/doc" && cat "$work/doc" >"$doc"
  else
    printf '\n' >>"$doc"
    cat "$file" >>"$doc"
  fi
  echo "wrote the bench:$name section of $doc" >&2
}
