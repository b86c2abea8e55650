//! The relationship on its own, with a lease database of a few records: the handshake in
//! both roles with every ISC check, the timers, the update window, and random input.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::leases::BindingState as S;
use crate::serve::failover::wire::{Chaddr, Coded, decode, encode, hba_from_split};

const NOW: u64 = 1_800_000_000;
const NAME: &str = "lab-fo";

/// A lease database: records by address; updates accepted as they come.
#[derive(Default)]
struct Fake {
    records: BTreeMap<Ipv4Addr, (S, u64, u64)>,
    refuse: Option<Refusal>,
}

impl Leases for Fake {
    fn local(&self, ip: Ipv4Addr) -> Option<(S, u64)> {
        self.records.get(&ip).map(|(s, _, _)| (*s, 0))
    }
    fn apply_update(&mut self, m: &Message, _: &Context, _: u64) -> Result<Applied, Refusal> {
        if let Some(r) = self.refuse.clone() {
            return Err(r);
        }
        let (Some(ip), Some(s)) = (m.assigned_ip, m.binding_status.and_then(|s| s.known())) else {
            return Err(Refusal {
                reason: RejectReason::MissingBindingInfo,
                text: "missing".into(),
            });
        };
        self.records.insert(ip, (s, 0, 0));
        Ok(Applied::default())
    }
    fn acked(&mut self, ip: Ipv4Addr, tstp: u64, _: &Context, _: u64) -> Applied {
        if let Some(r) = self.records.get_mut(&ip) {
            r.2 = tstp;
        }
        Applied::default()
    }
    fn pending(&self, all: bool) -> Vec<Ipv4Addr> {
        self.records
            .iter()
            .filter(|(_, (_, tstp, atsfp))| all || tstp > atsfp)
            .map(|(ip, _)| *ip)
            .collect()
    }
    fn update(&mut self, ip: Ipv4Addr) -> Option<BindingUpdate> {
        let (s, tstp, _) = self.records.get(&ip)?;
        Some(BindingUpdate {
            ip,
            status: *s,
            client_id: None,
            chaddr: Some(Chaddr::new(1, &[2, 0, 0, 0, 0, 1])),
            ends: 0,
            tstp: secs32(*tstp),
            starts: 0,
            cltt: 0,
            ip_flags: 0,
        })
    }
    fn partner_down_entered(&mut self, _: u64, _: u32, _: u64) -> Vec<BindingEvent> {
        Vec::new()
    }
    fn balance(&mut self, _: &Context, _: bool, _: u64) -> Balanced {
        Balanced::default()
    }
    fn balance_due(&self, _: &Context, _: &Schedule, _: u64) -> Option<u64> {
        None
    }
}

fn cfg(role: Role) -> Arc<FailoverConfig> {
    Arc::new(FailoverConfig {
        name: NAME.into(),
        role,
        local: "10.0.0.2:647".parse().unwrap(),
        peer: "10.0.0.3:647".parse().unwrap(),
        mclt: 60,
        hba: (role == Role::Primary).then(|| hba_from_split(128).unwrap()),
        max_response_delay: 30,
        max_unacked_updates: 10,
        load_balance_max_seconds: 3,
        max_lease_misbalance: 15,
        max_lease_ownership: 10,
        min_balance: 60,
        max_balance: 3600,
        auto_partner_down: 0,
    })
}

fn rel(role: Role) -> Relationship {
    let mut r = Relationship::new(cfg(role), None, NOW);
    r.take_steps();
    r
}

/// The messages sent, in order.
fn sent(steps: &[Step]) -> Vec<(ConnId, Message)> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Send(c, m) => Some((*c, (**m).clone())),
            _ => None,
        })
        .collect()
}

fn closed(steps: &[Step]) -> Vec<ConnId> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Close(c) => Some(*c),
            _ => None,
        })
        .collect()
}

fn logs(steps: &[Step]) -> String {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Log(_, l) => Some(l.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A CONNECT as an ISC primary sends it (the capture's, with our name and time).
fn isc_connect(time: u64) -> Message {
    Message::connect(
        NAME.as_bytes(),
        10,
        60,
        b"isc-4.4.3-P1",
        60,
        hba_from_split(128),
    )
    .at(secs32(time), 0)
}

#[test]
fn the_primary_connects_on_every_connection_with_iscs_options() {
    let mut p = rel(Role::Primary);
    p.opened(1, NOW);
    p.opened(2, NOW);
    let out = sent(&p.take_steps());
    assert_eq!(out.len(), 2, "CONNECT on each connection");
    let (conn, connect) = &out[0];
    assert_eq!(*conn, 1);
    assert_eq!((connect.kind, connect.xid), (MessageType::Connect, 0));
    assert_eq!(connect.relationship_name.as_deref(), Some(NAME.as_bytes()));
    assert_eq!(
        (connect.max_unacked, connect.receive_timer),
        (Some(10), Some(30))
    );
    assert_eq!((connect.mclt, connect.tls_request), (Some(60), Some(0)));
    assert_eq!(connect.hba_map(), hba_from_split(128));
    let vendor = String::from_utf8(connect.vendor_class.clone().unwrap()).unwrap();
    assert!(vendor.starts_with("dhcpfo-"), "{vendor}");
    // It encodes as ISC orders the options.
    let bytes = encode(connect).unwrap();
    assert_eq!(decode(&bytes).unwrap(), *connect);
}

#[test]
fn a_primary_checks_the_connectack_in_iscs_order() {
    let mut fake = Fake::default();
    let ack = |name: Option<&str>, reject: Option<RejectReason>, time: u64| {
        let mut m = Message::connect_ack(
            &isc_connect(NOW),
            name.unwrap_or("").as_bytes(),
            Some((10, 60)),
            b"isc-4.4.3-P1",
            reject.map(|r| (r, "no")),
        )
        .at(secs32(time), 0);
        if name.is_none() {
            m.relationship_name = None;
        }
        m
    };
    // (CONNECTACK, DISCONNECT reason expected or None, log expected)
    let cases = [
        (
            ack(None, None, NOW),
            Some(8),
            "Failover CONNECTACK from lab-fo: missing relationship-name",
        ),
        (
            ack(Some(NAME), Some(RejectReason::InvalidPartner), NOW),
            None,
            "Failover CONNECT to lab-fo rejected: Connection rejected, invalid failover partner.",
        ),
        (
            ack(Some("other"), None, NOW),
            Some(8),
            "Failover CONNECTACK from lab-fo: remote failover relationship name other does not match",
        ),
        (
            ack(Some(NAME), None, NOW - 61),
            Some(4),
            "Failover CONNECTACK from lab-fo: time offset too large",
        ),
    ];
    for (msg, disconnect, line) in cases {
        let mut p = rel(Role::Primary);
        p.opened(1, NOW);
        p.take_steps();
        p.received(1, Ok(msg), NOW, &mut fake);
        let steps = p.take_steps();
        let out = sent(&steps);
        assert!(logs(&steps).contains(line), "{line}: {}", logs(&steps));
        match disconnect {
            Some(reason) => {
                assert_eq!(out.len(), 1, "{out:?}");
                let d = &out[0].1;
                assert_eq!(d.kind, MessageType::Disconnect);
                assert_eq!(d.reject_reason.map(|r| r.code()), Some(reason));
                assert_eq!(d.xid, 1, "after CONNECT's 0");
            }
            None => assert!(out.is_empty(), "ISC sends no DISCONNECT on a reject"),
        }
        assert_eq!(closed(&steps), [1]);
        assert!(!p.linked());
    }
}

#[test]
fn a_primary_link_comes_up_with_state_and_a_second_ack_is_refused() {
    let mut fake = Fake::default();
    let mut p = rel(Role::Primary);
    p.opened(1, NOW);
    p.opened(2, NOW);
    p.take_steps();
    let ack = Message::connect_ack(
        &isc_connect(NOW),
        NAME.as_bytes(),
        Some((10, 60)),
        b"isc",
        None,
    )
    .at(secs32(NOW), 0);
    p.received(1, Ok(ack.clone()), NOW, &mut fake);
    let steps = p.take_steps();
    assert!(steps.contains(&Step::Established(true)));
    let out = sent(&steps);
    let state = &out[0].1;
    assert_eq!((state.kind, state.xid), (MessageType::State, 1));
    assert!(
        state.startup(),
        "still in STARTUP: the saved state with the flag"
    );
    assert_eq!(
        state.server_state,
        Some(Coded::Known(FailoverState::Recover))
    );
    // The other connection's CONNECTACK: DISCONNECT 7.
    p.received(2, Ok(ack), NOW, &mut fake);
    let steps = p.take_steps();
    let d = &sent(&steps)[0];
    assert_eq!((d.0, d.1.kind), (2, MessageType::Disconnect));
    assert_eq!(d.1.reject_reason, Some(RejectReason::DuplicateConnection));
    assert_eq!(closed(&steps), [2]);
    assert!(p.linked());
}

#[test]
fn a_secondary_checks_connect_in_iscs_order() {
    let mut fake = Fake::default();
    let with = |f: &dyn Fn(&mut Message)| {
        let mut m = isc_connect(NOW);
        f(&mut m);
        m
    };
    // (CONNECT, reason, ack carries our name and limits, logged)
    let cases: Vec<(Message, u8, Option<&str>, bool)> = vec![
        (with(&|m| m.relationship_name = None), 8, None, true),
        (
            with(&|m| m.relationship_name = Some(b"other".to_vec())),
            8,
            Some("other"),
            true,
        ),
        (with(&|m| m.time -= 61), 4, Some(NAME), true),
        (
            with(&|m| m.hba = Some(vec![0xff; 31])),
            18,
            Some(NAME),
            true,
        ),
        (with(&|m| m.hba = None), 18, Some(NAME), true),
        (with(&|m| m.mclt = None), 5, Some(NAME), false),
    ];
    for (connect, reason, name, logged) in cases {
        let mut s = rel(Role::Secondary);
        s.opened(5, NOW);
        s.received(5, Ok(connect.clone().at(connect.time, 9)), NOW, &mut fake);
        let steps = s.take_steps();
        let out = sent(&steps);
        assert_eq!(out.len(), 1, "only the CONNECTACK: {out:?}");
        let ack = &out[0].1;
        assert_eq!(
            (ack.kind, ack.xid),
            (MessageType::ConnectAck, 9),
            "echoes the xid"
        );
        assert_eq!(ack.reject_reason.map(|r| r.code()), Some(reason));
        assert_eq!(ack.relationship_name.as_deref(), name.map(str::as_bytes));
        assert_eq!(
            ack.max_unacked.is_some(),
            name == Some(NAME),
            "limits once identified"
        );
        assert_eq!(ack.tls_reply, Some(0), "TLS-reply answers TLS-request");
        assert_eq!(
            logs(&steps).contains("Failover CONNECT from"),
            logged,
            "{}",
            logs(&steps)
        );
        assert_eq!(closed(&steps), [5]);
    }
}

#[test]
fn a_secondary_accepts_one_connect_learns_the_hba_and_refuses_a_second() {
    let mut fake = Fake::default();
    let mut s = rel(Role::Secondary);
    assert_eq!(s.hba(), None);
    s.opened(1, NOW);
    s.opened(2, NOW);
    s.received(1, Ok(isc_connect(NOW)), NOW, &mut fake);
    let steps = s.take_steps();
    let out = sent(&steps);
    assert_eq!(out[0].1.kind, MessageType::ConnectAck);
    assert_eq!(out[0].1.reject_reason, None);
    assert_eq!(
        (out[0].1.max_unacked, out[0].1.receive_timer),
        (Some(10), Some(30))
    );
    assert_eq!(
        (out[1].1.kind, out[1].1.xid),
        (MessageType::State, 0),
        "the capture's xid 0"
    );
    assert!(out[1].1.startup());
    assert_eq!(s.hba(), hba_from_split(128));
    assert_eq!(s.machine().mclt(), 60);
    s.received(2, Ok(isc_connect(NOW)), NOW, &mut fake);
    let steps = s.take_steps();
    let ack = &sent(&steps)[0].1;
    assert_eq!(ack.reject_reason, Some(RejectReason::DuplicateConnection));
    assert_eq!(closed(&steps), [2]);
    assert!(s.linked());
}

/// A secondary with an established link on connection 1 at NOW.
/// The partner's BNDUPD of an ACTIVE lease of `ip` for client 02:00:00:00:00:`client`,
/// granted now for 60 s.
fn active_bndupd(ip: Ipv4Addr, client: u8) -> Message {
    Message::bndupd(&BindingUpdate {
        ip,
        status: S::Active,
        client_id: None,
        chaddr: Some(Chaddr::new(1, &[2, 0, 0, 0, 0, client])),
        ends: secs32(NOW + 60),
        tstp: secs32(NOW + 330),
        starts: secs32(NOW),
        cltt: secs32(NOW),
        ip_flags: 0,
    })
}

fn linked_secondary(fake: &mut Fake) -> Relationship {
    let mut s = rel(Role::Secondary);
    s.opened(1, NOW);
    s.received(1, Ok(isc_connect(NOW)), NOW, fake);
    s.take_steps();
    s
}

#[test]
fn expiries_wait_a_moment_after_the_link_comes_up_and_a_clock_step_never_stretches_it() {
    let mut fake = Fake::default();
    let s = rel(Role::Secondary);
    assert!(!s.expiries_wait(NOW), "no link yet");
    let s = linked_secondary(&mut fake);
    assert!(s.expiries_wait(NOW));
    assert!(s.expiries_wait(NOW + EXPIRY_GRACE_AFTER_LINK_UP - 1));
    assert!(!s.expiries_wait(NOW + EXPIRY_GRACE_AFTER_LINK_UP));
    assert!(!s.expiries_wait(NOW - 3600), "a clock stepped back an hour");
}

#[test]
fn an_update_ending_a_lease_waits_in_the_queue_after_link_up_unless_the_partner_asks() {
    let mut fake = Fake::default();
    let expired = Ipv4Addr::new(10, 0, 1, 1);
    let active = Ipv4Addr::new(10, 0, 1, 2);
    let released = Ipv4Addr::new(10, 0, 1, 3);
    let backup = Ipv4Addr::new(10, 0, 1, 4);
    fake.records.insert(expired, (S::Expired, NOW + 100, 0));
    fake.records.insert(active, (S::Active, NOW + 100, 0));
    fake.records.insert(released, (S::Released, NOW + 100, 0));
    fake.records.insert(backup, (S::Backup, 0, 0));
    let mut s = linked_secondary(&mut fake);
    for ip in [expired, active, released, backup] {
        s.queue_update(ip);
    }
    let sent_ips = |s: &mut Relationship| -> Vec<Ipv4Addr> {
        sent(&s.take_steps())
            .iter()
            .filter(|(_, m)| m.kind == MessageType::BndUpd)
            .filter_map(|(_, m)| m.assigned_ip)
            .collect()
    };
    s.flush(NOW + 1, &mut fake);
    assert_eq!(
        sent_ips(&mut s),
        [active, backup],
        "the EXPIRED and RELEASED ones wait"
    );
    assert_eq!(s.backlog(), (2, 2));
    s.flush(NOW + EXPIRY_GRACE_AFTER_LINK_UP, &mut fake);
    assert_eq!(
        sent_ips(&mut s),
        [expired, released],
        "they leave in their order when the wait is over"
    );

    // The partner's UPDREQ is answered at once, the EXPIRED update included.
    let mut fake = Fake::default();
    fake.records.insert(expired, (S::Expired, NOW + 100, 0));
    let mut s = linked_secondary(&mut fake);
    s.received(
        1,
        Ok(Message::updreq().at(secs32(NOW), 9)),
        NOW + 1,
        &mut fake,
    );
    assert_eq!(sent_ips(&mut s), [expired]);
}

#[test]
fn a_link_that_keeps_coming_back_holds_expiries_once_in_five_minutes_at_most() {
    let mut fake = Fake::default();
    let mut s = linked_secondary(&mut fake);
    assert!(s.expiries_wait(NOW + 1));
    // The link drops: no wait while it is down.
    s.closed(1, NOW + 2, &mut fake);
    assert!(!s.expiries_wait(NOW + 3));
    // Back 5 s later: the wait that began at NOW is not started again.
    s.opened(2, NOW + 5);
    s.received(2, Ok(isc_connect(NOW + 5)), NOW + 5, &mut fake);
    assert!(s.expiries_wait(NOW + 9));
    assert!(!s.expiries_wait(NOW + 12));
    // A minute later, still none.
    s.closed(2, NOW + 70, &mut fake);
    s.opened(3, NOW + 71);
    s.received(3, Ok(isc_connect(NOW + 71)), NOW + 71, &mut fake);
    assert!(!s.expiries_wait(NOW + 75));
    // Five minutes after the first, a new one begins.
    s.closed(3, NOW + EXPIRY_GRACE_REARM, &mut fake);
    s.opened(4, NOW + EXPIRY_GRACE_REARM + 1);
    let at = NOW + EXPIRY_GRACE_REARM + 1;
    s.received(4, Ok(isc_connect(at)), at, &mut fake);
    assert!(s.expiries_wait(at + 4));
}

/// A secondary restarted in COMMUNICATIONS-INTERRUPTED (its partner last seen in the same
/// state), linked at NOW; the partner's STATE (NORMAL) then brings it to NORMAL.
fn secondary_back_in_normal(fake: &mut Fake) -> (Relationship, Vec<Step>) {
    use crate::leases::{PeerState, Timestamp};
    let seen = |state| PeerState {
        state,
        at: Timestamp(NOW - 100),
    };
    let saved = FailoverStanza {
        peer: NAME.into(),
        my: seen(FailoverState::CommunicationsInterrupted),
        partner: seen(FailoverState::CommunicationsInterrupted),
        mclt: Some(60),
    };
    let mut s = Relationship::new(cfg(Role::Secondary), Some(&saved), NOW);
    s.take_steps();
    s.opened(1, NOW);
    s.received(1, Ok(isc_connect(NOW)), NOW, fake);
    s.take_steps();
    let state = Message::state(FailoverState::Normal, false, secs32(NOW - 50)).at(secs32(NOW), 1);
    s.received(1, Ok(state), NOW, fake);
    let steps = s.take_steps();
    assert_eq!(
        s.machine().state(),
        FailoverState::Normal,
        "{}",
        logs(&steps)
    );
    (s, steps)
}

#[test]
fn back_in_normal_expiries_wait_for_the_partners_backlog() {
    let mut fake = Fake::default();
    let expired = Ipv4Addr::new(10, 0, 1, 1);
    fake.records.insert(expired, (S::Expired, NOW + 100, 0));
    let (mut s, steps) = secondary_back_in_normal(&mut fake);
    let kinds: Vec<MessageType> = sent(&steps).iter().map(|(_, m)| m.kind).collect();
    assert!(kinds.contains(&MessageType::UpdReq), "{kinds:?}");
    let xid = updreq_xid(&steps);
    assert!(
        !kinds.contains(&MessageType::BndUpd),
        "the EXPIRED update waits: {kinds:?}"
    );
    assert!(logs(&steps).contains("Sent update request message to lab-fo"));
    // Past the fixed wait, the partner has not answered yet: still waiting.
    assert!(s.expiries_wait(NOW + EXPIRY_GRACE_AFTER_LINK_UP + 5));
    s.flush(NOW + EXPIRY_GRACE_AFTER_LINK_UP + 5, &mut fake);
    assert!(sent(&s.take_steps()).is_empty());
    // An UPDDONE that answers something else does not end it.
    s.received(
        1,
        Ok(Message::upddone().at(secs32(NOW + 16), xid.wrapping_add(1))),
        NOW + 16,
        &mut fake,
    );
    assert!(s.expiries_wait(NOW + 16));
    assert!(sent(&s.take_steps()).is_empty());
    // Its own UPDDONE ends the wait: the EXPIRED update leaves at once.
    s.received(
        1,
        Ok(Message::upddone().at(secs32(NOW + 20), xid)),
        NOW + 20,
        &mut fake,
    );
    assert!(!s.expiries_wait(NOW + 20));
    let out = sent(&s.take_steps());
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(
        (out[0].1.kind, out[0].1.assigned_ip),
        (MessageType::BndUpd, Some(expired))
    );

    // A partner that never answers holds expiries for EXPIRY_WAIT_FOR_PARTNER_MAX at most.
    let mut fake = Fake::default();
    let (s, _) = secondary_back_in_normal(&mut fake);
    assert!(s.expiries_wait(NOW + EXPIRY_WAIT_FOR_PARTNER_MAX - 1));
    assert!(!s.expiries_wait(NOW + EXPIRY_WAIT_FOR_PARTNER_MAX));
    assert!(!s.expiries_wait(NOW - 3600), "a clock stepped back an hour");
}

/// The xid of the UPDREQ among `steps`.
fn updreq_xid(steps: &[Step]) -> u32 {
    sent(steps)
        .iter()
        .find(|(_, m)| m.kind == MessageType::UpdReq)
        .map(|(_, m)| m.xid)
        .expect("an UPDREQ")
}

#[test]
fn a_link_that_drops_before_the_updone_asks_again_when_back_in_normal() {
    let mut fake = Fake::default();
    let (mut s, _) = secondary_back_in_normal(&mut fake);
    s.closed(1, NOW + 3, &mut fake);
    s.opened(2, NOW + 5);
    s.received(2, Ok(isc_connect(NOW + 5)), NOW + 5, &mut fake);
    s.take_steps();
    let state =
        Message::state(FailoverState::Normal, false, secs32(NOW - 50)).at(secs32(NOW + 5), 1);
    s.received(2, Ok(state), NOW + 5, &mut fake);
    let steps = s.take_steps();
    assert_eq!(
        s.machine().state(),
        FailoverState::Normal,
        "{}",
        logs(&steps)
    );
    let again = updreq_xid(&steps);
    // The old UPDREQ's answer can no longer come; the new one's ends the wait, still bounded
    // from the first link-up.
    assert!(s.expiries_wait(NOW + EXPIRY_WAIT_FOR_PARTNER_MAX - 1));
    assert!(!s.expiries_wait(NOW + EXPIRY_WAIT_FOR_PARTNER_MAX));
    // (Each link counts xids from 0: the old UPDREQ's xid may be the new one's.)
    s.received(
        2,
        Ok(Message::upddone().at(secs32(NOW + 6), again.wrapping_add(1))),
        NOW + 6,
        &mut fake,
    );
    assert!(s.expiries_wait(NOW + 6), "another xid");
    s.received(
        2,
        Ok(Message::upddone().at(secs32(NOW + 7), again)),
        NOW + 7,
        &mut fake,
    );
    assert!(!s.expiries_wait(NOW + 7));
}

#[test]
fn a_wait_the_partner_answered_starts_again_on_the_next_link_up() {
    let mut fake = Fake::default();
    let (mut s, steps) = secondary_back_in_normal(&mut fake);
    s.received(
        1,
        Ok(Message::upddone().at(secs32(NOW + 1), updreq_xid(&steps))),
        NOW + 1,
        &mut fake,
    );
    assert!(!s.expiries_wait(NOW + 2));
    s.closed(1, NOW + 10, &mut fake);
    s.opened(2, NOW + 20);
    s.received(2, Ok(isc_connect(NOW + 20)), NOW + 20, &mut fake);
    assert!(
        s.expiries_wait(NOW + 21),
        "a new wait, 20 s after the first"
    );
}

#[test]
fn timers_follow_isc() {
    let mut fake = Fake::default();
    // Link start-up: 15 s for CONNECT.
    let mut s = rel(Role::Secondary);
    s.opened(3, NOW);
    s.poll(NOW + 14, &mut fake);
    assert!(closed(&s.take_steps()).is_empty());
    s.poll(NOW + 15, &mut fake);
    let steps = s.take_steps();
    assert_eq!(closed(&steps), [3]);
    assert!(logs(&steps).contains("failover: link startup timeout"));
    // CONTACT every ⌊60 / 3⌋ s without other traffic; the receive timeout at our 30 s.
    let mut s = linked_secondary(&mut fake);
    let contact = |t: u64| Ok(Message::contact().at(secs32(t), 3));
    s.received(1, contact(NOW + 10), NOW + 10, &mut fake);
    // STARTUP ends after 15 s without a peer STATE: STATE(recover) and UPDREQALL go out,
    // and restart the CONTACT timer.
    s.poll(NOW + 15, &mut fake);
    let kinds: Vec<MessageType> = sent(&s.take_steps()).iter().map(|(_, m)| m.kind).collect();
    assert_eq!(kinds, [MessageType::State, MessageType::UpdReqAll]);
    s.poll(NOW + 34, &mut fake);
    assert!(sent(&s.take_steps()).is_empty());
    s.poll(NOW + 35, &mut fake);
    let out = sent(&s.take_steps());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1.kind, MessageType::Contact);
    s.received(1, contact(NOW + 38), NOW + 38, &mut fake);
    s.poll(NOW + 67, &mut fake);
    assert!(
        closed(&s.take_steps()).is_empty(),
        "a message restarts the receive timer"
    );
    s.poll(NOW + 68, &mut fake);
    let steps = s.take_steps();
    assert_eq!(closed(&steps), [1]);
    assert!(logs(&steps).contains("timeout waiting for failover peer lab-fo"));
    assert!(logs(&steps).contains("peer lab-fo: disconnected"));
    assert!(!s.linked());
}

#[test]
fn a_malformed_message_gets_a_disconnect_and_the_link_closes() {
    let mut fake = Fake::default();
    let mut s = linked_secondary(&mut fake);
    let err = decode(&[0, 16, 3, 12, 0, 0, 0, 0, 0, 0, 0, 1, 0, 3, 0, 9]).unwrap_err();
    s.received(1, Err(err), NOW, &mut fake);
    let steps = s.take_steps();
    let d = &sent(&steps)[0].1;
    assert_eq!(d.kind, MessageType::Disconnect);
    assert_eq!(d.reject_reason, Some(RejectReason::Unknown));
    assert!(d.message_text().unwrap().contains("overflow"));
    assert_eq!(closed(&steps), [1]);
    assert!(!s.linked());
}

#[test]
fn updates_respect_the_partners_window_and_complete_update_requests() {
    let mut fake = Fake::default();
    for i in 0..15u8 {
        fake.records
            .insert(Ipv4Addr::new(10, 0, 1, i), (S::Free, NOW + 100, 0));
    }
    let mut s = linked_secondary(&mut fake);
    // The primary asks for everything: 10 BNDUPDs (its window), then more per ack.
    s.received(
        1,
        Ok(Message::updreqall().at(secs32(NOW), 7)),
        NOW,
        &mut fake,
    );
    let steps = s.take_steps();
    let upds: Vec<Message> = sent(&steps).into_iter().map(|(_, m)| m).collect();
    assert_eq!(upds.len(), 10, "{}", logs(&steps));
    assert!(
        upds.iter()
            .all(|m| m.kind == MessageType::BndUpd && m.xid != 0)
    );
    assert!(logs(&steps).contains("Update request all from lab-fo: sending update"));
    assert_eq!(s.backlog(), (5, 10));
    // A wrong xid is logged and changes nothing.
    let first = &upds[0];
    let ip = first.assigned_ip.unwrap();
    s.received(
        1,
        Ok(Message::bndack(ip, None).at(0, first.xid + 100)),
        NOW,
        &mut fake,
    );
    assert!(logs(&s.take_steps()).contains(&format!(
        "bind update on {ip} got ack from lab-fo: xid mismatch."
    )));
    assert_eq!(s.backlog(), (5, 10));
    let mut all = upds;
    let mut done = None;
    for _ in 0..20 {
        let Some(m) = all.pop() else { break };
        let ack = Message::bndack(m.assigned_ip.unwrap(), None).at(0, m.xid);
        s.received(1, Ok(ack), NOW, &mut fake);
        for (_, out) in sent(&s.take_steps()) {
            match out.kind {
                MessageType::BndUpd => all.insert(0, out),
                MessageType::UpdDone => done = Some(out),
                k => panic!("unexpected {k}"),
            }
        }
    }
    let done = done.expect("UPDDONE after the last ack");
    assert_eq!(done.xid, 7, "it echoes the UPDREQALL");
    assert_eq!(s.backlog(), (0, 0));
    assert_eq!(
        fake.records.values().filter(|r| r.2 == NOW + 100).count(),
        15
    );
}

/// The last update of an UPDREQ answer loses a duel with the partner's update of the same
/// lease: the answer is complete all the same, and UPDDONE goes out (else the partner,
/// waiting in RECOVER or POTENTIAL-CONFLICT, would wait for ever).
#[test]
fn an_update_request_answer_whose_last_update_loses_a_duel_still_ends_with_upddone() {
    let mut fake = Fake::default();
    let ip = Ipv4Addr::new(10, 0, 1, 1);
    fake.records.insert(ip, (S::Expired, NOW + 100, 0));
    let mut s = linked_secondary(&mut fake);
    s.received(1, Ok(Message::updreq().at(secs32(NOW), 9)), NOW, &mut fake);
    let ours = sent(&s.take_steps());
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].1.kind, MessageType::BndUpd);
    assert_eq!(s.backlog(), (0, 1));
    // The primary's ACTIVE update of the same lease wins against our EXPIRED one.
    let theirs = active_bndupd(ip, 2).at(secs32(NOW), 44);
    s.received(1, Ok(theirs), NOW, &mut fake);
    let out: Vec<(MessageType, u32)> = sent(&s.take_steps())
        .iter()
        .map(|(_, m)| (m.kind, m.xid))
        .collect();
    assert!(out.contains(&(MessageType::BndAck, 44)), "{out:?}");
    assert!(out.contains(&(MessageType::UpdDone, 9)), "{out:?}");
    assert_eq!(s.backlog(), (0, 0));
    assert_eq!(fake.records[&ip].0, S::Active);
}

/// A rejection that comes back late, for an update the lease has since superseded, leaves
/// the newer update waiting for its own ack: forgetting it would leave the lease out of the
/// duel with the partner's updates, and unacknowledged.
#[test]
fn a_late_rejection_of_a_superseded_update_keeps_the_newer_one_in_flight() {
    let mut fake = Fake::default();
    let ip = Ipv4Addr::new(10, 0, 1, 1);
    fake.records.insert(ip, (S::Active, NOW + 100, 0));
    let mut s = linked_secondary(&mut fake);
    let send = |s: &mut Relationship, fake: &mut Fake| {
        s.queue_update(ip);
        s.flush(NOW, fake);
        sent(&s.take_steps())[0].1.xid
    };
    let old = send(&mut s, &mut fake);
    fake.records.insert(ip, (S::Active, NOW + 200, 0));
    let new = send(&mut s, &mut fake);
    assert_ne!(old, new);
    let text = "incoming update is less critical than outgoing update";
    let reject = Message::bndack(ip, Some((RejectReason::LessCriticalBindingInfo, text)));
    s.received(1, Ok(reject.at(secs32(NOW), old)), NOW, &mut fake);
    assert!(logs(&s.take_steps()).contains(&format!("bind update on {ip} from lab-fo rejected")));
    assert_eq!(
        s.backlog(),
        (0, 1),
        "the newer update still waits for its ack"
    );
    let ack = Message::bndack(ip, None).at(secs32(NOW), new);
    s.received(1, Ok(ack), NOW, &mut fake);
    assert_eq!(s.backlog(), (0, 0));
    assert_eq!(fake.records[&ip].2, NOW + 200, "acked with the newer tstp");
}

#[test]
fn a_bndupd_is_acked_after_its_journal_step_or_rejected_with_isc_s_text() {
    let mut fake = Fake::default();
    let mut s = linked_secondary(&mut fake);
    let upd = active_bndupd(Ipv4Addr::new(10, 0, 1, 1), 1).at(secs32(NOW), 44);
    s.received(1, Ok(upd.clone()), NOW, &mut fake);
    let out = sent(&s.take_steps());
    assert_eq!((out[0].1.kind, out[0].1.xid), (MessageType::BndAck, 44));
    assert_eq!(out[0].1.reject_reason, None);
    fake.refuse = Some(Refusal {
        reason: RejectReason::FatalConflict,
        text: "10.0.1.1: invalid state transition: active to free".into(),
    });
    s.received(1, Ok(upd.at(secs32(NOW), 45)), NOW, &mut fake);
    let ack = &sent(&s.take_steps())[0].1;
    assert_eq!(ack.reject_reason, Some(RejectReason::FatalConflict));
    assert_eq!(
        ack.message_text().as_deref(),
        Some("10.0.1.1: invalid state transition: active to free")
    );
    // Missing the address or the state: reason 3.
    let mut bare = Message::new(MessageType::BndUpd).at(0, 46);
    bare.assigned_ip = Some(Ipv4Addr::new(10, 0, 1, 2));
    s.received(1, Ok(bare), NOW, &mut fake);
    let ack = &sent(&s.take_steps())[0].1;
    assert_eq!(ack.reject_reason, Some(RejectReason::MissingBindingInfo));
}

/// A message of any type with arbitrary options, as bytes the codec accepts.
fn any_message() -> impl Strategy<Value = Message> {
    (
        1u8..=12,
        any::<u32>(),
        any::<u32>(),
        proptest::option::of(any::<[u8; 4]>()),
        proptest::option::of(0u8..=9),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..24)),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<u8>()),
        proptest::option::of(any::<u8>()),
    )
        .prop_map(
            |(kind, time, xid, ip, status, name, hba, num, state, flags)| {
                let kind = MessageType::from_code(kind).unwrap_or(MessageType::Contact);
                let mut m = Message::new(kind).at(time, xid);
                let carries = |o| kind.carries(o);
                use crate::serve::failover::wire::OptionCode as O;
                if carries(O::AssignedIp) {
                    m.assigned_ip = ip.map(Ipv4Addr::from);
                }
                if carries(O::BindingStatus) {
                    m.binding_status = status.map(Coded::from_code);
                }
                if carries(O::Chaddr) {
                    m.chaddr = name.clone().map(Chaddr::from_wire);
                }
                if carries(O::RelationshipName) {
                    m.relationship_name = name;
                }
                if carries(O::Hba) {
                    m.hba = hba;
                }
                if carries(O::Mclt) {
                    m.mclt = num;
                }
                if carries(O::MaxUnacked) {
                    m.max_unacked = num;
                }
                if carries(O::ReceiveTimer) {
                    m.receive_timer = num;
                }
                if carries(O::LeaseExpiration) {
                    m.lease_expiration = num;
                }
                if carries(O::ServerState) {
                    m.server_state = state.map(Coded::from_code);
                }
                if carries(O::ServerFlags) {
                    m.server_flags = flags;
                }
                if carries(O::RejectReason) {
                    m.reject_reason = flags.map(RejectReason::from_code);
                }
                m
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Random messages and raw bytes on a fresh and on an established link, in both roles:
    /// never a panic, and every message the relationship sends encodes.
    #[test]
    fn no_message_makes_a_relationship_panic(
        msgs in proptest::collection::vec(any_message(), 1..40),
        raw in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8),
        secondary in any::<bool>(),
        link_first in any::<bool>(),
    ) {
        let mut fake = Fake::default();
        fake.records.insert(Ipv4Addr::new(10, 0, 1, 1), (S::Active, NOW, 0));
        let mut r = if secondary && link_first {
            linked_secondary(&mut fake)
        } else {
            let mut r = rel(if secondary { Role::Secondary } else { Role::Primary });
            r.opened(1, NOW);
            r
        };
        let mut now = NOW;
        for bytes in raw {
            let frame = if bytes.len() >= 2 { decode(&bytes) } else { Err(WireError::Short { actual: bytes.len() }) };
            r.received(1, frame, now, &mut fake);
        }
        for m in msgs {
            now += u64::from(m.xid % 3);
            r.received(1, Ok(m), now, &mut fake);
            r.poll(now, &mut fake);
            for step in r.take_steps() {
                if let Step::Send(_, m) = step {
                    prop_assert!(encode(&m).is_ok(), "{m:?}");
                }
            }
        }
    }
}
