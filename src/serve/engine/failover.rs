//! The DHCP side of failover (digest §4.2, §5.2, §5.3, §7.4, §8.2): which clients a failover
//! pool answers in each state, load balancing, which leases are mine to hand out, the MCLT
//! clamp, local lease changes queued for the partner, and expiry.

use std::net::Ipv4Addr;

use super::{Engine, Incoming, Outcome, via};
use crate::model::Role;
use crate::serve::alloc::Slot;
use crate::serve::bindings::{Binding, ClientKey, State};
use crate::serve::config::ServeRole;
use crate::serve::failover::control::{PoolStatus, Status};
use crate::serve::failover::peer::{Relationship, Step};
use crate::serve::failover::rules::{self, Ownership};
use crate::serve::failover::state::ServiceState;
use crate::serve::failover::wire::{load_balance_hash, primary_serves};
use crate::serve::packet;

/// How long a secondary in NORMAL looks away from an active lease that ran out before
/// checking again (the primary expires it and tells us).
const EXPIRY_RECHECK: u64 = 5;

impl Engine {
    /// Makes this engine a failover peer of `rel`'s partner.
    pub fn attach_failover(&mut self, rel: Relationship) {
        self.failover = Some(rel);
    }

    /// The relationship, for a failover peer.
    pub fn relationship(&self) -> Option<&Relationship> {
        self.failover.as_ref()
    }

    /// The relationship as the control socket reports it, for a failover peer.
    pub fn failover_status(&self) -> Option<Status> {
        let rel = self.failover.as_ref()?;
        let m = rel.machine();
        let service = m.service_state();
        let (queued, unacked) = rel.backlog();
        let pools = (0..self.cfg.pools.len())
            .filter(|p| self.cfg.is_failover_pool(*p))
            .map(|p| {
                let (free, backup, busy) = self.alloc.counts(p);
                PoolStatus {
                    network: self.cfg.links[self.link_of(self.cfg.pools[p].subnet)]
                        .name
                        .clone(),
                    free: free as u64,
                    backup: backup as u64,
                    busy: busy as u64,
                }
            })
            .collect();
        Some(Status {
            name: rel.config().name.clone(),
            role: self.role().as_str().to_string(),
            state: m.reported_state().to_string(),
            startup: m.state() == crate::leases::FailoverState::Startup,
            since: m.my_stos(),
            partner_state: m.partner_state().to_string(),
            partner_since: m.partner_stos(),
            mclt: m.mclt(),
            connected: rel.linked(),
            service: match service {
                ServiceState::Cooperating => "cooperating",
                ServiceState::NotCooperating => "not-cooperating",
                ServiceState::PartnerDown => "partner-down",
                ServiceState::Startup => "startup",
                ServiceState::NotResponding(_) => "not-responding",
            }
            .to_string(),
            service_reason: service.reason().to_string(),
            updates_queued: queued as u64,
            updates_unacked: unacked as u64,
            pools,
        })
    }

    /// My role in a failover pair (a standalone server allocates like a primary).
    pub(super) fn role(&self) -> Role {
        match self.cfg.role {
            ServeRole::Peer(r) => r,
            ServeRole::Standalone => Role::Primary,
        }
    }

    /// The relationship's name, for log lines.
    pub(super) fn peer_name(&self) -> String {
        self.failover
            .as_ref()
            .map(|r| r.config().name.clone())
            .unwrap_or_default()
    }

    /// Whether a REQUEST for `ip` in a failover pool may go on to the usual checks (ISC
    /// `dhcprequest`): not while not responding, and not for a free lease of the partner or
    /// a transitional one that cannot be rewound; these are ignored, not NAKed.
    pub(super) fn failover_request_ok(
        &self,
        inc: Incoming<'_>,
        ip: Ipv4Addr,
        key: &ClientKey,
        binding: Option<&Binding>,
        now: u64,
        out: &mut Outcome,
    ) -> bool {
        let line = |why: &str| {
            format!(
                "DHCPREQUEST for {ip} from {} via {}: {why}",
                packet::mac_string(inc.msg),
                via(inc)
            )
        };
        let service = self.service();
        if !service.serves() {
            out.log(|| line(&format!("not responding{}", service.reason())));
            return false;
        }
        let offered = self.offers.get(&ip).is_some_and(|o| &o.client == key);
        let mine = || offered || self.mine_to_allocate(ip, now);
        match self.state_of(ip) {
            State::Free | State::Backup if !mine() => {
                out.log(|| line("lease owned by peer"));
                false
            }
            s @ (State::Released | State::Expired)
                if binding.and_then(|b| b.rewind) != Some(State::Active) && !mine() =>
            {
                out.log(|| line(&format!("lease in transition state {s}")));
                false
            }
            _ => true,
        }
    }

    /// A RELEASE or DECLINE of a failover-pool address while not responding is ignored, with
    /// ISC's line `NAME: ignored (reason)`.
    pub(super) fn ignored_while_not_responding(&self, ip: Ipv4Addr, out: &mut Outcome) -> bool {
        let service = self.service();
        if self.failover.is_none() || !self.fo_addr(ip) || service.serves() {
            return false;
        }
        let name = self.peer_name();
        out.log(|| format!("{name}: ignored{}", service.reason()));
        true
    }

    /// Whether `ip` is in a pool shared with the partner.
    pub(super) fn fo_addr(&self, ip: Ipv4Addr) -> bool {
        self.alloc
            .pool_of(ip)
            .is_some_and(|p| self.cfg.is_failover_pool(p))
    }

    /// ISC's service state for failover pools. A peer without a relationship (engine tests)
    /// behaves as in communications-interrupted: its own leases only.
    pub(super) fn service(&self) -> ServiceState {
        self.failover
            .as_ref()
            .map_or(ServiceState::NotCooperating, |r| {
                r.machine().service_state()
            })
    }

    /// The MCLT in force.
    pub(super) fn mclt(&self) -> u32 {
        self.failover
            .as_ref()
            .map_or(self.cfg.mclt, |r| r.machine().mclt())
    }

    fn ownership(&self) -> Ownership {
        let (partner_down, my_stos) = self.failover.as_ref().map_or((false, 0), |r| {
            (
                r.machine().service_state() == ServiceState::PartnerDown,
                r.machine().my_stos(),
            )
        });
        Ownership {
            role: self.role(),
            partner_down,
            my_stos,
            mclt: self.mclt(),
            partner_lag: self.clocks.partner_lag(),
        }
    }

    /// When a transitional lease may be freed in PARTNER-DOWN: MCLT after its potential
    /// expiration or my entry into the state, and not before its end, each held by the clock
    /// skew seen ([`rules::reclaim_in_partner_down`]).
    pub(super) fn reclaim_at(&self, b: &Binding, stos: u64, mclt: u32) -> u64 {
        let tsfp = b.tsfp.map(|t| t.saturating_add(self.clocks.partner_lag()));
        rules::reclaim_in_partner_down(stos, tsfp, mclt)
            .max(b.ends.saturating_add(self.clocks.expiry_hold(b.starts)))
    }

    /// The state of a pool address: its record's, or for an address never used, the slot's
    /// (a fresh failover pool is FREE on both peers).
    pub(super) fn state_of(&self, ip: Ipv4Addr) -> State {
        if let Some(b) = self.leases.get(ip) {
            return b.state;
        }
        let slot = self
            .offers
            .get(&ip)
            .map(|o| o.slot)
            .or_else(|| self.alloc.slot(ip));
        match slot {
            Some(Slot::Backup) => State::Backup,
            _ => State::Free,
        }
    }

    /// Whether `ip` may go to a new client now: in a failover pool, ISC's
    /// `lease_mine_to_reallocate`; elsewhere, a free address of the pool.
    pub(super) fn mine_to_allocate(&self, ip: Ipv4Addr, now: u64) -> bool {
        if !self.fo_addr(ip) {
            return self.alloc.available(&self.cfg, ip);
        }
        if self.offers.contains_key(&ip) {
            return false;
        }
        let b = self.leases.get(ip);
        self.ownership().mine(
            self.state_of(ip),
            b.and_then(|b| b.rewind),
            b.and_then(|b| b.tsfp).unwrap_or(0),
            now,
        )
    }

    /// Takes a new address of pool `p` for a client: my own free state first, then (in
    /// partner-down, each after its MCLT wait) the partner's. Returns the address and the
    /// slot to give it back to.
    pub(super) fn take_new(&mut self, p: usize, now: u64) -> Option<(Ipv4Addr, Slot)> {
        let own = self.alloc.own_slot(&self.cfg, p);
        if let Some(ip) = self.alloc.take(p, own) {
            return Some((ip, own));
        }
        let ownership = self.ownership();
        if !self.cfg.is_failover_pool(p) || !ownership.partner_down {
            return None;
        }
        let theirs = match own {
            Slot::Free => Slot::Backup,
            _ => Slot::Free,
        };
        let state = match theirs {
            Slot::Backup => State::Backup,
            _ => State::Free,
        };
        let leases = &self.leases;
        let ip = self.alloc.take_where(p, theirs, |ip| {
            let tsfp = leases.get(ip).and_then(|b| b.tsfp).unwrap_or(0);
            ownership.mine(state, None, tsfp, now)
        })?;
        Some((ip, theirs))
    }

    /// Whether the partner holds free leases in a failover pool the client may use on
    /// `link` (ISC's `peer_has_leases`).
    pub(super) fn peer_has_leases(&self, link: usize, known: bool) -> bool {
        let theirs = match self.role() {
            Role::Primary => 1,
            Role::Secondary => 0,
        };
        (0..self.cfg.pools.len()).any(|p| {
            self.cfg.is_failover_pool(p) && self.pool_ok(p, link, known) && {
                let (free, backup, _) = self.alloc.counts(p);
                [free, backup][theirs] > 0
            }
        })
    }

    /// Whether a DISCOVER belongs to the partner by the hash (ISC `load_balance_mine` said
    /// no): only when cooperating, with `load balance max seconds` above 0 and `secs` within
    /// it; without a hash bucket assignment nothing is mine.
    pub(super) fn hashed_to_peer(&self, msg: &packet::Request) -> bool {
        let Some(rel) = &self.failover else {
            return false;
        };
        let lb_max = rel.config().load_balance_max_seconds;
        if !rel.machine().load_balances() || lb_max == 0 || u32::from(msg.secs()) > lb_max {
            return false;
        }
        let Some(hba) = rel.hba() else {
            return true;
        };
        let key = match packet::client_key(msg) {
            crate::serve::bindings::ClientKey::Uid(id) => load_balance_hash(&id),
            crate::serve::bindings::ClientKey::Hw(..) => load_balance_hash(msg.chaddr()),
        };
        primary_serves(&hba, key) != (self.role() == Role::Primary)
    }

    /// The lease time to grant in a failover pool (ISC `ack_lease`, digest §8.2): the
    /// desired time clamped by MCLT past what the partner acknowledged (`tsfp`).
    pub(super) fn clamp(&self, desired: u32, ip: Ipv4Addr, now: u64) -> u32 {
        let tsfp = self.leases.get(ip).and_then(|b| b.tsfp).unwrap_or(0);
        rules::clamp_lease_time(desired, self.mclt(), tsfp, now)
    }

    /// Commits a local change of a lease. In a failover pool the partner has not seen it
    /// yet (`atsfp` cleared), the rewind state follows ISC (the new state while cooperating
    /// or not responding, else the last one the partner knew), and its BNDUPD is queued.
    pub(super) fn commit_local(&mut self, mut b: Binding, out: &mut Outcome) -> bool {
        let ip = b.addr;
        let failover = self.fo_addr(ip);
        if failover {
            b.atsfp = None;
            b.rewind = match self.service() {
                ServiceState::Cooperating | ServiceState::NotResponding(_) => Some(b.state),
                _ => Some(
                    self.leases
                        .get(ip)
                        .map_or_else(|| self.state_of(ip), |old| old.rewind.unwrap_or(old.state)),
                ),
            };
        }
        let Some(ev) = self.leases.commit(b) else {
            return false;
        };
        out.events.push(ev);
        if failover && let Some(rel) = self.failover.as_mut() {
            rel.queue_update(ip);
        }
        true
    }

    /// Runs `f` on the relationship with this engine as its lease database, and returns
    /// the steps it produced (none without a relationship).
    pub(super) fn with_relationship(
        &mut self,
        f: impl FnOnce(&mut Relationship, &mut Engine),
    ) -> Vec<Step> {
        let Some(mut rel) = self.failover.take() else {
            return Vec::new();
        };
        f(&mut rel, self);
        let steps = rel.take_steps();
        self.failover = Some(rel);
        steps
    }

    /// Sends the updates queued by a DHCP exchange (flow control permitting).
    pub(super) fn flush_updates(&mut self, now: u64, out: &mut Outcome) {
        if self.failover.is_some() {
            let steps = self.with_relationship(|r, e| r.flush(now, e));
            out.peer.extend(steps);
        }
    }

    /// An active lease whose end has passed: expired here (the primary always; the
    /// secondary except in NORMAL), or looked at again shortly. Unlike ISC, no peer expires
    /// leases while it answers no one (STARTUP, RECOVER, conflict resolution...), nor while
    /// the partner's backlog may still be on its way after the link came up
    /// ([`crate::serve::failover::peer::Relationship::expiries_wait`]): its lease file may be
    /// stale, and the partner's newer bindings are coming.
    /// A lease in a failover pool is also held past its end by the partner's lag behind our
    /// clock and our own forward steps since it started
    /// ([`crate::serve::failover::peer::Clocks::expiry_hold`]); it is looked at again at
    /// least every [`EXPIRY_RECHECK`] seconds, so a hold that shrinks counts.
    pub(super) fn expire_active(&mut self, b: Binding, now: u64, out: &mut Outcome) {
        let hold = if self.failover.is_some() && self.fo_addr(b.addr) {
            self.clocks.expiry_hold(b.starts)
        } else {
            0
        };
        let due = b.ends.saturating_add(hold);
        if now < due {
            self.leases
                .schedule(b.addr, due.min(now.saturating_add(EXPIRY_RECHECK)));
            return;
        }
        if self.fo_addr(b.addr)
            && self.failover.as_ref().is_some_and(|r| {
                !r.machine().expires_active_leases()
                    || !r.machine().service_state().serves()
                    || r.expiries_wait(now)
            })
        {
            self.leases.schedule(b.addr, now + EXPIRY_RECHECK);
            return;
        }
        self.end_lease(b, State::Expired, now, out);
    }

    /// An expired, released or reset lease whose timer came up: freed in PARTNER-DOWN once
    /// its end and [`rules::reclaim_in_partner_down`] have passed (ISC `pool_timer`),
    /// otherwise left for the partner's ack.
    pub(super) fn free_transitional(&mut self, b: Binding, now: u64, out: &mut Outcome) {
        let frees = self
            .failover
            .as_ref()
            .is_some_and(|r| r.machine().frees_transitional_on_timer());
        if !frees || !self.fo_addr(b.addr) {
            return;
        }
        let o = self.ownership();
        let due = self.reclaim_at(&b, o.my_stos, o.mclt);
        if now < due {
            self.leases.schedule(b.addr, due);
            return;
        }
        let ip = b.addr;
        let next = Binding {
            state: State::Free,
            tstp: Some(now),
            ..b
        };
        if self.commit_local(next, out) {
            self.alloc.set(ip, self.slot_for(ip, State::Free));
        }
    }

    /// How a lease ends in a failover pool (release or expiry, ISC `release_lease` and
    /// `pool_timer`): in communications-interrupted, straight back to my free state if that
    /// is what the partner last knew (rewind); otherwise through `via` until the partner
    /// acks, with the freeing timer set in PARTNER-DOWN.
    pub(super) fn end_failover_lease(&mut self, mut next: Binding, via: State, out: &mut Outcome) {
        let ip = next.addr;
        let own = rules::own_free(self.role());
        let rewind = self
            .leases
            .get(ip)
            .and_then(|b| b.rewind)
            .unwrap_or(next.state);
        next.tstp = Some(next.ends);
        next.state = if self.service() == ServiceState::NotCooperating && rewind == own {
            own
        } else {
            via
        };
        if next.state == via && self.service() == ServiceState::PartnerDown {
            let o = self.ownership();
            let at = self.reclaim_at(&next, o.my_stos, o.mclt);
            self.leases.schedule(ip, at);
        }
        let state = next.state;
        if self.commit_local(next, out) {
            self.alloc.set(ip, self.slot_for(ip, state));
        }
    }
}
