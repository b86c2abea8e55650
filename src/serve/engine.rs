//! The DHCP engine: a pure state machine. A request goes in with the interface it came from;
//! a reply, its destination, the binding events to make durable before the reply leaves, and
//! dhcpd-style log lines come out. No socket, no clock, no file: easy to test.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use dhcproto::v4::{Message, MessageType};

use super::alloc::{Allocator, Slot};
use super::config::{ABANDON_LEASE_TIME, Params, ServeConfig, ServeRole};
use super::leases::{Binding, BindingEvent, ClientKey, LeaseIndex, State};
use super::packet;

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
    /// The decoded message.
    pub msg: &'a Message,
    /// Name of the interface it arrived on.
    pub iface: &'a str,
    /// IPv4 addresses of that interface.
    pub iface_addrs: &'a [Ipv4Addr],
}

/// What the engine decided.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The reply and where it goes.
    pub reply: Option<(Message, Dest)>,
    /// Binding changes; the reply may leave only once they are on disk.
    pub events: Vec<BindingEvent>,
    /// Log lines in dhcpd's words (empty when logging is off).
    pub log: Vec<String>,
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
    /// Build no log lines (the log level hides them anyway).
    pub quiet: bool,
}

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
            quiet: false,
        }
    }

    /// An engine for a new configuration that keeps every lease of this one.
    pub fn reconfigured(&self, cfg: Arc<ServeConfig>) -> Engine {
        let mut e = Engine::new(cfg);
        e.quiet = self.quiet;
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

    /// The allocator (for pool counts).
    pub fn allocator(&self) -> &Allocator {
        &self.alloc
    }

    /// Loads a binding read from the journal (the last record of an address wins).
    pub fn load(&mut self, b: Binding) {
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

    /// The state a lease returns to when freed: this server's own free state.
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
        out
    }

    /// The subnet (hence link) the client is on: option 118, giaddr, or the interface.
    fn locate(&self, inc: Incoming<'_>) -> Option<usize> {
        if let Some(sel) = packet::subnet_selection(inc.msg) {
            return self.cfg.subnet_of(sel);
        }
        let gi = inc.msg.giaddr();
        if !gi.is_unspecified() {
            return self.cfg.subnet_of(gi);
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

    /// The server identifier: the peer address, or the interface address on the client's
    /// subnet, or the interface's first address.
    fn server_id(&self, inc: Incoming<'_>, subnet: Option<usize>) -> Ipv4Addr {
        if let Some(a) = self.cfg.peer_address {
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

    fn host(&self, msg: &Message) -> Option<usize> {
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

    /// The lease time for a pool address: the scope's rule, capped at MCLT in a failover pool
    /// of a peer (no partner has acknowledged anything longer).
    fn lease_time(&self, params: &Params, msg: &Message, src: Option<Source>) -> u32 {
        let t = params.lease_time(packet::requested_lease(msg));
        match src {
            Some(Source::Pool(p)) if self.cfg.is_failover_pool(p) => t.min(self.cfg.mclt),
            _ => t,
        }
    }

    /// The address to offer: a fixed address, the client's current or last lease, its
    /// outstanding offer, the address it asks for, or the next free one.
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
            candidates.push((b.addr, b.state == State::Active));
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
            if self.alloc.available(&self.cfg, ip) && !self.offers.contains_key(&ip) {
                let slot = self.alloc.slot(ip).unwrap_or(Slot::Free);
                self.alloc.set(ip, Slot::Busy);
                self.hold(ip, key, slot, now);
                return Some((ip, Source::Pool(p)));
            }
        }
        let pools: Vec<usize> = (0..self.cfg.pools.len())
            .filter(|p| self.pool_ok(*p, link, known))
            .collect();
        for p in pools {
            let slot = self.alloc.own_slot(&self.cfg, p);
            if let Some(ip) = self.alloc.take(p, slot) {
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

    fn discover(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
        let mac = packet::mac_string(inc.msg);
        let via = via(inc);
        out.log(|| format!("DHCPDISCOVER from {mac} via {via}"));
        let Some(subnet) = self.locate(inc) else {
            out.log(|| format!("DHCPDISCOVER from {mac} via {via}: unknown network segment"));
            return;
        };
        let link = self.link_of(subnet);
        let Some((ip, src)) = self.choose(inc, link, now) else {
            out.log(|| {
                format!(
                    "DHCPDISCOVER from {mac} via {via}: network {}: no free leases",
                    self.cfg.links[link].name
                )
            });
            return;
        };
        let host = self.host(inc.msg);
        let params = self.params(ip, Some(src), host);
        let secs = self.lease_time(&params, inc.msg, Some(src));
        let sid = self.server_id(inc, self.cfg.subnet_of(ip));
        let mut r = packet::reply(inc.msg, MessageType::Offer, sid);
        r.set_yiaddr(ip);
        packet::add_params(&mut r, &params);
        packet::add_lease_time(&mut r, secs);
        out.log(|| format!("DHCPOFFER on {ip} to {mac} via {via}"));
        out.reply = Some((r, dest(inc.msg, MessageType::Offer, ip)));
    }

    fn request(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
        let msg = inc.msg;
        let mac = packet::mac_string(msg);
        let via = via(inc);
        let key = packet::client_key(msg);
        let sid = packet::server_id(msg);
        let ciaddr = msg.ciaddr();
        let Some(ip) = packet::requested_ip(msg).or((!ciaddr.is_unspecified()).then_some(ciaddr))
        else {
            packet::MALFORMED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        };
        let sid_text = sid.map(|s| format!(" ({s})")).unwrap_or_default();
        out.log(|| format!("DHCPREQUEST for {ip}{sid_text} from {mac} via {via}"));
        let subnet = self.locate(inc);
        if let Some(s) = sid
            && s != self.server_id(inc, subnet)
        {
            // SELECTING with another server's offer: let ours go.
            if self.offer_of.get(&key) == Some(&ip) || self.offers.contains_key(&ip) {
                if self.offers.get(&ip).is_some_and(|o| o.client == key)
                    && let Some(o) = self.drop_offer(ip)
                {
                    self.alloc.set(ip, o.slot);
                }
            } else if let Some(&mine) = self.offer_of.get(&key)
                && let Some(o) = self.drop_offer(mine)
            {
                self.alloc.set(mine, o.slot);
            }
            out.log(|| {
                format!(
                    "DHCPREQUEST for {ip}{sid_text} from {mac} via {via}: not our server identifier"
                )
            });
            return;
        }
        let Some(subnet) = subnet else {
            out.log(|| {
                format!("DHCPREQUEST for {ip} from {mac} via {via}: unknown network segment")
            });
            return;
        };
        let link = self.link_of(subnet);
        // We may NAK when authoritative, or when the client selected our offer.
        let may_nak = self.cfg.authoritative || sid.is_some();
        if !self.on_link(ip, link) {
            self.nak(inc, subnet, ip, "wrong network", may_nak, out);
            return;
        }
        let host = self.host(msg);
        if let Some(fixed) = self.fixed_on_link(host, link) {
            if fixed == ip {
                let src = Some(Source::Fixed);
                self.ack(inc, ip, src, host, None, now, out);
            } else {
                self.nak(
                    inc,
                    subnet,
                    ip,
                    "wrong address for a fixed host",
                    may_nak,
                    out,
                );
            }
            return;
        }
        let known = host.is_some();
        let pool = self
            .alloc
            .pool_of(ip)
            .filter(|p| self.pool_ok(*p, link, known));
        let binding = self.leases.get(ip).cloned();
        let owned = binding.as_ref().is_some_and(|b| b.owned_by(&key));
        let in_use = binding
            .as_ref()
            .is_some_and(|b| b.state == State::Active && !b.owned_by(&key) && b.ends > now);
        let offered_to_other = self.offers.get(&ip).is_some_and(|o| o.client != key);
        let ok = match pool {
            None => false,
            Some(_) if in_use || offered_to_other => false,
            Some(_) if binding.as_ref().is_some_and(|b| b.state == State::Active) => owned,
            Some(_) if self.offers.get(&ip).is_some_and(|o| o.client == key) => true,
            Some(_) => self.alloc.available(&self.cfg, ip),
        };
        if !ok {
            let (why, nak) = match pool {
                None if self.alloc.pool_of(ip).is_some() => ("not permitted in its pool", may_nak),
                // RFC 2131 §4.3.2: no record of the client, so stay silent (unless it
                // selected our offer).
                None => ("unknown lease", sid.is_some()),
                Some(_) => ("lease in use or unavailable", may_nak),
            };
            self.nak(inc, subnet, ip, why, nak, out);
            return;
        }
        let slot = self.drop_offer(ip).map(|o| o.slot);
        if slot.or_else(|| self.alloc.slot(ip)).is_some() {
            self.alloc.set(ip, Slot::Busy);
        }
        self.ack(inc, ip, pool.map(Source::Pool), host, binding, now, out);
    }

    #[allow(clippy::too_many_arguments)]
    fn ack(
        &mut self,
        inc: Incoming<'_>,
        ip: Ipv4Addr,
        src: Option<Source>,
        host: Option<usize>,
        previous: Option<Binding>,
        now: u64,
        out: &mut Outcome,
    ) {
        let msg = inc.msg;
        let params = self.params(ip, src, host);
        let secs = self.lease_time(&params, msg, src);
        if let Some(Source::Pool(_)) = src {
            let key = packet::client_key(msg);
            let b = Binding {
                addr: ip,
                state: State::Active,
                starts: now,
                ends: now + u64::from(secs),
                tstp: None,
                tsfp: previous.as_ref().and_then(|b| b.tsfp),
                atsfp: previous.as_ref().and_then(|b| b.atsfp),
                cltt: Some(now),
                hw: Some((u8::from(msg.htype()), msg.chaddr().to_vec())),
                uid: match key {
                    ClientKey::Uid(u) => Some(u),
                    ClientKey::Hw(..) => None,
                },
                hostname: packet::hostname(msg),
            };
            match self.leases.commit(b) {
                Some(ev) => out.events.push(ev),
                None => return,
            }
        }
        let sid = self.server_id(inc, self.cfg.subnet_of(ip));
        let mut r = packet::reply(msg, MessageType::Ack, sid);
        r.set_yiaddr(ip);
        if !msg.ciaddr().is_unspecified() {
            r.set_ciaddr(msg.ciaddr());
        }
        packet::add_params(&mut r, &params);
        packet::add_lease_time(&mut r, secs);
        let name = packet::hostname(msg)
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        out.log(|| {
            format!(
                "DHCPACK on {ip} to {}{name} via {}",
                packet::mac_string(msg),
                via(inc)
            )
        });
        out.reply = Some((r, dest(msg, MessageType::Ack, ip)));
    }

    fn nak(
        &self,
        inc: Incoming<'_>,
        subnet: usize,
        ip: Ipv4Addr,
        why: &str,
        send: bool,
        out: &mut Outcome,
    ) {
        let mac = packet::mac_string(inc.msg);
        if !send {
            out.log(|| {
                format!(
                    "DHCPREQUEST for {ip} from {mac} via {}: {why}; ignored",
                    via(inc)
                )
            });
            return;
        }
        let sid = self.server_id(inc, Some(subnet));
        let mut r = packet::reply(inc.msg, MessageType::Nak, sid);
        if !inc.msg.giaddr().is_unspecified() {
            r.set_flags(r.flags().set_broadcast());
        }
        out.log(|| format!("DHCPNAK on {ip} to {mac} via {} ({why})", via(inc)));
        out.reply = Some((r, dest(inc.msg, MessageType::Nak, ip)));
    }

    fn release(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
        let msg = inc.msg;
        let ip = msg.ciaddr();
        let mac = packet::mac_string(msg);
        let key = packet::client_key(msg);
        let found = self
            .leases
            .get(ip)
            .filter(|b| b.state == State::Active && b.owned_by(&key))
            .cloned();
        let Some(b) = found else {
            out.log(|| {
                format!(
                    "DHCPRELEASE of {ip} from {mac} via {} (not found)",
                    via(inc)
                )
            });
            return;
        };
        out.log(|| format!("DHCPRELEASE of {ip} from {mac} via {} (found)", via(inc)));
        self.end_lease(b, State::Released, now, out);
    }

    /// Ends an active lease: through `via` (expired/released) in a failover pool, then back
    /// to this server's free state (no partner to wait for yet: ISC's rewind rule in
    /// communications-interrupted); straight to free for a standalone server.
    fn end_lease(&mut self, b: Binding, via: State, now: u64, out: &mut Outcome) {
        let failover = self
            .alloc
            .pool_of(b.addr)
            .is_some_and(|p| self.cfg.is_failover_pool(p));
        let mut next = b.clone();
        next.ends = now.min(b.ends);
        next.cltt = Some(now);
        if failover && matches!(self.cfg.role, ServeRole::Peer(_)) {
            next.state = via;
            if let Some(ev) = self.leases.commit(next.clone()) {
                out.events.push(ev);
            }
        }
        next.state = self.free_state(b.addr);
        if let Some(ev) = self.leases.commit(next) {
            out.events.push(ev);
        }
        let slot = self.slot_for(b.addr, self.free_state(b.addr));
        self.alloc.set(b.addr, slot);
    }

    fn decline(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
        let msg = inc.msg;
        let mac = packet::mac_string(msg);
        let Some(ip) = packet::requested_ip(msg) else {
            packet::MALFORMED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        };
        let key = packet::client_key(msg);
        let ours = self.leases.get(ip).is_some_and(|b| b.owned_by(&key))
            || self.offers.get(&ip).is_some_and(|o| o.client == key);
        if self.alloc.pool_of(ip).is_none() || !ours {
            out.log(|| format!("DHCPDECLINE of {ip} from {mac} via {}: not found", via(inc)));
            return;
        }
        self.drop_offer(ip);
        let mut b = Binding::empty(ip, State::Abandoned);
        b.starts = now;
        b.ends = now + u64::from(ABANDON_LEASE_TIME);
        b.cltt = Some(now);
        if let Some(ev) = self.leases.commit(b) {
            out.events.push(ev);
        }
        self.alloc.set(ip, Slot::Busy);
        out.log(|| format!("DHCPDECLINE of {ip} from {mac} via {}: abandoned", via(inc)));
    }

    fn inform(&mut self, inc: Incoming<'_>, out: &mut Outcome) {
        let msg = inc.msg;
        let ip = msg.ciaddr();
        out.log(|| format!("DHCPINFORM from {ip} via {}", via(inc)));
        let subnet = self.cfg.subnet_of(ip).or_else(|| self.locate(inc));
        let Some(subnet) = subnet else {
            out.log(|| format!("DHCPINFORM from {ip} via {}: unknown subnet", via(inc)));
            return;
        };
        let src = self.alloc.pool_of(ip).map(Source::Pool);
        let params = self.params(ip, src, self.host(msg));
        let mut r = packet::reply(msg, MessageType::Ack, self.server_id(inc, Some(subnet)));
        r.set_ciaddr(ip);
        packet::add_params(&mut r, &params);
        out.log(|| {
            format!(
                "DHCPACK to {ip} ({}) via {}",
                packet::mac_string(msg),
                via(inc)
            )
        });
        let d = if !msg.giaddr().is_unspecified() {
            Dest::Relay(msg.giaddr())
        } else if ip.is_unspecified() {
            Dest::Broadcast
        } else {
            Dest::Unicast(ip)
        };
        out.reply = Some((r, d));
    }

    /// Timers: ends expired leases and abandoned addresses whose time is up, and gives back
    /// offers that were not taken. Returns the binding events to journal.
    pub fn tick(&mut self, now: u64) -> Outcome {
        let mut out = Outcome::new(self.quiet);
        for ip in self.leases.expired_at(now) {
            let Some(b) = self.leases.get(ip).cloned() else {
                continue;
            };
            match b.state {
                State::Active => self.end_lease(b, State::Expired, now, &mut out),
                _ => {
                    let mut next = Binding::empty(ip, self.free_state(ip));
                    next.starts = b.starts;
                    next.ends = now;
                    if let Some(ev) = self.leases.commit(next) {
                        out.events.push(ev);
                    }
                    self.alloc.set(ip, self.slot_for(ip, self.free_state(ip)));
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
        out
    }
}

fn via(inc: Incoming<'_>) -> String {
    let gi = inc.msg.giaddr();
    if gi.is_unspecified() {
        inc.iface.to_string()
    } else {
        gi.to_string()
    }
}

/// RFC 2131 §4.1: relay, NAK broadcast, ciaddr unicast, broadcast flag, else yiaddr via ARP.
pub fn dest(req: &Message, kind: MessageType, yiaddr: Ipv4Addr) -> Dest {
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

#[cfg(test)]
mod tests;
