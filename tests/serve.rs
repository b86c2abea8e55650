//! `dhcpfo serve` with real clients, in network namespaces that each test creates
//! (tests/common/netns.rs): ISC dhclient, perfdhcp (relay mode, `-u` uniqueness), tcpdump
//! for the ACKs a client received, `kill -9`, restarts and SIGHUP reloads; ISC's own
//! `dhcpd -T` and `dhcp-lease-list` read the lease file.
//!
//! The same tests run against ISC dhcpd serving the equivalent dhcpd.conf when
//! `DHCPFO_SERVE_REFERENCE=isc` is set: that checks the tests themselves against the
//! reference server.
//!
//! Needs root, `ip`, `dhclient`, `perfdhcp` and `tcpdump` (scripts/setup-debian.sh); without
//! them a test is skipped with a note, except under CI=true where that is a failure.

mod common;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::netns::{Dhclient, Lab, Proc, acks_in_pcap, tools_or_skip};
use dhcpfo::leases::{BindingState, Lease, LeaseFile, parse};

/// The model: one /16 subnet; unknown clients get 10.77.1.0-10.77.4.255, known clients
/// 10.77.0.20-10.77.0.29, the printer its fixed address.
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
}

impl<'a> Server<'a> {
    fn start(lab: &'a Lab) -> Server<'a> {
        Server::start_logging(lab, "info")
    }

    /// Starts the server with `DHCPFO_LOG=level`; the `ready` line shows at any level.
    fn start_logging(lab: &'a Lab, log_level: &'static str) -> Server<'a> {
        let mut server = Server {
            lab,
            leases: lab.dir().join("server.leases"),
            proc: None,
            starts: 0,
            logs: Vec::new(),
            log_level,
        };
        server.restart();
        server
    }

    /// Starts the server (again) and waits until it serves.
    fn restart(&mut self) {
        assert!(self.proc.is_none(), "the server is still running");
        self.starts += 1;
        let name = format!("server-{}", self.starts);
        let (proc, ready) = if reference_isc() {
            let dhcpd = self.lab.dhcpd("srv", &name, ISC_CONF);
            // The lease file is per name in the lab; carry the journal over.
            if self.leases.exists() {
                std::fs::copy(&self.leases, &dhcpd.leases).unwrap();
            }
            self.leases = dhcpd.leases.clone();
            (dhcpd.proc, "Server starting service.")
        } else {
            let pair = self.lab.dir().join("pair.yaml");
            std::fs::write(&pair, PAIR).unwrap();
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
    lab.dhclient(
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
fn dhclient_gets_a_pool_address_with_the_model_options() {
    let Some(lab) = lab("dhclient_gets_a_pool_address_with_the_model_options") else {
        return;
    };
    let mut server = Server::start(&lab);
    let mac = "52:54:00:10:00:01";
    let got = dhclient(&lab, mac, "first");
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
            "option {option} in {:?}",
            got.options
        );
    }
    assert_eq!(got.options.get("fixed-address"), Some(&ip.to_string()));
    let log = server.log();
    assert!(log.contains(&format!("DHCPDISCOVER from {mac}")), "{log}");
    assert!(log.contains(&format!("DHCPACK on {ip} to {mac}")), "{log}");
    // The lease is on disk, active, with the client's MAC and host name.
    let lease = server.lease(ip).expect("the lease is in the lease file");
    assert_eq!(lease.binding_state, BindingState::Active);
    assert_eq!(lease.hardware.map(|h| h.to_hex()).as_deref(), Some(mac));
    assert_eq!(lease.client_hostname.as_deref(), Some("h-first"));
    // SIGTERM stops cleanly, and ISC's tools read what is left on disk.
    server.stop();
    isc_tools_read(&lab, &server.leases, ip);
}

/// ISC's own tools read a lease file holding one lease, `ip`: `dhcpd -T` loads it without
/// complaint, and `dhcp-lease-list` lists the lease.
fn isc_tools_read(lab: &Lab, file: &std::path::Path, ip: Ipv4Addr) {
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
        assert!(log.contains("Wrote 1 leases"), "{log}");
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
        assert!(
            text.lines()
                .any(|l| l.starts_with("MAC ") && l.contains(&format!("IP {ip} "))),
            "{text}"
        );
    }
}

#[test]
fn known_and_unknown_clients_get_their_own_addresses() {
    let Some(lab) = lab("known_and_unknown_clients_get_their_own_addresses") else {
        return;
    };
    let server = Server::start(&lab);
    // A known host with a fixed address gets it.
    let printer = dhclient(&lab, PRINTER, "printer");
    assert_eq!(bound(&printer, &server), Ipv4Addr::new(10, 77, 0, 10));
    assert_eq!(
        printer.options.get("routers").map(String::as_str),
        Some("10.77.0.254")
    );
    // A known host without one gets the known-clients pool.
    let laptop = dhclient(&lab, LAPTOP, "laptop");
    let laptop_ip = bound(&laptop, &server);
    assert!(known_pool(laptop_ip), "laptop got {laptop_ip}");
    // Unknown clients only ever get the unknown-clients pool.
    for n in 0..3 {
        let mac = format!("52:54:00:20:00:{n:02x}");
        let got = dhclient(&lab, &mac, &format!("unknown-{n}"));
        let ip = bound(&got, &server);
        assert!(unknown_pool(ip), "unknown client {mac} got {ip}");
    }
    // Even when one insists on an address of the known-clients pool (dhclient then puts
    // option 50 in every DISCOVER and REQUEST): it is never ACKed.
    let wanted = Ipv4Addr::new(10, 77, 0, 25);
    let insisting = lab.dhclient(
        "cli",
        &Dhclient {
            mac: Some("52:54:00:20:00:99".into()),
            request_address: Some(wanted),
            lease_file: Some(lab.dir().join("insisting.leases")),
            timeout_secs: 6,
            ..Dhclient::default()
        },
    );
    assert_ne!(insisting.bound, Some(wanted), "{}", insisting.log);
    if let Some(ip) = insisting.bound {
        assert!(unknown_pool(ip), "the insisting client got {ip}");
    }
    let log = server.log();
    assert!(!log.contains(&format!("DHCPACK on {wanted} ")), "{log}");
    assert!(
        log.contains("DHCPDISCOVER from 52:54:00:20:00:99"),
        "the insisting client was not heard:\n{log}"
    );
}

#[test]
fn release_then_discover() {
    let Some(lab) = lab("release_then_discover") else {
        return;
    };
    let server = Server::start(&lab);
    let mac = "52:54:00:30:00:01";
    let lease_file = lab.dir().join("release.leases");
    let opts = Dhclient {
        mac: Some(mac.into()),
        lease_file: Some(lease_file.clone()),
        ..Dhclient::default()
    };
    let got = lab.dhclient("cli", &opts);
    let ip = bound(&got, &server);
    assert_eq!(
        server.lease(ip).map(|l| l.binding_state),
        Some(BindingState::Active)
    );
    // A real client has its address configured when it releases; dhclient sends the
    // RELEASE by unicast from it.
    lab.run_ok(
        "cli",
        &["ip", "addr", "add", &format!("{ip}/16"), "dev", "eth0"],
    );
    let released = lab.dhclient(
        "cli",
        &Dhclient {
            release: true,
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
            "no DHCPRELEASE logged:\n{}\n--- dhclient ---\n{}",
            server.log(),
            released.log
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    lab.run_ok(
        "cli",
        &["ip", "addr", "del", &format!("{ip}/16"), "dev", "eth0"],
    );
    let state = server.lease(ip).map(|l| l.binding_state);
    assert!(
        matches!(state, Some(BindingState::Released | BindingState::Free)),
        "after the release the lease is {state:?}"
    );
    // A new DISCOVER (fresh client state) is served again.
    let before = server
        .log()
        .matches(&format!("DHCPDISCOVER from {mac}"))
        .count();
    std::fs::remove_file(&lease_file).unwrap();
    let again = lab.dhclient("cli", &opts);
    let ip2 = bound(&again, &server);
    assert!(unknown_pool(ip2), "{ip2}");
    let after = server
        .log()
        .matches(&format!("DHCPDISCOVER from {mac}"))
        .count();
    assert!(after > before, "no new DHCPDISCOVER:\n{}", server.log());
    assert_eq!(
        server.lease(ip2).map(|l| l.binding_state),
        Some(BindingState::Active)
    );
}

#[test]
fn a_restarted_server_gives_a_client_the_same_address() {
    let Some(lab) = lab("a_restarted_server_gives_a_client_the_same_address") else {
        return;
    };
    let mut server = Server::start(&lab);
    // Several clients first, so that the address is not simply the first free one.
    let mut first = BTreeMap::new();
    for n in 0..3 {
        let mac = format!("52:54:00:40:00:{n:02x}");
        let got = dhclient(&lab, &mac, &format!("before-{n}"));
        first.insert(mac, bound(&got, &server));
    }
    server.stop();
    server.restart();
    // Reversed order, fresh client state (a DISCOVER without a requested address): only the
    // server's memory can give the same addresses back.
    for (n, (mac, ip)) in first.iter().enumerate().rev() {
        let got = dhclient(&lab, mac, &format!("after-{n}"));
        assert_eq!(bound(&got, &server), *ip, "{mac} after the restart");
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
    // 10 s of load at 500 exchanges/s; the server dies after about 2 s.
    let perf = perfdhcp_background(&lab, "perfdhcp", &["-r", "500", "-R", "800", "-p", "10"]);
    std::thread::sleep(Duration::from_secs(2));
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
        .host("srv", Some("10.78.0.1/24"))
        .build_or_skip(test)
    else {
        return;
    };
    let pair = lab.dir().join("pair.yaml");
    std::fs::write(&pair, PAIR).unwrap();
    let mut cmd = lab.command("srv", env!("CARGO_BIN_EXE_dhcpfo"));
    cmd.arg("serve")
        .arg(&pair)
        .args(["--role", "standalone", "--interface", "eth0", "--leases"])
        .arg(lab.dir().join("server.leases"))
        .env("DHCPFO_LOG", "warn");
    let proc = lab.spawn("server", cmd);
    assert!(
        proc.wait_for_log("dhcpfo serve ready", Duration::from_secs(30)),
        "{}",
        proc.log_text()
    );
    let log = proc.log_text();
    assert!(
        log.contains("eth0 has no address in any subnet of the model (10.78.0.1)"),
        "{log}"
    );
    lab.signal(&proc, libc::SIGTERM);
    let status = lab.wait(&proc, Duration::from_secs(15));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "{}",
        proc.log_text()
    );
}
