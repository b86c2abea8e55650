//! The server's view of a pair model: subnets grouped by link, pools with their permit
//! lists, hosts by MAC, and options and lease times merged per scope the way dhcpd does
//! (global < shared network < subnet < pool < host).

use std::collections::HashMap;
use std::net::Ipv4Addr;

use crate::model::options::OptionKind;
use crate::model::{self, Cidr, OptionValue, Pair, Permit, Role, ScopeParams};

/// The role this server plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeRole {
    /// One server alone: every pool address is its own, no MCLT.
    Standalone,
    /// One peer of a failover pair.
    Peer(Role),
}

/// Lease times and boot parameters of one scope after merging.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    /// `default-lease-time` (seconds).
    pub default_lease: Option<u32>,
    /// `max-lease-time`.
    pub max_lease: Option<u32>,
    /// `min-lease-time`.
    pub min_lease: Option<u32>,
    /// `next-server`.
    pub next_server: Option<Ipv4Addr>,
    /// `filename`.
    pub filename: Option<String>,
    /// DHCP options as (code, encoded value), sorted by code, one per code.
    pub options: Vec<(u8, Vec<u8>)>,
}

impl Params {
    /// Overlays a narrower scope on this one.
    fn overlay(&self, scope: &dyn ScopeParams) -> Params {
        let mut out = self.clone();
        if let Some(d) = scope.default_lease_time() {
            out.default_lease = Some(d.secs());
        }
        if let Some(d) = scope.max_lease_time() {
            out.max_lease = Some(d.secs());
        }
        if let Some(d) = scope.min_lease_time() {
            out.min_lease = Some(d.secs());
        }
        if let Some(n) = scope.next_server() {
            out.next_server = Some(**n);
        }
        if let Some(f) = scope.filename() {
            out.filename = Some(f.value().clone());
        }
        if let Some(opts) = scope.options() {
            for (name, value, _) in opts.entries() {
                if let Some((code, bytes)) = encode_option(&name, &value) {
                    out.set_option(code, bytes);
                }
            }
        }
        out
    }

    /// Sets one option, replacing a value of the same code.
    pub fn set_option(&mut self, code: u8, bytes: Vec<u8>) {
        match self.options.binary_search_by_key(&code, |(c, _)| *c) {
            Ok(i) => self.options[i].1 = bytes,
            Err(i) => self.options.insert(i, (code, bytes)),
        }
    }

    /// The value of an option, if set.
    pub fn option(&self, code: u8) -> Option<&[u8]> {
        self.options
            .binary_search_by_key(&code, |(c, _)| *c)
            .ok()
            .map(|i| self.options[i].1.as_slice())
    }

    /// The lease time to grant when the client asks for `requested` seconds (dhcpd's rule:
    /// the default when none is asked, clamped to min/max).
    pub fn lease_time(&self, requested: Option<u32>) -> u32 {
        let default = self
            .default_lease
            .unwrap_or(crate::dhcpd::DEFAULT_LEASE_TIME);
        let max = self
            .max_lease
            .unwrap_or(crate::dhcpd::DEFAULT_MAX_LEASE_TIME.max(default));
        let mut t = requested.map_or(default, |r| r.min(max));
        if let Some(min) = self.min_lease {
            t = t.max(min);
        }
        t.max(1)
    }
}

/// A subnet with its merged parameters.
#[derive(Debug, Clone)]
pub struct SubnetCfg {
    /// The network.
    pub cidr: Cidr,
    /// Index of the link (shared network, or the subnet alone) it belongs to.
    pub link: usize,
    /// Parameters down to the subnet scope (subnet mask included).
    pub params: Params,
}

/// One pool.
#[derive(Debug, Clone)]
pub struct PoolCfg {
    /// Index of its subnet.
    pub subnet: usize,
    /// Inclusive ranges as integers.
    pub ranges: Vec<(u32, u32)>,
    /// Allow list (empty: everyone not denied).
    pub allow: Vec<Permit>,
    /// Deny list.
    pub deny: Vec<Permit>,
    /// Whether the pool is shared by failover (free/backup split and MCLT apply).
    pub failover: bool,
    /// Parameters down to the pool scope.
    pub params: Params,
}

impl PoolCfg {
    /// Whether a client may take an address from this pool.
    pub fn permits(&self, known: bool) -> bool {
        let matches = |p: &Permit| match p {
            Permit::KnownClients => known,
            Permit::UnknownClients => !known,
            Permit::AllClients => true,
            // BOOTP is not served, and class expressions are not evaluated: no member.
            Permit::DynamicBootpClients | Permit::MembersOf(_) => false,
        };
        if self.deny.iter().any(matches) {
            return false;
        }
        self.allow.is_empty() || self.allow.iter().any(matches)
    }
}

/// A host declaration.
#[derive(Debug, Clone)]
pub struct HostCfg {
    /// Declaration name.
    pub name: String,
    /// Fixed addresses (may be empty: the host is only "known").
    pub fixed: Vec<Ipv4Addr>,
    /// Host-scope parameters only (applied over the subnet's).
    pub params: Params,
}

/// A link: the subnets that share one wire (a shared network, or one subnet).
#[derive(Debug, Clone)]
pub struct LinkCfg {
    /// Shared-network name, or the subnet in CIDR form.
    pub name: String,
    /// Its subnets (indices).
    pub subnets: Vec<usize>,
}

/// Everything the engine needs from the model.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Standalone or a failover role.
    pub role: ServeRole,
    /// The identity of this server when it is a failover peer (its peer address).
    pub peer_address: Option<Ipv4Addr>,
    /// NAK requests for addresses on a wrong network (`authoritative`).
    pub authoritative: bool,
    /// Send a host's declaration name as option 12.
    pub use_host_decl_names: bool,
    /// Maximum client lead time (failover pools of a peer).
    pub mclt: u32,
    /// Links.
    pub links: Vec<LinkCfg>,
    /// Subnets.
    pub subnets: Vec<SubnetCfg>,
    /// Pools.
    pub pools: Vec<PoolCfg>,
    /// Hosts.
    pub hosts: Vec<HostCfg>,
    /// Host index by hardware address.
    pub hosts_by_mac: HashMap<[u8; 6], usize>,
}

impl ServeConfig {
    /// Builds the server view of a (checked) model.
    pub fn build(pair: &Pair, role: ServeRole) -> ServeConfig {
        let global = pair.global();
        let mut base = Params::default().overlay(&*global);
        base.options.retain(|(c, _)| *c != 1);
        let mut cfg = ServeConfig {
            role,
            peer_address: match role {
                ServeRole::Standalone => None,
                ServeRole::Peer(r) => Some(*pair.peers.get(r).address.value()),
            },
            authoritative: global.authoritative.as_ref().is_some_and(|a| **a),
            use_host_decl_names: global.use_host_decl_names.as_ref().is_some_and(|a| **a),
            mclt: pair.failover.mclt(),
            links: Vec::new(),
            subnets: Vec::new(),
            pools: Vec::new(),
            hosts: Vec::new(),
            hosts_by_mac: HashMap::new(),
        };
        for subnet in &pair.subnets {
            let link = cfg.links.len();
            cfg.links.push(LinkCfg {
                name: subnet.network.to_string(),
                subnets: Vec::new(),
            });
            cfg.add_subnet(link, &base, subnet);
        }
        for shared in &pair.shared_networks {
            let link = cfg.links.len();
            cfg.links.push(LinkCfg {
                name: shared.name.value().clone(),
                subnets: Vec::new(),
            });
            let params = base.overlay(shared.value());
            for subnet in &shared.subnets {
                cfg.add_subnet(link, &params, subnet);
            }
        }
        for host in &pair.hosts {
            let index = cfg.hosts.len();
            cfg.hosts.push(HostCfg {
                name: host.name.value().clone(),
                fixed: host
                    .fixed_address
                    .as_ref()
                    .map(|f| f.as_slice().to_vec())
                    .unwrap_or_default(),
                params: Params::default().overlay(host.value()),
            });
            if let Some(mac) = &host.hardware_ethernet {
                cfg.hosts_by_mac.entry(mac.0).or_insert(index);
            }
        }
        cfg
    }

    fn add_subnet(&mut self, link: usize, outer: &Params, subnet: &model::Subnet) {
        let index = self.subnets.len();
        let mut params = outer.overlay(subnet);
        if params.option(1).is_none() {
            params.set_option(1, subnet.network.netmask().octets().to_vec());
        }
        for pool in &subnet.pools {
            self.pools.push(PoolCfg {
                subnet: index,
                ranges: pool
                    .range
                    .ranges()
                    .iter()
                    .filter(|r| !r.is_empty())
                    .map(|r| r.bounds())
                    .collect(),
                allow: pool.allow.iter().map(|p| p.value().clone()).collect(),
                deny: pool.deny.iter().map(|p| p.value().clone()).collect(),
                failover: pool.uses_failover(),
                params: params.overlay(pool.value()),
            });
        }
        self.links[link].subnets.push(index);
        self.subnets.push(SubnetCfg {
            cidr: *subnet.network,
            link,
            params,
        });
    }

    /// The subnet that contains `ip`, if any.
    pub fn subnet_of(&self, ip: Ipv4Addr) -> Option<usize> {
        // Longest prefix first, so a narrower subnet wins over a covering one.
        self.subnets
            .iter()
            .enumerate()
            .filter(|(_, s)| s.cidr.contains(ip))
            .max_by_key(|(_, s)| s.cidr.prefix)
            .map(|(i, _)| i)
    }

    /// Whether failover limits apply to a pool: a peer role and a failover pool.
    pub fn is_failover_pool(&self, pool: usize) -> bool {
        matches!(self.role, ServeRole::Peer(_)) && self.pools.get(pool).is_some_and(|p| p.failover)
    }
}

/// Encodes a model option into its DHCP code and wire value.
pub fn encode_option(name: &str, value: &OptionValue) -> Option<(u8, Vec<u8>)> {
    let spec = crate::model::options::spec(name)?;
    let code = spec.code;
    let bytes = match value {
        OptionValue::Addresses(ips) => ips.iter().flat_map(|ip| ip.octets()).collect(),
        OptionValue::Text(text) => text.as_bytes().to_vec(),
        OptionValue::Domains(names) if code == 119 => encode_domain_list(names),
        OptionValue::Domains(names) => names.join(" ").into_bytes(),
        OptionValue::Literal(text) => match spec.kind {
            OptionKind::I32 => text.parse::<i32>().ok()?.to_be_bytes().to_vec(),
            OptionKind::U16 => text.parse::<u16>().ok()?.to_be_bytes().to_vec(),
            OptionKind::U8 => vec![text.parse::<u8>().ok()?],
            _ => text.as_bytes().to_vec(),
        },
    };
    if bytes.is_empty() || bytes.len() > 255 {
        return None;
    }
    Some((code, bytes))
}

/// RFC 1035 names, uncompressed (RFC 3397 allows that).
fn encode_domain_list(names: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for name in names {
        for label in name.trim_end_matches('.').split('.') {
            let label = &label.as_bytes()[..label.len().min(63)];
            if label.is_empty() {
                continue;
            }
            out.push(label.len() as u8);
            out.extend_from_slice(label);
        }
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"
failover: { name: f, mclt: 30m }
peers:
  primary: { address: 10.0.0.2, interfaces: [eth0] }
  secondary: { address: 10.0.0.3, interfaces: [eth0] }
global:
  authoritative: true
  default-lease-time: 1h
  max-lease-time: 2h
  options: { domain-name: example.org, domain-name-servers: [10.0.0.53] }
subnets:
  - network: 10.0.0.0/24
    options: { routers: 10.0.0.1 }
    pools:
      - range: [10.0.0.100, 10.0.0.199]
        allow: [known-clients]
      - range: [10.0.0.200, 10.0.0.250]
        deny: [known-clients]
        max-lease-time: 10m
        options: { domain-name-servers: [10.0.0.54] }
hosts:
  - name: pc
    hardware-ethernet: 52:54:00:00:00:01
    fixed-address: 10.0.0.20
"#;

    fn cfg(role: ServeRole) -> ServeConfig {
        let src = model::load_str("t.yaml", YAML.into()).expect("valid");
        ServeConfig::build(&src.pair, role)
    }

    #[test]
    fn options_merge_from_global_to_pool() {
        let c = cfg(ServeRole::Standalone);
        assert_eq!(c.pools.len(), 2);
        let known = &c.pools[0].params;
        assert_eq!(known.option(3), Some(&[10, 0, 0, 1][..]));
        assert_eq!(known.option(6), Some(&[10, 0, 0, 53][..]));
        assert_eq!(known.option(15), Some(&b"example.org"[..]));
        assert_eq!(known.option(1), Some(&[255, 255, 255, 0][..]));
        let unknown = &c.pools[1].params;
        assert_eq!(unknown.option(6), Some(&[10, 0, 0, 54][..]));
        assert_eq!(unknown.lease_time(Some(100_000)), 600);
        assert_eq!(known.lease_time(None), 3600);
        assert_eq!(known.lease_time(Some(100_000)), 7200);
        assert!(c.authoritative);
        assert_eq!(c.mclt, 1800);
    }

    #[test]
    fn permits_follow_allow_and_deny() {
        let c = cfg(ServeRole::Standalone);
        assert!(c.pools[0].permits(true) && !c.pools[0].permits(false));
        assert!(!c.pools[1].permits(true) && c.pools[1].permits(false));
        assert_eq!(c.hosts_by_mac.get(&[0x52, 0x54, 0, 0, 0, 1]), Some(&0));
        assert_eq!(c.hosts[0].fixed, vec![Ipv4Addr::new(10, 0, 0, 20)]);
    }

    #[test]
    fn peer_role_takes_its_address_and_failover_pools() {
        let c = cfg(ServeRole::Peer(Role::Secondary));
        assert_eq!(c.peer_address, Some(Ipv4Addr::new(10, 0, 0, 3)));
        assert!(c.is_failover_pool(0));
        assert!(!cfg(ServeRole::Standalone).is_failover_pool(0));
    }

    #[test]
    fn domain_search_is_rfc1035() {
        let v = OptionValue::Domains(vec!["a.org".into(), "b".into()]);
        let (code, bytes) = encode_option("domain-search", &v).expect("encodes");
        assert_eq!(code, 119);
        assert_eq!(bytes, b"\x01a\x03org\x00\x01b\x00");
    }
}
