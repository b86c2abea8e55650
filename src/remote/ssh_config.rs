//! The part of OpenSSH's client configuration (`~/.ssh/config`) that dhcpfo honours:
//! `Host` blocks with wildcards and negations, `Include`, and `HostName`, `User`, `Port`,
//! `IdentityFile`.
//!
//! As in OpenSSH, the first value found for a key wins, `Match` blocks are skipped, and keys
//! are case-insensitive.

use std::path::{Path, PathBuf};

/// Settings found for one host alias.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostConfig {
    /// `HostName`: the real host to connect to.
    pub hostname: Option<String>,
    /// `User`.
    pub user: Option<String>,
    /// `Port` (when it parses).
    pub port: Option<u16>,
    /// `IdentityFile` entries, in order, with `~` and `%d`/`%h`/`%r`/`%u` expanded.
    pub identity_files: Vec<PathBuf>,
}

/// A parsed configuration file.
#[derive(Debug, Clone, Default)]
pub struct SshConfig {
    blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
struct Block {
    /// `None` for the settings before the first `Host` line and for `Match` blocks (skipped).
    patterns: Option<Vec<String>>,
    entries: Vec<(String, String)>,
}

impl SshConfig {
    /// Parses the text of a configuration file; lines it does not understand are ignored.
    pub fn parse(text: &str) -> SshConfig {
        let mut blocks = vec![Block {
            patterns: Some(vec!["*".into()]),
            entries: Vec::new(),
        }];
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = split_key_value(line);
            let key = key.to_ascii_lowercase();
            match key.as_str() {
                "host" => blocks.push(Block {
                    patterns: Some(words(&value)),
                    entries: Vec::new(),
                }),
                "match" => blocks.push(Block {
                    patterns: None,
                    entries: Vec::new(),
                }),
                _ => {
                    if let Some(block) = blocks.last_mut() {
                        block.entries.push((key, unquote(&value)));
                    }
                }
            }
        }
        SshConfig { blocks }
    }

    /// Reads `~/.ssh/config` with its `Include`s; a missing or unreadable file is an empty
    /// configuration.
    pub fn load_default() -> SshConfig {
        match home_dir() {
            Some(home) => SshConfig::parse(&read_with_includes(
                &home.join(".ssh/config"),
                &home.join(".ssh"),
                0,
            )),
            None => SshConfig::default(),
        }
    }

    /// The settings for `alias`; `remote_user` is used to expand `%r` in identity files.
    pub fn lookup(&self, alias: &str, remote_user: Option<&str>) -> HostConfig {
        let mut out = HostConfig::default();
        let mut identity_raw = Vec::new();
        for block in &self.blocks {
            let Some(patterns) = &block.patterns else {
                continue;
            };
            if !host_matches(patterns, alias) {
                continue;
            }
            for (key, value) in &block.entries {
                match key.as_str() {
                    "hostname" if out.hostname.is_none() => out.hostname = Some(value.clone()),
                    "user" if out.user.is_none() => out.user = Some(value.clone()),
                    "port" if out.port.is_none() => out.port = value.parse().ok(),
                    "identityfile" => identity_raw.push(value.clone()),
                    _ => {}
                }
            }
        }
        let host = out.hostname.clone().unwrap_or_else(|| alias.to_string());
        let host = host.replace("%h", alias);
        let user = remote_user
            .map(str::to_string)
            .or_else(|| out.user.clone())
            .unwrap_or_else(local_user);
        out.identity_files = identity_raw
            .iter()
            .map(|raw| expand_path(raw, &host, &user))
            .collect();
        out.hostname = Some(host);
        out
    }
}

/// A configuration file's text with each `Include` line replaced by the files it names (paths
/// relative to `~/.ssh`, `~` expanded, `*` and `?` in the file name), at most 8 levels deep.
fn read_with_includes(path: &Path, ssh_dir: &Path, depth: usize) -> String {
    let Ok(text) = std::fs::read_to_string(path) else {
        return String::new();
    };
    let mut out = String::new();
    for line in text.lines() {
        let (key, value) = split_key_value(line.trim());
        if !key.eq_ignore_ascii_case("include") || depth >= 8 {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        for word in words(&value) {
            let pattern = expand_tilde(&word);
            let pattern = if pattern.is_absolute() {
                pattern
            } else {
                ssh_dir.join(pattern)
            };
            for file in matching_files(&pattern) {
                out.push_str(&read_with_includes(&file, ssh_dir, depth + 1));
                out.push('\n');
            }
        }
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

fn words(value: &str) -> Vec<String> {
    value.split_whitespace().map(unquote).collect()
}

fn unquote(value: &str) -> String {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
        .to_string()
}

/// OpenSSH's rule: a host matches when some pattern matches and no negated pattern does.
fn host_matches(patterns: &[String], host: &str) -> bool {
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
pub fn glob(pattern: &str, text: &str) -> bool {
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

/// Expands `~` and the `%d`, `%h`, `%r`, `%u`, `%%` tokens of an IdentityFile path.
fn expand_path(raw: &str, host: &str, user: &str) -> PathBuf {
    let home = home_dir().unwrap_or_else(|| PathBuf::from("/"));
    let home_text = home.display().to_string();
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' {
            match chars.next() {
                Some('d') => out.push_str(&home_text),
                Some('h') => out.push_str(host),
                Some('r') => out.push_str(user),
                Some('u') => out.push_str(&local_user()),
                Some('%') => out.push('%'),
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            }
        } else {
            out.push(c);
        }
    }
    expand_tilde(&out)
}

/// `~` or `~/...` expanded against `$HOME`.
pub fn expand_tilde(path: &str) -> PathBuf {
    match (path.strip_prefix('~'), home_dir()) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(path),
    }
}

/// `$HOME`.
pub fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// The local user name (`$USER`, else `$LOGNAME`, else `root`).
pub fn local_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "root".into())
}

/// The default identity files OpenSSH tries, those that exist.
pub fn default_identity_files() -> Vec<PathBuf> {
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
mod tests {
    use super::*;

    const CONFIG: &str = "\
# comment
Host dhcp1 dhcp1.lab
    HostName 192.0.2.10
    Port 2201
    User admin
    IdentityFile ~/.ssh/dhcp_%h

Host *.lab !bad.lab
    User labuser
    Port=2202

Match host other
    User nobody

Host *
    User fallback
    IdentityFile /keys/all
";

    #[test]
    fn first_value_wins_and_wildcards_apply() {
        let config = SshConfig::parse(CONFIG);
        let h = config.lookup("dhcp1", None);
        assert_eq!(h.hostname.as_deref(), Some("192.0.2.10"));
        assert_eq!(h.port, Some(2201));
        assert_eq!(h.user.as_deref(), Some("admin"));
        assert_eq!(h.identity_files.len(), 2);
        assert!(h.identity_files[0].ends_with(".ssh/dhcp_192.0.2.10"));
        assert_eq!(h.identity_files[1], PathBuf::from("/keys/all"));

        let h = config.lookup("dhcp2.lab", None);
        assert_eq!(h.hostname.as_deref(), Some("dhcp2.lab"));
        assert_eq!((h.port, h.user.as_deref()), (Some(2202), Some("labuser")));

        let h = config.lookup("bad.lab", None);
        assert_eq!((h.port, h.user.as_deref()), (None, Some("fallback")));
        assert_eq!(
            config.lookup("other", None).user.as_deref(),
            Some("fallback")
        );
    }

    #[test]
    fn glob_matches_like_openssh() {
        assert!(glob("*", "anything"));
        assert!(glob("dhcp?", "DHCP1"));
        assert!(glob("10.0.*.1", "10.0.7.1"));
        assert!(!glob("10.0.*.1", "10.0.7.2"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
    }

    #[test]
    fn includes_are_read_in_place() {
        let dir = std::env::temp_dir().join(format!("dhcpfo-sshcfg-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("conf.d")).unwrap();
        std::fs::write(dir.join("conf.d/a.conf"), "Host dhcp1\n  Port 2201\n").unwrap();
        std::fs::write(
            dir.join("conf.d/b.conf"),
            "Host dhcp1\n  Port 9999\n  User ops\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("config"),
            "Include conf.d/*.conf\nInclude missing\nHost *\n  User all\n",
        )
        .unwrap();
        let config = SshConfig::parse(&read_with_includes(&dir.join("config"), &dir, 0));
        let h = config.lookup("dhcp1", None);
        assert_eq!((h.port, h.user.as_deref()), (Some(2201), Some("ops")));
        // A file that includes itself stops at the depth limit.
        std::fs::write(dir.join("loop"), "Include loop\nHost x\n  Port 1\n").unwrap();
        let text = read_with_includes(&dir.join("loop"), &dir, 0);
        assert_eq!(text.matches("Port 1").count(), 9);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "Host",
            "=",
            "Port",
            "Host \"",
            "IdentityFile %",
            "\u{0}\u{ffff}",
        ] {
            let _ = SshConfig::parse(text).lookup("x", None);
        }
    }
}
