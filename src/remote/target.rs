//! Each peer's SSH settings and remote paths, resolved from the model, then `~/.ssh/config`,
//! then the defaults.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::ssh_config::{SshConfig, default_identity_files, expand_tilde, home_dir, local_user};
use crate::model::remote::{self as defaults, Ssh};
use crate::model::{Pair, Role};

/// Where and how to reach one peer.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// The peer's role.
    pub role: Role,
    /// The name given (model `ssh.host`, `hostname` or `address`), looked up in `~/.ssh/config`.
    pub alias: String,
    /// The host actually dialled (`HostName`, else the alias).
    pub host: String,
    /// SSH port.
    pub port: u16,
    /// Remote user.
    pub user: String,
    /// Key from the model: used alone, without the agent.
    pub identity_file: Option<PathBuf>,
    /// Keys tried after the agent: `~/.ssh/config`'s, else the default ones.
    pub fallback_identities: Vec<PathBuf>,
    /// known_hosts file.
    pub known_hosts: PathBuf,
    /// Remote dhcpd.conf.
    pub config_path: String,
    /// Remote defaults file.
    pub defaults_path: String,
    /// Remote lease file.
    pub leases_path: String,
    /// Remote dhcpd binary.
    pub dhcpd: String,
    /// Shell command that validates a candidate, the candidate's quoted path appended.
    pub validate_command: String,
    /// Restart command.
    pub restart_command: String,
    /// Status command.
    pub status_command: String,
    /// Deadline of each remote command but the restart, enforced on the peer.
    pub command_timeout: Duration,
    /// Deadline of the restart command, enforced on the peer.
    pub restart_timeout: Duration,
    /// Whether a symlinked live file is replaced through its target.
    pub follow_symlinks: bool,
    /// Most bytes read from one remote command (`--max-remote-size`).
    pub max_read: u64,
}

impl Target {
    /// `host:port` for messages.
    pub fn addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The peer's name in messages: `primary`, `secondary`.
    pub fn peer(&self) -> &'static str {
        self.role.as_str()
    }
}

/// Resolves both peers' targets (primary first), reading `~/.ssh/config` once.
pub fn targets(pair: &Pair) -> [Target; 2] {
    let config = SshConfig::load_default();
    Role::BOTH.map(|role| resolve(pair, role, &config))
}

/// Resolves one peer's target against a given SSH configuration.
pub fn resolve(pair: &Pair, role: Role, config: &SshConfig) -> Target {
    let peer = pair.peers.get(role);
    let ssh: Ssh = peer
        .ssh
        .as_ref()
        .map(|s| s.value().clone())
        .unwrap_or_default();
    let text = |v: &Option<crate::model::Spanned<String>>| v.as_deref().cloned();
    let alias = text(&ssh.host)
        .or_else(|| text(&peer.hostname))
        .unwrap_or_else(|| peer.address.to_string());
    let model_user = text(&ssh.user);
    let found = config.lookup(&alias, model_user.as_deref());
    let user = model_user.or(found.user.clone()).unwrap_or_else(local_user);
    let port = ssh
        .port
        .as_deref()
        .and_then(|p| u16::try_from(*p).ok())
        .or(found.port)
        .unwrap_or(22);
    let identity_file = text(&ssh.identity_file).map(|p| expand_tilde(&p));
    let fallback_identities = if found.identity_files.is_empty() {
        default_identity_files()
    } else {
        found.identity_files.clone()
    };
    let known_hosts = text(&ssh.known_hosts)
        .map(|p| expand_tilde(&p))
        .unwrap_or_else(|| {
            home_dir()
                .unwrap_or_else(|| PathBuf::from("/"))
                .join(".ssh/known_hosts")
        });
    let or =
        |v: &Option<crate::model::Spanned<String>>, d: &str| text(v).unwrap_or_else(|| d.into());
    let seconds = |v: &Option<crate::model::Spanned<crate::model::Duration>>, d: u32| {
        Duration::from_secs(u64::from(v.as_deref().map_or(d, |d| d.secs()).max(1)))
    };
    let dhcpd = or(&ssh.dhcpd, defaults::DEFAULT_DHCPD);
    let validate_command = text(&ssh.validate_command)
        .unwrap_or_else(|| format!("{} -t -4 -cf", super::shell_quote(&dhcpd)));
    Target {
        role,
        host: found.hostname.clone().unwrap_or_else(|| alias.clone()),
        alias,
        port,
        user,
        identity_file,
        fallback_identities,
        known_hosts,
        config_path: or(&ssh.config_path, defaults::DEFAULT_CONFIG_PATH),
        defaults_path: or(&ssh.defaults_path, defaults::DEFAULT_DEFAULTS_PATH),
        leases_path: or(&ssh.leases_path, defaults::DEFAULT_LEASES_PATH),
        dhcpd,
        validate_command,
        restart_command: or(&ssh.restart_command, defaults::DEFAULT_RESTART_COMMAND),
        status_command: or(&ssh.status_command, defaults::DEFAULT_STATUS_COMMAND),
        command_timeout: seconds(&ssh.command_timeout, defaults::DEFAULT_COMMAND_TIMEOUT),
        restart_timeout: seconds(&ssh.restart_timeout, defaults::DEFAULT_RESTART_TIMEOUT),
        follow_symlinks: ssh.follow_symlinks.as_deref().copied().unwrap_or(false),
        max_read: super::exec::DEFAULT_MAX_READ,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load_str;

    #[test]
    fn model_beats_ssh_config_which_beats_defaults() {
        let yaml = "failover: { name: fo, mclt: 3600, split: 128 }\npeers:\n  primary: { address: 10.0.0.2, ssh: { host: dhcp1, user: ops } }\n  secondary: { address: 10.0.0.3, hostname: dhcp2, ssh: { port: 2022, config-path: /srv/dhcpd.conf } }\n";
        let pair = load_str("t.yaml", yaml.into()).unwrap().pair;
        let config = SshConfig::parse(
            "Host dhcp1\n  HostName 192.0.2.1\n  User admin\n  Port 2200\nHost dhcp2\n  Port 2300\n  User admin2\n",
        );
        let p = resolve(&pair, Role::Primary, &config);
        assert_eq!(
            (p.host.as_str(), p.port, p.user.as_str()),
            ("192.0.2.1", 2200, "ops")
        );
        assert_eq!(p.config_path, defaults::DEFAULT_CONFIG_PATH);
        assert_eq!(p.restart_command, defaults::DEFAULT_RESTART_COMMAND);
        let s = resolve(&pair, Role::Secondary, &config);
        assert_eq!((s.alias.as_str(), s.host.as_str()), ("dhcp2", "dhcp2"));
        assert_eq!((s.port, s.user.as_str()), (2022, "admin2"));
        assert_eq!(s.config_path, "/srv/dhcpd.conf");
        assert_eq!(s.validate_command, "/usr/sbin/dhcpd -t -4 -cf");
        assert_eq!(s.restart_timeout, Duration::from_secs(210));
    }

    #[test]
    fn dhcpd_is_quoted_as_a_path() {
        let yaml = "failover: { name: fo, mclt: 3600, split: 128 }\npeers:\n  primary: { address: 10.0.0.2, ssh: { dhcpd: '/opt/isc dhcp/dhcpd', command-timeout: 5m } }\n  secondary: { address: 10.0.0.3, ssh: { validate-command: 'sudo -n dhcpd -t -cf' } }\n";
        let pair = load_str("t.yaml", yaml.into()).unwrap().pair;
        let config = SshConfig::parse("");
        let p = resolve(&pair, Role::Primary, &config);
        assert_eq!(p.validate_command, "'/opt/isc dhcp/dhcpd' -t -4 -cf");
        assert_eq!(p.command_timeout, Duration::from_secs(300));
        let s = resolve(&pair, Role::Secondary, &config);
        assert_eq!(s.validate_command, "sudo -n dhcpd -t -cf");
    }
}
