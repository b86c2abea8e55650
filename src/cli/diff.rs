//! `dhcpfo diff`: the live files of both peers against the rendered ones, whether each peer
//! runs what is on its disk, and any unfinished deploy recorded on the peers.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use serde::Serialize;

use super::remote::{prepare, print_error};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::{Format, JsonFinding, use_color};
use crate::model::Role;
use crate::remote::deploy;
use crate::remote::diff::{self, FileDiff};
use crate::remote::inspect;
use crate::remote::text::{stderr_line, terminal_safe};
use crate::remote::{RemoteError, both, files, session};

/// The arguments of `dhcpfo diff`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pair model, its peers and their files.
    #[command(flatten)]
    pub(crate) peers: super::remote::PeerArgs,
    /// Output format: unified diffs for people, or one JSON object (differs, files, peers,
    /// warnings, errors).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// Folder of templates that replace the built-in ones of the same name (as for render).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
}

/// What `diff` says about one peer besides its files.
#[derive(Debug, Serialize)]
struct PeerNotes {
    peer: Role,
    /// Why a restart is due: the peer does not run what is on its disk, or whether it does
    /// cannot be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    restart_due: Option<String>,
    /// Whether it is due because it cannot be told.
    #[serde(skip)]
    cannot_tell: bool,
    /// An unfinished deploy recorded in the peer's lock, described line by line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unfinished_deploy: Vec<String>,
}

/// What `diff --format json` prints: one object, errors included.
#[derive(Debug, Serialize)]
struct DiffJson<'a> {
    /// Whether anything differs (null when a peer could not be compared).
    differs: Option<bool>,
    files: &'a [FileDiff],
    peers: &'a [PeerNotes],
    /// The model's warnings.
    warnings: &'a [JsonFinding],
    /// What went wrong: the model's errors, or a peer that could not be read.
    errors: &'a [JsonFinding],
}

impl DiffJson<'_> {
    fn print(&self) {
        let _ = writeln!(
            std::io::stdout(),
            "{}",
            serde_json::to_string_pretty(self).unwrap_or_default()
        );
    }
}

pub(super) fn run(args: Args) -> u8 {
    let prepared = match prepare(&args.peers, args.templates.clone(), args.format) {
        Ok(p) => p,
        Err(refused) => {
            if args.format == Format::Json {
                DiffJson {
                    differs: None,
                    files: &[],
                    peers: &[],
                    warnings: &refused.warnings,
                    errors: &refused.errors,
                }
                .print();
            }
            return refused.code;
        }
    };
    let options = args.peers.ssh.connect_options();
    let results = both(|role| -> Result<(Vec<FileDiff>, PeerNotes), RemoteError> {
        let target = &prepared.targets[usize::from(role == Role::Secondary)];
        let conn = session::connect(target, &options)?;
        let mine = deploy::peer_files(target, &prepared.rendered);
        let paths: Vec<String> = mine.iter().map(|(_, p)| p.clone()).collect();
        let mut inspection = inspect::inspect(&conn, &paths, false)?;
        inspection.service = Some(inspect::service(&conn)?);
        let diffs = deploy::diffs(target, &mine, &inspection);
        let runs = inspect::runs_what_is_on_disk(target, &inspection);
        let restart_due = deploy::restart_reason(target, &runs);
        let hashes = |live: &str| {
            inspection
                .files
                .iter()
                .find(|f| {
                    f.path == live
                        || matches!(&f.kind, inspect::Kind::Symlink(Some(t)) if t == live)
                })
                .map(|f| f.content.as_deref().map(files::sha256))
        };
        let unfinished_deploy = deploy::describe_unfinished(role, &inspection, &hashes);
        Ok((
            diffs,
            PeerNotes {
                peer: role,
                restart_due,
                cannot_tell: matches!(runs, inspect::Runs::Unknown(_)),
                unfinished_deploy,
            },
        ))
    });
    let mut files: Vec<FileDiff> = Vec::new();
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok((f, n)) => {
                files.extend(f);
                notes.push(n);
            }
            Err(e) => errors.push(e),
        }
    }
    let differs = files.iter().any(FileDiff::differs)
        || notes
            .iter()
            .any(|n| n.restart_due.is_some() || !n.unfinished_deploy.is_empty());
    let failed = !errors.is_empty();
    match args.format {
        Format::Json => DiffJson {
            differs: (!failed).then_some(differs),
            files: &files,
            peers: &notes,
            warnings: &prepared.warnings,
            errors: &errors
                .iter()
                .map(|e| JsonFinding::from_miette(e))
                .collect::<Vec<_>>(),
        }
        .print(),
        Format::Human => {
            print_human(&files, &notes);
            for e in errors {
                print_error(e);
            }
        }
    }
    if failed {
        EXIT_USAGE
    } else if differs {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn print_human(files: &[FileDiff], notes: &[PeerNotes]) {
    let color = use_color(std::io::stdout().is_terminal());
    let mut out = std::io::stdout().lock();
    for f in files {
        if f.differs() {
            let text = terminal_safe(&f.diff);
            let text = if color { diff::colorize(&text) } else { text };
            let _ = write!(out, "{text}");
            if !text.ends_with('\n') {
                let _ = writeln!(out);
            }
        }
        let status = match f.status {
            diff::FileStatus::Unchanged => "up to date".to_string(),
            diff::FileStatus::Changed => format!(
                "differs (-{} +{} lines{})",
                f.removed,
                f.added,
                if f.approximate {
                    "; the search for the shortest diff stopped at its deadline, so this one may be longer"
                } else {
                    ""
                }
            ),
            diff::FileStatus::Missing => "missing on the peer".to_string(),
        };
        stderr_line(&format!("{}: {} {status}", f.peer.as_str(), f.path));
    }
    let _ = out.flush();
    for n in notes {
        match &n.restart_due {
            Some(why) if n.cannot_tell => {
                stderr_line(&format!(
                    "{}: {why}; `dhcpfo deploy` restarts it",
                    n.peer.as_str()
                ));
            }
            Some(why) => stderr_line(&format!(
                "{}: does not run what is on its disk ({why}); `dhcpfo deploy` restarts it",
                n.peer.as_str()
            )),
            None => {}
        }
        for line in &n.unfinished_deploy {
            stderr_line(&format!("{}: {line}", n.peer.as_str()));
        }
    }
}
