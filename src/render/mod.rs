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
use context::SharedValues;
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
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template could not be loaded or evaluated.
    #[error("template {name}: {message}")]
    Template {
        /// Template name.
        name: String,
        /// What went wrong, with the template line.
        message: String,
    },
    /// The shared-file path is not absolute.
    #[error("--shared-path {0} is not an absolute path")]
    RelativeSharedPath(String),
}

crate::codes::catalogued_diagnostic!(RenderError {
    Self::Template { .. } => TEMPLATE_ERROR, help(
        "fix the template, or drop --templates to use the built-in ones"
    );
    Self::RelativeSharedPath(_) => RELATIVE_SHARED_PATH, help(
        "dhcpd resolves includes against its working directory; give an absolute path such as \
         /etc/dhcp/dhcpd.shared.conf"
    );
});

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
    let shared = SharedValues::new(source);
    let peer_files = |role: Role| -> Result<Vec<RenderedFile>, RenderError> {
        let ctx = shared.peer(&source.pair, role, &shared_path);
        let names: &[(&'static str, &str)] = match options.layout {
            Layout::Single => &[
                ("dhcpd.conf", "dhcpd.conf.j2"),
                ("isc-dhcp-server", "isc-dhcp-server.j2"),
            ],
            Layout::Split => &[
                ("dhcpd.conf", "peer.conf.j2"),
                ("dhcpd.shared.conf", "shared.conf.j2"),
                ("isc-dhcp-server", "isc-dhcp-server.j2"),
            ],
        };
        names
            .iter()
            .map(|(name, template)| Ok(file(role, name, templates.render_value(template, &ctx)?)))
            .collect()
    };
    // The peers are independent: the secondary's files are rendered on a second thread.
    // Errors are reported as a sequential run would report them, the primary's first.
    let (primary, secondary) = std::thread::scope(|scope| {
        let secondary = scope.spawn(|| peer_files(Role::Secondary));
        let primary = peer_files(Role::Primary);
        let secondary = secondary
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (primary, secondary)
    });
    let mut files = primary?;
    files.extend(secondary?);
    Ok(files)
}

/// Renders one peer's main dhcpd.conf (the single layout).
pub fn render_peer(
    source: &Source,
    role: Role,
    templates_dir: Option<&Path>,
) -> Result<String, RenderError> {
    let templates = Templates::new(templates_dir)?;
    let ctx = SharedValues::new(source).peer(&source.pair, role, DEFAULT_SHARED_PATH);
    templates.render_value("dhcpd.conf.j2", &ctx)
}

fn file(role: Role, name: &'static str, content: String) -> RenderedFile {
    RenderedFile {
        role,
        name,
        content,
    }
}

/// Every file name a peer's folder gets in some layout.
pub const FILE_NAMES: [&str; 3] = ["dhcpd.conf", "dhcpd.shared.conf", "isc-dhcp-server"];

/// What [`write_files`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// The files written.
    pub paths: Vec<PathBuf>,
    /// Files of another layout that an earlier render left in a peer's folder, removed so the
    /// folder holds one layout only (a stale `dhcpd.shared.conf` after going back to single).
    pub removed: Vec<PathBuf>,
}

/// Writes rendered files as `DIR/<role>/<name>`, creating folders. Each file is written to a
/// temporary name and renamed, so an interrupted run leaves no half-written file. A file of
/// [`FILE_NAMES`] that the rendered set does not have is removed from the peer's folder.
pub fn write_files(dir: &Path, files: &[RenderedFile]) -> std::io::Result<Written> {
    let mut written = Written::default();
    for f in files {
        let folder = dir.join(f.role.as_str());
        std::fs::create_dir_all(&folder)?;
        let path = folder.join(f.name);
        let tmp = folder.join(format!(".{}.tmp", f.name));
        std::fs::write(&tmp, &f.content)?;
        std::fs::rename(&tmp, &path)?;
        written.paths.push(path);
    }
    for role in Role::BOTH {
        if !files.iter().any(|f| f.role == role) {
            continue;
        }
        for name in FILE_NAMES {
            if files.iter().any(|f| f.role == role && f.name == name) {
                continue;
            }
            let stale = dir.join(role.as_str()).join(name);
            match std::fs::remove_file(&stale) {
                Ok(()) => written.removed.push(stale),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load_str;

    /// A model that uses every part of the context: classes, shared networks, scopes with
    /// parameters and options at each level, pools with and without failover, hosts.
    const RICH: &str = r#"failover: { name: fo, mclt: 1800, split: 128, auto-partner-down: 1h, min-balance: 60, max-balance: 3600 }
peers:
  primary: { address: 10.0.0.2, interfaces: [eth0, eth1] }
  secondary: { address: 10.0.0.3, port: 847, interfaces: [eth0] }
global:
  authoritative: true
  default-lease-time: 1h
  max-lease-time: 2h
  ping-check: false
  options: { domain-name: example.org, domain-name-servers: [10.0.0.10, 10.0.0.11] }
classes:
  - name: voip
    match-if: substring(option vendor-class-identifier, 0, 4) = "MSFT"
    lease-limit: 10
    max-lease-time: 1h
shared-networks:
  - name: campus
    max-lease-time: 2h
    subnets:
      - network: 172.16.0.0/24
        options: { routers: 172.16.0.1 }
        pools:
          - range: [172.16.0.10, 172.16.0.20]
      - network: 172.16.1.0/24
subnets:
  - network: 10.0.0.0/24
    next-server: 10.0.0.5
    filename: pxelinux.0
    options: { routers: 10.0.0.1, broadcast-address: 10.0.0.255 }
    pools:
      - range: [[10.0.0.50, 10.0.0.99], [10.0.0.101, 10.0.0.101]]
        allow: [known-clients]
        default-lease-time: 20m
        max-lease-time: 30m
        options: { domain-name: pool.example.org }
      - range: [10.0.0.150, 10.0.0.159]
        failover: false
        deny: [{ members-of: voip }]
hosts:
  - { name: printer, hardware-ethernet: 00:11:22:33:44:55, fixed-address: 10.0.0.20 }
  - { name: pxe, hardware-ethernet: 00:11:22:33:44:56, fixed-address: [10.0.0.21, 10.0.0.22], filename: ipxe.efi, options: { host-name: pxe } }
"#;

    /// `render` (shared values, one thread per peer) gives exactly what rendering each
    /// peer's `Context` gives, for both layouts.
    #[test]
    fn render_matches_rendering_each_peers_context() {
        let lab = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/lab-pair.yaml"
        ))
        .unwrap();
        for (name, text) in [("rich.yaml", RICH.to_string()), ("lab-pair.yaml", lab)] {
            let source = load_str(name, text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(
                crate::model::check::check(&source).is_empty(),
                "{name} must be clean"
            );
            let templates = Templates::new(None).unwrap();
            for (layout, names) in [
                (
                    Layout::Single,
                    &[
                        ("dhcpd.conf", "dhcpd.conf.j2"),
                        ("isc-dhcp-server", "isc-dhcp-server.j2"),
                    ][..],
                ),
                (
                    Layout::Split,
                    &[
                        ("dhcpd.conf", "peer.conf.j2"),
                        ("dhcpd.shared.conf", "shared.conf.j2"),
                        ("isc-dhcp-server", "isc-dhcp-server.j2"),
                    ][..],
                ),
            ] {
                let options = RenderOptions {
                    layout,
                    ..RenderOptions::default()
                };
                let files = render(&source, &options).unwrap();
                let mut expected = Vec::new();
                for role in Role::BOTH {
                    let ctx = Context::new(&source, role, DEFAULT_SHARED_PATH);
                    for (file_name, template) in names {
                        expected.push(file(
                            role,
                            file_name,
                            templates.render(template, &ctx).unwrap(),
                        ));
                    }
                }
                assert_eq!(files, expected, "{name} {layout:?}");
                for role in Role::BOTH {
                    let main = files
                        .iter()
                        .find(|f| f.role == role && f.name == "dhcpd.conf")
                        .unwrap();
                    if layout == Layout::Single {
                        assert_eq!(
                            render_peer(&source, role, None).unwrap(),
                            main.content,
                            "{name} {role:?}"
                        );
                    }
                }
            }
        }
    }
}
