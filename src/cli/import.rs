//! `dhcpfo import`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::conf::Config;
use crate::conf::lint::{Selection, lint};
use crate::diag::{self, Format, JsonFinding, Severity};
use crate::import::{self, ImportOptions};
use crate::model::check;

pub(super) struct Args {
    pub primary: PathBuf,
    pub secondary: PathBuf,
    pub output: Option<PathBuf>,
    pub format: Format,
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
                let unreadable = JsonFinding::error(
                    "DF001",
                    format!("cannot read {}: {e}", path.display()),
                    "check the path and the file's permissions",
                )
                .in_file(path.display().to_string());
                return stop(args.format, vec![unreadable], EXIT_USAGE);
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
        if args.format == Format::Json {
            let findings = errors.iter().map(diag::Diagnostic::to_json).collect();
            return stop(args.format, findings, EXIT_FINDINGS);
        }
        show(&errors);
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
                let error = JsonFinding::error(
                    "DF005",
                    format!("cannot write {}: {e}", path.display()),
                    "check that the folder exists and is writable",
                )
                .in_file(path.display().to_string());
                return stop(args.format, vec![error], EXIT_USAGE);
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
    let mut diags = result.diagnostics.clone();
    diags.extend(checked.iter().cloned());
    let failed = !result.is_complete() || check::has_errors(&checked);
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
