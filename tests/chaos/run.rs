//! One chaos run: the pair lab with its lease folders on small tmpfs mounts and its peers
//! under a faked clock, steady client load, the planned faults one after the other, each
//! injected, verified to take effect, held, healed and followed by the wait for the pair
//! to be normal again; then the evidence for the checkers.

use std::path::PathBuf;
use std::time::Duration;

use dhcpfo::model::Role;

use crate::common::dhcp_client::{self, LoadReport, RunningLoad, now};
use crate::common::dhcp_wire::{Secs, WirePacket};
use crate::common::pair_check::{PeerFile, TOLERANCE, acked_leases};
use crate::common::pair_lab::{LabModel, PairKind, PairLab, Side, address};
use crate::guards::{
    ClockFile, NftTable, QueueRules, Tmpfs, failover_partition_rules, isolation_rules, libfaketime,
};
use crate::impair::{Scheduler, probe_rtt};
use crate::schedule::{Fault, Kind, Rng, Timing, plan};
use crate::verdict::{read_tolerant, read_tolerant_text};

/// The failover TCP port of the lab model (ISC's default, on both peers).
pub const FAILOVER_PORT: u16 = 647;

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Which implementation plays which role.
    pub pair: PairKind,
    /// The seed of every random choice.
    pub seed: u64,
    /// The kinds of fault to draw from.
    pub kinds: Vec<Kind>,
    /// At most this many faults.
    pub faults: usize,
    /// Faults of the plan before this one are skipped: a replay of one window of a long
    /// run (the plan is drawn whole, so the window's faults are the long run's).
    pub first_fault: usize,
    /// No fault starts after this much time from the start of the load.
    pub duration: Duration,
    /// Seconds of steady load between faults (range).
    pub gap: (u64, u64),
    /// The pair model (its MCLT, lease times, `auto-partner-down` bound the holds).
    pub model: LabModel,
    /// Clients of the direct and the relayed generator at the start.
    pub clients: (u32, u32),
    /// One new direct client every this many seconds (0: none).
    pub new_client_every: u64,
    /// Share of clients that release their first lease, and that decline their first
    /// address.
    pub release_decline: (f64, f64),
    /// After each ACK, the chance that the client releases that lease before T1 and starts
    /// again: a steady stream of DORA exchanges, so that every fault meets new requests.
    pub churn: f64,
    /// After a heal, the pair must be normal again within MCLT plus this.
    pub settle_bound: u64,
    /// The longest hold of a clock step, link impairment or full disk, about.
    pub hold_max: u64,
}

impl Config {
    /// The timing knobs of the model.
    pub fn timing(&self) -> Timing {
        Timing {
            mclt: u64::from(self.model.mclt),
            mrd: u64::from(self.model.max_response_delay),
            apd: u64::from(self.model.auto_partner_down.unwrap_or(0)),
            hold_max: self.hold_max,
        }
    }
}

/// A fault as it happened.
#[derive(Debug, Clone)]
pub struct Record {
    /// The plan.
    pub fault: Fault,
    /// When it was injected (for partner-down kinds: the kill).
    pub injected: Secs,
    /// When it was healed (restart, rules removed, clock back, space freed).
    pub healed: Option<Secs>,
    /// When both peers were normal again after the heal.
    pub settled: Option<Secs>,
    /// The evidence that it took effect, or why that could not be seen.
    pub verified: Result<String, String>,
    /// Other things seen on the way (a failed restart, a peer that would not stop...).
    pub notes: Vec<String>,
    /// ACKs the victim sent while its lease folder was full (a full disk) for a lease that
    /// its lease file did not hold when space came back: each promises a lease not on disk.
    pub unwritten_acks: usize,
}

/// A peer's clock off by `offset` seconds over `[from, to]`.
#[derive(Debug, Clone, Copy)]
pub struct ClockWindow {
    /// The peer.
    pub peer: Role,
    /// Seconds ahead (positive) or behind.
    pub offset: i64,
    /// From.
    pub from: Secs,
    /// To.
    pub to: Secs,
}

/// Everything a run leaves for the checkers.
pub struct Evidence {
    /// The configuration.
    pub config: Config,
    /// Each fault.
    pub records: Vec<Record>,
    /// Every DHCP packet captured in the client namespaces.
    pub wire: Vec<WirePacket>,
    /// Both lease files, read at `read_at`.
    pub files: Vec<PeerFile>,
    /// Each lease file as it was before a peer's start rewrote it, and before a rewrite
    /// inside the run (its `FILE~`), with when it was read or last written.
    pub earlier_files: Vec<(Secs, PeerFile)>,
    /// Stanzas of the lease files that could not be parsed (a cut write), per peer.
    pub unreadable: Vec<(String, usize, bool)>,
    /// When the files were read.
    pub read_at: Secs,
    /// When each peer could serve, from its lifetimes and logged states, less the times it
    /// was cut off from the clients.
    pub windows: Vec<crate::common::pair_check::Window>,
    /// When a peer's clock was off.
    pub clocks: Vec<ClockWindow>,
    /// The generators' reports.
    pub loads: Vec<LoadReport>,
    /// The load's start and end.
    pub span: (Secs, Secs),
    /// Problems of the run outside any fault (a peer that exited by itself...).
    pub notes: Vec<String>,
    /// Each peer's log over all its starts, for the long mode to keep beside its report.
    pub logs: Vec<(Role, String)>,
}

/// The lab and everything a fault may have changed; dropped in field order: the guards
/// first, then the lab (its processes and namespaces).
struct Chaos {
    queue: Option<(Scheduler, QueueRules)>,
    tables: Vec<NftTable>,
    tmpfs: Vec<Tmpfs>,
    clocks: Vec<ClockFile>,
    lab: PairLab,
    _mounts: tempfile::TempDir,
    config: Config,
    rng: Rng,
    loads: Vec<RunningLoad>,
    direct_clients: u32,
    next_client_at: Secs,
    isolations: Vec<(Role, Secs, Secs)>,
    clock_windows: Vec<ClockWindow>,
    /// When the current fault was healed, if that was not the end of `apply`'s branch.
    heal_at: Option<Secs>,
    /// ACKs sent by a peer with a full lease folder for a lease not in its lease file, in
    /// the current fault.
    unwritten_acks: usize,
    notes: Vec<String>,
}

const DIRECT_TAG: u8 = 0x31;
const RELAYED_TAG: u8 = 0x32;

/// Runs `config` in a lab named after `test`; `None` when the lab cannot be built here
/// (root or a tool missing, outside CI).
pub fn run(test: &str, config: Config) -> Option<Evidence> {
    if !crate::common::netns::tools_or_skip(
        test,
        &["nft", "iptables-nft", "faketime", "mount", "umount"],
    ) {
        return None;
    }
    let Some(preload) = libfaketime() else {
        assert!(
            !crate::common::in_ci(),
            "{test}: libfaketimeMT.so.1 not found and CI=true; install libfaketime"
        );
        eprintln!("note: {test}: skipped, libfaketime not found");
        return None;
    };
    let mut lab = PairLab::new(test, config.pair, config.model.clone())?;
    let mounts = tempfile::Builder::new()
        .prefix("dfo-chaos-")
        .tempdir()
        .expect("a folder for the tmpfs mounts");
    let mut tmpfs = Vec::new();
    let mut clocks = Vec::new();
    for role in Role::BOTH {
        let fs = Tmpfs::mount(&mounts.path().join(role.as_str()), 48 * 1024)
            .unwrap_or_else(|e| panic!("{e}"));
        lab.move_leases(role, &fs.dir);
        let clock = ClockFile::new(lab.lab.dir().join(format!("{}.clock", role.as_str())))
            .unwrap_or_else(|e| panic!("{e}"));
        lab.set_peer_env(role, "LD_PRELOAD", &preload.display().to_string());
        lab.set_peer_env(
            role,
            "FAKETIME_TIMESTAMP_FILE",
            &clock.path.display().to_string(),
        );
        lab.set_peer_env(role, "FAKETIME_NO_CACHE", "1");
        lab.set_peer_env(role, "FAKETIME_DONT_FAKE_MONOTONIC", "1");
        tmpfs.push(fs);
        clocks.push(clock);
    }
    let mut chaos = Chaos {
        queue: None,
        tables: Vec::new(),
        tmpfs,
        clocks,
        lab,
        _mounts: mounts,
        rng: Rng(config.seed ^ 0x5eed_c1e7),
        config,
        loads: Vec::new(),
        direct_clients: 0,
        next_client_at: f64::INFINITY,
        isolations: Vec::new(),
        clock_windows: Vec::new(),
        heal_at: None,
        unwritten_acks: 0,
        notes: Vec::new(),
    };
    Some(chaos.go())
}

impl Chaos {
    fn tmpfs(&self, role: Role) -> &Tmpfs {
        &self.tmpfs[role as usize]
    }

    fn go(&mut self) -> Evidence {
        let cfg = self.config.clone();
        let t0 = now();
        self.lab.start_pair();
        if let Err(e) = self.lab.wait_both_normal(t0, Duration::from_secs(60)) {
            panic!("the pair did not reach normal at the start: {e}");
        }
        // Let the primary balance the pools before clients come.
        self.idle(5.0);
        self.lab.start_captures();
        let run_for = cfg.duration + Duration::from_secs(600);
        for (side, tag, n) in [
            (Side::Direct, DIRECT_TAG, cfg.clients.0),
            (Side::Relayed, RELAYED_TAG, cfg.clients.1),
        ] {
            let mut load = self.lab.clients(side, n, tag, run_for);
            load.release_fraction = cfg.release_decline.0;
            load.decline_fraction = cfg.release_decline.1;
            load.churn = cfg.churn;
            load.spread = Duration::from_secs(10);
            load.seed = cfg.seed.wrapping_mul(31).wrapping_add(u64::from(tag));
            load.max_packets = 5_000_000;
            self.loads.push(dhcp_client::start(load));
        }
        self.direct_clients = cfg.clients.0;
        let start = now();
        if cfg.new_client_every > 0 {
            self.next_client_at = start + cfg.new_client_every as f64;
        }
        let end = start + cfg.duration.as_secs_f64();
        // Every client has its first lease before the first fault.
        self.idle(f64::from(cfg.model.default_lease_time / 4).max(8.0));
        let mut faults = plan(cfg.seed, &cfg.kinds, cfg.faults, cfg.gap, cfg.timing());
        let skipped = cfg.first_fault.min(faults.len());
        // The link scheduler's seeds come from `self.rng`, one per link fault.
        for _ in faults[..skipped]
            .iter()
            .filter(|f| f.kind == Kind::LinkImpair)
        {
            self.rng.next();
        }
        faults.drain(..skipped);
        eprintln!(
            "chaos {}: seed {}{}, {} faults planned",
            cfg.pair.label(),
            cfg.seed,
            if skipped > 0 {
                format!(" from fault {skipped} of its plan")
            } else {
                format!(" (replay with CHAOS_SEED={})", cfg.seed)
            },
            faults.len(),
        );
        let mut records = Vec::new();
        for fault in faults {
            if now() + fault.gap as f64 >= end {
                break;
            }
            self.idle(fault.gap as f64);
            self.ensure_running();
            let record = self.apply(fault);
            eprintln!(
                "chaos {}: {} {} hold {} s: {} ({}){}",
                cfg.pair.label(),
                record.fault.kind.name(),
                record.fault.victim.as_str(),
                record.fault.hold,
                match &record.verified {
                    Ok(v) => format!("took effect: {v}"),
                    Err(e) => format!("NOT VERIFIED: {e}"),
                },
                record.settled.map_or("not normal again".to_string(), |s| {
                    format!(
                        "normal again {:.1} s after the heal",
                        s - record.healed.unwrap_or(s)
                    )
                }),
                if record.notes.is_empty() {
                    String::new()
                } else {
                    format!("; {}", record.notes.join("; "))
                }
            );
            records.push(record);
        }
        // A quiet end: every client renews (T1) at least once more.
        self.idle(f64::from(self.config.model.max_lease_time / 2 + 5));
        let loads: Vec<LoadReport> = self.loads.drain(..).map(RunningLoad::stop).collect();
        let stop = now();
        let wire = self.lab.stop_captures();
        let read_at = now();
        let mut files = Vec::new();
        let mut unreadable = Vec::new();
        for role in Role::BOTH {
            let (journal, bad, last) = read_tolerant(self.lab.leases_path(role));
            files.push(PeerFile {
                peer: role.as_str().to_string(),
                journal,
            });
            unreadable.push((role.as_str().to_string(), bad, last));
            // After the final read: a rewrite between the two reads leaves its pre-image in
            // FILE~ (the history puts the final file last whatever the times).
            self.lab.keep_backup(role);
            // For a post-mortem (DHCPFO_KEEP_LAB): the tmpfs goes with the run.
            let _ = std::fs::copy(
                self.lab.leases_path(role),
                self.lab.lab.dir().join(format!("{}.leases", role.as_str())),
            );
        }
        let windows = crate::verdict::cut_windows(self.lab.windows(read_at), &self.isolations);
        for l in &loads {
            if let Some(e) = &l.error {
                self.notes.push(format!("client generator: {e}"));
            }
        }
        Evidence {
            config: cfg,
            records,
            wire,
            files,
            earlier_files: self
                .lab
                .files_before_starts
                .iter()
                .map(|(role, at, text)| {
                    let file = PeerFile {
                        peer: role.as_str().to_string(),
                        journal: read_tolerant_text(text).0,
                    };
                    (*at, file)
                })
                .collect(),
            unreadable,
            read_at,
            windows,
            clocks: self.clock_windows.clone(),
            loads,
            span: (start, stop),
            notes: std::mem::take(&mut self.notes),
            logs: [Role::Primary, Role::Secondary]
                .map(|role| (role, self.lab.log(role)))
                .into(),
        }
    }

    /// Waits `secs` under load: new clients join on schedule, and a peer that exited by
    /// itself is noted.
    fn idle(&mut self, secs: f64) {
        let until = now() + secs;
        while now() < until {
            if now() >= self.next_client_at && !self.loads.is_empty() {
                self.direct_clients += 1;
                self.loads[0].add(self.direct_clients, DIRECT_TAG);
                self.next_client_at += self.config.new_client_every as f64;
            }
            for role in Role::BOTH {
                if self.lab.reap(role) {
                    self.notes.push(format!(
                        "the {} exited by itself at {:.1}; its log ends:\n{}",
                        role.as_str(),
                        now(),
                        self.lab.log_tail(role, 15)
                    ));
                }
            }
            std::thread::sleep(Duration::from_secs_f64((until - now()).clamp(0.0, 0.25)));
        }
    }

    /// Restarts a peer that is not running (it exited by itself, or a restart failed).
    fn ensure_running(&mut self) {
        for role in Role::BOTH {
            if !self.lab.running(role)
                && let Err(e) = self.lab.try_start(role, Duration::from_secs(30))
            {
                self.notes
                    .push(format!("restart of the {}: {e}", role.as_str()));
            }
        }
        let bound = self.config.timing().mclt + self.config.settle_bound;
        if Role::BOTH.iter().all(|r| self.lab.running(*r)) && self.wait_normal(bound).is_none() {
            self.notes.push(format!(
                "before a fault: not normal within {bound} s (primary {:?}, secondary {:?})",
                self.lab.state(Role::Primary),
                self.lab.state(Role::Secondary)
            ));
        }
    }

    /// Waits under load until both running peers' last logged state is `normal`: when.
    fn wait_normal(&mut self, bound: u64) -> Option<Secs> {
        let deadline = now() + bound as f64;
        loop {
            let normal = |r: Role| self.lab.state(r).as_deref() == Some("normal");
            if normal(Role::Primary) && normal(Role::Secondary) {
                return Some(now());
            }
            if now() > deadline {
                return None;
            }
            self.idle(0.25);
        }
    }

    fn wait_state(&self, role: Role, state: &str, since: Secs, secs: u64) -> Result<Secs, String> {
        self.lab
            .wait_state(role, state, since, Duration::from_secs(secs))
    }

    /// Injects, verifies, holds and heals one fault, then waits for normal.
    fn apply(&mut self, fault: Fault) -> Record {
        let t = self.config.timing();
        let v = fault.victim;
        let p = v.partner();
        let mut notes = Vec::new();
        let injected = now();
        let hold = fault.hold as f64;
        let ci = "communications-interrupted";
        let verified: Result<String, String> = match fault.kind {
            Kind::Kill9 | Kind::Stop => {
                let down = if fault.kind == Kind::Kill9 {
                    self.lab.kill9(v);
                    Ok(())
                } else {
                    self.lab.try_sigterm(v, Duration::from_secs(15)).map(|_| ())
                };
                let seen = self.wait_state(p, ci, injected, t.mrd + 15).map(|at| {
                    format!(
                        "the {} exited; the {} moved to {ci} after {:.1} s",
                        v.as_str(),
                        p.as_str(),
                        at - injected
                    )
                });
                self.idle(hold);
                self.restart(v, &mut notes);
                down.and(seen)
            }
            Kind::FailoverPartition => {
                let table = NftTable::load(
                    self.lab.lab.dir(),
                    self.lab.lab.ns(v.as_str()),
                    "inet",
                    "chaos_fo",
                    &failover_partition_rules("chaos_fo", FAILOVER_PORT),
                );
                match table {
                    Ok(table) => {
                        let seen: Result<Vec<f64>, String> = Role::BOTH
                            .iter()
                            .map(|r| self.wait_state(*r, ci, injected, t.mrd + 15))
                            .collect();
                        self.tables.push(table);
                        self.idle((hold - (now() - injected)).max(0.0));
                        let dropped = self.tables.last().map_or(0, NftTable::counted_packets);
                        self.tables.clear();
                        seen.map(|at| {
                            format!(
                                "both moved to {ci} after {:.1} and {:.1} s; {dropped} failover \
                                 packets dropped",
                                at[0] - injected,
                                at[1] - injected
                            )
                        })
                    }
                    Err(e) => Err(e),
                }
            }
            Kind::Isolation => {
                let ns = self.lab.lab.bridge_ns().to_string();
                let port = self.lab.lab.bridge_port(v.as_str()).to_string();
                match NftTable::load(
                    self.lab.lab.dir(),
                    &ns,
                    "bridge",
                    "chaos_iso",
                    &isolation_rules("chaos_iso", &port),
                ) {
                    Ok(table) => {
                        let seen = self.wait_state(p, ci, injected, t.mrd + 15);
                        self.tables.push(table);
                        self.idle((hold - (now() - injected)).max(0.0));
                        let dropped = self.tables.last().map_or(0, NftTable::counted_packets);
                        self.tables.clear();
                        self.isolations.push((v, injected, now()));
                        seen.map(|at| {
                            format!(
                                "the {} moved to {ci} after {:.1} s; {dropped} frames dropped",
                                p.as_str(),
                                at - injected
                            )
                        })
                        .and_then(|s| {
                            if dropped > 0 {
                                Ok(s)
                            } else {
                                Err(format!("{s}, but no frame was dropped"))
                            }
                        })
                    }
                    Err(e) => Err(e),
                }
            }
            Kind::LinkImpair => self.impair(&fault, injected),
            Kind::ClockStep => self.clock_step(&fault, injected),
            Kind::DiskFull => self.disk_full(&fault, injected),
            Kind::ReadOnly => self.read_only(&fault, &mut notes),
            Kind::PartnerDown | Kind::AutoPartnerDown => {
                self.lab.kill9(v);
                let verified = self
                    .wait_state(p, ci, injected, t.mrd + 15)
                    .and_then(|at_ci| {
                        if fault.kind == Kind::PartnerDown {
                            let asked = self.lab.partner_down(p)?;
                            self.wait_state(p, "partner-down", asked, 15).map(|at| {
                                format!(
                                    "the {} moved to partner-down {:.1} s after the command",
                                    p.as_str(),
                                    at - asked
                                )
                            })
                        } else {
                            self.wait_state(p, "partner-down", at_ci, t.apd + 20)
                                .map(|at| {
                                    format!(
                                        "the {} moved to partner-down by itself {:.1} s after {ci} \
                                         (auto-partner-down {} s)",
                                        p.as_str(),
                                        at - at_ci,
                                        t.apd
                                    )
                                })
                        }
                    });
                self.idle(hold);
                self.restart(v, &mut notes);
                verified
            }
        };
        let healed = self.heal_at.take().unwrap_or_else(now);
        let bound = t.mclt + self.config.settle_bound;
        let settled = if Role::BOTH.iter().all(|r| self.lab.running(*r)) {
            self.wait_normal(bound)
        } else {
            None
        };
        if settled.is_none() {
            notes.push(format!(
                "not normal {bound} s after the heal (primary {:?}, secondary {:?})",
                self.lab.state(Role::Primary),
                self.lab.state(Role::Secondary)
            ));
        }
        Record {
            fault,
            injected,
            healed: Some(healed),
            settled,
            verified,
            notes,
            unwritten_acks: std::mem::take(&mut self.unwritten_acks),
        }
    }

    fn restart(&mut self, role: Role, notes: &mut Vec<String>) {
        self.heal_at = Some(now());
        if let Err(e) = self.lab.try_start(role, Duration::from_secs(30)) {
            notes.push(format!("restart failed: {e}"));
        }
    }

    fn impair(&mut self, fault: &Fault, injected: Secs) -> Result<String, String> {
        let v = fault.victim;
        let ns = self.lab.lab.ns(v.as_str()).to_string();
        let how = fault.impairment;
        let queue = 7;
        let scheduler = Scheduler::start(&ns, queue, how, self.rng.next())?;
        let rules = match QueueRules::add(&ns, FAILOVER_PORT, queue) {
            Ok(r) => r,
            Err(e) => {
                let _ = scheduler.stop();
                return Err(e);
            }
        };
        self.queue = Some((scheduler, rules));
        let probe_from = self.lab.lab.ns("load").to_string();
        let rtts = probe_rtt(&probe_from, address(v), FAILOVER_PORT, 7);
        self.idle((fault.hold as f64 - (now() - injected)).max(0.0));
        let (scheduler, rules) = self.queue.take().expect("the queue set above");
        drop(rules);
        let c = &scheduler.counters;
        let counts = format!(
            "{} packets queued, {} dropped, {} overtaken",
            c.queued.load(std::sync::atomic::Ordering::Relaxed),
            c.dropped.load(std::sync::atomic::Ordering::Relaxed),
            c.reordered.load(std::sync::atomic::Ordering::Relaxed)
        );
        scheduler.stop()?;
        let mut rtts = rtts?;
        rtts.sort_by(f64::total_cmp);
        let Some(&median) = rtts.get(rtts.len() / 2) else {
            return Err(format!("no probe got an answer; {counts}"));
        };
        // Both directions cross the rule: twice the delay on average, jitter averaging out,
        // less the share released at once (`reorder`); and at least one leg held a whole
        // delay less its jitter.
        let expected = 2.0 * f64::from(how.delay_ms) * (1.0 - how.reorder);
        let longest = rtts.last().copied().unwrap_or(0.0);
        let text = format!(
            "probe round trip to the failover port {median:.0} ms (median of {}, longest \
             {longest:.0} ms; {} ms ± {} each way, loss {}, reorder {}): {counts}",
            rtts.len(),
            how.delay_ms,
            how.jitter_ms,
            how.loss,
            how.reorder
        );
        if median >= 0.5 * expected && longest >= f64::from(how.delay_ms - how.jitter_ms) {
            Ok(text)
        } else {
            Err(text)
        }
    }

    fn clock_step(&mut self, fault: &Fault, injected: Secs) -> Result<String, String> {
        let v = fault.victim;
        let path = self.lab.leases_path(v).to_path_buf();
        let before = read_tolerant(&path).0.leases.len();
        self.clocks[v as usize].set(fault.offset)?;
        let until = injected + fault.hold as f64;
        let mut seen: Option<String> = None;
        let mut looked = before;
        let mut last = now();
        while now() < until {
            self.idle(0.5);
            let t = now();
            let journal = read_tolerant(&path).0;
            for lease in journal.leases.iter().skip(looked) {
                let Some(cltt) = lease.cltt.filter(|c| !c.is_never()) else {
                    continue;
                };
                let shifted = cltt.0 as f64 - fault.offset as f64;
                if seen.is_none() && shifted >= last - 2.0 && shifted <= t + 2.0 {
                    seen = Some(format!(
                        "the {}'s lease file has cltt {} for {} written at {:.0} (real), {:+} s",
                        v.as_str(),
                        cltt.0,
                        lease.address,
                        t,
                        fault.offset
                    ));
                }
            }
            looked = journal.leases.len();
            last = t;
        }
        let result = self.clocks[v as usize].set(0);
        self.clock_windows.push(ClockWindow {
            peer: v,
            offset: fault.offset,
            from: injected,
            to: now(),
        });
        result?;
        seen.ok_or_else(|| {
            format!(
                "no lease stanza written by the {} during the step shows the offset",
                v.as_str()
            )
        })
    }

    fn disk_full(&mut self, fault: &Fault, injected: Secs) -> Result<String, String> {
        let v = fault.victim;
        let log_before = self.lab.log(v).len();
        let written = self.tmpfs(v).fill()?;
        let full_at = now();
        let free = self.tmpfs(v).free_bytes();
        let until = injected + fault.hold as f64;
        let mut failure: Option<String> = None;
        while now() < until {
            self.idle(0.5);
            // ISC rewrites its lease file after a failed write, replacing FILE~ each time.
            self.lab.keep_backup(v);
            if failure.is_none() {
                let log = self.lab.log(v);
                failure = log.get(log_before..).and_then(|new| {
                    new.lines()
                        .find(|l| {
                            [
                                "No space left on device",
                                "os error 28",
                                "database update failed",
                                "unable to",
                            ]
                            .iter()
                            .any(|p| l.contains(p))
                        })
                        .map(str::to_string)
                });
            }
        }
        // ACKs from the victim while its folder was full, and of those the ones whose lease
        // its lease file does not hold (read before the space comes back): a lease the
        // victim promised without having it on disk. The room left in the file's last block
        // takes a few records after the filler took every free block.
        let drained_at = now();
        let server = address(v);
        let acks: Vec<_> = acked_leases(&self.lab.wire())
            .into_iter()
            .filter(|l| l.server == server && l.acked_at > full_at && l.acked_at < drained_at)
            .collect();
        let on_disk = read_tolerant(self.lab.leases_path(v)).0;
        self.unwritten_acks = acks
            .iter()
            .filter(|l| {
                !on_disk.leases.iter().any(|st| {
                    st.address == l.addr
                        && st.hardware.as_ref().is_some_and(|h| h.address == l.client)
                        && st
                            .ends
                            // What the victim promised at the least, whatever the client
                            // did after: it may have answered the first send of the request.
                            .is_some_and(|e| {
                                e.is_never()
                                    || e.0 as f64
                                        >= l.first_request + f64::from(l.lease_secs) - TOLERANCE
                            })
                })
            })
            .count();
        self.tmpfs(v).drain()?;
        let mechanism = format!(
            "{written} bytes of filler, {free} left; {} ACKs sent by the {} meanwhile, {} of \
             them for a lease its lease file does not hold",
            acks.len(),
            v.as_str(),
            self.unwritten_acks
        );
        match failure {
            Some(line) if free == 0 => {
                Ok(format!("{mechanism}; the {} logged: {line}", v.as_str()))
            }
            Some(line) => Err(format!("{mechanism}; {line}")),
            None => Err(format!(
                "{mechanism}, but the {} logged no write failure",
                v.as_str()
            )),
        }
    }

    fn read_only(&mut self, fault: &Fault, notes: &mut Vec<String>) -> Result<String, String> {
        let v = fault.victim;
        self.lab.kill9(v);
        self.tmpfs(v).set_read_only(true)?;
        // Linux itself must refuse a write there, and the peer must fail to start for it.
        let probe = std::fs::write(self.tmpfs(v).dir.join("probe"), b"x");
        let refused = matches!(&probe, Err(e) if e.raw_os_error() == Some(libc::EROFS));
        let started = self.lab.try_start(v, Duration::from_secs(10));
        let verified = match (&started, refused) {
            (_, false) => Err(format!("a test write was not refused: {probe:?}")),
            (Ok(_), true) => Err(format!(
                "the {} started on a read-only lease folder",
                v.as_str()
            )),
            (Err(log), true) => {
                let line = log
                    .lines()
                    .find(|l| {
                        // ISC: "Can't open FILE for append."; dhcpfo: the OS error.
                        ["Read-only file system", "os error 30", "for append"]
                            .iter()
                            .any(|p| l.contains(p))
                    })
                    .map(str::to_string);
                line.map(|l| {
                    format!(
                        "a write there fails with EROFS; the {} refused to start: {l}",
                        v.as_str()
                    )
                })
                .ok_or_else(|| {
                    format!(
                        "the {} did not start, for another reason: {log}",
                        v.as_str()
                    )
                })
            }
        };
        self.idle(fault.hold as f64);
        if self.lab.running(v) {
            self.lab.kill9(v);
        }
        self.tmpfs(v).set_read_only(false)?;
        self.restart(v, notes);
        verified
    }
}

/// A readable name for a lab test: `chaos_isc_isc_seed_1`.
pub fn test_name(pair: PairKind, seed: u64) -> String {
    format!("chaos_{}_seed_{seed}", pair.label().replace('+', "_"))
}

/// Where the long mode writes its report fragments (`CHAOS_REPORT_DIR`, else
/// `target/chaos`).
pub fn report_dir() -> PathBuf {
    std::env::var_os("CHAOS_REPORT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/chaos"))
}
