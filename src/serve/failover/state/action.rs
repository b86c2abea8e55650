//! What the state machine asks the connection and engine layers to do, and ISC's log lines.

use crate::leases::{FailoverStanza, FailoverState};

/// The level of a log line (ISC logs these with `log_info` or `log_error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// `log_info`.
    Info,
    /// `log_error`.
    Error,
}

/// One thing to do, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Append this stanza to the lease file and sync it before carrying out the actions after
    /// it. Always first in its batch. If the write fails, drop the rest of the batch and call
    /// [`super::StateMachine::persist_failed`].
    Persist(FailoverStanza),
    /// Send a STATE message: server-state `state`, server-flags STARTUP if `startup`, and
    /// `stos` as the start time of state.
    SendState {
        /// The state to report (the saved state while in STARTUP; never STARTUP itself).
        state: FailoverState,
        /// Whether to set the STARTUP server flag.
        startup: bool,
        /// Start time of the reported state.
        stos: u64,
    },
    /// Send UPDREQALL (log `Sent update request all message to NAME`).
    SendUpdReqAll,
    /// Send UPDREQ (log `Sent update request message to NAME`).
    SendUpdReq,
    /// Queue every lease with `tstp > atsfp` and every lease on the expired queue
    /// (EXPIRED, RELEASED, RESET), send them, and log `Sending updates to NAME.` if any were
    /// queued (ISC `dhcp_failover_generate_update_queue` on entering NORMAL).
    SendPendingUpdates,
    /// Put every BNDUPD still waiting for its BNDACK back on the send queue and reset the
    /// unacked count to 0 (ISC `dhcp_failover_rescind_updates`).
    RescindUnacked,
    /// Rebalance the pools of this relationship now, without a POOLREQ (ISC
    /// `dhcp_failover_pool_balance` on entering NORMAL).
    RunPoolBalance,
    /// Bring the next scheduled pool rebalance forward if the pools call for it (ISC
    /// `dhcp_failover_state_pool_check`, when the peer reports NORMAL while I am NORMAL).
    CheckPoolBalance,
    /// PARTNER-DOWN was entered at `stos`: every EXPIRED, RELEASED and RESET lease of the
    /// relationship (and each that enters these states while in PARTNER-DOWN) is freed once
    /// its end has passed and MCLT after the later of `stos` and its tsfp
    /// ([`crate::serve::failover::rules::reclaim_in_partner_down`]).
    PartnerDownEntered {
        /// My STOS.
        stos: u64,
        /// The MCLT in force.
        mclt: u32,
    },
    /// Close the connection to the peer: the state could not be recorded, so the exchange
    /// must run again from the recorded state once the link is back.
    DropLink,
    /// ISC would exit here (`log_fatal`). dhcpfo has moved to SHUTDOWN instead and serves
    /// nobody; report this to the operator (it stays until the lease file is changed).
    Fatal(String),
    /// Log this line.
    Log(LogLevel, String),
}

/// `failover peer NAME: I move from OLD to NEW`.
pub(super) fn i_move(name: &str, old: FailoverState, new: FailoverState) -> String {
    format!("failover peer {name}: I move from {old} to {new}")
}

/// `failover peer NAME: peer moves from OLD to NEW`.
pub(super) fn peer_moves(name: &str, old: FailoverState, new: FailoverState) -> String {
    format!("failover peer {name}: peer moves from {old} to {new}")
}

/// `failover peer NAME: Both servers normal`.
pub(super) fn both_normal(name: &str) -> String {
    format!("failover peer {name}: Both servers normal")
}
