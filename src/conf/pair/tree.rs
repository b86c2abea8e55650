//! A normalized view of one configuration, for comparing two of them.
//!
//! Declarations are keyed by what identifies them to dhcpd rather than by where they are
//! written: a subnet by its network and netmask, a shared network by the subnets it joins, a
//! pool by the addresses of its ranges, a host or class by its name. Statements inside a
//! declaration are keyed and valued in a canonical form (keywords lower-cased, whitespace and
//! comments dropped, numbers compared as numbers, hex octets padded), so two files that say the
//! same thing in a different order or layout compare equal. Included files are spliced in
//! where they are included.

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;

use crate::conf::ast::{OptionData, Span, Stmt, StmtKind, Value, ValueKind};
use crate::conf::load::Config;

pub(crate) use crate::conf::ast::ScopeKind;

/// What a statement inside a declaration is, which decides the rule that reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cat {
    /// `option NAME ...` (also `supersede`, `default`, `prepend`, `append`, `send`).
    Option,
    /// A parameter: `NAME VALUE;`, `NAME = EXPR;`, `authoritative;`, scope-level allow/deny.
    Param,
    /// `hardware` and `fixed-address` of a host.
    Host,
    /// `match`, `lease limit` and `spawn with` of a class.
    Class,
    /// Anything else (if/on/switch, key, zone, option spaces and definitions, subclasses...),
    /// compared as normalized text.
    Other,
}

/// One statement in canonical form.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its category.
    pub cat: Cat,
    /// Canonical key: the same statement on both peers has the same key.
    pub key: String,
    /// Canonical value.
    pub value: String,
    /// The statement as shown in messages (canonical, without secrets).
    pub shown: String,
    /// Where it is written.
    pub span: Span,
}

/// One `range` statement.
#[derive(Debug, Clone, Copy)]
pub struct AddrRange {
    /// First address.
    pub start: u32,
    /// Last address.
    pub end: u32,
    /// The statement.
    pub span: Span,
}

/// A declaration with its canonical statements.
#[derive(Debug, Clone)]
pub struct Node {
    /// Its kind.
    pub kind: ScopeKind,
    /// Identity: the same declaration on both peers has the same key; empty for a group
    /// without statements of its own, which is left out of the comparison.
    pub key: String,
    /// How messages name it, e.g. `subnet 10.0.0.0/24`.
    pub title: String,
    /// The name written after the keyword (shared networks, hosts, classes, groups).
    pub name: String,
    /// The declaration's head (keyword and name), where findings about it point.
    pub span: Span,
    /// The enclosing declaration.
    pub parent: Option<usize>,
    /// Statements by key; for parameters and options the last one wins, as in dhcpd.
    pub items: BTreeMap<String, Item>,
    /// Pools: the ranges.
    pub ranges: Vec<AddrRange>,
    /// Pools: the permit list, `allow known-clients`, `deny members of "x"`.
    pub permits: BTreeMap<String, Span>,
    /// Pools: the failover peer in effect (its own reference, or its shared network's).
    pub peer: Option<(String, Span)>,
    /// Pools: ranges written outside a pool (dhcpd makes a pool of them).
    pub implicit: bool,
}

/// A configuration as a flat list of declarations; index 0 is the top level.
#[derive(Debug, Clone)]
pub struct Tree {
    /// Every declaration, parents before their children.
    pub nodes: Vec<Node>,
    /// Declarations by key.
    pub index: HashMap<String, usize>,
}

impl Tree {
    /// The tree of a configuration.
    pub fn of(config: &Config) -> Tree {
        let root = Node::new(
            ScopeKind::Root,
            "the top level".into(),
            String::new(),
            Span::default(),
        );
        let mut builder = Builder {
            config,
            nodes: vec![root],
        };
        if let Some(main) = config.files.first() {
            let mut inherited = None;
            builder.body(0, &main.statements, &mut inherited, 0);
        }
        builder.finish()
    }

    /// Every pool (explicit and implicit), in reading order.
    pub fn pools(&self) -> impl Iterator<Item = (usize, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == ScopeKind::Pool)
    }

    /// The nearest enclosing shared network of a node, if any.
    pub fn shared_network_of(&self, mut index: usize) -> Option<usize> {
        while let Some(parent) = self.nodes[index].parent {
            if self.nodes[parent].kind == ScopeKind::SharedNetwork {
                return Some(parent);
            }
            index = parent;
        }
        None
    }

    /// Merged address intervals of every range of every pool.
    pub fn addresses(&self) -> Vec<(u32, u32)> {
        merge(
            self.pools()
                .flat_map(|(_, p)| p.ranges.iter().map(|r| (r.start, r.end)))
                .collect(),
        )
    }
}

impl Node {
    fn new(kind: ScopeKind, title: String, name: String, span: Span) -> Node {
        Node {
            kind,
            key: String::new(),
            title,
            name,
            span,
            parent: None,
            items: BTreeMap::new(),
            ranges: Vec::new(),
            permits: BTreeMap::new(),
            peer: None,
            implicit: false,
        }
    }

    /// The pool's addresses as merged intervals.
    pub fn intervals(&self) -> Vec<(u32, u32)> {
        merge(self.ranges.iter().map(|r| (r.start, r.end)).collect())
    }
}

/// Sorts and merges intervals (adjacent ones too).
pub(crate) fn merge(mut list: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    list.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(list.len());
    for (s, e) in list {
        match out.last_mut() {
            Some(last) if u64::from(s) <= u64::from(last.1) + 1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The parts of `[start, end]` covered by none of `cover` (merged, sorted).
pub(crate) fn subtract(start: u32, end: u32, cover: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut from = u64::from(start);
    let end = u64::from(end);
    for &(s, e) in cover {
        let (s, e) = (u64::from(s), u64::from(e));
        if e < from {
            continue;
        }
        if s > end {
            break;
        }
        if s > from {
            out.push((from as u32, (s - 1) as u32));
        }
        from = from.max(e + 1);
        if from > end {
            break;
        }
    }
    if from <= end {
        out.push((from as u32, end as u32));
    }
    out
}

/// Whether two sets of merged intervals share an address.
pub(crate) fn overlaps(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].1 < b[j].0 {
            i += 1;
        } else if b[j].1 < a[i].0 {
            j += 1;
        } else {
            return true;
        }
    }
    false
}

/// An interval as `A-B` (or `A` for a single address).
pub(crate) fn show_interval((s, e): (u32, u32)) -> String {
    if s == e {
        Ipv4Addr::from(s).to_string()
    } else {
        format!("{}-{}", Ipv4Addr::from(s), Ipv4Addr::from(e))
    }
}

/// Intervals as `A-B, C-D`.
pub(crate) fn show_intervals(list: &[(u32, u32)]) -> String {
    list.iter()
        .map(|i| show_interval(*i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Line numbers of byte offsets in each file of a configuration, found by binary search
/// (`SourceFile::line_col` counts from the start of the file on every call).
#[derive(Debug, Clone)]
pub(crate) struct Lines {
    starts: Vec<Vec<usize>>,
}

impl Lines {
    /// The line starts of every file of a configuration.
    pub(crate) fn of(config: &Config) -> Lines {
        let starts = config
            .files
            .iter()
            .map(|f| {
                std::iter::once(0)
                    .chain(f.source.text.match_indices('\n').map(|(i, _)| i + 1))
                    .collect()
            })
            .collect();
        Lines { starts }
    }

    /// The 1-based line of a byte offset in a file.
    pub(crate) fn line(&self, file: usize, offset: usize) -> usize {
        self.starts
            .get(file)
            .map_or(1, |s| s.partition_point(|&start| start <= offset).max(1))
    }
}

struct Builder<'a> {
    config: &'a Config,
    nodes: Vec<Node>,
}

/// How deep declarations may nest before the builder compares the rest as text (keeps the
/// recursion within the stack on hostile input; real files nest a handful of levels).
const MAX_NESTING: usize = 200;

impl Builder<'_> {
    fn child(&mut self, parent: usize, mut node: Node) -> usize {
        node.parent = Some(parent);
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn text(&self, span: Span) -> &str {
        self.config
            .files
            .get(span.file)
            .and_then(|f| f.source.text.get(span.start..span.end))
            .unwrap_or("")
    }

    fn item(&mut self, node: usize, item: Item) {
        self.nodes[node].items.insert(item.key.clone(), item);
    }

    fn other(&mut self, node: usize, stmt: &Stmt) {
        let key = normalize_text(self.text(stmt.span));
        let shown = match &stmt.kind {
            // Never show a key's secret.
            StmtKind::Key { name, .. } => format!("key {} {{ ... }}", name.text),
            _ => shorten(&key),
        };
        self.item(
            node,
            Item {
                cat: Cat::Other,
                key: format!("~{key}"),
                value: String::new(),
                shown,
                span: stmt.span,
            },
        );
    }

    /// The implicit pool of the ranges written directly in a declaration.
    fn implicit_pool(
        &mut self,
        node: usize,
        inherited: &Option<(String, Span)>,
        at: Span,
    ) -> usize {
        if let Some(i) = (node + 1..self.nodes.len())
            .find(|&i| self.nodes[i].parent == Some(node) && self.nodes[i].implicit)
        {
            return i;
        }
        let mut pool = Node::new(ScopeKind::Pool, "ranges".into(), String::new(), at);
        pool.implicit = true;
        pool.peer = inherited.clone();
        self.child(node, pool)
    }

    fn body(
        &mut self,
        node: usize,
        statements: &[Stmt],
        inherited: &mut Option<(String, Span)>,
        depth: usize,
    ) {
        let kind = self.nodes[node].kind;
        if depth >= MAX_NESTING {
            for stmt in statements {
                self.other(node, stmt);
            }
            return;
        }
        for stmt in statements {
            let head = |name: &Value| Span {
                end: name.span.end.max(stmt.keyword_span.end),
                ..stmt.keyword_span
            };
            match &stmt.kind {
                StmtKind::Include { file, .. } => {
                    if let Some(index) = file
                        && let Some(included) = self.config.files.get(*index)
                    {
                        self.body(node, &included.statements, inherited, depth + 1);
                    }
                }
                StmtKind::SharedNetwork { name, body } => {
                    let n = Node::new(
                        ScopeKind::SharedNetwork,
                        format!("shared-network {}", name.text),
                        name.text.clone(),
                        head(name),
                    );
                    let child = self.child(node, n);
                    let mut own = None;
                    self.body(child, body, &mut own, depth + 1);
                }
                StmtKind::Subnet {
                    network,
                    netmask,
                    body,
                } => {
                    let key = subnet_key(network, netmask);
                    let n = Node::new(
                        ScopeKind::Subnet,
                        format!("subnet {key}"),
                        String::new(),
                        head(netmask),
                    );
                    let child = self.child(node, n);
                    self.nodes[child].key = format!("subnet {key}");
                    let mut own = inherited.clone();
                    self.body(child, body, &mut own, depth + 1);
                }
                StmtKind::Pool { body } => {
                    let mut n = Node::new(
                        ScopeKind::Pool,
                        "pool".into(),
                        String::new(),
                        stmt.keyword_span,
                    );
                    n.peer = inherited.clone();
                    let child = self.child(node, n);
                    let mut own = inherited.clone();
                    self.body(child, body, &mut own, depth + 1);
                }
                StmtKind::Group { name, body } => {
                    let (title, text, span) = match name {
                        Some(n) => (format!("group {}", n.text), n.text.clone(), head(n)),
                        None => ("group".to_string(), String::new(), stmt.keyword_span),
                    };
                    let child = self.child(node, Node::new(ScopeKind::Group, title, text, span));
                    let mut own = inherited.clone();
                    self.body(child, body, &mut own, depth + 1);
                }
                StmtKind::Host { name, body } => {
                    let n = Node::new(
                        ScopeKind::Host,
                        format!("host {}", name.text),
                        name.text.clone(),
                        head(name),
                    );
                    let child = self.child(node, n);
                    self.nodes[child].key = format!("host {}", name.text.to_ascii_lowercase());
                    let mut own = None;
                    self.body(child, body, &mut own, depth + 1);
                }
                StmtKind::Class { name, body } => {
                    let n = Node::new(
                        ScopeKind::Class,
                        format!("class \"{}\"", name.text),
                        name.text.clone(),
                        head(name),
                    );
                    let child = self.child(node, n);
                    self.nodes[child].key = format!("class {}", name.text);
                    let mut own = None;
                    self.body(child, body, &mut own, depth + 1);
                }
                StmtKind::FailoverPeer { .. } => {}
                StmtKind::FailoverRef { name } if kind == ScopeKind::Pool => {
                    self.nodes[node].peer = Some((name.text.clone(), name.span));
                }
                StmtKind::FailoverRef { name } if kind == ScopeKind::SharedNetwork => {
                    *inherited = Some((name.text.clone(), name.span));
                }
                StmtKind::NoFailoverRef { .. } if kind == ScopeKind::Pool => {
                    self.nodes[node].peer = None;
                }
                StmtKind::Range { low, high, .. } => {
                    let (Some(low), high) = (low.ipv4(), high.as_ref().and_then(Value::ipv4))
                    else {
                        self.other(node, stmt);
                        continue;
                    };
                    let (a, b) = (u32::from(low), u32::from(high.unwrap_or(low)));
                    let range = AddrRange {
                        start: a.min(b),
                        end: a.max(b),
                        span: stmt.span,
                    };
                    let pool = if kind == ScopeKind::Pool {
                        node
                    } else {
                        self.implicit_pool(node, inherited, stmt.span)
                    };
                    self.nodes[pool].ranges.push(range);
                    if let StmtKind::Range {
                        dynamic_bootp: true,
                        ..
                    } = stmt.kind
                    {
                        let value = show_interval((range.start, range.end));
                        let key = format!("range dynamic-bootp {value}");
                        self.item(
                            pool,
                            Item {
                                cat: Cat::Param,
                                shown: key.clone(),
                                key,
                                value: String::new(),
                                span: stmt.span,
                            },
                        );
                    }
                }
                StmtKind::Permit { verb, words, class } if kind == ScopeKind::Pool => {
                    let permit = permit_text(words, class.as_ref());
                    self.nodes[node]
                        .permits
                        .insert(format!("{verb} {permit}"), stmt.span);
                }
                StmtKind::Permit { verb, words, class } => {
                    let permit = permit_text(words, class.as_ref());
                    self.item(
                        node,
                        Item {
                            cat: Cat::Param,
                            key: format!("allow/deny {permit}"),
                            value: verb.clone(),
                            shown: format!("{verb} {permit}"),
                            span: stmt.span,
                        },
                    );
                }
                StmtKind::Option { verb, name, data } => {
                    let item = option_item(verb, name, data, stmt.span);
                    self.item(node, item);
                }
                StmtKind::Parameter { name, values } => {
                    let key = name.text.to_ascii_lowercase();
                    let value = parameter_value(values);
                    self.item(
                        node,
                        Item {
                            cat: Cat::Param,
                            shown: join_nonempty(&key, &value),
                            key,
                            value,
                            span: stmt.span,
                        },
                    );
                }
                StmtKind::Assignment { name, expr } => {
                    let key = name.text.to_ascii_lowercase();
                    let value = format!("= {}", normalize_text(&expr.text));
                    self.item(
                        node,
                        Item {
                            cat: Cat::Param,
                            shown: format!("{key} {value}"),
                            key,
                            value,
                            span: stmt.span,
                        },
                    );
                }
                StmtKind::Authoritative { not } => {
                    let shown = if *not {
                        "not authoritative"
                    } else {
                        "authoritative"
                    };
                    self.item(
                        node,
                        Item {
                            cat: Cat::Param,
                            key: "authoritative".into(),
                            value: if *not { "not" } else { "" }.into(),
                            shown: shown.into(),
                            span: stmt.span,
                        },
                    );
                }
                StmtKind::Hardware { hw_type, address } => {
                    let value = format!(
                        "{} {}",
                        hw_type.text.to_ascii_lowercase(),
                        normalize_value(address)
                    );
                    self.item(
                        node,
                        Item {
                            cat: Cat::Host,
                            key: "hardware".into(),
                            shown: format!("hardware {value}"),
                            value,
                            span: stmt.span,
                        },
                    );
                }
                StmtKind::FixedAddress { addresses } => {
                    let mut list: Vec<String> = addresses.iter().map(normalize_value).collect();
                    list.sort();
                    list.dedup();
                    let value = list.join(", ");
                    self.item(
                        node,
                        Item {
                            cat: Cat::Host,
                            key: "fixed-address".into(),
                            shown: format!("fixed-address {value}"),
                            value,
                            span: stmt.span,
                        },
                    );
                }
                StmtKind::Match { expr, is_if } => {
                    let value = format!(
                        "{}{}",
                        if *is_if { "if " } else { "" },
                        normalize_text(&expr.text)
                    );
                    self.item(
                        node,
                        Item {
                            cat: Cat::Class,
                            key: "match".into(),
                            shown: shorten(&format!("match {value}")),
                            value,
                            span: stmt.span,
                        },
                    );
                }
                StmtKind::LeaseLimit { limit } => {
                    let value = normalize_value(limit);
                    self.item(
                        node,
                        Item {
                            cat: Cat::Class,
                            key: "lease limit".into(),
                            shown: format!("lease limit {value}"),
                            value,
                            span: stmt.span,
                        },
                    );
                }
                StmtKind::Spawn { expr } => {
                    let value = normalize_text(&expr.text);
                    self.item(
                        node,
                        Item {
                            cat: Cat::Class,
                            key: "spawn with".into(),
                            shown: shorten(&format!("spawn with {value}")),
                            value,
                            span: stmt.span,
                        },
                    );
                }
                _ => self.other(node, stmt),
            }
        }
    }

    /// Computes the keys that depend on children (pools, shared networks, groups), makes
    /// duplicate keys unique, and drops top-level statements that only restate a default.
    fn finish(mut self) -> Tree {
        // A group without statements of its own changes nothing: its members belong to the
        // enclosing declaration, and it is left out of the comparison.
        let transparent: Vec<bool> = self
            .nodes
            .iter()
            .map(|n| n.kind == ScopeKind::Group && n.items.is_empty())
            .collect();
        for i in 1..self.nodes.len() {
            while let Some(p) = self.nodes[i].parent
                && transparent[p]
            {
                self.nodes[i].parent = self.nodes[p].parent;
            }
        }
        for i in (1..self.nodes.len()).rev() {
            if transparent[i] {
                continue;
            }
            let key = match self.nodes[i].kind {
                ScopeKind::Pool => {
                    let intervals = self.nodes[i].intervals();
                    let shown = if intervals.is_empty() {
                        "without ranges".to_string()
                    } else {
                        show_intervals(&intervals)
                    };
                    self.nodes[i].title = if self.nodes[i].implicit {
                        format!("range {shown}")
                    } else {
                        format!("pool {shown}")
                    };
                    if intervals.is_empty() {
                        let parent = self.nodes[i]
                            .parent
                            .map_or(String::new(), |p| self.nodes[p].key.clone());
                        format!("pool without ranges in {parent}")
                    } else {
                        format!("pool {shown}")
                    }
                }
                ScopeKind::SharedNetwork => {
                    let mut subnets: Vec<&str> = self
                        .children(i)
                        .filter(|&c| self.nodes[c].kind == ScopeKind::Subnet)
                        .map(|c| self.nodes[c].key.as_str())
                        .collect();
                    subnets.sort_unstable();
                    if subnets.is_empty() {
                        format!("shared-network named {}", self.nodes[i].name)
                    } else {
                        format!("shared-network of {}", subnets.join(", "))
                    }
                }
                ScopeKind::Group if self.nodes[i].name.is_empty() => {
                    let mut members: Vec<&str> = self
                        .children(i)
                        .map(|c| self.nodes[c].key.as_str())
                        .collect();
                    members.sort_unstable();
                    format!("group of {}", members.join(", "))
                }
                ScopeKind::Group => format!("group {}", self.nodes[i].name),
                _ => continue,
            };
            self.nodes[i].key = key;
        }
        let mut index: HashMap<String, usize> = HashMap::new();
        #[allow(clippy::needless_range_loop)] // `i` indexes both `transparent` and `self.nodes`
        for i in 1..self.nodes.len() {
            if transparent[i] {
                self.nodes[i].key.clear();
                continue;
            }
            let base = self.nodes[i].key.clone();
            let mut key = base.clone();
            let mut n = 2;
            while index.contains_key(&key) {
                key = format!("{base} #{n}");
                n += 1;
            }
            self.nodes[i].key = key.clone();
            index.insert(key, i);
        }
        // Statements at the top level that say what dhcpd does anyway.
        let root = &mut self.nodes[0].items;
        for (key, default) in ROOT_DEFAULTS {
            if root.get(*key).is_some_and(|item| item.value == *default) {
                root.remove(*key);
            }
        }
        Tree {
            nodes: self.nodes,
            index,
        }
    }

    fn children(&self, parent: usize) -> impl Iterator<Item = usize> + '_ {
        (parent + 1..self.nodes.len()).filter(move |&c| self.nodes[c].parent == Some(parent))
    }
}

/// Top-level statements equivalent to their absence: (key, canonical value).
const ROOT_DEFAULTS: &[(&str, &str)] = &[("ddns-update-style", "none"), ("authoritative", "not")];

/// `10.0.0.0/24`, or `10.0.0.0 netmask 255.0.255.0` for a non-contiguous mask.
fn subnet_key(network: &Value, netmask: &Value) -> String {
    match (network.ipv4(), netmask.ipv4()) {
        (Some(net), Some(mask)) => {
            let bits = u32::from(mask);
            if bits.leading_ones() + bits.trailing_zeros() == 32 {
                format!("{net}/{}", bits.leading_ones())
            } else {
                format!("{net} netmask {mask}")
            }
        }
        _ => format!("{} netmask {}", network.text, netmask.text),
    }
}

/// A permit in canonical form: `known-clients`, `members of "x"`, `dynamic bootp clients`.
fn permit_text(words: &[Value], class: Option<&Value>) -> String {
    if let Some(class) = class {
        return format!("members of \"{}\"", class.text);
    }
    let text = words
        .iter()
        .map(|w| w.text.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    match text.as_str() {
        "known clients" => "known-clients".into(),
        "unknown clients" => "unknown-clients".into(),
        _ => text,
    }
}

fn option_item(verb: &str, name: &Value, data: &OptionData, span: Span) -> Item {
    let verb = if verb == "supersede" { "option" } else { verb };
    let lower = name.text.to_ascii_lowercase();
    let option = lower.strip_prefix("dhcp.").unwrap_or(&lower);
    let key = format!("{verb} {option}");
    let value = match data {
        OptionData::Empty => String::new(),
        OptionData::Values(values) => values
            .iter()
            .map(normalize_value)
            .collect::<Vec<_>>()
            .join(", "),
        OptionData::Expr(expr) => format!("= {}", normalize_text(&expr.text)),
    };
    Item {
        cat: Cat::Option,
        shown: shorten(&join_nonempty(&key, &value)),
        key,
        value,
        span,
    }
}

fn parameter_value(values: &[Value]) -> String {
    if let [v] = values
        && v.kind == ValueKind::Name
    {
        match v.text.to_ascii_lowercase().as_str() {
            "on" | "true" => return "on".into(),
            "off" | "false" => return "off".into(),
            _ => {}
        }
    }
    values
        .iter()
        .map(normalize_value)
        .collect::<Vec<_>>()
        .join(" ")
}

fn join_nonempty(key: &str, value: &str) -> String {
    if value.is_empty() {
        key.to_string()
    } else {
        format!("{key} {value}")
    }
}

/// A value in canonical form: addresses and numbers parsed, hex octets padded and lower-cased,
/// names lower-cased, strings quoted.
pub(crate) fn normalize_value(v: &Value) -> String {
    match v.kind {
        ValueKind::Ipv4 => v.ipv4().map_or_else(|| v.text.clone(), |ip| ip.to_string()),
        ValueKind::Number => v.number().map_or_else(|| v.text.clone(), |n| n.to_string()),
        ValueKind::Hex => v
            .text
            .split(':')
            .map(|o| {
                u8::from_str_radix(o.trim(), 16)
                    .map_or_else(|_| o.to_ascii_lowercase(), |b| format!("{b:02x}"))
            })
            .collect::<Vec<_>>()
            .join(":"),
        ValueKind::String => crate::model::options::quote(&v.text),
        ValueKind::Name | ValueKind::Ipv6 => v.text.to_ascii_lowercase(),
    }
}

/// Source text in canonical form: comments dropped, keywords lower-cased, whitespace kept
/// only between two word characters; quoted strings unchanged.
pub(crate) fn normalize_text(text: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
    crate::conf::text::squeeze(
        text,
        |c| c.to_ascii_lowercase(),
        |out, c| {
            if c == '"' {
                out.ends_with(word)
            } else {
                word(c) && (out.ends_with(word) || out.ends_with('"'))
            }
        },
    )
}

/// At most 60 characters of a statement, for messages.
fn shorten(text: &str) -> String {
    if text.chars().count() <= 60 {
        return text.to_string();
    }
    let cut: String = text.chars().take(57).collect();
    format!("{cut}...")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn tree(text: &str) -> Tree {
        let config = Config::from_text(Path::new("t.conf"), text.to_string());
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        Tree::of(&config)
    }

    #[test]
    fn keys_ignore_layout_order_and_case() {
        let a = tree(
            "SUBNET 10.0.0.0 netmask 255.255.255.0 { option routers 10.0.0.1; pool { range 10.0.0.10 10.0.0.20; range 10.0.0.21 10.0.0.30; } }\n",
        );
        let b = tree(
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    range 10.0.0.10 10.0.0.30;\n  }\n  supersede routers 10.0.0.1; # gw\n}\n",
        );
        for t in [&a, &b] {
            assert!(t.index.contains_key("subnet 10.0.0.0/24"));
            assert!(t.index.contains_key("pool 10.0.0.10-10.0.0.30"));
        }
        let s = |t: &Tree| {
            t.nodes[t.index["subnet 10.0.0.0/24"]].items["option routers"]
                .value
                .clone()
        };
        assert_eq!(s(&a), s(&b));
    }

    #[test]
    fn values_are_canonical() {
        let t = tree(
            "default-lease-time 0x258;\nping-check TRUE;\nhost h { hardware ethernet 0:A:b:c:d:e; fixed-address 10.0.0.9, 10.0.0.8; }\nddns-update-style none;\nnot authoritative;\n",
        );
        let root = &t.nodes[0].items;
        assert_eq!(root["default-lease-time"].value, "600");
        assert_eq!(root["ping-check"].value, "on");
        assert!(!root.contains_key("ddns-update-style"));
        assert!(!root.contains_key("authoritative"));
        let host = &t.nodes[t.index["host h"]].items;
        assert_eq!(host["hardware"].value, "ethernet 00:0a:0b:0c:0d:0e");
        assert_eq!(host["fixed-address"].value, "10.0.0.8, 10.0.0.9");
    }

    #[test]
    fn shared_networks_are_keyed_by_their_subnets_and_pools_inherit_its_peer() {
        let t = tree(
            "failover peer \"fo\" { primary; }\nshared-network A {\n  failover peer \"fo\";\n  subnet 10.0.1.0 netmask 255.255.255.0 { range 10.0.1.5 10.0.1.9; }\n  subnet 10.0.0.0 netmask 255.255.255.0 { pool { range 10.0.0.5 10.0.0.9; } pool { no failover peer range 10.0.0.20 10.0.0.29; } }\n}\n",
        );
        assert!(
            t.index
                .contains_key("shared-network of subnet 10.0.0.0/24, subnet 10.0.1.0/24")
        );
        let peer = |k: &str| t.nodes[t.index[k]].peer.as_ref().map(|p| p.0.clone());
        assert_eq!(peer("pool 10.0.1.5-10.0.1.9"), Some("fo".into()));
        assert_eq!(peer("pool 10.0.0.5-10.0.0.9"), Some("fo".into()));
        assert_eq!(peer("pool 10.0.0.20-10.0.0.29"), None);
        assert!(t.nodes[t.index["pool 10.0.1.5-10.0.1.9"]].implicit);
    }

    #[test]
    fn groups_without_statements_are_transparent() {
        let t = tree(
            "shared-network s { group { subnet 10.0.0.0 netmask 255.255.255.0 { } } }\ngroup { host a { } }\ngroup { option domain-name \"x\"; host b { } }\n",
        );
        assert!(t.index.contains_key("shared-network of subnet 10.0.0.0/24"));
        assert_eq!(t.nodes[t.index["host a"]].parent, Some(0));
        assert!(t.index.contains_key("group of host b"));
        assert_eq!(t.index.len(), 5);
    }

    #[test]
    fn deep_nesting_is_refused_by_the_parser_and_bounded_here() {
        // The parser refuses blocks nested deeper than 64 levels, so the tree never sees them;
        // what it does see stays within MAX_NESTING.
        let nested = |depth: usize| {
            format!(
                "{}option domain-name \"x\";{}",
                "group { ".repeat(depth),
                "} ".repeat(depth)
            )
        };
        let deep = Config::from_text(Path::new("t.conf"), nested(300));
        assert!(!deep.problems.is_empty(), "300 levels must be refused");
        let config = Config::from_text(Path::new("t.conf"), nested(60));
        assert!(config.problems.is_empty());
        let t = Tree::of(&config);
        assert!(t.nodes.len() <= MAX_NESTING + 1, "{}", t.nodes.len());
        assert!(t.nodes.len() > 60, "{}", t.nodes.len());
    }

    #[test]
    fn text_normalization() {
        assert_eq!(
            normalize_text(
                "match if ((extract-int (suffix\n\t(pick-first-value (option dhcp-client-identifier,\n hardware), 1), 8) % 2) = 0);"
            ),
            "match if((extract-int(suffix(pick-first-value(option dhcp-client-identifier,hardware),1),8)%2)=0);"
        );
        assert_eq!(
            normalize_text("IF  option x = \"A  b\" { }"),
            "if option x=\"A  b\"{}"
        );
    }

    #[test]
    fn line_numbers() {
        let config = Config::from_text(Path::new("t.conf"), "a;\nb;\n\nc;".to_string());
        let lines = Lines::of(&config);
        assert_eq!(lines.line(0, 0), 1);
        assert_eq!(lines.line(0, 2), 1);
        assert_eq!(lines.line(0, 3), 2);
        assert_eq!(lines.line(0, 7), 4);
        assert_eq!(lines.line(0, 70), 4);
        assert_eq!(lines.line(5, 0), 1);
    }

    #[test]
    fn interval_arithmetic() {
        assert_eq!(
            merge(vec![(5, 9), (1, 3), (4, 4), (20, 30)]),
            vec![(1, 9), (20, 30)]
        );
        assert_eq!(subtract(1, 10, &[(3, 4), (8, 20)]), vec![(1, 2), (5, 7)]);
        assert_eq!(subtract(1, 10, &[(0, 20)]), vec![]);
        assert!(overlaps(&[(1, 5)], &[(5, 9)]));
        assert!(!overlaps(&[(1, 5)], &[(6, 9)]));
    }
}
