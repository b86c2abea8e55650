//! A reply: a dhcproto [`Message`] that the engine fills (addresses, flags, typed and
//! configured options), with what its wire form depends on in the request: the client's
//! option 55 order, its maximum message size (option 57), and option 82 as the relay sent it.

use std::net::Ipv4Addr;
use std::ops::{Deref, DerefMut};

use dhcproto::v4::{DhcpOption, HType, Message, MessageType, Opcode};

use super::request::Request;

/// A reply under construction; it reads and writes as the [`Message`] it wraps.
#[derive(Debug, Clone)]
pub struct Reply {
    msg: Message,
    wanted: Vec<u8>,
    max_size: Option<u16>,
    relay_info: Option<Vec<u8>>,
}

impl Deref for Reply {
    type Target = Message;
    fn deref(&self) -> &Message {
        &self.msg
    }
}

impl DerefMut for Reply {
    fn deref_mut(&mut self) -> &mut Message {
        &mut self.msg
    }
}

impl Reply {
    /// The reply to `req`: a BOOTREPLY with its xid, flags, giaddr, hardware type and
    /// address, the message type, the server identifier and option 118 echoed (RFC 3011);
    /// option 82 is kept raw and goes out last, unchanged (RFC 3046 §2.2).
    pub fn to(req: &Request, kind: MessageType, server: Ipv4Addr) -> Reply {
        let z = Ipv4Addr::UNSPECIFIED;
        let mut msg = Message::new_with_id(req.xid(), z, z, z, req.giaddr(), req.chaddr());
        msg.set_opcode(Opcode::BootReply)
            .set_htype(HType::from(req.htype()))
            .set_flags(req.flags());
        let opts = msg.opts_mut();
        opts.insert(DhcpOption::MessageType(kind));
        opts.insert(DhcpOption::ServerIdentifier(server));
        if let Some(sel) = req.subnet_selection() {
            opts.insert(DhcpOption::SubnetSelection(sel));
        }
        Reply {
            msg,
            wanted: req.parameter_list().to_vec(),
            max_size: req.max_message_size(),
            relay_info: req.relay_info_raw().map(<[u8]>::to_vec),
        }
    }

    /// Option 82 as it goes back to the relay.
    pub fn relay_info(&self) -> Option<&[u8]> {
        self.relay_info.as_deref()
    }

    /// The codes the client asked for (option 55), in its order.
    pub fn wanted(&self) -> &[u8] {
        &self.wanted
    }

    /// The client's maximum message size (option 57), when it sent a valid one.
    pub fn max_size(&self) -> Option<u16> {
        self.max_size
    }

    /// The message alone.
    pub fn into_message(self) -> Message {
        self.msg
    }
}
