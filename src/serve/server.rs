//! The service: one receive task per interface, the engine on one task, replies sent once
//! their leases are on disk, timers, SIGHUP reload and SIGTERM shutdown.

use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, oneshot};

use super::config::{ServeConfig, ServeRole};
use super::engine::{Dest, Engine, Incoming, Outcome};
use super::failover::config::FailoverConfig;
use super::failover::control::ControlError;
use super::journal::{Journal, JournalError};
use super::latency;
use super::packet::{self, malformed};
use super::ratelimit::{RateLimit, held_note};
use super::socket::{IfaceSocket, SERVER_PORT, iface_addrs};
use crate::codes::runtime::INTERFACE_OUTSIDE_SUBNETS;
use crate::diag::{self, Diagnostic, Format, JsonFinding};

mod clock_watch;
mod failover;
use crate::model::{self, LoadError, check};

/// Exit status: stopped cleanly.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit status: the model has errors.
pub(crate) const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage, socket or lease-file error.
pub(crate) const EXIT_USAGE: u8 = 2;
/// Log target of the service's life-cycle lines (ready, reloaded, stopped), shown at any
/// `DHCPFO_LOG` level.
pub(crate) const LIFECYCLE_TARGET: &str = "dhcpfo::serve::lifecycle";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ServeError {
    /// A socket could not be opened on an interface.
    #[error("cannot listen on {iface} port {port}: {error}")]
    Bind {
        /// Interface name.
        iface: String,
        /// UDP port.
        port: u16,
        /// The OS error.
        error: std::io::Error,
    },
    /// The async runtime or signal handling could not start.
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
}

crate::codes::catalogued_diagnostic!(ServeError {
    Self::Bind { .. } => CANNOT_LISTEN, help(
        "the interface must exist, nothing else may serve DHCP on it, and the server needs root \
         (or CAP_NET_RAW and CAP_NET_BIND_SERVICE)"
    );
    Self::Runtime(_) => RUNTIME_START, help("check the process limits (threads, file descriptors)");
});

/// What `dhcpfo serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The pair model.
    pub pair: PathBuf,
    /// Standalone or a failover role.
    pub role: ServeRole,
    /// Interfaces to serve.
    pub interfaces: Vec<String>,
    /// The lease file.
    pub leases: PathBuf,
    /// UDP port to listen on (67; another one only for tests).
    pub port: u16,
    /// A failover peer's control socket (default: beside the lease file).
    pub control: Option<PathBuf>,
    /// How start-up errors (and a refused reload's findings) are printed: miette's report on
    /// standard error, or one finding-shape JSON object a line on standard output.
    pub format: Format,
}

/// An error that stops the server; in the finding shape, it names the file (and line) it is
/// about when it has one.
trait AsFinding: miette::Diagnostic + Send + Sync + Sized + 'static {
    /// The file and line the error is about.
    fn place(&self) -> Option<(&str, Option<usize>)> {
        None
    }

    /// Its code, message and help, and its place.
    fn finding(&self) -> JsonFinding {
        let finding = JsonFinding::from_miette(self);
        match self.place() {
            Some((file, line)) => JsonFinding {
                line,
                ..finding.in_file(file)
            },
            None => finding,
        }
    }
}

impl AsFinding for ServeError {}

impl AsFinding for LoadError {
    fn place(&self) -> Option<(&str, Option<usize>)> {
        match self {
            LoadError::Io { path, .. } => Some((path, None)),
            LoadError::Invalid(_) => None,
        }
    }
}

impl AsFinding for JournalError {
    fn place(&self) -> Option<(&str, Option<usize>)> {
        match self {
            JournalError::Io { path, .. } => Some((path, None)),
            JournalError::Parse { path, line, .. } => Some((path, Some(*line))),
        }
    }
}

impl AsFinding for ControlError {
    fn place(&self) -> Option<(&str, Option<usize>)> {
        match self {
            ControlError::InUse(path) | ControlError::Io { path, .. } => Some((path, None)),
        }
    }
}

/// Prints an error that stops the server: miette's report for people, one finding line for
/// machines.
fn report<E: AsFinding>(format: Format, error: E) {
    match format {
        Format::Human => eprintln!("{:?}", miette::Report::new(error)),
        Format::Json => finding_lines(&[error.finding()]),
    }
}

/// Prints the model's diagnostics: snippets for people, one finding line each for machines.
fn report_diagnostics(format: Format, diags: &[Diagnostic]) {
    match format {
        Format::Human => eprint!(
            "{}",
            diag::render_human(diags, diag::use_color(std::io::stderr().is_terminal()))
        ),
        Format::Json => {
            finding_lines(&diags.iter().map(Diagnostic::to_json).collect::<Vec<_>>());
        }
    }
}

/// One JSON object a line on standard output, among the JSON log lines.
fn finding_lines(findings: &[JsonFinding]) {
    let mut out = std::io::stdout().lock();
    for finding in findings {
        if let Ok(line) = serde_json::to_string(finding) {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// A malformed packet's reason is logged once per source and interface per this many seconds.
const MALFORMED_LOG_INTERVAL: u64 = 60;
/// Sources remembered for that (a flood from more shares one line per interval).
const MALFORMED_LOG_KEYS: usize = 4096;

/// Compaction runs when this many records were appended and they outnumber twice the live
/// leases.
const COMPACT_MIN_RECORDS: usize = 10_000;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Loads and checks the model; on errors prints the diagnostics (in `format`) and returns the
/// exit status. A failover peer also gets its relationship's settings.
pub(crate) fn load_config(
    path: &Path,
    role: ServeRole,
    format: Format,
) -> Result<(ServeConfig, Option<FailoverConfig>), u8> {
    let source = model::load_file(path).map_err(|err| match err {
        LoadError::Invalid(diags) => {
            report_diagnostics(format, &diags);
            EXIT_FINDINGS
        }
        io => {
            report(format, io);
            EXIT_USAGE
        }
    })?;
    let diags = check::check(&source);
    if check::has_errors(&diags) {
        report_diagnostics(format, &diags);
        return Err(EXIT_FINDINGS);
    }
    let failover = match role {
        ServeRole::Peer(r) => Some(FailoverConfig::from_model(&source.pair, r)),
        ServeRole::Standalone => None,
    };
    Ok((ServeConfig::build(&source.pair, role), failover))
}

/// Runs the server until SIGTERM or SIGINT; returns the exit status.
pub fn run(opts: ServeOptions) -> u8 {
    let cfg = match load_config(&opts.pair, opts.role, opts.format) {
        Ok(cfg) => cfg,
        Err(code) => return code,
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(error) => {
            report(opts.format, ServeError::Runtime(error));
            return EXIT_USAGE;
        }
    };
    rt.block_on(serve(opts, cfg))
}

async fn serve(
    opts: ServeOptions,
    (cfg, failover_cfg): (ServeConfig, Option<FailoverConfig>),
) -> u8 {
    let (mut journal, replay) = match Journal::open(&opts.leases) {
        Ok(j) => j,
        Err(e) => {
            report(opts.format, e);
            return EXIT_USAGE;
        }
    };
    if replay.torn_bytes > 0 {
        tracing::warn!(
            "{}: dropped a torn last record ({} bytes) left by a crash",
            opts.leases.display(),
            replay.torn_bytes
        );
    }
    // From before the lease file is loaded: a step while starting counts too.
    let mut clock = clock_watch::ClockWatch::new();
    let mut engine = Engine::new(Arc::new(cfg));
    engine.quiet = !tracing::enabled!(tracing::Level::INFO);
    let loaded = replay.bindings.len();
    engine.load_all(replay.bindings);
    if !matches!(journal.compact(engine.snapshot()).await, Ok(true)) {
        match opts.format {
            Format::Human => tracing::error!("cannot rewrite {}", opts.leases.display()),
            Format::Json => report(
                opts.format,
                JournalError::Io {
                    path: opts.leases.display().to_string(),
                    error: std::io::Error::other("cannot rewrite it"),
                },
            ),
        }
        return EXIT_USAGE;
    }
    // The file's text, its parse and the rewrite are gone: give that memory back.
    release_freed_memory();
    // The writer compacts the file by itself from now on; the tick keeps the count current.
    let lease_count = Arc::new(std::sync::atomic::AtomicUsize::new(engine.leases().len()));
    journal.compact_automatically(COMPACT_MIN_RECORDS, lease_count.clone());
    let mut peering = None;
    let mut control = None;
    let control_path = opts
        .control
        .clone()
        .unwrap_or_else(|| crate::serve::failover::control::default_socket(&opts.leases));
    if failover_cfg.is_some() {
        match crate::serve::failover::control::listen(&control_path) {
            Ok(rx) => control = Some(rx),
            Err(e) => {
                report(opts.format, e);
                return EXIT_USAGE;
            }
        }
    }
    if let Some(fc) = failover_cfg {
        let (mut p, steps) = failover::start(&mut engine, fc, &replay.failover, now());
        failover::run_steps(
            steps,
            None,
            &mut engine,
            &mut journal,
            Some(&mut p.link),
            now,
        )
        .await;
        peering = Some(p);
    }
    let mut socks = Vec::new();
    let mut names: Vec<&String> = Vec::new();
    for name in &opts.interfaces {
        // The same interface twice would answer every broadcast twice.
        if !names.contains(&name) {
            names.push(name);
        }
    }
    for name in names {
        match IfaceSocket::bind(name, opts.port) {
            Ok(s) => socks.push(Arc::new(s)),
            Err(error) => {
                let err = ServeError::Bind {
                    iface: name.clone(),
                    port: opts.port,
                    error,
                };
                report(opts.format, err);
                return EXIT_USAGE;
            }
        }
    }
    if engine.config().peer_address.is_none() {
        for s in socks.iter().filter(|s| s.addrs.is_empty()) {
            tracing::warn!(
                "{} has no IPv4 address: replies from it carry no usable server identifier; give it an address in a served subnet",
                s.name
            );
        }
    }
    for s in &socks {
        if let Some(warning) = no_subnet_warning(engine.config(), &s.name, &s.addrs) {
            tracing::warn!("{warning}");
        }
    }
    let (tx, mut rx) = mpsc::channel::<(usize, Vec<u8>, SocketAddr, Instant)>(4096);
    for (i, s) in socks.iter().enumerate() {
        let (s, tx) = (s.clone(), tx.clone());
        tokio::spawn(async move {
            let mut buf = vec![0u8; 1500];
            loop {
                match s.recv(&mut buf).await {
                    Ok(got) => {
                        latency::SOCKET.record(got.waited);
                        let now = Instant::now();
                        let at = now.checked_sub(got.waited).unwrap_or(now);
                        if tx
                            .send((i, buf[..got.len].to_vec(), got.from, at))
                            .await
                            .is_err()
                        {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!("receive on {}: {e}", s.name);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        });
    }
    drop(tx);
    let mut addrs: Vec<Vec<Ipv4Addr>> = socks.iter().map(|s| s.addrs.clone()).collect();
    let (Ok(mut hup), Ok(mut term), Ok(mut int), Ok(mut usr1)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::user_defined1()),
    ) else {
        let error = std::io::Error::other("signal handlers");
        report(opts.format, ServeError::Runtime(error));
        return EXIT_USAGE;
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut malformed_log = RateLimit::new(MALFORMED_LOG_INTERVAL, MALFORMED_LOG_KEYS);
    tracing::info!(
        target: LIFECYCLE_TARGET,
        "dhcpfo serve ready: {} subnet(s), {} pool(s), {} lease(s) from {}, listening on {} port {}",
        engine.config().subnets.len(),
        engine.config().pools.len(),
        loaded,
        opts.leases.display(),
        opts.interfaces.join(", "),
        SERVER_PORT.max(opts.port),
    );
    loop {
        tokio::select! {
            got = rx.recv() => {
                let Some((i, bytes, from, at)) = got else { break };
                notice_clock_step(&mut clock, &mut engine);
                let started = Instant::now();
                latency::QUEUE.record(started - at);
                let msg = match packet::decode(&bytes) {
                    Ok(msg) => msg,
                    Err(why) => {
                        why.count();
                        if let Some(held) = malformed_log.allow((i, from.ip(), why), now()) {
                            tracing::info!("dropped a packet from {from} on {}: {}{}", socks[i].name, why.text(), held_note(held));
                        }
                        continue;
                    }
                };
                let inc = Incoming { msg: &msg, iface: &socks[i].name, iface_addrs: &addrs[i] };
                let mut out = engine.handle(inc, now());
                latency::ENGINE.record(started.elapsed());
                let peer = std::mem::take(&mut out.peer);
                let sent = deliver(out, &socks[i], &mut journal, !peer.is_empty(), Some(at)).await;
                if !peer.is_empty() {
                    failover::run_steps(peer, sent, &mut engine, &mut journal, peering.as_mut().map(|p| &mut p.link), now).await;
                }
            }
            ev = async {
                match peering.as_mut() {
                    Some(p) => p.events.recv().await,
                    None => std::future::pending().await,
                }
            } => {
                let Some(ev) = ev else { continue };
                notice_clock_step(&mut clock, &mut engine);
                if let Some(p) = peering.as_mut() {
                    let steps = failover::on_link_event(p, &mut engine, ev, now());
                    failover::run_steps(steps, None, &mut engine, &mut journal, Some(&mut p.link), now).await;
                }
            }
            req = async {
                match control.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            } => {
                let Some((req, reply)) = req else { continue };
                notice_clock_step(&mut clock, &mut engine);
                let answer = failover::control_request(req, &mut engine, &mut journal, peering.as_mut().map(|p| &mut p.link), now).await;
                let _ = reply.send(answer);
            }
            _ = tick.tick() => {
                notice_clock_step(&mut clock, &mut engine);
                let mut out = engine.tick(now());
                let mut peer = std::mem::take(&mut out.peer);
                deliver(out, &socks[0], &mut journal, false, None).await;
                notice_clock_step(&mut clock, &mut engine);
                peer.extend(engine.peer_poll(now()));
                if !peer.is_empty() {
                    failover::run_steps(peer, None, &mut engine, &mut journal, peering.as_mut().map(|p| &mut p.link), now).await;
                }
                for (a, s) in addrs.iter_mut().zip(&socks) {
                    *a = iface_addrs(&s.name);
                }
                lease_count.store(engine.leases().len(), std::sync::atomic::Ordering::Relaxed);
            }
            _ = hup.recv() => {
                match load_config(&opts.pair, opts.role, opts.format) {
                    Ok((cfg, _)) => {
                        engine = engine.reconfigured(Arc::new(cfg));
                        release_freed_memory();
                        tracing::info!(target: LIFECYCLE_TARGET, "reloaded {}: {} subnet(s), {} pool(s), {} lease(s) kept",
                            opts.pair.display(), engine.config().subnets.len(),
                            engine.config().pools.len(), engine.leases().len());
                    }
                    Err(_) => tracing::error!("reload of {} refused: the model has errors (above); still serving the previous configuration", opts.pair.display()),
                }
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = usr1.recv() => tracing::info!(target: LIFECYCLE_TARGET, "{}", latency::report_line()),
        }
    }
    let steps = engine.peer_shutdown();
    failover::run_steps(
        steps,
        None,
        &mut engine,
        &mut journal,
        peering.as_mut().map(|p| &mut p.link),
        now,
    )
    .await;
    drop(peering);
    if control.is_some() {
        let _ = std::fs::remove_file(&control_path);
    }
    let leases = engine.leases().len();
    tracing::info!(target: LIFECYCLE_TARGET, "{}", latency::report_line());
    let (records, syncs) = journal.close();
    tracing::info!(
        target: LIFECYCLE_TARGET,
        "dhcpfo serve stopped: {leases} lease(s) in {}; {records} record(s) written in {syncs} sync(s); {} malformed packet(s) dropped{}",
        opts.leases.display(),
        packet::malformed_count(),
        Some(malformed::summary())
            .filter(|s| !s.is_empty())
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    );
    EXIT_OK
}

/// Returns freed heap memory to the system (glibc keeps it otherwise, so a large replay
/// would stay in the resident size for good).
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; no pointer is involved.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Tells the engine of a step of the wall clock since the last look, before it sees a time
/// from the new clock (a partner's message read after the step would otherwise count it
/// twice).
fn notice_clock_step(clock: &mut clock_watch::ClockWatch, engine: &mut Engine) {
    if let Some(by) = clock.step() {
        tracing::warn!(
            "the wall clock was stepped by {by} s; leases are held past their ends by as much as it made them early"
        );
        engine.clock_stepped(by, now());
    }
}

/// Sends a reply, after its binding events are on disk when there are any. With
/// `signal`, also returns what fires (with whether the events are durable) once the reply
/// has left: a failover peer sends the changes' BNDUPDs after that, so the client hears
/// from its server before the partner does (as with ISC). `at` is when the request arrived,
/// for the latency histograms.
async fn deliver(
    out: Outcome,
    sock: &Arc<IfaceSocket>,
    journal: &mut Journal,
    signal: bool,
    at: Option<Instant>,
) -> Option<oneshot::Receiver<bool>> {
    for line in &out.log {
        tracing::info!("{line}");
    }
    let appended = Instant::now();
    let ticket = (!out.events.is_empty()).then(|| journal.append(&out.events));
    let (done, sent) = match (signal, &ticket) {
        (true, Some(_)) => {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        }
        _ => (None, None),
    };
    let line = out.reply_line;
    let reply = out.reply.map(|(reply, dest)| {
        let bytes = packet::encode(&reply);
        (reply, dest, bytes)
    });
    let sock = sock.clone();
    match (ticket, reply) {
        (None, Some((_, dest, bytes))) => send_reply(&sock, &bytes, dest, line, at).await,
        (None, None) => {}
        (Some(ticket), reply) => {
            tokio::spawn(async move {
                let durable = matches!(ticket.await, Ok(true));
                latency::DISK.record(appended.elapsed());
                match reply {
                    Some((_, dest, bytes)) if durable => {
                        send_reply(&sock, &bytes, dest, line, at).await;
                    }
                    Some((reply, _, _)) => tracing::error!(
                        "reply to {} not sent: its lease is not on disk",
                        packet::hw_text(reply.chaddr())
                    ),
                    None => {}
                }
                if let Some(done) = done {
                    let _ = done.send(durable);
                }
            });
        }
    }
    sent
}

/// The warning for an interface that has IPv4 addresses, none of them in a subnet of the
/// model: clients on its own link get no answer (dhcpd, in the same case, drops the interface
/// with "No subnet declaration for IF" and stops when none is left). Relayed requests are
/// still served, by the relay's address.
fn no_subnet_warning(cfg: &ServeConfig, iface: &str, addrs: &[Ipv4Addr]) -> Option<String> {
    if addrs.is_empty() || addrs.iter().any(|a| cfg.subnet_of(*a).is_some()) {
        return None;
    }
    let list: Vec<String> = addrs.iter().map(Ipv4Addr::to_string).collect();
    Some(format!(
        "{iface} has no address in any subnet of the model ({}): clients on its link get no answer; declare its network in the model's `subnets:` (dhcpd would stop: \"No subnet declaration for {iface}\") [{}]",
        list.join(", "),
        INTERFACE_OUTSIDE_SUBNETS.code
    ))
}

/// Sends a reply; its log line (`DHCPACK on ...`) is written once it has left, or a warning
/// says it was not sent.
async fn send_reply(
    sock: &IfaceSocket,
    bytes: &[u8],
    dest: Dest,
    line: Option<String>,
    at: Option<Instant>,
) {
    match sock.send(bytes, dest).await {
        Ok(()) => {
            if let Some(at) = at {
                latency::TOTAL.record(at.elapsed());
            }
            if let Some(line) = line {
                tracing::info!("{line}");
            }
        }
        Err(e) => tracing::warn!(
            "{}: not sent on {}: {e}",
            line.as_deref().unwrap_or("reply"),
            sock.name
        ),
    }
}

#[cfg(test)]
mod no_subnet_tests {
    use super::*;
    use crate::serve::config::ServeRole;

    #[test]
    fn an_interface_outside_every_subnet_is_warned_about() {
        let yaml = "failover: { name: fo, mclt: 60, split: 128 }\npeers:\n  primary: { address: 10.0.0.2 }\n  secondary: { address: 10.0.0.3 }\nsubnets:\n  - network: 10.0.0.0/24\n    pools:\n      - range: [10.0.0.10, 10.0.0.20]\n";
        let source = crate::model::load_str("t.yaml", yaml.into()).expect("model");
        let cfg = ServeConfig::build(&source.pair, ServeRole::Standalone);
        let outside = [Ipv4Addr::new(192, 168, 7, 1)];
        let warning = no_subnet_warning(&cfg, "eth1", &outside).expect("a warning");
        assert!(
            warning.contains("eth1 has no address in any subnet of the model (192.168.7.1)")
                && warning.ends_with("[DF015]"),
            "{warning}"
        );
        let inside = [Ipv4Addr::new(192, 168, 7, 1), Ipv4Addr::new(10, 0, 0, 2)];
        assert_eq!(no_subnet_warning(&cfg, "eth0", &inside), None);
        // No address at all has its own warning.
        assert_eq!(no_subnet_warning(&cfg, "eth2", &[]), None);
    }
}
