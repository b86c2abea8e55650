//! The pair model: one YAML file that describes a DHCPv4 failover pair.
//!
//! Keys are kebab-case and mirror the dhcpd.conf keywords they render to. Every value that a
//! diagnostic may point at is [`Spanned`], so `check` reports the exact YAML line.

pub mod check;
mod keys;
mod load;
pub(crate) mod options;
mod pool;
pub(crate) mod remote;
pub mod schema;
pub(crate) mod types;
mod yaml_hints;

use std::net::Ipv4Addr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use load::{LoadError, Source, load_file, load_str, suggest};
pub use options::{OptionValue, Options};
pub use pool::{AddressRange, Permit, Pool, Ranges};
pub use types::{Cidr, Duration, HexString, MacAddr, OneOrMany, Spanned};

/// `load balance max seconds` when the model has none: dhcpfo renders 3, the value
/// dhcpd.conf(5) recommends (dhcpd's own default, 0, turns load balancing off).
pub const DEFAULT_LOAD_BALANCE_MAX_SECONDS: u32 = 3;
/// MCLT when a model has none (`check` refuses that; the serve layer still needs a value).
pub const DEFAULT_MCLT: u32 = 3600;

/// A DHCPv4 failover pair: the relationship, the two peers, and what they serve.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[schemars(title = "dhcpfo failover pair")]
pub struct Pair {
    /// The failover relationship (`failover peer NAME { ... }`).
    pub failover: Spanned<Failover>,
    /// The two servers of the pair.
    pub peers: Spanned<Peers>,
    /// Global parameters and options.
    #[serde(default)]
    pub global: Option<Spanned<Global>>,
    /// Subnets outside any shared network.
    #[serde(default)]
    pub subnets: Vec<Spanned<Subnet>>,
    /// Shared networks: several subnets on one physical link.
    #[serde(default)]
    pub shared_networks: Vec<Spanned<SharedNetwork>>,
    /// Known clients (`host NAME { ... }`).
    #[serde(default)]
    pub hosts: Vec<Spanned<Host>>,
    /// Client classes, usable in pool permit lists (`members-of`).
    #[serde(default)]
    pub classes: Vec<Spanned<Class>>,
    /// How `dhcpfo deploy` updates the pair (restart order, backups).
    #[serde(default)]
    pub deploy: Option<Spanned<remote::Deploy>>,
}

/// Failover relationship settings. `mclt`, `split` and `hba` are rendered on the primary only.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Failover {
    /// Name of the relationship, shared by both peers and every pool.
    pub name: Spanned<String>,
    /// Maximum client lead time (seconds or a duration such as `1h`); primary only.
    #[serde(default)]
    pub mclt: Option<Spanned<Duration>>,
    /// Load-balance split, 0..256 (128 = half each, 256 = the primary serves all); primary only.
    #[serde(default)]
    #[schemars(range(max = 256))]
    pub split: Option<Spanned<u32>>,
    /// Load-balance bitmap of exactly 32 colon-separated octets, instead of `split`; primary only.
    #[serde(default)]
    pub hba: Option<Spanned<HexString>>,
    /// Seconds without a message from the partner before it is considered down (dhcpd default 20).
    #[serde(default)]
    pub max_response_delay: Option<Spanned<Duration>>,
    /// Binding updates sent before waiting for an acknowledgement (dhcpd default 100).
    #[serde(default)]
    pub max_unacked_updates: Option<Spanned<u32>>,
    /// Clients retrying longer than this are answered by either peer; 3 to 5 is recommended,
    /// 0 turns load balancing off.
    #[serde(default)]
    pub load_balance_max_seconds: Option<Spanned<u32>>,
    /// Seconds in communications-interrupted before moving to partner-down on its own (0 = never).
    #[serde(default)]
    pub auto_partner_down: Option<Spanned<Duration>>,
    /// Percent of lease imbalance tolerated before rebalancing (dhcpd default 15).
    #[serde(default)]
    pub max_lease_misbalance: Option<Spanned<u32>>,
    /// Percent of free leases that may change owner in one rebalance (dhcpd default 10).
    #[serde(default)]
    pub max_lease_ownership: Option<Spanned<u32>>,
    /// Minimum seconds between pool rebalancing runs (dhcpd default 60).
    #[serde(default)]
    pub min_balance: Option<Spanned<Duration>>,
    /// Maximum seconds between pool rebalancing runs (dhcpd default 3600).
    #[serde(default)]
    pub max_balance: Option<Spanned<Duration>>,
}

impl Failover {
    /// `max-response-delay` as rendered: the model's value or dhcpd's default.
    pub fn max_response_delay(&self) -> u32 {
        self.max_response_delay
            .as_ref()
            .map_or(crate::dhcpd::DEFAULT_MAX_RESPONSE_DELAY, |d| d.secs())
    }

    /// `max-unacked-updates` as rendered: the model's value or dhcpd's default.
    pub fn max_unacked_updates(&self) -> u32 {
        self.max_unacked_updates
            .as_ref()
            .map_or(crate::dhcpd::DEFAULT_MAX_UNACKED_UPDATES, |n| **n)
    }

    /// `load balance max seconds` as rendered: the model's value or 3.
    pub fn load_balance_max_seconds(&self) -> u32 {
        self.load_balance_max_seconds
            .as_ref()
            .map_or(DEFAULT_LOAD_BALANCE_MAX_SECONDS, |n| **n)
    }

    /// `mclt` in seconds: the model's value or [`DEFAULT_MCLT`].
    pub fn mclt(&self) -> u32 {
        self.mclt.as_ref().map_or(DEFAULT_MCLT, |d| d.secs())
    }
}

/// The two servers of a pair.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Peers {
    /// The primary server.
    pub primary: Spanned<Peer>,
    /// The secondary server.
    pub secondary: Spanned<Peer>,
}

/// The role of a server in the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The primary: carries mclt and the load-balance split.
    Primary,
    /// The secondary.
    Secondary,
}

impl Role {
    /// Both roles, primary first.
    pub const BOTH: [Role; 2] = [Role::Primary, Role::Secondary];

    /// The dhcpd keyword and folder name: `primary` or `secondary`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Secondary => "secondary",
        }
    }

    /// The other role.
    pub fn partner(self) -> Role {
        match self {
            Role::Primary => Role::Secondary,
            Role::Secondary => Role::Primary,
        }
    }
}

impl Peers {
    /// The peer with the given role.
    pub fn get(&self, role: Role) -> &Peer {
        match role {
            Role::Primary => &self.primary,
            Role::Secondary => &self.secondary,
        }
    }
}

/// One server of the pair.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Peer {
    /// The address this server listens on for failover and is reached at by its partner.
    pub address: Spanned<Ipv4Addr>,
    /// TCP port this server listens on for failover (default 647).
    #[serde(default)]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<Spanned<u32>>,
    /// The partner's port as this server should dial it; optional, and if given it must equal
    /// the partner's `port` (dhcpfo derives it otherwise).
    #[serde(default)]
    #[schemars(range(min = 1, max = 65535))]
    pub peer_port: Option<Spanned<u32>>,
    /// Interfaces dhcpd serves on this server (`INTERFACESv4`).
    #[serde(default)]
    pub interfaces: Vec<Spanned<String>>,
    /// Host name of the server, for humans and the default SSH host.
    #[serde(default)]
    pub hostname: Option<Spanned<String>>,
    /// How `diff`, `deploy` and `status` reach this server over SSH, and its remote paths.
    #[serde(default)]
    pub ssh: Option<Spanned<remote::Ssh>>,
}

impl Peer {
    /// The failover port this peer listens on.
    pub fn port(&self) -> u32 {
        self.port
            .as_ref()
            .map_or(u32::from(crate::dhcpd::DEFAULT_FAILOVER_PORT), |p| **p)
    }
}

/// Generates a struct with the parameters every dhcpd scope accepts, plus its own fields.
macro_rules! scope {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Lease time when the client asks for none (`default-lease-time`).
            #[serde(default)]
            pub default_lease_time: Option<Spanned<Duration>>,
            /// Longest lease granted (`max-lease-time`).
            #[serde(default)]
            pub max_lease_time: Option<Spanned<Duration>>,
            /// Shortest lease granted (`min-lease-time`).
            #[serde(default)]
            pub min_lease_time: Option<Spanned<Duration>>,
            /// Boot server address (`next-server`).
            #[serde(default)]
            pub next_server: Option<Spanned<Ipv4Addr>>,
            /// Boot file name (`filename`).
            #[serde(default)]
            pub filename: Option<Spanned<String>>,
            /// DHCP options sent to clients in this scope.
            // Boxed: `Options` is over 1 KB and most scopes (hosts above all) have none, so
            // inline it would triple the size of a large model and the bytes moved to load it.
            #[serde(default)]
            pub options: Option<Box<Spanned<Options>>>,
        }

        impl ScopeParams for $name {
            fn default_lease_time(&self) -> Option<&Spanned<Duration>> { self.default_lease_time.as_ref() }
            fn max_lease_time(&self) -> Option<&Spanned<Duration>> { self.max_lease_time.as_ref() }
            fn min_lease_time(&self) -> Option<&Spanned<Duration>> { self.min_lease_time.as_ref() }
            fn next_server(&self) -> Option<&Spanned<Ipv4Addr>> { self.next_server.as_ref() }
            fn filename(&self) -> Option<&Spanned<String>> { self.filename.as_ref() }
            fn options(&self) -> Option<&Spanned<Options>> { self.options.as_deref() }
        }
    };
}
pub(crate) use scope;

/// The parameters shared by every scope (global, shared network, subnet, pool, host, class).
pub trait ScopeParams {
    /// `default-lease-time`.
    fn default_lease_time(&self) -> Option<&Spanned<Duration>>;
    /// `max-lease-time`.
    fn max_lease_time(&self) -> Option<&Spanned<Duration>>;
    /// `min-lease-time`.
    fn min_lease_time(&self) -> Option<&Spanned<Duration>>;
    /// `next-server`.
    fn next_server(&self) -> Option<&Spanned<Ipv4Addr>>;
    /// `filename`.
    fn filename(&self) -> Option<&Spanned<String>>;
    /// `option ...` statements.
    fn options(&self) -> Option<&Spanned<Options>>;
}

/// `ddns-update-style` values that dhcpd 4.4 accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DdnsUpdateStyle {
    /// No dynamic DNS updates.
    None,
    /// The pre-standard interim scheme.
    Interim,
    /// RFC 4703 updates.
    Standard,
}

// syslog(3) also names `mark`, `ntp` and `security`, but dhcpd 4.4 refuses them ("unknown value").
/// `log-facility` values that dhcpd accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum LogFacility {
    Auth,
    Authpriv,
    Cron,
    Daemon,
    Ftp,
    Kern,
    Lpr,
    Mail,
    News,
    Syslog,
    User,
    Uucp,
    Local0,
    Local1,
    Local2,
    Local3,
    Local4,
    Local5,
    Local6,
    Local7,
}

scope! {
    /// Global parameters of both servers.
    #[derive(Default)]
    pub struct Global {
        /// Send DHCPNAK to clients on a wrong network (`authoritative;`).
        #[serde(default)]
        pub authoritative: Option<Spanned<bool>>,
        /// Dynamic DNS update style; `none` when absent.
        #[serde(default)]
        pub ddns_update_style: Option<Spanned<DdnsUpdateStyle>>,
        /// Syslog facility for dhcpd's log lines.
        #[serde(default)]
        pub log_facility: Option<Spanned<LogFacility>>,
        /// TCP port of dhcpd's OMAPI listener (`omapi-port`), which `omshell` talks to for
        /// admin actions such as declaring partner-down; no listener when absent.
        #[serde(default)]
        #[schemars(range(min = 1, max = 65535))]
        pub omapi_port: Option<Spanned<u32>>,
        /// Ping an address before offering it (dhcpd default on).
        #[serde(default)]
        pub ping_check: Option<Spanned<bool>>,
        /// Give each client at most one lease.
        #[serde(default)]
        pub one_lease_per_client: Option<Spanned<bool>>,
        /// Send a host's declaration name as its host name.
        #[serde(default)]
        pub use_host_decl_names: Option<Spanned<bool>>,
    }
}

scope! {
    /// A subnet. Without pools it is declared only, as dhcpd requires for each network a
    /// server is attached to.
    pub struct Subnet {
        /// The network in CIDR notation.
        pub network: Spanned<Cidr>,
        /// Address pools served in this subnet.
        #[serde(default)]
        pub pools: Vec<Spanned<Pool>>,
    }
}

scope! {
    /// Several subnets on one link (`shared-network NAME { ... }`).
    pub struct SharedNetwork {
        /// Name of the shared network.
        pub name: Spanned<String>,
        /// Its subnets.
        pub subnets: Vec<Spanned<Subnet>>,
    }
}

scope! {
    /// A known client (`host NAME { ... }`).
    pub struct Host {
        /// Declaration name: letters, digits, `-`, `_` and dots.
        pub name: Spanned<String>,
        /// Ethernet address the host is matched by.
        #[serde(default)]
        pub hardware_ethernet: Option<Spanned<MacAddr>>,
        /// Reserved address(es), outside every dynamic range.
        #[serde(default)]
        pub fixed_address: Option<Spanned<OneOrMany<Ipv4Addr>>>,
    }
}

scope! {
    /// A client class (`class "NAME" { match if ...; }`).
    pub struct Class {
        /// Class name, as used by `members-of` in pool permit lists.
        pub name: Spanned<String>,
        /// dhcpd boolean expression, written as in dhcpd.conf, e.g.
        /// `substring(option vendor-class-identifier, 0, 4) = "MSFT"`.
        #[serde(default)]
        pub match_if: Option<Spanned<String>>,
        /// Maximum leases held by members at once (`lease limit N`).
        #[serde(default)]
        pub lease_limit: Option<Spanned<u32>>,
    }
}

impl Pair {
    /// Every subnet: standalone ones first, then those of each shared network.
    pub fn all_subnets(&self) -> impl Iterator<Item = &Spanned<Subnet>> {
        self.subnets
            .iter()
            .chain(self.shared_networks.iter().flat_map(|s| s.subnets.iter()))
    }

    /// The deploy settings, or the defaults.
    pub fn deploy(&self) -> remote::Deploy {
        self.deploy
            .as_ref()
            .map(|d| d.value().clone())
            .unwrap_or_default()
    }

    /// The global scope, or an empty one.
    pub fn global(&self) -> std::borrow::Cow<'_, Global> {
        match &self.global {
            Some(g) => std::borrow::Cow::Borrowed(g.value()),
            None => std::borrow::Cow::Owned(Global::default()),
        }
    }
}
