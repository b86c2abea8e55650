//! The deploy journal: one JSON object a line in `journal` inside each peer's lock directory,
//! appended and fsynced, entry by entry, by the same remote command that does the step it
//! records, before the step's effect where the effect cannot be undone (a rename, a restart).
//!
//! A journal whose deploy began and did not settle is what an interrupted or killed deploy
//! leaves. It names both peers' files with the SHA-256 of the previous and of the new content,
//! the backups and candidates made, and the restarts begun and ended, so that a later run can
//! tell by hashing what each peer holds now, and complete or roll back. Its claims are never
//! trusted alone: what a peer holds is always measured.

use serde::{Deserialize, Serialize};

use super::shell_quote as q;
use crate::model::Role;
use crate::model::remote::RestartOrder;

/// Placeholder a shell variable's value replaces in an entry (see [`append_with`]).
const VAR: &str = "@VALUE@";

/// One file a deploy replaces on a peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PlannedFile {
    /// The file written (the live file, or its target when a symlink is followed).
    pub live: String,
    /// SHA-256 of the file before the deploy (`None`: it did not exist).
    pub old_sha256: Option<String>,
    /// SHA-256 of the rendered file.
    pub new_sha256: String,
}

/// What a deploy does on one peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PlannedPeer {
    /// The peer.
    pub peer: Role,
    /// `host:port`.
    pub host: String,
    /// Files replaced.
    pub files: Vec<PlannedFile>,
    /// Whether the peer is restarted (it is whenever a file changes, or when it did not run
    /// what was on disk).
    pub restart: bool,
}

/// The first entry: the whole plan, both peers, written on every peer that takes part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Begin {
    /// The lock id of the deploy that wrote it.
    pub deploy: String,
    /// Who ran it (the lock's owner line).
    pub owner: String,
    /// Restart order.
    pub order: RestartOrder,
    /// Both peers, primary first.
    pub peers: Vec<PlannedPeer>,
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub(crate) enum Entry {
    /// The plan.
    Begin(Begin),
    /// A candidate was created: `LIVE.dhcpfo-new.SUFFIX`.
    Candidate {
        /// The live file.
        live: String,
        /// The random part of its name.
        suffix: String,
    },
    /// A backup was made: `LIVE.dhcpfo-backup-SUFFIX`.
    Backup {
        /// The live file.
        live: String,
        /// Timestamp and random part of its name.
        suffix: String,
    },
    /// The candidate is about to be renamed over the live file.
    Switch {
        /// The live file.
        live: String,
    },
    /// The restart command is about to start.
    RestartBegin {
        /// The peer's clock then (seconds since the epoch).
        at: String,
        /// Its deadline, in seconds (the peer kills it after that, and the kill grace).
        deadline: u64,
    },
    /// The restart command ended.
    RestartEnd {
        /// Whether it exited 0.
        ok: bool,
    },
    /// The status command was run after a restart.
    Running {
        /// Whether it said the service runs.
        ok: bool,
    },
    /// A live file is about to be put back from its backup (or removed).
    Restore {
        /// The live file.
        live: String,
    },
    /// The copy of a backup that is renamed over the live file was created:
    /// `LIVE.dhcpfo-restore.SUFFIX`.
    RestoreCopy {
        /// The live file.
        live: String,
        /// The random part of its name.
        suffix: String,
    },
}

/// The journal file inside a lock directory.
pub(crate) fn path(lock_dir: &str) -> String {
    format!("{lock_dir}/journal")
}

/// The file inside a lock directory that takes the output of the last restart: kept off the
/// SSH channel, where a write after a lost link would kill the restart (SIGPIPE).
pub(crate) fn restart_output(lock_dir: &str) -> String {
    format!("{lock_dir}/restart-output")
}

/// The shell that appends `entries` to the journal and fsyncs it, failing when either fails.
pub(crate) fn append(journal: &str, entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "true".into();
    }
    let lines: Vec<String> = entries
        .iter()
        .map(|e| q(&serde_json::to_string(e).unwrap_or_default()))
        .collect();
    let j = q(journal);
    format!(
        "{{ printf '%s\\n' {} >> {j} && sync -- {j}; }}",
        lines.join(" ")
    )
}

/// The shell that appends `entry` with the value of shell variable `var` in place of the
/// field that holds [`placeholder`] (the value must need no JSON escaping: digits, letters,
/// dots), and fsyncs the journal.
pub(crate) fn append_with(journal: &str, entry: &Entry, var: &str) -> String {
    let json = serde_json::to_string(entry).unwrap_or_default();
    let (head, tail) = json.split_once(VAR).unwrap_or((&json, ""));
    let j = q(journal);
    format!(
        "{{ printf '%s%s%s\\n' {} \"${var}\" {} >> {j} && sync -- {j}; }}",
        q(head),
        q(tail),
    )
}

/// The value to put in a field that [`append_with`] fills from the shell.
pub(crate) fn placeholder() -> String {
    VAR.to_string()
}

/// Whether a value from a journal may be used in a file name: letters, digits, dots and
/// `TZ` of timestamps only.
pub(crate) fn safe_suffix(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
        && !s.starts_with('.')
        && !s.contains("..")
}

/// A journal as read from a peer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Journal {
    /// Its entries, in order.
    pub entries: Vec<Entry>,
    /// Lines that did not parse (a line cut short by a crash is the usual one).
    pub unreadable: usize,
}

/// How a peer's restart went, as its journal records it after its last switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Restart {
    /// None recorded.
    NotStarted,
    /// Begun; no end recorded (it may still run until `at + deadline`).
    Unknown {
        /// The peer's clock when it began.
        at: u64,
        /// Its deadline.
        deadline: u64,
    },
    /// It ended with this result; `running` is the status check after it, if recorded.
    Ended {
        /// Whether the restart exited 0.
        ok: bool,
        /// Whether the status command then said it runs.
        running: Option<bool>,
    },
}

impl Journal {
    /// Parses the text of a journal file.
    pub(crate) fn parse(text: &str) -> Journal {
        let mut journal = Journal::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<Entry>(line) {
                Ok(e) => journal.entries.push(e),
                Err(_) => journal.unreadable += 1,
            }
        }
        journal
    }

    /// The plan, if the deploy got that far.
    pub(crate) fn begin(&self) -> Option<&Begin> {
        self.entries.iter().find_map(|e| match e {
            Entry::Begin(b) => Some(b),
            _ => None,
        })
    }

    /// Whether the deploy began and did not settle: a journal holds a plan only until the
    /// deploy that wrote it (or the one that settled it) removes it.
    pub(crate) fn unfinished(&self) -> bool {
        self.begin().is_some()
    }

    /// The backup recorded for a live file.
    pub(crate) fn backup_of(&self, live: &str) -> Option<String> {
        self.entries.iter().rev().find_map(|e| match e {
            Entry::Backup { live: l, suffix } if l == live && safe_suffix(suffix) => {
                Some(super::files::backup_path(live, suffix))
            }
            _ => None,
        })
    }

    /// Every temporary file recorded next to one of `lives` (the journal is the peer's text:
    /// files next to others are never named): candidates and the copies made by restores.
    pub(crate) fn temporaries(&self, lives: &[String]) -> Vec<String> {
        let known = |live: &String| lives.contains(live);
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Candidate { live, suffix } if safe_suffix(suffix) && known(live) => {
                    Some(super::files::temp_path(live, suffix))
                }
                Entry::RestoreCopy { live, suffix } if safe_suffix(suffix) && known(live) => {
                    Some(super::files::restore_path(live, suffix))
                }
                _ => None,
            })
            .collect()
    }

    /// Whether a switch of `live` was recorded.
    pub(crate) fn switched(&self, live: &str) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(e, Entry::Switch { live: l } if l == live))
    }

    /// Whether any switch was recorded.
    pub(crate) fn any_switch(&self) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(e, Entry::Switch { .. }))
    }

    /// The last restart recorded after the last switch or restore.
    pub(crate) fn restart(&self) -> Restart {
        let from = self
            .entries
            .iter()
            .rposition(|e| matches!(e, Entry::Switch { .. } | Entry::Restore { .. }))
            .map_or(0, |i| i + 1);
        let mut state = Restart::NotStarted;
        for e in &self.entries[from..] {
            state = match (e, state) {
                (Entry::RestartBegin { at, deadline }, _) => Restart::Unknown {
                    at: at.parse().unwrap_or(0),
                    deadline: *deadline,
                },
                (Entry::RestartEnd { ok }, _) => Restart::Ended {
                    ok: *ok,
                    running: None,
                },
                (Entry::Running { ok }, Restart::Ended { ok: r, .. }) => Restart::Ended {
                    ok: r,
                    running: Some(*ok),
                },
                (_, s) => s,
            };
        }
        state
    }

    /// Whether any restart or status check failed.
    pub(crate) fn recorded_a_failure(&self) -> bool {
        self.entries.iter().any(|e| {
            matches!(
                e,
                Entry::RestartEnd { ok: false } | Entry::Running { ok: false }
            )
        })
    }

    /// The peer's clock at each restart begun (`None` where it does not read as a number).
    pub(crate) fn restarts_begun(&self) -> impl Iterator<Item = Option<u64>> + '_ {
        self.entries.iter().filter_map(|e| match e {
            Entry::RestartBegin { at, .. } => Some(at.parse().ok()),
            _ => None,
        })
    }

    /// Whether any restart was begun.
    pub(crate) fn any_restart(&self) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(e, Entry::RestartBegin { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> String {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn entries_written_by_the_shell_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let j = dir.path().join("journal").display().to_string();
        let begin = Entry::Begin(Begin {
            deploy: "0123".into(),
            owner: "host=a pid=1 user=o'brien".into(),
            order: RestartOrder::SecondaryFirst,
            peers: vec![PlannedPeer {
                peer: Role::Primary,
                host: "h:22".into(),
                files: vec![PlannedFile {
                    live: "/etc/dhcp/it's \"here\".conf".into(),
                    old_sha256: None,
                    new_sha256: "ab".into(),
                }],
                restart: true,
            }],
        });
        sh(&append(&j, std::slice::from_ref(&begin)));
        let backup = Entry::Backup {
            live: "/x".into(),
            suffix: placeholder(),
        };
        sh(&format!(
            "s=20260101T000000Z.AbC123; {}",
            append_with(&j, &backup, "s")
        ));
        sh(&format!(
            "now=1700000000; {}",
            append_with(
                &j,
                &Entry::RestartBegin {
                    at: placeholder(),
                    deadline: 30
                },
                "now"
            )
        ));
        sh(&format!(
            "s=Xy12Ab34; {}",
            append_with(
                &j,
                &Entry::RestoreCopy {
                    live: "/x".into(),
                    suffix: placeholder()
                },
                "s"
            )
        ));
        let text = std::fs::read_to_string(&j).unwrap() + "{\"event\":\"resta";
        let journal = Journal::parse(&text);
        assert_eq!(journal.entries[0], begin);
        assert_eq!(journal.unreadable, 1);
        assert!(journal.unfinished());
        assert_eq!(
            journal.backup_of("/x").as_deref(),
            Some("/x.dhcpfo-backup-20260101T000000Z.AbC123")
        );
        assert_eq!(
            journal.restart(),
            Restart::Unknown {
                at: 1_700_000_000,
                deadline: 30
            }
        );
        assert_eq!(
            journal.temporaries(&["/x".to_string()]),
            ["/x.dhcpfo-restore.Xy12Ab34"]
        );
        assert!(journal.temporaries(&["/y".to_string()]).is_empty());
    }

    #[test]
    fn the_restart_that_counts_is_the_last_after_a_switch() {
        let e = |text: &str| serde_json::from_str::<Entry>(text).unwrap();
        let mut j = Journal {
            entries: vec![
                e(r#"{"event":"switch","live":"/a"}"#),
                e(r#"{"event":"restart-begin","at":"10","deadline":5}"#),
                e(r#"{"event":"restart-end","ok":true}"#),
                e(r#"{"event":"running","ok":true}"#),
            ],
            unreadable: 0,
        };
        assert_eq!(
            j.restart(),
            Restart::Ended {
                ok: true,
                running: Some(true)
            }
        );
        assert!(!j.recorded_a_failure() && j.any_restart() && j.switched("/a"));
        j.entries.push(e(r#"{"event":"restore","live":"/a"}"#));
        assert_eq!(j.restart(), Restart::NotStarted, "a restore starts over");
        j.entries.push(e(r#"{"event":"restart-end","ok":false}"#));
        assert!(j.recorded_a_failure());
        assert!(!j.unfinished(), "no plan: nothing began");
    }

    #[test]
    fn suffixes_from_a_journal_cannot_leave_the_folder() {
        assert!(safe_suffix("20260101T000000Z.AbC123"));
        for bad in ["", "../x", "a/b", "a b", ".hidden", "a\nb"] {
            assert!(!safe_suffix(bad), "{bad:?}");
        }
    }
}
