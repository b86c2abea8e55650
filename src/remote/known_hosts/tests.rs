use super::*;

/// A public key blob: its type name and some key bytes, length-prefixed as SSH writes them.
fn blob(kind: &str, key: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend((kind.len() as u32).to_be_bytes());
    b.extend(kind.as_bytes());
    b.extend((key.len() as u32).to_be_bytes());
    b.extend(key);
    b
}

fn line(names: &str, kind: &str, key: &[u8]) -> String {
    format!("{names} {kind} {}\n", base64(&blob(kind, key)))
}

fn known(text: &str) -> KnownHosts {
    let mut k = KnownHosts::default();
    k.add(text, Path::new("kh"));
    k
}

const ED: &str = "ssh-ed25519";
const EC: &str = "ecdsa-sha2-nistp256";

#[test]
fn known_new_changed_and_revoked() {
    let text = format!(
        "# comment\n{}{}{}@revoked * {ED} {}\n{}",
        line("dhcp1,10.0.0.1", ED, b"one"),
        line("[dhcp2]:2222", EC, b"two"),
        line("*.lab,!bad.lab", ED, b"lab"),
        base64(&blob(ED, b"stolen")),
        line("dhcp3", ED, b"stolen"),
    );
    let k = known(&text);
    let status = |name: &str, kind: &str, key: &[u8]| match k.check(name, &blob(kind, key)) {
        HostStatus::Known => "known".into(),
        HostStatus::New => "new".into(),
        HostStatus::Changed(e) => format!("changed {}", e.line),
        HostStatus::Revoked(e) => format!("revoked {}", e.line),
    };
    assert_eq!(status("dhcp1", ED, b"one"), "known");
    assert_eq!(status("DHCP1", ED, b"one"), "known");
    assert_eq!(status("10.0.0.1", ED, b"one"), "known");
    assert_eq!(status("dhcp1", ED, b"other"), "changed 2");
    // Another type for a known host is a changed key too, as in OpenSSH.
    assert_eq!(status("dhcp1", EC, b"one"), "changed 2");
    assert_eq!(status("[dhcp2]:2222", EC, b"two"), "known");
    assert_eq!(status("dhcp2", EC, b"two"), "new");
    assert_eq!(status("a.lab", ED, b"lab"), "known");
    assert_eq!(status("bad.lab", ED, b"lab"), "new");
    // A revoked key is refused even where a plain line lists it.
    assert_eq!(status("dhcp3", ED, b"stolen"), "revoked 5");
    assert_eq!(status("anything", ED, b"stolen"), "revoked 5");
    assert_eq!(k.key_types("dhcp1"), [ED]);
    assert!(k.cert_authority("dhcp1").is_none());
}

#[test]
fn markers_and_bad_lines() {
    let text = format!(
        "@cert-authority *.lab {ED} {}\n@bogus x {ED} {}\n{ED}\nh {ED} !!!\nh {EC} {}\n",
        base64(&blob(ED, b"ca")),
        base64(&blob(ED, b"x")),
        base64(&blob(ED, b"type mismatch")),
    );
    let k = known(&text);
    assert_eq!(k.cert_authority("dhcp.lab").map(|e| e.line), Some(1));
    // A CA line does not make a plain key known or changed.
    assert!(matches!(
        k.check("dhcp.lab", &blob(ED, b"ca")),
        HostStatus::New
    ));
    // Unknown markers, truncated lines, bad base64 and a blob of another type are skipped.
    assert!(matches!(k.check("h", &blob(ED, b"x")), HostStatus::New));
    assert!(matches!(k.check("x", &blob(ED, b"x")), HostStatus::New));
}

#[test]
fn hashed_names_round_trip() {
    let entry = entry_line("[127.0.0.1]:2222", ED, &blob(ED, b"k"), true).unwrap();
    assert!(
        entry.starts_with("|1|") && !entry.contains("127.0.0.1"),
        "{entry}"
    );
    let k = known(&entry);
    assert!(matches!(
        k.check("[127.0.0.1]:2222", &blob(ED, b"k")),
        HostStatus::Known
    ));
    assert!(matches!(
        k.check("[127.0.0.1]:2223", &blob(ED, b"k")),
        HostStatus::New
    ));
    // Two hashes of one name differ (fresh salt).
    assert_ne!(
        entry,
        entry_line("[127.0.0.1]:2222", ED, &blob(ED, b"k"), true).unwrap()
    );
    // `ssh-keygen -H` of "[127.0.0.1]:2222".
    let keygen = format!(
        "|1|KpEzd5ThAVEe/m9Fu0GXHxS/6Xk=|6gOHOANDBqg1qGA4bC1FIL9VajA= {ED} {}\n",
        base64(&blob(ED, b"k"))
    );
    assert_eq!(known(&keygen).key_types("[127.0.0.1]:2222"), [ED]);
    for junk in ["|1|", "|1|!!|!!", "|1|a|b ssh-rsa", "x"] {
        assert!(known(junk).key_types("h").is_empty());
    }
    let plain = entry_line("Dhcp1", ED, &blob(ED, b"k"), false).unwrap();
    assert!(plain.starts_with("dhcp1 ssh-ed25519 "), "{plain}");
}

#[test]
fn names_and_algorithms() {
    assert_eq!(lookup_name("Dhcp1", 22, None), "dhcp1");
    assert_eq!(lookup_name("10.0.0.1", 2222, None), "[10.0.0.1]:2222");
    assert_eq!(lookup_name("10.0.0.1", 2222, Some("Pinned")), "pinned");
    let algs = algorithms(&[EC.to_string(), "ssh-rsa".into()]);
    assert!(
        algs.starts_with("ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256,ssh-rsa,ssh-ed25519"),
        "{algs}"
    );
    assert!(!algs.contains("cert"));
    assert!(algorithms(&[]).starts_with("ssh-ed25519,"));
}

#[test]
fn append_creates_0600_under_any_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new/.ssh/known_hosts");
    // A permissive umask would otherwise leave the file world-writable.
    // SAFETY: umask only changes this process's creation mask; the test restores it.
    let old = unsafe { libc::umask(0) };
    let result = append(&path, "a ssh-ed25519 AAAA\n");
    unsafe { libc::umask(old) };
    result.unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    std::fs::write(&path, "no newline").unwrap();
    append(&path, "b ssh-ed25519 BBBB\n").unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "no newline\nb ssh-ed25519 BBBB\n"
    );
}

#[test]
fn unreadable_files_are_errors_and_missing_ones_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    assert!(KnownHosts::load(std::slice::from_ref(&missing)).is_ok());
    // A folder where a file is expected cannot be read: an error, not "no key".
    let err = KnownHosts::load(&[dir.path().to_path_buf()]).unwrap_err();
    assert_eq!(err.0, dir.path());
}
