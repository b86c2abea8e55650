//! The part of OpenSSH's client configuration that dhcpfo honours, read as `ssh` reads it:
//! `~/.ssh/config`, then `/etc/ssh/ssh_config` (or only the file given with `--ssh-config`, as
//! `ssh -F`), `Include`, `Host` and `Match` blocks, and the keys `HostName`, `User`, `Port`,
//! `IdentityFile`, `UserKnownHostsFile`, `GlobalKnownHostsFile`, `StrictHostKeyChecking`,
//! `HostKeyAlias`, `HashKnownHosts`, `ProxyJump` and `ProxyCommand`.
//!
//! As in OpenSSH, the first value found for a key wins (`IdentityFile` accumulates), keys are
//! case-insensitive, and `ProxyJump` and `ProxyCommand` share one slot: whichever comes first.
//! An `Include` inside a `Host` or `Match` block counts only where that block applies.
//! `Match` criteria dhcpfo cannot evaluate (`exec`, `canonical`, ...) make their block count
//! as not matching, with a warning.

use std::path::{Path, PathBuf};

/// `StrictHostKeyChecking`: what to do with a host key known_hosts does not vouch for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Strictness {
    /// Refuse unknown and changed keys (dhcpfo's default; OpenSSH's `ask` without a terminal).
    Yes,
    /// Add unknown keys to the first user known_hosts file; refuse changed keys.
    AcceptNew,
    /// Add unknown keys and connect despite a changed key (with a warning).
    No,
}

/// The proxy setting found for a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxySetting {
    /// `ProxyJump` (the raw value: comma-separated `[user@]host[:port]`).
    Jump(String),
    /// `ProxyCommand` (the raw command line, tokens not yet expanded).
    Command(String),
}

/// Settings found for one host alias (raw: tokens are expanded by the caller).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostConfig {
    /// `HostName` with `%h` expanded: the real host to connect to.
    pub hostname: Option<String>,
    /// `User`.
    pub user: Option<String>,
    /// `Port`.
    pub port: Option<u16>,
    /// `IdentityFile` entries, in order, as written.
    pub identity_files: Vec<String>,
    /// `UserKnownHostsFile`, as written (`none` included).
    pub user_known_hosts: Option<Vec<String>>,
    /// `GlobalKnownHostsFile`, as written.
    pub global_known_hosts: Option<Vec<String>>,
    /// `StrictHostKeyChecking`.
    pub strict_host_key_checking: Option<Strictness>,
    /// `HostKeyAlias`.
    pub host_key_alias: Option<String>,
    /// `HashKnownHosts`.
    pub hash_known_hosts: Option<bool>,
    /// `ProxyJump` or `ProxyCommand`, whichever came first; `None` inside when it was `none`.
    pub proxy: Option<Option<ProxySetting>>,
    /// Values that cannot be used, each with its `file:line`: connecting fails with them.
    pub errors: Vec<String>,
    /// Blocks that were skipped, with why.
    pub warnings: Vec<String>,
}

/// A parsed configuration: the blocks of every file read, in order.
#[derive(Debug, Clone, Default)]
pub struct SshConfig {
    blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
enum Condition {
    /// `Host` patterns (also the lines before the first block of a file read first: `Host *`).
    Host(Vec<String>),
    /// `Match` criteria, all of which must hold.
    Match(Vec<Criterion>),
    /// Exactly when the block with this index applied: the lines before the first block of an
    /// included file (the block the `Include` was in), and those after an `Include` (the block
    /// it interrupted; not evaluated again, as in OpenSSH).
    As(usize),
}

#[derive(Debug, Clone)]
struct Criterion {
    negated: bool,
    kind: String,
    patterns: Vec<String>,
}

#[derive(Debug, Clone)]
struct Block {
    condition: Condition,
    /// The block whose `Include` read this block's file: this one applies only if that one
    /// did (`None` in a file read first).
    within: Option<usize>,
    /// Where the block starts, for messages.
    origin: String,
    /// (lower-case key, value as written, `file:line`).
    entries: Vec<(String, String, String)>,
}

/// How deep `Include`s may nest (OpenSSH's limit too).
const MAX_INCLUDE_DEPTH: usize = 16;

impl SshConfig {
    /// Parses the text of one configuration file named `origin`; `Include` paths are relative
    /// to `base`.
    pub fn parse_file(text: &str, origin: &str, base: &Path) -> SshConfig {
        let mut config = SshConfig::default();
        config.add_text(text, origin, base, 0, None);
        config
    }

    /// Parses a configuration text (`Include`s relative to `~/.ssh`).
    pub fn parse(text: &str) -> SshConfig {
        let base = home_dir().unwrap_or_default().join(".ssh");
        SshConfig::parse_file(text, "config", &base)
    }

    /// What `ssh` reads: `explicit` alone (as `ssh -F FILE`; `none` for no file), else
    /// `~/.ssh/config` then `/etc/ssh/ssh_config`. Missing default files are empty; a missing
    /// explicit file is an error, as for `ssh -F`.
    pub fn load(explicit: Option<&Path>) -> Result<SshConfig, String> {
        let mut config = SshConfig::default();
        match explicit {
            Some(path) if path.as_os_str() == "none" => {}
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let base = home_dir().unwrap_or_default().join(".ssh");
                config.add_text(&text, &path.display().to_string(), &base, 0, None);
            }
            None => {
                if let Some(home) = home_dir() {
                    config.add_file(&home.join(".ssh/config"), &home.join(".ssh"), 0, None);
                }
                let global = Path::new("/etc/ssh/ssh_config");
                config.add_file(global, Path::new("/etc/ssh"), 0, None);
            }
        }
        Ok(config)
    }

    fn add_file(&mut self, path: &Path, base: &Path, depth: usize, within: Option<usize>) {
        if let Ok(text) = std::fs::read_to_string(path) {
            self.add_text(&text, &path.display().to_string(), base, depth, within);
        }
    }

    /// Adds the blocks of one file; `within`: the block whose `Include` reads it.
    fn add_text(
        &mut self,
        text: &str,
        origin: &str,
        base: &Path,
        depth: usize,
        within: Option<usize>,
    ) {
        self.blocks.push(Block {
            condition: within.map_or_else(|| Condition::Host(vec!["*".into()]), Condition::As),
            within: None,
            origin: format!("{origin}:1"),
            entries: Vec::new(),
        });
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = format!("{origin}:{}", n + 1);
            let (key, value) = split_key_value(line);
            let condition = match key.to_ascii_lowercase().as_str() {
                "host" => Condition::Host(words(&value)),
                "match" => Condition::Match(criteria(&value)),
                "include" if depth < MAX_INCLUDE_DEPTH => {
                    // The included files count only where the block the Include is in does;
                    // the rest of this file stays in that block.
                    let current = self.blocks.len() - 1;
                    for word in words(&value) {
                        let pattern = super::ssh_tokens::expand_tilde(&word);
                        let pattern = if pattern.is_absolute() {
                            pattern
                        } else {
                            base.join(pattern)
                        };
                        for file in matching_files(&pattern) {
                            self.add_file(&file, base, depth + 1, Some(current));
                        }
                    }
                    Condition::As(current)
                }
                lower => {
                    if let Some(block) = self.blocks.last_mut() {
                        block.entries.push((lower.to_string(), value, at));
                    }
                    continue;
                }
            };
            let within = match condition {
                Condition::As(_) => None,
                _ => within,
            };
            self.blocks.push(Block {
                condition,
                within,
                origin: at,
                entries: Vec::new(),
            });
        }
    }

    /// The settings for `alias`. `user` is the remote user given outside the configuration
    /// (the model's `ssh.user`), which `Match user` sees.
    pub fn lookup(&self, alias: &str, user: Option<&str>) -> HostConfig {
        let mut out = HostConfig::default();
        // Whether each block seen so far applied.
        let mut applied: Vec<bool> = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            let did = |i: usize| applied.get(i).copied().unwrap_or(false);
            let inside = block.within.is_none_or(did);
            let applies = inside
                && match &block.condition {
                    Condition::As(i) => did(*i),
                    Condition::Host(patterns) => host_matches(patterns, alias),
                    Condition::Match(criteria) => {
                        let host = out.hostname.as_deref().unwrap_or(alias);
                        let user = user.or(out.user.as_deref());
                        match match_applies(criteria, alias, host, user) {
                            Ok(applies) => applies,
                            Err(why) => {
                                out.warnings.push(format!(
                                    "{}: {why}; dhcpfo skips this Match block",
                                    block.origin
                                ));
                                false
                            }
                        }
                    }
                };
            applied.push(applies);
            if applies {
                for (key, value, at) in &block.entries {
                    apply(&mut out, key, value, at, alias);
                }
            }
        }
        out
    }
}

/// Takes one `key value` line into `out` when the key has no value yet.
fn apply(out: &mut HostConfig, key: &str, value: &str, at: &str, alias: &str) {
    let bad = |what: &str| out_errors_push(at, key, value, what);
    match key {
        "hostname" if out.hostname.is_none() => {
            out.hostname = Some(unquote(value).replace("%h", alias).replace("%%", "%"));
        }
        "user" if out.user.is_none() => out.user = Some(unquote(value)),
        "port" if out.port.is_none() => match unquote(value).parse::<u16>() {
            Ok(port) if port > 0 => out.port = Some(port),
            _ => out.errors.push(bad("a port 1..65535")),
        },
        "identityfile" => out.identity_files.push(unquote(value)),
        "userknownhostsfile" if out.user_known_hosts.is_none() => {
            out.user_known_hosts = Some(words(value));
        }
        "globalknownhostsfile" if out.global_known_hosts.is_none() => {
            out.global_known_hosts = Some(words(value));
        }
        "stricthostkeychecking" if out.strict_host_key_checking.is_none() => {
            out.strict_host_key_checking = match unquote(value).to_ascii_lowercase().as_str() {
                // `ask` needs a terminal dialogue dhcpfo does not hold: refuse, as `ssh` does
                // without a terminal.
                "yes" | "true" | "ask" => Some(Strictness::Yes),
                "accept-new" => Some(Strictness::AcceptNew),
                "no" | "false" | "off" => Some(Strictness::No),
                _ => {
                    out.errors.push(bad("yes, accept-new, no, off or ask"));
                    None
                }
            };
        }
        "hostkeyalias" if out.host_key_alias.is_none() => {
            out.host_key_alias = Some(unquote(value));
        }
        "hashknownhosts" if out.hash_known_hosts.is_none() => {
            match unquote(value).to_ascii_lowercase().as_str() {
                "yes" | "true" => out.hash_known_hosts = Some(true),
                "no" | "false" => out.hash_known_hosts = Some(false),
                _ => out.errors.push(bad("yes or no")),
            }
        }
        "proxyjump" if out.proxy.is_none() => {
            let value = unquote(value);
            out.proxy =
                Some((!value.eq_ignore_ascii_case("none")).then_some(ProxySetting::Jump(value)));
        }
        "proxycommand" if out.proxy.is_none() => {
            out.proxy = Some(
                (!value.eq_ignore_ascii_case("none"))
                    .then(|| ProxySetting::Command(value.to_string())),
            );
        }
        _ => {}
    }
}

fn out_errors_push(at: &str, key: &str, value: &str, what: &str) -> String {
    format!("{at}: `{key} {value}`: expected {what}")
}

/// Whether every criterion of a `Match` line holds; `Err` for a criterion dhcpfo cannot
/// evaluate.
fn match_applies(
    criteria: &[Criterion],
    original: &str,
    host: &str,
    user: Option<&str>,
) -> Result<bool, String> {
    if criteria.is_empty() {
        return Err("`Match` without criteria".into());
    }
    let remote_user = user.map_or_else(local_user, str::to_string);
    for c in criteria {
        let list = |text: &str| host_matches(&c.patterns, text);
        let holds = match c.kind.as_str() {
            "all" => true,
            "host" => list(host),
            "originalhost" => list(original),
            "user" => list(&remote_user),
            "localuser" => list(&local_user()),
            other => return Err(format!("`Match {other}` is not supported")),
        };
        if holds == c.negated {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `Match` criteria: `[!]keyword [patterns]`, patterns comma-separated.
fn criteria(value: &str) -> Vec<Criterion> {
    let mut out = Vec::new();
    let mut words = words(value).into_iter();
    while let Some(word) = words.next() {
        let (negated, kind) = match word.strip_prefix('!') {
            Some(rest) => (true, rest.to_ascii_lowercase()),
            None => (false, word.to_ascii_lowercase()),
        };
        let patterns = if matches!(kind.as_str(), "all" | "canonical" | "final") {
            Vec::new()
        } else {
            words
                .next()
                .map(|w| w.split(',').map(str::to_string).collect())
                .unwrap_or_default()
        };
        out.push(Criterion {
            negated,
            kind,
            patterns,
        });
    }
    out
}

/// Files matching a path whose last component may hold `*` or `?`, sorted.
fn matching_files(pattern: &Path) -> Vec<PathBuf> {
    let name = pattern
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains(['*', '?']) {
        return vec![pattern.to_path_buf()];
    }
    let dir = pattern.parent().unwrap_or(Path::new("."));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| glob(&name, &e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

fn split_key_value(line: &str) -> (String, String) {
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let key = line[..end].to_string();
    let rest = line[end..].trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    (key, rest.to_string())
}

/// Words of a value: split at white space, `"..."` kept together without the quotes.
fn words(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut current));
                    any = false;
                }
            }
            c => {
                current.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(current);
    }
    out
}

fn unquote(value: &str) -> String {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
        .to_string()
}

/// OpenSSH's rule: a host matches when some pattern matches and no negated pattern does.
pub(crate) fn host_matches(patterns: &[String], host: &str) -> bool {
    let mut matched = false;
    for pattern in patterns {
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob(negated, host) {
                return false;
            }
        } else if glob(pattern, host) {
            matched = true;
        }
    }
    matched
}

/// Glob matching with `*` and `?`, case-insensitive as host names are.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// `$HOME`.
pub(crate) fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The local user name (`$USER`, else `$LOGNAME`, else `root`).
pub(crate) fn local_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "root".into())
}

/// The default identity files OpenSSH tries, those that exist.
pub(crate) fn default_identity_files() -> Vec<PathBuf> {
    let Some(home) = home_dir() else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|n| home.join(".ssh").join(n))
        .filter(|p| Path::new(p).is_file())
        .collect()
}

#[cfg(test)]
mod tests;
