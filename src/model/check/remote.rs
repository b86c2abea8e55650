//! Rules on the SSH and deploy settings (DF165..DF169, DF176, DF177).

use super::{DF165, DF166, DF167, DF168, DF169, DF176, DF177};
use crate::diag::Finding;
use crate::model::remote::{MAX_TIMEOUT, Ssh};
use crate::model::{Pair, Role, Spanned};

pub(super) fn check(pair: &Pair, out: &mut Vec<Finding>) {
    let peers = pair.peers.value();
    for role in Role::BOTH {
        let Some(ssh) = &peers.get(role).ssh else {
            continue;
        };
        let ssh = ssh.value();
        for (key, path) in [
            ("config-path", &ssh.config_path),
            ("defaults-path", &ssh.defaults_path),
            ("leases-path", &ssh.leases_path),
        ] {
            if let Some(path) = path {
                check_remote_path(role, key, path, out);
            }
        }
        if let Some(port) = &ssh.port
            && !(1..=65535).contains(&**port)
        {
            out.push(
                DF166
                    .at(
                        port.span(),
                        format!("SSH port {} is outside 1..65535", **port),
                    )
                    .label("invalid port")
                    .help("use 22, or the port the peer's sshd listens on"),
            );
        }
        for (key, value) in [
            ("host", &ssh.host),
            ("user", &ssh.user),
            ("identity-file", &ssh.identity_file),
            ("known-hosts", &ssh.known_hosts),
            ("dhcpd", &ssh.dhcpd),
            ("validate-command", &ssh.validate_command),
            ("restart-command", &ssh.restart_command),
            ("status-command", &ssh.status_command),
        ] {
            if let Some(value) = value
                && value.trim().is_empty()
            {
                out.push(
                    DF169
                        .at(value.span(), format!("`{key}` is empty"))
                        .label("empty")
                        .help(format!(
                            "remove `{key}` to use its default, or give a value"
                        )),
                );
            }
        }
        if let Some(dhcpd) = &ssh.dhcpd
            && !dhcpd.trim().is_empty()
            && !looks_like_a_path(dhcpd)
        {
            out.push(
                DF176.at(
                    dhcpd.span(),
                    format!("the {}'s `dhcpd` is not a path to a program", role.as_str()),
                )
                .label("a command, not a path")
                .help("`dhcpd` is the absolute path of the binary (quoted as one word); put a wrapper or arguments in `validate-command`, e.g. `validate-command: sudo -n /usr/sbin/dhcpd -t -4 -cf`"),
            );
        }
        for (key, value) in [
            ("command-timeout", &ssh.command_timeout),
            ("restart-timeout", &ssh.restart_timeout),
        ] {
            if let Some(value) = value
                && !(1..=MAX_TIMEOUT).contains(&value.secs())
            {
                out.push(
                    DF177.at(
                        value.span(),
                        format!("`{key}` is {} s", value.secs()),
                    )
                    .label("outside 1s..1h")
                    .help("give the remote command time to finish (the defaults are 60s, and 630s for the restart), at most 1h"),
                );
            }
        }
    }
    same_target(pair, out);
    if let Some(deploy) = &pair.deploy
        && let Some(keep) = &deploy.keep_backups
        && (**keep == 0 || **keep > 1000)
    {
        out.push(
            DF168
                .at(keep.span(), format!("keep-backups is {}", **keep))
                .label("outside 1..1000")
                .help(
                    "deploy restores a backup when anything fails, so keep at least 1 (default 5)",
                ),
        );
    }
}

/// An absolute path without control characters, shell syntax or an argument (` -x`).
fn looks_like_a_path(path: &str) -> bool {
    path.starts_with('/')
        && !path
            .chars()
            .any(|c| c.is_control() || ";|&$`<>(){}'\"\\*?[]#~".contains(c))
        && !path.contains(" -")
}

fn check_remote_path(role: Role, key: &str, path: &Spanned<String>, out: &mut Vec<Finding>) {
    let bad = !path.starts_with('/')
        || path.ends_with('/')
        || path.chars().any(|c| c.is_control())
        || path.split('/').any(|part| part == "..");
    if bad {
        out.push(
            DF165
                .at(
                    path.span(),
                    format!(
                        "the {}'s `{key}` is not an absolute file path",
                        role.as_str()
                    ),
                )
                .label("not an absolute path")
                .help("write the full path of the file on the server, e.g. /etc/dhcp/dhcpd.conf"),
        );
    }
}

/// DF167: both peers resolve to the same host, port and config path (from the model alone;
/// `~/.ssh/config` is not read here). Only for models that say how to reach a peer: without
/// `ssh:` the model may be meant for rendering alone, and equal addresses are DF120's.
fn same_target(pair: &Pair, out: &mut Vec<Finding>) {
    let peers = pair.peers.value();
    if Role::BOTH.iter().all(|r| peers.get(*r).ssh.is_none()) {
        return;
    }
    let key = |role: Role| {
        let peer = peers.get(role);
        let ssh = peer
            .ssh
            .as_ref()
            .map(|s| s.value().clone())
            .unwrap_or_default();
        let host = ssh
            .host
            .as_deref()
            .cloned()
            .or_else(|| peer.hostname.as_deref().cloned())
            .unwrap_or_else(|| peer.address.to_string());
        let port = ssh.port.as_deref().copied().unwrap_or(22);
        let config = config_path(&ssh);
        (host, port, config)
    };
    if key(Role::Primary) == key(Role::Secondary) {
        let span = |role: Role| {
            let peer = peers.get(role);
            peer.ssh
                .as_ref()
                .and_then(|s| s.host.as_ref().map(|h| h.span()))
                .unwrap_or_else(|| peer.address.span())
        };
        out.push(
            DF167
                .at(
                    span(Role::Secondary),
                    "both peers would be deployed to the same host and file",
                )
                .label("secondary")
                .related(span(Role::Primary), "primary")
                .help("give each peer its own `ssh.host` (or `ssh.port` / `ssh.config-path`)"),
        );
    }
}

fn config_path(ssh: &Ssh) -> String {
    ssh.config_path
        .as_deref()
        .cloned()
        .unwrap_or_else(|| crate::model::remote::DEFAULT_CONFIG_PATH.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{BASE, codes};

    fn with_ssh(primary: &str, secondary: &str) -> String {
        BASE.replace(
            "primary: { address: 10.0.0.2, interfaces: [eth0] }",
            &format!("primary: {{ address: 10.0.0.2, interfaces: [eth0], ssh: {primary} }}"),
        )
        .replace(
            "secondary: { address: 10.0.0.3, interfaces: [eth0] }",
            &format!("secondary: {{ address: 10.0.0.3, interfaces: [eth0], ssh: {secondary} }}"),
        )
    }

    #[test]
    fn full_ssh_settings_are_clean() {
        let yaml = with_ssh(
            "{ host: dhcp1, port: 2222, user: admin, identity-file: ~/.ssh/id_ed25519, config-path: /etc/dhcp/dhcpd.conf, restart-command: 'systemctl restart isc-dhcp-server' }",
            "{ host: dhcp2 }",
        );
        assert_eq!(codes(&yaml), Vec::<&str>::new());
        assert_eq!(
            codes(&format!(
                "{yaml}deploy: {{ restart-order: primary-first, keep-backups: 3 }}\n"
            )),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn relative_paths_empty_commands_and_ports_are_refused() {
        let yaml = with_ssh(
            "{ config-path: dhcpd.conf, leases-path: /var/lib/../x, port: 70000 }",
            "{ restart-command: '  ' }",
        );
        assert_eq!(codes(&yaml), ["DF165", "DF165", "DF166", "DF169"]);
    }

    #[test]
    fn a_command_in_dhcpd_and_bad_timeouts_are_refused() {
        let yaml = with_ssh(
            "{ dhcpd: '/usr/sbin/dhcpd; true', command-timeout: 0 }",
            "{ dhcpd: '/opt/isc dhcp/dhcpd', validate-command: 'sudo -n /usr/sbin/dhcpd -t -4 -cf', restart-timeout: 2h }",
        );
        assert_eq!(codes(&yaml), ["DF176", "DF177", "DF177"]);
        for command in [
            "sudo /usr/sbin/dhcpd",
            "/usr/sbin/dhcpd -q",
            "dhcpd",
            "$(id)",
        ] {
            let yaml = with_ssh(
                &format!("{{ dhcpd: '{command}' }}"),
                "{ restart-timeout: 5m }",
            );
            assert_eq!(codes(&yaml), ["DF176"], "{command}");
        }
    }

    #[test]
    fn same_target_and_zero_backups_are_refused() {
        let yaml = with_ssh("{ host: dhcp }", "{ host: dhcp }");
        assert_eq!(codes(&yaml), ["DF167"]);
        let yaml = with_ssh("{ host: a, port: 2200 }", "{ host: a, port: 2201 }");
        assert_eq!(
            codes(&format!("{yaml}deploy: {{ keep-backups: 0 }}\n")),
            ["DF168"]
        );
        assert_eq!(
            codes(&format!("{yaml}deploy: {{ restart-order: sideways }}\n")),
            ["DF101"]
        );
    }
}
