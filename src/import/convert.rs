//! From the primary's configuration to the model's data ([`super::yaml::ModelOut`]), reporting
//! every statement the model cannot express.

use std::net::Ipv4Addr;
use std::path::Path;

use super::rules::{DF490, DF491, DF492, DF493, DF495};
use super::yaml::{
    self, ClassOut, HostOut, ModelOut, PeerOut, PoolOut, ScopeOut, SharedOut, SubnetOut,
};
use crate::conf::ast::{OptionData, PeerStmt, Span, Stmt, StmtKind, Value, ValueKind};
use crate::conf::facts::PeerDecl;
use crate::conf::load::Config;
use crate::conf::pair::tree::{Lines, normalize_value};
use crate::conf::rules::Lint;
use crate::dhcpd::{ModelPlace, PEER_STATEMENTS};
use crate::model::options::OptionKind;

/// Where a statement is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    Shared(usize),
    Subnet(Option<usize>, usize),
    Pool(Option<usize>, usize, usize),
    Host(usize),
    Class(usize),
}

/// `log-facility` values the model accepts.
const LOG_FACILITIES: &[&str] = &[
    "auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user",
    "uucp", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
];

/// What the conversion found: the model and the findings in the primary's files.
pub(super) struct Converted {
    pub model: ModelOut,
    pub findings: Vec<Lint>,
}

/// Converts the primary's configuration; `relationship` is its failover peer block (the first
/// one) and `secondary` the partner's block of the same name, if any.
pub(super) fn convert(
    config: &Config,
    relationship: Option<&PeerDecl<'_>>,
    secondary: Option<(&Config, &PeerDecl<'_>)>,
) -> Converted {
    let mut c = Converter {
        config,
        lines: Lines::of(config),
        model: ModelOut::default(),
        findings: Vec::new(),
        relationship: relationship.map(|r| r.name.text.clone()),
        group_params: Vec::new(),
    };
    match relationship {
        Some(decl) => c.failover(decl, secondary),
        None => {
            let at = Span::default();
            c.findings.push(
                DF493
                    .lint_at(at, "no failover peer block: the model describes a failover pair")
                    .label("no `failover peer NAME { ... }` in this configuration")
                    .help("the YAML has no `failover:` and no peer addresses; add them by hand or import a configuration with failover"),
            );
        }
    }
    if let Some(main) = config.files.first() {
        let mut inherited = None;
        c.body(&main.statements, Place::Root, false, &mut inherited, 0);
    }
    c.finish_pools();
    Converted {
        model: c.model,
        findings: c.findings,
    }
}

struct Converter<'a> {
    config: &'a Config,
    lines: Lines,
    model: ModelOut,
    findings: Vec<Lint>,
    relationship: Option<String>,
    /// For each group being read: its parameters, which the model cannot express.
    group_params: Vec<Vec<String>>,
}

/// Declarations nested deeper than this (includes counted) are reported, not imported.
const MAX_NESTING: usize = 200;

impl Converter<'_> {
    /// `FILE:LINE` with the file's base name, for comments.
    fn at(&self, span: Span) -> String {
        match self.config.files.get(span.file) {
            Some(f) => {
                let name = Path::new(&f.source.name).file_name().map_or_else(
                    || f.source.name.clone(),
                    |n| n.to_string_lossy().into_owned(),
                );
                format!("{name}:{}", self.lines.line(span.file, span.start))
            }
            None => String::new(),
        }
    }

    fn text(&self, span: Span) -> &str {
        self.config
            .files
            .get(span.file)
            .and_then(|f| f.source.text.get(span.start..span.end))
            .unwrap_or("")
    }

    /// The first line of a statement, shortened, for messages.
    fn shown(&self, stmt: &Stmt) -> String {
        if let StmtKind::Key { name, .. } = &stmt.kind {
            return format!("key {} {{ ... }}", name.text);
        }
        let text = crate::conf::pair::tree::normalize_text(self.text(stmt.span));
        if text.chars().count() > 60 {
            format!("{}...", text.chars().take(57).collect::<String>())
        } else {
            text
        }
    }

    fn scope(&mut self, place: Place) -> &mut ScopeOut {
        let m = &mut self.model;
        match place {
            Place::Root => &mut m.global,
            Place::Shared(i) => &mut m.shared_networks[i].scope,
            Place::Subnet(sn, i) => &mut subnets(m, sn)[i].scope,
            Place::Pool(sn, i, p) => &mut subnets(m, sn)[i].pools[p].scope,
            Place::Host(i) => &mut m.hosts[i].scope,
            Place::Class(i) => &mut m.classes[i].scope,
        }
    }

    fn failover(&mut self, decl: &PeerDecl<'_>, secondary: Option<(&Config, &PeerDecl<'_>)>) {
        let at = self.at(decl.name.span);
        let mut entries = vec![("name".to_string(), yaml::string(&decl.name.text))];
        for statement in PEER_STATEMENTS {
            let ModelPlace::Failover { key, duration } = statement.model else {
                continue;
            };
            let keyword = statement.keyword;
            let Some(stmt) = decl
                .get(keyword)
                .or_else(|| from_secondary(decl, secondary.map(|(_, d)| d), keyword))
            else {
                if keyword == "load balance max seconds" {
                    // dhcpd's default is 0 (no balancing); the model's is 3.
                    entries.push((
                        key.to_string(),
                        "0  # not in the peer block: dhcpd's default, load balancing off".into(),
                    ));
                }
                continue;
            };
            let value = stmt.value.as_ref();
            let formatted = match (value, keyword) {
                (Some(v), "hba") if v.kind == ValueKind::Hex => {
                    Some(yaml::string(&normalize_value(v)))
                }
                (Some(v), _) => match v.number() {
                    Some(n) if n >= 0 && duration => Some(yaml::duration(n.unsigned_abs())),
                    Some(n) if n >= 0 => Some(n.to_string()),
                    _ => None,
                },
                (None, _) => None,
            };
            match formatted {
                Some(f) => entries.push((key.to_string(), f)),
                None => self.findings.push(
                    DF495
                        .lint_at(
                            stmt.span,
                            format!("`{keyword}` has a value the model cannot hold"),
                        )
                        .label("not a plain non-negative number")
                        .help(format!("write `{key}` by hand in the YAML's `failover:`")),
                ),
            }
        }
        for s in decl.statements {
            let known = crate::dhcpd::peer_statement(&s.keyword)
                .is_some_and(|known| known.model != ModelPlace::Nowhere);
            if !known {
                self.findings.push(
                    DF492
                        .lint_at(s.span, format!("peer statement `{}` has no key in the model", s.keyword))
                        .label("not imported")
                        .help("the model renders the standard peer statements only; keep this one by hand"),
                );
            }
        }
        self.model.failover = Some((entries, at.clone()));
        // The primary from its own block; the secondary from its block, else from the
        // primary's `peer address`/`peer port`.
        self.model.peers[0] = self.peer(decl, "address", "port", at);
        self.model.peers[1] = match secondary {
            Some((config, other)) => {
                let mut peer = peer_out(other, "address", "port", &mut Vec::new());
                peer.at = base_at(config, other.name.span);
                if peer.address.is_none() {
                    peer.address = self
                        .peer(decl, "peer address", "peer port", String::new())
                        .address;
                }
                peer
            }
            None => self.peer(decl, "peer address", "peer port", self.at(decl.name.span)),
        };
    }

    fn peer(&mut self, decl: &PeerDecl<'_>, address: &str, port: &str, at: String) -> PeerOut {
        let mut findings = Vec::new();
        let mut peer = peer_out(decl, address, port, &mut findings);
        self.findings.append(&mut findings);
        peer.at = at;
        peer
    }

    fn body(
        &mut self,
        statements: &[Stmt],
        place: Place,
        in_group: bool,
        inherited: &mut Option<String>,
        depth: usize,
    ) {
        if depth >= MAX_NESTING {
            if let Some(first) = statements.first() {
                self.structure(
                    first,
                    format!("declarations nested more than {MAX_NESTING} deep"),
                    "flatten the nesting; these statements are not imported",
                );
            }
            return;
        }
        for stmt in statements {
            self.statement(stmt, place, in_group, inherited, depth);
        }
    }

    fn unsupported(&mut self, stmt: &Stmt, what: &str) {
        let shown = self.shown(stmt);
        self.findings.push(
            DF490
                .lint_at(
                    stmt.span,
                    format!("`{shown}`: {what} cannot be expressed in the model"),
                )
                .label("not imported")
                .help("keep it by hand (e.g. in a template override) or drop it"),
        );
    }

    fn structure(&mut self, stmt: &Stmt, message: String, help: &str) {
        self.findings.push(
            DF493
                .lint_at(stmt.keyword_span, message)
                .label("not imported")
                .help(help.to_string()),
        );
    }

    fn statement(
        &mut self,
        stmt: &Stmt,
        place: Place,
        in_group: bool,
        inherited: &mut Option<String>,
        depth: usize,
    ) {
        let parameter_like = matches!(
            stmt.kind,
            StmtKind::Option { .. }
                | StmtKind::Parameter { .. }
                | StmtKind::Assignment { .. }
                | StmtKind::Authoritative { .. }
                | StmtKind::Permit { .. }
        );
        if in_group && parameter_like {
            let shown = self.shown(stmt);
            if let Some(list) = self.group_params.last_mut() {
                list.push(shown);
            }
            return;
        }
        match &stmt.kind {
            StmtKind::Include { file, .. } => {
                if let Some(index) = file
                    && let Some(included) = self.config.files.get(*index)
                {
                    self.body(&included.statements, place, in_group, inherited, depth + 1);
                }
            }
            StmtKind::Group { body, .. } => {
                self.group_params.push(Vec::new());
                let mut own = inherited.clone();
                self.body(body, place, true, &mut own, depth + 1);
                let params = self.group_params.pop().unwrap_or_default();
                if !params.is_empty() {
                    self.structure(
                        stmt,
                        format!(
                            "this group's parameters cannot be expressed in the model: {}",
                            params.join("; ")
                        ),
                        "its declarations are imported without them; copy the parameters into each declaration that needs them",
                    );
                }
            }
            StmtKind::SharedNetwork { name, body } => {
                if place != Place::Root {
                    self.structure(
                        stmt,
                        "a shared network inside another declaration".into(),
                        "declare shared networks at the top level",
                    );
                    return;
                }
                self.model.shared_networks.push(SharedOut {
                    name: yaml::string(&name.text),
                    at: self.at(stmt.span),
                    ..SharedOut::default()
                });
                let i = self.model.shared_networks.len() - 1;
                let mut own = None;
                self.body(body, Place::Shared(i), false, &mut own, depth + 1);
            }
            StmtKind::Subnet {
                network,
                netmask,
                body,
            } => {
                let sn = match place {
                    Place::Root => None,
                    Place::Shared(i) => Some(i),
                    _ => {
                        self.structure(
                            stmt,
                            "a subnet inside another declaration".into(),
                            "declare subnets at the top level or in a shared network",
                        );
                        return;
                    }
                };
                let Some(cidr) = cidr(network, netmask) else {
                    self.findings.push(
                        DF495
                            .lint_at(netmask.span, format!("netmask {} is not contiguous", netmask.text))
                            .label("no CIDR prefix")
                            .help("the model writes subnets as CIDR networks; this subnet and its pools are not imported"),
                    );
                    return;
                };
                let subnet = SubnetOut {
                    network: cidr,
                    at: self.at(stmt.span),
                    ..SubnetOut::default()
                };
                let list = subnets(&mut self.model, sn);
                list.push(subnet);
                let i = list.len() - 1;
                let mut own = inherited.clone();
                self.body(body, Place::Subnet(sn, i), false, &mut own, depth + 1);
            }
            StmtKind::Pool { body } => {
                let Place::Subnet(sn, i) = place else {
                    let help = if matches!(place, Place::Shared(_)) {
                        "the model has pools in subnets only: move the pool into the subnet its ranges belong to"
                    } else {
                        "declare pools in subnets"
                    };
                    self.structure(
                        stmt,
                        "a pool outside a subnet cannot be expressed in the model".into(),
                        help,
                    );
                    return;
                };
                let pool = PoolOut {
                    peer: inherited.clone(),
                    at: self.at(stmt.span),
                    span: stmt.keyword_span,
                    ..PoolOut::default()
                };
                let pools = &mut subnets(&mut self.model, sn)[i].pools;
                pools.push(pool);
                let p = pools.len() - 1;
                let mut own = inherited.clone();
                self.body(body, Place::Pool(sn, i, p), false, &mut own, depth + 1);
            }
            StmtKind::Host { name, body } => {
                if matches!(place, Place::Host(_) | Place::Class(_) | Place::Pool(..)) {
                    self.structure(
                        stmt,
                        "a host inside a host, class or pool".into(),
                        "declare hosts at the top level",
                    );
                    return;
                }
                self.model.hosts.push(HostOut {
                    name: yaml::string(&name.text),
                    at: self.at(stmt.span),
                    ..HostOut::default()
                });
                let i = self.model.hosts.len() - 1;
                let mut own = None;
                self.body(body, Place::Host(i), false, &mut own, depth + 1);
            }
            StmtKind::Class { name, body } => {
                if place != Place::Root {
                    self.structure(
                        stmt,
                        "a class inside another declaration".into(),
                        "declare classes at the top level",
                    );
                    return;
                }
                let keyword = self.text(stmt.keyword_span).to_ascii_lowercase();
                if keyword != "class" {
                    self.unsupported(stmt, &format!("a `{keyword}` declaration"));
                    return;
                }
                self.model.classes.push(ClassOut {
                    name: yaml::string(&name.text),
                    at: self.at(stmt.span),
                    ..ClassOut::default()
                });
                let i = self.model.classes.len() - 1;
                let mut own = None;
                self.body(body, Place::Class(i), false, &mut own, depth + 1);
            }
            StmtKind::FailoverPeer { name, .. } => {
                if self.relationship.as_deref() != Some(name.text.as_str()) {
                    self.structure(
                        stmt,
                        format!("a second failover relationship \"{}\"", name.text),
                        "the model has one relationship; pools referring to this one are imported without failover",
                    );
                }
            }
            StmtKind::FailoverRef { name } => match place {
                Place::Pool(sn, i, p) => {
                    subnets(&mut self.model, sn)[i].pools[p].peer = Some(name.text.clone());
                }
                Place::Shared(_) => *inherited = Some(name.text.clone()),
                _ => self.unsupported(
                    stmt,
                    "a failover reference outside a pool or shared network",
                ),
            },
            StmtKind::NoFailoverRef { .. } => match place {
                Place::Pool(sn, i, p) => subnets(&mut self.model, sn)[i].pools[p].peer = None,
                _ => self.unsupported(stmt, "`no failover peer` outside a pool"),
            },
            StmtKind::Range {
                dynamic_bootp,
                low,
                high,
            } => self.range(stmt, place, *dynamic_bootp, low, high.as_ref(), inherited),
            StmtKind::Permit { verb, words, class } => {
                self.permit(stmt, place, verb, words, class.as_ref())
            }
            StmtKind::Option { verb, name, data } => self.option(stmt, place, verb, name, data),
            StmtKind::Parameter { name, values } => self.parameter(stmt, place, name, values),
            StmtKind::Authoritative { not } => {
                if place == Place::Root {
                    self.model.global.set("authoritative", (!*not).to_string());
                } else {
                    self.findings.push(
                        DF492
                            .lint_at(stmt.span, "`authoritative` outside the top level has no key in the model")
                            .label("not imported")
                            .help("the model's `authoritative` is global; keep this scope's setting by hand"),
                    );
                }
            }
            StmtKind::Hardware { hw_type, address } => self.hardware(stmt, place, hw_type, address),
            StmtKind::FixedAddress { addresses } => self.fixed_address(stmt, place, addresses),
            StmtKind::Match { expr, is_if } => match place {
                Place::Class(i) if *is_if => {
                    let text = collapse(&expr.text);
                    self.model.classes[i].match_if = Some(yaml::string(&text));
                }
                _ => self.unsupported(stmt, "a `match` without `if`, or outside a class,"),
            },
            StmtKind::LeaseLimit { limit } => match (place, limit.number()) {
                (Place::Class(i), Some(n)) if (0..=i64::from(u32::MAX)).contains(&n) => {
                    self.model.classes[i].lease_limit = Some(n.to_string());
                }
                _ => self.unsupported(stmt, "this `lease limit`"),
            },
            StmtKind::Assignment { .. } => {
                self.unsupported(stmt, "a parameter set by an expression")
            }
            StmtKind::If { .. } | StmtKind::Switch { .. } | StmtKind::Case { .. } => {
                self.unsupported(stmt, "a conditional statement")
            }
            StmtKind::On { .. } => self.unsupported(stmt, "an `on` event statement"),
            StmtKind::Key { .. } | StmtKind::Zone { .. } => {
                self.unsupported(stmt, "a DNS update key or zone")
            }
            StmtKind::OptionSpace { .. } | StmtKind::OptionDef { .. } => {
                self.unsupported(stmt, "an option definition")
            }
            StmtKind::Subclass { .. } => self.unsupported(stmt, "a subclass"),
            _ => self.unsupported(stmt, "this statement"),
        }
    }

    fn range(
        &mut self,
        stmt: &Stmt,
        place: Place,
        dynamic_bootp: bool,
        low: &Value,
        high: Option<&Value>,
        inherited: &Option<String>,
    ) {
        let (Some(a), Some(b)) = (low.ipv4(), high.map_or(low.ipv4(), Value::ipv4)) else {
            self.unsupported(stmt, "a range without IPv4 addresses");
            return;
        };
        let (sn, i, p) = match place {
            Place::Pool(sn, i, p) => (sn, i, p),
            Place::Subnet(sn, i) => {
                // dhcpd makes one pool of the ranges written in a subnet.
                let at = self.at(stmt.span);
                let pools = &mut subnets(&mut self.model, sn)[i].pools;
                let p = match pools.iter().position(|p| p.implicit) {
                    Some(p) => p,
                    None => {
                        pools.push(PoolOut {
                            peer: inherited.clone(),
                            at,
                            span: stmt.span,
                            implicit: true,
                            ..PoolOut::default()
                        });
                        pools.len() - 1
                    }
                };
                (sn, i, p)
            }
            _ => {
                self.structure(
                    stmt,
                    "a range outside a subnet cannot be expressed in the model".into(),
                    "the model has ranges in subnet pools only: move the range into the subnet it belongs to",
                );
                return;
            }
        };
        let pool = &mut subnets(&mut self.model, sn)[i].pools[p];
        let first = pool.ranges.is_empty();
        let (a, b) = if u32::from(a) <= u32::from(b) {
            (a, b)
        } else {
            (b, a)
        };
        pool.ranges.push((a, b));
        if first {
            pool.dynamic_bootp = dynamic_bootp;
        } else if pool.dynamic_bootp != dynamic_bootp {
            pool.dynamic_bootp = false;
            self.findings.push(
                DF495
                    .lint_at(
                        stmt.span,
                        "ranges with and without `dynamic-bootp` in one pool",
                    )
                    .label("the model's `dynamic-bootp` is set per pool")
                    .help("split the ranges into two pools, one with `dynamic-bootp: true`"),
            );
        }
    }

    fn permit(
        &mut self,
        stmt: &Stmt,
        place: Place,
        verb: &str,
        words: &[Value],
        class: Option<&Value>,
    ) {
        let Place::Pool(sn, i, p) = place else {
            let shown = self.shown(stmt);
            self.findings.push(
                DF492
                    .lint_at(stmt.span, format!("`{shown}` outside a pool has no key in the model"))
                    .label("not imported")
                    .help("the model has permit lists in pools only; keep this flag by hand or move it into the pools"),
            );
            return;
        };
        let text = words
            .iter()
            .map(|w| w.text.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        let permit = match (class, text.as_str()) {
            (Some(class), _) => Some(format!("{{ members-of: {} }}", yaml::string(&class.text))),
            (None, "known-clients" | "known clients") => Some("known-clients".into()),
            (None, "unknown-clients" | "unknown clients") => Some("unknown-clients".into()),
            (None, "all clients") => Some("all-clients".into()),
            (None, "dynamic bootp clients") => Some("dynamic-bootp-clients".into()),
            _ => None,
        };
        let pool = &mut subnets(&mut self.model, sn)[i].pools[p];
        match (permit, verb) {
            (Some(permit), "allow") if !pool.allow.contains(&permit) => pool.allow.push(permit),
            (Some(permit), "deny") if !pool.deny.contains(&permit) => pool.deny.push(permit),
            (Some(_), "allow" | "deny") => {}
            _ => {
                let shown = self.shown(stmt);
                self.findings.push(
                    DF495
                        .lint_at(stmt.span, format!("permit `{shown}` cannot be expressed in the model"))
                        .label("not imported")
                        .help("the model's permits are known-clients, unknown-clients, all-clients, dynamic-bootp-clients and members-of, with allow or deny"),
                );
            }
        }
    }

    fn option(&mut self, stmt: &Stmt, place: Place, verb: &str, name: &Value, data: &OptionData) {
        let lower = name.text.to_ascii_lowercase();
        let option = lower.strip_prefix("dhcp.").unwrap_or(&lower).to_string();
        let found = crate::model::options::spec(&option).map(|o| o.kind);
        let problem = if verb != "option" && verb != "supersede" {
            Some(format!(
                "`{verb} {option}`: the model writes plain `option` statements only"
            ))
        } else if found.is_none() {
            Some(format!(
                "option `{option}` is not in the model's typed options"
            ))
        } else {
            None
        };
        let value = match (found, data) {
            (Some(ty), OptionData::Values(values)) if problem.is_none() => option_value(ty, values),
            _ => None,
        };
        match (problem, value) {
            (None, Some(value)) => self.scope(place).option(&option, value),
            (problem, _) => {
                let message = problem.unwrap_or_else(|| {
                    format!("the value of option `{option}` does not fit the model's type for it")
                });
                self.findings.push(
                    DF491
                        .lint_at(stmt.span, message)
                        .label("not imported")
                        .help("keep the option by hand, or write it with a value the model accepts (README: Options)"),
                );
            }
        }
    }

    fn parameter(&mut self, stmt: &Stmt, place: Place, name: &Value, values: &[Value]) {
        let key = name.text.to_ascii_lowercase();
        let single = match values {
            [v] => Some(v),
            _ => None,
        };
        let global_only = matches!(
            key.as_str(),
            "ddns-update-style"
                | "log-facility"
                | "ping-check"
                | "one-lease-per-client"
                | "use-host-decl-names"
                | "omapi-port"
        );
        let converted: Result<String, &str> = match key.as_str() {
            "default-lease-time" | "max-lease-time" | "min-lease-time" => {
                match single.and_then(|v| v.number()) {
                    Some(n) if n >= 0 && n <= i64::from(u32::MAX) => {
                        Ok(yaml::duration(n.unsigned_abs()))
                    }
                    _ => Err(
                        "a lease time the model's durations cannot hold (`infinite`, negative or too large)",
                    ),
                }
            }
            "next-server" => match single.and_then(Value::ipv4) {
                Some(ip) => Ok(ip.to_string()),
                None => Err("a `next-server` that is not an IPv4 address"),
            },
            "filename" => match single {
                Some(v) if v.kind == ValueKind::String => Ok(yaml::string(&v.text)),
                _ => Err("a `filename` that is not a quoted string"),
            },
            _ if global_only && place != Place::Root => {
                self.findings.push(
                    DF492
                        .lint_at(
                            stmt.span,
                            format!("`{key}` outside the top level has no key in the model"),
                        )
                        .label("not imported")
                        .help(format!(
                            "the model's `{key}` is global; keep this scope's setting by hand"
                        )),
                );
                return;
            }
            "ddns-update-style" => match single.map(|v| v.text.to_ascii_lowercase()).as_deref() {
                Some(s @ ("none" | "interim" | "standard")) => Ok(s.to_string()),
                _ => Err("a `ddns-update-style` the model does not accept"),
            },
            "log-facility" => match single.map(|v| v.text.to_ascii_lowercase()) {
                Some(f) if LOG_FACILITIES.contains(&f.as_str()) => Ok(f),
                _ => Err("a `log-facility` the model does not accept"),
            },
            "omapi-port" => match single.and_then(|v| v.number()) {
                Some(n) if (1..=65535).contains(&n) => Ok(n.to_string()),
                _ => Err("an `omapi-port` that is not a port number 1..65535"),
            },
            "ping-check" | "one-lease-per-client" | "use-host-decl-names" => {
                match single.map(|v| v.text.to_ascii_lowercase()).as_deref() {
                    Some("on" | "true") => Ok("true".into()),
                    Some("off" | "false") => Ok("false".into()),
                    _ => Err("a flag that is not on/off/true/false"),
                }
            }
            _ => {
                self.findings.push(
                    DF492
                        .lint_at(stmt.span, format!("parameter `{key}` has no key in the model"))
                        .label("not imported")
                        .help("the model's scope keys are listed in README.md (YAML reference); keep this parameter by hand"),
                );
                return;
            }
        };
        match converted {
            Ok(value) => self.scope(place).set(&key, value),
            Err(why) => {
                let shown = self.shown(stmt);
                self.findings.push(
                    DF495
                        .lint_at(stmt.span, format!("`{shown}`: {why}"))
                        .label("not imported")
                        .help("write the value by hand in the YAML"),
                );
            }
        }
    }

    fn hardware(&mut self, stmt: &Stmt, place: Place, hw_type: &Value, address: &Value) {
        let Place::Host(i) = place else {
            self.unsupported(stmt, "`hardware` outside a host");
            return;
        };
        let octets: Vec<&str> = address.text.split(':').collect();
        let mac_ok = hw_type.text.eq_ignore_ascii_case("ethernet")
            && octets.len() == 6
            && octets.iter().all(|o| u8::from_str_radix(o, 16).is_ok());
        if mac_ok {
            self.model.hosts[i].mac = Some(yaml::string(&normalize_value(address)));
        } else {
            let shown = self.shown(stmt);
            self.findings.push(
                DF495
                    .lint_at(
                        stmt.span,
                        format!("`{shown}` is not a 6-octet ethernet address"),
                    )
                    .label("not imported")
                    .help("the model's `hardware-ethernet` takes a MAC such as 00:11:22:aa:bb:cc"),
            );
        }
    }

    fn fixed_address(&mut self, stmt: &Stmt, place: Place, addresses: &[Value]) {
        let Place::Host(i) = place else {
            self.unsupported(stmt, "`fixed-address` outside a host");
            return;
        };
        let ips: Vec<Ipv4Addr> = addresses.iter().filter_map(Value::ipv4).collect();
        if ips.len() == addresses.len() {
            self.model.hosts[i].fixed = ips;
        } else {
            let shown = self.shown(stmt);
            self.findings.push(
                DF495
                    .lint_at(
                        stmt.span,
                        format!("`{shown}` names a host; the model needs IPv4 addresses"),
                    )
                    .label("not imported")
                    .help("write the addresses this name resolves to in `fixed-address`"),
            );
        }
    }

    /// Decides each pool's `failover` from the peer in effect, and drops pools without
    /// ranges (the model needs a range in each pool).
    fn finish_pools(&mut self) {
        let relationship = self.relationship.clone();
        let mut other = Vec::new();
        let mut empty = Vec::new();
        let all = self.model.subnets.iter_mut().chain(
            self.model
                .shared_networks
                .iter_mut()
                .flat_map(|s| s.subnets.iter_mut()),
        );
        for subnet in all {
            subnet.pools.retain(|p| {
                if p.ranges.is_empty() {
                    empty.push(p.span);
                }
                !p.ranges.is_empty()
            });
            for pool in &mut subnet.pools {
                pool.failover = match (&pool.peer, &relationship) {
                    (Some(peer), Some(r)) if peer == r => true,
                    (Some(peer), _) => {
                        other.push((pool.span, peer.clone()));
                        false
                    }
                    (None, _) => false,
                };
            }
        }
        for span in empty {
            self.findings.push(
                DF493
                    .lint_at(span, "a pool without ranges cannot be expressed in the model")
                    .label("not imported")
                    .help("the model needs a range in each pool; this pool hands out no address anyway"),
            );
        }
        for (span, peer) in other {
            self.findings.push(
                DF493
                    .lint_at(span, format!("this pool refers to failover peer \"{peer}\", not the imported relationship"))
                    .label("imported with `failover: false`")
                    .help("the model has one relationship; split the configuration into one pair per relationship"),
            );
        }
    }
}

/// A primary-only statement (`mclt`, `split`, `hba`) the primary's block lacks and the
/// secondary's has, written there by mistake: the model takes it for the relationship (and
/// `dhcpfo import` reports the repair, DF496). `split` and `hba` are taken only when the
/// primary has neither.
fn from_secondary<'a>(
    primary: &PeerDecl<'_>,
    secondary: Option<&PeerDecl<'a>>,
    keyword: &str,
) -> Option<&'a PeerStmt> {
    let balance = ["split", "hba"];
    let missing = match keyword {
        "mclt" => primary.get("mclt").is_none(),
        "split" | "hba" => balance.iter().all(|k| primary.get(k).is_none()),
        _ => false,
    };
    let stmt = secondary.filter(|_| missing)?.get(keyword)?;
    // With both split and hba on the secondary, dhcpd would keep the later one; so does this.
    let later = balance
        .iter()
        .filter_map(|k| secondary?.get(k))
        .max_by_key(|s| s.span.start);
    match keyword {
        "split" | "hba" if later.is_some_and(|l| l.keyword != keyword) => None,
        _ => Some(stmt),
    }
}

fn subnets(model: &mut ModelOut, sn: Option<usize>) -> &mut Vec<SubnetOut> {
    match sn {
        Some(i) => &mut model.shared_networks[i].subnets,
        None => &mut model.subnets,
    }
}

fn base_at(config: &Config, span: Span) -> String {
    config.files.get(span.file).map_or_else(String::new, |f| {
        let name = Path::new(&f.source.name).file_name().map_or_else(
            || f.source.name.clone(),
            |n| n.to_string_lossy().into_owned(),
        );
        format!("{name}:{}", f.source.line_col(span.start).0)
    })
}

/// A peer's `address` and `port` from its block (`peer address`/`peer port` for the partner).
fn peer_out(decl: &PeerDecl<'_>, address: &str, port: &str, findings: &mut Vec<Lint>) -> PeerOut {
    let mut peer = PeerOut::default();
    if let Some(stmt) = decl.get(address)
        && let Some(v) = &stmt.value
    {
        match v.ipv4() {
            Some(ip) => peer.address = Some(ip.to_string()),
            None => {
                peer.address = Some(yaml::string(&v.text));
                findings.push(not_ipv4(stmt, address));
            }
        }
    }
    if let Some(stmt) = decl.get(port)
        && let Some(n) = stmt.value.as_ref().and_then(Value::number)
        && n != i64::from(crate::dhcpd::DEFAULT_FAILOVER_PORT)
    {
        peer.port = Some(n.to_string());
    }
    peer
}

fn not_ipv4(stmt: &PeerStmt, keyword: &str) -> Lint {
    DF495
        .lint_at(
            stmt.span,
            format!("`{keyword}` is a host name; the model needs an IPv4 address"),
        )
        .label("kept as written; `check` reports it")
        .help("replace it in the YAML with the address the name resolves to")
}

/// `A/N` from a network and a contiguous netmask.
fn cidr(network: &Value, netmask: &Value) -> Option<String> {
    let (net, mask) = (network.ipv4()?, u32::from(netmask.ipv4()?));
    (mask.leading_ones() + mask.trailing_zeros() == 32)
        .then(|| format!("{net}/{}", mask.leading_ones()))
}

/// An option's values as the model's YAML value, if they fit its type.
fn option_value(ty: OptionKind, values: &[Value]) -> Option<String> {
    let number = |min: i64, max: i64| match values {
        [v] => v
            .number()
            .filter(|n| (min..=max).contains(n))
            .map(|n| n.to_string()),
        _ => None,
    };
    match ty {
        OptionKind::Address => match values {
            [v] => v.ipv4().map(|ip| ip.to_string()),
            _ => None,
        },
        OptionKind::Addresses => {
            let ips: Option<Vec<String>> = values
                .iter()
                .map(|v| v.ipv4().map(|ip| ip.to_string()))
                .collect();
            ips.filter(|l| !l.is_empty()).map(|l| yaml::one_or_list(&l))
        }
        OptionKind::Text => match values {
            [v] if v.kind == ValueKind::String => Some(yaml::string(&v.text)),
            _ => None,
        },
        OptionKind::Texts => {
            let texts: Option<Vec<String>> = values
                .iter()
                .map(|v| (v.kind == ValueKind::String).then(|| yaml::string(&v.text)))
                .collect();
            texts
                .filter(|l| !l.is_empty())
                .map(|l| yaml::one_or_list(&l))
        }
        OptionKind::U8 => number(0, 255),
        OptionKind::U16 => number(0, 65_535),
        OptionKind::I32 => number(i64::from(i32::MIN), i64::from(i32::MAX)),
    }
}

/// An expression on one line: comments dropped, runs of whitespace made one space, quoted
/// strings unchanged.
fn collapse(text: &str) -> String {
    crate::conf::text::squeeze(text, |c| c, |out, _| !out.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_table_matches_the_model() {
        let schema: serde_json::Value =
            serde_json::from_str(&crate::model::schema::json()).expect("schema");
        let defs = schema["$defs"].as_object().expect("$defs");
        let options = defs["Options"]["properties"].as_object().expect("Options");
        let mut model: Vec<&str> = options.keys().map(String::as_str).collect();
        let mut ours: Vec<&str> = (crate::model::options::catalogue().iter())
            .map(|o| o.name.as_str())
            .collect();
        model.sort_unstable();
        ours.sort_unstable();
        assert_eq!(model, ours);
    }

    fn convert_text(text: &str) -> Converted {
        let config = Config::from_text(Path::new("p.conf"), text.to_string());
        let decls = crate::conf::facts::peer_decls(&config);
        let converted = convert(&config, decls.first(), None);
        drop(decls);
        converted
    }

    #[test]
    fn values_and_pools_the_model_cannot_hold() {
        let c = convert_text(
            "failover peer \"fo\" { primary; address dhcp1.example.net; peer address 10.0.0.3; mclt 60; split 128; }\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"fo\"; }\n  pool { range 10.0.0.5 10.0.0.6; range dynamic-bootp 10.0.0.7 10.0.0.8; }\n  max-lease-time infinite;\n}\nhost h { hardware token-ring 00:11:22:33:44:55; fixed-address h.example.net; }\n",
        );
        let codes: Vec<&str> = c.findings.iter().map(|l| l.finding.code).collect();
        assert_eq!(
            codes,
            ["DF495", "DF495", "DF495", "DF495", "DF495", "DF493"],
            "{:#?}",
            c.findings
        );
        assert_eq!(c.model.subnets[0].pools.len(), 1);
        assert_eq!(
            c.model.peers[0].address.as_deref(),
            Some("dhcp1.example.net")
        );
        let failover = &c.model.failover.as_ref().expect("failover").0;
        assert!(
            failover
                .iter()
                .any(|(k, v)| k == "load-balance-max-seconds" && v.starts_with("0  #"))
        );
    }

    #[test]
    fn shared_network_pools_and_other_relationships() {
        let c = convert_text(
            "failover peer \"a\" { primary; }\nfailover peer \"b\" { primary; }\nshared-network s {\n  failover peer \"b\";\n  subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.5 10.0.0.9; }\n  pool { range 10.0.1.5 10.0.1.9; }\n}\n",
        );
        let codes: Vec<&str> = c.findings.iter().map(|l| l.finding.code).collect();
        assert_eq!(codes, ["DF493", "DF493", "DF493"], "{:#?}", c.findings);
        let pool = &c.model.shared_networks[0].subnets[0].pools[0];
        assert!(pool.implicit && !pool.failover);
    }

    #[test]
    fn expressions_on_one_line() {
        assert_eq!(
            collapse(
                "((extract-int (suffix\n\t(pick-first-value (option x,\n hardware), 1), 8) % 2) = 0) # c"
            ),
            "((extract-int (suffix (pick-first-value (option x, hardware), 1), 8) % 2) = 0)"
        );
        assert_eq!(collapse("a = \"x  y\""), "a = \"x  y\"");
    }
}
