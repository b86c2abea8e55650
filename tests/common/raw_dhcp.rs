//! Hand-built DHCP packets for the server tests: a builder that writes any bytes (a wrong
//! magic cookie, an option of any length, text that is not UTF-8, option 82 exactly as a
//! relay would put it), a relay agent's socket in a lab namespace that sends them to the
//! server and collects the replies, and a reader that gives a reply's options in wire order.
//!
//! The relay sits on the server's segment with its own address as giaddr; the server sends
//! every reply to it (port 67), so each reply is seen, whatever its destination would be for
//! a client. A run ends when the reply to a last, well-formed "marker" packet has come: the
//! server handles packets in order, so a packet before the marker that was going to be
//! answered with an OFFER, a NAK or an INFORM's ACK has had its reply sent by then.

#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::time::{Duration, Instant};

use super::dhcp_client::enter_netns;

/// The DHCP magic cookie.
pub const COOKIE: [u8; 4] = [99, 130, 83, 99];

/// A BOOTREQUEST being built.
#[derive(Debug, Clone)]
pub struct Frame {
    header: [u8; 236],
    cookie: [u8; 4],
    options: Vec<u8>,
}

impl Frame {
    /// A request of message type `kind` (option 53) from Ethernet address `mac`.
    pub fn new(kind: u8, mac: [u8; 6], xid: u32) -> Frame {
        let mut header = [0u8; 236];
        header[0] = 1;
        header[1] = 1;
        header[2] = 6;
        header[4..8].copy_from_slice(&xid.to_be_bytes());
        header[28..34].copy_from_slice(&mac);
        Frame {
            header,
            cookie: COOKIE,
            options: vec![53, 1, kind],
        }
    }

    /// A request with no option at all (not even 53).
    pub fn bare(mac: [u8; 6], xid: u32) -> Frame {
        let mut f = Frame::new(1, mac, xid);
        f.options.clear();
        f
    }

    /// Sets giaddr.
    pub fn giaddr(mut self, a: Ipv4Addr) -> Frame {
        self.header[24..28].copy_from_slice(&a.octets());
        self
    }

    /// Sets ciaddr.
    pub fn ciaddr(mut self, a: Ipv4Addr) -> Frame {
        self.header[12..16].copy_from_slice(&a.octets());
        self
    }

    /// Replaces the magic cookie.
    pub fn cookie(mut self, c: [u8; 4]) -> Frame {
        self.cookie = c;
        self
    }

    /// Appends option `code` with `data` (its length octet is `data.len()`).
    pub fn option(mut self, code: u8, data: &[u8]) -> Frame {
        self.options.push(code);
        self.options.push(data.len() as u8);
        self.options.extend_from_slice(data);
        self
    }

    /// Appends raw bytes to the options field, as they are.
    pub fn raw(mut self, bytes: &[u8]) -> Frame {
        self.options.extend_from_slice(bytes);
        self
    }

    /// The packet (END appended).
    pub fn bytes(&self) -> Vec<u8> {
        let mut b = self.header.to_vec();
        b.extend_from_slice(&self.cookie);
        b.extend_from_slice(&self.options);
        b.push(255);
        b
    }
}

/// The xid of a packet (0 when too short).
pub fn xid(packet: &[u8]) -> u32 {
    packet
        .get(4..8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_be_bytes)
}

/// The options of a reply in wire order (code, data) with the overloaded `file` and `sname`
/// fields after the main field, as a client reads them; `None` if the options are not well
/// formed.
pub fn options_in_order(packet: &[u8]) -> Option<Vec<(u8, Vec<u8>)>> {
    fn walk(mut area: &[u8], out: &mut Vec<(u8, Vec<u8>)>) -> Option<()> {
        while let Some((&code, rest)) = area.split_first() {
            match code {
                0 => area = rest,
                255 => return Some(()),
                _ => {
                    let (&len, rest) = rest.split_first()?;
                    let data = rest.get(..usize::from(len))?;
                    out.push((code, data.to_vec()));
                    area = &rest[usize::from(len)..];
                }
            }
        }
        Some(())
    }
    if packet.get(236..240)? != COOKIE {
        return None;
    }
    let mut out = Vec::new();
    walk(&packet[240..], &mut out)?;
    let overload = out
        .iter()
        .find(|(c, _)| *c == 52)
        .and_then(|(_, d)| d.first().copied())
        .unwrap_or(0);
    if overload & 1 != 0 {
        walk(&packet[108..236], &mut out)?;
    }
    if overload & 2 != 0 {
        walk(&packet[44..108], &mut out)?;
    }
    Some(out)
}

/// The data of option `code` in a reply.
pub fn option(packet: &[u8], code: u8) -> Option<Vec<u8>> {
    options_in_order(packet)?
        .into_iter()
        .find(|(c, _)| *c == code)
        .map(|(_, d)| d)
}

/// A reply's yiaddr.
pub fn yiaddr(packet: &[u8]) -> Ipv4Addr {
    let b: [u8; 4] = packet
        .get(16..20)
        .and_then(|b| b.try_into().ok())
        .unwrap_or([0; 4]);
    Ipv4Addr::from(b)
}

/// A reply's message type (option 53).
pub fn kind(packet: &[u8]) -> Option<u8> {
    option(packet, 53).and_then(|d| d.first().copied())
}

/// Sends `packets` in order from a relay agent's socket (port 67) in namespace `netns` to
/// `server` port 67, then collects replies until the one to `marker` (an xid among the
/// packets) has come, or 30 s have passed. Returns the replies in arrival order.
pub fn relay_exchange(
    netns: &str,
    server: Ipv4Addr,
    packets: &[Vec<u8>],
    marker: u32,
) -> Result<Vec<Vec<u8>>, String> {
    let netns = netns.to_string();
    let packets = packets.to_vec();
    std::thread::spawn(move || {
        enter_netns(&netns)?;
        let sock = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 67)).map_err(|e| e.to_string())?;
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .map_err(|e| e.to_string())?;
        let to = SocketAddrV4::new(server, 67);
        for p in &packets {
            sock.send_to(p, to).map_err(|e| e.to_string())?;
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut replies = Vec::new();
        let mut buf = [0u8; 2048];
        while Instant::now() < deadline {
            if let Ok((n, _)) = sock.recv_from(&mut buf) {
                let reply = buf[..n].to_vec();
                let done = xid(&reply) == marker;
                replies.push(reply);
                if done {
                    return Ok(replies);
                }
            }
        }
        Err(format!(
            "no reply to the marker (xid {marker:#x}) within 30 s; {} other reply(ies)",
            replies.len()
        ))
    })
    .join()
    .unwrap_or_else(|_| Err("the relay thread panicked".into()))
}
