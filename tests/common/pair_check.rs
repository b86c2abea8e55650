//! Checkers of a failover pair's promises, from everything a run leaves behind: the DHCP
//! packets captured on the clients' side, both peers' lease files (the whole journal), and
//! both peers' time-stamped logs. They are pure functions of that evidence, so the tests in
//! `tests/quick/pair_checkers.rs` feed them synthetic inputs that must fail.
//!
//! Definitions (times are seconds since the Unix epoch):
//!
//! - An **acked lease** is an ACK seen on the wire with a non-zero yiaddr and a lease time.
//!   It starts when the client sent the REQUEST it answers (RFC 2131 4.4.1: the client counts
//!   from its request; the ACK's own time if that REQUEST was not captured) and ends a lease
//!   time later, or earlier if the client released that address (RELEASE), declined it
//!   (DECLINE) or was refused (NAK) in between: the **effective end**. A RELEASE or DECLINE
//!   counts from the request, as both peers may ACK one REQUEST and the client answers the
//!   first ACK only; a NAK to a request already ACKed does not count (the client holds the
//!   first answer's lease).
//! - A **duplicate** is one address held by two different clients (by hardware address) over
//!   intervals that overlap by more than [`TOLERANCE`]. On the wire the intervals are the
//!   acked leases. In the lease files they are the `active` stanzas' `starts`..`ends` of both
//!   peers' journals together (the pair is one database), each cut at the earliest evidence
//!   that the holding ended sooner: a later non-active stanza of the same client for that
//!   address whose `ends` lies inside it, or the client's RELEASE/DECLINE/NAK on the wire.
//! - A **lost** lease is the last acked lease of a (client, address) pair that no lease file
//!   accounts for. Still running at the end of the run (effective end after the moment the
//!   files were read): neither peer's current stanza for the address is `active` for that
//!   client with an `ends` no earlier than the effective end. Already over: no peer's file
//!   **held it to its end** ([`held_to_its_end`]): read in order over its history (the
//!   copies taken before each start that changed the file and the files rewrites replaced,
//!   then the file at the end), a
//!   stanza of the address with the client's hardware address and an `ends` no earlier than
//!   the effective end (in any binding state), followed by no stanza of the address without
//!   both (another client, no hardware address, an earlier end) until one written at or
//!   after the effective end; a holding ended early counts again only if taken up again
//!   before the end. When a stanza was written is bounded below by the latest `starts` or
//!   `cltt` of the stanzas up to it: a file is appended in time order, by a clock that is
//!   right (a peer whose clock was stepped ahead writes later times, which makes the bound
//!   too late for as long as the step). A rewrite inside a run (dhcpfo's compaction,
//!   ISC's hourly one) keeps the file it replaced as `FILE~`; the lab adds that file to the
//!   history (kept before each start, whose own rewrite replaces it, and at the end of the
//!   run). Records written between two rewrites with no start between them are not seen:
//!   dhcpfo compacts after max(10000, 2 x leases) appended records and ISC rewrites hourly
//!   (neither happens twice between starts in the tests' runs), but ISC also rewrites after
//!   a failed write, as on a full disk.
//! - An **outage** is a client without service: from its first DISCOVER with no outage open
//!   (or a NAK to it) to the next ACK to it, or to its last packet if none came. Its
//!   **unavailability** is the part of that time during which at least one peer was running
//!   and in a state that lets it serve (normal, communications-interrupted, partner-down),
//!   from the logs; outages with more than a grace period of it are reported. The checker
//!   does not model a peer whose own free pool is empty, nor the MCLT wait before partner-down
//!   reuses the partner's addresses: tests bound those outages themselves.
//! - **Time to serve again** after a fault at `t`: until the first ACK that answers a
//!   request sent at or after `t`.
//!
//! [`TOLERANCE`] covers lease files' whole seconds: a file's `ends` is the server's time
//! rounded down plus the lease time, up to a second before the client's count.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

use dhcpfo::leases::{BindingState, LeaseFile, Timestamp};

use super::dhcp_wire::{Secs, WirePacket, mac_text, msg};

/// Slack for whole-second lease-file times (see the module documentation).
pub const TOLERANCE: Secs = 2.0;

/// The failover states in which a peer answers clients.
pub const SERVING_STATES: [&str; 3] = ["normal", "communications-interrupted", "partner-down"];

/// A lease a client was given, from an ACK on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct AckedLease {
    /// The address.
    pub addr: Ipv4Addr,
    /// The client's hardware address.
    pub client: [u8; 6],
    /// The ACK's server identifier.
    pub server: Ipv4Addr,
    /// When the ACK was captured.
    pub acked_at: Secs,
    /// When the client first sent the request it answers (a resend keeps the transaction
    /// id): the earliest the server can have counted the lease from.
    pub first_request: Secs,
    /// When the client sent the request it answers (the last send before the ACK).
    pub starts: Secs,
    /// The effective end.
    pub ends: Secs,
    /// Option 51.
    pub lease_secs: u32,
    /// What cut the lease short, if anything (`RELEASE`, `DECLINE`, `NAK`).
    pub cut_by: Option<&'static str>,
}

/// Every acked lease on the wire, with its effective end.
pub fn acked_leases(wire: &[WirePacket]) -> Vec<AckedLease> {
    // (client, xid) -> (first send, last send) of the REQUEST.
    let mut requests: HashMap<([u8; 6], u32), (Secs, Secs)> = HashMap::new();
    let mut leases: Vec<AckedLease> = Vec::new();
    let mut acked: HashSet<([u8; 6], u32)> = HashSet::new();
    // (client, address or None for any, time, what)
    let mut cuts: Vec<([u8; 6], Option<Ipv4Addr>, Secs, &'static str)> = Vec::new();
    for p in wire {
        let d = &p.dhcp;
        match (d.op, d.msg_type) {
            (1, Some(msg::REQUEST)) => {
                let sent = requests.entry((d.chaddr, d.xid)).or_insert((p.at, p.at));
                sent.1 = p.at;
            }
            (1, Some(msg::RELEASE)) => cuts.push((d.chaddr, Some(d.ciaddr), p.at, "RELEASE")),
            (1, Some(msg::DECLINE)) => {
                cuts.push((d.chaddr, d.requested_ip.or(Some(d.ciaddr)), p.at, "DECLINE"));
            }
            // A NAK to a request another peer already ACKed is ignored by the client, which
            // holds the lease from the first answer.
            (2, Some(msg::NAK)) if !acked.contains(&(d.chaddr, d.xid)) => {
                cuts.push((d.chaddr, None, p.at, "NAK"));
            }
            (2, Some(msg::ACK)) if !d.yiaddr.is_unspecified() => {
                let Some(lease_secs) = d.lease_time else {
                    continue;
                };
                acked.insert((d.chaddr, d.xid));
                let sent = requests
                    .get(&(d.chaddr, d.xid))
                    .copied()
                    .filter(|(_, last)| *last <= p.at && p.at - *last < 60.0);
                let starts = sent.map_or(p.at, |(_, last)| last);
                let first_request = sent.map_or(p.at, |(first, _)| first.min(starts));
                leases.push(AckedLease {
                    addr: d.yiaddr,
                    client: d.chaddr,
                    server: d.server_id.unwrap_or(p.src),
                    acked_at: p.at,
                    first_request,
                    starts,
                    ends: starts + f64::from(lease_secs),
                    lease_secs,
                    cut_by: None,
                });
            }
            _ => {}
        }
    }
    for lease in &mut leases {
        for (client, addr, at, what) in &cuts {
            // The client's own RELEASE or DECLINE of the address ends every ACK of it that
            // answers a request sent before: both peers may answer one REQUEST, and a client
            // that declined the first ACK ignores the second (the tests' client ignores every
            // answer once it released or declined, and takes a new transaction id for its
            // next request). A NAK ends only what it follows.
            let after = if *what == "NAK" {
                lease.acked_at
            } else {
                lease.starts
            };
            if *client == lease.client
                && addr.is_none_or(|a| a == lease.addr)
                && *at >= after
                && *at < lease.ends
            {
                lease.ends = *at;
                lease.cut_by = Some(what);
            }
        }
    }
    leases
}

/// One client holding one address over an interval, and who says so.
#[derive(Debug, Clone, PartialEq)]
pub struct Holding {
    /// The client's hardware address.
    pub client: Vec<u8>,
    /// From.
    pub from: Secs,
    /// To (infinite for `never`).
    pub to: Secs,
    /// The evidence: `wire ACK from 10.60.0.1` or `primary lease file`.
    pub source: String,
}

/// An address held by two clients at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    /// The address.
    pub addr: Ipv4Addr,
    /// The earlier holding.
    pub first: Holding,
    /// The later holding.
    pub second: Holding,
    /// Seconds of overlap.
    pub overlap: Secs,
}

impl std::fmt::Display for Duplicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} [{:.1}, {:.1}] ({}) and {} [{:.1}, {:.1}] ({}) overlap {:.1} s",
            self.addr,
            mac_text(&self.first.client),
            self.first.from,
            self.first.to,
            self.first.source,
            mac_text(&self.second.client),
            self.second.from,
            self.second.to,
            self.second.source,
            self.overlap
        )
    }
}

/// Pairs of holdings of one address by different clients that overlap by more than
/// [`TOLERANCE`].
fn overlaps(by_addr: BTreeMap<Ipv4Addr, Vec<Holding>>) -> Vec<Duplicate> {
    let mut out = Vec::new();
    for (addr, mut holdings) in by_addr {
        holdings.sort_by(|a, b| a.from.total_cmp(&b.from));
        for (i, a) in holdings.iter().enumerate() {
            for b in &holdings[i + 1..] {
                if b.from >= a.to {
                    continue;
                }
                let overlap = a.to.min(b.to) - b.from;
                if a.client != b.client && overlap > TOLERANCE {
                    out.push(Duplicate {
                        addr,
                        first: a.clone(),
                        second: b.clone(),
                        overlap,
                    });
                }
            }
        }
    }
    out
}

/// Duplicates among the acked leases on the wire.
pub fn wire_duplicates(leases: &[AckedLease]) -> Vec<Duplicate> {
    let mut by_addr: BTreeMap<Ipv4Addr, Vec<Holding>> = BTreeMap::new();
    for l in leases {
        by_addr.entry(l.addr).or_default().push(Holding {
            client: l.client.to_vec(),
            from: l.starts,
            to: l.ends,
            source: format!("wire ACK from {}", l.server),
        });
    }
    overlaps(by_addr)
}

/// One peer's lease file: the whole journal, every stanza in file order.
#[derive(Debug, Clone)]
pub struct PeerFile {
    /// `primary` or `secondary`.
    pub peer: String,
    /// The parsed file.
    pub journal: LeaseFile,
}

fn secs(t: Option<Timestamp>) -> Option<Secs> {
    t.map(|t| {
        if t.is_never() {
            f64::INFINITY
        } else {
            t.0 as f64
        }
    })
}

/// Duplicates in the two lease files taken together, holdings cut short by the end evidence
/// of the files and of the wire (`acked` gives the wire's RELEASE/DECLINE/NAK cuts).
pub fn file_duplicates(files: &[PeerFile], acked: &[AckedLease]) -> Vec<Duplicate> {
    // (address, client) -> times at which some record says the holding ended.
    let mut ended: HashMap<(Ipv4Addr, Vec<u8>), Vec<Secs>> = HashMap::new();
    for l in acked.iter().filter(|l| l.cut_by.is_some()) {
        ended
            .entry((l.addr, l.client.to_vec()))
            .or_default()
            .push(l.ends);
    }
    let mut holdings: Vec<(Ipv4Addr, Holding)> = Vec::new();
    for file in files {
        for lease in &file.journal.leases {
            let Some(hw) = &lease.hardware else { continue };
            let key = (lease.address, hw.address.clone());
            if lease.binding_state != BindingState::Active {
                if let Some(end) = secs(lease.ends) {
                    ended.entry(key).or_default().push(end);
                }
                continue;
            }
            let (Some(from), Some(to)) = (secs(lease.starts), secs(lease.ends)) else {
                continue;
            };
            holdings.push((
                lease.address,
                Holding {
                    client: hw.address.clone(),
                    from,
                    to,
                    source: format!("{} lease file", file.peer),
                },
            ));
        }
    }
    let mut by_addr: BTreeMap<Ipv4Addr, Vec<Holding>> = BTreeMap::new();
    for (addr, mut h) in holdings {
        if let Some(ends) = ended.get(&(addr, h.client.clone())) {
            for &e in ends {
                if e >= h.from && e < h.to {
                    h.to = e;
                }
            }
        }
        by_addr.entry(addr).or_default().push(h);
    }
    overlaps(by_addr)
}

/// An acked lease that no lease file accounts for.
#[derive(Debug, Clone)]
pub struct Lost {
    /// The lease.
    pub lease: AckedLease,
    /// Why it counts as lost.
    pub why: String,
}

impl std::fmt::Display for Lost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let l = &self.lease;
        write!(
            f,
            "{} for {} (ACK from {} at {:.1}, ends {:.1}{}): {}",
            l.addr,
            mac_text(&l.client),
            l.server,
            l.acked_at,
            l.ends,
            l.cut_by
                .map(|c| format!(", cut by {c}"))
                .unwrap_or_default(),
            self.why
        )
    }
}

/// Acked leases missing from both lease files, `files_read_at` being when `files` were
/// read; `earlier` are the files as they were before a peer's start or a rewrite replaced
/// them, each with the time it was read or last written (sorted here).
///
/// A lease still running when `files` were read must be active, for its client and to its
/// end, in one of them. A lease already over must have been held to its end by one peer's
/// file ([`held_to_its_end`] over that peer's history: its earlier copies, then its file).
///
/// `ahead` gives, for a lease, how far ahead a peer's clock may have been while records
/// about it were written (a clock stepped forward writes later times, which would make
/// a record look written later than it was): the write-time bound is lowered by as much.
pub fn lost_leases(
    acked: &[AckedLease],
    files: &[PeerFile],
    earlier: &[(Secs, PeerFile)],
    files_read_at: Secs,
    ahead: impl Fn(&AckedLease) -> Secs,
) -> Vec<Lost> {
    let mut last: BTreeMap<(Ipv4Addr, [u8; 6]), &AckedLease> = BTreeMap::new();
    for l in acked {
        let e = last.entry((l.addr, l.client)).or_insert(l);
        if l.acked_at > e.acked_at {
            *e = l;
        }
    }
    let current: Vec<(String, LeaseFile)> = files
        .iter()
        .map(|f| (f.peer.clone(), f.journal.current()))
        .collect();
    let histories: Vec<Vec<&LeaseFile>> =
        files.iter().map(|f| history(&f.peer, f, earlier)).collect();
    let mut lost = Vec::new();
    for ((addr, client), lease) in last {
        let same_client = |l: &dhcpfo::leases::Lease| {
            l.address == addr && l.hardware.as_ref().is_some_and(|h| h.address == client)
        };
        let covers =
            |l: &dhcpfo::leases::Lease| secs(l.ends).is_some_and(|e| e >= lease.ends - TOLERANCE);
        if lease.ends > files_read_at + TOLERANCE {
            let found = current.iter().any(|(_, f)| {
                f.leases
                    .iter()
                    .any(|l| same_client(l) && l.binding_state == BindingState::Active && covers(l))
            });
            if !found {
                let seen: Vec<String> = current
                    .iter()
                    .map(|(peer, f)| {
                        let stanza = f.leases.iter().find(|l| l.address == addr);
                        format!(
                            "{peer}: {}",
                            stanza.map_or("no stanza".to_string(), |l| format!(
                                "{} {} ends {:?}",
                                l.binding_state,
                                l.hardware.as_ref().map(|h| h.to_hex()).unwrap_or_default(),
                                secs(l.ends)
                            ))
                        )
                    })
                    .collect();
                lost.push(Lost {
                    lease: lease.clone(),
                    why: format!(
                        "still running when the files were read, no peer has it active ({})",
                        seen.join("; ")
                    ),
                });
            }
            continue;
        }
        let skew = ahead(lease);
        if !histories
            .iter()
            .any(|h| held_to_its_end(lease, h, TOLERANCE, skew))
        {
            lost.push(Lost {
                lease: lease.clone(),
                why: format!(
                    "over, and no peer's lease file held it to its end (its last records: {})",
                    last_records(addr, files.iter().chain(earlier.iter().map(|(_, f)| f)))
                ),
            });
        }
    }
    lost
}

/// `peer`'s lease file over the run: its earlier versions (the copies read before each
/// start, and the files rewrites replaced), in time order, then `last`.
pub fn history<'a>(
    peer: &str,
    last: &'a PeerFile,
    earlier: &'a [(Secs, PeerFile)],
) -> Vec<&'a LeaseFile> {
    let mut copies: Vec<&(Secs, PeerFile)> =
        earlier.iter().filter(|(_, f)| f.peer == peer).collect();
    copies.sort_by(|a, b| a.0.total_cmp(&b.0));
    copies
        .into_iter()
        .map(|(_, f)| &f.journal)
        .chain(std::iter::once(&last.journal))
        .collect()
}

/// Whether a file's `history` (its versions in time order) held `lease` to its effective
/// end, with `slack` seconds of tolerance: a stanza of the lease's address for its client
/// that ends no earlier than the end, and after it no stanza of the address that ends the
/// holding (another client, or an earlier end) before one written at or after the end. When
/// a stanza was written is bounded below by the latest `starts` or `cltt` of the file's
/// stanzas up to it, itself included. A holding ended early and taken up again before the
/// end counts; taken up again only after it, it does not, unless by the lease's own record
/// (its `starts` between the request's second and the ACK, and written by the ACK): an end
/// before that was an earlier lease's (a lease shorter than `slack`, ACKed again just after
/// a release, ends "before" its own record).
/// `ahead` lowers the bound by how far ahead a peer's clock may have been (and lets its
/// times run that much late).
pub fn held_to_its_end(
    lease: &AckedLease,
    history: &[&LeaseFile],
    slack: Secs,
    ahead: Secs,
) -> bool {
    let end = lease.ends - slack;
    let own = (lease.first_request.floor() - 1.0)..=(lease.acked_at + 1.0 + ahead);
    let mut held = false;
    let mut ended_early = false;
    // A version begins with what the start before it wrote: no earlier than the last one.
    let mut written_at = f64::NEG_INFINITY;
    for file in history {
        for l in &file.leases {
            for t in [secs(l.starts), secs(l.cltt)].into_iter().flatten() {
                if t.is_finite() {
                    written_at = written_at.max(t);
                }
            }
            if l.address != lease.addr {
                continue;
            }
            let covers = l
                .hardware
                .as_ref()
                .is_some_and(|h| h.address == lease.client)
                && secs(l.ends).is_some_and(|e| e >= end);
            let own_record = secs(l.starts).is_some_and(|t| own.contains(&t))
                && written_at - ahead <= lease.acked_at + 1.0;
            if covers && own_record {
                ended_early = false;
                held = true;
            } else if covers {
                held = held || !ended_early || written_at - ahead < end;
            } else if held {
                if written_at - ahead >= end {
                    return true;
                }
                held = false;
                ended_early = true;
            }
        }
    }
    held
}

/// The last three records of `addr` in each file, for a finding's evidence.
fn last_records<'a>(addr: Ipv4Addr, files: impl Iterator<Item = &'a PeerFile>) -> String {
    let mut out = Vec::new();
    for f in files {
        let records: Vec<String> = f
            .journal
            .leases
            .iter()
            .filter(|l| l.address == addr)
            .map(|l| {
                format!(
                    "{} {} starts {:?} ends {:?} cltt {:?}",
                    l.binding_state,
                    l.hardware.as_ref().map(|h| h.to_hex()).unwrap_or_default(),
                    secs(l.starts),
                    secs(l.ends),
                    secs(l.cltt)
                )
            })
            .collect();
        let tail = &records[records.len().saturating_sub(3)..];
        out.push(format!("{}: [{}]", f.peer, tail.join(", ")));
    }
    out.join("; ")
}

/// A failover state change from a peer's log.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// When the line was logged.
    pub at: Secs,
    /// The state left.
    pub from: String,
    /// The state entered.
    pub to: String,
}

/// The `failover peer NAME: I move from X to Y` lines of a log whose lines start with a
/// time stamp in seconds (`1700000000.123 text`), as `netns::Lab::spawn_stamped` writes it.
/// dhcpfo logs the same words as ISC dhcpd.
pub fn transitions(stamped_log: &str) -> Vec<Transition> {
    stamped_log
        .lines()
        .filter_map(|line| {
            let (stamp, text) = line.split_once(' ')?;
            let at: Secs = stamp.parse().ok()?;
            let rest = &text[text.find("failover peer ")?..];
            let moves = rest.split_once(": I move from ")?.1;
            let (from, to) = moves.split_once(" to ")?;
            Some(Transition {
                at,
                from: from.trim().to_string(),
                to: to.trim().to_string(),
            })
        })
        .collect()
}

/// An interval in which one peer could serve.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// `primary` or `secondary`.
    pub peer: String,
    /// From.
    pub from: Secs,
    /// To.
    pub to: Secs,
}

/// When a peer could serve: within each of its process lifetimes (`from`, `to`), from each
/// move into a serving state to the next move out of it or the end of the lifetime.
pub fn service_windows(
    peer: &str,
    lifetimes: &[(Secs, Secs)],
    moves: &[Transition],
) -> Vec<Window> {
    let mut out = Vec::new();
    for &(start, stop) in lifetimes {
        let mut open: Option<Secs> = None;
        for m in moves.iter().filter(|m| m.at >= start && m.at <= stop) {
            let serving = SERVING_STATES.contains(&m.to.as_str());
            match (open, serving) {
                (None, true) => open = Some(m.at),
                (Some(from), false) => {
                    out.push(Window {
                        peer: peer.into(),
                        from,
                        to: m.at,
                    });
                    open = None;
                }
                _ => {}
            }
        }
        if let Some(from) = open {
            out.push(Window {
                peer: peer.into(),
                from,
                to: stop,
            });
        }
    }
    out
}

/// The length of `[from, to]` covered by the union of `windows`.
pub fn covered(from: Secs, to: Secs, windows: &[Window]) -> Secs {
    let mut spans: Vec<(Secs, Secs)> = windows
        .iter()
        .map(|w| (w.from.max(from), w.to.min(to)))
        .filter(|(a, b)| b > a)
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut reach = from;
    for (a, b) in spans {
        let a = a.max(reach);
        if b > a {
            total += b - a;
            reach = b;
        }
    }
    total
}

/// A client without service.
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    /// The client.
    pub client: [u8; 6],
    /// Its first unanswered DISCOVER, or the NAK.
    pub from: Secs,
    /// The ACK that ended it, or its last packet.
    pub to: Secs,
    /// Whether an ACK ended it.
    pub resolved: bool,
    /// Seconds of it during which some peer could serve.
    pub unavailable: Secs,
}

impl std::fmt::Display for Outage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} from {:.1} to {:.1} ({:.1} s, {:.1} s while a peer could serve{})",
            mac_text(&self.client),
            self.from,
            self.to,
            self.to - self.from,
            self.unavailable,
            if self.resolved { "" } else { ", never served" }
        )
    }
}

/// Every outage of every client on the wire whose unavailability exceeds `grace` seconds.
pub fn outages(wire: &[WirePacket], windows: &[Window], grace: Secs) -> Vec<Outage> {
    // client -> (open since, last packet)
    let mut open: HashMap<[u8; 6], (Secs, Secs)> = HashMap::new();
    // client -> xid of its last exchange that ended in an ACK: a DISCOVER of that exchange
    // seen later is a copy, not a new wait (a relay's frame to a peer it could not reach,
    // sent once ARP resolves when the peer comes back).
    let mut answered: HashMap<[u8; 6], u32> = HashMap::new();
    let mut done: Vec<Outage> = Vec::new();
    let close = |client: [u8; 6], from: Secs, to: Secs, resolved: bool| Outage {
        client,
        from,
        to,
        resolved,
        unavailable: covered(from, to, windows),
    };
    for p in wire {
        let d = &p.dhcp;
        let client = d.chaddr;
        match (d.op, d.msg_type) {
            (1, Some(msg::DISCOVER)) if answered.get(&client) == Some(&d.xid) => {}
            (1, Some(msg::DISCOVER)) => {
                open.entry(client)
                    .and_modify(|o| o.1 = p.at)
                    .or_insert((p.at, p.at));
            }
            (2, Some(msg::NAK)) => {
                open.entry(client)
                    .and_modify(|o| o.1 = p.at)
                    .or_insert((p.at, p.at));
            }
            (2, Some(msg::ACK)) if !d.yiaddr.is_unspecified() => {
                answered.insert(client, d.xid);
                if let Some((from, _)) = open.remove(&client) {
                    done.push(close(client, from, p.at, true));
                }
            }
            (1, _) => {
                if let Some(o) = open.get_mut(&client) {
                    o.1 = p.at;
                }
            }
            _ => {}
        }
    }
    for (client, (from, last)) in open {
        done.push(close(client, from, last, false));
    }
    done.retain(|o| o.unavailable > grace);
    done.sort_by(|a, b| a.from.total_cmp(&b.from));
    done
}

/// Seconds from `t` to the first ACK that answers a request sent at or after `t`.
pub fn time_to_serve_after(wire: &[WirePacket], t: Secs) -> Option<Secs> {
    let mut asked: HashMap<([u8; 6], u32), Secs> = HashMap::new();
    for p in wire.iter().filter(|p| p.at >= t) {
        let d = &p.dhcp;
        if d.op == 1 {
            asked.entry((d.chaddr, d.xid)).or_insert(p.at);
        } else if d.is_reply(msg::ACK)
            && !d.yiaddr.is_unspecified()
            && asked.contains_key(&(d.chaddr, d.xid))
        {
            return Some(p.at - t);
        }
    }
    None
}

/// The median and the maximum of some durations (0 for none).
pub fn median_max(values: &[Secs]) -> (Secs, Secs) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[v.len() - 1])
}

/// Everything the checkers found in one run.
#[derive(Debug, Clone, Default)]
pub struct SafetyReport {
    /// Acked leases on the wire.
    pub acked: Vec<AckedLease>,
    /// Duplicates on the wire.
    pub wire_duplicates: Vec<Duplicate>,
    /// Duplicates in the lease files.
    pub file_duplicates: Vec<Duplicate>,
    /// Lost leases.
    pub lost: Vec<Lost>,
    /// Outages beyond the grace period.
    pub outages: Vec<Outage>,
}

impl SafetyReport {
    /// Runs every checker on the evidence.
    pub fn check(
        wire: &[WirePacket],
        files: &[PeerFile],
        files_read_at: Secs,
        windows: &[Window],
        grace: Secs,
    ) -> SafetyReport {
        let acked = acked_leases(wire);
        SafetyReport {
            wire_duplicates: wire_duplicates(&acked),
            file_duplicates: file_duplicates(files, &acked),
            lost: lost_leases(&acked, files, &[], files_read_at, |_| 0.0),
            outages: outages(wire, windows, grace),
            acked,
        }
    }

    /// A few lines for the test's output.
    pub fn summary(&self) -> String {
        let (median, max) = median_max(
            &self
                .outages
                .iter()
                .map(|o| o.unavailable)
                .collect::<Vec<_>>(),
        );
        let mut s = format!(
            "{} ACKed leases on the wire; duplicates: {} on the wire, {} in the lease files; \
             lost: {}; outages while a peer could serve: {} (median {median:.1} s, max {max:.1} s)",
            self.acked.len(),
            self.wire_duplicates.len(),
            self.file_duplicates.len(),
            self.lost.len(),
            self.outages.len(),
        );
        for d in self
            .wire_duplicates
            .iter()
            .chain(&self.file_duplicates)
            .take(10)
        {
            let _ = write!(s, "\n  duplicate {d}");
        }
        for l in self.lost.iter().take(10) {
            let _ = write!(s, "\n  lost {l}");
        }
        for o in self.outages.iter().take(10) {
            let _ = write!(s, "\n  outage {o}");
        }
        s
    }

    /// Panics with the summary if any duplicate or lost lease was found.
    #[track_caller]
    pub fn assert_no_duplicate_or_lost(&self) {
        assert!(
            self.wire_duplicates.is_empty()
                && self.file_duplicates.is_empty()
                && self.lost.is_empty(),
            "{}",
            self.summary()
        );
    }
}
