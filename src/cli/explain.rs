//! `dhcpfo explain CODE`, `--explain CODE` on every command, `dhcpfo rules` and
//! `--list-rules`: all read the one code registry ([`crate::codes`]).

use std::ffi::OsStr;

use clap::builder::{PossibleValue, TypedValueParser};

use super::{EXIT_OK, EXIT_USAGE};
use crate::codes::runtime;
use crate::codes::{self, Code};
use crate::diag::{Format, JsonFinding};

/// Accepts any text as a code (an unknown one is reported by [`run`], in the output format
/// asked for), and offers every known code to shell completion.
#[derive(Debug, Clone, Copy)]
pub(super) struct CodeParser;

impl TypedValueParser for CodeParser {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            codes::all().into_iter().map(|c| PossibleValue::new(c.code)),
        ))
    }
}

/// The arguments of `dhcpfo explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The code, e.g. DF113 (case does not matter).
    #[arg(value_name = "CODE", value_parser = CodeParser, hide_possible_values = true)]
    pub(super) code: String,
    /// Output format: the documentation as text, or one JSON object (code, name,
    /// severity, reported_by, summary, doc, and same_mistake: the code of the same
    /// mistake in the other kind of input, if any).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(super) format: Format,
}

/// The arguments of `dhcpfo rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// Output format: a Markdown table (code, severity, name, reported by, summary), or a
    /// JSON array of {code, name, severity, reported_by, summary, doc[, same_mistake]}.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(super) format: Format,
}

/// `--explain CODE`, added to every command by [`super::command`].
pub(super) fn explain_arg() -> clap::Arg {
    clap::Arg::new("explain")
        .long("explain")
        .value_name("CODE")
        .help("Print what a code means (any code dhcpfo prints, e.g. DF113 or DF501) and exit")
        .value_parser(CodeParser)
        .hide_possible_values(true)
}

/// Prints the explanation of `code`; an unknown code is a usage error.
pub(super) fn run(code: &str, format: Format) -> u8 {
    match codes::find(code) {
        Some(found) => {
            match format {
                Format::Human => print!("{}", codes::explain(&found)),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&codes::JsonCode::from(&found))
                        .unwrap_or_default()
                ),
            }
            EXIT_OK
        }
        None => {
            let problem = unknown_code(code);
            match format {
                Format::Human => eprint!("{}", problem.render_plain()),
                Format::Json => super::print_errors_json(&[problem]),
            }
            EXIT_USAGE
        }
    }
}

/// The usage error for a code nobody registered.
pub(super) fn unknown_code(code: &str) -> JsonFinding {
    JsonFinding::of(
        &runtime::USAGE,
        format!(
            "no code {code}; the codes dhcpfo prints run from {}",
            codes::range_text()
        ),
        "`dhcpfo rules` lists every code; `dhcpfo explain DF113` explains one",
    )
}

/// Prints a list of codes: a Markdown table for people, or a JSON array.
pub(super) fn list(codes: &[Code], format: Format) -> u8 {
    match format {
        Format::Human => print!("{}", codes::markdown_table(codes)),
        Format::Json => print!("{}", codes::json(codes)),
    }
    EXIT_OK
}
