//! `dhcpfo import`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, print_diagnostics};
use crate::conf::Config;
use crate::conf::lint::{Selection, lint};
use crate::diag::{self, Format, Severity};
use crate::import::{self, ImportOptions};
use crate::model::check;

pub(super) struct Args {
    pub primary: PathBuf,
    pub secondary: PathBuf,
    pub output: Option<PathBuf>,
    pub format: Format,
}

pub(super) fn run(args: Args) -> u8 {
    let mut configs = Vec::new();
    for path in [&args.primary, &args.secondary] {
        match Config::load(path) {
            Ok(config) => configs.push(config),
            Err(e) => {
                eprintln!("error[DF001]: cannot read {}: {e}", path.display());
                return EXIT_USAGE;
            }
        }
    }
    let (first, second) = (&configs[0], &configs[1]);
    // A file dhcpd refuses (or that breaks the pair) has nothing reliable to import: the
    // model would quietly "repair" it.
    let errors: Vec<_> = configs
        .iter()
        .flat_map(|c| lint(c, &Selection::default()))
        .filter(|d| d.finding.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        show(&errors, args.format, args.output.is_none());
        eprintln!("not imported: fix these errors first (`dhcpfo lint` shows every finding)");
        return EXIT_FINDINGS;
    }
    let (modeline, schema_found) = import::modeline(args.output.as_deref());
    let mut header = Vec::new();
    if !schema_found {
        header.push(
            "For editor completion, write the schema the first line names: `dhcpfo schema > dhcpfo-pair.schema.json`."
                .to_string(),
        );
    }
    let options = ImportOptions {
        modeline,
        header,
        interfaces: [
            import::interfaces_beside(&args.primary),
            import::interfaces_beside(&args.secondary),
        ],
    };
    let result = import::import(first, second, &options);
    if result.swapped {
        eprintln!(
            "note: {} says `secondary;` and {} says `primary;`: imported with {} as the primary",
            args.primary.display(),
            args.secondary.display(),
            args.secondary.display()
        );
    }
    let name = match &args.output {
        Some(path) => {
            if let Err(e) = write(path, &result.yaml) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return EXIT_USAGE;
            }
            path.display().to_string()
        }
        None => {
            print!("{}", result.yaml);
            "pair.yaml (standard output)".to_string()
        }
    };
    let checked = import::check_yaml(&name, &result.yaml);
    let mut diags = result.diagnostics.clone();
    diags.extend(checked.iter().cloned());
    show(&diags, args.format, args.output.is_none());
    let failed = !result.is_complete() || check::has_errors(&checked);
    if args.format == Format::Human {
        let (errors, warnings) = diag::tally(&checked);
        let summary = if result.is_complete() {
            "everything was imported".to_string()
        } else {
            format!(
                "{} finding(s) could not be expressed in the model or differ between the peers (warnings above; the YAML follows the primary)",
                result.diagnostics.len()
            )
        };
        eprintln!("{name}: {summary}; check: {errors} error(s), {warnings} warning(s)");
    }
    if failed { EXIT_FINDINGS } else { EXIT_OK }
}

/// Prints diagnostics; JSON goes to standard error when the YAML is on standard output.
fn show(diags: &[diag::Diagnostic], format: Format, yaml_on_stdout: bool) {
    if format == Format::Json && yaml_on_stdout {
        eprint!("{}", diag::render_json(diags));
    } else if format == Format::Human {
        eprint!(
            "{}",
            diag::render_human(diags, diag::use_color(std::io::stderr().is_terminal()))
        );
    } else {
        print_diagnostics(diags, format);
    }
}

/// Writes the file through a temporary name, so an interrupted run leaves no half file.
fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let file_name = path
        .file_name()
        .map_or_else(|| "pair.yaml".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{file_name}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}
