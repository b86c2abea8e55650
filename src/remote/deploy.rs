//! `dhcpfo deploy`: the state machine that replaces both peers' files without leaving the
//! pair half-updated.
//!
//! connect → clock check → read and diff (nothing differs: stop, nothing written) → lock →
//! read again → confirm → upload candidates next to the live
//! files → `dhcpd -t` on both → (dry run stops here) → back up → rename → restart in order and
//! verify → release. A failure after the first rename restores both peers' backups and
//! restarts them; every step on every peer is recorded for the final report.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::diff::{self, FileDiff};
use super::lock::{self, Lock};
use super::progress::Progress;
use super::session::connect;
use super::{ConnectOptions, Connection, RemoteError, Target, clock, files, shell_quote as q};
use crate::model::Role;
use crate::model::remote::RestartOrder;
use crate::render::RenderedFile;

/// Settings of one deploy.
#[derive(Debug, Clone, Copy)]
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
}

/// How a deploy ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Both peers already had the rendered files; nothing was touched.
    NothingToDo,
    /// Dry run: the differences were validated on the peers; nothing was changed.
    DryRun,
    /// The operator did not confirm; nothing was changed.
    Declined,
    /// `dhcpd -t` refused a candidate on a peer; nothing was changed.
    ValidationFailed,
    /// The new files are live on the peers that differed and their services run.
    Deployed,
    /// Something failed before any live file was replaced; nothing was changed.
    Aborted,
    /// Something failed after live files were replaced; backups were restored (see the
    /// per-peer report for what could be done).
    RolledBack,
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
}

/// The result of a deploy.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// How it ended.
    pub outcome: Outcome,
    /// The first error, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Primary minus secondary clock, in seconds, when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_skew: Option<f64>,
    /// Every file of both peers, live versus rendered.
    pub files: Vec<FileDiff>,
    /// Both peers, primary first.
    pub peers: Vec<PeerReport>,
}

/// The state of one peer during a deploy.
struct PeerRun {
    target: Target,
    conn: Option<Connection>,
    lock: Option<Lock>,
    files: Vec<FileDiff>,
    /// Candidates written and not yet renamed.
    temps: Vec<String>,
    /// Live files replaced, each with its backup (`None`: there was no live file).
    replaced: Vec<(String, Option<String>)>,
    restarted: bool,
    restored: bool,
    steps: Vec<StepRecord>,
}

impl PeerRun {
    fn role(&self) -> Role {
        self.target.role
    }

    fn changed(&self) -> bool {
        self.files.iter().any(FileDiff::differs)
    }

    fn conn(&self) -> Result<&Connection, RemoteError> {
        self.conn
            .as_ref()
            .ok_or_else(|| RemoteError::ssh(self.target.peer(), "connection", "not connected"))
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

    /// The candidate dhcpd.conf `dhcpd -t` checks: the uploaded one, else the live one.
    fn candidate_config(&self) -> String {
        let config = &self.target.config_path;
        if self.files.iter().any(|f| f.path == *config && f.differs()) {
            files::temp_path(config)
        } else {
            config.clone()
        }
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

/// Deploys the rendered files to both peers. `confirm` is shown the differences and decides
/// whether to go on (it is called in a dry run too, to show them).
pub fn deploy(
    targets: &[Target; 2],
    rendered: &[RenderedFile],
    options: &DeployOptions,
    progress: &Progress,
    confirm: &dyn Fn(&[FileDiff]) -> bool,
) -> Report {
    let mut runs = targets.clone().map(|target| PeerRun {
        target,
        conn: None,
        lock: None,
        files: Vec::new(),
        temps: Vec::new(),
        replaced: Vec::new(),
        restarted: false,
        restored: false,
        steps: Vec::new(),
    });
    let mut skew = None;
    let outcome = run(&mut runs, rendered, options, progress, confirm, &mut skew);
    let (outcome, error) = match outcome {
        Ok(outcome) => (outcome, None),
        Err((outcome, e)) => (outcome, Some(e)),
    };
    // Clean up whatever is left: candidates, then locks.
    par(&mut runs, |r| {
        let temps = std::mem::take(&mut r.temps);
        for temp in temps {
            let _ = r.step(progress, &format!("removing {temp}"), |r| {
                files::remove(r.conn()?, &temp)
            });
        }
        if let Some(lock) = r.lock.clone()
            && r.step(progress, "releasing the lock", |r| lock.release(r.conn()?))
                .is_ok()
        {
            r.lock = None;
        }
    });
    let files = runs.iter().flat_map(|r| r.files.clone()).collect();
    let peers = runs
        .iter()
        .map(|r| PeerReport {
            peer: r.role(),
            host: r.target.addr(),
            steps: r.steps.clone(),
            result: result_of(r, outcome),
        })
        .collect();
    Report {
        outcome,
        error: error.map(|e| format!("{:?}", miette::Report::new(e))),
        clock_skew: skew,
        files,
        peers,
    }
}

/// One sentence on the state a peer was left in.
fn result_of(r: &PeerRun, outcome: Outcome) -> String {
    let reachable = r.conn.is_some();
    if !r.replaced.is_empty() && !r.restored {
        let backups: Vec<String> = r
            .replaced
            .iter()
            .map(|(live, b)| match b {
                Some(b) => format!("cp -p {b} {live}"),
                None => format!("rm {live}"),
            })
            .collect();
        if outcome == Outcome::Deployed {
            return "updated and restarted; the service runs".into();
        }
        let lock = match &r.lock {
            Some(lock) => format!(
                "; its lock {} is left (a deploy from this machine takes a lock of a finished process over)",
                lock.dir
            ),
            None => String::new(),
        };
        return format!(
            "NOT RESTORED{}: it holds the new files (validated by dhcpd -t); to restore by hand: {}{lock}",
            if reachable { "" } else { " (unreachable)" },
            backups.join("; ")
        );
    }
    if r.restored {
        return "restored to its previous files and restarted".into();
    }
    if !reachable && r.steps.is_empty() {
        return "not contacted".into();
    }
    match outcome {
        Outcome::Deployed | Outcome::NothingToDo if !r.changed() => {
            "unchanged (already up to date)".into()
        }
        Outcome::DryRun if r.changed() => "unchanged (dry run; the new files validate)".into(),
        _ => "unchanged".into(),
    }
}

type Failure = (Outcome, RemoteError);

fn run(
    runs: &mut [PeerRun; 2],
    rendered: &[RenderedFile],
    options: &DeployOptions,
    progress: &Progress,
    confirm: &dyn Fn(&[FileDiff]) -> bool,
    skew: &mut Option<f64>,
) -> Result<Outcome, Failure> {
    let abort = |e| (Outcome::Aborted, e);
    first_error(par(runs, |r| {
        let what = format!("connecting to {}@{}", r.target.user, r.target.addr());
        r.step(progress, &what, |r| {
            r.conn = Some(connect(&r.target, &options.connect)?);
            Ok(())
        })
    }))
    .map_err(abort)?;

    let [p, s] = first_error(par(runs, |r| {
        r.step(progress, "reading the clock", |r| clock::offset(r.conn()?))
    }))
    .map_err(abort)?;
    let measured = clock::skew(p, s);
    *skew = Some(measured);
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

    // Read first without taking the lock (only checking that no other deploy holds it), so
    // that a pair already up to date is not written to at all; then lock and read again, in
    // case another deploy changed the files meanwhile.
    let read = |runs: &mut [PeerRun; 2], what: &str| {
        first_error(par(runs, |r| {
            r.step(progress, what, |r| {
                let conn = r.conn()?;
                if r.lock.is_none() {
                    lock::probe(conn)?;
                }
                r.files = diff::compare(conn, rendered)?;
                Ok(())
            })
        }))
        .map(|_| runs.iter().any(|r| r.changed()))
    };
    if !read(runs, "reading the live files").map_err(abort)? {
        progress.note("both peers already run the rendered files; nothing to deploy");
        return Ok(Outcome::NothingToDo);
    }

    first_error(par(runs, |r| {
        let dir = lock::lock_dir(&r.target.config_path);
        r.step(progress, &format!("locking {dir}"), |r| {
            r.lock = Some(lock::acquire(r.conn()?)?);
            Ok(())
        })
    }))
    .map_err(abort)?;

    if !read(runs, "reading the live files again under the lock").map_err(abort)? {
        progress.note("another deploy brought both peers up to date meanwhile; nothing to deploy");
        return Ok(Outcome::NothingToDo);
    }

    let all: Vec<FileDiff> = runs.iter().flat_map(|r| r.files.clone()).collect();
    if !progress.suspend(|| confirm(&all)) {
        return Ok(Outcome::Declined);
    }

    first_error(par(runs, |r| {
        let changed: Vec<FileDiff> = r.files.iter().filter(|f| f.differs()).cloned().collect();
        for f in changed {
            let temp = files::temp_path(&f.path);
            r.step(progress, &format!("uploading {temp}"), |r| {
                r.temps.push(temp.clone());
                files::upload(r.conn()?, &f.path, &temp, &f.rendered)
            })?;
        }
        Ok(())
    }))
    .map_err(abort)?;

    let validated = par(runs, |r| {
        if !r.changed() {
            return Ok(());
        }
        let candidate = r.candidate_config();
        let command = format!("{} -t -4 -cf {}", r.target.dhcpd, q(&candidate));
        r.step(progress, &format!("validating with `{command}`"), |r| {
            r.conn()?.run("dhcpd -t", &command).map(|_| ())
        })
    });
    if let Err(e) = first_error(validated) {
        let outcome = match e {
            RemoteError::Command { .. } => Outcome::ValidationFailed,
            _ => Outcome::Aborted,
        };
        return Err((outcome, e));
    }
    if options.dry_run {
        return Ok(Outcome::DryRun);
    }

    match apply(runs, options, progress) {
        Ok(()) => Ok(Outcome::Deployed),
        Err(e) => {
            progress.note(&format!("deploy failed ({e}); restoring both peers"));
            rollback(runs, options, progress);
            Err((Outcome::RolledBack, e))
        }
    }
}

/// Backs up, renames and restarts. Any error leaves the runs' records for [`rollback`].
fn apply(
    runs: &mut [PeerRun; 2],
    options: &DeployOptions,
    progress: &Progress,
) -> Result<(), RemoteError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let stamp = files::utc_stamp(now.as_secs());
    first_error(par(runs, |r| {
        let changed: Vec<String> = r
            .files
            .iter()
            .filter(|f| f.differs())
            .map(|f| f.path.clone())
            .collect();
        for live in changed {
            let backup = files::backup_path(&live, &stamp);
            let had = r.step(progress, &format!("backing up {live}"), |r| {
                files::backup(r.conn()?, &live, &backup, options.keep_backups)
            })?;
            let temp = files::temp_path(&live);
            r.step(progress, &format!("renaming {temp} over {live}"), |r| {
                // Recorded before the rename: a rename whose answer is lost may have happened.
                r.replaced.push((live.clone(), had.then(|| backup.clone())));
                files::rename(r.conn()?, &temp, &live)?;
                r.temps.retain(|t| *t != temp);
                Ok(())
            })?;
        }
        Ok(())
    }))?;
    for i in restart_sequence(options.restart_order) {
        let r = &mut runs[i];
        if r.replaced.is_empty() {
            continue;
        }
        restart_and_verify(r, options, progress)?;
    }
    Ok(())
}

fn restart_and_verify(
    r: &mut PeerRun,
    options: &DeployOptions,
    progress: &Progress,
) -> Result<(), RemoteError> {
    let restart = r.target.restart_command.clone();
    r.step(progress, &format!("restarting (`{restart}`)"), |r| {
        r.restarted = true;
        r.conn()?.run("restart", &restart).map(|_| ())
    })?;
    let status = r.target.status_command.clone();
    r.step(
        progress,
        &format!("checking the service runs (`{status}`)"),
        |r| verify_running(r.conn()?, &status, options.verify_timeout),
    )
}

/// Runs the status command until it succeeds or the timeout passes (at most 30 tries).
fn verify_running(conn: &Connection, status: &str, timeout: Duration) -> Result<(), RemoteError> {
    let start = std::time::Instant::now();
    let mut tries = 0;
    loop {
        tries += 1;
        match conn.run("service check", status) {
            Ok(_) => return Ok(()),
            Err(e @ RemoteError::Command { .. }) if start.elapsed() >= timeout || tries >= 30 => {
                return Err(e);
            }
            Err(RemoteError::Command { .. }) => std::thread::sleep(Duration::from_millis(500)),
            Err(e) => return Err(e),
        }
    }
}

/// Restores every replaced file from its backup on both peers (at once), then restarts the
/// peers that were touched, in the configured order; a peer whose connection was lost is
/// reconnected once.
fn rollback(runs: &mut [PeerRun; 2], options: &DeployOptions, progress: &Progress) {
    par(runs, |r| {
        if r.replaced.is_empty() && !r.restarted {
            return;
        }
        let alive = r
            .conn()
            .and_then(|c| c.run("connection check", "true").map(|_| ()));
        if alive.is_err() {
            r.conn = None;
            let what = format!("reconnecting to {}", r.target.addr());
            let reconnected = r.step(progress, &what, |r| {
                r.conn = Some(connect(&r.target, &options.connect)?);
                Ok(())
            });
            if reconnected.is_err() {
                return;
            }
        }
        let mut ok = true;
        for (live, backup) in r.replaced.clone() {
            let what = match &backup {
                Some(b) => format!("restoring {live} from {b}"),
                None => format!("removing {live} (it did not exist before)"),
            };
            ok &= r
                .step(progress, &what, |r| {
                    files::restore(r.conn()?, &live, backup.as_deref())
                })
                .is_ok();
        }
        r.restored = ok;
    });
    for i in restart_sequence(options.restart_order) {
        let r = &mut runs[i];
        if r.restored {
            let _ = restart_and_verify(r, options, progress);
        }
    }
}

/// Indices into the runs (0 primary, 1 secondary) in restart order.
fn restart_sequence(order: RestartOrder) -> [usize; 2] {
    match order {
        RestartOrder::SecondaryFirst => [1, 0],
        RestartOrder::PrimaryFirst => [0, 1],
    }
}
