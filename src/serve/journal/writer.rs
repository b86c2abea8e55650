//! The writer thread: appends in groups (everything queued while the previous `fdatasync`
//! ran goes into the next one), and compactions that never hold an append. A compaction's
//! new file is formatted, written and synced by a thread of its own while appends go on to
//! the live file; the writer keeps a copy of what it appended since the snapshot, and once
//! the new file is ready it adds that copy, syncs it, links the old file to `FILE~` and
//! renames the new one over it. Only that last step (one small write and two syncs) delays
//! the appends queued meanwhile.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::{Cmd, Snapshot, format_binding};
use crate::serve::bindings::{Binding, State};
use crate::serve::latency;

/// A compaction under way.
struct Compacting {
    /// The new file, written and synced, once the compactor is done.
    ready: mpsc::Receiver<io::Result<File>>,
    /// What was appended to the live file since the snapshot.
    tail: String,
    done: oneshot::Sender<bool>,
    started: Instant,
}

/// How often the writer looks for a finished compaction when nothing is queued.
const POLL: Duration = Duration::from_millis(5);

pub(super) fn run(
    path: PathBuf,
    mut file: File,
    rx: mpsc::Receiver<Cmd>,
    stats: &(AtomicU64, AtomicU64),
) {
    let mut compacting: Option<Compacting> = None;
    let mut next: Option<Pending> = None;
    loop {
        let first = match &compacting {
            Some(_) => match rx.recv_timeout(POLL) {
                Ok(cmd) => Some(cmd),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            },
            None => match rx.recv() {
                Ok(cmd) => Some(cmd),
                Err(_) => break,
            },
        };
        let mut buf = String::new();
        let mut waiting = Vec::new();
        for cmd in first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()))
        {
            match cmd {
                Cmd::Append(text, done) => {
                    stats
                        .0
                        .fetch_add(text.matches("\n}\n").count() as u64, Ordering::Relaxed);
                    buf.push_str(&text);
                    waiting.push(done);
                }
                Cmd::Rewrite(prefix, snapshot, done, gate) => {
                    // What was queued before the snapshot is in it: commit that to the live
                    // file first, so that the tail holds exactly what came after.
                    let ok = append(&mut file, &buf, compacting.as_mut(), &stats.1);
                    finish(&mut waiting, ok);
                    buf.clear();
                    if compacting.is_some() {
                        if let Some(older) = next.replace((prefix, snapshot, done, gate)) {
                            let _ = older.2.send(false);
                        }
                    } else {
                        compacting = Some(start(&path, (prefix, snapshot, done, gate)));
                    }
                }
                #[cfg(test)]
                Cmd::Hold(release) => {
                    let _ = release.recv();
                }
            }
        }
        let ok = append(&mut file, &buf, compacting.as_mut(), &stats.1);
        finish(&mut waiting, ok);
        if let Some(ready) = compacting.as_ref().and_then(|c| c.ready.try_recv().ok()) {
            if let Some(c) = compacting.take() {
                swap(&path, &mut file, c, ready);
            }
            if let Some(pending) = next.take() {
                compacting = Some(start(&path, pending));
            }
        }
    }
    // Closing: a compaction under way is finished (or given up) before the thread ends.
    if let Some(c) = compacting.take() {
        let ready = c
            .ready
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("the compactor stopped")));
        swap(&path, &mut file, c, ready);
    }
    if let Some(pending) = next {
        let _ = pending.2.send(false);
    }
}

/// Appends `text` to the live file and syncs it; during a compaction, also to the tail.
fn append(
    file: &mut File,
    text: &str,
    compacting: Option<&mut Compacting>,
    syncs: &AtomicU64,
) -> bool {
    if text.is_empty() {
        return true;
    }
    syncs.fetch_add(1, Ordering::Relaxed);
    let t = Instant::now();
    let before = file.metadata().map(|m| m.len());
    let done = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_data());
    latency::SYNC.record(t.elapsed());
    match done {
        Ok(()) => {
            if let Some(c) = compacting {
                c.tail.push_str(text);
            }
            true
        }
        Err(e) => {
            tracing::error!("cannot write the lease file: {e}; not acknowledging");
            // A full disk stops a write part-way; the part written would be a torn record in
            // the middle of the file once later appends succeed (the next start could not
            // read it), so the file is cut back to its length before the write.
            // The file after a compaction is not in append mode: its position is moved back
            // too, or the next write would leave a hole of zero bytes where the cut part was.
            let cut = before.and_then(|len| {
                file.set_len(len)?;
                file.seek(SeekFrom::Start(len))?;
                file.sync_data()
            });
            if let Err(e) = cut {
                tracing::error!(
                    "cannot remove the part of a failed write from the lease file: {e}; \
                     the next start drops it only if it is the last record"
                );
            }
            false
        }
    }
}

fn finish(waiting: &mut Vec<oneshot::Sender<bool>>, ok: bool) {
    for done in waiting.drain(..) {
        let _ = done.send(ok);
    }
}

/// `FILE.new` beside `path`.
fn new_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".new");
    PathBuf::from(p)
}

/// A compaction asked for: prefix, snapshot, ticket, and the tests' gate.
type Pending = (
    String,
    Snapshot,
    oneshot::Sender<bool>,
    Option<mpsc::Receiver<()>>,
);

/// Starts a compactor thread that writes and syncs the new file.
fn start(path: &Path, (prefix, snapshot, done, gate): Pending) -> Compacting {
    let (tx, ready) = mpsc::channel();
    let tmp = new_path(path);
    let spawned = std::thread::Builder::new()
        .name("lease-compactor".into())
        .spawn(move || {
            if let Some(gate) = gate {
                let _ = gate.recv();
            }
            let _ = tx.send(write_new(&tmp, &prefix, &snapshot));
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start a compaction of {}: {e}", path.display());
    }
    Compacting {
        ready,
        tail: String::new(),
        done,
        started: Instant::now(),
    }
}

/// The compacted file: the prefix (header, failover stanzas), every binding, then a FREE
/// record for each address of the free ranges that no binding holds (as ISC writes every
/// lease of a failover pool).
fn write_new(tmp: &Path, prefix: &str, snapshot: &Snapshot) -> io::Result<File> {
    let mut f = File::create(tmp)?;
    let mut out = io::BufWriter::with_capacity(1 << 20, &mut f);
    out.write_all(prefix.as_bytes())?;
    for b in &snapshot.bindings {
        out.write_all(format_binding(b).as_bytes())?;
    }
    if !snapshot.free_ranges.is_empty() {
        let held: HashSet<Ipv4Addr> = snapshot.bindings.iter().map(|b| b.addr).collect();
        for &(first, last) in &snapshot.free_ranges {
            for ip in (first..=last).map(Ipv4Addr::from) {
                if !held.contains(&ip) {
                    out.write_all(format_binding(&Binding::empty(ip, State::Free)).as_bytes())?;
                }
            }
        }
    }
    out.flush()?;
    drop(out);
    f.sync_all()?;
    Ok(f)
}

/// Puts a finished compaction in place: the tail appended to the new file and synced, the old
/// file linked to `FILE~`, the new one renamed over it, the folder synced.
fn swap(path: &Path, file: &mut File, c: Compacting, ready: io::Result<File>) {
    let holding = Instant::now();
    let done = ready.and_then(|mut new| {
        new.write_all(c.tail.as_bytes())?;
        new.sync_data()?;
        let mut backup = path.as_os_str().to_owned();
        backup.push("~");
        let _ = std::fs::remove_file(&backup);
        let _ = std::fs::hard_link(path, &backup);
        std::fs::rename(new_path(path), path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(new)
    });
    // Held appends whether it worked or not.
    latency::SWAP.record(holding.elapsed());
    let ok = match done {
        Ok(new) => {
            *file = new;
            latency::COMPACTION.record(c.started.elapsed());
            tracing::info!(
                "compacted {} in {} ms ({} bytes appended meanwhile)",
                path.display(),
                c.started.elapsed().as_millis(),
                c.tail.len()
            );
            true
        }
        Err(e) => {
            // A full disk: the part written would only take space from the appends.
            let _ = std::fs::remove_file(new_path(path));
            tracing::error!("cannot compact {}: {e}", path.display());
            false
        }
    };
    let _ = c.done.send(ok);
}
