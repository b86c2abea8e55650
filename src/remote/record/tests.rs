use super::*;
use crate::model::Role;
use crate::remote::inspect::{Kind, LiveFile};
use crate::remote::ssh_config::SshConfig;

const YAML: &str = "failover: { name: fo, mclt: 3600, split: 128 }\npeers:\n  primary: { address: 10.0.0.2, ssh: { host: dhcp1 } }\n  secondary: { address: 10.0.0.3, ssh: { host: dhcp2 } }\n";

fn target(config_path: &str) -> Target {
    let pair = crate::model::load_str("t.yaml", YAML.into())
        .expect("model")
        .pair;
    let mut target = crate::remote::target::resolve(&pair, Role::Primary, &SshConfig::default());
    target.config_path = config_path.into();
    target
}

/// A peer at time 1000 whose dhcpd.conf (changed at `mtime`) holds `content`, with a dhcpd
/// started with it `elapsed` seconds ago (none when `None`), its service running.
fn peer(content: &[u8], mtime: u64, elapsed: Option<u64>) -> Inspection {
    let mut i = Inspection::at(1000);
    i.service = Some(Service::Running);
    i.files.push(LiveFile {
        path: "/etc/dhcp/dhcpd.conf".into(),
        kind: Kind::File,
        content: Some(content.to_vec()),
        mtime: Some(mtime),
    });
    if let Some(elapsed) = elapsed {
        i.processes.push(Process {
            pid: 200,
            elapsed,
            config: None,
        });
        i.dhcpd = "b00t 200:7000".into();
    }
    i
}

fn record(content: &[u8], dhcpd: Option<&str>) -> State {
    State {
        files: [("/etc/dhcp/dhcpd.conf".to_string(), files::sha256(content))].into(),
        restarted_at: 900,
        deploy: "00ab".into(),
        dhcpd: dhcpd.map(str::to_string),
    }
}

#[test]
fn a_record_counts_only_while_the_dhcpd_it_left_runs() {
    let t = target(DEFAULT_CONFIG_PATH);
    // The dhcpd the record names still runs: the record says it all, whatever the times.
    let mut i = peer(b"new", 990, Some(500));
    i.state = Some(record(b"new", Some("b00t 200:7000")));
    assert!(matches!(runs_what_is_on_disk(&t, &i), Runs::Yes(why) if why.contains("pid 200")));
    // Restarted by hand since (another start time): judged by its start, here before the
    // files last changed, so a restart is due.
    i.state = Some(record(b"new", Some("b00t 200:6000")));
    let Runs::No(why) = runs_what_is_on_disk(&t, &i) else {
        panic!("a dhcpd restarted since is not taken as running the record's files");
    };
    assert!(why.contains("was started again"), "{why}");
    // ... and started after they changed: it runs them.
    let mut later = peer(b"new", 990, Some(5));
    later.state = i.state.clone();
    assert!(matches!(runs_what_is_on_disk(&t, &later), Runs::Yes(_)));
    // The dhcpd it names is gone and none runs: cannot tell.
    let mut gone = peer(b"new", 990, None);
    gone.state = Some(record(b"new", Some("b00t 200:7000")));
    let Runs::Unknown(why) = runs_what_is_on_disk(&t, &gone) else {
        panic!("a record whose dhcpd is gone proves nothing");
    };
    assert!(
        why.contains("no longer runs") && why.contains("pid 200"),
        "{why}"
    );
}

#[test]
fn without_a_process_to_check_the_record_alone_tells() {
    let t = target(DEFAULT_CONFIG_PATH);
    for dhcpd in [None, Some("")] {
        let mut i = peer(b"new", 990, None);
        i.state = Some(record(b"new", dhcpd));
        assert!(
            matches!(runs_what_is_on_disk(&t, &i), Runs::Yes(_)),
            "{dhcpd:?}"
        );
        i.state = Some(record(b"old", dhcpd));
        assert!(
            matches!(runs_what_is_on_disk(&t, &i), Runs::No(_)),
            "{dhcpd:?}"
        );
    }
    // A record of an earlier version names no process: one that runs now is judged by its
    // start time.
    let mut i = peer(b"new", 990, Some(500));
    i.state = Some(record(b"new", None));
    assert!(matches!(runs_what_is_on_disk(&t, &i), Runs::No(_)));
}

#[test]
fn with_neither_record_nor_process_it_cannot_be_told() {
    let t = target(DEFAULT_CONFIG_PATH);
    let Runs::Unknown(why) = runs_what_is_on_disk(&t, &peer(b"new", 990, None)) else {
        panic!("nothing tells");
    };
    assert!(why.contains(".dhcpfo.state") && why.contains("-cf /etc/dhcp/dhcpd.conf"));
    // A dhcpd with another dhcpd.conf says nothing about this one.
    let other = target("/srv/dhcpd.conf");
    assert!(matches!(
        runs_what_is_on_disk(&other, &peer(b"new", 990, Some(5))),
        Runs::Unknown(_)
    ));
    let mut stopped = peer(b"new", 990, None);
    stopped.service = Some(Service::Stopped(3));
    assert!(matches!(runs_what_is_on_disk(&t, &stopped), Runs::No(_)));
}

/// A real process whose name is `dhcpd` (a shell script so named), started with `-cf conf`.
fn fake_dhcpd(dir: &std::path::Path, conf: &str) -> std::process::Child {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("dhcpd");
    std::fs::write(&script, "#!/bin/sh\nsleep 30\n").expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::process::Command::new(&script)
        .args(["-4", "-cf", conf, "eth0"])
        .spawn()
        .expect("start the fake dhcpd")
}

fn sh(script: &str) -> String {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The identity a process has in `/proc`: boot id, PID and start time.
fn proc_ident(pid: u32) -> String {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").expect("boot id");
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let after = stat.rsplit_once(") ").map(|(_, r)| r).expect("comm");
    let start = after.split(' ').nth(19).expect("starttime");
    format!("{} {pid}:{start}", boot.trim())
}

#[test]
fn the_record_written_on_the_peer_names_its_dhcpd_by_start_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("dhcpd.conf").display().to_string();
    let t = target(&conf);
    // No dhcpd with this dhcpd.conf: an empty identity, and the record says so.
    assert_eq!(sh(&format!("{}; dhcpd_ident", ident_fn(&t))), "");
    let hashes: BTreeMap<String, String> = [(conf.clone(), "ab".to_string())].into();
    let write = write_command(&t, hashes.clone(), "00ab").expect("command");
    // Chained after a step that failed, it writes nothing; its own failure fails the chain.
    sh(&format!("false && {write} || true"));
    assert!(!std::path::Path::new(&state_path(&t)).exists());
    sh(&write);
    let state: State =
        serde_json::from_str(&std::fs::read_to_string(state_path(&t)).expect("record"))
            .expect("the record parses");
    assert_eq!(
        (state.files, state.dhcpd.as_deref()),
        (hashes.clone(), Some(""))
    );
    assert!(state.restarted_at > 1_700_000_000);

    let mut child = fake_dhcpd(dir.path(), &conf);
    // The process may take a moment to be exec'ed under its name.
    let expected = proc_ident(child.id());
    let mut seen = String::new();
    for _ in 0..50 {
        seen = sh(&format!("{}; dhcpd_ident", ident_fn(&t)));
        if seen == expected {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    sh(&write);
    let state: State =
        serde_json::from_str(&std::fs::read_to_string(state_path(&t)).expect("record"))
            .expect("the record parses");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen, expected);
    assert_eq!(state.dhcpd.as_deref(), Some(expected.as_str()));
    assert_eq!(state.deploy, "00ab");
}
