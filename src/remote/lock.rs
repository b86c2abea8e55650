//! The remote deploy lock: a directory `.dhcpfo.lock` next to the live dhcpd.conf, holding an
//! `owner` file (who took it: machine, boot, process and its start time, and a random lock id)
//! and the deploy's `journal`.
//!
//! - Taking it is atomic: a private directory with the owner file inside is renamed to
//!   `.dhcpfo.lock`, which fails when the lock exists, so no lock is ever seen without owner.
//! - A lock whose owner is a process of this machine that no longer runs (its PID is gone or
//!   started at another time, or the machine rebooted) is stale and taken over: the taker
//!   creates `takeover-ID` inside it (only one can), checks the owner is still the one judged
//!   stale, and writes its own owner. The journal stays, so what the dead deploy left can be
//!   completed or rolled back. A lock of another machine is never judged from here; the
//!   operator takes it over with `--force-unlock ID`.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{Connection, RemoteError, shell_quote as q};

/// Name of the lock directory next to the live dhcpd.conf.
pub const LOCK_DIR: &str = ".dhcpfo.lock";

/// Exit status of the lock commands when the lock is held.
const HELD: i32 = 100;
/// Exit status of a takeover that lost to another one.
const LOST: i32 = 101;

/// A lock held on one peer; release it with [`Lock::release`].
#[derive(Debug, Clone)]
pub struct Lock {
    /// The lock directory.
    pub dir: String,
    /// The owner line written into it.
    owner: String,
}

impl Lock {
    /// The journal inside the lock.
    pub fn journal(&self) -> String {
        super::journal::path(&self.dir)
    }

    /// The owner line written into the lock.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The lock's id.
    pub fn id(&self) -> &str {
        lock_id(&self.owner).unwrap_or("")
    }
}

/// The folder of a remote file: `/etc/dhcp` for `/etc/dhcp/dhcpd.conf`.
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

/// The lock directory for a peer whose dhcpd.conf is at `config_path`.
pub fn lock_dir(config_path: &str) -> String {
    format!("{}/{LOCK_DIR}", parent(config_path).trim_end_matches('/'))
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

fn local_hostname() -> String {
    read_trimmed("/proc/sys/kernel/hostname")
}

fn machine_id() -> String {
    read_trimmed("/etc/machine-id")
}

fn boot_id() -> String {
    read_trimmed("/proc/sys/kernel/random/boot_id")
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
        machine_id(),
        boot_id(),
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
pub fn lock_id(owner: &str) -> Option<&str> {
    field(owner, "id").or_else(|| field(owner, "token"))
}

/// Whether the process that holds a lock still runs, as far as this machine can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// It runs (or may: same machine, same boot, same process).
    Alive,
    /// It is gone; why.
    Dead(String),
    /// Cannot be told from here; why.
    Unknown(String),
}

/// Judges a lock's owner line.
pub fn judge(owner: &str) -> Holder {
    let get = |k| field(owner, k);
    if let (Some(host), Some(pid), None) = (get("host"), get("pid"), get("machine")) {
        // A lock of an earlier version: host and PID only, as that version judged it.
        let gone = host == local_hostname()
            && pid.parse::<u32>().is_ok_and(|p| p != std::process::id())
            && start_time(pid).is_none();
        return if gone {
            Holder::Dead(format!("process {pid} no longer runs"))
        } else {
            Holder::Unknown("the lock was taken by an earlier dhcpfo".into())
        };
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
    if host != local_hostname() || machine != machine_id() {
        return Holder::Unknown(format!("it was taken from another machine ({host})"));
    }
    if boot != boot_id() {
        return Holder::Dead("this machine has restarted since".into());
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

/// "user@host, pid N, since TIME, lock id ID" for an owner line.
pub fn describe(owner: &str) -> String {
    let since = field(owner, "since")
        .and_then(|s| s.parse::<u64>().ok())
        .map(super::files::utc_text);
    match (
        field(owner, "user"),
        field(owner, "host"),
        field(owner, "pid"),
        since,
    ) {
        (Some(u), Some(h), Some(p), Some(s)) => {
            let id = lock_id(owner).map_or(String::new(), |id| format!(", lock id {id}"));
            format!("{u}@{h}, pid {p}, since {s}{id}")
        }
        _ if owner.trim().is_empty() => "owner unknown".into(),
        _ => super::text::terminal_safe(owner.trim()),
    }
}

/// The error for a lock that is held, with what to do about it.
pub fn locked(conn: &Connection, owner: &str, holder: &Holder) -> RemoteError {
    let dir = lock_dir(&conn.target.config_path);
    let hint = match (holder, lock_id(owner)) {
        (Holder::Alive, _) => {
            "another deploy runs now: wait for it to finish (its journal in the lock shows how far it is; `dhcpfo diff` prints it)".to_string()
        }
        (Holder::Unknown(why), Some(id)) => format!(
            "{why}. If that deploy no longer runs, take the lock over with `dhcpfo deploy PAIR.yaml --force-unlock {id}`: it first completes or rolls back what that deploy left (its journal), then deploys"
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

/// Takes the lock on a peer. A stale lock of this machine, or the lock whose id is
/// `force_unlock`, is taken over (its journal kept); any other held lock is refused.
/// Returns the lock and, when one was taken over, the previous owner's line.
pub fn acquire(
    conn: &Connection,
    force_unlock: Option<&str>,
) -> Result<(Lock, Option<String>), RemoteError> {
    let config_dir = parent(&conn.target.config_path);
    let dir = lock_dir(&conn.target.config_path);
    let owner = owner_line();
    let take = format!(
        "d={d}; t=$(mktemp -d -- {tmp}) || exit 1; \
         if ! printf '%s\\n' {o} > \"$t/owner\"; then rm -rf -- \"$t\"; exit 1; fi; \
         if e=$(mv -T -- \"$t\" \"$d\" 2>&1); then exit 0; fi; rm -rf -- \"$t\"; \
         if [ -d \"$d\" ] && [ ! -L \"$d\" ]; then cat -- \"$d/owner\" 2>/dev/null; exit {HELD}; fi; \
         printf '%s\\n' \"$e\" >&2; exit 1",
        d = q(&dir),
        tmp = q(&format!("{config_dir}/{LOCK_DIR}.new.XXXXXXXX")),
        o = q(&owner),
    );
    let out = conn.exec(&take, None)?;
    if out.status == 0 {
        return Ok((Lock { dir, owner }, None));
    }
    if out.status != HELD {
        return Err(RemoteError::LockFailed {
            peer: conn.target.peer().into(),
            dir,
            detail: if out.timed_out {
                "the command ran past its deadline".into()
            } else {
                out.detail()
            },
        });
    }
    let held = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let holder = judge(&held);
    let forced = force_unlock.is_some() && lock_id(&held) == force_unlock;
    if !forced && !matches!(holder, Holder::Dead(_)) {
        return Err(locked(conn, &held, &holder));
    }
    let Some(stale_id) = lock_id(&held) else {
        return Err(locked(conn, &held, &holder));
    };
    let takeover = format!(
        "d={d}; mkdir -- \"$d/takeover-\"{id} 2>/dev/null || exit {LOST}; \
         [ \"$(cat -- \"$d/owner\" 2>/dev/null)\" = {held} ] || exit {LOST}; \
         t=$(mktemp -- \"$d/owner.XXXXXXXX\") && printf '%s\\n' {o} > \"$t\" && mv -f -- \"$t\" \"$d/owner\"",
        d = q(&dir),
        id = q(stale_id),
        held = q(&held),
        o = q(&owner),
    );
    let out = conn.exec(&takeover, None)?;
    match out.status {
        0 => Ok((Lock { dir, owner }, Some(held))),
        LOST => Err(RemoteError::Locked {
            peer: conn.target.peer().into(),
            dir,
            owner: describe(&held),
            hint:
                "another deploy took this stale lock over at the same moment; wait for it to finish"
                    .into(),
        }),
        _ => Err(RemoteError::LockFailed {
            peer: conn.target.peer().into(),
            dir,
            detail: out.detail(),
        }),
    }
}

impl Lock {
    /// The command that releases the lock if it is still ours (to chain after other work).
    pub fn release_command(&self) -> String {
        let d = q(&self.dir);
        format!(
            "if [ \"$(cat -- {d}/owner 2>/dev/null)\" = {} ]; then rm -rf -- {d}; fi",
            q(&self.owner)
        )
    }

    /// Releases the lock if it is still ours.
    pub fn release(&self, conn: &Connection) -> Result<(), RemoteError> {
        conn.run(
            &format!("releasing the lock {}", self.dir),
            &self.release_command(),
        )
        .map(|_| ())
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
        let rebooted = me.replace(&format!("boot={}", boot_id()), "boot=other");
        assert!(matches!(judge(&rebooted), Holder::Dead(_)));
        let elsewhere = me.replace(&format!("machine={}", machine_id()), "machine=other");
        assert!(matches!(judge(&elsewhere), Holder::Unknown(_)));
        assert!(matches!(
            judge("host=x pid=1 user=y since=1"),
            Holder::Unknown(_)
        ));
        let earlier = format!(
            "host={} pid=4000000000 user=y since=1 token=42",
            local_hostname()
        );
        assert!(matches!(judge(&earlier), Holder::Dead(_)));
        assert_eq!(lock_id(&earlier), Some("42"));
        assert!(matches!(judge(""), Holder::Unknown(_)));
        assert_eq!(lock_id(&me).map(str::len), Some(16));
        assert!(describe(&me).contains("lock id"));
    }
}
