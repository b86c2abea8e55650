//! `dhcpfo diff`: the live files of both peers against the rendered ones.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::remote::{prepare, print_error};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::{Format, use_color};
use crate::remote::diff::{self, FileDiff};
use crate::remote::{both, session};

pub(super) struct Args {
    pub pair: PathBuf,
    pub format: Format,
    pub ssh: super::remote::SshArgs,
    pub templates: Option<PathBuf>,
}

pub(super) fn run(args: Args) -> u8 {
    let prepared = match prepare(&args.pair, args.templates.clone(), args.format, &args.ssh) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let options = args.ssh.connect_options();
    let results = both(|role| {
        let target = &prepared.targets[usize::from(role == crate::model::Role::Secondary)];
        let conn = session::connect(target, &options)?;
        diff::compare(&conn, &prepared.rendered)
    });
    let mut files: Vec<FileDiff> = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(f) => files.extend(f),
            Err(e) => errors.push(e),
        }
    }
    let differs = files.iter().any(FileDiff::differs);
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "differs": differs,
                "files": files,
                "errors": errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        Format::Human => {
            let color = use_color(std::io::stdout().is_terminal());
            for f in &files {
                if f.differs() {
                    let text = if color {
                        diff::colorize(&f.diff)
                    } else {
                        f.diff.clone()
                    };
                    print!("{text}");
                    if !text.ends_with('\n') {
                        println!();
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
        }
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
