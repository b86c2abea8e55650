//! The `dhcpfo` binary: parse arguments, run the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dhcpfo::cli::run(dhcpfo::cli::Cli::parse())
}
