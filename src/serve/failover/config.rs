//! One relationship's settings, from the pair model and this server's role: addresses and
//! ports, timers, MCLT, the hash bucket assignment and the pool-balance knobs. dhcpd's
//! defaults come from [`crate::dhcpd`].

use std::net::{Ipv4Addr, SocketAddrV4};

use super::wire::{HBA_LEN, hba_from_split};
use crate::dhcpd::{
    DEFAULT_MAX_BALANCE, DEFAULT_MAX_LEASE_MISBALANCE, DEFAULT_MAX_LEASE_OWNERSHIP,
    DEFAULT_MIN_BALANCE,
};
use crate::model::{Pair, Role};

/// The vendor-class-identifier dhcpfo sends in CONNECT and CONNECTACK (ISC sends
/// `isc-VERSION` and ignores the peer's).
pub const VENDOR: &str = concat!("dhcpfo-", env!("CARGO_PKG_VERSION"));

/// Everything the failover layer needs to know about the relationship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailoverConfig {
    /// `failover peer "NAME"`, compared byte for byte with the partner's.
    pub name: String,
    /// This server's role.
    pub role: Role,
    /// Where this server listens, and the source address of its connections (ISC matches
    /// the source IP against its `peer address`).
    pub local: SocketAddrV4,
    /// The partner's address and failover port.
    pub peer: SocketAddrV4,
    /// The MCLT in seconds. A secondary uses it until the primary's CONNECT brings the real
    /// one (which the state machine then records).
    pub mclt: u32,
    /// The hash bucket assignment the primary sends (set bits: the primary's buckets). `None`
    /// on the secondary, which learns it from CONNECT.
    pub hba: Option<[u8; HBA_LEN]>,
    /// `max-response-delay`: our receive timer, sent in CONNECT/CONNECTACK.
    pub max_response_delay: u32,
    /// `max-unacked-updates`: how many BNDUPDs we accept before acking, sent to the peer.
    pub max_unacked_updates: u32,
    /// `load balance max seconds` (0: no load balancing, every DISCOVER is answered).
    pub load_balance_max_seconds: u32,
    /// `max-lease-misbalance`, percent.
    pub max_lease_misbalance: u32,
    /// `max-lease-ownership`, percent.
    pub max_lease_ownership: u32,
    /// `min-balance`, seconds between pool balance runs at the least.
    pub min_balance: u32,
    /// `max-balance`, seconds between pool balance runs at the most.
    pub max_balance: u32,
    /// `auto-partner-down` seconds (0 = never).
    pub auto_partner_down: u32,
}

impl FailoverConfig {
    /// The relationship as `role` sees it in `pair` (a model that passed `check`).
    pub fn from_model(pair: &Pair, role: Role) -> FailoverConfig {
        let fo = pair.failover.value();
        let me = pair.peers.get(role);
        let partner = pair.peers.get(role.partner());
        let port = |p: u32| u16::try_from(p).unwrap_or(crate::dhcpd::DEFAULT_FAILOVER_PORT);
        let secs = |d: &Option<crate::model::Spanned<crate::model::Duration>>, default: u32| {
            d.as_ref().map_or(default, |d| d.secs())
        };
        // dhcpd reads 0 as its default for these four (auto-partner-down 0 is off).
        let secs_or_default = |d: &Option<crate::model::Spanned<crate::model::Duration>>,
                               default: u32| {
            match secs(d, default) {
                0 => default,
                n => n,
            }
        };
        let pct = |v: &Option<crate::model::Spanned<u32>>, default: u32| match v
            .as_ref()
            .map_or(default, |v| **v)
        {
            0 => default,
            n => n,
        };
        let hba = match role {
            Role::Secondary => None,
            Role::Primary => match (&fo.hba, &fo.split) {
                (Some(hba), _) => hba.0.as_slice().try_into().ok(),
                (None, Some(split)) => u16::try_from(**split).ok().and_then(hba_from_split),
                (None, None) => None,
            },
        };
        FailoverConfig {
            name: fo.name.value().clone(),
            role,
            local: SocketAddrV4::new(*me.address.value(), port(me.port())),
            peer: SocketAddrV4::new(*partner.address.value(), port(partner.port())),
            mclt: fo.mclt(),
            hba,
            max_response_delay: fo.max_response_delay(),
            max_unacked_updates: fo.max_unacked_updates(),
            load_balance_max_seconds: fo.load_balance_max_seconds(),
            max_lease_misbalance: pct(&fo.max_lease_misbalance, DEFAULT_MAX_LEASE_MISBALANCE),
            max_lease_ownership: pct(&fo.max_lease_ownership, DEFAULT_MAX_LEASE_OWNERSHIP),
            min_balance: secs_or_default(&fo.min_balance, DEFAULT_MIN_BALANCE),
            max_balance: secs_or_default(&fo.max_balance, DEFAULT_MAX_BALANCE),
            auto_partner_down: secs(&fo.auto_partner_down, 0),
        }
    }

    /// The partner's IP address (the only source accepted by the listener).
    pub fn peer_ip(&self) -> Ipv4Addr {
        *self.peer.ip()
    }

    /// The receive timer we announce: our `max-response-delay`, at least 3 s (an ISC peer
    /// re-sends CONTACT without pause below that, digest §9).
    pub fn receive_timer(&self) -> u32 {
        self.max_response_delay.max(3)
    }

    /// The state machine's settings for this relationship.
    pub fn machine_settings(&self) -> super::state::Settings {
        super::state::Settings {
            name: self.name.clone(),
            role: self.role,
            mclt: self.mclt,
            auto_partner_down: self.auto_partner_down,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;

    fn pair(failover: &str) -> model::Pair {
        let yaml = format!(
            "failover: {{ name: lab, {failover} }}\npeers:\n  primary: {{ address: 10.0.0.2, port: 519 }}\n  secondary: {{ address: 10.0.0.3, port: 520 }}\nsubnets:\n  - network: 10.0.0.0/24\n    pools:\n      - range: [10.0.0.10, 10.0.0.20]\n"
        );
        model::load_str("t.yaml", yaml).expect("valid").pair
    }

    #[test]
    fn each_role_sees_itself_and_its_partner() {
        let p = pair("mclt: 600, split: 128, auto-partner-down: 1h");
        let primary = FailoverConfig::from_model(&p, Role::Primary);
        assert_eq!(primary.local, "10.0.0.2:519".parse().unwrap());
        assert_eq!(primary.peer, "10.0.0.3:520".parse().unwrap());
        assert_eq!(primary.hba, hba_from_split(128));
        assert_eq!(primary.mclt, 600);
        assert_eq!(primary.auto_partner_down, 3600);
        let secondary = FailoverConfig::from_model(&p, Role::Secondary);
        assert_eq!(secondary.local, "10.0.0.3:520".parse().unwrap());
        assert_eq!(secondary.peer_ip(), Ipv4Addr::new(10, 0, 0, 2));
        assert_eq!(
            secondary.hba, None,
            "the secondary learns the HBA from CONNECT"
        );
    }

    #[test]
    fn defaults_are_dhcpds() {
        let c = FailoverConfig::from_model(&pair("mclt: 60, split: 255"), Role::Primary);
        assert_eq!(
            (c.max_response_delay, c.max_unacked_updates),
            (20, 100),
            "dhcpd's max-response-delay and max-unacked-updates"
        );
        assert_eq!(
            (
                c.max_lease_misbalance,
                c.max_lease_ownership,
                c.min_balance,
                c.max_balance
            ),
            (15, 10, 60, 3600)
        );
        assert_eq!(c.load_balance_max_seconds, 3, "what render writes");
        assert_eq!(c.auto_partner_down, 0);
        let hba = c.hba.expect("split 255");
        assert_eq!((hba[30], hba[31]), (0xff, 0x7f));
    }

    #[test]
    fn an_hba_bitmap_is_sent_as_given() {
        let bits = vec!["0f"; 32].join(":");
        let c =
            FailoverConfig::from_model(&pair(&format!("mclt: 60, hba: \"{bits}\"")), Role::Primary);
        assert_eq!(c.hba, Some([0x0f; 32]));
    }
}
