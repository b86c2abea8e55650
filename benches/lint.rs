//! Benchmark: `dhcpfo lint` against ISC `dhcpd -t` on a generated 100,000-line dhcpd.conf.
//!
//! Run with `cargo bench --bench lint` (add `-- --runs N` to change the number of runs, or
//! `-- --no-write` to leave docs/benchmarks.md alone, or `-- --save PATH` to keep a copy of the
//! generated file, e.g. for a profiler). This is a measurement, not a timed
//! test: it generates a deterministic dhcpd.conf (a failover peer, 5,000 subnets each with a
//! failover pool, 15,000 hosts, a few classes; no includes), runs the `dhcpfo` binary built in
//! the bench profile and `dhcpd -t -4 -cf FILE -lf /dev/null --no-pid` (in an empty working
//! directory) as child processes, prints a markdown table and rewrites its own section of
//! docs/benchmarks.md (between the `bench:lint` markers, so other sections are kept). It fails
//! only when dhcpd rejects the file or dhcpfo reports an error, never because it is slow.
//!
//! Wall time runs from spawning the child to reaping it; peak memory is the child's own
//! `ru_maxrss` as returned by `wait4(2)`. The runs of the two programs are interleaved, so a
//! burst of load on the machine hits both alike.

use std::ffi::OsStr;
mod common;

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Facts, Measured, Run, count, load_average, median, run, secs, size, update_docs};

use dhcpfo::conf::Config;
use dhcpfo::conf::lint::{Selection, lint};
use dhcpfo::conf::rules::{self, Context};

/// Number of /24 subnets, each with one failover pool (8 lines each).
const SUBNETS: usize = 5_000;
/// Hosts per subnet (4 lines each).
const HOSTS_PER_SUBNET: usize = 3;
/// Number of hosts.
const HOSTS: usize = SUBNETS * HOSTS_PER_SUBNET;
/// Number of classes.
const CLASSES: usize = 10;
/// Measured runs per command (after one warm-up run each).
const DEFAULT_RUNS: usize = 7;
/// The failover relationship's name.
const PEER: &str = "bench-failover";

const SECTION_START: &str = "<!-- bench:lint:start -->";
const SECTION_END: &str = "<!-- bench:lint:end -->";
const SECTION_TITLE: &str = "## Lint: 100,000-line dhcpd.conf vs dhcpd -t";
const COMMAND: &str = "cargo bench --bench lint";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_RUNS);
    let write_docs = !args.iter().any(|a| a == "--no-write");
    let save = args
        .iter()
        .position(|a| a == "--save")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);

    let load_before = load_average();
    // Cargo builds the binary in the bench profile for benchmarks and gives its path.
    let dhcpfo = PathBuf::from(env!("CARGO_BIN_EXE_dhcpfo"));
    let dir = tempfile::Builder::new()
        .prefix("dhcpfo-bench-lint-")
        .tempdir()
        .expect("create a temp dir");
    let conf = dir.path().join("dhcpd.conf");
    let text = conf_text();
    std::fs::write(&conf, &text).expect("write the dhcpd.conf");
    if let Some(save) = &save {
        std::fs::write(save, &text).unwrap_or_else(|e| panic!("write {}: {e}", save.display()));
    }
    // dhcpd -t runs in an empty folder of its own, so nothing it might write lands elsewhere.
    let dhcpd_cwd = dir.path().join("dhcpd-cwd");
    std::fs::create_dir(&dhcpd_cwd).expect("create dhcpd's working dir");
    let lines = text.lines().count();
    eprintln!(
        "bench lint: {} ({}, {} lines), binary {}",
        conf.display(),
        size(text.len() as u64),
        lines,
        dhcpfo.display()
    );

    let dhcpd = find_dhcpd();
    let lint_args: Vec<&OsStr> = vec!["lint".as_ref(), conf.as_os_str()];
    let dhcpd_args: Vec<&OsStr> = vec![
        "-t".as_ref(),
        "-4".as_ref(),
        "-cf".as_ref(),
        conf.as_os_str(),
        "-lf".as_ref(),
        "/dev/null".as_ref(),
        "--no-pid".as_ref(),
    ];
    let mut lint_runs = Vec::new();
    let mut dhcpd_runs = Vec::new();
    for i in 0..=runs {
        let r = run(&dhcpfo, &lint_args, Some(dir.path()), dir.path());
        check_lint(&r);
        if i > 0 {
            report("dhcpfo lint", i, runs, &r);
            lint_runs.push(r);
        }
        if let Some(dhcpd) = &dhcpd {
            let r = run(dhcpd, &dhcpd_args, Some(&dhcpd_cwd), dir.path());
            check_dhcpd(&r);
            if i > 0 {
                report("dhcpd -t", i, runs, &r);
                dhcpd_runs.push(r);
            }
        }
    }
    let lint_m = Measured { runs: lint_runs };
    let dhcpd_m = dhcpd.as_ref().map(|path| DhcpdInfo {
        version: dhcpd_version(path),
        measured: Measured { runs: dhcpd_runs },
    });
    let phases = phases(&conf, runs);

    let facts = Facts::collect(load_before);
    let section = section(
        &facts,
        &text,
        lines,
        runs,
        &lint_m,
        dhcpd_m.as_ref(),
        &phases,
    );
    println!("{section}");
    if write_docs {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/benchmarks.md");
        update_docs(&path, SECTION_START, SECTION_END, &section);
        eprintln!("bench lint: updated {}", path.display());
    }
}

/// The dhcpd.conf: global parameters, a primary failover peer, `CLASSES` classes, `SUBNETS`
/// /24 subnets 10.(i/256).(i%256).0 with `routers` .1, a broadcast address and one failover
/// pool .10-.109 (every tenth pool also denies one class), then `HOSTS` hosts with a MAC and a
/// fixed address .200-.202 in their subnet, outside the pool.
fn conf_text() -> String {
    let mut c = String::with_capacity(4 << 20);
    let _ = write!(
        c,
        "# Generated by benches/lint.rs: {SUBNETS} subnets with a failover pool, {HOSTS} hosts.
authoritative;
ddns-update-style none;
default-lease-time 3600;
max-lease-time 7200;
log-facility local7;
option domain-name \"bench.example.org\";
option domain-name-servers 192.0.2.10, 192.0.2.11;

failover peer \"{PEER}\" {{
  primary;
  address 192.0.2.2;
  port 647;
  peer address 192.0.2.3;
  peer port 847;
  max-response-delay 60;
  max-unacked-updates 10;
  mclt 1800;
  split 128;
  load balance max seconds 3;
}}

"
    );
    for k in 0..CLASSES {
        let _ = write!(
            c,
            "class \"class-{k}\" {{
  match if substring (option vendor-class-identifier, 0, 9) = \"vendor-{k:02}\";
  lease limit {};
}}
",
            100 * (k + 1)
        );
    }
    for i in 0..SUBNETS {
        let p = net(i);
        let permit = if i % 10 == 0 {
            format!("    deny members of \"class-{}\";\n", (i / 10) % CLASSES)
        } else {
            String::new()
        };
        let _ = write!(
            c,
            "subnet {p}.0 netmask 255.255.255.0 {{
  option routers {p}.1;
  option broadcast-address {p}.255;
  pool {{
    failover peer \"{PEER}\";
{permit}    range {p}.10 {p}.109;
  }}
}}
"
        );
    }
    for i in 0..SUBNETS {
        let p = net(i);
        for j in 0..HOSTS_PER_SUBNET {
            let n = i * HOSTS_PER_SUBNET + j;
            let _ = write!(
                c,
                "host host-{n:05} {{
  hardware ethernet 02:00:00:{:02x}:{:02x}:{:02x};
  fixed-address {p}.{};
}}
",
                (n >> 16) & 0xff,
                (n >> 8) & 0xff,
                n & 0xff,
                200 + j
            );
        }
    }
    c
}

/// The first three octets of subnet `i`.
fn net(i: usize) -> String {
    format!("10.{}.{}", i / 256, i % 256)
}

/// ISC dhcpd: `$DHCPD` if set, else `/usr/sbin/dhcpd`, else `dhcpd` on `PATH`.
fn find_dhcpd() -> Option<PathBuf> {
    let executable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if let Some(path) = std::env::var_os("DHCPD").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return executable(&path).then_some(path);
    }
    let default = PathBuf::from("/usr/sbin/dhcpd");
    if executable(&default) {
        return Some(default);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("dhcpd"))
        .find(|p| executable(p))
}

fn dhcpd_version(dhcpd: &Path) -> String {
    Command::new(dhcpd)
        .arg("--version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stderr).trim().to_string()
                + String::from_utf8_lossy(&o.stdout).trim()
        })
        .unwrap_or_default()
}

/// `dhcpfo lint` must exit 0 with "0 error(s)" in its summary.
fn check_lint(r: &Run) {
    let summary = r.stderr.lines().last().unwrap_or("");
    assert!(
        r.code == Some(0) && summary.contains(": 0 error(s), "),
        "dhcpfo lint reported errors on the generated file (exit {:?}):\n{}",
        r.code,
        tail(&r.stdout, 40)
    );
}

/// `dhcpd -t` must accept the file.
fn check_dhcpd(r: &Run) {
    assert_eq!(
        r.code,
        Some(0),
        "dhcpd -t rejected the generated file:\n{}",
        tail(&r.stderr, 20)
    );
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn report(name: &str, i: usize, runs: usize, r: &Run) {
    eprintln!(
        "bench lint: {name} run {i}/{runs}: {} wall, {} CPU, peak RSS {}",
        secs(r.wall),
        secs(r.cpu),
        size(r.max_rss_kib * 1024)
    );
}

/// `dhcpd -t`'s version and runs.
struct DhcpdInfo {
    version: String,
    measured: Measured,
}

/// Median in-process time of each library phase of `dhcpfo lint` (informative: where the time
/// goes), and the slowest rules.
struct Phases {
    read: Duration,
    parse: Duration,
    lint: Duration,
    slowest_rules: Vec<(&'static str, &'static str, Duration)>,
}

fn phases(conf: &Path, runs: usize) -> Phases {
    let mut read = Vec::new();
    let mut parse = Vec::new();
    let mut lint_t = Vec::new();
    let all = rules::all();
    let mut per_rule: Vec<Vec<Duration>> = vec![Vec::new(); all.len()];
    for _ in 0..runs {
        let t = Instant::now();
        let text = std::fs::read_to_string(conf).expect("read the dhcpd.conf");
        read.push(t.elapsed());
        let t = Instant::now();
        let config = Config::from_text(conf, text);
        parse.push(t.elapsed());
        assert!(config.is_complete(), "the generated file does not parse");
        let t = Instant::now();
        let diags = lint(&config, &Selection::default());
        lint_t.push(t.elapsed());
        std::hint::black_box(diags);
        // The rules alone, sharing one lint context as in a real run: facts that several rules
        // need (the DF2xx rules' replay of dhcpd's parser, the peer declarations, the replay
        // of peer references) are computed by the first rule that asks for them.
        let fresh = Config::from_text(conf, std::fs::read_to_string(conf).expect("read"));
        let context = Context::new(&fresh);
        for (rule, times) in all.iter().zip(per_rule.iter_mut()) {
            let mut found = Vec::new();
            let t = Instant::now();
            (rule.check)(&context, &mut found);
            times.push(t.elapsed());
            std::hint::black_box(found);
        }
    }
    let med = |mut v: Vec<Duration>| {
        v.sort();
        median(&v)
    };
    let mut slowest_rules: Vec<_> = all
        .iter()
        .zip(per_rule)
        .map(|(rule, times)| (rule.entry.code, rule.entry.name, med(times)))
        .collect();
    slowest_rules.sort_by_key(|r| std::cmp::Reverse(r.2));
    slowest_rules.truncate(8);
    Phases {
        read: med(read),
        parse: med(parse),
        lint: med(lint_t),
        slowest_rules,
    }
}

fn section(
    facts: &Facts,
    text: &str,
    lines: usize,
    runs: usize,
    lint_m: &Measured,
    dhcpd: Option<&DhcpdInfo>,
    phases: &Phases,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{SECTION_START}");
    let _ = writeln!(s, "{SECTION_TITLE}\n");
    let _ = writeln!(
        s,
        "Measured with `{COMMAND}` ([benches/lint.rs](../benches/lint.rs)), which generates the file, \
runs the `dhcpfo` binary built in the bench (release) profile and ISC `dhcpd -t -4 -cf FILE -lf /dev/null \
--no-pid` (working directory: an empty temporary folder) as child processes, and rewrites this section. \
It checks that dhcpd accepts the file and that dhcpfo reports no error on it. Wall time runs from \
spawning the child to reaping it; peak memory is the child's peak resident set (`ru_maxrss` from \
`wait4`). One warm-up run of each precedes the measured ones, which alternate between the two \
programs. Target: `dhcpfo lint` faster than `dhcpd -t`.\n"
    );
    let _ = writeln!(s, "- Date: {} (UTC)", facts.date);
    let _ = writeln!(
        s,
        "- Machine: {}, nproc {}, {} RAM, Linux {}; load average {} before the run, {} after it",
        facts.cpu,
        facts.nproc,
        facts.memory,
        facts.kernel,
        facts.load_before,
        load_average()
    );
    let _ = writeln!(
        s,
        "- Build: {}; dhcpfo {} at commit {}",
        facts.rustc,
        env!("CARGO_PKG_VERSION"),
        facts.commit
    );
    let _ = writeln!(
        s,
        "- File: {} lines, {}: a primary `failover peer`, {} classes, {} subnets (/24 each, with \
`routers`, `broadcast-address` and one pool of 100 addresses referring to the peer) and {} hosts \
(`hardware ethernet`, `fixed-address`); no includes",
        count(lines),
        size(text.len() as u64),
        CLASSES,
        count(SUBNETS),
        count(HOSTS)
    );
    match dhcpd {
        Some(d) => {
            let ratio = d.measured.median().as_secs_f64() / lint_m.median().as_secs_f64();
            let verdict = if lint_m.median() < d.measured.median() {
                "met"
            } else {
                "**missed**"
            };
            let _ = writeln!(
                s,
                "- Result: `dhcpfo lint` median {} vs `dhcpd -t` median {} ({ratio:.2}× dhcpfo's \
time) — target (faster than `dhcpd -t`) {verdict}\n",
                secs(lint_m.median()),
                secs(d.measured.median()),
            );
        }
        None => {
            let _ = writeln!(
                s,
                "- Result: `dhcpfo lint` median {}; ISC dhcpd is not installed, so there is \
nothing to compare with\n",
                secs(lint_m.median())
            );
        }
    }
    let _ = writeln!(
        s,
        "| Command | Runs | Min wall | Median wall | Max wall | Median CPU (user+sys) | Peak RSS |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    let mut rows: Vec<(String, &Measured)> = vec![("`dhcpfo lint dhcpd.conf`".into(), lint_m)];
    if let Some(d) = dhcpd {
        rows.push((
            format!(
                "`dhcpd -t -4 -cf dhcpd.conf -lf /dev/null --no-pid` ({})",
                d.version
            ),
            &d.measured,
        ));
    }
    for (label, m) in rows {
        let _ = writeln!(
            s,
            "| {label} | {runs} | {} | {} | {} | {} | {} |",
            secs(m.min()),
            secs(m.median()),
            secs(m.max()),
            secs(m.median_cpu()),
            size(m.peak_rss() * 1024)
        );
    }
    let _ = writeln!(
        s,
        "\nWhere `dhcpfo lint`'s time goes (library phases run in-process, median of {runs}; a warm \
process has its heap mapped already, so these add up to less than a fresh child's time):\n"
    );
    let _ = writeln!(
        s,
        "| Read file | Parse (pest + syntax tree) | Lint (all rules) |"
    );
    let _ = writeln!(s, "|---:|---:|---:|");
    let _ = writeln!(
        s,
        "| {} | {} | {} |",
        secs(phases.read),
        secs(phases.parse),
        secs(phases.lint)
    );
    let _ = writeln!(
        s,
        "\nSlowest rules (each run alone in code order on a freshly parsed configuration, median \
of {runs}; a rule that is the first to need a shared fact pays for it: the replay of dhcpd's \
own parser for the DF2xx rules, the peer declarations and the replay of peer references for the \
DF3xx rules):\n"
    );
    let _ = writeln!(s, "| Rule | Time |");
    let _ = writeln!(s, "|---|---:|");
    for (code, name, t) in &phases.slowest_rules {
        let _ = writeln!(s, "| {code} {name} | {} |", secs(*t));
    }
    let _ = write!(s, "{SECTION_END}");
    s
}
