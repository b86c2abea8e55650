//! The `dhcpfo` binary: parse arguments, run the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dhcpfo::cli::stop_quietly_on_closed_pipe();
    dhcpfo::cli::run(dhcpfo::cli::Cli::parse())
}
