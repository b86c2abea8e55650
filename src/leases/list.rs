//! Listing leases the way `dhcp-lease-list` does: MAC, IP, hostname, valid until,
//! manufacturer.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

use serde::Serialize;

use super::{BindingState, LeaseFile, Timestamp};

/// Which leases to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// The current lease of each address that is active and not yet ended.
    Current,
    /// The current lease of every address, whatever its state or end.
    All,
}

/// One listed lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// The client's hardware address (`aa:bb:cc:dd:ee:ff`), if known.
    pub mac: Option<String>,
    /// The leased address.
    pub ip: Ipv4Addr,
    /// The host name the client sent.
    pub hostname: Option<String>,
    /// Binding state.
    pub state: String,
    /// Start (`YYYY-MM-DD HH:MM:SS` UTC).
    pub starts: Option<String>,
    /// End (`YYYY-MM-DD HH:MM:SS` UTC, or `never`).
    pub ends: Option<String>,
    /// The manufacturer from the OUI table, if one was given and knows the prefix.
    pub manufacturer: Option<String>,
}

/// The leases of `file` to list at time `now`, sorted by address. `oui` maps the first three
/// bytes of a MAC (upper-case, `AA-BB-CC`) to a manufacturer.
pub fn list(
    file: &LeaseFile,
    now: Timestamp,
    listing: Listing,
    oui: Option<&HashMap<String, String>>,
) -> Vec<Listed> {
    file.current()
        .leases
        .into_iter()
        .filter(|lease| {
            listing == Listing::All
                || (lease.binding_state == BindingState::Active
                    && lease.ends.is_none_or(|end| end > now))
        })
        .map(|lease| {
            let mac = lease.hardware.as_ref().map(|h| h.to_hex());
            let manufacturer = oui.zip(lease.hardware.as_ref()).and_then(|(oui, hw)| {
                let prefix: Vec<String> = hw
                    .address
                    .iter()
                    .take(3)
                    .map(|b| format!("{b:02X}"))
                    .collect();
                oui.get(&prefix.join("-")).cloned()
            });
            Listed {
                mac,
                ip: lease.address,
                hostname: lease.client_hostname.clone(),
                state: lease.binding_state.to_string(),
                starts: lease.starts.map(Timestamp::iso),
                ends: lease.ends.map(Timestamp::iso),
                manufacturer,
            }
        })
        .collect()
}

/// Reads an IEEE `oui.txt` (lines `AA-BB-CC   (hex)\t\tName`) into a prefix map.
pub fn parse_oui(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let (prefix, rest) = line.split_once("(hex)")?;
            let prefix = prefix.trim();
            (prefix.len() == 8).then(|| (prefix.to_ascii_uppercase(), rest.trim().to_string()))
        })
        .collect()
}

/// The table of `dhcp-lease-list`: MAC, IP, hostname, valid until, manufacturer (and the
/// state, for [`Listing::All`]).
pub fn render_table(rows: &[Listed], listing: Listing) -> String {
    let all = listing == Listing::All;
    let mut out = String::new();
    let state = if all {
        format!("{:<10}", "state")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{:<19}{:<16}{:<15}{:<20}{state}manufacturer",
        "MAC", "IP", "hostname", "valid until"
    );
    out.push_str(&"=".repeat(if all { 105 } else { 95 }));
    out.push('\n');
    for row in rows {
        let hostname: String = row
            .hostname
            .as_deref()
            .unwrap_or("-NA-")
            .chars()
            .take(14)
            .collect();
        let state = if all {
            format!("{:<10}", row.state)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{:<19}{:<16}{:<14} {:<20}{state}{}",
            row.mac.as_deref().unwrap_or("-NA-"),
            row.ip,
            hostname,
            row.ends.as_deref().unwrap_or("-NA-"),
            row.manufacturer.as_deref().unwrap_or("-NA-")
        );
    }
    out
}
