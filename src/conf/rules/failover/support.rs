//! Helpers shared by the failover rules: the table of peer statements dhcpd 4.4 knows, the
//! role a peer block ends up with, and a replay of how dhcpd resolves `failover peer`
//! references while it reads the file (declare before use, inheritance from a shared
//! network, `no failover peer`).

use std::collections::HashMap;

use crate::conf::ast::{PeerStmt, Span, Stmt, StmtKind, Value, ValueKind};
use crate::conf::facts::PeerDecl;
use crate::conf::load::Config;
use crate::conf::walk::{Scope, ScopeKind, scope_of, walk};
pub(super) use crate::model::Role;

pub(super) use crate::dhcpd::{PEER_STATEMENTS, ValueForm};

/// The value form of a known peer statement keyword.
pub(super) fn value_form(keyword: &str) -> Option<ValueForm> {
    crate::dhcpd::peer_statement(keyword).map(|s| s.form)
}

/// Words people write for a role that dhcpd does not know, and the role they mean.
const ROLE_WORDS: &[(&str, &str)] = &[
    ("master", "primary"),
    ("slave", "secondary"),
    ("backup", "secondary"),
    ("standby", "secondary"),
    ("main", "primary"),
    ("second", "secondary"),
    ("first", "primary"),
];

/// The role a misspelled or foreign role word stands for (`slave` -> `secondary`).
pub(super) fn role_word(keyword: &str) -> Option<&'static str> {
    ROLE_WORDS
        .iter()
        .find(|(w, _)| *w == keyword)
        .map(|(_, role)| *role)
}

/// The peer statement the user most likely meant by an unknown keyword, if any.
pub(super) fn meant(keyword: &str) -> Option<&'static str> {
    if let Some(role) = role_word(keyword) {
        return Some(role);
    }
    if keyword.starts_with("load balance max") {
        return Some("load balance max seconds");
    }
    // `peer-address`, `peer_port`, `max_response_delay`, `max-response delay`...
    let squashed: String = keyword
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if let Some(s) = PEER_STATEMENTS.iter().find(|s| {
        s.keyword
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            == squashed
    }) {
        return Some(s.keyword);
    }
    // The closest statement by Jaro-Winkler similarity, as `crate::model`'s did-you-mean.
    let normalized = keyword.replace('_', "-");
    PEER_STATEMENTS
        .iter()
        .map(|s| (strsim::jaro_winkler(&normalized, s.keyword), s.keyword))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Whether the block has a statement with `keyword`, or an unknown keyword that means it
/// (`peer-address` for `peer address`): rules about a missing statement stay quiet then, as
/// DF319 already reports the misspelling.
pub(super) fn mentions(peer: &PeerDecl<'_>, keyword: &str) -> bool {
    peer.statements.iter().any(|s| {
        s.keyword == keyword
            || (value_form(&s.keyword).is_none() && meant(&s.keyword) == Some(keyword))
    })
}

/// A role word dhcpd does not know (`slave;`, `master;`) in the block, if any.
pub(super) fn misspelled_role<'a>(peer: &PeerDecl<'a>) -> Option<&'a PeerStmt> {
    peer.statements
        .iter()
        .find(|s| role_word(&s.keyword).is_some())
}

/// Whether dhcpd checks the block as a primary and the author meant one: the role is
/// `primary;`, or there is no role at all and no misspelled one.
pub(super) fn checked_as_primary(peer: &PeerDecl<'_>) -> bool {
    match peer.role() {
        Some(Role::Primary) => true,
        Some(Role::Secondary) => false,
        None => misspelled_role(peer).is_none(),
    }
}

/// The head of a peer declaration: `failover peer NAME`.
pub(super) fn head(peer: &PeerDecl<'_>) -> Span {
    let start = peer.stmt.span.start;
    let end = if peer.name.span.file == peer.stmt.span.file && peer.name.span.end > start {
        peer.name.span.end
    } else {
        peer.stmt.keyword_span.end
    };
    Span {
        file: peer.stmt.span.file,
        start,
        end,
    }
}

/// A value as written in the file (strings with their quotes).
pub(super) fn shown(config: &Config, value: &Value) -> String {
    config
        .files
        .get(value.span.file)
        .and_then(|f| f.source.text.get(value.span.start..value.span.end))
        .map_or_else(|| value.text.clone(), str::to_string)
}

/// A decimal number as dhcpd's lexer reads one (a NUMBER token): optional `-`, digits only.
pub(super) fn plain_number(value: &Value) -> Option<i64> {
    let digits = value.text.strip_prefix('-').unwrap_or(&value.text);
    if value.kind != ValueKind::Number
        || digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    value.text.parse().ok()
}

/// The numeric value of the last statement with `keyword`, as dhcpd reads it.
pub(super) fn number<'a>(peer: &PeerDecl<'a>, keyword: &str) -> Option<(i64, &'a PeerStmt)> {
    let s = peer.get(keyword)?;
    plain_number(s.value.as_ref()?).map(|n| (n, s))
}

/// How a `failover peer NAME;` reference resolved when dhcpd read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resolution {
    /// A peer of that name was declared before it.
    Declared,
    /// The peer is declared only after the reference (at this span).
    Later(Span),
    /// No peer of that name is declared anywhere.
    Unknown,
}

/// One `failover peer NAME;` reference.
#[derive(Debug, Clone)]
pub(super) struct Reference<'a> {
    /// The statement.
    pub stmt: &'a Stmt,
    /// The name as written.
    pub name: &'a Value,
    /// The scope it is in.
    pub scope: ScopeKind,
    /// How it resolved.
    pub resolution: Resolution,
}

impl Reference<'_> {
    /// Whether dhcpd looks the name up at all: in a shared network, or quoted in a pool.
    pub(super) fn is_looked_up(&self) -> bool {
        match self.scope {
            ScopeKind::SharedNetwork => true,
            ScopeKind::Pool => self.name.kind == ValueKind::String,
            _ => false,
        }
    }
}

/// A pool with the peer in effect at its end.
#[derive(Debug, Clone)]
pub(super) struct Pool<'a> {
    /// The pool declaration.
    pub stmt: &'a Stmt,
    /// Its enclosing declarations, outermost first.
    pub parents: Vec<&'a Stmt>,
    /// The peer in effect when dhcpd finishes reading the pool, and where it came from.
    pub peer: Option<(&'a str, Span)>,
}

/// A `range dynamic-bootp` read while a failover peer was in effect for its pool.
#[derive(Debug, Clone)]
pub(super) struct DynamicRange<'a> {
    /// The range statement.
    pub stmt: &'a Stmt,
    /// The peer in effect and where it came from (a reference or a declaration).
    pub peer: (&'a str, Span),
}

/// What a replay of the file in reading order found.
#[derive(Debug, Default)]
pub(crate) struct Replay<'a> {
    /// Every `failover peer NAME;` reference, in reading order.
    pub(super) references: Vec<Reference<'a>>,
    /// Every pool, in reading order.
    pub(super) pools: Vec<Pool<'a>>,
    /// `range dynamic-bootp` statements in a pool with a failover peer in effect.
    pub(super) dynamic_ranges: Vec<DynamicRange<'a>>,
    /// The last `max-lease-time` set directly in each scope (`None`: the top level).
    max_lease_time: HashMap<Option<*const Stmt>, &'a Value>,
}

impl<'a> Replay<'a> {
    /// Replays a configuration in reading order.
    pub(crate) fn of(config: &'a Config) -> Replay<'a> {
        // Every declared name with the span of its first declaration, for "declared later".
        let mut everywhere: HashMap<&'a str, Span> = HashMap::new();
        walk(config, &mut |stmt, _| {
            if let StmtKind::FailoverPeer { name, .. } = &stmt.kind {
                everywhere.entry(name.text.as_str()).or_insert(name.span);
            }
        });
        let mut replay = Replay::default();
        let mut declared: Vec<&'a str> = Vec::new();
        // The peer each shared network hands down to the pools declared after this point.
        let mut network_peer: HashMap<*const Stmt, (&'a str, Span)> = HashMap::new();
        // Declarations that open a scope, so a pool can keep its parents for the whole
        // configuration's lifetime (the walk lends them only for one call).
        let mut openers: HashMap<*const Stmt, &'a Stmt> = HashMap::new();
        walk(config, &mut |stmt, scope: Scope<'_>| {
            if scope_of(stmt).is_some() {
                openers.insert(stmt as *const Stmt, stmt);
            }
            let parent = scope.parents.last().copied();
            match &stmt.kind {
                StmtKind::FailoverPeer { name, .. } => {
                    declared.push(name.text.as_str());
                    if scope.kind == ScopeKind::SharedNetwork
                        && let Some(network) = parent
                    {
                        network_peer.insert(network, (name.text.as_str(), name.span));
                    }
                }
                StmtKind::FailoverRef { name } => {
                    let resolution = if declared.contains(&name.text.as_str()) {
                        Resolution::Declared
                    } else if let Some(later) = everywhere.get(name.text.as_str()) {
                        Resolution::Later(*later)
                    } else {
                        Resolution::Unknown
                    };
                    let reference = Reference {
                        stmt,
                        name,
                        scope: scope.kind,
                        resolution,
                    };
                    let known = resolution == Resolution::Declared;
                    match scope.kind {
                        ScopeKind::SharedNetwork if known => {
                            if let Some(network) = parent {
                                network_peer.insert(network, (name.text.as_str(), name.span));
                            }
                        }
                        ScopeKind::Pool if reference.is_looked_up() => {
                            if let Some(pool) = replay.pool_of(parent) {
                                pool.peer = known.then_some((name.text.as_str(), name.span));
                            }
                        }
                        _ => {}
                    }
                    replay.references.push(reference);
                }
                StmtKind::NoFailoverRef { .. } if scope.kind == ScopeKind::Pool => {
                    if let Some(pool) = replay.pool_of(parent) {
                        pool.peer = None;
                    }
                }
                StmtKind::Pool { .. } => {
                    let peer = scope
                        .nearest(ScopeKind::SharedNetwork)
                        .and_then(|network| network_peer.get(&(network as *const Stmt)))
                        .copied();
                    let parents = scope
                        .parents
                        .iter()
                        .filter_map(|p| openers.get(&(*p as *const Stmt)).copied())
                        .collect();
                    replay.pools.push(Pool {
                        stmt,
                        parents,
                        peer,
                    });
                }
                StmtKind::Range {
                    dynamic_bootp: true,
                    ..
                } if scope.kind == ScopeKind::Pool => {
                    if let Some(peer) = replay.pool_of(parent).and_then(|p| p.peer) {
                        replay.dynamic_ranges.push(DynamicRange { stmt, peer });
                    }
                }
                StmtKind::Parameter { name, values }
                    if scope.kind != ScopeKind::Body
                        && name.text.eq_ignore_ascii_case("max-lease-time") =>
                {
                    if let Some(value) = values.first() {
                        replay
                            .max_lease_time
                            .insert(parent.map(|p| p as *const Stmt), value);
                    }
                }
                _ => {}
            }
        });
        replay
    }

    fn pool_of(&mut self, parent: Option<&Stmt>) -> Option<&mut Pool<'a>> {
        let parent = parent?;
        self.pools
            .iter_mut()
            .rev()
            .find(|p| std::ptr::eq(p.stmt, parent))
    }

    /// The `max-lease-time` in effect for a pool: its own, else the nearest enclosing
    /// scope's, else the top level's (`None`: not set anywhere, dhcpd's default applies).
    /// `infinite` and `-1` give `i64::MAX`.
    pub(super) fn max_lease_time(&self, pool: &Pool<'a>) -> Option<(i64, &'a Value)> {
        let chain = std::iter::once(Some(pool.stmt as *const Stmt))
            .chain(pool.parents.iter().rev().map(|p| Some(*p as *const Stmt)))
            .chain(std::iter::once(None));
        for key in chain {
            if let Some(value) = self.max_lease_time.get(&key) {
                let seconds = if value.text.eq_ignore_ascii_case("infinite") {
                    i64::MAX
                } else {
                    match value.number() {
                        Some(n) if n < 0 => i64::MAX,
                        Some(n) => n,
                        None => continue,
                    }
                };
                return Some((seconds, value));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::conf::facts::peer_decls;

    fn config(text: &str) -> Config {
        Config::from_text(Path::new("test.conf"), text.to_string())
    }

    #[test]
    fn meant_keywords() {
        assert_eq!(meant("peer-address"), Some("peer address"));
        assert_eq!(meant("peer_port"), Some("peer port"));
        assert_eq!(
            meant("load balance max secs"),
            Some("load balance max seconds")
        );
        assert_eq!(meant("slave"), Some("secondary"));
        assert_eq!(meant("master"), Some("primary"));
        assert_eq!(meant("max-respons-delay"), Some("max-response-delay"));
        assert_eq!(meant("frobnicate"), None);
    }

    #[test]
    fn last_role_wins() {
        let c = config("failover peer \"fo\" { primary; secondary; }\n");
        let peers = peer_decls(&c);
        assert_eq!(peers[0].role(), Some(Role::Secondary));
        let c = config("failover peer \"fo\" { slave; }\n");
        let peers = peer_decls(&c);
        assert_eq!(peers[0].role(), None);
        assert!(!checked_as_primary(&peers[0]));
    }

    #[test]
    fn replay_inherits_and_resolves() {
        let c = config(
            "shared-network sn {\n  failover peer \"fo\" { primary; }\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n    pool { range 10.0.0.1 10.0.0.9; }\n    pool { no failover peer range dynamic-bootp 10.0.0.20 10.0.0.29; }\n    pool { failover peer \"other\"; range 10.0.0.30 10.0.0.39; }\n  }\n}\nfailover peer \"other\" { primary; }\n",
        );
        let r = Replay::of(&c);
        assert_eq!(r.pools.len(), 3);
        assert_eq!(r.pools[0].peer.map(|p| p.0), Some("fo"));
        assert_eq!(r.pools[1].peer, None);
        // An unknown reference drops the inherited peer.
        assert_eq!(r.pools[2].peer, None);
        assert!(matches!(r.references[0].resolution, Resolution::Later(_)));
        assert!(r.dynamic_ranges.is_empty());
    }

    #[test]
    fn max_lease_time_nearest_scope() {
        let c = config(
            "max-lease-time 7200;\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  max-lease-time 600;\n  pool { range 10.0.0.1 10.0.0.9; }\n}\nsubnet 10.0.1.0 netmask 255.255.255.0 {\n  pool { max-lease-time infinite; range 10.0.1.1 10.0.1.9; }\n  pool { range 10.0.1.10 10.0.1.19; }\n}\n",
        );
        let r = Replay::of(&c);
        let times: Vec<i64> = r
            .pools
            .iter()
            .map(|p| r.max_lease_time(p).map_or(0, |(n, _)| n))
            .collect();
        assert_eq!(times, [600, i64::MAX, 7200]);
    }
}
