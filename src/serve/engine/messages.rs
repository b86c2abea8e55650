//! One handler per DHCP message type (RFC 2131 §4.3).

use std::net::Ipv4Addr;

use dhcproto::v4::MessageType;

use super::{Dest, Engine, Incoming, Outcome, Source, dest, via};
use crate::dhcpd::ABANDON_LEASE_TIME;
use crate::serve::alloc::Slot;
use crate::serve::bindings::{Binding, ClientKey, State};
use crate::serve::failover::rules;
use crate::serve::packet;
use crate::serve::ratelimit::held_note;

impl Engine {
    pub(super) fn discover(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
        let mac = packet::mac_string(inc.msg);
        let via = via(inc);
        out.log(|| format!("DHCPDISCOVER from {mac} via {via}"));
        let Some(subnet) = self.locate(inc) else {
            out.log(|| format!("DHCPDISCOVER from {mac} via {via}: unknown network segment"));
            return;
        };
        let link = self.link_of(subnet);
        let host = self.host(inc.msg);
        let known = host.is_some();
        // Failover: a client that would get an address of a failover pool.
        let failover = self.failover.is_some()
            && self.fixed_on_link(host, link).is_none()
            && (0..self.cfg.pools.len())
                .any(|p| self.cfg.is_failover_pool(p) && self.pool_ok(p, link, known));
        let service = self.service();
        if failover && !service.serves() {
            out.log(|| {
                format!(
                    "DHCPDISCOVER from {mac} via {via}: not responding{}",
                    service.reason()
                )
            });
            return;
        }
        let chosen = match self.choose(inc, link, now) {
            Some(c) => Some(c),
            None => {
                if failover && self.hashed_to_peer(inc.msg) {
                    let name = self.peer_name();
                    if self.peer_has_leases(link, known) {
                        out.log(|| {
                            format!(
                                "DHCPDISCOVER from {mac} via {via}: load balance to peer {name}"
                            )
                        });
                        return;
                    }
                    out.log(|| {
                        format!(
                            "DHCPDISCOVER from {mac} via {via}: cancel load balance to peer {name} - no free leases"
                        )
                    });
                }
                self.allocate(inc, link, now)
            }
        };
        let Some((ip, src)) = chosen else {
            if failover && self.peer_has_leases(link, known) {
                out.log(|| {
                    format!("DHCPDISCOVER from {mac} via {via}: peer holds all free leases")
                });
            } else if let Some(held) = self.no_free_log.allow(link, now) {
                out.log(|| {
                    format!(
                        "DHCPDISCOVER from {mac} via {via}: network {}: no free leases{}",
                        self.cfg.links[link].name,
                        held_note(held)
                    )
                });
            }
            return;
        };
        let params = self.params(ip, Some(src), host);
        let (_, secs) = self.lease_time(&params, inc.msg, ip, Some(src), now);
        let sid = self.server_id(inc, self.cfg.subnet_of(ip));
        let mut r = packet::reply(inc.msg, MessageType::Offer, sid);
        r.set_yiaddr(ip);
        packet::add_params(&mut r, &params);
        packet::add_lease_time(&mut r, secs);
        let d = dest(inc.msg, MessageType::Offer, ip);
        out.reply(r, d, || format!("DHCPOFFER on {ip} to {mac} via {via}"));
    }

    pub(super) fn request(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
        let msg = inc.msg;
        let mac = packet::mac_string(msg);
        let via = via(inc);
        let key = packet::client_key(msg);
        let sid = packet::server_id(msg);
        let ciaddr = msg.ciaddr();
        let Some(ip) = packet::requested_ip(msg).or((!ciaddr.is_unspecified()).then_some(ciaddr))
        else {
            // The decoder drops (and counts) a REQUEST that names no address.
            return;
        };
        let sid_text = sid.map(|s| format!(" ({s})")).unwrap_or_default();
        out.log(|| format!("DHCPREQUEST for {ip}{sid_text} from {mac} via {via}"));
        let subnet = self.locate(inc);
        if let Some(s) = sid
            && !self.is_our_id(inc, s)
        {
            // SELECTING another server's offer: give ours back.
            if let Some(&mine) = self.offer_of.get(&key)
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
        let failover =
            self.failover.is_some() && pool.is_some_and(|p| self.cfg.is_failover_pool(p));
        if failover && !self.failover_request_ok(inc, ip, &key, binding.as_ref(), now, out) {
            return;
        }
        let in_use = binding
            .as_ref()
            .is_some_and(|b| b.state == State::Active && !b.owned_by(&key) && b.ends > now);
        let offered_to_other = self.offers.get(&ip).is_some_and(|o| o.client != key);
        // INIT-REBOOT for an address the client holds no record of here (RFC 2131 §4.3.2:
        // stay silent without one). Authoritative, the server knows every address of its
        // pools and confirms a free one as ISC dhcpd does; otherwise it stays silent.
        let no_record =
            sid.is_none() && ciaddr.is_unspecified() && !owned && !self.cfg.authoritative;
        let ok = match pool {
            None => false,
            Some(_) if in_use || offered_to_other => false,
            Some(_) if binding.as_ref().is_some_and(|b| b.state == State::Active) => owned,
            Some(_) if self.offers.get(&ip).is_some_and(|o| o.client == key) => true,
            // A lease last active with this client that the partner may know as active.
            Some(_)
                if failover
                    && owned
                    && binding
                        .as_ref()
                        .is_some_and(|b| b.rewind == Some(State::Active)) =>
            {
                true
            }
            Some(_) if no_record => false,
            Some(_) => self.mine_to_allocate(ip, now),
        };
        if !ok {
            let (why, nak) = match pool {
                None if self.alloc.pool_of(ip).is_some() => ("not permitted in its pool", may_nak),
                // RFC 2131 §4.3.2: no record of the client, so stay silent (unless it
                // selected our offer).
                None => ("unknown lease", sid.is_some()),
                Some(_) if no_record && !in_use && !offered_to_other => {
                    ("no record of the client (not authoritative)", false)
                }
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
        let (desired, secs) = self.lease_time(&params, msg, ip, src, now);
        if let Some(Source::Pool(p)) = src {
            let key = packet::client_key(msg);
            // ISC `ack_lease`: tell the partner how long we may want to extend this lease,
            // and never count on more than that from an older acknowledgement.
            let tstp = self
                .cfg
                .is_failover_pool(p)
                .then(|| rules::tstp_after_ack(now, desired, secs));
            let mut tsfp = previous.as_ref().and_then(|b| b.tsfp);
            if let (Some(t), Some(f)) = (tstp, tsfp)
                && t < f
            {
                tsfp = Some(t);
            }
            let b = Binding {
                addr: ip,
                state: State::Active,
                starts: now,
                ends: now + u64::from(secs),
                tstp,
                tsfp,
                atsfp: previous.as_ref().and_then(|b| b.atsfp),
                cltt: Some(now),
                hw: Some((msg.htype(), msg.chaddr().to_vec())),
                uid: match key {
                    ClientKey::Uid(u) => Some(u),
                    ClientKey::Hw(..) => None,
                },
                hostname: packet::hostname(msg),
                rewind: previous.as_ref().and_then(|b| b.rewind),
            };
            if !self.commit_local(b, out) {
                return;
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
        let name = packet::hostname_for_log(msg)
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        out.reply(r, dest(msg, MessageType::Ack, ip), || {
            format!(
                "DHCPACK on {ip} to {}{name} via {}",
                packet::mac_string(msg),
                via(inc)
            )
        });
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
            let flags = r.flags().set_broadcast();
            r.set_flags(flags);
        }
        let d = dest(inc.msg, MessageType::Nak, ip);
        out.reply(r, d, || {
            format!("DHCPNAK on {ip} to {mac} via {} ({why})", via(inc))
        });
    }

    pub(super) fn release(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
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
        if self.ignored_while_not_responding(ip, out) {
            return;
        }
        out.log(|| format!("DHCPRELEASE of {ip} from {mac} via {} (found)", via(inc)));
        self.end_lease(b, State::Released, now, out);
    }

    /// Ends an active lease (released or expired, `via`): in a failover pool by ISC's rules
    /// (the partner must ack before it is free again), straight to free otherwise.
    pub(super) fn end_lease(&mut self, b: Binding, via: State, now: u64, out: &mut Outcome) {
        let mut next = b.clone();
        next.ends = now.min(b.ends);
        if via == State::Released {
            next.cltt = Some(now);
        }
        if self.fo_addr(b.addr) {
            self.end_failover_lease(next, via, out);
            return;
        }
        next.state = self.free_state(b.addr);
        if self.commit_local(next, out) {
            let slot = self.slot_for(b.addr, self.free_state(b.addr));
            self.alloc.set(b.addr, slot);
        }
    }

    pub(super) fn decline(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
        let msg = inc.msg;
        let mac = packet::mac_string(msg);
        let Some(ip) = packet::requested_ip(msg) else {
            // The decoder drops (and counts) a DECLINE that names no address.
            return;
        };
        let key = packet::client_key(msg);
        let ours = self.leases.get(ip).is_some_and(|b| b.owned_by(&key))
            || self.offers.get(&ip).is_some_and(|o| o.client == key);
        if self.alloc.pool_of(ip).is_none() || !ours {
            out.log(|| format!("DHCPDECLINE of {ip} from {mac} via {}: not found", via(inc)));
            return;
        }
        if self.ignored_while_not_responding(ip, out) {
            return;
        }
        self.drop_offer(ip);
        let mut b = Binding::empty(ip, State::Abandoned);
        b.starts = now;
        b.ends = now + u64::from(ABANDON_LEASE_TIME);
        b.cltt = Some(now);
        b.tstp = self.fo_addr(ip).then_some(now);
        self.commit_local(b, out);
        self.alloc.set(ip, Slot::Busy);
        out.log(|| format!("DHCPDECLINE of {ip} from {mac} via {}: abandoned", via(inc)));
    }

    pub(super) fn inform(&mut self, inc: Incoming<'_>, out: &mut Outcome) {
        let msg = inc.msg;
        let ip = msg.ciaddr();
        out.log(|| format!("DHCPINFORM from {ip} via {}", via(inc)));
        let subnet = match self.inform_subnet(inc) {
            Ok(s) => s,
            Err(why) => {
                out.log(|| format!("DHCPINFORM from {ip} via {}: {why}; ignored", via(inc)));
                return;
            }
        };
        let src = self.alloc.pool_of(ip).map(Source::Pool);
        let params = self.params(ip, src, self.host(msg));
        let mut r = packet::reply(msg, MessageType::Ack, self.server_id(inc, Some(subnet)));
        r.set_ciaddr(ip);
        packet::add_params(&mut r, &params);
        let d = if msg.giaddr().is_unspecified() {
            Dest::Unicast(ip)
        } else {
            Dest::Relay(msg.giaddr())
        };
        out.reply(r, d, || {
            format!(
                "DHCPACK to {ip} ({}) via {}",
                packet::mac_string(msg),
                via(inc)
            )
        });
    }

    /// The subnet of an INFORM's ciaddr (RFC 2131 §4.3.5: the reply goes to it): an address
    /// a client can hold in a served subnet (not its network or broadcast address, not
    /// multicast), and, from a relay, on the relay's link.
    fn inform_subnet(&self, inc: Incoming<'_>) -> Result<usize, &'static str> {
        let ip = inc.msg.ciaddr();
        if ip.is_unspecified() {
            return Err("no client address (ciaddr)");
        }
        if ip.is_multicast() || ip.is_broadcast() || ip.is_loopback() {
            return Err("not a client address");
        }
        let subnet = self.cfg.subnet_of(ip).ok_or("not in a served subnet")?;
        let cidr = self.cfg.subnets[subnet].cidr;
        if cidr.prefix < 31 && (ip == cidr.network() || ip == cidr.broadcast()) {
            return Err("the subnet's network or broadcast address");
        }
        if !inc.msg.giaddr().is_unspecified()
            && self.locate(inc).map(|s| self.link_of(s)) != Some(self.link_of(subnet))
        {
            return Err("not on the relay's link");
        }
        Ok(subnet)
    }
}
