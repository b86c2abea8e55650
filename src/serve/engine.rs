//! The DHCP engine: a pure state machine. A request goes in with the interface it came from;
//! a reply, its destination, the binding events to make durable before the reply leaves, and
//! dhcpd-style log lines come out. No socket, no clock, no file: easy to test.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use dhcproto::v4::MessageType;

use super::alloc::{Allocator, Slot};
use super::bindings::{Binding, BindingEvent, ClientKey, LeaseIndex, State};
use super::config::{Params, ServeConfig};
use super::failover::peer::{Clocks, Relationship, Step};
use super::journal::Snapshot;
use super::packet::{self, Reply, Request};
use super::ratelimit::RateLimit;

/// How long an offered address is held for the client (seconds).
pub const OFFER_HOLD: u64 = 60;

/// Where a reply goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    /// To the relay agent at giaddr, port 67.
    Relay(Ipv4Addr),
    /// Limited broadcast on the interface, port 68.
    Broadcast,
    /// To the client's configured address (ciaddr), port 68.
    Unicast(Ipv4Addr),
    /// To yiaddr on the link, for a client that has no address yet: the sender adds an ARP
    /// entry for the hardware address (as dhcpd does).
    Hardware(Ipv4Addr, [u8; 6]),
}

/// A request as received.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// The decoded request.
    pub msg: &'a Request,
    /// Name of the interface it arrived on.
    pub iface: &'a str,
    /// IPv4 addresses of that interface.
    pub iface_addrs: &'a [Ipv4Addr],
}

/// What the engine decided.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The reply and where it goes.
    pub reply: Option<(Reply, Dest)>,
    /// Binding changes; the reply may leave only once they are on disk.
    pub events: Vec<BindingEvent>,
    /// Log lines in dhcpd's words (empty when logging is off).
    pub log: Vec<String>,
    /// The reply's own line (`DHCPOFFER on ...`, `DHCPACK on ...`, `DHCPNAK on ...`), to log
    /// once the reply has left, so that the log never shows a reply that was not sent.
    pub reply_line: Option<String>,
    /// What the failover relationship must do (BNDUPDs of the changes), in order.
    pub peer: Vec<Step>,
    quiet: bool,
}

impl Outcome {
    fn new(quiet: bool) -> Outcome {
        Outcome {
            quiet,
            ..Outcome::default()
        }
    }

    /// Adds a log line; the text is only built when lines are wanted.
    fn log(&mut self, line: impl FnOnce() -> String) {
        if !self.quiet {
            self.log.push(line());
        }
    }

    /// Sets the reply, with its log line.
    fn reply(&mut self, reply: Reply, dest: Dest, line: impl FnOnce() -> String) {
        if !self.quiet {
            self.reply_line = Some(line());
        }
        self.reply = Some((reply, dest));
    }
}

#[derive(Debug, Clone)]
struct Offer {
    client: ClientKey,
    until: u64,
    /// The slot to give the address back to if the offer is not taken.
    slot: Slot,
}

/// The engine: configuration, lease index, allocator and outstanding offers.
#[derive(Debug)]
pub struct Engine {
    cfg: Arc<ServeConfig>,
    leases: LeaseIndex,
    alloc: Allocator,
    offers: HashMap<Ipv4Addr, Offer>,
    offer_of: HashMap<ClientKey, Ipv4Addr>,
    /// The failover relationship of a peer.
    failover: Option<Relationship>,
    /// The partner's clock and our own clock's steps: how long a lease is held past its end.
    clocks: Clocks,
    /// Build no log lines (the log level hides them anyway).
    pub quiet: bool,
    /// `no free leases` lines, one per link per interval.
    no_free_log: RateLimit<usize>,
}

/// Seconds between two `no free leases` lines of one link (the next says how many were held
/// back).
const NO_FREE_LOG_INTERVAL: u64 = 10;

/// Where an address comes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    Pool(usize),
    Fixed,
}

impl Engine {
    /// An engine with no lease.
    pub fn new(cfg: Arc<ServeConfig>) -> Engine {
        Engine {
            alloc: Allocator::new(&cfg),
            cfg,
            leases: LeaseIndex::default(),
            offers: HashMap::new(),
            offer_of: HashMap::new(),
            failover: None,
            clocks: Clocks::default(),
            quiet: false,
            no_free_log: RateLimit::new(NO_FREE_LOG_INTERVAL, 1024),
        }
    }

    /// An engine for a new configuration that keeps every lease of this one and its
    /// failover relationship (which moves to the new engine).
    pub fn reconfigured(&mut self, cfg: Arc<ServeConfig>) -> Engine {
        let mut e = Engine::new(cfg);
        e.quiet = self.quiet;
        e.failover = self.failover.take();
        e.clocks = std::mem::take(&mut self.clocks);
        e.leases.reserve(self.leases.len());
        for b in self.leases.iter() {
            e.load(b.clone());
        }
        e
    }

    /// The configuration.
    pub fn config(&self) -> &ServeConfig {
        &self.cfg
    }

    /// The lease index.
    pub fn leases(&self) -> &LeaseIndex {
        &self.leases
    }

    /// What the lease file holds: every binding, and for a failover peer also a FREE record
    /// of each failover-pool address never used, as ISC writes every lease of its pools (so
    /// both peers' files list the same addresses, without a record in memory for each).
    pub fn file_records(&self) -> impl Iterator<Item = std::borrow::Cow<'_, Binding>> {
        let fresh = (0..self.cfg.pools.len())
            .filter(|p| self.cfg.is_failover_pool(*p))
            .flat_map(|p| self.alloc.addresses(p))
            .filter(|ip| self.leases.get(*ip).is_none())
            .map(|ip| std::borrow::Cow::Owned(Binding::empty(ip, State::Free)));
        self.leases
            .iter()
            .map(std::borrow::Cow::Borrowed)
            .chain(fresh)
    }

    /// What the lease file holds, owned, for a compaction off the engine loop: every binding
    /// (cloned, not formatted), and the failover pools' ranges, whose never-used addresses
    /// are written as FREE records (what [`Engine::file_records`] lists).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            bindings: self.leases.iter().cloned().collect(),
            free_ranges: (0..self.cfg.pools.len())
                .filter(|p| self.cfg.is_failover_pool(*p))
                .flat_map(|p| self.cfg.pools[p].ranges.iter().copied())
                .collect(),
        }
    }

    /// The allocator (for pool counts).
    pub fn allocator(&self) -> &Allocator {
        &self.alloc
    }

    /// Loads the bindings replayed from the journal, with room made for all of them first.
    pub fn load_all(&mut self, bindings: Vec<Binding>) {
        self.leases.reserve(bindings.len());
        for b in bindings {
            self.load(b);
        }
    }

    /// Loads a binding read from the journal (the last record of an address wins). A FREE
    /// record of a never-used address (no client, no times: what a fresh pool holds) needs
    /// no memory and is dropped, unless it replaces another record.
    pub fn load(&mut self, b: Binding) {
        let blank = |t: Option<u64>| t.is_none_or(|t| t == 0);
        if b.state == State::Free
            && b.hw.is_none()
            && b.uid.is_none()
            && b.ends == 0
            && blank(b.tstp)
            && blank(b.tsfp)
            && blank(b.atsfp)
            && self.leases.get(b.addr).is_none()
        {
            return;
        }
        self.alloc.set(b.addr, self.slot_for(b.addr, b.state));
        self.leases.load(b);
    }

    fn slot_for(&self, addr: Ipv4Addr, state: State) -> Slot {
        let failover = self
            .alloc
            .pool_of(addr)
            .is_some_and(|p| self.cfg.is_failover_pool(p));
        match state {
            State::Free if failover => Slot::Free,
            State::Backup if failover => Slot::Backup,
            // Without failover every free address is the server's own.
            State::Free | State::Backup => Slot::Free,
            _ => Slot::Busy,
        }
    }

    /// The state a lease returns to when freed without a partner: this server's own free
    /// state.
    fn free_state(&self, addr: Ipv4Addr) -> State {
        match self.alloc.pool_of(addr) {
            Some(p) if self.alloc.own_slot(&self.cfg, p) == Slot::Backup => State::Backup,
            _ => State::Free,
        }
    }

    /// Handles one request at time `now` (seconds since the epoch).
    pub fn handle(&mut self, inc: Incoming<'_>, now: u64) -> Outcome {
        let mut out = Outcome::new(self.quiet);
        match packet::msg_type(inc.msg) {
            Some(MessageType::Discover) => self.discover(inc, now, &mut out),
            Some(MessageType::Request) => self.request(inc, now, &mut out),
            Some(MessageType::Release) => self.release(inc, now, &mut out),
            Some(MessageType::Decline) => self.decline(inc, now, &mut out),
            Some(MessageType::Inform) => self.inform(inc, &mut out),
            _ => {}
        }
        self.flush_updates(now, &mut out);
        out
    }

    /// The subnet (hence link) the client is on: option 118, a relay's link selection
    /// (option 82 sub-option 5, RFC 3527), giaddr, the address a renewing client sends from
    /// (ciaddr: it unicasts to the server directly, also from behind a relay), or the
    /// interface.
    fn locate(&self, inc: Incoming<'_>) -> Option<usize> {
        if let Some(sel) = packet::subnet_selection(inc.msg) {
            return self.cfg.subnet_of(sel);
        }
        let gi = inc.msg.giaddr();
        if !gi.is_unspecified() {
            let link = inc.msg.relay_info().and_then(|r| r.link_selection());
            return self.cfg.subnet_of(link.unwrap_or(gi));
        }
        let ci = inc.msg.ciaddr();
        if !ci.is_unspecified()
            && let Some(s) = self.cfg.subnet_of(ci)
        {
            return Some(s);
        }
        inc.iface_addrs.iter().find_map(|a| self.cfg.subnet_of(*a))
    }

    fn link_of(&self, subnet: usize) -> usize {
        self.cfg.subnets[subnet].link
    }

    fn on_link(&self, ip: Ipv4Addr, link: usize) -> bool {
        self.cfg
            .subnet_of(ip)
            .is_some_and(|s| self.link_of(s) == link)
    }

    /// The server identifier a relay asks the server to use (option 82 sub-option 11,
    /// RFC 5107): the relay's own address, which it turns back into the server's.
    fn id_override(inc: Incoming<'_>) -> Option<Ipv4Addr> {
        if inc.msg.giaddr().is_unspecified() {
            return None;
        }
        inc.msg.relay_info().and_then(|r| r.server_id_override())
    }

    /// The server identifier: a relay's override, the peer address, or the interface
    /// address on the client's subnet, or the interface's first address.
    fn server_id(&self, inc: Incoming<'_>, subnet: Option<usize>) -> Ipv4Addr {
        if let Some(a) = Self::id_override(inc).or(self.cfg.peer_address) {
            return a;
        }
        let on_subnet = subnet.and_then(|s| {
            let cidr = self.cfg.subnets[s].cidr;
            inc.iface_addrs.iter().find(|a| cidr.contains(**a)).copied()
        });
        on_subnet
            .or_else(|| inc.iface_addrs.first().copied())
            .unwrap_or(Ipv4Addr::UNSPECIFIED)
    }

    /// Whether a server identifier is this server's: a relay's override (RFC 5107), the peer
    /// address, or an address of the interface the request came in on.
    fn is_our_id(&self, inc: Incoming<'_>, id: Ipv4Addr) -> bool {
        if Self::id_override(inc) == Some(id) {
            return true;
        }
        match self.cfg.peer_address {
            Some(a) => a == id,
            None => inc.iface_addrs.contains(&id),
        }
    }

    fn host(&self, msg: &Request) -> Option<usize> {
        packet::ethernet(msg).and_then(|mac| self.cfg.hosts_by_mac.get(&mac).copied())
    }

    fn fixed_on_link(&self, host: Option<usize>, link: usize) -> Option<Ipv4Addr> {
        let h = &self.cfg.hosts[host?];
        h.fixed.iter().copied().find(|ip| self.on_link(*ip, link))
    }

    /// Whether the client may use pool `p` on `link`.
    fn pool_ok(&self, p: usize, link: usize, known: bool) -> bool {
        let pool = &self.cfg.pools[p];
        self.link_of(pool.subnet) == link && pool.permits(known)
    }

    /// Parameters for an address: its pool's, or its subnet's; a host's on top.
    fn params(&self, ip: Ipv4Addr, src: Option<Source>, host: Option<usize>) -> Params {
        let mut p = match src {
            Some(Source::Pool(p)) => self.cfg.pools[p].params.clone(),
            _ => self
                .cfg
                .subnet_of(ip)
                .map(|s| self.cfg.subnets[s].params.clone())
                .unwrap_or_default(),
        };
        if let Some(h) = host {
            let host = &self.cfg.hosts[h];
            for (code, bytes) in &host.params.options {
                p.set_option(*code, bytes.clone());
            }
            let hp = &host.params;
            p.default_lease = hp.default_lease.or(p.default_lease);
            p.max_lease = hp.max_lease.or(p.max_lease);
            p.min_lease = hp.min_lease.or(p.min_lease);
            p.next_server = hp.next_server.or(p.next_server);
            p.filename = hp.filename.clone().or(p.filename);
            if self.cfg.use_host_decl_names && p.option(12).is_none() {
                p.set_option(12, host.name.as_bytes().to_vec());
            }
        }
        p
    }

    /// The lease time desired by the scope's rule for the client, and the time to grant: in
    /// a failover pool of a peer, clamped by MCLT past what the partner has acknowledged.
    fn lease_time(
        &self,
        params: &Params,
        msg: &Request,
        ip: Ipv4Addr,
        src: Option<Source>,
        now: u64,
    ) -> (u32, u32) {
        let t = params.lease_time(packet::requested_lease(msg));
        match src {
            Some(Source::Pool(p)) if self.cfg.is_failover_pool(p) => (t, self.clamp(t, ip, now)),
            _ => (t, t),
        }
    }

    /// The address the client already has a claim on: a fixed address, its outstanding
    /// offer, its current or last lease, or the address it asks for if that is free to give;
    /// `None` when it needs a new one ([`Engine::allocate`]).
    fn choose(&mut self, inc: Incoming<'_>, link: usize, now: u64) -> Option<(Ipv4Addr, Source)> {
        let host = self.host(inc.msg);
        if let Some(ip) = self.fixed_on_link(host, link) {
            return Some((ip, Source::Fixed));
        }
        let known = host.is_some();
        let key = packet::client_key(inc.msg);
        if let Some(&ip) = self.offer_of.get(&key)
            && let Some(p) = self.alloc.pool_of(ip)
            && self.pool_ok(p, link, known)
        {
            if let Some(o) = self.offers.get_mut(&ip) {
                o.until = now + OFFER_HOLD;
            }
            return Some((ip, Source::Pool(p)));
        }
        let mut candidates = Vec::new();
        if let Some(b) = self.leases.of_client(&key) {
            // Still the client's: active, or last active with it (ISC's rewind test).
            let rewinds = b.rewind == Some(State::Active) && self.fo_addr(b.addr);
            candidates.push((b.addr, b.state == State::Active || rewinds));
        }
        if let Some(ip) = packet::requested_ip(inc.msg) {
            candidates.push((ip, false));
        }
        for (ip, mine) in candidates {
            let Some(p) = self.alloc.pool_of(ip) else {
                continue;
            };
            if !self.pool_ok(p, link, known) {
                continue;
            }
            if mine {
                return Some((ip, Source::Pool(p)));
            }
            if self.mine_to_allocate(ip, now) && !self.offers.contains_key(&ip) {
                let slot = self.alloc.slot(ip).unwrap_or(Slot::Free);
                self.alloc.set(ip, Slot::Busy);
                self.hold(ip, key, slot, now);
                return Some((ip, Source::Pool(p)));
            }
        }
        None
    }

    /// A new address for the client from the first permitted pool of the link that has one.
    fn allocate(&mut self, inc: Incoming<'_>, link: usize, now: u64) -> Option<(Ipv4Addr, Source)> {
        let known = self.host(inc.msg).is_some();
        let key = packet::client_key(inc.msg);
        let pools: Vec<usize> = (0..self.cfg.pools.len())
            .filter(|p| self.pool_ok(*p, link, known))
            .collect();
        for p in pools {
            if let Some((ip, slot)) = self.take_new(p, now) {
                self.hold(ip, key, slot, now);
                return Some((ip, Source::Pool(p)));
            }
        }
        None
    }

    fn hold(&mut self, ip: Ipv4Addr, client: ClientKey, slot: Slot, now: u64) {
        self.offer_of.insert(client.clone(), ip);
        self.offers.insert(
            ip,
            Offer {
                client,
                until: now + OFFER_HOLD,
                slot,
            },
        );
    }

    fn drop_offer(&mut self, ip: Ipv4Addr) -> Option<Offer> {
        let o = self.offers.remove(&ip)?;
        if self.offer_of.get(&o.client) == Some(&ip) {
            self.offer_of.remove(&o.client);
        }
        Some(o)
    }

    /// Timers: ends expired leases and abandoned addresses whose time is up (in a failover
    /// pool as ISC's rules allow), and gives back offers that were not taken. Returns the
    /// binding events to journal and the updates for the partner.
    pub fn tick(&mut self, now: u64) -> Outcome {
        let mut out = Outcome::new(self.quiet);
        for ip in self.leases.expired_at(now) {
            let Some(b) = self.leases.get(ip).cloned() else {
                continue;
            };
            match b.state {
                State::Active => self.expire_active(b, now, &mut out),
                State::Expired | State::Released | State::Reset => {
                    self.free_transitional(b, now, &mut out);
                }
                _ => {
                    // An abandoned address returns to FREE (ISC: on both peers).
                    let free = if self.fo_addr(ip) {
                        State::Free
                    } else {
                        self.free_state(ip)
                    };
                    let mut next = Binding::empty(ip, free);
                    next.starts = b.starts;
                    next.ends = now;
                    next.tstp = self.fo_addr(ip).then_some(now);
                    if self.commit_local(next, &mut out) {
                        self.alloc.set(ip, self.slot_for(ip, free));
                    }
                }
            }
        }
        let stale: Vec<Ipv4Addr> = self
            .offers
            .iter()
            .filter(|(_, o)| o.until <= now)
            .map(|(ip, _)| *ip)
            .collect();
        for ip in stale {
            if let Some(o) = self.drop_offer(ip) {
                self.alloc.set(ip, o.slot);
            }
        }
        self.flush_updates(now, &mut out);
        out
    }
}

pub(super) fn via(inc: Incoming<'_>) -> String {
    let gi = inc.msg.giaddr();
    if gi.is_unspecified() {
        inc.iface.to_string()
    } else {
        gi.to_string()
    }
}

/// RFC 2131 §4.1: relay, NAK broadcast, ciaddr unicast, broadcast flag, else yiaddr via ARP.
pub fn dest(req: &Request, kind: MessageType, yiaddr: Ipv4Addr) -> Dest {
    let gi = req.giaddr();
    if !gi.is_unspecified() {
        Dest::Relay(gi)
    } else if kind == MessageType::Nak {
        Dest::Broadcast
    } else if !req.ciaddr().is_unspecified() {
        Dest::Unicast(req.ciaddr())
    } else if req.flags().broadcast() {
        Dest::Broadcast
    } else if let Some(mac) = packet::ethernet(req) {
        Dest::Hardware(yiaddr, mac)
    } else {
        Dest::Broadcast
    }
}

mod balance;
mod failover;
mod messages;
mod replicate;
#[cfg(test)]
mod tests;
