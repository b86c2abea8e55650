//! `dhcpfo check`: pair models, named or found in folders.

use std::path::{Path, PathBuf};

use super::findings::Findings;
use super::{explain, inputs};
use crate::codes;
use crate::diag::{Entry, FindingFormat, Format, JsonFinding};
use crate::model::{self, LoadError, check};

pub(super) fn run(paths: Vec<PathBuf>, format: FindingFormat, list_rules: bool) -> u8 {
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
