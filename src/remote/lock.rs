//! The remote deploy lock: a directory `.dhcpfo.lock` created with `mkdir` (atomic) next to
//! the live dhcpd.conf, holding an `owner` file that says who took it and when.
//!
//! A lock left by a deploy on this machine whose process is gone is stale and taken over;
//! any other lock is refused with its owner, so the operator can judge.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{Connection, RemoteError, shell_quote as q};

/// Name of the lock directory next to the live dhcpd.conf.
pub const LOCK_DIR: &str = ".dhcpfo.lock";

/// A lock held on one peer; release it with [`Lock::release`].
#[derive(Debug, Clone)]
pub struct Lock {
    /// The lock directory.
    pub dir: String,
    owner: String,
}

/// The lock directory for a peer whose dhcpd.conf is at `config_path`.
pub fn lock_dir(config_path: &str) -> String {
    let dir = match config_path.rfind('/') {
        Some(0) => "/",
        Some(i) => &config_path[..i],
        None => ".",
    };
    format!("{}/{LOCK_DIR}", dir.trim_end_matches('/'))
}

fn local_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

fn owner_line() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "host={} pid={} user={} since={} token={}",
        local_hostname(),
        std::process::id(),
        super::ssh_config::local_user(),
        now.as_secs(),
        now.subsec_nanos()
    )
}

fn field<'a>(owner: &'a str, key: &str) -> Option<&'a str> {
    owner
        .split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
}

/// Whether a lock's owner line names a process of this machine that no longer runs.
fn is_stale(owner: &str) -> bool {
    let (Some(host), Some(pid)) = (field(owner, "host"), field(owner, "pid")) else {
        return false;
    };
    host == local_hostname()
        && pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        })
}

/// "user@host, pid N, since TIME" for an owner line.
fn describe(held: &str) -> String {
    let since = field(held, "since")
        .and_then(|s| s.parse::<u64>().ok())
        .map(super::files::utc_text);
    match (
        field(held, "user"),
        field(held, "host"),
        field(held, "pid"),
        since,
    ) {
        (Some(u), Some(h), Some(p), Some(s)) => format!("{u}@{h}, pid {p}, since {s}"),
        _ if held.is_empty() => "owner unknown".into(),
        _ => held.to_string(),
    }
}

/// Checks, without writing anything, that no other deploy holds the lock of a peer (a stale
/// lock of this machine does not count: [`acquire`] takes it over).
pub fn probe(conn: &Connection) -> Result<(), RemoteError> {
    let dir = lock_dir(&conn.target.config_path);
    let out = conn.exec(
        &format!(
            "test -d {d} || exit 100; cat -- {d}/owner 2>/dev/null; exit 0",
            d = q(&dir)
        ),
        None,
    )?;
    if out.status == 100 {
        return Ok(());
    }
    let held = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if is_stale(&held) {
        return Ok(());
    }
    Err(RemoteError::Locked {
        peer: conn.target.peer().into(),
        dir,
        owner: describe(&held),
    })
}

/// Takes the lock on a peer.
pub fn acquire(conn: &Connection) -> Result<Lock, RemoteError> {
    let dir = lock_dir(&conn.target.config_path);
    let owner = owner_line();
    let take = format!(
        "mkdir -m 0700 -- {d} 2>/dev/null || exit 100; printf '%s\\n' {o} > {d}/owner",
        d = q(&dir),
        o = q(&owner)
    );
    for attempt in 0..2 {
        let out = conn.exec(&take, None)?;
        if out.status == 0 {
            return Ok(Lock { dir, owner });
        }
        if out.status != 100 {
            return Err(RemoteError::Command {
                peer: conn.target.peer().into(),
                action: format!("taking the lock {dir}"),
                command: take,
                status: out.status,
                detail: out.detail(),
            });
        }
        let held = conn
            .exec(&format!("cat -- {}/owner", q(&dir)), None)?
            .stdout;
        let held = String::from_utf8_lossy(&held).trim().to_string();
        if attempt == 0 && is_stale(&held) {
            conn.run(
                &format!("removing the stale lock {dir}"),
                &format!("rm -rf -- {}", q(&dir)),
            )?;
            continue;
        }
        return Err(RemoteError::Locked {
            peer: conn.target.peer().into(),
            dir,
            owner: describe(&held),
        });
    }
    Err(RemoteError::Locked {
        peer: conn.target.peer().into(),
        dir,
        owner: "taken again while a stale lock was removed".into(),
    })
}

impl Lock {
    /// Releases the lock if it is still ours.
    pub fn release(&self, conn: &Connection) -> Result<(), RemoteError> {
        let d = q(&self.dir);
        conn.run(
            &format!("releasing the lock {}", self.dir),
            &format!(
                "if [ \"$(cat -- {d}/owner 2>/dev/null)\" = {} ]; then rm -rf -- {d}; fi",
                q(&self.owner)
            ),
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
    }

    #[test]
    fn only_dead_local_owners_are_stale() {
        let me = local_hostname();
        assert!(is_stale(&format!(
            "host={me} pid=4000000000 user=x since=1"
        )));
        assert!(!is_stale(&format!(
            "host={me} pid={} user=x since=1",
            std::process::id()
        )));
        assert!(!is_stale("host=elsewhere pid=4000000000 user=x since=1"));
        assert!(!is_stale("garbage"));
    }
}
