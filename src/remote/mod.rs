//! The SSH side of dhcpfo: `diff`, `deploy` and `status` against the two live peers.
//!
//! - [`ssh_config`]: what `~/.ssh/config` (and `/etc/ssh/ssh_config`) says about a host;
//! - [`target`]: each peer's resolved SSH settings, remote paths and jump hosts;
//! - [`session`]: connecting (directly, through jump hosts or a proxy command; host key check
//!   in `host_key`, authentication in `auth`) and running commands;
//! - [`exec`]: one remote command under a deadline enforced on the peer, output capped, and
//!   the lease file streamed under the same deadline;
//! - [`inspect`]: a peer's live files, folders, lock, journal and last restart in one read,
//!   and its status command;
//! - [`record`]: the record of the last verified restart, and whether a peer runs what is on
//!   its disk;
//! - [`files`]: candidates, backups, renames and restores, keeping attributes;
//! - [`diff`]: live versus rendered files;
//! - [`lock`]: the remote lock that keeps two deploys apart;
//! - [`journal`]: the deploy journal kept in the lock;
//! - [`clock`]: the peers' clock skew;
//! - [`deploy`]: the deploy state machine and its per-peer report;
//! - [`signals`]: SIGINT, SIGTERM and SIGHUP during a deploy;
//! - [`status`]: reachability, service, failover state and pool counts;
//! - [`progress`]: per-peer progress lines;
//! - [`text`]: remote text made safe for a terminal, sizes.

mod auth;
pub(crate) mod clock;
pub(crate) mod deploy;
pub(crate) mod diff;
mod error;
pub(crate) mod exec;
pub mod files;
mod host_key;
pub(crate) mod inspect;
pub(crate) mod journal;
mod keys;
mod known_hosts;
mod line_diff;
pub(crate) mod lock;
pub(crate) mod progress;
mod proxy;
pub(crate) mod record;
pub(crate) mod session;
pub(crate) mod signals;
pub(crate) mod ssh_config;
mod ssh_tokens;
pub mod status;
pub(crate) mod target;
pub(crate) mod text;

pub use error::RemoteError;
pub use session::{ConnectOptions, Connection};
pub use target::{Target, targets};

/// Quotes a string for a POSIX shell: `'...'` with embedded quotes escaped.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Runs `f` for both peers in parallel (primary first in the result).
pub fn both<T: Send>(f: impl Fn(crate::model::Role) -> T + Sync) -> [T; 2] {
    use crate::model::Role;
    std::thread::scope(|scope| {
        let secondary = scope.spawn(|| f(Role::Secondary));
        let primary = f(Role::Primary);
        let secondary = match secondary.join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        [primary, secondary]
    })
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quoting_survives_the_shell() {
        for s in [
            "plain/path.conf",
            "with space",
            "it's",
            "",
            "$(rm -rf /)",
            "a\nb",
        ] {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", shell_quote(s)))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), s);
        }
    }
}
