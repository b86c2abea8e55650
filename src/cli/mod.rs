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
mod layout;
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
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::diag::{self, Diagnostic, Format, JsonFinding};
use crate::model::{self, Role};

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
pub(crate) struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// dhcpfo's commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    Check(check::Args),
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
    Render(render::Args),
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
    Lint(lint::Args),
    /// Reverse-compile an existing failover pair (two dhcpd.conf files) into a pair model.
    #[command(after_help = "\
Examples:
  dhcpfo import dhcp1/dhcpd.conf dhcp2/dhcpd.conf -o pair.yaml
  dhcpfo import primary.conf secondary.conf > pair.yaml
  dhcpfo lint --explain DF493

What the model cannot express, and every difference between the two files, is reported
as a warning at its file and line (DF490..DF496); the model follows the primary. Failover
mistakes the model cannot make (split, hba or mclt on the secondary, unmirrored addresses
or ports) are repaired and reported (DF496).
Exit status: 0 everything imported (repairs allowed), 1 something could not be expressed,
the files or the model have errors (the YAML is still written), or a file cannot be read
as dhcpd.conf (nothing written), 2 usage or I/O error.")]
    Import(import::Args),
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
    Serve(serve::Args),
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
    Diff(diff::Args),
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
    Deploy(deploy::Args),
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
    Status(status::Args),
    /// List the leases of an ISC dhcpd.leases file, like dhcp-lease-list.
    #[command(after_help = "\
Examples:
  dhcpfo leases /var/lib/dhcp/dhcpd.leases
  dhcpfo leases dhcpd.leases --all
  dhcpfo leases dhcpd.leases --format json

By default only current leases are listed: the last record of each address, active and not
yet ended. Times are UTC. Exit status: 0 listed, 1 the file is malformed (line and column
shown), 2 usage or I/O error.")]
    Leases(leases::Args),
    /// Explain a code: any code dhcpfo prints (check and lint rules, runtime errors).
    #[command(after_help = "\
Examples:
  dhcpfo explain DF113
  dhcpfo explain DF501 --format json
  dhcpfo rules          every code, with its summary

Every command also takes --explain CODE. Exit status: 0 explained, 2 unknown code.")]
    Explain(explain::Args),
    /// List every code dhcpfo prints: check and lint rules, runtime errors.
    #[command(after_help = "\
Examples:
  dhcpfo rules
  dhcpfo rules --format json | jq '.[] | select(.severity == \"error\") | .code'
  dhcpfo explain DF113")]
    Rules(explain::RulesArgs),
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
    Completions(completions::Args),
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
pub(crate) fn run(cli: Cli) -> ExitCode {
    let code = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Render(args) => render::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Import(args) => import::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Failover(action) => failover::run(action),
        Command::Diff(args) => diff::run(args),
        Command::Deploy(args) => deploy::run(args),
        Command::Status(args) => status::run(args),
        Command::Leases(args) => leases::run(args),
        Command::Explain(args) => explain::run(&args.code, args.format),
        Command::Rules(args) => explain::list(&crate::codes::all(), args.format),
        Command::Schema => {
            println!("{}", model::schema::json());
            EXIT_OK
        }
        Command::Completions(args) => completions::run(args.shell),
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
