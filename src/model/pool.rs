//! Address pools: ranges, permit lists and the failover switch.

use std::fmt;
use std::marker::PhantomData;
use std::net::Ipv4Addr;

use miette::SourceSpan;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::types::Spanned;
use super::{Duration, Options, ScopeParams, scope};

scope! {
    /// An address pool (`pool { ... }`) inside a subnet.
    pub struct Pool {
        /// One range `[first, last]`, or a list of them `[[first, last], ...]`.
        pub range: Spanned<Ranges>,
        /// Permit list: only these clients may use the pool.
        #[serde(default)]
        pub allow: Vec<Spanned<Permit>>,
        /// Deny list: these clients may not use the pool.
        #[serde(default)]
        pub deny: Vec<Spanned<Permit>>,
        /// Serve BOOTP clients dynamically from these ranges (`range dynamic-bootp`); only in a
        /// pool with `failover: false`.
        #[serde(default)]
        pub dynamic_bootp: Option<Spanned<bool>>,
        /// Whether the pair shares this pool by failover (default true). A pool without
        /// failover is served by both peers independently: give each peer distinct ranges.
        #[serde(default)]
        pub failover: Option<Spanned<bool>>,
    }
}

impl Pool {
    /// Whether the ranges serve BOOTP clients dynamically.
    pub fn dynamic_bootp(&self) -> bool {
        self.dynamic_bootp.as_ref().is_some_and(|b| **b)
    }

    /// Whether this pool is shared by the failover relationship.
    pub fn uses_failover(&self) -> bool {
        self.failover.as_ref().is_none_or(|f| **f)
    }
}

/// Who may or may not use a pool.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Permit {
    /// Clients with a host declaration.
    KnownClients,
    /// Clients without a host declaration.
    UnknownClients,
    /// Every client.
    AllClients,
    /// BOOTP clients (never in a failover pool).
    DynamicBootpClients,
    /// Members of the named class.
    MembersOf(String),
}

impl Permit {
    /// The permit in dhcpd.conf syntax (after `allow`/`deny`).
    pub fn to_conf(&self) -> String {
        match self {
            Permit::KnownClients => "known-clients".into(),
            Permit::UnknownClients => "unknown-clients".into(),
            Permit::AllClients => "all clients".into(),
            Permit::DynamicBootpClients => "dynamic bootp clients".into(),
            Permit::MembersOf(class) => format!("members of {}", super::options::quote(class)),
        }
    }
}

/// An inclusive address range with the span of its YAML node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    /// First address.
    pub start: Ipv4Addr,
    /// Last address.
    pub end: Ipv4Addr,
    /// Where the range is written.
    pub span: SourceSpan,
}

impl AddressRange {
    /// The range as integers (start, end).
    pub fn bounds(&self) -> (u32, u32) {
        (u32::from(self.start), u32::from(self.end))
    }

    /// Number of addresses (0 when start > end).
    pub fn len(&self) -> u64 {
        let (s, e) = self.bounds();
        if e < s { 0 } else { u64::from(e - s) + 1 }
    }

    /// Whether the range holds no address (start > end).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The ranges of a pool, as written: one `[first, last]` or a nested list of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranges {
    list: Vec<AddressRange>,
    /// Whether the ranges were written as a nested list, each with its own span; a single
    /// range takes the span of the whole `range:` node.
    nested: bool,
}

/// One element of a `range:` list: an address (of a single range) or a `[first, last]` pair.
enum RangeItem {
    Address(Ipv4Addr),
    Pair(Vec<Ipv4Addr>),
}

impl<'de> Deserialize<'de> for RangeItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RangeItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an IPv4 address or a [first, last] pair")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RangeItem, E> {
                v.parse()
                    .map(RangeItem::Address)
                    .map_err(|_| E::custom(format!("`{v}` is not an IPv4 address")))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RangeItem, A::Error> {
                let mut ips = Vec::new();
                while let Some(ip) = seq.next_element::<Ipv4Addr>()? {
                    ips.push(ip);
                }
                Ok(RangeItem::Pair(ips))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Ranges {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V(PhantomData<Ranges>);
        impl<'de> Visitor<'de> for V {
            type Value = Ranges;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a range [first, last] or a list of ranges [[first, last], ...]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ranges, A::Error> {
                let mut items: Vec<Spanned<RangeItem>> = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                let addresses: Vec<Ipv4Addr> = items
                    .iter()
                    .filter_map(|i| match i.value() {
                        RangeItem::Address(ip) => Some(*ip),
                        RangeItem::Pair(_) => None,
                    })
                    .collect();
                if addresses.len() == items.len() {
                    // `[first, last]` or `[single]`: one range; its span is set by the caller.
                    return match addresses.as_slice() {
                        [ip] => Ok(Ranges {
                            list: vec![range(*ip, *ip, SourceSpan::from(0..0))],
                            nested: false,
                        }),
                        [a, b] => Ok(Ranges {
                            list: vec![range(*a, *b, SourceSpan::from(0..0))],
                            nested: false,
                        }),
                        _ => Err(de::Error::custom(
                            "a range is [first, last]: two addresses, or one for a single address",
                        )),
                    };
                }
                items
                    .iter()
                    .map(|item| match item.value() {
                        RangeItem::Pair(ips) => match ips.as_slice() {
                            [ip] => Ok(range(*ip, *ip, item.span())),
                            [a, b] => Ok(range(*a, *b, item.span())),
                            _ => Err(de::Error::custom(
                                "each range is [first, last]: two addresses",
                            )),
                        },
                        RangeItem::Address(_) => Err(de::Error::custom(
                            "mixed addresses and [first, last] pairs; write every range as a pair",
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(|list| Ranges { list, nested: true })
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

fn range(start: Ipv4Addr, end: Ipv4Addr, span: SourceSpan) -> AddressRange {
    AddressRange { start, end, span }
}

impl Spanned<Ranges> {
    /// The ranges, each with the span of its own YAML node.
    pub fn ranges(&self) -> Vec<AddressRange> {
        let ranges = self.value();
        if ranges.nested {
            return ranges.list.clone();
        }
        ranges
            .list
            .iter()
            .map(|r| AddressRange {
                span: self.span(),
                ..*r
            })
            .collect()
    }
}

impl Serialize for Ranges {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let pairs: Vec<[Ipv4Addr; 2]> = self.list.iter().map(|r| [r.start, r.end]).collect();
        pairs.serialize(s)
    }
}

impl JsonSchema for Ranges {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Ranges".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "one range [first, last] or a list of ranges [[first, last], ...]",
            "anyOf": [
                { "type": "array", "items": { "type": "string", "format": "ipv4" }, "minItems": 1, "maxItems": 2 },
                { "type": "array", "items": { "type": "array", "items": { "type": "string", "format": "ipv4" }, "minItems": 1, "maxItems": 2 }, "minItems": 1 }
            ]
        })
    }
}
