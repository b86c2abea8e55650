//! `dhcpfo check`: pair models, named or found in folders.

use std::path::{Path, PathBuf};

use super::findings::Findings;
use super::{explain, inputs};
use crate::codes;
use crate::diag::{Entry, FindingFormat, Format, JsonFinding};
use crate::model::{self, LoadError, check};

/// The arguments of `dhcpfo check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Pair models (YAML), or folders to search for *.yaml and *.yml files.
    #[arg(value_name = "PATH", required_unless_present_any = ["list_rules", "explain"])]
    pub(crate) paths: Vec<PathBuf>,
    /// Output format of the findings.
    #[arg(long, value_enum, default_value_t = FindingFormat::Human)]
    pub(crate) format: FindingFormat,
    /// Print every check rule (a Markdown table, or JSON with --format json) and exit.
    #[arg(long)]
    pub(crate) list_rules: bool,
}

pub(super) fn run(args: Args) -> u8 {
    let Args {
        paths,
        format,
        list_rules,
    } = args;
    if list_rules {
        let format = match format {
            FindingFormat::Json => Format::Json,
            _ => Format::Human,
        };
        return explain::list(&codes::check_rules(), format);
    }
    let mut findings = Findings::new(format);
    let (inputs, problems) = inputs::expand(&paths, &["yaml", "yml"]);
    for problem in problems {
        findings.problem(problem);
    }
    for input in &inputs {
        check_one(&input.path, &mut findings);
    }
    findings.finish(false)
}

fn check_one(path: &Path, findings: &mut Findings) {
    let name = path.display().to_string();
    match model::load_file(path) {
        Ok(source) => {
            let diags = check::check(&source);
            let pair = &source.pair;
            let pools: usize = pair.all_subnets().map(|s| s.pools.len()).sum();
            let detail = format!(
                "; {} subnet(s), {pools} pool(s), {} host(s)",
                pair.all_subnets().count(),
                pair.hosts.len()
            );
            findings.file(
                &name,
                diags.into_iter().map(Entry::Placed).collect(),
                &detail,
            );
        }
        Err(LoadError::Invalid(diags)) => {
            findings.file(&name, diags.into_iter().map(Entry::Placed).collect(), "");
        }
        Err(io) => findings.problem(JsonFinding::from_miette(&io).in_file(name)),
    }
}
