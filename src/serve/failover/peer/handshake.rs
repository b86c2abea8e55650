//! Connections opening and closing, and the CONNECT / CONNECTACK handshake with ISC's checks
//! (digest §1.2, §6; ISC `dhcp_failover_link_signal`, `dhcp_failover_state_signal`).

use super::{Conn, Leases, Peer, Relationship, Step};
use crate::model::Role;
use crate::serve::failover::config::VENDOR;
use crate::serve::failover::link::ConnId;
use crate::serve::failover::wire::{Message, MessageType, RejectReason};

/// The most the peer's clock may differ from ours at connect time (ISC: 60 s).
pub(super) const MAX_SKEW: u64 = 60;

impl Relationship {
    /// The transport opened `conn`. As primary, send CONNECT on it at once (ISC does so on
    /// every connection, its own or the partner's); as secondary, wait for one.
    pub fn opened(&mut self, conn: ConnId, now: u64) {
        if self.machine.is_stopped() {
            self.steps.push(Step::Close(conn));
            return;
        }
        self.conns.insert(
            conn,
            Conn {
                opened_at: now,
                next_xid: 0,
            },
        );
        if self.cfg.role == Role::Primary {
            let connect = Message::connect(
                self.cfg.name.as_bytes(),
                self.cfg.max_unacked_updates,
                self.cfg.receive_timer(),
                VENDOR.as_bytes(),
                self.machine.mclt(),
                self.cfg.hba,
            );
            self.send_new(conn, connect, now);
        }
    }

    /// The transport reports `conn` gone.
    pub fn closed(&mut self, conn: ConnId, now: u64, leases: &mut impl Leases) {
        if self.conns.remove(&conn).is_some() && self.link.as_ref().is_some_and(|p| p.conn == conn)
        {
            self.link_down(now, leases);
        }
    }

    /// Closes `conn` here (the transport sends what was queued first).
    pub(super) fn close(&mut self, conn: ConnId, now: u64, leases: &mut impl Leases) {
        if self.conns.remove(&conn).is_none() {
            return;
        }
        self.steps.push(Step::Close(conn));
        if self.link.as_ref().is_some_and(|p| p.conn == conn) {
            self.link_down(now, leases);
        }
    }

    /// The established link is gone: updates in flight go back on the queue, an update
    /// request being answered is forgotten, and the state machine hears of it.
    fn link_down(&mut self, now: u64, leases: &mut impl Leases) {
        self.link = None;
        self.steps.push(Step::Established(false));
        self.rescind();
        self.update_done = None;
        let actions = self.machine.link_lost(now);
        self.run(actions, now, leases);
    }

    /// A message on a connection that is not established yet: only the handshake counts.
    pub(super) fn handshake(
        &mut self,
        conn: ConnId,
        msg: Message,
        now: u64,
        leases: &mut impl Leases,
    ) {
        match msg.kind {
            MessageType::Connect => self.connect(conn, &msg, now, leases),
            MessageType::ConnectAck if self.cfg.role == Role::Primary => {
                self.connect_ack(conn, &msg, now, leases);
            }
            MessageType::Disconnect => self.disconnected(conn, &msg, now, leases),
            kind => tracing::debug!(
                "failover peer {}: {kind} before the handshake, ignored",
                self.cfg.name
            ),
        }
    }

    /// CONNECT (a secondary's view): ISC's checks in ISC's order (digest §6.2), then
    /// CONNECTACK and STATE.
    pub(super) fn connect(
        &mut self,
        conn: ConnId,
        msg: &Message,
        now: u64,
        leases: &mut impl Leases,
    ) {
        if self.cfg.role == Role::Primary {
            self.error(format!(
                "Failover CONNECT from {}: the partner is configured as primary too",
                self.cfg.name
            ));
            self.close(conn, now, leases);
            return;
        }
        let name = self.cfg.name.clone();
        let theirs = msg.relationship_name.as_deref();
        // Checks 1-4 are logged as ISC logs them; 5 and 6 answer without a log line.
        let logged = match theirs {
            None => Some((RejectReason::InvalidPartner, "missing relationship-name")),
            Some(n) if n != name.as_bytes() => Some((
                RejectReason::InvalidPartner,
                "unknown failover relationship name",
            )),
            Some(_) if skew(msg.time, now) > MAX_SKEW => {
                Some((RejectReason::TimeMismatch, "time offset too large"))
            }
            Some(_) if msg.hba_map().is_none() => Some((RejectReason::HbaConflict, "invalid HBA")),
            Some(_) => None,
        };
        let reject = logged.or(if self.link.is_some() {
            Some((RejectReason::DuplicateConnection, "already connected"))
        } else if msg.mclt.is_none() {
            Some((RejectReason::InvalidMclt, "no MCLT provided"))
        } else {
            None
        });
        if let Some((reason, text)) = reject {
            if logged.is_some() {
                let who = theirs.map_or_else(
                    || "unknown".to_string(),
                    |n| String::from_utf8_lossy(n).into_owned(),
                );
                self.error(format!("Failover CONNECT from {who}: {text}"));
                self.info(format!("failover: disconnect: {text}"));
            }
            // A name we do not know is echoed; ours goes with the limits once identified.
            let known = theirs.is_some_and(|n| n == name.as_bytes());
            let mut ack = Message::connect_ack(
                msg,
                if known {
                    name.as_bytes()
                } else {
                    theirs.unwrap_or_default()
                },
                known.then(|| (self.cfg.max_unacked_updates, self.cfg.receive_timer())),
                VENDOR.as_bytes(),
                Some((reason, text)),
            );
            if theirs.is_none() {
                ack.relationship_name = None;
            }
            self.send_as(conn, ack, msg.xid, now);
            self.close(conn, now, leases);
            return;
        }
        self.learned_hba = msg.hba_map();
        let ack = Message::connect_ack(
            msg,
            name.as_bytes(),
            Some((self.cfg.max_unacked_updates, self.cfg.receive_timer())),
            VENDOR.as_bytes(),
            None,
        );
        self.send_as(conn, ack, msg.xid, now);
        self.establish(conn, msg.max_unacked, msg.receive_timer, now);
        let actions = self.machine.link_up(msg.mclt);
        self.run(actions, now, leases);
    }

    /// CONNECTACK (a primary's view): ISC's checks in ISC's order (digest §6.3), then STATE.
    fn connect_ack(&mut self, conn: ConnId, msg: &Message, now: u64, leases: &mut impl Leases) {
        let name = self.cfg.name.clone();
        let fail = match msg.relationship_name.as_deref() {
            None => Some((
                RejectReason::InvalidPartner,
                "missing relationship-name".to_string(),
            )),
            Some(_) if msg.reject_reason.is_some() => {
                let reason = msg.reject_reason.unwrap_or(RejectReason::MiscReject);
                self.error(format!("Failover CONNECT to {name} rejected: {reason}"));
                self.close(conn, now, leases);
                return;
            }
            Some(n) if n != name.as_bytes() => Some((
                RejectReason::InvalidPartner,
                format!(
                    "remote failover relationship name {} does not match",
                    String::from_utf8_lossy(n)
                ),
            )),
            Some(_) if self.link.is_some() => Some((
                RejectReason::DuplicateConnection,
                "already connected".to_string(),
            )),
            Some(_) if skew(msg.time, now) > MAX_SKEW => Some((
                RejectReason::TimeMismatch,
                "time offset too large".to_string(),
            )),
            Some(_) => None,
        };
        if let Some((reason, text)) = fail {
            self.error(format!("Failover CONNECTACK from {name}: {text}"));
            self.send_new(conn, Message::disconnect(reason, Some(&text)), now);
            self.close(conn, now, leases);
            return;
        }
        self.establish(conn, msg.max_unacked, msg.receive_timer, now);
        let actions = self.machine.link_up(None);
        self.run(actions, now, leases);
    }

    /// DISCONNECT: log ISC's line (for a non-zero reason) and close.
    pub(super) fn disconnected(
        &mut self,
        conn: ConnId,
        msg: &Message,
        now: u64,
        leases: &mut impl Leases,
    ) {
        if let Some(reason) = msg.reject_reason.filter(|r| r.code() != 0) {
            self.error(format!(
                "Failover DISCONNECT from {}: {reason}",
                self.cfg.name
            ));
        }
        self.close(conn, now, leases);
    }

    /// The handshake succeeded on `conn`: it is the link; remember the partner's limits.
    /// Leases whose end passes in the next moments wait ([`super::EXPIRY_GRACE_AFTER_LINK_UP`]).
    fn establish(
        &mut self,
        conn: ConnId,
        max_unacked: Option<u32>,
        receive_timer: Option<u32>,
        now: u64,
    ) {
        self.link = Some(Peer {
            conn,
            // ISC sends nothing until it knows the peer's window; so do we.
            max_unacked: max_unacked.unwrap_or(0),
            receive_timer: receive_timer.unwrap_or(0),
            last_sent: now,
            last_received: now,
        });
        self.steps.push(Step::Established(true));
        self.expiries_wait_from(now);
    }
}

/// |a − b| in seconds between a header time and ours.
fn skew(theirs: u32, now: u64) -> u64 {
    u64::from(theirs).abs_diff(now)
}
