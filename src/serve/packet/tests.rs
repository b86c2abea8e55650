//! The packet layer on hand-built bytes: what is dropped and why, what survives bad bytes,
//! option 82 echoed unchanged, the reply's option order and size.

use std::net::Ipv4Addr;

use dhcproto::v4::{DhcpOption, Message, MessageType, OptionCode};
use dhcproto::{Decodable, Encodable};
use proptest::prelude::*;

use super::*;
use crate::serve::config::Params;

const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

/// A BOOTREQUEST from 02:00:00:00:00:01 with `options` after the cookie (END added).
fn request_bytes(options: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 236];
    b[0] = 1;
    b[1] = 1;
    b[2] = 6;
    b[4..8].copy_from_slice(&0x1234_5678u32.to_be_bytes());
    b[28..34].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    b.extend_from_slice(&request::COOKIE);
    b.extend_from_slice(options);
    b.push(255);
    b
}

fn discover_with(extra: &[u8]) -> Vec<u8> {
    let mut opts = vec![53, 1, 1];
    opts.extend_from_slice(extra);
    request_bytes(&opts)
}

/// A reply's options as a client reads them (the overloaded fields included), in wire order:
/// the reply with its op code turned into a request's, through the request decoder.
fn reply_options(bytes: &[u8]) -> Vec<request::RawOption> {
    let mut b = bytes.to_vec();
    b[0] = 1;
    decode(&b).expect("the reply decodes").options().to_vec()
}

/// The codes of the main options field in wire order.
fn main_codes(bytes: &[u8]) -> Vec<u8> {
    let mut codes = Vec::new();
    let mut rest = &bytes[240..];
    while let [c, tail @ ..] = rest {
        match *c {
            0 => rest = tail,
            255 => break,
            c => {
                let len = usize::from(tail[0]);
                codes.push(c);
                rest = &tail[1 + len..];
            }
        }
    }
    codes
}

fn offer_for(req: &Request) -> Reply {
    let mut r = reply(req, MessageType::Offer, SERVER);
    r.set_yiaddr(Ipv4Addr::new(10, 0, 0, 100));
    let mut p = Params::default();
    p.set_option(15, b"example.org".to_vec());
    p.set_option(3, vec![10, 0, 0, 1]);
    p.set_option(1, vec![255, 255, 255, 0]);
    p.set_option(6, vec![10, 0, 0, 53]);
    p.set_option(42, vec![10, 0, 0, 123]);
    add_params(&mut r, &p);
    add_lease_time(&mut r, 600);
    r
}

#[test]
fn a_dhcproto_request_round_trips_and_gets_a_reply_of_its_shape() {
    let mut m = Message::new_with_id(
        7,
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::UNSPECIFIED,
        &[2, 0, 0, 0, 0, 1],
    );
    m.opts_mut()
        .insert(DhcpOption::MessageType(MessageType::Discover));
    let req = Request::from_message(&m).expect("decodes");
    assert_eq!(mac_string(&req), "02:00:00:00:00:01");
    assert_eq!(ethernet(&req), Some([2, 0, 0, 0, 0, 1]));
    let bytes = encode(&offer_for(&req));
    let back = Message::from_bytes(&bytes).expect("dhcproto reads the reply");
    assert_eq!(back.opcode(), dhcproto::v4::Opcode::BootReply);
    assert_eq!(back.xid(), 7);
    assert_eq!(back.chaddr(), &[2, 0, 0, 0, 0, 1]);
    assert_eq!(back.opts().msg_type(), Some(MessageType::Offer));
    assert!(matches!(
        back.opts().get(OptionCode::Router),
        Some(DhcpOption::Router(r)) if r == &vec![Ipv4Addr::new(10, 0, 0, 1)]
    ));
    assert!(matches!(
        back.opts().get(OptionCode::Rebinding),
        Some(DhcpOption::Rebinding(525))
    ));
    // Padded to the BOOTP minimum, as ISC does.
    assert!(bytes.len() >= 300);
}

#[test]
fn what_is_not_a_dhcp_request_is_dropped_with_its_reason() {
    let before = malformed::count_of(Malformed::BadHlen);
    let cases: Vec<(Vec<u8>, Malformed)> = vec![
        (vec![1, 1, 6, 0], Malformed::Short),
        (
            {
                let mut b = discover_with(&[]);
                b[2] = 200;
                b
            },
            Malformed::BadHlen,
        ),
        (
            {
                let mut b = discover_with(&[]);
                b[0] = 2;
                b
            },
            Malformed::NotRequest,
        ),
        (
            request_bytes(&[12, 2, b'a', b'b']),
            Malformed::NoMessageType,
        ),
        (request_bytes(&[53, 2, 1, 1]), Malformed::BadMessageType),
        (
            request_bytes(&[53, 1, 1, 12, 9, b'a']),
            Malformed::TruncatedOption,
        ),
        // A REQUEST with neither option 50 nor ciaddr; a DECLINE without option 50.
        (request_bytes(&[53, 1, 3]), Malformed::NoAddress),
        (request_bytes(&[53, 1, 4]), Malformed::NoAddress),
    ];
    for (bytes, why) in cases {
        assert_eq!(decode(&bytes), Err(why), "{bytes:?}");
        why.count();
    }
    assert!(malformed::count_of(Malformed::BadHlen) > before);
    assert!(malformed::summary().contains("bad-hlen"));
}

#[test]
fn a_packet_without_the_magic_cookie_is_not_dhcp() {
    // Issue 12, point 1: de:ad:be:ef and all zeros where the cookie belongs.
    for cookie in [[0xde, 0xad, 0xbe, 0xef], [0, 0, 0, 0]] {
        let mut b = discover_with(&[]);
        b[236..240].copy_from_slice(&cookie);
        assert_eq!(decode(&b), Err(Malformed::BadCookie));
    }
    assert!(decode(&discover_with(&[])).is_ok());
}

#[test]
fn a_latin1_host_name_keeps_the_options_after_it() {
    // Issue 12, point 2: option 12 "caf\xe9-pc" (Latin-1) before options 50 and 54.
    let mut opts = vec![53, 1, 3, 12, 7];
    opts.extend_from_slice(b"caf\xe9-pc");
    opts.extend_from_slice(&[50, 4, 10, 0, 0, 100, 54, 4, 10, 0, 0, 1, 61, 3, 1, 2, 3]);
    let req = decode(&request_bytes(&opts)).expect("decodes");
    assert_eq!(req.msg_type(), MessageType::Request);
    assert_eq!(req.requested_ip(), Some(Ipv4Addr::new(10, 0, 0, 100)));
    assert_eq!(req.server_id(), Some(SERVER));
    assert_eq!(req.client_id(), Some(&[1, 2, 3][..]));
    assert_eq!(req.hostname(), Some(&b"caf\xe9-pc"[..]));
    assert_eq!(hostname(&req).as_deref(), Some("caf\u{fffd}-pc"));
    assert_eq!(hostname_for_log(&req).as_deref(), Some("caf\\351-pc"));
    // The client's order is kept.
    let codes: Vec<u8> = req.options().iter().map(|o| o.code).collect();
    assert_eq!(codes, [53, 12, 50, 54, 61]);
}

#[test]
fn options_of_the_wrong_length_are_ignored_not_fatal() {
    // A requested address of 3 octets, a lease time of 2, a server identifier of 5, a
    // subnet selection of 1: each is as if absent; the message is still served.
    let req = decode(&discover_with(&[
        50, 3, 1, 2, 3, 51, 2, 0, 1, 54, 5, 1, 2, 3, 4, 5, 118, 1, 9, 12, 3, b'p', b'c', b'1',
    ]))
    .expect("decodes");
    assert_eq!(req.requested_ip(), None);
    assert_eq!(req.requested_lease(), None);
    assert_eq!(req.server_id(), None);
    assert_eq!(req.subnet_selection(), None);
    assert_eq!(req.hostname(), Some(&b"pc1"[..]));
}

#[test]
fn an_empty_or_long_overload_option_is_ignored() {
    // Found by the serve_packet fuzz target: option 52 of length 0 (and one of length 2)
    // must not be read past its end.
    for extra in [&[52u8, 0][..], &[52, 2, 3, 3]] {
        let mut b = discover_with(extra);
        // An option 50 that is read only if `file` is taken for options.
        b[108..115].copy_from_slice(&[50, 4, 10, 0, 0, 7, 255]);
        assert!(decode(&b).is_ok_and(|r| r.requested_ip().is_none()));
    }
}

#[test]
fn split_options_are_joined_and_overloaded_fields_are_read() {
    // RFC 3396: two pieces of option 12. RFC 2132 §9.3: options in file and sname.
    let mut b = discover_with(&[12, 2, b'a', b'b', 52, 1, 3, 12, 2, b'c', b'd']);
    b[108..115].copy_from_slice(&[50, 4, 10, 0, 0, 7, 255]);
    b[44..48].copy_from_slice(&[51, 2, 0, 0]);
    b[48] = 255;
    let req = decode(&b).expect("decodes");
    assert_eq!(req.hostname(), Some(&b"abcd"[..]));
    assert_eq!(req.requested_ip(), Some(Ipv4Addr::new(10, 0, 0, 7)));
    assert!(req.option(51).is_some());
}

/// Option 82 as issue 12 found it garbled: sub-options out of order, a circuit id twice,
/// a DOCSIS device class (sub-option 4) of length 2, a link selection of length 3.
const ODD_RELAY_INFO: [u8; 22] = [
    2, 3, b'r', b'e', b'm', // remote id first
    1, 2, b'p', b'1', // circuit id
    4, 2, 0, 1, // DOCSIS device class, 2 octets instead of 4
    1, 2, b'p', b'2', // circuit id again
    5, 3, 10, 1, 0, // link selection of 3 octets
];

#[test]
fn option_82_goes_back_byte_for_byte_and_last() {
    let mut extra = vec![82, ODD_RELAY_INFO.len() as u8];
    extra.extend_from_slice(&ODD_RELAY_INFO);
    let req = decode(&discover_with(&extra)).expect("decodes");
    let info = req.relay_info().expect("option 82");
    assert_eq!(info.remote_id(), Some(&b"rem"[..]));
    assert_eq!(info.circuit_id(), Some(&b"p1"[..]));
    assert_eq!(info.link_selection(), None, "3 octets is no address");
    let bytes = encode(&offer_for(&req));
    let opts = reply_options(&bytes);
    let last = opts.last().expect("options");
    assert_eq!(last.code, 82);
    assert_eq!(last.data, ODD_RELAY_INFO);
    // On the wire: the same TLV, right before END.
    let mut tlv = vec![82, ODD_RELAY_INFO.len() as u8];
    tlv.extend_from_slice(&ODD_RELAY_INFO);
    let end = bytes.iter().rposition(|b| *b == 255).expect("END");
    assert_eq!(&bytes[end - tlv.len()..end], &tlv[..]);
}

#[test]
fn an_option_82_too_long_to_echo_is_left_out_not_the_reply() {
    // 1100 octets of relay information (five pieces, RFC 3396): more than ISC's 1024.
    let mut extra = Vec::new();
    for piece in vec![7u8; 1100].chunks(255) {
        extra.extend_from_slice(&[82, piece.len() as u8]);
        extra.extend_from_slice(piece);
    }
    let req = decode(&discover_with(&extra)).expect("decodes");
    assert_eq!(req.relay_info_raw().map(<[u8]>::len), Some(1100));
    let (bytes, left_out) = encode::encode_reply(&offer_for(&req));
    assert_eq!(left_out, [82]);
    assert!(bytes.len() + 28 <= 576);
    let opts = reply_options(&bytes);
    assert_eq!(opts.first().map(|o| o.code), Some(53));
    assert!(!opts.iter().any(|o| o.code == 82));
}

#[test]
fn link_selection_and_server_identifier_override_are_read() {
    let info = [5, 4, 10, 1, 0, 0, 11, 4, 192, 0, 2, 1, 6, 2, b's', b'1'];
    let r = relay::RelayInfo::new(&info);
    assert_eq!(r.link_selection(), Some(Ipv4Addr::new(10, 1, 0, 0)));
    assert_eq!(r.server_id_override(), Some(Ipv4Addr::new(192, 0, 2, 1)));
    assert_eq!(r.subscriber_id(), Some(&b"s1"[..]));
    // A sub-option cut short ends the walk without losing the ones before.
    let cut = [1, 2, b'a', b'b', 2, 9, b'x'];
    let r = relay::RelayInfo::new(&cut);
    assert_eq!(r.circuit_id(), Some(&b"ab"[..]));
    assert_eq!(r.remote_id(), None);
}

#[test]
fn log_text_cannot_start_a_line_or_carry_control_bytes() {
    // Issue 12, point 4.
    let forged = b"pc\n2026-01-01T00:00:00Z  INFO dhcpfo serve stopped: FORGED\x1b[2J";
    let safe = escape(forged);
    assert!(!safe.contains('\n') && !safe.contains('\x1b'));
    assert!(safe.starts_with("pc\\012"));
    assert!(safe.ends_with("\\033[2J"));
    assert_eq!(escape(b"a\\b\"c$d"), "a\\\\b\\\"c\\$d");
    assert_eq!(escape("M\u{fc}ller".as_bytes()), "M\\303\\274ller");
}

#[test]
fn reply_options_go_out_53_54_lease_times_then_the_clients_order_then_the_rest() {
    // Issue 12, point 6: the client asks for 6, 3, 1, 15 (in that order) and 51.
    let req = decode(&discover_with(&[55, 5, 6, 3, 1, 15, 51])).expect("decodes");
    let bytes = encode(&offer_for(&req));
    assert_eq!(main_codes(&bytes), [53, 54, 51, 58, 59, 6, 3, 1, 15, 42]);
    // No option 55: the protocol's options, then by code.
    let req = decode(&discover_with(&[])).expect("decodes");
    let bytes = encode(&offer_for(&req));
    assert_eq!(main_codes(&bytes), [53, 54, 51, 58, 59, 1, 3, 6, 15, 42]);
}

/// An offer with options that do not fit in 576 octets: 40 routers (160 octets), a 200-octet
/// domain search list, a 100-octet root path.
fn big_offer(req: &Request) -> Reply {
    let mut r = offer_for(req);
    let mut p = Params::default();
    p.set_option(3, (0..160).map(|i| i as u8).collect());
    p.set_option(119, vec![b'x'; 200]);
    p.set_option(17, vec![b'/'; 100]);
    add_params(&mut r, &p);
    r
}

#[test]
fn a_reply_never_exceeds_the_clients_maximum_and_overflows_into_file_and_sname() {
    // Option 57 of 576: the reply (IP and UDP headers included) fits, with overload.
    let req = decode(&discover_with(&[57, 2, 2, 64, 55, 3, 3, 119, 17])).expect("decodes");
    assert_eq!(req.max_message_size(), Some(576));
    let (bytes, left_out) = encode::encode_reply(&big_offer(&req));
    assert!(bytes.len() + 28 <= 576, "{} octets", bytes.len());
    let opts = reply_options(&bytes);
    let overload = opts.iter().find(|o| o.code == 52).expect("option overload");
    assert_ne!(overload.data[0], 0);
    for code in [53, 54, 51, 3] {
        assert!(opts.iter().any(|o| o.code == code), "option {code} missing");
    }
    // What did not fit is the least important: never 53, 54 or 51.
    assert!(!left_out.is_empty());
    assert!(!left_out.iter().any(|c| [53, 54, 51].contains(c)));
    // Option 57 of 1500: everything fits in the options field.
    let req = decode(&discover_with(&[57, 2, 5, 220])).expect("decodes");
    let (bytes, left_out) = encode::encode_reply(&big_offer(&req));
    assert!(left_out.is_empty());
    assert!(!reply_options(&bytes).iter().any(|o| o.code == 52));
    assert!(bytes.len() + 28 <= 1500);
    // No option 57: 576.
    let req = decode(&discover_with(&[])).expect("decodes");
    assert!(encode(&big_offer(&req)).len() + 28 <= 576);
}

#[test]
fn a_malformed_maximum_message_size_is_ignored_not_fatal() {
    // Three octets, and a value under 576: the request is still served, at 576.
    for extra in [&[57u8, 3, 5, 220, 0][..], &[57, 2, 1, 0], &[57, 0]] {
        let req = decode(&discover_with(extra)).expect("decodes");
        assert_eq!(req.max_message_size(), None);
        assert!(encode(&big_offer(&req)).len() + 28 <= 576);
    }
}

#[test]
fn a_filename_keeps_the_file_field_out_of_overload() {
    let req = decode(&discover_with(&[])).expect("decodes");
    let mut r = big_offer(&req);
    r.set_fname_str("pxelinux.0");
    let bytes = encode(&r);
    assert_eq!(&bytes[108..118], b"pxelinux.0");
    let opts = reply_options(&bytes);
    if let Some(o) = opts.iter().find(|o| o.code == 52) {
        assert_eq!(o.data, [2], "only sname may be overloaded");
    }
}

fn any_option() -> impl Strategy<Value = (u8, Vec<u8>)> {
    (1u8..=254, proptest::collection::vec(any::<u8>(), 0..40))
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
        if let Ok(m) = decode(&bytes) {
            let _ = mac_string(&m);
            let _ = client_key(&m);
            let _ = hostname_for_log(&m);
            let _ = m.relay_info().map(|r| (r.link_selection(), r.server_id_override()));
            let _ = encode(&offer_for(&m));
            let _ = encode(&reply(&m, MessageType::Nak, Ipv4Addr::LOCALHOST));
        }
    }

    /// Whatever options come before and between them, the message type, the requested
    /// address and the server identifier are read, and every option's bytes are kept.
    #[test]
    fn every_option_survives_its_neighbours(
        before in proptest::collection::vec(any_option(), 0..6),
        between in proptest::collection::vec(any_option(), 0..6),
    ) {
        let known = |c: u8| [0u8, 50, 52, 53, 54, 255].contains(&c);
        let before: Vec<_> = before.into_iter().filter(|(c, _)| !known(*c)).collect();
        let between: Vec<_> = between.into_iter().filter(|(c, _)| !known(*c)).collect();
        let mut opts = Vec::new();
        for (c, d) in &before {
            opts.extend_from_slice(&[*c, d.len() as u8]);
            opts.extend_from_slice(d);
        }
        opts.extend_from_slice(&[53, 1, 3, 50, 4, 10, 0, 0, 9]);
        for (c, d) in &between {
            opts.extend_from_slice(&[*c, d.len() as u8]);
            opts.extend_from_slice(d);
        }
        opts.extend_from_slice(&[54, 4, 10, 0, 0, 1]);
        let req = decode(&request_bytes(&opts)).expect("decodes");
        prop_assert_eq!(req.msg_type(), MessageType::Request);
        prop_assert_eq!(req.requested_ip(), Some(Ipv4Addr::new(10, 0, 0, 9)));
        prop_assert_eq!(req.server_id(), Some(SERVER));
        for (c, _) in before.iter().chain(&between) {
            let joined: Vec<u8> = before.iter().chain(&between)
                .filter(|(k, _)| k == c).flat_map(|(_, d)| d.clone()).collect();
            prop_assert_eq!(req.option(*c), Some(&joined[..]));
        }
    }

    /// Option 82 is echoed byte for byte whatever it holds; the reply stays within the
    /// client's maximum size and always carries 53 and 54.
    #[test]
    fn replies_echo_option_82_and_respect_the_size(
        info in proptest::collection::vec(any::<u8>(), 0..120),
        size in 500u16..1600,
        wanted in proptest::collection::vec(any::<u8>(), 0..20),
        extra in proptest::collection::vec(any_option(), 0..12),
    ) {
        let mut opts = vec![57, 2];
        opts.extend_from_slice(&size.to_be_bytes());
        opts.extend_from_slice(&[55, wanted.len() as u8]);
        opts.extend_from_slice(&wanted);
        opts.extend_from_slice(&[82, info.len() as u8]);
        opts.extend_from_slice(&info);
        let req = decode(&discover_with(&opts)).expect("decodes");
        let mut r = offer_for(&req);
        let mut p = Params::default();
        for (c, d) in &extra {
            if ![0u8, 52, 53, 54, 82, 255].contains(c) {
                p.set_option(*c, d.clone());
            }
        }
        add_params(&mut r, &p);
        let (bytes, _) = encode::encode_reply(&r);
        let limit = (usize::from(size).clamp(576, 1500) + info.len() + 2).min(1500);
        prop_assert!(bytes.len() + 28 <= limit, "{} octets", bytes.len());
        let got = reply_options(&bytes);
        prop_assert_eq!(got.iter().find(|o| o.code == 82).map(|o| o.data.clone()), Some(info));
        prop_assert_eq!(got.first().map(|o| o.code), Some(53));
        prop_assert!(got.iter().any(|o| o.code == 54));
    }

    /// Point 1: any four octets but the magic cookie make the packet not DHCP.
    #[test]
    fn any_other_cookie_is_not_dhcp(cookie in any::<[u8; 4]>()) {
        prop_assume!(cookie != [99, 130, 83, 99]);
        let mut b = discover_with(&[]);
        b[236..240].copy_from_slice(&cookie);
        prop_assert_eq!(decode(&b), Err(Malformed::BadCookie));
    }

    /// Points 2 and 4: whatever bytes a host name holds, the options after it are read,
    /// the name is kept as sent, and its log text has no control character, no newline
    /// and no byte outside printable ASCII.
    #[test]
    fn any_host_name_keeps_what_follows_and_logs_on_one_line(
        name in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let mut opts = vec![53, 1, 3, 12, name.len() as u8];
        opts.extend_from_slice(&name);
        opts.extend_from_slice(&[50, 4, 10, 0, 0, 100, 54, 4, 10, 0, 0, 1]);
        let req = decode(&request_bytes(&opts)).expect("decodes");
        prop_assert_eq!(req.requested_ip(), Some(Ipv4Addr::new(10, 0, 0, 100)));
        prop_assert_eq!(req.server_id(), Some(SERVER));
        prop_assert_eq!(req.hostname(), Some(&name[..]));
        let logged = hostname_for_log(&req).expect("a host name");
        prop_assert!(
            logged.bytes().all(|b| (0x20..0x7f).contains(&b)),
            "{:?}", logged
        );
    }

    #[test]
    fn mutated_requests_never_panic(pos in 0usize..300, val in any::<u8>(), cut in 240usize..320) {
        let mut bytes = discover_with(&[50, 4, 10, 0, 0, 5, 61, 3, 1, 2, 3, 82, 4, 1, 2, 0, 1]);
        if pos < bytes.len() { bytes[pos] = val; }
        bytes.truncate(cut.min(bytes.len()));
        if let Ok(m) = decode(&bytes) {
            let _ = encode(&reply(&m, MessageType::Ack, Ipv4Addr::LOCALHOST));
        }
    }
}

#[test]
fn dhcproto_encodes_requests_the_decoder_reads() {
    let mut m = Message::default();
    m.opts_mut()
        .insert(DhcpOption::MessageType(MessageType::Inform));
    m.opts_mut().insert(DhcpOption::Hostname("pc".into()));
    let bytes = m.to_vec().expect("encodes");
    let req = decode(&bytes).expect("decodes");
    assert_eq!(req.msg_type(), MessageType::Inform);
    assert_eq!(req.hostname(), Some(&b"pc"[..]));
}
