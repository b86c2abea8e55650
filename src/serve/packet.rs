//! DHCPv4 packets: decoding with dhcproto (malformed input is dropped and counted, never a
//! panic), the facts the engine reads from a request, and reply building.

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering};

use dhcproto::v4::{DhcpOption, Message, MessageType, Opcode, OptionCode, UnknownOption};
use dhcproto::{Decodable, Encodable};

use super::config::Params;
use super::leases::ClientKey;

/// Packets dropped because they could not be decoded or made no sense.
pub static MALFORMED: AtomicU64 = AtomicU64::new(0);

/// The smallest BOOTP message (RFC 951: 236 octets before the options, plus the cookie).
const MIN_LEN: usize = 240;

/// Decodes a request; `None` (and the malformed counter bumped) for anything that is not a
/// well-formed BOOTREQUEST with a DHCP message type.
pub fn decode(bytes: &[u8]) -> Option<Message> {
    let ok = bytes.len() >= MIN_LEN && bytes[0] == 1 && bytes[2] <= 16;
    let msg = if ok && options_well_formed(&bytes[MIN_LEN..]) {
        // The guards above cover what dhcproto would index or subtract out of bounds (hlen,
        // option lengths); catching an unwind is the last net, never the plan.
        std::panic::catch_unwind(|| Message::from_bytes(bytes).ok()).unwrap_or(None)
    } else {
        None
    };
    let msg = msg.filter(|m| m.opcode() == Opcode::BootRequest && m.opts().msg_type().is_some());
    if msg.is_none() {
        MALFORMED.fetch_add(1, Ordering::Relaxed);
    }
    msg
}

/// Whether every option has a length its decoder accepts: the options dhcproto decodes with
/// a fixed or minimum length (where it would assert or underflow on another one), and those
/// the engine reads.
fn options_well_formed(mut opts: &[u8]) -> bool {
    while let Some((&code, rest)) = opts.split_first() {
        match code {
            0 => {
                opts = rest;
                continue;
            }
            255 => return true,
            _ => {}
        }
        let Some((&len, rest)) = rest.split_first() else {
            return false;
        };
        let len = usize::from(len);
        if rest.len() < len {
            return false;
        }
        let ok = match code {
            53 => len == 1,
            57 => len == 2,
            50 | 51 | 54 | 118 | 152..=155 => len == 4,
            80 => len == 0,
            81 => len >= 3,
            94 => len == 3,
            151 => len >= 1,
            _ => true,
        };
        if !ok {
            return false;
        }
        opts = &rest[len..];
    }
    // No end option: dhcproto stops at the end of the buffer.
    true
}

/// Number of malformed packets dropped so far.
pub fn malformed_count() -> u64 {
    MALFORMED.load(Ordering::Relaxed)
}

/// Encodes a reply (dhcproto writes option 82 last, as RFC 3046 asks).
pub fn encode(msg: &Message) -> Option<Vec<u8>> {
    msg.to_vec().ok()
}

/// The client's hardware address as dhcpd prints it (`52:54:00:aa:bb:cc`).
pub fn mac_string(msg: &Message) -> String {
    msg.chaddr()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The hardware address if it is Ethernet.
pub fn ethernet(msg: &Message) -> Option<[u8; 6]> {
    let hw = msg.chaddr();
    (u8::from(msg.htype()) == 1 && hw.len() == 6).then(|| {
        let mut a = [0u8; 6];
        a.copy_from_slice(hw);
        a
    })
}

/// How the client is identified: option 61, otherwise hardware type and address.
pub fn client_key(msg: &Message) -> ClientKey {
    match msg.opts().get(OptionCode::ClientIdentifier) {
        Some(DhcpOption::ClientIdentifier(id)) if !id.is_empty() => ClientKey::Uid(id.clone()),
        _ => ClientKey::Hw(u8::from(msg.htype()), msg.chaddr().to_vec()),
    }
}

/// The DHCP message type.
pub fn msg_type(msg: &Message) -> Option<MessageType> {
    msg.opts().msg_type()
}

/// Option 50.
pub fn requested_ip(msg: &Message) -> Option<Ipv4Addr> {
    match msg.opts().get(OptionCode::RequestedIpAddress) {
        Some(DhcpOption::RequestedIpAddress(ip)) => Some(*ip),
        _ => None,
    }
}

/// Option 54.
pub fn server_id(msg: &Message) -> Option<Ipv4Addr> {
    match msg.opts().get(OptionCode::ServerIdentifier) {
        Some(DhcpOption::ServerIdentifier(ip)) => Some(*ip),
        _ => None,
    }
}

/// Option 118 (RFC 3011).
pub fn subnet_selection(msg: &Message) -> Option<Ipv4Addr> {
    match msg.opts().get(OptionCode::SubnetSelection) {
        Some(DhcpOption::SubnetSelection(ip)) => Some(*ip),
        _ => None,
    }
}

/// Option 51 in a request.
pub fn requested_lease(msg: &Message) -> Option<u32> {
    match msg.opts().get(OptionCode::AddressLeaseTime) {
        Some(DhcpOption::AddressLeaseTime(t)) => Some(*t),
        _ => None,
    }
}

/// Option 12 sent by the client.
pub fn hostname(msg: &Message) -> Option<String> {
    match msg.opts().get(OptionCode::Hostname) {
        Some(DhcpOption::Hostname(h)) if !h.is_empty() => Some(h.clone()),
        _ => None,
    }
}

/// The reply to `req`: a BOOTREPLY with the same xid, flags, giaddr and chaddr, the message
/// type, the server identifier, option 82 and 118 echoed, and the scope's options.
pub fn reply(req: &Message, kind: MessageType, server: Ipv4Addr) -> Message {
    let mut m = req.clone();
    m.set_opcode(Opcode::BootReply)
        .set_hops(0)
        .set_secs(0)
        .set_ciaddr(Ipv4Addr::UNSPECIFIED)
        .set_yiaddr(Ipv4Addr::UNSPECIFIED)
        .set_siaddr(Ipv4Addr::UNSPECIFIED);
    m.clear_sname();
    m.clear_fname();
    let opts = m.opts_mut();
    opts.clear();
    opts.insert(DhcpOption::MessageType(kind));
    opts.insert(DhcpOption::ServerIdentifier(server));
    for code in [
        OptionCode::RelayAgentInformation,
        OptionCode::SubnetSelection,
    ] {
        if let Some(o) = req.opts().get(code) {
            opts.insert(o.clone());
        }
    }
    m
}

/// Adds a scope's options and boot parameters to a reply (those the client asked for first,
/// then the rest, as dhcpd sends every configured option that fits).
pub fn add_params(m: &mut Message, params: &Params) {
    if let Some(ns) = params.next_server {
        m.set_siaddr(ns);
    }
    if let Some(f) = &params.filename {
        m.set_fname_str(f);
    }
    for (code, bytes) in &params.options {
        m.opts_mut().insert(DhcpOption::Unknown(UnknownOption::new(
            OptionCode::from(*code),
            bytes.clone(),
        )));
    }
}

/// Adds the lease time with T1 (1/2) and T2 (7/8), as dhcpd does.
pub fn add_lease_time(m: &mut Message, secs: u32) {
    let opts = m.opts_mut();
    opts.insert(DhcpOption::AddressLeaseTime(secs));
    opts.insert(DhcpOption::Renewal(secs / 2));
    opts.insert(DhcpOption::Rebinding((secs as u64 * 7 / 8) as u32));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn discover(mac: [u8; 6]) -> Message {
        let mut m = Message::new_with_id(
            7,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            &mac,
        );
        m.opts_mut()
            .insert(DhcpOption::MessageType(MessageType::Discover));
        m
    }

    #[test]
    fn round_trip_and_reply_shape() {
        let bytes = discover([2, 0, 0, 0, 0, 1]).to_vec().expect("encodes");
        let req = decode(&bytes).expect("decodes");
        assert_eq!(mac_string(&req), "02:00:00:00:00:01");
        let mut r = reply(&req, MessageType::Offer, Ipv4Addr::new(10, 0, 0, 1));
        let mut p = Params::default();
        p.set_option(3, vec![10, 0, 0, 1]);
        add_params(&mut r, &p);
        add_lease_time(&mut r, 600);
        let back = Message::from_bytes(&encode(&r).expect("encodes")).expect("decodes");
        assert_eq!(back.opcode(), Opcode::BootReply);
        assert_eq!(back.xid(), 7);
        assert_eq!(back.opts().msg_type(), Some(MessageType::Offer));
        assert!(matches!(
            back.opts().get(OptionCode::Router),
            Some(DhcpOption::Router(r)) if r == &vec![Ipv4Addr::new(10, 0, 0, 1)]
        ));
        assert!(matches!(
            back.opts().get(OptionCode::Rebinding),
            Some(DhcpOption::Rebinding(525))
        ));
    }

    #[test]
    fn short_replies_and_bad_hlen_are_dropped() {
        let before = malformed_count();
        assert!(decode(&[1, 1, 6, 0]).is_none());
        let mut bytes = discover([2, 0, 0, 0, 0, 1]).to_vec().expect("encodes");
        bytes[2] = 200;
        assert!(decode(&bytes).is_none());
        bytes[2] = 6;
        bytes[0] = 2; // a BOOTREPLY is not a request
        assert!(decode(&bytes).is_none());
        assert!(malformed_count() >= before + 3);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Some(m) = decode(&bytes) {
                let _ = mac_string(&m);
                let _ = client_key(&m);
                let _ = encode(&reply(&m, MessageType::Nak, Ipv4Addr::LOCALHOST));
            }
        }

        #[test]
        fn options_with_hazardous_lengths_never_panic(code in prop_oneof![Just(80u8), Just(81), Just(94), Just(151), 152u8..=155, any::<u8>()], len in 0u8..6) {
            let mut bytes = discover([2, 0, 0, 0, 0, 9]).to_vec().expect("encodes");
            bytes.truncate(bytes.len() - 1); // drop the end option
            bytes.extend_from_slice(&[code, len]);
            bytes.extend(std::iter::repeat_n(7u8, usize::from(len)));
            bytes.push(255);
            let _ = decode(&bytes);
        }

        #[test]
        fn mutated_requests_never_panic(pos in 0usize..300, val in any::<u8>(), cut in 240usize..320) {
            let mut bytes = discover([2, 0, 0, 0, 0, 9]).to_vec().expect("encodes");
            bytes.extend_from_slice(&[50, 4, 10, 0, 0, 5, 61, 3, 1, 2, 3, 82, 4, 1, 2, 0, 1, 255]);
            if pos < bytes.len() { bytes[pos] = val; }
            bytes.truncate(cut.min(bytes.len()));
            if let Some(m) = decode(&bytes) {
                let _ = encode(&reply(&m, MessageType::Ack, Ipv4Addr::LOCALHOST));
            }
        }
    }
}
