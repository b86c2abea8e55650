//! `dhcpfo lint` against ISC dhcpd's own verdict on the real-world corpus in
//! `../shared/corpus/dhcpd-conf` (see its README.md).
//!
//! For every file of the corpus, the verdict to match is `dhcpd_t` of MANIFEST.tsv: the result
//! of `dhcpd -t -4` on the file exactly as stored. A file dhcpd accepts must get no error-level
//! finding (warnings are fine). A file dhcpd rejects must get an error-level finding at the line
//! of dhcpd's first error (`FILE line N: ...`; for `Can't open FILE` the line of that include);
//! for the few messages dhcpd prints without a line, some error finding must name the same
//! cause. The corpus is never copied into this repository: when it is absent the test says so
//! and passes.

use crate::common;

use std::path::Path;

use dhcpfo::conf::Config;
use dhcpfo::conf::lint::{Selection, lint};
use dhcpfo::diag::{Diagnostic, Severity};

/// One manifest row.
struct Row {
    file: String,
    verdict: String,
    error: String,
}

fn manifest(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("manifest header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("MANIFEST.tsv has no column {name}"))
    };
    let (file, verdict, error) = (col("file"), col("dhcpd_t"), col("dhcpd_err"));
    lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| c.len() > error && c[file].ends_with(".conf"))
        .map(|c| Row {
            file: c[file].to_string(),
            verdict: c[verdict].to_string(),
            error: c[error].to_string(),
        })
        .collect()
}

/// An error finding, as (file name, line, message).
struct Error {
    file: String,
    line: usize,
    message: String,
}

fn errors(diags: &[Diagnostic]) -> Vec<Error> {
    diags
        .iter()
        .filter(|d| d.finding.severity == Severity::Error)
        .map(|d| Error {
            file: Path::new(&d.source.name)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            line: d.source.line_col(d.finding.span.offset()).0,
            message: format!("{} {}", d.finding.code, d.finding.message),
        })
        .collect()
}

/// What dhcpd's first error asks of dhcpfo's findings.
#[derive(Debug)]
enum Expect {
    /// An error at this line of this file.
    Line(String, usize),
    /// An error whose message contains every one of these (case-insensitive).
    Cause(Vec<String>),
}

/// Reads dhcpd's first error message into what a matching finding looks like.
fn expectation(file: &str, text: &str, message: &str) -> Result<Expect, String> {
    // `NAME line N: ...`
    if let Some(at) = message.find(" line ") {
        let name = message[..at].trim().to_string();
        let digits: String = message[at + 6..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if let Ok(line) = digits.parse::<usize>() {
            // dhcpd counts the very first token of a file as line 0.
            return Ok(Expect::Line(name, line.max(1)));
        }
    }
    if let Some(rest) = message.strip_prefix("Can't open ") {
        let path = rest.split(':').next().unwrap_or("").trim();
        let needle = format!("\"{path}\"");
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("include") && l.contains(&needle))
            .ok_or_else(|| format!("no include of {path} in {file}"))?;
        return Ok(Expect::Line(file.to_string(), line + 1));
    }
    if let Some(rest) = message.strip_prefix("ERROR: Failover peer, ")
        && let Some((peer, _)) = rest.split_once(", has no referring pools")
    {
        return Ok(Expect::Cause(vec![
            peer.to_string(),
            "no referring pool".to_string(),
        ]));
    }
    if message.contains("no longer supported") {
        let word = message.split_whitespace().next().unwrap_or("").to_string();
        return Ok(Expect::Cause(vec![word, "no longer supported".to_string()]));
    }
    if let Some(rest) = message.strip_prefix("bad range, address ") {
        let address = rest.split_whitespace().next().unwrap_or("").to_string();
        return Ok(Expect::Cause(vec![address, "not in subnet".to_string()]));
    }
    Err(format!("unrecognised dhcpd message: {message}"))
}

fn satisfied(expect: &Expect, errors: &[Error]) -> bool {
    match expect {
        Expect::Line(file, line) => errors.iter().any(|e| &e.file == file && e.line == *line),
        Expect::Cause(words) => errors.iter().any(|e| {
            let m = e.message.to_ascii_lowercase();
            words.iter().all(|w| m.contains(&w.to_ascii_lowercase()))
        }),
    }
}

#[test]
fn lint_agrees_with_isc_dhcpd_on_the_corpus() {
    let Some(dir) = common::corpus_or_skip("corpus agreement") else {
        return;
    };
    let rows = manifest(&dir);
    assert!(!rows.is_empty(), "MANIFEST.tsv lists no files");
    let mut agree = 0;
    let mut report = String::new();
    let mut disagreements = Vec::new();
    report.push_str(&format!(
        "{:<52} {:<7} {:<28} {}\n",
        "file", "dhcpd", "dhcpfo", "match"
    ));
    for row in &rows {
        let path = dir.join("files").join(&row.file);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let config = Config::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let diags = lint(&config, &Selection::default());
        let errors = errors(&diags);
        let ours = if errors.is_empty() {
            "ok".to_string()
        } else {
            let mut lines: Vec<String> = errors
                .iter()
                .take(4)
                .map(|e| {
                    if e.file == row.file {
                        e.line.to_string()
                    } else {
                        format!("{}:{}", e.file.get(..3).unwrap_or(""), e.line)
                    }
                })
                .collect();
            if errors.len() > 4 {
                lines.push("…".into());
            }
            format!("error@{}", lines.join(","))
        };
        let (ok, why) = match row.verdict.as_str() {
            "ok" => (errors.is_empty(), String::new()),
            "error" => match expectation(&row.file, &text, &row.error) {
                Ok(expect) => (satisfied(&expect, &errors), format!("{expect:?}")),
                Err(e) => (false, e),
            },
            other => (false, format!("unknown verdict {other}")),
        };
        let dhcpd = match expectation(&row.file, &text, &row.error) {
            Ok(Expect::Line(_, l)) if row.verdict == "error" => format!("error@{l}"),
            _ => row.verdict.clone(),
        };
        report.push_str(&format!(
            "{:<52} {:<7} {:<28} {}\n",
            row.file.chars().take(52).collect::<String>(),
            dhcpd,
            ours,
            if ok { "yes" } else { "NO" }
        ));
        if ok {
            agree += 1;
        } else {
            let found: Vec<String> = errors
                .iter()
                .map(|e| format!("    {}:{}: {}", e.file, e.line, e.message))
                .collect();
            disagreements.push(format!(
                "{}: dhcpd says {} {:?} (wants {why})\n{}",
                row.file,
                row.verdict,
                row.error,
                found.join("\n")
            ));
        }
    }
    let total = rows.len();
    let percent = 100.0 * agree as f64 / total as f64;
    println!("{report}");
    println!("agreement with ISC dhcpd: {agree}/{total} files ({percent:.1}%)");
    for d in &disagreements {
        println!("DISAGREE {d}");
    }
    assert_eq!(
        agree,
        total,
        "dhcpfo lint disagrees with dhcpd -t on {} corpus file(s):\n{}",
        total - agree,
        disagreements.join("\n")
    );
}
