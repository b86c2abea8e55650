//! Property test: random but valid pair models pass `check` without errors and render into
//! matched primary/secondary configurations that the real ISC dhcpd accepts.
//!
//! The generator builds a model as YAML text, valid by construction:
//! - failover: a random name, mclt 60..7200, `split` 0..=256 or a 32-octet `hba`, and optional
//!   max-response-delay, max-unacked-updates, load-balance-max-seconds (3..=5),
//!   auto-partner-down, max-lease-misbalance, max-lease-ownership, min-balance <= max-balance (as dhcpd reads them, defaults included);
//! - peers: two distinct addresses in 192.0.2.0/24, optional ports (mirrored `peer-port`
//!   sometimes written out), interfaces and host names; 192.0.2.0/24 is always declared,
//!   sometimes as a served subnet whose pools avoid both peer addresses;
//! - 1..=6 subnets 10.N.x.x/16..32 (distinct N, so no overlap), each with 0..=3 pools of 1..=3
//!   ranges (or single addresses) that stay inside the subnet, off its network and broadcast
//!   addresses (/31 and /32 have none) and apart from each other; at least one failover pool;
//!   some pools `failover: false`; allow/deny permits (known-clients, unknown-clients,
//!   all-clients, dynamic-bootp-clients outside failover pools, members-of a declared class);
//! - some subnets grouped into shared networks with any quotable name;
//! - hosts with unique dotted names (keywords and numbers included), unique MACs, fixed
//!   addresses inside a subnet and outside every range;
//! - classes with any quotable name, a `match-if` expression and an optional lease limit;
//! - in every scope: lease times up to 2^32-1 (default and min never above the max in effect),
//!   next-server, filename and random options (routers inside the subnet, the subnet's
//!   broadcast address, text with quotes, backslashes, control characters, NUL, non-ASCII and
//!   over 255 bytes, valid domain-search names, extreme integers, ...);
//! - YAML spelling varies: block or flow collections, durations in seconds or units, quoted or
//!   plain scalars, MAC spellings, single values or lists, top-level key order.
//!
//! For each model: no error-level finding from `check`; both layouts render identically twice;
//! `dhcpd -t` accepts both peers' dhcpd.conf; the peers' files are equal outside the
//! `failover peer` block (split layout: the shared files are byte-identical); the peer blocks
//! mirror each other and only the primary's carries mclt and split/hba.
//!
//! Cases: 48, or `PROPTEST_CASES`. Failing seeds are saved in
//! `tests/property.proptest-regressions` and replayed first. Needs ISC dhcpd (see
//! `common::dhcpd_or_skip`).

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::collections::HashSet;
use std::fmt;
use std::net::Ipv4Addr;
use std::path::Path;

use dhcpfo::diag::render_human;
use dhcpfo::model::check::{check, has_errors};
use dhcpfo::model::{LoadError, Role, load_str};
use dhcpfo::render::{Layout, RenderOptions, RenderedFile, render};
use proptest::collection::vec;
use proptest::option::weighted;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};

use common::{PeerBlock, first_difference, numbered, split_peer_block};

const DEFAULT_CASES: u32 = 48;

#[test]
fn generated_models_check_clean_render_matched_and_pass_dhcpd() {
    let Some(dhcpd) = common::dhcpd_or_skip("property") else {
        return;
    };
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let config = Config {
        cases,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    if let Err(e) = runner.run(&case(), |case| property(&dhcpd, &case)) {
        panic!("{e}");
    }
}

/// The generator offers exactly the `log-facility` values the model accepts; dhcpd refuses
/// `mark`, `ntp` and `security`, so the model must too.
#[test]
fn log_facilities_are_those_dhcpd_accepts() {
    let model = |facility: &str| {
        format!(
            "failover: {{ name: fo, mclt: 600, split: 128 }}\n\
             peers: {{ primary: {{ address: 192.0.2.1 }}, secondary: {{ address: 192.0.2.2 }} }}\n\
             global: {{ log-facility: {facility} }}\n\
             subnets: [{{ network: 10.1.0.0/24, pools: [{{ range: [10.1.0.10, 10.1.0.20] }}] }}]\n"
        )
    };
    for facility in LOG_FACILITIES {
        assert!(
            load_str("ok.yaml", model(facility)).is_ok(),
            "log-facility {facility} refused"
        );
    }
    for facility in ["mark", "ntp", "security"] {
        assert!(
            load_str("bad.yaml", model(facility)).is_err(),
            "log-facility {facility} accepted"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

fn property(dhcpd: &Path, case: &Case) -> Result<(), TestCaseError> {
    let source = match load_str("generated.yaml", case.yaml.clone()) {
        Ok(source) => source,
        Err(LoadError::Invalid(diags)) => {
            return Err(fail(format!(
                "load_str refused the model:\n{}",
                render_human(&diags, false)
            )));
        }
        Err(e) => return Err(fail(format!("load_str: {e}"))),
    };
    let diags = check(&source);
    prop_assert!(
        !has_errors(&diags),
        "check reported errors:\n{}",
        render_human(&diags, false)
    );

    let tmp = tempfile::tempdir().map_err(|e| fail(format!("tempdir: {e}")))?;
    let shared_path = tmp.path().join("split").join("dhcpd.shared.conf");
    let single_options = RenderOptions {
        layout: Layout::Single,
        ..RenderOptions::default()
    };
    let split_options = RenderOptions {
        layout: Layout::Split,
        shared_path: Some(shared_path.display().to_string()),
        ..RenderOptions::default()
    };

    // (d) Rendering is deterministic.
    let single =
        render(&source, &single_options).map_err(|e| fail(format!("render (single): {e}")))?;
    let split =
        render(&source, &split_options).map_err(|e| fail(format!("render (split): {e}")))?;
    for (layout, files, options) in [
        ("single", &single, &single_options),
        ("split", &split, &split_options),
    ] {
        let again =
            render(&source, options).map_err(|e| fail(format!("render ({layout}): {e}")))?;
        prop_assert!(
            *files == again,
            "rendering the {layout} layout twice gave different files"
        );
    }

    let conf = |files: &[RenderedFile], role: Role, name: &str| -> Result<String, TestCaseError> {
        files
            .iter()
            .find(|f| f.role == role && f.name == name)
            .map(|f| f.content.clone())
            .ok_or_else(|| fail(format!("no {} {name} rendered", role.as_str())))
    };
    let single_p = conf(&single, Role::Primary, "dhcpd.conf")?;
    let single_s = conf(&single, Role::Secondary, "dhcpd.conf")?;
    let split_p = conf(&split, Role::Primary, "dhcpd.conf")?;
    let split_s = conf(&split, Role::Secondary, "dhcpd.conf")?;
    let shared_p = conf(&split, Role::Primary, "dhcpd.shared.conf")?;
    let shared_s = conf(&split, Role::Secondary, "dhcpd.shared.conf")?;

    // (b) The peers agree on everything outside the peer block.
    let (single_pb, single_p_rest) = split_peer_block(&single_p)
        .map_err(|e| fail(format!("primary dhcpd.conf (single): {e}")))?;
    let (single_sb, single_s_rest) = split_peer_block(&single_s)
        .map_err(|e| fail(format!("secondary dhcpd.conf (single): {e}")))?;
    if let Some(diff) = first_difference("primary", &single_p_rest, "secondary", &single_s_rest) {
        return Err(fail(format!(
            "single layout: the peers' dhcpd.conf differ outside the peer block; {diff}"
        )));
    }
    if let Some(diff) = first_difference("primary", &shared_p, "secondary", &shared_s) {
        return Err(fail(format!(
            "split layout: dhcpd.shared.conf is not byte-identical; {diff}"
        )));
    }
    let opens_block = |l: &str| l.trim().starts_with("failover peer ") && l.trim().ends_with('{');
    prop_assert!(
        !shared_p.lines().any(opens_block),
        "the shared file holds a peer block"
    );
    let (split_pb, split_p_rest) =
        split_peer_block(&split_p).map_err(|e| fail(format!("primary dhcpd.conf (split): {e}")))?;
    let (split_sb, split_s_rest) = split_peer_block(&split_s)
        .map_err(|e| fail(format!("secondary dhcpd.conf (split): {e}")))?;
    if let Some(diff) = first_difference("primary", &split_p_rest, "secondary", &split_s_rest) {
        return Err(fail(format!(
            "split layout: the peers' dhcpd.conf differ outside the peer block; {diff}"
        )));
    }
    let include = format!("include \"{}\";", shared_path.display());
    prop_assert!(
        split_p.lines().any(|l| l.trim() == include),
        "split dhcpd.conf lacks `{include}`"
    );

    // Every failover pool, and only those, refers to the relationship.
    let reference = format!("failover peer \"{}\";", case.expect.name);
    let references = single_p_rest
        .lines()
        .filter(|l| l.trim() == reference)
        .count();
    prop_assert_eq!(
        references,
        case.expect.failover_pools,
        "pools referring to the peer"
    );
    prop_assert_eq!(
        shared_p.lines().filter(|l| l.trim() == reference).count(),
        case.expect.failover_pools
    );

    // (c) The peer blocks mirror each other.
    check_peer_blocks(&case.expect, &single_pb, &single_sb)?;
    prop_assert_eq!(
        &single_pb,
        &split_pb,
        "the primary's peer block differs between layouts"
    );
    prop_assert_eq!(
        &single_sb,
        &split_sb,
        "the secondary's peer block differs between layouts"
    );

    // (a) dhcpd accepts both peers' files in both layouts.
    let dir = tmp.path();
    for (role, text) in [(Role::Primary, &single_p), (Role::Secondary, &single_s)] {
        let path = dir.join("single").join(format!("{}.conf", role.as_str()));
        write(&path, text)?;
        common::dhcpd_test(dhcpd, &path).map_err(|e| fail(format!("{e}\n\n{}", numbered(text))))?;
    }
    for (role, text, shared) in [
        (Role::Primary, &split_p, &shared_p),
        (Role::Secondary, &split_s, &shared_s),
    ] {
        write(&shared_path, shared)?;
        let path = dir.join("split").join(format!("{}.conf", role.as_str()));
        write(&path, text)?;
        common::dhcpd_test(dhcpd, &path).map_err(|e| {
            fail(format!(
                "{e}\n\n{}\n--- shared file:\n{}",
                numbered(text),
                numbered(shared)
            ))
        })?;
    }
    Ok(())
}

/// Property (c): roles, mirrored addresses and ports, primary-only mclt/split/hba, and every
/// other statement equal on both sides.
fn check_peer_blocks(expect: &Expect, p: &PeerBlock, s: &PeerBlock) -> Result<(), TestCaseError> {
    let show = || format!("\nprimary:\n{}secondary:\n{}", p.text, s.text);
    for (block, role) in [(p, "primary"), (s, "secondary")] {
        prop_assert_eq!(&block.name, &expect.name, "relationship name{}", show());
        let mut seen = HashSet::new();
        for (keyword, _) in &block.statements {
            prop_assert!(
                seen.insert(keyword.as_str()),
                "`{}` twice in the {} block{}",
                keyword,
                role,
                show()
            );
        }
    }
    prop_assert!(
        p.has("primary") && !p.has("secondary"),
        "primary block role{}",
        show()
    );
    prop_assert!(
        s.has("secondary") && !s.has("primary"),
        "secondary block role{}",
        show()
    );
    for keyword in ["mclt", "split", "hba"] {
        prop_assert!(
            !s.has(keyword),
            "the secondary's block has `{}`{}",
            keyword,
            show()
        );
    }
    let mclt = expect.mclt.to_string();
    prop_assert_eq!(p.get("mclt"), Some(mclt.as_str()), "primary mclt{}", show());
    let split = expect.split.map(|v| v.to_string());
    prop_assert_eq!(p.get("split"), split.as_deref(), "primary split{}", show());
    prop_assert_eq!(p.get("hba"), expect.hba.as_deref(), "primary hba{}", show());

    prop_assert_eq!(
        p.get("address"),
        s.get("peer address"),
        "primary address vs secondary peer address{}",
        show()
    );
    prop_assert_eq!(
        p.get("port"),
        s.get("peer port"),
        "primary port vs secondary peer port{}",
        show()
    );
    prop_assert_eq!(
        s.get("address"),
        p.get("peer address"),
        "secondary address vs primary peer address{}",
        show()
    );
    prop_assert_eq!(
        s.get("port"),
        p.get("peer port"),
        "secondary port vs primary peer port{}",
        show()
    );
    for (block, (address, port)) in [(p, expect.primary), (s, expect.secondary)] {
        let (address, port) = (address.to_string(), port.to_string());
        prop_assert_eq!(
            block.get("address"),
            Some(address.as_str()),
            "address{}",
            show()
        );
        prop_assert_eq!(block.get("port"), Some(port.as_str()), "port{}", show());
    }

    let own = [
        "primary",
        "secondary",
        "address",
        "port",
        "peer address",
        "peer port",
        "mclt",
        "split",
        "hba",
    ];
    let common = |b: &PeerBlock| -> Vec<(String, String)> {
        b.statements
            .iter()
            .filter(|(k, _)| !own.contains(&k.as_str()))
            .cloned()
            .collect()
    };
    prop_assert_eq!(
        common(p),
        common(s),
        "timing statements differ between the peers{}",
        show()
    );
    Ok(())
}

fn fail(message: impl Into<String>) -> TestCaseError {
    TestCaseError::fail(message.into())
}

fn write(path: &Path, text: &str) -> Result<(), TestCaseError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
    }
    std::fs::write(path, text).map_err(|e| fail(format!("{}: {e}", path.display())))
}

// ---------------------------------------------------------------------------------------------
// A generated case: the YAML text and what the rendered peer blocks must say
// ---------------------------------------------------------------------------------------------

/// One generated model. Its `Debug` is the YAML text, so a failing case prints readably.
#[derive(Clone)]
struct Case {
    yaml: String,
    expect: Expect,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n--- generated.yaml\n{}---", self.yaml)
    }
}

/// Facts of the model the rendered files are compared with.
#[derive(Debug, Clone)]
struct Expect {
    name: String,
    primary: (Ipv4Addr, u32),
    secondary: (Ipv4Addr, u32),
    mclt: u32,
    split: Option<u32>,
    hba: Option<String>,
    failover_pools: usize,
}

fn case() -> impl Strategy<Value = Case> {
    raw_pair().prop_map(|raw| build(&raw))
}

// ---------------------------------------------------------------------------------------------
// Raw random choices. `build` turns them into a valid model, so shrinking works on these.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct RawPair {
    failover: RawFailover,
    peers: RawPeers,
    global: Option<RawGlobal>,
    subnets: Vec<RawSubnet>,
    shared: Vec<RawShared>,
    classes: Vec<RawClass>,
    hosts: Vec<RawHost>,
    /// A permutation of the top-level keys.
    order: Vec<usize>,
    /// Spelling choices, consumed in turn.
    styles: Vec<bool>,
}

#[derive(Debug, Clone)]
enum Balance {
    Split(u32),
    Hba(Vec<u8>),
}

#[derive(Debug, Clone)]
struct RawFailover {
    name: String,
    mclt: u32,
    balance: Balance,
    max_response_delay: Option<u32>,
    max_unacked_updates: Option<u32>,
    load_balance_max_seconds: Option<u32>,
    auto_partner_down: Option<u32>,
    max_lease_misbalance: Option<u32>,
    max_lease_ownership: Option<u32>,
    balance_times: (Option<u32>, Option<u32>),
}

#[derive(Debug, Clone)]
struct RawPeer {
    port: Option<u32>,
    write_peer_port: bool,
    interfaces: Vec<&'static str>,
    hostname: Option<String>,
}

#[derive(Debug, Clone)]
struct RawPeers {
    primary_octet: u8,
    delta: u8,
    primary: RawPeer,
    secondary: RawPeer,
    /// Also serve 192.0.2.0/24, the peers' own subnet.
    on_subnet: bool,
}

#[derive(Debug, Clone)]
struct RawGlobal {
    authoritative: Option<bool>,
    ddns_update_style: Option<&'static str>,
    log_facility: Option<&'static str>,
    ping_check: Option<bool>,
    one_lease_per_client: Option<bool>,
    use_host_decl_names: Option<bool>,
    scope: RawScope,
}

#[derive(Debug, Clone)]
struct RawScope {
    default_lease_time: Option<u32>,
    max_lease_time: Option<u32>,
    min_lease_time: Option<u32>,
    next_server: Option<u32>,
    filename: Option<String>,
    options: Option<RawOptions>,
}

#[derive(Debug, Clone)]
struct RawOptions {
    subnet_mask: Option<u32>,
    time_offset: Option<i32>,
    routers: Option<Vec<u32>>,
    time_servers: Option<Vec<u32>>,
    domain_name_servers: Option<Vec<u32>>,
    log_servers: Option<Vec<u32>>,
    host_name: Option<String>,
    domain_name: Option<String>,
    root_path: Option<String>,
    interface_mtu: Option<u16>,
    broadcast_address: Option<u32>,
    nis_domain: Option<String>,
    nis_servers: Option<Vec<u32>>,
    ntp_servers: Option<Vec<u32>>,
    netbios_name_servers: Option<Vec<u32>>,
    netbios_node_type: Option<u8>,
    tftp_server_name: Option<String>,
    bootfile_name: Option<String>,
    smtp_server: Option<Vec<u32>>,
    domain_search: Option<Vec<String>>,
    tftp_server_address: Option<Vec<u32>>,
}

#[derive(Debug, Clone)]
struct RawSubnet {
    prefix: u8,
    position: u32,
    scope: Option<RawScope>,
    pools: Vec<RawPool>,
    /// Index (modulo their number) of the shared network holding it, if any.
    group: Option<u8>,
}

#[derive(Debug, Clone)]
struct RawPool {
    /// Two raw cut points per range, and whether the range is a single address.
    ranges: Vec<(u32, u32, bool)>,
    allow: Vec<RawPermit>,
    deny: Vec<RawPermit>,
    failover: Option<bool>,
    scope: Option<RawScope>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawPermit {
    Known,
    Unknown,
    All,
    Bootp,
    Class(u8),
}

#[derive(Debug, Clone)]
struct RawShared {
    name: String,
    scope: Option<RawScope>,
}

#[derive(Debug, Clone)]
struct RawClass {
    name: String,
    match_if: Option<&'static str>,
    lease_limit: Option<u32>,
    scope: Option<RawScope>,
}

#[derive(Debug, Clone)]
struct RawHost {
    name: String,
    mac: Option<[u8; 6]>,
    fixed: Vec<u32>,
    scope: Option<RawScope>,
}

/// `log-facility` values dhcpd accepts.
const LOG_FACILITIES: &[&str] = &[
    "auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user",
    "uucp", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
];

/// Class names, some differing only in case, some with characters dhcpd treats specially
/// outside quotes.
const CLASS_NAMES: &[&str] = &[
    "VoIP phones",
    "MSFT",
    "msft",
    " ",
    "#hash",
    "semi;colon",
    "{braces}",
];

const DDNS_STYLES: &[&str] = &["none", "interim", "standard"];

const INTERFACES: &[&str] = &["eth0", "eth1", "ens33", "enp0s31f6", "bond0.100", "br-lan"];

/// `match-if` expressions dhcpd accepts; some hold `;`, `{`, `}` or `#` inside quotes, one has
/// blanks around it.
const MATCH_IF: &[&str] = &[
    "substring(option vendor-class-identifier, 0, 4) = \"MSFT\"",
    "option vendor-class-identifier = \"PXEClient:Arch:00007\"",
    "substring(hardware, 1, 3) = 00:1a:2b",
    "exists agent.circuit-id",
    "option user-class = \"iPXE\" or exists host-name",
    "pick-first-value(option dhcp-client-identifier, hardware) = 01:00:11:22:33:44:55",
    "binary-to-ascii(16, 8, \":\", substring(hardware, 1, 6)) = \"0:11:22:33:44:55\"",
    "option host-name = \"a;b{c}#d\"",
    "  suffix(option host-name, 4) = \".lab\"  ",
    "option host-name ~~ \"^print\"",
];

/// Text values that need escaping on the way into YAML or dhcpd.conf.
const TRICKY_TEXT: &[&str] = &[
    "",
    "pxelinux.0",
    "with \"quotes\"",
    "back\\slash",
    "C:\\boot\\x64.efi",
    "trailing\\",
    "tab\there",
    "new\nline",
    "cr\rlf",
    "ctrl\u{1}\u{1f}\u{7f}",
    "nul\u{0}byte",
    "# not a comment",
    "semi;colon {braces}",
    "café ☕",
];

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z0-9._/-]{1,24}",
        2 => "[ -~]{0,24}",
        1 => "\\PC{1,12}",
        2 => select(TRICKY_TEXT).prop_map(str::to_string),
        1 => "[a-z]{250,400}",
    ]
    .boxed()
}

/// A class or shared-network name. Both are written quoted, so anything goes but quotes,
/// backslashes and control characters.
fn name() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[A-Za-z0-9][A-Za-z0-9 ._-]{0,15}",
        1 => "[^\"\\\\\\pC]{1,12}",
    ]
    .boxed()
}

fn domain() -> BoxedStrategy<String> {
    "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?){0,3}".boxed()
}

fn addresses() -> BoxedStrategy<Vec<u32>> {
    vec(any::<u32>(), 1..=3).boxed()
}

fn raw_options() -> BoxedStrategy<RawOptions> {
    const P: f64 = 0.2;
    let a = (
        weighted(P, any::<u32>()),
        weighted(P, any::<i32>()),
        weighted(P, addresses()),
        weighted(P, addresses()),
        weighted(P, addresses()),
        weighted(P, addresses()),
        weighted(P, text()),
        weighted(P, prop_oneof![domain(), text()]),
        weighted(P, text()),
        weighted(P, any::<u16>()),
        weighted(P, any::<u32>()),
    );
    let b = (
        weighted(P, text()),
        weighted(P, addresses()),
        weighted(P, addresses()),
        weighted(P, addresses()),
        weighted(P, any::<u8>()),
        weighted(P, text()),
        weighted(P, text()),
        weighted(P, addresses()),
        weighted(P, vec(domain(), 1..=3)),
        weighted(P, addresses()),
    );
    (a, b)
        .prop_map(|(a, b)| RawOptions {
            subnet_mask: a.0,
            time_offset: a.1,
            routers: a.2,
            time_servers: a.3,
            domain_name_servers: a.4,
            log_servers: a.5,
            host_name: a.6,
            domain_name: a.7,
            root_path: a.8,
            interface_mtu: a.9,
            broadcast_address: a.10,
            nis_domain: b.0,
            nis_servers: b.1,
            ntp_servers: b.2,
            netbios_name_servers: b.3,
            netbios_node_type: b.4,
            tftp_server_name: b.5,
            bootfile_name: b.6,
            smtp_server: b.7,
            domain_search: b.8,
            tftp_server_address: b.9,
        })
        .boxed()
}

fn raw_scope() -> BoxedStrategy<RawScope> {
    (
        weighted(0.3, prop_oneof![4 => 60u32..=86_400, 1 => any::<u32>()]),
        weighted(0.3, prop_oneof![4 => 600u32..=604_800, 1 => any::<u32>()]),
        weighted(0.2, prop_oneof![4 => 0u32..=3_600, 1 => any::<u32>()]),
        weighted(0.15, any::<u32>()),
        weighted(0.15, text()),
        weighted(0.6, raw_options()),
    )
        .prop_map(
            |(
                default_lease_time,
                max_lease_time,
                min_lease_time,
                next_server,
                filename,
                options,
            )| RawScope {
                default_lease_time,
                max_lease_time,
                min_lease_time,
                next_server,
                filename,
                options,
            },
        )
        .boxed()
}

fn raw_failover() -> BoxedStrategy<RawFailover> {
    let balance = prop_oneof![
        3 => (0u32..=256).prop_map(Balance::Split),
        1 => vec(any::<u8>(), 32).prop_map(Balance::Hba),
    ];
    let balance_times =
        (weighted(0.3, 0u32..=7_200), weighted(0.3, 0u32..=86_400)).prop_map(|(min, max)| {
            // dhcpd reads a missing or 0 value as its default (min 60 s, max 3600 s), so a
            // lone `min-balance: 3601` is as inverted as an explicit pair: when the bounds
            // dhcpd would use are inverted, write them the right way round.
            let in_effect = |n: Option<u32>, default: u32| match n {
                Some(0) | None => default,
                Some(n) => n,
            };
            let (lo, hi) = (in_effect(min, 60), in_effect(max, 3_600));
            if lo > hi {
                (Some(hi), Some(lo))
            } else {
                (min, max)
            }
        });
    (
        "[A-Za-z0-9_.-]{1,20}",
        60u32..=7_200,
        balance,
        weighted(0.5, 1u32..=600),
        weighted(0.5, 1u32..=1_000),
        weighted(0.7, 3u32..=5),
        weighted(0.3, 0u32..=86_400),
        weighted(0.3, 0u32..=100),
        weighted(0.3, 0u32..=100),
        balance_times,
    )
        .prop_map(
            |(name, mclt, balance, mrd, mau, lbms, apd, misbalance, ownership, balance_times)| {
                RawFailover {
                    name,
                    mclt,
                    balance,
                    max_response_delay: mrd,
                    max_unacked_updates: mau,
                    load_balance_max_seconds: lbms,
                    auto_partner_down: apd,
                    max_lease_misbalance: misbalance,
                    max_lease_ownership: ownership,
                    balance_times,
                }
            },
        )
        .boxed()
}

fn raw_peer() -> BoxedStrategy<RawPeer> {
    (
        weighted(0.4, prop_oneof![Just(647u32), 1u32..=65_535]),
        any::<bool>(),
        proptest::sample::subsequence(INTERFACES, 0..=2),
        weighted(0.5, "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,5}){0,2}"),
    )
        .prop_map(|(port, write_peer_port, interfaces, hostname)| RawPeer {
            port,
            write_peer_port,
            interfaces,
            hostname,
        })
        .boxed()
}

fn raw_peers() -> BoxedStrategy<RawPeers> {
    (
        any::<u8>(),
        any::<u8>(),
        raw_peer(),
        raw_peer(),
        proptest::bool::weighted(0.3),
    )
        .prop_map(
            |(primary_octet, delta, primary, secondary, on_subnet)| RawPeers {
                primary_octet,
                delta,
                primary,
                secondary,
                on_subnet,
            },
        )
        .boxed()
}

fn raw_global() -> BoxedStrategy<RawGlobal> {
    (
        weighted(0.6, any::<bool>()),
        weighted(0.5, select(DDNS_STYLES)),
        weighted(0.4, select(LOG_FACILITIES)),
        weighted(0.3, any::<bool>()),
        weighted(0.3, any::<bool>()),
        weighted(0.3, any::<bool>()),
        raw_scope(),
    )
        .prop_map(
            |(authoritative, ddns, log, ping, olpc, uhdn, scope)| RawGlobal {
                authoritative,
                ddns_update_style: ddns,
                log_facility: log,
                ping_check: ping,
                one_lease_per_client: olpc,
                use_host_decl_names: uhdn,
                scope,
            },
        )
        .boxed()
}

fn raw_permit() -> BoxedStrategy<RawPermit> {
    prop_oneof![
        3 => Just(RawPermit::Known),
        3 => Just(RawPermit::Unknown),
        1 => Just(RawPermit::All),
        1 => Just(RawPermit::Bootp),
        3 => any::<u8>().prop_map(RawPermit::Class),
    ]
    .boxed()
}

fn raw_pool() -> BoxedStrategy<RawPool> {
    (
        vec(
            (any::<u32>(), any::<u32>(), proptest::bool::weighted(0.15)),
            1..=3,
        ),
        vec(raw_permit(), 0..=2),
        vec(raw_permit(), 0..=2),
        prop_oneof![3 => Just(None), 1 => Just(Some(true)), 2 => Just(Some(false))],
        weighted(0.3, raw_scope()),
    )
        .prop_map(|(ranges, allow, deny, failover, scope)| RawPool {
            ranges,
            allow,
            deny,
            failover,
            scope,
        })
        .boxed()
}

fn raw_subnet() -> BoxedStrategy<RawSubnet> {
    (
        prop_oneof![8 => 16u8..=30, 1 => 31u8..=32],
        any::<u32>(),
        weighted(0.5, raw_scope()),
        vec(raw_pool(), 0..=3),
        weighted(0.4, any::<u8>()),
    )
        .prop_map(|(prefix, position, scope, pools, group)| RawSubnet {
            prefix,
            position,
            scope,
            pools,
            group,
        })
        .boxed()
}

fn raw_shared() -> BoxedStrategy<RawShared> {
    (name(), weighted(0.4, raw_scope()))
        .prop_map(|(name, scope)| RawShared { name, scope })
        .boxed()
}

fn raw_class() -> BoxedStrategy<RawClass> {
    (
        prop_oneof![
            3 => name(),
            1 => select(CLASS_NAMES).prop_map(str::to_string),
        ],
        weighted(0.8, select(MATCH_IF)),
        weighted(0.3, 1u32..=10_000),
        weighted(0.3, raw_scope()),
    )
        .prop_map(|(name, match_if, lease_limit, scope)| RawClass {
            name,
            match_if,
            lease_limit,
            scope,
        })
        .boxed()
}

fn raw_host() -> BoxedStrategy<RawHost> {
    // dhcpd refuses a label that starts with `_` (check reports DF160).
    let label = "[A-Za-z0-9-][A-Za-z0-9_-]{0,10}";
    let name = prop_oneof![
        6 => (label, vec(label, 0..=2)).prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect::<Vec<_>>().join(".")),
        1 => select(&["pool", "option", "host", "range", "subnet", "failover", "123", "0x1f"][..]).prop_map(str::to_string),
    ];
    (
        name,
        weighted(0.9, any::<[u8; 6]>()),
        vec(any::<u32>(), 0..=2),
        weighted(0.3, raw_scope()),
    )
        .prop_map(|(name, mac, fixed, scope)| RawHost {
            name,
            mac,
            fixed,
            scope,
        })
        .boxed()
}

fn raw_pair() -> BoxedStrategy<RawPair> {
    (
        raw_failover(),
        raw_peers(),
        weighted(0.8, raw_global()),
        vec(raw_subnet(), 1..=6),
        vec(raw_shared(), 0..=3),
        vec(raw_class(), 0..=4),
        vec(raw_host(), 0..=8),
        Just((0..TOP_KEYS.len()).collect::<Vec<_>>()).prop_shuffle(),
        vec(any::<bool>(), 64),
    )
        .prop_map(
            |(failover, peers, global, subnets, shared, classes, hosts, order, styles)| RawPair {
                failover,
                peers,
                global,
                subnets,
                shared,
                classes,
                hosts,
                order,
                styles,
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Building a valid model from the raw choices
// ---------------------------------------------------------------------------------------------

const TOP_KEYS: [&str; 7] = [
    "failover",
    "peers",
    "global",
    "subnets",
    "shared-networks",
    "hosts",
    "classes",
];
const DEFAULT_PORT: u32 = 647;

/// Spelling choices, taken in turn and reused cyclically.
struct Styles<'a> {
    bits: &'a [bool],
    at: usize,
}

impl Styles<'_> {
    fn next(&mut self) -> bool {
        if self.bits.is_empty() {
            return false;
        }
        let bit = self.bits[self.at % self.bits.len()];
        self.at += 1;
        bit
    }
}

/// A subnet once placed: network as an integer, prefix, and its served pools.
struct Net {
    network: u32,
    prefix: u8,
    /// Addresses no range may hold (the peers', on their own subnet).
    reserved: Vec<u32>,
    pools: Vec<Pool>,
    raw: RawSubnet,
}

impl Net {
    fn size(&self) -> u32 {
        1u32 << (32 - u32::from(self.prefix))
    }
    fn broadcast(&self) -> u32 {
        self.network + (self.size() - 1)
    }
    fn mask(&self) -> u32 {
        u32::MAX << (32 - u32::from(self.prefix))
    }
    /// The first usable host address: the network address itself on a /31 or /32, which
    /// have no network or broadcast address (RFC 3021), else the one after it.
    fn first_host(&self) -> u32 {
        if self.prefix >= 31 {
            self.network
        } else {
            self.network + 1
        }
    }
    /// The number of usable host addresses.
    fn hosts(&self) -> u32 {
        if self.prefix >= 31 {
            self.size()
        } else {
            self.size() - 2
        }
    }
    fn last_host(&self) -> u32 {
        self.first_host() + (self.hosts() - 1)
    }
}

struct Pool {
    ranges: Vec<(u32, u32)>,
    allow: Vec<Permit>,
    deny: Vec<Permit>,
    failover: Option<bool>,
    scope: Option<RawScope>,
}

#[derive(Clone, PartialEq, Eq)]
enum Permit {
    Known,
    Unknown,
    All,
    Bootp,
    Class(String),
}

/// Lease times in effect in a scope.
#[derive(Clone, Copy, Default)]
struct Leases {
    default: Option<u32>,
    max: Option<u32>,
    min: Option<u32>,
}

fn build(raw: &RawPair) -> Case {
    let mut st = Styles {
        bits: &raw.styles,
        at: 0,
    };
    let fo = &raw.failover;

    // Peers: two distinct addresses in 192.0.2.1..=254.
    let a = u32::from(raw.peers.primary_octet % 254) + 1;
    let b = (a - 1 + 1 + u32::from(raw.peers.delta % 253)) % 254 + 1;
    let primary_ip = u32::from(Ipv4Addr::new(192, 0, 2, 0)) + a;
    let secondary_ip = u32::from(Ipv4Addr::new(192, 0, 2, 0)) + b;
    let primary_port = raw.peers.primary.port.unwrap_or(DEFAULT_PORT);
    let secondary_port = raw.peers.secondary.port.unwrap_or(DEFAULT_PORT);

    // Classes: unique names.
    let mut class_names = HashSet::new();
    let classes: Vec<(String, &RawClass)> = raw
        .classes
        .iter()
        .enumerate()
        .map(|(i, c)| (unique(&c.name, i, &mut class_names, false), c))
        .collect();

    // Subnets and their pools.
    let last = raw.subnets.len() - 1;
    let mut nets: Vec<Net> = raw
        .subnets
        .iter()
        .enumerate()
        .map(|(i, rs)| {
            let (network, prefix, reserved) = if raw.peers.on_subnet && i == last && i > 0 {
                (
                    u32::from(Ipv4Addr::new(192, 0, 2, 0)),
                    24,
                    vec![primary_ip, secondary_ip],
                )
            } else {
                let size = 1u32 << (32 - u32::from(rs.prefix));
                let slots = (1u32 << 16) / size;
                let base = u32::from(Ipv4Addr::new(10, i as u8 + 1, 0, 0));
                (base + (rs.position % slots) * size, rs.prefix, Vec::new())
            };
            let mut net = Net {
                network,
                prefix,
                reserved,
                pools: Vec::new(),
                raw: rs.clone(),
            };
            net.pools = place_pools(&net, &rs.pools, &classes);
            net
        })
        .collect();
    if !nets
        .iter()
        .any(|n| n.network == u32::from(Ipv4Addr::new(192, 0, 2, 0)))
    {
        // The peers' own network, declared only: dhcpd needs a subnet for the interface that
        // holds a peer's address (DF126).
        nets.push(Net {
            network: u32::from(Ipv4Addr::new(192, 0, 2, 0)),
            prefix: 24,
            reserved: vec![primary_ip, secondary_ip],
            pools: Vec::new(),
            raw: RawSubnet {
                prefix: 24,
                position: 0,
                scope: None,
                pools: Vec::new(),
                group: None,
            },
        });
    }

    // At least one failover pool.
    let failover_pools = |nets: &[Net]| {
        nets.iter()
            .flat_map(|n| &n.pools)
            .filter(|p| p.failover != Some(false))
            .count()
    };
    if failover_pools(&nets) == 0 {
        if let Some(pool) = nets.iter_mut().flat_map(|n| n.pools.iter_mut()).next() {
            pool.failover = None;
            pool.allow.retain(|p| *p != Permit::Bootp);
        } else {
            let first = nets[0].first_host();
            nets[0].pools.push(Pool {
                ranges: vec![(first, first)],
                allow: vec![],
                deny: vec![],
                failover: None,
                scope: None,
            });
        }
    }
    let failover_pool_count = failover_pools(&nets);

    // Addresses outside every range, for fixed addresses.
    let mut free: Vec<(u32, u32)> = Vec::new();
    for net in &nets {
        let mut taken: Vec<(u32, u32)> = net
            .pools
            .iter()
            .flat_map(|p| p.ranges.iter().copied())
            .collect();
        taken.extend(net.reserved.iter().map(|&r| (r, r)));
        taken.sort_unstable();
        let mut next = net.first_host();
        for (s, e) in taken {
            if s > next {
                free.push((next, s - 1));
            }
            next = next.max(e + 1);
        }
        if next <= net.last_host() {
            free.push((next, net.last_host()));
        }
    }
    let free_total: u64 = free.iter().map(|(s, e)| u64::from(e - s) + 1).sum();

    // Shared networks: unique names; only those that get a subnet are written.
    let mut shared_names = HashSet::new();
    let shared: Vec<(String, &RawShared)> = raw
        .shared
        .iter()
        .enumerate()
        .map(|(i, s)| (unique(&s.name, i, &mut shared_names, false), s))
        .collect();
    let group_of = |net: &Net| -> Option<usize> {
        if shared.is_empty() {
            return None;
        }
        net.raw.group.map(|g| usize::from(g) % shared.len())
    };

    // Global scope.
    let mut global_entries: Vec<(&'static str, Y)> = Vec::new();
    let mut root = Leases::default();
    if let Some(g) = &raw.global {
        if let Some(flag) = g.authoritative {
            global_entries.push(("authoritative", Y::S(flag.to_string())));
        }
        if let Some(style) = g.ddns_update_style {
            global_entries.push(("ddns-update-style", Y::S(style.to_string())));
        }
        if let Some(facility) = g.log_facility {
            global_entries.push(("log-facility", Y::S(facility.to_string())));
        }
        for (key, flag) in [
            ("ping-check", g.ping_check),
            ("one-lease-per-client", g.one_lease_per_client),
            ("use-host-decl-names", g.use_host_decl_names),
        ] {
            if let Some(flag) = flag {
                global_entries.push((key, Y::S(flag.to_string())));
            }
        }
        root = scope_entries(
            Some(&g.scope),
            Leases::default(),
            None,
            &mut st,
            &mut global_entries,
        );
    }

    // Subnets, standalone or inside their shared network.
    let mut standalone = Vec::new();
    let mut grouped: Vec<Vec<Y>> = vec![Vec::new(); shared.len()];
    let mut shared_leases: Vec<Leases> = Vec::new();
    let mut shared_entries: Vec<Vec<(&'static str, Y)>> = Vec::new();
    for (_, s) in &shared {
        let mut entries = Vec::new();
        shared_leases.push(scope_entries(
            s.scope.as_ref(),
            root,
            None,
            &mut st,
            &mut entries,
        ));
        shared_entries.push(entries);
    }
    for net in &nets {
        let group = group_of(net);
        let parent = group.map_or(root, |g| shared_leases[g]);
        let subnet = subnet_yaml(net, parent, &mut st);
        match group {
            Some(g) => grouped[g].push(subnet),
            None => standalone.push(subnet),
        }
    }
    let mut shared_yaml = Vec::new();
    for (((name, _), entries), subnets) in shared.iter().zip(shared_entries).zip(grouped) {
        if subnets.is_empty() {
            continue;
        }
        let mut map = vec![("name", Y::S(string(name, &mut st)))];
        map.extend(entries);
        map.push(("subnets", Y::L(subnets, false)));
        let flow = st.next() && st.next();
        shared_yaml.push(Y::M(map, flow));
    }

    // Hosts: unique names and MACs, fixed addresses outside every range.
    let mut host_names = HashSet::new();
    let mut macs = HashSet::new();
    let mut fixed_used = HashSet::new();
    let mut hosts_yaml = Vec::new();
    for (i, h) in raw.hosts.iter().enumerate() {
        let name = unique(&h.name, i, &mut host_names, true);
        let mut map = vec![("name", Y::S(string(&name, &mut st)))];
        if let Some(mac) = h.mac {
            let mut value = mac_u64(mac);
            while !macs.insert(value) {
                value = (value + 1) & 0xffff_ffff_ffff;
            }
            map.push(("hardware-ethernet", Y::S(mac_text(value, &mut st))));
        }
        let mut fixed = Vec::new();
        for &f in &h.fixed {
            if free_total == 0 {
                break;
            }
            let tries = free_total.min(64);
            let found = (0..tries)
                .map(|k| nth_free(&free, (u64::from(f) + k) % free_total))
                .find(|ip| !fixed_used.contains(ip));
            if let Some(ip) = found {
                fixed_used.insert(ip);
                fixed.push(Y::S(ip_text(ip, &mut st)));
            }
        }
        if !fixed.is_empty() {
            map.push(("fixed-address", one_or_many(fixed, &mut st)));
        }
        scope_entries(h.scope.as_ref(), root, None, &mut st, &mut map);
        let flow = st.next();
        hosts_yaml.push(Y::M(map, flow));
    }

    // Classes.
    let mut classes_yaml = Vec::new();
    for (name, c) in &classes {
        let mut map = vec![("name", Y::S(string(name, &mut st)))];
        if let Some(expr) = c.match_if {
            map.push(("match-if", Y::S(quoted(expr))));
        }
        if let Some(limit) = c.lease_limit {
            map.push(("lease-limit", Y::S(limit.to_string())));
        }
        scope_entries(c.scope.as_ref(), root, None, &mut st, &mut map);
        classes_yaml.push(Y::M(map, false));
    }

    // Failover and peers.
    let mut failover = vec![
        ("name", Y::S(string(&fo.name, &mut st))),
        ("mclt", duration(fo.mclt, &mut st)),
    ];
    let (split, hba) = match &fo.balance {
        Balance::Split(n) => {
            failover.push(("split", Y::S(n.to_string())));
            (Some(*n), None)
        }
        Balance::Hba(octets) => {
            let upper = st.next();
            let text: Vec<String> = octets
                .iter()
                .map(|o| {
                    if upper {
                        format!("{o:02X}")
                    } else {
                        format!("{o:02x}")
                    }
                })
                .collect();
            failover.push(("hba", Y::S(maybe_quote(&text.join(":"), &mut st))));
            let canonical: Vec<String> = octets.iter().map(|o| format!("{o:02x}")).collect();
            (None, Some(canonical.join(":")))
        }
    };
    let durations = [
        ("max-response-delay", fo.max_response_delay),
        ("auto-partner-down", fo.auto_partner_down),
        ("min-balance", fo.balance_times.0),
        ("max-balance", fo.balance_times.1),
    ];
    let numbers = [
        ("max-unacked-updates", fo.max_unacked_updates),
        ("load-balance-max-seconds", fo.load_balance_max_seconds),
        ("max-lease-misbalance", fo.max_lease_misbalance),
        ("max-lease-ownership", fo.max_lease_ownership),
    ];
    for (key, value) in durations {
        if let Some(v) = value {
            failover.push((key, duration(v, &mut st)));
        }
    }
    for (key, value) in numbers {
        if let Some(v) = value {
            failover.push((key, Y::S(v.to_string())));
        }
    }

    let peer = |p: &RawPeer, ip: u32, partner_port: u32, st: &mut Styles<'_>| -> Y {
        let mut map = vec![("address", Y::S(ip_text(ip, st)))];
        if let Some(port) = p.port {
            map.push(("port", Y::S(port.to_string())));
        }
        if p.write_peer_port {
            map.push(("peer-port", Y::S(partner_port.to_string())));
        }
        if !p.interfaces.is_empty() || st.next() {
            let names = p.interfaces.iter().map(|i| Y::S(string(i, st))).collect();
            let flow = st.next();
            map.push(("interfaces", Y::L(names, flow)));
        }
        if let Some(host) = &p.hostname {
            map.push(("hostname", Y::S(string(host, st))));
        }
        let flow = st.next();
        Y::M(map, flow)
    };
    let peers = Y::M(
        vec![
            (
                "primary",
                peer(&raw.peers.primary, primary_ip, secondary_port, &mut st),
            ),
            (
                "secondary",
                peer(&raw.peers.secondary, secondary_ip, primary_port, &mut st),
            ),
        ],
        false,
    );

    // Top level, in a random key order.
    let mut top: Vec<(&'static str, Y)> =
        vec![("failover", Y::M(failover, false)), ("peers", peers)];
    if raw.global.is_some() {
        let flow = global_entries.is_empty() || (st.next() && st.next());
        top.push(("global", Y::M(global_entries, flow)));
    }
    if !standalone.is_empty() || st.next() {
        top.push(("subnets", Y::L(standalone, false)));
    }
    for (key, items) in [
        ("shared-networks", shared_yaml),
        ("hosts", hosts_yaml),
        ("classes", classes_yaml),
    ] {
        if !items.is_empty() {
            top.push((key, Y::L(items, false)));
        }
    }
    top.sort_by_key(|(key, _)| {
        let index = TOP_KEYS.iter().position(|k| k == key).unwrap_or(0);
        raw.order.get(index).copied().unwrap_or(index)
    });
    let mut yaml = String::from("# generated by tests/property.rs\n");
    write_map(&mut yaml, &top, 0);

    Case {
        yaml,
        expect: Expect {
            name: fo.name.clone(),
            primary: (Ipv4Addr::from(primary_ip), primary_port),
            secondary: (Ipv4Addr::from(secondary_ip), secondary_port),
            mclt: fo.mclt,
            split,
            hba,
            failover_pools: failover_pool_count,
        },
    }
}

/// Places a subnet's pools: distinct sorted cut points inside the usable addresses give
/// ranges that neither overlap nor touch the network or broadcast address; ranges holding a
/// reserved address are split around it; pools left without a range are dropped.
fn place_pools(net: &Net, raw: &[RawPool], classes: &[(String, &RawClass)]) -> Vec<Pool> {
    let usable = net.hosts();
    let budget = (usable / 2) as usize;
    let wanted: Vec<(usize, u32, u32, bool)> = raw
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.ranges
                .iter()
                .map(move |&(x, y, single)| (i, x, y, single))
        })
        .take(budget)
        .collect();
    let mut used = HashSet::new();
    let mut points = Vec::new();
    for &(_, x, y, _) in &wanted {
        for raw_point in [x, y] {
            let mut offset = raw_point % usable;
            while !used.insert(offset) {
                offset = (offset + 1) % usable;
            }
            points.push(net.first_host() + offset);
        }
    }
    points.sort_unstable();
    let mut ranges: Vec<Vec<(u32, u32)>> = vec![Vec::new(); raw.len()];
    for (k, &(pool, _, _, single)) in wanted.iter().enumerate() {
        let (start, end) = (points[2 * k], points[2 * k + 1]);
        let end = if single { start } else { end };
        let mut pieces = vec![(start, end)];
        for &r in &net.reserved {
            pieces = pieces
                .into_iter()
                .flat_map(|(s, e)| {
                    if s <= r && r <= e {
                        [(s, r.wrapping_sub(1)), (r + 1, e)]
                            .into_iter()
                            .filter(|(s, e)| s <= e)
                            .collect()
                    } else {
                        vec![(s, e)]
                    }
                })
                .collect();
        }
        ranges[pool].extend(pieces);
    }
    raw.iter()
        .zip(ranges)
        .filter(|(_, ranges)| !ranges.is_empty())
        .map(|(p, ranges)| {
            let failover = p.failover;
            let is_failover = failover != Some(false);
            let permit = |r: &RawPermit, allow: bool| match r {
                RawPermit::Known => Permit::Known,
                RawPermit::Unknown => Permit::Unknown,
                RawPermit::All => Permit::All,
                RawPermit::Bootp if allow && is_failover => Permit::Unknown,
                RawPermit::Bootp => Permit::Bootp,
                RawPermit::Class(_) if classes.is_empty() => Permit::Known,
                RawPermit::Class(k) => {
                    Permit::Class(classes[usize::from(*k) % classes.len()].0.clone())
                }
            };
            let mut allow: Vec<Permit> = Vec::new();
            for r in &p.allow {
                let permit = permit(r, true);
                if !allow.contains(&permit) {
                    allow.push(permit);
                }
            }
            let mut deny: Vec<Permit> = Vec::new();
            for r in &p.deny {
                let permit = permit(r, false);
                if !allow.contains(&permit) && !deny.contains(&permit) {
                    deny.push(permit);
                }
            }
            Pool {
                ranges,
                allow,
                deny,
                failover,
                scope: p.scope.clone(),
            }
        })
        .collect()
}

fn subnet_yaml(net: &Net, parent: Leases, st: &mut Styles<'_>) -> Y {
    let cidr = format!("{}/{}", Ipv4Addr::from(net.network), net.prefix);
    let mut map = vec![("network", Y::S(maybe_quote(&cidr, st)))];
    let leases = scope_entries(net.raw.scope.as_ref(), parent, Some(net), st, &mut map);
    let mut pools = Vec::new();
    for pool in &net.pools {
        let ranges: Vec<Y> = pool
            .ranges
            .iter()
            .map(|&(s, e)| {
                if s == e && st.next() {
                    Y::L(vec![Y::S(ip_text(s, st))], true)
                } else {
                    Y::L(vec![Y::S(ip_text(s, st)), Y::S(ip_text(e, st))], true)
                }
            })
            .collect();
        let range = if ranges.len() == 1 && st.next() {
            ranges.into_iter().next().unwrap_or(Y::L(vec![], true))
        } else {
            Y::L(ranges, true)
        };
        let mut entries = vec![("range", range)];
        for (key, permits) in [("allow", &pool.allow), ("deny", &pool.deny)] {
            if permits.is_empty() {
                continue;
            }
            let items = permits
                .iter()
                .map(|p| match p {
                    Permit::Known => Y::S("known-clients".into()),
                    Permit::Unknown => Y::S("unknown-clients".into()),
                    Permit::All => Y::S("all-clients".into()),
                    Permit::Bootp => Y::S("dynamic-bootp-clients".into()),
                    Permit::Class(name) => Y::M(vec![("members-of", Y::S(string(name, st)))], true),
                })
                .collect();
            let flow = st.next();
            entries.push((key, Y::L(items, flow)));
        }
        if let Some(failover) = pool.failover {
            entries.push(("failover", Y::S(failover.to_string())));
        }
        scope_entries(pool.scope.as_ref(), leases, Some(net), st, &mut entries);
        let flow = st.next() && st.next();
        pools.push(Y::M(entries, flow));
    }
    if !pools.is_empty() {
        map.push(("pools", Y::L(pools, false)));
    }
    Y::M(map, false)
}

/// Appends a scope's parameters and options, keeping lease times consistent with what is
/// inherited (a default or minimum is never above the max in effect). Returns the lease times
/// in effect inside the scope. `net` is the subnet the scope lies in, if any.
fn scope_entries(
    raw: Option<&RawScope>,
    parent: Leases,
    net: Option<&Net>,
    st: &mut Styles<'_>,
    out: &mut Vec<(&'static str, Y)>,
) -> Leases {
    let Some(raw) = raw else { return parent };
    let mut max = raw.max_lease_time;
    if let Some(m) = max.as_mut() {
        if raw.default_lease_time.is_none() {
            *m = (*m).max(parent.default.unwrap_or(0));
        }
        if raw.min_lease_time.is_none() {
            *m = (*m).max(parent.min.unwrap_or(0));
        }
    }
    let max_in_effect = max.or(parent.max);
    let cap = |v: u32| max_in_effect.map_or(v, |m| v.min(m));
    let default = raw.default_lease_time.map(cap);
    let min = raw.min_lease_time.map(cap);
    for (key, value) in [
        ("default-lease-time", default),
        ("max-lease-time", max),
        ("min-lease-time", min),
    ] {
        if let Some(v) = value {
            out.push((key, duration(v, st)));
        }
    }
    if let Some(ip) = raw.next_server {
        out.push(("next-server", Y::S(ip_text(ip, st))));
    }
    if let Some(f) = &raw.filename {
        out.push(("filename", Y::S(quoted(f))));
    }
    if let Some(o) = &raw.options {
        let entries = options_entries(o, net, st);
        if !entries.is_empty() || st.next() {
            let flow = st.next();
            out.push(("options", Y::M(entries, flow)));
        }
    }
    Leases {
        default: default.or(parent.default),
        max: max_in_effect,
        min: min.or(parent.min),
    }
}

fn options_entries(
    o: &RawOptions,
    net: Option<&Net>,
    st: &mut Styles<'_>,
) -> Vec<(&'static str, Y)> {
    let mut out = Vec::new();
    let ips = |list: &[u32], st: &mut Styles<'_>| -> Y {
        let items: Vec<Y> = list.iter().map(|&ip| Y::S(ip_text(ip, st))).collect();
        one_or_many(items, st)
    };
    if let Some(mask) = o.subnet_mask {
        out.push((
            "subnet-mask",
            Y::S(ip_text(net.map_or(mask, Net::mask), st)),
        ));
    }
    if let Some(offset) = o.time_offset {
        out.push(("time-offset", Y::S(offset.to_string())));
    }
    if let Some(routers) = &o.routers {
        // Inside the subnet where check looks at them; anything elsewhere.
        let routers: Vec<u32> = match net {
            Some(net) => routers
                .iter()
                .map(|r| net.first_host() + r % net.hosts())
                .collect(),
            None => routers.clone(),
        };
        out.push(("routers", ips(&routers, st)));
    }
    let lists = [
        ("time-servers", &o.time_servers),
        ("domain-name-servers", &o.domain_name_servers),
        ("log-servers", &o.log_servers),
    ];
    for (key, list) in lists {
        if let Some(list) = list {
            out.push((key, ips(list, st)));
        }
    }
    for (key, text) in [
        ("host-name", &o.host_name),
        ("domain-name", &o.domain_name),
        ("root-path", &o.root_path),
    ] {
        if let Some(text) = text {
            out.push((key, Y::S(quoted(text))));
        }
    }
    if let Some(mtu) = o.interface_mtu {
        out.push(("interface-mtu", Y::S(mtu.to_string())));
    }
    if let Some(bcast) = o.broadcast_address {
        out.push((
            "broadcast-address",
            Y::S(ip_text(net.map_or(bcast, Net::broadcast), st)),
        ));
    }
    if let Some(text) = &o.nis_domain {
        out.push(("nis-domain", Y::S(quoted(text))));
    }
    let lists = [
        ("nis-servers", &o.nis_servers),
        ("ntp-servers", &o.ntp_servers),
        ("netbios-name-servers", &o.netbios_name_servers),
    ];
    for (key, list) in lists {
        if let Some(list) = list {
            out.push((key, ips(list, st)));
        }
    }
    if let Some(node) = o.netbios_node_type {
        out.push(("netbios-node-type", Y::S(node.to_string())));
    }
    for (key, text) in [
        ("tftp-server-name", &o.tftp_server_name),
        ("bootfile-name", &o.bootfile_name),
    ] {
        if let Some(text) = text {
            out.push((key, Y::S(quoted(text))));
        }
    }
    if let Some(list) = &o.smtp_server {
        out.push(("smtp-server", ips(list, st)));
    }
    if let Some(domains) = &o.domain_search {
        let items: Vec<Y> = domains.iter().map(|d| Y::S(string(d, st))).collect();
        out.push(("domain-search", one_or_many(items, st)));
    }
    if let Some(list) = &o.tftp_server_address {
        out.push(("tftp-server-address", ips(list, st)));
    }
    out
}

/// The `index`-th address of the free intervals.
fn nth_free(free: &[(u32, u32)], mut index: u64) -> u32 {
    for &(s, e) in free {
        let len = u64::from(e - s) + 1;
        if index < len {
            return s + index as u32;
        }
        index -= len;
    }
    free.last().map_or(0, |&(_, e)| e)
}

/// `name`, or a variant of it not yet in `seen` (compared in lowercase if `fold`).
fn unique(name: &str, index: usize, seen: &mut HashSet<String>, fold: bool) -> String {
    let key = |s: &str| {
        if fold {
            s.to_ascii_lowercase()
        } else {
            s.to_string()
        }
    };
    let mut candidate = name.to_string();
    let mut n = 0;
    while !seen.insert(key(&candidate)) {
        n += 1;
        candidate = format!("{name}-{index}-{n}");
    }
    candidate
}

fn mac_u64(mac: [u8; 6]) -> u64 {
    mac.iter().fold(0, |acc, &b| (acc << 8) | u64::from(b))
}

/// A MAC in one of the spellings the model accepts.
fn mac_text(mac: u64, st: &mut Styles<'_>) -> String {
    let octets: Vec<u8> = (0..6).rev().map(|i| (mac >> (8 * i)) as u8).collect();
    let (upper, dash, short) = (st.next(), st.next(), st.next() && st.next());
    let sep = if dash { "-" } else { ":" };
    let text = octets
        .iter()
        .map(|o| match (upper, short) {
            (true, true) => format!("{o:X}"),
            (false, true) => format!("{o:x}"),
            (true, false) => format!("{o:02X}"),
            (false, false) => format!("{o:02x}"),
        })
        .collect::<Vec<_>>()
        .join(sep);
    maybe_quote(&text, st)
}

// ---------------------------------------------------------------------------------------------
// YAML text
// ---------------------------------------------------------------------------------------------

/// A YAML node. `bool` = flow style (`[a, b]`, `{ k: v }`) instead of block style.
#[derive(Debug, Clone)]
enum Y {
    /// A scalar, already spelled as YAML (plain or double-quoted).
    S(String),
    L(Vec<Y>, bool),
    M(Vec<(&'static str, Y)>, bool),
}

impl Y {
    fn flow(&self) -> String {
        match self {
            Y::S(s) => s.clone(),
            Y::L(items, _) => format!(
                "[{}]",
                items.iter().map(Y::flow).collect::<Vec<_>>().join(", ")
            ),
            Y::M(entries, _) if entries.is_empty() => "{}".into(),
            Y::M(entries, _) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.flow()))
                    .collect();
                format!("{{ {} }}", entries.join(", "))
            }
        }
    }

    fn is_block(&self) -> bool {
        match self {
            Y::S(_) => false,
            Y::L(items, flow) => !flow && !items.is_empty(),
            Y::M(entries, flow) => !flow && !entries.is_empty(),
        }
    }
}

fn write_map(out: &mut String, entries: &[(&str, Y)], indent: usize) {
    for (key, value) in entries {
        out.push_str(&" ".repeat(indent));
        write_entry(out, key, value, indent);
    }
}

/// `key: value`, the key's indentation already written.
fn write_entry(out: &mut String, key: &str, value: &Y, indent: usize) {
    out.push_str(key);
    out.push(':');
    let child = indent + 2;
    match value {
        Y::M(entries, _) if value.is_block() => {
            out.push('\n');
            write_map(out, entries, child);
        }
        Y::L(items, _) if value.is_block() => {
            out.push('\n');
            for item in items {
                out.push_str(&" ".repeat(child));
                out.push_str("- ");
                write_item(out, item, child + 2);
            }
        }
        _ => {
            out.push(' ');
            out.push_str(&value.flow());
            out.push('\n');
        }
    }
}

/// A list item after its `- `, whose content sits at column `indent`.
fn write_item(out: &mut String, item: &Y, indent: usize) {
    match item {
        Y::M(entries, _) if item.is_block() => {
            if let Some(((key, value), rest)) = entries.split_first() {
                write_entry(out, key, value, indent);
                write_map(out, rest, indent);
            }
        }
        _ => {
            out.push_str(&item.flow());
            out.push('\n');
        }
    }
}

/// A YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string, plain when that is unambiguous and the style says so, else double-quoted.
fn string(text: &str, st: &mut Styles<'_>) -> String {
    let plain_safe = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !["true", "false", "yes", "no", "on", "off", "y", "n", "null"]
            .contains(&text.to_ascii_lowercase().as_str());
    if plain_safe && st.next() {
        text.to_string()
    } else {
        quoted(text)
    }
}

/// A value that reads the same plain or quoted (addresses, CIDRs, MACs), spelled either way.
fn maybe_quote(text: &str, st: &mut Styles<'_>) -> String {
    if st.next() {
        quoted(text)
    } else {
        text.to_string()
    }
}

fn ip_text(ip: u32, st: &mut Styles<'_>) -> String {
    maybe_quote(&Ipv4Addr::from(ip).to_string(), st)
}

/// A duration: plain seconds, units (`1h30m`), or either of them quoted.
fn duration(secs: u32, st: &mut Styles<'_>) -> Y {
    let text = if st.next() && secs > 0 {
        let mut rest = secs;
        let mut text = String::new();
        for (unit, size) in [
            ("w", 604_800),
            ("d", 86_400),
            ("h", 3_600),
            ("m", 60),
            ("s", 1),
        ] {
            if rest >= size {
                text.push_str(&format!("{}{unit}", rest / size));
                rest %= size;
            }
        }
        text
    } else {
        secs.to_string()
    };
    Y::S(maybe_quote(&text, st))
}

/// One scalar on its own, or a list (also a list of one).
fn one_or_many(mut items: Vec<Y>, st: &mut Styles<'_>) -> Y {
    if items.len() == 1 && st.next() {
        return items.remove(0);
    }
    let flow = !st.next();
    Y::L(items, flow)
}
