//! `dhcpfo serve` with real clients, in network namespaces that each test creates
//! (tests/common/netns.rs): two client implementations, ISC dhclient and busybox udhcpc
//! (each client test runs both), perfdhcp (relay mode, `-u` uniqueness), tcpdump for the
//! ACKs a client received, `kill -9`, restarts and SIGHUP reloads; ISC's own `dhcpd -T` and
//! `dhcp-lease-list` read the lease file. Hand-built packets (tests/common/raw_dhcp.rs) go
//! through a relay agent's socket: what real clients never send.
//!
//! The same tests run against ISC dhcpd serving the equivalent dhcpd.conf when
//! `DHCPFO_SERVE_REFERENCE=isc` is set: that checks the tests themselves against the
//! reference server.
//!
//! Needs root, `ip`, `dhclient`, `udhcpc`, `perfdhcp` and `tcpdump`
//! (scripts/setup-debian.sh); without them a test is skipped with a note, except under
//! CI=true where that is a failure.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::netns::{Dhclient, Lab, Proc, acks_in_pcap, tools_or_skip};
use common::udhcpc::{Client, clients};
use dhcpfo::leases::{BindingState, Lease, LeaseFile, parse};

/// The model: one /16 subnet; unknown clients get 10.77.1.0-10.77.4.255, known clients
/// 10.77.0.20-10.77.0.29, the printer its fixed address. A second subnet, 10.78.0.0/24, is
/// on no interface: a relay reaches it only by naming it (link selection).
const PAIR: &str = r#"
failover:
  name: lab-failover
  mclt: 60
  split: 128
  max-response-delay: 30
  max-unacked-updates: 10
  load-balance-max-seconds: 3
peers:
  primary: { address: 10.77.0.1, interfaces: [eth0], hostname: srv1 }
  secondary: { address: 10.77.0.3, interfaces: [eth0], hostname: srv2 }
global:
  authoritative: true
  default-lease-time: 10m
  max-lease-time: 20m
  options:
    domain-name: lab.test
    domain-name-servers: [10.77.0.53, 10.77.0.54]
subnets:
  - network: 10.77.0.0/16
    options:
      routers: 10.77.0.254
    pools:
      - range: [10.77.1.0, 10.77.4.255]
        allow: [unknown-clients]
      - range: [10.77.0.20, 10.77.0.29]
        allow: [known-clients]
  - network: 10.78.0.0/24
    options:
      routers: 10.78.0.1
    pools:
      - range: [10.78.0.100, 10.78.0.199]
hosts:
  - name: printer
    hardware-ethernet: 52:54:00:aa:00:01
    fixed-address: 10.77.0.10
  - name: laptop
    hardware-ethernet: 52:54:00:aa:00:02
"#;

/// The same service for ISC dhcpd, standalone.
const ISC_CONF: &str = r#"
authoritative;
ddns-update-style none;
default-lease-time 600;
max-lease-time 1200;
option domain-name "lab.test";
option domain-name-servers 10.77.0.53, 10.77.0.54;
subnet 10.77.0.0 netmask 255.255.0.0 {
  option routers 10.77.0.254;
  pool {
    allow unknown-clients;
    range 10.77.1.0 10.77.4.255;
  }
  pool {
    allow known-clients;
    range 10.77.0.20 10.77.0.29;
  }
}
subnet 10.78.0.0 netmask 255.255.255.0 {
  option routers 10.78.0.1;
  pool {
    range 10.78.0.100 10.78.0.199;
  }
}
host printer {
  hardware ethernet 52:54:00:aa:00:01;
  fixed-address 10.77.0.10;
}
host laptop {
  hardware ethernet 52:54:00:aa:00:02;
}
"#;

const PRINTER: &str = "52:54:00:aa:00:01";
const LAPTOP: &str = "52:54:00:aa:00:02";

fn unknown_pool(ip: Ipv4Addr) -> bool {
    (Ipv4Addr::new(10, 77, 1, 0)..=Ipv4Addr::new(10, 77, 4, 255)).contains(&ip)
}

fn known_pool(ip: Ipv4Addr) -> bool {
    (Ipv4Addr::new(10, 77, 0, 20)..=Ipv4Addr::new(10, 77, 0, 29)).contains(&ip)
}

fn reference_isc() -> bool {
    std::env::var("DHCPFO_SERVE_REFERENCE").is_ok_and(|v| v == "isc")
}

/// A lab with a server namespace (`srv`, 10.77.0.1), a dhclient namespace (`cli`, no
/// address) and a perfdhcp namespace (`load`, 10.77.0.2: perfdhcp acts as a relay).
fn lab(test: &str) -> Option<Lab> {
    let mut tools = vec!["dhclient", "perfdhcp", "tcpdump"];
    if reference_isc() {
        tools.push("dhcpd");
    }
    if !common::netns::root_or_skip(test) || !tools_or_skip(test, &tools) {
        return None;
    }
    Some(
        Lab::builder("srv")
            .host("srv", Some("10.77.0.1/16"))
            .host("cli", None)
            .host("load", Some("10.77.0.2/16"))
            .build(),
    )
}

/// The server under test in the `srv` namespace, with its lease file kept across restarts.
struct Server<'a> {
    lab: &'a Lab,
    leases: PathBuf,
    proc: Option<Proc>,
    starts: usize,
    logs: Vec<PathBuf>,
    /// `DHCPFO_LOG` for dhcpfo.
    log_level: &'static str,
    /// Whether the model says `authoritative: true`.
    authoritative: bool,
}

impl<'a> Server<'a> {
    fn start(lab: &'a Lab) -> Server<'a> {
        Server::start_logging(lab, "info")
    }

    /// Starts the server with `DHCPFO_LOG=level`; the `ready` line shows at any level.
    fn start_logging(lab: &'a Lab, log_level: &'static str) -> Server<'a> {
        Server::start_with(lab, log_level, true)
    }

    /// Starts the server; `authoritative: false` serves the model (and dhcpd.conf) without
    /// `authoritative`.
    fn start_with(lab: &'a Lab, log_level: &'static str, authoritative: bool) -> Server<'a> {
        let mut server = Server {
            lab,
            leases: lab.dir().join("server.leases"),
            proc: None,
            starts: 0,
            logs: Vec::new(),
            log_level,
            authoritative,
        };
        server.restart();
        server
    }

    fn model(&self) -> String {
        if self.authoritative {
            PAIR.to_string()
        } else {
            PAIR.replace("authoritative: true", "authoritative: false")
        }
    }

    fn isc_conf(&self) -> String {
        if self.authoritative {
            ISC_CONF.to_string()
        } else {
            ISC_CONF.replace("authoritative;\n", "")
        }
    }

    /// Starts the server (again) and waits until it serves.
    fn restart(&mut self) {
        assert!(self.proc.is_none(), "the server is still running");
        self.starts += 1;
        let name = format!("server-{}", self.starts);
        let (proc, ready) = if reference_isc() {
            let dhcpd = self.lab.dhcpd("srv", &name, &self.isc_conf());
            // The lease file is per name in the lab; carry the journal over.
            if self.leases.exists() {
                std::fs::copy(&self.leases, &dhcpd.leases).unwrap();
            }
            self.leases = dhcpd.leases.clone();
            (dhcpd.proc, "Server starting service.")
        } else {
            let pair = self.lab.dir().join("pair.yaml");
            std::fs::write(&pair, self.model()).unwrap();
            let mut cmd = self.lab.command("srv", env!("CARGO_BIN_EXE_dhcpfo"));
            cmd.arg("serve")
                .arg(&pair)
                .args(["--role", "standalone", "--interface", "eth0", "--leases"])
                .arg(&self.leases)
                .env("DHCPFO_LOG", self.log_level);
            (self.lab.spawn(&name, cmd), "dhcpfo serve ready")
        };
        assert!(
            proc.wait_for_log(ready, Duration::from_secs(30)),
            "the server did not start:\n{}",
            proc.log_text()
        );
        self.logs.push(proc.log.clone());
        self.proc = Some(proc);
    }

    /// SIGTERM, and the exit it causes: dhcpfo exits 0 after flushing its lease file.
    fn stop(&mut self) {
        let proc = self.proc.take().expect("running");
        self.lab.signal(&proc, libc::SIGTERM);
        let status = self.lab.wait(&proc, Duration::from_secs(15));
        let Some(status) = status else {
            panic!("no exit 15 s after SIGTERM:\n{}", proc.log_text());
        };
        if !reference_isc() {
            assert_eq!(status.code(), Some(0), "{}", proc.log_text());
        }
    }

    /// Sends SIGHUP, then waits until the log of this start shows `text`.
    fn hangup_until(&self, text: &str) {
        let proc = self.proc.as_ref().expect("running");
        let before = proc.log_text().matches(text).count();
        self.lab.signal(proc, libc::SIGHUP);
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while proc.log_text().matches(text).count() == before {
            assert!(
                std::time::Instant::now() < deadline,
                "no {text:?} after SIGHUP:\n{}",
                proc.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `kill -9`.
    fn kill9(&mut self) {
        let proc = self.proc.take().expect("running");
        self.lab.kill(&proc);
    }

    /// Every log line of every start so far.
    fn log(&self) -> String {
        self.logs
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The log once it shows `text` (a reply's line is written just after the reply has
    /// left, so it may trail the reply by a moment); the log as it is after 15 s otherwise.
    fn log_with(&self, text: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let log = self.log();
            if log.contains(text) || std::time::Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The lease file's present state.
    fn leases(&self) -> LeaseFile {
        let text = std::fs::read_to_string(&self.leases).unwrap_or_default();
        parse(&text)
            .unwrap_or_else(|e| panic!("the server's lease file does not parse: {e}"))
            .current()
    }

    fn lease(&self, ip: Ipv4Addr) -> Option<Lease> {
        self.leases().leases.into_iter().find(|l| l.address == ip)
    }
}

/// One dhclient run for `mac` with a fresh lease file named `tag`.
fn dhclient(lab: &Lab, mac: &str, tag: &str) -> common::netns::DhclientResult {
    run_client(lab, Client::Dhclient, mac, tag)
}

/// One run of `client` for `mac`, host name `h-TAG`, with fresh client state named `tag`.
fn run_client(lab: &Lab, client: Client, mac: &str, tag: &str) -> common::netns::DhclientResult {
    client.run(
        lab,
        "cli",
        &Dhclient {
            mac: Some(mac.into()),
            hostname: Some(format!("h-{tag}")),
            lease_file: Some(lab.dir().join(format!("{tag}.leases"))),
            ..Dhclient::default()
        },
    )
}

fn bound(got: &common::netns::DhclientResult, server: &Server) -> Ipv4Addr {
    got.bound.unwrap_or_else(|| {
        panic!(
            "dhclient got no lease:\n{}\n--- server log ---\n{}",
            got.log,
            server.log()
        )
    })
}

#[test]
fn clients_get_a_pool_address_with_the_model_options() {
    let test = "clients_get_a_pool_address_with_the_model_options";
    let Some(lab) = lab(test) else {
        return;
    };
    let mut server = Server::start(&lab);
    let mut ips = Vec::new();
    for (n, client) in clients(test).into_iter().enumerate() {
        let mac = format!("52:54:00:10:{n:02x}:01");
        let tag = format!("first-{}", client.name());
        let got = run_client(&lab, client, &mac, &tag);
        let ip = bound(&got, &server);
        assert!(unknown_pool(ip), "{ip} is not in the unknown-clients pool");
        let want: BTreeMap<&str, &str> = [
            ("routers", "10.77.0.254"),
            ("domain-name-servers", "10.77.0.53,10.77.0.54"),
            ("domain-name", "lab.test"),
            ("subnet-mask", "255.255.0.0"),
            ("dhcp-lease-time", "600"),
            ("dhcp-server-identifier", "10.77.0.1"),
        ]
        .into();
        for (option, value) in want {
            assert_eq!(
                got.options.get(option).map(String::as_str),
                Some(value),
                "{}: option {option} in {:?}",
                client.name(),
                got.options
            );
        }
        assert_eq!(got.options.get("fixed-address"), Some(&ip.to_string()));
        let log = server.log_with(&format!("DHCPACK on {ip} to {mac}"));
        assert!(log.contains(&format!("DHCPDISCOVER from {mac}")), "{log}");
        assert!(log.contains(&format!("DHCPACK on {ip} to {mac}")), "{log}");
        // The lease is on disk, active, with the client's MAC and host name.
        let lease = server.lease(ip).expect("the lease is in the lease file");
        assert_eq!(lease.binding_state, BindingState::Active);
        assert_eq!(
            lease.hardware.map(|h| h.to_hex()).as_deref(),
            Some(&mac[..])
        );
        assert_eq!(lease.client_hostname, Some(format!("h-{tag}")));
        ips.push(ip);
    }
    // SIGTERM stops cleanly, and ISC's tools read what is left on disk.
    server.stop();
    isc_tools_read(&lab, &server.leases, &ips);
}

/// ISC's own tools read a lease file holding the leases `ips`: `dhcpd -T` loads it without
/// complaint, and `dhcp-lease-list` lists each lease.
fn isc_tools_read(lab: &Lab, file: &std::path::Path, ips: &[Ipv4Addr]) {
    if let Some(dhcpd) = common::dhcpd_or_skip("serve lease file: dhcpd -T") {
        // dhcpd -T rewrites the file it tests: give it a copy.
        let copy = lab.dir().join("copy.leases");
        std::fs::copy(file, &copy).expect("copies");
        let conf = lab.dir().join("check.conf");
        std::fs::write(&conf, ISC_CONF).expect("writable");
        let out = Command::new(dhcpd)
            .args(["-T", "-4", "-cf"])
            .arg(&conf)
            .arg("-lf")
            .arg(&copy)
            .arg("-pf")
            .arg(lab.dir().join("check.pid"))
            .output()
            .expect("dhcpd runs");
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{log}");
        assert!(!log.contains("orrupt") && !log.contains(" line "), "{log}");
        assert!(
            log.contains(&format!("Wrote {} leases", ips.len())),
            "{log}"
        );
    }
    if let Some(list) = common::tool_or_skip("serve lease file", "dhcp-lease-list") {
        let out = Command::new("perl")
            .arg(list)
            .arg("--lease")
            .arg(file)
            .arg("--parsable")
            .output()
            .expect("perl runs");
        let text = String::from_utf8_lossy(&out.stdout);
        for ip in ips {
            assert!(
                text.lines()
                    .any(|l| l.starts_with("MAC ") && l.contains(&format!("IP {ip} "))),
                "{text}"
            );
        }
    }
}

#[test]
fn known_and_unknown_clients_get_their_own_addresses() {
    let test = "known_and_unknown_clients_get_their_own_addresses";
    let Some(lab) = lab(test) else {
        return;
    };
    let server = Server::start(&lab);
    for (c, client) in clients(test).into_iter().enumerate() {
        let name = client.name();
        // A known host with a fixed address gets it.
        let printer = run_client(&lab, client, PRINTER, &format!("printer-{name}"));
        assert_eq!(
            bound(&printer, &server),
            Ipv4Addr::new(10, 77, 0, 10),
            "{name}"
        );
        assert_eq!(
            printer.options.get("routers").map(String::as_str),
            Some("10.77.0.254")
        );
        // A known host without one gets the known-clients pool.
        let laptop = run_client(&lab, client, LAPTOP, &format!("laptop-{name}"));
        let laptop_ip = bound(&laptop, &server);
        assert!(known_pool(laptop_ip), "{name}: laptop got {laptop_ip}");
        // Unknown clients only ever get the unknown-clients pool.
        for n in 0..3 {
            let mac = format!("52:54:00:20:{c:02x}:{n:02x}");
            let got = run_client(&lab, client, &mac, &format!("unknown-{n}-{name}"));
            let ip = bound(&got, &server);
            assert!(unknown_pool(ip), "{name}: unknown client {mac} got {ip}");
        }
        // Even when one insists on an address of the known-clients pool (the client then
        // puts option 50 in its DISCOVER): it is never ACKed.
        let wanted = Ipv4Addr::new(10, 77, 0, 25);
        let mac = format!("52:54:00:20:{c:02x}:99");
        let insisting = client.run(
            &lab,
            "cli",
            &Dhclient {
                mac: Some(mac.clone()),
                request_address: Some(wanted),
                lease_file: Some(lab.dir().join(format!("insisting-{name}.leases"))),
                timeout_secs: 6,
                ..Dhclient::default()
            },
        );
        assert_ne!(insisting.bound, Some(wanted), "{}", insisting.log);
        if let Some(ip) = insisting.bound {
            assert!(unknown_pool(ip), "{name}: the insisting client got {ip}");
        }
        let log = server.log();
        assert!(!log.contains(&format!("DHCPACK on {wanted} ")), "{log}");
        assert!(
            log.contains(&format!("DHCPDISCOVER from {mac}")),
            "{name}: the insisting client was not heard:\n{log}"
        );
    }
}

#[test]
fn release_then_discover() {
    let test = "release_then_discover";
    let Some(lab) = lab(test) else {
        return;
    };
    let server = Server::start(&lab);
    for (c, client) in clients(test).into_iter().enumerate() {
        release_then_discover_with(&lab, &server, client, &format!("52:54:00:30:00:{c:02x}"));
    }
}

fn release_then_discover_with(lab: &Lab, server: &Server, client: Client, mac: &str) {
    let name = client.name();
    let lease_file = lab.dir().join(format!("release-{name}.leases"));
    let opts = Dhclient {
        mac: Some(mac.into()),
        lease_file: Some(lease_file.clone()),
        ..Dhclient::default()
    };
    let got = client.run(lab, "cli", &opts);
    let ip = bound(&got, server);
    assert_eq!(
        server.lease(ip).map(|l| l.binding_state),
        Some(BindingState::Active)
    );
    // A real client has its address configured when it releases, and sends the RELEASE by
    // unicast from it (udhcpc asks for the address again, then releases it on exit).
    lab.run_ok(
        "cli",
        &["ip", "addr", "add", &format!("{ip}/16"), "dev", "eth0"],
    );
    let released = client.run(
        lab,
        "cli",
        &Dhclient {
            release: true,
            request_address: Some(ip),
            ..opts.clone()
        },
    );
    // The server logs the release and the lease file records it (released, or free as ISC
    // does once the release is processed).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !server
        .log()
        .contains(&format!("DHCPRELEASE of {ip} from {mac}"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{name}: no DHCPRELEASE logged:\n{}\n--- {name} ---\n{}",
            server.log(),
            released.log
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    lab.run_ok(
        "cli",
        &["ip", "addr", "del", &format!("{ip}/16"), "dev", "eth0"],
    );
    // The release's line is logged before its record reaches the file: wait for it.
    let released_or_free =
        |s: &Option<BindingState>| matches!(s, Some(BindingState::Released | BindingState::Free));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut state = None;
    while std::time::Instant::now() < deadline {
        let text = std::fs::read_to_string(&server.leases).unwrap_or_default();
        state = parse(&text).ok().and_then(|f| {
            f.current()
                .leases
                .into_iter()
                .find(|l| l.address == ip)
                .map(|l| l.binding_state)
        });
        if released_or_free(&state) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        released_or_free(&state),
        "{name}: after the release the lease is {state:?}"
    );
    // A new DISCOVER (fresh client state) is served again.
    let before = server
        .log()
        .matches(&format!("DHCPDISCOVER from {mac}"))
        .count();
    let _ = std::fs::remove_file(&lease_file);
    let again = client.run(lab, "cli", &opts);
    let ip2 = bound(&again, server);
    assert!(unknown_pool(ip2), "{ip2}");
    let after = server
        .log()
        .matches(&format!("DHCPDISCOVER from {mac}"))
        .count();
    assert!(
        after > before,
        "{name}: no new DHCPDISCOVER:\n{}",
        server.log()
    );
    assert_eq!(
        server.lease(ip2).map(|l| l.binding_state),
        Some(BindingState::Active)
    );
}

#[test]
fn a_restarted_server_gives_a_client_the_same_address() {
    let test = "a_restarted_server_gives_a_client_the_same_address";
    let Some(lab) = lab(test) else {
        return;
    };
    let mut server = Server::start(&lab);
    let clients = clients(test);
    // Several clients first, so that the address is not simply the first free one.
    let mut first = BTreeMap::new();
    for (c, client) in clients.iter().enumerate() {
        for n in 0..3 {
            let mac = format!("52:54:00:40:{c:02x}:{n:02x}");
            let got = run_client(&lab, *client, &mac, &format!("before-{c}-{n}"));
            first.insert(mac, (*client, bound(&got, &server)));
        }
    }
    server.stop();
    server.restart();
    // Reversed order, fresh client state (a DISCOVER without a requested address): only the
    // server's memory can give the same addresses back.
    for (n, (mac, (client, ip))) in first.iter().enumerate().rev() {
        let got = run_client(&lab, *client, mac, &format!("after-{n}"));
        assert_eq!(
            bound(&got, &server),
            *ip,
            "{mac} ({}) after the restart",
            client.name()
        );
    }
}

/// Starts perfdhcp in the `load` namespace in the background.
fn perfdhcp_background(lab: &Lab, name: &str, args: &[&str]) -> Proc {
    let mut cmd = lab.command("load", common::required_tool("perfdhcp"));
    cmd.args(["-4", "-l", "eth0"]).args(args);
    lab.spawn(name, cmd)
}

#[test]
fn kill_9_under_load_loses_no_acked_lease() {
    let Some(lab) = lab("kill_9_under_load_loses_no_acked_lease") else {
        return;
    };
    let mut server = Server::start(&lab);
    // What the clients were told, captured on their side.
    let (dump_load, pcap_load) = lab.tcpdump("load", "load");
    let (dump_cli, pcap_cli) = lab.tcpdump("cli", "cli");
    let got = dhclient(&lab, "52:54:00:50:00:01", "before-kill");
    let dhclient_ip = bound(&got, &server);
    // 10 s of load at 500 exchanges/s; the server dies once it has sent 800 ACKs (about
    // 2 s of load; a slow start of perfdhcp or a slow disk only delays the kill), while
    // perfdhcp still runs.
    let perf = perfdhcp_background(&lab, "perfdhcp", &["-r", "500", "-R", "800", "-p", "10"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let acks = || server.log().matches("DHCPACK on").count();
    while acks() < 800 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        acks() >= 800,
        "only {} ACKs in 20 s:\n{}",
        acks(),
        perf.log_text()
    );
    assert!(
        lab.wait(&perf, Duration::ZERO).is_none(),
        "the load was over before the kill:\n{}",
        perf.log_text()
    );
    server.kill9();
    let _ = lab.wait(&perf, Duration::from_secs(30));
    for dump in [&dump_load, &dump_cli] {
        lab.signal(dump, libc::SIGTERM);
        let _ = lab.wait(dump, Duration::from_secs(10));
    }
    let mut acked = acks_in_pcap(&std::fs::read(&pcap_load).unwrap());
    let perf_acks = acked.len();
    acked.extend(acks_in_pcap(&std::fs::read(&pcap_cli).unwrap()));
    assert!(
        perf_acks >= 100,
        "only {perf_acks} ACKs under load before the kill:\n{}",
        perf.log_text()
    );
    assert!(acked.iter().any(|(ip, _)| *ip == dhclient_ip));
    // After a restart, every ACKed address is in the journal, active, for its client.
    server.restart();
    let current = server.leases();
    let by_ip: BTreeMap<Ipv4Addr, &Lease> = current.leases.iter().map(|l| (l.address, l)).collect();
    let mut lost = Vec::new();
    for (ip, mac) in &acked {
        let ok = by_ip.get(ip).is_some_and(|l| {
            l.binding_state == BindingState::Active
                && l.hardware.as_ref().is_some_and(|h| h.address == mac)
        });
        if !ok {
            lost.push(format!("{ip} for {mac:02x?}: {:?}", by_ip.get(ip)));
        }
    }
    eprintln!(
        "kill -9 under load: {} ACKs seen by the clients ({perf_acks} to perfdhcp), {} lost",
        acked.len(),
        lost.len()
    );
    assert!(
        lost.is_empty(),
        "{} of {} ACKed leases missing after kill -9:\n{}",
        lost.len(),
        acked.len(),
        lost.join("\n")
    );
}

#[test]
fn perfdhcp_finds_no_duplicate_address() {
    let Some(lab) = lab("perfdhcp_finds_no_duplicate_address") else {
        return;
    };
    // Without the per-packet lines; the `ready` line still shows.
    let server = Server::start_logging(&lab, "warn");
    let result = lab.perfdhcp(
        "load",
        &["-u", "-r", "200", "-R", "600", "-n", "600", "-p", "10"],
        Duration::from_secs(40),
    );
    let acks = result.request_ack.received;
    eprintln!(
        "perfdhcp -u: {acks} ACKs, {} non-unique",
        result.request_ack.non_unique + result.discover_offer.non_unique
    );
    assert!(
        acks >= 300,
        "only {acks} ACKs:\n{}\n--- server ---\n{}",
        result.output,
        server
            .log()
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        result.request_ack.non_unique + result.discover_offer.non_unique,
        0,
        "{}",
        result.output
    );
    // The lease file agrees: no address is active for two clients, and the 600 distinct
    // clients all came from the unknown-clients pool.
    let current = server.leases();
    let mut owners: BTreeMap<Vec<u8>, Ipv4Addr> = BTreeMap::new();
    for lease in current
        .leases
        .iter()
        .filter(|l| l.binding_state == BindingState::Active)
    {
        assert!(unknown_pool(lease.address), "{lease:?}");
        let mac = lease
            .hardware
            .as_ref()
            .map(|h| h.address.clone())
            .unwrap_or_default();
        if let Some(other) = owners.insert(mac.clone(), lease.address) {
            panic!("{mac:02x?} holds {other} and {}", lease.address);
        }
    }
}

#[test]
fn sighup_reloads_a_valid_model_and_refuses_an_invalid_one() {
    if reference_isc() {
        eprintln!("sighup_reloads_a_valid_model_and_refuses_an_invalid_one: dhcpfo only");
        return;
    }
    let Some(lab) = lab("sighup_reloads_a_valid_model_and_refuses_an_invalid_one") else {
        return;
    };
    // At warn level: the reload lines still show.
    let server = Server::start_logging(&lab, "warn");
    let pair = lab.dir().join("pair.yaml");
    let first = bound(&dhclient(&lab, "52:54:00:60:00:01", "hup-1"), &server);
    // An invalid model is refused with its diagnostic; the old one keeps serving.
    std::fs::write(&pair, "failover: [not, a, model\n").unwrap();
    server.hangup_until("reload of");
    assert!(server.log().contains("pair.yaml"), "{}", server.log());
    let got = dhclient(&lab, "52:54:00:60:00:02", "hup-2");
    assert_eq!(
        got.options.get("domain-name-servers").map(String::as_str),
        Some("10.77.0.53,10.77.0.54")
    );
    bound(&got, &server);
    // A valid change is taken, and no lease is lost.
    std::fs::write(&pair, PAIR.replace("10.77.0.54", "10.77.0.55")).unwrap();
    server.hangup_until("reloaded");
    assert!(server.log().contains("2 lease(s) kept"), "{}", server.log());
    let got = dhclient(&lab, "52:54:00:60:00:03", "hup-3");
    assert_eq!(
        got.options.get("domain-name-servers").map(String::as_str),
        Some("10.77.0.53,10.77.0.55")
    );
    assert_eq!(
        server.lease(first).map(|l| l.binding_state),
        Some(BindingState::Active)
    );
}

#[test]
fn an_invalid_model_exits_1_a_missing_interface_or_bad_lease_file_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pair = dir.path().join("pair.yaml");
    let leases = dir.path().join("dhcpd.leases");
    let serve = |interface: &str| {
        Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
            .arg("serve")
            .arg(&pair)
            .args(["--role", "standalone", "--interface", interface, "--leases"])
            .arg(&leases)
            .output()
            .expect("runs")
    };
    std::fs::write(&pair, "peers: {}\n").unwrap();
    let out = serve("eth0");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    std::fs::write(&pair, PAIR).unwrap();
    let out = serve("no-such-if9");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no-such-if9") && err.contains("DF012"),
        "{err}"
    );
    std::fs::write(&leases, "lease 10.0.0.1 {\n  binding state sideways;\n}\n").unwrap();
    let out = serve("lo");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("DF011") && err.contains("line 2"), "{err}");
}

/// An interface whose address lies in no subnet of the model: clients on its link would get
/// no answer, and serve says so when it starts (dhcpd would stop, "No subnet declaration").
#[test]
fn an_interface_outside_every_subnet_is_warned_about() {
    let test = "an_interface_outside_every_subnet_is_warned_about";
    let Some(lab) = Lab::builder("srvw")
        .host("srv", Some("10.90.0.1/24"))
        .build_or_skip(test)
    else {
        return;
    };
    let proc = serve_ready(&lab, "warn", &[]);
    let log = proc.log_text();
    assert!(
        log.contains("eth0 has no address in any subnet of the model (10.90.0.1)"),
        "{log}"
    );
    stop_cleanly(&lab, &proc);
}

/// Starts dhcpfo on the model in `srv`'s namespace (standalone on eth0, `DHCPFO_LOG=level`,
/// then `extra` arguments) and waits until it serves.
fn serve_ready(lab: &Lab, level: &str, extra: &[&str]) -> Proc {
    let pair = lab.dir().join("pair.yaml");
    std::fs::write(&pair, PAIR).unwrap();
    let mut cmd = lab.command("srv", env!("CARGO_BIN_EXE_dhcpfo"));
    cmd.arg("serve")
        .arg(&pair)
        .args(["--role", "standalone", "--interface", "eth0", "--leases"])
        .arg(lab.dir().join("server.leases"))
        .args(extra)
        .env("DHCPFO_LOG", level);
    let proc = lab.spawn("server", cmd);
    assert!(
        proc.wait_for_log("dhcpfo serve ready", Duration::from_secs(30)),
        "{}",
        proc.log_text()
    );
    proc
}

/// SIGTERM to a server the lab started, and the exit 0 it causes; returns its log.
fn stop_cleanly(lab: &Lab, proc: &Proc) -> String {
    lab.signal(proc, libc::SIGTERM);
    let status = lab.wait(proc, Duration::from_secs(15));
    let log = proc.log_text();
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{log}");
    log
}

// Hand-built packets through a relay agent's socket in the `load` namespace (10.77.0.2):
// the bytes issue 12 found mishandled, and the replies as they come off the wire.

use common::raw_dhcp::{self, Frame};

const RELAY: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 2);
const SERVER_IP: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);
const DISCOVER: u8 = 1;
const OFFER: u8 = 2;
const REQUEST: u8 = 3;
const ACK: u8 = 5;
const INFORM: u8 = 8;

fn relayed(kind: u8, mac: [u8; 6], xid: u32) -> Frame {
    Frame::new(kind, mac, xid).giaddr(RELAY)
}

/// Sends `frames` from the relay, then returns every reply up to the one to `marker`.
fn exchange(lab: &Lab, server: &Server, frames: &[Frame], marker: u32) -> Vec<Vec<u8>> {
    let bytes: Vec<Vec<u8>> = frames.iter().map(Frame::bytes).collect();
    raw_dhcp::relay_exchange(lab.ns("load"), SERVER_IP, &bytes, marker)
        .unwrap_or_else(|e| panic!("{e}\n--- server ---\n{}", server.log()))
}

/// The one reply to `xid` among `replies`, of message type `kind`.
fn reply_to(replies: &[Vec<u8>], xid: u32, kind: u8) -> &Vec<u8> {
    let mine: Vec<&Vec<u8>> = replies.iter().filter(|r| raw_dhcp::xid(r) == xid).collect();
    assert_eq!(mine.len(), 1, "replies to {xid:#x}: {}", mine.len());
    assert_eq!(raw_dhcp::kind(mine[0]), Some(kind), "reply to {xid:#x}");
    mine[0]
}

fn xids(replies: &[Vec<u8>]) -> Vec<u32> {
    replies.iter().map(|r| raw_dhcp::xid(r)).collect()
}

/// The lines of the log that contain `text`.
fn lines_with(log: &str, text: &str) -> usize {
    log.lines().filter(|l| l.contains(text)).count()
}

#[test]
fn packets_that_are_not_dhcp_get_no_reply_and_one_log_line_per_reason() {
    let Some(lab) = lab("packets_that_are_not_dhcp_get_no_reply") else {
        return;
    };
    let mut server = Server::start(&lab);
    let mac = [0x52, 0x54, 0, 0x71, 0, 1];
    let frames = [
        relayed(DISCOVER, mac, 0x101).cookie([0xde, 0xad, 0xbe, 0xef]),
        relayed(DISCOVER, mac, 0x102).cookie([0, 0, 0, 0]),
        // Option 12 says 200 octets; the packet ends first.
        relayed(DISCOVER, mac, 0x103).raw(&[12, 200, b'a']),
        relayed(DISCOVER, mac, 0x104).raw(&[12, 200, b'b']),
        relayed(DISCOVER, mac, 0x105).raw(&[12, 200, b'c']),
        // No message type: BOOTP.
        Frame::bare(mac, 0x106).giaddr(RELAY),
        relayed(DISCOVER, mac, 0x1ff),
    ];
    let replies = exchange(&lab, &server, &frames, 0x1ff);
    reply_to(&replies, 0x1ff, OFFER);
    if reference_isc() {
        // ISC dhcpd answers the packets without a cookie or a message type as BOOTP
        // requests (no message type in its replies); dhcpfo serves no BOOTP.
        assert!(
            replies
                .iter()
                .all(|r| raw_dhcp::xid(r) == 0x1ff || raw_dhcp::kind(r).is_none())
        );
        return;
    }
    assert_eq!(
        xids(&replies),
        [0x1ff],
        "only the well-formed DISCOVER is answered"
    );
    // Logged at info level when they arrive, once per reason for this source.
    let log = server.log();
    let from = "dropped a packet from 10.77.0.2:67 on eth0: ";
    for (why, n) in [
        ("no DHCP magic cookie", 1),
        ("an option runs past the end of the packet", 1),
        ("no DHCP message type (BOOTP is not served)", 1),
    ] {
        assert_eq!(
            lines_with(&log, &format!("{from}{why}")),
            n,
            "{why}:\n{log}"
        );
    }
    server.stop();
    let log = server.log();
    assert!(
        log.contains(
            "6 malformed packet(s) dropped (bad-cookie 2, truncated-option 3, no-message-type 1)"
        ),
        "{log}"
    );
}

#[test]
fn a_latin1_host_name_keeps_the_request_options_after_it() {
    let Some(lab) = lab("a_latin1_host_name_keeps_the_request_options") else {
        return;
    };
    let server = Server::start(&lab);
    let mac = [0x52, 0x54, 0, 0x72, 0, 1];
    let replies = exchange(&lab, &server, &[relayed(DISCOVER, mac, 0x201)], 0x201);
    let ip = raw_dhcp::yiaddr(reply_to(&replies, 0x201, OFFER));
    // Option 12 in Latin-1 (as Windows machines send it), then options 50 and 54.
    let request = relayed(REQUEST, mac, 0x202)
        .option(12, b"caf\xe9-pc")
        .option(50, &ip.octets())
        .option(54, &SERVER_IP.octets());
    let replies = exchange(&lab, &server, &[request], 0x202);
    let ack = reply_to(&replies, 0x202, ACK);
    assert_eq!(raw_dhcp::yiaddr(ack), ip);
    assert_eq!(
        server.lease(ip).map(|l| l.binding_state),
        Some(BindingState::Active)
    );
    if !reference_isc() {
        let line = format!("DHCPACK on {ip} to 52:54:00:72:00:01 (caf\\351-pc) via 10.77.0.2");
        let log = server.log_with(&line);
        assert!(log.contains(&line), "{log}");
    }
}

/// Option 82 as issue 12 found it garbled: sub-options out of order, a circuit id twice, a
/// DOCSIS device class (sub-option 4) of two octets, a link selection of three.
const ODD_RELAY_INFO: &[u8] = &[
    2, 3, b'r', b'e', b'm', 1, 2, b'p', b'1', 4, 2, 0, 1, 1, 2, b'p', b'2', 5, 3, 10, 78, 0,
];

#[test]
fn option_82_goes_back_unchanged_and_the_relay_can_select_the_link() {
    let Some(lab) = lab("option_82_goes_back_unchanged") else {
        return;
    };
    let server = Server::start(&lab);
    // Link selection (RFC 3527) names 10.78.0.0/24; the server identifier override
    // (RFC 5107) is the relay's address there.
    let over = Ipv4Addr::new(10, 78, 0, 1);
    let info: Vec<u8> = [
        &[1, 3, b'p', b'o', b'9'][..],
        &[5, 4, 10, 78, 0, 0],
        &[11, 4],
    ]
    .concat()
    .into_iter()
    .chain(over.octets())
    .collect();
    let mac = [0x52, 0x54, 0, 0x73, 0, 2];
    let replies = exchange(
        &lab,
        &server,
        &[relayed(DISCOVER, mac, 0x302).option(82, &info)],
        0x302,
    );
    let offer = reply_to(&replies, 0x302, OFFER);
    let ip = raw_dhcp::yiaddr(offer);
    assert!(
        (Ipv4Addr::new(10, 78, 0, 100)..=Ipv4Addr::new(10, 78, 0, 199)).contains(&ip),
        "{ip}"
    );
    assert_eq!(raw_dhcp::option(offer, 3), Some(vec![10, 78, 0, 1]));
    assert_eq!(raw_dhcp::option(offer, 82), Some(info.clone()));
    let sid = raw_dhcp::option(offer, 54).expect("a server identifier");
    if !reference_isc() {
        // (ISC dhcpd 4.4 applies the override only when configured to.)
        assert_eq!(sid, over.octets());
    }
    // The client selects that server identifier; the relay passes the request on.
    let request = relayed(REQUEST, mac, 0x303)
        .option(50, &ip.octets())
        .option(54, &sid)
        .option(82, &info);
    let replies = exchange(&lab, &server, &[request], 0x303);
    let ack = reply_to(&replies, 0x303, ACK);
    assert_eq!(raw_dhcp::yiaddr(ack), ip);
    assert_eq!(raw_dhcp::option(ack, 54), Some(sid));
    assert_eq!(raw_dhcp::option(ack, 82), Some(info));

    if reference_isc() {
        // ISC dhcpd drops the request with the three-octet link selection below
        // (`unknown network segment`).
        return;
    }
    let replies = exchange(
        &lab,
        &server,
        &[relayed(DISCOVER, [0x52, 0x54, 0, 0x73, 0, 1], 0x301).option(82, ODD_RELAY_INFO)],
        0x301,
    );
    let offer = reply_to(&replies, 0x301, OFFER);
    let opts = raw_dhcp::options_in_order(offer).expect("well-formed options");
    assert_eq!(
        opts.last(),
        Some(&(82, ODD_RELAY_INFO.to_vec())),
        "option 82 byte for byte, last: {opts:?}"
    );
    // A link selection of three octets selects nothing: the relay's own subnet.
    assert!(
        unknown_pool(raw_dhcp::yiaddr(offer)),
        "{:?}",
        raw_dhcp::yiaddr(offer)
    );
}

#[test]
fn a_host_name_cannot_add_a_line_to_the_log() {
    if reference_isc() {
        eprintln!("a_host_name_cannot_add_a_line_to_the_log: dhcpfo only (its log)");
        return;
    }
    let Some(lab) = lab("a_host_name_cannot_add_a_line_to_the_log") else {
        return;
    };
    let server = Server::start(&lab);
    let mac = [0x52, 0x54, 0, 0x74, 0, 1];
    let replies = exchange(&lab, &server, &[relayed(DISCOVER, mac, 0x401)], 0x401);
    let ip = raw_dhcp::yiaddr(reply_to(&replies, 0x401, OFFER));
    let forged = b"pc\n2026-01-01T00:00:00.000000Z  INFO dhcpfo serve stopped: FORGED\x1b[2J";
    let request = relayed(REQUEST, mac, 0x402)
        .option(12, forged)
        .option(50, &ip.octets())
        .option(54, &SERVER_IP.octets());
    let replies = exchange(&lab, &server, &[request], 0x402);
    reply_to(&replies, 0x402, ACK);
    let log = server.log_with("FORGED");
    let forged_lines: Vec<&str> = log.lines().filter(|l| l.contains("FORGED")).collect();
    assert_eq!(forged_lines.len(), 1, "{log}");
    assert!(
        forged_lines[0].contains(&format!("DHCPACK on {ip} to 52:54:00:74:00:01 (pc\\012"))
            && forged_lines[0].contains("FORGED\\033[2J) via 10.77.0.2"),
        "{log}"
    );
    assert!(!log.contains('\x1b'), "{log}");
}

#[test]
fn dhcpinform_is_answered_only_for_a_client_address_of_a_served_subnet() {
    if reference_isc() {
        // ISC dhcpd answers 10.77.255.255 and 10.78.0.50 too, and sends its ACKs to ciaddr
        // rather than to the relay.
        eprintln!("dhcpinform_is_answered_only_...: dhcpfo only");
        return;
    }
    let Some(lab) = lab("dhcpinform_is_answered_only") else {
        return;
    };
    let server = Server::start(&lab);
    let mac = [0x52, 0x54, 0, 0x75, 0, 1];
    let inform = |ci: [u8; 4], xid: u32| relayed(INFORM, mac, xid).ciaddr(Ipv4Addr::from(ci));
    let frames = [
        inform([224, 0, 0, 251], 0x501),
        inform([10, 77, 255, 255], 0x502),
        inform([10, 99, 0, 5], 0x503),
        // A served subnet, but not the relay's link.
        inform([10, 78, 0, 50], 0x504),
        inform([10, 77, 3, 3], 0x505),
    ];
    let replies = exchange(&lab, &server, &frames, 0x505);
    assert_eq!(xids(&replies), [0x505]);
    let ack = reply_to(&replies, 0x505, ACK);
    assert_eq!(raw_dhcp::option(ack, 3), Some(vec![10, 77, 0, 254]));
    assert_eq!(
        raw_dhcp::option(ack, 51),
        None,
        "no lease time in an INFORM's ACK"
    );
    let log = server.log_with("DHCPACK to 10.77.3.3");
    assert_eq!(lines_with(&log, "DHCPACK to "), 1, "{log}");
    assert!(log.contains("DHCPACK to 10.77.3.3 (52:54:00:75:00:01) via 10.77.0.2"));
    for (ci, why) in [
        ("224.0.0.251", "not a client address"),
        ("10.77.255.255", "the subnet's network or broadcast address"),
        ("10.99.0.5", "not in a served subnet"),
        ("10.78.0.50", "not on the relay's link"),
    ] {
        let line = format!("DHCPINFORM from {ci} via 10.77.0.2: {why}; ignored");
        assert!(log.contains(&line), "{line}:\n{log}");
    }
}

#[test]
fn reply_options_follow_the_clients_order_within_its_maximum_size() {
    let Some(lab) = lab("reply_options_follow_the_clients_order") else {
        return;
    };
    let server = Server::start(&lab);
    let frames = [
        relayed(DISCOVER, [0x52, 0x54, 0, 0x76, 0, 1], 0x601)
            .option(55, &[6, 15, 3, 1, 51, 54])
            .option(57, &576u16.to_be_bytes()),
        // A malformed option 57 (three octets) is ignored, not fatal.
        relayed(DISCOVER, [0x52, 0x54, 0, 0x76, 0, 2], 0x602).option(57, &[5, 220, 0]),
    ];
    let replies = exchange(&lab, &server, &frames, 0x602);
    let offer = reply_to(&replies, 0x601, OFFER);
    assert!(offer.len() + 28 <= 576, "{} octets", offer.len());
    let codes: Vec<u8> = raw_dhcp::options_in_order(offer)
        .expect("well-formed options")
        .iter()
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(codes[..3], [53, 54, 51], "{codes:?}");
    reply_to(&replies, 0x602, OFFER);
    if reference_isc() {
        // ISC dhcpd: 53, 54, 51, 6, 15, 1, 3 (the subnet mask moved ahead of 3) and no T1
        // or T2 in an OFFER.
        return;
    }
    assert_eq!(codes[3..9], [58, 59, 6, 15, 3, 1], "{codes:?}");
    let rest = &codes[9..];
    assert!(rest.windows(2).all(|w| w[0] < w[1]), "{codes:?}");
}

#[test]
fn init_reboot_from_an_unknown_client_is_acked_when_authoritative() {
    let Some(lab) = lab("init_reboot_from_an_unknown_client_acked") else {
        return;
    };
    let server = Server::start(&lab);
    // A client the server has never seen asks for a free address it "remembers".
    let ip = Ipv4Addr::new(10, 77, 2, 200);
    let request = relayed(REQUEST, [0x52, 0x54, 0, 0x77, 0, 1], 0x801).option(50, &ip.octets());
    let replies = exchange(&lab, &server, &[request], 0x801);
    assert_eq!(raw_dhcp::yiaddr(reply_to(&replies, 0x801, ACK)), ip);
    assert_eq!(
        server.lease(ip).map(|l| l.binding_state),
        Some(BindingState::Active)
    );
}

#[test]
fn init_reboot_from_an_unknown_client_is_ignored_when_not_authoritative() {
    let Some(lab) = lab("init_reboot_from_an_unknown_client_ignored") else {
        return;
    };
    let server = Server::start_with(&lab, "info", false);
    let ip = Ipv4Addr::new(10, 77, 2, 201);
    let frames = [
        relayed(REQUEST, [0x52, 0x54, 0, 0x78, 0, 1], 0x811).option(50, &ip.octets()),
        relayed(DISCOVER, [0x52, 0x54, 0, 0x78, 0, 2], 0x812),
    ];
    let replies = exchange(&lab, &server, &frames, 0x812);
    if reference_isc() {
        // Where dhcpfo differs (docs/serve.md): ISC dhcpd 4.4 confirms the free address
        // without `authoritative` too.
        reply_to(&replies, 0x811, ACK);
        return;
    }
    assert_eq!(xids(&replies), [0x812], "{}", server.log());
    // The second client takes its offer: once that ACK is here, its lease is on disk, and so
    // would be one for the first client (the lease file is written in order).
    let offered = raw_dhcp::yiaddr(reply_to(&replies, 0x812, OFFER));
    let take = relayed(REQUEST, [0x52, 0x54, 0, 0x78, 0, 2], 0x813)
        .option(50, &offered.octets())
        .option(54, &SERVER_IP.octets());
    let replies = exchange(&lab, &server, &[take], 0x813);
    reply_to(&replies, 0x813, ACK);
    assert_eq!(server.lease(ip).map(|l| l.binding_state), None);
    let line = format!(
        "DHCPREQUEST for {ip} from 52:54:00:78:00:01 via 10.77.0.2: no record of the client (not authoritative); ignored"
    );
    assert!(server.log().contains(&line), "{}", server.log());
}

/// `serve --format json`, started in a lab and stopped by SIGTERM: every line it writes (its
/// standard output and error go to one log) is a JSON object with a timestamp, a level and a
/// message; a host name sent by a client is still escaped in the message.
#[test]
fn json_logs_are_one_object_a_line_with_client_text_escaped() {
    let test = "json_logs_are_one_object_a_line_with_client_text_escaped";
    if reference_isc() {
        eprintln!("{test}: dhcpfo only (its log)");
        return;
    }
    let Some(lab) = Lab::builder("srvj")
        .host("srv", Some("10.77.0.1/16"))
        .host("load", Some("10.77.0.2/16"))
        .build_or_skip(test)
    else {
        return;
    };
    let proc = serve_ready(&lab, "info", &["--format", "json"]);
    let relay = |frames: &[Frame], marker: u32| {
        let bytes: Vec<Vec<u8>> = frames.iter().map(Frame::bytes).collect();
        raw_dhcp::relay_exchange(lab.ns("load"), SERVER_IP, &bytes, marker)
            .unwrap_or_else(|e| panic!("{e}\n{}", proc.log_text()))
    };
    let mac = [0x52, 0x54, 0, 0x79, 0, 1];
    let replies = relay(&[relayed(DISCOVER, mac, 0x901)], 0x901);
    let ip = raw_dhcp::yiaddr(reply_to(&replies, 0x901, OFFER));
    let forged = b"pc\n{\"level\":\"error\",\"message\":\"FORGED\"}\x1b[2J";
    let request = relayed(REQUEST, mac, 0x902)
        .option(12, forged)
        .option(50, &ip.octets())
        .option(54, &SERVER_IP.octets());
    reply_to(&relay(&[request], 0x902), 0x902, ACK);
    assert!(
        proc.wait_for_log("DHCPACK", Duration::from_secs(15)),
        "{}",
        proc.log_text()
    );
    let log = stop_cleanly(&lab, &proc);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}\n{log}")))
        .collect();
    let messages: Vec<&str> = lines
        .iter()
        .map(|line| {
            assert!(
                line["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')),
                "{line}"
            );
            assert!(
                ["info", "warn"].contains(&line["level"].as_str().unwrap_or("")),
                "{line}"
            );
            line["message"].as_str().expect("a message")
        })
        .collect();
    for expected in ["dhcpfo serve ready", "DHCPACK on", "dhcpfo serve stopped"] {
        assert!(
            messages.iter().any(|m| m.contains(expected)),
            "{expected}: {log}"
        );
    }
    // The client's text stays inside one message, escaped as in the text log.
    let forged_lines: Vec<&&str> = messages.iter().filter(|m| m.contains("FORGED")).collect();
    assert_eq!(forged_lines.len(), 1, "{log}");
    assert!(
        forged_lines[0].contains(&format!(
            r#"DHCPACK on {ip} to 52:54:00:79:00:01 (pc\012{{\"level\":\"error\""#
        )) && forged_lines[0].contains(r#"FORGED\"}\033[2J) via 10.77.0.2"#),
        "{log}"
    );
    assert!(!log.contains('\x1b'), "{log}");
}
