//! Engine decisions for every message type and client state, without sockets.

use std::net::Ipv4Addr;
use std::sync::Arc;

use dhcproto::v4::{
    DhcpOption, Flags, Message, MessageType, OptionCode,
    relay::{RelayAgentInformation, RelayInfo},
};

use super::*;
use crate::dhcpd::ABANDON_LEASE_TIME;
use crate::model::{self, Role};
use crate::serve::config::ServeRole;

const YAML: &str = r#"
failover: { name: f, mclt: 5m }
peers:
  primary: { address: 10.0.0.2, interfaces: [eth0] }
  secondary: { address: 10.0.0.3, interfaces: [eth0] }
global:
  authoritative: AUTH
  default-lease-time: 1h
  max-lease-time: 2h
  options: { domain-name: example.org, domain-name-servers: [10.0.0.53] }
subnets:
  - network: 10.0.0.0/24
    options: { routers: 10.0.0.1 }
    pools:
      - range: [10.0.0.100, 10.0.0.103]
        deny: [known-clients]
      - range: [10.0.0.200, 10.0.0.201]
        allow: [known-clients]
        default-lease-time: 30m
  - network: 10.1.0.0/24
    options: { routers: 10.1.0.1 }
    pools:
      - range: [10.1.0.10, 10.1.0.20]
hosts:
  - name: printer
    hardware-ethernet: 52:54:00:00:00:aa
    fixed-address: 10.0.0.20
  - name: laptop
    hardware-ethernet: 52:54:00:00:00:bb
"#;

const NOW: u64 = 1_800_000_000;
const IF_ADDRS: [Ipv4Addr; 1] = [Ipv4Addr::new(10, 0, 0, 2)];
const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

fn engine_with(authoritative: bool, role: ServeRole) -> Engine {
    let yaml = YAML.replace("AUTH", if authoritative { "true" } else { "false" });
    let src = model::load_str("t.yaml", yaml).expect("valid model");
    Engine::new(Arc::new(ServeConfig::build(&src.pair, role)))
}

fn engine() -> Engine {
    engine_with(true, ServeRole::Standalone)
}

fn mac(last: u8) -> [u8; 6] {
    [0x52, 0x54, 0, 0, 0, last]
}

fn msg(kind: MessageType, hw: [u8; 6]) -> Message {
    let z = Ipv4Addr::UNSPECIFIED;
    let mut m = Message::new_with_id(42, z, z, z, z, &hw);
    m.opts_mut().insert(DhcpOption::MessageType(kind));
    m
}

fn with(mut m: Message, opt: DhcpOption) -> Message {
    m.opts_mut().insert(opt);
    m
}

/// The request as the server decodes it from the message's wire form.
fn request(m: &Message) -> packet::Request {
    packet::Request::from_message(m).expect("a well-formed request")
}

/// The engine's outcome for `m`; nothing for a message the decoder drops (a REQUEST or
/// DECLINE that names no address).
fn handle(e: &mut Engine, m: &Message, now: u64) -> Outcome {
    let Ok(req) = packet::Request::from_message(m) else {
        return Outcome::default();
    };
    e.handle(
        Incoming {
            msg: &req,
            iface: "eth0",
            iface_addrs: &IF_ADDRS,
        },
        now,
    )
}

fn reply(out: &Outcome) -> (&packet::Reply, Dest) {
    let (m, d) = out.reply.as_ref().expect("a reply");
    (m, *d)
}

fn kind(out: &Outcome) -> Option<MessageType> {
    out.reply.as_ref().and_then(|(m, _)| m.opts().msg_type())
}

fn lease_time(m: &Message) -> Option<u32> {
    match m.opts().get(OptionCode::AddressLeaseTime) {
        Some(DhcpOption::AddressLeaseTime(t)) => Some(*t),
        _ => None,
    }
}

fn option(m: &Message, code: u8) -> Option<Vec<u8>> {
    match m.opts().get(OptionCode::from(code))? {
        DhcpOption::Unknown(u) => Some(u.data().to_vec()),
        _ => None,
    }
}

/// DISCOVER then REQUEST (selecting): the address ACKed.
fn dora(e: &mut Engine, hw: [u8; 6]) -> Ipv4Addr {
    let out = handle(e, &msg(MessageType::Discover, hw), NOW);
    let (offer, _) = reply(&out);
    let ip = offer.yiaddr();
    let Some(&DhcpOption::ServerIdentifier(sid)) = offer.opts().get(OptionCode::ServerIdentifier)
    else {
        panic!("an offer carries the server identifier")
    };
    let req = with(
        with(
            msg(MessageType::Request, hw),
            DhcpOption::RequestedIpAddress(ip),
        ),
        DhcpOption::ServerIdentifier(sid),
    );
    let out = handle(e, &req, NOW);
    assert_eq!(kind(&out), Some(MessageType::Ack), "{:?}", out.log);
    ip
}

#[test]
fn discover_offers_a_pool_address_with_the_scope_options() {
    let mut e = engine();
    let out = handle(&mut e, &msg(MessageType::Discover, mac(1)), NOW);
    let (m, dest) = reply(&out);
    assert_eq!(m.opts().msg_type(), Some(MessageType::Offer));
    assert_eq!(m.yiaddr(), Ipv4Addr::new(10, 0, 0, 100));
    assert_eq!(option(m, 3), Some(vec![10, 0, 0, 1]));
    assert_eq!(option(m, 6), Some(vec![10, 0, 0, 53]));
    assert_eq!(option(m, 15), Some(b"example.org".to_vec()));
    assert_eq!(option(m, 1), Some(vec![255, 255, 255, 0]));
    assert_eq!(lease_time(m), Some(3600));
    assert_eq!(dest, Dest::Hardware(m.yiaddr(), mac(1)));
    assert!(out.events.is_empty(), "an offer is not journaled");
    assert_eq!(out.log, ["DHCPDISCOVER from 52:54:00:00:00:01 via eth0"]);
    assert_eq!(
        out.reply_line.as_deref(),
        Some("DHCPOFFER on 10.0.0.100 to 52:54:00:00:00:01 via eth0")
    );
    // The same client asking again gets the same offer; another client the next address.
    let again = handle(&mut e, &msg(MessageType::Discover, mac(1)), NOW);
    assert_eq!(reply(&again).0.yiaddr(), Ipv4Addr::new(10, 0, 0, 100));
    let other = handle(&mut e, &msg(MessageType::Discover, mac(2)), NOW);
    assert_eq!(reply(&other).0.yiaddr(), Ipv4Addr::new(10, 0, 0, 101));
}

#[test]
fn broadcast_flag_is_honoured() {
    let mut e = engine();
    let mut d = msg(MessageType::Discover, mac(1));
    d.set_flags(Flags::default().set_broadcast());
    assert_eq!(reply(&handle(&mut e, &d, NOW)).1, Dest::Broadcast);
}

#[test]
fn selecting_request_binds_and_emits_an_active_event() {
    let mut e = engine();
    let ip = dora(&mut e, mac(1));
    let b = e.leases().get(ip).expect("bound");
    assert_eq!(b.state, State::Active);
    assert_eq!(b.ends, NOW + 3600);
    assert_eq!(b.hw, Some((1, mac(1).to_vec())));
    // The journal gets exactly one record for the ACK.
    let out = handle(
        &mut e,
        &with(
            with(
                msg(MessageType::Request, mac(1)),
                DhcpOption::RequestedIpAddress(ip),
            ),
            DhcpOption::ServerIdentifier(SERVER),
        ),
        NOW + 10,
    );
    assert_eq!(out.events.len(), 1);
    assert_eq!(out.events[0].previous, Some(State::Active));
    assert_eq!(
        out.reply_line.as_deref(),
        Some("DHCPACK on 10.0.0.100 to 52:54:00:00:00:01 via eth0")
    );
}

#[test]
fn request_for_another_server_releases_our_offer() {
    let mut e = engine();
    let out = handle(&mut e, &msg(MessageType::Discover, mac(1)), NOW);
    let ip = reply(&out).0.yiaddr();
    let req = with(
        with(
            msg(MessageType::Request, mac(1)),
            DhcpOption::RequestedIpAddress(ip),
        ),
        DhcpOption::ServerIdentifier(Ipv4Addr::new(10, 0, 0, 9)),
    );
    let out = handle(&mut e, &req, NOW);
    assert!(out.reply.is_none() && out.events.is_empty());
    assert_eq!(
        e.allocator().slot(ip),
        Some(Slot::Free),
        "the offer was given back"
    );
}

#[test]
fn init_reboot_acks_own_lease_and_naks_wrong_network() {
    let mut e = engine();
    let ip = dora(&mut e, mac(1));
    let reboot = with(
        msg(MessageType::Request, mac(1)),
        DhcpOption::RequestedIpAddress(ip),
    );
    let out = handle(&mut e, &reboot, NOW + 100);
    assert_eq!(kind(&out), Some(MessageType::Ack));
    assert_eq!(e.leases().get(ip).map(|b| b.ends), Some(NOW + 100 + 3600));
    let wrong = with(
        msg(MessageType::Request, mac(1)),
        DhcpOption::RequestedIpAddress(Ipv4Addr::new(192, 168, 9, 9)),
    );
    let out = handle(&mut e, &wrong, NOW);
    assert_eq!(kind(&out), Some(MessageType::Nak));
    assert_eq!(reply(&out).1, Dest::Broadcast);
    assert!(
        out.reply_line
            .as_deref()
            .is_some_and(|l| l.starts_with("DHCPNAK on 192.168.9.9"))
    );
    // Not authoritative: silence instead of a NAK.
    let mut quiet = engine_with(false, ServeRole::Standalone);
    let out = handle(&mut quiet, &wrong, NOW);
    assert!(out.reply.is_none());
}

#[test]
fn init_reboot_for_an_unknown_address_outside_the_pools_is_ignored() {
    let mut e = engine();
    let outside = Ipv4Addr::new(10, 0, 0, 50);
    let req = with(
        msg(MessageType::Request, mac(1)),
        DhcpOption::RequestedIpAddress(outside),
    );
    let out = handle(&mut e, &req, NOW);
    assert!(out.reply.is_none(), "RFC 2131: no record, stay silent");
    assert!(out.log[1].contains("unknown lease"), "{:?}", out.log);
    // A free pool address is confirmed when authoritative (as ISC dhcpd does: the server
    // knows every address of its pools).
    let inside = Ipv4Addr::new(10, 0, 0, 102);
    let req = with(
        msg(MessageType::Request, mac(1)),
        DhcpOption::RequestedIpAddress(inside),
    );
    assert_eq!(kind(&handle(&mut e, &req, NOW)), Some(MessageType::Ack));
}

#[test]
fn init_reboot_without_a_record_is_silent_when_not_authoritative() {
    let mut e = engine_with(false, ServeRole::Standalone);
    let free = Ipv4Addr::new(10, 0, 0, 102);
    let req = with(
        msg(MessageType::Request, mac(1)),
        DhcpOption::RequestedIpAddress(free),
    );
    let out = handle(&mut e, &req, NOW);
    assert!(
        out.reply.is_none(),
        "RFC 2131 §4.3.2: no record, stay silent"
    );
    assert!(out.events.is_empty());
    assert!(
        out.log[1].ends_with("no record of the client (not authoritative); ignored"),
        "{:?}",
        out.log
    );
    // A client this server leased to is confirmed, also after a restart of its lease.
    let ip = dora(&mut e, mac(2));
    let reboot = with(
        msg(MessageType::Request, mac(2)),
        DhcpOption::RequestedIpAddress(ip),
    );
    assert_eq!(
        kind(&handle(&mut e, &reboot, NOW + 5)),
        Some(MessageType::Ack)
    );
    // RENEWING (ciaddr) and SELECTING (our server identifier) are not INIT-REBOOT.
    let mut renew = msg(MessageType::Request, mac(3));
    renew.set_ciaddr(free);
    assert_eq!(kind(&handle(&mut e, &renew, NOW)), Some(MessageType::Ack));
}

#[test]
fn init_reboot_for_another_clients_address_is_naked() {
    let mut e = engine();
    let ip = dora(&mut e, mac(1));
    let thief = with(
        msg(MessageType::Request, mac(2)),
        DhcpOption::RequestedIpAddress(ip),
    );
    let out = handle(&mut e, &thief, NOW);
    assert_eq!(kind(&out), Some(MessageType::Nak));
    assert!(out.events.is_empty());
    assert!(
        e.leases()
            .get(ip)
            .is_some_and(|b| b.hw == Some((1, mac(1).to_vec())))
    );
}

#[test]
fn renewing_and_rebinding_extend_the_lease_unicast() {
    let mut e = engine();
    let ip = dora(&mut e, mac(1));
    let mut renew = msg(MessageType::Request, mac(1));
    renew.set_ciaddr(ip);
    let out = handle(&mut e, &renew, NOW + 1800);
    let (m, dest) = reply(&out);
    assert_eq!(m.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(m.ciaddr(), ip);
    assert_eq!(dest, Dest::Unicast(ip));
    assert_eq!(e.leases().get(ip).map(|b| b.ends), Some(NOW + 1800 + 3600));
    // A renewal from a client that does not hold the address is refused.
    let mut stranger = msg(MessageType::Request, mac(7));
    stranger.set_ciaddr(ip);
    assert_eq!(
        kind(&handle(&mut e, &stranger, NOW)),
        Some(MessageType::Nak)
    );
}

#[test]
fn requested_lease_time_is_clamped_to_max() {
    let mut e = engine();
    let d = with(
        msg(MessageType::Discover, mac(1)),
        DhcpOption::AddressLeaseTime(999_999),
    );
    assert_eq!(lease_time(reply(&handle(&mut e, &d, NOW)).0), Some(7200));
}

#[test]
fn release_frees_and_the_client_gets_its_address_back() {
    let mut e = engine();
    let ip = dora(&mut e, mac(1));
    let mut rel = msg(MessageType::Release, mac(1));
    rel.set_ciaddr(ip);
    let out = handle(&mut e, &rel, NOW + 5);
    assert!(out.reply.is_none());
    assert_eq!(out.events.len(), 1);
    assert_eq!(out.events[0].binding.state, State::Free);
    assert_eq!(
        out.log[0],
        format!("DHCPRELEASE of {ip} from 52:54:00:00:00:01 via eth0 (found)")
    );
    // Releasing twice finds nothing.
    assert!(handle(&mut e, &rel, NOW + 6).events.is_empty());
    assert_eq!(dora(&mut e, mac(1)), ip, "client affinity after release");
}

#[test]
fn decline_abandons_the_address_until_its_time_is_up() {
    let mut e = engine();
    let ip = dora(&mut e, mac(1));
    let dec = with(
        msg(MessageType::Decline, mac(1)),
        DhcpOption::RequestedIpAddress(ip),
    );
    let out = handle(&mut e, &dec, NOW);
    assert_eq!(out.events.len(), 1);
    let b = &out.events[0].binding;
    assert_eq!(b.state, State::Abandoned);
    assert!(b.hw.is_none() && b.uid.is_none(), "ISC clears the client");
    assert!(out.log.iter().any(|l| l.ends_with("abandoned")));
    // Neither this client nor another gets it while abandoned.
    let next = dora(&mut e, mac(1));
    assert_ne!(next, ip);
    let out = e.tick(NOW + u64::from(ABANDON_LEASE_TIME));
    assert!(
        out.events
            .iter()
            .any(|ev| ev.binding.addr == ip && ev.binding.state == State::Free)
    );
    // A decline for an address the client does not hold is ignored.
    let bogus = with(
        msg(MessageType::Decline, mac(9)),
        DhcpOption::RequestedIpAddress(next),
    );
    assert!(handle(&mut e, &bogus, NOW).events.is_empty());
}

#[test]
fn inform_is_answered_only_for_a_client_address_of_a_served_subnet() {
    let mut e = engine();
    let inform = |ci: Ipv4Addr, gi: Option<Ipv4Addr>| {
        let mut m = msg(MessageType::Inform, mac(3));
        m.set_ciaddr(ci);
        if let Some(gi) = gi {
            m.set_giaddr(gi);
        }
        m
    };
    let refused = [
        (Ipv4Addr::new(224, 0, 0, 251), None, "not a client address"),
        (Ipv4Addr::new(10, 0, 0, 255), None, "network or broadcast"),
        (Ipv4Addr::new(10, 0, 0, 0), None, "network or broadcast"),
        (
            Ipv4Addr::new(192, 168, 7, 7),
            None,
            "not in a served subnet",
        ),
        (Ipv4Addr::UNSPECIFIED, None, "no client address"),
        // From the relay of 10.1.0.0/24, an address of 10.0.0.0/24 (another link).
        (
            Ipv4Addr::new(10, 0, 0, 50),
            Some(Ipv4Addr::new(10, 1, 0, 1)),
            "not on the relay's link",
        ),
    ];
    for (ci, gi, why) in refused {
        let out = handle(&mut e, &inform(ci, gi), NOW);
        assert!(out.reply.is_none(), "{ci} via {gi:?}");
        assert!(out.reply_line.is_none());
        assert!(
            out.log
                .iter()
                .any(|l| l.contains(why) && l.ends_with("ignored")),
            "{ci}: {:?}",
            out.log
        );
    }
    let out = handle(
        &mut e,
        &inform(
            Ipv4Addr::new(10, 1, 0, 77),
            Some(Ipv4Addr::new(10, 1, 0, 1)),
        ),
        NOW,
    );
    assert_eq!(reply(&out).1, Dest::Relay(Ipv4Addr::new(10, 1, 0, 1)));
    assert_eq!(option(reply(&out).0, 3), Some(vec![10, 1, 0, 1]));
}

#[test]
fn link_selection_picks_the_subnet_and_the_override_is_our_identifier() {
    let mut e = engine();
    // Relayed from 10.0.0.0/24 with a link selection for 10.1.0.0/24 (RFC 3527) and a
    // server identifier override (RFC 5107).
    let relay = Ipv4Addr::new(10, 0, 0, 254);
    let over = Ipv4Addr::new(10, 1, 0, 1);
    let mut info = RelayAgentInformation::default();
    info.insert(RelayInfo::LinkSelection(Ipv4Addr::new(10, 1, 0, 0)));
    info.insert(RelayInfo::ServerIdentifierOverride(over));
    let mut d = msg(MessageType::Discover, mac(6));
    d.set_giaddr(relay);
    let d = with(d, DhcpOption::RelayAgentInformation(info.clone()));
    let out = handle(&mut e, &d, NOW);
    let (m, dest) = reply(&out);
    assert_eq!(m.yiaddr(), Ipv4Addr::new(10, 1, 0, 10));
    assert_eq!(dest, Dest::Relay(relay));
    assert!(matches!(
        m.opts().get(OptionCode::ServerIdentifier),
        Some(DhcpOption::ServerIdentifier(s)) if *s == over
    ));
    // The client selects the override address: that is us.
    let mut r = with(
        with(
            msg(MessageType::Request, mac(6)),
            DhcpOption::RequestedIpAddress(m.yiaddr()),
        ),
        DhcpOption::ServerIdentifier(over),
    );
    r.set_giaddr(relay);
    let r = with(r, DhcpOption::RelayAgentInformation(info));
    assert_eq!(kind(&handle(&mut e, &r, NOW)), Some(MessageType::Ack));
    // Without a relay (giaddr 0), option 82 selects nothing.
    let mut info = RelayAgentInformation::default();
    info.insert(RelayInfo::LinkSelection(Ipv4Addr::new(10, 1, 0, 0)));
    let d = with(
        msg(MessageType::Discover, mac(7)),
        DhcpOption::RelayAgentInformation(info),
    );
    let out = handle(&mut e, &d, NOW);
    assert_eq!(reply(&out).0.yiaddr().octets()[..3], [10, 0, 0]);
}

#[test]
fn inform_gets_options_without_a_lease() {
    let mut e = engine();
    let mut inf = msg(MessageType::Inform, mac(3));
    let ip = Ipv4Addr::new(10, 0, 0, 50);
    inf.set_ciaddr(ip);
    let out = handle(&mut e, &inf, NOW);
    let (m, dest) = reply(&out);
    assert_eq!(m.opts().msg_type(), Some(MessageType::Ack));
    assert_eq!(m.yiaddr(), Ipv4Addr::UNSPECIFIED);
    assert_eq!(lease_time(m), None);
    assert_eq!(option(m, 3), Some(vec![10, 0, 0, 1]));
    assert_eq!(dest, Dest::Unicast(ip));
    assert!(out.events.is_empty());
    assert_eq!(out.log[0], "DHCPINFORM from 10.0.0.50 via eth0");
}

#[test]
fn relayed_discover_uses_giaddr_subnet_and_echoes_option_82() {
    let mut e = engine();
    let mut d = msg(MessageType::Discover, mac(4));
    d.set_giaddr(Ipv4Addr::new(10, 1, 0, 1));
    let mut info = RelayAgentInformation::default();
    info.insert(RelayInfo::AgentCircuitId(b"port7".to_vec()));
    let d = with(d, DhcpOption::RelayAgentInformation(info));
    let out = handle(&mut e, &d, NOW);
    let (m, dest) = reply(&out);
    assert_eq!(m.yiaddr(), Ipv4Addr::new(10, 1, 0, 10));
    assert_eq!(option(m, 3), Some(vec![10, 1, 0, 1]));
    assert_eq!(dest, Dest::Relay(Ipv4Addr::new(10, 1, 0, 1)));
    assert_eq!(m.giaddr(), Ipv4Addr::new(10, 1, 0, 1));
    // Echoed exactly as sent: code 1, length 5, "port7".
    assert_eq!(m.relay_info(), Some(&b"\x01\x05port7"[..]));
    assert!(out.log[0].ends_with("via 10.1.0.1"));
}

#[test]
fn a_relayed_client_renews_unicast_without_the_relay() {
    let mut e = engine();
    let mut d = msg(MessageType::Discover, mac(4));
    d.set_giaddr(Ipv4Addr::new(10, 1, 0, 1));
    let out = handle(&mut e, &d, NOW);
    let ip = reply(&out).0.yiaddr();
    let mut r = with(
        msg(MessageType::Request, mac(4)),
        DhcpOption::RequestedIpAddress(ip),
    );
    r.set_giaddr(Ipv4Addr::new(10, 1, 0, 1));
    let r = with(r, DhcpOption::ServerIdentifier(SERVER));
    assert_eq!(kind(&handle(&mut e, &r, NOW)), Some(MessageType::Ack));
    // RENEWING: straight to the server from its address, no giaddr; the interface the
    // request arrives on is on another subnet.
    let mut renew = msg(MessageType::Request, mac(4));
    renew.set_ciaddr(ip);
    let out = handle(&mut e, &renew, NOW + 100);
    assert_eq!(kind(&out), Some(MessageType::Ack), "{:?}", out.log);
    assert_eq!(reply(&out).1, Dest::Unicast(ip));
}

#[test]
fn subnet_selection_option_picks_the_subnet() {
    let mut e = engine();
    let sel = Ipv4Addr::new(10, 1, 0, 0);
    let d = with(
        msg(MessageType::Discover, mac(5)),
        DhcpOption::SubnetSelection(sel),
    );
    let out = handle(&mut e, &d, NOW);
    let (m, _) = reply(&out);
    assert_eq!(m.yiaddr(), Ipv4Addr::new(10, 1, 0, 10));
    assert!(matches!(
        m.opts().get(OptionCode::SubnetSelection),
        Some(DhcpOption::SubnetSelection(ip)) if *ip == sel
    ));
}

#[test]
fn unknown_network_gets_no_answer() {
    let mut e = engine();
    let out = e.handle(
        Incoming {
            msg: &request(&msg(MessageType::Discover, mac(1))),
            iface: "eth9",
            iface_addrs: &[Ipv4Addr::new(192, 168, 1, 1)],
        },
        NOW,
    );
    assert!(out.reply.is_none());
    assert!(out.log[1].ends_with("unknown network segment"));
}

#[test]
fn fixed_host_gets_its_address_and_no_lease_record() {
    let mut e = engine();
    let ip = dora(&mut e, mac(0xaa));
    assert_eq!(ip, Ipv4Addr::new(10, 0, 0, 20));
    assert!(e.leases().get(ip).is_none());
    let other = with(
        msg(MessageType::Request, mac(0xaa)),
        DhcpOption::RequestedIpAddress(Ipv4Addr::new(10, 0, 0, 100)),
    );
    assert_eq!(kind(&handle(&mut e, &other, NOW)), Some(MessageType::Nak));
}

#[test]
fn permit_lists_separate_known_and_unknown_clients() {
    let mut e = engine();
    let known = dora(&mut e, mac(0xbb));
    assert_eq!(known, Ipv4Addr::new(10, 0, 0, 200));
    assert_eq!(e.leases().get(known).map(|b| b.ends), Some(NOW + 1800));
    let unknown = dora(&mut e, mac(1));
    assert_eq!(unknown, Ipv4Addr::new(10, 0, 0, 100));
    // An unknown client may not take a known-clients address even by asking for it.
    let ask = with(
        msg(MessageType::Request, mac(2)),
        DhcpOption::RequestedIpAddress(Ipv4Addr::new(10, 0, 0, 201)),
    );
    assert_eq!(kind(&handle(&mut e, &ask, NOW)), Some(MessageType::Nak));
}

#[test]
fn exhausted_pool_offers_nothing() {
    let mut e = engine();
    for i in 1..=4 {
        dora(&mut e, mac(i));
    }
    let out = handle(&mut e, &msg(MessageType::Discover, mac(9)), NOW);
    assert!(out.reply.is_none());
    assert!(out.log[1].ends_with("no free leases"), "{:?}", out.log);
    // Under a flood, the line comes once per interval, then says how many were held back.
    for i in 0..5 {
        let out = handle(&mut e, &msg(MessageType::Discover, mac(10 + i)), NOW + 1);
        assert_eq!(out.log.len(), 1, "{:?}", out.log);
    }
    let out = handle(&mut e, &msg(MessageType::Discover, mac(20)), NOW + 10);
    assert!(
        out.log[1].ends_with("no free leases (5 similar line(s) held back)"),
        "{:?}",
        out.log
    );
}

#[test]
fn expiry_frees_the_lease_and_offers_time_out() {
    let mut e = engine();
    let ip = dora(&mut e, mac(1));
    assert!(e.tick(NOW + 3599).events.is_empty());
    let out = e.tick(NOW + 3600);
    assert_eq!(out.events.len(), 1);
    assert_eq!(out.events[0].previous, Some(State::Active));
    assert_eq!(out.events[0].binding.state, State::Free);
    assert_eq!(e.allocator().slot(ip), Some(Slot::Free));
    // An offer not taken within OFFER_HOLD goes back to the pool.
    let out = handle(&mut e, &msg(MessageType::Discover, mac(2)), NOW);
    let offered = reply(&out).0.yiaddr();
    assert_eq!(e.allocator().slot(offered), Some(Slot::Busy));
    e.tick(NOW + OFFER_HOLD);
    assert_eq!(e.allocator().slot(offered), Some(Slot::Free));
}

#[test]
fn a_peer_without_its_partner_serves_like_communications_interrupted() {
    let mut p = engine_with(true, ServeRole::Peer(Role::Primary));
    let out = handle(&mut p, &msg(MessageType::Discover, mac(1)), NOW);
    let (m, _) = reply(&out);
    assert_eq!(lease_time(m), Some(300), "MCLT 5m caps the 1h lease");
    assert_eq!(m.yiaddr(), Ipv4Addr::new(10, 0, 0, 100));
    assert_eq!(
        m.opts().get(OptionCode::ServerIdentifier),
        Some(&DhcpOption::ServerIdentifier(Ipv4Addr::new(10, 0, 0, 2)))
    );
    let ip = dora(&mut p, mac(1));
    let b = p.leases().get(ip).expect("leased").clone();
    assert_eq!(
        b.tstp,
        Some(NOW + 3600 + 150),
        "the partner is told the desired time plus half the granted one"
    );
    assert_eq!(b.rewind, Some(State::Free), "the partner never heard of it");
    // A release goes straight back to FREE: ISC's rewind in communications-interrupted.
    let mut rel = msg(MessageType::Release, mac(1));
    rel.set_ciaddr(ip);
    let out = handle(&mut p, &rel, NOW);
    let states: Vec<State> = out.events.iter().map(|e| e.binding.state).collect();
    assert_eq!(states, [State::Free]);
    // A fresh failover pool is all FREE (the primary's): the secondary owns nothing yet.
    let mut s = engine_with(true, ServeRole::Peer(Role::Secondary));
    let out = handle(&mut s, &msg(MessageType::Discover, mac(2)), NOW);
    assert!(out.reply.is_none(), "{:?}", out.log);
}

#[test]
fn reload_keeps_every_lease() {
    let mut e = engine();
    let ip = dora(&mut e, mac(1));
    let cfg = Arc::new(e.config().clone());
    let mut e2 = e.reconfigured(cfg);
    assert_eq!(e2.leases().get(ip).map(|b| b.state), Some(State::Active));
    assert_eq!(e2.allocator().slot(ip), Some(Slot::Busy));
    assert_ne!(dora(&mut e2, mac(2)), ip);
}

#[test]
fn quiet_engine_builds_no_log_lines_and_decides_the_same() {
    let mut e = engine();
    e.quiet = true;
    let out = handle(&mut e, &msg(MessageType::Discover, mac(1)), NOW);
    assert!(out.log.is_empty());
    assert_eq!(reply(&out).0.yiaddr(), Ipv4Addr::new(10, 0, 0, 100));
}

mod property {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    /// One step of a random conversation: (message type, client, address choice,
    /// server-id choice, ciaddr set, seconds to advance).
    fn step() -> impl Strategy<Value = (u8, u8, u8, u8, bool, u16)> {
        (0u8..5, 0u8..6, 0u8..8, 0u8..3, any::<bool>(), 0u16..3000)
    }

    const ADDRS: [Ipv4Addr; 8] = [
        Ipv4Addr::new(10, 0, 0, 100),
        Ipv4Addr::new(10, 0, 0, 101),
        Ipv4Addr::new(10, 0, 0, 102),
        Ipv4Addr::new(10, 0, 0, 103),
        Ipv4Addr::new(10, 0, 0, 200),
        Ipv4Addr::new(10, 0, 0, 50),
        Ipv4Addr::new(10, 1, 0, 10),
        Ipv4Addr::new(192, 168, 1, 1),
    ];

    proptest! {
        /// Issue 12, point 5: an INFORM is answered, to the client's own address, only when
        /// that address is one a client can hold in a served subnet; otherwise nothing is
        /// sent and no DHCPACK line is logged.
        #[test]
        fn inform_is_answered_only_for_a_host_address_of_a_served_subnet(
            ci in prop_oneof![
                any::<u32>(),
                (0u32..=255).prop_map(|h| 0x0a00_0000 | h),
                (0u32..=255).prop_map(|h| 0x0a01_0000 | h),
                (0u32..=511).prop_map(|h| 0x0a00_ff80 + h),
                (0u32..=255).prop_map(|h| 0xe000_0000 | h),
                (0u32..=255).prop_map(|h| 0x7f00_0000 | h),
                Just(u32::MAX),
            ],
        ) {
            let mut e = engine();
            let ip = Ipv4Addr::from(ci);
            let mut m = msg(MessageType::Inform, mac(3));
            m.set_ciaddr(ip);
            let out = handle(&mut e, &m, NOW);
            let host_of = |net: [u8; 3]| {
                let o = ip.octets();
                o[..3] == net && o[3] != 0 && o[3] != 255
            };
            let served = host_of([10, 0, 0]) || host_of([10, 1, 0]);
            match &out.reply {
                Some((r, d)) => {
                    prop_assert!(served, "{ip} answered");
                    prop_assert_eq!(r.opts().msg_type(), Some(MessageType::Ack));
                    prop_assert_eq!(*d, Dest::Unicast(ip));
                }
                None => prop_assert!(!served, "{ip} not answered"),
            }
            prop_assert_eq!(out.reply_line.is_some(), served);
            prop_assert!(out.events.is_empty());
        }

        /// Whatever clients send, no address is ACKed to a client while another client
        /// holds an unexpired lease on it, and the allocator never loses or invents an address.
        #[test]
        fn no_address_is_leased_to_two_clients(steps in proptest::collection::vec(step(), 1..80)) {
            let mut e = engine();
            let total: Vec<usize> = (0..3).map(|p| {
                let (f, b, u) = e.allocator().counts(p);
                f + b + u
            }).collect();
            let mut now = NOW;
            let mut held: HashMap<Ipv4Addr, (u8, u64)> = HashMap::new();
            for (kind, client, addr, sid, ciaddr, advance) in steps {
                now += u64::from(advance);
                for ev in e.tick(now).events {
                    if ev.binding.state != State::Active {
                        held.remove(&ev.binding.addr);
                    }
                }
                // Client 5 is the known host without a fixed address.
                let hw = if client == 5 { mac(0xbb) } else { mac(client + 1) };
                let kind = [
                    MessageType::Discover,
                    MessageType::Request,
                    MessageType::Release,
                    MessageType::Decline,
                    MessageType::Inform,
                ][usize::from(kind)];
                let ip = ADDRS[usize::from(addr)];
                let mut m = msg(kind, hw);
                if ciaddr {
                    m.set_ciaddr(ip);
                } else {
                    m = with(m, DhcpOption::RequestedIpAddress(ip));
                }
                match sid {
                    0 => m = with(m, DhcpOption::ServerIdentifier(SERVER)),
                    1 => m = with(m, DhcpOption::ServerIdentifier(Ipv4Addr::new(10, 0, 0, 9))),
                    _ => {}
                }
                let out = handle(&mut e, &m, now);
                for ev in &out.events {
                    if ev.binding.state != State::Active {
                        held.remove(&ev.binding.addr);
                    }
                }
                if let Some((r, _)) = &out.reply
                    && r.opts().msg_type() == Some(MessageType::Ack)
                    && let Some(t) = lease_time(r)
                {
                    let y = r.yiaddr();
                    if let Some(&(other, ends)) = held.get(&y) {
                        prop_assert!(
                            other == client || ends <= now,
                            "{y} ACKed to client {client} while client {other} holds it until {ends} (now {now})"
                        );
                    }
                    held.insert(y, (client, now + u64::from(t)));
                }
                for (p, t) in total.iter().enumerate() {
                    let (f, b, u) = e.allocator().counts(p);
                    prop_assert_eq!(f + b + u, *t);
                }
            }
        }
    }
}

#[test]
fn selecting_another_servers_different_address_gives_our_offer_back() {
    let mut e = engine();
    let out = handle(&mut e, &msg(MessageType::Discover, mac(1)), NOW);
    let ours = reply(&out).0.yiaddr();
    let req = with(
        with(
            msg(MessageType::Request, mac(1)),
            DhcpOption::RequestedIpAddress(Ipv4Addr::new(10, 0, 0, 77)),
        ),
        DhcpOption::ServerIdentifier(Ipv4Addr::new(10, 0, 0, 9)),
    );
    assert!(handle(&mut e, &req, NOW).reply.is_none());
    assert_eq!(e.allocator().slot(ours), Some(Slot::Free));
}
