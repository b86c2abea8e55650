//! Pool balancing over the engine's pools (digest §8.4; ISC
//! `dhcp_failover_pool_dobalance`): the primary hands FREE leases to the secondary as
//! BACKUP, the secondary hands surplus BACKUP back as FREE, first the leases whose last
//! client the partner would serve, then the oldest.

use std::net::Ipv4Addr;

use super::Engine;
use crate::serve::alloc::Slot;
use crate::serve::bindings::{Binding, State};
use crate::serve::failover::balance::{PoolLine, Schedule, plan};
use crate::serve::failover::peer::{Balanced, Context};
use crate::serve::failover::rules;
use crate::serve::failover::state::LogLevel;

impl Engine {
    /// My free-state slot and the partner's, in a failover pool.
    fn slots(&self, p: usize) -> (Slot, Slot) {
        match self.alloc.own_slot(&self.cfg, p) {
            Slot::Backup => (Slot::Backup, Slot::Free),
            _ => (Slot::Free, Slot::Backup),
        }
    }

    /// The end of a pool address's lease (0 for one never used).
    fn ends_of(&self, ip: Ipv4Addr) -> u64 {
        self.leases.get(ip).map_or(0, |b| b.ends)
    }

    /// One balance run over every failover pool.
    pub(super) fn balance_pools(&mut self, ctx: &Context, timer: bool, now: u64) -> Balanced {
        let mut out = Balanced::default();
        for p in 0..self.cfg.pools.len() {
            if self.cfg.is_failover_pool(p) {
                self.balance_pool(p, ctx, timer, now, &mut out);
            }
        }
        out
    }

    fn balance_pool(&mut self, p: usize, ctx: &Context, timer: bool, now: u64, out: &mut Balanced) {
        let (mine, theirs) = self.slots(p);
        let peer_state = match theirs {
            Slot::Backup => State::Backup,
            _ => State::Free,
        };
        let (free, backup, busy) = self.alloc.counts(p);
        let total = (free + backup + busy) as u64;
        let network = self.cfg.links[self.link_of(self.cfg.pools[p].subnet)]
            .name
            .clone();
        let pl = plan(
            ctx.role,
            free as u64,
            backup as u64,
            ctx.max_lease_misbalance,
            ctx.max_lease_ownership,
        );
        let mut lts = pl.lts;
        // Only the timer-driven run asks the partner (no POOLREQ ping-pong).
        let poolreq = timer && lts < pl.panic;
        out.poolreq |= poolreq;
        let line = |free, backup, lts| PoolLine {
            pool: p,
            network: &network,
            total,
            free,
            backup,
            lts,
        };
        out.lines.push((
            LogLevel::Info,
            line(free as u64, backup as u64, lts).balancing(pl.hold, poolreq),
        ));
        // My free queue, oldest first (never-used leases, ends 0, lead).
        let mut queue: Vec<(u64, Ipv4Addr)> = self
            .alloc
            .addresses_in(p, mine)
            .map(|ip| (self.ends_of(ip), ip))
            .collect();
        queue.sort_unstable();
        let mut moved = vec![false; queue.len()];
        let mut pass_two = true;
        for (i, (_, ip)) in queue.iter().enumerate() {
            if lts <= -pl.hold {
                pass_two = false;
                break;
            }
            let wanted = self.leases.get(*ip).is_some_and(|b| {
                let key = rules::lease_hash_key(
                    b.uid.as_deref(),
                    b.hw.as_ref().map(|(_, a)| a.as_slice()),
                );
                rules::peer_wants(ctx.role, ctx.hba.as_ref(), key)
            });
            if wanted {
                self.give_away(*ip, peer_state, now, out);
                moved[i] = true;
                lts -= 1;
            }
        }
        if pass_two {
            for (i, (ends, ip)) in queue.iter().enumerate() {
                if moved[i] {
                    continue;
                }
                if (*ends != 0 && lts <= pl.hold) || (*ends == 0 && lts <= 0) {
                    break;
                }
                self.give_away(*ip, peer_state, now, out);
                lts -= 1;
            }
        }
        let (free, backup, _) = self.alloc.counts(p);
        let (ok, text) = line(free as u64, backup as u64, lts).result(pl.thresh);
        out.lines
            .push((if ok { LogLevel::Info } else { LogLevel::Error }, text));
    }

    /// Moves one of my free leases to the partner's free state (ISC: `tstp = starts = now`,
    /// client hostname scrubbed, sent as an ordinary BNDUPD).
    fn give_away(&mut self, ip: Ipv4Addr, to: State, now: u64, out: &mut Balanced) {
        let from = self.state_of(ip);
        let b = self
            .leases
            .get(ip)
            .cloned()
            .unwrap_or_else(|| Binding::empty(ip, from));
        let next = Binding {
            state: to,
            tstp: Some(now),
            starts: now,
            atsfp: None,
            hostname: None,
            rewind: Some(to),
            ..b
        };
        let slot = self.slot_for(ip, to);
        self.alloc.set(ip, slot);
        out.events.push(self.leases.replace(next));
        out.moved.push(ip);
    }

    /// When the pools next want a balance run (ISC `dhcp_failover_pool_check`, the
    /// earliest over the relationship's pools).
    pub(super) fn balance_due(&self, ctx: &Context, schedule: &Schedule, now: u64) -> Option<u64> {
        (0..self.cfg.pools.len())
            .filter(|p| self.cfg.is_failover_pool(*p))
            .map(|p| {
                let oldest = |slot| {
                    self.alloc
                        .addresses_in(p, slot)
                        .map(|ip| self.ends_of(ip))
                        .min()
                };
                schedule.next(ctx.role, oldest(Slot::Free), oldest(Slot::Backup), now)
            })
            .min()
    }
}
