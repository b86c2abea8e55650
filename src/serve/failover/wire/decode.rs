//! Decoding one message with ISC's receive rules (digest §1.3, §1.4; ISC
//! `dhcp_failover_link_signal` and `do_a_failover_option`).

use std::fmt;

use super::{
    HEADER_LEN, MAX_MESSAGE_LEN, MIN_MESSAGE_LEN, Message, MessageType, OptionCode, RejectReason,
};

/// Why a received message cannot be used. Every variant but [`WireError::UnknownType`]
/// closes the link, as ISC does; the texts are ISC's log lines where it has them.
/// ([`WireError::Short`] and [`WireError::Size`] only come from handing [`decode`] something
/// other than one whole message; [`Framer`](super::Framer) frames never do.)
///
/// ISC just closes the socket; we send [`WireError::disconnect`] first, then close.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The length field is below 12 or above 2048 (ISC logs `message length wait:
    /// unexpected error`).
    #[error("FAILOVER: message length {len} is outside 12..2048")]
    Length {
        /// The length field.
        len: u16,
    },
    /// Fewer than the 2 octets of the length field.
    #[error("FAILOVER: {actual} octet(s) are not a message")]
    Short {
        /// The octets given.
        actual: usize,
    },
    /// The octets given to [`decode`] are not exactly one message.
    #[error("FAILOVER: message length {declared}, but {actual} octets given")]
    Size {
        /// The length field.
        declared: u16,
        /// The octets given.
        actual: usize,
    },
    /// The payload offset is below 12 (ISC's unsigned skip would run wild) or past the end.
    #[error("FAILOVER: payload offset {offset} outside 12..{len}")]
    PayloadOffset {
        /// The offset field.
        offset: u8,
        /// The length field.
        len: u16,
    },
    /// A type above 12 with options (digest §1.4 rule 2).
    #[error("FAILOVER: invalid message type: {code}")]
    InvalidType {
        /// The type octet.
        code: u8,
    },
    /// An option's code, length or data runs past the end of the message.
    #[error("FAILOVER: message overflow at {at}.")]
    Overflow {
        /// Which field overflowed.
        at: OverflowAt,
    },
    /// An option the type keeps appears twice (ISC cannot take batched BNDUPDs).
    #[error("FAILOVER: duplicate option {option}")]
    Duplicate {
        /// The option.
        option: OptionCode,
    },
    /// A fixed-size option with another length (`got:expected`, as ISC prints it).
    #[error("FAILOVER: option size ({got}:{expected}), option {option}")]
    OptionSize {
        /// The option.
        option: OptionCode,
        /// Its length on the wire.
        got: u16,
        /// The length ISC requires.
        expected: usize,
    },
    /// Type 0, or a type above 12 without options: ISC ignores such a message and keeps the
    /// link, and so should the caller.
    #[error("FAILOVER: message of unknown type {code} ignored")]
    UnknownType {
        /// The type octet.
        code: u8,
    },
}

crate::codes::catalogued_diagnostic!(WireError {
    _ => FAILOVER_MESSAGE_REFUSED, help(
        "the failover peer sent a message ISC dhcpd would refuse too; the link is closed and \
         set up again"
    );
});

/// Where an option ran past the end of its message (ISC's three overflow log lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverflowAt {
    /// The 2-byte option code.
    Code,
    /// The 2-byte option length.
    Length,
    /// The option data.
    Data,
}

impl fmt::Display for OverflowAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OverflowAt::Code => "option code",
            OverflowAt::Length => "length",
            OverflowAt::Data => "data",
        })
    }
}

impl WireError {
    /// Whether the link must be closed; `false` only for a message ISC would ignore.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, WireError::UnknownType { .. })
    }

    /// The reason to put in the DISCONNECT: 254 (`Unknown Error.`), draft-12's reason for an
    /// error no other reason covers. ISC itself sends no DISCONNECT on a bad message.
    pub fn reject_reason(&self) -> RejectReason {
        RejectReason::Unknown
    }

    /// The DISCONNECT to send before closing: the reason and this error's text. Set its time
    /// and a new xid with [`Message::at`].
    pub fn disconnect(&self) -> Message {
        Message::disconnect(self.reject_reason(), Some(&self.to_string()))
    }
}

/// Decodes exactly one message (the length field must equal `bytes.len()`; a stream is cut
/// into messages by [`Framer`](super::Framer)).
///
/// ISC's rules, in its order: length 12..=2048; octets between 12 and the payload offset
/// skipped; a type above 12 that carries options is fatal (without options it is ignored,
/// like type 0); any option running past the end is fatal; codes 0 and above 29 skipped; an
/// option kept twice is fatal; options the type does not keep skipped (digest §2.2); a
/// fixed-size option of another size is fatal.
pub fn decode(bytes: &[u8]) -> Result<Message, WireError> {
    let Some(declared) = be16(bytes, 0) else {
        return Err(WireError::Short {
            actual: bytes.len(),
        });
    };
    if !(MIN_MESSAGE_LEN..=MAX_MESSAGE_LEN).contains(&usize::from(declared)) {
        return Err(WireError::Length { len: declared });
    }
    if bytes.len() != usize::from(declared) {
        return Err(WireError::Size {
            declared,
            actual: bytes.len(),
        });
    }
    let header = bytes.get(..HEADER_LEN).unwrap_or_default();
    let (code, offset) = match header {
        [_, _, code, offset, ..] => (*code, *offset),
        _ => (0, 0),
    };
    if usize::from(offset) < HEADER_LEN || u16::from(offset) > declared {
        return Err(WireError::PayloadOffset {
            offset,
            len: declared,
        });
    }
    let payload = bytes.get(usize::from(offset)..).unwrap_or_default();
    let Some(kind) = MessageType::from_code(code) else {
        return Err(unknown_type(code, payload));
    };
    let mut message = Message::new(kind).at(
        be32(header, 4).unwrap_or_default(),
        be32(header, 8).unwrap_or_default(),
    );
    let mut kept = 0u32;
    for_each_option(payload, |option, data| {
        let bit = 1u32 << option.code();
        if kept & bit != 0 {
            return Err(WireError::Duplicate { option });
        }
        if !kind.carries(option) {
            return Ok(());
        }
        kept |= bit;
        message
            .store(option, data)
            .map_err(|expected| WireError::OptionSize {
                option,
                got: data.len() as u16,
                expected,
            })
    })?;
    Ok(message)
}

/// What ISC does with a type it does not know: type 0 keeps no option but its options are
/// still walked (so an overflow is fatal); a higher type fails at its first option.
fn unknown_type(code: u8, payload: &[u8]) -> WireError {
    let walked = match code {
        0 => for_each_option(payload, |_, _| Ok(())),
        _ if payload.is_empty() => Ok(()),
        _ if payload.len() < 2 => Err(WireError::Overflow {
            at: OverflowAt::Code,
        }),
        _ => Err(WireError::InvalidType { code }),
    };
    walked.err().unwrap_or(WireError::UnknownType { code })
}

/// Walks the TLVs of `payload`, calling `visit` for each option code 1..=29; other codes are
/// skipped. An option running past the end is an error.
fn for_each_option(
    payload: &[u8],
    mut visit: impl FnMut(OptionCode, &[u8]) -> Result<(), WireError>,
) -> Result<(), WireError> {
    let mut rest = payload;
    while !rest.is_empty() {
        let overflow = |at| WireError::Overflow { at };
        let code = be16(rest, 0).ok_or(overflow(OverflowAt::Code))?;
        let len = be16(rest, 2).ok_or(overflow(OverflowAt::Length))?;
        let end = 4 + usize::from(len);
        let data = rest.get(4..end).ok_or(overflow(OverflowAt::Data))?;
        if let Some(option) = OptionCode::from_code(code) {
            visit(option, data)?;
        }
        rest = rest.get(end..).unwrap_or_default();
    }
    Ok(())
}

/// The big-endian u16 at `at`, if the bytes are there.
pub(super) fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let pair = bytes.get(at..at.checked_add(2)?)?;
    pair.try_into().ok().map(u16::from_be_bytes)
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let quad = bytes.get(at..at.checked_add(4)?)?;
    quad.try_into().ok().map(u32::from_be_bytes)
}
