//! The faults and their random schedule. Everything random in a run comes from one seed
//! through [`Rng`]: the order and kind of the faults, their victims, durations and
//! parameters, and the client generators' choices; the same seed gives the same plan
//! (the timing of the peers' answers is the machine's, so a replay repeats the faults, not
//! every packet).

use dhcpfo::model::Role;

use crate::impair::Impairment;

/// splitmix64.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi.saturating_sub(lo) + 1)
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// The kinds of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `kill -9` of the victim, restarted after the hold.
    Kill9,
    /// SIGTERM to the victim, restarted after the hold.
    Stop,
    /// The failover TCP port dropped in the victim's namespace; DHCP flows.
    FailoverPartition,
    /// Every frame to or from the victim dropped on the bridge.
    Isolation,
    /// Delay, loss and reordering of the failover TCP port in the victim's namespace.
    LinkImpair,
    /// The victim's wall clock stepped ahead or behind.
    ClockStep,
    /// The victim's lease folder full.
    DiskFull,
    /// The victim restarted on a read-only lease folder.
    ReadOnly,
    /// The victim killed; its partner told partner-down by the control command.
    PartnerDown,
    /// The victim killed; its partner moves to partner-down by `auto-partner-down`.
    AutoPartnerDown,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 10] = [
        Kind::Kill9,
        Kind::Stop,
        Kind::FailoverPartition,
        Kind::Isolation,
        Kind::LinkImpair,
        Kind::ClockStep,
        Kind::DiskFull,
        Kind::ReadOnly,
        Kind::PartnerDown,
        Kind::AutoPartnerDown,
    ];

    /// A short name for reports and `CHAOS_KINDS`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Kill9 => "kill-9",
            Kind::Stop => "stop",
            Kind::FailoverPartition => "failover-partition",
            Kind::Isolation => "isolation",
            Kind::LinkImpair => "link-impair",
            Kind::ClockStep => "clock-step",
            Kind::DiskFull => "disk-full",
            Kind::ReadOnly => "read-only",
            Kind::PartnerDown => "partner-down",
            Kind::AutoPartnerDown => "auto-partner-down",
        }
    }

    /// The kind called `name`.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name.trim())
    }

    /// What it does, for the report.
    pub fn description(self) -> &'static str {
        match self {
            Kind::Kill9 => "`kill -9` of one peer, restarted on its lease file after the hold",
            Kind::Stop => "SIGTERM to one peer, restarted after the hold",
            Kind::FailoverPartition => {
                "the failover TCP port dropped (nftables, both directions) in one peer's \
                 namespace; DHCP still flows"
            }
            Kind::Isolation => {
                "every frame to or from one peer dropped on the bridge (nftables, family bridge)"
            }
            Kind::LinkImpair => {
                "delay ± jitter, loss and reordering of the failover TCP port in one peer's \
                 namespace (iptables NFQUEUE and the harness's packet scheduler)"
            }
            Kind::ClockStep => {
                "one peer's wall clock stepped ahead or behind (libfaketime, offset file \
                 changed at run time)"
            }
            Kind::DiskFull => "one peer's lease folder (a tmpfs) filled to the last byte",
            Kind::ReadOnly => {
                "one peer killed and restarted on its lease folder remounted read-only; \
                 remounted read-write and restarted after the hold"
            }
            Kind::PartnerDown => {
                "one peer killed; its partner, once communications-interrupted, told \
                 partner-down by the control command (omshell for ISC)"
            }
            Kind::AutoPartnerDown => {
                "one peer killed and kept down until its partner moves to partner-down by \
                 `auto-partner-down`, then MCLT more"
            }
        }
    }
}

/// One planned fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Seconds of steady load before it.
    pub gap: u64,
    /// Its kind.
    pub kind: Kind,
    /// The peer it hits (for partner-down kinds: the one killed).
    pub victim: Role,
    /// Seconds it lasts (for partner-down kinds: after the partner is partner-down).
    pub hold: u64,
    /// Clock offset, seconds (clock steps).
    pub offset: i64,
    /// The link's impairment (link faults).
    pub impairment: Impairment,
}

/// The timing knobs that bound the holds.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// MCLT, seconds.
    pub mclt: u64,
    /// `max-response-delay`, seconds.
    pub mrd: u64,
    /// `auto-partner-down`, seconds.
    pub apd: u64,
    /// The longest hold of the faults that need none of the above (40 in the long mode).
    pub hold_max: u64,
}

const NO_IMPAIRMENT: Impairment = Impairment {
    delay_ms: 0,
    jitter_ms: 0,
    loss: 0.0,
    reorder: 0.0,
};

/// A fault of `kind` with random victim and parameters. Holds stay below what would turn
/// the fault into another: a peer away or a link cut for less than `auto-partner-down`
/// (else its partner would declare partner-down by itself, which ISC warns is unsafe when
/// the partner is in fact alive: that is the `auto-partner-down` kind, with a dead peer).
pub fn fault(rng: &mut Rng, kind: Kind, t: Timing, gap: u64) -> Fault {
    let victim = rng.pick(&Role::BOTH);
    let below_apd = t.apd.saturating_sub(t.mrd + 10).max(6);
    let (hold, offset, impairment) = match kind {
        Kind::Kill9 | Kind::Stop | Kind::ReadOnly => (rng.range(5, below_apd), 0, NO_IMPAIRMENT),
        Kind::FailoverPartition | Kind::Isolation => (
            rng.range(t.mrd + 5, (t.mrd + below_apd).max(t.mrd + 6)),
            0,
            NO_IMPAIRMENT,
        ),
        Kind::LinkImpair => {
            let delay_ms = rng.pick(&[50u32, 200, 500, 1000]);
            (
                rng.range(t.hold_max * 3 / 8, t.hold_max),
                0,
                Impairment {
                    delay_ms,
                    jitter_ms: delay_ms / 2,
                    loss: rng.pick(&[0.0, 0.05, 0.2]),
                    reorder: rng.pick(&[0.0, 0.1, 0.25]),
                },
            )
        }
        Kind::ClockStep => {
            let size = rng.pick(&[15i64, 30, 50]);
            let sign = if rng.unit() < 0.5 { -1 } else { 1 };
            (
                rng.range(t.hold_max * 5 / 8, t.hold_max + 5),
                sign * size,
                NO_IMPAIRMENT,
            )
        }
        Kind::DiskFull => (rng.range(t.hold_max * 3 / 8, t.hold_max), 0, NO_IMPAIRMENT),
        Kind::PartnerDown | Kind::AutoPartnerDown => {
            (t.mclt + rng.range(5, t.hold_max / 2), 0, NO_IMPAIRMENT)
        }
    };
    Fault {
        gap,
        kind,
        victim,
        hold,
        offset,
        impairment,
    }
}

/// The plan of a run: `count` faults of kinds drawn from `kinds` (each kind once per round,
/// in a random order, so that a short plan covers them all), separated by gaps of
/// `gap.0..=gap.1` seconds.
pub fn plan(seed: u64, kinds: &[Kind], count: usize, gap: (u64, u64), t: Timing) -> Vec<Fault> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    while out.len() < count && !kinds.is_empty() {
        let mut round = kinds.to_vec();
        for i in (1..round.len()).rev() {
            round.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        for kind in round.into_iter().take(count - out.len()) {
            let g = rng.range(gap.0, gap.1);
            out.push(fault(&mut rng, kind, t, g));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timing = Timing {
        mclt: 20,
        mrd: 10,
        apd: 45,
        hold_max: 40,
    };

    #[test]
    fn a_seed_gives_one_plan_and_another_seed_another() {
        let a = plan(7, &Kind::ALL, 25, (5, 15), T);
        assert_eq!(a, plan(7, &Kind::ALL, 25, (5, 15), T));
        assert_ne!(a, plan(8, &Kind::ALL, 25, (5, 15), T));
    }

    #[test]
    fn every_kind_comes_once_per_round_and_holds_stay_below_auto_partner_down() {
        let p = plan(3, &Kind::ALL, 20, (5, 15), T);
        for round in p.chunks(Kind::ALL.len()) {
            let mut kinds: Vec<Kind> = round.iter().map(|f| f.kind).collect();
            kinds.sort();
            assert_eq!(kinds, Kind::ALL.to_vec());
        }
        for f in &p {
            match f.kind {
                Kind::Kill9 | Kind::Stop | Kind::ReadOnly => assert!(f.hold < T.apd, "{f:?}"),
                Kind::FailoverPartition | Kind::Isolation => {
                    // Long enough to be noticed, short enough that CI stays below apd.
                    assert!(f.hold > T.mrd && f.hold - T.mrd < T.apd, "{f:?}");
                }
                Kind::ClockStep => assert!(f.offset != 0 && f.offset.abs() < 60, "{f:?}"),
                _ => {}
            }
        }
    }
}
