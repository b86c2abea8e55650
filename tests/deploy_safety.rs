//! `dhcpfo deploy` when things go wrong, against two real OpenSSH daemons (see
//! `common/sshd.rs`) with the real ISC dhcpd validating: signals at every step, a deploy killed
//! outright and settled by the next one, a hung restart, hostile folders and planted links,
//! backup pruning, truthful reports, huge outputs and files (over the read cap, a correct diff
//! under it, a lease file streamed past it and cut at its deadline), escape sequences, locks.

#![allow(clippy::needless_range_loop)] // peers are indexed 0 (primary) and 1 (secondary)

mod common;

use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::sshd::{Lab, flat, text};

const SUBNET: &str = "192.168.50.0/24";

/// A lab whose peers hold and run an older version of the model's pair.
struct Pair {
    lab: Lab,
    model: PathBuf,
    old: [(String, String); 2],
    new: [(String, String); 2],
}

/// Which version a peer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    Old,
    New,
    Other,
}

fn setup(test: &str, extra: &str, ssh_extra: [&str; 2]) -> Option<Pair> {
    common::dhcpd_or_skip(test)?;
    let lab = Lab::start(test)?;
    let connections = [0, 1].map(|i| format!("{}{}", lab.connection_yaml(i), ssh_extra[i]));
    let model = lab.write_model_with(SUBNET, extra, &connections);
    let new = lab.render(&model);
    let old = lab.older();
    let pair = Pair {
        lab,
        model,
        old,
        new,
    };
    pair.reset();
    Some(pair)
}

impl Pair {
    fn m(&self) -> &str {
        self.model.to_str().unwrap()
    }

    fn deploy(&self, args: &[&str]) -> Output {
        let mut all = vec!["deploy", self.m()];
        all.extend_from_slice(args);
        self.lab.dhcpfo(&all).output().unwrap()
    }

    /// Both peers back to the old files, running them, with nothing else in their folders.
    fn reset(&self) {
        for i in 0..2 {
            let p = self.lab.peer(i);
            for dir in ["etc/dhcp", "etc/default"] {
                for entry in std::fs::read_dir(p.path(dir)).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        std::fs::remove_dir_all(&path).unwrap();
                    } else {
                        std::fs::remove_file(&path).unwrap();
                    }
                }
            }
        }
        self.lab.install(&self.old);
        for i in 0..2 {
            self.lab.peer(i).run_current();
        }
    }

    fn holds(&self, i: usize) -> Version {
        let p = self.lab.peer(i);
        let now = (
            p.read("etc/dhcp/dhcpd.conf"),
            p.read("etc/default/isc-dhcp-server"),
        );
        if now == self.old[i] {
            Version::Old
        } else if now == self.new[i] {
            Version::New
        } else {
            Version::Other
        }
    }

    /// Both peers hold the same version, each runs what it holds, and nothing of the deploy
    /// (lock, candidate) is left behind. Returns the version.
    fn assert_settled(&self, context: &str) -> Version {
        let versions = [self.holds(0), self.holds(1)];
        assert!(
            versions[0] == versions[1] && versions[0] != Version::Other,
            "{context}: the peers hold {versions:?}"
        );
        for i in 0..2 {
            let p = self.lab.peer(i);
            assert_eq!(
                p.read("running.conf"),
                p.read("etc/dhcp/dhcpd.conf"),
                "{context}: {} runs what it holds",
                p.role
            );
            assert!(p.path("running").exists(), "{context}: {} runs", p.role);
            let names = names(&p.path("etc/dhcp"));
            assert!(
                !names
                    .iter()
                    .any(|n| n.contains(".dhcpfo-new.") || n == ".dhcpfo.lock"),
                "{context}: {} left {names:?}",
                p.role
            );
        }
        versions[0]
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Whether a line of plain (non-terminal) progress is a finished step.
fn is_step(line: &str) -> bool {
    (line.starts_with("primary: ") || line.starts_with("secondary: "))
        && (line.ends_with(" ... ok") || line.ends_with(" ... FAILED"))
}

/// Runs `dhcpfo deploy --yes`, sending SIGTERM once `steps` steps have finished; returns the
/// exit status, standard error, and whether the signal was sent.
fn deploy_and_signal(pair: &Pair, steps: usize) -> (Option<i32>, String, bool) {
    let mut child = pair
        .lab
        .dhcpfo(&["deploy", pair.m(), "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut seen = 0;
    let mut sent = false;
    let mut all = String::new();
    for line in std::io::BufReader::new(stderr).lines() {
        let line = line.unwrap();
        if is_step(&line) {
            seen += 1;
            if seen == steps && !sent {
                // SAFETY: signals the dhcpfo process this test started, by its PID.
                unsafe {
                    libc::kill(child.id() as i32, libc::SIGTERM);
                }
                sent = true;
            }
        }
        all.push_str(&line);
        all.push('\n');
    }
    let status = child.wait().unwrap();
    (status.code(), all, sent)
}

#[test]
fn sigterm_at_every_step_leaves_both_peers_old_or_both_new() {
    let Some(pair) = setup(
        "sigterm_at_every_step_leaves_both_peers_old_or_both_new",
        "",
        ["", ""],
    ) else {
        return;
    };
    let mut outcomes = Vec::new();
    for steps in 1..=80 {
        pair.reset();
        let (code, stderr, sent) = deploy_and_signal(&pair, steps);
        let context = format!("SIGTERM after step {steps}:\n{stderr}");
        if !sent {
            // The deploy had fewer steps: every one has been interrupted.
            assert_eq!(code, Some(0), "{context}");
            assert_eq!(pair.assert_settled(&context), Version::New);
            break;
        }
        let version = pair.assert_settled(&context);
        match code {
            Some(143) => {
                assert!(stderr.contains("SIGTERM received"), "{context}");
                assert!(stderr.contains("stopped by SIGTERM"), "{context}");
            }
            // The signal came after the last step: the deploy had finished.
            Some(0) => assert_eq!(version, Version::New, "{context}"),
            other => panic!("exit status {other:?}; {context}"),
        }
        outcomes.push(version);
        if steps % 4 != 0 {
            continue;
        }
        // Whatever the signal left, the next deploy goes through (checked every fourth step, to
        // keep the test's time reasonable).
        let out = pair.deploy(&["--yes"]);
        assert_eq!(out.status.code(), Some(0), "after {steps}: {}", text(&out));
        assert_eq!(
            pair.assert_settled(&format!("deploy after {steps}")),
            Version::New
        );
    }
    assert!(
        outcomes.contains(&Version::Old) && outcomes.contains(&Version::New),
        "signals landed both before and after the switch: {outcomes:?}"
    );
    assert!(outcomes.len() > 20, "{} steps", outcomes.len());
}

/// Makes a peer's restart wait (at most 30 s) for the test's go-ahead; returns the files it
/// touches when it starts and waits for.
fn hold_restart(pair: &Pair, i: usize) -> (PathBuf, PathBuf) {
    let p = pair.lab.peer(i);
    let (started, go) = (p.path("restart-started"), p.path("go"));
    p.script(
        "hook-restart",
        &format!(
            "#!/bin/sh\ntouch {}\ni=0\nwhile [ ! -e {} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n",
            started.display(),
            go.display()
        ),
    );
    (started, go)
}

fn wait_for(path: &Path, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a process runs: it exists and is not a zombie waiting to be reaped (state Z in
/// `/proc/PID/stat`; its parent or init reaps it when it gets to it).
fn runs(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z'))
    })
}

/// Starts `dhcpfo deploy --yes`, collecting its standard error in a thread.
fn spawn_deploy(pair: &Pair) -> (std::process::Child, std::thread::JoinHandle<String>) {
    let mut child = pair
        .lab
        .dhcpfo(&["deploy", pair.m(), "--yes"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    (child, reader)
}

fn signal(child: &std::process::Child, sig: i32) {
    // SAFETY: signals the dhcpfo process this test started, by its PID.
    unsafe {
        libc::kill(child.id() as i32, sig);
    }
}

#[test]
fn sigterm_during_a_restart_completes_the_deploy_and_a_second_signal_is_explained() {
    let Some(pair) = setup(
        "sigterm_during_a_restart_completes_the_deploy_and_a_second_signal_is_explained",
        "",
        ["", ""],
    ) else {
        return;
    };
    // The secondary restarts first; both peers have been switched by then.
    let (started, go) = hold_restart(&pair, 1);
    let (child, reader) = spawn_deploy(&pair);
    wait_for(&started, "the secondary's restart");
    signal(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&go, "").unwrap();
    let mut child = child;
    let status = child.wait().unwrap();
    let stderr = reader.join().unwrap();
    assert_eq!(status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("SIGTERM received"), "{stderr}");
    assert!(
        stderr.contains("signal received again: the deploy is already stopping"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stopped by SIGTERM after both peers held the new files: the restarts were completed; deployed"),
        "{stderr}"
    );
    assert_eq!(pair.assert_settled(&stderr), Version::New);
    assert_eq!(pair.lab.restart_order(), ["secondary", "primary"]);
}

#[test]
fn a_deploy_killed_outright_is_reported_then_settled_by_the_next_one() {
    let Some(pair) = setup(
        "a_deploy_killed_outright_is_reported_then_settled_by_the_next_one",
        "",
        ["", ""],
    ) else {
        return;
    };
    // Killed while the secondary restarts: both peers hold the new files, the primary still
    // runs the old one. The restart goes on on the peer and ends.
    let (started, go) = hold_restart(&pair, 1);
    let (mut child, reader) = spawn_deploy(&pair);
    wait_for(&started, "the secondary's restart");
    signal(&child, libc::SIGKILL);
    let _ = child.wait();
    let _ = reader.join();
    std::fs::write(&go, "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while pair.lab.peer(1).read("running.conf") != pair.new[1].0 {
        assert!(
            Instant::now() < deadline,
            "the secondary's restart never ended"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(pair.lab.peer(0).read("running.conf"), pair.old[0].0);
    std::fs::remove_file(pair.lab.peer(1).path("hook-restart")).unwrap();

    let out = pair.lab.dhcpfo(&["diff", pair.m()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = flat(&out.stderr);
    for expected in [
        "primary: an unfinished deploy (lock id",
        "interrupted: process",
        "holds the NEW file (switched by that deploy)",
        "primary: this peer was not restarted after its files were switched",
        "secondary: this peer's restart succeeded, and its service ran after it",
        "run `dhcpfo deploy` to complete or roll it back",
    ] {
        assert!(stderr.contains(expected), "{expected}: {}", text(&out));
    }
    let out = pair
        .lab
        .dhcpfo(&["diff", pair.m(), "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["differs"], true, "{json}");
    assert!(
        json["peers"][0]["unfinished_deploy"]
            .as_array()
            .unwrap()
            .len()
            >= 3,
        "{json}"
    );
    let out = pair.lab.dhcpfo(&["status", pair.m()]).output().unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("deploy: an unfinished deploy"),
        "{}",
        text(&out)
    );

    // The next deploy completes it first (both peers hold the new files, nothing failed):
    // only the primary, which never ran them, is restarted.
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("first: the unfinished deploy with lock id")
            && stderr.contains("was completed first"),
        "{}",
        text(&out)
    );
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);
    assert_eq!(pair.lab.restart_order(), ["secondary", "primary"]);
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("nothing to deploy"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_hung_restart_is_killed_on_the_peer_and_the_rollback_never_overlaps_it() {
    let Some(pair) = setup(
        "a_hung_restart_is_killed_on_the_peer_and_the_rollback_never_overlaps_it",
        "",
        ["", ", restart-timeout: 2s"],
    ) else {
        return;
    };
    let p = pair.lab.peer(1);
    let (first, log) = (p.path("first.pid"), p.path("overlap.log"));
    p.script(
        "hook-restart",
        &format!(
            // A process that has died but is not reaped yet (a zombie: state Z) is over.
            "#!/bin/sh\nif [ ! -e {f} ]; then echo $$ > {f}; sleep 600; exit 0; fi\nstate=Z\nread -r _ _ state _ < /proc/\"$(cat {f})\"/stat 2>/dev/null\nif [ \"$state\" != Z ]; then echo overlap >> {l}; else echo clear >> {l}; fi\n",
            f = first.display(),
            l = log.display()
        ),
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("secondary: the restart ran longer than 2 s; the peer killed it"),
        "{}",
        text(&out)
    );
    assert_eq!(p.read("overlap.log"), "clear\n", "{}", text(&out));
    let pid: i32 = p.read("first.pid").trim().parse().unwrap();
    assert!(!runs(pid), "the hung restart still runs");
    assert_eq!(pair.assert_settled(&text(&out)), Version::Old);
    assert_eq!(p.restarts(), 2, "the hung restart and the rollback's");
    assert_eq!(
        pair.lab.peer(0).restarts(),
        0,
        "the primary never ran the new files"
    );
}

/// A model for the same pair with other `ssh:` settings, written next to the lab's.
fn model_with(pair: &Pair, name: &str, ssh_extra: [&str; 2]) -> PathBuf {
    let text = std::fs::read_to_string(&pair.model).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (i, role) in ["  primary:", "  secondary:"].iter().enumerate() {
        let line = lines.iter_mut().find(|l| l.starts_with(role)).unwrap();
        let at = line.rfind(" } }").unwrap();
        line.insert_str(at, ssh_extra[i]);
    }
    let path = pair.lab.tmp.path().join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn hostile_folders_and_planted_links_are_refused() {
    let Some(pair) = setup(
        "hostile_folders_and_planted_links_are_refused",
        "",
        ["", ""],
    ) else {
        return;
    };
    let p = pair.lab.peer(0);
    let conf_dir = p.path("etc/dhcp");
    let refused = |out: &Output, expected: &[&str]| {
        assert_eq!(out.status.code(), Some(2), "{}", text(out));
        let stderr = flat(&out.stderr);
        for e in expected {
            assert!(stderr.contains(e), "{e}: {}", text(out));
        }
        assert!(stderr.contains("DF528"), "{}", text(out));
        for i in 0..2 {
            assert_eq!(pair.lab.peer(i).restarts(), 0);
            assert_eq!(pair.holds(i), Version::Old);
        }
    };

    // A folder a less privileged group may write to.
    chmod(&conf_dir, 0o775);
    let out = pair.deploy(&["--yes"]);
    refused(
        &out,
        &[
            &format!(
                "primary: {}: is writable by its group or by others (mode 775)",
                conf_dir.display()
            ),
            "chmod go-w",
        ],
    );
    assert_eq!(names(&conf_dir), ["dhcpd.conf"], "nothing was written");
    chmod(&conf_dir, 0o755);

    // A folder that belongs to another user.
    std::os::unix::fs::chown(&conf_dir, Some(4321), None).unwrap();
    let out = pair.deploy(&["--yes"]);
    refused(
        &out,
        &["belongs to uid 4321, neither root nor the SSH user"],
    );
    std::os::unix::fs::chown(&conf_dir, Some(0), None).unwrap();

    // A folder on the way that is a symbolic link.
    std::os::unix::fs::symlink(&conf_dir, p.path("etc/dhcp-link")).unwrap();
    let linked = model_with(&pair, "linked.yaml", ["", ""]);
    let text_of = std::fs::read_to_string(&linked).unwrap().replace(
        &format!("config-path: {}/dhcpd.conf", conf_dir.display()),
        &format!(
            "config-path: {}/dhcpd.conf",
            p.path("etc/dhcp-link").display()
        ),
    );
    std::fs::write(&linked, text_of).unwrap();
    let out = pair
        .lab
        .dhcpfo(&["deploy", linked.to_str().unwrap(), "--yes"])
        .output()
        .unwrap();
    refused(
        &out,
        &[
            "is a symbolic link, where dhcpfo expects a folder",
            "readlink -f",
        ],
    );
    std::fs::remove_file(p.path("etc/dhcp-link")).unwrap();

    // The live dhcpd.conf is a link: refused, unless the model says to follow it.
    std::fs::rename(p.config(), conf_dir.join("real.conf")).unwrap();
    std::os::unix::fs::symlink("real.conf", p.config()).unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("dhcpd.conf: is a symbolic link (to ")
            && flat(&out.stderr).contains("follow-symlinks: true"),
        "{}",
        text(&out)
    );
    let follow = model_with(&pair, "follow.yaml", [", follow-symlinks: true", ""]);
    let out = pair
        .lab
        .dhcpfo(&["deploy", follow.to_str().unwrap(), "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        std::fs::symlink_metadata(p.config())
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    let rendered = pair.lab.render(&follow);
    assert_eq!(
        p.read("etc/dhcp/real.conf"),
        rendered[0].0,
        "its target was replaced"
    );
    assert_eq!(pair.lab.peer(1).read("etc/dhcp/dhcpd.conf"), rendered[1].0);

    // A link planted where the old fixed candidate name was, pointing at a root-only file:
    // candidates have unpredictable names now, so it is never written through.
    pair.reset();
    let victim = pair.lab.tmp.path().join("victim");
    std::fs::write(&victim, "secret\n").unwrap();
    chmod(&victim, 0o600);
    std::os::unix::fs::symlink(&victim, conf_dir.join("dhcpd.conf.dhcpfo-new")).unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "secret\n");
    assert_eq!(
        std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        std::fs::symlink_metadata(conf_dir.join("dhcpd.conf.dhcpfo-new"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(pair.holds(0), Version::New);
}

#[test]
fn attributes_of_the_live_file_are_kept() {
    let Some(pair) = setup("attributes_of_the_live_file_are_kept", "", ["", ""]) else {
        return;
    };
    let conf = pair.lab.peer(0).config();
    // An ACL granting uid 1234 read access (system.posix_acl_access, version 2: user::rw-,
    // user:1234:r--, group::r--, mask::r--, other::---), and a user attribute.
    let mut acl = 2u32.to_le_bytes().to_vec();
    for (tag, perm, id) in [
        (0x01u16, 6u16, u32::MAX),
        (0x02, 4, 1234),
        (0x04, 4, u32::MAX),
        (0x10, 4, u32::MAX),
        (0x20, 0, u32::MAX),
    ] {
        acl.extend(tag.to_le_bytes());
        acl.extend(perm.to_le_bytes());
        acl.extend(id.to_le_bytes());
    }
    let set = |name: &str, value: &[u8]| {
        let path = std::ffi::CString::new(conf.to_str().unwrap()).unwrap();
        let name = std::ffi::CString::new(name).unwrap();
        // SAFETY: valid C strings and buffer for the duration of the call.
        let rc = unsafe {
            libc::setxattr(
                path.as_ptr(),
                name.as_ptr(),
                value.as_ptr().cast(),
                value.len(),
                0,
            )
        };
        assert_eq!(
            rc,
            0,
            "setxattr {name:?}: {}",
            std::io::Error::last_os_error()
        );
    };
    set("system.posix_acl_access", &acl);
    set("user.dhcpfo-test", b"kept");
    let get = |name: &str| -> Vec<u8> {
        let path = std::ffi::CString::new(conf.to_str().unwrap()).unwrap();
        let name = std::ffi::CString::new(name).unwrap();
        let mut buf = vec![0u8; 256];
        // SAFETY: valid C strings and buffer for the duration of the call.
        let n = unsafe {
            libc::getxattr(
                path.as_ptr(),
                name.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        buf.truncate(usize::try_from(n).unwrap_or(0));
        buf
    };
    let before = (get("system.posix_acl_access"), get("user.dhcpfo-test"));
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(pair.holds(0), Version::New);
    assert_eq!(
        (get("system.posix_acl_access"), get("user.dhcpfo-test")),
        before,
        "the new file carries the live file's ACL and attributes"
    );
    assert_eq!(before.1, b"kept");
}

#[test]
fn pruning_keeps_the_new_backup_and_touches_only_its_own_names() {
    let Some(pair) = setup(
        "pruning_keeps_the_new_backup_and_touches_only_its_own_names",
        "deploy: { keep-backups: 1 }\n",
        ["", ""],
    ) else {
        return;
    };
    let dir = pair.lab.peer(0).path("etc/dhcp");
    let plant = || {
        for (name, text) in [
            // An older backup whose name carries a later time (a clock that ran ahead).
            (
                "dhcpd.conf.dhcpfo-backup-20991231T235959Z.Future01",
                "future",
            ),
            ("dhcpd.conf.dhcpfo-backup-20200101T000000Z", "old format"),
            // Names that are not dhcpfo's: a newline in one, another file's backup.
            (
                "dhcpd.conf.dhcpfo-backup-20200101T000000Z\nvictim",
                "hostile",
            ),
            ("victim", "victim"),
            ("other.conf.dhcpfo-backup-20200101T000000Z", "other"),
        ] {
            std::fs::write(dir.join(name), text).unwrap();
        }
    };
    plant();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let left = names(&dir);
    let backups: Vec<&String> = left
        .iter()
        .filter(|n| n.starts_with("dhcpd.conf.dhcpfo-backup-") && !n.contains('\n'))
        .collect();
    assert_eq!(backups.len(), 1, "{left:?}");
    assert!(!backups[0].contains("2099"), "{left:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join(backups[0])).unwrap(),
        pair.old[0].0,
        "the backup just made is kept"
    );
    for kept in [
        "dhcpd.conf.dhcpfo-backup-20200101T000000Z\nvictim",
        "victim",
        "other.conf.dhcpfo-backup-20200101T000000Z",
    ] {
        assert!(left.iter().any(|n| n == kept), "{kept:?} kept: {left:?}");
    }

    // A deploy that fails restores from the backup it just made, whatever the other
    // backups' names say; nothing is pruned after a failure.
    pair.reset();
    plant();
    pair.lab.peer(1).script(
        "hook-restart",
        &format!(
            "#!/bin/sh\nif [ ! -e {f} ]; then touch {f}; echo 'restart failed once' >&2; exit 1; fi\n",
            f = pair.lab.peer(1).path("failed-once").display()
        ),
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(pair.assert_settled(&text(&out)), Version::Old);
    assert!(names(&dir).iter().any(|n| n.contains("2099")), "not pruned");
    assert!(
        flat(&out.stderr).contains("secondary (127.0.0.1:")
            && flat(&out.stderr).contains(
                "restored to its previous files (verified by SHA-256); restarted; its service runs"
            ),
        "{}",
        text(&out)
    );
}

fn json_report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

#[test]
fn a_failed_rollback_restart_is_reported_as_it_is() {
    let Some(pair) = setup(
        "a_failed_rollback_restart_is_reported_as_it_is",
        "",
        ["", ""],
    ) else {
        return;
    };
    // The secondary's service cannot start at all: neither with the new files nor, in the
    // rollback, with the previous ones.
    let s = pair.lab.peer(1);
    std::fs::write(s.path("fail-restart"), "").unwrap();
    let out = pair.deploy(&["--yes", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let report = json_report(&out);
    assert_eq!(report["outcome"], "rolled-back", "{report}");
    assert_eq!(report["settled"], false, "{report}");
    let fin = &report["peers"][1]["final_state"];
    assert_eq!(fin["verified"], true, "{report}");
    assert_eq!(fin["restart_succeeded"], false, "{report}");
    assert_eq!(fin["running"], false, "{report}");
    assert!(
        fin["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["holds"] == "previous"),
        "{report}"
    );
    let recovery: Vec<&str> = fin["recovery"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        recovery,
        [
            s.path("bin/restart").to_str().unwrap(),
            s.path("bin/status").to_str().unwrap()
        ],
        "{report}"
    );
    let result = report["peers"][1]["result"].as_str().unwrap();
    assert!(
        result.starts_with("restored to its previous files (verified by SHA-256); its restart FAILED; its service is NOT running; to recover by hand:"),
        "{result}"
    );
    assert!(!result.contains("restarted;"), "{result}");
    // The primary never ran the new files: it holds its previous files and still runs.
    let primary = report["peers"][0]["result"].as_str().unwrap();
    assert!(
        primary.starts_with("restored to its previous files (verified by SHA-256); not restarted"),
        "{primary}"
    );
    for i in 0..2 {
        assert_eq!(pair.holds(i), Version::Old);
    }

    // Once the service can start again, the next deploy settles the pair first (its journal
    // recorded the failure: rolled back, the secondary restarted), then deploys.
    std::fs::remove_file(s.path("fail-restart")).unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("was rolled back first"),
        "{}",
        text(&out)
    );
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);
}

#[test]
fn a_peer_left_with_a_mix_of_files_is_reported_with_commands_that_work() {
    let Some(pair) = setup(
        "a_peer_left_with_a_mix_of_files_is_reported_with_commands_that_work",
        "",
        ["", ""],
    ) else {
        return;
    };
    // On the primary, `mv` refuses to put the defaults file in place, and refuses the
    // rollback's restore of dhcpd.conf: it ends with the new dhcpd.conf and the old defaults.
    let p = pair.lab.peer(0);
    p.script(
        "fakebin/mv",
        "#!/bin/sh\ncase \"$*\" in\n  *dhcpfo-restore*|*/etc/default/isc-dhcp-server) echo 'mv: cannot move: Input/output error' >&2; exit 1;;\nesac\nexec /usr/bin/mv \"$@\"\n",
    );
    let out = pair.deploy(&["--yes", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let report = json_report(&out);
    let fin = &report["peers"][0]["final_state"];
    assert_eq!(fin["verified"], true, "{report}");
    let holds: Vec<&str> = fin["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["holds"].as_str().unwrap())
        .collect();
    assert_eq!(holds, ["new", "previous"], "{report}");
    let result = report["peers"][0]["result"].as_str().unwrap();
    assert!(
        result.contains(
            "holds a MIX (verified by SHA-256): the new dhcpd.conf and the previous isc-dhcp-server"
        ),
        "{result}"
    );
    let backup = fin["files"][0]["backup"].as_str().unwrap();
    assert!(
        Path::new(backup).exists(),
        "the command names a file that exists"
    );
    let recovery: Vec<String> = fin["recovery"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert!(recovery[0].starts_with("cp -p -- "), "{recovery:?}");
    // The secondary was put back whole.
    assert_eq!(pair.holds(1), Version::Old);
    assert!(
        report["peers"][1]["result"]
            .as_str()
            .unwrap()
            .starts_with("restored to its previous files")
    );

    // The commands printed, run by hand, bring the primary back; the next deploy finds the
    // pair consistent, clears the journal and deploys.
    std::fs::remove_file(p.path("fakebin/mv")).unwrap();
    for command in &recovery {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .status()
            .unwrap();
        assert!(status.success(), "{command}");
    }
    assert_eq!(pair.holds(0), Version::Old);
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);
}

#[test]
fn megabytes_on_standard_error_do_not_stall_a_command() {
    let Some(pair) = setup(
        "megabytes_on_standard_error_do_not_stall_a_command",
        "",
        [", restart-timeout: 30s", ", restart-timeout: 30s"],
    ) else {
        return;
    };
    // Far more than an SSH channel's window: a reader that drained standard output first
    // would wait until the deadline.
    for i in 0..2 {
        pair.lab.peer(i).script(
            "hook-restart",
            "#!/bin/sh\nhead -c 8000000 /dev/zero | tr '\\0' e >&2\n",
        );
    }
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);
}

#[test]
fn a_huge_remote_file_hits_the_read_cap() {
    let Some(pair) = setup("a_huge_remote_file_hits_the_read_cap", "", ["", ""]) else {
        return;
    };
    let huge = "# padding\n".repeat(300_000);
    std::fs::write(pair.lab.peer(0).config(), &huge).unwrap();
    let out = pair
        .lab
        .dhcpfo(&["diff", pair.m(), "--max-remote-size", "1M"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("dhcpd.conf (2.9 MiB) is larger than the 1 MiB read limit")
            && stderr.contains("--max-remote-size"),
        "{}",
        text(&out)
    );
    let out = pair
        .lab
        .dhcpfo(&["deploy", pair.m(), "--yes", "--max-remote-size", "1M"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("1 MiB read limit"),
        "{}",
        text(&out)
    );
    assert_eq!(pair.lab.peer(0).read("etc/dhcp/dhcpd.conf"), huge);
    assert_eq!(pair.lab.peer(0).restarts() + pair.lab.peer(1).restarts(), 0);

    // Under the cap, the same padding in the middle of a live file gets a correct diff: it
    // takes the live file to the rendered one, and every padding line is removed.
    let old = &pair.old[0].0;
    let cut = old
        .match_indices('\n')
        .nth(old.lines().count() / 2)
        .unwrap()
        .0
        + 1;
    let live = format!("{}{huge}{}", &old[..cut], &old[cut..]);
    std::fs::write(pair.lab.peer(0).config(), &live).unwrap();
    let out = pair
        .lab
        .dhcpfo(&["diff", pair.m(), "--format", "json"])
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
    let diff = file["diff"].as_str().unwrap();
    assert_eq!(apply_unified(&live, diff), pair.new[0].0);
    // After the two header lines, each line is context or one removed or added line.
    let count = |sign: char| diff.lines().skip(2).filter(|l| l.starts_with(sign)).count();
    let padding_removed = diff.lines().filter(|l| *l == "-# padding").count();
    assert_eq!(padding_removed, 300_000);
    assert_eq!(file["removed"].as_u64(), Some(count('-') as u64));
    assert_eq!(file["added"].as_u64(), Some(count('+') as u64));
    let out = pair.lab.dhcpfo(&["diff", pair.m()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains(&format!(
            "primary: {} differs (-{} +{} lines",
            pair.lab.peer(0).config().display(),
            count('-'),
            count('+')
        )),
        "{}",
        flat(&out.stderr)
    );

    // The lease file is read as a stream and summarised as it comes, so the cap does not
    // apply to it: a journal of more than a megabyte is counted in full.
    let mut leases = String::from("authoring-byte-order little-endian;\n");
    for i in 0..8_000 {
        let state = match i {
            ..7_950 => "active",
            _ if i % 50 < 20 => "free",
            _ => "backup",
        };
        leases.push_str(&format!(
            "lease 192.168.50.{} {{\n  starts 3 2026/11/18 10:00:00;\n  ends 3 2026/11/18 11:00:00;\n  binding state {state};\n  hardware ethernet 02:00:00:00:{:02x}:{:02x};\n}}\n",
            150 + i % 50,
            (i >> 8) & 255,
            i & 255
        ));
    }
    assert!(leases.len() > 1 << 20);
    std::fs::write(pair.lab.peer(1).path("var/lib/dhcp/dhcpd.leases"), &leases).unwrap();
    let out = pair
        .lab
        .dhcpfo(&["status", pair.m(), "--max-remote-size", "1M"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let secondary = &stdout[stdout.find("secondary (").unwrap()..];
    assert!(
        secondary.contains(
            "pool 192.168.50.150-192.168.50.199: free 20, backup 30, active 0, expired 0, abandoned 0"
        ) && !stdout.contains("read limit"),
        "{}",
        text(&out)
    );
}

/// Applies a unified diff to `old`; every context and removed line must be the line of `old`
/// the hunk says it is.
fn apply_unified(old: &str, diff: &str) -> String {
    let old: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut next = 0;
    let mut in_hunk = false;
    for line in diff.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("@@ -") {
            let range = header.split(' ').next().unwrap();
            let (start, len) = match range.split_once(',') {
                Some((s, l)) => (s.parse::<usize>().unwrap(), l.parse::<usize>().unwrap()),
                None => (range.parse::<usize>().unwrap(), 1),
            };
            let at = if len == 0 { start } else { start - 1 };
            assert!(at >= next, "hunks out of order: {line}");
            out.extend(old[next..at].iter().copied());
            next = at;
            in_hunk = true;
            continue;
        }
        if !in_hunk {
            assert!(
                line.starts_with("--- ") || line.starts_with("+++ "),
                "{line}"
            );
            continue;
        }
        let (sign, body) = line.split_at(1);
        match sign {
            " " | "-" => {
                assert_eq!(old[next], body, "line {} of the old file", next + 1);
                if sign == " " {
                    out.push_str(body);
                }
                next += 1;
            }
            "+" => out.push_str(body),
            _ => panic!("unexpected diff line {line:?}"),
        }
    }
    out.extend(old[next..].iter().copied());
    out
}

/// A `status` whose lease file never ends (a FIFO nobody writes to) gets the peer's
/// `command-timeout`: the peer kills the read, the report says so, and the rest of the
/// status (the other peer, the service) is still there.
#[test]
fn a_lease_file_that_never_ends_hits_the_deadline() {
    let Some(pair) = setup(
        "a_lease_file_that_never_ends_hits_the_deadline",
        "",
        ["", ", command-timeout: 2s"],
    ) else {
        return;
    };
    let leases = pair.lab.peer(1).path("var/lib/dhcp/dhcpd.leases");
    std::fs::remove_file(&leases).unwrap();
    let c_path = std::ffi::CString::new(leases.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let out = pair.lab.dhcpfo(&["status", pair.m()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .contains("secondary: reading the lease file ran longer than 2 s; the peer killed it"),
        "{}",
        text(&out)
    );
    assert!(
        stdout.contains("primary (") && stdout.contains("service running"),
        "{}",
        text(&out)
    );
    // No `cat` of that FIFO is left on the peer.
    let reading = format!("cat\0--\0{}\0", leases.display());
    let left: Vec<_> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .filter(|cmdline| cmdline.ends_with(reading.as_bytes()))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn escape_sequences_from_a_peer_never_reach_the_terminal() {
    let Some(pair) = setup(
        "escape_sequences_from_a_peer_never_reach_the_terminal",
        "",
        ["", ""],
    ) else {
        return;
    };
    pair.lab.peer(1).script(
        "hook-restart",
        "#!/bin/sh\nprintf '\\033]0;owned\\007\\033[2Jrestart failed\\n' >&2\nexit 1\n",
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!out.stderr.contains(&0x1b), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("\\x1b]0;owned\\x07\\x1b[2Jrestart failed"),
        "{}",
        text(&out)
    );

    let mut live = pair.old[0].0.clone();
    live.push_str("# \u{1b}[31mred\u{1b}]0;title\u{7}\n");
    std::fs::write(pair.lab.peer(0).config(), live).unwrap();
    let out = pair.lab.dhcpfo(&["diff", pair.m()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        !out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b),
        "{}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("-# \\x1b[31mred"),
        "{}",
        text(&out)
    );
}

#[test]
fn dhcpd_is_a_path_and_a_wrapper_goes_in_validate_command() {
    let Some(pair) = setup(
        "dhcpd_is_a_path_and_a_wrapper_goes_in_validate_command",
        "",
        ["", ""],
    ) else {
        return;
    };
    let dhcpd = common::find_dhcpd().unwrap();
    // A command in `dhcpd` is refused by check before anything is contacted.
    let bad = std::fs::read_to_string(&pair.model)
        .unwrap()
        .replace("dhcpd: /usr/sbin/dhcpd", "dhcpd: '/usr/sbin/dhcpd; true'");
    let bad_model = pair.lab.tmp.path().join("bad.yaml");
    std::fs::write(&bad_model, bad).unwrap();
    let out = pair
        .lab
        .dhcpfo(&["deploy", bad_model.to_str().unwrap(), "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(flat(&out.stderr).contains("DF176"), "{}", text(&out));
    // A path with a space is one word on the peer.
    let tools = pair.lab.tmp.path().join("my tools");
    std::fs::create_dir_all(&tools).unwrap();
    std::os::unix::fs::symlink(&dhcpd, tools.join("dhcpd")).unwrap();
    let spaced = std::fs::read_to_string(&pair.model).unwrap().replace(
        "dhcpd: /usr/sbin/dhcpd",
        &format!("dhcpd: '{}'", tools.join("dhcpd").display()),
    );
    let spaced_model = pair.lab.tmp.path().join("spaced.yaml");
    std::fs::write(&spaced_model, spaced).unwrap();
    let out = pair
        .lab
        .dhcpfo(&["deploy", spaced_model.to_str().unwrap(), "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "differences validated: {}",
        text(&out)
    );
    assert!(
        flat(&out.stderr).contains(&format!(
            "primary: validating with `'{}' -t -4 -cf",
            tools.join("dhcpd").display()
        )),
        "{}",
        text(&out)
    );
    // A wrapper with arguments goes in validate-command.
    let wrapped = model_with(
        &pair,
        "wrapped.yaml",
        [
            &format!(", validate-command: '{} -t -4 -q -cf'", dhcpd.display()),
            "",
        ],
    );
    let out = pair
        .lab
        .dhcpfo(&["deploy", wrapped.to_str().unwrap(), "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains(&format!(
            "primary: validating with `{} -t -4 -q -cf",
            dhcpd.display()
        )),
        "{}",
        text(&out)
    );
}

/// An owner line as dhcpfo writes it, for a process of this machine.
fn owner_line(pid: u32, start: &str, machine: &str, id: &str) -> String {
    let read = |p: &str| std::fs::read_to_string(p).unwrap().trim().to_string();
    format!(
        "host={} machine={machine} boot={} pid={pid} start={start} user=someone since=1790000000 id={id}",
        read("/proc/sys/kernel/hostname"),
        read("/proc/sys/kernel/random/boot_id"),
    )
}

fn start_time(pid: u32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 1..];
    rest.split_whitespace().nth(19).unwrap().to_string()
}

/// This machine's id as dhcpfo reads it.
fn machine_id() -> String {
    let id = std::fs::read_to_string("/etc/machine-id").unwrap_or_default();
    match id.trim() {
        "" => "unknown".to_string(),
        id => id.to_string(),
    }
}

/// The PID of a process that has ended.
fn ended_process() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

fn plant_lock(pair: &Pair, i: usize, owner: &str) {
    let dir = pair.lab.peer(i).path("etc/dhcp/.dhcpfo.lock");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("owner"), format!("{owner}\n")).unwrap();
}

/// Clears a file's immutable attribute when dropped (so the lab can be removed).
struct Mutable<'a>(&'a Path, PathBuf);

impl Drop for Mutable<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new(self.0)
            .arg("-i")
            .arg(&self.1)
            .status();
    }
}

#[test]
fn locks_name_their_real_cause_and_dead_owners_are_taken_over() {
    let test = "locks_name_their_real_cause_and_dead_owners_are_taken_over";
    let Some(pair) = setup(test, "", ["", ""]) else {
        return;
    };
    let Some(chattr) = common::tool_or_skip(test, "chattr") else {
        return;
    };
    let machine = machine_id();

    // mkdir fails for another reason than a lock: the folder is immutable.
    let conf_dir = pair.lab.peer(0).path("etc/dhcp");
    let status = std::process::Command::new(&chattr)
        .arg("+i")
        .arg(&conf_dir)
        .status()
        .unwrap();
    assert!(status.success());
    let guard = Mutable(&chattr, conf_dir.clone());
    let out = pair.deploy(&["--yes"]);
    drop(guard);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("primary: cannot create the lock")
            && stderr.contains("Operation not permitted"),
        "{}",
        text(&out)
    );
    assert!(
        !stderr.contains("another deploy holds the lock"),
        "{}",
        text(&out)
    );
    assert!(
        !pair.lab.peer(1).path("etc/dhcp/.dhcpfo.lock").exists(),
        "released"
    );

    // A lock whose owner runs (this test's process) is refused.
    let me = std::process::id();
    plant_lock(
        &pair,
        0,
        &owner_line(me, &start_time(me), &machine, "00000000000000aa"),
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("another deploy holds the lock")
            && flat(&out.stderr).contains("another deploy runs now"),
        "{}",
        text(&out)
    );
    // The same PID started at another time is another process: its lock is stale.
    plant_lock(&pair, 0, &owner_line(me, "1", &machine, "00000000000000bb"));
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("primary: took over the lock of someone@")
            && flat(&out.stderr).contains("belongs to another process now"),
        "{}",
        text(&out)
    );
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);

    // A process that has ended.
    pair.reset();
    let gone_pid = ended_process();
    plant_lock(
        &pair,
        1,
        &owner_line(gone_pid, "12345", &machine, "00000000000000cc"),
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("no longer runs"),
        "{}",
        text(&out)
    );

    // Another machine's lock is never judged from here: refused with its id, taken over with
    // --force-unlock ID.
    pair.reset();
    plant_lock(
        &pair,
        1,
        &owner_line(gone_pid, "12345", "elsewhere", "00000000000000dd"),
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("it was taken from another machine")
            && flat(&out.stderr).contains("--force-unlock 00000000000000dd"),
        "{}",
        text(&out)
    );
    let out = pair.deploy(&["--yes", "--force-unlock", "00000000000000ee"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "another id does not unlock: {}",
        text(&out)
    );
    let out = pair.deploy(&["--yes", "--force-unlock", "00000000000000dd"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);
}

#[test]
fn two_deploys_racing_for_a_stale_lock_deploy_once() {
    let Some(pair) = setup(
        "two_deploys_racing_for_a_stale_lock_deploy_once",
        "",
        ["", ""],
    ) else {
        return;
    };
    let machine = machine_id();
    let gone_pid = ended_process();
    for i in 0..2 {
        plant_lock(
            &pair,
            i,
            &owner_line(gone_pid, "1", &machine, "00000000000000ff"),
        );
    }
    let (mut a, ra) = spawn_deploy(&pair);
    let (mut b, rb) = spawn_deploy(&pair);
    let codes = [a.wait().unwrap().code(), b.wait().unwrap().code()];
    let texts = [ra.join().unwrap(), rb.join().unwrap()];
    assert!(codes.contains(&Some(0)), "{codes:?} {texts:?}");
    for (code, text) in codes.iter().zip(&texts) {
        assert!(
            *code == Some(0) || (text.contains("another deploy") && *code == Some(2)),
            "{code:?}: {text}"
        );
    }
    assert_eq!(pair.assert_settled(&texts.join("\n")), Version::New);
    for i in 0..2 {
        assert_eq!(pair.lab.peer(i).restarts(), 1, "deployed once: {texts:?}");
    }
}
