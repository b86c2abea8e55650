//! The wire codes of binding states (option 3) and server states (option 24).

use crate::leases::{BindingState, FailoverState};

/// A one-byte code as received: a value this side knows, or the raw octet. ISC parses any
/// octet and judges it later (an unknown server state sends ISC to SHUTDOWN, digest §4.1), so
/// the codec keeps unknown values instead of failing the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coded<T> {
    /// A value with a name.
    Known(T),
    /// Any other octet.
    Unknown(u8),
}

impl<T: Copy> Coded<T> {
    /// The known value, if it is one.
    pub fn known(self) -> Option<T> {
        match self {
            Coded::Known(value) => Some(value),
            Coded::Unknown(_) => None,
        }
    }
}

impl<T: WireCode> Coded<T> {
    /// Reads an octet: the known value with this code, else the octet itself.
    pub fn from_code(code: u8) -> Self {
        T::from_wire_code(code).map_or(Coded::Unknown(code), Coded::Known)
    }

    /// The octet on the wire.
    pub fn code(self) -> u8 {
        match self {
            Coded::Known(value) => value.wire_code(),
            Coded::Unknown(code) => code,
        }
    }
}

/// A state with a one-octet code on the wire.
pub trait WireCode: Copy + Sized {
    /// The octet on the wire.
    fn wire_code(self) -> u8;
    /// The value with this octet, if there is one.
    fn from_wire_code(code: u8) -> Option<Self>;
}

impl WireCode for BindingState {
    /// The binding-status octet (digest §5.1): FREE 1 … BACKUP 7.
    fn wire_code(self) -> u8 {
        match self {
            BindingState::Free => 1,
            BindingState::Active => 2,
            BindingState::Expired => 3,
            BindingState::Released => 4,
            BindingState::Abandoned => 5,
            BindingState::Reset => 6,
            BindingState::Backup => 7,
        }
    }

    /// The state with this binding-status octet, if it is one of 1..=7.
    fn from_wire_code(code: u8) -> Option<Self> {
        BindingState::ALL
            .into_iter()
            .find(|s| s.wire_code() == code)
    }
}

impl WireCode for FailoverState {
    /// The server-state octet (digest §4.1). RECOVER-WAIT is 254, as ISC sends it (draft-12
    /// gives it no number); 0 is "unknown-state". ISC never sends 1 (STARTUP): it sends its
    /// saved state with the STARTUP server flag instead.
    fn wire_code(self) -> u8 {
        match self {
            FailoverState::Unknown => 0,
            FailoverState::Startup => 1,
            FailoverState::Normal => 2,
            FailoverState::CommunicationsInterrupted => 3,
            FailoverState::PartnerDown => 4,
            FailoverState::PotentialConflict => 5,
            FailoverState::Recover => 6,
            FailoverState::Paused => 7,
            FailoverState::Shutdown => 8,
            FailoverState::RecoverDone => 9,
            FailoverState::ResolutionInterrupted => 10,
            FailoverState::ConflictDone => 11,
            FailoverState::RecoverWait => 254,
        }
    }

    /// The state with this server-state octet, if it is one of 0..=11 or 254.
    fn from_wire_code(code: u8) -> Option<Self> {
        FailoverState::ALL
            .into_iter()
            .find(|s| s.wire_code() == code)
    }
}
