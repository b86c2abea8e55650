//! The split layout end to end, against two real OpenSSH daemons whose files sit under the
//! same paths (see `common/sshd.rs`, `Lab::start_same_paths`), with the real ISC dhcpd
//! validating: `diff` and `deploy --layout split` put the shared file on both peers, validate
//! it together with each peer's dhcpd.conf, and roll it back with the rest.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]
#![allow(clippy::needless_range_loop)] // peers are indexed 0 (primary) and 1 (secondary)

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::sshd::{Lab, flat, text};

const SUBNET: &str = "192.168.50.0/24";

/// One peer's files of the split layout: dhcpd.conf, dhcpd.shared.conf, isc-dhcp-server.
type SplitFiles = [String; 3];

const PATHS: [&str; 3] = [
    "etc/dhcp/dhcpd.conf",
    "etc/dhcp/dhcpd.shared.conf",
    "etc/default/isc-dhcp-server",
];

struct Split {
    lab: Lab,
    model: PathBuf,
    shared_path: String,
}

impl Split {
    /// `dhcpfo COMMAND MODEL --layout split --shared-path ... ARGS`.
    fn run(&self, command: &str, model: &Path, args: &[&str]) -> Output {
        let mut all = vec![
            command,
            model.to_str().expect("path"),
            "--layout",
            "split",
            "--shared-path",
            &self.shared_path,
        ];
        all.extend_from_slice(args);
        self.lab.dhcpfo(&all).output().expect("run dhcpfo")
    }

    /// The model rendered in the split layout, for each peer.
    fn render(&self, model: &Path, name: &str) -> [SplitFiles; 2] {
        let out_dir = self.lab.tmp.path().join(name);
        let out = self
            .lab
            .dhcpfo(&[
                "render",
                model.to_str().expect("path"),
                "--out",
                out_dir.to_str().expect("path"),
                "--layout",
                "split",
                "--shared-path",
                &self.shared_path,
            ])
            .output()
            .expect("render");
        assert!(out.status.success(), "{}", text(&out));
        ["primary", "secondary"].map(|role| {
            ["dhcpd.conf", "dhcpd.shared.conf", "isc-dhcp-server"].map(|file| {
                std::fs::read_to_string(out_dir.join(role).join(file)).expect("rendered file")
            })
        })
    }

    /// What a peer holds now, in the order of [`PATHS`].
    fn holds(&self, i: usize) -> SplitFiles {
        PATHS.map(|p| self.lab.peer(i).read(p))
    }

    /// Both peers hold `files`, run their dhcpd.conf, and keep no candidate or lock.
    fn assert_hold(&self, files: &[SplitFiles; 2], context: &str) {
        for i in 0..2 {
            let p = self.lab.peer(i);
            assert_eq!(&self.holds(i), &files[i], "{context}: {} holds", p.role);
            assert_eq!(
                p.read("running.conf"),
                files[i][0],
                "{context}: {} runs it",
                p.role
            );
            let left: Vec<String> = std::fs::read_dir(p.path("etc/dhcp"))
                .expect("read_dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".dhcpfo-new.") || n.contains("lock"))
                .collect();
            assert!(left.is_empty(), "{context}: {} keeps {left:?}", p.role);
        }
    }
}

fn setup(test: &str) -> Option<Split> {
    common::dhcpd_or_skip(test)?;
    let lab = Lab::start_same_paths(test)?;
    let model = lab.write_model(SUBNET, "");
    let shared_path = lab
        .peer(0)
        .remote("etc/dhcp/dhcpd.shared.conf")
        .display()
        .to_string();
    // Both peers run an older pair in the single layout.
    let old = lab.older();
    lab.install(&old);
    Some(Split {
        lab,
        model,
        shared_path,
    })
}

/// A copy of the lab's model with another default lease time: a newer version of the pair.
fn version(split: &Split, name: &str, lease: &str) -> PathBuf {
    let text = std::fs::read_to_string(&split.model)
        .expect("model")
        .replace(
            "default-lease-time: 1h",
            &format!("default-lease-time: {lease}"),
        );
    let path = split.lab.tmp.path().join(name);
    std::fs::write(&path, text).expect("model");
    path
}

#[test]
fn the_split_layout_is_diffed_deployed_validated_together_and_rolled_back() {
    let Some(split) = setup("split_layout_deploy") else {
        return;
    };
    let model = split.model.clone();
    let rendered = split.render(&model, "rendered");
    assert_eq!(
        rendered[0][1], rendered[1][1],
        "one shared file for both peers"
    );
    assert!(
        rendered[0][0].contains(&format!("include \"{}\";", split.shared_path)),
        "{}",
        rendered[0][0]
    );

    // diff: the shared file is missing on both peers, each dhcpd.conf differs.
    let out = split.run("diff", &model, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = flat(&out.stderr);
    for role in ["primary", "secondary"] {
        assert!(
            stderr.contains(&format!(
                "{role}: {} missing on the peer",
                split.shared_path
            )),
            "{}",
            text(&out)
        );
    }

    // deploy: both peers get their dhcpd.conf and the one shared file, and run them.
    let out = split.run("deploy", &model, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("plan: primary create")
            && flat(&out.stderr).contains(&split.shared_path),
        "{}",
        text(&out)
    );
    split.assert_hold(&rendered, "deployed");
    assert_eq!(
        [split.lab.peer(0).restarts(), split.lab.peer(1).restarts()],
        [1, 1]
    );
    let out = split.run("diff", &model, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // A shared file that dhcpd refuses, with unchanged dhcpd.conf files: validated with each
    // peer's dhcpd.conf, refused, and nothing changes (the validation copies are removed).
    let templates = split.lab.tmp.path().join("templates");
    std::fs::create_dir_all(&templates).expect("mkdir");
    std::fs::write(
        templates.join("shared.conf.j2"),
        "{% include \"header.j2\" %}\nthis is not dhcpd.conf;\n",
    )
    .expect("template");
    let out = split.run(
        "deploy",
        &model,
        &["--yes", "--templates", templates.to_str().expect("path")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(
        stderr.contains("dhcpd -t refused a new file; nothing was changed"),
        "{}",
        text(&out)
    );
    assert!(
        stderr.contains("uploading a copy of dhcpd.conf that includes the new shared file"),
        "{}",
        text(&out)
    );
    split.assert_hold(&rendered, "refused");
    assert_eq!(
        [split.lab.peer(0).restarts(), split.lab.peer(1).restarts()],
        [1, 1]
    );

    // A newer version whose first restart fails: both peers are rolled back, the shared
    // file with the rest.
    let newer = version(&split, "newer.yaml", "45m");
    let newer_files = split.render(&newer, "newer");
    assert_ne!(newer_files[0][1], rendered[0][1]);
    split.lab.peer(1).script(
        "hook-restart",
        "#!/bin/sh\nrm -f \"$0\"\necho 'the first restart fails' >&2\nexit 1\n",
    );
    let out = split.run("deploy", &newer, &["--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        flat(&out.stderr).contains("deploy FAILED"),
        "{}",
        text(&out)
    );
    split.assert_hold(&rendered, "rolled back");

    // And deployed once the restart works: the newer files on both peers.
    let out = split.run("deploy", &newer, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    split.assert_hold(&newer_files, "deployed again");
}

#[test]
fn a_deploy_killed_while_validating_the_shared_file_leaves_no_copy_behind() {
    let Some(split) = setup("split_killed_validating") else {
        return;
    };
    // The secondary validates with a command that waits for `go` (30 s at most) after it
    // says it runs, then runs dhcpd -t.
    let p = split.lab.peer(1);
    let (validating, go) = (p.path("validating"), p.path("go"));
    p.script(
        "validate-hold",
        &format!(
            "#!/bin/sh\ntouch {}\ni=0\nwhile [ ! -e {} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\nexec /usr/sbin/dhcpd -t -4 -q -cf \"$@\"\n",
            validating.display(),
            go.display()
        ),
    );
    let hold = format!(
        "{}, validate-command: {}",
        split.lab.connection_yaml(1),
        p.remote("validate-hold").display()
    );
    let held = split
        .lab
        .write_model_with(SUBNET, "", &[split.lab.connection_yaml(0), hold]);
    std::fs::write(&go, "").expect("go");
    let out = split.run("deploy", &held, &["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    split.assert_hold(&split.render(&held, "rendered"), "deployed");
    std::fs::remove_file(&go).expect("rm go");
    std::fs::remove_file(&validating).expect("rm validating");

    // Then only the shared file changes (its template, not the model that dhcpd.conf's
    // header names), so each peer validates a copy of its dhcpd.conf that includes the new
    // shared file; dhcpfo is killed while the secondary validates it.
    let templates = split.lab.tmp.path().join("templates");
    std::fs::create_dir_all(&templates).expect("mkdir");
    let shared = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/shared.conf.j2"),
    )
    .expect("template");
    std::fs::write(
        templates.join("shared.conf.j2"),
        format!("{shared}# a newer shared file\n"),
    )
    .expect("template");
    let args = [
        "deploy",
        held.to_str().expect("path"),
        "--layout",
        "split",
        "--shared-path",
        &split.shared_path,
        "--templates",
        templates.to_str().expect("path"),
        "--yes",
    ];
    let mut first = split
        .lab
        .dhcpfo(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("deploy");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !validating.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the secondary never validated"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Candidates and validation copies (`NAME.dhcpfo-new.SUFFIX`).
    let copies = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".dhcpfo-new."))
            .collect()
    };
    // The validation copy of dhcpd.conf (it includes the shared file's candidate) and that
    // candidate.
    let held = copies(&p.path("etc/dhcp"));
    assert!(
        held.len() == 2
            && held
                .iter()
                .any(|n| n.starts_with("dhcpd.shared.conf.dhcpfo-new."))
            && held.iter().any(|n| {
                std::fs::read_to_string(p.path("etc/dhcp").join(n))
                    .unwrap_or_default()
                    .contains("dhcpd.shared.conf.dhcpfo-new.")
            }),
        "no validation copy among {held:?}"
    );
    first.kill().expect("SIGKILL");
    first.wait().expect("wait");
    std::fs::write(&go, "").expect("go");

    // The next deploy settles the killed one (nothing had been switched), then deploys.
    let out = split.lab.dhcpfo(&args).output().expect("deploy");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stderr = flat(&out.stderr);
    assert!(stderr.contains("unfinished deploy"), "{}", text(&out));
    for i in 0..2 {
        let left = copies(&split.lab.peer(i).path("etc/dhcp"));
        assert!(left.is_empty(), "peer {i} keeps {left:?}: {}", text(&out));
        assert!(
            split
                .lab
                .peer(i)
                .read("etc/dhcp/dhcpd.shared.conf")
                .contains("# a newer shared file"),
            "peer {i} holds the newer shared file"
        );
    }
}
