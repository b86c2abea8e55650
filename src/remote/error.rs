//! Errors of the remote commands, each a miette diagnostic naming the peer and how to fix it.

use std::path::PathBuf;

/// Why a remote operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RemoteError {
    /// The TCP connection or the SSH handshake failed.
    #[error("{peer} ({addr}): cannot connect: {message}")]
    Connect {
        /// The peer's role.
        peer: String,
        /// host:port dialled.
        addr: String,
        /// What failed.
        message: String,
    },
    /// The host key is not in known_hosts.
    #[error("{peer} ({host}): host key not known ({fingerprint}); refusing to connect")]
    UnknownHostKey {
        /// The peer's role.
        peer: String,
        /// Host (and port) as looked up in known_hosts.
        host: String,
        /// SHA256 fingerprint of the key offered.
        fingerprint: String,
        /// The known_hosts file consulted.
        known_hosts: PathBuf,
    },
    /// The host key differs from the one in known_hosts.
    #[error("{peer} ({host}): HOST KEY CHANGED: the server offered {fingerprint}, which is not the key recorded at {}:{line}; refusing to connect", known_hosts.display())]
    ChangedHostKey {
        /// The peer's role.
        peer: String,
        /// Host (and port) as looked up in known_hosts.
        host: String,
        /// SHA256 fingerprint of the key offered.
        fingerprint: String,
        /// The known_hosts file of the entry that holds another key.
        known_hosts: PathBuf,
        /// The entry's line.
        line: usize,
    },
    /// The host key is marked `@revoked` in known_hosts.
    #[error(
        "{peer} ({host}): the host key {fingerprint} is REVOKED ({entry}); refusing to connect"
    )]
    RevokedHostKey {
        /// The peer's role.
        peer: String,
        /// Host (and port) as looked up in known_hosts.
        host: String,
        /// SHA256 fingerprint of the key offered.
        fingerprint: String,
        /// `FILE:LINE` of the `@revoked` line.
        entry: String,
    },
    /// known_hosts vouches for the host through a certificate authority dhcpfo cannot use.
    #[error(
        "{peer} ({host}): known_hosts trusts a certificate authority for this host ({entry}), but dhcpfo cannot verify SSH host certificates, and the plain key offered ({fingerprint}) is not known; refusing to connect"
    )]
    CertAuthorityOnly {
        /// The peer's role.
        peer: String,
        /// Host (and port) as looked up in known_hosts.
        host: String,
        /// SHA256 fingerprint of the plain key offered.
        fingerprint: String,
        /// `FILE:LINE` of the `@cert-authority` line.
        entry: String,
    },
    /// `StrictHostKeyChecking no` in the SSH configuration, without the command-line flag.
    #[error(
        "{peer} ({host}): the SSH configuration says `StrictHostKeyChecking no`; dhcpfo does not connect to a host whose key it cannot verify unless the command line says so"
    )]
    StrictNoRefused {
        /// The peer's role.
        peer: String,
        /// The host as named in the model.
        host: String,
    },
    /// A setting of the SSH configuration cannot be used.
    #[error("{peer}: {message}")]
    SshConfig {
        /// The peer's role.
        peer: String,
        /// What is wrong, with the file and line.
        message: String,
    },
    /// A private key file that others can read (OpenSSH refuses it too).
    #[error("UNPROTECTED PRIVATE KEY FILE: permissions {mode:04o} for '{}' are too open; it is required that your private key files are NOT accessible by others; this private key will be ignored", path.display())]
    KeyPermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The jump host or proxy command did not carry the connection.
    #[error("{peer} ({host}): cannot connect through {via}: {message}")]
    Proxy {
        /// The peer's role.
        peer: String,
        /// host:port to reach.
        host: String,
        /// The jump host or proxy command.
        via: String,
        /// What failed.
        message: String,
    },
    /// No key was accepted.
    #[error("{peer} ({host}): authentication as `{user}` failed (tried: {tried})")]
    Auth {
        /// The peer's role.
        peer: String,
        /// Host connected to.
        host: String,
        /// Remote user.
        user: String,
        /// The methods and keys tried.
        tried: String,
    },
    /// A remote command or transfer failed at the SSH level (connection lost, timeout).
    #[error("{peer}: {action}: {message}")]
    Ssh {
        /// The peer's role.
        peer: String,
        /// What was being done.
        action: String,
        /// The SSH error.
        message: String,
    },
    /// A remote command ran and failed.
    #[error("{peer}: {action} failed (exit status {status}){}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    Command {
        /// The peer's role.
        peer: String,
        /// What was being done.
        action: String,
        /// The command line.
        command: String,
        /// Its exit status.
        status: i32,
        /// Its standard error (or output), trimmed.
        detail: String,
    },
    /// Another deploy holds the remote lock.
    #[error("{peer}: another deploy holds the lock {dir} ({owner})")]
    Locked {
        /// The peer's role.
        peer: String,
        /// The lock directory.
        dir: String,
        /// Who holds it.
        owner: String,
        /// What to do about it.
        hint: String,
    },
    /// The peers' clocks are too far apart.
    #[error(
        "the peers' clocks are {skew:.1} s apart (more than 60 s); dhcpd refuses the failover connection (\"time offset too large\")"
    )]
    ClockSkew {
        /// Seconds between the two clocks.
        skew: f64,
    },
    /// A local file (known_hosts, identity) could not be used.
    #[error("{path}: {message}")]
    LocalFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A remote command ran past its deadline and the peer killed it.
    #[error("{peer}: {action} ran longer than {seconds} s; the peer killed it")]
    Deadline {
        /// The peer's role.
        peer: String,
        /// What was being done.
        action: String,
        /// The command line.
        command: String,
        /// The deadline, in seconds.
        seconds: u64,
    },
    /// A remote read passed the size cap.
    #[error("{peer}: {what} is larger than the {limit} read limit; nothing more was read")]
    TooLarge {
        /// The peer's role.
        peer: String,
        /// What was read.
        what: String,
        /// The limit, for people.
        limit: String,
    },
    /// A remote path that deploy would write through is not safe.
    #[error("{peer}: {path}: {reason}; refusing to write there")]
    UnsafePath {
        /// The peer's role.
        peer: String,
        /// The path.
        path: String,
        /// What is wrong with it.
        reason: String,
        /// How to make it safe.
        fix: String,
    },
    /// The lock directory could not be created or taken for a reason other than a deploy
    /// known to run: the folder refuses it, or what is in its place cannot be judged.
    #[error("{peer}: cannot create the lock {dir}: {detail}")]
    LockFailed {
        /// The peer's role.
        peer: String,
        /// The lock directory.
        dir: String,
        /// The error the peer gave, or what stands in the way.
        detail: String,
        /// What to do about it.
        hint: String,
    },
    /// The operator stopped the deploy with a signal.
    #[error("interrupted by {signal}")]
    Interrupted {
        /// The signal's name.
        signal: String,
    },
    /// An unfinished deploy's journal was found and it cannot be settled without a person.
    #[error(
        "{peer}: an unfinished deploy cannot be completed or rolled back automatically: {detail}"
    )]
    Unfinished {
        /// The peer's role.
        peer: String,
        /// What stands in the way.
        detail: String,
        /// What to do by hand.
        fix: String,
    },
}

crate::codes::catalogued_diagnostic!(RemoteError {
    Self::Connect { .. } => CANNOT_CONNECT, help(
        "check that sshd runs on the peer and that `ssh.host` / `ssh.port` (or ~/.ssh/config) \
         are right"
    );
    Self::UnknownHostKey { known_hosts, .. } => UNKNOWN_HOST_KEY, help(
        "verify the fingerprint out of band, then add it with `ssh-keyscan -p PORT HOST >> {}` \
         or run once with --accept-new-host-keys",
        known_hosts.display()
    );
    Self::ChangedHostKey { known_hosts, .. } => HOST_KEY_CHANGED, help(
        "someone may be intercepting the connection, or the server was reinstalled; if you know \
         why, remove the old entry with `ssh-keygen -R HOST -f {}`",
        known_hosts.display()
    );
    Self::RevokedHostKey { .. } => REVOKED_HOST_KEY, help(
        "a revoked key is refused even with --accept-new-host-keys or StrictHostKeyChecking no: \
         the server must get a new host key, verified out of band and added to known_hosts"
    );
    Self::CertAuthorityOnly { .. } => CERTIFICATE_AUTHORITY_ONLY, help(
        "pin the host's plain key as well: check `ssh-keyscan -p PORT HOST` against the server's \
         key out of band and add the line to known_hosts"
    );
    Self::StrictNoRefused { .. } => STRICT_HOST_KEY_CHECKING_NO, help(
        "use `StrictHostKeyChecking accept-new` (unknown keys are added, changed keys refused), \
         or pass --strict-host-key-checking no to accept any host key for this run"
    );
    Self::SshConfig { .. } => SSH_CONFIG, help(
        "fix the setting in ~/.ssh/config (or the file given with --ssh-config); `ssh -G HOST` \
         shows what ssh makes of it"
    );
    Self::KeyPermissions { path, .. } => KEY_PERMISSIONS, help(
        "chmod 600 {}  (and check that nobody else copied it meanwhile)",
        path.display()
    );
    Self::Proxy { .. } => PROXY_FAILED, help(
        "check the jump host (`ssh -J JUMP HOST` uses the same ProxyJump), that its sshd allows \
         TCP forwarding (AllowTcpForwarding), or the ProxyCommand"
    );
    Self::Auth { .. } => AUTHENTICATION_FAILED, help(
        "load the key into ssh-agent, or set `ssh.identity-file` / `ssh.user` for this peer"
    );
    Self::Ssh { .. } => CONNECTION_LOST, help(
        "the connection to the peer was lost or timed out; check the peer and run the command again"
    );
    Self::Command { command, .. } => REMOTE_COMMAND_FAILED, help(
        "run the command on the peer by hand to see why: {command}"
    );
    Self::Locked { hint, .. } => LOCKED, help("{hint}");
    Self::ClockSkew { .. } => CLOCK_SKEW, help(
        "synchronise both peers with NTP (chrony, systemd-timesyncd) before deploying"
    );
    Self::LocalFile { .. } => LOCAL_FILE, help("check the file's path and permissions");
    Self::Deadline { command, .. } => REMOTE_DEADLINE, help(
        "find out why it hangs by running it on the peer: {command}; if it only needs longer, \
         raise `ssh.restart-timeout` or `ssh.command-timeout` for this peer"
    );
    Self::TooLarge { .. } => TOO_LARGE, help(
        "if the file really is that large, raise the limit with --max-remote-size (for example \
         --max-remote-size 256M)"
    );
    Self::UnsafePath { fix, .. } => UNSAFE_REMOTE_PATH, help("{fix}");
    Self::LockFailed { hint, .. } => LOCK_FAILED, help("{hint}");
    Self::Interrupted { .. } => INTERRUPTED, help(
        "the report above says what each peer holds; run the deploy again when ready"
    );
    Self::Unfinished { fix, .. } => UNFINISHED_DEPLOY, help("{fix}");
});

impl RemoteError {
    /// An SSH-level failure of `action` on `peer`.
    pub fn ssh(peer: &str, action: impl Into<String>, err: impl std::fmt::Display) -> Self {
        RemoteError::Ssh {
            peer: peer.into(),
            action: action.into(),
            message: err.to_string(),
        }
    }

    /// The same error, its peer named as the jump host on the way to that peer.
    pub fn through_jump(mut self, jump: &str) -> Self {
        let peer = match &mut self {
            RemoteError::Connect { peer, .. }
            | RemoteError::UnknownHostKey { peer, .. }
            | RemoteError::ChangedHostKey { peer, .. }
            | RemoteError::RevokedHostKey { peer, .. }
            | RemoteError::CertAuthorityOnly { peer, .. }
            | RemoteError::StrictNoRefused { peer, .. }
            | RemoteError::SshConfig { peer, .. }
            | RemoteError::Auth { peer, .. }
            | RemoteError::Proxy { peer, .. }
            | RemoteError::Ssh { peer, .. } => peer,
            _ => return self,
        };
        *peer = format!("{peer} (jump host {jump})");
        self
    }
}
