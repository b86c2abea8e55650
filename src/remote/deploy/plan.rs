//! Reading both peers before a deploy and deciding what to do on each: which files change,
//! which peer needs a restart though its files do not (it does not run what is on disk), and
//! whether a lock or an unfinished deploy stands in the way.

use super::{Change, PeerRun, first_error, par};
use crate::model::Role;
use crate::remote::diff::{self, remote_path};
use crate::remote::inspect::{self, Inspection, Kind, Runs};
use crate::remote::journal::{Journal, PlannedFile, Restart};
use crate::remote::lock::{self, Holder, parent};
use crate::remote::progress::Progress;
use crate::remote::text::terminal_safe;
use crate::remote::{RemoteError, Target, files, shell_quote};
use crate::render::RenderedFile;

/// Inspects both peers at once (as one step each) and works out each one's plan.
pub(super) fn inspect_both(
    runs: &mut [PeerRun; 2],
    rendered: &[RenderedFile],
    what: &str,
    progress: &Progress,
) -> Result<(), RemoteError> {
    first_error(par(runs, |r| {
        r.step(progress, what, |r| inspect_peer(r, rendered))
    }))
    .map(|_| ())
}

/// The rendered files a peer gets, each with the remote path it replaces.
pub(crate) fn peer_files<'a>(
    target: &Target,
    rendered: &'a [RenderedFile],
) -> Vec<(&'a RenderedFile, String)> {
    rendered
        .iter()
        .filter(|f| f.role == target.role)
        .filter_map(|f| remote_path(target, f).map(|p| (f, p.to_string())))
        .collect()
}

/// Live versus rendered, for the files [`peer_files`] lists, as `inspection` read them.
pub(crate) fn diffs(
    target: &Target,
    mine: &[(&RenderedFile, String)],
    inspection: &Inspection,
) -> Vec<diff::FileDiff> {
    mine.iter()
        .zip(&inspection.files)
        .map(|((f, path), live)| {
            let text = live
                .content
                .as_deref()
                .map(|c| String::from_utf8_lossy(c).into_owned());
            diff::file_diff(target.role, f.name, path, text, f.content.clone())
        })
        .collect()
}

/// Why a peer needs a restart though its files do not change, if it does: it does not run
/// them, or whether it does cannot be told.
pub(super) fn restart_due(target: &Target, inspection: &Inspection) -> Option<String> {
    restart_reason(target, &inspect::runs_what_is_on_disk(target, inspection))
}

/// The reason [`restart_due`] gives for a judgment.
pub(crate) fn restart_reason(target: &Target, runs: &Runs) -> Option<String> {
    match runs {
        Runs::No(why) => Some(why.clone()),
        Runs::Unknown(why) => Some(format!(
            "cannot tell whether {} runs the files on disk: {why}",
            target.peer()
        )),
        Runs::Yes(_) => None,
    }
}

fn inspect_peer(r: &mut PeerRun, rendered: &[RenderedFile]) -> Result<(), RemoteError> {
    let mine = peer_files(&r.target, rendered);
    let paths: Vec<String> = mine.iter().map(|(_, p)| p.clone()).collect();
    let conn = r.conn()?;
    let mut inspection = inspect::inspect(conn, &paths, true)?;
    inspection.service = Some(inspect::service(conn)?);
    let mut real = Vec::new();
    for file in &inspection.files {
        real.push(match &file.kind {
            Kind::Symlink(target) if r.target.follow_symlinks => {
                let target = target
                    .clone()
                    .filter(|t| t.starts_with('/') && !t.chars().any(char::is_control));
                target.ok_or_else(|| RemoteError::UnsafePath {
                    peer: r.target.peer().into(),
                    path: file.path.clone(),
                    reason: "is a symbolic link that does not resolve to a usable path".into(),
                    fix: "point the link at the real file, or replace it with the file".into(),
                })?
            }
            _ => file.path.clone(),
        });
    }
    let writes: Vec<&str> = real
        .iter()
        .map(|p| parent(p))
        .chain([parent(&r.target.config_path)])
        .collect();
    inspect::check_safe(&r.target, &inspection, &writes)?;
    if real != paths {
        // The targets of followed links: their folders are checked, and they must be files.
        let targets = inspect::inspect(conn, &real, true)?;
        let mut strict = r.target.clone();
        strict.follow_symlinks = false;
        inspect::check_safe(&strict, &targets, &writes)?;
    }
    r.files = diffs(&r.target, &mine, &inspection);
    r.changes = mine
        .iter()
        .zip(&inspection.files)
        .zip(&real)
        .filter(|(((f, _), live), _)| live.content.as_deref() != Some(f.content.as_bytes()))
        .map(|(((f, _), live), real)| Change {
            live: real.clone(),
            old_sha256: live.content.as_deref().map(files::sha256),
            new: f.content.as_bytes().to_vec(),
            new_sha256: files::sha256(f.content.as_bytes()),
            temp: None,
            backup: None,
            switched: false,
        })
        .collect();
    r.restart_reason = if r.changes.is_empty() {
        restart_due(&r.target, &inspection)
    } else {
        Some("its files change".into())
    };
    r.inspection = Some(inspection);
    Ok(())
}

/// Refuses a lock held by a deploy that runs, or whose owner cannot be judged from here
/// (unless `--force-unlock` names it).
pub(super) fn refuse_live_locks(
    runs: &[PeerRun; 2],
    options: &super::DeployOptions,
) -> Result<(), RemoteError> {
    for r in runs {
        let Some(owner) = r.inspection.as_ref().and_then(|i| i.lock_owner.as_ref()) else {
            continue;
        };
        let forced = options.force_unlock.is_some()
            && lock::lock_id(owner) == options.force_unlock.as_deref();
        match lock::judge(owner) {
            Holder::Dead(_) => {}
            _ if forced => {}
            holder => return Err(lock::locked(r.conn()?, owner, &holder)),
        }
    }
    Ok(())
}

/// Whether either peer's lock holds the journal of a deploy that began and did not settle.
pub(super) fn unfinished(runs: &[PeerRun; 2]) -> bool {
    runs.iter().any(|r| {
        r.inspection
            .as_ref()
            .and_then(|i| i.journal.as_ref())
            .is_some_and(|j| j.unfinished())
    })
}

/// Lines that describe an unfinished deploy's journal in the lock of peer `role` (for `diff`
/// and `status`): who ran it, and for each file of that peer's plan whether it now holds the
/// previous or the new content (`hashes`: the current SHA-256 of one of that peer's live
/// files, `None` when it was not read), whether it was restarted. Only that peer's files are
/// described: both peers usually have the same paths, and the journal in one peer's lock
/// speaks of that peer.
pub(crate) fn describe_unfinished(
    role: Role,
    inspection: &Inspection,
    hashes: &dyn Fn(&str) -> Option<Option<String>>,
) -> Vec<String> {
    let Some(journal) = inspection.journal.as_ref() else {
        return Vec::new();
    };
    let view = Unfinished {
        role,
        owner: inspection.lock_owner.as_deref().unwrap_or(""),
        journal,
    };
    view.describe(hashes)
}

/// The peer, its lock's owner line and its journal.
struct Unfinished<'a> {
    role: Role,
    owner: &'a str,
    journal: &'a Journal,
}

impl Unfinished<'_> {
    /// This peer's files in the plan.
    fn files(&self) -> Vec<&PlannedFile> {
        self.journal
            .begin()
            .into_iter()
            .flat_map(|b| &b.peers)
            .filter(|p| p.peer == self.role)
            .flat_map(|p| &p.files)
            .collect()
    }

    fn describe(&self, hashes: &dyn Fn(&str) -> Option<Option<String>>) -> Vec<String> {
        let (owner, journal) = (self.owner, self.journal);
        let Some(begin) = journal.begin().filter(|_| journal.unfinished()) else {
            return Vec::new();
        };
        let state = match lock::judge(owner) {
            Holder::Alive => "in progress".to_string(),
            Holder::Dead(why) => format!("interrupted: {why}"),
            Holder::Unknown(why) => format!("state unknown: {why}"),
        };
        let mut lines = vec![format!(
            "an unfinished deploy (lock id {}, {}) is recorded in the journal here ({state})",
            terminal_safe(&begin.deploy),
            lock::who(if owner.is_empty() {
                &begin.owner
            } else {
                owner
            })
        )];
        for f in self.files() {
            let Some(now) = hashes(&f.live) else {
                continue;
            };
            let held = if now.as_deref() == Some(f.new_sha256.as_str()) {
                "the NEW file"
            } else if now == f.old_sha256 {
                "the previous file"
            } else {
                "a file that is neither the previous nor the new one"
            };
            lines.push(format!(
                "{} holds {held}{}",
                terminal_safe(&f.live),
                if journal.switched(&f.live) {
                    " (switched by that deploy)"
                } else {
                    ""
                }
            ));
        }
        lines.push(match journal.restart() {
            Restart::NotStarted if !journal.any_switch() => {
                "no file of this peer was switched, and it was not restarted".into()
            }
            Restart::NotStarted => {
                "this peer was not restarted after its files were switched".into()
            }
            Restart::Unknown { .. } => {
                "this peer's restart began and its end was not recorded".into()
            }
            Restart::Ended { ok, running } => format!(
                "this peer's restart {}{}",
                if ok { "succeeded" } else { "FAILED" },
                match running {
                    Some(true) => ", and its service ran after it",
                    Some(false) => ", and its service did NOT run after it",
                    None => "",
                }
            ),
        });
        lines.push(
            "run `dhcpfo deploy` to complete or roll it back (it does so before anything else)"
                .into(),
        );
        lines
    }
}

/// Refuses (DF531) journal files that are not this peer's files in the model: its live
/// files, and with `follow-symlinks` their targets (resolved on the peer only when needed).
fn check_model_files(conn: &crate::remote::Connection, lives: &[&str]) -> Result<(), RemoteError> {
    let t = &conn.target;
    let shared = t.shared_path.as_ref();
    let mut mine: Vec<String> = [Some(&t.config_path), Some(&t.defaults_path), shared]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    if t.follow_symlinks && lives.iter().any(|l| !mine.iter().any(|m| m == l)) {
        let list: Vec<String> = mine.iter().map(|m| shell_quote(m)).collect();
        let out = conn.run(
            "resolving the live files' links",
            &format!(
                "for f in {}; do readlink -f -- \"$f\" || echo; done",
                list.join(" ")
            ),
        )?;
        let targets = String::from_utf8_lossy(&out.stdout).into_owned();
        mine.extend(
            targets
                .lines()
                .filter(|l| l.starts_with('/'))
                .map(str::to_string),
        );
    }
    let Some(other) = lives.iter().find(|l| !mine.iter().any(|m| m == *l)) else {
        return Ok(());
    };
    let dir = lock::lock_dir(&t.config_path);
    Err(RemoteError::Unfinished {
        peer: t.peer().into(),
        detail: terminal_safe(&format!(
            "its journal names {other}, which is not one of this peer's files in the model ({}); it was not read",
            mine.join(", ")
        )),
        fix: terminal_safe(&format!(
            "if the model's paths or layout changed since that deploy, run this with the model and `--layout` it ran with; otherwise read the journal in {dir} on the peer, put the files it names right by hand, then remove {dir}"
        )),
    })
}

/// Reads a peer's lock and, when it holds an unfinished deploy's journal, describes it
/// (see [`describe_unfinished`]), hashing this peer's files of that deploy's plan. One short
/// command when there is no journal. The journal is the peer's text: one that names a file
/// that is not one of this peer's files in the model is refused (DF531), nothing read.
pub(crate) fn unfinished_on(conn: &crate::remote::Connection) -> Result<Vec<String>, RemoteError> {
    let (owner, journal) = inspect::read_lock(conn)?;
    let Some(journal) = journal.filter(Journal::unfinished) else {
        return Ok(Vec::new());
    };
    let view = Unfinished {
        role: conn.target.role,
        owner: owner.as_deref().unwrap_or(""),
        journal: &journal,
    };
    let lives: Vec<&str> = view.files().iter().map(|f| f.live.as_str()).collect();
    check_model_files(conn, &lives)?;
    let hashes = if lives.is_empty() {
        Vec::new()
    } else {
        files::hashes(conn, &lives)?
    };
    Ok(view.describe(&|live| {
        lives
            .iter()
            .position(|l| *l == live)
            .and_then(|i| hashes.get(i).cloned())
    }))
}
