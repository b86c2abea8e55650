//! `dhcpfo deploy`: the state machine that replaces both peers' files without leaving the
//! pair half-updated, whatever stops it.
//!
//! connect → inspect (live files, folders, lock, journal, last restart, clock) → clock check →
//! nothing differs and both peers run what is on disk: stop, nothing written → lock, primary
//! then secondary (a stale lock is taken over) → inspect again → an unfinished deploy's
//! journal: settle it first → confirm → upload candidates → `dhcpd -t` on both → (dry run
//! stops here) → back up and switch → restart in order and verify → record the restart,
//! prune, release.
//!
//! Every step that changes a peer is written to the journal in its lock first. A failure after
//! the first switch rolls both peers back; SIGINT, SIGTERM or SIGHUP let the step under way
//! finish, then roll back, or complete when both peers are switched and only restarts are
//! left. The final report says what each peer was verified to hold and run.

mod apply;
mod lost;
mod plan;
mod report;
mod settle;

use std::time::{Duration, Instant};

use serde::Serialize;

pub(crate) use plan::{describe_unfinished, diffs, peer_files, restart_reason, unfinished_on};
#[cfg(test)]
pub(crate) use report::HeldFile;
pub(crate) use report::{FinalState, Holds, RestartResult};

use super::diff::FileDiff;
use super::inspect::Inspection;
use super::journal::{Entry, Journal};
use super::lock::{self, Lock};
use super::progress::Progress;
use super::session::connect;
use super::{ConnectOptions, Connection, RemoteError, Target, clock, files, signals};
use crate::diag::JsonFinding;
use crate::model::Role;
use crate::model::remote::RestartOrder;
use crate::render::RenderedFile;

/// Settings of one deploy.
#[derive(Debug, Clone)]
pub(crate) struct DeployOptions {
    /// How to connect.
    pub connect: ConnectOptions,
    /// Diff and validate only; change nothing.
    pub dry_run: bool,
    /// Which peer restarts first.
    pub restart_order: RestartOrder,
    /// Backups kept per live file.
    pub keep_backups: u32,
    /// How long to wait for the service to report running after a restart.
    pub verify_timeout: Duration,
    /// Take over the lock with this id whoever holds it (`--force-unlock`).
    pub force_unlock: Option<String>,
}

/// How a deploy ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Outcome {
    /// Both peers already had the rendered files and ran them; nothing was touched.
    NothingToDo,
    /// Dry run: the differences were validated on the peers; nothing was changed.
    DryRun,
    /// The operator did not confirm; nothing was changed.
    Declined,
    /// `dhcpd -t` refused a candidate on a peer; nothing was changed.
    ValidationFailed,
    /// The new files are live on the peers that differed and their services run.
    Deployed,
    /// Something failed (or a signal came) before any live file was replaced; nothing was
    /// changed.
    Aborted,
    /// Something failed after live files were replaced; both peers were rolled back (see each
    /// peer's verified final state for how far that worked).
    RolledBack,
    /// A restart failed (or a signal came) before any live file was replaced: nothing needed
    /// rolling back, and each peer's verified final state says whether its service runs.
    RestartFailed,
    /// An unfinished deploy found on the peers could not be settled automatically; nothing
    /// was changed.
    Unsettled,
}

/// One step on one peer.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct StepRecord {
    /// What was done.
    pub step: String,
    /// Whether it worked.
    pub ok: bool,
    /// The error, when it did not.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// The error's code (`DF501`...), when the step failed with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error in the finding shape, for the JSON report's `errors`.
    #[serde(skip)]
    pub finding: Option<JsonFinding>,
}

/// What happened on one peer.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PeerReport {
    /// The peer.
    pub peer: Role,
    /// `host:port`.
    pub host: String,
    /// Every step, in order.
    pub steps: Vec<StepRecord>,
    /// The state the peer was left in, in one sentence.
    pub result: String,
    /// What the peer was verified to hold and run after a failure, an interruption or a
    /// recovery (absent when the deploy went as planned or changed nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_state: Option<FinalState>,
}

/// The result of a deploy.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    /// How it ended.
    pub outcome: Outcome,
    /// The first error, if any, in the finding shape of every command's JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<JsonFinding>,
    /// The signal that stopped the deploy (`SIGINT`, `SIGTERM`, `SIGHUP`), if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// A signal that came after the last step it could have stopped (the last restart under
    /// way, the locks being released): the deploy ended as it would have without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_signal: Option<String>,
    /// What was done about an unfinished deploy found on the peers, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
    /// Stale locks this deploy took over (their owner had died), one line per peer: a change
    /// on the peers even when the deploy then stopped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locks_taken_over: Vec<String>,
    /// An unfinished deploy found on the peers and left as it is (a dry run, or not
    /// confirmed): what settling it would do, as plan lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unfinished: Vec<String>,
    /// The peers the plan restarts though none of their files change, and why (a dry run only
    /// shows them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub planned_restarts: Vec<PlannedRestart>,
    /// Whether both peers were left holding and running one version, and the locks released.
    /// When false, the locks and journals stay on the peers and the next deploy settles the
    /// pair first.
    pub settled: bool,
    /// Primary minus secondary clock, in seconds, when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_skew: Option<f64>,
    /// Every file of both peers, live versus rendered.
    pub files: Vec<FileDiff>,
    /// Both peers, primary first.
    pub peers: Vec<PeerReport>,
}

/// A peer the plan restarts though none of its files change.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PlannedRestart {
    /// The peer.
    pub peer: Role,
    /// Why: it does not run what is on its disk, or whether it does cannot be told.
    pub reason: String,
}

/// One live file a deploy replaces.
#[derive(Debug, Clone)]
struct Change {
    /// The file written: the configured path, or a symlink's target.
    live: String,
    /// SHA-256 of the live file before (`None`: there was none).
    old_sha256: Option<String>,
    /// The rendered content.
    new: Vec<u8>,
    /// Its SHA-256.
    new_sha256: String,
    /// The candidate, once uploaded.
    temp: Option<String>,
    /// The backup, once made (with the file's other backups, for pruning).
    backup: Option<files::Backup>,
    /// Whether the switch command was sent (it may have happened even if its answer was lost).
    switched: bool,
}

/// How the restarts of one peer went in this run.
#[derive(Debug, Clone, Default)]
struct Restarts {
    /// When the last restart began (local clock), and its deadline.
    began: Option<(Instant, Duration)>,
    /// Whether it ended and how (`None`: no answer).
    ok: Option<bool>,
    /// Whether the status command then said the service runs.
    running: Option<bool>,
    /// Whether the peer is known to run the files it held when it was read (its restart
    /// record shows it), so that only putting other files in place calls for a restart.
    runs_held: bool,
    /// Whether its answer was lost and the peer's journal recorded no end by its deadline: it
    /// is over on the peer, its result unknown.
    lost: bool,
}

/// The state of one peer during a deploy.
struct PeerRun {
    target: Target,
    conn: Option<Connection>,
    lock: Option<Lock>,
    inspection: Option<Inspection>,
    files: Vec<FileDiff>,
    changes: Vec<Change>,
    /// Why the peer is restarted though no file changes (it does not run what is on disk).
    restart_reason: Option<String>,
    /// Every journal entry this run wrote (or, when settling a recovered deploy, read).
    journal: Journal,
    /// Entries to write with the next command.
    pending: Vec<Entry>,
    restarts: Restarts,
    steps: Vec<StepRecord>,
    final_state: Option<FinalState>,
    /// Temporary files of this run besides the candidates (a validation copy whose removal
    /// failed), removed at the end.
    leftovers: Vec<String>,
}

impl PeerRun {
    fn new(target: Target) -> PeerRun {
        PeerRun {
            target,
            conn: None,
            lock: None,
            inspection: None,
            files: Vec::new(),
            changes: Vec::new(),
            restart_reason: None,
            journal: Journal::default(),
            pending: Vec::new(),
            restarts: Restarts::default(),
            steps: Vec::new(),
            final_state: None,
            leftovers: Vec::new(),
        }
    }

    fn role(&self) -> Role {
        self.target.role
    }

    /// Whether the deploy changes or restarts this peer.
    fn touched(&self) -> bool {
        !self.changes.is_empty() || self.restart_reason.is_some()
    }

    fn conn(&self) -> Result<&Connection, RemoteError> {
        self.conn
            .as_ref()
            .ok_or_else(|| RemoteError::ssh(self.target.peer(), "connection", "not connected"))
    }

    fn journal_file(&self) -> Result<String, RemoteError> {
        self.lock
            .as_ref()
            .map(Lock::journal)
            .ok_or_else(|| RemoteError::ssh(self.target.peer(), "journal", "the lock is not held"))
    }

    fn restart_output(&self) -> Result<String, RemoteError> {
        self.lock
            .as_ref()
            .map(Lock::restart_output)
            .ok_or_else(|| RemoteError::ssh(self.target.peer(), "restart", "the lock is not held"))
    }

    /// The shell that writes the pending entries (and records them as written).
    fn take_pending(&mut self) -> Result<String, RemoteError> {
        let file = self.journal_file()?;
        let entries = std::mem::take(&mut self.pending);
        let shell = super::journal::append(&file, &entries);
        self.journal.entries.extend(entries);
        Ok(shell)
    }

    /// Runs and records one step.
    fn step<T>(
        &mut self,
        progress: &Progress,
        what: &str,
        f: impl FnOnce(&mut PeerRun) -> Result<T, RemoteError>,
    ) -> Result<T, RemoteError> {
        let role = self.role();
        let result = progress.step(role, what, || f(self));
        let finding = result.as_ref().err().map(|e| JsonFinding::from_miette(e));
        self.steps.push(StepRecord {
            step: what.to_string(),
            ok: result.is_ok(),
            detail: result
                .as_ref()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
            code: finding
                .as_ref()
                .map(|f| f.code.clone())
                .filter(|c| !c.is_empty()),
            finding,
        });
        result
    }

    /// Reconnects once when the connection is gone.
    fn ensure_connected(&mut self, options: &DeployOptions, progress: &Progress) -> bool {
        let alive = self
            .conn()
            .and_then(|c| c.run("connection check", "true").map(|_| ()));
        if alive.is_ok() {
            return true;
        }
        self.conn = None;
        let what = format!("reconnecting to {}", self.target.addr());
        self.step(progress, &what, |r| {
            r.conn = Some(connect(&r.target, &options.connect)?);
            Ok(())
        })
        .is_ok()
    }
}

/// Runs `f` on both peers at once.
fn par<T: Send>(runs: &mut [PeerRun; 2], f: impl Fn(&mut PeerRun) -> T + Sync) -> [T; 2] {
    let [primary, secondary] = runs;
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| f(secondary));
        let first = f(primary);
        let second = match handle.join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        [first, second]
    })
}

fn first_error<T>(results: [Result<T, RemoteError>; 2]) -> Result<[T; 2], RemoteError> {
    let [a, b] = results;
    Ok([a?, b?])
}

/// Indices into the runs (0 primary, 1 secondary) in restart order.
fn restart_sequence(order: RestartOrder) -> [usize; 2] {
    match order {
        RestartOrder::SecondaryFirst => [1, 0],
        RestartOrder::PrimaryFirst => [0, 1],
    }
}

/// How `run` ended early.
struct Failure {
    outcome: Outcome,
    error: RemoteError,
}

impl Failure {
    fn new(outcome: Outcome, error: RemoteError) -> Failure {
        Failure { outcome, error }
    }
}

/// What one deploy run remembers besides the peers.
#[derive(Default)]
struct Context {
    skew: Option<f64>,
    recovered: Option<String>,
    /// Stale locks taken over, one line per peer.
    locks_taken_over: Vec<String>,
    /// Peers whose restart failed again while an unfinished deploy was settled: the new plan
    /// restarts them whatever their processes say.
    restart_left: Vec<Role>,
    /// Whether a settle (rollback, completion, recovery) ran: the final states are verified.
    settled_by: Option<settle::Mode>,
    /// Whether the peers were verified to hold and run one version after a settle.
    consistent: bool,
    /// Whether a signal changed the course of the deploy (it stopped before a step, or turned
    /// the rest into a rollback or a completion).
    acted_on_signal: bool,
    /// Whether the settle under way is that of a deploy found unfinished on the peers.
    recovering: bool,
    /// Whether a lock may hold the journal of an unfinished deploy this run has not settled:
    /// the locks are then kept, journals and all, whatever happens.
    pending_journal: bool,
    /// What settling the unfinished deploy found on the peers would do, when it was left as it
    /// is (a dry run, not confirmed).
    unfinished: Vec<String>,
}

/// What a deploy asks the operator to confirm.
pub(crate) struct Proposal<'a> {
    /// Every file of both peers, live versus rendered, as the peers hold them now.
    pub files: &'a [FileDiff],
    /// Whether an unfinished deploy found on the peers is settled first (its plan lines were
    /// printed just before); after it is settled, the deploy asks again if what it would do
    /// then is not what was shown.
    pub settles_first: bool,
}

/// Shows a [`Proposal`] and says whether to go on.
pub(crate) type Confirm<'a> = dyn Fn(&Proposal) -> bool + 'a;

/// Deploys the rendered files to both peers. `confirm` is shown what is to be done and decides
/// whether to go on (it is called in a dry run too, to show it); it should return early
/// when [`signals::interrupted`] becomes set. The caller holds a [`signals::install`] guard
/// from before this call until the report is out, so that a signal is neither obeyed half-way
/// nor, arriving after the last step, able to cut the report short.
pub(crate) fn deploy(
    targets: &[Target; 2],
    rendered: &[RenderedFile],
    options: &DeployOptions,
    progress: &Progress,
    confirm: &Confirm,
) -> Report {
    let mut runs = targets.clone().map(PeerRun::new);
    let mut cx = Context::default();
    let result = run(&mut runs, rendered, options, progress, confirm, &mut cx);
    let (outcome, error) = match result {
        Ok(outcome) => (outcome, None),
        Err(f) => (f.outcome, Some(f.error)),
    };
    let settled = apply::finish(&mut runs, outcome, options, progress, &cx);
    let acted = cx.acted_on_signal || matches!(error, Some(RemoteError::Interrupted { .. }));
    let signal = signals::interrupted().map(|s| signals::name(s).to_string());
    let (interrupted, late_signal) = if acted {
        (signal, None)
    } else {
        (None, signal)
    };
    let files = runs.iter().flat_map(|r| r.files.clone()).collect();
    let planned_restarts = runs
        .iter()
        .filter(|r| r.changes.is_empty())
        .filter_map(|r| {
            r.restart_reason.as_ref().map(|why| PlannedRestart {
                peer: r.role(),
                reason: why.clone(),
            })
        })
        .collect();
    let peers = runs
        .iter()
        .map(|r| PeerReport {
            peer: r.role(),
            host: r.target.addr(),
            steps: r.steps.clone(),
            result: report::sentence(r, outcome, settled, !cx.unfinished.is_empty()),
            final_state: r.final_state.clone(),
        })
        .collect();
    Report {
        outcome,
        error: error.map(|e| JsonFinding::from_miette(&e)),
        interrupted,
        late_signal,
        recovered: cx.recovered,
        locks_taken_over: cx.locks_taken_over,
        unfinished: cx.unfinished,
        planned_restarts,
        settled,
        clock_skew: cx.skew,
        files,
        peers,
    }
}

/// Every file of both peers, live versus rendered.
fn all_files(runs: &[PeerRun; 2]) -> Vec<FileDiff> {
    runs.iter().flat_map(|r| r.files.clone()).collect()
}

/// The plan lines of the peers restarted though none of their files change.
fn restart_lines(runs: &[PeerRun; 2]) -> Vec<String> {
    runs.iter()
        .filter_map(|r| {
            r.restart_reason
                .as_ref()
                .filter(|_| r.changes.is_empty())
                .map(|why| format!("plan: {} restart ({why})", r.target.peer()))
        })
        .collect()
}

/// What a deploy shows before it asks: the settling of an unfinished deploy, the restarts,
/// and the differences.
struct Shown {
    settling: Vec<String>,
    restarts: Vec<String>,
    files: Vec<FileDiff>,
}

impl Shown {
    fn of(runs: &[PeerRun; 2], settling: Vec<String>, restarts: Vec<String>) -> Shown {
        Shown {
            settling,
            restarts,
            files: all_files(runs),
        }
    }

    /// Prints the plan lines (the spinners hidden) and lets `confirm` show the differences and
    /// decide.
    fn ask(&self, settles_first: bool, confirm: &Confirm, progress: &Progress) -> bool {
        progress.suspend(|| {
            for line in self.settling.iter().chain(&self.restarts) {
                super::text::stderr_line(line);
            }
            confirm(&Proposal {
                files: &self.files,
                settles_first,
            })
        })
    }

    /// Whether the deploy proposed (restarts and differences) is the one shown earlier.
    fn same_deploy(&self, other: &Shown) -> bool {
        let key = |f: &FileDiff| (f.peer, f.path.clone(), f.status, f.diff.clone());
        self.restarts == other.restarts
            && self.files.len() == other.files.len()
            && self
                .files
                .iter()
                .zip(&other.files)
                .all(|(a, b)| key(a) == key(b))
    }
}

/// Works out what settling the unfinished deploy recorded on the peers would do, from what was
/// read, and puts each run's own plan back: changes nothing.
fn preview(
    runs: &mut [PeerRun; 2],
    options: &DeployOptions,
    progress: &Progress,
) -> Result<Vec<String>, Failure> {
    let saved = runs
        .each_mut()
        .map(|r| (std::mem::take(&mut r.changes), r.restart_reason.take()));
    let loaded = settle::load(runs, progress);
    let lines = match &loaded {
        Ok(Some(recovery)) => settle::describe(runs, recovery, options),
        _ => Vec::new(),
    };
    for (r, (changes, reason)) in runs.iter_mut().zip(saved) {
        r.changes = changes;
        r.restart_reason = reason;
        r.restarts = Restarts::default();
        r.journal = Journal::default();
    }
    loaded.map(|_| lines)
}

/// How a deploy that failed while switching or restarting ended, by what it had done: no live
/// file replaced and no restart begun (nothing changed), no live file replaced but a restart
/// begun, or live files replaced (and rolled back).
fn failed_outcome(runs: &[PeerRun; 2]) -> Outcome {
    let switched = runs.iter().any(|r| r.changes.iter().any(|c| c.switched));
    let restarted = runs.iter().any(|r| r.restarts.began.is_some());
    match (switched, restarted) {
        (true, _) => Outcome::RolledBack,
        (false, true) => Outcome::RestartFailed,
        (false, false) => Outcome::Aborted,
    }
}

/// The error for a signal that stopped the deploy.
fn interruption() -> Option<RemoteError> {
    signals::interrupted().map(|s| RemoteError::Interrupted {
        signal: signals::name(s).into(),
    })
}

fn stop_if_interrupted() -> Result<(), Failure> {
    match interruption() {
        Some(e) => Err(Failure::new(Outcome::Aborted, e)),
        None => Ok(()),
    }
}

fn run(
    runs: &mut [PeerRun; 2],
    rendered: &[RenderedFile],
    options: &DeployOptions,
    progress: &Progress,
    confirm: &Confirm,
    cx: &mut Context,
) -> Result<Outcome, Failure> {
    let abort = |e| Failure::new(Outcome::Aborted, e);
    first_error(par(runs, |r| {
        let what = format!("connecting to {}@{}", r.target.user, r.target.addr());
        r.step(progress, &what, |r| {
            r.conn = Some(connect(&r.target, &options.connect)?);
            Ok(())
        })
    }))
    .map_err(abort)?;
    stop_if_interrupted()?;

    // Read first without taking the lock, so that a pair already up to date is not written
    // to at all; then lock and read again, in case another deploy changed the files meanwhile.
    // The first read also reads the peers' clocks.
    plan::inspect_both(
        runs,
        rendered,
        "reading the live files and the clock",
        progress,
    )
    .map_err(abort)?;
    let offsets = runs
        .each_ref()
        .map(|r| r.inspection.as_ref().and_then(|i| i.clock_offset));
    let [Some(p), Some(s)] = offsets else {
        return Err(abort(RemoteError::ssh(
            "both",
            "reading the clocks",
            "a peer printed nothing",
        )));
    };
    let measured = clock::skew(p, s);
    cx.skew = Some(measured);
    progress.note(&format!(
        "clocks: the peers are {:.1} s apart",
        measured.abs()
    ));
    match clock::verdict(measured) {
        clock::Verdict::Error => {
            return Err(abort(RemoteError::ClockSkew {
                skew: measured.abs(),
            }));
        }
        clock::Verdict::Warning => progress.note(&format!(
            "warning: the peers' clocks are {:.1} s apart; keep them within a few seconds (NTP)",
            measured.abs()
        )),
        clock::Verdict::Ok => {}
    }
    stop_if_interrupted()?;
    plan::refuse_live_locks(runs, options).map_err(abort)?;
    let unfinished = plan::unfinished(runs);
    if !unfinished && !runs.iter().any(PeerRun::touched) {
        progress.note("both peers already run the rendered files; nothing to deploy");
        return Ok(Outcome::NothingToDo);
    }
    stop_if_interrupted()?;

    // An unfinished deploy is settled only once confirmed, never by a dry run (settling
    // restarts peers): what settling it would do is worked out from what was just read, shown
    // as plan lines, and asked about with the rest, before any lock is taken.
    let mut shown = None;
    if unfinished {
        cx.pending_journal = true;
        let settling = preview(runs, options, progress)?;
        let proposal = Shown::of(runs, settling, Vec::new());
        let go = proposal.ask(true, confirm, progress);
        cx.unfinished = proposal.settling.clone();
        stop_if_interrupted()?;
        if options.dry_run {
            return Ok(Outcome::DryRun);
        }
        if !go {
            return Ok(Outcome::Declined);
        }
        shown = Some(proposal);
    }

    // The primary's lock first, then the secondary's: two deploys started together never
    // hold one peer each and both give up; the one that gets the primary goes on.
    for r in runs.iter_mut() {
        let dir = lock::lock_dir(&r.target.config_path);
        let mut taken_over = Vec::new();
        let locked = r
            .step(progress, &format!("locking {dir}"), |r| {
                let (lock, previous) = lock::acquire(r.conn()?, options.force_unlock.as_deref())?;
                r.lock = Some(lock);
                if let Some(previous) = previous {
                    let line = format!(
                        "{}: took over the lock of {} ({})",
                        r.target.peer(),
                        lock::describe(&previous.owner),
                        previous.reason
                    );
                    progress.note(&line);
                    taken_over.push(line);
                }
                Ok(())
            })
            .map_err(abort);
        cx.locks_taken_over.append(&mut taken_over);
        locked?;
    }

    plan::inspect_both(
        runs,
        rendered,
        "reading the live files again under the lock",
        progress,
    )
    .map_err(abort)?;
    if plan::unfinished(runs) {
        // Under the lock, the journals may say more than when they were shown (a deploy that
        // died meanwhile): then the settling is shown and asked about again.
        cx.pending_journal = true;
        let files = all_files(runs);
        let recovery = settle::load(runs, progress)?;
        if let Some(recovery) = recovery {
            let settling = settle::describe(runs, &recovery, options);
            if shown.as_ref().map(|s| &s.settling) != Some(&settling) {
                let proposal = Shown {
                    settling,
                    restarts: Vec::new(),
                    files,
                };
                let go = proposal.ask(true, confirm, progress);
                cx.unfinished = proposal.settling.clone();
                stop_if_interrupted()?;
                if options.dry_run {
                    return Ok(Outcome::DryRun);
                }
                if !go {
                    return Ok(Outcome::Declined);
                }
                shown = Some(proposal);
            }
            settle::recover(runs, recovery, options, progress, cx)?;
        }
        cx.pending_journal = false;
        cx.unfinished.clear();
        plan::inspect_both(
            runs,
            rendered,
            "reading the live files after settling",
            progress,
        )
        .map_err(abort)?;
        for r in runs.iter_mut() {
            if cx.restart_left.contains(&r.role()) && r.restart_reason.is_none() {
                r.restart_reason =
                    Some("its restart failed when the unfinished deploy was settled".into());
            }
        }
        // A peer this deploy touches is reported (and its restart recorded) by what this
        // deploy does, not by the settled state of the one before.
        for r in runs.iter_mut().filter(|r| r.touched()) {
            r.final_state = None;
        }
    }
    if !runs.iter().any(PeerRun::touched) {
        progress.note("both peers run the rendered files; nothing (else) to deploy");
        return Ok(Outcome::NothingToDo);
    }

    // Asked once more only when what is to be done is not what was shown with the settling.
    let proposal = Shown::of(runs, Vec::new(), restart_lines(runs));
    if !shown.is_some_and(|s| s.same_deploy(&proposal)) {
        let confirmed = proposal.ask(false, confirm, progress);
        stop_if_interrupted()?;
        if !confirmed {
            return Ok(Outcome::Declined);
        }
    }

    apply::upload(runs, options, progress).map_err(abort)?;
    stop_if_interrupted()?;
    if let Err(e) = apply::validate(runs, progress) {
        let outcome = match e {
            RemoteError::Command { .. } => Outcome::ValidationFailed,
            _ => Outcome::Aborted,
        };
        return Err(Failure::new(outcome, e));
    }
    if options.dry_run {
        return Ok(Outcome::DryRun);
    }
    stop_if_interrupted()?;

    match apply::apply(runs, options, progress) {
        Ok(()) => Ok(Outcome::Deployed),
        Err(e) => {
            cx.acted_on_signal = matches!(e, RemoteError::Interrupted { .. });
            let mode = match (&e, settle::all_switched(runs)) {
                (RemoteError::Interrupted { .. }, true) => settle::Mode::Complete,
                _ => settle::Mode::Rollback,
            };
            progress.note(&match mode {
                settle::Mode::Complete => format!(
                    "{e}: both peers hold the new files; completing the restarts before stopping"
                ),
                settle::Mode::Rollback if failed_outcome(runs) == Outcome::RolledBack => {
                    format!("deploy stopped ({e}); restoring both peers")
                }
                settle::Mode::Rollback => format!(
                    "deploy stopped ({e}); no live file had been replaced, so there is nothing to restore"
                ),
            });
            let ended = settle::settle(runs, mode, options, progress, cx);
            match ended {
                settle::Mode::Complete if cx.consistent => Ok(Outcome::Deployed),
                _ => Err(Failure::new(failed_outcome(runs), e)),
            }
        }
    }
}
