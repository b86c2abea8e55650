//! Which host key types known_hosts records for a host, so the SSH handshake asks the server
//! for a key of a type that can be checked (as OpenSSH does). Without this, libssh2 might
//! negotiate an ECDSA key for a host known by its Ed25519 key and find it "not known".

use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::keys::unbase64;
use super::ssh_config::glob;

/// The key types recorded for `host` on `port`, in file order, without repeats. Plain and
/// hashed (`|1|salt|hash`) names are understood; `@cert-authority` and `@revoked` lines are
/// skipped.
pub fn key_types(text: &str, host: &str, port: u16) -> Vec<String> {
    let name = if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    };
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('@') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let (Some(names), Some(kind)) = (fields.next(), fields.next()) else {
            continue;
        };
        if names_match(names, &name) && !out.iter().any(|k| k == kind) {
            out.push(kind.to_string());
        }
    }
    out
}

/// libssh2's host key algorithm preference for recorded key types.
pub fn algorithms(types: &[String]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for kind in types {
        match kind.as_str() {
            "ssh-rsa" => out.extend(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]),
            "ssh-ed25519"
            | "ecdsa-sha2-nistp256"
            | "ecdsa-sha2-nistp384"
            | "ecdsa-sha2-nistp521"
            | "ssh-dss" => out.push(kind.as_str()),
            _ => {}
        }
    }
    out.join(",")
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
mod tests {
    use super::*;

    #[test]
    fn plain_and_wildcard_names() {
        let text = "# comment\ndhcp1,10.0.0.1 ssh-ed25519 AAAA\n[dhcp2]:2222 ecdsa-sha2-nistp256 AAAA\n*.lab ssh-rsa AAAA\n@revoked dhcp1 ssh-rsa AAAA\ndhcp1 ssh-ed25519 BBBB\n";
        assert_eq!(key_types(text, "dhcp1", 22), ["ssh-ed25519"]);
        assert_eq!(key_types(text, "10.0.0.1", 22), ["ssh-ed25519"]);
        assert_eq!(key_types(text, "dhcp2", 2222), ["ecdsa-sha2-nistp256"]);
        assert!(key_types(text, "dhcp2", 22).is_empty());
        assert_eq!(key_types(text, "a.lab", 22), ["ssh-rsa"]);
        assert_eq!(
            algorithms(&key_types(text, "a.lab", 22)),
            "rsa-sha2-512,rsa-sha2-256,ssh-rsa"
        );
    }

    #[test]
    fn hashed_names() {
        // `ssh-keygen -H` of "[127.0.0.1]:2222 ssh-ed25519 AAAA".
        let text =
            "|1|KpEzd5ThAVEe/m9Fu0GXHxS/6Xk=|6gOHOANDBqg1qGA4bC1FIL9VajA= ssh-ed25519 AAAA\n";
        assert_eq!(key_types(text, "127.0.0.1", 2222), ["ssh-ed25519"]);
        assert!(key_types(text, "127.0.0.1", 2223).is_empty());
        assert!(key_types(text, "127.0.0.2", 2222).is_empty());
        for junk in ["|1|", "|1|!!|!!", "|1|a|b ssh-rsa", "x"] {
            assert!(key_types(junk, "h", 22).is_empty());
        }
    }
}
