//! Moving option values between a [`Message`]'s typed fields and their wire encodings.

use std::net::Ipv4Addr;

use super::{Chaddr, Coded, Message, OptionCode, RejectReason};

/// An option's value as it goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionValue<'a> {
    /// One octet.
    U8(u8),
    /// Two octets, big-endian.
    U16(u16),
    /// Four octets, big-endian.
    U32(u32),
    /// An IPv4 address.
    Ip(Ipv4Addr),
    /// A byte string, sent as is.
    Bytes(&'a [u8]),
}

impl OptionValue<'_> {
    /// Appends the value's wire octets to `out`.
    pub fn write(self, out: &mut Vec<u8>) {
        match self {
            OptionValue::U8(value) => out.push(value),
            OptionValue::U16(value) => out.extend_from_slice(&value.to_be_bytes()),
            OptionValue::U32(value) => out.extend_from_slice(&value.to_be_bytes()),
            OptionValue::Ip(value) => out.extend_from_slice(&value.octets()),
            OptionValue::Bytes(value) => out.extend_from_slice(value),
        }
    }

    /// How many octets [`write`](OptionValue::write) appends.
    pub fn len(self) -> usize {
        match self {
            OptionValue::U8(_) => 1,
            OptionValue::U16(_) => 2,
            OptionValue::U32(_) | OptionValue::Ip(_) => 4,
            OptionValue::Bytes(value) => value.len(),
        }
    }

    /// Whether the value has no octets (an empty byte string).
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl Message {
    /// The value of `option` in this message, if present.
    pub fn option(&self, option: OptionCode) -> Option<OptionValue<'_>> {
        use OptionCode as O;
        use OptionValue as V;
        fn bytes(field: &Option<Vec<u8>>) -> Option<OptionValue<'_>> {
            field.as_deref().map(OptionValue::Bytes)
        }
        match option {
            O::AddressesTransferred => self.addresses_transferred.map(V::U32),
            O::AssignedIp => self.assigned_ip.map(V::Ip),
            O::BindingStatus => self.binding_status.map(|s| V::U8(s.code())),
            O::ClientId => bytes(&self.client_id),
            O::Chaddr => self.chaddr.as_ref().map(|c| V::Bytes(c.as_wire())),
            O::Cltt => self.cltt.map(V::U32),
            O::ClientReplyOptions => bytes(&self.client_reply_options),
            O::ClientRequestOptions => bytes(&self.client_request_options),
            O::Ddns => bytes(&self.ddns),
            O::DelayedService => self.delayed_service.map(V::U8),
            O::Hba => bytes(&self.hba),
            O::IpFlags => self.ip_flags.map(V::U16),
            O::LeaseExpiration => self.lease_expiration.map(V::U32),
            O::MaxUnacked => self.max_unacked.map(V::U32),
            O::Mclt => self.mclt.map(V::U32),
            O::Message => bytes(&self.message),
            O::MessageDigest => bytes(&self.message_digest),
            O::PotentialExpiration => self.potential_expiration.map(V::U32),
            O::ReceiveTimer => self.receive_timer.map(V::U32),
            O::ProtocolVersion => self.protocol_version.map(V::U8),
            O::RejectReason => self.reject_reason.map(|r| V::U8(r.code())),
            O::RelationshipName => bytes(&self.relationship_name),
            O::ServerFlags => self.server_flags.map(V::U8),
            O::ServerState => self.server_state.map(|s| V::U8(s.code())),
            O::StartTimeOfState => self.start_time_of_state.map(V::U32),
            O::TlsReply => self.tls_reply.map(V::U8),
            O::TlsRequest => self.tls_request.map(V::U8),
            O::VendorClass => bytes(&self.vendor_class),
            O::VendorSpecific => bytes(&self.vendor_specific),
        }
    }

    /// Every option present, in the order [`encode`](super::encode) writes them for this type,
    /// then any the type does not carry (which `encode` refuses).
    pub fn options(&self) -> Vec<(OptionCode, OptionValue<'_>)> {
        let carried = self.kind.options().iter().copied();
        let others = OptionCode::ALL
            .into_iter()
            .filter(|o| !self.kind.carries(*o));
        carried
            .chain(others)
            .filter_map(|o| self.option(o).map(|v| (o, v)))
            .collect()
    }

    /// Stores `data` received for `option`. A fixed-size option of another length is
    /// refused with the length ISC expects (digest §3).
    pub(super) fn store(&mut self, option: OptionCode, data: &[u8]) -> Result<(), usize> {
        use OptionCode as O;
        let bytes = Some(data.to_vec());
        match option {
            O::AddressesTransferred => self.addresses_transferred = Some(be32(data)?),
            O::AssignedIp => self.assigned_ip = Some(Ipv4Addr::from(be32(data)?)),
            O::BindingStatus => self.binding_status = Some(Coded::from_code(octet(data)?)),
            O::ClientId => self.client_id = bytes,
            O::Chaddr => self.chaddr = Some(Chaddr::from_wire(data.to_vec())),
            O::Cltt => self.cltt = Some(be32(data)?),
            O::ClientReplyOptions => self.client_reply_options = bytes,
            O::ClientRequestOptions => self.client_request_options = bytes,
            O::Ddns => self.ddns = bytes,
            O::DelayedService => self.delayed_service = Some(octet(data)?),
            O::Hba => self.hba = bytes,
            O::IpFlags => self.ip_flags = Some(be16(data)?),
            O::LeaseExpiration => self.lease_expiration = Some(be32(data)?),
            O::MaxUnacked => self.max_unacked = Some(be32(data)?),
            O::Mclt => self.mclt = Some(be32(data)?),
            O::Message => self.message = bytes,
            O::MessageDigest => self.message_digest = bytes,
            O::PotentialExpiration => self.potential_expiration = Some(be32(data)?),
            O::ReceiveTimer => self.receive_timer = Some(be32(data)?),
            O::ProtocolVersion => self.protocol_version = Some(octet(data)?),
            O::RejectReason => self.reject_reason = Some(RejectReason::from_code(octet(data)?)),
            O::RelationshipName => self.relationship_name = bytes,
            O::ServerFlags => self.server_flags = Some(octet(data)?),
            O::ServerState => self.server_state = Some(Coded::from_code(octet(data)?)),
            O::StartTimeOfState => self.start_time_of_state = Some(be32(data)?),
            O::TlsReply => self.tls_reply = Some(octet(data)?),
            O::TlsRequest => self.tls_request = Some(octet(data)?),
            O::VendorClass => self.vendor_class = bytes,
            O::VendorSpecific => self.vendor_specific = bytes,
        }
        Ok(())
    }
}

fn octet(data: &[u8]) -> Result<u8, usize> {
    match data {
        [value] => Ok(*value),
        _ => Err(1),
    }
}

fn be16(data: &[u8]) -> Result<u16, usize> {
    data.try_into().map(u16::from_be_bytes).map_err(|_| 2)
}

fn be32(data: &[u8]) -> Result<u32, usize> {
    data.try_into().map(u32::from_be_bytes).map_err(|_| 4)
}
