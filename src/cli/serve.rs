//! `dhcpfo serve`.

use std::fmt;
use std::path::PathBuf;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::registry::LookupSpan;

use crate::diag::Format;
use crate::model::Role;
use crate::serve::config::ServeRole;
use crate::serve::{self, ServeOptions};

/// `--role`: the serve layer's role type, spelled as on the command line.
impl clap::ValueEnum for ServeRole {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            ServeRole::Peer(Role::Primary),
            ServeRole::Peer(Role::Secondary),
            ServeRole::Standalone,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let (name, help) = match self {
            ServeRole::Peer(Role::Primary) => (
                "primary",
                "The failover primary (its peer address is the server identifier)",
            ),
            ServeRole::Peer(Role::Secondary) => ("secondary", "The failover secondary"),
            ServeRole::Standalone => ("standalone", "One server alone, without failover"),
        };
        Some(clap::builder::PossibleValue::new(name).help(help))
    }
}

/// The arguments of `dhcpfo serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pair model (YAML).
    #[arg(value_name = "PAIR.yaml")]
    pub(crate) pair: PathBuf,
    /// This server's role: a failover peer, or standalone (no failover).
    #[arg(long, value_enum)]
    pub(crate) role: crate::serve::config::ServeRole,
    /// Interface to serve on (repeat for several).
    #[arg(long = "interface", short = 'i', value_name = "IF", required = true)]
    pub(crate) interfaces: Vec<String>,
    /// The lease file (created if missing).
    #[arg(long, value_name = "FILE")]
    pub(crate) leases: PathBuf,
    /// UDP port to listen on.
    #[arg(long, value_name = "PORT", default_value_t = 67, hide = true)]
    pub(crate) port: u16,
    /// A failover peer's control socket, for `dhcpfo failover` (default: the lease
    /// file's path with `.ctl`; owner-only).
    #[arg(long, value_name = "PATH")]
    pub(crate) control: Option<PathBuf>,
    /// Log format: lines for people on standard error, or one JSON object a line on
    /// standard output (timestamp, level, message), start-up errors as findings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
}

pub(super) fn run(args: Args) -> u8 {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DHCPFO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Whatever the level, the operator (and a supervisor script) sees when serving starts,
    // reloads and stops.
    let filter = match format!("{}=info", serve::server::LIFECYCLE_TARGET).parse() {
        Ok(ready) => filter.add_directive(ready),
        Err(_) => filter,
    };
    let _ = match args.format {
        Format::Human => tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_target(false)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_env_filter(filter)
            .try_init(),
        Format::Json => tracing_subscriber::fmt()
            .with_writer(std::io::stdout)
            .with_ansi(false)
            .event_format(JsonLines)
            .with_env_filter(filter)
            .try_init(),
    };
    serve::run(ServeOptions {
        pair: args.pair,
        role: args.role,
        interfaces: args.interfaces,
        leases: args.leases,
        port: args.port,
        control: args.control,
        format: args.format,
    })
}

/// Each log line as one JSON object on a line of its own: `timestamp` (as the text log
/// writes it), `level` (`info`, `warn`...), `message`, and any other field of the event.
/// Client-supplied text is escaped in the message already; JSON escapes the rest.
struct JsonLines;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut timestamp = String::new();
        SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
        let mut line = Map::new();
        line.insert("timestamp".into(), timestamp.into());
        line.insert(
            "level".into(),
            event
                .metadata()
                .level()
                .as_str()
                .to_ascii_lowercase()
                .into(),
        );
        event.record(&mut Fields(&mut line));
        writeln!(writer, "{}", Value::Object(line))
    }
}

/// Collects an event's fields into a JSON object.
struct Fields<'a>(&'a mut Map<String, Value>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
}
