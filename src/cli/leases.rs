//! `dhcpfo leases`: list the leases of an ISC dhcpd.leases file.

use std::path::{Path, PathBuf};

use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::Format;
use crate::leases::{self, Listing, Timestamp};

/// Where an OUI table is looked for when `--oui` is not given (dhcp-lease-list's places, then
/// Debian's ieee-data package).
const DEFAULT_OUI: [&str; 3] = [
    "/usr/share/misc/oui.txt",
    "/usr/local/etc/oui.txt",
    "/usr/share/ieee-data/oui.txt",
];

pub(super) struct Args {
    pub file: PathBuf,
    pub all: bool,
    pub format: Format,
    pub oui: Option<PathBuf>,
}

pub(super) fn run(args: Args) -> u8 {
    let text = match std::fs::read(&args.file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            let diag = MietteDiagnostic::new(format!("cannot read {}: {e}", args.file.display()))
                .with_help("give the path of a dhcpd.leases file, e.g. /var/lib/dhcp/dhcpd.leases");
            eprintln!("{:?}", Report::new(diag));
            return EXIT_USAGE;
        }
    };
    let file = match leases::parse_allowing_torn_tail(&text) {
        Ok((file, torn)) => {
            if let Some(torn) = torn {
                eprintln!(
                    "warning: {}:{}: the last record is cut off ({} bytes without its closing `}}`, as a crash or a full disk leaves it); it is ignored, as dhcpd ignores it",
                    args.file.display(),
                    torn.line,
                    torn.bytes
                );
            }
            file
        }
        Err(e) => {
            let diag = MietteDiagnostic::new(format!(
                "{}:{}:{}: {}",
                args.file.display(),
                e.line,
                e.column,
                e.message
            ))
            .with_label(LabeledSpan::at_offset(e.offset, e.message.clone()))
            .with_help("the file is not in the dhcpd.leases(5) format that ISC dhcpd writes");
            let source = NamedSource::new(args.file.display().to_string(), text);
            eprintln!("{:?}", Report::new(diag).with_source_code(source));
            return EXIT_FINDINGS;
        }
    };
    let oui = match load_oui(args.oui.as_deref()) {
        Ok(oui) => oui,
        Err(code) => return code,
    };
    let listing = if args.all {
        Listing::All
    } else {
        Listing::Current
    };
    let rows = leases::list(&file, Timestamp::now(), listing, oui.as_ref());
    match args.format {
        Format::Human => print!("{}", leases::render_table(&rows, listing)),
        Format::Json => print!("{}", leases::render_json(&rows)),
    }
    EXIT_OK
}

/// The OUI table given with `--oui`, else the system's if readable, else none.
fn load_oui(path: Option<&Path>) -> Result<Option<std::collections::HashMap<String, String>>, u8> {
    match path {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => Ok(Some(leases::parse_oui(&String::from_utf8_lossy(&bytes)))),
            Err(e) => {
                let diag = MietteDiagnostic::new(format!("cannot read {}: {e}", path.display()))
                    .with_help("--oui takes the IEEE oui.txt file (Debian package ieee-data)");
                eprintln!("{:?}", Report::new(diag));
                Err(EXIT_USAGE)
            }
        },
        None => Ok(DEFAULT_OUI
            .iter()
            .find_map(|p| std::fs::read(p).ok())
            .map(|bytes| leases::parse_oui(&String::from_utf8_lossy(&bytes)))),
    }
}
