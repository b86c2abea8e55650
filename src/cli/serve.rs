//! `dhcpfo serve`.

use std::path::PathBuf;

use crate::model::Role;
use crate::serve::config::ServeRole;
use crate::serve::{self, ServeOptions};

/// The role given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleArg {
    /// The failover primary (its peer address is the server identifier).
    Primary,
    /// The failover secondary.
    Secondary,
    /// One server alone, without failover.
    Standalone,
}

pub(super) struct Args {
    pub pair: PathBuf,
    pub role: RoleArg,
    pub interfaces: Vec<String>,
    pub leases: PathBuf,
    pub port: u16,
    pub control: Option<PathBuf>,
}

pub(super) fn run(args: Args) -> u8 {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DHCPFO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Whatever the level, the operator (and a supervisor script) sees when serving starts,
    // reloads and stops.
    let filter = match format!("{}=info", serve::server::LIFECYCLE_TARGET).parse() {
        Ok(ready) => filter.add_directive(ready),
        Err(_) => filter,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(filter)
        .try_init();
    serve::run(ServeOptions {
        pair: args.pair,
        role: match args.role {
            RoleArg::Primary => ServeRole::Peer(Role::Primary),
            RoleArg::Secondary => ServeRole::Peer(Role::Secondary),
            RoleArg::Standalone => ServeRole::Standalone,
        },
        interfaces: args.interfaces,
        leases: args.leases,
        port: args.port,
        control: args.control,
    })
}
