//! DHCPv4 as the pair tests see it on the wire: the fields of a packet that the client
//! generator and the checkers use, read from a UDP payload or from a pcap file (Ethernet,
//! IPv4, UDP), and several captures merged into one time line with the copies of a packet
//! that more than one namespace saw kept once.
//!
//! The parser is hand-written and total: a truncated or foreign packet is `None`, never a
//! panic, whatever a capture holds.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::Ipv4Addr;

/// Seconds since the Unix epoch, with the capture's microseconds.
pub type Secs = f64;

/// DHCP message types (option 53).
pub mod msg {
    /// DHCPDISCOVER.
    pub const DISCOVER: u8 = 1;
    /// DHCPOFFER.
    pub const OFFER: u8 = 2;
    /// DHCPREQUEST.
    pub const REQUEST: u8 = 3;
    /// DHCPDECLINE.
    pub const DECLINE: u8 = 4;
    /// DHCPACK.
    pub const ACK: u8 = 5;
    /// DHCPNAK.
    pub const NAK: u8 = 6;
    /// DHCPRELEASE.
    pub const RELEASE: u8 = 7;
    /// DHCPINFORM.
    pub const INFORM: u8 = 8;

    /// The name of a message type, for reports.
    pub fn name(t: u8) -> &'static str {
        match t {
            DISCOVER => "DISCOVER",
            OFFER => "OFFER",
            REQUEST => "REQUEST",
            DECLINE => "DECLINE",
            ACK => "ACK",
            NAK => "NAK",
            RELEASE => "RELEASE",
            INFORM => "INFORM",
            _ => "?",
        }
    }
}

/// The fields of one BOOTP/DHCP message that the tests read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dhcp {
    /// 1 BOOTREQUEST (client or relay), 2 BOOTREPLY (server).
    pub op: u8,
    /// Transaction id.
    pub xid: u32,
    /// Seconds since the client began the exchange.
    pub secs: u16,
    /// The broadcast flag.
    pub broadcast: bool,
    /// The client's address (renewing, rebinding, releasing).
    pub ciaddr: Ipv4Addr,
    /// The address offered or acknowledged.
    pub yiaddr: Ipv4Addr,
    /// The relay agent's address.
    pub giaddr: Ipv4Addr,
    /// The client's Ethernet address.
    pub chaddr: [u8; 6],
    /// Option 53.
    pub msg_type: Option<u8>,
    /// Option 54.
    pub server_id: Option<Ipv4Addr>,
    /// Option 50.
    pub requested_ip: Option<Ipv4Addr>,
    /// Option 51, seconds.
    pub lease_time: Option<u32>,
    /// Option 58, seconds.
    pub t1: Option<u32>,
    /// Option 59, seconds.
    pub t2: Option<u32>,
    /// Option 61, the client identifier.
    pub client_id: Option<Vec<u8>>,
}

impl Dhcp {
    /// A message with these header fields, zero addresses and no other option.
    pub fn new(op: u8, msg_type: Option<u8>, chaddr: [u8; 6], xid: u32) -> Dhcp {
        Dhcp {
            op,
            xid,
            secs: 0,
            broadcast: false,
            ciaddr: Ipv4Addr::UNSPECIFIED,
            yiaddr: Ipv4Addr::UNSPECIFIED,
            giaddr: Ipv4Addr::UNSPECIFIED,
            chaddr,
            msg_type,
            server_id: None,
            requested_ip: None,
            lease_time: None,
            t1: None,
            t2: None,
            client_id: None,
        }
    }

    /// Parses a UDP payload; `None` unless it is a whole BOOTP header with the DHCP cookie.
    pub fn parse(b: &[u8]) -> Option<Dhcp> {
        if b.get(236..240)? != [99, 130, 83, 99] {
            return None;
        }
        let ip = |at: usize| -> Option<Ipv4Addr> {
            let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
            Some(Ipv4Addr::from(s))
        };
        let mut dhcp = Dhcp::new(
            b[0],
            None,
            b.get(28..34)?.try_into().ok()?,
            u32::from_be_bytes(b.get(4..8)?.try_into().ok()?),
        );
        dhcp.secs = u16::from_be_bytes(b.get(8..10)?.try_into().ok()?);
        dhcp.broadcast = b[10] & 0x80 != 0;
        dhcp.ciaddr = ip(12)?;
        dhcp.yiaddr = ip(16)?;
        dhcp.giaddr = ip(24)?;
        let mut options = &b[240..];
        while let Some((&code, rest)) = options.split_first() {
            match code {
                255 => break,
                0 => {
                    options = rest;
                    continue;
                }
                _ => {}
            }
            let (&len, rest) = rest.split_first()?;
            let value = rest.get(..usize::from(len))?;
            let addr = <[u8; 4]>::try_from(value).ok().map(Ipv4Addr::from);
            let secs = <[u8; 4]>::try_from(value).ok().map(u32::from_be_bytes);
            match code {
                53 => dhcp.msg_type = value.first().copied(),
                54 => dhcp.server_id = addr,
                50 => dhcp.requested_ip = addr,
                51 => dhcp.lease_time = secs,
                58 => dhcp.t1 = secs,
                59 => dhcp.t2 = secs,
                61 => dhcp.client_id = Some(value.to_vec()),
                _ => {}
            }
            options = &rest[usize::from(len)..];
        }
        Some(dhcp)
    }

    /// Whether this is a server's reply of message type `t`.
    pub fn is_reply(&self, t: u8) -> bool {
        self.op == 2 && self.msg_type == Some(t)
    }

    /// The key of RFC 3074's load-balancing hash: the client identifier if the message has
    /// one, else the hardware address (as ISC dhcpd's `load_balance_mine`).
    pub fn hash_key(&self) -> &[u8] {
        self.client_id.as_deref().unwrap_or(&self.chaddr)
    }

    /// Whether this is a client's (or relay's) request of message type `t`.
    pub fn is_request(&self, t: u8) -> bool {
        self.op == 1 && self.msg_type == Some(t)
    }
}

/// One DHCP packet captured on the wire.
#[derive(Debug, Clone)]
pub struct WirePacket {
    /// Capture time.
    pub at: Secs,
    /// IPv4 source.
    pub src: Ipv4Addr,
    /// IPv4 destination.
    pub dst: Ipv4Addr,
    /// UDP source port.
    pub sport: u16,
    /// UDP destination port.
    pub dport: u16,
    /// The DHCP message.
    pub dhcp: Dhcp,
    /// A hash of the UDP payload: the same packet seen by two captures has the same one.
    pub digest: u64,
}

/// Every DHCP packet (UDP with the DHCP cookie) of a classic pcap file with Ethernet
/// framing, microsecond or nanosecond time stamps, either byte order. What cannot be read is
/// skipped; a truncated file yields the packets before the cut.
pub fn packets_in_pcap(data: &[u8]) -> Vec<WirePacket> {
    let mut out = Vec::new();
    let Some(magic) = data.get(..4) else {
        return out;
    };
    let (le, nanos) = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => (true, false),
        [0xa1, 0xb2, 0xc3, 0xd4] => (false, false),
        [0x4d, 0x3c, 0xb2, 0xa1] => (true, true),
        [0xa1, 0xb2, 0x3c, 0x4d] => (false, true),
        _ => return out,
    };
    let u32_at = |at: usize| -> Option<u32> {
        let s: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        })
    };
    if u32_at(20) != Some(1) {
        return out; // not Ethernet
    }
    let mut at = 24;
    while let (Some(sec), Some(frac), Some(caplen)) = (u32_at(at), u32_at(at + 4), u32_at(at + 8)) {
        let start = at + 16;
        let Some(frame) = data.get(start..start + caplen as usize) else {
            break;
        };
        at = start + caplen as usize;
        let when = f64::from(sec) + f64::from(frac) / if nanos { 1e9 } else { 1e6 };
        if let Some(packet) = udp_dhcp(frame, when) {
            out.push(packet);
        }
    }
    out
}

/// An Ethernet frame carrying IPv4/UDP/DHCP, or `None`.
fn udp_dhcp(frame: &[u8], at: Secs) -> Option<WirePacket> {
    if frame.get(12..14)? != [0x08, 0x00] {
        return None;
    }
    let ip = frame.get(14..)?;
    let ihl = usize::from(ip.first()? & 0x0f) * 4;
    if *ip.get(9)? != 17 || u16::from_be_bytes(ip.get(6..8)?.try_into().ok()?) & 0x3fff != 0 {
        return None; // not UDP, or a fragment
    }
    let src = Ipv4Addr::from(<[u8; 4]>::try_from(ip.get(12..16)?).ok()?);
    let dst = Ipv4Addr::from(<[u8; 4]>::try_from(ip.get(16..20)?).ok()?);
    let udp = ip.get(ihl..)?;
    let sport = u16::from_be_bytes(udp.get(0..2)?.try_into().ok()?);
    let dport = u16::from_be_bytes(udp.get(2..4)?.try_into().ok()?);
    let udp_len = usize::from(u16::from_be_bytes(udp.get(4..6)?.try_into().ok()?));
    let payload = udp.get(8..udp_len.max(8))?;
    let dhcp = Dhcp::parse(payload)?;
    Some(WirePacket {
        at,
        src,
        dst,
        sport,
        dport,
        dhcp,
        digest: fnv1a(payload),
    })
}

/// FNV-1a, 64 bits: enough to tell packets apart within a second.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Several captures as one time line: sorted by capture time, and a packet seen by more
/// than one capture (a broadcast reaches every namespace on the segment) kept once, at its
/// earliest time. Copies are recognised by equal UDP payloads less than a second apart.
pub fn merge_captures(captures: Vec<Vec<WirePacket>>) -> Vec<WirePacket> {
    let mut all: Vec<WirePacket> = captures.into_iter().flatten().collect();
    all.sort_by(|a, b| a.at.total_cmp(&b.at));
    let mut last_seen: HashMap<u64, Secs> = HashMap::new();
    let mut out = Vec::with_capacity(all.len());
    for packet in all {
        if let Some(&seen) = last_seen.get(&packet.digest)
            && packet.at - seen < 1.0
        {
            continue;
        }
        last_seen.insert(packet.digest, packet.at);
        out.push(packet);
    }
    out
}

/// An Ethernet address as `02:aa:...`.
pub fn mac_text(mac: &[u8]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// RFC 3074's load-balancing hash of a client (its client identifier, else its hardware
/// address bytes): the bucket 0..=255 that a failover pair's HBA assigns to one peer. With
/// `split N`, ISC's primary serves buckets below N.
pub fn rfc3074_bucket(key: &[u8]) -> u8 {
    // The mixing table of RFC 3074, section 6.
    const TABLE: [u8; 256] = [
        251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232, 31, 32, 55, 60,
        152, 58, 17, 237, 174, 70, 160, 144, 220, 90, 57, 223, 59, 3, 18, 140, 111, 166, 203, 196,
        134, 243, 124, 95, 222, 179, 197, 65, 180, 48, 36, 15, 107, 46, 233, 130, 165, 30, 123,
        161, 209, 23, 97, 16, 40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22, 138, 29, 108, 244,
        67, 207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193, 200, 121, 5, 20, 113, 71,
        35, 128, 13, 182, 94, 25, 226, 227, 199, 75, 27, 41, 245, 230, 224, 43, 225, 177, 26, 155,
        150, 212, 142, 218, 115, 241, 73, 88, 105, 39, 114, 62, 255, 192, 201, 145, 214, 168, 158,
        221, 148, 154, 122, 12, 84, 82, 163, 44, 139, 228, 236, 205, 242, 217, 11, 187, 146, 159,
        64, 86, 239, 195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117, 176, 229, 247, 253,
        137, 185, 99, 164, 102, 147, 45, 66, 231, 52, 141, 211, 194, 206, 246, 238, 56, 110, 78,
        248, 63, 240, 189, 93, 92, 51, 53, 183, 19, 171, 72, 50, 33, 104, 101, 69, 8, 252, 83, 120,
        76, 135, 85, 54, 202, 125, 188, 213, 96, 235, 136, 208, 162, 129, 190, 132, 156, 38, 47, 1,
        7, 254, 24, 4, 216, 131, 89, 21, 28, 133, 37, 153, 149, 80, 170, 68, 6, 169, 234, 151,
    ];
    let mut hash = key.len() as u8;
    for &b in key.iter().rev() {
        hash = TABLE[usize::from(hash ^ b)];
    }
    hash
}
