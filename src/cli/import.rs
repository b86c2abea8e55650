//! `dhcpfo import`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, print_diagnostics};
use crate::conf::Config;
use crate::diag::{self, Format};
use crate::import::{self, ImportOptions, SCHEMA_BESIDE, Schema};
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
    // A file that cannot be read as dhcpd.conf has nothing reliable to import. Failover
    // mistakes that the model cannot make are repaired and reported; other errors are shown,
    // and the YAML carries those the model can hold, so `check` reports them there too.
    let screening = import::screen(first, second);
    if !screening.readable() {
        show(&screening.unreadable, args.format, args.output.is_none());
        eprintln!(
            "not imported: a file cannot be read as dhcpd.conf; fix these errors first (`dhcpfo lint` shows every finding)"
        );
        return EXIT_FINDINGS;
    }
    let schema = import::schema_for(args.output.as_deref());
    let mut header = Vec::new();
    if schema == Schema::Missing {
        header.push(format!(
            "For editor completion: `dhcpfo schema > {SCHEMA_BESIDE}`, then make `# yaml-language-server: $schema={SCHEMA_BESIDE}` the first line."
        ));
    }
    let options = ImportOptions {
        modeline: schema.modeline(),
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
            if let Schema::WriteBeside(schema_path) = &schema {
                match write(schema_path, &format!("{}\n", crate::model::schema::json())) {
                    Ok(()) => eprintln!(
                        "wrote {} (the JSON Schema the YAML's first line names, for editor completion)",
                        schema_path.display()
                    ),
                    Err(e) => eprintln!(
                        "warning: cannot write {}: {e}; the YAML's first line names it",
                        schema_path.display()
                    ),
                }
            }
            path.display().to_string()
        }
        None => {
            print!("{}", result.yaml);
            "pair.yaml (standard output)".to_string()
        }
    };
    let checked = import::check_yaml(&name, &result.yaml);
    let (repairs, other): (Vec<_>, Vec<_>) = result
        .diagnostics
        .iter()
        .cloned()
        .partition(|d| d.finding.code == import::rules::DF496.code);
    let repaired = screening.repaired.len() + repairs.len();
    let mut diags = screening.repaired.clone();
    diags.extend(repairs);
    diags.extend(screening.errors.iter().cloned());
    diags.extend(other.iter().cloned());
    diags.extend(checked.iter().cloned());
    show(&diags, args.format, args.output.is_none());
    let failed = !other.is_empty() || !screening.errors.is_empty() || check::has_errors(&checked);
    if args.format == Format::Human {
        let (errors, warnings) = diag::tally(&checked);
        let mut summary = Vec::new();
        if repaired > 0 {
            summary.push(format!(
                "{repaired} failover mistake(s) of the files repaired (DF496)"
            ));
        }
        if !screening.errors.is_empty() {
            summary.push(format!(
                "{} error(s) in the files (shown above)",
                screening.errors.len()
            ));
        }
        if !other.is_empty() {
            summary.push(format!(
                "{} finding(s) could not be expressed in the model or differ between the peers (warnings above; the YAML follows the primary)",
                other.len()
            ));
        } else {
            summary.push("everything was imported".to_string());
        }
        eprintln!(
            "{name}: {}; check: {errors} error(s), {warnings} warning(s)",
            summary.join("; ")
        );
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
