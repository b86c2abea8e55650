//! The in-memory lease index: one binding per address ever used, found by address and by
//! client, with ISC's binding states and an event for every change.
//!
//! Every change goes through [`LeaseIndex::commit`], which returns the [`BindingEvent`] that
//! the journal writes and that a replication layer (failover BNDUPD) can subscribe to.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::Ipv4Addr;

/// ISC's binding states (failover draft §12.3, `FTS_*` in dhcpd), shared with the lease file.
pub use crate::leases::BindingState as State;

/// Who the client is: its client identifier (option 61) if it sent one, otherwise its
/// hardware type and address, as dhcpd matches them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// Option 61.
    Uid(Vec<u8>),
    /// htype and chaddr.
    Hw(u8, Vec<u8>),
}

/// One lease: the failover-aware record that the journal stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The address.
    pub addr: Ipv4Addr,
    /// Current state.
    pub state: State,
    /// Start of the lease (seconds since the epoch).
    pub starts: u64,
    /// End of the lease.
    pub ends: u64,
    /// Time sent to the partner (failover; `ends` for a standalone server).
    pub tstp: Option<u64>,
    /// Time the partner acknowledged.
    pub tsfp: Option<u64>,
    /// Acknowledged time from the partner.
    pub atsfp: Option<u64>,
    /// Client's last transaction time.
    pub cltt: Option<u64>,
    /// Hardware type and address.
    pub hw: Option<(u8, Vec<u8>)>,
    /// Client identifier.
    pub uid: Option<Vec<u8>>,
    /// Host name the client sent (option 12).
    pub hostname: Option<String>,
    /// Failover: the state the partner last knew (ISC's `rewind binding state`), which a
    /// lease may go back to while the partner is unreachable.
    pub rewind: Option<State>,
}

impl Binding {
    /// A fresh record in a state with no client.
    pub fn empty(addr: Ipv4Addr, state: State) -> Binding {
        Binding {
            addr,
            state,
            starts: 0,
            ends: 0,
            tstp: None,
            tsfp: None,
            atsfp: None,
            cltt: None,
            hw: None,
            uid: None,
            hostname: None,
            rewind: None,
        }
    }

    /// Whether the lease belongs to this client (uid first, then hardware, as dhcpd).
    pub fn owned_by(&self, key: &ClientKey) -> bool {
        match key {
            ClientKey::Uid(u) => self.uid.as_ref() == Some(u),
            ClientKey::Hw(t, a) => {
                self.uid.is_none() && self.hw.as_ref().is_some_and(|(ht, ha)| ht == t && ha == a)
            }
        }
    }

    /// The keys this binding is indexed by.
    fn keys(&self) -> Vec<ClientKey> {
        let mut keys = Vec::new();
        if let Some(u) = &self.uid {
            keys.push(ClientKey::Uid(u.clone()));
        } else if let Some((t, a)) = &self.hw {
            keys.push(ClientKey::Hw(*t, a.clone()));
        }
        keys
    }
}

/// A binding change, as written to the journal and published to subscribers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingEvent {
    /// State before the change (`None` for an address never used).
    pub previous: Option<State>,
    /// The new record.
    pub binding: Binding,
}

/// Whether ISC allows a binding to go from `from` to `to` locally (failover draft §5.2; the
/// partner's updates are checked by the replication layer).
pub fn transition_allowed(from: Option<State>, to: State) -> bool {
    use State::*;
    let Some(from) = from else { return true };
    match (from, to) {
        (a, b) if a == b => true,
        (_, Abandoned | Reset) => true,
        (Free | Backup | Abandoned, Active) => true,
        (Expired | Released | Reset, Active) => true,
        (Active, Expired | Released) => true,
        (Expired | Released | Reset | Abandoned, Free | Backup) => true,
        (Free, Backup) | (Backup, Free) => true,
        // A standalone server frees at once (no peer to wait for); a failover peer rewinds
        // to its own free state what the partner never heard of.
        (Active, Free | Backup) => true,
        _ => false,
    }
}

/// The lease index.
///
/// The records live in one vector (an address is never removed once used), found through a
/// small address-to-slot map: a map of whole records would round up to a power of two
/// buckets of record size, about twice the memory with a million leases.
#[derive(Debug, Default)]
pub struct LeaseIndex {
    records: Vec<Binding>,
    slot_of: HashMap<Ipv4Addr, u32>,
    by_client: HashMap<ClientKey, Ipv4Addr>,
    /// (ends, address) of leases that run out (active, abandoned); entries made stale by a
    /// renewal or a release are skipped when they come up.
    expiry: BinaryHeap<Reverse<(u64, Ipv4Addr)>>,
}

impl LeaseIndex {
    /// The binding of an address.
    pub fn get(&self, addr: Ipv4Addr) -> Option<&Binding> {
        let slot = *self.slot_of.get(&addr)?;
        self.records.get(slot as usize)
    }

    /// Room for `n` more records (journal replay), so the index does not grow by doubling.
    pub fn reserve(&mut self, n: usize) {
        self.records.reserve_exact(n);
        self.slot_of.reserve(n);
        self.by_client.reserve(n);
        self.expiry.reserve(n);
    }

    /// The address last bound to a client, if its record still names that client.
    pub fn of_client(&self, key: &ClientKey) -> Option<&Binding> {
        let addr = self.by_client.get(key)?;
        self.get(*addr).filter(|b| b.owned_by(key))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there is no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Every record.
    pub fn iter(&self) -> impl Iterator<Item = &Binding> {
        self.records.iter()
    }

    /// Stores a binding and returns its event. A transition ISC would not make is refused
    /// (`None`), so the engine cannot corrupt the state machine.
    pub fn commit(&mut self, binding: Binding) -> Option<BindingEvent> {
        let previous = self.get(binding.addr).map(|b| b.state);
        if !transition_allowed(previous, binding.state) {
            return None;
        }
        self.load(binding.clone());
        Some(BindingEvent { previous, binding })
    }

    /// Stores a binding the failover partner decided on (ISC's rules for the partner's
    /// updates are checked by the failover layer, not [`transition_allowed`]).
    pub fn replace(&mut self, binding: Binding) -> BindingEvent {
        let previous = self.get(binding.addr).map(|b| b.state);
        self.load(binding.clone());
        BindingEvent { previous, binding }
    }

    /// Records the state the partner may now know for an address (no journal record: the
    /// next write of the lease carries it, as in ISC).
    pub fn set_rewind(&mut self, addr: Ipv4Addr, state: State) {
        if let Some(slot) = self.slot_of.get(&addr).copied()
            && let Some(b) = self.records.get_mut(slot as usize)
        {
            b.rewind = Some(state);
        }
    }

    /// Asks [`LeaseIndex::expired_at`] to report `addr` again at `at` (a lease whose timer
    /// had to wait: a secondary leaves expiry to the primary, and transitional leases wait
    /// for partner-down).
    pub fn schedule(&mut self, addr: Ipv4Addr, at: u64) {
        self.expiry.push(Reverse((at, addr)));
    }

    /// Stores a binding without checks (journal replay: the last record wins).
    pub fn load(&mut self, binding: Binding) {
        if let Some(old) = self.get(binding.addr) {
            for key in old.keys() {
                if self.by_client.get(&key) == Some(&binding.addr) {
                    self.by_client.remove(&key);
                }
            }
        }
        for key in binding.keys() {
            self.by_client.insert(key, binding.addr);
        }
        if matches!(binding.state, State::Active | State::Abandoned) {
            self.expiry.push(Reverse((binding.ends, binding.addr)));
        }
        match self.slot_of.get(&binding.addr).copied() {
            Some(slot) if (slot as usize) < self.records.len() => {
                self.records[slot as usize] = binding;
            }
            _ => {
                // Slots are u32: more records than IPv4 addresses cannot exist.
                let slot = u32::try_from(self.records.len()).unwrap_or(u32::MAX);
                self.slot_of.insert(binding.addr, slot);
                self.records.push(binding);
            }
        }
    }

    /// Leases due at `now`: active and abandoned ones whose end has passed, and transitional
    /// (expired, released, reset) ones given a time with [`LeaseIndex::schedule`]; each once,
    /// the caller moves them on. Costs a heap pop per due lease, not a scan of the index.
    pub fn expired_at(&mut self, now: u64) -> Vec<Ipv4Addr> {
        let mut due = Vec::new();
        while let Some(Reverse((at, addr))) = self.expiry.peek().copied() {
            if at > now {
                break;
            }
            self.expiry.pop();
            // An entry made stale by a renewal (the lease now ends later) is skipped.
            let live = self.get(addr).is_some_and(|b| match b.state {
                State::Active | State::Abandoned => b.ends <= at,
                State::Expired | State::Released | State::Reset => true,
                State::Free | State::Backup => false,
            });
            if live {
                due.push(addr);
            }
        }
        due.sort_unstable();
        due.dedup();
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn active(addr: [u8; 4], mac: u8) -> Binding {
        Binding {
            state: State::Active,
            starts: 10,
            ends: 100,
            hw: Some((1, vec![0, 0, 0, 0, 0, mac])),
            ..Binding::empty(Ipv4Addr::from(addr), State::Free)
        }
    }

    #[test]
    fn index_finds_by_address_and_client() {
        let mut idx = LeaseIndex::default();
        let ev = idx.commit(active([10, 0, 0, 5], 1)).expect("allowed");
        assert_eq!(ev.previous, None);
        let key = ClientKey::Hw(1, vec![0, 0, 0, 0, 0, 1]);
        assert_eq!(
            idx.of_client(&key).map(|b| b.addr),
            Some(Ipv4Addr::new(10, 0, 0, 5))
        );
        // Another client takes the address: the first no longer owns it.
        idx.commit(active([10, 0, 0, 5], 2)).expect("allowed");
        assert!(idx.of_client(&key).is_none());
        assert!(idx.expired_at(99).is_empty());
        assert_eq!(idx.expired_at(100), vec![Ipv4Addr::new(10, 0, 0, 5)]);
        // A renewed lease is due at its new end only.
        let mut renewed = active([10, 0, 0, 6], 3);
        idx.commit(renewed.clone()).expect("allowed");
        renewed.ends = 500;
        idx.commit(renewed).expect("allowed");
        assert!(idx.expired_at(499).is_empty());
        assert_eq!(idx.expired_at(500), vec![Ipv4Addr::new(10, 0, 0, 6)]);
    }

    #[test]
    fn uid_wins_over_hardware() {
        let mut b = active([10, 0, 0, 6], 3);
        b.uid = Some(vec![1, 2, 3]);
        assert!(b.owned_by(&ClientKey::Uid(vec![1, 2, 3])));
        assert!(!b.owned_by(&ClientKey::Hw(1, vec![0, 0, 0, 0, 0, 3])));
    }

    #[test]
    fn state_machine_refuses_isc_forbidden_moves() {
        use State::*;
        assert!(transition_allowed(Some(Free), Active));
        assert!(transition_allowed(Some(Backup), Active));
        assert!(transition_allowed(Some(Active), Released));
        assert!(transition_allowed(Some(Released), Free));
        assert!(
            transition_allowed(Some(Active), Backup),
            "a secondary's rewind"
        );
        assert!(!transition_allowed(Some(Backup), Expired));
        assert!(!transition_allowed(Some(Free), Expired));
        assert!(!transition_allowed(Some(Backup), Released));
        let mut idx = LeaseIndex::default();
        idx.load(Binding::empty(Ipv4Addr::new(10, 0, 0, 7), Free));
        let mut bad = Binding::empty(Ipv4Addr::new(10, 0, 0, 7), Expired);
        bad.ends = 5;
        assert!(idx.commit(bad).is_none());
        assert_eq!(
            idx.get(Ipv4Addr::new(10, 0, 0, 7)).map(|b| b.state),
            Some(Free)
        );
    }
}
