//! A DHCPv4 failover pair in network namespaces that the test creates (built on
//! [`super::netns::Lab`]): one bridge segment, the two peers, and three client namespaces.
//!
//! ```text
//!             segment 10.60.0.0/19 (one bridge)
//!   primary 10.60.0.1   secondary 10.60.0.2   relay 10.60.0.5   load 10.60.0.9   direct (none)
//!                                                  |
//!                                   relayed subnet 10.61.0.0/24, giaddr 10.61.0.1
//! ```
//!
//! - `direct`: clients on the servers' segment (the client generator in direct mode). It
//!   has no address of its own; the direct pool is routed to it as `local`, so that it
//!   answers ARP for the addresses its clients lease and receives unicast replies to them.
//! - `relay`: a relay agent for a second, relayed subnet declared in the model (the client
//!   generator in relay mode); the relayed subnet is `local` there and routed to it from both
//!   servers.
//! - `load`: perfdhcp, which acts as a relay with its own address as giaddr.
//!
//! Both peers' configurations come from ONE model ([`LabModel::yaml`]) rendered by
//! `dhcpfo render`. Each peer is ISC dhcpd (`dhcpd -4 -d -cf RENDERED`) or `dhcpfo serve
//! MODEL --role R` ([`PeerKind`]); their output is logged with arrival time stamps, their
//! failover states are read from the log lines both write (`failover peer NAME: I move from
//! X to Y`), their lease files with `dhcpfo::leases::parse`. Because the model sets
//! `ping-check: false` (the `local` routes would answer every ping), no address is ever
//! abandoned for a ping reply.

#![allow(dead_code)]

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use dhcpfo::leases::{BindingState, LeaseFile, parse};
use dhcpfo::model::Role;

use super::dhcp_client::{ClientLoad, Mode, now};
use super::dhcp_wire::{Secs, WirePacket, merge_captures, packets_in_pcap};
use super::netns::{Lab, PerfResult, Proc, root_or_skip, run_bounded, run_bounded_with_input};
use super::pair_check::{PeerFile, SafetyReport, Transition, Window, service_windows, transitions};

/// The failover relationship's name in the lab model.
pub const RELATIONSHIP: &str = "lab-pair";
/// The primary's address (and DHCP server identifier).
pub const PRIMARY: Ipv4Addr = Ipv4Addr::new(10, 60, 0, 1);
/// The secondary's address.
pub const SECONDARY: Ipv4Addr = Ipv4Addr::new(10, 60, 0, 2);
/// The relay agent's address on the segment.
pub const RELAY_UPLINK: Ipv4Addr = Ipv4Addr::new(10, 60, 0, 5);
/// perfdhcp's address on the segment (its giaddr).
pub const LOAD: Ipv4Addr = Ipv4Addr::new(10, 60, 0, 9);
/// The relay agent's address on the relayed subnet: the giaddr of relayed clients.
pub const GIADDR: Ipv4Addr = Ipv4Addr::new(10, 61, 0, 1);
/// The first address of the direct pool (on the segment).
pub const DIRECT_POOL_START: Ipv4Addr = Ipv4Addr::new(10, 60, 8, 0);
/// The first address of the relayed pool.
pub const RELAYED_POOL_START: Ipv4Addr = Ipv4Addr::new(10, 61, 0, 10);
/// The OMAPI port in the model, for omshell.
pub const OMAPI_PORT: u16 = 7911;

/// The address of a peer.
pub fn address(role: Role) -> Ipv4Addr {
    match role {
        Role::Primary => PRIMARY,
        Role::Secondary => SECONDARY,
    }
}

/// The role whose address is `server` (a DHCP server identifier).
pub fn role_of(server: Ipv4Addr) -> Option<Role> {
    Role::BOTH.into_iter().find(|r| address(*r) == server)
}

/// Which server implementation plays a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerKind {
    /// ISC dhcpd 4.4.
    Isc,
    /// `dhcpfo serve`.
    Dhcpfo,
}

impl PeerKind {
    /// `isc` or `dhcpfo`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerKind::Isc => "isc",
            PeerKind::Dhcpfo => "dhcpfo",
        }
    }
}

/// The implementations of both roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairKind {
    /// The primary's.
    pub primary: PeerKind,
    /// The secondary's.
    pub secondary: PeerKind,
}

impl PairKind {
    /// The implementation of `role`.
    pub fn get(self, role: Role) -> PeerKind {
        match role {
            Role::Primary => self.primary,
            Role::Secondary => self.secondary,
        }
    }

    /// `isc+dhcpfo`: the primary's, then the secondary's.
    pub fn label(self) -> String {
        format!("{}+{}", self.primary.as_str(), self.secondary.as_str())
    }

    /// Whether a dhcpfo failover peer is part of the pair.
    pub fn has_dhcpfo(self) -> bool {
        self.primary == PeerKind::Dhcpfo || self.secondary == PeerKind::Dhcpfo
    }
}

/// The knobs of the lab's pair model; [`LabModel::yaml`] writes the model.
#[derive(Debug, Clone)]
pub struct LabModel {
    /// `failover.split`.
    pub split: u32,
    /// `failover.mclt`, seconds.
    pub mclt: u32,
    /// `default-lease-time`, seconds.
    pub default_lease_time: u32,
    /// `max-lease-time`, seconds.
    pub max_lease_time: u32,
    /// Addresses in the direct pool (at most 4,000).
    pub direct_pool: u32,
    /// Addresses in the relayed pool (at most 240).
    pub relayed_pool: u32,
    /// `load-balance-max-seconds`.
    pub load_balance_max_seconds: u32,
    /// `max-response-delay`, seconds.
    pub max_response_delay: u32,
    /// `max-unacked-updates`.
    pub max_unacked_updates: u32,
    /// `auto-partner-down`, seconds.
    pub auto_partner_down: Option<u32>,
}

impl Default for LabModel {
    /// Split 128, MCLT 30 s, leases of 60 s (120 s at most), 40 + 40 addresses.
    fn default() -> Self {
        LabModel {
            split: 128,
            mclt: 30,
            default_lease_time: 60,
            max_lease_time: 120,
            direct_pool: 40,
            relayed_pool: 40,
            load_balance_max_seconds: 3,
            max_response_delay: 30,
            max_unacked_updates: 10,
            auto_partner_down: None,
        }
    }
}

fn offset(start: Ipv4Addr, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(start) + n)
}

impl LabModel {
    /// The direct pool's first and last address.
    pub fn direct_range(&self) -> (Ipv4Addr, Ipv4Addr) {
        (
            DIRECT_POOL_START,
            offset(DIRECT_POOL_START, self.direct_pool.clamp(1, 4000) - 1),
        )
    }

    /// The relayed pool's first and last address.
    pub fn relayed_range(&self) -> (Ipv4Addr, Ipv4Addr) {
        (
            RELAYED_POOL_START,
            offset(RELAYED_POOL_START, self.relayed_pool.clamp(1, 240) - 1),
        )
    }

    /// Whether `ip` is in one of the two pools.
    pub fn in_pools(&self, ip: Ipv4Addr) -> bool {
        [self.direct_range(), self.relayed_range()]
            .iter()
            .any(|(a, b)| (*a..=*b).contains(&ip))
    }

    /// The pair model.
    pub fn yaml(&self) -> String {
        let (d0, d1) = self.direct_range();
        let (r0, r1) = self.relayed_range();
        let mut failover = format!(
            "failover:\n  name: {RELATIONSHIP}\n  mclt: {}\n  split: {}\n  \
             max-response-delay: {}\n  max-unacked-updates: {}\n  load-balance-max-seconds: {}\n",
            self.mclt,
            self.split,
            self.max_response_delay,
            self.max_unacked_updates,
            self.load_balance_max_seconds
        );
        if let Some(apd) = self.auto_partner_down {
            failover.push_str(&format!("  auto-partner-down: {apd}\n"));
        }
        format!(
            "{failover}\
peers:
  primary: {{ address: {PRIMARY}, interfaces: [eth0], hostname: lab-primary }}
  secondary: {{ address: {SECONDARY}, interfaces: [eth0], hostname: lab-secondary }}
global:
  authoritative: true
  ping-check: false
  omapi-port: {OMAPI_PORT}
  default-lease-time: {}
  max-lease-time: {}
subnets:
  # The servers' segment, with the direct clients and perfdhcp.
  - network: 10.60.0.0/19
    pools:
      - range: [{d0}, {d1}]
  # Behind the relay agent {GIADDR}.
  - network: 10.61.0.0/24
    options:
      routers: {GIADDR}
    pools:
      - range: [{r0}, {r1}]
",
            self.default_lease_time, self.max_lease_time
        )
    }
}

/// The CIDR blocks that cover `first..=last` exactly.
pub fn cidr_blocks(first: Ipv4Addr, last: Ipv4Addr) -> Vec<String> {
    let (mut a, b) = (u64::from(u32::from(first)), u64::from(u32::from(last)));
    let mut out = Vec::new();
    while a <= b {
        let mut size: u64 = if a == 0 {
            1 << 32
        } else {
            a & a.wrapping_neg()
        };
        while a + size - 1 > b {
            size /= 2;
        }
        out.push(format!(
            "{}/{}",
            Ipv4Addr::from(a as u32),
            32 - size.trailing_zeros()
        ));
        a += size;
    }
    out
}

/// Which client namespace a generator runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// On the servers' segment.
    Direct,
    /// Behind the relay agent.
    Relayed,
}

/// Something the test did to the pair, with its time.
#[derive(Debug, Clone, PartialEq)]
pub enum LabEvent {
    /// A peer was started.
    Start(Role, Secs),
    /// A peer was killed with SIGKILL.
    Kill(Role, Secs),
    /// A peer was sent SIGTERM.
    Stop(Role, Secs),
    /// A peer was told its partner is down.
    PartnerDown(Role, Secs),
}

struct Peer {
    role: Role,
    kind: PeerKind,
    conf: Option<PathBuf>,
    leases: PathBuf,
    proc: Option<Proc>,
    /// Extra environment of the peer's process (e.g. a preloaded faked clock).
    env: Vec<(String, String)>,
    logs: Vec<PathBuf>,
    /// (start, end) of each process; the end is infinite while it runs.
    lifetimes: Vec<(Secs, Secs)>,
}

/// The lab: a pair of peers, client namespaces, captures; everything is removed on drop.
pub struct PairLab {
    /// The namespaces and processes.
    pub lab: Lab,
    /// Which implementation plays which role.
    pub kind: PairKind,
    /// The model's knobs.
    pub model: LabModel,
    /// The model file.
    pub model_path: PathBuf,
    peers: [Peer; 2],
    captures: Vec<(Proc, PathBuf)>,
    /// What the test did, in order.
    pub events: Vec<LabEvent>,
    /// Each lease file as it was just before a peer started on it (a start rewrites it:
    /// ISC's and dhcpfo's both write the current state only), and as it was before a
    /// rewrite inside the run ([`PairLab::keep_backup`]), with the role and the time, in
    /// the order taken (sort by time for the file's history).
    pub files_before_starts: Vec<(Role, Secs, String)>,
}

impl PairLab {
    /// Builds the namespaces and renders both peers' configurations, or returns `None` (with
    /// a note) when root or a tool is missing; under `CI=true` that is a failure instead.
    #[track_caller]
    pub fn new(test: &str, kind: PairKind, model: LabModel) -> Option<PairLab> {
        let mut tools = vec!["tcpdump", "perfdhcp", "dhclient"];
        if kind.primary == PeerKind::Isc || kind.secondary == PeerKind::Isc {
            tools.push("dhcpd");
            tools.push("omshell");
        }
        if !root_or_skip(test) || !super::netns::tools_or_skip(test, &tools) {
            return None;
        }
        let segment = |ip: Ipv4Addr| format!("{ip}/19");
        let lab = Lab::builder("pair")
            .host("primary", Some(&segment(PRIMARY)))
            .host("secondary", Some(&segment(SECONDARY)))
            .host("relay", Some(&segment(RELAY_UPLINK)))
            .host("load", Some(&segment(LOAD)))
            .host("direct", None)
            .build();
        for host in ["primary", "secondary"] {
            lab.run_ok(
                host,
                &[
                    "ip",
                    "route",
                    "add",
                    "10.61.0.0/24",
                    "via",
                    &RELAY_UPLINK.to_string(),
                ],
            );
        }
        lab.run_ok(
            "relay",
            &["ip", "route", "add", "local", "10.61.0.0/24", "dev", "lo"],
        );
        lab.run_ok(
            "direct",
            &["ip", "route", "add", "10.60.0.0/19", "dev", "eth0"],
        );
        let (first, last) = model.direct_range();
        for block in cidr_blocks(first, last) {
            lab.run_ok(
                "direct",
                &["ip", "route", "add", "local", &block, "dev", "lo"],
            );
        }
        let model_path = lab.dir().join("pair.yaml");
        std::fs::write(&model_path, model.yaml()).expect("write the model");
        let peers = Role::BOTH.map(|role| {
            let conf = (kind.get(role) == PeerKind::Isc).then(|| render(&lab, &model_path, role));
            let leases = lab.dir().join(format!("{}.leases", role.as_str()));
            std::fs::write(&leases, "").expect("lease file");
            Peer {
                role,
                kind: kind.get(role),
                conf,
                leases,
                proc: None,
                env: Vec::new(),
                logs: Vec::new(),
                lifetimes: Vec::new(),
            }
        });
        Some(PairLab {
            lab,
            kind,
            model,
            model_path,
            peers,
            captures: Vec::new(),
            events: Vec::new(),
            files_before_starts: Vec::new(),
        })
    }

    fn peer(&self, role: Role) -> &Peer {
        &self.peers[role as usize]
    }

    fn peer_mut(&mut self, role: Role) -> &mut Peer {
        &mut self.peers[role as usize]
    }

    /// Keeps the peer's previous lease file (`FILE~`: both ISC dhcpd and dhcpfo keep there
    /// the file a rewrite replaced) among the copies, at the time it was last written, when
    /// its text differs from every copy of the role: the journal as it was before a rewrite
    /// inside the run (dhcpfo's compaction, ISC's hourly rewrite or its rewrite after a
    /// failed write), which the next start's copy or the final file restate only in part.
    /// Called before each start (a start's own rewrite then replaces `FILE~`) and at the
    /// end of a run, before the final file is read.
    pub fn keep_backup(&mut self, role: Role) {
        let mut path = self.peer(role).leases.clone().into_os_string();
        path.push("~");
        let path = PathBuf::from(path);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return;
        };
        let known = self
            .files_before_starts
            .iter()
            .any(|(r, _, copy)| *r == role && *copy == text);
        if text.trim().is_empty() || known {
            return;
        }
        let written = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or_else(now, |d| d.as_secs_f64());
        self.files_before_starts.push((role, written, text));
    }

    /// Starts a peer (again, with the lease file it had) and waits until it serves.
    #[track_caller]
    pub fn start(&mut self, role: Role) {
        if let Err(e) = self.try_start(role, Duration::from_secs(30)) {
            panic!("{e}");
        }
    }

    /// Starts a peer and waits up to `timeout` until it serves: the time of the start, or
    /// its log when it exited first or was not ready in time (then it is killed).
    pub fn try_start(&mut self, role: Role, timeout: Duration) -> Result<Secs, String> {
        assert!(self.peer(role).proc.is_none(), "the {role:?} is running");
        self.keep_backup(role);
        // A start refused before it wrote (a read-only folder) leaves the file as it was:
        // the same copy twice would read its records twice.
        if let Ok(text) = std::fs::read_to_string(&self.peer(role).leases)
            && !text.trim().is_empty()
            && self
                .files_before_starts
                .iter()
                .rev()
                .find(|(r, _, _)| *r == role)
                .is_none_or(|(_, _, last)| *last != text)
        {
            self.files_before_starts.push((role, now(), text));
        }
        let starts = self.peer(role).logs.len() + 1;
        let name = format!("{}-{starts}", role.as_str());
        let host = role.as_str();
        let peer = self.peer(role);
        let (mut cmd, ready) = match peer.kind {
            PeerKind::Isc => {
                let pid_file = self.lab.dir().join(format!("{}.pid", role.as_str()));
                let _ = std::fs::remove_file(&pid_file);
                let mut cmd = self.lab.command(host, super::required_tool("dhcpd"));
                cmd.args(["-4", "-d", "-cf"])
                    .arg(peer.conf.as_ref().expect("rendered"))
                    .arg("-lf")
                    .arg(&peer.leases)
                    .arg("-pf")
                    .arg(&pid_file)
                    .arg("eth0");
                (cmd, "Server starting service.")
            }
            PeerKind::Dhcpfo => {
                let mut cmd = self.lab.command(host, env!("CARGO_BIN_EXE_dhcpfo"));
                cmd.arg("serve")
                    .arg(&self.model_path)
                    .args(["--role", role.as_str(), "--interface", "eth0", "--leases"])
                    .arg(&peer.leases)
                    // DHCPFO_PAIR_LOG=debug adds every binding update to the peer's log.
                    .env(
                        "DHCPFO_LOG",
                        std::env::var("DHCPFO_PAIR_LOG").unwrap_or_else(|_| "info".into()),
                    );
                (cmd, "dhcpfo serve ready")
            }
        };
        cmd.envs(peer.env.iter().map(|(k, v)| (k, v)));
        let at = now();
        let proc = self.lab.spawn_stamped(&name, cmd);
        self.events.push(LabEvent::Start(role, at));
        let peer = self.peer_mut(role);
        peer.logs.push(proc.log.clone());
        peer.lifetimes.push((at, f64::INFINITY));
        peer.proc = Some(proc.clone());
        let deadline = now() + timeout.as_secs_f64();
        loop {
            if proc.log_text().contains(ready) {
                return Ok(at);
            }
            let exited = self.lab.wait(&proc, Duration::ZERO).is_some();
            if exited || now() > deadline {
                if !exited {
                    self.lab.kill(&proc);
                }
                self.ended(role, now());
                return Err(format!(
                    "the {} did not start ({}):\n{}",
                    role.as_str(),
                    if exited {
                        "it exited"
                    } else {
                        "not ready in time"
                    },
                    proc.log_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sets an environment variable for the peer's next starts.
    pub fn set_peer_env(&mut self, role: Role, key: &str, value: &str) {
        let env = &mut self.peer_mut(role).env;
        env.retain(|(k, _)| k != key);
        env.push((key.to_string(), value.to_string()));
    }

    /// Moves the (stopped) peer's lease file into `dir`, where its next starts keep it.
    #[track_caller]
    pub fn move_leases(&mut self, role: Role, dir: &Path) {
        assert!(self.peer(role).proc.is_none(), "the {role:?} is running");
        let to = dir.join(format!("{}.leases", role.as_str()));
        let from = self.peer(role).leases.clone();
        std::fs::copy(&from, &to).expect("copy the lease file");
        std::fs::remove_file(&from).expect("remove the old lease file");
        self.peer_mut(role).leases = to;
    }

    /// Starts the primary, then the secondary.
    pub fn start_pair(&mut self) {
        self.start(Role::Primary);
        self.start(Role::Secondary);
    }

    fn ended(&mut self, role: Role, at: Secs) {
        let peer = self.peer_mut(role);
        peer.proc = None;
        if let Some(last) = peer.lifetimes.last_mut() {
            last.1 = at;
        }
    }

    /// `kill -9`; returns when the process is gone, with the time of the kill.
    pub fn kill9(&mut self, role: Role) -> Secs {
        let proc = self.peer(role).proc.clone().expect("running");
        let at = now();
        self.lab.kill(&proc);
        self.events.push(LabEvent::Kill(role, at));
        self.ended(role, at);
        at
    }

    /// SIGTERM, then waits up to 15 s for the exit; the time of the signal.
    #[track_caller]
    pub fn sigterm(&mut self, role: Role) -> Secs {
        let proc = self.peer(role).proc.clone().expect("running");
        let at = now();
        self.lab.signal(&proc, libc::SIGTERM);
        assert!(
            self.lab.wait(&proc, Duration::from_secs(15)).is_some(),
            "the {} did not exit 15 s after SIGTERM",
            role.as_str()
        );
        self.events.push(LabEvent::Stop(role, at));
        self.ended(role, now());
        at
    }

    /// SIGTERM, then waits up to `timeout` for the exit: the time of the signal, or an
    /// error after which the peer was killed with SIGKILL.
    pub fn try_sigterm(&mut self, role: Role, timeout: Duration) -> Result<Secs, String> {
        let proc = self.peer(role).proc.clone().expect("running");
        let at = now();
        self.lab.signal(&proc, libc::SIGTERM);
        self.events.push(LabEvent::Stop(role, at));
        let exited = self.lab.wait(&proc, timeout).is_some();
        if !exited {
            self.lab.kill(&proc);
        }
        self.ended(role, now());
        if exited {
            Ok(at)
        } else {
            Err(format!(
                "the {} did not exit {timeout:?} after SIGTERM (killed)",
                role.as_str()
            ))
        }
    }

    /// Starts a stopped or killed peer again on the same lease file.
    pub fn restart(&mut self, role: Role) {
        self.start(role);
    }

    /// Makes a stopped peer's next start run `kind` on the same lease file (rendering its
    /// dhcpd.conf from the model when it becomes ISC dhcpd).
    #[track_caller]
    pub fn replace(&mut self, role: Role, kind: PeerKind) {
        assert!(self.peer(role).proc.is_none(), "the {role:?} is running");
        if kind == PeerKind::Isc && self.peer(role).conf.is_none() {
            let conf = render(&self.lab, &self.model_path, role);
            self.peer_mut(role).conf = Some(conf);
        }
        self.peer_mut(role).kind = kind;
        match role {
            Role::Primary => self.kind.primary = kind,
            Role::Secondary => self.kind.secondary = kind,
        }
    }

    /// `dhcpd -T` on the peer's lease file with the dhcpd.conf rendered for its role:
    /// ISC's verdict on the file, `Err` with dhcpd's output when it finds an error.
    pub fn dhcpd_test_leases(&self, role: Role) -> Result<(), String> {
        let conf = render(&self.lab, &self.model_path, role);
        let mut cmd = std::process::Command::new(super::required_tool("dhcpd"));
        cmd.args(["-T", "-4", "-cf"])
            .arg(&conf)
            .arg("-lf")
            .arg(self.leases_path(role))
            .arg("-pf")
            .arg(self.lab.dir().join("dhcpd-T.pid"));
        let out = run_bounded(cmd, Duration::from_secs(30));
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        // dhcpd reports a stanza it cannot read as `FILE line N: ...`.
        if out.status.success()
            && text.contains("Lease file test successful")
            && !text.contains(" line ")
        {
            Ok(())
        } else {
            Err(format!(
                "dhcpd -T ({}): {:?}\n{text}",
                role.as_str(),
                out.status
            ))
        }
    }

    /// Cuts (`true`) or restores the network between the two peers: in each peer's
    /// namespace the route to the other is prohibited, so their failover connection stalls
    /// and new ones fail, while the clients still reach both.
    pub fn cut_peers(&self, cut: bool) {
        let verb = if cut { "add" } else { "del" };
        for role in Role::BOTH {
            let other = format!("{}/32", address(role.partner()));
            self.lab
                .run_ok(role.as_str(), &["ip", "route", verb, "prohibit", &other]);
        }
    }

    /// Whether the peer's process runs.
    pub fn running(&self, role: Role) -> bool {
        self.peer(role).proc.is_some()
    }

    /// If the peer's process exited by itself since the last look, records its end (now)
    /// and returns `true`.
    pub fn reap(&mut self, role: Role) -> bool {
        let Some(proc) = self.peer(role).proc.clone() else {
            return false;
        };
        if self.lab.wait(&proc, Duration::ZERO).is_none() {
            return false;
        }
        self.ended(role, now());
        true
    }

    /// Tells `role` that its partner is down: ISC through OMAPI (omshell, `local-state = 4`
    /// on the `failover-state` object), dhcpfo through [`PairLab::dhcpfo_partner_down`].
    pub fn partner_down(&mut self, role: Role) -> Result<Secs, String> {
        let at = now();
        match self.peer(role).kind {
            PeerKind::Isc => self.isc_partner_down(role)?,
            PeerKind::Dhcpfo => self.dhcpfo_partner_down(role)?,
        }
        self.events.push(LabEvent::PartnerDown(role, at));
        Ok(at)
    }

    fn isc_partner_down(&self, role: Role) -> Result<(), String> {
        let script = format!(
            "server 127.0.0.1\nport {OMAPI_PORT}\nconnect\nnew failover-state\n\
             set name = \"{RELATIONSHIP}\"\nopen\nset local-state = 4\nupdate\n"
        );
        let cmd = self
            .lab
            .command(role.as_str(), super::required_tool("omshell"));
        let out = run_bounded_with_input(cmd, &script, Duration::from_secs(20));
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        // omshell echoes the object after `set` and after `update`; failures read
        // "not connected", "dhcpctl_...: ..." or "can't ...".
        let failed = ["not connected", "dhcpctl_", "can't", "no open object"]
            .iter()
            .any(|e| text.contains(e));
        if out.status.success() && !failed && text.contains("local-state = 4") {
            Ok(())
        } else {
            Err(format!("omshell did not set partner-down:\n{text}"))
        }
    }

    /// Declares partner-down on a dhcpfo peer: `dhcpfo failover partner-down MODEL --role R
    /// --leases FILE`, over the peer's control socket beside its lease file.
    pub fn dhcpfo_partner_down(&self, role: Role) -> Result<(), String> {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dhcpfo"));
        cmd.args(["failover", "partner-down"])
            .arg(&self.model_path)
            .args(["--role", role.as_str(), "--leases"])
            .arg(&self.peer(role).leases);
        let out = run_bounded(cmd, Duration::from_secs(20));
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if out.status.success() && text.contains("my state partner-down") {
            Ok(())
        } else {
            Err(format!("dhcpfo failover partner-down failed:\n{text}"))
        }
    }

    /// What a dhcpfo peer says of its relationship: `dhcpfo failover state MODEL --role R
    /// --leases FILE --format json`, the `status` object of its reply.
    pub fn dhcpfo_state(&self, role: Role) -> Result<serde_json::Value, String> {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dhcpfo"));
        cmd.args(["failover", "state"])
            .arg(&self.model_path)
            .args(["--role", role.as_str(), "--format", "json", "--leases"])
            .arg(&self.peer(role).leases);
        let out = run_bounded(cmd, Duration::from_secs(20));
        let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        match reply.get("status") {
            Some(status) if out.status.success() && reply["ok"] == true => Ok(status.clone()),
            _ => Err(format!(
                "dhcpfo failover state: {:?}\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )),
        }
    }

    /// Every log line of every start of the peer, time-stamped.
    pub fn log(&self, role: Role) -> String {
        self.peer(role)
            .logs
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The last lines of the peer's log, for failure messages.
    pub fn log_tail(&self, role: Role, lines: usize) -> String {
        let log = self.log(role);
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Every failover state change the peer logged, over all its starts.
    pub fn transitions(&self, role: Role) -> Vec<Transition> {
        transitions(&self.log(role))
    }

    /// The state the running peer last moved to, if any.
    pub fn state(&self, role: Role) -> Option<String> {
        let proc = self.peer(role).proc.as_ref()?;
        transitions(&proc.log_text()).pop().map(|t| t.to)
    }

    /// Waits until the peer logs a move into `state` at or after `since`; the time of that
    /// line, or an error with the end of its log after `timeout`.
    pub fn wait_state(
        &self,
        role: Role,
        state: &str,
        since: Secs,
        timeout: Duration,
    ) -> Result<Secs, String> {
        let deadline = now() + timeout.as_secs_f64();
        loop {
            if let Some(t) = self
                .transitions(role)
                .into_iter()
                .find(|t| t.at >= since && t.to == state)
            {
                return Ok(t.at);
            }
            if now() > deadline {
                return Err(format!(
                    "the {} did not move to {state} within {timeout:?}; its log ends:\n{}",
                    role.as_str(),
                    self.log_tail(role, 25)
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until both peers move to `normal` at or after `since`: their times.
    pub fn wait_both_normal(&self, since: Secs, timeout: Duration) -> Result<[Secs; 2], String> {
        let p = self.wait_state(Role::Primary, "normal", since, timeout)?;
        let s = self.wait_state(Role::Secondary, "normal", since, timeout)?;
        Ok([p, s])
    }

    /// The peer's lease file.
    pub fn leases_path(&self, role: Role) -> &Path {
        &self.peer(role).leases
    }

    /// The peer's lease file as it is now, every stanza (a write in progress is waited out).
    #[track_caller]
    pub fn journal(&self, role: Role) -> LeaseFile {
        read_journal(self.leases_path(role))
    }

    /// Both lease files, for the checkers.
    pub fn files(&self) -> Vec<PeerFile> {
        Role::BOTH
            .map(|role| PeerFile {
                peer: role.as_str().to_string(),
                journal: self.journal(role),
            })
            .to_vec()
    }

    /// Per binding state, how many addresses of the two pools the peer's lease file holds.
    pub fn pool_states(&self, role: Role) -> std::collections::BTreeMap<BindingState, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for lease in self.journal(role).current().leases {
            if self.model.in_pools(lease.address) {
                *counts.entry(lease.binding_state).or_insert(0) += 1;
            }
        }
        counts
    }

    /// Starts tcpdump (DHCP only, not promiscuous) in each client namespace, in immediate
    /// mode: libpcap otherwise hands packets over in blocks up to a second old, and a block
    /// not yet handed over when tcpdump is stopped is never written.
    pub fn start_captures(&mut self) {
        let tcpdump = super::required_tool("tcpdump");
        for host in ["direct", "relay", "load"] {
            let n = self.captures.len();
            let pcap = self.lab.dir().join(format!("{host}-{n}.pcap"));
            let mut cmd = self.lab.command(host, &tcpdump);
            cmd.args([
                "-i",
                "eth0",
                "-p",
                "-n",
                "-U",
                "--immediate-mode",
                "-s",
                "1500",
            ])
            .arg("-w")
            .arg(&pcap)
            .args(["udp", "and", "(port", "67", "or", "port", "68)"]);
            let proc = self.lab.spawn(&format!("tcpdump-{host}-{n}"), cmd);
            assert!(
                proc.wait_for_log("listening on", Duration::from_secs(10)),
                "tcpdump did not start: {}",
                proc.log_text()
            );
            self.captures.push((proc, pcap));
        }
    }

    /// Every DHCP packet captured so far, one time line (the captures keep running).
    pub fn wire(&self) -> Vec<WirePacket> {
        merge_captures(
            self.captures
                .iter()
                .map(|(_, pcap)| packets_in_pcap(&std::fs::read(pcap).unwrap_or_default()))
                .collect(),
        )
    }

    /// Stops the captures; every DHCP packet they saw.
    pub fn stop_captures(&mut self) -> Vec<WirePacket> {
        // Let the last replies arrive and be written.
        std::thread::sleep(Duration::from_millis(500));
        for (proc, _) in &self.captures {
            self.lab.signal(proc, libc::SIGTERM);
            let _ = self.lab.wait(proc, Duration::from_secs(10));
        }
        self.wire()
    }

    /// A client generator for `side`, not started: `n` clients with MACs `02:TAG:...`.
    pub fn clients(&self, side: Side, n: u32, mac_tag: u8, run_for: Duration) -> ClientLoad {
        let (host, mode) = match side {
            Side::Direct => ("direct", Mode::Direct),
            Side::Relayed => (
                "relay",
                Mode::Relay {
                    giaddr: GIADDR,
                    servers: vec![PRIMARY, SECONDARY],
                },
            ),
        };
        ClientLoad::new(self.lab.ns(host), mode, n, mac_tag, run_for)
    }

    /// Runs perfdhcp (DHCPv4 on `eth0`, as a relay) in the `load` namespace.
    pub fn perfdhcp(&self, args: &[&str], timeout: Duration) -> PerfResult {
        self.lab.perfdhcp("load", args, timeout)
    }

    /// When each peer could serve, up to `until`, from its lifetimes and logged states.
    pub fn windows(&self, until: Secs) -> Vec<Window> {
        Role::BOTH
            .iter()
            .flat_map(|&role| {
                let lifetimes: Vec<(Secs, Secs)> = self
                    .peer(role)
                    .lifetimes
                    .iter()
                    .map(|&(a, b)| (a, b.min(until)))
                    .collect();
                service_windows(role.as_str(), &lifetimes, &self.transitions(role))
            })
            .collect()
    }

    /// Runs the checkers on `wire` and the lease files as they are now; outages of more
    /// than `grace` seconds while a peer could serve are reported.
    pub fn safety_report(&self, wire: &[WirePacket], grace: Secs) -> SafetyReport {
        let files = self.files();
        let read_at = now();
        SafetyReport::check(wire, &files, read_at, &self.windows(read_at), grace)
    }
}

/// `dhcpfo render MODEL --role R`, written to `R.conf` in the lab folder.
#[track_caller]
fn render(lab: &Lab, model: &Path, role: Role) -> PathBuf {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_dhcpfo"));
    cmd.arg("render").arg(model).args(["--role", role.as_str()]);
    let out = run_bounded(cmd, Duration::from_secs(30));
    assert!(
        out.status.success(),
        "dhcpfo render --role {}: {}",
        role.as_str(),
        String::from_utf8_lossy(&out.stderr)
    );
    let conf = lab.dir().join(format!("{}.conf", role.as_str()));
    std::fs::write(&conf, &out.stdout).expect("write the rendered configuration");
    conf
}

/// Parses a lease file that a server may be writing or replacing: a missing file or a cut
/// last stanza is read again a moment later; after two seconds the complete stanzas count.
#[track_caller]
pub fn read_journal(path: &Path) -> LeaseFile {
    let mut last_error = String::new();
    for _ in 0..40 {
        match std::fs::read_to_string(path) {
            Ok(text) => match parse(&text) {
                Ok(file) => return file,
                Err(e) => last_error = e.to_string(),
            },
            Err(e) => last_error = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    if let Some(cut) = text.rfind("\n}\n")
        && let Ok(file) = parse(&text[..cut + 3])
    {
        return file;
    }
    panic!("{}: {last_error}", path.display());
}
