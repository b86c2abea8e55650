//! Helpers shared by the integration tests: finding ISC dhcpd, running `dhcpd -t` on a rendered
//! file, and taking a rendered dhcpd.conf apart around its `failover peer` block.
//!
//! Each test binary that needs them declares `mod common;` (`tests/quick/` once for all its
//! modules). Not every binary uses every helper.

#![allow(dead_code)]

pub mod dhcp_client;
pub mod dhcp_wire;
pub mod netns;
pub mod pair_check;
pub mod pair_lab;
pub mod raw_dhcp;
pub mod sshd;
pub mod tools;
pub mod udhcpc;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian's isc-dhcp-server package installs dhcpd.
pub const DHCPD_DEFAULT_PATH: &str = "/usr/sbin/dhcpd";

/// Environment variable naming a dhcpd binary to use instead of the one found on the machine.
pub const DHCPD_ENV: &str = "DHCPD";

/// Finds the ISC dhcpd binary: `$DHCPD` if set, else `/usr/sbin/dhcpd`, else `dhcpd` on `PATH`.
/// Returns `None` when none of them is an executable file.
pub fn find_dhcpd() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(DHCPD_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        return is_executable(&path).then_some(path);
    }
    let default = PathBuf::from(DHCPD_DEFAULT_PATH);
    if is_executable(&default) {
        return Some(default);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("dhcpd"))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The dhcpd binary for a test that needs it, or `None` if the test should be skipped.
///
/// When dhcpd is missing and the environment variable `CI` is `true`, this panics: in CI the
/// oracle must be present (`scripts/setup-debian.sh` installs it), so a missing binary is a
/// failure, not a skip. Elsewhere it prints a note naming `test` to stderr and returns `None`;
/// the caller then returns early.
#[track_caller]
pub fn dhcpd_or_skip(test: &str) -> Option<PathBuf> {
    if let Some(dhcpd) = find_dhcpd() {
        return Some(dhcpd);
    }
    let looked = match std::env::var_os(DHCPD_ENV).filter(|p| !p.is_empty()) {
        Some(path) => format!("${DHCPD_ENV}={}", Path::new(&path).display()),
        None => format!("{DHCPD_DEFAULT_PATH} and `dhcpd` on PATH"),
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{test}: ISC dhcpd not found (looked at {looked}) and CI=true; \
             install isc-dhcp-server (scripts/setup-debian.sh) so the rendered files can be checked"
        );
    }
    eprintln!(
        "note: {test}: skipped, ISC dhcpd not found (looked at {looked}); \
         install isc-dhcp-server to run it"
    );
    None
}

/// The corpus of real dhcpd.conf files kept beside the repository (`../shared/corpus/
/// dhcpd-conf`, never copied into it), if present. Without it the test is skipped with a note,
/// but under `CI=true` (where it is provided) its absence is a failure.
#[allow(dead_code)]
pub fn corpus_or_skip(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/dhcpd-conf");
    if dir.join("MANIFEST.tsv").is_file() && dir.join("files").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{test}: the dhcpd.conf corpus is missing at {} and CI=true",
            dir.display()
        );
    }
    eprintln!(
        "note: {test}: skipped, no dhcpd.conf corpus at {}",
        dir.display()
    );
    None
}

/// The captures of two ISC dhcpd 4.4.3 failover peers kept beside the repository
/// (`../shared/captures/failover`, never copied into it: pcaps with their decoded text in
/// `pcap/`), if present. Absent, the test is skipped with a note, but under `CI=true` (where
/// they are provided) their absence is a failure.
pub fn failover_captures_or_skip(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/failover");
    if dir.join("pcap").is_dir() {
        return Some(dir);
    }
    if in_ci() {
        panic!(
            "{test}: the failover captures are missing at {} and CI=true",
            dir.display()
        );
    }
    eprintln!(
        "note: {test}: skipped, no failover captures at {}",
        dir.display()
    );
    None
}

/// Runs `dhcpd -t -4 -cf CONF` and returns `Ok(())` if dhcpd accepts the file, or `Err` with
/// its exit status and messages (stderr, then stdout if any; ISC's "submitting bugs" trailer
/// is cut off).
///
/// The lease and pid files are given as paths in a fresh temporary folder, so nothing under
/// `/var` is read or written; `-t` needs no root. All paths are made absolute, because dhcpd
/// refuses relative lease-file paths. Files that CONF includes must already exist.
pub fn dhcpd_test(dhcpd: &Path, conf: &Path) -> Result<(), String> {
    let scratch = tempfile::tempdir().map_err(|e| format!("cannot create a scratch dir: {e}"))?;
    let conf = std::path::absolute(conf).map_err(|e| format!("{}: {e}", conf.display()))?;
    let output = Command::new(dhcpd)
        .arg("-t")
        .arg("-4")
        .arg("-cf")
        .arg(&conf)
        .arg("-lf")
        .arg(scratch.path().join("dhcpd.leases"))
        .arg("-pf")
        .arg(scratch.path().join("dhcpd.pid"))
        .output()
        .map_err(|e| format!("cannot run {}: {e}", dhcpd.display()))?;
    if output.status.success() {
        return Ok(());
    }
    let mut message = String::from_utf8_lossy(&output.stderr).into_owned();
    if let Some(cut) = message.find("\nIf you think you have received this message") {
        message.truncate(cut);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !stdout.trim().is_empty() {
        message.push_str("\n[stdout]\n");
        message.push_str(&stdout);
    }
    Err(format!(
        "dhcpd -t -cf {} failed ({}):\n{}",
        conf.display(),
        output.status,
        message.trim_end()
    ))
}

/// A `failover peer "NAME" { ... }` declaration found in a rendered dhcpd.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerBlock {
    /// The relationship name, without its quotes.
    pub name: String,
    /// The block's text, from the `failover peer` line through the closing `}` line.
    pub text: String,
    /// The statements in order as (keyword, value), comments dropped. A multi-word keyword
    /// keeps its words (`peer address`, `load balance max seconds`); a flag statement such as
    /// `primary;` has an empty value.
    pub statements: Vec<(String, String)>,
}

impl PeerBlock {
    /// The value of the first statement with this keyword.
    pub fn get(&self, keyword: &str) -> Option<&str> {
        self.statements
            .iter()
            .find(|(k, _)| k == keyword)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a statement with this keyword is present.
    pub fn has(&self, keyword: &str) -> bool {
        self.get(keyword).is_some()
    }
}

/// Splits a rendered dhcpd.conf into its single `failover peer` block and the rest of the text
/// (the block's lines removed, every other byte kept).
///
/// The block starts at a line of the form `failover peer "NAME" {` (a pool's
/// `failover peer "NAME";` reference is not a block) and ends at the next line that is only
/// `}`. Errors if there is no block, more than one, or a statement inside does not end in `;`.
pub fn split_peer_block(conf: &str) -> Result<(PeerBlock, String), String> {
    let mut rest = String::with_capacity(conf.len());
    let mut found: Option<PeerBlock> = None;
    let mut open: Option<PeerBlock> = None;
    for (index, line) in conf.split_inclusive('\n').enumerate() {
        let number = index + 1;
        let trimmed = line.trim();
        if let Some(block) = open.as_mut() {
            block.text.push_str(line);
            if trimmed == "}" {
                found = open.take();
                continue;
            }
            let statement = strip_comment(trimmed).trim();
            if statement.is_empty() {
                continue;
            }
            let Some(statement) = statement.strip_suffix(';') else {
                return Err(format!(
                    "line {number}: `{trimmed}` in the peer block does not end in `;`"
                ));
            };
            block.statements.push(parse_statement(statement));
            continue;
        }
        if trimmed.starts_with("failover peer ") && trimmed.ends_with('{') {
            if found.is_some() {
                return Err(format!("line {number}: a second failover peer block"));
            }
            let name = trimmed
                .split('"')
                .nth(1)
                .ok_or_else(|| format!("line {number}: the peer block's name is not quoted"))?;
            open = Some(PeerBlock {
                name: name.to_string(),
                text: line.to_string(),
                statements: Vec::new(),
            });
            continue;
        }
        rest.push_str(line);
    }
    if open.is_some() {
        return Err("the failover peer block has no closing `}` line".into());
    }
    let block = found.ok_or("no `failover peer \"NAME\" {` block")?;
    Ok((block, rest))
}

/// The `failover peer` block of a rendered dhcpd.conf; see [`split_peer_block`].
pub fn peer_block(conf: &str) -> Result<PeerBlock, String> {
    split_peer_block(conf).map(|(block, _)| block)
}

/// A rendered dhcpd.conf without its `failover peer` block; see [`split_peer_block`].
pub fn strip_peer_block(conf: &str) -> Result<String, String> {
    split_peer_block(conf).map(|(_, rest)| rest)
}

/// The text before a `#` that is outside double quotes.
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// `peer address 10.0.0.1` -> ("peer address", "10.0.0.1"); `primary` -> ("primary", "").
/// Every value in a peer block is one token, so the last word is the value.
fn parse_statement(statement: &str) -> (String, String) {
    let words: Vec<&str> = statement.split_whitespace().collect();
    match words.as_slice() {
        [] => (String::new(), String::new()),
        [flag] => (flag.to_string(), String::new()),
        [keyword @ .., value] => (keyword.join(" "), value.to_string()),
    }
}

/// The first line where `a` and `b` differ, as a short report naming both sides, or `None` if
/// they are equal.
pub fn first_difference(a_name: &str, a: &str, b_name: &str, b: &str) -> Option<String> {
    if a == b {
        return None;
    }
    let (mut la, mut lb) = (a.lines(), b.lines());
    let mut number = 1;
    loop {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => number += 1,
            (None, None) => {
                return Some(format!(
                    "{a_name} and {b_name} differ only in line endings or the final newline"
                ));
            }
            (x, y) => {
                let show = |l: Option<&str>| {
                    l.map_or_else(|| "<end of file>".to_string(), |l| format!("{l:?}"))
                };
                return Some(format!(
                    "first difference at line {number}:\n  {a_name}: {}\n  {b_name}: {}",
                    show(x),
                    show(y)
                ));
            }
        }
    }
}

/// `text` with 1-based line numbers, for failure messages.
pub fn numbered(text: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, line)| format!("{:4} | {line}\n", i + 1))
        .collect()
}

/// Runs `dhcpd -t -4 -cf CONF -lf /dev/null --no-pid` with `cwd` as the working directory,
/// exactly as the corpus's `check-with-isc.sh` does, and returns `Ok(())` if dhcpd accepts
/// the file, or `Err` with its first error line (banner, `WARNING:` lines and ISC's trailer
/// left out).
pub fn dhcpd_verdict(dhcpd: &Path, conf: &Path, cwd: &Path) -> Result<(), String> {
    let conf = std::path::absolute(conf).map_err(|e| format!("{}: {e}", conf.display()))?;
    let output = Command::new(dhcpd)
        .current_dir(cwd)
        .arg("-t")
        .arg("-4")
        .arg("-cf")
        .arg(&conf)
        .arg("-lf")
        .arg("/dev/null")
        .arg("--no-pid")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", dhcpd.display()))?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    let skip = [
        "Internet Systems Consortium DHCP Server",
        "Copyright ",
        "All rights reserved",
        "For info, please visit",
        "Config file:",
        "Database file:",
        "PID file:",
        "WARNING:",
        "Configuration file errors encountered",
        "exiting.",
        "If you think you have received",
    ];
    let first = text
        .lines()
        .map(str::trim_end)
        .find(|l| !l.trim().is_empty() && !skip.iter().any(|s| l.starts_with(s)))
        .unwrap_or("dhcpd failed without a message")
        .to_string();
    Err(first)
}

/// Finds an executable named `name` in /usr/sbin, /usr/bin, /sbin, /bin or on `PATH`.
/// Panics if `name` is not listed in [`tools::TOOLS`] (with the package that installs it).
#[track_caller]
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let _ = tools::tool(name);
    let fixed = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .into_iter()
        .map(PathBuf::from);
    let path = std::env::var_os("PATH").unwrap_or_default();
    fixed
        .chain(std::env::split_paths(&path))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// Whether the environment variable `CI` is `true`: then a missing tool or privilege is a
/// test failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The path of the tool `name` for `test`, or `None` if the test should be skipped; under
/// `CI=true` a missing tool panics instead. `name` must be listed in [`tools::TOOLS`], which
/// names its Debian package.
#[track_caller]
pub fn tool_or_skip(test: &str, name: &str) -> Option<PathBuf> {
    let package = tools::tool(name).package;
    if let Some(path) = find_tool(name) {
        return Some(path);
    }
    if in_ci() {
        panic!(
            "{test}: `{name}` not found and CI=true; install {package} (scripts/setup-debian.sh)"
        );
    }
    eprintln!("note: {test}: skipped, `{name}` not found; install {package} to run it");
    None
}

/// The path of a tool that an earlier [`tool_or_skip`] for the same test already found.
#[track_caller]
pub fn required_tool(name: &str) -> PathBuf {
    let package = tools::tool(name).package;
    find_tool(name).unwrap_or_else(|| panic!("`{name}` not found: install {package}"))
}
