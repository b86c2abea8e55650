//! Typed scalar values of the pair model: spans, CIDRs, MACs, durations, hex strings.

use std::borrow::Cow;
use std::fmt;
use std::net::Ipv4Addr;
use std::ops::Deref;
use std::str::FromStr;

use miette::SourceSpan;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A value together with the place in the YAML source it was read from.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    value: T,
    /// Where the node is used: for an alias, the alias rather than its anchor.
    at: serde_saphyr::Location,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // serde-saphyr also gives where an aliased node was defined; keeping only the use site
        // keeps the many spanned values of a large model small (and cheap to move).
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Spanned {
            value: spanned.value,
            at: spanned.referenced,
        })
    }
}

impl<T> Spanned<T> {
    /// The value itself.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// Byte span of the YAML node (an empty span at offset 0 when unknown).
    pub fn span(&self) -> SourceSpan {
        location_span(&self.at)
    }

    /// The same location with another value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned {
            value: f(self.value),
            at: self.at,
        }
    }

    /// 1-based line of the YAML node.
    pub fn line(&self) -> u64 {
        self.at.line()
    }
}

/// Converts a serde-saphyr location into a miette byte span.
pub(crate) fn location_span(loc: &serde_saphyr::Location) -> SourceSpan {
    let span = loc.span();
    let offset = span.byte_offset().unwrap_or(0) as usize;
    let len = span.byte_len().unwrap_or(0) as usize;
    SourceSpan::new(offset.into(), len)
}

impl<T> Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// An IPv4 network in CIDR notation, e.g. `172.20.0.0/22`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// The address as written (host bits may be set; validation reports it).
    pub addr: Ipv4Addr,
    /// Prefix length, 0..=32.
    pub prefix: u8,
}

impl Cidr {
    /// The netmask, e.g. 255.255.252.0 for /22.
    pub fn netmask(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.mask_bits())
    }

    fn mask_bits(&self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix))
        }
    }

    /// The network address (host bits cleared).
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) & self.mask_bits())
    }

    /// The directed broadcast address.
    pub fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.network()) | !self.mask_bits())
    }

    /// Whether host bits are set in the written address.
    pub fn has_host_bits(&self) -> bool {
        crate::judgement::subnet_host_bits(u32::from(self.addr), self.mask_bits()) != 0
    }

    /// Whether `ip` lies in this network (network and broadcast included).
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        crate::judgement::in_subnet(u32::from(ip), u32::from(self.addr), self.mask_bits())
    }

    /// First and last address of the network as integers.
    pub fn bounds(&self) -> (u32, u32) {
        (u32::from(self.network()), u32::from(self.broadcast()))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = s.split_once('/').ok_or_else(|| {
            format!("`{s}` is not a CIDR network; write it as ADDRESS/PREFIX, e.g. 10.0.0.0/24")
        })?;
        let addr: Ipv4Addr = addr
            .trim()
            .parse()
            .map_err(|_| format!("`{addr}` is not an IPv4 address"))?;
        let prefix: u8 = prefix
            .trim()
            .parse()
            .ok()
            .filter(|p| *p <= 32)
            .ok_or_else(|| format!("prefix length `{prefix}` must be a number from 0 to 32"))?;
        Ok(Cidr { addr, prefix })
    }
}

/// A 48-bit Ethernet hardware address, written `00:11:22:aa:bb:cc` (or with `-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddr(pub [u8; 6]);

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl FromStr for MacAddr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let octets = parse_hex_octets(s)?;
        let bytes: [u8; 6] = octets
            .try_into()
            .map_err(|v: Vec<u8>| format!("a MAC address has 6 octets, `{s}` has {}", v.len()))?;
        Ok(MacAddr(bytes))
    }
}

/// Parses `aa:bb:cc` (or `aa-bb-cc`) into octets; each octet is one or two hex digits.
pub(crate) fn parse_hex_octets(s: &str) -> Result<Vec<u8>, String> {
    let sep = if s.contains('-') { '-' } else { ':' };
    s.trim()
        .split(sep)
        .map(|part| {
            if part.is_empty() || part.len() > 2 {
                return Err(format!(
                    "`{s}` is not a colon-separated hex string (octet `{part}`)"
                ));
            }
            u8::from_str_radix(part, 16)
                .map_err(|_| format!("`{part}` in `{s}` is not a hex octet"))
        })
        .collect()
}

/// A duration in whole seconds, written as a number of seconds or with units: `90s`, `30m`,
/// `6h`, `1d`, `1w`, or a combination such as `1h30m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(pub u32);

impl Duration {
    /// The duration in seconds.
    pub fn secs(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Duration {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let text = s.trim();
        if let Ok(n) = text.parse::<u32>() {
            return Ok(Duration(n));
        }
        let bad = || {
            format!(
                "`{s}` is not a duration; write seconds (3600) or units like 90s, 30m, 6h, 1d, 1h30m"
            )
        };
        let mut total: u64 = 0;
        let mut number = String::new();
        for c in text.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let unit: u64 = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 604_800,
                _ => return Err(bad()),
            };
            let n: u64 = number.parse().map_err(|_| bad())?;
            number.clear();
            total = total
                .checked_add(n.checked_mul(unit).ok_or_else(bad)?)
                .ok_or_else(bad)?;
        }
        if !number.is_empty() || text.is_empty() {
            return Err(bad());
        }
        u32::try_from(total)
            .map(Duration)
            .map_err(|_| format!("`{s}` is longer than dhcpd accepts (at most 4294967295 seconds)"))
    }
}

/// Implements `Deserialize` through `FromStr` (accepting strings and, where `$num`, integers),
/// `Serialize` through `Display`, and a string JSON Schema with a pattern and description.
macro_rules! string_value {
    ($ty:ty, $name:literal, $pattern:literal, $desc:literal, $num:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($desc)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$ty, E> {
                        if $num {
                            v.to_string().parse().map_err(E::custom)
                        } else {
                            Err(E::invalid_type(de::Unexpected::Unsigned(v), &self))
                        }
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$ty, E> {
                        Err(E::invalid_type(de::Unexpected::Signed(v), &self))
                    }
                }
                d.deserialize_any(V)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                if $num {
                    json_schema!({
                        "description": $desc,
                        "anyOf": [
                            { "type": "integer", "minimum": 0, "maximum": 4294967295u64 },
                            { "type": "string", "pattern": $pattern }
                        ]
                    })
                } else {
                    json_schema!({ "description": $desc, "type": "string", "pattern": $pattern })
                }
            }
        }
    };
}

string_value!(
    Cidr,
    "Cidr",
    r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$",
    "an IPv4 network in CIDR notation, e.g. 172.20.0.0/22",
    false
);
string_value!(
    MacAddr,
    "MacAddr",
    r"^[0-9A-Fa-f]{1,2}([:-][0-9A-Fa-f]{1,2}){5}$",
    "an Ethernet MAC address, e.g. 00:11:22:aa:bb:cc",
    false
);
string_value!(
    Duration,
    "Duration",
    r"^(\d+|(\d+[smhdw])+)$",
    "a duration: seconds, or with units such as 90s, 30m, 6h, 1d, 1h30m",
    true
);

/// A colon-separated hex string such as an `hba` bitmap; its length is checked by `check`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HexString(pub Vec<u8>);

impl fmt::Display for HexString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|b| format!("{b:02x}")).collect();
        f.write_str(&parts.join(":"))
    }
}

impl FromStr for HexString {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        parse_hex_octets(s).map(HexString)
    }
}

string_value!(
    HexString,
    "HexString",
    r"^[0-9A-Fa-f]{1,2}(:[0-9A-Fa-f]{1,2})*$",
    "colon-separated hex octets, e.g. ff:ff:00:00",
    false
);

/// One value or a list of values: `routers: 10.0.0.1` and `routers: [10.0.0.1]` are equal.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// A list of values.
    Many(Vec<T>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor keeps the YAML location on errors, which an untagged enum would lose.
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OneOrMany::Many(items))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::<E>::new(v)).map(OneOrMany::One)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(de::value::U64Deserializer::<E>::new(v)).map(OneOrMany::One)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(de::value::I64Deserializer::<E>::new(v)).map(OneOrMany::One)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                T::deserialize(de::value::BoolDeserializer::<E>::new(v)).map(OneOrMany::One)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                T::deserialize(de::value::F64Deserializer::<E>::new(v)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<T> OneOrMany<T> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(v) => std::slice::from_ref(v),
            OneOrMany::Many(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_math() {
        let c: Cidr = "172.20.0.0/22".parse().unwrap();
        assert_eq!(c.netmask(), Ipv4Addr::new(255, 255, 252, 0));
        assert_eq!(c.broadcast(), Ipv4Addr::new(172, 20, 3, 255));
        assert!(c.contains(Ipv4Addr::new(172, 20, 3, 252)));
        assert!(!c.contains(Ipv4Addr::new(172, 20, 4, 1)));
        assert!(!c.has_host_bits());
        assert!("10.0.0.5/24".parse::<Cidr>().unwrap().has_host_bits());
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("10.0.0.0".parse::<Cidr>().is_err());
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert_eq!(all.broadcast(), Ipv4Addr::BROADCAST);
    }

    #[test]
    fn durations() {
        assert_eq!("3600".parse::<Duration>().unwrap().secs(), 3600);
        assert_eq!("1h30m".parse::<Duration>().unwrap().secs(), 5400);
        assert_eq!("6h".parse::<Duration>().unwrap().secs(), 21600);
        assert_eq!("2d".parse::<Duration>().unwrap().secs(), 172_800);
        for bad in ["", "h", "1x", "10m5", "-3", "99999999999"] {
            assert!(bad.parse::<Duration>().is_err(), "{bad}");
        }
    }

    #[test]
    fn macs_and_hex() {
        let m: MacAddr = "00:1A:2b:3c:4d:5E".parse().unwrap();
        assert_eq!(m.to_string(), "00:1a:2b:3c:4d:5e");
        assert_eq!("0-1a-2b-3c-4d-5e".parse::<MacAddr>().unwrap(), m);
        assert!("00:11:22:33:44".parse::<MacAddr>().is_err());
        assert!("00:11:22:33:44:zz".parse::<MacAddr>().is_err());
        assert_eq!("ff:0".parse::<HexString>().unwrap().to_string(), "ff:00");
    }
}
