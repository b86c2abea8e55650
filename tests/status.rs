//! `dhcpfo status` on lease files written by a real ISC dhcpd failover pair, run by the test
//! in network namespaces it creates, and read over SSH from two real sshd daemons.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::sshd::{Lab, tool_or_skip};

/// A bridge namespace and one namespace per peer (`eth0` on the bridge), deleted on drop.
struct Netns {
    names: Vec<String>,
}

impl Netns {
    fn ip(args: &[&str]) {
        let out = Command::new("ip").args(args).output().expect("run ip");
        assert!(
            out.status.success(),
            "ip {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `prefix` + PID keeps the names unique; each peer gets `address/24`.
    fn create(peers: &[&str; 2], addresses: [&str; 2]) -> Netns {
        let prefix = format!("dfst{}", std::process::id());
        let bridge = format!("{prefix}b");
        let mut netns = Netns {
            names: vec![bridge.clone()],
        };
        Self::ip(&["netns", "add", &bridge]);
        Self::ip(&[
            "netns", "exec", &bridge, "ip", "link", "add", "br0", "type", "bridge",
        ]);
        Self::ip(&["netns", "exec", &bridge, "ip", "link", "set", "br0", "up"]);
        for (peer, address) in peers.iter().zip(addresses) {
            let ns = format!("{prefix}{peer}");
            let veth = format!("v{prefix}{peer}");
            Self::ip(&["netns", "add", &ns]);
            netns.names.push(ns.clone());
            Self::ip(&[
                "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &ns,
            ]);
            Self::ip(&["link", "set", &veth, "netns", &bridge]);
            Self::ip(&[
                "netns", "exec", &bridge, "ip", "link", "set", &veth, "master", "br0",
            ]);
            Self::ip(&["netns", "exec", &bridge, "ip", "link", "set", &veth, "up"]);
            Self::ip(&["netns", "exec", &ns, "ip", "link", "set", "lo", "up"]);
            Self::ip(&["netns", "exec", &ns, "ip", "link", "set", "eth0", "up"]);
            Self::ip(&[
                "netns",
                "exec",
                &ns,
                "ip",
                "addr",
                "add",
                &format!("{address}/24"),
                "dev",
                "eth0",
            ]);
        }
        netns
    }

    fn name(&self, i: usize) -> &str {
        &self.names[i + 1]
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for name in self.names.iter().rev() {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

/// A dhcpd started in a namespace, killed by its PID on drop.
struct Dhcpd(Option<Child>);

impl Dhcpd {
    fn start(ns: &str, dhcpd: &Path, conf: &Path, leases: &Path, pid: &Path, log: &Path) -> Dhcpd {
        let _ = std::fs::remove_file(pid);
        let log = std::fs::File::create(log).expect("log");
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(dhcpd)
            .args(["-4", "-d", "-cf"])
            .arg(conf)
            .arg("-lf")
            .arg(leases)
            .arg("-pf")
            .arg(pid)
            .arg("eth0")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start dhcpd");
        Dhcpd(Some(child))
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Dhcpd {
    fn drop(&mut self) {
        self.stop();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Waits (bounded) until `pred` holds for the lease file's text.
fn wait_for(path: &Path, what: &str, pred: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if pred(&text) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what} in {}:\n{text}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The last `my state` of the file.
fn last_my_state(text: &str) -> Option<&str> {
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("my state "))
        .and_then(|s| s.split(" at ").next())
}

fn status_json(lab: &Lab, model: &Path) -> (Option<i32>, serde_json::Value, String) {
    let out = lab
        .dhcpfo(&["status", model.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), json, text)
}

#[test]
fn status_reads_a_real_failover_pair() {
    let test = "status_reads_a_real_failover_pair";
    let Some(dhcpd) = common::dhcpd_or_skip(test) else {
        return;
    };
    if tool_or_skip(test, "/usr/bin/ip", "iproute2").is_none() {
        return;
    }
    if !is_root() {
        assert!(
            std::env::var("CI").is_ok_and(|v| v != "true") || std::env::var("CI").is_err(),
            "{test}: network namespaces need root, and CI=true"
        );
        eprintln!("note: {test}: skipped, network namespaces need root");
        return;
    }
    let Some(lab) = Lab::start(test) else {
        return;
    };
    let model = lab.write_model("192.168.50.0/24", "");
    let out_dir = lab.tmp.path().join("rendered");
    let out = lab
        .dhcpfo(&[
            "render",
            model.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let netns = Netns::create(&["p", "s"], ["192.168.50.100", "192.168.50.102"]);
    // Each peer's real dhcpd writes the lease file in the peer's folder; the status command
    // asks whether that dhcpd process runs.
    let mut servers: Vec<Dhcpd> = Vec::new();
    for (i, role) in ["primary", "secondary"].iter().enumerate() {
        let p = lab.peer(i);
        let pid = p.path("dhcpd.pid");
        std::fs::write(
            p.path("bin/status"),
            format!(
                "#!/bin/sh\nkill -0 \"$(cat {})\" 2>/dev/null\n",
                pid.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(p.path("bin/status"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let conf: PathBuf = out_dir.join(role).join("dhcpd.conf");
        servers.push(Dhcpd::start(
            netns.name(i),
            &dhcpd,
            &conf,
            &p.path("var/lib/dhcp/dhcpd.leases"),
            &pid,
            &p.path("dhcpd.log"),
        ));
    }
    for i in 0..2 {
        let leases = lab.peer(i).path("var/lib/dhcp/dhcpd.leases");
        // Normal on both sides, and the primary's pool balancing has reached this file.
        wait_for(&leases, "both servers normal and a balanced pool", |t| {
            t.contains("partner state normal")
                && last_my_state(t) == Some("normal")
                && t.contains("binding state backup;")
        });
    }

    let (code, json, text) = status_json(&lab, &model);
    assert_eq!(code, Some(0), "{text}");
    let mut totals = Vec::new();
    for (i, peer) in json["peers"].as_array().unwrap().iter().enumerate() {
        assert_eq!(peer["peer"], ["primary", "secondary"][i], "{text}");
        assert_eq!(peer["reachable"], true, "{text}");
        assert_eq!(peer["service_running"], true, "{text}");
        let fo = &peer["failover"][0];
        assert_eq!(fo["name"], "lab-fo", "{text}");
        assert_eq!(
            (fo["my_state"].as_str(), fo["partner_state"].as_str()),
            (Some("normal"), Some("normal")),
            "{text}"
        );
        let since = fo["my_since"].as_u64().unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(
            since <= now + 1 && now - since < 120,
            "normal since {since}, now {now}"
        );
        let pool = &peer["pools"][0];
        assert_eq!(pool["ranges"], "192.168.50.150-192.168.50.199", "{text}");
        let c = &pool["counts"];
        let n = |k: &str| c[k].as_u64().unwrap();
        assert_eq!(
            n("free") + n("backup") + n("active") + n("expired") + n("abandoned") + n("other"),
            50,
            "{text}"
        );
        assert!(
            n("free") > 0 && n("backup") > 0,
            "a balanced pool has both: {text}"
        );
        totals.push((n("free"), n("backup")));
        assert!(peer["clock_offset"].as_f64().unwrap().abs() < 5.0, "{text}");
        assert!(peer["errors"].as_array().unwrap().is_empty(), "{text}");
    }
    // The counts come from each peer's own file; the primary logged its balance.
    let log = lab.peer(0).read("dhcpd.log");
    let (free, backup) = totals[0];
    assert!(
        log.contains(&format!("total 50  free {free}  backup {backup}")),
        "{log}\n{totals:?}"
    );
    assert_eq!(json["clock"], "ok", "{text}");
    assert!(json["clock_skew"].as_f64().unwrap().abs() < 5.0, "{text}");

    // Human output names the states and counts.
    let out = lab
        .dhcpfo(&["status", model.to_str().unwrap()])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("failover \"lab-fo\": my state normal since"),
        "{human}"
    );
    assert!(
        human.contains(&format!("free {free}, backup {backup}")),
        "{human}"
    );

    // The secondary's dhcpd stops: the primary moves to communications-interrupted, and
    // status says so (exit 1: reachable, not healthy).
    servers[1].stop();
    let leases = lab.peer(0).path("var/lib/dhcp/dhcpd.leases");
    wait_for(&leases, "communications-interrupted", |t| {
        last_my_state(t) == Some("communications-interrupted")
    });
    let (code, json, text) = status_json(&lab, &model);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(
        json["peers"][0]["failover"][0]["my_state"], "communications-interrupted",
        "{text}"
    );
    assert_eq!(json["peers"][0]["service_running"], true, "{text}");
    assert_eq!(json["peers"][1]["service_running"], false, "{text}");
    drop(servers);
    drop(netns);
}
