//! Fuzz target: arbitrary bytes as a DHCP request to `dhcpfo serve`'s packet layer and
//! engine. A request that decodes goes to a fresh engine (a small standalone model, two
//! subnets, a relayed one reachable by link selection); its reply is encoded, and the wire
//! form must read back: 53 first, option 82 exactly as the request had it, within the
//! client's maximum size (plus option 82's own room) and never over 1500 octets. Any panic
//! or failed assertion is a bug.
#![no_main]

use std::net::Ipv4Addr;
use std::sync::{Arc, OnceLock};

use dhcpfo::model;
use dhcpfo::serve::config::{ServeConfig, ServeRole};
use dhcpfo::serve::engine::{Engine, Incoming};
use dhcpfo::serve::packet::{self, Request};
use libfuzzer_sys::fuzz_target;

const MODEL: &str = r#"
failover: { name: f, mclt: 5m }
peers:
  primary: { address: 10.0.0.2, interfaces: [eth0] }
  secondary: { address: 10.0.0.3, interfaces: [eth0] }
global:
  authoritative: true
  default-lease-time: 1h
  options: { domain-name: example.org, domain-name-servers: [10.0.0.53, 10.0.0.54] }
subnets:
  - network: 10.0.0.0/24
    options: { routers: 10.0.0.1, domain-search: [a.example.org, b.example.org] }
    pools:
      - range: [10.0.0.100, 10.0.0.150]
  - network: 10.1.0.0/24
    options: { routers: 10.1.0.1 }
    pools:
      - range: [10.1.0.10, 10.1.0.20]
hosts:
  - name: printer
    hardware-ethernet: 52:54:00:00:00:aa
    fixed-address: 10.0.0.20
"#;

fn config() -> Arc<ServeConfig> {
    static CFG: OnceLock<Arc<ServeConfig>> = OnceLock::new();
    CFG.get_or_init(|| {
        let src = model::load_str("fuzz.yaml", MODEL.to_string()).expect("a valid model");
        Arc::new(ServeConfig::build(&src.pair, ServeRole::Standalone))
    })
    .clone()
}

/// The options of an encoded reply as a client reads them (the overloaded fields too).
fn read_back(reply: &[u8]) -> Request {
    let mut b = reply.to_vec();
    b[0] = 1; // read the reply with the request decoder
    packet::decode(&b).expect("an encoded reply reads back")
}

fuzz_target!(|data: &[u8]| {
    let Ok(req) = packet::decode(data) else {
        return;
    };
    let _ = packet::hostname_for_log(&req);
    let mut engine = Engine::new(config());
    let addrs = [Ipv4Addr::new(10, 0, 0, 2)];
    let now = 1_800_000_000;
    for step in 0..2 {
        let out = engine.handle(
            Incoming {
                msg: &req,
                iface: "eth0",
                iface_addrs: &addrs,
            },
            now + step,
        );
        let Some((reply, _)) = out.reply else {
            continue;
        };
        let (bytes, _) = packet::encode::encode_reply(&reply);
        assert!(bytes.len() >= 300);
        // Option 82 on the wire: its data in pieces of 255 (RFC 3396); echoed up to 1024.
        let relay = req
            .relay_info_raw()
            .map_or(0, |d| d.len() + 2 * d.len().div_ceil(255).max(1));
        let echoed = relay <= 1024;
        let size = req.max_message_size().map_or(576, usize::from).clamp(576, 1500);
        let room = if echoed { relay } else { 0 };
        assert!(bytes.len() + 28 <= (size + room).min(1500));
        let back = read_back(&bytes);
        assert_eq!(back.options().first().map(|o| o.code), Some(53));
        if echoed {
            assert_eq!(back.relay_info_raw(), req.relay_info_raw());
        } else {
            assert_eq!(back.relay_info_raw(), None);
        }
        assert_eq!(back.xid(), req.xid());
    }
});
