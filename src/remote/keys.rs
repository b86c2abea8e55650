//! Small key-file helpers: base64, OpenSSH fingerprints, whether a private key is encrypted.

use sha2::{Digest, Sha256};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub(super) fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64, ignoring whitespace; `None` on any other stray character.
pub(super) fn unbase64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// OpenSSH's fingerprint of a public key blob: `SHA256:` and unpadded base64.
pub(super) fn fingerprint(key: &[u8]) -> String {
    let digest = Sha256::digest(key);
    format!("SHA256:{}", base64(&digest).trim_end_matches('='))
}

/// Whether a private key file's text says it is protected by a passphrase: a PEM key with
/// `ENCRYPTED` in its header, or an OpenSSH key whose cipher is not `none`.
pub(super) fn is_encrypted(text: &str) -> bool {
    const OPENSSH: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    if let Some(start) = text.find(OPENSSH) {
        let body = &text[start + OPENSSH.len()..];
        let body = body.split("-----END").next().unwrap_or("");
        let Some(bytes) = unbase64(body) else {
            return false;
        };
        // "openssh-key-v1\0", then the cipher name as a length-prefixed string.
        let magic = b"openssh-key-v1\0";
        let Some(rest) = bytes.strip_prefix(magic.as_slice()) else {
            return false;
        };
        let Some(len) = rest.get(..4) else {
            return false;
        };
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        return rest.get(4..4 + len).is_some_and(|cipher| cipher != b"none");
    }
    text.lines().take(4).any(|l| l.contains("ENCRYPTED"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            assert_eq!(unbase64(&base64(s.as_bytes())).unwrap(), s.as_bytes());
        }
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert!(unbase64("Zm9v!").is_none());
    }

    #[test]
    fn encrypted_keys_are_recognised() {
        let key = |cipher: &str| {
            let mut b = b"openssh-key-v1\0".to_vec();
            b.extend((cipher.len() as u32).to_be_bytes());
            b.extend(cipher.as_bytes());
            format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
                base64(&b)
            )
        };
        assert!(is_encrypted(&key("aes256-ctr")));
        assert!(!is_encrypted(&key("none")));
        assert!(is_encrypted(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        ));
        assert!(!is_encrypted("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"));
        assert!(!is_encrypted("garbage"));
    }
}
