//! `dhcpfo completions`.

use super::EXIT_OK;

/// The arguments of `dhcpfo completions`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shell.
    #[arg(value_enum)]
    pub(super) shell: clap_complete::Shell,
}

/// The completion script for a shell.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut super::command(), "dhcpfo", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn run(shell: clap_complete::Shell) -> u8 {
    print!("{}", script(shell));
    EXIT_OK
}
