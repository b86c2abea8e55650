//! `dhcpfo check`: every rule a pair model must satisfy before it is rendered.
//!
//! Each rule has a stable code (`DF1xx`); the registry [`RULES`] holds its severity and doc,
//! which `dhcpfo check --explain CODE` prints. Rules are grouped by topic, one file each.

mod addressing;
mod failover;
mod hosts;
mod lease_times;
mod names;
mod peers;
mod remote;

use crate::diag::{Diagnostic, Finding, Severity};

use super::Source;

// Every check rule, declared once: a static named by its code (a code written anywhere else
// is checked by the compiler; one declared twice does not build) and its place in `RULES`.
crate::codes::declare_codes! {
    /// Every rule of `dhcpfo check`, the YAML loading stage included, in code order.
    pub RULES = check_rule;
    DF001 {
        name: "unreadable-file",
        severity: Error,
        doc: "A file named on the command line could not be read (missing, a folder where a file is expected, or no permission): a model, a dhcpd.conf, a lease file, an OUI table. The command exits with status 2; `check` and `lint` check the other files first.",
    }
    DF100 {
        name: "malformed-yaml",
        severity: Error,
        doc: "The file is not valid YAML (bad indentation, an unclosed bracket or quote, a tab used for indentation, a duplicate key) or not UTF-8. The label points at the place the YAML parser stopped.",
    }
    DF101 {
        name: "invalid-value",
        severity: Error,
        doc: "A value has the wrong type or syntax: an IPv4 address that does not parse, a CIDR without a prefix, a MAC with the wrong number of octets, a duration such as `6x`, a list where a single value is expected, or a word that is not one of an enumeration's values.",
    }
    DF102 {
        name: "unknown-key",
        severity: Error,
        doc: "A key that the model does not know. Misspelled keys would otherwise be ignored silently, as dhcpd ignores misspelled statements it reads as expressions. The help line suggests the closest valid key.",
    }
    DF103 {
        name: "missing-key",
        severity: Error,
        doc: "A required key is missing, e.g. `failover.name`, `peers.primary.address`, a subnet's `network` or a pool's `range`.",
    }
    DF104 {
        name: "relationship-setting-on-peer",
        severity: Error,
        doc: "`mclt`, `split`, `hba` and the other relationship settings were written under one peer, as they would be in a hand-written primary dhcpd.conf. In the model they belong under `failover:`; dhcpfo writes mclt, split and hba on the primary only (dhcpd refuses split or hba on a secondary) and the timing settings on both peers.",
    }
    DF110 {
        name: "split-out-of-range",
        severity: Error,
        doc: "`split` must be within 0..256: 128 shares the load evenly, 256 makes the primary answer every client (hot standby), 0 the secondary. dhcpd rejects larger values.",
    }
    DF111 {
        name: "split-and-hba",
        severity: Error,
        doc: "Both `split` and `hba` are set. They are two ways of writing the same load-balancing bitmap; dhcpd silently keeps the later one. Set exactly one.",
    }
    DF112 {
        name: "hba-length",
        severity: Error,
        doc: "`hba` must be exactly 32 colon-separated octets (a 256-bit bitmap of client hash buckets); dhcpd rejects any other length.",
    }
    DF113 {
        name: "no-load-balance",
        severity: Error,
        doc: "The relationship has neither `split` nor `hba`. dhcpd refuses a primary without one (\"primary failover server must have hba or split\"). Use `split: 128` for load balancing or `split: 256` for a hot standby.",
    }
    DF114 {
        name: "mclt-missing",
        severity: Error,
        doc: "`mclt` (maximum client lead time) is missing or 0. dhcpd refuses a primary without mclt. It bounds how far one peer may extend a lease beyond what its partner knows; 3600 (1h) is the usual value.",
    }
    DF115 {
        name: "load-balance-max-seconds",
        severity: Warning,
        doc: "`load-balance-max-seconds` outside 3..5. With 0, load balancing is off and both peers answer every client; with large values a client whose designated peer is down waits that long before the other peer answers. ISC recommends 3 to 5.",
    }
    DF116 {
        name: "mclt-not-below-lease-time",
        severity: Warning,
        doc: "`mclt` is not below `max-lease-time`. The MCLT then never shortens a lease, and a peer in partner-down must wait at least MCLT before it can reuse its partner's addresses, which is longer than any lease. Use an MCLT well below the lease time (commonly 1h against leases of several hours).",
    }
    DF117 {
        name: "failover-name",
        severity: Error,
        doc: "The relationship name must be non-empty and may hold letters, digits, `-`, `_` and `.`; it is written quoted in every pool, so quotes and backslashes are refused.",
    }
    DF118 {
        name: "failover-timing",
        severity: Error,
        doc: "`max-response-delay` and `max-unacked-updates` must be above 0 (dhcpd would never consider a partner alive, or could send no update), and `min-balance` must not exceed `max-balance`.",
    }
    DF119 {
        name: "no-failover-pool",
        severity: Error,
        doc: "No pool uses the failover relationship. dhcpd refuses a peer that no pool refers to (\"has no referring pools\"). Add a pool to a subnet, or leave `failover: true` (the default) on at least one pool.",
    }
    DF120 {
        name: "same-peer-address",
        severity: Error,
        doc: "Both peers have the same address. Each peer listens on its own address and dials its partner's; with one address the peers talk to themselves and stay in `communications-interrupted`.",
    }
    DF121 {
        name: "port-range",
        severity: Error,
        doc: "A failover port must be within 1..65535; each peer listens on its `port` (default 647) and its partner dials it.",
    }
    DF122 {
        name: "peer-port-mismatch",
        severity: Error,
        doc: "A peer's `peer-port` differs from its partner's `port`. Each peer dials its partner's listening port; unmirrored ports leave the pair unable to connect. Remove `peer-port` to let dhcpfo mirror it.",
    }
    DF123 {
        name: "no-interfaces",
        severity: Warning,
        doc: "A peer lists no `interfaces`. The rendered /etc/default/isc-dhcp-server then has an empty INTERFACESv4, and Debian's dhcpd listens on every interface that has a declared subnet.",
    }
    DF124 {
        name: "invalid-interface",
        severity: Error,
        doc: "An interface name is not a Linux interface name (1 to 15 characters, no spaces, `/`, quotes or `:`).",
    }
    DF125 {
        name: "omapi-port",
        severity: Error,
        doc: "`omapi-port` must be within 1..65535 and differ from both peers' failover `port`. dhcpd opens its OMAPI listener (for `omshell`, e.g. to declare partner-down) on every address before the failover listener; on the same port the failover listener then silently fails and the partner's connections reach OMAPI instead, so the pair never talks.",
    }
    DF126 {
        name: "peer-outside-subnets",
        severity: Error,
        doc: "A peer's address lies in no declared subnet. dhcpd looks up the subnet of every interface it serves; an interface whose address no subnet holds is dropped (\"No subnet declaration for eth0\"), and a server left with no interface does not start, although `dhcpd -t` accepts the file. Declare the servers' own network under `subnets:`, without pools when no client is served there (a declared-only subnet hands out nothing); the servers of a relayed network need it too.",
    }
    DF130 {
        name: "subnet-host-bits",
        severity: Error,
        doc: "The network address has host bits set (e.g. 10.0.0.5/24). dhcpd refuses it (\"bad subnet number/mask combination\"); write the network address, 10.0.0.0/24.",
    }
    DF131 {
        name: "subnet-overlap",
        severity: Error,
        doc: "Two subnets overlap. dhcpd only warns, but which subnet a client lands in then depends on declaration order, and ranges of one lie in the other.",
    }
    DF132 {
        name: "range-reversed",
        severity: Error,
        doc: "A range starts after it ends. Write `[first, last]` with first <= last.",
    }
    DF133 {
        name: "range-outside-subnet",
        severity: Error,
        doc: "A range end lies outside its subnet. dhcpd stops with \"bad range, address not in subnet\".",
    }
    DF134 {
        name: "range-overlap",
        severity: Error,
        doc: "Two ranges share addresses. dhcpd refuses the file (\"lease declared twice\"), and in a failover pair an address must belong to exactly one pool.",
    }
    DF135 {
        name: "router-outside-subnet",
        severity: Error,
        doc: "An address in `routers` is not inside the subnet it is given for, so clients get a gateway they cannot reach on the link.",
    }
    DF136 {
        name: "broadcast-address",
        severity: Error,
        doc: "`broadcast-address` is not the subnet's broadcast address; clients would send broadcasts nobody on the link receives.",
    }
    DF137 {
        name: "bootp-in-failover-pool",
        severity: Error,
        doc: "A failover pool allows `dynamic-bootp-clients`. The failover protocol cannot handle dynamic BOOTP and dhcpd refuses dynamic-bootp ranges where a failover peer is in scope; set `failover: false` on that pool.",
    }
    DF138 {
        name: "unknown-class",
        severity: Error,
        doc: "A permit names a class that `classes:` does not declare. dhcpd refuses it (\"no such class\").",
    }
    DF139 {
        name: "address-role",
        severity: Error,
        doc: "A range contains the subnet's network or broadcast address, or a peer's own address. dhcpd would hand out an address that is not usable as a host address, or the server's own address.",
    }
    DF140 {
        name: "fixed-address-in-range",
        severity: Error,
        doc: "A host's fixed address lies inside a dynamic range, so the pool may lease it to another client. Move the reservation outside every range.",
    }
    DF141 {
        name: "duplicate-mac",
        severity: Error,
        doc: "Two hosts have the same hardware address; dhcpd matches the client to one of them, which one depends on order.",
    }
    DF142 {
        name: "duplicate-host",
        severity: Error,
        doc: "Two hosts have the same name. dhcpd refuses the file (\"host already exists\").",
    }
    DF143 {
        name: "fixed-address-outside-subnets",
        severity: Warning,
        doc: "A fixed address lies in no declared subnet. dhcpd accepts it, but never hands it out: a host matches only on a network where its address is valid.",
    }
    DF144 {
        name: "duplicate-fixed-address",
        severity: Error,
        doc: "Two hosts reserve the same fixed address; both clients would be given it.",
    }
    DF145 {
        name: "host-without-identifier",
        severity: Warning,
        doc: "A host has no `hardware-ethernet`, so no client can match it; it makes nobody a known client.",
    }
    DF150 {
        name: "default-above-max-lease-time",
        severity: Error,
        doc: "`default-lease-time` is above `max-lease-time` in effect for the same scope (scopes inherit from global, shared network, subnet, pool). dhcpd silently caps the lease, which hides the mistake.",
    }
    DF151 {
        name: "min-above-max-lease-time",
        severity: Error,
        doc: "`min-lease-time` is above `max-lease-time` in effect for the same scope.",
    }
    DF160 {
        name: "invalid-name",
        severity: Error,
        doc: "A host, shared-network or class name dhcpd cannot read: host names are unquoted dotted names (letters, digits, `-`, `_`; dhcpd refuses a label that starts with `_`); class and shared-network names are quoted, so they may not contain quotes, backslashes or line breaks.",
    }
    DF161 {
        name: "duplicate-name",
        severity: Error,
        doc: "Two classes or two shared networks have the same name. dhcpd merges or refuses them.",
    }
    DF162 {
        name: "unsafe-text",
        severity: Error,
        doc: "A class's `match-if` expression contains a character that would end the statement in dhcpd.conf (`;`, `{`, `}` outside quotes, or a line break).",
    }
    DF163 {
        name: "empty-shared-network",
        severity: Error,
        doc: "A shared network has no subnets. dhcpd refuses it (\"empty shared-network decl\"): a shared network only groups subnets that share one link.",
    }
    DF164 {
        name: "invalid-domain-name",
        severity: Error,
        doc: "A `domain-search` entry is not a valid DNS name: empty labels (`a..b`), labels longer than 63 characters, or names longer than 253 characters. dhcpd refuses the option when it encodes it.",
    }
    DF165 {
        name: "remote-path",
        severity: Error,
        doc: "A peer's `ssh.config-path`, `ssh.defaults-path` or `ssh.leases-path` is not an absolute file path (it must start with `/`, must not end with `/` and must not contain `..` or control characters). Deploy writes a temporary file next to the live one and renames it, so the path must name the file itself.",
    }
    DF166 {
        name: "ssh-port-range",
        severity: Error,
        doc: "A peer's `ssh.port` is outside 1..65535. Leave it out to use `~/.ssh/config`'s `Port` or 22.",
    }
    DF167 {
        name: "same-remote-target",
        severity: Error,
        doc: "Both peers resolve to the same SSH host, port and `config-path`, so deploy would write the primary's and the secondary's dhcpd.conf over each other. Give each peer its own `ssh.host` (by default the peer's `hostname`, else its `address`).",
    }
    DF168 {
        name: "keep-backups",
        severity: Error,
        doc: "`deploy.keep-backups` must be within 1..1000. Deploy backs up each live file before replacing it and restores the backup when anything fails, so at least one backup is needed.",
    }
    DF169 {
        name: "empty-ssh-setting",
        severity: Error,
        doc: "An SSH setting (`host`, `user`, `identity-file`, `known-hosts`, `dhcpd`, `validate-command`, `restart-command`, `status-command`) is empty. Leave the key out to use its default.",
    }
    DF176 {
        name: "dhcpd-not-a-path",
        severity: Error,
        doc: "A peer's `ssh.dhcpd` is not the absolute path of a program: it is relative, or holds shell syntax (`;`, `|`, `$`, quotes...) or an argument (` -q`). dhcpfo quotes `dhcpd` as one word, so `/usr/sbin/dhcpd; true` would name a program that does not exist rather than make every validation pass. A wrapper such as `sudo` or extra arguments belong in `ssh.validate-command`, which is run with the candidate file's path appended.",
    }
    DF177 {
        name: "remote-timeout",
        severity: Error,
        doc: "`ssh.command-timeout` or `ssh.restart-timeout` is 0 or longer than an hour. Every remote command runs under `timeout` on the peer, which kills it when its deadline passes; 0 would kill every command at once. The defaults are 60 s for commands and 630 s for the restart (the stop and start timeouts, 5 min each, of the unit systemd makes for Debian's isc-dhcp-server init script, with a margin, so that systemd's restart job has ended when dhcpfo gives up).",
    }
}

/// Runs every rule over a model; findings come in source order.
pub fn check(source: &Source) -> Vec<Diagnostic> {
    let pair = &source.pair;
    let mut findings: Vec<Finding> = Vec::new();
    failover::check(pair, &mut findings);
    peers::check(pair, &mut findings);
    addressing::check(pair, &mut findings);
    hosts::check(pair, &mut findings);
    lease_times::check(pair, &mut findings);
    names::check(pair, &mut findings);
    remote::check(pair, &mut findings);
    findings.sort_by_key(|f| (f.span.offset(), f.code));
    let file = &source.file;
    findings
        .into_iter()
        .map(|mut finding| {
            finding.span = file.fit_flow_scalar(file.widen(finding.span));
            for (span, _) in &mut finding.related {
                *span = file.fit_flow_scalar(file.widen(*span));
            }
            Diagnostic {
                finding,
                source: file.clone(),
            }
        })
        .collect()
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|d| d.finding.severity == Severity::Error)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for rule tests: load a YAML snippet and list the codes it triggers.
    use crate::model::{LoadError, load_str};

    /// A minimal valid model ending in its `subnets:` list, so tests can append subnet items
    /// or further top-level keys.
    pub(crate) const BASE: &str = "\
failover:
  name: fo
  mclt: 3600
  split: 128
  load-balance-max-seconds: 3
peers:
  primary: { address: 10.0.0.2, interfaces: [eth0] }
  secondary: { address: 10.0.0.3, interfaces: [eth0] }
subnets:
  - network: 10.0.0.0/24
  - network: 192.168.9.0/24
    pools:
      - range: [192.168.9.10, 192.168.9.20]
";

    /// Codes found in `yaml` (loading errors included), in source order.
    pub(crate) fn codes(yaml: &str) -> Vec<&'static str> {
        match load_str("test.yaml", yaml.to_string()) {
            Ok(source) => super::check(&source)
                .iter()
                .map(|d| {
                    assert!(
                        super::RULES.iter().any(|r| r.code == d.finding.code),
                        "{} is not registered",
                        d.finding.code
                    );
                    d.finding.code
                })
                .collect(),
            Err(LoadError::Invalid(diags)) => diags.iter().map(|d| d.finding.code).collect(),
            Err(e) => panic!("{e}"),
        }
    }

    /// The peers' own network in `BASE` (declared only, DF126).
    pub(crate) const OWN_NETWORK: &str = "  - network: 10.0.0.0/24\n";

    /// `BASE` followed by `extra`.
    pub(crate) fn with(extra: &str) -> String {
        format!("{BASE}{extra}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_character_value_in_a_flow_mapping_is_labelled_alone() {
        let yaml = testing::BASE.replace(
            "failover:\n  name: fo\n  mclt: 3600\n  split: 128\n  load-balance-max-seconds: 3\n",
            "failover: { name: fo, mclt: 0, split: 128, load-balance-max-seconds: 3 }\n",
        );
        let source = crate::model::load_str("test.yaml", yaml.clone()).expect("loads");
        let diags = check(&source);
        let mclt = diags
            .iter()
            .find(|d| d.finding.code == "DF114")
            .expect("mclt 0 is DF114");
        let at = mclt.finding.span.offset();
        assert_eq!(&yaml[at..at + mclt.finding.span.len()], "0", "{yaml}");
    }

    #[test]
    fn rules_are_documented_and_explained() {
        for rule in RULES {
            assert!(rule.doc.len() > 40, "{} needs a real doc", rule.code);
        }
        let df110 = crate::codes::find("df110").expect("DF110 is a check rule");
        assert!(crate::codes::explain(&df110).contains("split-out-of-range"));
    }

    #[test]
    fn base_model_is_clean() {
        assert_eq!(testing::codes(testing::BASE), Vec::<&str>::new());
    }
}
