//! Bindings in ISC's `dhcpd.leases` text: the layout dhcpd 4.4 writes, so `dhcpd -T` and
//! `dhcp-lease-list` read the journal, and a reader for it (the last record wins).

use std::fmt::Write;
use std::net::Ipv4Addr;

use crate::serve::leases::{Binding, State};

/// The first lines of a lease file, as dhcpd writes them.
pub fn header() -> String {
    "# The format of this file is documented in the dhcpd.leases(5) manual page.\n\
     # This lease file was written by dhcpfo\n\n\
     # authoring-byte-order entry is generated, DO NOT DELETE\n\
     authoring-byte-order little-endian;\n\n"
        .to_string()
}

/// One `lease A.B.C.D { ... }` record.
pub fn format_binding(b: &Binding) -> String {
    let mut out = format!("lease {} {{\n", b.addr);
    let _ = writeln!(out, "  starts {};", isc_time(b.starts));
    let _ = writeln!(out, "  ends {};", isc_time(b.ends));
    for (name, t) in [
        ("tstp", b.tstp),
        ("tsfp", b.tsfp),
        ("atsfp", b.atsfp),
        ("cltt", b.cltt),
    ] {
        if let Some(t) = t {
            let _ = writeln!(out, "  {name} {};", isc_time(t));
        }
    }
    let _ = writeln!(out, "  binding state {};", b.state.keyword());
    if b.state == State::Active {
        let _ = writeln!(out, "  next binding state free;");
    }
    if let Some((t, hw)) = &b.hw {
        let kind = if *t == 1 { "ethernet" } else { "token-ring" };
        let hex: Vec<String> = hw.iter().map(|x| format!("{x:02x}")).collect();
        let _ = writeln!(out, "  hardware {kind} {};", hex.join(":"));
    }
    if let Some(uid) = &b.uid {
        let _ = writeln!(out, "  uid {};", quote(uid));
    }
    if let Some(h) = &b.hostname {
        let _ = writeln!(out, "  client-hostname {};", quote(h.as_bytes()));
    }
    out.push_str("}\n");
    out
}

fn quote(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in bytes {
        match c {
            b'"' | b'\\' => {
                s.push('\\');
                s.push(c as char);
            }
            0x20..=0x7e => s.push(c as char),
            _ => {
                let _ = write!(s, "\\{c:03o}");
            }
        }
    }
    s.push('"');
    s
}

fn unquote(s: &str) -> Option<Vec<u8>> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let b = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let oct = inner
                .get(i + 1..i + 4)
                .filter(|o| o.bytes().all(|d| (b'0'..=b'7').contains(&d)));
            if let Some(o) = oct {
                out.push(u8::from_str_radix(o, 8).ok()?);
                i += 4;
            } else {
                out.push(b[i + 1]);
                i += 2;
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// `W YYYY/MM/DD HH:MM:SS` (UTC, weekday 0 = Sunday).
pub fn isc_time(t: u64) -> String {
    let days = (t / 86_400) as i64;
    let secs = t % 86_400;
    let (y, m, d) = civil(days);
    let wday = (days + 4).rem_euclid(7);
    format!(
        "{wday} {y:04}/{m:02}/{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses ISC's time forms: `W YYYY/MM/DD HH:MM:SS`, `epoch N`, `never`.
fn parse_time(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    match parts.as_slice() {
        ["never"] => Some(u64::MAX),
        ["epoch", n] => n.parse().ok(),
        [_, date, time] => {
            let d: Vec<u32> = date
                .split('/')
                .map(|x| x.parse().ok())
                .collect::<Option<_>>()?;
            let t: Vec<u64> = time
                .split(':')
                .map(|x| x.parse().ok())
                .collect::<Option<_>>()?;
            let (&[y, mo, da], &[h, mi, se]) = (d.as_slice(), t.as_slice()) else {
                return None;
            };
            if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 60 {
                return None;
            }
            let days = u64::try_from(days_from_civil(i64::from(y), mo, da)).ok()?;
            Some(days * 86_400 + h * 3600 + mi * 60 + se)
        }
        _ => None,
    }
}

fn state(word: &str) -> Option<State> {
    Some(match word {
        "free" => State::Free,
        "active" => State::Active,
        "expired" => State::Expired,
        "released" => State::Released,
        "abandoned" => State::Abandoned,
        "reset" => State::Reset,
        "backup" => State::Backup,
        _ => return None,
    })
}

/// Reads every lease record; the last record of an address wins. Statements it does not
/// need (failover peer state, `set` variables, server-duid) are skipped as ISC skips
/// unknown ones. Errors are (line, message).
pub fn parse(text: &str) -> Result<Vec<Binding>, (usize, String)> {
    let mut order: Vec<Ipv4Addr> = Vec::new();
    let mut map = std::collections::HashMap::new();
    let mut cur: Option<Binding> = None;
    let mut depth = 0usize;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let err = |m: &str| (n + 1, format!("{m}: `{line}`"));
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if cur.is_none() {
            if depth > 0 {
                depth += line.matches('{').count();
                depth -= line.matches('}').count().min(depth);
                continue;
            }
            if let Some(rest) = line.strip_prefix("lease ") {
                let ip = rest
                    .trim_end_matches('{')
                    .trim()
                    .parse()
                    .map_err(|_| err("not an IPv4 lease address"))?;
                cur = Some(Binding::empty(ip, State::Free));
            } else if line.ends_with('{') {
                depth = 1;
            }
            continue;
        }
        if line == "}" {
            if let Some(b) = cur.take()
                && map.insert(b.addr, b.clone()).is_none()
            {
                order.push(b.addr);
            }
            continue;
        }
        let Some(b) = cur.as_mut() else { continue };
        let stmt = line.trim_end_matches(';').trim();
        let (key, value) = stmt.split_once(' ').unwrap_or((stmt, ""));
        let time = || parse_time(value).ok_or_else(|| err("bad time"));
        match key {
            "starts" => b.starts = time()?,
            "ends" => b.ends = time()?,
            "tstp" => b.tstp = Some(time()?),
            "tsfp" => b.tsfp = Some(time()?),
            "atsfp" => b.atsfp = Some(time()?),
            "cltt" => b.cltt = Some(time()?),
            "binding" => {
                let word = value.strip_prefix("state ").unwrap_or("");
                b.state = state(word.trim()).ok_or_else(|| err("unknown binding state"))?;
            }
            "hardware" => {
                let (kind, addr) = value.split_once(' ').ok_or_else(|| err("bad hardware"))?;
                let bytes = addr
                    .split(':')
                    .map(|x| u8::from_str_radix(x, 16).ok())
                    .collect::<Option<Vec<u8>>>()
                    .filter(|v| v.len() <= 16)
                    .ok_or_else(|| err("bad hardware address"))?;
                let t = if kind == "ethernet" { 1 } else { 6 };
                b.hw = Some((t, bytes));
            }
            "uid" => {
                b.uid = Some(if value.starts_with('"') {
                    unquote(value).ok_or_else(|| err("bad uid"))?
                } else {
                    value
                        .split(':')
                        .map(|x| u8::from_str_radix(x, 16).ok())
                        .collect::<Option<Vec<u8>>>()
                        .ok_or_else(|| err("bad uid"))?
                });
            }
            "client-hostname" => {
                let bytes = unquote(value).ok_or_else(|| err("bad client-hostname"))?;
                b.hostname = Some(String::from_utf8_lossy(&bytes).into_owned());
            }
            _ => {}
        }
    }
    Ok(order.into_iter().filter_map(|ip| map.remove(&ip)).collect())
}
