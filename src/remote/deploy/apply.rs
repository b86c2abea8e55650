//! The steps that change the peers: upload and validate candidates, back up and switch,
//! restart and verify, and at the end record the restart, prune backups and release.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Context, DeployOptions, Outcome, PeerRun, first_error, par, restart_sequence};
use crate::remote::exec::{KILL_AFTER, STDERR_KEPT, wrapped};
use crate::remote::journal::{self, Begin, Entry, PlannedFile, PlannedPeer};
use crate::remote::progress::Progress;
use crate::remote::{RemoteError, files, shell_quote as q, signals};

/// The plan of both peers, as the journal's first entry records it.
fn begin(runs: &[PeerRun; 2], options: &DeployOptions) -> Result<Begin, RemoteError> {
    let lock = runs
        .iter()
        .find_map(|r| r.lock.as_ref())
        .ok_or_else(|| RemoteError::ssh("both", "journal", "the lock is not held"))?;
    Ok(Begin {
        deploy: lock.id().to_string(),
        owner: lock.owner().to_string(),
        order: options.restart_order,
        peers: runs
            .iter()
            .map(|r| PlannedPeer {
                peer: r.role(),
                host: r.target.addr(),
                files: r
                    .changes
                    .iter()
                    .map(|c| PlannedFile {
                        live: c.live.clone(),
                        old_sha256: c.old_sha256.clone(),
                        new_sha256: c.new_sha256.clone(),
                    })
                    .collect(),
                restart: r.touched(),
            })
            .collect(),
    })
}

/// Writes each changed file to a candidate next to its live file, on both peers at once; the
/// journal's plan goes with the first command to each peer that takes part.
pub(super) fn upload(
    runs: &mut [PeerRun; 2],
    options: &DeployOptions,
    progress: &Progress,
) -> Result<(), RemoteError> {
    let plan = begin(runs, options)?;
    for r in runs.iter_mut() {
        if r.touched() {
            r.pending.push(Entry::Begin(plan.clone()));
        }
    }
    first_error(par(runs, |r| {
        for i in 0..r.changes.len() {
            let live = r.changes[i].live.clone();
            r.step(progress, &format!("uploading next to {live}"), |r| {
                let before = r.take_pending()?;
                let file = r.journal_file()?;
                let temp = files::upload(r.conn()?, &live, &r.changes[i].new, &file, &before)?;
                r.journal.entries.push(Entry::Candidate {
                    live: live.clone(),
                    suffix: temp.rsplit('.').next().unwrap_or("").to_string(),
                });
                r.changes[i].temp = Some(temp);
                Ok(())
            })?;
        }
        Ok(())
    }))
    .map(|_| ())
}

/// Runs the validate command on the candidate dhcpd.conf (else the live one) of each peer
/// whose files change. In the split layout, when the shared file changes, the dhcpd.conf
/// validated is a copy that includes the shared file's candidate instead of the live shared
/// file, so that the two new files are validated together; the copy is removed afterwards.
pub(super) fn validate(runs: &mut [PeerRun; 2], progress: &Progress) -> Result<(), RemoteError> {
    first_error(par(runs, |r| {
        if r.changes.is_empty() {
            return Ok(());
        }
        let copy = match validation_copy(r) {
            Some(content) => Some(r.step(
                progress,
                "uploading a copy of dhcpd.conf that includes the new shared file",
                |r| upload_validation_copy(r, &content),
            )?),
            None => None,
        };
        let config = copy
            .clone()
            .or_else(|| {
                r.changes
                    .iter()
                    .find(|c| is_file(r, &c.live, &r.target.config_path))
                    .and_then(|c| c.temp.clone())
            })
            .unwrap_or_else(|| r.target.config_path.clone());
        let command = format!("{} {}", r.target.validate_command, q(&config));
        let result = r.step(progress, &format!("validating with `{command}`"), |r| {
            r.conn()?.run("dhcpd -t", &command).map(|_| ())
        });
        if let Some(copy) = copy {
            let removed = r.step(progress, &format!("removing {copy}"), |r| {
                files::remove(r.conn()?, std::slice::from_ref(&copy))
            });
            if removed.is_err() {
                r.leftovers.push(copy);
            }
        }
        result
    }))
    .map(|_| ())
}

/// The dhcpd.conf to validate with the candidate of the shared file (split layout): the
/// rendered dhcpd.conf with its `include` of the shared path pointed at that candidate.
/// `None` when the shared file does not change, or the dhcpd.conf has no such include (a
/// template override without it).
fn validation_copy(r: &PeerRun) -> Option<String> {
    let shared = r.target.shared_path.as_deref()?;
    let candidate = r
        .changes
        .iter()
        .find(|c| is_file(r, &c.live, shared))?
        .temp
        .as_deref()?;
    let config = r.files.iter().find(|f| f.path == r.target.config_path)?;
    let include = format!("include \"{shared}\";");
    config.rendered.contains(&include).then(|| {
        config
            .rendered
            .replace(&include, &format!("include \"{candidate}\";"))
    })
}

/// Uploads the validation copy next to the live dhcpd.conf, as a candidate the journal
/// records (so a deploy killed meanwhile has it removed by the next one).
fn upload_validation_copy(r: &mut PeerRun, content: &str) -> Result<String, RemoteError> {
    let before = r.take_pending()?;
    let file = r.journal_file()?;
    let live = r.target.config_path.clone();
    let temp = files::upload(r.conn()?, &live, content.as_bytes(), &file, &before)?;
    r.journal.entries.push(Entry::Candidate {
        live,
        suffix: temp.rsplit('.').next().unwrap_or("").to_string(),
    });
    Ok(temp)
}

/// Whether `live` is the file configured at `path` (or the target of its link).
fn is_file(r: &PeerRun, live: &str, path: &str) -> bool {
    live == path
        || r.inspection.as_ref().is_some_and(|i| {
            i.files.iter().any(|f| {
            f.path == path
                && matches!(&f.kind, crate::remote::inspect::Kind::Symlink(Some(t)) if t == live)
        })
        })
}

fn interrupted() -> Result<(), RemoteError> {
    match signals::interrupted() {
        Some(s) => Err(RemoteError::Interrupted {
            signal: signals::name(s).into(),
        }),
        None => Ok(()),
    }
}

/// Backs up and switches every changed file on both peers, then restarts the peers in order
/// and checks they run. Stops at the first error, or after the step under way when a signal
/// came or the other peer's step failed; what was done is in the runs for the settle that
/// follows.
pub(super) fn apply(
    runs: &mut [PeerRun; 2],
    options: &DeployOptions,
    progress: &Progress,
) -> Result<(), RemoteError> {
    let failed = AtomicBool::new(false);
    first_error(par(runs, |r| {
        let result = switch(r, progress, &failed);
        if result.is_err() {
            failed.store(true, Ordering::SeqCst);
        }
        result
    }))?;
    for i in restart_sequence(options.restart_order) {
        // A peer left as it was has nothing to restart: a signal during the other's (last)
        // restart is a late one, not a reason to stop here.
        if !runs[i].touched() {
            continue;
        }
        interrupted()?;
        restart_and_verify(&mut runs[i], options, progress)?;
    }
    Ok(())
}

/// Backs up and switches a peer's changed files, one step at a time; stops before the next
/// step when a signal came, or quietly (its partner's error is the one reported) once
/// `partner_failed` is set.
fn switch(
    r: &mut PeerRun,
    progress: &Progress,
    partner_failed: &AtomicBool,
) -> Result<(), RemoteError> {
    let go_on = |r: &PeerRun| -> Result<bool, RemoteError> {
        interrupted()?;
        if partner_failed.load(Ordering::SeqCst) {
            progress.note(&format!(
                "{}: stopping after the step under way: the {} failed",
                r.target.peer(),
                r.role().partner().as_str()
            ));
            return Ok(false);
        }
        Ok(true)
    };
    for i in 0..r.changes.len() {
        if !go_on(r)? {
            return Ok(());
        }
        let live = r.changes[i].live.clone();
        r.step(progress, &format!("backing up {live}"), |r| {
            let file = r.journal_file()?;
            let made = files::backup(r.conn()?, &live, &file)?;
            if let Some(b) = &made {
                r.journal.entries.push(Entry::Backup {
                    live: live.clone(),
                    suffix: b.path[live.len() + files::BACKUP_INFIX.len()..].to_string(),
                });
            }
            r.changes[i].backup = made;
            Ok(())
        })?;
        if !go_on(r)? {
            return Ok(());
        }
        let temp = r.changes[i].temp.clone().unwrap_or_default();
        r.step(progress, &format!("renaming {temp} to {live}"), |r| {
            let file = r.journal_file()?;
            // Recorded before the rename: a rename whose answer is lost may have happened.
            r.changes[i].switched = true;
            r.journal.entries.push(Entry::Switch { live: live.clone() });
            files::switch(r.conn()?, &temp, &live, &file)?;
            r.changes[i].temp = None;
            Ok(())
        })?;
    }
    Ok(())
}

/// Restarts a peer under its restart deadline (recorded in the journal before and after), then
/// checks that its service runs.
pub(super) fn restart_and_verify(
    r: &mut PeerRun,
    options: &DeployOptions,
    progress: &Progress,
) -> Result<(), RemoteError> {
    let restart = r.target.restart_command.clone();
    let first_check = r.step(progress, &format!("restarting (`{restart}`)"), restart_peer)?;
    if first_check == FirstCheck::Hung {
        progress.note(&format!(
            "{}: the status command ran longer than {} s right after the restart (the peer killed it); checking again",
            r.target.peer(),
            r.target.command_timeout.as_secs()
        ));
    }
    let status = r.target.status_command.clone();
    r.step(
        progress,
        &format!("checking the service runs (`{status}`)"),
        |r| {
            let result = if first_check == FirstCheck::Running {
                Ok(())
            } else {
                verify_running(r, options.verify_timeout)
            };
            r.restarts.running = Some(result.is_ok());
            result
        },
    )
}

/// What the status command said right after a successful restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FirstCheck {
    /// The service runs.
    Running,
    /// Not (yet): it is checked again.
    NotYet,
    /// The status command ran past `command-timeout` and the peer killed it.
    Hung,
}

/// The restart command, with its journal entries, under its own deadline; after a successful
/// restart the same command runs the status command once, under `command-timeout` (a status
/// command that hangs is told apart from a restart that hangs). The restart's output goes to a
/// file in the lock, printed once the journal records the end: a link lost meanwhile never
/// kills the restart through a write to the channel.
fn restart_peer(r: &mut PeerRun) -> Result<FirstCheck, RemoteError> {
    let deadline = r.target.restart_timeout;
    let file = r.journal_file()?;
    let output = q(&r.restart_output()?);
    let pending = r.take_pending()?;
    let began = journal::append_with(
        &file,
        &Entry::RestartBegin {
            at: journal::placeholder(),
            deadline: deadline.as_secs(),
        },
        "now",
    );
    let ended = |ok| journal::append(&file, &[Entry::RestartEnd { ok }]);
    let status_deadline = r.target.command_timeout;
    let command = format!(
        "{pending} && now=$(date +%s) && {began} || exit 1; {} >{output} 2>&1 </dev/null; rc=$?; said=; \
         if [ $rc -eq 0 ]; then {}; {} >/dev/null 2>&1 </dev/null; st=$?; \
         if [ $st -eq 0 ]; then {}; said=running; elif [ $st -eq 124 ] || [ $st -eq 137 ]; then said=status-hung; fi; \
         else {}; fi; head -c {STDERR_KEPT} -- {output} >&2 2>/dev/null; printf '%s\\n' \"$said\"; exit $rc",
        wrapped(&r.target.restart_command, deadline),
        ended(true),
        wrapped(&r.target.status_command, status_deadline),
        journal::append(&file, &[Entry::Running { ok: true }]),
        ended(false),
    );
    r.journal.entries.push(Entry::RestartBegin {
        at: "0".into(),
        deadline: deadline.as_secs(),
    });
    r.restarts = super::Restarts {
        began: Some((Instant::now(), deadline)),
        ..super::Restarts::default()
    };
    let started = Instant::now();
    // Past the restart's deadline and the status command's, each with its kill grace.
    let outer = deadline + status_deadline + KILL_AFTER * 2 + Duration::from_secs(20);
    let out = r.conn()?.exec_within(&command, None, outer)?;
    let ok = out.status == 0;
    r.restarts.ok = Some(ok);
    r.journal.entries.push(Entry::RestartEnd { ok });
    if !ok && [124, 137].contains(&out.status) && started.elapsed() >= deadline {
        return Err(RemoteError::Deadline {
            peer: r.target.peer().into(),
            action: "the restart".into(),
            command: crate::remote::text::terminal_safe(&r.target.restart_command),
            seconds: deadline.as_secs(),
        });
    }
    let out = r
        .conn()?
        .check("restart", &r.target.restart_command, out, deadline)?;
    let said = String::from_utf8_lossy(&out.stdout);
    Ok(if said.contains("running") {
        r.journal.entries.push(Entry::Running { ok: true });
        FirstCheck::Running
    } else if said.contains("status-hung") {
        FirstCheck::Hung
    } else {
        FirstCheck::NotYet
    })
}

/// Runs the status command until it succeeds or `timeout` passes (at most 30 tries); its
/// success is recorded in the journal by the same command.
fn verify_running(r: &mut PeerRun, timeout: Duration) -> Result<(), RemoteError> {
    let file = r.journal_file()?;
    let status = r.target.status_command.clone();
    let command = format!(
        "sh -c {} && {{ {}; true; }}",
        q(&status),
        journal::append(&file, &[Entry::Running { ok: true }])
    );
    let conn = r.conn()?;
    let start = Instant::now();
    let mut tries = 0;
    let result: Result<(), RemoteError> = loop {
        tries += 1;
        let out = conn.exec(&command, None)?;
        match conn.check("the status command", &status, out, r.target.command_timeout) {
            Ok(_) => break Ok(()),
            Err(e) if start.elapsed() >= timeout || tries >= 30 => break Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(500)),
        }
    };
    let ok = result.is_ok();
    if !ok {
        let _ = conn.exec(&journal::append(&file, &[Entry::Running { ok }]), None);
    }
    r.journal.entries.push(Entry::Running { ok });
    result
}

/// The hashes a peer's state record holds after a verified restart: the live files as they
/// are now (rendered for those deployed, verified for those rolled back, read for the rest).
fn state_hashes(r: &PeerRun) -> Option<std::collections::BTreeMap<String, String>> {
    let inspection = r.inspection.as_ref()?;
    let mut out = std::collections::BTreeMap::new();
    for f in &inspection.files {
        let real = match &f.kind {
            crate::remote::inspect::Kind::Symlink(Some(t)) if r.target.follow_symlinks => t,
            _ => &f.path,
        };
        let hash = match (&r.final_state, r.changes.iter().find(|c| c.live == *real)) {
            (Some(fin), _) => fin
                .files
                .iter()
                .find(|h| h.path == *real)
                .and_then(|h| h.sha256.clone())
                .or_else(|| f.content.as_deref().map(files::sha256)),
            (None, Some(c)) => Some(c.new_sha256.clone()),
            (None, None) => f.content.as_deref().map(files::sha256),
        };
        out.insert(f.path.clone(), hash?);
    }
    Some(out)
}

/// The command that records a peer's verified restart (`None` when it was not restarted and
/// verified running): the hashes of its live files, the peer's clock and its dhcpd processes,
/// written atomically.
pub(super) fn state_command(r: &PeerRun, lock: &crate::remote::lock::Lock) -> Option<String> {
    if r.restarts.ok != Some(true) || r.restarts.running != Some(true) {
        return None;
    }
    crate::remote::record::write_command(&r.target, state_hashes(r)?, lock.id())
}

/// Removes candidates left behind; then, on each peer still locked, in one command: prunes the
/// backups beyond `keep-backups` (after a deploy), records a verified restart, and releases
/// the lock when the pair is settled. Returns whether it is, and both locks were released.
pub(super) fn finish(
    runs: &mut [PeerRun; 2],
    outcome: Outcome,
    options: &DeployOptions,
    progress: &Progress,
    cx: &Context,
) -> bool {
    // A lock that may hold an unfinished deploy's journal this run did not settle is kept;
    // after a settle (a rollback, a completion), only what it verified settles the pair.
    let settled = match outcome {
        Outcome::Unsettled => false,
        _ if cx.pending_journal => false,
        _ if cx.settled_by.is_some() => cx.consistent,
        _ => true,
    };
    par(runs, |r| {
        let mut left: Vec<String> = r.changes.iter().filter_map(|c| c.temp.clone()).collect();
        left.append(&mut r.leftovers);
        if !left.is_empty() && r.conn.is_some() {
            let what = format!("removing {}", left.join(", "));
            if r.step(progress, &what, |r| files::remove(r.conn()?, &left))
                .is_ok()
            {
                for c in &mut r.changes {
                    c.temp = None;
                }
            }
        }
        let Some(lock) = r.lock.clone() else {
            return;
        };
        let mut parts = Vec::new();
        let mut labels = Vec::new();
        if outcome == Outcome::Deployed {
            let mut remove = Vec::new();
            for backup in r.changes.iter().filter_map(|c| c.backup.as_ref()) {
                remove.extend(files::prune_list(
                    backup.all.clone(),
                    &backup.path,
                    options.keep_backups,
                ));
            }
            if !remove.is_empty() {
                // An old backup that cannot be removed (immutable, say) stays, and the next
                // deploy's pruning tries again: it never keeps the pair from settling.
                let list: Vec<String> = remove.iter().map(|p| q(p)).collect();
                parts.push(format!("{{ rm -f -- {} || true; }}", list.join(" ")));
                labels.push("pruning old backups");
            }
        }
        if (outcome == Outcome::Deployed || cx.consistent)
            && let Some(record) = state_command(r, &lock)
        {
            parts.push(record);
            labels.push("recording the restart");
        }
        if settled {
            parts.push(lock.release_command());
            labels.push("releasing the lock");
        }
        if parts.is_empty() || r.conn.is_none() {
            return;
        }
        let mut what = match labels.split_last() {
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        if !settled {
            what.push_str(" (the lock and journal stay: the pair is not settled)");
        }
        let command = parts.join(" && ");
        if r.step(progress, &what, |r| {
            r.conn()?.run(&what, &command).map(|_| ())
        })
        .is_ok()
            && settled
        {
            r.lock = None;
        }
    });
    // A lock that could not be released keeps its journal: the next deploy settles from it.
    settled && runs.iter().all(|r| r.lock.is_none())
}
