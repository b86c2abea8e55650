//! `dhcpfo serve` against a real ISC dhclient, in network namespaces that each test creates
//! (a bridge namespace, a server namespace and a client namespace, named with a prefix and
//! the PID, deleted on drop). Needs root, `ip` and `dhclient`; without them a test is skipped,
//! except under CI=true where that is a failure.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dhcpfo");

const PAIR: &str = r#"
failover: { name: lab, mclt: 1h, split: 128 }
peers:
  primary: { address: 192.168.77.2, interfaces: [eth0] }
  secondary: { address: 192.168.77.3, interfaces: [eth0] }
global:
  authoritative: true
  default-lease-time: 10m
  max-lease-time: 1h
  options: { domain-name: lab.example, domain-name-servers: [192.168.77.53] }
subnets:
  - network: 192.168.77.0/24
    options: { routers: 192.168.77.1 }
    pools:
      - range: [192.168.77.100, 192.168.77.120]
"#;

static NEXT: AtomicUsize = AtomicUsize::new(0);

fn tool(name: &str) -> bool {
    common::find_tool(name).is_some()
}

/// Whether the test can run; under CI=true a missing prerequisite panics.
fn prerequisites(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let missing: Vec<&str> = [
        ("root", root),
        ("ip", tool("ip")),
        ("dhclient", tool("dhclient")),
    ]
    .iter()
    .filter(|(_, ok)| !ok)
    .map(|(n, _)| *n)
    .collect();
    if missing.is_empty() {
        return true;
    }
    if common::in_ci() {
        panic!(
            "{test}: missing {missing:?} under CI=true (scripts/setup-debian.sh installs them; run as root)"
        );
    }
    eprintln!("note: {test}: skipped, missing {missing:?}");
    false
}

fn run(args: &[&str]) {
    let st = Command::new(args[0])
        .args(&args[1..])
        .status()
        .expect("spawns");
    assert!(st.success(), "{args:?} failed");
}

/// A bridge namespace with a server and a client namespace attached; deleted on drop.
struct Lab {
    bridge: String,
    server: String,
    client: String,
    dir: tempfile::TempDir,
}

impl Lab {
    fn new() -> Lab {
        let id = format!(
            "{}x{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let lab = Lab {
            bridge: format!("dfsb{id}"),
            server: format!("dfss{id}"),
            client: format!("dfsc{id}"),
            dir: tempfile::tempdir().expect("tempdir"),
        };
        run(&["ip", "netns", "add", &lab.bridge]);
        let b = lab.bridge.as_str();
        run(&[
            "ip", "netns", "exec", b, "ip", "link", "add", "br0", "type", "bridge",
        ]);
        run(&["ip", "netns", "exec", b, "ip", "link", "set", "br0", "up"]);
        for (i, ns) in [&lab.server, &lab.client].into_iter().enumerate() {
            let veth = format!("v{i}{id}");
            let veth = &veth[..veth.len().min(15)];
            run(&["ip", "netns", "add", ns]);
            run(&[
                "ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns,
            ]);
            run(&["ip", "link", "set", veth, "netns", b]);
            run(&[
                "ip", "netns", "exec", b, "ip", "link", "set", veth, "master", "br0",
            ]);
            run(&["ip", "netns", "exec", b, "ip", "link", "set", veth, "up"]);
            run(&["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
            run(&["ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up"]);
        }
        run(&[
            "ip",
            "netns",
            "exec",
            &lab.server,
            "ip",
            "addr",
            "add",
            "192.168.77.2/24",
            "dev",
            "eth0",
        ]);
        lab
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts the server; waits for its `ready` line.
    fn serve(&self, log: &str) -> Server {
        let log = self.path(log);
        let child = Command::new("ip")
            .args(["netns", "exec", &self.server, BIN, "serve"])
            .arg(self.path("pair.yaml"))
            .args(["--role", "standalone", "--interface", "eth0", "--leases"])
            .arg(self.path("dhcpd.leases"))
            .env("DHCPFO_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("starts");
        let server = Server { child, log };
        server.wait_for("ready");
        server
    }

    /// Runs `dhclient -1` once in the client namespace; returns its lease file's text.
    fn dhclient(&self, lease_file: &str) -> String {
        let lf = self.path(lease_file);
        let pf = self.path("dhclient.pid");
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.client,
                "dhclient",
                "-1",
                "-sf",
                "/bin/true",
                "-lf",
            ])
            .arg(&lf)
            .arg("-pf")
            .arg(&pf)
            .arg("eth0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dhclient starts");
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // dhclient -1 forks into the background once bound; stop that daemon by its PID.
        if let Ok(pid) = std::fs::read_to_string(&pf)
            && let Ok(pid) = pid.trim().parse::<i32>()
        {
            // SAFETY: kill(2) on the PID of the dhclient this test started.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        std::fs::read_to_string(&lf).unwrap_or_default()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in [&self.client, &self.server, &self.bridge] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.log().contains(text) {
            assert!(
                Instant::now() < deadline,
                "no `{text}` in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, sig: &str) {
        // `ip netns exec` execs the server, so the child's PID is the server's.
        run(&["kill", sig, &self.child.id().to_string()]);
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> Option<i32> {
        self.signal("-TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code();
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a statement in a dhclient lease file, e.g. `fixed-address`.
fn client_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix(key))
        .map(|v| v.trim().trim_end_matches(';').trim().to_string())
}

#[test]
fn dhclient_gets_a_pool_address_with_the_model_options_and_keeps_it_after_restart() {
    if !prerequisites("dhclient_gets_a_pool_address") {
        return;
    }
    let lab = Lab::new();
    std::fs::write(lab.path("pair.yaml"), PAIR).expect("writable");
    let server = lab.serve("serve1.log");
    let lease = lab.dhclient("client1.leases");
    let ip = client_value(&lease, "fixed-address").expect("dhclient got an address");
    let last: u8 = ip
        .rsplit('.')
        .next()
        .and_then(|o| o.parse().ok())
        .expect("an IPv4");
    assert!(
        ip.starts_with("192.168.77.") && (100..=120).contains(&last),
        "{ip}"
    );
    assert_eq!(
        client_value(&lease, "option routers").as_deref(),
        Some("192.168.77.1")
    );
    assert_eq!(
        client_value(&lease, "option domain-name-servers").as_deref(),
        Some("192.168.77.53")
    );
    assert_eq!(
        client_value(&lease, "option domain-name").as_deref(),
        Some("\"lab.example\"")
    );
    assert_eq!(
        client_value(&lease, "option dhcp-lease-time").as_deref(),
        Some("600")
    );
    let log = server.log();
    assert!(log.contains("DHCPDISCOVER from "), "{log}");
    assert!(log.contains(&format!("DHCPACK on {ip} to ")), "{log}");
    assert_eq!(server.stop(), Some(0), "SIGTERM stops cleanly");
    let file = std::fs::read_to_string(lab.path("dhcpd.leases")).expect("lease file");
    assert!(file.contains(&format!("lease {ip} {{")), "{file}");
    assert!(file.contains("binding state active;"), "{file}");
    isc_tools_read(&lab, &ip);

    // A restarted server gives the same client the same address, even to a fresh DISCOVER.
    let server = lab.serve("serve2.log");
    assert!(server.log().contains("1 lease(s)"), "{}", server.log());
    let again = lab.dhclient("client2.leases");
    assert_eq!(client_value(&again, "fixed-address"), Some(ip));
    assert_eq!(server.stop(), Some(0));
}

/// ISC's own tools read the server's lease file: `dhcpd -T` without complaint, and
/// `dhcp-lease-list` lists the lease.
fn isc_tools_read(lab: &Lab, ip: &str) {
    let file = lab.path("dhcpd.leases");
    if let Some(dhcpd) = common::dhcpd_or_skip("serve lease file: dhcpd -T") {
        let copy = lab.path("copy.leases");
        std::fs::copy(&file, &copy).expect("copies");
        let conf = lab.path("dhcpd.conf");
        std::fs::write(
            &conf,
            "subnet 192.168.77.0 netmask 255.255.255.0 { range 192.168.77.100 192.168.77.120; }\n",
        )
        .expect("writable");
        let out = Command::new(dhcpd)
            .args(["-T", "-4", "-cf"])
            .arg(&conf)
            .arg("-lf")
            .arg(&copy)
            .arg("-pf")
            .arg(lab.path("dhcpd.pid"))
            .output()
            .expect("dhcpd runs");
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{log}");
        assert!(!log.contains("orrupt") && !log.contains(" line "), "{log}");
        assert!(log.contains("Wrote 1 leases"), "{log}");
    }
    if let Some(list) =
        common::tool_or_skip("serve lease file", "dhcp-lease-list", "isc-dhcp-server")
    {
        let out = Command::new("perl")
            .arg(list)
            .arg("--lease")
            .arg(&file)
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
fn sighup_reloads_a_valid_model_and_refuses_an_invalid_one() {
    if !prerequisites("sighup_reloads") {
        return;
    }
    let lab = Lab::new();
    let pair = lab.path("pair.yaml");
    std::fs::write(&pair, PAIR).expect("writable");
    let server = lab.serve("serve.log");
    std::fs::write(&pair, "failover: [not, a, model\n").expect("writable");
    server.signal("-HUP");
    server.wait_for("reload of");
    let lease = lab.dhclient("client1.leases");
    assert!(
        client_value(&lease, "fixed-address").is_some(),
        "still serving the old model:\n{}",
        server.log()
    );
    std::fs::write(&pair, PAIR.replace("192.168.77.53", "192.168.77.54")).expect("writable");
    server.signal("-HUP");
    server.wait_for("reloaded");
    assert!(server.log().contains("1 lease(s) kept"), "{}", server.log());
    let lease = lab.dhclient("client2.leases");
    assert_eq!(
        client_value(&lease, "option domain-name-servers").as_deref(),
        Some("192.168.77.54")
    );
    assert_eq!(server.stop(), Some(0));
}

#[test]
fn an_invalid_model_exits_1_a_missing_interface_or_bad_lease_file_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pair = dir.path().join("pair.yaml");
    let leases = dir.path().join("dhcpd.leases");
    std::fs::write(&pair, "peers: {}\n").expect("writable");
    let st = Command::new(BIN)
        .arg("serve")
        .arg(&pair)
        .args(["--role", "standalone", "--interface", "eth0", "--leases"])
        .arg(&leases)
        .output()
        .expect("runs");
    assert_eq!(
        st.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    std::fs::write(&pair, PAIR).expect("writable");
    let st = Command::new(BIN)
        .arg("serve")
        .arg(&pair)
        .args([
            "--role",
            "standalone",
            "--interface",
            "no-such-if9",
            "--leases",
        ])
        .arg(&leases)
        .output()
        .expect("runs");
    assert_eq!(st.status.code(), Some(2));
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(
        err.contains("no-such-if9") && err.contains("DF012"),
        "{err}"
    );
    std::fs::write(&leases, "lease 10.0.0.1 {\n  binding state sideways;\n}\n").expect("writable");
    let st = Command::new(BIN)
        .arg("serve")
        .arg(&pair)
        .args(["--role", "standalone", "--interface", "lo", "--leases"])
        .arg(&leases)
        .output()
        .expect("runs");
    assert_eq!(st.status.code(), Some(2));
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(err.contains("DF011") && err.contains("line 2"), "{err}");
}
