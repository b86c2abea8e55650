//! What a STATE or UPDDONE from the peer does: ISC's `dhcp_failover_peer_state_changed` and
//! `dhcp_failover_process_update_done` (digest §4.3, §4.6).

use super::action::{self, Action};
use super::machine::{Batch, StateMachine};
use super::{state_code, state_from_code};
use crate::leases::FailoverState as S;
use crate::model::Role;

impl StateMachine {
    /// A STATE message: the peer is in `state`, with the STARTUP server flag if `startup`.
    pub fn peer_state(&mut self, state: S, startup: bool, now: u64) -> Vec<Action> {
        self.input(|m, b| m.on_peer_state(Some(state), state_code(state), startup, now, b))
    }

    /// A STATE message with a raw server-state code. A code ISC does not know is recorded as
    /// `unknown-state`, logged as `Invalid state: N`, and sends this server to SHUTDOWN.
    pub fn peer_state_code(&mut self, code: u8, startup: bool, now: u64) -> Vec<Action> {
        self.input(|m, b| m.on_peer_state(state_from_code(code), code, startup, now, b))
    }

    /// An UPDDONE: the peer has sent everything my UPDREQ or UPDREQALL asked for.
    pub fn update_done(&mut self, now: u64) -> Vec<Action> {
        self.input(|m, b| m.on_update_done(now, b))
    }

    fn on_peer_state(&mut self, new: Option<S>, code: u8, startup: bool, now: u64, b: &mut Batch) {
        let name = self.settings().name.clone();
        let previous = self.core.partner;
        let me = self.core.me;
        // The same state again is ignored in the settled states; in STARTUP it ends STARTUP.
        // (ISC's test skips this for my state unknown, code 0.)
        if new == Some(previous) && me != S::Unknown {
            match me {
                S::Startup => {
                    let to = match self.core.saved {
                        S::ResolutionInterrupted => S::PotentialConflict,
                        saved => saved,
                    };
                    self.set_state(to, now, b);
                    return;
                }
                S::Normal
                | S::PotentialConflict
                | S::RecoverDone
                | S::Shutdown
                | S::Paused
                | S::RecoverWait => return,
                _ => {}
            }
        }
        let recorded = new.unwrap_or(S::Unknown);
        self.core.partner = recorded;
        self.core.partner_stos = now;
        b.info(action::peer_moves(&name, previous, recorded));
        if me == S::Normal && recorded == S::Normal {
            b.info(action::both_normal(&name));
        }
        b.record();
        let Some(new) = new else {
            b.error(format!("failover peer {name}: Invalid state: {code}"));
            self.set_state(S::Shutdown, now, b);
            return;
        };
        let in_startup = me == S::Startup;
        let current = if in_startup { self.core.saved } else { me };
        let invalid_transition = |b: &mut Batch| {
            b.error(format!(
                "Peer {name}: Invalid state transition {previous} to {new}."
            ));
        };
        match current {
            S::Normal => match new {
                S::Normal => b.push(Action::CheckPoolBalance),
                S::PartnerDown if in_startup => self.set_state(S::Recover, now, b),
                S::PartnerDown => self.set_state(S::PotentialConflict, now, b),
                S::PotentialConflict | S::ResolutionInterrupted | S::ConflictDone => {
                    invalid_transition(b);
                    self.set_state(S::Shutdown, now, b);
                }
                S::Recover | S::Shutdown => self.set_state(S::PartnerDown, now, b),
                S::Paused => self.set_state(S::CommunicationsInterrupted, now, b),
                _ => {}
            },
            S::Recover => match new {
                S::Recover => {
                    b.info(format!(
                        "failover peer {name}: requesting full update from peer"
                    ));
                    if !in_startup {
                        b.push(Action::SendUpdReqAll);
                    }
                }
                S::PotentialConflict | S::ResolutionInterrupted | S::ConflictDone | S::Normal => {
                    self.set_state(S::PotentialConflict, now, b);
                }
                S::PartnerDown | S::CommunicationsInterrupted if !in_startup => {
                    b.push(Action::SendUpdReqAll);
                }
                S::Shutdown => self.set_state(S::PartnerDown, now, b),
                _ => {}
            },
            S::PotentialConflict => match new {
                S::Normal => {
                    b.error(format!(
                        "Peer {name} moves to normal during conflict resolution - panic, \
                         shutting down."
                    ));
                    self.set_state(S::Shutdown, now, b);
                }
                S::ConflictDone if previous == S::PotentialConflict => {
                    b.push(Action::SendUpdReq);
                }
                S::ConflictDone => {
                    b.error(format!("Peer {name}: Unexpected move to conflict-done."));
                }
                S::Recover => self.set_state(S::Recover, now, b),
                S::Shutdown => self.set_state(S::PartnerDown, now, b),
                _ => {}
            },
            S::ConflictDone => match new {
                S::Normal | S::Shutdown => self.set_state(new, now, b),
                S::PotentialConflict | S::ResolutionInterrupted => {}
                _ => {
                    // ISC calls log_fatal here and the daemon exits.
                    let line = format!(
                        "Peer {name}: Invalid attempt to move from {previous} to {new} while \
                         local state is conflict-done."
                    );
                    b.error(line.clone());
                    b.push(Action::Fatal(line));
                    self.set_state(S::Shutdown, now, b);
                }
            },
            S::PartnerDown if startup => {}
            S::PartnerDown => match new {
                S::RecoverDone => self.set_state(S::Normal, now, b),
                S::Normal
                | S::PotentialConflict
                | S::PartnerDown
                | S::CommunicationsInterrupted
                | S::ResolutionInterrupted
                | S::ConflictDone => self.set_state(S::PotentialConflict, now, b),
                _ => {}
            },
            S::CommunicationsInterrupted => match new {
                S::Recover | S::Shutdown => self.set_state(S::PartnerDown, now, b),
                S::Normal | S::CommunicationsInterrupted | S::RecoverDone | S::RecoverWait => {
                    self.set_state(S::Normal, now, b);
                }
                S::PotentialConflict
                | S::PartnerDown
                | S::ResolutionInterrupted
                | S::ConflictDone => self.set_state(S::PotentialConflict, now, b),
                _ => {}
            },
            S::ResolutionInterrupted => match new {
                S::Shutdown => self.set_state(S::PartnerDown, now, b),
                S::Paused | S::Unknown | S::Startup => {}
                _ => self.set_state(S::PotentialConflict, now, b),
            },
            S::RecoverDone => match new {
                S::RecoverDone => {
                    b.error("Both servers have entered recover-done!".into());
                    self.set_state(S::Normal, now, b);
                }
                S::Normal => self.set_state(S::Normal, now, b),
                S::Shutdown => self.set_state(S::PartnerDown, now, b),
                _ => {}
            },
            S::RecoverWait | S::Shutdown | S::Paused | S::Unknown | S::Startup => {}
        }
        if self.core.me == S::Startup && self.core.saved != S::Startup {
            self.set_state(self.core.saved, now, b);
        }
    }

    fn on_update_done(&mut self, now: u64, b: &mut Batch) {
        let name = self.settings().name.clone();
        b.info(format!("failover peer {name}: peer update completed."));
        let primary = self.settings().role == Role::Primary;
        match self.core.me {
            S::PotentialConflict if self.core.partner == S::ConflictDone => {
                if primary {
                    b.error(
                        "Secondary is in conflict_done state after conflict resolution, this \
                         is illegal."
                            .into(),
                    );
                    self.set_state(S::Shutdown, now, b);
                } else {
                    self.set_state(S::Normal, now, b);
                }
            }
            S::PotentialConflict if primary => self.set_state(S::ConflictDone, now, b),
            S::PotentialConflict | S::ConflictDone => {
                b.error("Spurious update-done message.".into());
            }
            S::Recover => {
                let wait_until = self.core.my_stos.saturating_add(u64::from(self.core.mclt));
                if wait_until > now && !matches!(self.core.partner, S::Recover | S::RecoverDone) {
                    self.set_state(S::RecoverWait, now, b);
                } else {
                    self.set_state(S::RecoverDone, now, b);
                }
            }
            _ => {}
        }
    }
}
