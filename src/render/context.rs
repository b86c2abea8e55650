//! The template context: the model flattened into what one peer's dhcpd.conf needs.

use minijinja::Value;
use serde::Serialize;

use crate::model::options::quote;
use crate::model::{
    DdnsUpdateStyle, Failover, LogFacility, Pair, Peer, Pool, Role, ScopeParams, Source, Subnet,
};

/// Everything a template may use, for one peer.
#[derive(Debug, Serialize)]
pub struct Context {
    /// Header facts, identical on both peers.
    pub header: Header,
    /// The failover peer block of this peer.
    pub failover: PeerBlock,
    /// Global parameters and options.
    pub global: Scope,
    /// Client classes.
    pub classes: Vec<ClassView>,
    /// Shared networks.
    pub shared_networks: Vec<SharedNetworkView>,
    /// Subnets outside shared networks.
    pub subnets: Vec<SubnetView>,
    /// Known clients.
    pub hosts: Vec<HostView>,
    /// `INTERFACESv4` of this peer.
    pub interfaces: String,
    /// Absolute path of the shared file (split layout).
    pub shared_path: String,
}

/// Header facts: where the file came from.
#[derive(Debug, Serialize)]
pub struct Header {
    /// The model file's name (without folders, so output does not depend on the working dir).
    pub source: String,
    /// SHA-256 of the model's YAML text.
    pub model_sha256: String,
    /// dhcpfo's version.
    pub version: &'static str,
}

/// `failover peer NAME { ... }` as seen from one peer.
#[derive(Debug, Serialize)]
pub struct PeerBlock {
    /// Relationship name, quoted.
    pub name: String,
    /// `primary` or `secondary`.
    pub role: &'static str,
    /// Statements in order, e.g. `("address", "10.0.0.2")`; primary-only ones included only on
    /// the primary.
    pub statements: Vec<Statement>,
}

/// A `keyword value;` statement.
#[derive(Debug, Serialize)]
pub struct Statement {
    /// Keyword(s).
    pub keyword: String,
    /// Value in dhcpd syntax; empty for flag statements such as `authoritative;`.
    pub value: String,
}

/// Parameters and options of a scope.
#[derive(Debug, Default, Serialize)]
pub struct Scope {
    /// Parameter statements.
    pub params: Vec<Statement>,
    /// `option NAME VALUE;` lines as (name, value).
    pub options: Vec<Statement>,
}

/// A class.
#[derive(Debug, Serialize)]
pub struct ClassView {
    /// Quoted name.
    pub name: String,
    /// The match expression, if any.
    pub match_if: Option<String>,
    /// Lease limit, if any.
    pub lease_limit: Option<u32>,
    /// Parameters and options.
    pub scope: Scope,
}

/// A shared network.
#[derive(Debug, Serialize)]
pub struct SharedNetworkView {
    /// Quoted name.
    pub name: String,
    /// Parameters and options.
    pub scope: Scope,
    /// Its subnets.
    pub subnets: Vec<SubnetView>,
}

/// A subnet.
#[derive(Debug, Serialize)]
pub struct SubnetView {
    /// Network address.
    pub network: String,
    /// Netmask.
    pub netmask: String,
    /// CIDR as written in the model, for comments.
    pub cidr: String,
    /// Parameters and options.
    pub scope: Scope,
    /// Pools.
    pub pools: Vec<PoolView>,
}

/// A pool.
#[derive(Debug, Serialize)]
pub struct PoolView {
    /// Whether it references the failover peer.
    pub failover: bool,
    /// `range` values: "FIRST LAST".
    pub ranges: Vec<String>,
    /// `allow` permits in dhcpd syntax.
    pub allow: Vec<String>,
    /// `deny` permits in dhcpd syntax.
    pub deny: Vec<String>,
    /// Parameters and options.
    pub scope: Scope,
}

/// A host.
#[derive(Debug, Serialize)]
pub struct HostView {
    /// Declaration name.
    pub name: String,
    /// `hardware ethernet` value.
    pub hardware_ethernet: Option<String>,
    /// `fixed-address` value.
    pub fixed_address: Option<String>,
    /// Parameters and options.
    pub scope: Scope,
}

fn stmt(keyword: &str, value: impl ToString) -> Statement {
    Statement {
        keyword: keyword.to_string(),
        value: value.to_string(),
    }
}

impl Context {
    /// The context of one peer.
    pub fn new(source: &Source, role: Role, shared_path: &str) -> Self {
        let pair = &source.pair;
        Context {
            header: header(source),
            failover: peer_block(pair, role),
            global: global_scope(pair),
            classes: classes(pair),
            shared_networks: shared_networks(pair),
            subnets: pair.subnets.iter().map(|s| subnet(s.value())).collect(),
            hosts: hosts(pair),
            interfaces: interfaces(pair.peers.get(role)),
            shared_path: shared_path.to_string(),
        }
    }
}

/// The parts of the context that are the same for both peers (all but the failover peer
/// block, the interfaces and the shared path), built and converted to template values once.
///
/// [`SharedValues::peer`] gives the template value that converting [`Context::new`] gives;
/// building and converting the views of a large model's subnets and hosts is much of the
/// rendering time, so [`super::render`] does it once for both peers and all their files.
pub(super) struct SharedValues {
    header: Header,
    global: Value,
    classes: Value,
    shared_networks: Value,
    subnets: Value,
    hosts: Value,
}

/// A peer's context with the shared parts by reference: field for field a [`Context`].
#[derive(Serialize)]
struct PeerContext<'a> {
    header: &'a Header,
    failover: PeerBlock,
    global: &'a Value,
    classes: &'a Value,
    shared_networks: &'a Value,
    subnets: &'a Value,
    hosts: &'a Value,
    interfaces: String,
    shared_path: &'a str,
}

impl SharedValues {
    /// The peer-independent parts of a model's context.
    pub(super) fn new(source: &Source) -> Self {
        let pair = &source.pair;
        let subnets: Vec<SubnetView> = pair.subnets.iter().map(|s| subnet(s.value())).collect();
        SharedValues {
            header: header(source),
            global: value(&global_scope(pair)),
            classes: value(&classes(pair)),
            shared_networks: value(&shared_networks(pair)),
            subnets: value(&subnets),
            hosts: value(&hosts(pair)),
        }
    }

    /// The template context of one peer.
    pub(super) fn peer(&self, pair: &Pair, role: Role, shared_path: &str) -> Value {
        // A `Value` serialized into a `Value` is passed through, not copied.
        value(&PeerContext {
            header: &self.header,
            failover: peer_block(pair, role),
            global: &self.global,
            classes: &self.classes,
            shared_networks: &self.shared_networks,
            subnets: &self.subnets,
            hosts: &self.hosts,
            interfaces: interfaces(pair.peers.get(role)),
            shared_path,
        })
    }
}

/// A view converted to a template value.
pub(super) fn value<T: Serialize>(view: &T) -> Value {
    Value::from(minijinja::value::Serde(view))
}

fn header(source: &Source) -> Header {
    let source_name = std::path::Path::new(&source.file.name)
        .file_name()
        .map_or_else(
            || source.file.name.clone(),
            |n| n.to_string_lossy().into_owned(),
        );
    Header {
        source: source_name,
        model_sha256: super::model_hash(source),
        version: env!("CARGO_PKG_VERSION"),
    }
}

fn classes(pair: &Pair) -> Vec<ClassView> {
    pair.classes
        .iter()
        .map(|c| ClassView {
            name: quote(c.name.value()),
            match_if: c.match_if.as_ref().map(|m| m.value().trim().to_string()),
            lease_limit: c.lease_limit.as_ref().map(|l| **l),
            scope: scope(c.value()),
        })
        .collect()
}

fn shared_networks(pair: &Pair) -> Vec<SharedNetworkView> {
    pair.shared_networks
        .iter()
        .map(|sn| SharedNetworkView {
            name: quote(sn.name.value()),
            scope: scope(sn.value()),
            subnets: sn.subnets.iter().map(|s| subnet(s.value())).collect(),
        })
        .collect()
}

fn hosts(pair: &Pair) -> Vec<HostView> {
    pair.hosts
        .iter()
        .map(|h| HostView {
            name: h.name.value().clone(),
            hardware_ethernet: h.hardware_ethernet.as_ref().map(|m| m.value().to_string()),
            fixed_address: h.fixed_address.as_ref().map(|ips| {
                ips.as_slice()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            scope: scope(h.value()),
        })
        .collect()
}

fn interfaces(peer: &Peer) -> String {
    peer.interfaces
        .iter()
        .map(|i| i.value().as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The peer block: own address/port first, then the partner's, then timing; mclt and the
/// load-balance split only on the primary.
fn peer_block(pair: &Pair, role: Role) -> PeerBlock {
    let fo: &Failover = pair.failover.value();
    let me = pair.peers.get(role);
    let partner = pair.peers.get(role.partner());
    let mut s = vec![
        stmt(role.as_str(), ""),
        stmt("address", me.address.value()),
        stmt("port", me.port()),
        stmt("peer address", partner.address.value()),
        stmt("peer port", partner.port()),
        stmt("max-response-delay", fo.max_response_delay()),
        stmt("max-unacked-updates", fo.max_unacked_updates()),
        stmt("load balance max seconds", fo.load_balance_max_seconds()),
    ];
    if role == Role::Primary {
        if let Some(mclt) = &fo.mclt {
            s.push(stmt("mclt", mclt.secs()));
        }
        if let Some(split) = &fo.split {
            s.push(stmt("split", **split));
        }
        if let Some(hba) = &fo.hba {
            s.push(stmt("hba", hba.value()));
        }
    }
    let optional = [
        (
            "auto-partner-down",
            fo.auto_partner_down.as_ref().map(|d| d.secs()),
        ),
        (
            "max-lease-misbalance",
            fo.max_lease_misbalance.as_ref().map(|v| **v),
        ),
        (
            "max-lease-ownership",
            fo.max_lease_ownership.as_ref().map(|v| **v),
        ),
        ("min-balance", fo.min_balance.as_ref().map(|d| d.secs())),
        ("max-balance", fo.max_balance.as_ref().map(|d| d.secs())),
    ];
    s.extend(
        optional
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| stmt(k, v))),
    );
    PeerBlock {
        name: quote(fo.name.value()),
        role: role.as_str(),
        statements: s,
    }
}

fn global_scope(pair: &Pair) -> Scope {
    let global = pair.global();
    let mut params = Vec::new();
    if global.authoritative.as_ref().is_some_and(|a| **a) {
        params.push(stmt("authoritative", ""));
    }
    let style = global
        .ddns_update_style
        .as_ref()
        .map_or(DdnsUpdateStyle::None, |s| **s);
    params.push(stmt("ddns-update-style", enum_word(&style)));
    if let Some(facility) = &global.log_facility {
        params.push(stmt(
            "log-facility",
            enum_word::<LogFacility>(facility.value()),
        ));
    }
    if let Some(port) = &global.omapi_port {
        params.push(stmt("omapi-port", **port));
    }
    for (keyword, flag) in [
        ("ping-check", &global.ping_check),
        ("one-lease-per-client", &global.one_lease_per_client),
        ("use-host-decl-names", &global.use_host_decl_names),
    ] {
        if let Some(flag) = flag {
            params.push(stmt(keyword, if **flag { "on" } else { "off" }));
        }
    }
    let mut rest = scope(&*global);
    params.append(&mut rest.params);
    Scope {
        params,
        options: rest.options,
    }
}

/// The kebab-case word serde uses for an enum value (the same word dhcpd uses).
fn enum_word<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn scope(params: &dyn ScopeParams) -> Scope {
    let mut out = Scope::default();
    for (keyword, value) in [
        ("default-lease-time", params.default_lease_time()),
        ("max-lease-time", params.max_lease_time()),
        ("min-lease-time", params.min_lease_time()),
    ] {
        if let Some(v) = value {
            out.params.push(stmt(keyword, v.secs()));
        }
    }
    if let Some(ns) = params.next_server() {
        out.params.push(stmt("next-server", ns.value()));
    }
    if let Some(f) = params.filename() {
        out.params.push(stmt("filename", quote(f.value())));
    }
    if let Some(options) = params.options() {
        out.options = options
            .entries()
            .into_iter()
            .map(|(name, value, _)| stmt(&name, value.to_conf()))
            .collect();
    }
    out
}

fn subnet(s: &Subnet) -> SubnetView {
    let net = s.network.value();
    SubnetView {
        network: net.network().to_string(),
        netmask: net.netmask().to_string(),
        cidr: net.to_string(),
        scope: scope(s),
        pools: s.pools.iter().map(|p| pool(p.value())).collect(),
    }
}

fn pool(p: &Pool) -> PoolView {
    PoolView {
        failover: p.uses_failover(),
        ranges: p
            .range
            .ranges()
            .iter()
            .map(|r| {
                let flag = if p.dynamic_bootp() {
                    "dynamic-bootp "
                } else {
                    ""
                };
                if r.start == r.end {
                    format!("{flag}{}", r.start)
                } else {
                    format!("{flag}{} {}", r.start, r.end)
                }
            })
            .collect(),
        allow: p.allow.iter().map(|a| a.to_conf()).collect(),
        deny: p.deny.iter().map(|d| d.to_conf()).collect(),
        scope: scope(p),
    }
}
