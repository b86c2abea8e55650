//! Live versus rendered: which remote file each rendered file replaces, and unified diffs.
//!
//! The diff stays near-linear on large files: when the differing middle of the two texts
//! (after their common first and last lines) shares no line, deleting one and inserting the
//! other is the shortest diff and no search runs; otherwise the patience diff (anchored on
//! lines that occur once in each file, Myers' search between them) runs for at most
//! [`DIFF_DEADLINE`], after which similar settles for a correct edit script that may be
//! longer than the shortest one (the report says so).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiff};

use super::{Connection, RemoteError, Target, files};
use crate::model::Role;
use crate::render::RenderedFile;

/// What a live file is, compared with its rendered version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Byte-identical.
    Unchanged,
    /// Differs.
    Changed,
    /// No live file yet.
    Missing,
}

/// One file of one peer, live and rendered.
#[derive(Debug, Clone, Serialize)]
pub struct FileDiff {
    /// The peer.
    pub peer: Role,
    /// Rendered file name (`dhcpd.conf`, `isc-dhcp-server`).
    pub name: String,
    /// Remote path of the live file.
    pub path: String,
    /// Unchanged, changed or missing.
    pub status: FileStatus,
    /// Unified diff, live to rendered (empty when unchanged).
    pub diff: String,
    /// Lines the diff removes from the live file.
    pub removed: usize,
    /// Lines the diff adds from the rendered file.
    pub added: usize,
    /// The search for the shortest diff ran out of time: the diff is correct but may remove
    /// and add more lines than needed.
    pub approximate: bool,
    /// The live file's text, if any.
    #[serde(skip)]
    pub live: Option<String>,
    /// The rendered text.
    #[serde(skip)]
    pub rendered: String,
}

impl FileDiff {
    /// Whether deploying would change this file.
    pub fn differs(&self) -> bool {
        self.status != FileStatus::Unchanged
    }
}

/// The remote path a rendered file replaces on its peer, or `None` for a file the single
/// layout does not deploy.
pub fn remote_path<'a>(target: &'a Target, file: &RenderedFile) -> Option<&'a str> {
    match file.name {
        "dhcpd.conf" => Some(&target.config_path),
        "isc-dhcp-server" => Some(&target.defaults_path),
        _ => None,
    }
}

/// How long the diff may search for the shortest edit script.
pub const DIFF_DEADLINE: Duration = Duration::from_secs(2);

/// Reads the live files of one peer and compares them with the rendered ones.
pub fn compare(conn: &Connection, rendered: &[RenderedFile]) -> Result<Vec<FileDiff>, RemoteError> {
    let mut out = Vec::new();
    for file in rendered.iter().filter(|f| f.role == conn.target.role) {
        let Some(path) = remote_path(&conn.target, file) else {
            continue;
        };
        let live = files::read(conn, path)?;
        out.push(file_diff(
            conn.target.role,
            file.name,
            path,
            live,
            file.content.clone(),
        ));
    }
    Ok(out)
}

/// Compares one live text (or its absence) with a rendered text.
pub fn file_diff(
    peer: Role,
    name: &str,
    path: &str,
    live: Option<String>,
    rendered: String,
) -> FileDiff {
    let status = match &live {
        None => FileStatus::Missing,
        Some(l) if *l == rendered => FileStatus::Unchanged,
        Some(_) => FileStatus::Changed,
    };
    let unified = if status == FileStatus::Unchanged {
        Unified::default()
    } else {
        let old = live.as_deref().unwrap_or("");
        let old_header = if live.is_some() {
            format!("{}:{path} (live)", peer.as_str())
        } else {
            "/dev/null".to_string()
        };
        unified(
            old,
            &rendered,
            &old_header,
            &format!("{}:{path} (rendered)", peer.as_str()),
        )
    };
    FileDiff {
        peer,
        name: name.into(),
        path: path.into(),
        status,
        diff: unified.text,
        removed: unified.removed,
        added: unified.added,
        approximate: unified.approximate,
        live,
        rendered,
    }
}

/// A unified diff with its counts.
#[derive(Debug, Default)]
struct Unified {
    text: String,
    removed: usize,
    added: usize,
    approximate: bool,
}

fn unified(old: &str, new: &str, old_header: &str, new_header: &str) -> Unified {
    let searched = middles_share_a_line(old, new);
    let budget = if searched {
        DIFF_DEADLINE
    } else {
        Duration::ZERO
    };
    let started = Instant::now();
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(budget)
        .diff_lines(old, new);
    let approximate = searched && started.elapsed() >= budget;
    let (mut removed, mut added) = (0, 0);
    for op in diff.ops() {
        for change in diff.iter_changes(op) {
            match change.tag() {
                ChangeTag::Delete => removed += 1,
                ChangeTag::Insert => added += 1,
                ChangeTag::Equal => {}
            }
        }
    }
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(old_header, new_header)
        .to_string();
    Unified {
        text,
        removed,
        added,
        approximate,
    }
}

/// Whether a line occurs in the differing middle of both texts, after the lines they begin
/// and end with in common. (A line-hash pre-pass: without one, there is nothing to search.)
fn middles_share_a_line(old: &str, new: &str) -> bool {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let lines: HashSet<&str> = a[prefix..a.len() - suffix].iter().copied().collect();
    b[prefix..b.len() - suffix]
        .iter()
        .any(|l| lines.contains(l))
}

/// Colours a unified diff for a terminal: headers bold, hunks cyan, removals red, additions
/// green.
pub fn colorize(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.split_inclusive('\n') {
        let code = if line.starts_with("---") || line.starts_with("+++") {
            "1"
        } else if line.starts_with("@@") {
            "36"
        } else if line.starts_with('-') {
            "31"
        } else if line.starts_with('+') {
            "32"
        } else {
            ""
        };
        if code.is_empty() {
            out.push_str(line);
        } else {
            let body = line.strip_suffix('\n').unwrap_or(line);
            out.push_str(&format!("\x1b[{code}m{body}\x1b[0m"));
            if line.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_show_live_to_rendered() {
        let d = file_diff(
            Role::Primary,
            "dhcpd.conf",
            "/etc/dhcp/dhcpd.conf",
            Some("a\nb\n".into()),
            "a\nc\n".into(),
        );
        assert_eq!(d.status, FileStatus::Changed);
        assert!(d.diff.contains("--- primary:/etc/dhcp/dhcpd.conf (live)"));
        assert!(d.diff.contains("-b\n+c\n"));
        let same = file_diff(Role::Secondary, "x", "/x", Some("a\n".into()), "a\n".into());
        assert!(!same.differs() && same.diff.is_empty());
        let missing = file_diff(Role::Secondary, "x", "/x", None, "a\n".into());
        assert_eq!(missing.status, FileStatus::Missing);
        assert!(missing.diff.contains("--- /dev/null") && missing.diff.contains("+a"));
        assert!(colorize(&d.diff).contains("\x1b[31m-b\x1b[0m\n"));
        assert_eq!((d.removed, d.added, d.approximate), (1, 1, false));
        assert_eq!((missing.removed, missing.added), (0, 1));
    }

    /// Applies a unified diff (as printed) to `old`.
    fn apply(old: &str, diff: &str) -> String {
        let old: Vec<&str> = old.split_inclusive('\n').collect();
        let (mut out, mut at) = (String::new(), 0);
        for line in diff.split_inclusive('\n').skip(2) {
            if let Some(hunk) = line.strip_prefix("@@ -") {
                let start: usize = hunk.split([',', ' ']).next().unwrap().parse().unwrap();
                while at + 1 < start {
                    out.push_str(old[at]);
                    at += 1;
                }
            } else if let Some(kept) = line.strip_prefix(' ') {
                out.push_str(kept);
                at += 1;
            } else if line.starts_with('-') {
                at += 1;
            } else if let Some(added) = line.strip_prefix('+') {
                out.push_str(added);
            }
        }
        old[at..].iter().for_each(|l| out.push_str(l));
        out
    }

    /// Numbered lines `from..to`, each `prefix N`.
    fn lines(prefix: &str, range: std::ops::Range<usize>) -> String {
        range.map(|i| format!("{prefix} {i};\n")).collect()
    }

    #[test]
    fn a_large_file_with_nothing_in_common_is_diffed_without_a_search() {
        // 250,000 live lines, none of them in the rendered file: the whole middle goes.
        let live = format!("head\n{}tail\n", lines("host", 0..250_000));
        let rendered = format!("head\n{}tail\n", lines("subnet", 0..40));
        assert!(!middles_share_a_line(&live, &rendered));
        let d = file_diff(Role::Primary, "x", "/x", Some(live), rendered);
        assert_eq!((d.removed, d.added, d.approximate), (250_000, 40, false));
        assert!(d.diff.starts_with("--- primary:/x (live)\n+++ primary:/x (rendered)\n@@ -1,250002 +1,42 @@\n head\n-host 0;\n"));
        assert!(d.diff.ends_with("+subnet 39;\n tail\n"));
    }

    #[test]
    fn shared_middles_are_searched_and_the_result_applies() {
        let live = lines("line", 0..5000);
        let rendered: String = live
            .lines()
            .enumerate()
            .filter(|(i, _)| i % 100 != 7)
            .map(|(i, l)| {
                if i % 100 == 50 {
                    format!("new {i}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        assert!(middles_share_a_line(&live, &rendered));
        let d = file_diff(
            Role::Primary,
            "x",
            "/x",
            Some(live.clone()),
            rendered.clone(),
        );
        assert_eq!((d.removed, d.added, d.approximate), (100, 50, false));
        // Applying the unified diff to the live text gives the rendered text.
        assert_eq!(apply(&live, &d.diff), rendered);
    }
}
