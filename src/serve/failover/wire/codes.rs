//! Message types and option codes, with the names ISC dhcpd prints for them, the options each
//! type carries and their sizes.

use std::fmt;

/// A failover message type (digest §2.1). The numbers are draft-12's and ISC's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// POOLREQ: "give me some of your free leases".
    PoolReq = 1,
    /// POOLRESP: answers a POOLREQ with the number of leases moved.
    PoolResp = 2,
    /// BNDUPD: one binding (lease) change.
    BndUpd = 3,
    /// BNDACK: answers a BNDUPD, accepting or rejecting it.
    BndAck = 4,
    /// CONNECT: the primary opens the relationship on a fresh TCP link.
    Connect = 5,
    /// CONNECTACK: the secondary's answer to CONNECT.
    ConnectAck = 6,
    /// UPDREQALL: "send me every binding" (a server in RECOVER).
    UpdReqAll = 7,
    /// UPDDONE: the bindings asked for by UPDREQ/UPDREQALL have all been sent and acked.
    UpdDone = 8,
    /// UPDREQ: "send me the bindings I have not acked" (POTENTIAL-CONFLICT).
    UpdReq = 9,
    /// STATE: the sender's failover state, sent on connect and on every change.
    State = 10,
    /// CONTACT: a keepalive.
    Contact = 11,
    /// DISCONNECT: the sender is about to close the link, and why.
    Disconnect = 12,
}

impl MessageType {
    /// Every type, in code order.
    pub const ALL: [MessageType; 12] = [
        MessageType::PoolReq,
        MessageType::PoolResp,
        MessageType::BndUpd,
        MessageType::BndAck,
        MessageType::Connect,
        MessageType::ConnectAck,
        MessageType::UpdReqAll,
        MessageType::UpdDone,
        MessageType::UpdReq,
        MessageType::State,
        MessageType::Contact,
        MessageType::Disconnect,
    ];

    /// The type octet on the wire.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The type with this code, if it is one of the twelve.
    pub fn from_code(code: u8) -> Option<MessageType> {
        MessageType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The name ISC prints in its debug log (`dhcp_failover_message_name`), e.g. `bind-update`.
    pub fn isc_name(self) -> &'static str {
        match self {
            MessageType::PoolReq => "pool-request",
            MessageType::PoolResp => "pool-response",
            MessageType::BndUpd => "bind-update",
            MessageType::BndAck => "bind-ack",
            MessageType::Connect => "connect",
            MessageType::ConnectAck => "connect-ack",
            MessageType::UpdReqAll => "update-request-all",
            MessageType::UpdDone => "update-done",
            MessageType::UpdReq => "update-request",
            MessageType::State => "state",
            MessageType::Contact => "contact",
            MessageType::Disconnect => "disconnect",
        }
    }

    /// The options ISC keeps in a message of this type (its `fto_allowed` mask, digest §2.2),
    /// in the order ISC sends them (§2.1, §2.4, confirmed by the captures). A received option
    /// outside this list is skipped; [`encode`](super::encode) writes exactly these, in this
    /// order. Options ISC keeps but never sends are placed where ISC's own (compiled-out)
    /// code would put them: in BNDACK the echoed binding fields between the address and the
    /// reject reason; client request/reply options and DDNS (kept, never sent) last.
    pub fn options(self) -> &'static [OptionCode] {
        use OptionCode as O;
        match self {
            MessageType::PoolReq
            | MessageType::UpdReqAll
            | MessageType::UpdDone
            | MessageType::UpdReq
            | MessageType::Contact => &[],
            MessageType::PoolResp => &[O::AddressesTransferred],
            MessageType::BndUpd => &[
                O::AssignedIp,
                O::BindingStatus,
                O::ClientId,
                O::Chaddr,
                O::LeaseExpiration,
                O::PotentialExpiration,
                O::StartTimeOfState,
                O::Cltt,
                O::IpFlags,
                O::ClientRequestOptions,
                O::ClientReplyOptions,
                O::Ddns,
            ],
            MessageType::BndAck => &[
                O::AssignedIp,
                O::BindingStatus,
                O::ClientId,
                O::Chaddr,
                O::LeaseExpiration,
                O::PotentialExpiration,
                O::StartTimeOfState,
                O::Cltt,
                O::IpFlags,
                O::RejectReason,
                O::Message,
                O::ClientRequestOptions,
                O::ClientReplyOptions,
                O::Ddns,
            ],
            MessageType::Connect => &[
                O::RelationshipName,
                O::MaxUnacked,
                O::ReceiveTimer,
                O::VendorClass,
                O::ProtocolVersion,
                O::TlsRequest,
                O::Mclt,
                O::Hba,
            ],
            MessageType::ConnectAck => &[
                O::RelationshipName,
                O::MaxUnacked,
                O::ReceiveTimer,
                O::VendorClass,
                O::ProtocolVersion,
                O::TlsReply,
                O::RejectReason,
                O::Message,
            ],
            MessageType::State => &[O::ServerState, O::ServerFlags, O::StartTimeOfState],
            MessageType::Disconnect => &[O::RejectReason, O::Message],
        }
    }

    /// Whether ISC keeps `option` in this type of message.
    pub fn carries(self, option: OptionCode) -> bool {
        self.options().contains(&option)
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.isc_name())
    }
}

/// A failover option code (digest §3). Codes 0 and above 29 are not options: ISC skips them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionCode {
    /// 1, uint32: leases moved to the peer because of a POOLREQ.
    AddressesTransferred = 1,
    /// 2, IPv4 address: the leased address.
    AssignedIp = 2,
    /// 3, uint8: the binding state.
    BindingStatus = 3,
    /// 4, bytes: the payload of DHCP option 61, type byte included.
    ClientId = 4,
    /// 5, bytes: htype, then the client's hardware address.
    Chaddr = 5,
    /// 6, uint32: client last transaction time.
    Cltt = 6,
    /// 7, bytes: the DHCP options of the reply (never sent by ISC).
    ClientReplyOptions = 7,
    /// 8, bytes: the DHCP options of the request (never sent by ISC).
    ClientRequestOptions = 8,
    /// 9, bytes: DDNS flags and name (broken in ISC; never sent).
    Ddns = 9,
    /// 10, uint8: RFC 3074 delayed service (no message type keeps it).
    DelayedService = 10,
    /// 11, bytes: the hash bucket assignment, 32 bytes in CONNECT.
    Hba = 11,
    /// 12, uint16: `0x0001` RESERVED, `0x0002` BOOTP.
    IpFlags = 12,
    /// 13, uint32: the lease end given to the client.
    LeaseExpiration = 13,
    /// 14, uint32: how many BNDUPDs the sender accepts before acking.
    MaxUnacked = 14,
    /// 15, uint32: the maximum client lead time.
    Mclt = 15,
    /// 16, text: a human-readable message.
    Message = 16,
    /// 17, bytes: draft-12's message digest (no message type keeps it).
    MessageDigest = 17,
    /// 18, uint32: the expiry the sender may promise later (ISC's `tstp`).
    PotentialExpiration = 18,
    /// 19, uint32: seconds the sender waits for any message before dropping the link.
    ReceiveTimer = 19,
    /// 20, uint8: always 1.
    ProtocolVersion = 20,
    /// 21, uint8: a [`RejectReason`](super::RejectReason).
    RejectReason = 21,
    /// 22, bytes: the `failover peer "NAME"`, matched byte for byte.
    RelationshipName = 22,
    /// 23, uint8: bit `0x01` = STARTUP.
    ServerFlags = 23,
    /// 24, uint8: the sender's failover state.
    ServerState = 24,
    /// 25, uint32: when the state was entered (in BNDUPD: the lease's `starts`).
    StartTimeOfState = 25,
    /// 26, uint8: answers TLS-request; ISC sends 0.
    TlsReply = 26,
    /// 27, uint8: ISC sends 0.
    TlsRequest = 27,
    /// 28, bytes: `isc-VERSION` from ISC.
    VendorClass = 28,
    /// 29, bytes: vendor-specific options (no message type keeps it).
    VendorSpecific = 29,
}

impl OptionCode {
    /// Every option, in code order.
    pub const ALL: [OptionCode; 29] = [
        OptionCode::AddressesTransferred,
        OptionCode::AssignedIp,
        OptionCode::BindingStatus,
        OptionCode::ClientId,
        OptionCode::Chaddr,
        OptionCode::Cltt,
        OptionCode::ClientReplyOptions,
        OptionCode::ClientRequestOptions,
        OptionCode::Ddns,
        OptionCode::DelayedService,
        OptionCode::Hba,
        OptionCode::IpFlags,
        OptionCode::LeaseExpiration,
        OptionCode::MaxUnacked,
        OptionCode::Mclt,
        OptionCode::Message,
        OptionCode::MessageDigest,
        OptionCode::PotentialExpiration,
        OptionCode::ReceiveTimer,
        OptionCode::ProtocolVersion,
        OptionCode::RejectReason,
        OptionCode::RelationshipName,
        OptionCode::ServerFlags,
        OptionCode::ServerState,
        OptionCode::StartTimeOfState,
        OptionCode::TlsReply,
        OptionCode::TlsRequest,
        OptionCode::VendorClass,
        OptionCode::VendorSpecific,
    ];

    /// The option code on the wire.
    pub fn code(self) -> u16 {
        self as u16
    }

    /// The option with this code; `None` for 0 and codes above 29.
    pub fn from_code(code: u16) -> Option<OptionCode> {
        OptionCode::ALL.into_iter().find(|o| o.code() == code)
    }

    /// The name ISC uses in its log lines (its `ft_options` table), e.g. `MCLT` in
    /// `FAILOVER: option size (2:4), option MCLT`.
    pub fn isc_name(self) -> &'static str {
        match self {
            OptionCode::AddressesTransferred => "addresses-transferred",
            OptionCode::AssignedIp => "assigned-IP-address",
            OptionCode::BindingStatus => "binding-status",
            OptionCode::ClientId => "client-identifier",
            OptionCode::Chaddr => "client-hardware-address",
            OptionCode::Cltt => "client-last-transaction-time",
            OptionCode::ClientReplyOptions => "client-reply-options",
            OptionCode::ClientRequestOptions => "client-request-options",
            OptionCode::Ddns => "DDNS",
            OptionCode::DelayedService => "delayed-service",
            OptionCode::Hba => "hash-bucket-assignment",
            OptionCode::IpFlags => "IP-flags",
            OptionCode::LeaseExpiration => "lease-expiration-time",
            OptionCode::MaxUnacked => "max-unacked-bndupd",
            OptionCode::Mclt => "MCLT",
            OptionCode::Message => "message",
            OptionCode::MessageDigest => "message-digest",
            OptionCode::PotentialExpiration => "potential-expiration-time",
            OptionCode::ReceiveTimer => "receive-timer",
            OptionCode::ProtocolVersion => "protocol-version",
            OptionCode::RejectReason => "reject-reason",
            OptionCode::RelationshipName => "relationship-name",
            OptionCode::ServerFlags => "server-flags",
            OptionCode::ServerState => "server-state",
            OptionCode::StartTimeOfState => "start-time-of-state",
            OptionCode::TlsReply => "TLS-reply",
            OptionCode::TlsRequest => "TLS-request",
            OptionCode::VendorClass => "vendor-class-identifier",
            OptionCode::VendorSpecific => "vendor-specific-options",
        }
    }

    /// The exact data length ISC requires (digest §3, quirk 5), or `None` for byte strings.
    ///
    /// ISC declares DDNS with length 0, so any non-empty DDNS kills its link (quirk 4); we
    /// treat DDNS as a byte string instead and keep it raw. Every variable-length option of
    /// ISC's table is made of 1-byte elements, so the "multiple of the element size" rule
    /// (§1.4 rule 7) never rejects anything.
    pub fn fixed_len(self) -> Option<usize> {
        match self {
            OptionCode::BindingStatus
            | OptionCode::DelayedService
            | OptionCode::ProtocolVersion
            | OptionCode::RejectReason
            | OptionCode::ServerFlags
            | OptionCode::ServerState
            | OptionCode::TlsReply
            | OptionCode::TlsRequest => Some(1),
            OptionCode::IpFlags => Some(2),
            OptionCode::AddressesTransferred
            | OptionCode::AssignedIp
            | OptionCode::Cltt
            | OptionCode::LeaseExpiration
            | OptionCode::MaxUnacked
            | OptionCode::Mclt
            | OptionCode::PotentialExpiration
            | OptionCode::ReceiveTimer
            | OptionCode::StartTimeOfState => Some(4),
            OptionCode::ClientId
            | OptionCode::Chaddr
            | OptionCode::ClientReplyOptions
            | OptionCode::ClientRequestOptions
            | OptionCode::Ddns
            | OptionCode::Hba
            | OptionCode::Message
            | OptionCode::MessageDigest
            | OptionCode::RelationshipName
            | OptionCode::VendorClass
            | OptionCode::VendorSpecific => None,
        }
    }
}

impl fmt::Display for OptionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.isc_name())
    }
}
