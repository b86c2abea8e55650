//! What `diff`, `deploy` and `status` share: load, check and render the model, resolve the
//! peers' SSH targets, print remote errors.

use std::path::{Path, PathBuf};

use super::{EXIT_USAGE, load, print_diagnostics};
use crate::diag::Format;
use crate::model::{Source, check};
use crate::remote::{RemoteError, Target, targets};
use crate::render::{self, RenderOptions, RenderedFile};

/// A loaded, checked and rendered model with its peers' targets.
pub(super) struct Prepared {
    pub source: Source,
    pub rendered: Vec<RenderedFile>,
    pub targets: [Target; 2],
}

/// Loads and checks the model (any error: exit 2, as `diff` does for unreadable input) and
/// renders it (single layout, with `templates` overriding the built-in ones).
pub(super) fn prepare(
    pair: &Path,
    templates: Option<PathBuf>,
    format: Format,
) -> Result<Prepared, u8> {
    let source = load(pair, format).map_err(|_| EXIT_USAGE)?;
    let diags = check::check(&source);
    if !diags.is_empty() {
        print_diagnostics(&diags, format);
    }
    if check::has_errors(&diags) {
        eprintln!(
            "{}: fix the errors above first (`dhcpfo check`)",
            pair.display()
        );
        return Err(EXIT_USAGE);
    }
    let rendered = render::render(
        &source,
        &RenderOptions {
            templates,
            ..RenderOptions::default()
        },
    )
    .map_err(|e| {
        eprintln!("{:?}", miette::Report::new(e));
        EXIT_USAGE
    })?;
    let targets = targets(&source.pair);
    Ok(Prepared {
        source,
        rendered,
        targets,
    })
}

/// Prints a remote error as a miette diagnostic on standard error.
pub(super) fn print_error(e: RemoteError) {
    eprintln!("{:?}", miette::Report::new(e));
}
