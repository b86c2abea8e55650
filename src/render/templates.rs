//! The minijinja environment: embedded templates, optional overrides, strict undefined.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use super::{Context, RenderError};

/// The templates built into the binary, by name.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "dhcpd.conf.j2",
        include_str!("../../templates/dhcpd.conf.j2"),
    ),
    ("peer.conf.j2", include_str!("../../templates/peer.conf.j2")),
    (
        "shared.conf.j2",
        include_str!("../../templates/shared.conf.j2"),
    ),
    ("header.j2", include_str!("../../templates/header.j2")),
    (
        "failover-peer.j2",
        include_str!("../../templates/failover-peer.j2"),
    ),
    ("body.j2", include_str!("../../templates/body.j2")),
    ("macros.j2", include_str!("../../templates/macros.j2")),
    (
        "isc-dhcp-server.j2",
        include_str!("../../templates/isc-dhcp-server.j2"),
    ),
];

/// A template set ready to render.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The embedded templates, with any file of the same name in `dir` taking precedence.
    pub fn new(dir: Option<&Path>) -> Result<Self, RenderError> {
        let mut sources: BTreeMap<String, String> = EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| RenderError::Template {
                name: dir.display().to_string(),
                message: format!("cannot read the templates folder: {e}"),
            })?;
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".j2") {
                    let text = std::fs::read_to_string(entry.path()).map_err(|e| {
                        RenderError::Template {
                            name: entry.path().display().to_string(),
                            message: e.to_string(),
                        }
                    })?;
                    sources.insert(name, text);
                }
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| template_error("syntax", &e))?;
        env.set_syntax(syntax);
        for (name, text) in sources {
            env.add_template_owned(name.clone(), text)
                .map_err(|e| template_error(&name, &e))?;
        }
        Ok(Templates { env })
    }

    /// Renders a template with a peer's context.
    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, RenderError> {
        self.render_value(name, &super::context::value(ctx))
    }

    /// Renders a template with a peer's context already converted to a template value.
    pub(super) fn render_value(&self, name: &str, ctx: &Value) -> Result<String, RenderError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(name, &e))?;
        template
            .render(ctx.clone())
            .map_err(|e| template_error(name, &e))
    }
}

fn template_error(name: &str, err: &minijinja::Error) -> RenderError {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        message.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    RenderError::Template {
        name: name.to_string(),
        message,
    }
}
