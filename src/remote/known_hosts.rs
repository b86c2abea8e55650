//! known_hosts files read and checked as OpenSSH does (sshd(8), "SSH_KNOWN_HOSTS FILE
//! FORMAT"; the checks mirror OpenSSH's `check_hostkeys_by_key_or_type`): plain, wildcard,
//! negated and hashed (`|1|salt|hash`) host names, `@revoked` and `@cert-authority` markers,
//! several files at once. A key is compared with the server's by its whole public key blob.
//!
//! Unlike libssh2's own check, a file that exists but cannot be read is an error, never "not
//! found"; a line that cannot be parsed is skipped, as OpenSSH skips it.

use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::keys::{base64, unbase64};
use super::ssh_config::glob;

/// A line's marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
    /// A plain host key.
    None,
    /// `@cert-authority`: a CA trusted to sign host certificates for these hosts.
    CertAuthority,
    /// `@revoked`: a key that must never be accepted.
    Revoked,
}

/// One usable line of a known_hosts file.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// The file it is in.
    pub file: PathBuf,
    /// Its 1-based line number.
    pub line: usize,
    /// Its marker.
    pub marker: Marker,
    names: String,
    /// The key type (`ssh-ed25519`, ...).
    pub key_type: String,
    /// The public key blob.
    pub blob: Vec<u8>,
}

impl Entry {
    /// `FILE:LINE`, as OpenSSH names an entry.
    pub(super) fn place(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// What known_hosts says about a host and the key it offered.
#[derive(Debug)]
pub(super) enum HostStatus<'a> {
    /// A plain entry for the host holds this key.
    Known,
    /// No entry for the host at all.
    New,
    /// The host is known, with another key (the first such entry).
    Changed(&'a Entry),
    /// The key, or for a certificate its CA, is `@revoked` for the host.
    Revoked(&'a Entry),
}

/// The entries of every known_hosts file read.
#[derive(Debug, Clone, Default)]
pub(super) struct KnownHosts {
    entries: Vec<Entry>,
}

impl KnownHosts {
    /// Reads `files` in order. A missing file is skipped (as `ssh` skips it); one that exists
    /// but cannot be read is an error with its path.
    pub(super) fn load(files: &[PathBuf]) -> Result<KnownHosts, (PathBuf, std::io::Error)> {
        let mut out = KnownHosts::default();
        for file in files {
            match std::fs::read(file) {
                Ok(bytes) => out.add(&String::from_utf8_lossy(&bytes), file),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err((file.clone(), e)),
            }
        }
        Ok(out)
    }

    /// Adds the lines of one file's text.
    pub(super) fn add(&mut self, text: &str, file: &Path) {
        for (n, line) in text.lines().enumerate() {
            if let Some(entry) = parse_line(line, file, n + 1) {
                self.entries.push(entry);
            }
        }
    }

    /// The entries whose host names match `name` (`host`, `[host]:port` or a HostKeyAlias).
    pub(super) fn for_host<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        let name = name.to_ascii_lowercase();
        self.entries
            .iter()
            .filter(move |e| names_match(&e.names, &name))
    }

    /// Checks a plain (non-certificate) key offered by `name`. `@revoked` wins over
    /// everything, then a matching key, then any other key for the host (changed).
    pub(super) fn check<'a>(&'a self, name: &'a str, blob: &[u8]) -> HostStatus<'a> {
        let mut status = HostStatus::New;
        for entry in self.for_host(name) {
            match entry.marker {
                Marker::Revoked if entry.blob == blob => return HostStatus::Revoked(entry),
                Marker::None if entry.blob == blob => status = HostStatus::Known,
                Marker::None if matches!(status, HostStatus::New) => {
                    status = HostStatus::Changed(entry);
                }
                _ => {}
            }
        }
        status
    }

    /// The first `@cert-authority` entry for `name`, if any.
    pub(super) fn cert_authority<'a>(&'a self, name: &'a str) -> Option<&'a Entry> {
        self.for_host(name)
            .find(|e| e.marker == Marker::CertAuthority)
    }

    /// The plain key types recorded for `name`, in file order, without repeats.
    pub(super) fn key_types(&self, name: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for entry in self.for_host(name) {
            if entry.marker == Marker::None && !out.contains(&entry.key_type) {
                out.push(entry.key_type.clone());
            }
        }
        out
    }
}

/// One line, or `None` for a comment, a blank line or a line OpenSSH would skip too.
fn parse_line(line: &str, file: &Path, number: usize) -> Option<Entry> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split_whitespace();
    let mut first = fields.next()?;
    let marker = match first {
        "@cert-authority" => Marker::CertAuthority,
        "@revoked" => Marker::Revoked,
        m if m.starts_with('@') => return None,
        _ => Marker::None,
    };
    if marker != Marker::None {
        first = fields.next()?;
    }
    let key_type = fields.next()?;
    let blob = unbase64(fields.next()?)?;
    // The blob starts with its own type name; a line whose two disagree is corrupt.
    let inner = blob
        .get(..4)
        .map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize)
        .and_then(|len| blob.get(4..4 + len))?;
    if inner != key_type.as_bytes() {
        return None;
    }
    Some(Entry {
        file: file.to_path_buf(),
        line: number,
        marker,
        names: first.to_string(),
        key_type: key_type.to_string(),
        blob,
    })
}

/// The name a host is recorded under: `host`, `[host]:port` off port 22, or the
/// `HostKeyAlias` as it is (OpenSSH adds no port to an alias).
pub(super) fn lookup_name(host: &str, port: u16, alias: Option<&str>) -> String {
    match alias {
        Some(alias) => alias.to_ascii_lowercase(),
        None if port == 22 => host.to_ascii_lowercase(),
        None => format!("[{}]:{port}", host.to_ascii_lowercase()),
    }
}

/// Host key algorithms to ask the server for, those of `known` types first (so the key
/// offered is one known_hosts can vouch for, as OpenSSH orders them), then the other plain
/// ones. Certificates are never asked for: dhcpfo cannot verify them.
pub(super) fn algorithms(known: &[String]) -> String {
    const PLAIN: [&str; 7] = [
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "rsa-sha2-512",
        "rsa-sha2-256",
        "ssh-rsa",
    ];
    let mut out: Vec<&str> = Vec::new();
    for kind in known {
        let algs: &[&str] = match kind.as_str() {
            "ssh-rsa" => &["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
            other => match PLAIN.iter().find(|p| **p == other) {
                Some(p) => std::slice::from_ref(p),
                None => &[],
            },
        };
        for alg in algs {
            if !out.contains(alg) {
                out.push(alg);
            }
        }
    }
    for alg in PLAIN {
        if !out.contains(&alg) {
            out.push(alg);
        }
    }
    out.join(",")
}

/// The known_hosts line for a new key: `NAME TYPE BASE64`, the name hashed
/// (`|1|salt|hash`) when `hash` (OpenSSH's `HashKnownHosts`).
pub(super) fn entry_line(
    name: &str,
    key_type: &str,
    blob: &[u8],
    hash: bool,
) -> Result<String, String> {
    let name = name.to_ascii_lowercase();
    let name = if hash { hashed_name(&name)? } else { name };
    Ok(format!("{name} {key_type} {}\n", base64(blob)))
}

/// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` with a fresh 20-byte salt.
fn hashed_name(name: &str) -> Result<String, String> {
    let mut salt = [0u8; 20];
    // SAFETY: the buffer is valid for its whole length, which is passed.
    let got = unsafe { libc::getrandom(salt.as_mut_ptr().cast(), salt.len(), 0) };
    if got != salt.len() as isize {
        return Err(format!(
            "no random salt for the hashed name: {}",
            std::io::Error::last_os_error()
        ));
    }
    let mut mac =
        Hmac::<Sha1>::new_from_slice(&salt).map_err(|e| format!("hashing the name: {e}"))?;
    mac.update(name.as_bytes());
    Ok(format!(
        "|1|{}|{}",
        base64(&salt),
        base64(&mac.finalize().into_bytes())
    ))
}

/// Appends a line to a known_hosts file. A file created here is mode 0600 whatever the umask
/// (and its folder 0700), as the file holds what this user trusts.
pub(super) fn append(path: &Path, line: &str) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
        && !dir.exists()
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let (mut file, created) = match std::fs::OpenOptions::new()
        .append(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(file) => (file, true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            (std::fs::OpenOptions::new().append(true).open(path)?, false)
        }
        Err(e) => return Err(e),
    };
    if created {
        // The umask may have taken bits off 0600; put exactly 0600.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    // A file whose last line has no newline would glue the new entry to it.
    let needs_newline = !created
        && std::fs::read(path)
            .map(|b| b.last().is_some_and(|c| *c != b'\n'))
            .unwrap_or(false);
    let text = if needs_newline {
        format!("\n{line}")
    } else {
        line.to_string()
    };
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

fn names_match(field: &str, name: &str) -> bool {
    if let Some(hashed) = field.strip_prefix("|1|") {
        let mut parts = hashed.split('|');
        let (Some(salt), Some(hash)) = (parts.next(), parts.next()) else {
            return false;
        };
        let (Some(salt), Some(hash)) = (unbase64(salt), unbase64(hash)) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&salt) else {
            return false;
        };
        mac.update(name.as_bytes());
        return mac.verify_slice(&hash).is_ok();
    }
    let mut matched = false;
    for pattern in field.split(',') {
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob(negated, name) {
                return false;
            }
        } else if glob(pattern, name) {
            matched = true;
        }
    }
    matched
}

#[cfg(test)]
mod tests;
