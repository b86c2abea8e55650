//! Reading option 82 (relay agent information, RFC 3046) without changing it: the server
//! echoes the option's raw bytes and only looks up the sub-options it acts on. A sub-option
//! of an unexpected length is skipped, never "repaired", and never costs the echo.

use std::net::Ipv4Addr;

/// Sub-option codes.
pub(crate) mod sub {
    /// Agent circuit id (RFC 3046).
    pub(crate) const CIRCUIT_ID: u8 = 1;
    /// Agent remote id (RFC 3046).
    pub(crate) const REMOTE_ID: u8 = 2;
    /// Link selection (RFC 3527).
    pub(crate) const LINK_SELECTION: u8 = 5;
    /// Subscriber id (RFC 3993).
    pub(crate) const SUBSCRIBER_ID: u8 = 6;
    /// Server identifier override (RFC 5107).
    pub(crate) const SERVER_ID_OVERRIDE: u8 = 11;
}

/// A view of option 82's data.
#[derive(Debug, Clone, Copy)]
pub struct RelayInfo<'a> {
    data: &'a [u8],
}

impl<'a> RelayInfo<'a> {
    /// A view of the option's data (the bytes after code and length).
    pub fn new(data: &'a [u8]) -> RelayInfo<'a> {
        RelayInfo { data }
    }

    /// The sub-options in the relay's order; a last one cut short ends the walk.
    pub fn subs(&self) -> impl Iterator<Item = (u8, &'a [u8])> + 'a {
        let mut rest = self.data;
        std::iter::from_fn(move || {
            let (&code, after) = rest.split_first()?;
            let (&len, after) = after.split_first()?;
            let len = usize::from(len);
            if after.len() < len {
                rest = &[];
                return None;
            }
            let (value, next) = after.split_at(len);
            rest = next;
            Some((code, value))
        })
    }

    /// The first sub-option `code`.
    pub fn get(&self, code: u8) -> Option<&'a [u8]> {
        self.subs().find(|(c, _)| *c == code).map(|(_, v)| v)
    }

    fn address(&self, code: u8) -> Option<Ipv4Addr> {
        let v = self.get(code)?;
        let b: [u8; 4] = v.try_into().ok()?;
        Some(Ipv4Addr::from(b))
    }

    /// Circuit id (sub-option 1).
    pub fn circuit_id(&self) -> Option<&'a [u8]> {
        self.get(sub::CIRCUIT_ID)
    }

    /// Remote id (sub-option 2).
    pub fn remote_id(&self) -> Option<&'a [u8]> {
        self.get(sub::REMOTE_ID)
    }

    /// Subscriber id (sub-option 6).
    pub fn subscriber_id(&self) -> Option<&'a [u8]> {
        self.get(sub::SUBSCRIBER_ID)
    }

    /// Link selection (sub-option 5): an address on the client's link, when four octets.
    pub fn link_selection(&self) -> Option<Ipv4Addr> {
        self.address(sub::LINK_SELECTION)
    }

    /// Server identifier override (sub-option 11), when four octets.
    pub fn server_id_override(&self) -> Option<Ipv4Addr> {
        self.address(sub::SERVER_ID_OVERRIDE)
    }
}
