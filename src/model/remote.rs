//! The remote part of the model: how dhcpfo reaches each peer over SSH (`peers.*.ssh`) and how
//! it deploys the pair (`deploy`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Duration, Spanned};

/// Default path of dhcpd.conf on a peer.
pub(crate) const DEFAULT_CONFIG_PATH: &str = "/etc/dhcp/dhcpd.conf";
/// Default path of the service's defaults file (`INTERFACESv4`) on a peer.
pub(crate) const DEFAULT_DEFAULTS_PATH: &str = "/etc/default/isc-dhcp-server";
/// Default path of the lease file on a peer.
pub(crate) const DEFAULT_LEASES_PATH: &str = "/var/lib/dhcp/dhcpd.leases";
/// Default dhcpd binary on a peer.
pub(crate) const DEFAULT_DHCPD: &str = "/usr/sbin/dhcpd";
/// Default command that restarts the service.
pub(crate) const DEFAULT_RESTART_COMMAND: &str = "systemctl restart isc-dhcp-server";
/// Default command that exits 0 when the service runs: the unit is active and the dhcpd of
/// its pid file (the init script's `/run/dhcpd.pid`) runs; the unit systemd makes from
/// Debian's init script stays active after dhcpd dies (`RemainAfterExit=yes`).
pub(crate) const DEFAULT_STATUS_COMMAND: &str =
    "systemctl is-active --quiet isc-dhcp-server && pgrep -F /run/dhcpd.pid -x dhcpd >/dev/null";
/// Default number of backups kept of each live file.
pub(crate) const DEFAULT_KEEP_BACKUPS: u32 = 5;
/// Default deadline of one remote command (reads, uploads, `dhcpd -t`, renames), in seconds.
pub(crate) const DEFAULT_COMMAND_TIMEOUT: u32 = 60;
/// Default deadline of the restart command, in seconds: the stop and start timeouts of the
/// unit systemd generates for Debian's `isc-dhcp-server` init script (5 min each) with a
/// margin, so that systemd gives up, and its restart job ends, before dhcpfo does.
pub(crate) const DEFAULT_RESTART_TIMEOUT: u32 = 630;
/// Longest deadline accepted for a remote command, in seconds (one hour).
pub(crate) const MAX_TIMEOUT: u32 = 3600;

/// How to reach one peer over SSH and where it keeps its files. Every key is optional;
/// `~/.ssh/config` fills in what is not given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Ssh {
    /// Host name, address or `~/.ssh/config` alias (default: the peer's `hostname`, else its
    /// `address`).
    #[serde(default)]
    pub host: Option<Spanned<String>>,
    /// SSH port (default: `~/.ssh/config`, else 22).
    #[serde(default)]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<Spanned<u32>>,
    /// Remote user (default: `~/.ssh/config`, else the local user).
    #[serde(default)]
    pub user: Option<Spanned<String>>,
    /// Private key file; without it the ssh-agent is used, then `~/.ssh/config`'s
    /// `IdentityFile` and the default keys.
    #[serde(default)]
    pub identity_file: Option<Spanned<String>>,
    /// The user known_hosts file, where new keys are added (default: `UserKnownHostsFile`,
    /// else `~/.ssh/known_hosts` and `~/.ssh/known_hosts2`); the global files count too.
    #[serde(default)]
    pub known_hosts: Option<Spanned<String>>,
    /// Remote path of dhcpd.conf (default `/etc/dhcp/dhcpd.conf`).
    #[serde(default)]
    pub config_path: Option<Spanned<String>>,
    /// Remote path of the defaults file (default `/etc/default/isc-dhcp-server`).
    #[serde(default)]
    pub defaults_path: Option<Spanned<String>>,
    /// Remote path of the lease file (default `/var/lib/dhcp/dhcpd.leases`).
    #[serde(default)]
    pub leases_path: Option<Spanned<String>>,
    /// Path of the remote dhcpd binary, run as `DHCPD -t -4 -cf FILE` (default
    /// `/usr/sbin/dhcpd`). A path, quoted as one word; a wrapper command goes in
    /// `validate-command`.
    #[serde(default)]
    pub dhcpd: Option<Spanned<String>>,
    /// Shell command that validates a candidate dhcpd.conf, run with the candidate's path
    /// appended as one quoted argument (default: `DHCPD -t -4 -cf`), e.g.
    /// `sudo -n /usr/sbin/dhcpd -t -4 -cf`.
    #[serde(default)]
    pub validate_command: Option<Spanned<String>>,
    /// Shell command that restarts the service (default `systemctl restart isc-dhcp-server`).
    #[serde(default)]
    pub restart_command: Option<Spanned<String>>,
    /// Shell command that exits 0 when the service runs
    /// (default `systemctl is-active --quiet isc-dhcp-server && pgrep -F /run/dhcpd.pid -x dhcpd >/dev/null`:
    /// the unit of Debian's init script stays active after dhcpd dies).
    #[serde(default)]
    pub status_command: Option<Spanned<String>>,
    /// Deadline of each remote command other than the restart (default 60s); the peer kills a
    /// command that runs longer.
    #[serde(default)]
    pub command_timeout: Option<Spanned<Duration>>,
    /// Deadline of the restart command (default 630s: the stop and start timeouts of the systemd unit of an init script, 5 min each, and a
    /// margin); the peer kills a restart that runs longer.
    #[serde(default)]
    pub restart_timeout: Option<Spanned<Duration>>,
    /// When a live file is a symbolic link, replace its target (checked like the live file's
    /// folder) instead of refusing to deploy (default false).
    #[serde(default)]
    pub follow_symlinks: Option<Spanned<bool>>,
}

/// Which peer `deploy` restarts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RestartOrder {
    /// The secondary, then the primary (the default).
    #[default]
    SecondaryFirst,
    /// The primary, then the secondary.
    PrimaryFirst,
}

/// Settings of `dhcpfo deploy` for the pair.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Deploy {
    /// Which peer is restarted first (default `secondary-first`).
    #[serde(default)]
    pub restart_order: Option<Spanned<RestartOrder>>,
    /// Timestamped backups kept of each live file (default 5, at least 1).
    #[serde(default)]
    pub keep_backups: Option<Spanned<u32>>,
}

impl Deploy {
    /// The restart order in effect.
    pub fn restart_order(&self) -> RestartOrder {
        self.restart_order.as_deref().copied().unwrap_or_default()
    }

    /// The number of backups kept in effect.
    pub fn keep_backups(&self) -> u32 {
        self.keep_backups
            .as_deref()
            .copied()
            .unwrap_or(DEFAULT_KEEP_BACKUPS)
    }
}
