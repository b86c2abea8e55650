//! Failover pairs with real clients, in network namespaces the tests create
//! (`tests/common/pair_lab.rs`): both peers rendered from one model by `dhcpfo render`,
//! the test's own DHCP client generator (direct and relayed clients, renewals at T1,
//! rebinding at T2, releases and declines), perfdhcp, dhclient, tcpdump in every client
//! namespace, and the checkers of `tests/common/pair_check.rs` (duplicates, lost leases,
//! outages) over the wire, both lease files and both logs.
//!
//! Every scenario runs for each pair: ISC primary + ISC secondary (the reference), and
//! dhcpfo primary + ISC secondary, ISC primary + dhcpfo secondary, dhcpfo + dhcpfo: the
//! interop tests of `dhcpfo serve` as a failover peer of a real ISC dhcpd 4.4.3. Two more
//! move one peer of a running ISC pair to dhcpfo on ISC's lease file and back to ISC on
//! dhcpfo's.
//!
//! The scenarios take a lab each and run one at a time (a lock), because they measure
//! timing on a shared machine: each is bounded (the longest, a kill and a recovery, takes
//! about 95 s).
//!
//! Needs root, `ip`, `dhcpd` and `omshell` (isc-dhcp-server), `perfdhcp` (kea-admin),
//! `dhclient` (isc-dhcp-client) and `tcpdump`; without them a test is skipped with a note,
//! except under CI=true.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use common::dhcp_client::{self, LoadReport, now};
use common::dhcp_wire::{Secs, WirePacket, mac_text, msg, rfc3074_bucket};
use common::pair_check::{Lost, TOLERANCE, acked_leases, median_max, time_to_serve_after};
use common::pair_lab::{
    LabModel, PairKind, PairLab, PeerKind, RELATIONSHIP, Side, address, role_of,
};
use dhcpfo::leases::{BindingState, LeaseFile};
use dhcpfo::model::Role;

/// Seconds a client may wait for an ACK while a peer could serve before it counts as an
/// outage: a lost DISCOVER costs one retransmission (2 s) on a busy machine.
const GRACE: Secs = 5.0;

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs the pair scenarios one at a time.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The lock and a lab, or `None` when the scenario cannot run here (root or a tool is
/// missing; a failure under CI=true).
fn lab(test: &str, kind: PairKind, model: LabModel) -> Option<(MutexGuard<'static, ()>, PairLab)> {
    let guard = serial();
    let lab = PairLab::new(test, kind, model)?;
    Some((guard, lab))
}

/// Starts both peers and waits until both are normal; their times from the first start.
#[track_caller]
fn start_to_normal(lab: &mut PairLab) -> [Secs; 2] {
    let t0 = now();
    lab.start_pair();
    let at = lab
        .wait_both_normal(t0, Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{e}"));
    [at[0] - t0, at[1] - t0]
}

/// Polls `f` every 200 ms until it returns `Ok`, or returns its last error after `timeout`.
fn poll<T>(timeout: Duration, mut f: impl FnMut() -> Result<T, String>) -> Result<T, String> {
    let deadline = now() + timeout.as_secs_f64();
    loop {
        match f() {
            Ok(v) => return Ok(v),
            Err(e) if now() > deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// The lines of `role`'s log (every start) stamped at or after `since`, without the stamp.
fn logged_since(lab: &PairLab, role: Role, since: Secs) -> Vec<String> {
    lab.log(role)
        .lines()
        .filter_map(|line| {
            let (stamp, text) = line.split_once(' ')?;
            (stamp.parse::<Secs>().ok()? >= since).then(|| text.to_string())
        })
        .collect()
}

/// Whether `role` logged, at or after `since`, a line containing each of `words` (ISC
/// dhcpd's words for failover events, which a dhcpfo peer writes too); `Err` names the
/// missing ones, with the log.
fn logged(lab: &PairLab, role: Role, since: Secs, words: &[String]) -> Result<(), String> {
    let lines = logged_since(lab, role, since);
    let missing: Vec<&String> = words
        .iter()
        .filter(|w| !lines.iter().any(|l| l.contains(w.as_str())))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the {} ({}) did not log {missing:?}; its log:\n{}",
        role.as_str(),
        lab.kind.get(role).as_str(),
        lines.join("\n")
    ))
}

/// Waits up to 10 s until [`logged`] holds.
#[track_caller]
fn assert_logged(lab: &PairLab, role: Role, since: Secs, words: &[String]) {
    poll(Duration::from_secs(10), || logged(lab, role, since, words))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Free and backup addresses of each pool in each lease file, once both files agree on
/// every pool address's owner and each file's counts are within `tolerance` of half.
fn balanced(lab: &PairLab, tolerance: usize) -> Result<BTreeMap<String, (usize, usize)>, String> {
    let (d0, d1) = lab.model.direct_range();
    let (r0, r1) = lab.model.relayed_range();
    let pools = [("direct", d0, d1), ("relayed", r0, r1)];
    let mut owners: Vec<BTreeMap<Ipv4Addr, BindingState>> = Vec::new();
    let mut counts = BTreeMap::new();
    for role in Role::BOTH {
        let current = lab.journal(role).current();
        let states: BTreeMap<Ipv4Addr, BindingState> = current
            .leases
            .iter()
            .filter(|l| lab.model.in_pools(l.address))
            .map(|l| (l.address, l.binding_state))
            .collect();
        for (name, first, last) in pools {
            let in_pool = |ip: &&Ipv4Addr| (first..=last).contains(*ip);
            let count = |state: BindingState| {
                states
                    .iter()
                    .filter(|(ip, s)| in_pool(ip) && **s == state)
                    .count()
            };
            let (free, backup) = (count(BindingState::Free), count(BindingState::Backup));
            let total = (u32::from(last) - u32::from(first) + 1) as usize;
            if free + backup < total || free.abs_diff(backup) > tolerance {
                return Err(format!(
                    "{} lease file, {name} pool of {total}: free {free}, backup {backup}",
                    role.as_str()
                ));
            }
            counts.insert(format!("{} {name}", role.as_str()), (free, backup));
        }
        owners.push(states);
    }
    if owners[0] != owners[1] {
        let differ = owners[0]
            .iter()
            .filter(|(ip, s)| owners[1].get(ip) != Some(s))
            .count();
        return Err(format!(
            "the two lease files disagree on {differ} addresses"
        ));
    }
    Ok(counts)
}

/// ISC's default `max-lease-misbalance` (15 %) of a pool, the imbalance a pair tolerates
/// before it moves leases.
fn misbalance(total: u32) -> usize {
    (total as usize * 15).div_ceil(100)
}

/// Which peer served each client on the wire, by the server identifier of the first ACK it
/// got: the distinct clients per server; the clients whose first ACK came from the peer that
/// the RFC 3074 hash does not give them under `split`; and how many later ACKs came from the
/// other peer. (An ISC peer that processes a broadcast REQUEST for its partner's lease after
/// the partner's binding update has arrived ACKs it too, with its own server identifier.)
fn answers_by_peer(
    wire: &[WirePacket],
    split: u32,
) -> (BTreeMap<Ipv4Addr, BTreeSet<[u8; 6]>>, Vec<String>, usize) {
    // The hash key is in the client's messages (a client identifier), not in the ACK.
    let mut keys: BTreeMap<[u8; 6], Vec<u8>> = BTreeMap::new();
    for p in wire.iter().filter(|p| p.dhcp.op == 1) {
        keys.insert(p.dhcp.chaddr, p.dhcp.hash_key().to_vec());
    }
    let mut first: BTreeMap<[u8; 6], Ipv4Addr> = BTreeMap::new();
    let mut echoes = 0;
    for p in wire.iter().filter(|p| p.dhcp.is_reply(msg::ACK)) {
        let server = p.dhcp.server_id.unwrap_or(p.src);
        if *first.entry(p.dhcp.chaddr).or_insert(server) != server {
            echoes += 1;
        }
    }
    let mut by_server: BTreeMap<Ipv4Addr, BTreeSet<[u8; 6]>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (client, server) in first {
        by_server.entry(server).or_default().insert(client);
        let key = keys.get(&client).map_or(&client[..], Vec::as_slice);
        let bucket = rfc3074_bucket(key);
        let owner = if u32::from(bucket) < split {
            Role::Primary
        } else {
            Role::Secondary
        };
        if role_of(server) != Some(owner) {
            wrong.push(format!(
                "{} (bucket {bucket}) served by {server}",
                mac_text(&client)
            ));
        }
    }
    (by_server, wrong, echoes)
}

// ---------------------------------------------------------------------------------------
// (a) Start.

fn both_peers_reach_normal_within_30_s(kind: PairKind) {
    let test = "both_peers_reach_normal_within_30_s";
    let Some((_serial, mut lab)) = lab(test, kind, LabModel::default()) else {
        return;
    };
    let [p, s] = start_to_normal(&mut lab);
    eprintln!(
        "{} {test}: primary normal after {p:.2} s, secondary after {s:.2} s",
        kind.label()
    );
    assert!(
        p <= 30.0 && s <= 30.0,
        "primary {p:.1} s, secondary {s:.1} s"
    );
    // The fresh start in ISC's words on both sides: each peer resumes from recover, asks
    // for every binding (UPDREQALL), answers its partner's request, hears UPDDONE, meets its
    // partner in recover-done, then normal, and balances its pools.
    let name = RELATIONSHIP;
    for role in Role::BOTH {
        let words = [
            format!("failover peer {name}: I move from recover to startup"),
            format!("failover peer {name}: I move from startup to recover"),
            format!("Sent update request all message to {name}"),
            format!("Update request all from {name}: sending update"),
            format!("Sent update done message to {name}"),
            format!("failover peer {name}: peer update completed."),
            format!("failover peer {name}: I move from recover to recover-done"),
            // (`Both servers have entered recover-done!` is logged only by a peer that was
            // in recover-done first, which is a matter of timing, for ISC too.)
            format!("failover peer {name}: I move from recover-done to normal"),
            format!("failover peer {name}: Both servers normal"),
            "balancing pool ".to_string(),
            "balanced pool ".to_string(),
        ];
        assert_logged(&lab, role, 0.0, &words);
    }
    // The state is also on disk, in each lease file's failover stanza.
    for role in Role::BOTH {
        poll(Duration::from_secs(10), || {
            let current = lab.journal(role).current();
            match current.failover.first() {
                Some(f) if f.my.state == dhcpfo::leases::FailoverState::Normal => Ok(()),
                other => Err(format!("{} lease file: {other:?}", role.as_str())),
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// A graceful stop (SIGTERM) of either peer: its partner moves to
/// communications-interrupted (ISC sends no STATE(shutdown) first), and the peer restarted
/// on its lease file brings the pair back to normal.
fn sigterm_then_restart_returns_to_normal(kind: PairKind) {
    let test = "sigterm_then_restart_returns_to_normal";
    let Some((_serial, mut lab)) = lab(test, kind, LabModel::default()) else {
        return;
    };
    start_to_normal(&mut lab);
    for stopped in Role::BOTH {
        let t = lab.sigterm(stopped);
        let interrupted = lab
            .wait_state(
                stopped.partner(),
                "communications-interrupted",
                t,
                Duration::from_secs(15),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let t_restart = now();
        lab.restart(stopped);
        let normal = lab
            .wait_both_normal(t_restart, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "{} {test}: {} stopped, its partner interrupted after {:.2} s; both normal {:.2} s \
             after the restart",
            kind.label(),
            stopped.as_str(),
            interrupted - t,
            normal[0].max(normal[1]) - t_restart
        );
    }
}

// ---------------------------------------------------------------------------------------
// (b) Load balancing.

/// perfdhcp with about 1,000 distinct clients (random MACs from a range of 100,000).
fn split_share(kind: PairKind, split: u32) {
    let test = format!("split_{split}");
    let model = LabModel {
        split,
        // In hot standby (split 255 or 256) the primary alone needs a free address per
        // client.
        direct_pool: if split == 128 { 1600 } else { 2400 },
        relayed_pool: 10,
        max_unacked_updates: 100,
        ..LabModel::default()
    };
    let pool = model.direct_pool;
    let Some((_serial, mut lab)) = lab(&test, kind, model) else {
        return;
    };
    start_to_normal(&mut lab);
    poll(Duration::from_secs(60), || balanced(&lab, misbalance(pool)))
        .unwrap_or_else(|e| panic!("the pool was not balanced: {e}"));
    lab.start_captures();
    let perf = lab.perfdhcp(
        &[
            "-r", "100", "-R", "100000", "-n", "1000", "-p", "40", "-s", "7",
        ],
        Duration::from_secs(90),
    );
    let wire = lab.stop_captures();
    let (by_server, wrong, echoes) = answers_by_peer(&wire, split);
    let primary = by_server
        .get(&address(Role::Primary))
        .map_or(0, BTreeSet::len);
    let secondary = by_server
        .get(&address(Role::Secondary))
        .map_or(0, BTreeSet::len);
    let n = primary + secondary;
    eprintln!(
        "{} {test}: {n} clients ACKed ({} REQUEST-ACK exchanges by perfdhcp, {} drops): \
         primary {primary}, secondary {secondary}; {} served by the peer the hash does not pick; \
         {echoes} second ACKs from the other peer",
        kind.label(),
        perf.request_ack.received,
        perf.discover_offer.drops + perf.request_ack.drops,
        wrong.len()
    );
    assert!(n >= 900, "only {n} clients ACKed:\n{}", perf.output);
    if split == 128 {
        // Binomial(n, 1/2): four standard deviations either side.
        let spread = 4.0 * (n as f64 * 0.25).sqrt();
        let off = (primary as f64 - n as f64 / 2.0).abs();
        assert!(
            off <= spread,
            "primary {primary} of {n}: {off:.0} from half, more than {spread:.0}"
        );
    } else if split == 256 {
        assert_eq!(secondary, 0, "the secondary answered with split {split}");
    } else {
        // ISC's split S gives the primary buckets 0..S: with 255 the secondary keeps bucket
        // 255, about one client in 256 (the check below says which clients those are).
        assert!(
            secondary <= n / 50 && primary >= n - n / 50,
            "split {split}: primary {primary}, secondary {secondary} of {n}"
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let report = lab.safety_report(&wire, GRACE);
    eprintln!("{} {test}: {}", kind.label(), report.summary());
    report.assert_no_duplicate_or_lost();
}

// ---------------------------------------------------------------------------------------
// (c) Lease replication.

fn a_lease_granted_by_one_peer_is_in_both_lease_files(kind: PairKind) {
    let test = "a_lease_granted_by_one_peer_is_in_both_lease_files";
    let Some((_serial, mut lab)) = lab(test, kind, LabModel::default()) else {
        return;
    };
    start_to_normal(&mut lab);
    lab.start_captures();
    let mut loads = Vec::new();
    for (side, tag) in [(Side::Direct, 0x11), (Side::Relayed, 0x12)] {
        let mut load = lab.clients(side, 8, tag, Duration::from_secs(8));
        load.renew = false;
        loads.push(dhcp_client::start(load));
    }
    let reports: Vec<LoadReport> = loads.into_iter().map(|l| l.join()).collect();
    // And ISC's own client: a dhclient on the segment for each peer's half of the buckets.
    let mut dhclients = Vec::new();
    for owner in Role::BOTH {
        let mac = (1..=255u8)
            .map(|n| [0x02, 0xdc, 0, 0, 0, n])
            .find(|m| (rfc3074_bucket(m) < 128) == (owner == Role::Primary))
            .expect("a MAC in each half");
        let got = lab.lab.dhclient(
            "direct",
            &common::netns::Dhclient {
                mac: Some(mac_text(&mac)),
                lease_file: Some(lab.lab.dir().join(format!("dhclient-{}.leases", mac[5]))),
                ..Default::default()
            },
        );
        let ip = got
            .bound
            .unwrap_or_else(|| panic!("dhclient {} got no lease:\n{}", mac_text(&mac), got.log));
        dhclients.push((owner, mac, ip));
    }
    let wire = lab.stop_captures();
    for r in &reports {
        assert!(r.error.is_none(), "{:?}", r.error);
    }
    let acked = acked_leases(&wire);
    for (owner, mac, ip) in &dhclients {
        assert!(
            acked
                .iter()
                .any(|l| l.client == *mac && l.addr == *ip && role_of(l.server) == Some(*owner)),
            "dhclient {} bound to {ip} without an ACK from the {}: {:?}",
            mac_text(mac),
            owner.as_str(),
            wire.iter()
                .filter(|p| p.dhcp.chaddr == *mac)
                .map(|p| (
                    p.dhcp.op,
                    p.dhcp.msg_type,
                    p.src,
                    p.dhcp.server_id,
                    p.dhcp.hash_key().len(),
                    p.dhcp.secs
                ))
                .collect::<Vec<_>>()
        );
    }
    assert_eq!(
        acked
            .iter()
            .map(|l| l.client)
            .collect::<BTreeSet<_>>()
            .len(),
        18,
        "every client gets a lease: {}",
        reports
            .iter()
            .map(|r| r.summary())
            .collect::<Vec<_>>()
            .join("; ")
    );
    let by_primary = acked
        .iter()
        .filter(|l| role_of(l.server) == Some(Role::Primary))
        .count();
    let by_secondary = acked
        .iter()
        .filter(|l| role_of(l.server) == Some(Role::Secondary))
        .count();
    assert!(
        by_primary > 0 && by_secondary > 0 && by_primary + by_secondary == acked.len(),
        "both peers grant leases: {by_primary} by the primary, {by_secondary} by the secondary, \
         {} ACKs",
        acked.len()
    );
    // Each ACKed lease, in both files: active for the client, with the same end, which is
    // the end the client was told.
    let result = poll(Duration::from_secs(20), || {
        let files = Role::BOTH.map(|r| lab.journal(r).current());
        for l in &acked {
            let mut ends = Vec::new();
            for (role, file) in Role::BOTH.iter().zip(&files) {
                let stanza = file
                    .leases
                    .iter()
                    .find(|s| s.address == l.addr)
                    .ok_or(format!(
                        "{}: no {} in the {} file",
                        mac_text(&l.client),
                        l.addr,
                        role.as_str()
                    ))?;
                let same = stanza.binding_state == BindingState::Active
                    && stanza
                        .hardware
                        .as_ref()
                        .is_some_and(|h| h.address == l.client);
                if !same {
                    return Err(format!(
                        "{}: {} in the {} file: {stanza:?}",
                        mac_text(&l.client),
                        l.addr,
                        role.as_str()
                    ));
                }
                ends.push(stanza.ends.map(|t| t.0));
            }
            if ends[0] != ends[1] {
                return Err(format!("{}: ends differ: {ends:?}", l.addr));
            }
            let end = ends[0].unwrap_or(0) as f64;
            if (end - l.ends).abs() > TOLERANCE {
                return Err(format!(
                    "{}: the files say it ends at {end}, the client was told {:.1}",
                    l.addr, l.ends
                ));
            }
        }
        Ok(())
    });
    result.unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "{} {test}: {} leases ({by_primary} by the primary) in both files with equal ends",
        kind.label(),
        acked.len(),
    );
    let report = lab.safety_report(&wire, GRACE);
    eprintln!("{} {test}: {}", kind.label(), report.summary());
    report.assert_no_duplicate_or_lost();
    assert!(report.outages.is_empty(), "{}", report.summary());
}

// ---------------------------------------------------------------------------------------
// (d) Pool balancing.

fn each_peer_owns_about_half_of_the_free_addresses(kind: PairKind) {
    let test = "each_peer_owns_about_half_of_the_free_addresses";
    let model = LabModel {
        direct_pool: 101,
        relayed_pool: 40,
        ..LabModel::default()
    };
    let Some((_serial, mut lab)) = lab(test, kind, model) else {
        return;
    };
    start_to_normal(&mut lab);
    let counts = poll(Duration::from_secs(30), || balanced(&lab, misbalance(101)))
        .unwrap_or_else(|e| panic!("not balanced 30 s after normal: {e}"));
    eprintln!("{} {test}: (free, backup) {counts:?}", kind.label());
    // A dhcpfo peer's control socket (`dhcpfo failover state`) tells the same as its file.
    for role in Role::BOTH
        .into_iter()
        .filter(|r| kind.get(*r) == PeerKind::Dhcpfo)
    {
        let status = lab.dhcpfo_state(role).unwrap_or_else(|e| panic!("{e}"));
        let field = |k: &str| status[k].clone();
        assert_eq!(
            (field("state"), field("partner_state"), field("connected")),
            ("normal".into(), "normal".into(), true.into()),
            "{status}"
        );
        for (pool, network) in [("direct", "10.60.0.0/19"), ("relayed", "10.61.0.0/24")] {
            let said = status["pools"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["network"] == network)
                .map(|p| (p["free"].as_u64(), p["backup"].as_u64()))
                .unwrap_or_else(|| panic!("no pool {network}: {status}"));
            let (free, backup) = counts[&format!("{} {pool}", role.as_str())];
            assert_eq!(
                said,
                (Some(free as u64), Some(backup as u64)),
                "{} {pool}: {status}",
                role.as_str()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// (e) + (f) A peer killed, partner-down, the peer back.

/// What one client namespace's generator is for in the kill scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Batch {
    /// Clients with leases before the kill, running throughout.
    Existing,
    /// New clients while the partner is away.
    Interrupted,
    /// New clients after partner-down, more than the survivor's own pool has left.
    PartnerDown,
}

fn batch_of(mac: &[u8; 6]) -> Option<Batch> {
    match mac[1] {
        0x21 | 0x22 => Some(Batch::Existing),
        0x23 | 0x24 => Some(Batch::Interrupted),
        0x25 | 0x26 => Some(Batch::PartnerDown),
        _ => None,
    }
}

fn kill_9_partner_down_and_recovery(kind: PairKind, victim: Role) {
    let test = format!("kill_9_{}", victim.as_str());
    // Leases of at most 40 s: every client renews or rebinds within 35 s of its last ACK.
    let model = LabModel {
        mclt: 20,
        default_lease_time: 40,
        max_lease_time: 40,
        ..LabModel::default()
    };
    let mclt = f64::from(model.mclt);
    let Some((_serial, mut lab)) = lab(&test, kind, model) else {
        return;
    };
    let label = format!("{} {test}", kind.label());
    let survivor = victim.partner();
    let (own_state, partner_state) = match survivor {
        Role::Primary => (BindingState::Free, BindingState::Backup),
        Role::Secondary => (BindingState::Backup, BindingState::Free),
    };
    start_to_normal(&mut lab);
    poll(Duration::from_secs(30), || balanced(&lab, misbalance(40)))
        .unwrap_or_else(|e| panic!("not balanced: {e}"));
    lab.start_captures();
    // One generator per client namespace, running throughout; new groups join it later.
    let loads: Vec<_> = [(Side::Direct, 0x21), (Side::Relayed, 0x22)]
        .into_iter()
        .map(|(side, tag)| {
            let mut load = lab.clients(side, 8, tag, Duration::from_secs(240));
            load.release_fraction = 0.15;
            load.decline_fraction = 0.1;
            dhcp_client::start(load)
        })
        .collect();
    std::thread::sleep(Duration::from_secs(8));

    // The survivor's own free addresses and its partner's, as the survivor knew them.
    let at_kill = lab.journal(survivor).current();
    let pool_of = |state: BindingState| -> BTreeSet<Ipv4Addr> {
        at_kill
            .leases
            .iter()
            .filter(|l| lab.model.in_pools(l.address) && l.binding_state == state)
            .map(|l| l.address)
            .collect()
    };
    let (own, partners) = (pool_of(own_state), pool_of(partner_state));
    let t_kill = lab.kill9(victim);
    let t_ci = lab
        .wait_state(
            survivor,
            "communications-interrupted",
            t_kill,
            Duration::from_secs(40),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    loads[0].add(5, 0x23);
    loads[1].add(5, 0x24);
    // Long enough for every existing client to renew or rebind (T2 of a 40 s lease is 35 s).
    std::thread::sleep(Duration::from_secs(42));

    let t_pd = lab.partner_down(survivor).unwrap_or_else(|e| panic!("{e}"));
    let t_pd = lab
        .wait_state(survivor, "partner-down", t_pd, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    loads[0].add(14, 0x25);
    loads[1].add(14, 0x26);
    std::thread::sleep(Duration::from_secs_f64(mclt + 12.0));

    let t_restart = now();
    lab.restart(victim);
    let normal = lab
        .wait_both_normal(t_restart, Duration::from_secs_f64(mclt + 60.0))
        .unwrap_or_else(|e| panic!("{e}"));
    let t_normal = normal[0].max(normal[1]);
    std::thread::sleep(Duration::from_secs(8));
    let reports: Vec<LoadReport> = loads.into_iter().map(|l| l.stop()).collect();
    for r in &reports {
        assert!(r.error.is_none(), "{:?}", r.error);
        eprintln!("{label}: generator: {}", r.summary());
    }
    std::thread::sleep(Duration::from_secs(3));
    let wire = lab.stop_captures();

    let survivor_id = address(survivor);
    let acks: Vec<&WirePacket> = wire
        .iter()
        .filter(|p| p.dhcp.is_reply(msg::ACK) && !p.dhcp.yiaddr.is_unspecified())
        .collect();
    let clients_of = |batch: Batch| -> BTreeSet<[u8; 6]> {
        wire.iter()
            .filter(|p| p.dhcp.op == 1 && batch_of(&p.dhcp.chaddr) == Some(batch))
            .map(|p| p.dhcp.chaddr)
            .collect()
    };
    eprintln!(
        "{label}: {} moved to communications-interrupted {:.3} s after the kill; \
         own pool {} free, partner's {}",
        survivor.as_str(),
        t_ci - t_kill,
        own.len(),
        partners.len()
    );

    // The survivor keeps every existing client: each gets an ACK from it while its partner
    // is away (a renewal, a rebinding, or a new lease after a release).
    let existing = clients_of(Batch::Existing);
    let kept: BTreeSet<[u8; 6]> = acks
        .iter()
        .filter(|p| p.at > t_kill && p.at < t_pd && p.dhcp.server_id == Some(survivor_id))
        .map(|p| p.dhcp.chaddr)
        .collect();
    let dropped: Vec<String> = existing.difference(&kept).map(|m| mac_text(m)).collect();
    assert!(
        dropped.is_empty(),
        "existing clients without an ACK from the {} while the {} was down: {dropped:?}",
        survivor.as_str(),
        victim.as_str()
    );
    let renewals = acks
        .iter()
        .filter(|p| p.at > t_kill && p.at < t_pd && !p.dhcp.ciaddr.is_unspecified())
        .count();
    assert!(
        renewals > 0,
        "no renewal or rebinding was ACKed in communications-interrupted"
    );

    // New clients while interrupted: served, from the survivor's own free addresses only.
    let interrupted = clients_of(Batch::Interrupted);
    for p in acks
        .iter()
        .filter(|p| p.at < t_pd && batch_of(&p.dhcp.chaddr) == Some(Batch::Interrupted))
    {
        assert!(
            own.contains(&p.dhcp.yiaddr),
            "{} got {} in communications-interrupted, not one of the {}'s free addresses",
            mac_text(&p.dhcp.chaddr),
            p.dhcp.yiaddr,
            survivor.as_str()
        );
    }
    let served_new: BTreeSet<[u8; 6]> = acks
        .iter()
        .filter(|p| p.at < t_pd)
        .map(|p| p.dhcp.chaddr)
        .filter(|m| interrupted.contains(m))
        .collect();
    assert_eq!(
        served_new.len(),
        interrupted.len(),
        "new clients served while interrupted"
    );

    // The partner's free addresses: untouched until MCLT after partner-down, used after.
    let partner_acks: Vec<&&WirePacket> = acks
        .iter()
        .filter(|p| partners.contains(&p.dhcp.yiaddr))
        .collect();
    for p in &partner_acks {
        assert!(
            p.at >= t_pd + mclt - TOLERANCE,
            "{} (the {}'s) ACKed {:.1} s after partner-down, before MCLT ({mclt} s)",
            p.dhcp.yiaddr,
            victim.as_str(),
            p.at - t_pd
        );
    }
    let first_partner = partner_acks
        .iter()
        .map(|p| p.at - t_pd)
        .fold(f64::INFINITY, f64::min);
    assert!(
        first_partner.is_finite(),
        "the {} never served one of its partner's addresses after partner-down",
        survivor.as_str()
    );
    let after_pd = clients_of(Batch::PartnerDown);
    let served_after_pd: BTreeSet<[u8; 6]> = acks
        .iter()
        .map(|p| p.dhcp.chaddr)
        .filter(|m| after_pd.contains(m))
        .collect();
    assert_eq!(
        served_after_pd.len(),
        after_pd.len(),
        "every client after partner-down served"
    );

    // The restarted peer went through recovery and the pair is normal again.
    let moves: Vec<String> = lab
        .transitions(victim)
        .into_iter()
        .filter(|t| t.at >= t_restart)
        .map(|t| t.to)
        .collect();
    let seen = |state: &str| moves.iter().any(|s| s == state);
    assert!(
        seen("recover")
            && seen("recover-done")
            && moves.last().map(String::as_str) == Some("normal"),
        "the {} did not go through recover and recover-done to normal: {moves:?}",
        victim.as_str()
    );
    // In ISC's words on both sides: the survivor lost its partner and was told it is down;
    // the restarted peer asked for every binding (UPDREQALL) and heard UPDDONE after the
    // survivor had sent them all; both met in normal again.
    let name = RELATIONSHIP;
    assert_logged(
        &lab,
        survivor,
        t_kill,
        &[
            format!("peer {name}: disconnected"),
            format!("failover peer {name}: I move from normal to communications-interrupted"),
            format!("failover peer {name}: I move from communications-interrupted to partner-down"),
        ],
    );
    assert_logged(
        &lab,
        survivor,
        t_restart,
        &[
            format!("Update request all from {name}: sending update"),
            format!("Sent update done message to {name}"),
            format!("failover peer {name}: I move from partner-down to normal"),
            format!("failover peer {name}: Both servers normal"),
        ],
    );
    assert_logged(
        &lab,
        victim,
        t_restart,
        &[
            format!("failover peer {name}: peer moves from normal to partner-down"),
            format!("failover peer {name}: I move from startup to recover"),
            format!("Sent update request all message to {name}"),
            format!("failover peer {name}: peer update completed."),
            format!("failover peer {name}: Both servers normal"),
        ],
    );

    // ISC 4.4.3 loses leases by itself around a peer's recovery (`isc_recovery_race`):
    // with ISC on both sides those are listed, not failed; with a dhcpfo peer they fail.
    let isc_only = kind.primary == PeerKind::Isc && kind.secondary == PeerKind::Isc;
    let race_window = (t_kill, t_normal + 2.0);
    let isc_race = |ip: Ipv4Addr| isc_only && isc_recovery_race(&lab, &acks, ip, race_window);

    // Every lease granted while apart is known to both peers, alike.
    let granted: BTreeSet<Ipv4Addr> = acks
        .iter()
        .filter(|p| p.at > t_kill && p.at < t_normal)
        .map(|p| p.dhcp.yiaddr)
        .collect();
    let unlike = |exempt: bool| -> Vec<String> {
        let files = Role::BOTH.map(|r| lab.journal(r).current());
        granted
            .iter()
            .filter_map(|ip| {
                let [p, s] = [&files[0], &files[1]].map(|f| {
                    f.leases
                        .iter()
                        .find(|l| l.address == *ip)
                        .map(|l| (l.binding_state, l.hardware.clone(), l.ends))
                });
                (p != s || p.is_none())
                    .then(|| format!("{ip}: primary {p:?}, secondary {s:?}"))
                    .filter(|_| isc_race(*ip) == exempt)
            })
            .collect()
    };
    poll(Duration::from_secs(20), || {
        let differ = unlike(false);
        if differ.is_empty() {
            Ok(())
        } else {
            Err(differ.join("\n"))
        }
    })
    .unwrap_or_else(|e| {
        let ips: Vec<Ipv4Addr> = e
            .lines()
            .filter_map(|l| l.split(':').next()?.parse().ok())
            .collect();
        panic!(
            "leases granted while apart are not alike in both files:\n{e}\n{}",
            logged_about(&lab, &ips)
        )
    });
    for d in unlike(true) {
        eprintln!("{label}: ISC defect, the files disagree after the recovery: {d}");
    }

    // (f) No duplicate, no lost lease, over the whole run; outages by batch.
    let report = lab.safety_report(&wire, GRACE);
    eprintln!("{label}: {}", report.summary());
    let mut by_batch: BTreeMap<Option<Batch>, Vec<Secs>> = BTreeMap::new();
    for o in &report.outages {
        by_batch
            .entry(batch_of(&o.client))
            .or_default()
            .push(o.unavailable);
    }
    for (batch, values) in &by_batch {
        let (median, max) = median_max(values);
        eprintln!(
            "{label}: outages of {batch:?} clients: {} (median {median:.1} s, max {max:.1} s)",
            values.len()
        );
    }
    eprintln!(
        "{label}: first ACK to a new request {:.2} s after the kill; partner's addresses \
         served from {first_partner:.1} s after partner-down (MCLT {mclt} s); both normal \
         {:.1} s after the restart; {} leases granted while apart",
        time_to_serve_after(&wire, t_kill).unwrap_or(f64::NAN),
        t_normal - t_restart,
        granted.len()
    );
    assert!(
        report.wire_duplicates.is_empty() && report.file_duplicates.is_empty(),
        "{}",
        report.summary()
    );
    let (isc_lost, lost): (Vec<&Lost>, Vec<&Lost>) =
        report.lost.iter().partition(|l| isc_race(l.lease.addr));
    for l in &isc_lost {
        eprintln!("{label}: ISC defect, a running lease freed by the recovery: {l}");
    }
    assert!(
        lost.is_empty(),
        "lost leases:\n{}\n{}",
        lost.iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        logged_about(&lab, &lost.iter().map(|l| l.lease.addr).collect::<Vec<_>>())
    );
    for o in &report.outages {
        let batch = batch_of(&o.client);
        // Clients after partner-down may wait for MCLT; nobody else waits at all.
        let bound = if batch == Some(Batch::PartnerDown) {
            mclt + 15.0
        } else {
            0.0
        };
        assert!(o.unavailable <= bound, "{batch:?} client outage: {o}");
    }
}

/// What both peers logged about `ips` (DHCP exchanges, binding updates), for a failure
/// message that shows who decided what.
fn logged_about(lab: &PairLab, ips: &[Ipv4Addr]) -> String {
    let needles: Vec<String> = ips.iter().map(|ip| format!("{ip} ")).collect();
    Role::BOTH
        .iter()
        .map(|&role| {
            let lines: Vec<String> = lab
                .log(role)
                .lines()
                .filter(|l| needles.iter().any(|n| l.contains(n.as_str())))
                .map(str::to_string)
                .collect();
            format!("-- {} --\n{}", role.as_str(), lines.join("\n"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A killed peer with `auto-partner-down` in the model: its partner moves to partner-down
/// by itself (not before the configured seconds), and after MCLT serves new clients from the
/// killed peer's addresses too.
fn kill_9_then_auto_partner_down(kind: PairKind, victim: Role) {
    let test = format!("kill_9_{}_then_auto_partner_down", victim.as_str());
    let delay = 10.0;
    let model = LabModel {
        mclt: 20,
        auto_partner_down: Some(delay as u32),
        ..LabModel::default()
    };
    let mclt = f64::from(model.mclt);
    let Some((_serial, mut lab)) = lab(&test, kind, model) else {
        return;
    };
    let label = format!("{} {test}", kind.label());
    let survivor = victim.partner();
    let partners = normal_and_balanced_then_free_of(&mut lab, victim);
    let t_kill = lab.kill9(victim);
    let t_ci = lab
        .wait_state(
            survivor,
            "communications-interrupted",
            t_kill,
            Duration::from_secs(40),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let t_pd = lab
        .wait_state(survivor, "partner-down", t_ci, Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        t_pd - t_ci >= delay - TOLERANCE,
        "partner-down {:.1} s after communications-interrupted, before auto-partner-down {delay} s",
        t_pd - t_ci
    );
    // More new clients than the survivor's own half of the direct pool.
    lab.start_captures();
    let load = dhcp_client::start(lab.clients(
        Side::Direct,
        30,
        0x31,
        Duration::from_secs_f64(mclt + 25.0),
    ));
    let report = load.join();
    let wire = lab.stop_captures();
    assert!(report.error.is_none(), "{:?}", report.error);
    let partner_acks: Vec<&WirePacket> = wire
        .iter()
        .filter(|p| p.dhcp.is_reply(msg::ACK) && partners.contains(&p.dhcp.yiaddr))
        .collect();
    assert!(
        !partner_acks.is_empty(),
        "the {} never served one of the {}'s addresses: {}",
        survivor.as_str(),
        victim.as_str(),
        report.summary()
    );
    for p in &partner_acks {
        assert!(
            p.at >= t_pd + mclt - TOLERANCE,
            "{} ACKed {:.1} s after partner-down, before MCLT",
            p.dhcp.yiaddr,
            p.at - t_pd
        );
    }
    eprintln!(
        "{label}: partner-down {:.1} s after communications-interrupted (auto-partner-down \
         {delay} s); {} of the {}'s addresses served, the first {:.1} s after \
         partner-down (MCLT {mclt} s); clients: {}",
        t_pd - t_ci,
        partner_acks.len(),
        victim.as_str(),
        partner_acks
            .iter()
            .map(|p| p.at - t_pd)
            .fold(f64::INFINITY, f64::min),
        report.summary()
    );
    let safety = lab.safety_report(&wire, GRACE);
    eprintln!("{label}: {}", safety.summary());
    safety.assert_no_duplicate_or_lost();
}

/// Starts the pair, waits until it is balanced, and returns `victim`'s free addresses as
/// its partner's lease file names them (FREE for the primary's, BACKUP for the
/// secondary's); panics if it owns none.
fn normal_and_balanced_then_free_of(lab: &mut PairLab, victim: Role) -> BTreeSet<Ipv4Addr> {
    let victims_free = match victim {
        Role::Primary => BindingState::Free,
        Role::Secondary => BindingState::Backup,
    };
    start_to_normal(lab);
    poll(Duration::from_secs(30), || balanced(lab, misbalance(40)))
        .unwrap_or_else(|e| panic!("not balanced: {e}"));
    let partners: BTreeSet<Ipv4Addr> = lab
        .journal(victim.partner())
        .current()
        .leases
        .iter()
        .filter(|l| lab.model.in_pools(l.address) && l.binding_state == victims_free)
        .map(|l| l.address)
        .collect();
    assert!(
        !partners.is_empty(),
        "the {} owns no address",
        victim.as_str()
    );
    partners
}

/// A peer in partner-down is killed and restarted while its partner is still down: it
/// comes back in partner-down (from the state its lease file records, after STARTUP) with
/// its time of entry kept, so it serves the partner's addresses at once, without a second
/// MCLT wait; no address goes to two clients and none is lost, through the partner's
/// return to normal as well.
fn restarted_in_partner_down(kind: PairKind) {
    let test = "restarted_in_partner_down";
    // An MCLT well beyond STARTUP (15 s), so that a clock of MCLT restarted by the crash
    // (from the kill or from the return) would show as a wait.
    let model = LabModel {
        mclt: 45,
        ..LabModel::default()
    };
    let mclt = f64::from(model.mclt);
    let Some((_serial, mut lab)) = lab(test, kind, model) else {
        return;
    };
    let label = format!("{} {test}", kind.label());
    // The restarted survivor is dhcpfo whenever the pair has one.
    let survivor = match (kind.primary, kind.secondary) {
        (PeerKind::Isc, PeerKind::Dhcpfo) => Role::Secondary,
        _ => Role::Primary,
    };
    let victim = survivor.partner();
    let partners = normal_and_balanced_then_free_of(&mut lab, victim);
    lab.start_captures();
    let t_kill = lab.kill9(victim);
    let t_ci = lab
        .wait_state(
            survivor,
            "communications-interrupted",
            t_kill,
            Duration::from_secs(40),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let t_pd = lab.partner_down(survivor).unwrap_or_else(|e| panic!("{e}"));
    let t_pd = lab
        .wait_state(survivor, "partner-down", t_pd, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("{e}"));
    // Past MCLT: the partner's addresses are the survivor's to give.
    std::thread::sleep(Duration::from_secs_f64(mclt + 3.0));

    let t_crash = lab.kill9(survivor);
    lab.restart(survivor);
    let t_back = lab
        .wait_state(survivor, "partner-down", t_crash, Duration::from_secs(40))
        .unwrap_or_else(|e| panic!("{e}"));
    let moves: Vec<_> = lab
        .transitions(survivor)
        .into_iter()
        .filter(|t| t.at >= t_crash && t.at <= t_back)
        .collect();
    let detours: Vec<String> = moves
        .iter()
        .filter(|t| t.to != "startup" && t.to != "partner-down")
        .map(|t| format!("{} -> {} at +{:.1} s", t.from, t.to, t.at - t_crash))
        .collect();
    assert!(
        detours.is_empty(),
        "the restarted {} went through other states on its way back to partner-down: {detours:?}",
        survivor.as_str()
    );
    assert!(
        moves.iter().any(|t| t.to == "startup"),
        "the restarted {} logged no move to startup before partner-down",
        survivor.as_str()
    );
    // New clients, more than the survivor's own half of the direct pool, until 10 s before
    // MCLT has passed since the kill: the partner's addresses must come without a new wait.
    let run_for = (t_crash + mclt - 10.0 - now()).max(5.0);
    let load =
        dhcp_client::start(lab.clients(Side::Direct, 30, 0x35, Duration::from_secs_f64(run_for)));
    let report = load.join();
    assert!(report.error.is_none(), "{:?}", report.error);
    let partner_acks: Vec<(f64, Ipv4Addr)> = lab
        .wire()
        .iter()
        .filter(|p| p.at > t_back && p.dhcp.is_reply(msg::ACK) && partners.contains(&p.dhcp.yiaddr))
        .map(|p| (p.at - t_back, p.dhcp.yiaddr))
        .collect();
    assert!(
        !partner_acks.is_empty(),
        "the {} restarted in partner-down served none of the {}'s addresses in the {run_for:.0} s \
         after its return (MCLT {mclt} s, partner-down since {:.1} s before the restart): {}",
        survivor.as_str(),
        victim.as_str(),
        t_crash - t_pd,
        report.summary()
    );
    let first = partner_acks
        .iter()
        .map(|a| a.0)
        .fold(f64::INFINITY, f64::min);
    assert!(
        t_back + first < t_crash + mclt - TOLERANCE,
        "the first of the {}'s addresses came {:.1} s after the kill, as after a new MCLT wait",
        victim.as_str(),
        t_back + first - t_crash
    );

    let t_restart = now();
    lab.restart(victim);
    let normal = lab
        .wait_both_normal(t_restart, Duration::from_secs_f64(mclt + 60.0))
        .unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(Duration::from_secs(3));
    let wire = lab.stop_captures();
    eprintln!(
        "{label}: partner-down {:.1} s after communications-interrupted; the {} killed \
         {:.1} s into partner-down, back in partner-down {:.1} s after the kill; {} of the \
         {}'s addresses served, the first {:.1} s after; both normal {:.1} s after the {}'s \
         restart; clients: {}",
        t_pd - t_ci,
        survivor.as_str(),
        t_crash - t_pd,
        t_back - t_crash,
        partner_acks.len(),
        victim.as_str(),
        partner_acks
            .iter()
            .map(|a| a.0)
            .fold(f64::INFINITY, f64::min),
        normal[0].max(normal[1]) - t_restart,
        victim.as_str(),
        report.summary()
    );
    let safety = lab.safety_report(&wire, GRACE);
    eprintln!("{label}: {}", safety.summary());
    safety.assert_no_duplicate_or_lost();
}

/// ISC dhcpd 4.4.3's own loss, which the checkers find in the kill scenarios with ISC on
/// both sides (most with the primary killed): a lease that the surviving peer granted or
/// renewed while its partner was down, for a client the restarted peer's lease file still
/// holds as active from before the crash, ends up `free` or `backup` for that client in
/// one or both lease files once the pair is normal again, although the client's lease still
/// runs (until it renews, either peer may hand the address to a second client). The freeing
/// records carry the restarted peer's times from before its crash (its `tstp`): its stale
/// view of the lease, expired at its start, overrides the survivor's newer one. Recognised
/// here narrowly: the address's last ACK falls within `window` (from the kill to just after
/// both are normal again) and a lease file holds the address as free or backup for that
/// ACK's client.
fn isc_recovery_race(
    lab: &PairLab,
    acks: &[&WirePacket],
    ip: Ipv4Addr,
    window: (Secs, Secs),
) -> bool {
    let Some(last) = acks
        .iter()
        .filter(|p| p.dhcp.yiaddr == ip)
        .max_by(|a, b| a.at.total_cmp(&b.at))
    else {
        return false;
    };
    if last.at < window.0 || last.at > window.1 {
        return false;
    }
    Role::BOTH.iter().any(|&role| {
        lab.journal(role).current().leases.iter().any(|s| {
            s.address == ip
                && matches!(s.binding_state, BindingState::Free | BindingState::Backup)
                && s.hardware
                    .as_ref()
                    .is_some_and(|h| h.address == last.dhcp.chaddr)
        })
    })
}

// ---------------------------------------------------------------------------------------
// (g) Both peers in partner-down: conflict resolution.

/// The pair stays normal for longer than max-response-delay (CONTACT keeps the link up),
/// then the network between the peers is cut while the clients still reach both: each
/// times out (`timeout waiting for failover peer`), moves to communications-interrupted and
/// is told partner-down. Back in touch, both move to potential-conflict and ask each other
/// for what they missed (UPDREQ, answered with UPDDONE); the primary passes through
/// conflict-done and both return to normal. The renewing clients lose nothing.
fn partner_down_on_both_sides_then_conflict_resolution(kind: PairKind) {
    let test = "partner_down_on_both_sides_then_conflict_resolution";
    let model = LabModel {
        max_response_delay: 10,
        ..LabModel::default()
    };
    let mrd = f64::from(model.max_response_delay);
    let Some((_serial, mut lab)) = lab(test, kind, model) else {
        return;
    };
    let label = format!("{} {test}", kind.label());
    let name = RELATIONSHIP;
    let timeout = format!("timeout waiting for failover peer {name}");
    start_to_normal(&mut lab);
    poll(Duration::from_secs(30), || balanced(&lab, misbalance(40)))
        .unwrap_or_else(|e| panic!("not balanced: {e}"));
    lab.start_captures();
    let loads: Vec<_> = [(Side::Direct, 0x51), (Side::Relayed, 0x52)]
        .into_iter()
        .map(|(side, tag)| dhcp_client::start(lab.clients(side, 8, tag, Duration::from_secs(400))))
        .collect();
    let t_quiet = now();
    poll(Duration::from_secs(30), || {
        let bound: BTreeSet<[u8; 6]> = acked_leases(&lab.wire()).iter().map(|l| l.client).collect();
        if bound.len() == 16 {
            Ok(())
        } else {
            Err(format!("{} of 16 clients bound", bound.len()))
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    // Longer than max-response-delay with nothing to say but CONTACT: no timeout.
    std::thread::sleep(Duration::from_secs_f64(1.5 * mrd));
    for role in Role::BOTH {
        assert_eq!(lab.state(role).as_deref(), Some("normal"));
        assert!(
            !logged_since(&lab, role, t_quiet)
                .iter()
                .any(|l| l.contains(&timeout)),
            "the {} timed out on a live link",
            role.as_str()
        );
    }

    let t_cut = now();
    lab.cut_peers(true);
    for role in Role::BOTH {
        let t_ci = lab
            .wait_state(
                role,
                "communications-interrupted",
                t_cut,
                Duration::from_secs_f64(mrd + 20.0),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        // The last CONTACT came at most a third of max-response-delay before the cut.
        assert!(
            t_ci - t_cut >= mrd * 2.0 / 3.0 - TOLERANCE,
            "the {} gave up {:.1} s after the cut, max-response-delay is {mrd} s",
            role.as_str(),
            t_ci - t_cut
        );
        assert_logged(&lab, role, t_cut, std::slice::from_ref(&timeout));
    }
    for role in Role::BOTH {
        let t = lab.partner_down(role).unwrap_or_else(|e| panic!("{e}"));
        lab.wait_state(role, "partner-down", t, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{e}"));
    }

    let t_heal = now();
    lab.cut_peers(false);
    let normal = lab
        .wait_both_normal(t_heal, Duration::from_secs(30))
        .unwrap_or_else(|e| panic!("{e}"));
    for role in Role::BOTH {
        let mut words = vec![
            format!("failover peer {name}: peer moves from normal to partner-down"),
            format!("failover peer {name}: I move from partner-down to potential-conflict"),
            format!("Sent update request message to {name}"),
            format!("Update request from {name}: "),
            format!("Sent update done message to {name}"),
            format!("failover peer {name}: peer update completed."),
            format!("failover peer {name}: Both servers normal"),
        ];
        words.push(match role {
            Role::Primary => {
                format!("failover peer {name}: I move from potential-conflict to conflict-done")
            }
            Role::Secondary => {
                format!("failover peer {name}: I move from potential-conflict to normal")
            }
        });
        assert_logged(&lab, role, t_heal, &words);
    }
    let reports: Vec<LoadReport> = loads.into_iter().map(|l| l.stop()).collect();
    for r in &reports {
        assert!(r.error.is_none(), "{:?}", r.error);
        eprintln!("{label}: generator: {}", r.summary());
    }
    let wire = lab.stop_captures();
    let report = lab.safety_report(&wire, GRACE);
    eprintln!(
        "{label}: both normal {:.2} s after the peers could talk again; {}",
        normal[0].max(normal[1]) - t_heal,
        report.summary()
    );
    report.assert_no_duplicate_or_lost();
    assert!(report.outages.is_empty(), "{}", report.summary());
}

// ---------------------------------------------------------------------------------------
// (h) A peer's lease file handed from one server to the other.

/// Every lease that `handed` (a file's present state) holds as active and still running
/// at `at` is active in `taken` for the same client, ending no earlier: how many there were.
fn leases_carried_over(handed: &LeaseFile, taken: &LeaseFile, at: Secs) -> Result<usize, String> {
    let secs = |t: Option<dhcpfo::leases::Timestamp>| t.map(|t| t.0 as f64);
    let mut carried = 0;
    for lease in &handed.leases {
        let Some(end) = secs(lease.ends) else {
            continue;
        };
        if lease.binding_state != BindingState::Active || end <= at + TOLERANCE {
            continue;
        }
        let now_held = taken.leases.iter().find(|t| t.address == lease.address);
        let kept = now_held.is_some_and(|t| {
            t.binding_state == BindingState::Active
                && t.hardware == lease.hardware
                && secs(t.ends).is_some_and(|e| e >= end - TOLERANCE)
        });
        if !kept {
            return Err(format!(
                "{}: handed over active for {:?} until {end}, now {:?}",
                lease.address,
                lease.hardware.as_ref().map(|h| h.to_hex()),
                now_held.map(|t| (t.binding_state, t.hardware.clone(), secs(t.ends)))
            ));
        }
        carried += 1;
    }
    Ok(carried)
}

/// One peer of a running ISC pair is stopped and dhcpfo starts in its place on ISC's lease
/// file; later dhcpfo is stopped, `dhcpd -T` checks its lease file, and ISC dhcpd starts
/// on it again: the way off ISC one peer at a time, and back. Each server resumes the
/// failover state and every running lease of the other's file, the pair returns to normal,
/// the moved peer serves again, and the clients, renewing throughout, lose nothing.
fn a_peer_moves_to_dhcpfo_and_back_on_its_lease_file(moved: Role) {
    let test = format!("handover_{}", moved.as_str());
    let kind = PairKind {
        primary: PeerKind::Isc,
        secondary: PeerKind::Isc,
    };
    let Some((_serial, mut lab)) = lab(&test, kind, LabModel::default()) else {
        return;
    };
    let name = RELATIONSHIP;
    start_to_normal(&mut lab);
    poll(Duration::from_secs(30), || balanced(&lab, misbalance(40)))
        .unwrap_or_else(|e| panic!("not balanced: {e}"));
    lab.start_captures();
    let loads: Vec<_> = [(Side::Direct, 0x41), (Side::Relayed, 0x42)]
        .into_iter()
        .map(|(side, tag)| dhcp_client::start(lab.clients(side, 8, tag, Duration::from_secs(400))))
        .collect();
    poll(Duration::from_secs(30), || {
        let bound: BTreeSet<[u8; 6]> = acked_leases(&lab.wire()).iter().map(|l| l.client).collect();
        if bound.len() == 16 {
            Ok(())
        } else {
            Err(format!("{} of 16 clients bound", bound.len()))
        }
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let server = address(moved);
    for (from, to) in [
        (PeerKind::Isc, PeerKind::Dhcpfo),
        (PeerKind::Dhcpfo, PeerKind::Isc),
    ] {
        let step = format!("{} {} -> {}", moved.as_str(), from.as_str(), to.as_str());
        let t_stop = lab.sigterm(moved);
        lab.wait_state(
            moved.partner(),
            "communications-interrupted",
            t_stop,
            Duration::from_secs(40),
        )
        .unwrap_or_else(|e| panic!("{step}: {e}"));
        let handed = lab.journal(moved).current();
        let saved = handed
            .failover
            .first()
            .unwrap_or_else(|| panic!("{step}: no failover stanza in the file"))
            .my
            .state;
        if to == PeerKind::Isc {
            lab.dhcpd_test_leases(moved)
                .unwrap_or_else(|e| panic!("{step}: ISC refuses dhcpfo's lease file: {e}"));
        }
        lab.replace(moved, to);
        let t_start = now();
        lab.start(moved);
        // The file as the new server wrote it at start (both rewrite it compacted).
        let writer = |kind: PeerKind| match kind {
            PeerKind::Isc => "written by isc-dhcp-",
            PeerKind::Dhcpfo => "written by dhcpfo-",
        };
        let text = std::fs::read_to_string(lab.leases_path(moved)).unwrap_or_default();
        assert!(
            text.contains(writer(to)) && !text.contains(writer(from)),
            "{step}: the lease file was not rewritten at start:\n{}",
            text.lines().take(5).collect::<Vec<_>>().join("\n")
        );
        let carried = leases_carried_over(&handed, &lab.journal(moved).current(), now())
            .unwrap_or_else(|e| panic!("{step}: a running lease was not carried over: {e}"));
        assert!(
            carried >= 8,
            "{step}: only {carried} running leases in the handed file"
        );
        // It resumed the file's state (from a fresh file it would move from recover).
        assert_logged(
            &lab,
            moved,
            t_start,
            &[format!(
                "failover peer {name}: I move from {} to startup",
                saved.as_str()
            )],
        );
        let normal = lab
            .wait_both_normal(t_start, Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{step}: {e}"));
        let t_normal = normal[0].max(normal[1]);
        // The moved peer serves its clients again.
        poll(Duration::from_secs(60), || {
            lab.wire()
                .iter()
                .any(|p| {
                    p.at > t_normal && p.dhcp.is_reply(msg::ACK) && p.dhcp.server_id == Some(server)
                })
                .then_some(())
                .ok_or_else(|| format!("{step}: no ACK from {server} since the pair is normal"))
        })
        .unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "{test}: {step}: {carried} running leases carried over, resumed {}, both normal \
             {:.1} s after the start",
            saved.as_str(),
            t_normal - t_start
        );
    }
    let reports: Vec<LoadReport> = loads.into_iter().map(|l| l.stop()).collect();
    for r in &reports {
        assert!(r.error.is_none(), "{:?}", r.error);
        eprintln!("{test}: generator: {}", r.summary());
    }
    let wire = lab.stop_captures();
    let report = lab.safety_report(&wire, GRACE);
    eprintln!("{test}: {}", report.summary());
    report.assert_no_duplicate_or_lost();
    assert!(report.outages.is_empty(), "{}", report.summary());
}

#[test]
fn isc_pair_secondary_moves_to_dhcpfo_and_back_on_its_lease_file() {
    a_peer_moves_to_dhcpfo_and_back_on_its_lease_file(Role::Secondary);
}

#[test]
fn isc_pair_primary_moves_to_dhcpfo_and_back_on_its_lease_file() {
    a_peer_moves_to_dhcpfo_and_back_on_its_lease_file(Role::Primary);
}

// ---------------------------------------------------------------------------------------
// One set of tests per pair.

macro_rules! pair_tests {
    ($name:ident, $primary:ident, $secondary:ident) => {
        mod $name {
            use super::*;

            const KIND: PairKind = PairKind {
                primary: PeerKind::$primary,
                secondary: PeerKind::$secondary,
            };

            #[test]
            fn both_peers_reach_normal_within_30_s() {
                super::both_peers_reach_normal_within_30_s(KIND);
            }

            #[test]
            fn sigterm_then_restart_returns_to_normal() {
                super::sigterm_then_restart_returns_to_normal(KIND);
            }

            #[test]
            fn split_128_each_peer_answers_about_half_of_the_clients() {
                super::split_share(KIND, 128);
            }

            #[test]
            fn split_256_the_primary_answers_every_client() {
                super::split_share(KIND, 256);
            }

            #[test]
            fn split_255_the_primary_answers_all_but_bucket_255() {
                super::split_share(KIND, 255);
            }

            #[test]
            fn a_lease_granted_by_one_peer_is_in_both_lease_files() {
                super::a_lease_granted_by_one_peer_is_in_both_lease_files(KIND);
            }

            #[test]
            fn each_peer_owns_about_half_of_the_free_addresses() {
                super::each_peer_owns_about_half_of_the_free_addresses(KIND);
            }

            #[test]
            fn kill_9_secondary_then_partner_down_then_recovery() {
                super::kill_9_partner_down_and_recovery(KIND, Role::Secondary);
            }

            #[test]
            fn kill_9_primary_then_partner_down_then_recovery() {
                super::kill_9_partner_down_and_recovery(KIND, Role::Primary);
            }

            #[test]
            fn kill_9_secondary_then_auto_partner_down() {
                super::kill_9_then_auto_partner_down(KIND, Role::Secondary);
            }

            #[test]
            fn kill_9_primary_then_auto_partner_down() {
                super::kill_9_then_auto_partner_down(KIND, Role::Primary);
            }

            #[test]
            fn restarted_in_partner_down_serves_the_partners_addresses_at_once() {
                super::restarted_in_partner_down(KIND);
            }

            #[test]
            fn partner_down_on_both_sides_then_conflict_resolution() {
                super::partner_down_on_both_sides_then_conflict_resolution(KIND);
            }
        }
    };
}

pair_tests!(isc_primary_isc_secondary, Isc, Isc);
pair_tests!(dhcpfo_primary_isc_secondary, Dhcpfo, Isc);
pair_tests!(isc_primary_dhcpfo_secondary, Isc, Dhcpfo);
pair_tests!(dhcpfo_primary_dhcpfo_secondary, Dhcpfo, Dhcpfo);
