//! The relationship's timers (digest §9): link start-up (15 s for CONNECT or CONNECTACK),
//! CONTACT every ⌊peer receive-timer / 3⌋ s without other traffic, the receive timeout at our
//! own max-response-delay, and the state machine's deadlines.

use super::{Leases, Relationship};
use crate::serve::failover::link::ConnId;
use crate::serve::failover::wire::Message;

/// How long a connection may wait for CONNECT (secondary) or CONNECTACK (primary).
pub(super) const LINK_STARTUP_SECS: u64 = 15;

impl Relationship {
    /// Runs every timer that is due at `now`; call it about once a second.
    pub fn poll(&mut self, now: u64, leases: &mut impl Leases) {
        let linked = self.link.as_ref().map(|p| p.conn);
        let stale: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(c, conn)| {
                Some(**c) != linked && now >= conn.opened_at.saturating_add(LINK_STARTUP_SECS)
            })
            .map(|(c, _)| *c)
            .collect();
        for conn in stale {
            self.info("failover: link startup timeout".to_string());
            self.close(conn, now, leases);
        }
        if let Some(peer) = self.link.clone() {
            let receive = u64::from(self.cfg.max_response_delay.max(1));
            let contact = u64::from((peer.receive_timer / 3).max(1));
            if now >= peer.last_received.saturating_add(receive) {
                self.error(format!(
                    "timeout waiting for failover peer {}",
                    self.cfg.name
                ));
                self.close(peer.conn, now, leases);
            } else if now >= peer.last_sent.saturating_add(contact) {
                self.send_new(peer.conn, Message::contact(), now);
            }
        }
        if self.machine.next_deadline().is_some_and(|at| at <= now) {
            let actions = self.machine.poll(now);
            self.run(actions, now, leases);
        }
        if self.balance_dirty {
            self.balance_dirty = false;
            self.schedule_balance(now, leases);
        }
        self.balance_timer(now, leases);
        self.flush(now, leases);
    }
}
