//! The `dhcpfo` binary: parse arguments, run the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    dhcpfo::cli::stop_quietly_on_closed_pipe();
    dhcpfo::cli::main(std::env::args_os().collect())
}
