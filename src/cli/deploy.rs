//! `dhcpfo deploy`: render, show the differences, confirm, and update both peers.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::remote::prepare;
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::codes::runtime;
use crate::diag::{Format, JsonFinding, use_color};
use crate::remote::deploy::{self, DeployOptions, Outcome, Proposal, Report, RestartResult};
use crate::remote::diff::{self, FileDiff};
use crate::remote::progress::Progress;
use crate::remote::signals;
use crate::remote::text::{stderr_line, terminal_safe};

/// The arguments of `dhcpfo deploy`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pair model, its peers and their files.
    #[command(flatten)]
    pub(crate) peers: super::remote::PeerArgs,
    /// Deploy without asking for confirmation.
    #[arg(long, short)]
    pub(crate) yes: bool,
    /// Show the diff and validate on the peers; change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Folder of templates that replace the built-in ones of the same name (as for render).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
    /// Format of the final report: text for people, or one JSON object (errors included).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// Take over the lock with this id (shown when a lock is refused), whoever holds it:
    /// for a deploy from another machine that is known to have died.
    #[arg(long, value_name = "LOCK_ID")]
    pub(crate) force_unlock: Option<String>,
}

/// What `deploy --format json` prints: the report, the model's warnings, and every error
/// (the report's `error` is the first).
#[derive(Debug, Serialize)]
struct DeployJson<'a> {
    #[serde(flatten)]
    report: &'a Report,
    warnings: &'a [JsonFinding],
    errors: &'a [JsonFinding],
}

/// Prints the JSON of a deploy that could not start: nothing was changed and no lock taken.
fn print_not_started(errors: &[JsonFinding], warnings: &[JsonFinding]) {
    let report = Report {
        outcome: Outcome::Aborted,
        error: errors.first().cloned(),
        interrupted: None,
        late_signal: None,
        recovered: None,
        locks_taken_over: Vec::new(),
        unfinished: Vec::new(),
        planned_restarts: Vec::new(),
        settled: true,
        clock_skew: None,
        files: Vec::new(),
        peers: Vec::new(),
    };
    print_json(&report, warnings, errors);
}

/// Every error of a deploy that failed, for its JSON `errors`: the one that ended it, then
/// each failed step's on either peer that is not that one (each once). A deploy that did not
/// fail has none: a step that failed and was made good later (a leftover removed at the end,
/// a reconnection) stays in its peer's `steps`.
fn all_errors(report: &Report) -> Vec<JsonFinding> {
    let Some(first) = &report.error else {
        return Vec::new();
    };
    let mut errors = vec![first.clone()];
    let steps = report.peers.iter().flat_map(|p| &p.steps);
    for finding in steps.filter_map(|s| s.finding.as_ref()) {
        let seen = errors
            .iter()
            .any(|e| e.code == finding.code && e.message == finding.message);
        if !seen {
            errors.push(finding.clone());
        }
    }
    errors
}

fn print_json(report: &Report, warnings: &[JsonFinding], errors: &[JsonFinding]) {
    let json = DeployJson {
        report,
        warnings,
        errors,
    };
    let text = serde_json::to_string_pretty(&json).unwrap_or_default();
    let _ = writeln!(std::io::stdout(), "{text}");
}

pub(super) fn run(args: Args) -> u8 {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !args.yes && !args.dry_run && !interactive {
        let usage = JsonFinding::of(
            &runtime::USAGE,
            "deploy asks for confirmation and there is no terminal",
            "pass --yes to deploy without asking (or --dry-run to only diff and validate)",
        );
        match args.format {
            Format::Human => say(usage.render_plain().trim_end()),
            Format::Json => print_not_started(&[usage], &[]),
        }
        return EXIT_USAGE;
    }
    let prepared = match prepare(&args.peers, args.templates.clone(), args.format) {
        Ok(p) => p,
        Err(refused) => {
            if args.format == Format::Json {
                print_not_started(&refused.errors, &refused.warnings);
            }
            return refused.code;
        }
    };
    let settings = prepared.source.pair.deploy();
    let options = DeployOptions {
        connect: args.peers.ssh.connect_options(),
        dry_run: args.dry_run,
        restart_order: settings.restart_order(),
        keep_backups: settings.keep_backups(),
        verify_timeout: Duration::from_secs(10),
        force_unlock: args.force_unlock.clone(),
    };
    let progress = Progress::new(std::io::stderr().is_terminal());
    let color = use_color(std::io::stdout().is_terminal());
    let human = args.format == Format::Human;
    let confirm = |proposal: &Proposal| -> bool {
        if human {
            print_plan(proposal.files, color);
        }
        if args.dry_run || args.yes {
            return true;
        }
        let changes = proposal.files.iter().any(FileDiff::differs);
        ask(match (proposal.settles_first, changes) {
            (true, true) => {
                "Settle the unfinished deploy as planned above, then deploy these changes to both peers? [y/N] "
            }
            (true, false) => "Settle the unfinished deploy as planned above? [y/N] ",
            (false, _) => "Deploy these changes to both peers? [y/N] ",
        })
    };
    // From here until the exit status is known, SIGINT, SIGTERM and SIGHUP are noted, not
    // obeyed: the deploy stops safely at its next step, and the report is always printed.
    let _signals = signals::install();
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
        Format::Json => {
            print_json(&report, &prepared.warnings, &all_errors(&report));
        }
    }
    // A signal the deploy acted on (the report says so): 128 + its number, as a shell reports
    // a command killed by it. One that came after the last step changed nothing, and the exit
    // status is that of the deploy as it ended.
    if report.interrupted.is_some()
        && let Some(signal) = signals::interrupted()
    {
        return u8::try_from(128 + signal).unwrap_or(EXIT_USAGE);
    }
    exit_status(&report, args.dry_run)
}

/// The exit status of a deploy that ended as `report` says (no signal acted on): never 0 when
/// the pair was left unsettled, and with `--dry-run`, 1 only for a change that validates, so
/// that a pipeline tells a deployable change from a refused one.
fn exit_status(report: &Report, dry_run: bool) -> u8 {
    match report.outcome {
        Outcome::NothingToDo | Outcome::Deployed if !report.settled => EXIT_USAGE,
        Outcome::NothingToDo | Outcome::Deployed => EXIT_OK,
        Outcome::DryRun => {
            if report.files.iter().any(FileDiff::differs)
                || !report.unfinished.is_empty()
                || !report.planned_restarts.is_empty()
            {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            }
        }
        Outcome::ValidationFailed if dry_run => EXIT_USAGE,
        Outcome::Declined | Outcome::ValidationFailed => EXIT_FINDINGS,
        Outcome::Aborted | Outcome::RolledBack | Outcome::RestartFailed | Outcome::Unsettled => {
            EXIT_USAGE
        }
    }
}

fn print_plan(files: &[FileDiff], color: bool) {
    let mut out = std::io::stdout().lock();
    for f in files.iter().filter(|f| f.differs()) {
        let text = terminal_safe(&f.diff);
        let text = if color { diff::colorize(&text) } else { text };
        let _ = write!(out, "{text}");
    }
    let _ = out.flush();
    for f in files {
        let verb = match f.status {
            diff::FileStatus::Unchanged => "keep",
            diff::FileStatus::Changed => "replace",
            diff::FileStatus::Missing => "create",
        };
        say(&format!("plan: {} {verb} {}", f.peer.as_str(), f.path));
    }
}

/// A line on standard error that never panics (the terminal may be gone after SIGHUP).
fn say(text: &str) {
    stderr_line(text);
}

/// Asks on the terminal; a signal (Ctrl-C) while waiting is a "no".
fn ask(question: &str) -> bool {
    let _ = write!(std::io::stderr(), "{question}");
    let _ = std::io::stderr().flush();
    let mut answer = Vec::new();
    loop {
        if signals::interrupted().is_some() {
            return false;
        }
        let mut poll = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd; a signal only makes poll return early.
        let ready = unsafe { libc::poll(&mut poll, 1, 200) };
        if ready <= 0 {
            continue;
        }
        let mut byte = [0u8; 1];
        // SAFETY: reads at most one byte into a valid buffer from standard input.
        let n = unsafe { libc::read(0, byte.as_mut_ptr().cast(), 1) };
        if n <= 0 || byte[0] == b'\n' {
            break;
        }
        answer.push(byte[0]);
    }
    let answer = String::from_utf8_lossy(&answer).trim().to_ascii_lowercase();
    matches!(answer.as_str(), "y" | "yes")
}

/// The report's first line: how the deploy ended, saying "nothing was changed" only when
/// nothing was (settling an unfinished deploy first, or taking over a stale lock, changes the
/// peers).
fn headline(report: &Report) -> String {
    let changed_first = report.recovered.is_some() || !report.locks_taken_over.is_empty();
    let nothing = if changed_first {
        "nothing else was changed"
    } else {
        "nothing was changed"
    };
    let pending = !report.unfinished.is_empty();
    match report.outcome {
        Outcome::NothingToDo => {
            "nothing to deploy: both peers already have the rendered files".into()
        }
        Outcome::DryRun if pending => format!(
            "dry run: an unfinished deploy is recorded on the peers; {nothing}: settling it comes first (see the plan above), and the new files are validated once the pair is settled"
        ),
        Outcome::DryRun => format!("dry run: {}; {nothing}", dry_run_plan(report)),
        Outcome::Declined if pending => format!(
            "not confirmed; {nothing}: the unfinished deploy stays on the peers as it is (`dhcpfo deploy` settles it once confirmed)"
        ),
        Outcome::Declined => format!("not confirmed; {nothing}"),
        Outcome::ValidationFailed => {
            format!("dhcpd -t refused a new file; {nothing} on either peer")
        }
        Outcome::Deployed => "deployed".into(),
        Outcome::Aborted => {
            format!("deploy stopped before any live file was replaced; {nothing}")
        }
        Outcome::RolledBack if rolled_back_everywhere(report) => {
            "deploy FAILED after live files were replaced; both peers were rolled back: see what each was verified to hold and run".into()
        }
        // A peer not verified to hold its previous files (unreachable, or a completion after
        // a signal that failed its last check): the headline claims no rollback.
        Outcome::RolledBack => {
            "deploy FAILED after live files were replaced; the peers were not both verified to be rolled back: see what each peer was verified to hold and run".into()
        }
        Outcome::RestartFailed => format!(
            "deploy FAILED: {}; no live file had been replaced, so there was nothing to roll back: see what each peer was verified to hold and run",
            restart_failure(report)
        ),
        Outcome::Unsettled => {
            "an unfinished deploy was found on the peers and could not be settled automatically; nothing else was done".into()
        }
    }
}

/// What a dry run found to do: the peers whose new files validate, and the peers it would
/// restart though none of their files change.
fn dry_run_plan(report: &Report) -> String {
    let mut changed: Vec<&str> = report
        .files
        .iter()
        .filter(|f| f.differs())
        .map(|f| f.peer.as_str())
        .collect();
    changed.dedup();
    let mut parts = Vec::new();
    match changed.as_slice() {
        [] => {}
        [peer] => parts.push(format!("the new files validate on the {peer}")),
        _ => parts.push("the new files validate on both peers".to_string()),
    }
    for r in &report.planned_restarts {
        parts.push(format!(
            "{} would be restarted ({}), with no file to replace",
            r.peer.as_str(),
            terminal_safe(&r.reason)
        ));
    }
    if parts.is_empty() {
        return "nothing to deploy".into();
    }
    parts.join("; ")
}

/// Whether every peer the deploy touched was verified, by hash, to hold its previous files.
fn rolled_back_everywhere(report: &Report) -> bool {
    report.peers.iter().all(|p| {
        p.final_state.as_ref().is_none_or(|s| {
            s.verified
                && s.target == deploy::Holds::Previous
                && s.files.iter().all(|f| f.holds == deploy::Holds::Previous)
        })
    })
}

/// What went wrong with a restart, by the peers' final states: the restart command failed, or
/// it succeeded and the status command then said the service was not running (or did not say).
fn restart_failure(report: &Report) -> &'static str {
    let states = || report.peers.iter().filter_map(|p| p.final_state.as_ref());
    let restart = |r| states().filter(move |s| s.restart == r);
    if restart(RestartResult::Failed).next().is_some() {
        "a restart failed"
    } else if restart(RestartResult::Unknown).next().is_some() {
        "a restart's answer was lost and whether it succeeded is unknown"
    } else if restart(RestartResult::Succeeded).any(|s| s.running == Some(false)) {
        "a service was not running after its restart"
    } else if restart(RestartResult::Succeeded).any(|s| s.running.is_none()) {
        "whether a service runs after its restart could not be checked"
    } else {
        "a restart did not complete"
    }
}

fn print_report(report: &Report) {
    let headline = headline(report);
    say("");
    for line in &report.locks_taken_over {
        say(&format!("first: {}", terminal_safe(line)));
    }
    if let Some(recovered) = &report.recovered {
        say(&format!("first: {recovered}"));
    }
    match &report.interrupted {
        Some(signal) if report.outcome == Outcome::Deployed => say(&format!(
            "stopped by {signal} after both peers held the new files: the restarts were completed; deployed"
        )),
        Some(signal) => say(&format!("stopped by {signal}: {headline}")),
        None => say(&headline),
    }
    if let Some(signal) = &report.late_signal {
        say(&format!(
            "{signal} came after the last step it could have stopped: the deploy ended as it would have without it"
        ));
    }
    // Each failure is said once: under its peer, with its step; the error that ended the
    // deploy then only adds its code and help, unless no step said it.
    let mut said = false;
    for peer in &report.peers {
        say(&format!(
            "  {} ({}): {}",
            peer.peer.as_str(),
            peer.host,
            peer.result
        ));
        if !report.settled
            || !matches!(
                report.outcome,
                Outcome::Deployed | Outcome::NothingToDo | Outcome::DryRun | Outcome::Declined
            )
        {
            for step in peer.steps.iter().filter(|s| !s.ok) {
                said |= report
                    .error
                    .as_ref()
                    .is_some_and(|e| e.message == step.detail);
                say(&format!(
                    "    failed: {}: {}",
                    terminal_safe(&step.step),
                    terminal_safe(&step.detail)
                ));
            }
        }
    }
    if !report.settled {
        say(
            "the pair is NOT settled: the locks and journals stay on the peers; the next `dhcpfo deploy` completes or rolls back first",
        );
    }
    match &report.error {
        Some(error) if said && !error.help.is_empty() => say(&terminal_safe(&format!(
            "help[{}]: {}",
            error.code, error.help
        ))),
        Some(error) if !said => {
            let _ = write!(
                std::io::stderr(),
                "{}",
                terminal_safe(&error.render_plain())
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(outcome: Outcome, recovered: Option<&str>) -> Report {
        Report {
            outcome,
            error: None,
            interrupted: None,
            late_signal: None,
            recovered: recovered.map(str::to_string),
            locks_taken_over: Vec::new(),
            unfinished: Vec::new(),
            planned_restarts: Vec::new(),
            settled: true,
            clock_skew: None,
            files: Vec::new(),
            peers: Vec::new(),
        }
    }

    #[test]
    fn nothing_was_changed_only_when_nothing_was() {
        let settled_first = Some("the unfinished deploy with lock id 01 (x) was rolled back first");
        for outcome in [
            Outcome::Declined,
            Outcome::ValidationFailed,
            Outcome::Aborted,
        ] {
            assert!(headline(&report(outcome, None)).contains("nothing was changed"));
            let after = headline(&report(outcome, settled_first));
            assert!(
                !after.contains("nothing was changed")
                    && after.contains("nothing else was changed"),
                "{outcome:?}: {after}"
            );
        }
        let mut dry = report(Outcome::DryRun, None);
        dry.unfinished = vec!["plan: settle the unfinished deploy".into()];
        assert!(!headline(&dry).contains("validate on both peers"));
        assert!(!headline(&report(Outcome::RestartFailed, None)).contains("rolled back"));
    }

    /// A RestartFailed headline names what failed: the restart command, or the service not
    /// running after a restart that succeeded.
    #[test]
    fn a_restart_failure_is_named_by_what_failed() {
        let with = |restart, running| {
            let mut r = report(Outcome::RestartFailed, None);
            r.peers = vec![deploy::PeerReport {
                peer: crate::model::Role::Secondary,
                host: "127.0.0.1:22".into(),
                steps: Vec::new(),
                result: String::new(),
                final_state: Some(deploy::FinalState {
                    verified: true,
                    target: deploy::Holds::Previous,
                    files: Vec::new(),
                    restart,
                    running,
                    status_hung: running.is_none(),
                    recovery: Vec::new(),
                }),
            }];
            headline(&r)
        };
        let failed = with(RestartResult::Failed, Some(false));
        assert!(failed.contains("FAILED: a restart failed;"), "{failed}");
        let lost = with(RestartResult::Unknown, Some(true));
        assert!(
            lost.contains(
                "FAILED: a restart's answer was lost and whether it succeeded is unknown;"
            ),
            "{lost}"
        );
        let stopped = with(RestartResult::Succeeded, Some(false));
        assert!(
            stopped.contains("FAILED: a service was not running after its restart;")
                && !stopped.contains("a restart failed"),
            "{stopped}"
        );
        let unknown = with(RestartResult::Succeeded, None);
        assert!(
            unknown.contains("whether a service runs after its restart could not be checked")
                && !unknown.contains("a restart failed"),
            "{unknown}"
        );
        let never_run = with(RestartResult::NotRun, Some(false));
        assert!(
            never_run.contains("FAILED: a restart did not complete;")
                && !never_run.contains("after its restart"),
            "{never_run}"
        );
    }

    /// "Rolled back" only when every peer was verified to hold its previous files.
    #[test]
    fn rolled_back_only_when_verified() {
        let peer = |holds| deploy::PeerReport {
            peer: crate::model::Role::Secondary,
            host: "127.0.0.1:22".into(),
            steps: Vec::new(),
            result: String::new(),
            final_state: Some(deploy::FinalState {
                verified: holds != deploy::Holds::Unknown,
                target: deploy::Holds::Previous,
                files: vec![deploy::HeldFile {
                    path: "/etc/dhcp/dhcpd.conf".into(),
                    holds,
                    sha256: None,
                    backup: None,
                    backup_intact: None,
                }],
                restart: RestartResult::Succeeded,
                running: Some(true),
                status_hung: false,
                recovery: Vec::new(),
            }),
        };
        let mut r = report(Outcome::RolledBack, None);
        r.peers = vec![peer(deploy::Holds::Previous), peer(deploy::Holds::Previous)];
        assert!(headline(&r).contains("both peers were rolled back"));
        for other in [
            deploy::Holds::Unknown,
            deploy::Holds::New,
            deploy::Holds::Neither,
        ] {
            r.peers = vec![peer(deploy::Holds::Previous), peer(other)];
            let line = headline(&r);
            assert!(
                !line.contains("were rolled back") && line.contains("not both verified"),
                "{other:?}: {line}"
            );
        }
    }

    /// Taking over a stale lock changes the peers: a deploy that stops after it never says
    /// "nothing was changed".
    #[test]
    fn a_lock_taken_over_is_a_change() {
        for outcome in [
            Outcome::Declined,
            Outcome::ValidationFailed,
            Outcome::Aborted,
            Outcome::DryRun,
        ] {
            let mut r = report(outcome, None);
            r.locks_taken_over = vec!["primary: took over the lock of pid 1 (it ended)".into()];
            let line = headline(&r);
            assert!(
                !line.contains("nothing was changed") && line.contains("nothing else was changed"),
                "{outcome:?}: {line}"
            );
            r.unfinished = vec!["plan: settle the unfinished deploy".into()];
            let line = headline(&r);
            assert!(!line.contains("nothing was changed"), "{outcome:?}: {line}");
        }
    }

    /// An unsettled pair never exits 0; with `--dry-run`, 1 means a change that validates and
    /// a refused file is 2.
    #[test]
    fn exit_statuses_tell_the_endings_apart() {
        let mut done = report(Outcome::Deployed, None);
        assert_eq!(exit_status(&done, false), EXIT_OK);
        done.settled = false;
        assert_eq!(exit_status(&done, false), EXIT_USAGE);
        let mut nothing = report(Outcome::NothingToDo, None);
        nothing.settled = false;
        assert_eq!(exit_status(&nothing, false), EXIT_USAGE);
        let refused = report(Outcome::ValidationFailed, None);
        assert_eq!(exit_status(&refused, false), EXIT_FINDINGS);
        assert_eq!(exit_status(&refused, true), EXIT_USAGE);
        assert_eq!(exit_status(&report(Outcome::DryRun, None), true), EXIT_OK);
    }

    /// A dry run whose plan only restarts a peer says so, and exits 1 like any change to make.
    #[test]
    fn a_dry_run_names_the_restarts_it_would_make() {
        let mut dry = report(Outcome::DryRun, None);
        dry.planned_restarts = vec![deploy::PlannedRestart {
            peer: crate::model::Role::Secondary,
            reason: "its service is not running: `x` exits 3".into(),
        }];
        let line = headline(&dry);
        assert!(
            line.contains("secondary would be restarted (its service is not running")
                && !line.contains("validate"),
            "{line}"
        );
        assert_eq!(exit_status(&dry, true), EXIT_FINDINGS);
    }
}
