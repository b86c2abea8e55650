//! OpenSSH's `%` tokens and `${VAR}` references in `~/.ssh/config` values (`IdentityFile`,
//! `UserKnownHostsFile`, `ProxyCommand`...), expanded as `ssh` expands them (ssh_config(5),
//! "TOKENS"). An unknown token is an error, as it is for `ssh`.

use std::path::PathBuf;

use sha1::{Digest, Sha1};

use super::ssh_config::{home_dir, local_user};

/// What the tokens stand for, for one connection.
#[derive(Debug, Clone)]
pub(super) struct Tokens<'a> {
    /// `%n`: the host name as given (the model's `ssh.host`, or a jump host as written).
    pub original_host: &'a str,
    /// `%h`: the host dialled (after `HostName`).
    pub host: &'a str,
    /// `%p`: the port.
    pub port: u16,
    /// `%r`: the remote user.
    pub remote_user: &'a str,
    /// `%k`: `HostKeyAlias`, else the host name as given.
    pub host_key_alias: Option<&'a str>,
    /// `%j`: the `ProxyJump` value, else empty.
    pub proxy_jump: &'a str,
}

impl Tokens<'_> {
    /// Expands the `%` tokens of `raw` (and `${VAR}` environment references when `env`).
    pub(super) fn expand(&self, raw: &str, env: bool) -> Result<String, String> {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '%' => {
                    let Some(token) = chars.next() else {
                        return Err(format!("`{raw}`: a lone `%` at the end"));
                    };
                    out.push_str(&self.token(token).ok_or_else(|| {
                        format!("`{raw}`: unknown token `%{token}` (ssh_config(5) lists them)")
                    })?);
                }
                '$' if env && chars.peek() == Some(&'{') => {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    let value = std::env::var(&name).map_err(|_| {
                        format!("`{raw}`: environment variable `{name}` is not set")
                    })?;
                    out.push_str(&value);
                }
                c => out.push(c),
            }
        }
        Ok(out)
    }

    /// Expands tokens and environment references, then a leading `~`.
    pub(super) fn expand_path(&self, raw: &str) -> Result<PathBuf, String> {
        Ok(expand_tilde(&self.expand(raw, true)?))
    }

    fn token(&self, token: char) -> Option<String> {
        Some(match token {
            '%' => "%".into(),
            'C' => self.connection_hash(),
            'd' => home_dir()?.display().to_string(),
            'h' => self.host.into(),
            'i' => uid().to_string(),
            'j' => self.proxy_jump.into(),
            'k' => self.host_key_alias.unwrap_or(self.original_host).into(),
            'L' => local_hostname()
                .split('.')
                .next()
                .unwrap_or_default()
                .into(),
            'l' => local_hostname(),
            'n' => self.original_host.into(),
            'p' => self.port.to_string(),
            'r' => self.remote_user.into(),
            'u' => local_user(),
            _ => return None,
        })
    }

    /// `%C`: SHA-1 of `%l%h%p%r%j`, in hex.
    fn connection_hash(&self) -> String {
        let mut hasher = Sha1::new();
        hasher.update(local_hostname().as_bytes());
        hasher.update(self.host.as_bytes());
        hasher.update(self.port.to_string().as_bytes());
        hasher.update(self.remote_user.as_bytes());
        hasher.update(self.proxy_jump.as_bytes());
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// `~` or `~/...` expanded against `$HOME`.
pub(super) fn expand_tilde(path: &str) -> PathBuf {
    match (path.strip_prefix('~'), home_dir()) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(path),
    }
}

fn uid() -> u32 {
    // SAFETY: getuid cannot fail and touches no memory.
    unsafe { libc::getuid() }
}

/// This machine's host name (`gethostname`), empty when it cannot be read.
fn local_hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its whole length, which is passed.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return String::new();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens<'static> {
        Tokens {
            original_host: "dhcp1",
            host: "192.0.2.10",
            port: 2201,
            remote_user: "admin",
            host_key_alias: None,
            proxy_jump: "",
        }
    }

    #[test]
    fn tokens_expand_as_ssh_does() {
        let t = tokens();
        assert_eq!(
            t.expand("%n %h %p %r %k %%h", false).unwrap(),
            "dhcp1 192.0.2.10 2201 admin dhcp1 %h"
        );
        let aliased = Tokens {
            host_key_alias: Some("pinned"),
            ..tokens()
        };
        assert_eq!(aliased.expand("%k", false).unwrap(), "pinned");
        assert_eq!(t.expand("%C", false).unwrap().len(), 40);
        assert_eq!(t.expand("%u", false).unwrap(), local_user());
        assert!(
            t.expand("%z", false)
                .unwrap_err()
                .contains("unknown token `%z`")
        );
        assert!(t.expand("50%", false).is_err());
        // SAFETY of the test: no other test reads this variable.
        unsafe { std::env::set_var("DHCPFO_TOKEN_TEST", "v") };
        assert_eq!(t.expand("a${DHCPFO_TOKEN_TEST}b", true).unwrap(), "avb");
        assert_eq!(
            t.expand("${DHCPFO_TOKEN_TEST}", false).unwrap(),
            "${DHCPFO_TOKEN_TEST}"
        );
        assert!(t.expand("${DHCPFO_UNSET_FOR_SURE}", true).is_err());
    }

    #[test]
    fn paths_get_home_and_tilde() {
        let t = tokens();
        let home = home_dir().unwrap_or_default();
        assert_eq!(t.expand_path("%d/x").unwrap(), home.join("x"));
        if home_dir().is_some() {
            assert_eq!(
                t.expand_path("~/.ssh/kh_%h").unwrap(),
                home.join(".ssh/kh_192.0.2.10")
            );
        }
    }
}
