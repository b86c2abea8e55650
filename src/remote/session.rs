//! Connecting to a peer: TCP with a timeout, the host key checked against known_hosts
//! (refused when unknown or changed, or added with accept-new), then public-key
//! authentication by the ssh-agent or a key file (asking for its passphrase on the terminal).

use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use ssh2::{CheckResult, HostKeyType, KnownHostFileKind, MethodType, Session};

use super::{RemoteError, Target};
use super::{keys, known_hosts};

/// How to connect.
#[derive(Debug, Clone, Copy)]
pub struct ConnectOptions {
    /// Add unknown host keys to known_hosts instead of refusing them (changed keys are
    /// still refused), like OpenSSH's `StrictHostKeyChecking=accept-new`.
    pub accept_new_host_keys: bool,
    /// Time allowed for the TCP connection and for each blocking SSH operation.
    pub timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            accept_new_host_keys: false,
            timeout: Duration::from_secs(120),
        }
    }
}

/// An authenticated SSH session to one peer.
pub struct Connection {
    session: Session,
    /// The peer it reaches.
    pub target: Target,
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

pub use super::exec::Output;

/// Serialises appends to known_hosts and passphrase prompts between the peers' threads.
static KNOWN_HOSTS_WRITE: Mutex<()> = Mutex::new(());
static PASSPHRASES: Mutex<Option<HashMap<PathBuf, String>>> = Mutex::new(None);

/// Connects to a peer and authenticates.
pub fn connect(target: &Target, options: &ConnectOptions) -> Result<Connection, RemoteError> {
    let peer = target.peer();
    let connect_err = |message: String| RemoteError::Connect {
        peer: peer.into(),
        addr: target.addr(),
        message,
    };
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| connect_err(format!("cannot resolve {}: {e}", target.host)))?
        .collect();
    let mut last = String::from("no address");
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, options.timeout.min(Duration::from_secs(15))) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = e.to_string(),
        }
    }
    let stream = stream.ok_or_else(|| connect_err(last))?;
    // Every step is a short request and answer: without this, Nagle's algorithm and delayed
    // acknowledgements hold back small packets for tens of milliseconds on each round trip.
    let _ = stream.set_nodelay(true);
    let mut session = Session::new().map_err(|e| connect_err(e.to_string()))?;
    session.set_timeout(u32::try_from(options.timeout.as_millis()).unwrap_or(u32::MAX));
    session.set_tcp_stream(stream);
    // Ask for a host key of a type known_hosts has for this host, as OpenSSH does.
    if let Ok(text) = std::fs::read_to_string(&target.known_hosts) {
        let types = known_hosts::key_types(&text, &target.host, target.port);
        let prefs = known_hosts::algorithms(&types);
        if !prefs.is_empty() {
            let _ = session.method_pref(MethodType::HostKey, &prefs);
        }
    }
    session
        .handshake()
        .map_err(|e| connect_err(format!("SSH handshake: {e}")))?;
    check_host_key(&session, target, options)?;
    authenticate(&session, target)?;
    Ok(Connection {
        session,
        target: target.clone(),
    })
}

/// The host as known_hosts names it: `host`, or `[host]:port` off port 22.
fn known_hosts_name(target: &Target) -> String {
    if target.port == 22 {
        target.host.clone()
    } else {
        format!("[{}]:{}", target.host, target.port)
    }
}

fn key_type_name(kind: HostKeyType) -> Option<&'static str> {
    Some(match kind {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        HostKeyType::Unknown => return None,
    })
}

fn check_host_key(
    session: &Session,
    target: &Target,
    options: &ConnectOptions,
) -> Result<(), RemoteError> {
    let peer = target.peer();
    let name = known_hosts_name(target);
    let (key, kind) = session
        .host_key()
        .ok_or_else(|| RemoteError::ssh(peer, "host key", "the server sent no host key"))?;
    let fingerprint = keys::fingerprint(key);
    let mut known = session
        .known_hosts()
        .map_err(|e| RemoteError::ssh(peer, "known_hosts", e))?;
    let path = &target.known_hosts;
    if path.exists() {
        known
            .read_file(path, KnownHostFileKind::OpenSSH)
            .map_err(|e| RemoteError::LocalFile {
                path: path.clone(),
                message: format!("cannot read known_hosts: {e}"),
            })?;
    }
    match known.check_port(&target.host, target.port, key) {
        CheckResult::Match => Ok(()),
        CheckResult::Mismatch => Err(RemoteError::ChangedHostKey {
            peer: peer.into(),
            host: name,
            fingerprint,
            known_hosts: path.clone(),
        }),
        CheckResult::NotFound | CheckResult::Failure if !options.accept_new_host_keys => {
            Err(RemoteError::UnknownHostKey {
                peer: peer.into(),
                host: name,
                fingerprint,
                known_hosts: path.clone(),
            })
        }
        CheckResult::NotFound | CheckResult::Failure => {
            let kind = key_type_name(kind).ok_or_else(|| {
                RemoteError::ssh(peer, "host key", "unknown host key type, not added")
            })?;
            let line = format!("{name} {kind} {}\n", keys::base64(key));
            append_known_host(path, &line)?;
            eprintln!(
                "{peer}: added {name} ({kind} {fingerprint}) to {}",
                path.display()
            );
            Ok(())
        }
    }
}

fn append_known_host(path: &Path, line: &str) -> Result<(), RemoteError> {
    let _guard = KNOWN_HOSTS_WRITE.lock().unwrap_or_else(|p| p.into_inner());
    let fail = |e: std::io::Error| RemoteError::LocalFile {
        path: path.to_path_buf(),
        message: format!("cannot add the host key: {e}"),
    };
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
        && !dir.exists()
    {
        std::fs::create_dir_all(dir).map_err(fail)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(fail)?;
    // A file whose last line has no newline would glue the new entry to it.
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let needs_newline = len > 0
        && std::fs::read(path)
            .map(|b| b.last() != Some(&b'\n'))
            .unwrap_or(false);
    let text = if needs_newline {
        format!("\n{line}")
    } else {
        line.to_string()
    };
    file.write_all(text.as_bytes()).map_err(fail)
}

fn authenticate(session: &Session, target: &Target) -> Result<(), RemoteError> {
    let user = target.user.as_str();
    let mut tried = Vec::new();
    if let Some(key) = &target.identity_file {
        try_key(session, user, key, &mut tried);
    } else {
        if std::env::var_os("SSH_AUTH_SOCK").is_some() {
            try_agent(session, user, &mut tried);
        }
        for key in &target.fallback_identities {
            if session.authenticated() {
                break;
            }
            try_key(session, user, key, &mut tried);
        }
    }
    if session.authenticated() {
        return Ok(());
    }
    if tried.is_empty() {
        tried.push("no ssh-agent and no key file".into());
    }
    Err(RemoteError::Auth {
        peer: target.peer().into(),
        host: target.addr(),
        user: user.into(),
        tried: tried.join(", "),
    })
}

fn try_agent(session: &Session, user: &str, tried: &mut Vec<String>) {
    let Ok(mut agent) = session.agent() else {
        tried.push("ssh-agent (unusable)".into());
        return;
    };
    if agent.connect().is_err() || agent.list_identities().is_err() {
        tried.push("ssh-agent (cannot connect)".into());
        return;
    }
    let identities = agent.identities().unwrap_or_default();
    for identity in &identities {
        if agent.userauth(user, identity).is_ok() {
            return;
        }
    }
    tried.push(format!("ssh-agent ({} keys)", identities.len()));
    let _ = agent.disconnect();
}

fn try_key(session: &Session, user: &str, key: &Path, tried: &mut Vec<String>) {
    let text = match std::fs::read_to_string(key) {
        Ok(text) => text,
        Err(e) => {
            tried.push(format!("{} ({e})", key.display()));
            return;
        }
    };
    let passphrase = if keys::is_encrypted(&text) {
        match passphrase_for(key) {
            Some(p) => Some(p),
            None => {
                tried.push(format!(
                    "{} (encrypted, and no terminal to ask for its passphrase: add it to ssh-agent)",
                    key.display()
                ));
                return;
            }
        }
    } else {
        None
    };
    if let Err(e) = session.userauth_pubkey_file(user, None, key, passphrase.as_deref()) {
        tried.push(format!("{} ({})", key.display(), e.message()));
    }
}

/// Asks for a key's passphrase on the terminal, once per key file per run.
fn passphrase_for(key: &Path) -> Option<String> {
    let mut cache = PASSPHRASES.lock().unwrap_or_else(|p| p.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(p) = cache.get(key) {
        return Some(p.clone());
    }
    let p = rpassword::prompt_password(format!("Passphrase for {}: ", key.display())).ok()?;
    cache.insert(key.to_path_buf(), p.clone());
    Some(p)
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
        super::exec::run(&self.session, command, stdin, limits).map_err(|e| match e {
            super::exec::ExecError::Ssh(message) => {
                RemoteError::ssh(self.target.peer(), "remote command", message)
            }
            super::exec::ExecError::TooLarge(limit) => RemoteError::TooLarge {
                peer: self.target.peer().into(),
                what: "the output of a remote command".into(),
                limit: super::text::human_size(limit),
            },
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
