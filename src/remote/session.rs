//! Connecting to a peer as `ssh` would: straight over TCP, through jump hosts (`ProxyJump`)
//! or a `ProxyCommand`; the host key checked against every known_hosts file
//! ([`super::host_key`]); then public-key authentication ([`super::auth`]).

use std::io::{Read, Write};
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

/// What a remote command printed and returned.
#[derive(Debug, Clone)]
pub struct Output {
    /// Exit status (-1 when the server sent none).
    pub status: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error, as text.
    pub stderr: String,
}

impl Output {
    /// Standard error, else standard output, trimmed and cut to a few lines for a message.
    pub fn detail(&self) -> String {
        let text = if self.stderr.trim().is_empty() {
            String::from_utf8_lossy(&self.stdout).into_owned()
        } else {
            self.stderr.clone()
        };
        let lines: Vec<&str> = text.trim().lines().take(6).collect();
        lines.join(" | ")
    }
}

/// Connects to a peer and authenticates. Passphrases asked meanwhile are shared with the
/// connections made at the same time and forgotten when the last one is done.
pub fn connect(target: &Target, options: &ConnectOptions) -> Result<Connection, RemoteError> {
    let _window = auth::AuthWindow::open();
    open(target, options)
}

fn open(target: &Target, options: &ConnectOptions) -> Result<Connection, RemoteError> {
    let peer = target.peer();
    for warning in &target.config_warnings {
        eprintln!("{peer}: warning: {warning}");
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
    /// Runs a shell command, feeding it `stdin`, and collects its output and exit status.
    pub fn exec(&self, command: &str, stdin: Option<&[u8]>) -> Result<Output, RemoteError> {
        let peer = self.target.peer();
        let fail = |e: &dyn std::fmt::Display| RemoteError::ssh(peer, "remote command", e);
        let mut channel = self.session.channel_session().map_err(|e| fail(&e))?;
        channel.exec(command).map_err(|e| fail(&e))?;
        if let Some(data) = stdin {
            channel.write_all(data).map_err(|e| fail(&e))?;
        }
        channel.send_eof().map_err(|e| fail(&e))?;
        let mut stdout = Vec::new();
        channel.read_to_end(&mut stdout).map_err(|e| fail(&e))?;
        let mut stderr = String::new();
        let mut raw = Vec::new();
        channel
            .stderr()
            .read_to_end(&mut raw)
            .map_err(|e| fail(&e))?;
        stderr.push_str(&String::from_utf8_lossy(&raw));
        channel.wait_close().map_err(|e| fail(&e))?;
        // A command killed by a signal has no exit status; libssh2 reports 0 then, so a
        // closed channel without an exit status is read as a failure.
        let status = match channel.exit_signal() {
            Ok(sig) if sig.exit_signal.is_some() => -1,
            _ => channel.exit_status().map_err(|e| fail(&e))?,
        };
        Ok(Output {
            status,
            stdout,
            stderr,
        })
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
        let out = self.exec(command, stdin)?;
        if out.status == 0 {
            Ok(out)
        } else {
            Err(RemoteError::Command {
                peer: self.target.peer().into(),
                action: action.into(),
                command: command.into(),
                status: out.status,
                detail: out.detail(),
            })
        }
    }
}

impl Connection {
    /// Runs `command` and hands its standard output to `read` as a stream (never held whole
    /// in memory); its standard error is discarded so that it cannot stall the stream.
    /// Returns what `read` returned and the exit status (-1 when killed by a signal).
    pub fn stream_stdout<T>(
        &self,
        command: &str,
        read: impl FnOnce(&mut dyn Read) -> T,
    ) -> Result<(T, i32), RemoteError> {
        let peer = self.target.peer();
        let fail = |e: &dyn std::fmt::Display| RemoteError::ssh(peer, "remote command", e);
        let mut channel = self.session.channel_session().map_err(|e| fail(&e))?;
        channel
            .handle_extended_data(ssh2::ExtendedData::Ignore)
            .map_err(|e| fail(&e))?;
        channel.exec(command).map_err(|e| fail(&e))?;
        channel.send_eof().map_err(|e| fail(&e))?;
        let value = read(&mut channel);
        // Whatever `read` left unread is drained, so the exit status can arrive.
        std::io::copy(&mut channel, &mut std::io::sink()).map_err(|e| fail(&e))?;
        channel.wait_close().map_err(|e| fail(&e))?;
        let status = match channel.exit_signal() {
            Ok(sig) if sig.exit_signal.is_some() => -1,
            _ => channel.exit_status().map_err(|e| fail(&e))?,
        };
        Ok((value, status))
    }
}
