//! The failover peer: ISC dhcpd's failover protocol (draft-ietf-dhc-failover-12 as ISC 4.4
//! implements it), so that `dhcpfo serve --role primary|secondary` pairs with another dhcpfo
//! or with a real ISC dhcpd.
//!
//! - [`config`]: the relationship's settings from the model (one home for dhcpd's defaults);
//! - [`wire`]: the message codec (12-byte header, TLV options), pure and panic-free;
//! - [`state`]: the server state machine (startup, normal, communications-interrupted, ...)
//!   and its persistence as ISC's `failover peer "NAME" state { ... }` stanza;
//! - [`link`]: the TCP transport (listener, connector, ordered durable sends);
//! - [`rules`]: ISC's lease rules (accepted transitions, duelling updates, ownership, MCLT);
//! - [`peer`]: the protocol engine of one relationship (handshake, timers, update queue);
//! - [`balance`]: pool balancing arithmetic and its log lines;
//! - [`control`]: the operator's local control socket (state, partner-down).

pub(crate) mod balance;
pub mod config;
pub(crate) mod control;
pub(crate) mod link;
pub mod peer;
pub mod rules;
pub mod state;
pub mod wire;
