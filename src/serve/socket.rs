//! Per-interface UDP sockets on port 67 (SO_BINDTODEVICE, SO_BROADCAST) and delivery of a
//! reply: to the relay, broadcast, unicast to ciaddr, or to yiaddr through an ARP entry that
//! the server adds for a client that has no address yet (as ISC dhcpd and dora do).

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::AsRawFd;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::Interest;
use tokio::net::UdpSocket;

use super::engine::Dest;

/// The DHCP server port.
pub(crate) const SERVER_PORT: u16 = 67;
/// The DHCP client port.
pub(crate) const CLIENT_PORT: u16 = 68;
/// The receive buffer asked for (the kernel doubles it): 4,000-8,000 requests, since each
/// datagram costs its whole kernel buffer (1-2 KiB). A burst, or a moment without the CPU,
/// is queued rather than dropped (the default holds a few hundred); under a sustained
/// overload a request may wait up to about a second, still well inside a DHCP client's
/// first retransmission (4 s).
pub(crate) const RECEIVE_BUFFER: usize = 4 << 20;
/// A kernel arrival time further back than this is not believed (the wall clock was
/// stepped between the arrival and the read): the wait in the socket counts as zero, as it
/// does for a stamp in the future.
const MOST_BELIEVED_WAIT: Duration = Duration::from_secs(5);

/// A datagram read from an interface's socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Received {
    /// Its length in the buffer.
    pub len: usize,
    /// Who sent it.
    pub from: SocketAddr,
    /// How long it waited in the socket's receive queue: from the kernel's arrival
    /// timestamp (SO_TIMESTAMPNS) to the read; zero when the kernel gave none.
    pub waited: Duration,
}

/// A socket bound to one interface.
#[derive(Debug)]
pub(crate) struct IfaceSocket {
    /// Interface name.
    pub name: String,
    /// Its IPv4 addresses when the socket was opened (refreshed on reload).
    pub addrs: Vec<Ipv4Addr>,
    /// The socket.
    pub sock: UdpSocket,
    /// A socket without a device, for relays that are routed through another interface.
    fallback: Option<std::net::UdpSocket>,
}

impl IfaceSocket {
    /// Opens `0.0.0.0:port` bound to the interface `name`.
    pub(crate) fn bind(name: &str, port: u16) -> io::Result<IfaceSocket> {
        let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
        s.set_reuse_address(true)?;
        s.set_broadcast(true)?;
        s.bind_device(Some(name.as_bytes()))?;
        s.set_nonblocking(true)?;
        grow_receive_buffer(&s, RECEIVE_BUFFER);
        enable_arrival_timestamps(&s);
        s.bind(&SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)).into())?;
        let sock = UdpSocket::from_std(s.into())?;
        let fallback = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
            .and_then(|f| f.set_nonblocking(true).map(|()| f))
            .ok();
        Ok(IfaceSocket {
            name: name.to_string(),
            addrs: iface_addrs(name),
            sock,
            fallback,
        })
    }

    /// Reads one datagram, with how long it waited in the kernel's queue.
    pub(crate) async fn recv(&self, buf: &mut [u8]) -> io::Result<Received> {
        let fd = self.sock.as_raw_fd();
        self.sock
            .async_io(Interest::READABLE, || recv_timestamped(fd, buf))
            .await
    }

    /// Sends a reply where the engine said it goes.
    pub(crate) async fn send(&self, bytes: &[u8], dest: Dest) -> io::Result<()> {
        let to = match dest {
            Dest::Relay(gi) => SocketAddrV4::new(gi, SERVER_PORT),
            Dest::Broadcast => SocketAddrV4::new(Ipv4Addr::BROADCAST, CLIENT_PORT),
            Dest::Unicast(ip) => SocketAddrV4::new(ip, CLIENT_PORT),
            Dest::Hardware(ip, mac) => match arp_add(&self.sock, &self.name, ip, mac) {
                Ok(()) => SocketAddrV4::new(ip, CLIENT_PORT),
                Err(e) => {
                    tracing::debug!("no ARP entry for {ip} on {}: {e}; broadcasting", self.name);
                    SocketAddrV4::new(Ipv4Addr::BROADCAST, CLIENT_PORT)
                }
            },
        };
        match self.sock.send_to(bytes, to).await {
            Ok(_) => Ok(()),
            // No route to yiaddr on this link (a shared network whose other subnet has no
            // address here): the client still hears a broadcast.
            Err(e) if matches!(dest, Dest::Hardware(..)) => {
                tracing::debug!("unicast to {to} on {}: {e}; broadcasting", self.name);
                let bcast = SocketAddrV4::new(Ipv4Addr::BROADCAST, CLIENT_PORT);
                self.sock.send_to(bytes, bcast).await.map(|_| ())
            }
            // The relay is not reachable through this interface: let the routing table
            // choose (the source port is then not 67; relay agents accept that).
            Err(e) if matches!(dest, Dest::Relay(_)) => match &self.fallback {
                Some(f) => {
                    tracing::debug!("relay {to} via {}: {e}; using the routing table", self.name);
                    f.send_to(bytes, to).map(|_| ())
                }
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}

/// Asks for a receive buffer of `bytes`: with SO_RCVBUFFORCE when the process may
/// (CAP_NET_ADMIN), otherwise SO_RCVBUF, which the kernel caps at `net.core.rmem_max`; the
/// buffer never shrinks. A refusal keeps the buffer it has; it is not an error. Returns
/// whether the forced size was taken.
fn grow_receive_buffer(s: &Socket, bytes: usize) -> bool {
    let size = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    // SAFETY: a valid socket, an int option value and its length.
    let forced = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            std::ptr::addr_of!(size).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    } == 0;
    if !forced {
        // The kernel doubles what it is given (for its bookkeeping) and reports the double.
        let before = s.recv_buffer_size().unwrap_or(0);
        let capped = rmem_max().map_or(bytes, |max| bytes.min(max));
        if 2 * capped > before {
            let _ = s.set_recv_buffer_size(capped);
        }
    }
    tracing::debug!(
        "receive buffer {} bytes ({})",
        s.recv_buffer_size().unwrap_or(0),
        if forced {
            "SO_RCVBUFFORCE"
        } else {
            "SO_RCVBUF"
        }
    );
    forced
}

/// Asks the kernel to stamp each datagram with its arrival time (SO_TIMESTAMPNS), so that
/// the latency figures count the time a request waits in the socket's queue. Without it
/// (a refusal is not an error) the wait counts from the read.
fn enable_arrival_timestamps(s: &Socket) {
    let on: libc::c_int = 1;
    // SAFETY: a valid socket, an int option value and its length.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMPNS,
            std::ptr::addr_of!(on).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        tracing::debug!("no arrival timestamps: {}", io::Error::last_os_error());
    }
}

/// One `recvmsg` on a non-blocking socket: the datagram, its sender and the time since the
/// kernel's arrival stamp. `WouldBlock` when nothing is queued.
fn recv_timestamped(fd: libc::c_int, buf: &mut [u8]) -> io::Result<Received> {
    // SAFETY: zeroed plain C structs are valid values.
    let mut name: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // Room for one SCM_TIMESTAMPNS (and a spare control message), aligned for cmsghdr.
    let mut control = [0u64; 16];
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = std::ptr::addr_of_mut!(name).cast();
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: every pointer in msg points at live buffers of the lengths given.
    let n = unsafe { libc::recvmsg(fd, &mut msg, libc::MSG_DONTWAIT) };
    // errno first: reading the clock may make other calls.
    let len = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
    let read_at = kernel_realtime();
    let from = SocketAddr::from((
        Ipv4Addr::from(u32::from_be(name.sin_addr.s_addr)),
        u16::from_be(name.sin_port),
    ));
    let mut arrived = None;
    // SAFETY: the CMSG_* walk stays inside msg_control/msg_controllen, which the kernel
    // set; the timespec is read unaligned.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_TIMESTAMPNS {
                let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast());
                arrived = Some(timespec_time(ts));
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    Ok(Received {
        len,
        from,
        waited: arrived
            .flatten()
            .map_or(Duration::ZERO, |t| believed_wait(t, read_at)),
    })
}

/// CLOCK_REALTIME straight from the kernel, the clock of its receive stamps: a raw system
/// call, which a preloaded time faker (libfaketime, as the fault-injection tests use) does
/// not shift. `SystemTime::now()` if the call fails.
fn kernel_realtime() -> SystemTime {
    // SAFETY: zeroed timespec is valid; the syscall writes one timespec through the pointer.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    let rc = unsafe {
        libc::syscall(
            libc::SYS_clock_gettime,
            libc::CLOCK_REALTIME,
            std::ptr::addr_of_mut!(ts),
        )
    };
    if rc == 0 {
        timespec_time(ts).unwrap_or_else(SystemTime::now)
    } else {
        SystemTime::now()
    }
}

fn timespec_time(ts: libc::timespec) -> Option<SystemTime> {
    let secs = u64::try_from(ts.tv_sec).ok()?;
    let nanos = u32::try_from(ts.tv_nsec).ok()?;
    UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

/// The wait from `arrived` to `read_at`, zero when the clock went back or the wait is not
/// believable.
fn believed_wait(arrived: SystemTime, read_at: SystemTime) -> Duration {
    match read_at.duration_since(arrived) {
        Ok(d) if d <= MOST_BELIEVED_WAIT => d,
        _ => Duration::ZERO,
    }
}

/// `net.core.rmem_max`, the most SO_RCVBUF may ask for.
fn rmem_max() -> Option<usize> {
    std::fs::read_to_string("/proc/sys/net/core/rmem_max")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The IPv4 addresses of an interface (empty if it has none or does not exist).
pub(crate) fn iface_addrs(name: &str) -> Vec<Ipv4Addr> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills a linked list that we walk read-only and free exactly once.
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return out;
        }
        let mut cur = head;
        while !cur.is_null() {
            let ifa = &*cur;
            if !ifa.ifa_addr.is_null()
                && i32::from((*ifa.ifa_addr).sa_family) == libc::AF_INET
                && std::ffi::CStr::from_ptr(ifa.ifa_name).to_bytes() == name.as_bytes()
            {
                let sin = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                out.push(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)));
            }
            cur = ifa.ifa_next;
        }
        libc::freeifaddrs(head);
    }
    out
}

/// Adds (or replaces) the ARP entry `ip -> mac` on interface `dev` (SIOCSARP).
fn arp_add(sock: &UdpSocket, dev: &str, ip: Ipv4Addr, mac: [u8; 6]) -> io::Result<()> {
    // SAFETY: arpreq is plain data; zeroed is a valid value and every field set below fits.
    let mut req: libc::arpreq = unsafe { std::mem::zeroed() };
    let pa = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: sockaddr_in and sockaddr have the same size on Linux.
    req.arp_pa = unsafe { std::mem::transmute::<libc::sockaddr_in, libc::sockaddr>(pa) };
    req.arp_ha.sa_family = libc::ARPHRD_ETHER;
    for (d, s) in req.arp_ha.sa_data.iter_mut().zip(mac) {
        *d = s as libc::c_char;
    }
    req.arp_flags = libc::ATF_COM;
    let name = dev.as_bytes();
    if name.len() >= req.arp_dev.len() {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    }
    for (d, s) in req.arp_dev.iter_mut().zip(name) {
        *d = *s as libc::c_char;
    }
    // SAFETY: SIOCSARP reads one arpreq from the pointer we pass.
    let rc = unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSARP, &req) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_has_its_address() {
        assert!(iface_addrs("lo").contains(&Ipv4Addr::LOCALHOST));
        assert!(iface_addrs("no-such-if0").is_empty());
    }

    #[test]
    fn the_receive_buffer_is_the_size_asked_for_or_the_most_allowed() {
        let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).expect("socket");
        let before = s.recv_buffer_size().expect("SO_RCVBUF");
        let forced = grow_receive_buffer(&s, RECEIVE_BUFFER);
        let after = s.recv_buffer_size().expect("SO_RCVBUF");
        // The kernel reports twice what it was given; a smaller size is not asked for.
        let want = if forced {
            RECEIVE_BUFFER
        } else {
            rmem_max().map_or(RECEIVE_BUFFER, |max| RECEIVE_BUFFER.min(max))
        };
        assert_eq!(after, before.max(2 * want), "forced: {forced}");
    }

    #[test]
    fn a_datagram_read_late_reports_its_wait_in_the_queue() {
        let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).expect("socket");
        enable_arrival_timestamps(&s);
        s.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
            .expect("bind");
        s.set_nonblocking(true).expect("nonblocking");
        let to = s.local_addr().expect("addr").as_socket().expect("inet");
        let client = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("client");
        let mut buf = [0u8; 64];
        let err = recv_timestamped(s.as_raw_fd(), &mut buf).expect_err("nothing queued");
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        // The kernel turns receive stamping on a moment after the first socket asks for it
        // (a deferred static key); until then a datagram is stamped when it is read.
        for _ in 0..50 {
            client.send_to(b"warm", to).expect("send");
            std::thread::sleep(Duration::from_millis(20));
            let got = recv_timestamped(s.as_raw_fd(), &mut buf).expect("recv");
            if got.waited >= Duration::from_millis(10) {
                break;
            }
        }
        client.send_to(b"late", to).expect("send");
        std::thread::sleep(Duration::from_millis(150));
        let got = recv_timestamped(s.as_raw_fd(), &mut buf).expect("recv");
        assert_eq!(&buf[..got.len], b"late");
        assert_eq!(got.from, client.local_addr().expect("client addr"));
        assert!(
            got.waited >= Duration::from_millis(140) && got.waited < Duration::from_secs(2),
            "{:?}",
            got.waited
        );
    }

    #[test]
    fn an_arrival_after_the_read_or_long_before_it_counts_as_no_wait() {
        let t = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let ms = Duration::from_millis;
        assert_eq!(believed_wait(t, t + ms(30)), ms(30));
        assert_eq!(believed_wait(t + ms(30), t), Duration::ZERO);
        assert_eq!(
            believed_wait(t, t + Duration::from_secs(30)),
            Duration::ZERO
        );
    }
}
