//! Usage errors (DF004) in the output format asked for: clap's text for people, the finding
//! shape when `--format` names a machine format, so a CI parser never gets prose.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::error::ErrorKind;

use super::EXIT_USAGE;
use crate::codes::runtime;
use crate::diag::{self, Entry, FindingFormat, Format, JsonFinding};

/// Prints a parse error (or the help or version it stands for) and gives the exit status.
pub(super) fn report(e: &clap::Error, args: &[OsString]) -> ExitCode {
    let shown = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    let format = raw_format(args);
    let sub = args
        .get(1)
        .map(|a| a.to_string_lossy().into_owned())
        .filter(|a| !a.starts_with('-'));
    match (shown, format.as_deref()) {
        (false, Some(name @ ("json" | "sarif" | "github" | "concise"))) => {
            let finding = finding(e, sub.as_deref());
            let lists_findings = matches!(sub.as_deref(), Some("check" | "lint"));
            if lists_findings {
                let format = match name {
                    "json" => FindingFormat::Json,
                    "sarif" => FindingFormat::Sarif,
                    "github" => FindingFormat::Github,
                    _ => FindingFormat::Concise,
                };
                print!(
                    "{}",
                    diag::render(&[Entry::Unplaced(finding)], format, false)
                );
            } else if name == "json" && sub.as_deref() == Some("serve") {
                // serve logs JSON lines: its usage error is one line too.
                super::print_errors_json_line(&[finding]);
            } else if name == "json" {
                super::print_errors_json(&[finding]);
            } else {
                let _ = e.print();
            }
            ExitCode::from(EXIT_USAGE)
        }
        _ => {
            let _ = e.print();
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE))
        }
    }
}

/// The `--format` a parsed command was given, for `--explain`: JSON or text.
pub(super) fn requested_format(sub: &clap::ArgMatches) -> Format {
    let raw = sub
        .try_get_raw("format")
        .ok()
        .flatten()
        .and_then(|mut values| values.next())
        .map(|v| v.to_string_lossy().into_owned());
    if raw.as_deref() == Some("json") {
        Format::Json
    } else {
        Format::Human
    }
}

/// The value of `--format` on a command line clap refused, if any.
fn raw_format(args: &[OsString]) -> Option<String> {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut found = None;
    for (i, arg) in args.iter().enumerate() {
        if arg == "--" {
            break;
        }
        if arg == "--format" {
            found = args.get(i + 1).cloned();
        } else if let Some(value) = arg.strip_prefix("--format=") {
            found = Some(value.to_string());
        }
    }
    found
}

/// The usage error as a finding: clap's message (with the list that follows a first line
/// ending in `:`, such as the missing arguments), and its usage line as the help.
fn finding(e: &clap::Error, sub: Option<&str>) -> JsonFinding {
    let text = e.render().to_string();
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take_while(|l| !l.starts_with("Usage: ") && !l.starts_with("For more information"));
    let mut message = lines
        .next()
        .map(|l| l.strip_prefix("error: ").unwrap_or(l).to_string())
        .unwrap_or_else(|| "the command line is not understood".into());
    if message.ends_with(':') {
        let listed: Vec<&str> = lines.filter(|l| !l.starts_with("tip:")).collect();
        if !listed.is_empty() {
            message = format!("{} {}", message, listed.join(", "));
        }
    }
    let usage_line = text.lines().find_map(|l| l.trim().strip_prefix("Usage: "));
    let usage = usage_line
        .map(|u| format!("usage: {u}; "))
        .unwrap_or_default();
    // The command's own words in its usage line (`dhcpfo failover state`), else the first.
    let words: Vec<&str> = usage_line
        .map(|u| {
            u.split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect()
        })
        .unwrap_or_default();
    let command = if words.len() > 1 {
        words.join(" ")
    } else {
        sub.map_or("dhcpfo".to_string(), |s| format!("dhcpfo {s}"))
    };
    JsonFinding::of(
        &runtime::USAGE,
        message,
        format!("{usage}`{command} --help` lists what it takes"),
    )
}
