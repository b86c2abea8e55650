//! The final word on each peer: after a failure, a signal or a recovery, what it was verified to
//! hold (SHA-256 of each live file against the previous and the new content), whether its
//! restart and its status command succeeded, and the exact commands that finish the job by hand,
//! naming only backups verified to exist and to hold the previous content.

use serde::Serialize;

use super::settle::{Mode, Now, classify};
use super::{Outcome, PeerRun};
use crate::remote::inspect::{self, Service};
use crate::remote::progress::Progress;
use crate::remote::text::terminal_safe;
use crate::remote::{RemoteError, files, shell_quote as q};

/// What a live file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Holds {
    /// The rendered file.
    New,
    /// The file from before the deploy (or no file, when there was none).
    Previous,
    /// Neither: changed by something else.
    Neither,
    /// Not verified (the peer could not be reached).
    Unknown,
}

/// How the last restart of a peer during the deploy went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RestartResult {
    /// None ran.
    NotRun,
    /// It exited 0.
    Succeeded,
    /// It failed (or never began on the peer).
    Failed,
    /// Its answer was lost, and the peer's journal recorded no end by its deadline.
    Unknown,
}

/// One live file's verified content.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HeldFile {
    /// The live file.
    pub path: String,
    /// What it holds.
    pub holds: Holds,
    /// Its SHA-256 (`None`: it does not exist, or was not verified).
    pub sha256: Option<String>,
    /// The backup of its previous content, if one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
    /// Whether that backup exists and holds the previous content (`None`: not verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_intact: Option<bool>,
}

/// A peer's state as verified at the end.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FinalState {
    /// Whether the facts below were measured on the peer (false: it could not be reached, and
    /// they are what dhcpfo last knew).
    pub verified: bool,
    /// The version both peers were being brought to: `new` (completed) or `previous` (rolled
    /// back).
    pub target: Holds,
    /// The files the deploy touched.
    pub files: Vec<HeldFile>,
    /// How the last restart during the deploy went.
    pub restart: RestartResult,
    /// Whether the status command says the service runs now (`None`: not checked, or the
    /// status command did not answer).
    pub running: Option<bool>,
    /// Whether the status command ran past `command-timeout` (the peer killed it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub status_hung: bool,
    /// Commands that bring the peer to the target version and running, by hand (empty when
    /// there is nothing left to do).
    pub recovery: Vec<String>,
}

/// Verifies what a touched peer holds and runs, and records it as its final state.
pub(super) fn verify(r: &mut PeerRun, mode: Mode, progress: &Progress) {
    if !r.touched() {
        return;
    }
    let target = match mode {
        Mode::Complete => Holds::New,
        Mode::Rollback => Holds::Previous,
    };
    let lives: Vec<String> = r.changes.iter().map(|c| c.live.clone()).collect();
    let backups: Vec<String> = r
        .changes
        .iter()
        .filter_map(|c| c.backup.as_ref().map(|b| b.path.clone()))
        .collect();
    let paths: Vec<&str> = lives.iter().chain(&backups).map(String::as_str).collect();
    // The hashes and the status command run apart, so a status command that hangs costs the
    // answer about the service only.
    let hashed = if r.conn.is_some() {
        r.step(progress, "verifying what it holds (SHA-256)", |r| {
            files::hashes(r.conn()?, &paths)
        })
        .ok()
    } else {
        None
    };
    let restart = match (r.restarts.began, r.restarts.ok) {
        (None, _) => RestartResult::NotRun,
        (Some(_), Some(true)) => RestartResult::Succeeded,
        (Some(_), Some(false)) => RestartResult::Failed,
        (Some(_), None) => RestartResult::Unknown,
    };
    let Some(hashes) = hashed else {
        r.final_state = Some(FinalState {
            verified: false,
            target,
            files: r
                .changes
                .iter()
                .map(|c| HeldFile {
                    path: c.live.clone(),
                    holds: Holds::Unknown,
                    sha256: None,
                    backup: c.backup.as_ref().map(|b| b.path.clone()),
                    backup_intact: None,
                })
                .collect(),
            restart,
            running: None,
            status_hung: false,
            recovery: Vec::new(),
        });
        return;
    };
    let status = r.target.status_command.clone();
    let mut status_hung = false;
    let service = r
        .step(
            progress,
            &format!("checking whether its service runs (`{status}`)"),
            |r| match inspect::service(r.conn()?)? {
                Service::Hung(seconds) => {
                    status_hung = true;
                    Err(RemoteError::Deadline {
                        peer: r.target.peer().into(),
                        action: "the status command".into(),
                        command: terminal_safe(&status),
                        seconds,
                    })
                }
                service => Ok(service),
            },
        )
        .ok();
    let running = service.map(|s| s == Service::Running);
    let (live_hashes, backup_hashes) = hashes.split_at(lives.len());
    let mut backup_hashes = backup_hashes.iter();
    let held: Vec<HeldFile> = r
        .changes
        .iter()
        .zip(live_hashes)
        .map(|(c, h)| {
            let backup_intact = c.backup.as_ref().map(|_| {
                backup_hashes.next().cloned().flatten() == c.old_sha256 && c.old_sha256.is_some()
            });
            HeldFile {
                path: c.live.clone(),
                holds: match classify(c, h.as_deref()) {
                    Now::New => Holds::New,
                    Now::Old => Holds::Previous,
                    Now::Neither | Now::Unknown => Holds::Neither,
                },
                sha256: h.clone(),
                backup: c.backup.as_ref().map(|b| b.path.clone()),
                backup_intact,
            }
        })
        .collect();
    let mut state = FinalState {
        verified: true,
        target,
        files: held,
        restart,
        running,
        status_hung,
        recovery: Vec::new(),
    };
    state.recovery = recovery(r, &state);
    r.final_state = Some(state);
}

/// The commands that bring a verified peer to the target version and running.
fn recovery(r: &PeerRun, state: &FinalState) -> Vec<String> {
    let mut out = Vec::new();
    let mut fixed = false;
    for (f, c) in state.files.iter().zip(&r.changes) {
        if f.holds == state.target {
            continue;
        }
        fixed = true;
        match state.target {
            Holds::Previous => match (&c.old_sha256, &f.backup, f.backup_intact) {
                (None, None, _) => out.push(format!("rm -f -- {}", q(&f.path))),
                (None, Some(b), _) => out.push(format!(
                    "# {} had no previous version, yet backup {b} was made: compare the two; to put the backup back: cp -p -- {} {}",
                    f.path,
                    q(b),
                    q(&f.path)
                )),
                (Some(_), Some(b), Some(true)) => {
                    out.push(format!("cp -p -- {} {}", q(b), q(&f.path)));
                }
                _ => out.push(format!(
                    "# no backup holds the previous {}: restore it from elsewhere, or deploy again",
                    f.path
                )),
            },
            _ => out.push(format!(
                "# {} should hold the new file: run `dhcpfo deploy` again",
                f.path
            )),
        }
    }
    let restart_failed = matches!(
        state.restart,
        RestartResult::Failed | RestartResult::Unknown
    );
    if fixed || restart_failed || state.running == Some(false) {
        out.push(r.target.restart_command.clone());
        out.push(r.target.status_command.clone());
    }
    out
}

/// Whether both peers hold the target version and every peer restarted in the deploy runs.
pub(super) fn consistent(runs: &[PeerRun; 2], mode: Mode) -> bool {
    runs.iter().all(|r| peer_consistent(r, mode))
}

/// Whether a peer holds the target version and runs it (or was not touched).
pub(super) fn peer_consistent(r: &PeerRun, mode: Mode) -> bool {
    match &r.final_state {
        None => r.changes.is_empty() && !r.touched(),
        Some(s) => {
            holds_target(s)
                && match mode {
                    Mode::Complete => {
                        s.restart == RestartResult::Succeeded && s.running == Some(true)
                    }
                    Mode::Rollback => match s.restart {
                        RestartResult::NotRun => true,
                        RestartResult::Succeeded => s.running == Some(true),
                        RestartResult::Failed | RestartResult::Unknown => false,
                    },
                }
        }
    }
}

/// Whether a peer was verified to hold the target version of every file the deploy touched.
pub(super) fn files_on_target(r: &PeerRun) -> bool {
    r.final_state.as_ref().is_some_and(holds_target)
}

/// What is left on a peer that holds the target version of its files, when only a restart is:
/// its service is stopped, or its restart command failed while the service still runs (it
/// runs files from before them). The next plan sees either, as it sees any stopped service or
/// one started before its files changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RestartLeft {
    Stopped,
    RunsOlderFiles,
}

/// Whether only a restart is left on a peer (see [`RestartLeft`]).
pub(super) fn only_a_restart_is_left(r: &PeerRun) -> Option<RestartLeft> {
    let s = r.final_state.as_ref().filter(|s| holds_target(s))?;
    match (s.restart, s.running) {
        (_, Some(false)) => Some(RestartLeft::Stopped),
        (RestartResult::Failed, Some(true)) => Some(RestartLeft::RunsOlderFiles),
        _ => None,
    }
}

fn holds_target(s: &FinalState) -> bool {
    s.verified && s.files.iter().all(|f| f.holds == s.target)
}

fn list(names: &[&str]) -> String {
    names.join(", ")
}

/// One sentence on the state a peer was left in (`settle_pending`: an unfinished deploy found
/// on the peers was left as it is).
pub(super) fn sentence(
    r: &PeerRun,
    outcome: Outcome,
    settled: bool,
    settle_pending: bool,
) -> String {
    let lock_left = if settled || r.lock.is_none() {
        String::new()
    } else {
        format!(
            "; its lock and journal stay in {}, so the next `dhcpfo deploy` settles the pair first",
            r.lock.as_ref().map_or("", |l| l.dir.as_str())
        )
    };
    if let Some(state) = &r.final_state {
        return describe(r, state) + &lock_left;
    }
    if r.conn.is_none() && r.steps.is_empty() {
        return "not contacted".into();
    }
    let text = match outcome {
        Outcome::Deployed if !r.changes.is_empty() => {
            "updated and restarted; the service runs".to_string()
        }
        Outcome::Deployed if r.touched() => format!(
            "restarted ({}); the service runs",
            r.restart_reason.as_deref().unwrap_or("")
        ),
        Outcome::Deployed | Outcome::NothingToDo => "unchanged (already up to date)".into(),
        Outcome::DryRun if settle_pending => {
            "unchanged (dry run; the unfinished deploy is settled first, so the new files were not validated)".into()
        }
        Outcome::DryRun if r.changes.is_empty() && r.touched() => {
            "unchanged (dry run; it would be restarted, with no file to replace)".into()
        }
        Outcome::DryRun if r.touched() => "unchanged (dry run; the new files validate)".into(),
        _ => "unchanged".into(),
    };
    text + &lock_left
}

fn describe(r: &PeerRun, s: &FinalState) -> String {
    let name = |f: &HeldFile| files::file_name(&f.path).to_string();
    let mut parts = Vec::new();
    if !s.verified {
        let switched: Vec<String> = r
            .changes
            .iter()
            .filter(|c| c.switched)
            .map(|c| files::file_name(&c.live).to_string())
            .collect();
        parts.push(format!(
            "UNREACHABLE, not verified: when last reached it had {}{}",
            if switched.is_empty() {
                "no file switched".to_string()
            } else {
                format!("switched {} to the new version", switched.join(", "))
            },
            match s.restart {
                RestartResult::Unknown => ", and a restart was under way",
                RestartResult::Succeeded => ", and was restarted",
                RestartResult::Failed => ", and its restart had failed",
                RestartResult::NotRun => "",
            }
        ));
        parts.push(
            "the journal in its lock lets the next `dhcpfo deploy` complete or roll it back".into(),
        );
        return parts.join("; ");
    }
    let of =
        |h: Holds| -> Vec<String> { s.files.iter().filter(|f| f.holds == h).map(&name).collect() };
    let (new, previous, neither) = (of(Holds::New), of(Holds::Previous), of(Holds::Neither));
    let restored = r
        .steps
        .iter()
        .any(|st| st.ok && st.step.starts_with("restoring"));
    let files = if s.files.is_empty() {
        "its files were not to change".to_string()
    } else if !neither.is_empty() {
        format!(
            "{} holds NEITHER the previous nor the new file",
            list(&neither.iter().map(String::as_str).collect::<Vec<_>>())
        )
    } else if new.is_empty() {
        if restored {
            "restored to its previous files (verified by SHA-256)".into()
        } else {
            "holds its previous files (verified by SHA-256)".into()
        }
    } else if previous.is_empty() {
        "holds the NEW files (verified by SHA-256)".into()
    } else {
        format!(
            "holds a MIX (verified by SHA-256): the new {} and the previous {}",
            new.join(", "),
            previous.join(", ")
        )
    };
    parts.push(files);
    parts.push(
        match s.restart {
            RestartResult::NotRun => "not restarted (it runs what it ran before the deploy)",
            RestartResult::Succeeded => "restarted",
            RestartResult::Failed => "its restart FAILED",
            RestartResult::Unknown => {
                "whether its restart succeeded is UNKNOWN (its answer was lost, and the journal on the peer records no end)"
            }
        }
        .into(),
    );
    parts.push(
        match s.running {
            Some(true) => "its service runs",
            Some(false) => "its service is NOT running",
            None if s.status_hung => {
                "whether its service runs is unknown: its status command did not answer in time"
            }
            None => "its service was not checked",
        }
        .into(),
    );
    if !s.recovery.is_empty() {
        parts.push(format!(
            "to recover by hand: {}",
            terminal_safe(&s.recovery.join("; "))
        ));
    }
    parts.join("; ")
}
