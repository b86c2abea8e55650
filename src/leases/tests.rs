//! Unit tests of the lease-file reader and writer.

use std::net::Ipv4Addr;

use super::*;

/// A lease file written by ISC dhcpd 4.4.3-P1, the secondary of a failover pair, after three
/// dhclient runs.
const ISC_SECONDARY: &str = include_str!("../../tests/data/isc-secondary.leases");

fn t(date: &str, time: &str) -> Timestamp {
    Timestamp::parse_date_time(date, time).unwrap()
}

#[test]
fn reads_a_file_written_by_isc_dhcpd() {
    let file = parse(ISC_SECONDARY).unwrap();
    assert_eq!(file.leases.len(), 80);
    assert_eq!(file.authoring_byte_order.as_deref(), Some("little-endian"));
    // "\000\001\000\0012\225`\035\026\333\311\251\\\177": a DUID-LLT of 14 bytes.
    let duid = file.server_duid.as_deref().unwrap();
    assert_eq!(duid.len(), 14);
    assert_eq!(&duid[..5], &[0, 1, 0, 1, b'2']);
    assert_eq!(&duid[12..], &[b'\\', 0o177]);

    let current = file.current();
    assert_eq!(current.leases.len(), 50, "one lease per pool address");
    assert_eq!(current.failover.len(), 1);
    let fo = &current.failover[0];
    assert_eq!(fo.peer, "fo");
    assert_eq!(fo.my.state, FailoverState::Normal);
    assert_eq!(fo.partner.state, FailoverState::Normal);
    assert_eq!(fo.mclt, Some(60));

    let active: Vec<&Lease> = current
        .leases
        .iter()
        .filter(|l| l.binding_state == BindingState::Active)
        .collect();
    assert_eq!(active.len(), 3);
    let first = active[0];
    assert_eq!(first.address, Ipv4Addr::new(192, 168, 50, 174));
    assert_eq!(first.starts, Some(t("2026/11/22", "08:11:28")));
    assert_eq!(first.ends, Some(t("2026/11/22", "08:12:28")));
    assert_eq!(first.tstp, Some(t("2026/11/22", "20:11:58")));
    assert_eq!(first.atsfp, Some(t("2026/11/22", "20:11:58")));
    assert_eq!(first.cltt, Some(t("2026/11/22", "08:11:28")));
    assert_eq!(first.next_binding_state, Some(BindingState::Expired));
    assert_eq!(
        first.hardware,
        Some(Hardware::ethernet([0x52, 0x54, 0, 0, 0, 1]))
    );
    assert_eq!(first.client_hostname.as_deref(), Some("host1"));
    let backups = current
        .leases
        .iter()
        .filter(|l| l.binding_state == BindingState::Backup)
        .count();
    let frees = current
        .leases
        .iter()
        .filter(|l| l.binding_state == BindingState::Free)
        .count();
    assert_eq!(backups + frees + 3, 50);
    assert!(backups > 0 && frees > 0, "backup {backups}, free {frees}");
}

#[test]
fn writer_output_parses_back_to_the_same_stanzas() {
    let text = {
        let mut out = header();
        out.push_str("server-duid \"\\000\\001\";\n");
        for stanza in parse(ISC_SECONDARY).unwrap().failover {
            write_failover(&mut out, &stanza);
        }
        for lease in parse(ISC_SECONDARY).unwrap().leases {
            write_lease(&mut out, &lease);
        }
        out
    };
    let again = parse(&text).unwrap();
    let original = parse(ISC_SECONDARY).unwrap();
    assert_eq!(again.leases, original.leases);
    assert_eq!(again.failover, original.failover);
}

#[test]
fn writer_reproduces_isc_stanzas_byte_for_byte() {
    // Every lease and failover stanza of the ISC file, rewritten, is the same text.
    let file = parse(ISC_SECONDARY).unwrap();
    let mut out = String::new();
    for lease in &file.leases {
        write_lease(&mut out, lease);
    }
    let isc_only_leases: String = stanzas(ISC_SECONDARY, "lease ").concat();
    assert_eq!(out, isc_only_leases);

    let mut fo = String::new();
    for stanza in &file.failover {
        write_failover(&mut fo, stanza);
    }
    let isc_fo: String = stanzas(ISC_SECONDARY, "failover peer ")
        .iter()
        .map(|s| format!("\n{s}"))
        .collect();
    assert_eq!(fo, isc_fo);
}

/// The stanzas of `text` that start with `prefix`, each through its closing `}` line.
fn stanzas(text: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut open: Option<String> = None;
    for line in text.split_inclusive('\n') {
        if let Some(s) = open.as_mut() {
            s.push_str(line);
            if line == "}\n" {
                out.extend(open.take());
            }
        } else if line.starts_with(prefix) {
            open = Some(line.to_string());
        }
    }
    out
}

#[test]
fn every_field_round_trips() {
    let mut lease = Lease::new(Ipv4Addr::new(10, 1, 2, 3), BindingState::Active);
    lease.starts = Some(t("2026/01/02", "03:04:05"));
    lease.ends = Some(Timestamp::NEVER);
    lease.tstp = Some(Timestamp(1));
    lease.tsfp = Some(Timestamp(2));
    lease.atsfp = Some(Timestamp(3));
    lease.cltt = Some(Timestamp(4));
    lease.next_binding_state = Some(BindingState::Expired);
    lease.rewind_binding_state = Some(BindingState::Backup);
    lease.hardware = Some(Hardware::ethernet([0xaa, 0xbb, 0xcc, 0, 1, 0xff]));
    lease.uid = Some(vec![1, 0xaa, b'"', b'\\', b'x', 0]);
    lease.client_hostname = Some("laptop-1".into());
    lease.reserved = true;
    lease.dynamic_bootp = true;
    lease.vars = vec![("vendor-class-identifier".into(), "\"MSFT 5.0\"".into())];
    lease.agent_options = vec![("circuit-id".into(), "\"eth0:12\"".into())];
    let mut out = String::new();
    write_lease(&mut out, &lease);
    assert_eq!(
        out,
        "lease 10.1.2.3 {\n  starts 5 2026/01/02 03:04:05;\n  ends never;\n  \
         tstp 4 1970/01/01 00:00:01;\n  tsfp 4 1970/01/01 00:00:02;\n  \
         atsfp 4 1970/01/01 00:00:03;\n  cltt 4 1970/01/01 00:00:04;\n  \
         binding state active;\n  next binding state expired;\n  \
         rewind binding state backup;\n  reserved;\n  dynamic-bootp;\n  \
         hardware ethernet aa:bb:cc:00:01:ff;\n  uid \"\\001\\252\\\"\\\\x\\000\";\n  \
         set vendor-class-identifier = \"MSFT 5.0\";\n  \
         option agent.circuit-id \"eth0:12\";\n  client-hostname \"laptop-1\";\n}\n"
    );
    let file = parse(&out).unwrap();
    assert_eq!(file.leases, vec![lease]);
}

#[test]
fn states_equal_to_the_binding_state_are_not_written() {
    let mut lease = Lease::new(Ipv4Addr::new(10, 0, 0, 1), BindingState::Free);
    lease.next_binding_state = Some(BindingState::Free);
    lease.rewind_binding_state = Some(BindingState::Free);
    lease.client_hostname = Some("bad\"name".into());
    let mut out = String::new();
    write_lease(&mut out, &lease);
    assert_eq!(out, "lease 10.0.0.1 {\n  binding state free;\n}\n");
}

#[test]
fn every_binding_and_failover_state_round_trips() {
    for state in BindingState::ALL {
        let lease = Lease::new(Ipv4Addr::new(10, 0, 0, 9), state);
        let mut out = String::new();
        write_lease(&mut out, &lease);
        assert_eq!(parse(&out).unwrap().leases[0].binding_state, state);
    }
    for state in FailoverState::ALL {
        let stanza = FailoverStanza {
            peer: "dhcp failover".into(),
            my: PeerState {
                state,
                at: Timestamp(1_800_000_000),
            },
            partner: PeerState {
                state: FailoverState::Normal,
                at: Timestamp(1_800_000_001),
            },
            mclt: Some(3600),
        };
        let mut out = String::new();
        write_failover(&mut out, &stanza);
        assert_eq!(parse(&out).unwrap().failover, vec![stanza]);
    }
}

#[test]
fn the_last_stanza_of_an_address_wins() {
    let text = "lease 10.0.0.2 { binding state active; }\n\
                lease 10.0.0.1 { binding state active; }\n\
                lease 10.0.0.2 { binding state released; }\n";
    let file = parse(text).unwrap();
    let current = file.current();
    // The consuming form (journal replay) gives the same present state.
    assert_eq!(file.into_current(), current);
    let states: Vec<(Ipv4Addr, BindingState)> = current
        .leases
        .iter()
        .map(|l| (l.address, l.binding_state))
        .collect();
    assert_eq!(
        states,
        vec![
            (Ipv4Addr::new(10, 0, 0, 1), BindingState::Active),
            (Ipv4Addr::new(10, 0, 0, 2), BindingState::Released),
        ]
    );
}

#[test]
fn other_time_forms_and_unknown_statements_are_read() {
    let text = "# comment\n\
        host foo { dynamic; hardware ethernet 00:01:02:03:04:05; fixed-address 10.0.0.5; }\n\
        class \"c\" { match if substring(option vendor-class-identifier, 0, 4) = \"MSFT\"; }\n\
        some-future-statement 1 2 3;\n\
        lease 10.0.0.3 {\n\
          starts epoch 1800000000; # Fri Jan 15 08:00:00 2027\n\
          ends never;\n\
          binding state active;\n\
          billing class \"c\";\n\
          uid 01:00:01:02:03:04:05;\n\
          on expiry { set x = \"y\"; }\n\
          ddns-text \"whatever\";\n\
          abandoned;\n\
        }\n";
    let file = parse(text).unwrap();
    let lease = &file.leases[0];
    assert_eq!(lease.starts, Some(Timestamp(1_800_000_000)));
    assert_eq!(lease.ends, Some(Timestamp::NEVER));
    assert_eq!(lease.uid.as_deref(), Some(&[1u8, 0, 1, 2, 3, 4, 5][..]));
    assert_eq!(lease.binding_state, BindingState::Abandoned);
    assert!(
        lease.vars.is_empty(),
        "the `set` inside `on expiry` is skipped"
    );
}

#[test]
fn a_hand_edited_failover_state_without_a_time_takes_the_time_of_reading() {
    // dhcpd.conf(5): "my state partner-down;" put in by hand while the server is stopped.
    let text = "failover peer \"fo\" state {\n  my state partner-down;\n  \
                partner state normal at 3 2026/12/02 08:21:21;\n}\n";
    let before = Timestamp::now();
    let file = parse(text).unwrap();
    let after = Timestamp::now();
    let fo = &file.failover[0];
    assert_eq!(fo.my.state, FailoverState::PartnerDown);
    assert!(before <= fo.my.at && fo.my.at <= after, "{:?}", fo.my.at);
    assert_eq!(fo.partner.at, t("2026/12/02", "08:21:21"));
}

#[test]
fn a_partner_down_stanza_appended_by_hand_is_read_after_the_servers_own() {
    // The way out of RECOVER for a partner gone for good (DF030): stop, append, start.
    let text = "failover peer \"fo\" state {\n  my state recover at 3 2026/12/02 08:21:21;\n  \
                partner state partner-down at 3 2026/12/02 08:20:00;\n}\n\
                failover peer \"fo\" state { my state partner-down; }\n";
    let file = parse(text).unwrap().into_current();
    assert_eq!(
        file.failover.len(),
        1,
        "the latest stanza of the relationship"
    );
    assert_eq!(file.failover[0].my.state, FailoverState::PartnerDown);
}

#[test]
fn errors_name_line_and_column() {
    let cases = [
        ("lease 10.0.0.300 { }", 1, 7, "not an IPv4 address"),
        (
            "lease 10.0.0.1 {\n  binding state bogus;\n}",
            2,
            17,
            "not a binding state",
        ),
        (
            "lease 10.0.0.1 {\n  starts 1 2026/02/30 00:00:00;\n}",
            2,
            12,
            "not a valid date",
        ),
        (
            "lease 10.0.0.1 {\n  binding state free\n}",
            3,
            1,
            "expected `;`",
        ),
        (
            "lease 10.0.0.1 {\n  binding state free;\n",
            3,
            1,
            "missing `}`",
        ),
        (
            "lease 10.0.0.1 {\n  hardware ethernet zz:00;\n}",
            2,
            21,
            "not a hardware address",
        ),
        (
            "lease 10.0.0.1 {\n  client-hostname \"abc;\n}",
            2,
            19,
            "unterminated string",
        ),
        ("}", 1, 1, "without a block"),
        (
            "failover peer \"x\" state {\n  my state dancing at 0 2026/01/01 00:00:00;\n}",
            2,
            12,
            "not a failover state",
        ),
        ("host x { dynamic;", 1, 1, "without an end"),
    ];
    for (text, line, column, message) in cases {
        let err = parse(text).expect_err(text);
        assert_eq!((err.line, err.column), (line, column), "{text:?}: {err}");
        assert!(err.message.contains(message), "{text:?}: {err}");
    }
}

#[test]
fn never_panics_on_truncated_or_mangled_input() {
    // Every prefix of a real file, and every prefix with a byte flipped: errors are fine,
    // panics are not.
    let sample: String = ISC_SECONDARY.chars().take(2500).collect();
    for end in 0..sample.len() {
        if let Some(prefix) = sample.get(..end) {
            let _ = parse(prefix);
            let mut bytes = prefix.as_bytes().to_vec();
            if let Some(b) = bytes.get_mut(end / 2) {
                *b = b"{};\"\\#x9 \n"[end % 10];
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = parse(text);
            }
        }
    }
}

#[test]
fn listing_keeps_current_active_leases() {
    let file = parse(ISC_SECONDARY).unwrap();
    let before_end = t("2026/11/22", "08:12:00");
    let rows = list(&file, before_end, Listing::Current, None);
    let ips: Vec<String> = rows.iter().map(|r| r.ip.to_string()).collect();
    assert_eq!(ips, ["192.168.50.174", "192.168.50.175", "192.168.50.176"]);
    assert_eq!(rows[0].mac.as_deref(), Some("52:54:00:00:00:01"));
    assert_eq!(rows[0].hostname.as_deref(), Some("host1"));
    assert_eq!(rows[0].ends.as_deref(), Some("2026-11-22 08:12:28"));
    // After 08:12:29 only the lease ending at 08:12:30 is current.
    let later = list(&file, t("2026/11/22", "08:12:29"), Listing::Current, None);
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].ip, Ipv4Addr::new(192, 168, 50, 176));
    assert_eq!(list(&file, before_end, Listing::All, None).len(), 50);
}

#[test]
fn oui_table_names_the_manufacturer() {
    let oui = parse_oui("52-54-00   (hex)\t\tQEMU virtual NIC\n525400     (base 16)\t\tQEMU\n");
    let file = parse(ISC_SECONDARY).unwrap();
    let rows = list(&file, Timestamp(0), Listing::Current, Some(&oui));
    assert_eq!(rows[0].manufacturer.as_deref(), Some("QEMU virtual NIC"));
    let table = render_table(&rows, Listing::Current);
    assert!(
        table.contains("52:54:00:00:00:01  192.168.50.174  host1          2026-11-22 08:12:28"),
        "{table}"
    );
}

#[test]
fn a_character_error_is_reported_even_after_a_statement_error() {
    // The statement error comes first in the file, the character error later: the first
    // pass over the characters reports the latter, whatever the statements hold.
    let text = "lease 10.0.0.300 { }\nlease 10.0.0.1 { \u{1} }\n";
    let err = parse(text).unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (2, "unexpected character")
    );
    // Many statements read one at a time keep their positions.
    let mut long = "lease 10.0.0.1 { binding state active; }\n".repeat(5000);
    long.push_str("lease 10.0.0.2 { binding state sideways; }\n");
    let err = parse(&long).unwrap_err();
    assert_eq!(err.line, 5001, "{err}");
}

#[test]
fn a_torn_tail_is_told_from_corruption() {
    let whole = "lease 10.0.0.1 {\n  starts 4 2030/01/02 03:04:05;\n  ends 4 2030/01/02 04:04:05;\n  binding state active;\n}\n";
    let header = super::header();
    let header_lines = header.lines().count();
    // (text, line of the cut-off record): the first record cut after the header, a cut inside
    // a record's first word, a failover stanza cut off.
    let torn = [
        (
            format!("{header}lease 10.0.0.6 {{\n  starts 4 2026/12/03 06:00:00;\n"),
            header_lines + 1,
            0,
        ),
        (format!("{header}{whole}lea"), header_lines + 6, 1),
        (
            format!("{header}{whole}\nfailover peer \"x\" sta"),
            header_lines + 7,
            1,
        ),
    ];
    for (text, line, leases) in torn {
        let (file, tail) =
            super::parse_allowing_torn_tail(&text).unwrap_or_else(|e| panic!("{e:?}:\n{text}"));
        assert_eq!(tail.map(|t| t.line), Some(line), "{text}");
        assert_eq!(file.leases.len(), leases, "{text}");
        assert!(file.authoring_byte_order.is_some(), "{text}");
    }
    for text in [
        format!("{header}{whole}garbage {{{{{{"),
        format!("{whole}}}}} lease"),
        "garbage {{{".to_string(),
    ] {
        assert!(super::parse_allowing_torn_tail(&text).is_err(), "{text}");
    }
}
