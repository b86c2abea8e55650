//! The failover wire codec: ISC dhcpd 4.4's messages (draft-ietf-dhc-failover-12 as ISC
//! implements it), sans-IO and panic-free on any input.
//!
//! A message is a 12-octet header (length, type, payload offset, time, xid; big-endian) and
//! TLV options (2-octet code, 2-octet length, data). The facts come from
//! `../shared/research/failover-protocol.md` ("digest", sections cited as §N) and from
//! captures of two ISC dhcpd 4.4.3 peers, which the tests decode and re-encode byte for byte.
//!
//! - [`decode`] one message with ISC's receive rules, [`encode`] one in ISC's option order;
//! - [`Framer`] cuts a TCP stream into messages;
//! - [`Message`] has a constructor for each message as ISC sends it;
//! - [`load_balance_hash`] and [`hba_from_split`] are the RFC 3074 load balancing.

mod balance;
mod codes;
mod decode;
mod encode;
mod framer;
mod message;
mod options;
mod reason;
mod states;
#[cfg(test)]
mod tests;

pub use balance::{hba_from_split, load_balance_hash, load_balance_key, primary_serves};
pub use codes::{MessageType, OptionCode};
pub use decode::{OverflowAt, WireError, decode};
pub use encode::{EncodeError, encode};
pub use framer::Framer;
pub use message::{BindingUpdate, Chaddr, Message};
pub use options::OptionValue;
pub use reason::RejectReason;
pub use states::{Coded, WireCode};

/// The header: length (2), type (1), payload offset (1), time (4), xid (4). ISC always sends
/// a payload offset of 12; draft-12's 8 is wrong (digest §1.3).
pub const HEADER_LEN: usize = 12;

/// The shortest message ISC accepts: a header without options.
pub const MIN_MESSAGE_LEN: usize = 12;

/// The longest message ISC accepts; it drops the link on a longer length field.
pub const MAX_MESSAGE_LEN: usize = 2048;

/// The size of a hash bucket assignment in CONNECT: 256 buckets, one bit each.
pub const HBA_LEN: usize = 32;

/// The protocol-version ISC sends (and never checks).
pub const PROTOCOL_VERSION: u8 = 1;

/// Server flag: the sender is starting up; server-state then holds its saved state.
pub const SERVER_FLAG_STARTUP: u8 = 0x01;

/// IP flag: the lease is reserved.
pub const IP_FLAG_RESERVED: u16 = 0x0001;

/// IP flag: the lease was given to a BOOTP client.
pub const IP_FLAG_BOOTP: u16 = 0x0002;
