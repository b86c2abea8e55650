//! The relationship with the partner: ISC dhcpd's failover protocol engine, sans-IO.
//!
//! [`Relationship`] owns the server [`StateMachine`], the connections the transport reports,
//! the handshake (CONNECT, CONNECTACK, DISCONNECT), the per-connection xids, the CONTACT and
//! receive timers, and the queue of binding updates with its flow control. It takes the time
//! as a number of seconds and returns [`Step`]s for the server loop to carry out in order.
//! Everything that reads or changes leases goes through the [`Leases`] trait, which the DHCP
//! engine implements, so the protocol stays apart from the lease database.
//!
//! - `handshake`: connections opening and closing, CONNECT/CONNECTACK checks (digest §6);
//! - `updates`: BNDUPD/BNDACK, UPDREQ/UPDREQALL/UPDDONE (§5, §9);
//! - `timers`: link start-up, CONTACT, receive timeout, the state machine's deadlines;
//! - `balancing`: when pool balance runs, POOLREQ and POOLRESP (§8.4).

mod balancing;
mod clock;
mod handshake;
#[cfg(test)]
mod tests;
mod timers;
mod updates;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::Ipv4Addr;
use std::sync::Arc;

pub use self::clock::{Clocks, MOST_PARTNER_LAG};
use super::balance::Schedule;
use super::config::FailoverConfig;
use super::link::ConnId;
use super::state::{Action, LogLevel, PartnerDownRefused, StateMachine};
use super::wire::{BindingUpdate, HBA_LEN, Message, MessageType, RejectReason, WireError};
use crate::leases::{BindingState, FailoverStanza, FailoverState};
use crate::model::Role;
use crate::serve::bindings::BindingEvent;

/// How long after the link comes up no lease is expired on its timer here, unless NORMAL is
/// entered and the wait goes on until the partner's UPDDONE
/// ([`EXPIRY_WAIT_FOR_PARTNER_MAX`]). Back in touch (after a restart of either peer, or a
/// partition), the partner sends the updates it queued while the two were apart; a lease
/// whose end passed here meanwhile may be one the partner renewed for its client. Expired at
/// once, its EXPIRED could reach the partner before the partner's renewal leaves, and ISC
/// dhcpd 4.4.3 takes an expiry when its own end is within 65 s: it freed a lease its client
/// still held (chaos seed 1796225011, a dhcpfo primary restarted while its ISC secondary was
/// in communications-interrupted). Waiting, the renewal arrives first and replaces the ended
/// lease here.
pub const EXPIRY_GRACE_AFTER_LINK_UP: u64 = 10;

/// Back in NORMAL after the link came up, this peer sends UPDREQ and expires no lease (and
/// sends no EXPIRED) until the partner's UPDDONE says its backlog has been sent, or until
/// this many seconds after the link came up. ISC answers UPDREQ in any state: it queues
/// every lease the partner has not acknowledged, and sends UPDDONE on the ack of the last.
/// A fixed wait was not enough: a chaos replay saw an ISC renewal still queued 10 s after
/// the link came up.
pub const EXPIRY_WAIT_FOR_PARTNER_MAX: u64 = 60;

/// How long after a wait began the link coming up again starts none when the partner never
/// answered it (a link that flaps, or a partner that sends no UPDDONE, holds expiries for at
/// most [`EXPIRY_WAIT_FOR_PARTNER_MAX`] in this time).
pub const EXPIRY_GRACE_REARM: u64 = 300;

/// One thing for the server loop to do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Record the state stanza, and wait until it is on disk before the next step; if the
    /// write fails, skip the rest and call [`Relationship::persist_failed`].
    Persist(FailoverStanza),
    /// Journal these binding changes; the next [`Step::Send`] leaves only once they are on
    /// disk (a BNDACK after the binding it acknowledges).
    Journal(Vec<BindingEvent>),
    /// Send this message (time and xid set) on the connection.
    Send(ConnId, Box<Message>),
    /// Close the connection (after what was queued on it).
    Close(ConnId),
    /// A link is established (`true`) or gone: the transport dials only without one.
    Established(bool),
    /// A log line in ISC's words.
    Log(LogLevel, String),
}

/// Why a BNDUPD is refused: the reason and ISC's message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The reject reason.
    pub reason: RejectReason,
    /// The message option.
    pub text: String,
}

/// What accepting a binding change did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The binding changes to journal (empty if nothing changed).
    pub events: Vec<BindingEvent>,
    /// The lease moved on by itself afterwards (MAC affinity: the primary gave it to the
    /// secondary as BACKUP) and must be sent to the partner.
    pub send_back: Option<Ipv4Addr>,
}

/// What the lease database needs to know to judge an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// My role.
    pub role: Role,
    /// Whether my state is NORMAL (ISC's stricter transition checks).
    pub normal: bool,
    /// The hash bucket assignment in force (MAC affinity), if known.
    pub hba: Option<[u8; HBA_LEN]>,
    /// `max-lease-ownership`, percent (MAC affinity's hoarding limit, pool balancing).
    pub max_lease_ownership: u32,
    /// `max-lease-misbalance`, percent (pool balancing).
    pub max_lease_misbalance: u32,
}

/// What a pool balance run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balanced {
    /// The leases given to the partner, to send as BNDUPDs.
    pub moved: Vec<Ipv4Addr>,
    /// Their binding changes, to journal.
    pub events: Vec<BindingEvent>,
    /// ISC's `balancing pool` / `balanced pool` / `IMBALANCED pool` lines.
    pub lines: Vec<(LogLevel, String)>,
    /// Some pool is short enough to ask the partner for leases (POOLREQ).
    pub poolreq: bool,
}

/// The lease database as the protocol sees it; the DHCP engine implements it.
pub trait Leases {
    /// The state and CLTT of a lease, if the address has a record.
    fn local(&self, ip: Ipv4Addr) -> Option<(BindingState, u64)>;
    /// Applies a BNDUPD from the partner with ISC's acceptance rules (digest §5.4, §5.5),
    /// or says why it is refused.
    fn apply_update(
        &mut self,
        update: &Message,
        ctx: &Context,
        now: u64,
    ) -> Result<Applied, Refusal>;
    /// The partner acknowledged the update of `ip` that carried `tstp` (digest §5.6).
    fn acked(&mut self, ip: Ipv4Addr, tstp: u64, ctx: &Context, now: u64) -> Applied;
    /// The addresses to send: every address of the relationship's pools, never-used ones
    /// included (`all`, for UPDREQALL), or those the partner has not acknowledged
    /// (`tstp > atsfp`) plus the expired, released and reset ones.
    fn pending(&self, all: bool) -> Vec<Ipv4Addr>;
    /// The BNDUPD for `ip` as it is now, recording that the partner may have applied it
    /// (ISC sets the rewind state when it transmits).
    fn update(&mut self, ip: Ipv4Addr) -> Option<BindingUpdate>;
    /// PARTNER-DOWN was entered at `stos`: transitional leases are freed on a timer once they
    /// may be handed out again ([`crate::serve::failover::rules::reclaim_in_partner_down`]).
    fn partner_down_entered(&mut self, stos: u64, mclt: u32, now: u64) -> Vec<BindingEvent>;
    /// Balances every pool of the relationship (digest §8.4); `timer` says whether this is
    /// the scheduled run, the only one that may ask for POOLREQ.
    fn balance(&mut self, ctx: &Context, timer: bool, now: u64) -> Balanced;
    /// When the pools next want a balance run.
    fn balance_due(&self, ctx: &Context, schedule: &Schedule, now: u64) -> Option<u64>;
}

/// A connection the transport opened.
#[derive(Debug, Clone)]
struct Conn {
    opened_at: u64,
    /// The next xid of this connection (each side counts from 0 on a new link).
    next_xid: u32,
}

/// The established link and what the partner told us in the handshake.
#[derive(Debug, Clone)]
struct Peer {
    conn: ConnId,
    max_unacked: u32,
    receive_timer: u32,
    last_sent: u64,
    last_received: u64,
}

/// An update sent and not yet acknowledged.
#[derive(Debug, Clone, Copy)]
struct Flying {
    xid: u32,
    tstp: u64,
}

/// The relationship with the partner. See the module documentation.
#[derive(Debug)]
pub struct Relationship {
    cfg: Arc<FailoverConfig>,
    machine: StateMachine,
    conns: BTreeMap<ConnId, Conn>,
    link: Option<Peer>,
    /// The HBA a secondary learned from the primary's CONNECT (kept in memory only, as ISC).
    learned_hba: Option<[u8; HBA_LEN]>,
    queue: VecDeque<Ipv4Addr>,
    queued: HashSet<Ipv4Addr>,
    flying: HashMap<Ipv4Addr, Flying>,
    /// An UPDREQ/UPDREQALL being answered: its xid, and the address whose ack completes it.
    update_done: Option<(u32, Ipv4Addr)>,
    /// When the last pool balance ran (0: never) and when the next is due.
    last_balance: u64,
    next_balance: Option<u64>,
    /// A lease changed since the balance schedule was last looked at.
    balance_dirty: bool,
    /// The wait of expiries after the link came up ([`EXPIRY_GRACE_AFTER_LINK_UP`]).
    expiry_wait: Option<ExpiryWait>,
    steps: Vec<Step>,
}

/// Leases wait before they are expired here, after the link came up: from `began` until
/// `until` (exclusive), or until the partner answered the UPDREQ sent on entering NORMAL.
#[derive(Debug, Clone, Copy)]
struct ExpiryWait {
    began: u64,
    until: u64,
    /// The xid of the UPDREQ sent on this link; its UPDDONE ends the wait.
    asked: Option<u32>,
    answered: bool,
}

impl Relationship {
    /// Starts the relationship from the recorded stanza (or as a fresh peer, in RECOVER).
    pub fn new(cfg: Arc<FailoverConfig>, saved: Option<&FailoverStanza>, now: u64) -> Relationship {
        let (machine, actions) = StateMachine::start(cfg.machine_settings(), saved, now);
        let mut rel = Relationship {
            cfg,
            machine,
            conns: BTreeMap::new(),
            link: None,
            learned_hba: None,
            queue: VecDeque::new(),
            queued: HashSet::new(),
            flying: HashMap::new(),
            update_done: None,
            last_balance: 0,
            next_balance: None,
            balance_dirty: false,
            expiry_wait: None,
            steps: Vec::new(),
        };
        if !rel.cfg.load_balance_max_seconds_on() {
            rel.info(format!(
                "WARNING: load balancing will be disabled for failover peer, {}, because its load balance max secs is 0",
                rel.cfg.name
            ));
        }
        rel.run_without_leases(actions);
        rel
    }

    /// The settings.
    pub fn config(&self) -> &FailoverConfig {
        &self.cfg
    }

    /// The server state machine.
    pub fn machine(&self) -> &StateMachine {
        &self.machine
    }

    /// Whether `conn` carries the established link (its CONNECT passed the skew check).
    pub fn on_link(&self, conn: ConnId) -> bool {
        self.link.as_ref().is_some_and(|p| p.conn == conn)
    }

    /// Whether a lease whose end has passed waits before it is expired here: the link is up,
    /// came up a moment ago ([`EXPIRY_GRACE_AFTER_LINK_UP`]) or the partner has not yet
    /// answered the UPDREQ sent on entering NORMAL ([`EXPIRY_WAIT_FOR_PARTNER_MAX`]), and its
    /// queued updates may still be on their way. A clock step never makes the wait longer.
    pub fn expiries_wait(&self, now: u64) -> bool {
        self.link.is_some()
            && self.expiry_wait.is_some_and(|w| {
                !w.answered
                    && now < w.until
                    && w.until <= now.saturating_add(EXPIRY_WAIT_FOR_PARTNER_MAX)
            })
    }

    /// The link came up: expiries wait ([`EXPIRY_GRACE_AFTER_LINK_UP`]), unless a wait the
    /// partner never answered began less than [`EXPIRY_GRACE_REARM`] ago, so that a link
    /// that keeps coming back never keeps leases from expiring.
    pub(super) fn expiries_wait_from(&mut self, now: u64) {
        if let Some(w) = self.expiry_wait.as_mut().filter(|w| {
            !w.answered && now >= w.began && now < w.began.saturating_add(EXPIRY_GRACE_REARM)
        }) {
            // The wait goes on, within its bounds; an UPDREQ sent on the link that dropped
            // will never be answered, so the next NORMAL asks again.
            w.asked = None;
            return;
        }
        self.expiry_wait = Some(ExpiryWait {
            began: now,
            until: now.saturating_add(EXPIRY_GRACE_AFTER_LINK_UP),
            asked: None,
            answered: false,
        });
    }

    /// NORMAL was entered: during the wait after the link came up, ask the partner for its
    /// backlog (UPDREQ) and keep waiting until its UPDDONE ([`EXPIRY_WAIT_FOR_PARTNER_MAX`]).
    fn ask_for_backlog(&mut self, now: u64) {
        if !self.expiries_wait(now) {
            return;
        }
        if self.expiry_wait.is_none_or(|w| w.asked.is_some()) {
            return;
        }
        let xid = self.request_updates(false, now);
        if let Some(w) = self.expiry_wait.as_mut() {
            w.asked = xid;
            w.until = w.began.saturating_add(EXPIRY_WAIT_FOR_PARTNER_MAX);
        }
    }

    /// UPDDONE with `xid`: if it answers the UPDREQ of [`Self::ask_for_backlog`], the
    /// partner's backlog has arrived and expiries need wait no more.
    fn backlog_received(&mut self, xid: u32) {
        if let Some(w) = self.expiry_wait.as_mut().filter(|w| w.asked == Some(xid)) {
            w.answered = true;
        }
    }

    /// The hash bucket assignment in force: the primary's own, or the one a secondary
    /// learned from CONNECT (none before).
    pub fn hba(&self) -> Option<[u8; HBA_LEN]> {
        match self.cfg.role {
            Role::Primary => self.cfg.hba,
            Role::Secondary => self.learned_hba,
        }
    }

    /// Whether a link with the partner is established.
    pub fn linked(&self) -> bool {
        self.link.is_some()
    }

    /// How many updates wait to be sent, and how many wait for their BNDACK.
    pub fn backlog(&self) -> (usize, usize) {
        (self.queue.len(), self.flying.len())
    }

    /// What the lease database needs to judge updates now.
    pub fn context(&self) -> Context {
        Context {
            role: self.cfg.role,
            normal: self.machine.state() == FailoverState::Normal,
            hba: self.hba(),
            max_lease_ownership: self.cfg.max_lease_ownership,
            max_lease_misbalance: self.cfg.max_lease_misbalance,
        }
    }

    /// The steps produced since the last call.
    pub fn take_steps(&mut self) -> Vec<Step> {
        std::mem::take(&mut self.steps)
    }

    /// A message arrived on `conn` (or could not be decoded).
    pub fn received(
        &mut self,
        conn: ConnId,
        frame: Result<Message, WireError>,
        now: u64,
        leases: &mut impl Leases,
    ) {
        if !self.conns.contains_key(&conn) {
            return;
        }
        let msg = match frame {
            Ok(msg) => msg,
            Err(e) if !e.is_fatal() => {
                tracing::debug!("failover peer {}: {e}", self.cfg.name);
                return;
            }
            Err(e) => {
                self.error(e.to_string());
                let disconnect = e.disconnect();
                self.send_new(conn, disconnect, now);
                self.close(conn, now, leases);
                return;
            }
        };
        if let Some(peer) = self.link.as_mut().filter(|p| p.conn == conn) {
            peer.last_received = now;
        } else {
            self.handshake(conn, msg, now, leases);
            return;
        }
        match msg.kind {
            MessageType::Connect => self.connect(conn, &msg, now, leases),
            MessageType::ConnectAck => {}
            MessageType::State => self.peer_state(&msg, now, leases),
            MessageType::Contact => {}
            MessageType::Disconnect => self.disconnected(conn, &msg, now, leases),
            MessageType::BndUpd => self.bind_update(conn, &msg, now, leases),
            MessageType::BndAck => self.bind_ack(&msg, now, leases),
            MessageType::UpdReq => self.update_request(conn, &msg, false, now, leases),
            MessageType::UpdReqAll => self.update_request(conn, &msg, true, now, leases),
            MessageType::UpdDone => {
                self.backlog_received(msg.xid);
                let actions = self.machine.update_done(now);
                self.run(actions, now, leases);
            }
            MessageType::PoolReq => self.pool_request(conn, &msg, now, leases),
            MessageType::PoolResp => {
                let n = msg.addresses_transferred.unwrap_or(0);
                self.info(format!("pool response: {n} leases"));
            }
        }
        self.flush(now, leases);
    }

    fn peer_state(&mut self, msg: &Message, now: u64, leases: &mut impl Leases) {
        let Some(state) = msg.server_state else {
            self.error(format!(
                "failover peer {}: STATE without a server-state, ignored",
                self.cfg.name
            ));
            return;
        };
        let actions = self
            .machine
            .peer_state_code(state.code(), msg.startup(), now);
        self.run(actions, now, leases);
    }

    /// The operator's partner-down (ISC: omshell `set local-state = 4`).
    pub fn partner_down(
        &mut self,
        now: u64,
        leases: &mut impl Leases,
    ) -> Result<(), PartnerDownRefused> {
        let actions = self.machine.partner_down(now)?;
        self.run(actions, now, leases);
        Ok(())
    }

    /// The last [`Step::Persist`] could not be written: the state goes back to the recorded
    /// one (see [`StateMachine::persist_failed`]).
    pub fn persist_failed(&mut self, now: u64, leases: &mut impl Leases) {
        let actions = self.machine.persist_failed(now);
        self.run(actions, now, leases);
    }

    /// A graceful stop: close the link without a word, as ISC 4.4.3 does.
    pub fn shutdown(&mut self) {
        let actions = self.machine.shutdown();
        self.run_without_leases(actions);
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        for conn in conns {
            self.steps.push(Step::Close(conn));
        }
        self.conns.clear();
        self.link = None;
    }

    /// Runs the state machine's actions that need no lease (start-up, shutdown).
    fn run_without_leases(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Persist(stanza) => self.steps.push(Step::Persist(stanza)),
                Action::Log(level, line) => self.steps.push(Step::Log(level, line)),
                other => tracing::debug!("failover: {other:?} before the link is up"),
            }
        }
    }

    /// Carries out the state machine's actions, in order.
    fn run(&mut self, actions: Vec<Action>, now: u64, leases: &mut impl Leases) {
        for action in actions {
            match action {
                Action::Persist(stanza) => self.steps.push(Step::Persist(stanza)),
                Action::SendState {
                    state,
                    startup,
                    stos,
                } => {
                    if let Some(conn) = self.link.as_ref().map(|p| p.conn) {
                        let msg = Message::state(state, startup, secs32(stos));
                        self.send_new(conn, msg, now);
                    }
                }
                Action::SendUpdReqAll => {
                    self.request_updates(true, now);
                }
                Action::SendUpdReq => {
                    self.request_updates(false, now);
                }
                Action::SendPendingUpdates => {
                    self.ask_for_backlog(now);
                    let before = self.queue.len();
                    for ip in leases.pending(false) {
                        self.queue_update(ip);
                    }
                    if self.queue.len() > before {
                        self.info(format!("Sending updates to {}.", self.cfg.name));
                    }
                    self.flush(now, leases);
                }
                Action::RescindUnacked => self.rescind(),
                Action::RunPoolBalance => {
                    self.next_balance = None;
                    self.run_balance(false, now, leases);
                }
                Action::CheckPoolBalance => self.schedule_balance(now, leases),
                Action::PartnerDownEntered { stos, mclt } => {
                    let events = leases.partner_down_entered(stos, mclt, now);
                    if !events.is_empty() {
                        self.steps.push(Step::Journal(events));
                    }
                }
                Action::DropLink => {
                    if let Some(conn) = self.link.as_ref().map(|p| p.conn) {
                        self.close(conn, now, leases);
                    }
                }
                Action::Fatal(line) => {
                    self.error(format!("FATAL (ISC would exit here): {line}"));
                }
                Action::Log(level, line) => self.steps.push(Step::Log(level, line)),
            }
        }
    }

    /// Sends `msg` on `conn` with a new xid of the connection (never 0 for a BNDUPD).
    fn send_new(&mut self, conn: ConnId, msg: Message, now: u64) -> u32 {
        let Some(c) = self.conns.get_mut(&conn) else {
            return 0;
        };
        let mut xid = c.next_xid;
        c.next_xid = c.next_xid.wrapping_add(1);
        if xid == 0 && msg.kind == MessageType::BndUpd {
            xid = c.next_xid;
            c.next_xid = c.next_xid.wrapping_add(1);
        }
        self.send_as(conn, msg, xid, now);
        xid
    }

    /// Sends `msg` on `conn` with the xid of the request it answers.
    fn send_as(&mut self, conn: ConnId, msg: Message, xid: u32, now: u64) {
        if let Some(peer) = self.link.as_mut().filter(|p| p.conn == conn) {
            peer.last_sent = now;
        }
        self.steps
            .push(Step::Send(conn, Box::new(msg.at(secs32(now), xid))));
    }

    fn info(&mut self, line: String) {
        self.steps.push(Step::Log(LogLevel::Info, line));
    }

    fn error(&mut self, line: String) {
        self.steps.push(Step::Log(LogLevel::Error, line));
    }
}

impl FailoverConfig {
    /// Whether load balancing is on (`load balance max seconds` above 0).
    pub fn load_balance_max_seconds_on(&self) -> bool {
        self.load_balance_max_seconds > 0
    }
}

/// Seconds since the epoch as the protocol's 32-bit time (saturating).
pub fn secs32(t: u64) -> u32 {
    u32::try_from(t).unwrap_or(u32::MAX)
}
