//! The failover server state machine, as ISC dhcpd 4.4 runs it (`dhcp_failover_set_state`,
//! `dhcp_failover_peer_state_changed`, `dhcp_failover_state_transition` in `server/failover.c`),
//! and its persistence as the `failover peer "NAME" state { ... }` stanza of the lease file.
//!
//! The machine is sans-IO: it owns no clock, socket or file. Each input ([`StateMachine::start`],
//! [`StateMachine::peer_state`], [`StateMachine::link_lost`], [`StateMachine::poll`], ...) takes
//! the current time in seconds and returns the [`Action`]s the connection and engine layers
//! carry out, in order. When a batch changes anything worth keeping, its first action is
//! [`Action::Persist`] with the final stanza of the batch; the caller writes it durably before
//! doing anything else, and reports a failed write with [`StateMachine::persist_failed`].
//!
//! - `machine`: the state, its transitions and entry actions, the timers;
//! - `peer`: what a peer STATE or UPDDONE does (ISC's matrix);
//! - `query`: the state, and what it lets the DHCP engine do;
//! - `service`: ISC's service states;
//! - `action`: the actions and ISC's log lines.

mod action;
mod machine;
mod peer;
mod query;
mod service;
#[cfg(test)]
mod tests;

pub use action::{Action, LogLevel};
pub use machine::{PartnerDownRefused, Settings, StateMachine};
pub use service::ServiceState;

use super::wire::WireCode;
use crate::leases::FailoverState;

/// How long STARTUP lasts without a peer STATE before the "communications failed" transition
/// is applied to the saved state (ISC: 15 s).
pub const STARTUP_SECS: u64 = 15;

/// How soon [`StateMachine::poll`] tries again to record the state after a failed write.
pub const RECORD_RETRY_SECS: u64 = 5;

/// The failover protocol's code for a state (draft §12.24; RECOVER-WAIT is ISC's 254): the
/// codec's mapping, named here for the state machine's readers.
pub fn state_code(state: FailoverState) -> u8 {
    state.wire_code()
}

/// The state with this protocol code, or `None` for a code ISC does not know.
pub fn state_from_code(code: u8) -> Option<FailoverState> {
    FailoverState::from_wire_code(code)
}
