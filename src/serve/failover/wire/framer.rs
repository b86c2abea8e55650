//! Cutting a TCP byte stream into failover messages on their 2-octet length (ISC reads the
//! length, then waits for the rest of the message; digest §1.3).

use super::decode::be16;
use super::{MAX_MESSAGE_LEN, MIN_MESSAGE_LEN, WireError};

/// A stream reassembler: [`push`](Framer::push) what the socket gave, then
/// [`pop`](Framer::pop) complete messages until it returns `None`.
///
/// Each length field is checked as soon as its two octets arrive, so a length below 12 or
/// above 2048 is an error at once, before any of its message is waited for. Popping after
/// every push keeps the buffer under one message plus the last chunk. After an error the
/// stream cannot be resynchronised: every later push returns the same error.
#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
    failed: Option<WireError>,
}

impl Framer {
    /// An empty framer.
    pub fn new() -> Framer {
        Framer::default()
    }

    /// Appends received bytes, and checks the length field of every message they start.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        self.buf.extend_from_slice(bytes);
        let mut at = 0;
        while let Some(len) = be16(&self.buf, at) {
            if !(MIN_MESSAGE_LEN..=MAX_MESSAGE_LEN).contains(&usize::from(len)) {
                let error = WireError::Length { len };
                self.buf = Vec::new();
                self.failed = Some(error.clone());
                return Err(error);
            }
            at += usize::from(len);
        }
        Ok(())
    }

    /// The next complete message (for [`decode`](super::decode)), if one has arrived.
    pub fn pop(&mut self) -> Option<Vec<u8>> {
        let len = usize::from(be16(&self.buf, 0)?);
        if self.failed.is_some() || len < MIN_MESSAGE_LEN || self.buf.len() < len {
            return None;
        }
        Some(self.buf.drain(..len).collect())
    }

    /// How many octets wait for the rest of their message.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
}
