#!/usr/bin/env bash
# Benchmark: failover pairs in the same run - dhcpfo + dhcpfo, dhcpfo primary + ISC dhcpd
# secondary, ISC + ISC, and a Kea HA pair (libdhcp_ha.so in load-balancing mode with
# libdhcp_lease_cmds.so, memfile with persist true) - each peer durable as it is by default.
#
# Each measurement builds network namespaces (one bridge, the primary 10.0.0.1/8, the secondary
# 10.0.0.3/8, perfdhcp 10.0.0.2/8), starts the pair on empty lease files, waits until both peers
# log normal (Kea: load-balancing) and, for the failover pairs, until both lease files show the
# pool balanced between them, then runs the rate search of scripts/bench-serve.sh: perfdhcp as
# a relay broadcasting to both peers, the highest offered rate at which under 1% of the DORA
# exchanges fail, reported as leases (ACKs) per second. The namespaces go after each
# measurement. The pairs are measured in turn, and the round is repeated (interleaved), so
# that each pair gets a median and a spread.
#
# For the dhcpfo pair, a last perfdhcp run at the rate found, with new clients and a capture
# of the replies, checks that every lease ACKed on the wire is active, for the same client
# and with the same end, in both lease files: right after the run and once both peers idle.
#
# The dhcpfo and ISC peers are configured from ONE model (dhcpfo serve reads it, dhcpd gets
# `dhcpfo render MODEL --role R`); Kea gets the same subnet, pool, lease time and router.
# Results and the command go into docs/benchmarks.md between the bench:pair markers.
#
# Usage (root, Debian 12 with scripts/setup-debian.sh run):
#   bash scripts/bench-pair.sh [--duration SECONDS] [--reps N] [--pairs "dhcpfo mixed isc kea"]
#                              [--pool ADDRESSES] [--no-write] [--keep]
# --keep leaves the work directory (logs, lease files, perfdhcp output) in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

duration=10
reps=3
default_pairs="dhcpfo mixed isc kea"
pairs=$default_pairs
pool=65536
write=1
keep=
usage="usage: $0 [--duration SECONDS] [--reps N] [--pairs \"$default_pairs\"] [--pool ADDRESSES] [--no-write] [--keep]"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --pairs) pairs=$2; shift 2 ;;
    --pool) pool=$2; shift 2 ;;
    --no-write) write=; shift ;;
    --keep) keep=1; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
for p in $pairs; do
  case "$p" in dhcpfo | mixed | isc | kea) ;; *) echo "$usage" >&2; exit 2 ;; esac
done
if ! [ "$pool" -ge 64 ] 2>/dev/null || [ "$pool" -gt 1000000 ]; then
  echo "bench-pair.sh: --pool from 64 to 1000000" >&2; exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "bench-pair.sh: run as root (network namespaces)" >&2; exit 2; }
for t in ip perfdhcp dhcpd kea-dhcp4 tcpdump git; do
  command -v "$t" >/dev/null || { echo "bench-pair.sh: $t missing; run scripts/setup-debian.sh" >&2; exit 2; }
done
# Kea's hook libraries come with kea-dhcp4-server (package kea-common).
hooks=
for d in /usr/lib/*/kea/hooks /usr/lib/kea/hooks; do
  [ -f "$d/libdhcp_ha.so" ] && [ -f "$d/libdhcp_lease_cmds.so" ] && { hooks=$d; break; }
done
[ -n "$hooks" ] || { echo "bench-pair.sh: Kea's libdhcp_ha.so missing; run scripts/setup-debian.sh" >&2; exit 2; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cargo build --release --locked --quiet
# What was built (a file edited while the benchmark runs is not in the binary).
commit=$(git rev-parse --short HEAD)
dirty=$([ -z "$(git status --porcelain -- src scripts templates Cargo.toml Cargo.lock)" ] && echo "" || echo " with uncommitted changes")
dhcpfo="$repo/target/release/dhcpfo"

tag="dfp$$"
work=$(mktemp -d "/tmp/$tag.XXXXXX")
trap bench_cleanup EXIT
load_ns="$tag-load"

# The service: subnet 10.0.0.0/8, one pool of $pool addresses from 10.0.0.10, 1-hour leases
# (2 at most), a router option, no ping check; failover with MCLT 30 minutes and split 128
# (ISC's defaults otherwise). perfdhcp's clients: a quarter of the pool, so each peer's
# clients take a quarter of its half (and the replication check's new clients another).
first=10.0.0.10
first_n=$(((10 << 24) + 10))
last_n=$((first_n + pool - 1))
last=$(ip4 "$last_n")
half=$(ip4 $((first_n + pool / 2 - 1)))
half1=$(ip4 $((first_n + pool / 2)))
clients=$((pool / 4))
relationship=bench
cat >"$work/pair.yaml" <<EOF
failover: { name: $relationship, mclt: 1800, split: 128 }
peers:
  primary: { address: 10.0.0.1, interfaces: [eth0] }
  secondary: { address: 10.0.0.3, interfaces: [eth0] }
global:
  authoritative: true
  ping-check: false
  default-lease-time: 1h
  max-lease-time: 2h
subnets:
  - network: 10.0.0.0/8
    options: { routers: 10.0.0.1 }
    pools:
      - range: [$first, $last]
EOF
for role in primary secondary; do
  "$dhcpfo" render "$work/pair.yaml" --role "$role" >"$work/$role.conf"
done
# The relationship's other settings, as the rendered primary states them, for the report.
knobs=$(awk '/^failover peer/, /^}/' "$work/primary.conf" |
  grep -E 'max-response-delay|max-unacked-updates|load balance max seconds' | sed 's/^ *//; s/;$//' | paste -sd, | sed 's/,/, /g')
# Kea: the HA hook's load-balancing as Kea's manual sets it up (each half of the pool in one
# peer's HA_serverN class), Kea's default HA timers, multi-threading (the HA hook's own HTTP
# listener needs it), lease_cmds loaded; memfile with persist true appends each lease to its
# CSV file (without fsync, Kea's default) and lfc-interval 0 keeps that file a log.
for n in 1 2; do
  cat >"$work/k$n.json" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ], "dhcp-socket-type": "raw" },
    "control-socket": { "socket-type": "unix", "socket-name": "$work/k$n.sock" },
    "lease-database": { "type": "memfile", "persist": true, "lfc-interval": 0,
                        "name": "$work/k$n.leases" },
    "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 64 },
    "valid-lifetime": 3600, "max-valid-lifetime": 7200,
    "hooks-libraries": [
      { "library": "$hooks/libdhcp_lease_cmds.so" },
      { "library": "$hooks/libdhcp_ha.so",
        "parameters": { "high-availability": [ {
          "this-server-name": "server$n",
          "mode": "load-balancing",
          "multi-threading": { "enable-multi-threading": true, "http-dedicated-listener": true,
                               "http-listener-threads": 2, "http-client-threads": 2 },
          "peers": [
            { "name": "server1", "url": "http://10.0.0.1:8000/", "role": "primary", "auto-failover": true },
            { "name": "server2", "url": "http://10.0.0.3:8000/", "role": "secondary", "auto-failover": true }
          ] } ] } }
    ],
    "subnet4": [ { "id": 1, "subnet": "10.0.0.0/8",
                   "pools": [ { "pool": "$first - $half", "client-class": "HA_server1" },
                              { "pool": "$half1 - $last", "client-class": "HA_server2" } ],
                   "option-data": [ { "name": "routers", "data": "10.0.0.1" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN",
                   "output_options": [ { "output": "stderr" } ] },
                 { "name": "kea-dhcp4.ha-hooks", "severity": "INFO",
                   "output_options": [ { "output": "stderr" } ] } ]
} }
EOF
  kea-dhcp4 -t "$work/k$n.json" >"$work/k$n.check" 2>&1 || { cat "$work/k$n.check" >&2; exit 1; }
done

# The implementation of each role in a pair.
kinds() {
  case "$1" in
    dhcpfo) echo "dhcpfo dhcpfo" ;;
    mixed) echo "dhcpfo isc" ;;
    isc) echo "isc isc" ;;
    kea) echo "kea kea" ;;
  esac
}
label() {
  case "$1" in
    dhcpfo) echo "dhcpfo + dhcpfo" ;;
    mixed) echo "dhcpfo primary + ISC dhcpd secondary" ;;
    isc) echo "ISC dhcpd + ISC dhcpd" ;;
    kea) echo "Kea HA (load-balancing)" ;;
  esac
}

declare -A peer_pid
# start_peer KIND ROLE: starts one peer in namespace $tag-ROLE on an empty lease file and
# waits (30 s at most) until it serves.
start_peer() {
  local kind=$1 role=$2 log="$work/$current-$2.log" ready n t0
  : >"$log"
  case "$kind" in
    dhcpfo)
      : >"$work/$role.leases"
      # Failover events at info (the state lines), the rest at warn as in bench-serve.sh.
      ip netns exec "$tag-$role" env DHCPFO_LOG=warn,dhcpfo::serve::server::failover=info \
        "$dhcpfo" serve "$work/pair.yaml" --role "$role" --interface eth0 \
        --leases "$work/$role.leases" >"$log" 2>&1 &
      ready="dhcpfo serve ready" ;;
    isc)
      : >"$work/$role.leases"
      ip netns exec "$tag-$role" dhcpd -4 -d -cf "$work/$role.conf" -lf "$work/$role.leases" \
        -pf "$work/$role.pid" eth0 >"$log" 2>&1 &
      ready="Server starting service" ;;
    kea)
      [ "$role" = primary ] && n=1 || n=2
      rm -f "$work/k$n.leases"* "$work/k$n.sock"
      ip netns exec "$tag-$role" env KEA_LOCKFILE_DIR=none KEA_PIDFILE_DIR="$work" \
        kea-dhcp4 -c "$work/k$n.json" >"$log" 2>&1 &
      ready="HA_SERVICE_STARTED" ;;
  esac
  peer_pid[$role]=$!
  bg_pid "$!"
  t0=$SECONDS
  until grep -q "$ready" "$log"; do
    kill -0 "${peer_pid[$role]}" 2>/dev/null || { echo "the $role ($kind) exited:" >&2; cat "$log" >&2; exit 1; }
    [ $((SECONDS - t0)) -lt 30 ] || { echo "the $role ($kind) did not start in 30 s:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
}

stop_peer() { # ROLE: SIGTERM, then SIGKILL after 15 s
  local p=${peer_pid[$1]} i
  kill -TERM "$p" 2>/dev/null || true
  for i in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}

# wait_log ROLE PATTERN LIMIT: waits until the peer's log has a line matching PATTERN.
wait_log() {
  local log="$work/$current-$1.log" t0=$SECONDS
  until grep -q "$2" "$log"; do
    kill -0 "${peer_pid[$1]}" 2>/dev/null || { echo "the $1 exited:" >&2; tail -20 "$log" >&2; return 1; }
    [ $((SECONDS - t0)) -lt "$3" ] || { echo "the $1: no \"$2\" in $3 s; its log ends:" >&2; tail -20 "$log" >&2; return 1; }
    sleep 0.2
  done
}

# udp_drops: datagrams the kernel dropped for a full receive buffer (Udp RcvbufErrors) in
# the primary's, the secondary's and perfdhcp's namespaces, "P/S/L".
udp_drops() {
  local r out=""
  for r in primary secondary load; do
    out+=$(ip netns exec "$tag-$r" cat /proc/net/snmp | awk '/^Udp:/ && ++n == 2 { print $6 }')/
  done
  echo "${out%/}"
}

# lease_table FILE: "address state mac ends" for the last record of each address in an ISC
# lease file (as dhcpd and dhcpfo write it); "-" for what the record lacks.
lease_table() {
  awk '
    $1 == "lease" && $3 == "{" { ip = $2; st = "-"; mac = "-"; ends = "-"; next }
    $1 == "binding" && $2 == "state" { st = $3; sub(/;$/, "", st) }
    $1 == "hardware" && $2 == "ethernet" { mac = $3; sub(/;$/, "", mac) }
    $1 == "ends" { ends = $2; if (NF > 2) ends = $2 "_" $3 "_" $4; sub(/;$/, "", ends) }
    $1 == "}" && ip != "" { S[ip] = st; M[ip] = mac; E[ip] = ends; ip = "" }
    END { for (a in S) print a, S[a], M[a], E[a] }' "$1"
}

# pool_counts FILE: "free backup" among the pool's addresses, and how many of them the file
# has at all.
pool_counts() {
  lease_table "$1" | awk -v lo="$first_n" -v hi="$last_n" '
    { split($1, o, "."); n = ((o[1] * 256 + o[2]) * 256 + o[3]) * 256 + o[4] }
    n >= lo && n <= hi { seen++; if ($2 == "free") f++; else if ($2 == "backup") b++ }
    END { printf "%d %d %d\n", f, b, seen }'
}

# wait_balanced LIMIT: waits (LIMIT seconds at most) until both lease files list every pool
# address as free or backup, agree on the counts, and free and backup differ by at most 15%
# of the pool (ISC's default max-lease-misbalance, the tolerance of tests/failover_pair.rs);
# prints "free/backup", or returns 1.
wait_balanced() {
  local limit=$1 t0=$SECONDS p s tol=$(((pool * 15 + 99) / 100))
  while :; do
    p=$(pool_counts "$work/primary.leases")
    s=$(pool_counts "$work/secondary.leases")
    # shellcheck disable=SC2086
    if [ "$p" = "$s" ] && set -- $p && [ "$3" -eq "$pool" ] && [ $(($1 + $2)) -eq "$pool" ] &&
      [ $(($1 - $2)) -le "$tol" ] && [ $(($2 - $1)) -le "$tol" ]; then
      echo "$1/$2"
      return 0
    fi
    if [ $((SECONDS - t0)) -ge "$limit" ]; then
      echo "   not balanced: primary's file (free backup listed) $p, secondary's $s" >&2
      return 1
    fi
    sleep 2
  done
}

# acks PCAP: "address mac" of every DHCPACK in the capture, the last one for each address.
acks() {
  tcpdump -n -v -r "$1" 2>/dev/null | awk '
    function flush() { if (ack && yi != "") A[yi] = mac; ack = 0; yi = ""; mac = "" }
    /BOOTP\/DHCP, Reply/ { flush() }
    $1 == "Your-IP" { yi = $2 }
    $1 == "Client-Ethernet-Address" { mac = $2 }
    /DHCP-Message \(53\), length 1: ACK/ { ack = 1 }
    END { flush(); for (a in A) print a, A[a] }'
}

# missing ACKS TABLE: of the ACKed "address mac" lines, how many the lease table does not
# hold active for that client.
missing() {
  awk 'NR == FNR { st[$1] = $2; mac[$1] = $3; next }
       !($1 in st) || st[$1] != "active" || mac[$1] != $2 { n++ }
       END { print n + 0 }' "$2" "$1"
}

# ends_differ ACKS TABLE1 TABLE2: of the ACKed addresses, how many the two tables give
# different ends.
ends_differ() {
  awk 'FILENAME == ARGV[2] { e1[$1] = $4; next } FILENAME == ARGV[3] { e2[$1] = $4; next }
       ($1 in e1) && ($1 in e2) && e1[$1] != e2[$1] { n++ }
       END { print n + 0 }' "$1" "$2" "$3"
}

# verify: a perfdhcp run at the rate found ($good), with clients not seen before, captured
# in the load namespace; sets $verify_line (perfdhcp's summary) and $verify_report.
verify() {
  local cap="$work/$current-verify.pcap" cpid t0 idle now_p now_s idle_p idle_s
  settle
  ip netns exec "$load_ns" tcpdump -i eth0 -n -p -Q in -U -s 1500 -w "$cap" udp port 67 \
    2>"$work/$current-tcpdump.log" &
  cpid=$!
  bg_pid "$cpid"
  t0=$SECONDS
  until grep -qs "listening on" "$work/$current-tcpdump.log"; do
    [ $((SECONDS - t0)) -lt 10 ] || { cat "$work/$current-tcpdump.log" >&2; exit 1; }
    sleep 0.1
  done
  verify_line=$(current="$current-verify" run "$good" -b mac=02:0c:00:00:00:00)
  # The lease files the moment perfdhcp ends, then once both peers are idle.
  cp "$work/primary.leases" "$work/$current-p-end.leases"
  cp "$work/secondary.leases" "$work/$current-s-end.leases"
  t0=$(date +%s.%N)
  settle
  idle=$(elapsed "$t0")
  kill -TERM "$cpid" 2>/dev/null || true
  wait "$cpid" 2>/dev/null || true
  acks "$cap" >"$work/$current-acks"
  lease_table "$work/$current-p-end.leases" >"$work/$current-p-end"
  lease_table "$work/$current-s-end.leases" >"$work/$current-s-end"
  lease_table "$work/primary.leases" >"$work/$current-p-idle"
  lease_table "$work/secondary.leases" >"$work/$current-s-idle"
  now_p=$(missing "$work/$current-acks" "$work/$current-p-end")
  now_s=$(missing "$work/$current-acks" "$work/$current-s-end")
  idle_p=$(missing "$work/$current-acks" "$work/$current-p-idle")
  idle_s=$(missing "$work/$current-acks" "$work/$current-s-idle")
  verify_report="$(wc -l <"$work/$current-acks") $now_p $now_s $idle_p $idle_s $idle $(ends_differ "$work/$current-acks" "$work/$current-p-idle" "$work/$current-s-idle")"
}

# measure PAIR REP: one measurement; appends a row to the tables.
declare -A lps_of
detail_rows=""
verify_rows=""
measure() {
  local pair=$1 rep=$2 kp ks t0 normal balanced="—" lps fail disc acks drops
  read -r kp ks <<<"$(kinds "$pair")"
  current="$pair-$rep"
  echo "== $(label "$pair"), repetition $rep" >&2
  segment primary=10.0.0.1/8 secondary=10.0.0.3/8 load=10.0.0.2/8
  t0=$(date +%s.%N)
  start_peer "$kp" primary
  start_peer "$ks" secondary
  settle_pids=("${peer_pid[primary]}" "${peer_pid[secondary]}")
  if [ "$pair" = kea ]; then
    if ! wait_log primary "to LOAD-BALANCING state" 120 || ! wait_log secondary "to LOAD-BALANCING state" 120; then
      echo "the Kea pair did not reach load-balancing" >&2; exit 1
    fi
    normal=$(elapsed "$t0")
  else
    if ! wait_log primary "failover peer $relationship: I move from [a-z-]* to normal" 120 ||
      ! wait_log secondary "failover peer $relationship: I move from [a-z-]* to normal" 120; then
      echo "the pair did not reach normal" >&2; exit 1
    fi
    normal=$(elapsed "$t0")
    t0=$(date +%s.%N)
    split=$(wait_balanced 600) || exit 1
    balanced="$(elapsed "$t0") s ($split)"
  fi
  echo "   normal after ${normal} s; balanced: $balanced" >&2
  search
  drops=$(udp_drops)
  read -r lps fail disc acks <<<"$good_line"
  lps_of[$pair]+="$lps "
  detail_rows+="
| $(label "$pair") | $rep | $normal s | $balanced | $lps | $good/s | $fail % | $acks / $disc | $drops |"
  if [ "$pair" = dhcpfo ] && [ "$good" -gt 0 ]; then
    verify
    # shellcheck disable=SC2086
    set -- $verify_report
    echo "   replication check at $good/s: $verify_line; ACKed addresses $1, missing right after (primary, secondary) $2 $3, once idle ($6 s later) $4 $5, ends differing $7" >&2
    verify_rows+="
| $rep | $good/s | $(echo "$verify_line" | awk '{ print $2 }') % | $1 | $2 / $3 | $6 s | $4 / $5 | $7 |"
  fi
  stop_peer secondary
  stop_peer primary
  segment_down
}

for rep in $(seq "$reps"); do
  for pair in $pairs; do
    measure "$pair" "$rep"
  done
done

# stats "N N N": "median min max"
stats() {
  echo "$1" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.0f %d %d\n", m, v[1], v[NR] }'
}

version() {
  case "$1" in
    dhcpfo) echo "dhcpfo serve $("$dhcpfo" --version | awk '{print $2}') (fsync before each ACK)" ;;
    isc) echo "ISC dhcpd $(dhcpd --version 2>&1 | head -1 | sed 's/^isc-dhcpd-//') (fsync before each ACK)" ;;
    kea) echo "kea-dhcp4 $(kea-dhcp4 -v) with libdhcp_ha.so (memfile, persist true, no fsync)" ;;
  esac
}

declare -A median
table="| Pair | Leases/s at <1% failed, median | Min – max | Repetitions |
|---|---:|---:|---:|"
for pair in $pairs; do
  read -r med lo hi <<<"$(stats "${lps_of[$pair]}")"
  median[$pair]=$med
  table+="
| $(label "$pair") | $med | $lo – $hi | $(echo "${lps_of[$pair]}" | wc -w) |"
done
echo "$table"
echo "$detail_rows"
[ -z "$verify_rows" ] || echo "$verify_rows"

targets=""
if [ -n "${median[dhcpfo]:-}" ] && [ -n "${median[kea]:-}" ]; then
  if [ "${median[dhcpfo]}" -gt "${median[kea]}" ]; then v=met; else v="not met"; fi
  targets+="
  - dhcpfo pair more leases/s than the Kea HA pair: ${median[dhcpfo]} vs ${median[kea]} (medians) — $v"
fi
if [ -n "${median[dhcpfo]:-}" ] && [ -n "${median[isc]:-}" ] && [ "${median[isc]}" -gt 0 ]; then
  ratio=$(awk -v a="${median[dhcpfo]}" -v b="${median[isc]}" 'BEGIN { printf "%.1f", a / b }')
  if awk -v r="$ratio" 'BEGIN { exit !(r >= 10) }'; then v=met; else v="not met"; fi
  targets+="
  - dhcpfo pair at least 10x the ISC pair: ${median[dhcpfo]} vs ${median[isc]} (medians), ${ratio}x — $v"
fi
[ -n "$targets" ] || targets=" the pairs a target compares were not all measured"
echo "$targets"

[ -n "$write" ] || exit 0
args="--duration $duration"
[ "$reps" = 3 ] || args+=" --reps $reps"
[ "$pairs" = "$default_pairs" ] || args+=" --pairs \"$pairs\""
[ "$pool" = 65536 ] || args+=" --pool $pool"
verify_section=""
if [ -n "$verify_rows" ]; then
  verify_section="
Replication in the dhcpfo pair: after each rate search, one more perfdhcp run at the rate found, with $clients clients not seen before (MACs from 02:0c:00:00:00:00), while tcpdump captures the replies in perfdhcp's namespace. For every address ACKed on the wire (its last ACK), both lease files must hold it active for the ACKed client, right after perfdhcp ends and once both peers idle; the last column counts ACKed addresses whose \`ends\` differ between the two files once idle.

| Repetition | Rate | Failed | ACKed addresses | Not in the primary's / secondary's file right after the run | Peers idle after | Not in the primary's / secondary's file once idle | Ends differ |
|---:|---:|---:|---:|---:|---:|---:|---:|$verify_rows
"
fi
cat >"$work/section" <<EOF
<!-- bench:pair:start -->
## Serve: failover pairs, dhcpfo vs ISC dhcpd vs Kea HA

Measured with \`bash scripts/bench-pair.sh $args\` ([scripts/bench-pair.sh](../scripts/bench-pair.sh)), as root; the script wrote this section. Four pairs in the same run: $(for p in $pairs; do printf '%s; ' "$(label "$p")"; done | sed 's/; $//'). Each measurement creates network namespaces (one bridge; the primary 10.0.0.1/8, the secondary 10.0.0.3/8, perfdhcp 10.0.0.2/8), starts both peers on empty lease files, waits until both log normal (Kea: \`LOAD-BALANCING\`) and, for the failover pairs, until both lease files list the pool's $pool addresses split between free and backup, with the same counts, the two within 15% of the pool of each other, then searches the rate; the namespaces go after it. The round of pairs is repeated $reps times, interleaved, so each pair has $reps measurements.

Configuration: one subnet 10.0.0.0/8 with one pool of $pool addresses from 10.0.0.10, 1-hour leases, a router option, no ping check. The dhcpfo and ISC peers come from one model (\`dhcpfo serve MODEL --role R\`, and \`dhcpfo render MODEL --role R\` for dhcpd): failover relationship with MCLT 1800 s and split 128, the model's defaults for the rest ($knobs in the rendered dhcpd.conf), so a client's first lease lasts MCLT. The Kea peers load \`libdhcp_lease_cmds.so\` and \`libdhcp_ha.so\` in load-balancing mode with Kea's default HA timers, each half of the pool in one peer's \`HA_serverN\` class, multi-threading on (2 threads, which the HA hook's own HTTP listener needs), memfile with \`persist: true\`. perfdhcp runs as a relay and broadcasts, so both peers receive every message and the load-balancing hash picks the one that answers; $clients distinct clients, $duration s per rate.

Rate search as in the serve section: from 250/s the offered rate doubles while fewer than 1% of the DISCOVERs sent fail to end in an ACK (halves while more do), then four bisection steps (the result is within 1/16 of the last octave); a rate over 1% is run a second time and counts as over only if it is over again, so that one stall does not end a search early. A result is the best rate under 1%, as ACKs received per second. Logging: the dhcpfo peers log their failover events at info and the rest at warn, the Kea peers at WARN; ISC dhcpd logs every DHCP message it handles, as it always does (it has no setting that stops it), to a file. Durability: dhcpfo fsyncs a lease to its file before its ACK leaves and tells the partner right after (BNDUPD, which the partner writes and fsyncs before its BNDACK); ISC dhcpd fsyncs its lease file before an ACK leaves and updates its partner the same way; Kea's HA hook sends the lease to the partner and waits for its answer before the ACK leaves, but memfile appends to its CSV file without fsync. Both peers and perfdhcp share the machine's cores.

- Date: $(date -u +%F) (UTC)
- Machine: $(machine); load average $load_before before the run, $(cut -d' ' -f1-3 /proc/loadavg) at the end
- Build: $(rustc --version); dhcpfo release build at commit $commit$dirty
- Versions: $(version dhcpfo); $(version isc); $(version kea)
- Targets: the dhcpfo pair serves more leases per second than the Kea HA pair and at least 10x the ISC pair
- Results:$targets

$table

Each measurement: the time from starting the primary until both peers log normal (Kea: load-balancing), the time from then until the lease files show the pool balanced (free/backup), the best rate, and the datagrams the kernel dropped over the whole search because a receive buffer was full (Udp RcvbufErrors of the primary's, the secondary's and perfdhcp's namespaces), where the failed exchanges of a run mostly go:

| Pair | Repetition | Normal after | Balanced after | Leases/s | Offered rate | Failed | ACKs / DISCOVERs | Receive-buffer drops P/S/perfdhcp |
|---|---:|---:|---|---:|---:|---:|---:|---:|$detail_rows
$verify_section<!-- bench:pair:end -->
EOF
replace_section pair "$work/section"
