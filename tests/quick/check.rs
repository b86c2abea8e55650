//! `dhcpfo check` rules whose reason is what the real ISC dhcpd does at start-up, shown with
//! that dhcpd in a network namespace the test creates: a file `dhcpd -t` accepts that still
//! cannot start.

use crate::common;

use std::process::{Command, Output};
use std::time::Duration;

use common::netns;

fn dhcpfo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dhcpfo"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dhcpfo")
}

/// The servers sit on 192.168.60.0/24 and serve a relayed network; the model leaves the
/// servers' own network out.
const WITHOUT_OWN_NETWORK: &str = "\
failover: { name: fo, mclt: 1800, split: 128, load-balance-max-seconds: 3 }
peers:
  primary: { address: 192.168.60.2, interfaces: [eth0] }
  secondary: { address: 192.168.60.3, interfaces: [eth0] }
global: { authoritative: true, default-lease-time: 1h, max-lease-time: 2h }
subnets:
  - network: 10.61.0.0/24
    options: { routers: 10.61.0.1 }
    pools:
      - range: [10.61.0.10, 10.61.0.99]
";

/// The primary's dhcpd.conf of a model, rendered without `check` (which would refuse it).
fn primary_conf(yaml: &str) -> String {
    let source = dhcpfo::model::load_str("pair.yaml", yaml.to_string()).expect("model loads");
    dhcpfo::render::render_peer(&source, dhcpfo::model::Role::Primary, None).expect("render")
}

/// The text between the first pair of backticks that holds `- network:`.
fn subnet_from_help(help: &str) -> String {
    help.split('`')
        .find(|part| part.starts_with("- network: "))
        .unwrap_or_else(|| panic!("no subnet to add in the help: {help}"))
        .to_string()
}

#[test]
fn a_peer_outside_every_subnet_is_an_error_dhcpd_t_misses_and_dhcpd_cannot_start_with() {
    let test = "peer_outside_every_subnet";
    if !netns::tools_or_skip(test, &["dhcpd"]) {
        return;
    }
    let Some(lab) = netns::Lab::builder("chk")
        .host("srv", Some("192.168.60.2/24"))
        .build_or_skip(test)
    else {
        return;
    };
    let dhcpd = common::required_tool("dhcpd");
    let model = lab.dir().join("pair.yaml");
    std::fs::write(&model, WITHOUT_OWN_NETWORK).expect("model");
    let model = model.display().to_string();

    // check: an error at each peer's address, with the subnet to add.
    let out = dhcpfo(&["check", &model, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let df126: Vec<&serde_json::Value> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter(|f| f["code"] == "DF126")
        .collect();
    assert_eq!(df126.len(), 2, "{findings:#}");
    assert_eq!(
        (&df126[0]["line"], &df126[0]["column"]),
        (&3.into(), &23.into())
    );
    assert_eq!(df126[1]["line"], 4);
    let help = df126[0]["help"].as_str().expect("help");
    let subnet = subnet_from_help(help);
    assert_eq!(subnet, "- network: 192.168.60.0/24");
    let human = dhcpfo(&["check", &model]);
    let text = String::from_utf8_lossy(&human.stderr);
    assert!(text.contains("no subnet for eth0"), "{text}");
    assert!(text.contains("in no subnet"), "the label: {text}");

    // dhcpd -t accepts the file, and dhcpd then stops at start-up.
    let conf = primary_conf(WITHOUT_OWN_NETWORK);
    let conf_path = lab.dir().join("without.conf");
    std::fs::write(&conf_path, &conf).expect("conf");
    common::dhcpd_test(&dhcpd, &conf_path).expect("dhcpd -t accepts the file");
    let server = lab.dhcpd("srv", "without", &conf);
    let status = lab.wait(&server.proc, Duration::from_secs(20));
    let log = server.proc.log_text();
    assert!(
        status.is_some_and(|s| !s.success()),
        "dhcpd should stop: {status:?}\n{log}"
    );
    assert!(log.contains("No subnet declaration for eth0"), "{log}");

    // The help's subnet, added as it says: check is clean, and dhcpd -t and dhcpd accept it.
    let fixed = WITHOUT_OWN_NETWORK.replace("subnets:\n", &format!("subnets:\n  {subnet}\n"));
    let fixed_path = lab.dir().join("fixed.yaml");
    std::fs::write(&fixed_path, &fixed).expect("model");
    let out = dhcpfo(&["check", &fixed_path.display().to_string()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conf = primary_conf(&fixed);
    let conf_path = lab.dir().join("fixed.conf");
    std::fs::write(&conf_path, &conf).expect("conf");
    common::dhcpd_test(&dhcpd, &conf_path).expect("dhcpd -t accepts the fixed file");
    let server = lab.dhcpd("srv", "fixed", &conf);
    assert!(
        server
            .proc
            .wait_for_log("Sending on   LPF/eth0", Duration::from_secs(20)),
        "dhcpd should serve eth0:\n{}",
        server.proc.log_text()
    );
    assert_eq!(lab.wait(&server.proc, Duration::from_millis(500)), None);
    lab.kill(&server.proc);
}
