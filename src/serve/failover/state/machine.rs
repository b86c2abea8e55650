//! The state itself: start-up, ISC's `dhcp_failover_set_state` (every transition, with its
//! persistence and entry actions), the "communications failed" transition, the timers, the
//! operator's partner-down, and a failed write.

use super::action::{self, Action, LogLevel};
use super::{RECORD_RETRY_SECS, STARTUP_SECS};
use crate::leases::{FailoverStanza, FailoverState as S, PeerState, Timestamp};
use crate::model::Role;

/// What the machine needs to know about the relationship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The relationship name (`failover peer "NAME"`), as in every log line.
    pub name: String,
    /// My role.
    pub role: Role,
    /// The MCLT in seconds: the primary's own; on the secondary the model's value, used until
    /// the primary's CONNECT (or a recorded `mclt N;`) says otherwise.
    pub mclt: u32,
    /// `auto-partner-down` seconds: move from COMMUNICATIONS-INTERRUPTED to PARTNER-DOWN
    /// after this long (0 = never, ISC's default).
    pub auto_partner_down: u32,
}

/// Everything a failed write takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Core {
    pub(super) me: S,
    pub(super) my_stos: u64,
    /// The state STARTUP came from (ISC `saved_state`); meaningful while in STARTUP.
    pub(super) saved: S,
    pub(super) partner: S,
    /// When the peer's STATE arrived (ISC ignores the STOS inside STATE).
    pub(super) partner_stos: u64,
    pub(super) mclt: u32,
    pub(super) startup_at: Option<u64>,
    pub(super) recover_done_at: Option<u64>,
    pub(super) auto_partner_down_at: Option<u64>,
}

/// The actions of one input, and whether the state must be recorded first.
#[derive(Debug, Default)]
pub(super) struct Batch {
    actions: Vec<Action>,
    record: bool,
}

impl Batch {
    pub(super) fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    pub(super) fn info(&mut self, line: String) {
        self.actions.push(Action::Log(LogLevel::Info, line));
    }

    pub(super) fn error(&mut self, line: String) {
        self.actions.push(Action::Log(LogLevel::Error, line));
    }

    pub(super) fn record(&mut self) {
        self.record = true;
    }
}

/// The operator asked for PARTNER-DOWN where dhcpfo does not allow it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failover peer {name}: partner-down refused in state {state}: {why}")]
pub struct PartnerDownRefused {
    /// The relationship.
    pub name: String,
    /// My state when asked.
    pub state: S,
    /// Why.
    pub why: &'static str,
}

crate::codes::catalogued_diagnostic!(PartnerDownRefused {
    _ => PARTNER_DOWN_REFUSED, help(
        "partner-down is accepted in communications-interrupted or resolution-interrupted while \
         the partner is unreachable; make sure the partner is really down and cannot restart"
    );
});

/// The failover state of one relationship. See the module documentation for the protocol.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub(super) settings: Settings,
    pub(super) core: Core,
    pub(super) link: bool,
    pub(super) stopped: bool,
    /// The last write failed: serve nobody until a write succeeds.
    pub(super) unrecorded: bool,
    pub(super) retry_at: Option<u64>,
    /// The state before the last batch that asked for a write, until that write is known good.
    unconfirmed: Option<Core>,
}

impl StateMachine {
    /// Starts the relationship as ISC does when the daemon starts: from the recorded stanza
    /// (or, without one, from RECOVER with STOS = now and the partner unknown) into STARTUP,
    /// which lasts until the first peer STATE or [`STARTUP_SECS`].
    ///
    /// A stanza of another relationship is ignored. A recorded `mclt` is used by the
    /// secondary only, and only when it is not 0: ISC's secondary writes `mclt 0;` before it
    /// has ever heard the primary, and dhcpfo then keeps the model's MCLT instead of none.
    pub fn start(
        settings: Settings,
        saved: Option<&FailoverStanza>,
        now: u64,
    ) -> (StateMachine, Vec<Action>) {
        let saved = saved.filter(|s| s.peer == settings.name);
        let mut mclt = settings.mclt;
        if settings.role == Role::Secondary
            && let Some(recorded) = saved.and_then(|s| s.mclt).filter(|m| *m > 0)
        {
            mclt = recorded;
        }
        let (me, my_stos, partner, partner_stos) = match saved {
            Some(s) => (s.my.state, s.my.at.0, s.partner.state, s.partner.at.0),
            None => (S::Recover, now, S::Unknown, now),
        };
        let mut machine = StateMachine {
            settings,
            core: Core {
                me,
                my_stos,
                saved: S::Unknown,
                partner,
                partner_stos,
                mclt,
                startup_at: None,
                recover_done_at: None,
                auto_partner_down_at: None,
            },
            link: false,
            stopped: false,
            unrecorded: false,
            retry_at: None,
            unconfirmed: None,
        };
        let actions = machine.input(|m, b| m.set_state(S::Startup, now, b));
        // A failed first write keeps STARTUP (it serves nobody) rather than going back to a
        // state that never went through it.
        if machine.unconfirmed.is_some() {
            machine.unconfirmed = Some(machine.core);
        }
        (machine, actions)
    }

    /// Runs one input: settles the previous write, then puts [`Action::Persist`] of the
    /// final state in front of the batch if anything worth recording changed.
    pub(super) fn input(&mut self, f: impl FnOnce(&mut Self, &mut Batch)) -> Vec<Action> {
        self.persist_succeeded();
        if self.stopped {
            return Vec::new();
        }
        let before = self.core;
        let mut batch = Batch::default();
        f(self, &mut batch);
        if batch.record {
            batch.actions.insert(0, Action::Persist(self.stanza()));
            self.unconfirmed = Some(before);
        }
        batch.actions
    }

    /// The last [`Action::Persist`] is on disk. Calling this is optional: the next input
    /// implies it (a failure must be reported with [`StateMachine::persist_failed`] before
    /// any other input).
    pub fn persist_succeeded(&mut self) {
        if self.unconfirmed.take().is_some() {
            self.unrecorded = false;
            self.retry_at = None;
        }
    }

    /// The last [`Action::Persist`] could not be written; the rest of its batch must not
    /// have been carried out. As ISC refuses a transition it cannot record, the state goes
    /// back to what it was before that input (the recorded one). Unlike ISC, dhcpfo then
    /// serves nobody until a write succeeds ([`StateMachine::poll`] retries after
    /// [`RECORD_RETRY_SECS`]) and drops the link, so that the peer's STATE is handled again
    /// from the recorded state once the link is back.
    pub fn persist_failed(&mut self, now: u64) -> Vec<Action> {
        let Some(before) = self.unconfirmed.take() else {
            return Vec::new();
        };
        self.core = before;
        self.unrecorded = true;
        self.retry_at = Some(now.saturating_add(RECORD_RETRY_SECS));
        let mut actions = vec![Action::Log(
            LogLevel::Error,
            format!(
                "Unable to record current failover state for {}",
                self.settings.name
            ),
        )];
        if self.link {
            actions.push(Action::DropLink);
        }
        actions
    }

    /// The connection is up (CONNECT/CONNECTACK done): report my state to the peer. A
    /// secondary takes the MCLT from the primary's CONNECT (`peer_mclt`), as ISC does, and
    /// records it when it changed.
    pub fn link_up(&mut self, peer_mclt: Option<u32>) -> Vec<Action> {
        self.input(|m, b| {
            m.link = true;
            if m.settings.role == Role::Secondary
                && let Some(mclt) = peer_mclt.filter(|v| *v != m.core.mclt)
            {
                m.core.mclt = mclt;
                b.record();
            }
            b.push(m.send_state());
        })
    }

    /// The connection to the peer is gone (closed, reset, or no message within
    /// max-response-delay): the "communications failed" transition (digest §4.5).
    pub fn link_lost(&mut self, now: u64) -> Vec<Action> {
        self.input(|m, b| {
            if !m.link {
                return;
            }
            m.link = false;
            b.info(format!("peer {}: disconnected", m.settings.name));
            m.comm_failed(now, b);
        })
    }

    /// Fires the timers that are due: STARTUP expiry ("communications failed" on the saved
    /// state), RECOVER-WAIT's end at STOS + MCLT, auto-partner-down, and the retry of a
    /// failed write. Call it at [`StateMachine::next_deadline`].
    pub fn poll(&mut self, now: u64) -> Vec<Action> {
        self.input(|m, b| {
            if m.core.startup_at.is_some_and(|at| now >= at) {
                m.core.startup_at = None;
                m.comm_failed(now, b);
            }
            if m.core.me == S::RecoverWait && m.core.recover_done_at.is_some_and(|at| now >= at) {
                m.core.recover_done_at = None;
                m.set_state(S::RecoverDone, now, b);
            }
            if m.core.me == S::CommunicationsInterrupted
                && m.core.auto_partner_down_at.is_some_and(|at| now >= at)
            {
                m.core.auto_partner_down_at = None;
                m.set_state(S::PartnerDown, now, b);
            }
            if m.unrecorded && m.retry_at.is_some_and(|at| now >= at) {
                m.retry_at = Some(now.saturating_add(RECORD_RETRY_SECS));
                if !m.link && m.core.me != S::Startup {
                    m.comm_failed(now, b);
                }
                b.record();
            }
        })
    }

    /// The operator's partner-down (ISC: omshell `set local-state = 4`). Accepted in
    /// COMMUNICATIONS-INTERRUPTED and RESOLUTION-INTERRUPTED while the link is down, and a
    /// no-op in PARTNER-DOWN. ISC's OMAPI sets any state from any state; dhcpfo refuses the
    /// rest: with the partner connected it would only be pushed back to POTENTIAL-CONFLICT,
    /// from STARTUP or the recovery states this server does not know the partner's leases,
    /// and a partner last seen in CONFLICT-DONE (an ISC primary) exits when told
    /// partner-down (digest §11 quirk 15).
    pub fn partner_down(&mut self, now: u64) -> Result<Vec<Action>, PartnerDownRefused> {
        let refuse = |m: &StateMachine, why| PartnerDownRefused {
            name: m.settings.name.clone(),
            state: m.core.me,
            why,
        };
        if self.stopped {
            return Err(refuse(self, "the server is stopping"));
        }
        match self.core.me {
            S::PartnerDown => Ok(Vec::new()),
            S::CommunicationsInterrupted | S::ResolutionInterrupted => {
                if self.link {
                    Err(refuse(self, "the partner is connected"))
                } else if self.core.partner == S::ConflictDone {
                    Err(refuse(
                        self,
                        "the partner was last in conflict-done, and ISC exits when a peer \
                         reports partner-down then",
                    ))
                } else {
                    Ok(self.input(|m, b| m.set_state(S::PartnerDown, now, b)))
                }
            }
            _ => Err(refuse(
                self,
                "only communications-interrupted and resolution-interrupted may move to \
                 partner-down",
            )),
        }
    }

    /// A graceful stop. ISC 4.4.3 just closes the connection: it sends no STATE(shutdown)
    /// and records nothing new, so its peer goes to COMMUNICATIONS-INTERRUPTED and the next
    /// start resumes from the recorded state (the captures, scenario 7). dhcpfo does the
    /// same: the recorded stanza already is the current state, so a restart behaves like
    /// after a crash, which the protocol handles. After this call every input is ignored
    /// and the machine serves nobody.
    pub fn shutdown(&mut self) -> Vec<Action> {
        self.persist_succeeded();
        if self.stopped {
            return Vec::new();
        }
        self.stopped = true;
        self.core.startup_at = None;
        self.core.recover_done_at = None;
        self.core.auto_partner_down_at = None;
        vec![Action::Log(
            LogLevel::Info,
            format!(
                "failover peer {}: stopping in state {}",
                self.settings.name,
                self.reported_state()
            ),
        )]
    }

    /// ISC's "communications failed" transition (`dhcp_failover_state_transition`
    /// "disconnect"), on the saved state while in STARTUP; it also ends STARTUP.
    pub(super) fn comm_failed(&mut self, now: u64, b: &mut Batch) {
        self.core.startup_at = None;
        let in_startup = self.core.me == S::Startup;
        let current = if in_startup {
            self.core.saved
        } else {
            self.core.me
        };
        match current {
            S::Normal => self.set_state(S::CommunicationsInterrupted, now, b),
            S::PotentialConflict | S::Unknown => {
                self.set_state(S::ResolutionInterrupted, now, b);
            }
            S::ConflictDone
            | S::CommunicationsInterrupted
            | S::PartnerDown
            | S::Paused
            | S::Recover
            | S::RecoverDone
            | S::RecoverWait
            | S::ResolutionInterrupted
            | S::Shutdown => {
                if current == S::ConflictDone {
                    b.push(Action::RescindUnacked);
                }
                if in_startup {
                    self.set_state(self.core.saved, now, b);
                }
            }
            S::Startup => {}
        }
    }

    /// ISC `dhcp_failover_set_state`: rescind unacked updates when leaving NORMAL,
    /// POTENTIAL-CONFLICT or PARTNER-DOWN; set STOS (except into RECOVER-WAIT and into or
    /// out of STARTUP); record; log; tell the peer; then the entry actions of `new`.
    pub(super) fn set_state(&mut self, new: S, now: u64, b: &mut Batch) {
        let old = self.core.me;
        if matches!(old, S::Normal | S::PotentialConflict | S::PartnerDown) {
            b.push(Action::RescindUnacked);
        }
        if new != S::RecoverWait && new != S::Startup && old != S::Startup {
            self.core.my_stos = now;
        }
        self.core.me = new;
        if new == S::Startup && old != S::Startup {
            self.core.saved = old;
        }
        b.record();
        let name = &self.settings.name;
        b.info(action::i_move(name, old, new));
        if new == S::Normal && self.core.partner == S::Normal {
            b.info(action::both_normal(name));
        }
        if new != S::Startup && old == S::Startup {
            self.core.startup_at = None;
        }
        self.core.auto_partner_down_at = None;
        // ISC leaves a RECOVER-WAIT timer running after the state changed; dhcpfo stops it.
        if new != S::RecoverWait {
            self.core.recover_done_at = None;
        }
        if self.link {
            b.push(self.send_state());
        }
        match new {
            S::CommunicationsInterrupted if self.settings.auto_partner_down > 0 => {
                self.core.auto_partner_down_at =
                    Some(now.saturating_add(u64::from(self.settings.auto_partner_down)));
            }
            S::Normal => {
                b.push(Action::RunPoolBalance);
                b.push(Action::SendPendingUpdates);
            }
            S::PotentialConflict
                if self.link
                    && (self.settings.role == Role::Primary
                        || self.core.partner == S::ConflictDone) =>
            {
                b.push(Action::SendUpdReq);
            }
            S::Startup => self.core.startup_at = Some(now.saturating_add(STARTUP_SECS)),
            S::RecoverWait => {
                let done = self.core.my_stos.saturating_add(u64::from(self.core.mclt));
                if done > now {
                    self.core.recover_done_at = Some(done);
                } else {
                    self.set_state(S::RecoverDone, now, b);
                }
            }
            S::Recover if self.link => b.push(Action::SendUpdReqAll),
            S::PartnerDown => b.push(Action::PartnerDownEntered {
                stos: self.core.my_stos,
                mclt: self.core.mclt,
            }),
            _ => {}
        }
    }

    /// The STATE message for my current state.
    fn send_state(&self) -> Action {
        Action::SendState {
            state: self.reported_state(),
            startup: self.core.me == S::Startup,
            stos: self.core.my_stos,
        }
    }

    /// The stanza that records the current state, as ISC's `write_failover_state` writes it:
    /// the saved state while in STARTUP, and `mclt` on the secondary only.
    pub fn stanza(&self) -> FailoverStanza {
        FailoverStanza {
            peer: self.settings.name.clone(),
            my: PeerState {
                state: self.reported_state(),
                at: Timestamp(self.core.my_stos),
            },
            partner: PeerState {
                state: self.core.partner,
                at: Timestamp(self.core.partner_stos),
            },
            mclt: (self.settings.role == Role::Secondary).then_some(self.core.mclt),
        }
    }
}
