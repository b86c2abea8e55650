//! Live versus rendered: which remote file each rendered file replaces, and unified diffs
//! (computed by [`super::line_diff`], near-linear on large files).

use std::time::Duration;

use serde::Serialize;

use super::{Target, line_diff};
use crate::model::Role;
use crate::render::RenderedFile;

/// What a live file is, compared with its rendered version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FileStatus {
    /// Byte-identical.
    Unchanged,
    /// Differs.
    Changed,
    /// No live file yet.
    Missing,
}

/// One file of one peer, live and rendered.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileDiff {
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
    /// The rendered text.
    #[serde(skip)]
    pub rendered: String,
}

impl FileDiff {
    /// Whether deploying would change this file.
    pub(crate) fn differs(&self) -> bool {
        self.status != FileStatus::Unchanged
    }
}

/// The remote path a rendered file replaces on its peer, or `None` for a file the target's
/// layout does not deploy (the shared file, unless the target has a shared path).
pub(crate) fn remote_path<'a>(target: &'a Target, file: &RenderedFile) -> Option<&'a str> {
    match file.name {
        "dhcpd.conf" => Some(&target.config_path),
        "isc-dhcp-server" => Some(&target.defaults_path),
        "dhcpd.shared.conf" => target.shared_path.as_deref(),
        _ => None,
    }
}

/// How long the diff may search for the shortest edit script before it matches the rest
/// greedily.
pub(crate) const DIFF_DEADLINE: Duration = Duration::from_secs(2);

/// Compares one live text (or its absence) with a rendered text.
pub(crate) fn file_diff(
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
        line_diff::LineDiff::default()
    } else {
        let old = live.as_deref().unwrap_or("");
        let old_header = if live.is_some() {
            format!("{}:{path} (live)", peer.as_str())
        } else {
            "/dev/null".to_string()
        };
        line_diff::unified(
            old,
            &rendered,
            &old_header,
            &format!("{}:{path} (rendered)", peer.as_str()),
            DIFF_DEADLINE,
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
        rendered,
    }
}

/// Colours a unified diff for a terminal: headers bold, hunks cyan, removals red, additions
/// green.
pub(crate) fn colorize(diff: &str) -> String {
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
}
