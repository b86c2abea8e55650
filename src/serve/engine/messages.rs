//! One handler per DHCP message type (RFC 2131 §4.3).

use std::net::Ipv4Addr;

use dhcproto::v4::MessageType;

use super::{Dest, Engine, Incoming, Outcome, Source, dest, via};
use crate::serve::alloc::Slot;
use crate::serve::config::{ABANDON_LEASE_TIME, ServeRole};
use crate::serve::leases::{Binding, ClientKey, State};
use crate::serve::packet;

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

    pub(super) fn request(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
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
        out.log(|| format!("DHCPRELEASE of {ip} from {mac} via {} (found)", via(inc)));
        self.end_lease(b, State::Released, now, out);
    }

    /// Ends an active lease: through `via` (expired/released) in a failover pool, then back
    /// to this server's free state (no partner to wait for yet: ISC's rewind rule in
    /// communications-interrupted); straight to free for a standalone server.
    pub(super) fn end_lease(&mut self, b: Binding, via: State, now: u64, out: &mut Outcome) {
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

    pub(super) fn decline(&mut self, inc: Incoming<'_>, now: u64, out: &mut Outcome) {
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

    pub(super) fn inform(&mut self, inc: Incoming<'_>, out: &mut Outcome) {
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
}
