//! A second real DHCP client for the server tests: busybox `udhcpc` (Debian package
//! `udhcpc`), run once in a lab namespace like dhclient, its result in dhclient's terms, so
//! that one test runs against both implementations ([`Client`]).
//!
//! udhcpc sends its own mix of options (a client identifier, option 57, its own option 55
//! order) and uses raw sockets until bound; its script (`sh`) only writes what it was given
//! to a file and leaves the namespace alone, as dhclient's `/bin/true` does.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::netns::{Dhclient, DhclientResult, Lab};

static RUNS: AtomicU32 = AtomicU32::new(0);

/// A DHCP client implementation the serve tests run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// ISC dhclient.
    Dhclient,
    /// busybox udhcpc.
    Udhcpc,
}

impl Client {
    /// The program's name (as registered in tests/common/tools.rs).
    pub fn name(self) -> &'static str {
        match self {
            Client::Dhclient => "dhclient",
            Client::Udhcpc => "udhcpc",
        }
    }

    /// One run in `host`'s namespace.
    pub fn run(self, lab: &Lab, host: &str, opts: &Dhclient) -> DhclientResult {
        match self {
            Client::Dhclient => lab.dhclient(host, opts),
            Client::Udhcpc => lab.udhcpc(host, opts),
        }
    }
}

/// The clients a test runs: dhclient, and udhcpc where it is installed (under `CI=true` a
/// missing one is a failure, as for every tool).
pub fn clients(test: &str) -> Vec<Client> {
    let mut out = vec![Client::Dhclient];
    if super::tool_or_skip(test, "udhcpc").is_some() {
        out.push(Client::Udhcpc);
    }
    out
}

/// What the script writes: one `NAME=VALUE` line per variable udhcpc gave it, into a
/// temporary file renamed into place, so that the file a test polls for is never seen
/// half-written.
const SCRIPT: &str = "#!/bin/sh\ncase \"$1\" in\n  bound|renew) env > \"$0.$1.part\" && mv \"$0.$1.part\" \"$0.$1\" ;;\nesac\nexit 0\n";

impl Lab {
    /// Runs `udhcpc` once in `host`'s namespace (`-q`: it exits once bound; `-n`: or when no
    /// lease comes), bounded by `opts.timeout_secs`; `opts.request_address` goes in option 50.
    /// With `opts.release`, it stays once bound and releases the lease on SIGUSR2 (its way of
    /// being told to), then is stopped.
    pub fn udhcpc(&self, host: &str, opts: &Dhclient) -> DhclientResult {
        let udhcpc = super::required_tool("udhcpc");
        let n = RUNS.fetch_add(1, Ordering::SeqCst);
        let name = format!("udhcpc-{host}-{n}");
        if let Some(mac) = &opts.mac {
            self.run_ok(host, &["ip", "link", "set", "eth0", "address", mac]);
        }
        let script = self.dir().join(format!("{name}.sh"));
        std::fs::write(&script, SCRIPT).expect("udhcpc script");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let bound_env = script.with_extension("sh.bound");
        // DISCOVERs 2 s apart, as many as fit in the timeout; -n exits when none is answered.
        let discovers = (opts.timeout_secs / 2).max(1).to_string();
        let mut cmd = self.command(host, &udhcpc);
        cmd.args(["-i", "eth0", "-f", "-n", "-t", &discovers, "-T", "2"]);
        if !opts.release {
            cmd.arg("-q");
        }
        cmd.arg("-s").arg(&script);
        if let Some(h) = &opts.hostname {
            cmd.args(["-x", &format!("hostname:{h}")]);
        }
        if let Some(ip) = opts.request_address {
            cmd.args(["-r", &ip.to_string()]);
        }
        let proc = self.spawn(&name, cmd);
        let deadline = Instant::now() + Duration::from_secs(opts.timeout_secs + 10);
        let running = |lab: &Lab| lab.wait(&proc, Duration::ZERO).is_none();
        while running(self) && !bound_env.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if opts.release && running(self) {
            self.signal(&proc, libc::SIGUSR2);
            while running(self)
                && !proc.log_text().contains("entering released state")
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        if running(self) {
            self.kill(&proc);
        }
        let env = std::fs::read_to_string(&bound_env).unwrap_or_default();
        let options = dhclient_names(&env);
        DhclientResult {
            bound: options.get("fixed-address").and_then(|ip| ip.parse().ok()),
            options,
            log: proc.log_text(),
            lease_file: bound_env,
        }
    }
}

/// udhcpc's variables under the names dhclient's lease file uses (lists comma-separated).
fn dhclient_names(env: &str) -> BTreeMap<String, String> {
    let vars: BTreeMap<&str, &str> = env.lines().filter_map(|l| l.split_once('=')).collect();
    let mut out = BTreeMap::new();
    for (var, name) in [
        ("ip", "fixed-address"),
        ("router", "routers"),
        ("dns", "domain-name-servers"),
        ("domain", "domain-name"),
        ("subnet", "subnet-mask"),
        ("lease", "dhcp-lease-time"),
        ("serverid", "dhcp-server-identifier"),
        ("hostname", "host-name"),
    ] {
        if let Some(v) = vars.get(var) {
            let v = v.split_whitespace().collect::<Vec<_>>().join(",");
            out.insert(name.to_string(), v);
        }
    }
    out
}
