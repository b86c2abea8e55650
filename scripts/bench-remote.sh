#!/usr/bin/env bash
# Times `dhcpfo diff`, `deploy` and `status` against two local OpenSSH daemons on loopback
# ports (the same set-up as tests/remote.rs: each peer a folder, a fake service), and rewrites
# the "remote" section of docs/benchmarks.md.
#
#   bash scripts/bench-remote.sh              # RUNS=5 HOSTS=2000 by default
#   RUNS=9 HOSTS=10000 bash scripts/bench-remote.sh
#
# Needs root (sshd's privilege separation), openssh-server, openssh-client, isc-dhcp-server
# (the peers validate with the real dhcpd -t) and perl. Only loopback is used.
set -euo pipefail
cd "$(dirname "$0")/.."

for t in sshd ssh ssh-keygen dhcpd perl; do
  command -v "$t" >/dev/null || { echo "bench-remote.sh: $t missing; run scripts/setup-debian.sh" >&2; exit 2; }
done

runs=${RUNS:-5}
hosts=${HOSTS:-2000}
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

Measured with \`bash scripts/bench-remote.sh\` (RUNS=$runs, HOSTS=$hosts): two OpenSSH daemons on
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
