//! A failover message with typed options, and constructors for each message as ISC dhcpd
//! sends it (digest §2.1, §2.4, and the captures).

use std::borrow::Cow;
use std::net::Ipv4Addr;

use crate::leases::{BindingState, FailoverState};

use super::{Coded, HBA_LEN, MessageType, PROTOCOL_VERSION, RejectReason, SERVER_FLAG_STARTUP};

/// One failover message: the header's type, time and xid, and every option it carries.
///
/// An option is `Some` when present. [`decode`](super::decode) fills only the options ISC
/// keeps for the type ([`MessageType::options`]); [`encode`](super::encode) refuses any
/// other, so a decoded message encodes again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message type.
    pub kind: MessageType,
    /// The sender's clock when it built the message (seconds since 1970, UTC).
    pub time: u32,
    /// The transaction id; replies echo the request's (digest §2.3).
    pub xid: u32,
    /// 1: leases moved to the peer because of a POOLREQ.
    pub addresses_transferred: Option<u32>,
    /// 2: the leased address.
    pub assigned_ip: Option<Ipv4Addr>,
    /// 3: the binding state.
    pub binding_status: Option<Coded<BindingState>>,
    /// 4: the payload of DHCP option 61, type byte included.
    pub client_id: Option<Vec<u8>>,
    /// 5: htype and hardware address.
    pub chaddr: Option<Chaddr>,
    /// 6: when the server last heard from the client.
    pub cltt: Option<u32>,
    /// 7: the reply's DHCP options (4-byte magic, then options); ISC never sends it.
    pub client_reply_options: Option<Vec<u8>>,
    /// 8: the request's DHCP options; ISC never sends it.
    pub client_request_options: Option<Vec<u8>>,
    /// 9: DDNS, kept raw as received and never sent: ISC drops the link on any non-empty
    /// one (digest §3, quirk 4).
    pub ddns: Option<Vec<u8>>,
    /// 10: RFC 3074 delayed service; no message type keeps it.
    pub delayed_service: Option<u8>,
    /// 11: the hash bucket assignment as received; see [`Message::hba_map`].
    pub hba: Option<Vec<u8>>,
    /// 12: [`IP_FLAG_RESERVED`](super::IP_FLAG_RESERVED), [`IP_FLAG_BOOTP`](super::IP_FLAG_BOOTP).
    pub ip_flags: Option<u16>,
    /// 13: the lease end given to the client (ISC's `ends`).
    pub lease_expiration: Option<u32>,
    /// 14: how many BNDUPDs the sender accepts before it acks.
    pub max_unacked: Option<u32>,
    /// 15: maximum client lead time, seconds.
    pub mclt: Option<u32>,
    /// 16: human-readable text, no NUL; see [`Message::message_text`].
    pub message: Option<Vec<u8>>,
    /// 17: draft-12's message digest; no message type keeps it.
    pub message_digest: Option<Vec<u8>>,
    /// 18: the expiry the sender may promise later (ISC's `tstp`).
    pub potential_expiration: Option<u32>,
    /// 19: seconds the sender waits for any message before it drops the link.
    pub receive_timer: Option<u32>,
    /// 20: always 1; ISC never checks it.
    pub protocol_version: Option<u8>,
    /// 21: why something was refused; its mere presence makes a CONNECTACK a rejection.
    pub reject_reason: Option<RejectReason>,
    /// 22: the relationship name, byte for byte.
    pub relationship_name: Option<Vec<u8>>,
    /// 23: [`SERVER_FLAG_STARTUP`].
    pub server_flags: Option<u8>,
    /// 24: the sender's failover state.
    pub server_state: Option<Coded<FailoverState>>,
    /// 25: when the state began (in BNDUPD: the lease's `starts`).
    pub start_time_of_state: Option<u32>,
    /// 26: ISC sends 0, and only when the CONNECT had a TLS-request.
    pub tls_reply: Option<u8>,
    /// 27: ISC sends 0.
    pub tls_request: Option<u8>,
    /// 28: `isc-4.4.3-P1` from ISC; ignored on receipt.
    pub vendor_class: Option<Vec<u8>>,
    /// 29: vendor options; no message type keeps it.
    pub vendor_specific: Option<Vec<u8>>,
}

/// Option 5, the client hardware address: the ARP hardware type, then the address, as ISC
/// keeps it (`hbuf[0]` = htype). Stored as received; a length-0 option has no htype.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chaddr(Vec<u8>);

impl Chaddr {
    /// The most ISC stores (1 + 20). ISC does not fail the message over a longer one: it
    /// rejects the BNDUPD with reason 6 and the message `chaddr too long`.
    pub const MAX_LEN: usize = 21;

    /// `htype` followed by `addr`.
    pub fn new(htype: u8, addr: &[u8]) -> Chaddr {
        let mut bytes = Vec::with_capacity(addr.len() + 1);
        bytes.push(htype);
        bytes.extend_from_slice(addr);
        Chaddr(bytes)
    }

    /// The option's data as it is on the wire.
    pub fn from_wire(bytes: Vec<u8>) -> Chaddr {
        Chaddr(bytes)
    }

    /// The option's data.
    pub fn as_wire(&self) -> &[u8] {
        &self.0
    }

    /// The hardware type (1 = Ethernet), if the option is not empty.
    pub fn htype(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// The hardware address, without the type.
    pub fn addr(&self) -> &[u8] {
        self.0.get(1..).unwrap_or_default()
    }
}

/// What a BNDUPD says about one lease, in ISC's terms (digest §2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingUpdate {
    /// The lease's address.
    pub ip: Ipv4Addr,
    /// The state the sender wants the lease in.
    pub status: BindingState,
    /// DHCP option 61 of the client, type byte included.
    pub client_id: Option<Vec<u8>>,
    /// The client's hardware address.
    pub chaddr: Option<Chaddr>,
    /// `ends`: the expiry given to the client (sent for every state).
    pub ends: u32,
    /// `tstp`: the potential expiration (sent for every state).
    pub tstp: u32,
    /// `starts`: sent as start-time-of-state.
    pub starts: u32,
    /// `cltt`; 0 leaves the option out, as ISC does.
    pub cltt: u32,
    /// IP flags; 0 leaves the option out, as ISC does.
    pub ip_flags: u16,
}

impl Message {
    /// A message of `kind` with no options, time 0 and xid 0; see [`Message::at`].
    pub fn new(kind: MessageType) -> Message {
        Message {
            kind,
            time: 0,
            xid: 0,
            addresses_transferred: None,
            assigned_ip: None,
            binding_status: None,
            client_id: None,
            chaddr: None,
            cltt: None,
            client_reply_options: None,
            client_request_options: None,
            ddns: None,
            delayed_service: None,
            hba: None,
            ip_flags: None,
            lease_expiration: None,
            max_unacked: None,
            mclt: None,
            message: None,
            message_digest: None,
            potential_expiration: None,
            receive_timer: None,
            protocol_version: None,
            reject_reason: None,
            relationship_name: None,
            server_flags: None,
            server_state: None,
            start_time_of_state: None,
            tls_reply: None,
            tls_request: None,
            vendor_class: None,
            vendor_specific: None,
        }
    }

    /// The same message with header time `time` and transaction id `xid`. ISC stamps its
    /// current time and takes a new xid from its per-link counter, or echoes the request's
    /// xid in a reply (digest §2.3).
    pub fn at(mut self, time: u32, xid: u32) -> Message {
        self.time = time;
        self.xid = xid;
        self
    }

    /// CONNECT as an ISC primary sends it: relationship name, max-unacked, receive-timer,
    /// vendor class, protocol version 1, TLS-request 0, MCLT, and the HBA unless the primary
    /// has none (then an ISC secondary rejects it with reason 18).
    pub fn connect(
        name: &[u8],
        max_unacked: u32,
        receive_timer: u32,
        vendor: &[u8],
        mclt: u32,
        hba: Option<[u8; HBA_LEN]>,
    ) -> Message {
        Message {
            relationship_name: Some(name.to_vec()),
            max_unacked: Some(max_unacked),
            receive_timer: Some(receive_timer),
            vendor_class: Some(vendor.to_vec()),
            protocol_version: Some(PROTOCOL_VERSION),
            tls_request: Some(0),
            mclt: Some(mclt),
            hba: hba.map(|map| map.to_vec()),
            ..Message::new(MessageType::Connect)
        }
    }

    /// CONNECTACK as an ISC secondary sends it in answer to `connect`, whose xid it echoes.
    ///
    /// `name` is ours, or the one copied from the CONNECT when no relationship matched (then
    /// ISC also leaves out max-unacked and receive-timer: pass `None`). TLS-reply 0 comes
    /// only if the CONNECT had a TLS-request. A rejection adds the reason and the text; it
    /// must still carry the name, which an ISC primary checks first (digest §6.3).
    pub fn connect_ack(
        connect: &Message,
        name: &[u8],
        limits: Option<(u32, u32)>,
        vendor: &[u8],
        reject: Option<(RejectReason, &str)>,
    ) -> Message {
        Message {
            relationship_name: Some(name.to_vec()),
            max_unacked: limits.map(|(max_unacked, _)| max_unacked),
            receive_timer: limits.map(|(_, receive_timer)| receive_timer),
            vendor_class: Some(vendor.to_vec()),
            protocol_version: Some(PROTOCOL_VERSION),
            tls_reply: connect.tls_request.map(|_| 0),
            reject_reason: reject.map(|(reason, _)| reason),
            message: reject.map(|(_, text)| text.as_bytes().to_vec()),
            xid: connect.xid,
            ..Message::new(MessageType::ConnectAck)
        }
    }

    /// STATE: `state` (never STARTUP or unknown: while starting up ISC sends its saved state
    /// with the STARTUP flag), the flag, and when the state began (digest §4.1, §6.4).
    pub fn state(state: FailoverState, startup: bool, stos: u32) -> Message {
        Message {
            server_state: Some(Coded::Known(state)),
            server_flags: Some(if startup { SERVER_FLAG_STARTUP } else { 0 }),
            start_time_of_state: Some(stos),
            ..Message::new(MessageType::State)
        }
    }

    /// BNDUPD for one lease, with the options ISC sends (digest §2.4): expiry, potential
    /// expiry and start always; client id and chaddr when known; CLTT and IP flags when
    /// non-zero.
    pub fn bndupd(binding: &BindingUpdate) -> Message {
        Message {
            assigned_ip: Some(binding.ip),
            binding_status: Some(Coded::Known(binding.status)),
            client_id: binding.client_id.clone(),
            chaddr: binding.chaddr.clone(),
            lease_expiration: Some(binding.ends),
            potential_expiration: Some(binding.tstp),
            start_time_of_state: Some(binding.starts),
            cltt: (binding.cltt != 0).then_some(binding.cltt),
            ip_flags: (binding.ip_flags != 0).then_some(binding.ip_flags),
            ..Message::new(MessageType::BndUpd)
        }
    }

    /// BNDACK as ISC sends it: the address only, plus reason and text when rejecting. It
    /// must echo the BNDUPD's xid (set it with [`Message::at`]) and carry nothing else: ISC
    /// misreads a BNDACK with a client-identifier (digest §5.6).
    pub fn bndack(ip: Ipv4Addr, reject: Option<(RejectReason, &str)>) -> Message {
        Message {
            assigned_ip: Some(ip),
            reject_reason: reject.map(|(reason, _)| reason),
            message: reject.map(|(_, text)| text.as_bytes().to_vec()),
            ..Message::new(MessageType::BndAck)
        }
    }

    /// DISCONNECT with a reason and a text; without a text, ISC sends the reason's own.
    pub fn disconnect(reason: RejectReason, text: Option<&str>) -> Message {
        let text = text.map_or_else(|| reason.text(), Cow::Borrowed);
        Message {
            reject_reason: Some(reason),
            message: Some(text.as_bytes().to_vec()),
            ..Message::new(MessageType::Disconnect)
        }
    }

    /// POOLRESP: how many leases were moved to the peer. It echoes the POOLREQ's xid.
    pub fn poolresp(addresses_transferred: u32) -> Message {
        Message {
            addresses_transferred: Some(addresses_transferred),
            ..Message::new(MessageType::PoolResp)
        }
    }

    /// CONTACT, the keepalive (no options).
    pub fn contact() -> Message {
        Message::new(MessageType::Contact)
    }

    /// POOLREQ (no options).
    pub fn poolreq() -> Message {
        Message::new(MessageType::PoolReq)
    }

    /// UPDREQ, "send what I have not acked" (no options).
    pub fn updreq() -> Message {
        Message::new(MessageType::UpdReq)
    }

    /// UPDREQALL, "send every binding" (no options).
    pub fn updreqall() -> Message {
        Message::new(MessageType::UpdReqAll)
    }

    /// UPDDONE (no options); it echoes the UPDREQ's or UPDREQALL's xid.
    pub fn upddone() -> Message {
        Message::new(MessageType::UpdDone)
    }

    /// The HBA as a 256-bit map, if the option is present and exactly 32 bytes; an ISC
    /// secondary rejects a CONNECT without one with reason 18, `invalid HBA` (digest §6.2).
    pub fn hba_map(&self) -> Option<[u8; HBA_LEN]> {
        self.hba.as_deref().and_then(|hba| hba.try_into().ok())
    }

    /// The message option as text (invalid UTF-8 replaced), for logs.
    pub fn message_text(&self) -> Option<Cow<'_, str>> {
        self.message.as_deref().map(String::from_utf8_lossy)
    }

    /// Whether the STARTUP server flag is set.
    pub fn startup(&self) -> bool {
        self.server_flags
            .is_some_and(|flags| flags & SERVER_FLAG_STARTUP != 0)
    }
}
