//! A network lab in namespaces that the test creates: one bridge namespace and one namespace
//! per host, each host's `eth0` a veth on the bridge. Names are unique (a prefix, the process
//! id and a counter), processes started in the lab are recorded by PID, and [`Lab`]'s `Drop`
//! kills exactly those and deletes the namespaces, also when the test panics.
//!
//! ```ignore
//! let Some(lab) = Lab::builder("fo")
//!     .host("srv", Some("192.168.50.100/24"))
//!     .host("cli", None)
//!     .build_or_skip("my_test") else { return };
//! let dhcpd = lab.dhcpd("srv", CONF, &[]);
//! let got = lab.dhclient("cli", &Dhclient::default());
//! ```

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::{find_tool, in_ci};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Whether this process runs as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `true` if the test may create namespaces (root and `ip` present); otherwise prints why it
/// is skipped and returns `false`, or panics under `CI=true`.
#[track_caller]
pub fn root_or_skip(test: &str) -> bool {
    let missing = if !is_root() {
        Some("root privileges (network namespaces)".to_string())
    } else if find_tool("ip").is_none() {
        let _ = super::tools::tool("ip");
        Some("`ip` (iproute2)".to_string())
    } else {
        None
    };
    match missing {
        None => true,
        Some(what) if in_ci() => panic!("{test}: needs {what} and CI=true"),
        Some(what) => {
            eprintln!("note: {test}: skipped, needs {what}");
            false
        }
    }
}

/// Every tool in `tools` (names listed in `tests/common/tools.rs`) is present, or the test is
/// skipped (panics under `CI=true`).
#[track_caller]
pub fn tools_or_skip(test: &str, tools: &[&str]) -> bool {
    tools
        .iter()
        .all(|name| super::tool_or_skip(test, name).is_some())
}

/// Builds a [`Lab`].
pub struct LabBuilder {
    tag: String,
    hosts: Vec<(String, Option<String>)>,
}

impl LabBuilder {
    /// Adds a host namespace with `eth0` on the bridge and, if given, an address such as
    /// `192.168.50.100/24`.
    pub fn host(mut self, name: &str, address: Option<&str>) -> Self {
        self.hosts
            .push((name.to_string(), address.map(str::to_string)));
        self
    }

    /// Creates the namespaces; panics (after cleaning up) if a command fails.
    pub fn build(self) -> Lab {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let prefix = format!("dfo-{}-{}-{n}", self.tag, std::process::id());
        let dir = tempfile::Builder::new()
            .prefix(&format!("{prefix}-"))
            .tempdir()
            .expect("temporary folder for the lab");
        let mut lab = Lab {
            bridge: format!("{prefix}-br"),
            hosts: BTreeMap::new(),
            created: Vec::new(),
            children: RefCell::new(Vec::new()),
            dir,
        };
        lab.create_bridge();
        for (i, (name, address)) in self.hosts.into_iter().enumerate() {
            let ns = format!("{prefix}-{name}");
            lab.create_host(&ns, i, address.as_deref());
            lab.hosts.insert(name, ns);
        }
        lab
    }

    /// [`root_or_skip`], then [`LabBuilder::build`].
    #[track_caller]
    pub fn build_or_skip(self, test: &str) -> Option<Lab> {
        root_or_skip(test).then(|| self.build())
    }
}

/// A process started in the lab.
#[derive(Debug, Clone)]
pub struct Proc {
    /// Its PID.
    pub pid: u32,
    /// The file its standard output and error go to.
    pub log: PathBuf,
}

impl Proc {
    /// The log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `needle` or `timeout` passes; returns whether it did.
    pub fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.log_text().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.log_text().contains(needle)
    }
}

/// A running ISC dhcpd.
#[derive(Debug, Clone)]
pub struct Dhcpd {
    /// The process.
    pub proc: Proc,
    /// Its lease file.
    pub leases: PathBuf,
    /// Its configuration file.
    pub conf: PathBuf,
}

/// The namespaces of one test, deleted with everything started in them on drop.
pub struct Lab {
    bridge: String,
    hosts: BTreeMap<String, String>,
    created: Vec<String>,
    children: RefCell<Vec<Child>>,
    dir: tempfile::TempDir,
}

impl Lab {
    /// A builder; `tag` (a few letters) goes into every name.
    pub fn builder(tag: &str) -> LabBuilder {
        LabBuilder {
            tag: tag
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(8)
                .collect(),
            hosts: Vec::new(),
        }
    }

    /// The lab's scratch folder (config, lease, pid and log files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The namespace name of a host.
    pub fn ns(&self, host: &str) -> &str {
        self.hosts
            .get(host)
            .unwrap_or_else(|| panic!("no host {host} in the lab"))
    }

    fn create_bridge(&mut self) {
        let br = self.bridge.clone();
        ip(&["netns", "add", &br]);
        self.created.push(br.clone());
        ip(&["-n", &br, "link", "add", "br0", "type", "bridge"]);
        ip(&["-n", &br, "link", "set", "br0", "up"]);
    }

    fn create_host(&mut self, ns: &str, index: usize, address: Option<&str>) {
        ip(&["netns", "add", ns]);
        self.created.push(ns.to_string());
        let br = self.bridge.clone();
        let veth = format!("v{index}");
        // Created inside the bridge namespace, so the short name cannot collide.
        ip(&[
            "-n", &br, "link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", ns,
        ]);
        ip(&["-n", &br, "link", "set", &veth, "master", "br0"]);
        ip(&["-n", &br, "link", "set", &veth, "up"]);
        ip(&["-n", ns, "link", "set", "lo", "up"]);
        ip(&["-n", ns, "link", "set", "eth0", "up"]);
        if let Some(address) = address {
            ip(&["-n", ns, "addr", "add", address, "dev", "eth0"]);
        }
    }

    /// A command that runs `program` in the host's namespace.
    pub fn command(&self, host: &str, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", self.ns(host)]).arg(program);
        cmd
    }

    /// Runs a command in the host's namespace to completion, killed after `timeout`.
    pub fn run(&self, host: &str, args: &[&str], timeout: Duration) -> Output {
        let (program, rest) = args.split_first().expect("a program");
        let mut cmd = self.command(host, program);
        cmd.args(rest);
        run_bounded(cmd, timeout)
    }

    /// Runs a command in the host's namespace and panics unless it succeeds.
    pub fn run_ok(&self, host: &str, args: &[&str]) -> String {
        let out = self.run(host, args, Duration::from_secs(30));
        assert!(
            out.status.success(),
            "{args:?} in {host} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts a command in the background, its output to `NAME.log` in the lab folder;
    /// the PID is recorded so that drop kills it.
    pub fn spawn(&self, name: &str, mut cmd: Command) -> Proc {
        let log = self.dir().join(format!("{name}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let err = file.try_clone().expect("log file");
        cmd.stdin(Stdio::null()).stdout(file).stderr(err);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let pid = child.id();
        self.children.borrow_mut().push(child);
        Proc { pid, log }
    }

    /// Sends `signal` to a process this lab started (and no other).
    pub fn signal(&self, proc: &Proc, signal: i32) {
        let children = self.children.borrow();
        assert!(
            children.iter().any(|c| c.id() == proc.pid),
            "pid {} was not started by this lab",
            proc.pid
        );
        // SAFETY: kill(2) with a PID of a child we started and have not reaped.
        unsafe {
            libc::kill(proc.pid as i32, signal);
        }
    }

    /// Kills a process this lab started (SIGKILL) and reaps it.
    pub fn kill(&self, proc: &Proc) {
        self.signal(proc, libc::SIGKILL);
        let _ = self.wait(proc, Duration::from_secs(10));
    }

    /// Waits up to `timeout` for a process this lab started to exit; its exit status.
    pub fn wait(&self, proc: &Proc, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            {
                let mut children = self.children.borrow_mut();
                let child = children.iter_mut().find(|c| c.id() == proc.pid)?;
                if let Ok(Some(status)) = child.try_wait() {
                    return Some(status);
                }
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts ISC dhcpd in the foreground in `host`'s namespace on `eth0` with `conf`; the
    /// lease file `NAME.leases` is created first, the pid file path is absolute.
    pub fn dhcpd(&self, host: &str, name: &str, conf: &str) -> Dhcpd {
        let dhcpd = super::required_tool("dhcpd");
        let conf_path = self.dir().join(format!("{name}.conf"));
        std::fs::write(&conf_path, conf).expect("dhcpd.conf");
        let leases = self.dir().join(format!("{name}.leases"));
        if !leases.exists() {
            std::fs::write(&leases, "").expect("lease file");
        }
        let pid_file = self.dir().join(format!("{name}.pid"));
        let _ = std::fs::remove_file(&pid_file);
        let mut cmd = self.command(host, dhcpd);
        cmd.args(["-4", "-d", "-cf"])
            .arg(&conf_path)
            .arg("-lf")
            .arg(&leases)
            .arg("-pf")
            .arg(&pid_file)
            .arg("eth0");
        let proc = self.spawn(name, cmd);
        Dhcpd {
            proc,
            leases,
            conf: conf_path,
        }
    }

    /// Runs `dhclient -1` once in `host`'s namespace (bounded by its `timeout` and ours) and
    /// returns what it got.
    pub fn dhclient(&self, host: &str, opts: &Dhclient) -> DhclientResult {
        let dhclient = super::required_tool("dhclient");
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("dhclient-{host}-{n}");
        if let Some(mac) = &opts.mac {
            self.run_ok(host, &["ip", "link", "set", "eth0", "address", mac]);
        }
        let mut conf = format!("timeout {};\nretry 1;\n", opts.timeout_secs);
        if let Some(h) = &opts.hostname {
            conf.push_str(&format!("send host-name \"{h}\";\n"));
        }
        if let Some(ip) = opts.request_address {
            conf.push_str(&format!("send dhcp-requested-address {ip};\n"));
        }
        conf.push_str(
            "request subnet-mask, broadcast-address, routers, domain-name, \
             domain-name-servers, host-name, dhcp-lease-time;\n",
        );
        let conf_path = self.dir().join(format!("{name}.conf"));
        std::fs::write(&conf_path, conf).expect("dhclient.conf");
        let lease_file = opts
            .lease_file
            .clone()
            .unwrap_or_else(|| self.dir().join(format!("dhclient-{host}.leases")));
        let pid_file = self.dir().join(format!("{name}.pid"));
        let mut cmd = self.command(host, &dhclient);
        // In the foreground (-d), so that it stays our child: once bound it is killed by
        // its PID rather than left running as a daemon.
        cmd.args(["-4", "-d", "-v", "-1", "-sf", "/bin/true", "-cf"])
            .arg(&conf_path)
            .arg("-lf")
            .arg(&lease_file)
            .arg("-pf")
            .arg(&pid_file);
        if opts.release {
            cmd.arg("-r");
        }
        cmd.arg("eth0");
        let proc = self.spawn(&name, cmd);
        let deadline = Instant::now() + Duration::from_secs(opts.timeout_secs + 10);
        let bound = loop {
            let log = proc.log_text();
            if let Some(ip) = log.lines().find_map(|l| {
                l.strip_prefix("bound to ")?
                    .split_whitespace()
                    .next()?
                    .parse::<Ipv4Addr>()
                    .ok()
            }) {
                break Some(ip);
            }
            if self.wait(&proc, Duration::ZERO).is_some() || Instant::now() >= deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if self
            .wait(
                &proc,
                Duration::from_millis(if opts.release { 2000 } else { 0 }),
            )
            .is_none()
        {
            self.kill(&proc);
        }
        let log = proc.log_text();
        let lease_text = std::fs::read_to_string(&lease_file).unwrap_or_default();
        DhclientResult {
            bound,
            options: last_dhclient_lease(&lease_text),
            log,
            lease_file,
        }
    }

    /// Runs perfdhcp (DHCPv4, `-l eth0`) in `host`'s namespace with `args` (which must bound
    /// the run with `-n` or `-p`); killed after `timeout`. The host needs an address in the
    /// served subnet: perfdhcp acts as a relay.
    pub fn perfdhcp(&self, host: &str, args: &[&str], timeout: Duration) -> PerfResult {
        let perfdhcp = super::required_tool("perfdhcp");
        assert!(
            args.iter().any(|a| *a == "-n" || *a == "-p"),
            "perfdhcp needs -n or -p to bound the run"
        );
        let mut cmd = self.command(host, perfdhcp);
        cmd.args(["-4", "-l", "eth0"]).args(args);
        let out = run_bounded(cmd, timeout);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        PerfResult::parse(&text, out.status.code())
    }
}

impl Lab {
    /// Like [`Lab::spawn`], but every line of standard output and error goes to `NAME.log`
    /// behind the wall-clock time it arrived, in seconds since the Unix epoch
    /// (`1700000000.123 line`), for logs without time stamps of their own (dhcpd -d).
    pub fn spawn_stamped(&self, name: &str, mut cmd: Command) -> Proc {
        use std::io::{BufRead, BufReader, Read, Write};
        use std::sync::{Arc, Mutex};
        let log = self.dir().join(format!("{name}.log"));
        let file = Arc::new(Mutex::new(std::fs::File::create(&log).expect("log file")));
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let pipes: Vec<Box<dyn Read + Send>> = [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        .collect();
        for pipe in pipes {
            let file = file.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(pipe);
                let mut line = Vec::new();
                while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                    let stamp = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64());
                    let text = String::from_utf8_lossy(&line);
                    if let Ok(mut f) = file.lock() {
                        let _ = writeln!(f, "{stamp:.3} {}", text.trim_end());
                    }
                    line.clear();
                }
            });
        }
        let pid = child.id();
        self.children.borrow_mut().push(child);
        Proc { pid, log }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if std::env::var_os("DHCPFO_KEEP_LAB").is_some() {
            // For a post-mortem: configurations, logs, lease files and captures stay.
            self.dir.disable_cleanup(true);
            eprintln!("lab files kept in {}", self.dir.path().display());
        }
        for child in self.children.get_mut().iter_mut() {
            if let Ok(None) = child.try_wait() {
                // Only processes this lab started, by PID.
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        for ns in self.created.iter().rev() {
            let _ = Command::new("ip")
                .args(["netns", "del", ns])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Runs `ip ARGS` and panics with its message on failure.
fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a command, killing it (by its PID) if it takes longer than `timeout`.
pub fn run_bounded(cmd: Command, timeout: Duration) -> Output {
    run_bounded_with_input(cmd, "", timeout)
}

/// [`run_bounded`] with `input` on the command's standard input.
pub fn run_bounded_with_input(mut cmd: Command, input: &str, timeout: Duration) -> Output {
    cmd.stdin(if input.is_empty() {
        Stdio::null()
    } else {
        Stdio::piped()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        let input = input.to_string();
        std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut stdin, input.as_bytes());
        });
    }
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let read = |pipe: Option<std::process::ChildStdout>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = std::io::Read::read_to_end(&mut p, &mut buf);
            }
            buf
        })
    };
    let out_thread = read(stdout);
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = stderr {
            let _ = std::io::Read::read_to_end(&mut p, &mut buf);
        }
        buf
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_thread.join().unwrap_or_default(),
        stderr: err_thread.join().unwrap_or_default(),
    }
}

/// Options of one dhclient run.
#[derive(Debug, Clone)]
pub struct Dhclient {
    /// Set `eth0`'s MAC address first (`52:54:00:12:34:56`).
    pub mac: Option<String>,
    /// Send this host name (option 12).
    pub hostname: Option<String>,
    /// Ask for this address (option 50).
    pub request_address: Option<Ipv4Addr>,
    /// Release the lease in the lease file instead of getting one (`-r`).
    pub release: bool,
    /// dhclient's own `timeout` in seconds.
    pub timeout_secs: u64,
    /// The lease file (default: one per host in the lab folder, so a second run renews).
    pub lease_file: Option<PathBuf>,
}

impl Default for Dhclient {
    fn default() -> Self {
        Dhclient {
            mac: None,
            hostname: None,
            request_address: None,
            release: false,
            timeout_secs: 20,
            lease_file: None,
        }
    }
}

/// What a dhclient run got.
#[derive(Debug, Clone)]
pub struct DhclientResult {
    /// The address it bound, from `bound to IP -- renewal in N seconds.`.
    pub bound: Option<Ipv4Addr>,
    /// The options of the last lease in its lease file (`routers` -> `192.168.50.1`), plus
    /// `fixed-address`.
    pub options: BTreeMap<String, String>,
    /// Its output.
    pub log: String,
    /// Its lease file.
    pub lease_file: PathBuf,
}

/// The statements of the last `lease { }` block of a dhclient lease file: `option NAME VALUE;`
/// as NAME -> VALUE (quotes removed) and `fixed-address`.
pub fn last_dhclient_lease(text: &str) -> BTreeMap<String, String> {
    let Some(start) = text.rfind("lease {") else {
        return BTreeMap::new();
    };
    let mut map = BTreeMap::new();
    for line in text[start..].lines().skip(1) {
        let line = line.trim().trim_end_matches(';');
        if line == "}" {
            break;
        }
        let (key, value) = if let Some(rest) = line.strip_prefix("option ") {
            match rest.split_once(' ') {
                Some(kv) => kv,
                None => continue,
            }
        } else {
            match line.split_once(' ') {
                Some(kv) => kv,
                None => continue,
            }
        };
        map.insert(key.to_string(), value.trim_matches('"').to_string());
    }
    map
}

/// perfdhcp's statistics for one exchange type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exchange {
    /// Packets sent.
    pub sent: u64,
    /// Packets received.
    pub received: u64,
    /// Drops.
    pub drops: u64,
    /// Non-unique addresses (with `-u`).
    pub non_unique: u64,
    /// Rejected leases.
    pub rejected: u64,
}

/// A perfdhcp run's output and statistics.
#[derive(Debug, Clone, Default)]
pub struct PerfResult {
    /// Its exit code (perfdhcp exits 3 when packets were dropped).
    pub code: Option<i32>,
    /// DISCOVER-OFFER.
    pub discover_offer: Exchange,
    /// REQUEST-ACK.
    pub request_ack: Exchange,
    /// `Rate: X 4-way exchanges/second`.
    pub rate: Option<f64>,
    /// The whole output.
    pub output: String,
}

impl PerfResult {
    /// Parses perfdhcp's `***Statistics for: ...***` blocks and rate line.
    pub fn parse(text: &str, code: Option<i32>) -> PerfResult {
        let mut result = PerfResult {
            code,
            output: text.to_string(),
            ..PerfResult::default()
        };
        let mut current: Option<&mut Exchange> = None;
        for line in text.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("***Statistics for: ") {
                current = if rest.starts_with("DISCOVER-OFFER") {
                    Some(&mut result.discover_offer)
                } else if rest.starts_with("REQUEST-ACK") {
                    Some(&mut result.request_ack)
                } else {
                    None
                };
                continue;
            }
            if let Some(rest) = line.strip_prefix("Rate: ") {
                result.rate = rest.split_whitespace().next().and_then(|r| r.parse().ok());
                continue;
            }
            let Some(ex) = current.as_deref_mut() else {
                continue;
            };
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let Ok(n) = value.trim().parse::<u64>() else {
                continue;
            };
            match key {
                "sent packets" => ex.sent = n,
                "received packets" => ex.received = n,
                "drops" => ex.drops = n,
                "non unique addresses" => ex.non_unique = n,
                "rejected leases" => ex.rejected = n,
                _ => {}
            }
        }
        result
    }
}

impl Lab {
    /// Starts tcpdump on `host`'s `eth0` writing DHCP packets (UDP ports 67 and 68) to
    /// `NAME.pcap`, packet-buffered and in immediate mode (so that no packet waits in
    /// libpcap's buffer when tcpdump is stopped); returns once it listens.
    pub fn tcpdump(&self, host: &str, name: &str) -> (Proc, PathBuf) {
        let tcpdump = super::required_tool("tcpdump");
        let pcap = self.dir().join(format!("{name}.pcap"));
        let mut cmd = self.command(host, tcpdump);
        cmd.args(["-i", "eth0", "-n", "-U", "--immediate-mode", "-s", "1500"])
            .arg("-w")
            .arg(&pcap)
            .args(["udp", "and", "(port", "67", "or", "port", "68)"]);
        let proc = self.spawn(name, cmd);
        assert!(
            proc.wait_for_log("listening on", Duration::from_secs(10)),
            "tcpdump did not start: {}",
            proc.log_text()
        );
        (proc, pcap)
    }
}

/// The DHCPACKs in a pcap file (Ethernet, IPv4, UDP): (yiaddr, chaddr) of each, in order.
/// Truncated or foreign packets are skipped (`dhcp_wire::packets_in_pcap`).
pub fn acks_in_pcap(data: &[u8]) -> Vec<(Ipv4Addr, [u8; 6])> {
    super::dhcp_wire::packets_in_pcap(data)
        .into_iter()
        .filter(|p| p.dhcp.msg_type == Some(super::dhcp_wire::msg::ACK))
        .map(|p| (p.dhcp.yiaddr, p.dhcp.chaddr))
        .collect()
}
