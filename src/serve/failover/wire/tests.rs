//! Unit tests of the codec: messages as ISC dhcpd 4.4.3 sent them (bytes from the shared
//! captures), every receive rule, the framer, and the load-balancing vectors of digest §7.

use std::net::Ipv4Addr;

use super::*;
use crate::leases::{BindingState, FailoverState};

/// Bytes from a test spelling: hex digits, with `'text'` for ASCII; spaces are ignored.
fn bytes(spec: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut parts = spec.split('\'');
    while let Some(hex) = parts.next() {
        let digits: Vec<char> = hex.chars().filter(|c| !c.is_whitespace()).collect();
        for pair in digits.chunks(2) {
            let text: String = pair.iter().collect();
            out.push(u8::from_str_radix(&text, 16).expect("test hex"));
        }
        if let Some(text) = parts.next() {
            out.extend_from_slice(text.as_bytes());
        }
    }
    out
}

/// A message of `kind` with `options` (raw TLV bytes) and a correct length field.
fn raw(kind: u8, options: &str) -> Vec<u8> {
    let options = bytes(options);
    let mut out = vec![0, 0, kind, 12, 0x6b, 0x0f, 0xd5, 0x1e, 0, 0, 0, 7];
    out.extend_from_slice(&options);
    let len = out.len() as u16;
    out[..2].copy_from_slice(&len.to_be_bytes());
    out
}

const T: u32 = 0x6b0f_d5ba;
const SPLIT_128: &str = "ffffffffffffffffffffffffffffffff 00000000000000000000000000000000";

fn split_128() -> [u8; 32] {
    bytes(SPLIT_128).try_into().expect("32 bytes")
}

fn same_as_isc(ours: Message, isc: &str) {
    let isc = bytes(isc);
    assert_eq!(encode(&ours).expect("encodes"), isc, "{ours:?}");
    assert_eq!(decode(&isc).expect("decodes"), ours);
}

#[test]
fn constructors_build_the_bytes_isc_sent() {
    same_as_isc(Message::poolreq().at(T, 9), "000c010c6b0fd5ba00000009");
    same_as_isc(
        Message::poolresp(3).at(T, 9),
        "0014020c6b0fd5ba000000090001000400000003",
    );
    same_as_isc(
        Message::contact().at(0x6b0f_d715, 3),
        "000c0b0c6b0fd71500000003",
    );
    same_as_isc(
        Message::updreq().at(0x6b0f_d86e, 3),
        "000c090c6b0fd86e00000003",
    );
    same_as_isc(Message::updreqall().at(T, 3), "000c070c6b0fd5ba00000003");
    same_as_isc(Message::upddone().at(T, 3), "000c080c6b0fd5ba00000003");
    same_as_isc(
        Message::state(FailoverState::RecoverWait, false, 0x6b0f_d66c).at(0x6b0f_d66c, 3),
        "001e0a0c6b0fd66c00000003 0018 0001 fe 0017 0001 00 0019 0004 6b0fd66c",
    );
    let connect = Message::connect(
        b"dhcp-failover",
        10,
        60,
        b"isc-4.4.3-P1",
        60,
        Some(split_128()),
    )
    .at(0x6b0f_d6f5, 0);
    same_as_isc(
        connect.clone(),
        &format!(
            "0073050c6b0fd6f500000000 0016000d'dhcp-failover' 000e00040000000a 001300040000003c \
             001c000c'isc-4.4.3-P1' 0014000101 001b000100 000f00040000003c 000b0020 {SPLIT_128}"
        ),
    );
    same_as_isc(
        Message::connect_ack(
            &connect,
            b"dhcp-failover",
            None,
            b"isc-4.4.3-P1",
            Some((
                RejectReason::InvalidPartner,
                "unknown failover relationship name",
            )),
        )
        .at(0x6b0f_d6c3, 0),
        "0062060c6b0fd6c300000000 0016000d'dhcp-failover' 001c000c'isc-4.4.3-P1' 0014000101 \
         001a000100 0015000108 00100022'unknown failover relationship name'",
    );
    same_as_isc(
        Message::disconnect(RejectReason::TimeMismatch, Some("time offset too large"))
            .at(0x6b0f_d6fa, 1),
        "002a0c0c6b0fd6fa00000001 0015000104 00100015'time offset too large'",
    );
    let expired = BindingUpdate {
        ip: Ipv4Addr::new(192, 168, 100, 76),
        status: BindingState::Expired,
        client_id: None,
        chaddr: Some(Chaddr::new(1, &[0x02, 0xcc, 0, 0, 0, 0x0a])),
        ends: 0x6b0f_d5ee,
        tstp: 0x6b0f_d6fc,
        starts: 0x6b0f_d5b2,
        cltt: 0x6b0f_d5b2,
        ip_flags: 0,
    };
    same_as_isc(
        Message::bndupd(&expired).at(0x6b0f_d5ee, 0x2c),
        "0044030c6b0fd5ee0000002c 00020004c0a8644c 0003000103 000500070102cc0000000a \
         000d00046b0fd5ee 001200046b0fd6fc 001900046b0fd5b2 000600046b0fd5b2",
    );
    same_as_isc(
        Message::bndack(
            Ipv4Addr::new(192, 168, 100, 50),
            Some((
                RejectReason::LessCriticalBindingInfo,
                "incoming update is less critical than outgoing update",
            )),
        )
        .at(0x6b0f_d501, 4),
        "0052040c6b0fd50100000004 00020004c0a86432 0015000110 \
         00100035'incoming update is less critical than outgoing update'",
    );
    same_as_isc(
        Message::bndack(Ipv4Addr::new(192, 168, 100, 69), None).at(0x6b0f_d520, 0x2f),
        "0014040c6b0fd520 0000002f 00020004c0a86445",
    );
}

#[test]
fn every_message_type_round_trips_with_every_option_it_carries() {
    for kind in MessageType::ALL {
        let mut message = Message::new(kind).at(T, 42);
        for &option in kind.options() {
            if option == OptionCode::Ddns {
                continue;
            }
            let data = match option.fixed_len() {
                Some(len) => vec![0x5a; len],
                None => b"some bytes".to_vec(),
            };
            message.store(option, &data).expect("right size");
        }
        let wire = encode(&message).expect("encodes");
        assert_eq!(
            wire.len(),
            12 + message
                .options()
                .iter()
                .map(|(_, v)| 4 + v.len())
                .sum::<usize>()
        );
        assert_eq!(decode(&wire), Ok(message), "{kind}");
    }
}

#[test]
fn accepted_connect_ack_state_and_bndupd_with_every_field() {
    let connect = Message::connect(b"pair", 100, 20, b"dhcpfo", 3600, None).at(T, 0);
    assert_eq!(connect.hba, None, "no HBA without split/hba, as ISC");
    let ack = Message::connect_ack(&connect, b"pair", Some((100, 20)), b"dhcpfo", None).at(T, 0);
    let options: Vec<u16> = ack.options().iter().map(|(o, _)| o.code()).collect();
    assert_eq!(options, [22, 14, 19, 28, 20, 26]);
    let startup = Message::state(FailoverState::Normal, true, T);
    assert!(startup.startup());
    assert_eq!(
        startup.server_state,
        Some(Coded::Known(FailoverState::Normal))
    );
    let full = BindingUpdate {
        ip: Ipv4Addr::new(10, 0, 0, 1),
        status: BindingState::Active,
        client_id: Some(vec![1, 2, 3]),
        chaddr: Some(Chaddr::new(1, &[1, 2, 3, 4, 5, 6])),
        ends: 1,
        tstp: 2,
        starts: 3,
        cltt: 4,
        ip_flags: IP_FLAG_BOOTP,
    };
    let update = Message::bndupd(&full).at(T, 1);
    let options: Vec<u16> = update.options().iter().map(|(o, _)| o.code()).collect();
    assert_eq!(options, [2, 3, 4, 5, 13, 18, 25, 6, 12]);
    assert_eq!(decode(&encode(&update).expect("encodes")), Ok(update));
    let disconnect = Message::disconnect(RejectReason::DuplicateConnection, None);
    assert_eq!(
        disconnect.message_text().as_deref(),
        Some("Connection rejected, duplicate connection.")
    );
}

#[test]
fn header_errors() {
    assert_eq!(decode(&[]), Err(WireError::Short { actual: 0 }));
    assert_eq!(decode(&[0]), Err(WireError::Short { actual: 1 }));
    for len in [0u16, 11, 2049, 0xffff] {
        let mut message = raw(11, "");
        message[..2].copy_from_slice(&len.to_be_bytes());
        assert_eq!(decode(&message), Err(WireError::Length { len }));
    }
    let mut long = raw(11, "");
    long.push(0);
    assert_eq!(
        decode(&long),
        Err(WireError::Size {
            declared: 12,
            actual: 13
        })
    );
    let mut short = raw(10, "0018000102");
    short.pop();
    assert_eq!(
        decode(&short),
        Err(WireError::Size {
            declared: 17,
            actual: 16
        })
    );
    for offset in [0u8, 8, 11, 18] {
        let mut message = raw(10, "0018000102");
        message[3] = offset;
        assert_eq!(
            decode(&message),
            Err(WireError::PayloadOffset { offset, len: 17 })
        );
    }
    // The longest message: a CONTACT padded with option-0 TLVs, which are skipped.
    let longest = raw(11, &"00".repeat(MAX_MESSAGE_LEN - 12));
    assert_eq!(decode(&longest), Ok(Message::contact().at(0x6b0f_d51e, 7)));
}

#[test]
fn payload_offset_above_12_skips_the_extra_octets() {
    let mut message = raw(10, "deadbeef 0018000102");
    message[3] = 16;
    let state = decode(&message).expect("decodes");
    assert_eq!(
        state.server_state,
        Some(Coded::Known(FailoverState::Normal))
    );
    message[3] = message.len() as u8;
    assert_eq!(
        decode(&message),
        Ok(Message::new(MessageType::State).at(0x6b0f_d51e, 7))
    );
}

#[test]
fn unknown_types_as_isc_treats_them() {
    let ignored = |code| WireError::UnknownType { code };
    assert_eq!(decode(&raw(13, "")), Err(ignored(13)));
    assert_eq!(decode(&raw(255, "")), Err(ignored(255)));
    assert!(!ignored(13).is_fatal());
    assert_eq!(
        decode(&raw(13, "000f00040000003c")),
        Err(WireError::InvalidType { code: 13 })
    );
    assert_eq!(
        decode(&raw(128, "00")),
        Err(WireError::Overflow {
            at: OverflowAt::Code
        })
    );
    assert_eq!(
        decode(&raw(0, "000f00040000003c 001f0000")),
        Err(ignored(0))
    );
    assert_eq!(
        decode(&raw(0, "000f0004")),
        Err(WireError::Overflow {
            at: OverflowAt::Data
        })
    );
    assert_eq!(
        WireError::InvalidType { code: 13 }.to_string(),
        "FAILOVER: invalid message type: 13"
    );
}

#[test]
fn options_running_past_the_end_are_fatal() {
    let cases = [
        ("0018", OverflowAt::Length),
        ("00", OverflowAt::Code),
        ("001800", OverflowAt::Length),
        ("0018000200", OverflowAt::Data),
        ("00180001", OverflowAt::Data),
        ("0018000102 00", OverflowAt::Code),
    ];
    for (options, at) in cases {
        let error = decode(&raw(10, options)).expect_err(options);
        assert_eq!(error, WireError::Overflow { at }, "{options}");
        assert!(error.is_fatal());
    }
    assert_eq!(
        WireError::Overflow {
            at: OverflowAt::Code
        }
        .to_string(),
        "FAILOVER: message overflow at option code."
    );
}

#[test]
fn unknown_codes_and_options_the_type_does_not_keep_are_skipped() {
    // Codes 0 and 30+; MCLT, message-digest, delayed-service in STATE, twice, of any size.
    let state = decode(&raw(
        10,
        "0000 0000 001e 0003 aabbcc ffff 0000 000f 0002 0001 000f 0004 0000003c \
         0011 0001 01 000a 0000 001d 0001 05 0018 0001 02",
    ))
    .expect("decodes");
    assert_eq!(state.mclt, None);
    assert_eq!(state.message_digest, None);
    assert_eq!(state.delayed_service, None);
    assert_eq!(state.vendor_specific, None);
    assert_eq!(
        state.server_state,
        Some(Coded::Known(FailoverState::Normal))
    );
}

#[test]
fn an_option_kept_twice_is_fatal() {
    let error = decode(&raw(10, "0018000102 0017000100 0018000106")).expect_err("dup");
    assert_eq!(
        error,
        WireError::Duplicate {
            option: OptionCode::ServerState
        }
    );
    assert_eq!(error.to_string(), "FAILOVER: duplicate option server-state");
    let bndupd = raw(3, "00020004c0a86401 00020004c0a86402");
    assert_eq!(
        decode(&bndupd),
        Err(WireError::Duplicate {
            option: OptionCode::AssignedIp
        })
    );
}

#[test]
fn fixed_size_options_must_have_their_exact_size() {
    for kind in MessageType::ALL {
        for &option in kind.options() {
            let Some(len) = option.fixed_len() else {
                continue;
            };
            for wrong in [0, len - 1, len + 1, 2 * len]
                .into_iter()
                .filter(|l| *l != len)
            {
                let tlv = format!("{:04x}{:04x}{}", option.code(), wrong, "01".repeat(wrong));
                assert_eq!(
                    decode(&raw(kind.code(), &tlv)),
                    Err(WireError::OptionSize {
                        option,
                        got: wrong as u16,
                        expected: len
                    }),
                    "{kind} {option} {wrong}"
                );
            }
            let tlv = format!("{:04x}{:04x}{}", option.code(), len, "01".repeat(len));
            assert!(decode(&raw(kind.code(), &tlv)).is_ok(), "{kind} {option}");
        }
    }
    let two_byte_tls = decode(&raw(5, "001b00020000")).expect_err("ISC 3.0.x size");
    assert_eq!(
        two_byte_tls.to_string(),
        "FAILOVER: option size (2:1), option TLS-request"
    );
    let one_byte_flags = decode(&raw(3, "000c000102")).expect_err("draft figure");
    assert_eq!(
        one_byte_flags.to_string(),
        "FAILOVER: option size (1:2), option IP-flags"
    );
}

#[test]
fn byte_string_options_are_kept_as_received() {
    let update = decode(&raw(
        3,
        "0005 0016 01 000102030405060708090a0b0c0d0e0f1011121314 0009 0003 000161 0004 0000",
    ))
    .expect("a long chaddr is the binding's problem, not the message's");
    let chaddr = update.chaddr.as_ref().expect("chaddr");
    assert_eq!(chaddr.as_wire().len(), Chaddr::MAX_LEN + 1);
    assert_eq!(chaddr.htype(), Some(1));
    assert_eq!(chaddr.addr().len(), 21);
    assert_eq!(update.ddns, Some(vec![0, 1, 0x61]));
    assert_eq!(update.client_id, Some(vec![]));
    let empty = Chaddr::from_wire(Vec::new());
    assert_eq!((empty.htype(), empty.addr()), (None, &[][..]));
    let reencoded = decode(&encode(&update).expect("encodes")).expect("decodes");
    assert_eq!(reencoded.ddns, None, "DDNS is never sent");
    assert_eq!(
        Message {
            ddns: None,
            ..update
        },
        reencoded
    );
}

#[test]
fn unknown_state_and_binding_codes_are_kept() {
    let state = decode(&raw(10, "00180001 0c")).expect("decodes");
    assert_eq!(state.server_state, Some(Coded::Unknown(12)));
    let update = decode(&raw(3, "00030001 08 0015000163")).expect("decodes");
    assert_eq!(update.binding_status, Some(Coded::Unknown(8)));
    assert_eq!(
        update.reject_reason, None,
        "BNDUPD does not keep reject-reason"
    );
    let ack = decode(&raw(4, "0015000163")).expect("decodes");
    assert_eq!(ack.reject_reason, Some(RejectReason::Undefined(99)));
}

#[test]
fn encode_refuses_what_isc_would_not_take() {
    let mut state = Message::state(FailoverState::Normal, false, T);
    state.mclt = Some(60);
    assert_eq!(
        encode(&state),
        Err(EncodeError::NotCarried {
            kind: MessageType::State,
            option: OptionCode::Mclt
        })
    );
    let mut ack = Message::bndack(Ipv4Addr::LOCALHOST, None);
    ack.message_digest = Some(vec![1]);
    assert!(matches!(encode(&ack), Err(EncodeError::NotCarried { .. })));
    // 12 + 4 + 4 (IP) + 4 + text: the largest text that fits, then one more.
    let fits = "x".repeat(MAX_MESSAGE_LEN - 24);
    let ack = Message::bndack(Ipv4Addr::LOCALHOST, Some((RejectReason::MiscReject, &fits)));
    let ack = Message {
        reject_reason: None,
        ..ack
    };
    assert_eq!(encode(&ack).map(|m| m.len()), Ok(MAX_MESSAGE_LEN));
    let long = Message {
        message: Some(vec![b'x'; MAX_MESSAGE_LEN - 23]),
        ..ack
    };
    assert_eq!(
        encode(&long),
        Err(EncodeError::TooLong {
            kind: MessageType::BndAck,
            len: MAX_MESSAGE_LEN + 1
        })
    );
    let huge = Message {
        message: Some(vec![0; 70_000]),
        ..long
    };
    assert!(matches!(encode(&huge), Err(EncodeError::TooLong { .. })));
}

#[test]
fn wire_errors_carry_the_disconnect_to_send() {
    let error = WireError::OptionSize {
        option: OptionCode::Mclt,
        got: 2,
        expected: 4,
    };
    assert_eq!(
        error.to_string(),
        "FAILOVER: option size (2:4), option MCLT"
    );
    let disconnect = error.disconnect();
    assert_eq!(disconnect.kind, MessageType::Disconnect);
    assert_eq!(disconnect.reject_reason, Some(RejectReason::Unknown));
    assert_eq!(
        disconnect.message_text().as_deref(),
        Some("FAILOVER: option size (2:4), option MCLT")
    );
    assert!(encode(&disconnect).is_ok());
}

#[test]
fn framer_cuts_a_stream_and_rejects_bad_lengths_at_once() {
    let first = encode(&Message::contact().at(T, 1)).expect("encodes");
    let second = encode(&Message::state(FailoverState::Normal, false, T).at(T, 2)).expect("ok");
    let stream = [first.clone(), second.clone()].concat();
    let mut framer = Framer::new();
    let mut frames = Vec::new();
    for byte in &stream {
        framer.push(&[*byte]).expect("valid stream");
        frames.extend(std::iter::from_fn(|| framer.pop()));
    }
    assert_eq!(frames, [first.clone(), second]);
    assert_eq!(framer.buffered(), 0);

    for bad in [[0xff, 0xff], [0x00, 0x0b], [0x08, 0x01], [0, 0]] {
        let mut framer = Framer::new();
        framer
            .push(&bad[..1])
            .expect("half a length says nothing yet");
        let len = u16::from_be_bytes(bad);
        assert_eq!(framer.push(&bad[1..]), Err(WireError::Length { len }));
        assert_eq!(framer.buffered(), 0, "nothing kept");
        assert_eq!(
            framer.push(&first),
            Err(WireError::Length { len }),
            "stays failed"
        );
        assert_eq!(framer.pop(), None);
    }
    // A bad length behind a good message is found by the push that brings it.
    let mut framer = Framer::new();
    assert!(
        framer
            .push(&[first.as_slice(), &[0x40, 0x00]].concat())
            .is_err()
    );
}

#[test]
fn names_and_codes() {
    let names: Vec<_> = MessageType::ALL
        .iter()
        .map(|t| (t.code(), t.isc_name()))
        .collect();
    assert_eq!(names[0], (1, "pool-request"));
    assert_eq!(names[6], (7, "update-request-all"));
    assert_eq!(names[8], (9, "update-request"));
    assert_eq!(names[11], (12, "disconnect"));
    for code in 0..=255u8 {
        let kind = MessageType::from_code(code);
        assert_eq!(kind.is_some(), (1..=12).contains(&code));
        assert!(kind.is_none_or(|k| k.code() == code));
        assert_eq!(RejectReason::from_code(code).code(), code);
        assert_eq!(Coded::<FailoverState>::from_code(code).code(), code);
        assert_eq!(Coded::<BindingState>::from_code(code).code(), code);
    }
    for code in 0..=40u16 {
        assert_eq!(
            OptionCode::from_code(code).map(OptionCode::code),
            (1..=29).contains(&code).then_some(code)
        );
    }
    assert_eq!(FailoverState::RecoverWait.wire_code(), 254);
    assert_eq!(
        FailoverState::from_wire_code(0),
        Some(FailoverState::Unknown)
    );
    assert_eq!(FailoverState::from_wire_code(12), None);
    assert_eq!(BindingState::Backup.wire_code(), 7);
    assert_eq!(BindingState::from_wire_code(0), None);
    assert_eq!(RejectReason::HbaConflict.code(), 18);
    assert_eq!(RejectReason::Unknown.code(), 254);
    assert_eq!(
        RejectReason::from_code(8).to_string(),
        "Connection rejected, invalid failover partner."
    );
    assert_eq!(
        RejectReason::from_code(22).to_string(),
        "Undefined-22: This reason code is not defined in the protocol standard."
    );
    assert_eq!(OptionCode::Chaddr.isc_name(), "client-hardware-address");
}

#[test]
fn load_balance_hash_vectors() {
    // Digest §7.3: key, hash, and whether split 128 gives the bucket to the primary.
    let vectors = [
        ("0e", 232, false),
        ("000000000000", 254, false),
        ("001122334455", 135, false),
        ("525400123456", 156, false),
        ("ffffffffffff", 79, true),
        ("aabbccddeeff", 57, true),
        ("001a2b3c4d5e", 11, true),
        ("01001a2b3c4d5e", 103, true),
        ("01001122334455", 223, false),
        ("", 0, true),
    ];
    let split = hba_from_split(128).expect("valid split");
    for (key, hash, primary) in vectors {
        let bucket = load_balance_hash(&bytes(key));
        assert_eq!(bucket, hash, "{key}");
        assert_eq!(primary_serves(&split, bucket), primary, "{key}");
    }
    // The captures' clients: 02:cc:00:00:00:03 is bucket 173, :01 is bucket 10.
    assert_eq!(load_balance_hash(&bytes("02cc00000003")), 173);
    assert_eq!(load_balance_hash(&bytes("02cc00000001")), 10);
    let chaddr = bytes("02cc00000003 00000000 00000000 0000");
    assert_eq!(load_balance_key(None, &chaddr, 6), &chaddr[..6]);
    assert_eq!(load_balance_key(Some(&[1, 2]), &chaddr, 6), &[1, 2]);
    assert_eq!(load_balance_key(None, &chaddr, 200), &chaddr[..]);
}

#[test]
fn split_to_hba_vectors() {
    let hex = |split| {
        hba_from_split(split).map(|h| h.iter().map(|b| format!("{b:02x}")).collect::<String>())
    };
    let cases = [
        (0, "00".repeat(32)),
        (1, format!("01{}", "00".repeat(31))),
        (7, format!("7f{}", "00".repeat(31))),
        (8, format!("ff{}", "00".repeat(31))),
        (
            128,
            bytes(SPLIT_128)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        ),
        (200, format!("{}{}", "ff".repeat(25), "00".repeat(7))),
        (255, format!("{}7f", "ff".repeat(31))),
        (256, "ff".repeat(32)),
    ];
    for (split, expected) in cases {
        assert_eq!(hex(split), Some(expected), "split {split}");
    }
    assert_eq!(hba_from_split(257), None);
    let hot_standby = hba_from_split(256).expect("valid");
    assert!((0..=255).all(|b| primary_serves(&hot_standby, b)));
    let connect = Message::connect(b"p", 1, 3, b"v", 1, Some(hot_standby));
    assert_eq!(connect.hba_map(), Some(hot_standby));
    assert_eq!(
        Message {
            hba: Some(vec![0xff; 31]),
            ..connect
        }
        .hba_map(),
        None
    );
}

mod properties {
    use proptest::prelude::*;

    use super::super::*;

    /// Any message: a type, and for each option it carries (DDNS aside) maybe a value.
    fn message() -> impl Strategy<Value = Message> {
        let seeds = proptest::collection::vec(
            (
                any::<bool>(),
                any::<u32>(),
                proptest::collection::vec(any::<u8>(), 0..100),
            ),
            OptionCode::ALL.len(),
        );
        (0..MessageType::ALL.len(), any::<u32>(), any::<u32>(), seeds).prop_map(
            |(kind, time, xid, seeds)| {
                let kind = MessageType::ALL[kind];
                let mut message = Message::new(kind).at(time, xid);
                let options = kind.options().iter().filter(|o| **o != OptionCode::Ddns);
                for (&option, (present, number, data)) in options.zip(seeds) {
                    let data = match option.fixed_len() {
                        Some(len) => number.to_be_bytes()[4 - len..].to_vec(),
                        None => data,
                    };
                    if present {
                        message.store(option, &data).expect("right size");
                    }
                }
                message
            },
        )
    }

    /// What a decoded message becomes once sent: a received DDNS option is never sent.
    fn sent(message: Message) -> Message {
        Message {
            ddns: None,
            ..message
        }
    }

    proptest! {
        #[test]
        fn any_message_round_trips(message in message()) {
            let wire = encode(&message).expect("fits in 2048");
            prop_assert_eq!(usize::from(u16::from_be_bytes([wire[0], wire[1]])), wire.len());
            prop_assert_eq!(decode(&wire), Ok(message));
        }

        #[test]
        fn any_bytes_decode_without_panic(mut data in proptest::collection::vec(any::<u8>(), 0..300), fix_len: bool) {
            if fix_len && data.len() >= 2 {
                let len = data.len() as u16;
                data[..2].copy_from_slice(&len.to_be_bytes());
            }
            if let Ok(message) = decode(&data) {
                prop_assert_eq!(decode(&encode(&message).expect("encodes")), Ok(sent(message)));
            }
        }

        #[test]
        fn damaged_messages_decode_without_panic(message in message(), at: usize, byte: u8) {
            let mut wire = encode(&message).expect("fits");
            let at = at % wire.len();
            wire[at] = byte;
            if let Ok(decoded) = decode(&wire) {
                prop_assert_eq!(decode(&encode(&decoded).expect("encodes")), Ok(sent(decoded)));
            }
        }

        #[test]
        fn the_framer_gives_back_each_message_whatever_the_chunks(
            messages in proptest::collection::vec(message(), 1..6),
            cuts in proptest::collection::vec(1..200usize, 1..40),
        ) {
            let wires: Vec<Vec<u8>> = messages.iter().map(|m| encode(m).expect("fits")).collect();
            let stream = wires.concat();
            let mut framer = Framer::new();
            let mut frames = Vec::new();
            let (mut at, mut cut) = (0, cuts.iter().cycle());
            while at < stream.len() {
                let end = (at + cut.next().copied().unwrap_or(1)).min(stream.len());
                framer.push(&stream[at..end]).expect("valid stream");
                frames.extend(std::iter::from_fn(|| framer.pop()));
                at = end;
            }
            prop_assert_eq!(frames, wires);
            prop_assert_eq!(framer.buffered(), 0);
        }
    }
}
