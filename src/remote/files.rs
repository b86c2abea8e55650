//! Remote files: candidates and backups with unpredictable names created exclusively
//! (`mktemp`) next to the live file, written and fsynced before the rename, with the live
//! file's owner, mode, ACLs, extended attributes and SELinux label; renames over the live
//! file; restores; pruning of old backups; hashes.
//!
//! Every command here assumes its folder was checked first (see [`super::inspect`]): owned by
//! root or the SSH user and writable by no one else, so nobody can plant a name in it.

use sha2::{Digest, Sha256};

use super::journal::{self, Entry};
use super::lock::parent;
use super::{Connection, RemoteError, shell_quote as q};

/// Infix of candidates: `LIVE.dhcpfo-new.RANDOM`.
pub const TEMP_INFIX: &str = ".dhcpfo-new.";
/// Infix of backups: `LIVE.dhcpfo-backup-YYYYMMDDTHHMMSSZ.RANDOM`.
pub const BACKUP_INFIX: &str = ".dhcpfo-backup-";
/// Infix of the copies a restore renames over the live file: `LIVE.dhcpfo-restore.RANDOM`.
pub const RESTORE_INFIX: &str = ".dhcpfo-restore.";
/// The record of the last verified restart, next to the live dhcpd.conf.
pub const STATE_FILE: &str = ".dhcpfo.state";

/// Exit status the commands use for a missing file.
const MISSING: i32 = 100;
/// GNU cp: copy the owner, mode, ACLs, extended attributes and SELinux label (the last two
/// where the file systems support them) onto an existing file, keeping its content and times.
const COPY_ATTRIBUTES: &str = "cp --attributes-only --preserve=all --no-preserve=timestamps";

/// The candidate with random part `suffix` next to a live file.
pub fn temp_path(live: &str, suffix: &str) -> String {
    format!("{live}{TEMP_INFIX}{suffix}")
}

/// The copy with random part `suffix` that a restore renames over a live file.
pub fn restore_path(live: &str, suffix: &str) -> String {
    format!("{live}{RESTORE_INFIX}{suffix}")
}

/// The shell that removes the file named in shell variable `var` if the command stops before
/// [`KEEP`] (a failure under `set -e`, or the peer's deadline: TERM), so that a failed step
/// leaves no file of its own behind.
fn remove_on_failure(var: &str) -> String {
    format!("trap 'rm -f -- \"${var}\"' EXIT; trap 'exit 1' HUP INT TERM")
}

/// The shell that keeps what [`remove_on_failure`] would remove.
const KEEP: &str = "trap - EXIT";

/// The backup with timestamp-and-random part `suffix` of a live file.
pub fn backup_path(live: &str, suffix: &str) -> String {
    format!("{live}{BACKUP_INFIX}{suffix}")
}

/// The file name part of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether `name` (a file name, any bytes) is a backup of the file named `live_name`:
/// `LIVE.dhcpfo-backup-YYYYMMDDTHHMMSSZ`, optionally followed by `.` and letters or digits.
pub fn is_backup_name(name: &[u8], live_name: &str) -> bool {
    let Some(rest) = name
        .strip_prefix(live_name.as_bytes())
        .and_then(|r| r.strip_prefix(BACKUP_INFIX.as_bytes()))
    else {
        return false;
    };
    let (stamp, random) = match rest.iter().position(|b| *b == b'.') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let stamp_ok = stamp.len() == 16
        && stamp.iter().enumerate().all(|(i, b)| match i {
            8 => *b == b'T',
            15 => *b == b'Z',
            _ => b.is_ascii_digit(),
        });
    stamp_ok && random.is_none_or(|r| !r.is_empty() && r.iter().all(u8::is_ascii_alphanumeric))
}

/// SHA-256 of some bytes, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates a candidate next to `live` exclusively, writes `content` into it, fsyncs it and
/// gives it the live file's owner, mode, ACLs, xattrs and label (mode 0644 without a live
/// file); the journal records it first, and a failure removes it. `before` is shell run first
/// (journal entries still to write). Returns the candidate's path.
pub fn upload(
    conn: &Connection,
    live: &str,
    content: &[u8],
    journal_file: &str,
    before: &str,
) -> Result<String, RemoteError> {
    let l = q(live);
    let record = journal::append_with(
        journal_file,
        &Entry::Candidate {
            live: live.into(),
            suffix: journal::placeholder(),
        },
        "s",
    );
    let command = format!(
        "set -e; umask 077; {before}; t=$(mktemp -- {template}); {cleanup}; s=${{t##*.}}; {record}; \
         cat > \"$t\"; \
         if [ -e {l} ]; then {COPY_ATTRIBUTES} -- {l} \"$t\"; chown --reference={l} -- \"$t\"; \
         else chmod 0644 -- \"$t\"; fi; sync -- \"$t\"; {KEEP}; printf '%s' \"$s\"",
        template = q(&temp_path(live, "XXXXXXXXXX")),
        cleanup = remove_on_failure("t"),
    );
    let out = conn.run_with_input(
        &format!("uploading next to {live}"),
        &command,
        Some(content),
    )?;
    suffix_of(conn, &out.stdout, "mktemp").map(|s| temp_path(live, &s))
}

fn suffix_of(conn: &Connection, stdout: &[u8], what: &str) -> Result<String, RemoteError> {
    let s = String::from_utf8_lossy(stdout).trim().to_string();
    if journal::safe_suffix(&s) {
        Ok(s)
    } else {
        Err(RemoteError::Command {
            peer: conn.target.peer().into(),
            action: format!("reading the name {what} made"),
            command: what.into(),
            status: 0,
            detail: format!("unexpected output {:?}", super::text::terminal_safe(&s)),
        })
    }
}

/// A backup just made, and every backup of the same file found next to it.
#[derive(Debug, Clone)]
pub struct Backup {
    /// The new backup.
    pub path: String,
    /// The backups of the file in its folder (the new one among them), by exact name.
    pub all: Vec<String>,
}

/// Copies the live file to a new backup (created exclusively, named with the peer's clock and
/// a random part, with the live file's attributes and times, fsynced; removed again if that
/// fails), records it in the journal, and lists the file's backups (NUL-separated, so any byte
/// may be in a name). `None` when there is no live file.
pub fn backup(
    conn: &Connection,
    live: &str,
    journal_file: &str,
) -> Result<Option<Backup>, RemoteError> {
    let l = q(live);
    let prefix = backup_path(live, "");
    let record = journal::append_with(
        journal_file,
        &Entry::Backup {
            live: live.into(),
            suffix: journal::placeholder(),
        },
        "s",
    );
    let command = format!(
        "set -e; test -e {l} || exit {MISSING}; umask 077; p={p}; \
         b=$(mktemp -- \"$p$(date -u +%Y%m%dT%H%M%SZ).XXXXXXXX\"); {cleanup}; s=${{b#\"$p\"}}; \
         cp --preserve=all -- {l} \"$b\"; sync -- \"$b\"; {record}; {KEEP}; printf '%s\\0' \"$s\"; {list}",
        p = q(&prefix),
        cleanup = remove_on_failure("b"),
        list = list_command(live),
    );
    let out = conn.exec(&command, None)?;
    if out.status == MISSING {
        return Ok(None);
    }
    let out = conn.check(
        &format!("backing up {live}"),
        &command,
        out,
        conn.target.command_timeout,
    )?;
    let (made, listing) = match out.stdout.iter().position(|b| *b == 0) {
        Some(i) => (&out.stdout[..i], &out.stdout[i + 1..]),
        None => (&out.stdout[..], &[][..]),
    };
    let suffix = suffix_of(conn, made, "the backup")?;
    Ok(Some(Backup {
        path: backup_path(live, &suffix),
        all: parse_listing(live, listing),
    }))
}

/// The shell that lists, NUL-terminated, the names in the live file's folder that may be its
/// backups (the exact check is [`is_backup_name`]).
fn list_command(live: &str) -> String {
    let glob: String = file_name(live)
        .chars()
        .flat_map(|c| {
            let escape = matches!(c, '*' | '?' | '[' | ']' | '\\');
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect();
    format!(
        "find {} -mindepth 1 -maxdepth 1 -type f -name {} -printf '%f\\0'",
        q(parent(live)),
        q(&format!("{glob}{BACKUP_INFIX}*"))
    )
}

fn parse_listing(live: &str, listing: &[u8]) -> Vec<String> {
    let dir = parent(live).trim_end_matches('/');
    listing
        .split(|b| *b == 0)
        .filter(|n| is_backup_name(n, file_name(live)))
        .filter_map(|n| std::str::from_utf8(n).ok())
        .map(|n| format!("{dir}/{n}"))
        .collect()
}

/// Renames a candidate over the live file (atomic within one folder) and fsyncs the folder;
/// the journal records the switch first (fsynced before the rename).
pub fn switch(
    conn: &Connection,
    temp: &str,
    live: &str,
    journal_file: &str,
) -> Result<(), RemoteError> {
    let record = journal::append(journal_file, &[Entry::Switch { live: live.into() }]);
    conn.run(
        &format!("renaming {temp} to {live}"),
        &format!(
            "set -e; {record}; mv -fT -- {} {}; sync -- {}",
            q(temp),
            q(live),
            q(parent(live)),
        ),
    )
    .map(|_| ())
}

/// Puts a backup back in place of the live file, after checking it still holds the previous
/// content (`old_sha256`): copied to a new exclusive file (recorded in the journal, removed
/// again if the restore fails), fsynced, renamed over the live file. With neither a backup nor
/// a previous content (the file did not exist before), the live file is removed. Only one of
/// the two is refused (DF531) and the live file left as it is: a backup without a previous
/// content (the file appeared, or could not be read, when the deploy was planned) cannot be
/// checked, and without a backup there is nothing to put back.
pub fn restore(
    conn: &Connection,
    live: &str,
    backup: Option<&str>,
    old_sha256: Option<&str>,
    journal_file: &str,
) -> Result<(), RemoteError> {
    let l = q(live);
    let record = journal::append(journal_file, &[Entry::Restore { live: live.into() }]);
    let copy = journal::append_with(
        journal_file,
        &Entry::RestoreCopy {
            live: live.into(),
            suffix: journal::placeholder(),
        },
        "s",
    );
    let dir = q(parent(live));
    let command = match (backup, old_sha256) {
        (Some(b), Some(sha)) => format!(
            "set -e; {record}; b={b}; \
             if [ \"$(sha256sum < \"$b\" | cut -c1-64)\" != {sha} ]; then echo \"$b does not hold the previous file (SHA-256 differs)\" >&2; exit 1; fi; \
             umask 077; t=$(mktemp -- {template}); {cleanup}; s=${{t##*.}}; {copy}; \
             cp --preserve=all --no-preserve=timestamps -- \"$b\" \"$t\"; sync -- \"$t\"; \
             mv -fT -- \"$t\" {l}; {KEEP}; sync -- {dir}",
            b = q(b),
            sha = q(sha),
            template = q(&restore_path(live, "XXXXXXXX")),
            cleanup = remove_on_failure("t"),
        ),
        (None, None) => format!("set -e; {record}; rm -f -- {l}; sync -- {dir}"),
        (Some(b), None) => {
            return Err(not_restored(
                conn,
                format!(
                    "{live} had no previous version when the deploy was planned (it was missing or unreadable), yet a backup of it was made ({b}): that backup cannot be checked, so {live} is left as it is"
                ),
                format!(
                    "compare {b} with {live} on the peer; to put the backup back: cp -p -- {} {l}, then restart the service",
                    q(b)
                ),
            ));
        }
        (None, Some(_)) => {
            return Err(not_restored(
                conn,
                format!("no backup of the previous {live} is known, so it is left as it is"),
                "restore the previous file from elsewhere, then restart the service".into(),
            ));
        }
    };
    conn.run(&format!("restoring {live}"), &command).map(|_| ())
}

/// A restore refused: the live file is left as it is, and the deploy cannot be settled
/// automatically.
fn not_restored(conn: &Connection, detail: String, fix: String) -> RemoteError {
    RemoteError::Unfinished {
        peer: conn.target.peer().into(),
        detail: super::text::terminal_safe(&detail),
        fix: super::text::terminal_safe(&fix),
    }
}

/// Removes files if they exist.
pub fn remove(conn: &Connection, paths: &[String]) -> Result<(), RemoteError> {
    if paths.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = paths.iter().map(|p| q(p)).collect();
    conn.run(
        &format!("removing {}", paths.join(", ")),
        &format!("rm -f -- {}", list.join(" ")),
    )
    .map(|_| ())
}

/// The backups to remove so that `keep` remain, the one `just_made` always among them: the
/// others are ranked by the timestamp in their names, newest first.
pub fn prune_list(mut backups: Vec<String>, just_made: &str, keep: u32) -> Vec<String> {
    backups.retain(|b| b != just_made);
    backups.sort_by(|a, b| b.cmp(a));
    backups.into_iter().skip(keep.max(1) as usize - 1).collect()
}

/// The shell that prints, one line each, the SHA-256 of each path or `-` when it is missing.
pub fn hash_script(paths: &[&str]) -> String {
    if paths.is_empty() {
        return "true".into();
    }
    let list: Vec<String> = paths.iter().map(|p| q(p)).collect();
    format!(
        "for f in {}; do if [ -f \"$f\" ]; then sha256sum < \"$f\" | cut -c1-64; else echo -; fi; done",
        list.join(" ")
    )
}

/// Reads what [`hash_script`] printed: one `Some(hash)` or `None` per path.
pub fn parse_hashes(stdout: &[u8], count: usize) -> Option<Vec<Option<String>>> {
    let text = String::from_utf8_lossy(stdout);
    let hashes: Vec<Option<String>> = text
        .lines()
        .take(count)
        .map(|l| {
            let l = l.trim();
            (l != "-").then(|| l.to_string())
        })
        .collect();
    (hashes.len() == count).then_some(hashes)
}

/// The hashes of remote files (`None`: missing).
pub fn hashes(conn: &Connection, paths: &[&str]) -> Result<Vec<Option<String>>, RemoteError> {
    let out = conn.run("hashing the live files", &hash_script(paths))?;
    parse_hashes(&out.stdout, paths.len()).ok_or_else(|| RemoteError::Command {
        peer: conn.target.peer().into(),
        action: "hashing the live files".into(),
        command: "sha256sum".into(),
        status: 0,
        detail: "fewer lines than files".into(),
    })
}

/// `YYYYMMDDTHHMMSSZ` for seconds since the epoch (UTC).
pub fn utc_stamp(secs: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil(secs);
    format!("{y:04}{m:02}{d:02}T{hh:02}{mm:02}{ss:02}Z")
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) for seconds since the epoch.
pub fn utc_text(secs: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil(secs);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02} UTC")
}

/// The UTC calendar fields of seconds since the epoch (the lease files' date helper).
fn civil(secs: u64) -> (i64, u8, u8, u8, u8, u8) {
    let (_, y, m, d, hh, mm, ss) = crate::leases::Timestamp(secs).civil();
    (y, m, d, hh, mm, ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_calendar_dates() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        assert_eq!(utc_stamp(951_782_400), "20000229T000000Z");
        assert_eq!(utc_stamp(1_795_000_000), "20261118T110640Z");
        assert_eq!(utc_text(86_399), "1970-01-01 23:59:59 UTC");
    }

    #[test]
    fn only_names_dhcpfo_gives_are_backups() {
        let ok: [&[u8]; 2] = [
            b"dhcpd.conf.dhcpfo-backup-20260101T000000Z",
            b"dhcpd.conf.dhcpfo-backup-20260101T000000Z.Ab12xY9z",
        ];
        for name in ok {
            assert!(is_backup_name(name, "dhcpd.conf"));
        }
        let not: [&[u8]; 6] = [
            b"dhcpd.conf.dhcpfo-backup-20260101T000000Z\nvictim",
            b"dhcpd.conf.dhcpfo-backup-2026",
            b"dhcpd.conf.dhcpfo-backup-20260101T000000Z.",
            b"dhcpd.conf.dhcpfo-backup-20260101T000000Z.a/b",
            b"other.conf.dhcpfo-backup-20260101T000000Z",
            b"dhcpd.conf.dhcpfo-new.abc",
        ];
        for name in not {
            assert!(!is_backup_name(name, "dhcpd.conf"), "{name:?}");
        }
    }

    #[test]
    fn pruning_keeps_the_backup_just_made_whatever_its_date() {
        let b = |s: &str| format!("/etc/dhcp/dhcpd.conf.dhcpfo-backup-{s}");
        let all = vec![
            b("20991231T000000Z.future"),
            b("20260101T000000Z.new"),
            b("20250101T000000Z.older"),
            b("20240101T000000Z"),
        ];
        assert_eq!(
            prune_list(all.clone(), &b("20260101T000000Z.new"), 1),
            [
                b("20991231T000000Z.future"),
                b("20250101T000000Z.older"),
                b("20240101T000000Z")
            ]
        );
        assert_eq!(
            prune_list(all, &b("20260101T000000Z.new"), 2),
            [b("20250101T000000Z.older"), b("20240101T000000Z")]
        );
    }

    #[test]
    fn hashes_come_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a b");
        std::fs::write(&a, "x").unwrap();
        let missing = dir.path().join("none");
        let script = hash_script(&[a.to_str().unwrap(), missing.to_str().unwrap()]);
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap();
        assert_eq!(
            parse_hashes(&out.stdout, 2),
            Some(vec![Some(sha256(b"x")), None])
        );
    }
}
