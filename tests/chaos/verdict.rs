//! The checkers over a chaos run's evidence, and its figures.
//!
//! The promises are checked with `tests/common/pair_check.rs` (its module documentation
//! defines acked lease, duplicate, lost lease and outage); this module adds what faults
//! need:
//!
//! - **Serving windows.** A peer can serve while its process runs and its last logged
//!   failover state is normal, communications-interrupted or partner-down, less the time
//!   it was cut off from every client (the `isolation` fault). Time outside every peer's
//!   window is time when no peer was allowed (or able) to serve.
//! - **Unavailability of a client** (an outage): from a DISCOVER with no outage open (or a
//!   NAK) to the next ACK to that client (or its last packet), counting only the time
//!   covered by some peer's serving window. It belongs to the fault whose **fault window**
//!   holds its start: from the injection to the moment both peers are normal again after
//!   the heal (or the heal, if they never are); outside every fault window it belongs to
//!   the steady state.
//! - **Unavailability of a fault**: the longest unavailability of a client that belongs to
//!   it (0 if every client was served at once). The figures give its median and maximum
//!   over the faults of each kind, and how many client outages of the kind exceeded
//!   [`GRACE`] (a lost DISCOVER costs a 2 s retransmission, and a peer whose partner is
//!   down answers the partner's clients only once their `secs` exceed
//!   `load-balance-max-seconds`).
//! - **Serving again**: after each injection and each heal, the time to the first ACK that
//!   answers a request sent after it, counting only serving-window time; it, or a client's
//!   unavailability, above MCLT + [`SERVE_BOUND`] is reported as slow.
//! - **A clock step** leaves the stepped peer's lease file in its own (wrong) time: a
//!   file duplicate or a lost lease that disappears when the stanzas' times are allowed to
//!   be off by the step is reported as **clock-shifted**, apart from the others. Duplicates
//!   on the wire are always in real time (the capture's clock) and never explained away.
//! - A lost lease stays a lost lease, with a mark for its likely cause: ACKed by a peer
//!   while its lease folder was full (the ACK falls in a `disk-full` fault of its sender:
//!   ISC 4.4.3 ACKs after `commit_leases: unable to commit`); or, failing that, freed for the
//!   same client (a lease file holds the address free or backup for that client: the
//!   signature of ISC 4.4.3's recovery race, `isc_recovery_race` in `tests/failover_pair.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use dhcpfo::leases::{BindingState, LeaseFile, parse};

use crate::common::dhcp_client::Kind as Exchange;
use crate::common::dhcp_wire::Secs;
use crate::common::pair_check::{
    Duplicate, Lost, TOLERANCE, Window, acked_leases, covered, file_duplicates, held_to_its_end,
    history, lost_leases, median_max, outages, time_to_serve_after, wire_duplicates,
};
use crate::run::{ClockWindow, Evidence};
use crate::schedule::Kind;

/// Client waits up to this long are not counted as outages in the figures.
pub const GRACE: Secs = 5.0;
/// Serving again may take MCLT plus this.
pub const SERVE_BOUND: Secs = 30.0;

/// A lease file read whole, with the stanzas that do not parse (a write cut by a full
/// disk or a kill) left out: the file, how many were left out, and whether the last one
/// was (a write cut at the end, or one under way while the file was read).
pub fn read_tolerant(path: &Path) -> (LeaseFile, usize, bool) {
    read_tolerant_text(&std::fs::read_to_string(path).unwrap_or_default())
}

/// [`read_tolerant`] on a file's text.
pub fn read_tolerant_text(text: &str) -> (LeaseFile, usize, bool) {
    if let Ok(file) = parse(text) {
        return (file, 0, false);
    }
    let mut all = LeaseFile::default();
    let mut bad = 0;
    // A cut write ends where the next stanza begins, which may be on the same line:
    // split before every `lease A.B.C.D {` and `failover peer "`.
    let starts_stanza = |rest: &str| {
        rest.strip_prefix("lease ")
            .and_then(|r| r.split_once(" {"))
            .is_some_and(|(ip, _)| ip.parse::<std::net::Ipv4Addr>().is_ok())
            || rest.starts_with("failover peer \"")
    };
    let mut chunks: Vec<&str> = Vec::new();
    let mut from = 0;
    for (i, _) in text.char_indices() {
        if i > from && starts_stanza(&text[i..]) {
            chunks.push(&text[from..i]);
            from = i;
        }
    }
    chunks.push(&text[from..]);
    let mut last_bad = false;
    for chunk in chunks {
        last_bad = false;
        match parse(chunk) {
            Ok(part) => {
                all.leases.extend(part.leases);
                all.failover.extend(part.failover);
            }
            Err(_) => {
                bad += 1;
                last_bad = true;
            }
        }
    }
    (all, bad, last_bad)
}

/// `windows` less the times a peer was isolated: `(peer, from, to)`.
pub fn cut_windows(
    windows: Vec<Window>,
    isolated: &[(dhcpfo::model::Role, Secs, Secs)],
) -> Vec<Window> {
    let mut out = windows;
    for &(role, a, b) in isolated {
        out = out
            .into_iter()
            .flat_map(|w| {
                if w.peer != role.as_str() || w.to <= a || w.from >= b {
                    return vec![w];
                }
                let mut parts = Vec::new();
                if w.from < a {
                    parts.push(Window {
                        peer: w.peer.clone(),
                        from: w.from,
                        to: a,
                    });
                }
                if w.to > b {
                    parts.push(Window {
                        peer: w.peer.clone(),
                        from: b,
                        to: w.to,
                    });
                }
                parts
            })
            .collect();
    }
    out
}

/// What a lost lease's evidence points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossCause {
    /// Nothing known.
    Unknown,
    /// ACKed by a peer while its lease folder was full.
    FullDisk,
    /// A lease file holds the address free or backup for the same client.
    FreedForSameClient,
}

impl LossCause {
    /// The mark in the findings.
    pub fn mark(self) -> &'static str {
        match self {
            LossCause::Unknown => "",
            LossCause::FullDisk => " [ACKed while the sender's lease folder was full]",
            LossCause::FreedForSameClient => {
                " [freed for the same client: ISC recovery-race signature]"
            }
        }
    }
}

/// The figures of one kind of fault.
#[derive(Debug, Clone, Default)]
pub struct KindFigures {
    /// Faults injected.
    pub injected: usize,
    /// Of which verified to take effect.
    pub verified: usize,
    /// Per fault: its unavailability.
    pub unavailability: Vec<Secs>,
    /// Client outages above [`GRACE`].
    pub outages: usize,
    /// Seconds from the heal to both peers normal, per fault that got there.
    pub settle: Vec<Secs>,
    /// Faults after which the pair was not normal again in time.
    pub unsettled: usize,
}

/// What the checkers found in one run.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// `isc+isc`...
    pub pair: String,
    /// The seed.
    pub seed: u64,
    /// Seconds of load.
    pub seconds: Secs,
    /// Client transactions per kind: (ACKed, all).
    pub transactions: BTreeMap<String, (usize, usize)>,
    /// ACKs on the wire.
    pub acks: usize,
    /// Distinct clients.
    pub clients: usize,
    /// Duplicates on the wire.
    pub wire_duplicates: Vec<Duplicate>,
    /// Duplicates in the lease files.
    pub file_duplicates: Vec<Duplicate>,
    /// File duplicates explained by a clock step.
    pub clock_duplicates: Vec<Duplicate>,
    /// Lost leases, each with its likely cause.
    pub lost: Vec<(Lost, LossCause)>,
    /// Lost leases explained by a clock step.
    pub clock_lost: Vec<Lost>,
    /// Per kind.
    pub kinds: BTreeMap<Kind, KindFigures>,
    /// Client outages outside every fault window above [`GRACE`]: (count, max).
    pub steady: (usize, Secs),
    /// Every client wait (DISCOVER or NAK to ACK, serving time only): count, median, max.
    pub waits: (usize, Secs, Secs),
    /// ACKs sent by a peer while its lease folder was full, for a lease its lease file did
    /// not hold.
    pub unwritten_acks: usize,
    /// Of which by a dhcpfo peer, which promises the lease on disk before the ACK leaves.
    pub unwritten_dhcpfo_acks: usize,
    /// Faults that could not be seen to take effect.
    pub unverified: Vec<String>,
    /// Slow returns to service.
    pub slow: Vec<String>,
    /// Lease-file stanzas that did not parse, per peer: how many, and whether the last
    /// stanza was one.
    pub unreadable: Vec<(String, usize, bool)>,
    /// Of those, the ones of a dhcpfo peer's file before its last stanza: a cut record that
    /// later records follow, which dhcpfo could not read back at its next start.
    pub torn_dhcpfo_records: usize,
    /// The run's own notes and the faults' notes.
    pub notes: Vec<String>,
    /// One line per fault.
    pub log: Vec<String>,
}

/// The clock steps in force between `from` and `to` (or up to `slack` before `from`).
fn clock_steps(clocks: &[ClockWindow], from: Secs, to: Secs, slack: Secs) -> Vec<ClockWindow> {
    clocks
        .iter()
        .filter(|c| c.from <= to && c.to + slack >= from)
        .copied()
        .collect()
}

/// Runs every checker over `ev`.
pub fn analyse(ev: &Evidence) -> Analysis {
    let cfg = &ev.config;
    let mclt = f64::from(cfg.model.mclt);
    let max_lease = f64::from(cfg.model.max_lease_time);
    let acked = acked_leases(&ev.wire);
    let mut a = Analysis {
        pair: cfg.pair.label(),
        seed: cfg.seed,
        seconds: ev.span.1 - ev.span.0,
        acks: acked.len(),
        unreadable: ev.unreadable.clone(),
        torn_dhcpfo_records: ev
            .unreadable
            .iter()
            .filter(|(peer, _, _)| {
                dhcpfo::model::Role::BOTH.iter().any(|r| {
                    r.as_str() == peer
                        && cfg.pair.get(*r) == crate::common::pair_lab::PeerKind::Dhcpfo
                })
            })
            .map(|(_, bad, last)| bad - usize::from(*last))
            .sum(),
        notes: ev.notes.clone(),
        ..Analysis::default()
    };
    let mut clients = std::collections::BTreeSet::new();
    for l in &ev.loads {
        for e in &l.exchanges {
            clients.insert(e.client);
            let name = match e.kind {
                Exchange::Dora => "DORA",
                Exchange::Renew => "renew",
                Exchange::Rebind => "rebind",
                Exchange::Release => "release",
                Exchange::Decline => "decline",
            };
            let entry = a.transactions.entry(name.to_string()).or_default();
            entry.1 += 1;
            if e.acked() || matches!(e.kind, Exchange::Release | Exchange::Decline) {
                entry.0 += 1;
            }
        }
    }
    a.clients = clients.len();
    a.wire_duplicates = wire_duplicates(&acked);
    for d in file_duplicates(&ev.files, &acked) {
        // A holding from the stepped peer's file, and an overlap no longer than the step.
        let steps = clock_steps(&ev.clocks, d.second.from - max_lease, d.first.to, max_lease);
        let from_file = |source: &str, peer: dhcpfo::model::Role| {
            source == format!("{} lease file", peer.as_str())
        };
        if steps.iter().any(|c| {
            (from_file(&d.first.source, c.peer) || from_file(&d.second.source, c.peer))
                && d.overlap <= TOLERANCE + c.offset.abs() as f64
        }) {
            a.clock_duplicates.push(d);
        } else {
            a.file_duplicates.push(d);
        }
    }
    // A clock stepped ahead writes later times until real time catches up with them.
    let ahead = |l: &crate::common::pair_check::AckedLease| {
        ev.clocks
            .iter()
            .filter(|c| c.offset > 0)
            .filter(|c| c.from <= l.ends && c.to + c.offset as f64 >= l.acked_at)
            .map(|c| c.offset as f64)
            .fold(0.0, f64::max)
    };
    for l in lost_leases(&acked, &ev.files, &ev.earlier_files, ev.read_at, ahead) {
        let lease = &l.lease;
        // The stepped peer's file held the lease to an end short by no more than the step
        // (its own clock wrote the times).
        let steps = clock_steps(&ev.clocks, lease.starts - max_lease, lease.ends, max_lease);
        let shifted = steps.iter().any(|c| {
            ev.files
                .iter()
                .filter(|f| f.peer == c.peer.as_str())
                .any(|f| {
                    let h = history(&f.peer, f, &ev.earlier_files);
                    held_to_its_end(lease, &h, TOLERANCE + c.offset.abs() as f64, 0.0)
                })
        });
        if shifted {
            a.clock_lost.push(l);
            continue;
        }
        let full_disk = ev.records.iter().any(|r| {
            r.fault.kind == Kind::DiskFull
                && crate::common::pair_lab::address(r.fault.victim) == lease.server
                && lease.acked_at >= r.injected
                && r.healed.is_some_and(|h| lease.acked_at <= h)
        });
        let freed_for_same_client = ev.files.iter().any(|f| {
            f.journal.current().leases.iter().any(|st| {
                st.address == lease.addr
                    && matches!(st.binding_state, BindingState::Free | BindingState::Backup)
                    && st
                        .hardware
                        .as_ref()
                        .is_some_and(|h| h.address == lease.client)
            })
        });
        let cause = if full_disk {
            LossCause::FullDisk
        } else if freed_for_same_client {
            LossCause::FreedForSameClient
        } else {
            LossCause::Unknown
        };
        a.lost.push((l, cause));
    }

    // Unavailability, per fault window.
    let all = outages(&ev.wire, &ev.windows, 0.0);
    let all_waits: Vec<Secs> = all.iter().map(|o| o.unavailable).collect();
    let (median, max) = median_max(&all_waits);
    a.waits = (all.len(), median, max);
    let windows: Vec<(usize, Secs, Secs)> = ev
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let end = r.settled.or(r.healed).unwrap_or(ev.span.1);
            (i, r.injected, end.max(r.injected))
        })
        .collect();
    let mut per_fault: Vec<Secs> = vec![0.0; ev.records.len()];
    // The outage behind each fault's figure, named in its log line.
    let mut worst: Vec<Option<&crate::common::pair_check::Outage>> = vec![None; ev.records.len()];
    let mut over: Vec<usize> = vec![0; ev.records.len()];
    let mut steady = (0usize, 0.0f64);
    for o in &all {
        let owner = windows
            .iter()
            .find(|(_, a, b)| o.from >= *a && o.from < *b)
            .map(|(i, _, _)| *i);
        match owner {
            Some(i) => {
                if o.unavailable > per_fault[i] {
                    per_fault[i] = o.unavailable;
                    worst[i] = Some(o);
                }
                if o.unavailable > GRACE {
                    over[i] += 1;
                }
            }
            None if o.unavailable > GRACE => {
                steady.0 += 1;
                steady.1 = steady.1.max(o.unavailable);
            }
            None => {}
        }
        if o.unavailable > mclt + SERVE_BOUND {
            a.slow.push(format!("client outage {o}"));
        }
    }
    a.steady = steady;
    for (i, r) in ev.records.iter().enumerate() {
        a.unwritten_acks += r.unwritten_acks;
        if cfg.pair.get(r.fault.victim) == crate::common::pair_lab::PeerKind::Dhcpfo {
            a.unwritten_dhcpfo_acks += r.unwritten_acks;
        }
        let k = a.kinds.entry(r.fault.kind).or_default();
        k.injected += 1;
        match &r.verified {
            Ok(_) => k.verified += 1,
            Err(e) => a.unverified.push(format!(
                "{} of the {} at {:.1}: {e}",
                r.fault.kind.name(),
                r.fault.victim.as_str(),
                r.injected
            )),
        }
        k.unavailability.push(per_fault[i]);
        k.outages += over[i];
        match (r.settled, r.healed) {
            (Some(s), Some(h)) => k.settle.push(s - h),
            _ => k.unsettled += 1,
        }
        for (what, t) in [("injection", Some(r.injected)), ("heal", r.healed)] {
            let Some(t) = t else { continue };
            let Some(tts) = time_to_serve_after(&ev.wire, t) else {
                continue;
            };
            let allowed = covered(t, t + tts, &ev.windows);
            if allowed > mclt + SERVE_BOUND {
                a.slow.push(format!(
                    "{} of the {}: first ACK {tts:.1} s after the {what} ({allowed:.1} s while \
                     a peer could serve)",
                    r.fault.kind.name(),
                    r.fault.victim.as_str()
                ));
            }
        }
        for n in &r.notes {
            a.notes.push(format!(
                "{} of the {} at {:.1}: {n}",
                r.fault.kind.name(),
                r.fault.victim.as_str(),
                r.injected
            ));
        }
        a.log.push(format!(
            "{:>7.1} s {} {} (hold {} s{}): unavailability {:.1} s{}, {}",
            r.injected - ev.span.0,
            r.fault.kind.name(),
            r.fault.victim.as_str(),
            r.fault.hold,
            match r.fault.kind {
                Kind::ClockStep => format!(", {:+} s", r.fault.offset),
                Kind::LinkImpair => format!(
                    ", {} ms ± {}, loss {}, reorder {}",
                    r.fault.impairment.delay_ms,
                    r.fault.impairment.jitter_ms,
                    r.fault.impairment.loss,
                    r.fault.impairment.reorder
                ),
                _ => String::new(),
            },
            per_fault[i],
            worst[i]
                .filter(|o| o.unavailable >= 0.05)
                .map_or_else(String::new, |o| format!(
                    " ({} from {:.1} s to {:.1} s{})",
                    crate::common::dhcp_wire::mac_text(&o.client),
                    o.from - ev.span.0,
                    o.to - ev.span.0,
                    if o.resolved { "" } else { ", never served" }
                )),
            match (&r.verified, r.settled, r.healed) {
                (Err(e), _, _) => format!("NOT VERIFIED: {e}"),
                (Ok(v), Some(s), Some(h)) => format!("{v}; normal {:.1} s after the heal", s - h),
                (Ok(v), _, _) => format!("{v}; NOT normal again in time"),
            }
        ));
    }
    a
}

impl Analysis {
    /// Duplicates (wire and files, not clock-shifted), lost leases (optionally without
    /// those that ISC 4.4.3's known defects explain: `excuse_isc`, for a pair of two ISC
    /// peers), ACKs of a dhcpfo peer whose lease could not be written, and cut records
    /// inside a dhcpfo peer's lease file.
    pub fn violations(&self, excuse_isc: bool) -> usize {
        self.unwritten_dhcpfo_acks
            + self.torn_dhcpfo_records
            + self.wire_duplicates.len()
            + self.file_duplicates.len()
            + self
                .lost
                .iter()
                .filter(|(_, cause)| !(excuse_isc && *cause != LossCause::Unknown))
                .count()
    }

    /// Every finding, one per line (at most `limit` of each sort).
    pub fn findings(&self, limit: usize) -> String {
        let mut s = String::new();
        for d in self.wire_duplicates.iter().take(limit) {
            let _ = writeln!(s, "duplicate on the wire: {d}");
        }
        for d in self.file_duplicates.iter().take(limit) {
            let _ = writeln!(s, "duplicate in the lease files: {d}");
        }
        for (l, cause) in self.lost.iter().take(limit) {
            let _ = writeln!(s, "lost: {l}{}", cause.mark());
        }
        for d in self.clock_duplicates.iter().take(limit) {
            let _ = writeln!(s, "clock-shifted file overlap: {d}");
        }
        for l in self.clock_lost.iter().take(limit) {
            let _ = writeln!(s, "clock-shifted lease end: {l}");
        }
        for u in self.unverified.iter().take(limit) {
            let _ = writeln!(s, "fault not verified: {u}");
        }
        for u in self.slow.iter().take(limit) {
            let _ = writeln!(s, "slow: {u}");
        }
        for (peer, n, last) in &self.unreadable {
            if *n > 0 {
                let _ = writeln!(
                    s,
                    "{peer} lease file: {n} stanzas did not parse{}",
                    if *last {
                        " (the last one among them)"
                    } else {
                        ""
                    }
                );
            }
        }
        for n in self.notes.iter().take(limit) {
            let _ = writeln!(s, "note: {n}");
        }
        s
    }

    /// A summary for the test's output.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} seed {}: {:.0} s, {} clients, {} transactions, {} ACKs; duplicates {} on the \
             wire, {} in the files; lost {} ({} ACKed with a full disk, {} freed for the same \
             client); \
             clock-shifted {} + {}; steady-state outages {} (max {:.1} s); client waits {} \
             (median {:.2} s, max {:.1} s); ACKs of leases not on the full disk {}; records cut \
             inside a dhcpfo lease file {}\n",
            self.pair,
            self.seed,
            self.seconds,
            self.clients,
            self.transactions.values().map(|t| t.1).sum::<usize>(),
            self.acks,
            self.wire_duplicates.len(),
            self.file_duplicates.len(),
            self.lost.len(),
            self.lost
                .iter()
                .filter(|(_, c)| *c == LossCause::FullDisk)
                .count(),
            self.lost
                .iter()
                .filter(|(_, c)| *c == LossCause::FreedForSameClient)
                .count(),
            self.clock_duplicates.len(),
            self.clock_lost.len(),
            self.steady.0,
            self.steady.1,
            self.waits.0,
            self.waits.1,
            self.waits.2,
            self.unwritten_acks,
            self.torn_dhcpfo_records
        );
        for (kind, k) in &self.kinds {
            let (median, max) = median_max(&k.unavailability);
            let _ = writeln!(
                s,
                "  {:<18} {} injected, {} verified, unavailability median {median:.1} s max \
                 {max:.1} s, {} outages > {GRACE} s, {} not normal again",
                kind.name(),
                k.injected,
                k.verified,
                k.outages,
                k.unsettled
            );
        }
        for l in &self.log {
            let _ = writeln!(s, "  {l}");
        }
        s.push_str(&self.findings(20));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dhcpfo::model::Role;

    fn w(peer: &str, from: Secs, to: Secs) -> Window {
        Window {
            peer: peer.into(),
            from,
            to,
        }
    }

    #[test]
    fn an_isolated_peer_cannot_serve_while_isolated() {
        let windows = vec![w("primary", 0.0, 100.0), w("secondary", 0.0, 100.0)];
        let cut = cut_windows(windows, &[(Role::Primary, 20.0, 30.0)]);
        assert_eq!(
            cut,
            vec![
                w("primary", 0.0, 20.0),
                w("primary", 30.0, 100.0),
                w("secondary", 0.0, 100.0)
            ]
        );
        // Nobody could serve while both were cut off: no unavailability counts then.
        let both = cut_windows(cut, &[(Role::Secondary, 25.0, 35.0)]);
        assert_eq!(covered(20.0, 40.0, &both), 15.0);
    }

    #[test]
    fn a_lease_file_cut_by_a_full_disk_is_read_around_the_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dhcpd.leases");
        let good = |ip: &str| {
            format!(
                "lease {ip} {{\n  starts 4 2026/01/01 00:00:00;\n  ends 4 2026/01/01 00:01:00;\n  \
                 binding state active;\n  hardware ethernet 02:00:00:00:00:01;\n}}\n"
            )
        };
        let text = format!(
            "{}lease 10.0.0.2 {{\n  starts 4 2026/01/01 00:00:00;\n  ends 4 20{}",
            good("10.0.0.1"),
            good("10.0.0.3")
        );
        std::fs::write(&path, text).unwrap();
        let (file, bad, last) = read_tolerant(&path);
        let addrs: Vec<String> = file.leases.iter().map(|l| l.address.to_string()).collect();
        assert_eq!(addrs, ["10.0.0.1", "10.0.0.3"]);
        assert_eq!((bad, last), (1, false));
    }
}
