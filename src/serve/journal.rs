//! The durable lease journal: ISC `dhcpd.leases` records appended by a writer thread that
//! commits in groups (one `fdatasync` for every record queued meanwhile), so an ACK waits
//! for its record to be on disk without throughput collapsing to one fsync per client.
//!
//! Failover state stanzas (`failover peer "NAME" state { ... }`) go through the same writer.
//!
//! Start-up replays the file (the last record of an address, and of a failover relationship,
//! wins; a torn last record from a crash is dropped) and rewrites it compacted. Compaction
//! writes `FILE.new`, fsyncs it, links the old file to `FILE~` and renames the new one over
//! it, as dhcpd does, but on threads of their own: appends never wait for it, and a
//! compaction of the file by itself ([`Journal::compact_file`]) takes nothing from the
//! engine either ([`writer`]).

mod isc;
mod writer;

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::bindings::{Binding, BindingEvent};
use crate::leases::FailoverStanza;

pub use isc::{format_binding, format_failover, header, isc_time, parse};

/// Why the journal could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file could not be read or written.
    #[error("lease file {path}: {error}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        error: io::Error,
    },
    /// The file is not a lease file.
    #[error("lease file {path}, line {line}: {message}")]
    Parse {
        /// The path.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

crate::codes::catalogued_diagnostic!(JournalError {
    Self::Io { .. } => LEASE_FILE_IO, help(
        "check that the folder exists and is writable by the server"
    );
    Self::Parse { .. } => NOT_A_LEASE_FILE, help(
        "the file must be in ISC dhcpd.leases format; move it aside to start empty"
    );
});

enum Cmd {
    Append(String, oneshot::Sender<bool>),
    /// A compaction: the text before the bindings (header, failover stanzas), where the
    /// bindings come from, and (tests only) gates that hold its steps.
    Rewrite(String, Source, oneshot::Sender<bool>, Gates),
    /// From now on the writer compacts the file by itself once more than `.0` records were
    /// appended since the last compaction and they outnumber twice the gauge's leases.
    Auto(usize, Arc<AtomicUsize>),
    /// Test hook: the writer waits until the sender is dropped or sends.
    #[cfg(test)]
    Hold(mpsc::Receiver<()>),
}

/// Where a compaction takes the bindings it writes from.
enum Source {
    /// A snapshot of the engine (start-up, tests).
    Snapshot(Snapshot),
    /// The live file itself, read by the compactor thread up to the last durable append.
    File,
}

/// Test hooks: a compaction's compactor waits on `compactor` before it starts; its finisher,
/// once started (appends go to both files then), says so on `rename.0` and waits on
/// `rename.1` before it puts the new file in place (a sender dropped or sent lets it go).
#[derive(Default)]
struct Gates {
    compactor: Option<mpsc::Receiver<()>>,
    rename: Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>,
}

/// What a compaction writes, taken from the engine without formatting anything (the
/// compactor thread does that): every binding, and the address ranges of failover pools,
/// whose addresses without a binding are written as FREE records.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every binding, in the order to write them.
    pub bindings: Vec<Binding>,
    /// Inclusive ranges of failover-pool addresses (as integers).
    pub free_ranges: Vec<(u32, u32)>,
}

impl Snapshot {
    /// A snapshot of these bindings alone.
    pub fn of(bindings: Vec<Binding>) -> Snapshot {
        Snapshot {
            bindings,
            free_ranges: Vec::new(),
        }
    }
}

/// A handle on the journal writer thread.
#[derive(Debug)]
pub struct Journal {
    tx: Option<mpsc::Sender<Cmd>>,
    thread: Option<JoinHandle<()>>,
    /// Records written and syncs made since start (group commit: syncs ≤ records).
    stats: Arc<(AtomicU64, AtomicU64)>,
    /// The latest failover state stanza of each relationship, written again by every
    /// compaction.
    failover: BTreeMap<String, FailoverStanza>,
}

/// What start-up read from the file.
#[derive(Debug)]
pub struct Replay {
    /// The current binding of every address.
    pub bindings: Vec<Binding>,
    /// The latest failover state stanza of each relationship, by name.
    pub failover: Vec<FailoverStanza>,
    /// Bytes of a torn last record that were dropped (0 if none).
    pub torn_bytes: usize,
}

impl Journal {
    /// Reads the lease file (created if missing) and starts the writer.
    pub fn open(path: &Path) -> Result<(Journal, Replay), JournalError> {
        let name = path.display().to_string();
        let io_err = |error| JournalError::Io {
            path: name.clone(),
            error,
        };
        let text = match std::fs::read(path) {
            // Valid UTF-8 (the usual case) is taken as is, without a copy.
            Ok(bytes) => String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io_err(e)),
        };
        let (whole, torn_bytes) = crate::leases::complete_records(&text);
        let (bindings, failover) = parse(whole).map_err(|(line, message)| JournalError::Parse {
            path: name.clone(),
            line,
            message,
        })?;
        // Readable too: a compaction of the file by itself reads it back.
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(io_err)?;
        // The writer counts the file's length from here (it never asks the file system).
        let len = file.metadata().map_err(io_err)?.len();
        let (tx, rx) = mpsc::channel();
        let owned = path.to_path_buf();
        let stats = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
        let counters = stats.clone();
        let thread = std::thread::Builder::new()
            .name("lease-journal".into())
            .spawn(move || writer::run(owned, file, len, rx, &counters))
            .map_err(io_err)?;
        Ok((
            Journal {
                tx: Some(tx),
                thread: Some(thread),
                stats,
                failover: failover
                    .iter()
                    .map(|s| (s.peer.clone(), s.clone()))
                    .collect(),
            },
            Replay {
                bindings,
                failover,
                torn_bytes,
            },
        ))
    }

    /// Queues binding events; the receiver fires `true` once they are on disk.
    pub fn append(&mut self, events: &[BindingEvent]) -> oneshot::Receiver<bool> {
        let mut text = String::new();
        for ev in events {
            text.push_str(&format_binding(&ev.binding));
        }
        self.send(|done| Cmd::Append(text, done))
    }

    /// Queues a failover state stanza (ISC `write_failover_state`); the receiver fires `true`
    /// once it is on disk. Compactions keep the latest stanza given for each relationship,
    /// even one whose write failed, until the next one replaces it (the state machine
    /// records its state again after a failure).
    pub fn record_failover(&mut self, stanza: &FailoverStanza) -> oneshot::Receiver<bool> {
        let text = format_failover(stanza);
        self.failover.insert(stanza.peer.clone(), stanza.clone());
        self.send(|done| Cmd::Append(text, done))
    }

    /// Replaces the file with a compacted one holding exactly these bindings (and the latest
    /// failover state stanzas); see [`Journal::compact`].
    pub fn rewrite<B: std::borrow::Borrow<Binding>>(
        &mut self,
        bindings: impl Iterator<Item = B>,
    ) -> oneshot::Receiver<bool> {
        self.compact(Snapshot::of(bindings.map(|b| b.borrow().clone()).collect()))
    }

    /// Replaces the file with a compacted one holding the snapshot (and the latest failover
    /// state stanzas). The new file is written by a thread of its own; records appended
    /// meanwhile go on to the live file at once and are copied into the new one before it
    /// takes the old one's place. The receiver fires once the new file is in place.
    pub fn compact(&mut self, snapshot: Snapshot) -> oneshot::Receiver<bool> {
        self.compact_gated(Source::Snapshot(snapshot), Gates::default())
    }

    /// Replaces the file with a compacted copy of itself: the last record of each address
    /// (as start-up reads it) and the latest failover state stanzas. A thread of the writer
    /// reads the file, so the caller gives nothing and waits for nothing; the receiver
    /// fires once the new file is in place.
    pub fn compact_file(&mut self) -> oneshot::Receiver<bool> {
        self.compact_gated(Source::File, Gates::default())
    }

    fn compact_gated(&mut self, source: Source, gates: Gates) -> oneshot::Receiver<bool> {
        // A compaction of the file by itself takes the stanzas from the file.
        let mut prefix = String::new();
        if matches!(source, Source::Snapshot(_)) {
            prefix = header();
            for stanza in self.failover.values() {
                prefix.push_str(&format_failover(stanza));
            }
        }
        self.send(|done| Cmd::Rewrite(prefix, source, done, gates))
    }

    /// Lets the writer compact the file by itself (a compaction of the file by itself, see
    /// [`Journal::compact_file`]) whenever more than `min_records` records were appended
    /// since the last compaction and they outnumber twice the leases `live` counts (the
    /// caller keeps it current). Nobody asks or waits: the engine loop takes no part.
    pub fn compact_automatically(&mut self, min_records: usize, live: Arc<AtomicUsize>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Cmd::Auto(min_records, live));
        }
    }

    /// Test hook: the writer stops until the returned sender sends or is dropped, so that a
    /// test can queue records behind it.
    #[cfg(test)]
    fn hold(&self) -> mpsc::Sender<()> {
        let (release, wait) = mpsc::channel();
        if let Some(tx) = &self.tx {
            let _ = tx.send(Cmd::Hold(wait));
        }
        release
    }

    fn send(&self, cmd: impl FnOnce(oneshot::Sender<bool>) -> Cmd) -> oneshot::Receiver<bool> {
        let (done, rx) = oneshot::channel();
        if let Some(tx) = &self.tx {
            // If the writer is gone the sender is dropped and the receiver reports failure.
            let _ = tx.send(cmd(done));
        }
        rx
    }

    /// (records appended, syncs made) since start.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.stats.0.load(Ordering::Relaxed),
            self.stats.1.load(Ordering::Relaxed),
        )
    }

    /// Flushes everything queued, stops the writer, and returns the final [`Journal::stats`].
    pub fn close(mut self) -> (u64, u64) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.stats()
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests;
