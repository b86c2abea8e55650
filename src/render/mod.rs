//! Rendering a checked pair model into matched primary/secondary dhcpd.conf files.
//!
//! The model is turned into a plain view ([`context`]) and laid out by minijinja templates
//! from `templates/`, embedded in the binary and overridable with `--templates DIR`.

mod context;
mod templates;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::{Role, Source};

pub use context::Context;
pub use templates::{EMBEDDED, Templates};

/// Default path of the shared file in the split layout, as dhcpd opens it.
pub const DEFAULT_SHARED_PATH: &str = "/etc/dhcp/dhcpd.shared.conf";

/// How the configuration is laid out on each peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Layout {
    /// One self-contained dhcpd.conf per peer.
    #[default]
    Single,
    /// A small per-peer dhcpd.conf with the peer block that includes one shared file,
    /// byte-identical on both peers (the layout dhcpd.conf(5) recommends).
    Split,
}

/// Rendering settings.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Single file or split layout.
    pub layout: Layout,
    /// Folder whose templates replace the embedded ones of the same name.
    pub templates: Option<PathBuf>,
    /// Absolute path of the shared file on the servers (split layout).
    pub shared_path: Option<String>,
}

/// One rendered file of one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// The peer it belongs to.
    pub role: Role,
    /// File name inside the peer's folder.
    pub name: &'static str,
    /// Contents.
    pub content: String,
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RenderError {
    /// A template could not be loaded or evaluated.
    #[error("template {name}: {message}")]
    #[diagnostic(
        code(DF002),
        help("fix the template, or drop --templates to use the built-in ones")
    )]
    Template {
        /// Template name.
        name: String,
        /// What went wrong, with the template line.
        message: String,
    },
    /// The shared-file path is not absolute.
    #[error("--shared-path {0} is not an absolute path")]
    #[diagnostic(
        code(DF003),
        help(
            "dhcpd resolves includes against its working directory; give an absolute path such as /etc/dhcp/dhcpd.shared.conf"
        )
    )]
    RelativeSharedPath(String),
}

/// The SHA-256 of the model's YAML source, written into every file's header.
pub fn model_hash(source: &Source) -> String {
    let digest = Sha256::digest(source.file.text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Renders every file of both peers. The model must have passed `check`.
pub fn render(source: &Source, options: &RenderOptions) -> Result<Vec<RenderedFile>, RenderError> {
    let templates = Templates::new(options.templates.as_deref())?;
    let shared_path = options
        .shared_path
        .clone()
        .unwrap_or_else(|| DEFAULT_SHARED_PATH.into());
    if !shared_path.starts_with('/') || shared_path.contains('"') {
        return Err(RenderError::RelativeSharedPath(shared_path));
    }
    let mut files = Vec::new();
    for role in Role::BOTH {
        let ctx = Context::new(source, role, &shared_path);
        match options.layout {
            Layout::Single => {
                files.push(file(
                    role,
                    "dhcpd.conf",
                    templates.render("dhcpd.conf.j2", &ctx)?,
                ));
            }
            Layout::Split => {
                files.push(file(
                    role,
                    "dhcpd.conf",
                    templates.render("peer.conf.j2", &ctx)?,
                ));
                files.push(file(
                    role,
                    "dhcpd.shared.conf",
                    templates.render("shared.conf.j2", &ctx)?,
                ));
            }
        }
        files.push(file(
            role,
            "isc-dhcp-server",
            templates.render("isc-dhcp-server.j2", &ctx)?,
        ));
    }
    Ok(files)
}

/// Renders one peer's main dhcpd.conf (the single layout).
pub fn render_peer(
    source: &Source,
    role: Role,
    templates_dir: Option<&Path>,
) -> Result<String, RenderError> {
    let templates = Templates::new(templates_dir)?;
    templates.render(
        "dhcpd.conf.j2",
        &Context::new(source, role, DEFAULT_SHARED_PATH),
    )
}

fn file(role: Role, name: &'static str, content: String) -> RenderedFile {
    RenderedFile {
        role,
        name,
        content,
    }
}

/// Writes rendered files as `DIR/<role>/<name>`, creating folders. Each file is written to a
/// temporary name and renamed, so an interrupted run leaves no half-written file.
pub fn write_files(dir: &Path, files: &[RenderedFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for f in files {
        let folder = dir.join(f.role.as_str());
        std::fs::create_dir_all(&folder)?;
        let path = folder.join(f.name);
        let tmp = folder.join(format!(".{}.tmp", f.name));
        std::fs::write(&tmp, &f.content)?;
        std::fs::rename(&tmp, &path)?;
        written.push(path);
    }
    Ok(written)
}
