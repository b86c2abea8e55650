//! What the runtime errors print, against a snapshot: every variant of every error type that
//! takes its code from [`super::runtime`] (`LoadError::Invalid` carries the model's own
//! findings and no code of its own; `dhcpfo failover`'s socket errors are tested beside them,
//! in `cli/failover.rs`), in the plain form `diff`, `deploy` and `status` print.

use std::path::PathBuf;

use miette::Diagnostic;

use crate::leases::FailoverState;
use crate::remote::RemoteError;
use crate::serve::failover::wire::{EncodeError, MessageType, OptionCode, OverflowAt, WireError};

/// The error in the plain form (`error[DF501]: message`, its causes, and the help line), as
/// the remote commands print it.
pub(crate) fn printed(error: &dyn Diagnostic) -> String {
    crate::diag::JsonFinding::from_miette(error).render_plain()
}

/// Asserts that `error` prints a code of the catalogue with a help line, and that
/// `catalogued_diagnostic!` passed on the catalogue's severity with it.
pub(crate) fn assert_catalogued(error: &dyn Diagnostic) {
    let code = error.code().map(|c| c.to_string()).expect("a code");
    let entry = super::find(&code).unwrap_or_else(|| panic!("{code} is not in the catalogue"));
    let severity = miette::Severity::from(entry.severity);
    assert_eq!(error.severity(), Some(severity), "{code}");
    assert!(error.help().is_some(), "{code} has a help line");
}

fn io() -> std::io::Error {
    std::io::Error::from(std::io::ErrorKind::PermissionDenied)
}

fn s(text: &str) -> String {
    text.to_string()
}

fn remote_errors() -> Vec<RemoteError> {
    let known_hosts = PathBuf::from("/root/.ssh/known_hosts");
    vec![
        RemoteError::Connect {
            peer: s("primary"),
            addr: s("192.0.2.1:22"),
            message: s("connection refused"),
        },
        RemoteError::UnknownHostKey {
            peer: s("primary"),
            host: s("192.0.2.1"),
            fingerprint: s("SHA256:abc"),
            known_hosts: known_hosts.clone(),
        },
        RemoteError::ChangedHostKey {
            peer: s("primary"),
            host: s("192.0.2.1"),
            fingerprint: s("SHA256:abc"),
            known_hosts,
            line: 3,
        },
        RemoteError::RevokedHostKey {
            peer: s("primary"),
            host: s("192.0.2.1"),
            fingerprint: s("SHA256:abc"),
            entry: s("@revoked line 2"),
        },
        RemoteError::CertAuthorityOnly {
            peer: s("primary"),
            host: s("192.0.2.1"),
            fingerprint: s("SHA256:abc"),
            entry: s("@cert-authority line 4"),
        },
        RemoteError::StrictNoRefused {
            peer: s("primary"),
            host: s("192.0.2.1"),
        },
        RemoteError::SshConfig {
            peer: s("primary"),
            message: s("~/.ssh/config line 2: unknown option"),
        },
        RemoteError::KeyPermissions {
            path: PathBuf::from("/root/.ssh/id_ed25519"),
            mode: 0o644,
        },
        RemoteError::Proxy {
            peer: s("primary"),
            host: s("192.0.2.1:22"),
            via: s("jump"),
            message: s("channel refused"),
        },
        RemoteError::Auth {
            peer: s("primary"),
            host: s("192.0.2.1"),
            user: s("root"),
            tried: s("agent, ~/.ssh/id_ed25519"),
        },
        RemoteError::ssh("primary", "reading dhcpd.conf", "timed out"),
        RemoteError::Command {
            peer: s("primary"),
            action: s("validation"),
            command: s("dhcpd -t -cf /tmp/x"),
            status: 1,
            detail: s("line 3: semicolon expected"),
        },
        RemoteError::Locked {
            peer: s("secondary"),
            dir: s("/etc/dhcp/.dhcpfo.lock"),
            owner: s("admin@host, pid 42"),
            hint: s("wait for it to finish"),
        },
        RemoteError::ClockSkew { skew: 75.5 },
        RemoteError::LocalFile {
            path: PathBuf::from("/root/.ssh/known_hosts"),
            message: s("permission denied"),
        },
        RemoteError::Deadline {
            peer: s("primary"),
            action: s("restart"),
            command: s("systemctl restart isc-dhcp-server"),
            seconds: 630,
        },
        RemoteError::TooLarge {
            peer: s("primary"),
            what: s("dhcpd.leases"),
            limit: s("64 MiB"),
        },
        RemoteError::UnsafePath {
            peer: s("primary"),
            path: s("/etc/dhcp"),
            reason: s("writable by others"),
            fix: s("chmod o-w /etc/dhcp"),
        },
        RemoteError::LockFailed {
            peer: s("primary"),
            dir: s("/etc/dhcp/.dhcpfo.lock"),
            detail: s("read-only file system"),
            hint: s("remount the folder read-write"),
        },
        RemoteError::Interrupted {
            signal: s("SIGINT"),
        },
        RemoteError::Unfinished {
            peer: s("primary"),
            detail: s("the backup is missing"),
            fix: s("restore dhcpd.conf by hand"),
        },
    ]
}

fn other_errors() -> Vec<Box<dyn Diagnostic>> {
    vec![
        Box::new(crate::model::LoadError::Io {
            path: s("pair.yaml"),
            error: io(),
        }),
        Box::new(crate::render::RenderError::Template {
            name: s("primary.conf.j2"),
            message: s("undefined value (line 3)"),
        }),
        Box::new(crate::render::RenderError::RelativeSharedPath(s(
            "dhcpd.shared.conf",
        ))),
        Box::new(crate::serve::journal::JournalError::Io {
            path: s("/var/lib/dhcpfo/leases"),
            error: io(),
        }),
        Box::new(crate::serve::journal::JournalError::Parse {
            path: s("/var/lib/dhcpfo/leases"),
            line: 7,
            message: s("`{` expected"),
        }),
        Box::new(crate::serve::server::ServeError::Bind {
            iface: s("eth1"),
            port: 67,
            error: io(),
        }),
        Box::new(crate::serve::server::ServeError::Runtime(io())),
        Box::new(WireError::Length { len: 4000 }),
        Box::new(WireError::Short { actual: 1 }),
        Box::new(WireError::Size {
            declared: 40,
            actual: 30,
        }),
        Box::new(WireError::PayloadOffset { offset: 8, len: 40 }),
        Box::new(WireError::InvalidType { code: 200 }),
        Box::new(WireError::Overflow {
            at: OverflowAt::Data,
        }),
        Box::new(WireError::Duplicate {
            option: OptionCode::AssignedIp,
        }),
        Box::new(WireError::OptionSize {
            option: OptionCode::AssignedIp,
            got: 3,
            expected: 4,
        }),
        Box::new(WireError::UnknownType { code: 99 }),
        Box::new(EncodeError::TooLong {
            kind: MessageType::BndUpd,
            len: 4000,
        }),
        Box::new(EncodeError::NotCarried {
            kind: MessageType::PoolReq,
            option: OptionCode::AssignedIp,
        }),
        Box::new(crate::serve::failover::state::PartnerDownRefused {
            name: s("dhcp-failover"),
            state: FailoverState::Normal,
            why: "the partner is reachable",
        }),
        Box::new(crate::serve::failover::control::ControlError::InUse(s(
            "/var/lib/dhcpfo/control",
        ))),
        Box::new(crate::serve::failover::control::ControlError::Io {
            path: s("/var/lib/dhcpfo/control"),
            error: io(),
        }),
    ]
}

#[test]
fn every_runtime_error_prints_its_catalogue_code_and_help() {
    let mut out = String::new();
    let remote = remote_errors();
    let others = other_errors();
    let all = remote
        .iter()
        .map(|e| e as &dyn Diagnostic)
        .chain(others.iter().map(|e| e.as_ref()));
    for error in all {
        assert_catalogued(error);
        out.push_str(&printed(error));
    }
    insta::assert_snapshot!(out);
}
