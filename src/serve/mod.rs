//! `dhcpfo serve`: an embedded DHCPv4 server for the pair's pools.
//!
//! - [`config`]: the server's view of the model (scopes merged as dhcpd does);
//! - [`packet`]: request decoding (raw options kept), reply building and wire layout;
//! - [`ratelimit`]: log lines a flood would repeat, one per key per interval;
//! - [`engine`]: the RFC 2131 state machine, pure and socket-free;
//! - [`alloc`]: per-pool address maps (free / backup / busy);
//! - [`bindings`]: the binding index, ISC binding states and binding events;
//! - [`journal`]: the durable lease file (ISC `dhcpd.leases` format, group-commit fsync);
//! - [`failover`]: the failover protocol with a partner (ISC dhcpd or dhcpfo);
//! - [`socket`]: per-interface UDP sockets and replies to clients without an address;
//! - [`server`]: the tokio service that ties them together, with reload and shutdown.

pub mod alloc;
pub mod bindings;
pub mod config;
pub mod engine;
pub mod failover;
pub mod journal;
pub(crate) mod latency;
pub mod packet;
pub(crate) mod ratelimit;
pub(crate) mod server;
pub(crate) mod socket;

pub use server::{ServeOptions, run};
