//! OpenSSH parity of `diff`, `deploy` and `status` against real OpenSSH daemons on loopback
//! (see `common/sshd.rs`): known_hosts markers and files, `StrictHostKeyChecking`,
//! `HostKeyAlias`, `HashKnownHosts`, jump hosts, `ProxyCommand`, key permissions.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::sshd::Lab;

const SUBNET: &str = "192.168.50.0/24";

fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        flat(&out.stderr)
    )
}

/// Standard error with miette's line wrapping and frame undone.
fn flat(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Starts the lab (or skips) with a model whose peers are `connections`, and installs the
/// rendered files on both peers as a deploy would have (their services running them, the
/// restart recorded), so that `diff` exits 0 once it can connect.
fn ready(test: &str, connections: Option<[String; 2]>) -> Option<(Lab, PathBuf)> {
    common::dhcpd_or_skip(test)?;
    let lab = Lab::start(test)?;
    let model = match connections {
        Some(c) => lab.write_model_with(SUBNET, "", &c),
        None => lab.write_model(SUBNET, ""),
    };
    lab.install_deployed(&lab.render(&model));
    Some((lab, model))
}

/// Whether `stderr` holds `needle`, white space aside (miette wraps long paths).
fn says(stderr: &[u8], needle: &str) -> bool {
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    squeeze(&flat(stderr)).contains(&squeeze(needle))
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `TYPE KEY` of one of a peer's host keys (`host_ed25519` or `host_ecdsa`).
fn public_key(lab: &Lab, i: usize, key: &str) -> String {
    let text = lab.peer(i).read(&format!("sshd/{key}.pub"));
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lab's aliases `dhcp-a` and `dhcp-b` for the two peers, with `extra` lines in each
/// block and `global` lines for every host.
fn alias_config(lab: &Lab, extra: [&str; 2], global: &str) -> String {
    format!(
        "Host dhcp-a\n  HostName 127.0.0.1\n  Port {}\n{}\nHost dhcp-b\n  HostName 127.0.0.1\n  Port {}\n{}\nHost *\n  User {}\n  IdentityFile {}\n{global}\n",
        lab.peer(0).port,
        extra[0],
        lab.peer(1).port,
        extra[1],
        lab.user,
        lab.user_key.display()
    )
}

fn aliases() -> Option<[String; 2]> {
    Some(["host: dhcp-a".to_string(), "host: dhcp-b".to_string()])
}

#[test]
fn a_revoked_host_key_is_refused_and_never_added() {
    let Some((lab, model)) = ready("a_revoked_host_key_is_refused_and_never_added", None) else {
        return;
    };
    // The secondary is not known, and its Ed25519 key (the one it offers first) is revoked.
    let known = format!(
        "{}\n@revoked * {}\n",
        lab.peer(0).known_hosts_line,
        public_key(&lab, 1, "host_ed25519")
    );
    std::fs::write(lab.known_hosts(), &known).unwrap();
    for flags in [
        &[][..],
        &["--accept-new-host-keys"][..],
        &["--strict-host-key-checking", "no"][..],
    ] {
        let mut args = vec!["diff", path(&model)];
        args.extend_from_slice(flags);
        let out = lab.dhcpfo(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", text(&out));
        let stderr = flat(&out.stderr);
        assert!(
            stderr.contains("secondary") && stderr.contains("is REVOKED"),
            "{flags:?}: {}",
            text(&out)
        );
        assert!(stderr.contains("DF520"), "{}", text(&out));
        assert!(
            says(&out.stderr, &format!("{}:2", lab.known_hosts().display())),
            "names the @revoked line: {}",
            text(&out)
        );
        assert_eq!(
            std::fs::read_to_string(lab.known_hosts()).unwrap(),
            known,
            "{flags:?}: nothing added"
        );
    }
}

#[test]
fn a_changed_key_pinned_in_user_known_hosts_file_is_refused() {
    let test = "a_changed_key_pinned_in_user_known_hosts_file_is_refused";
    let Some((lab, model)) = ready(test, None) else {
        return;
    };
    std::fs::remove_file(lab.known_hosts()).unwrap();
    // Two user files with tokens; the second pins the secondary's old (here: another) key.
    let pinned = lab.home.join(".ssh/pinned_127.0.0.1");
    std::fs::write(
        lab.ssh_config(),
        "Host *\n  UserKnownHostsFile ~/.ssh/first %d/.ssh/pinned_%h\n",
    )
    .unwrap();
    let old_key = public_key(&lab, 0, "host_ecdsa");
    let pins = format!(
        "{}\n[127.0.0.1]:{} {old_key}\n",
        lab.peer(0).known_hosts_line,
        lab.peer(1).port
    );
    std::fs::write(&pinned, &pins).unwrap();
    let out = lab
        .dhcpfo(&["diff", path(&model), "--accept-new-host-keys"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("secondary") && stderr.contains("HOST KEY CHANGED"),
        "{}",
        text(&out)
    );
    assert!(
        says(&out.stderr, &format!("{}:2", pinned.display())),
        "names the pinned entry: {}",
        text(&out)
    );
    assert!(!lab.home.join(".ssh/first").exists(), "nothing was added");
    assert_eq!(std::fs::read_to_string(&pinned).unwrap(), pins);
    // With the right key pinned there, the same files let it through.
    std::fs::write(
        &pinned,
        format!(
            "{}\n{}\n",
            lab.peer(0).known_hosts_line,
            lab.peer(1).known_hosts_line
        ),
    )
    .unwrap();
    let out = lab.dhcpfo(&["diff", path(&model)]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn strict_host_key_checking_no_needs_the_command_line() {
    let test = "strict_host_key_checking_no_needs_the_command_line";
    let Some((lab, model)) = ready(test, aliases()) else {
        return;
    };
    lab.write_known_hosts(&[0]);
    std::fs::write(
        lab.ssh_config(),
        alias_config(&lab, ["", "  StrictHostKeyChecking no"], ""),
    )
    .unwrap();
    let m = path(&model);
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("DF522") && stderr.contains("StrictHostKeyChecking no"),
        "{}",
        text(&out)
    );
    assert!(
        stderr.contains("--strict-host-key-checking no"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(lab.known_hosts())
            .unwrap()
            .lines()
            .count(),
        1,
        "nothing added"
    );
    // Said on the command line, `no` connects and adds the unknown key, as ssh does.
    let out = lab
        .dhcpfo(&["diff", m, "--strict-host-key-checking", "no"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let known = std::fs::read_to_string(lab.known_hosts()).unwrap();
    assert_eq!(known.lines().count(), 2, "{known}");
    // A changed key: connected with a warning under `no`, refused otherwise.
    std::fs::write(
        lab.known_hosts(),
        format!(
            "{}\n[127.0.0.1]:{} {}\n",
            lab.peer(0).known_hosts_line,
            lab.peer(1).port,
            public_key(&lab, 0, "host_ed25519")
        ),
    )
    .unwrap();
    let out = lab
        .dhcpfo(&["diff", m, "--strict-host-key-checking", "no"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("REMOTE HOST IDENTIFICATION HAS CHANGED"),
        "{}",
        text(&out)
    );
    let out = lab
        .dhcpfo(&["diff", m, "--strict-host-key-checking", "accept-new"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("HOST KEY CHANGED"),
        "{}",
        text(&out)
    );
    // `accept-new` in the configuration needs no flag.
    lab.write_known_hosts(&[0]);
    std::fs::write(
        lab.ssh_config(),
        alias_config(&lab, ["", "  StrictHostKeyChecking accept-new"], ""),
    )
    .unwrap();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("secondary: added [127.0.0.1]:"),
        "{}",
        text(&out)
    );
}

#[test]
fn host_key_alias_names_the_known_hosts_entry() {
    let test = "host_key_alias_names_the_known_hosts_entry";
    let Some((lab, model)) = ready(test, aliases()) else {
        return;
    };
    let ecdsa = public_key(&lab, 1, "host_ecdsa");
    std::fs::write(
        lab.known_hosts(),
        format!("{}\ndhcp-b-key {ecdsa}\n", lab.peer(0).known_hosts_line),
    )
    .unwrap();
    let with_alias = alias_config(&lab, ["", "  HostKeyAlias dhcp-b-key"], "");
    std::fs::write(lab.ssh_config(), &with_alias).unwrap();
    let m = path(&model);
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Without the alias the secondary is looked up as [127.0.0.1]:PORT: not known.
    std::fs::write(lab.ssh_config(), alias_config(&lab, ["", ""], "")).unwrap();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("host key not known"),
        "{}",
        text(&out)
    );
    // accept-new records a new key under the alias, without a port.
    lab.write_known_hosts(&[0]);
    std::fs::write(lab.ssh_config(), &with_alias).unwrap();
    let out = lab
        .dhcpfo(&["diff", m, "--accept-new-host-keys"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let known = std::fs::read_to_string(lab.known_hosts()).unwrap();
    assert!(
        known
            .lines()
            .any(|l| l.starts_with("dhcp-b-key ssh-ed25519 ")),
        "{known}"
    );
}

#[test]
fn accept_new_hashes_names_and_creates_the_file_0600_under_umask_000() {
    let test = "accept_new_hashes_names_and_creates_the_file_0600_under_umask_000";
    let Some((lab, model)) = ready(test, None) else {
        return;
    };
    std::fs::remove_file(lab.known_hosts()).unwrap();
    std::fs::write(lab.ssh_config(), "Host *\n  HashKnownHosts yes\n").unwrap();
    let mut cmd = lab.dhcpfo(&["diff", path(&model), "--accept-new-host-keys"]);
    // SAFETY: umask is async-signal-safe and touches no memory of the parent.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            libc::umask(0);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mode = std::fs::metadata(lab.known_hosts())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "known_hosts created under umask 000");
    let known = std::fs::read_to_string(lab.known_hosts()).unwrap();
    assert_eq!(known.lines().count(), 2, "{known}");
    assert!(
        known.lines().all(|l| l.starts_with("|1|")) && !known.contains("127.0.0.1"),
        "{known}"
    );
    // The hashed entries are what the next run checks against.
    let out = lab.dhcpfo(&["diff", path(&model)]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_certificate_authority_alone_is_refused_clearly() {
    let test = "a_certificate_authority_alone_is_refused_clearly";
    let Some((lab, model)) = ready(test, None) else {
        return;
    };
    let known = format!(
        "{}\n@cert-authority [127.0.0.1]:* {}\n",
        lab.peer(0).known_hosts_line,
        public_key(&lab, 0, "host_ed25519")
    );
    std::fs::write(lab.known_hosts(), &known).unwrap();
    let out = lab
        .dhcpfo(&["diff", path(&model), "--accept-new-host-keys"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("DF521") && stderr.contains("cannot verify SSH host certificates"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read_to_string(lab.known_hosts()).unwrap(), known);
}

/// Writes a config for the peers behind the jump host, which is known as `jump`.
fn jump_config(lab: &Lab, jump_port: u16) {
    let hop = "  ProxyJump jump";
    std::fs::write(
        lab.ssh_config(),
        alias_config(
            lab,
            [hop, hop],
            &format!("Host jump\n  HostName 127.0.0.1\n  Port {jump_port}\n"),
        ),
    )
    .unwrap();
}

#[test]
fn proxy_jump_checks_the_jump_host_key_and_the_peer_key() {
    let test = "proxy_jump_checks_the_jump_host_key_and_the_peer_key";
    let Some((lab, model)) = ready(test, aliases()) else {
        return;
    };
    let Some(mut jump) = lab.start_jump(test) else {
        return;
    };
    jump_config(&lab, jump.port);
    let m = path(&model);
    let peers = format!(
        "{}\n{}\n",
        lab.peer(0).known_hosts_line,
        lab.peer(1).known_hosts_line
    );
    std::fs::write(
        lab.known_hosts(),
        format!("{peers}{}\n", jump.known_hosts_line),
    )
    .unwrap();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // The jump host's key is checked: another key for it is refused.
    let forged_jump = format!(
        "[127.0.0.1]:{} {}",
        jump.port,
        public_key(&lab, 0, "host_ecdsa")
    );
    std::fs::write(lab.known_hosts(), format!("{peers}{forged_jump}\n")).unwrap();
    let out = lab
        .dhcpfo(&["diff", m, "--accept-new-host-keys"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("(jump host jump)") && stderr.contains("HOST KEY CHANGED"),
        "{}",
        text(&out)
    );
    // An unknown jump host is refused too (without accept-new).
    std::fs::write(lab.known_hosts(), &peers).unwrap();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("(jump host jump)")
            && flat(&out.stderr).contains("host key not known"),
        "{}",
        text(&out)
    );

    // The peer's key is checked through the tunnel as well.
    let forged_peer = format!(
        "[127.0.0.1]:{} {}",
        lab.peer(1).port,
        public_key(&lab, 0, "host_ecdsa")
    );
    std::fs::write(
        lab.known_hosts(),
        format!(
            "{}\n{forged_peer}\n{}\n",
            lab.peer(0).known_hosts_line,
            jump.known_hosts_line
        ),
    )
    .unwrap();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("secondary (") && stderr.contains("HOST KEY CHANGED"),
        "{}",
        text(&out)
    );
    assert!(!stderr.contains("secondary (jump host"), "{}", text(&out));

    // A whole deploy runs through the jump host.
    std::fs::write(
        lab.known_hosts(),
        format!("{peers}{}\n", jump.known_hosts_line),
    )
    .unwrap();
    std::fs::write(
        lab.peer(0).config(),
        lab.peer(0).read("etc/dhcp/dhcpd.conf") + "# drift\n",
    )
    .unwrap();
    let out = lab.dhcpfo(&["deploy", m, "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!lab.peer(0).read("etc/dhcp/dhcpd.conf").contains("# drift"));

    // Without the jump host there is no way through: the error names it.
    jump.stop();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("(jump host jump)"),
        "{}",
        text(&out)
    );
}

#[test]
fn proxy_command_carries_the_session() {
    let test = "proxy_command_carries_the_session";
    let Some((lab, model)) = ready(test, aliases()) else {
        return;
    };
    let Some(ssh) = common::tool_or_skip(test, "ssh") else {
        return;
    };
    let Some(jump) = lab.start_jump(test) else {
        return;
    };
    // ssh itself, as the proxy through the jump host, with its own known_hosts.
    let jump_known = lab.tmp.path().join("jump_known_hosts");
    std::fs::write(&jump_known, format!("{}\n", jump.known_hosts_line)).unwrap();
    let proxy = format!(
        "  ProxyCommand {} -F none -o BatchMode=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -i {} -p {} -l {} -W %h:%p 127.0.0.1",
        ssh.display(),
        jump_known.display(),
        lab.user_key.display(),
        jump.port,
        lab.user
    );
    std::fs::write(lab.ssh_config(), alias_config(&lab, [&proxy, &proxy], "")).unwrap();
    let m = path(&model);
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // A proxy command that cannot carry anything fails clearly, naming it.
    std::fs::write(
        lab.ssh_config(),
        alias_config(&lab, ["  ProxyCommand false", ""], ""),
    )
    .unwrap();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("DF525") && stderr.contains("ProxyCommand `false`"),
        "{}",
        text(&out)
    );
}

/// Runs `dhcpfo deploy --yes` and sends SIGINT to its whole process group (as a terminal's
/// Ctrl-C does, its proxy commands included) once a line of standard error contains `at`;
/// returns the exit status and standard error.
fn deploy_interrupted_at(lab: &Lab, model: &str, at: &str) -> (Option<i32>, String) {
    use std::io::BufRead;
    let mut child = lab
        .dhcpfo(&["deploy", model, "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut all = String::new();
    let mut sent = false;
    for line in std::io::BufReader::new(stderr).lines() {
        let line = line.unwrap();
        if !sent && line.contains(at) {
            // SAFETY: signals the process group of the dhcpfo this test started (a session
            // of its own, so its group id is its PID).
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGINT);
            }
            sent = true;
        }
        all.push_str(&line);
        all.push('\n');
    }
    let status = child.wait().unwrap();
    assert!(sent, "never saw {at:?}:\n{all}");
    (status.code(), all)
}

/// Ctrl-C reaches the whole foreground process group: through a `ProxyCommand` (and through
/// `ProxyJump`), the transport outlives it, so the deploy finishes the step under way, rolls
/// both peers back over the same connections and reports.
#[test]
fn ctrl_c_to_the_whole_group_rolls_back_through_a_proxy() {
    let test = "ctrl_c_to_the_whole_group_rolls_back_through_a_proxy";
    let Some((lab, model)) = ready(test, aliases()) else {
        return;
    };
    let Some(ssh) = common::tool_or_skip(test, "ssh") else {
        return;
    };
    let Some(jump) = lab.start_jump(test) else {
        return;
    };
    let old = lab.older();
    let jump_known = lab.tmp.path().join("jump_known_hosts");
    std::fs::write(&jump_known, format!("{}\n", jump.known_hosts_line)).unwrap();
    let proxy = format!(
        "  ProxyCommand {} -F none -o BatchMode=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -i {} -p {} -l {} -W %h:%p 127.0.0.1",
        ssh.display(),
        jump_known.display(),
        lab.user_key.display(),
        jump.port,
        lab.user
    );
    let command = alias_config(&lab, [&proxy, &proxy], "");
    for (route, config) in [("ProxyCommand", None), ("ProxyJump", Some(jump.port))] {
        match config {
            None => std::fs::write(lab.ssh_config(), &command).unwrap(),
            Some(port) => {
                jump_config(&lab, port);
                let known = std::fs::read_to_string(lab.known_hosts()).unwrap();
                std::fs::write(
                    lab.known_hosts(),
                    format!("{known}{}\n", jump.known_hosts_line),
                )
                .unwrap();
            }
        }
        lab.install(&old);
        // Sent while the primary's second file is being backed up, after its first switch.
        let (code, stderr) = deploy_interrupted_at(&lab, path(&model), "primary: renaming");
        let context = format!("{route}:\n{stderr}");
        assert_eq!(code, Some(130), "{context}");
        assert!(stderr.contains("stopped by SIGINT"), "{context}");
        assert!(
            !stderr.lines().any(|l| l.ends_with(" ... FAILED")),
            "no step failed: {context}"
        );
        assert!(!stderr.contains("reconnecting"), "{context}");
        for (i, (conf, _)) in old.iter().enumerate() {
            let p = lab.peer(i);
            assert_eq!(&p.read("etc/dhcp/dhcpd.conf"), conf, "{context}");
            assert_eq!(&p.read("running.conf"), conf, "{context}");
            assert!(!p.path("etc/dhcp/.dhcpfo.lock").exists(), "{context}");
        }
    }
}

#[test]
fn a_private_key_others_can_read_is_refused() {
    let test = "a_private_key_others_can_read_is_refused";
    let Some((lab, model)) = ready(test, None) else {
        return;
    };
    std::fs::set_permissions(&lab.user_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = lab.dhcpfo(&["diff", path(&model)]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("DF524")
            && says(
                &out.stderr,
                &format!(
                    "permissions 0644 for '{}' are too open",
                    lab.user_key.display()
                )
            ),
        "{}",
        text(&out)
    );
    assert!(
        says(
            &out.stderr,
            &format!("chmod 600 {}", lab.user_key.display())
        ),
        "{}",
        text(&out)
    );
    std::fs::set_permissions(&lab.user_key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = lab.dhcpfo(&["diff", path(&model)]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn unusable_ssh_config_values_are_named_with_their_line() {
    let test = "unusable_ssh_config_values_are_named_with_their_line";
    let Some((lab, model)) = ready(test, aliases()) else {
        return;
    };
    std::fs::write(
        lab.ssh_config(),
        alias_config(&lab, ["", "  UserKnownHostsFile ~/.ssh/kh_%z"], ""),
    )
    .unwrap();
    let out = lab.dhcpfo(&["diff", path(&model)]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("DF523") && stderr.contains("unknown token `%z`"),
        "{}",
        text(&out)
    );
    // `--ssh-config` reads only the named file, as `ssh -F`: a missing one is an error.
    let out = lab
        .dhcpfo(&["diff", path(&model), "--ssh-config", "/nonexistent/config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        says(&out.stderr, "--ssh-config: cannot read /nonexistent/config"),
        "{}",
        text(&out)
    );
}

/// Applies a unified diff (as printed) to `old`.
fn apply(old: &str, diff: &str) -> String {
    let old: Vec<&str> = old.split_inclusive('\n').collect();
    let (mut out, mut at) = (String::new(), 0);
    for line in diff.split_inclusive('\n').skip(2) {
        if let Some(hunk) = line.strip_prefix("@@ -") {
            let start: usize = hunk.split([',', ' ']).next().unwrap().parse().unwrap();
            while at + 1 < start {
                out.push_str(old[at]);
                at += 1;
            }
        } else if let Some(kept) = line.strip_prefix(' ') {
            out.push_str(kept);
            at += 1;
        } else if line.starts_with('-') {
            at += 1;
        } else if let Some(added) = line.strip_prefix('+') {
            out.push_str(added);
        }
    }
    old[at..].iter().for_each(|l| out.push_str(l));
    out
}

#[test]
fn a_250k_line_live_file_gets_a_correct_diff() {
    let Some((lab, model)) = ready("a_250k_line_live_file_gets_a_correct_diff", None) else {
        return;
    };
    // Someone added 62,500 host stanzas (250,000 lines, their `}` lines like the rendered
    // file's) in the middle of the primary's file and changed its lease time.
    let rendered = lab.peer(0).read("etc/dhcp/dhcpd.conf");
    let lines: Vec<&str> = rendered.split_inclusive('\n').collect();
    let cut = lines.len() / 2;
    let mut live: String = lines[..cut].concat();
    for i in 0..62_500u32 {
        let [_, a, b, c] = i.to_be_bytes();
        live.push_str(&format!(
            "host h{i} {{\n  hardware ethernet 52:54:00:{a:02x}:{b:02x}:{c:02x};\n  fixed-address 10.{a}.{b}.{c};\n}}\n"
        ));
    }
    live.push_str(&lines[cut..].concat());
    let live = live.replace("default-lease-time 3600;", "default-lease-time 600;");
    assert_eq!(live.lines().count(), lines.len() + 250_000);
    std::fs::write(lab.peer(0).config(), &live).unwrap();
    let out = lab
        .dhcpfo(&["diff", path(&model), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["peer"] == "primary" && f["name"] == "dhcpd.conf")
        .unwrap();
    assert_eq!(file["status"], "changed");
    // The diff is correct whatever time the search had: applied to the live file it gives
    // the rendered one, and it accounts for every line added by hand. (How short it is can
    // depend on the machine's speed: the search stops at its deadline, and says so.)
    let (removed, added) = (
        file["removed"].as_u64().unwrap(),
        file["added"].as_u64().unwrap(),
    );
    assert!(removed >= 250_001 && added >= 1, "{removed} {added}");
    assert_eq!(removed - added, 250_000);
    assert!(file["approximate"].is_boolean());
    assert_eq!(apply(&live, file["diff"].as_str().unwrap()), rendered);
    // Human output: the counts on the status line.
    let out = lab.dhcpfo(&["diff", path(&model)]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        flat(&out.stderr).contains(&format!("dhcpd.conf differs (-{removed} +{added} lines")),
        "{}",
        flat(&out.stderr)
    );
}

#[test]
fn status_reads_a_long_lease_file_as_a_stream() {
    let Some((lab, model)) = ready("status_reads_a_long_lease_file_as_a_stream", None) else {
        return;
    };
    // A journal of 200,000 records over the pool's 50 addresses (the last one of each
    // address wins), a failover stanza early on and its latest one at the end.
    let mut leases = String::from(
        "authoring-byte-order little-endian;\nfailover peer \"lab-fo\" state {\n  my state recover at 3 2026/11/18 10:00:00;\n  partner state unknown-state at 3 2026/11/18 10:00:00;\n  mclt 1800;\n}\n",
    );
    let states = ["free", "backup", "active", "expired", "abandoned"];
    for i in 0..200_000usize {
        leases.push_str(&format!(
            "lease 192.168.50.{} {{\n  starts 3 2026/11/18 10:00:00;\n  binding state {};\n  client-hostname \"h;{{{i}}}\";\n}}\n",
            150 + i % 50,
            states[(i / 50) % 5]
        ));
    }
    leases.push_str("failover peer \"lab-fo\" state {\n  my state normal at 3 2026/11/18 10:05:00;\n  partner state normal at 3 2026/11/18 10:05:00;\n}\n");
    std::fs::write(lab.peer(0).path("var/lib/dhcp/dhcpd.leases"), &leases).unwrap();
    std::fs::write(lab.peer(1).path("running"), "").unwrap();
    let out = lab
        .dhcpfo(&["status", path(&model), "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", text(&out));
    });
    let primary = &report["peers"][0];
    assert_eq!(primary["errors"], serde_json::json!([]), "{report}");
    // The last 50 records (i = 199,950..199,999) hold state (199,950 / 50) % 5 = 4.
    assert_eq!(
        primary["pools"][0]["counts"],
        serde_json::json!({"free": 0, "backup": 0, "active": 0, "expired": 0, "abandoned": 50, "other": 0}),
        "{report}"
    );
    let fo = &primary["failover"][0];
    assert_eq!(
        (&fo["my_state"], &fo["partner_state"]),
        (&serde_json::json!("normal"), &serde_json::json!("normal"))
    );
    assert_eq!(fo["mclt"], 1800, "the MCLT of an earlier stanza is kept");
    // A broken record is reported with its line in the whole file.
    leases.push_str("lease 192.168.50.150 {\n  binding state sideways;\n}\n");
    std::fs::write(lab.peer(0).path("var/lib/dhcp/dhcpd.leases"), &leases).unwrap();
    let out = lab
        .dhcpfo(&["status", path(&model), "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let line = leases.lines().count() - 1;
    let errors = report["peers"][0]["errors"].to_string();
    assert!(
        errors.contains(&format!("line {line},")) && errors.contains("sideways"),
        "{errors}"
    );
}

#[test]
fn global_known_hosts_files_vouch_but_are_never_written() {
    let test = "global_known_hosts_files_vouch_but_are_never_written";
    let Some((lab, model)) = ready(test, None) else {
        return;
    };
    // The secondary is known only from the global file.
    let global = lab.tmp.path().join("ssh_known_hosts");
    std::fs::write(&global, format!("{}\n", lab.peer(1).known_hosts_line)).unwrap();
    std::fs::write(
        lab.ssh_config(),
        format!("Host *\n  GlobalKnownHostsFile {}\n", global.display()),
    )
    .unwrap();
    lab.write_known_hosts(&[0]);
    let m = path(&model);
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Another key there is a changed key, named in the global file; accept-new writes
    // nothing anywhere.
    let forged = format!(
        "[127.0.0.1]:{} {}\n",
        lab.peer(1).port,
        public_key(&lab, 0, "host_ecdsa")
    );
    std::fs::write(&global, &forged).unwrap();
    let out = lab
        .dhcpfo(&["diff", m, "--accept-new-host-keys"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("HOST KEY CHANGED")
            && says(&out.stderr, &format!("{}:1", global.display())),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read_to_string(&global).unwrap(), forged);
    assert_eq!(
        std::fs::read_to_string(lab.known_hosts())
            .unwrap()
            .lines()
            .count(),
        1
    );
    // An unreadable known_hosts file stops the connection: it is never taken as "no entry".
    std::fs::remove_file(&global).unwrap();
    std::fs::create_dir(&global).unwrap();
    let out = lab
        .dhcpfo(&["diff", m, "--accept-new-host-keys"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("cannot read this known_hosts file"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(lab.known_hosts())
            .unwrap()
            .lines()
            .count(),
        1,
        "nothing added"
    );
}
