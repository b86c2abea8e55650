//! A small reader of ISC dhcpd.leases, enough for `status`: each address's last binding state
//! and each relationship's last `failover peer ... state` stanza.

use std::net::Ipv4Addr;

use super::status::{LeaseSummary, Relationship};

/// Reads the binding states and failover stanzas; the last record of each wins.
pub fn summarize(text: &str) -> Result<LeaseSummary, String> {
    let mut leases: Vec<(Ipv4Addr, String)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut failover: Vec<Relationship> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("lease ") {
            let addr: Ipv4Addr = rest
                .trim_end_matches('{')
                .trim()
                .parse()
                .map_err(|_| format!("line {}: bad lease address", n + 1))?;
            let mut state = String::from("free");
            for (_, l) in lines.by_ref() {
                let l = l.trim();
                if l == "}" {
                    break;
                }
                if let Some(s) = l.strip_prefix("binding state ") {
                    state = s.trim_end_matches(';').trim().to_string();
                }
            }
            match index.get(&addr) {
                Some(&i) => leases[i] = (addr, state),
                None => {
                    index.insert(addr, leases.len());
                    leases.push((addr, state));
                }
            }
        } else if let Some(rest) = line.strip_prefix("failover peer ") {
            let name = rest.split('"').nth(1).unwrap_or("").to_string();
            let mut r = Relationship {
                name: name.clone(),
                my_state: "unknown-state".into(),
                my_since: None,
                partner_state: "unknown-state".into(),
                partner_since: None,
                mclt: None,
            };
            for (_, l) in lines.by_ref() {
                let l = l.trim().trim_end_matches(';');
                if l == "}" {
                    break;
                }
                if let Some(s) = l.strip_prefix("my state ") {
                    (r.my_state, r.my_since) = state_at(s);
                } else if let Some(s) = l.strip_prefix("partner state ") {
                    (r.partner_state, r.partner_since) = state_at(s);
                } else if let Some(s) = l.strip_prefix("mclt ") {
                    r.mclt = s.trim().parse().ok();
                }
            }
            match failover.iter_mut().find(|f| f.name == name) {
                Some(f) => *f = r,
                None => failover.push(r),
            }
        }
    }
    Ok(LeaseSummary { failover, leases })
}

/// `normal at 0 2026/11/22 08:00:00` or `normal at epoch 1795000000`.
fn state_at(s: &str) -> (String, Option<u64>) {
    let (state, at) = s.split_once(" at ").unwrap_or((s, ""));
    (state.trim().to_string(), parse_time(at.trim()))
}

fn parse_time(at: &str) -> Option<u64> {
    if let Some(epoch) = at.strip_prefix("epoch ") {
        return epoch.trim().parse().ok();
    }
    let mut words = at.split_whitespace();
    let _weekday = words.next()?;
    let date: Vec<i64> = words
        .next()?
        .split('/')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let time: Vec<u64> = words
        .next()?
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (&[y, m, d], &[hh, mm, ss]) = (date.as_slice(), time.as_slice()) else {
        return None;
    };
    // Civil date to days since the epoch (H. Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days)
        .ok()
        .map(|days| days * 86_400 + hh * 3600 + mm * 60 + ss)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
authoring-byte-order little-endian;

failover peer \"fo\" state {
  my state recover at 0 2026/11/22 08:13:20;
  partner state unknown-state at 0 2026/11/22 08:13:20;
  mclt 0;
}
lease 10.0.0.5 {
  binding state free;
}
lease 10.0.0.6 {
  starts 0 2026/11/22 08:13:20;
  binding state free;
}
failover peer \"fo\" state {
  my state normal at epoch 1795335258;
  partner state normal at 0 2026/11/22 08:14:18;
  mclt 1800;
}
lease 10.0.0.5 {
  starts 0 2026/11/22 08:13:20;
  binding state backup;
}
";

    #[test]
    fn the_last_record_wins() {
        let s = summarize(SAMPLE).unwrap();
        assert_eq!(s.failover.len(), 1);
        let r = &s.failover[0];
        assert_eq!(
            (r.my_state.as_str(), r.partner_state.as_str()),
            ("normal", "normal")
        );
        assert_eq!(
            (r.my_since, r.partner_since, r.mclt),
            (Some(1_795_335_258), Some(1_795_335_258), Some(1800))
        );
        let states: Vec<_> = s
            .leases
            .iter()
            .map(|(a, st)| (a.to_string(), st.as_str()))
            .collect();
        assert_eq!(
            states,
            [
                ("10.0.0.5".to_string(), "backup"),
                ("10.0.0.6".to_string(), "free")
            ]
        );
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "lease",
            "lease x {",
            "failover peer",
            "failover peer \"a\" state {\n my state x at 9 9999/99/99 99:99:99;",
            "my state",
        ] {
            let _ = summarize(text);
        }
    }
}
