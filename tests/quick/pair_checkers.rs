//! The checkers of `tests/common/pair_check.rs` and the wire reader of
//! `tests/common/dhcp_wire.rs` on synthetic inputs: each checker must find the fault it
//! exists for (a duplicate, a lost lease, an outage) and stay quiet on a clean run. The
//! failover pair tests (`tests/failover_pair.rs`) trust them on real evidence.

use crate::common;

use std::net::Ipv4Addr;

use common::dhcp_wire::{Dhcp, WirePacket, merge_captures, msg, packets_in_pcap, rfc3074_bucket};
use common::pair_check::{
    PeerFile, SafetyReport, Transition, Window, acked_leases, covered, file_duplicates,
    lost_leases, outages, service_windows, time_to_serve_after, transitions, wire_duplicates,
};
use dhcpfo::leases::{BindingState, Hardware, Lease, LeaseFile, Timestamp};

const A: [u8; 6] = [0x02, 0, 0, 0, 0, 0x0a];
const B: [u8; 6] = [0x02, 0, 0, 0, 0, 0x0b];
const X: Ipv4Addr = Ipv4Addr::new(10, 60, 8, 7);
const SERVER: Ipv4Addr = Ipv4Addr::new(10, 60, 0, 1);

fn dhcp(op: u8, t: u8, client: [u8; 6], xid: u32) -> Dhcp {
    Dhcp::new(op, Some(t), client, xid)
}

fn packet(at: f64, dhcp: Dhcp) -> WirePacket {
    WirePacket {
        at,
        src: if dhcp.op == 2 {
            SERVER
        } else {
            Ipv4Addr::UNSPECIFIED
        },
        dst: Ipv4Addr::BROADCAST,
        sport: if dhcp.op == 2 { 67 } else { 68 },
        dport: if dhcp.op == 2 { 68 } else { 67 },
        digest: at.to_bits() ^ u64::from(dhcp.xid),
        dhcp,
    }
}

/// A client's REQUEST at `at` and the server's ACK of `addr` for `lease` seconds 10 ms later.
fn dora(at: f64, client: [u8; 6], addr: Ipv4Addr, lease: u32, xid: u32) -> Vec<WirePacket> {
    let request = dhcp(1, msg::REQUEST, client, xid);
    let mut ack = dhcp(2, msg::ACK, client, xid);
    ack.yiaddr = addr;
    ack.server_id = Some(SERVER);
    ack.lease_time = Some(lease);
    vec![packet(at, request), packet(at + 0.01, ack)]
}

fn release(at: f64, client: [u8; 6], addr: Ipv4Addr) -> WirePacket {
    let mut d = dhcp(1, msg::RELEASE, client, 999);
    d.ciaddr = addr;
    d.server_id = Some(SERVER);
    packet(at, d)
}

fn stanza(addr: Ipv4Addr, state: BindingState, client: [u8; 6], starts: u64, ends: u64) -> Lease {
    let mut l = Lease::new(addr, state);
    l.starts = Some(Timestamp(starts));
    l.ends = Some(Timestamp(ends));
    l.hardware = Some(Hardware::ethernet(client));
    l
}

fn file(peer: &str, leases: Vec<Lease>) -> PeerFile {
    PeerFile {
        peer: peer.into(),
        journal: LeaseFile {
            leases,
            ..LeaseFile::default()
        },
    }
}

#[test]
fn rfc3074_hash_gives_the_buckets_isc_used() {
    // From the ISC pair's captures: 02:cc:00:00:00:03 hashed to bucket 173 (the secondary's
    // with split 128), 02:cc:00:00:00:01 to bucket 10 (the primary's).
    assert_eq!(rfc3074_bucket(&[0x02, 0xcc, 0, 0, 0, 0x03]), 173);
    assert_eq!(rfc3074_bucket(&[0x02, 0xcc, 0, 0, 0, 0x01]), 10);
}

/// A pcap file (microseconds, little-endian, Ethernet) with one UDP/IPv4 frame per payload.
fn pcap(frames: &[(u32, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for (sec, payload) in frames {
        let mut frame = vec![0xff; 6];
        frame.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0x08, 0x00]);
        let total = 20 + 8 + payload.len();
        frame.extend_from_slice(&[
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0,
            0,
            64,
            17,
            0,
            0,
        ]);
        frame.extend_from_slice(&[10, 60, 0, 1, 255, 255, 255, 255]);
        let udp = 8 + payload.len();
        frame.extend_from_slice(&[0, 67, 0, 68, (udp >> 8) as u8, udp as u8, 0, 0]);
        frame.extend_from_slice(payload);
        out.extend_from_slice(&sec.to_le_bytes());
        out.extend_from_slice(&500_000u32.to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    }
    out
}

fn ack_payload(xid: u32, yiaddr: Ipv4Addr, lease: u32) -> Vec<u8> {
    let mut b = vec![0u8; 240];
    b[0] = 2;
    b[1] = 1;
    b[2] = 6;
    b[4..8].copy_from_slice(&xid.to_be_bytes());
    b[16..20].copy_from_slice(&yiaddr.octets());
    b[28..34].copy_from_slice(&A);
    b[236..240].copy_from_slice(&[99, 130, 83, 99]);
    b.extend_from_slice(&[53, 1, 5, 54, 4, 10, 60, 0, 1, 51, 4]);
    b.extend_from_slice(&lease.to_be_bytes());
    b.extend_from_slice(&[0, 0, 255]);
    b
}

#[test]
fn pcap_packets_are_read_and_copies_merged() {
    let first = ack_payload(7, X, 60);
    let second = ack_payload(8, X, 90);
    let one = pcap(&[(1000, &first), (1001, &second)]);
    let packets = packets_in_pcap(&one);
    assert_eq!(packets.len(), 2);
    let p = &packets[0];
    assert_eq!(p.at, 1000.5);
    assert_eq!((p.src, p.sport, p.dport), (SERVER, 67, 68));
    assert!(p.dhcp.is_reply(msg::ACK));
    assert_eq!(p.dhcp.yiaddr, X);
    assert_eq!(p.dhcp.chaddr, A);
    assert_eq!(p.dhcp.server_id, Some(SERVER));
    assert_eq!(p.dhcp.lease_time, Some(60));
    assert_eq!(packets[1].dhcp.xid, 8);
    // A cut file yields what came before the cut; garbage yields nothing.
    assert_eq!(packets_in_pcap(&one[..one.len() - 10]).len(), 1);
    assert!(packets_in_pcap(b"not a pcap file at all").is_empty());
    // The same broadcast in a second capture is kept once; a packet a second later is not
    // a copy.
    let other = pcap(&[(1000, &first), (1003, &first)]);
    let merged = merge_captures(vec![packets_in_pcap(&one), packets_in_pcap(&other)]);
    assert_eq!(
        merged.iter().map(|p| p.dhcp.xid).collect::<Vec<_>>(),
        [7, 8, 7]
    );
}

#[test]
fn acked_leases_start_at_the_request_and_end_at_a_release() {
    let mut wire = dora(100.0, A, X, 60, 1);
    wire.push(release(120.0, A, X));
    let leases = acked_leases(&wire);
    assert_eq!(leases.len(), 1);
    assert_eq!(leases[0].starts, 100.0);
    assert_eq!(leases[0].ends, 120.0);
    assert_eq!(leases[0].cut_by, Some("RELEASE"));
    let uncut = acked_leases(&dora(100.0, A, X, 60, 1));
    assert_eq!(uncut[0].ends, 160.0);
    assert_eq!(uncut[0].cut_by, None);
}

#[test]
fn a_decline_ends_both_peers_acks_of_one_request() {
    // Both peers ACK one REQUEST; the client declines the first ACK before the second comes.
    let mut wire = dora(100.0, A, X, 60, 1);
    let mut decline = dhcp(1, msg::DECLINE, A, 1);
    decline.requested_ip = Some(X);
    wire.push(packet(100.011, decline));
    let mut second = wire[1].clone();
    second.at = 100.012;
    second.src = Ipv4Addr::new(10, 60, 0, 2);
    second.dhcp.server_id = Some(Ipv4Addr::new(10, 60, 0, 2));
    wire.push(second);
    let leases = acked_leases(&wire);
    assert_eq!(leases.len(), 2);
    for lease in &leases {
        assert_eq!(lease.cut_by, Some("DECLINE"), "{lease:?}");
        assert!((lease.ends - 100.011).abs() < 1e-9);
    }
    // A DECLINE of an earlier lease does not end a later request's ACK.
    let mut later = dora(100.0, A, X, 60, 1);
    let mut decline = dhcp(1, msg::DECLINE, A, 1);
    decline.requested_ip = Some(X);
    later.push(packet(100.5, decline));
    later.extend(dora(102.0, A, X, 60, 2));
    let leases = acked_leases(&later);
    assert_eq!(leases[1].cut_by, None);
    assert_eq!(leases[1].ends, 162.0);
}

#[test]
fn a_nak_to_a_request_already_acked_does_not_end_the_lease() {
    // One peer ACKs a REQUEST, the other NAKs it a moment later: the client holds the lease.
    let mut wire = dora(100.0, A, X, 60, 1);
    let mut nak = dhcp(2, msg::NAK, A, 1);
    nak.server_id = Some(Ipv4Addr::new(10, 60, 0, 2));
    wire.push(packet(100.02, nak));
    let leases = acked_leases(&wire);
    assert_eq!(leases[0].cut_by, None);
    assert_eq!(leases[0].ends, 160.0);
    // A NAK to a later request (another transaction) ends it.
    let mut later = dora(100.0, A, X, 60, 1);
    later.push(packet(130.0, dhcp(1, msg::REQUEST, A, 2)));
    later.push(packet(130.01, dhcp(2, msg::NAK, A, 2)));
    let leases = acked_leases(&later);
    assert_eq!(leases[0].cut_by, Some("NAK"));
    assert_eq!(leases[0].ends, 130.01);
}

#[test]
fn two_clients_acked_one_address_at_once_is_a_duplicate_on_the_wire() {
    let mut wire = dora(100.0, A, X, 60, 1);
    wire.extend(dora(130.0, B, X, 60, 2));
    let found = wire_duplicates(&acked_leases(&wire));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].addr, X);
    assert!((found[0].overlap - 30.0).abs() < 0.1);
    // After the first lease ran out: no duplicate.
    let mut later = dora(100.0, A, X, 60, 1);
    later.extend(dora(161.0, B, X, 60, 2));
    assert!(wire_duplicates(&acked_leases(&later)).is_empty());
    // Released first: no duplicate.
    let mut released = dora(100.0, A, X, 60, 1);
    released.push(release(120.0, A, X));
    released.extend(dora(130.0, B, X, 60, 2));
    assert!(wire_duplicates(&acked_leases(&released)).is_empty());
    // The same client renewing is not a duplicate.
    let mut renewed = dora(100.0, A, X, 60, 1);
    renewed.extend(dora(130.0, A, X, 60, 2));
    assert!(wire_duplicates(&acked_leases(&renewed)).is_empty());
}

#[test]
fn overlapping_active_stanzas_in_the_two_files_are_a_duplicate() {
    let primary = file(
        "primary",
        vec![stanza(X, BindingState::Active, A, 100, 160)],
    );
    let secondary = file(
        "secondary",
        vec![stanza(X, BindingState::Active, B, 130, 190)],
    );
    let found = file_duplicates(&[primary.clone(), secondary.clone()], &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].first.source, "primary lease file");
    assert_eq!(found[0].second.source, "secondary lease file");
    // A released stanza of A ending at 120 cuts A's holding short: no duplicate.
    let mut with_release = primary.clone();
    with_release
        .journal
        .leases
        .push(stanza(X, BindingState::Released, A, 120, 120));
    assert!(file_duplicates(&[with_release, secondary.clone()], &[]).is_empty());
    // So does A's RELEASE seen on the wire.
    let mut wire = dora(100.0, A, X, 60, 1);
    wire.push(release(120.0, A, X));
    assert!(file_duplicates(&[primary.clone(), secondary], &acked_leases(&wire)).is_empty());
    // Inactive stanzas hold nothing.
    let backup = file(
        "secondary",
        vec![stanza(X, BindingState::Backup, B, 130, 190)],
    );
    assert!(file_duplicates(&[primary, backup], &[]).is_empty());
}

#[test]
fn an_acked_lease_missing_from_both_files_is_lost() {
    // Still running when the files are read (at 200): the current stanza must be active for
    // the client until the ACK's end.
    let wire = dora(100.0, A, X, 600, 1);
    let acked = acked_leases(&wire);
    let free = file("primary", vec![stanza(X, BindingState::Free, A, 90, 95)]);
    let empty = file("secondary", vec![]);
    let lost = lost_leases(&acked, &[free.clone(), empty.clone()], &[], 200.0, |_| 0.0);
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0].why.contains("still running"), "{}", lost[0]);
    let kept = file(
        "secondary",
        vec![stanza(X, BindingState::Active, A, 100, 700)],
    );
    assert!(lost_leases(&acked, &[free.clone(), kept], &[], 200.0, |_| 0.0).is_empty());
    // An earlier end in the file than the client was told is a loss too.
    let short = file(
        "secondary",
        vec![stanza(X, BindingState::Active, A, 100, 650)],
    );
    assert_eq!(
        lost_leases(&acked, &[free, short], &[], 200.0, |_| 0.0).len(),
        1
    );
    // Over by the time the files are read (at 2000): a peer's file must have held it to its
    // end. A record of it with nothing after it does...
    let expired = acked_leases(&dora(1000.0, A, X, 60, 2));
    let nothing = file("primary", vec![]);
    assert_eq!(
        lost_leases(&expired, &[nothing], &[], 2000.0, |_| 0.0).len(),
        1
    );
    let ack = stanza(X, BindingState::Active, A, 1000, 1060);
    let expiry = stanza(X, BindingState::Free, A, 1000, 1060);
    let record = file("primary", vec![ack.clone(), expiry.clone()]);
    assert!(lost_leases(&expired, &[record], &[], 2000.0, |_| 0.0).is_empty());
    // ...and so does a record followed by another client's lease written after the end.
    let later_use = stanza(X, BindingState::Active, B, 1100, 1160);
    let moved_on = file("primary", vec![ack.clone(), later_use.clone()]);
    assert!(lost_leases(&expired, &[moved_on], &[], 2000.0, |_| 0.0).is_empty());
    // The address used later without a record of the lease proves nothing.
    let only_later = file("primary", vec![later_use.clone()]);
    assert_eq!(
        lost_leases(&expired, &[only_later], &[], 2000.0, |_| 0.0).len(),
        1
    );
    // The ACK's record followed by a partner's older state that ended it early (the loss of
    // chaos seed 1796403444) is a loss, however the file goes on: pool balancing, or the
    // address given to another client after the end.
    let early_end = stanza(X, BindingState::Backup, A, 1030, 1030);
    let ended_early = file("primary", vec![ack.clone(), early_end.clone()]);
    let lost = lost_leases(
        &expired,
        std::slice::from_ref(&ended_early),
        &[],
        2000.0,
        |_| 0.0,
    );
    assert_eq!(lost.len(), 1);
    assert!(
        lost[0].why.contains("backup"),
        "the evidence names the records: {}",
        lost[0]
    );
    let mut balanced = stanza(X, BindingState::Free, A, 1100, 1030);
    balanced.hardware = None;
    for then in [balanced, later_use.clone()] {
        let history = file("primary", vec![ack.clone(), early_end.clone(), then]);
        assert_eq!(
            lost_leases(&expired, &[history], &[], 2000.0, |_| 0.0).len(),
            1
        );
    }
    // The same older state arriving after the end (a record of another address written at
    // 1065 comes before it) ended nothing the client still held.
    let mut other = stanza(
        Ipv4Addr::new(10, 60, 8, 9),
        BindingState::Active,
        B,
        1065,
        1125,
    );
    other.cltt = Some(Timestamp(1065));
    let late = file("primary", vec![ack.clone(), other, early_end.clone()]);
    assert!(lost_leases(&expired, &[late], &[], 2000.0, |_| 0.0).is_empty());
    // A copy read before a start comes first in the file's history: the ACK's record there,
    // and the rewritten file's expired record of it after the start, hold the lease.
    let rewritten = file("primary", vec![expiry]);
    let before_start = [(1030.0, file("primary", vec![ack.clone()]))];
    assert!(
        lost_leases(
            &expired,
            std::slice::from_ref(&rewritten),
            &before_start,
            2000.0,
            |_| 0.0
        )
        .is_empty()
    );
    // A copy holding the ACK, then a rewrite that starts with an early end, is a loss.
    let rewritten_early = file("primary", vec![early_end.clone()]);
    assert_eq!(
        lost_leases(&expired, &[rewritten_early], &before_start, 2000.0, |_| 0.0).len(),
        1
    );
    // Taken up again only after the end (a late copy of the ACK's record, a refused start
    // that copied the file twice): not held to its end.
    let mut after = stanza(
        Ipv4Addr::new(10, 60, 8, 9),
        BindingState::Active,
        B,
        1500,
        1560,
    );
    after.cltt = Some(Timestamp(1500));
    let twice = file(
        "primary",
        vec![
            ack.clone(),
            early_end.clone(),
            after,
            ack.clone(),
            early_end.clone(),
        ],
    );
    assert_eq!(
        lost_leases(&expired, &[twice], &[], 2000.0, |_| 0.0).len(),
        1
    );
    // Taken up again before the end (the partner's update restored it): held.
    let restored = file("primary", vec![ack.clone(), early_end.clone(), ack.clone()]);
    assert!(lost_leases(&expired, &[restored], &[], 2000.0, |_| 0.0).is_empty());
    // A record of another address written by a clock 50 s ahead makes the early end look
    // written after the lease's end; told the clock may have been ahead, the check is not
    // fooled.
    let mut ahead_of_time = stanza(
        Ipv4Addr::new(10, 60, 8, 9),
        BindingState::Active,
        B,
        1080,
        1140,
    );
    ahead_of_time.cltt = Some(Timestamp(1080));
    let stepped = file(
        "primary",
        vec![ack.clone(), ahead_of_time, early_end.clone()],
    );
    assert!(
        lost_leases(
            &expired,
            std::slice::from_ref(&stepped),
            &[],
            2000.0,
            |_| 0.0
        )
        .is_empty()
    );
    assert_eq!(
        lost_leases(&expired, &[stepped], &[], 2000.0, |_| 50.0).len(),
        1
    );
    // A release on the wire ends the lease there: the released record ends then too.
    let mut wire = dora(1000.0, A, X, 60, 3);
    wire.push(release(1020.0, A, X));
    let released = acked_leases(&wire);
    let release_record = stanza(X, BindingState::Released, A, 1000, 1020);
    let history = file("primary", vec![ack, release_record, later_use]);
    assert!(lost_leases(&released, &[history], &[], 2000.0, |_| 0.0).is_empty());
    // A lease still running must be in a file as it is now: an earlier copy is not enough.
    let free_now = file("primary", vec![stanza(X, BindingState::Free, A, 90, 95)]);
    let running_before = file(
        "primary",
        vec![stanza(X, BindingState::Active, A, 100, 700)],
    );
    assert_eq!(
        lost_leases(
            &acked,
            &[free_now],
            &[(150.0, running_before)],
            200.0,
            |_| 0.0
        )
        .len(),
        1
    );
}

/// The short-mode failure of dhcpfo+isc seed 2 at bfb71b4: a client released its lease,
/// was ACKed the address again a second later, and released that within the second. The
/// lease's end less the files' whole-second slack came before its own record, and the
/// release of the earlier lease, just before that record, read as an early end of it.
#[test]
fn a_lease_acked_again_just_after_a_release_is_held_by_its_own_record() {
    let mut wire = dora(900.0, A, X, 30, 1);
    wire.push(release(923.5, A, X));
    wire.extend(dora(924.5, A, X, 10, 2));
    wire.push(release(925.1, A, X));
    let acked = acked_leases(&wire);
    assert_eq!(acked.len(), 2);
    let mut next = stanza(X, BindingState::Active, B, 928, 938);
    next.cltt = Some(Timestamp(928));
    let first = stanza(X, BindingState::Active, A, 900, 930);
    let released = stanza(X, BindingState::Released, A, 923, 923);
    let records = file(
        "primary",
        vec![
            first.clone(),
            released.clone(),
            stanza(X, BindingState::Active, A, 924, 934),
            stanza(X, BindingState::Released, A, 925, 925),
            next.clone(),
        ],
    );
    let lost = lost_leases(&acked, &[records], &[], 2000.0, |_| 0.0);
    assert!(lost.is_empty(), "{lost:?}");
    // Without a record of its own, a later transaction's record does not stand for it.
    let later = stanza(X, BindingState::Active, A, 940, 950);
    let records = file(
        "primary",
        vec![first.clone(), released.clone(), next.clone(), later],
    );
    let lost = lost_leases(&acked, &[records], &[], 2000.0, |_| 0.0);
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0].lease.acked_at, 924.51);
    // Nor does a record with its times written after the lease's end (a partner that
    // learnt of it late), once another client held the address meanwhile.
    let mut elsewhere = stanza(
        Ipv4Addr::new(10, 60, 8, 9),
        BindingState::Active,
        B,
        1000,
        1060,
    );
    elsewhere.cltt = Some(Timestamp(1000));
    let records = file(
        "primary",
        vec![
            first,
            released,
            next,
            elsewhere,
            stanza(X, BindingState::Active, A, 924, 934),
        ],
    );
    let lost = lost_leases(&acked, &[records], &[], 2000.0, |_| 0.0);
    assert_eq!(lost.len(), 1, "{lost:?}");
}

#[test]
fn a_clean_run_reports_nothing() {
    let mut wire = dora(100.0, A, X, 60, 1);
    wire.extend(dora(101.0, B, Ipv4Addr::new(10, 60, 8, 8), 60, 2));
    let files = [
        file(
            "primary",
            vec![
                stanza(X, BindingState::Active, A, 100, 160),
                stanza(
                    Ipv4Addr::new(10, 60, 8, 8),
                    BindingState::Active,
                    B,
                    101,
                    161,
                ),
            ],
        ),
        file(
            "secondary",
            vec![stanza(X, BindingState::Active, A, 100, 160)],
        ),
    ];
    let windows = [Window {
        peer: "primary".into(),
        from: 0.0,
        to: 1000.0,
    }];
    let report = SafetyReport::check(&wire, &files, 120.0, &windows, 2.0);
    assert_eq!(report.acked.len(), 2);
    report.assert_no_duplicate_or_lost();
    assert!(report.outages.is_empty(), "{}", report.summary());
}

#[test]
#[should_panic(expected = "duplicates: 1 on the wire")]
fn the_safety_assertion_fails_on_a_duplicate() {
    let mut wire = dora(100.0, A, X, 60, 1);
    wire.extend(dora(130.0, B, X, 60, 2));
    SafetyReport::check(&wire, &[], 120.0, &[], 2.0).assert_no_duplicate_or_lost();
}

#[test]
fn outages_count_only_time_when_a_peer_could_serve() {
    let discover = |at: f64| packet(at, dhcp(1, msg::DISCOVER, A, 5));
    let mut wire = vec![discover(100.0), discover(102.0), discover(104.0)];
    wire.extend(dora(109.99, A, X, 60, 5));
    let windows = [
        Window {
            peer: "primary".into(),
            from: 0.0,
            to: 103.0,
        },
        Window {
            peer: "secondary".into(),
            from: 107.0,
            to: 200.0,
        },
    ];
    let found = outages(&wire, &windows, 2.0);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].resolved);
    assert!((found[0].unavailable - 6.0).abs() < 0.01, "{}", found[0]);
    // No peer could serve: nothing to report.
    assert!(outages(&wire, &[], 2.0).is_empty());
    // Below the grace period: nothing either.
    assert!(outages(&wire, &windows, 7.0).is_empty());
    // A copy of the answered exchange's DISCOVER, seen later (a relay's frame to a peer it
    // could not reach, sent when the peer comes back), is no new wait; a new exchange is.
    let mut late = wire.clone();
    late.push(discover(150.0));
    assert_eq!(outages(&late, &windows, 2.0).len(), 1);
    late.push(packet(160.0, dhcp(1, msg::DISCOVER, A, 6)));
    late.push(packet(170.0, dhcp(1, msg::DISCOVER, A, 6)));
    let found = outages(&late, &windows, 2.0);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(!found[1].resolved && found[1].from == 160.0);
    // Never served: open until the client's last packet.
    let unanswered = vec![discover(100.0), discover(130.0)];
    let found = outages(&unanswered, &windows, 2.0);
    assert_eq!(found.len(), 1);
    assert!(!found[0].resolved);
    assert_eq!(found[0].to, 130.0);
    assert!((found[0].unavailable - 26.0).abs() < 0.01);
}

#[test]
fn covered_time_counts_overlapping_windows_once() {
    let w = |from: f64, to: f64| Window {
        peer: "p".into(),
        from,
        to,
    };
    assert_eq!(
        covered(0.0, 10.0, &[w(2.0, 5.0), w(4.0, 6.0), w(8.0, 20.0)]),
        6.0
    );
    assert_eq!(covered(0.0, 10.0, &[]), 0.0);
}

#[test]
fn transitions_and_service_windows_come_from_the_stamped_log() {
    let log = "\
1000.000 Server starting service.
1000.100 failover peer lab-pair: I move from recover to startup
1001.500 failover peer lab-pair: peer moves from unknown-state to recover
1002.000 failover peer lab-pair: I move from startup to recover
1003.000 failover peer lab-pair: I move from recover-done to normal
1050.000 failover peer lab-pair: I move from normal to communications-interrupted
1070.000 failover peer lab-pair: I move from communications-interrupted to partner-down
1200.000 failover peer lab-pair: I move from partner-down to normal
";
    let moves = transitions(log);
    assert_eq!(moves.len(), 6);
    assert_eq!(
        moves[3],
        Transition {
            at: 1050.0,
            from: "normal".into(),
            to: "communications-interrupted".into()
        }
    );
    // Killed at 1100, started again at 1150.
    let windows = service_windows("primary", &[(999.0, 1100.0), (1150.0, 1300.0)], &moves);
    let spans: Vec<(f64, f64)> = windows.iter().map(|w| (w.from, w.to)).collect();
    assert_eq!(spans, [(1003.0, 1100.0), (1200.0, 1300.0)]);
}

#[test]
fn time_to_serve_again_counts_to_the_first_ack_of_a_new_request() {
    let mut wire = dora(100.0, A, X, 60, 1);
    wire.extend(dora(110.0, B, X, 60, 2));
    let t = time_to_serve_after(&wire, 105.0).expect("served again");
    assert!((t - 5.01).abs() < 0.001, "{t}");
    // An ACK that answers a request from before the fault does not count.
    let mut late = dora(100.0, A, X, 60, 1);
    late[1].at = 106.0;
    assert_eq!(time_to_serve_after(&late, 105.0), None);
}
