//! Robustness: the dhcpd.conf parser and lint, and the YAML model loader, never panic.
//!
//! - Mutants of the dhcpd.conf corpus (`../shared/corpus/dhcpd-conf/files`, read in place;
//!   skipped with a note when absent): byte deletions, insertions of `{ } ; " # \ :`, control
//!   and non-ASCII characters, line duplications and deletions, truncations, token swaps,
//!   keywords and extreme numbers or addresses put in place of tokens, random bytes. Each
//!   mutant is parsed with `Config::from_text` and linted with `lint`; mutants that parse are
//!   also linted as a pair with their original (`pair::lint_pair`, both ways).
//! - Tricky dhcpd.conf inputs written here: 10,000-deep nesting of braces, blocks and
//!   parentheses, huge strings, NUL bytes, CRLF, lone CR, a byte-order mark, extreme numbers
//!   and addresses, includes of the file itself, of a directory, of an empty path, cycles
//!   and chains deeper than the include limit.
//! - Mutants of `examples/*.yaml` and tricky YAML for `model::load_str`, then `check`, then
//!   `render` (both layouts) when the model has no error.
//!
//! Mutants are deterministic (a seeded PRNG of this file). Each sweep stops at a mutant count
//! or a wall-clock budget, whichever comes first, and prints how many it ran:
//! `DHCPFO_NO_PANIC_MUTANTS` (default 3000 for the corpus, half that for the models) and
//! `DHCPFO_NO_PANIC_SECS` (default 20 in debug builds, 10 in release) change them.
//!
//! A panic fails the test with the input written to a file in the temp folder (the path is in
//! the message), the panic message and the mutations that made it. A stack overflow cannot be
//! caught: the deep-nesting inputs therefore run in a child process (this test binary run
//! again on one test), whose death by a signal is reported as such.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use dhcpfo::conf::Config;
use dhcpfo::conf::lint::{Selection, lint};
use dhcpfo::conf::pair::lint_pair;
use dhcpfo::diag::{Diagnostic, render_human, render_json};

// ------------------------------------------------------------------------------ PRNG

/// SplitMix64: small, fast and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// FNV-1a, to seed each file's mutants from its name.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

// ------------------------------------------------------------------------------ mutations

/// What a mutation may insert or put in place of a token, per input language.
struct Alphabet {
    /// Short insertions: punctuation, control and non-ASCII characters.
    inserts: &'static [&'static str],
    /// Whole tokens: keywords, extreme numbers and addresses.
    tokens: &'static [&'static str],
}

const CONF: Alphabet = Alphabet {
    inserts: &[
        "{",
        "}",
        ";",
        "\"",
        "#",
        "\\",
        ":",
        ",",
        "=",
        "(",
        ")",
        ".",
        "-",
        "/",
        "\0",
        "\r",
        "\n",
        "\t",
        " ",
        "\u{e9}",
        "\u{2013}",
        "\u{a0}",
        "\u{feff}",
        "\u{201c}",
        "\u{200b}",
        "\u{1f600}",
        "\u{ff1b}",
        "\u{fffd}",
        "{}",
        "};",
        "\"\"",
        "\\\"",
        "\u{0301}",
    ],
    tokens: &[
        "subnet",
        "netmask",
        "shared-network",
        "pool",
        "group",
        "host",
        "class",
        "subclass",
        "failover",
        "peer",
        "failover peer",
        "no failover peer",
        "state",
        "primary",
        "secondary",
        "include",
        "option",
        "range",
        "dynamic-bootp",
        "allow",
        "deny",
        "members of",
        "if",
        "elsif",
        "else",
        "switch",
        "case",
        "default:",
        "on",
        "commit",
        "key",
        "zone",
        "split",
        "hba",
        "mclt",
        "load balance max seconds",
        "peer address",
        "address",
        "port",
        "fixed-address",
        "hardware ethernet",
        "authoritative",
        "not",
        "lease limit",
        "match if",
        "spawn with",
        "set",
        "define",
        "execute",
        "=",
        "==",
        "and",
        "or",
        "0",
        "-1",
        "256",
        "65536",
        "4294967295",
        "4294967296",
        "-9223372036854775808",
        "99999999999999999999999999",
        "0x",
        "0xffffffffffffffffff",
        "0.0.0.0",
        "255.255.255.255",
        "999.999.999.999",
        "10.0.0",
        "1.2.3.4.5",
        "::",
        "ff:ff",
        "0:0:0:0:0:0:0:0:0:0:0:0:0",
        "\"\"",
        "\"dhcp-failover\"",
        "dhcp-failover",
        "\"\\",
        "option space x code width 4;",
        "option x.y code 300 = array of { ip-address, text };",
    ],
};

const YAML: Alphabet = Alphabet {
    inserts: &[
        ":",
        "-",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&",
        "*",
        "!",
        "|",
        ">",
        "'",
        "\"",
        "#",
        "%",
        "@",
        "?",
        "\\",
        "\t",
        "  ",
        "\n",
        "\r",
        "\0",
        "\u{feff}",
        "\u{e9}",
        "\u{2013}",
        "\u{a0}",
        "\u{1f600}",
        "\u{85}",
        "\u{2028}",
        "---\n",
        "...\n",
        ": ",
        "- ",
    ],
    tokens: &[
        "~",
        "null",
        "true",
        "false",
        "yes",
        "0",
        "-1",
        "4294967296",
        "1e309",
        ".nan",
        ".inf",
        "0x10",
        "0o7",
        "99999999999999999999",
        "1s",
        "1h",
        "0s",
        "999999999999d",
        "0.0.0.0/0",
        "10.0.0.0/33",
        "255.255.255.255",
        "999.1.1.1",
        "[]",
        "{}",
        "[[]]",
        "&a x",
        "*a",
        "*nope",
        "!!binary AA==",
        "!!str",
        "<<: *a",
        "\"\\u0000\"",
        "'''",
        "|-",
        ">+",
        "primary",
        "secondary",
        "peers",
        "failover",
        "subnets",
        "pools",
        "hosts",
        "range",
        "split",
        "hba",
        "mclt",
        "name",
        "network",
        "address",
        "\"a\\\"b\"",
        "00:11:22:33:44:55",
        "ff:ff",
    ],
};

/// Applies 1 to 3 random mutations to `input`; returns the mutant and what was done.
fn mutate(input: &[u8], rng: &mut Rng, alphabet: &Alphabet) -> (Vec<u8>, Vec<String>) {
    let mut data = input.to_vec();
    let mut done = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let len = data.len();
        let at = rng.below(len + 1);
        match rng.below(11) {
            0 => {
                let n = (1 + rng.below(8)).min(len - at.min(len));
                data.drain(at..at + n);
                done.push(format!("delete {n} byte(s) at {at}"));
            }
            1 | 2 => {
                let s = rng.pick(alphabet.inserts);
                data.splice(at..at, s.bytes());
                done.push(format!("insert {s:?} at {at}"));
            }
            3 => {
                let (start, end) = line_at(&data, at);
                let line = data[start..end].to_vec();
                let times = if rng.below(8) == 0 { 50 } else { 1 };
                for _ in 0..times {
                    data.splice(end..end, line.iter().copied());
                }
                done.push(format!("duplicate the line at {start} {times} time(s)"));
            }
            4 => {
                let (start, end) = line_at(&data, at);
                data.drain(start..end);
                done.push(format!("delete the line at {start}"));
            }
            5 => {
                data.truncate(at);
                done.push(format!("truncate at {at}"));
            }
            6 => {
                let tokens = tokens(&data);
                if tokens.len() >= 2 {
                    let a = *rng.pick(&tokens);
                    let b = *rng.pick(&tokens);
                    let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                    if first.1 <= second.0 {
                        let x = data[first.0..first.1].to_vec();
                        let y = data[second.0..second.1].to_vec();
                        data.splice(second.0..second.1, x);
                        data.splice(first.0..first.1, y);
                        done.push(format!("swap tokens at {} and {}", first.0, second.0));
                    }
                }
            }
            7 | 8 => {
                let tokens = tokens(&data);
                if !tokens.is_empty() {
                    let (start, end) = *rng.pick(&tokens);
                    let t = rng.pick(alphabet.tokens);
                    data.splice(start..end, t.bytes());
                    done.push(format!("replace the token at {start} with {t:?}"));
                }
            }
            9 => {
                let n = 1 + rng.below(4);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                done.push(format!("insert random bytes {bytes:02x?} at {at}"));
                data.splice(at..at, bytes);
            }
            _ => {
                // Move a random chunk elsewhere (a misplaced block or half a statement).
                let n = (1 + rng.below(64)).min(len - at.min(len));
                let chunk: Vec<u8> = data.drain(at..at + n).collect();
                let to = rng.below(data.len() + 1);
                data.splice(to..to, chunk);
                done.push(format!("move {n} byte(s) from {at} to {to}"));
            }
        }
    }
    (data, done)
}

/// The line around `at`, with its newline.
fn line_at(data: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(data.len());
    let start = data[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = data[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |i| at + i + 1);
    (start, end)
}

/// Byte ranges of the whitespace-separated tokens.
fn tokens(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, b) in data.iter().enumerate() {
        match (b.is_ascii_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, data.len()));
    }
    out
}

// ------------------------------------------------------------------------------ harness

/// The mutant budget: a count and a wall-clock limit.
struct Budget {
    mutants: usize,
    time: Duration,
}

impl Budget {
    fn from_env(default_mutants: usize) -> Budget {
        let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
        let default_secs = if cfg!(debug_assertions) { 20 } else { 10 };
        Budget {
            mutants: env("DHCPFO_NO_PANIC_MUTANTS").map_or(default_mutants, |n| n as usize),
            time: Duration::from_secs(env("DHCPFO_NO_PANIC_SECS").unwrap_or(default_secs)),
        }
    }
}

/// A panic found: where the input was saved and what happened.
struct Failure {
    saved: PathBuf,
    what: String,
}

/// Runs `f` on `input`; on a panic, saves the input under the temp folder and returns why.
fn check<F: FnOnce()>(name: &str, input: &[u8], how: &[String], f: F) -> Option<Failure> {
    let started = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(f));
    let took = started.elapsed();
    if took > Duration::from_secs(5) {
        eprintln!(
            "note: {name} took {took:?} ({} bytes; {})",
            input.len(),
            how.join("; ")
        );
    }
    let payload = result.err()?;
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(non-string panic payload)".into());
    let dir = std::env::temp_dir().join("dhcpfo-no-panic");
    let _ = std::fs::create_dir_all(&dir);
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let saved = dir.join(safe);
    let _ = std::fs::write(&saved, input);
    Some(Failure {
        saved: saved.clone(),
        what: format!(
            "{name}: panicked: {message}\n    input saved to {}\n    made by: {}",
            saved.display(),
            if how.is_empty() {
                "(a fixture)".to_string()
            } else {
                how.join("; ")
            }
        ),
    })
}

fn assert_no_failures(what: &str, failures: &[Failure]) {
    if failures.is_empty() {
        return;
    }
    let list: Vec<&str> = failures.iter().map(|f| f.what.as_str()).collect();
    panic!(
        "{what}: {} input(s) made dhcpfo panic (first saved at {}):\n{}",
        failures.len(),
        failures[0].saved.display(),
        list.join("\n")
    );
}

/// Prints diagnostics the way the CLI does (`--format human` and `--format json`); the first
/// 1,000 only, as each one shows its source lines.
fn render_diagnostics(diags: &[Diagnostic]) {
    let diags = &diags[..diags.len().min(1000)];
    std::hint::black_box(render_human(diags, false));
    std::hint::black_box(render_json(diags));
}

/// Parses and lints dhcpd.conf text as the file `path` (includes resolve next to it), and
/// renders the findings.
fn lint_text(path: &Path, text: String) -> Config {
    let config = Config::from_text(path, text);
    render_diagnostics(&lint(&config, &Selection::default()));
    config
}

// ------------------------------------------------------------------------------ dhcpd.conf

#[test]
fn conf_corpus_mutants_do_not_panic() {
    let Some(corpus) = common::corpus_or_skip("conf_corpus_mutants_do_not_panic") else {
        return;
    };
    let dir = corpus.join("files");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        panic!("cannot list {}", dir.display());
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let bytes = std::fs::read(e.path()).ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), bytes))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no files in {}", dir.display());
    let budget = Budget::from_env(3000);
    let scratch = tempfile::tempdir().expect("temp dir");
    let path = scratch.path().join("dhcpd.conf");
    let selection = Selection::default();
    let originals: Vec<Config> = files
        .iter()
        .map(|(_, b)| Config::from_text(&path, String::from_utf8_lossy(b).into_owned()))
        .collect();
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut run = 0;
    let mut parsed = 0;
    'rounds: for round in 0.. {
        for ((name, bytes), original) in files.iter().zip(&originals) {
            if run >= budget.mutants || started.elapsed() >= budget.time || failures.len() >= 10 {
                break 'rounds;
            }
            let mut rng = Rng::new(fnv(name) ^ (round as u64).wrapping_mul(0x1000_0000_01b3));
            let (mutant, how) = mutate(bytes, &mut rng, &CONF);
            let text = String::from_utf8_lossy(&mutant).into_owned();
            run += 1;
            let label = format!("{name}.mutant-{round}");
            let failure = check(&label, &mutant, &how, || {
                let config = lint_text(&path, text);
                if config.is_complete() {
                    parsed += 1;
                    if original.is_complete() {
                        render_diagnostics(&lint_pair(&config, original, &selection));
                        render_diagnostics(&lint_pair(original, &config, &selection));
                    }
                }
            });
            failures.extend(failure);
        }
    }
    eprintln!(
        "conf_corpus_mutants_do_not_panic: {run} mutant(s) of {} corpus file(s) in {:.1?} \
         ({parsed} still parsed; budget {} mutants / {:?})",
        files.len(),
        started.elapsed(),
        budget.mutants,
        budget.time
    );
    assert_no_failures("corpus mutants", &failures);
}

/// A valid configuration with a failover pair, to build tricky variants on.
const BASE: &str = r#"authoritative;
default-lease-time 3600;
max-lease-time 7200;
failover peer "dhcp-failover" {
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
}
subnet 192.0.2.0 netmask 255.255.255.0 {
  option routers 192.0.2.1;
  pool {
    failover peer "dhcp-failover";
    range 192.0.2.100 192.0.2.200;
  }
}
host printer {
  hardware ethernet 00:11:22:33:44:55;
  fixed-address 192.0.2.50;
}
"#;

/// Tricky dhcpd.conf texts that fit in memory at once (deep nesting has its own test).
fn conf_fixtures() -> Vec<(&'static str, Vec<u8>)> {
    let huge = "A".repeat(1 << 20);
    let mut v: Vec<(&'static str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("whitespace", b" \t\n\x0b\x0c\r\n".to_vec()),
        ("comment without newline", b"# only a comment".to_vec()),
        ("lone brace", b"}".to_vec()),
        ("lone open brace", b"{".to_vec()),
        ("lone quote", b"\"".to_vec()),
        ("lone backslash", b"\\".to_vec()),
        ("semicolon after block", b"group { };".to_vec()),
        ("base", BASE.as_bytes().to_vec()),
        ("crlf", BASE.replace('\n', "\r\n").into_bytes()),
        ("lone cr", BASE.replace('\n', "\r").into_bytes()),
        ("bom", [b"\xef\xbb\xbf".as_slice(), BASE.as_bytes()].concat()),
        ("bom in the middle", BASE.replacen("subnet", "\u{feff}subnet", 1).into_bytes()),
        ("nul bytes", BASE.replace(';', ";\0").into_bytes()),
        ("nul everywhere", BASE.replace(' ', "\0").into_bytes()),
        ("nul in a string", BASE.replace("dhcp-failover", "dhcp\0failover").into_bytes()),
        ("invalid utf-8", BASE.as_bytes().iter().map(|&b| if b == b'e' { 0xff } else { b }).collect()),
        ("lookalike hyphen", BASE.replace("dhcp-failover", "dhcp\u{2013}failover").into_bytes()),
        ("lookalike semicolon", BASE.replace("split 128;", "split 128\u{ff1b}").into_bytes()),
        ("nbsp", BASE.replace(' ', "\u{a0}").into_bytes()),
        ("zero width space", BASE.replace("mclt", "mc\u{200b}lt").into_bytes()),
        ("combining accent at eof", [BASE.as_bytes(), "\u{0301}".as_bytes()].concat()),
        ("non-ascii at error", b"subnet \xc3\xa9\xc3\xa9 netmask".to_vec()),
        ("emoji name", BASE.replace("printer", "pr\u{1f600}inter").into_bytes()),
        ("huge string", format!("option domain-name \"{huge}\";\n{BASE}").into_bytes()),
        ("huge unterminated string", format!("{BASE}option domain-name \"{huge}").into_bytes()),
        ("huge comment", format!("#{huge}\n{BASE}").into_bytes()),
        ("huge word", format!("{huge};\n").into_bytes()),
        // A finding past column 65,535 of its line (the graphical report pads to the column).
        ("long line", format!("{}}}\n", "authoritative; ".repeat(4400)).into_bytes()),
        ("huge escapes", format!("option domain-name \"{}\";", "\\x".repeat(100_000)).into_bytes()),
        ("octal escapes", b"option domain-name \"\\777\\400\\0\\3\\x\\xZZ\\\";".to_vec()),
        ("huge hex list", format!("option x {}00;", "ff:".repeat(1 << 18)).into_bytes()),
        ("many statements", "authoritative;\n".repeat(20_000).into_bytes()),
        ("many empty groups", "group { }\n".repeat(10_000).into_bytes()),
        ("many peers", (0..200).map(|i| BASE.replace("dhcp-failover", &format!("p{i}"))).collect::<String>().into_bytes()),
        ("extreme numbers", BASE
            .replace("1800", "99999999999999999999999999")
            .replace("128", "-9223372036854775808")
            .replace("647", "0xffffffffffffffffffff")
            .replace("847", "-0")
            .replace("3600", "4294967296")
            .replace("7200", "-1")
            .into_bytes()),
        ("bad addresses", BASE
            .replace("192.0.2.2", "999.999.999.999")
            .replace("192.0.2.0", "0.0.0.0")
            .replace("255.255.255.0", "0.0.0.0")
            .replace("192.0.2.100", "255.255.255.255")
            .replace("192.0.2.200", "0.0.0.0")
            .into_bytes()),
        ("whole address space", b"subnet 0.0.0.0 netmask 0.0.0.0 {\n  range 0.0.0.0 255.255.255.255;\n  range 0.0.0.1 255.255.255.254;\n  host h { fixed-address 0.0.0.0, 255.255.255.255; }\n}\n".to_vec()),
        ("netmask not contiguous", b"subnet 10.0.0.0 netmask 255.0.255.0 { range 10.0.0.1 10.255.0.255; }".to_vec()),
        ("reversed range", b"subnet 10.0.0.0 netmask 255.0.0.0 { range 10.255.255.255 10.0.0.0; range 10.0.0.5; range dynamic-bootp 10.0.0.6; }".to_vec()),
        ("hba", BASE.replace("split 128", &format!("hba {}", ["ff"; 32].join(":"))).into_bytes()),
        ("hba too long", BASE.replace("split 128", &format!("hba {}", ["ff"; 4096].join(":"))).into_bytes()),
        ("peer state", b"failover peer \"x\" state { my state partner-down at 1 2020/01/01 00:00:00; partner state normal; }".to_vec()),
        ("empty peer", b"failover peer \"\" { }\nfailover peer \"\";\nno failover peer;\nno failover peer".to_vec()),
        ("peer keywords without values", b"failover peer x { primary; secondary; address; port; peer address; peer port; mclt; split; hba; load balance max seconds; max-response-delay; }".to_vec()),
        ("nested peer", b"subnet 10.0.0.0 netmask 255.0.0.0 { pool { failover peer \"a\" { primary; } failover peer \"a\"; } }".to_vec()),
        ("expressions", b"class \"c\" { match if (((option host-name = \"a\") and not exists dhcp-client-identifier) or substring(option vendor-class-identifier, 0, 4294967296) ~= \"x\"); }\nif option x = 1 { } elsif concat() { } else if 1 { } else { }\nswitch (option y) { case 1: default: case \"x\": }\non commit or release or expiry { set a = 1; unset a; define f(a, b) { return a; } eval f(1); log(info, \"x\"); execute(\"/bin/true\", \"a\"); break; }".to_vec()),
        ("option definitions", b"option space s code width 4 length width 4 hash size 99999999999;\noption s.x code 99999999999 = array of { ip-address, array of text, unsigned integer 64 };\noption s.x 1 2 3;\noption y code 300 = encapsulate s;".to_vec()),
        ("keys and zones", b"key k { algorithm hmac-md5; secret ////; };\nkey \"k\" { secret \"a\"; algorithm; }\nzone example.org. { primary 127.0.0.1; key k; }\nzone \"x\" { primary ::1, 1.2.3.4, \"a\"; }".to_vec()),
        ("ignore comments", b"# dhcpfo: ignore\n# dhcpfo: ignore DF200, ,DF2\nsubnet { # dhcpfo: ignore DF200\n".to_vec()),
        ("ignore comment at eof", b"failover peer x { split 999; } # dhcpfo: ignore".to_vec()),
        ("subclass forms", b"class \"c\" { }\nsubclass \"c\" 1:2:3;\nsubclass \"c\" \"a\" { }\nsubclass \"c\" x.y;\nsubclass \"nope\" 1:2 { lease limit 0; }".to_vec()),
    ];
    v.retain(|(_, t)| t.len() < 64 << 20);
    v
}

#[test]
fn conf_fixtures_do_not_panic() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let path = scratch.path().join("dhcpd.conf");
    let mut failures = Vec::new();
    let fixtures = conf_fixtures();
    for (name, bytes) in &fixtures {
        let text = String::from_utf8_lossy(bytes).into_owned();
        failures.extend(check(&format!("conf-{name}.conf"), bytes, &[], || {
            lint_text(&path, text);
        }));
        // The same through the file reader (lossy UTF-8 decoding of the bytes on disk).
        std::fs::write(&path, bytes).expect("write fixture");
        failures.extend(check(&format!("conf-{name}.conf"), bytes, &[], || {
            if let Ok(config) = Config::load(&path) {
                render_diagnostics(&lint(&config, &Selection::default()));
            }
        }));
    }
    eprintln!("conf_fixtures_do_not_panic: {} fixture(s)", fixtures.len());
    assert_no_failures("dhcpd.conf fixtures", &failures);
}

#[test]
fn conf_includes_do_not_panic() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let dir = scratch.path();
    let main = dir.join("dhcpd.conf");
    std::fs::create_dir(dir.join("sub")).expect("mkdir");
    // A chain of 40 files, each including the next (deeper than the 32-level limit).
    for i in 0..40 {
        std::fs::write(
            dir.join(format!("chain-{i}.conf")),
            format!("authoritative;\ninclude \"chain-{}.conf\";\n", i + 1),
        )
        .expect("write chain");
    }
    std::fs::write(dir.join("a.conf"), "include \"b.conf\";\n").expect("write a");
    std::fs::write(dir.join("b.conf"), "group { include \"a.conf\"; }\n").expect("write b");
    std::fs::write(dir.join("broken.conf"), "subnet {\n").expect("write broken");
    std::fs::write(dir.join("bad-utf8.conf"), b"option x \"\xff\xfe\";\n").expect("write bad");
    std::fs::write(dir.join("peer.conf"), BASE).expect("write peer");
    let main_s = main.display().to_string();
    let cases: Vec<(&str, String)> = vec![
        ("itself", "include \"dhcpd.conf\";\n".into()),
        ("itself absolute", format!("include \"{main_s}\";\n")),
        ("itself inside a block", "subnet 10.0.0.0 netmask 255.0.0.0 { pool { include \"dhcpd.conf\"; } }\n".into()),
        ("a directory", "include \"sub\";\n".into()),
        ("the folder itself", "include \".\";\n".into()),
        ("an empty path", "include \"\";\n".into()),
        ("root", "include \"/\";\n".into()),
        ("a missing file", "include \"missing.conf\";\n".into()),
        ("a NUL in the path", "include \"a\0b\";\n".into()),
        ("a very long path", format!("include \"{}\";\n", "x/".repeat(5000))),
        ("a cycle of two", "include \"a.conf\";\n".into()),
        ("a deep chain", "include \"chain-0.conf\";\n".into()),
        ("the same file twice", "include \"peer.conf\";\ninclude \"peer.conf\";\n".into()),
        ("a broken file", "include \"broken.conf\";\nsubnet 10.0.0.0 netmask 255.0.0.0 { }\n".into()),
        ("a non-UTF-8 file", "include \"bad-utf8.conf\";\n".into()),
        ("inside every block", "shared-network n { include \"peer.conf\"; subnet 10.0.0.0 netmask 255.0.0.0 { include \"peer.conf\"; pool { include \"peer.conf\"; } } }\nhost h { include \"peer.conf\"; }\nclass \"c\" { include \"peer.conf\"; }\ngroup { include \"peer.conf\"; }\n".into()),
    ];
    let mut failures = Vec::new();
    for (name, text) in &cases {
        std::fs::write(&main, text).expect("write main");
        failures.extend(check(
            &format!("include-{name}.conf"),
            text.as_bytes(),
            &[],
            || {
                let config = Config::load(&main).expect("main file readable");
                std::hint::black_box(lint(&config, &Selection::default()));
                let peer = Config::load(&dir.join("peer.conf")).expect("peer file");
                std::hint::black_box(lint_pair(&config, &peer, &Selection::default()));
            },
        ));
    }
    assert_no_failures("include fixtures", &failures);
}

/// Deeply nested inputs, built from an environment variable in a child process (see
/// [`deep_nesting_does_not_overflow_the_stack`]).
fn deep_fixture(name: &str, depth: usize) -> Option<String> {
    let open_close =
        |open: &str, close: &str| format!("{}{}", open.repeat(depth), close.repeat(depth));
    Some(match name {
        "groups" => open_close("group {\n", "}\n"),
        "pools" => format!(
            "subnet 10.0.0.0 netmask 255.0.0.0 {{\n{}\n}}\n",
            open_close("pool { ", "} ")
        ),
        "braces" => "{".repeat(depth),
        "closing braces" => "}".repeat(depth),
        "unclosed groups" => "group { ".repeat(depth),
        "ifs" => format!("on commit {{ {} }}\n", open_close("if a { ", "} ")),
        "switches" => format!(
            "on commit {{ {} }}\n",
            open_close("switch (a) { case 1: ", "} ")
        ),
        "parentheses" => format!(
            "class \"c\" {{ match if {}a{}; }}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        ),
        "unclosed parentheses" => format!("class \"c\" {{ match if {}", "(".repeat(depth)),
        "nots" => format!("class \"c\" {{ match if {}a; }}\n", "not ".repeat(depth)),
        "calls" => format!(
            "class \"c\" {{ match if {}a{}; }}\n",
            "f(".repeat(depth),
            ")".repeat(depth)
        ),
        "option types" => format!(
            "option x code 200 = {}ip-address;\n",
            "array of ".repeat(depth)
        ),
        "record types" => format!(
            "option x code 200 = {}ip-address{};\n",
            "{ ".repeat(depth),
            " }".repeat(depth)
        ),
        "yaml flow sequences" => format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        "yaml flow maps" => format!("failover: {}{}", "{a: ".repeat(depth), "}".repeat(depth)),
        // Indentation grows with the depth: the text is quadratic, so this one stops at 3,000.
        "yaml block nesting" => (0..depth.min(3000))
            .map(|i| format!("{}a{i}:\n", " ".repeat(i)))
            .collect(),
        "yaml unclosed" => "[".repeat(depth),
        // One file of a chain: 60 nested groups (under the parser's own limit) around an
        // include of the next file, 40 files deep (past the include limit): 2,400 levels in
        // all for whatever walks the files spliced together.
        "groups across includes" => format!(
            "{}include \"NEXT\";\n{}",
            "group {\n".repeat(60),
            "}\n".repeat(60)
        ),
        _ => return None,
    })
}

const DEEP_CASES: &[&str] = &[
    "groups",
    "pools",
    "braces",
    "closing braces",
    "unclosed groups",
    "ifs",
    "switches",
    "parentheses",
    "unclosed parentheses",
    "nots",
    "calls",
    "option types",
    "record types",
    "yaml flow sequences",
    "yaml flow maps",
    "yaml block nesting",
    "yaml unclosed",
    "groups across includes",
];

/// Nesting depth of the deep fixtures.
const DEPTH: usize = 10_000;

/// The child side: parses and lints (or loads, checks and renders) one deep fixture named by
/// `DHCPFO_NO_PANIC_DEEP`, on a thread with the main thread's usual 8 MiB stack. Does
/// nothing when the variable is unset (the normal test run).
#[test]
fn deep_nesting_child() {
    let Ok(name) = std::env::var("DHCPFO_NO_PANIC_DEEP") else {
        return;
    };
    let depth = std::env::var("DHCPFO_NO_PANIC_DEPTH")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(DEPTH);
    let text = deep_fixture(&name, depth).expect("known fixture");
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            if name.starts_with("yaml") {
                model_round(&text);
            } else if name == "groups across includes" {
                let dir = tempfile::tempdir().expect("temp dir");
                let file = |i: usize| dir.path().join(format!("chain-{i}.conf"));
                for i in 0..40 {
                    let next = file(i + 1).display().to_string();
                    std::fs::write(file(i), text.replace("NEXT", &next)).expect("write chain");
                }
                let config = Config::load(&file(0)).expect("read chain");
                render_diagnostics(&lint(&config, &Selection::default()));
                eprintln!("deep {name}: {} problem(s)", config.problems.len());
            } else {
                let config = lint_text(Path::new("deep.conf"), text);
                eprintln!("deep {name}: {} problem(s)", config.problems.len());
            }
        })
        .expect("spawn")
        .join()
        .expect("no panic");
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let exe = std::env::current_exe().expect("test binary");
    // All children at once (each is a short run of this binary), then their verdicts in order.
    let children: Vec<_> = DEEP_CASES
        .iter()
        .map(|name| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "deep_nesting_child",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("DHCPFO_NO_PANIC_DEEP", name)
                .env("DHCPFO_NO_PANIC_DEPTH", DEPTH.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run the test binary")
        })
        .collect();
    let mut failures = Vec::new();
    for (name, child) in DEEP_CASES.iter().zip(children) {
        let output = child.wait_with_output().expect("wait for the test binary");
        if output.status.success() {
            continue;
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let why = if stderr.contains("has overflowed its stack") {
            "stack overflow".to_string()
        } else if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&output.status) {
            format!("killed by signal {signal}")
        } else {
            format!("failed ({})", output.status)
        };
        let text = deep_fixture(name, DEPTH).expect("known fixture");
        let dir = std::env::temp_dir().join("dhcpfo-no-panic");
        let _ = std::fs::create_dir_all(&dir);
        let saved = dir.join(format!("deep-{}.txt", name.replace(' ', "-")));
        let _ = std::fs::write(&saved, &text);
        let tail: Vec<&str> = stderr
            .lines()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        failures.push(format!(
            "{name} nested {DEPTH} deep: {why}; input saved to {}\n      {}",
            saved.display(),
            tail.join("\n      ")
        ));
    }
    assert!(
        failures.is_empty(),
        "deeply nested inputs crash dhcpfo (8 MiB stack):\n  {}",
        failures.join("\n  ")
    );
}

// ------------------------------------------------------------------------------ YAML model

/// Loads a model; when it loads, checks it, and when the check finds no error, renders it in
/// both layouts.
fn model_round(text: &str) {
    let source = match dhcpfo::model::load_str("model.yaml", text.to_string()) {
        Ok(source) => source,
        Err(dhcpfo::model::LoadError::Invalid(diags)) => return render_diagnostics(&diags),
        Err(_) => return,
    };
    let diags = dhcpfo::model::check::check(&source);
    render_diagnostics(&diags);
    let (errors, _) = dhcpfo::diag::tally(&diags);
    if errors > 0 {
        return;
    }
    for layout in [
        dhcpfo::render::Layout::Single,
        dhcpfo::render::Layout::Split,
    ] {
        let options = dhcpfo::render::RenderOptions {
            layout,
            ..Default::default()
        };
        let _ = std::hint::black_box(dhcpfo::render::render(&source, &options));
    }
}

fn examples() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("examples/")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .filter_map(|e| {
            let bytes = std::fs::read(e.path()).ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), bytes))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn model_mutants_do_not_panic() {
    let files = examples();
    assert!(!files.is_empty(), "no examples/*.yaml");
    let budget = Budget::from_env(3000);
    let budget = Budget {
        mutants: budget.mutants.div_ceil(2),
        time: budget.time / 2,
    };
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut run = 0;
    'rounds: for round in 0.. {
        for (name, bytes) in &files {
            if run >= budget.mutants || started.elapsed() >= budget.time || failures.len() >= 10 {
                break 'rounds;
            }
            let mut rng = Rng::new(fnv(name) ^ (round as u64).wrapping_mul(0x1000_0000_01b3));
            let (mutant, how) = mutate(bytes, &mut rng, &YAML);
            let text = String::from_utf8_lossy(&mutant).into_owned();
            run += 1;
            failures.extend(check(
                &format!("{name}.mutant-{round}"),
                &mutant,
                &how,
                || {
                    model_round(&text);
                },
            ));
        }
    }
    eprintln!(
        "model_mutants_do_not_panic: {run} mutant(s) of {} example(s) in {:.1?} (budget {} mutants / {:?})",
        files.len(),
        started.elapsed(),
        budget.mutants,
        budget.time
    );
    assert_no_failures("model mutants", &failures);
}

#[test]
fn model_fixtures_do_not_panic() {
    let lab = String::from_utf8(
        examples()
            .into_iter()
            .find(|(n, _)| n == "lab-pair.yaml")
            .map(|(_, b)| b)
            .expect("examples/lab-pair.yaml"),
    )
    .expect("UTF-8 example");
    let laughs = {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        s.push_str("failover: *a9\n");
        s
    };
    let huge = "a".repeat(1 << 20);
    let fixtures: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("null", "~".into()),
        ("document end", "...".into()),
        ("two documents", format!("{lab}\n---\n{lab}")),
        ("bom", format!("\u{feff}{lab}")),
        ("crlf", lab.replace('\n', "\r\n")),
        ("lone cr", lab.replace('\n', "\r")),
        ("tabs", lab.replace("  ", "\t")),
        ("nul", lab.replace(':', ":\0")),
        ("billion laughs", laughs),
        (
            "merge keys",
            "base: &b {mclt: 1}\nfailover:\n  <<: *b\n  <<: *b\n  name: x\n".into(),
        ),
        ("anchor cycle-ish", "failover: &a\n  name: *a\n".into()),
        ("undefined alias", "failover: *nope\n".into()),
        (
            "tags",
            "failover: !!map {name: !!binary AA==, mclt: !!float 1.5}\n".into(),
        ),
        ("huge scalar", format!("failover:\n  name: {huge}\n")),
        ("huge key", format!("{huge}: 1\n")),
        (
            "long line",
            format!("failover: {{{}bogus: 1}}\n", " ".repeat(70_000)),
        ),
        (
            "huge quoted",
            format!("failover:\n  name: \"{}\"\n", "\\u0041".repeat(1 << 18)),
        ),
        ("duplicate keys", format!("{lab}\n{lab}")),
        (
            "extreme numbers",
            lab.replace("1800", "99999999999999999999999")
                .replace("128", "-1")
                .replace("60", "1e400"),
        ),
        (
            "durations",
            lab.replace("1h", "99999999999999999999h")
                .replace("2h", "-5s"),
        ),
        (
            "no peers",
            lab.split("peers:").next().unwrap_or("").to_string(),
        ),
        (
            "non-ascii",
            lab.replace("dhcp-failover", "dhcp\u{2013}f\u{e4}il\u{1f600}"),
        ),
    ];
    let mut failures = Vec::new();
    for (name, text) in &fixtures {
        failures.extend(check(
            &format!("model-{name}.yaml"),
            text.as_bytes(),
            &[],
            || {
                model_round(text);
            },
        ));
    }
    assert_no_failures("model fixtures", &failures);
}
