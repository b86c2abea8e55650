//! The host key check, as `ssh` makes it (OpenSSH's `check_host_key`): the key the server
//! offered against every user and global known_hosts file, `@revoked` first, then
//! `StrictHostKeyChecking` decides what an unknown key means. A key is written to known_hosts
//! only after the files were read and the check found no entry for the host at all.

use std::sync::Mutex;

use ssh2::{HostKeyType, Session};

use super::known_hosts::{self, HostStatus, KnownHosts};
use super::ssh_config::Strictness;
use super::{RemoteError, Target, keys};

/// Serialises appends to known_hosts between the peers' threads.
static KNOWN_HOSTS_WRITE: Mutex<()> = Mutex::new(());

/// The policy in force: the command line's, else the configuration's, else `yes`. A
/// configuration that says `no` is refused unless the command line says `no` too.
pub(super) fn strictness(
    target: &Target,
    cli: Option<Strictness>,
) -> Result<Strictness, RemoteError> {
    match (cli, target.strict_host_key_checking) {
        (Some(cli), _) => Ok(cli),
        (None, Some(Strictness::No)) => Err(RemoteError::StrictNoRefused {
            peer: target.peer().into(),
            host: target.alias.clone(),
        }),
        (None, Some(config)) => Ok(config),
        (None, None) => Ok(Strictness::Yes),
    }
}

/// Reads every known_hosts file of the target; an unreadable one is an error.
pub(super) fn load(target: &Target) -> Result<KnownHosts, RemoteError> {
    let files: Vec<_> = target
        .known_hosts
        .iter()
        .chain(&target.global_known_hosts)
        .cloned()
        .collect();
    KnownHosts::load(&files).map_err(|(path, e)| RemoteError::LocalFile {
        path,
        message: format!("cannot read this known_hosts file: {e}"),
    })
}

/// Checks the key the server offered on `session` (after the handshake).
pub(super) fn verify(
    session: &Session,
    target: &Target,
    known: &KnownHosts,
    policy: Strictness,
) -> Result<(), RemoteError> {
    let peer = target.peer();
    let name = target.known_hosts_name();
    let (blob, kind) = session
        .host_key()
        .ok_or_else(|| RemoteError::ssh(peer, "host key", "the server sent no host key"))?;
    let fingerprint = keys::fingerprint(blob);
    let kind = key_type_name(kind).ok_or_else(|| {
        RemoteError::ssh(
            peer,
            "host key",
            format!("the server offered a key of a type dhcpfo cannot check ({fingerprint})"),
        )
    })?;
    let status = known.check(&name, blob);
    match status {
        HostStatus::Changed(entry) if policy == Strictness::No => {
            super::text::stderr_line(&format!(
                "{peer}: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for {name}: {fingerprint} is not the key at {}; connecting anyway because of --strict-host-key-checking no",
                entry.place()
            ));
            Ok(())
        }
        HostStatus::New => {
            if let Some(entry) = known.cert_authority(&name).map(|ca| ca.place())
                && policy != Strictness::No
            {
                return Err(RemoteError::CertAuthorityOnly {
                    peer: peer.into(),
                    host: name.clone(),
                    fingerprint,
                    entry,
                });
            }
            if policy == Strictness::Yes {
                return verdict(target, &name, &fingerprint, status);
            }
            add(target, &name, kind, blob, &fingerprint)
        }
        status => verdict(target, &name, &fingerprint, status),
    }
}

/// The verdict for a key known_hosts does not simply accept: `Ok` only when it is known.
fn verdict(
    target: &Target,
    name: &str,
    fingerprint: &str,
    status: HostStatus<'_>,
) -> Result<(), RemoteError> {
    let (peer, host, fingerprint) = (target.peer().into(), name.into(), fingerprint.into());
    Err(match status {
        HostStatus::Known => return Ok(()),
        HostStatus::Revoked(entry) => RemoteError::RevokedHostKey {
            peer,
            host,
            fingerprint,
            entry: entry.place(),
        },
        HostStatus::Changed(entry) => RemoteError::ChangedHostKey {
            peer,
            host,
            fingerprint,
            known_hosts: entry.file.clone(),
            line: entry.line,
        },
        HostStatus::New => RemoteError::UnknownHostKey {
            peer,
            host,
            fingerprint,
            known_hosts: target
                .known_hosts
                .first()
                .cloned()
                .unwrap_or_else(|| "(UserKnownHostsFile none)".into()),
        },
    })
}

/// Appends the key to the first user known_hosts file, after checking again under the lock
/// that nothing was recorded for the host meanwhile.
fn add(
    target: &Target,
    name: &str,
    kind: &str,
    blob: &[u8],
    fingerprint: &str,
) -> Result<(), RemoteError> {
    let peer = target.peer();
    let Some(path) = target.known_hosts.first() else {
        return Err(RemoteError::LocalFile {
            path: "UserKnownHostsFile".into(),
            message: format!(
                "is `none`: {name}'s new key ({fingerprint}) cannot be added; refusing to connect"
            ),
        });
    };
    let _guard = KNOWN_HOSTS_WRITE.lock().unwrap_or_else(|p| p.into_inner());
    // Another thread (or program) may have written meanwhile: check again.
    match load(target)?.check(name, blob) {
        HostStatus::New => {}
        status => return verdict(target, name, fingerprint, status),
    }
    let line =
        known_hosts::entry_line(name, kind, blob, target.hash_known_hosts).map_err(|message| {
            RemoteError::LocalFile {
                path: path.clone(),
                message,
            }
        })?;
    known_hosts::append(path, &line).map_err(|e| RemoteError::LocalFile {
        path: path.clone(),
        message: format!("cannot add the host key: {e}"),
    })?;
    super::text::stderr_line(&format!(
        "{peer}: added {name} ({kind} {fingerprint}) to {}",
        path.display()
    ));
    Ok(())
}

fn key_type_name(kind: HostKeyType) -> Option<&'static str> {
    Some(match kind {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        HostKeyType::Unknown => return None,
    })
}
