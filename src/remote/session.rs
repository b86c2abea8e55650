//! Connecting to a peer as `ssh` would: straight over TCP, through jump hosts (`ProxyJump`)
//! or a `ProxyCommand`; the host key checked against every known_hosts file
//! ([`super::host_key`]); then public-key authentication ([`super::auth`]).

use std::io::Read;
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::time::Duration;

use ssh2::{MethodType, Session};

use super::proxy::{self, Transport};
use super::ssh_config::Strictness;
use super::target::Route;
use super::{RemoteError, Target};
use super::{auth, host_key, known_hosts};

/// How to connect.
#[derive(Debug, Clone, Copy)]
pub struct ConnectOptions {
    /// `StrictHostKeyChecking` given on the command line; it overrides the SSH
    /// configuration's (`None`: the configuration's, else `yes`).
    pub strict_host_key_checking: Option<Strictness>,
    /// Time allowed for the TCP connection and for each blocking SSH operation.
    pub timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            strict_host_key_checking: None,
            timeout: Duration::from_secs(120),
        }
    }
}

/// An authenticated SSH session to one peer.
pub struct Connection {
    session: Session,
    /// The peer it reaches.
    pub target: Target,
    /// What carries the session (dropped after it).
    transport: Transport,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Connection({} {})",
            self.target.peer(),
            self.target.addr()
        )
    }
}

pub(crate) use super::exec::Output;

/// Connects to a peer and authenticates. Passphrases asked meanwhile are shared with the
/// connections made at the same time and forgotten when the last one is done.
pub(crate) fn connect(
    target: &Target,
    options: &ConnectOptions,
) -> Result<Connection, RemoteError> {
    let _window = auth::AuthWindow::open();
    open(target, options)
}

fn open(target: &Target, options: &ConnectOptions) -> Result<Connection, RemoteError> {
    let peer = target.peer();
    for warning in &target.config_warnings {
        super::text::stderr_line(&format!("{peer}: warning: {warning}"));
    }
    if let Some(message) = target.config_errors.first() {
        return Err(RemoteError::SshConfig {
            peer: peer.into(),
            message: message.clone(),
        });
    }
    let policy = host_key::strictness(target, options.strict_host_key_checking)?;
    let known = host_key::load(target)?;
    let proxy_err = |via: String, message: String| RemoteError::Proxy {
        peer: peer.into(),
        host: target.addr(),
        via,
        message,
    };
    let (mut session, transport, via) = match &target.route {
        Route::Direct => {
            let stream = dial(target, options)?;
            let transport = Transport::direct(stream.as_raw_fd());
            (session_over(stream, options, target)?, transport, None)
        }
        Route::Jump(hop) => {
            let via = format!("jump host {}", hop.alias);
            let jump = open(hop, options).map_err(|e| e.through_jump(&hop.alias))?;
            let (jump_session, jump_transport) = (jump.session, jump.transport);
            let (transport, socket) =
                proxy::through_jump(jump_session, jump_transport, &target.host, target.port)
                    .map_err(|m| proxy_err(via.clone(), m))?;
            (session_over(socket, options, target)?, transport, Some(via))
        }
        Route::Command(command) => {
            let via = format!("ProxyCommand `{command}`");
            let (transport, socket) =
                proxy::through_command(command).map_err(|m| proxy_err(via.clone(), m))?;
            (session_over(socket, options, target)?, transport, Some(via))
        }
    };
    // Ask for a host key of a type known_hosts has for this host, as OpenSSH does.
    let prefs = known_hosts::algorithms(&known.key_types(&target.known_hosts_name()));
    let _ = session.method_pref(MethodType::HostKey, &prefs);
    if let Err(e) = session.handshake() {
        let message = format!("SSH handshake: {e}");
        return Err(match via {
            Some(via) => proxy_err(via, message),
            None => RemoteError::Connect {
                peer: peer.into(),
                addr: target.addr(),
                message,
            },
        });
    }
    host_key::verify(&session, target, &known, policy)?;
    auth::authenticate(&session, target)?;
    Ok(Connection {
        session,
        target: target.clone(),
        transport,
    })
}

/// The TCP connection to the target, trying each address it resolves to.
fn dial(target: &Target, options: &ConnectOptions) -> Result<TcpStream, RemoteError> {
    let connect_err = |message: String| RemoteError::Connect {
        peer: target.peer().into(),
        addr: target.addr(),
        message,
    };
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| connect_err(format!("cannot resolve {}: {e}", target.host)))?
        .collect();
    let mut last = String::from("no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, options.timeout.min(Duration::from_secs(15))) {
            Ok(stream) => {
                // Every step is a short request and answer: without this, Nagle's algorithm
                // and delayed acknowledgements hold back small packets for tens of
                // milliseconds on each round trip.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(connect_err(last))
}

/// A new session that will speak over `stream`.
fn session_over<S: AsRawFd + 'static>(
    stream: S,
    options: &ConnectOptions,
    target: &Target,
) -> Result<Session, RemoteError> {
    let mut session = Session::new().map_err(|e| RemoteError::Connect {
        peer: target.peer().into(),
        addr: target.addr(),
        message: e.to_string(),
    })?;
    session.set_timeout(u32::try_from(options.timeout.as_millis()).unwrap_or(u32::MAX));
    session.set_tcp_stream(stream);
    Ok(session)
}

impl Connection {
    /// Runs a shell command, feeding it `stdin`, and collects its output and exit status; the
    /// peer kills it after the peer's `command-timeout`.
    pub fn exec(&self, command: &str, stdin: Option<&[u8]>) -> Result<Output, RemoteError> {
        self.exec_within(command, stdin, self.target.command_timeout)
    }

    /// Like [`Connection::exec`] with another deadline (the restart's). A command that
    /// outlives it is killed on the peer and reported as [`RemoteError::Deadline`] by
    /// [`Connection::run`].
    pub fn exec_within(
        &self,
        command: &str,
        stdin: Option<&[u8]>,
        deadline: Duration,
    ) -> Result<Output, RemoteError> {
        let limits = super::exec::Limits {
            deadline,
            max_stdout: self.target.max_read,
        };
        super::exec::run(&self.session, command, stdin, limits).map_err(|e| self.exec_error(e))
    }

    /// The error of a command that could not be run to its end.
    fn exec_error(&self, e: super::exec::ExecError) -> RemoteError {
        match e {
            super::exec::ExecError::Ssh(message) => {
                RemoteError::ssh(self.target.peer(), "remote command", message)
            }
            super::exec::ExecError::TooLarge(limit) => RemoteError::TooLarge {
                peer: self.target.peer().into(),
                what: "the output of a remote command".into(),
                limit: super::text::human_size(limit),
            },
        }
    }

    /// Runs a command that must succeed; `action` names it in the error.
    pub fn run(&self, action: &str, command: &str) -> Result<Output, RemoteError> {
        self.run_with_input(action, command, None)
    }

    /// Like [`Connection::run`], feeding `stdin` to the command.
    pub fn run_with_input(
        &self,
        action: &str,
        command: &str,
        stdin: Option<&[u8]>,
    ) -> Result<Output, RemoteError> {
        self.run_within(action, command, stdin, self.target.command_timeout)
    }

    /// Like [`Connection::run_with_input`] with another deadline.
    pub fn run_within(
        &self,
        action: &str,
        command: &str,
        stdin: Option<&[u8]>,
        deadline: Duration,
    ) -> Result<Output, RemoteError> {
        let out = self.exec_within(command, stdin, deadline)?;
        self.check(action, command, out, deadline)
    }

    /// The output of a command that must have succeeded, else the error that says why.
    pub fn check(
        &self,
        action: &str,
        command: &str,
        out: Output,
        deadline: Duration,
    ) -> Result<Output, RemoteError> {
        if out.timed_out {
            return Err(RemoteError::Deadline {
                peer: self.target.peer().into(),
                action: action.into(),
                command: super::text::terminal_safe(command),
                seconds: deadline.as_secs(),
            });
        }
        if out.status == 0 {
            Ok(out)
        } else {
            Err(RemoteError::Command {
                peer: self.target.peer().into(),
                action: action.into(),
                command: super::text::terminal_safe(command),
                status: out.status,
                detail: out.detail(),
            })
        }
    }
}

impl Connection {
    /// Runs `command` under the peer's `command-timeout`, enforced on the peer as for every
    /// command, and hands its standard output to `read` as a stream: never held whole in
    /// memory, so `--max-remote-size` does not apply. Standard error is read alongside, so it
    /// cannot stall the stream. Returns what `read` returned and the command's output (its
    /// `stdout` empty); [`Connection::check`] turns a deadline that passed into
    /// [`RemoteError::Deadline`].
    pub fn stream_stdout<T>(
        &self,
        command: &str,
        read: impl FnOnce(&mut dyn Read) -> T,
    ) -> Result<(T, Output), RemoteError> {
        super::exec::stream(&self.session, command, self.target.command_timeout, read)
            .map_err(|e| self.exec_error(e))
    }
}
