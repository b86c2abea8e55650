//! `dhcpfo lint`.

use std::path::PathBuf;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, print_diagnostics};
use crate::conf::lint::{LOAD_RULES, Selection, lint};
use crate::conf::{Config, pair, rules};
use crate::diag::{self, Diagnostic, Format};

pub(super) struct Args {
    pub files: Vec<PathBuf>,
    pub pair: Option<Vec<PathBuf>>,
    pub format: Format,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub deny_warnings: bool,
    pub explain: Option<String>,
    pub list_rules: bool,
    pub root: Option<PathBuf>,
}

pub(super) fn run(args: Args) -> u8 {
    if args.list_rules {
        print!("{}", rules::markdown_table());
        return EXIT_OK;
    }
    if let Some(code) = args.explain {
        let rule = LOAD_RULES
            .iter()
            .copied()
            .find(|r| r.code.eq_ignore_ascii_case(&code))
            .or_else(|| rules::find(&code));
        return match rule {
            Some(rule) => {
                print!("{}", rules::explain(rule));
                EXIT_OK
            }
            None => {
                eprintln!(
                    "error: no lint rule {code}; `dhcpfo lint --explain DF300` documents one, README.md lists them all"
                );
                EXIT_USAGE
            }
        };
    }
    let selection = Selection {
        select: split_codes(&args.select),
        ignore: split_codes(&args.ignore),
    };
    // A misspelled code would select nothing and pass every file: refuse it.
    for (flag, codes) in [
        ("--select", &selection.select),
        ("--ignore", &selection.ignore),
    ] {
        if let Some(unknown) = codes.iter().find(|c| !names_rules(c)) {
            eprintln!(
                "error: {flag} {unknown}: no lint rule code starts with `{unknown}`; \
                 `dhcpfo lint --list-rules` lists them (e.g. DF3 or DF301)"
            );
            return EXIT_USAGE;
        }
    }
    if let Some(root) = args.root.as_deref().filter(|r| !r.is_dir()) {
        eprintln!(
            "error: --root {}: not a folder; give the folder that stands for the server's /",
            root.display()
        );
        return EXIT_USAGE;
    }
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut configs = Vec::new();
    let paths: Vec<PathBuf> = args
        .pair
        .clone()
        .unwrap_or_default()
        .into_iter()
        .chain(args.files)
        .collect();
    for path in &paths {
        let loaded = match &args.root {
            Some(root) => Config::load_under(path, root),
            None => Config::load(path),
        };
        match loaded {
            Ok(config) => {
                diags.extend(lint(&config, &selection));
                configs.push(config);
            }
            Err(e) => {
                eprintln!("error[DF001]: cannot read {}: {e}", path.display());
                return EXIT_USAGE;
            }
        }
    }
    if args.pair.is_some()
        && let [primary, secondary] = &configs[..2]
        && primary.is_complete()
        && secondary.is_complete()
    {
        diags.extend(pair::lint_pair(primary, secondary, &selection));
    }
    // A file included by both peers (or named twice) is linted twice: report it once.
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| {
        seen.insert((
            d.source.name.clone(),
            d.finding.span.offset(),
            d.finding.code,
            d.finding.message.clone(),
        ))
    });
    print_diagnostics(&diags, args.format);
    let (errors, warnings) = diag::tally(&diags);
    if args.format == Format::Human {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "{}: {errors} error(s), {warnings} warning(s)",
            names.join(" + ")
        );
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Whether `prefix` starts the code of at least one rule (case-insensitive).
fn names_rules(prefix: &str) -> bool {
    rules::catalogue().iter().any(|r| {
        r.code
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    })
}

fn split_codes(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}
