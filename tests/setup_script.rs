//! `scripts/setup-debian.sh` installs every program that a test, benchmark or script runs.
//!
//! A green run on a machine where a tool happened to be installed must not hide a missing
//! install step: the tests here tie the programs run by `tests/`, `benches/` and `scripts/` to
//! the registry in `tests/common/tools.rs`, the registry to the package list of the set-up
//! script, and (where dpkg is present) each package to the file it is supposed to install.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::tools::TOOLS;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The packages in the `packages=( ... )` array of the set-up script: the first word of each
/// line, comments dropped.
fn setup_packages() -> BTreeSet<String> {
    let script = std::fs::read_to_string(repo().join("scripts/setup-debian.sh")).unwrap();
    let start = script.find("packages=(").expect("a packages=( array") + "packages=(".len();
    let end = start
        + script[start..]
            .find("\n)")
            .expect("the array's closing parenthesis");
    script[start..end]
        .lines()
        .filter_map(|line| line.split('#').next())
        .flat_map(str::split_whitespace)
        .map(str::to_string)
        .collect()
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// The first string literal of each call `name(...)` in `text` whose literal argument sits at
/// `arg` (0-based, counted by commas before the literal).
fn literal_args(text: &str, call: &str, arg: usize) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(call) {
        rest = &rest[at + call.len()..];
        let args = &rest[..rest.find(')').unwrap_or(rest.len())];
        if let Some(lit) = args.split(',').nth(arg).and_then(quoted) {
            found.push(lit);
        }
    }
    found
}

/// Every string literal inside the first `[...]` after each `call`.
fn literal_lists(text: &str, call: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(call) {
        rest = &rest[at + call.len()..];
        let (Some(open), Some(close)) = (rest.find('['), rest.find(']')) else {
            break;
        };
        let call_end = rest.find(')').unwrap_or(rest.len());
        if open < close && open < call_end {
            found.extend(rest[open + 1..close].split(',').filter_map(quoted));
        }
    }
    found
}

fn quoted(s: &str) -> Option<String> {
    let s = s.trim();
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let program = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    (!inner.is_empty() && inner.chars().all(program)).then(|| inner.to_string())
}

/// Every program that a Rust source under `tests/` or `benches/` runs or asks for by name.
fn programs_in_rust_sources() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    files_under(&repo().join("tests"), "rs", &mut files);
    files_under(&repo().join("benches"), "rs", &mut files);
    let mut programs = BTreeSet::new();
    for file in files {
        if file.ends_with("tests/setup_script.rs") || file.ends_with("tests/common/tools.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(repo()).unwrap().display().to_string();
        let mut add = |p: String| {
            programs.insert((p, name.clone()));
        };
        literal_args(&text, "Command::new(", 0)
            .into_iter()
            .for_each(&mut add);
        literal_args(&text, "find_tool(", 0)
            .into_iter()
            .for_each(&mut add);
        literal_args(&text, "required_tool(", 0)
            .into_iter()
            .for_each(&mut add);
        literal_args(&text, "tool_or_skip(", 1)
            .into_iter()
            .for_each(&mut add);
        literal_lists(&text, "tools_or_skip(")
            .into_iter()
            .for_each(&mut add);
        literal_lists(&text, "let mut tools = vec!")
            .into_iter()
            .for_each(&mut add);
        literal_args(&text, "tools.push(", 0)
            .into_iter()
            .for_each(&mut add);
        // Programs named by absolute path, such as "/usr/sbin/dhcpd".
        for dir in ["\"/usr/sbin/", "\"/usr/bin/", "\"/sbin/", "\"/bin/"] {
            let mut rest = text.as_str();
            while let Some(at) = rest.find(dir) {
                rest = &rest[at + dir.len()..];
                let end = rest.find('"').unwrap_or(0);
                if end > 0 && quoted(&format!("\"{}\"", &rest[..end])).is_some() {
                    add(rest[..end].to_string());
                }
            }
        }
    }
    programs
}

/// The programs each script under `scripts/` checks for with its
/// `for t in A B C; do command -v "$t"` line (every script that runs a tool has one).
fn programs_in_scripts() -> BTreeSet<(String, String)> {
    let mut programs = BTreeSet::new();
    let mut files = Vec::new();
    files_under(&repo().join("scripts"), "sh", &mut files);
    for file in files {
        let name = file.strip_prefix(repo()).unwrap().display().to_string();
        if name.ends_with("setup-debian.sh") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let mut checked = false;
        let mut rest = text.as_str();
        while let Some(at) = rest.find("for t in ") {
            rest = &rest[at + "for t in ".len()..];
            let Some((list, after)) = rest.split_once("; do") else {
                break;
            };
            if list.contains('\n') || !after.lines().take(2).any(|l| l.contains("command -v")) {
                continue;
            }
            checked = true;
            for p in list.split_whitespace() {
                programs.insert((p.to_string(), name.clone()));
            }
        }
        assert!(
            checked,
            "{name} has no `for t in TOOLS; do command -v \"$t\" ...` line naming what it runs"
        );
    }
    programs
}

#[test]
fn every_program_the_tests_run_is_registered_with_its_package() {
    let registered: BTreeSet<&str> = TOOLS.iter().map(|t| t.name).collect();
    let mut missing = Vec::new();
    for (program, file) in programs_in_rust_sources()
        .into_iter()
        .chain(programs_in_scripts())
    {
        if !registered.contains(program.as_str()) {
            missing.push(format!("{program} (run by {file})"));
        }
    }
    assert!(
        missing.is_empty(),
        "programs run by tests, benchmarks or scripts but missing from tests/common/tools.rs \
         (add each with its Debian package, and the package to scripts/setup-debian.sh):\n  {}",
        missing.join("\n  ")
    );
}

#[test]
fn the_scan_sees_the_tools_the_tests_are_known_to_run() {
    // Guards the scanner itself: if a refactor hid these calls from it, the check above would
    // pass vacuously.
    let seen: BTreeSet<String> = programs_in_rust_sources()
        .into_iter()
        .chain(programs_in_scripts())
        .map(|(p, _)| p)
        .collect();
    for program in [
        "dhcpd",
        "dhclient",
        "perfdhcp",
        "tcpdump",
        "sshd",
        "ip",
        "kea-dhcp4",
    ] {
        assert!(seen.contains(program), "{program} not found by the scan");
    }
}

#[test]
fn the_setup_script_installs_every_registered_package() {
    let packages = setup_packages();
    assert!(packages.contains("isc-dhcp-server"), "{packages:?}");
    let missing: Vec<String> = TOOLS
        .iter()
        .filter(|t| !packages.contains(t.package))
        .map(|t| format!("{} (for {}, used by {})", t.package, t.name, t.used_by))
        .collect();
    assert!(
        missing.is_empty(),
        "packages missing from scripts/setup-debian.sh:\n  {}",
        missing.join("\n  ")
    );
}

/// Under `CI=true` the set-up has run: every registered tool must be found, and where dpkg is
/// present, the package named for it must be the one that installed it.
#[test]
fn every_registered_tool_comes_from_its_package() {
    let ci = common::in_ci();
    let have_dpkg = Path::new("/usr/bin/dpkg-query").exists();
    for tool in TOOLS {
        let Some(path) = common::find_tool(tool.name) else {
            assert!(
                !ci,
                "`{}` not found under CI=true: scripts/setup-debian.sh should install {}",
                tool.name, tool.package
            );
            eprintln!(
                "note: `{}` not installed here (package {})",
                tool.name, tool.package
            );
            continue;
        };
        if !have_dpkg {
            assert!(!ci, "CI runs on Debian, where dpkg-query exists");
            continue;
        }
        let listed = Command::new("dpkg-query")
            .args(["-L", tool.package])
            .output()
            .expect("dpkg-query");
        let files = String::from_utf8_lossy(&listed.stdout);
        let provides = files.lines().any(|f| {
            Path::new(f).file_name().is_some_and(|n| n == tool.name)
                && (f.contains("/bin/") || f.contains("/sbin/"))
        });
        assert!(
            provides || !ci,
            "{} (found at {}) is not installed by package {} as tests/common/tools.rs says",
            tool.name,
            path.display(),
            tool.package
        );
    }
}

#[test]
fn readme_names_every_tool_the_tests_need() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let start = readme
        .find("What each group of tests needs")
        .expect("the README table");
    let section = &readme[start..start + readme[start..].find("\n## ").unwrap_or(0)];
    let missing: Vec<&str> = TOOLS
        .iter()
        .map(|t| t.name)
        .filter(|name| !section.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README's table of what each test group needs does not name: {missing:?}"
    );
}
