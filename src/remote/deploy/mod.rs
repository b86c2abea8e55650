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
mod plan;
mod report;
mod settle;

use std::time::{Duration, Instant};

use serde::Serialize;

pub use plan::{describe_unfinished, diffs, peer_files, restart_due, unfinished_on};
pub use report::{FinalState, HeldFile, Holds};

use super::diff::FileDiff;
use super::inspect::Inspection;
use super::journal::{Entry, Journal};
use super::lock::{self, Lock};
use super::progress::Progress;
use super::session::connect;
use super::{ConnectOptions, Connection, RemoteError, Target, clock, files, signals};
use crate::model::Role;
use crate::model::remote::RestartOrder;
use crate::render::RenderedFile;

/// Settings of one deploy.
#[derive(Debug, Clone)]
pub struct DeployOptions {
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
pub enum Outcome {
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
    /// An unfinished deploy found on the peers could not be settled automatically; nothing
    /// was changed.
    Unsettled,
}

/// One step on one peer.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    /// What was done.
    pub step: String,
    /// Whether it worked.
    pub ok: bool,
    /// The error, when it did not.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// What happened on one peer.
#[derive(Debug, Clone, Serialize)]
pub struct PeerReport {
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
pub struct Report {
    /// How it ended.
    pub outcome: Outcome,
    /// The first error, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The signal that stopped the deploy (`SIGINT`, `SIGTERM`, `SIGHUP`), if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// What was done about an unfinished deploy found on the peers, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
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
        self.steps.push(StepRecord {
            step: what.to_string(),
            ok: result.is_ok(),
            detail: result
                .as_ref()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
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
    /// Whether a settle (rollback, completion, recovery) ran: the final states are verified.
    settled_by: Option<settle::Mode>,
    /// Whether the peers were verified to hold and run one version after a settle.
    consistent: bool,
}

/// Deploys the rendered files to both peers. `confirm` is shown the differences and decides
/// whether to go on (it is called in a dry run too, to show them); it should return early
/// when [`signals::interrupted`] becomes set. The caller holds a [`signals::install`] guard
/// from before this call until the report is out, so that a signal is neither obeyed half-way
/// nor, arriving after the last step, able to cut the report short.
pub fn deploy(
    targets: &[Target; 2],
    rendered: &[RenderedFile],
    options: &DeployOptions,
    progress: &Progress,
    confirm: &dyn Fn(&[FileDiff]) -> bool,
) -> Report {
    let mut runs = targets.clone().map(PeerRun::new);
    let mut cx = Context::default();
    let result = run(&mut runs, rendered, options, progress, confirm, &mut cx);
    let (outcome, error) = match result {
        Ok(outcome) => (outcome, None),
        Err(f) => (f.outcome, Some(f.error)),
    };
    let settled = apply::finish(&mut runs, outcome, options, progress, &cx);
    let interrupted = signals::interrupted().map(|s| signals::name(s).to_string());
    let files = runs.iter().flat_map(|r| r.files.clone()).collect();
    let peers = runs
        .iter()
        .map(|r| PeerReport {
            peer: r.role(),
            host: r.target.addr(),
            steps: r.steps.clone(),
            result: report::sentence(r, outcome, settled),
            final_state: r.final_state.clone(),
        })
        .collect();
    Report {
        outcome,
        error: error.map(|e| format!("{:?}", miette::Report::new(e))),
        interrupted,
        recovered: cx.recovered,
        settled,
        clock_skew: cx.skew,
        files,
        peers,
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
    confirm: &dyn Fn(&[FileDiff]) -> bool,
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

    // The primary's lock first, then the secondary's: two deploys started together never
    // hold one peer each and both give up; the one that gets the primary goes on.
    for r in runs.iter_mut() {
        let dir = lock::lock_dir(&r.target.config_path);
        r.step(progress, &format!("locking {dir}"), |r| {
            let (lock, previous) = lock::acquire(r.conn()?, options.force_unlock.as_deref())?;
            r.lock = Some(lock);
            if let Some(previous) = previous {
                progress.note(&format!(
                    "{}: took over the lock of {} ({})",
                    r.target.peer(),
                    lock::describe(&previous),
                    match lock::judge(&previous) {
                        lock::Holder::Dead(why) => why,
                        _ => "--force-unlock".into(),
                    }
                ));
            }
            Ok(())
        })
        .map_err(abort)?;
    }

    plan::inspect_both(
        runs,
        rendered,
        "reading the live files again under the lock",
        progress,
    )
    .map_err(abort)?;
    if plan::unfinished(runs) {
        settle::recover(runs, options, progress, cx)?;
        plan::inspect_both(
            runs,
            rendered,
            "reading the live files after settling",
            progress,
        )
        .map_err(abort)?;
    }
    if !runs.iter().any(PeerRun::touched) {
        progress.note("both peers run the rendered files; nothing (else) to deploy");
        return Ok(Outcome::NothingToDo);
    }

    let all: Vec<FileDiff> = runs.iter().flat_map(|r| r.files.clone()).collect();
    let restarts: Vec<String> = runs
        .iter()
        .filter_map(|r| {
            r.restart_reason
                .as_ref()
                .filter(|_| r.changes.is_empty())
                .map(|why| format!("plan: {} restart ({why})", r.target.peer()))
        })
        .collect();
    let confirmed = progress.suspend(|| {
        for line in &restarts {
            report::stderr_line(line);
        }
        confirm(&all)
    });
    stop_if_interrupted()?;
    if !confirmed {
        return Ok(Outcome::Declined);
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
            let mode = match (&e, settle::all_switched(runs)) {
                (RemoteError::Interrupted { .. }, true) => settle::Mode::Complete,
                _ => settle::Mode::Rollback,
            };
            progress.note(&match mode {
                settle::Mode::Complete => format!(
                    "{e}: both peers hold the new files; completing the restarts before stopping"
                ),
                settle::Mode::Rollback => format!("deploy stopped ({e}); restoring both peers"),
            });
            let ended = settle::settle(runs, mode, options, progress, cx);
            match ended {
                settle::Mode::Complete if cx.consistent => Ok(Outcome::Deployed),
                _ => Err(Failure::new(Outcome::RolledBack, e)),
            }
        }
    }
}
