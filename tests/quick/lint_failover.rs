//! `dhcpfo lint` on failover dhcpd.conf fixtures written here (small, made up for the test):
//! the codes each failover mistake produces, exit statuses, the JSON shape, `--select` /
//! `--ignore`, inline `# dhcpfo: ignore CODE` comments and `--explain`.
//!
//! When ISC dhcpd is installed, every fixture also goes through `dhcpd -t`, and dhcpd must
//! refuse exactly the fixtures where dhcpfo reports an error, apart from a few fixtures marked
//! below whose mistake `dhcpd -t` does not check but that stop the pair from working.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const PRIMARY: &str = r#"# dhcp1: the primary of the pair
authoritative;
ddns-update-style none;
default-lease-time 3600;
max-lease-time 7200;

failover peer "dhcp-fo" {
  primary;
  address 192.0.2.10;
  port 647;
  peer address 192.0.2.11;
  peer port 647;
  max-response-delay 30;
  max-unacked-updates 10;
  load balance max seconds 3;
  mclt 1800;
  split 128;
}

subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  pool {
    failover peer "dhcp-fo";
    deny dynamic bootp clients;
    range 192.0.2.100 192.0.2.199;
  }
}

shared-network campus {
  subnet 198.51.100.0 netmask 255.255.255.0 {
    option routers 198.51.100.1;
    pool {
      failover peer "dhcp-fo";
      range 198.51.100.50 198.51.100.150;
    }
    pool {
      no failover peer
      allow dynamic bootp clients;
      range dynamic-bootp 198.51.100.200 198.51.100.210;
    }
  }
}

host printer {
  hardware ethernet 00:11:22:33:44:55;
  fixed-address 192.0.2.5;
}
"#;

/// The secondary's side of [`PRIMARY`].
fn secondary() -> String {
    let text = edit(PRIMARY, "# dhcp1: the primary", "# dhcp2: the secondary");
    let text = edit(&text, "  primary;\n", "  secondary;\n");
    let text = edit(&text, "address 192.0.2.10;", "address 192.0.2.99;");
    let text = edit(
        &text,
        "peer address 192.0.2.11;",
        "peer address 192.0.2.10;",
    );
    let text = edit(&text, "address 192.0.2.99;", "address 192.0.2.11;");
    let text = edit(&text, "  mclt 1800;\n", "");
    edit(&text, "  split 128;\n", "")
}

/// `text` with `from` replaced by `to`; `from` must occur (so a fixture cannot silently equal
/// its base).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture base has no {from:?}");
    text.replacen(from, to, 1)
}

/// A failover peer block and one pool naming it, with `peer_lines` inside the block.
fn minimal(peer_lines: &str) -> String {
    format!(
        "failover peer \"fo\" {{\n{peer_lines}}}\nsubnet 10.0.0.0 netmask 255.255.255.0 {{\n  pool {{\n    failover peer \"fo\";\n    range 10.0.0.10 10.0.0.50;\n  }}\n}}\n"
    )
}

const GOOD_PEER: &str = "  primary;\n  address 10.0.0.2;\n  peer address 10.0.0.3;\n  max-response-delay 30;\n  max-unacked-updates 10;\n  load balance max seconds 3;\n  mclt 1800;\n  split 128;\n";

/// One fixture: a file, the codes dhcpfo must report (exactly, as a set), and why `dhcpd -t`
/// accepts it although dhcpfo reports an error, for the few mistakes that only show at run time.
struct Fixture {
    name: &'static str,
    text: String,
    codes: &'static [&'static str],
    dhcpd_accepts: Option<&'static str>,
}

fn fixture(name: &'static str, text: String, codes: &'static [&'static str]) -> Fixture {
    Fixture {
        name,
        text,
        codes,
        dhcpd_accepts: None,
    }
}

fn fixtures() -> Vec<Fixture> {
    let p = PRIMARY;
    let s = secondary();
    vec![
        fixture("clean-primary", p.to_string(), &[]),
        fixture("clean-secondary", s.clone(), &[]),
        fixture("clean-minimal", minimal(GOOD_PEER), &[]),
        fixture(
            "split-on-secondary",
            edit(&s, "  secondary;\n", "  secondary;\n  split 128;\n"),
            &["DF300"],
        ),
        fixture(
            "mclt-on-secondary",
            edit(&s, "  secondary;\n", "  secondary;\n  mclt 1800;\n"),
            &["DF301"],
        ),
        fixture("missing-role", edit(p, "  primary;\n", ""), &["DF302"]),
        fixture(
            "primary-without-split",
            edit(p, "  split 128;\n", ""),
            &["DF303"],
        ),
        fixture(
            "primary-without-mclt",
            edit(p, "  mclt 1800;\n", ""),
            &["DF304"],
        ),
        fixture(
            "primary-mclt-zero",
            edit(p, "mclt 1800;", "mclt 0;"),
            &["DF304"],
        ),
        fixture("split-257", edit(p, "split 128;", "split 257;"), &["DF305"]),
        fixture(
            "split-and-hba",
            edit(
                p,
                "  split 128;\n",
                "  split 128;\n  hba ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:\n      00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00;\n",
            ),
            &["DF306"],
        ),
        fixture(
            "hba-short",
            edit(p, "split 128;", "hba ff:ff:ff:ff:00:00:00:00;"),
            &["DF307"],
        ),
        fixture(
            "missing-peer-address",
            edit(p, "  peer address 192.0.2.11;\n", ""),
            &["DF308"],
        ),
        Fixture {
            dhcpd_accepts: Some("dhcpd -t does not compare the two addresses"),
            ..fixture(
                "address-is-peer-address",
                edit(p, "peer address 192.0.2.11;", "peer address 192.0.2.10;"),
                &["DF309"],
            )
        },
        fixture(
            "peer-in-group",
            edit(
                &minimal(GOOD_PEER),
                "failover peer \"fo\" {\n",
                "group {\nfailover peer \"fo\" {\n",
            )
            .replacen("}\nsubnet", "}\n}\nsubnet", 1),
            &["DF310"],
        ),
        fixture(
            "reference-at-top-level",
            edit(
                p,
                "\nsubnet 192.0.2.0",
                "\nfailover peer \"dhcp-fo\";\n\nsubnet 192.0.2.0",
            ),
            &["DF311"],
        ),
        fixture(
            "reference-in-subnet",
            edit(
                p,
                "  option routers 192.0.2.1;\n",
                "  option routers 192.0.2.1;\n  failover peer \"dhcp-fo\";\n",
            ),
            &["DF311"],
        ),
        fixture(
            "unquoted-pool-reference",
            edit(
                p,
                "    failover peer \"dhcp-fo\";\n    deny",
                "    failover peer dhcp-fo;\n    deny",
            ),
            &["DF312"],
        ),
        fixture(
            "undeclared-peer",
            edit(
                p,
                "      failover peer \"dhcp-fo\";\n      range",
                "      failover peer \"dhcp-failover\";\n      range",
            ),
            &["DF313"],
        ),
        fixture(
            "peer-declared-after-use",
            {
                let start = p.find("failover peer \"dhcp-fo\" {").unwrap_or(0);
                let end = p[start..].find("}\n").map_or(p.len(), |i| start + i + 2);
                format!("{}{}{}", &p[..start], &p[end..], &p[start..end])
            },
            &["DF313"],
        ),
        fixture(
            "duplicate-peer",
            edit(
                p,
                "\nsubnet 192.0.2.0",
                "\nfailover peer \"dhcp-fo\" {\n  secondary;\n  address 192.0.2.11;\n  peer address 192.0.2.10;\n  max-response-delay 30;\n  max-unacked-updates 10;\n  load balance max seconds 3;\n}\n\nsubnet 192.0.2.0",
            ),
            &["DF314"],
        ),
        fixture(
            "peer-without-pool",
            format!(
                "failover peer \"fo\" {{\n{GOOD_PEER}}}\nshared-network sn {{\n  failover peer fo;\n  subnet 10.0.0.0 netmask 255.255.255.0 {{\n    pool {{ range 10.0.0.10 10.0.0.50; }}\n  }}\n}}\n"
            ),
            &["DF315"],
        ),
        fixture(
            "dynamic-bootp-in-failover-pool",
            edit(
                p,
                "range 198.51.100.50 198.51.100.150;",
                "range dynamic-bootp 198.51.100.50 198.51.100.150;",
            ),
            &["DF316"],
        ),
        fixture(
            "no-failover-peer-semicolon",
            edit(p, "no failover peer\n", "no failover peer;\n"),
            &["DF317"],
        ),
        fixture(
            "load-balance-missing",
            edit(p, "  load balance max seconds 3;\n", ""),
            &["DF318"],
        ),
        fixture(
            "load-balance-zero",
            edit(
                p,
                "load balance max seconds 3;",
                "load balance max seconds 0;",
            ),
            &["DF318"],
        ),
        fixture(
            "load-balance-large",
            edit(
                p,
                "load balance max seconds 3;",
                "load balance max seconds 30;",
            ),
            &["DF318"],
        ),
        fixture(
            "peer-address-with-hyphen",
            edit(p, "peer address 192.0.2.11;", "peer-address 192.0.2.11;"),
            &["DF319"],
        ),
        fixture(
            "peer-port-with-hyphen",
            edit(p, "peer port 647;", "peer-port 647;"),
            &["DF319"],
        ),
        fixture(
            "load-balance-max-secs",
            edit(p, "load balance max seconds 3;", "load balance max secs 3;"),
            &["DF319"],
        ),
        fixture(
            "slave",
            edit(&s, "  secondary;\n", "  slave;\n"),
            &["DF319"],
        ),
        fixture("master", edit(p, "  primary;\n", "  master;\n"), &["DF319"]),
        fixture(
            "unicode-hyphen-in-keyword",
            edit(
                p,
                "max-response-delay 30;",
                "max\u{2010}response\u{2010}delay 30;",
            ),
            &["DF200"],
        ),
        fixture(
            "no-break-space-in-keyword",
            edit(
                p,
                "peer address 192.0.2.11;",
                "peer\u{a0}address 192.0.2.11;",
            ),
            &["DF200"],
        ),
        fixture(
            "missing-timers",
            edit(
                p,
                "  max-response-delay 30;\n  max-unacked-updates 10;\n",
                "",
            ),
            &["DF320", "DF321"],
        ),
        fixture(
            "mclt-not-below-lease-time",
            edit(p, "mclt 1800;", "mclt 7200;"),
            &["DF322"],
        ),
        fixture(
            "non-standard-port",
            edit(p, "  port 647;", "  port 519;"),
            &["DF323"],
        ),
        fixture("mclt-hex", edit(p, "mclt 1800;", "mclt 0x708;"), &["DF324"]),
        fixture(
            "quoted-address",
            edit(p, "  address 192.0.2.10;", "  address \"192.0.2.10\";"),
            &["DF324"],
        ),
        fixture(
            "address-octet-too-big",
            edit(p, "peer address 192.0.2.11;", "peer address 192.0.2.311;"),
            &["DF203"],
        ),
        fixture(
            "lookalike-in-peer-name",
            p.replace("\"dhcp-fo\"", "\"dhcp\u{2010}fo\""),
            &["DF325"],
        ),
        fixture(
            "conflicting-roles",
            edit(&s, "  secondary;\n", "  primary;\n  secondary;\n"),
            &["DF326"],
        ),
        fixture(
            "repeated-statement",
            edit(p, "  split 128;\n", "  split 128;\n  mclt 900;\n"),
            &["DF327"],
        ),
        Fixture {
            dhcpd_accepts: Some(
                "dhcpd -t accepts a block without `address`; dhcpd stops at startup with \"no local address\"",
            ),
            ..fixture(
                "missing-address",
                edit(p, "  address 192.0.2.10;\n", ""),
                &["DF328"],
            )
        },
        fixture(
            "loopback-peer-address",
            edit(p, "peer address 192.0.2.11;", "peer address 127.0.0.1;"),
            &["DF329"],
        ),
        fixture(
            "balance-settings",
            edit(
                p,
                "  split 128;\n",
                "  split 128;\n  max-lease-ownership 20;\n",
            ),
            &["DF330"],
        ),
    ]
}

fn dhcpfo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(format!("{name}.conf"));
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

fn run(args: &[&str]) -> Output {
    dhcpfo()
        .arg("lint")
        .args(args)
        .output()
        .expect("run dhcpfo lint")
}

/// `dhcpfo lint --format json ARGS`: the exit status and the parsed findings.
fn lint_json(args: &[&str]) -> (i32, Vec<Value>) {
    let output = run(&[&["--format", "json"], args].concat());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let findings: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "dhcpfo lint {args:?}: stdout is not JSON ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let array = findings
        .as_array()
        .unwrap_or_else(|| panic!("not a JSON array: {findings}"))
        .clone();
    (output.status.code().unwrap_or(-1), array)
}

fn codes(findings: &[Value]) -> BTreeSet<String> {
    findings
        .iter()
        .map(|f| f["code"].as_str().unwrap_or("?").to_string())
        .collect()
}

fn has_error(findings: &[Value]) -> bool {
    findings.iter().any(|f| f["severity"] == "error")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

#[test]
fn each_mistake_has_its_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for f in fixtures() {
        let path = write(dir.path(), f.name, &f.text);
        let (status, findings) = lint_json(&[path_str(&path)]);
        let found = codes(&findings);
        let expected: BTreeSet<String> = f.codes.iter().map(|c| c.to_string()).collect();
        // Only the failover catalogue and syntax errors are pinned here; other groups may add
        // warnings of their own.
        let relevant: BTreeSet<String> = found
            .iter()
            .filter(|c| c.starts_with("DF3") || c.starts_with("DF20"))
            .cloned()
            .collect();
        if relevant != expected {
            failures.push(format!(
                "{}: expected {expected:?}, found {found:?}\n{}",
                f.name,
                common::numbered(&f.text)
            ));
        }
        let want_status = if has_error(&findings) { 1 } else { 0 };
        if status != want_status {
            failures.push(format!(
                "{}: exit status {status}, expected {want_status}",
                f.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn dhcpd_refuses_exactly_the_fixtures_with_errors() {
    let Some(dhcpd) = common::dhcpd_or_skip("dhcpd_refuses_exactly_the_fixtures_with_errors")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut disagreements = Vec::new();
    for f in fixtures() {
        let path = write(dir.path(), f.name, &f.text);
        let (_, findings) = lint_json(&[path_str(&path)]);
        let output = Command::new(&dhcpd)
            .args(["-t", "-4", "-cf"])
            .arg(&path)
            .args(["-lf", "/dev/null", "--no-pid"])
            .output()
            .expect("run dhcpd -t");
        let refused = !output.status.success();
        let expected_refusal = has_error(&findings) && f.dhcpd_accepts.is_none();
        if refused != expected_refusal {
            let said = String::from_utf8_lossy(&output.stderr);
            let said: String = said
                .lines()
                .filter(|l| l.contains(f.name) || l.contains("ERROR") || l.contains("rror"))
                .collect::<Vec<_>>()
                .join("\n");
            disagreements.push(format!(
                "{}: dhcpd {} it, dhcpfo reported {:?}{}\n  dhcpd said: {said}",
                f.name,
                if refused { "refuses" } else { "accepts" },
                codes(&findings),
                f.dhcpd_accepts
                    .map_or(String::new(), |why| format!(" (marked: {why})")),
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn clean_pair_has_no_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let primary = write(dir.path(), "dhcp1", PRIMARY);
    let secondary = write(dir.path(), "dhcp2", &secondary());
    let (status, findings) = lint_json(&[path_str(&primary), path_str(&secondary)]);
    assert_eq!((status, findings.len()), (0, 0), "{findings:#?}");
    let (status, findings) = lint_json(&[
        "--deny-warnings",
        "--pair",
        path_str(&primary),
        path_str(&secondary),
    ]);
    assert_eq!((status, findings.len()), (0, 0), "{findings:#?}");
}

#[test]
fn exit_statuses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clean = write(dir.path(), "clean", PRIMARY);
    let warning = write(
        dir.path(),
        "warning",
        &edit(
            PRIMARY,
            "load balance max seconds 3;",
            "load balance max seconds 0;",
        ),
    );
    let error = write(dir.path(), "error", &edit(PRIMARY, "  mclt 1800;\n", ""));
    let status = |args: &[&str]| run(args).status.code();
    assert_eq!(status(&[path_str(&clean)]), Some(0));
    assert_eq!(status(&["--deny-warnings", path_str(&clean)]), Some(0));
    assert_eq!(status(&[path_str(&warning)]), Some(0));
    assert_eq!(status(&["--deny-warnings", path_str(&warning)]), Some(1));
    assert_eq!(status(&[path_str(&error)]), Some(1));
    assert_eq!(status(&["--ignore", "DF304", path_str(&error)]), Some(0));
    let missing = dir.path().join("missing.conf");
    assert_eq!(status(&[path_str(&missing)]), Some(2));
}

#[test]
fn json_shape() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = edit(PRIMARY, "  mclt 1800;\n", "");
    let text = edit(
        &text,
        "load balance max seconds 3;",
        "load balance max seconds 0;",
    );
    let path = write(dir.path(), "shape", &text);
    let (status, findings) = lint_json(&["--select", "DF3", path_str(&path)]);
    assert_eq!(status, 1);
    assert_eq!(
        codes(&findings),
        ["DF304", "DF318"].map(String::from).into()
    );
    for f in &findings {
        let object = f.as_object().expect("each finding is an object");
        let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "code", "column", "end", "file", "help", "line", "message", "severity"
            ]
            .into(),
            "{f}"
        );
        // `end` is just past the span: after its start.
        let start = (f["line"].as_u64(), f["column"].as_u64());
        let end = (f["end"]["line"].as_u64(), f["end"]["column"].as_u64());
        assert!(end > start, "{f}");
        assert_eq!(f["file"], path_str(&path));
        assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
        assert!(f["help"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
        assert!(f["line"].as_u64().is_some_and(|n| n >= 1), "{f}");
        assert!(f["column"].as_u64().is_some_and(|n| n >= 1), "{f}");
    }
    let by_code = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .cloned()
            .unwrap_or_default()
    };
    // DF304 points at `failover peer "dhcp-fo"` (line 7), DF318 at the 0 (line 15, column 28).
    let df304 = by_code("DF304");
    assert_eq!(
        (
            df304["severity"].clone(),
            df304["line"].clone(),
            df304["column"].clone()
        ),
        ("error".into(), 7.into(), 1.into())
    );
    let df318 = by_code("DF318");
    assert_eq!(
        (
            df318["severity"].clone(),
            df318["line"].clone(),
            df318["column"].clone()
        ),
        ("warning".into(), 15.into(), 28.into())
    );
}

#[test]
fn select_and_ignore_match_prefixes() {
    let dir = tempfile::tempdir().expect("temp dir");
    // DF304 (error), DF318 (warning) and DF323 (warning).
    let text = edit(PRIMARY, "  mclt 1800;\n", "");
    let text = edit(
        &text,
        "load balance max seconds 3;",
        "load balance max seconds 0;",
    );
    let text = edit(&text, "  port 647;", "  port 519;");
    let path = write(dir.path(), "select", &text);
    let file = path_str(&path);
    let found = |args: &[&str]| codes(&lint_json(&[args, &[file]].concat()).1);
    let set = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(found(&[]), set(&["DF304", "DF318", "DF323"]));
    assert_eq!(found(&["--select", "DF31"]), set(&["DF318"]));
    assert_eq!(found(&["--select", "df30,DF323"]), set(&["DF304", "DF323"]));
    assert_eq!(
        found(&["--select", "DF3", "--ignore", "DF32"]),
        set(&["DF304", "DF318"])
    );
    assert_eq!(found(&["--ignore", "DF3"]), set(&[]));
    assert_eq!(
        found(&["--ignore", "DF304", "--ignore", "DF318"]),
        set(&["DF323"])
    );
    // Ignoring the only error turns the exit status to 0.
    assert_eq!(lint_json(&["--ignore", "DF304", file]).0, 0);
    // A code no rule has (a letter O for a zero) would select nothing: a usage error.
    for args in [["--select", "DF3O4"], ["--ignore", "DF9"]] {
        let output = run(&[&args[..], &[file]].concat());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(args[1]), "{args:?}: {stderr}");
    }
}

#[test]
fn a_finding_in_a_file_both_peers_include_is_reported_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The shared file has an undeclared class (DF209): one finding, not one per peer.
    let shared = "subnet 198.51.100.0 netmask 255.255.255.0 {\n  pool {\n    \
                  allow members of \"phones\";\n    range 198.51.100.10 198.51.100.20;\n  }\n}\n";
    let shared_path = write(dir.path(), "shared", shared);
    let include = format!("include \"{}\";\n", path_str(&shared_path));
    let primary = write(dir.path(), "p", &format!("{PRIMARY}{include}"));
    let secondary = write(dir.path(), "s", &format!("{}{include}", secondary()));
    let (status, findings) = lint_json(&["--pair", path_str(&primary), path_str(&secondary)]);
    let in_shared: Vec<&Value> = findings
        .iter()
        .filter(|f| f["file"].as_str() == Some(path_str(&shared_path)))
        .collect();
    assert_eq!(in_shared.len(), 1, "{findings:#?}");
    assert_eq!(in_shared[0]["code"], "DF209");
    assert_eq!(status, 1);
}

#[test]
fn inline_ignore_comments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = secondary();
    let warned = edit(&s, "  secondary;\n", "  secondary;\n  mclt 1800;\n");
    let same_line = edit(
        &s,
        "  secondary;\n",
        "  secondary;\n  mclt 1800; # dhcpfo: ignore DF301\n",
    );
    let line_above = edit(
        &s,
        "  secondary;\n",
        "  secondary;\n  # dhcpfo: ignore DF327, DF301\n  mclt 1800;\n",
    );
    let other_code = edit(
        &s,
        "  secondary;\n",
        "  secondary;\n  mclt 1800; # dhcpfo: ignore DF300\n",
    );
    let two_above = edit(
        &s,
        "  secondary;\n",
        "  secondary;\n  # dhcpfo: ignore DF301\n\n  mclt 1800;\n",
    );
    let prefix = edit(
        &s,
        "  secondary;\n",
        "  secondary;\n  mclt 1800; # dhcpfo: ignore df3\n",
    );
    let other_prefix = edit(
        &s,
        "  secondary;\n",
        "  secondary;\n  mclt 1800; # dhcpfo: ignore DF2\n",
    );
    for (name, text, expected) in [
        ("prefix", prefix, false),
        ("other-prefix", other_prefix, true),
        ("warned", warned, true),
        ("same-line", same_line, false),
        ("line-above", line_above, false),
        ("other-code", other_code, true),
        ("two-lines-above", two_above, true),
    ] {
        let path = write(dir.path(), name, &text);
        let (_, findings) = lint_json(&[path_str(&path)]);
        assert_eq!(
            codes(&findings).contains("DF301"),
            expected,
            "{name}: {findings:#?}"
        );
    }
}

#[test]
fn explain_documents_each_rule() {
    for code in [
        "DF300", "DF301", "DF315", "DF316", "df317", "DF319", "DF330",
    ] {
        let output = run(&["--explain", code]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{code}");
        let upper = code.to_ascii_uppercase();
        assert!(text.starts_with(&format!("{upper} (")), "{code}: {text}");
        assert!(text.contains("error") || text.contains("warning"), "{text}");
        assert!(text.len() > 200, "{code}: a real doc, not {text:?}");
    }
    let text = String::from_utf8_lossy(&run(&["--explain", "DF315"]).stdout).into_owned();
    assert!(
        text.contains("peer-without-pool") && text.contains("has no referring pools"),
        "{text}"
    );
    assert_eq!(run(&["--explain", "DF399"]).status.code(), Some(2));
}

#[test]
fn lookalike_syntax_error_names_the_character() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = edit(
        PRIMARY,
        "max-response-delay 30;",
        "max\u{2010}response\u{2010}delay 30;",
    );
    let path = write(dir.path(), "hyphen", &text);
    let (status, findings) = lint_json(&[path_str(&path)]);
    assert_eq!(status, 1);
    let f = &findings[0];
    assert_eq!(f["code"], "DF200");
    let message = f["message"].as_str().unwrap_or("");
    assert!(
        message.contains("U+2010 HYPHEN") && message.contains("`-`"),
        "{message}"
    );
    // The column of the first U+2010, counted in characters.
    assert_eq!(
        (f["line"].clone(), f["column"].clone()),
        (13.into(), 6.into()),
        "{f}"
    );
}

#[test]
fn findings_point_into_included_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let peer_block = "failover peer \"fo\" {\n  secondary;\n  address 10.0.0.3;\n  peer address 10.0.0.2;\n  max-response-delay 30;\n  max-unacked-updates 10;\n  load balance max seconds 3;\n  mclt 1800;\n}\n";
    let included = write(dir.path(), "peer", peer_block);
    let main = format!(
        "include \"{}\";\nsubnet 10.0.0.0 netmask 255.255.255.0 {{\n  pool {{ failover peer \"fo\"; range 10.0.0.10 10.0.0.50; }}\n}}\n",
        path_str(&included)
    );
    let main = write(dir.path(), "main", &main);
    let (status, findings) = lint_json(&[path_str(&main)]);
    assert_eq!(status, 0);
    assert_eq!(codes(&findings), ["DF301".to_string()].into());
    assert_eq!(findings[0]["file"], path_str(&included));
    assert_eq!(findings[0]["line"], 8);
}
