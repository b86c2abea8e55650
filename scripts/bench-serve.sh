#!/usr/bin/env bash
# Benchmark: dhcpfo serve vs ISC dhcpd vs kea-dhcp4 (memfile, persist true), in the same run,
# with the same pools (by default 1,000,000 addresses, then 65,536), each server in a network
# namespace this script creates.
#
# For each pool and server: resident memory (VmRSS, VmHWM from /proc/PID/status) once the
# pool is loaded, then a rate search with perfdhcp (relay mode, from its own namespace): the highest
# offered rate at which under 1% of the started DORA exchanges fail to end in an ACK, reported
# as leases (ACKs) per second. For dhcpfo, each rate also gets the server's own reply latency
# (arrival to send, p50/p99/p99.9/max, and the p99.9 of the lease-file wait), read with
# SIGUSR1 before and after the rate. Results and the command go into docs/benchmarks.md
# between the bench:serve markers (a ladder run between the bench:serve-ladder markers).
#
# Usage (root, Debian 12 with scripts/setup-debian.sh run):
#   bash scripts/bench-serve.sh [--duration SECONDS] [--servers "dhcpfo isc kea"] [--pools "1000000 65536"]
#                               [--clients N] [--ladder "2000 4000 ..."] [--rounds N] [--no-write] [--keep]
# --ladder RATES runs the given offered rates in order on one running server (no search, no
# restart with every address leased), as a server meets a load that keeps growing; --rounds N
# (default 3) runs the whole ladder N times per server, the servers taking turns, each round
# on a fresh server, and the verdict gives the median and spread of the rounds.
# --clients N sets perfdhcp's distinct clients (default: half the pool, at most 500,000).
# --keep leaves the work directory (server logs, lease files, perfdhcp output) in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

duration=10
default_servers="dhcpfo isc kea"
servers=$default_servers
default_pools="1000000 65536"
pools=$default_pools
write=1
keep=
preload=
ladder=
rounds=3
clients_arg=
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --servers) servers=$2; shift 2 ;;
    --pools) pools=$2; shift 2 ;;
    --no-write) write=; shift ;;
    --keep) keep=1; shift ;;
    --ladder) ladder=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --clients) clients_arg=$2; shift 2 ;;
    *) echo "usage: $0 [--duration SECONDS] [--servers \"dhcpfo isc kea\"] [--pools \"1000000 65536\"] [--clients N] [--ladder \"RATES\"] [--rounds N] [--no-write] [--keep]" >&2; exit 2 ;;
  esac
done
case "$rounds" in ''|0|*[!0-9]*) echo "bench-serve.sh: --rounds takes a whole number of at least 1" >&2; exit 2 ;; esac
for rate in $ladder; do
  case "$rate" in 0|*[!0-9]*) echo "bench-serve.sh: --ladder takes rates per second (whole numbers)" >&2; exit 2 ;; esac
done
# The verdict reads a round's rates in ascending order.
ladder=$(printf '%s\n' $ladder | sort -n | tr '\n' ' ' | sed 's/ *$//')
[ "$(id -u)" -eq 0 ] || { echo "bench-serve.sh: run as root (network namespaces)" >&2; exit 2; }
for t in ip perfdhcp dhcpd kea-dhcp4; do
  command -v "$t" >/dev/null || { echo "bench-serve.sh: $t missing; run scripts/setup-debian.sh" >&2; exit 2; }
done

cargo build --release --locked --quiet
# What was built (a file edited while the benchmark runs is not in the binary).
commit=$(git rev-parse --short HEAD)
dirty=$([ -z "$(git status --porcelain -- src scripts templates Cargo.toml Cargo.lock)" ] && echo "" || echo " with uncommitted changes")
dhcpfo="$repo/target/release/dhcpfo"

tag="dfb$$"
work=$(mktemp -d "/tmp/$tag.XXXXXX")
pids=()
namespaces=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  if [ -n "$keep" ]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Topology: a bridge namespace, the server (10.0.0.1/8) and the load generator (10.0.0.2/8).
ip netns add "$tag-br"; namespaces+=("$tag-br")
ip -n "$tag-br" link add br0 type bridge
ip -n "$tag-br" link set br0 up
i=0
for h in srv load; do
  ip netns add "$tag-$h"; namespaces+=("$tag-$h")
  ip -n "$tag-br" link add "v$i" type veth peer name eth0 netns "$tag-$h"
  ip -n "$tag-br" link set "v$i" master br0
  ip -n "$tag-br" link set "v$i" up
  ip -n "$tag-$h" link set lo up
  ip -n "$tag-$h" link set eth0 up
  i=$((i + 1))
done
ip -n "$tag-srv" addr add 10.0.0.1/8 dev eth0
ip -n "$tag-load" addr add 10.0.0.2/8 dev eth0

# The same service for all three: subnet 10.0.0.0/8, one pool of SIZE addresses from
# 10.0.0.10, 10-minute leases, a router option. perfdhcp's clients: at most half the pool.
first=10.0.0.10
ip4() { echo "$(($1 >> 24 & 255)).$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"; }
configure() { # SIZE: writes the three configurations; sets $last and $clients
  local size=$1
  last=$(ip4 $(((10 << 24) + 10 + size - 1)))
  clients=${clients_arg:-$((size / 2 < 500000 ? size / 2 : 500000))}
  cat > "$work/pair.yaml" <<EOF
failover: { name: bench, mclt: 60, split: 128 }
peers:
  primary: { address: 10.0.0.1, interfaces: [eth0] }
  secondary: { address: 10.0.0.3, interfaces: [eth0] }
global:
  authoritative: true
  default-lease-time: 10m
  max-lease-time: 20m
subnets:
  - network: 10.0.0.0/8
    options: { routers: 10.0.0.1 }
    pools:
      - range: [$first, $last]
EOF
  # dhcpd pings an address before offering it (ping-check, 1-s timeout); dhcpfo and Kea do
  # not, so the comparison turns it off.
  cat > "$work/dhcpd.conf" <<EOF
authoritative;
ddns-update-style none;
ping-check false;
default-lease-time 600;
max-lease-time 1200;
subnet 10.0.0.0 netmask 255.0.0.0 {
  option routers 10.0.0.1;
  range $first $last;
}
EOF
  cat > "$work/kea.json" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ], "dhcp-socket-type": "raw" },
    "lease-database": { "type": "memfile", "persist": true, "lfc-interval": 0,
                        "name": "$work/kea.leases" },
    "valid-lifetime": 600, "max-valid-lifetime": 1200,
    "subnet4": [ { "id": 1, "subnet": "10.0.0.0/8",
                   "pools": [ { "pool": "$first - $last" } ],
                   "option-data": [ { "name": "routers", "data": "10.0.0.1" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN",
                   "output_options": [ { "output": "stderr" } ] } ]
} }
EOF
}

# start NAME [LIMIT]: starts server NAME in the server namespace and waits, up to LIMIT
# seconds (default 300), until it serves; sets $pid and $startup (seconds). The lease files
# are emptied first unless $preload is set. Returns 1, the server killed, if it did not start
# in time.
start() {
  local name=$1 limit=${2:-300} ready t0
  if [ -z "$preload" ]; then
    rm -f "$work"/dhcpfo.leases* "$work"/dhcpd.leases* "$work"/kea.leases* "$work"/*.pid
  fi
  case "$name" in
    dhcpfo)
      ip netns exec "$tag-srv" env DHCPFO_LOG=warn "$dhcpfo" serve "$work/pair.yaml" \
        --role standalone --interface eth0 --leases "$work/dhcpfo.leases" >"$work/$current.log" 2>&1 &
      ready="dhcpfo serve ready" ;;
    isc)
      touch "$work/dhcpd.leases"
      ip netns exec "$tag-srv" dhcpd -4 -d -cf "$work/dhcpd.conf" -lf "$work/dhcpd.leases" \
        -pf "$work/dhcpd.pid" eth0 >"$work/$current.log" 2>&1 &
      ready="Server starting service" ;;
    kea)
      ip netns exec "$tag-srv" env KEA_LOCKFILE_DIR=none KEA_PIDFILE_DIR="$work" \
        kea-dhcp4 -c "$work/kea.json" >"$work/$current.log" 2>&1 &
      ready="" ;;
  esac
  pid=$!
  pids+=("$pid")
  t0=$(date +%s.%N)
  # Kea logs nothing at WARN when it starts: for it, wait for its socket on port 67.
  until if [ -n "$ready" ]; then grep -q "$ready" "$work/$current.log"
        else ip netns exec "$tag-srv" ss -lun | grep -q ':67 '; fi; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/$current.log" >&2; exit 1; }
    if awk -v t0="$t0" -v now="$(date +%s.%N)" -v l="$limit" 'BEGIN { exit !(now - t0 > l) }'; then
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
  startup=$(awk -v t0="$t0" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - t0 }')
  sleep 2
}

stop() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

mem() { # KEY -> value in MiB of /proc/$pid/status
  awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"
}

# settle: waits (up to 120 s) until the server has used no CPU for a second and, for
# dhcpfo, no compaction is under way (one waiting on a sync uses no CPU), so that a backlog
# of requests or a compaction from the previous rate does not count against the next one.
settle() {
  local before now t0=$SECONDS
  now=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  while [ $((SECONDS - t0)) -lt 120 ]; do
    sleep 1
    before=$now
    now=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    if [ "$now" = "$before" ] && compactions_done; then return 0; fi
  done
}

# compactions_done: whether every compaction the server's log announces has ended (in a
# "compacted" line or a "cannot compact" error); always true for the other servers.
compactions_done() {
  [ "${current%%-*}" = dhcpfo ] || return 0
  local begun ended
  begun=$(grep -c 'compacting .* from the file' "$work/$current.log" || true)
  ended=$(grep -cE 'compacted .* in [0-9]+ ms|cannot (start a )?compact' "$work/$current.log" || true)
  [ "$begun" -le "$ended" ]
}

# latency: for dhcpfo, asks for the reply-latency line (SIGUSR1: the window since the last
# one) and prints "p50 p99 p99.9 max disk_p99.9 compactions snapshot_max swap_max" (times in
# ms; the last three: the compactions of the window and the longest hold of each of their
# two steps that delay appends: the writer's start of it and its copy of the last appends);
# "- - - - - - - -" for the other servers.
latency() {
  local before line t0=$SECONDS none="- - - - - - - -"
  if [ "${current%%-*}" != dhcpfo ]; then echo "$none"; return; fi
  before=$(grep -c 'reply latency:' "$work/$current.log" || true)
  kill -USR1 "$pid"
  while [ "$(grep -c 'reply latency:' "$work/$current.log" || true)" -le "$before" ]; do
    [ $((SECONDS - t0)) -lt 10 ] || { echo "$none"; return; }
    sleep 0.1
  done
  line=$(grep 'reply latency:' "$work/$current.log" | tail -n 1)
  echo "$line" | awk '{
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^(total|socket|queue|engine|disk|sync|compaction|snapshot|swap)$/) part = $i
      v = $(i + 1); sub(";", "", v)
      if ($i == "p50" && part == "total") p50 = v
      if ($i == "p99" && part == "total") p99 = v
      if ($i == "p99.9" && part == "total") p999 = v
      if ($i == "max" && part == "total") mx = v
      if ($i == "p99.9" && part == "disk") dk = v
      if ($i == "n" && part == "compaction") cn = v
      if ($i == "max" && part == "snapshot") snap = v
      if ($i == "max" && part == "swap") swap = v
    }
    if (swap == "") swap = "-"
    printf "%s %s %s %s %s %s %s %s\n", p50, p99, p999, mx, dk, cn, snap, swap }'
}

# udp_errors NS: the namespace's UDP "RcvbufErrors SndbufErrors" counters (/proc/net/snmp is
# per network namespace).
udp_errors() {
  ip netns exec "$1" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $6, $7 }' /proc/net/snmp
}

# run RATE -> "acks_per_second fail_percent discovers acks p50 p99 p99.9 max disk_p99.9
# compactions snapshot_max swap_max srv_rcvbuf srv_sndbuf client_rcvbuf" (latencies in ms,
# dhcpfo only; the window is the rate
# and the replies it left behind; the last three: datagrams the kernel dropped for a full
# socket buffer during the rate, in the server's namespace (received, sent) and perfdhcp's)
run() {
  local out counts srv0 srv1 cli0 cli1
  settle
  latency >/dev/null
  srv0=$(udp_errors "$tag-srv"); cli0=$(udp_errors "$tag-load")
  out=$(ip netns exec "$tag-load" perfdhcp -4 -l eth0 -r "$1" -R "$clients" -p "$duration" 2>&1 || true)
  echo "$out" >"$work/perfdhcp-$current-$1.txt"
  counts=$(echo "$out" | awk -v d="$duration" '
    /Statistics for: DISCOVER-OFFER/ { ex = 1 } /Statistics for: REQUEST-ACK/ { ex = 2 }
    /^sent packets:/ { if (ex == 1) disc = $3 }
    /^received packets:/ { if (ex == 2) acks = $3 }
    END { if (disc == 0) { print "0 100 0 0"; exit }
          printf "%.0f %.2f %d %d\n", acks / d, 100 * (disc - acks) / disc, disc, acks }')
  settle
  srv1=$(udp_errors "$tag-srv"); cli1=$(udp_errors "$tag-load")
  echo "$counts $(latency) $(echo "$srv0 $srv1 $cli0 $cli1" | awk '{ print $3 - $1, $4 - $2, $7 - $5 }')"
}

under1() { awk -v f="$(echo "$1" | cut -d' ' -f2)" 'BEGIN { exit !(f < 1) }'; }

# search: the highest offered rate with under 1% failed; sets $good and $good_line.
# From 250/s the rate doubles while under 1% (up to 64,000/s) or halves while over (down to
# 2/s); then three bisection steps between the last rate under 1% and the first one over.
search() {
  local rate=250 bad=0 line mid
  good=0; good_line="0 100 0 0"
  while :; do
    line=$(run "$rate")
    echo "   rate $rate/s: $line" >&2
    rate_row "$rate" "$line"
    if under1 "$line"; then
      good=$rate; good_line=$line
      [ "$bad" -eq 0 ] && [ "$rate" -lt 64000 ] || break
      rate=$((rate * 2))
    else
      bad=$rate
      [ "$good" -eq 0 ] && [ "$rate" -gt 2 ] || break
      rate=$((rate / 2))
    fi
  done
  [ "$good" -gt 0 ] && [ "$bad" -gt 0 ] || return 0
  for _ in 1 2 3; do
    mid=$(((good + bad) / 2))
    [ "$mid" -gt "$good" ] || break
    line=$(run "$mid")
    echo "   rate $mid/s: $line" >&2
    rate_row "$mid" "$line"
    if under1 "$line"; then good=$mid; good_line=$line; else bad=$mid; fi
  done
}

# rate_row RATE LINE: one row of the per-rate table (every server; latency for dhcpfo).
rates_table="| Server | Pool | Offered rate | Leases/s | Failed | Reply p50 | p99 | p99.9 | max | Lease-file wait p99.9 | Compactions: n, longest start / copy | Socket drops: server in / out, perfdhcp in |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
[ -n "$ladder" ] && rates_table="| Server | Round | Pool | Offered rate | Leases/s | Failed | Reply p50 | p99 | p99.9 | max | Lease-file wait p99.9 | Compactions: n, longest start / copy | Socket drops: server in / out, perfdhcp in |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
# rate_row RATE LINE [ROUND]
rate_row() {
  local lps fail disc acks p50 p99 p999 mx dk cn snap swap sin sout cin comp
  read -r lps fail disc acks p50 p99 p999 mx dk cn snap swap sin sout cin <<<"$2"
  comp="-"
  [ "$cn" = "-" ] || comp="$cn, $snap / $swap ms"
  rates_table+="
| ${current%%-*} |${3:+ $3 |} ${current#*-} | $1/s | $lps | $fail % | $p50 ms | $p99 ms | $p999 ms | $mx ms | $dk ms | $comp | $sin / $sout, $cin |"
}

version() {
  case "$1" in
    dhcpfo) echo "dhcpfo serve $("$dhcpfo" --version | awk '{print $2}') (fsync before each ACK)" ;;
    isc) echo "ISC dhcpd $(dhcpd --version 2>&1 | head -1 | sed 's/^isc-dhcpd-//') (fsync before each ACK)" ;;
    kea) echo "kea-dhcp4 $(kea-dhcp4 -v) (memfile, persist true, no fsync)" ;;
  esac
}

table="| Server | Pool | Leases/s at <1% failed | Offered rate | Failed | ACKs / DISCOVERs | RSS, pool loaded | Peak RSS, pool loaded | Peak RSS after the load | Start-up |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
# ladder_verdict: the verdict lines of a ladder run from $ladder_rows ("size server round
# rate lps fail disc acks p50 p99 p99.9 max disk compactions snapshot swap drops..." per
# line), one block per pool size: per
# server and round the saturation (most leases/s at any rate) and the highest offered rate
# with under 1% failed there and at every lower rate of the round; for dhcpfo the worst p99.9 at the rates up to 80% of its saturation;
# the medians and the spread of the rounds, against the targets of the serve benchmark.
ladder_verdict() {
  printf '%s\n' "$ladder_rows" | awk -v servers="$servers" -v pools="$pools" -v rounds="$rounds" '
    NF >= 13 {
      k = $1 " " $2 " " $3
      if ($5 > sat[k]) sat[k] = $5
      # The rows of a round come in ascending rate: a rate counts only if every lower
      # rate of the round also failed under 1%.
      if ($6 >= 1) broke[k] = 1
      else if (!(k in broke) && $4 > ok[k]) { ok[k] = $4; oklps[k] = $5 }
      n[k]++; rate[k, n[k]] = $4; p999[k, n[k]] = $11
      if ($14 != "-" && $14 != "") {
        comp[k] += $14; hascomp[k] = 1
        if ($15 + 0 > snapmax[k]) snapmax[k] = $15 + 0
        if ($16 != "-" && $16 + 0 > swapmax[k]) swapmax[k] = $16 + 0
      }
    }
    function med(a, m,   i, j, t) {
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
    }
    function sum(a, m,   i, t) { t = 0; for (i = 1; i <= m; i++) t += a[i]; return t }
    function top(a, m,   i, t) { t = a[1]; for (i = 2; i <= m; i++) if (a[i] > t) t = a[i]; return t }
    function span(a, m,   i, lo, hi) {
      lo = a[1]; hi = a[1]
      for (i = 2; i <= m; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
      return lo "-" hi
    }
    END {
      np = split(pools, pv, " "); ns = split(servers, sv, " ")
      for (pi = 1; pi <= np; pi++) {
        size = pv[pi]; delete mok; delete mlps
        for (si = 1; si <= ns; si++) {
          s = sv[si]; m = 0; w = 0; c = 0
          for (r = 1; r <= rounds; r++) {
            k = size " " s " " r; if (!(k in n)) continue
            m++; S[m] = sat[k]; O[m] = ok[k] + 0; L[m] = oklps[k] + 0
            if (k in hascomp) { c++; CN[c] = comp[k]; SN[c] = snapmax[k]; SW[c] = swapmax[k]; H[c] = (SN[c] > SW[c] ? SN[c] : SW[c]) }
            worst = 0; seen = 0
            for (i = 1; i <= n[k]; i++)
              if (rate[k, i] <= 0.8 * sat[k] && p999[k, i] != "-") { seen = 1; if (p999[k, i] + 0 > worst) worst = p999[k, i] + 0 }
            if (seen) W[++w] = worst
          }
          if (m == 0) continue
          mok[s] = med(O, m); mlps[s] = med(L, m)
          printf "- %s addresses, %s: saturation %.0f leases/s (rounds %s); highest offered rate with under 1%% failed at it and at every lower rate %.0f/s (rounds %s), %.0f leases/s there (rounds %s)\n", size, s, med(S, m), span(S, m), mok[s], span(O, m), mlps[s], span(L, m)
          if (c > 0) {
            printf "- %s addresses, %s: compactions over the ladder: %.0f (rounds %s); the longest a compaction held replies in any round: %.2f ms (rounds %s; the writer'"'"'s start at most %.2f ms, rounds %s; its copy of the last appends at most %.2f ms, rounds %s); target: compaction never holds a reply (the engine loop takes no part, the writer'"'"'s two steps neither wait for the disk nor grow with the leases, each under 1 ms): %s\n", size, s, med(CN, c), span(CN, c), top(H, c), span(H, c), top(SN, c), span(SN, c), top(SW, c), span(SW, c), (sum(CN, c) == 0 ? "not measured (no compaction)" : (top(H, c) < 1 ? "met" : "NOT met"))
          }
          if (w > 0) {
            wm = med(W, w)
            printf "- %s addresses, %s: worst reply p99.9 at the offered rates up to 80%% of its saturation: %.2f ms (%d rounds, %s); target under 50 ms: %s\n", size, s, wm, w, span(W, w), (wm < 50 ? "met" : "NOT met")
          }
        }
        if (("dhcpfo" in mok) && ("kea" in mok) && mok["kea"] > 0 && mlps["kea"] > 0)
          printf "- %s addresses, dhcpfo against Kea at under 1%% failed: %.2fx the offered rate (medians %.0f/s and %.0f/s), %.2fx the leases/s (%.0f and %.0f); target at least 1.25x: %s\n", size, mok["dhcpfo"] / mok["kea"], mok["dhcpfo"], mok["kea"], mlps["dhcpfo"] / mlps["kea"], mlps["dhcpfo"], mlps["kea"], (mlps["dhcpfo"] >= 1.25 * mlps["kea"] ? "met" : "NOT met")
      }
    }'
}

ladder_rows=
for size in $pools; do
  configure "$size"
  if [ -n "$ladder" ]; then
    for round in $(seq 1 "$rounds"); do
      for s in $servers; do
        current=$s-$size
        echo "== round $round/$rounds: $s, $size addresses ($first - $last, $clients clients)" >&2
        start "$s" || { echo "$s did not start within 300 s" >&2; exit 1; }
        for rate in $ladder; do
          line=$(run "$rate")
          echo "   rate $rate/s: $line" >&2
          rate_row "$rate" "$line" "$round"
          ladder_rows+="$size $s $round $rate $line
"
        done
        stop
      done
    done
    continue
  fi
  for s in $servers; do
    current=$s-$size
    echo "== $s, $size addresses ($first - $last, $clients clients)" >&2
    start "$s" || { echo "$s did not start within 300 s" >&2; exit 1; }
    rss=$(mem VmRSS); hwm=$(mem VmHWM)
    echo "   ready after ${startup}s: VmRSS $rss MiB, VmHWM $hwm MiB" >&2
    search
    after=$(mem VmHWM)
    stop
    read -r lps fail disc acks _ <<<"$good_line"
    table+="
| $(version "$s") | $size | $lps | $good/s | $fail % | $acks / $disc | $rss MiB | $hwm MiB | $after MiB | ${startup} s |"
  done
done
echo "$rates_table"
if [ -n "$ladder" ]; then
  [ -n "$write" ] || exit 0
  section=$(cat <<EOF
<!-- bench:serve-ladder:start -->
## Serve: a growing load on one running server, failures and reply latency at each rate

Measured with \`bash scripts/bench-serve.sh --ladder "$ladder" --rounds $rounds --servers "$servers" --pools "$pools" --clients $clients --duration $duration\` as root; the script wrote this section. In each of $rounds rounds, each server (taking turns) starts with an empty lease file and meets the offered rates in order without a restart; perfdhcp (relay mode, its own namespace, $clients distinct clients) runs $duration s per rate and the server is let go idle between rates. Failed: DISCOVERs sent that did not end in an ACK within perfdhcp's 1-s drop time. Reply latency (dhcpfo only, measured by the server): from the request's arrival in the kernel (its SO_TIMESTAMPNS stamp, so the wait in the socket's queue counts) to the reply's send, all replies of the rate; the lease-file wait is from the append to the fsync that makes the lease durable. Saturation: the most leases/s a server gave at any rate of a round. Compactions (dhcpfo only): how many the rate's window holds, and the longest hold of each of their two steps that delay replies: the writer's start of it (a file descriptor duplicated, a thread started) and its copy into the new file of the records appended while the compactor synced it (no fsync); appends wait during both. The engine loop takes no part: the writer decides when to compact, the compactor reads the lease file itself at the lowest CPU priority, and the rename runs on its own thread while appends go to both files. Socket drops: datagrams the kernel dropped during the rate because a socket's buffer was full (UDP RcvbufErrors and SndbufErrors of /proc/net/snmp), in the server's namespace (received, sent) and in perfdhcp's (received).

$(ladder_verdict)

- Date: $(date -u +%F) (UTC)
- Machine: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), nproc $(nproc); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end
- Build: $(rustc --version); dhcpfo release build at commit $commit$dirty

$rates_table
<!-- bench:serve-ladder:end -->
EOF
)
  doc=docs/benchmarks.md
  printf '%s\n' "$section" >"$work/section"
  if grep -q '<!-- bench:serve-ladder:start -->' "$doc"; then
    awk -v file="$work/section" '
      /<!-- bench:serve-ladder:start -->/ { while ((getline l < file) > 0) print l; skip = 1; next }
      /<!-- bench:serve-ladder:end -->/ { skip = 0; next }
      !skip { print }' "$doc" >"$work/doc" && cat "$work/doc" >"$doc"
  else
    printf '\n%s\n' "$section" >>"$doc"
  fi
  echo "wrote the bench:serve-ladder section of $doc" >&2
  exit 0
fi
echo "$table"

# Every address leased: each server restarts with a lease file in which every address of the
# first pool is active for a distinct client, as after a restart with the pool in use. The
# same leases for all three: ISC's dhcpd.leases format for dhcpfo and dhcpd, Kea's memfile
# CSV (with the header Kea itself writes) for Kea.
full_size=${pools%% *}
configure "$full_size"
now=$(date +%s)
fill_isc() {
  awk -v n="$full_size" -v s="$(date -u -d "@$now" '+%w %Y/%m/%d %H:%M:%S')" \
    -v e="$(date -u -d "@$((now + 86400))" '+%w %Y/%m/%d %H:%M:%S')" 'BEGIN {
    for (i = 0; i < n; i++) {
      a = 10 * 16777216 + 10 + i
      printf "lease %d.%d.%d.%d {\n  starts %s;\n  ends %s;\n  cltt %s;\n  binding state active;\n  next binding state free;\n  hardware ethernet 02:00:%02x:%02x:%02x:%02x;\n}\n",
        int(a / 16777216) % 256, int(a / 65536) % 256, int(a / 256) % 256, a % 256, s, e, s,
        int(i / 16777216) % 256, int(i / 65536) % 256, int(i / 256) % 256, i % 256
    }
  }'
}
fill_kea() { # HEADER
  awk -v n="$full_size" -v hdr="$1" -v expire="$((now + 86400))" 'BEGIN {
    print hdr
    k = split(hdr, col, ",")
    for (i = 0; i < n; i++) {
      a = 10 * 16777216 + 10 + i
      line = ""
      for (c = 1; c <= k; c++) {
        v = ""
        if (col[c] == "address") v = sprintf("%d.%d.%d.%d", int(a / 16777216) % 256, int(a / 65536) % 256, int(a / 256) % 256, a % 256)
        else if (col[c] == "hwaddr") v = sprintf("02:00:%02x:%02x:%02x:%02x", int(i / 16777216) % 256, int(i / 65536) % 256, int(i / 256) % 256, i % 256)
        else if (col[c] == "valid_lifetime") v = 86400
        else if (col[c] == "expire") v = expire
        else if (col[c] == "subnet_id") v = 1
        else if (col[c] == "fqdn_fwd" || col[c] == "fqdn_rev" || col[c] == "state") v = 0
        line = line (c > 1 ? "," : "") v
      }
      print line
    }
  }'
}
fill_isc >"$work/full.leases"
full_table="| Server | Active leases in the file | Lease file | Ready after | RSS, leases loaded | Peak RSS | Leases the server reports |
|---|---:|---:|---:|---:|---:|---|"
for s in $servers; do
  current=$s-full
  echo "== $s, restart with $full_size active leases" >&2
  case "$s" in
    dhcpfo) cp "$work/full.leases" "$work/dhcpfo.leases"; file="$work/dhcpfo.leases" ;;
    isc) cp "$work/full.leases" "$work/dhcpd.leases"; file="$work/dhcpd.leases" ;;
    kea)
      # An empty start writes the CSV header of this Kea version.
      start kea || { echo "kea did not start" >&2; exit 1; }
      stop
      fill_kea "$(head -1 "$work/kea.leases")" >"$work/kea.leases.full"
      rm -f "$work"/kea.leases*.completed "$work"/kea.leases.2
      mv "$work/kea.leases.full" "$work/kea.leases"; file="$work/kea.leases" ;;
  esac
  size_mib=$(du -m "$file" | cut -f1)
  preload=1
  if start "$s" 300; then
    rss=$(mem VmRSS); hwm=$(mem VmHWM)
    case "$s" in
      dhcpfo) reported=$(grep -o '[0-9]* lease(s) from' "$work/$current.log" | head -1 | cut -d' ' -f1)" in its ready line" ;;
      isc) reported=$(grep -o 'Wrote [0-9]* leases' "$work/$current.log" | head -1 | cut -d' ' -f2)" written at start" ;;
      kea) reported="$(grep -c ROW_ERROR "$work/$current.log" || true) rows refused (no count logged at WARN)" ;;
    esac
    stop
    echo "   ready after ${startup}s: VmRSS $rss MiB, VmHWM $hwm MiB; $reported" >&2
    full_table+="
| $(version "$s") | $full_size | $size_mib MiB | $startup s | $rss MiB | $hwm MiB | $reported |"
  else
    echo "   not ready within 300 s" >&2
    full_table+="
| $(version "$s") | $full_size | $size_mib MiB | not within 300 s | — | — | — |"
  fi
  preload=
done
echo "$full_table"


[ -n "$write" ] || exit 0
args="--duration $duration"
[ "$pools" = "$default_pools" ] || args+=" --pools \"$pools\""
[ "$servers" = "$default_servers" ] || args+=" --servers \"$servers\""
[ -z "$clients_arg" ] || args+=" --clients $clients_arg"
section=$(cat <<EOF
<!-- bench:serve:start -->
## Serve: leases per second and memory, dhcpfo serve vs ISC dhcpd vs Kea

Measured with \`bash scripts/bench-serve.sh $args\` ([scripts/bench-serve.sh](../scripts/bench-serve.sh)), as root; the script wrote this section. All three servers run in the same run, one after the other, each alone in a network namespace (10.0.0.1/8), with the same configuration: one subnet 10.0.0.0/8 with one pool starting at 10.0.0.10 (the sizes below), 10-minute leases, a router option, an empty lease file at start, and no ping check (\`ping-check false\` for dhcpd; dhcpfo and Kea have none). perfdhcp runs in a second namespace as a relay (10.0.0.2), with as many distinct clients as half the pool (at most 500,000), for $duration s per rate.

Rate search: from 250/s the offered rate doubles while fewer than 1% of the DISCOVERs sent fail to end in an ACK (halves while more do), then three bisection steps between the last rate under 1% and the first one over. The table shows the best rate under 1%, as ACKs received per second. Memory: VmRSS and VmHWM of the server process from /proc/PID/status two seconds after it is ready (pool loaded), and VmHWM after the load. Durability: dhcpfo fsyncs its lease journal before each ACK leaves (group commit); ISC dhcpd writes and fsyncs its lease file before an ACK leaves; Kea's memfile appends to its CSV file without fsync. perfdhcp and the server share the machine's cores, so the load generator can be the limit at the highest rates.

- Date: $(date -u +%F) (UTC)
- Machine: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), nproc $(nproc), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end
- Build: $(rustc --version); dhcpfo release build at commit $commit$dirty
- Targets: more leases per second than Kea with durable leases; under 100 MB resident with 1,000,000 addresses

$table

Every rate the search tried, with dhcpfo's reply latency (measured by the server from the request's arrival in the kernel, its SO_TIMESTAMPNS stamp, to the reply's send; the lease-file wait is from the append to the fsync that makes the lease durable):

$rates_table

Restart with every address leased: each server starts again with a lease file in which all $full_size addresses of the first pool are active, each for a distinct client (ISC's dhcpd.leases format for dhcpfo and dhcpd, Kea's memfile CSV for Kea), and is measured once it serves: time to ready (reading the leases) and resident memory.

$full_table
<!-- bench:serve:end -->
EOF
)
doc=docs/benchmarks.md
printf '%s\n' "$section" >"$work/section"
if grep -q '<!-- bench:serve:start -->' "$doc"; then
  awk -v file="$work/section" '
    /<!-- bench:serve:start -->/ { while ((getline l < file) > 0) print l; skip = 1; next }
    /<!-- bench:serve:end -->/ { skip = 0; next }
    !skip { print }' "$doc" >"$work/doc" && cat "$work/doc" >"$doc"
else
  printf '\n%s\n' "$section" >>"$doc"
fi
echo "wrote the bench:serve section of $doc" >&2
