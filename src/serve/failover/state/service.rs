//! What a failover state lets the server do for DHCP clients: ISC's "service state"
//! (`dhcp_failover_set_service_state`), including the peer's override.

use crate::leases::FailoverState;

/// How the server treats DHCP clients of the relationship's pools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceState {
    /// NORMAL: serve; DISCOVERs are load-balanced.
    Cooperating,
    /// COMMUNICATIONS-INTERRUPTED: serve everyone, only from my own free leases.
    NotCooperating,
    /// PARTNER-DOWN: serve everyone; the peer's leases become mine after the MCLT waits.
    PartnerDown,
    /// STARTUP: ignore clients (logged as `not responding (startup)`).
    Startup,
    /// Ignore clients. The text is ISC's suffix after `not responding`, such as
    /// ` (recovering)` or ` (peer demands: resolving conflicts)`.
    NotResponding(&'static str),
}

impl ServiceState {
    /// ISC's service state for my state and the peer's (`dhcp_failover_set_service_state`):
    /// a peer in PARTNER-DOWN or in conflict resolution silences a server that would serve.
    pub fn of(me: FailoverState, partner: FailoverState) -> ServiceState {
        let mine = match me {
            FailoverState::Unknown => ServiceState::NotResponding(" (my state unknown)"),
            FailoverState::PartnerDown => ServiceState::PartnerDown,
            FailoverState::Normal => ServiceState::Cooperating,
            FailoverState::CommunicationsInterrupted => ServiceState::NotCooperating,
            FailoverState::ResolutionInterrupted
            | FailoverState::PotentialConflict
            | FailoverState::ConflictDone => ServiceState::NotResponding(" (resolving conflicts)"),
            FailoverState::Recover => ServiceState::NotResponding(" (recovering)"),
            FailoverState::Shutdown => ServiceState::NotResponding(" (shut down)"),
            FailoverState::Paused => ServiceState::NotResponding(" (paused)"),
            FailoverState::RecoverWait => ServiceState::NotResponding(" (recover wait)"),
            FailoverState::RecoverDone => ServiceState::NotResponding(" (recover done)"),
            FailoverState::Startup => ServiceState::Startup,
        };
        if matches!(mine, ServiceState::NotResponding(_)) {
            return mine;
        }
        match partner {
            FailoverState::PartnerDown => {
                ServiceState::NotResponding(" (peer demands: recovering)")
            }
            FailoverState::PotentialConflict
            | FailoverState::ConflictDone
            | FailoverState::ResolutionInterrupted => {
                ServiceState::NotResponding(" (peer demands: resolving conflicts)")
            }
            _ => mine,
        }
    }

    /// Whether DHCP clients are answered at all.
    pub fn serves(self) -> bool {
        matches!(
            self,
            ServiceState::Cooperating | ServiceState::NotCooperating | ServiceState::PartnerDown
        )
    }

    /// ISC's `nrr` suffix for `not responding` log lines (empty when serving).
    pub fn reason(self) -> &'static str {
        match self {
            ServiceState::Startup => " (startup)",
            ServiceState::NotResponding(why) => why,
            _ => "",
        }
    }
}
