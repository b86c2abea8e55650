//! Writing lease-file stanzas in ISC dhcpd's exact layout.

use std::fmt::Write as _;

use super::{FailoverStanza, Lease, Timestamp};

/// The first lines of a lease file, as ISC dhcpd writes them when it starts a new file.
pub fn header() -> String {
    let order = if cfg!(target_endian = "big") {
        "big-endian"
    } else {
        "little-endian"
    };
    format!(
        "# The format of this file is documented in the dhcpd.leases(5) manual page.\n\
         # This lease file was written by dhcpfo-{}\n\n\
         # authoring-byte-order entry is generated, DO NOT DELETE\n\
         authoring-byte-order {order};\n\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Bytes as the inside of an ISC quoted string: printable ASCII as is, `"` and `\` escaped,
/// everything else as a three-digit octal escape.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            b' '..=b'~' => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out
}

fn time_line(out: &mut String, keyword: &str, time: Option<Timestamp>) {
    if let Some(t) = time {
        let _ = write!(out, "\n  {keyword} {t};");
    }
}

/// Appends one `lease ADDRESS { ... }` stanza, field for field in ISC's order: times,
/// binding states (`next` and `rewind` only when they differ from the state, as ISC does),
/// flags, hardware, uid, `set` variables, agent options, client-hostname.
///
/// A client-hostname with a quote, a backslash or a non-printable character is left out, as
/// ISC dhcpd leaves it out.
pub fn write_lease(out: &mut String, lease: &Lease) {
    let _ = write!(out, "lease {} {{", lease.address);
    time_line(out, "starts", lease.starts);
    time_line(out, "ends", lease.ends);
    time_line(out, "tstp", lease.tstp);
    time_line(out, "tsfp", lease.tsfp);
    time_line(out, "atsfp", lease.atsfp);
    time_line(out, "cltt", lease.cltt);
    let _ = write!(out, "\n  binding state {};", lease.binding_state);
    if let Some(next) = lease
        .next_binding_state
        .filter(|s| *s != lease.binding_state)
    {
        let _ = write!(out, "\n  next binding state {next};");
    }
    if let Some(rewind) = lease
        .rewind_binding_state
        .filter(|s| *s != lease.binding_state)
    {
        let _ = write!(out, "\n  rewind binding state {rewind};");
    }
    if lease.reserved {
        out.push_str("\n  reserved;");
    }
    if lease.dynamic_bootp {
        out.push_str("\n  dynamic-bootp;");
    }
    if let Some(hw) = lease.hardware.as_ref().filter(|h| !h.address.is_empty()) {
        let _ = write!(out, "\n  hardware {} {};", hw.type_name(), hw.to_hex());
    }
    if let Some(uid) = lease.uid.as_ref().filter(|u| !u.is_empty()) {
        let _ = write!(out, "\n  uid \"{}\";", quote(uid));
    }
    for (name, value) in &lease.vars {
        let _ = write!(out, "\n  set {name} = {value};");
    }
    for (name, value) in &lease.agent_options {
        let _ = write!(out, "\n  option agent.{name} {value};");
    }
    if let Some(name) = lease.client_hostname.as_ref().filter(|n| db_printable(n)) {
        let _ = write!(out, "\n  client-hostname \"{name}\";");
    }
    out.push_str("\n}\n");
}

/// ISC's `db_printable`: printable ASCII without `"` or `\`.
fn db_printable(s: &str) -> bool {
    s.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
}

/// Appends one `failover peer "NAME" state { ... }` stanza (with ISC's leading blank line);
/// `mclt` is written when set (ISC sets it on the secondary).
pub fn write_failover(out: &mut String, stanza: &FailoverStanza) {
    let _ = write!(
        out,
        "\nfailover peer \"{}\" state {{\n  my state {} at {};\n  partner state {} at {};",
        quote(stanza.peer.as_bytes()),
        stanza.my.state,
        stanza.my.at,
        stanza.partner.state,
        stanza.partner.at
    );
    if let Some(mclt) = stanza.mclt {
        let _ = write!(out, "\n  mclt {mclt};");
    }
    out.push_str("\n}\n");
}
