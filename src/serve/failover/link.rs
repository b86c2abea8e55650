//! The failover transport: TCP connections to and from the partner, and nothing of the
//! protocol. ISC dhcpd listens on its own address and also connects out, in both roles, and
//! reconnects 5 s after a connection ends (digest §1.2); so does this module:
//!
//! - a listener on the own `address:port` that accepts only the partner's source IP (any
//!   other is logged as ISC does, `failover: listener: no matching state`, and closed);
//! - a connector that dials the partner from the own address (ISC matches the source IP
//!   against its `peer address`), waits while an established link exists, and tries again
//!   5 s after its connection ended or failed;
//! - per connection, a reader that cuts the stream into messages ([`Framer`], [`decode`])
//!   and a writer that sends messages in the order given, each after the lease-file write
//!   it depends on (a journal ticket) is on disk. A ticket that reports a failed write closes
//!   the connection instead: the partner must not be told what is not durable.
//!
//! Everything comes back to the server loop as [`LinkEvent`]s; the protocol engine
//! ([`super::peer::Relationship`]) decides what to send and when to close.

use std::collections::HashMap;
use std::net::{SocketAddr, SocketAddrV4};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{AbortHandle, JoinHandle};

use super::wire::{Framer, Message, WireError, decode};

/// One TCP connection, numbered from 1 in the order they open.
pub(crate) type ConnId = u64;

/// How long after a connection ended (or a connect failed) the connector tries again (ISC:
/// 5 s, both roles).
pub(crate) const RECONNECT: Duration = Duration::from_secs(5);

/// How long the listener waits before binding again after a failure.
pub(crate) const REBIND: Duration = Duration::from_secs(5);

/// How long a connect attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What happened on the transport.
#[derive(Debug)]
pub(crate) enum LinkEvent {
    /// A connection is up: ours (`outbound`) or the partner's.
    Opened {
        /// Its number.
        conn: ConnId,
        /// Whether this server dialled it.
        outbound: bool,
        /// Its writer; taken by [`Link::register`].
        handle: Option<ConnHandle>,
    },
    /// A whole message arrived (or could not be decoded: the reader stops after a fatal
    /// error, and the caller sends DISCONNECT and closes).
    Frame {
        /// The connection.
        conn: ConnId,
        /// The decoded message or why it could not be (boxed: a message is large).
        frame: Box<Result<Message, WireError>>,
    },
    /// The connection is gone (closed by the partner, reset, or closed here).
    Closed {
        /// The connection.
        conn: ConnId,
        /// Why, for the log.
        why: String,
    },
}

enum Out {
    Send(Vec<u8>, Option<oneshot::Receiver<bool>>),
    Close,
}

/// The sending side of one connection.
#[derive(Debug)]
pub(crate) struct ConnHandle {
    tx: mpsc::UnboundedSender<Out>,
    reader: AbortHandle,
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Out::Send(bytes, wait) => {
                write!(f, "Send({} octets, wait {})", bytes.len(), wait.is_some())
            }
            Out::Close => f.write_str("Close"),
        }
    }
}

/// The transport of one relationship: its listener, its connector and its connections.
/// Dropping it stops them all.
#[derive(Debug)]
pub(crate) struct Link {
    conns: HashMap<ConnId, ConnHandle>,
    established: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Link {
    /// Starts listening on `local` and dialling `peer` from `local`'s address. `name` is the
    /// relationship, for log lines.
    pub(crate) fn start(
        name: &str,
        local: SocketAddrV4,
        peer: SocketAddrV4,
    ) -> (Link, mpsc::UnboundedReceiver<LinkEvent>) {
        let (events, rx) = mpsc::unbounded_channel();
        let (established, watch_established) = watch::channel(false);
        let ids = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(1));
        let listener = tokio::spawn(listen(local, peer, events.clone(), ids.clone()));
        let connector = tokio::spawn(connect_loop(
            name.to_string(),
            local,
            peer,
            events,
            ids,
            watch_established,
        ));
        (
            Link {
                conns: HashMap::new(),
                established,
                tasks: vec![listener, connector],
            },
            rx,
        )
    }

    /// Takes the writer out of an [`LinkEvent::Opened`]; call it for every such event.
    pub(crate) fn register(&mut self, event: &mut LinkEvent) {
        if let LinkEvent::Opened { conn, handle, .. } = event
            && let Some(h) = handle.take()
        {
            self.conns.insert(*conn, h);
        }
    }

    /// Forgets a connection after its [`LinkEvent::Closed`].
    pub(crate) fn forget(&mut self, conn: ConnId) {
        if let Some(h) = self.conns.remove(&conn) {
            h.reader.abort();
        }
    }

    /// Queues `bytes` on `conn`, to leave after every earlier message of the connection and
    /// after `after` reports `true` (a lease-file write is on disk). A connection that is gone
    /// drops it.
    pub(crate) fn send(
        &self,
        conn: ConnId,
        bytes: Vec<u8>,
        after: Option<oneshot::Receiver<bool>>,
    ) {
        if let Some(h) = self.conns.get(&conn) {
            let _ = h.tx.send(Out::Send(bytes, after));
        }
    }

    /// Closes `conn` once what was queued before has been sent.
    pub(crate) fn close(&mut self, conn: ConnId) {
        if let Some(h) = self.conns.remove(&conn) {
            let _ = h.tx.send(Out::Close);
        }
    }

    /// Tells the connector whether a link is established (it does not dial while one is).
    pub(crate) fn set_established(&self, up: bool) {
        self.established.send_replace(up);
    }

    /// How many connections are open.
    #[cfg(test)]
    pub(crate) fn open_connections(&self) -> usize {
        self.conns.len()
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        for (_, h) in self.conns.drain() {
            h.reader.abort();
            let _ = h.tx.send(Out::Close);
        }
    }
}

/// Starts the reader and writer of a new connection; returns its handle and a receiver that
/// reports when both have ended.
fn spawn_conn(
    stream: TcpStream,
    conn: ConnId,
    events: mpsc::UnboundedSender<LinkEvent>,
) -> (ConnHandle, watch::Receiver<()>) {
    let _ = stream.set_nodelay(true);
    let (rd, wr) = stream.into_split();
    let (tx, rx) = mpsc::unbounded_channel();
    let (alive, ended) = watch::channel(());
    let alive_reader = alive.clone();
    let reader = tokio::spawn(read_loop(rd, conn, events.clone(), alive_reader));
    let abort = reader.abort_handle();
    tokio::spawn(write_loop(wr, rx, abort.clone(), conn, events, alive));
    (ConnHandle { tx, reader: abort }, ended)
}

async fn read_loop(
    mut rd: OwnedReadHalf,
    conn: ConnId,
    events: mpsc::UnboundedSender<LinkEvent>,
    _alive: watch::Sender<()>,
) {
    let mut framer = Framer::new();
    let mut buf = vec![0u8; 16 * 1024];
    let why = loop {
        let n = match rd.read(&mut buf).await {
            Ok(0) => break "closed by the peer".to_string(),
            Ok(n) => n,
            Err(e) => break e.to_string(),
        };
        if let Err(e) = framer.push(&buf[..n]) {
            let _ = events.send(LinkEvent::Frame {
                conn,
                frame: Box::new(Err(e)),
            });
            return;
        }
        while let Some(bytes) = framer.pop() {
            let frame = Box::new(decode(&bytes));
            let fatal = frame.as_ref().as_ref().is_err_and(WireError::is_fatal);
            if events.send(LinkEvent::Frame { conn, frame }).is_err() || fatal {
                return;
            }
        }
    };
    let _ = events.send(LinkEvent::Closed { conn, why });
}

async fn write_loop(
    mut wr: OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<Out>,
    reader: AbortHandle,
    conn: ConnId,
    events: mpsc::UnboundedSender<LinkEvent>,
    _alive: watch::Sender<()>,
) {
    let why = loop {
        match rx.recv().await {
            None | Some(Out::Close) => break None,
            Some(Out::Send(bytes, after)) => {
                if let Some(ticket) = after
                    && !matches!(ticket.await, Ok(true))
                {
                    break Some("a lease-file write failed".to_string());
                }
                if let Err(e) = wr.write_all(&bytes).await {
                    break Some(e.to_string());
                }
            }
        }
    };
    let _ = wr.shutdown().await;
    reader.abort();
    if let Some(why) = why {
        let _ = events.send(LinkEvent::Closed { conn, why });
    }
}

async fn listen(
    local: SocketAddrV4,
    peer: SocketAddrV4,
    events: mpsc::UnboundedSender<LinkEvent>,
    ids: std::sync::Arc<std::sync::atomic::AtomicU64>,
) {
    let mut warned = false;
    let listener = loop {
        let bound = TcpSocket::new_v4().and_then(|s| {
            s.set_reuseaddr(true)?;
            s.bind(SocketAddr::V4(local))?;
            s.listen(16)
        });
        match bound {
            Ok(l) => break l,
            Err(e) => {
                if !warned {
                    tracing::error!("failover: cannot listen on {local}: {e}; retrying");
                    warned = true;
                }
                tokio::time::sleep(REBIND).await;
            }
        }
    };
    loop {
        let (stream, from) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("failover: accept on {local}: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if from.ip() != std::net::IpAddr::V4(*peer.ip()) {
            tracing::info!("failover: listener: no matching state");
            drop(stream);
            continue;
        }
        let conn = ids.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (handle, _) = spawn_conn(stream, conn, events.clone());
        if events
            .send(LinkEvent::Opened {
                conn,
                outbound: false,
                handle: Some(handle),
            })
            .is_err()
        {
            return;
        }
    }
}

async fn connect_loop(
    name: String,
    local: SocketAddrV4,
    peer: SocketAddrV4,
    events: mpsc::UnboundedSender<LinkEvent>,
    ids: std::sync::Arc<std::sync::atomic::AtomicU64>,
    mut established: watch::Receiver<bool>,
) {
    let mut last_error: Option<std::io::ErrorKind> = None;
    loop {
        while *established.borrow_and_update() {
            if established.changed().await.is_err() {
                return;
            }
        }
        match dial(local, peer).await {
            Ok(stream) => {
                last_error = None;
                let conn = ids.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (handle, mut ended) = spawn_conn(stream, conn, events.clone());
                if events
                    .send(LinkEvent::Opened {
                        conn,
                        outbound: true,
                        handle: Some(handle),
                    })
                    .is_err()
                {
                    return;
                }
                // Both halves gone: the sender side of `ended` is dropped.
                while ended.changed().await.is_ok() {}
            }
            Err(e) => {
                // ISC logs nothing for a refused connection (the partner is not up yet);
                // other failures once each, until a connection succeeds.
                if e.kind() != std::io::ErrorKind::ConnectionRefused && last_error != Some(e.kind())
                {
                    tracing::info!("failover peer {name}: {e}");
                }
                last_error = Some(e.kind());
            }
        }
        tokio::time::sleep(RECONNECT).await;
    }
}

async fn dial(local: SocketAddrV4, peer: SocketAddrV4) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::V4(SocketAddrV4::new(*local.ip(), 0)))?;
    match tokio::time::timeout(CONNECT_TIMEOUT, socket.connect(SocketAddr::V4(peer))).await {
        Ok(r) => r,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "connection timed out",
        )),
    }
}

#[cfg(test)]
mod tests;
