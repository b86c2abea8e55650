//! Bringing both peers to one version after a failure, a signal, or a deploy found unfinished
//! on the peers: measure what each holds (SHA-256 against the previous and the new content),
//! then complete (both hold the new files, nothing failed: only restarts are left) or roll back
//! (restore the backups, restart what had been restarted), then verify what each holds and runs.
//!
//! A restart whose end is unknown (the connection dropped, or the deploy that began it died) is
//! waited for first, by the peer's journal (see [`super::lost`]), so that neither a restore nor
//! a new restart overlaps it, and its result is the one the journal records.

use std::time::{Duration, Instant};

use super::report::RestartLeft;
use super::{
    Change, Context, DeployOptions, Failure, Outcome, PeerRun, Restarts, apply, lost, par, report,
    restart_sequence,
};
use crate::model::Role;
use crate::remote::inspect::{self, Kind, Runs, Service};
use crate::remote::journal::{self, Journal};
use crate::remote::lock;
use crate::remote::progress::Progress;
use crate::remote::text::terminal_safe;
use crate::remote::{RemoteError, files, shell_quote};

/// Which way a settle goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Keep the new files; restart whatever does not yet run them.
    Complete,
    /// Put the previous files back; restart whatever had been restarted.
    Rollback,
}

/// What a live file holds now, compared with a deploy's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Now {
    New,
    Old,
    Neither,
    Unknown,
}

/// Whether every changed file of both peers was switched.
pub(super) fn all_switched(runs: &[PeerRun; 2]) -> bool {
    runs.iter().all(|r| r.changes.iter().all(|c| c.switched))
}

fn index(role: Role) -> usize {
    usize::from(role == Role::Secondary)
}

/// Compares a hash with a change's previous and new content.
pub(super) fn classify(change: &Change, hash: Option<&str>) -> Now {
    if hash == Some(change.new_sha256.as_str()) {
        Now::New
    } else if hash == change.old_sha256.as_deref() {
        Now::Old
    } else {
        Now::Neither
    }
}

/// Hashes a peer's changed files on the peer.
fn measure(r: &mut PeerRun, progress: &Progress) -> Vec<Now> {
    if r.changes.is_empty() {
        return Vec::new();
    }
    let lives: Vec<String> = r.changes.iter().map(|c| c.live.clone()).collect();
    let refs: Vec<&str> = lives.iter().map(String::as_str).collect();
    let hashes = r.step(progress, "checking which files it holds (SHA-256)", |r| {
        files::hashes(r.conn()?, &refs)
    });
    match hashes {
        Ok(hashes) => r
            .changes
            .iter()
            .zip(&hashes)
            .map(|(c, h)| classify(c, h.as_deref()))
            .collect(),
        Err(_) => vec![Now::Unknown; r.changes.len()],
    }
}

/// Restores each file that holds the new content from its backup (or removes it when it did
/// not exist before); returns whether any restore was tried.
fn restore_peer(r: &mut PeerRun, states: &[Now], progress: &Progress) -> bool {
    let mut restored = false;
    for (i, state) in states.iter().enumerate() {
        let c = r.changes[i].clone();
        match state {
            Now::Old | Now::Unknown => {}
            Now::Neither => {
                let what = format!(
                    "leaving {}: it holds neither the previous nor the new file",
                    c.live
                );
                r.steps.push(super::StepRecord {
                    step: what,
                    ok: false,
                    detail: "changed by something else during the deploy?".into(),
                    ..Default::default()
                });
            }
            Now::New => {
                let backup = c.backup.as_ref().map(|b| b.path.clone());
                let what = match (&backup, &c.old_sha256) {
                    (Some(b), _) => format!("restoring {} from {b}", c.live),
                    (None, None) => format!("removing {} (it did not exist before)", c.live),
                    (None, Some(_)) => format!("restoring {}: no backup was recorded", c.live),
                };
                restored = true;
                let _ = r.step(progress, &what, |r| {
                    if backup.is_none() && c.old_sha256.is_some() {
                        return Err(RemoteError::ssh(
                            r.target.peer(),
                            "restore",
                            "no backup of the previous file is known",
                        ));
                    }
                    let file = r.journal_file()?;
                    r.journal.entries.push(journal::Entry::Restore {
                        live: c.live.clone(),
                    });
                    files::restore(
                        r.conn()?,
                        &c.live,
                        backup.as_deref(),
                        c.old_sha256.as_deref(),
                        &file,
                    )
                });
            }
        }
    }
    restored
}

/// Whether a rollback restarts a peer (`restores`: it puts files back on it). One known to run
/// the files it held (its restart record shows it) is restarted only when files are put back.
/// One whose files changed is restarted when it may run the new files (a restart began after
/// its switch); one never restarted since still runs its previous files. A peer restarted only
/// because it did not run what was on its disk (none of its files change) has nothing to put
/// back: when a deploy found unfinished (`recovering`) recorded its restart as failed,
/// unfinished or not followed by a running service, that restart is run again, as the only
/// way to settle it; in the run where it just failed it is not repeated.
fn restarts_in_rollback(r: &PeerRun, recovering: bool, restores: bool) -> bool {
    if r.conn.is_none() || r.restarts.began.is_none() {
        return false;
    }
    if r.restarts.runs_held {
        return restores;
    }
    if r.changes.is_empty() {
        let ran = r.restarts.ok == Some(true) && r.restarts.running == Some(true);
        return recovering && r.touched() && !ran;
    }
    true
}

/// Settles both peers, starting the given way; returns the way it ended (a completion whose
/// restart fails turns into a rollback). The final states are verified and recorded in the
/// runs, and `cx.consistent` says whether both peers hold and run one version.
pub(super) fn settle(
    runs: &mut [PeerRun; 2],
    mut mode: Mode,
    options: &DeployOptions,
    progress: &Progress,
    cx: &mut Context,
) -> Mode {
    cx.settled_by = Some(mode);
    let reachable = par(runs, |r| {
        !r.touched() || r.ensure_connected(options, progress)
    });
    // A restart that may still run on a peer ends before anything else is done there.
    par(runs, |r| lost::await_restart(r, options, progress));
    let mut states = par(runs, |r| {
        if r.conn.is_some() {
            measure(r, progress)
        } else {
            vec![Now::Unknown; r.changes.len()]
        }
    });
    let all_new = states.iter().flatten().all(|s| *s == Now::New);
    if mode == Mode::Complete && !(reachable.iter().all(|ok| *ok) && all_new) {
        progress.note("not every file holds the new version: rolling back instead");
        mode = Mode::Rollback;
    }
    if mode == Mode::Complete {
        for i in restart_sequence(options.restart_order) {
            let r = &mut runs[i];
            let runs_new = r.restarts.ok == Some(true) && r.restarts.running == Some(true);
            if !r.touched() || runs_new {
                continue;
            }
            if apply::restart_and_verify(r, options, progress).is_err() {
                progress.note("a restart failed while completing: rolling back instead");
                mode = Mode::Rollback;
                break;
            }
        }
        if mode == Mode::Rollback {
            states = par(runs, |r| {
                if r.conn.is_some() {
                    measure(r, progress)
                } else {
                    vec![Now::Unknown; r.changes.len()]
                }
            });
        }
    }
    if mode == Mode::Rollback {
        // A completion's restart whose answer was lost ends before files are put back.
        par(runs, |r| lost::await_restart(r, options, progress));
        let states = &states;
        let restored = par(runs, |r| {
            let mine = states[index(r.role())].clone();
            r.conn.is_some() && restore_peer(r, &mine, progress)
        });
        for i in restart_sequence(options.restart_order) {
            let r = &mut runs[i];
            if !restarts_in_rollback(r, cx.recovering, restored[i]) {
                continue;
            }
            let _ = apply::restart_and_verify(r, options, progress);
        }
    }
    // Nor is a peer verified under a rollback restart whose answer was lost.
    par(runs, |r| lost::await_restart(r, options, progress));
    cx.settled_by = Some(mode);
    par(runs, |r| report::verify(r, mode, progress));
    cx.consistent = report::consistent(runs, mode);
    mode
}

/// How to put the previous content of a changed file back by hand, naming a backup only once
/// it was hashed on the peer and found to hold that content.
fn way_back(r: &PeerRun, change: &Change) -> String {
    let live = shell_quote(&change.live);
    let (backup, old) = match (&change.backup, &change.old_sha256) {
        (Some(b), None) => {
            return format!(
                "a backup of it was made ({}) though it did not exist or could not be read when that deploy began: compare the two; to go back to the backup: cp -p -- {} {live}",
                b.path,
                shell_quote(&b.path)
            );
        }
        (None, None) => {
            return format!(
                "it did not exist before that deploy: to go back, remove it (rm -f -- {live})"
            );
        }
        (None, Some(_)) => {
            return "that deploy recorded no backup of the previous file: to go back, restore it from elsewhere".into();
        }
        (Some(b), Some(old)) => (&b.path, old),
    };
    let hash = r.conn().and_then(|c| files::hashes(c, &[backup.as_str()]));
    match hash.as_deref() {
        Ok([Some(h)]) if h == old => format!(
            "to go back to the previous one (its backup was checked: it holds the previous file): cp -p -- {} {live}",
            shell_quote(backup)
        ),
        Ok([Some(_)]) => format!(
            "the backup {backup} that deploy made does NOT hold the previous file (SHA-256 differs): to go back, restore the previous file from elsewhere"
        ),
        Ok([None]) => format!(
            "the backup {backup} that deploy made no longer exists: to go back, restore the previous file from elsewhere"
        ),
        Ok(_) | Err(_) => format!(
            "the backup {backup} that deploy made could not be checked: before copying it back (cp -p -- {} {live}), check that `sha256sum` gives {old}",
            shell_quote(backup)
        ),
    }
}

/// An unfinished deploy found on the peers, loaded into the runs, and the way it is settled.
pub(super) struct Recovery {
    /// Its plan, as the journals record it.
    begin: journal::Begin,
    /// Complete it or roll it back.
    mode: Mode,
    /// Whether a journal records a failed restart or status check.
    failed: bool,
    /// What each peer's files of that deploy hold now, primary first.
    states: [Vec<Now>; 2],
}

/// The error for an unfinished deploy that needs a person; the journal is the peer's text, so
/// what it names reaches the terminal made safe.
fn unsettled(peer: &str, detail: &str, fix: &str) -> Failure {
    Failure::new(
        Outcome::Unsettled,
        RemoteError::Unfinished {
            peer: peer.into(),
            detail: terminal_safe(detail),
            fix: terminal_safe(fix),
        },
    )
}

/// Loads an unfinished deploy's journals into the runs (each run's changes, restarts and
/// journal become that deploy's), hashes what each peer holds now and decides how to settle
/// it; changes nothing on the peers. `None` when no journal holds a plan; an error (DF531)
/// when settling it needs a person.
pub(super) fn load(
    runs: &mut [PeerRun; 2],
    progress: &Progress,
) -> Result<Option<Recovery>, Failure> {
    let journals: Vec<Option<Journal>> = runs
        .iter()
        .map(|r| {
            r.inspection
                .as_ref()
                .and_then(|i| i.journal.clone())
                .filter(Journal::unfinished)
        })
        .collect();
    let begins: Vec<&journal::Begin> = journals
        .iter()
        .flatten()
        .filter_map(Journal::begin)
        .collect();
    let Some(begin) = begins.first().map(|b| (*b).clone()) else {
        return Ok(None);
    };
    if begins.iter().any(|b| b.deploy != begin.deploy) {
        return Err(unsettled(
            "both",
            "the peers' journals are from two different deploys",
            "look at the journal in each peer's lock, put both peers on the same files by hand, then remove the locks",
        ));
    }
    for (r, journal) in runs.iter_mut().zip(&journals) {
        let journal = journal.clone().unwrap_or_default();
        let Some(planned) = begin.peers.iter().find(|p| p.peer == r.role()) else {
            continue;
        };
        // The journal is the peer's text: it may only name this peer's files in the model.
        let mine = model_files(r);
        if let Some(f) = planned.files.iter().find(|f| !mine.contains(&f.live)) {
            let dir = lock::lock_dir(&r.target.config_path);
            return Err(unsettled(
                r.target.peer(),
                &format!(
                    "its journal names {}, which is not one of this peer's files in the model ({})",
                    f.live,
                    mine.join(", ")
                ),
                &format!(
                    "if the model's paths changed since that deploy, settle it with the model it ran with; otherwise read the journal in {dir} on the peer, put the files it names right by hand, then remove {dir}"
                ),
            ));
        }
        let peer_now = r.inspection.as_ref().map_or(0, |i| i.now);
        r.changes = planned
            .files
            .iter()
            .map(|f| Change {
                live: f.live.clone(),
                old_sha256: f.old_sha256.clone(),
                new: Vec::new(),
                new_sha256: f.new_sha256.clone(),
                temp: None,
                backup: journal.backup_of(&f.live).map(|path| files::Backup {
                    path,
                    all: Vec::new(),
                }),
                switched: journal.switched(&f.live),
            })
            .collect();
        r.restart_reason = planned
            .restart
            .then(|| "the unfinished deploy restarts it".to_string());
        r.restarts = match journal.restart() {
            journal::Restart::Unknown { at, deadline } => {
                let ago = Duration::from_secs(peer_now.saturating_sub(at));
                Restarts {
                    began: Some((
                        Instant::now().checked_sub(ago).unwrap_or_else(Instant::now),
                        // Peer text: never more than the longest deadline a model allows.
                        Duration::from_secs(
                            deadline.min(u64::from(crate::model::remote::MAX_TIMEOUT)),
                        ),
                    )),
                    ..Restarts::default()
                }
            }
            journal::Restart::Ended { ok, running } => Restarts {
                began: Some((Instant::now(), Duration::ZERO)),
                ok: Some(ok),
                running,
                ..Restarts::default()
            },
            journal::Restart::NotStarted if journal.any_restart() => Restarts {
                began: Some((Instant::now(), Duration::ZERO)),
                ok: Some(true),
                ..Restarts::default()
            },
            journal::Restart::NotStarted => Restarts::default(),
        };
        if record_shows_running(r, &journal) {
            r.restarts = Restarts {
                began: Some((Instant::now(), Duration::ZERO)),
                ok: Some(true),
                running: Some(true),
                runs_held: true,
                ..Restarts::default()
            };
        }
        r.journal = journal;
    }
    let states = par(runs, |r| measure(r, progress));
    for (r, states) in runs.iter().zip(&states) {
        if let Some(i) = states.iter().position(|s| *s == Now::Neither) {
            let live = &r.changes[i].live;
            let fix = format!(
                "decide which file {live} should hold; {}; then restart the service and remove {} on both peers",
                way_back(r, &r.changes[i]),
                lock::lock_dir(&r.target.config_path)
            );
            return Err(unsettled(
                r.target.peer(),
                &format!(
                    "{live} holds neither the previous nor the new file of that deploy (changed by hand since?)"
                ),
                &fix,
            ));
        }
    }
    let all_new = states.iter().flatten().all(|s| *s == Now::New);
    let failed = journals.iter().flatten().any(Journal::recorded_a_failure);
    let mode = if all_new && !failed {
        Mode::Complete
    } else {
        Mode::Rollback
    };
    Ok(Some(Recovery {
        begin,
        mode,
        failed,
        states,
    }))
}

/// Whether a peer's restart record (`.dhcpfo.state`) shows that it runs the files it holds
/// now: the record names their hashes, its status command says the service runs, and the
/// record was written after every restart its journal records.
fn record_shows_running(r: &PeerRun, journal: &Journal) -> bool {
    let Some(inspection) = &r.inspection else {
        return false;
    };
    let Some(state) = &inspection.state else {
        return false;
    };
    inspection.service == Some(Service::Running)
        && matches!(
            inspect::runs_what_is_on_disk(&r.target, inspection),
            Runs::Yes(_)
        )
        && journal
            .restarts_begun()
            .all(|at| at.is_some_and(|at| at < state.restarted_at))
}

/// The files a deploy may write on a peer: its live files in the model, or the targets of
/// those that are links when `follow-symlinks` is set.
fn model_files(r: &PeerRun) -> Vec<String> {
    r.inspection
        .iter()
        .flat_map(|i| &i.files)
        .map(|f| match &f.kind {
            Kind::Symlink(Some(to)) if r.target.follow_symlinks => to.clone(),
            _ => f.path.clone(),
        })
        .collect()
}

/// Why settling restarts a peer (see [`restarts_in_rollback`] and [`settle`]).
fn why_restart(r: &PeerRun, mode: Mode) -> &'static str {
    if !r.changes.is_empty() {
        return match mode {
            Mode::Complete => "to run the new files that deploy switched",
            Mode::Rollback => "to run its previous files again",
        };
    }
    match (r.restarts.began, r.restarts.ok) {
        (None, _) => "the restart that deploy planned never began",
        (Some(_), None) => "its restart in that deploy did not finish",
        (Some(_), Some(false)) => "its restart in that deploy failed",
        (Some(_), Some(true)) => "its service did not run after its restart in that deploy",
    }
}

/// What settling a loaded unfinished deploy does, as plan lines, in the order it does it;
/// nothing is done.
pub(super) fn describe(
    runs: &[PeerRun; 2],
    recovery: &Recovery,
    options: &DeployOptions,
) -> Vec<String> {
    let begin = &recovery.begin;
    let how = match (recovery.mode, recovery.failed) {
        (Mode::Complete, _) => {
            "complete it (every file of both peers holds its new version and nothing failed)"
        }
        (Mode::Rollback, true) => "roll it back (it recorded a failed restart or status check)",
        (Mode::Rollback, false) => "roll it back (not every file holds its new version)",
    };
    let mut lines = vec![format!(
        "plan: settle the unfinished deploy (lock id {}, {}) before anything else: {how}",
        terminal_safe(&begin.deploy),
        lock::who(&begin.owner)
    )];
    let mut restores = false;
    if recovery.mode == Mode::Rollback {
        for (r, states) in runs.iter().zip(&recovery.states) {
            for (c, state) in r.changes.iter().zip(states) {
                let live = terminal_safe(&c.live);
                let peer = r.target.peer();
                match (state, &c.backup, &c.old_sha256) {
                    (Now::New, Some(b), None) => lines.push(format!(
                        "plan: {peer} restore {live}: a backup ({}) is recorded though it had no previous version, so it is left as it is, this step fails and the pair stays unsettled",
                        terminal_safe(&b.path)
                    )),
                    (Now::New, Some(b), _) => lines.push(format!(
                        "plan: {peer} restore {live} from {}",
                        terminal_safe(&b.path)
                    )),
                    (Now::New, None, None) => lines.push(format!(
                        "plan: {peer} remove {live} (it did not exist before that deploy)"
                    )),
                    (Now::New, None, Some(_)) => lines.push(format!(
                        "plan: {peer} restore {live}: no backup was recorded, so this step fails and the pair stays unsettled"
                    )),
                    (Now::Unknown, ..) => lines.push(format!(
                        "plan: {peer} {live} could not be hashed; it is left as it is"
                    )),
                    _ => continue,
                }
                restores = true;
            }
        }
    }
    for i in restart_sequence(options.restart_order) {
        let r = &runs[i];
        let restart = match recovery.mode {
            Mode::Complete => {
                r.touched() && !(r.restarts.ok == Some(true) && r.restarts.running == Some(true))
            }
            Mode::Rollback => {
                let restores = recovery.states[i].contains(&Now::New);
                restarts_in_rollback(r, true, restores)
            }
        };
        if restart {
            lines.push(format!(
                "plan: {} restart ({})",
                r.target.peer(),
                why_restart(r, recovery.mode)
            ));
        }
    }
    lines.push(
        "plan: remove that deploy's journal and the temporary files it recorded, once both peers hold and run one version"
            .into(),
    );
    if restores {
        lines.push(
            "plan: (the differences below are those of the files as they are now; once the pair is settled they are worked out again, and shown again if they changed)"
                .into(),
        );
    }
    lines
}

/// Settles a loaded unfinished deploy and clears its journals; one that cannot be brought to
/// one version stops here, locks and journals kept.
pub(super) fn recover(
    runs: &mut [PeerRun; 2],
    recovery: Recovery,
    options: &DeployOptions,
    progress: &Progress,
    cx: &mut Context,
) -> Result<(), Failure> {
    let begin = recovery.begin;
    progress.note(&format!(
        "an unfinished deploy (lock id {}, {}) is recorded on the peers: settling it before anything else",
        terminal_safe(&begin.deploy),
        lock::who(&begin.owner)
    ));
    cx.recovering = true;
    let ended = settle(runs, recovery.mode, options, progress, cx);
    cx.recovering = false;
    // A peer left holding the settled version whose restart failed again (its service stopped,
    // or still running the files from before) does not keep the journal: its files are
    // consistent, and the new plan restarts it as it restarts any stopped or outdated service.
    // Only files not verified to be on one version, or a service whose state is unknown, need
    // a person.
    let open: Vec<&PeerRun> = runs
        .iter()
        .filter(|r| !report::peer_consistent(r, ended))
        .collect();
    let left: Vec<(&str, RestartLeft)> = open
        .iter()
        .filter_map(|r| report::only_a_restart_is_left(r).map(|left| (r.target.peer(), left)))
        .collect();
    if left.len() < open.len() {
        let detail = if open.iter().all(|r| report::files_on_target(r)) {
            "both peers hold one version of the files, but whether a peer's service runs after its restart could not be verified (see each peer's state above)"
        } else {
            "the peers could not be verified to be on one version (see each peer's state above)"
        };
        return Err(unsettled(
            "both",
            detail,
            "follow the recovery commands printed for each peer; the locks and journals stay until a deploy settles the pair",
        ));
    }
    let done = match ended {
        Mode::Complete => "completed",
        Mode::Rollback => "rolled back",
    };
    cx.restart_left = open
        .iter()
        .filter(|r| report::only_a_restart_is_left(r).is_some())
        .map(|r| r.role())
        .collect();
    let service: String = left
        .iter()
        .map(|(peer, left)| match left {
            RestartLeft::Stopped => format!(
                "; the service is NOT running on the {peer} (its restart failed again): the new plan restarts it"
            ),
            RestartLeft::RunsOlderFiles => format!(
                "; the restart failed again on the {peer}, whose service still runs the files from before: the new plan restarts it"
            ),
        })
        .collect();
    cx.recovered = Some(format!(
        "the unfinished deploy with lock id {} ({}) was {done} first{service}",
        terminal_safe(&begin.deploy),
        lock::who(&begin.owner)
    ));
    progress.note(&format!("the unfinished deploy was {done}{service}"));
    let cleared = par(runs, |r| {
        let Some(lock) = r.lock.clone() else {
            return Ok(());
        };
        // The planned files, and dhcpd.conf: a change of the shared file alone validates a
        // copy of dhcpd.conf, recorded as a candidate beside it.
        let mut lives: Vec<String> = r.changes.iter().map(|c| c.live.clone()).collect();
        lives.push(r.target.config_path.clone());
        let mut remove = r.journal.temporaries(&lives);
        remove.push(lock.journal());
        let list: Vec<String> = remove
            .iter()
            .map(|p| crate::remote::shell_quote(p))
            .collect();
        let mut command = format!("rm -f -- {}", list.join(" "));
        if let Some(state) = apply::state_command(r, &lock) {
            command = format!("{state} && {command}");
        }
        let what = "recording the settled state and clearing the journal";
        r.step(progress, what, |r| {
            r.conn()?.run(what, &command).map(|_| ())
        })
    });
    if let Some(e) = cleared.into_iter().find_map(Result::err) {
        return Err(Failure::new(Outcome::Unsettled, e));
    }
    for r in runs.iter_mut() {
        r.changes.clear();
        r.journal = Journal::default();
        r.restarts = Restarts::default();
        r.restart_reason = None;
    }
    cx.settled_by = None;
    cx.consistent = false;
    Ok(())
}
