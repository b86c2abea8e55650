//! The address allocator: one byte per pool address (free, backup or busy), so a pool of a
//! million addresses costs a megabyte, and allocation is a scan from a rotating cursor.
//!
//! Failover pools of a peer start all `free`, as ISC's do on both peers (leases created from
//! a range are FREE): the secondary owns nothing until the primary's pool balance gives it
//! `backup` addresses.

use std::net::Ipv4Addr;

use super::config::{ServeConfig, ServeRole};
use crate::model::Role;

/// The allocation state of one pool address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Slot {
    /// Free: allocatable by the primary or a standalone server.
    Free = 0,
    /// Backup: allocatable by the secondary.
    Backup = 1,
    /// Offered, leased, abandoned or waiting to be freed.
    Busy = 2,
}

impl Slot {
    fn from_byte(b: u8) -> Slot {
        match b {
            0 => Slot::Free,
            1 => Slot::Backup,
            _ => Slot::Busy,
        }
    }
}

#[derive(Debug)]
struct PoolMap {
    /// Inclusive ranges and the index of their first address in `slots`.
    ranges: Vec<(u32, u32, usize)>,
    slots: Vec<u8>,
    cursor: usize,
    counts: [usize; 3],
}

impl PoolMap {
    fn addr(&self, i: usize) -> Option<Ipv4Addr> {
        let r = self.ranges.iter().rev().find(|(_, _, off)| *off <= i)?;
        Some(Ipv4Addr::from(r.0 + (i - r.2) as u32))
    }
}

/// Per-pool address maps and an index from address to pool.
#[derive(Debug)]
pub struct Allocator {
    pools: Vec<PoolMap>,
    /// (first, last, pool, offset) sorted by first.
    index: Vec<(u32, u32, usize, usize)>,
    /// The slot this server allocates from in failover pools.
    own: Slot,
}

impl Allocator {
    /// Maps every pool of the configuration, all addresses available.
    pub fn new(cfg: &ServeConfig) -> Allocator {
        let mut index = Vec::new();
        let pools = cfg
            .pools
            .iter()
            .enumerate()
            .map(|(p, pool)| {
                let mut ranges = Vec::new();
                let mut len = 0usize;
                for &(s, e) in &pool.ranges {
                    ranges.push((s, e, len));
                    index.push((s, e, p, len));
                    len += (e - s) as usize + 1;
                }
                PoolMap {
                    ranges,
                    slots: vec![Slot::Free as u8; len],
                    cursor: 0,
                    counts: [len, 0, 0],
                }
            })
            .collect();
        index.sort_unstable();
        Allocator {
            pools,
            index,
            own: match cfg.role {
                ServeRole::Peer(Role::Secondary) => Slot::Backup,
                _ => Slot::Free,
            },
        }
    }

    /// The pool and slot index of an address.
    fn locate(&self, ip: Ipv4Addr) -> Option<(usize, usize)> {
        let n = u32::from(ip);
        let i = self.index.partition_point(|(s, _, _, _)| *s <= n);
        let &(s, e, pool, off) = self.index.get(i.checked_sub(1)?)?;
        (n >= s && n <= e).then(|| (pool, off + (n - s) as usize))
    }

    /// The pool an address belongs to.
    pub fn pool_of(&self, ip: Ipv4Addr) -> Option<usize> {
        self.locate(ip).map(|(p, _)| p)
    }

    /// The slot of a pool address.
    pub fn slot(&self, ip: Ipv4Addr) -> Option<Slot> {
        let (p, i) = self.locate(ip)?;
        Some(Slot::from_byte(self.pools[p].slots[i]))
    }

    /// Sets the slot of a pool address (no effect outside the pools).
    pub fn set(&mut self, ip: Ipv4Addr, slot: Slot) {
        if let Some((p, i)) = self.locate(ip) {
            let pool = &mut self.pools[p];
            let old = pool.slots[i] as usize;
            pool.counts[old.min(2)] -= 1;
            pool.counts[slot as usize] += 1;
            pool.slots[i] = slot as u8;
        }
    }

    /// The slot this server may allocate from in pool `p` (free in a pool without failover).
    pub fn own_slot(&self, cfg: &ServeConfig, p: usize) -> Slot {
        if cfg.is_failover_pool(p) {
            self.own
        } else {
            Slot::Free
        }
    }

    /// Whether this server may hand out `ip` now (it is in a pool and in the own slot).
    pub fn available(&self, cfg: &ServeConfig, ip: Ipv4Addr) -> bool {
        match self.locate(ip) {
            Some((p, i)) => self.pools[p].slots[i] == self.own_slot(cfg, p) as u8,
            None => false,
        }
    }

    /// Takes the next address of pool `p` in slot `want` and marks it busy.
    pub fn take(&mut self, p: usize, want: Slot) -> Option<Ipv4Addr> {
        let pool = self.pools.get_mut(p)?;
        if pool.counts[want as usize] == 0 {
            return None;
        }
        let len = pool.slots.len();
        let w = want as u8;
        let found = pool.slots[pool.cursor..]
            .iter()
            .position(|b| *b == w)
            .map(|i| i + pool.cursor)
            .or_else(|| pool.slots[..pool.cursor].iter().position(|b| *b == w))?;
        pool.slots[found] = Slot::Busy as u8;
        pool.counts[want as usize] -= 1;
        pool.counts[Slot::Busy as usize] += 1;
        pool.cursor = (found + 1) % len.max(1);
        pool.addr(found)
    }

    /// Takes the first address of pool `p` in slot `want` from the cursor on that `ok`
    /// accepts, and marks it busy (the partner's addresses in partner-down, each with its
    /// own MCLT wait). Looks at every address in that slot at most once.
    pub fn take_where(
        &mut self,
        p: usize,
        want: Slot,
        mut ok: impl FnMut(Ipv4Addr) -> bool,
    ) -> Option<Ipv4Addr> {
        let pool = self.pools.get(p)?;
        let len = pool.slots.len();
        let mut left = pool.counts[want as usize];
        let w = want as u8;
        let mut i = pool.cursor;
        for _ in 0..len {
            if left == 0 {
                break;
            }
            if pool.slots[i] == w {
                left -= 1;
                if let Some(ip) = pool.addr(i).filter(|ip| ok(*ip)) {
                    let pool = &mut self.pools[p];
                    pool.slots[i] = Slot::Busy as u8;
                    pool.counts[want as usize] -= 1;
                    pool.counts[Slot::Busy as usize] += 1;
                    pool.cursor = (i + 1) % len.max(1);
                    return Some(ip);
                }
            }
            i = (i + 1) % len.max(1);
        }
        None
    }

    /// Every address of pool `p`, from the first.
    pub fn addresses(&self, p: usize) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.pools.get(p).into_iter().flat_map(|pool| {
            pool.ranges
                .iter()
                .flat_map(|&(s, e, _)| (s..=e).map(Ipv4Addr::from))
        })
    }

    /// The addresses of pool `p` in slot `want`, from the first (pool balancing walks them).
    pub fn addresses_in(&self, p: usize, want: Slot) -> impl Iterator<Item = Ipv4Addr> + '_ {
        let w = want as u8;
        self.pools.get(p).into_iter().flat_map(move |pool| {
            pool.slots
                .iter()
                .enumerate()
                .filter(move |(_, s)| **s == w)
                .filter_map(|(i, _)| pool.addr(i))
        })
    }

    /// (free, backup, busy) counts of a pool.
    pub fn counts(&self, p: usize) -> (usize, usize, usize) {
        self.pools
            .get(p)
            .map_or((0, 0, 0), |m| (m.counts[0], m.counts[1], m.counts[2]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;

    fn cfg(role: ServeRole, range: &str) -> ServeConfig {
        let yaml = format!(
            "failover: {{ name: f, mclt: 60 }}\npeers:\n  primary: {{ address: 10.0.0.2 }}\n  secondary: {{ address: 10.0.0.3 }}\nsubnets:\n  - network: 10.0.0.0/8\n    pools:\n      - range: {range}\n      - range: [10.200.0.1, 10.200.0.4]\n        failover: false\n"
        );
        let src = model::load_str("t.yaml", yaml).expect("valid");
        ServeConfig::build(&src.pair, role)
    }

    #[test]
    fn standalone_allocates_every_address_once() {
        let c = cfg(
            ServeRole::Standalone,
            "[[10.0.0.10, 10.0.0.12], [10.0.1.1, 10.0.1.2]]",
        );
        let mut a = Allocator::new(&c);
        let mut got = Vec::new();
        while let Some(ip) = a.take(0, Slot::Free) {
            got.push(ip.to_string());
        }
        assert_eq!(
            got,
            [
                "10.0.0.10",
                "10.0.0.11",
                "10.0.0.12",
                "10.0.1.1",
                "10.0.1.2"
            ]
        );
        assert_eq!(a.counts(0), (0, 0, 5));
        a.set(Ipv4Addr::new(10, 0, 0, 11), Slot::Free);
        assert_eq!(a.take(0, Slot::Free), Some(Ipv4Addr::new(10, 0, 0, 11)));
        assert_eq!(a.pool_of(Ipv4Addr::new(10, 0, 1, 2)), Some(0));
        assert_eq!(a.pool_of(Ipv4Addr::new(10, 0, 1, 3)), None);
        assert_eq!(a.pool_of(Ipv4Addr::new(10, 200, 0, 4)), Some(1));
    }

    #[test]
    fn failover_pools_start_all_free_like_isc() {
        let c = cfg(ServeRole::Peer(Role::Secondary), "[10.0.0.10, 10.0.0.19]");
        let mut a = Allocator::new(&c);
        assert_eq!(a.counts(0), (10, 0, 0));
        assert_eq!(a.own_slot(&c, 0), Slot::Backup);
        assert_eq!(
            a.take(0, Slot::Backup),
            None,
            "the secondary owns nothing yet"
        );
        // A pool without failover is the server's own.
        assert_eq!(a.own_slot(&c, 1), Slot::Free);
        assert!(a.available(&c, Ipv4Addr::new(10, 200, 0, 1)));
        // The primary's balance hands addresses over as backup.
        for last in [11, 13, 15] {
            a.set(Ipv4Addr::new(10, 0, 0, last), Slot::Backup);
        }
        assert_eq!(a.counts(0), (7, 3, 0));
        let backup: Vec<u8> = a
            .addresses_in(0, Slot::Backup)
            .map(|ip| ip.octets()[3])
            .collect();
        assert_eq!(backup, [11, 13, 15]);
        let mut got = Vec::new();
        while let Some(ip) = a.take(0, Slot::Backup) {
            assert!(!a.available(&c, ip));
            got.push(ip.octets()[3]);
        }
        assert_eq!(got, [11, 13, 15]);
        let p = cfg(ServeRole::Peer(Role::Primary), "[10.0.0.10, 10.0.0.19]");
        let a = Allocator::new(&p);
        assert!(a.available(&p, Ipv4Addr::new(10, 0, 0, 11)));
    }

    #[test]
    fn take_where_skips_what_the_test_refuses() {
        let c = cfg(ServeRole::Peer(Role::Primary), "[10.0.0.10, 10.0.0.19]");
        let mut a = Allocator::new(&c);
        for last in 10..=19 {
            a.set(Ipv4Addr::new(10, 0, 0, last), Slot::Backup);
        }
        let got = a.take_where(0, Slot::Backup, |ip| ip.octets()[3] > 16);
        assert_eq!(got, Some(Ipv4Addr::new(10, 0, 0, 17)));
        assert_eq!(a.take_where(0, Slot::Backup, |_| false), None);
        assert_eq!(a.counts(0), (0, 9, 1));
        assert_eq!(a.take_where(0, Slot::Free, |_| true), None);
    }

    #[test]
    fn large_pool_is_one_byte_per_address() {
        let c = cfg(ServeRole::Standalone, "[10.0.0.1, 10.15.66.64]");
        let mut a = Allocator::new(&c);
        assert_eq!(a.counts(0).0, 1_000_000);
        assert_eq!(a.take(0, Slot::Free), Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(a.slot(Ipv4Addr::new(10, 15, 66, 64)), Some(Slot::Free));
    }
}
