//! `dhcpfo import` round trips: a rendered pair imported and rendered again says the same
//! (compared with the pair lint's semantic comparison, peer blocks included), and real pairs
//! from the corpus in `../shared/corpus/dhcpd-conf` (never copied into this repository) import
//! without panicking, report what the model cannot express, and round-trip where complete.

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
        assert!(!check::has_errors(&check::check(&source)), "{name} must be clean");
        let original = render_pair(&source, &tmp.path().join(&name).join("original"));
        let lint = lint_pair(&original[0], &original[1], &Selection::default());
        assert!(lint.is_empty(), "{name}: rendered pair is not clean: {lint:#?}");

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

/// The corpus folder next to the repository, if present.
fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/dhcpd-conf");
    dir.join("files").is_dir().then_some(dir)
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
        line.match_indices(&at).any(|(i, _)| {
            !line[i + at.len()..].starts_with(|c: char| c.is_ascii_digit())
        })
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
    let Some(dir) = corpus() else {
        eprintln!("corpus not found next to the repository: skipped");
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
                assert!(!result.is_complete(), "{name}: complete import fails to load: {e}");
                eprintln!("{name}: imported with {} warning(s); the YAML needs hand edits", result.diagnostics.len());
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
            if result.is_complete() { "complete, round trip equivalent" } else { "incomplete, every loss reported" },
            result.diagnostics.len()
        );
        imported += 1;
    }
    assert!(imported >= 2, "expected some corpus pairs to import, got {imported}");
}
