//! `dhcpfo explain`, `--explain` on every command, `dhcpfo rules` and `--list-rules`: every
//! code the source can print is explained, and the registry holds no code the source lost.

use std::collections::BTreeSet;
use std::path::Path;

use super::{dhcpfo, stderr};

/// Every command but `explain` itself (which takes the code as its argument).
const COMMANDS: &[&str] = &[
    "check",
    "render",
    "lint",
    "import",
    "serve",
    "diff",
    "deploy",
    "status",
    "leases",
    "rules",
    "schema",
    "completions",
    "failover",
    "failover state",
    "failover partner-down",
];

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every `DFnnn` written in `src/`, but the ends of ranges written in comments and tests
/// (`DF400..DF489`, `"DF203"..="DF299"`), which name no code.
fn codes_in_source() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                found.extend(codes_in(&text));
            }
        }
    }
    found
}

fn codes_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut codes = Vec::new();
    for (i, _) in text.match_indices("DF") {
        let Some(digits) = bytes.get(i + 2..i + 5) else {
            continue;
        };
        let whole = digits.iter().all(u8::is_ascii_digit)
            && !bytes.get(i + 5).is_some_and(u8::is_ascii_digit)
            && !(i > 0 && bytes[i - 1].is_ascii_alphanumeric());
        let before = &text[..i];
        let range_end =
            before.ends_with("..") || before.ends_with("..=") || before.ends_with("..=\"");
        if whole && !range_end {
            codes.push(text[i..i + 5].to_string());
        }
    }
    codes
}

#[test]
fn the_source_scan_finds_codes_and_skips_range_ends() {
    assert_eq!(
        codes_in("code(DF501) \"DF113\" DF400..DF489 (\"DF203\"..=\"DF299\") DF3 xDF123 DF1234"),
        ["DF501", "DF113", "DF400", "DF203"]
    );
}

#[test]
fn every_code_in_the_source_is_explained() {
    let in_source = codes_in_source();
    assert!(
        in_source.len() > 150 && in_source.contains("DF003") && in_source.contains("DF531"),
        "{in_source:?}"
    );
    for code in &in_source {
        let out = dhcpfo(&["explain", code]);
        assert_eq!(out.status.code(), Some(0), "{code}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with(&format!("{code} (")),
            "{}",
            stdout(&out)
        );
    }
    // And the other way round: no code is documented that the source never prints.
    let registry: Vec<String> = dhcpfo::codes::all()
        .iter()
        .map(|c| c.code.to_string())
        .collect();
    let source_outside_registry: BTreeSet<String> = {
        let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        let mut found = BTreeSet::new();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.ends_with("codes") || path.ends_with("codes.rs") {
                    continue;
                }
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.extend(codes_in(&std::fs::read_to_string(&path).expect("read")));
                }
            }
        }
        found
    };
    // Runtime codes are printed through their constants' names, which the unit test
    // `every_runtime_code_is_printed_by_name` checks; rules are written where they are judged.
    let runtime =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/codes/runtime.rs"))
            .expect("read the runtime codes");
    let runtime = codes_in(&runtime);
    assert!(runtime.len() > 30, "{runtime:?}");
    for code in registry.iter().filter(|c| !runtime.contains(c)) {
        assert!(
            source_outside_registry.contains(code),
            "{code} is registered but nothing in src/ prints it"
        );
    }
}

#[test]
fn explain_and_every_commands_explain_flag_say_the_same() {
    // The codes the issue found unexplained: a render error, a serve error, a remote one.
    for code in ["DF003", "DF010", "DF501"] {
        let reference = dhcpfo(&["explain", code]);
        assert_eq!(reference.status.code(), Some(0), "{}", stderr(&reference));
        for command in COMMANDS {
            let lower = code.to_lowercase();
            let mut args: Vec<&str> = command.split(' ').collect();
            args.extend(["--explain", &lower]);
            let out = dhcpfo(&args);
            assert_eq!(out.status.code(), Some(0), "{command}: {}", stderr(&out));
            assert_eq!(
                stdout(&out),
                stdout(&reference),
                "{command} --explain {code}"
            );
        }
    }
    let json = dhcpfo(&["deploy", "--explain", "DF531", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["code"], "DF531");
    assert_eq!(value["name"], "unfinished-deploy");
    assert_eq!(value["severity"], "error");
    assert!(
        value["doc"].as_str().is_some_and(|d| d.len() > 100),
        "{value}"
    );
}

/// A mistake both commands report: each code's explanation names the other, in text and
/// in JSON.
#[test]
fn paired_codes_name_each_other() {
    let lint = stdout(&dhcpfo(&["explain", "DF305"]));
    assert!(
        lint.contains("The same mistake in a pair model is DF110, reported by check"),
        "{lint}"
    );
    let check = stdout(&dhcpfo(&["explain", "DF110", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&check).expect("JSON");
    assert_eq!(json["same_mistake"], serde_json::json!(["DF305"]));
    let unpaired = stdout(&dhcpfo(&["explain", "DF001", "--format", "json"]));
    assert!(!unpaired.contains("same_mistake"), "{unpaired}");
}

#[test]
fn an_unknown_code_is_a_usage_error_naming_the_real_range() {
    let codes = dhcpfo::codes::all();
    let range = format!("{} to {}", codes[0].code, codes[codes.len() - 1].code);
    for args in [&["explain", "DF999"][..], &["check", "--explain", "DF999"]] {
        let out = dhcpfo(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let text = stderr(&out);
        assert!(
            text.contains("error[DF004]") && text.contains(&range),
            "{text}"
        );
        assert!(!text.contains("DF162;"), "{text}");
    }
    let out = dhcpfo(&["lint", "--explain", "nope", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(value["errors"][0]["code"], "DF004", "{value}");
    assert!(value["errors"][0]["file"].is_null(), "{value}");
}

#[test]
fn rules_lists_every_code_and_list_rules_each_commands_own() {
    let out = dhcpfo(&["rules", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let all: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON array");
    assert_eq!(all.len(), dhcpfo::codes::all().len());
    for rule in &all {
        for key in ["code", "name", "severity", "reported_by", "summary", "doc"] {
            assert!(rule[key].is_string(), "{key} in {rule}");
        }
    }
    let codes = |args: &[&str]| -> BTreeSet<String> {
        let out = dhcpfo(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
        list.iter()
            .filter_map(|r| r["code"].as_str().map(String::from))
            .collect()
    };
    let check = codes(&["check", "--list-rules", "--format", "json"]);
    let lint = codes(&["lint", "--list-rules", "--format", "json"]);
    assert!(
        check.contains("DF113") && !check.contains("DF300"),
        "{check:?}"
    );
    assert!(lint.contains("DF300") && lint.contains("DF494") && !lint.contains("DF113"));
    assert!(check.is_disjoint(&lint));

    let table = stdout(&dhcpfo(&["rules"]));
    assert!(table.starts_with("| code | severity | name | reported by | summary |"));
    assert_eq!(table.lines().count(), all.len() + 2, "one row per code");
    assert!(table.contains("| DF501 | error | cannot-connect | diff, deploy, status |"));
}

#[test]
fn bash_completion_offers_codes_after_explain() {
    let script = stdout(&dhcpfo(&["completions", "bash"]));
    let mut cases = 0;
    for (at, _) in script.match_indices("--explain)") {
        let body: String = script[at..].lines().take(3).collect();
        assert!(
            body.contains("compgen -W \"DF001") && body.contains(" DF113 "),
            "{body}"
        );
        assert!(!body.contains("compgen -f"), "file names offered: {body}");
        cases += 1;
    }
    assert!(
        cases >= COMMANDS.len(),
        "--explain completed for {cases} command(s)"
    );
}

#[test]
fn format_help_says_what_each_command_prints() {
    let help = |command: &str| stdout(&dhcpfo(&[command, "--help"]));
    for command in ["leases", "diff", "status", "deploy", "import"] {
        let text = help(command);
        assert!(
            !text.contains("Annotated source snippets") && !text.contains("JSON array of findings"),
            "{command} --help describes lint's findings:\n{text}"
        );
        assert!(
            text.contains("One JSON document on standard output"),
            "{text}"
        );
    }
    assert!(help("leases").contains("a table like dhcp-lease-list"));
    assert!(help("diff").contains("unified diffs"));
    for command in ["check", "lint"] {
        let text = help(command);
        for format in ["sarif", "github", "concise"] {
            assert!(
                text.contains(format),
                "{command} --help lacks {format}:\n{text}"
            );
        }
    }
}
