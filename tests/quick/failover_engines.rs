//! Two dhcpfo engines as a failover pair, in memory with simulated time: every failover
//! message goes through the codec (encoded, decoded), every lease-file write is kept as the
//! peer's "file", a killed peer restarts from that file. The flows of digest §4.8 and the
//! DHCP rules of §4-§8 end to end: a fresh pair balances, clients split by the hash, leases
//! replicate with their client and end, a dead partner, partner-down after MCLT, recovery and
//! conflict resolution, with no address ever bound to two clients.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::Ipv4Addr;
use std::sync::Arc;

use dhcproto::v4::{DhcpOption, Message, MessageType, OptionCode};

use dhcpfo::leases::{BindingState as State, FailoverStanza, FailoverState};
use dhcpfo::model::{self, Role};
use dhcpfo::serve::bindings::Binding;
use dhcpfo::serve::config::{ServeConfig, ServeRole};
use dhcpfo::serve::engine::{Engine, Incoming, Outcome};
use dhcpfo::serve::failover::config::FailoverConfig;
use dhcpfo::serve::failover::peer::{Relationship, Step};
use dhcpfo::serve::failover::rules;
use dhcpfo::serve::failover::wire::{
    MessageType as FoType, decode, encode, hba_from_split, load_balance_hash, primary_serves,
};
use dhcpfo::serve::packet::Request;

const START: u64 = 1_800_000_000;
const ADDRS: [Ipv4Addr; 2] = [Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(10, 0, 0, 3)];
const P: usize = 0;
const S: usize = 1;

fn model(range_end: u8, split: u16) -> String {
    format!(
        r#"
failover:
  name: sim
  mclt: 60
  split: {split}
  max-response-delay: 30
  max-unacked-updates: 10
  load-balance-max-seconds: 3
peers:
  primary: {{ address: 10.0.0.2 }}
  secondary: {{ address: 10.0.0.3 }}
global:
  authoritative: true
  default-lease-time: 10m
  max-lease-time: 20m
subnets:
  - network: 10.0.0.0/16
    pools:
      - range: [10.0.1.0, 10.0.1.{range_end}]
"#
    )
}

/// One peer: its engine while it runs, and what it has on disk.
struct Node {
    engine: Option<Engine>,
    file: BTreeMap<Ipv4Addr, Binding>,
    stanza: Option<FailoverStanza>,
    log: Vec<String>,
    conns: BTreeSet<u64>,
    cfg: Arc<ServeConfig>,
    fo: Arc<FailoverConfig>,
}

struct Sim {
    now: u64,
    /// How far each peer's wall clock is from `now` (a stepped clock).
    skew: [i64; 2],
    nodes: [Node; 2],
    wire: VecDeque<(usize, u64, Vec<u8>)>,
    next_conn: u64,
    /// The network between the peers is cut (both run, neither reaches the other).
    cut: bool,
    /// Every ACK a client got: (address, client MAC, end).
    acks: Vec<(Ipv4Addr, [u8; 6], u64)>,
    /// Every failover message sent, with its sender.
    sent: Vec<(usize, dhcpfo::serve::failover::wire::Message)>,
    /// Addresses for which the secondary answers as ISC 4.4.3 does (see [`Sim::as_isc`]).
    isc: BTreeSet<Ipv4Addr>,
    /// Of those, the ones whose expiry from the primary the ISC secondary took, with the
    /// end that EXPIRED carried.
    isc_took_expiry: BTreeMap<Ipv4Addr, Option<u32>>,
    /// The ISC secondary's own updates of those addresses, still in its queue.
    isc_queue: Vec<(u64, dhcpfo::serve::failover::wire::Message)>,
    /// The addresses whose queued update the ISC secondary has sent.
    isc_sent: BTreeSet<Ipv4Addr>,
    /// The ISC secondary also sends its queued updates by itself, as it does on reaching
    /// NORMAL, with their own end: at the end of the second after it queued them (see
    /// [`Sim::isc_send_queued`]). An update the primary sends in that second reaches it first.
    isc_sends_queued: bool,
    /// The ISC secondary swallows the primary's UPDREQ (no queued update leaves, no UPDDONE
    /// comes), as a lost message would.
    isc_ignores_updreq: bool,
    /// The ISC secondary answers the primary's UPDREQ this many seconds late (its queue is
    /// slow to drain).
    isc_updreq_delay: u64,
    /// UPDREQs it will answer: when, on which connection.
    isc_updreq_later: Vec<(u64, u64, dhcpfo::serve::failover::wire::Message)>,
    /// Addresses for which the primary answers as ISC 4.4.3 does (see
    /// [`Sim::as_isc_primary`]).
    isc_primary: BTreeSet<Ipv4Addr>,
    /// The ISC primary's own updates of those addresses, still in its queue.
    isc_primary_queue: Vec<(u64, dhcpfo::serve::failover::wire::Message)>,
    /// Of those addresses, the ones whose queued update the ISC primary has sent.
    isc_primary_sent: BTreeSet<Ipv4Addr>,
    /// The secondary's updates that ended such a lease and that the ISC primary took while
    /// its own newer update of it was still queued: (address, state sent).
    isc_primary_took: Vec<(Ipv4Addr, State)>,
}

impl Sim {
    fn new(yaml: &str) -> Sim {
        Sim::with(yaml, |_, _| {})
    }

    /// A pair whose failover settings `tweak` changes per role first.
    fn with(yaml: &str, tweak: impl Fn(Role, &mut FailoverConfig)) -> Sim {
        let src = model::load_str("sim.yaml", yaml.to_string()).expect("a valid model");
        let fo = |role: Role| {
            let mut c = FailoverConfig::from_model(&src.pair, role);
            tweak(role, &mut c);
            Arc::new(c)
        };
        let node = |role: Role| Node {
            engine: None,
            file: BTreeMap::new(),
            stanza: None,
            log: Vec::new(),
            conns: BTreeSet::new(),
            cfg: Arc::new(ServeConfig::build(&src.pair, ServeRole::Peer(role))),
            fo: fo(role),
        };
        let mut sim = Sim {
            now: START,
            skew: [0, 0],
            nodes: [node(Role::Primary), node(Role::Secondary)],
            wire: VecDeque::new(),
            next_conn: 1,
            cut: false,
            acks: Vec::new(),
            sent: Vec::new(),
            isc: BTreeSet::new(),
            isc_took_expiry: BTreeMap::new(),
            isc_queue: Vec::new(),
            isc_sent: BTreeSet::new(),
            isc_sends_queued: false,
            isc_ignores_updreq: false,
            isc_updreq_delay: 0,
            isc_updreq_later: Vec::new(),
            isc_primary: BTreeSet::new(),
            isc_primary_queue: Vec::new(),
            isc_primary_sent: BTreeSet::new(),
            isc_primary_took: Vec::new(),
        };
        sim.start(P);
        sim.start(S);
        sim.connect();
        sim
    }

    fn engine(&self, i: usize) -> &Engine {
        self.nodes[i].engine.as_ref().expect("running")
    }

    fn state(&self, i: usize) -> FailoverState {
        self.engine(i)
            .relationship()
            .expect("a peer")
            .machine()
            .state()
    }

    /// Starts (or restarts) a peer from its file, as `dhcpfo serve` does.
    fn start(&mut self, i: usize) {
        let node = &mut self.nodes[i];
        let mut e = Engine::new(node.cfg.clone());
        e.quiet = false;
        e.load_all(node.file.values().cloned().collect());
        let now = self.now.saturating_add_signed(self.skew[i]);
        let mut rel = Relationship::new(node.fo.clone(), node.stanza.as_ref(), now);
        let steps = rel.take_steps();
        e.attach_failover(rel);
        node.engine = Some(e);
        node.conns.clear();
        self.apply(i, steps);
    }

    /// `kill -9`: the engine is gone; the partner sees its connection close.
    fn kill(&mut self, i: usize) {
        self.nodes[i].engine = None;
        let conns = std::mem::take(&mut self.nodes[i].conns);
        self.wire.clear();
        for c in conns {
            self.close_at(1 - i, c);
        }
    }

    /// Cuts the network between the peers (each sees its connection drop).
    fn cut(&mut self) {
        self.cut = true;
        self.wire.clear();
        for i in [P, S] {
            for c in std::mem::take(&mut self.nodes[i].conns) {
                self.close_at(i, c);
            }
        }
    }

    fn heal(&mut self) {
        self.cut = false;
        self.connect();
    }

    fn close_at(&mut self, i: usize, conn: u64) {
        self.nodes[i].conns.remove(&conn);
        let now = self.clock(i);
        if let Some(e) = self.nodes[i].engine.as_mut() {
            let steps = e.peer_closed(conn, now);
            self.apply(i, steps);
        }
    }

    /// A TCP connection opens between the peers (as the connector makes one).
    fn connect(&mut self) {
        if self.cut
            || self
                .nodes
                .iter()
                .any(|n| n.engine.is_none() || !n.conns.is_empty())
        {
            return;
        }
        let conn = self.next_conn;
        self.next_conn += 1;
        for i in [P, S] {
            self.nodes[i].conns.insert(conn);
        }
        for i in [P, S] {
            let now = self.clock(i);
            let steps = self.nodes[i]
                .engine
                .as_mut()
                .map(|e| e.peer_opened(conn, now))
                .unwrap_or_default();
            self.apply(i, steps);
        }
        self.settle();
    }

    /// Carries out a peer's steps: the file, the wire, the log.
    fn apply(&mut self, i: usize, steps: Vec<Step>) {
        for step in steps {
            match step {
                Step::Persist(stanza) => self.nodes[i].stanza = Some(stanza),
                Step::Journal(events) => {
                    for ev in events {
                        self.nodes[i].file.insert(ev.binding.addr, ev.binding);
                    }
                }
                Step::Send(conn, msg) => {
                    let bytes = encode(&msg).expect("every message encodes");
                    self.sent.push((i, *msg));
                    if self.nodes[1 - i].conns.contains(&conn) {
                        self.wire.push_back((1 - i, conn, bytes));
                    }
                }
                Step::Close(conn) => {
                    self.nodes[i].conns.remove(&conn);
                    if self.nodes[1 - i].conns.contains(&conn) {
                        self.close_at(1 - i, conn);
                    }
                }
                Step::Established(_) => {}
                Step::Log(_, line) => self.nodes[i].log.push(line),
            }
        }
    }

    /// Delivers every message in flight, and what they cause, until the wire is quiet.
    fn settle(&mut self) {
        for _ in 0..1_000_000 {
            let Some((to, conn, bytes)) = self.wire.pop_front() else {
                return;
            };
            let now = self.clock(to);
            if !self.nodes[to].conns.contains(&conn) {
                continue;
            }
            let frame = decode(&bytes);
            if let Ok(m) = &frame
                && (self.as_isc(to, conn, m) || self.as_isc_primary(to, conn, m))
            {
                continue;
            }
            let Some(e) = self.nodes[to].engine.as_mut() else {
                continue;
            };
            let steps = e.peer_frame(conn, frame, now);
            self.apply(to, steps);
        }
        panic!("the peers never went quiet");
    }

    /// The secondary as ISC 4.4.3 handles a BNDUPD of an address in `isc` (`true`: the
    /// message was handled here). It takes the primary's EXPIRED whenever its own end is
    /// within 65 s (so, with short leases, one the client still holds), and acks whatever
    /// the primary sends after that (its lease is FREE). Its own update of the address,
    /// queued while the two were apart, leaves after that ack and as ISC builds it then:
    /// the state it queued (ACTIVE: taking the partner's update does not refresh it) with
    /// the end the primary's EXPIRED just gave the lease.
    fn as_isc(&mut self, to: usize, conn: u64, m: &dhcpfo::serve::failover::wire::Message) -> bool {
        use dhcpfo::serve::failover::wire::Message as FoMessage;
        if to == S && m.kind == FoType::UpdReq && !self.isc.is_empty() {
            if self.isc_ignores_updreq {
                return true;
            }
            if self.isc_updreq_delay > 0 {
                let due = self.now + self.isc_updreq_delay;
                self.isc_updreq_later.push((due, conn, m.clone()));
                return true;
            }
            // ISC answers UPDREQ by sending its queue, then UPDDONE (which the engine sends
            // after these).
            self.isc_send_whole_queue();
            return false;
        }
        if to == P && m.kind == FoType::UpdReq && !self.isc.is_empty() {
            // ISC asks for no backlog when it comes back to NORMAL (the engine playing it
            // does).
            return true;
        }
        if to == P && m.kind == FoType::UpdDone && !self.isc_queue.is_empty() {
            // ISC sends UPDDONE once its queued updates are out: they go first.
            self.isc_send_whole_queue();
            self.wire.push_back((P, conn, encode(m).expect("encodes")));
            return true;
        }
        let Some(ip) = m.assigned_ip.filter(|ip| self.isc.contains(ip)) else {
            return false;
        };
        if m.kind != FoType::BndUpd {
            return false;
        }
        let took = self.isc_took_expiry.get(&ip).copied();
        if to == P {
            // The secondary's own update: in ISC's queue until ISC took the expiry, then
            // rebuilt once.
            match took {
                None if self.isc_sent.contains(&ip) => return false,
                None => self.isc_queue.push((conn, m.clone())),
                Some(ends) if self.isc_sent.insert(ip) => {
                    self.isc_queue.push((conn, m.clone()));
                    self.isc_release(ip, ends);
                }
                Some(_) => return false,
            }
            return true;
        }
        let expired = m.binding_status.and_then(|s| s.known()) == Some(State::Expired);
        if took.is_none() && !expired {
            return false;
        }
        let ack = FoMessage::bndack(ip, None).at(self.now as u32, m.xid);
        self.wire
            .push_back((P, conn, encode(&ack).expect("encodes")));
        if took.is_none() {
            let ends = m.lease_expiration;
            self.isc_took_expiry.insert(ip, ends);
            if !self.isc_queue.is_empty() {
                self.isc_sent.insert(ip);
                self.isc_release(ip, ends);
            }
        }
        true
    }

    /// The primary as ISC 4.4.3 handles the addresses in `isc_primary` after the two were
    /// apart (`true`: the message was handled here). Its own update of such an address waits
    /// in its queue, behind a full window of others, until the end of the second; an UPDDONE
    /// answering the secondary's UPDREQ leaves after it. It duels only updates in
    /// flight, so a secondary's update that ends the lease, arriving while its own is still
    /// queued, is taken (as primary it accepts RELEASED over ACTIVE), and the queued update
    /// then leaves with the ended state: the ACK its client holds is lost on both peers. The
    /// emulation records it in `isc_primary_took`. It sends no UPDREQ of its own when back
    /// in NORMAL.
    fn as_isc_primary(
        &mut self,
        to: usize,
        conn: u64,
        m: &dhcpfo::serve::failover::wire::Message,
    ) -> bool {
        if self.isc_primary.is_empty() {
            return false;
        }
        match (to, m.kind) {
            (S, FoType::UpdReq) => return true,
            (S, FoType::UpdDone) if !self.isc_primary_queue.is_empty() => {
                // Its queue goes first, then UPDDONE.
                self.isc_primary_queue.push((conn, m.clone()));
                return true;
            }
            _ => {}
        }
        let Some(ip) = m.assigned_ip.filter(|ip| self.isc_primary.contains(ip)) else {
            return false;
        };
        if m.kind != FoType::BndUpd {
            return false;
        }
        if to == S {
            if self.isc_primary_sent.contains(&ip) {
                return false;
            }
            self.isc_primary_queue.push((conn, m.clone()));
            return true;
        }
        let state = m.binding_status.and_then(|s| s.known());
        if let Some(state) = state.filter(|s| *s != State::Active)
            && !self.isc_primary_sent.contains(&ip)
        {
            self.isc_primary_took.push((ip, state));
        }
        false
    }

    /// The ISC primary sends every update in its queue (and an UPDDONE held behind them),
    /// as they stand, now.
    fn isc_primary_send_queue(&mut self) {
        let now = self.now;
        for (conn, mut queued) in std::mem::take(&mut self.isc_primary_queue) {
            if let Some(ip) = queued.assigned_ip {
                self.isc_primary_sent.insert(ip);
            }
            queued.time = now as u32;
            self.wire
                .push_back((S, conn, encode(&queued).expect("encodes")));
        }
    }

    /// The ISC secondary's queued updates of `ip` leave, with the end `ends`.
    fn isc_release(&mut self, ip: Ipv4Addr, ends: Option<u32>) {
        for (conn, mut queued) in std::mem::take(&mut self.isc_queue) {
            assert_eq!(queued.assigned_ip, Some(ip));
            queued.lease_expiration = ends;
            queued.time = self.now as u32;
            self.wire
                .push_back((P, conn, encode(&queued).expect("encodes")));
        }
    }

    /// The ISC secondary sends every update in its queue, as it stands, now.
    fn isc_send_whole_queue(&mut self) {
        let now = self.now;
        for (conn, mut queued) in std::mem::take(&mut self.isc_queue) {
            self.isc_sent
                .insert(queued.assigned_ip.expect("an address"));
            queued.time = now as u32;
            self.wire
                .push_back((P, conn, encode(&queued).expect("encodes")));
        }
    }

    /// The ISC secondary answers the UPDREQs it held back whose time has come: its queue,
    /// then its UPDDONE.
    fn isc_answer_late_updreqs(&mut self) {
        let now = self.now;
        let (due, later) = std::mem::take(&mut self.isc_updreq_later)
            .into_iter()
            .partition(|(at, _, _)| *at <= now);
        self.isc_updreq_later = later;
        for (_, conn, m) in due {
            self.isc_send_whole_queue();
            if let Some(e) = self.nodes[S].engine.as_mut()
                && self.nodes[S].conns.contains(&conn)
            {
                let steps = e.peer_frame(conn, Ok(m), now);
                self.apply(S, steps);
            }
            self.settle();
        }
    }

    /// With `isc_sends_queued`, the ISC secondary's updates queued in an earlier second and
    /// still waiting (it has not taken an expiry of the address) leave as they are.
    fn isc_send_queued(&mut self) {
        if !self.isc_sends_queued {
            return;
        }
        let now = self.now;
        let (due, wait) = std::mem::take(&mut self.isc_queue)
            .into_iter()
            .partition(|(_, m)| u64::from(m.time) < now);
        self.isc_queue = wait;
        for (conn, mut queued) in due {
            self.isc_sent
                .insert(queued.assigned_ip.expect("an address"));
            queued.time = now as u32;
            self.wire
                .push_back((P, conn, encode(&queued).expect("encodes")));
        }
        self.settle();
    }

    /// Lets `secs` seconds pass, one at a time: DHCP timers, failover timers, the connector
    /// (every 5 s while no connection is up).
    fn advance(&mut self, secs: u64) {
        for _ in 0..secs {
            self.now += 1;
            for i in [P, S] {
                let now = self.clock(i);
                let Some(e) = self.nodes[i].engine.as_mut() else {
                    continue;
                };
                let mut out = e.tick(now);
                let mut steps = std::mem::take(&mut out.peer);
                steps.extend(e.peer_poll(now));
                self.journal(i, &out);
                self.apply(i, steps);
            }
            if self.now.is_multiple_of(5) {
                self.connect();
            }
            self.settle();
            self.isc_answer_late_updreqs();
            self.isc_send_queued();
            self.isc_primary_send_queue();
            self.settle();
        }
    }

    fn journal(&mut self, i: usize, out: &Outcome) {
        for ev in &out.events {
            self.nodes[i]
                .file
                .insert(ev.binding.addr, ev.binding.clone());
        }
    }

    /// One DHCP message to peer `i`; its reply.
    fn dhcp(&mut self, i: usize, msg: &Message) -> Option<Message> {
        let now = self.clock(i);
        let e = self.nodes[i].engine.as_mut()?;
        let addrs = [ADDRS[i]];
        let req = Request::from_message(msg).expect("a well-formed request");
        let mut out = e.handle(
            Incoming {
                msg: &req,
                iface: "eth0",
                iface_addrs: &addrs,
            },
            now,
        );
        let steps = std::mem::take(&mut out.peer);
        self.journal(i, &out);
        self.nodes[i].log.append(&mut out.log);
        self.apply(i, steps);
        self.settle();
        out.reply.map(|(m, _)| m.into_message())
    }

    /// A client broadcasts DISCOVER to both peers (secs 0) and REQUESTs the first offer;
    /// returns which peer ACKed, the address and the lease time.
    fn client(&mut self, mac: [u8; 6]) -> Option<(usize, Ipv4Addr, u32)> {
        self.client_of(&[P, S], mac)
    }

    /// The same, with only `peers` reachable by the client.
    fn client_of(&mut self, peers: &[usize], mac: [u8; 6]) -> Option<(usize, Ipv4Addr, u32)> {
        let discover = dhcp_msg(MessageType::Discover, mac);
        let (server, offer) = peers
            .iter()
            .find_map(|&i| self.dhcp(i, &discover).map(|m| (i, m)))?;
        let mut request = dhcp_msg(MessageType::Request, mac);
        request
            .opts_mut()
            .insert(DhcpOption::RequestedIpAddress(offer.yiaddr()));
        request
            .opts_mut()
            .insert(DhcpOption::ServerIdentifier(ADDRS[server]));
        let mut ack = None;
        for &i in peers {
            if let Some(m) = self.dhcp(i, &request)
                && m.opts().msg_type() == Some(MessageType::Ack)
            {
                assert_eq!(i, server, "only the selected server answers");
                ack = Some(m);
            }
        }
        let ack = ack?;
        let secs = lease_time(&ack);
        self.acks
            .push((ack.yiaddr(), mac, self.now + u64::from(secs)));
        Some((server, ack.yiaddr(), secs))
    }

    /// A client renews its lease with the peer that gave it (unicast, ciaddr).
    fn renew(&mut self, i: usize, mac: [u8; 6], ip: Ipv4Addr) -> Option<u32> {
        let mut request = dhcp_msg(MessageType::Request, mac);
        request.set_ciaddr(ip);
        let ack = self.dhcp(i, &request)?;
        (ack.opts().msg_type() == Some(MessageType::Ack)).then(|| {
            let secs = lease_time(&ack);
            self.acks.push((ip, mac, self.now + u64::from(secs)));
            secs
        })
    }

    /// Peer `i`'s wall clock.
    fn clock(&self, i: usize) -> u64 {
        self.now.saturating_add_signed(self.skew[i])
    }

    /// Steps peer `i`'s wall clock by `by` seconds; its server loop notices at once.
    fn step_clock(&mut self, i: usize, by: i64) {
        self.skew[i] += by;
        let now = self.clock(i);
        if let Some(e) = self.nodes[i].engine.as_mut() {
            e.clock_stepped(by, now);
        }
    }

    fn log(&self, i: usize) -> String {
        self.nodes[i].log.join("\n")
    }

    /// No address is bound to two clients: for every ACK a client got that has not ended,
    /// every running peer's file names that client if it holds the address active.
    fn check_no_double_binding(&self) {
        for (ip, mac, ends) in &self.acks {
            if *ends <= self.now {
                continue;
            }
            for (i, node) in self.nodes.iter().enumerate() {
                if node.engine.is_none() {
                    continue;
                }
                if let Some(b) = node.file.get(ip)
                    && b.state == State::Active
                    && b.ends > self.now
                {
                    assert_eq!(
                        b.hw.as_ref().map(|(_, a)| a.as_slice()),
                        Some(&mac[..]),
                        "{ip} bound to another client on peer {i}"
                    );
                }
            }
        }
    }
}

fn dhcp_msg(kind: MessageType, mac: [u8; 6]) -> Message {
    let z = Ipv4Addr::UNSPECIFIED;
    let mut m = Message::new_with_id(
        u32::from_be_bytes([mac[2], mac[3], mac[4], mac[5]]),
        z,
        z,
        z,
        z,
        &mac,
    );
    m.opts_mut().insert(DhcpOption::MessageType(kind));
    m
}

fn lease_time(m: &Message) -> u32 {
    match m.opts().get(OptionCode::AddressLeaseTime) {
        Some(DhcpOption::AddressLeaseTime(t)) => *t,
        _ => 0,
    }
}

fn mac(n: u16) -> [u8; 6] {
    let [a, b] = n.to_be_bytes();
    [0x02, 0xcc, 0, 0, a, b]
}

/// Which peer a client's DISCOVER belongs to under `split`.
fn owner(mac: [u8; 6], split: u16) -> usize {
    let hba = hba_from_split(split).expect("a valid split");
    if primary_serves(&hba, load_balance_hash(&mac)) {
        P
    } else {
        S
    }
}

/// (free, backup) of the pool on peer `i`.
fn counts(sim: &Sim, i: usize) -> (usize, usize) {
    let (f, b, _) = sim.engine(i).allocator().counts(0);
    (f, b)
}

#[test]
fn a_fresh_pair_recovers_reaches_normal_and_balances_the_pool() {
    let sim = Sim::new(&model(99, 128));
    assert_eq!(sim.state(P), FailoverState::Normal, "{}", sim.log(P));
    assert_eq!(sim.state(S), FailoverState::Normal, "{}", sim.log(S));
    for i in [P, S] {
        let log = sim.log(i);
        assert!(
            log.contains("failover peer sim: Both servers normal"),
            "{log}"
        );
        assert!(log.contains("I move from recover-done to normal"), "{log}");
        assert_eq!(
            counts(&sim, i),
            (50, 50),
            "both peers agree on the split: {log}"
        );
    }
    assert!(
        sim.log(P)
            .contains("balanced pool 0 10.0.0.0/16  total 100  free 50  backup 50  lts 0")
    );
    // Each records normal, with the MCLT on the secondary only.
    let p = sim.nodes[P].stanza.clone().expect("recorded");
    let s = sim.nodes[S].stanza.clone().expect("recorded");
    assert_eq!(
        (p.my.state, p.partner.state),
        (FailoverState::Normal, FailoverState::Normal)
    );
    assert_eq!((s.my.state, s.mclt), (FailoverState::Normal, Some(60)));
    assert_eq!(p.mclt, None);
}

#[test]
fn update_request_all_is_answered_with_every_address_of_the_pool() {
    use dhcpfo::serve::failover::wire::{Coded, MessageType as Fo};
    let sim = Sim::new(&model(99, 128));
    let pool: BTreeSet<Ipv4Addr> = (0..=99).map(|n| Ipv4Addr::new(10, 0, 1, n)).collect();
    for i in [P, S] {
        // Never used, each address goes as ISC sends a lease made from a range: FREE, with
        // no client and no times.
        let blank: BTreeSet<Ipv4Addr> = sim
            .sent
            .iter()
            .filter(|(from, m)| {
                *from == i
                    && m.kind == Fo::BndUpd
                    && m.binding_status == Some(Coded::Known(State::Free))
                    && m.chaddr.is_none()
                    && m.lease_expiration == Some(0)
                    && m.potential_expiration == Some(0)
                    && m.start_time_of_state == Some(0)
            })
            .filter_map(|(_, m)| m.assigned_ip)
            .collect();
        assert_eq!(blank, pool, "peer {i}");
        let log = sim.log(i);
        assert!(
            log.contains("Update request all from sim: sending update")
                && log.contains("Sent update done message to sim"),
            "{log}"
        );
    }
    // Nothing of it stays in memory: a never-used address is still one byte of its pool.
    for i in [P, S] {
        let free: Vec<Ipv4Addr> = sim
            .engine(i)
            .leases()
            .iter()
            .filter(|b| b.state == State::Free)
            .map(|b| b.addr)
            .collect();
        assert!(free.is_empty(), "peer {i} keeps records of {free:?}");
    }
}

#[test]
fn clients_go_to_the_peer_of_their_hash_bucket_and_leases_replicate() {
    let mut sim = Sim::new(&model(255, 128));
    let mut served = [0, 0];
    for n in 0..100 {
        let m = mac(n);
        let (server, ip, secs) = sim.client(m).expect("a lease");
        assert_eq!(
            server,
            owner(m, 128),
            "client {n} answered by its bucket's peer"
        );
        served[server] += 1;
        // MCLT caps a first lease (the partner has acknowledged nothing yet).
        assert_eq!(secs, 60);
        // The partner has the same binding: same client, same end.
        let here = sim
            .engine(server)
            .leases()
            .get(ip)
            .cloned()
            .expect("leased");
        let there = sim
            .engine(1 - server)
            .leases()
            .get(ip)
            .cloned()
            .expect("replicated");
        assert_eq!(there.state, State::Active);
        assert_eq!((there.hw.clone(), there.ends), (here.hw.clone(), here.ends));
        assert_eq!(here.tsfp, here.tstp, "acked: tsfp = the tstp sent");
    }
    assert!(served[P] > 30 && served[S] > 30, "{served:?}");
    sim.check_no_double_binding();
}

#[test]
fn a_renewal_after_the_ack_gets_the_full_lease() {
    let mut sim = Sim::new(&model(99, 256));
    let m = mac(7);
    let (server, ip, secs) = sim.client(m).expect("a lease");
    assert_eq!(
        (server, secs),
        (P, 60),
        "hot standby: the primary serves, MCLT first"
    );
    sim.advance(30);
    // tsfp = now + 600 + 30 from the first ACK: the desired 600 s now fit.
    assert_eq!(sim.renew(P, m, ip), Some(600));
    let ends = sim.engine(P).leases().get(ip).unwrap().ends;
    assert_eq!(sim.engine(S).leases().get(ip).unwrap().ends, ends);
}

#[test]
fn the_primary_expires_leases_and_both_free_them_on_the_ack() {
    let mut sim = Sim::new(&model(99, 128));
    let (server, ip, secs) = (0..50)
        .find_map(|n| sim.client(mac(n)).filter(|(s, _, _)| *s == S))
        .expect("a client of the secondary");
    assert_eq!(server, S);
    // The secondary in NORMAL leaves expiry to the primary; the primary expires it, the
    // secondary accepts, both free it on the ack, and the primary hands it straight back
    // to the secondary as BACKUP: its last client hashes there (MAC affinity).
    sim.advance(u64::from(secs) - 1);
    assert_eq!(sim.engine(S).leases().get(ip).unwrap().state, State::Active);
    sim.advance(3);
    for i in [P, S] {
        let b = sim.engine(i).leases().get(ip).unwrap().clone();
        assert_eq!(b.state, State::Backup, "peer {i}: {b:?}\n{}", sim.log(i));
        assert_eq!(
            sim.nodes[i].file.get(&ip).map(|b| b.state),
            Some(State::Backup)
        );
    }
    assert!(!sim.log(P).contains("rejected"), "{}", sim.log(P));
}

#[test]
fn a_dead_partner_then_partner_down_then_recovery() {
    let mut sim = Sim::new(&model(99, 128));
    // Leases on both sides first.
    let mut held = Vec::new();
    for n in 0..10 {
        held.push((mac(n), sim.client(mac(n)).expect("a lease")));
    }
    sim.kill(S);
    assert_eq!(sim.state(P), FailoverState::CommunicationsInterrupted);
    assert!(sim.log(P).contains("peer sim: disconnected"));
    // Communications-interrupted: existing clients renew; new ones get the primary's own
    // free leases only, without load balancing.
    for (m, (server, ip, _)) in &held {
        if *server == P {
            assert!(sim.renew(P, *m, *ip).is_some());
        }
    }
    let (free, backup) = counts(&sim, P);
    let theirs: BTreeSet<Ipv4Addr> = sim
        .engine(P)
        .allocator()
        .addresses_in(0, dhcpfo::serve::alloc::Slot::Backup)
        .collect();
    assert_eq!(theirs.len(), backup);
    let mut new = 0;
    for n in 100..400 {
        match sim.client(mac(n)) {
            Some((server, ip, _)) => {
                assert_eq!(server, P);
                assert!(!theirs.contains(&ip), "{ip} is the secondary's");
                new += 1;
            }
            None => break,
        }
    }
    assert_eq!(new, free, "only the primary's {free} free leases");
    assert!(
        sim.log(P).contains("peer holds all free leases"),
        "{}",
        sim.log(P)
    );
    assert_eq!(
        counts(&sim, P).1,
        backup,
        "the secondary's leases untouched"
    );
    // Partner-down: the secondary's leases become the primary's after MCLT.
    let steps = {
        let now = sim.now;
        sim.nodes[P]
            .engine
            .as_mut()
            .unwrap()
            .partner_down(now)
            .expect("accepted")
    };
    sim.apply(P, steps);
    assert_eq!(sim.state(P), FailoverState::PartnerDown);
    assert!(sim.client(mac(500)).is_none(), "not before MCLT");
    sim.advance(61);
    let mut given = BTreeSet::new();
    for n in 600..800 {
        match sim.client(mac(n)) {
            Some((_, ip, _)) => {
                given.insert(ip);
            }
            None => break,
        }
    }
    assert!(
        theirs.iter().all(|ip| given.contains(ip)),
        "every address of the secondary is served after MCLT"
    );
    // The whole pool is in use, but for the leases of the secondary's clients: the
    // secondary may have renewed them before it died, up to MCLT past the potential
    // expiration the primary acknowledged, so they wait until then.
    let of_secondary: BTreeSet<Ipv4Addr> = held
        .iter()
        .filter(|(_, (server, _, _))| *server == S)
        .map(|(_, (_, ip, _))| *ip)
        .collect();
    let (active, waiting): (Vec<&Binding>, Vec<&Binding>) = sim
        .engine(P)
        .leases()
        .iter()
        .partition(|b| b.state == State::Active && b.ends > sim.now);
    assert_eq!(active.len() + waiting.len(), 100, "{waiting:?}");
    let stos = sim
        .engine(P)
        .relationship()
        .expect("a peer")
        .machine()
        .my_stos();
    for b in &waiting {
        let free_at = rules::reclaim_in_partner_down(stos, b.tsfp, 60);
        assert!(
            of_secondary.contains(&b.addr) && b.state == State::Expired && free_at > sim.now,
            "{b:?} waits for nothing"
        );
    }
    // The secondary comes back from its file: recover, then normal, and it knows every
    // lease the primary granted meanwhile.
    sim.start(S);
    sim.connect();
    sim.advance(120);
    assert_eq!(sim.state(P), FailoverState::Normal, "{}", sim.log(P));
    assert_eq!(sim.state(S), FailoverState::Normal, "{}", sim.log(S));
    let s = sim.log(S);
    assert!(s.contains("I move from startup to recover"), "{s}");
    assert!(s.contains("I move from recover-done to normal"), "{s}");
    assert!(sim.log(P).contains("I move from partner-down to normal"));
    for (ip, m, ends) in sim.acks.clone() {
        if ends > sim.now {
            let b = sim
                .engine(S)
                .leases()
                .get(ip)
                .cloned()
                .expect("known to the secondary");
            assert_eq!(b.hw.as_ref().map(|(_, a)| a.as_slice()), Some(&m[..]));
        }
    }
    sim.check_no_double_binding();
}

#[test]
fn both_in_partner_down_resolve_the_conflict() {
    let mut sim = Sim::new(&model(99, 128));
    for n in 0..6 {
        sim.client(mac(n)).expect("a lease");
    }
    sim.cut();
    for i in [P, S] {
        assert_eq!(sim.state(i), FailoverState::CommunicationsInterrupted);
        let now = sim.now;
        let steps = sim.nodes[i]
            .engine
            .as_mut()
            .unwrap()
            .partner_down(now)
            .expect("accepted");
        sim.apply(i, steps);
    }
    sim.advance(61);
    // Each serves the clients it can reach while apart.
    for n in 20..23 {
        assert_eq!(sim.client_of(&[P], mac(n)).map(|c| c.0), Some(P));
        assert_eq!(sim.client_of(&[S], mac(n + 10)).map(|c| c.0), Some(S));
    }
    sim.heal();
    sim.advance(10);
    let (p, s) = (sim.log(P), sim.log(S));
    assert!(
        p.contains("I move from partner-down to potential-conflict"),
        "{p}"
    );
    assert!(
        p.contains("I move from potential-conflict to conflict-done"),
        "{p}"
    );
    assert!(
        s.contains("I move from potential-conflict to normal"),
        "{s}"
    );
    assert_eq!(sim.state(P), FailoverState::Normal, "{p}");
    assert_eq!(sim.state(S), FailoverState::Normal, "{s}");
    sim.check_no_double_binding();
    // Both know every lease.
    for (ip, m, ends) in sim.acks.clone() {
        if ends > sim.now {
            for i in [P, S] {
                let b = sim.engine(i).leases().get(ip).cloned().expect("known");
                assert_eq!(
                    b.hw.as_ref().map(|(_, a)| a.as_slice()),
                    Some(&m[..]),
                    "peer {i}"
                );
            }
        }
    }
}

#[test]
fn a_short_secondary_asks_with_poolreq_and_the_primary_answers() {
    // The secondary balances often and panics early; the primary's own balance waits.
    let mut sim = Sim::with(&model(99, 128), |role, c| {
        c.max_lease_misbalance = 1;
        (c.min_balance, c.max_balance) = match role {
            Role::Primary => (3600, 3600),
            Role::Secondary => (1, 5),
        };
    });
    assert_eq!(counts(&sim, S), (50, 50));
    let mut served = 0;
    for n in 0..400 {
        let m = mac(n);
        if owner(m, 128) == S {
            assert_eq!(sim.client(m).map(|c| c.0), Some(S));
            served += 1;
            if served == 10 {
                break;
            }
        }
    }
    assert_eq!(counts(&sim, S), (50, 40));
    sim.advance(12);
    let (p, s) = (sim.log(P), sim.log(S));
    assert!(s.contains("(requesting peer rebalance!)"), "{s}");
    assert!(s.contains("pool response: 5 leases"), "{s}");
    assert!(!p.contains("answering negatively"), "{p}");
    assert_eq!(counts(&sim, S), (45, 45), "both agree again");
    assert_eq!(counts(&sim, P), (45, 45));
}

#[test]
fn auto_partner_down_moves_on_by_itself() {
    let yaml = model(99, 128).replace("  split: 128\n", "  split: 128\n  auto-partner-down: 30\n");
    let mut sim = Sim::new(&yaml);
    sim.kill(S);
    assert_eq!(sim.state(P), FailoverState::CommunicationsInterrupted);
    sim.advance(29);
    assert_eq!(sim.state(P), FailoverState::CommunicationsInterrupted);
    sim.advance(2);
    assert_eq!(sim.state(P), FailoverState::PartnerDown, "{}", sim.log(P));
}

#[test]
fn a_peer_restarted_on_a_stale_file_does_not_expire_a_running_lease() {
    let mut sim = Sim::new(&model(99, 256));
    let m = mac(3);
    let (_, ip, _) = sim.client(m).expect("a lease from the primary");
    sim.advance(30);
    assert_eq!(sim.renew(P, m, ip), Some(600));
    sim.kill(S);
    // The client renews with the primary while the secondary is down; the secondary's file
    // still has the lease ending 600 s after the first renewal.
    let stale_end = sim.nodes[S].file.get(&ip).unwrap().ends;
    sim.advance(500);
    assert!(sim.renew(P, m, ip).is_some());
    let end = sim.engine(P).leases().get(ip).unwrap().ends;
    assert!(end > stale_end);
    sim.advance(stale_end - sim.now + 5);
    // Restarted past its file's end: in STARTUP it must not expire the lease (ISC would,
    // and send the stale EXPIRED to the primary).
    sim.start(S);
    sim.advance(2);
    assert_eq!(sim.engine(S).leases().get(ip).unwrap().state, State::Active);
    sim.advance(20);
    for i in [P, S] {
        let b = sim.engine(i).leases().get(ip).cloned().unwrap();
        assert_eq!(
            (b.state, b.ends),
            (State::Active, end),
            "peer {i}\n{}",
            sim.log(i)
        );
    }
    assert!(!sim.log(P).contains("rejected") && !sim.log(S).contains("rejected"));
    sim.check_no_double_binding();
}

/// A client's RELEASE to peer `i` (unicast, ciaddr).
fn release(sim: &mut Sim, i: usize, mac: [u8; 6], ip: Ipv4Addr) {
    let mut m = dhcp_msg(MessageType::Release, mac);
    m.set_ciaddr(ip);
    m.opts_mut().insert(DhcpOption::ServerIdentifier(ADDRS[i]));
    assert!(sim.dhcp(i, &m).is_none());
}

/// Two clients of `peer`'s bucket, each with a lease from it.
fn two_clients_of(sim: &mut Sim, peer: usize) -> [([u8; 6], Ipv4Addr); 2] {
    let mut got = (0..100)
        .map(mac)
        .filter(|m| owner(*m, 128) == peer)
        .map(|m| {
            let (server, ip, _) = sim.client(m).expect("a lease");
            assert_eq!(server, peer);
            (m, ip)
        });
    let first = got.next().expect("a client");
    [first, got.next().expect("a second client")]
}

/// Both peers hold `ip` active for `mac` until `ends`.
fn assert_held(sim: &Sim, ip: Ipv4Addr, mac: [u8; 6], ends: u64) {
    for i in [P, S] {
        let b = sim.engine(i).leases().get(ip).cloned().expect("known");
        assert_eq!(
            (b.state, b.hw.as_ref().map(|(_, a)| a.clone()), b.ends),
            (State::Active, Some(mac.to_vec()), ends),
            "peer {i} lost the lease the client was given\n{}",
            sim.log(i)
        );
    }
}

/// Cut off from each other, the secondary takes a client's RELEASE and the primary gives
/// the client its address back a second later. Back in touch, each sends what it changed,
/// one update at a time: the primary's ACK waits in its queue while the secondary's older
/// RELEASE arrives. The queued ACK must win the duel as if it were in flight (ISC only
/// compares with an update in flight): taken as it came, the RELEASE freed the lease on
/// both peers, and the queued update then sent the freed binding.
#[test]
fn a_queued_ack_is_not_overwritten_by_the_partners_older_release() {
    let mut sim = Sim::with(&model(99, 128), |_, c| c.max_unacked_updates = 1);
    // `first`'s update, queued ahead, takes the primary's window of one after the heal.
    let [(first, first_ip), (client, ip)] = two_clients_of(&mut sim, S);
    sim.cut();
    assert_eq!(sim.client_of(&[P], first).map(|c| c.1), Some(first_ip));
    release(&mut sim, S, client, ip);
    sim.advance(1);
    let (server, again, _) = sim.client_of(&[P], client).expect("its address back");
    assert_eq!((server, again), (P, ip));
    let ends = sim.engine(P).leases().get(ip).unwrap().ends;
    sim.heal();
    sim.advance(5);
    assert_eq!(sim.state(P), FailoverState::Normal, "{}", sim.log(P));
    assert_held(&sim, ip, client, ends);
    sim.check_no_double_binding();
}

/// The same race the other way round: the primary takes the RELEASE, the secondary gives
/// the address back, and the primary's older RELEASE reaches the secondary while its ACK
/// waits in its queue. ISC's duel lets the primary's update win whatever the times; the
/// client's later ACK must win (its transaction is the newer one).
#[test]
fn the_secondarys_newer_ack_beats_the_primarys_older_release() {
    let mut sim = Sim::with(&model(99, 128), |_, c| c.max_unacked_updates = 1);
    let [(first, first_ip), (client, ip)] = two_clients_of(&mut sim, P);
    sim.cut();
    assert_eq!(sim.client_of(&[S], first).map(|c| c.1), Some(first_ip));
    release(&mut sim, P, client, ip);
    sim.advance(1);
    let (server, again, _) = sim.client_of(&[S], client).expect("its address back");
    assert_eq!((server, again), (S, ip));
    let ends = sim.engine(S).leases().get(ip).unwrap().ends;
    sim.heal();
    sim.advance(5);
    assert_eq!(sim.state(S), FailoverState::Normal, "{}", sim.log(S));
    assert_held(&sim, ip, client, ends);
    sim.check_no_double_binding();
}

/// Chaos seed 1796403444 (ISC 4.4.3 primary, dhcpfo secondary, fault `failover-partition
/// secondary`): cut off from each other, the secondary takes a client's RELEASE and the
/// primary gives the client its address back a second later. Back in touch, the ISC
/// primary's ACK waited in its queue behind a full window while the secondary's RELEASED
/// went out at once; ISC took it (it duels only updates in flight), moved the lease to
/// BACKUP and answered the client's renewals with "lease owned by peer": 4 leases lost.
/// The secondary holds an update that ends a lease, as it holds an expiry, until the
/// partner's backlog is in; the ISC primary's ACK then arrives first and wins.
#[test]
fn after_a_partition_the_isc_primarys_queued_ack_beats_the_secondarys_older_release() {
    let mut sim = Sim::new(&model(99, 128));
    let [_, (client, ip)] = two_clients_of(&mut sim, S);
    sim.cut();
    sim.advance(1);
    release(&mut sim, S, client, ip);
    sim.advance(1);
    let (server, again, _) = sim.client_of(&[P], client).expect("its address back");
    assert_eq!((server, again), (P, ip));
    let ends = sim.engine(P).leases().get(ip).unwrap().ends;
    sim.isc_primary.insert(ip);
    let n = sim.sent.len();
    sim.heal();
    sim.advance(5);
    assert_eq!(sim.state(S), FailoverState::Normal, "{}", sim.log(S));
    assert!(
        sim.isc_primary_took.is_empty(),
        "the ISC primary took {:?} over its queued ACK\n{}",
        sim.isc_primary_took,
        sim.log(S)
    );
    assert!(sim.isc_primary_sent.contains(&ip), "its ACK went out");
    assert_held(&sim, ip, client, ends);
    // The held RELEASED lost the duel and was dropped: nothing of it, and no echo of the
    // primary's ACK with the secondary's older times, goes back.
    let sent_back: Vec<_> = sim.sent[n..]
        .iter()
        .filter(|(i, m)| *i == S && m.kind == FoType::BndUpd && m.assigned_ip == Some(ip))
        .map(|(_, m)| (m.binding_status, m.cltt))
        .collect();
    assert_eq!(sent_back, [], "{}", sim.log(S));
    let cltt = |i: usize| sim.engine(i).leases().get(ip).and_then(|b| b.cltt);
    assert_eq!(cltt(S), cltt(P), "the secondary took the ACK's client time");
    sim.check_no_double_binding();
}

/// Chaos seed 1796225011 (at 711c6a2, two dhcpfo peers, window 28: `auto-partner-down` of
/// the secondary, back after 40 s, before the 45 s of auto-partner-down ran out): 10.60.8.6
/// was ACKed for 40 s by the primary, and both files then held it as BACKUP for the same
/// client with an end 8 s after that ACK, while the client still held it. The run's
/// artifacts are gone; this is the interleaving that fits those files (the same end on
/// both peers, the end of an earlier lease of the client), with the sim's own lease times
/// (the ends differ from the run's): the secondary renews the client
/// and is killed before its BNDUPD leaves; the client rebinds with the primary, which
/// renews it for longer; the secondary restarts from its file, both go back to NORMAL and
/// each sends what the other has not seen. The secondary's older renewal reached the
/// primary while the primary's newer one waited in its queue; at 711c6a2 only an update in
/// flight duelled, so the primary took the older end, expired the lease when it passed and
/// moved it to BACKUP by MAC affinity. Fixed since by 9d983c1 (a queued update duels too,
/// and the newer client time wins); this test fails with that one line reverted.
#[test]
fn a_killed_secondarys_unsent_renewal_does_not_shorten_the_primarys_newer_one() {
    let yaml = model(99, 128).replace("  split: 128\n", "  split: 128\n  auto-partner-down: 45\n");
    let mut sim = Sim::with(&yaml, |_, c| c.max_unacked_updates = 1);
    let [(first, first_ip), (client, ip)] = two_clients_of(&mut sim, S);
    sim.advance(5);
    for (m, a) in [(first, first_ip), (client, ip)] {
        assert_eq!(sim.renew(S, m, a), Some(600));
    }
    sim.advance(200);
    // The secondary renews the client and dies with the BNDUPD unsent. The sim cannot kill
    // a peer between its ACK and the BNDUPD, so the link is cut first (the renewal is made
    // in COMMUNICATIONS-INTERRUPTED) and the NORMAL stanza the file held before the cut is
    // put back, as a kill right after the ACK leaves it.
    let normal = sim.nodes[S].stanza.clone();
    sim.cut();
    assert!(sim.renew(S, client, ip).is_some(), "{}", sim.log(S));
    let stale_end = sim.nodes[S].file.get(&ip).unwrap().ends;
    sim.nodes[S].stanza = normal;
    sim.kill(S);
    sim.heal();
    sim.advance(10);
    assert_eq!(
        sim.state(P),
        FailoverState::CommunicationsInterrupted,
        "{}",
        sim.log(P)
    );
    // Both clients rebind with the primary; `first`'s update takes its window of one, so
    // the client's waits in the queue.
    assert!(sim.renew(P, first, first_ip).is_some(), "{}", sim.log(P));
    assert!(sim.renew(P, client, ip).is_some(), "{}", sim.log(P));
    let ends = sim.engine(P).leases().get(ip).unwrap().ends;
    assert!(ends > stale_end, "the primary's renewal ends later");
    // Back within the 45 s of auto-partner-down.
    sim.advance(25);
    sim.start(S);
    sim.advance(10);
    assert_eq!(sim.state(P), FailoverState::Normal, "{}", sim.log(P));
    assert_held(&sim, ip, client, ends);
    // Past the secondary's stale end, the lease still runs on both peers.
    assert!(stale_end > sim.now, "the stale end is still ahead");
    sim.advance(stale_end + 5 - sim.now);
    assert_held(&sim, ip, client, ends);
    sim.check_no_double_binding();
}
/// Chaos seed 1796225011 (dhcpfo primary, ISC 4.4.3 secondary, leases of 40-60 s, MCLT
/// 20 s): cut off from the primary, the secondary renews a client of the primary's lease.
/// The primary's end passes meanwhile; back in touch, its EXPIRED reaches ISC before ISC's
/// own update of the lease, and ISC takes it (its end is within 65 s). ISC's update then
/// says ACTIVE for the client, with the primary's past end but its own later potential
/// expiration. The primary took that end, expired the lease again at once, and gave the
/// address to another client while the first still held it from the secondary.
#[test]
fn an_active_binding_the_partner_sends_with_a_past_end_is_kept_to_its_potential_expiry() {
    let mut sim = Sim::new(&model(3, 128));
    let client = client_of(P);
    let (server, ip, secs) = sim.client(client).expect("a lease");
    assert_eq!((server, secs), (P, 60));
    sim.advance(1);
    sim.cut();
    sim.advance(29);
    let renewed = sim.renew(S, client, ip).expect("renewed by the secondary");
    let held_until = sim.now + u64::from(renewed);
    sim.advance(40);
    let b = sim.engine(P).leases().get(ip).cloned().expect("known");
    assert_eq!(
        b.state,
        State::Expired,
        "expired on the primary while cut off"
    );
    sim.isc.insert(ip);
    sim.isc_ignores_updreq = true;
    sim.heal();
    // (This ISC sends its queued update only once it took the expiry, which the primary
    // sends once its wait for the partner's backlog is over.)
    sim.advance(dhcpfo::serve::failover::peer::EXPIRY_WAIT_FOR_PARTNER_MAX + 5);
    assert_eq!(sim.state(P), FailoverState::Normal, "{}", sim.log(P));
    assert!(
        sim.isc_took_expiry.contains_key(&ip) && sim.isc_sent.contains(&ip),
        "the ISC secondary took the expiry"
    );
    let b = sim.engine(P).leases().get(ip).cloned().expect("known");
    assert_eq!(
        (b.state, b.hw.as_ref().map(|(_, a)| a.clone())),
        (State::Active, Some(client.to_vec())),
        "the primary freed a lease its client holds until {held_until}\n{}",
        sim.log(P)
    );
    assert!(b.ends >= held_until, "{b:?} ends before {held_until}");
    // Other clients of the primary do not get the address.
    for m in (100..200).map(mac).filter(|m| owner(*m, 128) == P).take(3) {
        if let Some((_, got, _)) = sim.client_of(&[P], m) {
            assert_ne!(got, ip);
        }
    }
    sim.check_no_double_binding();
}

/// Chaos seed 1796225011 (dhcpfo primary, ISC 4.4.3 secondary, leases of 40-60 s, MCLT
/// 20 s): the primary is stopped, and the secondary, in communications-interrupted, renews a
/// client of the primary's lease and queues its update. The primary restarts from its file,
/// where the lease ended while it was down, and goes from STARTUP to NORMAL at once (the
/// partner is in communications-interrupted). It expired the lease then and sent EXPIRED in
/// the same instant ISC sent its queued update; ISC took the expiry (its end was within
/// 65 s) and freed a lease its client held, and its update then carried the primary's stale
/// end. The primary now expires no lease in the moments after the link comes up
/// (`EXPIRY_GRACE_AFTER_LINK_UP`): ISC's renewal arrives first and replaces the ended lease.
#[test]
fn a_restarted_primary_lets_the_isc_secondarys_queued_renewal_win_over_its_stale_expiry() {
    let mut sim = Sim::new(&model(3, 128));
    let client = client_of(P);
    let (server, ip, secs) = sim.client(client).expect("a lease");
    assert_eq!((server, secs), (P, 60));
    sim.advance(1);
    sim.kill(P);
    assert_eq!(sim.state(S), FailoverState::CommunicationsInterrupted);
    sim.advance(29);
    let renewed = sim.renew(S, client, ip).expect("renewed by the secondary");
    let held_until = sim.now + u64::from(renewed);
    sim.advance(40);
    let stale = sim.nodes[P].file.get(&ip).cloned().expect("in the file");
    assert!(
        stale.state == State::Active && stale.ends < sim.now,
        "the primary's file has the lease ended: {stale:?}"
    );
    sim.isc.insert(ip);
    sim.isc_sends_queued = true;
    sim.start(P);
    sim.connect();
    assert_eq!(sim.state(P), FailoverState::Normal, "{}", sim.log(P));
    sim.advance(5);
    assert!(
        !sim.isc_took_expiry.contains_key(&ip),
        "the ISC secondary took the primary's stale expiry of a lease its client holds until \
         {held_until}\n{}",
        sim.log(P)
    );
    assert!(
        sim.isc_sent.contains(&ip),
        "the secondary's renewal was sent"
    );
    let b = sim.engine(P).leases().get(ip).cloned().expect("known");
    assert_eq!(
        (b.state, b.hw.as_ref().map(|(_, a)| a.clone()), b.ends),
        (State::Active, Some(client.to_vec()), held_until),
        "the primary lost the lease the secondary renewed\n{}",
        sim.log(P)
    );
    sim.advance(held_until - sim.now - 1);
    let b = sim.engine(P).leases().get(ip).cloned().expect("known");
    assert_eq!(b.state, State::Active, "{b:?}");
    assert!(!sim.isc_took_expiry.contains_key(&ip));
    sim.check_no_double_binding();
}

/// The same race after an isolation: both peers in communications-interrupted, the primary
/// expires the lease the ISC secondary renewed meanwhile and queues its EXPIRED; back in
/// touch, that EXPIRED waits until the secondary's queued renewal has arrived.
#[test]
fn after_an_isolation_the_isc_secondarys_queued_renewal_wins_over_the_primarys_expiry() {
    let mut sim = Sim::new(&model(3, 128));
    let client = client_of(P);
    let (_, ip, _) = sim.client(client).expect("a lease");
    sim.advance(1);
    sim.cut();
    sim.advance(29);
    let renewed = sim.renew(S, client, ip).expect("renewed by the secondary");
    let held_until = sim.now + u64::from(renewed);
    sim.advance(40);
    let b = sim.engine(P).leases().get(ip).cloned().expect("known");
    assert_eq!(
        b.state,
        State::Expired,
        "expired on the primary while cut off"
    );
    sim.isc.insert(ip);
    sim.isc_sends_queued = true;
    sim.heal();
    sim.advance(5);
    assert_eq!(sim.state(P), FailoverState::Normal, "{}", sim.log(P));
    assert!(
        !sim.isc_took_expiry.contains_key(&ip) && sim.isc_sent.contains(&ip),
        "the ISC secondary took the primary's expiry\n{}",
        sim.log(P)
    );
    let b = sim.engine(P).leases().get(ip).cloned().expect("known");
    assert_eq!(
        (b.state, b.hw.as_ref().map(|(_, a)| a.clone()), b.ends),
        (State::Active, Some(client.to_vec()), held_until),
        "{}",
        sim.log(P)
    );
    sim.check_no_double_binding();
}

/// Chaos seed 1796225011 again, with the ISC secondary's renewal still queued 10 s after the
/// link came back (a fixed wait let the primary's EXPIRED go first, ISC took it, and the
/// primary gave the address to another client in partner-down): back in NORMAL, the
/// primary asks for the partner's backlog (UPDREQ) and sends no EXPIRED until its UPDDONE.
#[test]
fn after_an_isolation_the_primary_waits_for_the_isc_secondarys_backlog_however_late() {
    let mut sim = Sim::new(&model(3, 128));
    let client = client_of(P);
    let (_, ip, _) = sim.client(client).expect("a lease");
    sim.advance(1);
    sim.cut();
    sim.advance(29);
    let renewed = sim.renew(S, client, ip).expect("renewed by the secondary");
    let held_until = sim.now + u64::from(renewed);
    sim.advance(40);
    assert_eq!(
        sim.engine(P).leases().get(ip).map(|b| b.state),
        Some(State::Expired)
    );
    // This ISC sends its queued renewal only when asked (UPDREQ).
    sim.isc.insert(ip);
    sim.heal();
    sim.advance(dhcpfo::serve::failover::peer::EXPIRY_GRACE_AFTER_LINK_UP + 5);
    assert_eq!(sim.state(P), FailoverState::Normal, "{}", sim.log(P));
    assert!(
        sim.log(P).contains("Sent update request message to sim"),
        "{}",
        sim.log(P)
    );
    let trace: Vec<String> = sim
        .sent
        .iter()
        .rev()
        .take(30)
        .map(|(i, m)| {
            format!(
                "{i} {:?} {:?} {:?}",
                m.kind, m.assigned_ip, m.binding_status
            )
        })
        .collect();
    assert!(
        !sim.isc_took_expiry.contains_key(&ip) && sim.isc_sent.contains(&ip),
        "the ISC secondary took the primary's expiry\n{}\n{trace:#?}",
        sim.log(P)
    );
    let b = sim.engine(P).leases().get(ip).cloned().expect("known");
    assert_eq!(
        (b.state, b.hw.as_ref().map(|(_, a)| a.clone()), b.ends),
        (State::Active, Some(client.to_vec()), held_until),
        "{}",
        sim.log(P)
    );
    sim.check_no_double_binding();
}

/// The same, with the ISC secondary's answer to the UPDREQ (its queue, then UPDDONE) 25 s
/// late: no EXPIRED leaves the primary before it, however long past the first 10 s.
#[test]
fn after_an_isolation_the_primary_waits_for_a_late_updone() {
    let mut sim = Sim::new(&model(3, 128));
    let client = client_of(P);
    let (_, ip, _) = sim.client(client).expect("a lease");
    sim.advance(1);
    sim.cut();
    sim.advance(29);
    let renewed = sim.renew(S, client, ip).expect("renewed by the secondary");
    let held_until = sim.now + u64::from(renewed);
    sim.advance(40);
    sim.isc.insert(ip);
    sim.isc_updreq_delay = 25;
    sim.heal();
    sim.advance(20);
    assert_eq!(sim.state(P), FailoverState::Normal, "{}", sim.log(P));
    assert!(
        !sim.isc_updreq_later.is_empty() && !sim.isc_took_expiry.contains_key(&ip),
        "the primary's EXPIRED left before the answer\n{}",
        sim.log(P)
    );
    assert_eq!(
        sim.engine(P).leases().get(ip).map(|b| b.state),
        Some(State::Expired),
        "still waiting"
    );
    sim.advance(10);
    assert!(sim.isc_updreq_later.is_empty(), "answered");
    assert!(
        !sim.isc_took_expiry.contains_key(&ip) && sim.isc_sent.contains(&ip),
        "{}",
        sim.log(P)
    );
    let b = sim.engine(P).leases().get(ip).cloned().expect("known");
    assert_eq!(
        (b.state, b.hw.as_ref().map(|(_, a)| a.clone()), b.ends),
        (State::Active, Some(client.to_vec()), held_until),
        "{}",
        sim.log(P)
    );
    sim.check_no_double_binding();
}

/// Cut off from the primary, the secondary renews a client of the primary's lease (for up
/// to MCLT past the potential expiration the primary acknowledged), then dies; the primary,
/// which expired the lease meanwhile, is put in partner-down. MCLT after partner-down, it
/// must still not give the address to another client: the secondary's renewal runs until
/// later. (ISC sets such a lease's tsfp to STOS + MCLT on entering partner-down.)
#[test]
fn in_partner_down_an_expired_lease_waits_for_what_the_partner_may_have_renewed() {
    let mut sim = Sim::new(&model(3, 128));
    let client = client_of(P);
    let (_, ip, _) = sim.client(client).expect("a lease");
    sim.advance(1);
    sim.cut();
    sim.advance(29);
    let renewed = sim.renew(S, client, ip).expect("renewed by the secondary");
    let held_until = sim.now + u64::from(renewed);
    sim.advance(40);
    assert_eq!(
        sim.engine(P).leases().get(ip).map(|b| b.state),
        Some(State::Expired)
    );
    sim.kill(S);
    let steps = {
        let now = sim.now;
        sim.nodes[P]
            .engine
            .as_mut()
            .unwrap()
            .partner_down(now)
            .expect("accepted")
    };
    sim.apply(P, steps);
    assert_eq!(sim.state(P), FailoverState::PartnerDown);
    sim.advance(61);
    assert!(sim.now < held_until, "the renewal still runs");
    for m in (100..300).map(mac) {
        if let Some((_, got, _)) = sim.client_of(&[P], m) {
            assert_ne!(
                got, ip,
                "given at {} while the secondary's client holds it until {held_until}",
                sim.now
            );
        }
    }
    let stos = sim
        .engine(P)
        .relationship()
        .expect("a peer")
        .machine()
        .my_stos();
    let b = sim.engine(P).leases().get(ip).cloned().expect("known");
    assert!(
        rules::reclaim_in_partner_down(stos, b.tsfp, 60) >= held_until,
        "freed no earlier than the renewal's end: {b:?}"
    );
    sim.check_no_double_binding();
}

#[test]
fn status_reads_a_dhcpfo_peers_lease_file_like_an_isc_one() {
    use dhcpfo::serve::journal::{format_binding, format_failover, header};
    let sim = Sim::new(&model(99, 128));
    for i in [P, S] {
        let node = &sim.nodes[i];
        let mut text = header();
        text.push_str(&format_failover(node.stanza.as_ref().expect("recorded")));
        for b in node.file.values() {
            text.push_str(&format_binding(b));
        }
        let summary = dhcpfo::remote::status::summarize(text.as_bytes()).expect("readable");
        let fo = &summary.failover[0];
        assert_eq!(fo.name, "sim");
        assert_eq!(
            (fo.my_state.as_str(), fo.partner_state.as_str()),
            ("normal", "normal")
        );
        assert_eq!(fo.mclt, if i == S { Some(60) } else { None });
    }
}

mod random {
    use proptest::prelude::*;

    use super::*;
    use dhcpfo::serve::failover::wire::{
        BindingUpdate, Chaddr, Coded, Message as FoMessage, MessageType, RejectReason,
    };

    fn any_update() -> impl Strategy<Value = FoMessage> {
        (
            0u8..100,
            0u8..9,
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..24)),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..8)),
            any::<u32>(),
            any::<u32>(),
            any::<u16>(),
            0u8..6,
            any::<u32>(),
            proptest::option::of(0u8..30),
        )
            .prop_map(
                |(last, status, chaddr, uid, ends, tstp, flags, kind, xid, reason)| {
                    let ip = Ipv4Addr::new(10, 0, 1, last);
                    let state = Coded::from_code(status);
                    let msg = match kind {
                        0 | 1 => {
                            let mut m = FoMessage::bndupd(&BindingUpdate {
                                ip,
                                status: state.known().unwrap_or(State::Free),
                                client_id: uid,
                                chaddr: chaddr.map(Chaddr::from_wire),
                                ends,
                                tstp,
                                starts: ends / 2,
                                cltt: tstp / 3,
                                ip_flags: flags,
                            });
                            m.binding_status = Some(state);
                            m
                        }
                        2 => {
                            FoMessage::bndack(ip, reason.map(|r| (RejectReason::from_code(r), "x")))
                        }
                        3 => FoMessage::updreqall(),
                        4 => FoMessage::poolreq(),
                        _ => FoMessage::new(MessageType::UpdReq),
                    };
                    msg.at(START as u32, xid)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Random binding updates, acks and requests from the partner into a dhcpfo engine:
        /// no panic, every reply encodes, and the pair still serves afterwards.
        #[test]
        fn random_updates_never_break_an_engine(msgs in proptest::collection::vec(any_update(), 1..60)) {
            let mut sim = Sim::new(&model(99, 128));
            let conn = *sim.nodes[S].conns.iter().next().expect("linked");
            for m in msgs {
                let bytes = encode(&m).expect("encodes");
                sim.wire.push_back((S, conn, bytes));
                sim.settle();
            }
            sim.advance(5);
            sim.check_no_double_binding();
        }
    }
}

/// The first of the MACs `mac(0..100)` whose hash bucket (split 128) is peer `i`'s.
fn client_of(i: usize) -> [u8; 6] {
    (0..100)
        .map(mac)
        .find(|m| owner(*m, 128) == i)
        .expect("a client of each peer")
}

/// Peer `i` no longer holds `ip` active (its lease has ended there).
fn assert_ended(sim: &Sim, i: usize, ip: Ipv4Addr) {
    let b = sim.engine(i).leases().get(ip).cloned().expect("known");
    assert_ne!(b.state, State::Active, "still active after its end: {b:?}");
}

/// The client `mac` holds `ip` on both peers (ACTIVE, for it).
fn assert_bound_on_both(sim: &Sim, ip: Ipv4Addr, mac: [u8; 6], when: &str) {
    for i in [P, S] {
        let b = sim.engine(i).leases().get(ip).cloned().expect("known");
        assert_eq!(
            (b.state, b.hw.as_ref().map(|(_, a)| a.clone())),
            (State::Active, Some(mac.to_vec())),
            "{when}: peer {i} no longer holds the lease\n{}",
            sim.log(i)
        );
    }
}

/// Chaos seed 1796399247 (two dhcpfo peers, leases of 40-60 s, MCLT 20 s): the primary's
/// wall clock was stepped 50 s ahead. It expired leases the secondary had granted 50 s
/// early by their clients' clocks, the secondary took the expiries (ISC's rule: within
/// 65 s of its own end), the primary handed the addresses back as BACKUP (their clients
/// hash to the secondary), and the secondary gave two of them to other clients while
/// their first clients still held them. Now the stepped primary sees its partner 50 s
/// behind and waits that much longer, and the secondary refuses an expiry before its end.
#[test]
fn a_primary_whose_clock_jumps_ahead_expires_no_running_lease_early() {
    let mut sim = Sim::new(&model(3, 128));
    let clients: Vec<[u8; 6]> = (0..100).map(mac).filter(|m| owner(*m, 128) == S).collect();
    let (server, ip, secs) = sim.client(clients[0]).expect("a lease");
    assert_eq!((server, secs), (S, 60));
    let ends = sim.now + u64::from(secs);
    sim.advance(2);
    sim.step_clock(P, 50);
    // 30 s on: past the lease's end by the primary's clock, 28 s before it by the client's.
    sim.advance(30);
    assert_bound_on_both(&sim, ip, clients[0], "28 s before the end");
    // Other clients of the secondary do not get the address.
    for m in &clients[1..4] {
        if let Some((_, got, _)) = sim.client(*m) {
            assert_ne!(got, ip, "given to a second client");
        }
    }
    sim.check_no_double_binding();
    // Once the lease has ended by the client's clock, the primary expires it.
    sim.advance(ends + 3 - sim.now);
    assert_ended(&sim, P, ip);
    assert!(!sim.log(P).contains("rejected"), "{}", sim.log(P));
}

/// The secondary's clock stepped 50 s ahead while the link is down: in
/// communications-interrupted it expires leases by itself, and one the primary granted
/// ends 50 s early by the secondary's clock. It waits out the lag it last saw.
#[test]
fn a_secondary_ahead_of_the_primary_expires_its_leases_on_time_when_cut_off() {
    let mut sim = Sim::new(&model(3, 128));
    let client = client_of(P);
    let (server, ip, secs) = sim.client(client).expect("a lease");
    assert_eq!((server, secs), (P, 60));
    let ends = sim.now + u64::from(secs);
    sim.advance(2);
    sim.step_clock(S, 50);
    sim.cut();
    assert_eq!(
        sim.state(S),
        FailoverState::CommunicationsInterrupted,
        "{}",
        sim.log(S)
    );
    sim.advance(30);
    let b = sim.engine(S).leases().get(ip).cloned().expect("known");
    assert_eq!(
        b.state,
        State::Active,
        "expired 28 s early: {b:?}\n{}",
        sim.log(S)
    );
    sim.advance(ends + 3 - sim.now);
    assert_ended(&sim, S, ip);
}

/// A primary 50 s behind grants a lease (its end in that clock), then its clock is put
/// right: the end is now 50 s early by its own clock. The lease is held by the step.
#[test]
fn a_primary_whose_clock_is_put_right_keeps_the_leases_it_granted_while_behind() {
    let mut sim = Sim::new(&model(3, 128));
    sim.step_clock(P, -50);
    sim.advance(5);
    let client = client_of(P);
    let (server, ip, secs) = sim.client(client).expect("a lease");
    assert_eq!((server, secs), (P, 60));
    let ends = sim.now + u64::from(secs);
    sim.advance(2);
    sim.step_clock(P, 50);
    // 20 s on: past the lease's end by the end the primary wrote, 38 s before it by the
    // client's clock.
    sim.advance(20);
    assert_bound_on_both(&sim, ip, client, "38 s before the end");
    sim.check_no_double_binding();
    sim.advance(ends + 3 - sim.now);
    assert_ended(&sim, P, ip);
}
