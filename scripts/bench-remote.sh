#!/usr/bin/env bash
# Times `dhcpfo diff`, `deploy` and `status` against two local OpenSSH daemons on loopback
# ports (the same set-up as tests/remote.rs: each peer a folder, a fake service), then `diff`
# of a very large live dhcpd.conf and `status` of a very long lease file (time and peak
# memory), and rewrites the "remote" and "remote-large" sections of docs/benchmarks.md.
#
#   bash scripts/bench-remote.sh              # RUNS=5 HOSTS=2000 by default
#   RUNS=9 HOSTS=10000 bash scripts/bench-remote.sh
#   LARGE=0 bash scripts/bench-remote.sh      # without the large-file runs
#   LARGE_DIFFS="hosts:1000000" bash scripts/bench-remote.sh   # only these large diffs
#
# Needs root (sshd's privilege separation), openssh-server, openssh-client, isc-dhcp-server
# (the peers validate with the real dhcpd -t), perl and time (/usr/bin/time). Only loopback
# is used.
set -euo pipefail
cd "$(dirname "$0")/.."

for t in sshd ssh ssh-keygen dhcpd perl time; do
  command -v "$t" >/dev/null || { echo "bench-remote.sh: $t missing; run scripts/setup-debian.sh" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench-remote.sh: /usr/bin/time missing; run scripts/setup-debian.sh" >&2; exit 2; }

runs=${RUNS:-5}
hosts=${HOSTS:-2000}
# The command line that reproduces this run, for the sections it writes.
cmdline="RUNS=$runs HOSTS=$hosts${LARGE+ LARGE=$LARGE}${LARGE_DIFFS+ LARGE_DIFFS=\"$LARGE_DIFFS\"} bash scripts/bench-remote.sh"
repo=$PWD

cargo build --release --quiet
bin=$repo/target/release/dhcpfo
rustc_version=$(rustc --version)

tmp=$(mktemp -d /tmp/dhcpfo-bench-remote.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p /run/sshd

export HOME=$tmp/home
unset SSH_AUTH_SOCK
mkdir -p "$HOME/.ssh"
ssh-keygen -q -t ed25519 -N '' -C bench -f "$HOME/.ssh/id_ed25519"
cp "$HOME/.ssh/id_ed25519.pub" "$tmp/authorized_keys"
user=$(id -un)

declare -A port
for role in primary secondary; do
  d=$tmp/$role
  mkdir -p "$d/etc/dhcp" "$d/etc/default" "$d/var/lib/dhcp"
  : > "$d/var/lib/dhcp/dhcpd.leases"
  ssh-keygen -q -t ed25519 -N '' -C '' -f "$d/host_key"
  for try in 1 2 3 4 5; do
    p=$((20000 + RANDOM % 30000))
    cat > "$d/sshd_config" <<EOF
Port $p
ListenAddress 127.0.0.1
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $tmp/authorized_keys
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
LogLevel ERROR
EOF
    /usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log" &
    pid=$!
    sleep 0.5
    if kill -0 "$pid" 2>/dev/null; then
      pids+=("$pid")
      port[$role]=$p
      break
    fi
  done
  [ -n "${port[$role]:-}" ] || { echo "sshd for $role did not start" >&2; exit 1; }
  echo "[127.0.0.1]:${port[$role]} $(cut -d' ' -f1,2 "$d/host_key.pub")" >> "$HOME/.ssh/known_hosts"
done

# The model: one subnet with a failover pool, and $hosts reservations.
model() {
  local lease=$1
  cat <<EOF
failover: { name: bench-fo, mclt: 1800, split: 128, load-balance-max-seconds: 3 }
peers:
EOF
  for role in primary secondary; do
    local d=$tmp/$role a=192.168.50.100
    [ "$role" = secondary ] && a=192.168.50.102
    echo "  $role: { address: $a, interfaces: [eth0], ssh: { host: 127.0.0.1, port: ${port[$role]}, user: $user, config-path: $d/etc/dhcp/dhcpd.conf, defaults-path: $d/etc/default/isc-dhcp-server, leases-path: $d/var/lib/dhcp/dhcpd.leases, restart-command: 'true', status-command: 'true' } }"
  done
  cat <<EOF
global: { authoritative: true, default-lease-time: $lease, max-lease-time: 2h }
subnets:
  - network: 192.168.50.0/24
  - network: 10.20.0.0/16
    pools:
      - range: [10.20.0.10, 10.20.0.250]
hosts:
EOF
  for ((i = 0; i < hosts; i++)); do
    printf '  - { name: h%d, hardware-ethernet: "02:00:00:%02x:%02x:%02x", fixed-address: 10.20.%d.%d }\n' \
      "$i" $((i / 65536 % 256)) $((i / 256 % 256)) $((i % 256)) $((1 + i / 250)) $((1 + i % 250))
  done
}
model 1h > "$tmp/a.yaml"
model 30m > "$tmp/b.yaml"
"$bin" deploy "$tmp/a.yaml" --yes > /dev/null 2>&1

# Median wall time of a command over $runs runs (seconds, 3 decimals).
median() {
  local times=()
  for ((r = 0; r < runs; r++)); do
    [ -n "${before:-}" ] && eval "$before"
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || true
    t1=$(date +%s.%N)
    times+=("$(awk "BEGIN{print $t1 - $t0}")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f s (min %.3f, max %.3f)", a[int((NR+1)/2)], a[1], a[NR]}'
}

before=''
t_ssh=$(median ssh -o BatchMode=yes -p "${port[primary]}" "$user@127.0.0.1" true)
t_diff=$(median "$bin" diff "$tmp/a.yaml")
t_noop=$(median "$bin" deploy "$tmp/a.yaml" --yes)
t_status=$(median "$bin" status "$tmp/a.yaml")
# Each run deploys a real change: the live pair alternates between the two models.
before='"$bin" deploy "$tmp/a.yaml" --yes > /dev/null 2>&1'
t_deploy=$(median "$bin" deploy "$tmp/b.yaml" --yes)
t_dry=$(median "$bin" deploy "$tmp/b.yaml" --dry-run)
before=''

size=$(stat -c %s "$tmp/primary/etc/dhcp/dhcpd.conf")
lines=$(wc -l < "$tmp/primary/etc/dhcp/dhcpd.conf")
load=$(cut -d' ' -f1-3 /proc/loadavg)
section=$(cat <<EOF
<!-- bench:remote:start -->
## Remote: diff, deploy and status over SSH

Measured with \`$cmdline\`: two OpenSSH daemons on
loopback ports stand in for the peers (folders as file systems, \`true\` as the restart and
status commands, the real \`dhcpd -t\` validating), dhcpfo built in release. Wall time of
the whole command, median of $runs runs; a deploy includes connecting to both peers, the
clock check, the lock, the upload, \`dhcpd -t\` on both, backups, renames and restarts.
Every step is one SSH command (a new channel and a shell on the peer), so the times follow
the number of steps more than the size of the files.

- Date: $(date -u +%Y-%m-%d) (UTC); machine: nproc $(nproc), load average $load after the run
- Build: $rustc_version; dhcpfo at commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ' with uncommitted changes')
- Rendered dhcpd.conf: $size bytes, $lines lines per peer

| Command | Median wall time |
|---|---:|
| \`ssh -p PORT host true\` (OpenSSH, one peer: reference for one connection) | $t_ssh |
| \`dhcpfo diff pair.yaml\` (both peers, nothing differs) | $t_diff |
| \`dhcpfo deploy pair.yaml --yes\` (nothing differs: nothing written) | $t_noop |
| \`dhcpfo deploy pair.yaml --dry-run\` (differences validated on both peers) | $t_dry |
| \`dhcpfo deploy pair.yaml --yes\` (both peers' files replaced and restarted) | $t_deploy |
| \`dhcpfo status pair.yaml\` | $t_status |
<!-- bench:remote:end -->
EOF
)
doc=$repo/docs/benchmarks.md
if grep -q '<!-- bench:remote:start -->' "$doc"; then
  SECTION="$section" perl -0pi -e 's/<!-- bench:remote:start -->.*<!-- bench:remote:end -->/$ENV{SECTION}/s' "$doc"
else
  printf '\n%s\n' "$section" >> "$doc"
fi
echo "$section"

[ "${LARGE:-1}" = 0 ] && exit 0

# Large files. The primary's live dhcpd.conf: the rendered file with N lines inserted in its
# middle, either host stanzas (whose `}` lines the rendered file has too, so the diff
# searches) with the lease time changed as well, as tests/ssh.rs builds it, the largest just
# under the default 64 MiB read cap, or comment lines alone (no search needed); then the
# primary's lease file: a journal of M records over 240 addresses. Each run once: wall time,
# peak RSS (/usr/bin/time) and what dhcpfo reported. LARGE_DIFFS picks the files
# (KIND:LINES, KIND hosts or comments).
conf=$tmp/primary/etc/dhcp/dhcpd.conf
cp "$conf" "$tmp/rendered.conf"
rendered_lines=$(wc -l < "$tmp/rendered.conf")
large_rows=""
for spec in ${LARGE_DIFFS:-hosts:250000 hosts:1000000 comments:1000000 hosts:3000000}; do
  kind=${spec%%:*} n=${spec#*:}
  perl -e '
    my ($kind, $n, $file) = @ARGV;
    open my $in, "<", $file or die "$file: $!"; my @l = <$in>; close $in;
    my $cut = int(@l / 2);
    print @l[0 .. $cut - 1];
    if ($kind eq "comments") {
      printf "# inserted line %d\n", $_ for 0 .. $n - 1;
    } else {
      for my $i (0 .. $n / 4 - 1) {
        my ($a, $b, $c) = (($i >> 16) & 255, ($i >> 8) & 255, $i & 255);
        printf "host h%d {\n  hardware ethernet 52:54:00:%02x:%02x:%02x;\n  fixed-address 10.%d.%d.%d;\n}\n", $i, $a, $b, $c, $a, $b, $c;
      }
    }
    print @l[$cut .. $#l];
  ' "$kind" "$n" "$tmp/rendered.conf" > "$conf"
  [ "$kind" = comments ] || sed -i 's/default-lease-time 3600;/default-lease-time 600;/' "$conf"
  bytes=$(stat -c %s "$conf")
  [ "$bytes" -lt $((64 << 20)) ] || { echo "bench-remote.sh: $conf is over the 64 MiB read cap" >&2; exit 1; }
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" diff "$tmp/a.yaml" --format json > "$tmp/diff.json" 2>/dev/null || true
  read -r wall rss < <(tail -n 1 "$tmp/time")
  counts=$(perl -MJSON::PP -e '
    local $/; my $j = decode_json(<STDIN>);
    for my $f (@{$j->{files}}) {
      next unless $f->{peer} eq "primary" && $f->{name} eq "dhcpd.conf";
      printf "-%d +%d lines, %s", $f->{removed}, $f->{added},
        $f->{approximate} ? "approximate (the search stopped at its 2 s deadline)" : "exact";
    }
    print "error: @{$j->{errors}}" if @{$j->{errors}};' < "$tmp/diff.json")
  what="$n lines of host stanzas inserted, lease time changed"
  [ "$kind" = comments ] && what="$n comment lines inserted, nothing else changed"
  large_rows+="| \`dhcpfo diff\`, live dhcpd.conf of $((n + rendered_lines)) lines ($((bytes / 1048576)) MiB): $what | ${wall} s | $((rss / 1024)) MiB | $counts |"$'\n'
done
cp "$tmp/rendered.conf" "$conf"
for m in 1000000 4000000; do
  perl -e '
    my ($m) = @ARGV;
    my @s = qw(free backup active expired abandoned);
    print "authoring-byte-order little-endian;\n";
    for my $i (0 .. $m - 1) {
      printf "lease 10.20.0.%d {\n  starts 3 2026/11/18 10:00:00;\n  ends 3 2026/11/18 11:00:00;\n  binding state %s;\n  hardware ethernet 02:00:00:00:%02x:%02x;\n  client-hostname \"h%d\";\n}\n",
        10 + $i % 240, $s[int($i / 240) % 5], ($i >> 8) & 255, $i & 255, $i;
    }
    print "failover peer \"bench-fo\" state {\n  my state normal at 3 2026/11/18 10:00:00;\n  partner state normal at 3 2026/11/18 10:00:00;\n}\n";
  ' "$m" > "$tmp/primary/var/lib/dhcp/dhcpd.leases"
  bytes=$(stat -c %s "$tmp/primary/var/lib/dhcp/dhcpd.leases")
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" status "$tmp/a.yaml" --format json > "$tmp/status.json" 2>/dev/null || true
  read -r wall rss < <(tail -n 1 "$tmp/time")
  total=$(perl -MJSON::PP -e '
    local $/; my $j = decode_json(<STDIN>); my $p = $j->{peers}[0];
    if (@{$p->{errors}}) { print "error: @{$p->{errors}}"; exit }
    my $t = $p->{total};
    print "$t->{free} free, $t->{backup} backup, $t->{active} active, $t->{expired} expired, $t->{abandoned} abandoned; failover $p->{failover}[0]{my_state}";' < "$tmp/status.json")
  large_rows+="| \`dhcpfo status\`, lease file of $m records ($((bytes / 1048576)) MiB) | ${wall} s | $((rss / 1024)) MiB | $total |"$'\n'
done
: > "$tmp/primary/var/lib/dhcp/dhcpd.leases"

large=$(cat <<EOF
<!-- bench:remote-large:start -->
## Remote: large files

Measured with \`$cmdline\` (the same two daemons as above), each command
run once; wall time and peak resident memory from \`/usr/bin/time\`. Diff: the primary's
live dhcpd.conf is the rendered one with host stanzas (4 lines each, their \`}\` lines like
the rendered file's) inserted in its middle and its lease time changed, the largest just
under the default 64 MiB read cap (\`--max-remote-size\`); the shortest diff removes the
stanzas and the old line and adds one. In the row with comment lines inserted and nothing
else changed, what differs shares no line with the rendered file, so the diff is exact
without a search: the cost of reading, hashing and printing 1,000,000 lines alone. Status: the primary's lease file is a journal of
lease records over 240 addresses, read as a stream (under the peer's \`command-timeout\`,
not the read cap), so memory holds the summary and stays flat as the file grows.

- Date: $(date -u +%Y-%m-%d) (UTC); machine: nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg) after the run
- Build: $rustc_version; dhcpfo at commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ' with uncommitted changes')

| Command | Wall time | Peak RSS | Result |
|---|---:|---:|---|
$large_rows<!-- bench:remote-large:end -->
EOF
)
if grep -q '<!-- bench:remote-large:start -->' "$doc"; then
  SECTION="$large" perl -0pi -e 's/<!-- bench:remote-large:start -->.*<!-- bench:remote-large:end -->/$ENV{SECTION}/s' "$doc"
else
  printf '\n%s\n' "$large" >> "$doc"
fi
echo "$large"
