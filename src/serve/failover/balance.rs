//! Pool balancing arithmetic, as ISC dhcpd does it (digest §8.4; ISC
//! `dhcp_failover_pool_dobalance` and `dhcp_failover_pool_check`): how many free leases a
//! server should hand its partner, when it panics and sends POOLREQ, when the next balance
//! runs, and the log lines operators grep for.

use crate::model::Role;

/// The figures of one pool before a balance run (C integer arithmetic, truncating).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Leases to send: half the excess of my free state over the partner's (negative: I
    /// need leases).
    pub lts: i64,
    /// `max-lease-misbalance` share of the pool: above it after balancing, the pool is
    /// IMBALANCED.
    pub thresh: i64,
    /// `max-lease-ownership` share: how far either side may hold more than half.
    pub hold: i64,
    /// Below this `lts`, the timer-driven balance sends POOLREQ.
    pub panic: i64,
}

/// The plan for a pool with `free` FREE and `backup` BACKUP leases.
pub(crate) fn plan(role: Role, free: u64, backup: u64, misbalance: u32, ownership: u32) -> Plan {
    let (free, backup) = (free as i64, backup as i64);
    let lts = match role {
        Role::Primary => (free - backup) / 2,
        Role::Secondary => (backup - free) / 2,
    };
    let total = free + backup;
    let thresh = (total * i64::from(misbalance) + 50) / 100;
    let hold = (total * i64::from(ownership) + 50) / 100;
    let panic = match thresh * -2 {
        0 => -1,
        p => p,
    };
    Plan {
        lts,
        thresh,
        hold,
        panic,
    }
}

/// What the pool-balance timer needs to schedule the next run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// `max-lease-misbalance`, percent.
    pub misbalance: u32,
    /// `min-balance`, seconds.
    pub min_balance: u32,
    /// `max-balance`, seconds.
    pub max_balance: u32,
    /// When the last balance ran (0: never).
    pub last_balance: u64,
}

impl Schedule {
    /// When a pool asks for its next balance (before ISC's random 0-4 s): from the age of its
    /// oldest FREE and BACKUP lease (`now − ends`, 0 if none or not yet ended), each scaled
    /// by the misbalance share, my own side's doubled, the smaller one capped at
    /// max-balance, and never sooner than min-balance after the last run.
    pub fn next(
        &self,
        role: Role,
        oldest_free: Option<u64>,
        oldest_backup: Option<u64>,
        now: u64,
    ) -> u64 {
        let age = |ends: Option<u64>| ends.filter(|e| *e < now).map_or(0, |e| now - e);
        let scale = |a: u64| (a.saturating_mul(u64::from(self.misbalance)) + 50) / 100;
        let (mut free, mut backup) = (scale(age(oldest_free)), scale(age(oldest_backup)));
        match role {
            Role::Primary => free = free.saturating_mul(2),
            Role::Secondary => backup = backup.saturating_mul(2),
        }
        let mut at = now + free.min(backup).min(u64::from(self.max_balance));
        let floor = self.last_balance + u64::from(self.min_balance);
        if self.last_balance != 0 && at < floor {
            at = floor;
        }
        at
    }
}

/// The figures a balance log line shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PoolLine<'a> {
    /// The pool (ISC prints its memory address in hex; dhcpfo its index).
    pub pool: usize,
    /// The shared network, or the subnet of a lone one.
    pub network: &'a str,
    /// Every lease of the pool, in any state.
    pub total: u64,
    /// FREE leases.
    pub free: u64,
    /// BACKUP leases.
    pub backup: u64,
    /// Leases to send.
    pub lts: i64,
}

impl PoolLine<'_> {
    /// `pool P NET  total T  free F  backup B  lts L`, the part both lines share.
    fn figures(&self) -> String {
        format!(
            "pool {:x} {}  total {}  free {}  backup {}  lts {}",
            self.pool, self.network, self.total, self.free, self.backup, self.lts
        )
    }

    /// `balancing pool P NET  total T  free F  backup B  lts L  max-own (+/-)H`, with
    /// `  (requesting peer rebalance!)` when it sends POOLREQ.
    pub(crate) fn balancing(&self, hold: i64, poolreq: bool) -> String {
        let req = if poolreq {
            "  (requesting peer rebalance!)"
        } else {
            ""
        };
        format!("balancing {}  max-own (+/-){hold}{req}", self.figures())
    }

    /// `balanced pool ...` or (an error) `IMBALANCED pool ...` once `lts > thresh`.
    pub(crate) fn result(&self, thresh: i64) -> (bool, String) {
        let ok = self.lts <= thresh;
        let word = if ok { "balanced" } else { "IMBALANCED" };
        (
            ok,
            format!("{word} {}  max-misbal {thresh}", self.figures()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digests_numbers() {
        let p = plan(Role::Primary, 100, 100, 15, 10);
        assert_eq!((p.thresh, p.hold, p.panic), (30, 20, -60));
        let p = plan(Role::Primary, 50, 50, 15, 10);
        assert_eq!((p.thresh, p.hold, p.panic), (15, 10, -30));
        let p = plan(Role::Primary, 5, 5, 15, 10);
        assert_eq!((p.thresh, p.hold, p.panic), (2, 1, -4));
        // Total 200: 38 free / 162 backup on the primary panics, 40/160 does not.
        assert_eq!(plan(Role::Primary, 38, 162, 15, 10).lts, -62);
        assert!(plan(Role::Primary, 38, 162, 15, 10).lts < -60);
        assert_eq!(plan(Role::Primary, 40, 160, 15, 10).lts, -60);
        // A tiny pool panics at −2, not at once.
        assert_eq!(plan(Role::Secondary, 2, 0, 15, 10).panic, -1);
        // C truncation toward zero.
        assert_eq!(plan(Role::Secondary, 3, 0, 15, 10).lts, -1);
    }

    #[test]
    fn the_captures_lines() {
        // Scenario 3: the primary, misbalance 1, total 40, free 14, backup 20.
        let p = plan(Role::Primary, 14, 20, 1, 10);
        assert_eq!((p.lts, p.hold, p.thresh), (-3, 3, 0));
        let line = PoolLine {
            pool: 0x55d0,
            network: "192.168.100.0/24",
            total: 40,
            free: 14,
            backup: 20,
            lts: p.lts,
        };
        assert_eq!(
            line.balancing(p.hold, p.lts < p.panic),
            "balancing pool 55d0 192.168.100.0/24  total 40  free 14  backup 20  lts -3  max-own (+/-)3  (requesting peer rebalance!)"
        );
        // The fresh pair: free 40 → 20/20, max-misbal 6 with the default 15 %.
        let done = PoolLine {
            free: 20,
            backup: 20,
            lts: 0,
            ..line
        };
        let (ok, text) = done.result(plan(Role::Primary, 20, 20, 15, 10).thresh);
        assert!(ok);
        assert!(
            text.ends_with("total 40  free 20  backup 20  lts 0  max-misbal 6"),
            "{text}"
        );
        assert!(!PoolLine { lts: 7, ..done }.result(6).0);
    }

    #[test]
    fn schedules_follow_pool_check() {
        let s = Schedule {
            misbalance: 15,
            min_balance: 60,
            max_balance: 3600,
            last_balance: 0,
        };
        let now = 1_000_000;
        // Never-used leases (ends 0): the age is huge, capped at max-balance.
        assert_eq!(s.next(Role::Primary, Some(0), Some(0), now), now + 3600);
        // Nothing on either queue: age 0 on both.
        assert_eq!(s.next(Role::Primary, None, None, now), now);
        // Oldest FREE ended 1000 s ago (150 s, doubled for the primary), BACKUP 2000 s (300).
        assert_eq!(
            s.next(Role::Primary, Some(now - 1000), Some(now - 2000), now),
            now + 300
        );
        assert_eq!(
            s.next(Role::Secondary, Some(now - 1000), Some(now - 2000), now),
            now + 150
        );
        // Never sooner than min-balance after the last run.
        let recent = Schedule {
            last_balance: now - 10,
            ..s
        };
        assert_eq!(recent.next(Role::Primary, None, None, now), now + 50);
    }
}
