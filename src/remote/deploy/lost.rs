//! A restart whose answer was lost (the link dropped while it ran, or the deploy that began it
//! died) may still run on the peer: it is neither failed nor succeeded until the peer's journal
//! says. It is waited for, by reading that journal, before anything else is done on the peer,
//! so that no restore and no other restart overlaps it; its result is then what the journal
//! records, or unknown when the journal records no end once it is past its deadline there.

use std::time::{Duration, Instant};

use super::{DeployOptions, PeerRun};
use crate::remote::exec::{KILL_AFTER, STDERR_KEPT};
use crate::remote::journal::{Journal, Restart};
use crate::remote::progress::Progress;
use crate::remote::{RemoteError, inspect, shell_quote as q};

/// How often the journal is read while waiting.
const POLL: Duration = Duration::from_millis(500);
/// How long, after a successful end, the status check that follows is waited for.
const STATUS_GRACE: Duration = Duration::from_secs(5);

const ACTION: &str = "the restart whose answer was lost";

/// Waits for a restart of `r` whose end is unknown and learns its result (see the module). A
/// peer that cannot be reached (again) is not waited for: nothing is done on it either.
pub(super) fn await_restart(r: &mut PeerRun, options: &DeployOptions, progress: &Progress) {
    let Some((began, deadline)) = r.restarts.began else {
        return;
    };
    if r.restarts.ok.is_some() || r.restarts.lost {
        return;
    }
    if r.conn.is_none() || !r.ensure_connected(options, progress) {
        return;
    }
    let until = began
        .checked_add(deadline + KILL_AFTER + Duration::from_secs(1))
        .unwrap_or(began);
    let left = until.saturating_duration_since(Instant::now());
    if left >= Duration::from_secs(1) {
        progress.note(&format!(
            "{}: waiting for its journal to record the end of {ACTION} (at most {} s, until it is past its deadline on the peer), so that nothing overlaps it",
            r.target.peer(),
            left.as_secs()
        ));
    }
    let what = "learning from its journal how the restart whose answer was lost ended";
    let _ = r.step(progress, what, |r| learn(r, until));
    // Past its deadline on the peer, it is over whatever its result was.
    r.restarts.lost = r.restarts.ok.is_none();
}

/// Reads the journal until it records the restart's end or `until` passes.
fn learn(r: &mut PeerRun, until: Instant) -> Result<(), RemoteError> {
    let peer = r.target.peer().to_string();
    let mut grace = None;
    loop {
        let journal = inspect::read_lock(r.conn()?).ok().and_then(|(_, j)| j);
        let now = Instant::now();
        match journal.as_ref().map(Journal::restart) {
            // The same command records the status check just after a successful restart.
            Some(Restart::Ended {
                ok: true,
                running: None,
            }) if now < *grace.get_or_insert(now + STATUS_GRACE) => {}
            Some(Restart::Ended { ok, running }) => {
                r.restarts.ok = Some(ok);
                r.restarts.running = running;
                if ok {
                    return Ok(());
                }
                let output = output(r);
                return Err(RemoteError::ssh(
                    &peer,
                    ACTION,
                    format!("the peer's journal records that it failed{output}"),
                ));
            }
            Some(Restart::NotStarted) => {
                r.restarts.ok = Some(false);
                return Err(RemoteError::ssh(
                    &peer,
                    ACTION,
                    "the peer's journal records that it never began",
                ));
            }
            _ if now >= until => {
                return Err(RemoteError::ssh(
                    &peer,
                    ACTION,
                    "the peer's journal records no end, and it is past its deadline there: whether it succeeded is unknown",
                ));
            }
            _ => {}
        }
        std::thread::sleep(POLL);
    }
}

/// What the restart printed (kept in the lock), as `: TEXT`, or nothing.
fn output(r: &PeerRun) -> String {
    let Ok(file) = r.restart_output() else {
        return String::new();
    };
    let command = format!("head -c {STDERR_KEPT} -- {}", q(&file));
    match r.conn().and_then(|c| c.exec(&command, None)) {
        Ok(out) if out.status == 0 && !out.stdout.is_empty() => format!(": {}", out.detail()),
        _ => String::new(),
    }
}
