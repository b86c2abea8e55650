//! `dhcpfo diff`: the live files of both peers against the rendered ones, whether each peer
//! runs what is on its disk, and any unfinished deploy recorded on the peers.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use serde::Serialize;

use super::remote::{prepare, print_error};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::{Format, use_color};
use crate::model::Role;
use crate::remote::deploy;
use crate::remote::diff::{self, FileDiff};
use crate::remote::inspect;
use crate::remote::text::terminal_safe;
use crate::remote::{RemoteError, both, files, session};

pub(super) struct Args {
    pub pair: PathBuf,
    pub format: Format,
    pub ssh: super::remote::SshArgs,
    pub templates: Option<PathBuf>,
    pub max_remote_size: u64,
}

/// What `diff` says about one peer besides its files.
#[derive(Debug, Serialize)]
struct PeerNotes {
    peer: Role,
    /// Why the peer does not run what is on its disk (a restart is due), if it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    restart_due: Option<String>,
    /// An unfinished deploy recorded in the peer's lock, described line by line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unfinished_deploy: Vec<String>,
}

pub(super) fn run(args: Args) -> u8 {
    let mut prepared = match prepare(&args.pair, args.templates.clone(), args.format, &args.ssh) {
        Ok(p) => p,
        Err(code) => return code,
    };
    for target in &mut prepared.targets {
        target.max_read = args.max_remote_size;
    }
    let options = args.ssh.connect_options();
    let results = both(|role| -> Result<(Vec<FileDiff>, PeerNotes), RemoteError> {
        let target = &prepared.targets[usize::from(role == Role::Secondary)];
        let conn = session::connect(target, &options)?;
        let mine = deploy::peer_files(target, &prepared.rendered);
        let paths: Vec<String> = mine.iter().map(|(_, p)| p.clone()).collect();
        let inspection = inspect::inspect(&conn, &paths, false)?;
        let diffs = deploy::diffs(target, &mine, &inspection);
        let restart_due = deploy::restart_due(target, &inspection);
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
        let unfinished_deploy = deploy::describe_unfinished(&inspection, &hashes);
        Ok((
            diffs,
            PeerNotes {
                peer: role,
                restart_due,
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
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "differs": differs,
                "files": files,
                "peers": notes,
                "errors": errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            });
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        Format::Human => print_human(&files, &notes),
    }
    let failed = !errors.is_empty();
    if args.format == Format::Human || failed {
        for e in errors {
            print_error(e);
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
        eprintln!("{}: {} {status}", f.peer.as_str(), f.path);
    }
    let _ = out.flush();
    for n in notes {
        if let Some(why) = &n.restart_due {
            eprintln!(
                "{}: does not run what is on its disk ({why}); `dhcpfo deploy` restarts it",
                n.peer.as_str()
            );
        }
        for line in &n.unfinished_deploy {
            eprintln!("{}: {line}", n.peer.as_str());
        }
    }
}
