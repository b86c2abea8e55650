//! The server loop's side of failover: starting the relationship and its transport, and
//! carrying out the relationship's [`Step`]s in order: a state stanza is on disk before
//! anything after it happens, and a message waits for the lease-file write before it (a
//! BNDACK for the binding it acknowledges).

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::codes::runtime::{CONTROL_REQUEST_REFUSED, PARTNER_DOWN_REFUSED};
use crate::leases::FailoverStanza;
use crate::serve::engine::Engine;
use crate::serve::failover::config::FailoverConfig;
use crate::serve::failover::control::{Reply, Request};
use crate::serve::failover::link::{Link, LinkEvent};
use crate::serve::failover::peer::{Relationship, Step};
use crate::serve::failover::state::LogLevel;
use crate::serve::failover::wire::encode;
use crate::serve::journal::Journal;

/// A running relationship's transport.
pub(super) struct Peering {
    /// The connections.
    pub link: Link,
    /// Their events.
    pub events: mpsc::UnboundedReceiver<LinkEvent>,
}

/// Attaches the relationship to the engine (resuming the recorded stanza) and starts the
/// transport; returns the first steps (recording STARTUP) with it.
pub(super) fn start(
    engine: &mut Engine,
    cfg: FailoverConfig,
    saved: &[FailoverStanza],
    now: u64,
) -> (Peering, Vec<Step>) {
    let stanza = saved.iter().find(|s| s.peer == cfg.name);
    let cfg = Arc::new(cfg);
    let mut rel = Relationship::new(cfg.clone(), stanza, now);
    let steps = rel.take_steps();
    engine.attach_failover(rel);
    let (link, events) = Link::start(&cfg.name, cfg.local, cfg.peer);
    tracing::info!(
        "failover peer {}: {} on {}, partner {}",
        cfg.name,
        cfg.role.as_str(),
        cfg.local,
        cfg.peer
    );
    (Peering { link, events }, steps)
}

/// Hands a transport event to the relationship; returns its steps.
pub(super) fn on_link_event(
    peering: &mut Peering,
    engine: &mut Engine,
    mut ev: LinkEvent,
    now: u64,
) -> Vec<Step> {
    peering.link.register(&mut ev);
    match ev {
        LinkEvent::Opened { conn, outbound, .. } => {
            let how = if outbound { "dialled" } else { "accepted" };
            tracing::debug!("failover: connection {conn} open ({how})");
            engine.peer_opened(conn, now)
        }
        LinkEvent::Frame { conn, frame } => engine.peer_frame(conn, *frame, now),
        LinkEvent::Closed { conn, why } => {
            tracing::debug!("failover: connection {conn} closed: {why}");
            peering.link.forget(conn);
            engine.peer_closed(conn, now)
        }
    }
}

/// Carries out `steps` in order; the first message waits for `after` (a DHCP reply sent).
/// A failed state write hands the rest back to the relationship
/// ([`Engine::peer_persist_failed`]) instead.
pub(super) async fn run_steps(
    steps: Vec<Step>,
    after: Option<oneshot::Receiver<bool>>,
    engine: &mut Engine,
    journal: &mut Journal,
    link: Option<&mut Link>,
    now: impl Fn() -> u64,
) {
    let mut queue: VecDeque<Step> = steps.into();
    let mut link = link;
    let mut durable: Option<oneshot::Receiver<bool>> = after;
    let mut rounds = 0;
    while let Some(step) = queue.pop_front() {
        match step {
            Step::Persist(stanza) => {
                if !matches!(journal.record_failover(&stanza).await, Ok(true)) {
                    rounds += 1;
                    // Bounded: each failure is logged and retried by the state machine's
                    // own timer, not here.
                    if rounds > 3 {
                        break;
                    }
                    queue = engine.peer_persist_failed(now()).into();
                    durable = None;
                }
            }
            Step::Journal(events) => durable = Some(journal.append(&events)),
            Step::Send(conn, msg) => match encode(&msg) {
                Ok(bytes) => {
                    if let Some(l) = link.as_deref_mut() {
                        l.send(conn, bytes, durable.take());
                    }
                }
                Err(e) => tracing::error!("failover: cannot send {}: {e}", msg.kind),
            },
            Step::Close(conn) => {
                if let Some(l) = link.as_deref_mut() {
                    l.close(conn);
                }
            }
            Step::Established(up) => {
                if let Some(l) = link.as_deref_mut() {
                    l.set_established(up);
                }
            }
            Step::Log(LogLevel::Info, line) => tracing::info!("{line}"),
            Step::Log(LogLevel::Error, line) => tracing::error!("{line}"),
        }
    }
}

/// Carries out an operator's request from the control socket; the reply.
pub(super) async fn control_request(
    req: Request,
    engine: &mut Engine,
    journal: &mut Journal,
    link: Option<&mut Link>,
    now: impl Fn() -> u64,
) -> Reply {
    if req == Request::PartnerDown {
        match engine.partner_down(now()) {
            Ok(steps) => {
                if let Some(status) = engine.failover_status() {
                    tracing::info!(
                        "failover peer {}: partner-down requested on the control socket",
                        status.name
                    );
                }
                run_steps(steps, None, engine, journal, link, &now).await;
            }
            Err(refused) => return Reply::refused(&PARTNER_DOWN_REFUSED, refused.to_string()),
        }
    }
    match engine.failover_status() {
        Some(status) => Reply::ok(status),
        None => Reply::refused(
            &CONTROL_REQUEST_REFUSED,
            "this server is not a failover peer".into(),
        ),
    }
}
