//! `dhcpfo deploy`: render, show the differences, confirm, and update both peers.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use super::remote::prepare;
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::{Format, use_color};
use crate::remote::deploy::{self, DeployOptions, Outcome, Report};
use crate::remote::diff::{self, FileDiff};
use crate::remote::progress::Progress;

pub(super) struct Args {
    pub pair: PathBuf,
    pub yes: bool,
    pub dry_run: bool,
    pub ssh: super::remote::SshArgs,
    pub templates: Option<PathBuf>,
    pub format: Format,
}

pub(super) fn run(args: Args) -> u8 {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !args.yes && !args.dry_run && !interactive {
        eprintln!(
            "error: deploy asks for confirmation and there is no terminal; pass --yes to deploy without asking (or --dry-run to only diff and validate)"
        );
        return EXIT_USAGE;
    }
    let prepared = match prepare(&args.pair, args.templates.clone(), Format::Human, &args.ssh) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let settings = prepared.source.pair.deploy();
    let options = DeployOptions {
        connect: args.ssh.connect_options(),
        dry_run: args.dry_run,
        restart_order: settings.restart_order(),
        keep_backups: settings.keep_backups(),
        verify_timeout: Duration::from_secs(10),
    };
    let progress = Progress::new(std::io::stderr().is_terminal());
    let color = use_color(std::io::stdout().is_terminal());
    let human = args.format == Format::Human;
    let confirm = |files: &[FileDiff]| -> bool {
        if human {
            print_plan(files, color);
        }
        if args.dry_run || args.yes {
            return true;
        }
        ask("Deploy these changes to both peers? [y/N] ")
    };
    let report = deploy::deploy(
        &prepared.targets,
        &prepared.rendered,
        &options,
        &progress,
        &confirm,
    );
    progress.clear();
    match args.format {
        Format::Human => print_report(&report),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    }
    match report.outcome {
        Outcome::NothingToDo | Outcome::Deployed => EXIT_OK,
        Outcome::DryRun => {
            if report.files.iter().any(FileDiff::differs) {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            }
        }
        Outcome::Declined | Outcome::ValidationFailed => EXIT_FINDINGS,
        Outcome::Aborted | Outcome::RolledBack => EXIT_USAGE,
    }
}

fn print_plan(files: &[FileDiff], color: bool) {
    let mut out = std::io::stdout().lock();
    for f in files.iter().filter(|f| f.differs()) {
        let text = if color {
            diff::colorize(&f.diff)
        } else {
            f.diff.clone()
        };
        let _ = write!(out, "{text}");
    }
    let _ = out.flush();
    for f in files {
        let verb = match f.status {
            diff::FileStatus::Unchanged => "keep",
            diff::FileStatus::Changed => "replace",
            diff::FileStatus::Missing => "create",
        };
        eprintln!("plan: {} {verb} {}", f.peer.as_str(), f.path);
    }
}

fn ask(question: &str) -> bool {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

fn print_report(report: &Report) {
    let headline = match report.outcome {
        Outcome::NothingToDo => "nothing to deploy: both peers already have the rendered files",
        Outcome::DryRun => "dry run: the new files validate on both peers; nothing was changed",
        Outcome::Declined => "not confirmed; nothing was changed",
        Outcome::ValidationFailed => {
            "dhcpd -t refused a new file; nothing was changed on either peer"
        }
        Outcome::Deployed => "deployed",
        Outcome::Aborted => "deploy stopped before any live file was replaced; nothing was changed",
        Outcome::RolledBack => {
            "deploy FAILED after live files were replaced; see what each peer holds now"
        }
    };
    eprintln!("\n{headline}");
    for peer in &report.peers {
        eprintln!("  {} ({}): {}", peer.peer.as_str(), peer.host, peer.result);
        if matches!(
            report.outcome,
            Outcome::RolledBack | Outcome::ValidationFailed | Outcome::Aborted
        ) {
            for step in peer.steps.iter().filter(|s| !s.ok) {
                eprintln!("    failed: {}: {}", step.step, step.detail);
            }
        }
    }
    if let Some(error) = &report.error {
        eprintln!("{error}");
    }
}
