//! Machine-readable output: the one finding shape in every command's JSON, errors included,
//! never terminal drawing; SARIF validated against the OASIS schema; GitHub annotations; one
//! line per finding; alike findings grouped for people.

use std::net::TcpListener;
use std::path::Path;

use serde_json::Value;

use super::{BROKEN, dhcpfo, stderr, write};

/// Characters of miette's and indicatif's drawing, and the escape that starts a colour.
const DRAWING: &[char] = &['│', '╭', '╰', '─', '×', '⚠', '✘', '✔', '·', '\u{1b}'];

fn json(out: &std::process::Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains(DRAWING),
        "terminal drawing in the JSON output:\n{text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn keys(finding: &Value) -> Vec<&str> {
    finding
        .as_object()
        .expect("a finding is an object")
        .keys()
        .map(String::as_str)
        .collect()
}

const SHAPE: [&str; 8] = [
    "code", "severity", "message", "help", "file", "line", "column", "end",
];

fn assert_shape(finding: &Value) {
    let mut found = keys(finding);
    found.sort_unstable();
    let mut expected = SHAPE.to_vec();
    expected.sort_unstable();
    assert_eq!(found, expected, "{finding}");
    assert!(
        finding["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("DF")),
        "{finding}"
    );
}

#[test]
fn check_json_has_the_finding_shape_with_its_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pair.yaml", BROKEN);
    let out = dhcpfo(&["check", &path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let findings = json(&out);
    let split = &findings[0];
    assert_shape(split);
    // `split: 300` at line 4: the value 300 spans columns 10 to 12.
    assert_eq!(
        (split["line"].as_u64(), split["column"].as_u64()),
        (Some(4), Some(10))
    );
    assert_eq!(split["end"], serde_json::json!({"line": 4, "column": 13}));
}

#[test]
fn a_missing_file_is_json_on_stdout() {
    let out = dhcpfo(&["check", "missing.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let findings = json(&out);
    assert_eq!(findings.as_array().map(Vec::len), Some(1), "{findings}");
    let finding = &findings[0];
    assert_shape(finding);
    assert_eq!(finding["code"], "DF001");
    assert_eq!(finding["file"], "missing.yaml");
    assert!(
        finding["line"].is_null() && finding["end"].is_null(),
        "{finding}"
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn usage_errors_are_json_when_json_was_asked_for() {
    for (args, array) in [
        (&["check", "--bogus", "--format", "json"][..], true),
        (&["lint", "--format=json", "--pair", "only-one.conf"], true),
        (&["leases", "--format", "json"], false),
        (&["status", "--format", "json", "a.yaml", "b.yaml"], false),
    ] {
        let out = dhcpfo(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let value = json(&out);
        let finding = if array {
            &value[0]
        } else {
            &value["errors"][0]
        };
        assert_shape(finding);
        assert_eq!(finding["code"], "DF004", "{args:?}: {value}");
        assert!(
            finding["help"]
                .as_str()
                .is_some_and(|h| h.contains("--help"))
        );
    }
    // The message names what is missing; the help names the nested command.
    let out = dhcpfo(&["render", "x.yaml", "--format", "json"]);
    let value = json(&out);
    assert!(
        value["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.ends_with("not provided: --out <DIR>")),
        "{value}"
    );
    let out = dhcpfo(&["failover", "state", "x.yaml", "--format", "json"]);
    let value = json(&out);
    let help = value["errors"][0]["help"].as_str().unwrap_or_default();
    assert!(help.contains("`dhcpfo failover state --help`"), "{value}");
    // serve logs JSON lines: its usage error is one line.
    let out = dhcpfo(&["serve", "--format", "json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert_eq!(json(&out)["errors"][0]["code"], "DF004");
    // Without --format json, clap's own text.
    let out = dhcpfo(&["check", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty() && stderr(&out).contains("Usage:"));
}

#[test]
fn leases_errors_are_json_with_their_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = write(
        dir.path(),
        "bad.leases",
        "lease 10.0.0.1 {\n  binding state sideways;\n}\n",
    );
    let out = dhcpfo(&["leases", &bad, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let error = &json(&out)["errors"][0];
    assert_shape(error);
    assert_eq!(error["code"], "DF011");
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(2), Some(17))
    );

    let missing = dir.path().join("none.leases").display().to_string();
    let out = dhcpfo(&["leases", &missing, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["errors"][0]["code"], "DF001");
}

/// A model whose peers are SSH servers on loopback ports where nothing listens.
fn model_with_peers_down(dir: &Path) -> String {
    let closed = || {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let (p, s) = (closed(), closed());
    let text = format!(
        "failover: {{ name: fo, mclt: 3600, split: 128 }}
peers:
  primary: {{ address: 10.0.0.2, interfaces: [eth0], ssh: {{ host: 127.0.0.1, port: {p} }} }}
  secondary: {{ address: 10.0.0.3, interfaces: [eth0], ssh: {{ host: 127.0.0.1, port: {s} }} }}
subnets:
  - network: 10.0.0.0/24
    pools:
      - range: [10.0.0.10, 10.0.0.20]
"
    );
    write(dir, "down.yaml", &text)
}

/// The top-level keys `COMMAND --help` says its JSON object has: the list in parentheses
/// after "one JSON object".
fn keys_in_help(command: &str) -> Vec<String> {
    let help = dhcpfo(&[command, "--help"]);
    let text = String::from_utf8_lossy(&help.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let after = text
        .split_once("one JSON object (")
        .unwrap_or_else(|| panic!("{command} --help names no keys: {text}"))
        .1;
    let list = after.split_once(')').map_or(after, |(list, _)| list);
    let mut keys: Vec<String> = list.split(", ").map(String::from).collect();
    keys.sort();
    keys
}

#[test]
fn remote_commands_report_a_peer_down_as_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = model_with_peers_down(dir.path());
    let ssh = ["--ssh-config", "none"];

    let out = dhcpfo(&[&["diff", &model, "--format", "json"][..], &ssh].concat());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let diff = json(&out);
    assert!(diff["differs"].is_null(), "{diff}");
    assert_eq!(keys(&diff), keys_in_help("diff"), "{diff}");
    let errors = diff["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{diff}");
    for e in errors {
        assert_shape(e);
        assert_eq!(e["code"], "DF501", "{e}");
    }

    let out = dhcpfo(&[&["status", &model, "--format", "json"][..], &ssh].concat());
    assert_eq!(out.status.code(), Some(2));
    let status = json(&out);
    assert_eq!(status["healthy"], false, "{status}");
    assert_eq!(keys(&status), keys_in_help("status"), "{status}");
    assert_eq!(
        status["problems"],
        serde_json::json!(["primary: not reachable", "secondary: not reachable"]),
        "{status}"
    );
    for peer in status["peers"].as_array().expect("peers") {
        assert_eq!(peer["reachable"], false);
        assert_shape(&peer["errors"][0]);
        assert_eq!(peer["errors"][0]["code"], "DF501", "{peer}");
    }

    let out = dhcpfo(&[&["deploy", &model, "--yes", "--format", "json"][..], &ssh].concat());
    assert_eq!(out.status.code(), Some(2));
    let report = json(&out);
    assert_eq!(report["outcome"], "aborted", "{report}");
    assert_shape(&report["error"]);
    assert_eq!(report["error"]["code"], "DF501");
    assert!(
        report["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cannot connect")),
        "{report}"
    );
    assert_eq!(report["errors"][0], report["error"]);
    // Both peers' failures, each once, in the finding shape; the failed steps carry the code.
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{report}");
    for (i, peer) in ["primary", "secondary"].iter().enumerate() {
        assert_shape(&errors[i]);
        assert_eq!(errors[i]["code"], "DF501", "{report}");
        assert!(
            errors
                .iter()
                .any(|e| e["message"].as_str().is_some_and(|m| m.contains(peer))),
            "{peer}: {report}"
        );
        assert_eq!(report["peers"][i]["steps"][0]["code"], "DF501", "{report}");
    }
}

#[test]
fn deploy_says_each_failure_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = model_with_peers_down(dir.path());
    let out = dhcpfo(&["deploy", &model, "--yes", "--ssh-config", "none"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    for peer in ["primary", "secondary"] {
        assert_eq!(
            text.matches(&format!("{peer} (127.0.0.1:")).count(),
            2,
            "the peer's line and its one failure:\n{text}"
        );
    }
    assert_eq!(text.matches("cannot connect").count(), 2, "{text}");
    assert_eq!(text.matches("help[DF501]").count(), 1, "{text}");
    assert!(!text.contains('│'), "{text}");
}

#[test]
fn commands_that_cannot_start_still_print_their_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = write(dir.path(), "pair.yaml", BROKEN);
    for args in [
        vec!["diff", &broken, "--format", "json"],
        vec!["status", &broken, "--format", "json"],
        vec!["deploy", &broken, "--yes", "--format", "json"],
    ] {
        let command = args[0];
        let out = dhcpfo(&args);
        assert_eq!(out.status.code(), Some(2), "{command}: {}", stderr(&out));
        let value = json(&out);
        let codes: Vec<&str> = value["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["code"].as_str())
            .collect();
        assert_eq!(codes, ["DF110", "DF133"], "{command}: {value}");
        assert_eq!(value["errors"][0]["line"], 4, "{value}");
    }
    // Without a terminal and without --yes, deploy refuses: a usage error, in JSON too.
    let good = BROKEN
        .replace("split: 300", "split: 128")
        .replace("10.1.2.20", "10.1.0.20");
    let good = write(dir.path(), "good.yaml", &good);
    let out = dhcpfo(&["deploy", &good, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let value = json(&out);
    assert_eq!(value["error"]["code"], "DF004", "{value}");
    assert_eq!(value["outcome"], "aborted");
    // No server on the control socket: the reply object, with the error in `errors`.
    let socket = dir.path().join("none.ctl");
    let socket = socket.to_str().expect("utf-8");
    for action in ["state", "partner-down"] {
        let args = [
            "failover", action, &good, "--role", "primary", "--socket", socket,
        ];
        let out = dhcpfo(&[&args[..], &["--format", "json"]].concat());
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let value = json(&out);
        assert_eq!(value["ok"], false, "{value}");
        assert_shape(&value["errors"][0]);
        assert_eq!(value["errors"][0]["code"], "DF034", "{value}");
    }
}

/// Six hosts without a hardware address: six DF145 warnings in one file.
const SIX_HOSTS: &str = "\
failover: { name: fo, mclt: 3600, split: 128, load-balance-max-seconds: 3 }
peers:
  primary: { address: 10.0.0.2, interfaces: [eth0] }
  secondary: { address: 10.0.0.3, interfaces: [eth0] }
subnets:
  - network: 10.0.0.0/24
    pools:
      - range: [10.0.0.10, 10.0.0.20]
hosts:
  - { name: a, fixed-address: 10.0.0.201 }
  - { name: b, fixed-address: 10.0.0.202 }
  - { name: c, fixed-address: 10.0.0.203 }
  - { name: d, fixed-address: 10.0.0.204 }
  - { name: e, fixed-address: 10.0.0.205 }
  - { name: f, fixed-address: 10.0.0.206 }
";

#[test]
fn alike_findings_are_grouped_for_people_and_listed_for_machines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "hosts.yaml", SIX_HOSTS);
    let out = dhcpfo(&["check", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stderr(&out);
    assert_eq!(text.matches("╭─[").count(), 3, "{text}");
    assert!(text.contains("... and 3 more like this (DF145):"), "{text}");
    for (line, host) in [(13, "d"), (14, "e"), (15, "f")] {
        assert!(
            text.contains(&format!(
                "hosts.yaml:{line}:13: host `{host}` has no hardware-ethernet"
            )),
            "{text}"
        );
    }
    assert!(
        text.lines().count() < 45,
        "{} lines:\n{text}",
        text.lines().count()
    );
    let findings = json(&dhcpfo(&["check", &path, "--format", "json"]));
    assert_eq!(findings.as_array().map(Vec::len), Some(6));
}

#[test]
fn concise_is_one_line_per_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pair.yaml", BROKEN);
    let out = dhcpfo(&["check", &path, "--format", "concise"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{path}:4:10: error[DF110] split 300 is outside 0..256"),
            format!("{path}:12:16: error[DF133] 10.1.2.20 is outside subnet 10.1.0.0/24"),
        ]
    );
    assert!(
        stderr(&out).contains("2 error(s), 0 warning(s)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn github_annotations_name_file_line_and_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pair.yaml", BROKEN);
    let out = dhcpfo(&["check", &path, "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().expect("an annotation");
    assert!(
        first.starts_with(&format!(
            "::error file={path},line=4,col=10,endLine=4,endColumn=13,title=DF110::split 300 is outside 0..256%0Ahelp: "
        )),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(out.stderr.is_empty(), "{}", stderr(&out));

    let conf = write(dir.path(), "dhcpd.conf", "authritative;\n");
    let out = dhcpfo(&["lint", &conf, "--format", "github"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("::warning file={conf},line=1,col=1,")),
        "{text}"
    );
}

/// The OASIS SARIF 2.1.0 (Errata 01) JSON schema, as the standard publishes it, with formats
/// (`uri`, `uri-reference`) checked too.
fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("SARIF schema")).expect("JSON");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a valid draft-04 schema")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{log:#}");
}

#[test]
fn sarif_is_valid_against_the_oasis_schema() {
    let validator = sarif_schema();
    // The validator refuses what the schema forbids, so a pass means something.
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.1.0"})));
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.0", "runs": []})));

    let dir = tempfile::tempdir().expect("tempdir");
    let broken = write(dir.path(), "pair.yaml", BROKEN);
    let hosts = write(dir.path(), "hosts b.yaml", SIX_HOSTS);
    let out = dhcpfo(&[
        "check",
        &broken,
        &hosts,
        "missing.yaml",
        "--format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let log = json(&out);
    assert_valid_sarif(&validator, &log);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "dhcpfo");
    let results = run["results"].as_array().expect("results");
    // The same findings as the JSON output, in order.
    let listed = json(&dhcpfo(&[
        "check",
        &broken,
        &hosts,
        "missing.yaml",
        "--format",
        "json",
    ]));
    let listed = listed.as_array().expect("array");
    assert_eq!(results.len(), listed.len());
    for (result, finding) in results.iter().zip(listed) {
        assert_eq!(result["ruleId"], finding["code"]);
        let rule =
            &run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().expect("index") as usize];
        assert_eq!(rule["id"], finding["code"]);
        if let Some(line) = finding["line"].as_u64() {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"].as_u64(), Some(line));
            assert_eq!(region["endColumn"], finding["end"]["column"]);
        }
    }
    let uris: Vec<&str> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.iter().any(|u| u.ends_with("hosts%20b.yaml")),
        "{uris:?}"
    );
    assert!(uris.contains(&"missing.yaml"), "{uris:?}");

    let conf = write(
        dir.path(),
        "dhcpd.conf",
        "authritative;\nsubnet 10.0.0.5 netmask 255.255.255.0 { }\n",
    );
    let out = dhcpfo(&["lint", &conf, "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log = json(&out);
    assert_valid_sarif(&validator, &log);
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| r.len() >= 2),
        "{log}"
    );
}

/// `render --format json`: stdout holds the one object (`files`, `warnings`, `errors`...)
/// and nothing else is printed.
fn render_json(args: &[&str]) -> (Option<i32>, Value) {
    let out = dhcpfo(&[args, &["--format", "json"][..]].concat());
    assert!(out.stderr.is_empty(), "{args:?}: {}", stderr(&out));
    (out.status.code(), json(&out))
}

fn codes(findings: &Value) -> Vec<&str> {
    findings
        .as_array()
        .expect("an array of findings")
        .iter()
        .inspect(|f| assert_shape(f))
        .filter_map(|f| f["code"].as_str())
        .collect()
}

#[test]
fn render_json_lists_the_files_written_with_their_hash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let model = super::example("lab-pair.yaml");
    let out_arg = out_dir.display().to_string();
    let (code, value) = render_json(&["render", &model, "--out", &out_arg, "--layout", "split"]);
    assert_eq!(code, Some(0), "{value}");
    assert_eq!(value["layout"], "split");
    assert_eq!(value["out"], out_arg.as_str());
    assert_eq!(codes(&value["errors"]), Vec::<&str>::new());
    let files = value["files"].as_array().expect("files");
    assert_eq!(files.len(), 6, "{value}");
    for file in files {
        let path = file["path"].as_str().expect("a path");
        let role = file["role"].as_str().expect("a role");
        let name = file["name"].as_str().expect("a name");
        assert_eq!(Path::new(path), out_dir.join(role).join(name));
        let written = std::fs::read(path).expect("the file was written");
        assert_eq!(file["bytes"].as_u64(), Some(written.len() as u64), "{file}");
        assert_eq!(
            file["sha256"].as_str(),
            Some(dhcpfo::remote::files::sha256(&written).as_str()),
            "{file}"
        );
        assert!(file.get("content").is_none(), "{file}");
    }

    // Back to the single layout: the shared files are removed, and listed.
    let (code, value) = render_json(&["render", &model, "--out", &out_arg]);
    assert_eq!(code, Some(0), "{value}");
    let removed: Vec<&str> = value["removed"]
        .as_array()
        .expect("removed")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(removed.len(), 2, "{value}");
    assert!(removed.iter().all(|p| p.ends_with("dhcpd.shared.conf")));

    // With --role the file is in the JSON, as it would be on standard output.
    let (code, value) = render_json(&["render", &model, "--role", "secondary"]);
    assert_eq!(code, Some(0), "{value}");
    let printed = dhcpfo(&["render", &model, "--role", "secondary"]);
    assert_eq!(value["files"].as_array().map(Vec::len), Some(1), "{value}");
    let file = &value["files"][0];
    assert!(file["path"].is_null() && value["out"].is_null(), "{value}");
    assert_eq!(
        file["content"].as_str(),
        Some(String::from_utf8_lossy(&printed.stdout).as_ref())
    );

    // The model's warnings are listed, and do not stop the render.
    let hosts = write(dir.path(), "hosts.yaml", SIX_HOSTS);
    let (code, value) = render_json(&["render", &hosts, "--role", "primary"]);
    assert_eq!(code, Some(0), "{value}");
    assert_eq!(codes(&value["warnings"]), ["DF145"; 6]);
    assert_eq!(value["warnings"][0]["line"], 10, "{value}");
}

#[test]
fn render_json_reports_every_error_as_a_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out").display().to_string();
    let model = super::example("lab-pair.yaml");
    let broken = write(dir.path(), "pair.yaml", BROKEN);
    let bad_yaml = write(dir.path(), "bad.yaml", "failover:\n  name: [fo\n");
    let missing = dir.path().join("missing.yaml").display().to_string();
    let not_a_folder = write(dir.path(), "file", "");
    let below_a_file = format!("{not_a_folder}/out");
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).expect("mkdir");
    write(&templates, "header.j2", "# {{ header.no_such_field }}\n");
    let templates = templates.display().to_string();

    // The exit status, the codes, and the file and line the first error names.
    let expect = |args: &[&str], status: i32, expected: &[&str], file: Option<&str>, line| {
        let (code, value) = render_json(args);
        assert_eq!(code, Some(status), "{args:?}: {value}");
        assert_eq!(codes(&value["errors"]), expected, "{args:?}: {value}");
        let first = &value["errors"][0];
        assert_eq!(first["file"].as_str(), file, "{args:?}: {value}");
        assert_eq!(first["line"].as_u64(), line, "{args:?}: {value}");
        assert!(
            value["files"].as_array().is_none_or(Vec::is_empty),
            "{args:?}: {value}"
        );
    };
    let render = ["render", model.as_str()];
    let out = ["--out", out_dir.as_str()];
    expect(
        &["render", &bad_yaml, "--out", &out_dir],
        1,
        &["DF101"],
        Some(&bad_yaml),
        Some(2),
    );
    expect(
        &["render", &broken, "--out", &out_dir],
        1,
        &["DF110", "DF133"],
        Some(&broken),
        Some(4),
    );
    expect(
        &["render", &missing, "--out", &out_dir],
        2,
        &["DF001"],
        Some(&missing),
        None,
    );
    expect(
        &[&render[..], &["--out", &below_a_file]].concat(),
        2,
        &["DF005"],
        Some(&below_a_file),
        None,
    );
    expect(
        &[
            &render[..],
            &["--role", "primary", "--templates", &templates],
        ]
        .concat(),
        2,
        &["DF002"],
        None,
        None,
    );
    expect(
        &[&render[..], &out, &["--shared-path", "x.conf"]].concat(),
        2,
        &["DF003"],
        None,
        None,
    );
    expect(
        &[&render[..], &["--role", "primary", "--layout", "split"]].concat(),
        2,
        &["DF004"],
        None,
        None,
    );
    assert!(
        !Path::new(&out_dir).exists(),
        "nothing may be written when render fails"
    );
}

/// `serve --format json` that cannot start: one finding-shape object a line on standard
/// output, nothing on standard error, and the exit status of the text mode.
fn serve_json(pair: &str, interface: &str, leases: &str) -> (Option<i32>, Vec<Value>) {
    let out = dhcpfo(&[
        "serve",
        pair,
        "--role",
        "standalone",
        "--interface",
        interface,
        "--leases",
        leases,
        "--format",
        "json",
    ]);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(DRAWING), "{text}");
    let lines = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (out.status.code(), lines)
}

#[test]
fn serve_json_reports_start_up_errors_as_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let leases = dir.path().join("dhcpd.leases").display().to_string();
    let good = BROKEN
        .replace("split: 300", "split: 128")
        .replace("10.1.2.20", "10.1.0.20");
    let good = write(dir.path(), "good.yaml", &good);

    // An invalid model: each error, placed.
    let broken = write(dir.path(), "pair.yaml", BROKEN);
    let (code, lines) = serve_json(&broken, "lo", &leases);
    assert_eq!(code, Some(1), "{lines:?}");
    let codes: Vec<&str> = lines
        .iter()
        .inspect(|f| assert_shape(f))
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["DF110", "DF133"]);
    assert_eq!(
        (lines[0]["file"].as_str(), lines[0]["line"].as_u64()),
        (Some(broken.as_str()), Some(4))
    );

    // YAML that does not parse, and a model that cannot be read.
    let bad_yaml = write(dir.path(), "bad.yaml", "peers: {}\n");
    let (code, lines) = serve_json(&bad_yaml, "lo", &leases);
    assert_eq!(code, Some(1), "{lines:?}");
    assert_eq!(lines[0]["code"], "DF103", "{lines:?}");
    assert_eq!(lines[0]["line"], 1, "{lines:?}");
    let missing = dir.path().join("none.yaml").display().to_string();
    let (code, lines) = serve_json(&missing, "lo", &leases);
    assert_eq!(code, Some(2), "{lines:?}");
    assert_shape(&lines[0]);
    assert_eq!(
        (lines[0]["code"].as_str(), lines[0]["file"].as_str()),
        (Some("DF001"), Some(missing.as_str()))
    );

    // A lease file that is not one: its file and line.
    let bad_leases = write(
        dir.path(),
        "bad.leases",
        "lease 10.0.0.1 {\n  binding state sideways;\n}\n",
    );
    let (code, lines) = serve_json(&good, "lo", &bad_leases);
    assert_eq!(code, Some(2), "{lines:?}");
    let finding = lines.last().expect("a finding");
    assert_shape(finding);
    assert_eq!(finding["code"], "DF011");
    assert_eq!(
        (finding["file"].as_str(), finding["line"].as_u64()),
        (Some(bad_leases.as_str()), Some(2))
    );

    // An interface that does not exist: the log lines before it are JSON too.
    let (code, lines) = serve_json(&good, "no-such-if9", &leases);
    assert_eq!(code, Some(2), "{lines:?}");
    let finding = lines.last().expect("a finding");
    assert_shape(finding);
    assert_eq!(finding["code"], "DF012", "{lines:?}");
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("no-such-if9")),
        "{finding}"
    );
    for line in &lines[..lines.len() - 1] {
        assert!(
            line["level"].is_string() && line["message"].is_string(),
            "{line}"
        );
    }
}
