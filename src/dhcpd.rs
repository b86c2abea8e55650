//! ISC dhcpd's built-in values: what dhcpd does when a statement is absent, and ([`tables`])
//! the words, options and enumerations of its parser. The model, the lint rules, `import` and
//! `serve` all take them from here.

pub(crate) mod tables;

/// The failover protocol's TCP port (IANA), dhcpd's `port` and `peer port` when absent or 0.
pub(crate) const DEFAULT_FAILOVER_PORT: u16 = 647;
/// `max-response-delay` when the statement is absent (seconds).
pub(crate) const DEFAULT_MAX_RESPONSE_DELAY: u32 = 20;
/// `max-unacked-updates` when the statement is absent.
pub(crate) const DEFAULT_MAX_UNACKED_UPDATES: u32 = 100;
/// `max-lease-misbalance` (percent).
pub(crate) const DEFAULT_MAX_LEASE_MISBALANCE: u32 = 15;
/// `max-lease-ownership` (percent).
pub(crate) const DEFAULT_MAX_LEASE_OWNERSHIP: u32 = 10;
/// `min-balance` (seconds).
pub(crate) const DEFAULT_MIN_BALANCE: u32 = 60;
/// `max-balance` (seconds).
pub(crate) const DEFAULT_MAX_BALANCE: u32 = 3600;
/// `default-lease-time` (seconds).
pub(crate) const DEFAULT_LEASE_TIME: u32 = 43_200;
/// `max-lease-time` (seconds).
pub(crate) const DEFAULT_MAX_LEASE_TIME: u32 = 86_400;
/// `abandon-lease-time`: how long a DECLINEd address stays abandoned (seconds).
pub(crate) const ABANDON_LEASE_TIME: u32 = 86_400;

/// The form of value a `failover peer` statement takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueForm {
    /// No value (`primary;`).
    Nothing,
    /// An IPv4 address or a host name.
    Address,
    /// A plain decimal number.
    Number,
    /// A colon-separated hex list (`hba`).
    Hex,
}

/// Where a peer statement goes in the YAML model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModelPlace {
    /// The `peers:` section (role, addresses and ports).
    Peers,
    /// A `failover:` key, and whether its value is a duration.
    Failover {
        /// The key under `failover:`.
        key: &'static str,
        /// Written as a duration (`1h`) rather than a plain number.
        duration: bool,
    },
    /// Nowhere: the model mirrors the two peers' values instead.
    Nowhere,
}

/// One statement of a `failover peer` block as dhcpd 4.4's `parse_failover_peer` reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerStatement {
    /// The keyword, its words joined by one space (`peer port`, `load balance max seconds`).
    pub(crate) keyword: &'static str,
    /// The form of its value.
    pub(crate) form: ValueForm,
    /// Where `import` puts it in the model.
    pub(crate) model: ModelPlace,
}

const fn statement(keyword: &'static str, form: ValueForm, model: ModelPlace) -> PeerStatement {
    PeerStatement {
        keyword,
        form,
        model,
    }
}

const fn failover(key: &'static str, duration: bool) -> ModelPlace {
    ModelPlace::Failover { key, duration }
}

/// Every statement of a `failover peer` block that dhcpd 4.4 accepts, in the order `import`
/// writes the `failover:` keys. The lint rules, the dhcpd reader in `conf::dhcpd` and
/// `import` all read this one table.
pub(crate) const PEER_STATEMENTS: &[PeerStatement] = &[
    statement("primary", ValueForm::Nothing, ModelPlace::Peers),
    statement("secondary", ValueForm::Nothing, ModelPlace::Peers),
    statement("address", ValueForm::Address, ModelPlace::Peers),
    statement("port", ValueForm::Number, ModelPlace::Peers),
    statement("peer address", ValueForm::Address, ModelPlace::Peers),
    statement("peer port", ValueForm::Number, ModelPlace::Peers),
    statement("mclt", ValueForm::Number, failover("mclt", true)),
    statement("split", ValueForm::Number, failover("split", false)),
    statement("hba", ValueForm::Hex, failover("hba", false)),
    statement(
        "max-response-delay",
        ValueForm::Number,
        failover("max-response-delay", true),
    ),
    statement(
        "max-unacked-updates",
        ValueForm::Number,
        failover("max-unacked-updates", false),
    ),
    statement(
        "peer max-response-delay",
        ValueForm::Number,
        ModelPlace::Nowhere,
    ),
    statement(
        "peer max-unacked-updates",
        ValueForm::Number,
        ModelPlace::Nowhere,
    ),
    statement(
        "load balance max seconds",
        ValueForm::Number,
        failover("load-balance-max-seconds", false),
    ),
    statement(
        "auto-partner-down",
        ValueForm::Number,
        failover("auto-partner-down", true),
    ),
    statement(
        "max-lease-misbalance",
        ValueForm::Number,
        failover("max-lease-misbalance", false),
    ),
    statement(
        "max-lease-ownership",
        ValueForm::Number,
        failover("max-lease-ownership", false),
    ),
    statement(
        "min-balance",
        ValueForm::Number,
        failover("min-balance", true),
    ),
    statement(
        "max-balance",
        ValueForm::Number,
        failover("max-balance", true),
    ),
];

/// The peer statement with this keyword (words joined by one space), if dhcpd knows it.
pub(crate) fn peer_statement(keyword: &str) -> Option<&'static PeerStatement> {
    PEER_STATEMENTS.iter().find(|s| s.keyword == keyword)
}
