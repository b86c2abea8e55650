#!/usr/bin/env bash
# Installs what dhcpfo's tests and examples need on a Debian 12 machine (run as root).
# Idempotent: packages already present are left as they are.
set -euo pipefail

packages=(
  isc-dhcp-server   # dhcpd -t: the oracle for every rendered configuration; dhcpd -T and
                    # dhcp-lease-list for lease files; a real failover pair in the lab tests
  isc-dhcp-client   # dhclient: the real client of the serve tests
  udhcpc            # busybox udhcpc: the serve tests' second client implementation
  kea-admin         # perfdhcp: load and uniqueness tests, benchmarks
  kea-dhcp4-server  # kea-dhcp4: the benchmarks' reference server; its dependency kea-common
                    # has the HA and lease_cmds hooks of the pair benchmark's Kea HA pair
  iproute2          # ip netns: the network namespaces the tests create
  perl-base         # /usr/bin/perl: dhcp-lease-list is a Perl script
  perl              # the standard modules it uses
  pkg-config        # building the ssh2 crate: finds OpenSSL
  libssl-dev        # building the ssh2 crate: libssh2 (built from source) uses OpenSSL
  zlib1g-dev        # building the ssh2 crate: compression
  gcc               # building the ssh2 crate: compiles libssh2
  openssh-server    # tests: real sshd daemons stand in for the two peers
  openssh-client    # tests: ssh-keygen, ssh-agent and ssh-add for keys
  tcpdump           # serve tests: every ACK seen on the wire
  bsdutils          # `script`: a pseudo-terminal for the passphrase test
  coreutils         # `id` and the shell basics the tests use; on the peers: timeout, mktemp,
                    # sync, stat, sha256sum, cp --attributes-only (deploy)
  e2fsprogs         # `chattr`: an immutable folder in the lock test
  dash              # /bin/sh: the recovery commands a deploy report prints, run by a test
  procps            # on the peers: pgrep and ps (whether dhcpd runs what is on disk)
  git               # benchmarks record the commit they measured
  time              # /usr/bin/time: peak memory of the remote benchmark's large-file runs
  nftables          # nft: the chaos tests' partitions
  iptables          # iptables: the chaos tests send the failover port to an NFQUEUE
  faketime          # faketime and libfaketime: the chaos tests step a peer's clock
  libfaketime       # libfaketimeMT.so.1, preloaded into the peers
  mount             # mount/umount: the chaos tests' tmpfs lease folders
)
# tests/common/tools.rs lists which program comes from which package; tests/setup_script.rs
# keeps that list and this one in step.

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-debian.sh: run as root (apt-get needs it)" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

# Installing isc-dhcp-server or kea would start the service on the real interfaces; keep services
# down during the install unless the machine already has a policy of its own.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  made_policy=1
fi
trap '[ -n "$made_policy" ] && rm -f "$policy"' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
