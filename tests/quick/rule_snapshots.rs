//! Every rule's full human output (message, labels, related places, help), from one fixture
//! per rule in `tests/rules/`, against a snapshot in `tests/snapshots/` (insta): the rule unit
//! tests check which lines fire, these check what a user reads.
//!
//! - `DFnnn.conf`: a dhcpd.conf; `dhcpfo lint --select DFnnn FILE`.
//! - `DFnnn.primary.conf` and `DFnnn.secondary.conf`: `dhcpfo lint --pair P S --select DFnnn`.
//! - `DFnnn.yaml`: a pair model; `dhcpfo check FILE` (everything it reports).
//! - `DFnnn.import.primary.conf` and `DFnnn.import.secondary.conf`: `dhcpfo import P S`
//!   (the model on standard output, then everything it reports).
//! - `DFnnn.absent`: a marker; `dhcpfo check` of a file beside it that does not exist.
//! - `*.included`: a file a fixture includes.
//!
//! A new or changed output fails until reviewed: `cargo insta review` (or run with
//! `INSTA_UPDATE=always` and read the diff of `tests/snapshots/`).

use std::path::Path;
use std::process::Command;

const DIR: &str = "tests/rules";

/// What `dhcpfo ARGS` prints, both streams, with the exit status.
fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("dhcpfo runs");
    format!(
        "exit status: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The fixtures, as (code, command line).
fn fixtures() -> Vec<(String, Vec<String>)> {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .expect("tests/rules")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in &names {
        let path = format!("{DIR}/{name}");
        let code = name.split('.').next().unwrap().to_string();
        let args = if let Some(code) = name.strip_suffix(".import.primary.conf") {
            let secondary = format!("{DIR}/{code}.import.secondary.conf");
            assert!(Path::new(&secondary).exists(), "{secondary} is missing");
            vec!["import".to_string(), path.clone(), secondary]
        } else if name.ends_with(".import.secondary.conf") {
            continue;
        } else if let Some(code) = name.strip_suffix(".absent") {
            let missing = format!("{DIR}/{code}.yaml");
            assert!(!Path::new(&missing).exists(), "{missing} must not exist");
            vec!["check".to_string(), missing]
        } else if let Some(code) = name.strip_suffix(".primary.conf") {
            let secondary = format!("{DIR}/{code}.secondary.conf");
            assert!(Path::new(&secondary).exists(), "{secondary} is missing");
            vec!["lint", "--pair", &path, &secondary, "--select", code]
                .into_iter()
                .map(String::from)
                .collect()
        } else if name.ends_with(".secondary.conf") || name.ends_with(".included") {
            continue;
        } else if name.ends_with(".conf") {
            ["lint", "--select", &code, &path]
                .map(String::from)
                .to_vec()
        } else if name.ends_with(".yaml") {
            ["check", &path].map(String::from).to_vec()
        } else {
            panic!(
                "{path}: not a fixture (DFnnn.conf, DFnnn.yaml, DFnnn.primary.conf, \
                 DFnnn.import.primary.conf, DFnnn.absent)"
            );
        };
        out.push((code, args));
    }
    out
}

#[test]
fn every_rule_prints_what_its_snapshot_shows() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 120, "{} fixtures", fixtures.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    // The snapshots stay in tests/snapshots/, beside the fixtures in tests/rules/.
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| {
        for (code, args) in &fixtures {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = run(&args);
            assert!(
                output
                    .lines()
                    .any(|l| l.trim() == code.as_str() || l.contains(&format!("[{code}]"))),
                "{code}: the fixture does not raise it\n{output}"
            );
            insta::assert_snapshot!(code.as_str(), output, &args.join(" "));
        }
    });
}

/// Each fixture belongs to a registered code, and no code has two.
#[test]
fn fixtures_name_registered_codes() {
    let rules = run(&["rules", "--format", "json"]);
    let json = &rules[rules.find('[').unwrap()..rules.rfind(']').unwrap() + 1];
    let codes: Vec<String> = serde_json::from_str::<serde_json::Value>(json)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for (code, _) in fixtures() {
        assert!(codes.contains(&code), "{code} is not a registered code");
        assert!(seen.insert(code.clone()), "{code} has two fixtures");
    }
}
