//! ISC dhcpd's lease database, `dhcpd.leases(5)`: parse it, write it, list it.
//!
//! The file is an append-only journal: every change of a lease appends a whole `lease { }`
//! stanza, and the last stanza of an address wins ([`LeaseFile::current`]). The same holds
//! for `failover peer "NAME" state { }` stanzas. [`write_lease`] and [`write_failover`]
//! produce ISC's exact layout, so `dhcpd -T -lf FILE` and `dhcp-lease-list --lease FILE` read
//! what dhcpfo writes.

mod list;
mod parse;
mod stream;
#[cfg(test)]
mod tests;
mod time;
mod write;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

pub use list::{Listed, Listing, list, parse_oui, render_table};
pub use parse::{LeaseFileError, parse};
pub use stream::{MAX_STATEMENT, StreamError, for_each_batch};
pub use time::Timestamp;
pub use write::{header, quote, write_failover, write_lease};

/// The text up to the end of the last complete top-level record, and the number of bytes
/// after it that are not blank or comments: a last record cut off by a crash or a full disk
/// (0 when the file ends with a whole record).
pub fn complete_records(text: &str) -> (&str, usize) {
    let end = text
        .rfind("\n}\n")
        .map_or_else(|| if text.starts_with("}\n") { 2 } else { 0 }, |i| i + 3);
    // Text after the last record that is only comments or blank is not torn, nor whole
    // top-level statements (a file of only its header: `authoring-byte-order ...;`).
    let rest = &text[end..];
    let blank = rest
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    let statements = || rest.trim_end().ends_with(';') && parse(rest).is_ok();
    if rest.is_empty() || rest.ends_with('\n') && (blank || statements()) {
        (text, 0)
    } else {
        (&text[..end], rest.len())
    }
}

/// The words a top-level record of a lease file starts with (ISC's lease file parser).
const RECORD_KEYWORDS: [&str; 12] = [
    "lease",
    "failover",
    "host",
    "group",
    "class",
    "subclass",
    "server-duid",
    "authoring-byte-order",
    "ia-na",
    "ia-ta",
    "ia-pd",
    "db-time-format",
];

/// A lease file read with its last record cut off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// 1-based line where the cut-off record starts.
    pub line: usize,
    /// Its length in bytes.
    pub bytes: usize,
}

/// Parses a lease file as dhcpd reads one after a crash: when the only error is in a last
/// record that was cut off before its `}`, the records before it are returned with that tail
/// described; any other error is returned as [`parse`] gives it.
pub fn parse_allowing_torn_tail(
    text: &str,
) -> Result<(LeaseFile, Option<TornTail>), LeaseFileError> {
    let error = match parse(text) {
        Ok(file) => return Ok((file, None)),
        Err(e) => e,
    };
    let (whole, bytes) = complete_records(text);
    if bytes == 0 || error.offset < whole.len() {
        return Err(error);
    }
    // The cut-off record starts after blank lines, comments and whole one-line statements
    // (a file's header: `authoring-byte-order little-endian;`).
    let mut start = whole.len();
    for line in text[whole.len()..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        let statement = trimmed.trim_end().ends_with(';') && !trimmed.contains('{');
        if line.ends_with('\n')
            && (trimmed.trim().is_empty() || trimmed.starts_with('#') || statement)
        {
            start += line.len();
        } else {
            start += line.len() - trimmed.len();
            break;
        }
    }
    // A record cut off starts as one: a declaration dhcpd writes in a lease file, or the
    // start of its first word when the cut came inside it.
    let tail = &text[start..];
    let first = tail
        .split(|c: char| c.is_ascii_whitespace() || c == '{' || c == ';')
        .next()
        .unwrap_or_default();
    let cut_in_first_word = first.len() == tail.len();
    let starts_a_record = RECORD_KEYWORDS
        .iter()
        .any(|k| *k == first || cut_in_first_word && !first.is_empty() && k.starts_with(first));
    if !starts_a_record {
        return Err(error);
    }
    let file = parse(&text[..start]).map_err(|_| error)?;
    let line = text.as_bytes()[..start]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    Ok((
        file,
        Some(TornTail {
            line,
            bytes: text.len() - start,
        }),
    ))
}

/// The binding state of a lease (ISC's `binding state`, also the failover protocol's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BindingState {
    /// Available to this server (or to the primary in a failover pair).
    Free,
    /// Leased to a client.
    Active,
    /// The lease ran out; not yet free again.
    Expired,
    /// The client released it.
    Released,
    /// Declined by a client or found in use: not handed out.
    Abandoned,
    /// Reset by an operator.
    Reset,
    /// Available to the secondary of a failover pair.
    Backup,
}

impl BindingState {
    /// Every state, in ISC's order.
    pub const ALL: [BindingState; 7] = [
        BindingState::Free,
        BindingState::Active,
        BindingState::Expired,
        BindingState::Released,
        BindingState::Abandoned,
        BindingState::Reset,
        BindingState::Backup,
    ];

    /// The keyword in the lease file.
    pub fn as_str(self) -> &'static str {
        match self {
            BindingState::Free => "free",
            BindingState::Active => "active",
            BindingState::Expired => "expired",
            BindingState::Released => "released",
            BindingState::Abandoned => "abandoned",
            BindingState::Reset => "reset",
            BindingState::Backup => "backup",
        }
    }
}

impl fmt::Display for BindingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BindingState {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        BindingState::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or(())
    }
}

/// A link-layer address (`hardware ethernet 52:54:00:00:00:01;`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hardware {
    /// ARP hardware type: 1 ethernet, 6 token-ring, 8 fddi, 32 infiniband.
    pub htype: u8,
    /// The address bytes.
    pub address: Vec<u8>,
}

impl Hardware {
    /// An Ethernet address.
    pub fn ethernet(address: [u8; 6]) -> Hardware {
        Hardware {
            htype: 1,
            address: address.to_vec(),
        }
    }

    /// ISC's name of the hardware type (`unknown-N` for others).
    pub fn type_name(&self) -> String {
        match self.htype {
            1 => "ethernet".into(),
            6 => "token-ring".into(),
            8 => "fddi".into(),
            32 => "infiniband".into(),
            n => format!("unknown-{n}"),
        }
    }

    /// The address as lower-case hex bytes separated by colons.
    pub fn to_hex(&self) -> String {
        let parts: Vec<String> = self.address.iter().map(|b| format!("{b:02x}")).collect();
        parts.join(":")
    }
}

/// One `lease ADDRESS { ... }` stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The leased address.
    pub address: Ipv4Addr,
    /// Start of the lease.
    pub starts: Option<Timestamp>,
    /// End of the lease.
    pub ends: Option<Timestamp>,
    /// Failover: time sent to the partner (the end the partner was told of).
    pub tstp: Option<Timestamp>,
    /// Failover: time the partner acknowledged.
    pub tsfp: Option<Timestamp>,
    /// Failover: actual time sent from the partner.
    pub atsfp: Option<Timestamp>,
    /// Client's last transaction time.
    pub cltt: Option<Timestamp>,
    /// The state now.
    pub binding_state: BindingState,
    /// The state when the lease ends.
    pub next_binding_state: Option<BindingState>,
    /// Failover: the state to return to if the partner's update is rewound.
    pub rewind_binding_state: Option<BindingState>,
    /// The client's link-layer address.
    pub hardware: Option<Hardware>,
    /// The client identifier (option 61).
    pub uid: Option<Vec<u8>>,
    /// The host name the client sent.
    pub client_hostname: Option<String>,
    /// `reserved;`: the lease is kept for its client.
    pub reserved: bool,
    /// `dynamic-bootp;`: a BOOTP lease.
    pub dynamic_bootp: bool,
    /// `set NAME = VALUE;` variables, the value kept as written (quotes included).
    pub vars: Vec<(String, String)>,
    /// `option agent.NAME VALUE;` relay-agent options, the value kept as written.
    pub agent_options: Vec<(String, String)>,
}

impl Lease {
    /// A lease of `address` in `state` with every other field empty.
    pub fn new(address: Ipv4Addr, binding_state: BindingState) -> Lease {
        Lease {
            address,
            starts: None,
            ends: None,
            tstp: None,
            tsfp: None,
            atsfp: None,
            cltt: None,
            binding_state,
            next_binding_state: None,
            rewind_binding_state: None,
            hardware: None,
            uid: None,
            client_hostname: None,
            reserved: false,
            dynamic_bootp: false,
            vars: Vec::new(),
            agent_options: Vec::new(),
        }
    }
}

/// A failover state (`my state normal at ...;`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailoverState {
    /// Both peers talk and share the pools.
    Normal,
    /// The partner is unreachable.
    CommunicationsInterrupted,
    /// The partner is known to be down: this peer serves everything after MCLT.
    PartnerDown,
    /// Rebuilding the lease database from the partner.
    Recover,
    /// Recovery done, waiting MCLT.
    RecoverWait,
    /// Recovery done.
    RecoverDone,
    /// Starting up.
    Startup,
    /// Conflict resolution done.
    ConflictDone,
    /// Communication lost during conflict resolution.
    ResolutionInterrupted,
    /// Both peers may have served the same addresses.
    PotentialConflict,
    /// Shutting down.
    Shutdown,
    /// Paused by an operator.
    Paused,
    /// The partner's state has not been heard yet.
    Unknown,
}

impl FailoverState {
    /// Every state.
    pub const ALL: [FailoverState; 13] = [
        FailoverState::Normal,
        FailoverState::CommunicationsInterrupted,
        FailoverState::PartnerDown,
        FailoverState::Recover,
        FailoverState::RecoverWait,
        FailoverState::RecoverDone,
        FailoverState::Startup,
        FailoverState::ConflictDone,
        FailoverState::ResolutionInterrupted,
        FailoverState::PotentialConflict,
        FailoverState::Shutdown,
        FailoverState::Paused,
        FailoverState::Unknown,
    ];

    /// The keyword in the lease file.
    pub fn as_str(self) -> &'static str {
        match self {
            FailoverState::Normal => "normal",
            FailoverState::CommunicationsInterrupted => "communications-interrupted",
            FailoverState::PartnerDown => "partner-down",
            FailoverState::Recover => "recover",
            FailoverState::RecoverWait => "recover-wait",
            FailoverState::RecoverDone => "recover-done",
            FailoverState::Startup => "startup",
            FailoverState::ConflictDone => "conflict-done",
            FailoverState::ResolutionInterrupted => "resolution-interrupted",
            FailoverState::PotentialConflict => "potential-conflict",
            FailoverState::Shutdown => "shutdown",
            FailoverState::Paused => "paused",
            FailoverState::Unknown => "unknown-state",
        }
    }
}

impl fmt::Display for FailoverState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FailoverState {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        FailoverState::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or(())
    }
}

/// One peer's failover state and when it entered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerState {
    /// The state.
    pub state: FailoverState,
    /// When it was entered.
    pub at: Timestamp,
}

/// A `failover peer "NAME" state { ... }` stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailoverStanza {
    /// The relationship name.
    pub peer: String,
    /// This server's state.
    pub my: PeerState,
    /// The partner's state as last known.
    pub partner: PeerState,
    /// The MCLT; ISC writes it on the secondary only.
    pub mclt: Option<u32>,
}

/// A parsed lease file: every stanza in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeaseFile {
    /// Every lease stanza, in file order (an address may appear many times).
    pub leases: Vec<Lease>,
    /// Every failover state stanza, in file order.
    pub failover: Vec<FailoverStanza>,
    /// `authoring-byte-order` (`little-endian` or `big-endian`), the last one given.
    pub authoring_byte_order: Option<String>,
    /// `server-duid`, the last one given (bytes of a quoted string).
    pub server_duid: Option<Vec<u8>>,
}

impl LeaseFile {
    /// The file's present state: the last stanza of each address (sorted by address) and of
    /// each failover peer (sorted by name), since the file is append-only.
    pub fn current(&self) -> LeaseFile {
        LeaseFile {
            leases: latest_lease_stanzas(&self.leases)
                .into_iter()
                .map(|i| self.leases[i].clone())
                .collect(),
            failover: latest_failover_stanzas(&self.failover)
                .into_iter()
                .map(|i| self.failover[i].clone())
                .collect(),
            authoring_byte_order: self.authoring_byte_order.clone(),
            server_duid: self.server_duid.clone(),
        }
    }

    /// [`LeaseFile::current`] without copying: for a large file read once (journal replay).
    pub fn into_current(self) -> LeaseFile {
        let keep = latest_lease_stanzas(&self.leases);
        let mut wanted = vec![false; self.leases.len()];
        for &i in &keep {
            wanted[i] = true;
        }
        let mut leases: Vec<Lease> = self
            .leases
            .into_iter()
            .zip(wanted)
            .filter_map(|(lease, keep)| keep.then_some(lease))
            .collect();
        leases.sort_unstable_by_key(|l| l.address);
        let failover = latest_failover_stanzas(&self.failover)
            .into_iter()
            .map(|i| self.failover[i].clone())
            .collect();
        LeaseFile {
            leases,
            failover,
            authoring_byte_order: self.authoring_byte_order,
            server_duid: self.server_duid,
        }
    }
}

/// Indices of the last stanza of each address, in address order.
fn latest_lease_stanzas(leases: &[Lease]) -> Vec<usize> {
    let mut last: HashMap<Ipv4Addr, usize> = HashMap::with_capacity(leases.len());
    for (i, lease) in leases.iter().enumerate() {
        last.insert(lease.address, i);
    }
    let mut keep: Vec<usize> = last.into_values().collect();
    keep.sort_unstable_by_key(|&i| leases[i].address);
    keep
}

/// Indices of the last stanza of each failover peer, in name order.
fn latest_failover_stanzas(stanzas: &[FailoverStanza]) -> Vec<usize> {
    let mut last: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, stanza) in stanzas.iter().enumerate() {
        last.insert(&stanza.peer, i);
    }
    last.into_values().collect()
}
