//! The local control socket of a failover peer: what ISC does through omshell, for the
//! operator on the same machine. A unix socket, owner-only (0600), beside the lease file by
//! default; one request per connection, one line each way:
//!
//! - `state` → `{"ok":true,"status":{...}}` (the relationship as [`Status`]);
//! - `partner-down` → the same after the move, or `{"ok":false,"code":"DF030","error":...}`
//!   when the state machine refuses it.
//!
//! `dhcpfo failover state|partner-down` is the client ([`request`]).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixListener;
use tokio::sync::{mpsc, oneshot};

use crate::codes::Code;
use crate::codes::runtime::CONTROL_REQUEST_REFUSED;

/// The longest request line read.
const MAX_REQUEST: usize = 256;

/// How long a control client may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// What the operator asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Request {
    /// The relationship's state.
    State,
    /// Move to PARTNER-DOWN (the partner is really down and will stay down).
    PartnerDown,
}

impl Request {
    /// The request's word on the socket.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Request::State => "state",
            Request::PartnerDown => "partner-down",
        }
    }

    fn parse(line: &str) -> Option<Request> {
        match line.trim() {
            "state" => Some(Request::State),
            "partner-down" => Some(Request::PartnerDown),
            _ => None,
        }
    }
}

/// One pool of the relationship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolStatus {
    /// The shared network, or the subnet of a lone one.
    pub network: String,
    /// Addresses in the primary's free state.
    pub free: u64,
    /// Addresses in the secondary's free state.
    pub backup: u64,
    /// Offered, leased, or waiting for the partner.
    pub busy: u64,
}

/// The relationship as the control socket reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `failover peer "NAME"`.
    pub name: String,
    /// `primary` or `secondary`.
    pub role: String,
    /// My state (the saved one, with `startup` true, while starting).
    pub state: String,
    /// Whether the server is still in STARTUP.
    pub startup: bool,
    /// When my state began (seconds since the epoch).
    pub since: u64,
    /// The partner's last reported state.
    pub partner_state: String,
    /// When that report arrived.
    pub partner_since: u64,
    /// The MCLT in force.
    pub mclt: u32,
    /// Whether a link with the partner is established.
    pub connected: bool,
    /// What DHCP clients of the failover pools get (ISC's service state): `cooperating`,
    /// `not-cooperating`, `partner-down`, `startup` or `not-responding`.
    pub service: String,
    /// ISC's reason while not responding, e.g. ` (recovering)`.
    pub service_reason: String,
    /// Binding updates waiting to be sent, and waiting for their ack.
    pub updates_queued: u64,
    /// See `updates_queued`.
    pub updates_unacked: u64,
    /// The relationship's pools.
    pub pools: Vec<PoolStatus>,
}

/// A reply on the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Reply {
    /// Whether the request was carried out.
    pub ok: bool,
    /// The relationship afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The diagnostic code of a refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Reply {
    /// A successful reply.
    pub(crate) fn ok(status: Status) -> Reply {
        Reply {
            ok: true,
            status: Some(status),
            code: None,
            error: None,
        }
    }

    /// A refusal with its diagnostic code.
    pub(crate) fn refused(code: &Code, error: String) -> Reply {
        Reply {
            ok: false,
            status: None,
            code: Some(code.code.to_string()),
            error: Some(error),
        }
    }

    /// The reply as one line of JSON.
    pub(crate) fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_else(|e| {
            format!("{{\"ok\":false,\"error\":\"cannot encode the reply: {e}\"}}")
        });
        line.push('\n');
        line
    }
}

/// The socket beside a lease file: `FILE.ctl`.
pub(crate) fn default_socket(leases: &Path) -> PathBuf {
    let mut path = leases.as_os_str().to_owned();
    path.push(".ctl");
    PathBuf::from(path)
}

/// A request for the server loop, with where its reply goes.
pub(crate) type Pending = (Request, oneshot::Sender<Reply>);

/// Why the control socket could not be opened.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ControlError {
    /// Another server answers on the socket.
    #[error("control socket {0}: another dhcpfo serve is listening on it")]
    InUse(String),
    /// The socket could not be made.
    #[error("control socket {path}: {error}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        error: std::io::Error,
    },
}

crate::codes::catalogued_diagnostic!(ControlError {
    Self::InUse(_) => CONTROL_SOCKET_IN_USE, help(
        "each peer needs its own lease file and control socket; stop the other server or give \
         --control another path"
    );
    Self::Io { .. } => CONTROL_SOCKET_FAILED, help(
        "the folder must exist and be writable by the server; --control gives another path"
    );
});

/// Binds the socket in a directory only the owner can enter, makes it owner-only, then
/// moves it to `path`: nobody else can connect while it is still open to all.
fn bind_owner_only(path: &Path) -> std::io::Result<UnixListener> {
    use std::os::unix::fs::DirBuilderExt;
    let name = path
        .file_name()
        .map_or_else(|| "control".into(), |n| n.to_string_lossy().into_owned());
    let private = path.with_file_name(format!(".{name}.{}", std::process::id()));
    std::fs::DirBuilder::new().mode(0o700).create(&private)?;
    let inside = private.join("socket");
    let bound = UnixListener::bind(&inside).and_then(|listener| {
        std::fs::set_permissions(&inside, std::fs::Permissions::from_mode(0o600))?;
        std::fs::rename(&inside, path)?;
        Ok(listener)
    });
    let _ = std::fs::remove_file(&inside);
    let _ = std::fs::remove_dir(&private);
    bound
}

/// Listens on `path` (owner-only) and hands each request to the returned receiver. A stale
/// socket file left by a crash is replaced; one that answers is not.
pub(crate) fn listen(path: &Path) -> Result<mpsc::Receiver<Pending>, ControlError> {
    let name = path.display().to_string();
    let io = |error| ControlError::Io {
        path: name.clone(),
        error,
    };
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(ControlError::InUse(name));
        }
        std::fs::remove_file(path).map_err(io)?;
    }
    let listener = bind_owner_only(path).map_err(io)?;
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (rd, mut wr) = stream.into_split();
                let mut line = String::new();
                let mut rd = tokio::io::BufReader::new(rd.take(MAX_REQUEST as u64));
                let read = tokio::time::timeout(REQUEST_TIMEOUT, rd.read_line(&mut line)).await;
                let reply = match (read, Request::parse(&line)) {
                    (Ok(Ok(_)), Some(req)) => {
                        let (done, answer) = oneshot::channel();
                        if tx.send((req, done)).await.is_err() {
                            return;
                        }
                        answer.await.unwrap_or_else(|_| {
                            Reply::refused(
                                &CONTROL_REQUEST_REFUSED,
                                "the server is stopping".into(),
                            )
                        })
                    }
                    _ => Reply::refused(
                        &CONTROL_REQUEST_REFUSED,
                        format!(
                            "unknown request {:?}: send `state` or `partner-down`",
                            line.trim()
                        ),
                    ),
                };
                let _ = wr.write_all(reply.to_line().as_bytes()).await;
            });
        }
    });
    Ok(rx)
}

/// Sends `request` to the server listening on `path`; its reply.
pub(crate) fn request(path: &Path, request: Request, timeout: Duration) -> std::io::Result<Reply> {
    let mut stream = std::os::unix::net::UnixStream::connect(path)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(format!("{}\n", request.as_str()).as_bytes())?;
    let mut line = String::new();
    // A status is a few hundred octets per pool; a bound keeps a stray peer from filling memory.
    BufReader::new(std::io::Read::take(stream, 16 << 20)).read_line(&mut line)?;
    serde_json::from_str(&line).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not a control reply ({e}): {:?}", line.trim()),
        )
    })
}

#[cfg(test)]
mod tests;
