//! The wire form of a reply, as ISC dhcpd lays it out (`cons_options`): options by
//! priority (53, 54, the lease times, then the client's option 55 in its order, then the
//! rest by code), within the size the client accepts (option 57, else 576 octets; IP and UDP
//! headers included), overflowing into the `file` and then the `sname` field with option
//! overload (52) when those are free, leaving out the least important options that still do
//! not fit; option 82 goes last, unchanged, in room of its own (the relay removes it), unless
//! it alone would take more than 1024 octets.

use dhcproto::v4::{DhcpOption, MessageType};
use dhcproto::{Encodable, encoder::Encoder};

use super::reply::Reply;
use super::request::{COOKIE, HEADER_LEN, code};

/// IP and UDP headers, which option 57 counts (ISC: `DHCP_UDP_OVERHEAD`).
const IP_UDP: usize = 28;
/// The size every client accepts (RFC 2131 §2) and the least option 57 may say.
const MIN_SIZE: usize = 576;
/// The Ethernet MTU: the most the server sends, whatever option 57 says (as ISC).
const MAX_SIZE: usize = 1500;
/// Replies are padded to the BOOTP minimum (RFC 1542 §2.1), as ISC pads them.
const BOOTP_MIN: usize = 300;
/// The most option 82 may take on the wire to be echoed (ISC keeps agent options in a buffer
/// of 1024 octets); a longer one would leave no room for the reply itself.
const RELAY_ECHO_MAX: usize = 1024;
const SNAME_LEN: usize = 64;
const FILE_LEN: usize = 128;

/// Octets an option takes on the wire, split into 255-octet pieces (RFC 3396).
fn wire_len(len: usize) -> usize {
    if len == 0 {
        2
    } else {
        len + 2 * len.div_ceil(255)
    }
}

fn put(out: &mut Vec<u8>, code: u8, data: &[u8]) {
    if data.is_empty() {
        out.extend_from_slice(&[code, 0]);
    }
    for piece in data.chunks(255) {
        out.push(code);
        out.push(piece.len() as u8);
        out.extend_from_slice(piece);
    }
}

/// An option's code and data, concatenated over the pieces dhcproto writes.
fn option_data(opt: &DhcpOption) -> Option<(u8, Vec<u8>)> {
    if let DhcpOption::Unknown(u) = opt {
        return Some((u8::from(u.code()), u.data().to_vec()));
    }
    let mut buf = Vec::new();
    opt.encode(&mut Encoder::new(&mut buf)).ok()?;
    let (&code, _) = buf.split_first()?;
    let mut data = Vec::new();
    let mut rest = buf.as_slice();
    while let [_, len, tail @ ..] = rest {
        let len = usize::from(*len);
        data.extend_from_slice(tail.get(..len)?);
        rest = &tail[len..];
    }
    Some((code, data))
}

/// Sort key: the protocol's options first, then the client's order, then by code.
fn rank(code: u8, wanted: &[u8]) -> (usize, u8) {
    const FIRST: [u8; 5] = [
        code::MESSAGE_TYPE,
        code::SERVER_ID,
        code::LEASE_TIME,
        code::RENEWAL,
        code::REBINDING,
    ];
    if let Some(i) = FIRST.iter().position(|c| *c == code) {
        return (i, 0);
    }
    match wanted.iter().position(|c| *c == code) {
        Some(i) => (FIRST.len() + i, 0),
        None => (usize::MAX, code),
    }
}

/// One options area being filled.
struct Area {
    bytes: Vec<u8>,
    room: usize,
}

impl Area {
    fn new(room: usize) -> Area {
        Area {
            bytes: Vec::new(),
            room,
        }
    }

    fn take(&mut self, code: u8, data: &[u8]) -> bool {
        let n = wire_len(data.len());
        if n > self.room {
            return false;
        }
        put(&mut self.bytes, code, data);
        self.room -= n;
        true
    }
}

/// The options in the order they go out, without 82 and 52 (placed by the layout).
fn ordered(reply: &Reply) -> Vec<(u8, Vec<u8>)> {
    let mut opts: Vec<(u8, Vec<u8>)> = reply
        .opts()
        .iter()
        .filter_map(|(_, o)| option_data(o))
        .filter(|(c, _)| ![code::RELAY_INFO, code::OVERLOAD, code::PAD, code::END].contains(c))
        .collect();
    opts.sort_by_key(|(c, _)| rank(*c, reply.wanted()));
    opts
}

/// Where the options go: the options field, and `file` and `sname` when overloaded.
struct Layout {
    main: Vec<u8>,
    file: Option<Vec<u8>>,
    sname: Option<Vec<u8>>,
    left_out: Vec<u8>,
}

fn layout(reply: &Reply) -> Layout {
    let opts = ordered(reply);
    let mut left_out = Vec::new();
    let echo = match reply.relay_info() {
        Some(d) if wire_len(d.len()) > RELAY_ECHO_MAX => {
            left_out.push(code::RELAY_INFO);
            None
        }
        echo => echo,
    };
    let relay = echo.map_or(0, |d| wire_len(d.len()));
    let size = reply
        .max_size()
        .map_or(MIN_SIZE, usize::from)
        .clamp(MIN_SIZE, MAX_SIZE);
    let fixed = IP_UDP + HEADER_LEN + COOKIE.len();
    // Room for the options the client accepts, plus option 82, which the relay removes before
    // the client sees the reply (as ISC), never past the MTU; END takes one octet.
    let room = (size - fixed + relay)
        .min(MAX_SIZE - fixed)
        .saturating_sub(relay + 1);
    let total: usize = opts.iter().map(|(_, d)| wire_len(d.len())).sum();
    let free_field = |f: Option<&[u8]>| f.is_none_or(|f| f.iter().all(|b| *b == 0));
    let mut file = free_field(reply.fname()).then(|| Area::new(FILE_LEN - 1));
    let mut sname = free_field(reply.sname()).then(|| Area::new(SNAME_LEN - 1));
    let overload = total > room && (file.is_some() || sname.is_some());
    let mut main = Area::new(if overload {
        room.saturating_sub(3)
    } else {
        room
    });
    for (c, d) in &opts {
        let placed = main.take(*c, d)
            || (overload && file.as_mut().is_some_and(|a| a.take(*c, d)))
            || (overload && sname.as_mut().is_some_and(|a| a.take(*c, d)));
        if !placed {
            left_out.push(*c);
        }
    }
    let used = |a: Option<Area>| a.map(|a| a.bytes).filter(|b| !b.is_empty());
    let (file, sname) = (used(file), used(sname));
    let flag = u8::from(file.is_some()) | (u8::from(sname.is_some()) << 1);
    if flag != 0 {
        main.bytes.extend_from_slice(&[code::OVERLOAD, 1, flag]);
    }
    if let Some(d) = echo {
        put(&mut main.bytes, code::RELAY_INFO, d);
    }
    main.bytes.push(code::END);
    Layout {
        main: main.bytes,
        file,
        sname,
        left_out,
    }
}

/// The reply's wire form, and the codes of the options left out for lack of room.
pub fn encode_reply(reply: &Reply) -> (Vec<u8>, Vec<u8>) {
    let l = layout(reply);
    let mut out = Vec::with_capacity(HEADER_LEN + COOKIE.len() + l.main.len());
    out.extend_from_slice(&[2, u8::from(reply.htype()), reply.hlen(), reply.hops()]);
    out.extend_from_slice(&reply.xid().to_be_bytes());
    out.extend_from_slice(&reply.secs().to_be_bytes());
    out.extend_from_slice(&u16::from(reply.flags()).to_be_bytes());
    for a in [
        reply.ciaddr(),
        reply.yiaddr(),
        reply.siaddr(),
        reply.giaddr(),
    ] {
        out.extend_from_slice(&a.octets());
    }
    let hw = reply.chaddr();
    let hw = &hw[..hw.len().min(16)];
    out.extend_from_slice(hw);
    out.resize(out.len() + 16 - hw.len(), 0);
    field(&mut out, reply.sname(), l.sname, SNAME_LEN);
    field(&mut out, reply.fname(), l.file, FILE_LEN);
    out.extend_from_slice(&COOKIE);
    out.extend_from_slice(&l.main);
    if out.len() < BOOTP_MIN {
        out.resize(BOOTP_MIN, 0);
    }
    (out, l.left_out)
}

/// Writes the sname or file field: the overloaded options ended by END, or the text.
fn field(out: &mut Vec<u8>, text: Option<&[u8]>, options: Option<Vec<u8>>, len: usize) {
    let start = out.len();
    match (options, text) {
        (Some(opts), _) => {
            out.extend_from_slice(&opts);
            out.push(code::END);
        }
        (None, Some(t)) => out.extend_from_slice(&t[..t.len().min(len)]),
        (None, None) => {}
    }
    out.resize(start + len, 0);
}

/// Encodes a reply; the options left out for lack of room are logged at debug level.
pub fn encode(reply: &Reply) -> Vec<u8> {
    let (bytes, left_out) = encode_reply(reply);
    if !left_out.is_empty() {
        tracing::debug!(
            "{} to {}: option(s) {:?} left out (maximum message size {})",
            kind_name(reply.opts().msg_type()),
            super::hw_text(reply.chaddr()),
            left_out,
            reply.max_size().map_or(MIN_SIZE, usize::from)
        );
    }
    bytes
}

fn kind_name(kind: Option<MessageType>) -> &'static str {
    match kind {
        Some(MessageType::Offer) => "DHCPOFFER",
        Some(MessageType::Ack) => "DHCPACK",
        Some(MessageType::Nak) => "DHCPNAK",
        _ => "reply",
    }
}
