//! What `diff` and `deploy` learn about a peer, in one remote command: the live files (their
//! kind, content and modification time), the lock and its journal, the record of the last
//! restart dhcpfo made ([`super::record`]), the dhcpd processes and their start times and, for
//! a deploy, every folder on the way to the live files (type, owner, mode), checked before
//! anything is written. The status command runs apart ([`service`]), under its own deadline.
//!
//! The peer prints framed records (`KEY LENGTH\n` then that many bytes and `\n`), so contents
//! with any bytes come back intact; a file is opened once and its size read from the open
//! descriptor, and one that changed while it was read makes the frame fail to parse.

use super::journal::Journal;
use super::lock::{lock_dir, parent};
pub(crate) use super::record::{Runs, State, runs_what_is_on_disk, state_path};
use super::text::{human_size, terminal_safe};
use super::{Connection, RemoteError, Target, shell_quote as q};

/// What a live path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// No such file.
    Missing,
    /// A regular file.
    File,
    /// A symbolic link; its target fully resolved (`readlink -f`), if it resolves.
    Symlink(Option<String>),
    /// A folder, device or anything else.
    Other,
}

/// One live file.
#[derive(Debug, Clone)]
pub(crate) struct LiveFile {
    /// The configured path.
    pub path: String,
    /// What it is.
    pub kind: Kind,
    /// Its content (through a symlink), if it is a readable file.
    pub content: Option<Vec<u8>>,
    /// Its modification time on the peer's clock.
    pub mtime: Option<u64>,
}

/// A dhcpd process on the peer.
#[derive(Debug, Clone)]
pub(crate) struct Process {
    /// Its PID.
    pub pid: u32,
    /// Seconds since it started.
    pub elapsed: u64,
    /// The `-cf` file it was started with (`None`: dhcpd's default).
    pub config: Option<String>,
}

/// What one peer looks like.
#[derive(Debug, Clone)]
pub(crate) struct Inspection {
    /// The SSH user's uid.
    pub uid: u32,
    /// The peer's clock (seconds since the epoch).
    pub now: u64,
    /// The peer's clock minus this machine's, in seconds, read when the command began.
    pub clock_offset: Option<f64>,
    /// The live files asked for, in order.
    pub files: Vec<LiveFile>,
    /// The lock's owner line (`None`: no lock).
    pub lock_owner: Option<String>,
    /// The lock's journal.
    pub journal: Option<Journal>,
    /// The last restart record.
    pub state: Option<State>,
    /// dhcpd processes.
    pub processes: Vec<Process>,
    /// The boot id and `PID:STARTTIME` of each dhcpd started with this dhcpd.conf, as
    /// [`super::record::ident_fn`] prints them (empty: none runs).
    pub dhcpd: String,
    /// Each folder checked (for a deploy): path and `TYPE|UID|MODE` or `missing`.
    pub folders: Vec<(String, String)>,
    /// What the status command said, when the caller ran it (see [`service`]).
    pub service: Option<Service>,
    clock_reading: f64,
}

#[cfg(test)]
impl Inspection {
    /// A peer with nothing read yet but its clock (for tests).
    pub(crate) fn at(now: u64) -> Inspection {
        Inspection {
            uid: 0,
            now,
            clock_offset: None,
            files: Vec::new(),
            lock_owner: None,
            journal: None,
            state: None,
            processes: Vec::new(),
            dhcpd: String::new(),
            folders: Vec::new(),
            service: None,
            clock_reading: now as f64,
        }
    }
}

/// What a peer's status command said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// It exited 0: the service runs.
    Running,
    /// It exited with this status (-1: killed by a signal).
    Stopped(i32),
    /// It ran past its deadline (this many seconds) and the peer killed it.
    Hung(u64),
}

/// Runs a peer's status command once, under its `command-timeout`.
pub(crate) fn service(conn: &Connection) -> Result<Service, RemoteError> {
    let target = &conn.target;
    let out = conn.exec(&target.status_command, None)?;
    Ok(if out.timed_out {
        Service::Hung(target.command_timeout.as_secs())
    } else if out.status == 0 {
        Service::Running
    } else {
        Service::Stopped(out.status)
    })
}

/// The folders from `/` down to `dir`, each a path.
pub(crate) fn folder_chain(dir: &str) -> Vec<String> {
    let mut out = vec!["/".to_string()];
    let mut path = String::new();
    for part in dir.split('/').filter(|p| !p.is_empty() && *p != ".") {
        path.push('/');
        path.push_str(part);
        out.push(path.clone());
    }
    out
}

/// The shell function `whole KEY FILE`: a frame with the whole of a regular file that is not a
/// symbolic link (its size read from the open descriptor), or `KEY toolarge SIZE` past `max`
/// bytes, `KEY absent`, `KEY unreadable`. Nothing is ever cut short without saying so.
fn whole_fn(max: u64) -> String {
    format!(
        "whole() {{ if [ -f \"$2\" ] && [ ! -L \"$2\" ]; then \
         {{ n=$(stat -L -c %s /dev/fd/3) && if [ \"$n\" -gt {max} ]; then echo \"$1 toolarge $n\"; \
         else echo \"$1 $n\"; head -c \"$n\" <&3; echo; fi; }} 3< \"$2\" 2>/dev/null || echo \"$1 unreadable\"; \
         else echo \"$1 absent\"; fi; }}"
    )
}

/// The remote script. `folders`: the folders to check (none for `diff`). It starts as few
/// processes as it can: one `stat` for all folders, one `stat` and one `head` per live file.
fn script(target: &Target, paths: &[String], folders: &[String]) -> String {
    let lock = lock_dir(&target.config_path);
    let max = target.max_read;
    let mut s = format!(
        "export LC_ALL=C\n\
         val() {{ printf '%s %s\\n%s\\n' \"$1\" \"${{#2}}\" \"$2\"; }}\n\
         {}\n\
         {}\n\
         val now \"$(date -u +%s.%N)\"\n",
        whole_fn(max),
        super::record::ident_fn(target),
    );
    if !folders.is_empty() {
        let list: Vec<String> = folders.iter().map(|f| q(f)).collect();
        s.push_str(&format!(
            "val uid \"$(id -u)\"; val folders \"$(stat -c '%F|%u|%a|%n' -- {} 2>/dev/null)\"\n",
            list.join(" ")
        ));
    }
    for path in paths {
        let p = q(path);
        s.push_str(&format!(
            "if [ -L {p} ]; then val kind symlink; val target \"$(readlink -f -- {p})\"; \
             elif [ -f {p} ]; then val kind file; elif [ -e {p} ]; then val kind other; else val kind missing; fi\n\
             if [ -f {p} ]; then {{ m=$(stat -L -c '%s %Y' /dev/fd/3) && n=${{m% *}} && val mtime \"${{m#* }}\" && \
             if [ \"$n\" -gt {max} ]; then echo \"file toolarge $n\"; else echo \"file $n\"; head -c \"$n\" <&3; echo; fi; }} 3< {p} 2>/dev/null \
             || {{ val mtime ''; echo 'file unreadable'; }}; else val mtime ''; echo 'file absent'; fi\n"
        ));
    }
    s.push_str(&format!(
        "whole owner {l}/owner; whole journal {l}/journal; whole state {st}\n\
         for p in $(pgrep -x dhcpd 2>/dev/null); do \
         val proc \"$p $(ps -o etimes= -p \"$p\" | tr -d ' ') $(tr '\\0\\n' '\\n\\001' < /proc/$p/cmdline 2>/dev/null | sed -n '/^-cf$/{{n;p;q;}}')\"; done\n\
         val dhcpd \"$(dhcpd_ident)\"\n",
        l = q(&lock),
        st = q(&state_path(target)),
    ));
    s
}

/// One record of the script's output.
enum Record {
    Value(String, Vec<u8>),
    Status(String, String),
}

fn records(out: &[u8]) -> Option<Vec<Record>> {
    let mut rest = out;
    let mut recs = Vec::new();
    while !rest.is_empty() {
        let eol = rest.iter().position(|b| *b == b'\n')?;
        let header = std::str::from_utf8(&rest[..eol]).ok()?;
        rest = &rest[eol + 1..];
        let (key, arg) = header.split_once(' ')?;
        match arg.parse::<usize>() {
            Ok(n) => {
                if n >= rest.len() || rest[n] != b'\n' {
                    return None;
                }
                recs.push(Record::Value(key.to_string(), rest[..n].to_vec()));
                rest = &rest[n + 1..];
            }
            Err(_) => recs.push(Record::Status(key.to_string(), arg.to_string())),
        }
    }
    Some(recs)
}

/// Reads a peer: the live files `paths`, and the folders above them when `check_folders`.
pub(crate) fn inspect(
    conn: &Connection,
    paths: &[String],
    check_folders: bool,
) -> Result<Inspection, RemoteError> {
    let target = &conn.target;
    let folders: Vec<String> = if check_folders {
        let mut dirs: Vec<&str> = paths.iter().map(|p| parent(p)).collect();
        dirs.push(parent(&target.config_path));
        let mut chain: Vec<String> = dirs.iter().flat_map(|d| folder_chain(d)).collect();
        chain.dedup();
        let mut seen = std::collections::BTreeSet::new();
        chain.retain(|c| seen.insert(c.clone()));
        chain
    } else {
        Vec::new()
    };
    let command = script(target, paths, &folders);
    let out = conn.run_within(
        "reading the live files",
        &command,
        None,
        target.command_timeout,
    );
    let out = match out {
        Err(RemoteError::TooLarge { peer, limit, .. }) => {
            return Err(RemoteError::TooLarge {
                peer,
                what: "what the live files, lock and journal add up to".into(),
                limit,
            });
        }
        other => other?,
    };
    let changed = || RemoteError::Command {
        peer: target.peer().into(),
        action: "reading the live files".into(),
        command: "(the inspection script)".into(),
        status: 0,
        detail: "the output did not parse: a file changed while it was read; run the command again"
            .into(),
    };
    let recs = records(&out.stdout).ok_or_else(changed)?;
    let mut inspection = parse(target, paths, &folders, recs).ok_or_else(changed)??;
    inspection.clock_offset = out
        .timing
        .map(|(sent, first)| super::clock::offset_from(inspection.clock_reading, sent, first));
    Ok(inspection)
}

fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

fn parse(
    target: &Target,
    paths: &[String],
    folders: &[String],
    recs: Vec<Record>,
) -> Option<Result<Inspection, RemoteError>> {
    let mut it = recs.into_iter().peekable();
    let mut value = |key: &str| match it.next() {
        Some(Record::Value(k, v)) if k == key => Some(v),
        _ => None,
    };
    let clock_reading: f64 = text(&value("now")?).trim().parse().ok()?;
    let now = clock_reading as u64;
    let mut uid = 0;
    let mut checked = Vec::new();
    if !folders.is_empty() {
        uid = text(&value("uid")?).trim().parse().ok()?;
        let listing = text(&value("folders")?);
        let stats: Vec<(&str, &str)> = listing
            .lines()
            .filter_map(|l| {
                let mut parts = l.splitn(4, '|');
                let (k, u, m, name) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
                Some((name, &l[..k.len() + u.len() + m.len() + 2]))
            })
            .collect();
        for f in folders {
            let stat = stats
                .iter()
                .find(|(name, _)| *name == f)
                .map_or("missing".to_string(), |(_, s)| (*s).to_string());
            checked.push((f.clone(), stat));
        }
    }
    let mut live = Vec::new();
    for path in paths {
        let kind = match it.next()? {
            Record::Value(k, v) if k == "kind" => text(&v),
            _ => return None,
        };
        let kind = match kind.as_str() {
            "file" => Kind::File,
            "missing" => Kind::Missing,
            "symlink" => match it.next()? {
                Record::Value(k, v) if k == "target" => {
                    let t = text(&v);
                    Kind::Symlink((!t.is_empty()).then_some(t))
                }
                _ => return None,
            },
            _ => Kind::Other,
        };
        let mtime = match it.next()? {
            Record::Value(k, v) if k == "mtime" => text(&v).trim().parse().ok(),
            _ => return None,
        };

        let content = match it.next()? {
            Record::Value(k, v) if k == "file" => Some(v),
            Record::Status(k, s) if k == "file" => {
                if let Some(size) = s.strip_prefix("toolarge ") {
                    return Some(Err(too_large(target, path, size)));
                }
                None
            }
            _ => return None,
        };
        live.push(LiveFile {
            path: path.clone(),
            kind,
            content,
            mtime,
        });
    }
    let owner = match blob(target, &mut it, "owner")? {
        Ok(v) => v.map(|v| text(&v).trim().to_string()),
        Err(e) => return Some(Err(e)),
    };
    let journal = match blob(target, &mut it, "journal")? {
        Ok(v) => v.map(|v| Journal::parse(&text(&v))),
        Err(e) => return Some(Err(e)),
    };
    let state = match blob(target, &mut it, "state")? {
        Ok(v) => v.and_then(|v| serde_json::from_slice(&v).ok()),
        Err(e) => return Some(Err(e)),
    };
    let mut processes = Vec::new();
    let mut dhcpd = String::new();
    for rec in it {
        if let Record::Value(k, v) = &rec
            && k == "dhcpd"
        {
            dhcpd = text(v).trim().to_string();
        }
        if let Record::Value(k, v) = rec
            && k == "proc"
        {
            let line = text(&v);
            let mut words = line.splitn(3, ' ');
            let (Some(pid), Some(elapsed)) = (words.next(), words.next()) else {
                continue;
            };
            let (Ok(pid), Ok(elapsed)) = (pid.parse(), elapsed.parse()) else {
                continue;
            };
            let config = words.next().filter(|c| !c.is_empty()).map(str::to_string);
            processes.push(Process {
                pid,
                elapsed,
                config,
            });
        }
    }
    // A lock directory without an owner file still stands in the way of `mkdir`.
    Some(Ok(Inspection {
        uid,
        now,
        clock_offset: None,
        clock_reading,
        files: live,
        lock_owner: owner,
        journal,
        state,
        processes,
        dhcpd,
        folders: checked,
        service: None,
    }))
}

/// The next record, a file `whole` read: its content, `None` when it is absent or unreadable,
/// an error when it is over the cap; `None` outside when the record is not that file's.
fn blob(
    target: &Target,
    it: &mut impl Iterator<Item = Record>,
    key: &str,
) -> Option<Result<Option<Vec<u8>>, RemoteError>> {
    match it.next()? {
        Record::Value(k, v) if k == key => Some(Ok(Some(v))),
        Record::Status(k, s) if k == key => Some(match s.strip_prefix("toolarge ") {
            Some(size) => Err(too_large(target, &format!("the lock's {key}"), size)),
            None => Ok(None),
        }),
        _ => None,
    }
}

/// Reads a peer's lock for `status`: its owner line and journal, in one short command that
/// prints nothing when there is no journal.
pub(crate) fn read_lock(
    conn: &Connection,
) -> Result<(Option<String>, Option<Journal>), RemoteError> {
    let target = &conn.target;
    let l = q(&lock_dir(&target.config_path));
    let command = format!(
        "export LC_ALL=C\n{}\nif [ -e {l}/journal ]; then whole owner {l}/owner; whole journal {l}/journal; fi\n",
        whole_fn(target.max_read)
    );
    let action = "reading the deploy journal";
    let out = conn.run(action, &command)?;
    let recs = records(&out.stdout).ok_or_else(|| RemoteError::Command {
        peer: target.peer().into(),
        action: action.into(),
        command: "(the lock reading script)".into(),
        status: 0,
        detail:
            "the output did not parse: the journal changed while it was read; run the command again"
                .into(),
    })?;
    if recs.is_empty() {
        return Ok((None, None));
    }
    let mut it = recs.into_iter();
    let unparsed = || RemoteError::Command {
        peer: target.peer().into(),
        action: action.into(),
        command: "(the lock reading script)".into(),
        status: 0,
        detail: "unexpected output".into(),
    };
    let owner = blob(target, &mut it, "owner").ok_or_else(unparsed)??;
    let journal = blob(target, &mut it, "journal").ok_or_else(unparsed)??;
    Ok((
        owner.map(|v| text(&v).trim().to_string()),
        journal.map(|v| Journal::parse(&text(&v))),
    ))
}

fn too_large(target: &Target, what: &str, size: &str) -> RemoteError {
    let size = size
        .trim()
        .parse::<u64>()
        .map_or(size.to_string(), human_size);
    RemoteError::TooLarge {
        peer: target.peer().into(),
        what: format!("{} ({size})", terminal_safe(what)),
        limit: human_size(target.max_read),
    }
}

/// Refuses folders that anyone but root and the SSH user could change, symbolic links among
/// them, and live files that are not regular files (a symlinked one only with
/// `follow-symlinks`). `writes`: the folders deploy writes into.
pub(crate) fn check_safe(
    target: &Target,
    inspection: &Inspection,
    writes: &[&str],
) -> Result<(), RemoteError> {
    let unsafe_path = |path: &str, reason: String, fix: String| RemoteError::UnsafePath {
        peer: target.peer().into(),
        path: terminal_safe(path),
        reason,
        fix,
    };
    for (path, stat) in &inspection.folders {
        if stat == "missing" {
            return Err(unsafe_path(
                path,
                "no such folder".into(),
                "create it, or fix `ssh.config-path` / `ssh.defaults-path`".into(),
            ));
        }
        let mut parts = stat.splitn(3, '|');
        let (kind, uid, mode) = (
            parts.next().unwrap_or(""),
            parts.next().and_then(|u| u.parse::<u32>().ok()),
            parts
                .next()
                .and_then(|m| u32::from_str_radix(m.trim(), 8).ok()),
        );
        let (Some(uid), Some(mode)) = (uid, mode) else {
            return Err(unsafe_path(
                path,
                format!("cannot read its owner and mode ({})", terminal_safe(stat)),
                "check that `stat` from GNU coreutils is on the peer".into(),
            ));
        };
        if kind == "symbolic link" {
            return Err(unsafe_path(
                path,
                "is a symbolic link, where dhcpfo expects a folder".into(),
                format!(
                    "give the real folder (`readlink -f {}` on the peer) in `ssh.config-path` / `ssh.defaults-path`",
                    q(path)
                ),
            ));
        }
        if kind != "directory" {
            return Err(unsafe_path(
                path,
                format!("is a {kind}, not a folder"),
                "fix `ssh.config-path` / `ssh.defaults-path`".into(),
            ));
        }
        if uid != 0 && uid != inspection.uid {
            return Err(unsafe_path(
                path,
                format!(
                    "belongs to uid {uid}, neither root nor the SSH user (uid {})",
                    inspection.uid
                ),
                format!(
                    "that user could swap the files dhcpfo writes; give the folder to root (`chown root {}`)",
                    q(path)
                ),
            ));
        }
        let writable = mode & 0o022 != 0;
        let final_folder = writes.contains(&path.as_str());
        if writable && (final_folder || mode & 0o1000 == 0) {
            return Err(unsafe_path(
                path,
                format!(
                    "is writable by its group or by others (mode {:o})",
                    mode & 0o7777
                ),
                format!(
                    "another user could plant links or files where dhcpfo writes as root; make it writable by its owner only (`chmod go-w {}`)",
                    q(path)
                ),
            ));
        }
    }
    for file in &inspection.files {
        match &file.kind {
            Kind::File | Kind::Missing => {}
            Kind::Symlink(_) if target.follow_symlinks => {}
            Kind::Symlink(to) => {
                return Err(unsafe_path(
                    &file.path,
                    format!(
                        "is a symbolic link (to {})",
                        to.as_deref().map_or("nothing".into(), terminal_safe)
                    ),
                    "replace the link with the file itself, or set `ssh.follow-symlinks: true` for this peer to write to its target".into(),
                ));
            }
            Kind::Other => {
                return Err(unsafe_path(
                    &file.path,
                    "is not a regular file".into(),
                    "fix `ssh.config-path` / `ssh.defaults-path`".into(),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_from_the_root_down() {
        assert_eq!(folder_chain("/etc/dhcp"), ["/", "/etc", "/etc/dhcp"]);
        assert_eq!(folder_chain("/"), ["/"]);
    }

    #[test]
    fn frames_carry_any_bytes() {
        let out = b"uid 1\n0\nfile 3\na\nb\nfile absent\nowner toolarge 99\n";
        let recs = records(out).unwrap();
        assert!(matches!(&recs[1], Record::Value(k, v) if k == "file" && v == b"a\nb"));
        assert!(matches!(&recs[2], Record::Status(k, s) if k == "file" && s == "absent"));
        assert!(records(b"file 10\nshort\n").is_none());
        // A length a peer could send to make the bound check overflow.
        assert!(records(b"file 18446744073709551615\nx\n").is_none());
    }
}
