//! Remote files: reading them, writing a candidate next to the live file with the live file's
//! mode and owner, backing up, renaming atomically, restoring.

use super::{Connection, RemoteError, shell_quote as q};

/// Suffix of the candidate written next to a live file before it is validated and renamed.
pub const TEMP_SUFFIX: &str = ".dhcpfo-new";
/// Infix of backups: `LIVE.dhcpfo-backup-YYYYMMDDTHHMMSSZ`.
pub const BACKUP_INFIX: &str = ".dhcpfo-backup-";

/// Exit status the read command uses for a missing file.
const MISSING: i32 = 100;

/// The candidate path next to a live file.
pub fn temp_path(live: &str) -> String {
    format!("{live}{TEMP_SUFFIX}")
}

/// The backup path of a live file for a timestamp.
pub fn backup_path(live: &str, stamp: &str) -> String {
    format!("{live}{BACKUP_INFIX}{stamp}")
}

/// Reads a remote text file; `None` when it does not exist.
pub fn read(conn: &Connection, path: &str) -> Result<Option<String>, RemoteError> {
    let command = format!("test -e {p} || exit {MISSING}; cat -- {p}", p = q(path));
    let out = conn.exec(&command, None)?;
    match out.status {
        0 => Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned())),
        MISSING => Ok(None),
        status => Err(RemoteError::Command {
            peer: conn.target.peer().into(),
            action: format!("reading {path}"),
            command,
            status,
            detail: out.detail(),
        }),
    }
}

/// Writes `content` to `temp` next to `live`, with the live file's mode and owner (or mode
/// 0644 when there is no live file yet).
pub fn upload(conn: &Connection, live: &str, temp: &str, content: &str) -> Result<(), RemoteError> {
    let (l, t) = (q(live), q(temp));
    let command = format!(
        "umask 077 && cat > {t} && if [ -e {l} ]; then chmod --reference={l} {t} && chown --reference={l} {t}; else chmod 0644 {t}; fi"
    );
    conn.run_with_input(
        &format!("uploading {temp}"),
        &command,
        Some(content.as_bytes()),
    )
    .map(|_| ())
}

/// Copies the live file to a backup (mode, owner and times kept) and prunes older backups
/// beyond `keep`. Returns `false` when there is no live file to back up.
pub fn backup(conn: &Connection, live: &str, backup: &str, keep: u32) -> Result<bool, RemoteError> {
    let (l, b) = (q(live), q(backup));
    let prefix = q(&format!("{live}{BACKUP_INFIX}"));
    let command = format!(
        "test -e {l} || exit {MISSING}; cp -p -- {l} {b} && ls -1d -- {prefix}[0-9]* | sort -r | tail -n +{} | while IFS= read -r f; do rm -f -- \"$f\"; done",
        keep.max(1) + 1
    );
    let out = conn.exec(&command, None)?;
    match out.status {
        0 => Ok(true),
        MISSING => Ok(false),
        status => Err(RemoteError::Command {
            peer: conn.target.peer().into(),
            action: format!("backing up {live}"),
            command,
            status,
            detail: out.detail(),
        }),
    }
}

/// Renames `from` over `to` (atomic within one file system).
pub fn rename(conn: &Connection, from: &str, to: &str) -> Result<(), RemoteError> {
    conn.run(
        &format!("renaming {from} to {to}"),
        &format!("mv -f -- {} {}", q(from), q(to)),
    )
    .map(|_| ())
}

/// Puts a backup back in place of the live file: copied next to it, then renamed over it.
/// With no backup (the file did not exist before), the live file is removed.
pub fn restore(conn: &Connection, live: &str, backup: Option<&str>) -> Result<(), RemoteError> {
    let l = q(live);
    let command = match backup {
        Some(b) => {
            let t = q(&format!("{live}.dhcpfo-restore"));
            format!("cp -p -- {} {t} && mv -f -- {t} {l}", q(b))
        }
        None => format!("rm -f -- {l}"),
    };
    conn.run(&format!("restoring {live}"), &command).map(|_| ())
}

/// Removes a file if it exists.
pub fn remove(conn: &Connection, path: &str) -> Result<(), RemoteError> {
    conn.run(
        &format!("removing {path}"),
        &format!("rm -f -- {}", q(path)),
    )
    .map(|_| ())
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

/// Days-to-civil conversion (proleptic Gregorian calendar, H. Hinnant's algorithm).
fn civil(secs: u64) -> (i64, u32, u32, u64, u64, u64) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
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
    fn paths_sit_next_to_the_live_file() {
        assert_eq!(
            temp_path("/etc/dhcp/dhcpd.conf"),
            "/etc/dhcp/dhcpd.conf.dhcpfo-new"
        );
        assert_eq!(
            backup_path("/etc/dhcp/dhcpd.conf", "20260101T000000Z"),
            "/etc/dhcp/dhcpd.conf.dhcpfo-backup-20260101T000000Z"
        );
    }
}
