//! `dhcpfo diff` and `dhcpfo deploy` against two real OpenSSH daemons (see
//! `common/sshd.rs`), with the real ISC dhcpd validating on the "peers".

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]
#![allow(clippy::needless_range_loop)] // peers are indexed 0 (primary) and 1 (secondary)

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Output;

use common::sshd::Lab;

const SUBNET: &str = "192.168.50.0/24";

fn text(out: &Output) -> String {
    common::sshd::text(out)
}

fn flat(stderr: &[u8]) -> String {
    common::sshd::flat(stderr)
}

/// Starts the lab (or skips), writes the model and installs `old` (`None`: the rendered files)
/// as both peers' live files.
fn setup(test: &str, extra: &str) -> Option<(Lab, std::path::PathBuf)> {
    common::dhcpd_or_skip(test)?;
    let lab = Lab::start(test)?;
    let model = lab.write_model(SUBNET, extra);
    Some((lab, model))
}

fn rendered(lab: &Lab, model: &std::path::Path) -> [(String, String); 2] {
    lab.render(model)
}

fn install(lab: &Lab, files: &[(String, String); 2]) {
    lab.install(files);
}

fn older(lab: &Lab) -> [(String, String); 2] {
    lab.older()
}

fn dhcpd_accepts(lab: &Lab, i: usize) -> bool {
    let dhcpd = common::find_dhcpd().unwrap();
    common::dhcpd_test(&dhcpd, &lab.peer(i).config()).is_ok()
}

#[test]
fn diff_reports_no_drift_then_drift() {
    let Some((lab, model)) = setup("diff_reports_no_drift_then_drift", "") else {
        return;
    };
    let files = rendered(&lab, &model);
    lab.install_deployed(&files);
    let m = model.to_str().unwrap();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out));
    assert!(flat(&out.stderr).contains("secondary:"), "{}", text(&out));

    // Someone edits the secondary by hand.
    let edited = files[1]
        .0
        .replace("default-lease-time 3600;", "default-lease-time 600;");
    assert_ne!(edited, files[1].0, "the rendered file has the lease time");
    std::fs::write(lab.peer(1).config(), &edited).unwrap();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("-default-lease-time 600;"),
        "{}",
        text(&out)
    );
    assert!(
        stdout.contains("+default-lease-time 3600;"),
        "{}",
        text(&out)
    );
    assert!(stdout.contains("secondary:"), "{}", text(&out));
    assert!(
        !stdout.contains("primary:"),
        "only the secondary drifted: {}",
        text(&out)
    );

    let out = lab
        .dhcpfo(&["diff", m, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["differs"], true);
    let changed: Vec<_> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "changed")
        .map(|f| (f["peer"].as_str().unwrap(), f["name"].as_str().unwrap()))
        .collect();
    assert_eq!(changed, [("secondary", "dhcpd.conf")]);

    // An unreachable peer is an error (exit 2), as for diff(1).
    let mut lab = lab;
    lab.peers[0].stop();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(flat(&out.stderr).contains("primary"), "{}", text(&out));
}

#[test]
fn deploy_replaces_both_peers_and_restarts_secondary_first() {
    let Some((lab, model)) = setup(
        "deploy_replaces_both_peers_and_restarts_secondary_first",
        "deploy: { keep-backups: 2 }\n",
    ) else {
        return;
    };
    let old = older(&lab);
    install(&lab, &old);
    // Live files with their own mode and owner, which the new files must keep.
    for i in 0..2 {
        let conf = lab.peer(i).config();
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::os::unix::fs::chown(&conf, Some(4321), Some(4322)).unwrap();
    }
    let m = model.to_str().unwrap();
    // Without a terminal and without --yes, deploy refuses.
    let out = lab.dhcpfo(&["deploy", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(flat(&out.stderr).contains("--yes"));
    assert_eq!(lab.peer(0).restarts() + lab.peer(1).restarts(), 0);

    let out = lab.dhcpfo(&["deploy", m, "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let new = rendered(&lab, &model);
    for i in 0..2 {
        let p = lab.peer(i);
        assert_eq!(p.read("etc/dhcp/dhcpd.conf"), new[i].0, "{} config", p.role);
        assert_eq!(
            p.read("running.conf"),
            new[i].0,
            "{} runs the new config",
            p.role
        );
        assert_eq!(p.restarts(), 1, "{}", p.role);
        let meta = std::fs::metadata(p.config()).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o640, "{} mode kept", p.role);
        assert_eq!(
            (meta.uid(), meta.gid()),
            (4321, 4322),
            "{} owner kept",
            p.role
        );
        // A backup of the old file, and no candidate or lock left behind.
        let names: Vec<String> = std::fs::read_dir(p.path("etc/dhcp"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let backups: Vec<&String> = names
            .iter()
            .filter(|n| n.contains(".dhcpfo-backup-"))
            .collect();
        assert_eq!(backups.len(), 1, "{names:?}");
        assert_eq!(p.read(&format!("etc/dhcp/{}", backups[0])), old[i].0);
        assert!(
            !names
                .iter()
                .any(|n| n.contains("dhcpfo-new") || n == ".dhcpfo.lock"),
            "{names:?}"
        );
    }
    assert_eq!(lab.restart_order(), ["secondary", "primary"]);
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("secondary: validating with `/usr/sbin/dhcpd -t"),
        "{}",
        text(&out)
    );

    // Nothing differs now: deploy touches nothing and exits 0.
    let out = lab.dhcpfo(&["deploy", m, "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("nothing to deploy"),
        "{}",
        text(&out)
    );
    assert!(
        !flat(&out.stderr).contains("locking"),
        "an up-to-date pair is not written to, not even a lock: {}",
        text(&out)
    );
    assert_eq!(lab.peer(0).restarts() + lab.peer(1).restarts(), 2);
}

#[test]
fn dry_run_validates_and_changes_nothing() {
    let Some((lab, model)) = setup("dry_run_validates_and_changes_nothing", "") else {
        return;
    };
    let old = older(&lab);
    install(&lab, &old);
    let out = lab
        .dhcpfo(&["deploy", model.to_str().unwrap(), "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("primary: validating with"),
        "{}",
        text(&out)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("+default-lease-time 3600;"));
    for i in 0..2 {
        let p = lab.peer(i);
        assert_eq!(p.read("etc/dhcp/dhcpd.conf"), old[i].0);
        assert_eq!(p.restarts(), 0);
        assert_eq!(
            std::fs::read_dir(p.path("etc/dhcp")).unwrap().count(),
            1,
            "only dhcpd.conf"
        );
    }
}

#[test]
fn dhcpd_refusing_one_peer_changes_neither() {
    let Some((lab, model)) = setup("dhcpd_refusing_one_peer_changes_neither", "") else {
        return;
    };
    let old = older(&lab);
    install(&lab, &old);
    // A template override that also writes the primary-only statements on the secondary:
    // the real dhcpd refuses the secondary's file ("split" on a secondary) and accepts the
    // primary's.
    let templates = lab.tmp.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("failover-peer.j2"),
        "failover peer {{ failover.name }} {\n{% for s in failover.statements %}  {{ s.keyword }}{% if s.value != \"\" %} {{ s.value }}{% endif %};\n{% endfor %}{% if failover.role == \"secondary\" %}  split 128;\n{% endif %}}\n",
    )
    .unwrap();
    let out = lab
        .dhcpfo(&[
            "deploy",
            model.to_str().unwrap(),
            "--yes",
            "--templates",
            templates.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("dhcpd -t refused a new file; nothing was changed"),
        "{}",
        text(&out)
    );
    assert!(
        stderr.contains("secondary: validating with") && stderr.contains("FAILED"),
        "{}",
        text(&out)
    );
    assert!(
        stderr.contains("primary: validating with") && stderr.contains("... ok"),
        "{}",
        text(&out)
    );
    for i in 0..2 {
        let p = lab.peer(i);
        assert_eq!(
            p.read("etc/dhcp/dhcpd.conf"),
            old[i].0,
            "{} unchanged",
            p.role
        );
        assert_eq!(p.restarts(), 0, "{}", p.role);
        assert_eq!(
            std::fs::read_dir(p.path("etc/dhcp")).unwrap().count(),
            1,
            "no candidate, backup or lock left"
        );
    }
}

#[test]
fn connection_cut_mid_deploy_leaves_both_peers_valid() {
    let Some((lab, model)) = setup("connection_cut_mid_deploy_leaves_both_peers_valid", "") else {
        return;
    };
    let old = older(&lab);
    install(&lab, &old);
    // When the deploy restarts the secondary (after both peers' files were swapped), the
    // secondary's sshd dies: its session and its listener, as if the link went down.
    let secondary = lab.peer(1);
    std::fs::write(
        secondary.path("hook-restart"),
        format!(
            "#!/bin/sh\nchain=\"\"\npid=$$\nwhile [ -n \"$pid\" ] && [ \"$pid\" -gt 1 ]; do\n  pid=$(cut -d' ' -f4 /proc/$pid/stat 2>/dev/null)\n  [ -n \"$pid\" ] && [ \"$(cat /proc/$pid/comm 2>/dev/null)\" = sshd ] && chain=\"$chain $pid\"\ndone\nkill -9 {} $chain\nsleep 5\n",
            secondary.pid().unwrap()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        secondary.path("hook-restart"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let out = lab
        .dhcpfo(&["deploy", model.to_str().unwrap(), "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("deploy FAILED")
            && !stderr.contains("both peers were rolled back")
            && stderr.contains("the peers were not both verified to be rolled back"),
        "{}",
        text(&out)
    );
    // The primary was restored from its backup; it was never restarted with the new file, so
    // it is not restarted again. The secondary could not be reached again: reported as such,
    // with what dhcpfo last knew, and the journal left for the next deploy.
    assert_eq!(lab.peer(0).read("etc/dhcp/dhcpd.conf"), old[0].0);
    assert_eq!(lab.peer(0).restarts(), 0, "{}", text(&out));
    assert!(
        stderr.contains("primary (127.0.0.1:")
            && stderr
                .contains("restored to its previous files (verified by SHA-256); not restarted"),
        "{}",
        text(&out)
    );
    assert!(
        stderr.contains("secondary (127.0.0.1:")
            && stderr.contains("UNREACHABLE, not verified: when last reached it had switched dhcpd.conf, isc-dhcp-server to the new version, and a restart was under way"),
        "{}",
        text(&out)
    );
    assert!(stderr.contains("the pair is NOT settled"), "{}", text(&out));
    let new = rendered(&lab, &model);
    let held = lab.peer(1).read("etc/dhcp/dhcpd.conf");
    assert!(
        held == new[1].0 || held == old[1].0,
        "the secondary holds a whole file"
    );
    assert!(
        dhcpd_accepts(&lab, 0) && dhcpd_accepts(&lab, 1),
        "both peers hold a valid config"
    );

    // The link comes back. The restart the cut interrupted went on on the peer (the hook
    // sleeps, then the fake service starts with the new file), so the secondary runs the new
    // file while the primary runs the old one: `diff` says so from the journal, and the next
    // deploy rolls that deploy back first, then deploys.
    std::fs::remove_file(lab.peer(1).path("hook-restart")).unwrap();
    let mut lab = lab;
    lab.peers[1].start_again();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while lab.peer(1).read("running.conf") != new[1].0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the secondary's interrupted restart never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The command on the peer records the restart's end (and fsyncs it) just after.
    let journal = lab.peer(1).path("etc/dhcp/.dhcpfo.lock/journal");
    while !std::fs::read_to_string(&journal)
        .unwrap_or_default()
        .contains("\"event\":\"restart-end\"")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the end of the secondary's restart was never recorded"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let m = model.to_str().unwrap();
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("secondary: an unfinished deploy (lock id")
            && stderr.contains("(interrupted: process")
            && stderr.contains("secondary: /")
            && stderr.contains("holds the NEW file (switched by that deploy)")
            && stderr.contains("this peer's restart succeeded"),
        "{}",
        text(&out)
    );
    let out = lab.dhcpfo(&["deploy", m, "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("first: the unfinished deploy with lock id")
            && stderr.contains("was rolled back first"),
        "{}",
        text(&out)
    );
    for i in 0..2 {
        let p = lab.peer(i);
        assert_eq!(p.read("etc/dhcp/dhcpd.conf"), new[i].0, "{}", p.role);
        assert_eq!(p.read("running.conf"), new[i].0, "{} runs it", p.role);
        assert!(!p.path("etc/dhcp/.dhcpfo.lock").exists(), "{}", p.role);
    }
}

#[test]
fn failed_restart_restores_both_peers() {
    let Some((lab, model)) = setup(
        "failed_restart_restores_both_peers",
        "deploy: { restart-order: primary-first }\n",
    ) else {
        return;
    };
    let old = older(&lab);
    install(&lab, &old);
    std::fs::write(lab.peer(1).path("fail-restart"), "").unwrap();
    let out = lab
        .dhcpfo(&["deploy", model.to_str().unwrap(), "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    for i in 0..2 {
        let p = lab.peer(i);
        assert_eq!(
            p.read("etc/dhcp/dhcpd.conf"),
            old[i].0,
            "{} restored",
            p.role
        );
    }
    // primary restarted with the new file, then the secondary failed: both restored and
    // restarted again.
    assert_eq!(
        lab.restart_order(),
        ["primary", "secondary", "primary", "secondary"]
    );
    assert_eq!(
        lab.peer(0).read("running.conf"),
        old[0].0,
        "the primary runs its old file again"
    );
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("Job for isc-dhcp-server.service failed"),
        "{}",
        text(&out)
    );
}

#[test]
fn unknown_host_key_is_refused_and_accept_new_adds_it() {
    let Some((lab, model)) = setup("unknown_host_key_is_refused_and_accept_new_adds_it", "") else {
        return;
    };
    let files = rendered(&lab, &model);
    lab.install_deployed(&files);
    let m = model.to_str().unwrap();
    lab.write_known_hosts(&[0]);
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("secondary") && stderr.contains("host key not known"),
        "{}",
        text(&out)
    );
    assert!(stderr.contains("SHA256:"), "{}", text(&out));
    // `status` says it as `diff` and `deploy` do: the code and how to add the key.
    let out = lab.dhcpfo(&["status", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("DF502")
            && stderr.contains("host key not known")
            && stderr.contains("ssh-keyscan -p PORT HOST >>"),
        "{}",
        text(&out)
    );

    let out = lab
        .dhcpfo(&["diff", m, "--accept-new-host-keys"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The key libssh2 negotiated (Ed25519, its first choice) was added for the secondary.
    let known = std::fs::read_to_string(lab.known_hosts()).unwrap();
    let ed25519 = lab.peer(1).read("sshd/host_ed25519.pub");
    let ed25519: Vec<&str> = ed25519.split_whitespace().take(2).collect();
    let added = format!("[127.0.0.1]:{} {}", lab.peer(1).port, ed25519.join(" "));
    assert!(
        known.lines().any(|l| l == added),
        "{known}\nexpected {added}"
    );
    assert_eq!(known.lines().count(), 2, "{known}");
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("secondary: added [127.0.0.1]:"),
        "{}",
        text(&out)
    );
    // Now known: no flag needed.
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // A changed key is refused even with accept-new.
    let other = lab
        .peer(0)
        .known_hosts_line
        .split_whitespace()
        .nth(2)
        .unwrap()
        .to_string();
    let forged = lab
        .peer(1)
        .known_hosts_line
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    std::fs::write(
        lab.known_hosts(),
        format!("{}\n{forged} {other}\n", lab.peer(0).known_hosts_line),
    )
    .unwrap();
    let out = lab
        .dhcpfo(&["diff", m, "--accept-new-host-keys"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("HOST KEY CHANGED"),
        "{}",
        text(&out)
    );
}

#[test]
fn second_deploy_is_blocked_by_the_lock() {
    let Some((lab, model)) = setup("second_deploy_is_blocked_by_the_lock", "") else {
        return;
    };
    let old = older(&lab);
    install(&lab, &old);
    // The secondary's restart waits (bounded) for the test's go-ahead, so the first deploy
    // holds the lock while the second one starts.
    let secondary = lab.peer(1);
    let started = secondary.path("restart-started");
    let go = secondary.path("go");
    std::fs::write(
        secondary.path("hook-restart"),
        format!(
            "#!/bin/sh\ntouch {}\ni=0\nwhile [ ! -e {} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n",
            started.display(),
            go.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        secondary.path("hook-restart"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let m = model.to_str().unwrap();
    let first = lab
        .dhcpfo(&["deploy", m, "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !started.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first deploy never restarted the secondary"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let second = lab.dhcpfo(&["deploy", m, "--yes"]).output().unwrap();
    std::fs::write(&go, "").unwrap();
    let first = first.wait_with_output().unwrap();
    assert_eq!(second.status.code(), Some(2), "{}", text(&second));
    let stderr = flat(&second.stderr);
    assert!(
        stderr.contains("another deploy holds the lock"),
        "{}",
        text(&second)
    );
    assert!(stderr.contains(".dhcpfo.lock"), "{}", text(&second));
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    // Only the first deploy restarted anything.
    assert_eq!(lab.restart_order(), ["secondary", "primary"]);
    // And the lock is gone once it finished.
    assert!(!lab.peer(0).path("etc/dhcp/.dhcpfo.lock").exists());
    assert!(!lab.peer(1).path("etc/dhcp/.dhcpfo.lock").exists());
}

#[test]
fn ssh_config_supplies_host_port_user_and_key() {
    let Some((lab, _)) = setup("ssh_config_supplies_host_port_user_and_key", "") else {
        return;
    };
    // The model names only aliases; ~/.ssh/config (a wildcard block for the key and user,
    // one block per peer for the address and port) says the rest.
    std::fs::write(
        lab.home.join(".ssh/config"),
        format!(
            "Host dhcp-a\n  HostName 127.0.0.1\n  Port {}\n\nHost dhcp-b\n  HostName 127.0.0.1\n  Port {}\n\nHost dhcp-*\n  User {}\n  IdentityFile ~/.ssh/id_test\n",
            lab.peer(0).port,
            lab.peer(1).port,
            lab.user
        ),
    )
    .unwrap();
    let model = lab.write_model_with(
        SUBNET,
        "",
        &["host: dhcp-a".to_string(), "host: dhcp-b".to_string()],
    );
    lab.install_deployed(&rendered(&lab, &model));
    let out = lab
        .dhcpfo(&["diff", model.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Without the config the aliases do not resolve: the same model fails.
    std::fs::write(lab.ssh_config(), "").unwrap();
    let out = lab
        .dhcpfo(&["diff", model.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(flat(&out.stderr).contains("dhcp-a"), "{}", text(&out));
}

#[test]
fn ssh_agent_authenticates_and_a_missing_key_is_explained() {
    let test = "ssh_agent_authenticates_and_a_missing_key_is_explained";
    let Some((lab, _)) = setup(test, "") else {
        return;
    };
    let Some(agent_bin) = common::tool_or_skip(test, "ssh-agent") else {
        return;
    };
    let connections = [0, 1].map(|i| {
        format!(
            "host: 127.0.0.1, port: {}, user: {}",
            lab.peer(i).port,
            lab.user
        )
    });
    let model = lab.write_model_with(SUBNET, "", &connections);
    lab.install_deployed(&rendered(&lab, &model));
    let m = model.to_str().unwrap();
    // No agent and no default key: authentication fails, saying what was tried.
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("authentication as") && stderr.contains("no key file"),
        "{}",
        text(&out)
    );

    // A real ssh-agent holding the key.
    let sock = lab.tmp.path().join("agent.sock");
    let mut agent = common::sshd::Guard(Some(
        std::process::Command::new(agent_bin)
            .arg("-D")
            .arg("-a")
            .arg(&sock)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !sock.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "ssh-agent did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let added = std::process::Command::new("ssh-add")
        .arg(&lab.user_key)
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", text(&added));
    let out = lab
        .dhcpfo(&["diff", m])
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    agent.stop();
}

/// Puts a `date` on the secondary's PATH whose clock runs `seconds` ahead.
fn skew_secondary_clock(lab: &Lab, seconds: i64) {
    let date = lab.peer(1).path("fakebin/date");
    std::fs::write(
        &date,
        format!(
            "#!/bin/sh\nexec /usr/bin/date -d \"@$(( $(/usr/bin/date +%s) + {seconds} ))\" \"$@\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&date, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn clock_skew_stops_a_deploy_and_warns_below_a_minute() {
    let Some((lab, model)) = setup("clock_skew_stops_a_deploy_and_warns_below_a_minute", "") else {
        return;
    };
    let old = older(&lab);
    install(&lab, &old);
    let m = model.to_str().unwrap();
    skew_secondary_clock(&lab, 120);
    let out = lab.dhcpfo(&["deploy", m, "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(stderr.contains("time offset too large"), "{}", text(&out));
    assert_eq!(lab.peer(0).read("etc/dhcp/dhcpd.conf"), old[0].0);
    assert_eq!(lab.peer(1).read("etc/dhcp/dhcpd.conf"), old[1].0);
    assert!(
        !lab.peer(1).path("etc/dhcp/.dhcpfo.lock").exists(),
        "no lock was taken"
    );

    skew_secondary_clock(&lab, 10);
    let out = lab
        .dhcpfo(&["deploy", m, "--yes", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("warning: the peers' clocks are"),
        "{}",
        text(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["outcome"], "deployed");
    let skew = report["clock_skew"].as_f64().unwrap();
    assert!(
        (-12.0..-8.0).contains(&skew),
        "primary minus secondary: {skew}"
    );
    let steps = report["peers"][1]["steps"].as_array().unwrap();
    assert!(
        steps.iter().all(|s| s["ok"] == true) && steps.len() >= 8,
        "{report}"
    );
}

#[test]
fn a_terminal_gets_a_question_spinners_and_a_passphrase_prompt() {
    let test = "a_terminal_gets_a_question_spinners_and_a_passphrase_prompt";
    let Some((lab, _)) = setup(test, "") else {
        return;
    };
    if common::tool_or_skip(test, "script").is_none() {
        return;
    }
    // The user key, now protected by a passphrase.
    let status = std::process::Command::new(&lab.ssh_keygen)
        .args(["-q", "-p", "-P", "", "-N", "open sesame", "-f"])
        .arg(&lab.user_key)
        .status()
        .unwrap();
    assert!(status.success());
    let model = lab.write_model(SUBNET, "");
    let old = older(&lab);
    install(&lab, &old);
    let m = model.to_str().unwrap();

    // Declined: nothing changes.
    let (code, screen) = lab.on_terminal(&["deploy", m], "open sesame\nn\n");
    assert_eq!(code, Some(1), "{screen}");
    assert!(
        screen.contains(&format!("Passphrase for {}", lab.user_key.display())),
        "{screen}"
    );
    assert_eq!(
        screen.matches("Passphrase for").count(),
        1,
        "asked once for both peers: {screen}"
    );
    assert!(
        screen.contains("Deploy these changes to both peers? [y/N]"),
        "{screen}"
    );
    assert!(
        screen.contains("not confirmed; nothing was changed"),
        "{screen}"
    );
    assert!(screen.contains("✔"), "ticks on a terminal: {screen}");
    assert!(
        screen.contains("\u{1b}[32m+default-lease-time 3600;"),
        "a coloured diff: {screen}"
    );
    assert_eq!(lab.peer(0).read("etc/dhcp/dhcpd.conf"), old[0].0);
    assert_eq!(lab.peer(0).restarts() + lab.peer(1).restarts(), 0);

    // Confirmed: deployed.
    let (code, screen) = lab.on_terminal(&["deploy", m], "open sesame\ny\n");
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("deployed"), "{screen}");
    assert_eq!(lab.restart_order(), ["secondary", "primary"]);

    // Without a terminal, an encrypted key cannot be used and the message says why.
    let out = lab.dhcpfo(&["diff", m]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(flat(&out.stderr).contains("encrypted"), "{}", text(&out));
}

#[test]
fn hashed_known_hosts_entries_are_honoured() {
    let Some((lab, model)) = setup("hashed_known_hosts_entries_are_honoured", "") else {
        return;
    };
    lab.install_deployed(&rendered(&lab, &model));
    // Hash the names, as Debian's HashKnownHosts does.
    let status = std::process::Command::new(&lab.ssh_keygen)
        .arg("-H")
        .arg("-f")
        .arg(lab.known_hosts())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let known = std::fs::read_to_string(lab.known_hosts()).unwrap();
    assert!(
        known.starts_with("|1|") && !known.contains("127.0.0.1"),
        "{known}"
    );
    let out = lab
        .dhcpfo(&["diff", model.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn first_deploy_creates_missing_files_and_a_rollback_removes_them() {
    let Some((lab, model)) = setup(
        "first_deploy_creates_missing_files_and_a_rollback_removes_them",
        "",
    ) else {
        return;
    };
    let old = older(&lab);
    // Only the config exists on the peers; the defaults file is new.
    for i in 0..2 {
        std::fs::write(lab.peer(i).config(), &old[i].0).unwrap();
    }
    let defaults = |i: usize| lab.peer(i).path("etc/default/isc-dhcp-server");
    std::fs::write(lab.peer(0).path("fail-restart"), "").unwrap();
    let m = model.to_str().unwrap();
    let out = lab.dhcpfo(&["deploy", m, "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("it did not exist before"),
        "{}",
        text(&out)
    );
    for i in 0..2 {
        assert!(
            !defaults(i).exists(),
            "the new file was removed again on {}",
            lab.peer(i).role
        );
        assert_eq!(lab.peer(i).read("etc/dhcp/dhcpd.conf"), old[i].0);
    }
    std::fs::remove_file(lab.peer(0).path("fail-restart")).unwrap();
    let out = lab.dhcpfo(&["deploy", m, "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let new = rendered(&lab, &model);
    for i in 0..2 {
        assert_eq!(std::fs::read_to_string(defaults(i)).unwrap(), new[i].1);
        let mode = std::fs::metadata(defaults(i)).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o644,
            "a new file is world-readable like /etc/default files"
        );
    }
}

#[test]
fn known_hosts_named_in_the_model_is_used() {
    let Some((lab, _)) = setup("known_hosts_named_in_the_model_is_used", "") else {
        return;
    };
    let own = lab.tmp.path().join("pair_known_hosts");
    std::fs::rename(lab.known_hosts(), &own).unwrap();
    let connections =
        [0, 1].map(|i| format!("{}, known-hosts: {}", lab.connection_yaml(i), own.display()));
    let model = lab.write_model_with(SUBNET, "", &connections);
    lab.install_deployed(&rendered(&lab, &model));
    let out = lab
        .dhcpfo(&["diff", model.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        !lab.known_hosts().exists(),
        "~/.ssh/known_hosts was not created"
    );
    // The default file is not consulted: without the key, the model's file refuses.
    std::fs::write(&own, "").unwrap();
    std::fs::write(
        lab.known_hosts(),
        format!(
            "{}\n{}\n",
            lab.peer(0).known_hosts_line,
            lab.peer(1).known_hosts_line
        ),
    )
    .unwrap();
    let out = lab
        .dhcpfo(&["diff", model.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains(&format!("ssh-keyscan -p PORT HOST >> {}", own.display())),
        "{}",
        text(&out)
    );
}
