//! `dhcpfo leases`: list the leases of an ISC dhcpd.leases file.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use miette::SourceSpan;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::codes::runtime;
use crate::diag::{self, Diagnostic, Format, JsonFinding, SourceFile};
use crate::leases::{self, Listing, Timestamp};

/// Where an OUI table is looked for when `--oui` is not given (dhcp-lease-list's places, then
/// Debian's ieee-data package).
const DEFAULT_OUI: [&str; 3] = [
    "/usr/share/misc/oui.txt",
    "/usr/local/etc/oui.txt",
    "/usr/share/ieee-data/oui.txt",
];

/// The arguments of `dhcpfo leases`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The lease file (ISC dhcpd.leases format).
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
    /// List the last record of every address, whatever its state or end, with the state.
    #[arg(long)]
    pub(crate) all: bool,
    /// Output format: a table like dhcp-lease-list, or one JSON object (leases, warnings,
    /// errors).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// IEEE oui.txt for manufacturer names [default: /usr/share/misc/oui.txt or
    /// /usr/share/ieee-data/oui.txt if present].
    #[arg(long, value_name = "FILE")]
    pub(crate) oui: Option<PathBuf>,
}

pub(super) fn run(args: Args) -> u8 {
    let name = args.file.display().to_string();
    let text = match std::fs::read(&args.file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            let error = JsonFinding::of(
                &runtime::DF001,
                format!("cannot read {name}: {e}"),
                "give the path of a dhcpd.leases file, e.g. /var/lib/dhcp/dhcpd.leases",
            )
            .in_file(name);
            return fail(args.format, error, None, EXIT_USAGE);
        }
    };
    let mut warnings = Vec::new();
    let file = match leases::parse_allowing_torn_tail(&text) {
        Ok((file, torn)) => {
            if let Some(torn) = torn {
                let mut warning = JsonFinding::of(
                    &runtime::LEASE_FILE_CUT_OFF,
                    format!(
                        "the last record is cut off ({} bytes without its closing `}}`, as a crash or a full disk leaves it); it is ignored, as dhcpd ignores it",
                        torn.bytes
                    ),
                    "dhcpd rewrites the file whole at its next start",
                )
                .in_file(name.clone());
                warning.line = Some(torn.line);
                if args.format == Format::Human {
                    eprintln!(
                        "warning[{}]: {}:{}: {}",
                        warning.code,
                        args.file.display(),
                        torn.line,
                        warning.message
                    );
                }
                warnings.push(warning);
            }
            file
        }
        Err(e) => {
            let source = SourceFile::new(name, text);
            let finding = runtime::NOT_A_LEASE_FILE
                .at(SourceSpan::from(e.offset..e.offset), e.message)
                .label("reading stopped here")
                .help("the file is not in the dhcpd.leases(5) format that ISC dhcpd writes");
            let diagnostic = Diagnostic { finding, source };
            return fail(
                args.format,
                diagnostic.to_json(),
                Some(diagnostic),
                EXIT_FINDINGS,
            );
        }
    };
    let oui = match load_oui(args.oui.as_deref()) {
        Ok(oui) => oui,
        Err(error) => return fail(args.format, *error, None, EXIT_USAGE),
    };
    let listing = if args.all {
        Listing::All
    } else {
        Listing::Current
    };
    let rows = leases::list(&file, Timestamp::now(), listing, oui.as_ref());
    match args.format {
        Format::Human => print!("{}", leases::render_table(&rows, listing)),
        Format::Json => print_json(&rows, &warnings, &[]),
    }
    EXIT_OK
}

/// Prints why nothing is listed (a snippet when the error has a place in the file, for
/// people; `{"errors": [...]}` for JSON) and gives the exit status.
fn fail(format: Format, error: JsonFinding, placed: Option<Diagnostic>, code: u8) -> u8 {
    match (format, placed) {
        (Format::Json, _) => print_json(&[], &[], &[error]),
        (Format::Human, Some(d)) => eprint!(
            "{}",
            diag::render_human(&[d], diag::use_color(std::io::stderr().is_terminal()))
        ),
        (Format::Human, None) => eprint!("{}", error.render_plain()),
    }
    code
}

/// What `leases --format json` prints, whatever happened: the leases listed, and the
/// warnings and errors in the finding shape.
fn print_json(leases: &[leases::Listed], warnings: &[JsonFinding], errors: &[JsonFinding]) {
    let json = serde_json::json!({ "leases": leases, "warnings": warnings, "errors": errors });
    println!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
}

/// The OUI table given with `--oui`, else the system's if readable, else none.
fn load_oui(
    path: Option<&Path>,
) -> Result<Option<std::collections::HashMap<String, String>>, Box<JsonFinding>> {
    match path {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => Ok(Some(leases::parse_oui(&String::from_utf8_lossy(&bytes)))),
            Err(e) => Err(Box::new(
                JsonFinding::of(
                    &runtime::DF001,
                    format!("cannot read {}: {e}", path.display()),
                    "--oui takes the IEEE oui.txt file (Debian package ieee-data)",
                )
                .in_file(path.display().to_string()),
            )),
        },
        None => Ok(DEFAULT_OUI
            .iter()
            .find_map(|p| std::fs::read(p).ok())
            .map(|bytes| leases::parse_oui(&String::from_utf8_lossy(&bytes)))),
    }
}
