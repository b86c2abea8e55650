//! The durable lease journal: ISC `dhcpd.leases` records appended by a writer thread that
//! commits in groups (one `fdatasync` for every record queued meanwhile), so an ACK waits
//! for its record to be on disk without throughput collapsing to one fsync per client.
//!
//! Failover state stanzas (`failover peer "NAME" state { ... }`) go through the same writer.
//!
//! Start-up replays the file (the last record of an address, and of a failover relationship,
//! wins; a torn last record from a crash is dropped) and rewrites it compacted. Compaction writes `FILE.new`, fsyncs it,
//! links the old file to `FILE~` and renames the new one over it, as dhcpd does.

mod isc;

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::leases::{Binding, BindingEvent};
use crate::leases::FailoverStanza;

pub use isc::{format_binding, format_failover, header, isc_time, parse};

/// Why the journal could not be opened.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum JournalError {
    /// The file could not be read or written.
    #[error("lease file {path}: {error}")]
    #[diagnostic(
        code(DF010),
        help("check that the folder exists and is writable by the server")
    )]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        error: io::Error,
    },
    /// The file is not a lease file.
    #[error("lease file {path}, line {line}: {message}")]
    #[diagnostic(
        code(DF011),
        help("the file must be in ISC dhcpd.leases format; move it aside to start empty")
    )]
    Parse {
        /// The path.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

enum Cmd {
    Append(String, oneshot::Sender<bool>),
    Rewrite(String, oneshot::Sender<bool>),
}

/// A handle on the journal writer thread.
#[derive(Debug)]
pub struct Journal {
    tx: Option<mpsc::Sender<Cmd>>,
    thread: Option<JoinHandle<()>>,
    /// Records appended since the last compaction.
    pub appended: usize,
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
        let (whole, torn_bytes) = complete_records(&text);
        let (bindings, failover) = parse(whole).map_err(|(line, message)| JournalError::Parse {
            path: name.clone(),
            line,
            message,
        })?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io_err)?;
        let (tx, rx) = mpsc::channel();
        let owned = path.to_path_buf();
        let stats = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
        let counters = stats.clone();
        let thread = std::thread::Builder::new()
            .name("lease-journal".into())
            .spawn(move || writer(owned, file, rx, &counters))
            .map_err(io_err)?;
        Ok((
            Journal {
                tx: Some(tx),
                thread: Some(thread),
                appended: 0,
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
        self.appended += events.len();
        self.send(|done| Cmd::Append(text, done))
    }

    /// Queues a failover state stanza (ISC `write_failover_state`); the receiver fires `true`
    /// once it is on disk. Compactions keep the latest stanza given for each relationship,
    /// even one whose write failed, until the next one replaces it (the state machine
    /// records its state again after a failure).
    pub fn record_failover(&mut self, stanza: &FailoverStanza) -> oneshot::Receiver<bool> {
        let text = format_failover(stanza);
        self.failover.insert(stanza.peer.clone(), stanza.clone());
        self.appended += 1;
        self.send(|done| Cmd::Append(text, done))
    }

    /// Replaces the file with a compacted one holding exactly these bindings (and the latest
    /// failover state stanzas).
    pub fn rewrite<B: std::borrow::Borrow<Binding>>(
        &mut self,
        bindings: impl Iterator<Item = B>,
    ) -> oneshot::Receiver<bool> {
        let mut text = header();
        for stanza in self.failover.values() {
            text.push_str(&format_failover(stanza));
        }
        for b in bindings {
            text.push_str(&format_binding(b.borrow()));
        }
        self.appended = 0;
        self.send(|done| Cmd::Rewrite(text, done))
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

/// The text up to the end of the last complete top-level record, and the bytes after it.
fn complete_records(text: &str) -> (&str, usize) {
    let end = text
        .rfind("\n}\n")
        .map_or_else(|| if text.starts_with("}\n") { 2 } else { 0 }, |i| i + 3);
    // Text after the last record that is only comments or blank is not torn.
    let rest = &text[end..];
    if rest
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        && rest.ends_with('\n')
        || rest.is_empty()
    {
        (text, 0)
    } else {
        (&text[..end], rest.len())
    }
}

fn writer(path: PathBuf, mut file: File, rx: mpsc::Receiver<Cmd>, stats: &(AtomicU64, AtomicU64)) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut buf = String::new();
        let mut waiting = Vec::new();
        for cmd in batch {
            match cmd {
                Cmd::Append(text, done) => {
                    stats
                        .0
                        .fetch_add(text.matches("\n}\n").count() as u64, Ordering::Relaxed);
                    buf.push_str(&text);
                    waiting.push(done);
                }
                Cmd::Rewrite(text, done) => {
                    let ok = commit(&mut file, &buf, &stats.1);
                    finish(&mut waiting, ok);
                    buf.clear();
                    let t = std::time::Instant::now();
                    let ok = match compact(&path, &text) {
                        Ok(f) => {
                            file = f;
                            tracing::info!(
                                "compacted {}: {} bytes in {} ms",
                                path.display(),
                                text.len(),
                                t.elapsed().as_millis()
                            );
                            true
                        }
                        Err(e) => {
                            tracing::error!("cannot compact {}: {e}", path.display());
                            false
                        }
                    };
                    let _ = done.send(ok);
                }
            }
        }
        let ok = commit(&mut file, &buf, &stats.1);
        finish(&mut waiting, ok);
    }
}

fn commit(file: &mut File, text: &str, syncs: &AtomicU64) -> bool {
    if text.is_empty() {
        return true;
    }
    syncs.fetch_add(1, Ordering::Relaxed);
    match file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_data())
    {
        Ok(()) => true,
        Err(e) => {
            tracing::error!("cannot write the lease file: {e}; not acknowledging");
            false
        }
    }
}

fn finish(waiting: &mut Vec<oneshot::Sender<bool>>, ok: bool) {
    for done in waiting.drain(..) {
        let _ = done.send(ok);
    }
}

fn compact(path: &Path, text: &str) -> io::Result<File> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".new");
    let tmp = PathBuf::from(tmp);
    let mut backup = path.as_os_str().to_owned();
    backup.push("~");
    {
        let mut f = File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    let _ = std::fs::remove_file(&backup);
    let _ = std::fs::hard_link(path, &backup);
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    OpenOptions::new().append(true).open(path)
}

#[cfg(test)]
mod tests;
