//! The lease database as the failover protocol sees it ([`Leases`]): the partner's binding
//! updates applied with ISC's rules (digest §5.4, §5.5; ISC
//! `dhcp_failover_process_bind_update`), its acks (§5.6), the update queue's contents, and
//! the engine's entry points for the connection events of the server loop.

use std::net::Ipv4Addr;

use super::Engine;
use crate::leases::BindingState as State;
use crate::model::Role;
use crate::serve::bindings::{Binding, BindingEvent};
use crate::serve::failover::balance::Schedule;
use crate::serve::failover::link::ConnId;
use crate::serve::failover::peer::{Applied, Balanced, Context, Leases, Refusal, Step};
use crate::serve::failover::rules;
use crate::serve::failover::state::PartnerDownRefused;
use crate::serve::failover::wire::{
    BindingUpdate, Chaddr, IP_FLAG_BOOTP, IP_FLAG_RESERVED, Message, RejectReason, WireError,
};

fn refuse(reason: RejectReason, text: impl Into<String>) -> Refusal {
    Refusal {
        reason,
        text: text.into(),
    }
}

impl Engine {
    /// The transport opened a connection to or from the partner.
    pub fn peer_opened(&mut self, conn: ConnId, now: u64) -> Vec<Step> {
        self.with_relationship(|r, _| r.opened(conn, now))
    }

    /// A message (or a decoding error) arrived on a connection.
    pub fn peer_frame(
        &mut self,
        conn: ConnId,
        frame: Result<Message, WireError>,
        now: u64,
    ) -> Vec<Step> {
        if let (Some(r), Ok(m)) = (&self.failover, &frame)
            && r.on_link(conn)
        {
            self.clocks.observe(m.time, now);
        }
        self.with_relationship(|r, e| r.received(conn, frame, now, e))
    }

    /// Our wall clock was stepped by `by` seconds and now reads `now` (seen against the
    /// monotonic clock).
    pub fn clock_stepped(&mut self, by: i64, now: u64) {
        self.clocks.stepped(by, now);
    }

    /// A connection is gone.
    pub fn peer_closed(&mut self, conn: ConnId, now: u64) -> Vec<Step> {
        self.with_relationship(|r, e| r.closed(conn, now, e))
    }

    /// The relationship's timers (call about once a second).
    pub fn peer_poll(&mut self, now: u64) -> Vec<Step> {
        self.with_relationship(|r, e| r.poll(now, e))
    }

    /// The operator's partner-down.
    pub fn partner_down(&mut self, now: u64) -> Result<Vec<Step>, PartnerDownRefused> {
        let mut result = Ok(());
        let steps = self.with_relationship(|r, e| result = r.partner_down(now, e));
        result.map(|()| steps)
    }

    /// The last state stanza could not be written.
    pub fn peer_persist_failed(&mut self, now: u64) -> Vec<Step> {
        self.with_relationship(|r, e| r.persist_failed(now, e))
    }

    /// A graceful stop: the connections close without a word.
    pub fn peer_shutdown(&mut self) -> Vec<Step> {
        self.with_relationship(|r, _| r.shutdown())
    }

    /// Commits a binding the partner decided on, keeps the allocator in step and forgets any
    /// offer of ours for the address.
    fn install(&mut self, b: Binding) -> BindingEvent {
        let ip = b.addr;
        if let Some(o) = self.drop_offer(ip) {
            self.alloc.set(ip, o.slot);
        }
        let slot = self.slot_for(ip, b.state);
        self.alloc.set(ip, slot);
        self.leases.replace(b)
    }

    /// MAC affinity (ISC, primary only): a lease back in FREE whose last client hashes to
    /// the secondary goes to it as BACKUP at once, unless the secondary holds enough.
    fn affinity(&mut self, ip: Ipv4Addr, ctx: &Context, now: u64) -> Option<BindingEvent> {
        if ctx.role != Role::Primary {
            return None;
        }
        let b = self.leases.get(ip)?.clone();
        let key = rules::lease_hash_key(b.uid.as_deref(), b.hw.as_ref().map(|(_, a)| a.as_slice()));
        if b.state != State::Free || !rules::peer_wants(ctx.role, ctx.hba.as_ref(), key) {
            return None;
        }
        let (free, backup, _) = self.alloc.counts(self.alloc.pool_of(ip)?);
        if !rules::secondary_not_hoarding(free as u64, backup as u64, ctx.max_lease_ownership) {
            return None;
        }
        Some(self.install(Binding {
            state: State::Backup,
            tstp: Some(now),
            starts: now,
            atsfp: None,
            rewind: Some(State::Free),
            ..b
        }))
    }
}

impl Leases for Engine {
    fn local(&self, ip: Ipv4Addr) -> Option<(State, u64)> {
        self.leases.get(ip).map(|b| (b.state, b.cltt.unwrap_or(0)))
    }

    fn apply_update(&mut self, m: &Message, ctx: &Context, now: u64) -> Result<Applied, Refusal> {
        let (Some(ip), Some(incoming)) = (m.assigned_ip, m.binding_status.and_then(|s| s.known()))
        else {
            return Err(refuse(
                RejectReason::MissingBindingInfo,
                "binding update lacks required options",
            ));
        };
        match self.alloc.pool_of(ip) {
            None => return Err(refuse(RejectReason::IllegalIpAddress, "unknown IP address")),
            Some(p) if !self.cfg.is_failover_pool(p) => {
                return Err(refuse(
                    RejectReason::IllegalIpAddress,
                    "IP address is covered by a different failover relationship state",
                ));
            }
            Some(_) => {}
        }
        let local = self.state_of(ip);
        let old = self
            .leases
            .get(ip)
            .cloned()
            .unwrap_or_else(|| Binding::empty(ip, local));
        let mut b = old.clone();
        match &m.chaddr {
            Some(_) if incoming == State::Abandoned => {
                return Err(refuse(
                    RejectReason::MiscReject,
                    "BNDUPD to ABANDONED with a CHADDR",
                ));
            }
            Some(c) if c.as_wire().len() > Chaddr::MAX_LEN => {
                return Err(refuse(RejectReason::MiscReject, "chaddr too long"));
            }
            Some(c) => b.hw = c.htype().map(|t| (t, c.addr().to_vec())),
            None if matches!(incoming, State::Active | State::Expired | State::Released) => {
                return Err(refuse(
                    RejectReason::MissingBindingInfo,
                    "BNDUPD without CHADDR",
                ));
            }
            None if incoming == State::Abandoned => b.hw = None,
            None => {}
        }
        match &m.client_id {
            Some(_) if incoming == State::Abandoned => {
                return Err(refuse(
                    RejectReason::MiscReject,
                    "BNDUPD to ABANDONED with client-id",
                ));
            }
            Some(id) => b.uid = Some(id.clone()),
            None if !matches!(incoming, State::Reset | State::Free | State::Backup) => b.uid = None,
            None => {}
        }
        let flags = m.ip_flags.unwrap_or(0);
        if flags & (IP_FLAG_RESERVED | IP_FLAG_BOOTP) != 0 && local == rules::own_free(ctx.role) {
            return Err(if flags & IP_FLAG_RESERVED != 0 {
                refuse(RejectReason::IpNotReserved, "Address is not reserved.")
            } else {
                refuse(
                    RejectReason::MiscReject,
                    "Address is not allocated to BOOTP.",
                )
            });
        }
        if flags & !(IP_FLAG_RESERVED | IP_FLAG_BOOTP) != 0 {
            tracing::info!("Unknown IP-flags set in BNDUPD (0x{flags:x}).");
        }
        if let Some(stos) = m.start_time_of_state {
            b.starts = u64::from(stos);
        }
        if let Some(ends) = m.lease_expiration {
            b.ends = u64::from(ends);
        }
        if let Some(cltt) = m.cltt {
            b.cltt = Some(u64::from(cltt));
        }
        let pexp = m.potential_expiration.map(u64::from);
        if let Some(p) = pexp {
            b.tsfp = Some(p);
            b.atsfp = Some(p);
        }
        let times = rules::UpdateTimes {
            pexp: pexp.unwrap_or(0),
            ends: m.lease_expiration.map_or(0, u64::from),
            sent: u64::from(m.time),
        };
        // An end written by our clock before a forward step of it comes early after it.
        let ends_here = old.ends.saturating_add(self.clocks.steps_since(old.starts));
        let allowed =
            rules::accepted_state(ctx.normal, ctx.role, local, incoming, times, ends_here, now);
        if allowed != incoming {
            return Err(refuse(
                RejectReason::FatalConflict,
                format!("{ip}: invalid state transition: {local} to {incoming}"),
            ));
        }
        // dhcpfo, not ISC: the primary keeps an ACTIVE binding whose end has already passed
        // (by the partner's clock or ours) until its potential expiration, which is never
        // before the end of a lease its sender granted. ISC 4.4.3 sends such an update
        // after taking our early EXPIRED of a lease it renewed while we were apart: the
        // state it had queued, with our end. Expired at once, the lease was freed and given
        // to another client while the first still held it.
        if incoming == State::Active
            && ctx.role == Role::Primary
            && let Some(p) = pexp
            && (b.ends <= now || b.ends <= u64::from(m.time))
        {
            b.ends = b.ends.max(p);
        }
        let client_changed = b.hw != old.hw || b.uid != old.uid;
        if client_changed {
            b.hostname = None;
        }
        b.state = match incoming {
            State::Expired | State::Released | State::Reset => State::Free,
            s => s,
        };
        // The partner has this state now: no rewinding behind it.
        b.rewind = Some(b.state);
        // A never-used address that the partner sends as never used too (a lease made from
        // a range, as ISC answers UPDREQALL): the pool's byte already says it all.
        let zero = |t: Option<u64>| t.filter(|&t| t != 0);
        let unused = Binding {
            tsfp: zero(b.tsfp),
            atsfp: zero(b.atsfp),
            rewind: None,
            ..b.clone()
        };
        if self.leases.get(ip).is_none() && unused == Binding::empty(ip, local) {
            return Ok(Applied::default());
        }
        let mut applied = Applied {
            events: vec![self.install(b)],
            send_back: None,
        };
        if incoming != applied.events[0].binding.state
            && let Some(ev) = self.affinity(ip, ctx, now)
        {
            applied.events.push(ev);
            applied.send_back = Some(ip);
        }
        Ok(applied)
    }

    fn acked(&mut self, ip: Ipv4Addr, tstp: u64, ctx: &Context, now: u64) -> Applied {
        let Some(mut b) = self.leases.get(ip).cloned() else {
            return Applied::default();
        };
        b.tsfp = Some(tstp);
        b.atsfp = Some(tstp);
        let transitional = matches!(b.state, State::Expired | State::Released | State::Reset);
        if transitional {
            b.state = State::Free;
            b.rewind = Some(State::Free);
        }
        let mut applied = Applied {
            events: vec![self.install(b)],
            send_back: None,
        };
        if transitional && let Some(ev) = self.affinity(ip, ctx, now) {
            applied.events.push(ev);
            applied.send_back = Some(ip);
        }
        applied
    }

    fn pending(&self, all: bool) -> Vec<Ipv4Addr> {
        let mut pending: Vec<Ipv4Addr> = self
            .leases
            .iter()
            .filter(|b| self.fo_addr(b.addr))
            .filter(|b| {
                all || b.tstp.unwrap_or(0) > b.atsfp.unwrap_or(0)
                    || matches!(b.state, State::Expired | State::Released | State::Reset)
            })
            .map(|b| b.addr)
            .collect();
        if all {
            // ISC sends every lease of the pools, the never-used ones too (FREE, no times).
            pending.extend(
                (0..self.cfg.pools.len())
                    .filter(|p| self.cfg.is_failover_pool(*p))
                    .flat_map(|p| self.alloc.addresses(p))
                    .filter(|ip| self.leases.get(*ip).is_none()),
            );
        }
        pending
    }

    fn update(&mut self, ip: Ipv4Addr) -> Option<BindingUpdate> {
        let Some(b) = self.leases.get(ip) else {
            // A failover-pool address never used: its free state with no client and no
            // times, as ISC sends a lease created from a range.
            return self.fo_addr(ip).then(|| BindingUpdate {
                ip,
                status: self.state_of(ip),
                client_id: None,
                chaddr: None,
                ends: 0,
                tstp: 0,
                starts: 0,
                cltt: 0,
                ip_flags: 0,
            });
        };
        let secs = crate::serve::failover::peer::secs32;
        let update = BindingUpdate {
            ip,
            status: b.state,
            client_id: b.uid.clone(),
            chaddr: b.hw.as_ref().map(|(t, a)| Chaddr::new(*t, a)),
            ends: secs(b.ends),
            tstp: secs(b.tstp.unwrap_or(0)),
            starts: secs(b.starts),
            cltt: secs(b.cltt.unwrap_or(0)),
            ip_flags: 0,
        };
        let state = b.state;
        self.leases.set_rewind(ip, state);
        Some(update)
    }

    fn balance(&mut self, ctx: &Context, timer: bool, now: u64) -> Balanced {
        self.balance_pools(ctx, timer, now)
    }

    fn balance_due(&self, ctx: &Context, schedule: &Schedule, now: u64) -> Option<u64> {
        Engine::balance_due(self, ctx, schedule, now)
    }

    fn partner_down_entered(&mut self, stos: u64, mclt: u32, _now: u64) -> Vec<BindingEvent> {
        let due: Vec<(Ipv4Addr, u64)> = self
            .leases
            .iter()
            .filter(|b| {
                self.fo_addr(b.addr)
                    && matches!(b.state, State::Expired | State::Released | State::Reset)
            })
            .map(|b| {
                let at = self.reclaim_at(b, stos, mclt);
                (b.addr, at)
            })
            .collect();
        for (ip, at) in due {
            self.leases.schedule(ip, at);
        }
        Vec::new()
    }
}
