//! The codes of errors that are not findings of a rule: files and the command line, `render`,
//! `serve`, the failover protocol, and `diff`, `deploy` and `status` over SSH.

use super::Code;
use crate::diag::Severity;

const fn error(
    code: &'static str,
    name: &'static str,
    reported_by: &'static str,
    doc: &'static str,
) -> Code {
    Code::new(code, name, Severity::Error, reported_by, doc)
}

const fn warning(
    code: &'static str,
    name: &'static str,
    reported_by: &'static str,
    doc: &'static str,
) -> Code {
    Code::new(code, name, Severity::Warning, reported_by, doc)
}

const REMOTE: &str = "diff, deploy, status";

/// A file could not be read: declared with the check rules, whose list `check --list-rules`
/// prints, and named here too so that error types find it with the runtime codes.
pub(crate) use crate::model::check::DF001;

/// Declares each runtime code once, as a constant the error types name (see
/// `catalogued_diagnostic!`), and lists them all in
/// [`CODES`] for `explain`.
macro_rules! catalogue {
    ($($name:ident = $make:ident($($entry:tt)*);)+) => {
        $(pub(crate) const $name: Code = $make($($entry)*);)+

        /// Every runtime code, in code order.
        pub(super) const CODES: &[Code] = &[$($name),+];

        /// The constants' names, in the order of [`CODES`].
        #[cfg(test)]
        pub(super) const NAMES: &[&str] = &[$(stringify!($name)),+];
    };
}

catalogue! {
    TEMPLATE_ERROR = error(
        "DF002",
        "template-error",
        "render, diff, deploy",
        "A template could not be loaded or evaluated: a file given with `--templates` has a syntax error, uses a variable the model does not provide (undefined variables are errors, never empty text), or cannot be read. The message names the template and its line. Fix the template, or drop `--templates` to use the built-in ones.",
    );
    RELATIVE_SHARED_PATH = error(
        "DF003",
        "relative-shared-path",
        "render",
        "`--shared-path` is not an absolute path, or holds a quote. In the split layout each peer's dhcpd.conf includes the shared file by this path, and dhcpd resolves a relative include against its working directory; give an absolute path such as /etc/dhcp/dhcpd.shared.conf.",
    );
    USAGE = error(
        "DF004",
        "usage",
        "every command",
        "The command line is not understood: an unknown option, a missing argument, a value of the wrong kind, a code that `--explain`, `--select` or `--ignore` does not know, or options that do not go together (a deploy without a terminal needs `--yes`). The exit status is 2; `dhcpfo COMMAND --help` lists what a command takes.",
    );
    CANNOT_WRITE = error(
        "DF005",
        "cannot-write",
        "render, import",
        "An output file or folder could not be written (`render --out`, `import -o`): the folder cannot be created or is not writable, or the disk is full. Files are written under a temporary name and renamed into place, so a failed write leaves no half-written file. The exit status is 2.",
    );
    LEASE_FILE_IO = error(
        "DF010",
        "lease-file-io",
        "serve",
        "`dhcpfo serve` cannot read or write its lease file (`--leases`): its folder does not exist or is not writable by the server, or the disk is full. The server does not start (exit status 2): an acknowledgement is only sent once its lease is on disk, so a lease file that cannot be written would lose leases.",
    );
    NOT_A_LEASE_FILE = error(
        "DF011",
        "not-a-lease-file",
        "serve, leases",
        "The lease file is not in ISC's dhcpd.leases(5) format; the message gives the line (and column) where reading stopped. `serve` refuses to start on it rather than overwrite it (move it aside to start with an empty file); `leases` lists nothing and exits with status 1.",
    );
    CANNOT_LISTEN = error(
        "DF012",
        "cannot-listen",
        "serve",
        "`dhcpfo serve` cannot open its socket on an interface: the interface does not exist, another DHCP server already listens on port 67 there, or the process lacks root (or CAP_NET_RAW and CAP_NET_BIND_SERVICE) for the port and for binding to the device.",
    );
    RUNTIME_START = error(
        "DF013",
        "runtime-start",
        "serve",
        "The server's runtime (its threads and its signal handling) could not start, usually because of the process limits on threads or file descriptors (`ulimit -u`, `ulimit -n`).",
    );
    LEASE_FILE_CUT_OFF = warning(
        "DF014",
        "lease-file-cut-off",
        "leases",
        "The lease file's last record stops before its closing `}`, as a crash or a full disk leaves it: it is left out, as ISC dhcpd leaves it out when it reads the file, and the records before it are listed. dhcpd rewrites the file at its next start; a record cut off anywhere but at the end is an error (DF011).",
    );
    INTERFACE_OUTSIDE_SUBNETS = warning(
        "DF015",
        "interface-outside-subnets",
        "serve",
        "An interface `serve` listens on has IPv4 addresses, none of them in a subnet of the model: clients on that link get no answer (requests relayed from other links are still served, by the relay's address). ISC dhcpd, in the same case, stops with \"No subnet declaration for IF\". Declare the interface's network in the model's `subnets:` (with no pool if nothing is handed out there), or leave the interface out of the peer's `interfaces`.",
    );
    FAILOVER_MESSAGE_REFUSED = error(
        "DF020",
        "failover-message-refused",
        "serve (failover)",
        "A failover peer sent a message that ISC dhcpd would refuse too: a length outside 12..2048 octets, a message cut short, or an option that does not fit its type. The link is closed and set up again, as ISC dhcpd does (`dhcp_failover_link_signal`).",
    );
    FAILOVER_MESSAGE_TOO_LONG = error(
        "DF021",
        "failover-message-too-long",
        "serve (failover)",
        "dhcpfo built a failover message that ISC dhcpd would not accept: longer than 2048 octets, or with an option its message type does not carry. The message is not sent; this is a bug in dhcpfo, worth reporting with the log line.",
    );
    PARTNER_DOWN_REFUSED = error(
        "DF030",
        "partner-down-refused",
        "serve (failover)",
        "PARTNER-DOWN was asked for in a state that does not allow it. In partner-down one peer takes over every address once the MCLT has passed; declared while the partner still serves, both peers hand out the same addresses. It is accepted only in communications-interrupted or resolution-interrupted, while the partner is unreachable: make sure it is really down and cannot restart. A peer that waits in recover, recover-wait or recover-done for a partner that is gone for good (or in shutdown) has no command out: as with ISC dhcpd (dhcpd.conf(5)), stop it, append `failover peer \"NAME\" state { my state partner-down; }` to the end of its lease file, and start it again; it serves every address once the MCLT has passed.",
    );
    CONTROL_SOCKET_IN_USE = error(
        "DF031",
        "control-socket-in-use",
        "serve (failover)",
        "Another `dhcpfo serve` already answers on the control socket this server would open (by default the lease file's path with `.ctl`). Two servers on one lease file would overwrite each other's leases: each peer needs its own lease file and control socket. Stop the other server, or give `--leases`/`--control` other paths.",
    );
    CONTROL_SOCKET_FAILED = error(
        "DF032",
        "control-socket-failed",
        "serve (failover)",
        "The control socket could not be made: its folder does not exist or the server cannot write there. The socket is bound in a private folder, made owner-only and moved into place; give `--control` a path in a folder the server can write.",
    );
    CONTROL_REQUEST_REFUSED = error(
        "DF033",
        "control-request-refused",
        "failover",
        "The server answered the control command but could not act on it: it is stopping, or it is not a failover peer (started with `--role standalone`). Start it with `--role primary` or `--role secondary` to use `dhcpfo failover`.",
    );
    NO_CONTROL_SERVER = error(
        "DF034",
        "no-control-server",
        "failover",
        "`dhcpfo failover` found no server on the control socket: `dhcpfo serve` is not running, runs with another lease file, or was started with `--control` elsewhere. Give the socket with `--socket`, or the lease file the server was started with (`--leases`).",
    );
    CONTROL_SERVER_MISMATCH = error(
        "DF035",
        "control-server-mismatch",
        "failover",
        "The server on the control socket is another peer (the primary where the secondary was asked for) or serves another failover relationship. Each peer has its own control socket beside its own lease file: give the `--role` of the server there, or the `--socket` or `--leases` of the peer meant.",
    );
    CANNOT_CONNECT = error(
        "DF501",
        "cannot-connect",
        REMOTE,
        "The TCP connection or the SSH handshake with a peer failed: the host name does not resolve, nothing listens on the port, a firewall drops the connection, or the handshake broke off. Check that sshd runs on the peer and that `ssh.host` and `ssh.port` (or ~/.ssh/config) name it; `ssh -p PORT HOST` from the same machine should work.",
    );
    UNKNOWN_HOST_KEY = error(
        "DF502",
        "unknown-host-key",
        REMOTE,
        "The peer's host key is in no known_hosts file and StrictHostKeyChecking is `yes` (dhcpfo's default). Compare the SHA256 fingerprint in the message with the server's own (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on it), then add the key with `ssh-keyscan`, or run once with `--accept-new-host-keys`.",
    );
    HOST_KEY_CHANGED = error(
        "DF503",
        "host-key-changed",
        REMOTE,
        "The peer offered a host key other than the one a known_hosts file records for it (the file and line are named): someone may be intercepting the connection, or the server was reinstalled. dhcpfo refuses to connect and never replaces the entry; if you know why the key changed, remove the old entry with `ssh-keygen -R HOST`.",
    );
    AUTHENTICATION_FAILED = error(
        "DF504",
        "authentication-failed",
        REMOTE,
        "The peer's sshd accepted none of the keys tried for the user: the ssh-agent's keys and the identity files, or only the model's `identity-file` when it is given. Load the key into ssh-agent, or set `ssh.identity-file` or `ssh.user` for the peer; dhcpfo never uses passwords.",
    );
    CONNECTION_LOST = error(
        "DF505",
        "connection-lost",
        REMOTE,
        "A remote command or transfer failed at the SSH level: the connection was lost or timed out part-way. A deploy reconnects once, or rolls back; run the command again once the peer is reachable.",
    );
    REMOTE_COMMAND_FAILED = error(
        "DF506",
        "remote-command-failed",
        REMOTE,
        "A command run on the peer exited with an error; the message gives its exit status and what it printed, and the help the command line, to run by hand on the peer to see why.",
    );
    LOCKED = error(
        "DF507",
        "locked",
        "deploy",
        "Another deploy holds the lock folder next to the peer's live dhcpd.conf; the message names its owner. Wait for it to finish. A lock of this machine whose process is gone is taken over by itself; one taken from another machine is refused with its id, and `--force-unlock LOCK_ID` takes it over once you know that deploy is gone.",
    );
    CLOCK_SKEW = error(
        "DF508",
        "clock-skew",
        "deploy",
        "The peers' clocks are more than 60 s apart. ISC dhcpd refuses the failover connection then (\"time offset too large\"), so deploy does not restart a pair that could not talk. Synchronise both peers with NTP (chrony, systemd-timesyncd) first.",
    );
    LOCAL_FILE = error(
        "DF509",
        "local-file",
        REMOTE,
        "A local file needed for SSH (a known_hosts file, an identity file) could not be read or written. Check its path and permissions; an unreadable known_hosts file is an error, never taken for a host that is not known.",
    );
    REVOKED_HOST_KEY = error(
        "DF520",
        "revoked-host-key",
        REMOTE,
        "The key the peer offered is marked `@revoked` in a known_hosts file. It is refused whatever `--strict-host-key-checking` or `--accept-new-host-keys` say: the server needs a new host key, verified out of band and added to known_hosts.",
    );
    CERTIFICATE_AUTHORITY_ONLY = error(
        "DF521",
        "certificate-authority-only",
        REMOTE,
        "known_hosts vouches for the peer only through `@cert-authority`, and dhcpfo cannot verify SSH host certificates (libssh2 does not check their signature, principals or validity). Pin the host's plain key as well, after checking it out of band.",
    );
    STRICT_HOST_KEY_CHECKING_NO = error(
        "DF522",
        "strict-host-key-checking-no",
        REMOTE,
        "The SSH configuration says `StrictHostKeyChecking no`. dhcpfo connects to a host whose key it cannot verify only when its own command line says so (`--strict-host-key-checking no`); write `accept-new` in the configuration instead, which adds unknown keys and refuses changed ones.",
    );
    SSH_CONFIG = error(
        "DF523",
        "ssh-config",
        REMOTE,
        "A setting of the SSH configuration cannot be used (an unknown `%` token in a file name, for one; the message names the file and line), or the file given with `--ssh-config` cannot be read. `ssh -G HOST` shows what ssh makes of the configuration.",
    );
    KEY_PERMISSIONS = error(
        "DF524",
        "key-permissions",
        REMOTE,
        "A private key file is readable or writable by group or others, which OpenSSH refuses too (\"UNPROTECTED PRIVATE KEY FILE\"). A model's `identity-file` fails the connection; a default key is skipped with this message. `chmod 600` the file.",
    );
    PROXY_FAILED = error(
        "DF525",
        "proxy-failed",
        REMOTE,
        "The jump host (`ProxyJump`) or the `ProxyCommand` did not carry the connection: the jump host refused it or could not reach the peer (its sshd must allow TCP forwarding), or the proxy command failed or exited. The message names the jump host or the command.",
    );
    REMOTE_DEADLINE = error(
        "DF526",
        "remote-deadline",
        REMOTE,
        "A command on the peer ran past its deadline (`ssh.command-timeout`, or `ssh.restart-timeout` for the restart) and the peer killed it. Run it on the peer to find out why it hangs; raise the timeout if it only needs longer.",
    );
    TOO_LARGE = error(
        "DF527",
        "too-large",
        REMOTE,
        "A read from the peer passed the `--max-remote-size` cap (64M by default): a live file, the lock's journal or a command's output. Nothing more was read, and nothing was cut short silently; raise the cap if the file really is that large.",
    );
    UNSAFE_REMOTE_PATH = error(
        "DF528",
        "unsafe-remote-path",
        "deploy",
        "A path deploy would write through is not safe: a live file is a symbolic link (without `ssh.follow-symlinks: true`), a folder on the way does not exist, is a symbolic link, is writable by its group or others, or belongs to someone other than root or the SSH user. Nothing is written; the help says how to make it safe.",
    );
    LOCK_FAILED = error(
        "DF529",
        "lock-failed",
        "deploy",
        "The lock folder could not be created next to the peer's live dhcpd.conf for a reason other than another deploy: the SSH user may not write there, the folder is immutable (`lsattr`), or the file system is full or read-only.",
    );
    INTERRUPTED = error(
        "DF530",
        "interrupted",
        "deploy",
        "The deploy was stopped by SIGINT, SIGTERM or SIGHUP. The step under way was finished, then the deploy rolled back (or completed, when only restarts were left); the report says what each peer holds. The exit status is 128 + the signal's number.",
    );
    UNFINISHED_DEPLOY = error(
        "DF531",
        "unfinished-deploy",
        "deploy",
        "A deploy that was killed part-way left a journal on the peer that cannot be completed or rolled back automatically: a backup is missing or does not hold the previous file, or a live file was edited since. The help gives what to decide and run by hand; the locks stay until then.",
    );
    STATUS_LEASE_FILE = error(
        "DF550",
        "status-lease-file",
        "status",
        "`dhcpfo status` could not use a peer's lease file (`ssh.leases-path`): it does not exist, it cannot be read, or it is not in dhcpd.leases(5) format (the line is named). The failover states and pool counts of that peer are then unknown; the rest of its status is still shown.",
    );
}
