#!/usr/bin/env bash
# Long mode of the fault-injection tests (tests/chaos): for each pair, a steady client load
# and faults of every kind on a random schedule from one seed, for --duration seconds per
# pair; then docs/reliability.md with the figures of each pair and the command that
# produced them. A pair whose run finds a duplicate or a lost lease, a fault that did not
# take effect, or a return to service slower than MCLT plus a bound makes the script exit
# non-zero after the report is written.
#
#   scripts/chaos.sh [--duration SECONDS] [--seed N] [--pairs "isc+isc dhcpfo+isc ..."]
#                    [--kinds "kill-9 clock-step ..."] [--out FILE] [--report-only]
#
# --report-only writes the report again from the sections of an earlier run with the same
# --seed (target/chaos/SEED), without running anything.
# Replay a run from its seed: the same --seed and --pairs. Needs root (network namespaces,
# mounts) and the packages of scripts/setup-debian.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=1800
seed=""
pairs="dhcpfo+dhcpfo dhcpfo+isc isc+dhcpfo isc+isc"
kinds=""
out=docs/reliability.md
report_only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --pairs) pairs="$2"; shift 2 ;;
    --kinds) kinds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --report-only) report_only=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "chaos.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$duration" in ''|*[!0-9]*) echo "chaos.sh: --duration takes seconds" >&2; exit 2 ;; esac
seed="${seed:-$(date +%s)}"
case "$seed" in ''|*[!0-9]*) echo "chaos.sh: --seed takes a number" >&2; exit 2 ;; esac

for t in ip nft iptables-nft faketime mount umount dhcpd omshell tcpdump perfdhcp; do
  command -v "$t" >/dev/null 2>&1 || { echo "chaos.sh: $t not found: run scripts/setup-debian.sh" >&2; exit 2; }
done
if [ "$(id -u)" -ne 0 ]; then
  echo "chaos.sh: run as root (network namespaces, tmpfs mounts)" >&2
  exit 2
fi

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
git diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
command_line="scripts/chaos.sh --duration $duration --seed $seed --pairs \"$pairs\""
[ -n "$kinds" ] && command_line="$command_line --kinds \"$kinds\""
reports="target/chaos/$seed"
status=0
if [ -n "$report_only" ]; then
  [ -f "$reports/log.txt" ] || { echo "chaos.sh: no run with seed $seed in $reports" >&2; exit 2; }
  grep -q "test result: ok" "$reports/log.txt" || status=1
  commit="$(sed -n 's/^chaos.sh: commit //p' "$reports/log.txt" | head -n1)"
  commit="${commit:-unknown}"
else
  rm -rf "$reports"
  mkdir -p "$reports"
  echo "chaos.sh: $command_line (sections in $reports)"
  echo "chaos.sh: commit $commit" > "$reports/log.txt"
  CHAOS_PAIRS="$pairs" CHAOS_DURATION="$duration" CHAOS_SEED="$seed" CHAOS_KINDS="${kinds:-}" \
    CHAOS_REPORT_DIR="$reports" \
    cargo test --locked --test chaos -- --ignored --exact long_mode --nocapture \
    2>&1 | tee -a "$reports/log.txt" || status=$?
fi

{
  echo "# Reliability under faults"
  echo
  echo "Written by \`$command_line\` on $(date -u +%Y-%m-%d), at commit $commit, on a"
  echo "$(nproc)-core machine (Linux $(uname -r)), with $(dhcpd --version 2>&1 | head -n1) for the"
  echo "ISC peers."
  echo
  echo "Each pair runs in network namespaces made by the test (\`tests/chaos\`, on the pair lab"
  echo "of \`tests/common/pair_lab.rs\`): both peers on one segment, a direct and a relayed client"
  echo "namespace, and the tests' own client generator keeping a steady load of distinct MACs"
  echo "(DORA, renewals at T1, rebinding at T2, releases, declines, new clients joining). Faults"
  echo "come one at a time on a random schedule from the seed; each is verified to take effect"
  echo "(the evidence is in each pair's list of faults). The checkers read every ACK captured in"
  echo "the client namespaces, both lease files and both logs. Definitions (\`tests/chaos/verdict.rs\`"
  echo "and \`tests/common/pair_check.rs\`):"
  echo
  echo "- **duplicate**: one address ACKed to (or held in a lease file by) two clients over"
  echo "  overlapping lease times; target 0."
  echo "- **lost lease**: an ACKed lease that neither lease file accounts for; target 0. A lease"
  echo "  ends a lease time after the request the ACK answers, or earlier at the client's RELEASE"
  echo "  or DECLINE of the address (which also ends the other peer's ACK of the same request) or"
  echo "  at a NAK to a later request. A lease"
  echo "  still running at the end must be active, for its client and to its end, in a lease file"
  echo "  as it is then. A lease already over must have been held to its end by one peer's file,"
  echo "  read in order over its history (the copies taken just before each of the peer's starts"
  echo "  that changed it, and the files its rewrites replaced, kept as \`FILE~\` by both"
  echo "  servers, then the file at the end): a record of the address with the client's"
  echo "  hardware address ending no earlier, and no later record of the address without both"
  echo "  (another client, no hardware address, an earlier end) before one written at or after"
  echo "  the lease's end. When a record was written is bounded below by the latest \`starts\`"
  echo "  or \`cltt\` of the records up to it, lowered by how far ahead a stepped clock was."
  echo "  Each is marked with its likely cause where the evidence shows one: ACKed while the"
  echo "  sender's lease folder was full, or freed for the same client (the signature of ISC"
  echo "  4.4.3's recovery race, see \`isc_recovery_race\` in \`tests/failover_pair.rs\`)."
  echo "- **unavailability of a fault**: the longest time a client went without a lease, from its"
  echo "  DISCOVER to its ACK, counting only time when at least one peer was running, reachable and"
  echo "  in a state that lets it serve (normal, communications-interrupted, partner-down), among"
  echo "  the clients whose wait began between the injection and the pair's return to normal."
  echo "- **clock-shifted**: a lease-file time off by no more than a clock step in force; listed"
  echo "  apart, since a stepped peer writes its own (wrong) time."
  echo "- **ACKs of leases not on the full disk**: ACKs on the wire from a peer between the moment"
  echo "  its lease folder filled and the moment space came back, for a lease that its lease file"
  echo "  (read just before the space came back) does not hold: a lease promised without being on"
  echo "  its disk (the partner's may hold it). A record that fits in the room left in the file's"
  echo "  last block is on disk, and its ACK is not counted."
  echo "- **records cut inside a dhcpfo peer's lease file**: stanzas that do not parse and that"
  echo "  later stanzas follow (a write the full disk stopped part-way, left in place); dhcpfo"
  echo "  could not read such a file back at its next start. Target 0."
  echo
  echo "The kernel of the machine has no \`sch_netem\`: delay, loss and reordering of the"
  echo "failover link come from an NFQUEUE and the harness's own packet scheduler"
  echo "(\`tests/chaos/impair.rs\`), verified by TCP probes of the failover port."
  echo
  if [ -f "$reports/kinds.md" ]; then
    cat "$reports/kinds.md"
    echo
  fi
  for p in $pairs; do
    if [ -f "$reports/$p.md" ]; then
      cat "$reports/$p.md"
    else
      echo "## $p"
      echo
      echo "No figures: the run did not complete (see target/chaos/$seed/log.txt of that run)."
      echo
    fi
  done
} > "$out"
echo "chaos.sh: wrote $out"
exit "$status"
