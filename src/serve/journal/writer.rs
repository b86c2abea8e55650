//! The writer thread: appends in groups (everything queued while the previous `fdatasync`
//! ran goes into the next one), and compactions that never hold an append.
//!
//! A compaction runs in three steps, none of which the appends wait for:
//! 1. A compactor thread builds the new file `FILE.new`: from a snapshot the caller gave, or
//!    from the live file itself, read up to the offset of the last durable append (the last
//!    record of each address wins, as at start-up). It then copies what was appended to the
//!    live file meanwhile (it reads it back from the file, up to that offset) and syncs.
//! 2. The writer copies the few records appended while the compactor synced (no sync: the
//!    next append's sync covers them) and from then on appends every group to both files,
//!    acknowledging it once both are synced.
//! 3. A finisher thread syncs `FILE.new`, links the old file to `FILE~`, renames the new one
//!    over it and syncs the folder. Once it is done the writer drops the old file.
//!
//! At every moment the path names a file that holds every acknowledged record: the old
//! one until the rename, the new one after it.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::net::Ipv4Addr;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::{Cmd, Gates, Snapshot, Source, format_binding};
use crate::serve::bindings::{Binding, State};
use crate::serve::latency;

/// A compaction whose new file is being built (step 1).
struct Compacting {
    /// The new file, written and synced up to the live file's offset it names.
    ready: mpsc::Receiver<io::Result<(File, u64)>>,
    done: oneshot::Sender<bool>,
    started: Instant,
    /// The live file's offset the compaction began at.
    upto: u64,
    rename_gate: Option<mpsc::Receiver<()>>,
}

/// A compacted file taking the live one's place (steps 2 and 3): appends go to both.
struct Swapping {
    new: File,
    /// The finisher's answer: whether the rename happened, and how it all went.
    finished: mpsc::Receiver<(bool, io::Result<()>)>,
    done: oneshot::Sender<bool>,
    started: Instant,
    /// The live file's offset the compaction began at.
    upto: u64,
}

/// How often the writer looks for a finished step when nothing is queued.
const POLL: Duration = Duration::from_millis(5);

/// The compactor catches up with the live file at most this many times before its sync
/// (each round copies what was appended during the previous one).
const CATCH_UP_ROUNDS: usize = 8;

pub(super) fn run(
    path: PathBuf,
    mut file: File,
    rx: mpsc::Receiver<Cmd>,
    stats: &(AtomicU64, AtomicU64),
) {
    // The live file's length up to its last durable append: compactors read no further.
    let committed = Arc::new(AtomicU64::new(length(&file)));
    let mut compacting: Option<Compacting> = None;
    let mut swapping: Option<Swapping> = None;
    let mut next: Option<Pending> = None;
    loop {
        let first = if compacting.is_some() || swapping.is_some() {
            match rx.recv_timeout(POLL) {
                Ok(cmd) => Some(cmd),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(cmd) => Some(cmd),
                Err(_) => break,
            }
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
                Cmd::Rewrite(prefix, source, done, gates) => {
                    // What was queued before the request is in its snapshot: commit that to
                    // the live file first, so that the compactor copies exactly what came
                    // after.
                    let new = swapping.as_mut().map(|s| &mut s.new);
                    let ok = append(&mut file, new, &buf, &committed, &stats.1);
                    finish(&mut waiting, ok);
                    buf.clear();
                    let pending = (prefix, source, done, gates);
                    if compacting.is_some() || swapping.is_some() {
                        if let Some(older) = next.replace(pending) {
                            let _ = older.2.send(false);
                        }
                    } else {
                        compacting = Some(start(&path, &file, &committed, pending));
                    }
                }
                #[cfg(test)]
                Cmd::Hold(release) => {
                    let _ = release.recv();
                }
            }
        }
        let new = swapping.as_mut().map(|s| &mut s.new);
        let ok = append(&mut file, new, &buf, &committed, &stats.1);
        finish(&mut waiting, ok);
        if let Some(built) = compacting.as_ref().and_then(|c| c.ready.try_recv().ok())
            && let Some(c) = compacting.take()
        {
            swapping = begin_swap(&path, &file, &committed, c, built);
        }
        if let Some(outcome) = swapping.as_ref().and_then(|s| s.finished.try_recv().ok())
            && let Some(s) = swapping.take()
        {
            end_swap(&path, &mut file, &committed, s, outcome);
        }
        if compacting.is_none()
            && swapping.is_none()
            && let Some(pending) = next.take()
        {
            compacting = Some(start(&path, &file, &committed, pending));
        }
    }
    // Closing: a compaction under way is finished (or given up) before the thread ends.
    if let Some(c) = compacting.take() {
        let built = c
            .ready
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("the compactor stopped")));
        swapping = begin_swap(&path, &file, &committed, c, built);
    }
    if let Some(s) = swapping.take() {
        let outcome = s
            .finished
            .recv()
            .unwrap_or_else(|_| (false, Err(io::Error::other("the finisher stopped"))));
        end_swap(&path, &mut file, &committed, s, outcome);
    }
    if let Some(pending) = next {
        let _ = pending.2.send(false);
    }
}

/// A file's length (0 if it cannot be read: the next append tells).
fn length(file: &File) -> u64 {
    file.metadata().map_or(0, |m| m.len())
}

/// Appends `text` to the live file and syncs it; while a compacted file takes its place,
/// to that one too. On a failure neither keeps any of it.
fn append(
    live: &mut File,
    mut new: Option<&mut File>,
    text: &str,
    committed: &AtomicU64,
    syncs: &AtomicU64,
) -> bool {
    if text.is_empty() {
        return true;
    }
    syncs.fetch_add(1, Ordering::Relaxed);
    let t = Instant::now();
    let before = (length(live), new.as_deref().map(length));
    let mut done = write_synced(live, text);
    if let (Ok(()), Some(n)) = (&done, new.as_deref_mut()) {
        done = write_synced(n, text);
    }
    latency::SYNC.record(t.elapsed());
    match done {
        Ok(()) => {
            committed.store(before.0 + text.len() as u64, Ordering::Release);
            true
        }
        Err(e) => {
            tracing::error!("cannot write the lease file: {e}; not acknowledging");
            cut_back(live, before.0);
            if let (Some(n), Some(len)) = (new, before.1) {
                cut_back(n, len);
            }
            false
        }
    }
}

fn write_synced(file: &mut File, text: &str) -> io::Result<()> {
    file.write_all(text.as_bytes())?;
    file.sync_data()
}

/// Removes the part of a failed write. A full disk stops a write part-way; the part
/// written would be a torn record in the middle of the file once later appends succeed
/// (the next start could not read it). A file not in append mode (a compacted one) has
/// its position moved back too, or the next write would leave a hole of zero bytes.
fn cut_back(file: &mut File, len: u64) {
    let cut = file
        .set_len(len)
        .and_then(|()| file.seek(SeekFrom::Start(len)))
        .and_then(|_| file.sync_data());
    if let Err(e) = cut {
        tracing::error!(
            "cannot remove the part of a failed write from the lease file: {e}; \
             the next start drops it only if it is the last record"
        );
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

/// A compaction asked for: prefix, source, ticket, and the tests' gates.
type Pending = (String, Source, oneshot::Sender<bool>, Gates);

/// Starts a compactor thread that builds and syncs the new file (step 1).
fn start(
    path: &Path,
    live: &File,
    committed: &Arc<AtomicU64>,
    (prefix, source, done, gates): Pending,
) -> Compacting {
    let (tx, ready) = mpsc::channel();
    let tmp = new_path(path);
    let upto = committed.load(Ordering::Acquire);
    let reader = live.try_clone();
    let committed = committed.clone();
    let Gates { compactor, rename } = gates;
    let spawned = std::thread::Builder::new()
        .name("lease-compactor".into())
        .spawn(move || {
            if let Some(gate) = compactor {
                let _ = gate.recv();
            }
            let built =
                reader.and_then(|live| build(&tmp, &prefix, source, &live, upto, &committed));
            let _ = tx.send(built);
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start a compaction of {}: {e}", path.display());
    }
    Compacting {
        ready,
        done,
        started: Instant::now(),
        upto,
        rename_gate: rename,
    }
}

/// Step 1, on the compactor thread: the new file from the source, then what the live file
/// got since `upto`, synced. Returns the file and the live offset it holds up to.
fn build(
    tmp: &Path,
    prefix: &str,
    source: Source,
    live: &File,
    upto: u64,
    committed: &AtomicU64,
) -> io::Result<(File, u64)> {
    let snapshot = match source {
        Source::Snapshot(s) => s,
        Source::File => read_snapshot(live, upto)?,
    };
    let mut new = write_new(tmp, prefix, &snapshot)?;
    drop(snapshot);
    let mut at = upto;
    for _ in 0..CATCH_UP_ROUNDS {
        let end = committed.load(Ordering::Acquire);
        if end <= at {
            break;
        }
        copy_range(live, at, end, &mut new)?;
        at = end;
    }
    new.sync_all()?;
    Ok((new, at))
}

/// The current binding of every address in the live file's first `upto` bytes.
fn read_snapshot(live: &File, upto: u64) -> io::Result<Snapshot> {
    let mut bytes = vec![0; usize::try_from(upto).map_err(io::Error::other)?];
    live.read_exact_at(&mut bytes, 0)?;
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let (whole, _) = crate::leases::complete_records(&text);
    let (bindings, _) = super::parse(whole)
        .map_err(|(line, message)| io::Error::other(format!("line {line}: {message}")))?;
    Ok(Snapshot::of(bindings))
}

/// Copies the live file's bytes `from..to` to the end of `out`.
fn copy_range(live: &File, from: u64, to: u64, out: &mut File) -> io::Result<()> {
    let mut bytes = vec![0; usize::try_from(to - from).map_err(io::Error::other)?];
    live.read_exact_at(&mut bytes, from)?;
    out.write_all(&bytes)
}

/// The compacted file: the prefix (header, failover stanzas), every binding, then a FREE
/// record for each address of the free ranges that no binding holds (as ISC writes every
/// lease of a failover pool). Not synced yet.
fn write_new(tmp: &Path, prefix: &str, snapshot: &Snapshot) -> io::Result<File> {
    // Readable too: once in place, the next compaction reads it back.
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)?;
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
    Ok(f)
}

/// Step 2, on the writer: the records appended while the compactor synced go to the new
/// file, and the finisher starts. `None` (and the compaction reported failed) if the new
/// file could not be built or completed.
fn begin_swap(
    path: &Path,
    live: &File,
    committed: &AtomicU64,
    c: Compacting,
    built: io::Result<(File, u64)>,
) -> Option<Swapping> {
    let holding = Instant::now();
    let end = committed.load(Ordering::Acquire);
    let begun = built.and_then(|(mut new, at)| {
        copy_range(live, at, end, &mut new)?;
        let finishing = new.try_clone()?;
        Ok((new, finishing))
    });
    latency::SWAP.record(holding.elapsed());
    let (new, finishing) = match begun {
        Ok(files) => files,
        Err(e) => {
            // A full disk: the part written would only take space from the appends.
            let _ = std::fs::remove_file(new_path(path));
            tracing::error!("cannot compact {}: {e}", path.display());
            let _ = c.done.send(false);
            return None;
        }
    };
    let (tx, finished) = mpsc::channel();
    let owned = path.to_path_buf();
    let gate = c.rename_gate;
    let spawned = std::thread::Builder::new()
        .name("lease-rename".into())
        .spawn(move || {
            if let Some(gate) = gate {
                let _ = gate.recv();
            }
            let _ = tx.send(put_in_place(&owned, &finishing));
        });
    if let Err(e) = spawned {
        let _ = std::fs::remove_file(new_path(path));
        tracing::error!("cannot compact {}: {e}", path.display());
        let _ = c.done.send(false);
        return None;
    }
    Some(Swapping {
        new,
        finished,
        done: c.done,
        started: c.started,
        upto: c.upto,
    })
}

/// Step 3, on the finisher thread: the new file synced, the old one linked to `FILE~`, the
/// new one renamed over it, the folder synced. Says whether the rename happened.
fn put_in_place(path: &Path, new: &File) -> (bool, io::Result<()>) {
    if let Err(e) = new.sync_data() {
        return (false, Err(e));
    }
    let mut backup = path.as_os_str().to_owned();
    backup.push("~");
    let _ = std::fs::remove_file(&backup);
    let _ = std::fs::hard_link(path, &backup);
    if let Err(e) = std::fs::rename(new_path(path), path) {
        return (false, Err(e));
    }
    let synced = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => File::open(dir).and_then(|d| d.sync_all()),
        None => Ok(()),
    };
    (true, synced)
}

/// The finisher is done: after a rename the writer goes on with the new file alone (the
/// path names it now, even if the folder's sync failed), else with the old one.
fn end_swap(
    path: &Path,
    file: &mut File,
    committed: &AtomicU64,
    s: Swapping,
    (renamed, result): (bool, io::Result<()>),
) {
    let meanwhile = length(file).saturating_sub(s.upto);
    if renamed {
        *file = s.new;
        committed.store(length(file), Ordering::Release);
    } else {
        let _ = std::fs::remove_file(new_path(path));
    }
    let ok = match result {
        Ok(()) => {
            latency::COMPACTION.record(s.started.elapsed());
            tracing::info!(
                "compacted {} in {} ms ({} bytes appended meanwhile)",
                path.display(),
                s.started.elapsed().as_millis(),
                meanwhile
            );
            true
        }
        Err(e) if renamed => {
            tracing::error!(
                "compacted {} in {} ms, but the folder could not be synced: {e}; a crash \
                 now may bring back the old file, which holds every record too",
                path.display(),
                s.started.elapsed().as_millis()
            );
            true
        }
        Err(e) => {
            tracing::error!("cannot compact {}: {e}", path.display());
            false
        }
    };
    let _ = s.done.send(ok);
}
