//! `dhcpfo status` on lease files written by a real ISC dhcpd failover pair, run by the test
//! in network namespaces it creates, and read over SSH from two real sshd daemons.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::netns;
use common::sshd::Lab;

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

/// `dhcpfo serve MODEL --role ROLE` in `host`'s namespace, on a lease file of its own.
fn dhcpfo_serve(net: &netns::Lab, host: &str, role: &str, model: &Path) -> netns::Dhcpd {
    let leases = net.dir().join(format!("{role}.leases"));
    let mut cmd = net.command(host, env!("CARGO_BIN_EXE_dhcpfo"));
    cmd.arg("serve")
        .arg(model)
        .args(["--role", role, "--interface", "eth0", "--leases"])
        .arg(&leases)
        .env("DHCPFO_LOG", "info");
    let proc = net.spawn(role, cmd);
    assert!(
        proc.wait_for_log("dhcpfo serve ready", Duration::from_secs(30)),
        "dhcpfo serve did not start:\n{}",
        proc.log_text()
    );
    netns::Dhcpd {
        proc,
        leases,
        conf: model.to_path_buf(),
    }
}

/// `dhcpfo failover state --role secondary` pointed at the primary's control socket: the
/// server there is named in a DF035 error (one JSON object for `--format json`), exit 2; the
/// right role gets the primary's state.
fn failover_state_refuses_the_wrong_peer(model: &Path, leases: &Path) {
    let ask = |role: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
            .args(["failover", "state"])
            .arg(model)
            .args(["--role", role, "--format", "json", "--leases"])
            .arg(leases)
            .output()
            .unwrap()
    };
    let out = ask("secondary");
    let text = String::from_utf8_lossy(&out.stdout);
    let reply: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert_eq!(reply["ok"], false, "{text}");
    assert_eq!(reply["errors"][0]["code"], "DF035", "{text}");
    let message = reply["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("the primary of \"lab-fo\""), "{text}");
    let out = ask("primary");
    let text = String::from_utf8_lossy(&out.stdout);
    let reply: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(reply["status"]["state"], "normal", "{text}");
    assert_eq!(reply["errors"], serde_json::json!([]), "{text}");
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
    status_reads_a_live_pair("status_reads_a_real_failover_pair", false);
}

/// `dhcpfo serve` as the primary of a pair with an ISC secondary: status shows the dhcpfo
/// peer's failover state, pools and service exactly as it shows ISC's.
#[test]
fn status_reads_a_dhcpfo_peer_like_an_isc_one() {
    status_reads_a_live_pair("status_reads_a_dhcpfo_peer_like_an_isc_one", true);
}

/// A live pair (ISC dhcpd on both sides, or `dhcpfo serve` as the primary) read by
/// `dhcpfo status` over SSH, before and after the secondary dies.
fn status_reads_a_live_pair(test: &str, dhcpfo_primary: bool) {
    if common::dhcpd_or_skip(test).is_none() || !netns::root_or_skip(test) {
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
    let Some(net) = netns::Lab::builder("st")
        .host("srv1", Some("192.168.50.100/24"))
        .host("srv2", Some("192.168.50.102/24"))
        .build_or_skip(test)
    else {
        return;
    };
    // Each peer's real dhcpd runs in its namespace; the peer's lease file (as sshd serves it)
    // is the one that dhcpd writes, and its status command asks whether that dhcpd runs.
    let mut servers = Vec::new();
    for (i, (role, host)) in [("primary", "srv1"), ("secondary", "srv2")]
        .into_iter()
        .enumerate()
    {
        let server = if dhcpfo_primary && role == "primary" {
            dhcpfo_serve(&net, host, role, &model)
        } else {
            let conf = std::fs::read_to_string(out_dir.join(role).join("dhcpd.conf")).unwrap();
            net.dhcpd(host, role, &conf)
        };
        let p = lab.peer(i);
        let leases = p.path("var/lib/dhcp/dhcpd.leases");
        std::fs::remove_file(&leases).unwrap();
        std::os::unix::fs::symlink(&server.leases, &leases).unwrap();
        let status = p.path("bin/status");
        std::fs::write(
            &status,
            format!("#!/bin/sh\nkill -0 {} 2>/dev/null\n", server.proc.pid),
        )
        .unwrap();
        std::fs::set_permissions(&status, std::fs::Permissions::from_mode(0o755)).unwrap();
        servers.push(server);
    }
    for server in &servers {
        // Normal on both sides, and the primary's pool balancing has reached this file.
        wait_for(
            &server.leases,
            "both servers normal and a balanced pool",
            |t| {
                t.contains("partner state normal")
                    && last_my_state(t) == Some("normal")
                    && t.contains("binding state backup;")
            },
        );
    }

    if dhcpfo_primary {
        failover_state_refuses_the_wrong_peer(&model, &servers[0].leases);
    }
    let (code, json, text) = status_json(&lab, &model);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(json["healthy"], true, "{text}");
    assert_eq!(json["problems"], serde_json::json!([]), "{text}");
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
    let log = servers[0].proc.log_text();
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
    net.kill(&servers[1].proc);
    wait_for(&servers[0].leases, "communications-interrupted", |t| {
        last_my_state(t) == Some("communications-interrupted")
    });
    let (code, json, text) = status_json(&lab, &model);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(json["healthy"], false, "{text}");
    let problems = json["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p.as_str().is_some_and(
            |p| p.starts_with("primary: failover \"lab-fo\" is communications-interrupted")
        )),
        "{text}"
    );
    assert_eq!(
        json["peers"][0]["failover"][0]["my_state"], "communications-interrupted",
        "{text}"
    );
    assert_eq!(json["peers"][0]["service_running"], true, "{text}");
    assert_eq!(json["peers"][1]["service_running"], false, "{text}");
}
