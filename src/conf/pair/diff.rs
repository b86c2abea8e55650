//! The differences between two configurations, computed once and reported by the pair rules.
//!
//! Two modes: [`Mode::Pair`] compares a primary with its secondary (the failover peer blocks
//! must mirror each other, everything else must be the same); [`Mode::Same`] compares two
//! configurations of the same server (the peer blocks must be the same too), which the import
//! round trip uses to check that a re-rendered file says what the original said.

use std::collections::{BTreeMap, BTreeSet};

use super::tree::{self, AddrRange, Cat, Item, Lines, Node, ScopeKind, Tree};
use crate::conf::ast::Span;
use crate::conf::facts::{PeerDecl, peer_decls};
use crate::conf::load::Config;
use crate::conf::rules::Lint;
use crate::model::Role;

/// What is compared with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A primary and its secondary: peer blocks mirrored, the rest the same.
    Pair,
    /// Two configurations of one server: everything the same.
    Same,
}

/// Index of the first configuration (the primary in a pair).
pub(crate) const FIRST: usize = 0;
/// Index of the second configuration (the secondary in a pair).
pub(crate) const SECOND: usize = 1;

/// Which pair of peer statements must mirror each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mirror {
    /// `address` on one side, `peer address` on the other.
    Address,
    /// `port` on one side, `peer port` on the other (default 647).
    Port,
}

/// A peer statement's canonical value, and where it is written (`None`: dhcpd's default).
pub(crate) type Setting = (String, Option<Span>);

/// One difference.
#[derive(Debug, Clone)]
pub enum Difference {
    /// A relationship declared on one side only.
    PeerOnOneSide {
        /// The side that declares it.
        side: usize,
        /// Its name.
        name: String,
        /// Its name's span.
        span: Span,
    },
    /// Both sides play the same role in a relationship.
    Roles {
        /// The relationship.
        name: String,
        /// Each side's stated role (`None`: no role statement, read as a primary).
        roles: [Option<Role>; 2],
        /// Each side's role statement (or block head).
        spans: [Span; 2],
    },
    /// One side's address or port is not what the other side dials.
    NotMirrored {
        /// Address or port.
        what: Mirror,
        /// The relationship.
        name: String,
        /// The side that dials (its `peer address`/`peer port` is reported).
        side: usize,
        /// The dialled value, where it is written (the block head for a default), and
        /// whether it is dhcpd's default.
        dials: (String, Span, bool),
        /// The partner's own value, where, and whether it is the default.
        own: (String, Span, bool),
    },
    /// A peer statement differs (in a pair: a timing or balance setting; in `Same`: any).
    PeerSetting {
        /// The relationship.
        name: String,
        /// The statement keyword.
        keyword: String,
        /// Each side's value and where it is written.
        values: [Setting; 2],
        /// Each side's block head, for defaults.
        heads: [Span; 2],
    },
    /// A declaration on one side only (subnets, hosts, classes, groups, pools without ranges).
    NodeOnOneSide {
        /// The side that has it.
        side: usize,
        /// The node.
        node: usize,
    },
    /// A shared network whose set of subnets the other side does not group the same way.
    SharedNetworkMembership {
        /// The side that has it.
        side: usize,
        /// The node.
        node: usize,
    },
    /// The same shared network under two names.
    SharedNetworkRenamed {
        /// The node on each side.
        nodes: [usize; 2],
    },
    /// Addresses of a range in no range of the other side.
    RangeOnOneSide {
        /// The side that has them.
        side: usize,
        /// The pool.
        pool: usize,
        /// The range statement.
        range: AddrRange,
        /// The addresses the other side lacks.
        missing: Vec<(u32, u32)>,
    },
    /// A pool whose addresses the other side has, but split into pools differently.
    PoolLayout {
        /// The side.
        side: usize,
        /// The pool.
        pool: usize,
        /// The other side's pools that share addresses with it.
        partners: Vec<usize>,
    },
    /// Pools sharing addresses with a different failover peer in effect.
    Failover {
        /// The pool on each side.
        pools: [usize; 2],
    },
    /// The same pool with different permit lists.
    Permits {
        /// The pool on each side.
        pools: [usize; 2],
    },
    /// A statement that differs in a declaration both sides have.
    Item {
        /// Its category.
        cat: Cat,
        /// The declaration on each side.
        nodes: [usize; 2],
        /// The statement on each side, if present.
        items: [Option<Item>; 2],
    },
}

/// The findings of the pair rules, for each side's configuration.
#[derive(Debug, Default)]
pub struct Findings {
    /// Findings in the first (primary) configuration's files.
    pub primary: Vec<Lint>,
    /// Findings in the second (secondary) configuration's files.
    pub secondary: Vec<Lint>,
}

impl Findings {
    /// Adds a finding in one side's files.
    pub fn push(&mut self, side: usize, lint: Lint) {
        if side == FIRST {
            self.primary.push(lint);
        } else {
            self.secondary.push(lint);
        }
    }

    /// Number of findings.
    pub fn len(&self) -> usize {
        self.primary.len() + self.secondary.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The two configurations, their trees and every difference.
pub struct Diff<'a> {
    /// The configurations.
    pub configs: [&'a Config; 2],
    /// Their trees.
    pub trees: [Tree; 2],
    /// The mode.
    pub mode: Mode,
    /// The differences, in a stable order.
    pub differences: Vec<Difference>,
    /// Line numbers of both configurations' files.
    lines: [Lines; 2],
}

/// Peer statements compared between the two peers of a pair, with dhcpd's defaults.
pub(crate) const PAIR_SETTINGS: &[(&str, &str)] = &[
    ("max-response-delay", "20"),
    ("max-unacked-updates", "100"),
    ("load balance max seconds", "0"),
    ("auto-partner-down", "0"),
    ("max-lease-misbalance", "15"),
    ("max-lease-ownership", "10"),
    ("min-balance", "60"),
    ("max-balance", "3600"),
];

/// Statements each server sets for itself (its own files, ports, addresses and name), which
/// differ between the peers by design; a pair does not compare them.
pub(crate) const SERVER_LOCAL: &[&str] = &[
    "lease-file-name",
    "pid-file-name",
    "dhcpv6-lease-file-name",
    "dhcpv6-pid-file-name",
    "local-port",
    "remote-port",
    "omapi-port",
    "omapi-key",
    "local-address",
    "local-address6",
    "server-identifier",
    "option dhcp-server-identifier",
    "server-name",
    "ddns-local-address4",
    "ddns-local-address6",
    "ldap-dhcp-server-cn",
];

/// Defaults of the statements that mirror each other.
const PORT_DEFAULT: &str = "647";

/// Statements dhcpd reads on a primary only.
const PRIMARY_ONLY: &[&str] = &["mclt", "split", "hba"];

impl<'a> Diff<'a> {
    /// Compares two configurations.
    pub fn of(first: &'a Config, second: &'a Config, mode: Mode) -> Diff<'a> {
        let mut diff = Diff {
            configs: [first, second],
            trees: [Tree::of(first), Tree::of(second)],
            mode,
            differences: Vec::new(),
            lines: [Lines::of(first), Lines::of(second)],
        };
        diff.peers();
        diff.nodes();
        diff.pools();
        diff
    }

    /// `file:line` of a span in one side's files.
    pub fn loc(&self, side: usize, span: Span) -> String {
        match self.configs[side].files.get(span.file) {
            Some(f) => format!(
                "{}:{}",
                f.source.name,
                self.lines[side].line(span.file, span.start)
            ),
            None => self.file(side).to_string(),
        }
    }

    /// The name of one side's main file.
    pub fn file(&self, side: usize) -> &str {
        self.configs[side]
            .files
            .first()
            .map_or("the partner", |f| f.source.name.as_str())
    }

    /// A node of one side's tree.
    pub fn node(&self, side: usize, index: usize) -> &Node {
        &self.trees[side].nodes[index]
    }

    /// Where a node is, for messages: `subnet 10.0.0.0/24 at FILE:LINE`, or the top level.
    pub fn place(&self, side: usize, index: usize) -> String {
        let node = self.node(side, index);
        if node.kind == ScopeKind::Root {
            format!("the top level of {}", self.file(side))
        } else {
            format!("{} at {}", node.title, self.loc(side, node.span))
        }
    }

    fn peers(&mut self) {
        let decls: [Vec<PeerDecl<'_>>; 2] =
            [peer_decls(self.configs[0]), peer_decls(self.configs[1])];
        let first_of = |side: usize, name: &str| decls[side].iter().find(|d| d.name.text == name);
        let mut seen = BTreeSet::new();
        for side in [FIRST, SECOND] {
            for decl in &decls[side] {
                if !seen.insert((side, decl.name.text.clone())) {
                    continue;
                }
                if first_of(1 - side, &decl.name.text).is_none() {
                    self.differences.push(Difference::PeerOnOneSide {
                        side,
                        name: decl.name.text.clone(),
                        span: decl.name.span,
                    });
                }
            }
        }
        let mut done = BTreeSet::new();
        for decl in &decls[FIRST] {
            let name = decl.name.text.clone();
            if !done.insert(name.clone()) {
                continue;
            }
            let Some(other) = first_of(SECOND, &name) else {
                continue;
            };
            let pair = [decl, other];
            let heads = [head(decl), head(other)];
            let roles = [decl.role(), other.role()];
            if self.mode == Mode::Same {
                let maps = [settings(decl), settings(other)];
                let keys: BTreeSet<&String> = maps[0].keys().chain(maps[1].keys()).collect();
                for key in keys {
                    let values = [0, 1].map(|s| {
                        maps[s]
                            .get(key)
                            .cloned()
                            .unwrap_or_else(|| ("(none)".to_string(), None))
                    });
                    if values[0].0 != values[1].0 {
                        self.differences.push(Difference::PeerSetting {
                            name: name.clone(),
                            keyword: key.clone(),
                            values,
                            heads,
                        });
                    }
                }
                continue;
            }
            if decl.runs_as() == other.runs_as() {
                let spans = [0, 1].map(|s| pair[s].role_stmt().map_or(heads[s], |r| r.span));
                self.differences.push(Difference::Roles {
                    name: name.clone(),
                    roles,
                    spans,
                });
            }
            for side in [FIRST, SECOND] {
                let (dialer, partner) = (pair[side], pair[1 - side]);
                let checks = [
                    (Mirror::Address, "peer address", "address", None),
                    (Mirror::Port, "peer port", "port", Some(PORT_DEFAULT)),
                ];
                for (what, dial_kw, own_kw, default) in checks {
                    let dials = value_of(dialer, dial_kw, default, heads[side]);
                    let own = value_of(partner, own_kw, default, heads[1 - side]);
                    if let (Some(dials), Some(own)) = (dials, own)
                        && dials.0 != own.0
                    {
                        self.differences.push(Difference::NotMirrored {
                            what,
                            name: name.clone(),
                            side,
                            dials,
                            own,
                        });
                    }
                }
            }
            for (keyword, default) in PAIR_SETTINGS {
                let values = [0, 1].map(|s| {
                    pair[s]
                        .get(keyword)
                        .and_then(|st| {
                            st.value
                                .as_ref()
                                .map(|v| (tree::normalize_value(v), Some(st.span)))
                        })
                        .unwrap_or_else(|| (default.to_string(), None))
                });
                if values[0].0 != values[1].0 {
                    self.differences.push(Difference::PeerSetting {
                        name: name.clone(),
                        keyword: keyword.to_string(),
                        values,
                        heads,
                    });
                }
            }
        }
    }

    fn nodes(&mut self) {
        let mut out = Vec::new();
        for side in [FIRST, SECOND] {
            let (this, other) = (&self.trees[side], &self.trees[1 - side]);
            for (i, node) in this.nodes.iter().enumerate().skip(1) {
                if node.key.is_empty() || other.index.contains_key(&node.key) {
                    continue;
                }
                match node.kind {
                    ScopeKind::Pool if !node.ranges.is_empty() => {}
                    ScopeKind::SharedNetwork => {
                        out.push(Difference::SharedNetworkMembership { side, node: i })
                    }
                    ScopeKind::Group => {
                        // A group is reported where its enclosing declaration matches; inside
                        // a declaration missing on the other side, that one is reported.
                        let parent_matched = node
                            .parent
                            .is_none_or(|p| p == 0 || other.index.contains_key(&this.nodes[p].key));
                        if parent_matched {
                            out.push(Difference::NodeOnOneSide { side, node: i });
                        }
                    }
                    _ => out.push(Difference::NodeOnOneSide { side, node: i }),
                }
            }
        }
        let (a, b) = (&self.trees[FIRST], &self.trees[SECOND]);
        let mut pairs = vec![(0, 0)];
        for (i, node) in a.nodes.iter().enumerate().skip(1) {
            if !node.key.is_empty()
                && let Some(&j) = b.index.get(&node.key)
                && node.kind == b.nodes[j].kind
            {
                pairs.push((i, j));
                if node.kind == ScopeKind::SharedNetwork && node.name != b.nodes[j].name {
                    out.push(Difference::SharedNetworkRenamed { nodes: [i, j] });
                }
            }
        }
        for (i, j) in pairs {
            compare_items([&a.nodes[i], &b.nodes[j]], [i, j], self.mode, &mut out);
            if a.nodes[i].kind == ScopeKind::Pool
                && a.nodes[i].permits.keys().ne(b.nodes[j].permits.keys())
            {
                out.push(Difference::Permits { pools: [i, j] });
            }
        }
        self.differences.extend(out);
    }

    fn pools(&mut self) {
        let addresses = [self.trees[0].addresses(), self.trees[1].addresses()];
        let mut out = Vec::new();
        for side in [FIRST, SECOND] {
            let (this, other) = (&self.trees[side], &self.trees[1 - side]);
            for (i, pool) in this.pools() {
                if pool.ranges.is_empty() || other.index.contains_key(&pool.key) {
                    continue;
                }
                let mut missing_any = false;
                for range in &pool.ranges {
                    let missing = tree::subtract(range.start, range.end, &addresses[1 - side]);
                    if !missing.is_empty() {
                        missing_any = true;
                        out.push(Difference::RangeOnOneSide {
                            side,
                            pool: i,
                            range: *range,
                            missing,
                        });
                    }
                }
                if !missing_any {
                    let mine = pool.intervals();
                    let partners: Vec<usize> = other
                        .pools()
                        .filter(|(_, p)| tree::overlaps(&mine, &p.intervals()))
                        .map(|(j, _)| j)
                        .collect();
                    // The partner's pool is this one plus addresses it alone has: those are
                    // reported there, and the pool is otherwise the same.
                    if let [j] = partners[..] {
                        let theirs = other.nodes[j].intervals();
                        let within = mine
                            .iter()
                            .all(|&(s, e)| tree::subtract(s, e, &theirs).is_empty());
                        let extra = theirs
                            .iter()
                            .any(|&(s, e)| !tree::subtract(s, e, &addresses[side]).is_empty());
                        if within && extra {
                            continue;
                        }
                    }
                    out.push(Difference::PoolLayout {
                        side,
                        pool: i,
                        partners,
                    });
                }
            }
        }
        let second: Vec<(usize, Vec<(u32, u32)>)> = self.trees[SECOND]
            .pools()
            .map(|(j, p)| (j, p.intervals()))
            .collect();
        for (i, p) in self.trees[FIRST].pools() {
            let mine = p.intervals();
            for (j, theirs) in &second {
                let q = &self.trees[SECOND].nodes[*j];
                let names = [&p.peer, &q.peer].map(|peer| peer.as_ref().map(|(n, _)| n));
                if names[0] != names[1] && tree::overlaps(&mine, theirs) {
                    out.push(Difference::Failover { pools: [i, *j] });
                }
            }
        }
        self.differences.extend(out);
    }
}

fn compare_items(nodes: [&Node; 2], index: [usize; 2], mode: Mode, out: &mut Vec<Difference>) {
    let keys: BTreeSet<&String> = nodes[0].items.keys().chain(nodes[1].items.keys()).collect();
    for key in keys {
        if mode == Mode::Pair && SERVER_LOCAL.contains(&key.as_str()) {
            continue;
        }
        let items = [nodes[0].items.get(key), nodes[1].items.get(key)];
        let differs = match items {
            [Some(a), Some(b)] => a.value != b.value,
            _ => true,
        };
        if differs {
            let cat = items
                .iter()
                .flatten()
                .map(|i| i.cat)
                .next()
                .unwrap_or(Cat::Other);
            out.push(Difference::Item {
                cat,
                nodes: index,
                items: items.map(|i| i.cloned()),
            });
        }
    }
}

/// The span of a peer block's head (`failover peer NAME`).
pub(crate) fn head(decl: &PeerDecl<'_>) -> Span {
    Span {
        end: decl.name.span.end.max(decl.stmt.keyword_span.end),
        ..decl.stmt.keyword_span
    }
}

/// A statement's canonical value and span, its default (at the block head) when absent, or
/// `None` when absent without a default.
fn value_of(
    decl: &PeerDecl<'_>,
    keyword: &str,
    default: Option<&str>,
    head: Span,
) -> Option<(String, Span, bool)> {
    match decl.get(keyword).and_then(|s| s.value.as_ref()) {
        Some(v) => Some((tree::normalize_value(v), v.span, false)),
        None => default.map(|d| (d.to_string(), head, true)),
    }
}

/// Every statement of a peer block in canonical form, with dhcpd's defaults, for comparing
/// two blocks of the same server: the role, then each keyword's last value. `mclt`, `split`
/// and `hba` count on a primary only (a secondary's are ignored or refused by dhcpd).
fn settings(decl: &PeerDecl<'_>) -> BTreeMap<String, Setting> {
    let mut map = BTreeMap::new();
    map.insert(
        "role".to_string(),
        (
            decl.runs_as().as_str().to_string(),
            decl.role_stmt().map(|s| s.span),
        ),
    );
    for (keyword, default) in PAIR_SETTINGS
        .iter()
        .chain(&[("port", PORT_DEFAULT), ("peer port", PORT_DEFAULT)])
    {
        map.insert(keyword.to_string(), (default.to_string(), None));
    }
    for s in decl.statements {
        if s.keyword == "primary" || s.keyword == "secondary" {
            continue;
        }
        if decl.is_secondary() && PRIMARY_ONLY.contains(&s.keyword.as_str()) {
            continue;
        }
        let value = s
            .value
            .as_ref()
            .map_or(String::new(), tree::normalize_value);
        map.insert(s.keyword.clone(), (value, Some(s.span)));
    }
    map
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the pair rules' tests.
    use std::path::Path;

    use super::{Diff, Findings, Mode};
    use crate::conf::load::Config;

    /// Parses a snippet as `NAME` (no includes are read).
    pub(crate) fn config(name: &str, text: &str) -> Config {
        let config = Config::from_text(Path::new(name), text.to_string());
        assert!(config.problems.is_empty(), "{name}: {:?}", config.problems);
        config
    }

    /// Runs one rule's report over a pair of snippets; returns (side, line, message) triples.
    pub(crate) fn run(
        report: fn(&Diff<'_>, &mut Findings),
        primary: &str,
        secondary: &str,
    ) -> Vec<(usize, usize, String)> {
        let (p, s) = (config("p.conf", primary), config("s.conf", secondary));
        let diff = Diff::of(&p, &s, Mode::Pair);
        let mut out = Findings::default();
        report(&diff, &mut out);
        let mut found = Vec::new();
        for (side, config, lints) in [(0, &p, &out.primary), (1, &s, &out.secondary)] {
            for l in lints {
                let line = config.files[l.file]
                    .source
                    .line_col(l.finding.span.offset())
                    .0;
                found.push((
                    side,
                    line,
                    format!("{} | {}", l.finding.message, l.finding.help),
                ));
            }
        }
        found
    }

    /// A minimal matched pair around a body shared by both peers.
    pub(crate) fn pair_with(body_p: &str, body_s: &str) -> (String, String) {
        (
            format!(
                "failover peer \"fo\" {{\n  primary;\n  address 10.0.0.2;\n  peer address 10.0.0.3;\n  mclt 1800;\n  split 128;\n}}\n{body_p}"
            ),
            format!(
                "failover peer \"fo\" {{\n  secondary;\n  address 10.0.0.3;\n  peer address 10.0.0.2;\n}}\n{body_s}"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::testing::config;
    use super::*;

    #[test]
    fn a_file_equals_itself_and_a_reordered_copy() {
        let a = config(
            "a.conf",
            "failover peer \"fo\" { primary; address 10.0.0.2; peer address 10.0.0.3; mclt 1800; split 128; }\nsubnet 10.0.0.0 netmask 255.255.255.0 { option routers 10.0.0.1; pool { failover peer \"fo\"; range 10.0.0.10 10.0.0.20; } }\nhost h { hardware ethernet 00:11:22:33:44:55; }\n",
        );
        let b = config(
            "b.conf",
            "host h { hardware ethernet 00:11:22:33:44:55; }\nfailover peer \"fo\" { address 10.0.0.2; port 647; primary; peer address 10.0.0.3; split 128; mclt 1800; max-response-delay 20; }\nsubnet 10.0.0.0 netmask 255.255.255.0 { pool { range 10.0.0.10 10.0.0.20; failover peer \"fo\"; } option routers 10.0.0.1; }\n",
        );
        assert!(Diff::of(&a, &a, Mode::Same).differences.is_empty());
        let d = Diff::of(&a, &b, Mode::Same);
        assert!(d.differences.is_empty(), "{:?}", d.differences);
    }

    #[test]
    fn server_local_settings_differ_in_a_pair_only() {
        let a = config("a.conf", "lease-file-name \"a.leases\";\nlocal-port 67;\n");
        let b = config("b.conf", "lease-file-name \"b.leases\";\n");
        assert!(Diff::of(&a, &b, Mode::Pair).differences.is_empty());
        assert_eq!(Diff::of(&a, &b, Mode::Same).differences.len(), 2);
    }

    #[test]
    fn same_mode_compares_the_peer_block_directly() {
        let a = config(
            "a.conf",
            "failover peer \"fo\" { primary; mclt 1800; split 128; }\n",
        );
        let b = config(
            "b.conf",
            "failover peer \"fo\" { primary; mclt 1800; split 255; }\n",
        );
        let d = Diff::of(&a, &b, Mode::Same);
        assert!(
            matches!(&d.differences[..], [Difference::PeerSetting { keyword, .. }] if keyword == "split")
        );
        // A secondary's mclt is ignored by dhcpd.
        let a = config("a.conf", "failover peer \"fo\" { secondary; mclt 1800; }\n");
        let b = config("b.conf", "failover peer \"fo\" { secondary; }\n");
        assert!(Diff::of(&a, &b, Mode::Same).differences.is_empty());
    }
}
