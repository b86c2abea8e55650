//! The lease journal of `dhcpfo serve` on a real full disk (a small tmpfs, as the
//! `disk-full` fault makes it): a write the disk stops part-way must leave only whole
//! records, so that the file still reads back once space returns (found by the short
//! mode's seed 1: `primary lease file: 1 stanzas did not parse`).

use std::net::Ipv4Addr;

use dhcpfo::serve::bindings::{Binding, BindingEvent, State};
use dhcpfo::serve::journal::{Journal, Snapshot};

use crate::guards::Tmpfs;

fn active(n: u8) -> BindingEvent {
    BindingEvent {
        previous: None,
        binding: Binding {
            starts: 1_800_000_000,
            ends: 1_800_000_600,
            cltt: Some(1_800_000_000),
            hw: Some((1, vec![0x02, 0, 0, 0, 0, n])),
            hostname: Some(format!("client-{n}")),
            ..Binding::empty(Ipv4Addr::new(10, 0, 0, n), State::Active)
        },
    }
}

/// Appends one record and waits until the writer says whether it is on disk.
fn append(journal: &mut Journal, n: u8) -> bool {
    matches!(journal.append(&[active(n)]).blocking_recv(), Ok(true))
}

#[test]
fn a_write_cut_by_a_full_disk_leaves_whole_records() {
    cut_by_a_full_disk("a_write_cut_by_a_full_disk_leaves_whole_records", false);
}

/// The same after a compaction, whose new file is written at its position rather than
/// appended to (found by the short mode's seed 1 again: a hole of zero bytes where the cut
/// part had been).
#[test]
fn a_write_cut_by_a_full_disk_after_a_compaction_leaves_whole_records() {
    cut_by_a_full_disk(
        "a_write_cut_by_a_full_disk_after_a_compaction_leaves_whole_records",
        true,
    );
}

/// A 64 KiB tmpfs for a lease file (unmounted before its folder is removed).
struct SmallDisk {
    fs: Tmpfs,
    _dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` (with a note) where `test` cannot mount one.
    fn mount(test: &str) -> Option<SmallDisk> {
        if !crate::common::netns::root_or_skip(test)
            || !crate::common::netns::tools_or_skip(test, &["mount", "umount"])
        {
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("dfo-journal-")
            .tempdir()
            .expect("a folder for the mount");
        let fs = Tmpfs::mount(&dir.path().join("fs"), 64).unwrap_or_else(|e| panic!("{e}"));
        Some(SmallDisk { fs, _dir: dir })
    }
}

fn cut_by_a_full_disk(test: &str, compact_first: bool) {
    let Some(disk) = SmallDisk::mount(test) else {
        return;
    };
    let (fs, path) = (&disk.fs, disk.fs.dir.join("dhcpd.leases"));
    let (mut journal, _) = Journal::open(&path).expect("opens on the tmpfs");
    assert!(append(&mut journal, 1), "written with space left");
    if compact_first {
        let snapshot = Snapshot::of(vec![active(1).binding]);
        assert_eq!(
            journal.compact(snapshot).blocking_recv(),
            Ok(true),
            "compacted with space left"
        );
    }
    // No free block is left; the lease file's last block still has room for a few records,
    // and the write that runs past it stops part-way.
    fs.fill().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fs.free_bytes(), 0);
    let mut written = vec![1];
    let refused = (2..=100u8).find(|&n| {
        let ok = append(&mut journal, n);
        if ok {
            written.push(n);
        }
        !ok
    });
    let refused = refused.expect("a full disk refuses a record within 100 appends");
    fs.drain().unwrap_or_else(|e| panic!("{e}"));
    assert!(append(&mut journal, 200), "written once space is back");
    written.push(200);
    drop(journal);

    let text = std::fs::read_to_string(&path).expect("readable");
    let (_journal, replay) = Journal::open(&path).unwrap_or_else(|e| {
        panic!(
            "the lease file does not read back after a full disk: {e}\n{}",
            text.get(text.len().saturating_sub(1500)..).unwrap_or(&text)
        )
    });
    assert_eq!(replay.torn_bytes, 0, "no torn record at the end");
    let mut read: Vec<u8> = replay.bindings.iter().map(|b| b.addr.octets()[3]).collect();
    read.sort_unstable();
    assert_eq!(
        read, written,
        "every acknowledged record, and not the refused one (10.0.0.{refused})"
    );
}

/// A compaction of the lease file by itself that meets a full disk gives up, leaves no
/// `FILE.new` behind and loses no record; once space is back, the next one works.
#[test]
fn a_compaction_on_a_full_disk_gives_up_and_loses_nothing() {
    let test = "a_compaction_on_a_full_disk_gives_up_and_loses_nothing";
    let Some(disk) = SmallDisk::mount(test) else {
        return;
    };
    let (fs, path) = (&disk.fs, disk.fs.dir.join("dhcpd.leases"));
    let (mut journal, _) = Journal::open(&path).expect("opens on the tmpfs");
    let written: Vec<u8> = (1..=20).collect();
    for &n in &written {
        assert!(append(&mut journal, n), "written with space left");
    }
    let before = std::fs::read_to_string(&path).expect("readable");
    fs.fill().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        journal.compact_file().blocking_recv(),
        Ok(false),
        "no room for the new file"
    );
    assert!(!fs.dir.join("dhcpd.leases.new").exists());
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), before);
    fs.drain().unwrap_or_else(|e| panic!("{e}"));
    assert!(append(&mut journal, 21), "written once space is back");
    assert_eq!(journal.compact_file().blocking_recv(), Ok(true));
    drop(journal);
    let (_journal, replay) = Journal::open(&path).expect("reads back");
    let mut read: Vec<u8> = replay.bindings.iter().map(|b| b.addr.octets()[3]).collect();
    read.sort_unstable();
    assert_eq!(read, (1..=21).collect::<Vec<u8>>());
}
