//! Lease files against ISC's own tools: what `write_lease` writes is read by `dhcpd -T` and
//! listed by `dhcp-lease-list`; what a real ISC failover pair writes is read by `parse`.

use crate::common;

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;

use dhcpfo::leases::{
    BindingState, FailoverStanza, FailoverState, Hardware, Lease, PeerState, Timestamp, header,
    parse, write_failover, write_lease,
};

/// A primary's dhcpd.conf with one failover pool 10.9.0.10-10.9.0.40.
const CONF: &str = r#"
failover peer "fo" {
  primary;
  address 127.0.0.1;
  port 8647;
  peer address 127.0.0.2;
  peer port 8647;
  max-response-delay 30;
  max-unacked-updates 10;
  mclt 600;
  split 128;
  load balance max seconds 3;
}
subnet 10.9.0.0 netmask 255.255.255.0 {
  pool {
    failover peer "fo";
    range 10.9.0.10 10.9.0.40;
  }
}
"#;

/// One lease in every binding state plus active leases with every field set; `now` is the
/// reference time.
fn sample_leases(now: u64) -> Vec<Lease> {
    let mut leases = Vec::new();
    for (i, state) in BindingState::ALL.into_iter().enumerate() {
        let mut lease = Lease::new(Ipv4Addr::new(10, 9, 0, 10 + i as u8), state);
        lease.starts = Some(Timestamp(now - 100));
        lease.ends = Some(Timestamp(now + 3600));
        lease.tstp = Some(Timestamp(now + 3600));
        lease.cltt = Some(Timestamp(now - 100));
        if state == BindingState::Active {
            lease.next_binding_state = Some(BindingState::Expired);
            lease.rewind_binding_state = Some(BindingState::Free);
        }
        leases.push(lease);
    }
    for n in 0..5u8 {
        let mut lease = Lease::new(Ipv4Addr::new(10, 9, 0, 30 + n), BindingState::Active);
        lease.starts = Some(Timestamp(now - 60));
        lease.ends = Some(Timestamp(now + 600 + u64::from(n)));
        lease.tstp = Some(Timestamp(now + 900));
        lease.tsfp = Some(Timestamp(now + 900));
        lease.atsfp = Some(Timestamp(now + 900));
        lease.cltt = Some(Timestamp(now - 60));
        lease.next_binding_state = Some(BindingState::Expired);
        lease.hardware = Some(Hardware::ethernet([0x02, 0, 0, 0, 0x10, n]));
        lease.uid = Some(vec![1, 0x02, 0, 0, 0, 0x10, n]);
        lease.client_hostname = Some(format!("client-{n}"));
        lease.vars = vec![("vendor-class-identifier".into(), "\"dhcpfo test\"".into())];
        leases.push(lease);
    }
    leases
}

fn write_file(dir: &Path, now: u64) -> (std::path::PathBuf, Vec<Lease>) {
    let leases = sample_leases(now);
    let mut text = header();
    write_failover(
        &mut text,
        &FailoverStanza {
            peer: "fo".into(),
            my: PeerState {
                state: FailoverState::Normal,
                at: Timestamp(now - 1000),
            },
            partner: PeerState {
                state: FailoverState::CommunicationsInterrupted,
                at: Timestamp(now - 500),
            },
            mclt: None,
        },
    );
    for lease in &leases {
        write_lease(&mut text, lease);
    }
    let path = dir.join("dhcpd.leases");
    std::fs::write(&path, &text).unwrap();
    (path, leases)
}

#[test]
fn dhcpd_reads_what_write_lease_writes() {
    let Some(dhcpd) = common::dhcpd_or_skip("dhcpd_reads_what_write_lease_writes") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("dhcpd.conf");
    std::fs::write(&conf, CONF).unwrap();
    let (path, leases) = write_file(dir.path(), Timestamp::now().0);
    let output = Command::new(&dhcpd)
        .args(["-T", "-4", "-cf"])
        .arg(&conf)
        .arg("-lf")
        .arg(&path)
        .arg("-pf")
        .arg(dir.path().join("dhcpd.pid"))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    // dhcpd -T exits 0 even on a corrupt file; its messages tell.
    assert!(output.status.success(), "{log}");
    assert!(
        !log.contains("orrupt") && !log.contains(" line "),
        "dhcpd found errors in the written file:\n{log}\n--- file ---\n{}",
        common::numbered(&std::fs::read_to_string(&path).unwrap())
    );
    // dhcpd rewrites every lease it read except free ones (it counts those as pool
    // addresses): as many as we wrote, none dropped.
    let not_free = leases
        .iter()
        .filter(|l| l.binding_state != BindingState::Free)
        .count();
    assert!(
        log.contains(&format!("Wrote {not_free} leases to leases file.")),
        "{log}"
    );
}

#[test]
fn dhcp_lease_list_lists_what_write_lease_writes() {
    let Some(tool) = common::tool_or_skip(
        "dhcp_lease_list_lists_what_write_lease_writes",
        "dhcp-lease-list",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let now = Timestamp::now().0;
    let (path, leases) = write_file(dir.path(), now);
    // Debian's script: `dhcp-lease-list --lease FILE [--parsable] [--all]`.
    let output = Command::new("perl")
        .arg(&tool)
        .arg("--lease")
        .arg(&path)
        .arg("--parsable")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let listed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("MAC ")).collect();
    let expected: Vec<String> = leases
        .iter()
        .filter_map(|l| {
            let hw = l.hardware.as_ref()?;
            Some(format!(
                "MAC {} IP {} HOSTNAME {} BEGIN {} END {} MANUFACTURER",
                hw.to_hex(),
                l.address,
                l.client_hostname.as_deref().unwrap_or("-NA-"),
                l.starts?.iso(),
                l.ends?.iso()
            ))
        })
        .collect();
    assert_eq!(listed.len(), expected.len(), "{stdout}");
    for (line, want) in listed.iter().zip(&expected) {
        assert!(line.starts_with(want.as_str()), "{line}\n{want}");
    }
    // And dhcpfo reads the same file back to the same leases.
    let file = parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(file.leases, leases);
}

/// The primary of an ISC failover pair on 192.168.50.0/24, pool .150-.199 (MCLT 60).
const PAIR_PRIMARY: &str = r#"
authoritative;
failover peer "fo" {
  primary;
  address 192.168.50.100;
  port 647;
  peer address 192.168.50.102;
  peer port 647;
  max-response-delay 30;
  max-unacked-updates 10;
  load balance max seconds 3;
  mclt 60;
  split 128;
}
subnet 192.168.50.0 netmask 255.255.255.0 {
  option routers 192.168.50.1;
  option domain-name-servers 192.168.50.53;
  option domain-name "lab.test";
  pool {
    failover peer "fo";
    range 192.168.50.150 192.168.50.199;
  }
}
"#;

/// The secondary: the primary's file with the roles and addresses swapped.
fn pair_secondary() -> String {
    PAIR_PRIMARY
        .replace("primary;", "secondary;")
        .replace("address 192.168.50.100;", "address 192.168.50.X;")
        .replace(
            "peer address 192.168.50.102;",
            "peer address 192.168.50.100;",
        )
        .replace("address 192.168.50.X;", "address 192.168.50.102;")
        .replace("  mclt 60;\n  split 128;\n", "")
}

#[test]
fn reads_the_lease_files_of_a_real_isc_failover_pair() {
    use common::netns::{Dhclient, Lab};
    use std::time::Duration;
    let test = "reads_the_lease_files_of_a_real_isc_failover_pair";
    if !common::netns::tools_or_skip(test, &["dhcpd", "dhclient"]) {
        return;
    }
    let Some(lab) = Lab::builder("lsfo")
        .host("p", Some("192.168.50.100/24"))
        .host("s", Some("192.168.50.102/24"))
        .host("c", None)
        .build_or_skip(test)
    else {
        return;
    };
    let primary = lab.dhcpd("p", "primary", PAIR_PRIMARY);
    let secondary = lab.dhcpd("s", "secondary", &pair_secondary());
    assert!(
        primary
            .proc
            .wait_for_log("Both servers normal", Duration::from_secs(30)),
        "the pair did not reach normal:\n{}\n{}",
        primary.proc.log_text(),
        secondary.proc.log_text()
    );
    let mut bound = Vec::new();
    for n in 1..=3u8 {
        let got = lab.dhclient(
            "c",
            &Dhclient {
                mac: Some(format!("52:54:00:00:00:0{n}")),
                hostname: Some(format!("host{n}")),
                lease_file: Some(lab.dir().join(format!("c{n}.leases"))),
                ..Dhclient::default()
            },
        );
        let ip = got
            .bound
            .unwrap_or_else(|| panic!("no lease:\n{}", got.log));
        assert_eq!(
            got.options.get("routers").map(String::as_str),
            Some("192.168.50.1")
        );
        assert_eq!(
            got.options.get("domain-name").map(String::as_str),
            Some("lab.test")
        );
        bound.push((ip, n));
    }
    // Both peers record each binding (the serving one directly, the other by update);
    // allow the update a moment to reach the disk.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut missing = Vec::new();
        let mut served_by = std::collections::BTreeSet::new();
        for (who, path) in [
            ("primary", &primary.leases),
            ("secondary", &secondary.leases),
        ] {
            // Checked again until the deadline: the file may be read while a peer writes it.
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let file = match parse(&text) {
                Ok(file) => file,
                Err(e) => {
                    missing.push(format!("{who}: {e}"));
                    continue;
                }
            };
            let current = file.current();
            if current.leases.len() != 50 {
                missing.push(format!(
                    "{who}: {} leases, not one per pool address (50)",
                    current.leases.len()
                ));
            }
            match current.failover.first() {
                Some(fo) if fo.peer == "fo" && fo.my.state == FailoverState::Normal => {}
                other => missing.push(format!("{who}: failover stanza {other:?}")),
            }
            for &(ip, n) in &bound {
                let Some(lease) = current.leases.iter().find(|l| l.address == ip) else {
                    missing.push(format!("{who}: no lease for {ip}"));
                    continue;
                };
                let mac = Hardware::ethernet([0x52, 0x54, 0, 0, 0, n]);
                // The peer that served the client records its host name and last
                // transaction time; the partner learns the binding without them.
                let served = lease.cltt.is_some();
                let ok = lease.binding_state == BindingState::Active
                    && lease.hardware.as_ref() == Some(&mac)
                    && lease.ends.is_some_and(|e| e.0 > Timestamp::now().0)
                    && (!served
                        || lease.client_hostname.as_deref() == Some(format!("host{n}").as_str()));
                if served {
                    served_by.insert(ip);
                }
                if !ok {
                    missing.push(format!("{who}: {lease:?}"));
                }
            }
            // The free addresses are split between the peers: free for the primary,
            // backup for the secondary.
            let free = current
                .leases
                .iter()
                .filter(|l| l.binding_state == BindingState::Free)
                .count();
            let backup = current
                .leases
                .iter()
                .filter(|l| l.binding_state == BindingState::Backup)
                .count();
            if free + backup != 47 || backup == 0 {
                missing.push(format!("{who}: free {free}, backup {backup}"));
            }
        }
        for &(ip, _) in &bound {
            if !served_by.contains(&ip) {
                missing.push(format!("{ip}: no peer records a client transaction"));
            }
        }
        if missing.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "leases not recorded as expected:\n{}",
            missing.join("\n")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn dhcpfo(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
        .arg("leases")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn dhcpfo_leases_lists_current_leases_like_dhcp_lease_list() {
    let dir = tempfile::tempdir().unwrap();
    let now = Timestamp::now().0;
    let (path, leases) = write_file(dir.path(), now);
    // One more record for 10.9.0.30: released since; and an active lease that has ended.
    let mut text = std::fs::read_to_string(&path).unwrap();
    let mut released = leases
        .iter()
        .find(|l| l.address == Ipv4Addr::new(10, 9, 0, 30))
        .unwrap()
        .clone();
    released.binding_state = BindingState::Released;
    write_lease(&mut text, &released);
    let mut ended = Lease::new(Ipv4Addr::new(10, 9, 0, 39), BindingState::Active);
    ended.starts = Some(Timestamp(now - 7200));
    ended.ends = Some(Timestamp(now - 3600));
    ended.hardware = Some(Hardware::ethernet([2, 0, 0, 0, 0x20, 1]));
    write_lease(&mut text, &ended);
    std::fs::write(&path, &text).unwrap();

    let out = dhcpfo(&[path.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert!(out.status.success(), "{out:?}");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The help names the object's keys.
    let mut keys: Vec<&str> = listed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["errors", "leases", "warnings"], "{listed}");
    let help = dhcpfo(&["--help".as_ref()]);
    let help = String::from_utf8_lossy(&help.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("one JSON object (leases, warnings, errors)"),
        "{help}"
    );
    assert_eq!(listed["errors"], serde_json::json!([]), "{listed}");
    assert_eq!(listed["warnings"], serde_json::json!([]), "{listed}");
    let rows = listed["leases"].as_array().unwrap();
    // Active and current: the first sample lease (no MAC) and client-1 .. client-4.
    let ips: Vec<&str> = rows.iter().map(|r| r["ip"].as_str().unwrap()).collect();
    assert_eq!(
        ips,
        [
            "10.9.0.11",
            "10.9.0.31",
            "10.9.0.32",
            "10.9.0.33",
            "10.9.0.34"
        ]
    );
    assert_eq!(rows[1]["mac"], "02:00:00:00:10:01");
    assert_eq!(rows[1]["hostname"], "client-1");
    assert_eq!(rows[1]["state"], "active");
    assert_eq!(
        rows[1]["ends"].as_str().unwrap(),
        Timestamp(now + 601).iso()
    );

    let all = dhcpfo(&[path.as_os_str(), "--all".as_ref()]);
    assert!(all.status.success());
    let table = String::from_utf8_lossy(&all.stdout);
    let line = |ip: &str| {
        table
            .lines()
            .find(|l| l.contains(&format!(" {ip} ")))
            .unwrap_or_else(|| panic!("{ip} not listed:\n{table}"))
            .to_string()
    };
    assert!(line("10.9.0.30").contains("released"), "{table}");
    assert!(line("10.9.0.39").contains("active"), "{table}");
    assert!(line("10.9.0.16").contains("backup"), "{table}");
    assert_eq!(table.lines().count(), 2 + 12 + 1, "{table}");

    // The same leases as dhcp-lease-list, where that tool is installed.
    if let Some(tool) = common::tool_or_skip("leases lists like dhcp-lease-list", "dhcp-lease-list")
    {
        let isc = Command::new("perl")
            .arg(&tool)
            .arg("--lease")
            .arg(&path)
            .arg("--parsable")
            .output()
            .unwrap();
        let isc = String::from_utf8_lossy(&isc.stdout);
        let mut theirs: Vec<(String, String)> = isc
            .lines()
            .filter_map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                (w.first() == Some(&"MAC")).then(|| (w[1].to_string(), w[3].to_string()))
            })
            .collect();
        theirs.sort();
        let mut ours: Vec<(String, String)> = rows
            .iter()
            .filter(|r| r["mac"].is_string())
            .map(|r| {
                (
                    r["mac"].as_str().unwrap().to_string(),
                    r["ip"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        ours.sort();
        // dhcp-lease-list does not look at the binding state: it still lists the released
        // 10.9.0.30, which dhcpfo leaves out.
        theirs.retain(|(_, ip)| ip != "10.9.0.30");
        assert_eq!(ours, theirs, "{isc}");
    }
}

#[test]
fn dhcpfo_leases_reports_a_malformed_file_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.leases");
    std::fs::write(&path, "lease 10.0.0.1 {\n  binding state sideways;\n}\n").unwrap();
    let out = dhcpfo(&[path.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.leases:2:17"), "{err}");
    assert!(err.contains("not a binding state"), "{err}");
    assert!(err.contains("dhcpd.leases(5)"), "{err}");

    let missing = dhcpfo(&[dir.path().join("none.leases").as_os_str()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[test]
fn dhcpfo_leases_lists_a_file_whose_last_record_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("torn.leases");
    let whole = "lease 10.0.0.1 {\n  starts 4 2030/01/02 03:04:05;\n  ends 4 2030/01/02 04:04:05;\n  binding state active;\n  hardware ethernet 00:11:22:33:44:55;\n}\n";
    // The second record stops in the middle of a statement, as a crash leaves it.
    std::fs::write(
        &path,
        format!("{whole}lease 10.0.0.2 {{\n  starts 4 2030/01/"),
    )
    .unwrap();
    let out = dhcpfo(&[
        path.as_os_str(),
        std::ffi::OsStr::new("--all"),
        std::ffi::OsStr::new("--format"),
        std::ffi::OsStr::new("json"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warning = &listed["warnings"][0];
    assert_eq!(
        (
            warning["code"].as_str(),
            warning["severity"].as_str(),
            warning["line"].as_u64()
        ),
        (Some("DF014"), Some("warning"), Some(7)),
        "{listed}"
    );
    assert!(
        err.is_empty(),
        "JSON asked for, nothing on standard error: {err}"
    );
    // For people, the warning on standard error.
    let out = dhcpfo(&[path.as_os_str()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning[DF014]: ")
            && err.contains("torn.leases:7: the last record is cut off"),
        "{err}"
    );
    let ips: Vec<&str> = listed["leases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["ip"].as_str())
        .collect();
    assert_eq!(ips, ["10.0.0.1"], "{listed}");

    // ISC dhcpd reads the same file the same way: it complains of the end of the file, and
    // keeps the one whole lease.
    if let Some(dhcpd) = common::dhcpd_or_skip("dhcpd reads a cut-off lease file") {
        let conf = dir.path().join("dhcpd.conf");
        std::fs::write(
            &conf,
            "subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.1 10.0.0.9; }\n",
        )
        .unwrap();
        let output = Command::new(&dhcpd)
            .args(["-T", "-4", "-cf"])
            .arg(&conf)
            .arg("-lf")
            .arg(&path)
            .arg("-pf")
            .arg(dir.path().join("dhcpd.pid"))
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{log}");
        assert!(log.contains("unexpected end of file"), "{log}");
        assert!(log.contains("Wrote 1 leases to leases file."), "{log}");
    }

    // A tail that is not the start of a record is not a record cut off: dhcpd calls the file
    // corrupt ("possible data loss"), and dhcpfo reports it as an error.
    for tail in ["garbage {{{", "}}} lease"] {
        std::fs::write(&path, format!("{whole}{tail}")).unwrap();
        let out = dhcpfo(&[path.as_os_str()]);
        assert_eq!(out.status.code(), Some(1), "{tail}");
    }

    // A broken record that is not the last is still an error.
    std::fs::write(
        &path,
        format!("lease 10.0.0.2 {{\n  starts 4 2030/01/\n}}\n{whole}"),
    )
    .unwrap();
    assert_eq!(dhcpfo(&[path.as_os_str()]).status.code(), Some(1));
}
