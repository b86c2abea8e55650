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
    assert_eq!(h.identity_files, ["~/.ssh/dhcp_%h", "/keys/all"]);

    let h = config.lookup("dhcp2.lab", None);
    assert_eq!(h.hostname, None);
    assert_eq!((h.port, h.user.as_deref()), (Some(2202), Some("labuser")));

    let h = config.lookup("bad.lab", None);
    assert_eq!((h.port, h.user.as_deref()), (None, Some("fallback")));
    // `Match host other` applies to the host `other`, as in ssh.
    assert_eq!(config.lookup("other", None).user.as_deref(), Some("nobody"));
    assert!(config.lookup("other", None).warnings.is_empty());
}

#[test]
fn host_key_settings_and_proxies_are_read() {
    let config = SshConfig::parse(
        "Host a\n  UserKnownHostsFile ~/.ssh/kh_a \"/x y/kh\"\n  GlobalKnownHostsFile none\n  StrictHostKeyChecking accept-new\n  HostKeyAlias pinned-a\n  HashKnownHosts yes\n  ProxyJump ops@bastion:2222,inner\n  ProxyCommand nc %h %p\n\
         Host b\n  ProxyCommand ssh -W %h:%p jump\n  ProxyJump ignored\n  StrictHostKeyChecking off\n  HashKnownHosts maybe\n\
         Host c\n  ProxyJump none\nHost *\n  ProxyJump late\n  StrictHostKeyChecking ask\n",
    );
    let a = config.lookup("a", None);
    assert_eq!(
        a.user_known_hosts,
        Some(vec!["~/.ssh/kh_a".to_string(), "/x y/kh".to_string()])
    );
    assert_eq!(a.global_known_hosts, Some(vec!["none".to_string()]));
    assert_eq!(a.strict_host_key_checking, Some(Strictness::AcceptNew));
    assert_eq!(a.host_key_alias.as_deref(), Some("pinned-a"));
    assert_eq!(a.hash_known_hosts, Some(true));
    assert_eq!(
        a.proxy,
        Some(Some(ProxySetting::Jump("ops@bastion:2222,inner".into())))
    );
    let b = config.lookup("b", None);
    assert_eq!(
        b.proxy,
        Some(Some(ProxySetting::Command("ssh -W %h:%p jump".into())))
    );
    assert_eq!(b.strict_host_key_checking, Some(Strictness::No));
    assert_eq!(b.errors.len(), 1, "{:?}", b.errors);
    assert!(
        b.errors[0].contains("HashKnownHosts maybe")
            || b.errors[0].contains("hashknownhosts maybe")
    );
    assert_eq!(config.lookup("c", None).proxy, Some(None));
    let d = config.lookup("d", None);
    assert_eq!(d.proxy, Some(Some(ProxySetting::Jump("late".into()))));
    assert_eq!(d.strict_host_key_checking, Some(Strictness::Yes));
}

#[test]
fn match_blocks_are_evaluated_in_order() {
    let config = SshConfig::parse(
        "Host dhcp*\n  HostName 10.0.0.%h\n\
         Match host 10.0.0.* user ops\n  Port 2200\n\
         Match originalhost dhcp1 !user root\n  IdentityFile /k/one\n\
         Match exec \"true\"\n  Port 1\n\
         Match all\n  User everyone\n",
    );
    let h = config.lookup("dhcp1", Some("ops"));
    assert_eq!(h.hostname.as_deref(), Some("10.0.0.dhcp1"));
    assert_eq!(h.port, Some(2200));
    assert_eq!(h.identity_files, ["/k/one"]);
    assert_eq!(h.user.as_deref(), Some("everyone"));
    assert_eq!(h.warnings.len(), 1);
    assert!(h.warnings[0].contains("Match exec"), "{:?}", h.warnings);
    let h = config.lookup("dhcp1", Some("root"));
    assert_eq!((h.port, h.identity_files.len()), (None, 0));
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
        "Host dhcp1\n  Port 9999\n  User ops\nHost other\n",
    )
    .unwrap();
    // The lines after an Include stay in the block the Include was in (`Host *` here).
    std::fs::write(
        dir.join("config"),
        "Include conf.d/*.conf\nInclude missing\n  HostKeyAlias top\nHost *\n  User all\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.join("config")).unwrap();
    let config = SshConfig::parse_file(&text, "config", &dir);
    let h = config.lookup("dhcp1", None);
    assert_eq!((h.port, h.user.as_deref()), (Some(2201), Some("ops")));
    assert_eq!(h.host_key_alias.as_deref(), Some("top"));
    // A file that includes itself stops at the depth limit.
    std::fs::write(dir.join("loop"), "Include loop\nHost x\n  Port 1\n").unwrap();
    let text = std::fs::read_to_string(dir.join("loop")).unwrap();
    let config = SshConfig::parse_file(&text, "loop", &dir);
    assert_eq!(config.lookup("x", None).port, Some(1));
    // `ssh -F` semantics: a missing explicit file is an error, `none` is no file.
    assert!(SshConfig::load(Some(&dir.join("nope"))).is_err());
    assert!(
        SshConfig::load(Some(Path::new("none")))
            .unwrap()
            .blocks
            .is_empty()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// As in OpenSSH, an `Include` inside a `Host` or `Match` block is conditional: the included
/// file's lines (its own blocks too) count only for the hosts the enclosing block applies to,
/// and the lines after the `Include` stay in that block.
#[test]
fn an_include_inside_a_block_applies_only_where_the_block_does() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::create_dir_all(dir.join("conf.d")).unwrap();
    std::fs::write(dir.join("conf.d/top.conf"), "User included\nPort 2001\n").unwrap();
    std::fs::write(
        dir.join("conf.d/hosts.conf"),
        "Host dhcp1 other\n  HostKeyAlias pinned\nHost *\n  IdentityFile /k/inc\nMatch exec true\n  Port 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("config"),
        "Host dhcp1\n  Include conf.d/top.conf\n  HostName 192.0.2.1\n\
         Match host other\n  Include conf.d/hosts.conf\n  HostName 192.0.2.9\n\
         Host *\n  User fallback\n",
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.join("config")).unwrap();
    let config = SshConfig::parse_file(&text, "config", dir);

    let h = config.lookup("dhcp1", None);
    assert_eq!(
        (h.user.as_deref(), h.port, h.hostname.as_deref()),
        (Some("included"), Some(2001), Some("192.0.2.1"))
    );
    assert_eq!((h.host_key_alias, h.identity_files.len()), (None, 0));
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);

    let h = config.lookup("dhcp2", None);
    assert_eq!(
        (h.user.as_deref(), h.port, h.hostname.as_deref()),
        (Some("fallback"), None, None)
    );
    assert_eq!((h.host_key_alias, h.identity_files.len()), (None, 0));
    assert!(
        h.warnings.is_empty(),
        "a file never applied is not evaluated: {:?}",
        h.warnings
    );

    // Inside the block that applies, the included file's blocks are evaluated as usual, and
    // the line after the Include is still the enclosing block's.
    let h = config.lookup("other", None);
    assert_eq!(h.host_key_alias.as_deref(), Some("pinned"));
    assert_eq!(h.identity_files, ["/k/inc"]);
    assert_eq!(h.hostname.as_deref(), Some("192.0.2.9"));
    assert_eq!((h.user.as_deref(), h.port), (Some("fallback"), None));
    assert_eq!(h.warnings.len(), 1, "{:?}", h.warnings);
}

#[test]
fn garbage_never_panics() {
    for text in [
        "Host",
        "=",
        "Port",
        "Port 0",
        "Host \"",
        "Match",
        "Match !",
        "IdentityFile %",
        "ProxyJump",
        "\u{0}\u{ffff}",
    ] {
        let _ = SshConfig::parse(text).lookup("x", None);
    }
}
