//! When the pools are balanced (digest §8.4; ISC `dhcp_failover_pool_balance`,
//! `..._pool_rebalance`, `..._pool_reqbalance`, `..._pool_check`): at once on entering
//! NORMAL, on the scheduled timer (the only run that may send POOLREQ), and on the partner's
//! POOLREQ (answered with POOLRESP); only ever in NORMAL.

use super::{Leases, Relationship, Step};
use crate::leases::FailoverState;
use crate::serve::failover::balance::Schedule;
use crate::serve::failover::link::ConnId;
use crate::serve::failover::wire::Message;

impl Relationship {
    /// One balance run; returns how many leases went to the partner. `timer`: the
    /// scheduled run, which sends POOLREQ when a pool is badly short.
    pub(super) fn run_balance(&mut self, timer: bool, now: u64, leases: &mut impl Leases) -> u32 {
        if self.machine.state() != FailoverState::Normal {
            return 0;
        }
        self.last_balance = now;
        let ctx = self.context();
        let done = leases.balance(&ctx, timer, now);
        for (level, line) in done.lines {
            self.steps.push(Step::Log(level, line));
        }
        if !done.events.is_empty() {
            self.steps.push(Step::Journal(done.events));
        }
        let moved = u32::try_from(done.moved.len()).unwrap_or(u32::MAX);
        for ip in done.moved {
            self.queue_update(ip);
        }
        if done.poolreq
            && let Some(conn) = self.link.as_ref().map(|p| p.conn)
        {
            self.send_new(conn, Message::poolreq(), now);
        }
        self.schedule_balance(now, leases);
        moved
    }

    /// Brings the next scheduled balance forward if the pools call for it (it only ever
    /// moves earlier), with ISC's random 0-4 s.
    pub(super) fn schedule_balance(&mut self, now: u64, leases: &impl Leases) {
        if self.machine.state() != FailoverState::Normal {
            return;
        }
        let schedule = Schedule {
            misbalance: self.cfg.max_lease_misbalance,
            min_balance: self.cfg.min_balance,
            max_balance: self.cfg.max_balance,
            last_balance: self.last_balance,
        };
        let Some(at) = leases.balance_due(&self.context(), &schedule, now) else {
            return;
        };
        let at = at + now % 5;
        if self.next_balance.is_none_or(|t| at < t) {
            self.next_balance = Some(at);
        }
    }

    /// The scheduled balance, if due.
    pub(super) fn balance_timer(&mut self, now: u64, leases: &mut impl Leases) {
        if self.next_balance.is_some_and(|t| t <= now) {
            self.next_balance = None;
            if self.run_balance(true, now, leases) > 0 {
                self.flush(now, leases);
            }
        }
    }

    /// POOLREQ: balance without a POOLREQ of our own, answer POOLRESP with the count moved,
    /// then the BNDUPDs follow.
    pub(super) fn pool_request(
        &mut self,
        conn: ConnId,
        msg: &Message,
        now: u64,
        leases: &mut impl Leases,
    ) {
        self.next_balance = None;
        let moved = self.run_balance(false, now, leases);
        self.send_as(conn, Message::poolresp(moved), msg.xid, now);
        if moved == 0 {
            self.info(format!(
                "peer {}: Got POOLREQ, answering negatively!  Peer may be out of leases or \
                 database inconsistent.",
                self.cfg.name
            ));
        }
    }
}
