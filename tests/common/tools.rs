//! The one list of external programs that the tests, benchmarks and scripts run, with the
//! Debian package that provides each and the tests that need it.
//!
//! Every tool a test asks for goes through [`super::tool_or_skip`] or
//! [`super::netns::tools_or_skip`], which look the package up here; a name missing from this
//! list is a test failure, not a skip. `tests/setup_script.rs` checks that every package named
//! here is installed by `scripts/setup-debian.sh`, that every program the test sources,
//! benchmarks and scripts run is listed, and (after the set-up, under `CI=true`) that each
//! tool is actually found once its package is installed.

/// One external program and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// The command's file name, as looked up on `PATH`.
    pub name: &'static str,
    /// The Debian 12 package that installs it.
    pub package: &'static str,
    /// Which tests, benchmarks or scripts run it (for README and error messages).
    pub used_by: &'static str,
}

/// Every external program run by `tests/`, `benches/` and `scripts/`.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "dhcpd",
        package: "isc-dhcp-server",
        used_by: "examples, property, lint_failover, mutation, leases, remote, status, serve, failover_state, failover_pair, chaos; benches; scripts/bench-serve.sh, scripts/bench-pair.sh",
    },
    Tool {
        name: "dhcp-lease-list",
        package: "isc-dhcp-server",
        used_by: "leases, serve",
    },
    Tool {
        name: "perl",
        package: "perl-base",
        used_by: "leases, serve (dhcp-lease-list is a Perl script)",
    },
    Tool {
        name: "omshell",
        package: "isc-dhcp-server",
        used_by: "failover_pair, chaos (partner-down on an ISC peer through OMAPI)",
    },
    Tool {
        name: "dhclient",
        package: "isc-dhcp-client",
        used_by: "leases, serve, failover_pair",
    },
    Tool {
        name: "udhcpc",
        package: "udhcpc",
        used_by: "serve (busybox udhcpc: the second client implementation)",
    },
    Tool {
        name: "perfdhcp",
        package: "kea-admin",
        used_by: "serve, failover_pair, chaos; scripts/bench-serve.sh, scripts/bench-pair.sh",
    },
    Tool {
        name: "kea-dhcp4",
        package: "kea-dhcp4-server",
        used_by: "scripts/bench-serve.sh, scripts/bench-pair.sh (a Kea HA pair)",
    },
    Tool {
        name: "tcpdump",
        package: "tcpdump",
        used_by: "serve, failover_pair, chaos (DHCP seen on the wire); scripts/bench-pair.sh (the ACKs of its replication check)",
    },
    Tool {
        name: "ip",
        package: "iproute2",
        used_by: "leases, status, serve, failover_state, failover_pair, chaos (network namespaces); scripts/bench-serve.sh, scripts/bench-pair.sh",
    },
    Tool {
        name: "sshd",
        package: "openssh-server",
        used_by: "remote, ssh; scripts/bench-remote.sh",
    },
    Tool {
        name: "ssh-keygen",
        package: "openssh-client",
        used_by: "remote, ssh; scripts/bench-remote.sh",
    },
    Tool {
        name: "ssh-agent",
        package: "openssh-client",
        used_by: "remote",
    },
    Tool {
        name: "ssh-add",
        package: "openssh-client",
        used_by: "remote",
    },
    Tool {
        name: "ssh",
        package: "openssh-client",
        used_by: "ssh (a ProxyCommand); scripts/bench-remote.sh",
    },
    Tool {
        name: "script",
        package: "bsdutils",
        used_by: "remote, deploy_safety (a pseudo-terminal for the passphrase prompt and the question)",
    },
    Tool {
        name: "id",
        package: "coreutils",
        used_by: "remote",
    },
    Tool {
        name: "true",
        package: "coreutils",
        used_by: "leases, serve (dhclient's script, so that it leaves the namespace alone)",
    },
    Tool {
        name: "time",
        package: "time",
        used_by: "scripts/bench-remote.sh (peak memory)",
    },
    Tool {
        name: "sh",
        package: "dash",
        used_by: "deploy_safety (runs the recovery commands a report prints), serve (udhcpc's script)",
    },
    Tool {
        name: "chattr",
        package: "e2fsprogs",
        used_by: "deploy_safety (a folder where even root cannot create the lock)",
    },
    Tool {
        name: "git",
        package: "git",
        used_by: "benches, scripts/bench-*.sh (the commit of a measurement)",
    },
    Tool {
        name: "nft",
        package: "nftables",
        used_by: "chaos (partitions: the failover port in a peer's namespace, a peer on the bridge)",
    },
    Tool {
        name: "iptables-nft",
        package: "iptables",
        used_by: "chaos (the failover port to an NFQUEUE for delay, loss and reordering)",
    },
    Tool {
        name: "faketime",
        package: "faketime",
        used_by: "chaos (its libfaketime, from the libfaketime package, steps a peer's clock)",
    },
    Tool {
        name: "mount",
        package: "mount",
        used_by: "chaos (a tmpfs per peer's lease folder, remounted read-only)",
    },
    Tool {
        name: "umount",
        package: "mount",
        used_by: "chaos",
    },
];

/// The entry for `name`, or a panic that says how to register it: a test that runs an
/// unregistered program would pass on a machine that happens to have it and fail on a fresh one.
#[track_caller]
pub fn tool(name: &str) -> &'static Tool {
    TOOLS.iter().find(|t| t.name == name).unwrap_or_else(|| {
        panic!(
            "`{name}` is not in tests/common/tools.rs: add it there with its Debian package, \
             and add the package to scripts/setup-debian.sh"
        )
    })
}
