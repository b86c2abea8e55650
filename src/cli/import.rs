//! `dhcpfo import`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::codes::runtime;
use crate::conf::Config;
use crate::diag::{self, Format, JsonFinding};
use crate::import::{self, ImportOptions, SCHEMA_BESIDE, Schema};
use crate::model::check;

/// The arguments of `dhcpfo import`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The primary's dhcpd.conf (includes are followed).
    #[arg(value_name = "PRIMARY")]
    pub(crate) primary: PathBuf,
    /// The secondary's dhcpd.conf.
    #[arg(value_name = "SECONDARY")]
    pub(crate) secondary: PathBuf,
    /// Write the model to this file instead of standard output.
    #[arg(long, short, value_name = "PAIR.yaml")]
    pub(crate) output: Option<PathBuf>,
    /// Output format: snippets on standard error, or one JSON object on standard output
    /// (`yaml` when no -o is given, `findings`, `complete`).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
}

/// What `import --format json` prints on standard output: one object, whatever happened.
#[derive(Debug, Default, Serialize)]
struct ImportJson {
    /// The file the model was written to (`-o`), if it was.
    output: Option<String>,
    /// The model itself, when it went to standard output (no `-o`).
    yaml: Option<String>,
    /// Whether everything was imported and the model checks without error.
    complete: bool,
    /// Every finding: what could not be imported, the peers' differences, the check of the
    /// YAML; or what stopped the import.
    findings: Vec<JsonFinding>,
}

impl ImportJson {
    fn print(&self) {
        println!("{}", serde_json::to_string_pretty(self).unwrap_or_default());
    }
}

/// Reports what stopped the import before any YAML was made, and gives the exit status.
fn stop(format: Format, findings: Vec<JsonFinding>, code: u8) -> u8 {
    match format {
        Format::Human => {
            for f in &findings {
                eprint!("{}", f.render_plain());
            }
        }
        Format::Json => ImportJson {
            findings,
            ..ImportJson::default()
        }
        .print(),
    }
    code
}

pub(super) fn run(args: Args) -> u8 {
    let mut configs = Vec::new();
    for path in [&args.primary, &args.secondary] {
        match Config::load(path) {
            Ok(config) => configs.push(config),
            Err(e) => {
                let unreadable = JsonFinding::of(
                    &runtime::DF001,
                    format!("cannot read {}: {e}", path.display()),
                    "check the path and the file's permissions",
                )
                .in_file(path.display().to_string());
                return stop(args.format, vec![unreadable], EXIT_USAGE);
            }
        }
    }
    let (first, second) = (&configs[0], &configs[1]);
    // A file that cannot be read as dhcpd.conf has nothing reliable to import. Failover
    // mistakes that the model cannot make are repaired and reported; other errors are shown,
    // and the YAML carries those the model can hold, so `check` reports them there too.
    let screening = import::screen(first, second);
    if !screening.readable() {
        if args.format == Format::Json {
            let findings = screening
                .unreadable
                .iter()
                .map(diag::Diagnostic::to_json)
                .collect();
            return stop(args.format, findings, EXIT_FINDINGS);
        }
        show(&screening.unreadable);
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
                let error = JsonFinding::of(
                    &runtime::CANNOT_WRITE,
                    format!("cannot write {}: {e}", path.display()),
                    "check that the folder exists and is writable",
                )
                .in_file(path.display().to_string());
                return stop(args.format, vec![error], EXIT_USAGE);
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
            if args.format == Format::Human {
                print!("{}", result.yaml);
            }
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
    let failed = !other.is_empty() || !screening.errors.is_empty() || check::has_errors(&checked);
    if args.format == Format::Json {
        ImportJson {
            output: args.output.as_ref().map(|p| p.display().to_string()),
            yaml: args.output.is_none().then(|| result.yaml.clone()),
            complete: !failed,
            findings: diags.iter().map(diag::Diagnostic::to_json).collect(),
        }
        .print();
    } else {
        show(&diags);
    }
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

/// Prints diagnostics for people, on standard error.
fn show(diags: &[diag::Diagnostic]) {
    eprint!(
        "{}",
        diag::render_human(diags, diag::use_color(std::io::stderr().is_terminal()))
    );
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
