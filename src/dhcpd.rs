//! ISC dhcpd's built-in values: what dhcpd does when a statement is absent. The model, the
//! lint rules, `import` and `serve` all take them from here.

/// The failover protocol's TCP port (IANA), dhcpd's `port` and `peer port` when absent or 0.
pub const DEFAULT_FAILOVER_PORT: u16 = 647;
/// `max-response-delay` when the statement is absent (seconds).
pub const DEFAULT_MAX_RESPONSE_DELAY: u32 = 20;
/// `max-unacked-updates` when the statement is absent.
pub const DEFAULT_MAX_UNACKED_UPDATES: u32 = 100;
/// `max-lease-misbalance` (percent).
pub const DEFAULT_MAX_LEASE_MISBALANCE: u32 = 15;
/// `max-lease-ownership` (percent).
pub const DEFAULT_MAX_LEASE_OWNERSHIP: u32 = 10;
/// `min-balance` (seconds).
pub const DEFAULT_MIN_BALANCE: u32 = 60;
/// `max-balance` (seconds).
pub const DEFAULT_MAX_BALANCE: u32 = 3600;
/// `default-lease-time` (seconds).
pub const DEFAULT_LEASE_TIME: u32 = 43_200;
/// `max-lease-time` (seconds).
pub const DEFAULT_MAX_LEASE_TIME: u32 = 86_400;
/// `abandon-lease-time`: how long a DECLINEd address stays abandoned (seconds).
pub const ABANDON_LEASE_TIME: u32 = 86_400;
