//! Journal: durability, replay, compaction and a torn tail.

use std::net::Ipv4Addr;

use super::*;
use crate::leases::{FailoverStanza, FailoverState, PeerState, Timestamp};
use crate::serve::bindings::State;

fn active(last: u8, ends: u64) -> Binding {
    Binding {
        state: State::Active,
        starts: 1_800_000_000,
        ends,
        cltt: Some(1_800_000_000),
        hw: Some((1, vec![0x52, 0x54, 0, 0, 0, last])),
        uid: Some(vec![1, b'"', 0, 0xff]),
        hostname: Some("pc-one".into()),
        ..Binding::empty(Ipv4Addr::new(10, 0, 0, last), State::Free)
    }
}

fn event(b: Binding) -> BindingEvent {
    BindingEvent {
        previous: None,
        binding: b,
    }
}

fn block<T>(rx: oneshot::Receiver<T>) -> Option<T> {
    rx.blocking_recv().ok()
}

fn hold_compactor(wait: mpsc::Receiver<()>) -> Gates {
    Gates {
        compactor: Some(wait),
        rename: None,
    }
}

#[test]
fn appended_records_replay_last_one_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, replay) = Journal::open(&path).expect("opens");
    assert!(replay.bindings.is_empty());
    assert_eq!(
        block(j.append(&[event(active(5, 1_800_003_600))])),
        Some(true)
    );
    let mut freed = active(5, 1_800_000_100);
    freed.state = State::Free;
    assert_eq!(
        block(j.append(&[event(active(6, 1_800_007_200)), event(freed.clone())])),
        Some(true)
    );
    // On disk before close: read it as another process would.
    let text = std::fs::read_to_string(&path).expect("readable");
    assert_eq!(text.matches("lease 10.0.0.5 {").count(), 2);
    // Two appends, each awaited: three records, two syncs.
    assert_eq!(j.close(), (3, 2));
    let (_j, replay) = Journal::open(&path).expect("reopens");
    assert_eq!(replay.bindings.len(), 2);
    let five = replay
        .bindings
        .iter()
        .find(|b| b.addr == Ipv4Addr::new(10, 0, 0, 5));
    assert_eq!(five, Some(&freed));
    let six = replay
        .bindings
        .iter()
        .find(|b| b.addr == Ipv4Addr::new(10, 0, 0, 6));
    assert_eq!(six, Some(&active(6, 1_800_007_200)));
}

#[test]
fn compaction_keeps_one_record_per_lease_and_a_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, _) = Journal::open(&path).expect("opens");
    for i in 0..50u64 {
        assert_eq!(
            block(j.append(&[event(active(7, 1_800_000_000 + i))])),
            Some(true)
        );
    }
    let live = [active(7, 1_800_000_049)];
    assert_eq!(block(j.rewrite(live.iter())), Some(true));
    assert_eq!(
        block(j.append(&[event(active(8, 1_800_000_500))])),
        Some(true)
    );
    j.close();
    let text = std::fs::read_to_string(&path).expect("readable");
    assert_eq!(text.matches("lease 10.").count(), 2, "{text}");
    assert!(text.starts_with("# The format of this file"));
    let old = std::fs::read_to_string(dir.path().join("dhcpd.leases~")).expect("backup");
    assert_eq!(old.matches("lease 10.0.0.7").count(), 50);
    let (_j, replay) = Journal::open(&path).expect("reopens");
    assert_eq!(replay.bindings.len(), 2);
}

#[test]
fn torn_tail_is_dropped_and_earlier_records_survive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let mut text = header();
    text.push_str(&format_binding(&active(9, 1_800_003_600)));
    let torn = "lease 10.0.0.10 {\n  starts 0 2027/01/";
    text.push_str(torn);
    std::fs::write(&path, &text).expect("writable");
    let (_j, replay) = Journal::open(&path).expect("opens despite the torn tail");
    assert_eq!(replay.torn_bytes, torn.len());
    assert_eq!(replay.bindings, vec![active(9, 1_800_003_600)]);
}

#[test]
fn a_file_of_only_its_header_is_not_torn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    std::fs::write(&path, header()).expect("writable");
    let (_j, replay) = Journal::open(&path).expect("opens");
    assert_eq!(replay.torn_bytes, 0);
    assert!(replay.bindings.is_empty());
    // A header statement cut before its `;` is torn.
    let cut = header().trim_end().trim_end_matches(';').to_string();
    std::fs::write(&path, &cut).expect("writable");
    let (_j, replay) = Journal::open(&path).expect("opens");
    assert!(replay.torn_bytes > 0);
}

#[test]
fn garbage_is_an_error_with_a_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    std::fs::write(&path, "lease not-an-ip {\n}\n").expect("writable");
    match Journal::open(&path) {
        Err(JournalError::Parse { line, .. }) => assert_eq!(line, 1),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn isc_times_round_trip() {
    assert_eq!(isc_time(0), "4 1970/01/01 00:00:00");
    assert_eq!(isc_time(1_800_000_000), "5 2027/01/15 08:00:00");
    for t in [0u64, 951_782_400, 1_800_000_000, 4_102_444_800] {
        let mut b = active(1, t);
        b.starts = t;
        let (back, failover) = parse(&format_binding(&b)).expect("parses");
        assert_eq!(back, vec![b]);
        assert!(failover.is_empty());
    }
}

#[test]
fn failover_state_survives_compaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let stanza = "failover peer \"fo\" state {\n  my state normal at 4 2027/01/14 08:00:00;\n  partner state normal at 4 2027/01/14 08:00:00;\n}\n";
    let mut text = header();
    text.push_str(stanza);
    text.push_str(&format_binding(&active(3, 1_800_003_600)));
    std::fs::write(&path, &text).expect("writable");
    let (mut j, replay) = Journal::open(&path).expect("opens");
    assert_eq!(replay.bindings.len(), 1);
    assert_eq!(block(j.rewrite(replay.bindings.iter())), Some(true));
    j.close();
    let after = std::fs::read_to_string(&path).expect("readable");
    assert!(after.contains("failover peer \"fo\" state {"), "{after}");
    assert!(
        after.contains("my state normal at 4 2027/01/14 08:00:00;"),
        "{after}"
    );
}

#[test]
fn records_queued_during_a_sync_share_the_next_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, _) = Journal::open(&path).expect("opens");
    // The writer is held (as by a long sync) while 1000 ACKs queue up behind it.
    let release = j.hold();
    let tickets: Vec<_> = (0..1000u32)
        .map(|i| {
            let mut b = active(2, 1_800_003_600);
            b.addr = Ipv4Addr::from(0x0b00_0000 + i);
            j.append(&[event(b)])
        })
        .collect();
    drop(release);
    for t in tickets {
        assert_eq!(block(t), Some(true), "every queued record is acknowledged");
    }
    assert_eq!(j.close(), (1000, 1), "one sync for the 1000 queued records");
}

#[test]
fn appends_during_a_compaction_are_acknowledged_at_once_and_kept_by_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, _) = Journal::open(&path).expect("opens");
    let before: Vec<Binding> = (1..=50u8).map(|i| active(i, 1_800_003_600)).collect();
    let events: Vec<BindingEvent> = before.iter().cloned().map(event).collect();
    assert_eq!(block(j.append(&events)), Some(true));
    // A compaction that cannot finish until the test lets it (as a slow disk would).
    let swaps = crate::serve::latency::SWAP.recorded();
    let (gate, wait) = mpsc::channel();
    let mut busy = j.compact_gated(
        Source::Snapshot(Snapshot::of(before.clone())),
        hold_compactor(wait),
    );
    let mut during = Vec::new();
    for i in 100..=150u8 {
        let b = active(i, 1_800_007_200);
        assert_eq!(block(j.append(&[event(b.clone())])), Some(true), "{i}");
        during.push(b);
    }
    // Renewed during the compaction: the later record wins in the compacted file too.
    let renewed = active(7, 1_800_009_999);
    assert_eq!(block(j.append(&[event(renewed.clone())])), Some(true));
    assert!(
        busy.try_recv().is_err(),
        "the compaction is still under way: no append waited for it"
    );
    drop(gate);
    assert_eq!(block(busy), Some(true));
    assert!(
        crate::serve::latency::SWAP.recorded() > swaps,
        "the swap, the one step that holds appends, is measured"
    );
    let text = std::fs::read_to_string(&path).expect("readable");
    assert_eq!(text.matches("lease 10.0.0.120 {").count(), 1, "{text}");
    assert!(dir.path().join("dhcpd.leases~").exists());
    j.close();
    let (_j, replay) = Journal::open(&path).expect("reopens");
    let got: std::collections::BTreeMap<Ipv4Addr, Binding> =
        replay.bindings.into_iter().map(|b| (b.addr, b)).collect();
    assert_eq!(got.len(), 50 + 51);
    for b in before
        .iter()
        .filter(|b| b.addr != renewed.addr)
        .chain(&during)
    {
        assert_eq!(got.get(&b.addr), Some(b));
    }
    assert_eq!(got.get(&renewed.addr), Some(&renewed));
}

#[test]
fn closing_during_a_compaction_finishes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, _) = Journal::open(&path).expect("opens");
    let live = vec![active(4, 1_800_003_600)];
    let (gate, wait) = mpsc::channel();
    let busy = j.compact_gated(
        Source::Snapshot(Snapshot::of(live.clone())),
        hold_compactor(wait),
    );
    assert_eq!(
        block(j.append(&[event(active(5, 1_800_003_600))])),
        Some(true)
    );
    gate.send(()).expect("the compactor waits");
    j.close();
    assert_eq!(block(busy), Some(true));
    let (_j, replay) = Journal::open(&path).expect("reopens");
    assert_eq!(replay.bindings.len(), 2);
}

#[test]
fn a_snapshot_writes_free_records_for_unused_failover_addresses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, _) = Journal::open(&path).expect("opens");
    let snapshot = Snapshot {
        bindings: vec![active(11, 1_800_003_600)],
        free_ranges: vec![(0x0a00_000a, 0x0a00_000c)],
    };
    assert_eq!(block(j.compact(snapshot)), Some(true));
    j.close();
    let text = std::fs::read_to_string(&path).expect("readable");
    for ip in ["10.0.0.10", "10.0.0.12"] {
        assert!(text.contains(&format!("lease {ip} {{\n  starts")), "{text}");
    }
    assert_eq!(text.matches("lease 10.0.0.11 {").count(), 1, "{text}");
    assert!(text.contains("binding state active"));
}

fn stanza(peer: &str, my: FailoverState, at: u64, mclt: Option<u32>) -> FailoverStanza {
    FailoverStanza {
        peer: peer.into(),
        my: PeerState {
            state: my,
            at: Timestamp(at),
        },
        partner: PeerState {
            state: FailoverState::Unknown,
            at: Timestamp(at - 10),
        },
        mclt,
    }
}

#[test]
fn recorded_failover_stanzas_replay_the_latest_per_relationship() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, replay) = Journal::open(&path).expect("opens");
    assert!(replay.failover.is_empty());
    let a1 = stanza("a", FailoverState::Recover, 1_800_000_000, None);
    let a2 = stanza("a", FailoverState::Normal, 1_800_000_100, None);
    let b1 = stanza("b", FailoverState::PartnerDown, 1_800_000_050, Some(60));
    assert_eq!(block(j.record_failover(&a1)), Some(true));
    assert_eq!(block(j.record_failover(&b1)), Some(true));
    // On disk as soon as acknowledged, in ISC's layout.
    let text = std::fs::read_to_string(&path).expect("readable");
    assert!(
        text.contains(
            "\nfailover peer \"b\" state {\n  my state partner-down at 5 2027/01/15 08:00:50;\n  \
             partner state unknown-state at 5 2027/01/15 08:00:40;\n  mclt 60;\n}\n"
        ),
        "{text}"
    );
    assert_eq!(block(j.record_failover(&a2)), Some(true));
    assert_eq!(j.close(), (3, 3));
    let (_j, replay) = Journal::open(&path).expect("reopens");
    assert_eq!(replay.failover, vec![a2, b1]);
}

#[test]
fn compaction_keeps_the_latest_failover_stanza_per_relationship() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, _) = Journal::open(&path).expect("opens");
    let old = stanza(
        "fo",
        FailoverState::CommunicationsInterrupted,
        1_800_000_000,
        Some(60),
    );
    let new = stanza("fo", FailoverState::PartnerDown, 1_800_000_300, Some(60));
    assert_eq!(block(j.record_failover(&old)), Some(true));
    assert_eq!(block(j.record_failover(&new)), Some(true));
    let live = [active(4, 1_800_003_600)];
    assert_eq!(block(j.rewrite(live.iter())), Some(true));
    let later = stanza(
        "fo",
        FailoverState::PotentialConflict,
        1_800_000_400,
        Some(60),
    );
    assert_eq!(block(j.record_failover(&later)), Some(true));
    j.close();
    let text = std::fs::read_to_string(&path).expect("readable");
    assert_eq!(
        text.matches("failover peer \"fo\" state {").count(),
        2,
        "{text}"
    );
    assert!(!text.contains("communications-interrupted"), "{text}");
    assert!(text.contains("my state partner-down"), "{text}");
    let (mut j, replay) = Journal::open(&path).expect("reopens");
    assert_eq!(replay.failover, vec![later.clone()]);
    // A compaction after a restart keeps what was replayed.
    assert_eq!(block(j.rewrite(replay.bindings.iter())), Some(true));
    j.close();
    let (_j, replay) = Journal::open(&path).expect("reopens");
    assert_eq!(replay.failover, vec![later]);
    assert_eq!(replay.bindings, vec![active(4, 1_800_003_600)]);
}

#[test]
fn a_torn_failover_stanza_is_dropped_and_the_previous_one_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let good = stanza("fo", FailoverState::Normal, 1_800_000_000, None);
    let mut text = header();
    text.push_str(&format_failover(&good));
    let torn = "\nfailover peer \"fo\" state {\n  my state partner-down at 5 2027/01/15 08:0";
    text.push_str(torn);
    std::fs::write(&path, &text).expect("writable");
    let (_j, replay) = Journal::open(&path).expect("opens despite the torn tail");
    assert_eq!(replay.torn_bytes, torn.len());
    assert_eq!(replay.failover, vec![good]);
}

/// The live file's records of each address, as a reader of the file finds them now.
fn on_disk(path: &Path) -> std::collections::BTreeMap<Ipv4Addr, Binding> {
    let text = std::fs::read_to_string(path).expect("readable");
    let (bindings, _) = parse(&text).expect("parses");
    bindings.into_iter().map(|b| (b.addr, b)).collect()
}

#[test]
fn a_compaction_of_the_file_by_itself_keeps_the_last_record_of_each_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, _) = Journal::open(&path).expect("opens");
    for i in 0..40u64 {
        let b = active(1 + (i % 4) as u8, 1_800_000_000 + i);
        assert_eq!(block(j.append(&[event(b)])), Some(true));
    }
    let before = on_disk(&path);
    let (gate, wait) = mpsc::channel();
    let busy = j.compact_gated(Source::File, hold_compactor(wait));
    // Appended before the compactor reads the file: past the offset it reads up to, so
    // copied after its snapshot, and the later record wins.
    let renewed = active(2, 1_800_009_999);
    assert_eq!(block(j.append(&[event(renewed.clone())])), Some(true));
    drop(gate);
    assert_eq!(block(busy), Some(true));
    let text = std::fs::read_to_string(&path).expect("readable");
    for last in 1..=4 {
        let n = text.matches(&format!("lease 10.0.0.{last} {{")).count();
        assert_eq!(n, if last == 2 { 2 } else { 1 }, "{text}");
    }
    let after = on_disk(&path);
    for (ip, b) in &before {
        let want = if *ip == renewed.addr { &renewed } else { b };
        assert_eq!(after.get(ip), Some(want));
    }
    let old = std::fs::read_to_string(dir.path().join("dhcpd.leases~")).expect("backup");
    assert_eq!(old.matches("lease 10.").count(), 41);
    // The next compaction reads the compacted file back.
    let last = active(3, 1_800_009_000);
    assert_eq!(block(j.append(&[event(last.clone())])), Some(true));
    assert_eq!(block(j.compact_file()), Some(true));
    let text = std::fs::read_to_string(&path).expect("readable");
    assert_eq!(text.matches("lease 10.").count(), 4, "{text}");
    assert_eq!(on_disk(&path).get(&last.addr), Some(&last));
    j.close();
}

#[test]
fn appends_go_to_both_files_while_the_new_one_is_put_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, _) = Journal::open(&path).expect("opens");
    let first: Vec<BindingEvent> = (1..=20u8)
        .map(|i| event(active(i, 1_800_003_600)))
        .collect();
    assert_eq!(block(j.append(&first)), Some(true));
    let (gate, wait) = mpsc::channel();
    let (started, finisher) = mpsc::channel();
    let mut busy = j.compact_gated(
        Source::File,
        Gates {
            compactor: None,
            rename: Some((started, wait)),
        },
    );
    // The new file is built and the finisher started: appends go to both files now, and
    // the rename waits for the test.
    finisher
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the finisher starts");
    let mut during = Vec::new();
    for i in 30..=40u8 {
        let b = active(i, 1_800_007_200);
        assert_eq!(block(j.append(&[event(b.clone())])), Some(true), "{i}");
        during.push(b);
    }
    assert!(
        matches!(busy.try_recv(), Err(oneshot::error::TryRecvError::Empty)),
        "the rename still waits: no append waited for it"
    );
    // Before the rename the path still names the old file, which holds them all.
    for b in &during {
        assert_eq!(on_disk(&path).get(&b.addr), Some(b));
    }
    drop(gate);
    assert_eq!(block(busy), Some(true));
    let after = on_disk(&path);
    assert_eq!(after.len(), 20 + during.len());
    for b in &during {
        assert_eq!(after.get(&b.addr), Some(b));
    }
    // After the rename, appends go to the new file alone.
    let late = active(50, 1_800_009_000);
    assert_eq!(block(j.append(&[event(late.clone())])), Some(true));
    assert_eq!(on_disk(&path).get(&late.addr), Some(&late));
    let old = std::fs::read_to_string(dir.path().join("dhcpd.leases~")).expect("backup");
    assert!(!old.contains("lease 10.0.0.50 {"));
    j.close();
    let (_j, replay) = Journal::open(&path).expect("reopens");
    assert_eq!(replay.bindings.len(), 20 + during.len() + 1);
}

#[test]
fn the_writer_compacts_by_itself_past_its_threshold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dhcpd.leases");
    let (mut j, _) = Journal::open(&path).expect("opens");
    let live = std::sync::Arc::new(AtomicUsize::new(2));
    // More than max(5, 2 x 2) records since the last compaction: the writer starts one.
    j.compact_automatically(5, live);
    for i in 0..5u64 {
        let b = active(1 + (i % 2) as u8, 1_800_000_000 + i);
        assert_eq!(block(j.append(&[event(b)])), Some(true));
    }
    assert!(
        !dir.path().join("dhcpd.leases~").exists(),
        "5 records: not yet"
    );
    assert_eq!(
        block(j.append(&[event(active(1, 1_800_000_100))])),
        Some(true)
    );
    let t = std::time::Instant::now();
    while !dir.path().join("dhcpd.leases~").exists() {
        assert!(t.elapsed().as_secs() < 10, "no compaction after 6 records");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    j.close();
    let text = std::fs::read_to_string(&path).expect("readable");
    assert_eq!(text.matches("lease 10.").count(), 2, "{text}");
    assert_eq!(
        on_disk(&path).get(&Ipv4Addr::new(10, 0, 0, 1)),
        Some(&active(1, 1_800_000_100))
    );
}
