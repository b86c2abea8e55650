#!/usr/bin/env bash
# Benchmark: dhcpfo serve vs ISC dhcpd vs kea-dhcp4 (memfile, persist true), in the same run,
# with the same pools (by default 1,000,000 addresses, then 65,536), each server in a network
# namespace this script creates.
#
# For each pool and server: resident memory (VmRSS, VmHWM from /proc/PID/status) once the
# pool is loaded, then a rate search with perfdhcp (relay mode, from its own namespace): the highest
# offered rate at which under 1% of the started DORA exchanges fail to end in an ACK, reported
# as leases (ACKs) per second. Results and the command go into docs/benchmarks.md between the
# bench:serve markers.
#
# Usage (root, Debian 12 with scripts/setup-debian.sh run):
#   bash scripts/bench-serve.sh [--duration SECONDS] [--servers "dhcpfo isc kea"] [--pools "1000000 65536"] [--no-write] [--keep]
# --keep leaves the work directory (server logs, lease files, perfdhcp output) in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh

duration=10
servers="dhcpfo isc kea"
default_pools="1000000 65536"
pools=$default_pools
write=1
keep=
preload=
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --servers) servers=$2; shift 2 ;;
    --pools) pools=$2; shift 2 ;;
    --no-write) write=; shift ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--duration SECONDS] [--servers \"dhcpfo isc kea\"] [--pools \"1000000 65536\"] [--no-write] [--keep]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "bench-serve.sh: run as root (network namespaces)" >&2; exit 2; }
for t in ip perfdhcp dhcpd kea-dhcp4; do
  command -v "$t" >/dev/null || { echo "bench-serve.sh: $t missing; run scripts/setup-debian.sh" >&2; exit 2; }
done

cargo build --release --locked --quiet
dhcpfo="$repo/target/release/dhcpfo"

tag="dfb$$"
work=$(mktemp -d "/tmp/$tag.XXXXXX")
trap bench_cleanup EXIT

# Topology: a bridge namespace, the server (10.0.0.1/8) and the load generator (10.0.0.2/8).
segment srv=10.0.0.1/8 load=10.0.0.2/8
load_ns="$tag-load"

# The same service for all three: subnet 10.0.0.0/8, one pool of SIZE addresses from
# 10.0.0.10, 10-minute leases, a router option. perfdhcp's clients: at most half the pool.
first=10.0.0.10
configure() { # SIZE: writes the three configurations; sets $last and $clients
  local size=$1
  last=$(ip4 $(((10 << 24) + 10 + size - 1)))
  clients=$((size / 2 < 500000 ? size / 2 : 500000))
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
  bg_pid "$pid"
  settle_pids=("$pid")
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

version() {
  case "$1" in
    dhcpfo) echo "dhcpfo serve $("$dhcpfo" --version | awk '{print $2}') (fsync before each ACK)" ;;
    isc) echo "ISC dhcpd $(dhcpd --version 2>&1 | head -1 | sed 's/^isc-dhcpd-//') (fsync before each ACK)" ;;
    kea) echo "kea-dhcp4 $(kea-dhcp4 -v) (memfile, persist true, no fsync)" ;;
  esac
}

table="| Server | Pool | Leases/s at <1% failed | Offered rate | Failed | ACKs / DISCOVERs | RSS, pool loaded | Peak RSS, pool loaded | Peak RSS after the load | Start-up |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for size in $pools; do
  configure "$size"
  for s in $servers; do
    current=$s-$size
    echo "== $s, $size addresses ($first - $last, $clients clients)" >&2
    start "$s" || { echo "$s did not start within 300 s" >&2; exit 1; }
    rss=$(mem VmRSS); hwm=$(mem VmHWM)
    echo "   ready after ${startup}s: VmRSS $rss MiB, VmHWM $hwm MiB" >&2
    search
    after=$(mem VmHWM)
    stop
    read -r lps fail disc acks <<<"$good_line"
    table+="
| $(version "$s") | $size | $lps | $good/s | $fail % | $acks / $disc | $rss MiB | $hwm MiB | $after MiB | ${startup} s |"
  done
done
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
commit=$(git rev-parse --short HEAD)
dirty=$(git diff --quiet HEAD -- src && echo "" || echo " with uncommitted changes")
args="--duration $duration"
[ "$pools" = "$default_pools" ] || args+=" --pools \"$pools\""
section=$(cat <<EOF
<!-- bench:serve:start -->
## Serve: leases per second and memory, dhcpfo serve vs ISC dhcpd vs Kea

Measured with \`bash scripts/bench-serve.sh $args\` ([scripts/bench-serve.sh](../scripts/bench-serve.sh)), as root; the script wrote this section. All three servers run in the same run, one after the other, each alone in a network namespace (10.0.0.1/8), with the same configuration: one subnet 10.0.0.0/8 with one pool starting at 10.0.0.10 (the sizes below), 10-minute leases, a router option, an empty lease file at start, and no ping check (\`ping-check false\` for dhcpd; dhcpfo and Kea have none). perfdhcp runs in a second namespace as a relay (10.0.0.2), with as many distinct clients as half the pool (at most 500,000), for $duration s per rate.

Rate search: from 250/s the offered rate doubles while fewer than 1% of the DISCOVERs sent fail to end in an ACK (halves while more do), then three bisection steps between the last rate under 1% and the first one over. The table shows the best rate under 1%, as ACKs received per second. Memory: VmRSS and VmHWM of the server process from /proc/PID/status two seconds after it is ready (pool loaded), and VmHWM after the load. Durability: dhcpfo fsyncs its lease journal before each ACK leaves (group commit); ISC dhcpd writes and fsyncs its lease file before an ACK leaves; Kea's memfile appends to its CSV file without fsync. perfdhcp and the server share the machine's cores, so the load generator can be the limit at the highest rates.

- Date: $(date -u +%F) (UTC)
- Machine: $(machine); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end
- Build: $(rustc --version); dhcpfo release build at commit $commit$dirty
- Targets: more leases per second than Kea with durable leases; under 100 MB resident with 1,000,000 addresses

$table

Restart with every address leased: each server starts again with a lease file in which all $full_size addresses of the first pool are active, each for a distinct client (ISC's dhcpd.leases format for dhcpfo and dhcpd, Kea's memfile CSV for Kea), and is measured once it serves: time to ready (reading the leases) and resident memory.

$full_table
<!-- bench:serve:end -->
EOF
)
printf '%s\n' "$section" >"$work/section"
replace_section serve "$work/section"
