//! Per-interface UDP sockets on port 67 (SO_BINDTODEVICE, SO_BROADCAST) and delivery of a
//! reply: to the relay, broadcast, unicast to ciaddr, or to yiaddr through an ARP entry that
//! the server adds for a client that has no address yet (as ISC dhcpd and dora do).

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::AsRawFd;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use super::engine::Dest;

/// The DHCP server port.
pub const SERVER_PORT: u16 = 67;
/// The DHCP client port.
pub const CLIENT_PORT: u16 = 68;
/// The receive buffer asked for (the kernel doubles it): 4,000-8,000 requests, since each
/// datagram costs its whole kernel buffer (1-2 KiB). A burst, or a moment without the CPU,
/// is queued rather than dropped (the default holds a few hundred); under a sustained
/// overload a request may wait up to about a second, still well inside a DHCP client's
/// first retransmission (4 s).
pub const RECEIVE_BUFFER: usize = 4 << 20;

/// A socket bound to one interface.
#[derive(Debug)]
pub struct IfaceSocket {
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
    pub fn bind(name: &str, port: u16) -> io::Result<IfaceSocket> {
        let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
        s.set_reuse_address(true)?;
        s.set_broadcast(true)?;
        s.bind_device(Some(name.as_bytes()))?;
        s.set_nonblocking(true)?;
        grow_receive_buffer(&s, RECEIVE_BUFFER);
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

    /// Sends a reply where the engine said it goes.
    pub async fn send(&self, bytes: &[u8], dest: Dest) -> io::Result<()> {
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

/// `net.core.rmem_max`, the most SO_RCVBUF may ask for.
fn rmem_max() -> Option<usize> {
    std::fs::read_to_string("/proc/sys/net/core/rmem_max")
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The IPv4 addresses of an interface (empty if it has none or does not exist).
pub fn iface_addrs(name: &str) -> Vec<Ipv4Addr> {
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
}
