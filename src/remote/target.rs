//! Each peer's SSH settings and remote paths, resolved from the model, then the SSH
//! configuration (see [`super::ssh_config`]), then the defaults; and the hops on the way to
//! it (`ProxyJump`, `ProxyCommand`).

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::ssh_config::{
    HostConfig, ProxySetting, SshConfig, Strictness, default_identity_files, local_user,
};
use super::ssh_tokens::{Tokens, expand_tilde};
use crate::model::remote::{self as defaults, Ssh};
use crate::model::{Pair, Role};

/// How many jump hosts may stand between dhcpfo and a peer (a loop in the configuration
/// stops here).
const MAX_HOPS: usize = 8;

/// How the SSH connection reaches the host.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Route {
    /// Straight over TCP.
    Direct,
    /// Through a `direct-tcpip` channel of an SSH session to a jump host (`ProxyJump`).
    Jump(Box<Target>),
    /// Over the standard input and output of a local command (`ProxyCommand`), tokens
    /// expanded.
    Command(String),
}

/// Where and how to reach one peer (or a jump host on the way to it).
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// The peer's role.
    pub role: Role,
    /// The name given (model `ssh.host`, `hostname` or `address`, or a jump host as written),
    /// looked up in the SSH configuration.
    pub alias: String,
    /// The host actually dialled (`HostName`, else the alias).
    pub host: String,
    /// SSH port.
    pub port: u16,
    /// Remote user.
    pub user: String,
    /// Key from the model: used alone, without the agent.
    pub identity_file: Option<PathBuf>,
    /// Keys tried after the agent: the configuration's `IdentityFile`s, else the default ones.
    pub fallback_identities: Vec<PathBuf>,
    /// User known_hosts files (the model's `known-hosts`, else `UserKnownHostsFile`, else
    /// `~/.ssh/known_hosts` and `~/.ssh/known_hosts2`): checked, and the first one is where
    /// new keys are added.
    pub known_hosts: Vec<PathBuf>,
    /// Global known_hosts files (`GlobalKnownHostsFile`, else `/etc/ssh/ssh_known_hosts`
    /// and `/etc/ssh/ssh_known_hosts2`): checked, never written.
    pub global_known_hosts: Vec<PathBuf>,
    /// `HostKeyAlias`: the name known_hosts records the host under.
    pub host_key_alias: Option<String>,
    /// `StrictHostKeyChecking` from the configuration (the command line may override it).
    pub strict_host_key_checking: Option<Strictness>,
    /// `HashKnownHosts`: added entries get a hashed host name.
    pub hash_known_hosts: bool,
    /// How the connection gets there.
    pub route: Route,
    /// Settings that cannot be used (connecting fails with them).
    pub config_errors: Vec<String>,
    /// Parts of the configuration that were skipped (printed when connecting).
    pub config_warnings: Vec<String>,
    /// Remote dhcpd.conf.
    pub config_path: String,
    /// Remote defaults file.
    pub defaults_path: String,
    /// Remote shared file of the split layout, which both peers' dhcpd.conf include (`None`:
    /// the single layout, nothing shared).
    pub shared_path: Option<String>,
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

    /// The name the host is recorded under in known_hosts.
    pub fn known_hosts_name(&self) -> String {
        super::known_hosts::lookup_name(&self.host, self.port, self.host_key_alias.as_deref())
    }
}

/// Resolves both peers' targets (primary first) against one SSH configuration.
pub fn targets(pair: &Pair, config: &SshConfig) -> [Target; 2] {
    Role::BOTH.map(|role| resolve(pair, role, config))
}

/// What the model (or a `ProxyJump` element) says of a host, before the configuration.
#[derive(Debug, Default)]
struct Given {
    user: Option<String>,
    port: Option<u16>,
    identity_file: Option<PathBuf>,
    known_hosts: Option<PathBuf>,
}

/// Resolves one peer's target against a given SSH configuration.
pub(crate) fn resolve(pair: &Pair, role: Role, config: &SshConfig) -> Target {
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
    let given = Given {
        user: text(&ssh.user),
        port: ssh.port.as_deref().and_then(|p| u16::try_from(*p).ok()),
        identity_file: text(&ssh.identity_file).map(|p| expand_tilde(&p)),
        known_hosts: text(&ssh.known_hosts).map(|p| expand_tilde(&p)),
    };
    let mut target = resolve_host(role, &alias, given, config, 0, None);
    let or =
        |v: &Option<crate::model::Spanned<String>>, d: &str| text(v).unwrap_or_else(|| d.into());
    target.config_path = or(&ssh.config_path, defaults::DEFAULT_CONFIG_PATH);
    target.defaults_path = or(&ssh.defaults_path, defaults::DEFAULT_DEFAULTS_PATH);
    target.leases_path = or(&ssh.leases_path, defaults::DEFAULT_LEASES_PATH);
    let seconds = |v: &Option<crate::model::Spanned<crate::model::Duration>>, d: u32| {
        Duration::from_secs(u64::from(v.as_deref().map_or(d, |d| d.secs()).max(1)))
    };
    target.dhcpd = or(&ssh.dhcpd, defaults::DEFAULT_DHCPD);
    target.validate_command =
        text(&ssh.validate_command).unwrap_or_else(|| default_validate_command(&target.dhcpd));
    target.restart_command = or(&ssh.restart_command, defaults::DEFAULT_RESTART_COMMAND);
    target.status_command = or(&ssh.status_command, defaults::DEFAULT_STATUS_COMMAND);
    target.command_timeout = seconds(&ssh.command_timeout, defaults::DEFAULT_COMMAND_TIMEOUT);
    target.restart_timeout = seconds(&ssh.restart_timeout, defaults::DEFAULT_RESTART_TIMEOUT);
    target.follow_symlinks = ssh.follow_symlinks.as_deref().copied().unwrap_or(false);
    target
}

/// `dhcpd -t -4 -cf` with the binary quoted as one path (the candidate's path is appended).
fn default_validate_command(dhcpd: &str) -> String {
    format!("{} -t -4 -cf", super::shell_quote(dhcpd))
}

/// Resolves the SSH side of one host: `hops` jump hosts already stand before it; `via`
/// replaces its own proxy setting (a later element of a `ProxyJump` list is reached through
/// the earlier ones, whatever its own configuration says).
fn resolve_host(
    role: Role,
    alias: &str,
    given: Given,
    config: &SshConfig,
    hops: usize,
    via: Option<Route>,
) -> Target {
    let found: HostConfig = config.lookup(alias, given.user.as_deref());
    let mut errors = found.errors.clone();
    let user = given.user.or(found.user.clone()).unwrap_or_else(local_user);
    let port = given.port.or(found.port).unwrap_or(22);
    let host = found.hostname.clone().unwrap_or_else(|| alias.to_string());
    let proxy_jump = match &found.proxy {
        Some(Some(ProxySetting::Jump(j))) => j.clone(),
        _ => String::new(),
    };
    let tokens = Tokens {
        original_host: alias,
        host: &host,
        port,
        remote_user: &user,
        host_key_alias: found.host_key_alias.as_deref(),
        proxy_jump: &proxy_jump,
    };
    let mut paths = |raw: &[String], what: &str| -> Vec<PathBuf> {
        raw.iter()
            .filter(|r| !r.eq_ignore_ascii_case("none"))
            .filter_map(|r| match tokens.expand_path(r) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(format!("{what} {e}"));
                    None
                }
            })
            .collect()
    };
    let fallback_identities = if found.identity_files.is_empty() {
        default_identity_files()
    } else {
        paths(&found.identity_files, "IdentityFile")
    };
    let known_hosts = match (&given.known_hosts, &found.user_known_hosts) {
        (Some(file), _) => vec![file.clone()],
        (None, Some(files)) => paths(files, "UserKnownHostsFile"),
        (None, None) => paths(
            &["~/.ssh/known_hosts".into(), "~/.ssh/known_hosts2".into()],
            "UserKnownHostsFile",
        ),
    };
    let global_known_hosts = match &found.global_known_hosts {
        Some(files) => paths(files, "GlobalKnownHostsFile"),
        None => vec![
            PathBuf::from("/etc/ssh/ssh_known_hosts"),
            PathBuf::from("/etc/ssh/ssh_known_hosts2"),
        ],
    };
    let route = match via {
        Some(route) => route,
        None => match &found.proxy {
            Some(Some(ProxySetting::Command(raw))) => match tokens.expand(raw, false) {
                Ok(command) => Route::Command(command),
                Err(e) => {
                    errors.push(format!("ProxyCommand {e}"));
                    Route::Direct
                }
            },
            Some(Some(ProxySetting::Jump(list))) => match jump_route(role, list, config, hops) {
                Ok(route) => route,
                Err(e) => {
                    errors.push(e);
                    Route::Direct
                }
            },
            _ => Route::Direct,
        },
    };
    Target {
        role,
        alias: alias.to_string(),
        host,
        port,
        user,
        identity_file: given.identity_file,
        fallback_identities,
        known_hosts,
        global_known_hosts,
        host_key_alias: found.host_key_alias.clone(),
        strict_host_key_checking: found.strict_host_key_checking,
        hash_known_hosts: found.hash_known_hosts.unwrap_or(false),
        route,
        config_errors: errors,
        config_warnings: found.warnings.clone(),
        config_path: defaults::DEFAULT_CONFIG_PATH.into(),
        defaults_path: defaults::DEFAULT_DEFAULTS_PATH.into(),
        leases_path: defaults::DEFAULT_LEASES_PATH.into(),
        dhcpd: defaults::DEFAULT_DHCPD.into(),
        validate_command: default_validate_command(defaults::DEFAULT_DHCPD),
        restart_command: defaults::DEFAULT_RESTART_COMMAND.into(),
        status_command: defaults::DEFAULT_STATUS_COMMAND.into(),
        command_timeout: Duration::from_secs(defaults::DEFAULT_COMMAND_TIMEOUT.into()),
        restart_timeout: Duration::from_secs(defaults::DEFAULT_RESTART_TIMEOUT.into()),
        follow_symlinks: false,
        max_read: super::exec::DEFAULT_MAX_READ,
        shared_path: None,
    }
}

/// The route through a `ProxyJump` list: the last element is the hop right before the host,
/// reached through the elements before it; the first uses its own configuration.
fn jump_route(role: Role, list: &str, config: &SshConfig, hops: usize) -> Result<Route, String> {
    let specs: Vec<&str> = list.split(',').map(str::trim).collect();
    if hops + specs.len() > MAX_HOPS {
        return Err(format!(
            "ProxyJump {list}: more than {MAX_HOPS} jump hosts on the way (a loop in the configuration?)"
        ));
    }
    let mut via: Option<Route> = None;
    for (i, spec) in specs.iter().enumerate() {
        let (user, host, port) = parse_jump(spec).ok_or_else(|| {
            format!(
                "ProxyJump `{list}`: `{spec}` is not [user@]host[:port] or ssh://[user@]host[:port]"
            )
        })?;
        let given = Given {
            user,
            port,
            ..Given::default()
        };
        let hop = resolve_host(role, &host, given, config, hops + i + 1, via.take());
        if let Some(e) = hop.config_errors.first() {
            return Err(if e.starts_with("jump host") {
                e.clone()
            } else {
                format!("jump host {host}: {e}")
            });
        }
        via = Some(Route::Jump(Box::new(hop)));
    }
    via.ok_or_else(|| format!("ProxyJump `{list}` names no host"))
}

/// `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`.
fn parse_jump(spec: &str) -> Option<(Option<String>, String, Option<u16>)> {
    let spec = spec.strip_prefix("ssh://").unwrap_or(spec);
    let spec = spec.strip_suffix('/').unwrap_or(spec);
    let (user, rest) = match spec.rsplit_once('@') {
        Some((user, rest)) if !user.is_empty() => (Some(user.to_string()), rest),
        Some(_) => return None,
        None => (None, spec),
    };
    let (host, port) = if let Some(bracketed) = rest.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return None,
        }
    } else {
        match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p > 0)?),
        None => None,
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
        return None;
    }
    Some((user, host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load_str;

    const YAML: &str = "failover: { name: fo, mclt: 3600, split: 128 }\npeers:\n  primary: { address: 10.0.0.2, ssh: { host: dhcp1, user: ops } }\n  secondary: { address: 10.0.0.3, hostname: dhcp2, ssh: { port: 2022, config-path: /srv/dhcpd.conf, known-hosts: /pair/kh } }\n";

    #[test]
    fn model_beats_ssh_config_which_beats_defaults() {
        let pair = load_str("t.yaml", YAML.into()).unwrap().pair;
        let config = SshConfig::parse(
            "Host dhcp1\n  HostName 192.0.2.1\n  User admin\n  Port 2200\n  UserKnownHostsFile /kh/%h %d/kh2 none\n  GlobalKnownHostsFile none\n  HostKeyAlias pin1\nHost dhcp2\n  Port 2300\n  User admin2\n  UserKnownHostsFile /ignored\n",
        );
        let p = resolve(&pair, Role::Primary, &config);
        assert_eq!(
            (p.host.as_str(), p.port, p.user.as_str()),
            ("192.0.2.1", 2200, "ops")
        );
        assert_eq!(p.known_hosts[0], PathBuf::from("/kh/192.0.2.1"));
        assert_eq!(p.known_hosts.len(), 2);
        assert!(p.global_known_hosts.is_empty());
        assert_eq!(p.known_hosts_name(), "pin1");
        assert_eq!(p.config_path, defaults::DEFAULT_CONFIG_PATH);
        assert_eq!(p.restart_command, defaults::DEFAULT_RESTART_COMMAND);
        let s = resolve(&pair, Role::Secondary, &config);
        assert_eq!((s.alias.as_str(), s.host.as_str()), ("dhcp2", "dhcp2"));
        assert_eq!((s.port, s.user.as_str()), (2022, "admin2"));
        assert_eq!(s.config_path, "/srv/dhcpd.conf");
        assert_eq!(s.known_hosts, [PathBuf::from("/pair/kh")]);
        assert_eq!(s.validate_command, "/usr/sbin/dhcpd -t -4 -cf");
        assert_eq!(s.restart_timeout, Duration::from_secs(630));
        assert_eq!(
            s.global_known_hosts[0],
            PathBuf::from("/etc/ssh/ssh_known_hosts")
        );
        assert_eq!(s.known_hosts_name(), "[dhcp2]:2022");
        assert!(matches!(s.route, Route::Direct));
    }

    #[test]
    fn jump_hosts_chain_and_loops_stop() {
        let pair = load_str("t.yaml", YAML.into()).unwrap().pair;
        let config = SshConfig::parse(
            "Host dhcp1\n  ProxyJump j1,admin@j2:2222\nHost j1\n  HostName 198.51.100.1\n  ProxyJump outer\nHost j2\n  ProxyJump ignored-by-the-list\nHost dhcp2\n  ProxyJump dhcp2\n",
        );
        let p = resolve(&pair, Role::Primary, &config);
        assert!(p.config_errors.is_empty(), "{:?}", p.config_errors);
        let Route::Jump(j2) = &p.route else {
            panic!("{:?}", p.route)
        };
        assert_eq!(
            (j2.host.as_str(), j2.port, j2.user.as_str()),
            ("j2", 2222, "admin")
        );
        let Route::Jump(j1) = &j2.route else {
            panic!("{:?}", j2.route)
        };
        assert_eq!(j1.host, "198.51.100.1");
        let Route::Jump(outer) = &j1.route else {
            panic!("{:?}", j1.route)
        };
        assert_eq!(outer.alias, "outer");
        assert!(matches!(outer.route, Route::Direct));
        let s = resolve(&pair, Role::Secondary, &config);
        assert!(
            s.config_errors.iter().any(|e| e.contains("loop")),
            "{:?}",
            s.config_errors
        );
    }

    #[test]
    fn jump_specs_parse_like_ssh() {
        assert_eq!(parse_jump("h"), Some((None, "h".into(), None)));
        assert_eq!(
            parse_jump("ops@h:2222"),
            Some((Some("ops".into()), "h".into(), Some(2222)))
        );
        assert_eq!(
            parse_jump("ssh://ops@[2001:db8::1]:22"),
            Some((Some("ops".into()), "2001:db8::1".into(), Some(22)))
        );
        for bad in ["", "@h", "h:0", "h:x", "[::1", "a b", "h:70000"] {
            assert_eq!(parse_jump(bad), None, "{bad}");
        }
    }

    #[test]
    fn proxy_command_tokens_are_expanded() {
        let pair = load_str("t.yaml", YAML.into()).unwrap().pair;
        let config = SshConfig::parse(
            "Host dhcp1\n  HostName 192.0.2.1\n  ProxyCommand ssh -W %h:%p -l %r bastion\nHost dhcp2\n  ProxyCommand nc %q\n",
        );
        let p = resolve(&pair, Role::Primary, &config);
        match &p.route {
            Route::Command(c) => assert_eq!(c, "ssh -W 192.0.2.1:22 -l ops bastion"),
            other => panic!("{other:?}"),
        }
        let s = resolve(&pair, Role::Secondary, &config);
        assert!(s.config_errors[0].contains("%q"), "{:?}", s.config_errors);
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
