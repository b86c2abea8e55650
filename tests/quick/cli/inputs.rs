//! `check` and `lint` over many files and folders: every file read, a summary line each, one
//! exit status for the run.

use std::path::Path;

use serde_json::Value;

use super::{BROKEN, dhcpfo, example, stderr, write};

fn json(out: &std::process::Output) -> Vec<Value> {
    serde_json::from_slice(&out.stdout).expect("a JSON array on stdout")
}

fn files_of(findings: &[Value]) -> Vec<String> {
    let mut files: Vec<String> = findings
        .iter()
        .filter_map(|f| f["file"].as_str().map(String::from))
        .collect();
    files.dedup();
    files
}

#[test]
fn check_takes_several_files_with_a_summary_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = write(dir.path(), "broken.yaml", BROKEN);
    let good = example("lab-pair.yaml");
    let out = dhcpfo(&["check", &good, &broken]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    let summaries: Vec<&str> = text.lines().filter(|l| l.contains(" error(s), ")).collect();
    assert_eq!(summaries.len(), 3, "{text}");
    assert!(summaries[0].starts_with(&format!("{good}: 0 error(s), 0 warning(s); 1 subnet(s)")));
    assert!(summaries[1].starts_with(&format!("{broken}: 2 error(s), 0 warning(s)")));
    assert_eq!(
        summaries[2],
        "2 file(s): 2 error(s), 0 warning(s); 1 file(s) with errors"
    );
    // The good file alone passes; the order of the files does not change the status.
    assert_eq!(dhcpfo(&["check", &good]).status.code(), Some(0));
    assert_eq!(dhcpfo(&["check", &broken, &good]).status.code(), Some(1));
}

#[test]
fn check_searches_folders_for_models() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("site/b")).expect("mkdir");
    std::fs::create_dir_all(root.join(".git")).expect("mkdir");
    let lab = std::fs::read_to_string(example("lab-pair.yaml")).expect("example");
    write(root, "a.yaml", &lab);
    write(&root.join("site"), "broken.yml", BROKEN);
    write(&root.join("site/b"), "c.yaml", &lab);
    write(root, "notes.txt", "not a model");
    write(&root.join(".git"), "HEAD.yaml", "not: [a model");
    let out = dhcpfo(&["check", &root.display().to_string(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let files = files_of(&json(&out));
    assert_eq!(files, [root.join("site/broken.yml").display().to_string()]);

    let out = dhcpfo(&["check", &root.display().to_string()]);
    let text = stderr(&out);
    let checked: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" error(s), ") && !l.starts_with("3 file(s)"))
        .map(|l| l.split(": ").next().unwrap_or(""))
        .collect();
    let expected: Vec<String> = ["a.yaml", "site/b/c.yaml", "site/broken.yml"]
        .iter()
        .map(|n| root.join(n).display().to_string())
        .collect();
    assert_eq!(checked, expected, "{text}");
    assert!(text.contains("3 file(s): 2 error(s)"), "{text}");
}

#[test]
fn a_file_that_cannot_be_read_fails_the_run_after_the_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = write(dir.path(), "broken.yaml", BROKEN);
    let missing = dir.path().join("missing.yaml").display().to_string();
    let out = dhcpfo(&["check", &missing, &broken, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let findings = json(&out);
    let codes: Vec<&str> = findings.iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(codes, ["DF001", "DF110", "DF133"]);

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = dhcpfo(&["check", &empty.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error[DF004]")
            && stderr(&out).contains("holds no *.yaml or *.yml file"),
        "{}",
        stderr(&out)
    );
}

fn lint_fixture(root: &Path) {
    // A split layout: the peer file includes the shared one, which alone would lack the peer.
    write(
        root,
        "dhcpd.conf",
        &format!(
            "failover peer \"fo\" {{\n  primary;\n  address 10.0.0.2;\n  port 647;\n  peer address 10.0.0.3;\n  peer port 647;\n  max-response-delay 60;\n  max-unacked-updates 10;\n  load balance max seconds 3;\n  mclt 1800;\n  split 128;\n}}\ninclude \"{}\";\n",
            root.join("shared.conf").display()
        ),
    );
    write(
        root,
        "shared.conf",
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    failover peer \"fo\";\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n",
    );
    std::fs::create_dir_all(root.join("old")).expect("mkdir");
    write(
        &root.join("old"),
        "broken.conf",
        "subnet 10.1.0.5 netmask 255.255.255.0 { }\n",
    );
}

#[test]
fn lint_searches_folders_and_lints_included_files_through_their_includer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    lint_fixture(root);
    let out = dhcpfo(&["lint", &root.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    let summaries: Vec<&str> = text.lines().filter(|l| l.contains(" error(s), ")).collect();
    let main = root.join("dhcpd.conf").display().to_string();
    let broken = root.join("old/broken.conf").display().to_string();
    assert_eq!(summaries.len(), 3, "{text}");
    assert_eq!(summaries[0], format!("{main}: 0 error(s), 0 warning(s)"));
    assert!(
        summaries[1].starts_with(&format!("{broken}: 1 error(s)")),
        "{text}"
    );
    assert!(summaries[2].starts_with("2 file(s): 1 error(s)"), "{text}");
    assert!(!text.contains("DF313"), "shared.conf linted alone: {text}");

    // Named on the command line, an included file is linted as asked.
    let shared = root.join("shared.conf").display().to_string();
    let out = dhcpfo(&["lint", &shared, "--format", "json"]);
    let codes: Vec<String> = json(&out)
        .iter()
        .filter_map(|f| f["code"].as_str().map(String::from))
        .collect();
    assert!(codes.contains(&"DF313".to_string()), "{codes:?}");

    // --deny-warnings and an unreadable file: one status for the run.
    let missing = root.join("missing.conf").display().to_string();
    let out = dhcpfo(&["lint", &main, &missing]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("{main}: 0 error(s)")),
        "{}",
        stderr(&out)
    );
}
