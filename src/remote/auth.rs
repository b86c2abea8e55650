//! Public-key authentication: the ssh-agent, then key files. A key file that others may read
//! is refused as OpenSSH refuses it (`sshkey_perm_ok`). An encrypted key's passphrase is asked
//! on the terminal, kept in memory that is wiped when dropped, shared by the connections made
//! at the same time (both peers: asked once), and forgotten when the last of them has
//! authenticated.

use std::ffi::CString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ssh2::Session;
use zeroize::Zeroizing;

use super::{RemoteError, Target, keys};

/// Passphrases asked during the connections in progress.
struct Passphrases {
    /// Connections between [`AuthWindow::open`] and its drop.
    open: usize,
    by_key: Vec<(PathBuf, Zeroizing<String>)>,
}

static PASSPHRASES: Mutex<Passphrases> = Mutex::new(Passphrases {
    open: 0,
    by_key: Vec::new(),
});

/// Held while a passphrase is asked, so the other peer's thread waits for the answer (and
/// the cache stays free for connections that start meanwhile).
static PROMPT: Mutex<()> = Mutex::new(());

/// Keeps the passphrases asked for while it lives; the last one dropped wipes them.
pub(super) struct AuthWindow(());

impl AuthWindow {
    /// Opens a window for one connection attempt.
    pub(super) fn open() -> AuthWindow {
        lock().open += 1;
        AuthWindow(())
    }
}

impl Drop for AuthWindow {
    fn drop(&mut self) {
        let mut cache = lock();
        cache.open = cache.open.saturating_sub(1);
        if cache.open == 0 {
            // Zeroizing wipes each passphrase as it is dropped.
            cache.by_key.clear();
        }
    }
}

fn lock() -> std::sync::MutexGuard<'static, Passphrases> {
    PASSPHRASES.lock().unwrap_or_else(|p| p.into_inner())
}

/// Authenticates `target.user` on a session whose host key was checked.
pub(super) fn authenticate(session: &Session, target: &Target) -> Result<(), RemoteError> {
    let user = target.user.as_str();
    let mut tried = Vec::new();
    let mut refused_key = None;
    if let Some(key) = &target.identity_file {
        // A key named in the model is used alone: a refused one is the answer.
        check_permissions(key)?;
        try_key(session, user, key, &mut tried);
    } else {
        if std::env::var_os("SSH_AUTH_SOCK").is_some() {
            try_agent(session, user, &mut tried);
        }
        for key in &target.fallback_identities {
            if session.authenticated() {
                break;
            }
            if let Err(e) = check_permissions(key) {
                super::text::stderr_line(&format!("{}: {e}", target.peer()));
                tried.push(format!("{} (permissions too open: ignored)", key.display()));
                refused_key.get_or_insert(e);
                continue;
            }
            try_key(session, user, key, &mut tried);
        }
    }
    if session.authenticated() {
        return Ok(());
    }
    if let Some(e) = refused_key {
        return Err(e);
    }
    if tried.is_empty() {
        tried.push("no ssh-agent and no key file".into());
    }
    Err(RemoteError::Auth {
        peer: target.peer().into(),
        host: target.addr(),
        user: user.into(),
        tried: tried.join(", "),
    })
}

/// OpenSSH's rule: a key file owned by this user must not be readable or writable by group
/// or others. (A key owned by someone else is not judged, as in OpenSSH.)
pub(super) fn check_permissions(key: &Path) -> Result<(), RemoteError> {
    let Ok(meta) = std::fs::metadata(key) else {
        // A missing file is reported when it is tried.
        return Ok(());
    };
    // SAFETY: getuid cannot fail and touches no memory.
    let uid = unsafe { libc::getuid() };
    if meta.uid() == uid && meta.mode() & 0o077 != 0 {
        return Err(RemoteError::KeyPermissions {
            path: key.to_path_buf(),
            mode: meta.mode() & 0o777,
        });
    }
    Ok(())
}

fn try_agent(session: &Session, user: &str, tried: &mut Vec<String>) {
    let Ok(mut agent) = session.agent() else {
        tried.push("ssh-agent (unusable)".into());
        return;
    };
    if agent.connect().is_err() || agent.list_identities().is_err() {
        tried.push("ssh-agent (cannot connect)".into());
        return;
    }
    let identities = agent.identities().unwrap_or_default();
    for identity in &identities {
        if agent.userauth(user, identity).is_ok() {
            return;
        }
    }
    tried.push(format!("ssh-agent ({} keys)", identities.len()));
    let _ = agent.disconnect();
}

fn try_key(session: &Session, user: &str, key: &Path, tried: &mut Vec<String>) {
    let text = match std::fs::read(key) {
        Ok(bytes) => Zeroizing::new(bytes),
        Err(e) => {
            tried.push(format!("{} ({e})", key.display()));
            return;
        }
    };
    let passphrase = if keys::is_encrypted(&String::from_utf8_lossy(&text)) {
        match passphrase_for(key) {
            Some(p) => Some(p),
            None => {
                tried.push(format!(
                    "{} (encrypted, and no terminal to ask for its passphrase: add it to ssh-agent)",
                    key.display()
                ));
                return;
            }
        }
    } else {
        None
    };
    if let Err(message) = pubkey_file(session, user, key, passphrase.as_ref().map(|p| p.as_str())) {
        tried.push(format!("{} ({message})", key.display()));
    }
}

/// `libssh2_userauth_publickey_fromfile_ex` with the passphrase copied only into memory that
/// is wiped afterwards (ssh2's wrapper leaves its own copy behind).
fn pubkey_file(
    session: &Session,
    user: &str,
    key: &Path,
    passphrase: Option<&str>,
) -> Result<(), String> {
    use std::os::unix::ffi::OsStrExt;
    let path = CString::new(key.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
    let passphrase: Option<Zeroizing<Vec<u8>>> = passphrase.map(|p| {
        let mut bytes = Zeroizing::new(Vec::with_capacity(p.len() + 1));
        bytes.extend_from_slice(p.as_bytes());
        bytes.push(0);
        bytes
    });
    if passphrase
        .as_ref()
        .is_some_and(|p| p[..p.len() - 1].contains(&0))
    {
        return Err("the passphrase holds a NUL byte".into());
    }
    let Ok(user_len) = libc::c_uint::try_from(user.len()) else {
        return Err("user name too long".into());
    };
    let rc = {
        let mut raw = session.raw();
        // SAFETY: every pointer is valid and NUL-terminated for the duration of the call
        // (the user name is passed with its length); the session is locked by `raw`.
        unsafe {
            libssh2_sys::libssh2_userauth_publickey_fromfile_ex(
                &mut *raw,
                user.as_ptr().cast(),
                user_len,
                std::ptr::null(),
                path.as_ptr(),
                passphrase
                    .as_ref()
                    .map_or(std::ptr::null(), |p| p.as_ptr().cast()),
            )
        }
    };
    if rc == 0 {
        return Ok(());
    }
    Err(ssh2::Error::last_session_error(session)
        .map(|e| e.message().to_string())
        .unwrap_or_else(|| format!("libssh2 error {rc}")))
}

/// The passphrase of a key: asked on the terminal once while connections are being made.
fn passphrase_for(key: &Path) -> Option<Zeroizing<String>> {
    let _prompt = PROMPT.lock().unwrap_or_else(|p| p.into_inner());
    let cached = |key: &Path| {
        lock()
            .by_key
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, p)| p.clone())
    };
    if let Some(p) = cached(key) {
        return Some(p);
    }
    let p = Zeroizing::new(
        rpassword::prompt_password(format!("Passphrase for {}: ", key.display())).ok()?,
    );
    lock().by_key.push((key.to_path_buf(), p.clone()));
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_or_world_access_is_refused_like_openssh() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("id");
        std::fs::write(&key, "k").unwrap();
        for (mode, ok) in [
            (0o600, true),
            (0o400, true),
            (0o640, false),
            (0o604, false),
            (0o644, false),
        ] {
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
            let result = check_permissions(&key);
            assert_eq!(result.is_ok(), ok, "{mode:o}");
            if let Err(e) = result {
                let text = e.to_string();
                assert!(text.contains(&format!("permissions 0{mode:o}")), "{text}");
                assert!(text.contains("are too open"), "{text}");
            }
        }
        assert!(check_permissions(&dir.path().join("missing")).is_ok());
    }

    #[test]
    fn passphrases_live_while_a_connection_is_being_made() {
        let key = PathBuf::from("/nonexistent/dhcpfo-test-key");
        let first = AuthWindow::open();
        lock()
            .by_key
            .push((key.clone(), Zeroizing::new("secret".into())));
        let second = AuthWindow::open();
        drop(first);
        assert!(
            lock().by_key.iter().any(|(k, _)| *k == key),
            "still in use by the second"
        );
        drop(second);
        assert!(
            !lock().by_key.iter().any(|(k, _)| *k == key),
            "forgotten by the last one"
        );
    }
}
