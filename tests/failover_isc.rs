//! `dhcpfo serve` as a failover peer of a real ISC dhcpd 4.4.3, in network namespaces the
//! test creates: both peers rendered from one YAML by `dhcpfo render`, dhcpfo in one role
//! and dhcpd in the other, on one bridge with a client namespace.
//!
//! Needs root, `ip`, `dhcpd` and `dhclient` (scripts/setup-debian.sh); without them a test
//! is skipped with a note, except under CI=true where that is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::netns::{Dhclient, Lab, Proc, tools_or_skip};

/// The model: split 128, a short MCLT, ISC's interop settings.
const PAIR: &str = r#"
failover:
  name: lab-fo
  mclt: 60
  split: 128
  max-response-delay: 30
  max-unacked-updates: 10
  load-balance-max-seconds: 3
peers:
  primary: { address: 10.66.0.2, interfaces: [eth0] }
  secondary: { address: 10.66.0.3, interfaces: [eth0] }
global:
  authoritative: true
  default-lease-time: 10m
  max-lease-time: 20m
subnets:
  - network: 10.66.0.0/16
    pools:
      - range: [10.66.1.0, 10.66.1.39]
"#;

/// Which server plays which role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dhcpfo,
    Isc,
}

/// One running peer.
struct Peer {
    kind: Kind,
    proc: Proc,
    leases: PathBuf,
}

impl Peer {
    fn log(&self) -> String {
        self.proc.log_text()
    }

    /// Waits until the log has `needle` (or panics with both logs after `secs`).
    fn wait_for(&self, needle: &str, secs: u64, other: &Peer) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} from the {:?} peer within {secs} s:\n{}\n---- other peer ----\n{}",
                self.kind,
                self.log(),
                other.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The lab: namespaces `p` (10.66.0.2), `s` (10.66.0.3) and `cl` (a client), the rendered
/// configurations and the model.
struct PairLab {
    lab: Lab,
    model: PathBuf,
    rendered: PathBuf,
}

impl PairLab {
    fn new(test: &str) -> Option<PairLab> {
        if !common::netns::root_or_skip(test) || !tools_or_skip(test, &["dhcpd", "dhclient"]) {
            return None;
        }
        let lab = Lab::builder("foisc")
            .host("p", Some("10.66.0.2/16"))
            .host("s", Some("10.66.0.3/16"))
            .host("cl", None)
            .build();
        let model = lab.dir().join("pair.yaml");
        std::fs::write(&model, PAIR).unwrap();
        let rendered = lab.dir().join("rendered");
        let out = Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
            .arg("render")
            .arg(&model)
            .arg("--out")
            .arg(&rendered)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(PairLab {
            lab,
            model,
            rendered,
        })
    }

    /// Starts `kind` as `role` in its namespace, on a fresh or existing lease file.
    fn start(&self, kind: Kind, role: &str) -> Peer {
        let host = &role[..1];
        match kind {
            Kind::Isc => {
                let conf =
                    std::fs::read_to_string(self.rendered.join(role).join("dhcpd.conf")).unwrap();
                let d = self.lab.dhcpd(host, &format!("isc-{role}"), &conf);
                Peer {
                    kind,
                    proc: d.proc,
                    leases: d.leases,
                }
            }
            Kind::Dhcpfo => {
                let leases = self.lab.dir().join(format!("dhcpfo-{role}.leases"));
                let mut cmd = self.lab.command(host, env!("CARGO_BIN_EXE_dhcpfo"));
                cmd.arg("serve")
                    .arg(&self.model)
                    .args(["--role", role, "--interface", "eth0", "--leases"])
                    .arg(&leases)
                    .env("DHCPFO_LOG", "info");
                let proc = self.lab.spawn(&format!("dhcpfo-{role}"), cmd);
                Peer { kind, proc, leases }
            }
        }
    }

    /// A dhclient run with `mac` (no client identifier: the hash runs on the MAC).
    fn client(&self, mac: &str) -> Option<std::net::Ipv4Addr> {
        let opts = Dhclient {
            mac: Some(mac.to_string()),
            lease_file: Some(self.lab.dir().join(format!("cl-{mac}.leases"))),
            ..Dhclient::default()
        };
        self.lab.dhclient("cl", &opts).bound
    }
}

/// The last `my state` of a lease file.
fn last_my_state(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("my state "))
        .and_then(|s| s.split(" at ").next())
        .map(str::to_string)
}

/// Both peers log ISC's `Both servers normal` within 30 s of the second start, and each
/// records `my state normal`.
fn reach_normal(primary: Kind, secondary: Kind, test: &str) -> Option<(PairLab, Peer, Peer)> {
    let lab = PairLab::new(test)?;
    let p = lab.start(primary, "primary");
    let s = lab.start(secondary, "secondary");
    let normal = "failover peer lab-fo: Both servers normal";
    p.wait_for(normal, 30, &s);
    s.wait_for(normal, 30, &p);
    for peer in [&p, &s] {
        peer.wait_for("I move from recover-done to normal", 5, peer);
        let deadline = Instant::now() + Duration::from_secs(10);
        while last_my_state(&peer.leases).as_deref() != Some("normal") {
            assert!(
                Instant::now() < deadline,
                "{:?} did not record normal",
                peer.kind
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    Some((lab, p, s))
}

#[test]
fn dhcpfo_primary_and_isc_secondary_reach_normal() {
    let test = "dhcpfo_primary_and_isc_secondary_reach_normal";
    let Some((_lab, p, s)) = reach_normal(Kind::Dhcpfo, Kind::Isc, test) else {
        return;
    };
    // ISC's own words on its side: a fresh pair recovers both ways first.
    let isc = s.log();
    assert!(
        isc.contains("failover peer lab-fo: peer moves from recover-done to normal"),
        "{isc}"
    );
    assert!(!isc.contains("rejected"), "{isc}");
    assert!(!p.log().contains("ERROR"), "{}", p.log());
}

#[test]
fn isc_primary_and_dhcpfo_secondary_reach_normal() {
    let test = "isc_primary_and_dhcpfo_secondary_reach_normal";
    let Some((lab, p, s)) = reach_normal(Kind::Isc, Kind::Dhcpfo, test) else {
        return;
    };
    let isc = p.log();
    assert!(
        isc.contains("failover peer lab-fo: peer moves from recover-done to normal"),
        "{isc}"
    );
    // The ISC primary balances the fresh pool: half of it reaches dhcpfo as BACKUP.
    p.wait_for("balanced pool", 10, &s);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&s.leases).unwrap_or_default();
        if text.matches("binding state backup;").count() >= 20 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no BACKUP leases on dhcpfo:\n{text}\n{}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // 02:cc:00:00:00:03 hashes to the secondary (bucket 173): dhcpfo serves it from BACKUP,
    // and ISC's lease file learns the lease through BNDUPD.
    let ip = lab
        .client("02:cc:00:00:00:03")
        .expect("a lease from the secondary");
    s.wait_for(&format!("DHCPACK on {ip} to 02:cc:00:00:00:03"), 5, &p);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !lease_active_for(&p.leases, ip, "02:cc:00:00:00:03") {
        assert!(
            Instant::now() < deadline,
            "ISC did not learn {ip}:\n{}",
            p.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!s.log().contains("ERROR"), "{}", s.log());
}

/// Whether the last record of `ip` in a lease file is active for `mac`.
fn lease_active_for(path: &Path, ip: std::net::Ipv4Addr, mac: &str) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let head = format!("lease {ip} {{");
    text.rfind(&head).is_some_and(|at| {
        let rec = &text[at..];
        let rec = &rec[..rec.find("\n}").unwrap_or(rec.len())];
        rec.contains("binding state active;") && rec.contains(&format!("hardware ethernet {mac};"))
    })
}
