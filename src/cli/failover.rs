//! `dhcpfo failover state|partner-down`: the operator's actions on a running `dhcpfo serve`
//! failover peer, through its control socket.

use std::path::PathBuf;
use std::time::Duration;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load};
use crate::diag::Format;
use crate::model::Role;
use crate::serve::failover::control::{self, Reply, Request, Status};

/// How long the server has to answer.
const TIMEOUT: Duration = Duration::from_secs(15);

/// What to ask the peer.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Show the peer's failover state, its partner's, the MCLT and the pools.
    #[command(after_help = "\
Examples:
  dhcpfo failover state pair.yaml --role primary
  dhcpfo failover state pair.yaml --role secondary --leases /var/lib/dhcpfo/dhcpd.leases --format json

Exit status: 0 answered, 2 no server answers on the control socket.")]
    State(Target),
    /// Tell the peer that its partner is down and will stay down (ISC: omshell
    /// `set local-state = 4`): after MCLT it serves the partner's addresses too.
    #[command(after_help = "\
Examples:
  dhcpfo failover partner-down pair.yaml --role primary

Only once the partner is really down (powered off, or unable to serve clients): two
servers in partner-down can hand one address to two clients. Accepted in
communications-interrupted and resolution-interrupted while the partner is unreachable.
Exit status: 0 the peer is in partner-down, 1 it refused (and says why), 2 no server
answers on the control socket.")]
    PartnerDown(Target),
}

/// Which peer, and where its control socket is.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// The pair model (YAML).
    #[arg(value_name = "PAIR.yaml")]
    pub pair: PathBuf,
    /// The peer to ask.
    #[arg(long, value_enum)]
    pub role: Role,
    /// The control socket (default: the lease file's path with `.ctl`).
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// The peer's lease file, as given to `dhcpfo serve --leases` (default: the model's
    /// `peers.ROLE.ssh.leases-path`, else /var/lib/dhcp/dhcpd.leases).
    #[arg(long, value_name = "FILE", conflicts_with = "socket")]
    pub leases: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub(super) fn run(action: Action) -> u8 {
    let (request, target) = match action {
        Action::State(t) => (Request::State, t),
        Action::PartnerDown(t) => (Request::PartnerDown, t),
    };
    let source = match load(&target.pair, target.format) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let pair = &source.pair;
    let socket = target.socket.clone().unwrap_or_else(|| {
        let leases = target.leases.clone().unwrap_or_else(|| {
            let ssh = pair.peers.get(target.role).ssh.as_ref();
            PathBuf::from(
                ssh.and_then(|s| s.leases_path.as_ref())
                    .map_or(crate::model::remote::DEFAULT_LEASES_PATH, |p| p.as_str()),
            )
        });
        control::default_socket(&leases)
    });
    let reply = match control::request(&socket, request, TIMEOUT) {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "{:?}",
                miette::Report::new(NoServer {
                    socket: socket.display().to_string(),
                    error: e,
                })
            );
            return EXIT_USAGE;
        }
    };
    let name = pair.failover.name.value();
    if let Some(status) = &reply.status
        && (status.name != *name || status.role != target.role.as_str())
    {
        eprintln!(
            "{}: the server there is the {} of {:?}, not the {} of {name:?}",
            socket.display(),
            status.role,
            status.name,
            target.role.as_str()
        );
        return EXIT_USAGE;
    }
    print_reply(&reply, target.format);
    if reply.ok { EXIT_OK } else { EXIT_FINDINGS }
}

/// No server answered on the control socket.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("no dhcpfo failover peer answers on {socket}: {error}")]
#[diagnostic(
    code(DF034),
    help(
        "is `dhcpfo serve --role ...` running? Give the socket with --socket, or the lease file it was started with (--leases)"
    )
)]
struct NoServer {
    socket: String,
    error: std::io::Error,
}

fn print_reply(reply: &Reply, format: Format) {
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(reply).unwrap_or_default()
        ),
        Format::Human => {
            if let Some(status) = &reply.status {
                print!("{}", human(status));
            }
            if let Some(error) = &reply.error {
                eprintln!(
                    "error[{}]: {error}",
                    reply.code.as_deref().unwrap_or("DF030")
                );
            }
        }
    }
}

/// The status for a terminal.
fn human(s: &Status) -> String {
    let at = |t: u64| crate::leases::Timestamp(t).to_string();
    let mut out = format!(
        "failover peer \"{}\" ({}): my state {}{} since {}\n  partner state {} since {}\n  \
         mclt {}, link {}, service {}{}\n  updates: {} queued, {} unacknowledged\n",
        s.name,
        s.role,
        s.state,
        if s.startup { " (starting up)" } else { "" },
        at(s.since),
        s.partner_state,
        at(s.partner_since),
        s.mclt,
        if s.connected { "up" } else { "down" },
        s.service,
        s.service_reason,
        s.updates_queued,
        s.updates_unacked,
    );
    for p in &s.pools {
        out.push_str(&format!(
            "  pool {}: free {}, backup {}, in use {}\n",
            p.network, p.free, p.backup, p.busy
        ));
    }
    out
}
