//! `dhcpfo render`.

use std::path::PathBuf;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, load, print_diagnostics};
use crate::diag::{Format, JsonFinding};
use crate::model::{Role, check};
use crate::render::{self, Layout, RenderOptions};

pub(super) struct Args {
    pub pair: PathBuf,
    pub out: Option<PathBuf>,
    pub role: Option<Role>,
    pub layout: Layout,
    pub templates: Option<PathBuf>,
    pub shared_path: String,
}

pub(super) fn run(args: Args) -> u8 {
    let source = match load(&args.pair, Format::Human) {
        Ok(source) => source,
        Err(code) => return code,
    };
    let diags = check::check(&source);
    print_diagnostics(&diags, Format::Human);
    if check::has_errors(&diags) {
        eprintln!(
            "{}: not rendered: fix the errors above first (`dhcpfo check`)",
            args.pair.display()
        );
        return EXIT_FINDINGS;
    }
    let options = RenderOptions {
        // clap refuses --layout with --role: one peer's file on standard output is the
        // self-contained one.
        layout: if args.role.is_some() {
            Layout::Single
        } else {
            args.layout
        },
        templates: args.templates,
        shared_path: Some(args.shared_path),
    };
    let files = match render::render(&source, &options) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("{:?}", miette::Report::new(e));
            return EXIT_USAGE;
        }
    };
    if let Some(role) = args.role {
        if let Some(f) = files
            .iter()
            .find(|f| f.role == role && f.name == "dhcpd.conf")
        {
            print!("{}", f.content);
        }
        return EXIT_OK;
    }
    let Some(dir) = args.out else {
        return EXIT_USAGE;
    };
    match render::write_files(&dir, &files) {
        Ok(written) => {
            for p in written.paths {
                eprintln!("wrote {}", p.display());
            }
            for p in written.removed {
                eprintln!(
                    "removed {} (left by an earlier render; the {} layout has no such file)",
                    p.display(),
                    layout_name(options.layout)
                );
            }
            EXIT_OK
        }
        Err(e) => {
            let error = JsonFinding::error(
                "DF005",
                format!("cannot write into {}: {e}", dir.display()),
                "check that the folder can be created and is writable",
            );
            eprint!("{}", error.render_plain());
            EXIT_USAGE
        }
    }
}

fn layout_name(layout: Layout) -> &'static str {
    match layout {
        Layout::Single => "single",
        Layout::Split => "split",
    }
}
