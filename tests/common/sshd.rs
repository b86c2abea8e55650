//! Two real OpenSSH daemons on loopback ports standing in for the two peers of a pair.
//!
//! Each peer has its own folder (its "file system": `etc/dhcp/dhcpd.conf`,
//! `etc/default/isc-dhcp-server`, `var/lib/dhcp/dhcpd.leases`), generated Ed25519 and ECDSA host
//! keys (the client knows the ECDSA one), and a fake service (`bin/restart`, `bin/status`)
//! that records restarts in `service.log` and remembers the config it "runs" in
//! `running.conf`. Commands found in the peer's
//! `fakebin/` come first on the session's PATH (a test puts a skewed `date` there). The
//! client side has its own `$HOME` with a generated user key and a known_hosts file holding
//! both peers' host keys. Each sshd is killed by its PID when the lab is dropped.
//!
//! The model names each peer's files by the peer's folder, so the two peers' paths differ.
//! [`Lab::start_same_paths`] gives both peers the same path strings, as production pairs have
//! (`/etc/dhcp/dhcpd.conf` on both): each sshd runs in a mount namespace of its own, in which
//! the lab's `shared` folder is its peer's folder (a bind mount that only its sessions see).

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A child process killed by its PID when dropped.
pub struct Guard(pub Option<Child>);

impl Guard {
    /// Kills the process now.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One peer: its sshd and its folder.
pub struct SshPeer {
    /// `primary` or `secondary`.
    pub role: &'static str,
    /// The peer's folder.
    pub dir: PathBuf,
    /// The port its sshd listens on (127.0.0.1).
    pub port: u16,
    /// The `known_hosts` line of its host key.
    pub known_hosts_line: String,
    /// Where the model reaches this peer's folder: the folder itself, or the lab's `shared`
    /// folder, which the peer's sessions see as its folder (see [`Lab::start_same_paths`]).
    pub remote_root: PathBuf,
    child: Option<Child>,
    sshd: PathBuf,
}

impl SshPeer {
    /// A path inside the peer's folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// The live dhcpd.conf.
    pub fn config(&self) -> PathBuf {
        self.path("etc/dhcp/dhcpd.conf")
    }

    /// A path inside the peer's folder as the peer's sessions (and the model) name it.
    pub fn remote(&self, rel: &str) -> PathBuf {
        self.remote_root.join(rel)
    }

    /// Text of a file in the peer's folder ("" when missing).
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_default()
    }

    /// The restarts the fake service recorded.
    pub fn restarts(&self) -> usize {
        self.read("service.log")
            .lines()
            .filter(|l| *l == "restart")
            .count()
    }

    /// The PID of the sshd.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Makes the fake service "run" the live config, as if it had been started with it.
    pub fn run_current(&self) {
        std::fs::copy(self.config(), self.path("running.conf")).expect("running.conf");
        std::fs::write(self.path("running"), "").expect("running");
    }

    /// Writes the record dhcpfo leaves after a verified restart (`.dhcpfo.state` next to
    /// dhcpd.conf) for the live files as they are: their SHA-256 under the paths the model
    /// names, the time, and no dhcpd process (the fake service runs none).
    pub fn record_restart(&self) {
        let mut files = serde_json::Map::new();
        for rel in ["etc/dhcp/dhcpd.conf", "etc/default/isc-dhcp-server"] {
            if let Ok(content) = std::fs::read(self.path(rel)) {
                let hash = dhcpfo::remote::files::sha256(&content);
                files.insert(self.remote(rel).display().to_string(), hash.into());
            }
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let record = serde_json::json!({
            "files": files,
            "restarted_at": now,
            "deploy": "00000000000000ab",
            "dhcpd": "",
        });
        std::fs::write(self.path("etc/dhcp/.dhcpfo.state"), format!("{record}\n"))
            .expect("restart record");
    }

    /// Writes an executable script into the peer's folder (`hook-restart`, `fakebin/mv`...).
    pub fn script(&self, rel: &str, text: &str) {
        write_exec(&self.path(rel), text);
    }

    /// Starts this peer's sshd again, on the same port and with the same keys (after it was
    /// stopped or killed).
    pub fn start_again(&mut self) {
        self.stop();
        let config = self.path("sshd/sshd_config");
        let log = self.path("sshd/sshd.log");
        let deadline = Instant::now() + Duration::from_secs(10);
        // The old listener's port may take a moment to be free again.
        while Instant::now() < deadline {
            let mut child = spawn_sshd(&self.sshd, &config, &log, &self.dir, &self.remote_root);
            let up = Instant::now() + Duration::from_secs(3);
            while Instant::now() < up && child.try_wait().ok().flatten().is_none() {
                if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                    self.child = Some(child);
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("sshd for {} did not start again", self.role);
    }

    /// Kills this peer's sshd (the listener; sessions in progress live on).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for SshPeer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The two peers and the client's home.
pub struct Lab {
    /// Holds every file; removed on drop (after the peers, which are declared first).
    pub peers: [SshPeer; 2],
    /// The client's `$HOME`.
    pub home: PathBuf,
    /// The client's private key.
    pub user_key: PathBuf,
    /// The remote user (the user running the tests).
    pub user: String,
    /// ssh-keygen.
    pub ssh_keygen: PathBuf,
    /// The temporary folder.
    pub tmp: tempfile::TempDir,
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn write_exec(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Lab {
    /// Starts both peers, or returns `None` (after a note) when sshd or ssh-keygen is missing.
    pub fn start(test: &str) -> Option<Lab> {
        Lab::start_with(test, false)
    }

    /// Like [`Lab::start`], with both peers' files under the same path strings (the lab's
    /// `shared` folder): each sshd runs in a mount namespace of its own where that folder is
    /// its peer's folder. Needs root (`None` after a note without it; a failure under
    /// `CI=true`).
    pub fn start_same_paths(test: &str) -> Option<Lab> {
        if !super::netns::is_root() {
            assert!(
                !super::in_ci(),
                "{test}: needs root (mount namespaces) and CI=true"
            );
            eprintln!("note: {test}: skipped, needs root (mount namespaces)");
            return None;
        }
        Lab::start_with(test, true)
    }

    fn start_with(test: &str, same_paths: bool) -> Option<Lab> {
        let sshd = super::tool_or_skip(test, "sshd")?;
        let ssh_keygen = super::tool_or_skip(test, "ssh-keygen")?;
        let tmp = tempfile::Builder::new()
            .prefix("dhcpfo-ssh-")
            .tempdir()
            .expect("tempdir");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(home.join(".ssh")).expect("home");
        let user_key = home.join(".ssh/id_test");
        run(Command::new(&ssh_keygen)
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "dhcpfo-test", "-f"])
            .arg(&user_key));
        let authorized = tmp.path().join("authorized_keys");
        std::fs::copy(user_key.with_extension("pub"), &authorized).expect("authorized_keys");
        let user = String::from_utf8_lossy(&run(Command::new("id").arg("-un")).stdout)
            .trim()
            .to_string();
        // sshd running as root needs its privilege-separation folder.
        if std::fs::metadata("/run").is_ok() && user == "root" {
            let _ = std::fs::create_dir_all("/run/sshd");
        }
        let shared = same_paths.then(|| tmp.path().join("shared"));
        if let Some(shared) = &shared {
            std::fs::create_dir_all(shared).expect("shared folder");
        }
        let peers = ["primary", "secondary"].map(|role| {
            let root = shared.as_deref();
            start_peer(tmp.path(), role, &authorized, &sshd, &ssh_keygen, root)
        });
        let lab = Lab {
            peers,
            home,
            user_key,
            user,
            ssh_keygen,
            tmp,
        };
        lab.write_known_hosts(&[0, 1]);
        std::fs::write(lab.ssh_config(), "").expect("ssh config");
        Some(lab)
    }

    /// A peer by index: 0 primary, 1 secondary.
    pub fn peer(&self, i: usize) -> &SshPeer {
        &self.peers[i]
    }

    /// Rewrites the client's known_hosts with the host keys of the given peers.
    pub fn write_known_hosts(&self, peers: &[usize]) {
        let text: String = peers
            .iter()
            .map(|i| format!("{}\n", self.peers[*i].known_hosts_line))
            .collect();
        std::fs::write(self.known_hosts(), text).expect("known_hosts");
    }

    /// The roles in the order the fake services were restarted.
    pub fn restart_order(&self) -> Vec<String> {
        std::fs::read_to_string(self.tmp.path().join("order.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The client's known_hosts.
    pub fn known_hosts(&self) -> PathBuf {
        self.home.join(".ssh/known_hosts")
    }

    /// How the model reaches a peer when it spells everything out.
    pub fn connection_yaml(&self, i: usize) -> String {
        format!(
            "host: 127.0.0.1, port: {}, user: {}, identity-file: {}",
            self.peers[i].port,
            self.user,
            self.user_key.display()
        )
    }

    /// The `ssh:` mapping of a peer for the model: `connection` (see [`Lab::connection_yaml`])
    /// and the peer's paths and commands.
    pub fn ssh_yaml(&self, i: usize, connection: &str) -> String {
        let p = &self.peers[i];
        format!(
            "{{ {connection}, config-path: {}, defaults-path: {}, leases-path: {}, dhcpd: /usr/sbin/dhcpd, restart-command: {}, status-command: {} }}",
            p.remote("etc/dhcp/dhcpd.conf").display(),
            p.remote("etc/default/isc-dhcp-server").display(),
            p.remote("var/lib/dhcp/dhcpd.leases").display(),
            p.remote("bin/restart").display(),
            p.remote("bin/status").display(),
        )
    }

    /// A model for the lab: `examples/lab-pair.yaml`'s pair, with `extra` appended and the
    /// peers' `ssh:` pointing at the two daemons. Written to `pair.yaml` in the lab folder.
    pub fn write_model(&self, subnet: &str, extra: &str) -> PathBuf {
        let connections = [self.connection_yaml(0), self.connection_yaml(1)];
        self.write_model_with(subnet, extra, &connections)
    }

    /// Like [`Lab::write_model`], with the given connection settings for each peer.
    pub fn write_model_with(
        &self,
        subnet: &str,
        extra: &str,
        connections: &[String; 2],
    ) -> PathBuf {
        let yaml = format!(
            "failover: {{ name: lab-fo, mclt: 1800, split: 128, load-balance-max-seconds: 3 }}
peers:
  primary: {{ address: 192.168.50.100, interfaces: [eth0], ssh: {} }}
  secondary: {{ address: 192.168.50.102, interfaces: [eth0], ssh: {} }}
global: {{ authoritative: true, default-lease-time: 1h, max-lease-time: 2h }}
subnets:
  - network: {subnet}
    pools:
      - range: [192.168.50.150, 192.168.50.199]
{extra}",
            self.ssh_yaml(0, &connections[0]),
            self.ssh_yaml(1, &connections[1])
        );
        let path = self.tmp.path().join("pair.yaml");
        std::fs::write(&path, yaml).expect("model");
        path
    }

    /// The client's SSH configuration, `~/.ssh/config` (empty at first). dhcpfo reads it
    /// alone, as `ssh -F` would, so the machine's `/etc/ssh/ssh_config` stays out of the tests.
    pub fn ssh_config(&self) -> PathBuf {
        self.home.join(".ssh/config")
    }

    /// A `dhcpfo` command with the lab's `$HOME` and SSH configuration, no ssh-agent and no
    /// terminal (it runs in a new session, so not even `/dev/tty` reaches the terminal of
    /// whoever runs the tests).
    pub fn dhcpfo(&self, args: &[&str]) -> Command {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dhcpfo"));
        cmd.args(args)
            .env("HOME", &self.home)
            .env("DHCPFO_SSH_CONFIG", self.ssh_config())
            .env_remove("SSH_AUTH_SOCK")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        cmd
    }
}

impl Lab {
    /// Runs `dhcpfo ARGS` on a pseudo-terminal (script(1)), typing `input` after a pause (as a
    /// person would once the prompt shows); returns the exit status and everything the
    /// terminal showed.
    pub fn on_terminal(&self, args: &[&str], input: &str) -> (Option<i32>, String) {
        use std::io::Write;
        let command = std::iter::once(env!("CARGO_BIN_EXE_dhcpfo"))
            .chain(args.iter().copied())
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect::<Vec<_>>()
            .join(" ");
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .env("HOME", &self.home)
            .env("DHCPFO_SSH_CONFIG", self.ssh_config())
            .env_remove("SSH_AUTH_SOCK")
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run script");
        std::thread::sleep(Duration::from_secs(2));
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("type");
        let out = child.wait_with_output().expect("script");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

/// Starts sshd in the foreground. When `remote_root` is not the peer's folder `dir`, sshd runs
/// in a mount namespace of its own in which `remote_root` is `dir` (a private bind mount), so
/// its sessions see the peer's files there; the PID stays sshd's.
fn spawn_sshd(sshd: &Path, config: &Path, log: &Path, dir: &Path, remote_root: &Path) -> Child {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(sshd);
    cmd.arg("-D")
        .arg("-f")
        .arg(config)
        .arg("-E")
        .arg(log)
        .stdin(Stdio::null());
    if remote_root != dir {
        let source = std::ffi::CString::new(dir.as_os_str().as_bytes()).expect("path");
        let target = std::ffi::CString::new(remote_root.as_os_str().as_bytes()).expect("path");
        // SAFETY: unshare and mount are system calls, safe between fork and exec; the strings
        // were made before the fork and live in the closure.
        unsafe {
            cmd.pre_exec(move || {
                let fail = || Err(std::io::Error::last_os_error());
                if libc::unshare(libc::CLONE_NEWNS) != 0 {
                    return fail();
                }
                // Mounts made here stay in this namespace.
                let private = libc::MS_REC | libc::MS_PRIVATE;
                let none = std::ptr::null();
                if libc::mount(c"none".as_ptr(), c"/".as_ptr(), none, private, none.cast()) != 0 {
                    return fail();
                }
                if libc::mount(
                    source.as_ptr(),
                    target.as_ptr(),
                    none,
                    libc::MS_BIND,
                    none.cast(),
                ) != 0
                {
                    return fail();
                }
                Ok(())
            });
        }
    }
    cmd.spawn().expect("start sshd")
}

fn start_peer(
    root: &Path,
    role: &'static str,
    authorized: &Path,
    sshd: &Path,
    ssh_keygen: &Path,
    remote_root: Option<&Path>,
) -> SshPeer {
    let dir = root.join(role);
    let remote_root = remote_root.map_or_else(|| dir.clone(), Path::to_path_buf);
    for sub in [
        "etc/dhcp",
        "etc/default",
        "var/lib/dhcp",
        "bin",
        "fakebin",
        "sshd",
    ] {
        std::fs::create_dir_all(dir.join(sub)).expect("peer folder");
    }
    std::fs::write(dir.join("var/lib/dhcp/dhcpd.leases"), "").expect("leases");
    let host_key = dir.join("sshd/host_ed25519");
    run(Command::new(ssh_keygen)
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "", "-f"])
        .arg(&host_key));
    // A second host key, the one the client's known_hosts records: libssh2 would pick the
    // Ed25519 key by default, so dhcpfo must ask for the type known_hosts has.
    let ecdsa_key = dir.join("sshd/host_ecdsa");
    run(Command::new(ssh_keygen)
        .args(["-q", "-t", "ecdsa", "-N", "", "-C", "", "-f"])
        .arg(&ecdsa_key));
    let d = dir.display();
    let order = root.join("order.log");
    let order = order.display();
    // The fake service: `restart` runs `hook-restart` when the test put one there, fails when
    // `fail-restart` exists, and otherwise "runs" the live config (copies it); `status`
    // succeeds while the service runs.
    write_exec(
        &dir.join("bin/restart"),
        &format!(
            "#!/bin/sh\necho restart >> {d}/service.log\necho {role} >> {order}\nif [ -x {d}/hook-restart ]; then {d}/hook-restart || exit 1; fi\nif [ -e {d}/fail-restart ]; then rm -f {d}/running; echo 'Job for isc-dhcp-server.service failed' >&2; exit 1; fi\ncp {d}/etc/dhcp/dhcpd.conf {d}/running.conf && touch {d}/running\n"
        ),
    );
    write_exec(
        &dir.join("bin/status"),
        &format!("#!/bin/sh\ntest -e {d}/running\n"),
    );
    let pid_file = dir.join("sshd/sshd.pid");
    let config_path = dir.join("sshd/sshd_config");
    let log = dir.join("sshd/sshd.log");
    // The port is free when picked, but another test may take it before sshd binds it: then
    // sshd exits and another port is tried.
    let mut started = None;
    for _ in 0..5 {
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\nPrintMotd no\nLogLevel ERROR\nMaxStartups 50\nSetEnv PATH={}/fakebin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n",
            ecdsa_key.display(),
            host_key.display(),
            pid_file.display(),
            authorized.display(),
            dir.display()
        );
        std::fs::write(&config_path, config).expect("sshd_config");
        let mut child = spawn_sshd(sshd, &config_path, &log, &dir, &remote_root);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                started = Some((child, port));
                break;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if started.is_some() {
            break;
        }
    }
    let Some((child, port)) = started else {
        panic!(
            "sshd for {role} did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    };
    let public = std::fs::read_to_string(ecdsa_key.with_extension("pub")).expect("host key");
    let mut words = public.split_whitespace();
    let (kind, key) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    SshPeer {
        role,
        dir,
        port,
        known_hosts_line: format!("[127.0.0.1]:{port} {kind} {key}"),
        remote_root,
        child: Some(child),
        sshd: sshd.to_path_buf(),
    }
}

/// A command's exit status, standard output and standard error (flattened), for messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        flat(&out.stderr)
    )
}

/// Standard error with miette's line wrapping and frame undone, so messages can be matched
/// whatever the length of the port numbers in them.
pub fn flat(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Lab {
    /// Renders `model` into the lab folder and returns each peer's (dhcpd.conf, defaults).
    pub fn render(&self, model: &Path) -> [(String, String); 2] {
        let out_dir = self.tmp.path().join("rendered");
        let out = self
            .dhcpfo(&[
                "render",
                model.to_str().expect("path"),
                "--out",
                out_dir.to_str().expect("path"),
            ])
            .output()
            .expect("run dhcpfo render");
        assert!(out.status.success(), "{}", text(&out));
        ["primary", "secondary"].map(|r| {
            (
                std::fs::read_to_string(out_dir.join(r).join("dhcpd.conf")).expect("render"),
                std::fs::read_to_string(out_dir.join(r).join("isc-dhcp-server")).expect("render"),
            )
        })
    }

    /// Puts files on both peers as their live files, and makes both fake services run them
    /// (as if started with them), as on peers in service.
    pub fn install(&self, files: &[(String, String); 2]) {
        for (i, (conf, defaults)) in files.iter().enumerate() {
            let p = self.peer(i);
            std::fs::write(p.config(), conf).expect("install");
            std::fs::write(p.path("etc/default/isc-dhcp-server"), defaults).expect("install");
            p.run_current();
        }
    }

    /// Like [`Lab::install`], as on a pair dhcpfo deployed before: each peer also gets the
    /// record of that restart (see [`SshPeer::record_restart`]), so that `diff` and `deploy`
    /// know the peers run the files on their disks.
    pub fn install_deployed(&self, files: &[(String, String); 2]) {
        self.install(files);
        for p in &self.peers {
            p.record_restart();
        }
    }

    /// A valid older version of the pair: the lab's `pair.yaml` with another lease time.
    pub fn older(&self) -> [(String, String); 2] {
        let model = self.tmp.path().join("old.yaml");
        let text = std::fs::read_to_string(self.tmp.path().join("pair.yaml"))
            .expect("pair.yaml")
            .replace("default-lease-time: 1h", "default-lease-time: 30m");
        std::fs::write(&model, text).expect("old.yaml");
        self.render(&model)
    }
}

impl Lab {
    /// Starts a third sshd on loopback, a jump host for the peers (sshd forwards TCP by
    /// default), with the same authorized key; or `None` when sshd is missing.
    pub fn start_jump(&self, test: &str) -> Option<SshPeer> {
        let sshd = super::tool_or_skip(test, "sshd")?;
        let authorized = self.tmp.path().join("authorized_keys");
        Some(start_peer(
            self.tmp.path(),
            "jump",
            &authorized,
            &sshd,
            &self.ssh_keygen,
            None,
        ))
    }
}
