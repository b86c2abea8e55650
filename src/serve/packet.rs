//! DHCPv4 packets: the server's own decoder for requests ([`request`]: every option kept raw,
//! in order, a bad one never costing the others; the magic cookie checked), the reasons a
//! packet is dropped ([`malformed`]), option 82 read without being changed ([`relay`]),
//! replies built on dhcproto's [`Message`] ([`reply`]) and laid out on the wire as ISC dhcpd
//! does ([`encode`]), and client bytes made safe for the log ([`text`]).
//!
//! dhcproto decodes a whole message or nothing, keeps options in a map by code (so the order
//! of the client's options and of a reply's is lost), re-encodes option 82 from its parsed
//! sub-options, and reads text options as UTF-8: that is why requests are decoded here and
//! replies encoded here, while dhcproto still types the reply's options for the engine.

pub mod encode;
pub(crate) mod malformed;
pub(crate) mod relay;
pub(crate) mod reply;
pub(crate) mod request;
pub(crate) mod text;

use std::net::Ipv4Addr;

use dhcproto::v4::{DhcpOption, Message, MessageType, OptionCode, UnknownOption};

pub use encode::encode;
pub use malformed::Malformed;
pub use reply::Reply;
pub use request::{Request, decode};
pub use text::escape;

use super::bindings::ClientKey;
use super::config::Params;

/// Number of malformed packets dropped so far.
pub fn malformed_count() -> u64 {
    malformed::total()
}

/// A hardware address as dhcpd prints it (`52:54:00:aa:bb:cc`).
pub fn hw_text(hw: &[u8]) -> String {
    hw.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The client's hardware address as dhcpd prints it.
pub fn mac_string(msg: &Request) -> String {
    hw_text(msg.chaddr())
}

/// The hardware address if it is Ethernet.
pub fn ethernet(msg: &Request) -> Option<[u8; 6]> {
    let hw: [u8; 6] = msg.chaddr().try_into().ok()?;
    (msg.htype() == 1).then_some(hw)
}

/// How the client is identified: option 61, otherwise hardware type and address.
pub fn client_key(msg: &Request) -> ClientKey {
    match msg.client_id() {
        Some(id) => ClientKey::Uid(id.to_vec()),
        None => ClientKey::Hw(msg.htype(), msg.chaddr().to_vec()),
    }
}

/// The DHCP message type.
pub fn msg_type(msg: &Request) -> Option<MessageType> {
    Some(msg.msg_type())
}

/// Option 50.
pub fn requested_ip(msg: &Request) -> Option<Ipv4Addr> {
    msg.requested_ip()
}

/// Option 54.
pub fn server_id(msg: &Request) -> Option<Ipv4Addr> {
    msg.server_id()
}

/// Option 118 (RFC 3011).
pub fn subnet_selection(msg: &Request) -> Option<Ipv4Addr> {
    msg.subnet_selection()
}

/// Option 51 in a request.
pub fn requested_lease(msg: &Request) -> Option<u32> {
    msg.requested_lease()
}

/// Option 12 sent by the client, as text for the lease record (bytes that are not UTF-8
/// become U+FFFD; the lease file leaves out a name that is not printable ASCII, as ISC does).
pub fn hostname(msg: &Request) -> Option<String> {
    msg.hostname()
        .map(|h| String::from_utf8_lossy(h).into_owned())
}

/// Option 12 sent by the client, escaped for a log line.
pub fn hostname_for_log(msg: &Request) -> Option<String> {
    msg.hostname().map(escape)
}

/// The reply to `req` (see [`Reply::to`]).
pub fn reply(req: &Request, kind: MessageType, server: Ipv4Addr) -> Reply {
    Reply::to(req, kind, server)
}

/// Adds a scope's options and boot parameters to a reply (the order they go out in is the
/// encoder's: see [`encode`]).
pub fn add_params(m: &mut Message, params: &Params) {
    if let Some(ns) = params.next_server {
        m.set_siaddr(ns);
    }
    if let Some(f) = &params.filename {
        m.set_fname_str(f);
    }
    for (code, bytes) in &params.options {
        m.opts_mut().insert(DhcpOption::Unknown(UnknownOption::new(
            OptionCode::from(*code),
            bytes.clone(),
        )));
    }
}

/// Adds the lease time with T1 (1/2) and T2 (7/8), as dhcpd does.
pub fn add_lease_time(m: &mut Message, secs: u32) {
    let opts = m.opts_mut();
    opts.insert(DhcpOption::AddressLeaseTime(secs));
    opts.insert(DhcpOption::Renewal(secs / 2));
    opts.insert(DhcpOption::Rebinding((secs as u64 * 7 / 8) as u32));
}

#[cfg(test)]
mod tests;
