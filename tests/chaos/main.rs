//! Fault injection on a failover pair: does the pair keep its two promises (no address
//! bound to two clients at once, no ACKed lease forgotten) and keep serving, while its
//! peers are killed, stopped, partitioned, slowed, their clocks stepped and their disks
//! filled?
//!
//! The lab is the pair lab of `tests/common/pair_lab.rs` (two peers on one segment, one
//! model rendered for both, direct and relayed client namespaces, tcpdump in each), with
//! each peer's lease folder on its own small tmpfs and each peer run under libfaketime
//! (offset file, `+0` until a clock fault). The test's client generator
//! (`tests/common/dhcp_client.rs`) keeps a steady load of many distinct MACs: DORA, renew
//! at T1, rebind at T2, releases and declines, with new clients joining over time.
//!
//! Faults (`schedule.rs`) come one at a time on a schedule drawn from a printed seed; each
//! is verified to take effect (`run.rs`): kill -9 and graceful stop (the partner moves to
//! communications-interrupted), a failover-link partition (nftables in the victim's
//! namespace; both move to communications-interrupted), isolation of a peer (nftables on
//! the bridge; its partner moves to communications-interrupted, frames are counted), delay,
//! loss and reordering of the failover link (an NFQUEUE packet scheduler, `impair.rs`, since
//! the kernel here has no netem; measured by TCP probes), a clock step (libfaketime; seen
//! in the `cltt` the peer writes), a full disk (the tmpfs filled; the peer's write error
//! is logged), a read-only disk (remounted read-only while the peer is down; the restart
//! fails with EROFS), partner-down by the control command and by `auto-partner-down`.
//!
//! The checkers (`verdict.rs`, over `tests/common/pair_check.rs`) read every ACK captured
//! in the client namespaces, both lease files and both logs; `verdict.rs` defines
//! unavailability per fault precisely.
//!
//! Short mode (`cargo test --test chaos`): two runs per pair with fixed seeds, each covering
//! half the fault kinds once, about two minutes each; a different seed with
//! `CHAOS_SEED=N`. Long mode: `scripts/chaos.sh` runs the ignored `long_mode` test, which
//! reads `CHAOS_PAIRS`, `CHAOS_DURATION` (seconds per pair) and `CHAOS_SEED`, and writes one
//! report section per pair for `docs/reliability.md`.
//!
//! With all four pairs (ISC+ISC, dhcpfo+ISC, ISC+dhcpfo, dhcpfo+dhcpfo), the short mode
//! takes about 16 minutes (two runs of two minutes per pair, one at a time), and the
//! five regression replays about 9 more (1.5 to 3 minutes each).
//!
//! A seed that finds a duplicate or a lost lease becomes a regression test twice: an engine
//! test (`tests/quick/failover_engines.rs`) that rebuilds the finding's interleaving
//! deterministically and names the seed, and a harness replay here (`mod regressions`):
//! [`replay`] runs the window of that seed's long-mode plan in which the finding fell (the
//! faults before it are skipped, the ones in it are the long run's, on the long mode's
//! model) and fails on the same findings as the short mode. The replay does not rebuild
//! the clients and leases of the hundreds of seconds before the window, nor its timing, so
//! it may miss the same interleaving: with the fix of seed 1796403444 reverted, its window
//! found the lost lease again in one of two tries. The engine test is the one that always
//! fails without the fix.
//!
//! Needs root, `ip`, `nft` (nftables), `iptables`, `faketime` (and libfaketime), `mount`,
//! `dhcpd` and `omshell`, `tcpdump`, `perfdhcp`; without them a test is skipped with a
//! note, except under CI=true.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

#[path = "../common/mod.rs"]
mod common;
mod full_disk;
mod guards;
mod impair;
mod report;
mod run;
mod schedule;
mod verdict;

use std::ops::RangeInclusive;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use common::pair_lab::{LabModel, PairKind, PeerKind};
use dhcpfo::model::Role;
use run::{Config, run, test_name};
use schedule::Kind;

static SERIAL: Mutex<()> = Mutex::new(());

/// One lab at a time: the runs measure timing on a shared machine.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// `isc+dhcpfo` -> the pair.
fn parse_pair(label: &str) -> Option<PairKind> {
    let kind = |s: &str| match s.trim() {
        "isc" => Some(PeerKind::Isc),
        "dhcpfo" => Some(PeerKind::Dhcpfo),
        _ => None,
    };
    let (p, s) = label.split_once('+')?;
    Some(PairKind {
        primary: kind(p)?,
        secondary: kind(s)?,
    })
}

/// The model of the short mode: short leases and MCLT so that every fault resolves within
/// seconds.
fn short_model() -> LabModel {
    LabModel {
        mclt: 10,
        default_lease_time: 30,
        max_lease_time: 30,
        direct_pool: 120,
        relayed_pool: 60,
        max_response_delay: 6,
        max_unacked_updates: 10,
        auto_partner_down: Some(20),
        ..LabModel::default()
    }
}

/// The model of the long mode.
fn long_model() -> LabModel {
    LabModel {
        mclt: 20,
        default_lease_time: 40,
        max_lease_time: 60,
        direct_pool: 400,
        relayed_pool: 160,
        max_response_delay: 10,
        max_unacked_updates: 10,
        auto_partner_down: Some(45),
        ..LabModel::default()
    }
}

/// The seed: `CHAOS_SEED` if set, else `default`.
fn seed_or(default: u64) -> u64 {
    std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default)
}

fn short_config(pair: PairKind, seed: u64, kinds: &[Kind]) -> Config {
    Config {
        pair,
        seed,
        kinds: kinds.to_vec(),
        faults: kinds.len(),
        first_fault: 0,
        duration: Duration::from_secs(240),
        gap: (3, 6),
        model: short_model(),
        clients: (16, 12),
        new_client_every: 10,
        release_decline: (0.15, 0.1),
        churn: 0.1,
        settle_bound: 60,
        hold_max: 20,
    }
}

/// The long mode's configuration: at most `faults` faults from `kinds` over `duration`
/// seconds.
fn long_config(pair: PairKind, seed: u64, kinds: &[Kind], faults: usize, duration: u64) -> Config {
    Config {
        pair,
        seed,
        kinds: kinds.to_vec(),
        faults,
        first_fault: 0,
        duration: Duration::from_secs(duration),
        gap: (5, 20),
        model: long_model(),
        clients: (40, 30),
        new_client_every: 20,
        release_decline: (0.15, 0.05),
        churn: 0.1,
        settle_bound: 90,
        hold_max: 40,
    }
}

/// A regression test from a long-mode seed: the window `faults` of that seed's plan (the
/// fault in whose window the finding fell), on the long mode's model, after checking that
/// the plan still puts `kind` on `victim` there for `hold` seconds, as the long run's
/// report says (a changed planner would replay something else).
fn replay(
    pair: PairKind,
    seed: u64,
    faults: RangeInclusive<usize>,
    (kind, victim, hold): (Kind, Role, u64),
) {
    assert!(faults.start() <= faults.end(), "an empty window");
    let mut cfg = long_config(pair, seed, &Kind::ALL, faults.end() + 1, 3600);
    cfg.first_fault = *faults.start();
    let planned = schedule::plan(seed, &cfg.kinds, cfg.faults, cfg.gap, cfg.timing());
    let last = &planned[*faults.end()];
    assert_eq!(
        (last.kind, last.victim, last.hold),
        (kind, victim, hold),
        "seed {seed}: fault {} of the plan is not the one that found the bug",
        faults.end()
    );
    check(&test_name(pair, seed), pair, cfg);
}

/// Runs a short-mode plan for `pair` (seed `CHAOS_SEED` if set) through [`check`].
fn short(pair: PairKind, seed: u64, kinds: &[Kind]) {
    let seed = seed_or(seed);
    check(
        &test_name(pair, seed),
        pair,
        short_config(pair, seed, kinds),
    );
}

/// Runs `cfg` and fails on any duplicate, lost lease, fault that did not take effect, or
/// slow return to service (with ISC on both sides, losses that ISC's own defects explain
/// are listed, not failed).
fn check(name: &str, pair: PairKind, cfg: Config) {
    let _serial = serial();
    let (seed, planned) = (cfg.seed, cfg.faults - cfg.first_fault);
    let replay = if cfg.first_fault > 0 {
        "replay with cargo test --test chaos regressions".to_string()
    } else {
        format!("replay with CHAOS_SEED={seed} cargo test --test chaos")
    };
    let Some(evidence) = run(name, cfg) else {
        return;
    };
    let a = verdict::analyse(&evidence);
    eprintln!("{}", a.summary());
    let isc_only = !pair.has_dhcpfo();
    assert_eq!(
        a.kinds.values().map(|k| k.injected).sum::<usize>(),
        planned,
        "every planned fault was injected:\n{}",
        a.summary()
    );
    if a.violations(isc_only) > 0 {
        eprintln!("{}", address_evidence(&evidence, &a));
    }
    assert!(
        a.unverified.is_empty(),
        "faults that did not take effect ({replay}):\n{}",
        a.summary()
    );
    assert_eq!(
        a.violations(isc_only),
        0,
        "duplicates or lost leases ({replay}):\n{}",
        a.summary()
    );
    assert!(
        a.slow.is_empty(),
        "slow to serve again ({replay}):\n{}",
        a.summary()
    );
}

/// Both peers' log lines about each address of a duplicate or a lost lease (at most 40 per
/// address and peer): a CI run keeps no lab files, so a finding carries its evidence.
fn address_evidence(evidence: &run::Evidence, a: &verdict::Analysis) -> String {
    let mut addrs: Vec<std::net::Ipv4Addr> = a.lost.iter().map(|(l, _)| l.lease.addr).collect();
    addrs.extend(a.wire_duplicates.iter().map(|d| d.addr));
    addrs.extend(a.file_duplicates.iter().map(|d| d.addr));
    addrs.sort_unstable();
    addrs.dedup();
    let mut out = String::new();
    for addr in addrs {
        let word = addr.to_string();
        for (role, log) in &evidence.logs {
            let lines: Vec<&str> = log
                .lines()
                .filter(|l| {
                    l.match_indices(&word).any(|(i, _)| {
                        !l[i + word.len()..].starts_with(|c: char| c.is_ascii_digit())
                    })
                })
                .collect();
            out.push_str(&format!("--- {addr} in the {} log:\n", role.as_str()));
            for l in &lines[lines.len().saturating_sub(40)..] {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    out
}

/// The first half of the fault kinds.
const HALF_A: [Kind; 5] = [
    Kind::Kill9,
    Kind::FailoverPartition,
    Kind::LinkImpair,
    Kind::ClockStep,
    Kind::DiskFull,
];
/// The other half.
const HALF_B: [Kind; 5] = [
    Kind::Stop,
    Kind::Isolation,
    Kind::ReadOnly,
    Kind::PartnerDown,
    Kind::AutoPartnerDown,
];

macro_rules! short_tests {
    ($name:ident, $primary:ident, $secondary:ident) => {
        mod $name {
            use super::*;

            const PAIR: PairKind = PairKind {
                primary: PeerKind::$primary,
                secondary: PeerKind::$secondary,
            };

            #[test]
            fn kills_partitions_delays_clock_steps_and_a_full_disk() {
                super::short(PAIR, 1, &HALF_A);
            }

            #[test]
            fn stops_isolation_read_only_disk_and_partner_down() {
                super::short(PAIR, 2, &HALF_B);
            }
        }
    };
}

short_tests!(isc_primary_isc_secondary, Isc, Isc);
short_tests!(dhcpfo_primary_isc_secondary, Dhcpfo, Isc);
short_tests!(isc_primary_dhcpfo_secondary, Isc, Dhcpfo);
short_tests!(dhcpfo_primary_dhcpfo_secondary, Dhcpfo, Dhcpfo);

/// The long-mode seeds that found a duplicate or a lost lease, each replayed on the window
/// of its finding (see the module doc; `docs/reliability.md` has the runs).
mod regressions {
    use super::*;

    const fn pair(primary: PeerKind, secondary: PeerKind) -> PairKind {
        PairKind { primary, secondary }
    }

    /// Seed 1796225011 (at 711c6a2): 3 leases that a dhcpfo primary ACKed while its ISC
    /// secondary came back from an `auto-partner-down` kill were active on neither peer
    /// at the end.
    #[test]
    fn seed_1796225011_dhcpfo_isc_auto_partner_down() {
        let pair = pair(PeerKind::Dhcpfo, PeerKind::Isc);
        replay(
            pair,
            1796225011,
            28..=28,
            (Kind::AutoPartnerDown, Role::Secondary, 40),
        );
    }

    /// Seed 1796225011 (at 711c6a2): in the same window between two dhcpfo peers, a lease
    /// still running at the end (10.60.8.6) was active on neither peer (both files held it
    /// as `backup` for its client, with the end of an earlier lease). The engine test
    /// `a_killed_secondarys_unsent_renewal_does_not_shorten_the_primarys_newer_one`
    /// rebuilds the interleaving that fits those files (fixed by 9d983c1).
    #[test]
    fn seed_1796225011_dhcpfo_dhcpfo_auto_partner_down() {
        let pair = pair(PeerKind::Dhcpfo, PeerKind::Dhcpfo);
        replay(
            pair,
            1796225011,
            28..=28,
            (Kind::AutoPartnerDown, Role::Secondary, 40),
        );
    }

    /// Seed 1796225011 (at 711c6a2): a lease the dhcpfo secondary ACKed as a
    /// `failover-partition` of the primary healed was in neither lease file.
    #[test]
    fn seed_1796225011_dhcpfo_dhcpfo_failover_partition() {
        let pair = pair(PeerKind::Dhcpfo, PeerKind::Dhcpfo);
        replay(
            pair,
            1796225011,
            19..=19,
            (Kind::FailoverPartition, Role::Primary, 22),
        );
    }

    /// Seed 1796399247 (at e3d64ba): 4 duplicate ACKs after a dhcpfo primary's clock was
    /// stepped 50 s ahead.
    #[test]
    fn seed_1796399247_dhcpfo_dhcpfo_clock_step() {
        let pair = pair(PeerKind::Dhcpfo, PeerKind::Dhcpfo);
        replay(
            pair,
            1796399247,
            15..=15,
            (Kind::ClockStep, Role::Primary, 39),
        );
    }

    /// Seed 1796403444 (at 282803e): 4 leases lost when a `failover-partition` between an
    /// ISC primary and a dhcpfo secondary healed (the secondary's queued RELEASED beat the
    /// ISC primary's newer ACK).
    #[test]
    fn seed_1796403444_isc_dhcpfo_failover_partition() {
        let pair = pair(PeerKind::Isc, PeerKind::Dhcpfo);
        replay(
            pair,
            1796403444,
            10..=10,
            (Kind::FailoverPartition, Role::Secondary, 35),
        );
    }
}

/// The long mode, run by `scripts/chaos.sh`: for each pair of `CHAOS_PAIRS` (default all
/// four), faults of every kind for `CHAOS_DURATION` seconds (default 1800) from
/// `CHAOS_SEED` (default: from the clock, printed), and a report section per pair in
/// `CHAOS_REPORT_DIR`. Fails, after every pair has run, on the findings the short mode
/// fails on.
#[test]
#[ignore = "long mode: run by scripts/chaos.sh"]
fn long_mode() {
    let pairs = std::env::var("CHAOS_PAIRS")
        .unwrap_or_else(|_| "dhcpfo+dhcpfo dhcpfo+isc isc+dhcpfo isc+isc".into());
    let duration = std::env::var("CHAOS_DURATION")
        .ok()
        .and_then(|d| d.trim().parse::<u64>().ok())
        .unwrap_or(1800);
    let seed = seed_or(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs()),
    );
    let list = std::env::var("CHAOS_KINDS").unwrap_or_default();
    let mut kinds: Vec<Kind> = Vec::new();
    for name in list.split([',', ' ']).filter(|n| !n.trim().is_empty()) {
        kinds.push(Kind::parse(name).unwrap_or_else(|| panic!("CHAOS_KINDS: no fault {name}")));
    }
    if kinds.is_empty() {
        kinds = Kind::ALL.to_vec();
    }
    let dir = run::report_dir();
    std::fs::create_dir_all(&dir).expect("the report folder");
    std::fs::write(dir.join("kinds.md"), report::kinds_table()).expect("write the kinds table");
    let mut failures = Vec::new();
    for label in pairs.split_whitespace() {
        let pair = parse_pair(label).unwrap_or_else(|| panic!("not a pair: {label}"));
        let file = dir.join(format!("{}.md", pair.label()));
        let _serial = serial();
        let cfg = long_config(pair, seed, &kinds, 100_000, duration);
        let Some(evidence) = run(&format!("long_mode {label}"), cfg.clone()) else {
            continue;
        };
        let a = verdict::analyse(&evidence);
        eprintln!("{}", a.summary());
        std::fs::write(&file, report::section(&cfg, &a)).expect("write the report section");
        for (role, log) in &evidence.logs {
            let name = format!("{}-{}.log", pair.label(), role.as_str());
            std::fs::write(dir.join(name), log).expect("write a peer's log");
        }
        let injected: usize = a.kinds.values().map(|k| k.injected).sum();
        if injected == 0
            || a.violations(!pair.has_dhcpfo()) > 0
            || !a.unverified.is_empty()
            || !a.slow.is_empty()
        {
            failures.push(format!("{label} seed {seed}"));
        }
    }
    assert!(
        failures.is_empty(),
        "findings (see the report sections in {}): {failures:?}",
        dir.display()
    );
}
