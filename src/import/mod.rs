//! `dhcpfo import`: reverse-compiles an existing failover pair (the primary's and the
//! secondary's dhcpd.conf) into the YAML model.
//!
//! The relationship settings come from the primary's peer block, the peers' addresses and
//! ports from each peer's own block, and everything else from the primary's configuration.
//! What the model cannot express (DF490..DF496) and every difference between the two peers
//! (DF494, from the pair lint) is reported at its `file:line`, never dropped silently; the YAML
//! is written anyway. [`check_yaml`] then reads the YAML back with the model's loader and
//! runs `check` on it.

mod convert;
pub(crate) mod rules;
mod yaml;

use std::path::{Path, PathBuf};

use crate::conf::facts::{PeerDecl, peer_decls};
use crate::conf::lint::{Selection, lint, to_diagnostics};
use crate::conf::load::Config;
use crate::conf::pair::{Mode, compare};
use crate::conf::rules::Lint;
use crate::diag::{Diagnostic, Finding, Severity};
use crate::model::{self, LoadError, Role};

/// Path of the JSON Schema inside a dhcpfo checkout.
pub const SCHEMA_IN_REPO: &str = "schemas/dhcpfo-pair.schema.json";

/// Settings of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The first line of the YAML: `# yaml-language-server: $schema=...` (none when empty).
    pub modeline: String,
    /// Extra header comment lines.
    pub header: Vec<String>,
    /// Interfaces of the first and second file's server, with where they were read.
    pub interfaces: [Option<(Vec<String>, String)>; 2],
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Import {
    /// The YAML text.
    pub yaml: String,
    /// What could not be expressed and how the peers differ, in the input files; empty when
    /// the import is complete.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the second file is the primary (its peer block says `primary;`, the first's
    /// `secondary;`), so the roles were swapped.
    pub swapped: bool,
}

impl Import {
    /// Whether everything was expressed in the model (repairs, DF496, aside).
    pub fn is_complete(&self) -> bool {
        self.diagnostics
            .iter()
            .all(|d| d.finding.code == rules::DF496.code)
    }
}

/// Imports a pair: `first` is the primary's configuration and `second` the secondary's (if
/// their peer blocks say the opposite, the roles are swapped and [`Import::swapped`] is set).
pub fn import(first: &Config, second: &Config, options: &ImportOptions) -> Import {
    let decls = [peer_decls(first), peer_decls(second)];
    let partner_of = |side: usize, decl: &PeerDecl<'_>| -> Option<Role> {
        decls[1 - side]
            .iter()
            .find(|d| d.name.text == decl.name.text)
            .map(PeerDecl::runs_as)
    };
    let swapped = decls[0].first().is_some_and(|d| {
        d.role() == Some(Role::Secondary) && partner_of(0, d) == Some(Role::Primary)
    });
    let (p, s) = if swapped { (1, 0) } else { (0, 1) };
    let configs = [first, second];
    let relationship = decls[p].first();
    let partner = relationship.and_then(|r| {
        decls[s]
            .iter()
            .find(|d| d.name.text == r.name.text)
            .map(|d| (configs[s], d))
    });
    let converted = convert::convert(configs[p], relationship, partner);
    let mut model = converted.model;
    for (role_index, side) in [(0, p), (1, s)] {
        if let Some(interfaces) = &options.interfaces[side] {
            model.peers[role_index].interfaces = Some(interfaces.clone());
        }
    }
    let name = |i: usize| {
        configs[i]
            .files
            .first()
            .map_or_else(String::new, |f| f.source.name.clone())
    };
    model.header = vec![
        format!(
            "Imported by dhcpfo {} (`dhcpfo import`) from:",
            env!("CARGO_PKG_VERSION")
        ),
        format!("  primary:   {}", name(p)),
        format!("  secondary: {}", name(s)),
        "The failover settings come from the primary's peer block, the peers' addresses and".into(),
        "ports from each peer's own block, and everything else from the primary's files.".into(),
        "`# FILE:LINE` comments name where each declaration was read.".into(),
    ];
    model.header.extend(options.header.iter().cloned());

    // Differences between the peers: the model follows the primary.
    let pair = compare(configs[p], configs[s], Mode::Pair, &Selection::default());
    let mut found: [Vec<Lint>; 2] = [Vec::new(), Vec::new()];
    found[p] = converted.findings;
    found[p].extend(pair.primary.into_iter().map(repaired_or_differ));
    found[s].extend(pair.secondary.into_iter().map(repaired_or_differ));
    let load_only = Selection {
        select: vec!["DF200".into(), "DF201".into(), "DF202".into()],
        ignore: Vec::new(),
    };
    let mut diagnostics = Vec::new();
    for (i, lints) in found.into_iter().enumerate() {
        diagnostics.extend(lint(configs[i], &load_only));
        diagnostics.extend(to_diagnostics(configs[i], lints, &Selection::default()));
    }
    Import {
        yaml: yaml::emit(&model, &options.modeline),
        diagnostics,
        swapped,
    }
}

/// What the model does about a lint finding it rules out by construction, for the failover
/// mistakes it repairs (DF496); `partner_has` says whether the other file's peer block has a
/// statement.
fn repair(code: &str, partner_has: &dyn Fn(&str) -> bool) -> Option<&'static str> {
    Some(match code {
        "DF300" => "the model writes `split` and `hba` on the primary only",
        "DF301" => "the model writes `mclt` on the primary only",
        "DF303" if partner_has("split") || partner_has("hba") => {
            "the model takes the secondary's `split` or `hba` for the relationship and writes it on the primary"
        }
        "DF304" if partner_has("mclt") => {
            "the model takes the secondary's `mclt` for the relationship and writes it on the primary"
        }
        "DF402" => {
            "the model takes each peer's own `address` and writes it as its partner's `peer address`"
        }
        "DF403" => {
            "the model takes each peer's own `port` and writes it as its partner's `peer port`"
        }
        "DF404" => "the model writes the primary's value on both peers",
        _ => return None,
    })
}

/// A finding the model repairs, as a DF496 warning that names it.
fn repaired(mut finding: Finding, fix: &str) -> Finding {
    let code = finding.code;
    finding.code = rules::DF496.code;
    finding.severity = Severity::Warning;
    finding.message = format!("repaired ({code}): {}; {fix}", finding.message);
    finding.help =
        "nothing to change in the YAML; render and deploy it to fix the live files".into();
    finding
}

/// A pair-lint finding as an import warning: repaired (DF496) when the model fixes it by
/// construction, else a difference between the peers (DF494).
fn repaired_or_differ(mut lint: Lint) -> Lint {
    match repair(lint.finding.code, &|_| false) {
        Some(fix) => {
            lint.finding = repaired(lint.finding, fix);
            lint
        }
        None => peers_differ(lint),
    }
}

/// Both files' own lint findings, sorted for an import.
#[derive(Debug, Clone, Default)]
pub struct Screening {
    /// Errors that leave a file unreadable as dhcpd.conf (syntax, an include that cannot be
    /// read, an include cycle): there is nothing reliable to import.
    pub unreadable: Vec<Diagnostic>,
    /// Failover mistakes the model rules out by construction, as DF496 warnings.
    pub repaired: Vec<Diagnostic>,
    /// Other errors: the YAML is written, and carries each one the model can hold (so `check`
    /// reports it there too).
    pub errors: Vec<Diagnostic>,
}

impl Screening {
    /// Whether the files can be imported.
    pub fn readable(&self) -> bool {
        self.unreadable.is_empty()
    }
}

/// Lints both files of a pair alone and sorts the findings: what makes a file unreadable,
/// what the model repairs, and the errors that remain. Warnings other than repairs are left
/// to `dhcpfo lint`.
pub fn screen(first: &Config, second: &Config) -> Screening {
    let mut out = Screening::default();
    let configs = [first, second];
    for (i, config) in configs.into_iter().enumerate() {
        let partner = peer_decls(configs[1 - i]);
        let partner_has = |keyword: &str| partner.iter().any(|d| d.get(keyword).is_some());
        for mut d in lint(config, &Selection::default()) {
            let code = d.finding.code;
            let loading = crate::conf::lint::LOAD_RULES.iter().any(|r| r.code == code);
            if loading {
                if d.finding.severity == Severity::Error {
                    out.unreadable.push(d);
                }
            } else if let Some(fix) = repair(code, &partner_has) {
                d.finding = repaired(d.finding, fix);
                out.repaired.push(d);
            } else if d.finding.severity == Severity::Error {
                out.errors.push(d);
            }
        }
    }
    out
}

/// A pair-lint finding as an import warning: the model keeps the primary's version.
fn peers_differ(mut lint: Lint) -> Lint {
    let code = lint.finding.code;
    lint.finding.code = rules::DF494.code;
    lint.finding.severity = Severity::Warning;
    lint.finding.message = format!(
        "the peers differ ({code}): {}; the model follows the primary",
        lint.finding.message
    );
    lint
}

/// Reads an imported model back with the model's loader and runs `check` on it: the loader's
/// errors if it cannot be read, else `check`'s findings.
pub fn check_yaml(name: &str, yaml: &str) -> Vec<Diagnostic> {
    match model::load_str(name, yaml.to_string()) {
        Ok(source) => model::check::check(&source),
        Err(LoadError::Invalid(diags)) => diags,
        Err(LoadError::Io { .. }) => Vec::new(),
    }
}

/// The interfaces in the `isc-dhcp-server` defaults file beside a dhcpd.conf (as `dhcpfo
/// render --out` writes them), with the file's path.
pub fn interfaces_beside(conf: &Path) -> Option<(Vec<String>, String)> {
    let path = conf.parent()?.join("isc-dhcp-server");
    let text = std::fs::read_to_string(&path).ok()?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("INTERFACESv4=") || l.starts_with("INTERFACES="))?;
    let value = line.split_once('=')?.1.trim().trim_matches(['"', '\'']);
    let names: Vec<String> = value.split_whitespace().map(str::to_string).collect();
    (!names.is_empty()).then(|| (names, path.display().to_string()))
}

/// The schema file a YAML written beside it names.
pub const SCHEMA_BESIDE: &str = "dhcpfo-pair.schema.json";

/// The JSON Schema an imported YAML's first line (its modeline) can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// One exists: `schemas/dhcpfo-pair.schema.json` in the nearest enclosing dhcpfo
    /// checkout, or `dhcpfo-pair.schema.json` beside the YAML. The modeline names it.
    Found(String),
    /// None exists and the YAML is written to a file: the schema is to be written beside it,
    /// at this path, and the modeline names it.
    WriteBeside(PathBuf),
    /// None exists and the YAML goes to standard output: no modeline (it would name a file
    /// that does not exist).
    Missing,
}

impl Schema {
    /// The YAML's first line, or an empty string for none.
    pub fn modeline(&self) -> String {
        let path = match self {
            Schema::Found(path) => path.as_str(),
            Schema::WriteBeside(_) => SCHEMA_BESIDE,
            Schema::Missing => return String::new(),
        };
        format!("# yaml-language-server: $schema={path}")
    }
}

/// The schema for a YAML written at `output` (standard output: the current folder).
pub fn schema_for(output: Option<&Path>) -> Schema {
    let folder = output
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let folder = std::fs::canonicalize(&folder).unwrap_or(folder);
    if folder.join(SCHEMA_BESIDE).is_file() {
        return Schema::Found(SCHEMA_BESIDE.into());
    }
    for (depth, dir) in folder.ancestors().enumerate() {
        if dir.join(SCHEMA_IN_REPO).is_file() {
            return Schema::Found(format!("{}{SCHEMA_IN_REPO}", "../".repeat(depth)));
        }
    }
    match output {
        Some(path) => Schema::WriteBeside(path.with_file_name(SCHEMA_BESIDE)),
        None => Schema::Missing,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn config(name: &str, text: &str) -> Config {
        Config::from_text(Path::new(name), text.to_string())
    }

    const PRIMARY: &str = "authoritative;\nddns-update-style none;\ndefault-lease-time 3600;\nmax-lease-time 7200;\noption domain-name \"example.org\";\n\nfailover peer \"fo\" {\n  primary;\n  address 10.0.0.2;\n  port 647;\n  peer address 10.0.0.3;\n  peer port 847;\n  max-response-delay 60;\n  max-unacked-updates 10;\n  load balance max seconds 3;\n  mclt 1800;\n  split 128;\n}\n\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  option routers 10.0.0.1;\n  pool {\n    failover peer \"fo\";\n    range 10.0.0.10 10.0.0.99;\n    allow known clients;\n  }\n  host printer { hardware ethernet 00:11:22:33:44:55; fixed-address 10.0.0.5; }\n}\n";

    fn secondary() -> String {
        PRIMARY
            .replace("  primary;", "  secondary;")
            .replace("address 10.0.0.2;", "address 10.0.0.X;")
            .replace("peer address 10.0.0.3;", "peer address 10.0.0.2;")
            .replace("address 10.0.0.X;", "address 10.0.0.3;")
            .replace("port 647;", "port 84X;")
            .replace("peer port 847;", "peer port 647;")
            .replace("port 84X;", "port 847;")
            .replace("  mclt 1800;\n  split 128;\n", "")
    }

    fn options() -> ImportOptions {
        ImportOptions {
            modeline: "# yaml-language-server: $schema=dhcpfo-pair.schema.json".into(),
            ..ImportOptions::default()
        }
    }

    #[test]
    fn a_matched_pair_imports_completely() {
        let (p, s) = (config("p.conf", PRIMARY), config("s.conf", &secondary()));
        let result = import(&p, &s, &options());
        assert!(result.is_complete(), "{:#?}", result.diagnostics);
        let y = &result.yaml;
        for expected in [
            "failover:  # p.conf:7",
            "  name: fo",
            "  mclt: 30m",
            "  split: 128",
            "  max-response-delay: 60",
            "  load-balance-max-seconds: 3",
            "    address: 10.0.0.3\n    port: 847",
            "  authoritative: true",
            "  default-lease-time: 1h",
            "  - network: 10.0.0.0/24  # p.conf:20",
            "      - range: [10.0.0.10, 10.0.0.99]  # p.conf:22",
            "        allow: [known-clients]",
            "    hardware-ethernet: '00:11:22:33:44:55'",
        ] {
            assert!(y.contains(expected), "{expected:?} missing from\n{y}");
        }
        let checked = check_yaml("pair.yaml", y);
        assert!(!model::check::has_errors(&checked), "{checked:#?}\n{y}");
    }

    #[test]
    fn swapped_arguments_are_noticed() {
        let (p, s) = (config("p.conf", PRIMARY), config("s.conf", &secondary()));
        let result = import(&s, &p, &options());
        assert!(result.swapped);
        assert!(
            result.yaml.contains("  primary: p.conf") || result.yaml.contains("primary:   p.conf")
        );
        assert!(result.is_complete(), "{:#?}", result.diagnostics);
    }

    #[test]
    fn what_the_model_cannot_express_is_reported() {
        let extra = "lease-file-name \"/var/lib/dhcp/x\";\nif option vendor-class-identifier = \"PXE\" { filename \"pxe\"; }\noption impress-servers 10.0.0.9;\ngroup { option domain-name \"g\"; host g { hardware ethernet 00:11:22:33:44:66; } }\n";
        let p = config("p.conf", &format!("{PRIMARY}{extra}"));
        let s = config(
            "s.conf",
            &format!(
                "{}{extra}host only-here {{ hardware ethernet 00:11:22:33:44:77; }}\n",
                secondary()
            ),
        );
        let result = import(&p, &s, &options());
        let codes: Vec<(&str, &str, usize)> = result
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.source.name.as_str(),
                    d.finding.code,
                    d.source.line_col(d.finding.span.offset()).0,
                )
            })
            .collect();
        assert_eq!(
            codes,
            [
                ("p.conf", "DF492", 29),
                ("p.conf", "DF490", 30),
                ("p.conf", "DF491", 31),
                ("p.conf", "DF493", 32),
                ("s.conf", "DF494", 31),
            ]
        );
        assert!(result.diagnostics[4].finding.message.contains("(DF422)"));
        // The host in the group is kept.
        assert!(
            result.yaml.contains("- name: g  # p.conf:32"),
            "{}",
            result.yaml
        );
    }

    #[test]
    fn interfaces_and_modeline() {
        let dir = tempfile::tempdir().expect("temp dir");
        let conf = dir.path().join("dhcpd.conf");
        std::fs::write(
            dir.path().join("isc-dhcp-server"),
            "# x\nINTERFACESv4=\"eth0 eth1\"\nINTERFACESv6=\"\"\n",
        )
        .expect("write");
        let (names, from) = interfaces_beside(&conf).expect("interfaces");
        assert_eq!(names, ["eth0", "eth1"]);
        assert!(from.ends_with("isc-dhcp-server"));
        assert!(interfaces_beside(&dir.path().join("none/dhcpd.conf")).is_none());
        std::fs::create_dir_all(dir.path().join("schemas")).expect("mkdir");
        std::fs::write(dir.path().join(SCHEMA_IN_REPO), "{}").expect("write");
        std::fs::create_dir_all(dir.path().join("a/b")).expect("mkdir");
        let in_checkout = schema_for(Some(&dir.path().join("a/b/pair.yaml")));
        assert_eq!(
            in_checkout.modeline(),
            "# yaml-language-server: $schema=../../schemas/dhcpfo-pair.schema.json"
        );
        // Outside a checkout: written beside the YAML, or no modeline on standard output.
        let elsewhere = tempfile::tempdir().expect("temp dir");
        let out = elsewhere.path().join("pair.yaml");
        let beside = elsewhere.path().join(SCHEMA_BESIDE);
        assert_eq!(schema_for(Some(&out)), Schema::WriteBeside(beside.clone()));
        assert_eq!(
            Schema::WriteBeside(beside.clone()).modeline(),
            "# yaml-language-server: $schema=dhcpfo-pair.schema.json"
        );
        assert_eq!(Schema::Missing.modeline(), "");
        std::fs::write(&beside, "{}").expect("write");
        assert_eq!(schema_for(Some(&out)), Schema::Found(SCHEMA_BESIDE.into()));
    }
}
