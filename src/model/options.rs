//! DHCP options with typed values, named as in dhcp-options(5).

use std::net::Ipv4Addr;

use miette::SourceSpan;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{OneOrMany, Spanned};

/// An option value ready to be written into dhcpd.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionValue {
    /// One or more IPv4 addresses, comma-separated.
    Addresses(Vec<Ipv4Addr>),
    /// A quoted text value.
    Text(String),
    /// A list of quoted domain names.
    Domains(Vec<String>),
    /// A number or flag written as is.
    Literal(String),
}

impl OptionValue {
    /// The value in dhcpd.conf syntax.
    pub fn to_conf(&self) -> String {
        match self {
            OptionValue::Addresses(ips) => join(ips.iter().map(ToString::to_string)),
            OptionValue::Text(text) => quote(text),
            OptionValue::Domains(names) => join(names.iter().map(|n| quote(n))),
            OptionValue::Literal(text) => text.clone(),
        }
    }
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// Quotes a string for dhcpd.conf, escaping backslashes, quotes and control characters.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

trait IntoOptionValue {
    fn option_value(&self) -> OptionValue;
}

impl IntoOptionValue for OneOrMany<Ipv4Addr> {
    fn option_value(&self) -> OptionValue {
        OptionValue::Addresses(self.as_slice().to_vec())
    }
}
impl IntoOptionValue for Ipv4Addr {
    fn option_value(&self) -> OptionValue {
        OptionValue::Addresses(vec![*self])
    }
}
impl IntoOptionValue for String {
    fn option_value(&self) -> OptionValue {
        OptionValue::Text(self.clone())
    }
}
impl IntoOptionValue for OneOrMany<String> {
    fn option_value(&self) -> OptionValue {
        OptionValue::Domains(self.as_slice().to_vec())
    }
}
macro_rules! literal_value {
    ($($t:ty),*) => {$(
        impl IntoOptionValue for $t {
            fn option_value(&self) -> OptionValue {
                OptionValue::Literal(self.to_string())
            }
        }
    )*};
}
literal_value!(u8, u16, u32, i32, bool);

/// How the model types an option's value: what `import` reads into it and how `serve`
/// encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptionKind {
    /// One IPv4 address.
    Address,
    /// One or more IPv4 addresses.
    Addresses,
    /// A text.
    Text,
    /// One or more texts (domain names).
    Texts,
    /// An unsigned 8-bit number.
    U8,
    /// An unsigned 16-bit number.
    U16,
    /// A signed 32-bit number.
    I32,
}

/// The [`OptionKind`] of a model type.
trait Kinded {
    const KIND: OptionKind;
}

macro_rules! kinded {
    ($($ty:ty => $kind:ident),* $(,)?) => {$(
        impl Kinded for $ty {
            const KIND: OptionKind = OptionKind::$kind;
        }
    )*};
}
kinded!(
    Ipv4Addr => Address,
    OneOrMany<Ipv4Addr> => Addresses,
    String => Text,
    OneOrMany<String> => Texts,
    u8 => U8,
    u16 => U16,
    i32 => I32,
);

/// One typed option of the model: its dhcpd name, its DHCP code and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OptionSpec {
    /// The name in dhcpd.conf and in the model (kebab-case).
    pub name: String,
    /// The DHCP option code.
    pub code: u8,
    /// How its value is typed.
    pub kind: OptionKind,
}

/// The model's typed option with dhcpd name `name`, if there is one.
pub(crate) fn spec(name: &str) -> Option<&'static OptionSpec> {
    catalogue().iter().find(|o| o.name == name)
}

/// Declares the `Options` struct and the option catalogue from one row per option: field
/// (the dhcpd name in snake case), type and doc. The DHCP code is dhcpd's for that name
/// ([`dhcp_option_code`](crate::dhcpd::tables::dhcp_option_code), read when the crate builds).
macro_rules! options {
    ($($(#[doc = $doc:literal])* $field:ident: $ty:ty,)*) => {
        /// DHCP options, named as in dhcp-options(5).
        #[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        pub struct Options {
            $($(#[doc = $doc])* #[serde(default)] pub $field: Option<Spanned<$ty>>,)*
        }

        impl Options {
            /// The options that are set, in declaration order: (dhcpd name, value, span).
            pub fn entries(&self) -> Vec<(String, OptionValue, SourceSpan)> {
                let mut out = Vec::new();
                $(
                    if let Some(v) = &self.$field {
                        out.push((stringify!($field).replace('_', "-"), v.value().option_value(), v.span()));
                    }
                )*
                out
            }
        }

        /// Every typed option of the model, in declaration order: the one list `render`,
        /// `import` and `serve` read (render through [`Options::entries`]).
        pub(crate) fn catalogue() -> &'static [OptionSpec] {
            static CATALOGUE: std::sync::LazyLock<Vec<OptionSpec>> = std::sync::LazyLock::new(|| {
                vec![$(OptionSpec {
                    name: stringify!($field).replace('_', "-"),
                    code: const { crate::dhcpd::tables::dhcp_option_code(stringify!($field)) },
                    kind: <$ty as Kinded>::KIND,
                }),*]
            });
            &CATALOGUE
        }
    };
}

options! {
    /// Subnet mask (1); dhcpd derives it from the subnet when absent.
    subnet_mask: Ipv4Addr,
    /// Offset from UTC in seconds (2).
    time_offset: i32,
    /// Default gateways (3), inside the subnet.
    routers: OneOrMany<Ipv4Addr>,
    /// RFC 868 time servers (4).
    time_servers: OneOrMany<Ipv4Addr>,
    /// DNS servers (6).
    domain_name_servers: OneOrMany<Ipv4Addr>,
    /// Syslog servers (7).
    log_servers: OneOrMany<Ipv4Addr>,
    /// The client's host name (12).
    host_name: String,
    /// DNS domain name (15).
    domain_name: String,
    /// Root disk path (17).
    root_path: String,
    /// Interface MTU (26).
    interface_mtu: u16,
    /// Broadcast address of the subnet (28).
    broadcast_address: Ipv4Addr,
    /// NIS domain (40).
    nis_domain: String,
    /// NIS servers (41).
    nis_servers: OneOrMany<Ipv4Addr>,
    /// NTP servers (42).
    ntp_servers: OneOrMany<Ipv4Addr>,
    /// NetBIOS (WINS) name servers (44).
    netbios_name_servers: OneOrMany<Ipv4Addr>,
    /// NetBIOS node type (46): 1 B, 2 P, 4 M, 8 H.
    netbios_node_type: u8,
    /// TFTP server name (66).
    tftp_server_name: String,
    /// Boot file name (67).
    bootfile_name: String,
    /// SMTP servers (69).
    smtp_server: OneOrMany<Ipv4Addr>,
    /// Domain search list (119).
    domain_search: OneOrMany<String>,
    /// TFTP server addresses (150).
    tftp_server_address: OneOrMany<Ipv4Addr>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each typed option of the model (its code is dhcpd's, from the table of dhcpd's
    /// options) has a type that reads dhcpd's format for it.
    #[test]
    fn every_model_option_has_a_type_of_dhcpds_format() {
        let (_, dhcp) = crate::dhcpd::tables::SPACES
            .iter()
            .find(|(space, _)| *space == "dhcp")
            .expect("dhcpd's dhcp space");
        for spec in catalogue() {
            let info = dhcp
                .iter()
                .find(|o| o.name == spec.name)
                .unwrap_or_else(|| panic!("{} is not a dhcpd option", spec.name));
            let formats: &[&str] = match spec.kind {
                OptionKind::Address => &["I"],
                OptionKind::Addresses => &["IA", "Ia"],
                OptionKind::Text => &["t"],
                OptionKind::Texts => &["D", "Dc", "tA"],
                OptionKind::U8 => &["B"],
                OptionKind::U16 => &["S"],
                OptionKind::I32 => &["l"],
            };
            assert!(
                formats.contains(&info.format),
                "{}: dhcpd's format {} for {:?}",
                spec.name,
                info.format,
                spec.kind
            );
        }
    }

    /// Each option's doc (the schema's description of it) names its code as "(N)", and N is
    /// the code it takes from dhcpd's table.
    #[test]
    fn every_option_doc_names_its_code() {
        let schema: serde_json::Value =
            serde_json::from_str(&crate::model::schema::json()).expect("the schema is JSON");
        let properties = &schema["$defs"]["Options"]["properties"];
        for spec in catalogue() {
            let doc = properties[spec.name.as_str()]["description"]
                .as_str()
                .unwrap_or_else(|| panic!("{} has no description", spec.name));
            assert!(
                doc.contains(&format!("({})", spec.code)),
                "{}: {doc}",
                spec.name
            );
        }
    }

    #[test]
    fn the_catalogue_has_one_code_per_option_and_the_kind_of_its_type() {
        let all = catalogue();
        assert_eq!(all.len(), 21);
        let mut codes: Vec<u8> = all.iter().map(|o| o.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "a code twice");
        let dns = spec("domain-name-servers").expect("known");
        assert_eq!((dns.code, dns.kind), (6, OptionKind::Addresses));
        assert_eq!(spec("time-offset").map(|o| o.kind), Some(OptionKind::I32));
        assert_eq!(spec("domain-search").map(|o| o.code), Some(119));
        assert!(spec("no-such-option").is_none());
    }

    #[test]
    fn quoting_escapes_what_dhcpd_would_misread() {
        assert_eq!(quote("example.org"), "\"example.org\"");
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(quote("\u{1}"), "\"\\x01\"");
    }

    #[test]
    fn values_render_in_dhcpd_syntax() {
        let ips =
            OptionValue::Addresses(vec![Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)]);
        assert_eq!(ips.to_conf(), "10.0.0.1, 10.0.0.2");
        let d = OptionValue::Domains(vec!["a.org".into(), "b.org".into()]);
        assert_eq!(d.to_conf(), "\"a.org\", \"b.org\"");
    }
}
