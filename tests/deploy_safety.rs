//! `dhcpfo deploy` when things go wrong, against two real OpenSSH daemons (see
//! `common/sshd.rs`) with the real ISC dhcpd validating: signals at every step, a deploy killed
//! outright and settled by the next one, a hung restart, hostile folders and planted links,
//! backup pruning, truthful reports, huge outputs and files, escape sequences, locks.

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
