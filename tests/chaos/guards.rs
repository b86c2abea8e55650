//! What a fault changes outside the peers' processes, each undone by a guard's `Drop` as
//! well as by its explicit heal, also when the test panics: nftables tables and iptables
//! rules in a peer's namespace, a tmpfs for a peer's lease folder, a faked-clock file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::netns::run_bounded;
use crate::common::required_tool;

/// Runs `program args` in namespace `ns`; its error output on failure.
pub fn run_in(ns: &str, program: &str, args: &[&str]) -> Result<String, String> {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns])
        .arg(required_tool(program))
        .args(args);
    let out = run_bounded(cmd, Duration::from_secs(20));
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {} in {ns}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// An nftables table in one namespace; deleted on drop.
pub struct NftTable {
    ns: String,
    family: &'static str,
    name: String,
}

impl NftTable {
    /// Loads `ruleset` (an `nft -f` text that defines `table FAMILY NAME`) in namespace
    /// `ns`; `dir` keeps the file.
    pub fn load(
        dir: &Path,
        ns: &str,
        family: &'static str,
        name: &str,
        ruleset: &str,
    ) -> Result<NftTable, String> {
        let file = dir.join(format!("{ns}-{name}.nft"));
        std::fs::write(&file, ruleset).map_err(|e| format!("{}: {e}", file.display()))?;
        let path = file.display().to_string();
        run_in(ns, "nft", &["-f", &path])?;
        Ok(NftTable {
            ns: ns.to_string(),
            family,
            name: name.to_string(),
        })
    }

    /// The sum of the packet counters of the table's rules.
    pub fn counted_packets(&self) -> u64 {
        run_in(&self.ns, "nft", &["list", "table", self.family, &self.name])
            .unwrap_or_default()
            .split("packets ")
            .skip(1)
            .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .sum()
    }
}

impl Drop for NftTable {
    fn drop(&mut self) {
        let _ = run_in(
            &self.ns,
            "nft",
            &["delete", "table", self.family, &self.name],
        );
    }
}

/// The rules of a full partition of one host, in the bridge's namespace (family
/// `bridge`): every frame from or to its bridge port `port` is dropped. Filtering on the
/// bridge, not in the peer, also stops ISC dhcpd's raw (packet-socket) DHCP traffic, which
/// no `inet` hook of the peer's own namespace sees.
pub fn isolation_rules(name: &str, port: &str) -> String {
    format!(
        "table bridge {name} {{\n  chain forward {{\n    type filter hook forward priority -10; \
         policy accept;\n    iifname \"{port}\" counter drop\n    oifname \"{port}\" counter \
         drop\n  }}\n}}\n"
    )
}

/// The rules of a partition of the failover link only, in one peer's namespace (family
/// `inet`): TCP to or from the failover `port` on `eth0` is dropped, DHCP still flows.
pub fn failover_partition_rules(name: &str, port: u16) -> String {
    format!(
        "table inet {name} {{\n  chain inbound {{\n    type filter hook input priority -10; \
         policy accept;\n    iifname \"eth0\" tcp dport {port} counter drop\n    \
         iifname \"eth0\" tcp sport {port} counter drop\n  }}\n  chain outbound {{\n    \
         type filter hook output priority -10; policy accept;\n    \
         oifname \"eth0\" tcp dport {port} counter drop\n    \
         oifname \"eth0\" tcp sport {port} counter drop\n  }}\n}}\n"
    )
}

/// iptables rules sending the failover port's TCP packets (both directions) of one
/// namespace to an NFQUEUE; removed on drop.
pub struct QueueRules {
    ns: String,
    rules: Vec<Vec<String>>,
}

impl QueueRules {
    /// Adds the rules in namespace `ns`.
    pub fn add(ns: &str, port: u16, queue: u16) -> Result<QueueRules, String> {
        let mut guard = QueueRules {
            ns: ns.to_string(),
            rules: Vec::new(),
        };
        let (p, q) = (port.to_string(), queue.to_string());
        for chain in ["INPUT", "OUTPUT"] {
            for dir in ["--dport", "--sport"] {
                let rule: Vec<String> = [
                    chain,
                    "-p",
                    "tcp",
                    dir,
                    &p,
                    "-j",
                    "NFQUEUE",
                    "--queue-num",
                    &q,
                    "--queue-bypass",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
                let mut args = vec!["-A".to_string()];
                args.extend(rule.iter().cloned());
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                run_in(ns, "iptables-nft", &args)?;
                guard.rules.push(rule);
            }
        }
        Ok(guard)
    }
}

impl Drop for QueueRules {
    fn drop(&mut self) {
        for rule in self.rules.drain(..) {
            let mut args = vec!["-D"];
            args.extend(rule.iter().map(String::as_str));
            let _ = run_in(&self.ns, "iptables-nft", &args);
        }
    }
}

/// A small tmpfs mounted on a folder of the lab, for a peer's lease file; unmounted on
/// drop (lazily, in case a process still holds a file there).
pub struct Tmpfs {
    /// The mount point.
    pub dir: PathBuf,
    mounted: bool,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size_kib` KiB on `dir` (created).
    pub fn mount(dir: &Path, size_kib: u64) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        mount(&[
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size_kib}k,mode=0755"),
            "tmpfs",
            &dir.display().to_string(),
        ])?;
        Ok(Tmpfs {
            dir: dir.to_path_buf(),
            mounted: true,
        })
    }

    /// Remounts it read-only (`true`) or read-write. Linux refuses a read-only remount
    /// while a process has a file open for writing there (`EBUSY`).
    pub fn set_read_only(&self, ro: bool) -> Result<(), String> {
        let opts = if ro { "remount,ro" } else { "remount,rw" };
        mount(&["-o", opts, &self.dir.display().to_string()])
    }

    /// Fills the file system with a filler file until no byte is left; the bytes written.
    pub fn fill(&self) -> Result<u64, String> {
        use std::io::Write;
        let path = self.dir.join("filler");
        let mut f = std::fs::File::create(&path).map_err(|e| format!("filler: {e}"))?;
        let chunk = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        loop {
            match f.write(&chunk) {
                Ok(0) => break,
                Ok(n) => written += n as u64,
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                Err(e) => return Err(format!("filler: {e}")),
            }
        }
        // The last partial blocks: byte by byte until ENOSPC.
        while f.write(&[0u8]).is_ok_and(|n| n == 1) {
            written += 1;
        }
        let _ = f.sync_all();
        Ok(written)
    }

    /// Removes the filler file.
    pub fn drain(&self) -> Result<(), String> {
        match std::fs::remove_file(self.dir.join("filler")) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("filler: {e}")),
        }
    }

    /// Bytes free, from statvfs(2).
    pub fn free_bytes(&self) -> u64 {
        let Ok(c) = std::ffi::CString::new(self.dir.display().to_string()) else {
            return 0;
        };
        // SAFETY: statvfs(2) on a NUL-terminated path into a zeroed struct.
        unsafe {
            let mut st: libc::statvfs = std::mem::zeroed();
            if libc::statvfs(c.as_ptr(), &mut st) != 0 {
                return 0;
            }
            st.f_bavail * st.f_frsize
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        if self.mounted {
            let _ = self.drain();
            let _ = Command::new(required_tool("umount"))
                .args(["-l"])
                .arg(&self.dir)
                .output();
            self.mounted = false;
        }
    }
}

fn mount(args: &[&str]) -> Result<(), String> {
    let out = Command::new(required_tool("mount"))
        .args(args)
        .output()
        .map_err(|e| format!("mount: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "mount {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The offset file of libfaketime for one peer (`FAKETIME_TIMESTAMP_FILE`): `+0` when
/// the clock is right, `+N`/`-N` seconds when it is stepped.
pub struct ClockFile {
    /// Its path.
    pub path: PathBuf,
}

impl ClockFile {
    /// Creates it at `path` with no offset.
    pub fn new(path: PathBuf) -> Result<ClockFile, String> {
        let f = ClockFile { path };
        f.set(0)?;
        Ok(f)
    }

    /// Steps the clock to `offset` seconds from the real time.
    pub fn set(&self, offset: i64) -> Result<(), String> {
        // Written beside and renamed, so a reader never sees half a line.
        let tmp = self.path.with_extension("new");
        std::fs::write(&tmp, format!("{offset:+}\n"))
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// libfaketime's multi-threaded library, from Debian's `libfaketime` package (a dependency
/// of `faketime`).
pub fn libfaketime() -> Option<PathBuf> {
    let dirs = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("faketime"))
        .chain([PathBuf::from("/usr/lib/faketime")]);
    dirs.map(|d| d.join("libfaketimeMT.so.1"))
        .find(|p| p.is_file())
}
