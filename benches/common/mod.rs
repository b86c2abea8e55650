//! What the benchmarks share: running a child and measuring its wall time, CPU time and peak
//! RSS, the facts about the machine a run is measured on, number formats, the median, and the
//! update of a benchmark's own section of docs/benchmarks.md.

// Each benchmark uses its part.
#![allow(dead_code, unreachable_pub)]

use std::ffi::OsStr;
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dhcpfo::leases::Timestamp;

/// Facts about the machine and toolchain the figures were measured on.
pub struct Facts {
    pub date: String,
    pub nproc: String,
    pub cpu: String,
    pub memory: String,
    pub kernel: String,
    pub rustc: String,
    pub commit: String,
    pub load_before: String,
    pub nice: i32,
}

impl Facts {
    /// The facts, given the load average read before the measurements started.
    pub fn collect(load_before: String) -> Self {
        let cmd = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or_else(|| "unknown".to_string(), |(_, v)| v.trim().to_string());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or_else(|| "unknown".to_string(), |kib| size(kib * 1024));
        let nproc = cmd("nproc", &[]).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or_else(|_| "unknown".into(), |n| n.to_string())
        });
        Facts {
            date: utc_date(SystemTime::now()),
            nproc,
            cpu,
            memory,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".into(), |s| s.trim().to_string()),
            rustc: cmd("rustc", &["-V"]).unwrap_or_else(|| "unknown".into()),
            commit: commit(),
            // SAFETY: getpriority has no memory effects; -1 is also a valid niceness, so errno
            // is not consulted (a failure would only misreport the niceness).
            nice: unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) },
            load_before,
        }
    }
}

/// The 1, 5 and 15 minute load averages, to tell whether something else ran meanwhile.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The checked-out commit, and whether tracked files differ from it.
pub fn commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(hash) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{hash} with uncommitted changes")
            } else {
                hash
            }
        }
        None => "unknown (not a git checkout)".into(),
    }
}

/// `YYYY-MM-DD` (UTC) of a time.
pub fn utc_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Timestamp(secs).iso().chars().take(10).collect()
}

pub fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

pub fn size(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    const GIB: f64 = 1024.0 * MIB;
    if bytes as f64 >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB)
    } else if bytes as f64 >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB)
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// Thousands separators for counts.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The median of sorted durations.
pub fn median(sorted: &[Duration]) -> Duration {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

/// Replaces a benchmark's section of the file, between its `start` and `end` markers (or
/// appends it), keeping everything else.
pub fn update_docs(path: &Path, start: &str, end: &str, section: &str) {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let new = match (old.find(start), old.find(end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{section}{}", &old[..a], &old[b + end.len()..])
        }
        _ if old.trim().is_empty() => {
            format!(
                "# Benchmarks\n\nEach section is written by the benchmark named in it; edit outside the \
`<!-- bench:... -->` markers only.\n\n{section}\n"
            )
        }
        _ => format!("{}\n\n{section}\n", old.trim_end()),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create docs/");
    }
    std::fs::write(path, new).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// One finished child process.
pub struct Run {
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss_kib: u64,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a command to completion, in `cwd` (else in this process's folder), its output going
/// to files in `scratch`, and returns its wall time, CPU time, peak RSS and output.
pub fn run(program: &Path, args: &[&OsStr], cwd: Option<&Path>, scratch: &Path) -> Run {
    let stdout_path = scratch.join("child.stdout");
    let stderr_path = scratch.join("child.stderr");
    let mut cmd = Command::new(program);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).expect("create stdout file"))
        .stderr(File::create(&stderr_path).expect("create stderr file"));
    let start = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits pid_t");
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (std's `Child` is never waited on);
        // `status` and `usage` are valid for writes.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::Interrupted,
            "wait4 failed: {err}"
        );
    }
    let wall = start.elapsed();
    drop(child);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    Run {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss as u64,
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        stdout,
        stderr,
    }
}

/// The measured runs of one command.
pub struct Measured {
    pub runs: Vec<Run>,
}

impl Measured {
    pub fn walls(&self) -> Vec<Duration> {
        let mut w: Vec<Duration> = self.runs.iter().map(|r| r.wall).collect();
        w.sort();
        w
    }
    pub fn min(&self) -> Duration {
        self.walls()[0]
    }
    pub fn median(&self) -> Duration {
        median(&self.walls())
    }
    pub fn max(&self) -> Duration {
        *self.walls().last().expect("at least one run")
    }
    pub fn median_cpu(&self) -> Duration {
        let mut c: Vec<Duration> = self.runs.iter().map(|r| r.cpu).collect();
        c.sort();
        median(&c)
    }
    pub fn peak_rss(&self) -> u64 {
        self.runs.iter().map(|r| r.max_rss_kib).max().unwrap_or(0)
    }
    /// What the last measured run wrote on standard error.
    pub fn last_stderr(&self) -> &str {
        self.runs.last().map_or("", |r| r.stderr.as_str())
    }
}
