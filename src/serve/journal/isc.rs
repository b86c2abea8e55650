//! Bindings as ISC `dhcpd.leases` stanzas, through the shared lease-file module
//! ([`crate::leases`]), so `dhcpd -T` and `dhcp-lease-list` read the journal.

use crate::leases::{self, FailoverStanza, Hardware, Lease, Timestamp};
use crate::serve::bindings::{Binding, State};

/// The first lines of a lease file.
pub fn header() -> String {
    leases::header()
}

/// A binding as a lease-file record.
pub(super) fn to_lease(b: &Binding) -> Lease {
    let t = |v: Option<u64>| v.map(Timestamp);
    Lease {
        starts: Some(Timestamp(b.starts)),
        ends: Some(Timestamp(b.ends)),
        tstp: t(b.tstp),
        tsfp: t(b.tsfp),
        atsfp: t(b.atsfp),
        cltt: t(b.cltt),
        // What an active lease becomes when it ends: EXPIRED in a failover pool (a lease
        // with failover times), FREE otherwise, as ISC writes it.
        next_binding_state: (b.state == State::Active).then_some(
            if b.tstp.is_some() || b.tsfp.is_some() {
                State::Expired
            } else {
                State::Free
            },
        ),
        hardware: b.hw.as_ref().map(|(htype, address)| Hardware {
            htype: *htype,
            address: address.clone(),
        }),
        uid: b.uid.clone(),
        client_hostname: b.hostname.clone(),
        rewind_binding_state: b.rewind,
        ..Lease::new(b.addr, b.state)
    }
}

/// A lease-file record as a binding.
pub(super) fn from_lease(l: Lease) -> Binding {
    let t = |v: Option<Timestamp>| v.map(|x| x.0);
    Binding {
        addr: l.address,
        state: l.binding_state,
        starts: l.starts.map_or(0, |x| x.0),
        ends: l.ends.map_or(0, |x| x.0),
        tstp: t(l.tstp),
        tsfp: t(l.tsfp),
        atsfp: t(l.atsfp),
        cltt: t(l.cltt),
        hw: l.hardware.map(|h| (h.htype, h.address)),
        uid: l.uid,
        hostname: l.client_hostname,
        rewind: l.rewind_binding_state,
    }
}

/// One `lease A.B.C.D { ... }` record.
pub fn format_binding(b: &Binding) -> String {
    let mut out = String::new();
    leases::write_lease(&mut out, &to_lease(b));
    out
}

/// The current binding of every address and the current failover state stanza of every
/// relationship (for each, the last record wins); errors are (line, message).
pub fn parse(text: &str) -> Result<(Vec<Binding>, Vec<FailoverStanza>), (usize, String)> {
    let file = leases::parse(text)
        .map_err(|e| (e.line, e.message))?
        .into_current();
    Ok((
        file.leases.into_iter().map(from_lease).collect(),
        file.failover,
    ))
}

/// One `failover peer "NAME" state { ... }` record, as ISC writes it.
pub fn format_failover(stanza: &FailoverStanza) -> String {
    let mut out = String::new();
    leases::write_failover(&mut out, stanza);
    out
}

/// `W YYYY/MM/DD HH:MM:SS`, as in the file.
pub fn isc_time(t: u64) -> String {
    Timestamp(t).to_string()
}
