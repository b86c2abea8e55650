//! The imported model as data, and its YAML text: kebab-case keys in the order of the README's
//! reference, flow lists for short values, and a `# FILE:LINE` comment on each declaration
//! naming where it was read.

use std::fmt::Write;
use std::net::Ipv4Addr;

/// A scope's keys (already formatted YAML values) and its options.
#[derive(Debug, Default, Clone)]
pub(super) struct ScopeOut {
    /// `key: value` lines in order.
    pub entries: Vec<(String, String)>,
    /// `options:` entries in order.
    pub options: Vec<(String, String)>,
}

impl ScopeOut {
    /// Sets a key, replacing an earlier value (dhcpd keeps the last one).
    pub(super) fn set(&mut self, key: &str, value: String) {
        set(&mut self.entries, key, value);
    }

    /// Sets an option, replacing an earlier value.
    pub(super) fn option(&mut self, key: &str, value: String) {
        set(&mut self.options, key, value);
    }
}

fn set(list: &mut Vec<(String, String)>, key: &str, value: String) {
    match list.iter_mut().find(|(k, _)| k == key) {
        Some(entry) => entry.1 = value,
        None => list.push((key.to_string(), value)),
    }
}

/// A pool.
#[derive(Debug, Default, Clone)]
pub(super) struct PoolOut {
    /// Ranges (first, last).
    pub ranges: Vec<(Ipv4Addr, Ipv4Addr)>,
    /// `allow` permits, as YAML values.
    pub allow: Vec<String>,
    /// `deny` permits, as YAML values.
    pub deny: Vec<String>,
    /// The failover peer in effect, by name.
    pub peer: Option<String>,
    /// Whether the pool is failed over by the model's relationship.
    pub failover: bool,
    /// Ranges flagged `dynamic-bootp` (all of them, for the model's pool-level flag).
    pub dynamic_bootp: bool,
    /// Parameters and options.
    pub scope: ScopeOut,
    /// Where it was read.
    pub at: String,
    /// Ranges written outside a pool.
    pub implicit: bool,
    /// Where the pool (or its first range) is written.
    pub span: crate::conf::ast::Span,
}

/// A subnet.
#[derive(Debug, Default, Clone)]
pub(super) struct SubnetOut {
    /// CIDR.
    pub network: String,
    /// Parameters and options.
    pub scope: ScopeOut,
    /// Pools.
    pub pools: Vec<PoolOut>,
    /// Where it was read.
    pub at: String,
}

/// A shared network.
#[derive(Debug, Default, Clone)]
pub(super) struct SharedOut {
    /// Name (YAML value).
    pub name: String,
    /// Parameters and options.
    pub scope: ScopeOut,
    /// Subnets.
    pub subnets: Vec<SubnetOut>,
    /// Where it was read.
    pub at: String,
}

/// A host.
#[derive(Debug, Default, Clone)]
pub(super) struct HostOut {
    /// Name (YAML value).
    pub name: String,
    /// MAC (YAML value).
    pub mac: Option<String>,
    /// Fixed addresses.
    pub fixed: Vec<Ipv4Addr>,
    /// Parameters and options.
    pub scope: ScopeOut,
    /// Where it was read.
    pub at: String,
}

/// A class.
#[derive(Debug, Default, Clone)]
pub(super) struct ClassOut {
    /// Name (YAML value).
    pub name: String,
    /// `match if` expression (YAML value).
    pub match_if: Option<String>,
    /// `lease limit`.
    pub lease_limit: Option<String>,
    /// Parameters and options.
    pub scope: ScopeOut,
    /// Where it was read.
    pub at: String,
}

/// One peer.
#[derive(Debug, Default, Clone)]
pub(super) struct PeerOut {
    /// `address` (YAML value).
    pub address: Option<String>,
    /// `port`, when not the default.
    pub port: Option<String>,
    /// Interfaces, and the file they were read from.
    pub interfaces: Option<(Vec<String>, String)>,
    /// Where its peer block was read.
    pub at: String,
}

/// The whole imported model.
#[derive(Debug, Default, Clone)]
pub(super) struct ModelOut {
    /// Header comment lines (without `# `).
    pub header: Vec<String>,
    /// `failover:` keys, and where the peer block was read.
    pub failover: Option<(Vec<(String, String)>, String)>,
    /// Primary and secondary.
    pub peers: [PeerOut; 2],
    /// Global keys and options.
    pub global: ScopeOut,
    /// Classes.
    pub classes: Vec<ClassOut>,
    /// Standalone subnets.
    pub subnets: Vec<SubnetOut>,
    /// Shared networks.
    pub shared_networks: Vec<SharedOut>,
    /// Hosts.
    pub hosts: Vec<HostOut>,
}

/// A string as a YAML scalar: plain when that reads back as the same string, else quoted.
pub(super) fn string(text: &str) -> String {
    if is_plain(text) {
        return text.to_string();
    }
    if !text.contains('\'') && !text.chars().any(char::is_control) {
        return format!("'{text}'");
    }
    double_quoted(text)
}

/// A string in double quotes with YAML escapes.
pub(super) fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_plain(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    let lower = text.to_ascii_lowercase();
    let special = matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    );
    let numeric = text.parse::<f64>().is_ok()
        || lower.starts_with("0x")
        || lower.starts_with("0o")
        || text
            .chars()
            .all(|c| c.is_ascii_digit() || "_:.+-".contains(c));
    (first.is_ascii_alphanumeric() || first == '/')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/+@".contains(c))
        && !special
        && !numeric
}

/// A flow list `[a, b]` of already formatted values.
pub(super) fn list(values: &[String]) -> String {
    format!("[{}]", values.join(", "))
}

/// One value or a flow list.
pub(super) fn one_or_list(values: &[String]) -> String {
    match values {
        [one] => one.clone(),
        _ => list(values),
    }
}

/// Seconds as a duration: `30m`, `1h30m`, `2d` for whole minutes from ten minutes on, else
/// the number of seconds.
pub(super) fn duration(secs: u64) -> String {
    if secs < 600 || !secs.is_multiple_of(60) {
        return secs.to_string();
    }
    let mut rest = secs;
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if rest >= size {
            let _ = write!(out, "{}{unit}", rest / size);
            rest %= size;
        }
    }
    out
}

/// Pool ranges: `[a, b]` or `[[a, b], [c, d]]`.
fn ranges(list: &[(Ipv4Addr, Ipv4Addr)]) -> String {
    match list {
        [(a, b)] => format!("[{a}, {b}]"),
        _ => format!(
            "[{}]",
            list.iter()
                .map(|(a, b)| format!("[{a}, {b}]"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

struct Writer {
    out: String,
}

impl Writer {
    fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.out, "{:indent$}{text}", "");
    }

    /// A `key: value` line with an optional trailing comment.
    fn entry(&mut self, indent: usize, key: &str, value: &str, comment: &str) {
        let text = format!("{key}: {value}");
        self.commented(indent, &text, comment);
    }

    fn commented(&mut self, indent: usize, text: &str, comment: &str) {
        if comment.is_empty() {
            self.line(indent, text);
        } else {
            self.line(indent, &format!("{text}  # {comment}"));
        }
    }

    fn scope(&mut self, indent: usize, scope: &ScopeOut) {
        for (k, v) in &scope.entries {
            self.entry(indent, k, v, "");
        }
        if !scope.options.is_empty() {
            self.line(indent, "options:");
            for (k, v) in &scope.options {
                self.entry(indent + 2, k, v, "");
            }
        }
    }

    fn subnets(&mut self, indent: usize, subnets: &[SubnetOut]) {
        for s in subnets {
            self.commented(indent, &format!("- network: {}", s.network), &s.at);
            self.scope(indent + 2, &s.scope);
            if !s.pools.is_empty() {
                self.line(indent + 2, "pools:");
                for p in &s.pools {
                    let at = if p.implicit {
                        format!("{} (ranges outside a pool)", p.at)
                    } else {
                        p.at.clone()
                    };
                    self.commented(indent + 4, &format!("- range: {}", ranges(&p.ranges)), &at);
                    if !p.allow.is_empty() {
                        self.entry(indent + 6, "allow", &list(&p.allow), "");
                    }
                    if !p.deny.is_empty() {
                        self.entry(indent + 6, "deny", &list(&p.deny), "");
                    }
                    if !p.failover {
                        self.entry(indent + 6, "failover", "false", "");
                    }
                    if p.dynamic_bootp {
                        self.entry(indent + 6, "dynamic-bootp", "true", "");
                    }
                    self.scope(indent + 6, &p.scope);
                }
            }
        }
    }
}

/// The YAML text of a model, starting with the modeline and header comments.
pub(super) fn emit(model: &ModelOut, modeline: &str) -> String {
    let mut w = Writer { out: String::new() };
    if !modeline.is_empty() {
        w.line(0, modeline);
        w.line(0, "#");
    }
    for h in &model.header {
        if h.is_empty() {
            w.line(0, "#");
        } else {
            w.line(0, &format!("# {h}"));
        }
    }
    if let Some((entries, at)) = &model.failover {
        w.commented(0, "failover:", at);
        for (k, v) in entries {
            w.entry(2, k, v, "");
        }
    }
    w.line(0, "");
    w.line(0, "peers:");
    for (role, peer) in ["primary", "secondary"].iter().zip(&model.peers) {
        if peer.address.is_none() && peer.port.is_none() && peer.interfaces.is_none() {
            // Nothing known: an empty mapping, which `check` reports as incomplete.
            w.commented(2, &format!("{role}: {{}}"), &peer.at);
            continue;
        }
        w.commented(2, &format!("{role}:"), &peer.at);
        if let Some(a) = &peer.address {
            w.entry(4, "address", a, "");
        }
        if let Some(p) = &peer.port {
            w.entry(4, "port", p, "");
        }
        if let Some((names, from)) = &peer.interfaces {
            let names: Vec<String> = names.iter().map(|n| string(n)).collect();
            w.entry(4, "interfaces", &list(&names), &format!("from {from}"));
        }
    }
    if !model.global.entries.is_empty() || !model.global.options.is_empty() {
        w.line(0, "");
        w.line(0, "global:");
        w.scope(2, &model.global);
    }
    if !model.classes.is_empty() {
        w.line(0, "");
        w.line(0, "classes:");
        for c in &model.classes {
            w.commented(2, &format!("- name: {}", c.name), &c.at);
            if let Some(m) = &c.match_if {
                w.entry(4, "match-if", m, "");
            }
            if let Some(l) = &c.lease_limit {
                w.entry(4, "lease-limit", l, "");
            }
            w.scope(4, &c.scope);
        }
    }
    if !model.subnets.is_empty() {
        w.line(0, "");
        w.line(0, "subnets:");
        w.subnets(2, &model.subnets);
    }
    if !model.shared_networks.is_empty() {
        w.line(0, "");
        w.line(0, "shared-networks:");
        for sn in &model.shared_networks {
            w.commented(2, &format!("- name: {}", sn.name), &sn.at);
            w.scope(4, &sn.scope);
            w.line(4, "subnets:");
            w.subnets(6, &sn.subnets);
        }
    }
    if !model.hosts.is_empty() {
        w.line(0, "");
        w.line(0, "hosts:");
        for h in &model.hosts {
            w.commented(2, &format!("- name: {}", h.name), &h.at);
            if let Some(m) = &h.mac {
                w.entry(4, "hardware-ethernet", m, "");
            }
            if !h.fixed.is_empty() {
                let ips: Vec<String> = h.fixed.iter().map(ToString::to_string).collect();
                w.entry(4, "fixed-address", &one_or_list(&ips), "");
            }
            w.scope(4, &h.scope);
        }
    }
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_back_as_strings() {
        for (text, yaml) in [
            ("dhcp-failover", "dhcp-failover"),
            ("lab.example.org", "lab.example.org"),
            ("pxelinux.0", "pxelinux.0"),
            ("10.0.0.69", "'10.0.0.69'"),
            ("1.5", "'1.5'"),
            ("yes", "'yes'"),
            ("128", "'128'"),
            ("a b", "'a b'"),
            ("", "''"),
            ("it's", "\"it's\""),
            ("x\ny", "\"x\\ny\""),
            ("00:11:22:33:44:55", "'00:11:22:33:44:55'"),
            (
                "substring(option x, 0, 4) = \"MSFT\"",
                "'substring(option x, 0, 4) = \"MSFT\"'",
            ),
        ] {
            assert_eq!(string(text), yaml, "{text}");
        }
    }

    #[test]
    fn durations_in_units() {
        assert_eq!(duration(1800), "30m");
        assert_eq!(duration(5400), "1h30m");
        assert_eq!(duration(86_400), "1d");
        assert_eq!(duration(90_000), "1d1h");
        assert_eq!(duration(45), "45");
        assert_eq!(duration(60), "60");
        assert_eq!(duration(600), "10m");
        assert_eq!(duration(0), "0");
        assert_eq!(duration(61), "61");
    }
}
