//! `dhcpfo failover state|partner-down`: the operator's actions on a running `dhcpfo serve`
//! failover peer, through its control socket.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, print_diagnostics};
use crate::codes::runtime::PARTNER_DOWN_REFUSED;
use crate::diag::{Format, JsonFinding};
use crate::model::LoadError;
use crate::model::Role;
use crate::serve::failover::control::{self, Reply, Request, Status};

/// How long the server has to answer.
const TIMEOUT: Duration = Duration::from_secs(15);

/// What to ask the peer.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Action {
    /// Show the peer's failover state, its partner's, the MCLT and the pools.
    #[command(after_help = "\
Examples:
  dhcpfo failover state pair.yaml --role primary
  dhcpfo failover state pair.yaml --role secondary --leases /var/lib/dhcpfo/dhcpd.leases --format json

Exit status: 0 answered, 2 the model is not valid or no server answers on the control
socket.")]
    State(Target),
    /// Tell the peer that its partner is down and will stay down (ISC: omshell
    /// `set local-state = 4`): after MCLT it serves the partner's addresses too.
    #[command(after_help = "\
Examples:
  dhcpfo failover partner-down pair.yaml --role primary

Only once the partner is really down (powered off, or unable to serve clients): two
servers in partner-down can hand one address to two clients. Accepted in
communications-interrupted and resolution-interrupted while the partner is unreachable.
Exit status: 0 the peer is in partner-down, 1 it refused (and says why), 2 the model is
not valid or no server answers on the control socket.")]
    PartnerDown(Target),
}

/// Which peer, and where its control socket is.
#[derive(Debug, clap::Args)]
pub(crate) struct Target {
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
    let source = match crate::model::load_file(&target.pair) {
        Ok(s) => s,
        Err(err) => return fail_to_load(&target, err),
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
        Err(error) => {
            let socket = socket.display().to_string();
            return fail(NoServer { socket, error }, target.format);
        }
    };
    let name = pair.failover.name.value();
    if let Some(status) = &reply.status
        && (status.name != *name || status.role != target.role.as_str())
    {
        let other = OtherServer {
            socket: socket.display().to_string(),
            found: format!("the {} of {:?}", status.role, status.name),
            wanted: format!("the {} of {name:?}", target.role.as_str()),
        };
        return fail(other, target.format);
    }
    print_reply(&reply, target.format);
    if reply.ok { EXIT_OK } else { EXIT_FINDINGS }
}

/// No server answered on the control socket.
#[derive(Debug, thiserror::Error)]
#[error("no dhcpfo failover peer answers on {socket}: {error}")]
struct NoServer {
    socket: String,
    error: std::io::Error,
}

crate::codes::catalogued_diagnostic!(NoServer {
    _ => NO_CONTROL_SERVER, help(
        "is `dhcpfo serve --role ...` running? Give the socket with --socket, or the lease file \
         it was started with (--leases)"
    );
});

/// The server on the socket is another peer, or of another relationship.
#[derive(Debug, thiserror::Error)]
#[error("{socket}: the server there is {found}, not {wanted}")]
struct OtherServer {
    socket: String,
    found: String,
    wanted: String,
}

crate::codes::catalogued_diagnostic!(OtherServer {
    _ => CONTROL_SERVER_MISMATCH, help(
        "each peer has its own control socket beside its lease file: give the --role of the \
         server there, or the socket (--socket) or lease file (--leases) of the peer you mean"
    );
});

/// What `--format json` prints: the server's reply, and every error in the finding shape
/// (`errors`, empty when it answered yes), the same object whatever happened.
#[derive(Serialize)]
struct ReplyJson<'a> {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    errors: Vec<JsonFinding>,
}

fn print_json(json: &ReplyJson) {
    println!("{}", serde_json::to_string_pretty(json).unwrap_or_default());
}

/// A failure before the server answered: on standard error for people, as the reply object
/// with its error for `--format json`. Returns the exit status.
fn fail<E: miette::Diagnostic + Send + Sync + 'static>(error: E, format: Format) -> u8 {
    match format {
        Format::Human => eprintln!("{:?}", miette::Report::new(error)),
        Format::Json => print_json(&ReplyJson {
            ok: false,
            status: None,
            code: None,
            error: None,
            errors: vec![JsonFinding::from_miette(&error)],
        }),
    }
    EXIT_USAGE
}

/// The model could not be loaded: its findings, or why it could not be read.
fn fail_to_load(target: &Target, err: LoadError) -> u8 {
    let file = target.pair.display().to_string();
    match (err, target.format) {
        (LoadError::Invalid(diags), Format::Human) => {
            print_diagnostics(&diags, Format::Human);
            EXIT_USAGE
        }
        (LoadError::Invalid(diags), Format::Json) => {
            print_json(&ReplyJson {
                ok: false,
                status: None,
                code: None,
                error: None,
                errors: diags.iter().map(|d| d.to_json()).collect(),
            });
            EXIT_USAGE
        }
        (io, Format::Human) => {
            eprintln!("{:?}", miette::Report::new(io));
            EXIT_USAGE
        }
        (io, Format::Json) => {
            print_json(&ReplyJson {
                ok: false,
                status: None,
                code: None,
                error: None,
                errors: vec![JsonFinding::from_miette(&io).in_file(file)],
            });
            EXIT_USAGE
        }
    }
}

fn print_reply(reply: &Reply, format: Format) {
    match format {
        Format::Json => {
            let code = reply.code.as_deref().unwrap_or(PARTNER_DOWN_REFUSED.code);
            print_json(&ReplyJson {
                ok: reply.ok,
                status: reply.status.as_ref(),
                code: reply.code.as_deref(),
                error: reply.error.as_deref(),
                errors: reply
                    .error
                    .iter()
                    .map(|e| JsonFinding::error(code, e.clone(), explain_hint(code)))
                    .collect(),
            });
        }
        Format::Human => {
            if let Some(status) = &reply.status {
                print!("{}", human(status));
            }
            if let Some(error) = &reply.error {
                eprintln!(
                    "error[{code}]: {error}",
                    code = reply.code.as_deref().unwrap_or(PARTNER_DOWN_REFUSED.code)
                );
            }
        }
    }
}

/// The help of a refusal the server sent: where its rule is explained.
fn explain_hint(code: &str) -> String {
    format!("`dhcpfo explain {code}` says when it is accepted")
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

#[cfg(test)]
mod tests {
    use super::{NoServer, OtherServer};
    use crate::codes::printed::{assert_catalogued, printed};

    #[test]
    fn socket_errors_print_their_catalogue_code_and_help() {
        let none = NoServer {
            socket: "/var/lib/dhcpfo/control".into(),
            error: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        let other = OtherServer {
            socket: "/var/lib/dhcpfo/control".into(),
            found: "the secondary of dhcp-failover".into(),
            wanted: "the primary of dhcp-failover".into(),
        };
        assert_catalogued(&none);
        assert_catalogued(&other);
        let text = printed(&none) + &printed(&other);
        assert!(
            text.starts_with(
                "error[DF034]: no dhcpfo failover peer answers on /var/lib/dhcpfo/control"
            ),
            "{text}"
        );
        assert!(text.contains("\nerror[DF035]: /var/lib/dhcpfo/control: the server there is the secondary of dhcp-failover, not the primary of dhcp-failover\n  help: each peer has its own control socket"), "{text}");
        assert!(
            text.contains("  help: is `dhcpfo serve --role ...` running?"),
            "{text}"
        );
    }
}
