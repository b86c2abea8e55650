//! What the rest of the server asks the machine: its state, and what that state lets the
//! DHCP engine do (digest §4.2, §5.3, §8.3).

use super::Settings;
use super::machine::StateMachine;
use super::service::ServiceState;
use crate::leases::FailoverState as S;
use crate::model::Role;

impl StateMachine {
    /// The settings the machine was started with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// My state (STARTUP while starting).
    pub fn state(&self) -> S {
        self.core.me
    }

    /// The state STARTUP came from, while in STARTUP.
    pub fn saved_state(&self) -> Option<S> {
        (self.core.me == S::Startup).then_some(self.core.saved)
    }

    /// The state STATE messages and the lease file report: the saved state while in STARTUP.
    pub fn reported_state(&self) -> S {
        if self.core.me == S::Startup {
            self.core.saved
        } else {
            self.core.me
        }
    }

    /// When my current state began (STOS).
    pub fn my_stos(&self) -> u64 {
        self.core.my_stos
    }

    /// The peer's last reported state.
    pub fn partner_state(&self) -> S {
        self.core.partner
    }

    /// When the peer's last STATE arrived.
    pub fn partner_stos(&self) -> u64 {
        self.core.partner_stos
    }

    /// The MCLT in force.
    pub fn mclt(&self) -> u32 {
        self.core.mclt
    }

    /// Whether the connection to the peer is up.
    pub fn link_is_up(&self) -> bool {
        self.link
    }

    /// Whether [`StateMachine::shutdown`] was called.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// The service state (what DHCP clients get), with ISC's peer override. Stopped, or with
    /// the last state change unrecorded, the server does not respond.
    pub fn service_state(&self) -> ServiceState {
        if self.stopped {
            ServiceState::NotResponding(" (shut down)")
        } else if self.unrecorded {
            ServiceState::NotResponding(" (failover state not recorded)")
        } else {
            ServiceState::of(self.core.me, self.core.partner)
        }
    }

    /// Whether DHCP clients of the relationship's pools are answered at all.
    pub fn may_serve(&self) -> bool {
        self.service_state().serves()
    }

    /// Whether DISCOVERs are load-balanced (only when cooperating; the relationship must
    /// also have `load balance max seconds` above 0).
    pub fn load_balances(&self) -> bool {
        self.service_state() == ServiceState::Cooperating
    }

    /// Whether a free-state lease of the peer (FREE on the secondary, BACKUP on the primary;
    /// ABANDONED on the secondary) with this `tsfp` may be allocated: only in PARTNER-DOWN,
    /// and only once `now > max(my STOS, tsfp) + MCLT` (ISC `lease_mine_to_reallocate`).
    pub fn may_allocate_peer_leases(&self, lease_tsfp: u64, now: u64) -> bool {
        self.service_state() == ServiceState::PartnerDown
            && now
                > self
                    .core
                    .my_stos
                    .max(lease_tsfp)
                    .saturating_add(u64::from(self.core.mclt))
    }

    /// Whether an EXPIRED, RELEASED or RESET lease that cannot be rewound to my own free
    /// state may be handed out: only in PARTNER-DOWN, once its `tsfp` is past.
    pub fn may_reuse_transitional(&self, lease_tsfp: u64, now: u64) -> bool {
        self.service_state() == ServiceState::PartnerDown && lease_tsfp < now
    }

    /// Whether an ACTIVE lease is expired on its timer here: always on the primary, and on
    /// the secondary except in NORMAL, where the primary does it (ISC `pool_timer`).
    pub fn expires_active_leases(&self) -> bool {
        self.settings.role == Role::Primary || self.core.me != S::Normal
    }

    /// Whether EXPIRED, RELEASED and RESET leases become free on a timer (at
    /// `max(tsfp, ends)`) rather than on the peer's BNDACK: in PARTNER-DOWN only.
    pub fn frees_transitional_on_timer(&self) -> bool {
        self.core.me == S::PartnerDown
    }

    /// When [`StateMachine::poll`] next has something to do.
    pub fn next_deadline(&self) -> Option<u64> {
        if self.stopped {
            return None;
        }
        let c = &self.core;
        [
            c.startup_at,
            c.recover_done_at.filter(|_| c.me == S::RecoverWait),
            c.auto_partner_down_at
                .filter(|_| c.me == S::CommunicationsInterrupted),
            self.retry_at.filter(|_| self.unrecorded),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}
