//! Delay, loss and reordering of the failover link, by a user-space packet scheduler on a
//! netfilter queue.
//!
//! `tc netem` would be the usual tool, but this machine's kernel is built without
//! `sch_netem` (and without `sch_prio`), so the harness does what netem does itself:
//! an iptables rule in one peer's namespace sends every TCP packet to or from the failover
//! port, both directions, to an NFQUEUE; a thread in that namespace reads the queue over
//! netlink (`NETLINK_NETFILTER`, nfnetlink_queue) and gives each packet its verdict later:
//! dropped with probability `loss`, released at once with probability `reorder` (ahead of
//! the packets held before it, as netem's `reorder`), otherwise held for `delay` ± `jitter`.
//! Verdicts given out of order are re-injected out of order, so the kernel's TCP sees real
//! delay, loss and reordering. The rule uses `--queue-bypass`: once the thread is gone,
//! packets pass untouched.
//!
//! [`probe_rtt`] measures the effect from outside: TCP connects to the failover port from
//! another namespace, whose SYN and answer cross the same rule.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::common::dhcp_client::enter_netns;
use crate::schedule::Rng;

/// What the scheduler does to each queued packet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Impairment {
    /// Mean hold, milliseconds.
    pub delay_ms: u32,
    /// Uniform spread around the mean, milliseconds.
    pub jitter_ms: u32,
    /// Probability of a drop.
    pub loss: f64,
    /// Probability of an immediate release (overtaking held packets).
    pub reorder: f64,
}

/// Counters of a scheduler run.
#[derive(Debug, Default)]
pub struct Counters {
    /// Packets read from the queue.
    pub queued: AtomicU64,
    /// Dropped.
    pub dropped: AtomicU64,
    /// Released before a packet queued earlier.
    pub reordered: AtomicU64,
}

/// A running scheduler; [`Scheduler::stop`] (or drop) ends it.
pub struct Scheduler {
    stop: Arc<AtomicBool>,
    /// Its counters.
    pub counters: Arc<Counters>,
    handle: Option<JoinHandle<Result<(), String>>>,
}

impl Scheduler {
    /// Binds queue `queue` in namespace `netns` and schedules its packets; returns once the
    /// queue is bound (or the error).
    pub fn start(netns: &str, queue: u16, how: Impairment, seed: u64) -> Result<Scheduler, String> {
        let stop = Arc::new(AtomicBool::new(false));
        let counters = Arc::new(Counters::default());
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (flag, stats, ns) = (stop.clone(), counters.clone(), netns.to_string());
        let handle = std::thread::Builder::new()
            .name(format!("nfqueue-{queue}"))
            .spawn(move || {
                let bound = enter_netns(&ns).and_then(|()| Queue::bind(queue));
                match bound {
                    Ok(q) => {
                        let _ = ready_tx.send(Ok(()));
                        q.run(how, Rng(seed), &flag, &stats)
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.clone()));
                        Err(e)
                    }
                }
            })
            .map_err(|e| format!("spawn the queue thread: {e}"))?;
        match ready_rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Ok(())) => Ok(Scheduler {
                stop,
                counters,
                handle: Some(handle),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("the queue thread did not bind within 5 s".into()),
        }
    }

    /// Releases every held packet, ends the thread and returns its error, if any.
    pub fn stop(mut self) -> Result<(), String> {
        self.finish()
    }

    fn finish(&mut self) -> Result<(), String> {
        self.stop.store(true, Ordering::SeqCst);
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err("the queue thread panicked".into()),
            None => Ok(()),
        }
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

// nfnetlink constants (linux/netfilter/nfnetlink.h, nfnetlink_queue.h).
const NFNL_SUBSYS_QUEUE: u16 = 3;
const NFQNL_MSG_PACKET: u16 = 0;
const NFQNL_MSG_VERDICT: u16 = 1;
const NFQNL_MSG_CONFIG: u16 = 2;
const NFQA_PACKET_HDR: u16 = 1;
const NFQA_VERDICT_HDR: u16 = 2;
const NFQA_CFG_CMD: u16 = 1;
const NFQA_CFG_PARAMS: u16 = 2;
const NFQNL_CFG_CMD_BIND: u8 = 1;
const NFQNL_COPY_META: u8 = 1;
const NF_DROP: u32 = 0;
const NF_ACCEPT: u32 = 1;
const NLM_F_REQUEST: u16 = 1;
const NLMSG_ERROR: u16 = 2;

struct Queue {
    fd: OwnedFd,
    queue: u16,
}

/// One netlink message: header, nfgenmsg, then attributes.
fn message(kind: u16, queue: u16, family: u8, attrs: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut body = vec![family, 0];
    body.extend_from_slice(&queue.to_be_bytes());
    for (t, v) in attrs {
        let len = 4 + v.len();
        body.extend_from_slice(&(len as u16).to_ne_bytes());
        body.extend_from_slice(&t.to_ne_bytes());
        body.extend_from_slice(v);
        body.resize(body.len().next_multiple_of(4), 0);
    }
    let mut msg = Vec::with_capacity(16 + body.len());
    msg.extend_from_slice(&((16 + body.len()) as u32).to_ne_bytes());
    msg.extend_from_slice(&((NFNL_SUBSYS_QUEUE << 8) | kind).to_ne_bytes());
    msg.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    msg.extend_from_slice(&0u32.to_ne_bytes());
    msg.extend_from_slice(&0u32.to_ne_bytes());
    msg.extend_from_slice(&body);
    msg
}

impl Queue {
    fn bind(queue: u16) -> Result<Queue, String> {
        // SAFETY: socket(2) with constant arguments; the descriptor is owned at once.
        let raw = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_NETFILTER,
            )
        };
        if raw < 0 {
            return Err(format!(
                "netlink socket: {}",
                std::io::Error::last_os_error()
            ));
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let q = Queue { fd, queue };
        let bind = vec![NFQNL_CFG_CMD_BIND, 0, 0, libc::AF_INET as u8];
        q.send(&message(
            NFQNL_MSG_CONFIG,
            queue,
            libc::AF_UNSPEC as u8,
            &[(NFQA_CFG_CMD, bind)],
        ))?;
        let mut params = 0u32.to_be_bytes().to_vec();
        params.push(NFQNL_COPY_META);
        q.send(&message(
            NFQNL_MSG_CONFIG,
            queue,
            libc::AF_UNSPEC as u8,
            &[(NFQA_CFG_PARAMS, params)],
        ))?;
        Ok(q)
    }

    fn send(&self, msg: &[u8]) -> Result<(), String> {
        // SAFETY: a sockaddr_nl for the kernel (pid 0), and a buffer that outlives the call.
        let rc = unsafe {
            let mut to: libc::sockaddr_nl = std::mem::zeroed();
            to.nl_family = libc::AF_NETLINK as libc::sa_family_t;
            libc::sendto(
                self.fd.as_raw_fd(),
                msg.as_ptr().cast(),
                msg.len(),
                0,
                (&to as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if rc < 0 {
            return Err(format!("netlink send: {}", std::io::Error::last_os_error()));
        }
        Ok(())
    }

    fn verdict(&self, id: u32, verdict: u32) -> Result<(), String> {
        let mut hdr = verdict.to_be_bytes().to_vec();
        hdr.extend_from_slice(&id.to_be_bytes());
        self.send(&message(
            NFQNL_MSG_VERDICT,
            self.queue,
            libc::AF_UNSPEC as u8,
            &[(NFQA_VERDICT_HDR, hdr)],
        ))
    }

    /// Packet ids in the messages of one datagram; netlink errors are returned.
    fn packet_ids(buf: &[u8]) -> Result<Vec<u32>, String> {
        let mut ids = Vec::new();
        let mut at = 0;
        while at + 16 <= buf.len() {
            let len = u32::from_ne_bytes(buf[at..at + 4].try_into().unwrap_or_default()) as usize;
            let kind = u16::from_ne_bytes(buf[at + 4..at + 6].try_into().unwrap_or_default());
            if len < 16 || at + len > buf.len() {
                break;
            }
            let msg = &buf[at..at + len];
            if kind == NLMSG_ERROR {
                let code = i32::from_ne_bytes(msg[16..20].try_into().unwrap_or_default());
                if code != 0 {
                    return Err(format!(
                        "netlink: {}",
                        std::io::Error::from_raw_os_error(-code)
                    ));
                }
            } else if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET {
                let mut a = 20; // nlmsghdr + nfgenmsg
                while a + 4 <= msg.len() {
                    let alen = usize::from(u16::from_ne_bytes([msg[a], msg[a + 1]]));
                    let atype = u16::from_ne_bytes([msg[a + 2], msg[a + 3]]) & 0x7fff;
                    if alen < 4 || a + alen > msg.len() {
                        break;
                    }
                    if atype == NFQA_PACKET_HDR && alen >= 8 {
                        ids.push(u32::from_be_bytes(
                            msg[a + 4..a + 8].try_into().unwrap_or_default(),
                        ));
                    }
                    a += alen.next_multiple_of(4);
                }
            }
            at += len.next_multiple_of(4);
        }
        Ok(ids)
    }

    fn run(
        self,
        how: Impairment,
        mut rng: Rng,
        stop: &AtomicBool,
        stats: &Counters,
    ) -> Result<(), String> {
        let start = Instant::now();
        // (release at, arrival order, packet id)
        let mut held: BinaryHeap<Reverse<(Duration, u64, u32)>> = BinaryHeap::new();
        let mut arrivals = 0u64;
        let mut buf = vec![0u8; 65536];
        let mut result = Ok(());
        while !stop.load(Ordering::SeqCst) {
            let now = start.elapsed();
            while let Some(Reverse((at, order, id))) = held.peek().copied() {
                if at > now {
                    break;
                }
                held.pop();
                if held.iter().any(|Reverse((_, o, _))| *o < order) {
                    stats.reordered.fetch_add(1, Ordering::Relaxed);
                }
                self.verdict(id, NF_ACCEPT)?;
            }
            let wait = held
                .peek()
                .map_or(Duration::from_millis(50), |Reverse((at, _, _))| {
                    at.saturating_sub(now)
                })
                .min(Duration::from_millis(50));
            let mut pfd = libc::pollfd {
                fd: self.fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: poll(2) on one live pollfd.
            unsafe { libc::poll(&mut pfd, 1, wait.as_millis() as i32) };
            if pfd.revents & libc::POLLIN == 0 {
                continue;
            }
            // SAFETY: recv(2) into a buffer of the given length.
            let n = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if n <= 0 {
                continue;
            }
            let ids = match Self::packet_ids(&buf[..n as usize]) {
                Ok(ids) => ids,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            for id in ids {
                stats.queued.fetch_add(1, Ordering::Relaxed);
                arrivals += 1;
                if rng.unit() < how.loss {
                    stats.dropped.fetch_add(1, Ordering::Relaxed);
                    self.verdict(id, NF_DROP)?;
                    continue;
                }
                let hold = if rng.unit() < how.reorder {
                    0.0
                } else {
                    let spread = f64::from(how.jitter_ms) * (2.0 * rng.unit() - 1.0);
                    (f64::from(how.delay_ms) + spread).max(0.0)
                };
                let at = start.elapsed() + Duration::from_secs_f64(hold / 1000.0);
                held.push(Reverse((at, arrivals, id)));
            }
        }
        // Whatever is still held goes now, so that no packet stays in the kernel's queue.
        while let Some(Reverse((_, _, id))) = held.pop() {
            let _ = self.verdict(id, NF_ACCEPT);
        }
        result
    }
}

/// Round-trip times of `n` TCP connects from namespace `netns` to `target` (refusals
/// count: a RST answers as fast as a SYN-ACK), each bounded by 5 s; the failed attempts
/// (time-outs) are left out.
pub fn probe_rtt(netns: &str, target: Ipv4Addr, port: u16, n: usize) -> Result<Vec<f64>, String> {
    let ns = netns.to_string();
    std::thread::spawn(move || {
        enter_netns(&ns)?;
        let addr = SocketAddr::V4(SocketAddrV4::new(target, port));
        let mut rtts = Vec::new();
        for _ in 0..n {
            let t = Instant::now();
            let ok = match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
                Ok(_) => true,
                Err(e) => e.kind() == std::io::ErrorKind::ConnectionRefused,
            };
            if ok {
                rtts.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(rtts)
    })
    .join()
    .map_err(|_| "the probe thread panicked".to_string())?
}
