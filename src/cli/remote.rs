//! What `diff`, `deploy` and `status` share: load, check and render the model, resolve the
//! peers' SSH targets, print remote errors.

use std::path::PathBuf;

use super::layout::LayoutArgs;
use super::{EXIT_USAGE, by_severity, print_diagnostics};
use crate::codes::runtime;
use crate::diag::{Format, JsonFinding};
use crate::model::{self, LoadError, Source, check};
use crate::remote::ssh_config::{SshConfig, Strictness};
use crate::remote::text::stderr_line;
use crate::remote::{ConnectOptions, RemoteError, Target, targets};
use crate::render::{self, Layout, RenderOptions, RenderedFile};

/// How `diff`, `deploy` and `status` treat SSH, as `ssh`'s options would.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct SshArgs {
    /// Add unknown host keys to known_hosts (changed keys are still refused): the same as
    /// --strict-host-key-checking accept-new.
    #[arg(long, conflicts_with = "strict_host_key_checking")]
    pub accept_new_host_keys: bool,
    /// Override `StrictHostKeyChecking` for every host: yes refuses unknown keys, accept-new
    /// adds them, no also connects despite a changed key (a revoked key is always refused).
    #[arg(long, value_enum, value_name = "POLICY")]
    pub strict_host_key_checking: Option<Strictness>,
    /// Read only this SSH configuration file instead of ~/.ssh/config and
    /// /etc/ssh/ssh_config (as `ssh -F`; `none` for no file).
    #[arg(long, value_name = "FILE", env = "DHCPFO_SSH_CONFIG")]
    pub ssh_config: Option<PathBuf>,
}

impl SshArgs {
    /// The connection options these arguments give.
    pub(crate) fn connect_options(&self) -> ConnectOptions {
        ConnectOptions {
            strict_host_key_checking: if self.accept_new_host_keys {
                Some(Strictness::AcceptNew)
            } else {
                self.strict_host_key_checking
            },
            ..ConnectOptions::default()
        }
    }
}

/// What `diff`, `deploy` and `status` take alike: the pair model, how to reach its peers,
/// which files they hold, and how much to read from a peer at once.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PeerArgs {
    /// The pair model (YAML).
    #[arg(value_name = "PAIR.yaml")]
    pub pair: PathBuf,
    /// SSH settings: host key checking, configuration file.
    #[command(flatten)]
    pub ssh: SshArgs,
    /// The files on the peers: one dhcpd.conf, or the split layout's.
    #[command(flatten)]
    pub layout: LayoutArgs,
    /// Most bytes read from a peer in one go (a live file for diff and deploy, the lock's
    /// journal, a command's output; status streams the lease file, which this does not
    /// bound); bytes or K, M, G.
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = crate::remote::text::parse_size)]
    pub max_remote_size: u64,
}

/// A loaded, checked and rendered model with its peers' targets.
pub(super) struct Prepared {
    pub source: Source,
    pub rendered: Vec<RenderedFile>,
    pub targets: [Target; 2],
    /// The model's warnings (printed already for people; for the JSON output).
    pub warnings: Vec<JsonFinding>,
}

/// Why a command could not start: the exit status, and (for the JSON output) the errors and
/// the model's warnings, in the finding shape.
pub(super) struct Refused {
    pub code: u8,
    pub errors: Vec<JsonFinding>,
    pub warnings: Vec<JsonFinding>,
}

impl Refused {
    fn new(errors: Vec<JsonFinding>, warnings: Vec<JsonFinding>) -> Refused {
        Refused {
            code: EXIT_USAGE,
            errors,
            warnings,
        }
    }

    fn with_warnings(mut self, warnings: &[JsonFinding]) -> Refused {
        self.warnings = warnings.to_vec();
        self
    }
}

/// Loads and checks the model (any error: exit 2, as `diff` does for unreadable input) and
/// renders it (in the peers' layout, with `templates` overriding the built-in ones), and
/// reads the SSH configuration; each target reads at most `--max-remote-size` at once, and
/// in the split layout gets the shared file's path. People see what went wrong on standard
/// error as it happens; the JSON output gets it in [`Refused`] (and the warnings in
/// [`Prepared`]).
pub(super) fn prepare(
    peers: &PeerArgs,
    templates: Option<PathBuf>,
    format: Format,
) -> Result<Prepared, Refused> {
    let (pair, layout, ssh) = (peers.pair.as_path(), &peers.layout, &peers.ssh);
    let human = format == Format::Human;
    let fail = |finding: JsonFinding| {
        if human {
            stderr_line(finding.render_plain().trim_end());
        }
        Refused::new(vec![finding], Vec::new())
    };
    let source = match model::load_file(pair) {
        Ok(source) => source,
        Err(LoadError::Invalid(diags)) => {
            if human {
                print_diagnostics(&diags, Format::Human);
            }
            let (errors, warnings) = by_severity(diags.iter().map(|d| d.to_json()).collect());
            return Err(Refused::new(errors, warnings));
        }
        Err(io) => {
            return Err(fail(
                JsonFinding::from_miette(&io).in_file(pair.display().to_string()),
            ));
        }
    };
    let diags = check::check(&source);
    if human && !diags.is_empty() {
        print_diagnostics(&diags, Format::Human);
    }
    let (errors, warnings) = by_severity(diags.iter().map(|d| d.to_json()).collect());
    if !errors.is_empty() {
        if human {
            stderr_line(&format!(
                "{}: fix the errors above first (`dhcpfo check`)",
                pair.display()
            ));
        }
        return Err(Refused::new(errors, warnings));
    }
    let options = RenderOptions {
        templates,
        layout: layout.layout,
        shared_path: Some(layout.shared_path.clone()),
    };
    let rendered = render::render(&source, &options)
        .map_err(|e| fail(JsonFinding::from_miette(&e)).with_warnings(&warnings))?;
    let config = SshConfig::load(ssh.ssh_config.as_deref()).map_err(|e| {
        fail(JsonFinding::of(
            &runtime::SSH_CONFIG,
            format!("--ssh-config: {e}"),
            "give a readable OpenSSH client configuration file, or `none`",
        ))
        .with_warnings(&warnings)
    })?;
    let mut targets = targets(&source.pair, &config);
    for target in &mut targets {
        target.max_read = peers.max_remote_size;
    }
    if layout.layout == Layout::Split {
        for target in &mut targets {
            let own = [
                ("config-path", &target.config_path),
                ("defaults-path", &target.defaults_path),
                ("leases-path", &target.leases_path),
            ];
            if let Some((key, _)) = own.iter().find(|(_, p)| **p == layout.shared_path) {
                return Err(fail(JsonFinding::of(
                    &runtime::USAGE,
                    format!(
                        "--shared-path {} is the {}'s ssh.{key}: the shared file needs a path of its own",
                        layout.shared_path,
                        target.role.as_str()
                    ),
                    "give --shared-path a file that is not one of the peer's own files",
                ))
                .with_warnings(&warnings));
            }
            target.shared_path = Some(layout.shared_path.clone());
        }
    }
    Ok(Prepared {
        source,
        rendered,
        targets,
        warnings,
    })
}

/// Prints a remote error as a miette diagnostic on standard error.
pub(super) fn print_error(e: RemoteError) {
    stderr_line(&format!("{:?}", miette::Report::new(e)));
}
