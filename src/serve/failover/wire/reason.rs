//! Reject reasons (option 21) and ISC's texts for them.

use std::borrow::Cow;
use std::fmt;

/// Why a CONNECT, a BNDUPD or the link was refused (option 21, digest §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// 1: the address is in no pool of the relationship.
    IllegalIpAddress,
    /// 2: the address is in use by another client (ISC: an illegal state transition).
    FatalConflict,
    /// 3: assigned-IP-address, binding-status or chaddr is missing.
    MissingBindingInfo,
    /// 4: the peers' clocks differ by more than 60 s.
    TimeMismatch,
    /// 5: CONNECT without an MCLT.
    InvalidMclt,
    /// 6: ISC's catch-all refusal.
    MiscReject,
    /// 7: a link is already up.
    DuplicateConnection,
    /// 8: relationship-name missing or unknown.
    InvalidPartner,
    /// 9
    TlsNotSupported,
    /// 10
    TlsNotConfigured,
    /// 11
    TlsRequired,
    /// 12
    DigestNotSupported,
    /// 13
    DigestNotConfigured,
    /// 14 (ISC never checks the version).
    VersionMismatch,
    /// 15
    OutdatedBindingInfo,
    /// 16: a duelling update lost.
    LessCriticalBindingInfo,
    /// 17
    NoTraffic,
    /// 18: CONNECT without a 32-byte HBA.
    HbaConflict,
    /// 19: RESERVED flag on a lease not reserved here.
    IpNotReserved,
    /// 20
    DigestFailed,
    /// 21
    MissingDigest,
    /// 254: an error no other reason covers.
    Unknown,
    /// An octet with no name (0 means "no reason" to ISC). Build it with
    /// [`from_code`](RejectReason::from_code), which never puts a named code here.
    Undefined(u8),
}

impl RejectReason {
    const NAMED: [RejectReason; 22] = [
        RejectReason::IllegalIpAddress,
        RejectReason::FatalConflict,
        RejectReason::MissingBindingInfo,
        RejectReason::TimeMismatch,
        RejectReason::InvalidMclt,
        RejectReason::MiscReject,
        RejectReason::DuplicateConnection,
        RejectReason::InvalidPartner,
        RejectReason::TlsNotSupported,
        RejectReason::TlsNotConfigured,
        RejectReason::TlsRequired,
        RejectReason::DigestNotSupported,
        RejectReason::DigestNotConfigured,
        RejectReason::VersionMismatch,
        RejectReason::OutdatedBindingInfo,
        RejectReason::LessCriticalBindingInfo,
        RejectReason::NoTraffic,
        RejectReason::HbaConflict,
        RejectReason::IpNotReserved,
        RejectReason::DigestFailed,
        RejectReason::MissingDigest,
        RejectReason::Unknown,
    ];

    /// The reject-reason octet.
    pub fn code(self) -> u8 {
        match self {
            RejectReason::IllegalIpAddress => 1,
            RejectReason::FatalConflict => 2,
            RejectReason::MissingBindingInfo => 3,
            RejectReason::TimeMismatch => 4,
            RejectReason::InvalidMclt => 5,
            RejectReason::MiscReject => 6,
            RejectReason::DuplicateConnection => 7,
            RejectReason::InvalidPartner => 8,
            RejectReason::TlsNotSupported => 9,
            RejectReason::TlsNotConfigured => 10,
            RejectReason::TlsRequired => 11,
            RejectReason::DigestNotSupported => 12,
            RejectReason::DigestNotConfigured => 13,
            RejectReason::VersionMismatch => 14,
            RejectReason::OutdatedBindingInfo => 15,
            RejectReason::LessCriticalBindingInfo => 16,
            RejectReason::NoTraffic => 17,
            RejectReason::HbaConflict => 18,
            RejectReason::IpNotReserved => 19,
            RejectReason::DigestFailed => 20,
            RejectReason::MissingDigest => 21,
            RejectReason::Unknown => 254,
            RejectReason::Undefined(code) => code,
        }
    }

    /// The reason with this octet; every octet has one.
    pub fn from_code(code: u8) -> RejectReason {
        RejectReason::NAMED
            .into_iter()
            .find(|r| r.code() == code)
            .unwrap_or(RejectReason::Undefined(code))
    }

    /// ISC's text for the reason (`dhcp_failover_reject_reason_print`), which it logs, e.g.
    /// `Failover CONNECT to NAME rejected: Connection rejected, invalid failover partner.`
    pub fn text(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            RejectReason::IllegalIpAddress => "Illegal IP address (not part of any address pool).",
            RejectReason::FatalConflict => "Fatal conflict exists: address in use by other client.",
            RejectReason::MissingBindingInfo => "Missing binding information.",
            RejectReason::TimeMismatch => "Connection rejected, time mismatch too great.",
            RejectReason::InvalidMclt => "Connection rejected, invalid MCLT.",
            RejectReason::MiscReject => "Connection rejected, unknown reason.",
            RejectReason::DuplicateConnection => "Connection rejected, duplicate connection.",
            RejectReason::InvalidPartner => "Connection rejected, invalid failover partner.",
            RejectReason::TlsNotSupported => "TLS not supported.",
            RejectReason::TlsNotConfigured => "TLS supported but not configured.",
            RejectReason::TlsRequired => "TLS required but not supported by partner.",
            RejectReason::DigestNotSupported => "Message digest not supported.",
            RejectReason::DigestNotConfigured => "Message digest not configured.",
            RejectReason::VersionMismatch => "Protocol version mismatch.",
            RejectReason::OutdatedBindingInfo => "Outdated binding information.",
            RejectReason::LessCriticalBindingInfo => "Less critical binding information.",
            RejectReason::NoTraffic => "No traffic within sufficient time.",
            RejectReason::HbaConflict => "Hash bucket assignment conflict.",
            RejectReason::IpNotReserved => "IP not reserved on this server.",
            RejectReason::DigestFailed => "Message digest failed to compare.",
            RejectReason::MissingDigest => "Missing message digest.",
            RejectReason::Unknown => "Unknown Error.",
            RejectReason::Undefined(code) => {
                return Cow::Owned(format!(
                    "Undefined-{code}: This reason code is not defined in the protocol standard."
                ));
            }
        })
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}
