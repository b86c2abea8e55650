//! The address allocator: one byte per pool address (free, backup or busy), so a pool of a
//! million addresses costs a megabyte, and allocation is a scan from a rotating cursor.
//!
//! Failover pools of a peer start split like a balanced ISC pool: every other address is
//! `backup` (the secondary's to allocate), the rest `free` (the primary's).

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
                let split = cfg.is_failover_pool(p);
                let slots: Vec<u8> = (0..len)
                    .map(|i| if split && i % 2 == 1 { 1 } else { 0 })
                    .collect();
                let backup = slots.iter().filter(|b| **b == 1).count();
                PoolMap {
                    ranges,
                    slots,
                    cursor: 0,
                    counts: [len - backup, backup, 0],
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
    fn failover_pools_split_free_and_backup() {
        let c = cfg(ServeRole::Peer(Role::Secondary), "[10.0.0.10, 10.0.0.19]");
        let mut a = Allocator::new(&c);
        assert_eq!(a.counts(0), (5, 5, 0));
        assert_eq!(a.own_slot(&c, 0), Slot::Backup);
        // A pool without failover is the server's own.
        assert_eq!(a.own_slot(&c, 1), Slot::Free);
        assert_eq!(a.counts(1), (4, 0, 0));
        let mut got = Vec::new();
        while let Some(ip) = a.take(0, Slot::Backup) {
            assert!(!a.available(&c, ip));
            got.push(ip.octets()[3]);
        }
        assert_eq!(got, [11, 13, 15, 17, 19]);
        assert!(a.available(&c, Ipv4Addr::new(10, 200, 0, 1)));
        let p = cfg(ServeRole::Peer(Role::Primary), "[10.0.0.10, 10.0.0.19]");
        let a = Allocator::new(&p);
        assert!(a.available(&p, Ipv4Addr::new(10, 0, 0, 10)));
        assert!(!a.available(&p, Ipv4Addr::new(10, 0, 0, 11)));
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
