//! The failover codec against real traffic: every pcap of two ISC dhcpd 4.4.3 peers in
//! `../shared/captures/failover/pcap/` is read with a small pcap reader (classic pcap,
//! Ethernet, IPv4, TCP reassembled per direction by sequence number the way the captures'
//! `decode.py` does it: retransmissions dropped, streams picked up mid-connection), cut into
//! messages by [`Framer`], and decoded by [`decode`].
//!
//! Each decoded message must show what the `.txt` beside its pcap (written by `decode.py`)
//! shows: type, length, payload offset, header time, xid, header bytes, and every option with
//! its code, length and value as printed. Each must encode again to the captured bytes (ISC's
//! option order), except the fake peer's synthetic messages of scenario 6b, recognised by the
//! vendor class the decoded text shows for them: those must still decode to themselves.

use crate::common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::Path;

use dhcpfo::leases::Timestamp;
use dhcpfo::serve::failover::wire::{Framer, Message, OptionCode, decode, encode};

/// The ports `decode.py` follows.
const PORTS: [u16; 2] = [647, 847];

#[test]
fn every_captured_message_decodes_as_the_decoded_text_shows() {
    let Some(dir) = common::failover_captures_or_skip("failover_wire") else {
        return;
    };
    let mut pcaps: Vec<_> = std::fs::read_dir(dir.join("pcap"))
        .expect("pcap folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "pcap"))
        .collect();
    pcaps.sort();
    assert!(!pcaps.is_empty(), "no pcap in {}", dir.display());
    let (mut checked, mut identical, mut synthetic) = (0, 0, 0);
    for pcap in &pcaps {
        let text = std::fs::read_to_string(pcap.with_extension("txt")).expect("decoded text");
        let expected = Decoded::parse(&text);
        let captured = messages(pcap, &expected.roles);
        let mut mine: HashMap<(usize, String), Vec<Vec<u8>>> = HashMap::new();
        for (conn, direction, bytes) in &captured.messages {
            mine.entry((*conn, direction.clone()))
                .or_default()
                .push(bytes.clone());
        }
        assert_eq!(
            captured.connections,
            expected.connections,
            "{}",
            pcap.display()
        );
        let total: usize = mine.values().map(Vec::len).sum();
        assert_eq!(total, expected.count, "{}: messages", pcap.display());
        for (key, shown) in &expected.messages {
            let got = mine.get(key).map(Vec::as_slice).unwrap_or_default();
            assert_eq!(
                got.len(),
                shown.len(),
                "{}: c{} {}",
                pcap.display(),
                key.0,
                key.1
            );
            for (raw, shown) in got.iter().zip(shown) {
                let place = format!("{}: c{} {} xid {}", pcap.display(), key.0, key.1, shown.xid);
                let message = decode(raw).unwrap_or_else(|e| panic!("{place}: {e}"));
                shown.check(&message, raw, &place);
                let again = encode(&message).unwrap_or_else(|e| panic!("{place}: {e}"));
                if shown.sent_by_isc() {
                    assert_eq!(hex(&again), hex(raw), "{place}: re-encoded");
                    identical += 1;
                } else {
                    assert_eq!(decode(&again).as_ref(), Ok(&message), "{place}: round trip");
                    synthetic += 1;
                }
                checked += 1;
            }
        }
    }
    eprintln!(
        "failover_wire: {checked} messages in {} captures decoded as shown; {identical} \
         re-encoded byte for byte, {synthetic} synthetic ones round-tripped",
        pcaps.len()
    );
    assert!(identical > 0 && checked == identical + synthetic);
}

/// What `decode.py` printed for one pcap.
struct Decoded {
    /// Peer IP -> `P` or `S`, from the first line.
    roles: HashMap<Ipv4Addr, char>,
    /// The messages of each connection and direction, in stream order.
    messages: HashMap<(usize, String), Vec<Shown>>,
    /// Connection number -> its two endpoints, from the trailer.
    connections: HashMap<usize, [(Ipv4Addr, u16); 2]>,
    /// The total of the "failover message counts" line.
    count: usize,
}

/// One message as printed.
struct Shown {
    name: String,
    fields: HashMap<String, String>,
    xid: String,
    header: Vec<u8>,
    /// (code, length, value) of every option.
    options: Vec<(u16, usize, String)>,
}

impl Decoded {
    fn parse(text: &str) -> Decoded {
        let mut decoded = Decoded {
            roles: HashMap::new(),
            messages: HashMap::new(),
            connections: HashMap::new(),
            count: 0,
        };
        let first = text.lines().next().unwrap_or_default();
        for (role, word) in [('P', "(primary "), ('S', "secondary ")] {
            let ip = first.split(word).nth(1).and_then(|r| r.split(' ').next());
            let ip = ip.and_then(|ip| ip.parse().ok()).expect("role line");
            decoded.roles.insert(ip, role);
        }
        let mut current: Option<((usize, String), Shown)> = None;
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(at) = words.iter().position(|w| *w == "FO") {
                decoded.push(current.take());
                current = Some(Shown::header_line(&words[at + 1..]));
            } else if let (Some(("hdr", bytes)), Some((_, shown))) =
                (line.trim().split_once(' '), current.as_mut())
            {
                shown.header = unhex(&bytes.replace(' ', ""));
            } else if let (Some(("opt", option)), Some((_, shown))) =
                (line.trim().split_once(' '), current.as_mut())
            {
                shown.options.push(option_line(option));
            } else if let Some(list) = line.strip_prefix("# failover message counts: ") {
                decoded.count = list
                    .split(", ")
                    .map(|pair| {
                        pair.rsplit(' ')
                            .next()
                            .and_then(|n| n.parse::<usize>().ok())
                    })
                    .map(|n| n.expect("count"))
                    .sum();
            } else if let Some(conn) = line.strip_prefix("#   c") {
                let words: Vec<&str> = conn.split_whitespace().collect();
                if let [number, a, "<->", b] = words.as_slice() {
                    let number = number.parse().expect("connection number");
                    let mut pair = [endpoint(a), endpoint(b)];
                    pair.sort();
                    decoded.connections.insert(number, pair);
                }
            } else if !line.starts_with("        ") {
                decoded.push(current.take());
            }
        }
        decoded.push(current);
        decoded
    }

    fn push(&mut self, message: Option<((usize, String), Shown)>) {
        if let Some((key, shown)) = message {
            self.messages.entry(key).or_default().push(shown);
        }
    }
}

impl Shown {
    /// `c1 P>S BNDUPD len=68 type=3 off=12 time=1796199710 (...) xid=47`
    fn header_line(words: &[&str]) -> ((usize, String), Shown) {
        let conn = words[0]
            .trim_start_matches('c')
            .parse()
            .expect("connection");
        let fields: HashMap<String, String> = words
            .iter()
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let shown = Shown {
            name: words[2].to_string(),
            xid: fields.get("xid").cloned().unwrap_or_default(),
            fields,
            header: Vec::new(),
            options: Vec::new(),
        };
        ((conn, words[1].to_string()), shown)
    }

    /// Whether ISC sent it: the fake peer of 6b names itself in its vendor class.
    fn sent_by_isc(&self) -> bool {
        self.options
            .iter()
            .all(|(code, _, value)| *code != 28 || value.starts_with("'isc-"))
    }

    fn check(&self, message: &Message, raw: &[u8], place: &str) {
        let field = |name: &str| self.fields.get(name).map(String::as_str).unwrap_or("?");
        assert_eq!(
            self.name,
            format!("{:?}", message.kind).to_uppercase(),
            "{place}"
        );
        assert_eq!(field("type"), message.kind.code().to_string(), "{place}");
        assert_eq!(field("len"), raw.len().to_string(), "{place}");
        assert_eq!(field("off"), raw[3].to_string(), "{place}");
        assert_eq!(field("time"), message.time.to_string(), "{place}");
        assert_eq!(self.xid, message.xid.to_string(), "{place}");
        assert_eq!(self.header, raw[..12], "{place}: header bytes");
        let mut shown: Vec<_> = self
            .options
            .iter()
            .inspect(|(code, ..)| {
                let kept = OptionCode::from_code(*code).is_some_and(|o| message.kind.carries(o));
                assert!(
                    kept,
                    "{place}: option {code} outside ISC's mask for the type"
                );
            })
            .map(|(code, len, value)| (*code, *len, value.clone()))
            .collect();
        shown.sort();
        let mine: Vec<_> = (1..=29)
            .filter_map(|code| printed(message, code).map(|(len, value)| (code, len, value)))
            .collect();
        assert_eq!(
            mine.len(),
            shown.len(),
            "{place}: options {mine:?} vs {shown:?}"
        );
        for (mine, shown) in mine.iter().zip(&shown) {
            let (code, len, value) = shown;
            assert_eq!((mine.0, mine.1), (*code, *len), "{place}: option {code}");
            if *code == 21 {
                let (number, label) = value.split_once(" (").expect("reason label");
                let reason = message.reject_reason.expect("reason");
                assert_eq!(number, reason.code().to_string(), "{place}");
                let label = label.trim_end_matches(')').to_lowercase();
                assert!(
                    reason.text().to_lowercase().contains(&label),
                    "{place}: {label}"
                );
                assert_eq!(mine.2, number, "{place}");
            } else {
                assert_eq!(&mine.2, value, "{place}: option {code}");
            }
        }
    }
}

/// `code name len=N value…` after `opt`, without the name.
fn option_line(option: &str) -> (u16, usize, String) {
    let mut rest = option.trim_start();
    let mut word = || {
        let (word, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        rest = tail.trim_start();
        word.to_string()
    };
    let code = word().parse().expect("option code");
    let _name = word();
    let len = word()
        .trim_start_matches("len=")
        .parse()
        .expect("option length");
    (code, len, rest.trim().to_string())
}

fn endpoint(text: &str) -> (Ipv4Addr, u16) {
    let (ip, port) = text.rsplit_once(':').expect("ip:port");
    (ip.parse().expect("ip"), port.parse().expect("port"))
}

/// Our typed field for `code`, printed as `decode.py` prints that option: its length, and
/// its value (for reject-reason only the number; the label is checked separately).
fn printed(m: &Message, code: u16) -> Option<(usize, String)> {
    let time = |t: Option<u32>| {
        t.map(|t| match t {
            0 => (4, "0".to_string()),
            t => (
                4,
                format!(
                    "{t} ({} UTC, hdr{:+} s)",
                    utc(t),
                    i64::from(t) - i64::from(m.time)
                ),
            ),
        })
    };
    let number = |n: Option<u32>, len| n.map(|n| (len, n.to_string()));
    let hex0x = |b: &Option<Vec<u8>>| b.as_ref().map(|b| (b.len(), format!("0x{}", hex(b))));
    let text = |b: &Option<Vec<u8>>| b.as_ref().map(|b| (b.len(), python_repr(b)));
    match code {
        1 => number(m.addresses_transferred, 4),
        2 => m.assigned_ip.map(|ip| (4, ip.to_string())),
        3 => m.binding_status.map(|s| {
            let name = s
                .known()
                .map_or("?".to_string(), |s| s.as_str().to_uppercase());
            (1, format!("{} ({name})", s.code()))
        }),
        4 | 7 | 8 | 9 | 17 | 29 => hex0x(match code {
            4 => &m.client_id,
            7 => &m.client_reply_options,
            8 => &m.client_request_options,
            9 => &m.ddns,
            17 => &m.message_digest,
            _ => &m.vendor_specific,
        }),
        5 => m.chaddr.as_ref().map(|c| match c.htype() {
            Some(htype) => (
                c.as_wire().len(),
                format!("htype={htype} {}", colons(c.addr())),
            ),
            None => (0, "0x".to_string()),
        }),
        6 => time(m.cltt),
        10 => number(m.delayed_service.map(u32::from), 1),
        11 => m.hba.as_ref().map(|h| {
            let bits: u32 = h.iter().map(|b| b.count_ones()).sum();
            (
                h.len(),
                format!("{} ({bits} of {} bits set)", hex(h), h.len() * 8),
            )
        }),
        12 => m.ip_flags.map(|f| {
            let names = [(1, "RESERVED"), (2, "BOOTP")]
                .into_iter()
                .filter(|(b, _)| f & b != 0);
            let names: Vec<_> = names.map(|(_, n)| n).collect();
            (
                2,
                format!("0x{f:04x} {}", names.join("|")).trim().to_string(),
            )
        }),
        13 => time(m.lease_expiration),
        14 => number(m.max_unacked, 4),
        15 => number(m.mclt, 4),
        16 => text(&m.message),
        18 => time(m.potential_expiration),
        19 => number(m.receive_timer, 4),
        20 => number(m.protocol_version.map(u32::from), 1),
        21 => m.reject_reason.map(|r| (1, r.code().to_string())),
        22 => text(&m.relationship_name),
        23 => m.server_flags.map(|f| {
            (
                1,
                format!("0x{f:02x}{}", if f & 1 != 0 { " (STARTUP)" } else { "" }),
            )
        }),
        24 => m.server_state.map(|s| {
            let name = s.known().map_or("?", |s| s.as_str());
            (1, format!("{} ({name})", s.code()))
        }),
        25 => time(m.start_time_of_state),
        26 => number(m.tls_reply.map(u32::from), 1),
        27 => number(m.tls_request.map(u32::from), 1),
        28 => text(&m.vendor_class),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn colons(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// Python's `repr()` of the bytes read as latin-1, for the printable ASCII the captures hold.
fn python_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ if char::from(b) == quote => out.extend(['\\', quote]),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
    out
}

/// `YYYY-MM-DD HH:MM:SS` in UTC, from the lease file's `W YYYY/MM/DD HH:MM:SS`.
fn utc(t: u32) -> String {
    let isc = Timestamp(u64::from(t)).to_string();
    let (_weekday, date_time) = isc.split_once(' ').expect("weekday");
    date_time.replace('/', "-")
}

/// The failover messages of one pcap: (connection number, `P>S` or `S>P`, bytes), in
/// stream order per direction, and the endpoints of each connection number.
struct Captured {
    messages: Vec<(usize, String, Vec<u8>)>,
    connections: HashMap<usize, [(Ipv4Addr, u16); 2]>,
}

/// One direction of a TCP connection being reassembled.
struct Stream {
    next: u32,
    /// Segments not yet in order, by sequence number, in arrival order.
    pending: Vec<(u32, Vec<u8>)>,
    framer: Framer,
}

fn messages(pcap: &Path, roles: &HashMap<Ipv4Addr, char>) -> Captured {
    let data = std::fs::read(pcap).expect("pcap");
    let mut captured = Captured {
        messages: Vec::new(),
        connections: HashMap::new(),
    };
    let mut numbers: HashMap<[(Ipv4Addr, u16); 2], usize> = HashMap::new();
    let mut streams: HashMap<(Ipv4Addr, u16, Ipv4Addr, u16), Stream> = HashMap::new();
    for frame in frames(&data, pcap) {
        let Some(seg) = tcp_segment(frame) else {
            continue;
        };
        if !PORTS.contains(&seg.sport) && !PORTS.contains(&seg.dport) {
            continue;
        }
        let mut pair = [(seg.src, seg.sport), (seg.dst, seg.dport)];
        pair.sort();
        let next_number = numbers.len() + 1;
        let conn = *numbers.entry(pair).or_insert(next_number);
        captured.connections.insert(conn, pair);
        let role = |ip| roles.get(&ip).map_or(ip.to_string(), char::to_string);
        let direction = format!("{}>{}", role(seg.src), role(seg.dst));
        let key = (seg.src, seg.sport, seg.dst, seg.dport);
        let fresh = |next| Stream {
            next,
            pending: Vec::new(),
            framer: Framer::new(),
        };
        if seg.syn {
            streams.insert(key, fresh(seg.seq.wrapping_add(1)));
            continue;
        }
        if seg.payload.is_empty() {
            continue;
        }
        let stream = streams.entry(key).or_insert_with(|| fresh(seg.seq));
        match stream.pending.iter_mut().find(|(seq, _)| *seq == seg.seq) {
            Some(slot) => slot.1 = seg.payload.to_vec(),
            None => stream.pending.push((seg.seq, seg.payload.to_vec())),
        }
        while let Some(i) = stream
            .pending
            .iter()
            .position(|(seq, _)| stream.next.wrapping_sub(*seq) < 0x8000_0000)
        {
            let (seq, bytes) = stream.pending.remove(i);
            let skip = stream.next.wrapping_sub(seq) as usize;
            if skip < bytes.len() {
                let place = format!("{}: {direction}", pcap.display());
                stream
                    .framer
                    .push(&bytes[skip..])
                    .unwrap_or_else(|e| panic!("{place}: {e}"));
                stream.next = seq.wrapping_add(bytes.len() as u32);
            }
        }
        while let Some(message) = stream.framer.pop() {
            captured.messages.push((conn, direction.clone(), message));
        }
    }
    captured
}

/// The frames of a classic little- or big-endian pcap file with Ethernet link type.
fn frames<'a>(data: &'a [u8], pcap: &Path) -> Vec<&'a [u8]> {
    let u32_at = |at: usize, little: bool| {
        let b: [u8; 4] = data[at..at + 4].try_into().expect("4 bytes");
        if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let little = match data.get(..4) {
        Some([0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1]) => true,
        Some([0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d]) => false,
        _ => panic!("{}: not a classic pcap file", pcap.display()),
    };
    let link = u32_at(20, little);
    assert_eq!(
        link,
        1,
        "{}: only Ethernet captures are read",
        pcap.display()
    );
    let mut frames = Vec::new();
    let mut at = 24;
    while at + 16 <= data.len() {
        let (incl, orig) = (
            u32_at(at + 8, little) as usize,
            u32_at(at + 12, little) as usize,
        );
        assert_eq!(incl, orig, "{}: truncated frame", pcap.display());
        frames.push(&data[at + 16..at + 16 + incl]);
        at += 16 + incl;
    }
    frames
}

struct Segment<'a> {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    sport: u16,
    dport: u16,
    seq: u32,
    syn: bool,
    payload: &'a [u8],
}

/// The TCP segment in an Ethernet frame carrying IPv4, if it is one.
fn tcp_segment(frame: &[u8]) -> Option<Segment<'_>> {
    let be16 = |b: &[u8], at: usize| u16::from_be_bytes([b[at], b[at + 1]]);
    if frame.len() < 14 || be16(frame, 12) != 0x0800 {
        return None;
    }
    let ip = &frame[14..];
    let header = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(be16(ip, 2));
    if ip[9] != 6 {
        return None;
    }
    let tcp = &ip[header..total];
    let offset = usize::from(tcp[12] >> 4) * 4;
    Some(Segment {
        src: Ipv4Addr::new(ip[12], ip[13], ip[14], ip[15]),
        dst: Ipv4Addr::new(ip[16], ip[17], ip[18], ip[19]),
        sport: be16(tcp, 0),
        dport: be16(tcp, 2),
        seq: u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]),
        syn: tcp[13] & 0x02 != 0,
        payload: &tcp[offset..],
    })
}
