//! `dhcpfo status`: per peer, whether it is reachable and its service runs, the failover state
//! of each relationship (the last `failover peer ... state` stanza of its lease file), pool
//! counts computed from the lease file, and the clock skew between the peers.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::net::Ipv4Addr;

use serde::Serialize;

use super::{ConnectOptions, RemoteError, Target, both, clock, files, session, shell_quote};
use crate::codes::runtime;
use crate::diag::JsonFinding;
use crate::leases::{BindingState, FailoverStanza};
use crate::model::{Pair, Role};

/// One failover relationship as a peer's lease file records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relationship {
    /// The relationship's name.
    pub name: String,
    /// This peer's state (`normal`, `communications-interrupted`, ...).
    pub my_state: String,
    /// Since when (seconds since the epoch, UTC).
    pub my_since: Option<u64>,
    /// The partner's state as this peer last knew it.
    pub partner_state: String,
    /// Since when.
    pub partner_since: Option<u64>,
    /// The MCLT recorded, if any.
    pub mclt: Option<u32>,
}

/// Addresses by binding state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PoolCounts {
    /// Free, owned by this peer's side of the pool (the primary's in failover).
    pub free: u64,
    /// Free, held for the secondary (`backup`).
    pub backup: u64,
    /// Leased to a client.
    pub active: u64,
    /// Expired, not yet reclaimed.
    pub expired: u64,
    /// Abandoned (declined, or answered a ping).
    pub abandoned: u64,
    /// Released, reset or any other state.
    pub other: u64,
}

impl PoolCounts {
    fn add(&mut self, state: &str) {
        match state {
            "free" => self.free += 1,
            "backup" => self.backup += 1,
            "active" => self.active += 1,
            "expired" => self.expired += 1,
            "abandoned" => self.abandoned += 1,
            _ => self.other += 1,
        }
    }

    /// Every address counted.
    pub fn total(&self) -> u64 {
        self.free + self.backup + self.active + self.expired + self.abandoned + self.other
    }
}

/// The counts of one pool of the model.
#[derive(Debug, Clone, Serialize)]
pub struct PoolStatus {
    /// The pool's ranges, `first-last`, comma-separated.
    pub ranges: String,
    /// Its addresses in the lease file, by state.
    pub counts: PoolCounts,
}

/// One peer's status.
#[derive(Debug, Clone, Serialize)]
pub struct PeerStatus {
    /// The peer.
    pub peer: Role,
    /// `host:port`.
    pub host: String,
    /// Whether SSH worked.
    pub reachable: bool,
    /// Whether the status command succeeded (`None`: not reachable).
    pub service_running: Option<bool>,
    /// Failover relationships from the lease file.
    pub failover: Vec<Relationship>,
    /// Counts per pool of the model.
    pub pools: Vec<PoolStatus>,
    /// Counts of every address in the lease file.
    pub total: Option<PoolCounts>,
    /// The peer's clock minus this machine's, in seconds.
    pub clock_offset: Option<f64>,
    /// An unfinished deploy recorded in the peer's lock, described line by line (empty: none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unfinished_deploy: Vec<String>,
    /// What went wrong, if anything, in the finding shape of every command's JSON.
    pub errors: Vec<JsonFinding>,
}

/// Both peers' status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// Primary first.
    pub peers: Vec<PeerStatus>,
    /// Primary minus secondary clock, in seconds, when both were read.
    pub clock_skew: Option<f64>,
    /// How bad the skew is.
    pub clock: Option<clock::Verdict>,
}

impl StatusReport {
    /// Whether everything is as it should be: both reachable, running, clocks within 60 s,
    /// and every relationship normal on both sides.
    pub fn healthy(&self) -> bool {
        self.problems().is_empty()
    }

    /// Why the pair is not healthy, one sentence each (empty when it is).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.clock == Some(clock::Verdict::Error) {
            problems.push("the peers' clocks differ by more than 60 s".to_string());
        }
        for p in &self.peers {
            let peer = p.peer.as_str();
            if !p.reachable {
                problems.push(format!("{peer}: not reachable"));
                continue;
            }
            match p.service_running {
                Some(true) => {}
                Some(false) => problems.push(format!("{peer}: the service does not run")),
                None => problems.push(format!("{peer}: whether the service runs is unknown")),
            }
            if !p.errors.is_empty() {
                problems.push(format!(
                    "{peer}: {} error(s), listed in its errors",
                    p.errors.len()
                ));
            }
            if !p.unfinished_deploy.is_empty() {
                problems.push(format!("{peer}: an unfinished deploy"));
            }
            if p.failover.is_empty() {
                problems.push(format!("{peer}: its lease file has no failover state yet"));
            }
            for r in &p.failover {
                if r.my_state != "normal" || r.partner_state != "normal" {
                    problems.push(format!(
                        "{peer}: failover {:?} is {} (partner {}), not normal",
                        r.name, r.my_state, r.partner_state
                    ));
                }
            }
        }
        problems
    }
}

/// What status needs from a lease file: the last failover stanza per relationship and the
/// last binding state per address.
pub struct LeaseSummary {
    /// Relationships, by name.
    pub failover: Vec<Relationship>,
    /// Each address's current binding state, by address.
    pub leases: Vec<(Ipv4Addr, BindingState)>,
}

/// Reads both peers' status at once.
pub fn status(pair: &Pair, targets: &[Target; 2], options: &ConnectOptions) -> StatusReport {
    let pools: Vec<Vec<(u32, u32)>> = pair
        .all_subnets()
        .flat_map(|s| s.pools.iter())
        .map(|p| p.range.ranges().iter().map(|r| r.bounds()).collect())
        .collect();
    let peers = both(|role| {
        let target = &targets[usize::from(role == Role::Secondary)];
        peer_status(target, &pools, options)
    });
    let clock_skew = match (peers[0].clock_offset, peers[1].clock_offset) {
        (Some(p), Some(s)) => Some(clock::skew(p, s)),
        _ => None,
    };
    StatusReport {
        peers: peers.into_iter().collect(),
        clock_skew,
        clock: clock_skew.map(clock::verdict),
    }
}

fn peer_status(target: &Target, pools: &[Vec<(u32, u32)>], options: &ConnectOptions) -> PeerStatus {
    let mut status = PeerStatus {
        peer: target.role,
        host: target.addr(),
        reachable: false,
        service_running: None,
        failover: Vec::new(),
        pools: Vec::new(),
        total: None,
        clock_offset: None,
        unfinished_deploy: Vec::new(),
        errors: Vec::new(),
    };
    let conn = match session::connect(target, options) {
        Ok(conn) => conn,
        Err(e) => {
            status.errors.push(JsonFinding::from_miette(&e));
            return status;
        }
    };
    status.reachable = true;
    match super::deploy::unfinished_on(&conn) {
        Ok(lines) => status.unfinished_deploy = lines,
        Err(e) => status.errors.push(JsonFinding::from_miette(&e)),
    }
    let mut note = |e: RemoteError| status.errors.push(JsonFinding::from_miette(&e));
    match super::inspect::service(&conn) {
        Ok(super::inspect::Service::Running) => status.service_running = Some(true),
        Ok(super::inspect::Service::Stopped(_)) => status.service_running = Some(false),
        Ok(super::inspect::Service::Hung(seconds)) => note(RemoteError::Deadline {
            peer: target.peer().into(),
            action: "the status command".into(),
            command: super::text::terminal_safe(&target.status_command),
            seconds,
        }),
        Err(e) => note(e),
    }
    match clock::offset(&conn) {
        Ok(offset) => status.clock_offset = Some(offset),
        Err(e) => note(e),
    }
    // The lease file is read as a stream: only the summary is kept, whatever its size; the
    // peer's `command-timeout` bounds the time.
    let path = shell_quote(&target.leases_path);
    let command = format!("test -e {path} || exit 100; exec cat -- {path}");
    let deadline = target.command_timeout;
    match conn.stream_stdout(&command, |out| summarize(out)) {
        Ok((_, out)) if out.timed_out => {
            if let Err(e) = conn.check("reading the lease file", &command, out, deadline) {
                note(e);
            }
        }
        Ok((Ok(summary), out)) if out.status == 0 => {
            status.failover = summary.failover;
            status.pools = count_pools(&summary.leases, pools);
            let mut total = PoolCounts::default();
            for (_, state) in &summary.leases {
                total.add(state.as_str());
            }
            status.total = Some(total);
        }
        Ok((_, out)) if out.status == 100 => status.errors.push(lease_file_error(
            target.peer(),
            format!("{}: no lease file", target.leases_path),
        )),
        Ok((Err(e), out)) if out.status == 0 => status.errors.push(lease_file_error(
            target.peer(),
            format!("{}: {e}", target.leases_path),
        )),
        Ok((_, out)) => status.errors.push(lease_file_error(
            target.peer(),
            format!(
                "{}: cannot read it (`cat` exited with status {}{})",
                target.leases_path,
                out.status,
                match out.detail() {
                    d if d.is_empty() => String::new(),
                    d => format!(": {d}"),
                }
            ),
        )),
        Err(e) => note(e),
    }
    status
}

/// A problem with a peer's lease file (DF550).
fn lease_file_error(peer: &str, message: String) -> JsonFinding {
    JsonFinding::of(
        &runtime::STATUS_LEASE_FILE,
        format!("{peer}: {message}"),
        "check `ssh.leases-path` for this peer, and that the SSH user can read the file",
    )
}

/// Counts the addresses of each pool by state.
pub fn count_pools(
    leases: &[(Ipv4Addr, BindingState)],
    pools: &[Vec<(u32, u32)>],
) -> Vec<PoolStatus> {
    pools
        .iter()
        .map(|ranges| {
            let mut counts = PoolCounts::default();
            for (address, state) in leases {
                let a = u32::from(*address);
                if ranges.iter().any(|(s, e)| (*s..=*e).contains(&a)) {
                    counts.add(state.as_str());
                }
            }
            let ranges = ranges
                .iter()
                .map(|(s, e)| format!("{}-{}", Ipv4Addr::from(*s), Ipv4Addr::from(*e)))
                .collect::<Vec<_>>()
                .join(",");
            PoolStatus { ranges, counts }
        })
        .collect()
}

/// Reads a lease file, as a stream, into what status shows: the last stanza of each
/// relationship (with the MCLT last recorded for it: ISC writes `mclt` in some stanzas only)
/// and the last record of each address. Memory holds the summary, not the file.
pub fn summarize(reader: impl Read) -> Result<LeaseSummary, String> {
    let mut states: HashMap<Ipv4Addr, BindingState> = HashMap::new();
    let mut last: BTreeMap<String, FailoverStanza> = BTreeMap::new();
    let mut mclt: HashMap<String, u32> = HashMap::new();
    crate::leases::for_each_batch(reader, |batch| {
        for lease in batch.leases {
            states.insert(lease.address, lease.binding_state);
        }
        for stanza in batch.failover {
            if let Some(m) = stanza.mclt {
                mclt.insert(stanza.peer.clone(), m);
            }
            last.insert(stanza.peer.clone(), stanza);
        }
    })
    .map_err(|e| e.to_string())?;
    let since = |t: crate::leases::Timestamp| (!t.is_never()).then_some(t.0);
    let failover = last
        .into_values()
        .map(|stanza| Relationship {
            mclt: mclt.get(&stanza.peer).copied(),
            name: stanza.peer,
            my_state: stanza.my.state.as_str().to_string(),
            my_since: since(stanza.my.at),
            partner_state: stanza.partner.state.as_str().to_string(),
            partner_since: since(stanza.partner.at),
        })
        .collect();
    let mut leases: Vec<(Ipv4Addr, BindingState)> = states.into_iter().collect();
    leases.sort_unstable_by_key(|(address, _)| *address);
    Ok(LeaseSummary { failover, leases })
}

/// The human form of a report.
pub fn render_human(report: &StatusReport) -> String {
    let mut out = String::new();
    for p in &report.peers {
        let running = match p.service_running {
            Some(true) => "service running",
            Some(false) => "service NOT running",
            None => "service unknown",
        };
        let reach = if p.reachable {
            "reachable"
        } else {
            "UNREACHABLE"
        };
        out.push_str(&format!(
            "{} ({}): {reach}, {running}\n",
            p.peer.as_str(),
            p.host
        ));
        for r in &p.failover {
            let since = |t: Option<u64>| t.map_or_else(|| "unknown".to_string(), files::utc_text);
            out.push_str(&format!(
                "  failover \"{}\": my state {} since {}, partner state {} since {}{}\n",
                r.name,
                r.my_state,
                since(r.my_since),
                r.partner_state,
                since(r.partner_since),
                r.mclt.map_or(String::new(), |m| format!(", mclt {m}"))
            ));
        }
        let line = |label: &str, c: &PoolCounts| {
            format!(
                "  {label}: free {}, backup {}, active {}, expired {}, abandoned {}{}\n",
                c.free,
                c.backup,
                c.active,
                c.expired,
                c.abandoned,
                if c.other > 0 {
                    format!(", other {}", c.other)
                } else {
                    String::new()
                }
            )
        };
        for pool in &p.pools {
            out.push_str(&line(&format!("pool {}", pool.ranges), &pool.counts));
        }
        if let Some(total) = &p.total
            && p.pools.len() != 1
        {
            out.push_str(&line("all leases", total));
        }
        for line in &p.unfinished_deploy {
            out.push_str(&format!("  deploy: {line}\n"));
        }
        if let Some(offset) = p.clock_offset {
            out.push_str(&format!("  clock: {offset:+.1} s from this machine\n"));
        }
        for e in &p.errors {
            out.push_str(&format!("  error[{}]: {}\n", e.code, e.message));
            if !e.help.is_empty() {
                out.push_str(&format!("    help: {}\n", e.help));
            }
        }
    }
    match (report.clock_skew, report.clock) {
        (Some(skew), Some(verdict)) => {
            let judgement = match verdict {
                clock::Verdict::Ok => "ok",
                clock::Verdict::Warning => "WARNING: more than 5 s",
                clock::Verdict::Error => {
                    "ERROR: more than 60 s, dhcpd refuses the failover connection (time offset too large)"
                }
            };
            out.push_str(&format!(
                "clock skew between the peers: {:.1} s ({judgement})\n",
                skew.abs()
            ));
        }
        _ => out.push_str("clock skew between the peers: unknown\n"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_file_problem_is_a_df550_error_naming_the_peer() {
        let e = lease_file_error(
            "secondary",
            "/var/lib/dhcp/dhcpd.leases: no lease file".into(),
        );
        assert_eq!(
            (e.code.as_str(), e.severity),
            ("DF550", crate::diag::Severity::Error)
        );
        assert_eq!(
            e.message,
            "secondary: /var/lib/dhcp/dhcpd.leases: no lease file"
        );
        assert!(e.help.contains("ssh.leases-path"), "{}", e.help);
    }

    const SAMPLE: &str = "\
authoring-byte-order little-endian;

failover peer \"fo\" state {
  my state recover at 0 2026/11/22 08:13:20;
  partner state unknown-state at 0 2026/11/22 08:13:20;
  mclt 1800;
}
lease 10.0.0.5 {
  binding state free;
}
lease 10.0.0.6 {
  starts 0 2026/11/22 08:13:20;
  binding state free;
}
failover peer \"fo\" state {
  my state normal at epoch 1795335258;
  partner state normal at 0 2026/11/22 08:14:18;
}
lease 10.0.0.5 {
  starts 0 2026/11/22 08:13:20;
  binding state backup;
}
lease 10.0.0.9 {
  binding state active;
}
";

    #[test]
    fn the_last_record_wins_and_pools_are_counted() {
        let s = summarize(SAMPLE.as_bytes()).unwrap();
        assert_eq!(s.failover.len(), 1);
        let r = &s.failover[0];
        assert_eq!(
            (r.my_state.as_str(), r.partner_state.as_str()),
            ("normal", "normal")
        );
        assert_eq!(
            (r.my_since, r.partner_since, r.mclt),
            (Some(1_795_335_258), Some(1_795_335_258), Some(1800))
        );
        let pools = count_pools(
            &s.leases,
            &[vec![(
                u32::from(Ipv4Addr::new(10, 0, 0, 5)),
                u32::from(Ipv4Addr::new(10, 0, 0, 6)),
            )]],
        );
        assert_eq!(pools[0].ranges, "10.0.0.5-10.0.0.6");
        assert_eq!(
            pools[0].counts,
            PoolCounts {
                free: 1,
                backup: 1,
                ..PoolCounts::default()
            }
        );
        assert_eq!(pools[0].counts.total(), 2);
    }

    #[test]
    fn a_malformed_file_is_an_error_with_its_line() {
        let err = summarize("lease 10.0.0.5 {\n  binding state;\n".as_bytes())
            .err()
            .unwrap();
        assert!(err.contains("line"), "{err}");
    }
}
