//! The remote deploy lock: a directory `.dhcpfo.lock` next to the live dhcpd.conf, holding an
//! `owner` file (who took it: machine, boot, process and its start time, and a random lock id)
//! and the deploy's `journal`.
//!
//! - Taking it is atomic: a private directory with the owner file inside is renamed to
//!   `.dhcpfo.lock`, so no lock of this version is ever seen without owner. An existing
//!   folder is looked at first and never renamed over (a rename replaces an empty folder);
//!   the rename fails if another deploy's lock, never empty, appeared meanwhile.
//! - A lock folder without owner file (a release cut short, or an earlier dhcpfo that died
//!   between its `mkdir` and its owner) is refused for [`OWNERLESS_STALE_AFTER`] seconds, as
//!   a deploy may be taking it, then taken over like a stale lock.
//! - A lock whose owner is a process of this machine that no longer runs (its PID is gone or
//!   started at another time, or the machine rebooted) is stale and taken over: the taker
//!   creates `takeover-ID` inside it (only one can), checks the owner is still the one judged
//!   stale, and writes its own owner. The journal stays, so what the dead deploy left can be
//!   completed or rolled back. A lock of another machine is never judged from here; the
//!   operator takes it over with `--force-unlock ID`. Without a machine id (`/etc/machine-id`
//!   missing or empty on either side), only the same boot id tells it is this machine.
//! - A lock of an earlier dhcpfo (host name and PID only) is never taken over automatically:
//!   it is refused (DF529) with how to take it over or remove it once checked.
//! - The lock folder and its owner file are never read or written through a symbolic link:
//!   one planted there is refused (DF529).

use std::time::{SystemTime, UNIX_EPOCH};

use super::{Connection, RemoteError, shell_quote as q};

/// Name of the lock directory next to the live dhcpd.conf.
pub(crate) const LOCK_DIR: &str = ".dhcpfo.lock";

/// Exit status of the lock commands when the lock is held.
const HELD: i32 = 100;
/// Exit status of a takeover that lost to another one.
const LOST: i32 = 101;
/// Exit status of the lock command when the lock folder has no owner file.
const OWNERLESS: i32 = 102;
/// Exit status of the lock commands when the lock's owner file is a symbolic link.
const LINKED: i32 = 103;
/// Exit status of the takeover shell: the lock folder is not one this SSH user made and alone
/// can write (another owner, writable by others, or holding a link or another user's file).
const FOREIGN: i32 = 104;
/// Seconds after which a lock folder without owner file is stale. This version's locks always
/// have one; an earlier version's `mkdir` or a release (`rm -rf`) leaves a lock without owner
/// only for a moment, unless it was cut short.
pub(crate) const OWNERLESS_STALE_AFTER: u64 = 60;

/// What to check when the lock folder cannot be created.
const CANNOT_CREATE: &str = "the SSH user must be able to create a folder next to the live dhcpd.conf: check the folder's owner and permissions, its attributes (lsattr), free space and that the file system is writable";

/// A lock held on one peer; [`Lock::release_command`] releases it.
#[derive(Debug, Clone)]
pub(crate) struct Lock {
    /// The lock directory.
    pub dir: String,
    /// The owner line written into it.
    owner: String,
}

impl Lock {
    /// The journal inside the lock.
    pub(crate) fn journal(&self) -> String {
        super::journal::path(&self.dir)
    }

    /// The file inside the lock that takes the output of the last restart.
    pub(crate) fn restart_output(&self) -> String {
        super::journal::restart_output(&self.dir)
    }

    /// The owner line written into the lock.
    pub(crate) fn owner(&self) -> &str {
        &self.owner
    }

    /// The lock's id.
    pub(crate) fn id(&self) -> &str {
        lock_id(&self.owner).unwrap_or("")
    }
}

/// The folder of a remote file: `/etc/dhcp` for `/etc/dhcp/dhcpd.conf`.
pub(crate) fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

/// The lock directory for a peer whose dhcpd.conf is at `config_path`.
pub(crate) fn lock_dir(config_path: &str) -> String {
    format!("{}/{LOCK_DIR}", parent(config_path).trim_end_matches('/'))
}

/// What an owner line says for a value that could not be read.
const UNKNOWN: &str = "unknown";

/// A file's trimmed text, `None` when it is missing or empty.
fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

fn local_hostname() -> String {
    read_trimmed("/proc/sys/kernel/hostname").unwrap_or_else(|| UNKNOWN.into())
}

/// `/etc/machine-id`, `None` when it is missing or empty.
fn machine_id() -> Option<String> {
    read_trimmed("/etc/machine-id")
}

fn boot_id() -> Option<String> {
    read_trimmed("/proc/sys/kernel/random/boot_id")
}

/// What this machine knows about itself, to judge a lock's owner line.
struct Here {
    host: String,
    machine: Option<String>,
    boot: Option<String>,
}

impl Here {
    fn now() -> Here {
        Here {
            host: local_hostname(),
            machine: machine_id(),
            boot: boot_id(),
        }
    }
}

/// A value of an owner line, `None` when it says it was not known.
fn known(value: &str) -> Option<&str> {
    Some(value).filter(|v| !v.is_empty() && *v != UNKNOWN)
}

/// A process's start time, in clock ticks since boot (field 22 of `/proc/PID/stat`).
fn start_time(pid: &str) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19).map(str::to_string)
}

/// A random lock id (16 hex digits).
fn random_id() -> String {
    let mut bytes = [0u8; 8];
    let read = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if read.is_err() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        bytes =
            (now.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32)).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn owner_line() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let pid = std::process::id().to_string();
    format!(
        "host={} machine={} boot={} pid={pid} start={} user={} since={} id={}",
        local_hostname(),
        machine_id().unwrap_or_else(|| UNKNOWN.into()),
        boot_id().unwrap_or_else(|| UNKNOWN.into()),
        start_time(&pid).unwrap_or_else(|| "unknown".into()),
        super::ssh_config::local_user(),
        now.as_secs(),
        random_id()
    )
}

fn field<'a>(owner: &'a str, key: &str) -> Option<&'a str> {
    owner
        .split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
}

/// The lock id of an owner line (`token` in the locks of earlier versions).
pub(crate) fn lock_id(owner: &str) -> Option<&str> {
    field(owner, "id").or_else(|| field(owner, "token"))
}

/// Whether the process that holds a lock still runs, as far as this machine can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Holder {
    /// It runs (or may: same machine, same boot, same process).
    Alive,
    /// It is gone; why.
    Dead(String),
    /// Cannot be told from here; why.
    Unknown(String),
}

/// Whether an owner line is one an earlier dhcpfo wrote: host name and PID only, without the
/// machine, boot and start time that tell whether its process still runs.
fn is_earlier(owner: &str) -> bool {
    field(owner, "host").is_some()
        && field(owner, "pid").is_some()
        && field(owner, "machine").is_none()
}

/// Judges a lock's owner line.
pub(crate) fn judge(owner: &str) -> Holder {
    judge_on(owner, &Here::now())
}

/// Judges an owner line on the machine `here`. The owner is gone only when this machine can
/// prove it: same host and machine id, and a reboot since or its PID free or another
/// process's; without a machine id on either side (`/etc/machine-id` missing or empty), only
/// the same boot id and the PID and start time prove it.
fn judge_on(owner: &str, here: &Here) -> Holder {
    let get = |k| field(owner, k);
    if is_earlier(owner) {
        return Holder::Unknown(
            "the lock was taken by an earlier dhcpfo, which recorded its host name and PID only: whether that deploy still runs cannot be told from here".into(),
        );
    }
    let (Some(host), Some(machine), Some(boot), Some(pid), Some(start)) = (
        get("host"),
        get("machine"),
        get("boot"),
        get("pid"),
        get("start"),
    ) else {
        return Holder::Unknown(if owner.trim().is_empty() {
            "the lock has no owner".into()
        } else {
            "the lock's owner line is not one this version writes".into()
        });
    };
    let elsewhere = || {
        Holder::Unknown(format!(
            "it was taken from another machine ({})",
            safe(host)
        ))
    };
    if host != here.host {
        return elsewhere();
    }
    let same_boot = known(boot).is_some() && here.boot.as_deref() == known(boot);
    match (known(machine), here.machine.as_deref()) {
        (Some(theirs), Some(ours)) if theirs != ours => return elsewhere(),
        (Some(_), Some(_)) => {
            if !same_boot && known(boot).is_some() && here.boot.is_some() {
                return Holder::Dead("this machine has restarted since".into());
            }
            if !same_boot {
                return Holder::Unknown(
                    "the boot id is not known, on this machine or in the lock".into(),
                );
            }
        }
        _ if !same_boot => {
            return Holder::Unknown(
                "/etc/machine-id is missing or empty (here or where the lock was taken), and the boot ids differ or are not known: whether it is this machine cannot be told".into(),
            );
        }
        _ => {}
    }
    if pid.parse::<u32>().is_err() {
        return Holder::Unknown("the owner's PID is not a number".into());
    }
    match start_time(pid) {
        None => Holder::Dead(format!("process {pid} no longer runs")),
        Some(s) if s != start => Holder::Dead(format!(
            "PID {pid} belongs to another process now (the owner has ended)"
        )),
        Some(_) => Holder::Alive,
    }
}

/// "user@host, pid N, since TIME, lock id ID" for an owner line, safe for a terminal (the
/// owner file is the peer's text).
pub(crate) fn describe(owner: &str) -> String {
    match lock_id(owner) {
        Some(id) if has_holder(owner) => format!("{}, lock id {}", who(owner), safe(id)),
        _ => who(owner),
    }
}

/// "user@host, pid N, since TIME" for an owner line (its lock id left out), safe for a
/// terminal.
pub(crate) fn who(owner: &str) -> String {
    let since = field(owner, "since")
        .and_then(|s| s.parse::<u64>().ok())
        .map(super::files::utc_text);
    match (
        field(owner, "user"),
        field(owner, "host"),
        field(owner, "pid"),
        since,
    ) {
        (Some(u), Some(h), Some(p), Some(s)) => safe(&format!("{u}@{h}, pid {p}, since {s}")),
        _ if owner.trim().is_empty() => "owner unknown".into(),
        _ => safe(owner.trim()),
    }
}

/// Whether an owner line names its holder (user, host, pid and time) in a form [`who`] reads.
fn has_holder(owner: &str) -> bool {
    ["user", "host", "pid"]
        .iter()
        .all(|k| field(owner, k).is_some())
        && field(owner, "since").is_some_and(|s| s.parse::<u64>().is_ok())
}

/// Text from an owner line, made safe for a terminal.
fn safe(text: &str) -> String {
    super::text::terminal_safe(text)
}

/// The error for a lock that is held, with what to do about it. A lock of an earlier dhcpfo is
/// never taken over automatically (DF529): the hint says how, once checked by hand.
pub(crate) fn locked(conn: &Connection, owner: &str, holder: &Holder) -> RemoteError {
    let dir = lock_dir(&conn.target.config_path);
    if is_earlier(owner) {
        let check = format!(
            "check on {} that no dhcpfo deploy runs as PID {} (`ps -p {}`)",
            safe(field(owner, "host").unwrap_or("")),
            safe(field(owner, "pid").unwrap_or("")),
            safe(field(owner, "pid").unwrap_or(""))
        );
        let then = match lock_id(owner) {
            Some(id) => format!(
                "then take it over with `dhcpfo deploy PAIR.yaml --force-unlock {}`, or remove it on the peer: rm -r -- {}",
                safe(id),
                q(&dir)
            ),
            None => format!("then remove it on the peer: rm -r -- {}", q(&dir)),
        };
        return RemoteError::LockFailed {
            peer: conn.target.peer().into(),
            detail: format!(
                "it is held by {}, taken by an earlier dhcpfo that recorded its host name and PID only, so whether that deploy still runs cannot be told from here",
                describe(owner)
            ),
            dir,
            hint: format!("{check}; {then}"),
        };
    }
    let hint = match (holder, lock_id(owner)) {
        (Holder::Alive, _) => {
            "another deploy runs now: wait for it to finish (its journal in the lock shows how far it is; `dhcpfo diff` prints it)".to_string()
        }
        (Holder::Unknown(why), Some(id)) => format!(
            "{why}. If that deploy no longer runs, take the lock over with `dhcpfo deploy PAIR.yaml --force-unlock {}`: it first completes or rolls back what that deploy left (its journal), then deploys",
            safe(id)
        ),
        (Holder::Unknown(why) | Holder::Dead(why), None) => format!(
            "{why}. Check that no deploy runs, then remove {dir} on the peer"
        ),
        (Holder::Dead(why), Some(_)) => format!("{why}; it is taken over automatically"),
    };
    RemoteError::Locked {
        peer: conn.target.peer().into(),
        dir,
        owner: describe(owner),
        hint,
    }
}

/// A lock taken over from a deploy that is gone.
#[derive(Debug, Clone)]
pub(crate) struct TakenOver {
    /// The previous owner line ("" when the lock had none).
    pub owner: String,
    /// Why it could be taken over.
    pub reason: String,
    /// The name part of the `takeover-NAME` folder only one taker can create.
    takeover: String,
}

/// The shell, run with the lock folder in `$d`, for a lock that exists: prints its owner line
/// and exits [`HELD`], or, when it has no owner file, prints the peer's clock and the folder's
/// modification time and exits [`OWNERLESS`].
fn held_shell() -> String {
    format!(
        "if [ -L \"$d/owner\" ]; then exit {LINKED}; fi; \
         if [ -e \"$d/owner\" ]; then cat -- \"$d/owner\" 2>/dev/null; exit {HELD}; fi; \
         echo \"$(date +%s) $(stat -c %Y -- \"$d\")\"; exit {OWNERLESS}"
    )
}

/// The shell, with the lock folder in `$d`, that exits [`LINKED`] when the folder or its owner
/// file is a symbolic link: neither is ever read or written through.
fn no_links_shell() -> String {
    format!("if [ -L \"$d\" ] || [ -L \"$d/owner\" ]; then exit {LINKED}; fi")
}

/// The shell, with the lock folder in `$d`, that exits [`FOREIGN`] (saying why) unless the
/// folder belongs to this SSH user, is writable by no one else, and holds only this user's
/// files and folders, no link: a lock taken over is one this user made, and its journal and
/// restart output (appended and written by name) never lead elsewhere.
fn own_folder_shell() -> String {
    format!(
        "u=$(id -u); if [ \"$(stat -c %u -- \"$d\")\" != \"$u\" ] || [ -n \"$(find \"$d\" -maxdepth 0 -perm /022)\" ]; then \
         echo \"owner uid $(stat -c '%u, mode %a' -- \"$d\"), this user uid $u\"; exit {FOREIGN}; fi; \
         f=$(find \"$d\" -mindepth 1 \\( -type l -o ! -user \"$u\" \\) -print -quit); \
         if [ -n \"$f\" ]; then echo \"it holds ${{f##*/}}, a link or another user's file\"; exit {FOREIGN}; fi"
    )
}

/// Takes the lock on a peer. A stale lock of this machine, one left without owner for
/// [`OWNERLESS_STALE_AFTER`] seconds, or the lock whose id is `force_unlock`, is taken over
/// (its journal kept); any other lock is refused. Returns the lock and, when one was taken
/// over, what it was.
pub(crate) fn acquire(
    conn: &Connection,
    force_unlock: Option<&str>,
) -> Result<(Lock, Option<TakenOver>), RemoteError> {
    let config_dir = parent(&conn.target.config_path);
    let dir = lock_dir(&conn.target.config_path);
    let owner = owner_line();
    // An existing folder is never replaced: `mv -T` would rename over an empty one, so the
    // lock is looked at first; the rename then fails if another deploy's lock (never empty)
    // appeared meanwhile.
    let take = format!(
        "d={d}; if [ -L \"$d\" ]; then echo \"$d is a symbolic link, not a lock folder\" >&2; exit 1; fi; \
         if [ -d \"$d\" ]; then {held}; fi; \
         t=$(mktemp -d -- {tmp}) || exit 1; \
         if ! printf '%s\\n' {o} > \"$t/owner\"; then rm -rf -- \"$t\"; exit 1; fi; \
         if e=$(mv -T -- \"$t\" \"$d\" 2>&1); then exit 0; fi; rm -rf -- \"$t\"; \
         if [ -d \"$d\" ] && [ ! -L \"$d\" ]; then {held}; fi; \
         printf '%s\\n' \"$e\" >&2; exit 1",
        d = q(&dir),
        held = held_shell(),
        tmp = q(&format!("{config_dir}/{LOCK_DIR}.new.XXXXXXXX")),
        o = q(&owner),
    );
    let out = conn.exec(&take, None)?;
    let failed = |out: &super::exec::Output| RemoteError::LockFailed {
        peer: conn.target.peer().into(),
        dir: dir.clone(),
        detail: if out.timed_out {
            "the command ran past its deadline".into()
        } else {
            out.detail()
        },
        hint: CANNOT_CREATE.into(),
    };
    let linked = || RemoteError::LockFailed {
        peer: conn.target.peer().into(),
        dir: dir.clone(),
        detail: "its owner file is a symbolic link, not a file dhcpfo wrote".into(),
        hint: format!(
            "the lock's files are never read or written through a link: find out who planted it, then remove the folder on the peer: rm -r -- {}",
            q(&dir)
        ),
    };
    let taken = match out.status {
        0 => return Ok((Lock { dir, owner }, None)),
        HELD => held_by_owner(conn, &out, force_unlock)?,
        OWNERLESS => ownerless(conn, &dir, &out)?,
        LINKED => return Err(linked()),
        _ => return Err(failed(&out)),
    };
    let takeover = format!(
        "d={d}; {no_links}; {own}; mkdir -- \"$d/takeover-\"{id} 2>/dev/null || exit {LOST}; \
         [ \"$(cat -- \"$d/owner\" 2>/dev/null)\" = {held} ] || exit {LOST}; \
         t=$(mktemp -- \"$d/owner.XXXXXXXX\") && printf '%s\\n' {o} > \"$t\" && mv -f -- \"$t\" \"$d/owner\"",
        d = q(&dir),
        no_links = no_links_shell(),
        own = own_folder_shell(),
        id = q(&taken.takeover),
        held = q(&taken.owner),
        o = q(&owner),
    );
    let out = conn.exec(&takeover, None)?;
    match out.status {
        0 => Ok((Lock { dir, owner }, Some(taken))),
        LINKED => Err(linked()),
        FOREIGN => Err(RemoteError::LockFailed {
            peer: conn.target.peer().into(),
            dir: dir.clone(),
            detail: format!(
                "it is not a folder this SSH user made and alone can write ({}), so it is not taken over: its journal and files are never read or written",
                safe(String::from_utf8_lossy(&out.stdout).trim())
            ),
            hint: format!(
                "if a deploy as another SSH user left it (its owner above), settle it as that user (--force-unlock with the lock's id if it is stale): its journal says what to put back. Otherwise another user, or one who could write the folder, planted it: find out who, then remove it on the peer: rm -r -- {}",
                q(&dir)
            ),
        }),
        LOST => Err(RemoteError::Locked {
            peer: conn.target.peer().into(),
            dir,
            owner: describe(&taken.owner),
            hint:
                "another deploy took this stale lock over at the same moment; wait for it to finish"
                    .into(),
        }),
        _ => Err(failed(&out)),
    }
}

/// Judges a lock that has an owner: taken over when its owner is gone or `--force-unlock`
/// names it, refused otherwise.
fn held_by_owner(
    conn: &Connection,
    out: &super::exec::Output,
    force_unlock: Option<&str>,
) -> Result<TakenOver, RemoteError> {
    let held = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let holder = judge(&held);
    let forced = force_unlock.is_some() && lock_id(&held) == force_unlock;
    let reason = match &holder {
        Holder::Dead(why) if lock_id(&held).is_some() => why.clone(),
        _ if forced => format!("--force-unlock {}", safe(force_unlock.unwrap_or(""))),
        _ => return Err(locked(conn, &held, &holder)),
    };
    // The id names the folder that makes the takeover atomic: only an id dhcpfo writes is
    // ever used in a path.
    let id = lock_id(&held).unwrap_or_default();
    if !super::journal::safe_suffix(id) {
        let dir = lock_dir(&conn.target.config_path);
        return Err(RemoteError::LockFailed {
            peer: conn.target.peer().into(),
            detail: format!(
                "its owner's lock id {:?} is not one dhcpfo writes (letters, digits and dots): it is never used in a path, so the lock is not taken over",
                safe(id)
            ),
            hint: format!(
                "find out who wrote {dir}/owner; once no deploy runs from there, remove the folder on the peer: rm -r -- {}",
                q(&dir)
            ),
            dir,
        });
    }
    Ok(TakenOver {
        takeover: id.to_string(),
        owner: held,
        reason,
    })
}

/// Judges a lock folder without owner file: an earlier dhcpfo between its `mkdir` and its
/// owner, or a release (`rm -rf`) cut short. Taken over once it has stayed so for
/// [`OWNERLESS_STALE_AFTER`] seconds; refused before, as a deploy may be taking it.
fn ownerless(
    conn: &Connection,
    dir: &str,
    out: &super::exec::Output,
) -> Result<TakenOver, RemoteError> {
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text.split_whitespace().map(|n| n.parse::<u64>().ok());
    let (now, mtime) = (numbers.next().flatten(), numbers.next().flatten());
    let age = now.zip(mtime).map(|(now, m)| now.saturating_sub(m));
    match (age, mtime) {
        (Some(age), Some(mtime)) if age >= OWNERLESS_STALE_AFTER => Ok(TakenOver {
            owner: String::new(),
            reason: format!(
                "it has had no owner for {age} s: a release cut short, or an earlier dhcpfo that died while taking it"
            ),
            // Named after the folder's time, which the taker's own `mkdir` changes: a second
            // taker either fails to create the same name or sees a young folder.
            takeover: format!("ownerless-{mtime}"),
        }),
        _ => Err(RemoteError::Locked {
            peer: conn.target.peer().into(),
            dir: dir.to_string(),
            owner: "no owner yet".into(),
            hint: format!(
                "a deploy may be taking the lock right now{}; if none runs, it is taken over once it has had no owner for {OWNERLESS_STALE_AFTER} s (or remove {dir} on the peer)",
                age.map_or(String::new(), |a| format!(
                    " (it has had no owner for {a} s)"
                ))
            ),
        }),
    }
}

impl Lock {
    /// The command that releases the lock if it is still ours (to chain after other work).
    pub(crate) fn release_command(&self) -> String {
        let d = q(&self.dir);
        format!(
            "if [ ! -L {d} ] && [ ! -L {d}/owner ] && [ \"$(cat -- {d}/owner 2>/dev/null)\" = {} ]; then rm -rf -- {d}; fi",
            q(&self.owner)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_sits_next_to_the_config() {
        assert_eq!(lock_dir("/etc/dhcp/dhcpd.conf"), "/etc/dhcp/.dhcpfo.lock");
        assert_eq!(lock_dir("/dhcpd.conf"), "/.dhcpfo.lock");
        assert_eq!(parent("/etc/default/x"), "/etc/default");
    }

    #[test]
    fn only_owners_known_to_be_gone_are_stale() {
        let me = owner_line();
        assert_eq!(judge(&me), Holder::Alive);
        let dead_pid = me.replace(&format!("pid={}", std::process::id()), "pid=4000000000");
        assert!(matches!(judge(&dead_pid), Holder::Dead(_)), "{dead_pid}");
        let reused = me.replace(&format!("start={}", start_time("self").unwrap()), "start=1");
        assert!(matches!(judge(&reused), Holder::Dead(_)), "{reused}");
        let rebooted = me.replace(&format!("boot={}", boot_id().unwrap()), "boot=other");
        assert!(matches!(judge(&rebooted), Holder::Dead(_)));
        let elsewhere = me.replace(
            &format!("machine={}", machine_id().unwrap()),
            "machine=other",
        );
        assert!(matches!(judge(&elsewhere), Holder::Unknown(_)));
        assert!(matches!(
            judge("host=x pid=1 user=y since=1"),
            Holder::Unknown(_)
        ));
        let earlier = format!(
            "host={} pid=4000000000 user=y since=1 token=42",
            local_hostname()
        );
        assert!(
            matches!(judge(&earlier), Holder::Unknown(_)),
            "an earlier dhcpfo's lock is never judged gone"
        );
        assert_eq!(lock_id(&earlier), Some("42"));
        assert!(matches!(judge(""), Holder::Unknown(_)));
        assert_eq!(lock_id(&me).map(str::len), Some(16));
        assert_eq!(describe(&me).matches("lock id").count(), 1);
        assert!(!who(&me).contains("lock id"));
        let hostile = "host=a\u{1b}]0;x\u{7} pid=1 user=\u{1b}[2J since=1 id=\u{1b}[31m";
        for text in [describe(hostile), who(hostile), describe("\u{1b}[2J")] {
            assert!(!text.contains('\u{1b}'), "{text}");
        }
        assert!(!format!("{:?}", judge(hostile)).contains('\u{1b}'));
    }

    /// Without a machine id on either side, "unknown" never matches "unknown": only the same
    /// boot id, with the PID and start time, tells the owner is gone (or runs).
    #[test]
    fn a_missing_machine_id_is_never_taken_for_the_same_machine() {
        let pid = std::process::id();
        let start = start_time("self").unwrap();
        let owner = |machine: &str, boot: &str, pid: u32, start: &str| {
            format!(
                "host=h machine={machine} boot={boot} pid={pid} start={start} user=u since=1 id=00"
            )
        };
        let here = |machine: Option<&str>, boot: Option<&str>| Here {
            host: "h".into(),
            machine: machine.map(str::to_string),
            boot: boot.map(str::to_string),
        };
        let unknown = |h: Holder| matches!(h, Holder::Unknown(_));
        let dead = |h: Holder| matches!(h, Holder::Dead(_));
        for (theirs, ours) in [
            ("unknown", None),
            ("", None),
            ("unknown", Some("m")),
            ("m", None),
        ] {
            let no_id = here(ours, Some("b"));
            // Another boot: it may be another machine; never taken over.
            assert!(unknown(judge_on(
                &owner(theirs, "c", 4_000_000_000, "1"),
                &no_id
            )));
            assert!(unknown(judge_on(
                &owner(theirs, "unknown", 4_000_000_000, "1"),
                &here(ours, None)
            )));
            // The same boot: the PID and its start time decide.
            assert!(dead(judge_on(
                &owner(theirs, "b", 4_000_000_000, "1"),
                &no_id
            )));
            assert!(dead(judge_on(&owner(theirs, "b", pid, "1"), &no_id)));
            assert_eq!(
                judge_on(&owner(theirs, "b", pid, &start), &no_id),
                Holder::Alive
            );
        }
        // With machine ids, another boot of the same machine means its owner is gone.
        let ids = here(Some("m"), Some("b"));
        assert!(dead(judge_on(&owner("m", "c", pid, &start), &ids)));
        assert!(unknown(judge_on(
            &owner("n", "b", 4_000_000_000, "1"),
            &ids
        )));
        assert!(unknown(judge_on(
            &owner("m", "unknown", 4_000_000_000, "1"),
            &ids
        )));
        assert!(owner_line().contains(" machine="));
        assert!(!owner_line().contains(" machine= "));
    }
}
