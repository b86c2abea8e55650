//! Lease files against ISC's own tools: what `write_lease` writes is read by `dhcpd -T` and
//! listed by `dhcp-lease-list`; what a real ISC failover pair writes is read by `parse`.

mod common;

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
        "isc-dhcp-server",
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
