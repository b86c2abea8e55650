//! The `dhcpfo` command line: argument definitions and dispatch to the library.

mod check;
pub mod completions;
mod deploy;
mod diff;
mod failover;
mod import;
mod leases;
mod lint;
mod remote;
mod render;
mod serve;
mod status;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diag::{self, Diagnostic, Format};
use crate::model::{self, LoadError, Role, Source};
use crate::render::Layout;

/// Exit status: success, or only warnings.
pub const EXIT_OK: u8 = 0;
/// Exit status: an error-level finding (or, for diff-like commands, a difference).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Declarative ISC dhcpd failover pairs: one YAML model, two matched dhcpd.conf files.
#[derive(Debug, Parser)]
#[command(name = "dhcpfo", version, about, long_about = None, after_help = "\
Examples:
  dhcpfo check pair.yaml
  dhcpfo render pair.yaml --out build/
  dhcpfo render pair.yaml --role secondary | less")]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// dhcpfo's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a pair model and report every problem with its YAML line.
    #[command(after_help = "\
Examples:
  dhcpfo check examples/lab-pair.yaml
  dhcpfo check pair.yaml --format json
  dhcpfo check --explain DF113

Exit status: 0 no error (warnings allowed), 1 an error was found, 2 usage or I/O error.")]
    Check {
        /// The pair model (YAML).
        #[arg(value_name = "PAIR.yaml", required_unless_present = "explain")]
        pair: Option<PathBuf>,
        /// Output format of the findings.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Print the documentation of a rule code, e.g. DF113, and exit.
        #[arg(long, value_name = "CODE")]
        explain: Option<String>,
    },
    /// Compile the model into matched primary/secondary dhcpd.conf files.
    #[command(after_help = "\
Examples:
  dhcpfo render pair.yaml --out build/
      writes build/{primary,secondary}/dhcpd.conf and build/{primary,secondary}/isc-dhcp-server
  dhcpfo render pair.yaml --out build/ --layout split
      per-peer dhcpd.conf that includes /etc/dhcp/dhcpd.shared.conf, identical on both peers
  dhcpfo render pair.yaml --role primary
      prints the primary's dhcpd.conf to standard output")]
    Render {
        /// The pair model (YAML).
        #[arg(value_name = "PAIR.yaml")]
        pair: PathBuf,
        /// Folder to write `<role>/dhcpd.conf` and `<role>/isc-dhcp-server` into.
        #[arg(
            long,
            short,
            value_name = "DIR",
            required_unless_present = "role",
            conflicts_with = "role"
        )]
        out: Option<PathBuf>,
        /// Print one peer's dhcpd.conf to standard output instead.
        #[arg(long, value_enum)]
        role: Option<Role>,
        /// File layout on each peer.
        #[arg(long, value_enum, default_value_t = Layout::Single)]
        layout: Layout,
        /// Folder of templates that replace the built-in ones of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Absolute path of the shared file on the servers (split layout).
        #[arg(long, value_name = "PATH", default_value = crate::render::DEFAULT_SHARED_PATH)]
        shared_path: String,
    },
    /// Lint existing dhcpd.conf files: syntax as ISC dhcpd reads it, and failover mistakes.
    #[command(after_help = "\
Examples:
  dhcpfo lint /etc/dhcp/dhcpd.conf
  dhcpfo lint --pair dhcp1/dhcpd.conf dhcp2/dhcpd.conf
  dhcpfo lint dhcpd.conf --select DF3 --ignore DF312 --format json
  dhcpfo lint --explain DF300

Silence one finding with a comment on its line or the line above: # dhcpfo: ignore DF312
Exit status: 0 no error (warnings allowed unless --deny-warnings), 1 an error, 2 usage or I/O error.")]
    Lint {
        /// dhcpd.conf files to lint (includes are followed).
        #[arg(value_name = "FILE", required_unless_present_any = ["pair", "explain", "list_rules"])]
        files: Vec<PathBuf>,
        /// Lint a failover pair: the primary's and the secondary's dhcpd.conf, and compare them.
        #[arg(long, num_args = 2, value_names = ["PRIMARY", "SECONDARY"])]
        pair: Option<Vec<PathBuf>>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Run only these rules (codes or prefixes, comma-separated, e.g. DF3,DF201).
        #[arg(long, value_name = "CODES")]
        select: Vec<String>,
        /// Skip these rules (codes or prefixes, comma-separated).
        #[arg(long, value_name = "CODES")]
        ignore: Vec<String>,
        /// Exit with status 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Print the documentation of a rule and exit.
        #[arg(long, value_name = "CODE")]
        explain: Option<String>,
        /// Print every rule (code, severity, name, summary) as a Markdown table and exit.
        #[arg(long)]
        list_rules: bool,
    },
    /// Reverse-compile an existing failover pair (two dhcpd.conf files) into a pair model.
    #[command(after_help = "\
Examples:
  dhcpfo import dhcp1/dhcpd.conf dhcp2/dhcpd.conf -o pair.yaml
  dhcpfo import primary.conf secondary.conf > pair.yaml
  dhcpfo lint --explain DF493

What the model cannot express, and every difference between the two files, is reported
as a warning at its file and line (DF490..DF495); the model follows the primary.
Exit status: 0 everything imported, 1 something could not be expressed (the YAML is
still written), 2 usage or I/O error.")]
    Import {
        /// The primary's dhcpd.conf (includes are followed).
        #[arg(value_name = "PRIMARY")]
        primary: PathBuf,
        /// The secondary's dhcpd.conf.
        #[arg(value_name = "SECONDARY")]
        secondary: PathBuf,
        /// Write the model to this file instead of standard output.
        #[arg(long, short, value_name = "PAIR.yaml")]
        output: Option<PathBuf>,
        /// Output format of the findings.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Serve DHCPv4 from the model's pools, with durable leases (foreground; logs to stderr).
    #[command(after_help = "\
Examples:
  dhcpfo serve pair.yaml --role standalone --interface eth0 --leases /var/lib/dhcpfo/dhcpd.leases
  dhcpfo serve pair.yaml --role primary --interface eth0 --interface eth1 --leases dhcpd.leases

The lease file is in ISC dhcpd.leases format: `dhcp-lease-list --lease FILE` reads it.
SIGHUP reloads the model (an invalid one is refused and the old one keeps serving);
SIGTERM stops after flushing the lease file. Log level: DHCPFO_LOG=debug|info|warn.
Exit status: 0 stopped cleanly, 1 the model has errors, 2 usage, socket or lease-file error.")]
    Serve {
        /// The pair model (YAML).
        #[arg(value_name = "PAIR.yaml")]
        pair: PathBuf,
        /// This server's role: a failover peer, or standalone (no failover).
        #[arg(long, value_enum)]
        role: serve::RoleArg,
        /// Interface to serve on (repeat for several).
        #[arg(long = "interface", short = 'i', value_name = "IF", required = true)]
        interfaces: Vec<String>,
        /// The lease file (created if missing).
        #[arg(long, value_name = "FILE")]
        leases: PathBuf,
        /// UDP port to listen on.
        #[arg(long, value_name = "PORT", default_value_t = 67, hide = true)]
        port: u16,
        /// A failover peer's control socket, for `dhcpfo failover` (default: the lease
        /// file's path with `.ctl`; owner-only).
        #[arg(long, value_name = "PATH")]
        control: Option<PathBuf>,
    },
    /// Operate a running `dhcpfo serve` failover peer: its state, or partner-down.
    #[command(subcommand)]
    Failover(failover::Action),
    /// Compare both peers' live files with the rendered ones, over SSH.
    #[command(after_help = "\
Examples:
  dhcpfo diff pair.yaml
  dhcpfo diff pair.yaml --format json

Reads each peer's dhcpd.conf and defaults file (`peers.*.ssh` in the model, then
~/.ssh/config) and prints a unified diff, live versus rendered.
Exit status: 0 nothing differs, 1 something differs, 2 error (as diff(1)).")]
    Diff {
        /// The pair model (YAML).
        #[arg(value_name = "PAIR.yaml")]
        pair: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// SSH settings: host key checking, configuration file.
        #[command(flatten)]
        ssh: remote::SshArgs,
        /// Folder of templates that replace the built-in ones of the same name (as for render).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Most bytes read from a peer in one go (a live file, the lock's journal, a
        /// command's output); bytes or K, M, G.
        #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = crate::remote::text::parse_size)]
        max_remote_size: u64,
    },
    /// Deploy the rendered files to both peers over SSH: validate, back up, swap, restart.
    #[command(after_help = "\
Examples:
  dhcpfo deploy pair.yaml               # shows the diff, asks, deploys
  dhcpfo deploy pair.yaml --dry-run     # diff and `dhcpd -t` on the peers, changes nothing
  dhcpfo deploy pair.yaml --yes         # no question (scripts, CI)

Both peers must accept the new files (`dhcpd -t`) before either is touched; any failure
after that restores both peers' backups and restarts them. SIGINT, SIGTERM or SIGHUP let the
step under way finish, then roll back (or complete, when only restarts are left) and report.
Every step is recorded in a journal in the lock on each peer: a deploy that was killed is
completed or rolled back by the next one, before anything else.
Exit status: 0 deployed or nothing to do, 1 not deployed (dhcpd -t refused a file, or not
confirmed; with --dry-run: differences found), 2 error (nothing changed, or rolled back),
128+N stopped by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).")]
    Deploy {
        /// The pair model (YAML).
        #[arg(value_name = "PAIR.yaml")]
        pair: PathBuf,
        /// Deploy without asking for confirmation.
        #[arg(long, short)]
        yes: bool,
        /// Show the diff and validate on the peers; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// SSH settings: host key checking, configuration file.
        #[command(flatten)]
        ssh: remote::SshArgs,
        /// Folder of templates that replace the built-in ones of the same name (as for render).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Format of the final report.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Take over the lock with this id (shown when a lock is refused), whoever holds it:
        /// for a deploy from another machine that is known to have died.
        #[arg(long, value_name = "LOCK_ID")]
        force_unlock: Option<String>,
        /// Most bytes read from a peer in one go (a live file, the lock's journal, a
        /// command's output); bytes or K, M, G.
        #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = crate::remote::text::parse_size)]
        max_remote_size: u64,
    },
    /// Show what the live pair is doing: service, failover state, pool counts, clocks.
    #[command(after_help = "\
Examples:
  dhcpfo status pair.yaml
  dhcpfo status pair.yaml --format json

Per peer: reachable over SSH, service running (`ssh.status-command`), the failover state of
each relationship (the last `failover peer ... state` stanza of the lease file), the pool
counts (free, backup, active, expired, abandoned) from the lease file, and the clock skew.
Exit status: 0 both peers run and every relationship is normal, 1 reachable but something is
not right (state, service, clocks more than 60 s apart), 2 a peer is unreachable or error.")]
    Status {
        /// The pair model (YAML).
        #[arg(value_name = "PAIR.yaml")]
        pair: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// SSH settings: host key checking, configuration file.
        #[command(flatten)]
        ssh: remote::SshArgs,
        /// Most bytes read from a peer in one go (the lock's journal, a command's output); the
        /// lease file is read as a stream and never held whole; bytes or K, M, G.
        #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = crate::remote::text::parse_size)]
        max_remote_size: u64,
    },
    /// List the leases of an ISC dhcpd.leases file, like dhcp-lease-list.
    #[command(after_help = "\
Examples:
  dhcpfo leases /var/lib/dhcp/dhcpd.leases
  dhcpfo leases dhcpd.leases --all
  dhcpfo leases dhcpd.leases --format json

By default only current leases are listed: the last record of each address, active and not
yet ended. Times are UTC. Exit status: 0 listed, 1 the file is malformed (line and column
shown), 2 usage or I/O error.")]
    Leases {
        /// The lease file (ISC dhcpd.leases format).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// List the last record of every address, whatever its state or end, with the state.
        #[arg(long)]
        all: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// IEEE oui.txt for manufacturer names [default: /usr/share/misc/oui.txt or
        /// /usr/share/ieee-data/oui.txt if present].
        #[arg(long, value_name = "FILE")]
        oui: Option<PathBuf>,
    },
    /// Print the JSON Schema of the pair model.
    #[command(after_help = "\
Example:
  dhcpfo schema > schemas/dhcpfo-pair.schema.json
  # in a model file, for editor completion:
  # yaml-language-server: $schema=../schemas/dhcpfo-pair.schema.json")]
    Schema,
    /// Print a shell completion script.
    #[command(after_help = "\
Examples:
  dhcpfo completions bash > /etc/bash_completion.d/dhcpfo
  dhcpfo completions zsh > ~/.zfunc/_dhcpfo
  dhcpfo completions fish > ~/.config/fish/completions/dhcpfo.fish")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &Role::BOTH
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// Restores the default action of SIGPIPE (Rust ignores it), so `dhcpfo lint ... | head`
/// ends quietly when the reader goes away, like any Unix filter, instead of failing to print.
pub fn stop_quietly_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default has no preconditions; it runs
    // once at start-up, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Runs a parsed command line and returns the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        Command::Check {
            pair,
            format,
            explain,
        } => check::run(pair, format, explain),
        Command::Render {
            pair,
            out,
            role,
            layout,
            templates,
            shared_path,
        } => render::run(render::Args {
            pair,
            out,
            role,
            layout,
            templates,
            shared_path,
        }),
        Command::Lint {
            files,
            pair,
            format,
            select,
            ignore,
            deny_warnings,
            explain,
            list_rules,
        } => lint::run(lint::Args {
            files,
            pair,
            format,
            select,
            ignore,
            deny_warnings,
            explain,
            list_rules,
        }),
        Command::Import {
            primary,
            secondary,
            output,
            format,
        } => import::run(import::Args {
            primary,
            secondary,
            output,
            format,
        }),
        Command::Serve {
            pair,
            role,
            interfaces,
            leases,
            port,
            control,
        } => serve::run(serve::Args {
            pair,
            role,
            interfaces,
            leases,
            port,
            control,
        }),
        Command::Failover(action) => failover::run(action),
        Command::Diff {
            pair,
            format,
            ssh,
            templates,
            max_remote_size,
        } => diff::run(diff::Args {
            pair,
            format,
            ssh,
            templates,
            max_remote_size,
        }),
        Command::Deploy {
            pair,
            yes,
            dry_run,
            ssh,
            templates,
            format,
            force_unlock,
            max_remote_size,
        } => deploy::run(deploy::Args {
            pair,
            yes,
            dry_run,
            ssh,
            templates,
            format,
            force_unlock,
            max_remote_size,
        }),
        Command::Status {
            pair,
            format,
            ssh,
            max_remote_size,
        } => status::run(status::Args {
            pair,
            format,
            ssh,
            max_remote_size,
        }),
        Command::Leases {
            file,
            all,
            format,
            oui,
        } => leases::run(leases::Args {
            file,
            all,
            format,
            oui,
        }),
        Command::Schema => {
            println!("{}", model::schema::json());
            EXIT_OK
        }
        Command::Completions { shell } => completions::run(shell),
    };
    ExitCode::from(code)
}

/// Loads a model, printing why it could not be loaded; returns the exit status on failure.
fn load(path: &std::path::Path, format: Format) -> Result<Source, u8> {
    model::load_file(path).map_err(|err| match err {
        LoadError::Invalid(diags) => {
            print_diagnostics(&diags, format);
            EXIT_FINDINGS
        }
        io => {
            eprintln!("{:?}", miette::Report::new(io));
            EXIT_USAGE
        }
    })
}

/// Prints diagnostics: human ones to standard error, JSON to standard output.
fn print_diagnostics(diags: &[Diagnostic], format: Format) {
    match format {
        Format::Human => eprint!(
            "{}",
            diag::render_human(diags, diag::use_color(std::io::stderr().is_terminal()))
        ),
        Format::Json => print!("{}", diag::render_json(diags)),
    }
}
