//! `dhcpfo status`: what the live pair is doing.

use std::path::PathBuf;

use super::remote::{prepare, print_error};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::Format;
use crate::remote::status::{self, render_human};
use crate::remote::text::terminal_safe;

pub(super) struct Args {
    pub pair: PathBuf,
    pub format: Format,
    pub ssh: super::remote::SshArgs,
    pub max_remote_size: u64,
}

pub(super) fn run(args: Args) -> u8 {
    let mut prepared = match prepare(&args.pair, None, args.format, &args.ssh) {
        Ok(p) => p,
        Err(code) => return code,
    };
    for target in &mut prepared.targets {
        target.max_read = args.max_remote_size;
    }
    let options = args.ssh.connect_options();
    let report = status::status(&prepared.source.pair, &prepared.targets, &options);
    match args.format {
        // Lease-file names and errors come from the peer: no escape sequence reaches the
        // terminal. Remote errors follow on standard error as the diagnostics `diff` and
        // `deploy` print, with their code and help.
        Format::Human => {
            print!("{}", terminal_safe(&render_human(&report)));
            for problem in report.peers.iter().flat_map(|p| &p.errors) {
                if let Some(e) = problem.remote() {
                    print_error(e.clone());
                }
            }
        }
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    }
    if report.peers.iter().any(|p| !p.reachable) {
        EXIT_USAGE
    } else if report.healthy() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}
