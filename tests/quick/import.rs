//! `dhcpfo import` round trips: a rendered pair imported and rendered again says the same
//! (compared with the pair lint's semantic comparison, peer blocks included), and real pairs
//! from the corpus in `../shared/corpus/dhcpd-conf` (never copied into this repository) import
//! without panicking, report what the model cannot express, and round-trip where complete.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dhcpfo::conf::Config;
use dhcpfo::conf::lint::{Selection, lint};
use dhcpfo::conf::pair::{lint_pair, same_config_differences};
use dhcpfo::diag::{Diagnostic, Severity};
use dhcpfo::import::{self, ImportOptions};
use dhcpfo::model::{Source, check, load_file, load_str};
use dhcpfo::render::{Layout, RenderOptions, render, write_files};

fn options() -> ImportOptions {
    ImportOptions {
        modeline: "# yaml-language-server: $schema=../schemas/dhcpfo-pair.schema.json".into(),
        ..ImportOptions::default()
    }
}

/// Renders a model (single layout) into `dir` and reads both peers' dhcpd.conf back.
fn render_pair(source: &Source, dir: &Path) -> [Config; 2] {
    let options = RenderOptions {
        layout: Layout::Single,
        ..RenderOptions::default()
    };
    let files = render(source, &options).expect("render");
    write_files(dir, &files).expect("write rendered files");
    ["primary", "secondary"].map(|role| {
        let config = Config::load(&dir.join(role).join("dhcpd.conf")).expect("read rendered file");
        assert!(config.problems.is_empty(), "{role}: {:?}", config.problems);
        config
    })
}

/// Loads an imported model and checks it has no check errors.
fn load_imported(name: &str, yaml: &str) -> Result<Source, String> {
    let source = load_str(name, yaml.to_string()).map_err(|e| format!("{name}: {e:?}\n{yaml}"))?;
    let findings = check::check(&source);
    if check::has_errors(&findings) {
        let messages: Vec<String> = findings
            .iter()
            .filter(|d| d.finding.severity == Severity::Error)
            .map(|d| format!("{} {}", d.finding.code, d.finding.message))
            .collect();
        return Err(format!("{name}: check errors {messages:?}\n{yaml}"));
    }
    Ok(source)
}

/// Imports a pair and renders the result again into `dir`.
fn import_and_rerender(
    name: &str,
    pair: &[Config; 2],
    dir: &Path,
) -> Result<(import::Import, [Config; 2]), String> {
    let result = import::import(&pair[0], &pair[1], &options());
    let source = load_imported(&format!("{name}.yaml"), &result.yaml)?;
    let again = render_pair(&source, dir);
    Ok((result, again))
}

#[test]
fn examples_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut seen = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let source = load_file(&path).expect("example loads");
        assert!(
            !check::has_errors(&check::check(&source)),
            "{name} must be clean"
        );
        let original = render_pair(&source, &tmp.path().join(&name).join("original"));
        let lint = lint_pair(&original[0], &original[1], &Selection::default());
        assert!(
            lint.is_empty(),
            "{name}: rendered pair is not clean: {lint:#?}"
        );

        let (result, again) =
            import_and_rerender(&name, &original, &tmp.path().join(&name).join("again"))
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            result.is_complete(),
            "{name}: import incomplete: {:#?}",
            result.diagnostics
        );
        assert!(!result.swapped);
        assert!(
            import::check_yaml("x.yaml", &result.yaml)
                .iter()
                .all(|d| d.finding.severity != Severity::Error),
            "{name}"
        );
        for (role, (a, b)) in ["primary", "secondary"]
            .iter()
            .zip(original.iter().zip(again.iter()))
        {
            let differences = same_config_differences(a, b);
            assert!(
                differences.is_empty(),
                "{name} {role}: the re-rendered file differs:\n{}\n--- imported model:\n{}",
                differences.join("\n"),
                result.yaml
            );
        }
        seen += 1;
    }
    assert!(seen >= 5, "expected the shipped examples, found {seen}");
}

/// The corpus file whose name starts with `NNN-`.
fn corpus_file(dir: &Path, number: &str) -> Option<PathBuf> {
    let prefix = format!("{number}-");
    std::fs::read_dir(dir.join("files"))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
}

/// Reads a corpus file, pointing its absolute includes at the corpus files that stand in for
/// them (include-map.tsv), in memory.
fn load_corpus(dir: &Path, path: &Path) -> Option<Config> {
    let mut text = std::fs::read_to_string(path).ok()?;
    let name = path.file_name()?.to_string_lossy().into_owned();
    let map = std::fs::read_to_string(dir.join("include-map.tsv")).unwrap_or_default();
    for line in map.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        if let [file, include, target] = cols[..]
            && file == name
        {
            let target = dir.join("files").join(target);
            text = text.replace(
                &format!("\"{include}\""),
                &format!("\"{}\"", target.display()),
            );
        }
    }
    Some(Config::from_text(path, text))
}

fn errors(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.finding.severity == Severity::Error)
        .map(|d| format!("{} {}", d.finding.code, d.finding.message))
        .collect()
}

/// Whether a difference line names a reported `FILE:LINE` (as its location or in its text).
fn names_reported(line: &str, reported: &BTreeSet<(String, usize)>) -> bool {
    reported.iter().any(|(file, number)| {
        let at = format!("{file}:{number}");
        line.match_indices(&at)
            .any(|(i, _)| !line[i + at.len()..].starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// A difference line without its location and with file names (and their line numbers)
/// replaced, so the same difference found in both peers' round trips compares equal.
fn anonymous(line: &str, files: &[String]) -> String {
    let mut text = line.split_once(": ").map_or(line, |(_, m)| m).to_string();
    for file in files {
        text = text.replace(file.as_str(), "F");
    }
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if out.ends_with("F:") {
            out.pop();
            while chars.next_if(char::is_ascii_digit).is_some() {}
        }
    }
    out
}

#[test]
fn corpus_pairs_import() {
    let Some(dir) = common::corpus_or_skip("corpus_pairs_import") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let pairs = [
        ("002", "003"),
        ("018", "019"),
        ("025", "026"),
        ("061", "062"),
        ("098", "099"),
        ("039", "041"),
    ];
    let mut imported = 0;
    for (p, s) in pairs {
        let name = format!("{p}-{s}");
        let (Some(pp), Some(sp)) = (corpus_file(&dir, p), corpus_file(&dir, s)) else {
            eprintln!("{name}: not in the corpus, skipped");
            continue;
        };
        let (Some(primary), Some(secondary)) = (load_corpus(&dir, &pp), load_corpus(&dir, &sp))
        else {
            eprintln!("{name}: unreadable, skipped");
            continue;
        };
        // Whatever the files hold, the import reports rather than panics.
        let _ = import::import(&primary, &secondary, &options());
        if !primary.problems.is_empty() || !secondary.problems.is_empty() {
            eprintln!(
                "{name}: a side does not load (syntax error or unresolved include), skipped: {:?}",
                [&primary, &secondary].map(|c| c.problems.len())
            );
            continue;
        }
        let failing: Vec<String> = [&primary, &secondary]
            .iter()
            .flat_map(|c| errors(&lint(c, &Selection::default())))
            .collect();
        if !failing.is_empty() {
            eprintln!("{name}: a side fails lint, skipped: {failing:?}");
            continue;
        }
        let pair = [primary, secondary];
        let result = import::import(&pair[0], &pair[1], &options());
        let reported: BTreeSet<(String, usize)> = result
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.source.name.clone(),
                    d.source.line_col(d.finding.span.offset()).0,
                )
            })
            .collect();
        let source = match load_imported(&format!("{name}.yaml"), &result.yaml) {
            Ok(source) => source,
            Err(e) => {
                // A model the loader or check refuses must come with import warnings.
                assert!(
                    !result.is_complete(),
                    "{name}: complete import fails to load: {e}"
                );
                eprintln!(
                    "{name}: imported with {} warning(s); the YAML needs hand edits",
                    result.diagnostics.len()
                );
                imported += 1;
                continue;
            }
        };
        let again = render_pair(&source, &tmp.path().join(&name));
        let files: Vec<String> = pair
            .iter()
            .chain(again.iter())
            .flat_map(|c| c.files.iter().map(|f| f.source.name.clone()))
            .collect();
        let mut unexplained = Vec::new();
        // Differences explained in the primary's round trip, for the secondary's (the import
        // reports a statement both peers share once, in the primary).
        let mut explained_in_primary = BTreeSet::new();
        for (side, (original, rerendered)) in pair.iter().zip(again.iter()).enumerate() {
            for line in same_config_differences(original, rerendered) {
                // A complete import must round-trip exactly; otherwise every difference must
                // name a line the import reported.
                let mut explained = names_reported(&line, &reported);
                if side == 0 && explained {
                    explained_in_primary.insert(anonymous(&line, &files));
                }
                if side == 1 && explained_in_primary.contains(&anonymous(&line, &files)) {
                    explained = true;
                }
                if result.is_complete() || !explained {
                    unexplained.push(line);
                }
            }
        }
        assert!(
            unexplained.is_empty(),
            "{name}: the round trip lost what the import did not report:\n{}\n--- reported:\n{reported:?}\n--- YAML:\n{}",
            unexplained.join("\n"),
            result.yaml
        );
        eprintln!(
            "{name}: {} ({} warning(s))",
            if result.is_complete() {
                "complete, round trip equivalent"
            } else {
                "incomplete, every loss reported"
            },
            result.diagnostics.len()
        );
        imported += 1;
    }
    assert!(
        imported >= 2,
        "expected some corpus pairs to import, got {imported}"
    );
}

/// Runs the dhcpfo binary; returns (status, stdout, stderr).
fn dhcpfo(args: &[&str]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dhcpfo");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

#[test]
fn cli_exit_statuses() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lab-pair.yaml");
    let source = load_file(&example).expect("example loads");
    render_pair(&source, tmp.path());
    let primary = tmp.path().join("primary/dhcpd.conf");
    let secondary = tmp.path().join("secondary/dhcpd.conf");
    let out = tmp.path().join("out/pair.yaml");

    // Complete: 0, the YAML is written, carries the interfaces and loads cleanly.
    let (status, stdout, stderr) = dhcpfo(&[
        "import",
        path_str(&primary),
        path_str(&secondary),
        "-o",
        path_str(&out),
    ]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("everything was imported"), "{stderr}");
    let yaml = std::fs::read_to_string(&out).expect("YAML written");
    // Outside a dhcpfo checkout, the schema the first line names is written beside the YAML.
    assert!(
        yaml.starts_with("# yaml-language-server: $schema=dhcpfo-pair.schema.json\n"),
        "{yaml}"
    );
    let schema = std::fs::read_to_string(out.with_file_name("dhcpfo-pair.schema.json"))
        .expect("schema written beside the YAML");
    let (_, printed, _) = dhcpfo(&["schema"]);
    assert_eq!(schema, printed);
    assert!(
        stderr.contains("dhcpfo-pair.schema.json (the JSON Schema"),
        "{stderr}"
    );
    assert!(yaml.contains("interfaces: [eth0]"), "{yaml}");
    let source = load_str("pair.yaml", yaml).expect("imported YAML loads");
    assert!(check::check(&source).is_empty());

    // Something the model cannot express: 1, the YAML is still written, the warning says where.
    let text = std::fs::read_to_string(&primary).expect("read primary");
    std::fs::write(
        &primary,
        format!("{text}\npid-file-name \"/run/dhcpd-test.pid\";\n"),
    )
    .expect("write");
    let (status, stdout, stderr) = dhcpfo(&[
        "import",
        path_str(&primary),
        path_str(&secondary),
        "--format",
        "json",
    ]);
    assert_eq!(status, 1, "{stderr}");
    // One JSON object on standard output: the YAML (no -o was given) and the findings.
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    assert!(
        json["yaml"]
            .as_str()
            .is_some_and(|y| y.contains("failover:")),
        "{stdout}"
    );
    assert_eq!(json["complete"], false, "{stdout}");
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    // `pid-file-name` is the server's own setting: not a difference between the peers.
    assert_eq!(codes, ["DF492"], "{stderr}");

    // A file dhcpd refuses although it parses (an undeclared class): 1, the error shown where
    // it is, and the YAML written with what the model can hold.
    let with_error = tmp.path().join("with-error.yaml");
    std::fs::write(
        &primary,
        format!(
            "{text}\nclass \"c\" {{ match if option host-name = \"a\"; }}\n\
                 subclass \"nonexistent\" \"x\";\n"
        ),
    )
    .expect("write");
    let (status, _, stderr) = dhcpfo(&[
        "import",
        path_str(&primary),
        path_str(&secondary),
        "-o",
        path_str(&with_error),
    ]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("DF209"), "{stderr}");
    assert!(stderr.contains("1 error(s) in the files"), "{stderr}");
    let yaml = std::fs::read_to_string(&with_error).expect("YAML written");
    assert!(yaml.contains("- name: c"), "{yaml}");

    // A file that cannot be read as dhcpd.conf (a syntax error): 1, nothing written.
    let refused = tmp.path().join("refused.yaml");
    std::fs::write(&primary, format!("{text}\nsubnet 10.9.0.0 netmask {{\n")).expect("write");
    let (status, _, stderr) = dhcpfo(&[
        "import",
        path_str(&primary),
        path_str(&secondary),
        "-o",
        path_str(&refused),
    ]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("not imported"), "{stderr}");
    assert!(stderr.contains("DF200"), "{stderr}");
    assert!(!refused.exists());
    std::fs::write(&primary, &text).expect("write");

    // I/O errors: 2.
    let missing = tmp.path().join("missing.conf");
    let (status, _, stderr) = dhcpfo(&["import", path_str(&missing), path_str(&secondary)]);
    assert_eq!(status, 2, "{stderr}");
    let blocked = tmp.path().join("primary/dhcpd.conf/pair.yaml");
    let (status, _, stderr) = dhcpfo(&[
        "import",
        path_str(&primary),
        path_str(&secondary),
        "-o",
        path_str(&blocked),
    ]);
    assert_eq!(status, 2, "{stderr}");
    // With --format json, the same errors are JSON on standard output, with their codes.
    for (args, code) in [
        (vec![path_str(&missing), path_str(&secondary)], "DF001"),
        (
            vec![
                path_str(&primary),
                path_str(&secondary),
                "-o",
                path_str(&blocked),
            ],
            "DF005",
        ),
    ] {
        let (status, stdout, stderr) =
            dhcpfo(&[&["import", "--format", "json"][..], &args].concat());
        assert_eq!(status, 2, "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
        assert_eq!(json["findings"][0]["code"], code, "{stdout}");
        assert_eq!(json["yaml"], serde_json::Value::Null, "{stdout}");
    }

    // The import's codes are documented.
    let (status, stdout, _) = dhcpfo(&["lint", "--explain", "DF494"]);
    assert_eq!(status, 0);
    assert!(stdout.contains("import-peers-differ"), "{stdout}");
}

#[test]
fn cli_lint_pair_reports_in_both_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/relayed-remote.yaml");
    let source = load_file(&example).expect("example loads");
    render_pair(&source, tmp.path());
    let primary = tmp.path().join("primary/dhcpd.conf");
    let secondary = tmp.path().join("secondary/dhcpd.conf");
    let (status, _, stderr) = dhcpfo(&["lint", "--pair", path_str(&primary), path_str(&secondary)]);
    assert_eq!(status, 0, "{stderr}");

    let text = std::fs::read_to_string(&secondary).expect("read secondary");
    let changed = text
        .replace("routers 172.20.3.252", "routers 172.20.3.254")
        .replace(
            "range 172.20.2.1 172.20.2.254;",
            "range 172.20.2.1 172.20.2.200;",
        );
    assert_ne!(text, changed);
    std::fs::write(&secondary, changed).expect("write");
    let (status, stdout, stderr) = dhcpfo(&[
        "lint",
        "--pair",
        path_str(&primary),
        path_str(&secondary),
        "--select",
        "DF4",
        "--format",
        "json",
    ]);
    assert_eq!(status, 1, "DF413 is an error: {stderr}");
    let findings: serde_json::Value = serde_json::from_str(&stdout).expect("JSON findings");
    let found: Vec<(String, String)> = findings
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap_or_default();
            let role = if file.contains("secondary") {
                "secondary"
            } else {
                "primary"
            };
            (
                role.to_string(),
                f["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        found.contains(&("primary".into(), "DF413".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("secondary".into(), "DF420".into())),
        "{found:?}"
    );
    let routers = findings
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == "DF420"))
        .expect("DF420");
    let message = routers["message"].as_str().unwrap_or_default();
    assert!(message.contains("primary/dhcpd.conf:"), "{message}");
    assert!(
        routers["help"]
            .as_str()
            .unwrap_or_default()
            .contains("gateway depends on which peer answered"),
        "{routers}"
    );
}

#[test]
fn split_layout_with_a_shared_include_round_trips() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/campus.yaml");
    let source = load_file(&example).expect("example loads");
    // Both peers include one shared file; point the include at the primary's copy.
    let shared = tmp.path().join("split/primary/dhcpd.shared.conf");
    let options = RenderOptions {
        layout: Layout::Split,
        shared_path: Some(path_str(&shared).to_string()),
        ..RenderOptions::default()
    };
    let files = render(&source, &options).expect("render");
    write_files(&tmp.path().join("split"), &files).expect("write");
    let pair = ["primary", "secondary"].map(|role| {
        let config =
            Config::load(&tmp.path().join("split").join(role).join("dhcpd.conf")).expect("read");
        assert!(config.problems.is_empty(), "{role}: {:?}", config.problems);
        assert_eq!(config.files.len(), 2, "the shared file is included");
        config
    });
    assert!(lint_pair(&pair[0], &pair[1], &Selection::default()).is_empty());
    let (result, again) = import_and_rerender("campus-split", &pair, &tmp.path().join("again"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(result.is_complete(), "{:#?}", result.diagnostics);
    assert!(
        result.yaml.contains("dhcpd.shared.conf:"),
        "comments name the included file"
    );
    for (a, b) in pair.iter().zip(again.iter()) {
        let differences = same_config_differences(a, b);
        assert!(differences.is_empty(), "{}", differences.join("\n"));
    }
}

/// The failover mistakes the model rules out by construction: a hand-written pair that has
/// them is imported, each repair is a DF496 warning at its line, the exit status is 0, and
/// the imported model renders a pair that the pair lint finds clean.
#[test]
fn pairs_with_failover_mistakes_are_repaired_and_imported() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lab-pair.yaml");
    let source = load_file(&example).expect("example loads");
    render_pair(&source, tmp.path());
    let primary = tmp.path().join("primary/dhcpd.conf");
    let secondary = tmp.path().join("secondary/dhcpd.conf");
    let (p_text, s_text) = (
        std::fs::read_to_string(&primary).expect("read"),
        std::fs::read_to_string(&secondary).expect("read"),
    );
    let cases: [(&str, String, String, &[&str]); 3] = [
        (
            "split and mclt on the secondary too",
            p_text.clone(),
            s_text.replace(
                "  secondary;\n",
                "  secondary;\n  split 128;\n  mclt 1800;\n",
            ),
            &["DF300", "DF301"],
        ),
        (
            "split and mclt on the secondary only",
            p_text.replace("  mclt 1800;\n  split 128;\n", ""),
            s_text.replace(
                "  secondary;\n",
                "  secondary;\n  split 128;\n  mclt 1800;\n",
            ),
            &["DF303", "DF304", "DF300", "DF301"],
        ),
        (
            "a peer port that is not the partner's port",
            p_text.clone(),
            s_text.replace("  peer port 647;", "  peer port 847;"),
            &["DF403"],
        ),
    ];
    for (what, p, s, repaired) in cases {
        assert!(
            p != p_text || s != s_text,
            "{what}: the mistake was not made"
        );
        let (pp, sp) = (tmp.path().join("p.conf"), tmp.path().join("s.conf"));
        std::fs::write(&pp, &p).expect("write");
        std::fs::write(&sp, &s).expect("write");
        let out = tmp.path().join("pair.yaml");
        let (status, stdout, stderr) = dhcpfo(&[
            "import",
            path_str(&pp),
            path_str(&sp),
            "-o",
            path_str(&out),
            "--format",
            "json",
        ]);
        assert_eq!(status, 0, "{what}: {stdout}{stderr}");
        let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
        assert_eq!(report["complete"], true, "{what}: {report:#}");
        let found: Vec<(String, String)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap_or("").to_string(),
                    f["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .filter(|(code, _)| code != "DF123")
            .collect();
        assert_eq!(found.len(), repaired.len(), "{what}: {found:?}");
        for ((code, message), original) in found.iter().zip(repaired) {
            assert_eq!(code, "DF496", "{what}: {message}");
            assert!(
                message.starts_with(&format!("repaired ({original})")),
                "{what}: {message}"
            );
        }
        let yaml = std::fs::read_to_string(&out).expect("YAML written");
        let model = load_str("pair.yaml", yaml.clone()).expect("loads");
        assert!(!check::has_errors(&check::check(&model)), "{what}:\n{yaml}");
        assert!(
            yaml.contains("  mclt: 30m\n  split: 128\n"),
            "{what}:\n{yaml}"
        );
        // Rendered again, the pair is what a correct hand-written pair would be.
        let rendered = render_pair(&model, &tmp.path().join("again"));
        let lints = lint_pair(&rendered[0], &rendered[1], &Selection::default());
        assert!(errors(&lints).is_empty(), "{what}: {:?}", errors(&lints));
    }
}
