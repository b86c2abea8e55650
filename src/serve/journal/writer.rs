//! The writer thread: appends in groups (everything queued while the previous `fdatasync`
//! ran goes into the next one), and compactions that never hold an append.
//!
//! The writer starts a compaction when asked, or by itself once enough records were
//! appended ([`super::Journal::compact_automatically`]). It runs in three steps, none of
//! which the appends wait for (the writer's own share is a file descriptor duplicated, a
//! thread started and, in step 2, a copy into the page cache):
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
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::{Cmd, Gates, Snapshot, Source, format_binding};
use crate::serve::bindings::{Binding, State};
use crate::serve::latency;

/// A compaction whose new file is being built (step 1).
struct Compacting {
    /// The new file and its length, written and synced up to the live file's offset given
    /// third.
    ready: mpsc::Receiver<io::Result<Built>>,
    done: oneshot::Sender<bool>,
    started: Instant,
    /// The live file's offset the compaction began at.
    upto: u64,
    rename_gate: Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>,
}

/// A compacted file taking the live one's place (steps 2 and 3): appends go to both.
struct Swapping {
    new: File,
    /// The new file's length (its whole records).
    new_len: u64,
    /// The finisher's answer: whether the rename happened, and how it all went.
    finished: mpsc::Receiver<(bool, io::Result<()>)>,
    done: oneshot::Sender<bool>,
    started: Instant,
    /// When appends began to go to both files.
    both_since: Instant,
    /// Tells the finisher to stop retrying a folder sync (the writer is closing).
    stop: Arc<AtomicBool>,
    /// The live file's offset the compaction began at.
    upto: u64,
}

/// A new file the compactor built: the file, its length, and the live file's offset it
/// holds everything up to.
type Built = (File, u64, u64);

/// How many more times the finisher tries to sync the folder after the rename, a second
/// apart, with the appends going to both files meanwhile.
const FOLDER_SYNC_TRIES: u32 = 30;

/// How often the writer looks for a finished step when nothing is queued.
const POLL: Duration = Duration::from_millis(5);

/// The compactor catches up with the live file at most this many times before its sync
/// (each round copies what was appended during the previous one).
const CATCH_UP_ROUNDS: usize = 8;

/// The writer thread's loop, on the live file `file` of `len` bytes.
pub(super) fn run(
    path: PathBuf,
    mut file: File,
    len: u64,
    rx: mpsc::Receiver<Cmd>,
    stats: &(AtomicU64, AtomicU64),
) {
    // The live file's length up to its last durable append (kept here, never asked of the
    // file system): compactors read no further.
    let mut live_len = len;
    let committed = Arc::new(AtomicU64::new(len));
    let mut compacting: Option<Compacting> = None;
    let mut swapping: Option<Swapping> = None;
    let mut next: Option<Pending> = None;
    // When to compact by itself, and the records appended since the last compaction began.
    let mut auto: Option<(usize, Arc<AtomicUsize>)> = None;
    let mut since = 0usize;
    // Set when part of a failed write could not be removed: nothing more is written.
    let mut broken = false;
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
                    let records = text.matches("\n}\n").count();
                    since += records;
                    stats.0.fetch_add(records as u64, Ordering::Relaxed);
                    buf.push_str(&text);
                    waiting.push(done);
                }
                Cmd::Rewrite(prefix, source, done, gates) => {
                    // What was queued before the request is in its snapshot: commit that to
                    // the live file first, so that the compactor copies exactly what came
                    // after.
                    commit(
                        (&mut file, &mut live_len),
                        &mut swapping,
                        (&mut buf, &mut waiting),
                        (&committed, &mut broken),
                        &stats.1,
                    );
                    let pending = (prefix, source, done, gates);
                    if broken {
                        let _ = pending.2.send(false);
                    } else if compacting.is_none() && swapping.is_none() {
                        since = 0;
                        compacting = Some(start(&path, &file, &committed, pending));
                    } else if matches!(pending.1, Source::File) {
                        // Read at its start, it misses nothing by waiting.
                        if let Some(older) = next.replace(pending) {
                            let _ = older.2.send(false);
                        }
                    } else {
                        // A snapshot would be stale by the time it could start.
                        tracing::error!(
                            "compaction of {} refused: another one is under way",
                            path.display()
                        );
                        let _ = pending.2.send(false);
                    }
                }
                Cmd::Auto(min, live) => auto = Some((min, live)),
                #[cfg(test)]
                Cmd::Hold(release) => {
                    let _ = release.recv();
                }
            }
        }
        commit(
            (&mut file, &mut live_len),
            &mut swapping,
            (&mut buf, &mut waiting),
            (&committed, &mut broken),
            &stats.1,
        );
        if let Some(built) = compacting
            .as_ref()
            .and_then(|c| answer(&c.ready, gone_built))
            && let Some(c) = compacting.take()
        {
            swapping = begin_swap(&path, &file, live_len, c, built);
        }
        if let Some(outcome) = swapping
            .as_ref()
            .and_then(|s| answer(&s.finished, || gone_finisher(&path, &s.new)))
            && let Some(s) = swapping.take()
        {
            end_swap(&path, (&mut file, &mut live_len), &committed, s, outcome);
        }
        if compacting.is_none()
            && swapping.is_none()
            && let Some(pending) = next.take()
        {
            since = 0;
            compacting = Some(start(&path, &file, &committed, pending));
        }
        if compacting.is_none()
            && swapping.is_none()
            && !broken
            && let Some((min, live)) = &auto
        {
            let leases = live.load(Ordering::Relaxed);
            if since > (*min).max(leases.saturating_mul(2)) {
                tracing::info!(
                    "compacting {} from the file ({since} records appended since the last \
                     compaction, {leases} lease(s))",
                    path.display()
                );
                since = 0;
                let (done, _) = oneshot::channel();
                let pending = (String::new(), Source::File, done, Gates::default());
                compacting = Some(start(&path, &file, &committed, pending));
            }
        }
    }
    // Closing: a compaction under way is finished (or given up) before the thread ends.
    if let Some(c) = compacting.take() {
        let built = c.ready.recv().unwrap_or_else(|_| gone_built());
        swapping = begin_swap(&path, &file, live_len, c, built);
    }
    if let Some(s) = swapping.take() {
        s.stop.store(true, Ordering::Release);
        let outcome = s
            .finished
            .recv()
            .unwrap_or_else(|_| gone_finisher(&path, &s.new));
        end_swap(&path, (&mut file, &mut live_len), &committed, s, outcome);
    }
    if let Some(pending) = next {
        let _ = pending.2.send(false);
    }
}

/// A helper thread's answer, if there is one yet; `gone()` if the thread ended without one
/// (it panicked, or could not be started).
fn answer<T>(rx: &mpsc::Receiver<T>, gone: impl FnOnce() -> T) -> Option<T> {
    match rx.try_recv() {
        Ok(got) => Some(got),
        Err(mpsc::TryRecvError::Empty) => None,
        Err(mpsc::TryRecvError::Disconnected) => Some(gone()),
    }
}

fn gone_built() -> io::Result<Built> {
    Err(io::Error::other("the compactor stopped"))
}

/// A finisher that ended without a word: whether it renamed is read off the path (it names
/// the new file's inode then).
fn gone_finisher(path: &Path, new: &File) -> (bool, io::Result<()>) {
    use std::os::unix::fs::MetadataExt;
    let renamed = match (std::fs::metadata(path), new.metadata()) {
        (Ok(at_path), Ok(new)) => at_path.dev() == new.dev() && at_path.ino() == new.ino(),
        _ => false,
    };
    (renamed, Err(io::Error::other("the finisher stopped")))
}

/// Appends `text` to the live file (of the length given beside it) and syncs it; while a
/// compacted file takes its place, to that one too, synced at the same time. On a failure
/// neither keeps any of it. The lengths move on only when it worked. If a failed write
/// cannot be removed, the writer is `broken`: it writes nothing more, so that the part is
/// the file's torn last record, which the next start drops.
fn append(
    (live, live_len): (&mut File, &mut u64),
    new: Option<(&mut File, &mut u64)>,
    text: &str,
    (committed, broken): (&AtomicU64, &mut bool),
    syncs: &AtomicU64,
) -> bool {
    if text.is_empty() {
        return true;
    }
    if *broken {
        tracing::error!(
            "not writing to the lease file, which ends with part of a failed write; \
             not acknowledging (a restart drops that part and keeps every record before it)"
        );
        return false;
    }
    syncs.fetch_add(1, Ordering::Relaxed);
    let t = Instant::now();
    let (mut new_file, new_len) = new.unzip();
    let done = match new_file.as_deref_mut() {
        None => write_synced(live, text),
        Some(second) => std::thread::scope(|scope| {
            let second: &File = second;
            let other = std::thread::Builder::new()
                .name("lease-second-file".into())
                .spawn_scoped(scope, || write_synced(second, text));
            match other {
                Ok(other) => {
                    let first = write_synced(live, text);
                    let other = other
                        .join()
                        .unwrap_or_else(|_| Err(io::Error::other("the second write stopped")));
                    first.and(other)
                }
                // No thread to spare: one file after the other.
                Err(spawn) => {
                    tracing::debug!("writing the two lease files in turn: {spawn}");
                    write_synced(live, text).and_then(|()| write_synced(second, text))
                }
            }
        }),
    };
    latency::SYNC.record(t.elapsed());
    let added = text.len() as u64;
    match done {
        Ok(()) => {
            *live_len += added;
            if let Some(len) = new_len {
                *len += added;
            }
            committed.store(*live_len, Ordering::Release);
            true
        }
        Err(e) => {
            tracing::error!("cannot write the lease file: {e}; not acknowledging");
            let mut cut = cut_back(live, *live_len);
            if let (Some(file), Some(len)) = (new_file, new_len) {
                cut &= cut_back(file, *len);
            }
            *broken = !cut;
            false
        }
    }
}

fn write_synced(mut file: &File, text: &str) -> io::Result<()> {
    file.write_all(text.as_bytes())?;
    file.sync_data()
}

/// Removes the part of a failed write. A full disk stops a write part-way; the part
/// written would be a torn record in the middle of the file once later appends succeed
/// (the next start could not read it). A file not in append mode (a compacted one) has
/// its position moved back too, or the next write would leave a hole of zero bytes.
/// Says whether it worked.
fn cut_back(file: &mut File, len: u64) -> bool {
    let cut = file
        .set_len(len)
        .and_then(|()| file.seek(SeekFrom::Start(len)))
        .and_then(|_| file.sync_data());
    if let Err(e) = &cut {
        tracing::error!(
            "cannot remove the part of a failed write from the lease file: {e}; no more \
             records are written to it, so that the next start drops that part"
        );
    }
    cut.is_ok()
}

/// Writes the appends gathered in `text` ([`append`]: to the live file, and to the new one
/// while a swap is under way), then answers each of their callers with the outcome and
/// empties both.
fn commit(
    live: (&mut File, &mut u64),
    swapping: &mut Option<Swapping>,
    (text, waiting): (&mut String, &mut Vec<oneshot::Sender<bool>>),
    state: (&AtomicU64, &mut bool),
    syncs: &AtomicU64,
) {
    let new = swapping.as_mut().map(|s| (&mut s.new, &mut s.new_len));
    let ok = append(live, new, text, state, syncs);
    for done in waiting.drain(..) {
        let _ = done.send(ok);
    }
    text.clear();
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
    let starting = Instant::now();
    let (tx, ready) = mpsc::channel();
    let tmp = new_path(path);
    let upto = committed.load(Ordering::Acquire);
    let reader = live.try_clone();
    let committed = committed.clone();
    let Gates { compactor, rename } = gates;
    let spawned = std::thread::Builder::new()
        .name("lease-compactor".into())
        .spawn(move || {
            yield_cpu();
            if let Some(gate) = compactor {
                let _ = gate.recv();
            }
            let built =
                reader.and_then(|live| build(&tmp, &prefix, source, &live, upto, &committed));
            let _ = tx.send(built);
        });
    if let Err(e) = spawned {
        // The sender went with the closure: the writer sees the compactor gone.
        tracing::error!("cannot start a compaction of {}: {e}", path.display());
    }
    latency::SNAPSHOT.record(starting.elapsed());
    Compacting {
        ready,
        done,
        started: Instant::now(),
        upto,
        rename_gate: rename,
    }
}

/// Gives the calling thread the lowest CPU priority (nice 19; Linux sets it per thread), so
/// that the engine and the writer, which replies wait for, come first on a busy machine.
fn yield_cpu() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid has no arguments, and setpriority only changes this thread's nice
    // value (an id of this process's own thread, no pointer).
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid);
        if let Ok(tid) = libc::id_t::try_from(tid) {
            libc::setpriority(libc::PRIO_PROCESS, tid, 19);
        }
    }
}

/// Step 1, on the compactor thread: the new file from the source, then what the live file
/// got since `upto`, synced. A compaction of the file by itself writes the file's own
/// latest failover stanzas (read at its start, so never older than the file).
fn build(
    tmp: &Path,
    prefix: &str,
    source: Source,
    live: &File,
    upto: u64,
    committed: &AtomicU64,
) -> io::Result<Built> {
    let (prefix, snapshot) = match source {
        Source::Snapshot(s) => (prefix.to_string(), s),
        Source::File => read_snapshot(live, upto)?,
    };
    let (mut new, mut len) = write_new(tmp, &prefix, &snapshot)?;
    drop(snapshot);
    let mut at = upto;
    for _ in 0..CATCH_UP_ROUNDS {
        let end = committed.load(Ordering::Acquire);
        if end <= at {
            break;
        }
        len += copy_range(live, at, end, &mut new)?;
        at = end;
    }
    new.sync_all()?;
    Ok((new, len, at))
}

/// The header and latest failover stanzas, and the current binding of every address, in
/// the live file's first `upto` bytes.
fn read_snapshot(live: &File, upto: u64) -> io::Result<(String, Snapshot)> {
    let mut bytes = vec![0; usize::try_from(upto).map_err(io::Error::other)?];
    live.read_exact_at(&mut bytes, 0)?;
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let (whole, _) = crate::leases::complete_records(&text);
    let (bindings, failover) = super::parse(whole)
        .map_err(|(line, message)| io::Error::other(format!("line {line}: {message}")))?;
    let mut prefix = super::header();
    for stanza in &failover {
        prefix.push_str(&super::format_failover(stanza));
    }
    Ok((prefix, Snapshot::of(bindings)))
}

/// Copies the live file's bytes `from..to` to the end of `out`; returns how many.
fn copy_range(live: &File, from: u64, to: u64, out: &mut File) -> io::Result<u64> {
    let n = to.checked_sub(from).ok_or_else(|| {
        io::Error::other(format!(
            "the lease file's offsets went back ({from} to {to})"
        ))
    })?;
    let mut bytes = vec![0; usize::try_from(n).map_err(io::Error::other)?];
    live.read_exact_at(&mut bytes, from)?;
    out.write_all(&bytes)?;
    Ok(n)
}

/// The compacted file: the prefix (header, failover stanzas), every binding, then a FREE
/// record for each address of the free ranges that no binding holds (as ISC writes every
/// lease of a failover pool), and its length. Not synced yet.
fn write_new(tmp: &Path, prefix: &str, snapshot: &Snapshot) -> io::Result<(File, u64)> {
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
    let len = f.stream_position()?;
    Ok((f, len))
}

/// Step 2, on the writer: the records appended while the compactor synced go to the new
/// file, and the finisher starts. `None` (and the compaction reported failed) if the new
/// file could not be built or completed.
fn begin_swap(
    path: &Path,
    live: &File,
    live_len: u64,
    c: Compacting,
    built: io::Result<Built>,
) -> Option<Swapping> {
    let holding = Instant::now();
    let begun = built.and_then(|(mut new, len, at)| {
        let len = len + copy_range(live, at, live_len, &mut new)?;
        let finishing = new.try_clone()?;
        Ok((new, len, finishing))
    });
    latency::SWAP.record(holding.elapsed());
    let (new, new_len, finishing) = match begun {
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
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    let spawned = std::thread::Builder::new()
        .name("lease-rename".into())
        .spawn(move || {
            if let Some((started, go)) = gate {
                let _ = started.send(());
                let _ = go.recv();
            }
            let _ = tx.send(put_in_place(&owned, &finishing, &stopping));
        });
    if let Err(e) = spawned {
        let _ = std::fs::remove_file(new_path(path));
        tracing::error!("cannot compact {}: {e}", path.display());
        let _ = c.done.send(false);
        return None;
    }
    Some(Swapping {
        new,
        new_len,
        finished,
        done: c.done,
        started: c.started,
        both_since: Instant::now(),
        stop,
        upto: c.upto,
    })
}

/// Step 3, on the finisher thread: the new file synced, the old one linked to `FILE~`, the
/// new one renamed over it, the folder synced: tried again every second for a while (the
/// appends go to both files meanwhile, so either file the path may name after a crash
/// holds them all), or until the writer closes. Says whether the rename happened.
fn put_in_place(path: &Path, new: &File, stop: &AtomicBool) -> (bool, io::Result<()>) {
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
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tries = 0u32;
    loop {
        match File::open(dir).and_then(|d| d.sync_all()) {
            Ok(()) => return (true, Ok(())),
            // A file system that cannot sync a folder (some network and FUSE ones) makes
            // the rename as durable as it can.
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOTSUP)) => {
                return (true, Ok(()));
            }
            Err(e) if stop.load(Ordering::Acquire) || tries >= FOLDER_SYNC_TRIES => {
                return (true, Err(e));
            }
            Err(e) => {
                if tries == 0 {
                    tracing::error!(
                        "cannot sync the folder of {} after its compaction: {e}; trying \
                         again every second for {FOLDER_SYNC_TRIES} s, with every record \
                         written to both files",
                        path.display()
                    );
                }
                tries += 1;
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

/// The finisher is done: after a rename the writer goes on with the new file alone (the
/// path names it now), else with the old one.
fn end_swap(
    path: &Path,
    (file, live_len): (&mut File, &mut u64),
    committed: &AtomicU64,
    s: Swapping,
    (renamed, result): (bool, io::Result<()>),
) {
    let meanwhile = live_len.saturating_sub(s.upto);
    let both_ms = s.both_since.elapsed().as_millis();
    if renamed {
        *file = s.new;
        *live_len = s.new_len;
        committed.store(s.new_len, Ordering::Release);
    } else {
        let _ = std::fs::remove_file(new_path(path));
    }
    let ok = match result {
        Ok(()) => {
            latency::COMPACTION.record(s.started.elapsed());
            tracing::info!(
                "compacted {} in {} ms ({} bytes appended meanwhile; appends went to both \
                 files for the last {both_ms} ms)",
                path.display(),
                s.started.elapsed().as_millis(),
                meanwhile
            );
            true
        }
        Err(e) if renamed => {
            tracing::error!(
                "compacted {} in {} ms, but its folder could not be synced: {e}; if the \
                 system stops before the folder reaches the disk, the lease file may come \
                 back as it was before the compaction, without the records written from \
                 now on",
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
