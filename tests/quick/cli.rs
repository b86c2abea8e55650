//! The `dhcpfo` binary end to end: exit statuses, diagnostics, files written, help texts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dhcpfo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dhcpfo")
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    all.sort();
    all
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.display().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const BROKEN: &str = "\
failover:
  name: fo
  mclt: 3600
  split: 300
  load-balance-max-seconds: 3
peers:
  primary: { address: 10.1.0.2, interfaces: [eth0] }
  secondary: { address: 10.1.0.3, interfaces: [eth0] }
subnets:
  - network: 10.1.0.0/24
    pools:
      - range: [10.1.0.10, 10.1.2.20]
";

#[test]
fn every_example_checks_clean() {
    for path in examples() {
        let out = dhcpfo(&["check", &path.display().to_string()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            path.display(),
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("0 error(s), 0 warning(s)"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn check_reports_every_error_with_its_line_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pair.yaml", BROKEN);
    let out = dhcpfo(&["check", &path]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.contains("DF110") && text.contains("split 300 is outside 0..256"),
        "{text}"
    );
    assert!(
        text.contains("DF133") && text.contains("10.1.2.20 is outside subnet 10.1.0.0/24"),
        "{text}"
    );
    assert!(
        text.contains("pair.yaml:4:10"),
        "split is at line 4, column 10: {text}"
    );
    assert!(text.contains("help:"), "{text}");
}

#[test]
fn check_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pair.yaml", BROKEN);
    let out = dhcpfo(&["check", &path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let first = &findings[0];
    assert_eq!(first["code"], "DF110");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 4);
    assert_eq!(first["column"], 10);
    assert!(
        first["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("pair.yaml"))
    );
    assert!(first["help"].as_str().is_some_and(|h| !h.is_empty()));
    let range = findings
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["code"] == "DF133")
        .expect("DF133");
    assert_eq!(range["line"], 12);
}

#[test]
fn warnings_alone_exit_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = BROKEN
        .replace("split: 300", "split: 128")
        .replace("10.1.2.20", "10.1.0.20")
        .replace("seconds: 3", "seconds: 0");
    let path = write(dir.path(), "pair.yaml", &text);
    let out = dhcpfo(&["check", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("DF115"));
}

#[test]
fn malformed_yaml_and_wrong_types_are_placed_at_their_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("failover:\n  name: x\n peers: [\n", "DF100", ":3:"),
        ("failover:\n  name: x\n  mclt: soon\n", "DF101", ":3:"),
        (
            "failover: { name: x }\npeers:\n  primary: { address: 10.0.0.300 }\n",
            "DF101",
            ":3:",
        ),
        (
            "failover: { name: x, mclt: 1, split: 1 }\npeers:\n  primary: { address: 10.0.0.1 }\n",
            "DF103",
            ":3:",
        ),
        ("\u{feff}failover: [\n", "DF101", ":1:"),
        ("", "DF10", ""),
        ("- just\n- a list\n", "DF101", ":1:"),
    ];
    for (text, code, at) in cases {
        let path = write(dir.path(), "pair.yaml", text);
        let out = dhcpfo(&["check", &path]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{text:?}: {err}");
        assert!(
            err.contains(code) && err.contains(at),
            "{text:?} should give {code} at {at}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn unknown_keys_are_all_reported_with_suggestions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = BROKEN.replace("  split: 300", "  splitt: 128").replace(
        "interfaces: [eth0] }\n  secondary",
        "interface: [eth0] }\n  secondary",
    );
    let path = write(dir.path(), "pair.yaml", &text);
    let out = dhcpfo(&["check", &path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("unknown key `splitt`") && err.contains("did you mean `split`?"),
        "{err}"
    );
    assert!(
        err.contains("unknown key `interface`") && err.contains("did you mean `interfaces`?"),
        "{err}"
    );
}

#[test]
fn io_and_usage_errors_exit_2() {
    assert_eq!(
        dhcpfo(&["check", "/nonexistent/pair.yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(dhcpfo(&["check"]).status.code(), Some(2));
    assert_eq!(
        dhcpfo(&["render", &example("lab-pair.yaml")]).status.code(),
        Some(2)
    );
    assert_eq!(
        dhcpfo(&["check", "--explain", "DF999"]).status.code(),
        Some(2)
    );
}

#[test]
fn explain_prints_the_rule_doc() {
    let out = dhcpfo(&["check", "--explain", "df113"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("DF113") && text.contains("no-load-balance") && text.contains("split"),
        "{text}"
    );
}

#[test]
fn render_refuses_a_model_that_fails_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pair.yaml", BROKEN);
    let out_dir = dir.path().join("out");
    let out = dhcpfo(&["render", &path, "--out", &out_dir.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !out_dir.exists(),
        "nothing may be written for an invalid model"
    );
}

#[test]
fn render_writes_both_peers_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dhcpfo(&[
        "render",
        &example("lab-pair.yaml"),
        "--out",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for role in ["primary", "secondary"] {
        let conf =
            std::fs::read_to_string(dir.path().join(role).join("dhcpd.conf")).expect("dhcpd.conf");
        assert!(conf.contains(&format!("  {role};")), "{conf}");
        let defaults = std::fs::read_to_string(dir.path().join(role).join("isc-dhcp-server"))
            .expect("defaults");
        assert!(defaults.contains("INTERFACESv4=\"eth0\""), "{defaults}");
    }
}

#[test]
fn render_role_prints_one_peer_to_stdout() {
    let out = dhcpfo(&["render", &example("lab-pair.yaml"), "--role", "secondary"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  secondary;") && text.contains("peer address 192.168.100.2;"),
        "{text}"
    );
    assert!(text.contains("# model sha256:"), "{text}");
}

#[test]
fn split_layout_shares_one_identical_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dhcpfo(&[
        "render",
        &example("known-clients.yaml"),
        "--out",
        &dir.path().display().to_string(),
        "--layout",
        "split",
        "--shared-path",
        "/etc/dhcp/office.conf",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |role: &str, name: &str| {
        std::fs::read_to_string(dir.path().join(role).join(name)).expect("file")
    };
    assert_eq!(
        read("primary", "dhcpd.shared.conf"),
        read("secondary", "dhcpd.shared.conf")
    );
    let peer = read("primary", "dhcpd.conf");
    assert!(
        peer.contains("include \"/etc/dhcp/office.conf\";"),
        "{peer}"
    );
    assert!(
        !peer.contains("subnet "),
        "the per-peer file holds only the peer block: {peer}"
    );
    assert!(
        read("primary", "dhcpd.shared.conf").contains("subnet 10.10.0.0 netmask 255.255.254.0")
    );
}

#[test]
fn templates_can_be_overridden_and_are_strict() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "header.j2",
        "# site header for {{ header.source }}\n",
    );
    let templates = dir.path().display().to_string();
    let out = dhcpfo(&[
        "render",
        &example("lab-pair.yaml"),
        "--role",
        "primary",
        "--templates",
        &templates,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# site header for lab-pair.yaml\n"));

    write(dir.path(), "header.j2", "# {{ header.no_such_field }}\n");
    let out = dhcpfo(&[
        "render",
        &example("lab-pair.yaml"),
        "--role",
        "primary",
        "--templates",
        &templates,
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an undefined variable must fail, not render empty"
    );
    assert!(stderr(&out).contains("header.j2"), "{}", stderr(&out));
}

#[test]
fn every_help_shows_an_example() {
    for cmd in [
        &["--help"][..],
        &["check", "--help"],
        &["render", "--help"],
        &["schema", "--help"],
        &["completions", "--help"],
    ] {
        let out = dhcpfo(cmd);
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Example"),
            "{cmd:?} --help has no example:\n{text}"
        );
        assert!(text.contains("dhcpfo "), "{text}");
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let out = dhcpfo(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("render"),
            "{shell}"
        );
    }
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    // `dhcpfo lint --list-rules | head -0`: the reader is gone before dhcpfo writes.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
        .args(["lint", "--list-rules"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run dhcpfo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Ended by SIGPIPE, as a Unix filter is, not by a panic's exit status 101.
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        output.status.signal(),
        Some(libc::SIGPIPE),
        "{:?}",
        output.status
    );
}

#[test]
fn rendering_the_single_layout_again_removes_the_split_layouts_shared_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().display().to_string();
    let model = example("lab-pair.yaml");
    let split = dhcpfo(&["render", &model, "--out", &out_dir, "--layout", "split"]);
    assert_eq!(split.status.code(), Some(0), "{}", stderr(&split));
    let shared = dir.path().join("primary/dhcpd.shared.conf");
    assert!(shared.exists());
    let single = dhcpfo(&["render", &model, "--out", &out_dir]);
    assert_eq!(single.status.code(), Some(0), "{}", stderr(&single));
    for role in ["primary", "secondary"] {
        assert!(
            !dir.path().join(role).join("dhcpd.shared.conf").exists(),
            "{role}: {}",
            stderr(&single)
        );
    }
    assert!(
        stderr(&single).contains("dhcpd.shared.conf (left by an earlier render"),
        "{}",
        stderr(&single)
    );
    let conf = std::fs::read_to_string(dir.path().join("primary/dhcpd.conf")).expect("conf");
    assert!(conf.contains("subnet 192.168.100.0"), "{conf}");
}

#[test]
fn layout_with_role_is_a_usage_error() {
    let model = example("lab-pair.yaml");
    for extra in [
        &["--layout", "split"][..],
        &["--shared-path", "/etc/dhcp/x.conf"][..],
    ] {
        let mut args = vec!["render", model.as_str(), "--role", "primary"];
        args.extend_from_slice(extra);
        let out = dhcpfo(&args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(extra[0]), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn lint_root_reads_a_split_tree_rendered_elsewhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().display().to_string();
    let render = dhcpfo(&[
        "render",
        &example("campus.yaml"),
        "--out",
        &out_dir,
        "--layout",
        "split",
    ]);
    assert_eq!(render.status.code(), Some(0), "{}", stderr(&render));
    let primary = dir.path().join("primary/dhcpd.conf").display().to_string();
    let secondary = dir
        .path()
        .join("secondary/dhcpd.conf")
        .display()
        .to_string();
    // Without --root, the absolute include names the machine's /etc/dhcp.
    let plain = dhcpfo(&["lint", &primary]);
    assert_eq!(plain.status.code(), Some(1), "{}", stderr(&plain));
    assert!(stderr(&plain).contains("DF201"), "{}", stderr(&plain));
    assert!(stderr(&plain).contains("--root"), "{}", stderr(&plain));
    // The whole folder without --root: DF201 on each dhcpd.conf, and the shared files, named
    // by those includes, are not linted alone (their subnets would lack the failover peer).
    let folder = dhcpfo(&["lint", &out_dir, "--format", "json"]);
    assert_eq!(folder.status.code(), Some(1), "{}", stderr(&folder));
    let findings: serde_json::Value = serde_json::from_slice(&folder.stdout).expect("JSON");
    let codes: Vec<&str> = findings
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["DF201", "DF201"], "{findings:#}");
    // With it, the shared file beside each dhcpd.conf is read: the subnets are there.
    let primary_root = dir.path().join("primary").display().to_string();
    let rooted = dhcpfo(&[
        "lint",
        "--root",
        &primary_root,
        &primary,
        "--format",
        "json",
    ]);
    assert_eq!(rooted.status.code(), Some(0), "{}", stderr(&rooted));
    let findings: serde_json::Value = serde_json::from_slice(&rooted.stdout).expect("JSON");
    assert_eq!(findings, serde_json::json!([]), "{findings:#}");
    let pair = dhcpfo(&["lint", "--root", &out_dir, "--pair", &primary, &secondary]);
    assert_eq!(pair.status.code(), Some(0), "{}", stderr(&pair));
    // A file the root holds under the include's own path comes first.
    let etc = dir.path().join("primary/etc/dhcp");
    std::fs::create_dir_all(&etc).expect("mkdir");
    std::fs::write(etc.join("dhcpd.shared.conf"), "not dhcpd syntax\n").expect("write");
    let under = dhcpfo(&["lint", "--root", &primary_root, &primary]);
    assert_eq!(under.status.code(), Some(1), "{}", stderr(&under));
    assert!(stderr(&under).contains("DF200"), "{}", stderr(&under));
    let missing = dhcpfo(&["lint", "--root", "/nonexistent-root", &primary]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn a_shared_path_that_is_a_peers_own_file_is_refused_before_connecting() {
    for (command, path) in [
        ("diff", "/etc/dhcp/dhcpd.conf"),
        ("deploy", "/etc/default/isc-dhcp-server"),
    ] {
        let out = dhcpfo(
            &[
                command,
                &example("lab-pair.yaml"),
                "--layout",
                "split",
                "--shared-path",
                path,
                "--dry-run",
            ]
            .into_iter()
            .filter(|a| command == "deploy" || *a != "--dry-run")
            .collect::<Vec<_>>(),
        );
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("the shared file needs a path of its own"),
            "{command}: {}",
            stderr(&out)
        );
    }
}

#[path = "cli/codes.rs"]
mod codes;
#[path = "cli/formats.rs"]
mod formats;
#[path = "cli/inputs.rs"]
mod inputs;
