//! Encoding a message the way ISC dhcpd writes it (`dhcp_failover_put_message`, digest §1.3).

use super::{HEADER_LEN, MAX_MESSAGE_LEN, Message, MessageType, OptionCode};

/// Why a message cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The message would exceed ISC's 2048 octets (ISC would drop the link).
    #[error("failover {kind} message of {len} octets: ISC accepts at most 2048")]
    TooLong {
        /// The message type.
        kind: MessageType,
        /// The length it would have.
        len: usize,
    },
    /// An option the type does not carry: ISC would skip it, so it is a mistake to send it.
    #[error("failover {kind} message with option {option}, which ISC does not keep there")]
    NotCarried {
        /// The message type.
        kind: MessageType,
        /// The option.
        option: OptionCode,
    },
}

crate::codes::catalogued_diagnostic!(EncodeError {
    _ => FAILOVER_MESSAGE_TOO_LONG, help(
        "this is a bug in dhcpfo: the message was built with more than ISC dhcpd accepts"
    );
});

/// Encodes `message`: the 12-octet header (payload offset 12, never draft-12's 8; digest
/// quirk 2), then each option the type carries, in ISC's send order
/// ([`MessageType::options`]), big-endian.
///
/// Never writes DDNS (ISC drops the link on it, quirk 4), never an option twice (quirk 3:
/// the struct holds one of each), and never more than 2048 octets.
pub fn encode(message: &Message) -> Result<Vec<u8>, EncodeError> {
    let kind = message.kind;
    if let Some((option, _)) = message
        .options()
        .into_iter()
        .find(|(o, _)| !kind.carries(*o))
    {
        return Err(EncodeError::NotCarried { kind, option });
    }
    let options: Vec<_> = kind
        .options()
        .iter()
        .filter(|&&o| o != OptionCode::Ddns)
        .filter_map(|&o| message.option(o).map(|v| (o, v)))
        .collect();
    let len = HEADER_LEN + options.iter().map(|(_, v)| 4 + v.len()).sum::<usize>();
    if len > MAX_MESSAGE_LEN {
        return Err(EncodeError::TooLong { kind, len });
    }
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.extend_from_slice(&[kind.code(), HEADER_LEN as u8]);
    out.extend_from_slice(&message.time.to_be_bytes());
    out.extend_from_slice(&message.xid.to_be_bytes());
    for (option, value) in options {
        // Each option is shorter than the whole message, which is at most 2048 octets.
        out.extend_from_slice(&option.code().to_be_bytes());
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
        value.write(&mut out);
    }
    Ok(out)
}
