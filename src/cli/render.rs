//! `dhcpfo render`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::layout::LayoutArgs;
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, by_severity, print_diagnostics};
use crate::codes::runtime;
use crate::diag::{Diagnostic, Format, JsonFinding};
use crate::model::{self, LoadError, Role, Source, check};
use crate::remote::files::sha256;
use crate::render::{self, Layout, RenderOptions, RenderedFile};

/// The arguments of `dhcpfo render`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pair model (YAML).
    #[arg(value_name = "PAIR.yaml")]
    pub(crate) pair: PathBuf,
    /// Folder to write `<role>/dhcpd.conf` and `<role>/isc-dhcp-server` into.
    #[arg(
        long,
        short,
        value_name = "DIR",
        required_unless_present_any = ["role", "explain"],
        conflicts_with = "role"
    )]
    pub(crate) out: Option<PathBuf>,
    /// Print one peer's dhcpd.conf to standard output instead (the single layout's file).
    #[arg(long, value_enum, conflicts_with_all = ["layout", "shared_path"])]
    pub(crate) role: Option<Role>,
    /// Folder of templates that replace the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
    /// The files on each peer (with --out).
    #[command(flatten)]
    pub(crate) layout: LayoutArgs,
    /// Output format: messages for people, or one JSON object on standard output (layout,
    /// out, files with role, name, path, bytes and sha256, removed, warnings, errors).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
}

/// What `render --format json` prints: one object, whatever happened.
#[derive(Debug, Serialize)]
struct RenderJson {
    /// `single` or `split`.
    layout: &'static str,
    /// The folder given with `--out` (null with `--role`).
    out: Option<String>,
    /// Each file written (or, with `--role`, the one printed).
    files: Vec<FileJson>,
    /// Files of another layout that an earlier render left, removed.
    removed: Vec<String>,
    /// The model's warnings.
    warnings: Vec<JsonFinding>,
    /// What stopped the render: the model's errors, a template, the output folder.
    errors: Vec<JsonFinding>,
}

/// One rendered file in the JSON output.
#[derive(Debug, Serialize)]
struct FileJson {
    role: Role,
    /// File name inside the peer's folder.
    name: &'static str,
    /// Where it was written (null with `--role`).
    path: Option<String>,
    bytes: usize,
    /// SHA-256 of the contents, in hex (as `deploy` records it).
    sha256: String,
    /// The file itself, with `--role` only (standard output holds the JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<String>,
}

impl FileJson {
    fn new(file: &RenderedFile, path: Option<&Path>, with_content: bool) -> FileJson {
        FileJson {
            role: file.role,
            name: file.name,
            path: path.map(|p| p.display().to_string()),
            bytes: file.content.len(),
            sha256: sha256(file.content.as_bytes()),
            content: with_content.then(|| file.content.clone()),
        }
    }
}

pub(super) fn run(args: Args) -> u8 {
    let layout = effective_layout(&args);
    let mut json = RenderJson {
        layout: layout_name(layout),
        out: args.out.as_ref().map(|p| p.display().to_string()),
        files: Vec::new(),
        removed: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    let code = render_into(&args, layout, &mut json);
    if args.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
    }
    code
}

/// clap refuses --layout with --role: one peer's file on standard output is the
/// self-contained one.
fn effective_layout(args: &Args) -> Layout {
    if args.role.is_some() {
        Layout::Single
    } else {
        args.layout.layout
    }
}

/// Renders and writes (or prints) the files; people see what happens on standard error as it
/// happens, the JSON output gets it in `json`. Returns the exit status.
fn render_into(args: &Args, layout: Layout, json: &mut RenderJson) -> u8 {
    let human = args.format == Format::Human;
    let source = match load(&args.pair, args.format, json) {
        Ok(source) => source,
        Err(code) => return code,
    };
    let diags = check::check(&source);
    report(&diags, args.format, json);
    if check::has_errors(&diags) {
        if human {
            eprintln!(
                "{}: not rendered: fix the errors above first (`dhcpfo check`)",
                args.pair.display()
            );
        }
        return EXIT_FINDINGS;
    }
    let options = RenderOptions {
        layout,
        templates: args.templates.clone(),
        shared_path: Some(args.layout.shared_path.clone()),
    };
    let files = match render::render(&source, &options) {
        Ok(files) => files,
        Err(e) => {
            json.errors.push(JsonFinding::from_miette(&e));
            if human {
                eprintln!("{:?}", miette::Report::new(e));
            }
            return EXIT_USAGE;
        }
    };
    if let Some(role) = args.role {
        if let Some(f) = files
            .iter()
            .find(|f| f.role == role && f.name == "dhcpd.conf")
        {
            if human {
                print!("{}", f.content);
            }
            json.files.push(FileJson::new(f, None, true));
        }
        return EXIT_OK;
    }
    let Some(dir) = &args.out else {
        // clap requires --out without --role.
        json.errors.push(JsonFinding::of(
            &runtime::USAGE,
            "render needs --out DIR or --role ROLE",
            "`dhcpfo render --help` lists what it takes",
        ));
        return EXIT_USAGE;
    };
    match render::write_files(dir, &files) {
        Ok(written) => {
            // `paths` is in the order of `files`.
            for (f, p) in files.iter().zip(&written.paths) {
                if human {
                    eprintln!("wrote {}", p.display());
                }
                json.files.push(FileJson::new(f, Some(p), false));
            }
            for p in written.removed {
                if human {
                    eprintln!(
                        "removed {} (left by an earlier render; the {} layout has no such file)",
                        p.display(),
                        layout_name(layout)
                    );
                }
                json.removed.push(p.display().to_string());
            }
            EXIT_OK
        }
        Err(e) => {
            let error = JsonFinding::of(
                &runtime::CANNOT_WRITE,
                format!("cannot write into {}: {e}", dir.display()),
                "check that the folder can be created and is writable",
            )
            .in_file(dir.display().to_string());
            if human {
                eprint!("{}", error.render_plain());
            }
            json.errors.push(error);
            EXIT_USAGE
        }
    }
}

/// Loads the model; on failure says why (for people now, in `json` otherwise) and gives the
/// exit status.
fn load(path: &Path, format: Format, json: &mut RenderJson) -> Result<Source, u8> {
    model::load_file(path).map_err(|err| match err {
        LoadError::Invalid(diags) => {
            report(&diags, format, json);
            EXIT_FINDINGS
        }
        io => {
            json.errors
                .push(JsonFinding::from_miette(&io).in_file(path.display().to_string()));
            if format == Format::Human {
                eprintln!("{:?}", miette::Report::new(io));
            }
            EXIT_USAGE
        }
    })
}

/// The model's diagnostics: snippets on standard error for people, else errors and warnings
/// in `json`.
fn report(diags: &[Diagnostic], format: Format, json: &mut RenderJson) {
    match format {
        Format::Human => print_diagnostics(diags, Format::Human),
        Format::Json => {
            let (errors, warnings) = by_severity(diags.iter().map(Diagnostic::to_json).collect());
            json.errors.extend(errors);
            json.warnings.extend(warnings);
        }
    }
}

fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Single => "single",
        Layout::Split => "split",
    }
}
