//! Binding updates: the send queue with the partner's window, BNDUPD and BNDACK with ISC's
//! rules, and UPDREQ / UPDREQALL answered with UPDDONE after the last ack (digest
//! §2.1, §5.5, §5.6, §9; ISC `dhcp_failover_send_updates`, `..._process_bind_update`,
//! `..._process_bind_ack`, `..._process_update_request[_all]`).

use std::net::Ipv4Addr;

use super::{Flying, Leases, Relationship, Step};
use crate::leases::BindingState;
use crate::serve::failover::link::ConnId;
use crate::serve::failover::rules;
use crate::serve::failover::wire::{Message, RejectReason};

impl Relationship {
    /// A lease of the relationship changed here: queue its BNDUPD. An update of it still in
    /// flight is forgotten, as ISC does (a late ack for it is then ignored); `flush` sends.
    pub fn queue_update(&mut self, ip: Ipv4Addr) {
        self.balance_dirty = true;
        self.flying.remove(&ip);
        if self.queued.insert(ip) {
            self.queue.push_back(ip);
        }
    }

    /// Every update in flight goes back to the front of the queue, oldest first, and the
    /// window is empty again (ISC `dhcp_failover_rescind_updates`).
    pub(super) fn rescind(&mut self) {
        let mut back: Vec<(u32, Ipv4Addr)> =
            self.flying.drain().map(|(ip, f)| (f.xid, ip)).collect();
        back.sort_unstable();
        for (_, ip) in back.into_iter().rev() {
            if self.queued.insert(ip) {
                self.queue.push_front(ip);
            }
        }
    }

    /// Sends queued updates while the link is up and the partner's window has room. While
    /// expiries wait after the link came up ([`Self::expiries_wait`]: a moment, or until the
    /// partner's UPDDONE), an update that ends a lease ([`ends_a_lease`]) stays queued,
    /// unless an UPDREQ or UPDREQALL of the partner is being answered. The partner may have
    /// renewed or granted the lease again while the two were apart, and its queued update,
    /// arriving first, wins the duel here. Sent first, ours could win there: ISC takes an
    /// expiry when its own end is within 65 s, and an ISC primary takes a RELEASED over its
    /// own newer ACK still in its queue (it duels only updates in flight).
    pub fn flush(&mut self, now: u64, leases: &mut impl Leases) {
        let Some((conn, window)) = self.link.as_ref().map(|p| (p.conn, p.max_unacked)) else {
            return;
        };
        let hold_endings = self.expiries_wait(now) && self.update_done.is_none();
        let mut held = Vec::new();
        while self.flying.len() < window as usize {
            let Some(ip) = self.queue.pop_front() else {
                break;
            };
            if hold_endings
                && leases
                    .local(ip)
                    .is_some_and(|(state, _)| ends_a_lease(state))
            {
                held.push(ip);
                continue;
            }
            self.queued.remove(&ip);
            let Some(update) = leases.update(ip) else {
                self.completed(ip, now);
                continue;
            };
            let tstp = u64::from(update.tstp);
            let status = update.status;
            let xid = self.send_new(conn, Message::bndupd(&update), now);
            tracing::debug!(
                "failover: sent BNDUPD {ip} {status} ends {} (xid {xid})",
                update.ends
            );
            self.flying.insert(ip, Flying { xid, tstp });
        }
        // Still queued, in their order, ahead of the rest.
        for ip in held.into_iter().rev() {
            self.queue.push_front(ip);
        }
    }

    /// Drops the queued (not yet sent) update of `ip`: the partner's update of it won.
    fn unqueue(&mut self, ip: Ipv4Addr, now: u64) {
        if self.queued.remove(&ip) {
            self.queue.retain(|q| *q != ip);
            self.completed(ip, now);
        }
    }

    /// Sends UPDREQALL (`all`) or UPDREQ; its xid, if the link is up.
    pub(super) fn request_updates(&mut self, all: bool, now: u64) -> Option<u32> {
        let conn = self.link.as_ref().map(|p| p.conn)?;
        let (msg, what) = if all {
            (Message::updreqall(), "update request all")
        } else {
            (Message::updreq(), "update request")
        };
        let xid = self.send_new(conn, msg, now);
        self.info(format!("Sent {what} message to {}", self.cfg.name));
        Some(xid)
    }

    /// A BNDUPD from the partner: duelling updates, then the lease database's rules; the
    /// BNDACK echoes the xid and leaves once the accepted binding is on disk. An update of
    /// mine still in the queue duels as one in flight does (ISC only checks the latter):
    /// taken as it comes, an older update overwrites the newer lease, which the queued
    /// update then sends back in its place.
    pub(super) fn bind_update(
        &mut self,
        conn: ConnId,
        msg: &Message,
        now: u64,
        leases: &mut impl Leases,
    ) {
        let ip = msg.assigned_ip.unwrap_or(Ipv4Addr::UNSPECIFIED);
        let refuse = |reason, text: &str| Message::bndack(ip, Some((reason, text)));
        let (Some(_), Some(status)) = (msg.assigned_ip, msg.binding_status) else {
            let ack = refuse(
                RejectReason::MissingBindingInfo,
                "binding update lacks required options",
            );
            self.send_as(conn, ack, msg.xid, now);
            return;
        };
        let Some(incoming) = status.known() else {
            let text = format!("unknown binding status {}", status.code());
            self.send_as(conn, refuse(RejectReason::MiscReject, &text), msg.xid, now);
            return;
        };
        let mut ours_lost = false;
        if (self.flying.contains_key(&ip) || self.queued.contains(&ip))
            && let Some((local, cltt)) = leases.local(ip)
        {
            let theirs = u64::from(msg.cltt.unwrap_or(0));
            if rules::mine_is_better(self.cfg.role, local, cltt, incoming, theirs) {
                let ack = refuse(
                    RejectReason::LessCriticalBindingInfo,
                    "incoming update is less critical than outgoing update",
                );
                self.send_as(conn, ack, msg.xid, now);
                return;
            }
            // Ours lost the duel and is forgotten: if it was the last one an UPDREQ or
            // UPDREQALL asked for, that answer is complete (ISC sends UPDDONE on the late ack
            // it still takes; ignoring that ack, dhcpfo would never send it).
            if self.flying.remove(&ip).is_some() {
                self.completed(ip, now);
            }
            ours_lost = true;
        }
        let ctx = self.context();
        self.balance_dirty = true;
        let ends = msg.lease_expiration.unwrap_or(0);
        match leases.apply_update(msg, &ctx, now) {
            Ok(applied) => {
                tracing::debug!(
                    "failover: BNDUPD {ip} {incoming} ends {ends} (xid {}) accepted",
                    msg.xid
                );
                if !applied.events.is_empty() {
                    self.steps.push(Step::Journal(applied.events));
                }
                self.send_as(conn, Message::bndack(ip, None), msg.xid, now);
                // Ours, still queued (held), would only echo the partner's binding back
                // with our older times.
                if ours_lost {
                    self.unqueue(ip, now);
                }
                if let Some(back) = applied.send_back {
                    self.queue_update(back);
                }
            }
            Err(refusal) => {
                tracing::debug!(
                    "failover: BNDUPD {ip} {incoming} ends {ends} (xid {}) refused: {}",
                    msg.xid,
                    refusal.text
                );
                let ack = refuse(refusal.reason, &refusal.text);
                self.send_as(conn, ack, msg.xid, now);
            }
        }
    }

    /// A BNDACK: a rejection is logged and the update dropped; an ack with the xid of the
    /// last update of the address completes it (digest §5.6). A rejection of an update since
    /// superseded leaves the newer one in flight (ISC, checking no xid, drops it).
    pub(super) fn bind_ack(&mut self, msg: &Message, now: u64, leases: &mut impl Leases) {
        let Some(ip) = msg.assigned_ip else {
            tracing::debug!("failover peer {}: BNDACK without an address", self.cfg.name);
            return;
        };
        if let Some(reason) = msg.reject_reason {
            let text = msg
                .message_text()
                .map_or_else(|| reason.text().into_owned(), |t| t.into_owned());
            self.error(format!(
                "bind update on {ip} from {} rejected: {text}",
                self.cfg.name
            ));
            if self.flying.get(&ip).is_some_and(|f| f.xid == msg.xid) {
                self.flying.remove(&ip);
                self.completed(ip, now);
            }
            return;
        }
        let Some(flying) = self.flying.get(&ip).copied() else {
            // Not waiting for an ack of this address: a duplicate, or a forgotten update.
            return;
        };
        if flying.xid != msg.xid {
            self.info(format!(
                "bind update on {ip} got ack from {}: xid mismatch.",
                self.cfg.name
            ));
            return;
        }
        self.flying.remove(&ip);
        self.balance_dirty = true;
        tracing::debug!("failover: BNDACK {ip} (xid {})", msg.xid);
        let ctx = self.context();
        let applied = leases.acked(ip, flying.tstp, &ctx, now);
        if !applied.events.is_empty() {
            self.steps.push(Step::Journal(applied.events));
        }
        self.completed(ip, now);
        if let Some(back) = applied.send_back {
            self.queue_update(back);
        }
    }

    /// The update of `ip` is done with (acked, rejected, or nothing to send): if it was the
    /// last one an UPDREQ or UPDREQALL asked for, send UPDDONE.
    fn completed(&mut self, ip: Ipv4Addr, now: u64) {
        if let Some((xid, last)) = self.update_done
            && last == ip
        {
            self.update_done = None;
            self.send_update_done(xid, now);
        }
    }

    fn send_update_done(&mut self, xid: u32, now: u64) {
        if let Some(conn) = self.link.as_ref().map(|p| p.conn) {
            self.send_as(conn, Message::upddone(), xid, now);
            self.info(format!("Sent update done message to {}", self.cfg.name));
        }
    }

    /// UPDREQALL (`all`) or UPDREQ: queue every address of the pools (or what the partner
    /// has not acknowledged), and send UPDDONE after the ack of the last one queued.
    pub(super) fn update_request(
        &mut self,
        _conn: ConnId,
        msg: &Message,
        all: bool,
        now: u64,
        leases: &mut impl Leases,
    ) {
        if self.update_done.take().is_some() {
            self.info(
                "Received update request while old update still flying!  Silently discarding \
                 old request."
                    .to_string(),
            );
        }
        for ip in leases.pending(all) {
            if !self.flying.contains_key(&ip) && self.queued.insert(ip) {
                self.queue.push_back(ip);
            }
        }
        let what = if all {
            "Update request all"
        } else {
            "Update request"
        };
        if let Some(&last) = self.queue.back() {
            self.update_done = Some((msg.xid, last));
            self.info(format!("{what} from {}: sending update", self.cfg.name));
        } else {
            self.send_update_done(msg.xid, now);
            self.info(format!("{what} from {}: nothing pending", self.cfg.name));
        }
    }
}

/// Whether an update in `state` ends a lease the partner may have renewed or granted again
/// meanwhile (not FREE or BACKUP: those of a lease that ended are sent after its EXPIRED or
/// RELEASED was acked, and pool balancing moves addresses no client holds).
fn ends_a_lease(state: BindingState) -> bool {
    matches!(
        state,
        BindingState::Expired
            | BindingState::Released
            | BindingState::Abandoned
            | BindingState::Reset
    )
}
