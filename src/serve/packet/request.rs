//! A client's request as it came off the wire: the BOOTP header, and the options walked one
//! by one with their raw bytes kept (ISC `parse_option_buffer`), so that one option with bad
//! bytes never costs the options after it, and an option the server echoes (82) goes back
//! exactly as it came.

use std::net::Ipv4Addr;

use dhcproto::v4::{Flags, MessageType};

use super::malformed::Malformed;
use super::relay::RelayInfo;

/// The BOOTP header before the options (RFC 951, RFC 2131 §2).
pub(super) const HEADER_LEN: usize = 236;
/// The DHCP magic cookie (RFC 2131 §3).
pub(super) const COOKIE: [u8; 4] = [99, 130, 83, 99];
const SNAME: std::ops::Range<usize> = 44..108;
const FILE: std::ops::Range<usize> = 108..236;

/// Option codes the server reads.
pub(crate) mod code {
    /// Pad.
    pub(crate) const PAD: u8 = 0;
    /// Host name.
    pub(crate) const HOSTNAME: u8 = 12;
    /// Requested IP address.
    pub(crate) const REQUESTED_IP: u8 = 50;
    /// IP address lease time.
    pub(crate) const LEASE_TIME: u8 = 51;
    /// Option overload.
    pub(crate) const OVERLOAD: u8 = 52;
    /// DHCP message type.
    pub(crate) const MESSAGE_TYPE: u8 = 53;
    /// Server identifier.
    pub(crate) const SERVER_ID: u8 = 54;
    /// Parameter request list.
    pub(crate) const PARAMETER_LIST: u8 = 55;
    /// Maximum DHCP message size.
    pub(crate) const MAX_SIZE: u8 = 57;
    /// Renewal (T1) time.
    pub(crate) const RENEWAL: u8 = 58;
    /// Rebinding (T2) time.
    pub(crate) const REBINDING: u8 = 59;
    /// Client identifier.
    pub(crate) const CLIENT_ID: u8 = 61;
    /// Relay agent information (RFC 3046).
    pub(crate) const RELAY_INFO: u8 = 82;
    /// Subnet selection (RFC 3011).
    pub(crate) const SUBNET_SELECTION: u8 = 118;
    /// End.
    pub(crate) const END: u8 = 255;
}

/// One option of a request: its code and its data, raw. Several instances of one code are
/// one option, their data concatenated in order (RFC 3396).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawOption {
    /// The option code.
    pub code: u8,
    /// The data, exactly as sent.
    pub data: Vec<u8>,
}

/// A decoded BOOTREQUEST with a DHCP message type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    htype: u8,
    hlen: u8,
    hops: u8,
    xid: u32,
    secs: u16,
    flags: u16,
    ciaddr: Ipv4Addr,
    giaddr: Ipv4Addr,
    chaddr: [u8; 16],
    kind: MessageType,
    options: Vec<RawOption>,
}

fn ipv4(b: &[u8], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3])
}

/// Walks one options area, appending to `out` (concatenating a code seen before). Stops at
/// END or at the end of the area; an option whose length runs past the area is an error.
fn walk(mut area: &[u8], out: &mut Vec<RawOption>) -> Result<(), Malformed> {
    while let Some((&c, rest)) = area.split_first() {
        match c {
            code::PAD => {
                area = rest;
                continue;
            }
            code::END => return Ok(()),
            _ => {}
        }
        let Some((&len, rest)) = rest.split_first() else {
            return Err(Malformed::TruncatedOption);
        };
        let len = usize::from(len);
        if rest.len() < len {
            return Err(Malformed::TruncatedOption);
        }
        let (data, next) = rest.split_at(len);
        match out.iter_mut().find(|o| o.code == c) {
            Some(o) => o.data.extend_from_slice(data),
            None => out.push(RawOption {
                code: c,
                data: data.to_vec(),
            }),
        }
        area = next;
    }
    Ok(())
}

/// Decodes a request. An `Err` says why the packet is not one the server answers; the caller
/// counts and logs it ([`super::malformed`]).
pub fn decode(bytes: &[u8]) -> Result<Request, Malformed> {
    if bytes.len() < HEADER_LEN + COOKIE.len() {
        return Err(Malformed::Short);
    }
    if bytes[0] != 1 {
        return Err(Malformed::NotRequest);
    }
    let hlen = bytes[2];
    if hlen > 16 {
        return Err(Malformed::BadHlen);
    }
    if bytes[HEADER_LEN..HEADER_LEN + 4] != COOKIE {
        return Err(Malformed::BadCookie);
    }
    let mut options = Vec::new();
    walk(&bytes[HEADER_LEN + 4..], &mut options)?;
    // Option overload (RFC 2132 §9.3): the file field, then the sname field, hold options.
    let overload = options
        .iter()
        .find(|o| o.code == code::OVERLOAD)
        .and_then(|o| o.data.first().copied().filter(|_| o.data.len() == 1))
        .unwrap_or(0);
    if overload & 1 != 0 {
        walk(&bytes[FILE], &mut options)?;
    }
    if overload & 2 != 0 {
        walk(&bytes[SNAME], &mut options)?;
    }
    let kind = match options.iter().find(|o| o.code == code::MESSAGE_TYPE) {
        None => return Err(Malformed::NoMessageType),
        Some(o) if o.data.len() != 1 => return Err(Malformed::BadMessageType),
        Some(o) => MessageType::from(o.data[0]),
    };
    let mut chaddr = [0u8; 16];
    chaddr.copy_from_slice(&bytes[28..44]);
    let req = Request {
        htype: bytes[1],
        hlen,
        hops: bytes[3],
        xid: u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
        secs: u16::from_be_bytes([bytes[8], bytes[9]]),
        flags: u16::from_be_bytes([bytes[10], bytes[11]]),
        ciaddr: ipv4(bytes, 12),
        giaddr: ipv4(bytes, 24),
        chaddr,
        kind,
        options,
    };
    // RFC 2131 §4.3.2 and §4.3.3: a REQUEST names an address (option 50 or ciaddr), a
    // DECLINE the address it declines.
    let names_address = match req.kind {
        MessageType::Request => req.requested_ip().is_some() || !req.ciaddr.is_unspecified(),
        MessageType::Decline => req.requested_ip().is_some(),
        _ => true,
    };
    if !names_address {
        return Err(Malformed::NoAddress);
    }
    Ok(req)
}

impl Request {
    /// Decodes the wire form of a dhcproto message (for tests and tools that build requests
    /// with dhcproto).
    pub fn from_message(msg: &dhcproto::v4::Message) -> Result<Request, Malformed> {
        use dhcproto::Encodable;
        let bytes = msg.to_vec().map_err(|_| Malformed::Short)?;
        decode(&bytes)
    }

    /// The DHCP message type.
    pub fn msg_type(&self) -> MessageType {
        self.kind
    }

    /// Hardware type (1 is Ethernet).
    pub fn htype(&self) -> u8 {
        self.htype
    }

    /// The client hardware address (`hlen` octets).
    pub fn chaddr(&self) -> &[u8] {
        &self.chaddr[..usize::from(self.hlen)]
    }

    /// Relay hops.
    pub fn hops(&self) -> u8 {
        self.hops
    }

    /// Transaction id.
    pub fn xid(&self) -> u32 {
        self.xid
    }

    /// Seconds since the client began.
    pub fn secs(&self) -> u16 {
        self.secs
    }

    /// Flags (the broadcast bit).
    pub fn flags(&self) -> Flags {
        Flags::new(self.flags)
    }

    /// The client's address when it has one (RENEWING, REBINDING, INFORM, RELEASE).
    pub fn ciaddr(&self) -> Ipv4Addr {
        self.ciaddr
    }

    /// The relay agent's address, 0.0.0.0 when not relayed.
    pub fn giaddr(&self) -> Ipv4Addr {
        self.giaddr
    }

    /// Every option, in the order the client sent them.
    pub fn options(&self) -> &[RawOption] {
        &self.options
    }

    /// The data of option `code`, raw.
    pub fn option(&self, code: u8) -> Option<&[u8]> {
        self.options
            .iter()
            .find(|o| o.code == code)
            .map(|o| o.data.as_slice())
    }

    /// An option that holds one IPv4 address; one of another length is ignored.
    fn address(&self, code: u8) -> Option<Ipv4Addr> {
        let d = self.option(code)?;
        (d.len() == 4).then(|| ipv4(d, 0))
    }

    /// Option 50.
    pub fn requested_ip(&self) -> Option<Ipv4Addr> {
        self.address(code::REQUESTED_IP)
    }

    /// Option 54.
    pub fn server_id(&self) -> Option<Ipv4Addr> {
        self.address(code::SERVER_ID)
    }

    /// Option 118 (RFC 3011).
    pub fn subnet_selection(&self) -> Option<Ipv4Addr> {
        self.address(code::SUBNET_SELECTION)
    }

    /// Option 51: the lease time the client asks for.
    pub fn requested_lease(&self) -> Option<u32> {
        let d = self.option(code::LEASE_TIME)?;
        let b: [u8; 4] = d.try_into().ok()?;
        Some(u32::from_be_bytes(b))
    }

    /// Option 61, when not empty.
    pub fn client_id(&self) -> Option<&[u8]> {
        self.option(code::CLIENT_ID).filter(|d| !d.is_empty())
    }

    /// Option 12 as sent: any bytes, not necessarily text.
    pub fn hostname(&self) -> Option<&[u8]> {
        self.option(code::HOSTNAME).filter(|d| !d.is_empty())
    }

    /// Option 55: the codes the client asks for, in its order of preference.
    pub fn parameter_list(&self) -> &[u8] {
        self.option(code::PARAMETER_LIST).unwrap_or(&[])
    }

    /// Option 57 when well formed (two octets, at least 576: RFC 2132 §9.10); a malformed
    /// one is ignored, as if absent.
    pub fn max_message_size(&self) -> Option<u16> {
        let d = self.option(code::MAX_SIZE)?;
        let b: [u8; 2] = d.try_into().ok()?;
        Some(u16::from_be_bytes(b)).filter(|n| *n >= 576)
    }

    /// Option 82 exactly as the relay sent it.
    pub fn relay_info_raw(&self) -> Option<&[u8]> {
        self.option(code::RELAY_INFO)
    }

    /// The sub-options of option 82 the server reads.
    pub fn relay_info(&self) -> Option<RelayInfo<'_>> {
        self.relay_info_raw().map(RelayInfo::new)
    }
}
