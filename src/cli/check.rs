//! `dhcpfo check`.

use std::path::PathBuf;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load, print_diagnostics};
use crate::diag::{self, Format};
use crate::model::check;

pub(super) fn run(pair: Option<PathBuf>, format: Format, explain: Option<String>) -> u8 {
    if let Some(code) = explain {
        return match check::rule(&code) {
            Some(rule) => {
                print!("{}", check::explain(rule));
                EXIT_OK
            }
            None => {
                eprintln!(
                    "error: no rule {code}; codes are DF001 to DF162 (`dhcpfo check --explain DF113`)"
                );
                EXIT_USAGE
            }
        };
    }
    let Some(path) = pair else { return EXIT_USAGE };
    let source = match load(&path, format) {
        Ok(source) => source,
        Err(code) => return code,
    };
    let diags = check::check(&source);
    print_diagnostics(&diags, format);
    let (errors, warnings) = diag::tally(&diags);
    if format == Format::Human {
        let pair = &source.pair;
        let pools: usize = pair.all_subnets().map(|s| s.pools.len()).sum();
        eprintln!(
            "{}: {errors} error(s), {warnings} warning(s); {} subnet(s), {pools} pool(s), {} host(s)",
            path.display(),
            pair.all_subnets().count(),
            pair.hosts.len()
        );
    }
    if errors > 0 { EXIT_FINDINGS } else { EXIT_OK }
}
