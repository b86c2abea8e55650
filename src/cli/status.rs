//! `dhcpfo status`: what the live pair is doing.

use std::path::PathBuf;

use super::remote::prepare;
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::Format;
use crate::remote::status::{self, render_human};

pub(super) struct Args {
    pub pair: PathBuf,
    pub format: Format,
    pub ssh: super::remote::SshArgs,
}

pub(super) fn run(args: Args) -> u8 {
    let prepared = match prepare(&args.pair, None, args.format, &args.ssh) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let options = args.ssh.connect_options();
    let report = status::status(&prepared.source.pair, &prepared.targets, &options);
    match args.format {
        Format::Human => print!("{}", render_human(&report)),
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
