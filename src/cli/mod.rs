//! The `dhcpfo` command line: argument definitions and dispatch to the library.

mod check;
pub mod completions;
mod deploy;
mod diff;
mod explain;
mod failover;
mod findings;
mod import;
mod inputs;
mod leases;
mod lint;
pub mod man;
mod remote;
mod render;
mod serve;
mod status;
mod usage;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::diag::{self, Diagnostic, FindingFormat, Format, JsonFinding};
use crate::model::{self, Role};
use crate::render::Layout;

/// Exit status: success, or only warnings.
pub const EXIT_OK: u8 = 0;
/// Exit status: an error-level finding (or, for diff-like commands, a difference).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Declarative ISC dhcpd failover pairs: one YAML model, two matched dhcpd.conf files.
// Parse it through `main` or `command`, never `Cli::parse`: they add the `--explain` that
// some arguments' `required_unless_present` names.
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
    /// Validate pair models and report every problem with its YAML line.
    #[command(after_help = "\
Examples:
  dhcpfo check examples/lab-pair.yaml
  dhcpfo check models/            every *.yaml and *.yml file under models/, recursively
  dhcpfo check a.yaml b.yaml --format sarif > dhcpfo.sarif
  dhcpfo check pair.yaml --format github     annotations in a GitHub Actions run
  dhcpfo check --explain DF113

Exit status, for the whole run: 0 no error (warnings allowed), 1 an error was found,
2 usage or I/O error (a file that cannot be read).")]
    Check {
        /// Pair models (YAML), or folders to search for *.yaml and *.yml files.
        #[arg(value_name = "PATH", required_unless_present_any = ["list_rules", "explain"])]
        paths: Vec<PathBuf>,
        /// Output format of the findings.
        #[arg(long, value_enum, default_value_t = FindingFormat::Human)]
        format: FindingFormat,
        /// Print every check rule (a Markdown table, or JSON with --format json) and exit.
        #[arg(long)]
        list_rules: bool,
    },
    /// Compile the model into matched primary/secondary dhcpd.conf files.
    #[command(after_help = "\
Examples:
  dhcpfo render pair.yaml --out build/
      writes build/{primary,secondary}/dhcpd.conf and build/{primary,secondary}/isc-dhcp-server
  dhcpfo render pair.yaml --out build/ --layout split
      per-peer dhcpd.conf that includes /etc/dhcp/dhcpd.shared.conf, identical on both peers
  dhcpfo render pair.yaml --role primary
      prints the primary's dhcpd.conf to standard output
  dhcpfo render pair.yaml --out build/ --format json
      what was written (paths, sizes, sha256) or what stopped it, as one JSON object

Exit status: 0 rendered (warnings allowed), 1 the model has errors, 2 usage, template or
I/O error.")]
    Render {
        /// The pair model (YAML).
        #[arg(value_name = "PAIR.yaml")]
        pair: PathBuf,
        /// Folder to write `<role>/dhcpd.conf` and `<role>/isc-dhcp-server` into.
        #[arg(
            long,
            short,
            value_name = "DIR",
            required_unless_present_any = ["role", "explain"],
            conflicts_with = "role"
        )]
        out: Option<PathBuf>,
        /// Print one peer's dhcpd.conf to standard output instead.
        #[arg(long, value_enum)]
        role: Option<Role>,
        /// File layout on each peer (with --out; --role prints the single layout's file).
        #[arg(long, value_enum, default_value_t = Layout::Single, conflicts_with = "role")]
        layout: Layout,
        /// Folder of templates that replace the built-in ones of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Absolute path of the shared file on the servers (split layout).
        #[arg(long, value_name = "PATH", default_value = crate::render::DEFAULT_SHARED_PATH, conflicts_with = "role")]
        shared_path: String,
        /// Output format: messages for people, or one JSON object on standard output (layout,
        /// out, files with role, name, path, bytes and sha256, removed, warnings, errors).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Lint existing dhcpd.conf files: syntax as ISC dhcpd reads it, and failover mistakes.
    #[command(after_help = "\
Examples:
  dhcpfo lint /etc/dhcp/dhcpd.conf
  dhcpfo lint configs/            every *.conf file under configs/ (files included by
                                  another one are linted through it)
  dhcpfo lint --pair dhcp1/dhcpd.conf dhcp2/dhcpd.conf
  dhcpfo lint dhcpd.conf --select DF3 --ignore DF312 --format json
  dhcpfo lint --root build/primary build/primary/dhcpd.conf   # a tree rendered elsewhere
  dhcpfo lint --explain DF300

Silence one finding with a comment on its line or the line above: # dhcpfo: ignore DF312
Exit status, for the whole run: 0 no error (warnings allowed unless --deny-warnings),
1 an error, 2 usage or I/O error.")]
    Lint {
        /// dhcpd.conf files to lint (includes are followed), or folders to search for *.conf.
        #[arg(value_name = "PATH", required_unless_present_any = ["pair", "list_rules", "explain"])]
        files: Vec<PathBuf>,
        /// Lint a failover pair: the primary's and the secondary's dhcpd.conf, and compare them.
        #[arg(long, num_args = 2, value_names = ["PRIMARY", "SECONDARY"])]
        pair: Option<Vec<PathBuf>>,
        /// Output format of the findings.
        #[arg(long, value_enum, default_value_t = FindingFormat::Human)]
        format: FindingFormat,
        /// Run only these rules (codes or prefixes, comma-separated, e.g. DF3,DF201).
        #[arg(long, value_name = "CODES")]
        select: Vec<String>,
        /// Skip these rules (codes or prefixes, comma-separated).
        #[arg(long, value_name = "CODES")]
        ignore: Vec<String>,
        /// Exit with status 1 on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Print every lint rule (a Markdown table, or JSON with --format json) and exit.
        #[arg(long)]
        list_rules: bool,
        /// Read absolute includes under DIR, for a tree copied or rendered elsewhere:
        /// `/etc/dhcp/x.conf` is DIR/etc/dhcp/x.conf, else x.conf beside the including file
        /// (as `render --out --layout split` writes it).
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Reverse-compile an existing failover pair (two dhcpd.conf files) into a pair model.
    #[command(after_help = "\
Examples:
  dhcpfo import dhcp1/dhcpd.conf dhcp2/dhcpd.conf -o pair.yaml
  dhcpfo import primary.conf secondary.conf > pair.yaml
  dhcpfo lint --explain DF493

What the model cannot express, and every difference between the two files, is reported
as a warning at its file and line (DF490..DF495); the model follows the primary. Failover
mistakes the model cannot make (split, hba or mclt on the secondary, unmirrored addresses
or ports) are repaired and reported (DF496).
Exit status: 0 everything imported (repairs allowed), 1 something could not be expressed,
the files or the model have errors (the YAML is still written), or a file cannot be read
as dhcpd.conf (nothing written), 2 usage or I/O error.")]
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
        /// Output format: snippets on standard error, or one JSON object on standard output
        /// (`yaml` when no -o is given, `findings`, `complete`).
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
With --format json, every line on standard output is one JSON object: a log line
({timestamp, level, message}) or an error in the finding shape ({code, severity, ...}).
Exit status: 0 stopped cleanly, 1 the model has errors, 2 usage, socket or lease-file error.")]
    Serve {
        /// The pair model (YAML).
        #[arg(value_name = "PAIR.yaml")]
        pair: PathBuf,
        /// This server's role: a failover peer, or standalone (no failover).
        #[arg(long, value_enum)]
        role: crate::serve::config::ServeRole,
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
        /// Log format: lines for people on standard error, or one JSON object a line on
        /// standard output (timestamp, level, message), start-up errors as findings.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Operate a running `dhcpfo serve` failover peer: its state, or partner-down.
    #[command(subcommand)]
    Failover(failover::Action),
    /// Compare both peers' live files with the rendered ones, over SSH.
    #[command(after_help = "\
Examples:
  dhcpfo diff pair.yaml
  dhcpfo diff pair.yaml --format json
  dhcpfo diff pair.yaml --layout split

Reads each peer's dhcpd.conf and defaults file (`peers.*.ssh` in the model, then
~/.ssh/config) and prints a unified diff, live versus rendered.
Exit status: 0 nothing differs, 1 something differs, 2 error (as diff(1)).")]
    Diff {
        /// The pair model (YAML).
        #[arg(value_name = "PAIR.yaml")]
        pair: PathBuf,
        /// Output format: unified diffs for people, or one JSON object (differs, files, peers,
        /// warnings, errors).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// SSH settings: host key checking, configuration file.
        #[command(flatten)]
        ssh: remote::SshArgs,
        /// Folder of templates that replace the built-in ones of the same name (as for render).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// The files compared: one dhcpd.conf, or the split layout's.
        #[command(flatten)]
        layout: remote::LayoutArgs,
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
  dhcpfo deploy pair.yaml --layout split  # per-peer dhcpd.conf + /etc/dhcp/dhcpd.shared.conf

Both peers must accept the new files (`dhcpd -t`) before either is touched; any failure
after that restores both peers' backups and restarts them. SIGINT, SIGTERM or SIGHUP let the
step under way finish, then roll back (or complete, when only restarts are left) and report.
Every step is recorded in a journal in the lock on each peer: a deploy that was killed is
completed or rolled back by the next one, before anything else (a dry run shows what that
would do, and a deploy asks before doing it).
Exit status: 0 deployed or nothing to do, 1 not deployed (dhcpd -t refused a file, or not
confirmed; with --dry-run: differences found), 2 error (nothing changed, rolled back, or a
restart failed),
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
        /// The files deployed: one dhcpd.conf, or the split layout's.
        #[command(flatten)]
        layout: remote::LayoutArgs,
        /// Format of the final report: text for people, or one JSON object (errors included).
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
        /// Output format: text for people, or one JSON object (healthy, problems, peers,
        /// clock_skew, clock, warnings, errors).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// SSH settings: host key checking, configuration file.
        #[command(flatten)]
        ssh: remote::SshArgs,
        /// The files deployed (an unfinished deploy's journal may name only these): one
        /// dhcpd.conf, or the split layout's.
        #[command(flatten)]
        layout: remote::LayoutArgs,
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
        /// Output format: a table like dhcp-lease-list, or one JSON object (leases, warnings,
        /// errors).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// IEEE oui.txt for manufacturer names [default: /usr/share/misc/oui.txt or
        /// /usr/share/ieee-data/oui.txt if present].
        #[arg(long, value_name = "FILE")]
        oui: Option<PathBuf>,
    },
    /// Explain a code: any code dhcpfo prints (check and lint rules, runtime errors).
    #[command(after_help = "\
Examples:
  dhcpfo explain DF113
  dhcpfo explain DF501 --format json
  dhcpfo rules          every code, with its summary

Every command also takes --explain CODE. Exit status: 0 explained, 2 unknown code.")]
    Explain {
        /// The code, e.g. DF113 (case does not matter).
        #[arg(value_name = "CODE", value_parser = explain::CodeParser, hide_possible_values = true)]
        code: String,
        /// Output format: the documentation as text, or one JSON object (code, name,
        /// severity, reported_by, summary, doc).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// List every code dhcpfo prints: check and lint rules, runtime errors.
    #[command(after_help = "\
Examples:
  dhcpfo rules
  dhcpfo rules --format json | jq '.[] | select(.severity == \"error\") | .code'
  dhcpfo explain DF113")]
    Rules {
        /// Output format: a Markdown table (code, severity, name, reported by, summary), or a
        /// JSON array of {code, name, severity, reported_by, summary, doc}.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
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

/// The command line: the derived definitions, with `--explain CODE` added to every command
/// but `explain` itself (each required argument is then required unless `--explain` is
/// given). Completions and help are generated from this.
pub fn command() -> clap::Command {
    Cli::command().mut_subcommands(|sub| {
        if sub.get_name() == "explain" {
            return sub;
        }
        with_explain(sub)
    })
}

/// `sub` with `--explain CODE`, and so are its own commands (`failover state`...): a command
/// that needs one of them no longer does when `--explain` is given (alone, it prints its help).
fn with_explain(sub: clap::Command) -> clap::Command {
    let sub = sub.arg(explain::explain_arg()).mut_args(|arg| {
        if arg.is_required_set() {
            arg.required(false).required_unless_present("explain")
        } else {
            arg
        }
    });
    if sub.has_subcommands() {
        sub.subcommand_required(false)
            .arg_required_else_help(true)
            .mut_subcommands(with_explain)
    } else {
        sub
    }
}

/// Parses the command line and runs it; returns the process exit status. A usage error is
/// printed as clap prints it, or as JSON when `--format json` was asked for.
pub fn main(args: Vec<OsString>) -> ExitCode {
    let matches = match command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(e) => return usage::report(&e, &args),
    };
    let mut sub = matches.subcommand();
    while let Some((_, m)) = sub {
        if let Ok(Some(code)) = m.try_get_one::<String>("explain") {
            return ExitCode::from(explain::run(code, usage::requested_format(m)));
        }
        sub = m.subcommand();
    }
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => run(cli),
        Err(e) => usage::report(&e, &args),
    }
}

/// Runs a parsed command line and returns the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        Command::Check {
            paths,
            format,
            list_rules,
        } => check::run(paths, format, list_rules),
        Command::Render {
            pair,
            out,
            role,
            layout,
            templates,
            shared_path,
            format,
        } => render::run(render::Args {
            pair,
            out,
            role,
            layout,
            templates,
            shared_path,
            format,
        }),
        Command::Lint {
            files,
            pair,
            format,
            select,
            ignore,
            deny_warnings,
            list_rules,
            root,
        } => lint::run(lint::Args {
            files,
            pair,
            format,
            select,
            ignore,
            deny_warnings,
            list_rules,
            root,
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
            format,
        } => serve::run(serve::Args {
            pair,
            role,
            interfaces,
            leases,
            port,
            control,
            format,
        }),
        Command::Failover(action) => failover::run(action),
        Command::Diff {
            pair,
            format,
            ssh,
            templates,
            layout,
            max_remote_size,
        } => diff::run(diff::Args {
            pair,
            format,
            ssh,
            templates,
            layout,
            max_remote_size,
        }),
        Command::Deploy {
            pair,
            yes,
            dry_run,
            ssh,
            templates,
            layout,
            format,
            force_unlock,
            max_remote_size,
        } => deploy::run(deploy::Args {
            pair,
            yes,
            dry_run,
            ssh,
            templates,
            layout,
            format,
            force_unlock,
            max_remote_size,
        }),
        Command::Status {
            pair,
            format,
            ssh,
            layout,
            max_remote_size,
        } => status::run(status::Args {
            pair,
            format,
            ssh,
            layout,
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
        Command::Explain { code, format } => explain::run(&code, format),
        Command::Rules { format } => explain::list(&crate::codes::all(), format),
        Command::Schema => {
            println!("{}", model::schema::json());
            EXIT_OK
        }
        Command::Completions { shell } => completions::run(shell),
    };
    ExitCode::from(code)
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

/// Splits findings into errors and warnings.
fn by_severity(findings: Vec<JsonFinding>) -> (Vec<JsonFinding>, Vec<JsonFinding>) {
    findings
        .into_iter()
        .partition(|f| f.severity == diag::Severity::Error)
}

/// Prints `{"errors": [...]}` on standard output: the JSON of a command whose output is not a
/// list of findings, when it fails before it has anything else to say.
fn print_errors_json(errors: &[JsonFinding]) {
    #[derive(serde::Serialize)]
    struct Errors<'a> {
        errors: &'a [JsonFinding],
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&Errors { errors }).unwrap_or_default()
    );
}

/// Prints `{"errors": [...]}` as one line, for a command whose JSON output is JSON lines.
fn print_errors_json_line(errors: &[JsonFinding]) {
    println!("{}", serde_json::json!({ "errors": errors }));
}
