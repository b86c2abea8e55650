//! Why a packet is not answered, counted by reason for the whole run.

use std::sync::atomic::{AtomicU64, Ordering};

/// Why a received packet is not a request the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Malformed {
    /// Fewer than 240 octets (the BOOTP header and the magic cookie).
    Short,
    /// Not a BOOTREQUEST (op 2 is a server's reply).
    NotRequest,
    /// A hardware address length over 16.
    BadHlen,
    /// No DHCP magic cookie (RFC 2131 §3): not DHCP.
    BadCookie,
    /// An option whose length runs past the end of its field.
    TruncatedOption,
    /// No message type (option 53): BOOTP, which is not served.
    NoMessageType,
    /// A message type option that is not one octet.
    BadMessageType,
    /// A DHCPREQUEST with neither option 50 nor ciaddr, or a DHCPDECLINE without option 50.
    NoAddress,
}

impl Malformed {
    /// Every reason, in the order of the counters.
    pub const ALL: [Malformed; 8] = [
        Malformed::Short,
        Malformed::NotRequest,
        Malformed::BadHlen,
        Malformed::BadCookie,
        Malformed::TruncatedOption,
        Malformed::NoMessageType,
        Malformed::BadMessageType,
        Malformed::NoAddress,
    ];

    /// What is wrong, for the log.
    pub fn text(self) -> &'static str {
        match self {
            Malformed::Short => "shorter than a BOOTP header and magic cookie (240 octets)",
            Malformed::NotRequest => "not a BOOTREQUEST",
            Malformed::BadHlen => "hardware address length over 16",
            Malformed::BadCookie => "no DHCP magic cookie",
            Malformed::TruncatedOption => "an option runs past the end of the packet",
            Malformed::NoMessageType => "no DHCP message type (BOOTP is not served)",
            Malformed::BadMessageType => "a DHCP message type option that is not one octet",
            Malformed::NoAddress => "a DHCPREQUEST or DHCPDECLINE that names no address",
        }
    }

    /// A short name, for the summary counts.
    pub fn name(self) -> &'static str {
        match self {
            Malformed::Short => "short",
            Malformed::NotRequest => "not-request",
            Malformed::BadHlen => "bad-hlen",
            Malformed::BadCookie => "bad-cookie",
            Malformed::TruncatedOption => "truncated-option",
            Malformed::NoMessageType => "no-message-type",
            Malformed::BadMessageType => "bad-message-type",
            Malformed::NoAddress => "no-address",
        }
    }

    fn index(self) -> usize {
        Malformed::ALL.iter().position(|m| *m == self).unwrap_or(0)
    }

    /// Counts one packet dropped for this reason.
    pub fn count(self) {
        COUNTS[self.index()].fetch_add(1, Ordering::Relaxed);
    }
}

static COUNTS: [AtomicU64; Malformed::ALL.len()] = [const { AtomicU64::new(0) }; 8];

/// Packets dropped for `reason` so far.
pub(crate) fn count_of(reason: Malformed) -> u64 {
    COUNTS[reason.index()].load(Ordering::Relaxed)
}

/// Packets dropped so far, all reasons.
pub(crate) fn total() -> u64 {
    COUNTS.iter().map(|c| c.load(Ordering::Relaxed)).sum()
}

/// The non-zero counts as `bad-cookie 3, no-address 1` (empty when none).
pub(crate) fn summary() -> String {
    Malformed::ALL
        .iter()
        .filter_map(|m| {
            let n = count_of(*m);
            (n > 0).then(|| format!("{} {n}", m.name()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
