//! `dhcpfo deploy` when things go wrong, against two real OpenSSH daemons (see
//! `common/sshd.rs`) with the real ISC dhcpd validating: signals at every step, a deploy killed
//! outright and settled by the next one, a hung restart, hostile folders and planted links,
//! backup pruning, truthful reports, huge outputs and files (over the read cap, a correct diff
//! under it, a lease file streamed past it and cut at its deadline), escape sequences, locks.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]
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
    pair_in(Lab::start(test)?, extra, ssh_extra)
}

/// Like [`setup`], with both peers' files under the same paths (see `Lab::start_same_paths`).
fn setup_same_paths(test: &str) -> Option<Pair> {
    common::dhcpd_or_skip(test)?;
    pair_in(Lab::start_same_paths(test)?, "", ["", ""])
}

fn pair_in(lab: Lab, extra: &str, ssh_extra: [&str; 2]) -> Option<Pair> {
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

    /// Runs `deploy --yes`, which must succeed, say each of `expected` and leave both peers
    /// on the new files, running them (see [`Pair::assert_settled`]).
    fn deploy_settles_new(&self, expected: &[&str]) {
        let out = self.deploy_ok(expected);
        assert_eq!(self.assert_settled(&text(&out)), Version::New);
    }

    /// Runs `deploy --yes`, which must succeed and say each of `expected`.
    fn deploy_ok(&self, expected: &[&str]) -> Output {
        let out = self.deploy(&["--yes"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        for e in expected {
            assert!(flat(&out.stderr).contains(e), "{e}: {}", text(&out));
        }
        out
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

/// Runs `dhcpfo deploy --yes`, sending `sig` once `steps` steps have finished; returns the
/// exit status, standard error, and whether the signal was sent.
fn deploy_and_signal(pair: &Pair, steps: usize, sig: i32) -> (Option<i32>, String, bool) {
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
                    libc::kill(child.id() as i32, sig);
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

/// Sends `sig` (named `name`) after step 1, 1 + `stride`, ... of a deploy in turn, each time
/// from the old files; checks that both peers end on one version, running it, and that the
/// exit status says whether the signal stopped the deploy. Returns the versions reached.
fn signal_at_steps(pair: &Pair, sig: i32, name: &str, stride: usize) -> Vec<Version> {
    let mut outcomes = Vec::new();
    for steps in (1..=80).step_by(stride) {
        pair.reset();
        let (code, stderr, sent) = deploy_and_signal(pair, steps, sig);
        let context = format!("{name} after step {steps}:\n{stderr}");
        if !sent {
            // The deploy had fewer steps: every one has been interrupted.
            assert_eq!(code, Some(0), "{context}");
            assert_eq!(pair.assert_settled(&context), Version::New);
            break;
        }
        let version = pair.assert_settled(&context);
        match code {
            Some(c) if c == 128 + sig => {
                assert!(stderr.contains(&format!("{name} received")), "{context}");
                assert!(stderr.contains(&format!("stopped by {name}")), "{context}");
            }
            // The signal came after the last step it could stop: the deploy had finished.
            Some(0) => assert_eq!(version, Version::New, "{context}"),
            other => panic!("exit status {other:?}; {context}"),
        }
        outcomes.push(version);
        if outcomes.len() % 4 != 0 {
            continue;
        }
        // Whatever the signal left, the next deploy goes through (checked every fourth time, to
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
        "{name} landed both before and after the switch: {outcomes:?}"
    );
    outcomes
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
    let outcomes = signal_at_steps(&pair, libc::SIGTERM, "SIGTERM", 1);
    assert!(outcomes.len() > 20, "{} steps", outcomes.len());
}

/// Ctrl-C (SIGINT) and a closed terminal (SIGHUP) are handled as SIGTERM is, at every third
/// step (each exits 128 + its number when it stopped the deploy).
#[test]
fn sigint_and_sighup_leave_both_peers_old_or_both_new() {
    let Some(pair) = setup(
        "sigint_and_sighup_leave_both_peers_old_or_both_new",
        "",
        ["", ""],
    ) else {
        return;
    };
    for (sig, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGHUP, "SIGHUP")] {
        let outcomes = signal_at_steps(&pair, sig, name, 3);
        assert!(outcomes.len() > 6, "{name}: {} steps", outcomes.len());
    }
}

/// A signal while the last peer restarts comes after the last step it could stop: the deploy
/// completes as it would have, says so, and exits 0.
#[test]
fn a_signal_during_the_last_restart_leaves_a_finished_deploy_finished() {
    let Some(pair) = setup(
        "a_signal_during_the_last_restart_leaves_a_finished_deploy_finished",
        "",
        ["", ""],
    ) else {
        return;
    };
    // The primary restarts last (secondary first by default).
    let (started, go) = hold_restart(&pair, 0);
    let (mut child, reader) = spawn_deploy(&pair);
    wait_for(&started, "the primary's restart");
    signal(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&go, "").unwrap();
    let status = child.wait().unwrap();
    let stderr = reader.join().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("SIGTERM received"), "{stderr}");
    assert!(
        stderr.contains(
            "SIGTERM came after the last step it could have stopped: the deploy ended as it would have without it"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("\ndeployed\n"), "{stderr}");
    assert!(!stderr.contains("stopped by SIGTERM"), "{stderr}");
    assert_eq!(pair.assert_settled(&stderr), Version::New);
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

/// Kills a deploy (SIGKILL) while the secondary restarts: both peers hold the new files, the
/// primary still runs the old one. `while_held` runs while the restart is held; then the
/// restart goes on on the peer, ends, and its end is recorded in the journal.
fn kill_during_the_secondary_restart(pair: &Pair, while_held: impl FnOnce()) {
    let (started, go) = hold_restart(pair, 1);
    let (mut child, reader) = spawn_deploy(pair);
    wait_for(&started, "the secondary's restart");
    signal(&child, libc::SIGKILL);
    let _ = child.wait();
    let _ = reader.join();
    while_held();
    std::fs::write(&go, "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while pair.lab.peer(1).read("running.conf") != pair.new[1].0 {
        assert!(
            Instant::now() < deadline,
            "the secondary's restart never ended"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The command on the peer records the restart's end and the status check just after.
    let journal = pair.lab.peer(1).path("etc/dhcp/.dhcpfo.lock/journal");
    while !std::fs::read_to_string(&journal)
        .unwrap_or_default()
        .contains("\"event\":\"running\"")
    {
        assert!(
            Instant::now() < deadline,
            "the end of the secondary's restart was never recorded"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(pair.lab.peer(0).read("running.conf"), pair.old[0].0);
    std::fs::remove_file(pair.lab.peer(1).path("hook-restart")).unwrap();
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
    // Every journal entry is fsynced as it is written: a `sync` on each peer copies the
    // journal it is asked to sync, and at the kill each journal is all synced.
    for i in 0..2 {
        let p = pair.lab.peer(i);
        p.script(
            "fakebin/sync",
            &format!(
                "#!/bin/sh\nfor f in \"$@\"; do case \"$f\" in */.dhcpfo.lock/journal) cp -- \"$f\" {};; esac; done\nexec /usr/bin/sync \"$@\"\n",
                p.path("journal.synced").display()
            ),
        );
    }
    kill_during_the_secondary_restart(&pair, || {
        for i in 0..2 {
            let p = pair.lab.peer(i);
            let journal = p.read("etc/dhcp/.dhcpfo.lock/journal");
            assert!(journal.contains("\"event\":\"switch\""), "{journal}");
            assert_eq!(
                p.read("journal.synced"),
                journal,
                "{} synced it all",
                p.role
            );
        }
        assert!(
            pair.lab
                .peer(1)
                .read("etc/dhcp/.dhcpfo.lock/journal")
                .contains("\"event\":\"restart-begin\"")
        );
    });
    for i in 0..2 {
        std::fs::remove_file(pair.lab.peer(i).path("fakebin/sync")).unwrap();
    }

    let out = pair.lab.dhcpfo(&["diff", pair.m()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = flat(&out.stderr);
    let heading = stderr
        .split("primary: an unfinished deploy (")
        .nth(1)
        .and_then(|rest| rest.split(") is recorded").next())
        .unwrap_or_default();
    assert_eq!(
        heading.matches("lock id").count(),
        1,
        "the lock id once: {heading}"
    );
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
    pair.deploy_ok(&["nothing to deploy"]);
}

/// Production peers have the same paths (`/etc/dhcp/dhcpd.conf` on both): the journal in one
/// peer's lock is described with that peer's files only, never its partner's entries for the
/// same path (which hold the partner's content, so here they would read "neither").
#[test]
fn with_the_same_paths_on_both_peers_each_journal_speaks_of_its_own_peer() {
    let Some(pair) =
        setup_same_paths("with_the_same_paths_on_both_peers_each_journal_speaks_of_its_own_peer")
    else {
        return;
    };
    let shared = pair.lab.peer(0).remote("etc/dhcp/dhcpd.conf");
    assert_eq!(shared, pair.lab.peer(1).remote("etc/dhcp/dhcpd.conf"));
    kill_during_the_secondary_restart(&pair, || {});
    let out = pair.lab.dhcpfo(&["diff", pair.m()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("neither"), "{stderr}");
    for role in ["primary", "secondary"] {
        let held: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with(&format!("{role}: /")) && l.contains(" holds "))
            .collect();
        assert_eq!(held.len(), 2, "{role}: {stderr}");
        assert!(
            held.iter()
                .all(|l| l.contains("holds the NEW file (switched by that deploy)")),
            "{held:?}"
        );
        assert!(
            held[0].starts_with(&format!("{role}: {}", shared.display())),
            "{held:?}"
        );
    }
    let out = pair.lab.dhcpfo(&["status", pair.m()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout
            .matches("holds the NEW file (switched by that deploy)")
            .count(),
        4,
        "{}",
        text(&out)
    );
    assert!(!stdout.contains("neither"), "{}", text(&out));

    pair.deploy_settles_new(&["was completed first"]);
}

/// A file changed by hand after a deploy died stops the next deploy (DF531); the way back it
/// prints names the backup only once it was hashed on the peer and holds the previous file.
#[test]
fn an_unsettled_deploy_names_only_a_backup_checked_on_the_peer() {
    let Some(pair) = setup(
        "an_unsettled_deploy_names_only_a_backup_checked_on_the_peer",
        "",
        ["", ""],
    ) else {
        return;
    };
    kill_during_the_secondary_restart(&pair, || {});
    let p = pair.lab.peer(0);
    let edited = format!("{}# edited by hand\n", pair.new[0].0);
    std::fs::write(p.config(), &edited).unwrap();
    let dir = p.path("etc/dhcp");
    let backup = names(&dir)
        .into_iter()
        .find(|n| n.starts_with("dhcpd.conf.dhcpfo-backup-"))
        .map(|n| dir.join(n))
        .unwrap();
    let refused = |expected: &str| {
        let out = pair.deploy(&["--yes"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let stderr = flat(&out.stderr);
        // miette may wrap a long path after a `/`: compared without spaces.
        let packed = |s: &str| s.replace(' ', "");
        assert!(
            stderr.contains("DF531")
                && stderr.contains("holds neither the previous nor the new file")
                && packed(&stderr).contains(&packed(expected)),
            "{expected}: {}",
            text(&out)
        );
        assert_eq!(p.read("etc/dhcp/dhcpd.conf"), edited, "left as it is");
        stderr
    };

    std::fs::remove_file(&backup).unwrap();
    let stderr = refused(&format!(
        "the backup {} that deploy made no longer exists",
        backup.display()
    ));
    assert!(!stderr.contains("cp -p --"), "{stderr}");

    std::fs::write(&backup, "# not the previous file\n").unwrap();
    let stderr = refused(&format!(
        "the backup {} that deploy made does NOT hold the previous file (SHA-256 differs)",
        backup.display()
    ));
    assert!(!stderr.contains("cp -p --"), "{stderr}");

    std::fs::write(&backup, &pair.old[0].0).unwrap();
    let command = format!("cp -p -- {} {}", backup.display(), p.config().display());
    refused(&format!(
        "its backup was checked: it holds the previous file): {command}"
    ));
    // The command printed works; then the next deploy rolls the dead deploy back and deploys.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(&command)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(p.read("etc/dhcp/dhcpd.conf"), pair.old[0].0);
    pair.deploy_settles_new(&["was rolled back first"]);
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

/// Makes the next restart of peer `i` cut its own SSH link: it kills the sshd processes of
/// its session (not the listener, so dhcpfo can connect again), then runs `then` (shell) and
/// goes on as a restart does. Later restarts run as usual.
fn cut_link_in_restart(pair: &Pair, i: usize, then: &str) {
    let p = pair.lab.peer(i);
    p.script(
        "hook-restart",
        &format!(
            "#!/bin/sh\n[ -e {once} ] && exit 0\ntouch {once}\nchain=\"\"\npid=$$\n\
             while [ -n \"$pid\" ] && [ \"$pid\" -gt 1 ]; do\n  pid=$(cut -d' ' -f4 /proc/$pid/stat 2>/dev/null)\n  \
             [ -n \"$pid\" ] && [ \"$pid\" != {listener} ] && [ \"$(cat /proc/$pid/comm 2>/dev/null)\" = sshd ] && chain=\"$chain $pid\"\n\
             done\nkill -9 $chain\n{then}\n",
            once = p.path("hook-ran").display(),
            listener = p.pid().unwrap(),
        ),
    );
}

/// A restart whose link is lost keeps running on the peer: its output goes to a file in the
/// lock, not to the dead SSH channel, where a write would kill it (SIGPIPE).
#[test]
fn a_lost_link_never_kills_a_restart_through_its_output() {
    let Some(pair) = setup(
        "a_lost_link_never_kills_a_restart_through_its_output",
        "",
        ["", ", restart-timeout: 10s"],
    ) else {
        return;
    };
    let s = pair.lab.peer(1);
    let done = s.path("hook-done");
    cut_link_in_restart(
        &pair,
        1,
        &format!(
            "sleep 1\necho 'restart: said after the link dropped'\necho 'restart: and on standard error' >&2\ntouch {}",
            done.display()
        ),
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        done.exists(),
        "the restart died with the link: {}",
        text(&out)
    );
    assert_eq!(pair.assert_settled(&text(&out)), Version::Old);
}

/// A restart whose link was lost may still run on the peer: the rollback waits for it before
/// it puts any file back, so the restart never reads a file changing under it.
#[test]
fn a_rollback_never_restores_under_a_restart_still_running() {
    let Some(pair) = setup(
        "a_rollback_never_restores_under_a_restart_still_running",
        "",
        ["", ", restart-timeout: 12s"],
    ) else {
        return;
    };
    let s = pair.lab.peer(1);
    let (conf, log) = (s.config(), s.path("overlap.log"));
    cut_link_in_restart(
        &pair,
        1,
        &format!(
            "h=$(sha256sum < {c})\nsleep 3\nif [ \"$(sha256sum < {c})\" = \"$h\" ]; then echo clear >> {l}; else echo overlap >> {l}; fi",
            c = conf.display(),
            l = log.display()
        ),
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(s.read("overlap.log"), "clear\n", "{}", text(&out));
    assert_eq!(pair.assert_settled(&text(&out)), Version::Old);
    assert_eq!(s.restarts(), 2, "the cut restart and the rollback's");
}

/// A restart whose answer was lost is neither failed nor succeeded until the peer's journal
/// says: the deploy waits for the journal to record its end (not for its whole deadline), and
/// reports it as it ended there, or as unknown when the journal records no end by then. The
/// secondary is only restarted (its service stopped, its files already new), so no restart of
/// the rollback hides the result.
#[test]
fn a_restart_whose_answer_was_lost_is_reported_from_the_peers_journal() {
    let Some(pair) = setup(
        "a_restart_whose_answer_was_lost_is_reported_from_the_peers_journal",
        "",
        ["", ""],
    ) else {
        return;
    };
    let s = pair.lab.peer(1);
    let long = model_with(&pair, "long.yaml", ["", ", restart-timeout: 30s"]);
    let short = model_with(&pair, "short.yaml", ["", ", restart-timeout: 3s"]);
    let prepare = |model: &Path, then: &str| {
        pair.reset();
        let new = pair.lab.render(model);
        std::fs::write(s.config(), &new[1].0).unwrap();
        std::fs::write(s.path("etc/default/isc-dhcp-server"), &new[1].1).unwrap();
        s.run_current();
        std::fs::remove_file(s.path("running")).unwrap();
        let _ = std::fs::remove_file(s.path("hook-ran"));
        cut_link_in_restart(&pair, 1, then);
    };
    let deploy = |model: &Path| {
        let started = Instant::now();
        let out = pair
            .lab
            .dhcpfo(&[
                "deploy",
                model.to_str().unwrap(),
                "--yes",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        (json_report(&out), flat(&out.stderr), started.elapsed())
    };

    // The restart goes on and succeeds: learnt from the journal as soon as it ends.
    prepare(&long, "sleep 2");
    let (report, stderr, took) = deploy(&long);
    let fin = &report["peers"][1]["final_state"];
    assert_eq!(fin["restart"], "succeeded", "{report}");
    assert_eq!(fin["running"], true, "{report}");
    assert_eq!(report["settled"], true, "{report}");
    let result = report["peers"][1]["result"].as_str().unwrap();
    assert_eq!(
        result, "its files were not to change; restarted; its service runs",
        "{report}"
    );
    assert!(took < Duration::from_secs(30), "waited {took:?}: {stderr}");
    assert_eq!(s.restarts(), 1, "never restarted again: {stderr}");
    assert_eq!(pair.holds(0), Version::Old);
    assert_eq!(s.read("running.conf"), s.read("etc/dhcp/dhcpd.conf"));
    for i in 0..2 {
        let lock = pair.lab.peer(i).path("etc/dhcp/.dhcpfo.lock");
        assert!(!lock.exists(), "{stderr}");
    }

    // It fails: so reported, with what it printed.
    prepare(&long, "echo 'restart: the unit failed to start'; exit 1");
    let (report, stderr, _) = deploy(&long);
    let fin = &report["peers"][1]["final_state"];
    assert_eq!(fin["restart"], "failed", "{report}");
    assert_eq!(fin["running"], false, "{report}");
    assert!(
        report
            .to_string()
            .contains("restart: the unit failed to start"),
        "{report}\n{stderr}"
    );

    // It is killed with the command that ran it, so the journal never records its end: once
    // it is past its deadline on the peer, it is reported as unknown, never as failed.
    prepare(
        &short,
        "pid=$PPID; chain=; while [ \"$pid\" -gt 1 ]; do case \"$(cat /proc/$pid/comm)\" in sh|dash|bash|timeout|restart) chain=\"$chain $pid\";; *) break;; esac; pid=$(cut -d' ' -f4 /proc/$pid/stat); done; kill -9 $chain",
    );
    let (report, stderr, _) = deploy(&short);
    let fin = &report["peers"][1]["final_state"];
    assert_eq!(fin["restart"], "unknown", "{report}");
    assert_eq!(report["settled"], false, "{report}");
    let result = report["peers"][1]["result"].as_str().unwrap();
    assert!(
        result.contains("whether its restart succeeded is UNKNOWN") && !result.contains("FAILED"),
        "{result}"
    );
    assert!(
        report
            .to_string()
            .contains("the peer's journal records no end"),
        "{report}\n{stderr}"
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
}

/// The names an attacker can predict are the fixed ones: the lock folder, the restart record,
/// the live files. A link planted at any of them, pointing at a root-only file or folder, is
/// never written through: the lock is not taken through it, a planted lock folder is not taken
/// over, the record replaces the link, and a live file that is a link is refused.
#[test]
fn links_planted_at_the_fixed_names_are_never_written_through() {
    let Some(pair) = setup(
        "links_planted_at_the_fixed_names_are_never_written_through",
        "",
        ["", ""],
    ) else {
        return;
    };
    let p = pair.lab.peer(0);
    let conf_dir = p.path("etc/dhcp");
    let victim = pair.lab.tmp.path().join("victim");
    std::fs::write(&victim, "secret\n").unwrap();
    chmod(&victim, 0o600);
    let victim_dir = pair.lab.tmp.path().join("victim-dir");
    std::fs::create_dir(&victim_dir).unwrap();
    chmod(&victim_dir, 0o700);
    let untouched = || {
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "secret\n");
        assert_eq!(
            std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(names(&victim_dir).is_empty(), "{:?}", names(&victim_dir));
        assert_eq!(
            std::fs::metadata(&victim_dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    };
    let is_link = |path: &Path| {
        std::fs::symlink_metadata(path)
            .unwrap()
            .file_type()
            .is_symlink()
    };

    // The lock folder's name, leading to another folder: no lock is taken through it.
    let lock = conf_dir.join(".dhcpfo.lock");
    std::os::unix::fs::symlink(&victim_dir, &lock).unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("primary: cannot create the lock"),
        "{}",
        text(&out)
    );
    untouched();
    assert!(is_link(&lock));
    for i in 0..2 {
        assert_eq!(pair.holds(i), Version::Old);
        assert_eq!(pair.lab.peer(i).restarts(), 0);
    }
    std::fs::remove_file(&lock).unwrap();

    // A lock folder planted by someone else (another owner, writable by all) or holding links
    // at the names a deploy appends to and writes, left without owner long enough to look
    // stale: never taken over, nothing written through it.
    for (uid, mode) in [(4321, 0o777), (0, 0o700)] {
        std::fs::create_dir(&lock).unwrap();
        for name in ["journal", "restart-output"] {
            std::os::unix::fs::symlink(&victim, lock.join(name)).unwrap();
        }
        std::os::unix::fs::chown(&lock, Some(uid), Some(uid)).unwrap();
        chmod(&lock, mode);
        let three_minutes_ago = std::time::SystemTime::now() - Duration::from_secs(180);
        std::fs::File::open(&lock)
            .and_then(|dir| dir.set_modified(three_minutes_ago))
            .unwrap();
        let out = pair.deploy(&["--yes"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            flat(&out.stderr).contains("is not a folder this SSH user made"),
            "{}",
            text(&out)
        );
        untouched();
        for i in 0..2 {
            assert_eq!(pair.holds(i), Version::Old);
            assert_eq!(pair.lab.peer(i).restarts(), 0);
        }
        std::fs::remove_dir_all(&lock).unwrap();
    }

    // The restart record's name, leading to a root-only file: the record replaces the link.
    let state = conf_dir.join(".dhcpfo.state");
    std::os::unix::fs::symlink(&victim, &state).unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    untouched();
    assert!(!is_link(&state), "the record replaced the link");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert!(record["files"].is_object(), "{record}");
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);

    // A live file that is a link, planted in the defaults folder: refused, the link stays.
    pair.reset();
    let defaults = p.path("etc/default/isc-dhcp-server");
    std::fs::remove_file(&defaults).unwrap();
    std::os::unix::fs::symlink(&victim, &defaults).unwrap();
    let restarts = [0, 1].map(|i| pair.lab.peer(i).restarts());
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("isc-dhcp-server: is a symbolic link (to ")
            && flat(&out.stderr).contains("DF528"),
        "{}",
        text(&out)
    );
    untouched();
    assert!(is_link(&defaults));
    assert_eq!([0, 1].map(|i| pair.lab.peer(i).restarts()), restarts);
    assert_eq!(pair.holds(1), Version::Old);
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
    assert_eq!(fin["restart"], "failed", "{report}");
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
    pair.deploy_settles_new(&["was rolled back first"]);
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
    // The restore that failed removed its own copy.
    let left = names(&p.path("etc/dhcp"));
    assert!(
        !left.iter().any(|n| n.contains(".dhcpfo-restore.")),
        "{left:?}"
    );
    // The secondary was put back whole. Both peers switch at once, so it may have stopped
    // before its first switch (it holds its previous files) or have been restored.
    assert_eq!(pair.holds(1), Version::Old);
    let secondary = report["peers"][1]["result"].as_str().unwrap();
    assert!(
        secondary.starts_with("restored to its previous files")
            || secondary.starts_with("holds its previous files"),
        "{report}"
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
    pair.deploy_settles_new(&[]);
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
    pair.deploy_settles_new(&[]);
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

    // The owner file and journal of a lock are the peer's text too.
    pair.reset();
    let owner = "host=evil\u{1b}]0;owned\u{7} machine=elsewhere boot=b pid=1 start=1 user=\u{1b}[2Jmallory since=1790000000 id=\u{1b}[31mfeed";
    plant_lock(&pair, 0, owner);
    let begin = serde_json::json!({
        "event": "begin",
        "deploy": "\u{1b}[31mfeed",
        "owner": owner,
        "order": "secondary-first",
        "peers": [{
            "peer": "primary",
            "host": "evil\u{1b}[5m:22",
            "files": [{ "live": "/etc/\u{1b}[1mdhcpd.conf", "old_sha256": null, "new_sha256": "ab" }],
            "restart": true,
        }],
    });
    std::fs::write(
        pair.lab.peer(0).path("etc/dhcp/.dhcpfo.lock/journal"),
        format!("{begin}\n"),
    )
    .unwrap();
    let no_escape = |out: &Output, what: &str| {
        assert!(
            !out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b),
            "{what}: {}",
            text(out)
        );
    };
    let out = pair.lab.dhcpfo(&["diff", pair.m()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    no_escape(&out, "diff");
    assert!(
        flat(&out.stderr).contains("an unfinished deploy (lock id \\x1b[31mfeed, \\x1b[2Jmallory@evil\\x1b]0;owned\\x07, pid 1")
            && flat(&out.stderr).contains("another machine (evil\\x1b]0;owned\\x07)"),
        "{}",
        text(&out)
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    no_escape(&out, "deploy");
    assert!(
        flat(&out.stderr).contains("--force-unlock \\x1b[31mfeed"),
        "{}",
        text(&out)
    );
    let out = pair.lab.dhcpfo(&["status", pair.m()]).output().unwrap();
    no_escape(&out, "status");
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
    // Nothing was restarted: the last step only releases the lock, and says so.
    assert!(
        flat(&out.stderr).contains("primary: releasing the lock ... ok")
            && !flat(&out.stderr).contains("recording the restart"),
        "{}",
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

/// This machine's id as dhcpfo writes it in an owner line (`unknown` when the file is missing
/// or empty).
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
    pair.deploy_ok(&["no longer runs"]);

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

/// Standard error that cannot be written to (a pipe nobody reads, a terminal gone after
/// SIGHUP) never makes a deploy panic half-way: here the line that says a new host key was
/// added to known_hosts is the first write, while the deploy ignores SIGPIPE.
#[test]
fn a_closed_standard_error_never_stops_a_deploy() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let Some(pair) = setup("a_closed_standard_error_never_stops_a_deploy", "", ["", ""]) else {
        return;
    };
    pair.lab.write_known_hosts(&[0]);
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills two valid descriptors, owned below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: each descriptor is owned once.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read_end);
    let status = pair
        .lab
        .dhcpfo(&["deploy", pair.m(), "--yes", "--accept-new-host-keys"])
        .stdout(Stdio::null())
        .stderr(Stdio::from(write_end))
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert_eq!(pair.assert_settled("closed stderr"), Version::New);
    let known = std::fs::read_to_string(pair.lab.known_hosts()).unwrap();
    assert_eq!(known.lines().count(), 2, "{known}");
}

/// "Nothing to deploy" needs both services running: a peer whose service is stopped is
/// planned for a restart, shown as a change, and restarted.
#[test]
fn a_stopped_service_is_restarted_not_reported_up_to_date() {
    let Some(pair) = setup(
        "a_stopped_service_is_restarted_not_reported_up_to_date",
        "",
        ["", ""],
    ) else {
        return;
    };
    pair.deploy_settles_new(&[]);
    let s = pair.lab.peer(1);
    std::fs::remove_file(s.path("running")).unwrap();
    let status_command = s.remote("bin/status");
    let why = format!(
        "its service is not running: `{}` exits 1",
        status_command.display()
    );

    let out = pair.lab.dhcpfo(&["diff", pair.m()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains(&format!(
            "secondary: does not run what is on its disk ({why})"
        )),
        "{}",
        text(&out)
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains(&format!("plan: secondary restart ({why})"))
            && !stderr.contains("nothing to deploy")
            && stderr.contains(&format!("restarted ({why}); the service runs")),
        "{}",
        text(&out)
    );
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);
    assert_eq!((pair.lab.peer(0).restarts(), s.restarts()), (1, 2));

    pair.deploy_ok(&["nothing to deploy"]);
}

/// A candidate whose upload fails half-way (here `chown` refuses) is removed by the command
/// that made it: nothing of the deploy is left behind.
#[test]
fn a_failed_upload_leaves_no_candidate_behind() {
    let Some(pair) = setup("a_failed_upload_leaves_no_candidate_behind", "", ["", ""]) else {
        return;
    };
    let p = pair.lab.peer(0);
    p.script(
        "fakebin/chown",
        "#!/bin/sh\necho 'chown: changing ownership: Operation not permitted' >&2\nexit 1\n",
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("Operation not permitted"),
        "{}",
        text(&out)
    );
    for i in 0..2 {
        let q = pair.lab.peer(i);
        for dir in ["etc/dhcp", "etc/default"] {
            let left = names(&q.path(dir));
            assert!(
                !left.iter().any(|n| n.contains(".dhcpfo-")),
                "{} {dir}: {left:?}",
                q.role
            );
        }
        assert_eq!(pair.holds(i), Version::Old);
        assert_eq!(q.restarts(), 0);
    }
}

/// A peer whose backup or switch fails stops its partner too: the partner ends the step under
/// way and replaces nothing more, so there is less to roll back.
#[test]
fn a_peer_stops_switching_once_its_partner_failed() {
    let Some(pair) = setup(
        "a_peer_stops_switching_once_its_partner_failed",
        "",
        ["", ""],
    ) else {
        return;
    };
    // Each of the primary's backups takes a second; the secondary's first backup fails once
    // the primary's first is under way (both peers switch at once: without the wait, a
    // secondary faster than the primary's first step would leave it nothing to stop).
    let wrapper = |then: &str| {
        format!(
            "#!/bin/sh\ncase \"$*\" in *.dhcpfo-backup-*) {then};; esac\nexec /bin/sync \"$@\"\n"
        )
    };
    let backing_up = pair.lab.peer(0).path("backing-up");
    pair.lab.peer(1).script(
        "fakebin/sync",
        &wrapper(&format!(
            "i=0; while [ ! -e {} ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; echo 'sync: I/O error' >&2; exit 1",
            backing_up.display()
        )),
    );
    pair.lab.peer(0).script(
        "fakebin/sync",
        &wrapper(&format!("touch {}; sleep 1", backing_up.display())),
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let primary: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("primary: ") && is_step(l))
        .collect();
    assert!(
        primary.iter().any(|l| l.starts_with("primary: backing up")),
        "{}",
        text(&out)
    );
    assert!(
        !primary.iter().any(|l| l.starts_with("primary: renaming")),
        "the primary went on switching: {}",
        text(&out)
    );
    assert!(
        flat(&out.stderr)
            .contains("primary: stopping after the step under way: the secondary failed"),
        "{}",
        text(&out)
    );
    for i in 0..2 {
        assert_eq!(pair.holds(i), Version::Old);
        assert_eq!(pair.lab.peer(i).restarts(), 0);
    }
}

/// A lock folder without owner file (a release cut short, or an earlier dhcpfo that died
/// between its `mkdir` and its owner) is never silently replaced: refused while it is young,
/// as a deploy may be taking it, and taken over through the stale-lock path once it is old.
#[test]
fn a_lock_without_owner_is_taken_over_only_when_stale() {
    let Some(pair) = setup(
        "a_lock_without_owner_is_taken_over_only_when_stale",
        "",
        ["", ""],
    ) else {
        return;
    };
    let lock = pair.lab.peer(0).path("etc/dhcp/.dhcpfo.lock");
    std::fs::create_dir(&lock).unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("another deploy holds the lock")
            && flat(&out.stderr).contains("(no owner yet)")
            && flat(&out.stderr).contains("a deploy may be taking the lock right now"),
        "{}",
        text(&out)
    );
    assert!(names(&lock).is_empty(), "left alone: {:?}", names(&lock));
    for i in 0..2 {
        assert_eq!(pair.holds(i), Version::Old);
    }

    let ten_minutes_ago = std::time::SystemTime::now() - Duration::from_secs(600);
    std::fs::File::open(&lock)
        .unwrap()
        .set_modified(ten_minutes_ago)
        .unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr)
            .contains("primary: took over the lock of owner unknown (it has had no owner for"),
        "{}",
        text(&out)
    );
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);
}

/// The lock's journal is read whole up to the read cap, and past it refused with the cap's
/// error, never cut short without a word (a cut would hide its last entries).
#[test]
fn a_long_journal_is_read_whole_or_refused() {
    let Some(pair) = setup("a_long_journal_is_read_whole_or_refused", "", ["", ""]) else {
        return;
    };
    let machine = machine_id();
    let owner = owner_line(ended_process(), "1", &machine, "00000000000000ab");
    plant_lock(&pair, 0, &owner);
    let begin = serde_json::json!({
        "event": "begin",
        "deploy": "00000000000000ab",
        "owner": owner,
        "order": "secondary-first",
        "peers": [],
    });
    let mut journal = String::new();
    while journal.len() < 2 << 20 {
        journal.push_str("{\"event\":\"running\",\"ok\":true}\n");
    }
    journal.push_str(&format!("{begin}\n"));
    let path = pair.lab.peer(0).path("etc/dhcp/.dhcpfo.lock/journal");
    std::fs::write(&path, &journal).unwrap();

    // Read whole: its last line, the plan, makes it the journal of an unfinished deploy.
    let out = pair.lab.dhcpfo(&["diff", pair.m()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("primary: an unfinished deploy (lock id 00000000000000ab"),
        "{}",
        text(&out)
    );
    let out = pair.lab.dhcpfo(&["status", pair.m()]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("deploy: an unfinished deploy (lock id"),
        "{}",
        text(&out)
    );

    // Over the cap: an error that names it and the flag.
    for command in ["diff", "status"] {
        let out = pair
            .lab
            .dhcpfo(&[command, pair.m(), "--max-remote-size", "1M"])
            .output()
            .unwrap();
        let all = format!(
            "{} {}",
            String::from_utf8_lossy(&out.stdout),
            flat(&out.stderr)
        );
        assert!(
            all.contains(
                "primary: the lock's journal (2.0 MiB) is larger than the 1 MiB read limit"
            ) && flat(&out.stderr).contains("DF527")
                && flat(&out.stderr).contains("--max-remote-size"),
            "{command}: {}",
            text(&out)
        );
    }
}

/// A status command that hangs is named as what hung, not taken for a hung restart: once
/// right after the restart (checked again, the deploy goes through), and for good (the deploy
/// rolls back and says which command did not answer).
#[test]
fn a_hung_status_command_is_named_as_such() {
    let Some(pair) = setup(
        "a_hung_status_command_is_named_as_such",
        "",
        ["", ", restart-timeout: 5s, command-timeout: 2s"],
    ) else {
        return;
    };
    let s = pair.lab.peer(1);
    let status_script = s.read("bin/status");
    let flag = s.path("hang-status");
    s.script(
        "hook-restart",
        &format!("#!/bin/sh\ntouch {}\n", flag.display()),
    );
    s.script(
        "bin/status",
        &format!(
            "#!/bin/sh\nif [ -e {f} ]; then rm -f {f}; sleep 600; fi\n{status_script}",
            f = flag.display()
        ),
    );
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("secondary: the status command ran longer than 2 s right after the restart (the peer killed it); checking again")
            && !stderr.contains("the restart ran longer"),
        "{}",
        text(&out)
    );
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);

    pair.reset();
    std::fs::remove_file(s.path("hook-restart")).unwrap();
    s.script("bin/status", "#!/bin/sh\nsleep 600\n");
    let out = pair.deploy(&["--yes", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("secondary: the status command ran longer than 2 s; the peer killed it")
            && !stderr.contains("the restart ran longer"),
        "{}",
        text(&out)
    );
    let report = json_report(&out);
    let fin = &report["peers"][1]["final_state"];
    assert_eq!(fin["verified"], true, "{report}");
    assert_eq!(fin["status_hung"], true, "{report}");
    assert_eq!(fin["restart"], "succeeded", "{report}");
    assert!(
        report["peers"][1]["result"].as_str().unwrap().contains(
            "whether its service runs is unknown: its status command did not answer in time"
        ),
        "{report}"
    );
    for i in 0..2 {
        assert_eq!(pair.holds(i), Version::Old);
    }

    // With a status command that answers, the next deploy settles the pair, then deploys.
    s.script("bin/status", &status_script);
    pair.deploy_settles_new(&[]);
}

/// The commands a human report's line for `role` gives after "to recover by hand: ".
fn recovery_commands(stderr: &str, role: &str) -> Vec<String> {
    let line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{role} (")))
        .unwrap_or_else(|| panic!("no line for {role}: {stderr}"));
    let (_, commands) = line
        .split_once("to recover by hand: ")
        .unwrap_or_else(|| panic!("no recovery for {role}: {line}"));
    commands
        .split("; ")
        .take_while(|c| !c.starts_with("its lock and journal stay"))
        .map(str::to_string)
        .collect()
}

/// A peer restarted only because its service had stopped (none of its files change), whose
/// restart fails: the report says that no live file was replaced; once the service can start,
/// the commands printed and the next deploy settle the pair (its restart is run again), never
/// "the peers could not be brought to one version" for good.
#[test]
fn a_failed_restart_of_an_unchanged_peer_is_settled_by_the_next_deploy() {
    let Some(pair) = setup(
        "a_failed_restart_of_an_unchanged_peer_is_settled_by_the_next_deploy",
        "",
        ["", ""],
    ) else {
        return;
    };
    pair.deploy_settles_new(&[]);
    let s = pair.lab.peer(1);
    std::fs::remove_file(s.path("running")).unwrap();
    std::fs::write(s.path("fail-restart"), "").unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        flat(&out.stderr).contains(
            "deploy FAILED: a restart failed; no live file had been replaced, so there was nothing to roll back"
        ) && !stderr.contains("after live files were replaced")
            && !stderr.contains("rolled back"),
        "{}",
        text(&out)
    );
    assert!(
        flat(&out.stderr).contains(
            "its files were not to change; its restart FAILED; its service is NOT running"
        ),
        "{}",
        text(&out)
    );
    let commands = recovery_commands(&stderr, "secondary");
    assert_eq!(
        commands,
        [
            s.remote("bin/restart").display().to_string(),
            s.remote("bin/status").display().to_string()
        ],
        "{}",
        text(&out)
    );

    // The cause fixed and the commands printed run by hand: the next deploy settles the pair
    // (it runs the restart again) and clears the journal, and the one after has nothing to do.
    std::fs::remove_file(s.path("fail-restart")).unwrap();
    for command in &commands {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .status()
            .unwrap();
        assert!(status.success(), "{command}");
    }
    let restarts = s.restarts();
    pair.deploy_settles_new(&["first: the unfinished deploy with lock id"]);
    assert_eq!(
        s.restarts(),
        restarts + 1,
        "the failed restart was run again"
    );
    let out = pair.lab.dhcpfo(&["status", pair.m()]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("unfinished deploy"),
        "{}",
        text(&out)
    );
    pair.deploy_ok(&["nothing to deploy"]);

    // Without the commands run by hand, the next deploy runs the restart again itself.
    std::fs::remove_file(s.path("running")).unwrap();
    std::fs::write(s.path("fail-restart"), "").unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    std::fs::remove_file(s.path("fail-restart")).unwrap();
    let restarts = s.restarts();
    pair.deploy_settles_new(&["first: the unfinished deploy with lock id"]);
    assert_eq!(s.restarts(), restarts + 1, "{}", text(&out));
}

/// A peer restarted only because its service had stopped, whose restart keeps failing, never
/// blocks the deploys after it: settling the unfinished deploy runs its restart again, and when
/// that fails too (its files are on one version), the journal is cleared, the report says its
/// service is not running, and the deploy that changes both peers goes on (it switches the new
/// files, then rolls back when that restart fails) instead of stopping with "the peers could
/// not be brought to one version"; once the service can start, the next deploy goes through.
#[test]
fn a_peer_whose_restart_keeps_failing_does_not_block_the_next_deploy() {
    let Some(pair) = setup(
        "a_peer_whose_restart_keeps_failing_does_not_block_the_next_deploy",
        "",
        ["", ""],
    ) else {
        return;
    };
    pair.deploy_settles_new(&[]);
    let s = pair.lab.peer(1);
    std::fs::remove_file(s.path("running")).unwrap();
    std::fs::write(s.path("fail-restart"), "").unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("deploy FAILED: a restart failed; no live file had been replaced")
            && !stderr.contains("restoring both peers"),
        "{}",
        text(&out)
    );

    // The previous files back on both peers (the secondary's service still stopped), so that
    // deploying the model changes both.
    for i in 0..2 {
        let p = pair.lab.peer(i);
        std::fs::write(p.config(), &pair.old[i].0).unwrap();
        std::fs::write(p.path("etc/default/isc-dhcp-server"), &pair.old[i].1).unwrap();
    }
    pair.lab.peer(0).run_current();
    for round in 0..2 {
        let restarts = s.restarts();
        let out = pair.deploy(&["--yes"]);
        let stderr = flat(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "round {round}: {}", text(&out));
        assert!(
            !stderr.contains("DF531")
                && !stderr.contains("could not be verified to be on one version"),
            "round {round}: {}",
            text(&out)
        );
        assert!(
            stderr.contains("the service is NOT running on the secondary (its restart failed again): the new plan restarts it")
                && stderr.contains("deploy FAILED after live files were replaced; both peers were rolled back"),
            "round {round}: {}",
            text(&out)
        );
        // Settling restarts it once, the deploy once, its rollback once.
        assert_eq!(s.restarts(), restarts + 3, "round {round}: {}", text(&out));
        for i in 0..2 {
            assert_eq!(pair.holds(i), Version::Old, "round {round}: {}", text(&out));
        }
    }

    std::fs::remove_file(s.path("fail-restart")).unwrap();
    pair.deploy_settles_new(&["first: the unfinished deploy with lock id"]);
    pair.deploy_ok(&["nothing to deploy"]);
}

/// The same with a restart command that fails while the service goes on running (the files
/// from before): settling the unfinished deploy does not stop with "could not be verified to
/// run" (DF531), which would be untrue; the report says the service still runs the files from
/// before, the new plan restarts it, and once the restart works the next deploy goes through.
#[test]
fn a_restart_that_fails_while_the_service_runs_does_not_block_the_next_deploy() {
    let Some(pair) = setup(
        "a_restart_that_fails_while_the_service_runs_does_not_block_the_next_deploy",
        "",
        ["", ""],
    ) else {
        return;
    };
    pair.deploy_settles_new(&[]);
    let s = pair.lab.peer(1);
    s.script(
        "hook-restart",
        "#!/bin/sh\necho 'Job for isc-dhcp-server.service failed' >&2\nexit 1\n",
    );
    // The previous files back on both peers, run by both, so that deploying the model changes
    // both and the secondary's restart fails with its service still up.
    for i in 0..2 {
        let p = pair.lab.peer(i);
        std::fs::write(p.config(), &pair.old[i].0).unwrap();
        std::fs::write(p.path("etc/default/isc-dhcp-server"), &pair.old[i].1).unwrap();
        p.run_current();
    }
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(s.path("running").exists(), "{}", text(&out));
    for round in 0..2 {
        let restarts = s.restarts();
        let out = pair.deploy(&["--yes"]);
        let stderr = flat(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "round {round}: {}", text(&out));
        assert!(
            !stderr.contains("DF531")
                && !stderr.contains("could not be verified")
                && !stderr.contains("could not be brought to one version"),
            "round {round}: {}",
            text(&out)
        );
        assert!(
            stderr.contains("the restart failed again on the secondary, whose service still runs the files from before: the new plan restarts it")
                && stderr.contains("deploy FAILED after live files were replaced; both peers were rolled back"),
            "round {round}: {}",
            text(&out)
        );
        // Settling restarts it once, the deploy once, its rollback once.
        assert_eq!(s.restarts(), restarts + 3, "round {round}: {}", text(&out));
        for i in 0..2 {
            assert_eq!(pair.holds(i), Version::Old, "round {round}: {}", text(&out));
        }
    }

    std::fs::remove_file(s.path("hook-restart")).unwrap();
    pair.deploy_settles_new(&["first: the unfinished deploy with lock id"]);
    pair.deploy_ok(&["nothing to deploy"]);
}

/// What an unfinished deploy left on the peers: each peer's journal, lock owner and restarts,
/// and what the primary runs.
fn left_behind(pair: &Pair) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..2 {
        let p = pair.lab.peer(i);
        out.push(p.read("etc/dhcp/.dhcpfo.lock/journal"));
        out.push(p.read("etc/dhcp/.dhcpfo.lock/owner"));
        out.push(p.restarts().to_string());
        out.push(p.read("running.conf"));
    }
    out
}

/// A dry run, and a deploy on a terminal before its question is answered, never settle an
/// unfinished deploy (that restarts production peers): they show what settling it would do as
/// plan lines, the question names it, and "no" leaves everything as it was.
#[test]
fn a_dry_run_or_an_unanswered_question_never_settles_an_unfinished_deploy() {
    let test = "a_dry_run_or_an_unanswered_question_never_settles_an_unfinished_deploy";
    let Some(pair) = setup(test, "", ["", ""]) else {
        return;
    };
    kill_during_the_secondary_restart(&pair, || {});
    let before = left_behind(&pair);
    assert!(before[0].contains("\"event\":\"switch\""), "{before:?}");

    let out = pair.deploy(&["--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = flat(&out.stderr);
    for expected in [
        "plan: settle the unfinished deploy (lock id",
        "complete it",
        "plan: primary restart (to run the new files that deploy switched)",
        "dry run: an unfinished deploy is recorded on the peers; nothing was changed",
    ] {
        assert!(stderr.contains(expected), "{expected}: {}", text(&out));
    }
    assert!(
        !stderr.contains("plan: secondary restart"),
        "{}",
        text(&out)
    );
    assert_eq!(left_behind(&pair), before, "{}", text(&out));

    if common::tool_or_skip(test, "script").is_none() {
        return;
    }
    let (code, screen) = pair.lab.on_terminal(&["deploy", pair.m()], "n\n");
    assert_eq!(code, Some(1), "{screen}");
    assert!(
        screen.contains("plan: settle the unfinished deploy (lock id")
            && screen.contains("Settle the unfinished deploy as planned above? [y/N]")
            && screen.contains("not confirmed; nothing was changed"),
        "{screen}"
    );
    assert_eq!(left_behind(&pair), before, "{screen}");

    let (code, screen) = pair.lab.on_terminal(&["deploy", pair.m()], "y\n");
    assert_eq!(code, Some(0), "{screen}");
    assert!(screen.contains("was completed first"), "{screen}");
    assert_eq!(pair.assert_settled(&screen), Version::New);
    assert_eq!(pair.lab.restart_order(), ["secondary", "primary"]);
}

/// A lock of an earlier dhcpfo records only its host name and PID, not the machine, boot and
/// start time: whether its deploy still runs cannot be told from here, so it is never taken
/// over automatically (DF529), and the hint says how to take it over or remove it once checked.
#[test]
fn an_earlier_versions_lock_is_never_taken_over_automatically() {
    let Some(pair) = setup(
        "an_earlier_versions_lock_is_never_taken_over_automatically",
        "",
        ["", ""],
    ) else {
        return;
    };
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let earlier = format!(
        "host={} pid={} user=someone since=1790000000",
        host.trim(),
        ended_process()
    );
    plant_lock(&pair, 0, &format!("{earlier} token=0042"));
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("DF529")
            && stderr.contains("taken by an earlier dhcpfo")
            && stderr.contains("--force-unlock 0042"),
        "{}",
        text(&out)
    );
    for i in 0..2 {
        assert_eq!(pair.holds(i), Version::Old);
        assert_eq!(pair.lab.peer(i).restarts(), 0);
    }
    let out = pair.deploy(&["--yes", "--force-unlock", "0042"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);

    // Without a lock id, the hint names the folder to remove.
    pair.reset();
    plant_lock(&pair, 1, &earlier);
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let lock = pair.lab.peer(1).remote("etc/dhcp/.dhcpfo.lock");
    // miette may wrap a long path after a `/`: compared without spaces.
    let packed = |s: &str| s.replace(' ', "");
    assert!(
        flat(&out.stderr).contains("DF529")
            && packed(&flat(&out.stderr))
                .contains(&packed(&format!("rm -r -- {}", lock.display()))),
        "{}",
        text(&out)
    );
    assert_eq!(pair.holds(1), Version::Old);
}

/// The lock's owner file is never read through a symbolic link: one planted there, leading to
/// a file that holds the owner line of a deploy that has ended, is refused (DF529), not taken
/// over.
#[test]
fn a_lock_owner_that_is_a_link_is_never_read_through() {
    let Some(pair) = setup(
        "a_lock_owner_that_is_a_link_is_never_read_through",
        "",
        ["", ""],
    ) else {
        return;
    };
    let elsewhere = pair.lab.tmp.path().join("owner-elsewhere");
    let owner = owner_line(ended_process(), "1", &machine_id(), "00000000000000ad");
    std::fs::write(&elsewhere, format!("{owner}\n")).unwrap();
    let lock = pair.lab.peer(0).path("etc/dhcp/.dhcpfo.lock");
    std::fs::create_dir(&lock).unwrap();
    std::os::unix::fs::symlink(&elsewhere, lock.join("owner")).unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("DF529") && flat(&out.stderr).contains("symbolic link"),
        "{}",
        text(&out)
    );
    assert!(
        std::fs::symlink_metadata(lock.join("owner"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "left as it is"
    );
    for i in 0..2 {
        assert_eq!(pair.holds(i), Version::Old);
    }
}

/// An unfinished deploy's journal is the peer's text: one that names a file that is not one of
/// that peer's files in the model (here a file next to dhcpd.conf, and a name with escape
/// sequences) is refused (DF531), never restored, removed or printed raw.
#[test]
fn a_journal_naming_files_outside_the_model_is_refused() {
    let Some(pair) = setup(
        "a_journal_naming_files_outside_the_model_is_refused",
        "",
        ["", ""],
    ) else {
        return;
    };
    let p = pair.lab.peer(0);
    let precious = p.path("etc/dhcp/precious.conf");
    std::fs::write(&precious, "precious\n").unwrap();
    let owner = owner_line(ended_process(), "1", &machine_id(), "00000000000000ae");
    for live in [
        p.remote("etc/dhcp/precious.conf").display().to_string(),
        p.remote("etc/dhcp/\u{1b}[2Jdhcpd.conf")
            .display()
            .to_string(),
    ] {
        plant_lock(&pair, 0, &owner);
        let begin = serde_json::json!({
            "event": "begin",
            "deploy": "00000000000000ae",
            "owner": owner,
            "order": "secondary-first",
            "peers": [{
                "peer": "primary",
                "host": "127.0.0.1:22",
                // Not there before, the new file now: a rollback would remove it.
                "files": [{
                    "live": live,
                    "old_sha256": null,
                    "new_sha256": dhcpfo::remote::files::sha256(b"precious\n"),
                }],
                "restart": true,
            }],
        });
        let journal = [
            begin.to_string(),
            serde_json::json!({ "event": "switch", "live": live }).to_string(),
            r#"{"event":"restart-begin","at":"1","deadline":1}"#.to_string(),
            r#"{"event":"restart-end","ok":false}"#.to_string(),
        ];
        std::fs::write(
            p.path("etc/dhcp/.dhcpfo.lock/journal"),
            journal.join("\n") + "\n",
        )
        .unwrap();
        let out = pair.deploy(&["--yes"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            flat(&out.stderr).contains("DF531")
                && flat(&out.stderr).contains("is not one of this peer's files in the model"),
            "{}",
            text(&out)
        );
        assert!(!out.stderr.contains(&0x1b), "{}", text(&out));
        assert_eq!(std::fs::read_to_string(&precious).unwrap(), "precious\n");
        assert_eq!(p.restarts(), 0);
        std::fs::remove_dir_all(p.path("etc/dhcp/.dhcpfo.lock")).unwrap();
    }
}

/// A deploy whose last command failed on one peer (here the restart record could not be
/// written on the secondary, so its lock and journal stay) is settled by the next deploy
/// without restarting the primary again: its restart record, written by that deploy, shows it
/// runs the new files.
#[test]
fn a_peer_whose_restart_record_shows_the_new_files_is_not_restarted_again() {
    let Some(pair) = setup(
        "a_peer_whose_restart_record_shows_the_new_files_is_not_restarted_again",
        "",
        ["", ""],
    ) else {
        return;
    };
    let s = pair.lab.peer(1);
    let flag = s.path("fail-record");
    std::fs::write(&flag, "").unwrap();
    s.script(
        "fakebin/mktemp",
        &format!(
            "#!/bin/sh\ncase \"$*\" in *.dhcpfo.state.*) if [ -e {f} ]; then rm -f {f}; echo 'mktemp: No space left on device' >&2; exit 1; fi;; esac\nexec /usr/bin/mktemp \"$@\"\n",
            f = flag.display()
        ),
    );
    let out = pair.deploy(&["--yes"]);
    // Deployed, but not settled: never exit 0, and the failed step is said with its cause.
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("the pair is NOT settled")
            && stderr.contains("mktemp: No space left on device"),
        "{}",
        text(&out)
    );
    assert!(s.path("etc/dhcp/.dhcpfo.lock/journal").exists());
    assert!(!pair.lab.peer(0).path("etc/dhcp/.dhcpfo.lock").exists());
    let restarts = [0, 1].map(|i| pair.lab.peer(i).restarts());
    assert_eq!(restarts, [1, 1]);

    pair.deploy_settles_new(&["was completed first", "nothing"]);
    assert_eq!(
        [0, 1].map(|i| pair.lab.peer(i).restarts()),
        restarts,
        "neither peer was restarted again"
    );
}

/// A dry run whose plan only restarts a peer (its files are already on disk, its service is
/// stopped) says what it would do and exits 1, as for any change to make; it restarts nothing.
#[test]
fn a_dry_run_that_only_restarts_says_so() {
    let Some(pair) = setup("a_dry_run_that_only_restarts_says_so", "", ["", ""]) else {
        return;
    };
    pair.deploy_settles_new(&[]);
    let s = pair.lab.peer(1);
    std::fs::remove_file(s.path("running")).unwrap();
    let out = pair.deploy(&["--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("plan: secondary restart (its service is not running")
            && stderr.contains("dry run: secondary would be restarted (its service is not running")
            && !stderr.contains("validate"),
        "{}",
        text(&out)
    );
    let out = pair.deploy(&["--dry-run", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = json_report(&out);
    assert_eq!(report["outcome"], "dry-run");
    assert_eq!(
        report["planned_restarts"][0]["peer"], "secondary",
        "{report}"
    );
    assert_eq!((pair.lab.peer(0).restarts(), s.restarts()), (1, 1));
}

/// A peer whose files are on disk but which nothing shows to run them (no record of a restart
/// by dhcpfo, no dhcpd started with its dhcpd.conf) is never reported up to date: `diff` and
/// the plan say that it cannot be told, and deploy restarts it.
#[test]
fn a_peer_that_cannot_be_judged_is_restarted_not_reported_up_to_date() {
    let Some(pair) = setup(
        "a_peer_that_cannot_be_judged_is_restarted_not_reported_up_to_date",
        "",
        ["", ""],
    ) else {
        return;
    };
    pair.lab.install(&pair.new);
    let why = "cannot tell whether primary runs the files on disk: there is no record of a restart by dhcpfo";
    let out = pair.lab.dhcpfo(&["diff", pair.m()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains(&format!("primary: {why}")),
        "{}",
        text(&out)
    );
    let out = pair.deploy(&["--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains(&format!("plan: primary restart ({why}")),
        "{}",
        text(&out)
    );
    let out = pair.deploy_ok(&["plan: secondary restart (cannot tell whether secondary"]);
    assert!(
        !flat(&out.stderr).contains("nothing to deploy"),
        "{}",
        text(&out)
    );
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);
    assert_eq!([0, 1].map(|i| pair.lab.peer(i).restarts()), [1, 1]);
    pair.deploy_ok(&["nothing to deploy"]);
}

/// Stops the dhcpd whose PID file this names, when dropped.
struct StopDhcpd(PathBuf);

impl StopDhcpd {
    fn pid(&self) -> Option<i32> {
        std::fs::read_to_string(&self.0).ok()?.trim().parse().ok()
    }

    fn stop(&self) {
        let Some(pid) = self.pid() else {
            return;
        };
        // SAFETY: signals the dhcpd this test started, by the PID it wrote.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while runs(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Drop for StopDhcpd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The restart record names the real dhcpd it left running, by PID and start time: a dhcpd
/// restarted by hand since (here with the old dhcpd.conf, whose file was then put back) is
/// not taken as running what the record names, and one that is gone leaves it unknown.
#[test]
fn a_dhcpd_restarted_by_hand_since_the_record_is_not_taken_as_running_its_files() {
    let test = "a_dhcpd_restarted_by_hand_since_the_record_is_not_taken_as_running_its_files";
    let Some(pair) = setup(test, "", ["", ""]) else {
        return;
    };
    let Some(dhcpd) = common::dhcpd_or_skip(test) else {
        return;
    };
    let Some(net) = common::netns::Lab::builder("rec")
        .host("srv", Some("192.168.50.100/24"))
        .build_or_skip(test)
    else {
        return;
    };
    let p = pair.lab.peer(0);
    let pid_file = p.path("dhcpd.pid");
    let running = StopDhcpd(pid_file.clone());
    // The primary's restart starts the real dhcpd with its live dhcpd.conf, in a network
    // namespace where the primary's address is on eth0.
    p.script(
        "hook-restart",
        &format!(
            "#!/bin/sh\npf={pf}\nif [ -s \"$pf\" ]; then p=$(cat \"$pf\"); kill \"$p\" 2>/dev/null; i=0; while kill -0 \"$p\" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; fi\nrm -f \"$pf\"\nip netns exec {ns} {dhcpd} -4 -q -cf {conf} -lf {leases} -pf \"$pf\" eth0 </dev/null >{dir}/dhcpd.out 2>&1\n",
            pf = pid_file.display(),
            ns = net.ns("srv"),
            dhcpd = dhcpd.display(),
            conf = p.remote("etc/dhcp/dhcpd.conf").display(),
            leases = p.remote("var/lib/dhcp/dhcpd.leases").display(),
            dir = p.dir.display(),
        ),
    );
    let restart_by_hand = || {
        let out = std::process::Command::new(p.path("hook-restart"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?} {}", p.read("dhcpd.out"));
        p.run_current();
    };
    pair.deploy_settles_new(&[]);
    let first = running.pid().expect("the restart started dhcpd");
    assert!(runs(first), "{}", p.read("dhcpd.out"));
    pair.deploy_ok(&["nothing to deploy"]);

    // By hand: the old dhcpd.conf, dhcpd restarted with it, then the new file put back.
    std::fs::write(p.config(), &pair.old[0].0).unwrap();
    restart_by_hand();
    let by_hand = running.pid().expect("dhcpd started by hand");
    assert_ne!(by_hand, first);
    std::thread::sleep(Duration::from_secs(3));
    std::fs::write(p.config(), &pair.new[0].0).unwrap();
    let out = pair.deploy_ok(&[&format!(
        "plan: primary restart (dhcpd (pid {by_hand}) was started again after dhcpfo's last restart (not by dhcpfo) at"
    )]);
    assert!(!flat(&out.stderr).contains("nothing to deploy"));
    assert_eq!(pair.assert_settled(&text(&out)), Version::New);
    let again = running.pid().expect("the restart started dhcpd");
    let record: serde_json::Value =
        serde_json::from_str(&p.read("etc/dhcp/.dhcpfo.state")).unwrap();
    assert!(
        record["dhcpd"]
            .as_str()
            .is_some_and(|d| d.contains(&format!(" {again}:"))),
        "{record}"
    );
    pair.deploy_ok(&["nothing to deploy"]);

    // The dhcpd the record names is gone and none runs: whether the peer runs its files
    // cannot be told.
    running.stop();
    let out = pair.deploy(&["--dry-run"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains(
            "plan: primary restart (cannot tell whether primary runs the files on disk: the dhcpd that dhcpfo left running at its last restart"
        ) && flat(&out.stderr).contains(&format!("pid {again}) no longer runs")),
        "{}",
        text(&out)
    );
}

/// A journal whose plan says a file did not exist before (no previous hash) though a backup
/// of it is recorded (it appeared, or could not be read, when the plan was made): the rollback
/// never removes that live file; it leaves it and names the backup.
#[test]
fn a_rollback_never_removes_a_live_file_that_has_a_backup() {
    let Some(pair) = setup(
        "a_rollback_never_removes_a_live_file_that_has_a_backup",
        "",
        ["", ""],
    ) else {
        return;
    };
    let p = pair.lab.peer(0);
    let live = p
        .remote("etc/default/isc-dhcp-server")
        .display()
        .to_string();
    let current = p.read("etc/default/isc-dhcp-server");
    let suffix = "20260101T000000Z.AbC123";
    let backup = format!("etc/default/isc-dhcp-server.dhcpfo-backup-{suffix}");
    std::fs::write(p.path(&backup), "previous\n").unwrap();
    let owner = owner_line(ended_process(), "1", &machine_id(), "00000000000000af");
    plant_lock(&pair, 0, &owner);
    let begin = serde_json::json!({
        "event": "begin",
        "deploy": "00000000000000af",
        "owner": owner,
        "order": "secondary-first",
        "peers": [{
            "peer": "primary",
            "host": "127.0.0.1:22",
            "files": [{
                "live": live,
                "old_sha256": null,
                "new_sha256": dhcpfo::remote::files::sha256(current.as_bytes()),
            }],
            "restart": true,
        }],
    });
    let journal = [
        begin.to_string(),
        serde_json::json!({ "event": "backup", "live": live, "suffix": suffix }).to_string(),
        serde_json::json!({ "event": "switch", "live": live }).to_string(),
        r#"{"event":"restart-begin","at":"1","deadline":1}"#.to_string(),
        r#"{"event":"restart-end","ok":false}"#.to_string(),
    ];
    std::fs::write(
        p.path("etc/dhcp/.dhcpfo.lock/journal"),
        journal.join("\n") + "\n",
    )
    .unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        p.read("etc/default/isc-dhcp-server"),
        current,
        "the live file stays: {}",
        text(&out)
    );
    assert_eq!(p.read(&backup), "previous\n");
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains(&format!("isc-dhcp-server.dhcpfo-backup-{suffix}"))
            && !stderr.contains(&format!("rm -f -- {live}")),
        "{}",
        text(&out)
    );
}

/// The lock id in a stale lock's owner file is the peer's text: one that is not letters,
/// digits and dots is never used in a path (here it would climb out of the lock folder through
/// a planted `takeover-x` folder); the lock is refused with what to do.
#[test]
fn a_stale_lock_with_a_hostile_id_is_refused_not_taken_over() {
    let Some(pair) = setup(
        "a_stale_lock_with_a_hostile_id_is_refused_not_taken_over",
        "",
        ["", ""],
    ) else {
        return;
    };
    let p = pair.lab.peer(0);
    let owner = owner_line(ended_process(), "1", &machine_id(), "x/../../planted");
    plant_lock(&pair, 0, &owner);
    std::fs::create_dir(p.path("etc/dhcp/.dhcpfo.lock/takeover-x")).unwrap();
    let out = pair.deploy(&["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("DF529") && stderr.contains("is not one dhcpfo writes"),
        "{}",
        text(&out)
    );
    assert!(!p.path("etc/dhcp/planted").exists(), "{}", text(&out));
    assert_eq!(pair.holds(0), Version::Old);
    assert_eq!(p.restarts(), 0);
}

/// `status` reads only this peer's files in the model: a journal that names another file is
/// refused (DF531), as `deploy` refuses it, and that file is never hashed.
#[test]
fn status_never_reads_a_file_a_journal_names_outside_the_model() {
    let Some(pair) = setup(
        "status_never_reads_a_file_a_journal_names_outside_the_model",
        "",
        ["", ""],
    ) else {
        return;
    };
    let p = pair.lab.peer(0);
    std::fs::write(p.path("etc/dhcp/precious.conf"), "precious\n").unwrap();
    let live = p.remote("etc/dhcp/precious.conf").display().to_string();
    let owner = owner_line(ended_process(), "1", &machine_id(), "00000000000000b0");
    plant_lock(&pair, 0, &owner);
    let begin = serde_json::json!({
        "event": "begin",
        "deploy": "00000000000000b0",
        "owner": owner,
        "order": "secondary-first",
        "peers": [{
            "peer": "primary",
            "host": "127.0.0.1:22",
            "files": [{
                "live": live,
                "old_sha256": null,
                "new_sha256": dhcpfo::remote::files::sha256(b"precious\n"),
            }],
            "restart": true,
        }],
    });
    std::fs::write(
        p.path("etc/dhcp/.dhcpfo.lock/journal"),
        format!("{begin}\n"),
    )
    .unwrap();
    let out = pair.lab.dhcpfo(&["status", pair.m()]).output().unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    let all = format!(
        "{} {}",
        String::from_utf8_lossy(&out.stdout),
        flat(&out.stderr)
    );
    assert!(
        all.contains("DF531")
            && all.contains("is not one of this peer's files in the model")
            && !all.contains("precious.conf holds"),
        "{}",
        text(&out)
    );
}
