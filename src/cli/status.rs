//! `dhcpfo status`: what the live pair is doing.

use serde::Serialize;

use super::remote::prepare;
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::{Format, JsonFinding};
use crate::remote::status::{self, StatusReport, render_human};
use crate::remote::text::terminal_safe;

/// The arguments of `dhcpfo status`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pair model, its peers and their files (an unfinished deploy's journal may name
    /// only these).
    #[command(flatten)]
    pub(crate) peers: super::remote::PeerArgs,
    /// Output format: text for people, or one JSON object (healthy, problems, peers,
    /// clock_skew, clock, warnings, errors).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
}

/// What `status --format json` prints: the report, the model's warnings and the errors that
/// stopped it (each peer's own errors are in its `errors`).
#[derive(Debug, Serialize)]
struct StatusJson<'a> {
    /// Whether the exit status is 0: both peers run and every relationship is normal.
    healthy: bool,
    /// Why not, one sentence each.
    problems: Vec<String>,
    #[serde(flatten)]
    report: &'a StatusReport,
    warnings: &'a [JsonFinding],
    errors: &'a [JsonFinding],
}

pub(super) fn run(args: Args) -> u8 {
    let prepared = match prepare(&args.peers, None, args.format) {
        Ok(p) => p,
        Err(refused) => {
            if args.format == Format::Json {
                let report = StatusReport {
                    peers: Vec::new(),
                    clock_skew: None,
                    clock: None,
                };
                print_json(&report, &refused.warnings, &refused.errors);
            }
            return refused.code;
        }
    };
    let options = args.peers.ssh.connect_options();
    let report = status::status(&prepared.source.pair, &prepared.targets, &options);
    match args.format {
        // Lease-file names and errors come from the peer: no escape sequence reaches the
        // terminal. The errors follow on standard error with their code and help, as `diff`
        // and `deploy` print them.
        Format::Human => {
            print!("{}", terminal_safe(&render_human(&report)));
            for error in report.peers.iter().flat_map(|p| &p.errors) {
                eprint!("{}", terminal_safe(&error.render_plain()));
            }
        }
        Format::Json => print_json(&report, &prepared.warnings, &[]),
    }
    if report.peers.iter().any(|p| !p.reachable) {
        EXIT_USAGE
    } else if report.healthy() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

fn print_json(report: &StatusReport, warnings: &[JsonFinding], errors: &[JsonFinding]) {
    let problems = report.problems();
    let json = StatusJson {
        healthy: problems.is_empty() && errors.is_empty(),
        problems,
        report,
        warnings,
        errors,
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
}
