//! A DHCP client generator of the tests' own: many simulated clients (distinct MACs) in one
//! network namespace, each doing what RFC 2131 asks of a client: DISCOVER/OFFER/REQUEST/ACK,
//! RENEW at T1 (unicast to the server that granted the lease, from the leased address),
//! REBIND at T2 (broadcast, or relayed), back to INIT when the lease runs out or a NAK comes;
//! a configurable share of clients RELEASE their lease once, or DECLINE the address they were
//! given once. Every exchange and its outcome is recorded with wall-clock times, so that
//! a test can measure how long clients went without service.
//!
//! The generator runs in a thread that enters the namespace with `setns(2)` on
//! `/var/run/netns/NAME`, so its sockets live there; no extra binary is needed.
//!
//! - Direct mode (clients on the servers' segment): broadcasts on the interface with the
//!   broadcast flag set, so replies to addresses the namespace does not have still arrive.
//!   Unicast renewals go out from the leased address, which the namespace must treat as its
//!   own (a `local` route for the pool, see `pair_lab`), so that the server's unicast reply
//!   finds it.
//! - Relay mode: the generator is a relay agent on port 67 that puts `giaddr` in every
//!   message and sends it to each server, as `ip helper-address` does; renewals go straight
//!   from the client's address to its server, as they would through a router.
//!
//! One generator per namespace: a unicast reply reaches only one of several sockets bound
//! to the same port, so a test adds groups of clients to a running generator
//! ([`RunningLoad::add`]) instead of starting a second one beside it.
//!
//! Bounded: the run stops after `run_for`, after `max_packets` sends, or when stopped.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dhcproto::Encodable;
use dhcproto::v4::{DhcpOption, Flags, Message, MessageType, Opcode, OptionCode};

use super::dhcp_wire::{Dhcp, Secs, msg};

/// Now, as seconds since the Unix epoch (the clock tcpdump stamps packets with).
pub fn now() -> Secs {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Where the simulated clients sit.
#[derive(Debug, Clone)]
pub enum Mode {
    /// On the servers' segment: broadcasts with the broadcast flag.
    Direct,
    /// Behind a relay agent with address `giaddr`, which forwards to every server.
    Relay {
        /// The relay agent's address on the clients' subnet.
        giaddr: Ipv4Addr,
        /// The servers it forwards to.
        servers: Vec<Ipv4Addr>,
    },
}

/// What one generator does.
#[derive(Debug, Clone)]
pub struct ClientLoad {
    /// The network namespace (`ip netns` name).
    pub netns: String,
    /// Its interface towards the servers.
    pub iface: String,
    /// Direct or relayed.
    pub mode: Mode,
    /// Number of simulated clients.
    pub clients: u32,
    /// Second octet of every MAC (`02:TAG:...`): distinct per generator, so that the
    /// generators of one test never share a client.
    pub mac_tag: u8,
    /// The clients start at times spread evenly over this.
    pub spread: Duration,
    /// The run ends after this.
    pub run_for: Duration,
    /// Share of clients (0..=1) that release their first lease once, at a random point
    /// before T1, and start again a second later.
    pub release_fraction: f64,
    /// Share of clients that decline the first address they are given, and start again.
    pub decline_fraction: f64,
    /// After each ACK, the chance that the client will release this lease before T1 and
    /// start again (churn: a steady stream of DORA exchanges); 0 by default.
    pub churn: f64,
    /// How long to wait for a reply before sending again.
    pub reply_timeout: Duration,
    /// Sends per DISCOVER or REQUEST exchange before the client gives up and starts over.
    pub attempts: u32,
    /// Renew at T1 and rebind at T2; when `false`, a client keeps its first lease silently.
    pub renew: bool,
    /// Seed of the choices (which clients release or decline, when, transaction ids).
    pub seed: u64,
    /// Upper bound on packets sent.
    pub max_packets: u64,
}

impl ClientLoad {
    /// A load with defaults: no releases or declines, 2 s reply timeout, 4 attempts,
    /// renewing, spread over 2 s.
    pub fn new(netns: &str, mode: Mode, clients: u32, mac_tag: u8, run_for: Duration) -> Self {
        ClientLoad {
            netns: netns.to_string(),
            iface: "eth0".into(),
            mode,
            clients,
            mac_tag,
            spread: Duration::from_secs(2),
            run_for,
            release_fraction: 0.0,
            decline_fraction: 0.0,
            churn: 0.0,
            reply_timeout: Duration::from_secs(2),
            attempts: 4,
            renew: true,
            seed: u64::from(mac_tag) * 7919 + 1,
            max_packets: 200_000,
        }
    }
}

/// The MAC of client `i` of the group tagged `tag`: `02:TAG:00:..`.
pub fn mac(tag: u8, i: u32) -> [u8; 6] {
    let [_, a, b, c] = i.to_be_bytes();
    [0x02, tag, 0x00, a, b, c]
}

/// Clients added to a running generator.
struct Group {
    clients: u32,
    mac_tag: u8,
}

/// The kind of an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// DISCOVER .. ACK.
    Dora,
    /// REQUEST in RENEWING, unicast to the lease's server.
    Renew,
    /// REQUEST in REBINDING, broadcast or relayed to every server.
    Rebind,
    /// RELEASE (no reply).
    Release,
    /// DECLINE (no reply).
    Decline,
}

/// How an exchange ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An ACK for `addr` from `server`, a lease of `lease_secs`.
    Acked {
        /// Option 54 of the ACK.
        server: Ipv4Addr,
        /// yiaddr.
        addr: Ipv4Addr,
        /// Option 51.
        lease_secs: u32,
    },
    /// A NAK from `server`.
    Naked {
        /// Option 54 of the NAK.
        server: Ipv4Addr,
    },
    /// No reply after every attempt, or the lease ran out first.
    NoAnswer,
    /// A message that expects no reply (RELEASE, DECLINE) was sent.
    Sent,
}

/// One recorded exchange.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The client.
    pub client: [u8; 6],
    /// What it was.
    pub kind: Kind,
    /// First send.
    pub started: Secs,
    /// The reply, or when the client gave up.
    pub ended: Secs,
    /// Sends made.
    pub attempts: u32,
    /// The result.
    pub outcome: Outcome,
}

impl Exchange {
    /// Whether it ended in an ACK.
    pub fn acked(&self) -> bool {
        matches!(self.outcome, Outcome::Acked { .. })
    }
}

/// What a generator run did.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Every exchange, in the order they ended.
    pub exchanges: Vec<Exchange>,
    /// Packets sent.
    pub packets_sent: u64,
    /// Clients holding a lease when the run ended: (client, address, expiry).
    pub bound_at_end: Vec<([u8; 6], Ipv4Addr, Secs)>,
    /// Why the generator could not run (socket or namespace errors), if it could not.
    pub error: Option<String>,
}

impl LoadReport {
    /// Exchanges of `kind`.
    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &Exchange> {
        self.exchanges.iter().filter(move |e| e.kind == kind)
    }

    /// A one-line summary: per kind, acked/total.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for kind in [
            Kind::Dora,
            Kind::Renew,
            Kind::Rebind,
            Kind::Release,
            Kind::Decline,
        ] {
            let all = self.of(kind).count();
            if all > 0 && matches!(kind, Kind::Release | Kind::Decline) {
                parts.push(format!("{kind:?} {all}"));
            } else if all > 0 {
                let acked = self.of(kind).filter(|e| e.acked()).count();
                parts.push(format!("{kind:?} {acked}/{all} ACKed"));
            }
        }
        format!(
            "{} ({} packets, {} bound at the end)",
            parts.join(", "),
            self.packets_sent,
            self.bound_at_end.len()
        )
    }
}

/// A generator running in its thread.
pub struct RunningLoad {
    handle: JoinHandle<LoadReport>,
    stop: Arc<AtomicBool>,
    groups: Sender<Group>,
}

impl RunningLoad {
    /// Adds `clients` new clients with MACs `02:TAG:...` (a tag no other group of the test
    /// uses), started over the load's `spread` from now, releasing and declining in the
    /// load's shares.
    pub fn add(&self, clients: u32, mac_tag: u8) {
        let _ = self.groups.send(Group { clients, mac_tag });
    }

    /// Asks the generator to end now and returns its report.
    pub fn stop(self) -> LoadReport {
        self.stop.store(true, Ordering::SeqCst);
        self.join()
    }

    /// Waits for the run to end on its own (`run_for`) and returns its report.
    pub fn join(self) -> LoadReport {
        self.handle.join().unwrap_or_else(|_| LoadReport {
            error: Some("the generator thread panicked".into()),
            ..LoadReport::default()
        })
    }
}

/// Starts a generator in its own thread, inside `load.netns`.
pub fn start(load: ClientLoad) -> RunningLoad {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let (groups, added) = channel();
    let handle = std::thread::Builder::new()
        .name(format!("dhcp-clients-{}", load.mac_tag))
        .spawn(move || match Generator::new(load, flag, added) {
            Ok(mut g) => g.run(),
            Err(e) => LoadReport {
                error: Some(e),
                ..LoadReport::default()
            },
        })
        .expect("spawn the client generator thread");
    RunningLoad {
        handle,
        stop,
        groups,
    }
}

/// Moves the calling thread into a network namespace made by `ip netns add`.
pub fn enter_netns(name: &str) -> Result<(), String> {
    let path = format!("/var/run/netns/{name}");
    let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
    // SAFETY: setns(2) with a valid namespace file descriptor; only this thread moves.
    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc != 0 {
        return Err(format!("setns {path}: {}", std::io::Error::last_os_error()));
    }
    Ok(())
}

fn udp_socket(port: u16, iface: Option<&str>) -> Result<UdpSocket, String> {
    use socket2::{Domain, Protocol, Socket, Type};
    let e = |what: &str, err: std::io::Error| format!("port {port}: {what}: {err}");
    let s =
        Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).map_err(|x| e("socket", x))?;
    s.set_reuse_address(true)
        .map_err(|x| e("SO_REUSEADDR", x))?;
    s.set_broadcast(true).map_err(|x| e("SO_BROADCAST", x))?;
    s.set_freebind_v4(true).map_err(|x| e("IP_FREEBIND", x))?;
    if let Some(iface) = iface {
        s.bind_device(Some(iface.as_bytes()))
            .map_err(|x| e("SO_BINDTODEVICE", x))?;
    }
    let addr = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port);
    s.bind(&addr.into()).map_err(|x| e("bind", x))?;
    s.set_nonblocking(true).map_err(|x| e("O_NONBLOCK", x))?;
    Ok(s.into())
}

/// Sends `buf` to `to`, from source address `from` when given (IP_PKTINFO), so that a
/// renewing client's packet carries its leased address.
fn send_from(
    sock: &UdpSocket,
    buf: &[u8],
    to: SocketAddrV4,
    from: Option<Ipv4Addr>,
) -> std::io::Result<()> {
    let Some(from) = from else {
        sock.send_to(buf, to)?;
        return Ok(());
    };
    // SAFETY: every pointer handed to sendmsg(2) points into locals that outlive the call;
    // the control buffer is u64-aligned and large enough for one in_pktinfo message.
    unsafe {
        let mut dst: libc::sockaddr_in = std::mem::zeroed();
        dst.sin_family = libc::AF_INET as libc::sa_family_t;
        dst.sin_port = to.port().to_be();
        dst.sin_addr.s_addr = u32::from(*to.ip()).to_be();
        let mut iov = libc::iovec {
            iov_base: buf.as_ptr() as *mut libc::c_void,
            iov_len: buf.len(),
        };
        let mut control = [0u64; 8];
        let info_len = std::mem::size_of::<libc::in_pktinfo>() as u32;
        let mut hdr: libc::msghdr = std::mem::zeroed();
        hdr.msg_name = (&mut dst as *mut libc::sockaddr_in).cast();
        hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as u32;
        hdr.msg_iov = &mut iov;
        hdr.msg_iovlen = 1;
        hdr.msg_control = control.as_mut_ptr().cast();
        hdr.msg_controllen = libc::CMSG_SPACE(info_len) as usize;
        let cmsg = libc::CMSG_FIRSTHDR(&hdr);
        (*cmsg).cmsg_level = libc::IPPROTO_IP;
        (*cmsg).cmsg_type = libc::IP_PKTINFO;
        (*cmsg).cmsg_len = libc::CMSG_LEN(info_len) as usize;
        let info = libc::in_pktinfo {
            ipi_ifindex: 0,
            ipi_spec_dst: libc::in_addr {
                s_addr: u32::from(from).to_be(),
            },
            ipi_addr: libc::in_addr { s_addr: 0 },
        };
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::in_pktinfo>(), info);
        if libc::sendmsg(sock.as_raw_fd(), &hdr, 0) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// splitmix64: a small deterministic generator for the run's choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Init,
    Selecting,
    Requesting,
    Bound,
    Renewing,
    Rebinding,
    Stopped,
}

#[derive(Debug, Clone, Copy)]
struct Lease {
    addr: Ipv4Addr,
    server: Ipv4Addr,
    t1: Secs,
    t2: Secs,
    expires: Secs,
    release_at: Option<Secs>,
}

struct Client {
    mac: [u8; 6],
    phase: Phase,
    next_at: Secs,
    xid: u32,
    started: Secs,
    attempts: u32,
    /// When the last request went out: lease times count from it (RFC 2131, 4.4.1).
    last_sent: Secs,
    offer: Option<(Ipv4Addr, Ipv4Addr)>,
    lease: Option<Lease>,
    will_release: bool,
    will_decline: bool,
}

/// What to send, built by [`Generator::build`].
enum Send {
    Discover,
    Select { server: Ipv4Addr, addr: Ipv4Addr },
    Renew { lease: Lease },
    Rebind { lease: Lease },
    Release { lease: Lease },
    Decline { server: Ipv4Addr, addr: Ipv4Addr },
}

struct Generator {
    load: ClientLoad,
    stop: Arc<AtomicBool>,
    added: Receiver<Group>,
    rng: Rng,
    /// Port 68: the clients' socket.
    client_sock: UdpSocket,
    /// Port 67: the relay agent's socket (relay mode only).
    relay_sock: Option<UdpSocket>,
    clients: Vec<Client>,
    by_mac: HashMap<[u8; 6], usize>,
    report: LoadReport,
    end: Secs,
}

impl Generator {
    fn new(
        load: ClientLoad,
        stop: Arc<AtomicBool>,
        added: Receiver<Group>,
    ) -> Result<Generator, String> {
        enter_netns(&load.netns)?;
        let (client_sock, relay_sock) = match &load.mode {
            Mode::Direct => (udp_socket(68, Some(&load.iface))?, None),
            Mode::Relay { .. } => (udp_socket(68, None)?, Some(udp_socket(67, None)?)),
        };
        let begin = now();
        let end = begin + load.run_for.as_secs_f64();
        let first = Group {
            clients: load.clients,
            mac_tag: load.mac_tag,
        };
        let mut generator = Generator {
            rng: Rng(load.seed),
            load,
            stop,
            added,
            client_sock,
            relay_sock,
            clients: Vec::new(),
            by_mac: HashMap::new(),
            report: LoadReport::default(),
            end,
        };
        generator.add_group(first, begin);
        Ok(generator)
    }

    /// New clients, their starts spread over the load's `spread` from `begin`.
    fn add_group(&mut self, group: Group, begin: Secs) {
        let n = group.clients.max(1);
        for i in 0..group.clients {
            let mac = mac(group.mac_tag, i);
            if self.by_mac.contains_key(&mac) {
                continue;
            }
            let client = Client {
                mac,
                phase: Phase::Init,
                next_at: begin + self.load.spread.as_secs_f64() * f64::from(i) / f64::from(n),
                xid: 0,
                started: 0.0,
                attempts: 0,
                last_sent: 0.0,
                offer: None,
                lease: None,
                will_release: self.rng.unit() < self.load.release_fraction,
                will_decline: self.rng.unit() < self.load.decline_fraction,
            };
            self.by_mac.insert(mac, self.clients.len());
            self.clients.push(client);
        }
    }

    fn run(&mut self) -> LoadReport {
        let mut buf = vec![0u8; 2048];
        loop {
            let t = now();
            if t >= self.end
                || self.stop.load(Ordering::SeqCst)
                || self.report.packets_sent >= self.load.max_packets
            {
                break;
            }
            while let Ok(group) = self.added.try_recv() {
                self.add_group(group, t);
            }
            for i in 0..self.clients.len() {
                if self.clients[i].next_at <= t {
                    self.on_timer(i, t);
                }
            }
            let next = self
                .clients
                .iter()
                .map(|c| c.next_at)
                .fold(self.end, f64::min);
            let wait_ms = ((next - now()) * 1000.0).clamp(0.0, 20.0) as i32;
            self.poll(wait_ms);
            for sock in 0..2 {
                loop {
                    let received = match (sock, &self.relay_sock) {
                        (0, _) => self.client_sock.recv_from(&mut buf),
                        (_, Some(relay)) => relay.recv_from(&mut buf),
                        (_, None) => break,
                    };
                    let Ok((len, _)) = received else { break };
                    if let Some(reply) = Dhcp::parse(&buf[..len]).filter(|d| d.op == 2) {
                        self.on_reply(&reply, now());
                    }
                }
            }
        }
        let t = now();
        for c in &self.clients {
            if let Some(lease) = c.lease.filter(|l| l.expires > t) {
                self.report
                    .bound_at_end
                    .push((c.mac, lease.addr, lease.expires));
            }
        }
        std::mem::take(&mut self.report)
    }

    fn poll(&self, wait_ms: i32) {
        let mut fds = vec![libc::pollfd {
            fd: self.client_sock.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        if let Some(relay) = &self.relay_sock {
            fds.push(libc::pollfd {
                fd: relay.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
        }
        // SAFETY: poll(2) on a live array of pollfd of the given length.
        unsafe {
            libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait_ms);
        }
    }

    fn record(&mut self, i: usize, kind: Kind, ended: Secs, outcome: Outcome) {
        let c = &self.clients[i];
        let started = if matches!(kind, Kind::Release | Kind::Decline) {
            ended
        } else {
            c.started
        };
        self.report.exchanges.push(Exchange {
            client: c.mac,
            kind,
            started,
            ended,
            attempts: if matches!(kind, Kind::Release | Kind::Decline) {
                1
            } else {
                c.attempts
            },
            outcome,
        });
    }

    /// Begins a new exchange: a fresh transaction id and start time.
    fn begin(&mut self, i: usize, phase: Phase, t: Secs) {
        let xid = self.rng.next() as u32;
        let c = &mut self.clients[i];
        c.phase = phase;
        c.xid = xid;
        c.started = t;
        c.attempts = 0;
    }

    fn on_timer(&mut self, i: usize, t: Secs) {
        let timeout = self.load.reply_timeout.as_secs_f64();
        let c = &self.clients[i];
        let (phase, attempts, offer, lease) = (c.phase, c.attempts, c.offer, c.lease);
        match phase {
            Phase::Stopped => self.clients[i].next_at = f64::INFINITY,
            Phase::Init => {
                self.begin(i, Phase::Selecting, t);
                self.send(i, Send::Discover, t);
                self.clients[i].next_at = t + timeout;
            }
            Phase::Selecting | Phase::Requesting => {
                if attempts >= self.load.attempts {
                    self.record(i, Kind::Dora, t, Outcome::NoAnswer);
                    let c = &mut self.clients[i];
                    c.phase = Phase::Init;
                    c.offer = None;
                    c.next_at = t + 1.0;
                } else if phase == Phase::Selecting {
                    self.send(i, Send::Discover, t);
                    self.clients[i].next_at = t + timeout;
                } else if let Some((server, addr)) = offer {
                    self.send(i, Send::Select { server, addr }, t);
                    self.clients[i].next_at = t + timeout;
                }
            }
            Phase::Bound => {
                let Some(lease) = lease else {
                    self.clients[i].phase = Phase::Init;
                    return;
                };
                if lease.release_at.is_some_and(|r| r <= t) {
                    self.send(i, Send::Release { lease }, t);
                    self.record(i, Kind::Release, t, Outcome::Sent);
                    let c = &mut self.clients[i];
                    c.lease = None;
                    c.phase = Phase::Init;
                    c.next_at = t + 1.0;
                } else if !self.load.renew {
                    self.clients[i].next_at = f64::INFINITY;
                } else if t >= lease.t1 {
                    self.begin(i, Phase::Renewing, t);
                    self.send(i, Send::Renew { lease }, t);
                    self.clients[i].next_at = (t + timeout).min(lease.t2);
                } else {
                    self.clients[i].next_at = lease.release_at.unwrap_or(lease.t1).min(lease.t1);
                }
            }
            Phase::Renewing => {
                let Some(lease) = lease else { return };
                if t >= lease.t2 {
                    self.record(i, Kind::Renew, t, Outcome::NoAnswer);
                    self.begin(i, Phase::Rebinding, t);
                    self.send(i, Send::Rebind { lease }, t);
                    self.clients[i].next_at = (t + timeout).min(lease.expires);
                } else {
                    self.send(i, Send::Renew { lease }, t);
                    self.clients[i].next_at = (t + timeout).min(lease.t2);
                }
            }
            Phase::Rebinding => {
                let Some(lease) = lease else { return };
                if t >= lease.expires {
                    self.record(i, Kind::Rebind, t, Outcome::NoAnswer);
                    let c = &mut self.clients[i];
                    c.lease = None;
                    c.phase = Phase::Init;
                    c.next_at = t;
                } else {
                    self.send(i, Send::Rebind { lease }, t);
                    self.clients[i].next_at = (t + timeout).min(lease.expires);
                }
            }
        }
    }

    fn on_reply(&mut self, reply: &Dhcp, t: Secs) {
        let Some(&i) = self.by_mac.get(&reply.chaddr) else {
            return;
        };
        let c = &self.clients[i];
        if reply.xid != c.xid {
            return;
        }
        let server = reply.server_id.unwrap_or(Ipv4Addr::UNSPECIFIED);
        match (c.phase, reply.msg_type) {
            (Phase::Selecting, Some(msg::OFFER)) => {
                let c = &mut self.clients[i];
                c.offer = Some((server, reply.yiaddr));
                c.phase = Phase::Requesting;
                c.attempts = 0;
                let (addr, timeout) = (reply.yiaddr, self.load.reply_timeout.as_secs_f64());
                self.send(i, Send::Select { server, addr }, t);
                self.clients[i].next_at = t + timeout;
            }
            (Phase::Requesting | Phase::Renewing | Phase::Rebinding, Some(msg::ACK)) => {
                let Some(lease_secs) = reply.lease_time else {
                    return;
                };
                let kind = match c.phase {
                    Phase::Requesting => Kind::Dora,
                    Phase::Renewing => Kind::Renew,
                    _ => Kind::Rebind,
                };
                let addr = reply.yiaddr;
                self.record(
                    i,
                    kind,
                    t,
                    Outcome::Acked {
                        server,
                        addr,
                        lease_secs,
                    },
                );
                self.bind(i, reply, server, lease_secs, t);
            }
            (Phase::Requesting | Phase::Renewing | Phase::Rebinding, Some(msg::NAK)) => {
                let kind = match c.phase {
                    Phase::Requesting => Kind::Dora,
                    Phase::Renewing => Kind::Renew,
                    _ => Kind::Rebind,
                };
                self.record(i, kind, t, Outcome::Naked { server });
                let c = &mut self.clients[i];
                c.lease = None;
                c.offer = None;
                c.phase = Phase::Init;
                c.next_at = t + 0.5;
            }
            _ => {}
        }
    }

    /// The client holds the lease of an ACK; or declines it, once, if it was chosen to.
    fn bind(&mut self, i: usize, ack: &Dhcp, server: Ipv4Addr, lease_secs: u32, t: Secs) {
        let addr = ack.yiaddr;
        if self.clients[i].will_decline && self.clients[i].phase == Phase::Requesting {
            self.send(i, Send::Decline { server, addr }, t);
            self.record(i, Kind::Decline, t, Outcome::Sent);
            let c = &mut self.clients[i];
            c.will_decline = false;
            c.lease = None;
            c.phase = Phase::Init;
            c.next_at = t + 1.0;
            return;
        }
        let base = self.clients[i].last_sent;
        let secs = f64::from(lease_secs);
        let t1 = base + ack.t1.map_or(secs / 2.0, f64::from);
        let t2 = base + ack.t2.map_or(secs * 0.875, f64::from);
        let churn = self.load.churn > 0.0 && self.rng.unit() < self.load.churn;
        let release_at = if self.clients[i].will_release || churn {
            self.clients[i].will_release = false;
            Some(t + (t1 - t).max(0.0) * self.rng.unit())
        } else {
            None
        };
        let c = &mut self.clients[i];
        c.lease = Some(Lease {
            addr,
            server,
            t1,
            t2,
            expires: base + secs,
            release_at,
        });
        c.offer = None;
        c.phase = Phase::Bound;
        c.next_at = release_at.unwrap_or(t1).min(t1);
    }

    /// Builds a message of this client.
    fn build(&self, i: usize, what: &Send, t: Secs) -> Message {
        let c = &self.clients[i];
        let ciaddr = match what {
            Send::Renew { lease } | Send::Rebind { lease } | Send::Release { lease } => lease.addr,
            _ => Ipv4Addr::UNSPECIFIED,
        };
        let giaddr = match (&self.load.mode, what) {
            // A renewal goes straight to the server, not through the relay agent.
            (Mode::Relay { giaddr, .. }, Send::Discover | Send::Select { .. })
            | (Mode::Relay { giaddr, .. }, Send::Rebind { .. } | Send::Decline { .. }) => *giaddr,
            _ => Ipv4Addr::UNSPECIFIED,
        };
        let mut m = Message::new_with_id(
            c.xid,
            ciaddr,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            giaddr,
            &c.mac,
        );
        m.set_opcode(Opcode::BootRequest);
        if !giaddr.is_unspecified() {
            m.set_hops(1);
        }
        let secs = match what {
            Send::Release { .. } | Send::Decline { .. } => 0,
            _ => (t - c.started).clamp(0.0, 65535.0) as u16,
        };
        m.set_secs(secs);
        let broadcast = matches!(self.load.mode, Mode::Direct)
            && matches!(what, Send::Discover | Send::Select { .. });
        if broadcast {
            m.set_flags(Flags::default().set_broadcast());
        }
        let (kind, server, requested) = match what {
            Send::Discover => (MessageType::Discover, None, None),
            Send::Select { server, addr } => (MessageType::Request, Some(*server), Some(*addr)),
            Send::Renew { .. } | Send::Rebind { .. } => (MessageType::Request, None, None),
            Send::Release { lease } => (MessageType::Release, Some(lease.server), None),
            Send::Decline { server, addr } => (MessageType::Decline, Some(*server), Some(*addr)),
        };
        let opts = m.opts_mut();
        opts.insert(DhcpOption::MessageType(kind));
        if let Some(server) = server {
            opts.insert(DhcpOption::ServerIdentifier(server));
        }
        if let Some(addr) = requested {
            opts.insert(DhcpOption::RequestedIpAddress(addr));
        }
        if !matches!(what, Send::Release { .. } | Send::Decline { .. }) {
            opts.insert(DhcpOption::ParameterRequestList(vec![
                OptionCode::SubnetMask,
                OptionCode::Router,
                OptionCode::DomainNameServer,
                OptionCode::AddressLeaseTime,
                OptionCode::Renewal,
                OptionCode::Rebinding,
            ]));
        }
        m
    }

    fn send(&mut self, i: usize, what: Send, t: Secs) {
        let bytes = match self.build(i, &what, t).to_vec() {
            Ok(bytes) => bytes,
            Err(e) => {
                self.report.error.get_or_insert(format!("encode: {e}"));
                return;
            }
        };
        let broadcast = SocketAddrV4::new(Ipv4Addr::BROADCAST, 67);
        let mut targets: Vec<(SocketAddrV4, Option<Ipv4Addr>, bool)> = Vec::new();
        match (&self.load.mode, &what) {
            (Mode::Direct, Send::Discover | Send::Select { .. } | Send::Decline { .. }) => {
                targets.push((broadcast, None, false));
            }
            (Mode::Direct, Send::Rebind { lease }) => {
                targets.push((broadcast, Some(lease.addr), false));
            }
            (_, Send::Renew { lease } | Send::Release { lease }) => {
                targets.push((SocketAddrV4::new(lease.server, 67), Some(lease.addr), false));
            }
            (Mode::Relay { servers, .. }, _) => {
                for server in servers {
                    targets.push((SocketAddrV4::new(*server, 67), None, true));
                }
            }
        }
        for (to, from, via_relay) in targets {
            let sock = match (&self.relay_sock, via_relay) {
                (Some(relay), true) => relay,
                _ => &self.client_sock,
            };
            self.report.packets_sent += 1;
            if let Err(e) = send_from(sock, &bytes, to, from) {
                self.report
                    .error
                    .get_or_insert(format!("send to {to} from {from:?}: {e}"));
            }
        }
        let c = &mut self.clients[i];
        c.attempts += 1;
        c.last_sent = t;
    }
}
