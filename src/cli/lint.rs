//! `dhcpfo lint`: dhcpd.conf files, named or found in folders, or a pair.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::findings::Findings;
use super::{explain, inputs};
use crate::codes;
use crate::codes::runtime;
use crate::conf::lint::{Selection, lint};
use crate::conf::{Config, LoadProblem, pair};
use crate::diag::{Diagnostic, Entry, FindingFormat, Format, JsonFinding};

/// The arguments of `dhcpfo lint`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// dhcpd.conf files to lint (includes are followed), or folders to search for *.conf.
    #[arg(value_name = "PATH", required_unless_present_any = ["pair", "list_rules", "explain"])]
    pub(crate) files: Vec<PathBuf>,
    /// Lint a failover pair: the primary's and the secondary's dhcpd.conf, and compare them.
    #[arg(long, num_args = 2, value_names = ["PRIMARY", "SECONDARY"])]
    pub(crate) pair: Option<Vec<PathBuf>>,
    /// Output format of the findings.
    #[arg(long, value_enum, default_value_t = FindingFormat::Human)]
    pub(crate) format: FindingFormat,
    /// Run only these rules (codes or prefixes, comma-separated, e.g. DF3,DF201).
    #[arg(long, value_name = "CODES")]
    pub(crate) select: Vec<String>,
    /// Skip these rules (codes or prefixes, comma-separated).
    #[arg(long, value_name = "CODES")]
    pub(crate) ignore: Vec<String>,
    /// Exit with status 1 on warnings too.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// Print every lint rule (a Markdown table, or JSON with --format json) and exit.
    #[arg(long)]
    pub(crate) list_rules: bool,
    /// Read absolute includes under DIR, for a tree copied or rendered elsewhere:
    /// `/etc/dhcp/x.conf` is DIR/etc/dhcp/x.conf, else x.conf beside the including file
    /// (as `render --out --layout split` writes it).
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
}

pub(super) fn run(args: Args) -> u8 {
    if args.list_rules {
        let format = match args.format {
            FindingFormat::Json => Format::Json,
            _ => Format::Human,
        };
        return explain::list(&codes::lint_rules(), format);
    }
    let mut findings = Findings::new(args.format);
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
            findings.problem(JsonFinding::of(
                &runtime::USAGE,
                format!("{flag} {unknown}: no lint rule code starts with `{unknown}`"),
                "`dhcpfo lint --list-rules` lists them (e.g. DF3 or DF301)",
            ));
            return findings.finish(false);
        }
    }
    if let Some(root) = args.root.as_deref().filter(|r| !r.is_dir()) {
        findings.problem(JsonFinding::of(
            &runtime::USAGE,
            format!("--root {}: not a folder", root.display()),
            "give the folder that stands for the server's /",
        ));
        return findings.finish(false);
    }
    let root = args.root.as_deref();
    // A file included by both peers (or named twice) is linted twice: report it once.
    let mut seen = HashSet::new();
    if let Some(pair_paths) = &args.pair {
        lint_pair(pair_paths, root, &selection, &mut seen, &mut findings);
    }
    let (inputs, problems) = inputs::expand(&args.files, &["conf"]);
    for problem in problems {
        findings.problem(problem);
    }
    let mut configs = Vec::new();
    for input in inputs {
        if let Some(config) = load(&input.path, root, &mut findings) {
            configs.push((input, config));
        }
    }
    // Found in a folder and included by another file found there: linted through that one
    // (alone, its failover peer or classes would be undeclared).
    let included: HashSet<PathBuf> = configs
        .iter()
        .flat_map(|(_, c)| c.files.iter().skip(1).map(|f| canonical(&f.path)))
        .collect();
    // Likewise a file found there under the name of an include that could not be read (an
    // absolute path of a tree rendered elsewhere, reported as DF201 with `--root` as the fix).
    let unresolved: HashSet<&std::ffi::OsStr> = configs
        .iter()
        .flat_map(|(_, c)| &c.problems)
        .filter_map(|p| match p {
            LoadProblem::MissingInclude { path, .. } => Path::new(path).file_name(),
            _ => None,
        })
        .collect();
    for (input, config) in &configs {
        let named_by_include = input
            .path
            .file_name()
            .is_some_and(|name| unresolved.contains(name));
        if input.found && (included.contains(&canonical(&input.path)) || named_by_include) {
            continue;
        }
        let diags = unique(lint(config, &selection), &mut seen);
        findings.file(&input.path.display().to_string(), diags, "");
    }
    findings.finish(args.deny_warnings)
}

/// `--pair`: both files linted, then compared; one summary for the two.
fn lint_pair(
    paths: &[PathBuf],
    root: Option<&Path>,
    selection: &Selection,
    seen: &mut HashSet<(String, usize, &'static str, String)>,
    findings: &mut Findings,
) {
    let configs: Vec<Option<Config>> = paths.iter().map(|p| load(p, root, findings)).collect();
    let [Some(primary), Some(secondary)] = &configs[..] else {
        return;
    };
    let mut diags = lint(primary, selection);
    diags.extend(lint(secondary, selection));
    if primary.is_complete() && secondary.is_complete() {
        diags.extend(pair::lint_pair(primary, secondary, selection));
    }
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    findings.file(&names.join(" + "), unique(diags, seen), "");
}

/// Reads a configuration (absolute includes under `root` when given); one that cannot be read
/// is reported (DF001).
fn load(path: &Path, root: Option<&Path>, findings: &mut Findings) -> Option<Config> {
    let loaded = match root {
        Some(root) => Config::load_under(path, root),
        None => Config::load(path),
    };
    match loaded {
        Ok(config) => Some(config),
        Err(e) => {
            findings.problem(
                JsonFinding::of(
                    &runtime::DF001,
                    format!("cannot read {}: {e}", path.display()),
                    "check the path and the file's permissions",
                )
                .in_file(path.display().to_string()),
            );
            None
        }
    }
}

/// The diagnostics not reported yet in this run, as entries.
fn unique(
    diags: Vec<Diagnostic>,
    seen: &mut HashSet<(String, usize, &'static str, String)>,
) -> Vec<Entry> {
    diags
        .into_iter()
        .filter(|d| {
            seen.insert((
                d.source.name.clone(),
                d.finding.span.offset(),
                d.finding.code,
                d.finding.message.clone(),
            ))
        })
        .map(Entry::Placed)
        .collect()
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether `prefix` starts the code of at least one rule (case-insensitive).
fn names_rules(prefix: &str) -> bool {
    crate::codes::lint_rules().iter().any(|r| {
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
